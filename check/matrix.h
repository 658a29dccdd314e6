/* SPDX-License-Identifier: GPL-2.0 */
/*
 * check/matrix: one scenario decided for every combination of some
 * variants' values (`adsim check --matrix`), each combination in a worker
 * process of its own, and what the results say together: where the
 * file's expect lines disagree, and for each violating combination the
 * neighbours (one variant changed) that are clean.
 */
#ifndef ADSIM_CHECK_MATRIX_H
#define ADSIM_CHECK_MATRIX_H

#include "explore.h"

#define MATRIX_MAX_VARS 6
#define MATRIX_MAX_CELLS 4096

enum matrix_expect { MATRIX_EXPECT_NONE, MATRIX_EXPECT_OK, MATRIX_EXPECT_MISMATCH };

struct matrix_cell {
	u8 val[MATRIX_MAX_VARS];	/* each matrix variant's value */
	const char *skipped;		/* why variants.def calls it meaningless, or NULL */
	bool done;			/* a worker reported (else it failed) */
	bool violation, complete;
	int oracle;			/* the violation's, when violation */
	u64 executions;
	double seconds;
	enum matrix_expect expect;
	int expect_line;		/* the first expect line that disagrees */
};

struct matrix {
	int nvars;
	int var[MATRIX_MAX_VARS];	/* variant ids, rows first, columns last */
	int ncells;
	struct matrix_cell *cells;	/* the product, the last variant fastest */
	int mismatches;
	double seconds;
};

/*
 * The variants the file mentions in its set and expect lines, in the
 * order of variants.def; how many, at most max.
 */
int matrix_default_vars(const struct scn *s, int *vars, int max);

/*
 * Decides s (its variants as the file and --set left them) under every
 * combination of vars[0 .. nvars), up to jobs at a time, each in a forked
 * worker with the options eo, then compares each cell with the file's
 * expect lines.  0, or -1 with the reason in err.
 */
int matrix_run(struct matrix *mx, const struct scn *s, const int *vars, int nvars,
	       const struct explore_opts *eo, int jobs, char *err, size_t n);
void matrix_free(struct matrix *mx);

/* The cell whose values are cell c's with variant index i set to v. */
int matrix_neighbour(const struct matrix *mx, int c, int i, int v);
/* "none", an oracle's name, or "unknown" (incomplete without a violation). */
const char *matrix_verdict(const struct matrix_cell *cell);
/* Clean: no violation and complete. */
static inline bool matrix_clean(const struct matrix_cell *cell)
{
	return cell->done && !cell->violation && cell->complete;
}

#endif
