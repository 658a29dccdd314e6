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

/* What operations act on, by the index of the scenario's declaration. */
struct drv_world {
	struct hw *hw;
	struct mm_world *mw;
	struct obs *obs;	/* consumers' reports (clean_record) */
	struct mm_struct *mm_of[SCN_MAX_DECLS];
	struct address_space *file_of[SCN_MAX_DECLS];
	struct kvm *kvm_of[SCN_MAX_DECLS];
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

void drv_run_op(const struct drv_world *w, const struct drv_actor *a,
		const struct scn_op *op, struct drv_result *r);

/*
 * A driver's clean_record_shared_mapping_range() over [first, first + nr)
 * of mapping, each page its bitmap records reported to the clean_record
 * consumer (the operation, and check's final collect).
 */
void drv_clean_record(const struct drv_world *w, struct address_space *mapping,
		      pgoff_t first, pgoff_t nr);

#endif
