// SPDX-License-Identifier: GPL-2.0
/*
 * check/model: world construction, oracles, actor bodies, final collect.
 *
 * Oracles (DESIGN.md "Ground truth and oracles"):
 *  - lost_write: every write is recorded per frame; each consumer's
 *    report covers the writes to a frame made before it was delivered; a
 *    write that no later report covers after the final quiesce-and-collect
 *    is lost.
 *  - stale_tlb: an access that completes through a cached translation the
 *    in-memory entry no longer permits, after a write-protect or unmap
 *    covering it returned later than the translation was cached.
 *  - use_after_free: an access reaches a freed frame.
 *  - wrong_target, lockdep, deadlock: reported by the model itself.
 */
#include "model.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- oracle callbacks ---- */

static void gt_access(void *ctx, const struct obs_access *a)
{
	struct world *w = ctx;
	struct gt *gt = &w->gt;
	u64 now = exec_engine ? exec_engine->now : 0;

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
	if (a->write && a->pfn < gt->nr_pages) {
		gt->pages[a->pfn].last_write = now;
		gt->pages[a->pfn].writer = (s16)(exec_engine && exec_engine->cur ?
						 exec_engine->cur->id : -1);
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
	/* the collect runs untraced; its reports are what it shows */
	if (w->gt.collecting && exec_engine)
		exec_engine->tracing = true;
	exec_note("%s reports pfn %llu", obs_consumer_names[c], (unsigned long long)pfn);
	if (w->gt.collecting && exec_engine)
		exec_engine->tracing = false;
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

static const struct obs_ops gt_ops = {
	.access = gt_access,
	.protect_done = gt_protect_done,
	.report = gt_report,
	.absolve = gt_absolve,
};

/* ---- operations ---- */

/*
 * One operation of an actor, or of the set-up (actor -1, direct mode),
 * through the driver.  In the set-up a failed ioctl fails the build
 * ("set-up failed: ..."): the scenario would otherwise explore a world it
 * did not ask for.
 */
static void run_op(struct model *m, int actor, const struct scn_op *op)
{
	struct drv_result r;
	struct drv_actor a = { 0 };

	if (actor >= 0) {
		const struct scn_actor_inst *ai = &m->inst.actors[actor];

		a.tlb = m->actors[actor].tlb;
		a.vcpu = m->actors[actor].vcpu;
		a.mm = ai->kind == 'c' ? m->w->drv.mm_of[ai->ref] : NULL;
	}
	drv_run_op(&m->w->drv, actor >= 0 ? &a : NULL, op, &r);
	if (!m->ex.cur && r.failed[0])
		exec_report(ORACLE_MODEL_WARN, "%s", r.failed);
}

static void actor_body(void *arg)
{
	struct model_actor *ma = arg;
	const struct scn_actor_inst *ai = &ma->m->inst.actors[ma->idx];

	for (int i = 0; i < ai->nr_ops && !exec_engine->have_finding; i++)
		run_op(ma->m, ma->idx, &ai->ops[i]);
}

/* ---- build ---- */

static int build_fail(char *err, size_t n, const char *path, int line, const char *what)
{
	snprintf(err, n, "%s:%d:1: %s", path, line, what);
	return -1;
}

int model_build(struct model *m, struct scn *s, char *err, size_t errlen)
{
	struct scn_inst *in = &m->inst;
	struct world *w;
	u32 nr_frames = 256, nr_pt = 40;
	size_t pt_off;

	memset(m, 0, sizeof(*m));
	m->scn = s;
	if (scn_instantiate(s, in, err, errlen))
		return -1;
	for (int i = 0; i < in->nr_setup; i++)
		if (in->setup[i].code == OPC_MAP_HUGE)
			nr_frames = 2048;
	for (int i = 0; i < s->nr_decls; i++)
		if ((s->decls[i].kind == D_FILE || s->decls[i].kind == D_MMAP) &&
		    (in->pages[i] < 1 || in->pages[i] > 64))
			return build_fail(err, errlen, s->path, s->decls[i].line,
					  "expected from 1 to 64 pages");
	if (arena_init(&m->arena, 8u << 20))
		return build_fail(err, errlen, s->path, 1, "out of memory");
	w = m->w = arena_alloc(&m->arena, sizeof(*w));
	w->cfg = s->cfg;
	w->obs.ops = &gt_ops;
	w->obs.ctx = w;
	w->drv.hw = &w->hw;
	w->drv.mw = &w->mw;
	w->drv.obs = &w->obs;
	exec_init(&m->ex);
	exec_engine = &m->ex;
	m->ex.describe = model_describe;
	m->ex.dctx = m;
	if (hw_init(&w->hw, &m->arena, nr_frames, nr_pt, &w->cfg, &w->obs) ||
	    mm_world_init(&w->mw, &m->arena, &w->hw, &w->cfg, &w->obs))
		return build_fail(err, errlen, s->path, 1, "out of memory");
	w->hw.tlb_evict = s->params[1].value != 0;	/* tlb_evict */
	w->gt.nr_pages = nr_frames;
	w->gt.pages = arena_alloc(&m->arena, nr_frames * sizeof(*w->gt.pages));
	w->obs.page_words = arena_alloc(&m->arena, nr_frames);
	w->obs.nr_page_words = nr_frames;
	for (int i = 0; i < s->nr_decls; i++) {
		struct scn_decl *d = &s->decls[i];

		switch (d->kind) {
		case D_FILE:
			w->drv.file_of[i] = mm_new_file(&w->mw, &m->arena, d->name, (u32)in->pages[i],
						    d->shmem);
			if (!w->drv.file_of[i])
				return build_fail(err, errlen, s->path, d->line, "cannot create file");
			break;
		case D_PROCESS:
			w->drv.mm_of[i] = mm_new(&w->mw, d->name);
			if (!w->drv.mm_of[i])
				return build_fail(err, errlen, s->path, d->line, "too many processes");
			break;
		case D_MMAP: {
			int p = scn_decl_index(s, D_PROCESS, d->ref);
			int f = d->file[0] ? scn_decl_index(s, D_FILE, d->file) : -1;
			u64 flags = VM_READ | (d->write ? VM_WRITE : 0) | (d->shared ? VM_SHARED : 0);

			if (p < 0 || (d->file[0] && f < 0))
				return build_fail(err, errlen, s->path, d->line,
						  "unknown process or file");
			if (!mm_mmap(w->drv.mm_of[p], (u64)in->addr[i], (u64)in->pages[i] << PAGE_SHIFT,
				     flags, f >= 0 ? w->drv.file_of[f] : NULL, (pgoff_t)in->pgoff[i]))
				return build_fail(err, errlen, s->path, d->line,
						  "mmap failed: expected a page-aligned free range below 16 TiB (MODEL_TASK_SIZE) inside the file");
			break;
		}
		case D_VM: {
			int p = scn_decl_index(s, D_PROCESS, d->ref);

			if (p < 0 || w->nr_kvm >= 2)
				return build_fail(err, errlen, s->path, d->line,
						  "unknown process, or more than 2 vms");
			w->drv.kvm_of[i] = &w->kvm[w->nr_kvm];
			if (kvm_create_vm(&w->kvm[w->nr_kvm++], &w->hw, w->drv.mm_of[p], &w->cfg, d->name))
				return build_fail(err, errlen, s->path, d->line, "cannot create vm");
			break;
		}
		case D_MEMSLOT: {
			int v = scn_decl_index(s, D_VM, d->ref);

			if (v < 0 || kvm_set_memory_region(w->drv.kvm_of[v], (gfn_t)in->gfn[i],
							   (u64)in->pages[i], (u64)in->addr[i]))
				return build_fail(err, errlen, s->path, d->line, "bad memslot");
			break;
		}
		case D_ACTOR:
			break;
		}
	}
	/* actors and their TLBs */
	for (int i = 0; i < in->nr_actors; i++) {
		struct scn_actor_inst *ai = &in->actors[i];
		struct model_actor *ma = &m->actors[i];
		int id;

		ma->m = m;
		ma->idx = i;
		ma->tlb = -1;
		id = exec_add_actor(&m->ex, ai->name, actor_body, ma, ma);
		if (id < 0)
			return build_fail(err, errlen, s->path, 1, "too many actors");
		if (ai->kind == 'c') {
			ma->tlb = hw_new_tlb(&w->hw, &m->arena, w->drv.mm_of[ai->ref]->space, id,
					     (int)s->params[0].value, ai->name);
		} else if (ai->kind == 'v') {
			struct kvm *kvm = w->drv.kvm_of[ai->ref];

			ma->tlb = hw_new_tlb(&w->hw, &m->arena, kvm->space, id,
					     (int)s->params[0].value, ai->name);
			ma->vcpu = &w->vcpus[i % KVM_MAX_VCPUS];
			ma->vcpu->kvm = kvm;
			ma->vcpu->tlb = ma->tlb;
			ma->vcpu->id = i;
		}
		if (ai->kind != 'k' && ma->tlb < 0)
			return build_fail(err, errlen, s->path, 1,
					  "cannot create TLB (tlb_entries must be 1..64)");
	}
	m->first_handler = m->ex.nr_actors;
	if (hw_add_ipi_handlers(&w->hw, &m->ex))
		return build_fail(err, errlen, s->path, 1, "too many actors and TLBs");
	/* writeback and clean_record track every file page from the start */
	for (int i = 0; i < w->mw.nr_files; i++)
		for (u32 j = 0; j < w->mw.files[i].nrpages; j++)
			w->gt.pages[w->mw.files[i].pages[j]].tracked |=
				(s->consumers[CONS_WRITEBACK] ? 1u << CONS_WRITEBACK : 0) |
				(s->consumers[CONS_CLEAN_RECORD] ? 1u << CONS_CLEAN_RECORD : 0);
	/* set-up runs in direct mode, one operation after another */
	m->ex.cur = NULL;
	for (int i = 0; i < in->nr_setup; i++) {
		run_op(m, in->setup_actor[i], &in->setup[i]);
		if (m->ex.have_finding) {
			snprintf(err, errlen, "%s:%d:1: set-up failed: %s", s->path,
				 in->setup[i].line, m->ex.finding.msg);
			return -1;
		}
	}
	/*
	 * The snapshot: everything but the page-table pages free after the
	 * set-up, which hw_alloc_pt() clears when it hands them out.
	 */
	pt_off = (size_t)((u8 *)w->hw.pt - m->arena.base);
	{
		u32 high = 0;

		for (u32 slot = 0; slot < nr_pt; slot++)
			if (w->hw.pt_meta[slot].level)
				high = slot + 1;
		arena_snapshot(&m->arena, m->arena.used,
			       pt_off + (size_t)high * sizeof(*w->hw.pt),
			       (size_t)(nr_pt - high) * sizeof(*w->hw.pt));
	}
	m->ex.now_base = m->ex.now;
	return 0;
}

void model_destroy(struct model *m)
{
	exec_fini(&m->ex);
	arena_fini(&m->arena);
}

void model_begin(struct model *m)
{
	arena_reset(&m->arena);
	exec_begin(&m->ex);
}

/*
 * The final quiesce-and-collect, in direct mode after every actor is done:
 * flush every TLB, let each consumer collect once more, then judge.
 */
/*
 * One phase of the final quiesce-and-collect.  Traced as a step of its
 * own that lists only what the consumers report: the collect's own loads
 * and stores are not part of the race.
 */
static void collect_phase_begin(struct model *m, const char *what, bool *tracing)
{
	*tracing = m->ex.tracing;
	exec_trace_phase(&m->ex, what);
	m->w->gt.collecting = *tracing;
	m->ex.tracing = false;
}

static void collect_phase_end(struct model *m, bool tracing)
{
	m->ex.tracing = tracing;
	m->w->gt.collecting = false;
}

void model_finish(struct model *m)
{
	struct world *w = m->w;
	struct scn *s = m->scn;
	bool tr;

	m->ex.cur = NULL;
	collect_phase_begin(m, "quiesce: flush every TLB", &tr);
	for (int sp = 0; sp < w->hw.nr_spaces; sp++)
		hw_flush_tlb(&w->hw, sp, 0, 0, true);
	collect_phase_end(m, tr);
	if (s->consumers[CONS_LAZYFREE]) {
		collect_phase_begin(m, "collect: reclaim lazyfree folios", &tr);
		for (u64 pfn = 1; pfn < w->gt.nr_pages; pfn++)
			if ((w->gt.pages[pfn].tracked & (1u << CONS_LAZYFREE)) &&
			    hw_frame_is_data(&w->hw, pfn))
				mm_reclaim_folio(&w->mw, pfn);
		collect_phase_end(m, tr);
	}
	if (s->consumers[CONS_CLEAN_RECORD]) {
		collect_phase_begin(m, "collect: clean_record every file", &tr);
		for (int i = 0; i < w->mw.nr_files; i++)
			drv_clean_record(&w->drv, &w->mw.files[i], 0, w->mw.files[i].nrpages);
		collect_phase_end(m, tr);
	}
	if (s->consumers[CONS_WRITEBACK]) {
		collect_phase_begin(m, "collect: exit_mmap, write back every folio", &tr);
		for (int i = 0; i < w->mw.nr_mms; i++)
			mm_exit_mmap(&w->mw.mms[i]);
		for (int i = 0; i < w->mw.nr_files; i++)
			for (u32 j = 0; j < w->mw.files[i].nrpages; j++)
				mm_writeback_folio(&w->mw, &w->mw.files[i], j);
		collect_phase_end(m, tr);
	}
	if (m->ex.have_finding)
		return;
	for (u64 pfn = 1; pfn < w->gt.nr_pages; pfn++) {
		const struct gt_page *g = &w->gt.pages[pfn];

		for (int c = 0; c < CONS_NR; c++) {
			if (!(g->tracked & (1u << c)) || !g->last_write ||
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
}

void model_describe(void *ctx, const void *addr, u64 val, bool value, char *buf,
		    size_t n)
{
	struct model *m = ctx;
	struct world *w = m->w;
	int space;

	if (value) {
		space = addr ? hw_space_of(&w->hw, addr) : -1;
		if (space >= 0)
			hw_format_entry(&w->hw, space, val, buf, n);
		else
			snprintf(buf, n, "%#llx", (unsigned long long)val);
		return;
	}
	if (hw_describe(&w->hw, addr, buf, n) || mm_describe(&w->mw, addr, buf, n))
		return;
	for (int i = 0; i < w->nr_kvm; i++)
		if (kvm_describe(&w->kvm[i], addr, buf, n))
			return;
	if ((const u8 *)addr >= w->obs.page_words &&
	    (const u8 *)addr < w->obs.page_words + w->obs.nr_page_words) {
		snprintf(buf, n, "data(pfn %llu)",
			 (unsigned long long)((const u8 *)addr - w->obs.page_words));
		return;
	}
	if (addr == &w->obs.protect_word) {
		snprintf(buf, n, "protect-returned");
		return;
	}
	snprintf(buf, n, "word@%#llx", (unsigned long long)((const u8 *)addr - m->arena.base));
}
