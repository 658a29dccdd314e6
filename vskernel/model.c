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
	m->drv = (struct drv_world){ .hw = m->dw.hw, .mw = m->dw.mw, .obs = &m->dw.obs };
	m->drv.mm_of[0] = m->mm;	/* the one process, as vsk_scn_op() names it */
	if (userfaultfd_api(m->mm, UFFD_API_FEATURES) ||
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

/* The scenario operation a vs-kernel operation is, on the one process. */
static void vsk_scn_op(const struct vsk_op *op, struct scn_op *so)
{
	static const u8 codes[VSK_NR_OPS] = {
		[VSK_READ] = OPC_READ, [VSK_WRITE] = OPC_WRITE, [VSK_WP] = OPC_UFFD_WP,
		[VSK_UNWP] = OPC_UFFD_UNWP, [VSK_COPY] = OPC_UFFD_COPY,
		[VSK_ZEROPAGE] = OPC_UFFD_ZEROPAGE, [VSK_DONTNEED] = OPC_MADV_DONTNEED,
		[VSK_MPROTECT] = OPC_MPROTECT, [VSK_SCAN] = OPC_PAGEMAP_SCAN,
	};
	s64 *k = &so->a[2];

	memset(so, 0, sizeof(*so));
	so->code = codes[op->code];
	so->ref = 0;
	so->a[0] = (s64)vsk_addr(op->page);
	so->a[1] = (s64)op->nr << PAGE_SHIFT;
	if (op->code == VSK_COPY)
		so->a[2] = (op->mode & VSK_UFFDIO_COPY_MODE_WP) != 0;
	else if (op->code == VSK_MPROTECT)
		so->a[2] = op->prot;
	if (op->code != VSK_SCAN)
		return;
	k[SCAN_FLAGS] = (s64)op->scan.flags;
	k[SCAN_MASK] = (s64)op->scan.category_mask;
	k[SCAN_ANYOF] = (s64)op->scan.category_anyof_mask;
	k[SCAN_INVERTED] = (s64)op->scan.category_inverted;
	k[SCAN_RETURN] = (s64)op->scan.return_mask;
	k[SCAN_MAX_PAGES] = (s64)op->scan.max_pages;
	k[SCAN_VEC] = op->scan.vec_len;
}

/* A page of the mapping, from an address the model returned (0 for 0). */
static u64 vsk_page(u64 addr)
{
	return addr ? (addr - VSK_MODEL_BASE) >> PAGE_SHIFT : 0;
}

void vsk_model_run(struct vsk_model *m, const struct vsk_op *op, struct vsk_result *r)
{
	struct drv_actor a = { .mm = m->mm, .tlb = m->tlb };
	static struct drv_result dr;
	struct scn_op so;

	memset(r, 0, sizeof(*r));
	exec_enter_direct_mode();
	vsk_scn_op(op, &so);
	drv_run_op(&m->drv, &a, &so, &dr);
	r->ret = dr.ret < 0 ? -1 : dr.ret;
	r->err = dr.ret < 0 ? (int)-dr.ret : 0;
	if (op->code == VSK_SCAN) {
		r->walk_end = vsk_page(dr.walk_end);
		r->nr_regions = (u32)dr.nr_regions;
		for (long i = 0; i < dr.nr_regions; i++)
			r->regions[i] = (struct vsk_region){ vsk_page(dr.regions[i].start),
							     vsk_page(dr.regions[i].end),
							     dr.regions[i].categories };
	} else if (op->code != VSK_WP && op->code != VSK_UNWP && op->code != VSK_DONTNEED &&
		   op->code != VSK_MPROTECT) {
		r->count = dr.count;	/* the fills' progress, an access's faults */
	}
}

void vsk_model_close(struct vsk_model *m)
{
	mm_direct_world_fini(&m->dw);
}
