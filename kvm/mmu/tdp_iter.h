/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Models arch/x86/kvm/mmu/tdp_iter.h as of v6.18: a pre-order walk of the
 * TDP paging structure over a gfn range that reads each entry it visits
 * once (plus the kernel's re-reads on the way down and up), so a range
 * walk touches each leaf table once instead of walking from the root for
 * every gfn.
 *
 * Simplified: one root (the VM's only valid one); no yielding, so no
 * yielded/yielded_gfn and no tdp_iter_restart() after a yield.  Two of the
 * kernel's reads are left out because their value is never used, and
 * under the explorer every read is a scheduling point: the re-read of a
 * parent entry on the way back up (the side step that always follows
 * overwrites it) and the read of the first entry past the range's end
 * (the loop test drops it); the walk ends there instead.
 */
#ifndef ADSIM_KVM_TDP_ITER_H
#define ADSIM_KVM_TDP_ITER_H

#include "../kvm.h"

struct tdp_iter {
	/* the gfn whose translation the walk heads for next */
	gfn_t next_last_level_gfn;
	gfn_t end;		/* the walk's range ends here (see above) */
	/* the page table at each level of the current path (index level - 1) */
	u64 *pt_path[PT64_ROOT_4LEVEL];
	u64 *sptep;		/* the current SPTE */
	gfn_t gfn;		/* the lowest gfn the current SPTE maps */
	int root_level;
	int min_level;		/* the walk never steps below this level */
	int level;		/* the level of the current SPTE */
	u64 old_spte;		/* the current SPTE as last read (READ_ONCE) */
	/* false once the walk has stepped past the root table's last entry */
	bool valid;
	struct kvm *kvm;	/* where the page tables live (hw frames) */
};

u64 *spte_to_child_pt(struct kvm *kvm, gfn_t gfn, u64 spte, int level);
void tdp_iter_prefetch_next_table(struct kvm *kvm, u64 *parent, gfn_t gfn, int level);

/*
 * The stepping functions of tdp_iter.c, inline so that a range walk
 * compiles to one loop: per leaf, a side step is a few instructions and
 * one READ_ONCE.
 */
static inline gfn_t gfn_round_for_level(gfn_t gfn, int level)
{
	return gfn & ~(hw_level_pages(level) - 1);
}

/* The SPTE for iter->gfn at iter->level, re-read. */
static inline void tdp_iter_refresh_sptep(struct tdp_iter *iter)
{
	iter->sptep = iter->pt_path[iter->level - 1] +
		      hw_index(iter->gfn << PAGE_SHIFT, iter->level);
	iter->old_spte = READ_ONCE(*iter->sptep);
}

/* One level down towards next_last_level_gfn; false at min_level or a leaf. */
static inline bool try_step_down(struct tdp_iter *iter)
{
	u64 *child_pt;

	if (iter->level == iter->min_level)
		return false;
	/* re-read: the entry may no longer link the table seen before */
	iter->old_spte = READ_ONCE(*iter->sptep);
	child_pt = spte_to_child_pt(iter->kvm, iter->gfn, iter->old_spte, iter->level);
	if (!child_pt)
		return false;
	iter->level--;
	iter->pt_path[iter->level - 1] = child_pt;
	iter->gfn = gfn_round_for_level(iter->next_last_level_gfn, iter->level);
	tdp_iter_refresh_sptep(iter);
	return true;
}

/*
 * The next entry of the same table; false at the table's last entry.
 * level is iter->level: try_step_side() passes the constant PG_LEVEL_4K
 * when the iterator is in a leaf table, where nearly every step is taken,
 * so that the index and the gfn step compile to constants there.
 */
static inline bool __try_step_side(struct tdp_iter *iter, int level)
{
	int index = hw_index(iter->gfn << PAGE_SHIFT, level);

	if (index == PT64_ENT_PER_PAGE - 1)
		return false;
	iter->gfn += hw_level_pages(level);
	iter->next_last_level_gfn = iter->gfn;
	iter->sptep++;
	iter->old_spte = READ_ONCE(*iter->sptep);
	return true;
}

static inline bool try_step_side(struct tdp_iter *iter)
{
	if (__builtin_expect(iter->level == PG_LEVEL_4K, 1))
		return __try_step_side(iter, PG_LEVEL_4K);
	return __try_step_side(iter, iter->level);
}

/*
 * Back to the parent entry (already visited); false in the root table.
 * The kernel re-reads the entry here; see the header for why the model
 * does not.
 */
static inline bool try_step_up(struct tdp_iter *iter)
{
	if (iter->level == iter->root_level)
		return false;
	iter->level++;
	iter->gfn = gfn_round_for_level(iter->gfn, iter->level);
	iter->sptep = iter->pt_path[iter->level - 1] +
		      hw_index(iter->gfn << PAGE_SHIFT, iter->level);
	return true;
}

/*
 * tdp_iter_start() with tdp_iter_restart(): the root table's entry for
 * next_last_level_gfn.  Inline, as the stepping functions, so that the
 * iterator of a range walk lives in registers.
 */
static inline void tdp_iter_start(struct tdp_iter *iter, struct kvm *kvm,
				  int min_level, gfn_t next_last_level_gfn, gfn_t end)
{
	u64 root_pfn = kvm->hw->spaces[kvm->space].root_pfn;

	iter->kvm = kvm;
	iter->next_last_level_gfn = next_last_level_gfn;
	iter->end = end;
	iter->root_level = PT64_ROOT_4LEVEL;
	iter->min_level = min_level;
	iter->pt_path[iter->root_level - 1] = hw_pt_page(kvm->hw, root_pfn);
	/* tdp_iter_restart() */
	iter->level = iter->root_level;
	iter->gfn = gfn_round_for_level(next_last_level_gfn, iter->level);
	iter->valid = iter->pt_path[iter->root_level - 1] != NULL;
	if (iter->valid)
		tdp_iter_refresh_sptep(iter);
}

/*
 * Not the kernel's: the rest of the leaf table the iterator is in, from
 * the current SPTE up to the last one below end, as an array.  Direct mode
 * only (sim, benches): with no explorer nothing can run between two reads,
 * so a caller that applies its per-SPTE body to each entry of the array
 * in order reads, tests and writes every SPTE as stepping the iterator
 * over them would, with a fraction of the instructions per entry.  The
 * iterator is left on the last entry of the run (iter->old_spte not
 * refreshed), so the walk goes on after it.  Returns the entry count; 0
 * under the explorer, where each READ_ONCE is a scheduling point, and
 * outside a leaf table.
 */
static inline int tdp_iter_leaf_run(struct tdp_iter *iter, gfn_t end, u64 **run)
{
	int index, n;

	if (exec_engine || iter->level != PG_LEVEL_4K)
		return 0;
	index = hw_index(iter->gfn << PAGE_SHIFT, PG_LEVEL_4K);
	n = PT64_ENT_PER_PAGE - index;
	if (end - iter->gfn < (gfn_t)n)
		n = (int)(end - iter->gfn);
	else if (iter->level < iter->root_level)
		tdp_iter_prefetch_next_table(iter->kvm, iter->pt_path[iter->level],
					     iter->gfn, iter->level);
	*run = iter->sptep;
	iter->gfn += n - 1;
	iter->next_last_level_gfn = iter->gfn;
	iter->sptep += n - 1;
	return n;
}

/*
 * The next SPTE in pre-order: down through a non-leaf entry, else the next
 * entry of the table, else up (and then sideways) until an entry remains.
 * Past the current entry the next one maps gfn + its size, whichever
 * table it is in: at or past end the walk is over.
 */
static inline void tdp_iter_next(struct tdp_iter *iter)
{
	if (try_step_down(iter))
		return;
	if (iter->gfn + hw_level_pages(iter->level) >= iter->end) {
		iter->valid = false;
		return;
	}
	do {
		if (try_step_side(iter))
			return;
	} while (try_step_up(iter));
	iter->valid = false;
}

/* Every SPTE that maps part of [start, end), in pre-order, down to min_level. */
#define for_each_tdp_pte_min_level(iter, kvm, min_level, start, end)      \
	for (tdp_iter_start(&(iter), (kvm), (min_level), (start), (end)); \
	     (iter).valid && (iter).gfn < (end);                           \
	     tdp_iter_next(&(iter)))

#define for_each_tdp_pte(iter, kvm, start, end) \
	for_each_tdp_pte_min_level(iter, kvm, PG_LEVEL_4K, start, end)

/* tdp_mmu.c's tdp_root_for_each_leaf_pte(): present leaf SPTEs only. */
#define tdp_root_for_each_leaf_pte(iter, kvm, start, end)                 \
	for_each_tdp_pte(iter, kvm, start, end)                            \
		if (!is_shadow_present_pte((iter).old_spte) ||             \
		    !is_last_spte((iter).old_spte, (iter).level))          \
			continue;                                          \
		else

#endif
