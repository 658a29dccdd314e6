// SPDX-License-Identifier: GPL-2.0
/*
 * hw/tlb: per-CPU TLBs (a set-associative L1 and an optional L2 per
 * actor, with their replacement policies) and local flushes.  The lookup
 * and fill of the access path are inline in hw_internal.h.
 */
#include "hw_internal.h"

#include <stdio.h>

#include "../exec/arena.h"

static int hw_tlb_array_init(struct hw_tlb_array *a, struct arena *ar,
			     const struct hw_tlb_geom *g)
{
	memset(a, 0, sizeof(*a));
	if (!g || !g->sets)
		return 0;
	if ((g->sets & (g->sets - 1)) || g->ways < 1 || g->ways > 65535 ||
	    (u64)g->sets * g->ways > (1u << 24))
		return -1;
	a->sets = g->sets;
	a->ways = g->ways;
	a->set_mask = g->sets - 1;
	a->repl = g->repl;
	a->rnd = 0x9e3779b97f4a7c15ULL;
	a->e = arena_alloc(ar, (size_t)g->sets * g->ways * sizeof(*a->e));
	a->cursor = arena_alloc(ar, (size_t)g->sets * sizeof(*a->cursor));
	return a->e && a->cursor ? 0 : -1;
}

int hw_new_tlb_geom(struct hw *hw, struct arena *ar, int space, int actor,
		    const struct hw_tlb_geom *l1, const struct hw_tlb_geom *l2,
		    const char *name)
{
	struct hw_tlb *t;
	int id;

	if (hw->nr_tlbs >= HW_MAX_TLBS || !l1 || !l1->sets)
		return -1;
	id = hw->nr_tlbs;
	t = &hw->tlbs[id];
	memset(t, 0, sizeof(*t));
	t->actor = actor;
	t->space = space;
	if (hw_tlb_array_init(&t->l1, ar, l1) || hw_tlb_array_init(&t->l2, ar, l2))
		return -1;
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (actor >= 0 && actor < EXEC_MAX_ACTORS)
		hw->tlb_of_actor[actor] = (s8)id;
	hw->nr_tlbs++;
	return id;
}

int hw_new_tlb(struct hw *hw, struct arena *ar, int space, int actor,
	       int entries, const char *name)
{
	struct hw_tlb_geom g = { 1, (u32)entries, TLB_REPL_FIFO };

	if (entries < 1)
		return -1;
	return hw_new_tlb_geom(hw, ar, space, actor, &g, NULL, name);
}

static void hw_tlb_array_flush(struct hw_tlb_array *a, u64 start, u64 end, bool all)
{
	size_t n = (size_t)a->sets * a->ways;

	if (all) {
		memset(a->e, 0, n * sizeof(*a->e));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct hw_tlb_entry *e = &a->e[i];
		int shift = hw_level_shift(hw_tlb_entry_level(e));
		u64 s = (e->tag >> 3) << shift;

		if (e->tag && s < end && start < s + (1ULL << shift))
			e->tag = 0;
	}
}

/*
 * Invalidates every translation overlapping [start, end) (all: every
 * one).  A short range is invalidated page by page (INVLPG), which only
 * visits the sets those pages map to.
 */
void hw_tlb_flush_range(struct hw_tlb *t, u64 start, u64 end, bool all)
{
	u64 pages = end > start ? (end - start) >> PAGE_SHIFT : 0;

	if (all)
		t->flush_full++;
	else
		t->flush_range++;
	if (!all && !t->nr_huge && pages <= 64) {
		for (u64 a = start & ~(PAGE_SIZE - 1); a < end; a += PAGE_SIZE) {
			u64 tag = hw_tlb_tag(a, PG_LEVEL_4K);
			struct hw_tlb_entry *e;

			if ((e = hw_tlb_array_find(&t->l1, tag)))
				e->tag = 0;
			if ((e = hw_tlb_array_find(&t->l2, tag)))
				e->tag = 0;
		}
		return;
	}
	hw_tlb_array_flush(&t->l1, start, end, all);
	if (t->l2.sets)
		hw_tlb_array_flush(&t->l2, start, end, all);
}

void hw_flush_tlb_local(struct hw *hw, int tlb, u64 start, u64 end, bool all)
{
	hw->stats.flush_local++;
	hw_tlb_flush_range(&hw->tlbs[tlb], start, end, all);
}

