// SPDX-License-Identifier: GPL-2.0
/*
 * drv: one handler per scenario operation; see drv.h.  Each calls the
 * model's own entry point with the operation's arguments and nothing
 * else: what an operation means is the modelled kernel's business.
 */
#include "drv.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* scn/scn.c names PAGE_IS_* and PM_SCAN_* by their uapi bit. */
_Static_assert(PM_SCAN_CATEGORIES == (1ULL << SCN_NR_PAGE_CATEGORIES) - 1 &&
	       PAGE_IS_WRITTEN == 1ULL << 1 && PAGE_IS_GUARD == 1ULL << 8,
	       "scn_page_categories[] follows uapi/linux/fs.h");
_Static_assert(PM_SCAN_WP_MATCHING == 1 && PM_SCAN_CHECK_WPASYNC == 2,
	       "scn_scan_flags[] follows uapi/linux/fs.h");

/*
 * What an ioctl returned: a note in traces, and, if it failed, in
 * r->failed (the first failure of the operation).
 */
static void drv_result(struct drv_result *r, long ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void drv_result(struct drv_result *r, long ret, const char *fmt, ...)
{
	char buf[sizeof(r->failed)];
	va_list ap;

	if (!r->ret)
		r->ret = ret;
	if (!exec_tracing() && ret >= 0)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	exec_note("%s", buf);
	if (ret < 0 && !r->failed[0])
		snprintf(r->failed, sizeof(r->failed), "%s", buf);
}

static void drv_access(const struct drv_actor *a, const struct scn_op *op,
		       struct drv_result *r)
{
	struct hw *hw = a->mm->mw->hw;
	u64 faults = hw->stats.faults;

	r->ret = mm_user_access(a->mm, a->tlb, (u64)op->a[0], op->code == OPC_WRITE);
	/* as getrusage() counts them: for completed accesses */
	r->count = r->ret ? 0 : (s64)(hw->stats.faults - faults);
}

void drv_clean_record(const struct drv_world *w, struct address_space *mapping,
		      pgoff_t first, pgoff_t nr)
{
	u64 bitmap[8] = { 0 };
	pgoff_t start = 0, end = 0;

	if (nr > 512 || first + nr > mapping->nrpages)
		return;
	clean_record_shared_mapping_range(mapping, first, nr, first, bitmap, &start, &end);
	for (pgoff_t i = start; i < end; i++)
		if (bitmap[i / 64] & BIT_ULL(i % 64))
			obs_report(w->obs, CONS_CLEAN_RECORD, mapping->pages[first + i]);
}

/*
 * kvm_write_protect: an external user's write tracking of one gfn
 * (kvm_write_track_add_gfn(), as KVMGT asks for it): protected under
 * mmu_lock and flushed before it returns; from then on the guest's writes
 * to it are emulated.
 */
static void drv_kvm_write_protect(const struct drv_world *w, struct kvm *kvm, gfn_t gfn,
				  struct drv_result *r)
{
	long ret = kvm_write_track_add_gfn(kvm, gfn);

	drv_result(r, ret, "kvm_write_track_add_gfn(%#llx) returns %ld", (unsigned long long)gfn,
		   ret);
	if (!ret)
		obs_protect_done(w->obs, kvm->space, gfn << PAGE_SHIFT, (gfn + 1) << PAGE_SHIFT);
}

/* kvm_age: the primary MMU's clear_young over the gfns' host range. */
static void drv_kvm_age(struct kvm *kvm, gfn_t gfn, u64 nr)
{
	const struct kvm_memory_slot *slot = gfn_to_memslot(kvm, gfn);
	u64 hva;

	if (!slot)	/* scn_instantiate() refuses it */
		return;
	hva = slot->userspace_addr + ((gfn - slot->base_gfn) << PAGE_SHIFT);
	mmu_notifier_clear_young(kvm->mm, hva, hva + (nr << PAGE_SHIFT));
}

/* Raw SPTE bits, set-up only: no primitive, no flush, no notifier. */
static void drv_spte_bits(struct kvm *kvm, gfn_t gfn, u64 bits, bool set)
{
	int level;
	u64 spte;
	u64 *sptep = kvm_tdp_mmu_walk(kvm, gfn, &level, &spte);

	if (!sptep || !is_shadow_present_pte(spte))
		return;
	*sptep = set ? spte | bits : spte & ~bits;
}

/* The folio mapped at addr, as the LRU lists hold it, or NULL. */
static struct folio *drv_folio_at(const struct drv_world *w, struct mm_struct *mm, u64 addr)
{
	u64 *p = hw_lookup(w->hw, mm->space, addr, PG_LEVEL_4K);
	u64 e = p ? READ_ONCE(*p) : 0;
	u64 pfn = (e & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (!(e & _PAGE_PRESENT) || pfn == w->mw->zero_pfn || !hw_frame_is_data(w->hw, pfn))
		return NULL;
	return pfn_folio(w->mw, pfn);
}

static void drv_reclaim(const struct drv_world *w, struct mm_struct *mm, u64 addr)
{
	struct folio *folio = drv_folio_at(w, mm, addr);

	if (folio)
		mm_reclaim_folio(w->mw, folio_pfn(folio));
}

static void drv_uffd_register(struct mm_struct *mm, u64 start, u64 len, struct drv_result *r)
{
	long ret;

	if (!mm->uffd.open) {
		ret = userfaultfd_api(mm, UFFD_API_FEATURES);
		drv_result(r, ret, "UFFDIO_API returns %ld", ret);
	}
	ret = userfaultfd_register(mm, start, len);
	drv_result(r, ret, "UFFDIO_REGISTER [%#llx, %#llx) returns %ld", (unsigned long long)start,
		   (unsigned long long)(start + len), ret);
}

static void format_categories(u64 c, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < SCN_NR_PAGE_CATEGORIES && l < n; i++)
		if (c & (1ULL << i))
			l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? "|" : "",
					      scn_page_categories[i]);
	if (!l)
		snprintf(buf, n, "0");
}

/* The pages of regions[0 .. n) that the scan reports written: reported. */
static long drv_pagemap_scan_report(const struct drv_world *w, struct mm_struct *mm,
				    const struct page_region *regions, long n)
{
	long pages = 0;

	for (long i = 0; i < n; i++) {
		if (!(regions[i].categories & PAGE_IS_WRITTEN))
			continue;
		for (u64 a = regions[i].start; a < regions[i].end; a += PAGE_SIZE, pages++)
			obs_report_addr(w->obs, CONS_PAGEMAP_SCAN, mm->space, a);
	}
	return pages;
}

/*
 * PAGEMAP_SCAN over [ADDR, ADDR + LEN) with the operation's keys.  A scan
 * with PM_SCAN_WP_MATCHING write-protects what it walks: the pagemap_scan
 * tracker watches [ADDR, walk_end) from then on (pages it already
 * watched stay as they were), and the pages it returns as written are
 * reported.
 */
static void drv_pagemap_scan(const struct drv_world *w, struct mm_struct *mm,
			     const struct scn_op *op, struct drv_result *r)
{
	const s64 *k = &op->a[2];
	u64 vec_len = (u64)k[SCAN_VEC];
	struct pm_scan_arg arg = {
		.size = sizeof(struct pm_scan_arg),
		.flags = (u64)k[SCAN_FLAGS],
		.start = (u64)op->a[0],
		.end = (u64)op->a[0] + (u64)op->a[1],
		.vec = vec_len ? 1 : 0,
		.vec_len = vec_len,
		.max_pages = (u64)k[SCAN_MAX_PAGES],
		.category_inverted = (u64)k[SCAN_INVERTED],
		.category_mask = (u64)k[SCAN_MASK],
		.category_anyof_mask = (u64)k[SCAN_ANYOF],
		.return_mask = (u64)k[SCAN_RETURN],
	};
	long ret;

	if (vec_len > SCN_SCAN_MAX_VEC)	/* scn_instantiate() rejects it */
		return;
	ret = do_pagemap_scan(mm, &arg, vec_len ? r->regions : NULL);
	r->walk_end = arg.walk_end;
	r->nr_regions = ret > 0 ? ret : 0;
	drv_result(r, ret, "PAGEMAP_SCAN [%#llx, %#llx) returns %ld", (unsigned long long)arg.start,
		   (unsigned long long)arg.end, ret);
	if (exec_tracing()) {
		for (long i = 0; i < ret && i < (long)vec_len; i++) {
			char c[128];

			format_categories(r->regions[i].categories, c, sizeof(c));
			exec_note("[%#llx, %#llx) %s", (unsigned long long)r->regions[i].start,
				  (unsigned long long)r->regions[i].end, c);
		}
		exec_note("walk_end %#llx", (unsigned long long)arg.walk_end);
	}
	if (ret < 0 || !(arg.flags & PM_SCAN_WP_MATCHING))
		return;
	obs_track(w->obs, CONS_PAGEMAP_SCAN, mm->space, arg.start, arg.walk_end, OBS_TRACK_NEW);
	drv_pagemap_scan_report(w, mm, r->regions, r->nr_regions);
}

long drv_pagemap_scan_collect(const struct drv_world *w, struct mm_struct *mm, u64 start,
			      u64 end, struct page_region *vec, u64 vec_len)
{
	long pages = 0;

	while (start < end) {
		struct pm_scan_arg arg = {
			.size = sizeof(arg),
			.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
			.start = start, .end = end, .vec = 1, .vec_len = vec_len,
			.category_mask = PAGE_IS_WRITTEN, .return_mask = PAGE_IS_WRITTEN,
		};
		long ret = do_pagemap_scan(mm, &arg, vec);

		if (ret < 0)
			return ret;
		obs_track(w->obs, CONS_PAGEMAP_SCAN, mm->space, start, arg.walk_end,
			  OBS_TRACK_NEW);
		pages += drv_pagemap_scan_report(w, mm, vec, ret);
		if (arg.walk_end <= start)
			break;
		start = arg.walk_end;
	}
	return pages;
}

/* ---- the dirty_log consumer: a VMM's migration thread ---- */

int drv_dirty_log_init(struct drv_dirty_log *dl, const struct kvm *kvm, struct arena *ar)
{
	memset(dl, 0, sizeof(*dl));
	for (int i = 0; i < kvm->nr_slots; i++) {
		size_t bytes = (kvm->slots[i].npages + 63) / 64 * sizeof(u64);

		dl->pending[i] = arena_alloc(ar, bytes);
		dl->buf[i] = arena_alloc(ar, bytes);
		if (!dl->pending[i] || !dl->buf[i])
			return -ENOMEM;
		memset(dl->pending[i], 0, bytes);
	}
	return 0;
}

/*
 * A call that re-protected pages [first, first + nr) of memslot id has
 * returned (its flush done): the pending gfns among them are reported.
 */
static void drv_report_gfns(const struct drv_world *w, struct kvm *kvm, int id, u64 *bits,
			    u64 first, u64 nr)
{
	const struct kvm_memory_slot *slot = &kvm->slots[id];

	obs_protect_done(w->obs, kvm->space, (slot->base_gfn + first) << PAGE_SHIFT,
			 (slot->base_gfn + min_t(u64, first + nr, slot->npages)) << PAGE_SHIFT);
	for (u64 i = first; i < first + nr && i < slot->npages; i++) {
		if (!(bits[i / 64] & (1ULL << (i % 64))))
			continue;
		bits[i / 64] &= ~(1ULL << (i % 64));
		obs_report_addr(w->obs, CONS_DIRTY_LOG, kvm->space,
				(slot->base_gfn + i) << PAGE_SHIFT);
	}
}

/*
 * KVM_GET_DIRTY_LOG: without manual protect the gfns it returns were
 * re-protected and flushed by the call, so they are reported now; with
 * it they wait for KVM_CLEAR_DIRTY_LOG.
 */
static long drv_get_dirty_log(const struct drv_world *w, int vm, int id)
{
	struct kvm *kvm = w->kvm_of[vm];
	struct drv_dirty_log *dl = w->dl_of[vm];
	const struct kvm_memory_slot *slot = &kvm->slots[id];
	struct kvm_dirty_log log = { .slot = (u32)id, .dirty_bitmap = dl->buf[id] };
	long ret = kvm_vm_ioctl_get_dirty_log(kvm, &log);

	if (ret)
		return ret;
	for (u64 i = 0; i < (slot->npages + 63) / 64; i++)
		dl->pending[id][i] |= dl->buf[id][i];
	if (!kvm->manual_dirty_log_protect)
		drv_report_gfns(w, kvm, id, dl->pending[id], 0, slot->npages);
	return 0;
}

/*
 * KVM_CLEAR_DIRTY_LOG of the pending bits of pages [first, first + nr),
 * which are reported once it returns.
 */
static long drv_clear_dirty_log(const struct drv_world *w, int vm, int id, u64 first, u64 nr)
{
	struct kvm *kvm = w->kvm_of[vm];
	struct drv_dirty_log *dl = w->dl_of[vm];
	const struct kvm_memory_slot *slot = &kvm->slots[id];
	struct kvm_clear_dirty_log log = {
		.slot = (u32)id, .num_pages = (u32)nr, .first_page = first,
		.dirty_bitmap = dl->buf[id],
	};
	long ret;

	if (first & 63 || first > slot->npages || nr > slot->npages - first)
		return -EINVAL;	/* as the kernel would: before touching pending */
	for (u64 i = 0; i < (nr + 63) / 64; i++)
		dl->buf[id][i] = dl->pending[id][first / 64 + i];
	ret = kvm_vm_ioctl_clear_dirty_log(kvm, &log);
	if (ret)
		return ret;
	drv_report_gfns(w, kvm, id, dl->pending[id], first, nr);
	return 0;
}

/*
 * Harvest every vCPU ring: each entry still dirty is collected and
 * handed back for reset (KVM_DIRTY_GFN_F_RESET).  Returns the entries.
 */
static long drv_ring_harvest(const struct drv_world *w, int vm)
{
	struct kvm *kvm = w->kvm_of[vm];
	struct drv_dirty_log *dl = w->dl_of[vm];
	long n = 0;

	for (int i = 0; i < kvm->nr_ring_vcpus; i++) {
		struct kvm_dirty_ring *ring = &kvm->vcpu_array[i]->dirty_ring;

		for (;; n++) {
			struct kvm_dirty_gfn *e = &ring->dirty_gfns[dl->fetch[i] & (ring->size - 1)];
			u32 slot;
			u64 offset;

			if (!(READ_ONCE(e->flags) & KVM_DIRTY_GFN_F_DIRTY))
				break;	/* smp_load_acquire() */
			slot = READ_ONCE(e->slot);
			offset = READ_ONCE(e->offset);
			if (slot < (u32)kvm->nr_slots && offset < kvm->slots[slot].npages)
				dl->pending[slot][offset / 64] |= 1ULL << (offset % 64);
			WRITE_ONCE(e->flags, KVM_DIRTY_GFN_F_RESET);	/* smp_store_release() */
			dl->fetch[i]++;
		}
	}
	return n;
}

/* KVM_RESET_DIRTY_RINGS; the harvested gfns are reported once it returns. */
static long drv_ring_reset(const struct drv_world *w, int vm)
{
	struct kvm *kvm = w->kvm_of[vm];
	long ret = kvm_vm_ioctl_reset_dirty_pages(kvm);

	if (ret < 0)
		return ret;
	for (int id = 0; id < kvm->nr_slots; id++)
		drv_report_gfns(w, kvm, id, w->dl_of[vm]->pending[id], 0,
				kvm->slots[id].npages);
	return ret;
}

void drv_dirty_log_collect(const struct drv_world *w, int vm)
{
	struct kvm *kvm = w->kvm_of[vm];

	if (kvm->dirty_ring_size) {
		drv_ring_harvest(w, vm);
		drv_ring_reset(w, vm);
		return;
	}
	for (int id = 0; id < kvm->nr_slots; id++) {
		if (!(kvm->slots[id].flags & KVM_MEM_LOG_DIRTY_PAGES))
			continue;
		drv_get_dirty_log(w, vm, id);
		if (kvm->manual_dirty_log_protect)
			drv_clear_dirty_log(w, vm, id, 0, kvm->slots[id].npages);
	}
}

/*
 * KVM_SET_USER_MEMORY_REGION changing only KVM_MEM_LOG_DIRTY_PAGES: the
 * dirty_log tracker watches the memslot from then on, or no longer.
 */
static long drv_log_dirty(const struct drv_world *w, struct kvm *kvm, int id, bool on)
{
	const struct kvm_memory_slot *slot = &kvm->slots[id];
	long ret = kvm_set_memslot_flags(kvm, w->ar, id, on ? KVM_MEM_LOG_DIRTY_PAGES : 0);

	if (!ret)
		obs_track(w->obs, CONS_DIRTY_LOG, kvm->space, slot->base_gfn << PAGE_SHIFT,
			  (slot->base_gfn + slot->npages) << PAGE_SHIFT,
			  on ? OBS_TRACK_START : OBS_TRACK_STOP);
	return ret;
}

/* The dirty-log operations, a VMM's calls on the vm declared at op->ref. */
static void drv_dirty_log_op(const struct drv_world *w, const struct scn_op *op,
			     struct drv_result *r)
{
	int vm = op->ref, id = (int)op->a[0];
	long ret;

	switch (op->code) {
	case OPC_KVM_LOG_DIRTY:
		ret = drv_log_dirty(w, w->kvm_of[vm], id, op->a[1]);
		drv_result(r, ret, "KVM_SET_USER_MEMORY_REGION (slot %d, dirty logging %s) returns %ld",
			   id, op->a[1] ? "on" : "off", ret);
		break;
	case OPC_KVM_GET_DIRTY_LOG:
		ret = drv_get_dirty_log(w, vm, id);
		drv_result(r, ret, "KVM_GET_DIRTY_LOG (slot %d) returns %ld", id, ret);
		break;
	case OPC_KVM_CLEAR_DIRTY_LOG:
		ret = drv_clear_dirty_log(w, vm, id, (u64)op->a[1], (u64)op->a[2]);
		drv_result(r, ret, "KVM_CLEAR_DIRTY_LOG (slot %d, pages %lld + %lld) returns %ld", id,
			   (long long)op->a[1], (long long)op->a[2], ret);
		break;
	case OPC_KVM_RING_HARVEST:
		ret = drv_ring_harvest(w, vm);
		drv_result(r, ret, "%ld dirty ring entries harvested", ret);
		break;
	case OPC_KVM_RING_RESET:
		ret = drv_ring_reset(w, vm);
		drv_result(r, ret, "KVM_RESET_DIRTY_RINGS returns %ld", ret);
		break;
	}
}

/* The userfaultfd ioctls and PAGEMAP_SCAN, a process's calls on mm. */
static void drv_uffd_op(const struct drv_world *w, struct mm_struct *mm, const struct scn_op *op,
			struct drv_result *r)
{
	u64 addr = (u64)op->a[0], len = (u64)op->a[1];
	long ret;

	switch (op->code) {
	case OPC_UFFD_REGISTER:
		drv_uffd_register(mm, addr, len, r);
		break;
	case OPC_UFFD_WP:
	case OPC_UFFD_UNWP:
		ret = userfaultfd_writeprotect(mm, addr, len,
					       op->code == OPC_UFFD_WP ? UFFDIO_WRITEPROTECT_MODE_WP : 0);
		drv_result(r, ret, "UFFDIO_WRITEPROTECT%s returns %ld",
			   op->code == OPC_UFFD_WP ? " (MODE_WP)" : "", ret);
		/* the pagemap_scan tracker's baseline, or its end */
		if (!ret)
			obs_track(w->obs, CONS_PAGEMAP_SCAN, mm->space, addr, addr + len,
				  op->code == OPC_UFFD_WP ? OBS_TRACK_START : OBS_TRACK_STOP);
		break;
	case OPC_UFFD_COPY:
		ret = userfaultfd_copy(mm, addr, len, op->a[2] ? UFFDIO_COPY_MODE_WP : 0, &r->count);
		drv_result(r, ret, "UFFDIO_COPY returns %ld (copy %lld)", ret, (long long)r->count);
		break;
	case OPC_UFFD_ZEROPAGE:
		ret = userfaultfd_zeropage(mm, addr, len, 0, &r->count);
		drv_result(r, ret, "UFFDIO_ZEROPAGE returns %ld (zeropage %lld)", ret,
			   (long long)r->count);
		break;
	case OPC_PAGEMAP_SCAN:
		drv_pagemap_scan(w, mm, op, r);
		break;
	}
}

/* KVM's own entry points, and the set-up's raw SPTE edits. */
static void drv_kvm_op(const struct drv_world *w, struct kvm *kvm, const struct scn_op *op,
		       struct drv_result *r)
{
	gfn_t gfn = (gfn_t)op->a[0];
	u64 pfn;

	switch (op->code) {
	case OPC_KVM_WRITE_PROTECT:
		drv_kvm_write_protect(w, kvm, gfn, r);
		break;
	case OPC_KVM_AGE:
		drv_kvm_age(kvm, gfn, (u64)op->a[1]);
		break;
	case OPC_KVM_SPLIT:
		kvm_tdp_mmu_split_huge_page(kvm, gfn);
		break;
	case OPC_SPTE_SET:
	case OPC_SPTE_CLEAR:
		drv_spte_bits(kvm, gfn, (u64)op->a[1], op->code == OPC_SPTE_SET);
		break;
	case OPC_MAP_HUGE:
		pfn = hw_alloc_data(w->hw, 512, 512);
		if (pfn)
			kvm_tdp_mmu_map_huge(kvm, gfn & ~511ULL, pfn);
		break;
	}
}

/*
 * A direct-I/O read into a process's buffer, in two steps: the submission
 * pins the page (gup_pin), the device's DMA writes it and the completion
 * dirties and unpins it (dma_write: bio_set_pages_dirty() ->
 * folio_mark_dirty() under the folio lock, then unpin_user_page()).
 */
static long drv_gup_pin(struct drv_world *w, struct mm_struct *mm, u64 addr)
{
	u64 pfn;

	if (w->nr_pins >= DRV_MAX_PINS)
		return -ENOMEM;
	pfn = pin_user_page_fast(mm, addr & ~(PAGE_SIZE - 1), true);
	if (!pfn)
		return -EFAULT;
	w->pins[w->nr_pins++] = (struct drv_pin){ mm, addr & ~(PAGE_SIZE - 1), pfn };
	return 0;
}

static long drv_dma_write(struct drv_world *w, struct mm_struct *mm, u64 addr)
{
	for (int i = 0; i < w->nr_pins; i++) {
		struct drv_pin *p = &w->pins[i];
		struct folio *folio;

		if (p->mm != mm || p->addr != (addr & ~(PAGE_SIZE - 1)))
			continue;
		folio = pfn_folio(w->mw, p->pfn);
		obs_data_write(w->obs, p->pfn);		/* the device's DMA */
		folio_lock(folio);			/* set_page_dirty_lock() */
		folio_mark_dirty(folio);
		folio_unlock(folio);
		unpin_user_page(w->mw, p->pfn);
		*p = w->pins[--w->nr_pins];
		return 0;
	}
	return -EINVAL;	/* nothing pinned there */
}

void drv_run_op(struct drv_world *w, const struct drv_actor *a,
		const struct scn_op *op, struct drv_result *r)
{
	struct mm_struct *mm = op->ref >= 0 ? w->mm_of[op->ref] : NULL;
	struct address_space *file = op->ref >= 0 ? w->file_of[op->ref] : NULL;
	u64 addr = (u64)op->a[0], len = (u64)op->a[1];

	memset(r, 0, offsetof(struct drv_result, regions));
	r->failed[0] = 0;
	switch (op->code) {
	case OPC_READ:
	case OPC_WRITE:
		drv_access(a, op, r);
		break;
	case OPC_GREAD:
	case OPC_GWRITE:
		r->ret = kvm_vcpu_access(a->vcpu, (gfn_t)op->a[0], op->code == OPC_GWRITE);
		break;
	case OPC_MPROTECT:
		r->ret = do_mprotect_pkey(mm, addr, len, (int)op->a[2]);
		break;
	case OPC_MADV_FREE:
	case OPC_MADV_DONTNEED:
		r->ret = do_madvise(mm, addr, len, op->code == OPC_MADV_FREE ? MADV_FREE : MADV_DONTNEED);
		break;
	case OPC_RECLAIM:
		drv_reclaim(w, mm, addr);
		break;
	case OPC_AGE: {
		struct folio *folio = drv_folio_at(w, mm, addr);

		r->ret = folio ? folio_referenced(folio) : 0;
		break;
	}
	case OPC_MREMAP: {
		long ret = do_mremap(mm, addr, len, (u64)op->a[2]);

		drv_result(r, ret, "mremap(%#llx, %#llx -> %#llx) returns %ld",
			   (unsigned long long)addr, (unsigned long long)len,
			   (unsigned long long)op->a[2], ret);
		break;
	}
	case OPC_TRUNCATE:
		r->ret = truncate_page(w->mw, file, (pgoff_t)op->a[0]);
		break;
	case OPC_WRITEBACK:
		r->ret = mm_writeback_folio(w->mw, file, (pgoff_t)op->a[0]);
		break;
	case OPC_CLEAN_RECORD:
		drv_clean_record(w, file, (pgoff_t)op->a[0], (pgoff_t)op->a[1]);
		break;
	case OPC_WP_MAPPING:
		r->ret = (long)wp_shared_mapping_range(file, (pgoff_t)op->a[0], (pgoff_t)op->a[1]);
		break;
	case OPC_KVM_WRITE_PROTECT:
	case OPC_KVM_AGE:
	case OPC_KVM_SPLIT:
	case OPC_SPTE_SET:
	case OPC_SPTE_CLEAR:
	case OPC_MAP_HUGE:
		drv_kvm_op(w, w->kvm_of[op->ref], op, r);
		break;
	case OPC_FLUSH_ALL:
		for (int s = 0; s < w->hw->nr_spaces; s++)
			hw_flush_tlb(w->hw, s, 0, 0, true);
		break;
	case OPC_UFFD_REGISTER:
	case OPC_UFFD_WP:
	case OPC_UFFD_UNWP:
	case OPC_UFFD_COPY:
	case OPC_UFFD_ZEROPAGE:
	case OPC_PAGEMAP_SCAN:
		drv_uffd_op(w, mm, op, r);
		break;
	case OPC_KVM_LOG_DIRTY:
	case OPC_KVM_GET_DIRTY_LOG:
	case OPC_KVM_CLEAR_DIRTY_LOG:
	case OPC_KVM_RING_HARVEST:
	case OPC_KVM_RING_RESET:
		drv_dirty_log_op(w, op, r);
		break;
	case OPC_GUP_PIN: {
		long ret = drv_gup_pin(w, mm, addr);

		drv_result(r, ret, "pin_user_pages_fast(%#llx) returns %ld", (unsigned long long)addr,
			   ret);
		break;
	}
	case OPC_DMA_WRITE: {
		long ret = drv_dma_write(w, mm, addr);

		drv_result(r, ret, "DMA into the page pinned at %#llx%s", (unsigned long long)addr,
			   ret ? ": nothing pinned there" : ", then dirty and unpin it");
		break;
	}
	}
}
