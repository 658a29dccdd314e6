// SPDX-License-Identifier: GPL-2.0
/*
 * check/model: world construction from an instantiated scenario, the
 * actors' bodies, the per-execution reset and the final collect.  The
 * oracles are check/oracle.c's.
 */
#include "model.h"

#include <stdio.h>
#include <string.h>


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

/*
 * The vm's dirty-logging capabilities (KVM_ENABLE_CAP before any vCPU):
 * manual protect, initially set, the dirty ring's size.
 */
static int build_vm_caps(struct kvm *kvm, const struct scn_decl *d, s64 ring_entries)
{
	u64 manual = (d->manual_protect || d->initially_set ? KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE : 0) |
		     (d->initially_set ? KVM_DIRTY_LOG_INITIALLY_SET : 0);

	kvm->legacy_mmu = d->legacy_mmu;
	if (manual &&
	    kvm_vm_ioctl_enable_cap_generic(kvm, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2, manual))
		return -1;
	if (ring_entries &&
	    kvm_vm_ioctl_enable_cap_generic(kvm, KVM_CAP_DIRTY_LOG_RING,
					    (u64)ring_entries * sizeof(struct kvm_dirty_gfn)))
		return -1;
	return 0;
}

/* The scenario's files, processes, mappings, vms and memslots. */
static int build_decls(struct model *m, char *err, size_t errlen)
{
	struct scn *s = m->scn;
	struct scn_inst *in = &m->inst;
	struct world *w = m->w;

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
			if (kvm_create_vm(&w->kvm[w->nr_kvm++], &w->hw, w->drv.mm_of[p], &w->cfg, d->name) ||
			    build_vm_caps(w->drv.kvm_of[i], d, in->ring[i]))
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
	return 0;
}

/* The actors, each CPU's and vCPU's TLB, and the vCPUs. */
static int build_actors(struct model *m, char *err, size_t errlen)
{
	struct scn *s = m->scn;
	struct scn_inst *in = &m->inst;
	struct world *w = m->w;

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
			ma->vcpu->host_tlb = -1;
			if (m->write_tracking) {
				/* the vCPU thread's CPU, for the emulator's copy_to_user() */
				char name[SCN_NAME + 8];

				snprintf(name, sizeof(name), "%s.host", ai->name);
				ma->vcpu->host_tlb = hw_new_tlb(&w->hw, &m->arena, kvm->mm->space, id,
								(int)s->params[0].value, name);
				if (ma->vcpu->host_tlb < 0)
					return build_fail(err, errlen, s->path, 1, "cannot create TLB");
			}
			if (kvm->dirty_ring_size && kvm_vcpu_create_dirty_ring(ma->vcpu, &m->arena))
				return build_fail(err, errlen, s->path, 1, "cannot create dirty ring");
		}
		if (ai->kind != 'k' && ma->tlb < 0)
			return build_fail(err, errlen, s->path, 1,
					  "cannot create TLB (tlb_entries must be 1..64)");
	}
	return 0;
}

/*
 * The trackers' state: the VMM's side of each vm's dirty log, and the
 * pages the scenario's tracker consumers may report (every page of every
 * mapping for pagemap_scan, of every memslot for dirty_log).
 */
static int build_trackers(struct model *m, char *err, size_t errlen)
{
	struct scn *s = m->scn;
	struct scn_inst *in = &m->inst;
	struct world *w = m->w;

	for (int i = 0; i < s->nr_decls; i++) {
		const struct scn_decl *d = &s->decls[i];
		int ref;
		bool fail = false;

		if (d->kind == D_VM) {
			w->drv.dl_of[i] = arena_alloc(&m->arena, sizeof(struct drv_dirty_log));
			fail = !w->drv.dl_of[i] ||
			       drv_dirty_log_init(w->drv.dl_of[i], w->drv.kvm_of[i], &m->arena) ||
			       (m->write_tracking &&
				kvm_page_track_write_tracking_enable(w->drv.kvm_of[i], &m->arena));
		} else if (d->kind == D_MMAP && s->consumers[CONS_PAGEMAP_SCAN]) {
			ref = scn_decl_index(s, D_PROCESS, d->ref);
			fail = chk_oracle_add_range(w, &m->arena, CONS_PAGEMAP_SCAN,
						    w->drv.mm_of[ref]->space, (u64)in->addr[i],
						    (u64)in->addr[i] + ((u64)in->pages[i] << PAGE_SHIFT));
		} else if (d->kind == D_MEMSLOT && s->consumers[CONS_DIRTY_LOG]) {
			ref = scn_decl_index(s, D_VM, d->ref);
			fail = chk_oracle_add_range(w, &m->arena, CONS_DIRTY_LOG,
						    w->drv.kvm_of[ref]->space,
						    (u64)in->gfn[i] << PAGE_SHIFT,
						    (u64)(in->gfn[i] + in->pages[i]) << PAGE_SHIFT);
		}
		if (fail)
			return build_fail(err, errlen, s->path, d->line,
					  "out of memory, or more than 16 tracked mappings and memslots");
	}
	return 0;
}

/* The set-up block, in direct mode, one operation after another. */
static int run_setup(struct model *m, char *err, size_t errlen)
{
	struct scn_inst *in = &m->inst;

	m->ex.cur = NULL;
	for (int i = 0; i < in->nr_setup; i++) {
		run_op(m, in->setup_actor[i], &in->setup[i]);
		if (m->ex.have_finding) {
			snprintf(err, errlen, "%s:%d:1: set-up failed: %s", m->scn->path,
				 in->setup[i].line, m->ex.finding.msg);
			return -1;
		}
	}
	return 0;
}

/*
 * The snapshot each execution starts from: everything but the page-table
 * pages free after the set-up, which hw_alloc_pt() clears when it hands
 * them out.
 */
static void take_snapshot(struct model *m, u32 nr_pt)
{
	struct world *w = m->w;
	size_t pt_off = (size_t)((u8 *)w->hw.pt - m->arena.base);
	u32 high = 0;

	for (u32 slot = 0; slot < nr_pt; slot++)
		if (w->hw.pt_meta[slot].level)
			high = slot + 1;
	arena_snapshot(&m->arena, m->arena.used, pt_off + (size_t)high * sizeof(*w->hw.pt),
		       (size_t)(nr_pt - high) * sizeof(*w->hw.pt));
}

int model_build(struct model *m, struct scn *s, char *err, size_t errlen)
{
	struct scn_inst *in = &m->inst;
	struct world *w;
	u32 nr_frames = 256, nr_pt = 40;

	memset(m, 0, sizeof(*m));
	m->scn = s;
	if (scn_instantiate(s, in, err, errlen))
		return -1;
	/* an external user of write tracking (kvm_page_track_register_notifier()) */
	for (int a = 0; a < in->nr_actors; a++)
		for (int i = 0; i < in->actors[a].nr_ops; i++)
			m->write_tracking |= in->actors[a].ops[i].code == OPC_KVM_WRITE_PROTECT;
	for (int i = 0; i < in->nr_setup; i++)
		m->write_tracking |= in->setup[i].code == OPC_KVM_WRITE_PROTECT;
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
	w->obs.ops = &chk_oracle_ops;
	w->obs.ctx = w;
	w->drv.hw = &w->hw;
	w->drv.mw = &w->mw;
	w->drv.obs = &w->obs;
	w->drv.ar = &m->arena;
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
	if (build_decls(m, err, errlen) || build_actors(m, err, errlen) ||
	    build_trackers(m, err, errlen))
		return -1;
	m->first_handler = m->ex.nr_actors;
	if (hw_add_ipi_handlers(&w->hw, &m->ex))
		return build_fail(err, errlen, s->path, 1, "too many actors and TLBs");
	if (run_setup(m, err, errlen))
		return -1;
	take_snapshot(m, nr_pt);
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
	if (s->consumers[CONS_PAGEMAP_SCAN]) {
		struct page_region vec[SCN_SCAN_MAX_VEC];

		collect_phase_begin(m, "collect: PAGEMAP_SCAN every uffd-wp range, write-protecting", &tr);
		for (int i = 0; i < w->mw.nr_mms; i++)
			for (int v = 0; v < w->mw.mms[i].nr_vmas; v++) {
				struct vm_area_struct *vma = &w->mw.mms[i].vmas[v];

				if (userfaultfd_wp(vma))
					drv_pagemap_scan_collect(&w->drv, &w->mw.mms[i], vma->vm_start,
								 vma->vm_end, vec, SCN_SCAN_MAX_VEC);
			}
		collect_phase_end(m, tr);
	}
	if (s->consumers[CONS_DIRTY_LOG]) {
		collect_phase_begin(m, "collect: one more dirty-log round of every vm", &tr);
		for (int i = 0; i < s->nr_decls; i++)
			if (s->decls[i].kind == D_VM)
				drv_dirty_log_collect(&w->drv, i);
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
	if (!m->ex.have_finding)
		chk_oracle_judge_lost_writes(m);
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
