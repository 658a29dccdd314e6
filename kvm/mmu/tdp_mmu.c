// SPDX-License-Identifier: GPL-2.0
/*
 * Models arch/x86/kvm/mmu/tdp_mmu.c: the lockless walk, mapping a fault
 * (kvm_tdp_mmu_map, tdp_mmu_set_spte_atomic), zapping leaves for the
 * mmu_notifier (tdp_mmu_zap_leafs), aging (kvm_tdp_mmu_age_gfn_range /
 * kvm_tdp_mmu_age_spte, lockless since v6.15) and splitting a huge SPTE
 * (tdp_mmu_split_huge_page / tdp_mmu_link_sp).  Read as of v6.0 (the
 * stored copy), the v6.13/v6.15 patches for aging and v6.18 for the
 * aging walk.
 *
 * Every walk goes through tdp_iter, as the kernel's do.  Simplified: one
 * root, no yielding (tdp_mmu_iter_cond_resched), no frozen SPTEs (the
 * model never removes a table under mmu_lock held for read); huge pages
 * are 2 MiB only.
 */
#include "mmu_internal.h"
#include "tdp_iter.h"

/*
 * handle_changed_spte(): the folio marking part of tdp_mmu.c's
 * handle_changed_spte() up to v6.12 (handle_changed_spte_acc_track() and
 * __handle_changed_spte()'s kvm_set_pfn_dirty()): a leaf's A and D move
 * to the folio when the SPTE loses them.  The shadow MMU's
 * mmu_spte_update() and mmu_spte_clear_track_bits() did the same inline
 * and call it here.  Since v6.13 (kvm_folio_marking=fault) nothing is
 * transferred.  Simplified: the rest of handle_changed_spte() (freeing
 * child tables, the dirty log on a change) is done by its callers.
 */
void handle_changed_spte(struct kvm *kvm, u64 old_spte, u64 new_spte, bool zap)
{
	enum kvm_folio_marking_variant m = variant(kvm->cfg, kvm_folio_marking);
	bool gone = zap || !is_shadow_present_pte(new_spte);

	if (m == kvm_folio_marking__fault)
		return;
	if (is_accessed_spte(old_spte) &&
	    (m == kvm_folio_marking__leaf_zap ? zap :
						(gone || !is_accessed_spte(new_spte))))
		kvm_set_pfn_accessed(kvm, spte_to_pfn(old_spte));
	if (is_dirty_spte(old_spte) && (gone || !is_dirty_spte(new_spte)))
		kvm_set_pfn_dirty(kvm, spte_to_pfn(old_spte));
}

/*
 * kvm_tdp_mmu_fast_pf_get_last_sptep() / kvm_tdp_mmu_get_walk(): the
 * walk of [gfn, gfn + 1) down to the last entry for gfn, a leaf or the
 * first non-present entry.  Returns its pointer with *level and *spte as
 * last read, or NULL if a table on the way was freed (spte_to_child_pt()
 * reports the use-after-free).  The caller holds RCU or mmu_lock.
 */
u64 *kvm_tdp_mmu_walk(struct kvm *kvm, gfn_t gfn, int *level, u64 *spte)
{
	struct tdp_iter iter;
	u64 *sptep = NULL;

	for_each_tdp_pte(iter, kvm, gfn, gfn + 1) {
		sptep = iter.sptep;
		*spte = iter.old_spte;
		*level = iter.level;
	}
	if (sptep && is_shadow_present_pte(*spte) && !is_last_spte(*spte, *level))
		return NULL;	/* stopped above a freed table */
	return sptep;
}

/*
 * tdp_mmu_set_spte_atomic() [mmu_lock held for read]: cmpxchg from the
 * value the iterator last read; -EBUSY if the SPTE changed meanwhile,
 * with iter->old_spte refreshed to its new value.
 */
static int tdp_mmu_set_spte_atomic(struct kvm *kvm, struct tdp_iter *iter, u64 new_spte)
{
	EXEC_FN();
	lockdep_assert_held_read_rw(&kvm->mmu_lock);
	if (!try_cmpxchg64(iter->sptep, &iter->old_spte, new_spte))
		return -EBUSY;
	if (is_shadow_present_pte(iter->old_spte) &&
	    is_last_spte(iter->old_spte, iter->level))
		handle_changed_spte(kvm, iter->old_spte, new_spte, false);
	return 0;
}

/*
 * kvm_tdp_mmu_write_spte() (tdp_iter.h, v5.18+): with mmu_lock held for
 * write, an SPTE whose bits can change outside it is stored with xchg,
 * so the old value returned has them all; a plain store otherwise.
 * tdp_mmu_write_spte=write_once is the code before (B09): always a plain
 * store, and the old value is the one the walk read.
 */
static u64 kvm_tdp_mmu_write_spte(struct kvm *kvm, u64 *sptep, u64 old_spte, u64 new_spte,
				  int level)
{
	if (variant(kvm->cfg, tdp_mmu_write_spte) == tdp_mmu_write_spte__xchg_volatile &&
	    kvm_tdp_mmu_spte_need_atomic_write(kvm, old_spte, level))
		return xchg(sptep, new_spte);
	WRITE_ONCE(*sptep, new_spte);
	return old_spte;
}

/* tdp_mmu_iter_set_spte() -> tdp_mmu_set_spte() [mmu_lock held for write]. */
static void tdp_mmu_iter_set_spte(struct kvm *kvm, struct tdp_iter *iter, u64 new_spte)
{
	EXEC_FN();
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	iter->old_spte = kvm_tdp_mmu_write_spte(kvm, iter->sptep, iter->old_spte, new_spte,
						iter->level);
	if (is_shadow_present_pte(iter->old_spte) &&
	    is_last_spte(iter->old_spte, iter->level))
		handle_changed_spte(kvm, iter->old_spte, new_spte,
				    !is_shadow_present_pte(new_spte));
}

/*
 * tdp_mmu_link_sp() -> tdp_mmu_init_sp(): a new table under the
 * iterator's entry, which the caller found non-present.  Returns 0, or
 * -EBUSY / -ENOMEM with nothing linked.
 */
static int tdp_mmu_link_sp(struct kvm *kvm, struct tdp_iter *iter)
{
	u64 base = (iter->gfn << PAGE_SHIFT) & ~((1ULL << hw_level_shift(iter->level)) - 1);
	u64 child = hw_alloc_pt(kvm->hw, kvm->space, iter->level - 1, base);

	if (!child)
		return -ENOMEM;
	for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
		hw_pt_page(kvm->hw, child)[i] = SHADOW_NONPRESENT_VALUE;
	if (tdp_mmu_set_spte_atomic(kvm, iter, make_nonleaf_spte(child))) {
		hw_free_pt(kvm->hw, child);
		return -EBUSY;
	}
	return 0;
}

/*
 * tdp_mmu_split_huge_page() [mmu_lock held for read]: build a child table
 * that maps the same range with the huge SPTE's bits (make_small_spte),
 * then link it with tdp_mmu_set_spte_atomic(), replacing the huge leaf.
 * No TLB flush: a vCPU may still use the huge translation, which maps the
 * same pages.  Returns 0, or -EBUSY / -ENOMEM with nothing linked (after
 * -EBUSY iter->old_spte holds the SPTE's new value).
 * Simplified: 2M leaves only, the one huge size the model maps.
 */
static int tdp_mmu_split_huge_page(struct kvm *kvm, struct tdp_iter *iter)
{
	u64 child, *pt;

	if (MODEL_WARN_ON(iter->level != PG_LEVEL_2M))
		return -EINVAL;
	child = hw_alloc_pt(kvm->hw, kvm->space, iter->level - 1, iter->gfn << PAGE_SHIFT);
	if (!child)
		return -ENOMEM;
	pt = hw_pt_page(kvm->hw, child);
	/* tdp_mmu_init_child_sp(): the table is private until linked */
	for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
		pt[i] = (iter->old_spte & ~PT_PAGE_SIZE_MASK) + ((u64)i << PAGE_SHIFT);
	if (tdp_mmu_set_spte_atomic(kvm, iter, make_nonleaf_spte(child))) {
		hw_free_pt(kvm->hw, child);
		return -EBUSY;
	}
	return 0;
}

/*
 * tdp_mmu_map_handle_target_level(): install the leaf for the fault,
 * unless the SPTE already allows the access (a racing fault fixed it).
 */
static int tdp_mmu_map_handle_target_level(struct kvm_vcpu *vcpu,
					   struct kvm_memory_slot *slot,
					   struct tdp_iter *iter, kvm_pfn_t pfn,
					   bool map_writable, bool write)
{
	struct kvm *kvm = vcpu->kvm;
	u64 old_spte = iter->old_spte, new_spte;
	bool wrprot;

	if (is_shadow_present_pte(old_spte) &&
	    (write ? is_writable_pte(old_spte) : (old_spte & VMX_EPT_READABLE_MASK)))
		return RET_PF_SPURIOUS;
	new_spte = make_spte(vcpu, slot, iter->gfn, pfn, map_writable, &wrprot);
	if (new_spte == old_spte)
		return RET_PF_SPURIOUS;
	if (tdp_mmu_set_spte_atomic(kvm, iter, new_spte))
		return RET_PF_RETRY;
	if (is_shadow_present_pte(old_spte) &&
	    leaf_spte_change_needs_tlb_flush(old_spte, new_spte))
		kvm_flush_remote_tlbs(kvm);	/* kvm_flush_remote_tlbs_gfn() */
	if (wrprot && write)
		return RET_PF_WRITE_PROTECTED;
	return write && !map_writable ? RET_PF_EMULATE : RET_PF_FIXED;
}

/*
 * kvm_tdp_mmu_map() [mmu_lock held for read, under RCU]: walk towards the
 * gfn, linking a table where an entry is non-present and splitting a huge
 * leaf above the 4K goal (a dirty-logged slot, where
 * kvm_mmu_hugepage_adjust() caps the level).  A link that loses its
 * cmpxchg, or a walk that stops short of the goal, retries the fault.
 * Simplified: the model's faults always map 4K.
 */
int kvm_tdp_mmu_map(struct kvm_vcpu *vcpu, struct kvm_memory_slot *slot, gfn_t gfn,
		    kvm_pfn_t pfn, bool map_writable, bool write)
{
	EXEC_FN();
	struct kvm *kvm = vcpu->kvm;
	struct tdp_iter iter;
	int ret = RET_PF_RETRY;

	lockdep_assert_held_read_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for_each_tdp_pte(iter, kvm, gfn, gfn + 1) {
		int r;

		if (iter.level == PG_LEVEL_4K) {
			ret = tdp_mmu_map_handle_target_level(vcpu, slot, &iter, pfn,
							      map_writable, write);
			break;
		}
		if (is_shadow_present_pte(iter.old_spte) && !is_large_pte(iter.old_spte))
			continue;
		if (is_shadow_present_pte(iter.old_spte))
			r = tdp_mmu_split_huge_page(kvm, &iter);
		else
			r = tdp_mmu_link_sp(kvm, &iter);
		if (r)
			break;
	}
	rcu_read_unlock();
	return ret;
}

/*
 * kvm_tdp_mmu_unmap_gfn_range() -> tdp_mmu_zap_leafs() [mmu_lock held for
 * write]: every present leaf in [start, end) is set non-present
 * (tdp_mmu_iter_set_spte()).  Returns whether a flush is needed; the
 * caller flushes before dropping mmu_lock.  No table is freed.
 */
bool kvm_tdp_mmu_unmap_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end,
				 bool flush)
{
	EXEC_FN();
	struct tdp_iter iter;

	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for_each_tdp_pte_min_level(iter, kvm, PG_LEVEL_4K, start, end) {
		if (!is_shadow_present_pte(iter.old_spte) ||
		    !is_last_spte(iter.old_spte, iter.level))
			continue;
		tdp_mmu_iter_set_spte(kvm, &iter, SHADOW_NONPRESENT_VALUE);
		kvm->stat.spte_zapped++;
		flush = true;
	}
	rcu_read_unlock();
	return flush;
}

/*
 * kvm_tdp_mmu_age_spte(), v6.15+: age_clear=clear_bit is mainline's atomic
 * AND of the Accessed bit on whatever the entry has become
 * (tdp_mmu_clear_spte_bits_atomic); age_clear=cmpxchg (seeds/001, Yu Zhao)
 * only ages the leaf value the walk observed.  No TLB flush either way.
 * The variant is read once per walk by the caller (clear).
 */
static inline void kvm_tdp_mmu_age_spte(u64 *sptep, u64 old_spte, int level,
					gfn_t gfn, enum age_clear_variant clear)
{
	if (clear == age_clear__clear_bit) {
		u64 old = atomic64_fetch_and(~shadow_accessed_mask, sptep);

		MODEL_WARN_ON_ORACLE(ORACLE_WRONG_TARGET,
				     is_shadow_present_pte(old) &&
					     !is_last_spte(old, level),
				     "Accessed bit cleared in a non-leaf SPTE (gfn %#llx, level %d)",
				     (unsigned long long)gfn, level);
	} else {
		/* failure tolerated: "most likely young anyway" */
		cmpxchg64(sptep, old_spte, old_spte & ~shadow_accessed_mask);
	}
}

/*
 * The walk's body over a leaf run (tdp_iter_leaf_run(): direct mode, a
 * leaf table's entries as an array): the same present/Accessed tests and
 * the same kvm_tdp_mmu_age_spte() per SPTE.  Inlined for each clear
 * variant, so that the loop holds no test of either.
 */
static inline __attribute__((always_inline)) u64
age_leaf_run(u64 *run, int n, gfn_t gfn, enum age_clear_variant clear)
{
	u64 aged = 0;

	for (int i = 0; i < n; i++) {
		u64 spte = run[i];

		exec_assume_direct();

		if (!is_shadow_present_pte(spte) || !is_accessed_spte(spte))
			continue;
		aged++;
		kvm_tdp_mmu_age_spte(&run[i], spte, PG_LEVEL_4K, gfn + i, clear);
	}
	return aged;
}

/*
 * kvm_tdp_mmu_age_gfn_range() -> __kvm_tdp_mmu_age_gfn_range(), v6.18:
 * under RCU only, one pre-order walk of the range (tdp_root_for_each_leaf_pte)
 * that ages every young present leaf.  Cost: one read per leaf SPTE of the
 * range plus a few per leaf table (tdp_iter.c), one atomic per young leaf.
 * In direct mode each leaf table's part of the range is aged as a run.
 */
bool kvm_tdp_mmu_age_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end)
{
	EXEC_FN();
	struct tdp_iter iter;
	u64 aged = 0;	/* kvm->stat.age_young's share, added once */
	enum age_clear_variant clear = variant(kvm->cfg, age_clear);

	rcu_read_lock();
	tdp_root_for_each_leaf_pte(iter, kvm, start, end) {
		gfn_t gfn = iter.gfn;
		u64 *run;
		int n = tdp_iter_leaf_run(&iter, end, &run);

		if (n) {
			aged += clear == age_clear__clear_bit ?
				age_leaf_run(run, n, gfn, age_clear__clear_bit) :
				age_leaf_run(run, n, gfn, age_clear__cmpxchg);
			continue;
		}
		if (!is_accessed_spte(iter.old_spte))
			continue;
		aged++;
		kvm_tdp_mmu_age_spte(iter.sptep, iter.old_spte, iter.level,
				     iter.gfn, clear);
	}
	rcu_read_unlock();
	kvm->stat.age_young += aged;
	return aged != 0;
}

/*
 * Splits the huge SPTE mapping gfn, as eager page splitting does
 * (tdp_mmu_split_huge_pages_root(): a walk that stops at the 2M level,
 * shared mmu_lock).  -EBUSY if the SPTE changed under the cmpxchg.
 */
int kvm_tdp_mmu_split_huge_page(struct kvm *kvm, gfn_t gfn)
{
	EXEC_FN();
	struct tdp_iter iter;
	int ret = 0;

	read_lock(&kvm->mmu_lock);
	rcu_read_lock();
	for_each_tdp_pte_min_level(iter, kvm, PG_LEVEL_2M, gfn, gfn + 1) {
		if (iter.level != PG_LEVEL_2M || !is_shadow_present_pte(iter.old_spte) ||
		    !is_large_pte(iter.old_spte))
			continue;
		if (tdp_mmu_split_huge_page(kvm, &iter) == -EBUSY)
			ret = -EBUSY;
		break;
	}
	rcu_read_unlock();
	read_unlock(&kvm->mmu_lock);
	return ret;
}

/* Set-up only: map a 2 MiB leaf for gfn (the range must be aligned). */
int kvm_tdp_mmu_map_huge(struct kvm *kvm, gfn_t gfn, kvm_pfn_t pfn)
{
	u64 gpa = gfn << PAGE_SHIFT;
	u64 pt_pfn = kvm->hw->spaces[kvm->space].root_pfn;

	for (int level = PT64_ROOT_4LEVEL; level > PG_LEVEL_2M; level--) {
		u64 *pt = hw_pt_page(kvm->hw, pt_pfn);
		u64 *e = &pt[hw_index(gpa, level)];

		if (!is_shadow_present_pte(*e)) {
			u64 base = gpa & ~((1ULL << hw_level_shift(level)) - 1);
			u64 child = hw_alloc_pt(kvm->hw, kvm->space, level - 1, base);

			if (!child)
				return -ENOMEM;
			for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
				hw_pt_page(kvm->hw, child)[i] = SHADOW_NONPRESENT_VALUE;
			*e = make_nonleaf_spte(child);
		}
		pt_pfn = spte_to_pfn(*e);
	}
	bool wrprot;

	hw_pt_page(kvm->hw, pt_pfn)[hw_index(gpa, PG_LEVEL_2M)] =
		make_spte(NULL, NULL, gfn, pfn, true, &wrprot) | PT_PAGE_SIZE_MASK;
	return 0;
}

/* ---- dirty logging (v6.18, write-protect mode: no PML) ---- */


/*
 * kvm_tdp_mmu_wrprot_slot() -> wrprot_gfn_range() [mmu_lock held for
 * read]: clear W on every writable leaf at or above min_level, keeping
 * MMU-writable so fast page fault may restore it; -EBUSY from the cmpxchg
 * leaves the refreshed SPTE in the iterator and tries again.  Returns
 * whether any SPTE changed; the caller flushes.
 */
bool kvm_tdp_mmu_wrprot_slot(struct kvm *kvm, const struct kvm_memory_slot *slot,
			     int min_level)
{
	EXEC_FN();
	struct tdp_iter iter;
	bool spte_set = false;

	lockdep_assert_held_read_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for_each_tdp_pte_min_level(iter, kvm, min_level, slot->base_gfn,
				   slot->base_gfn + slot->npages) {
retry:
		if (!is_shadow_present_pte(iter.old_spte) ||
		    !is_last_spte(iter.old_spte, iter.level) ||
		    !is_writable_pte(iter.old_spte))
			continue;
		if (tdp_mmu_set_spte_atomic(kvm, &iter, iter.old_spte & ~PT_WRITABLE_MASK))
			goto retry;
		kvm->stat.dirty_wrprot++;
		spte_set = true;
	}
	rcu_read_unlock();
	return spte_set;
}

/*
 * kvm_tdp_mmu_clear_dirty_pt_masked() -> clear_dirty_pt_masked()
 * [mmu_lock held for write]: for each gfn of mask (bit i: gfn + i) with a
 * 4K leaf, clear W when wrprot (no PML) or else D, atomically if the CPU
 * or fast page fault may change the SPTE meanwhile
 * (tdp_mmu_clear_spte_bits()).  The walk covers the 64 gfns from the
 * mask's first bit and stops once the mask is used up.  The caller
 * flushes.
 */
void kvm_tdp_mmu_clear_dirty_pt_masked(struct kvm *kvm,
				       const struct kvm_memory_slot *slot,
				       gfn_t gfn, u64 mask, bool wrprot)
{
	EXEC_FN();
	u64 dbit = wrprot ? PT_WRITABLE_MASK : shadow_dirty_mask;
	struct tdp_iter iter;

	(void)slot;
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	if (!mask)
		return;
	rcu_read_lock();
	tdp_root_for_each_leaf_pte(iter, kvm, gfn + (gfn_t)__builtin_ctzll(mask), gfn + 64) {
		if (!mask)
			break;
		if (iter.level > PG_LEVEL_4K || !(mask & (1ULL << (iter.gfn - gfn))))
			continue;
		mask &= ~(1ULL << (iter.gfn - gfn));
		if (!(iter.old_spte & dbit))
			continue;
		/* tdp_mmu_clear_spte_bits(): an atomic AND where the write must be atomic */
		if (variant(kvm->cfg, tdp_mmu_write_spte) == tdp_mmu_write_spte__xchg_volatile &&
		    kvm_tdp_mmu_spte_need_atomic_write(kvm, iter.old_spte, iter.level))
			atomic64_fetch_and(~dbit, iter.sptep);
		else
			WRITE_ONCE(*iter.sptep, iter.old_spte & ~dbit);
		if (wrprot)
			kvm->stat.dirty_wrprot++;
	}
	rcu_read_unlock();
}
