// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mmu_gather.c (tlb_gather_mmu(), tlb_finish_mmu()) and the
 * tlb_flush_pending counter of include/linux/mm_types.h, as of v6.18.
 * Simplified: the gather records the range to flush, nothing else; page
 * and table freeing is not deferred through it.
 *
 * tlb_flush_pending=bool is the code before v4.13 (B22): a flag set and
 * cleared by each thread that batches a flush (set_tlb_flush_pending(),
 * clear_tlb_flush_pending()), with no mm_tlb_flush_nested(); the model
 * keeps the one word and stores 1 and 0 into it.
 */
#include "mm.h"

static bool tlb_flush_pending_is_bool(struct mm_struct *mm)
{
	return variant(mm->mw->cfg, tlb_flush_pending) == tlb_flush_pending__bool;
}

void inc_tlb_flush_pending(struct mm_struct *mm)
{
	if (tlb_flush_pending_is_bool(mm))
		atomic_set(&mm->tlb_flush_pending, 1);	/* set_tlb_flush_pending() */
	else
		atomic_inc(&mm->tlb_flush_pending);
}

void dec_tlb_flush_pending(struct mm_struct *mm)
{
	if (tlb_flush_pending_is_bool(mm))
		atomic_set(&mm->tlb_flush_pending, 0);	/* clear_tlb_flush_pending() */
	else
		atomic_dec(&mm->tlb_flush_pending);
}

bool mm_tlb_flush_nested(struct mm_struct *mm)
{
	if (tlb_flush_pending_is_bool(mm))
		return false;	/* before v4.13 nobody asked */
	return atomic_read(&mm->tlb_flush_pending) > 1;
}

void tlb_gather_mmu(struct mmu_gather *tlb, struct mm_struct *mm)
{
	tlb->mm = mm;
	tlb->start = ~0ULL;
	tlb->end = 0;
	tlb->fullmm = false;
	inc_tlb_flush_pending(mm);
}

void tlb_flush_pte_range(struct mmu_gather *tlb, u64 addr, u64 size)
{
	tlb->start = min_t(u64, tlb->start, addr);
	tlb->end = max_t(u64, tlb->end, addr + size);
}

/*
 * tlb_flush_mmu_tlbonly(): flush what was gathered so far, now (a zap of a
 * dirty shared PTE, before its PT lock drops), and start a new range.
 */
void tlb_flush_mmu_tlbonly(struct mmu_gather *tlb)
{
	if (tlb->end <= tlb->start)
		return;
	flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end);
	tlb->start = ~0ULL;	/* __tlb_reset_range() */
	tlb->end = 0;
}

/*
 * mm/mmu_gather.c tlb_finish_mmu(): if another thread batched flushes of
 * this mm meanwhile (mm_tlb_flush_nested), flush the whole range it may
 * have skipped; here, the whole mm.
 */
void tlb_finish_mmu(struct mmu_gather *tlb)
{
	EXEC_FN();
	if (mm_tlb_flush_nested(tlb->mm))
		flush_tlb_mm(tlb->mm);
	else if (tlb->end > tlb->start)
		flush_tlb_mm_range(tlb->mm, tlb->start, tlb->end);
	dec_tlb_flush_pending(tlb->mm);
}
