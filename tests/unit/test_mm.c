// SPDX-License-Identifier: GPL-2.0
/* mm/: pte_needs_flush(), writeback through folio_mkclean(), mprotect,
 * MADV_FREE and lazyfree reclaim, uffd-wp and PAGEMAP_SCAN. */
#include "unit.h"
#include "world.h"

#include <string.h>

static bool build(struct unit_world *uw, const char *src, const char *set)
{
	const char *sets[] = { set, NULL };

	return unit_world_build(uw, src, set ? sets : NULL);
}

TEST(mm_pte_needs_flush)
{
	struct unit_world uw;
	const u64 p = _PAGE_PRESENT | _PAGE_USER | (5ULL << PAGE_SHIFT);
	const pte_t rw_clean = { p | _PAGE_RW | _PAGE_ACCESSED };
	const pte_t rw_dirty = { p | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY };
	const pte_t ro = { p | _PAGE_ACCESSED };
	const pte_t ro_old = { p };

	if (!build(&uw, "scenario w\nprocess p\nactor c0 cpu p {\n}\n", "flush_clean_writable=always"))
		return;
	CHECK(pte_needs_flush(&uw.m.w->mw, rw_clean, ro));
	CHECK(pte_needs_flush(&uw.m.w->mw, rw_dirty, (pte_t){ ro.pte | _PAGE_DIRTY }));
	CHECK(!pte_needs_flush(&uw.m.w->mw, ro, ro_old));	/* clearing A alone */
	CHECK(pte_needs_flush(&uw.m.w->mw, ro, rw_clean));	/* any RW change: flush_on_change */
	CHECK(pte_needs_flush(&uw.m.w->mw, rw_clean, (pte_t){ rw_clean.pte + (1ULL << PAGE_SHIFT) }));
	uw.m.w->cfg.v[VARIANT_flush_clean_writable] = flush_clean_writable__skip;
	CHECK(!pte_needs_flush(&uw.m.w->mw, rw_clean, ro));	/* seeds/004 */
	CHECK(pte_needs_flush(&uw.m.w->mw, rw_dirty, ro));	/* D clear: still flush */
	unit_world_free(&uw);
}

static const char *const shared_world =
	"scenario w\n"
	"consumer writeback\n"
	"file f pages 4\n"
	"process p\n"
	"mmap p 0x10000 pages 4 shared write file f\n"
	"actor c0 cpu p {\n}\n";

TEST(mm_writeback_cleans_and_reports)
{
	struct unit_world uw;
	struct mm_struct *mm;
	struct address_space *f;
	u64 *pte, pfn;

	if (!build(&uw, shared_world, NULL))
		return;
	mm = unit_mm(&uw, "p");
	f = unit_file(&uw, "f");
	CHECK_EQ(mm_user_access(mm, unit_actor_tlb(&uw, "c0"), 0x11000, true), 0);
	pte = unit_pte(&uw, mm->space, 0x11000);
	pfn = f->pages[1];
	CHECK(pte && pte_pfn((pte_t){ *pte }) == pfn);
	CHECK(folio_test_dirty(pfn_folio(&uw.m.w->mw, pfn)));
	mm_writeback_folio(&uw.m.w->mw, f, 1);
	CHECK(!(*pte & (_PAGE_RW | _PAGE_DIRTY)));	/* folio_mkclean() */
	CHECK(!folio_test_dirty(pfn_folio(&uw.m.w->mw, pfn)));
	CHECK(uw.m.w->gt.pages[pfn].covered[CONS_WRITEBACK] > 0);	/* reported */
	/* the next write faults (page_mkwrite path) and dirties it again */
	CHECK_EQ(mm_user_access(mm, unit_actor_tlb(&uw, "c0"), 0x11000, true), 0);
	CHECK((*pte & _PAGE_RW) && (*pte & _PAGE_DIRTY));
	CHECK(folio_test_dirty(pfn_folio(&uw.m.w->mw, pfn)));
	unit_world_free(&uw);
}

TEST(mm_mprotect_readonly_returns_protection_event)
{
	struct unit_world uw;
	struct mm_struct *mm;
	u64 *pte;
	int ev;

	if (!build(&uw, shared_world, NULL))
		return;
	mm = unit_mm(&uw, "p");
	CHECK_EQ(mm_user_access(mm, unit_actor_tlb(&uw, "c0"), 0x10000, true), 0);
	ev = uw.m.w->gt.nr_ev;
	CHECK_EQ(do_mprotect_pkey(mm, 0x10000, 4 * 4096, PROT_READ), 0);
	pte = unit_pte(&uw, mm->space, 0x10000);
	CHECK(!(*pte & _PAGE_RW));
	CHECK(*pte & _PAGE_DIRTY);	/* mprotect keeps D */
	CHECK_EQ(uw.m.w->gt.nr_ev, ev + 1);
	CHECK_EQ(do_mprotect_pkey(mm, 0x10000, 4096, PROT_READ), -EINVAL);	/* part of a VMA */
	unit_world_free(&uw);
}

static const char *const anon_world =
	"scenario w\n"
	"consumer lazyfree\n"
	"process p\n"
	"mmap p 0x10000 pages 2 private write\n"
	"actor c0 cpu p {\n}\n";

TEST(mm_madvise_free_then_reclaim)
{
	struct unit_world uw;
	struct mm_struct *mm;
	u64 *pte, pfn;
	int tlb;

	if (!build(&uw, anon_world, NULL))
		return;
	mm = unit_mm(&uw, "p");
	tlb = unit_actor_tlb(&uw, "c0");
	/* page 0: freed and discarded; page 1: written again and kept */
	CHECK_EQ(mm_user_access(mm, tlb, 0x10000, true), 0);
	CHECK_EQ(mm_user_access(mm, tlb, 0x11000, true), 0);
	CHECK_EQ(do_madvise(mm, 0x10000, 2 * 4096, MADV_FREE), 0);
	pte = unit_pte(&uw, mm->space, 0x10000);
	pfn = pte_pfn((pte_t){ *pte });
	CHECK(!(*pte & (_PAGE_DIRTY | _PAGE_ACCESSED)));
	CHECK(*pte & _PAGE_RW);	/* still writable: clean writable PTE */
	CHECK(!folio_test_swapbacked(pfn_folio(&uw.m.w->mw, pfn)));
	CHECK(!folio_test_dirty(pfn_folio(&uw.m.w->mw, pfn)));
	CHECK_EQ(mm_user_access(mm, tlb, 0x11000, true), 0);	/* re-dirties */
	CHECK(mm_reclaim_folio(&uw.m.w->mw, pfn));		/* discarded */
	CHECK(!hw_frame_is_data(&uw.m.w->hw, pfn));
	CHECK(!(*pte & _PAGE_PRESENT));
	pte = unit_pte(&uw, mm->space, 0x11000);
	pfn = pte_pfn((pte_t){ *pte });
	CHECK(!mm_reclaim_folio(&uw.m.w->mw, pfn));		/* kept */
	CHECK(hw_frame_is_data(&uw.m.w->hw, pfn));
	CHECK(folio_test_swapbacked(pfn_folio(&uw.m.w->mw, pfn)));
	CHECK_EQ(atomic_read(&pfn_folio(&uw.m.w->mw, pfn)->_refcount), 1);	/* isolation ref dropped */
	unit_world_free(&uw);
}

/*
 * PAGEMAP_SCAN after uffd-wp, from scenario text: the set-up registers
 * the range (UFFDIO_API with WP_ASYNC) and write-protects it; one write
 * makes exactly that page "written", a WP_MATCHING scan reports it and
 * write-protects it again, so a second scan finds nothing.
 */
static void uffd_wp_scan_world(const char *mapping)
{
	char src[1024];
	struct unit_world uw;
	struct mm_struct *mm;
	struct page_region vec[16];
	struct pm_scan_arg arg;
	u64 *pte;
	long n;

	snprintf(src, sizeof(src),
		 "scenario w\n"
		 "%s"
		 "process p\n"
		 "mmap p 0x10000 pages 4 %s\n"
		 "actor c0 cpu p {\n}\n"
		 "actor k kthread {\n}\n"
		 "setup {\n"
		 "  uffd_register p 0x10000 4 * 4096\n"
		 "  k: uffd_wp p 0x10000 4 * 4096\n"
		 "}\n",
		 strstr(mapping, "file f") ? "file f pages 4 shmem\n" : "", mapping);
	if (!build(&uw, src, NULL))
		return;
	mm = unit_mm(&uw, "p");
	CHECK(mm->uffd.open);
	CHECK(mm->uffd.features & UFFD_FEATURE_WP_ASYNC);
	CHECK(userfaultfd_wp(&mm->vmas[0]));
	CHECK_EQ(mm_user_access(mm, unit_actor_tlb(&uw, "c0"), 0x12000, true), 0);
	pte = unit_pte(&uw, mm->space, 0x12000);
	CHECK(pte && (*pte & _PAGE_PRESENT) && !pte_uffd_wp((pte_t){ *pte }));
	for (int pass = 0; pass < 2; pass++) {
		memset(vec, 0, sizeof(vec));
		arg = (struct pm_scan_arg){
			.size = sizeof(arg), .flags = PM_SCAN_WP_MATCHING,
			.start = 0x10000, .end = 0x14000, .vec = 1, .vec_len = 16,
			.category_mask = PAGE_IS_WRITTEN, .return_mask = PAGE_IS_WRITTEN,
		};
		n = do_pagemap_scan(mm, &arg, vec);
		CHECK_EQ(arg.walk_end, 0x14000);
		if (pass == 0) {
			CHECK_EQ(n, 1);
			CHECK_EQ(vec[0].start, 0x12000);
			CHECK_EQ(vec[0].end, 0x13000);
			CHECK_EQ(vec[0].categories, PAGE_IS_WRITTEN);
			/* write-protected again, the write's Dirty bit kept */
			CHECK(pte_uffd_wp((pte_t){ *pte }) && !(*pte & _PAGE_RW));
			CHECK(*pte & _PAGE_DIRTY);
		} else {
			CHECK_EQ(n, 0);
		}
	}
	unit_world_free(&uw);
}

TEST(mm_uffd_wp_pagemap_scan_reports_the_written_page)
{
	uffd_wp_scan_world("private write");
	uffd_wp_scan_world("shared write file f");
}

/*
 * The model's user address space ends at MODEL_TASK_SIZE (16 TiB), so an
 * anonymous folio's 32-bit ->index holds its virtual page number: a range
 * reaching past it is refused, one ending at it is mapped, and the folio
 * of its last page records that page and its mm (->mapping's handle).
 */
TEST(mm_mmap_ends_at_model_task_size)
{
	struct unit_world uw;
	struct mm_struct *mm;
	u64 top = MODEL_TASK_SIZE - 4096, *pte;
	int tlb;

	if (!build(&uw, anon_world, NULL))
		return;
	mm = unit_mm(&uw, "p");
	tlb = unit_actor_tlb(&uw, "c0");
	CHECK(!mm_mmap(mm, top, 2 * 4096, VM_READ | VM_WRITE, NULL, 0));
	CHECK(!mm_mmap(mm, MODEL_TASK_SIZE, 4096, VM_READ | VM_WRITE, NULL, 0));
	CHECK(mm_mmap(mm, top, 4096, VM_READ | VM_WRITE, NULL, 0));
	CHECK_EQ(mm_user_access(mm, tlb, top, true), 0);
	pte = unit_pte(&uw, mm->space, top);
	CHECK(pte && (*pte & _PAGE_PRESENT));
	if (pte && (*pte & _PAGE_PRESENT)) {
		struct folio *f = pfn_folio(&uw.m.w->mw, pte_pfn((pte_t){ *pte }));

		CHECK_EQ(f->index, 0xffffffffu);
		CHECK_EQ(folio_anon_addr(f), top);
		/* the 32-bit ->mapping handle names the mm, tagged anon */
		CHECK(folio_test_anon(f));
		CHECK(folio_anon_mm(f) == mm);
		CHECK(folio_mapping(f) == NULL);
		CHECK_EQ(folio_pfn(f), pte_pfn((pte_t){ *pte }));
		folio_set_mapping(f, &uw.m.w->mw.files[0]);
		CHECK(!folio_test_anon(f) && folio_mapping(f) == &uw.m.w->mw.files[0]);
		CHECK(folio_anon_mm(f) == NULL);
		folio_set_mapping_ptr(f, mm, true);	/* back as it was */
		CHECK(folio_anon_mm(f) == mm);
	}
	unit_world_free(&uw);
}
