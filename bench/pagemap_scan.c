// SPDX-License-Identifier: GPL-2.0
/*
 * PAGEMAP_SCAN with PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
 * category_mask = return_mask = PAGE_IS_WRITTEN (the written-only fast
 * path a CRIU-like consumer uses) over one large mapping, on the running
 * kernel (host/) and on the model (vskernel/model.c), on the same pattern
 * of written pages.
 *
 * Both sides: a mapping of PAGES pages registered with userfaultfd in
 * async write-protect mode; every page written once (so that all are
 * present), the whole mapping write-protected with UFFDIO_WRITEPROTECT,
 * then, for each round, the pattern written and the scan timed.  The
 * scan reports the pattern's pages and write-protects them again, so
 * every round starts from the same state.  The pattern is evenly spread:
 * written page k of n is k * PAGES / n.  Each side's regions must equal
 * the other's and cover exactly the pattern; a mismatch is reported and
 * makes the exit status 1.
 *
 *   pagemap_scan anon|memfd PAGES ROUNDS PERCENT...
 *
 * One Markdown table row per percentage: the median of ROUNDS scans on
 * each side, and the ratio model / kernel.  Exit status: 0, 1 a
 * mismatch, 2 usage or set-up failure, 77 the kernel cannot run it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../host/host.h"
#include "../vskernel/model.h"
#include "bench.h"

#define MAX_ROUNDS 101

/* Writes page on both sides; false if either access failed. */
static bool write_both(struct host *h, struct vsk_model *m, u32 page)
{
	struct vsk_op op = { .code = VSK_WRITE, .page = page, .nr = 1 };
	struct vsk_result kr, mr;

	host_run(h, &op, &kr);
	vsk_model_run(m, &op, &mr);
	return kr.ret == 0 && mr.ret == 0;
}

/* The pages the regions cover. */
static u64 region_pages(const struct vsk_region *vec, long n)
{
	u64 pages = 0;

	for (long i = 0; i < n; i++)
		pages += vec[i].end - vec[i].start;
	return pages;
}

/* Whether the regions are exactly the pattern's pages, n of pages. */
static bool covers_pattern(const struct vsk_region *vec, long nr, u64 n, u64 pages)
{
	u64 k = 0;

	for (long i = 0; i < nr; i++)
		for (u64 p = vec[i].start; p < vec[i].end; p++, k++)
			if (k >= n || p != k * pages / n)
				return false;
	return k == n;
}

/* The model's scan, its regions in pages; the scan alone is timed. */
static long model_scan(struct vsk_model *m, u32 pages, struct page_region *buf,
		       struct vsk_region *vec, u64 vec_len, double *secs)
{
	struct pm_scan_arg arg = {
		.size = sizeof(arg),
		.flags = PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC,
		.start = VSK_MODEL_BASE,
		.end = VSK_MODEL_BASE + ((u64)pages << PAGE_SHIFT),
		.vec = 1,
		.vec_len = vec_len,
		.category_mask = PAGE_IS_WRITTEN,
		.return_mask = PAGE_IS_WRITTEN,
	};
	double t0;
	long n;

	exec_engine = NULL;
	t0 = now();
	n = do_pagemap_scan(m->mm, &arg, buf);
	*secs = now() - t0;
	for (long i = 0; i < n; i++)
		vec[i] = (struct vsk_region){ (buf[i].start - VSK_MODEL_BASE) >> PAGE_SHIFT,
					      (buf[i].end - VSK_MODEL_BASE) >> PAGE_SHIFT,
					      buf[i].categories };
	return n;
}

int main(int argc, char **argv)
{
	enum vsk_mapping mapping;
	struct vsk_model model;
	struct variant_cfg cfg;
	struct host *h;
	struct vsk_region *kvec, *mvec;
	struct page_region *mbuf;
	struct vsk_result r;
	u32 pages, rounds;
	char why[256];
	int status = 0, ret;

	if (argc < 5 || (strcmp(argv[1], "anon") && strcmp(argv[1], "memfd")) ||
	    (pages = (u32)strtoul(argv[2], NULL, 0)) < 1 || pages > (1u << 20) ||
	    (rounds = (u32)strtoul(argv[3], NULL, 0)) < 1 || rounds > MAX_ROUNDS) {
		fprintf(stderr, "usage: pagemap_scan anon|memfd PAGES ROUNDS PERCENT...\n");
		return 2;
	}
	mapping = strcmp(argv[1], "anon") ? VSK_MEMFD : VSK_ANON;
	ret = host_open(&h, mapping, pages, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "pagemap_scan: %s\n", why);
		return ret == HOST_SKIP ? 77 : 2;
	}
	variant_defaults(&cfg);
	if (vsk_model_open(&model, mapping, pages, &cfg, why, sizeof(why))) {
		fprintf(stderr, "pagemap_scan: %s\n", why);
		host_close(h);
		return 2;
	}
	kvec = calloc(pages, sizeof(*kvec));
	mvec = calloc(pages, sizeof(*mvec));
	mbuf = calloc(pages, sizeof(*mbuf));
	if (!kvec || !mvec || !mbuf) {
		fprintf(stderr, "pagemap_scan: out of memory\n");
		return 2;
	}

	/* every page present, then all of them write-protected */
	for (u32 p = 0; p < pages; p++)
		if (!write_both(h, &model, p)) {
			fprintf(stderr, "pagemap_scan: populating page %u failed\n", p);
			return 2;
		}
	{
		struct vsk_op wp = { .code = VSK_WP, .page = 0, .nr = pages };
		struct vsk_result mr;

		host_run(h, &wp, &r);
		vsk_model_run(&model, &wp, &mr);
		if (r.ret || mr.ret) {
			fprintf(stderr, "pagemap_scan: UFFDIO_WRITEPROTECT failed: kernel %s, model %d\n",
				r.ret ? strerror(r.err) : "ok", mr.err);
			return 2;
		}
	}

	for (int a = 4; a < argc; a++) {
		double pct = strtod(argv[a], NULL), kt[MAX_ROUNDS], mt[MAX_ROUNDS];
		u64 n = (u64)(pages * pct / 100 + 0.5), kpages = 0, mpages = 0;
		long kn = 0, mn = 0;
		bool same = true;
		const char *verdict = "yes";

		if (n < 1 || n > pages) {
			fprintf(stderr, "pagemap_scan: %s%%: expected from one page to 100%%\n", argv[a]);
			return 2;
		}
		for (u32 round = 0; round < rounds; round++) {
			struct vsk_op scan = {
				.code = VSK_SCAN, .page = 0, .nr = pages,
				.scan = { .flags = VSK_PM_SCAN_WP_MATCHING | VSK_PM_SCAN_CHECK_WPASYNC,
					  .category_mask = VSK_PAGE_IS_WRITTEN,
					  .return_mask = VSK_PAGE_IS_WRITTEN },
			};
			double t0;

			for (u64 k = 0; k < n; k++)
				if (!write_both(h, &model, (u32)(k * pages / n))) {
					fprintf(stderr, "pagemap_scan: writing the pattern failed\n");
					return 2;
				}
			t0 = now();
			host_scan_vec(h, &scan, kvec, pages, &r);
			kt[round] = now() - t0;
			kn = r.ret;
			mn = model_scan(&model, pages, mbuf, mvec, pages, &mt[round]);
			if (kn < 0 || mn < 0) {
				fprintf(stderr, "pagemap_scan: PAGEMAP_SCAN failed: kernel %ld (%s), model %ld\n",
					kn, kn < 0 ? strerror(r.err) : "ok", mn);
				return 2;
			}
			kpages = region_pages(kvec, kn);
			mpages = region_pages(mvec, mn);
			if (kn != mn || memcmp(kvec, mvec, (size_t)kn * sizeof(*kvec)))
				same = false;
			if (!same || kpages != n || mpages != n || !covers_pattern(kvec, kn, n, pages)) {
				fprintf(stderr, "pagemap_scan: %s %s%%, round %u: kernel %ld regions, %llu pages; model %ld regions, %llu pages; pattern %llu pages\n",
					argv[1], argv[a], round, kn, (unsigned long long)kpages, mn,
					(unsigned long long)mpages, (unsigned long long)n);
				verdict = "**no**";
				status = 1;
			}
		}
		{
			double km = median(kt, (int)rounds) * 1e3, mm = median(mt, (int)rounds) * 1e3;

			printf("| %s | %s%% | %llu | %ld | %.3f | %.3f | %.1f | %s |\n", argv[1],
			       argv[a], (unsigned long long)kpages, kn, km, mm, km > 0 ? mm / km : 0.0,
			       verdict);
		}
	}
	free(kvec);
	free(mvec);
	free(mbuf);
	vsk_model_close(&model);
	host_close(h);
	return status;
}
