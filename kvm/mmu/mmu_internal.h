/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the files of kvm/mmu/ share and nothing outside them needs, as
 * arch/x86/kvm/mmu/mmu_internal.h (and tdp_mmu.h) hold it in the kernel:
 * the page-fault descriptor and its RET_PF_* results, and the
 * cross-file functions of the MMU.
 */
#ifndef ADSIM_KVM_MMU_MMU_INTERNAL_H
#define ADSIM_KVM_MMU_MMU_INTERNAL_H

#include "../kvm.h"

/* mmu_internal.h: what a page-fault handler returns (RET_PF_CONTINUE is 0). */
enum {
	RET_PF_CONTINUE,
	RET_PF_RETRY,
	RET_PF_EMULATE,
	RET_PF_WRITE_PROTECTED,	/* a write to a write-tracked gfn: emulate it */
	RET_PF_INVALID,
	RET_PF_FIXED,
	RET_PF_SPURIOUS,
};

struct kvm_page_fault {
	gfn_t gfn;
	struct kvm_memory_slot *slot;	/* NULL: no memslot holds gfn (MMIO) */
	bool write;
	bool present;
	kvm_pfn_t pfn;
	bool map_writable;
	u64 mmu_seq;
};

/* spte.c */
bool spte_has_volatile_bits(struct kvm *kvm, u64 spte);
u64 make_spte(struct kvm_vcpu *vcpu, const struct kvm_memory_slot *slot, gfn_t gfn,
	      kvm_pfn_t pfn, bool host_writable, bool *wrprot);

/* tdp_iter.h */
bool kvm_tdp_mmu_spte_need_atomic_write(struct kvm *kvm, u64 old_spte, int level);

/* tdp_mmu.c */
void handle_changed_spte(struct kvm *kvm, u64 old_spte, u64 new_spte, bool zap);
int kvm_tdp_mmu_map(struct kvm_vcpu *vcpu, struct kvm_memory_slot *slot, gfn_t gfn,
		    kvm_pfn_t pfn, bool map_writable, bool write);

#endif
