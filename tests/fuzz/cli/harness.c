// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the command lines of `adsim check` (cli/main.c
 * check_args()) and `adsim sim` (sim/sim_main.c sim_parse()): the input is
 * the arguments, one per line; a first line starting with 's' parses the
 * rest as sim's, anything else as check's.  Parsing only: nothing is read
 * or run (vs-kernel's options are not fuzzed: parsing them probes the
 * running kernel).
 *
 * Invariants checked (abort() so that libFuzzer reports the input):
 *  - check: a refusal is exit status 2 (or 0 for --help, which is not an
 *    option here); an accepted line has a file, a depth of 1 .. 1000000, a
 *    bound of at most 50, a finite non-negative timeout and a mode; -j in
 *    1 .. 64, --matrix variants distinct, and never with --expect;
 *  - sim: a refusal says why; accepted ratios and skews are finite and in
 *    range, counts non-zero where the run needs them.
 */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define main adsim_cli_main
#include "../../../cli/main.c"
#undef main
#include "../../../sim/sim_main.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_ARGS 24

/*
 * tests/fuzz/run.sh runs this target with -close_fd_mask=2: the parsers'
 * usage text would fill the log.  Run a reproducer by hand to see this.
 */
static void fail(const char *what)
{
	fprintf(stderr, "fuzz cli: invariant broken: %s\n", what);
	abort();
}

static void fuzz_check(int argc, char **argv)
{
	struct opts o = { .por = EXPLORE_DPOR,
			  .eo = { .mode = EXPLORE_DPOR, .max_depth = 20000, .bound = 3, .seed = 1 } };
	const char *files[CHECK_MAX_FILES];
	int nf = 0, st = check_args(argc, argv, &o, files, &nf);

	if (st >= 0) {
		if (st != EXIT_USAGE)
			fail("check_args() stopped with a status other than 2");
		return;
	}
	if (nf < 1 || nf > CHECK_MAX_FILES)
		fail("accepted without a file, or too many");
	if (o.eo.max_depth < 1 || o.eo.max_depth > 1000000 || o.eo.bound < 0 || o.eo.bound > 50)
		fail("depth or bound out of range");
	if (!isfinite(o.eo.max_seconds) || o.eo.max_seconds < 0)
		fail("a timeout that is not a finite number of seconds");
	if (o.eo.mode == EXPLORE_RANDOM && !o.eo.max_executions && !o.eo.max_seconds)
		fail("random mode without a budget");
	if (o.eo.mode > EXPLORE_RANDOM || o.nr_sets > 32)
		fail("bad mode or --set count");
	if (o.jobs < 1 || o.jobs > 64 || o.nr_matrix_vars < 0 || o.nr_matrix_vars > MATRIX_MAX_VARS ||
	    (o.nr_matrix_vars && !o.matrix) || (o.matrix && o.expect))
		fail("bad --matrix variants, -j or --matrix with --expect");
	for (int i = 0; i < o.nr_matrix_vars; i++)
		for (int j = 0; j < i; j++)
			if (o.matrix_vars[i] == o.matrix_vars[j])
				fail("a --matrix variant twice");
}

static void fuzz_sim(int argc, char **argv)
{
	struct sim_cli c;
	char err[256] = "";

	memset(&c, 0, sizeof(c));
	if (sim_parse(&c, argc, argv, err, sizeof(err))) {
		if (!err[0])
			fail("sim_parse() refused without saying why");
	} else {
		const struct wl_params *p = &c.o.wl;

		if (!(p->write_ratio >= 0 && p->write_ratio <= 1) ||
		    !(p->zipf_s > 0 && p->zipf_s <= 10) || !isfinite(p->hot_fraction) ||
		    !isfinite(p->hot_share))
			fail("a ratio or skew out of range");
		if (!c.o.accesses || !p->pages)
			fail("no accesses or no pages accepted");
	}
	trace_free(&c.trace);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1), *argv[MAX_ARGS + 2], *p;
	int argc = 0;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = 0;
	argv[argc++] = "adsim";
	for (p = buf; argc < MAX_ARGS + 1;) {
		char *nl = strchr(p, '\n');

		argv[argc++] = p;
		if (!nl)
			break;
		*nl = 0;
		p = nl + 1;
	}
	argv[argc] = NULL;
	if (argc > 1 && argv[1][0] == 's')
		fuzz_sim(argc - 1, argv + 1);
	else if (argc > 1)
		fuzz_check(argc - 1, argv + 1);
	free(buf);
	return 0;
}
