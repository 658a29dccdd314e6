/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Models arch/x86/kvm/mmu/spte.h for EPT with A/D bits enabled.
 *
 * SPTE software bits (spte.h v6.13+; EPT masks of kvm_mmu_set_ept_masks()):
 *   bit 11  SPTE_MMU_PRESENT_MASK  "shadow-present", set on every SPTE KVM
 *           installs, including access-tracked ones
 *   bit 57  EPT_SPTE_HOST_WRITABLE the host mapping allows writes
 *   bit 58  EPT_SPTE_MMU_WRITABLE  KVM may make it writable: fast page
 *           fault can set W without mmu_lock
 *   bit 63  SHADOW_NONPRESENT_VALUE (a zapped SPTE)
 * Invariants (check_spte_writable_invariants): W => MMU-writable =>
 * Host-writable.
 */
#ifndef ADSIM_KVM_SPTE_H
#define ADSIM_KVM_SPTE_H

#include "../../hw/pgtable_types.h"

#define SPTE_MMU_PRESENT_MASK BIT_ULL(11)
#define EPT_SPTE_HOST_WRITABLE BIT_ULL(57)
#define EPT_SPTE_MMU_WRITABLE BIT_ULL(58)
#define SHADOW_NONPRESENT_VALUE BIT_ULL(63)
#define PT_WRITABLE_MASK VMX_EPT_WRITABLE_MASK
#define shadow_accessed_mask VMX_EPT_ACCESS_BIT
#define shadow_dirty_mask VMX_EPT_DIRTY_BIT
#define shadow_host_writable_mask EPT_SPTE_HOST_WRITABLE
#define shadow_mmu_writable_mask EPT_SPTE_MMU_WRITABLE
#define SPTE_BASE_ADDR_MASK PTE_PFN_MASK

static inline bool is_shadow_present_pte(u64 spte)
{
	return spte & SPTE_MMU_PRESENT_MASK;
}

static inline bool is_large_pte(u64 spte)
{
	return spte & PT_PAGE_SIZE_MASK;
}

static inline bool is_last_spte(u64 spte, int level)
{
	return level == PG_LEVEL_4K || is_large_pte(spte);
}

static inline bool is_writable_pte(u64 spte)
{
	return spte & PT_WRITABLE_MASK;
}

static inline bool is_mmu_writable_spte(u64 spte)
{
	return spte & shadow_mmu_writable_mask;
}

static inline bool is_accessed_spte(u64 spte)
{
	return spte & shadow_accessed_mask;
}

/* Until v6.12 (AD-enabled): the D bit.  Removed in v6.13. */
static inline bool is_dirty_spte(u64 spte)
{
	return spte & shadow_dirty_mask;
}

static inline kvm_pfn_t spte_to_pfn(u64 spte)
{
	return (spte & SPTE_BASE_ADDR_MASK) >> PAGE_SHIFT;
}

static inline u64 *spte_to_child_pt_pfn_unused(void) { return 0; }

/* leaf_spte_change_needs_tlb_flush() (v6.13+). */
static inline bool leaf_spte_change_needs_tlb_flush(u64 old_spte, u64 new_spte)
{
	return is_mmu_writable_spte(old_spte) && !is_mmu_writable_spte(new_spte);
}

/* make_nonleaf_spte(): a present, writable link to a child table. */
static inline u64 make_nonleaf_spte(u64 child_pfn)
{
	return (child_pfn << PAGE_SHIFT) | SPTE_MMU_PRESENT_MASK |
	       VMX_EPT_RWX_MASK | shadow_accessed_mask;
}

#endif
