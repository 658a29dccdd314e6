// SPDX-License-Identifier: GPL-2.0
#include "model.h"

#include <stdio.h>
#include <string.h>

int vsk_model_open(struct vsk_model *m, enum vsk_mapping mapping, u32 pages,
		   const struct variant_cfg *cfg, char *err, size_t n)
{
	/* data frames: the mapping's pages, their replacements, the zero page */
	u32 nr_frames = 3 * pages + 64, nr_pt = pages / 512 + 8;
	struct address_space *file = NULL;
	u64 flags = VM_READ | VM_WRITE;

	memset(m, 0, sizeof(*m));
	m->pages = pages;
	m->mapping = mapping;
	if (mm_direct_world_init(&m->dw, nr_frames, nr_pt, (size_t)pages * 8, cfg, NULL, NULL))
		goto nomem;
	m->mm = mm_new(m->dw.mw, "vs");
	if (!m->mm)
		goto nomem;
	m->mm->lazy_pte_tables = true;
	if (mapping == VSK_MEMFD) {
		file = mm_new_file(m->dw.mw, &m->dw.arena, "memfd", pages, true);
		if (!file)
			goto nomem;
		flags |= VM_SHARED;
	}
	if (!mm_mmap(m->mm, VSK_MODEL_BASE, (u64)pages << PAGE_SHIFT, flags, file, 0))
		goto nomem;
	m->tlb = hw_new_tlb(m->dw.hw, &m->dw.arena, m->mm->space, 0, 64, "cpu");
	if (m->tlb < 0)
		goto nomem;
	if (userfaultfd_api(m->mm, UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED |
				   UFFD_FEATURE_WP_HUGETLBFS_SHMEM) ||
	    userfaultfd_register(m->mm, VSK_MODEL_BASE, (u64)pages << PAGE_SHIFT)) {
		snprintf(err, n, "the model refused UFFDIO_API or UFFDIO_REGISTER");
		return -1;
	}
	arena_snapshot(&m->dw.arena, m->dw.arena.used, 0, 0);
	return 0;
nomem:
	snprintf(err, n, "cannot build a model of %u pages: out of memory", pages);
	return -1;
}

void vsk_model_reset(struct vsk_model *m)
{
	arena_reset(&m->dw.arena);
}

static u64 vsk_addr(u64 page)
{
	return VSK_MODEL_BASE + (page << PAGE_SHIFT);
}

static void vsk_ret(struct vsk_result *r, long ret)
{
	r->ret = ret < 0 ? -1 : ret;
	r->err = ret < 0 ? (int)-ret : 0;
}

/* A user access; count gets the page faults it took, as getrusage() does. */
static void vsk_model_access(struct vsk_model *m, const struct vsk_op *op,
			     struct vsk_result *r)
{
	u64 faults = m->dw.hw->stats.faults;
	int ret = mm_user_access(m->mm, m->tlb, vsk_addr(op->page), op->code == VSK_WRITE);

	vsk_ret(r, ret);
	/* compared for completed accesses only, as host/ measures them */
	r->count = ret ? 0 : (s64)(m->dw.hw->stats.faults - faults);
}

static void vsk_model_scan(struct vsk_model *m, const struct vsk_op *op,
			   struct vsk_result *r)
{
	struct page_region vec[VSK_MAX_REGIONS];
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = op->scan.flags,
		.start = vsk_addr(op->page),
		.end = vsk_addr((u64)op->page + op->nr),
		.vec = op->scan.vec_len ? 1 : 0,
		.vec_len = op->scan.vec_len,
		.max_pages = op->scan.max_pages,
		.category_inverted = op->scan.category_inverted,
		.category_mask = op->scan.category_mask,
		.category_anyof_mask = op->scan.category_anyof_mask,
		.return_mask = op->scan.return_mask,
	};
	long ret = do_pagemap_scan(m->mm, &arg, vec);

	vsk_ret(r, ret);
	r->walk_end = arg.walk_end ? (arg.walk_end - VSK_MODEL_BASE) >> PAGE_SHIFT : 0;
	for (long i = 0; i < ret; i++)
		r->regions[i] = (struct vsk_region){
			(vec[i].start - VSK_MODEL_BASE) >> PAGE_SHIFT,
			(vec[i].end - VSK_MODEL_BASE) >> PAGE_SHIFT, vec[i].categories
		};
	r->nr_regions = ret > 0 ? (u32)ret : 0;
}

void vsk_model_run(struct vsk_model *m, const struct vsk_op *op, struct vsk_result *r)
{
	u64 addr = vsk_addr(op->page), len = (u64)op->nr << PAGE_SHIFT;
	s64 count = 0;

	memset(r, 0, sizeof(*r));
	exec_engine = NULL;
	switch (op->code) {
	case VSK_READ:
	case VSK_WRITE:
		vsk_model_access(m, op, r);
		break;
	case VSK_WP:
	case VSK_UNWP:
		vsk_ret(r, userfaultfd_writeprotect(m->mm, addr, len, op->code == VSK_WP));
		break;
	case VSK_COPY:
		vsk_ret(r, userfaultfd_copy(m->mm, addr, len, op->mode, &count));
		r->count = count;
		break;
	case VSK_ZEROPAGE:
		vsk_ret(r, userfaultfd_zeropage(m->mm, addr, len, 0, &count));
		r->count = count;
		break;
	case VSK_DONTNEED:
		vsk_ret(r, do_madvise(m->mm, addr, len, MADV_DONTNEED));
		break;
	case VSK_MPROTECT:
		vsk_ret(r, do_mprotect_pkey(m->mm, addr, len, op->prot));
		break;
	case VSK_SCAN:
		vsk_model_scan(m, op, r);
		break;
	}
}

void vsk_model_close(struct vsk_model *m)
{
	mm_direct_world_fini(&m->dw);
}
