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
 * Simplified: aging walks the range with tdp_iter as the kernel does; the
 * other paths walk from the root per gfn with a loop over levels (each
 * entry is still read with READ_ONCE, as rcu_dereference + READ_ONCE do);
 * huge pages are 2 MiB only.
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
 * Walks from the root to the last entry for gfn: a leaf, or the first
 * non-present entry.  Returns its pointer with *level and *spte, or NULL
 * if a table on the way is gone (reported as use-after-free).
 */
u64 *kvm_tdp_mmu_walk(struct kvm *kvm, gfn_t gfn, int *level, u64 *spte)
{
	u64 pfn = kvm->hw->spaces[kvm->space].root_pfn;
	u64 gpa = gfn << PAGE_SHIFT;

	for (int l = PT64_ROOT_4LEVEL; l >= PG_LEVEL_4K; l--) {
		u64 *pt = hw_pt_page(kvm->hw, pfn);
		u64 *sptep;

		if (!pt) {
			exec_report(ORACLE_USE_AFTER_FREE,
				    "lockless walk of gfn %#llx reaches freed page table pfn %llu",
				    (unsigned long long)gfn, (unsigned long long)pfn);
			return NULL;
		}
		sptep = &pt[hw_index(gpa, l)];
		*spte = READ_ONCE(*sptep);
		*level = l;
		if (!is_shadow_present_pte(*spte) || is_last_spte(*spte, l))
			return sptep;
		pfn = spte_to_pfn(*spte);
	}
	return NULL;
}

/*
 * tdp_mmu_set_spte_atomic() [mmu_lock held for read]: cmpxchg from the
 * observed old value; -EBUSY if the SPTE changed meanwhile.
 */
static int tdp_mmu_set_spte_atomic(struct kvm *kvm, u64 *sptep, u64 *old_spte,
				   u64 new_spte)
{
	EXEC_FN();
	if (!try_cmpxchg64(sptep, old_spte, new_spte))
		return -EBUSY;
	if (is_shadow_present_pte(*old_spte) && is_last_spte(*old_spte, PG_LEVEL_4K))
		handle_changed_spte(kvm, *old_spte, new_spte, false);
	return 0;
}



/*
 * tdp_mmu_split_huge_page() [mmu_lock held for read]: build a child table
 * that maps the same range with the huge SPTE's bits (make_small_spte),
 * then link it with tdp_mmu_set_spte_atomic(), replacing the huge leaf.
 * No TLB flush: a vCPU may still use the huge translation, which maps the
 * same pages.  Returns the child's pfn; 0 when no table could be had or
 * the SPTE changed under the cmpxchg (*old_spte then holds its new value).
 * Simplified: 2M leaves only, the one huge size the model maps.
 */
static u64 tdp_mmu_split_huge_page(struct kvm *kvm, u64 *sptep, u64 *old_spte,
				   int level, gfn_t gfn)
{
	u64 child, *pt;

	if (MODEL_WARN_ON(level != PG_LEVEL_2M))
		return 0;
	child = hw_alloc_pt(kvm->hw, kvm->space, level - 1,
			    (gfn << PAGE_SHIFT) & ~((1ULL << hw_level_shift(level)) - 1));
	if (!child)
		return 0;
	pt = hw_pt_page(kvm->hw, child);
	/* tdp_mmu_init_child_sp(): the table is private until linked */
	for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
		pt[i] = (*old_spte & ~PT_PAGE_SIZE_MASK) + ((u64)i << PAGE_SHIFT);
	if (tdp_mmu_set_spte_atomic(kvm, sptep, old_spte, make_nonleaf_spte(child))) {
		hw_free_pt(kvm->hw, child);
		return 0;
	}
	return child;
}

/* kvm_tdp_mmu_map() [mmu_lock held for read, under RCU]. */
int kvm_tdp_mmu_map(struct kvm_vcpu *vcpu, struct kvm_memory_slot *slot, gfn_t gfn,
		    kvm_pfn_t pfn, bool map_writable, bool write)
{
	EXEC_FN();
	struct kvm *kvm = vcpu->kvm;
	u64 gpa = gfn << PAGE_SHIFT;
	u64 pt_pfn = kvm->hw->spaces[kvm->space].root_pfn;
	int ret = RET_PF_RETRY;

	lockdep_assert_held_read_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for (int level = PT64_ROOT_4LEVEL; level >= PG_LEVEL_4K; level--) {
		u64 *pt = hw_pt_page(kvm->hw, pt_pfn);
		u64 *sptep, old_spte, new_spte;

		if (!pt)
			break;
		sptep = &pt[hw_index(gpa, level)];
		old_spte = READ_ONCE(*sptep);
		if (level == PG_LEVEL_4K) {
			/* tdp_mmu_map_handle_target_level() */
			if (is_shadow_present_pte(old_spte) &&
			    (write ? is_writable_pte(old_spte) :
				     (old_spte & VMX_EPT_READABLE_MASK))) {
				ret = RET_PF_SPURIOUS;
				break;
			}
			new_spte = make_spte(vcpu, slot, gfn, pfn, map_writable);
			if (new_spte == old_spte) {
				ret = RET_PF_SPURIOUS;
				break;
			}
			if (tdp_mmu_set_spte_atomic(kvm, sptep, &old_spte, new_spte))
				break;
			if (is_shadow_present_pte(old_spte) &&
			    leaf_spte_change_needs_tlb_flush(old_spte, new_spte))
				kvm_flush_remote_tlbs(kvm);
			ret = write && !map_writable ? RET_PF_EMULATE : RET_PF_FIXED;
			break;
		}
		if (is_shadow_present_pte(old_spte) && !is_large_pte(old_spte)) {
			pt_pfn = spte_to_pfn(old_spte);
			continue;
		}
		/*
		 * A huge leaf above the 4K goal (a dirty-logged slot, where
		 * kvm_mmu_hugepage_adjust() caps the level) is split in place.
		 * Simplified: the model's faults always map 4K.
		 */
		if (is_shadow_present_pte(old_spte)) {
			pt_pfn = tdp_mmu_split_huge_page(kvm, sptep, &old_spte, level, gfn);
			if (!pt_pfn)
				break;
			continue;
		}
		/* tdp_mmu_alloc_sp() + tdp_mmu_link_sp() */
		{
			u64 base = gpa & ~((1ULL << hw_level_shift(level)) - 1);
			u64 child = hw_alloc_pt(kvm->hw, kvm->space, level - 1, base);

			if (!child)
				break;
			for (int i = 0; i < PT64_ENT_PER_PAGE; i++)
				hw_pt_page(kvm->hw, child)[i] = SHADOW_NONPRESENT_VALUE;
			if (tdp_mmu_set_spte_atomic(kvm, sptep, &old_spte,
						    make_nonleaf_spte(child))) {
				hw_free_pt(kvm->hw, child);
				break;
			}
			pt_pfn = child;
		}
	}
	rcu_read_unlock();
	return ret;
}

/*
 * tdp_mmu_zap_leafs() [mmu_lock held for write]: every present leaf in
 * [start, end) is set non-present; the old value comes from xchg when
 * the SPTE has volatile bits (kvm_tdp_mmu_write_spte).  Returns whether a
 * flush is needed; the caller flushes before dropping mmu_lock.
 */
bool kvm_tdp_mmu_unmap_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end,
				 bool flush)
{
	EXEC_FN();
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for (gfn_t gfn = start; gfn < end;) {
		int level;
		u64 spte, old;
		u64 *sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);
		gfn_t next = (gfn | (hw_level_pages(sptep ? level : 1) - 1)) + 1;

		if (sptep && is_shadow_present_pte(spte) && is_last_spte(spte, level)) {
			old = xchg(sptep, SHADOW_NONPRESENT_VALUE);
			kvm->stat.spte_zapped++;
			handle_changed_spte(kvm, old, SHADOW_NONPRESENT_VALUE, true);
			flush = true;
		}
		gfn = next;
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

/* Splits the huge SPTE mapping gfn, as eager page splitting does. */
int kvm_tdp_mmu_split_huge_page(struct kvm *kvm, gfn_t gfn)
{
	EXEC_FN();
	int level, ret = 0;
	u64 spte, *sptep;

	read_lock(&kvm->mmu_lock);
	rcu_read_lock();
	sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);
	if (sptep && level == PG_LEVEL_2M && is_shadow_present_pte(spte) && is_large_pte(spte) &&
	    !tdp_mmu_split_huge_page(kvm, sptep, &spte, level, gfn))
		ret = -EBUSY;
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
	hw_pt_page(kvm->hw, pt_pfn)[hw_index(gpa, PG_LEVEL_2M)] =
		make_spte(NULL, NULL, gfn, pfn, true) | PT_PAGE_SIZE_MASK;
	return 0;
}

/* ---- dirty logging (v6.18, write-protect mode: no PML) ---- */


/*
 * kvm_tdp_mmu_wrprot_slot() -> wrprot_gfn_range() [mmu_lock held for
 * read]: clear W on every writable leaf at or above min_level, keeping
 * MMU-writable so fast page fault may restore it; -EBUSY from the cmpxchg
 * re-reads the SPTE and tries again.  Returns whether any SPTE changed;
 * the caller flushes.  Bound: one walk per gfn of the slot, plus a retry
 * per concurrent change.
 */
bool kvm_tdp_mmu_wrprot_slot(struct kvm *kvm, const struct kvm_memory_slot *slot,
			     int min_level)
{
	EXEC_FN();
	gfn_t start = slot->base_gfn, end = slot->base_gfn + slot->npages;
	bool spte_set = false;

	lockdep_assert_held_read_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for (gfn_t gfn = start; gfn < end;) {
		int level;
		u64 spte;
		u64 *sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);
		gfn_t next = (gfn | (hw_level_pages(sptep ? level : 1) - 1)) + 1;

		while (sptep && is_shadow_present_pte(spte) && is_last_spte(spte, level) &&
		       level >= min_level && is_writable_pte(spte)) {
			if (!tdp_mmu_set_spte_atomic(kvm, sptep, &spte, spte & ~PT_WRITABLE_MASK)) {
				kvm->stat.dirty_wrprot++;
				spte_set = true;
				break;
			}
		}
		gfn = next;
	}
	rcu_read_unlock();
	return spte_set;
}

/*
 * kvm_tdp_mmu_clear_dirty_pt_masked() -> clear_dirty_pt_masked()
 * [mmu_lock held for write]: for each gfn of mask (bit i: gfn + i) with a
 * 4K leaf, clear W when wrprot (no PML) or else D, atomically if the CPU
 * or fast page fault may change the SPTE meanwhile
 * (tdp_mmu_clear_spte_bits()).  The caller flushes.
 */
void kvm_tdp_mmu_clear_dirty_pt_masked(struct kvm *kvm,
				       const struct kvm_memory_slot *slot,
				       gfn_t gfn, u64 mask, bool wrprot)
{
	EXEC_FN();
	u64 dbit = wrprot ? PT_WRITABLE_MASK : shadow_dirty_mask;

	(void)slot;
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	rcu_read_lock();
	for (int i = 0; i < 64 && mask; i++) {
		int level;
		u64 spte;
		u64 *sptep;

		if (!(mask & (1ULL << i)))
			continue;
		mask &= ~(1ULL << i);
		sptep = kvm_tdp_mmu_walk(kvm, gfn + (gfn_t)i, &level, &spte);
		if (!sptep || !is_shadow_present_pte(spte) || !is_last_spte(spte, level) ||
		    level > PG_LEVEL_4K)
			continue;
		if (!(spte & dbit))
			continue;
		if (kvm_tdp_mmu_spte_need_atomic_write(kvm, spte, level))
			atomic64_fetch_and(~dbit, sptep);
		else
			WRITE_ONCE(*sptep, spte & ~dbit);
		if (wrprot)
			kvm->stat.dirty_wrprot++;
	}
	rcu_read_unlock();
}
