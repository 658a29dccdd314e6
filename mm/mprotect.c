// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mprotect.c do_mprotect_pkey() -> change_protection() ->
 * change_pte_range(), as of ~v6.14.  The PTE is cleared atomically
 * (ptep_modify_prot_start), rebuilt with pte_modify(), committed, and its
 * flush recorded in the mmu_gather only if pte_needs_flush(); the flush
 * happens at tlb_finish_mmu(), after the notifier range has ended.
 *
 * Simplified: one VMA per call (no splitting: the range must cover whole
 * VMAs); no PROT_NONE/NUMA, soft-dirty or uffd-wp handling.
 */
#include "mm.h"

/* can_change_pte_writable(): shared mappings only upgrade dirty PTEs. */
static bool can_change_pte_writable(struct vm_area_struct *vma, pte_t pte)
{
	if (!(vma->vm_flags & VM_WRITE))
		return false;
	if (vma->vm_flags & VM_SHARED)
		return pte_dirty(pte);
	return true;	/* anon folios are exclusive in the model */
}

static void change_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     u64 addr, u64 end, u64 newprot, bool try_writable)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;

	for (; addr < end; addr += PAGE_SIZE) {
		spinlock_t *ptl;
		pte_t *ptep = pte_offset_map_lock(mm, addr, &ptl);
		pte_t oldpte, ptent;

		if (!ptep)
			continue;
		flush_tlb_batched_pending(mm);
		if (pte_present(ptep_get(ptep))) {
			oldpte = ptep_modify_prot_start(vma, addr, ptep);
			ptent = pte_modify(oldpte, newprot);
			if (try_writable && !pte_write(ptent) &&
			    can_change_pte_writable(vma, ptent))
				ptent = pte_mkwrite(ptent);
			ptep_modify_prot_commit(vma, addr, ptep, oldpte, ptent);
			if (pte_needs_flush(mm->mw, oldpte, ptent))
				tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
			else if (exec_tracing())
				exec_note("pte_needs_flush() says no flush");
		}
		pte_unmap_unlock(ptep, ptl);
	}
}

int do_mprotect_pkey(struct mm_struct *mm, u64 start, u64 len, int prot)
{
	EXEC_FN();
	struct mmu_notifier_range range;
	struct vm_area_struct *vma;
	struct mmu_gather tlb;
	u64 end = start + len, newflags;
	bool reduces;

	down_write(&mm->mmap_lock);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start != start || vma->vm_end != end) {
		up_write(&mm->mmap_lock);
		return -EINVAL;
	}
	newflags = vma->vm_flags & ~(VM_READ | VM_WRITE);
	newflags |= (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0);
	reduces = (vma->vm_flags & ~newflags) & (VM_READ | VM_WRITE);
	tlb_gather_mmu(&tlb, mm);
	vma->vm_flags = newflags;
	vma->vm_page_prot = vm_get_page_prot(newflags);
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	/* vma_wants_manual_pte_write_upgrade(): VM_WRITE set */
	change_pte_range(&tlb, vma, start, end, vma->vm_page_prot,
			 newflags & VM_WRITE);
	mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
	up_write(&mm->mmap_lock);
	if (reduces)
		obs_protect_done(mm->mw->obs, mm->space, start, end);
	return 0;
}
