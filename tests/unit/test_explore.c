// SPDX-License-Identifier: GPL-2.0
/* check/: golden execution counts of the reductions, replay. */
#include "unit.h"
#include "world.h"

#include <stdlib.h>
#include <string.h>

/* The scenario file at path (scn_read_file()), or NULL. */
static char *slurp(const char *path)
{
	char err[256];

	return scn_read_file(path, err, sizeof(err));
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
	explore_result_free(r);	/* the callers judge verdicts and counts only */
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
	CHECK_EQ(dp.executions - dp.sleep_blocked, 23);
	CHECK_EQ(sl.executions - sl.sleep_blocked, 23);
	CHECK(dp.executions < sl.executions);
	CHECK(!no.complete);	/* every interleaving: far more than 5000 */
	free(src);
}

TEST(explore_violation_replays)
{
	struct unit_world uw;
	struct explore_result r, rr;
	char err[256];
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
	CHECK_EQ(explore_replay(&uw.m, r.schedule, &rr, err, sizeof(err)), 0);
	CHECK(rr.violation && rr.finding.oracle == ORACLE_LOST_WRITE);
	CHECK(!strcmp(rr.finding.msg, r.finding.msg));
	CHECK(uw.m.ex.trace_len > 5);
	explore_result_free(&r);
	unit_world_free(&uw);
	free(src);
}

/*
 * replay validates a user's schedule: the reproducers of a crash (a choice
 * where an actor steps) and of false verdicts (an actor stepped while not
 * enabled: a reader past a write-held mmap_lock, an IPI handler run with
 * no IPI sent) are refused with the step and what the model allowed.
 */
TEST(replay_refuses_impossible_steps)
{
	static const struct {
		const char *file, *set1, *set2, *schedule, *err;
	} cases[] = {
		{ "scenarios/seeds/fast-pf-lost-dirty.adsim", NULL, NULL, "c99",
		  "schedule step 1: c99 is an explorer choice, but an actor steps here (enabled: 0 (k0), 1 (v0))" },
		{ "scenarios/seeds/fast-pf-lost-dirty.adsim", NULL, NULL, "0,c99",
		  "schedule step 2: c99 is an explorer choice" },
		{ "scenarios/seeds/fast-pf-lost-dirty.adsim", NULL, NULL, "2,2,2",
		  "schedule step 1: actor 2 (ipi:v0) is not enabled here (enabled: 0 (k0), 1 (v0))" },
		{ "scenarios/seeds/fast-pf-lost-dirty.adsim", NULL, NULL, "0,7",
		  "schedule step 2: actor 7 does not exist" },
		{ "scenarios/seeds/fast-pf-lost-dirty.adsim", NULL, NULL, "0,1,",
		  "schedule step 3: expected an actor number or cN (0..255), found ''" },
		{ "scenarios/seeds/clean-writable-no-flush.adsim", "flush_clean_writable=always",
		  "arch=x86",
		  "1,1,2,2,1,1,1,2,1,1,0,2,1,0,2,0,1,0,0,2,2,0,0,1,2,0,0,0,1,1,2,0,2,0,1,1,0,1,0,2,0,2,0,0,2,1,1,1,2,2,0,1,1,2,0,0,2,1,2,1",
		  "schedule step 3: actor 2 (ipi:c0) is not enabled here (enabled: 0 (c0), 1 (k0))" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sets[] = { cases[i].set1, cases[i].set2, NULL };
		char *src = slurp(cases[i].file), err[512] = "";
		struct unit_world uw;
		struct explore_result r;

		if (!src || !unit_world_build(&uw, src, sets)) {
			unit_failures += !src;
			free(src);
			continue;
		}
		CHECK_EQ(explore_replay(&uw.m, cases[i].schedule, &r, err, sizeof(err)), -1);
		CHECK(!r.violation);
		if (strncmp(err, cases[i].err, strlen(cases[i].err)))
			printf("    %s %s: got \"%s\"\n", cases[i].file, cases[i].schedule, err),
				unit_failures++;
		unit_world_free(&uw);
		free(src);
	}
}

static u64 prop_rng(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * A replayed schedule shows only what the model can do: over random
 * schedules for every seed scenario under each of its expect lines'
 * settings, a schedule replay accepts ends in none or a violation that
 * line allows (only none where check decides the settings complete
 * without a violation), and one it refuses says which step.  Random entries are mostly
 * accepted for a while: after the last one the execution runs on as
 * check first runs it, so short valid prefixes make whole executions.
 */
TEST(replay_verdicts_are_check_verdicts)
{
	static const char *const files[] = {
		"scenarios/seeds/age-huge-leaf-split.adsim",
		"scenarios/seeds/clean-record-deferred-flush.adsim",
		"scenarios/seeds/clean-writable-no-flush.adsim",
		"scenarios/seeds/fast-pf-lost-dirty.adsim",
		"scenarios/seeds/kvm-dirty-on-map-vs-mkclean.adsim",
		"scenarios/seeds/madvise-free-secondary-mmu.adsim",
	};
	u64 seed = 0x5eed5eedULL;
	int valid = 0, refused = 0, violations = 0;

	for (unsigned f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		char *src = slurp(files[f]);
		struct unit_world uw;
		struct scn probe;
		char err[512];

		if (!src || scn_parse(&probe, files[f], src, err, sizeof(err))) {
			printf("    %s: %s\n", files[f], src ? err : "unreadable");
			unit_failures++;
			free(src);
			continue;
		}
		for (int x = 0; x < probe.nr_expects; x++) {
			const struct scn_expect *ex = &probe.expects[x];
			char assign[4][96];
			const char *sets[5] = { NULL };

			for (int k = 0; k < ex->nset; k++) {
				snprintf(assign[k], sizeof(assign[k]), "%s=%s",
					 variant_table[ex->var[k]].name,
					 variant_table[ex->var[k]].values[ex->val[k]]);
				sets[k] = assign[k];
			}
			for (int t = 0; t < 150; t++) {
				char sched[256];
				size_t l = 0;
				int len = 1 + (int)(prop_rng(&seed) % 24);
				struct explore_result r;

				if (!unit_world_build(&uw, src, sets))
					break;
				sched[0] = 0;
				for (int k = 0; k < len; k++) {
					u64 v = prop_rng(&seed);

					if (v % 48 == 0)
						l += (size_t)snprintf(sched + l, sizeof(sched) - l, "%sc%d",
								      k ? "," : "", (int)(v >> 8) % 3);
					else
						l += (size_t)snprintf(sched + l, sizeof(sched) - l, "%s%d",
								      k ? "," : "",
								      (int)((v >> 8) % (u64)uw.m.ex.nr_actors));
				}
				if (explore_replay(&uw.m, sched, &r, err, sizeof(err))) {
					refused++;
					CHECK(!strncmp(err, "schedule step ", 14) && !r.violation);
				} else {
					int v = r.violation ? (int)r.finding.oracle : ORACLE_NONE;

					valid++;
					violations += r.violation;
					/* a racy setting's other executions end well */
					if (!((ex->oracles | (1u << ORACLE_NONE)) & (1u << v)) ||
					    (ex->oracles == (1u << ORACLE_NONE) && v != ORACLE_NONE)) {
						printf("    %s:%d: replay %s gives %s\n", files[f], ex->line,
						       sched, exec_oracle_names[v]);
						unit_failures++;
					}
				}
				unit_world_free(&uw);
			}
		}
		scn_free(&probe);
		free(src);
	}
	/* the property is not vacuous: both kinds occur, and violations too */
	printf("    %d schedules replayed, %d refused, %d violations\n", valid, refused, violations);
	CHECK(valid > 200 && refused > 200 && violations > 0);
}

/*
 * The trackers' ground truth is by address: a guest write to a gfn of a
 * dirty-logged memslot is lost until a dirty-log round reports it, needs
 * no report if it came before logging was turned on, and none once
 * logging is off again.  Driven in direct mode on a built world: the
 * judge runs on the state each step leaves.
 */
static bool judged_lost(struct model *m, const char *what)
{
	bool lost;

	m->ex.have_finding = false;
	chk_oracle_judge_lost_writes(m);
	lost = m->ex.have_finding && m->ex.finding.oracle == ORACLE_LOST_WRITE &&
	       strstr(m->ex.finding.msg, what) != NULL;
	m->ex.have_finding = false;
	return lost;
}

TEST(oracle_dirty_log_tracks_by_gfn)
{
	static const char src[] =
		"scenario t\nconsumer dirty_log\nfile f pages 2\nprocess q\n"
		"mmap q 0x10000000 pages 2 shared write file f\n"
		"vm vm0 process q manual_protect\nmemslot vm0 gfn 0 pages 2 hva 0x10000000\n"
		"actor v0 vcpu vm0 {\n  gread 0\n}\n"
		"setup {\n  v0: gwrite 0\n  kvm_log_dirty vm0 0 on\n  v0: gwrite 1\n}\n";
	struct unit_world uw;
	struct model *m;
	struct drv_actor v0 = { 0 };
	struct drv_result r;
	struct scn_op off = { .code = OPC_KVM_LOG_DIRTY, .ref = 3, .a = { 0, 0 } };

	if (!unit_world_build(&uw, src, NULL))
		return;
	m = &uw.m;
	v0.vcpu = m->actors[0].vcpu;
	/* gfn 0 was written before logging began, gfn 1 after */
	CHECK(judged_lost(m, "gfn 0x1 "));
	CHECK(!judged_lost(m, "gfn 0 "));
	/* GET copies, CLEAR re-protects and reports */
	drv_dirty_log_collect(&m->w->drv, 3);
	CHECK(!judged_lost(m, "gfn"));
	/* a rewrite of gfn 1: fast page fault restores W and logs it */
	CHECK(kvm_vcpu_access(v0.vcpu, 1, true) == 0);
	CHECK(judged_lost(m, "gfn 0x1 "));
	/* logging off: the write needs no report any more */
	drv_run_op(&m->w->drv, NULL, &off, &r);
	CHECK(r.ret == 0);
	CHECK(!judged_lost(m, "gfn"));
	unit_world_free(&uw);
}

/*
 * A counterexample after a long prefix (r0 toggles a mapping's protection
 * 120 times before the race can happen): its schedule is over 4,096
 * characters, and replays whole to the same verdict.
 */
TEST(explore_long_schedule_replays)
{
	static const char src[] =
		"scenario long\nset flush_clean_writable = skip\nset arch = blind_dirty\n"
		"consumer clean_record\nfile buf pages 8\nprocess p\n"
		"mmap p 0x20000000 pages 1 shared write file buf\n"
		"mmap p 0x30000000 pages 4 private write\n"
		"actor r0 kthread {\n  for i in 0 .. 60 {\n"
		"    mprotect p 0x30000000 4 * 4096 r\n    mprotect p 0x30000000 4 * 4096 rw\n  }\n}\n"
		"actor c0 cpu p {\n  write 0x20000000\n}\n"
		"actor k0 kthread {\n  mprotect p 0x20000000 4096 r\n}\n"
		"setup {\n  c0: write 0x20000000\n  k0: clean_record buf 0 1\n  c0: read 0x20000000\n}\n";
	static const char *const sets[] = { "tlb_evict=0", NULL };
	struct explore_opts o = { .mode = EXPLORE_DPOR, .max_depth = 100000 };
	struct unit_world uw;
	struct explore_result r, rr;
	char err[512];

	if (!unit_world_build(&uw, src, sets))
		return;
	explore(&uw.m, &o, &r);
	CHECK(r.violation && r.schedule && strlen(r.schedule) > 4096);
	unit_world_free(&uw);
	if (!r.schedule || !unit_world_build(&uw, src, sets)) {
		explore_result_free(&r);
		return;
	}
	CHECK_EQ(explore_replay(&uw.m, r.schedule, &rr, err, sizeof(err)), 0);
	CHECK(rr.violation && rr.finding.oracle == r.finding.oracle &&
	      !strcmp(rr.finding.msg, r.finding.msg));
	explore_result_free(&r);
	unit_world_free(&uw);
}
