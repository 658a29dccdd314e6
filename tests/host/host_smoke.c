// SPDX-License-Identifier: GPL-2.0
/*
 * host_smoke: the host layer against the running kernel, on both kinds of
 * mapping.  Writes pages 3 and 700 of a 1024-page mapping, then collects
 * the written pages with PAGEMAP_SCAN (PM_SCAN_WP_MATCHING, so collecting
 * write-protects them again); writes page 3 once more and collects again.
 * Prints every result.  Exit status 0, 77 when the kernel or the user
 * cannot run it (the reason on stderr), 1 on any other failure.
 */
#include <stdio.h>
#include <string.h>

#include "../../host/host.h"

#define PAGES 1024

static void print_result(const char *what, const struct vsk_result *r)
{
	uint32_t i;

	printf("  %-14s ret %lld", what, (long long)r->ret);
	if (r->ret < 0)
		printf(" err %s", strerror(r->err));
	if (r->count)
		printf(" count %lld", (long long)r->count);
	if (r->walk_end)
		printf(" walk_end %llu", (unsigned long long)r->walk_end);
	for (i = 0; i < r->nr_regions; i++)
		printf(" [%llu,%llu)=%#llx",
		       (unsigned long long)r->regions[i].start,
		       (unsigned long long)r->regions[i].end,
		       (unsigned long long)r->regions[i].categories);
	printf("\n");
}

static int run(struct host *h, const struct vsk_op *op, const char *what)
{
	struct vsk_result r;

	host_run(h, op, &r);
	print_result(what, &r);
	return r.ret < 0;
}

static int smoke(enum vsk_mapping mapping, const char *name)
{
	struct vsk_op write = { .code = VSK_WRITE };
	struct vsk_op scan = {
		.code = VSK_SCAN,
		.page = 0,
		.nr = PAGES,
		.scan = {
			.flags = VSK_PM_SCAN_WP_MATCHING,
			.category_mask = VSK_PAGE_IS_WRITTEN,
			.return_mask = VSK_PAGE_IS_WRITTEN,
			.vec_len = 8,
		},
	};
	struct host *h;
	char why[256];
	int ret, bad = 0;

	ret = host_open(&h, mapping, PAGES, why, sizeof(why));
	if (ret) {
		fprintf(stderr, "host_smoke: %s: %s\n", name, why);
		return ret;
	}
	printf("%s, %d pages\n", name, PAGES);
	write.page = 3;
	bad |= run(h, &write, "write 3");
	write.page = 700;
	bad |= run(h, &write, "write 700");
	bad |= run(h, &scan, "scan");
	write.page = 3;
	bad |= run(h, &write, "write 3");
	bad |= run(h, &scan, "scan");

	if (host_reset(h)) {
		perror("host_smoke: host_reset");
		bad = 1;
	} else {
		printf("%s, after host_reset\n", name);
		bad |= run(h, &scan, "scan");
	}
	host_close(h);
	return bad;
}

int main(void)
{
	int ret;

	ret = smoke(VSK_ANON, "anon");
	if (!ret)
		ret = smoke(VSK_MEMFD, "memfd");
	return ret == HOST_SKIP ? HOST_SKIP : ret ? 1 : 0;
}
