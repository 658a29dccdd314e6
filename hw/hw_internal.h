/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hw_internal: what the files of hw/ share and no other layer sees: the
 * walk's record, an access's pending state, and the TLB operations of
 * the access path, inline because a TLB hit must cost a few instructions
 * (sim's access rate) wherever it is decided.
 */
#ifndef ADSIM_HW_HW_INTERNAL_H
#define ADSIM_HW_HW_INTERNAL_H

#include <string.h>

#include "hw.h"

struct hw_walk {
	u64 *path[PT64_ROOT_4LEVEL];
	int n;
	u64 *leaf;	/* last entry read */
	int level;
	u64 val;
	bool present;	/* reached a present leaf */
	bool uaf;	/* a non-leaf entry pointed at a non-page-table frame */
};

/* walk.c: walks from the root to addr's last entry, all levels in one step. */
void hw_walk(struct hw *hw, int space, u64 addr, struct hw_walk *w);

/* The frame a leaf entry at level maps for addr (a huge leaf's page in it). */
static inline u64 hw_leaf_pfn(u64 entry, int level, u64 addr)
{
	return ((entry & PTE_PFN_MASK) >> PAGE_SHIFT) +
	       ((addr >> PAGE_SHIFT) & (hw_level_pages(level) - 1));
}

/*
 * An access or a flush waiting (exec_wait_until(), or a footprint of the
 * pending step): what it is about.
 */
struct hw_pend {
	struct hw *hw;
	int tlb;
	u64 addr;
	bool write;
	int space;
	u32 targets;	/* hw_flush_tlb(): TLBs waited for */
	int self;
};

/* A footprint that dropped an object would make the reductions unsound. */
static inline void foot_add(struct exec_foot *f, const void *addr, u8 acc)
{
	if (!addr || MODEL_WARN_ON(f->n >= EXEC_MAX_FOOT))
		return;
	f->o[f->n++] = (struct exec_obj){ .addr = addr, .acc = acc };
}

/* ---- TLB operations (tlb.c holds the rest) ---- */

static inline struct hw_tlb_entry *hw_tlb_set(struct hw_tlb_array *a, u64 tag)
{
	return &a->e[((tag >> 3) & a->set_mask) * a->ways];
}

static inline struct hw_tlb_entry *hw_tlb_array_find(struct hw_tlb_array *a, u64 tag)
{
	struct hw_tlb_entry *e;

	if (!a->sets)
		return NULL;
	e = hw_tlb_set(a, tag);
	for (u32 i = 0; i < a->ways; i++)
		if (e[i].tag == tag)
			return &e[i];
	return NULL;
}

/* The entry of one level that translates addr, at any page size. */
static inline struct hw_tlb_entry *hw_tlb_level_lookup(struct hw_tlb *t, struct hw_tlb_array *a,
						u64 addr)
{
	struct hw_tlb_entry *e = hw_tlb_array_find(a, hw_tlb_tag(addr, PG_LEVEL_4K));

	for (int level = PG_LEVEL_2M; !e && t->nr_huge && level <= PG_LEVEL_1G; level++)
		e = hw_tlb_array_find(a, hw_tlb_tag(addr, level));
	return e;
}

/* The cached translation of addr in either level, with no side effect. */
static inline struct hw_tlb_entry *hw_tlb_lookup(struct hw_tlb *t, u64 addr)
{
	struct hw_tlb_entry *e = hw_tlb_level_lookup(t, &t->l1, addr);

	return e ? e : hw_tlb_level_lookup(t, &t->l2, addr);
}

/* The way of tag's set that a fill replaces: a free one, else the policy's. */
static inline struct hw_tlb_entry *hw_tlb_victim(struct hw_tlb_array *a, u64 tag)
{
	struct hw_tlb_entry *set = hw_tlb_set(a, tag), *v;
	u32 s = (u32)((tag >> 3) & a->set_mask);

	for (u32 i = 0; i < a->ways; i++)
		if (!set[i].tag)
			return &set[i];
	switch (a->repl) {
	case TLB_REPL_LRU:
		v = &set[0];
		for (u32 i = 1; i < a->ways; i++)
			if ((s32)(set[i].lru - v->lru) < 0)
				v = &set[i];
		return v;
	case TLB_REPL_RANDOM:
		a->rnd ^= a->rnd << 13;
		a->rnd ^= a->rnd >> 7;
		a->rnd ^= a->rnd << 17;
		return &set[a->rnd % a->ways];
	case TLB_REPL_FIFO:
	default:
		v = &set[a->cursor[s]];
		a->cursor[s] = (u16)((a->cursor[s] + 1) % a->ways);
		return v;
	}
}

static inline struct hw_tlb_entry *hw_tlb_array_fill(struct hw_tlb_array *a,
					      const struct hw_tlb_entry *src)
{
	struct hw_tlb_entry *e = hw_tlb_array_find(a, src->tag);

	if (!e)
		e = hw_tlb_victim(a, src->tag);
	*e = *src;
	e->lru = ++a->clock;
	return e;
}

/* Caches a translation in both levels; returns the first level's entry. */
static inline struct hw_tlb_entry *hw_tlb_fill(struct hw *hw, struct hw_tlb *t, u64 addr,
					int level, u64 val, int space)
{
	struct hw_tlb_entry n = {
		.tag = hw_tlb_tag(addr, level),
		.pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT,
		.fill_time = exec_engine ? exec_engine->now : 0,
		.w = hw_entry_writable(hw, space, val),
		.d = (val & hw_entry_ad(hw, space, true) & ~hw_entry_ad(hw, space, false)) != 0,
	};

	if (level > PG_LEVEL_4K)
		t->nr_huge = 1;
	if (t->l2.sets)
		hw_tlb_array_fill(&t->l2, &n);
	return hw_tlb_array_fill(&t->l1, &n);
}

/* A first-level miss that hits the second level: copy the entry up. */
static inline struct hw_tlb_entry *hw_tlb_promote(struct hw *hw, struct hw_tlb *t,
					   struct hw_tlb_entry *e)
{
	if (!t->l2.sets || e < t->l2.e || e >= t->l2.e + (size_t)t->l2.sets * t->l2.ways)
		return e;
	hw->stats.tlb_l2_hits++;
	if (t->l2.repl == TLB_REPL_LRU)
		e->lru = ++t->l2.clock;
	return hw_tlb_array_fill(&t->l1, e);
}

/* The entry's D was set by a re-walk: both levels' copies learn it. */
static inline void hw_tlb_set_dirty(struct hw_tlb *t, struct hw_tlb_entry *e)
{
	struct hw_tlb_entry *o = hw_tlb_array_find(&t->l2, e->tag);

	e->d = 1;
	if (o)
		o->d = 1;
}

/* Drops the translation e holds from both levels. */
static inline void hw_tlb_drop(struct hw_tlb *t, struct hw_tlb_entry *e)
{
	u64 tag = e->tag;
	struct hw_tlb_entry *o;

	if ((o = hw_tlb_array_find(&t->l1, tag)))
		o->tag = 0;
	if ((o = hw_tlb_array_find(&t->l2, tag)))
		o->tag = 0;
}

static inline u64 hw_page_pfn(const struct hw_tlb_entry *e, u64 addr)
{
	return e->pfn + ((addr >> PAGE_SHIFT) & (hw_level_pages(hw_tlb_entry_level(e)) - 1));
}

/* tlb.c: drop tlb's entries in [start, end), or all. */
void hw_tlb_flush_range(struct hw_tlb *t, u64 start, u64 end, bool all);

#endif
