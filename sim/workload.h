/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sim/workload: where the next access goes.  Each generator yields a
 * stream of (actor, page, write) with pages in [0, pages): a page of the
 * process's mapping, or a gfn of the guest memslot for the vm workload.
 * Deterministic for a seed; cheap enough that the model, not the
 * generator, dominates a run.
 */
#ifndef ADSIM_SIM_WORKLOAD_H
#define ADSIM_SIM_WORKLOAD_H

#include "../exec/types.h"

enum wl_kind {
	WL_UNIFORM,	/* every page equally likely */
	WL_ZIPF,	/* page of rank k with probability ~ 1/k^s, ranks scattered */
	WL_SEQ,		/* one pass after another over the pages, in order */
	WL_HOTCOLD,	/* a hot tenth takes most accesses; it moves each phase */
	WL_VM,		/* vCPUs: each its own slice, plus a shared region */
	WL_TRACE,	/* a recorded trace (sim/trace.h) */
	WL_NR
};

extern const char *const wl_names[WL_NR];

struct wl_params {
	enum wl_kind kind;
	u64 pages;
	u32 actors;		/* CPUs, or vCPUs for WL_VM */
	double write_ratio;
	double zipf_s;		/* WL_ZIPF skew, > 0 */
	double hot_fraction;	/* WL_HOTCOLD: share of pages that are hot */
	double hot_share;	/* WL_HOTCOLD: share of accesses to the hot set */
	u64 phase;		/* WL_HOTCOLD: accesses per phase */
	u64 seed;
	const u32 *trace;	/* WL_TRACE: records, TRACE_WRITE | page */
	u64 trace_len;
};

struct wl {
	struct wl_params p;
	u64 rng[2];
	u64 write_threshold;	/* write when a 64-bit draw is below it */
	u64 n;			/* accesses generated */
	u32 next_actor;
	u64 mult;		/* WL_ZIPF: rank -> page scattering */
	/* WL_ZIPF rejection-inversion constants */
	double h_x1, h_n, s_cut;
	u64 hot_base, hot_pages;
	u64 vm_shared, vm_slice;	/* WL_VM: the shared eighth, a vCPU's slice */
};

struct wl_access {
	u64 page;
	u32 actor;
	bool write;
};

/* 0, or -1 with the reason in err. */
int wl_init(struct wl *w, const struct wl_params *p, char *err, size_t n);
void wl_next(struct wl *w, struct wl_access *a);
/* The next n accesses at once: what sim's loop uses. */
void wl_fill(struct wl *w, struct wl_access *a, u32 n);

/* xoroshiro128+: the generators' and sim's random numbers. */
static inline u64 wl_rand(u64 s[2])
{
	u64 s0 = s[0], s1 = s[1], r = s0 + s1;

	s1 ^= s0;
	s[0] = ((s0 << 24) | (s0 >> 40)) ^ s1 ^ (s1 << 16);
	s[1] = (s1 << 37) | (s1 >> 27);
	return r;
}

void wl_seed(u64 s[2], u64 seed);

#endif
