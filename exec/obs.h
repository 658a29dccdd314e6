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
/* The consumers check can judge: its final collect models only these. */
#define CONS_CHECK_NR (CONS_LAZYFREE + 1)

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
};

struct obs {
	const struct obs_ops *ops;
	void *ctx;
	u8 *page_words;		/* one per frame: the page's data */
	u64 nr_page_words;
	u64 protect_word;
	u64 last_protect;	/* when a protection last returned (exec clock) */
};

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

#endif
