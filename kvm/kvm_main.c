// SPDX-License-Identifier: GPL-2.0
/*
 * Models virt/kvm/kvm_main.c: the mmu_notifier callbacks of a VM
 * (kvm_mmu_notifier_invalidate_range_start/end, clear_young,
 * clear_flush_young, release), kvm_handle_hva_range() and the invalidation
 * bookkeeping (kvm_mmu_invalidate_begin/range_add/end) that page faults
 * re-check.  Read from the v6.13-v6.15 patches (no modern stored copy).
 *
 * Simplified: no SRCU around memslots (they are fixed after set-up), no
 * mn_active_invalidate_count (no memslot updates while actors run).
 */
#include "kvm.h"

#include <stdio.h>
#include <string.h>

#define INVALID_GPA (~0ULL)

static bool kvm_hva_range_to_gfn(struct kvm *kvm, u64 start, u64 end,
				 gfn_t *gstart, gfn_t *gend)
{
	bool found = false;

	for (int i = 0; i < kvm->nr_slots; i++) {
		struct kvm_memory_slot *s = &kvm->slots[i];
		u64 hs = s->userspace_addr, he = hs + (s->npages << PAGE_SHIFT);
		u64 a = max_t(u64, start, hs), b = min_t(u64, end, he);

		if (a >= b)
			continue;
		if (!found) {
			*gstart = s->base_gfn + ((a - hs) >> PAGE_SHIFT);
			*gend = s->base_gfn + ((b - hs + PAGE_SIZE - 1) >> PAGE_SHIFT);
		} else {
			*gstart = min_t(gfn_t, *gstart, s->base_gfn + ((a - hs) >> PAGE_SHIFT));
			*gend = max_t(gfn_t, *gend,
				      s->base_gfn + ((b - hs + PAGE_SIZE - 1) >> PAGE_SHIFT));
		}
		found = true;
	}
	return found;
}

static struct kvm *mmu_notifier_to_kvm(struct mmu_notifier *mn)
{
	return container_of(mn, struct kvm, mmu_notifier);
}

/* kvm_mmu_invalidate_begin() + kvm_mmu_invalidate_range_add(). */
static void kvm_mmu_invalidate_begin(struct kvm *kvm, gfn_t start, gfn_t end)
{
	s64 n = READ_ONCE(kvm->mmu_invalidate_in_progress) + 1;

	WRITE_ONCE(kvm->mmu_invalidate_in_progress, n);
	if (n == 1) {
		WRITE_ONCE(kvm->mmu_invalidate_range_start, start);
		WRITE_ONCE(kvm->mmu_invalidate_range_end, end);
	} else {
		WRITE_ONCE(kvm->mmu_invalidate_range_start,
			   min_t(gfn_t, READ_ONCE(kvm->mmu_invalidate_range_start), start));
		WRITE_ONCE(kvm->mmu_invalidate_range_end,
			   max_t(gfn_t, READ_ONCE(kvm->mmu_invalidate_range_end), end));
	}
}

/*
 * invalidate_range_start: under mmu_lock, mark the range in progress, zap
 * its SPTEs and flush remote TLBs, all before the primary MMU changes its
 * PTEs.
 */
static int kvm_mmu_notifier_invalidate_range_start(struct mmu_notifier *mn,
						   const struct mmu_notifier_range *range)
{
	EXEC_FN();
	struct kvm *kvm = mmu_notifier_to_kvm(mn);
	gfn_t start, end;
	bool flush;

	if (!kvm_hva_range_to_gfn(kvm, range->start, range->end, &start, &end))
		return 0;
	write_lock(&kvm->mmu_lock);
	kvm_mmu_invalidate_begin(kvm, start, end);
	flush = kvm_tdp_mmu_unmap_gfn_range(kvm, start, end, false);
	if (flush)
		kvm_flush_remote_tlbs(kvm);
	write_unlock(&kvm->mmu_lock);
	return 0;
}

/* kvm_mmu_invalidate_end(): bump the sequence, then end the range. */
static void kvm_mmu_notifier_invalidate_range_end(struct mmu_notifier *mn,
						  const struct mmu_notifier_range *range)
{
	EXEC_FN();
	struct kvm *kvm = mmu_notifier_to_kvm(mn);
	gfn_t start, end;

	if (!kvm_hva_range_to_gfn(kvm, range->start, range->end, &start, &end))
		return;
	write_lock(&kvm->mmu_lock);
	WRITE_ONCE(kvm->mmu_invalidate_seq, READ_ONCE(kvm->mmu_invalidate_seq) + 1);
	WRITE_ONCE(kvm->mmu_invalidate_in_progress,
		   READ_ONCE(kvm->mmu_invalidate_in_progress) - 1);
	write_unlock(&kvm->mmu_lock);
}

/*
 * kvm_age_hva_range(): lockless on x86 since v6.15
 * (KVM_MMU_LOCKLESS_AGING); age=locked takes mmu_lock for write as
 * before.  x86 elides the flush even for clear_flush_young.
 */
static int kvm_age_hva_range(struct kvm *kvm, u64 start, u64 end)
{
	EXEC_FN();
	bool locked = variant(kvm->cfg, age) == age__locked;
	gfn_t gs, ge;
	bool young;

	if (!kvm_hva_range_to_gfn(kvm, start, end, &gs, &ge))
		return 0;
	if (locked)
		write_lock(&kvm->mmu_lock);
	young = kvm_tdp_mmu_age_gfn_range(kvm, gs, ge);
	if (locked)
		write_unlock(&kvm->mmu_lock);
	return young;
}

int kvm_mmu_notifier_clear_young(struct mmu_notifier *mn, struct mm_struct *mm,
				 u64 start, u64 end)
{
	(void)mm;
	return kvm_age_hva_range(mmu_notifier_to_kvm(mn), start, end);
}

static int kvm_mmu_notifier_clear_flush_young(struct mmu_notifier *mn,
					      struct mm_struct *mm, u64 start,
					      u64 end)
{
	(void)mm;
	return kvm_age_hva_range(mmu_notifier_to_kvm(mn), start, end);
}

/*
 * kvm_mmu_zap_all() via kvm_mmu_notifier_release().  Simplified: the
 * kernel zaps each root whole; the model's SPTEs all lie in memslots, so
 * zapping every memslot's range is the same.
 */
void kvm_mmu_zap_all(struct kvm *kvm)
{
	EXEC_FN();
	bool flush = false;

	write_lock(&kvm->mmu_lock);
	for (int i = 0; i < kvm->nr_slots; i++) {
		const struct kvm_memory_slot *slot = &kvm->slots[i];

		flush = kvm_tdp_mmu_unmap_gfn_range(kvm, slot->base_gfn,
						    slot->base_gfn + slot->npages, flush);
	}
	if (flush)
		kvm_flush_remote_tlbs(kvm);
	write_unlock(&kvm->mmu_lock);
}

static void kvm_mmu_notifier_release(struct mmu_notifier *mn, struct mm_struct *mm)
{
	(void)mm;
	kvm_mmu_zap_all(mmu_notifier_to_kvm(mn));
}

static const struct mmu_notifier_ops kvm_mmu_notifier_ops = {
	.invalidate_range_start = kvm_mmu_notifier_invalidate_range_start,
	.invalidate_range_end = kvm_mmu_notifier_invalidate_range_end,
	.clear_flush_young = kvm_mmu_notifier_clear_flush_young,
	.clear_young = kvm_mmu_notifier_clear_young,
	.release = kvm_mmu_notifier_release,
};

int kvm_create_vm(struct kvm *kvm, struct hw *hw, struct mm_struct *mm,
		  const struct variant_cfg *cfg, const char *name)
{
	memset(kvm, 0, sizeof(*kvm));
	kvm->cfg = cfg;
	kvm->hw = hw;
	kvm->mm = mm;
	snprintf(kvm->name, sizeof(kvm->name), "%s", name);
	rwlock_init(&kvm->mmu_lock, "mmu_lock");
	kvm->space = hw_new_space(hw, HW_SPACE_EPT, name);
	if (kvm->space < 0)
		return -ENOMEM;
	kvm->mmu_notifier.ops = &kvm_mmu_notifier_ops;
	return mmu_notifier_register(&kvm->mmu_notifier, mm);
}

int kvm_set_memory_region(struct kvm *kvm, gfn_t base_gfn, u64 npages,
			  u64 userspace_addr)
{
	if (kvm->nr_slots >= KVM_MAX_SLOTS || !npages)
		return -EINVAL;
	kvm->slots[kvm->nr_slots++] = (struct kvm_memory_slot){
		base_gfn, npages, userspace_addr
	};
	return 0;
}

bool kvm_describe(struct kvm *kvm, const void *addr, char *buf, size_t n)
{
	if (addr == &kvm->mmu_lock) {
		snprintf(buf, n, "%s.mmu_lock", kvm->name);
	} else if (addr == &kvm->mmu_invalidate_seq) {
		snprintf(buf, n, "%s.mmu_invalidate_seq", kvm->name);
	} else if (addr == &kvm->mmu_invalidate_in_progress) {
		snprintf(buf, n, "%s.mmu_invalidate_in_progress", kvm->name);
	} else if (addr == &kvm->mmu_invalidate_range_start ||
		   addr == &kvm->mmu_invalidate_range_end) {
		snprintf(buf, n, "%s.mmu_invalidate_range", kvm->name);
	} else {
		return false;
	}
	return true;
}
