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
 * (no access-tracked SPTEs), no PML: dirty logging (bitmap, manual
 * protect, dirty ring; kvm_main.c, dirty_ring.c) write-protects.
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

/* uapi/linux/kvm.h memslot flags */
#define KVM_MEM_LOG_DIRTY_PAGES (1u << 0)

struct kvm_memory_slot {
	gfn_t base_gfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;		/* KVM_MEM_LOG_DIRTY_PAGES */
	u16 id;
	/*
	 * Dirty logging without the ring: two bitmaps of npages bits back to
	 * back, as kvm_alloc_dirty_bitmap() allocates them; the second is
	 * kvm_second_dirty_bitmap(), the snapshot KVM_GET_DIRTY_LOG copies.
	 */
	u64 *dirty_bitmap;
	u16 *gfn_write_track;	/* page_track.c: per gfn, or NULL (not enabled) */
};

/*
 * The dirty ring (virt/kvm/dirty_ring.c, include/uapi/linux/kvm.h): an
 * array of gfns shared with userspace.  Entry flags:
 *   0                      invalid: free for KVM to push into
 *   KVM_DIRTY_GFN_F_DIRTY  pushed by KVM, not yet harvested
 *   KVM_DIRTY_GFN_F_RESET  harvested by userspace, for KVM_RESET_DIRTY_RINGS
 * dirty_index and reset_index only grow; used = dirty_index - reset_index.
 */
#define KVM_DIRTY_GFN_F_DIRTY (1u << 0)
#define KVM_DIRTY_GFN_F_RESET (1u << 1)
#define KVM_DIRTY_RING_RSVD_ENTRIES 64
#define KVM_DIRTY_RING_MAX_ENTRIES 65536

struct kvm_dirty_gfn {
	u32 flags;
	u32 slot;		/* as_id << 16 | slot id */
	u64 offset;		/* gfn - base_gfn */
};

struct kvm_dirty_ring {
	u32 dirty_index;
	u32 reset_index;
	u32 size;		/* entries, a power of two */
	u32 soft_limit;
	struct kvm_dirty_gfn *dirty_gfns;
	int index;
};

/* KVM_GET_DIRTY_LOG / KVM_CLEAR_DIRTY_LOG arguments (uapi). */
struct kvm_dirty_log {
	u32 slot;
	u64 *dirty_bitmap;
};

struct kvm_clear_dirty_log {
	u32 slot;
	u32 num_pages;
	u64 first_page;
	u64 *dirty_bitmap;
};

#define KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 168
#define KVM_CAP_DIRTY_LOG_RING 192
#define KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE (1ULL << 0)
#define KVM_DIRTY_LOG_INITIALLY_SET (1ULL << 1)
#define KVM_REQ_DIRTY_RING_SOFT_FULL 0
/* vCPU exits kvm_vcpu_access() returns: the access did not reach memory. */
#define KVM_EXIT_MMIO 6			/* no memslot: userspace emulates it */
#define KVM_EXIT_DIRTY_RING_FULL 31

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
	/* dirty logging */
	u64 dirty_marked;	/* mark_page_dirty_in_slot() that logged a gfn */
	u64 dirty_wrprot;	/* SPTEs write-protected for logging (enable, re-arm) */
	u64 dirty_ring_full;	/* KVM_EXIT_DIRTY_RING_FULL exits */
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
	u64 manual_dirty_log_protect;	/* KVM_DIRTY_LOG_* flags */
	/*
	 * kvm.tdp_mmu=0: the legacy MMU's rmaps handle mmu_notifier zaps
	 * (kvm_unmap_rmap_range()).  Simplified: its rmap of a gfn is the
	 * same EPT table's leaf (see above), and faults still go through
	 * kvm_tdp_mmu_map() rather than the legacy direct_map().
	 */
	bool legacy_mmu;
	u32 dirty_ring_size;		/* bytes; 0: no dirty ring */
	struct kvm_vcpu *vcpu_array[KVM_MAX_VCPUS];	/* those with a ring */
	int nr_ring_vcpus;
};

struct kvm_vcpu {
	struct kvm *kvm;
	int tlb;
	int id;
	u64 requests;			/* KVM_REQ_* bits */
	u32 exit_reason;
	struct kvm_dirty_ring dirty_ring;
	/*
	 * The TLB of the vCPU thread's CPU for the VMM's mm, which the
	 * emulator's copy_to_user() goes through; -1 if the world has none
	 * (no write-tracked gfn, so nothing is emulated).
	 */
	int host_tlb;
};

struct arena;
int kvm_create_vm(struct kvm *kvm, struct hw *hw, struct mm_struct *mm,
		  const struct variant_cfg *cfg, const char *name);
int kvm_set_memory_region(struct kvm *kvm, gfn_t base_gfn, u64 npages,
			  u64 userspace_addr);

/*
 * A guest access of the vCPU: EPT violations are handled and retried.
 * Returns 0; -EFAULT where the memslot's host memory cannot be faulted in
 * (KVM_RUN fails with EFAULT, KVM_EXIT_MEMORY_FAULT); KVM_EXIT_MMIO where
 * no memslot holds the gfn (the access goes to userspace's device
 * emulation, not to memory); or KVM_EXIT_DIRTY_RING_FULL: the vCPU exited
 * to userspace before the access completed, and the caller must harvest
 * and reset the rings (KVM_RESET_DIRTY_RINGS) before calling again.
 */
int kvm_vcpu_access(struct kvm_vcpu *vcpu, gfn_t gfn, bool write);

/* dirty logging (kvm_main.c, dirty_ring.c) */
struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn);
void mark_page_dirty_in_slot(struct kvm *kvm, struct kvm_vcpu *vcpu,
			     const struct kvm_memory_slot *memslot, gfn_t gfn);
int kvm_set_memslot_flags(struct kvm *kvm, struct arena *ar, int id, u32 flags);
int kvm_vm_ioctl_enable_cap_generic(struct kvm *kvm, u32 cap, u64 arg);
int kvm_vcpu_create_dirty_ring(struct kvm_vcpu *vcpu, struct arena *ar);
int kvm_vm_ioctl_get_dirty_log(struct kvm *kvm, struct kvm_dirty_log *log);
int kvm_vm_ioctl_clear_dirty_log(struct kvm *kvm, struct kvm_clear_dirty_log *log);
int kvm_vm_ioctl_reset_dirty_pages(struct kvm *kvm);
void kvm_dirty_ring_push(struct kvm_vcpu *vcpu, u32 slot, u64 offset);
bool kvm_dirty_ring_soft_full(struct kvm_dirty_ring *ring);
bool kvm_dirty_ring_check_request(struct kvm_vcpu *vcpu);
int kvm_dirty_ring_reset(struct kvm *kvm, struct kvm_dirty_ring *ring,
			 int *nr_entries_reset);

/* page_track.c */
int kvm_page_track_write_tracking_enable(struct kvm *kvm, struct arena *ar);
int kvm_write_track_add_gfn(struct kvm *kvm, gfn_t gfn);
bool kvm_gfn_is_write_tracked(struct kvm *kvm, const struct kvm_memory_slot *slot, gfn_t gfn);

/* mmu.c */
bool kvm_unmap_rmap_range(struct kvm *kvm, gfn_t start, gfn_t end, bool flush);
bool mmu_spte_update(struct kvm *kvm, u64 *sptep, u64 new_spte);
u64 mmu_spte_clear_track_bits(struct kvm *kvm, u64 *sptep);
bool kvm_mmu_slot_gfn_write_protect(struct kvm *kvm, gfn_t gfn);
void kvm_flush_remote_tlbs(struct kvm *kvm);
void kvm_set_pfn_dirty(struct kvm *kvm, kvm_pfn_t pfn);
void kvm_set_pfn_accessed(struct kvm *kvm, kvm_pfn_t pfn);
void kvm_mmu_slot_remove_write_access(struct kvm *kvm,
				      const struct kvm_memory_slot *memslot,
				      int start_level);
void kvm_arch_mmu_enable_log_dirty_pt_masked(struct kvm *kvm,
					     const struct kvm_memory_slot *slot,
					     gfn_t gfn_offset, u64 mask);

/* tdp_mmu.c */
bool kvm_tdp_mmu_unmap_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end,
				 bool flush);
bool kvm_tdp_mmu_age_gfn_range(struct kvm *kvm, gfn_t start, gfn_t end);
int kvm_tdp_mmu_split_huge_page(struct kvm *kvm, gfn_t gfn);
int kvm_tdp_mmu_map_huge(struct kvm *kvm, gfn_t gfn, kvm_pfn_t pfn);
u64 *kvm_tdp_mmu_walk(struct kvm *kvm, gfn_t gfn, int *level, u64 *spte);
bool kvm_tdp_mmu_wrprot_slot(struct kvm *kvm, const struct kvm_memory_slot *slot,
			     int min_level);
void kvm_tdp_mmu_clear_dirty_pt_masked(struct kvm *kvm,
				       const struct kvm_memory_slot *slot,
				       gfn_t gfn, u64 mask, bool wrprot);

/* kvm_main.c */
void kvm_mmu_zap_all(struct kvm *kvm);
int kvm_mmu_notifier_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
				 u64 start, u64 end);
bool kvm_describe(struct kvm *kvm, const void *addr, char *buf, size_t n);

#endif
