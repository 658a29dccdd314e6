// SPDX-License-Identifier: GPL-2.0
/*
 * sim: the world, the access loop, the kernel activities, the ground
 * truth and the metrics.  See sim.h.
 *
 * Everything runs in direct mode (exec_engine == NULL): each model
 * primitive acts at once, so an operation is atomic with respect to the
 * accesses around it.  Races inside an operation are adsim check's job;
 * sim measures what each policy costs when operations interleave.
 */
#include "sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "../drv/drv.h"
#include "../kvm/kvm.h"

const char *const sim_memory_names[SIM_MEM_NR] = {
	[SIM_MEM_FILE] = "file", [SIM_MEM_SHMEM] = "shmem", [SIM_MEM_ANON] = "anon",
};

const char *const sim_populate_names[SIM_POP_NR] = {
	[SIM_POP_FAULT] = "fault", [SIM_POP_UFFD_COPY] = "uffd-copy",
};

const char *const sim_activity_names[ACT_NR] = {
	[ACT_AGING] = "aging", [ACT_WRITEBACK] = "writeback", [ACT_CLEAN] = "clean",
	[ACT_MADV_FREE] = "madv-free", [ACT_PAGEMAP_SCAN] = "pagemap-scan",
	[ACT_MPROTECT] = "mprotect",
	[ACT_DIRTY_LOG] = "dirty-log",
};

const char *const sim_dirty_log_mode_names[SIM_DL_NR] = {
	[SIM_DL_GET] = "get", [SIM_DL_CLEAR] = "clear", [SIM_DL_RING] = "ring",
};


/* Where the process maps the workload's pages: a 2 MiB boundary. */
#define SIM_BASE 0x200000000ULL
/* gt[] bits: accessed since the last aging pass (consumers use bits 0..) */
#define GT_ACCESSED 0x80
/* a page whose writes a repeated run times (struct sim_watch) */
#define GT_WATCH 0x40
_Static_assert(CONS_NR <= 6, "gt[]: a bit per consumer below GT_WATCH");
/* UFFDIO_WRITEPROTECT_MODE_WP */
#define SIM_SCAN_VEC 512

/*
 * The lost writes' times.  Keeping each page's last write time for the
 * report would cost a u64 per page (a u32 wraps after 2^32 accesses);
 * instead a run keeps only gt[], and a run that loses writes runs again
 * (sim_run(): a run is deterministic) watching just the lost pages, to
 * learn when each was last written.
 */
struct sim_watch {
	u32 nr;
	u64 page[SIM_MAX_LOST];
	u64 last_write[SIM_MAX_LOST];	/* 1 + its access index; 0: none */
};

struct sim {
	const struct sim_opts *o;
	struct mm_direct_world dw;
	struct mm_struct *mm;
	struct address_space *file;
	struct kvm *kvm;
	struct kvm_vcpu vcpus[KVM_MAX_VCPUS];
	int cpu_tlb[SIM_MAX_CPUS];
	int proc_tlb;		/* the CPU the process's own calls run on, or -1 */
	u64 pages;
	u8 consumers;		/* CONS_* bits the ground truth tracks */
	u8 *gt;			/* per page: CONS_* bits unreported, GT_ACCESSED, GT_WATCH */
	struct sim_watch *watch;	/* the repeat of a run that lost writes, or NULL */
	u64 now;		/* accesses done */
	u64 madv_chunk, madv_next;
	bool madv_pending;
	/* the process's, the vm's and the migration thread's state for drv/ */
	struct drv_world drv;
	struct drv_dirty_log dl;
	/* the --clean driver's dirty bitmap (vmw_bo_dirty); under dirty_track=wrprotect
	 * page_mkwrite() fills it between scans, [dirty_start, dirty_end) */
	u64 *dirty_bitmap;
	pgoff_t dirty_start, dirty_end;
	struct sim_metrics *m;
};

void sim_default_opts(struct sim_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->wl.kind = WL_ZIPF;
	o->wl.zipf_s = 1.0;
	o->wl.pages = 65536;
	o->wl.write_ratio = 0.3;
	o->wl.hot_fraction = 0.1;
	o->wl.hot_share = 0.9;
	o->wl.seed = 1;
	o->cpus = 2;
	o->vcpus = 2;
	o->memory = SIM_MEM_FILE;
	/* an x86 core: 64-entry 4-way L1 dTLB, 1536-entry 12-way STLB */
	o->l1 = (struct hw_tlb_geom){ 16, 4, TLB_REPL_LRU };
	o->l2 = (struct hw_tlb_geom){ 128, 12, TLB_REPL_LRU };
	o->accesses = 10000000;
	o->every[ACT_AGING] = 1000000;
	o->every[ACT_WRITEBACK] = 2500000;
	o->samples = 100;
	o->dirty_log_mode = SIM_DL_CLEAR;
	o->dirty_ring_entries = 4096;
	variant_defaults(&o->cfg);
}

/* ---- ground truth ---- */

static void sim_watch_write(struct sim *s, u64 page)
{
	for (u32 i = 0; i < s->watch->nr; i++)
		if (s->watch->page[i] == page)
			s->watch->last_write[i] = s->now + 1;
}

static inline void gt_access(struct sim *s, u64 page, bool write)
{
	u8 g = s->gt[page] | GT_ACCESSED;

	if (write) {
		g |= s->consumers;
		if (__builtin_expect(g & GT_WATCH, 0))
			sim_watch_write(s, page);
	}
	s->gt[page] = g;
}

/* The workload page a data frame holds, or -1 (the zero page, a PT). */
static s64 sim_page_of_pfn(struct sim *s, u64 pfn)
{
	struct folio *folio;

	if (pfn == s->dw.mw->zero_pfn || !hw_frame_is_data(s->dw.hw, pfn))
		return -1;
	folio = pfn_folio(s->dw.mw, pfn);
	if (folio_mapping(folio))
		return folio_mapping(folio) == s->file && folio->index < s->pages ?
			       (s64)folio->index : -1;
	if (folio_anon_mm(folio) == s->mm && folio_anon_addr(folio) >= SIM_BASE &&
	    ((folio_anon_addr(folio) - SIM_BASE) >> PAGE_SHIFT) < s->pages)
		return (s64)((folio_anon_addr(folio) - SIM_BASE) >> PAGE_SHIFT);
	return -1;
}

static void sim_reported(struct sim *s, enum obs_consumer c, u64 page)
{
	s->gt[page] &= (u8)~(1u << c);
	s->m->reported[c]++;
}

static void sim_obs_report(void *ctx, enum obs_consumer c, u64 pfn)
{
	struct sim *s = ctx;
	s64 page = sim_page_of_pfn(s, pfn);

	if (page >= 0)
		sim_reported(s, (enum obs_consumer)c, (u64)page);
}

/* MADV_FREE returned: earlier writes to the page need no report. */
static void sim_obs_absolve(void *ctx, enum obs_consumer c, u64 pfn)
{
	struct sim *s = ctx;
	s64 page = sim_page_of_pfn(s, pfn);

	if (page >= 0)
		s->gt[page] &= (u8)~(1u << c);
}

/* A tracker's report: a page of the mapping, or a gfn of the memslot. */
static void sim_obs_report_addr(void *ctx, enum obs_consumer c, int space, u64 addr)
{
	struct sim *s = ctx;
	u64 page = s->kvm && space == s->kvm->space ? addr >> PAGE_SHIFT :
						     (addr - SIM_BASE) >> PAGE_SHIFT;

	if (addr >= (s->kvm && space == s->kvm->space ? 0 : SIM_BASE) && page < s->pages)
		sim_reported(s, c, page);
}

/*
 * The ground truth tracks every page from the start, so a tracker's
 * baseline and its end (obs_track()) change nothing here.
 */
static const struct obs_ops sim_obs_ops = {
	.report = sim_obs_report,
	.absolve = sim_obs_absolve,
	.report_addr = sim_obs_report_addr,
};

/* ---- the world ---- */

/*
 * The driver's page_mkwrite(), as vmwgfx's vmw_bo_vm_mkwrite() under
 * VMW_BO_DIRTY_MKWRITE (drivers/gpu/drm/vmwgfx/vmwgfx_page_dirty.c,
 * v6.18): the first write of an interval to a write-protected page sets
 * its bit and widens [start, end).  The buffer starts at file offset 0.
 * Simplified: no buffer reservation lock (sim runs one step at a time).
 */
static int sim_vm_mkwrite(struct vm_fault *vmf)
{
	struct sim *s = vmf->vma->vm_private_data;
	pgoff_t off = vmf->pgoff;

	s->m->mkwrite_calls++;
	if (off >= s->pages)
		return VM_FAULT_SIGSEGV;	/* VM_FAULT_SIGBUS */
	if (!(s->dirty_bitmap[off / 64] & BIT_ULL(off % 64))) {
		s->dirty_bitmap[off / 64] |= BIT_ULL(off % 64);
		s->dirty_start = min_t(pgoff_t, s->dirty_start, off);
		s->dirty_end = max_t(pgoff_t, s->dirty_end, off + 1);
	}
	return 0;
}

static const struct vm_operations_struct sim_vm_ops = {
	.page_mkwrite = sim_vm_mkwrite,
};

static int sim_fail(char *err, size_t n, const char *what)
{
	snprintf(err, n, "%s", what);
	return -1;
}

/*
 * Dirty logging for ACT_DIRTY_LOG, set up as QEMU does before migration:
 * KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2 (clear mode) or KVM_CAP_DIRTY_LOG_RING
 * (ring mode, before the vCPUs' rings), then KVM_MEM_LOG_DIRTY_PAGES on
 * the memslot, which write-protects it; the log is on from the start.
 */
static int sim_dirty_log_setup(struct sim *s)
{
	const struct sim_opts *o = s->o;

	if (o->dirty_log_mode == SIM_DL_CLEAR &&
	    kvm_vm_ioctl_enable_cap_generic(s->kvm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
					    KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE))
		return -1;
	if (o->dirty_log_mode == SIM_DL_RING) {
		if (kvm_vm_ioctl_enable_cap_generic(s->kvm, KVM_CAP_DIRTY_LOG_RING,
						    (u64)o->dirty_ring_entries *
							    sizeof(struct kvm_dirty_gfn)))
			return -1;
		for (u32 i = 0; i < o->vcpus; i++)
			if (kvm_vcpu_create_dirty_ring(&s->vcpus[i], &s->dw.arena))
				return -1;
	}
	if (drv_dirty_log_init(&s->dl, s->kvm, &s->dw.arena))
		return -1;
	return kvm_set_memslot_flags(s->kvm, &s->dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES);
}

/* The CPUs' TLBs; with a guest, the VM, its memslot and the vCPUs' TLBs. */
static int sim_build_cpus(struct sim *s, u32 cpus, bool vm, char *err, size_t n)
{
	const struct sim_opts *o = s->o;
	u64 pages = s->pages;

	for (u32 i = 0; i < cpus; i++) {
		char name[16];

		snprintf(name, sizeof(name), "cpu%u", i);
		s->cpu_tlb[i] = hw_new_tlb_geom(s->dw.hw, &s->dw.arena, s->mm->space, -1, &o->l1,
						o->l2.sets ? &o->l2 : NULL, name);
		if (s->cpu_tlb[i] < 0)
			return sim_fail(err, n, "cannot create the CPUs' TLBs");
	}
	s->proc_tlb = cpus ? s->cpu_tlb[0] : -1;
	if (vm) {
		s->kvm = arena_alloc(&s->dw.arena, sizeof(*s->kvm));
		if (!s->kvm || kvm_create_vm(s->kvm, s->dw.hw, s->mm, &s->dw.cfg, "vm") ||
		    kvm_set_memory_region(s->kvm, 0, pages, SIM_BASE))
			return sim_fail(err, n, "cannot create the VM");
		for (u32 i = 0; i < o->vcpus; i++) {
			char name[16];

			snprintf(name, sizeof(name), "vcpu%u", i);
			s->vcpus[i].kvm = s->kvm;
			s->vcpus[i].id = (int)i;
			s->vcpus[i].host_tlb = -1;	/* nothing is write-tracked */
			s->vcpus[i].tlb = hw_new_tlb_geom(s->dw.hw, &s->dw.arena, s->kvm->space, -1,
							  &o->l1, o->l2.sets ? &o->l2 : NULL,
							  name);
			if (s->vcpus[i].tlb < 0)
				return sim_fail(err, n, "cannot create the vCPUs' TLBs");
		}
	}
	return 0;
}

/* The ground truth and the consumers the activities make. */
static int sim_build_consumers(struct sim *s, char *err, size_t n)
{
	const struct sim_opts *o = s->o;

	s->gt = calloc(s->pages, 1);
	if (!s->gt)
		return sim_fail(err, n, "out of memory for the ground truth");
	for (u32 i = 0; s->watch && i < s->watch->nr; i++)
		s->gt[s->watch->page[i]] |= GT_WATCH;
	if (o->every[ACT_WRITEBACK])
		s->consumers |= 1u << CONS_WRITEBACK;
	if (o->every[ACT_CLEAN])
		s->consumers |= 1u << CONS_CLEAN_RECORD;
	if (o->every[ACT_MADV_FREE])
		s->consumers |= 1u << CONS_LAZYFREE;
	if (o->every[ACT_PAGEMAP_SCAN])
		s->consumers |= 1u << CONS_PAGEMAP_SCAN;
	if (o->every[ACT_DIRTY_LOG])
		s->consumers |= 1u << CONS_DIRTY_LOG;
	return 0;
}

static int sim_build(struct sim *s, char *err, size_t n)
{
	const struct sim_opts *o = s->o;
	bool vm = sim_in_guest(o);
	/* page tables per side: leaf (PTE) tables, PMD tables, the upper ones */
	u64 pages = s->pages, tables = pages / 512 + pages / (512 * 512) + 16;
	u64 nr_frames = pages + 3 * tables + 64;
	u32 nr_pt = (u32)(2 * tables + 16);
	u64 flags = VM_READ | VM_WRITE, len = pages << PAGE_SHIFT;
	struct vm_area_struct *vma;
	/* the vm workload's accesses are the vCPUs': no host CPU caches the mm */
	u32 cpus = vm ? 0 : o->cpus;

	if (nr_pt > (1u << 30) || nr_frames > (1ULL << 31))
		return sim_fail(err, n, "too many pages for the model (at most 2^24)");
	/* extra: the file's page cache index, the VM, the TLBs */
	if (mm_direct_world_init(&s->dw, nr_frames, nr_pt, (size_t)pages * 8 + (32u << 20),
				 &o->cfg, &sim_obs_ops, s))
		return sim_fail(err, n, "out of memory");
	s->mm = mm_new(s->dw.mw, "sim");
	if (!s->mm)
		return sim_fail(err, n, "out of memory");
	s->mm->lazy_pte_tables = true;
	if (o->memory != SIM_MEM_ANON) {
		s->file = mm_new_file(s->dw.mw, &s->dw.arena, o->memory == SIM_MEM_FILE ? "file" : "memfd",
				      (u32)pages, o->memory == SIM_MEM_SHMEM);
		if (!s->file)
			return sim_fail(err, n, "out of memory for the file's pages");
		flags |= VM_SHARED;
	}
	vma = mm_mmap(s->mm, SIM_BASE, len, flags, s->file, 0);
	if (!vma)
		return sim_fail(err, n, "out of memory for the mapping");
	/*
	 * vmw_bo_dirty_add() under VMW_BO_DIRTY_MKWRITE would write-protect
	 * and clean the buffer now; it has no PTEs yet, so that finds nothing.
	 */
	if (o->every[ACT_CLEAN]) {
		s->dirty_bitmap = calloc((pages + 63) / 64, sizeof(u64));
		if (!s->dirty_bitmap)
			return sim_fail(err, n, "out of memory for the dirty bitmap");
		s->dirty_start = pages;
		s->dirty_end = 0;
		if (variant(&o->cfg, dirty_track) == dirty_track__wrprotect)
			vma_set_vm_ops(vma, &sim_vm_ops, s);
	}
	if (sim_build_cpus(s, cpus, vm, err, n))
		return -1;
	s->drv = (struct drv_world){ .hw = s->dw.hw, .mw = s->dw.mw, .obs = &s->dw.obs,
				     .ar = &s->dw.arena };
	s->drv.mm_of[0] = s->mm;
	s->drv.kvm_of[0] = s->kvm;
	s->drv.dl_of[0] = &s->dl;
	if (o->every[ACT_DIRTY_LOG] && sim_dirty_log_setup(s))
		return sim_fail(err, n, "the model refused the dirty-log set-up");
	if (o->populate == SIM_POP_UFFD_COPY) {
		if (userfaultfd_api(s->mm, 0) ||
		    userfaultfd_register_mode(s->mm, SIM_BASE, len, UFFDIO_REGISTER_MODE_MISSING))
			return sim_fail(err, n, "the model refused the userfaultfd set-up");
	}
	if (o->every[ACT_PAGEMAP_SCAN]) {
		if (userfaultfd_api(s->mm, UFFD_API_FEATURES) ||
		    userfaultfd_register(s->mm, SIM_BASE, len) ||
		    userfaultfd_writeprotect(s->mm, SIM_BASE, len, UFFDIO_WRITEPROTECT_MODE_WP))
			return sim_fail(err, n, "the model refused the userfaultfd set-up");
	}
	if (sim_build_consumers(s, err, n))
		return -1;
	s->madv_chunk = pages >= 16 ? pages / 16 : 1;
	return 0;
}

static void sim_destroy(struct sim *s)
{
	free(s->gt);
	free(s->dirty_bitmap);
	mm_direct_world_fini(&s->dw);
}

/* ---- accesses ---- */

static void sim_dirty_log_collect(struct sim *s);

/*
 * The vCPU exited with KVM_EXIT_DIRTY_RING_FULL: the access did not
 * happen.  Its thread harvests every ring and resets them (QEMU's
 * kvm_dirty_ring_reap()), then the access runs again.
 */
static void sim_dirty_ring_full(struct sim *s, struct kvm_vcpu *v)
{
	int tlb = s->dw.hw->direct_tlb;

	(void)v;
	sim_dirty_log_collect(s);
	s->dw.hw->direct_tlb = tlb;
}

static u64 sim_addr(u64 page)
{
	return SIM_BASE + (page << PAGE_SHIFT);
}

/*
 * The userfaultfd handler thread (a postcopy live-migration destination):
 * read the missing fault, fill the page with UFFDIO_COPY, which wakes the
 * faulting thread; the access is then repeated.  Mode 0: no hint flags,
 * whatever uffd_copy_hint says the kernel does with the PTE.
 */
static void sim_uffd_resolve(struct sim *s, int tlb, const struct wl_access *a)
{
	for (int tries = 0; tries < 4; tries++) {
		struct uffd_msg msg;
		s64 copied;

		if (userfaultfd_read(s->mm, &msg))
			return;
		if (!userfaultfd_copy(s->mm, msg.address & ~(PAGE_SIZE - 1), PAGE_SIZE, 0, &copied))
			s->m->uffd_copies++;
		if (mm_user_access(s->mm, tlb, sim_addr(a->page), a->write) != -EAGAIN)
			return;
	}
}

static inline void sim_access(struct sim *s, const struct wl_access *a)
{
	if (s->kvm) {
		struct kvm_vcpu *v = &s->vcpus[a->actor];

		if (!hw_access_hit(s->dw.hw, v->tlb, a->page << PAGE_SHIFT, a->write)) {
			s->dw.hw->direct_tlb = v->tlb;	/* the fault runs on the vCPU's CPU */
			while (kvm_vcpu_access(v, a->page, a->write) == KVM_EXIT_DIRTY_RING_FULL)
				sim_dirty_ring_full(s, v);
			s->dw.hw->direct_tlb = -1;
		}
	} else {
		int tlb = s->cpu_tlb[a->actor];

		if (!hw_access_hit(s->dw.hw, tlb, sim_addr(a->page), a->write)) {
			s->dw.hw->direct_tlb = tlb;	/* the fault runs on this CPU */
			if (mm_user_access(s->mm, tlb, sim_addr(a->page), a->write) == -EAGAIN)
				sim_uffd_resolve(s, tlb, a);
			s->dw.hw->direct_tlb = -1;
		}
	}
	gt_access(s, a->page, a->write);
}

/* ---- kernel activities ---- */

/* The data folio the page's PTE maps, or NULL (none, zero page). */
static struct folio *sim_mapped_folio(struct sim *s, u64 page)
{
	u64 *p = hw_lookup(s->dw.hw, s->mm->space, sim_addr(page), PG_LEVEL_4K);
	pte_t pte = { p ? *p : 0 };

	if (!(pte.pte & _PAGE_PRESENT) || pte_pfn(pte) == s->dw.mw->zero_pfn)
		return NULL;
	return pfn_folio(s->dw.mw, pte_pfn(pte));
}

/* The page's folio: the page cache's for a file, else the mapped one. */
static struct folio *sim_folio(struct sim *s, u64 page)
{
	if (s->file) {
		u64 pfn = s->file->pages[page];

		return pfn ? pfn_folio(s->dw.mw, pfn) : NULL;
	}
	return sim_mapped_folio(s, page);
}

/*
 * Reclaim-style aging (kswapd's shrink_active/inactive_list checks):
 * folio_referenced() on every resident folio, which clears the Accessed
 * bits of its PTEs and, through clear_flush_young, KVM's SPTEs.  Its
 * answer is judged against whether the page was really accessed since
 * the previous pass.
 */
static void act_aging(struct sim *s)
{
	struct sim_metrics *m = s->m;
	struct sim_aging_pass p = { .at = s->now };

	s->dw.hw->direct_tlb = -1;
	for (u64 page = 0; page < s->pages; page++) {
		struct folio *folio = sim_folio(s, page);
		bool referenced, accessed = s->gt[page] & GT_ACCESSED;

		if (!folio)
			continue;
		referenced = folio_referenced(folio) > 0;
		p.tp += referenced && accessed;
		p.fp += referenced && !accessed;
		p.fn += !referenced && accessed;
		s->gt[page] &= (u8)~GT_ACCESSED;
	}
	m->aging_tp += p.tp;
	m->aging_fp += p.fp;
	m->aging_fn += p.fn;
	m->aging[m->aging_passes++] = p;	/* sized for every pass: sim_run_once() */
}

/* The flusher: every page of the file written back if dirty. */
static void act_writeback(struct sim *s)
{
	s->dw.hw->direct_tlb = -1;
	for (u64 page = 0; page < s->pages; page++)
		mm_writeback_folio(s->dw.mw, s->file, page);
}

/* The driver's harvest: report the pages set in its bitmap and clear them. */
static void sim_report_dirty_bitmap(struct sim *s, pgoff_t start, pgoff_t end)
{
	for (pgoff_t i = start; i < end && i < s->pages; i++)
		if (s->dirty_bitmap[i / 64] & BIT_ULL(i % 64)) {
			s->dirty_bitmap[i / 64] &= ~BIT_ULL(i % 64);
			sim_reported(s, CONS_CLEAN_RECORD, i);
		}
}

/*
 * vmw_bo_dirty_scan_mkwrite() followed by the harvest that
 * vmw_bo_dirty_transfer_to_res() makes: re-arm the pages written since
 * the last scan (only [start, end): nothing written, nothing to do), then
 * report the bitmap page_mkwrite() filled and clear it.
 *
 * The order is what keeps every write.  A page's bit is set by the fault
 * that made its PTE writable, and the PTE stays writable (and cached in
 * TLBs) until it is write-protected again:
 *  1. wp_shared_mapping_range() first: a write that lands before its
 *     flush goes through a PTE that is still writable, so its page's bit
 *     is already set and is reported below;
 *  2. then take and clear the bitmap: a write after the flush faults into
 *     page_mkwrite() and sets the bit afresh for the next scan (vmwgfx
 *     holds the buffer's reservation over both steps, which the hook also
 *     takes, so such a fault waits until the bitmap is cleared).
 * Clearing first would lose a write made between the clear and the
 * write-protect: the PTE is writable, so no fault sets the bit, and the
 * write-protect then hides the page from every later scan.
 */
static void act_clean_mkwrite(struct sim *s)
{
	pgoff_t start = s->dirty_start, end = s->dirty_end;

	if (end <= start)
		return;
	s->dw.hw->direct_tlb = s->proc_tlb;
	wp_shared_mapping_range(s->file, start, end - start);
	sim_report_dirty_bitmap(s, start, end);
	s->dirty_start = s->pages;
	s->dirty_end = 0;
}

/*
 * A driver's dirty scan over its shared buffer (vmwgfx's
 * vmw_bo_dirty_scan_pagetable(), seeds/003): clean and record, from the
 * process's CPU; the bitmap is the report.  Under dirty_track=wrprotect,
 * act_clean_mkwrite().
 */
static void act_clean(struct sim *s)
{
	pgoff_t start = 0, end = 0;

	if (variant(&s->o->cfg, dirty_track) == dirty_track__wrprotect) {
		act_clean_mkwrite(s);
		return;
	}
	s->dw.hw->direct_tlb = s->proc_tlb;
	clean_record_shared_mapping_range(s->file, 0, s->pages, 0, s->dirty_bitmap, &start, &end);
	sim_report_dirty_bitmap(s, start, end);
}

/* Reclaim (kswapd) of the chunk an earlier MADV_FREE made lazyfree. */
static void sim_reclaim_range(struct sim *s, u64 first, u64 nr)
{
	s->dw.hw->direct_tlb = -1;
	for (u64 page = first; page < first + nr && page < s->pages; page++) {
		struct folio *folio = sim_mapped_folio(s, page);

		if (folio)
			mm_reclaim_folio(s->dw.mw, folio_pfn(folio));
	}
}

/*
 * An allocator returning memory with MADV_FREE (jemalloc's purge): a
 * sixteenth of the pages at a time, in turn; the chunk freed last time
 * is reclaimed first, as memory pressure would.
 */
static void act_madv_free(struct sim *s)
{
	u64 first = s->madv_next, nr = s->madv_chunk;

	if (s->madv_pending) {
		u64 prev = (first + s->pages - nr) % s->pages;

		sim_reclaim_range(s, prev, nr);
	}
	if (first + nr > s->pages)
		nr = s->pages - first;
	s->dw.hw->direct_tlb = s->proc_tlb;
	do_madvise(s->mm, sim_addr(first), nr << PAGE_SHIFT, MADV_FREE);
	s->madv_pending = true;
	s->madv_next = first + nr >= s->pages ? 0 : first + nr;
}

/*
 * A uffd-wp async dirty tracker (CRIU's pre-dump, a live-migration
 * source) over the whole mapping: drv_pagemap_scan_collect().
 */
static void act_pagemap_scan(struct sim *s)
{
	static struct page_region vec[SIM_SCAN_VEC];

	s->dw.hw->direct_tlb = s->proc_tlb;
	drv_pagemap_scan_collect(&s->drv, s->mm, SIM_BASE, sim_addr(s->pages), vec, SIM_SCAN_VEC);
}

/*
 * The migration thread reading the dirty log of the guest's memslot
 * (QEMU's log_sync and log_clear, or its dirty-ring reaper):
 * drv_dirty_log_collect().
 */
static void sim_dirty_log_collect(struct sim *s)
{
	s->dw.hw->direct_tlb = -1;
	drv_dirty_log_collect(&s->drv, 0);
}

/*
 * A write barrier as a checkpointer or an incremental GC sets one: the
 * whole mapping read-only, then writable again.  Write-protecting is where
 * pte_needs_flush() decides (change_protection()), so this is the activity
 * flush_clean_writable changes.
 */
static void act_mprotect(struct sim *s)
{
	u64 len = s->pages << PAGE_SHIFT;

	s->dw.hw->direct_tlb = s->proc_tlb;
	do_mprotect_pkey(s->mm, SIM_BASE, len, PROT_READ);
	do_mprotect_pkey(s->mm, SIM_BASE, len, PROT_READ | PROT_WRITE);
}

static void sim_activity(struct sim *s, enum sim_activity act)
{
	s->m->activity_runs[act]++;
	switch (act) {
	case ACT_AGING:
		act_aging(s);
		break;
	case ACT_WRITEBACK:
		act_writeback(s);
		break;
	case ACT_CLEAN:
		act_clean(s);
		break;
	case ACT_MADV_FREE:
		act_madv_free(s);
		break;
	case ACT_PAGEMAP_SCAN:
		act_pagemap_scan(s);
		break;
	case ACT_DIRTY_LOG:
		sim_dirty_log_collect(s);
		break;
	case ACT_MPROTECT:
		act_mprotect(s);
		break;
	case ACT_NR:
		break;
	}
	s->dw.hw->direct_tlb = -1;
}

/*
 * The final quiesce-and-collect: every TLB flushed, then each consumer
 * collects once more; whatever it still does not report is lost.
 */
static void sim_final_collect(struct sim *s)
{
	s->dw.hw->direct_tlb = -1;
	for (int sp = 0; sp < s->dw.hw->nr_spaces; sp++)
		hw_flush_tlb(s->dw.hw, sp, 0, 0, true);
	if (s->consumers & (1u << CONS_LAZYFREE)) {
		if (s->madv_pending)
			sim_reclaim_range(s, 0, s->pages);
		else
			for (u64 page = 0; page < s->pages; page++)
				s->gt[page] &= (u8)~(1u << CONS_LAZYFREE);
	}
	if (s->consumers & (1u << CONS_CLEAN_RECORD))
		act_clean(s);
	if (s->consumers & (1u << CONS_PAGEMAP_SCAN))
		act_pagemap_scan(s);
	if (s->consumers & (1u << CONS_WRITEBACK))
		act_writeback(s);
	if (s->consumers & (1u << CONS_DIRTY_LOG))
		sim_dirty_log_collect(s);
	s->dw.hw->direct_tlb = -1;
}

/* ---- metrics ---- */

static void sim_count(struct sim *s, struct sim_metrics *m)
{
	struct hw *hw = s->dw.hw;

	m->tlb_hits = hw->stats.tlb_hits;
	m->tlb_l2_hits = hw->stats.tlb_l2_hits;
	m->walks = hw->stats.walks;
	m->dirty_assists = hw->stats.dirty_assists;
	m->accessed_sets = hw->stats.accessed_sets;
	m->dirty_sets = hw->stats.dirty_sets;
	m->ipis = hw->stats.ipis;
	m->flush_cpu_range = m->flush_cpu_full = m->flush_ept_range = m->flush_ept_full = 0;
	for (int i = 0; i < hw->nr_tlbs; i++) {
		const struct hw_tlb *t = &hw->tlbs[i];

		if (hw->spaces[t->space].kind == HW_SPACE_EPT) {
			m->flush_ept_range += t->flush_range;
			m->flush_ept_full += t->flush_full;
		} else {
			m->flush_cpu_range += t->flush_range;
			m->flush_cpu_full += t->flush_full;
		}
	}
	m->tlb_flushes = m->flush_cpu_range + m->flush_cpu_full + m->flush_ept_range +
			 m->flush_ept_full;
	memcpy(m->events, s->dw.mw->events, sizeof(m->events));
	m->fault_missing = m->events[PGFAULT_MISSING];
	m->fault_wp = m->events[PGFAULT_WP];
	m->fault_uffd_wp = m->events[PGFAULT_UFFD_WP];
	m->fault_spurious = m->events[PGFAULT_SPURIOUS];
	m->page_faults = m->events[PGFAULT];
	m->notifier_calls = 0;
	for (int e = MN_INVALIDATE_RANGE_START; e <= MN_RELEASE; e++)
		m->notifier_calls += m->events[e];
	if (s->kvm) {
		m->kvm_pf_taken = s->kvm->stat.pf_taken;
		m->kvm_pf_fast = s->kvm->stat.pf_fast;
		m->kvm_pf_fixed = s->kvm->stat.pf_fixed;
		m->kvm_pf_spurious = s->kvm->stat.pf_spurious;
		m->spte_zaps = s->kvm->stat.spte_zapped;
		m->kvm_tlb_flushes = s->kvm->stat.remote_tlb_flush;
		m->kvm_dirty_marked = s->kvm->stat.dirty_marked;
		m->kvm_dirty_wrprot = s->kvm->stat.dirty_wrprot;
		m->kvm_ring_full_exits = s->kvm->stat.dirty_ring_full;
		m->page_faults += m->kvm_pf_taken;
	}
}

static void sim_sample(struct sim *s, struct sim_metrics *m)
{
	struct sim_sample *p;

	if (!m->samples || m->nr_samples >= s->o->samples)
		return;
	sim_count(s, m);
	p = &m->samples[m->nr_samples++];
	p->accesses = s->now;
	p->tlb_flushes = m->tlb_flushes;
	p->ipis = m->ipis;
	p->page_faults = m->page_faults;
	p->notifier_calls = m->notifier_calls;
	p->spte_zaps = m->spte_zaps;
	p->dirty_helper_ptes = m->events[DIRTY_HELPER_PTES];
}

static double sim_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A terminal sees progress on runs longer than a second. */
static void sim_progress(const struct sim *s, double t0, double *last, bool done)
{
	double t = sim_clock();

	if (done) {
		if (*last > 0)
			fprintf(stderr, "\r\033[K");
		return;
	}
	if (t - t0 < 1.0 || t - *last < 0.25)
		return;
	*last = t;
	fprintf(stderr, "\rsim: %s%3.0f%%  %llu of %llu accesses  %.1f M/s  %.1f s ",
		s->watch ? "again, to time the lost writes: " : "",
		100.0 * (double)s->now / (double)s->o->accesses, (unsigned long long)s->now,
		(unsigned long long)s->o->accesses, (double)s->now / (t - t0) / 1e6, t - t0);
}

static int sim_check_opts(const struct sim_opts *o, char *err, size_t n)
{
	bool vm = sim_in_guest(o);

	if (o->in_guest && o->wl.kind == WL_VM)
		return snprintf(err, n, "--in-guest needs a workload other than vm, which runs in a guest already"), -1;
	if (o->cpus < 1 || o->cpus > SIM_MAX_CPUS)
		return snprintf(err, n, "--cpus %u: expected 1 to %d", o->cpus, SIM_MAX_CPUS), -1;
	if (vm && (o->vcpus < 1 || o->vcpus > KVM_MAX_VCPUS ||
		   o->cpus + o->vcpus > HW_MAX_TLBS))
		return snprintf(err, n, "--vcpus %u: expected 1 to %d (and CPUs + vCPUs at most %d)",
				o->vcpus, KVM_MAX_VCPUS, HW_MAX_TLBS), -1;
	if (o->wl.pages < 1 || o->wl.pages > (1ULL << 24))
		return snprintf(err, n, "--pages %llu: expected 1 to %llu",
				(unsigned long long)o->wl.pages, 1ULL << 24), -1;
	if (o->every[ACT_WRITEBACK] && o->memory != SIM_MEM_FILE)
		return snprintf(err, n, "writeback needs --memory file"), -1;
	if (o->every[ACT_CLEAN] && o->memory == SIM_MEM_ANON)
		return snprintf(err, n, "the clean cycle needs a shared mapping: --memory file or shmem"), -1;
	if (o->every[ACT_CLEAN] && o->every[ACT_WRITEBACK])
		return snprintf(err, n, "the clean cycle and writeback both consume the PTE dirty bits of one file: choose one"), -1;
	if (o->every[ACT_MADV_FREE] && o->memory != SIM_MEM_ANON)
		return snprintf(err, n, "MADV_FREE needs --memory anon"), -1;
	if (o->every[ACT_PAGEMAP_SCAN] && o->memory == SIM_MEM_FILE)
		return snprintf(err, n, "uffd-wp needs --memory anon or shmem"), -1;
	if (o->every[ACT_DIRTY_LOG] && !vm)
		return snprintf(err, n, "the KVM dirty log needs a guest: --workload vm or --in-guest"), -1;
	if (o->every[ACT_DIRTY_LOG] && o->dirty_log_mode == SIM_DL_RING &&
	    (o->dirty_ring_entries < 256 || o->dirty_ring_entries > KVM_DIRTY_RING_MAX_ENTRIES ||
	     (o->dirty_ring_entries & (o->dirty_ring_entries - 1))))
		return snprintf(err, n, "--dirty-ring-size %u: expected a power of two from 256 to %d",
				o->dirty_ring_entries, KVM_DIRTY_RING_MAX_ENTRIES), -1;
	if (o->populate == SIM_POP_UFFD_COPY && (o->memory != SIM_MEM_ANON || vm))
		return snprintf(err, n, "--populate uffd-copy needs --memory anon and a CPU workload"), -1;
	if (o->populate == SIM_POP_UFFD_COPY && o->every[ACT_PAGEMAP_SCAN])
		return snprintf(err, n, "--populate uffd-copy and --pagemap-scan: the model's one "
					"userfaultfd context serves only one of them"), -1;
	return 0;
}

/* One run; under a watch, the repeat of a run that lost writes. */
/*
 * The workload's accesses, with each kernel activity at its interval and
 * a sample every o->accesses / o->samples accesses.
 */
static void sim_loop(struct sim *s, struct wl *w)
{
	const struct sim_opts *o = s->o;
	struct sim_metrics *m = s->m;
	u64 next[ACT_NR], due = ~0ULL, sample_every, next_sample;
	double t0, last = 0;
	bool progress = o->progress && isatty(2);

	for (int a = 0; a < ACT_NR; a++) {
		next[a] = o->every[a] ? o->every[a] : ~0ULL;
		if (next[a] < due)
			due = next[a];
	}
	sample_every = o->samples ? (o->accesses + o->samples - 1) / o->samples : ~0ULL;
	if (!sample_every)
		sample_every = 1;
	next_sample = sample_every;
	if (due > next_sample)
		due = next_sample;
	t0 = sim_clock();
	while (s->now < o->accesses) {
		/* the accesses up to the next event, without a check each */
		u64 stop = due < o->accesses ? due : o->accesses;

		if (progress && stop - s->now > (1u << 18))
			stop = s->now + (1u << 18);
		while (s->now < stop) {
			struct wl_access batch[256];
			u32 nb = stop - s->now < 256 ? (u32)(stop - s->now) : 256;

			wl_fill(w, batch, nb);
			for (u32 i = 0; i < nb; i++) {
				m->writes += batch[i].write;
				sim_access(s, &batch[i]);
				s->now++;
			}
		}
		if (progress)
			sim_progress(s, t0, &last, false);
		if (s->now < due)
			continue;
		for (int a = 0; a < ACT_NR; a++)
			if (s->now >= next[a]) {
				sim_activity(s, (enum sim_activity)a);
				next[a] += o->every[a];
			}
		if (s->now >= next_sample) {
			sim_sample(s, m);
			next_sample += sample_every;
		}
		due = next_sample;
		for (int a = 0; a < ACT_NR; a++)
			if (next[a] < due)
				due = next[a];
	}
	m->seconds = sim_clock() - t0;
	if (progress)
		sim_progress(s, t0, &last, true);
}

/* After the final collect: resident pages, and the writes still unreported. */
static void sim_judge(struct sim *s, struct sim_metrics *m)
{
	for (u64 page = 0; page < s->pages; page++) {
		u8 lost = s->gt[page] & s->consumers;

		if (sim_folio(s, page))
			m->resident_pages++;
		for (int c = 0; lost && c < CONS_NR; c++) {
			if (!(lost & (1u << c)))
				continue;
			if (m->lost_writes < SIM_MAX_LOST)
				m->lost[m->lost_writes] = (struct sim_lost){
					page, 0, (enum obs_consumer)c	/* time: sim_run() */
				};
			m->lost_writes++;
		}
	}
}

static int sim_run_once(const struct sim_opts *o, struct sim_metrics *m,
			struct sim_watch *watch, char *err, size_t n)
{
	struct sim s = { .o = o, .m = m, .watch = watch };
	struct wl w;
	struct wl_params wp = o->wl;
	struct rusage ru;

	memset(m, 0, sizeof(*m));
	if (sim_check_opts(o, err, n))
		return -1;
	wp.actors = o->wl.kind == WL_TRACE ? 1 : sim_in_guest(o) ? o->vcpus : o->cpus;
	if (wl_init(&w, &wp, err, n))
		return -1;
	s.pages = wp.pages;
	if (sim_build(&s, err, n)) {
		sim_destroy(&s);
		return -1;
	}
	m->samples = o->samples ? calloc(o->samples, sizeof(*m->samples)) : NULL;
	/* aging runs every o->every[ACT_AGING] accesses, never more often */
	m->aging = o->every[ACT_AGING] ?
			   calloc(o->accesses / o->every[ACT_AGING] + 1, sizeof(*m->aging)) : NULL;
	if (o->every[ACT_AGING] && !m->aging) {
		sim_destroy(&s);
		return sim_fail(err, n, "out of memory for the aging passes");
	}
	sim_loop(&s, &w);
	m->accesses = s.now;
	m->reads = m->accesses - m->writes;
	sim_final_collect(&s);
	sim_count(&s, m);
	m->precision = sim_aging_ratio(m->aging_tp, m->aging_fp);
	m->recall = sim_aging_ratio(m->aging_tp, m->aging_fn);
	sim_judge(&s, m);
	m->model_bytes = s.dw.arena.used;
	getrusage(RUSAGE_SELF, &ru);
	m->peak_rss_bytes = (u64)ru.ru_maxrss * 1024;
	sim_destroy(&s);
	return 0;
}

/* Whether the repeat lost the same writes, as a deterministic run must. */
static bool sim_same_run(const struct sim_metrics *a, const struct sim_metrics *b)
{
	if (a->accesses != b->accesses || a->writes != b->writes ||
	    a->lost_writes != b->lost_writes || a->tlb_flushes != b->tlb_flushes ||
	    a->page_faults != b->page_faults || memcmp(a->reported, b->reported, sizeof(a->reported)))
		return false;
	for (u64 l = 0; l < a->lost_writes && l < SIM_MAX_LOST; l++)
		if (a->lost[l].page != b->lost[l].page || a->lost[l].consumer != b->lost[l].consumer)
			return false;
	return true;
}

/*
 * A run, and if it lost writes, the same run again watching the lost
 * pages (struct sim_watch) to name the access that last wrote each.  The
 * first run's world is gone by then, so the repeat does not add to the
 * peak memory; the metrics (seconds included) are the first run's.
 */
int sim_run(const struct sim_opts *o, struct sim_metrics *m, char *err, size_t n)
{
	struct sim_watch watch = { 0 };
	struct sim_metrics again;
	u64 nr;

	if (sim_run_once(o, m, NULL, err, n))
		return -1;
	if (!m->lost_writes)
		return 0;
	nr = m->lost_writes < SIM_MAX_LOST ? m->lost_writes : SIM_MAX_LOST;
	for (u64 l = 0; l < nr; l++)
		if (!watch.nr || watch.page[watch.nr - 1] != m->lost[l].page)
			watch.page[watch.nr++] = m->lost[l].page;	/* in page order */
	if (sim_run_once(o, &again, &watch, err, n)) {
		sim_metrics_free(m);
		return -1;
	}
	if (!sim_same_run(m, &again)) {
		sim_metrics_free(&again);
		sim_metrics_free(m);
		return sim_fail(err, n, "the run repeated to time its lost writes did not lose the "
					"same writes: the simulation is not deterministic (an adsim bug)");
	}
	sim_metrics_free(&again);
	for (u64 l = 0, i = 0; l < nr; l++) {
		while (watch.page[i] != m->lost[l].page)
			i++;
		if (!watch.last_write[i]) {
			sim_metrics_free(m);
			return sim_fail(err, n, "a lost page was never written in the repeated run "
						"(an adsim bug)");
		}
		m->lost[l].time = watch.last_write[i] - 1;
	}
	return 0;
}

void sim_metrics_free(struct sim_metrics *m)
{
	free(m->samples);
	m->samples = NULL;
	free(m->aging);
	m->aging = NULL;
}
