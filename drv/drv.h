/* SPDX-License-Identifier: GPL-2.0 */
/*
 * drv: runs one scenario operation (scn/ops.def) on the model, through
 * the entry point a process, a vCPU or a kernel thread reaches in the
 * kernel: the user access path, the syscalls and ioctls, a KVM exit, the
 * notifiers.  check runs scenarios' operations here, vs-kernel its
 * sequences: one handler per operation for both.
 *
 * Notes for a race table (exec_note()) are written as each call returns;
 * with tracing off they cost nothing.
 */
#ifndef ADSIM_DRV_DRV_H
#define ADSIM_DRV_DRV_H

#include "../exec/obs.h"
#include "../hw/hw.h"
#include "../kvm/kvm.h"
#include "../mm/mm.h"
#include "../scn/scn.h"

/*
 * Userspace's side of a VM's dirty log, as a VMM's migration thread keeps
 * it: per memslot, the gfns collected and not yet reported (under manual
 * protect the last KVM_GET_DIRTY_LOG's bits until KVM_CLEAR_DIRTY_LOG
 * hands them back; the gfns harvested from the rings until
 * KVM_RESET_DIRTY_RINGS returns) and a buffer for the ioctls; per vCPU
 * ring, the next entry to read.  A gfn is reported once the call that
 * re-protects it has returned: the VMM reads the page after that, so
 * what it reads has every write made through a stale TLB entry before
 * the call's flush.
 */
struct drv_dirty_log {
	u64 *pending[KVM_MAX_SLOTS];	/* a bit per page of the memslot */
	u64 *buf[KVM_MAX_SLOTS];
	u32 fetch[KVM_MAX_VCPUS];
};

/*
 * A page a process's I/O has pinned (pin_user_pages_fast()), until the
 * device's DMA into it completes.
 */
#define DRV_MAX_PINS 8
struct drv_pin {
	struct mm_struct *mm;
	u64 addr, pfn;
};

/* What operations act on, by the index of the scenario's declaration. */
struct drv_world {
	struct hw *hw;
	struct mm_world *mw;
	struct obs *obs;	/* consumers' reports */
	struct arena *ar;	/* for the set-up's allocations (dirty bitmaps) */
	struct mm_struct *mm_of[SCN_MAX_DECLS];
	struct address_space *file_of[SCN_MAX_DECLS];
	struct kvm *kvm_of[SCN_MAX_DECLS];
	struct drv_dirty_log *dl_of[SCN_MAX_DECLS];	/* per vm */
	struct drv_pin pins[DRV_MAX_PINS];
	int nr_pins;
};

/* Who runs it: a CPU's process and TLB, or a vCPU; NULL in the set-up. */
struct drv_actor {
	struct mm_struct *mm;
	int tlb;
	struct kvm_vcpu *vcpu;
};

struct drv_result {
	long ret;		/* what the call returned: 0, a count, or -errno */
	s64 count;		/* UFFDIO_COPY/ZEROPAGE progress; an access: its faults */
	u64 walk_end;		/* PAGEMAP_SCAN */
	long nr_regions;
	struct page_region regions[SCN_SCAN_MAX_VEC];
	/*
	 * For the operations whose failure the caller sees (the userfaultfd
	 * ioctls, PAGEMAP_SCAN): what failed, as in a race table's note
	 * ("UFFDIO_REGISTER [0x1000, 0x2000) returns -22"), else "".
	 */
	char failed[160];
};

void drv_run_op(struct drv_world *w, const struct drv_actor *a,
		const struct scn_op *op, struct drv_result *r);

/*
 * A driver's clean_record_shared_mapping_range() over [first, first + nr)
 * of mapping, each page its bitmap records reported to the clean_record
 * consumer (the operation, and check's final collect).
 */
void drv_clean_record(const struct drv_world *w, struct address_space *mapping,
		      pgoff_t first, pgoff_t nr);

/*
 * A uffd-wp async tracker's scan (CRIU's pre-dump, a live-migration
 * source): PAGEMAP_SCAN [start, end) for written pages, write-protecting
 * them in the same call (PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC),
 * as many calls as vec_len entries need; each page reported written goes
 * to the pagemap_scan consumer.  Returns the pages reported, or -errno.
 */
long drv_pagemap_scan_collect(const struct drv_world *w, struct mm_struct *mm, u64 start,
			      u64 end, struct page_region *vec, u64 vec_len);

/* The dirty_log consumer's state for kvm (allocated from ar); 0 or -ENOMEM. */
int drv_dirty_log_init(struct drv_dirty_log *dl, const struct kvm *kvm, struct arena *ar);
/*
 * One round of the migration thread over every dirty-logged memslot of
 * the vm declared at vm: harvest and reset the rings, or
 * KVM_GET_DIRTY_LOG (and under manual protect KVM_CLEAR_DIRTY_LOG of what
 * it returned); every gfn collected goes to the dirty_log consumer.
 */
void drv_dirty_log_collect(const struct drv_world *w, int vm);

#endif
