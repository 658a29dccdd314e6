// SPDX-License-Identifier: GPL-2.0
/* kvm/: TDP faults and folio marking, aging, splitting a huge SPTE. */
#include "unit.h"
#include "world.h"

#include "../../kvm/mmu/spte.h"
#include "../../kvm/mmu/tdp_iter.h"

static const char *const vm_world =
	"scenario w\n"
	"file g pages 8\n"
	"process q\n"
	"mmap q 0x10000000 pages 8 shared write file g\n"
	"vm vm0 process q\n"
	"memslot vm0 gfn 0 pages 512 hva 0x10000000\n"
	"actor v0 vcpu vm0 {\n}\n";

static struct kvm_vcpu *vcpu0(struct unit_world *uw)
{
	return uw->m.actors[0].vcpu;
}

TEST(kvm_guest_write_maps_writable_and_marks_folio)
{
	const char *sets[] = { "kvm_folio_marking=fault", NULL };
	struct unit_world uw;
	struct kvm *kvm;
	int level;
	u64 spte, *sptep;

	if (!unit_world_build(&uw, vm_world, sets))
		return;
	kvm = &uw.m.w->kvm[0];
	CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), 2, true), 0);
	sptep = kvm_tdp_mmu_walk(kvm, 2, &level, &spte);
	CHECK(sptep && level == PG_LEVEL_4K);
	CHECK(is_shadow_present_pte(spte) && is_writable_pte(spte) && is_dirty_spte(spte));
	CHECK_EQ(spte_to_pfn(spte), unit_file(&uw, "g")->pages[2]);
	CHECK(folio_test_dirty(pfn_folio(&uw.m.w->mw, spte_to_pfn(spte))));
	CHECK_EQ(atomic_read(&pfn_folio(&uw.m.w->mw, spte_to_pfn(spte))->_refcount), 1);	/* GUP's ref released */
	unit_world_free(&uw);
}

TEST(kvm_age_clears_accessed_once)
{
	struct unit_world uw;
	struct kvm *kvm;
	int level;
	u64 spte;

	if (!unit_world_build(&uw, vm_world, NULL))
		return;
	kvm = &uw.m.w->kvm[0];
	CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), 0, false), 0);
	CHECK(kvm_tdp_mmu_age_gfn_range(kvm, 0, 8));
	kvm_tdp_mmu_walk(kvm, 0, &level, &spte);
	CHECK(!is_accessed_spte(spte));
	CHECK(!kvm_tdp_mmu_age_gfn_range(kvm, 0, 8));	/* old now */
	unit_world_free(&uw);
}

TEST(kvm_split_huge_spte)
{
	struct unit_world uw;
	struct kvm *kvm;
	int level;
	u64 huge, spte;

	char src[1024];

	snprintf(src, sizeof(src), "%ssetup {\n  map_huge vm0 0\n}\n", vm_world);
	if (!unit_world_build(&uw, src, NULL))
		return;
	kvm = &uw.m.w->kvm[0];
	kvm_tdp_mmu_walk(kvm, 7, &level, &huge);
	CHECK_EQ(level, PG_LEVEL_2M);
	CHECK(is_large_pte(huge));
	CHECK_EQ(kvm_tdp_mmu_split_huge_page(kvm, 7), 0);
	kvm_tdp_mmu_walk(kvm, 7, &level, &spte);
	CHECK_EQ(level, PG_LEVEL_4K);
	CHECK_EQ(spte_to_pfn(spte), spte_to_pfn(huge) + 7);
	CHECK_EQ(spte & ~(PTE_PFN_MASK | PT_PAGE_SIZE_MASK), huge & ~(PTE_PFN_MASK | PT_PAGE_SIZE_MASK));
	CHECK_EQ(kvm_tdp_mmu_split_huge_page(kvm, 7), 0);	/* nothing left to split */
	unit_world_free(&uw);
}

/*
 * The range walk visits the present leaves of [5, 600) in gfn order, once
 * each, across two tables and two levels, and ages exactly those:
 *
 *   gfn   0 .. 4   5 6 7   8 .. 511   512 .. 1023
 *   EPT   4K A     4K A    none       one 2M leaf A (map_huge)
 */
TEST(kvm_age_range_walks_leaves_in_order)
{
	struct unit_world uw;
	struct kvm *kvm;
	struct tdp_iter iter;
	gfn_t seen[16];
	int level, nseen = 0;
	u64 spte;
	char src[1024];

	/* map_huge needs a memslot there; its pages come from the set-up, not the hva */
	snprintf(src, sizeof(src), "%smemslot vm0 gfn 512 pages 512 hva 0x10200000\n"
		 "setup {\n  map_huge vm0 512\n}\n", vm_world);
	if (!unit_world_build(&uw, src, NULL))
		return;
	kvm = &uw.m.w->kvm[0];
	for (gfn_t g = 0; g < 8; g++)
		CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), g, false), 0);
	tdp_root_for_each_leaf_pte(iter, kvm, 5, 600)
		if (nseen < 16)
			seen[nseen++] = iter.gfn | ((gfn_t)iter.level << 32);
	CHECK_EQ(nseen, 4);
	CHECK_EQ(seen[0], 5 | (1ULL << 32));
	CHECK_EQ(seen[1], 6 | (1ULL << 32));
	CHECK_EQ(seen[2], 7 | (1ULL << 32));
	CHECK_EQ(seen[3], 512 | (2ULL << 32));
	kvm->stat.age_young = 0;
	CHECK(kvm_tdp_mmu_age_gfn_range(kvm, 5, 600));
	CHECK_EQ(kvm->stat.age_young, 4);
	for (gfn_t g = 0; g < 8; g++) {
		kvm_tdp_mmu_walk(kvm, g, &level, &spte);
		CHECK_EQ(is_accessed_spte(spte), g < 5);
	}
	kvm_tdp_mmu_walk(kvm, 700, &level, &spte);
	CHECK(level == PG_LEVEL_2M && !is_accessed_spte(spte));
	CHECK(!kvm_tdp_mmu_age_gfn_range(kvm, 5, 600));	/* old now */
	CHECK(kvm_tdp_mmu_age_gfn_range(kvm, 0, 5));
	CHECK_EQ(kvm->stat.age_young, 9);
	CHECK(!uw.m.ex.have_finding);
	unit_world_free(&uw);
}

/*
 * A range across two leaf tables that starts and ends inside them, young,
 * old and non-present leaves mixed: under either clear variant exactly the
 * young leaves inside the range are aged and counted, both under the
 * explorer (entry by entry) and in direct mode, where each table's part
 * of the range is aged as one leaf run (tdp_iter_leaf_run()).
 */
TEST(kvm_age_range_across_leaf_tables)
{
	const char *clears[] = { "age_clear=clear_bit", "age_clear=cmpxchg" };
	char world[2048];
	int len;

	/*
	 * gfns 384 .. 639 (the last quarter of one leaf table, the first of
	 * the next), backed by 4 memfds of 64 pages mapped back to back
	 */
	len = snprintf(world, sizeof(world), "scenario w\nprocess q\n");
	for (int f = 0; f < 4; f++)
		len += snprintf(world + len, sizeof(world) - len,
				"file g%d pages 64 shmem\nmmap q %#x pages 64 shared write file g%d\n",
				f, 0x10000000 + f * 64 * 4096, f);
	snprintf(world + len, sizeof(world) - len,
		 "vm vm0 process q\nmemslot vm0 gfn 384 pages 256 hva 0x10000000\n"
		 "actor v0 vcpu vm0 {\n}\n");
	for (int v = 0; v < 4; v++) {
		const char *sets[] = { clears[v % 2], NULL };
		struct unit_world uw;
		struct kvm *kvm;
		int level;
		u64 spte;

		if (!unit_world_build(&uw, world, sets))
			return;
		kvm = &uw.m.w->kvm[0];
		if (v >= 2)
			exec_engine = NULL;
		for (gfn_t g = 384; g < 640; g += 3)
			CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), g, false), 0);
		kvm->stat.age_young = 0;
		CHECK(kvm_tdp_mmu_age_gfn_range(kvm, 384, 640));
		CHECK_EQ(kvm->stat.age_young, 86);	/* 384, 387, ..., 639 */
		for (gfn_t g = 385; g < 640; g += 5)
			CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), g, false), 0);
		CHECK(kvm_tdp_mmu_age_gfn_range(kvm, 400, 600));
		CHECK_EQ(kvm->stat.age_young, 86 + 40);	/* 400, 405, ..., 595 */
		for (gfn_t g = 384; g < 640; g++) {
			bool mapped = g % 3 == 0 || g % 5 == 0;

			kvm_tdp_mmu_walk(kvm, g, &level, &spte);
			CHECK_EQ(is_shadow_present_pte(spte), mapped);
			CHECK_EQ(mapped && is_accessed_spte(spte),
				 g % 5 == 0 && (g < 400 || g >= 600));
		}
		CHECK(!kvm_tdp_mmu_age_gfn_range(kvm, 400, 600));
		CHECK(!uw.m.ex.have_finding);
		unit_world_free(&uw);
	}
}

/* The use-after-free oracle: a walk that reaches a freed page table. */
TEST(kvm_walk_of_freed_table_is_use_after_free)
{
	struct unit_world uw;
	struct kvm *kvm;
	int level;
	u64 spte, *sptep;

	if (!unit_world_build(&uw, vm_world, NULL))
		return;
	kvm = &uw.m.w->kvm[0];
	CHECK_EQ(kvm_vcpu_access(vcpu0(&uw), 0, false), 0);
	sptep = kvm_tdp_mmu_walk(kvm, 0, &level, &spte);
	CHECK(sptep && !uw.m.ex.have_finding);
	hw_free_pt(&uw.m.w->hw, hw_pt_pfn_of(&uw.m.w->hw, sptep));	/* no RCU grace period */
	CHECK(kvm_tdp_mmu_walk(kvm, 0, &level, &spte) == NULL);
	CHECK(uw.m.ex.have_finding);
	CHECK_EQ(uw.m.ex.finding.oracle, ORACLE_USE_AFTER_FREE);
	unit_world_free(&uw);
}
