/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host/seq: an operation sequence on one mapping, as `adsim vs-kernel`
 * runs it on the real kernel (host/) and on the model (vskernel/model.c),
 * and what each operation returned.  Plain data that both sides share; it
 * sits in host/, the lower of the two layers, and depends on neither.
 *
 * Addresses are page offsets from the start of the mapping, which both
 * sides place on a 2 MiB boundary so that the same pages share a PTE
 * table.  The whole mapping is registered with userfaultfd in
 * write-protect mode (UFFD_FEATURE_WP_ASYNC, UFFD_FEATURE_WP_UNPOPULATED,
 * UFFD_FEATURE_WP_HUGETLBFS_SHMEM) before the first operation.
 */
#ifndef ADSIM_HOST_SEQ_H
#define ADSIM_HOST_SEQ_H

#include <stdbool.h>
#include <stdint.h>

enum vsk_mapping { VSK_ANON, VSK_MEMFD };

enum vsk_opcode {
	VSK_READ,	/* load one byte of `page` */
	VSK_WRITE,	/* store one byte to `page` */
	VSK_WP,		/* UFFDIO_WRITEPROTECT, mode UFFDIO_WRITEPROTECT_MODE_WP */
	VSK_UNWP,	/* UFFDIO_WRITEPROTECT, mode 0 */
	VSK_COPY,	/* UFFDIO_COPY; mode: 0 or UFFDIO_COPY_MODE_WP */
	VSK_ZEROPAGE,	/* UFFDIO_ZEROPAGE, mode 0 */
	VSK_DONTNEED,	/* madvise(MADV_DONTNEED) */
	VSK_MPROTECT,	/* mprotect(prot): PROT_NONE, PROT_READ, PROT_READ|PROT_WRITE */
	VSK_SCAN,	/* ioctl(PAGEMAP_SCAN) over [page, page + nr) */
	VSK_NR_OPS
};

/* uapi/linux/fs.h (v6.7+; PAGE_IS_SOFT_DIRTY v6.8?, PAGE_IS_GUARD v6.15). */
#define VSK_PAGE_IS_WPALLOWED (1ULL << 0)
#define VSK_PAGE_IS_WRITTEN (1ULL << 1)
#define VSK_PAGE_IS_FILE (1ULL << 2)
#define VSK_PAGE_IS_PRESENT (1ULL << 3)
#define VSK_PAGE_IS_SWAPPED (1ULL << 4)
#define VSK_PAGE_IS_PFNZERO (1ULL << 5)
#define VSK_PAGE_IS_HUGE (1ULL << 6)
#define VSK_PAGE_IS_SOFT_DIRTY (1ULL << 7)
#define VSK_PAGE_IS_GUARD (1ULL << 8)
#define VSK_PM_SCAN_CATEGORIES 0x1ffULL
#define VSK_PM_SCAN_WP_MATCHING (1ULL << 0)
#define VSK_PM_SCAN_CHECK_WPASYNC (1ULL << 1)

/* uapi/linux/userfaultfd.h */
#define VSK_UFFDIO_COPY_MODE_WP (1ULL << 1)

#define VSK_MAX_REGIONS 64

/* struct pm_scan_arg's inputs; start/end are [op.page, op.page + op.nr). */
struct vsk_scan {
	uint64_t flags;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
	uint64_t max_pages;	/* 0: no limit */
	uint32_t vec_len;	/* <= VSK_MAX_REGIONS; 0 passes no vector */
};

struct vsk_op {
	uint8_t code;
	uint32_t page, nr;
	int prot;		/* VSK_MPROTECT */
	uint64_t mode;		/* VSK_COPY */
	struct vsk_scan scan;	/* VSK_SCAN */
};

struct vsk_region {
	uint64_t start, end;	/* pages from the mapping's start */
	uint64_t categories;
};

/*
 * What an operation returned.  ret is the system call's return value
 * (PAGEMAP_SCAN: the number of regions) or -1 with err = errno; an access
 * that raises SIGSEGV has ret -1 and err EFAULT.
 */
struct vsk_result {
	int64_t ret;
	int err;
	int64_t count;		/* UFFDIO_COPY .copy / UFFDIO_ZEROPAGE .zeropage;
				   an access: the page faults it took */
	uint64_t walk_end;	/* PAGEMAP_SCAN: pages from the mapping's start */
	uint32_t nr_regions;
	struct vsk_region regions[VSK_MAX_REGIONS];
};

#endif
