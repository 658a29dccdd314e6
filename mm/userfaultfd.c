// SPDX-License-Identifier: GPL-2.0
/*
 * Models userfaultfd's write-protect mode as of v6.18: the ioctls of
 * fs/userfaultfd.c (UFFDIO_API, UFFDIO_REGISTER, UFFDIO_WRITEPROTECT,
 * UFFDIO_COPY, UFFDIO_ZEROPAGE) with their argument checks, and
 * mm/userfaultfd.c behind them: mwriteprotect_range() -> uffd_wp_range()
 * -> change_protection(), and mfill_atomic() installing new pages.
 *
 * Simplified: one context per mm; write-protect mode only with
 * UFFD_FEATURE_WP_ASYNC (no write-protect events); missing mode for
 * anonymous memory, its one pending fault read by a handler that
 * resolves it with UFFDIO_COPY in direct mode (sim); no -EAGAIN from a
 * changing mm; no hugetlb.  Return values are the ioctl's: 0 or -errno.
 *
 * The uffd_copy_hint variant installs UFFDIO_COPY's PTE as mainline does
 * or as the 2022 RFC did with the hint the handler passed (seeds/004):
 * see mfill_atomic_install_pte().
 */
#include "mm.h"

/*
 * UFFDIO_API: the features the context will have.  WP_ASYNC brings
 * WP_UNPOPULATED with it, as in the kernel: an anonymous async VMA then
 * uses markers and is PAGE_IS_WPALLOWED whether or not the caller asked.
 */
int userfaultfd_api(struct mm_struct *mm, u64 features)
{
	if (mm->uffd.open)
		return -EINVAL;
	if (features & ~UFFD_API_FEATURES)
		return -EINVAL;		/* not modelled; the kernel has more */
	if (features & UFFD_FEATURE_WP_ASYNC)
		features |= UFFD_FEATURE_WP_UNPOPULATED;
	mm->uffd.features = features;
	mm->uffd.open = true;
	return 0;
}

/* validate_range(): page-aligned, not empty, below TASK_SIZE. */
static int validate_range(u64 start, u64 len)
{
	const u64 task_size = 1ULL << 47;

	if ((start | len) & (PAGE_SIZE - 1))
		return -EINVAL;
	if (!len || start < PAGE_SIZE || start >= task_size || len > task_size - start)
		return -EINVAL;
	return 0;
}

/*
 * userfaultfd_register().  MODE_WP needs WP_ASYNC here (synchronous
 * write-protect events are not modelled); with it vma_can_userfault()
 * accepts any VMA.  MODE_MISSING is modelled for anonymous memory only.
 * userfaultfd_set_vm_flags(): a shared VMA re-derives vm_page_prot, so
 * that uffd-wp's writenotify maps it read-only from now on.
 */
int userfaultfd_register_mode(struct mm_struct *mm, u64 start, u64 len, u64 mode)
{
	u64 end = start + len;
	u64 vm_flags = 0;
	bool found = false;
	int ret = validate_range(start, len);

	if (ret)
		return ret;
	if (!mm->uffd.open)
		return -EINVAL;
	if (!mode || (mode & ~(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP)))
		return -EINVAL;
	if ((mode & UFFDIO_REGISTER_MODE_WP) && !(mm->uffd.features & UFFD_FEATURE_WP_ASYNC))
		return -EINVAL;		/* not modelled */
	if (mode & UFFDIO_REGISTER_MODE_MISSING)
		vm_flags |= VM_UFFD_MISSING;
	if (mode & UFFDIO_REGISTER_MODE_WP)
		vm_flags |= VM_UFFD_WP;
	down_write(&mm->mmap_lock);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *vma = &mm->vmas[i];

		if (vma->vm_start >= end || vma->vm_end <= start)
			continue;
		if (vma->vm_start < start || vma->vm_end > end) {
			ret = -EINVAL;	/* the model cannot split a VMA */
			break;
		}
		if (vma->vm_userfaultfd_ctx && vma->vm_userfaultfd_ctx != &mm->uffd) {
			ret = -EBUSY;
			break;
		}
		if ((vm_flags & VM_UFFD_MISSING) && vma->vm_file) {
			ret = -EINVAL;	/* missing mode: anonymous only here */
			break;
		}
		found = true;
	}
	if (!ret && !found)
		ret = -EINVAL;
	for (int i = 0; i < mm->nr_vmas && !ret; i++) {
		struct vm_area_struct *vma = &mm->vmas[i];
		bool wp_changed = !userfaultfd_wp(vma);

		if (vma->vm_start >= end || vma->vm_end <= start)
			continue;
		vma->vm_userfaultfd_ctx = &mm->uffd;
		vma->vm_flags |= vm_flags;
		wp_changed = wp_changed && userfaultfd_wp(vma);
		if ((vma->vm_flags & VM_SHARED) && wp_changed)
			vma_set_page_prot(vma);
	}
	up_write(&mm->mmap_lock);
	return ret;
}

int userfaultfd_register(struct mm_struct *mm, u64 start, u64 len)
{
	return userfaultfd_register_mode(mm, start, len, UFFDIO_REGISTER_MODE_WP);
}

/*
 * handle_userfault() (fs/userfaultfd.c) for VM_UFFD_MISSING: queue the
 * event and return VM_FAULT_RETRY; the kernel's faulting thread then
 * sleeps until woken and retries the fault.  Called without the PT lock.
 */
int handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	struct userfaultfd_ctx *ctx = vmf->vma->vm_userfaultfd_ctx;

	if (MODEL_WARN_ON(!ctx || reason != VM_UFFD_MISSING))
		return VM_FAULT_SIGSEGV;
	ctx->msg_pending = true;
	ctx->msg_address = vmf->address;
	ctx->msg_flags = (vmf->flags & FAULT_FLAG_WRITE) ? UFFD_PAGEFAULT_FLAG_WRITE : 0;
	return VM_FAULT_RETRY;
}

/* userfaultfd_read(): the pending UFFD_EVENT_PAGEFAULT, if any. */
int userfaultfd_read(struct mm_struct *mm, struct uffd_msg *msg)
{
	if (!mm->uffd.open)
		return -EINVAL;
	if (!mm->uffd.msg_pending)
		return -EAGAIN;
	msg->address = mm->uffd.msg_address;
	msg->flags = mm->uffd.msg_flags;
	return 0;
}

/* wake_userfault(): the faults in [start, start + len) stop waiting. */
static void wake_userfault(struct mm_struct *mm, u64 start, u64 len)
{
	if (mm->uffd.msg_pending && mm->uffd.msg_address >= start &&
	    mm->uffd.msg_address < start + len)
		mm->uffd.msg_pending = false;
}

/*
 * uffd_wp_range(): protection is change_protection() with vm_page_prot,
 * which already lacks RW; un-protection may make PTEs writable itself,
 * as mprotect() would.
 */
long uffd_wp_range(struct vm_area_struct *dst_vma, u64 start, u64 len, bool enable_wp)
{
	EXEC_FN();
	unsigned long mm_cp_flags = enable_wp ? MM_CP_UFFD_WP : MM_CP_UFFD_WP_RESOLVE;
	struct mmu_gather tlb;
	long ret;

	if (!enable_wp && vma_wants_manual_pte_write_upgrade(dst_vma) &&
	    variant(dst_vma->vm_mm->mw->cfg, mut_unprotect) == mut_unprotect__kernel)
		mm_cp_flags |= MM_CP_TRY_CHANGE_WRITABLE;
	tlb_gather_mmu(&tlb, dst_vma->vm_mm);
	ret = change_protection(&tlb, dst_vma, start, start + len, mm_cp_flags);
	tlb_finish_mmu(&tlb);
	return ret;
}

/* mwriteprotect_range(): every VMA in the range must be uffd-wp. */
int mwriteprotect_range(struct mm_struct *mm, u64 start, u64 len, bool enable_wp)
{
	EXEC_FN();
	u64 end = start + len;
	int err = -ENOENT;

	down_read(&mm->mmap_lock);
	for (u64 addr = start; addr < end;) {
		/* for_each_vma_range() */
		struct vm_area_struct *vma = find_vma_intersection(mm, addr, end);
		u64 next = end;
		long r;

		if (!vma)
			break;
		if (!userfaultfd_wp(vma)) {
			err = -ENOENT;
			break;
		}
		next = min_t(u64, vma->vm_end, end);
		r = uffd_wp_range(vma, max_t(u64, vma->vm_start, addr),
				  next - max_t(u64, vma->vm_start, addr), enable_wp);
		if (r < 0) {
			err = (int)r;
			break;
		}
		err = 0;
		addr = next;
	}
	up_read(&mm->mmap_lock);
	if (enable_wp && !err)
		obs_protect_done(mm->mw->obs, mm->space, start, end);
	return err;
}


/* fs/userfaultfd.c userfaultfd_writeprotect(). */
int userfaultfd_writeprotect(struct mm_struct *mm, u64 start, u64 len, u64 mode)
{
	int ret = validate_range(start, len);

	if (ret)
		return ret;
	if (mode & ~(UFFDIO_WRITEPROTECT_MODE_DONTWAKE | UFFDIO_WRITEPROTECT_MODE_WP))
		return -EINVAL;
	if ((mode & UFFDIO_WRITEPROTECT_MODE_WP) && (mode & UFFDIO_WRITEPROTECT_MODE_DONTWAKE))
		return -EINVAL;
	return mwriteprotect_range(mm, start, len, mode & UFFDIO_WRITEPROTECT_MODE_WP);
}

/*
 * The young and dirty bits of UFFDIO_COPY's PTE (uffd_copy_hint, seeds/004).
 *
 *   none           mainline v6.18: pte_mkdirty() always; young because
 *                  every x86 vm_page_prot has _PAGE_ACCESSED.  This is
 *                  also the RFC's answer when the handler passes both hints.
 *   access_likely  RFC (Nadav Amit, Jun-Jul 2022) with
 *                  UFFDIO_COPY_MODE_ACCESS_LIKELY only: young, clean.
 *   write_likely   RFC with UFFDIO_COPY_MODE_WRITE_LIKELY only: dirty,
 *                  old.
 *
 * The RFC made the PTE young only with ACCESS_LIKELY and dirty only with
 * WRITE_LIKELY, so that a page never written is not written back and a
 * page never accessed does not look hot to reclaim; the cost moves to
 * the hardware, which sets A on the first walk and D on the first write.
 */
static pte_t mfill_atomic_pte_hint(struct vm_area_struct *dst_vma, pte_t entry)
{
	switch (variant(dst_vma->vm_mm->mw->cfg, uffd_copy_hint)) {
	case uffd_copy_hint__access_likely:
		return pte_mkyoung(entry);
	case uffd_copy_hint__write_likely:
		return pte_mkold(pte_mkdirty(entry));
	default:
		return pte_mkdirty(entry);
	}
}

/*
 * mfill_atomic_install_pte(): the new PTE is dirty (see
 * mfill_atomic_pte_hint()), writable if the VMA is (a page-cache page in a
 * private mapping never is), uffd-wp with MFILL_ATOMIC_WP.  It may replace
 * a none PTE or a marker (pte_none_mostly), else -EEXIST.  No flush: it
 * was not present.
 */
static int mfill_atomic_install_pte(struct vm_area_struct *dst_vma, u64 dst_addr,
				    struct folio *folio, bool wp)
{
	struct mm_struct *mm = dst_vma->vm_mm;
	bool writable = dst_vma->vm_flags & VM_WRITE;
	spinlock_t *ptl;
	pte_t entry, *ptep;
	int ret = -EEXIST;

	entry = mfill_atomic_pte_hint(dst_vma, pfn_pte(folio_pfn(folio), dst_vma->vm_page_prot));
	if (folio_mapping(folio) && !(dst_vma->vm_flags & VM_SHARED))
		writable = false;
	if (writable)
		entry = pte_mkwrite(entry);
	if (wp)
		entry = pte_mkuffd_wp(entry);
	ptep = pte_offset_map_lock(mm, dst_addr, &ptl);
	if (!ptep)
		return -EAGAIN;
	if (pte_none_mostly(ptep_get(ptep))) {
		folio->_mapcount.counter = 1;	/* a new folio's first rmap */
		set_pte_at(mm, dst_addr, ptep, entry);
		ret = 0;
	}
	pte_unmap_unlock(ptep, ptl);
	return ret;
}

/*
 * mfill_atomic_pte_zeroed_folio(): where the mm forbids the zero page, a
 * new zeroed folio installed as UFFDIO_COPY installs one, without WP.
 */
static int mfill_atomic_pte_zeroed_folio(struct vm_area_struct *dst_vma, u64 dst_addr)
{
	struct folio *folio = folio_prealloc(dst_vma, dst_addr);
	int ret;

	if (!folio)
		return -ENOMEM;
	ret = mfill_atomic_install_pte(dst_vma, dst_addr, folio, false);
	if (ret)
		hw_free_data(dst_vma->vm_mm->mw->hw, folio_pfn(folio));
	return ret;
}

/*
 * mfill_atomic_pte_zeropage(): the zero page, only over a none PTE.
 * Models mm/userfaultfd.c as of v6.18.
 */
static int mfill_atomic_pte_zeropage(struct vm_area_struct *dst_vma, u64 dst_addr)
{
	struct mm_struct *mm = dst_vma->vm_mm;
	pte_t entry = pfn_pte(mm->mw->zero_pfn, dst_vma->vm_page_prot);
	spinlock_t *ptl;
	pte_t *ptep;
	int ret = -EEXIST;

	if (mm_forbids_zeropage(mm))
		return mfill_atomic_pte_zeroed_folio(dst_vma, dst_addr);
	ptep = pte_offset_map_lock(mm, dst_addr, &ptl);
	if (!ptep)
		return -EAGAIN;
	if (mm_pte_none(mm, ptep_get(ptep))) {
		set_pte_at(mm, dst_addr, ptep, entry);
		ret = 0;
	}
	pte_unmap_unlock(ptep, ptl);
	return ret;
}

/*
 * One page: anonymous memory gets a new folio (COPY) or the zero page
 * (ZEROPAGE); shmem a new page-cache folio either way
 * (shmem_mfill_atomic_pte(): -EEXIST if the index is already cached).
 */
static int mfill_atomic_pte(struct vm_area_struct *dst_vma, u64 dst_addr,
			    bool zeropage, bool wp)
{
	struct mm_world *mw = dst_vma->vm_mm->mw;
	struct folio *folio;
	int ret;

	if (!(dst_vma->vm_flags & VM_SHARED)) {
		if (zeropage)
			return mfill_atomic_pte_zeropage(dst_vma, dst_addr);
		folio = folio_prealloc(dst_vma, dst_addr);
		if (!folio)
			return -ENOMEM;
		obs_data_write(mw->obs, folio_pfn(folio));	/* copy_from_user() */
		ret = mfill_atomic_install_pte(dst_vma, dst_addr, folio, wp);
		if (ret)
			hw_free_data(mw->hw, folio_pfn(folio));
		return ret;
	} else {
		struct address_space *mapping = dst_vma->vm_file;
		pgoff_t idx = dst_vma->vm_pgoff + ((dst_addr - dst_vma->vm_start) >> PAGE_SHIFT);
		u64 pfn;

		if (!mapping || !mapping->shmem)
			return -EINVAL;
		if (READ_ONCE(mapping->pages[idx]))
			return -EEXIST;
		pfn = filemap_add_new_folio(mw, mapping, idx, true);
		if (!pfn)
			return READ_ONCE(mapping->pages[idx]) ? -EEXIST : -ENOMEM;
		folio = pfn_folio(mw, pfn);
		if (!zeropage)
			obs_data_write(mw->obs, pfn);	/* copy_from_user() */
		ret = mfill_atomic_install_pte(dst_vma, dst_addr, folio, wp);
		if (ret)	/* filemap_remove_folio() while still locked */
			WRITE_ONCE(mapping->pages[idx], 0);
		folio_unlock(folio);
		if (ret)
			hw_free_data(mw->hw, pfn);
		return ret;
	}
}

/*
 * mfill_atomic(): the range must lie in one registered VMA; pages are
 * filled in order until one fails.  Returns the bytes filled, or the
 * error if none was.
 */
static s64 mfill_atomic(struct mm_struct *mm, u64 dst_start, u64 len, bool zeropage,
			bool wp)
{
	EXEC_FN();
	struct vm_area_struct *dst_vma;
	s64 copied = 0;
	int err = 0;

	down_read(&mm->mmap_lock);
	dst_vma = find_vma(mm, dst_start);
	if (!dst_vma || dst_start < dst_vma->vm_start) {
		err = -ENOENT;
		goto out;
	}
	if (dst_start + len > dst_vma->vm_end || !dst_vma->vm_userfaultfd_ctx) {
		err = -ENOENT;		/* validate_dst_vma() */
		goto out;
	}
	if (wp && !userfaultfd_wp(dst_vma)) {
		err = -EINVAL;
		goto out;
	}
	if (dst_vma->vm_file && !dst_vma->vm_file->shmem) {
		err = -EINVAL;		/* neither anonymous nor shmem */
		goto out;
	}
	for (u64 addr = dst_start; addr < dst_start + len; addr += PAGE_SIZE) {
		err = pte_alloc(mm, addr);
		if (!err)
			err = mfill_atomic_pte(dst_vma, addr, zeropage, wp);
		if (err)
			break;
		copied += PAGE_SIZE;
	}
out:
	up_read(&mm->mmap_lock);
	return copied ? copied : err;
}


/*
 * userfaultfd_copy() / userfaultfd_zeropage(): *count gets what
 * mfill_atomic() returned (bytes, or -errno); the ioctl fails with that
 * error, or with -EAGAIN when only part of the range was filled.
 */
static int userfaultfd_fill(struct mm_struct *mm, u64 dst, u64 len, u64 mode,
			    bool zeropage, s64 *count)
{
	u64 modes = zeropage ? UFFDIO_ZEROPAGE_MODE_DONTWAKE :
			       UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP;
	int ret = validate_range(dst, len);
	s64 done;

	*count = 0;
	if (ret)
		return ret;
	if (mode & ~modes)
		return -EINVAL;
	done = mfill_atomic(mm, dst, len, zeropage, !zeropage && (mode & UFFDIO_COPY_MODE_WP));
	*count = done;
	/* wake_userfault() over what was filled, unless DONTWAKE */
	if (done > 0 && !(mode & UFFDIO_COPY_MODE_DONTWAKE))
		wake_userfault(mm, dst, (u64)done);
	if (done < 0)
		return (int)done;
	return (u64)done == len ? 0 : -EAGAIN;
}

int userfaultfd_copy(struct mm_struct *mm, u64 dst, u64 len, u64 mode, s64 *copy)
{
	return userfaultfd_fill(mm, dst, len, mode, false, copy);
}

int userfaultfd_zeropage(struct mm_struct *mm, u64 dst, u64 len, u64 mode, s64 *zeropage)
{
	return userfaultfd_fill(mm, dst, len, mode, true, zeropage);
}
