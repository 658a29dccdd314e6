/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check/model: builds a world from an instantiated scenario (hw, mm, kvm,
 * oracle state, all in one arena), runs the set-up, and provides the
 * per-execution reset, the actors' bodies, the final quiesce-and-collect
 * and the lost-write verdict.  check/explore drives it; it never reaches
 * around the model's own functions.
 */
#ifndef ADSIM_CHECK_MODEL_H
#define ADSIM_CHECK_MODEL_H

#include "../drv/drv.h"
#include "../scn/scn.h"
#include "../exec/arena.h"
#include "../exec/exec.h"
#include "../exec/obs.h"
#include "../hw/hw.h"
#include "../kvm/kvm.h"
#include "../mm/mm.h"

#define ORACLE_MAX_EVENTS 64

struct gt_page {
	u64 last_write;		/* 0: never written */
	s16 writer;
	u64 covered[CONS_NR];
	u8 tracked;		/* consumers that must cover writes to it */
};

/* A page a tracker may report (exec/obs.h ranges[]): by address. */
struct gt_vpage {
	u64 last_write;		/* 0: never written */
	u64 covered;		/* its tracker's last report, or the watch's start */
	s16 writer;
	bool tracked;		/* watched: writes need a report */
};

struct gt_event {
	int space;
	u64 start, end, time;
};

/* Oracle state: lives in the arena, reset with the world. */
struct gt {
	struct gt_page *pages;
	u32 nr_pages;
	struct gt_vpage *vpages;	/* per page of obs.ranges[] */
	u8 vrange_consumer[OBS_MAX_RANGES];
	struct gt_event ev[ORACLE_MAX_EVENTS];
	int nr_ev;
	bool collecting;	/* tracing the final collect's reports */
};

struct world {
	struct variant_cfg cfg;
	struct obs obs;
	struct hw hw;
	struct mm_world mw;
	struct kvm kvm[2];
	int nr_kvm;
	struct gt gt;
	struct drv_world drv;	/* declaration index -> model object */
	struct kvm_vcpu vcpus[KVM_MAX_VCPUS];
};

struct model;

struct model_actor {
	struct model *m;
	int idx;		/* index in inst.actors */
	int tlb;
	struct kvm_vcpu *vcpu;
};

struct model {
	struct scn *scn;
	struct scn_inst inst;
	struct arena arena;
	struct world *w;
	struct exec ex;
	struct model_actor actors[SCN_MAX_ACTORS];
	int first_handler;	/* exec ids >= this are IPI handlers */
	bool write_tracking;	/* some actor write-tracks a gfn */
	char err[256];
};

/* check/oracle.c */
extern const struct obs_ops chk_oracle_ops;
void chk_oracle_track_files(struct world *w, const struct scn *s);
int chk_oracle_add_range(struct world *w, struct arena *ar, enum obs_consumer c,
			 int space, u64 start, u64 end);
void chk_oracle_judge_lost_writes(struct model *m);

int model_build(struct model *m, struct scn *s, char *err, size_t errlen);
void model_destroy(struct model *m);
/* Resets the world and starts an execution. */
void model_begin(struct model *m);
/* After every actor finished: quiesce, collect, judge lost writes. */
void model_finish(struct model *m);
void model_describe(void *ctx, const void *addr, u64 val, bool value, char *buf,
		    size_t n);

#endif
