/* SPDX-License-Identifier: GPL-2.0 */
/*
 * hw: simulated x86-64 hardware.  Physical frames, page-table pages held
 * in frames, the page walker that sets Accessed and Dirty, per-CPU and
 * per-vCPU TLBs, and TLB shootdown by IPI.
 *
 * hw knows nothing of mm or kvm: it sees address spaces (a root frame and
 * an entry format), frames and TLBs.  The kernel layers above reach page
 * tables only through the pointers hw hands out and the exec primitives.
 *
 * The x86 Dirty-bit contract (SDM "Accessed and Dirty Flags"; quoted by
 * mm/rmap.c try_to_unmap_one()): A is set by a walk that fills a TLB
 * entry; the first write through a translation whose cached D is 0 does a
 * locked read-modify-write on the in-memory entry, re-checking it, and
 * faults if it no longer allows the write.  arch=blind_dirty drops the
 * re-check (see variants.def).
 */
#ifndef ADSIM_HW_HW_H
#define ADSIM_HW_HW_H

#include "../exec/exec.h"
#include "../exec/obs.h"
#include "../variant/variant.h"
#include "pgtable_types.h"

#define HW_MAX_SPACES 8
#define HW_MAX_TLBS 12

enum hw_frame_kind { FRAME_FREE, FRAME_DATA, FRAME_PT };
enum hw_space_kind { HW_SPACE_X86, HW_SPACE_EPT };

/* Metadata of one physical frame. */
struct hw_frame {
	u8 kind;
	u8 level;	/* FRAME_PT: the level of the entries it holds */
	s8 space;	/* FRAME_PT: the address space it belongs to */
	u16 pt;		/* FRAME_PT: index into hw->pt */
	u64 base;	/* FRAME_PT: first address its entries map */
};

struct hw_space {
	u8 kind;
	u64 root_pfn;
	char name[16];
};

struct hw_tlb_entry {
	u64 vpn;	/* addr >> hw_level_shift(level) */
	u64 pfn;	/* frame of the first page the entry maps */
	u64 fill_time;
	u8 valid, level, w, d;
};

/*
 * A TLB caches translations of one address space for one actor.  Entries
 * stay until flushed, replaced, or evicted (an explorer choice).  A remote
 * flush is posted here (ipi_from) and handled by the TLB's IPI handler
 * actor at a later step while the initiators wait.
 */
struct hw_tlb {
	int actor;
	int space;
	int nr;			/* capacity */
	int next;		/* round-robin replacement cursor */
	struct hw_tlb_entry *e;
	u32 ipi_from;		/* actors waiting for a flush of this TLB */
	u8 ipi_all;
	u64 ipi_start, ipi_end;	/* pending flush range, [start, end) */
	char name[24];
};

struct hw_stats {
	u64 accesses, tlb_hits, walks, faults;
	u64 flush_local, flush_remote, ipis;
};

struct hw {
	const struct variant_cfg *cfg;
	const struct obs *obs;
	bool tlb_evict;		/* eviction is an explorer choice */
	u64 alloc;		/* the frame allocator's model word */
	struct hw_frame *frames;
	u32 nr_frames;
	u64 (*pt)[PT64_ENT_PER_PAGE];
	u64 *pt_pfn;		/* per hw->pt slot: the frame holding it; 0: free */
	u32 nr_pt;
	u32 pt_lo;		/* no free pt slot below this */
	u64 free_lo;		/* no free frame below this */
	struct hw_space spaces[HW_MAX_SPACES];
	int nr_spaces;
	struct hw_tlb tlbs[HW_MAX_TLBS];
	int nr_tlbs;
	s8 tlb_of_actor[EXEC_MAX_ACTORS];
	struct hw_stats stats;
};

/* Result of hw_access(). */
struct hw_fault {
	u64 addr;
	bool write;
	bool present;	/* the leaf entry was present to the hardware */
	u64 entry;	/* the entry the walk stopped at */
	int level;
};

struct arena;
int hw_init(struct hw *hw, struct arena *ar, u32 nr_frames, u32 nr_pt,
	    const struct variant_cfg *cfg, const struct obs *obs);
int hw_new_space(struct hw *hw, enum hw_space_kind kind, const char *name);
int hw_new_tlb(struct hw *hw, struct arena *ar, int space, int actor,
	       int entries, const char *name);

/* Frames.  Allocation and freeing are one scheduling point each. */
u64 hw_alloc_pt(struct hw *hw, int space, int level, u64 base);
void hw_free_pt(struct hw *hw, u64 pfn);
u64 hw_alloc_data(struct hw *hw, u64 nr, u64 align);
void hw_free_data(struct hw *hw, u64 pfn);
u64 *hw_pt_page(struct hw *hw, u64 pfn);
bool hw_frame_is(struct hw *hw, u64 pfn, enum hw_frame_kind kind);
/* The pfn of the page-table page that holds entry p. */
u64 hw_pt_pfn_of(struct hw *hw, const u64 *p);

/* Entry format helpers for a space. */
bool hw_entry_present(const struct hw *hw, int space, u64 e);
bool hw_entry_writable(const struct hw *hw, int space, u64 e);
bool hw_entry_leaf(const struct hw *hw, int space, u64 e, int level);
u64 hw_entry_ad(const struct hw *hw, int space, bool dirty);

/*
 * One user (CPU) or guest (vCPU) access by the current actor through its
 * TLB: one scheduling point.  Returns 0 when the access completed, or
 * -EFAULT with *f describing the fault.
 */
int hw_access(struct hw *hw, int tlb, u64 addr, bool write,
	      struct hw_fault *f);

/* Software walk to the entry for addr at `level` (no A/D, no TLB). */
u64 *hw_lookup(struct hw *hw, int space, u64 addr, int level);

/*
 * TLB flushes.  hw_flush_tlb() flushes every TLB caching `space`: the
 * caller's own at once, the others by IPI, and waits for them all.
 * [start, end) is an address range; all=true flushes everything.
 */
void hw_flush_tlb(struct hw *hw, int space, u64 start, u64 end, bool all);
void hw_flush_tlb_local(struct hw *hw, int tlb, u64 start, u64 end, bool all);
/* Adds the IPI handler actors of every TLB to ex. */
int hw_add_ipi_handlers(struct hw *hw, struct exec *ex);

/* For traces: names a model word that hw owns; false if not hw's. */
bool hw_describe(struct hw *hw, const void *addr, char *buf, size_t n);
void hw_format_entry(const struct hw *hw, int space, u64 e, char *buf,
		     size_t n);
/* The space a page-table entry pointer belongs to, or -1. */
int hw_space_of(struct hw *hw, const void *addr);

#endif
