/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kvm: the secondary MMU.  One VM with one TDP (EPT) root, memslots backed
 * by an mm's VMAs, vCPUs with their own TLBs, mmu_lock, the mmu_notifier
 * invalidation protocol and the folio-marking policies.
 *
 * Simplified: a single valid root (no root list, no invalid roots); the
 * legacy shadow MMU's rmap for a gfn is a walk of the same EPT table (the
 * "rmap" functions of mmu.c operate on that SPTE); guest paging is off, so
 * a vCPU accesses guest-physical addresses directly; AD bits are enabled
 * (no access-tracked SPTEs), no PML.
 */
#ifndef ADSIM_KVM_KVM_H
#define ADSIM_KVM_KVM_H

#include "../exec/exec.h"
#include "../hw/hw.h"
#include "../mm/mm.h"
#include "../variant/variant.h"
#include "mmu/spte.h"

#define KVM_MAX_SLOTS 4
#define KVM_MAX_VCPUS 8

struct kvm_memory_slot {
	gfn_t base_gfn;
	u64 npages;
	u64 userspace_addr;
};

/*
 * The VM's statistics (struct kvm_vm_stat / kvm_vcpu_stat names): what
 * sim reports of the secondary MMU.
 */
struct kvm_stat {
	u64 pf_taken;		/* EPT violations handled */
	u64 pf_fast;		/* of which fixed by fast_page_fault() */
	u64 pf_fixed;		/* SPTEs installed by the slow path */
	u64 pf_spurious;
	u64 spte_zapped;	/* leaf SPTEs zapped */
	u64 remote_tlb_flush;
	u64 age_young;		/* young SPTEs aged */
};

struct kvm {
	const struct variant_cfg *cfg;
	struct kvm_stat stat;
	struct hw *hw;
	struct mm_struct *mm;
	int space;			/* the EPT address space */
	rwlock_t mmu_lock;
	u64 mmu_invalidate_seq;
	s64 mmu_invalidate_in_progress;
	gfn_t mmu_invalidate_range_start, mmu_invalidate_range_end;
	struct mmu_notifier mmu_notifier;
	struct kvm_memory_slot slots[KVM_MAX_SLOTS];
	int nr_slots;
	char name[16];
};

struct kvm_vcpu {
	struct kvm *kvm;
	int tlb;
	int id;
};

struct arena;
int kvm_create_vm(struct kvm *kvm, struct hw *hw, struct mm_struct *mm,
		  const struct variant_cfg *cfg, const char *name);
int kvm_set_memory_region(struct kvm *kvm, gfn_t base_gfn, u64 npages,
			  u64 userspace_addr);

/* A guest access of the vCPU: EPT violations are handled and retried. */
int kvm_vcpu_access(struct kvm_vcpu *vcpu, gfn_t gfn, bool write);

/* mmu.c */
bool mmu_spte_update(struct kvm *kvm, u64 *sptep, u64 new_spte);
u64 mmu_spte_clear_track_bits(struct kvm *kvm, u64 *sptep);
bool kvm_mmu_slot_gfn_write_protect(struct kvm *kvm, gfn_t gfn);
void kvm_flush_remote_tlbs(struct kvm *kvm);
void kvm_set_pfn_dirty(struct kvm *kvm, kvm_pfn_t pfn);
void kvm_set_pfn_accessed(struct kvm *kvm, kvm_pfn_t pfn);

/* tdp_mmu.c */
bool kvm_tdp_mmu_unmap_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end,
				 bool flush);
bool kvm_tdp_mmu_age_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end);
int kvm_tdp_mmu_split_huge_page(struct kvm *kvm, gfn_t gfn);
int kvm_tdp_mmu_map_huge(struct kvm *kvm, gfn_t gfn, kvm_pfn_t pfn);
u64 *kvm_tdp_mmu_walk(struct kvm *kvm, gfn_t gfn, int *level, u64 *spte);

/* kvm_main.c */
void kvm_mmu_zap_all(struct kvm *kvm);
int kvm_mmu_notifier_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
				 u64 start, u64 end);
bool kvm_describe(struct kvm *kvm, const void *addr, char *buf, size_t n);

#endif
