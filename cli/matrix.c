// SPDX-License-Identifier: GPL-2.0
/*
 * cli/matrix: prints what check/matrix decided.  The table's rows are the
 * combinations of all matrix variants but the last, its columns the last
 * one's values; under it, for each violating cell, the neighbours that are
 * clean (one variant changed, the weakest value of an ordered variant).
 */
#include "matrix.h"

#include <string.h>

#include "../scn/json.h"

int matrix_parse_vars(const char *list, int *vars, int max)
{
	char buf[512], *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int id = variant_lookup(t);

		if (id < 0) {
			fprintf(stderr, "adsim: --matrix: unknown variant '%s' (adsim variants lists them)\n", t);
			return -1;
		}
		for (int i = 0; i < n; i++)
			if (vars[i] == id) {
				fprintf(stderr, "adsim: --matrix: '%s' named twice\n", t);
				return -1;
			}
		if (n >= max) {
			fprintf(stderr, "adsim: --matrix: at most %d variants\n", max);
			return -1;
		}
		vars[n++] = id;
	}
	if (!n)
		fprintf(stderr, "adsim: --matrix=: expected VARIANT[,VARIANT...]\n");
	return n ? n : -1;
}

static const char *value_name(const struct matrix *mx, int i, int v)
{
	return variant_table[mx->var[i]].values[v];
}

/* "a=x b=y" of the cell's values, all of them or all but the last. */
static void cell_values(const struct matrix *mx, const struct matrix_cell *cell, int upto,
			char *buf, size_t n)
{
	size_t l = 0;

	buf[0] = 0;
	for (int i = 0; i < upto && l < n; i++)
		l += (size_t)snprintf(buf + l, n - l, "%s%s=%s", i ? " " : "",
				      variant_table[mx->var[i]].name,
				      value_name(mx, i, cell->val[i]));
}

static void print_cell(FILE *f, const struct matrix_cell *cell)
{
	if (cell->skipped) {
		fprintf(f, " - |");
		return;
	}
	fprintf(f, " %s%s (%llu ex, %.3f s)", cell->expect == MATRIX_EXPECT_MISMATCH ? "!" : "",
		matrix_verdict(cell), (unsigned long long)cell->executions, cell->seconds);
	if (cell->expect == MATRIX_EXPECT_MISMATCH)
		fprintf(f, " [expect line %d]", cell->expect_line);
	fprintf(f, " |");
}

static void print_table(FILE *f, const struct matrix *mx)
{
	int last = mx->nvars - 1, ncols = variant_table[mx->var[last]].nr_values;
	char label[256];

	fprintf(f, "| ");
	for (int i = 0; i < last; i++)
		fprintf(f, "%s%s", i ? " " : "", variant_table[mx->var[i]].name);
	fprintf(f, "%s%s |", last ? " \\ " : "", variant_table[mx->var[last]].name);
	for (int v = 0; v < ncols; v++)
		fprintf(f, " %s |", value_name(mx, last, v));
	fprintf(f, "\n|---|");
	for (int v = 0; v < ncols; v++)
		fprintf(f, "---|");
	fprintf(f, "\n");
	for (int r = 0; r < mx->ncells / ncols; r++) {
		cell_values(mx, &mx->cells[r * ncols], last, label, sizeof(label));
		fprintf(f, "| %s |", last ? label : "verdict");
		for (int v = 0; v < ncols; v++)
			print_cell(f, &mx->cells[r * ncols + v]);
		fprintf(f, "\n");
	}
}

/*
 * The clean neighbours of violating cell c through variant i: of an
 * ordered variant the weakest clean value, of another every clean value.
 * Returns how many were written to vals[].
 */
static int clean_neighbours(const struct matrix *mx, int c, int i, int *vals)
{
	const struct variant_desc *d = &variant_table[mx->var[i]];
	int n = 0;

	for (int v = 0; v < d->nr_values; v++) {
		if (v == mx->cells[c].val[i] ||
		    !matrix_clean(&mx->cells[matrix_neighbour(mx, c, i, v)]))
			continue;
		vals[n++] = v;
		if (d->ordered)
			break;
	}
	return n;
}

static void print_fixes(FILE *f, const struct matrix *mx)
{
	char where[256];
	bool any = false;

	for (int c = 0; c < mx->ncells; c++) {
		const struct matrix_cell *cell = &mx->cells[c];
		int found = 0;

		if (!cell->done || !cell->violation)
			continue;	/* a skipped cell is never done */
		if (!any)
			fprintf(f, "\nsmallest fixes (one variant changed):\n");
		any = true;
		cell_values(mx, cell, mx->nvars, where, sizeof(where));
		fprintf(f, "  %s under %s: ", matrix_verdict(cell), where);
		for (int i = 0; i < mx->nvars; i++) {
			int vals[64], k = clean_neighbours(mx, c, i, vals);

			for (int j = 0; j < k; j++)
				fprintf(f, "%s%s=%s%s", found++ ? " or " : "clean with ",
					variant_table[mx->var[i]].name, value_name(mx, i, vals[j]),
					variant_table[mx->var[i]].ordered ? " (weakest clean value)" : "");
		}
		fprintf(f, "%s\n", found ? "" : "no one change makes it clean");
	}
}

static void json_values(FILE *f, const struct matrix *mx, const struct matrix_cell *cell)
{
	fprintf(f, "{");
	for (int i = 0; i < mx->nvars; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, variant_table[mx->var[i]].name);
		fprintf(f, ":");
		json_str(f, value_name(mx, i, cell->val[i]));
	}
	fprintf(f, "}");
}

static void print_json(FILE *f, const struct matrix *mx, const struct scn *s, const char *path,
		       int jobs)
{
	static const char *const expect_names[] = { "none", "ok", "mismatch" };

	fprintf(f, "{\"scenario\":");
	json_str(f, s->name);
	fprintf(f, ",\"file\":");
	json_str(f, path);
	fprintf(f, ",\"matrix\":[");
	for (int i = 0; i < mx->nvars; i++) {
		fprintf(f, "%s", i ? "," : "");
		json_str(f, variant_table[mx->var[i]].name);
	}
	fprintf(f, "],\"jobs\":%d,\"seconds\":%.6f,\"mismatches\":%d,\"cells\":[", jobs,
		mx->seconds, mx->mismatches);
	for (int c = 0; c < mx->ncells; c++) {
		const struct matrix_cell *cell = &mx->cells[c];

		fprintf(f, "%s{\"values\":", c ? "," : "");
		json_values(f, mx, cell);
		if (cell->skipped) {
			fprintf(f, ",\"verdict\":\"skipped\",\"why\":");
			json_str(f, cell->skipped);
			fprintf(f, "}");
			continue;
		}
		fprintf(f, ",\"verdict\":\"%s\",\"complete\":%s,\"executions\":%llu,"
			"\"seconds\":%.6f,\"expect\":\"%s\"", matrix_verdict(cell),
			cell->complete ? "true" : "false", (unsigned long long)cell->executions,
			cell->seconds, expect_names[cell->expect]);
		if (cell->expect == MATRIX_EXPECT_MISMATCH)
			fprintf(f, ",\"expect_line\":%d", cell->expect_line);
		if (cell->done && cell->violation) {
			bool first = true;

			fprintf(f, ",\"clean_with\":[");
			for (int i = 0; i < mx->nvars; i++) {
				int vals[64], k = clean_neighbours(mx, c, i, vals);

				for (int j = 0; j < k; j++, first = false) {
					fprintf(f, "%s{\"variant\":", first ? "" : ",");
					json_str(f, variant_table[mx->var[i]].name);
					fprintf(f, ",\"value\":");
					json_str(f, value_name(mx, i, vals[j]));
					fprintf(f, ",\"weakest\":%s}",
						variant_table[mx->var[i]].ordered ? "true" : "false");
				}
			}
			fprintf(f, "]");
		}
		fprintf(f, "}");
	}
	fprintf(f, "]}\n");
}

void matrix_print(FILE *f, const struct matrix *mx, const struct scn *s, const char *path,
		  int jobs, bool json)
{
	int covered = 0;

	if (json) {
		print_json(f, mx, s, path, jobs);
		return;
	}
	fprintf(f, "%s: %d configurations of", s->name, mx->ncells);
	for (int i = 0; i < mx->nvars; i++)
		fprintf(f, "%s %s", i ? "," : "", variant_table[mx->var[i]].name);
	fprintf(f, " (%d jobs, %.2f s)\n\n", jobs, mx->seconds);
	print_table(f, mx);
	for (int c = 0, shown = 0; c < mx->ncells; c++) {
		const char *why = mx->cells[c].skipped;
		bool seen = false;

		for (int d = 0; why && d < c; d++)
			seen |= mx->cells[d].skipped == why;
		if (!why || seen)
			continue;
		fprintf(f, "%s- : not run, a combination variants.def declares meaningless: %s\n",
			shown++ ? "" : "\n", why);
	}
	print_fixes(f, mx);
	for (int c = 0; c < mx->ncells; c++)
		covered += mx->cells[c].expect != MATRIX_EXPECT_NONE;
	if (s->nr_expects)
		fprintf(f, "\nexpect lines: %d of %d cells covered, %d disagree%s\n", covered,
			mx->ncells, mx->mismatches, mx->mismatches ? " (marked !)" : "");
}
