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

enum hw_space_kind { HW_SPACE_X86, HW_SPACE_EPT };

/*
 * Physical frames are one pool, pfn 1 .. nr_frames - 1 (pfn 0 is never
 * handed out: a zero entry must not look like one).  A frame is data, a
 * page table, or free, and no per-frame record says which:
 *  - data frames come from the bottom of the pool; hw->data_map has one
 *    bit per frame, set while it is allocated as data;
 *  - page tables come from the top: hw->pt slot i is always held in frame
 *    nr_frames - 1 - i, so pfn and slot convert by arithmetic, and a slot
 *    is allocated while its hw_pt_meta's level is non-zero.  A slot whose
 *    frame is data is skipped, as data skips frames held by page tables.
 */

/* A page table's metadata, per hw->pt slot. */
struct hw_pt_meta {
	u64 base;	/* first address its entries map */
	u8 level;	/* the level of the entries it holds; 0: slot free */
	s8 space;	/* the address space it belongs to */
};

struct hw_space {
	u8 kind;
	u64 root_pfn;
	char name[16];
};

/*
 * A cached translation.  tag packs the page number (addr >> the level's
 * shift), the level and a valid bit, so a lookup is one compare per way.
 */
struct hw_tlb_entry {
	u64 tag;
	u64 pfn;	/* frame of the first page the entry maps */
	u64 fill_time;
	u32 lru;	/* TLB_REPL_LRU: when last used */
	u8 w, d;
};

static inline u64 hw_tlb_tag(u64 addr, int level)
{
	return ((addr >> hw_level_shift(level)) << 3) | ((u64)level << 1) | 1;
}

static inline int hw_tlb_entry_level(const struct hw_tlb_entry *e)
{
	return (int)((e->tag >> 1) & 3);
}

enum hw_tlb_repl {
	TLB_REPL_FIFO,		/* round robin within the set */
	TLB_REPL_LRU,		/* least recently used way of the set */
	TLB_REPL_RANDOM,	/* a pseudo-random way of the set */
};

/* The shape of one level of a TLB: sets (a power of two) x ways. */
struct hw_tlb_geom {
	u32 sets, ways;
	enum hw_tlb_repl repl;
};

struct hw_tlb_array {
	u32 sets, ways, set_mask;
	enum hw_tlb_repl repl;
	struct hw_tlb_entry *e;	/* set s holds e[s * ways .. + ways) */
	u16 *cursor;		/* TLB_REPL_FIFO: next way per set */
	u32 clock;		/* TLB_REPL_LRU */
	u64 rnd;		/* TLB_REPL_RANDOM */
};

/*
 * A TLB caches translations of one address space for one actor: a first
 * level and an optional second level (l2.sets == 0: none), as an x86
 * core's L1 dTLB and STLB.  A walk fills both; a hit in the second level
 * is copied into the first.  Entries stay until flushed, replaced, or
 * evicted (an explorer choice).  A remote flush is posted here (ipi_from)
 * and handled by the TLB's IPI handler actor at a later step while the
 * initiators wait.
 */
struct hw_tlb {
	int actor;
	int space;
	struct hw_tlb_array l1, l2;
	u32 nr_huge;		/* entries above 4K ever filled: look them up too */
	u32 ipi_from;		/* actors waiting for a flush of this TLB */
	u8 ipi_all;
	u64 ipi_start, ipi_end;	/* pending flush range, [start, end) */
	/* what happened to this TLB, for sim's metrics */
	u64 flush_range, flush_full, ipis;
	char name[24];
};

struct hw_stats {
	u64 accesses, tlb_hits, tlb_l2_hits, walks, faults;
	u64 dirty_assists;	/* writes through a cached entry whose D was 0 */
	u64 accessed_sets;	/* filling walks that set A in an entry whose A was 0 */
	u64 dirty_sets;		/* filling walks for a write that set D in an entry whose D was 0 */
	u64 flush_local, flush_remote, ipis;
};

struct hw {
	const struct variant_cfg *cfg;
	const struct obs *obs;
	bool tlb_evict;		/* eviction is an explorer choice */
	u64 alloc;		/* the frame allocator's model word */
	u64 *data_map;		/* per frame, a bit: allocated as data */
	u32 nr_frames;
	u64 (*pt)[PT64_ENT_PER_PAGE];	/* slot i: the table in frame nr_frames - 1 - i */
	struct hw_pt_meta *pt_meta;	/* per hw->pt slot */
	u32 nr_pt;
	u32 pt_lo;		/* every slot below is allocated or its frame data */
	u64 free_lo;		/* no free frame below this */
	struct hw_space spaces[HW_MAX_SPACES];
	int nr_spaces;
	struct hw_tlb tlbs[HW_MAX_TLBS];
	int nr_tlbs;
	s8 tlb_of_actor[EXEC_MAX_ACTORS];
	/*
	 * Direct mode (no explorer): the TLB of the CPU the calling kernel
	 * code runs on, -1 for a kernel thread whose CPU caches none of the
	 * spaces flushed.  Decides which flushes are local and which IPIs.
	 */
	int direct_tlb;
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
/* A fully associative, single-level, round-robin TLB (check's). */
int hw_new_tlb(struct hw *hw, struct arena *ar, int space, int actor,
	       int entries, const char *name);
/* A TLB of the given shape; l2 may be NULL. */
int hw_new_tlb_geom(struct hw *hw, struct arena *ar, int space, int actor,
		    const struct hw_tlb_geom *l1, const struct hw_tlb_geom *l2,
		    const char *name);

/* Frames.  Allocation and freeing are one scheduling point each. */
u64 hw_alloc_pt(struct hw *hw, int space, int level, u64 base);
void hw_free_pt(struct hw *hw, u64 pfn);
u64 hw_alloc_data(struct hw *hw, u64 nr, u64 align);
void hw_free_data(struct hw *hw, u64 pfn);

/* The hw->pt slot of frame pfn, nr_pt or more if no slot lives there. */
static inline u64 hw_pt_slot(const struct hw *hw, u64 pfn)
{
	return (u64)hw->nr_frames - 1 - pfn;	/* pfn >= nr_frames wraps: no slot */
}

/* The frame hw->pt slot `slot` lives in. */
static inline u64 hw_pt_slot_pfn(const struct hw *hw, u64 slot)
{
	return (u64)hw->nr_frames - 1 - slot;
}

/* The page table held in frame pfn, or NULL if pfn holds none. */
static inline u64 *hw_pt_page(struct hw *hw, u64 pfn)
{
	u64 slot = hw_pt_slot(hw, pfn);

	if (slot >= hw->nr_pt || !hw->pt_meta[slot].level)
		return NULL;
	return hw->pt[slot];
}

/* Whether frame pfn is allocated as data (pfn 0 counts as data). */
static inline bool hw_frame_is_data(const struct hw *hw, u64 pfn)
{
	return pfn < hw->nr_frames && (hw->data_map[pfn / 64] >> (pfn % 64) & 1);
}

/* The pfn of the page-table page that holds entry p; 0 if none. */
u64 hw_pt_pfn_of(struct hw *hw, const u64 *p);

/* Entry format helpers for a space. */
/* Entry formats: inline, since every walk asks them at every level. */
static inline bool hw_entry_present(const struct hw *hw, int space, u64 e)
{
	if (hw->spaces[space].kind == HW_SPACE_EPT)
		return e & VMX_EPT_RWX_MASK;
	return e & _PAGE_PRESENT;
}

static inline bool hw_entry_writable(const struct hw *hw, int space, u64 e)
{
	(void)hw;
	(void)space;
	return e & _PAGE_RW;	/* bit 1 in both formats */
}

static inline bool hw_entry_leaf(const struct hw *hw, int space, u64 e, int level)
{
	(void)hw;
	(void)space;
	return level == PG_LEVEL_4K || (e & _PAGE_PSE);	/* bit 7 in both */
}

static inline u64 hw_entry_ad(const struct hw *hw, int space, bool dirty)
{
	if (hw->spaces[space].kind == HW_SPACE_EPT)
		return VMX_EPT_ACCESS_BIT | (dirty ? VMX_EPT_DIRTY_BIT : 0);
	return _PAGE_ACCESSED | (dirty ? _PAGE_DIRTY : 0);
}


/*
 * One user (CPU) or guest (vCPU) access by the current actor through its
 * TLB: one scheduling point.  Returns 0 when the access completed, or
 * -EFAULT with *f describing the fault.
 */
int hw_access(struct hw *hw, int tlb, u64 addr, bool write,
	      struct hw_fault *f);

/*
 * The first-level hit of hw_access() in direct mode: the frame reached
 * when an access completes through a first-level entry without a walk
 * (a read, or a write through a writable entry whose cached D is 1), 0
 * otherwise (call hw_access()).  Nothing is observed: the caller, which
 * knows what it accessed, records it.  A TLB hit is these few inlined
 * instructions.
 */
static inline u64 hw_access_hit(struct hw *hw, int tlb, u64 addr, bool write)
{
	struct hw_tlb_array *a = &hw->tlbs[tlb].l1;
	u64 tag = hw_tlb_tag(addr, PG_LEVEL_4K);
	struct hw_tlb_entry *set = &a->e[((addr >> PAGE_SHIFT) & a->set_mask) * a->ways];
	struct hw_tlb_entry *e = NULL;

	/* every way compared, no early exit: no mispredicted branch per way */
	for (u32 i = 0; i < a->ways; i++)
		e = set[i].tag == tag ? &set[i] : e;
	if (!e || (write && !(e->w & e->d)))
		return 0;
	if (a->repl == TLB_REPL_LRU)
		e->lru = ++a->clock;
	hw->stats.accesses++;
	hw->stats.tlb_hits++;
	return e->pfn;
}

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
