// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/madvise.c madvise_free_single_vma() -> madvise_free_pte_range()
 * as of ~v6.16 (order-0 folios only).  Inside the notifier range (the
 * madvise_free_notify variant can drop it, seeds/000), each young or
 * dirty PTE is cleared atomically and rewritten old and clean, the folio's
 * dirty flag cleared and the folio made lazyfree; the TLB flush is left to
 * the caller's tlb_finish_mmu(), after invalidate_range_end.
 */
#include "mm.h"

static void madvise_free_pte_range(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, u64 addr, u64 end)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;

	for (; addr < end; addr += PAGE_SIZE) {
		spinlock_t *ptl;
		pte_t *ptep = pte_offset_map_lock(mm, addr, &ptl);
		pte_t ptent;
		struct folio *folio;

		if (!ptep)
			continue;
		flush_tlb_batched_pending(mm);
		ptent = ptep_get(ptep);
		if (!pte_present(ptent) ||
		    !hw_frame_is_data(mm->mw->hw, pte_pfn(ptent))) {
			pte_unmap_unlock(ptep, ptl);
			continue;
		}
		folio = pfn_folio(mm->mw, pte_pfn(ptent));
		if (folio_test_dirty(folio)) {
			if (!folio_trylock(folio)) {
				pte_unmap_unlock(ptep, ptl);
				continue;
			}
			folio_clear_dirty(folio);
			folio_unlock(folio);
		}
		if (pte_young(ptent) || pte_dirty(ptent)) {
			/* clear_young_dirty_ptes(): get_and_clear, mkold, mkclean */
			ptent = ptep_get_and_clear(mm, addr, ptep);
			ptent = pte_mkold(ptent);
			ptent = pte_mkclean(ptent);
			set_pte_at(mm, addr, ptep, ptent);
			tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
		}
		/* folio_mark_lazyfree(): anon, no longer swapbacked */
		if (folio->flags & BIT_ULL(PG_swapbacked))	/* a count, not a step */
			count_mm_event(folio_mw(folio), PGLAZYFREE);
		clear_bit(PG_swapbacked, &folio->flags);
		pte_unmap_unlock(ptep, ptl);
	}
}

static int madvise_free_single_vma(struct mmu_gather *tlb,
				   struct vm_area_struct *vma, u64 start, u64 end)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	bool notify = variant(mm->mw->cfg, madvise_free_notify) ==
		      madvise_free_notify__range;

	if (vma->vm_file)
		return -EINVAL;	/* anonymous VMAs only */
	start = max_t(u64, start, vma->vm_start);
	end = min_t(u64, end, vma->vm_end);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, mm, start, end);
	if (notify)
		mmu_notifier_invalidate_range_start(&range);
	madvise_free_pte_range(tlb, vma, start, end);
	if (notify)
		mmu_notifier_invalidate_range_end(&range);
	return 0;
}

int do_madvise(struct mm_struct *mm, u64 start, u64 len, int behavior)
{
	EXEC_FN();
	struct vm_area_struct *vma;
	struct mmu_gather tlb;
	int ret;

	down_read(&mm->mmap_lock);
	vma = find_vma(mm, start);
	if (!vma) {
		up_read(&mm->mmap_lock);
		return -ENOMEM;
	}
	if (behavior == MADV_DONTNEED) {
		/* madvise_dontneed_single_vma(), under the mmap read lock */
		zap_page_range_single(vma, start, len);
		up_read(&mm->mmap_lock);
		return 0;
	}
	if (behavior != MADV_FREE) {
		up_read(&mm->mmap_lock);
		return -EINVAL;
	}
	tlb_gather_mmu(&tlb, mm);
	ret = madvise_free_single_vma(&tlb, vma, start, start + len);
	tlb_finish_mmu(&tlb);
	up_read(&mm->mmap_lock);
	/*
	 * Writes racing with the call may be dropped; writes after it
	 * returns must survive reclaim.
	 */
	for (u64 a = start; a < start + len && !ret; a += PAGE_SIZE) {
		u64 *p = hw_lookup(mm->mw->hw, mm->space, a, PG_LEVEL_4K);

		if (p && (*p & _PAGE_PRESENT))
			obs_absolve(mm->mw->obs, CONS_LAZYFREE,
				    (*p & PTE_PFN_MASK) >> PAGE_SHIFT);
	}
	return ret;
}
