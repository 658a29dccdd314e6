// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mprotect.c as of v6.18: do_mprotect_pkey() and
 * change_protection() -> change_pte_range(), which userfaultfd's
 * write-protection shares (MM_CP_UFFD_WP, MM_CP_UFFD_WP_RESOLVE).  A
 * present PTE is cleared atomically (ptep_modify_prot_start), rebuilt with
 * pte_modify(), committed, and its flush recorded in the mmu_gather only
 * if pte_needs_flush(); the flush happens at the caller's tlb_finish_mmu(),
 * after the notifier range has ended.
 *
 * Simplified: mprotect() takes whole VMAs (no splitting); order-0 folios,
 * so no batches; no NUMA hinting or soft-dirty.
 */
#include "mm.h"

/*
 * can_change_pte_writable(): never a PROT_NONE or uffd-wp PTE; in a
 * private mapping only an exclusive anonymous folio's; in a shared one
 * only a dirty PTE ("clean might indicate that the FS still needs a real
 * write-fault for writenotify").
 */
static bool can_change_pte_writable(struct vm_area_struct *vma, pte_t pte)
{
	struct mm_world *mw = vma->vm_mm->mw;
	u64 pfn = pte_pfn(pte);

	if (MODEL_WARN_ON(!(vma->vm_flags & VM_WRITE)))
		return false;
	if (!(pte.pte & _PAGE_PRESENT))		/* pte_protnone() */
		return false;
	if (userfaultfd_wp(vma) && pte_uffd_wp(pte))	/* userfaultfd_pte_wp() */
		return false;
	if (!(vma->vm_flags & VM_SHARED))
		return pfn != mw->zero_pfn && hw_frame_is_data(mw->hw, pfn) &&
		       !folio_mapping(pfn_folio(mw, pfn)) &&
		       test_bit(PG_anon_exclusive, &pfn_folio(mw, pfn)->flags);
	return pte_dirty(pte);
}

static long change_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma,
			     u64 addr, u64 end, u64 newprot, unsigned long cp_flags)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	bool uffd_wp = cp_flags & MM_CP_UFFD_WP;
	bool uffd_wp_resolve = cp_flags & MM_CP_UFFD_WP_RESOLVE;
	long pages = 0;

	for (; addr < end; addr += PAGE_SIZE) {
		spinlock_t *ptl;
		pte_t *ptep, oldpte, ptent;

		/* change_pmd_prepare(): uffd-wp markers need a PTE table */
		if (pmd_none_at(mm, addr) && uffd_wp && userfaultfd_wp_use_markers(vma) &&
		    pte_alloc(mm, addr))
			return -ENOMEM;
		ptep = pte_offset_map_lock(mm, addr, &ptl);
		if (!ptep)
			continue;
		flush_tlb_batched_pending(mm);
		oldpte = ptep_get(ptep);
		if (pte_present(oldpte)) {
			oldpte = ptep_modify_prot_start(vma, addr, ptep);
			ptent = pte_modify(oldpte, newprot);
			if (uffd_wp)
				ptent = pte_mkuffd_wp(ptent);
			else if (uffd_wp_resolve)
				ptent = pte_clear_uffd_wp(ptent);
			if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pte_write(ptent) &&
			    can_change_pte_writable(vma, ptent))
				ptent = pte_mkwrite(ptent);
			ptep_modify_prot_commit(vma, addr, ptep, oldpte, ptent);
			if (pte_needs_flush(mm->mw, oldpte, ptent))
				tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
			else if (exec_tracing())
				exec_note("pte_needs_flush() says no flush");
			pages++;
		} else if (is_pte_marker(oldpte)) {
			/* an unprotected uffd-wp marker is dropped */
			if (uffd_wp_resolve) {
				pte_clear(mm, addr, ptep);
				pages++;
			}
		} else if (uffd_wp && userfaultfd_wp_use_markers(vma)) {
			/* a none PTE: the page (cache) may exist; protect it */
			set_pte_at(mm, addr, ptep, make_pte_marker(PTE_MARKER_UFFD_WP));
			pages++;
		}
		pte_unmap_unlock(ptep, ptl);
	}
	return pages;
}

/*
 * change_protection() with vma->vm_page_prot; the notifier range of
 * change_pud_range() (simplified: always, not only over populated PUDs).
 */
long change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma,
		       u64 start, u64 end, unsigned long cp_flags)
{
	EXEC_FN();
	struct mmu_notifier_range range;
	long pages;

	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, vma->vm_mm, start, end);
	mmu_notifier_invalidate_range_start(&range);
	pages = change_pte_range(tlb, vma, start, end, vma->vm_page_prot, cp_flags);
	mmu_notifier_invalidate_range_end(&range);
	return pages;
}

int do_mprotect_pkey(struct mm_struct *mm, u64 start, u64 len, int prot)
{
	EXEC_FN();
	struct vm_area_struct *vma;
	struct mmu_gather tlb;
	u64 end = start + len, newflags;
	unsigned long cp_flags = 0;
	bool reduces;

	down_write(&mm->mmap_lock);
	vma = find_vma(mm, start);
	if (!vma || vma->vm_start != start || vma->vm_end != end) {
		up_write(&mm->mmap_lock);
		return -EINVAL;
	}
	newflags = vma->vm_flags & ~(VM_READ | VM_WRITE);
	newflags |= (prot & PROT_READ ? VM_READ : 0) | (prot & PROT_WRITE ? VM_WRITE : 0);
	if (newflags == vma->vm_flags) {	/* mprotect_fixup(): nothing to do */
		up_write(&mm->mmap_lock);
		return 0;
	}
	reduces = (vma->vm_flags & ~newflags) & (VM_READ | VM_WRITE);
	tlb_gather_mmu(&tlb, mm);
	/* mprotect_fixup() */
	vma->vm_flags = newflags;
	if (vma_wants_manual_pte_write_upgrade(vma))
		cp_flags |= MM_CP_TRY_CHANGE_WRITABLE;
	vma_set_page_prot(vma);
	change_protection(&tlb, vma, start, end, cp_flags);
	tlb_finish_mmu(&tlb);
	up_write(&mm->mmap_lock);
	if (reduces)
		obs_protect_done(mm->mw->obs, mm->space, start, end);
	return 0;
}
