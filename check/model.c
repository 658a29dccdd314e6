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

static struct kvm *op_kvm(struct model *m, const struct scn_op *op)
{
	return &m->w->kvm[m->w->kvm_of[op->ref]];
}

static void op_clean_record(struct model *m, struct address_space *mapping,
			    pgoff_t first, pgoff_t nr)
{
	u64 bitmap[8] = { 0 };
	pgoff_t start = 0, end = 0;

	if (nr > 512 || first + nr > mapping->nrpages)
		return;
	clean_record_shared_mapping_range(mapping, first, nr, first, bitmap,
					  &start, &end);
	for (pgoff_t i = start; i < end; i++)
		if (bitmap[i / 64] & BIT_ULL(i % 64))
			obs_report(&m->w->obs, CONS_CLEAN_RECORD, mapping->pages[first + i]);
}

static void op_spte_bits(struct model *m, const struct scn_op *op, bool set)
{
	struct kvm *kvm = op_kvm(m, op);
	int level;
	u64 spte;
	u64 *sptep = kvm_tdp_mmu_walk(kvm, (gfn_t)op->a[0], &level, &spte);

	if (!sptep || !is_shadow_present_pte(spte))
		return;
	*sptep = set ? spte | (u64)op->a[1] : spte & ~(u64)op->a[1];
}

/* scn/scn.c names PAGE_IS_* and PM_SCAN_* by their uapi bit. */
_Static_assert(PM_SCAN_CATEGORIES == (1ULL << SCN_NR_PAGE_CATEGORIES) - 1 &&
	       PAGE_IS_WRITTEN == 1ULL << 1 && PAGE_IS_GUARD == 1ULL << 8,
	       "scn_page_categories[] follows uapi/linux/fs.h");
_Static_assert(PM_SCAN_WP_MATCHING == 1 && PM_SCAN_CHECK_WPASYNC == 2,
	       "scn_scan_flags[] follows uapi/linux/fs.h");

#define OP_UFFD_FEATURES (UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED | \
			  UFFD_FEATURE_WP_HUGETLBFS_SHMEM)
#define OP_UFFDIO_WRITEPROTECT_MODE_WP 1ULL
#define OP_UFFDIO_COPY_MODE_WP 2ULL

/*
 * What an ioctl returned: a note in traces; in the set-up (direct mode, no
 * current actor) an error fails the build ("set-up failed: ..."), since
 * the scenario would otherwise explore a world it did not ask for.
 */
static void op_result(struct model *m, long ret, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void op_result(struct model *m, long ret, const char *fmt, ...)
{
	bool setup = !m->ex.cur;
	char buf[160];
	va_list ap;

	if (!exec_tracing() && !(setup && ret < 0))
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	exec_note("%s", buf);
	if (setup && ret < 0)
		exec_report(ORACLE_MODEL_WARN, "%s", buf);
}

static void op_uffd_register(struct model *m, struct mm_struct *mm, u64 start, u64 len)
{
	int ret;

	if (!mm->uffd.open) {
		ret = userfaultfd_api(mm, OP_UFFD_FEATURES);
		op_result(m, ret, "UFFDIO_API returns %d", ret);
	}
	ret = userfaultfd_register(mm, start, len);
	op_result(m, ret, "UFFDIO_REGISTER [%#llx, %#llx) returns %d", (unsigned long long)start,
		  (unsigned long long)(start + len), ret);
}

static void format_categories(u64 c, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < SCN_NR_PAGE_CATEGORIES && l < n; i++)
		if (c & (1ULL << i))
			l += (size_t)snprintf(buf + l, n - l, "%s%s", l ? "|" : "",
					      scn_page_categories[i]);
	if (!l)
		snprintf(buf, n, "0");
}

/* PAGEMAP_SCAN over [ADDR, ADDR + LEN) with the operation's keys. */
static void op_pagemap_scan(struct model *m, struct mm_struct *mm, const struct scn_op *op)
{
	const s64 *k = &op->a[2];
	struct page_region vec[SCN_SCAN_MAX_VEC];
	u64 vec_len = (u64)k[SCAN_VEC];
	struct pm_scan_arg arg = {
		.size = sizeof(struct pm_scan_arg),
		.flags = (u64)k[SCAN_FLAGS],
		.start = (u64)op->a[0],
		.end = (u64)op->a[0] + (u64)op->a[1],
		.vec = vec_len ? 1 : 0,
		.vec_len = vec_len,
		.max_pages = (u64)k[SCAN_MAX_PAGES],
		.category_inverted = (u64)k[SCAN_INVERTED],
		.category_mask = (u64)k[SCAN_MASK],
		.category_anyof_mask = (u64)k[SCAN_ANYOF],
		.return_mask = (u64)k[SCAN_RETURN],
	};
	long ret;

	if (vec_len > SCN_SCAN_MAX_VEC)	/* scn_instantiate() rejects it */
		return;
	memset(vec, 0, sizeof(vec));
	ret = do_pagemap_scan(mm, &arg, vec_len ? vec : NULL);
	op_result(m, ret, "PAGEMAP_SCAN [%#llx, %#llx) returns %ld", (unsigned long long)arg.start,
		  (unsigned long long)arg.end, ret);
	if (!exec_tracing())
		return;
	for (long i = 0; i < ret && i < (long)vec_len; i++) {
		char c[128];

		format_categories(vec[i].categories, c, sizeof(c));
		exec_note("[%#llx, %#llx) %s", (unsigned long long)vec[i].start,
			  (unsigned long long)vec[i].end, c);
	}
	exec_note("walk_end %#llx", (unsigned long long)arg.walk_end);
}

static void run_op(struct model *m, int actor, const struct scn_op *op)
{
	struct world *w = m->w;
	struct model_actor *ma = actor >= 0 ? &m->actors[actor] : NULL;
	const struct scn_actor_inst *ai = actor >= 0 ? &m->inst.actors[actor] : NULL;

	switch (op->code) {
	case OPC_READ:
	case OPC_WRITE:
		mm_user_access(w->mm_of[ai->ref], ma->tlb, (u64)op->a[0],
			       op->code == OPC_WRITE);
		break;
	case OPC_GREAD:
	case OPC_GWRITE:
		kvm_vcpu_access(ma->vcpu, (gfn_t)op->a[0], op->code == OPC_GWRITE);
		break;
	case OPC_MPROTECT:
		do_mprotect_pkey(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1], (int)op->a[2]);
		break;
	case OPC_MADV_FREE:
		do_madvise(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1], MADV_FREE);
		break;
	case OPC_MADV_DONTNEED:
		do_madvise(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1], MADV_DONTNEED);
		break;
	case OPC_RECLAIM: {
		struct mm_struct *mm = w->mm_of[op->ref];
		u64 *p = hw_lookup(&w->hw, mm->space, (u64)op->a[0], PG_LEVEL_4K);
		u64 e = p ? READ_ONCE(*p) : 0;

		if (e & _PAGE_PRESENT)
			mm_reclaim_folio(&w->mw, (e & PTE_PFN_MASK) >> PAGE_SHIFT);
		break;
	}
	case OPC_WRITEBACK:
		mm_writeback_folio(&w->mw, w->file_of[op->ref], (pgoff_t)op->a[0]);
		break;
	case OPC_CLEAN_RECORD:
		op_clean_record(m, w->file_of[op->ref], (pgoff_t)op->a[0], (pgoff_t)op->a[1]);
		break;
	case OPC_WP_MAPPING:
		wp_shared_mapping_range(w->file_of[op->ref], (pgoff_t)op->a[0], (pgoff_t)op->a[1]);
		break;
	case OPC_KVM_WRITE_PROTECT: {
		struct kvm *kvm = op_kvm(m, op);

		write_lock(&kvm->mmu_lock);
		if (kvm_mmu_slot_gfn_write_protect(kvm, (gfn_t)op->a[0]))
			kvm_flush_remote_tlbs(kvm);
		write_unlock(&kvm->mmu_lock);
		obs_protect_done(&w->obs, kvm->space, (u64)op->a[0] << PAGE_SHIFT,
				 ((u64)op->a[0] + 1) << PAGE_SHIFT);
		break;
	}
	case OPC_KVM_AGE: {
		struct kvm *kvm = op_kvm(m, op);
		u64 hva = kvm->slots[0].userspace_addr +
			  (((u64)op->a[0] - kvm->slots[0].base_gfn) << PAGE_SHIFT);

		mmu_notifier_clear_young(kvm->mm, hva, hva + ((u64)op->a[1] << PAGE_SHIFT));
		break;
	}
	case OPC_KVM_SPLIT:
		kvm_tdp_mmu_split_huge_page(op_kvm(m, op), (gfn_t)op->a[0]);
		break;
	case OPC_SPTE_SET:
	case OPC_SPTE_CLEAR:
		op_spte_bits(m, op, op->code == OPC_SPTE_SET);
		break;
	case OPC_MAP_HUGE: {
		u64 pfn = hw_alloc_data(&w->hw, 512, 512);

		if (pfn)
			kvm_tdp_mmu_map_huge(op_kvm(m, op), (gfn_t)op->a[0] & ~511ULL, pfn);
		break;
	}
	case OPC_FLUSH_ALL:
		for (int s = 0; s < w->hw.nr_spaces; s++)
			hw_flush_tlb(&w->hw, s, 0, 0, true);
		break;
	case OPC_UFFD_REGISTER:
		op_uffd_register(m, w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1]);
		break;
	case OPC_UFFD_WP:
	case OPC_UFFD_UNWP: {
		int ret = userfaultfd_writeprotect(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1],
						   op->code == OPC_UFFD_WP ?
						   OP_UFFDIO_WRITEPROTECT_MODE_WP : 0);

		op_result(m, ret, "UFFDIO_WRITEPROTECT%s returns %d",
			  op->code == OPC_UFFD_WP ? " (MODE_WP)" : "", ret);
		break;
	}
	case OPC_UFFD_COPY:
	case OPC_UFFD_ZEROPAGE: {
		s64 count = 0;
		int ret = op->code == OPC_UFFD_COPY ?
			  userfaultfd_copy(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1],
					   op->a[2] ? OP_UFFDIO_COPY_MODE_WP : 0, &count) :
			  userfaultfd_zeropage(w->mm_of[op->ref], (u64)op->a[0], (u64)op->a[1], 0,
					       &count);

		op_result(m, ret, "%s returns %d (%s %lld)",
			  op->code == OPC_UFFD_COPY ? "UFFDIO_COPY" : "UFFDIO_ZEROPAGE", ret,
			  op->code == OPC_UFFD_COPY ? "copy" : "zeropage", (long long)count);
		break;
	}
	case OPC_PAGEMAP_SCAN:
		op_pagemap_scan(m, w->mm_of[op->ref], op);
		break;
	}
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
			w->file_of[i] = mm_new_file(&w->mw, &m->arena, d->name, (u32)in->pages[i],
						    d->shmem);
			if (!w->file_of[i])
				return build_fail(err, errlen, s->path, d->line, "cannot create file");
			break;
		case D_PROCESS:
			w->mm_of[i] = mm_new(&w->mw, d->name);
			if (!w->mm_of[i])
				return build_fail(err, errlen, s->path, d->line, "too many processes");
			break;
		case D_MMAP: {
			int p = scn_decl_index(s, D_PROCESS, d->ref);
			int f = d->file[0] ? scn_decl_index(s, D_FILE, d->file) : -1;
			u64 flags = VM_READ | (d->write ? VM_WRITE : 0) | (d->shared ? VM_SHARED : 0);

			if (p < 0 || (d->file[0] && f < 0))
				return build_fail(err, errlen, s->path, d->line,
						  "unknown process or file");
			if (!mm_mmap(w->mm_of[p], (u64)in->addr[i], (u64)in->pages[i] << PAGE_SHIFT,
				     flags, f >= 0 ? w->file_of[f] : NULL, (pgoff_t)in->pgoff[i]))
				return build_fail(err, errlen, s->path, d->line,
						  "mmap failed: expected a page-aligned free range below 16 TiB (MODEL_TASK_SIZE) inside the file");
			break;
		}
		case D_VM: {
			int p = scn_decl_index(s, D_PROCESS, d->ref);

			if (p < 0 || w->nr_kvm >= 2)
				return build_fail(err, errlen, s->path, d->line,
						  "unknown process, or more than 2 vms");
			w->kvm_of[i] = w->nr_kvm;
			if (kvm_create_vm(&w->kvm[w->nr_kvm++], &w->hw, w->mm_of[p], &w->cfg, d->name))
				return build_fail(err, errlen, s->path, d->line, "cannot create vm");
			break;
		}
		case D_MEMSLOT: {
			int v = scn_decl_index(s, D_VM, d->ref);

			if (v < 0 || kvm_set_memory_region(&w->kvm[w->kvm_of[v]], (gfn_t)in->gfn[i],
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
			ma->tlb = hw_new_tlb(&w->hw, &m->arena, w->mm_of[ai->ref]->space, id,
					     (int)s->params[0].value, ai->name);
		} else if (ai->kind == 'v') {
			struct kvm *kvm = &w->kvm[w->kvm_of[ai->ref]];

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
			op_clean_record(m, &w->mw.files[i], 0, w->mw.files[i].nrpages);
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
