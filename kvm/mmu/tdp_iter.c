// SPDX-License-Identifier: GPL-2.0
/*
 * Models arch/x86/kvm/mmu/tdp_iter.c as of v6.18: the TDP iterator.  Each
 * SPTE is read with kvm_tdp_mmu_read_spte() (READ_ONCE, one scheduling
 * point), including the kernel's re-read of an upper entry before stepping
 * down through it and after stepping back up to it.
 *
 * tdp_iter_start() and the stepping functions are inline in tdp_iter.h.
 *
 * Cost: a walk of [start, end) reads each leaf SPTE of the range once, and
 * a handful of upper SPTEs per leaf table, so a range of N 4K leaves costs
 * about N + 4 * N / 512 reads.
 */
#include "tdp_iter.h"

/*
 * spte_to_child_pt(): the table a non-leaf SPTE points to, or NULL.  A
 * table already freed is a use-after-free: the walk runs under RCU only,
 * so the freeing side must have waited for it.
 */
u64 *spte_to_child_pt(struct kvm *kvm, gfn_t gfn, u64 spte, int level)
{
	u64 *pt;

	if (!is_shadow_present_pte(spte) || is_last_spte(spte, level))
		return NULL;
	pt = hw_pt_page(kvm->hw, spte_to_pfn(spte));
	if (!pt)
		exec_report(ORACLE_USE_AFTER_FREE,
			    "lockless walk of gfn %#llx reaches freed page table pfn %llu",
			    (unsigned long long)gfn,
			    (unsigned long long)spte_to_pfn(spte));
	return pt;
}

/*
 * Not the kernel's: a hint to the CPU running the model.  Leaf tables lie
 * wherever hw allocated them, so the CPU's own prefetchers, which stop at
 * a 4 KiB boundary, cannot run ahead from one to the next; a leaf run
 * (tdp_iter_leaf_run()) asks for the whole of the table the parent's next
 * entry links while it works through the current one.  The entry is read
 * with a plain peek (a prefetch address only, never a value the walk
 * uses, so no scheduling point), and nothing the model does depends on it.
 */
void tdp_iter_prefetch_next_table(struct kvm *kvm, u64 *parent, gfn_t gfn, int level)
{
	int pi = hw_index(gfn << PAGE_SHIFT, level + 1);
	u64 *next, e;

	if (pi + 1 >= PT64_ENT_PER_PAGE)
		return;
	e = parent[pi + 1];
	if (!is_shadow_present_pte(e) || is_last_spte(e, level + 1))
		return;
	next = hw_pt_page(kvm->hw, spte_to_pfn(e));
	for (int i = 0; next && i < PT64_ENT_PER_PAGE; i += 8)
		__builtin_prefetch(next + i);
}
