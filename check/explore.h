/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ADSIM_CHECK_EXPLORE_H
#define ADSIM_CHECK_EXPLORE_H

#include "model.h"

struct explore_result;

enum explore_mode { EXPLORE_DPOR, EXPLORE_SLEEP, EXPLORE_NONE, EXPLORE_BOUNDED, EXPLORE_RANDOM };

struct explore_opts {
	enum explore_mode mode;
	u64 max_executions;
	int max_depth;
	double max_seconds;
	int bound;		/* bounded: the largest preemption bound */
	u64 seed;		/* random: the PRNG's seed (0 picks a fixed stream) */
	/* called about twice a second during a long exploration, or NULL */
	void (*progress)(const struct explore_result *r, double elapsed, void *arg);
	void *progress_arg;
};

/* random mode's budget when neither max_executions nor max_seconds is given */
#define EXPLORE_RANDOM_DEFAULT_EXECUTIONS 100000

struct explore_result {
	bool violation;
	bool complete;
	struct exec_finding finding;
	/* the counterexample's schedule (malloc'd; explore_result_free()), or NULL */
	char *schedule;
	u64 executions, steps, sleep_blocked;
	double seconds;
};

int explore(struct model *m, const struct explore_opts *o, struct explore_result *r);
void explore_result_free(struct explore_result *r);
/*
 * Replays schedule (check's "N,N,cK,..." form) with tracing on, checking
 * every entry against what the model can do at that point.  0, or -1 with
 * "schedule step N: ..." in err and no verdict in r.
 */
int explore_replay(struct model *m, const char *schedule, struct explore_result *r,
		   char *err, size_t n);

#endif
