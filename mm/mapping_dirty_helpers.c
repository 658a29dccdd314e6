// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/mapping_dirty_helpers.c (commit d5984d29, ~v6.5-v6.15; the
 * seeds/003 patch in its merged form): wp_shared_mapping_range() and
 * clean_record_shared_mapping_range() walk every shared VMA of a mapping
 * under i_mmap_rwsem; per VMA: notifier start, inc_tlb_flush_pending, the
 * PTE walk under each table's PT lock, then (wp_clean_post_vma) the flush,
 * notifier end, dec_tlb_flush_pending.
 *
 * The clean_flush variant moves or drops that flush: after_unlock is
 * mainline, under_ptl flushes before each PT lock is released, none never
 * flushes.  Simplified: no huge PMDs (the helpers skip them anyway).
 */
#include "mm.h"

struct wp_walk {
	struct mmu_notifier_range range;
	u64 tlbflush_start, tlbflush_end;
	u64 total;
	/* clean_record_pte() */
	bool clean;
	pgoff_t bitmap_pgoff;
	u64 *bitmap;
	pgoff_t start, end;
};

static void wp_pte(struct wp_walk *w, struct vm_area_struct *vma, u64 addr,
		   pte_t *pte)
{
	EXEC_FN();
	pte_t ptent = ptep_get(pte);

	if (pte_write(ptent)) {
		pte_t old_pte = ptep_modify_prot_start(vma, addr, pte);

		ptent = pte_wrprotect(old_pte);
		ptep_modify_prot_commit(vma, addr, pte, old_pte, ptent);
		w->total++;
		w->tlbflush_start = min_t(u64, w->tlbflush_start, addr);
		w->tlbflush_end = max_t(u64, w->tlbflush_end, addr + PAGE_SIZE);
	}
}

static void clean_record_pte(struct wp_walk *w, struct vm_area_struct *vma,
			     u64 addr, pte_t *pte)
{
	EXEC_FN();
	pte_t ptent = ptep_get(pte);

	if (pte_dirty(ptent)) {
		pgoff_t pgoff = ((addr - vma->vm_start) >> PAGE_SHIFT) +
				vma->vm_pgoff - w->bitmap_pgoff;
		pte_t old_pte = ptep_modify_prot_start(vma, addr, pte);

		ptent = pte_mkclean(old_pte);
		ptep_modify_prot_commit(vma, addr, pte, old_pte, ptent);
		w->total++;
		w->tlbflush_start = min_t(u64, w->tlbflush_start, addr);
		w->tlbflush_end = max_t(u64, w->tlbflush_end, addr + PAGE_SIZE);
		w->bitmap[pgoff / 64] |= BIT_ULL(pgoff % 64);	/* __set_bit */
		w->start = min_t(pgoff_t, w->start, pgoff);
		w->end = max_t(pgoff_t, w->end, pgoff + 1);
	}
}

static void wp_clean_pre_vma(struct wp_walk *w, struct vm_area_struct *vma,
			     u64 start, u64 end)
{
	w->tlbflush_start = end;
	w->tlbflush_end = start;
	mmu_notifier_range_init(&w->range, MMU_NOTIFY_PROTECTION_PAGE, vma->vm_mm,
				start, end);
	mmu_notifier_invalidate_range_start(&w->range);
	inc_tlb_flush_pending(vma->vm_mm);
}

static void wp_clean_post_vma(struct wp_walk *w, struct vm_area_struct *vma)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;

	if (variant(mm->mw->cfg, clean_flush) == clean_flush__after_unlock) {
		if (mm_tlb_flush_nested(mm))
			flush_tlb_range(vma, w->range.start, w->range.end);
		else if (w->tlbflush_end > w->tlbflush_start)
			flush_tlb_range(vma, w->tlbflush_start, w->tlbflush_end);
	}
	mmu_notifier_invalidate_range_end(&w->range);
	dec_tlb_flush_pending(mm);
}

/* wp_clean_test_walk(): shared, may-write, not hugetlb. */
static bool wp_clean_test_walk(struct vm_area_struct *vma)
{
	return (vma->vm_flags & (VM_SHARED | VM_MAYWRITE | VM_HUGETLB)) ==
	       (VM_SHARED | VM_MAYWRITE);
}

/* walk_page_mapping() with the wp/clean callbacks. */
static void wp_clean_walk_mapping(struct address_space *mapping,
				  pgoff_t first_index, pgoff_t nr,
				  struct wp_walk *w)
{
	for (int i = 0; i < mapping->nr_i_mmap; i++) {
		struct vm_area_struct *vma = mapping->i_mmap[i];
		pgoff_t vba = vma->vm_pgoff;
		pgoff_t vea = vba + ((vma->vm_end - vma->vm_start) >> PAGE_SHIFT);
		pgoff_t cba = max_t(pgoff_t, first_index, vba);
		pgoff_t cea = min_t(pgoff_t, first_index + nr, vea);
		u64 start, end, pt_end;

		if (cba >= cea || !wp_clean_test_walk(vma))
			continue;
		start = vma->vm_start + ((cba - vba) << PAGE_SHIFT);
		end = vma->vm_start + ((cea - vba) << PAGE_SHIFT);
		wp_clean_pre_vma(w, vma, start, end);
		/* walk_pte_range(): the PT lock is held per page table */
		for (u64 addr = start; addr < end; addr = pt_end) {
			spinlock_t *ptl;
			pte_t *pte = pte_offset_map_lock(vma->vm_mm, addr, &ptl);
			u64 a;

			pt_end = min_t(u64, (addr | ((1ULL << hw_level_shift(2)) - 1)) + 1, end);
			if (!pte)
				continue;
			for (a = addr; a < pt_end; a += PAGE_SIZE, pte++) {
				/*
				 * walk_pte_range_inner() (mm/pagewalk.c) hands
				 * the pte_entry callback every PTE of a present
				 * table, none or not; a missing table is a
				 * pte_hole and costs nothing.  Model-only count.
				 */
				count_mm_event(vma->vm_mm->mw, DIRTY_HELPER_PTES);
				if (w->clean)
					clean_record_pte(w, vma, a, pte);
				else
					wp_pte(w, vma, a, pte);
			}
			if (variant(vma->vm_mm->mw->cfg, clean_flush) == clean_flush__under_ptl &&
			    w->tlbflush_end > w->tlbflush_start)
				flush_tlb_range(vma, w->tlbflush_start, w->tlbflush_end);
			pte_unmap_unlock(pte, ptl);
		}
		wp_clean_post_vma(w, vma);
	}
}

u64 wp_shared_mapping_range(struct address_space *mapping, pgoff_t first_index,
			    pgoff_t nr)
{
	EXEC_FN();
	struct wp_walk w = { .total = 0 };

	down_read(&mapping->i_mmap_rwsem);
	wp_clean_walk_mapping(mapping, first_index, nr, &w);
	up_read(&mapping->i_mmap_rwsem);
	for (int i = 0; i < mapping->nr_i_mmap; i++) {
		struct vm_area_struct *vma = mapping->i_mmap[i];

		obs_protect_done(vma->vm_mm->mw->obs, vma->vm_mm->space,
				 vma->vm_start, vma->vm_end);
	}
	return w.total;
}

/*
 * Every PTE dirty when the call starts ends up in the bitmap; a PTE
 * dirtied later stays dirty, is recorded, or both (seeds/003, the four
 * cases).  The bitmap is the report, delivered when the call returns.
 */
u64 clean_record_shared_mapping_range(struct address_space *mapping,
				      pgoff_t first_index, pgoff_t nr,
				      pgoff_t bitmap_pgoff, u64 *bitmap,
				      pgoff_t *start, pgoff_t *end)
{
	EXEC_FN();
	bool none_set = *start >= *end;
	struct wp_walk w = {
		.clean = true,
		.bitmap_pgoff = bitmap_pgoff,
		.bitmap = bitmap,
		.start = none_set ? nr : *start,
		.end = none_set ? 0 : *end,
	};

	down_read(&mapping->i_mmap_rwsem);
	wp_clean_walk_mapping(mapping, first_index, nr, &w);
	up_read(&mapping->i_mmap_rwsem);
	*start = w.start;
	*end = w.end;
	return w.total;
}
