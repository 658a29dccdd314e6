// SPDX-License-Identifier: GPL-2.0
/*
 * adsim: the command line.
 *
 *   adsim check FILE... [--set NAME=VALUE]... [--json] [--expect]
 *                       [--por dpor|sleep|none] [--mode dfs|bounded|random]
 *                       [--max-executions N] [--max-depth N] [--timeout S]
 *                       [--bound K] [--seed N]
 *   adsim replay FILE SCHEDULE [--set NAME=VALUE]...
 *   adsim variants [--markdown]
 *
 * Exit status: 0 no violation and complete; 1 violation found; 2 bad input
 * or usage; 3 incomplete without a violation.  With --expect, 0 when every
 * expect line of every file held and 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../check/explore.h"
#include "matrix.h"
#include "../check/racetable.h"
#include "../sim/sim.h"
#include "../sim/trace.h"
#include "../vskernel/vskernel.h"
#include "../scn/json.h"
#include "../scn/scn.h"

#define EXIT_OK 0
#define EXIT_VIOLATION 1
#define EXIT_USAGE 2
#define EXIT_INCOMPLETE 3

static void usage(FILE *f)
{
	fprintf(f,
		"usage: adsim check FILE... [options]   explore every interleaving of a scenario\n"
		"       adsim replay FILE SCHEDULE [--set NAME=VALUE]...  replay one execution\n"
		"       adsim variants [--markdown]       list the modelled kernel policies\n"
		"       adsim ops [--markdown]            list the scenario operations\n"
		"       adsim sim [options]               measure what the policies cost on a workload\n"
		"                                         (adsim sim --help)\n"
		"       adsim trace convert IN OUT | info FILE   memory traces for sim (docs/traces.md)\n"
		"       adsim vs-kernel [options]         compare the model with the running kernel\n"
		"                                         (adsim vs-kernel --help)\n"
		"\n"
		"check options:\n"
		"  --set NAME=VALUE     override a variant or scenario parameter (repeatable)\n"
		"  --json               one JSON object per scenario on stdout\n"
		"  --expect             check every 'expect' line of each file; exit 1 on a mismatch\n"
		"  --por dpor|sleep|none  dfs reduction: DPOR with sleep sets (default),\n"
		"                       sleep sets alone, or none (every interleaving)\n"
		"  --mode dfs|bounded|random  exhaustive (default), preemption-bounded, random\n"
		"  --bound K            bounded mode: the largest preemption bound (default 3)\n"
		"  --max-executions N   stop after N executions (incomplete); random mode\n"
		"                       without this or --timeout runs 100000\n"
		"  --max-depth N        steps per execution before it is cut (default 20000)\n"
		"  --timeout S          stop after S seconds (incomplete)\n"
		"  --seed N             random mode's seed (default 1; printed, and in --json)\n"
		"  --matrix[=VAR,...]   decide every combination of the variants' values (default:\n"
		"                       those the file names in set and expect lines) and print\n"
		"                       one table, the smallest fix of each violating cell and\n"
		"                       where expect lines disagree; exit 1 on a disagreement\n"
		"  -j N                 --matrix: cells decided at once (default: online CPUs)\n"
		"Progress (executions, rate, time) shows on stderr when it is a terminal.\n"
		"\n"
		"exit status: 0 no violation and complete, 1 violation, 2 bad input or usage,\n"
		"             3 incomplete without a violation\n"
		"\nscenario operations (docs/scenarios.md), and who may run them:\n");
	scn_print_ops(f, false);
	fprintf(f, "\nvariants (NAME=VALUE for --set):\n");
	variant_print_help(f);
}

struct opts {
	const char *sets[32];
	int nr_sets;
	bool json, expect;
	bool matrix;
	int matrix_vars[MATRIX_MAX_VARS], nr_matrix_vars;	/* 0: the file's */
	int jobs;
	enum explore_mode por;	/* the reduction of exhaustive (dfs) mode */
	struct explore_opts eo;
};

/* Parses src (path's text) and applies the --set options. */
static int parse(const char *path, const char *src, struct scn *s, const struct opts *o,
		 char *err, size_t n)
{
	int ret = scn_parse(s, path, src, err, n);

	for (int i = 0; !ret && i < o->nr_sets; i++)
		if (scn_set(s, o->sets[i], err, n))
			ret = -1;
	return ret;
}

/* Reads path once (it may be a pipe) and parses it; the text is *srcp's. */
static int load(const char *path, char **srcp, struct scn *s, const struct opts *o,
		char *err, size_t n)
{
	memset(s, 0, sizeof(*s));
	*srcp = scn_read_file(path, err, n);
	return *srcp ? parse(path, *srcp, s, o, err, n) : -1;
}

/* ---- output ---- */


static const char *mode_name(const struct explore_opts *eo)
{
	switch (eo->mode) {
	case EXPLORE_DPOR: return "dfs+dpor";
	case EXPLORE_SLEEP: return "dfs+sleep-sets";
	case EXPLORE_NONE: return "dfs";
	case EXPLORE_BOUNDED: return "bounded";
	default: return "random";
	}
}

/* check's result for one scenario as one JSON object, with the counterexample's trace. */
static void print_check_json(const char *path, const struct opts *o, const struct scn *s,
			     const struct model *mp, const struct explore_result *rp, const char *vs)
{
	printf("{\"scenario\":");
	json_str(stdout, s->name);
	printf(",\"file\":");
	json_str(stdout, path);
	printf(",\"variants\":");
	json_str(stdout, vs);
	printf(",\"mode\":\"%s\",", mode_name(&o->eo));
	if (o->eo.mode == EXPLORE_RANDOM)
		printf("\"seed\":%llu,", (unsigned long long)o->eo.seed);
	printf("\"violation\":");
	if (rp->violation) {
		printf("{\"oracle\":\"%s\",\"message\":", exec_oracle_names[rp->finding.oracle]);
		json_str(stdout, rp->finding.msg);
		printf(",\"schedule\":");
		json_str(stdout, rp->schedule ? rp->schedule : "");
		printf(",\"trace\":[");
		for (int i = 0; i < mp->ex.trace_len; i++) {
			const struct exec_trace_step *t = &mp->ex.trace[i];

			printf("%s{\"step\":%d,\"actor\":", i ? "," : "", i + 1);
			json_str(stdout, chk_step_actor_name(&mp->ex, t->actor));
			printf(",\"fn\":");
			json_str(stdout, t->fn);
			printf(",\"op\":");
			json_str(stdout, t->op);
			printf("}");
		}
		printf("]}");
	} else {
		printf("null");
	}
	printf(",\"complete\":%s,\"executions\":%llu,\"sleep_blocked\":%llu,"
	       "\"steps\":%llu,\"seconds\":%.6f}\n",
	       rp->complete ? "true" : "false", (unsigned long long)rp->executions,
	       (unsigned long long)rp->sleep_blocked, (unsigned long long)rp->steps,
	       rp->seconds);
}

static int check_one(const char *path, const struct opts *o, struct scn *s,
		     int *verdict_oracle)
{
	char err[512], vs[1024];
	struct model m;
	struct explore_result r;
	int status;

	if (model_build(&m, s, err, sizeof(err))) {
		fprintf(stderr, "adsim: %s\n", err);
		model_destroy(&m);
		return EXIT_USAGE;
	}
	explore(&m, &o->eo, &r);
	if (o->eo.progress && r.seconds >= 0.5)
		fprintf(stderr, "\r\033[K");	/* the progress line goes */
	variant_format(&s->cfg, vs, sizeof(vs));
	*verdict_oracle = r.violation ? (int)r.finding.oracle : ORACLE_NONE;
	status = r.violation ? EXIT_VIOLATION : r.complete ? EXIT_OK : EXIT_INCOMPLETE;
	if (r.violation) {
		struct explore_result rr;

		/* the explorer's own schedule: a refusal is a bug of the explorer */
		if (!r.schedule || explore_replay(&m, r.schedule, &rr, err, sizeof(err)))
			fprintf(stderr, "adsim: internal error: replaying the counterexample: %s\n",
				r.schedule ? err : "out of memory");
	}
	if (o->json) {
		print_check_json(path, o, s, &m, &r, vs);
	} else {
		printf("%s: %s", s->name,
		       r.violation ? "VIOLATION" : r.complete ? "no violation" : "no violation found (incomplete)");
		if (r.violation)
			printf(" %s: %s", exec_oracle_names[r.finding.oracle], r.finding.msg);
		printf("\n  variants: %s\n", vs);
		if (r.violation) {
			printf("  counterexample (adsim replay %s %s):\n", path,
			       r.schedule ? r.schedule : "?");
			chk_print_race_table(stdout, &m);
		}
		if (o->eo.mode == EXPLORE_RANDOM)
			printf("  seed: %llu (--seed)\n", (unsigned long long)o->eo.seed);
		printf("  %s: %llu executions (%llu sleep-set blocked), %llu steps, %.3f s, %s\n",
		       mode_name(&o->eo), (unsigned long long)r.executions,
		       (unsigned long long)r.sleep_blocked, (unsigned long long)r.steps,
		       r.seconds, r.complete ? "complete" : "incomplete");
	}
	explore_result_free(&r);
	model_destroy(&m);
	return status;
}

/* On a terminal: explored executions, their rate and the time, on one line. */
static void show_progress(const struct explore_result *r, double elapsed, void *arg)
{
	(void)arg;
	fprintf(stderr, "\r  %llu executions (%.0f/s), %llu steps, %.1f s\033[K",
		(unsigned long long)r->executions, elapsed > 0 ? r->executions / elapsed : 0.0,
		(unsigned long long)r->steps, elapsed);
}

/* "lost_write | stale_tlb" */
static void expect_names(u32 oracles, char *buf, size_t n)
{
	size_t len = 0;

	buf[0] = 0;
	for (int o = 0; o < ORACLE_NR && len < n; o++)
		if (oracles & (1u << o))
			len += (size_t)snprintf(buf + len, n - len, "%s%s",
						len ? " | " : "", exec_oracle_names[o]);
}

/* A decimal integer in [lo, hi]: digits only, no sign, blank or overflow. */
static int parse_uint(const char *s, u64 lo, u64 hi, u64 *v)
{
	u64 x = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || x > (~0ULL - 9) / 10)
			return -1;
		x = x * 10 + (u64)(*s - '0');
	}
	if (x < lo || x > hi)
		return -1;
	*v = x;
	return 0;
}

/* The options that bound an exploration (and random mode's seed). */
static const struct {
	const char *opt;
	u64 lo, hi;
} check_limits[] = {
	{ "--max-executions", 1, 1ULL << 60 }, { "--max-depth", 1, 1000000 },
	{ "--bound", 0, 50 }, { "--seed", 0, ~0ULL },
	{ "--timeout", 0, 0 },	/* seconds, not an integer: check_limit() parses it apart */
};

static bool check_limit_opt(const char *a)
{
	for (size_t k = 0; k < sizeof(check_limits) / sizeof(check_limits[0]); k++)
		if (!strcmp(check_limits[k].opt, a))
			return true;
	return false;
}

/*
 * One of them, its value v into eo: --timeout in seconds, the others
 * integers in their range.  -1 with the error printed.
 */
static int check_limit(const char *a, const char *v, struct explore_opts *eo)
{
	size_t k = 0;
	u64 x;

	if (!strcmp(a, "--timeout")) {
		char *end;
		double d = strtod(v, &end);

		/* written so that NaN fails it too */
		if (*end || end == v || !(d > 0 && d <= 1e9)) {
			fprintf(stderr, "adsim: --timeout: expected seconds in (0, 1e9], got '%s'\n", v);
			return -1;
		}
		eo->max_seconds = d;
		return 0;
	}
	while (strcmp(check_limits[k].opt, a))
		k++;
	if (parse_uint(v, check_limits[k].lo, check_limits[k].hi, &x)) {
		fprintf(stderr, "adsim: %s: expected an integer in %llu..%llu, got '%s'\n", a,
			(unsigned long long)check_limits[k].lo, (unsigned long long)check_limits[k].hi,
			v);
		return -1;
	}
	if (k == 0)
		eo->max_executions = x;
	else if (k == 1)
		eo->max_depth = (int)x;
	else if (k == 2)
		eo->bound = (int)x;
	else
		eo->seed = x;
	return 0;
}

#define CHECK_MAX_FILES 64

/* --matrix, --matrix=VAR,... and -j N into o; -1 with the error printed. */
static int matrix_opt(const char *a, const char *v, struct opts *o)
{
	u64 j;

	if (!strcmp(a, "-j")) {
		if (parse_uint(v, 1, 64, &j)) {
			fprintf(stderr, "adsim: -j: expected an integer in 1..64, got '%s'\n", v);
			return -1;
		}
		o->jobs = (int)j;
		return 0;
	}
	if (strcmp(a, "--matrix") && strncmp(a, "--matrix=", 9)) {
		fprintf(stderr, "adsim: unknown option '%s'\n", a);
		return -1;
	}
	o->matrix = true;
	if (a[8] == '=') {
		o->nr_matrix_vars = matrix_parse_vars(a + 9, o->matrix_vars, MATRIX_MAX_VARS);
		if (o->nr_matrix_vars < 0)
			return -1;
	}
	return 0;
}

/* What the options say together; -1 to go on, or the exit status. */
static int check_args_finish(struct opts *o, int nf)
{
	if (!nf) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (o->matrix && o->expect) {
		fprintf(stderr, "adsim: --matrix and --expect: --matrix compares its cells with the expect lines already\n");
		return EXIT_USAGE;
	}
	if (o->jobs && !o->matrix) {
		fprintf(stderr, "adsim: -j: only --matrix runs in parallel\n");
		return EXIT_USAGE;
	}
	if (!o->jobs) {
		long cpus = sysconf(_SC_NPROCESSORS_ONLN);

		o->jobs = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
	}
	if (o->eo.mode == EXPLORE_DPOR)
		o->eo.mode = o->por;
	if (o->eo.mode == EXPLORE_RANDOM && !o->eo.max_executions && !o->eo.max_seconds)
		o->eo.max_executions = EXPLORE_RANDOM_DEFAULT_EXECUTIONS;
	return -1;
}

/*
 * check's command line: the options into o, the scenario files into
 * files[*nf].  -1 to go on, or the exit status (usage printed).
 */
static int check_args(int argc, char **argv, struct opts *o, const char **files, int *nf)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json")) {
			o->json = true;
		} else if (!strcmp(a, "--expect")) {
			o->expect = true;
		} else if (!strncmp(a, "--matrix", 8) || (!strcmp(a, "-j") && v)) {
			if (matrix_opt(a, v, o))
				return EXIT_USAGE;
			i += !strcmp(a, "-j");
		} else if (!strcmp(a, "--set") && v) {
			if (o->nr_sets >= 32) {
				fprintf(stderr, "adsim: at most 32 --set options\n");
				return EXIT_USAGE;
			}
			o->sets[o->nr_sets++] = v;
			i++;
		} else if (!strcmp(a, "--por") && v) {
			if (!strcmp(v, "none"))
				o->por = EXPLORE_NONE;
			else if (!strcmp(v, "sleep"))
				o->por = EXPLORE_SLEEP;
			else if (!strcmp(v, "dpor"))
				o->por = EXPLORE_DPOR;
			else {
				fprintf(stderr, "adsim: --por: expected dpor, sleep or none\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (!strcmp(a, "--mode") && v) {
			if (!strcmp(v, "bounded"))
				o->eo.mode = EXPLORE_BOUNDED;
			else if (!strcmp(v, "random"))
				o->eo.mode = EXPLORE_RANDOM;
			else if (!strcmp(v, "dfs"))
				o->eo.mode = EXPLORE_DPOR;
			else {
				fprintf(stderr, "adsim: --mode: expected dfs, bounded or random\n");
				return EXIT_USAGE;
			}
			i++;
		} else if (check_limit_opt(a) && v) {
			if (check_limit(a, v, &o->eo))
				return EXIT_USAGE;
			i++;
		} else if (a[0] == '-') {
			fprintf(stderr, "adsim: unknown or incomplete option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		} else {
			if (*nf >= CHECK_MAX_FILES) {
				fprintf(stderr, "adsim: at most %d scenario files per run\n",
					CHECK_MAX_FILES);
				return EXIT_USAGE;
			}
			files[(*nf)++] = a;
		}
	}
	return check_args_finish(o, *nf);
}

/* --matrix over one file: 0, 1 if a cell disagrees with an expect line, 2 on error. */
static int check_matrix(const char *path, const struct opts *o, struct scn *s)
{
	int vars[MATRIX_MAX_VARS], nvars = o->nr_matrix_vars;
	struct matrix mx;
	char err[512];

	if (nvars)
		memcpy(vars, o->matrix_vars, sizeof(vars));
	else
		nvars = matrix_default_vars(s, vars, MATRIX_MAX_VARS);
	if (!nvars) {
		fprintf(stderr, "adsim: %s: no variant to vary (the file names none in set or expect lines): give --matrix=VARIANT,...\n",
			path);
		return EXIT_USAGE;
	}
	if (matrix_run(&mx, s, vars, nvars, &o->eo, o->jobs, err, sizeof(err))) {
		fprintf(stderr, "adsim: %s: %s\n", path, err);
		matrix_free(&mx);
		return EXIT_USAGE;
	}
	matrix_print(stdout, &mx, s, path, o->jobs, o->json);
	matrix_free(&mx);
	return mx.mismatches ? EXIT_VIOLATION : EXIT_OK;
}

static int cmd_check(int argc, char **argv, struct opts *o)
{
	const char *files[CHECK_MAX_FILES];
	int nf = 0, worst = EXIT_OK, mismatches = 0, args = check_args(argc, argv, o, files, &nf);

	if (args >= 0)
		return args;
	if (isatty(STDERR_FILENO))
		o->eo.progress = show_progress;
	for (int i = 0; i < nf; i++) {
		struct scn s;
		char err[512], *src;

		if (load(files[i], &src, &s, o, err, sizeof(err))) {
			fprintf(stderr, "adsim: %s\n", err);
			scn_free(&s);
			free(src);
			return EXIT_USAGE;
		}
		if (o->matrix) {
			int st = check_matrix(files[i], o, &s);

			scn_free(&s);
			free(src);
			if (st == EXIT_USAGE)
				return st;
			mismatches += st == EXIT_VIOLATION;
			continue;
		}
		if (!o->expect) {
			int verdict, st = check_one(files[i], o, &s, &verdict);

			if (st == EXIT_USAGE) {
				scn_free(&s);
				free(src);
				return st;
			}
			if (st == EXIT_VIOLATION || (st == EXIT_INCOMPLETE && worst == EXIT_OK))
				worst = st;
		} else {
			for (int e = 0; e < s.nr_expects; e++) {
				const struct scn_expect *x = &s.expects[e];
				struct scn s2;
				char want[128];
				int verdict, st;

				parse(files[i], src, &s2, o, err, sizeof(err));	/* parsed once already */
				for (int k = 0; k < x->nset; k++) {
					s2.cfg.v[x->var[k]] = (u8)x->val[k];
					s2.cfg_set[x->var[k]] = true;
				}
				st = check_one(files[i], o, &s2, &verdict);
				scn_free(&s2);
				if (st == EXIT_USAGE) {
					scn_free(&s);
					free(src);
					return st;
				}
				expect_names(x->oracles, want, sizeof(want));
				if (!(x->oracles & (1u << verdict)) ||
				    (verdict == ORACLE_NONE && st != EXIT_OK)) {
					mismatches++;
					fprintf(o->json ? stderr : stdout,
						"  EXPECT FAILED %s:%d: expected %s, got %s%s\n", files[i],
						x->line, want, exec_oracle_names[verdict],
						st == EXIT_INCOMPLETE ? " (incomplete)" : "");
				} else if (!o->json) {
					printf("  expect %s:%d: %s as expected\n", files[i], x->line,
					       exec_oracle_names[verdict]);
				}
			}
		}
		scn_free(&s);
		free(src);
	}
	if (o->expect || o->matrix)
		return mismatches ? EXIT_VIOLATION : EXIT_OK;
	return worst;
}

static int cmd_replay(int argc, char **argv, struct opts *o)
{
	struct scn s;
	struct model m;
	struct explore_result r;
	char err[512], *src;
	int i;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--set") || o->nr_sets >= 32) {
			usage(stderr);
			return EXIT_USAGE;
		}
		o->sets[o->nr_sets++] = argv[i + 1];
	}
	if (i < argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (load(argv[0], &src, &s, o, err, sizeof(err)) ||
	    model_build(&m, &s, err, sizeof(err))) {
		fprintf(stderr, "adsim: %s\n", err);
		scn_free(&s);
		free(src);
		return EXIT_USAGE;
	}
	free(src);
	if (explore_replay(&m, argv[1], &r, err, sizeof(err))) {
		fprintf(stderr, "adsim: %s\n", err);
		model_destroy(&m);
		scn_free(&s);
		return EXIT_USAGE;
	}
	chk_print_race_table(stdout, &m);
	printf("%s: %s%s%s\n", s.name, r.violation ? "VIOLATION " : "no violation",
	       r.violation ? exec_oracle_names[r.finding.oracle] : "",
	       r.violation ? "" : "");
	if (r.violation)
		printf("  %s\n", r.finding.msg);
	model_destroy(&m);
	scn_free(&s);
	return r.violation ? EXIT_VIOLATION : EXIT_OK;
}

int main(int argc, char **argv)
{
	struct opts o = { .por = EXPLORE_DPOR,
			  .eo = { .mode = EXPLORE_DPOR, .max_depth = 20000, .bound = 3, .seed = 1 } };

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && !strcmp(argv[1], "sim"))	/* its own --help */
		return sim_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "trace"))
		return trace_main(argc - 1, argv + 1);
	if (argc >= 2 && !strcmp(argv[1], "vs-kernel"))	/* its own --help */
		return vskernel_main(argc - 2, argv + 2);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    (argc == 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h")))) {
		usage(argc < 2 ? stderr : stdout);	/* also: adsim check --help */
		return argc < 2 ? EXIT_USAGE : EXIT_OK;
	}
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 2, argv + 2, &o);
	if (!strcmp(argv[1], "replay"))
		return cmd_replay(argc - 2, argv + 2, &o);
	if (!strcmp(argv[1], "ops")) {
		scn_print_ops(stdout, argc > 2 && !strcmp(argv[2], "--markdown"));
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "variants")) {
		if (argc > 2 && !strcmp(argv[2], "--markdown"))
			variant_print_markdown(stdout);
		else
			variant_print_help(stdout);
		return EXIT_OK;
	}
	fprintf(stderr, "adsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
