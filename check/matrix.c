// SPDX-License-Identifier: GPL-2.0
/*
 * check/matrix: see matrix.h.  Each cell runs in a forked worker, which
 * builds the world from the parent's parsed scenario with the cell's
 * values, explores it and writes one result record down a pipe: cells
 * share nothing, a worker that dies costs only its cell, and the table is
 * the same whatever the number of jobs.
 */
#include "matrix.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int matrix_default_vars(const struct scn *s, int *vars, int max)
{
	bool named[NR_VARIANTS] = { false };
	int n = 0;

	for (int v = 0; v < NR_VARIANTS; v++)
		named[v] = s->cfg_in_file[v];
	for (int e = 0; e < s->nr_expects; e++)
		for (int k = 0; k < s->expects[e].nset; k++)
			named[s->expects[e].var[k]] = true;
	for (int v = 0; v < NR_VARIANTS && n < max; v++)
		if (named[v] && !s->cfg_set[v])	/* --set fixed it for this run */
			vars[n++] = v;
	return n;
}

const char *matrix_verdict(const struct matrix_cell *cell)
{
	if (cell->skipped)
		return "skipped";
	if (!cell->done)
		return "error";
	if (cell->violation)
		return exec_oracle_names[cell->oracle];
	return cell->complete ? exec_oracle_names[ORACLE_NONE] : "unknown";
}

int matrix_neighbour(const struct matrix *mx, int c, int i, int v)
{
	int idx = 0;

	for (int j = 0; j < mx->nvars; j++)
		idx = idx * variant_table[mx->var[j]].nr_values +
		      (j == i ? v : mx->cells[c].val[j]);
	return idx;
}

/* What a worker sends back. */
struct matrix_record {
	bool violation, complete;
	int oracle;
	u64 executions;
	double seconds;
};

/* The worker: decide s under cfg, send the record, exit. */
static void __attribute__((noreturn)) matrix_worker(struct scn *s, const struct variant_cfg *cfg,
						    const struct explore_opts *eo, int fd)
{
	struct matrix_record rec = { 0 };
	struct explore_result r;
	struct model m;
	char err[512];

	s->cfg = *cfg;
	if (model_build(&m, s, err, sizeof(err)))
		_exit(2);
	explore(&m, eo, &r);
	rec.violation = r.violation;
	rec.complete = r.complete;
	rec.oracle = r.violation ? (int)r.finding.oracle : ORACLE_NONE;
	rec.executions = r.executions;
	rec.seconds = r.seconds;
	if (write(fd, &rec, sizeof(rec)) != (ssize_t)sizeof(rec))
		_exit(3);
	_exit(0);
}

/* Whether the cell's verdict is one the expect line accepts. */
static bool matrix_expect_holds(const struct scn_expect *x, const struct matrix_cell *cell)
{
	if (!cell->done)
		return false;
	if (cell->violation)
		return x->oracles & (1u << cell->oracle);
	return cell->complete && (x->oracles & (1u << ORACLE_NONE));
}

/*
 * Each cell against the expect lines that describe it.  An expect line
 * describes one configuration, as --expect runs it: the file's variants
 * (and --set's) with the line's settings on top; so a line applies to the
 * cell whose values are those.
 */
static void matrix_judge_expects(struct matrix *mx, const struct scn *s)
{
	for (int c = 0; c < mx->ncells; c++) {
		struct matrix_cell *cell = &mx->cells[c];
		struct variant_cfg cfg = s->cfg;

		if (cell->skipped)
			continue;
		for (int i = 0; i < mx->nvars; i++)
			cfg.v[mx->var[i]] = cell->val[i];
		for (int e = 0; e < s->nr_expects; e++) {
			const struct scn_expect *x = &s->expects[e];
			struct variant_cfg want = s->cfg;
			bool applies = true;

			for (int k = 0; k < x->nset; k++)
				want.v[x->var[k]] = (u8)x->val[k];
			for (int v = 0; v < NR_VARIANTS; v++)
				applies &= cfg.v[v] == want.v[v];
			if (!applies)
				continue;
			if (matrix_expect_holds(x, cell)) {
				if (cell->expect == MATRIX_EXPECT_NONE)
					cell->expect = MATRIX_EXPECT_OK;
			} else if (cell->expect != MATRIX_EXPECT_MISMATCH) {
				cell->expect = MATRIX_EXPECT_MISMATCH;
				cell->expect_line = x->line;
				mx->mismatches++;
			}
		}
	}
}

static double matrix_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Waits for one worker and reads its cell's record; false if none is left. */
static bool matrix_reap(struct matrix *mx, pid_t *pid, int *fd, int jobs)
{
	int status, c = -1;
	pid_t p;

	do
		p = wait(&status);
	while (p < 0 && errno == EINTR);
	if (p < 0)
		return false;
	for (int j = 0; j < jobs; j++)
		if (pid[j] == p)
			c = j;
	if (c < 0)
		return true;	/* not one of ours */
	{
		struct matrix_record rec;
		struct matrix_cell *cell = &mx->cells[fd[jobs + c]];

		if (WIFEXITED(status) && !WEXITSTATUS(status) &&
		    read(fd[c], &rec, sizeof(rec)) == (ssize_t)sizeof(rec)) {
			cell->done = true;
			cell->violation = rec.violation;
			cell->complete = rec.complete;
			cell->oracle = rec.oracle;
			cell->executions = rec.executions;
			cell->seconds = rec.seconds;
		}
	}
	close(fd[c]);
	pid[c] = 0;
	return true;
}

/* The product's cells, the last variant's values fastest. */
static int matrix_cells_init(struct matrix *mx, const int *vars, int nvars, int total)
{
	mx->nvars = nvars;
	memcpy(mx->var, vars, (size_t)nvars * sizeof(*vars));
	mx->ncells = total;
	mx->cells = calloc((size_t)total, sizeof(*mx->cells));
	if (!mx->cells)
		return -1;
	for (int c = 0; c < mx->ncells; c++)
		for (int i = nvars - 1, rest = c; i >= 0; i--) {
			mx->cells[c].val[i] = (u8)(rest % variant_table[vars[i]].nr_values);
			rest /= variant_table[vars[i]].nr_values;
		}
	return 0;
}

int matrix_run(struct matrix *mx, const struct scn *s, const int *vars, int nvars,
	       const struct explore_opts *eo, int jobs, char *err, size_t n)
{
	struct explore_opts weo = *eo;
	pid_t pid[64] = { 0 };
	int fd[128];		/* [0, jobs): a worker's pipe; [jobs, 2 jobs): its cell */
	double t0 = matrix_now();
	long total = 1;

	memset(mx, 0, sizeof(*mx));
	if (nvars < 1 || nvars > MATRIX_MAX_VARS) {
		snprintf(err, n, "--matrix: expected 1 to %d variants, got %d", MATRIX_MAX_VARS, nvars);
		return -1;
	}
	for (int i = 0; i < nvars; i++)
		total *= variant_table[vars[i]].nr_values;
	if (total > MATRIX_MAX_CELLS) {
		snprintf(err, n, "--matrix: %ld combinations: at most %d", total, MATRIX_MAX_CELLS);
		return -1;
	}
	if (matrix_cells_init(mx, vars, nvars, (int)total)) {
		snprintf(err, n, "out of memory");
		return -1;
	}
	if (jobs < 1)
		jobs = 1;
	if (jobs > 64)
		jobs = 64;
	weo.progress = NULL;
	fflush(NULL);
	for (int c = 0, running = 0; c < mx->ncells || running;) {
		int slot = -1, p[2];
		struct variant_cfg cfg = s->cfg;

		for (int j = 0; j < jobs && slot < 0; j++)
			if (!pid[j])
				slot = j;
		if (c >= mx->ncells || slot < 0) {
			if (!matrix_reap(mx, pid, fd, jobs))
				break;
			running = 0;
			for (int j = 0; j < jobs; j++)
				running += pid[j] != 0;
			continue;
		}
		for (int i = 0; i < nvars; i++)
			cfg.v[vars[i]] = mx->cells[c].val[i];
		mx->cells[c].skipped = variant_meaningless(&cfg);
		if (mx->cells[c].skipped) {
			c++;
			continue;
		}
		if (pipe(p)) {
			snprintf(err, n, "--matrix: pipe: %s", strerror(errno));
			return -1;
		}
		pid[slot] = fork();
		if (pid[slot] == 0) {
			close(p[0]);
			matrix_worker((struct scn *)s, &cfg, &weo, p[1]);
		}
		close(p[1]);
		if (pid[slot] < 0) {
			close(p[0]);
			pid[slot] = 0;
			snprintf(err, n, "--matrix: fork: %s", strerror(errno));
			while (running-- > 0 && matrix_reap(mx, pid, fd, jobs))
				;
			return -1;
		}
		fd[slot] = p[0];
		fd[jobs + slot] = c++;
		running++;
	}
	matrix_judge_expects(mx, s);
	mx->seconds = matrix_now() - t0;
	return 0;
}

void matrix_free(struct matrix *mx)
{
	free(mx->cells);
	mx->cells = NULL;
}
