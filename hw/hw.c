// SPDX-License-Identifier: GPL-2.0
/*
 * hw: frames, page-table pages, address spaces and entry formats; the
 * walker is walk.c's, the TLBs tlb.c's, the shootdown IPIs ipi.c's.  See
 * hw.h.
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
#include "hw_internal.h"

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
