// SPDX-License-Identifier: GPL-2.0
/*
 * One KVM aging pass over a large guest against the memory bound: a VM
 * whose memslot of PAGES 4K pages (default 16M, a 64 GiB guest) is fully
 * mapped by its EPT, then mmu_notifier_clear_young() over the whole range
 * (kvm_mmu_notifier_clear_young -> kvm_tdp_mmu_age_gfn_range) timed against
 * a loop that sums as many u64s (8 bytes per SPTE) from a buffer evicted
 * from the caches.  Direct mode, one core.  Prints Markdown table rows.
 * With "hot" nothing is evicted before a pass: at a PAGES whose tables fit
 * the caches it times the model's instructions alone.
 *
 *   aging [PAGES [ROUNDS [hot]]]
 */
#include "../kvm/kvm.h"
#include "../mm/mm.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench.h"

#define BASE 0x100000000ULL

/* Pushes the buffer and the model's tables out of the caches (reads only:
 * no dirty lines left to write back during the timed pass). */
static u64 evict(const u64 *scratch, size_t n)
{
	u64 sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += scratch[i];
	return sum;
}

/* The memory bound: n u64s summed from buf, as a pass reads n SPTEs. */
static u64 stream(const u64 *buf, size_t n)
{
	u64 sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += buf[i];
	return sum;
}

int main(int argc, char **argv)
{
	u64 pages = argc > 1 ? strtoull(argv[1], NULL, 0) : 16ULL << 20;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	bool hot = argc > 3 && !strcmp(argv[3], "hot");
	/* page tables per side (host PTEs, EPT): leaf tables, PMD tables, the rest */
	u64 tables = pages / 512 + pages / (512 * 512) + 16;
	u64 nr_frames = pages + 2 * tables + 64;
	u32 nr_pt = (u32)(2 * tables);
	size_t nscratch = (size_t)64 << 17;	/* 64 MiB of u64 */
	struct mm_direct_world dw;
	struct variant_cfg cfg;
	struct hw_tlb_geom l1 = { 16, 4, TLB_REPL_LRU };
	struct kvm *kvm;
	struct kvm_vcpu vcpu = { 0 };
	struct mm_struct *mm;
	struct hw_fault f;
	double t_young[64], t_old[64], t_stream[64], t0, t_map;
	u64 *buf, *scratch, sum = 0, young = 0;

	if (rounds < 1 || rounds > 64 || !pages)
		return 2;
	variant_defaults(&cfg);
	if (mm_direct_world_init(&dw, nr_frames, nr_pt, 32u << 20, &cfg, NULL, NULL)) {
		fprintf(stderr, "aging: out of memory for the model\n");
		return 1;
	}
	mm = mm_new(dw.mw, "vmm");
	kvm = arena_alloc(&dw.arena, sizeof(*kvm));
	if (!mm || !kvm)
		return 1;
	mm->lazy_pte_tables = true;
	if (!mm_mmap(mm, BASE, pages << PAGE_SHIFT, VM_READ | VM_WRITE, NULL, 0) ||
	    kvm_create_vm(kvm, dw.hw, mm, &dw.cfg, "vm") ||
	    kvm_set_memory_region(kvm, 0, pages, BASE))
		return 1;
	vcpu.kvm = kvm;
	vcpu.tlb = hw_new_tlb_geom(dw.hw, &dw.arena, kvm->space, -1, &l1, NULL, "vcpu0");
	if (vcpu.tlb < 0)
		return 1;

	/* every guest page written once: host folio, host PTE, EPT leaf */
	t0 = now();
	dw.hw->direct_tlb = vcpu.tlb;
	for (gfn_t gfn = 0; gfn < pages; gfn++)
		if (kvm_vcpu_access(&vcpu, gfn, true)) {
			fprintf(stderr, "aging: guest access to gfn %llu failed\n",
				(unsigned long long)gfn);
			return 1;
		}
	dw.hw->direct_tlb = -1;
	t_map = now() - t0;

	buf = malloc(pages * sizeof(*buf));
	scratch = malloc(nscratch * sizeof(*scratch));
	if (!buf || !scratch)
		return 1;
	for (u64 i = 0; i < pages; i++)
		buf[i] = i * 0x9e3779b97f4a7c15ULL;
	memset(scratch, 1, nscratch * sizeof(*scratch));

	for (int r = 0; r < rounds; r++) {
		u64 before = kvm->stat.age_young;

		/* re-young: the guest reads every page, each walk sets A */
		if (r) {
			hw_flush_tlb_local(dw.hw, vcpu.tlb, 0, 0, true);
			for (gfn_t gfn = 0; gfn < pages; gfn++)
				hw_access(dw.hw, vcpu.tlb, gfn << PAGE_SHIFT, false, &f);
		}
		if (!hot)
			sum += evict(scratch, nscratch);
		t0 = now();
		mmu_notifier_clear_young(mm, BASE, BASE + (pages << PAGE_SHIFT));
		t_young[r] = now() - t0;
		young = kvm->stat.age_young - before;
		if (young != pages) {
			fprintf(stderr, "aging: pass aged %llu SPTEs, not %llu\n",
				(unsigned long long)young, (unsigned long long)pages);
			return 1;
		}
		if (!hot)
			sum += evict(scratch, nscratch);
		t0 = now();
		mmu_notifier_clear_young(mm, BASE, BASE + (pages << PAGE_SHIFT));
		t_old[r] = now() - t0;
		if (kvm->stat.age_young != before + pages)
			return 1;
		if (!hot)
			sum += evict(scratch, nscratch);
		t0 = now();
		sum += stream(buf, pages);
		t_stream[r] = now() - t0;
	}
	{
		double s = median(t_stream, rounds), y = median(t_young, rounds),
		       o = median(t_old, rounds);
		/* sorted by median(): the fastest round of each (a shared machine's
		 * other jobs only ever add time) */
		double s0 = t_stream[0], y0 = t_young[0], o0 = t_old[0];
		double gib = (double)pages * 8 / (1u << 30);

		fprintf(stderr, "aging: %llu pages mapped in %.1f s; model arena %.0f MiB; checksum %llx\n",
			(unsigned long long)pages, t_map, dw.arena.used / 1048576.0,
			(unsigned long long)(sum ^ scratch[nscratch - 1]));
		printf("| stream %llu u64s (%.0f MiB) | %.4f | %.2f GiB/s | 1.00 | %.4f | 1.00 |\n",
		       (unsigned long long)pages, gib * 1024, s, gib / s, s0);
		printf("| aging pass, every SPTE young (cleared) | %.4f | %.1f M SPTEs/s | %.2f | %.4f | %.2f |\n",
		       y, pages / y / 1e6, y / s, y0, y0 / s0);
		printf("| aging pass, every SPTE old | %.4f | %.1f M SPTEs/s | %.2f | %.4f | %.2f |\n",
		       o, pages / o / 1e6, o / s, o0, o0 / s0);
	}
	mm_direct_world_fini(&dw);
	free(buf);
	free(scratch);
	return 0;
}
