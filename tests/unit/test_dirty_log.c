// SPDX-License-Identifier: GPL-2.0
/*
 * KVM dirty logging (kvm/kvm_main.c, kvm/dirty_ring.c): counts worked out
 * by hand for one vCPU writing N distinct gfns with logging on from the
 * start, in each way of reading the log; the dirty ring's soft-full exit;
 * then adsim sim's lost-write oracle over the vm workload in every mode,
 * and the mutation that skips the flush, which it must catch.
 *
 * Every count follows from: logging on write-protects the slot and
 * flushes (1 remote flush); a first write is a not-present EPT violation
 * whose make_spte() creates a writable SPTE and logs the gfn; reading the
 * log re-protects each reported gfn (one SPTE write-protected each) and
 * flushes once if it reported any; a rewrite then misses the TLB, finds
 * W clear with MMU-writable set, and fast_page_fault() restores W and
 * logs the gfn again.
 */
#include <string.h>

#include "../../exec/arena.h"
#include "../../kvm/kvm.h"
#include "../../sim/sim.h"
#include "unit.h"

/*
 * The guest: one memslot of 256 pages over a shared file mapping, one
 * vCPU with a TLB (16 sets x 4 ways, 64 entries, then a 1024-entry second
 * level), built in direct mode as adsim sim builds its world.  The huge
 * world (__dl_build()) has 512 pages whose frames are one aligned run, so
 * that a 2M SPTE can map them.
 */
#define DL_PAGES 256
#define DL_HUGE_PAGES 512
#define DL_BASE 0x200000000ULL

struct dl {
	struct mm_direct_world dw;
	struct variant_cfg cfg;
	struct kvm *kvm;
	struct kvm_vcpu *v;
	struct address_space *file;
	u64 bitmap[DL_HUGE_PAGES / 64];
	u32 fetch;		/* the ring reader's next entry */
};

static bool __dl_build(struct dl *d, const char *set, u64 pages, bool huge)
{
	struct hw_tlb_geom l1 = { 16, 4, TLB_REPL_LRU }, l2 = { 128, 8, TLB_REPL_LRU };
	struct address_space *file;
	struct mm_struct *mm;
	char err[128];

	memset(d, 0, sizeof(*d));
	variant_defaults(&d->cfg);
	if (set && variant_set(&d->cfg, set, err, sizeof(err))) {
		printf("    %s\n", err);
		CHECK(0);
		return false;
	}
	if (mm_direct_world_init(&d->dw, huge ? 4 * pages : pages + 64, 64, 4u << 20, &d->cfg,
				 NULL, NULL)) {
		CHECK(0);
		return false;
	}
	mm = mm_new(d->dw.mw, "vmm");
	if (huge) {
		/* data frames come up from the bottom: pad to a boundary */
		u64 pad = hw_alloc_data(d->dw.hw, 1, 1);

		hw_free_data(d->dw.hw, pad);
		pad = (pages - pad % pages) % pages;
		CHECK(!pad || hw_alloc_data(d->dw.hw, pad, 1));
	}
	file = mm ? mm_new_file(d->dw.mw, &d->dw.arena, "guest", (u32)pages, false) : NULL;
	d->kvm = arena_alloc(&d->dw.arena, sizeof(*d->kvm));
	d->v = arena_alloc(&d->dw.arena, sizeof(*d->v));
	if (!file || !d->kvm || !d->v ||
	    !mm_mmap(mm, DL_BASE, pages << PAGE_SHIFT, VM_READ | VM_WRITE | VM_SHARED,
		     file, 0) ||
	    kvm_create_vm(d->kvm, d->dw.hw, mm, &d->dw.cfg, "vm") ||
	    kvm_set_memory_region(d->kvm, 0, pages, DL_BASE)) {
		CHECK(0);
		mm_direct_world_fini(&d->dw);
		return false;
	}
	d->v->kvm = d->kvm;
	d->v->tlb = hw_new_tlb_geom(d->dw.hw, &d->dw.arena, d->kvm->space, -1, &l1, &l2, "vcpu0");
	CHECK(d->v->tlb >= 0);
	d->dw.hw->direct_tlb = d->v->tlb;	/* faults run on the vCPU's CPU */
	d->file = file;
	return true;
}

static bool dl_build(struct dl *d, const char *set)
{
	return __dl_build(d, set, DL_PAGES, false);
}

static void dl_free(struct dl *d)
{
	mm_direct_world_fini(&d->dw);
}

static int dl_write_pages(struct dl *d, u64 n)
{
	int bad = 0;

	for (u64 gfn = 0; gfn < n; gfn++)
		bad += kvm_vcpu_access(d->v, gfn, true) != 0;
	return bad;
}

/* KVM_GET_DIRTY_LOG: the number of gfns reported; -1 on error. */
static int dl_get(struct dl *d)
{
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = d->bitmap };
	int n = 0;

	if (kvm_vm_ioctl_get_dirty_log(d->kvm, &log))
		return -1;
	for (int w = 0; w < DL_PAGES / 64; w++)
		n += __builtin_popcountll(d->bitmap[w]);
	return n;
}

static void dl_clear(struct dl *d)
{
	struct kvm_clear_dirty_log c = {
		.slot = 0, .num_pages = DL_PAGES, .first_page = 0, .dirty_bitmap = d->bitmap,
	};

	CHECK_EQ(kvm_vm_ioctl_clear_dirty_log(d->kvm, &c), 0);
}

/* Harvests the ring: the entries' offsets must be first, first+1, ... */
static int dl_harvest(struct dl *d, u64 first)
{
	struct kvm_dirty_ring *r = &d->v->dirty_ring;
	int n = 0;

	for (;;) {
		struct kvm_dirty_gfn *e = &r->dirty_gfns[d->fetch & (r->size - 1)];

		if (!(e->flags & KVM_DIRTY_GFN_F_DIRTY))
			break;
		CHECK_EQ(e->slot, 0);
		CHECK_EQ(e->offset, first + (u64)n);
		e->flags = KVM_DIRTY_GFN_F_RESET;
		d->fetch++;
		n++;
	}
	return n;
}

/*
 * A 2M SPTE in a slot that starts logging: logging write-protects it, and
 * a guest write to one of its gfns cannot be fixed by fast_page_fault()
 * (a huge page in a logged slot), so the slow path splits it in
 * kvm_tdp_mmu_map(): the written gfn is mapped 4K, writable and logged;
 * the other 511 become read-only 4K SPTEs of the same pages.  The world:
 * a 512-page file whose pages are one aligned run of frames (the huge
 * page), mapped by the VMM and by one 2M SPTE.
 */
TEST(dirty_log_write_splits_huge_spte)
{
	struct dl d;
	struct kvm_dirty_log log = { .slot = 0, .dirty_bitmap = d.bitmap };
	u64 base, spte;
	int level;

	if (!__dl_build(&d, NULL, DL_HUGE_PAGES, true))
		return;
	base = d.file->pages[0];
	CHECK_EQ(base % 512, 0);
	CHECK_EQ(d.file->pages[511], base + 511);
	CHECK_EQ(kvm_tdp_mmu_map_huge(d.kvm, 0, base), 0);

	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	kvm_tdp_mmu_walk(d.kvm, 7, &level, &spte);
	CHECK(level == PG_LEVEL_2M && is_shadow_present_pte(spte) && !is_writable_pte(spte));
	CHECK_EQ(kvm_vcpu_access(d.v, 7, true), 0);
	CHECK_EQ(d.kvm->stat.pf_fast, 0);
	kvm_tdp_mmu_walk(d.kvm, 7, &level, &spte);
	CHECK(level == PG_LEVEL_4K && is_writable_pte(spte));
	CHECK_EQ(spte_to_pfn(spte), base + 7);
	kvm_tdp_mmu_walk(d.kvm, 8, &level, &spte);
	CHECK(level == PG_LEVEL_4K && is_shadow_present_pte(spte) && !is_writable_pte(spte));
	CHECK_EQ(spte_to_pfn(spte), base + 8);
	CHECK_EQ(d.kvm->stat.dirty_marked, 1);
	CHECK_EQ(kvm_vm_ioctl_get_dirty_log(d.kvm, &log), 0);
	CHECK_EQ(d.bitmap[0], 1ULL << 7);
	for (int w = 1; w < DL_HUGE_PAGES / 64; w++)
		CHECK_EQ(d.bitmap[w], 0);
	/* a read of another gfn hits the split table: no fault */
	CHECK_EQ(kvm_vcpu_access(d.v, 300, false), 0);
	CHECK_EQ(d.kvm->stat.pf_taken, 1);
	dl_free(&d);
}

/*
 *   gfn        0 .. N-1
 *   write      SPTE W=1 D=1, logged             (N slow faults)
 *   get        reports N, SPTE W=0 MMU-W=1      (N write-protected, 1 flush)
 *   rewrite    fast_page_fault W=1, logged      (N fast faults)
 *   get        reports N                        (1 flush)
 *   get        reports 0, nothing to protect    (no flush)
 */
TEST(dirty_log_get_counts)
{
	enum { N = 40 };
	struct dl d;

	if (!dl_build(&d, NULL))
		return;
	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 1);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_taken, N);
	CHECK_EQ(d.kvm->stat.pf_fast, 0);
	CHECK_EQ(d.kvm->stat.dirty_marked, N);
	CHECK_EQ(dl_get(&d), N);
	CHECK_EQ(d.bitmap[0], (1ULL << N) - 1);
	CHECK_EQ(d.kvm->stat.dirty_wrprot, N);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 2);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_taken, 2 * N);
	CHECK_EQ(d.kvm->stat.pf_fast, N);
	CHECK_EQ(d.kvm->stat.dirty_marked, 2 * N);
	CHECK_EQ(dl_get(&d), N);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 3);
	CHECK_EQ(dl_get(&d), 0);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 3);
	CHECK_EQ(d.kvm->stat.dirty_wrprot, 2 * N);
	/* the clear ioctl needs manual protect; the ring ioctl needs a ring */
	{
		struct kvm_clear_dirty_log c = { .slot = 0, .num_pages = DL_PAGES, .dirty_bitmap = d.bitmap };

		CHECK_EQ(kvm_vm_ioctl_clear_dirty_log(d.kvm, &c), -EINVAL);
	}
	CHECK_EQ(kvm_vm_ioctl_reset_dirty_pages(d.kvm), -EINVAL);
	dl_free(&d);
}

/*
 * Manual protect: get reports N and protects nothing, so a rewrite hits
 * the TLB (no fault, nothing logged); clear re-protects the N and
 * flushes; the next rewrite takes N fast faults and get reports N again.
 */
TEST(dirty_log_manual_protect_counts)
{
	enum { N = 40 };
	struct dl d;

	if (!dl_build(&d, NULL))
		return;
	CHECK_EQ(kvm_vm_ioctl_enable_cap_generic(d.kvm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
						 KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE), 0);
	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(dl_get(&d), N);
	CHECK_EQ(d.kvm->stat.dirty_wrprot, 0);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 1);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_taken, N);		/* TLB hits */
	CHECK_EQ(d.kvm->stat.dirty_marked, N);
	dl_clear(&d);
	CHECK_EQ(d.kvm->stat.dirty_wrprot, N);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 2);
	CHECK_EQ(dl_get(&d), 0);			/* clear consumed them */
	dl_clear(&d);					/* nothing left to clear: no flush */
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 2);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_fast, N);
	CHECK_EQ(dl_get(&d), N);
	dl_free(&d);
}

/*
 * The dirty ring carries the same gfns, in order: N entries, harvested
 * and reset (N write-protected, 1 flush), N more after the rewrite; a
 * reset with nothing harvested resets 0 and does not flush.
 */
TEST(dirty_log_ring_counts)
{
	enum { N = 40 };
	struct dl d;

	if (!dl_build(&d, NULL))
		return;
	CHECK_EQ(kvm_vm_ioctl_enable_cap_generic(d.kvm, KVM_CAP_DIRTY_LOG_RING, 100), -EINVAL);
	CHECK_EQ(kvm_vm_ioctl_enable_cap_generic(d.kvm, KVM_CAP_DIRTY_LOG_RING,
						 256 * sizeof(struct kvm_dirty_gfn)), 0);
	CHECK_EQ(kvm_vcpu_create_dirty_ring(d.v, &d.dw.arena), 0);
	CHECK_EQ(d.v->dirty_ring.soft_limit, 256 - 64);
	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	CHECK(d.kvm->slots[0].dirty_bitmap == NULL);	/* the ring replaces it */
	CHECK_EQ(dl_get(&d), -1);			/* -ENXIO */
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(dl_harvest(&d, 0), N);
	CHECK_EQ(kvm_vm_ioctl_reset_dirty_pages(d.kvm), N);
	CHECK_EQ(d.kvm->stat.dirty_wrprot, N);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 2);
	CHECK_EQ(kvm_vm_ioctl_reset_dirty_pages(d.kvm), 0);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 2);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_fast, N);
	CHECK_EQ(dl_harvest(&d, 0), N);
	CHECK_EQ(kvm_vm_ioctl_reset_dirty_pages(d.kvm), N);
	CHECK_EQ(d.kvm->stat.dirty_marked, 2 * N);
	CHECK_EQ(d.kvm->stat.dirty_ring_full, 0);
	dl_free(&d);
}

/*
 * 200 distinct writes into a 256-entry ring (soft limit 192): the 192nd
 * push leaves the ring soft-full, so the vCPU exits before that write
 * completes; after harvest and reset the write runs again, through a fast
 * fault on the re-protected SPTE, and is logged again.  201 entries, 1
 * exit, 1 fast fault.
 */
TEST(dirty_log_ring_soft_full_exit)
{
	struct dl d;
	int exits = 0;

	if (!dl_build(&d, NULL))
		return;
	CHECK_EQ(kvm_vm_ioctl_enable_cap_generic(d.kvm, KVM_CAP_DIRTY_LOG_RING, 4096), 0);
	CHECK_EQ(kvm_vcpu_create_dirty_ring(d.v, &d.dw.arena), 0);
	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	for (u64 gfn = 0; gfn < 200; gfn++) {
		int r;

		while ((r = kvm_vcpu_access(d.v, gfn, true)) == KVM_EXIT_DIRTY_RING_FULL) {
			CHECK_EQ(gfn, 191);
			CHECK_EQ(dl_harvest(&d, 0), 192);
			CHECK_EQ(kvm_vm_ioctl_reset_dirty_pages(d.kvm), 192);
			exits++;
		}
		CHECK_EQ(r, 0);
	}
	CHECK_EQ(exits, 1);
	CHECK_EQ(d.kvm->stat.dirty_ring_full, 1);
	CHECK_EQ(d.kvm->stat.dirty_marked, 201);
	CHECK_EQ(d.kvm->stat.pf_fast, 1);
	CHECK_EQ(dl_harvest(&d, 191), 9);
	dl_free(&d);
}

/*
 * mut_dirty_log_flush=skip: get re-protects the N SPTEs but leaves the
 * vCPU's TLB holding writable translations, so the rewrite never faults
 * and the next get reports none of the N writes.
 */
TEST(dirty_log_no_flush_loses_writes)
{
	enum { N = 40 };
	struct dl d;

	if (!dl_build(&d, "mut_dirty_log_flush=skip"))
		return;
	CHECK_EQ(kvm_set_memslot_flags(d.kvm, &d.dw.arena, 0, KVM_MEM_LOG_DIRTY_PAGES), 0);
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(dl_get(&d), N);
	CHECK_EQ(d.kvm->stat.remote_tlb_flush, 1);	/* only enabling's */
	CHECK_EQ(dl_write_pages(&d, N), 0);
	CHECK_EQ(d.kvm->stat.pf_taken, N);
	CHECK_EQ(dl_get(&d), 0);			/* N writes lost */
	dl_free(&d);
}

/* ---- adsim sim: the dirty log as a consumer ---- */

static void dl_sim_opts(struct sim_opts *o, enum sim_memory mem, enum sim_dirty_log_mode mode,
			u64 seed)
{
	sim_default_opts(o);
	o->wl.kind = WL_VM;
	o->wl.pages = 1024;
	o->wl.seed = seed;
	o->memory = mem;
	o->accesses = 100000;
	memset(o->every, 0, sizeof(o->every));
	o->every[ACT_AGING] = 30000;
	o->every[ACT_DIRTY_LOG] = 7000;
	if (mem == SIM_MEM_FILE)
		o->every[ACT_WRITEBACK] = 20000;	/* zaps SPTEs under the log */
	o->dirty_log_mode = mode;
	o->dirty_ring_entries = 256;			/* small: soft-full exits */
	o->samples = 0;
}

TEST(dirty_log_sim_loses_no_write)
{
	for (int mem = 0; mem < SIM_MEM_NR; mem++)
		for (int mode = 0; mode < SIM_DL_NR; mode++)
			for (u64 seed = 1; seed <= 3; seed++) {
				struct sim_opts o;
				struct sim_metrics m;
				char err[256];

				dl_sim_opts(&o, (enum sim_memory)mem, (enum sim_dirty_log_mode)mode, seed);
				if (sim_run(&o, &m, err, sizeof(err))) {
					printf("    sim_run: %s\n", err);
					CHECK(0);
					continue;
				}
				if (m.lost_writes)
					printf("    %s %s seed %llu: %llu lost\n", sim_memory_names[mem],
					       sim_dirty_log_mode_names[mode], (unsigned long long)seed,
					       (unsigned long long)m.lost_writes);
				CHECK_EQ(m.lost_writes, 0);
				CHECK(m.reported[CONS_DIRTY_LOG] > 0);
				CHECK(m.reported[CONS_DIRTY_LOG] <= m.kvm_dirty_marked);
				if (mode == SIM_DL_RING)
					CHECK(m.kvm_ring_full_exits > 0);
				sim_metrics_free(&m);
			}
}

TEST(dirty_log_sim_mutation_loses_writes)
{
	for (int mode = 0; mode < SIM_DL_NR; mode++) {
		struct sim_opts o;
		struct sim_metrics m;
		char err[256];

		dl_sim_opts(&o, SIM_MEM_ANON, (enum sim_dirty_log_mode)mode, 1);
		CHECK_EQ(variant_set(&o.cfg, "mut_dirty_log_flush=skip", err, sizeof(err)), 0);
		if (sim_run(&o, &m, err, sizeof(err))) {
			printf("    sim_run: %s\n", err);
			CHECK(0);
			continue;
		}
		if (!m.lost_writes)
			printf("    %s: the mutation lost nothing\n", sim_dirty_log_mode_names[mode]);
		CHECK(m.lost_writes > 0);
		CHECK_EQ(m.lost[0].consumer, CONS_DIRTY_LOG);
		sim_metrics_free(&m);
	}
}
