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

/* Limits found by fuzzing and review: each is an error, not a hang or crash. */
TEST(scn_limits)
{
	char src[8192];
	size_t n;
	struct scn s;
	struct scn_inst in;
	char err[512];

	expect_error("scenario x\nparam 5\n", "t.adsim:2:7: expected a parameter name");
	expect_error("scenario x\nexpect arch : none\n", "t.adsim:2:13: expected '='");
	n = (size_t)snprintf(src, sizeof(src), "scenario x\nfile f pages 1");
	for (int i = 0; i < 300; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "+1");
	snprintf(src + n, sizeof(src) - n, "\n");
	expect_error(src, "expression too long: at most 256 operators");
	/* many short expressions in one loop body are fine */
	n = (size_t)snprintf(src, sizeof(src),
			     "scenario x\nprocess p\nactor c cpu p {\n for i in 0 .. 1 {\n");
	for (int i = 0; i < 130; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "  write 4096 + i * 4096\n");
	snprintf(src + n, sizeof(src) - n, " }\n}\n");
	CHECK_EQ(scn_parse(&s, "t.adsim", src, err, sizeof(err)), 0);
	scn_free(&s);
	/* empty nested loops: bounded work at instantiation */
	CHECK_EQ(scn_parse(&s, "t.adsim",
			   "scenario x\nactor k kthread {\n for a in 0 .. 256 { for b in 0 .. 256 { for c in 0 .. 256 { } } }\n}\n",
			   err, sizeof(err)), 0);
	CHECK(scn_instantiate(&s, &in, err, sizeof(err)) != 0);
	CHECK(strstr(err, "loops run more than") != NULL);
	scn_free(&s);
}
