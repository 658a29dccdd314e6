// SPDX-License-Identifier: GPL-2.0
/*
 * Models the x86 PTE primitives of arch/x86/mm/pgtable.c and
 * arch/x86/include/asm/pgtable.h (with ptep_clear_flush() of
 * mm/pgtable-generic.c, which x86 uses), as of v6.18.  Every access to a
 * PTE is one model primitive: a plain store, or the atomic the kernel
 * uses where the hardware may set A or D concurrently.
 */
#include "../../../mm/mm.h"

pte_t ptep_get(pte_t *ptep)
{
	return (pte_t){ READ_ONCE(ptep->pte) };
}

void set_pte_at(struct mm_struct *mm, u64 addr, pte_t *ptep, pte_t pte)
{
	(void)mm;
	(void)addr;
	WRITE_ONCE(ptep->pte, pte.pte);
}

void pte_clear(struct mm_struct *mm, u64 addr, pte_t *ptep)
{
	set_pte_at(mm, addr, ptep, (pte_t){ 0 });
}

/* x86: an atomic xchg, so a D the hardware sets concurrently is returned. */
pte_t ptep_get_and_clear(struct mm_struct *mm, u64 addr, pte_t *ptep)
{
	(void)mm;
	(void)addr;
	return (pte_t){ xchg(&ptep->pte, 0) };
}

pte_t ptep_modify_prot_start(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	return ptep_get_and_clear(vma->vm_mm, addr, ptep);
}

void ptep_modify_prot_commit(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			     pte_t old_pte, pte_t pte)
{
	(void)old_pte;
	set_pte_at(vma->vm_mm, addr, ptep, pte);
}

int ptep_test_and_clear_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	(void)vma;
	(void)addr;
	return test_and_clear_bit(_PAGE_BIT_ACCESSED, &ptep->pte);
}

/*
 * arch/x86/mm/pgtable.c: clearing A without a flush "doesn't cause data
 * corruption"; a CPU with the translation cached keeps using it.
 */
int ptep_clear_flush_young(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	return ptep_test_and_clear_young(vma, addr, ptep);
}

/*
 * pte_accessible(): may a TLB hold a translation of this PTE?  x86 (and
 * arm64 since 07509e10dcc7): any present PTE.  pte_accessible=young is
 * arm64 before that fix (B27): a valid PTE only if it is young, unless a
 * flush is pending; but clearing A without a flush, as aging does, leaves
 * a CPU's cached translation of an old PTE in place.
 */
static bool pte_accessible(struct mm_struct *mm, pte_t pte)
{
	if (variant(mm->mw->cfg, pte_accessible) == pte_accessible__young &&
	    !atomic_read(&mm->tlb_flush_pending))	/* mm_tlb_flush_pending() */
		return pte_present(pte) && pte_young(pte);
	return pte_present(pte);
}

/* mm/pgtable-generic.c ptep_clear_flush(): flush if a TLB may hold it. */
pte_t ptep_clear_flush(struct vm_area_struct *vma, u64 addr, pte_t *ptep)
{
	pte_t pte = ptep_get_and_clear(vma->vm_mm, addr, ptep);

	if (pte_accessible(vma->vm_mm, pte))
		flush_tlb_page(vma, addr);
	return pte;
}

/*
 * x86 ptep_set_access_flags(): write only when changed and dirty; no
 * flush ("#PF is architecturally guaranteed to" drop the stale entry).
 */
int ptep_set_access_flags(struct vm_area_struct *vma, u64 addr, pte_t *ptep,
			  pte_t entry, int dirty)
{
	int changed = !pte_same(ptep_get(ptep), entry);

	if (changed && dirty)
		set_pte_at(vma->vm_mm, addr, ptep, entry);
	return changed;
}
