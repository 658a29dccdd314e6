// SPDX-License-Identifier: GPL-2.0
/*
 * Models mm/gup.c as of v6.18 for one page at a time: the slow path
 * (__get_user_pages() -> follow_page_pte(), faulting in and retrying),
 * as KVM's hva_to_pfn() uses it, and the lockless fast path with FOLL_PIN
 * (pin_user_pages_fast() -> gup_fast_pte_range()), as a direct-I/O read
 * pins its buffer, with unpin_user_page().
 *
 * Simplified: one small folio per call; the fast path's local_irq_save()
 * is not modelled (the check scenarios' page tables live as long as their
 * mapping, so no table is freed under the walk).
 */
#include "mm.h"

/*
 * The slow path for one page, as KVM's hva_to_pfn() uses it: follow_page_pte()
 * under the PT lock; FOLL_WRITE needs a writable PTE, else fault and
 * retry.  FOLL_TOUCH: a write marks the folio dirty (mark_page_dirty for
 * a clean PTE) and every access marks it accessed.  *writable reports
 * whether the PTE allowed writes (KVM's map_writable).  The caller owns a
 * reference on a normal folio and drops it with folio_put().
 */
u64 get_user_page(struct mm_struct *mm, u64 addr, bool write, bool *writable)
{
	EXEC_FN();
	u64 pfn = 0;

	down_read(&mm->mmap_lock);
	for (int tries = 0; tries < 8 && !pfn; tries++) {
		struct vm_area_struct *vma = find_vma(mm, addr);
		spinlock_t *ptl;
		pte_t *ptep, pte;

		if (!vma)
			break;
		/* follow_page_pte(); no PTE table yet is a fault as well */
		ptep = pte_offset_map_lock(mm, addr, &ptl);
		pte = ptep ? ptep_get(ptep) : (pte_t){ 0 };
		if (ptep && pte_present(pte) && (!write || pte_write(pte))) {
			struct folio *folio = vm_normal_folio(vma, pte);

			pfn = pte_pfn(pte);
			*writable = pte_write(pte);
			/* try_grab_folio(FOLL_GET), the zero page's too */
			folio_get(pfn_folio(mm->mw, pfn));
			if (folio) {
				if (write && !pte_dirty(pte) && !folio_test_dirty(folio))
					folio_mark_dirty(folio);
				folio_mark_accessed(folio);
			}
			pte_unmap_unlock(ptep, ptl);
			break;
		}
		if (ptep)
			pte_unmap_unlock(ptep, ptl);
		/* faultin_page() */
		if (handle_mm_fault(vma, addr, write ? FAULT_FLAG_WRITE : 0) &
		    VM_FAULT_SIGSEGV)
			break;
	}
	up_read(&mm->mmap_lock);
	return pfn;
}

/* A pin counts GUP_PIN_COUNTING_BIAS references on a small folio. */
#define GUP_PIN_COUNTING_BIAS 1024

static void gup_pin_folio(struct folio *folio)
{
	atomic_add(GUP_PIN_COUNTING_BIAS, &folio->_refcount);	/* folio_ref_add() */
}

void unpin_user_page(struct mm_world *mw, u64 pfn)
{
	/* gup_put_folio() */
	atomic_sub(GUP_PIN_COUNTING_BIAS, &pfn_folio(mw, pfn)->_refcount);
}

/*
 * pin_user_pages_fast() of one page: gup_fast_pte_range() reads the PTE
 * without the PT lock; a present PTE that allows the access (FOLL_WRITE:
 * writable) and maps a normal folio is pinned (try_grab_folio_fast(),
 * the bias added to the refcount), and the PTE re-read: if it changed
 * meanwhile the pin is dropped again, which pairs with try_to_unmap_one()
 * clearing the PTE before it reads the refcount (B01).  Anything else
 * falls back to the slow path, whose reference becomes a pin.  Returns
 * the pinned pfn, or 0.  Simplified: no FOLL_LONGTERM or exclusivity
 * checks (an anonymous folio is exclusive in the model).
 */
u64 pin_user_page_fast(struct mm_struct *mm, u64 addr, bool write)
{
	EXEC_FN();
	struct hw *hw = mm->mw->hw;
	u64 *pmdp = hw_lookup(hw, mm->space, addr, PG_LEVEL_2M);
	u64 pmd = pmdp ? READ_ONCE(*pmdp) : 0;
	bool writable;
	u64 pfn;

	if (pmd & _PAGE_PRESENT) {
		pte_t *ptep = (pte_t *)hw_lookup(hw, mm->space, addr, PG_LEVEL_4K);
		pte_t pte = { ptep ? READ_ONCE(ptep->pte) : 0 };	/* ptep_get_lockless() */
		struct vm_area_struct *vma = find_vma(mm, addr);
		struct folio *folio = vma && pte_present(pte) ? vm_normal_folio(vma, pte) : NULL;

		if (folio && (!write || pte_write(pte))) {
			gup_pin_folio(folio);
			if (READ_ONCE(ptep->pte) == pte.pte)
				return pte_pfn(pte);
			unpin_user_page(mm->mw, pte_pfn(pte));	/* the PTE changed: back off */
		}
	}
	pfn = get_user_page(mm, addr, write, &writable);
	if (pfn) {
		gup_pin_folio(pfn_folio(mm->mw, pfn));
		folio_put(pfn_folio(mm->mw, pfn));	/* the slow path's reference */
	}
	return pfn;
}
