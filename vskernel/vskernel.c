// SPDX-License-Identifier: GPL-2.0
/*
 * adsim vs-kernel: random operation sequences on one userfaultfd-registered
 * mapping, run on the real kernel (host/) and on the model
 * (vskernel/model.c); every operation's result is compared: return value,
 * errno, UFFDIO_COPY/ZEROPAGE progress, the page faults an access took,
 * and each PAGEMAP_SCAN's regions, categories and walk_end.  A
 * disagreement is shrunk to a minimal sequence and printed as a scenario.
 *
 * Exit status: 0 all agree, 1 a disagreement, 2 usage, 77 the kernel or
 * the user cannot run the comparison (the reason is printed).
 */
#include "vskernel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cli/scn.h"
#include "../host/host.h"
#include "model.h"

#define VSK_MAX_OPS 256

struct vsk_opts {
	u64 seed;
	u64 sequences;
	u32 ops, pages;
	bool anon, memfd, json;
	struct variant_cfg cfg;
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

static void print_result(FILE *f, const char *side, const struct vsk_result *r)
{
	fprintf(f, "  %-7s ret %lld", side, (long long)r->ret);
	if (r->ret < 0)
		fprintf(f, " (%s)", strerror(r->err));
	fprintf(f, " count %lld walk_end %llu", (long long)r->count,
		(unsigned long long)r->walk_end);
	for (u32 i = 0; i < r->nr_regions; i++) {
		fprintf(f, "%s[%llu, %llu) ", i ? " " : "\n           regions ",
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

static void report(const struct vsk_opts *o, struct vsk_seq *q, u64 index, int bad)
{
	struct vsk_sides sd;
	struct vsk_result k, m;
	char origin[160], why[256];

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
			print_result(stdout, "kernel", &k);
			print_result(stdout, "model", &m);
		}
	}
	snprintf(origin, sizeof(origin),
		 "adsim vs-kernel --seed %llu: %s sequence %llu, shrunk",
		 (unsigned long long)o->seed, q->mapping == VSK_MEMFD ? "memfd" : "anon",
		 (unsigned long long)index);
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

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adsim vs-kernel [--seed N] [--sequences N] [--ops N] [--pages N]\n"
		"                       [--mapping anon|memfd|both] [--set NAME=VALUE]... [--json]\n"
		"       adsim vs-kernel --list-mutations\n"
		"\n"
		"Runs random operation sequences (reads, writes, UFFDIO_WRITEPROTECT,\n"
		"UFFDIO_COPY, UFFDIO_ZEROPAGE, MADV_DONTNEED, mprotect, PAGEMAP_SCAN) on a\n"
		"userfaultfd-registered mapping of the real kernel and of the model, and\n"
		"compares every result.  Defaults: --seed 1 --sequences 200 --ops 24\n"
		"--pages 1536 --mapping both.  Needs userfaultfd (root, or\n"
		"vm.unprivileged_userfaultfd=1) with UFFD_FEATURE_WP_ASYNC and PAGEMAP_SCAN.\n"
		"\n"
		"exit status: 0 all agree, 1 a disagreement (shrunk and printed as a\n"
		"scenario), 2 bad usage, 77 the kernel or the user cannot run it\n");
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

int vskernel_main(int argc, char **argv)
{
	struct vsk_opts o = { .seed = 1, .sequences = 200, .ops = 24, .pages = 1536,
			      .anon = true, .memfd = true };
	const char *mapping_names[] = { "anon", "memfd" };
	double secs[2] = { 0 };
	u64 done[2] = { 0 };
	int status = 0;

	variant_defaults(&o.cfg);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		u64 x;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "--list-mutations")) {
			return list_mutations();
		} else if (!strcmp(a, "--json")) {
			o.json = true;
			continue;
		} else if (!strcmp(a, "--seed") && !parse_u64(v, 0, ~0ULL, &x)) {
			o.seed = x;
		} else if (!strcmp(a, "--sequences") && !parse_u64(v, 1, 1ULL << 40, &x)) {
			o.sequences = x;
		} else if (!strcmp(a, "--ops") && !parse_u64(v, 1, VSK_MAX_OPS - 1, &x)) {
			o.ops = (u32)x;
		} else if (!strcmp(a, "--pages") && !parse_u64(v, 1, 1u << 20, &x)) {
			o.pages = (u32)x;
		} else if (!strcmp(a, "--mapping") && v &&
			   (!strcmp(v, "anon") || !strcmp(v, "memfd") || !strcmp(v, "both"))) {
			o.anon = strcmp(v, "memfd") != 0;
			o.memfd = strcmp(v, "anon") != 0;
		} else if (!strcmp(a, "--set") && v) {
			char name[64];
			const char *eq = strchr(v, '=');
			int id, val = -1;

			if (eq && (size_t)(eq - v) < sizeof(name)) {
				memcpy(name, v, (size_t)(eq - v));
				name[eq - v] = 0;
				id = variant_lookup(name);
				if (id >= 0)
					val = variant_value_lookup(id, eq + 1);
				if (val >= 0) {
					o.cfg.v[id] = (u8)val;
					i++;
					continue;
				}
			}
			fprintf(stderr, "adsim vs-kernel: --set %s: expected NAME=VALUE of a variant (adsim variants lists them)\n",
				v);
			return 2;
		} else {
			fprintf(stderr, "adsim vs-kernel: bad argument '%s'%s%s\n", a,
				v ? " " : "", v ? v : "");
			usage(stderr);
			return 2;
		}
		i++;
	}
	for (int mi = 0; mi < 2 && !status; mi++) {
		if (!(mi == 0 ? o.anon : o.memfd))
			continue;
		status = run_mapping(&o, mi == 0 ? VSK_ANON : VSK_MEMFD, &secs[mi], &done[mi]);
	}
	if (status == 77 || status == 2)
		return status;
	if (o.json) {
		printf("{\"seed\":%llu,\"ops\":%u,\"pages\":%u,\"agree\":%s,\"mappings\":[",
		       (unsigned long long)o.seed, o.ops, o.pages, status ? "false" : "true");
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
				       mapping_names[mi], (unsigned long long)done[mi], o.ops, o.pages,
				       secs[mi] > 0 ? done[mi] / secs[mi] : 0.0);
	}
	return status;
}
