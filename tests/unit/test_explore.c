// SPDX-License-Identifier: GPL-2.0
/* check/: golden execution counts of the reductions, replay. */
#include "unit.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)n + 1)) && fread(buf, 1, (size_t)n, f) == (size_t)n)
		buf[n] = 0;
	fclose(f);
	return buf;
}

static bool run_limited(const char *src, const char *const *sets, enum explore_mode mode,
			u64 max_executions, struct explore_result *r)
{
	struct unit_world uw;
	struct explore_opts o = { .mode = mode, .max_depth = 20000,
				  .max_executions = max_executions };

	if (!unit_world_build(&uw, src, sets))
		return false;
	explore(&uw.m, &o, r);
	unit_world_free(&uw);
	return true;
}

static bool run(const char *src, const char *const *sets, enum explore_mode mode,
		struct explore_result *r)
{
	return run_limited(src, sets, mode, 0, r);
}

/* Two CPUs, each writing its own page through a warm TLB entry. */
static const char *const two_writers =
	"scenario w\n"
	"param same = 0\n"
	"set tlb_evict = 0\n"
	"consumer writeback\n"
	"file f pages 2\n"
	"process p\n"
	"mmap p 0x10000 pages 2 shared write file f\n"
	"actor a cpu p {\n  write 0x10000\n}\n"
	"actor b cpu p {\n  write 0x10000 + (1 - same) * 4096\n}\n"
	"setup {\n  a: write 0x10000\n  b: write 0x10000\n  b: write 0x11000\n}\n";

TEST(explore_independent_writes_one_execution)
{
	struct explore_result r;
	const char *same[] = { "same=1", NULL };

	if (!run(two_writers, NULL, EXPLORE_DPOR, &r))
		return;
	CHECK(r.complete && !r.violation);
	CHECK_EQ(r.executions, 1);
	CHECK(run(two_writers, NULL, EXPLORE_NONE, &r));
	CHECK_EQ(r.executions, 2);	/* a-b and b-a */
	/* writes to one page commute too (only a report orders them) */
	CHECK(run(two_writers, same, EXPLORE_DPOR, &r));
	CHECK_EQ(r.executions, 1);
}

TEST(explore_golden_counts_fast_pf)
{
	const char *fixed[] = { "mmu_spte_update=fixed", NULL };
	struct explore_result dp, sl, no;
	char *src = slurp("scenarios/seeds/fast-pf-lost-dirty.adsim");

	if (!src || !run(src, fixed, EXPLORE_DPOR, &dp) || !run(src, fixed, EXPLORE_SLEEP, &sl) ||
	    !run_limited(src, fixed, EXPLORE_NONE, 5000, &no)) {
		unit_failures++;
		free(src);
		return;
	}
	CHECK(dp.complete && sl.complete);
	CHECK(!dp.violation && !sl.violation && !no.violation);
	/* one complete execution per Mazurkiewicz trace, for both reductions */
	CHECK_EQ(dp.executions - dp.sleep_blocked, 22);
	CHECK_EQ(sl.executions - sl.sleep_blocked, 22);
	CHECK(dp.executions < sl.executions);
	CHECK(!no.complete);	/* every interleaving: far more than 5000 */
	free(src);
}

TEST(explore_violation_replays)
{
	struct unit_world uw;
	struct explore_result r, rr;
	struct explore_opts o = { .mode = EXPLORE_DPOR, .max_depth = 20000 };
	char *src = slurp("scenarios/seeds/fast-pf-lost-dirty.adsim");
	const char *racy[] = { "mmu_spte_update=racy", NULL };

	if (!src) {
		unit_failures++;
		return;
	}
	if (!unit_world_build(&uw, src, racy)) {
		free(src);
		return;
	}
	explore(&uw.m, &o, &r);
	CHECK(r.violation && r.finding.oracle == ORACLE_LOST_WRITE);
	unit_world_free(&uw);
	if (!unit_world_build(&uw, src, racy)) {
		free(src);
		return;
	}
	CHECK_EQ(explore_replay(&uw.m, r.schedule, &rr), 0);
	CHECK(rr.violation && rr.finding.oracle == ORACLE_LOST_WRITE);
	CHECK(!strcmp(rr.finding.msg, r.finding.msg));
	CHECK(uw.m.ex.trace_len > 5);
	unit_world_free(&uw);
	free(src);
}
