/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vskernel/model: runs a vs-kernel operation sequence on the model: one
 * process, one mapping registered with userfaultfd, one CPU, all in one
 * arena that is restored between sequences.  Operations go through the
 * mm layer's own entry points (the user access path, the userfaultfd
 * ioctls, do_madvise(), do_mprotect_pkey(), do_pagemap_scan()).
 */
#ifndef ADSIM_VSKERNEL_MODEL_H
#define ADSIM_VSKERNEL_MODEL_H

#include "../exec/arena.h"
#include "../drv/drv.h"
#include "../exec/obs.h"
#include "../hw/hw.h"
#include "../mm/mm.h"
#include "../host/seq.h"

/* Where the model maps: a 2 MiB boundary, as host/ does. */
#define VSK_MODEL_BASE 0x200000000ULL

struct vsk_model {
	struct mm_direct_world dw;
	struct mm_struct *mm;
	int tlb;
	struct drv_world drv;	/* what operations act on: mm_of[0] is mm */
	u32 pages;
	enum vsk_mapping mapping;
};

/* Builds the model; 0, or -1 with the reason in err. */
int vsk_model_open(struct vsk_model *m, enum vsk_mapping mapping, u32 pages,
		   const struct variant_cfg *cfg, char *err, size_t n);
/* The state right after registration, for the next sequence. */
void vsk_model_reset(struct vsk_model *m);
void vsk_model_run(struct vsk_model *m, const struct vsk_op *op, struct vsk_result *r);
void vsk_model_close(struct vsk_model *m);

#endif
