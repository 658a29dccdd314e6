// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mremap.c as of v6.18 for one whole VMA moved to a fixed
 * address of the same size (MREMAP_MAYMOVE | MREMAP_FIXED): copy_vma()
 * makes the new VMA, move_page_tables() -> move_ptes() moves each PTE
 * under both PT locks, then the old range is unmapped; all under
 * mmap_lock held for write, inside an MMU_NOTIFY_UNMAP range.
 *
 * The flush (B06, eb66ae030829, v4.19): a moved present PTE may still be
 * cached for the old address, and until that entry is gone the page's
 * lifetime is the destination PT lock's business (a truncation zaps the
 * new PTE and frees the page as soon as it gets that lock), so the old
 * range is flushed before the PT locks drop.  mremap_flush=after_unlock
 * is the code before, which flushed once at the end of
 * move_page_tables().
 *
 * Simplified: need_rmap_locks is false (the new VMA is linked after the
 * old one in the mapping's i_mmap, so an rmap walk sees the old PTE, the
 * new one or both); no THP, no PMD-level moves; an anonymous folio's
 * rmap address (the model's stand-in for vm_pgoff) follows its PTE.
 */
#include "mm.h"

/*
 * move_ptes(): the PTEs of [old_addr, old_end) to new_addr, under the
 * old PT lock and the new one (nested when they differ).  Returns whether
 * a present PTE moved and the old range is still to be flushed.
 */
static bool move_ptes(struct vm_area_struct *vma, u64 old_addr, u64 old_end,
		      struct vm_area_struct *new_vma, u64 new_addr)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	u64 len = old_end - old_addr;
	spinlock_t *old_ptl, *new_ptl;
	pte_t *old_ptep = pte_offset_map_lock(mm, old_addr, &old_ptl);
	pte_t *new_ptep = pte_offset_map_nolock(mm, new_addr, &new_ptl);
	bool force_flush = false;

	if (!old_ptep || !new_ptep) {
		if (old_ptep)
			pte_unmap_unlock(old_ptep, old_ptl);
		return false;
	}
	if (new_ptl != old_ptl)
		spin_lock(new_ptl);	/* spin_lock_nested(SINGLE_DEPTH_NESTING) */
	flush_tlb_batched_pending(mm);
	for (; old_addr < old_end; old_ptep++, new_ptep++, old_addr += PAGE_SIZE,
				   new_addr += PAGE_SIZE) {
		pte_t pte = ptep_get(old_ptep);
		struct folio *folio;

		if (mm_pte_none(mm, pte))
			continue;
		if (pte_present(pte))
			force_flush = true;
		pte = ptep_get_and_clear(mm, old_addr, old_ptep);
		folio = pte_present(pte) ? vm_normal_folio(vma, pte) : NULL;
		if (folio && folio_test_anon(folio))
			__folio_set_anon(folio, mm, new_addr);
		set_pte_at(mm, new_addr, new_ptep, pte);
	}
	if (force_flush && variant(mm->mw->cfg, mremap_flush) == mremap_flush__under_ptl) {
		flush_tlb_range(vma, old_end - len, old_end);
		force_flush = false;
	}
	if (new_ptl != old_ptl)
		spin_unlock(new_ptl);
	pte_unmap_unlock(old_ptep, old_ptl);
	(void)new_vma;
	return force_flush;
}

/* move_page_tables(): PTE table by PTE table. */
static void move_page_tables(struct vm_area_struct *vma, u64 old_addr,
			     struct vm_area_struct *new_vma, u64 new_addr, u64 len)
{
	EXEC_FN();
	u64 old_end = old_addr + len, start = old_addr;
	bool need_flush = false;

	while (old_addr < old_end) {
		u64 extent = min_t(u64, PMD_SIZE - (old_addr & (PMD_SIZE - 1)),
				   PMD_SIZE - (new_addr & (PMD_SIZE - 1)));

		extent = min_t(u64, extent, old_end - old_addr);
		need_flush |= move_ptes(vma, old_addr, old_addr + extent, new_vma, new_addr);
		old_addr += extent;
		new_addr += extent;
	}
	if (need_flush)	/* before v4.19: once, after every PT lock was dropped */
		flush_tlb_range(vma, start, old_end);
}

long do_mremap(struct mm_struct *mm, u64 old_addr, u64 len, u64 new_addr)
{
	EXEC_FN();
	struct vm_area_struct *vma, *new_vma;
	struct mmu_notifier_range range;
	long ret = 0;

	if ((old_addr | len | new_addr) & (PAGE_SIZE - 1) || !len)
		return -EINVAL;
	down_write(&mm->mmap_lock);
	vma = find_vma(mm, old_addr);
	if (!vma || vma->vm_start != old_addr || vma->vm_end != old_addr + len ||
	    find_vma_intersection(mm, new_addr, new_addr + len)) {
		ret = -EINVAL;	/* simplified: one whole VMA to a free range */
		goto out;
	}
	/* copy_vma() */
	new_vma = mm_mmap(mm, new_addr, len, vma->vm_flags & (VM_READ | VM_WRITE | VM_SHARED),
			  vma->vm_file, vma->vm_pgoff);
	if (!new_vma) {
		ret = -ENOMEM;
		goto out;
	}
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, mm, old_addr, old_addr + len);
	mmu_notifier_invalidate_range_start(&range);
	move_page_tables(vma, old_addr, new_vma, new_addr, len);
	mmu_notifier_invalidate_range_end(&range);
	/* do_vmi_munmap() of the old range: nothing is left to zap */
	zap_page_range_single(vma, old_addr, len);
	vma_unlink(vma);
out:
	up_write(&mm->mmap_lock);
	return ret;
}
