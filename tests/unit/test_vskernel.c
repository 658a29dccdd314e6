// SPDX-License-Identifier: GPL-2.0
/*
 * vskernel/model.c: the zero_page variant, which `adsim vs-kernel` sets
 * from its probe of the running kernel.  One anonymous mapping registered
 * as vs-kernel registers it; page 0 is read, page 2 filled by
 * UFFDIO_ZEROPAGE, and a PAGEMAP_SCAN reports each page's categories:
 *
 *   zero_page   page 0 (read fault)          page 2 (UFFDIO_ZEROPAGE)
 *   yes         zero page                    zero page
 *   no          a folio, written (RW+D)      a folio
 *   uffd_only   a folio, written (RW+D)      zero page
 */
#include "unit.h"

#include <string.h>

#include "../../vskernel/model.h"

/* The categories of page p in a scan's result; 0 if no region holds it. */
static u64 vsk_categories(const struct vsk_result *r, u64 p)
{
	for (u32 i = 0; i < r->nr_regions; i++)
		if (r->regions[i].start <= p && p < r->regions[i].end)
			return r->regions[i].categories;
	return 0;
}

TEST(vskernel_zero_page_variant)
{
	static const int values[] = { zero_page__yes, zero_page__no, zero_page__uffd_only };

	for (unsigned i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		static struct vsk_model m;
		static struct vsk_result r;
		struct vsk_op read = { .code = VSK_READ, .page = 0 };
		struct vsk_op zero = { .code = VSK_ZEROPAGE, .page = 2, .nr = 1 };
		struct vsk_op scan = { .code = VSK_SCAN, .page = 0, .nr = 4,
				       .scan = { .return_mask = VSK_PM_SCAN_CATEGORIES,
						 .vec_len = VSK_MAX_REGIONS } };
		struct variant_cfg cfg;
		char err[256];
		u64 c0, c2;

		variant_defaults(&cfg);
		cfg.v[VARIANT_zero_page] = (u8)values[i];
		CHECK(vsk_model_open(&m, VSK_ANON, 512, &cfg, err, sizeof(err)) == 0);
		vsk_model_run(&m, &read, &r);
		CHECK_EQ(r.ret, 0);
		CHECK_EQ(r.count, 1);		/* one fault, whatever it maps */
		vsk_model_run(&m, &zero, &r);
		CHECK_EQ(r.ret, 0);
		CHECK_EQ(r.count, 4096);
		vsk_model_run(&m, &scan, &r);
		c0 = vsk_categories(&r, 0);
		c2 = vsk_categories(&r, 2);
		CHECK(c0 & VSK_PAGE_IS_PRESENT);
		CHECK(c2 & VSK_PAGE_IS_PRESENT);
		CHECK_EQ(!!(c0 & VSK_PAGE_IS_PFNZERO), values[i] == zero_page__yes);
		CHECK_EQ(!!(c2 & VSK_PAGE_IS_PFNZERO), values[i] != zero_page__no);
		/* a read that maps a folio needs no write-protect fault to write it */
		if (values[i] != zero_page__yes) {
			struct vsk_op write = { .code = VSK_WRITE, .page = 0 };

			vsk_model_run(&m, &write, &r);
			CHECK_EQ(r.count, 0);
		}
		vsk_model_close(&m);
	}
}
