// SPDX-License-Identifier: GPL-2.0
/*
 * Models the PAGEMAP_SCAN ioctl of fs/proc/task_mmu.c (v6.7+, as the
 * v6.18 kernel behaves): do_pagemap_scan() walks the range VMA by VMA and
 * PTE table by PTE table, reports runs of pages whose categories match
 * the masks, merging neighbours with equal reported categories, and with
 * PM_SCAN_WP_MATCHING write-protects what it reported as written, under
 * the PT lock, flushing each PTE table's range before unlocking.
 *
 * "Written" is uffd-wp's notion, never the Dirty bit: a present PTE
 * without the uffd-wp bit, a swap PTE (here: a marker) without it, and an
 * unpopulated page, which the running 6.18 kernel reports as written: a
 * none PTE in any VMA, and a range without a PTE table (a hole) in a
 * uffd-wp VMA; a hole elsewhere has no page category at all.
 *
 * Simplified: no THP or hugetlb entries; no soft-dirty (the kernel the
 * model is compared with has no CONFIG_MEM_SOFT_DIRTY); no guard markers.
 */
#include "mm.h"

#include <string.h>

#define PAGEMAP_WALK_SIZE (1ULL << 21)	/* PMD_SIZE */

struct pagemap_scan_private {
	struct pm_scan_arg arg;
	u64 masks_of_interest, cur_vma_category;
	struct page_region *vec_buf;
	u64 vec_buf_len, vec_buf_index, found_pages;
	struct page_region *vec_out;
};

/* pagemap_page_category() */
static u64 pagemap_page_category(struct pagemap_scan_private *p,
				 struct vm_area_struct *vma, pte_t pte)
{
	struct mm_world *mw = vma->vm_mm->mw;
	u64 categories = 0;

	if (pte_present(pte)) {
		u64 pfn = pte_pfn(pte);

		categories |= PAGE_IS_PRESENT;
		if (!pte_uffd_wp(pte))
			categories |= PAGE_IS_WRITTEN;
		if ((p->masks_of_interest & PAGE_IS_FILE) && pfn != mw->zero_pfn &&
		    hw_frame_is_data(mw->hw, pfn) && folio_mapping(pfn_folio(mw, pfn)))
			categories |= PAGE_IS_FILE;
		if (pfn == mw->zero_pfn)
			categories |= PAGE_IS_PFNZERO;
	} else if (is_swap_pte(pte)) {
		categories |= PAGE_IS_SWAPPED;
		if (!pte_swp_uffd_wp_any(pte))
			categories |= PAGE_IS_WRITTEN;
	} else {
		categories |= PAGE_IS_WRITTEN;		/* unpopulated */
	}
	return categories;
}

static bool pagemap_scan_is_interesting_page(u64 categories,
					     const struct pagemap_scan_private *p)
{
	categories ^= p->arg.category_inverted;
	if ((categories & p->arg.category_mask) != p->arg.category_mask)
		return false;
	if (p->arg.category_anyof_mask && !(categories & p->arg.category_anyof_mask))
		return false;
	return true;
}

static bool pagemap_scan_is_interesting_vma(u64 categories,
					    const struct pagemap_scan_private *p)
{
	u64 required = p->arg.category_mask & PAGE_IS_WPALLOWED;

	categories ^= p->arg.category_inverted;
	return (categories & required) == required;
}

/*
 * pagemap_scan_test_walk(): 0 to walk the VMA, 1 to skip it, or -EPERM.
 * Write-protecting needs an async uffd-wp VMA with markers.
 */
static int pagemap_scan_test_walk(struct pagemap_scan_private *p,
				  struct vm_area_struct *vma)
{
	bool wp_allowed = userfaultfd_wp_async(vma) && userfaultfd_wp_use_markers(vma);
	u64 vma_category = 0;

	if (!wp_allowed) {
		if (p->arg.flags & PM_SCAN_CHECK_WPASYNC)
			return -EPERM;
		if (p->arg.flags & PM_SCAN_WP_MATCHING)
			return 1;
	}
	if (wp_allowed)
		vma_category |= PAGE_IS_WPALLOWED;
	if (!pagemap_scan_is_interesting_vma(vma_category, p))
		return 1;
	p->cur_vma_category = vma_category;
	return 0;
}

/* Extends the current region or starts the next; false when full. */
static bool pagemap_scan_push_range(u64 categories, struct pagemap_scan_private *p,
				    u64 addr, u64 end)
{
	struct page_region *cur_buf = &p->vec_buf[p->vec_buf_index];

	if (addr == cur_buf->end && categories == cur_buf->categories) {
		cur_buf->end = end;
		return true;
	}
	if (cur_buf->end) {
		if (p->vec_buf_index >= p->vec_buf_len - 1)
			return false;
		cur_buf = &p->vec_buf[++p->vec_buf_index];
	}
	cur_buf->start = addr;
	cur_buf->end = end;
	cur_buf->categories = categories;
	return true;
}

/*
 * pagemap_scan_output(): reports [addr, *end), cut at max_pages; on a full
 * buffer or page budget, *end is where the walk stopped (walk_end).
 */
static int pagemap_scan_output(u64 categories, struct pagemap_scan_private *p,
			       u64 addr, u64 *end)
{
	u64 n_pages, total_pages;
	int ret = 0;

	if (!p->vec_buf)
		return 0;
	categories &= p->arg.return_mask;
	n_pages = (*end - addr) / PAGE_SIZE;
	total_pages = p->found_pages + n_pages;
	if (total_pages < p->found_pages || total_pages > p->arg.max_pages) {
		u64 n_too_much = total_pages - p->arg.max_pages;

		*end -= n_too_much * PAGE_SIZE;
		n_pages -= n_too_much;
		ret = -ENOSPC;
	}
	if (!pagemap_scan_push_range(categories, p, addr, *end)) {
		*end = addr;
		n_pages = 0;
		ret = -ENOSPC;
	}
	p->found_pages += n_pages;
	if (ret)
		p->arg.walk_end = *end;
	return ret;
}

/*
 * make_uffd_wp_pte(): a present PTE is rebuilt from what the atomic clear
 * returned (the v6.7 original used the earlier plain read and could drop
 * a Dirty bit the hardware set in between); a none PTE gets a marker.
 */
static void make_uffd_wp_pte(struct vm_area_struct *vma, u64 addr, pte_t *pte,
			     pte_t ptent)
{
	if (pte_present(ptent)) {
		pte_t old_pte = ptep_modify_prot_start(vma, addr, pte);

		ptep_modify_prot_commit(vma, addr, pte, old_pte, pte_mkuffd_wp(old_pte));
	} else if (is_swap_pte(ptent)) {
		/* pte_swp_mkuffd_wp(): a marker already carries uffd-wp */
	} else {
		set_pte_at(vma->vm_mm, addr, pte, make_pte_marker(PTE_MARKER_UFFD_WP));
	}
}

static bool pte_is_uffd_wp(pte_t ptent)
{
	return (pte_present(ptent) && pte_uffd_wp(ptent)) || pte_swp_uffd_wp_any(ptent);
}

/*
 * pagemap_scan_pmd_entry() for one PTE table's part [start, end) of a
 * VMA: the no-output fast path, the written-only fast path and the
 * generic one, as the kernel has them.
 */
static int pagemap_scan_pmd_entry(struct pagemap_scan_private *p,
				  struct vm_area_struct *vma, u64 start, u64 end,
				  bool last)
{
	EXEC_FN();
	struct mm_struct *mm = vma->vm_mm;
	bool wp = (p->arg.flags & PM_SCAN_WP_MATCHING) &&
		  !(last && variant(mm->mw->cfg, mut_scan_wp) == mut_scan_wp__skip_last_table);
	u64 addr, flush_start = start, flush_end = 0;
	spinlock_t *ptl;
	pte_t *start_pte = pte_offset_map_lock(mm, start, &ptl), *pte = start_pte;
	int ret = 0;

	if (!pte)
		return 0;
	if ((p->arg.flags & PM_SCAN_WP_MATCHING) && !p->vec_out) {
		for (addr = start; addr != end; pte++, addr += PAGE_SIZE) {
			pte_t ptent = ptep_get(pte);

			if (pte_is_uffd_wp(ptent) || !wp)
				continue;
			make_uffd_wp_pte(vma, addr, pte, ptent);
			if (!flush_end)
				flush_start = addr;
			flush_end = addr + PAGE_SIZE;
		}
		goto flush_and_return;
	}
	if (!p->arg.category_anyof_mask && !p->arg.category_inverted &&
	    p->arg.category_mask == PAGE_IS_WRITTEN &&
	    p->arg.return_mask == PAGE_IS_WRITTEN) {
		for (addr = start; addr < end; pte++, addr += PAGE_SIZE) {
			u64 next = addr + PAGE_SIZE;
			pte_t ptent = ptep_get(pte);

			if (pte_is_uffd_wp(ptent))
				continue;
			ret = pagemap_scan_output(p->cur_vma_category | PAGE_IS_WRITTEN,
						  p, addr, &next);
			if (next == addr)
				break;
			if (!wp)
				continue;
			make_uffd_wp_pte(vma, addr, pte, ptent);
			if (!flush_end)
				flush_start = addr;
			flush_end = next;
		}
		goto flush_and_return;
	}
	for (addr = start; addr != end; pte++, addr += PAGE_SIZE) {
		pte_t ptent = ptep_get(pte);
		u64 categories = p->cur_vma_category | pagemap_page_category(p, vma, ptent);
		u64 next = addr + PAGE_SIZE;

		if (!pagemap_scan_is_interesting_page(categories, p))
			continue;
		ret = pagemap_scan_output(categories, p, addr, &next);
		if (next == addr)
			break;
		if (!wp || !(categories & PAGE_IS_WRITTEN))
			continue;
		make_uffd_wp_pte(vma, addr, pte, ptent);
		if (!flush_end)
			flush_start = addr;
		flush_end = next;
	}
flush_and_return:
	if (flush_end && variant(mm->mw->cfg, mut_scan_wp) != mut_scan_wp__skip_flush)
		flush_tlb_range(vma, flush_start, addr);
	pte_unmap_unlock(start_pte, ptl);
	return ret;
}

/*
 * pagemap_scan_pte_hole(): a range without a PTE table is unpopulated:
 * written in a uffd-wp VMA, as the running 6.18 kernel reports it (as a
 * none PTE would be), and of no page category elsewhere; write-protecting
 * it installs markers through uffd_wp_range().
 */
static int pagemap_scan_pte_hole(struct pagemap_scan_private *p, struct vm_area_struct *vma,
				 u64 addr, u64 end, bool last)
{
	u64 categories = p->cur_vma_category;
	long err;
	int ret;

	if (userfaultfd_wp(vma))
		categories |= PAGE_IS_WRITTEN;

	if (!pagemap_scan_is_interesting_page(categories, p))
		return 0;
	ret = pagemap_scan_output(categories, p, addr, &end);
	if (addr == end || !(p->arg.flags & PM_SCAN_WP_MATCHING))
		return ret;
	if (last && variant(vma->vm_mm->mw->cfg, mut_scan_wp) == mut_scan_wp__skip_last_table)
		return ret;
	err = uffd_wp_range(vma, addr, end - addr, true);
	return err < 0 ? (int)err : ret;
}

/* walk_page_range(): VMA by VMA, PTE table by PTE table. */
static int pagemap_scan_walk(struct mm_struct *mm, struct pagemap_scan_private *p,
			     u64 start, u64 end)
{
	u64 addr = start;

	while (addr < end) {
		struct vm_area_struct *vma = find_vma_intersection(mm, addr, end);
		int ret;

		if (!vma)
			return 0;	/* only holes without a VMA remain */
		addr = max_t(u64, addr, vma->vm_start);
		ret = pagemap_scan_test_walk(p, vma);
		if (ret < 0)
			return ret;
		if (ret == 0) {
			u64 vend = min_t(u64, end, vma->vm_end);

			while (addr < vend) {
				u64 next = min_t(u64, (addr + PAGEMAP_WALK_SIZE) &
						 ~(PAGEMAP_WALK_SIZE - 1), vend);

				if (pmd_none_at(mm, addr))
					ret = pagemap_scan_pte_hole(p, vma, addr, next,
								    next >= end);
				else
					ret = pagemap_scan_pmd_entry(p, vma, addr, next,
								     next >= end);
				if (ret)
					return ret;
				addr = next;
			}
		}
		addr = min_t(u64, end, vma->vm_end);
	}
	return 0;
}

/* pagemap_scan_get_args(): the argument checks and defaults. */
static int pagemap_scan_get_args(struct pm_scan_arg *arg, const struct page_region *vec)
{
	if (arg->size != sizeof(struct pm_scan_arg))
		return -EINVAL;
	if (arg->flags & ~PM_SCAN_FLAGS)
		return -EINVAL;
	if ((arg->category_inverted | arg->category_mask | arg->category_anyof_mask |
	     arg->return_mask) & ~PM_SCAN_CATEGORIES)
		return -EINVAL;
	if (arg->start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (arg->end < arg->start)
		return -EFAULT;		/* access_ok() of a negative length */
	if (!vec && arg->vec_len)
		return -EINVAL;
	arg->end = (arg->end + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	arg->walk_end = 0;
	if (!arg->max_pages)
		arg->max_pages = ~0ULL;
	return 0;
}

/* pagemap_scan_flush_buffer(): copies finished regions out. */
static long pagemap_scan_flush_buffer(struct pagemap_scan_private *p)
{
	const struct page_region *buf = p->vec_buf;
	u64 n = p->vec_buf_index;

	if (!p->vec_buf)
		return 0;
	if (buf[n].end != buf[n].start)
		n++;
	if (!n)
		return 0;
	for (u64 i = 0; i < n; i++)
		p->vec_out[i] = buf[i];
	p->arg.vec_len -= n;
	p->vec_out += n;
	p->vec_buf_index = 0;
	p->vec_buf_len = min_t(u64, p->vec_buf_len, p->arg.vec_len);
	p->vec_buf[0].start = p->vec_buf[0].end = 0;
	return (long)n;
}

/*
 * do_pagemap_scan(): the number of regions written to vec, or -errno;
 * arg->walk_end is written back unless the arguments were rejected.
 * With WP_MATCHING, each pass of the walk runs inside one
 * MMU_NOTIFY_PROTECTION_VMA range.
 */
long do_pagemap_scan(struct mm_struct *mm, struct pm_scan_arg *arg, struct page_region *vec)
{
	EXEC_FN();
	/* on the stack: an explorer may abandon the scan midway */
	struct page_region bounce[PAGEMAP_WALK_SIZE >> PAGE_SHIFT];
	struct pagemap_scan_private p = { .arg = *arg };
	long n_ranges_out = 0, ret;
	u64 walk_start;

	ret = pagemap_scan_get_args(&p.arg, vec);
	if (ret)
		return ret;
	p.masks_of_interest = p.arg.category_mask | p.arg.category_anyof_mask |
			      p.arg.return_mask;
	if (p.arg.vec_len) {	/* pagemap_scan_init_bounce_buffer() */
		p.vec_buf_len = min_t(u64, PAGEMAP_WALK_SIZE >> PAGE_SHIFT, p.arg.vec_len);
		p.vec_buf = bounce;
		p.vec_buf[0].start = p.vec_buf[0].end = 0;
		p.vec_out = vec;
	}
	for (walk_start = p.arg.start; walk_start < p.arg.end; walk_start = p.arg.walk_end) {
		struct mmu_notifier_range range;
		long n_out;

		down_read(&mm->mmap_lock);
		if (p.arg.flags & PM_SCAN_WP_MATCHING) {
			mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, mm,
						walk_start, p.arg.end);
			mmu_notifier_invalidate_range_start(&range);
		}
		ret = pagemap_scan_walk(mm, &p, walk_start, p.arg.end);
		if (p.arg.flags & PM_SCAN_WP_MATCHING)
			mmu_notifier_invalidate_range_end(&range);
		up_read(&mm->mmap_lock);
		n_out = pagemap_scan_flush_buffer(&p);
		n_ranges_out += n_out;
		if (ret != -ENOSPC)
			break;
		if (p.arg.vec_len == 0 || p.found_pages == p.arg.max_pages)
			break;
	}
	if (!ret || ret == -ENOSPC)
		ret = n_ranges_out;
	if (!p.arg.walk_end)
		p.arg.walk_end = p.arg.end;
	arg->walk_end = p.arg.walk_end;
	if (p.arg.flags & PM_SCAN_WP_MATCHING)
		obs_protect_done(mm->mw->obs, mm->space, p.arg.start, p.arg.walk_end);
	return ret;
}
