// SPDX-License-Identifier: GPL-2.0
#include "workload.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *const wl_names[WL_NR] = {
	[WL_UNIFORM] = "uniform", [WL_ZIPF] = "zipf", [WL_SEQ] = "seq",
	[WL_HOTCOLD] = "hotcold", [WL_VM] = "vm", [WL_TRACE] = "trace",
};

void wl_seed(u64 s[2], u64 seed)
{
	/* splitmix64 spreads a small seed over both words */
	for (int i = 0; i < 2; i++) {
		u64 z = (seed += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		s[i] = z ^ (z >> 31);
	}
	if (!s[0] && !s[1])
		s[0] = 1;
}

/* A draw in [0, n) without modulo bias worth speaking of (n < 2^32 here). */
static inline u64 wl_below(u64 s[2], u64 n)
{
	return (u64)(((unsigned __int128)wl_rand(s) * n) >> 64);
}

static inline double wl_unit(u64 s[2])
{
	return (double)(wl_rand(s) >> 11) * 0x1.0p-53;
}

/*
 * Zipf by rejection-inversion (Hormann and Derflinger, "Rejection-
 * inversion to generate variates from monotone discrete distributions",
 * 1996): invert the integral H of h(x) = x^-s, round to the nearest
 * rank, and accept unless the point falls in the small sliver where the
 * continuous hat exceeds the discrete mass.  O(1) per draw, no table.
 */
static double zipf_expm1_over_x(double x)	/* (e^x - 1) / x */
{
	return fabs(x) > 1e-8 ? expm1(x) / x : 1.0 + x / 2.0;
}

static double zipf_log1p_over_x(double x)	/* log(1 + x) / x */
{
	return fabs(x) > 1e-8 ? log1p(x) / x : 1.0 - x / 2.0;
}

static double zipf_H(double s, double x)
{
	double lx = log(x);

	return zipf_expm1_over_x((1.0 - s) * lx) * lx;
}

static double zipf_h(double s, double x)
{
	return exp(-s * log(x));
}

static double zipf_H_inv(double s, double y)
{
	double t = y * (1.0 - s);

	if (t < -1.0)
		t = -1.0;
	return exp(zipf_log1p_over_x(t) * y);
}

static u64 zipf_rank(struct wl *w)
{
	double s = w->p.zipf_s;

	for (;;) {
		double u = w->h_n + wl_unit(w->rng) * (w->h_x1 - w->h_n);
		double x = zipf_H_inv(s, u);
		double kd = floor(x + 0.5);
		u64 k;

		if (kd < 1)
			kd = 1;
		if (kd > (double)w->p.pages)
			kd = (double)w->p.pages;
		k = (u64)kd;
		if (kd - x <= w->s_cut || u >= zipf_H(s, kd + 0.5) - zipf_h(s, kd))
			return k - 1;
	}
}

static u64 gcd(u64 a, u64 b)
{
	while (b) {
		u64 t = a % b;

		a = b;
		b = t;
	}
	return a;
}

int wl_init(struct wl *w, const struct wl_params *p, char *err, size_t n)
{
	memset(w, 0, sizeof(*w));
	w->p = *p;
	if (!p->pages || !p->actors) {
		snprintf(err, n, "a workload needs at least one page and one actor");
		return -1;
	}
	if (p->write_ratio < 0 || p->write_ratio > 1) {
		snprintf(err, n, "write ratio %g: expected a number from 0 to 1", p->write_ratio);
		return -1;
	}
	wl_seed(w->rng, p->seed);
	w->write_threshold = (u64)(p->write_ratio * 0x1.0p53);
	switch (p->kind) {
	case WL_ZIPF:
		if (!(p->zipf_s > 0) || p->zipf_s > 10) {
			snprintf(err, n, "zipf s=%g: expected a skew above 0 and at most 10",
				 p->zipf_s);
			return -1;
		}
		w->h_x1 = zipf_H(p->zipf_s, 1.5) - 1.0;
		w->h_n = zipf_H(p->zipf_s, (double)p->pages + 0.5);
		w->s_cut = 2.0 - zipf_H_inv(p->zipf_s, zipf_H(p->zipf_s, 2.5) -
							  zipf_h(p->zipf_s, 2.0));
		/* scatter ranks over the pages: an odd multiplier coprime to pages */
		w->mult = 0x9e3779b97f4a7c15ULL % p->pages;
		while (p->pages > 1 && (w->mult < 2 || gcd(w->mult, p->pages) != 1))
			w->mult = (w->mult + 1) % p->pages;
		if (p->pages == 1)
			w->mult = 1;
		break;
	case WL_HOTCOLD:
		if (!(p->hot_fraction > 0 && p->hot_fraction <= 1) ||
		    !(p->hot_share >= 0 && p->hot_share <= 1)) {
			snprintf(err, n, "hotcold: expected hot=F in (0, 1] and share=F in [0, 1]");
			return -1;
		}
		w->hot_pages = (u64)((double)p->pages * p->hot_fraction);
		if (!w->hot_pages)
			w->hot_pages = 1;
		break;
	case WL_VM:
		/* once here rather than a division per access */
		w->vm_shared = p->pages >= 8 ? p->pages / 8 : 0;
		w->vm_slice = p->actors ? (p->pages - w->vm_shared) / p->actors : 0;
		break;
	case WL_TRACE:
		if (!p->trace || !p->trace_len) {
			snprintf(err, n, "the trace has no accesses");
			return -1;
		}
		break;
	default:
		break;
	}
	return 0;
}

static inline void wl_one(struct wl *w, struct wl_access *a)
{
	u64 pages = w->p.pages;

	a->actor = w->next_actor;
	if (++w->next_actor == w->p.actors)
		w->next_actor = 0;
	switch (w->p.kind) {
	case WL_UNIFORM:
		a->page = wl_below(w->rng, pages);
		break;
	case WL_ZIPF:
		a->page = (u64)(((unsigned __int128)zipf_rank(w) * w->mult) % pages);
		break;
	case WL_SEQ:
		a->page = w->n % pages;
		break;
	case WL_HOTCOLD:
		if (w->p.phase && w->n && w->n % w->p.phase == 0)
			w->hot_base = (w->hot_base + w->hot_pages) % pages;
		if (wl_unit(w->rng) < w->p.hot_share)
			a->page = (w->hot_base + wl_below(w->rng, w->hot_pages)) % pages;
		else
			a->page = wl_below(w->rng, pages);
		break;
	case WL_VM: {
		/* a shared eighth first, then one slice per vCPU; 1 in 5 shared */
		u64 shared = w->vm_shared, slice = w->vm_slice;

		if (!slice || wl_below(w->rng, 5) == 0)
			a->page = wl_below(w->rng, shared ? shared : pages);
		else
			a->page = shared + a->actor * slice + wl_below(w->rng, slice);
		break;
	}
	case WL_TRACE: {
		u32 r = w->p.trace[w->n % w->p.trace_len];

		a->actor = 0;
		a->page = r & 0x7fffffffu;
		a->write = r >> 31;
		w->n++;
		return;
	}
	case WL_NR:
		break;
	}
	a->write = (wl_rand(w->rng) >> 11) < w->write_threshold;
	w->n++;
}

void wl_next(struct wl *w, struct wl_access *a)
{
	wl_one(w, a);
}

void wl_fill(struct wl *w, struct wl_access *a, u32 n)
{
	if (w->p.kind == WL_UNIFORM) {
		/* the common case, without the switch: page and write from one draw pair */
		for (u32 i = 0; i < n; i++) {
			a[i].actor = w->next_actor;
			if (++w->next_actor == w->p.actors)
				w->next_actor = 0;
			a[i].page = wl_below(w->rng, w->p.pages);
			a[i].write = (wl_rand(w->rng) >> 11) < w->write_threshold;
		}
		w->n += n;
		return;
	}
	for (u32 i = 0; i < n; i++)
		wl_one(w, &a[i]);
}
