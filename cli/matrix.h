/* SPDX-License-Identifier: GPL-2.0 */
/* cli/matrix: `adsim check --matrix`'s table, smallest fixes and JSON. */
#ifndef ADSIM_CLI_MATRIX_H
#define ADSIM_CLI_MATRIX_H

#include <stdio.h>

#include "../check/matrix.h"

/* The matrix of one scenario file, as a table or (json) one JSON object. */
void matrix_print(FILE *f, const struct matrix *mx, const struct scn *s, const char *path,
		  int jobs, bool json);
/*
 * --matrix's list "A,B,..." into variant ids; how many, or -1 with the
 * error printed.
 */
int matrix_parse_vars(const char *list, int *vars, int max);

#endif
