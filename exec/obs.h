/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The observer interface: how the model tells the oracles what happened.
 *
 * The ground truth (every write, when, by whom) and the consumers' reports
 * flow one way, from the model to check/ or sim/.  Nothing in the model
 * reads them back, so no modelled kernel code can see or change the truth.
 *
 * The oracles' verdicts depend on the order of these events, so each is a
 * scheduling point on a word of its own: a page's data word (written by
 * every write to the page, read by a consumer's report, as a real
 * write-out reads the data), and the protect word (written when a
 * write-protect or unmap returns, read by every access through a TLB).
 *
 * Two consumers are trackers of an address space rather than of a page's
 * data: PAGEMAP_SCAN names virtual pages of a process, KVM's dirty log
 * gfns of a memslot.  Their reports are by address (space, addr), and
 * the pages they may report have a tracking word each (ranges[], set up
 * by check), written by every write to the page and read by each report.
 */
#ifndef ADSIM_EXEC_OBS_H
#define ADSIM_EXEC_OBS_H

#include "exec.h"

/* Consumers of dirty information (DESIGN.md "Ground truth and oracles"). */
enum obs_consumer {
	CONS_WRITEBACK,	  /* folio dirty flag: folio_clear_dirty_for_io() */
	CONS_CLEAN_RECORD,  /* clean_record_shared_mapping_range() bitmap */
	CONS_LAZYFREE,	  /* MADV_FREE: reclaim may discard only unwritten data */
	CONS_PAGEMAP_SCAN,  /* PAGEMAP_SCAN's written pages (uffd-wp async) */
	CONS_DIRTY_LOG,	  /* KVM's dirty bitmap or dirty ring */
	CONS_NR
};
/* The trackers: reports name an address, not a frame (see above). */
static inline bool obs_consumer_by_addr(enum obs_consumer c)
{
	return c == CONS_PAGEMAP_SCAN || c == CONS_DIRTY_LOG;
}

extern const char *const obs_consumer_names[CONS_NR];

struct obs_access {
	int space;	  /* hw address space */
	u64 addr;	  /* virtual address or guest-physical address */
	u64 pfn;
	bool write;
	bool via_tlb;	  /* completed through a cached translation */
	u64 fill_time;	  /* when that translation was cached */
	bool permitted;	  /* the in-memory entry allows this access now; only
			     computed for a TLB hit cached before the last
			     protection returned (otherwise true) */
	bool frame_free;  /* the frame reached is free */
};

struct obs_ops {
	void (*access)(void *ctx, const struct obs_access *a);
	/* A write-protect or unmap operation over [start, end) returned. */
	void (*protect_done)(void *ctx, int space, u64 start, u64 end);
	/* The consumer's report, delivered now, includes pfn. */
	void (*report)(void *ctx, enum obs_consumer c, u64 pfn);
	/* Writes to pfn up to now need no report (MADV_FREE returned). */
	void (*absolve)(void *ctx, enum obs_consumer c, u64 pfn);
	/* A tracker's report, delivered now, includes the page at addr. */
	void (*report_addr)(void *ctx, enum obs_consumer c, int space, u64 addr);
	/* A tracker starts or stops watching [start, end): see obs_track. */
	void (*track)(void *ctx, enum obs_consumer c, int space, u64 start,
		      u64 end, int how);
};

/*
 * How a tracker's watch over a range changes:
 *   OBS_TRACK_START  from now on; earlier writes need no report (the
 *                    tracker's baseline: UFFDIO_WRITEPROTECT, enabling a
 *                    memslot's dirty log);
 *   OBS_TRACK_NEW    the same for pages not yet watched, nothing for the
 *                    others (a scan that write-protects what it reports);
 *   OBS_TRACK_STOP   writes from now on need no report.
 */
enum { OBS_TRACK_START, OBS_TRACK_NEW, OBS_TRACK_STOP };

/* Pages a tracker may report, each with a tracking word (check only). */
#define OBS_MAX_RANGES 16
struct obs_range {
	int space;
	u64 start, end;		/* page-aligned */
	u32 first;		/* its first page's index in addr_words */
};

struct obs {
	const struct obs_ops *ops;
	void *ctx;
	u8 *page_words;		/* one per frame: the page's data */
	u64 nr_page_words;
	u64 protect_word;
	u64 last_protect;	/* when a protection last returned (exec clock) */
	struct obs_range ranges[OBS_MAX_RANGES];
	int nr_ranges;
	u8 *addr_words;		/* per page of ranges[] */
	u32 nr_addr_words;
};

/* The index of addr's page among ranges[]' pages, or -1. */
static inline s64 obs_addr_index(const struct obs *o, int space, u64 addr)
{
	for (int i = 0; o && i < o->nr_ranges; i++) {
		const struct obs_range *r = &o->ranges[i];

		if (r->space == space && addr >= r->start && addr < r->end)
			return r->first + (s64)((addr - r->start) >> PAGE_SHIFT);
	}
	return -1;
}

/* The tracking word of addr's page (NULL when no tracker may report it). */
static inline const void *obs_addr_word(const struct obs *o, int space, u64 addr)
{
	s64 i = obs_addr_index(o, space, addr);

	return i >= 0 ? &o->addr_words[i] : NULL;
}

/* The data word of frame pfn (NULL when untracked). */
static inline const void *obs_page_word(const struct obs *o, u64 pfn)
{
	return o && pfn < o->nr_page_words ? &o->page_words[pfn] : NULL;
}

static inline void obs_protect_done(struct obs *o, int space, u64 start,
				    u64 end)
{
	if (!o || !o->ops || !o->ops->protect_done)
		return;
	exec_point(EXEC_OP_OBS, &o->protect_word, ACC_W);
	o->last_protect = exec_engine ? exec_engine->now : 0;
	o->ops->protect_done(o->ctx, space, start, end);
}

/* A consumer's event on pfn is a point that reads the page's data. */
static inline void obs_page_point(struct obs *o, u64 pfn)
{
	if (obs_page_word(o, pfn))
		exec_point(EXEC_OP_OBS, obs_page_word(o, pfn), ACC_R);
}

static inline void obs_report(struct obs *o, enum obs_consumer c, u64 pfn)
{
	if (!o || !o->ops || !o->ops->report)
		return;
	obs_page_point(o, pfn);
	o->ops->report(o->ctx, c, pfn);
}

static inline void obs_absolve(struct obs *o, enum obs_consumer c, u64 pfn)
{
	if (!o || !o->ops || !o->ops->absolve)
		return;
	obs_page_point(o, pfn);
	o->ops->absolve(o->ctx, c, pfn);
}

/*
 * The kernel stored data into frame pfn (copy_from_user() into a new
 * folio, as UFFDIO_COPY does): a write the consumers must cover, made by
 * no CPU and through no translation.
 */
static inline void obs_data_write(struct obs *o, u64 pfn)
{
	struct obs_access a = { .space = -1, .pfn = pfn, .write = true, .permitted = true };

	if (!o || !o->ops || !o->ops->access)
		return;
	if (obs_page_word(o, pfn))
		exec_point(EXEC_OP_OBS, obs_page_word(o, pfn), ACC_ADD);
	o->ops->access(o->ctx, &a);
}

static inline void obs_report_addr(struct obs *o, enum obs_consumer c, int space,
				   u64 addr)
{
	const void *word;

	if (!o || !o->ops || !o->ops->report_addr)
		return;
	word = obs_addr_word(o, space, addr);
	if (word)
		exec_point(EXEC_OP_OBS, word, ACC_R);
	o->ops->report_addr(o->ctx, c, space, addr);
}

/*
 * A change of a tracker's watch over [start, end): one scheduling point
 * per EXEC_MAX_FOOT pages, each writing their tracking words, and the
 * change of those pages made at that point.
 */
static inline void obs_track(struct obs *o, enum obs_consumer c, int space,
			     u64 start, u64 end, int how)
{
	struct exec_foot f = { .n = 0 };
	u64 from = start;

	if (!o || !o->ops || !o->ops->track)
		return;
	for (u64 a = start; a < end; a += PAGE_SIZE) {
		const void *word = exec_engine ? obs_addr_word(o, space, a) : NULL;

		if (word)
			f.o[f.n++] = (struct exec_obj){ word, ACC_W, 0 };
		if (f.n == EXEC_MAX_FOOT || a + PAGE_SIZE >= end) {
			if (f.n)
				exec_point_foot(EXEC_OP_OBS, &f, NULL, NULL);
			o->ops->track(o->ctx, c, space, from, a + PAGE_SIZE, how);
			from = a + PAGE_SIZE;
			f.n = 0;
		}
	}
}

#endif
