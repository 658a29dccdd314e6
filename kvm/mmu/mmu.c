// SPDX-License-Identifier: GPL-2.0
/*
 * Models the parts of arch/x86/kvm/mmu/mmu.c that touch A/D state:
 * mmu_spte_update() and its "volatile bits" rule, spte_write_protect()
 * and kvm_mmu_slot_gfn_write_protect(), mmu_spte_clear_track_bits(),
 * fast_page_fault(), and the TDP page-fault path with the mmu_notifier
 * retry protocol (kvm_mmu_faultin_pfn, is_page_fault_stale,
 * kvm_release_faultin_page).  Read as of v6.8 (mmu_spte_update with
 * kvm_set_pfn_dirty) and v6.13+ (folio marking at fault completion); the
 * kvm_folio_marking variant selects which.
 *
 * Simplified: see kvm.h.  RET_PF_RETRY re-enters the guest, which faults
 * again; the model waits until no invalidation is in progress instead of
 * spinning (the spins have no side effects).
 */
#include "mmu_internal.h"

#include <stdio.h>

/* ---- folio marking (kvm_main.c up to v6.12; kvm_host.h since v6.13) ---- */

void kvm_set_pfn_dirty(struct kvm *kvm, kvm_pfn_t pfn)
{
	EXEC_FN();
	struct mm_world *mw = kvm->mm->mw;

	if (!hw_frame_is_data(kvm->hw, pfn))
		return;
	folio_mark_dirty(pfn_folio(mw, pfn));	/* SetPageDirty() */
}

void kvm_set_pfn_accessed(struct kvm *kvm, kvm_pfn_t pfn)
{
	struct mm_world *mw = kvm->mm->mw;

	if (!hw_frame_is_data(kvm->hw, pfn))
		return;
	folio_mark_accessed(pfn_folio(mw, pfn));
}


/*
 * kvm_tdp_mmu_spte_need_atomic_write() (tdp_iter.h): a present leaf whose
 * bits can change outside mmu_lock.
 */
bool kvm_tdp_mmu_spte_need_atomic_write(struct kvm *kvm, u64 old_spte, int level)
{
	return is_shadow_present_pte(old_spte) && is_last_spte(old_spte, level) &&
	       spte_has_volatile_bits(kvm, old_spte);
}


/*
 * mmu_spte_update() [mmu_lock held for write; the pfn must not change].
 * Returns whether remote TLBs need a flush.
 */
bool mmu_spte_update(struct kvm *kvm, u64 *sptep, u64 new_spte)
{
	EXEC_FN();
	u64 old_spte = READ_ONCE(*sptep);
	bool flush = false;

	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	if (!is_shadow_present_pte(old_spte)) {
		WRITE_ONCE(*sptep, new_spte);	/* mmu_spte_set() */
		return false;
	}
	if (!spte_has_volatile_bits(kvm, old_spte))
		WRITE_ONCE(*sptep, new_spte);	/* __update_clear_spte_fast() */
	else
		old_spte = xchg(sptep, new_spte); /* __update_clear_spte_slow() */
	MODEL_WARN_ON(spte_to_pfn(old_spte) != spte_to_pfn(new_spte));

	if (variant(kvm->cfg, kvm_folio_marking) == kvm_folio_marking__fault)
		return leaf_spte_change_needs_tlb_flush(old_spte, new_spte);
	if (is_mmu_writable_spte(old_spte) && !is_writable_pte(new_spte))
		flush = true;
	if (is_accessed_spte(old_spte) && !is_accessed_spte(new_spte))
		flush = true;
	if (is_dirty_spte(old_spte) && !is_dirty_spte(new_spte))
		flush = true;
	handle_changed_spte(kvm, old_spte, new_spte, false);
	return flush;
}

/* mmu_spte_clear_track_bits(): zap a leaf, xchg if it has volatile bits. */
u64 mmu_spte_clear_track_bits(struct kvm *kvm, u64 *sptep)
{
	EXEC_FN();
	u64 old_spte = READ_ONCE(*sptep);

	if (!is_shadow_present_pte(old_spte) || !spte_has_volatile_bits(kvm, old_spte))
		WRITE_ONCE(*sptep, SHADOW_NONPRESENT_VALUE);
	else
		old_spte = xchg(sptep, SHADOW_NONPRESENT_VALUE);
	if (is_shadow_present_pte(old_spte))
		handle_changed_spte(kvm, old_spte, SHADOW_NONPRESENT_VALUE, true);
	return old_spte;
}

/*
 * spte_write_protect(): pt_protect also clears MMU-writable, so fast page
 * fault may not restore W (write-tracking for shadow paging).
 */
static bool spte_write_protect(struct kvm *kvm, u64 *sptep, bool pt_protect)
{
	EXEC_FN();
	u64 spte = READ_ONCE(*sptep);

	if (!is_writable_pte(spte) && !(pt_protect && is_mmu_writable_spte(spte)))
		return false;
	if (pt_protect)
		spte &= ~shadow_mmu_writable_mask;
	spte &= ~PT_WRITABLE_MASK;
	return mmu_spte_update(kvm, sptep, spte);
}

/*
 * kvm_mmu_slot_gfn_write_protect() -> rmap_write_protect(): the rmap of a
 * gfn is reached here by walking the EPT to its leaf (see kvm.h).
 */
bool kvm_mmu_slot_gfn_write_protect(struct kvm *kvm, gfn_t gfn)
{
	EXEC_FN();
	int level;
	u64 spte;
	u64 *sptep;

	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);
	if (!sptep || !is_shadow_present_pte(spte) || !is_last_spte(spte, level))
		return false;
	return spte_write_protect(kvm, sptep, true);
}

/*
 * kvm_unmap_gfn_range()'s legacy half, kvm_handle_gfn_range(kvm_zap_rmap)
 * -> kvm_zap_all_rmap_sptes() [mmu_lock held for write]: every leaf of
 * [start, end) zapped with mmu_spte_clear_track_bits(), which stores
 * with xchg only when the SPTE has volatile bits (B10 is that rule
 * before fast page fault was accounted for, mmu_spte_update=racy).
 * Returns whether to flush.
 */
bool kvm_unmap_rmap_range(struct kvm *kvm, gfn_t start, gfn_t end, bool flush)
{
	EXEC_FN();
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	for (gfn_t gfn = start; gfn < end; gfn++) {
		int level;
		u64 spte, *sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);

		if (!sptep || !is_shadow_present_pte(spte) || !is_last_spte(spte, level))
			continue;
		mmu_spte_clear_track_bits(kvm, sptep);
		kvm->stat.spte_zapped++;
		flush = true;
	}
	return flush;
}

/*
 * kvm_mmu_slot_remove_write_access() (v6.18), TDP MMU only: the model has
 * no shadow pages, so no rmaps to walk (kvm_memslots_have_rmaps() false).
 * The caller flushes.
 */
void kvm_mmu_slot_remove_write_access(struct kvm *kvm,
				      const struct kvm_memory_slot *memslot,
				      int start_level)
{
	EXEC_FN();
	read_lock(&kvm->mmu_lock);
	kvm_tdp_mmu_wrprot_slot(kvm, memslot, start_level);
	read_unlock(&kvm->mmu_lock);
}

/*
 * kvm_arch_mmu_enable_log_dirty_pt_masked() (v6.18) without PML: re-arm
 * logging of the gfns in mask by write-protecting their 4K SPTEs
 * (kvm_mmu_write_protect_pt_masked() -> kvm_tdp_mmu_clear_dirty_pt_masked()
 * with wrprot).  Called with mmu_lock held for write; the caller flushes.
 */
void kvm_arch_mmu_enable_log_dirty_pt_masked(struct kvm *kvm,
					     const struct kvm_memory_slot *slot,
					     gfn_t gfn_offset, u64 mask)
{
	EXEC_FN();
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	kvm_tdp_mmu_clear_dirty_pt_masked(kvm, slot, slot->base_gfn + gfn_offset, mask, true);
}

void kvm_flush_remote_tlbs(struct kvm *kvm)
{
	EXEC_FN();
	kvm->stat.remote_tlb_flush++;
	hw_flush_tlb(kvm->hw, kvm->space, 0, 0, true);
}

/* ---- page faults ---- */

static bool is_access_allowed(struct kvm_page_fault *fault, u64 spte)
{
	if (fault->write)
		return is_writable_pte(spte);
	return spte & VMX_EPT_READABLE_MASK;
}

/* page_fault_can_be_fast(), AD bits enabled: only write-protection faults. */
static bool page_fault_can_be_fast(struct kvm_page_fault *fault)
{
	if (!fault->present)
		return false;
	return fault->write;
}

/*
 * fast_page_fault(): lockless (RCU) walk; restore W on an MMU-writable
 * SPTE with cmpxchg, which fails if any bit changed meanwhile.  No TLB
 * flush: only permissions are added.
 */
static int fast_page_fault(struct kvm_vcpu *vcpu, struct kvm_page_fault *fault)
{
	EXEC_FN();
	struct kvm *kvm = vcpu->kvm;
	int ret = RET_PF_INVALID;
	int retry_count = 0;
	u64 *sptep, spte, new_spte;
	int level;

	if (!page_fault_can_be_fast(fault))
		return ret;
	rcu_read_lock();	/* kvm_tdp_mmu_walk_lockless_begin() */
	do {
		sptep = kvm_tdp_mmu_walk(kvm, fault->gfn, &level, &spte);
		if (!sptep || !is_shadow_present_pte(spte))
			break;
		if (!is_last_spte(spte, level))
			break;
		if (is_access_allowed(fault, spte)) {
			ret = RET_PF_SPURIOUS;
			break;
		}
		new_spte = spte;
		if (fault->write && is_mmu_writable_spte(spte)) {
			new_spte |= PT_WRITABLE_MASK;
			/* a huge page in a logged slot is split by the slow path */
			if (level > PG_LEVEL_4K && fault->slot &&
			    (fault->slot->flags & KVM_MEM_LOG_DIRTY_PAGES))
				break;
		}
		if (new_spte == spte || !is_access_allowed(fault, new_spte))
			break;
		/*
		 * fast_pf_fix_direct_spte(): the gfn is logged when W is
		 * restored, which a write-protected (logged) page needs.
		 */
		if (try_cmpxchg64(sptep, &spte, new_spte)) {
			if (is_writable_pte(new_spte) && !is_writable_pte(spte))
				mark_page_dirty_in_slot(kvm, vcpu, fault->slot, fault->gfn);
			ret = RET_PF_FIXED;
			break;
		}
		if (++retry_count > 4)
			break;
	} while (true);
	rcu_read_unlock();
	return ret;
}

/* mmu_invalidate_retry_gfn() (kvm_host.h), mmu_lock held. */
static bool mmu_invalidate_retry_gfn(struct kvm *kvm, u64 mmu_seq, gfn_t gfn)
{
	if (READ_ONCE(kvm->mmu_invalidate_in_progress)) {
		gfn_t start = READ_ONCE(kvm->mmu_invalidate_range_start);
		gfn_t end = READ_ONCE(kvm->mmu_invalidate_range_end);

		if (gfn >= start && gfn < end)
			return true;
	}
	return READ_ONCE(kvm->mmu_invalidate_seq) != mmu_seq;
}

static u64 kvm_gfn_to_hva(struct kvm *kvm, gfn_t gfn)
{
	for (int i = 0; i < kvm->nr_slots; i++) {
		struct kvm_memory_slot *s = &kvm->slots[i];

		if (gfn >= s->base_gfn && gfn < s->base_gfn + s->npages)
			return s->userspace_addr + ((gfn - s->base_gfn) << PAGE_SHIFT);
	}
	return 0;
}


/*
 * kvm_release_faultin_page() (v6.13+): with mmu_lock held, the folio is
 * marked dirty if KVM could map it writable, because fast page fault may
 * later make the SPTE writable without mmu_lock; before v6.13 the fault
 * path released the page clean and dirtiness came from the SPTE D bit.
 */
static void kvm_release_faultin_page(struct kvm *kvm, kvm_pfn_t pfn, bool unused,
				     bool dirty)
{
	if (!hw_frame_is_data(kvm->hw, pfn))
		return;
	if (!unused) {
		if (variant(kvm->cfg, kvm_folio_marking) == kvm_folio_marking__fault &&
		    dirty)
			kvm_set_pfn_dirty(kvm, pfn);
		kvm_set_pfn_accessed(kvm, pfn);
	}
	folio_put(pfn_folio(kvm->mm->mw, pfn));	/* put_page() */
}

static int kvm_tdp_mmu_page_fault(struct kvm_vcpu *vcpu,
				  struct kvm_page_fault *fault)
{
	EXEC_FN();
	struct kvm *kvm = vcpu->kvm;
	u64 hva;
	int r;

	kvm->stat.pf_taken++;
	/*
	 * page_fault_handle_page_track(): a write to a present, write-tracked
	 * gfn is not fixed but emulated (no fast path, no mapping)
	 */
	if (fault->present && fault->write &&
	    kvm_gfn_is_write_tracked(kvm, fault->slot, fault->gfn))
		return RET_PF_WRITE_PROTECTED;
	r = fast_page_fault(vcpu, fault);
	if (r == RET_PF_FIXED)
		kvm->stat.pf_fast++;
	else if (r == RET_PF_SPURIOUS)
		kvm->stat.pf_spurious++;
	if (r != RET_PF_INVALID)
		return r;
	/*
	 * kvm_mmu_faultin_pfn(): a gfn no memslot holds is MMIO
	 * (kvm_handle_noslot_fault()); simplified: no MMIO SPTE is cached,
	 * each access is emulated.  Host memory that cannot be faulted in
	 * fails the fault (kvm_handle_error_pfn(): -EFAULT).
	 */
	if (!fault->slot) {
		exec_note("gfn %#llx: no memslot, emulated MMIO", (unsigned long long)fault->gfn);
		return RET_PF_EMULATE;
	}
	fault->mmu_seq = READ_ONCE(kvm->mmu_invalidate_seq);
	hva = kvm_gfn_to_hva(kvm, fault->gfn);
	if (hva)
		fault->pfn = get_user_page(kvm->mm, hva, fault->write, &fault->map_writable);
	if (!hva || !fault->pfn) {
		exec_note("gfn %#llx: hva %#llx cannot be faulted in: -EFAULT",
			  (unsigned long long)fault->gfn, (unsigned long long)hva);
		return -EFAULT;
	}
	read_lock(&kvm->mmu_lock);
	if (mmu_invalidate_retry_gfn(kvm, fault->mmu_seq, fault->gfn))
		r = RET_PF_RETRY;	/* is_page_fault_stale() */
	else
		r = kvm_tdp_mmu_map(vcpu, fault->slot, fault->gfn, fault->pfn,
				    fault->map_writable, fault->write);
	if (r == RET_PF_FIXED || r == RET_PF_EMULATE)
		kvm->stat.pf_fixed++;
	else if (r == RET_PF_SPURIOUS)
		kvm->stat.pf_spurious++;
	kvm_release_faultin_page(kvm, fault->pfn, r == RET_PF_RETRY,
				 fault->map_writable);
	read_unlock(&kvm->mmu_lock);
	return r;
}

/*
 * The emulator's write of a write-tracked gfn (x86_emulate_instruction()
 * -> emulator_write_phys() -> kvm_vcpu_write_guest()): __copy_to_user()
 * through the VMM's mapping of the memslot, on the vCPU thread's CPU,
 * then mark_page_dirty_in_slot().  Simplified: the page-track write
 * notifiers (kvm_page_track_write()) have no users in the model.
 */
static int kvm_emulate_write(struct kvm_vcpu *vcpu, struct kvm_memory_slot *slot, gfn_t gfn)
{
	EXEC_FN();
	struct kvm *kvm = vcpu->kvm;
	u64 hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);

	if (MODEL_WARN_ON(vcpu->host_tlb < 0))
		return -EFAULT;
	if (mm_user_access(kvm->mm, vcpu->host_tlb, hva, true))
		return -EFAULT;
	mark_page_dirty_in_slot(kvm, vcpu, slot, gfn);
	return 0;
}

static bool kvm_no_invalidation(struct exec_actor *a)
{
	const struct kvm *kvm = a->wait_arg;

	return kvm->mmu_invalidate_in_progress == 0;
}

int kvm_vcpu_access(struct kvm_vcpu *vcpu, gfn_t gfn, bool write)
{
	struct kvm *kvm = vcpu->kvm;
	struct hw_fault f;

	for (int tries = 0; tries < 64; tries++) {
		struct kvm_page_fault fault = {
			.gfn = gfn, .slot = gfn_to_memslot(kvm, gfn), .write = write
		};
		int r;

		/*
		 * vcpu_enter_guest() checks requests before entering: a ring
		 * the last fault left soft-full exits to userspace, and the
		 * access is retried after KVM_RESET_DIRTY_RINGS.
		 */
		if (kvm_dirty_ring_check_request(vcpu))
			return KVM_EXIT_DIRTY_RING_FULL;

		if (!hw_access(kvm->hw, vcpu->tlb, gfn << PAGE_SHIFT, write, &f))
			return 0;
		if (exec_engine && exec_engine->have_finding)
			return -EFAULT;
		fault.present = f.present;
		r = kvm_tdp_mmu_page_fault(vcpu, &fault);
		if (r < 0)
			return r;
		if (r == RET_PF_EMULATE && !fault.slot)
			return KVM_EXIT_MMIO;
		if (r == RET_PF_WRITE_PROTECTED)
			return kvm_emulate_write(vcpu, fault.slot, gfn);
		if (r == RET_PF_RETRY) {
			struct exec_foot ft = { .n = 1, .o = { {
				&kvm->mmu_invalidate_in_progress, ACC_R } } };

			exec_wait_until(kvm_no_invalidation, kvm, &ft);
		}
	}
	MODEL_WARN_ON(1);
	return -EFAULT;
}
