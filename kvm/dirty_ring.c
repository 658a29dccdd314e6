// SPDX-License-Identifier: GPL-2.0
/*
 * Models virt/kvm/dirty_ring.c as of v6.18 (with the v6.17 reset rework:
 * kvm_dirty_ring_reset() counts into *nr_entries_reset and the caller
 * flushes once), and the dirty-ring part of kvm_vm_ioctl_create_vcpu().
 *
 * Each vCPU pushes the gfns it dirties into its own ring; userspace
 * harvests an entry by reading it while it is KVM_DIRTY_GFN_F_DIRTY and
 * setting KVM_DIRTY_GFN_F_RESET; KVM_RESET_DIRTY_RINGS then re-protects
 * the harvested gfns and frees their entries.  When a push leaves the ring
 * at its soft limit, the vCPU gets KVM_REQ_DIRTY_RING_SOFT_FULL and exits
 * to userspace (KVM_EXIT_DIRTY_RING_FULL) at its next entry, and keeps
 * exiting until the ring is reset below the limit.
 *
 * Simplified: no signal checks or cond_resched(); no ring with a bitmap
 * (KVM_CAP_DIRTY_LOG_RING_WITH_BITMAP); the reserved entries are 64 (no
 * PML buffer to drain, kvm_cpu_dirty_log_size() == 0).
 */
#include "kvm.h"

static u32 kvm_dirty_ring_used(struct kvm_dirty_ring *ring)
{
	return READ_ONCE(ring->dirty_index) - READ_ONCE(ring->reset_index);
}

bool kvm_dirty_ring_soft_full(struct kvm_dirty_ring *ring)
{
	return kvm_dirty_ring_used(ring) >= ring->soft_limit;
}

static bool kvm_dirty_ring_full(struct kvm_dirty_ring *ring)
{
	return kvm_dirty_ring_used(ring) >= ring->size;
}

/*
 * kvm_reset_dirty_gfn(): re-protect the gfns of mask (bit i: offset + i)
 * of one slot, under mmu_lock.  Userspace chose slot and offset, so both
 * are checked.
 */
static void kvm_reset_dirty_gfn(struct kvm *kvm, u32 slot, u64 offset, u64 mask)
{
	EXEC_FN();
	struct kvm_memory_slot *memslot;
	u32 as_id = slot >> 16, id = (u16)slot;

	if (!mask || as_id != 0 || id >= (u32)kvm->nr_slots)
		return;
	memslot = &kvm->slots[id];
	if (offset + (63 - (u64)__builtin_clzll(mask)) >= memslot->npages)
		return;
	write_lock(&kvm->mmu_lock);	/* KVM_MMU_LOCK() */
	kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, memslot, offset, mask);
	write_unlock(&kvm->mmu_lock);
}

/*
 * The dirty-ring part of kvm_vm_ioctl_create_vcpu(): kvm_dirty_ring_alloc()
 * with the VM's ring size, entries from the caller's arena; the vCPU joins
 * the list KVM_RESET_DIRTY_RINGS walks (kvm_for_each_vcpu()).
 */
int kvm_vcpu_create_dirty_ring(struct kvm_vcpu *vcpu, struct arena *ar)
{
	struct kvm *kvm = vcpu->kvm;
	struct kvm_dirty_ring *ring = &vcpu->dirty_ring;

	if (!kvm->dirty_ring_size || kvm->nr_ring_vcpus >= KVM_MAX_VCPUS)
		return -EINVAL;
	ring->dirty_gfns = arena_alloc(ar, kvm->dirty_ring_size);
	if (!ring->dirty_gfns)
		return -ENOMEM;
	ring->size = kvm->dirty_ring_size / sizeof(struct kvm_dirty_gfn);
	ring->soft_limit = ring->size - KVM_DIRTY_RING_RSVD_ENTRIES;
	ring->dirty_index = 0;
	ring->reset_index = 0;
	ring->index = vcpu->id;
	kvm->vcpu_array[kvm->nr_ring_vcpus++] = vcpu;
	return 0;
}

/*
 * kvm_dirty_ring_reset(): walk the entries userspace marked harvested,
 * free each, and re-protect their gfns, batched: consecutive entries of
 * one slot whose offsets fit in a 64-bit mask around the first are reset
 * together (the offset may move back while the mask still fits).
 * Bound: one entry per iteration, at most the ring's size.
 */
int kvm_dirty_ring_reset(struct kvm *kvm, struct kvm_dirty_ring *ring,
			 int *nr_entries_reset)
{
	EXEC_FN();
	u32 cur_slot = 0, next_slot;
	u64 cur_offset = 0, next_offset;
	u64 mask = 0;

	while (*nr_entries_reset < 0x7fffffff) {
		struct kvm_dirty_gfn *entry =
			&ring->dirty_gfns[ring->reset_index & (ring->size - 1)];

		if (!(READ_ONCE(entry->flags) & KVM_DIRTY_GFN_F_RESET))
			break;	/* !kvm_dirty_gfn_harvested() */
		next_slot = READ_ONCE(entry->slot);
		next_offset = READ_ONCE(entry->offset);
		WRITE_ONCE(entry->flags, 0);	/* kvm_dirty_gfn_set_invalid() */
		ring->reset_index++;
		(*nr_entries_reset)++;
		if (mask && next_slot == cur_slot) {
			s64 delta = (s64)(next_offset - cur_offset);

			if (delta >= 0 && delta < 64) {
				mask |= 1ULL << delta;
				continue;
			}
			/* backwards, as long as no set bit falls off the top */
			if (delta > -64 && delta < 0 &&
			    (mask << -delta >> -delta) == mask) {
				cur_offset = next_offset;
				mask = (mask << -delta) | 1;
				continue;
			}
		}
		kvm_reset_dirty_gfn(kvm, cur_slot, cur_offset, mask);
		cur_slot = next_slot;
		cur_offset = next_offset;
		mask = 1;
	}
	kvm_reset_dirty_gfn(kvm, cur_slot, cur_offset, mask);
	return 0;
}

/*
 * kvm_dirty_ring_push(): fill the next entry, publish it as dirty, and
 * ask the vCPU to exit once the ring reaches its soft limit.  The reserved
 * entries above the soft limit absorb what the vCPU dirties before it
 * exits, so the ring never fills.
 */
void kvm_dirty_ring_push(struct kvm_vcpu *vcpu, u32 slot, u64 offset)
{
	EXEC_FN();
	struct kvm_dirty_ring *ring = &vcpu->dirty_ring;
	struct kvm_dirty_gfn *entry;

	if (MODEL_WARN_ON(kvm_dirty_ring_full(ring)))
		return;
	entry = &ring->dirty_gfns[ring->dirty_index & (ring->size - 1)];
	WRITE_ONCE(entry->slot, slot);
	WRITE_ONCE(entry->offset, offset);
	WRITE_ONCE(entry->flags, KVM_DIRTY_GFN_F_DIRTY);	/* after smp_wmb() */
	ring->dirty_index++;
	if (kvm_dirty_ring_soft_full(ring))
		vcpu->requests |= 1ULL << KVM_REQ_DIRTY_RING_SOFT_FULL;
}

/*
 * kvm_dirty_ring_check_request(), at guest entry: while the ring stays
 * soft-full the request is kept and the vCPU exits again.
 */
bool kvm_dirty_ring_check_request(struct kvm_vcpu *vcpu)
{
	u64 req = 1ULL << KVM_REQ_DIRTY_RING_SOFT_FULL;

	if (!(vcpu->requests & req))
		return false;
	vcpu->requests &= ~req;		/* kvm_check_request() */
	if (!kvm_dirty_ring_soft_full(&vcpu->dirty_ring))
		return false;
	vcpu->requests |= req;
	vcpu->exit_reason = KVM_EXIT_DIRTY_RING_FULL;
	vcpu->kvm->stat.dirty_ring_full++;
	return true;
}
