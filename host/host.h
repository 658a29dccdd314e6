/* SPDX-License-Identifier: GPL-2.0 */
/*
 * host: runs a vskernel operation sequence on the real, running kernel.
 * The only code in adsim that makes memory-management system calls on its
 * own address space.
 *
 * One host owns one mapping of `pages` 4 KiB pages (private anonymous, or
 * a shared mapping of a memfd), placed on a 2 MiB boundary so that it
 * starts a PTE table, with transparent huge pages (PMD-sized and mTHP)
 * disabled on it by MADV_NOHUGEPAGE: the mapping stays order-0.  The whole
 * mapping is registered with a userfaultfd in write-protect mode, with
 * UFFD_FEATURE_WP_ASYNC (a write to a write-protected page is resolved by
 * the kernel, which drops the protection, instead of queueing a message),
 * UFFD_FEATURE_WP_UNPOPULATED (UFFDIO_WRITEPROTECT protects unpopulated
 * PTEs too, with markers) and UFFD_FEATURE_WP_HUGETLBFS_SHMEM (the memfd
 * mapping may be registered at all).  PAGEMAP_SCAN on /proc/self/pagemap
 * then reports which pages were written since they were last protected.
 *
 * Every operation must lie inside the mapping: [page, page + nr) with
 * page + nr <= pages (an access: page < pages), and a scan's vec_len must
 * be at most VSK_MAX_REGIONS.  host_run() refuses one that does not with
 * ret -1 and err ERANGE, which no system call here returns, without making
 * the call: outside the mapping lies whatever else the process has mapped
 * since.
 *
 * Accesses that fault are caught by a SIGSEGV handler that the first
 * host_open() installs and the last host_close() removes.  A host is used
 * by one thread at a time.
 */
#ifndef ADSIM_HOST_HOST_H
#define ADSIM_HOST_HOST_H

#include <stddef.h>
#include <stdint.h>

#include "seq.h"

/* host_open()'s status when the kernel or the user cannot run sequences. */
#define HOST_SKIP 77

struct host;

/*
 * Checks the kernel's userfaultfd features and PAGEMAP_SCAN and the user's
 * privilege, creates the mapping and registers it.  Returns 0 with *hp
 * set; HOST_SKIP when the kernel lacks a feature or the user the privilege
 * ("kernel lacks UFFD_FEATURE_WP_ASYNC", "kernel lacks PAGEMAP_SCAN",
 * "userfaultfd needs root or vm.unprivileged_userfaultfd=1 (it is 0)");
 * -1 on any other error.  On failure the reason is in why (n bytes, may
 * be NULL) and *hp is NULL.
 */
int host_open(struct host **hp, enum vsk_mapping mapping, uint32_t pages,
	      char *why, size_t n);

/*
 * A fresh mapping for the next sequence: the old one is unmapped, a new
 * one (with a new, empty memfd) mapped like host_open()'s and registered
 * with the same userfaultfd.  Returns 0, or -1 with errno set; the host
 * must then only be closed.
 */
int host_reset(struct host *h);

/*
 * Performs one operation on the mapping and fills every field of *r
 * (regions only for VSK_SCAN); see struct vsk_result.
 */
void host_run(struct host *h, const struct vsk_op *op, struct vsk_result *r);

/*
 * A VSK_SCAN whose regions go to the caller's vector of vec_len entries
 * instead of r (for scans with more than VSK_MAX_REGIONS regions;
 * op->scan.vec_len is ignored).  Fills r's ret, err and walk_end, and
 * vec[0 .. ret) in pages from the mapping's start.  An operation outside
 * the mapping is refused with ERANGE, as host_run() refuses it.
 */
void host_scan_vec(struct host *h, const struct vsk_op *op, struct vsk_region *vec,
		   uint64_t vec_len, struct vsk_result *r);

/* Unmaps, closes the descriptors and frees h; NULL is allowed. */
void host_close(struct host *h);

/*
 * What the running kernel does where the model has a variant, found by
 * small experiments on mappings of the probe's own, never by version
 * strings.  Each yes/no field is 1, 0, or -1 when the probe could not
 * tell (the reason in why_*).
 */
struct host_profile {
	char release[65];	/* uname -r, for the reader only */
	int zero_page;		/* a read of untouched private anonymous memory maps the zero page */
	int uffd_zero_page;	/* UFFDIO_ZEROPAGE maps the zero page */
	int soft_dirty;		/* a new page reads soft-dirty in /proc/self/pagemap */
	int swap;		/* /proc/swaps lists an active swap area */
	int uffd;		/* userfaultfd(2) opens for this user */
	int uffd_wp_async;	/* UFFD_FEATURE_WP_ASYNC and the other two host_open() needs */
	int pagemap_scan;	/* the PAGEMAP_SCAN ioctl */
	char thp[16];		/* transparent_hugepage/enabled: always, madvise, never or none */
	char why_uffd[160];	/* why uffd is not 1 */
};

/* Runs every experiment; never fails (what cannot be told is -1). */
void host_probe(struct host_profile *p);

/* "kernel 6.18.44: zero_page=no thp=madvise ..." into buf. */
void host_profile_format(const struct host_profile *p, char *buf, size_t n);

#endif
