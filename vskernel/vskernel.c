// SPDX-License-Identifier: GPL-2.0
/*
 * adsim vs-kernel: random operation sequences on one userfaultfd-registered
 * mapping, run on the real kernel (host/) and on the model
 * (vskernel/model.c); every operation's result is compared: return value,
 * errno, UFFDIO_COPY/ZEROPAGE progress, the page faults an access took,
 * and each PAGEMAP_SCAN's regions, categories and walk_end.  A
 * disagreement is shrunk to a minimal sequence and printed as a scenario,
 * which --replay runs on both sides again, operation by operation.
 *
 * Exit status: 0 all agree, 1 a disagreement, 2 usage or a bad --replay
 * file, 77 the kernel or the user cannot run the comparison (the reason
 * is printed).
 */
#include "vskernel.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../scn/scn.h"
#include "../host/host.h"
#include "model.h"

#define VSK_MAX_OPS 256

struct vsk_opts {
	u64 seed;
	u64 sequences;
	u32 ops, pages;
	bool anon, memfd, json;
	struct variant_cfg cfg;
	bool cfg_set[NR_VARIANTS];	/* --set given for this variant */
	const char *replay;		/* --replay FILE */
	bool profile;			/* --profile: print the kernel profile only */
	char profile_line[512];		/* host_profile_format()'s line */
};

struct vsk_seq {
	struct vsk_op op[VSK_MAX_OPS];
	u32 n, pages;
	enum vsk_mapping mapping;
};

/* ---- random sequences ---- */

static u64 rnd_next(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static u32 rnd(u64 *s, u32 n)
{
	return n ? (u32)(rnd_next(s) % n) : 0;
}

/* A range [page, page + nr) inside the mapping: mostly short, near a hot spot. */
static void rnd_range(u64 *s, u32 pages, u32 hot, struct vsk_op *op)
{
	u32 r = rnd(s, 100);

	op->page = r < 50 ? (hot + rnd(s, 32)) % pages : rnd(s, pages);
	if (r % 10 == 0)
		op->nr = pages - op->page;
	else if (r % 10 < 6)
		op->nr = 1 + rnd(s, 8);
	else
		op->nr = 1 + rnd(s, 600);
	if (rnd(s, 50) == 0)
		op->nr = 0;
	if (op->nr > pages - op->page)
		op->nr = pages - op->page;
}

static u64 rnd_categories(u64 *s)
{
	static const u64 useful[] = { VSK_PAGE_IS_WRITTEN, VSK_PAGE_IS_PRESENT, VSK_PAGE_IS_FILE,
				      VSK_PAGE_IS_SWAPPED, VSK_PAGE_IS_PFNZERO,
				      VSK_PAGE_IS_WPALLOWED };
	u64 c = 0;

	for (u32 i = 0; i < ARRAY_SIZE(useful); i++)
		if (rnd(s, 4) == 0)
			c |= useful[i];
	return c;
}

static void rnd_scan(u64 *s, u32 pages, struct vsk_op *op)
{
	struct vsk_scan *sc = &op->scan;
	u32 r = rnd(s, 100);

	if (rnd(s, 2)) {
		op->page = 0;
		op->nr = pages;
	} else {
		rnd_range(s, pages, 0, op);
	}
	sc->flags = rnd(s, 2) ? VSK_PM_SCAN_WP_MATCHING : 0;
	if (rnd(s, 8) == 0)
		sc->flags |= VSK_PM_SCAN_CHECK_WPASYNC;
	if (r < 35) {
		sc->category_mask = sc->return_mask = VSK_PAGE_IS_WRITTEN;	/* the fast path */
	} else if (r < 55) {
		sc->return_mask = VSK_PM_SCAN_CATEGORIES;
	} else {
		sc->category_mask = rnd_categories(s);
		sc->category_anyof_mask = rnd(s, 3) ? 0 : rnd_categories(s);
		sc->category_inverted = rnd(s, 3) ? 0 : rnd_categories(s);
		sc->return_mask = rnd(s, 4) ? rnd_categories(s) | VSK_PAGE_IS_WRITTEN :
					      VSK_PM_SCAN_CATEGORIES;
	}
	if (rnd(s, 60) == 0)
		sc->return_mask |= 1ULL << 9;	/* not a category: -EINVAL */
	r = rnd(s, 10);
	sc->vec_len = r == 0 ? 0 : r < 4 ? 1 + rnd(s, 4) : r < 7 ? 16 : VSK_MAX_REGIONS;
	sc->max_pages = rnd(s, 4) == 0 ? 1 + rnd(s, 40) : 0;
}

static void gen_seq(u64 seed, u64 index, u32 nops, u32 pages, enum vsk_mapping mapping,
		    struct vsk_seq *q)
{
	u64 s = (seed + 1) * 0x9E3779B97F4A7C15ULL ^ (index + 1) * 0xBF58476D1CE4E5B9ULL ^
		(mapping == VSK_MEMFD ? 0x94D049BB133111EBULL : 0);
	u32 hot = 0;

	q->n = nops;
	q->pages = pages;
	q->mapping = mapping;
	for (int i = 0; i < 4; i++)
		rnd_next(&s);
	for (u32 i = 0; i < nops; i++) {
		struct vsk_op *op = &q->op[i];
		u32 r = rnd(&s, 100);

		memset(op, 0, sizeof(*op));
		if (rnd(&s, 8) == 0)
			hot = rnd(&s, pages);
		if (r < 22) {
			op->code = VSK_WRITE;
		} else if (r < 36) {
			op->code = VSK_READ;
		} else if (r < 46) {
			op->code = VSK_WP;
		} else if (r < 52) {
			op->code = VSK_UNWP;
		} else if (r < 57) {
			op->code = VSK_COPY;
			op->mode = rnd(&s, 2) ? VSK_UFFDIO_COPY_MODE_WP : 0;
		} else if (r < 60) {
			op->code = VSK_ZEROPAGE;
		} else if (r < 66) {
			op->code = VSK_DONTNEED;
		} else if (r < 70) {
			static const int prots[] = { 0, 1, 3, 3 };

			op->code = VSK_MPROTECT;
			op->page = 0;
			op->nr = pages;		/* the model cannot split a VMA */
			op->prot = prots[rnd(&s, 4)];
			continue;
		} else {
			op->code = VSK_SCAN;
			rnd_scan(&s, pages, op);
			continue;
		}
		if (op->code == VSK_READ || op->code == VSK_WRITE) {
			op->page = rnd(&s, 2) ? (hot + rnd(&s, 16)) % pages : rnd(&s, pages);
			op->nr = 1;
		} else {
			rnd_range(&s, pages, hot, op);
		}
	}
	/* end on a scan of everything, so that every page's state is compared */
	if (q->n < VSK_MAX_OPS) {
		struct vsk_op *op = &q->op[q->n++];

		memset(op, 0, sizeof(*op));
		op->code = VSK_SCAN;
		op->nr = pages;
		op->scan.return_mask = VSK_PM_SCAN_CATEGORIES;
		op->scan.vec_len = VSK_MAX_REGIONS;
	}
}

/* ---- running and comparing ---- */

static const char *const op_names[VSK_NR_OPS] = {
	"read", "write", "uffd_wp", "uffd_unwp", "uffd_copy", "uffd_zeropage",
	"madvise_dontneed", "mprotect", "pagemap_scan",
};

static bool result_equal(const struct vsk_result *a, const struct vsk_result *b)
{
	if (a->ret != b->ret || a->err != b->err || a->count != b->count ||
	    a->walk_end != b->walk_end || a->nr_regions != b->nr_regions)
		return false;
	return !memcmp(a->regions, b->regions, a->nr_regions * sizeof(a->regions[0]));
}

struct vsk_sides {
	struct host *host;
	struct vsk_model model;
	enum vsk_mapping mapping;
	u32 pages;
	bool open;
};

static int sides_open(struct vsk_sides *sd, enum vsk_mapping mapping, u32 pages,
		      const struct variant_cfg *cfg, char *why, size_t n)
{
	int ret;

	memset(sd, 0, sizeof(*sd));
	ret = host_open(&sd->host, mapping, pages, why, n);
	if (ret)
		return ret;
	if (vsk_model_open(&sd->model, mapping, pages, cfg, why, n)) {
		host_close(sd->host);
		return -1;
	}
	sd->mapping = mapping;
	sd->pages = pages;
	sd->open = true;
	return 0;
}

static void sides_close(struct vsk_sides *sd)
{
	if (!sd->open)
		return;
	host_close(sd->host);
	vsk_model_close(&sd->model);
	sd->open = false;
}

/*
 * Runs q on both sides from a fresh mapping; the index of the first
 * operation whose results differ (kernel's in *k, model's in *m), or -1.
 */
static int run_both(struct vsk_sides *sd, const struct vsk_seq *q, struct vsk_result *k,
		    struct vsk_result *m)
{
	if (host_reset(sd->host))
		return -2;
	vsk_model_reset(&sd->model);
	for (u32 i = 0; i < q->n; i++) {
		host_run(sd->host, &q->op[i], k);
		vsk_model_run(&sd->model, &q->op[i], m);
		if (!result_equal(k, m))
			return (int)i;
	}
	return -1;
}

/* A sequence that still disagrees on a mapping of q->pages pages. */
static bool still_fails(const struct vsk_seq *q, const struct variant_cfg *cfg,
			struct vsk_sides *cache)
{
	struct vsk_result k, m;
	char why[256];

	if (!cache->open || cache->pages != q->pages || cache->mapping != q->mapping) {
		sides_close(cache);
		if (sides_open(cache, q->mapping, q->pages, cfg, why, sizeof(why)))
			return false;
	}
	return run_both(cache, q, &k, &m) >= 0;
}

/*
 * Shrinks a failing sequence: cut everything after the first
 * disagreement, drop operations one at a time while it still fails, then
 * narrow ranges and the mapping.
 */
static void shrink(struct vsk_seq *q, int first_bad, const struct variant_cfg *cfg)
{
	struct vsk_sides cache = { 0 };
	bool progress = true;

	q->n = (u32)first_bad + 1;
	while (progress) {
		progress = false;
		for (int i = (int)q->n - 1; i >= 0 && q->n > 1; i--) {
			struct vsk_seq t = *q;

			memmove(&t.op[i], &t.op[i + 1], (t.n - (u32)i - 1) * sizeof(t.op[0]));
			t.n--;
			if (still_fails(&t, cfg, &cache)) {
				*q = t;
				progress = true;
			}
		}
		for (u32 i = 0; i < q->n; i++) {
			struct vsk_op *op = &q->op[i];

			while (op->nr > 1 && op->code != VSK_MPROTECT) {
				struct vsk_seq t = *q;

				t.op[i].nr = op->nr / 2;
				if (!still_fails(&t, cfg, &cache))
					break;
				*q = t;
				progress = true;
			}
		}
	}
	/* the smallest mapping, in whole PTE tables, that still fails */
	for (u32 pages = 512; pages < q->pages; pages += 512) {
		struct vsk_seq t = *q;
		bool fits = true;

		t.pages = pages;
		for (u32 i = 0; i < t.n; i++) {
			struct vsk_op *op = &t.op[i];

			if (op->code == VSK_MPROTECT && op->nr == q->pages)
				op->nr = pages;
			if (op->code == VSK_SCAN && op->page == 0 && op->nr == q->pages)
				op->nr = pages;
			if (op->page + (op->nr ? op->nr : 1) > pages)
				fits = false;
		}
		if (fits && still_fails(&t, cfg, &cache)) {
			*q = t;
			break;
		}
	}
	sides_close(&cache);
}

/* ---- output ---- */

static void print_categories(FILE *f, u64 c)
{
	static const char *const names[] = { "wpallowed", "written", "file", "present",
					     "swapped", "pfnzero", "huge", "soft_dirty", "guard" };
	bool any = false;

	for (u32 i = 0; i < 64; i++)
		if (c & (1ULL << i)) {
			fprintf(f, "%s%s", any ? "|" : "", i < ARRAY_SIZE(names) ? names[i] : "?");
			any = true;
		}
	if (!any)
		fprintf(f, "0");
}

/*
 * One side's result; every line starts with lead, "#" where the output
 * must stay a scenario file.
 */
static void print_result(FILE *f, const char *lead, const char *side,
			 const struct vsk_result *r)
{
	fprintf(f, "%s  %-7s ret %lld", lead, side, (long long)r->ret);
	if (r->ret < 0)
		fprintf(f, " (%s)", strerror(r->err));
	fprintf(f, " count %lld walk_end %llu", (long long)r->count,
		(unsigned long long)r->walk_end);
	for (u32 i = 0; i < r->nr_regions; i++) {
		if (i == 0)
			fprintf(f, "\n%s           regions ", lead);
		fprintf(f, "%s[%llu, %llu) ", i ? " " : "",
			(unsigned long long)r->regions[i].start,
			(unsigned long long)r->regions[i].end);
		print_categories(f, r->regions[i].categories);
	}
	fprintf(f, "\n");
}

/* One operation as a scenario statement of process p mapped at VSK_MODEL_BASE. */
static void print_op(FILE *f, const struct vsk_op *op)
{
	u64 addr = VSK_MODEL_BASE + ((u64)op->page << PAGE_SHIFT);
	u64 len = (u64)op->nr << PAGE_SHIFT;
	const struct vsk_scan *sc = &op->scan;

	switch (op->code) {
	case VSK_READ:
	case VSK_WRITE:
		fprintf(f, "\t%s %#llx\n", op_names[op->code], (unsigned long long)addr);
		break;
	case VSK_MPROTECT:
		fprintf(f, "\tmprotect p %#llx %#llx %s\n", (unsigned long long)addr,
			(unsigned long long)len,
			op->prot == 0 ? "none" : op->prot == 1 ? "r" : "rw");
		break;
	case VSK_COPY:
		fprintf(f, "\tuffd_copy p %#llx %#llx%s\n", (unsigned long long)addr,
			(unsigned long long)len, op->mode ? " wp" : "");
		break;
	case VSK_SCAN:
		fprintf(f, "\tpagemap_scan p %#llx %#llx flags=%s", (unsigned long long)addr,
			(unsigned long long)len,
			sc->flags == 0 ? "0" :
			sc->flags == VSK_PM_SCAN_WP_MATCHING ? "wp_matching" :
			sc->flags == VSK_PM_SCAN_CHECK_WPASYNC ? "check_wpasync" :
								 "wp_matching|check_wpasync");
		fprintf(f, " mask=");
		print_categories(f, sc->category_mask);
		fprintf(f, " anyof=");
		print_categories(f, sc->category_anyof_mask);
		fprintf(f, " inverted=");
		print_categories(f, sc->category_inverted);
		fprintf(f, " return=");
		print_categories(f, sc->return_mask);
		fprintf(f, " max_pages=%llu vec=%u\n", (unsigned long long)sc->max_pages,
			sc->vec_len);
		break;
	default:
		fprintf(f, "\t%s p %#llx %#llx\n", op_names[op->code], (unsigned long long)addr,
			(unsigned long long)len);
		break;
	}
}

static void print_scenario(FILE *f, const struct vsk_seq *q, const char *origin)
{
	u64 len = (u64)q->pages << PAGE_SHIFT;

	fprintf(f, "scenario vs-kernel-disagreement \"%s\"\n", origin);
	if (q->mapping == VSK_MEMFD) {
		fprintf(f, "file memfd pages %u shmem\nprocess p\n", q->pages);
		fprintf(f, "mmap p %#llx pages %u shared write file memfd\n",
			(unsigned long long)VSK_MODEL_BASE, q->pages);
	} else {
		fprintf(f, "process p\nmmap p %#llx pages %u private write\n",
			(unsigned long long)VSK_MODEL_BASE, q->pages);
	}
	fprintf(f, "setup {\n\tuffd_register p %#llx %#llx\n}\n",
		(unsigned long long)VSK_MODEL_BASE, (unsigned long long)len);
	fprintf(f, "actor t cpu p {\n");
	for (u32 i = 0; i < q->n; i++)
		print_op(f, &q->op[i]);
	fprintf(f, "}\n");
}

/*
 * " --set NAME=VALUE" for each variant not at its default (only those
 * with only[i], if only is given), or "".
 */
static void format_sets(const struct variant_cfg *cfg, const bool *only, char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < NR_VARIANTS && l < n; i++) {
		const struct variant_desc *d = &variant_table[i];

		if (cfg->v[i] != d->dflt && (!only || only[i]))
			l += (size_t)snprintf(buf + l, n - l, " --set %s=%s", d->name,
					      d->values[cfg->v[i]]);
	}
}

/*
 * Everything printed is a scenario file: the disagreeing operation and
 * both results are comments, and the description says how to replay it.
 */
static void report(const struct vsk_opts *o, struct vsk_seq *q, u64 index, int bad)
{
	struct vsk_sides sd;
	struct vsk_result k, m;
	char origin[400], sets[256], why[256];

	fprintf(stderr, "adsim vs-kernel: %s mapping, sequence %llu (--seed %llu): operation %d disagrees; shrinking\n",
		q->mapping == VSK_MEMFD ? "memfd" : "anon", (unsigned long long)index,
		(unsigned long long)o->seed, bad);
	shrink(q, bad, &o->cfg);
	if (sides_open(&sd, q->mapping, q->pages, &o->cfg, why, sizeof(why)) == 0) {
		bad = run_both(&sd, q, &k, &m);
		sides_close(&sd);
		if (bad >= 0) {
			printf("# the last operation disagrees:\n#   ");
			print_op(stdout, &q->op[bad]);
			print_result(stdout, "#", "kernel", &k);
			print_result(stdout, "#", "model", &m);
		}
	}
	/* the user's --set only: --replay probes the kernel for the rest again */
	format_sets(&o->cfg, o->cfg_set, sets, sizeof(sets));
	snprintf(origin, sizeof(origin),
		 "adsim vs-kernel --seed %llu%s: %s sequence %llu, shrunk; rerun with adsim vs-kernel --replay FILE%s",
		 (unsigned long long)o->seed, sets, q->mapping == VSK_MEMFD ? "memfd" : "anon",
		 (unsigned long long)index, sets);
	printf("# %s\n", o->profile_line);
	print_scenario(stdout, q, origin);
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Runs o->sequences random sequences on one mapping kind. */
static int run_mapping(const struct vsk_opts *o, enum vsk_mapping mapping, double *secs,
		       u64 *done)
{
	static struct vsk_seq q;
	struct vsk_sides sd;
	struct vsk_result k, m;
	char why[256];
	double t0 = now_seconds();
	int ret = sides_open(&sd, mapping, o->pages, &o->cfg, why, sizeof(why));

	if (ret) {
		fprintf(stderr, "adsim vs-kernel: %s\n", why);
		return ret == HOST_SKIP ? 77 : 2;
	}
	for (u64 i = 0; i < o->sequences; i++) {
		int bad;

		gen_seq(o->seed, i, o->ops, o->pages, mapping, &q);
		bad = run_both(&sd, &q, &k, &m);
		if (bad == -2) {
			fprintf(stderr, "adsim vs-kernel: cannot reset the mapping\n");
			sides_close(&sd);
			return 2;
		}
		*done = i + 1;
		if (bad >= 0) {
			sides_close(&sd);
			report(o, &q, i, bad);
			*secs = now_seconds() - t0;
			return 1;
		}
	}
	sides_close(&sd);
	*secs = now_seconds() - t0;
	return 0;
}

/* ---- --replay FILE: one scenario on both sides ---- */

/*
 * The scenario shape print_scenario() writes, and the only one replay
 * accepts, since both sides must build the same mapping from it:
 *
 *   scenario NAME ["description"]
 *   [file F pages N shmem]
 *   process P
 *   mmap P ADDR pages N private write          (anon)
 *   mmap P ADDR pages N shared write file F    (memfd; F of N pages)
 *   setup {
 *           uffd_register P ADDR N*4096
 *   }
 *   actor A cpu P {
 *           read, write, uffd_wp, uffd_unwp, uffd_copy, uffd_zeropage,
 *           madvise_dontneed, mprotect (of the whole mapping), pagemap_scan
 *   }
 *
 * ADDR lies on a 2 MiB boundary, as both sides place the mapping, so the
 * file's pages share PTE tables as they do on both sides.  `param`, `set`
 * (which pins the model's variants) and `consumer` lines may appear;
 * `expect` lines, other declarations and other operations may not.
 */
_Static_assert(SCN_MAX_OPS <= VSK_MAX_OPS, "a scenario actor's operations fit a sequence");

struct vsk_replay {
	struct vsk_seq q;
	int line[VSK_MAX_OPS], col[VSK_MAX_OPS];
	struct variant_cfg cfg;
};

static int replay_err(char *err, size_t n, const char *path, int line, int col,
		      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static int replay_err(char *err, size_t n, const char *path, int line, int col,
		      const char *fmt, ...)
{
	va_list ap;
	int l = snprintf(err, n, "%s:%d:%d: ", path, line, col);

	if (l >= 0 && (size_t)l < n) {
		va_start(ap, fmt);
		vsnprintf(err + l, n - (size_t)l, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Where an expression stands, or its declaration when it has none. */
static void expr_at(const struct scn_expr *e, const struct scn_decl *d, int *line, int *col)
{
	*line = e ? e->line : d->line;
	*col = e ? e->col : d->col;
}

/* The one mapping: its kind, place and size, checked against both sides. */
static int replay_mapping(const struct scn *s, const struct scn_inst *in, int map,
			  struct vsk_replay *r, u64 *base, char *err, size_t n)
{
	const struct scn_decl *d = &s->decls[map];
	int file = d->file[0] ? scn_decl_index(s, D_FILE, d->file) : -1;
	int line, col;

	if (!d->write)
		return replay_err(err, n, s->path, d->line, d->col,
				  "expected a 'write' mapping: the sequence runs on read-write memory");
	if (d->shared && file < 0)
		return replay_err(err, n, s->path, d->line, d->col,
				  "expected 'private write' (anonymous) or 'shared write file F' of a shmem file: the kernel side maps no shared anonymous memory");
	if (!d->shared && file >= 0)
		return replay_err(err, n, s->path, d->line, d->col,
				  "expected 'private write' without a file (anonymous) or 'shared write file F' of a shmem file");
	expr_at(d->pages, d, &line, &col);
	if (in->pages[map] < 1 || in->pages[map] > (1 << 20))
		return replay_err(err, n, s->path, line, col,
				  "pages %lld: expected from 1 to %u pages",
				  (long long)in->pages[map], 1u << 20);
	expr_at(d->addr, d, &line, &col);
	if (in->addr[map] < 0 || in->addr[map] > (1LL << 46) ||
	    in->addr[map] & ((1LL << 21) - 1))
		return replay_err(err, n, s->path, line, col,
				  "address %#llx: expected a user address on a 2 MiB boundary, where both sides map",
				  (unsigned long long)in->addr[map]);
	if (file >= 0) {
		const struct scn_decl *fd = &s->decls[file];

		if (!fd->shmem)
			return replay_err(err, n, s->path, fd->line, fd->col,
					  "expected 'file %s pages N shmem': the kernel side maps a memfd",
					  fd->name);
		if (in->pgoff[map]) {
			expr_at(d->pgoff, d, &line, &col);
			return replay_err(err, n, s->path, line, col,
					  "expected offset 0: the mapping covers its memfd from the start");
		}
		if (in->pages[file] != in->pages[map]) {
			expr_at(fd->pages, fd, &line, &col);
			return replay_err(err, n, s->path, line, col,
					  "file %s of %lld pages: expected the mapping's size, %lld pages",
					  fd->name, (long long)in->pages[file],
					  (long long)in->pages[map]);
		}
	}
	r->q.mapping = file >= 0 ? VSK_MEMFD : VSK_ANON;
	r->q.pages = (u32)in->pages[map];
	*base = (u64)in->addr[map];
	return 0;
}

/*
 * [ADDR, ADDR + LEN) of a range operation as pages of the mapping: both
 * page-aligned and inside it, since a vs-kernel operation is whole pages.
 */
static int replay_range(const struct scn *s, const struct scn_op *sop, u64 base, u32 pages,
			struct vsk_op *op, char *err, size_t n)
{
	u64 size = (u64)pages << PAGE_SHIFT, off;
	const char *name = scn_ops[sop->code].name;

	if (sop->a[0] < 0 || (u64)sop->a[0] < base || (u64)sop->a[0] - base > size ||
	    (sop->a[0] & (PAGE_SIZE - 1)))
		return replay_err(err, n, s->path, sop->line, sop->col,
				  "%s at %#llx: expected a page-aligned address inside the mapping [%#llx, %#llx)",
				  name, (unsigned long long)sop->a[0], (unsigned long long)base,
				  (unsigned long long)(base + size));
	off = (u64)sop->a[0] - base;
	if (sop->a[1] < 0 || (sop->a[1] & (PAGE_SIZE - 1)) || (u64)sop->a[1] > size - off)
		return replay_err(err, n, s->path, sop->line, sop->col,
				  "%s of %#llx bytes at %#llx: expected a length in whole pages that ends inside the mapping [%#llx, %#llx)",
				  name, (unsigned long long)sop->a[1],
				  (unsigned long long)sop->a[0], (unsigned long long)base,
				  (unsigned long long)(base + size));
	op->page = (u32)(off >> PAGE_SHIFT);
	op->nr = (u32)((u64)sop->a[1] >> PAGE_SHIFT);
	return 0;
}

/* One actor operation as a vs-kernel operation. */
static int replay_op(const struct scn *s, const struct scn_op *sop, u64 base, u32 pages,
		     struct vsk_op *op, char *err, size_t n)
{
	const s64 *k = &sop->a[2];

	memset(op, 0, sizeof(*op));
	switch (sop->code) {
	case OPC_READ:
	case OPC_WRITE:
		if (sop->a[0] < 0 || (u64)sop->a[0] < base ||
		    (u64)sop->a[0] - base >= (u64)pages << PAGE_SHIFT)
			return replay_err(err, n, s->path, sop->line, sop->col,
					  "%s %#llx: expected an address inside the mapping [%#llx, %#llx)",
					  scn_ops[sop->code].name, (unsigned long long)sop->a[0],
					  (unsigned long long)base,
					  (unsigned long long)(base + ((u64)pages << PAGE_SHIFT)));
		op->code = sop->code == OPC_READ ? VSK_READ : VSK_WRITE;
		op->page = (u32)(((u64)sop->a[0] - base) >> PAGE_SHIFT);
		op->nr = 1;
		return 0;
	case OPC_UFFD_WP:
		op->code = VSK_WP;
		break;
	case OPC_UFFD_UNWP:
		op->code = VSK_UNWP;
		break;
	case OPC_UFFD_COPY:
		op->code = VSK_COPY;
		op->mode = sop->a[2] ? VSK_UFFDIO_COPY_MODE_WP : 0;
		break;
	case OPC_UFFD_ZEROPAGE:
		op->code = VSK_ZEROPAGE;
		break;
	case OPC_MADV_DONTNEED:
		op->code = VSK_DONTNEED;
		break;
	case OPC_MPROTECT:
		op->code = VSK_MPROTECT;
		op->prot = (int)sop->a[2];
		if ((u64)sop->a[0] != base || (u64)sop->a[1] != (u64)pages << PAGE_SHIFT)
			return replay_err(err, n, s->path, sop->line, sop->col,
					  "expected mprotect of the whole mapping (%#llx %#llx): the model does not split VMAs",
					  (unsigned long long)base,
					  (unsigned long long)pages << PAGE_SHIFT);
		break;
	case OPC_PAGEMAP_SCAN:
		op->code = VSK_SCAN;
		op->scan = (struct vsk_scan){
			.flags = (u64)k[SCAN_FLAGS],
			.category_inverted = (u64)k[SCAN_INVERTED],
			.category_mask = (u64)k[SCAN_MASK],
			.category_anyof_mask = (u64)k[SCAN_ANYOF],
			.return_mask = (u64)k[SCAN_RETURN],
			.max_pages = (u64)k[SCAN_MAX_PAGES],
			.vec_len = (u32)k[SCAN_VEC],	/* scn_instantiate(): 0 .. 64 */
		};
		break;
	default:
		return replay_err(err, n, s->path, sop->line, sop->col,
				  "expected read, write, uffd_wp, uffd_unwp, uffd_copy, uffd_zeropage, madvise_dontneed, mprotect or pagemap_scan, found '%s'",
				  scn_ops[sop->code].name);
	}
	return replay_range(s, sop, base, pages, op, err, n);
}

static const char *const decl_names[] = {
	[D_FILE] = "file", [D_PROCESS] = "process", [D_MMAP] = "mmap",
	[D_VM] = "vm", [D_MEMSLOT] = "memslot", [D_ACTOR] = "actor",
};

/* Checks the shape of s (see above) and converts it into r. */
static int replay_convert(const struct scn *s, const struct scn_inst *in, struct vsk_replay *r,
			  char *err, size_t n)
{
	int count[D_ACTOR + 1] = { 0 }, map = -1, actor_decl = -1;
	const struct scn_actor_inst *a;
	const struct scn_op *reg;
	u64 base = 0;

	if (s->nr_expects)
		return replay_err(err, n, s->path, s->expects[0].line, 1,
				  "expect lines are for adsim check: expected none in a vs-kernel replay");
	for (int i = 0; i < s->nr_decls; i++) {
		const struct scn_decl *d = &s->decls[i];

		if (d->kind == D_VM || d->kind == D_MEMSLOT)
			return replay_err(err, n, s->path, d->line, d->col,
					  "expected file, process, mmap, setup or actor, found a %s: vs-kernel replays one process's mapping",
					  decl_names[d->kind]);
		if (count[d->kind]++)
			return replay_err(err, n, s->path, d->line, d->col,
					  "a second %s: expected one %s in a vs-kernel replay",
					  decl_names[d->kind], decl_names[d->kind]);
		if (d->kind == D_MMAP)
			map = i;
		if (d->kind == D_ACTOR)
			actor_decl = i;
	}
	if (map < 0)
		return replay_err(err, n, s->path, 1, 1,
				  "expected an mmap declaration: vs-kernel replays one mapping");
	if (count[D_FILE] && !s->decls[map].file[0])
		for (int i = 0; i < s->nr_decls; i++)
			if (s->decls[i].kind == D_FILE)
				return replay_err(err, n, s->path, s->decls[i].line,
						  s->decls[i].col,
						  "file %s is not mapped: expected the mmap to map it, or no file",
						  s->decls[i].name);
	if (scn_decl_index(s, D_PROCESS, s->decls[map].ref) < 0)
		return replay_err(err, n, s->path, s->decls[map].line, s->decls[map].col,
				  "unknown process '%s'", s->decls[map].ref);
	if (replay_mapping(s, in, map, r, &base, err, n))
		return -1;

	/* the set-up: exactly the registration of the whole mapping */
	reg = in->nr_setup ? &in->setup[0] : NULL;
	if (!reg || reg->code != OPC_UFFD_REGISTER)
		return replay_err(err, n, s->path, reg ? reg->line : s->decls[map].line,
				  reg ? reg->col : s->decls[map].col,
				  "expected 'setup { uffd_register %s %#llx %#llx }' registering the whole mapping%s%s%s",
				  s->decls[map].ref, (unsigned long long)base,
				  (unsigned long long)r->q.pages << PAGE_SHIFT,
				  reg ? ", found '" : "", reg ? scn_ops[reg->code].name : "",
				  reg ? "'" : "");
	if ((u64)reg->a[0] != base || (u64)reg->a[1] != (u64)r->q.pages << PAGE_SHIFT)
		return replay_err(err, n, s->path, reg->line, reg->col,
				  "expected uffd_register of the whole mapping (%#llx %#llx)",
				  (unsigned long long)base,
				  (unsigned long long)r->q.pages << PAGE_SHIFT);
	if (in->nr_setup > 1)
		return replay_err(err, n, s->path, in->setup[1].line, in->setup[1].col,
				  "expected uffd_register alone in setup, found '%s'",
				  scn_ops[in->setup[1].code].name);

	/* one CPU of that process */
	a = &in->actors[0];
	if (in->nr_actors != 1 || a->kind != 'c' ||
	    a->ref != scn_decl_index(s, D_PROCESS, s->decls[map].ref))
		return replay_err(err, n, s->path, s->decls[actor_decl].line,
				  s->decls[actor_decl].col,
				  "expected one actor 'actor NAME cpu %s { ... }'%s",
				  s->decls[map].ref,
				  in->nr_actors != 1 ? ", found a replicated actor" : "");
	r->q.n = 0;
	for (int i = 0; i < a->nr_ops; i++) {
		if (replay_op(s, &a->ops[i], base, r->q.pages, &r->q.op[i], err, n))
			return -1;
		r->line[i] = a->ops[i].line;
		r->col[i] = a->ops[i].col;
		r->q.n++;
	}
	return 0;
}

/*
 * Parses and converts path; the model's variants are the file's `set`
 * lines, then the command line's --set.  0, or -1 with
 * "file:line:col: ..." in err.
 */
static int replay_load(const char *path, const struct vsk_opts *o, struct vsk_replay *r,
		       char *err, size_t n)
{
	struct scn *s = calloc(1, sizeof(*s));
	struct scn_inst *in = calloc(1, sizeof(*in));
	char *src = NULL;
	int ret = -1;

	if (!s || !in) {
		snprintf(err, n, "%s: out of memory", path);
		goto out;
	}
	src = scn_read_file(path, err, n);
	if (!src || scn_parse(s, path, src, err, n) || scn_instantiate(s, in, err, n) ||
	    replay_convert(s, in, r, err, n))
		goto out;
	/* o->cfg holds --set and the kernel profile; the file's set lines
	 * give way to --set only */
	r->cfg = s->cfg;
	for (int i = 0; i < NR_VARIANTS; i++)
		if (o->cfg_set[i] || !s->cfg_set[i])
			r->cfg.v[i] = o->cfg.v[i];
	ret = 0;
out:
	if (s)
		scn_free(s);
	free(s);
	free(in);
	free(src);
	return ret;
}

/*
 * Runs the scenario's operations on both sides and prints each with its
 * verdict: an agreeing one with the common result, a disagreeing one
 * with both.  Every operation runs, whatever came before.
 */
static int replay(const struct vsk_opts *o)
{
	static struct vsk_replay r;
	struct vsk_result k, m;
	struct vsk_sides sd;
	char err[512], sets[256];
	u32 bad = 0, first_bad = 0;
	int ret;

	memset(&r, 0, sizeof(r));
	if (replay_load(o->replay, o, &r, err, sizeof(err))) {
		fprintf(stderr, "adsim vs-kernel: %s\n", err);
		return 2;
	}
	ret = sides_open(&sd, r.q.mapping, r.q.pages, &r.cfg, err, sizeof(err));
	if (ret) {
		fprintf(stderr, "adsim vs-kernel: %s\n", err);
		return ret == HOST_SKIP ? 77 : 2;
	}
	format_sets(&r.cfg, NULL, sets, sizeof(sets));
	printf("# adsim vs-kernel --replay %s%s: %s mapping of %u pages, %u operations\n",
	       o->replay, sets, r.q.mapping == VSK_MEMFD ? "memfd" : "anon", r.q.pages, r.q.n);
	for (u32 i = 0; i < r.q.n; i++) {
		bool same;

		host_run(sd.host, &r.q.op[i], &k);
		vsk_model_run(&sd.model, &r.q.op[i], &m);
		same = result_equal(&k, &m);
		printf("%s:%d:%d: %s", o->replay, r.line[i], r.col[i], same ? "agree" : "DISAGREE");
		print_op(stdout, &r.q.op[i]);
		if (same) {
			print_result(stdout, "", "both", &k);
			continue;
		}
		print_result(stdout, "", "kernel", &k);
		print_result(stdout, "", "model", &m);
		if (!bad++)
			first_bad = i;
	}
	sides_close(&sd);
	if (bad)
		printf("%u of %u operations disagree, the first at %s:%d:%d\n", bad, r.q.n,
		       o->replay, r.line[first_bad], r.col[first_bad]);
	else
		printf("all %u operations agree\n", r.q.n);
	return bad ? 1 : 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adsim vs-kernel [--seed N] [--sequences N] [--ops N] [--pages N]\n"
		"                       [--mapping anon|memfd|both] [--set NAME=VALUE]... [--json]\n"
		"       adsim vs-kernel --replay FILE [--set NAME=VALUE]...\n"
		"       adsim vs-kernel --list-mutations\n"
		"       adsim vs-kernel --profile\n"
		"\n"
		"Runs random operation sequences (reads, writes, UFFDIO_WRITEPROTECT,\n"
		"UFFDIO_COPY, UFFDIO_ZEROPAGE, MADV_DONTNEED, mprotect, PAGEMAP_SCAN) on a\n"
		"userfaultfd-registered mapping of the real kernel and of the model, and\n"
		"compares every result.  Defaults: --seed 1 --sequences 200 --ops 24\n"
		"--pages 1536 --mapping both.  Needs userfaultfd (root, or\n"
		"vm.unprivileged_userfaultfd=1) with UFFD_FEATURE_WP_ASYNC and PAGEMAP_SCAN.\n"
		"\n"
		"First it probes the running kernel with small experiments (the zero page\n"
		"on anonymous read faults and UFFDIO_ZEROPAGE, THP, soft-dirty, swap, the\n"
		"userfaultfd features, PAGEMAP_SCAN), prints the profile on stderr, and runs\n"
		"the model with the matching variants (zero_page); --set overrides them.\n"
		"--profile prints the profile alone.\n"
		"\n"
		"--replay FILE runs the operations of a scenario in the shape a disagreement\n"
		"is printed in (one process, one anonymous private or shmem-file shared\n"
		"mapping registered in setup, one cpu actor) on both sides and reports each\n"
		"operation's agreement; --set overrides the file's set lines.\n"
		"\n"
		"exit status: 0 all agree, 1 a disagreement (shrunk and printed as a\n"
		"scenario file), 2 bad usage or input (file:line:col), 77 the kernel or the\n"
		"user cannot run it\n");
}

/*
 * The variants the kernel profile decides, unless --set gave them: the
 * model then runs the running kernel's configuration, not mainline's
 * defaults (docs/vs-kernel.md, "The kernel profile").
 */
static void profile_variants(const struct host_profile *p, struct variant_cfg *cfg,
			     const bool *cfg_set)
{
	if (!cfg_set[VARIANT_zero_page] && p->zero_page >= 0)
		cfg->v[VARIANT_zero_page] = p->zero_page ? zero_page__yes :
					    p->uffd_zero_page == 1 ? zero_page__uffd_only :
								     zero_page__no;
}

static int parse_u64(const char *s, u64 lo, u64 hi, u64 *v)
{
	char *end;
	unsigned long long x;

	if (!s || !*s)
		return -1;
	x = strtoull(s, &end, 0);
	if (*end || x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

static int list_mutations(void)
{
	for (int i = 0; i < NR_VARIANTS; i++) {
		const struct variant_desc *d = &variant_table[i];

		if (!d->mutation)
			continue;
		for (int j = 0; j < d->nr_values; j++)
			if (j != d->dflt)
				printf("%s=%s %s\n", d->name, d->values[j], d->descs[j]);
	}
	return 0;
}

/*
 * The command line into o.  -1 to go on, or the exit status (0 after
 * --help or --list-mutations, 2 on bad usage, printed).
 */
static int vsk_args(int argc, char **argv, struct vsk_opts *o)
{
	const char *sequence_opt = NULL;	/* an option --replay does not take */

	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		u64 x;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list-mutations")) {
			return list_mutations();
		} else if (!strcmp(a, "--json")) {
			o->json = true;
			sequence_opt = a;
			continue;
		} else if (!strcmp(a, "--profile")) {
			o->profile = true;
			continue;
		} else if (!strcmp(a, "--replay") && v) {
			o->replay = v;
		} else if (!strcmp(a, "--seed") && !parse_u64(v, 0, ~0ULL, &x)) {
			o->seed = x;
		} else if (!strcmp(a, "--sequences") && !parse_u64(v, 1, 1ULL << 40, &x)) {
			o->sequences = x;
		} else if (!strcmp(a, "--ops") && !parse_u64(v, 1, VSK_MAX_OPS - 1, &x)) {
			o->ops = (u32)x;
		} else if (!strcmp(a, "--pages") && !parse_u64(v, 1, 1u << 20, &x)) {
			o->pages = (u32)x;
		} else if (!strcmp(a, "--mapping") && v &&
			   (!strcmp(v, "anon") || !strcmp(v, "memfd") || !strcmp(v, "both"))) {
			o->anon = strcmp(v, "memfd") != 0;
			o->memfd = strcmp(v, "anon") != 0;
		} else if (!strcmp(a, "--set") && v) {
			char err[256];
			int id, val;

			if (variant_parse(v, &id, &val, err, sizeof(err))) {
				fprintf(stderr, "adsim vs-kernel: --set %s\n", err);
				return 2;
			}
			o->cfg.v[id] = (u8)val;
			o->cfg_set[id] = true;
			i++;
			continue;
		} else {
			fprintf(stderr, "adsim vs-kernel: bad argument '%s'%s%s\n", a,
				v ? " " : "", v ? v : "");
			usage(stderr);
			return 2;
		}
		if (strcmp(a, "--replay"))
			sequence_opt = a;
		i++;
	}
	if (o->replay && sequence_opt) {
		fprintf(stderr, "adsim vs-kernel: --replay takes only --set, not %s\n", sequence_opt);
		return 2;
	}
	return -1;
}

/* The verdict of the sequences run on each mapping: a line each, or JSON. */
static void vsk_print(const struct vsk_opts *o, const struct host_profile *prof, int status,
		      const double secs[2], const u64 done[2])
{
	static const char *const mapping_names[] = { "anon", "memfd" };

	if (o->json) {
		printf("{\"seed\":%llu,\"ops\":%u,\"pages\":%u,\"kernel\":\"%s\",\"zero_page\":\"%s\",\"agree\":%s,\"mappings\":[",
		       (unsigned long long)o->seed, o->ops, o->pages, prof->release,
		       variant_table[VARIANT_zero_page].values[o->cfg.v[VARIANT_zero_page]],
		       status ? "false" : "true");
		for (int mi = 0, first = 1; mi < 2; mi++) {
			if (!done[mi])
				continue;
			printf("%s{\"mapping\":\"%s\",\"sequences\":%llu,\"seconds\":%.3f,\"sequences_per_second\":%.1f}",
			       first ? "" : ",", mapping_names[mi], (unsigned long long)done[mi],
			       secs[mi], secs[mi] > 0 ? done[mi] / secs[mi] : 0.0);
			first = 0;
		}
		printf("]}\n");
	} else if (!status) {
		for (int mi = 0; mi < 2; mi++)
			if (done[mi])
				printf("%s: %llu sequences of %u operations on %u pages agree (%.0f sequences/s)\n",
				       mapping_names[mi], (unsigned long long)done[mi], o->ops, o->pages,
				       secs[mi] > 0 ? done[mi] / secs[mi] : 0.0);
	}
}

int vskernel_main(int argc, char **argv)
{
	static struct vsk_opts o = { .seed = 1, .sequences = 200, .ops = 24, .pages = 1536,
				     .anon = true, .memfd = true };
	double secs[2] = { 0 };
	u64 done[2] = { 0 };
	int status = 0;
	struct host_profile prof;

	variant_defaults(&o.cfg);
	status = vsk_args(argc, argv, &o);
	if (status >= 0)
		return status;
	status = 0;
	host_probe(&prof);
	host_profile_format(&prof, o.profile_line, sizeof(o.profile_line));
	if (o.profile) {
		printf("%s\n", o.profile_line);
		return 0;
	}
	profile_variants(&prof, &o.cfg, o.cfg_set);
	if (!o.json)
		fprintf(stderr, "%s\n", o.profile_line);
	if (o.replay)
		return replay(&o);
	for (int mi = 0; mi < 2 && !status; mi++) {
		if (!(mi == 0 ? o.anon : o.memfd))
			continue;
		status = run_mapping(&o, mi == 0 ? VSK_ANON : VSK_MEMFD, &secs[mi], &done[mi]);
	}
	if (status == 77 || status == 2)
		return status;
	vsk_print(&o, &prof, status, secs, done);
	return status;
}
