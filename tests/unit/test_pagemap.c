// SPDX-License-Identifier: GPL-2.0
/*
 * mm/task_mmu.c: PAGEMAP_SCAN on page tables built by hand.  Each test
 * maps a 2 MiB-aligned mapping registered with userfaultfd in async
 * write-protect mode, as vskernel/model.c does, writes PTEs with
 * set_pte_at() (a PTE table exists only where pte_alloc() made one) and
 * calls do_pagemap_scan() directly.
 *
 * The expected values are the running kernel's (v6.18 on x86-64), which
 * is the reference.  Each state here can be built on real memory with
 * writes, reads (a read of an unpopulated anonymous page maps the zero
 * page) and uffd_wp, and scanned with the same arguments, in a scenario
 * run by `adsim vs-kernel --replay` (one registered mapping; the
 * unregistered VMA of pagemap_scan_vmas needs a second mmap).  Where the
 * kernel's own logic makes a value surprising, the test says why.
 *
 * The fixture, in pages from PM_BASE:
 *
 *   page  0        1            2        3     4          5            6 .. 511  512 .. 1023
 *   PTE   written  written+wp   marker   none  zero pfn   zero pfn+wp  none      (no PTE table)
 *         pfn RW D pfn uffd-wp  uffd-wp  0     pfn        pfn uffd-wp  0
 *
 * "written" is a page with a writable dirty PTE, "+wp" the same with the
 * uffd-wp bit (and so without RW), "marker" a PTE_MARKER_UFFD_WP.
 */
#include "unit.h"

#include <string.h>

#include "../../hw/hw.h"
#include "../../mm/mm.h"

#define PM_BASE 0x200000000ULL	/* a 2 MiB boundary: page 512 starts the next PTE table */
#define PM_PAGES 1024
#define PM_MAX_VEC 2048
/* vs-kernel's registration: async write-protect, markers for unpopulated pages */
#define PM_FEATURES (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED | \
		     UFFD_FEATURE_WP_HUGETLBFS_SHMEM)

/* Category shorthands for the expected regions. */
#define WPA PAGE_IS_WPALLOWED
#define WR PAGE_IS_WRITTEN
#define FI PAGE_IS_FILE
#define PR PAGE_IS_PRESENT
#define SW PAGE_IS_SWAPPED
#define ZP PAGE_IS_PFNZERO

struct pm_world {
	struct mm_direct_world dw;	/* dw.hw == NULL: not built */
	struct mm_struct *mm;
	struct vm_area_struct *vma;	/* the registered mapping */
	struct address_space *file;	/* its memfd, or NULL */
};

enum pm_kind { PM_NONE, PM_WRITTEN, PM_WRITTEN_WP, PM_MARKER, PM_ZERO, PM_ZERO_WP };

static u64 pm_addr(u64 page)
{
	return PM_BASE + (page << PAGE_SHIFT);
}

static u64 pm_page(u64 addr)
{
	return (addr - PM_BASE) >> PAGE_SHIFT;
}

/*
 * The registered mapping of PM_PAGES pages at PM_BASE: private anonymous
 * or a shared memfd, PTE tables allocated lazily, registered with the
 * UFFDIO_API features given.  With other_pages, a second, unregistered
 * anonymous mapping starts at page 1536, after a gap of 512 pages.
 */
static bool pm_open(struct pm_world *w, bool shmem, u32 other_pages, u64 features)
{
	u32 pages = PM_PAGES + other_pages, nr_frames = 2 * pages + 64, nr_pt = pages / 512 + 16;
	struct variant_cfg cfg;

	memset(w, 0, sizeof(*w));
	variant_defaults(&cfg);
	if (mm_direct_world_init(&w->dw, nr_frames, nr_pt, (size_t)pages * 8, &cfg, NULL, NULL))
		goto fail;
	w->mm = mm_new(w->dw.mw, "pm");
	if (!w->mm)
		goto fail;
	w->mm->lazy_pte_tables = true;
	if (shmem) {
		w->file = mm_new_file(w->dw.mw, &w->dw.arena, "memfd", PM_PAGES, true);
		if (!w->file)
			goto fail;
	}
	w->vma = mm_mmap(w->mm, PM_BASE, (u64)PM_PAGES << PAGE_SHIFT,
			 VM_READ | VM_WRITE | (shmem ? VM_SHARED : 0), w->file, 0);
	if (!w->vma)
		goto fail;
	if (other_pages && !mm_mmap(w->mm, pm_addr(1536), (u64)other_pages << PAGE_SHIFT,
				    VM_READ | VM_WRITE, NULL, 0))
		goto fail;
	/* one CPU's TLB, so that flush_tlb_range() is counted in hw->stats */
	if (hw_new_tlb(w->dw.hw, &w->dw.arena, w->mm->space, 0, 64, "cpu") < 0)
		goto fail;
	if (userfaultfd_api(w->mm, features) ||
	    userfaultfd_register(w->mm, PM_BASE, (u64)PM_PAGES << PAGE_SHIFT))
		goto fail;
	return true;
fail:
	printf("    cannot build the pagemap test world\n");
	unit_failures++;
	mm_direct_world_fini(&w->dw);
	return false;
}

static void pm_close(struct pm_world *w)
{
	mm_direct_world_fini(&w->dw);
}

/* The PTE of page, or NULL where no PTE table covers it. */
static pte_t *pm_ptep(struct pm_world *w, u64 page)
{
	return (pte_t *)hw_lookup(w->dw.hw, w->mm->space, pm_addr(page), PG_LEVEL_4K);
}

static struct vm_area_struct *pm_vma(struct pm_world *w, u64 page)
{
	return find_vma(w->mm, pm_addr(page));
}

/*
 * Sets page's PTE to one of the fixture's kinds, allocating its PTE table
 * if needed; a written page gets a new folio (anonymous, or the memfd's
 * page cache folio).  Returns false, counting a failure, if it cannot.
 */
static bool pm_set(struct pm_world *w, u64 page, enum pm_kind kind)
{
	struct vm_area_struct *vma = pm_vma(w, page);
	u64 addr = pm_addr(page), pfn = 0;
	pte_t *ptep, pte = { 0 };

	if (!vma || pte_alloc(w->mm, addr) || !(ptep = pm_ptep(w, page))) {
		printf("    cannot make a PTE for page %llu\n", (unsigned long long)page);
		unit_failures++;
		return false;
	}
	switch (kind) {
	case PM_NONE:
		break;
	case PM_WRITTEN:
	case PM_WRITTEN_WP:
		if (vma->vm_file) {
			pfn = filemap_add_new_folio(w->dw.mw, vma->vm_file, page, false);
		} else {
			struct folio *folio = folio_prealloc(vma, addr);

			pfn = folio ? folio_pfn(folio) : 0;
		}
		if (!pfn) {
			printf("    out of frames at page %llu\n", (unsigned long long)page);
			unit_failures++;
			return false;
		}
		pte = pte_mkyoung(pte_mkdirty(pte_mkwrite(pfn_pte(pfn, vma->vm_page_prot))));
		if (kind == PM_WRITTEN_WP)
			pte = pte_mkuffd_wp(pte);
		break;
	case PM_MARKER:
		pte = make_pte_marker(PTE_MARKER_UFFD_WP);
		break;
	case PM_ZERO:
	case PM_ZERO_WP:
		pte = pfn_pte(w->dw.mw->zero_pfn, vma->vm_page_prot);
		if (kind == PM_ZERO_WP)
			pte = pte_mkuffd_wp(pte);
		break;
	}
	set_pte_at(w->mm, addr, ptep, pte);
	return true;
}

/* The fixture of the file comment; page 6 .. 511 are none, 512 .. a hole. */
static bool pm_fixture(struct pm_world *w, bool shmem, u32 other_pages)
{
	static const enum pm_kind kinds[] = { PM_WRITTEN, PM_WRITTEN_WP, PM_MARKER, PM_NONE,
					      PM_ZERO, PM_ZERO_WP };

	if (!pm_open(w, shmem, other_pages, PM_FEATURES))
		return false;
	for (u64 page = 0; page < ARRAY_SIZE(kinds); page++)
		if (!pm_set(w, page, kinds[page])) {
			pm_close(w);
			return false;
		}
	return true;
}

/*
 * PAGEMAP_SCAN over pages [first, first + nr) with arg's flags, masks,
 * max_pages and vec_len (a vector is passed when vec_len is not 0);
 * *walk_end gets arg's walk_end in pages (or ~0 when not written back).
 */
static long pm_scan(struct pm_world *w, u64 first, u64 nr, struct pm_scan_arg arg,
		    struct page_region *vec, u64 *walk_end)
{
	long n;

	arg.size = sizeof(arg);
	arg.start = pm_addr(first);
	arg.end = pm_addr(first + nr);
	arg.vec = arg.vec_len ? 1 : 0;
	arg.walk_end = ~0ULL;
	if (vec)
		memset(vec, 0xa5, PM_MAX_VEC * sizeof(*vec));
	exec_engine = NULL;
	n = do_pagemap_scan(w->mm, &arg, arg.vec_len ? vec : NULL);
	*walk_end = arg.walk_end == ~0ULL ? ~0ULL : pm_page(arg.walk_end);
	return n;
}

struct pm_region {
	u64 start, end, categories;	/* pages from PM_BASE */
};

/* Compares n regions of vec (addresses) with the expected ones (pages). */
static void pm_check_regions(int line, long n, const struct page_region *vec,
			     const struct pm_region *want, long nr_want)
{
	bool bad = n != nr_want;

	for (long i = 0; !bad && i < n; i++)
		bad = vec[i].start != pm_addr(want[i].start) || vec[i].end != pm_addr(want[i].end) ||
		      vec[i].categories != want[i].categories;
	if (!bad)
		return;
	unit_failures++;
	printf("    %s:%d: %ld regions, expected %ld\n", __FILE__, line, n, nr_want);
	for (long i = 0; i < n && i < 16; i++)
		printf("      got    [%llu, %llu) %#llx\n", (unsigned long long)pm_page(vec[i].start),
		       (unsigned long long)pm_page(vec[i].end),
		       (unsigned long long)vec[i].categories);
	for (long i = 0; i < nr_want; i++)
		printf("      wanted [%llu, %llu) %#llx\n", (unsigned long long)want[i].start,
		       (unsigned long long)want[i].end, (unsigned long long)want[i].categories);
}

#define PM_REGIONS(...) ((const struct pm_region[]){ __VA_ARGS__ })
#define CHECK_REGIONS(n, vec, ...)                                              \
	pm_check_regions(__LINE__, n, vec, PM_REGIONS(__VA_ARGS__),             \
			 (long)(sizeof(PM_REGIONS(__VA_ARGS__)) / sizeof(struct pm_region)))

static struct page_region vec[PM_MAX_VEC];

/* Every category of each kind of PTE, and of a hole, in an anonymous mapping. */
TEST(pagemap_scan_categories_anon)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	CHECK(!pm_ptep(&w, 512));	/* the second table is a hole */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	/* none PTEs and the hole are unpopulated, so written, and merge */
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR }, { 2, 3, WPA | SW },
		      { 3, 4, WPA | WR }, { 4, 5, WPA | WR | PR | ZP }, { 5, 6, WPA | PR | ZP },
		      { 6, 1024, WPA | WR });
	CHECK_EQ(end, PM_PAGES);
	/* anonymous and zero pages are not PAGE_IS_FILE */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = PAGE_IS_FILE, .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, 0);
	CHECK_EQ(end, PM_PAGES);
	/* the scan changed nothing */
	CHECK(!pm_ptep(&w, 512));
	CHECK(pte_write(ptep_get(pm_ptep(&w, 0))) && !pte_uffd_wp(ptep_get(pm_ptep(&w, 0))));
	pm_close(&w);
}

/*
 * A shmem page is PAGE_IS_FILE, a marker is not (it holds no folio), and
 * PAGE_IS_FILE is only computed when a mask asks for it.
 */
TEST(pagemap_scan_categories_shmem)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_open(&w, true, 0, PM_FEATURES) || !pm_set(&w, 0, PM_WRITTEN) ||
	    !pm_set(&w, 1, PM_WRITTEN_WP) || !pm_set(&w, 2, PM_MARKER))
		goto out;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | FI | PR }, { 1, 2, WPA | FI | PR },
		      { 2, 3, WPA | SW }, { 3, 1024, WPA | WR });
	CHECK_EQ(end, PM_PAGES);
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = PAGE_IS_FILE, .return_mask = PAGE_IS_PRESENT }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 2, PR });
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = PAGE_IS_FILE | PAGE_IS_WRITTEN, .return_mask = PAGE_IS_FILE },
		    vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, FI });
out:
	pm_close(&w);
}

/*
 * category_mask (all of), category_anyof_mask (one of), category_inverted
 * (flips categories before both tests, never in the output) and
 * return_mask (what is reported, and so what merging compares).
 */
TEST(pagemap_scan_masks)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	/* the written-only fast path: uffd-wp PTEs and markers are skipped */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 5, WR }, { 6, 1024, WR });
	/* the generic path: a wider return_mask splits page 3 from page 4 */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = WR, .return_mask = WR | PR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR | PR }, { 3, 4, WR }, { 4, 5, WR | PR },
		      { 6, 1024, WR });
	/* return_mask 0: matching neighbours merge, as their reports are equal */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = PR, .return_mask = 0 }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 2, 0 }, { 4, 6, 0 });
	/* every category of the mask is required */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = PR | WR, .return_mask = PR | WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR | PR }, { 4, 5, WR | PR });
	/* any one category of anyof is enough */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_anyof_mask = SW | ZP, .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 2, 3, WPA | SW }, { 4, 5, WPA | WR | PR | ZP },
		      { 5, 6, WPA | PR | ZP });
	/* inverted: the pages not written, reported with their true categories */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_inverted = WR, .category_mask = WR,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 1, 2, WPA | PR }, { 2, 3, WPA | SW }, { 5, 6, WPA | PR | ZP });
	/* inverted with anyof: the pages not present, the hole included */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_inverted = PR, .category_anyof_mask = PR,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 2, 3, WPA | SW }, { 3, 4, WPA | WR }, { 6, 1024, WPA | WR });
	/* a VMA whose (inverted) category does not match is skipped whole */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_inverted = WPA, .category_mask = WPA,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, 0);
	CHECK_EQ(end, PM_PAGES);
	pm_close(&w);
}

/*
 * Neighbours with equal reported categories merge into one region, also
 * across a PTE table boundary; a change of category starts a new one.
 *
 *   page   508 509 | 510 511 | 512 513 | 514 515      (| : 511/512 is a
 *   PTE    none    | written | written | none          table boundary)
 */
TEST(pagemap_scan_merges_regions)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_open(&w, false, 0, PM_FEATURES))
		return;
	for (u64 page = 510; page < 514; page++)
		if (!pm_set(&w, page, PM_WRITTEN))
			goto out;
	n = pm_scan(&w, 508, 8, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 508, 510, WPA | WR }, { 510, 514, WPA | WR | PR },
		      { 514, 516, WPA | WR });
	CHECK_EQ(end, 516);
	/* reporting only "written", everything is one region */
	n = pm_scan(&w, 508, 8, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 508, 516, WR });
out:
	pm_close(&w);
}

/*
 * max_pages: the region that crosses the budget is cut, and walk_end is
 * where the walk stopped.  Reaching the budget exactly is not a stop; the
 * next matching page is, with nothing reported for it.
 */
TEST(pagemap_scan_max_pages)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64, .max_pages = 3,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 5, WR });
	CHECK_EQ(end, 6);
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64, .max_pages = 2,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 4, WR });
	CHECK_EQ(end, 4);
	/* the generic path cuts the same way */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64, .max_pages = 2,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR });
	CHECK_EQ(end, 2);
	/* a hole is cut inside */
	n = pm_scan(&w, 512, 512, (struct pm_scan_arg){ .vec_len = 64, .max_pages = 10,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 512, 522, WR });
	CHECK_EQ(end, 522);
	pm_close(&w);
}

/*
 * A full vector stops the walk where the next region would start, and
 * walk_end says so; a vector that fits exactly is no stop.
 */
TEST(pagemap_scan_vec_full)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 2,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR });
	CHECK_EQ(end, 2);
	CHECK_EQ(vec[2].start, 0xa5a5a5a5a5a5a5a5ULL);	/* nothing written past vec_len */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 1,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR });
	CHECK_EQ(end, 3);
	n = pm_scan(&w, 0, 3, (struct pm_scan_arg){ .vec_len = 3,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR }, { 2, 3, WPA | SW });
	CHECK_EQ(end, 3);
	pm_close(&w);
}

/*
 * More regions than the 512-entry bounce buffer holds: the walk restarts
 * at walk_end until the vector is full.  walk_end stays where the first
 * pass stopped even when a later pass reaches the end: the kernel sets it
 * only when a pass stops early, and never clears it between passes.
 *
 *   pages 0 .. 1023: written, written+wp, written, written+wp, ...
 */
TEST(pagemap_scan_bounce_buffer_passes)
{
	struct pm_world w;
	u64 end;
	long n;
	bool alternate = true;

	if (!pm_open(&w, false, 0, PM_FEATURES))
		return;
	for (u64 page = 0; page < PM_PAGES; page++)
		if (!pm_set(&w, page, page & 1 ? PM_WRITTEN_WP : PM_WRITTEN))
			goto out;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = PM_MAX_VEC,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, PM_PAGES);
	for (long i = 0; i < n && i < PM_MAX_VEC; i++)
		alternate &= vec[i].start == pm_addr((u64)i) && vec[i].end == pm_addr((u64)i + 1) &&
			     vec[i].categories == (i & 1 ? WPA | PR : WPA | WR | PR);
	CHECK(alternate);
	CHECK_EQ(end, 512);
	/* 600 entries: 512 in the first pass, 88 in the second, which stops */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 600,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, 600);
	CHECK_EQ(end, 600);
	CHECK_EQ(vec[599].start, pm_addr(599));
	CHECK_EQ(vec[600].start, 0xa5a5a5a5a5a5a5a5ULL);
	/* 512 written regions fit one pass: walk_end is the end */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = PM_MAX_VEC,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_EQ(n, 512);
	CHECK_EQ(vec[511].start, pm_addr(1022));
	CHECK_EQ(end, PM_PAGES);
out:
	pm_close(&w);
}

/* Whether page's PTE is present, uffd-wp and read-only, on frame pfn. */
static bool pm_is_protected(struct pm_world *w, u64 page, u64 pfn)
{
	pte_t *ptep = pm_ptep(w, page);
	pte_t pte = ptep ? ptep_get(ptep) : (pte_t){ 0 };

	return pte_present(pte) && pte_uffd_wp(pte) && !pte_write(pte) && pte_pfn(pte) == pfn;
}

static bool pm_is_marker(struct pm_world *w, u64 page)
{
	pte_t *ptep = pm_ptep(w, page);

	return ptep && pte_marker_uffd_wp(ptep_get(ptep));
}

/*
 * PM_SCAN_WP_MATCHING write-protects exactly what the scan reported as
 * written: a written PTE gains the uffd-wp bit (keeping its frame and
 * Dirty bit), a none PTE and the hole become markers, and what was
 * already protected is left as it was; a second scan finds nothing.
 */
TEST(pagemap_scan_wp_matching)
{
	struct pm_world w;
	pte_t before[6];
	u64 end, pfn0;
	long n;
	bool markers = true;

	if (!pm_fixture(&w, false, 0))
		return;
	for (int i = 0; i < 6; i++)
		before[i] = ptep_get(pm_ptep(&w, (u64)i));
	pfn0 = pte_pfn(before[0]);
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 5, WR }, { 6, 1024, WR });
	CHECK_EQ(end, PM_PAGES);
	CHECK(pm_is_protected(&w, 0, pfn0));
	CHECK(pte_dirty(ptep_get(pm_ptep(&w, 0))));
	CHECK(pm_is_marker(&w, 3));
	CHECK(pm_is_protected(&w, 4, w.dw.mw->zero_pfn));
	for (u64 page = 6; page < PM_PAGES; page++)
		markers &= pm_is_marker(&w, page);
	CHECK(markers);		/* the hole got a PTE table of markers */
	CHECK_EQ(ptep_get(pm_ptep(&w, 1)).pte, before[1].pte);
	CHECK_EQ(ptep_get(pm_ptep(&w, 2)).pte, before[2].pte);
	CHECK_EQ(ptep_get(pm_ptep(&w, 5)).pte, before[5].pte);
	/* nothing is written any more */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_EQ(n, 0);
	CHECK_EQ(end, PM_PAGES);
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 2, WPA | PR }, { 2, 4, WPA | SW }, { 4, 6, WPA | PR | ZP },
		      { 6, 1024, WPA | SW });
	pm_close(&w);
}

/*
 * The generic path protects only pages that match and are written: with
 * category_mask=PRESENT, pages 0 and 4; the none page 3 does not match.
 */
TEST(pagemap_scan_wp_matching_generic_path)
{
	struct pm_world w;
	pte_t before3, before1;
	u64 end, flushes;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	before1 = ptep_get(pm_ptep(&w, 1));
	before3 = ptep_get(pm_ptep(&w, 3));
	flushes = w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING, .category_mask = PR, .return_mask = PR | WR },
		    vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR | PR }, { 1, 2, PR }, { 4, 5, WR | PR }, { 5, 6, PR });
	CHECK(w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote > flushes);
	CHECK(pm_is_protected(&w, 0, pte_pfn(ptep_get(pm_ptep(&w, 0)))));
	CHECK(pm_is_protected(&w, 4, w.dw.mw->zero_pfn));
	CHECK_EQ(ptep_get(pm_ptep(&w, 1)).pte, before1.pte);
	CHECK_EQ(ptep_get(pm_ptep(&w, 3)).pte, before3.pte);
	CHECK(!pm_ptep(&w, 512));	/* the hole did not match */
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 2, WPA | PR }, { 2, 3, WPA | SW }, { 3, 4, WPA | WR },
		      { 4, 6, WPA | PR | ZP }, { 6, 1024, WPA | WR });
	/* again: the same pages match, none is written, nothing changes or is flushed */
	flushes = w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING, .category_mask = PR, .return_mask = PR | WR },
		    vec, &end);
	CHECK_REGIONS(n, vec, { 0, 2, PR }, { 4, 6, PR });
	CHECK_EQ(w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote, flushes);
	pm_close(&w);
}

/* Only what was reported is protected: max_pages=2 leaves page 4 written. */
TEST(pagemap_scan_wp_matching_max_pages)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64, .max_pages = 2,
		    .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 4, WR });
	CHECK_EQ(end, 4);
	CHECK(pm_is_protected(&w, 0, pte_pfn(ptep_get(pm_ptep(&w, 0)))));
	CHECK(pm_is_marker(&w, 3));
	CHECK(!pm_is_protected(&w, 4, w.dw.mw->zero_pfn));
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 4, 5, WR }, { 6, 1024, WR });
	pm_close(&w);
}

/*
 * Without a vector the no-output fast path protects every PTE of a table
 * it visits, whatever the masks say; a hole still goes through the masks
 * (category_mask=PRESENT: not protected, no table allocated).
 */
TEST(pagemap_scan_wp_matching_without_vector)
{
	struct pm_world w;
	u64 end, flushes = 0;
	long n;
	bool protected = true;

	if (!pm_open(&w, false, 0, PM_FEATURES) || !pm_set(&w, 0, PM_WRITTEN))
		goto out;
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .flags = PM_SCAN_WP_MATCHING,
		    .category_mask = PR, .return_mask = WR }, vec, &end);
	CHECK_EQ(n, 0);
	CHECK_EQ(end, PM_PAGES);
	CHECK(pm_is_protected(&w, 0, pte_pfn(ptep_get(pm_ptep(&w, 0)))));
	for (u64 page = 1; page < 512; page++)
		protected &= pm_is_marker(&w, page);
	CHECK(protected);
	CHECK(!pm_ptep(&w, 512));
	n = pm_scan(&w, 0, PM_PAGES, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | PR }, { 1, 512, WPA | SW }, { 512, 1024, WPA | WR });
	/* again: everything in the table is protected already, so nothing is flushed */
	flushes = w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote;
	n = pm_scan(&w, 0, 512, (struct pm_scan_arg){ .flags = PM_SCAN_WP_MATCHING,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_EQ(n, 0);
	CHECK_EQ(w.dw.hw->stats.flush_local + w.dw.hw->stats.flush_remote, flushes);
out:
	pm_close(&w);
}

/*
 * Two VMAs: the registered fixture (pages 0 .. 1023) and, after a gap,
 * an unregistered anonymous one (1536 .. 2559: a written page, none PTEs,
 * and a hole from 2048).  The unregistered VMA is not PAGE_IS_WPALLOWED;
 * its none PTEs are written but its hole has no category at all;
 * PM_SCAN_CHECK_WPASYNC refuses it and PM_SCAN_WP_MATCHING skips it.
 */
TEST(pagemap_scan_vmas)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 1024) || !pm_set(&w, 1536, PM_WRITTEN))
		goto out;
	CHECK(!userfaultfd_wp(pm_vma(&w, 1536)));
	n = pm_scan(&w, 0, 2560, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR }, { 2, 3, WPA | SW },
		      { 3, 4, WPA | WR }, { 4, 5, WPA | WR | PR | ZP }, { 5, 6, WPA | PR | ZP },
		      { 6, 1024, WPA | WR }, { 1536, 1537, WR | PR }, { 1537, 2048, WR },
		      { 2048, 2560, 0 });
	CHECK_EQ(end, 2560);
	n = pm_scan(&w, 0, 2560, (struct pm_scan_arg){ .vec_len = 64,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 5, WR }, { 6, 1024, WR }, { 1536, 2048, WR });
	n = pm_scan(&w, 0, 2560, (struct pm_scan_arg){ .vec_len = 64,
		    .category_inverted = WPA, .category_mask = WPA,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 1536, 1537, WR | PR }, { 1537, 2048, WR }, { 2048, 2560, 0 });
	/* -EPERM after the walk began: walk_end is still written back */
	n = pm_scan(&w, 0, 2560, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_CHECK_WPASYNC, .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, -EPERM);
	CHECK_EQ(end, 2560);
	n = pm_scan(&w, 0, 2560, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING, .category_mask = WR, .return_mask = WR },
		    vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WR }, { 3, 5, WR }, { 6, 1024, WR });
	CHECK(pte_write(ptep_get(pm_ptep(&w, 1536))) && !pte_uffd_wp(ptep_get(pm_ptep(&w, 1536))));
	CHECK(pte_none(ptep_get(pm_ptep(&w, 1537))));
out:
	pm_close(&w);
}

/*
 * Argument checks (pagemap_scan_get_args()): rejected arguments return
 * before anything is walked, and walk_end is not written back.  The end
 * is rounded up to a page.
 */
TEST(pagemap_scan_arguments)
{
	struct pm_world w;
	struct pm_scan_arg arg;
	u64 end;
	long n;

	if (!pm_fixture(&w, false, 0))
		return;
	n = pm_scan(&w, 0, 4, (struct pm_scan_arg){ .vec_len = 64, .flags = 1ULL << 2,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, -EINVAL);
	CHECK_EQ(end, ~0ULL);
	n = pm_scan(&w, 0, 4, (struct pm_scan_arg){ .vec_len = 64,
		    .return_mask = PM_SCAN_CATEGORIES | 1ULL << 9 }, vec, &end);
	CHECK_EQ(n, -EINVAL);
	n = pm_scan(&w, 0, 4, (struct pm_scan_arg){ .vec_len = 64, .category_anyof_mask = 1ULL << 9,
		    .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_EQ(n, -EINVAL);
	/* hand-made: unaligned start, end before start, size, a missing vector */
	arg = (struct pm_scan_arg){ .size = sizeof(arg), .start = PM_BASE + 1,
				    .end = pm_addr(4), .return_mask = PM_SCAN_CATEGORIES };
	CHECK_EQ(do_pagemap_scan(w.mm, &arg, NULL), -EINVAL);
	arg = (struct pm_scan_arg){ .size = sizeof(arg), .start = pm_addr(4), .end = pm_addr(3),
				    .return_mask = PM_SCAN_CATEGORIES, .walk_end = 7 };
	CHECK_EQ(do_pagemap_scan(w.mm, &arg, NULL), -EFAULT);
	CHECK_EQ(arg.walk_end, 7);
	arg = (struct pm_scan_arg){ .size = sizeof(arg) - 8, .start = pm_addr(0),
				    .end = pm_addr(4), .return_mask = PM_SCAN_CATEGORIES };
	CHECK_EQ(do_pagemap_scan(w.mm, &arg, NULL), -EINVAL);
	arg = (struct pm_scan_arg){ .size = sizeof(arg), .start = pm_addr(0), .end = pm_addr(4),
				    .vec_len = 4, .return_mask = PM_SCAN_CATEGORIES };
	CHECK_EQ(do_pagemap_scan(w.mm, &arg, NULL), -EINVAL);
	/* an unaligned end covers its whole page */
	memset(vec, 0, sizeof(vec));
	arg = (struct pm_scan_arg){ .size = sizeof(arg), .start = pm_addr(0),
				    .end = pm_addr(1) + 1, .vec = 1, .vec_len = 64,
				    .return_mask = PM_SCAN_CATEGORIES };
	n = do_pagemap_scan(w.mm, &arg, vec);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 2, WPA | PR });
	CHECK_EQ(arg.walk_end, pm_addr(2));
	pm_close(&w);
}

/*
 * UFFD_FEATURE_WP_ASYNC alone: the kernel turns on WP_UNPOPULATED with it,
 * so an anonymous VMA still uses markers, is PAGE_IS_WPALLOWED and passes
 * PM_SCAN_CHECK_WPASYNC.
 */
TEST(pagemap_scan_wp_async_brings_unpopulated)
{
	struct pm_world w;
	u64 end;
	long n;

	if (!pm_open(&w, false, 0, UFFD_FEATURE_WP_ASYNC) || !pm_set(&w, 0, PM_WRITTEN))
		goto out;
	CHECK(w.mm->uffd.features & UFFD_FEATURE_WP_UNPOPULATED);
	n = pm_scan(&w, 0, 512, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_CHECK_WPASYNC, .return_mask = PM_SCAN_CATEGORIES }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 1, WPA | WR | PR }, { 1, 512, WPA | WR });
	n = pm_scan(&w, 0, 512, (struct pm_scan_arg){ .vec_len = 64,
		    .flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		    .category_mask = WR, .return_mask = WR }, vec, &end);
	CHECK_REGIONS(n, vec, { 0, 512, WR });
	CHECK(pm_is_marker(&w, 1));
out:
	pm_close(&w);
}
