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
	if (kvm->legacy_mmu)
		flush = kvm_unmap_rmap_range(kvm, start, end, false);
	else
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
	rwlock_set_order(&kvm->mmu_lock, MM_LOCK_KVM_MMU_LOCK);
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
	kvm->slots[kvm->nr_slots] = (struct kvm_memory_slot){
		base_gfn, npages, userspace_addr, 0, (u16)kvm->nr_slots, NULL, NULL
	};
	kvm->nr_slots++;
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

/* ---- dirty logging ---- */

/*
 * Models the dirty-log half of virt/kvm/kvm_main.c and the x86 hook
 * arch/x86/kvm/x86.c:kvm_mmu_slot_apply_flags(), as of v6.18.
 *
 * Simplified: one address space (as_id 0); memslots change only between
 * operations, so no SRCU, slots_lock or memslot generations; no PML
 * (dirty logging write-protects: kvm_x86_ops.cpu_dirty_log_size == 0);
 * no huge pages in a dirty-logged slot
 * (kvm_mmu_hugepage_adjust() keeps them out; the model's huge SPTEs are
 * set-up only); kvm_flush_remote_tlbs_memslot() flushes the whole EPT.
 *
 * Why the flush after write-protecting is needed: a vCPU's TLB may still
 * hold a writable translation of a page whose SPTE was just made
 * read-only; until it is flushed the guest writes through it without an
 * EPT violation, so mark_page_dirty_in_slot() never runs for that write.
 * mut_dirty_log_flush=skip leaves the flush out and adsim sim counts the
 * writes lost.
 */

static bool kvm_dirty_log_flush_skipped(struct kvm *kvm)
{
	return variant(kvm->cfg, mut_dirty_log_flush) == mut_dirty_log_flush__skip;
}

static bool kvm_dirty_log_manual_protect_and_init_set(struct kvm *kvm)
{
	return kvm->manual_dirty_log_protect & KVM_DIRTY_LOG_INITIALLY_SET;
}

static struct kvm_memory_slot *id_to_memslot(struct kvm *kvm, u32 id)
{
	return id < (u32)kvm->nr_slots ? &kvm->slots[id] : NULL;
}

/* __gfn_to_memslot(): memslots are fixed while actors run (see above). */
struct kvm_memory_slot *gfn_to_memslot(struct kvm *kvm, gfn_t gfn)
{
	for (int i = 0; i < kvm->nr_slots; i++) {
		struct kvm_memory_slot *s = &kvm->slots[i];

		if (gfn >= s->base_gfn && gfn < s->base_gfn + s->npages)
			return s;
	}
	return NULL;
}

static bool kvm_slot_dirty_track_enabled(const struct kvm_memory_slot *slot)
{
	return slot->flags & KVM_MEM_LOG_DIRTY_PAGES;
}

/* kvm_use_dirty_bitmap() (dirty_ring.c): no ring, or a ring with a bitmap. */
static bool kvm_use_dirty_bitmap(struct kvm *kvm)
{
	return !kvm->dirty_ring_size;
}

static u64 kvm_dirty_bitmap_words(const struct kvm_memory_slot *slot)
{
	return (slot->npages + 63) / 64;
}

static u64 *kvm_second_dirty_bitmap(const struct kvm_memory_slot *slot)
{
	return slot->dirty_bitmap + kvm_dirty_bitmap_words(slot);
}

/*
 * mark_page_dirty_in_slot(): log gfn in the running vCPU's ring, or else
 * in the slot's bitmap.  Called from make_spte() when it creates a
 * writable SPTE and from fast_page_fault() when it restores W.
 * Simplified: the running vCPU (kvm_get_running_vcpu(), per CPU in the
 * kernel) is passed in; NULL for a write without one.
 */
void mark_page_dirty_in_slot(struct kvm *kvm, struct kvm_vcpu *vcpu,
			     const struct kvm_memory_slot *memslot, gfn_t gfn)
{
	EXEC_FN();
	u64 rel_gfn;

	if (MODEL_WARN_ON(vcpu && vcpu->kvm != kvm))
		return;
	if (!memslot || !kvm_slot_dirty_track_enabled(memslot))
		return;
	rel_gfn = gfn - memslot->base_gfn;
	if (kvm->dirty_ring_size && vcpu)
		kvm_dirty_ring_push(vcpu, memslot->id, rel_gfn);
	else if (memslot->dirty_bitmap)
		set_bit((long)rel_gfn, memslot->dirty_bitmap);	/* set_bit_le() */
	else
		return;
	kvm->stat.dirty_marked++;
}

/*
 * kvm_mmu_slot_apply_flags() (x86.c), write-protect mode: enabling
 * logging write-protects every 4K SPTE of the slot, keeping MMU-writable
 * so fast page fault can restore W, and flushes unconditionally.
 */
static void kvm_mmu_slot_apply_flags(struct kvm *kvm, u32 old_flags,
				     const struct kvm_memory_slot *new)
{
	bool log_dirty_pages = new->flags & KVM_MEM_LOG_DIRTY_PAGES;

	if (!((old_flags ^ new->flags) & KVM_MEM_LOG_DIRTY_PAGES))
		return;
	if (!log_dirty_pages)
		return;	/* huge pages would be recovered here: none modelled */
	/*
	 * Initially all set: every page is reported by the first round, which
	 * write-protects it then (KVM_CLEAR_DIRTY_LOG), so nothing is
	 * protected or flushed now.
	 */
	if (kvm_dirty_log_manual_protect_and_init_set(kvm))
		return;
	kvm_mmu_slot_remove_write_access(kvm, new, PG_LEVEL_4K);
	kvm_flush_remote_tlbs(kvm);	/* kvm_flush_remote_tlbs_memslot() */
}

/*
 * KVM_SET_USER_MEMORY_REGION on an existing slot that changes only its
 * flags (kvm_set_memory_region(), change == KVM_MR_FLAGS_ONLY):
 * kvm_prepare_memory_region() allocates the dirty bitmap when logging is
 * turned on and no ring replaces it (kvm_alloc_dirty_bitmap(), both
 * halves zeroed; with KVM_DIRTY_LOG_INITIALLY_SET the first half all
 * set), kvm_commit_memory_region() drops it when logging is
 * turned off, and kvm_arch_commit_memory_region() applies the flags.
 * Simplified: the bitmap comes from the caller's arena and is not freed.
 */
int kvm_set_memslot_flags(struct kvm *kvm, struct arena *ar, int id, u32 flags)
{
	struct kvm_memory_slot *slot = id_to_memslot(kvm, (u32)id);
	u32 old_flags;

	if (!slot || (flags & ~KVM_MEM_LOG_DIRTY_PAGES))
		return -EINVAL;
	if (flags == slot->flags)
		return 0;
	old_flags = slot->flags;
	if ((flags & KVM_MEM_LOG_DIRTY_PAGES) && kvm_use_dirty_bitmap(kvm) &&
	    !slot->dirty_bitmap) {
		slot->dirty_bitmap = arena_alloc(ar, 2 * kvm_dirty_bitmap_words(slot) * sizeof(u64));
		if (!slot->dirty_bitmap)
			return -ENOMEM;
		if (kvm_dirty_log_manual_protect_and_init_set(kvm))
			for (u64 i = 0; i < slot->npages; i++)	/* bitmap_set() */
				slot->dirty_bitmap[i / 64] |= 1ULL << (i % 64);
	}
	if (!(flags & KVM_MEM_LOG_DIRTY_PAGES))
		slot->dirty_bitmap = NULL;
	slot->flags = flags;
	kvm_mmu_slot_apply_flags(kvm, old_flags, slot);
	return 0;
}

/*
 * kvm_vm_ioctl_enable_cap_generic(): KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2
 * (KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE, KVM_DIRTY_LOG_INITIALLY_SET) and
 * KVM_CAP_DIRTY_LOG_RING (kvm_vm_ioctl_enable_dirty_log_ring(): a size in
 * bytes, a power of two of at least a page and the reserved entries,
 * before any vCPU has a ring).
 */
int kvm_vm_ioctl_enable_cap_generic(struct kvm *kvm, u32 cap, u64 arg)
{
	switch (cap) {
	case KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2:
		if (arg & ~(KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE | KVM_DIRTY_LOG_INITIALLY_SET))
			return -EINVAL;
		kvm->manual_dirty_log_protect = arg;
		return 0;
	case KVM_CAP_DIRTY_LOG_RING:
		if (!arg || (arg & (arg - 1)))
			return -EINVAL;
		if (arg < PAGE_SIZE ||
		    arg < KVM_DIRTY_RING_RSVD_ENTRIES * sizeof(struct kvm_dirty_gfn))
			return -EINVAL;
		if (arg > KVM_DIRTY_RING_MAX_ENTRIES * sizeof(struct kvm_dirty_gfn))
			return -E2BIG;
		if (kvm->dirty_ring_size)
			return -EINVAL;	/* set once */
		if (kvm->nr_ring_vcpus)
			return -EINVAL;	/* kvm->created_vcpus */
		kvm->dirty_ring_size = (u32)arg;
		return 0;
	}
	return -EINVAL;
}

/*
 * kvm_get_dirty_log_protect(): without manual protect, take each bitmap
 * word with xchg(), write-protect the pages it names and flush after
 * dropping mmu_lock; the snapshot is what userspace gets.  A write through
 * a TLB entry between the write-protect and the flush is covered by the
 * snapshot already taken.  With manual protect the bitmap is copied as it
 * is and nothing is protected until KVM_CLEAR_DIRTY_LOG.
 */
static int kvm_get_dirty_log_protect(struct kvm *kvm, struct kvm_dirty_log *log)
{
	EXEC_FN();
	struct kvm_memory_slot *memslot;
	u64 *dirty_bitmap, *dirty_bitmap_buffer;
	u64 n;
	bool flush = false;

	if (!kvm_use_dirty_bitmap(kvm))
		return -ENXIO;
	memslot = id_to_memslot(kvm, log->slot);
	if (!memslot || !memslot->dirty_bitmap)
		return -ENOENT;
	dirty_bitmap = memslot->dirty_bitmap;
	n = kvm_dirty_bitmap_words(memslot);
	if (kvm->manual_dirty_log_protect) {
		dirty_bitmap_buffer = dirty_bitmap;
	} else {
		dirty_bitmap_buffer = kvm_second_dirty_bitmap(memslot);
		memset(dirty_bitmap_buffer, 0, n * sizeof(u64));
		write_lock(&kvm->mmu_lock);	/* KVM_MMU_LOCK() */
		for (u64 i = 0; i < n; i++) {
			u64 mask;

			if (!READ_ONCE(dirty_bitmap[i]))
				continue;
			flush = true;
			mask = xchg(&dirty_bitmap[i], 0);
			dirty_bitmap_buffer[i] = mask;
			kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, memslot, i * 64, mask);
		}
		write_unlock(&kvm->mmu_lock);
	}
	if (flush && !kvm_dirty_log_flush_skipped(kvm))
		kvm_flush_remote_tlbs(kvm);	/* kvm_flush_remote_tlbs_memslot() */
	for (u64 i = 0; i < n; i++)		/* copy_to_user() */
		log->dirty_bitmap[i] = READ_ONCE(dirty_bitmap_buffer[i]);
	return 0;
}

int kvm_vm_ioctl_get_dirty_log(struct kvm *kvm, struct kvm_dirty_log *log)
{
	return kvm_get_dirty_log_protect(kvm, log);
}

/*
 * kvm_clear_dirty_log_protect(): for each word userspace names, clear the
 * bits that are still set (atomic_long_fetch_andnot()) and write-protect
 * just those pages; flush if any was.
 */
static int kvm_clear_dirty_log_protect(struct kvm *kvm, struct kvm_clear_dirty_log *log)
{
	EXEC_FN();
	struct kvm_memory_slot *memslot;
	u64 *dirty_bitmap, offset, i, n;
	bool flush = false;

	if (!kvm_use_dirty_bitmap(kvm))
		return -ENXIO;
	if (log->first_page & 63)
		return -EINVAL;
	memslot = id_to_memslot(kvm, log->slot);
	if (!memslot || !memslot->dirty_bitmap)
		return -ENOENT;
	dirty_bitmap = memslot->dirty_bitmap;
	if (log->first_page > memslot->npages ||
	    log->num_pages > memslot->npages - log->first_page ||
	    (log->num_pages < memslot->npages - log->first_page && (log->num_pages & 63)))
		return -EINVAL;
	write_lock(&kvm->mmu_lock);
	for (offset = log->first_page, i = offset / 64, n = (log->num_pages + 63) / 64; n--;
	     i++, offset += 64) {
		u64 mask = log->dirty_bitmap[i - log->first_page / 64];

		if (!mask)
			continue;
		mask &= atomic64_fetch_and(~mask, &dirty_bitmap[i]);
		if (mask) {
			flush = true;
			kvm_arch_mmu_enable_log_dirty_pt_masked(kvm, memslot, offset, mask);
		}
	}
	write_unlock(&kvm->mmu_lock);
	if (flush && !kvm_dirty_log_flush_skipped(kvm))
		kvm_flush_remote_tlbs(kvm);	/* kvm_flush_remote_tlbs_memslot() */
	return 0;
}

int kvm_vm_ioctl_clear_dirty_log(struct kvm *kvm, struct kvm_clear_dirty_log *log)
{
	if (!kvm->manual_dirty_log_protect)
		return -EINVAL;	/* the ioctl needs KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 */
	return kvm_clear_dirty_log_protect(kvm, log);
}

/*
 * kvm_vm_ioctl_reset_dirty_pages(): reset every vCPU's harvested entries,
 * then one flush for all of them if any entry was reset.  Returns the
 * number of entries reset.
 */
int kvm_vm_ioctl_reset_dirty_pages(struct kvm *kvm)
{
	EXEC_FN();
	int cleared = 0, r;

	if (!kvm->dirty_ring_size)
		return -EINVAL;
	for (int i = 0; i < kvm->nr_ring_vcpus; i++) {
		r = kvm_dirty_ring_reset(kvm, &kvm->vcpu_array[i]->dirty_ring, &cleared);
		if (r)
			break;
	}
	if (cleared && !kvm_dirty_log_flush_skipped(kvm))
		kvm_flush_remote_tlbs(kvm);
	return cleared;
}
