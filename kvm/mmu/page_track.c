// SPDX-License-Identifier: GPL-2.0
/*
 * Models arch/x86/kvm/mmu/page_track.c as of v6.18: write tracking of
 * gfns, as an external user (KVMGT) asks for it with
 * kvm_write_track_add_gfn().  A tracked gfn is write-protected in the MMU
 * and stays so: make_spte() gives it no W and no MMU-writable (so fast
 * page fault cannot restore W), and a guest write to it is a
 * write-protection fault that KVM emulates (kvm_vcpu_access()).
 *
 * Simplified: only adding is modelled (no kvm_write_track_remove_gfn(),
 * no notifier on the emulated write); the write protect itself is
 * kvm_mmu_slot_gfn_write_protect()'s, the rmap path of mmu.c.
 */
#include "mmu_internal.h"

#include "../../exec/arena.h"

/*
 * kvm_page_track_write_tracking_enable() -> kvm_page_track_write_tracking_alloc():
 * a counter per gfn of every memslot, allocated from the caller's arena.
 */
int kvm_page_track_write_tracking_enable(struct kvm *kvm, struct arena *ar)
{
	for (int i = 0; i < kvm->nr_slots; i++) {
		struct kvm_memory_slot *slot = &kvm->slots[i];

		if (slot->gfn_write_track)
			continue;
		slot->gfn_write_track = arena_alloc(ar, slot->npages * sizeof(u16));
		if (!slot->gfn_write_track)
			return -ENOMEM;
		for (u64 g = 0; g < slot->npages; g++)
			slot->gfn_write_track[g] = 0;
	}
	return 0;
}

static void update_gfn_write_track(struct kvm_memory_slot *slot, gfn_t gfn, short count)
{
	u16 *track = &slot->gfn_write_track[gfn - slot->base_gfn];

	WRITE_ONCE(*track, (u16)(READ_ONCE(*track) + count));
}

/* __kvm_write_track_add_gfn() [mmu_lock held for write]. */
static void __kvm_write_track_add_gfn(struct kvm *kvm, struct kvm_memory_slot *slot, gfn_t gfn)
{
	EXEC_FN();
	lockdep_assert_held_write_rw(&kvm->mmu_lock);
	update_gfn_write_track(slot, gfn, 1);
	/* kvm_mmu_gfn_disallow_lpage(): the model's faults map 4K anyway */
	if (kvm_mmu_slot_gfn_write_protect(kvm, gfn))
		kvm_flush_remote_tlbs(kvm);
}

/* kvm_write_track_add_gfn(): the exported entry point; -EINVAL outside every memslot. */
int kvm_write_track_add_gfn(struct kvm *kvm, gfn_t gfn)
{
	struct kvm_memory_slot *slot = gfn_to_memslot(kvm, gfn);

	if (!slot || !slot->gfn_write_track)
		return -EINVAL;
	write_lock(&kvm->mmu_lock);
	__kvm_write_track_add_gfn(kvm, slot, gfn);
	write_unlock(&kvm->mmu_lock);
	return 0;
}

bool kvm_gfn_is_write_tracked(struct kvm *kvm, const struct kvm_memory_slot *slot, gfn_t gfn)
{
	(void)kvm;
	return slot && slot->gfn_write_track &&
	       READ_ONCE(slot->gfn_write_track[gfn - slot->base_gfn]);
}
