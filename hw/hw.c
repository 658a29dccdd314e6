// SPDX-License-Identifier: GPL-2.0
/*
 * hw: frames, the hardware page walker, TLBs and IPIs.  See hw.h.
 *
 * Simplifications:
 *  - one walk (all levels, the A/D update, the TLB fill) is one step; the
 *    path's entries are in its footprint, so any concurrent change to them
 *    is ordered against it;
 *  - paging-structure caches are not modelled: a flush removes the leaf
 *    translation only;
 *  - a write that hits a cached read-only translation faults (#PF), and
 *    the fault invalidates that entry, as x86 does;
 *  - page tables come from the top of the frame pool, so a table's slot is
 *    its pfn's distance from the top.
 */
#include "hw.h"

#include <stdio.h>
#include <string.h>

#include "../exec/arena.h"

int hw_init(struct hw *hw, struct arena *ar, u32 nr_frames, u32 nr_pt,
	    const struct variant_cfg *cfg, const struct obs *obs)
{
	memset(hw, 0, sizeof(*hw));
	hw->cfg = cfg;
	hw->obs = obs;
	hw->tlb_evict = true;
	/* every slot needs a frame of its own above pfn 0 */
	if (!nr_frames || nr_pt >= nr_frames)
		return -1;
	hw->data_map = arena_alloc(ar, ((size_t)nr_frames + 63) / 64 * sizeof(u64));
	hw->nr_frames = nr_frames;
	hw->nr_pt = nr_pt;
	hw->pt = arena_alloc(ar, (size_t)nr_pt * sizeof(*hw->pt));
	hw->pt_meta = arena_alloc(ar, (size_t)nr_pt * sizeof(*hw->pt_meta));
	hw->free_lo = 1;
	for (int i = 0; i < EXEC_MAX_ACTORS; i++)
		hw->tlb_of_actor[i] = -1;
	hw->direct_tlb = -1;
	if (!hw->data_map || !hw->pt || !hw->pt_meta)
		return -1;
	/* pfn 0 is never handed out: a zero entry must not look like one */
	hw->data_map[0] = 1;
	return 0;
}

int hw_new_space(struct hw *hw, enum hw_space_kind kind, const char *name)
{
	struct hw_space *s;
	int id;

	if (hw->nr_spaces >= HW_MAX_SPACES)
		return -1;
	id = hw->nr_spaces++;
	s = &hw->spaces[id];
	s->kind = (u8)kind;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->root_pfn = hw_alloc_pt(hw, id, PT64_ROOT_4LEVEL, 0);
	return s->root_pfn ? id : -1;
}

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

/* ---- frames ---- */

u64 hw_pt_pfn_of(struct hw *hw, const u64 *p)
{
	const u64 *base = &hw->pt[0][0];
	size_t slot;

	if (p < base || p >= base + (size_t)hw->nr_pt * PT64_ENT_PER_PAGE)
		return 0;
	slot = (size_t)(p - base) / PT64_ENT_PER_PAGE;
	/* O(1): PTE-table walks look up their lock here */
	return hw->pt_meta[slot].level ? hw_pt_slot_pfn(hw, slot) : 0;
}

/* Whether frame pfn (< nr_frames) is held by an allocated page table. */
static bool hw_frame_is_pt(const struct hw *hw, u64 pfn)
{
	u64 slot = hw_pt_slot(hw, pfn);

	return slot < hw->nr_pt && hw->pt_meta[slot].level;
}

/* The lowest free frame at or above pfn; nr_frames if none. */
static u64 hw_next_free(const struct hw *hw, u64 pfn)
{
	while (pfn < hw->nr_frames) {
		u64 w = ~hw->data_map[pfn / 64] & (~0ULL << (pfn % 64));

		if (!w) {
			pfn = (pfn / 64 + 1) * 64;
			continue;
		}
		pfn = pfn / 64 * 64 + (u64)__builtin_ctzll(w);
		if (pfn >= hw->nr_frames || !hw_frame_is_pt(hw, pfn))
			break;
		pfn++;
	}
	return min_t(u64, pfn, hw->nr_frames);
}

/*
 * The allocator is one model word: two allocations, or an allocation and
 * a free, conflict; an access that checks a frame's state reads it.
 */
u64 hw_alloc_pt(struct hw *hw, int space, int level, u64 base)
{
	u32 pt;
	u64 pfn;

	exec_point(EXEC_OP_RMW, &hw->alloc, ACC_W);
	if (MODEL_WARN_ON(level < PG_LEVEL_4K))
		return 0;
	/* the lowest free slot whose frame data does not hold */
	for (pt = hw->pt_lo; pt < hw->nr_pt; pt++)
		if (!hw->pt_meta[pt].level && !hw_frame_is_data(hw, hw_pt_slot_pfn(hw, pt)))
			break;
	hw->pt_lo = pt;
	if (pt >= hw->nr_pt)
		return 0;
	pfn = hw_pt_slot_pfn(hw, pt);
	hw->pt_meta[pt] = (struct hw_pt_meta){ .base = base, .level = (u8)level,
					       .space = (s8)space };
	memset(hw->pt[pt], 0, sizeof(hw->pt[pt]));
	if (exec_tracing())
		exec_note("alloc page table pfn %llu (L%d)", (unsigned long long)pfn, level);
	return pfn;
}

void hw_free_pt(struct hw *hw, u64 pfn)
{
	u64 slot = hw_pt_slot(hw, pfn);

	exec_point(EXEC_OP_RMW, &hw->alloc, ACC_W);
	if (MODEL_WARN_ON(!hw_frame_is_pt(hw, pfn)))
		return;
	hw->pt_meta[slot].level = 0;
	hw->pt_lo = min_t(u32, hw->pt_lo, (u32)slot);
	hw->free_lo = min_t(u64, hw->free_lo, pfn);
	if (exec_tracing())
		exec_note("free page table pfn %llu", (unsigned long long)pfn);
}

/* The lowest free run of nr frames aligned to align; 0 if none. */
u64 hw_alloc_data(struct hw *hw, u64 nr, u64 align)
{
	u64 pfn;

	exec_point(EXEC_OP_RMW, &hw->alloc, ACC_W);
	if (!align)
		align = 1;
	hw->free_lo = hw_next_free(hw, hw->free_lo);
	pfn = max_t(u64, align, (hw->free_lo + align - 1) / align * align);
	while (nr && pfn + nr <= hw->nr_frames) {
		u64 i, next = pfn;

		for (i = 0; i < nr; i++) {
			next = hw_next_free(hw, pfn + i);
			if (next != pfn + i)
				break;
		}
		if (i < nr) {
			/* a frame of the run is in use: the next aligned start past it */
			pfn = (next + align - 1) / align * align;
			continue;
		}
		for (i = 0; i < nr; i++)
			hw->data_map[(pfn + i) / 64] |= 1ULL << ((pfn + i) % 64);
		return pfn;
	}
	return 0;
}

void hw_free_data(struct hw *hw, u64 pfn)
{
	exec_point(EXEC_OP_RMW, &hw->alloc, ACC_W);
	if (MODEL_WARN_ON(!hw_frame_is_data(hw, pfn)))
		return;
	hw->data_map[pfn / 64] &= ~(1ULL << (pfn % 64));
	hw->free_lo = min_t(u64, hw->free_lo, pfn);
	/* a slot skipped while data held its frame is usable again */
	if (hw_pt_slot(hw, pfn) < hw->nr_pt)
		hw->pt_lo = min_t(u32, hw->pt_lo, (u32)hw_pt_slot(hw, pfn));
	if (exec_tracing())
		exec_note("free frame pfn %llu", (unsigned long long)pfn);
}

/* ---- entry formats ---- */

bool hw_entry_present(const struct hw *hw, int space, u64 e)
{
	if (hw->spaces[space].kind == HW_SPACE_EPT)
		return e & VMX_EPT_RWX_MASK;
	return e & _PAGE_PRESENT;
}

bool hw_entry_writable(const struct hw *hw, int space, u64 e)
{
	(void)hw;
	(void)space;
	return e & _PAGE_RW;	/* bit 1 in both formats */
}

bool hw_entry_leaf(const struct hw *hw, int space, u64 e, int level)
{
	(void)hw;
	(void)space;
	return level == PG_LEVEL_4K || (e & _PAGE_PSE);	/* bit 7 in both */
}

u64 hw_entry_ad(const struct hw *hw, int space, bool dirty)
{
	if (hw->spaces[space].kind == HW_SPACE_EPT)
		return VMX_EPT_ACCESS_BIT | (dirty ? VMX_EPT_DIRTY_BIT : 0);
	return _PAGE_ACCESSED | (dirty ? _PAGE_DIRTY : 0);
}

/* ---- the walker ---- */

/* The frame a leaf entry at level maps for addr (a huge leaf's page in it). */
static inline u64 hw_leaf_pfn(u64 entry, int level, u64 addr)
{
	return ((entry & PTE_PFN_MASK) >> PAGE_SHIFT) +
	       ((addr >> PAGE_SHIFT) & (hw_level_pages(level) - 1));
}

struct hw_walk {
	u64 *path[PT64_ROOT_4LEVEL];
	int n;
	u64 *leaf;	/* last entry read */
	int level;
	u64 val;
	bool present;	/* reached a present leaf */
	bool uaf;	/* a non-leaf entry pointed at a non-page-table frame */
};

static void hw_walk(struct hw *hw, int space, u64 addr, struct hw_walk *w)
{
	u64 pfn = hw->spaces[space].root_pfn;

	memset(w, 0, sizeof(*w));
	for (int level = PT64_ROOT_4LEVEL; level >= PG_LEVEL_4K; level--) {
		u64 *pt = hw_pt_page(hw, pfn);
		u64 *p;

		if (!pt) {
			w->uaf = true;
			return;
		}
		p = &pt[hw_index(addr, level)];
		w->path[w->n++] = p;
		w->leaf = p;
		w->level = level;
		w->val = *p;
		if (!hw_entry_present(hw, space, w->val))
			return;
		if (hw_entry_leaf(hw, space, w->val, level)) {
			w->present = true;
			return;
		}
		pfn = (w->val & PTE_PFN_MASK) >> PAGE_SHIFT;
	}
}

u64 *hw_lookup(struct hw *hw, int space, u64 addr, int level)
{
	u64 pfn = hw->spaces[space].root_pfn;

	for (int l = PT64_ROOT_4LEVEL; l >= PG_LEVEL_4K; l--) {
		u64 *pt = hw_pt_page(hw, pfn);

		if (!pt)
			return NULL;
		if (l == level)
			return &pt[hw_index(addr, l)];
		if (!hw_entry_present(hw, space, pt[hw_index(addr, l)]) ||
		    hw_entry_leaf(hw, space, pt[hw_index(addr, l)], l))
			return NULL;
		pfn = (pt[hw_index(addr, l)] & PTE_PFN_MASK) >> PAGE_SHIFT;
	}
	return NULL;
}

/* ---- TLBs ---- */

static struct hw_tlb_entry *hw_tlb_set(struct hw_tlb_array *a, u64 tag)
{
	return &a->e[((tag >> 3) & a->set_mask) * a->ways];
}

static struct hw_tlb_entry *hw_tlb_array_find(struct hw_tlb_array *a, u64 tag)
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
static struct hw_tlb_entry *hw_tlb_level_lookup(struct hw_tlb *t, struct hw_tlb_array *a,
						u64 addr)
{
	struct hw_tlb_entry *e = hw_tlb_array_find(a, hw_tlb_tag(addr, PG_LEVEL_4K));

	for (int level = PG_LEVEL_2M; !e && t->nr_huge && level <= PG_LEVEL_1G; level++)
		e = hw_tlb_array_find(a, hw_tlb_tag(addr, level));
	return e;
}

/* The cached translation of addr in either level, with no side effect. */
static struct hw_tlb_entry *hw_tlb_lookup(struct hw_tlb *t, u64 addr)
{
	struct hw_tlb_entry *e = hw_tlb_level_lookup(t, &t->l1, addr);

	return e ? e : hw_tlb_level_lookup(t, &t->l2, addr);
}

/* The way of tag's set that a fill replaces: a free one, else the policy's. */
static struct hw_tlb_entry *hw_tlb_victim(struct hw_tlb_array *a, u64 tag)
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

static struct hw_tlb_entry *hw_tlb_array_fill(struct hw_tlb_array *a,
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
static struct hw_tlb_entry *hw_tlb_fill(struct hw *hw, struct hw_tlb *t, u64 addr,
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
static struct hw_tlb_entry *hw_tlb_promote(struct hw *hw, struct hw_tlb *t,
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
static void hw_tlb_set_dirty(struct hw_tlb *t, struct hw_tlb_entry *e)
{
	struct hw_tlb_entry *o = hw_tlb_array_find(&t->l2, e->tag);

	e->d = 1;
	if (o)
		o->d = 1;
}

/* Drops the translation e holds from both levels. */
static void hw_tlb_drop(struct hw_tlb *t, struct hw_tlb_entry *e)
{
	u64 tag = e->tag;
	struct hw_tlb_entry *o;

	if ((o = hw_tlb_array_find(&t->l1, tag)))
		o->tag = 0;
	if ((o = hw_tlb_array_find(&t->l2, tag)))
		o->tag = 0;
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
static void hw_tlb_flush_range(struct hw_tlb *t, u64 start, u64 end, bool all)
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
static void foot_add(struct exec_foot *f, const void *addr, u8 acc)
{
	if (!addr || MODEL_WARN_ON(f->n >= EXEC_MAX_FOOT))
		return;
	f->o[f->n++] = (struct exec_obj){ .addr = addr, .acc = acc };
}

static struct hw_tlb_entry *hw_tlb_lookup(struct hw_tlb *t, u64 addr);
static u64 hw_page_pfn(const struct hw_tlb_entry *e, u64 addr);

/*
 * What hw_access() may touch, computed in the current state: its own TLB;
 * the entries it walks, the leaf written only if A/D would change; the
 * page's data word for a write; the protect word when a cached entry may
 * complete the access.  An eviction choice may send a hit down the walk,
 * so both are covered when the entry may be evicted.
 */
static void hw_access_foot(struct exec_actor *a, struct exec_foot *f)
{
	const struct hw_pend *p = a->wait_arg;
	struct hw *hw = p->hw;
	struct hw_tlb *t = &hw->tlbs[p->tlb];
	struct hw_tlb_entry *e = hw_tlb_lookup(t, p->addr);
	bool walk = !e || hw->tlb_evict, rewalk = e && p->write && e->w && !e->d;
	struct hw_walk w;

	foot_add(f, t, ACC_W);
	foot_add(f, &hw->alloc, ACC_R);
	if (e) {
		foot_add(f, hw->obs ? &hw->obs->protect_word : NULL, ACC_R);
		if (p->write && e->w)
			foot_add(f, obs_page_word(hw->obs, hw_page_pfn(e, p->addr)), ACC_ADD);
	}
	if (!walk && !rewalk)
		return;
	hw_walk(hw, p->space, p->addr, &w);
	for (int i = 0; i + 1 < w.n; i++)
		foot_add(f, w.path[i], ACC_R);
	if (w.leaf) {
		u64 ad = hw_entry_ad(hw, p->space, p->write);
		bool ok = w.present && (!p->write || hw_entry_writable(hw, p->space, w.val));
		bool changes = (w.val & ad) != ad &&
			       (ok || (rewalk && variant(hw->cfg, arch) == arch__blind_dirty));

		foot_add(f, w.leaf, changes ? ACC_W : ACC_R);
		if (p->write && ok)
			foot_add(f, obs_page_word(hw->obs, hw_leaf_pfn(w.val, w.level, p->addr)),
				 ACC_ADD);
	}
}

static void hw_observe(struct hw *hw, int space, u64 addr, u64 pfn,
		       bool write, bool via_tlb, u64 fill_time)
{
	struct hw_walk w;
	struct obs_access oa;

	if (!hw->obs || !hw->obs->ops || !hw->obs->ops->access)
		return;
	oa.space = space;
	oa.addr = addr;
	oa.pfn = pfn;
	oa.write = write;
	oa.via_tlb = via_tlb;
	oa.fill_time = fill_time;
	oa.permitted = true;
	/* whether the entry still permits it matters only after a protection */
	if (via_tlb && fill_time < hw->obs->last_protect) {
		hw_walk(hw, space, addr, &w);
		oa.permitted = w.present &&
			       (!write || hw_entry_writable(hw, space, w.val));
	}
	oa.frame_free = !hw_frame_is_data(hw, pfn);
	hw->obs->ops->access(hw->obs->ctx, &oa);
}

static u64 hw_page_pfn(const struct hw_tlb_entry *e, u64 addr)
{
	return e->pfn + ((addr >> PAGE_SHIFT) & (hw_level_pages(hw_tlb_entry_level(e)) - 1));
}

/*
 * A write through cached entry e whose D was 0 sets D in the in-memory
 * leaf and in the TLB's copies: the completed D-bit assist of both arch
 * variants ("how" names which, for traces).
 */
static void hw_dirty_assist(struct hw *hw, struct hw_tlb *t, struct hw_tlb_entry *e,
			    u64 *leaf, const char *kind, u64 addr, const char *how)
{
	u64 old = *leaf;

	*leaf |= hw_entry_ad(hw, t->space, true);
	hw_tlb_set_dirty(t, e);
	hw->stats.tlb_hits++;
	hw->stats.dirty_assists++;
	if (exec_tracing()) {
		char b[96];

		hw_format_entry(hw, t->space, old, b, sizeof(b));
		exec_note("%s write %#llx via %s: %s %s)", kind, (unsigned long long)addr,
			  t->name, how, b);
	}
}

/* What an access through a cached translation leaves to do. */
enum hw_cached { HW_DONE, HW_WALK, HW_REFUSED };

/*
 * An access that found its translation e in the TLB: a read, or a write
 * through an entry whose D is set, completes; a write through a read-only
 * entry drops it and walks (HW_WALK); a write through a writable entry
 * whose D is 0 re-walks to set D (SDM "Accessed and Dirty Flags"), which
 * completes, or finds the entry no longer writable (HW_REFUSED, *w holds
 * the walk).  Under arch=blind_dirty D is ORed in without the check.
 */
static inline __attribute__((always_inline)) enum hw_cached
hw_access_cached(struct hw *hw, struct hw_tlb *t, struct hw_tlb_entry *e, u64 addr,
		 bool write, const char *kind, struct hw_walk *w)
{
	int space = t->space;
	u64 pfn = hw_page_pfn(e, addr);

	e = hw_tlb_promote(hw, t, e);
	if (write && !e->w) {
		/* #PF on a read-only translation drops it */
		hw_tlb_drop(t, e);
		return HW_WALK;
	}
	if (!write || e->d) {
		hw->stats.tlb_hits++;
		if (exec_tracing())
			exec_note("%s %s %#llx hits %s (W=%d D=%d)", kind, write ? "write" : "read",
				  (unsigned long long)addr, t->name, e->w, e->d);
		hw_observe(hw, space, addr, pfn, write, true, e->fill_time);
		return HW_DONE;
	}
	/* write through a cached writable entry whose D is 0 */
	hw_walk(hw, space, addr, w);
	if (variant(hw->cfg, arch) == arch__blind_dirty) {
		if (!w->leaf) {
			hw_tlb_drop(t, e);
			return HW_WALK;
		}
		hw_dirty_assist(hw, t, e, w->leaf, kind, addr, "D set blindly in entry (was");
		hw_observe(hw, space, addr, pfn, write, true, e->fill_time);
		return HW_DONE;
	}
	if (w->present && hw_entry_writable(hw, space, w->val)) {
		hw_dirty_assist(hw, t, e, w->leaf, kind, addr, "locked RMW sets D (entry was");
		hw_observe(hw, space, addr, hw_leaf_pfn(w->val, w->level, addr), write, false, 0);
		return HW_DONE;
	}
	/* the entry no longer allows the write: fault, drop the entry */
	hw_tlb_drop(t, e);
	if (exec_tracing())
		exec_note("%s write %#llx: D-setting re-walk finds entry not writable", kind,
			  (unsigned long long)addr);
	return HW_REFUSED;
}

/*
 * After the walk w: a fault if the entry is missing or forbids the
 * access; else the walker sets A (and D on a write) with a locked RMW,
 * fills the TLB, and the access completes.
 */
static int hw_access_walked(struct hw *hw, struct hw_tlb *t, u64 addr, bool write,
			    const char *kind, struct hw_walk *w, struct hw_fault *f)
{
	int space = t->space;
	u64 old, pfn;

	hw->stats.walks++;
	if (w->uaf) {
		exec_report(ORACLE_USE_AFTER_FREE, "%s walk of %#llx reaches a freed page-table page",
			    t->name, (unsigned long long)addr);
		return -EFAULT;
	}
	if (!w->present || (write && !hw_entry_writable(hw, space, w->val))) {
		hw->stats.faults++;
		f->present = w->present;
		f->entry = w->val;
		f->level = w->level;
		if (exec_tracing()) {
			char b[96];

			hw_format_entry(hw, space, w->val, b, sizeof(b));
			exec_note("%s %s %#llx faults (%s)", kind, write ? "write" : "read",
				  (unsigned long long)addr, b);
		}
		return -EFAULT;
	}
	old = *w->leaf;
	*w->leaf |= hw_entry_ad(hw, space, write);
	/* the walker's locked A/D update: what a young/dirty entry saves */
	hw->stats.accessed_sets += (*w->leaf & ~old & hw_entry_ad(hw, space, false)) != 0;
	hw->stats.dirty_sets += write && (*w->leaf & ~old & ~hw_entry_ad(hw, space, false)) != 0;
	hw_tlb_fill(hw, t, addr, w->level, *w->leaf, space);
	pfn = hw_leaf_pfn(w->val, w->level, addr);
	if (exec_tracing()) {
		char b[96], c[96];

		hw_format_entry(hw, space, old, b, sizeof(b));
		hw_format_entry(hw, space, *w->leaf, c, sizeof(c));
		exec_note("%s %s %#llx walks: %s -> %s, fills %s", kind, write ? "write" : "read",
			  (unsigned long long)addr, b, c, t->name);
	}
	hw_observe(hw, space, addr, pfn, write, false, 0);
	return 0;
}

int hw_access(struct hw *hw, int tlb, u64 addr, bool write, struct hw_fault *f)
{
	struct hw_tlb *t = &hw->tlbs[tlb];
	struct hw_pend p = { hw, tlb, addr, write, t->space, 0, 0 };
	struct hw_tlb_entry *e;
	struct exec_actor *a = exec_current();
	const char *kind = hw->spaces[t->space].kind == HW_SPACE_EPT ? "guest" : "user";
	enum hw_cached r = HW_WALK;
	struct hw_walk w;

	if (a)
		a->wait_arg = &p;
	exec_point_foot(EXEC_OP_HW, NULL, hw_access_foot, NULL);
	hw->stats.accesses++;
	memset(f, 0, sizeof(*f));
	f->addr = addr;
	f->write = write;

	e = hw_tlb_lookup(t, addr);
	if (e && hw->tlb_evict && exec_choose(2)) {
		hw_tlb_drop(t, e);
		e = NULL;
		if (exec_tracing())
			exec_note("%s: TLB entry for %#llx evicted", t->name,
				  (unsigned long long)addr);
	}
	if (e)
		r = hw_access_cached(hw, t, e, addr, write, kind, &w);
	if (r == HW_DONE)
		return 0;
	if (r == HW_WALK)
		hw_walk(hw, t->space, addr, &w);
	return hw_access_walked(hw, t, addr, write, kind, &w, f);
}

/* ---- flushes and IPIs ---- */

static bool hw_flush_acked(struct exec_actor *a)
{
	const struct hw_pend *p = a->wait_arg;

	for (int i = 0; i < p->hw->nr_tlbs; i++)
		if ((p->targets & (1u << i)) &&
		    (p->hw->tlbs[i].ipi_from & (1u << p->self)))
			return false;
	return true;
}

void hw_flush_tlb(struct hw *hw, int space, u64 start, u64 end, bool all)
{
	struct exec_actor *a = exec_current();
	int self = a ? a->id : -1;
	int own = self >= 0 ? hw->tlb_of_actor[self] : hw->direct_tlb;
	struct hw_pend p = { .hw = hw, .space = space, .self = self };
	struct exec_foot f = { 0 };

	/* the local flush touches the own TLB, the IPIs only the mailboxes */
	for (int i = 0; i < hw->nr_tlbs; i++) {
		if (hw->tlbs[i].space != space)
			continue;
		if (i != own)
			p.targets |= 1u << i;
		foot_add(&f, i == own ? (void *)&hw->tlbs[i] : (void *)&hw->tlbs[i].ipi_from,
			 ACC_W);
	}
	if (!f.n)
		return;
	exec_point_foot(EXEC_OP_RMW, &f, NULL, NULL);
	if (own >= 0 && hw->tlbs[own].space == space)
		hw_flush_tlb_local(hw, own, start, end, all);
	if (!a) {
		/* direct mode: the IPIs are handled at once */
		for (int i = 0; i < hw->nr_tlbs; i++) {
			if (!(p.targets & (1u << i)))
				continue;
			hw->stats.ipis++;
			hw->stats.flush_remote++;
			hw->tlbs[i].ipis++;
			hw_tlb_flush_range(&hw->tlbs[i], start, end, all);
		}
		return;
	}
	for (int i = 0; i < hw->nr_tlbs; i++) {
		struct hw_tlb *t = &hw->tlbs[i];

		if (!(p.targets & (1u << i)))
			continue;
		if (!t->ipi_from) {
			t->ipi_all = all;
			t->ipi_start = start;
			t->ipi_end = end;
		} else {
			t->ipi_all |= all;
			t->ipi_start = min_t(u64, t->ipi_start, start);
			t->ipi_end = max_t(u64, t->ipi_end, end);
		}
		t->ipi_from |= 1u << self;
		hw->stats.ipis++;
		t->ipis++;
	}
	if (exec_tracing())
		exec_note("flush TLBs of %s [%#llx, %#llx)%s: IPI to %#x",
			  hw->spaces[space].name, (unsigned long long)start,
			  (unsigned long long)end, all ? " (all)" : "",
			  p.targets);
	if (!p.targets)
		return;
	f.n = 0;
	for (int i = 0; i < hw->nr_tlbs; i++)
		if (p.targets & (1u << i))
			foot_add(&f, &hw->tlbs[i].ipi_from, ACC_R);
	exec_wait_until(hw_flush_acked, &p, &f);
	if (exec_tracing())
		exec_note("flush IPIs acknowledged");
}

static bool hw_ipi_enabled(void *arg)
{
	return ((struct hw_tlb *)arg)->ipi_from != 0;
}

static void hw_ipi_run(void *arg)
{
	struct hw_tlb *t = arg;

	hw_tlb_flush_range(t, t->ipi_start, t->ipi_end, t->ipi_all);
	t->ipi_from = 0;
	if (exec_tracing())
		exec_note("%s handles flush IPI [%#llx, %#llx)%s", t->name,
			  (unsigned long long)t->ipi_start,
			  (unsigned long long)t->ipi_end,
			  t->ipi_all ? " (all)" : "");
}

static void hw_ipi_foot(void *arg, struct exec_foot *f)
{
	struct hw_tlb *t = arg;

	foot_add(f, t, ACC_W);
	foot_add(f, &t->ipi_from, ACC_W);
}

int hw_add_ipi_handlers(struct hw *hw, struct exec *ex)
{
	for (int i = 0; i < hw->nr_tlbs; i++) {
		char name[32];

		snprintf(name, sizeof(name), "ipi:%s", hw->tlbs[i].name);
		if (exec_add_handler(ex, name, hw_ipi_enabled, hw_ipi_run,
				     hw_ipi_foot, &hw->tlbs[i]) < 0)
			return -1;
	}
	return 0;
}

/* ---- descriptions for traces ---- */

int hw_space_of(struct hw *hw, const void *addr)
{
	u64 pfn = hw_pt_pfn_of(hw, addr);

	return pfn ? hw->pt_meta[hw_pt_slot(hw, pfn)].space : -1;
}

void hw_format_entry(const struct hw *hw, int space, u64 e, char *buf,
		     size_t n)
{
	if (space < 0) {
		snprintf(buf, n, "%#llx", (unsigned long long)e);
		return;
	}
	if (hw->spaces[space].kind == HW_SPACE_EPT) {
		snprintf(buf, n, "%s%s%s%s%s%s%s%s%s pfn %llu",
			 e & VMX_EPT_READABLE_MASK ? "R" : "-",
			 e & VMX_EPT_WRITABLE_MASK ? "W" : "-",
			 e & VMX_EPT_EXECUTABLE_MASK ? "X" : "-",
			 e & VMX_EPT_ACCESS_BIT ? " A" : "",
			 e & VMX_EPT_DIRTY_BIT ? " D" : "",
			 e & PT_PAGE_SIZE_MASK ? " PS" : "",
			 e & BIT_ULL(11) ? " MMU-present" : "",
			 e & BIT_ULL(57) ? " Host-wr" : "",
			 e & BIT_ULL(58) ? " MMU-wr" : "",
			 (unsigned long long)((e & PTE_PFN_MASK) >> PAGE_SHIFT));
		if (e == BIT_ULL(63))
			snprintf(buf, n, "nonpresent");
		return;
	}
	if (!e) {
		snprintf(buf, n, "none");
		return;
	}
	snprintf(buf, n, "%s%s%s%s%s%s pfn %llu", e & _PAGE_PRESENT ? "P" : "-",
		 e & _PAGE_RW ? " W" : "", e & _PAGE_ACCESSED ? " A" : "",
		 e & _PAGE_DIRTY ? " D" : "", e & _PAGE_PSE ? " PS" : "",
		 e & _PAGE_UFFD_WP ? " uffd-wp" : "",
		 (unsigned long long)((e & PTE_PFN_MASK) >> PAGE_SHIFT));
}

bool hw_describe(struct hw *hw, const void *addr, char *buf, size_t n)
{
	u64 pfn;

	for (int i = 0; i < hw->nr_tlbs; i++) {
		if (addr == &hw->tlbs[i]) {
			snprintf(buf, n, "tlb(%s)", hw->tlbs[i].name);
			return true;
		}
	}
	if (addr == &hw->alloc) {
		snprintf(buf, n, "frame allocator");
		return true;
	}
	pfn = hw_pt_pfn_of(hw, addr);
	if (pfn) {
		u64 slot = hw_pt_slot(hw, pfn);
		const struct hw_pt_meta *fr = &hw->pt_meta[slot];
		size_t idx = (size_t)((const u64 *)addr - hw->pt[slot]);
		u64 va = fr->base + ((u64)idx << hw_level_shift(fr->level));
		const struct hw_space *s = &hw->spaces[(int)fr->space];

		if (s->kind == HW_SPACE_EPT)
			snprintf(buf, n, "spte[gfn %#llx L%d]",
				 (unsigned long long)(va >> PAGE_SHIFT),
				 fr->level);
		else
			snprintf(buf, n, "%s[%s va %#llx]",
				 fr->level == 1 ? "pte" : fr->level == 2 ? "pmd" : "pud",
				 s->name, (unsigned long long)va);
		return true;
	}
	return false;
}
