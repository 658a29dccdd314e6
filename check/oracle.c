// SPDX-License-Identifier: GPL-2.0
/*
 * check/oracle: the ground truth and the oracles that judge it (DESIGN.md
 * "Ground truth and oracles"), fed by the observer callbacks the hw and
 * mm layers call (exec/obs.h):
 *  - lost_write: every write is recorded per frame; each consumer's
 *    report covers the writes to a frame made before it was delivered; a
 *    write that no later report covers after the final quiesce-and-collect
 *    is lost.
 *  - stale_tlb: an access that completes through a cached translation the
 *    in-memory entry no longer permits, after a write-protect or unmap
 *    covering it returned later than the translation was cached.
 *    The trackers (PAGEMAP_SCAN, KVM's dirty log) are judged the same way
 *    per address: a write to a watched page must be covered by a later
 *    report of that page.
 *  - use_after_free: an access reaches a freed frame.
 *  - wrong_target, lockdep, deadlock: reported by the model itself.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>

/*
 * A consumer's report as a note; the final collect runs untraced, and its
 * reports are what it shows.
 */
static void gt_note_report(const struct world *w, enum obs_consumer c, const char *what,
			   unsigned long long which)
{
	bool show = w->gt.collecting && exec_engine;
	char buf[64];

	snprintf(buf, sizeof(buf), what, which);
	if (show)
		exec_engine->tracing = true;
	exec_note("%s reports %s", obs_consumer_names[c], buf);
	if (show)
		exec_engine->tracing = false;
}

static void gt_access(void *ctx, const struct obs_access *a)
{
	struct world *w = ctx;
	struct gt *gt = &w->gt;
	u64 now = exec_engine ? exec_engine->now : 0;
	s16 writer = (s16)(exec_engine && exec_engine->cur ? exec_engine->cur->id : -1);

	if (a->frame_free) {
		exec_report(ORACLE_USE_AFTER_FREE, "%s of freed frame pfn %llu at %#llx",
			    a->write ? "write" : "read", (unsigned long long)a->pfn,
			    (unsigned long long)a->addr);
		return;
	}
	if (a->via_tlb && !a->permitted) {
		for (int i = 0; i < gt->nr_ev; i++) {
			const struct gt_event *e = &gt->ev[i];

			if (e->space == a->space && a->addr >= e->start &&
			    a->addr < e->end && e->time > a->fill_time) {
				exec_report(ORACLE_STALE_TLB,
					    "%s of %#llx completes through a stale TLB entry after the operation protecting it returned",
					    a->write ? "write" : "read",
					    (unsigned long long)a->addr);
				break;
			}
		}
	}
	if (a->space < 0)	/* obs_data_write() */
		exec_note("data written into pfn %llu by the kernel or a device",
			  (unsigned long long)a->pfn);
	if (a->write && a->pfn < gt->nr_pages) {
		gt->pages[a->pfn].last_write = now;
		gt->pages[a->pfn].writer = writer;
	}
	if (a->write && w->obs.nr_ranges) {
		s64 i = obs_addr_index(&w->obs, a->space, a->addr);

		if (i >= 0) {
			gt->vpages[i].last_write = now;
			gt->vpages[i].writer = writer;
		}
	}
}

static void gt_protect_done(void *ctx, int space, u64 start, u64 end)
{
	struct world *w = ctx;
	struct gt *gt = &w->gt;

	if (gt->nr_ev >= ORACLE_MAX_EVENTS) {
		/* keep the newest: drop the oldest */
		memmove(&gt->ev[0], &gt->ev[1], sizeof(gt->ev[0]) * (ORACLE_MAX_EVENTS - 1));
		gt->nr_ev--;
	}
	gt->ev[gt->nr_ev++] = (struct gt_event){
		space, start, end, exec_engine ? exec_engine->now : 0
	};
	exec_note("protection of [%#llx, %#llx) returns", (unsigned long long)start,
		  (unsigned long long)end);
}

static void gt_report(void *ctx, enum obs_consumer c, u64 pfn)
{
	struct world *w = ctx;

	if (pfn < w->gt.nr_pages)
		w->gt.pages[pfn].covered[c] = exec_engine ? exec_engine->now : 0;
	gt_note_report(w, c, "pfn %llu", pfn);
}

static void gt_absolve(void *ctx, enum obs_consumer c, u64 pfn)
{
	struct world *w = ctx;

	if (pfn >= w->gt.nr_pages)
		return;
	w->gt.pages[pfn].covered[c] = exec_engine ? exec_engine->now : 0;
	w->gt.pages[pfn].tracked |= 1u << c;
	exec_note("%s: earlier writes to pfn %llu need no report", obs_consumer_names[c],
		  (unsigned long long)pfn);
}

static void gt_report_addr(void *ctx, enum obs_consumer c, int space, u64 addr)
{
	struct world *w = ctx;
	s64 i = obs_addr_index(&w->obs, space, addr);

	if (i >= 0)
		w->gt.vpages[i].covered = exec_engine ? exec_engine->now : 0;
	gt_note_report(w, c, c == CONS_DIRTY_LOG ? "gfn %#llx" : "page %#llx",
		       c == CONS_DIRTY_LOG ? addr >> PAGE_SHIFT : addr);
}

static void gt_track(void *ctx, enum obs_consumer c, int space, u64 start, u64 end, int how)
{
	struct world *w = ctx;
	u64 now = exec_engine ? exec_engine->now : 0;

	(void)c;
	for (u64 a = start; a < end; a += PAGE_SIZE) {
		s64 i = obs_addr_index(&w->obs, space, a);
		struct gt_vpage *v;

		if (i < 0)
			continue;
		v = &w->gt.vpages[i];
		if (how == OBS_TRACK_STOP) {
			v->tracked = false;
		} else if (how == OBS_TRACK_START || !v->tracked) {
			v->tracked = true;
			v->covered = now;
		}
	}
}

const struct obs_ops chk_oracle_ops = {
	.access = gt_access,
	.protect_done = gt_protect_done,
	.report = gt_report,
	.absolve = gt_absolve,
	.report_addr = gt_report_addr,
	.track = gt_track,
};

/*
 * Pages [start, end) of space become reportable by tracker c: each gets
 * a tracking word and a ground-truth record (set-up only).  Each call
 * reallocates both arrays in the arena, so that they stay contiguous.
 */
int chk_oracle_add_range(struct world *w, struct arena *ar, enum obs_consumer c,
			 int space, u64 start, u64 end)
{
	struct obs *o = &w->obs;
	u32 n = (u32)((end - start) >> PAGE_SHIFT), total = o->nr_addr_words + n;
	u8 *words;
	struct gt_vpage *vp;

	if (o->nr_ranges >= OBS_MAX_RANGES)
		return -1;
	words = arena_alloc(ar, total);
	vp = arena_alloc(ar, total * sizeof(*vp));
	if (!words || !vp)
		return -1;
	if (o->nr_addr_words) {
		memcpy(words, o->addr_words, o->nr_addr_words);
		memcpy(vp, w->gt.vpages, o->nr_addr_words * sizeof(*vp));
	}
	o->ranges[o->nr_ranges] = (struct obs_range){ space, start, end, o->nr_addr_words };
	w->gt.vrange_consumer[o->nr_ranges++] = (u8)c;
	o->addr_words = words;
	o->nr_addr_words = total;
	w->gt.vpages = vp;
	return 0;
}

/*
 * The lost-write verdict, after the final collect: a write to a page a
 * consumer tracks that no later report of that consumer covers.
 */
void chk_oracle_judge_lost_writes(struct model *m)
{
	struct world *w = m->w;

	chk_oracle_track_files(w, m->scn);
	for (u64 pfn = 1; pfn < w->gt.nr_pages; pfn++) {
		const struct gt_page *g = &w->gt.pages[pfn];

		for (int c = 0; c < CONS_NR; c++) {
			/* only the consumers the scenario declares judge */
			if (!m->scn->consumers[c] || !(g->tracked & (1u << c)) || !g->last_write ||
			    g->last_write <= g->covered[c])
				continue;
			m->ex.cur = NULL;
			m->ex.finding.actor = g->writer;
			exec_report(ORACLE_LOST_WRITE,
				    "the write to pfn %llu at step %llu by %s is never reported by %s",
				    (unsigned long long)pfn, (unsigned long long)(g->last_write - m->ex.now_base),
				    g->writer >= 0 ? m->ex.actors[g->writer].name : "set-up",
				    obs_consumer_names[c]);
			return;
		}
	}
	for (int r = 0; r < w->obs.nr_ranges; r++) {
		const struct obs_range *or = &w->obs.ranges[r];
		enum obs_consumer c = w->gt.vrange_consumer[r];

		for (u64 a = or->start; a < or->end; a += PAGE_SIZE) {
			const struct gt_vpage *v = &w->gt.vpages[or->first + ((a - or->start) >> PAGE_SHIFT)];

			if (!v->tracked || !v->last_write || v->last_write <= v->covered)
				continue;
			m->ex.cur = NULL;
			m->ex.finding.actor = v->writer;
			exec_report(ORACLE_LOST_WRITE,
				    "the write to %s %#llx at step %llu by %s is never reported by %s",
				    c == CONS_DIRTY_LOG ? "gfn" : "page",
				    (unsigned long long)(c == CONS_DIRTY_LOG ? a >> PAGE_SHIFT : a),
				    (unsigned long long)(v->last_write - m->ex.now_base),
				    v->writer >= 0 ? m->ex.actors[v->writer].name : "set-up",
				    obs_consumer_names[c]);
			return;
		}
	}
}

/*
 * writeback and clean_record track every page in a file's page cache,
 * those a shmem file gained on first use (a fault, UFFDIO_COPY) included
 */
void chk_oracle_track_files(struct world *w, const struct scn *s)
{
	for (int i = 0; i < w->mw.nr_files; i++)
		for (u32 j = 0; j < w->mw.files[i].nrpages; j++)
			w->gt.pages[w->mw.files[i].pages[j]].tracked |=
				(s->consumers[CONS_WRITEBACK] ? 1u << CONS_WRITEBACK : 0) |
				(s->consumers[CONS_CLEAN_RECORD] ? 1u << CONS_CLEAN_RECORD : 0);
}
