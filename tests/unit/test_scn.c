// SPDX-License-Identifier: GPL-2.0
/* cli/scn: errors name file:line:column and what was expected. */
#include "unit.h"

#include "../../cli/scn.h"
#include "../../exec/exec.h"

#include <string.h>

static void expect_error(const char *src, const char *want)
{
	struct scn s;
	char err[512] = "";
	int rc = scn_parse(&s, "t.adsim", src, err, sizeof(err));

	if (rc == 0 || !strstr(err, want)) {
		unit_failures++;
		printf("    input %.40s...: got '%s', expected '%s'\n", src, err, want);
	}
	scn_free(&s);
}

TEST(scn_errors_have_positions)
{
	expect_error("scenario x\nactor a kthread {\n  frobnicate 1\n}\n",
		     "t.adsim:3:3: unknown operation 'frobnicate'");
	expect_error("scenario x\nparam n = \n", "t.adsim:2:");
	expect_error("scenario \"x\n", "t.adsim:1:10: unterminated string");
	expect_error("scenario x\nexpect arch=arm : none\n", "t.adsim:2:8: unknown variant setting arch=arm");
	expect_error("scenario x\nexpect : maybe\n", "t.adsim:2:10: expected a verdict");
	expect_error("scenario x\nset nosuch = 1\n", "t.adsim:2:");
	expect_error("scenario x\nactor a kthread {\n", "t.adsim:");
	expect_error("scenario x\n@\n", "t.adsim:2:1: unexpected character '@'");
}

TEST(scn_expect_alternatives)
{
	struct scn s;
	char err[512];

	CHECK_EQ(scn_parse(&s, "t.adsim", "scenario x\nexpect arch=x86 : lost_write | stale_tlb\n",
			   err, sizeof(err)), 0);
	CHECK_EQ(s.nr_expects, 1);
	CHECK_EQ(s.expects[0].nset, 1);
	CHECK_EQ(s.expects[0].oracles,
		 (1u << ORACLE_LOST_WRITE) | (1u << ORACLE_STALE_TLB));
	scn_free(&s);
}
