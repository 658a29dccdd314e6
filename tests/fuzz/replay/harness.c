// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for `adsim replay`'s schedules (check/explore.c
 * explore_replay()).  The first input byte picks a shipped seed scenario,
 * the second one of its expect lines (whose settings the world is built
 * with); the rest is the schedule text.  Scenarios are read from
 * scenarios/seeds/ under the working directory (tests/fuzz/run.sh runs
 * from the repository's top).
 *
 * Invariants checked (abort() so that libFuzzer reports the input):
 *  - a refused schedule says why, starting "schedule step N: ", and
 *    carries no verdict;
 *  - an accepted schedule ends in none or in a violation the expect line
 *    allows; only none where that line expects none (check decides those
 *    settings complete without a violation).
 * Sanitizers and libFuzzer's -timeout catch the rest.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../check/explore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const files[] = {
	"scenarios/seeds/age-huge-leaf-split.adsim",
	"scenarios/seeds/clean-record-deferred-flush.adsim",
	"scenarios/seeds/clean-writable-no-flush.adsim",
	"scenarios/seeds/fast-pf-lost-dirty.adsim",
	"scenarios/seeds/kvm-dirty-on-map-vs-mkclean.adsim",
	"scenarios/seeds/madvise-free-secondary-mmu.adsim",
};
#define NR_FILES (sizeof(files) / sizeof(files[0]))

static char *srcs[NR_FILES];

/* The scenario file at path (scn_read_file()), or NULL. */
static char *slurp(const char *path)
{
	char err[256];

	return scn_read_file(path, err, sizeof(err));
}

static void fail(const char *what, const char *file, const char *sched, const char *err)
{
	fprintf(stderr, "fuzz replay: invariant broken: %s\n  %s: schedule '%s'\n  err: \"%s\"\n",
		what, file, sched, err);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct scn s;
	struct model m;
	struct explore_result r;
	const struct scn_expect *x;
	char err[512] = "", *sched;
	const char *file;
	unsigned f;

	if (size < 2)
		return 0;
	f = data[0] % NR_FILES;
	file = files[f];
	if (!srcs[f] && !(srcs[f] = slurp(file))) {
		fprintf(stderr, "fuzz replay: cannot read %s (run from the repository's top)\n", file);
		abort();
	}
	if (scn_parse(&s, file, srcs[f], err, sizeof(err)))
		fail("a shipped scenario does not parse", file, "", err);
	if (!s.nr_expects) {
		scn_free(&s);
		return 0;
	}
	x = &s.expects[data[1] % s.nr_expects];
	for (int k = 0; k < x->nset; k++) {
		s.cfg.v[x->var[k]] = (u8)x->val[k];
		s.cfg_set[x->var[k]] = true;
	}
	if (model_build(&m, &s, err, sizeof(err)))
		fail("a shipped scenario does not build", file, "", err);
	sched = malloc(size - 1);
	if (!sched)
		abort();
	memcpy(sched, data + 2, size - 2);
	sched[size - 2] = 0;
	if (explore_replay(&m, sched, &r, err, sizeof(err))) {
		if (strncmp(err, "schedule step ", 14) || r.violation)
			fail("a refusal without its step, or with a verdict", file, sched, err);
	} else {
		int v = r.violation ? (int)r.finding.oracle : ORACLE_NONE;

		if (x->oracles == (1u << ORACLE_NONE) ? v != ORACLE_NONE :
		    !((x->oracles | (1u << ORACLE_NONE)) & (1u << v)))
			fail(exec_oracle_names[v], file, sched, "a verdict check does not reach");
	}
	free(sched);
	model_destroy(&m);
	scn_free(&s);
	return 0;
}
