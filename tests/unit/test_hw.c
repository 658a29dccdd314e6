// SPDX-License-Identifier: GPL-2.0
/* hw/: the walker's A/D rules, the x86 D-setting re-walk, blind_dirty, TLBs. */
#include "unit.h"
#include "world.h"

#include "../../exec/arena.h"

static const char *const file_world =
	"scenario w\n"
	"file f pages 4\n"
	"process p\n"
	"mmap p 0x10000 pages 4 shared write file f\n"
	"actor c0 cpu p {\n}\n";

/* A cached translation W=1 D=0 whose in-memory PTE is then made read-only
 * without a flush; returns the PTE. */
static u64 *cached_clean_writable_then_ro(struct unit_world *uw, int *tlb)
{
	struct mm_struct *mm = unit_mm(uw, "p");
	struct hw *hw = &uw->m.w->hw;
	struct hw_fault f;
	u64 *pte;

	*tlb = unit_actor_tlb(uw, "c0");
	CHECK_EQ(mm_user_access(mm, *tlb, 0x10000, true), 0);
	pte = unit_pte(uw, mm->space, 0x10000);
	CHECK(pte && (*pte & _PAGE_RW) && (*pte & _PAGE_DIRTY));
	*pte &= ~_PAGE_DIRTY;
	hw_flush_tlb(hw, mm->space, 0, 0, true);
	CHECK_EQ(hw_access(hw, *tlb, 0x10000, false, &f), 0);	/* fills W=1 D=0 */
	CHECK(!(*pte & _PAGE_DIRTY));
	*pte &= ~_PAGE_RW;
	return pte;
}

TEST(hw_walk_sets_accessed_and_dirty)
{
	struct unit_world uw;
	struct hw_fault f;
	u64 walks, *pte;
	int tlb;

	if (!unit_world_build(&uw, file_world, NULL))
		return;
	tlb = unit_actor_tlb(&uw, "c0");
	CHECK_EQ(mm_user_access(unit_mm(&uw, "p"), tlb, 0x10000, false), 0);
	pte = unit_pte(&uw, unit_mm(&uw, "p")->space, 0x10000);
	CHECK(pte && (*pte & _PAGE_ACCESSED));
	CHECK(!(*pte & _PAGE_DIRTY));	/* a read never sets D */
	walks = uw.m.w->hw.stats.walks;
	CHECK_EQ(hw_access(&uw.m.w->hw, tlb, 0x10000, false, &f), 0);
	CHECK_EQ(uw.m.w->hw.stats.walks, walks);	/* a TLB hit */
	hw_flush_tlb(&uw.m.w->hw, unit_mm(&uw, "p")->space, 0x10000, 0x11000, false);
	CHECK_EQ(hw_access(&uw.m.w->hw, tlb, 0x10000, false, &f), 0);
	CHECK_EQ(uw.m.w->hw.stats.walks, walks + 1);	/* flushed: walks again */
	unit_world_free(&uw);
}

/* A write through the cached W=1 D=0 entry; returns hw_access()'s result. */
static int write_through_stale_clean_entry(struct unit_world *uw, const char *arch,
					   struct hw_fault *f, u64 **pte)
{
	const char *sets[] = { arch, NULL };
	int tlb;

	if (!unit_world_build(uw, file_world, sets))
		return 1;
	*pte = cached_clean_writable_then_ro(uw, &tlb);
	return hw_access(&uw->m.w->hw, tlb, 0x10000, true, f);
}

TEST(hw_x86_dirty_rewalk_faults_on_readonly_entry)
{
	struct unit_world uw;
	struct hw_fault f;
	u64 *pte = NULL;

	CHECK_EQ(write_through_stale_clean_entry(&uw, "arch=x86", &f, &pte), -EFAULT);
	if (!pte)
		return;
	CHECK(f.present);
	CHECK(!(*pte & _PAGE_DIRTY));	/* nothing written */
	unit_world_free(&uw);
}

TEST(hw_blind_dirty_sets_d_in_readonly_entry)
{
	struct unit_world uw;
	struct hw_fault f;
	u64 *pte = NULL;

	CHECK_EQ(write_through_stale_clean_entry(&uw, "arch=blind_dirty", &f, &pte), 0);
	if (!pte)
		return;
	CHECK(*pte & _PAGE_DIRTY);
	CHECK(!(*pte & _PAGE_RW));
	unit_world_free(&uw);
}

/* A bare hw of nr_frames frames and nr_pt page-table slots, in direct mode. */
static bool bare_hw(struct hw *hw, struct arena *ar, u32 nr_frames, u32 nr_pt)
{
	static struct variant_cfg cfg;

	exec_engine = NULL;
	variant_defaults(&cfg);
	if (arena_init(ar, 1u << 20))
		return false;
	if (hw_init(hw, ar, nr_frames, nr_pt, &cfg, NULL)) {
		arena_fini(ar);
		return false;
	}
	return true;
}

/*
 * Page tables come from the top of the pool (slot i in frame nr_frames - 1
 * - i), data from the bottom from pfn 1; where they meet, each skips the
 * frames the other holds.  16 frames, 4 slots: slots 0..3 in pfns 15..12.
 */
TEST(hw_frame_pool_tables_top_data_bottom)
{
	struct arena ar;
	struct hw hw;

	CHECK(!bare_hw(&hw, &ar, 4, 4));	/* a slot would need pfn 0 */
	if (!bare_hw(&hw, &ar, 16, 4)) {
		CHECK(0);
		return;
	}
	CHECK(hw_frame_is_data(&hw, 0));	/* pfn 0 is never handed out */
	CHECK_EQ(hw_alloc_pt(&hw, 0, 4, 0), 15);
	CHECK_EQ(hw_alloc_pt(&hw, 0, 1, 0), 14);
	CHECK_EQ(hw_pt_slot(&hw, 14), 1);
	CHECK(hw_pt_page(&hw, 15) == hw.pt[0]);
	CHECK(hw_pt_page(&hw, 13) == NULL);	/* slot 2 not allocated */
	CHECK(hw_pt_page(&hw, 16) == NULL);	/* past the pool */
	CHECK_EQ(hw_pt_pfn_of(&hw, &hw.pt[1][5]), 14);
	CHECK_EQ(hw_pt_pfn_of(&hw, &hw.pt[2][5]), 0);
	/* data fills 1..13, the free slots' frames included, then runs out */
	for (u64 want = 1; want <= 13; want++)
		CHECK_EQ(hw_alloc_data(&hw, 1, 1), want);
	CHECK_EQ(hw_alloc_data(&hw, 1, 1), 0);
	CHECK(hw_frame_is_data(&hw, 13) && !hw_pt_page(&hw, 13));
	CHECK_EQ(hw_alloc_pt(&hw, 0, 1, 0), 0);	/* slots 2, 3: frames are data */
	/* a slot skipped for data is usable once its frame is freed */
	hw_free_data(&hw, 12);
	CHECK(!hw_frame_is_data(&hw, 12));
	CHECK_EQ(hw_alloc_pt(&hw, 0, 1, 0), 12);
	CHECK_EQ(hw_pt_slot(&hw, 12), 3);
	/* and a freed table's frame can become data */
	hw_free_pt(&hw, 14);
	CHECK(!hw_pt_page(&hw, 14) && !hw_frame_is_data(&hw, 14));
	CHECK_EQ(hw_pt_pfn_of(&hw, &hw.pt[1][0]), 0);
	CHECK_EQ(hw_alloc_data(&hw, 1, 1), 14);
	CHECK_EQ(hw_alloc_pt(&hw, 0, 1, 0), 0);
	arena_fini(&ar);
}

/* Aligned runs (huge pages) never start at pfn 0 or cover a table's frame. */
TEST(hw_frame_pool_aligned_runs)
{
	struct arena ar;
	struct hw hw;

	if (!bare_hw(&hw, &ar, 32, 8)) {	/* slots in pfns 31..24 */
		CHECK(0);
		return;
	}
	CHECK_EQ(hw_alloc_pt(&hw, 0, 4, 0), 31);
	CHECK_EQ(hw_alloc_data(&hw, 8, 8), 8);	/* 0..7 holds pfn 0 */
	CHECK_EQ(hw_alloc_data(&hw, 1, 1), 1);
	CHECK_EQ(hw_alloc_data(&hw, 8, 8), 16);
	CHECK_EQ(hw_alloc_data(&hw, 8, 8), 0);	/* 24..31 holds the table */
	hw_free_pt(&hw, 31);
	CHECK_EQ(hw_alloc_data(&hw, 8, 8), 24);
	CHECK(hw_frame_is_data(&hw, 31));
	CHECK_EQ(hw_alloc_pt(&hw, 0, 4, 0), 0);	/* every slot's frame is data */
	hw_free_data(&hw, 9);
	CHECK_EQ(hw_alloc_data(&hw, 1, 1), 2);	/* the lowest free frame */
	CHECK_EQ(hw_alloc_data(&hw, 1, 1), 3);
	arena_fini(&ar);
}
