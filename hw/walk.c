// SPDX-License-Identifier: GPL-2.0
/*
 * hw/walk: the hardware page walker and an access through a TLB (x86
 * paging and EPT, SDM "Accessed and Dirty Flags"): a hit completes from
 * the TLB, a miss walks and sets A (and D on a write) with a locked RMW,
 * a write through a cached writable entry whose D is 0 re-walks to set D.
 * The simplifications are listed atop hw/hw.c.
 */
#include "hw_internal.h"

#include <stdio.h>

void hw_walk(struct hw *hw, int space, u64 addr, struct hw_walk *w)
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


/*
 * What hw_access() may touch, computed in the current state: its own TLB;
 * the entries it walks, the leaf written only if A/D would change; the
 * page's data word and its tracking word (exec/obs.h) for a write; the protect word when a cached entry may
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
		if (p->write && e->w) {
			foot_add(f, obs_page_word(hw->obs, hw_page_pfn(e, p->addr)), ACC_ADD);
			foot_add(f, obs_addr_word(hw->obs, p->space, p->addr), ACC_ADD);
		}
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
		if (p->write && ok) {
			foot_add(f, obs_page_word(hw->obs, hw_leaf_pfn(w.val, w.level, p->addr)),
				 ACC_ADD);
			foot_add(f, obs_addr_word(hw->obs, p->space, p->addr), ACC_ADD);
		}
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
static inline __attribute__((always_inline)) int
hw_access_walked(struct hw *hw, struct hw_tlb *t, u64 addr, bool write,
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

