// SPDX-License-Identifier: GPL-2.0
/* hw/: the walker's A/D rules, the x86 D-setting re-walk, blind_dirty, TLBs. */
#include "unit.h"
#include "world.h"

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
