// SPDX-License-Identifier: GPL-2.0
/*
 * Models the TLB flushes of arch/x86/mm/tlb.c (flush_tlb_mm_range() and
 * its wrappers) and pte_needs_flush() of arch/x86/include/asm/tlbflush.h,
 * as of v6.18.  Simplified: one flush reaches every TLB of the mm's
 * address space at once (hw_flush_tlb(): the shootdown IPIs are the hw
 * layer's); no lazy-TLB or generation tracking.
 */
#include "../../../mm/mm.h"

/*
 * arch/x86/mm/tlb.c flush_tlb_mm_range() (v6.18): a range of more than
 * tlb_single_page_flush_ceiling pages is flushed whole, since INVLPG per
 * page would cost more than refilling the TLB.
 */
static const u64 tlb_single_page_flush_ceiling = 33;

void flush_tlb_mm_range(struct mm_struct *mm, u64 start, u64 end)
{
	bool all = ((end - start) >> PAGE_SHIFT) > tlb_single_page_flush_ceiling;

	hw_flush_tlb(mm->mw->hw, mm->space, all ? 0 : start, all ? 0 : end, all);
}

void flush_tlb_range(struct vm_area_struct *vma, u64 start, u64 end)
{
	flush_tlb_mm_range(vma->vm_mm, start, end);
}

void flush_tlb_page(struct vm_area_struct *vma, u64 addr)
{
	flush_tlb_range(vma, addr, addr + PAGE_SIZE);
}

void flush_tlb_mm(struct mm_struct *mm)
{
	hw_flush_tlb(mm->mw->hw, mm->space, 0, 0, true);
}

/*
 * arch/x86/include/asm/tlbflush.h pte_flags_need_flush() (v6.6+) with
 * ignore_access, as pte_needs_flush() calls it.  flush_clean_writable=skip
 * is the seeds/004 proposal: clearing RW of a PTE whose D is 0 needs no
 * flush, because a write through the stale entry re-walks and faults.
 */
bool pte_needs_flush(struct mm_world *mw, pte_t oldpte, pte_t newpte)
{
	const u64 flush_on_clear = _PAGE_DIRTY | _PAGE_PRESENT | _PAGE_ACCESSED;
	const u64 software_flags = _PAGE_SOFTW1 | _PAGE_SOFTW2 | _PAGE_SOFTW3 |
				   _PAGE_SAVED_DIRTY;
	const u64 flush_on_change = _PAGE_RW | _PAGE_USER | _PAGE_PWT |
				    _PAGE_PCD | _PAGE_PSE | _PAGE_GLOBAL |
				    _PAGE_NX;
	u64 diff;

	if (!(oldpte.pte & _PAGE_PRESENT))
		return false;
	if (pte_pfn(oldpte) != pte_pfn(newpte))
		return true;
	diff = (oldpte.pte ^ newpte.pte) & ~software_flags & ~_PAGE_ACCESSED;
	if (variant(mw->cfg, flush_clean_writable) == flush_clean_writable__skip &&
	    (diff & _PAGE_RW) && !(newpte.pte & _PAGE_RW) &&
	    !(oldpte.pte & _PAGE_DIRTY))
		diff &= ~_PAGE_RW;
	if (diff & oldpte.pte & flush_on_clear)
		return true;
	return diff & flush_on_change;
}
