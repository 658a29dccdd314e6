// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/rmap.c (folio_mkclean, try_to_unmap_one's lazyfree branch,
 * folio_referenced_one, flush_tlb_batched_pending).  Read as of
 * v6.1-v6.15 (rmap.c ~v6.14).
 *
 * Simplified: the rmap of a file folio is the VMAs in mapping->i_mmap; an
 * anonymous folio has exactly one mapping (no fork); reclaim flushes the
 * TLB at once (ptep_clear_flush) rather than batching (TTU_BATCH_FLUSH).
 *
 * Lock order: the kernel's block atop mm/rmap.c, reduced to what the
 * model takes, is enum mm_lock_order in mm.h, which the model's lockdep
 * enforces (exec/exec.h):
 *   mm->mmap_lock
 *     mapping->i_mmap_rwsem
 *       folio_lock (a bit; not checked)
 *         page table lock (ptl)
 *           kvm->mmu_lock (the young notifiers under the ptl)
 */
#include "mm.h"

/* Calls fn for each (vma, address) that may map the folio. */
static int rmap_walk(struct folio *folio,
		     int (*fn)(struct folio *, struct vm_area_struct *, u64, void *),
		     void *arg)
{
	struct address_space *mapping = folio_mapping(folio);
	int ret = 0;

	if (!mapping) {
		struct mm_struct *mm = folio_anon_mm(folio);
		struct vm_area_struct *vma;

		if (!mm)
			return 0;
		vma = find_vma(mm, folio_anon_addr(folio));
		return vma ? fn(folio, vma, folio_anon_addr(folio), arg) : 0;
	}
	down_read(&mapping->i_mmap_rwsem);
	for (int i = 0; i < mapping->nr_i_mmap && ret >= 0; i++) {
		struct vm_area_struct *vma = mapping->i_mmap[i];
		u64 addr;

		if (folio->index < vma->vm_pgoff ||
		    folio->index >= vma->vm_pgoff +
					    ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT))
			continue;
		addr = vma->vm_start + ((folio->index - vma->vm_pgoff) << PAGE_SHIFT);
		ret = fn(folio, vma, addr, arg);
	}
	up_read(&mapping->i_mmap_rwsem);
	return ret;
}

/*
 * page_vma_mkclean_one(): inside a PROTECTION_PAGE notifier range (the
 * mkclean_notify variant can drop it), ptep_clear_flush() under the PT
 * lock so no CPU can set D on the old entry, then write-protect and clean.
 */
static int page_mkclean_one(struct folio *folio, struct vm_area_struct *vma,
			    u64 address, void *arg)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	bool notify = variant(mm->mw->cfg, mkclean_notify) == mkclean_notify__range;
	int *cleaned = arg;
	spinlock_t *ptl;
	pte_t *ptep, entry;

	if (!(vma->vm_flags & VM_SHARED))
		return 0;
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, mm, address,
				address + PAGE_SIZE);
	if (notify)
		mmu_notifier_invalidate_range_start(&range);
	ptep = pte_offset_map_lock(mm, address, &ptl);
	if (ptep) {
		entry = ptep_get(ptep);
		if (pte_present(entry) && pte_pfn(entry) == folio_pfn(folio) &&
		    (pte_dirty(entry) || pte_write(entry))) {
			entry = ptep_clear_flush(vma, address, ptep);
			entry = pte_wrprotect(entry);
			entry = pte_mkclean(entry);
			set_pte_at(mm, address, ptep, entry);
			(*cleaned)++;
		}
		pte_unmap_unlock(ptep, ptl);
	}
	if (notify)
		mmu_notifier_invalidate_range_end(&range);
	obs_protect_done(mm->mw->obs, mm->space, address, address + PAGE_SIZE);
	return 0;
}

int folio_mkclean(struct folio *folio)
{
	EXEC_FN();
	int cleaned = 0;

	if (!folio_mapping(folio))
		return 0;
	rmap_walk(folio, page_mkclean_one, &cleaned);
	return cleaned;
}

/*
 * try_to_unmap_one() for a lazyfree (MADV_FREE'd, !swapbacked) anon folio
 * (rmap.c ~v6.14: B01's reference check, and Barry Song's "set folio
 * swapbacked iff folios are dirty"): clear the PTE with a flush, move its D
 * to the folio, and discard only if nobody but reclaim and the mappings
 * holds a reference and the folio is still clean; otherwise restore the
 * PTE, and make the folio swapbacked if it was re-dirtied.
 */
struct ttu_arg {
	bool ok;
	bool discarded;
};

static int try_to_unmap_one(struct folio *folio, struct vm_area_struct *vma,
			    u64 address, void *arg)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	struct ttu_arg *ttu = arg;
	spinlock_t *ptl;
	pte_t *ptep, pteval;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, mm, address,
				address + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	ptep = pte_offset_map_lock(mm, address, &ptl);
	if (!ptep || !pte_present(ptep_get(ptep)) ||
	    pte_pfn(ptep_get(ptep)) != folio_pfn(folio)) {
		if (ptep)
			pte_unmap_unlock(ptep, ptl);
		mmu_notifier_invalidate_range_end(&range);
		ttu->ok = false;
		return -1;
	}
	pteval = ptep_clear_flush(vma, address, ptep);
	if (pte_dirty(pteval))
		folio_mark_dirty(folio);
	if (!folio_mapping(folio) && !folio_test_swapbacked(folio)) {
		int ref_count = atomic_read(&folio->_refcount);
		int map_count = atomic_read(&folio->_mapcount);

		/*
		 * the only references: reclaim's isolation and the mappings;
		 * lazyfree_ref_check=none is the code before B01's fix, which
		 * looked at the dirty flag alone
		 */
		if ((ref_count == 1 + map_count ||
		     variant(mm->mw->cfg, lazyfree_ref_check) == lazyfree_ref_check__none) &&
		    !folio_test_dirty(folio)) {
			atomic_dec(&folio->_mapcount);	/* folio_remove_rmap_pte() */
			folio_put(folio);		/* the mapping's reference */
			ttu->discarded = true;
			if (exec_tracing())
				exec_note("lazyfree folio pfn %llu is clean: discard",
					  (unsigned long long)folio_pfn(folio));
			pte_unmap_unlock(ptep, ptl);
			mmu_notifier_invalidate_range_end(&range);
			return 0;
		}
		/* re-dirtied or referenced: remap; swapbacked iff dirty (v6.13) */
		set_pte_at(mm, address, ptep, pteval);
		if (folio_test_dirty(folio))
			folio_set_swapbacked(folio);
		ttu->ok = false;
		pte_unmap_unlock(ptep, ptl);
		mmu_notifier_invalidate_range_end(&range);
		return -1;
	}
	/* no swap: a swapbacked or file folio stays mapped */
	set_pte_at(mm, address, ptep, pteval);
	ttu->ok = false;
	pte_unmap_unlock(ptep, ptl);
	mmu_notifier_invalidate_range_end(&range);
	return -1;
}

static int folio_referenced_one(struct folio *folio, struct vm_area_struct *vma,
				u64 address, void *arg)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	int *referenced = arg;
	spinlock_t *ptl;
	pte_t *ptep = pte_offset_map_lock(mm, address, &ptl);

	(void)folio;
	if (!ptep)
		return 0;
	/* ptep_clear_flush_young_notify(): primary, then secondary MMUs */
	if (pte_present(ptep_get(ptep)) && ptep_clear_flush_young(vma, address, ptep))
		(*referenced)++;
	pte_unmap_unlock(ptep, ptl);
	if (mmu_notifier_clear_flush_young(mm, address, address + PAGE_SIZE))
		(*referenced)++;
	return 0;
}

int folio_referenced(struct folio *folio)
{
	int referenced = 0;

	rmap_walk(folio, folio_referenced_one, &referenced);
	if (test_and_clear_bit(PG_referenced, &folio->flags))
		referenced++;
	return referenced;
}

/*
 * try_to_unmap() of a lazyfree folio (the only kind reclaim unmaps here):
 * true if every mapping let it go and it may be discarded.
 */
bool try_to_unmap(struct folio *folio)
{
	struct ttu_arg ttu = { .ok = true };

	rmap_walk(folio, try_to_unmap_one, &ttu);
	return ttu.discarded;
}

/* mm/rmap.c: complete a flush reclaim deferred (B02's fix). */
void flush_tlb_batched_pending(struct mm_struct *mm)
{
	if (READ_ONCE(mm->tlb_flush_batched)) {
		flush_tlb_mm(mm);
		WRITE_ONCE(mm->tlb_flush_batched, 0);
	}
}

