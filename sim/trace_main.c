// SPDX-License-Identifier: GPL-2.0
/*
 * adsim trace: convert a memory trace to adsim's binary format, or describe
 * one.
 *
 *   adsim trace convert IN OUT     IN lackey text or binary, OUT binary
 *   adsim trace info FILE [--json]
 *
 * Exit status: 0 done; 1 the output could not be written; 2 usage or bad
 * input (the message, "FILE:LINE:COL: expected ...", on stderr).  OUT is
 * written through OUT.tmp and a rename, so a failed convert leaves no OUT.
 */
#include <stdio.h>
#include <string.h>

#include "trace.h"
#include "../scn/json.h"

#define EXIT_OK 0
#define EXIT_WRITE 1
#define EXIT_USAGE 2

static void trace_usage(FILE *f)
{
	fprintf(f,
		"usage: adsim trace convert IN OUT     convert a lackey or binary trace to binary\n"
		"       adsim trace info FILE [--json] records, distinct pages, writes of a trace\n"
		"\n"
		"IN is the text of 'valgrind --tool=lackey --trace-mem=yes --log-file=IN PROGRAM'\n"
		"or a binary trace; the format is detected from the first bytes (docs/traces.md).\n"
		"exit status: 0 done, 1 the output could not be written, 2 usage or bad input\n");
}

static double write_ratio(const struct trace *t)
{
	return t->nr ? (double)t->writes / (double)t->nr : 0.0;
}

static int trace_info(const char *path, bool json)
{
	struct trace t;
	char err[512];

	if (trace_load(&t, path, err, sizeof(err))) {
		fprintf(stderr, "adsim trace: %s\n", err);
		return EXIT_USAGE;
	}
	if (json) {
		printf("{\"file\": ");
		json_str(stdout, path);
		printf(", \"format\": \"%s\", \"records\": %llu, \"pages\": %llu, \"writes\": %llu, \"write_ratio\": %.6f}\n",
		       trace_format_name(t.format), (unsigned long long)t.nr,
		       (unsigned long long)t.nr_pages, (unsigned long long)t.writes, write_ratio(&t));
	} else {
		printf("file         %s\n", path);
		printf("format       %s\n", trace_format_name(t.format));
		printf("records      %llu\n", (unsigned long long)t.nr);
		printf("pages        %llu (%.1f MiB touched)\n", (unsigned long long)t.nr_pages,
		       (double)t.nr_pages * (double)PAGE_SIZE / (1024.0 * 1024.0));
		printf("writes       %llu\n", (unsigned long long)t.writes);
		printf("write ratio  %.4f\n", write_ratio(&t));
	}
	trace_free(&t);
	return EXIT_OK;
}

static int trace_convert(const char *in, const char *out)
{
	struct trace t;
	char err[512];

	if (trace_load(&t, in, err, sizeof(err))) {
		fprintf(stderr, "adsim trace: %s\n", err);
		return EXIT_USAGE;
	}
	if (trace_write_binary(&t, out, err, sizeof(err))) {
		fprintf(stderr, "adsim trace: %s\n", err);
		trace_free(&t);
		return EXIT_WRITE;
	}
	printf("%s: %llu records, %llu pages, %llu writes (from %s %s)\n", out,
	       (unsigned long long)t.nr, (unsigned long long)t.nr_pages,
	       (unsigned long long)t.writes, trace_format_name(t.format), in);
	trace_free(&t);
	return EXIT_OK;
}

/* argv[0] is "trace". */
int trace_main(int argc, char **argv)
{
	const char *cmd = argc >= 2 ? argv[1] : NULL;
	const char *pos[2];
	int npos = 0;
	bool json = false;

	if (cmd && (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))) {
		trace_usage(stdout);
		return EXIT_OK;
	}
	if (!cmd || (strcmp(cmd, "convert") && strcmp(cmd, "info"))) {
		if (cmd)
			fprintf(stderr, "adsim trace: unknown command '%s'\n", cmd);
		trace_usage(stderr);
		return EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			trace_usage(stdout);
			return EXIT_OK;
		} else if (!strcmp(a, "--json") && !strcmp(cmd, "info")) {
			json = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "adsim trace %s: unknown option '%s'\n", cmd, a);
			trace_usage(stderr);
			return EXIT_USAGE;
		} else if (npos < 2) {
			pos[npos++] = a;
		} else {
			fprintf(stderr, "adsim trace %s: unexpected argument '%s'\n", cmd, a);
			trace_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!strcmp(cmd, "info")) {
		if (npos != 1) {
			fprintf(stderr, "adsim trace info: expected one FILE\n");
			trace_usage(stderr);
			return EXIT_USAGE;
		}
		return trace_info(pos[0], json);
	}
	if (npos != 2) {
		fprintf(stderr, "adsim trace convert: expected IN and OUT\n");
		trace_usage(stderr);
		return EXIT_USAGE;
	}
	return trace_convert(pos[0], pos[1]);
}
