// SPDX-License-Identifier: GPL-2.0
/*
 * host: the real kernel's side of `adsim vs-kernel`.  One mapping, one
 * userfaultfd registered over it in asynchronous write-protect mode, and
 * /proc/self/pagemap for PAGEMAP_SCAN.  Each vskernel operation is one
 * system call (or one user access) on that mapping, and its result is
 * reported exactly as the kernel returned it: no retries, no fix-ups.
 *
 * The build's uapi headers may predate PAGEMAP_SCAN (v6.7) and the
 * userfaultfd write-protect features it relies on; what they lack is
 * defined below from include/uapi/linux/fs.h and userfaultfd.h, and the
 * kernel itself is asked at run time what it supports.
 */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <linux/userfaultfd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* include/uapi/linux/userfaultfd.h */
#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1 << 12)	/* v5.19 */
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)		/* v6.4 */
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)			/* v6.7 */
#endif

/* include/uapi/linux/fs.h: the pagemap ioctl, v6.7 */
#ifndef PAGEMAP_SCAN
struct page_region {
	__u64 start;
	__u64 end;		/* exclusive */
	__u64 categories;	/* PAGE_IS_* */
};

struct pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;		/* written by the kernel */
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#endif
#ifndef PAGE_IS_WPALLOWED
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PAGE_IS_SWAPPED (1 << 4)
#define PAGE_IS_PFNZERO (1 << 5)
#define PAGE_IS_HUGE (1 << 6)
#endif
#ifndef PAGE_IS_SOFT_DIRTY
#define PAGE_IS_SOFT_DIRTY (1 << 7)			/* v6.8 */
#endif
#ifndef PAGE_IS_GUARD
#define PAGE_IS_GUARD (1 << 8)				/* v6.15 */
#endif
#ifndef PM_SCAN_WP_MATCHING
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

/* The ABI is fixed: seq.h's copies and the layouts must agree with it. */
_Static_assert(sizeof(struct pm_scan_arg) == 96, "struct pm_scan_arg");
_Static_assert(sizeof(struct page_region) == 24, "struct page_region");
_Static_assert(PAGEMAP_SCAN == 0xc0606610, "PAGEMAP_SCAN");
_Static_assert(VSK_PAGE_IS_WPALLOWED == PAGE_IS_WPALLOWED &&
	       VSK_PAGE_IS_WRITTEN == PAGE_IS_WRITTEN &&
	       VSK_PAGE_IS_FILE == PAGE_IS_FILE &&
	       VSK_PAGE_IS_PRESENT == PAGE_IS_PRESENT &&
	       VSK_PAGE_IS_SWAPPED == PAGE_IS_SWAPPED &&
	       VSK_PAGE_IS_PFNZERO == PAGE_IS_PFNZERO &&
	       VSK_PAGE_IS_HUGE == PAGE_IS_HUGE &&
	       VSK_PAGE_IS_SOFT_DIRTY == PAGE_IS_SOFT_DIRTY &&
	       VSK_PAGE_IS_GUARD == PAGE_IS_GUARD, "PAGE_IS_*");
_Static_assert(VSK_PM_SCAN_WP_MATCHING == PM_SCAN_WP_MATCHING &&
	       VSK_PM_SCAN_CHECK_WPASYNC == PM_SCAN_CHECK_WPASYNC,
	       "PM_SCAN_*");
_Static_assert(VSK_UFFDIO_COPY_MODE_WP == UFFDIO_COPY_MODE_WP,
	       "UFFDIO_COPY_MODE_WP");

#define HOST_PAGE_SHIFT 12
#define HOST_PAGE_SIZE (1UL << HOST_PAGE_SHIFT)
#define HOST_PMD_SIZE (2UL << 20)	/* what one PTE table maps */

/* What the registration needs; seq.h promises all three. */
static const struct {
	uint64_t bit;
	const char *name;
} host_features[] = {
	{ UFFD_FEATURE_WP_ASYNC, "UFFD_FEATURE_WP_ASYNC" },
	{ UFFD_FEATURE_WP_UNPOPULATED, "UFFD_FEATURE_WP_UNPOPULATED" },
	{ UFFD_FEATURE_WP_HUGETLBFS_SHMEM, "UFFD_FEATURE_WP_HUGETLBFS_SHMEM" },
};

struct host {
	enum vsk_mapping mapping;
	uint32_t pages;
	size_t len;		/* pages * HOST_PAGE_SIZE */
	uint8_t *base;		/* the mapping, on a 2 MiB boundary; NULL: none */
	int memfd;		/* VSK_MEMFD: the mapping's file; else -1 */
	int uffd;
	int pagemap;		/* /proc/self/pagemap */
	uint8_t *src;		/* UFFDIO_COPY's source: len bytes, never registered */
	struct page_region vec[VSK_MAX_REGIONS];
};

/*
 * The SIGSEGV handler is process-wide: the first host_open() installs it,
 * the last host_close() puts the previous disposition back.  It jumps back
 * into host_access() only while that has a load or store in flight; any
 * other SIGSEGV goes to the previous disposition.
 */
static sigjmp_buf host_fault_jmp;
static volatile sig_atomic_t host_fault_armed;
static struct sigaction host_old_segv;
static unsigned int host_users;

static void host_segv(int sig, siginfo_t *info, void *uc)
{
	(void)sig;
	(void)info;
	(void)uc;
	if (host_fault_armed) {
		host_fault_armed = 0;
		siglongjmp(host_fault_jmp, 1);
	}
	/*
	 * Not a host access: restore the old disposition and return; the
	 * faulting instruction runs again and faults to it.
	 */
	sigaction(SIGSEGV, &host_old_segv, NULL);
}

static int host_catch_segv(void)
{
	struct sigaction sa;

	if (host_users++)
		return 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = host_segv;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGSEGV, &sa, &host_old_segv)) {
		host_users--;
		return -1;
	}
	return 0;
}

static void host_release_segv(void)
{
	if (--host_users == 0)
		sigaction(SIGSEGV, &host_old_segv, NULL);
}

/* Formats the reason for a failure into why; returns ret. */
__attribute__((format(printf, 4, 5)))
static int host_fail(char *why, size_t n, int ret, const char *fmt, ...)
{
	va_list ap;

	if (why && n) {
		va_start(ap, fmt);
		vsnprintf(why, n, fmt, ap);
		va_end(ap);
	}
	return ret;
}

/*
 * userfaultfd(2) refuses kernel-mode fault handling to users without
 * CAP_SYS_PTRACE unless vm.unprivileged_userfaultfd is 1; a user-mode-only
 * descriptor (v5.11) is allowed anyway, and serves here because every
 * access under test is a user access.  Returns 0 with the descriptor in
 * *fdp, or HOST_SKIP / -1 with why.
 */
static int host_uffd_open(int *fdp, char *why, size_t n)
{
	char val[16] = "unreadable";
	int fd, err;
	FILE *f;

	fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == EPERM)
		fd = syscall(SYS_userfaultfd,
			     O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd >= 0) {
		*fdp = fd;
		return 0;
	}
	err = errno;
	if (err == ENOSYS)
		return host_fail(why, n, HOST_SKIP,
				 "kernel lacks userfaultfd (CONFIG_USERFAULTFD)");
	/* EINVAL: a kernel before UFFD_USER_MODE_ONLY after an EPERM */
	if (err != EPERM && err != EINVAL)
		return host_fail(why, n, -1, "userfaultfd: %s", strerror(err));

	f = fopen("/proc/sys/vm/unprivileged_userfaultfd", "r");
	if (f) {
		if (!fgets(val, sizeof(val), f))
			strcpy(val, "unreadable");
		fclose(f);
		val[strcspn(val, "\n")] = '\0';
	}
	if (strcmp(val, "1") == 0)
		return host_fail(why, n, HOST_SKIP,
				 "userfaultfd: permission denied although vm.unprivileged_userfaultfd=1 (seccomp or an LSM?)");
	return host_fail(why, n, HOST_SKIP,
			 "userfaultfd needs root or vm.unprivileged_userfaultfd=1 (it is %s)",
			 val);
}

/*
 * A userfaultfd accepts UFFDIO_API once: a first descriptor asks with no
 * features, which makes the kernel answer everything it supports; a
 * second one, kept, enables exactly what the registration needs.
 */
static int host_uffd_init(struct host *h, char *why, size_t n)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	uint64_t want = 0;
	int fd, ret;
	size_t i;

	ret = host_uffd_open(&fd, why, n);
	if (ret)
		return ret;
	ret = ioctl(fd, UFFDIO_API, &api);
	if (ret) {
		ret = host_fail(why, n, -1, "UFFDIO_API: %s", strerror(errno));
		close(fd);
		return ret;
	}
	close(fd);
	for (i = 0; i < sizeof(host_features) / sizeof(host_features[0]); i++) {
		if (!(api.features & host_features[i].bit))
			return host_fail(why, n, HOST_SKIP, "kernel lacks %s",
					 host_features[i].name);
		want |= host_features[i].bit;
	}

	ret = host_uffd_open(&fd, why, n);
	if (ret)
		return ret;
	api = (struct uffdio_api){ .api = UFFD_API, .features = want };
	if (ioctl(fd, UFFDIO_API, &api)) {
		ret = host_fail(why, n, -1, "UFFDIO_API(features %#llx): %s",
				(unsigned long long)want, strerror(errno));
		close(fd);
		return ret;
	}
	h->uffd = fd;
	return 0;
}

/*
 * PAGEMAP_SCAN over an empty range: a kernel with the ioctl validates the
 * argument and returns 0 regions; one without answers ENOTTY (no pagemap
 * ioctls at all, before v6.7) or EINVAL (an unknown pagemap ioctl).
 */
static int host_pagemap_init(struct host *h, char *why, size_t n)
{
	struct pm_scan_arg arg = { .size = sizeof(arg) };

	h->pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (h->pagemap < 0)
		return host_fail(why, n, -1, "/proc/self/pagemap: %s",
				 strerror(errno));
	if (ioctl(h->pagemap, PAGEMAP_SCAN, &arg) < 0) {
		if (errno == ENOTTY || errno == EINVAL)
			return host_fail(why, n, HOST_SKIP,
					 "kernel lacks PAGEMAP_SCAN");
		return host_fail(why, n, -1, "PAGEMAP_SCAN: %s",
				 strerror(errno));
	}
	return 0;
}

/* Unmaps the mapping (which unregisters it) and closes its memfd. */
static void host_unmap(struct host *h)
{
	if (h->base)
		munmap(h->base, h->len);
	h->base = NULL;
	if (h->memfd >= 0)
		close(h->memfd);
	h->memfd = -1;
}

/*
 * Maps the mapping on a 2 MiB boundary: a PROT_NONE reservation 2 MiB
 * larger than the mapping is taken first, the mapping placed with
 * MAP_FIXED at the first aligned address inside it, and the reservation's
 * unused head and tail unmapped.  Then MADV_NOHUGEPAGE (VM_NOHUGEPAGE:
 * neither PMD-sized THPs nor mTHPs, anonymous or shmem, are allocated for
 * it) and the write-protect registration.  Returns 0, or -1 with errno
 * and why.
 */
static int host_map(struct host *h, char *why, size_t n)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, fd = -1, err;
	size_t span = h->len + HOST_PMD_SIZE;
	struct uffdio_register reg;
	uint8_t *res, *base, *end;
	const char *what;

	if (h->mapping == VSK_MEMFD) {
		what = "memfd_create";
		h->memfd = memfd_create("adsim-host", MFD_CLOEXEC);
		if (h->memfd < 0)
			goto fail;
		what = "ftruncate";
		if (ftruncate(h->memfd, (off_t)h->len))
			goto fail;
		flags = MAP_SHARED | MAP_FIXED;
		fd = h->memfd;
	}

	what = "mmap (reservation)";
	res = mmap(NULL, span, PROT_NONE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (res == MAP_FAILED)
		goto fail;
	base = (uint8_t *)(((uintptr_t)res + HOST_PMD_SIZE - 1) &
			   ~(uintptr_t)(HOST_PMD_SIZE - 1));
	end = base + h->len;
	what = "mmap";
	if (mmap(base, h->len, PROT_READ | PROT_WRITE, flags, fd, 0) ==
	    MAP_FAILED) {
		err = errno;
		munmap(res, span);
		errno = err;
		goto fail;
	}
	h->base = base;
	if (base > res)
		munmap(res, (size_t)(base - res));
	if (res + span > end)
		munmap(end, (size_t)(res + span - end));

	what = "madvise(MADV_NOHUGEPAGE)";
	if (madvise(base, h->len, MADV_NOHUGEPAGE))
		goto fail;

	what = "UFFDIO_REGISTER";
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)base;
	reg.range.len = h->len;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(h->uffd, UFFDIO_REGISTER, &reg))
		goto fail;
	return 0;

fail:
	err = errno;
	host_fail(why, n, -1, "%s: %s", what, strerror(err));
	host_unmap(h);
	errno = err;
	return -1;
}

int host_open(struct host **hp, enum vsk_mapping mapping, uint32_t pages,
	      char *why, size_t n)
{
	struct host *h;
	int ret;

	*hp = NULL;
	if (why && n)
		why[0] = '\0';
	if (mapping != VSK_ANON && mapping != VSK_MEMFD)
		return host_fail(why, n, -1, "unknown mapping %d", (int)mapping);
	if (!pages)
		return host_fail(why, n, -1, "bad mapping size %u pages", pages);
	if (sysconf(_SC_PAGESIZE) != (long)HOST_PAGE_SIZE)
		return host_fail(why, n, HOST_SKIP, "page size is %ld, not 4096",
				 sysconf(_SC_PAGESIZE));

	h = calloc(1, sizeof(*h));
	if (!h)
		return host_fail(why, n, -1, "out of memory");
	h->mapping = mapping;
	h->pages = pages;
	h->len = (size_t)pages * HOST_PAGE_SIZE;
	h->memfd = h->uffd = h->pagemap = -1;
	h->src = MAP_FAILED;

	ret = host_uffd_init(h, why, n);
	if (ret)
		goto fail;
	ret = host_pagemap_init(h, why, n);
	if (ret)
		goto fail;

	ret = -1;
	h->src = mmap(NULL, h->len, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->src == MAP_FAILED) {
		host_fail(why, n, -1, "mmap (copy source): %s", strerror(errno));
		goto fail;
	}
	memset(h->src, 0xa5, h->len);

	if (host_map(h, why, n))
		goto fail;
	if (host_catch_segv()) {
		host_fail(why, n, -1, "sigaction(SIGSEGV): %s", strerror(errno));
		goto fail;
	}
	*hp = h;
	return 0;

fail:
	host_unmap(h);
	if (h->src != MAP_FAILED)
		munmap(h->src, h->len);
	if (h->pagemap >= 0)
		close(h->pagemap);
	if (h->uffd >= 0)
		close(h->uffd);
	free(h);
	return ret;
}

int host_reset(struct host *h)
{
	host_unmap(h);
	return host_map(h, NULL, 0);
}

void host_close(struct host *h)
{
	if (!h)
		return;
	host_unmap(h);
	munmap(h->src, h->len);
	close(h->pagemap);
	close(h->uffd);
	free(h);
	host_release_segv();
}

static uint64_t host_addr(const struct host *h, uint64_t page)
{
	return (uintptr_t)h->base + (page << HOST_PAGE_SHIFT);
}

/* An address the kernel returned, as pages from the mapping's start. */
static uint64_t host_page(const struct host *h, uint64_t addr)
{
	if (addr < (uintptr_t)h->base)
		return 0;
	return (addr - (uintptr_t)h->base) >> HOST_PAGE_SHIFT;
}

static void host_ret(struct vsk_result *r, long ret)
{
	r->ret = ret;
	r->err = ret < 0 ? errno : 0;
}

/*
 * One volatile load or store.  A fault the kernel cannot resolve (the
 * VMA forbids the access) delivers SIGSEGV, whose handler jumps back to
 * the sigsetjmp() here with the signal mask restored.
 */
static int host_access(struct host *h, uint32_t page, bool write)
{
	volatile uint8_t *p = h->base + ((size_t)page << HOST_PAGE_SHIFT);

	if (sigsetjmp(host_fault_jmp, 1))
		return -1;
	host_fault_armed = 1;
	if (write)
		*p = 1;
	else
		(void)*p;
	host_fault_armed = 0;
	return 0;
}

/*
 * PAGEMAP_SCAN of op into vec (user memory of vec_len page_region-sized
 * entries; 0: none): fills r's ret, err and walk_end and returns ret.
 */
static long host_pagemap_scan(struct host *h, const struct vsk_op *op, uintptr_t vec,
			      uint64_t vec_len, struct vsk_result *r)
{
	const struct vsk_scan *s = &op->scan;
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = s->flags,
		.start = host_addr(h, op->page),
		.end = host_addr(h, (uint64_t)op->page + op->nr),
		.walk_end = 0,
		.vec = vec_len ? vec : 0,
		.vec_len = vec_len,
		.max_pages = s->max_pages,
		.category_inverted = s->category_inverted,
		.category_mask = s->category_mask,
		.category_anyof_mask = s->category_anyof_mask,
		.return_mask = s->return_mask,
	};
	long ret;

	ret = ioctl(h->pagemap, PAGEMAP_SCAN, &arg);
	host_ret(r, ret);
	/* written back once the arguments were accepted, even on error */
	r->walk_end = host_page(h, arg.walk_end);
	return ret;
}

static void host_scan(struct host *h, const struct vsk_op *op,
		      struct vsk_result *r)
{
	long ret, i;

	ret = host_pagemap_scan(h, op, (uintptr_t)h->vec, op->scan.vec_len, r);
	for (i = 0; i < ret; i++) {
		r->regions[i].start = host_page(h, h->vec[i].start);
		r->regions[i].end = host_page(h, h->vec[i].end);
		r->regions[i].categories = h->vec[i].categories;
	}
	r->nr_regions = ret > 0 ? (uint32_t)ret : 0;
}

/* Whether op lies inside the mapping (see host.h). */
static bool host_op_fits(const struct host *h, const struct vsk_op *op)
{
	switch (op->code) {
	case VSK_READ:
	case VSK_WRITE:
		return op->page < h->pages;
	case VSK_SCAN:
		if (op->scan.vec_len > VSK_MAX_REGIONS)
			return false;
		/* fall through */
	default:
		return op->page <= h->pages && op->nr <= h->pages - op->page;
	}
}

/* The kernel fills vsk_region entries as struct page_region. */
_Static_assert(sizeof(struct vsk_region) == sizeof(struct page_region),
	       "struct vsk_region");

void host_scan_vec(struct host *h, const struct vsk_op *op, struct vsk_region *vec,
		   uint64_t vec_len, struct vsk_result *r)
{
	long ret, i;

	memset(r, 0, sizeof(*r));
	if (op->code != VSK_SCAN || op->page > h->pages || op->nr > h->pages - op->page) {
		r->ret = -1;
		r->err = ERANGE;
		return;
	}
	ret = host_pagemap_scan(h, op, (uintptr_t)vec, vec_len, r);
	for (i = 0; i < ret; i++) {
		vec[i].start = host_page(h, vec[i].start);
		vec[i].end = host_page(h, vec[i].end);
	}
}

void host_run(struct host *h, const struct vsk_op *op, struct vsk_result *r)
{
	void *addr = h->base + ((size_t)op->page << HOST_PAGE_SHIFT);
	size_t len = (size_t)op->nr << HOST_PAGE_SHIFT;

	memset(r, 0, sizeof(*r));
	if (!host_op_fits(h, op)) {
		r->ret = -1;
		r->err = ERANGE;
		return;
	}

	switch (op->code) {
	case VSK_READ:
	case VSK_WRITE: {
		/* count: the page faults the access took (getrusage) */
		struct rusage before, after;

		getrusage(RUSAGE_THREAD, &before);
		if (host_access(h, op->page, op->code == VSK_WRITE)) {
			r->ret = -1;
			r->err = EFAULT;
		}
		getrusage(RUSAGE_THREAD, &after);
		/* a SIGSEGV's count includes the signal delivery's own faults */
		if (!r->ret)
			r->count = (after.ru_minflt - before.ru_minflt) +
				   (after.ru_majflt - before.ru_majflt);
		break;
	}
	case VSK_WP:
	case VSK_UNWP: {
		struct uffdio_writeprotect wp = {
			.range = { .start = (uintptr_t)addr, .len = len },
			.mode = op->code == VSK_WP ? UFFDIO_WRITEPROTECT_MODE_WP : 0,
		};

		host_ret(r, ioctl(h->uffd, UFFDIO_WRITEPROTECT, &wp));
		break;
	}
	case VSK_COPY: {
		/* .copy: pages' bytes copied, or -errno; left 0 if never reached */
		struct uffdio_copy copy = {
			.dst = (uintptr_t)addr,
			.src = (uintptr_t)h->src,
			.len = len,
			.mode = op->mode,
			.copy = 0,
		};

		host_ret(r, ioctl(h->uffd, UFFDIO_COPY, &copy));
		r->count = copy.copy;
		break;
	}
	case VSK_ZEROPAGE: {
		struct uffdio_zeropage zero = {
			.range = { .start = (uintptr_t)addr, .len = len },
			.mode = 0,
			.zeropage = 0,
		};

		host_ret(r, ioctl(h->uffd, UFFDIO_ZEROPAGE, &zero));
		r->count = zero.zeropage;
		break;
	}
	case VSK_DONTNEED:
		host_ret(r, madvise(addr, len, MADV_DONTNEED));
		break;
	case VSK_MPROTECT:
		host_ret(r, mprotect(addr, len, op->prot));
		break;
	case VSK_SCAN:
		host_scan(h, op, r);
		break;
	default:
		r->ret = -1;
		r->err = EINVAL;
		break;
	}
}

/* ---- the kernel profile ---- */

/* /proc/self/pagemap bits (Documentation/admin-guide/mm/pagemap.rst) */
#define PM_PRESENT (1ULL << 63)
#define PM_MMAP_EXCLUSIVE (1ULL << 56)
#define PM_SOFT_DIRTY (1ULL << 55)

/* The pagemap entry of addr, or 0 when it cannot be read. */
static uint64_t host_pagemap_entry(const void *addr)
{
	uint64_t e = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	if (pread(fd, &e, sizeof(e), (off_t)((uintptr_t)addr / HOST_PAGE_SIZE * sizeof(e))) !=
	    (ssize_t)sizeof(e))
		e = 0;
	close(fd);
	return e;
}

/*
 * Whether the page at addr is the zero page: present and not exclusively
 * mapped, for a page of a private anonymous mapping nothing else maps
 * (pagemap shows PM_MMAP_EXCLUSIVE for every normal page mapped once, and
 * never for the zero page, which has no struct page of its own to count).
 * 1, 0, or -1 when the page is not present.
 */
static int host_is_zero_page(const void *addr)
{
	uint64_t e = host_pagemap_entry(addr);

	if (!(e & PM_PRESENT))
		return -1;
	return !(e & PM_MMAP_EXCLUSIVE);
}

static void *host_probe_map(void)
{
	void *p = mmap(NULL, HOST_PAGE_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return p == MAP_FAILED ? NULL : p;
}

/* A read of untouched private anonymous memory: the zero page or a folio. */
static int host_probe_zero_page(void)
{
	volatile uint8_t *p = host_probe_map();
	int ret;

	if (!p)
		return -1;
	(void)*p;
	ret = host_is_zero_page((const void *)p);
	munmap((void *)p, HOST_PAGE_SIZE);
	return ret;
}

/* A write to a new page: soft-dirty where CONFIG_MEM_SOFT_DIRTY is set
 * (a new VMA is VM_SOFTDIRTY), never where it is not. */
static int host_probe_soft_dirty(void)
{
	volatile uint8_t *p = host_probe_map();
	uint64_t e;

	if (!p)
		return -1;
	*p = 1;
	e = host_pagemap_entry((const void *)p);
	munmap((void *)p, HOST_PAGE_SIZE);
	return e & PM_PRESENT ? !!(e & PM_SOFT_DIRTY) : -1;
}

/* UFFDIO_ZEROPAGE over a page registered for missing faults. */
static int host_probe_uffd_zero_page(int uffd)
{
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_zeropage zp = { .mode = 0 };
	void *p = host_probe_map();
	int ret = -1;

	if (!p)
		return -1;
	reg.range.start = (uintptr_t)p;
	reg.range.len = HOST_PAGE_SIZE;
	zp.range = reg.range;
	if (!ioctl(uffd, UFFDIO_REGISTER, &reg) && !ioctl(uffd, UFFDIO_ZEROPAGE, &zp))
		ret = host_is_zero_page(p);
	munmap(p, HOST_PAGE_SIZE);
	return ret;
}

/* The userfaultfd features, and UFFDIO_ZEROPAGE's page, where the user may open one. */
static void host_probe_uffd(struct host_profile *p)
{
	struct uffdio_api api = { .api = UFFD_API, .features = 0 };
	int fd;
	size_t i;

	p->uffd = p->uffd_wp_async = p->uffd_zero_page = -1;
	if (host_uffd_open(&fd, p->why_uffd, sizeof(p->why_uffd))) {
		p->uffd = 0;
		return;
	}
	p->uffd = 1;
	if (ioctl(fd, UFFDIO_API, &api) == 0) {
		p->uffd_wp_async = 1;
		for (i = 0; i < sizeof(host_features) / sizeof(host_features[0]); i++)
			if (!(api.features & host_features[i].bit))
				p->uffd_wp_async = 0;
		p->uffd_zero_page = host_probe_uffd_zero_page(fd);
	}
	close(fd);
}

static int host_probe_pagemap_scan(void)
{
	struct pm_scan_arg arg = { .size = sizeof(arg) };
	int fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, PAGEMAP_SCAN, &arg) == 0 ? 1 :
	      errno == ENOTTY || errno == EINVAL ? 0 : -1;
	close(fd);
	return ret;
}

/* An active swap area: /proc/swaps has a line past its header. */
static int host_probe_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int lines = 0;

	if (!f)
		return 0;	/* no CONFIG_SWAP */
	while (fgets(line, sizeof(line), f))
		lines++;
	fclose(f);
	return lines > 1;
}

/* The bracketed word of transparent_hugepage/enabled, or "none". */
static void host_probe_thp(char *buf, size_t n)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128], *a, *b;

	snprintf(buf, n, "none");
	if (!f)
		return;
	if (fgets(line, sizeof(line), f) && (a = strchr(line, '[')) && (b = strchr(a, ']'))) {
		*b = '\0';
		snprintf(buf, n, "%s", a + 1);
	}
	fclose(f);
}

void host_probe(struct host_profile *p)
{
	struct utsname u;

	memset(p, 0, sizeof(*p));
	snprintf(p->release, sizeof(p->release), "%s", uname(&u) ? "unknown" : u.release);
	p->zero_page = host_probe_zero_page();
	p->soft_dirty = host_probe_soft_dirty();
	p->swap = host_probe_swap();
	p->pagemap_scan = host_probe_pagemap_scan();
	host_probe_thp(p->thp, sizeof(p->thp));
	host_probe_uffd(p);
}

static const char *host_yesno(int v)
{
	return v > 0 ? "yes" : v == 0 ? "no" : "unknown";
}

void host_profile_format(const struct host_profile *p, char *buf, size_t n)
{
	snprintf(buf, n,
		 "kernel %s: zero_page=%s uffd_zero_page=%s thp=%s soft_dirty=%s swap=%s uffd=%s uffd_wp_async=%s pagemap_scan=%s",
		 p->release, host_yesno(p->zero_page), host_yesno(p->uffd_zero_page), p->thp,
		 host_yesno(p->soft_dirty), host_yesno(p->swap), host_yesno(p->uffd),
		 host_yesno(p->uffd_wp_async), host_yesno(p->pagemap_scan));
}
