// SPDX-License-Identifier: GPL-2.0
/*
 * Models the parts of arch/x86/kvm/mmu/spte.c that decide an SPTE's A/D
 * and W bits: make_spte() and spte_has_volatile_bits(), as of v6.18
 * (spte_has_volatile_bits() as of v6.8, with its racy predecessor as the
 * mmu_spte_update variant).  Simplified: EPT with A/D bits only (no
 * access-tracking SPTEs), 4 KiB and 2 MiB leaves.
 */
#include "mmu_internal.h"

/*
 * spte_has_volatile_bits() (spte.c, v6.8): an SPTE whose W, A or D can be
 * changed outside mmu_lock must be updated with xchg().  The racy variant
 * is the rule from before fast page fault existed: it misses that an
 * MMU-writable read-only SPTE can become writable (and then dirty)
 * locklessly (locking.rst "Dirty bit tracking").
 */
bool spte_has_volatile_bits(struct kvm *kvm, u64 spte)
{
	if (variant(kvm->cfg, mmu_spte_update) == mmu_spte_update__fixed &&
	    !is_writable_pte(spte) && is_mmu_writable_spte(spte))
		return true;
	if (!is_accessed_spte(spte) || (is_writable_pte(spte) && !is_dirty_spte(spte)))
		return true;
	return false;
}

/*
 * make_spte(): A pre-set on a real fault; a writable SPTE is born dirty,
 * a write-tracked gfn's is read-only (*wrprot),
 * and in a dirty-logged slot its gfn is logged (spte.c, v6.18: before the
 * SPTE is installed, so a lost cmpxchg logs a gfn it did not map).
 * vcpu and slot are NULL for set-up mappings.
 */
u64 make_spte(struct kvm_vcpu *vcpu, const struct kvm_memory_slot *slot,
		     gfn_t gfn, kvm_pfn_t pfn, bool host_writable, bool *wrprot)
{
	u64 spte = SPTE_MMU_PRESENT_MASK | VMX_EPT_READABLE_MASK |
		   VMX_EPT_EXECUTABLE_MASK | VMX_EPT_MT_WB | shadow_accessed_mask;

	spte |= pfn << PAGE_SHIFT;
	/*
	 * mmu_try_to_unsync_pages(): a write-tracked gfn may not be mapped
	 * writable (-EPERM), nor MMU-writable, so that fast page fault cannot
	 * make it writable either.
	 */
	*wrprot = vcpu && kvm_gfn_is_write_tracked(vcpu->kvm, slot, gfn);
	if (host_writable)
		spte |= shadow_host_writable_mask;
	if (host_writable && !*wrprot)
		spte |= PT_WRITABLE_MASK | shadow_mmu_writable_mask | shadow_dirty_mask;
	if ((spte & PT_WRITABLE_MASK) && slot && (slot->flags & KVM_MEM_LOG_DIRTY_PAGES))
		mark_page_dirty_in_slot(vcpu->kvm, vcpu, slot, gfn);
	return spte;
}
