// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the scenario language (scn/scn.c): parse the input
 * as "fuzz.adsim"; if that succeeds, instantiate it (parameters, loops,
 * replicated actors) as model_build() does; free everything.
 *
 * Invariants checked (abort() so that libFuzzer reports the input):
 *  - every error, from scn_parse() or scn_instantiate(), starts with
 *    "fuzz.adsim:LINE:COL: " where 1 <= LINE <= lines of the input + 1
 *    and COL >= 1;
 *  - an instantiation that succeeds stays within the bounds model_build()
 *    relies on (actor and operation counts, opcodes, declaration refs).
 * Sanitizers (ASan, UBSan, LeakSanitizer) and libFuzzer's -timeout catch
 * the rest.  Built and run by tests/fuzz/run.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../../scn/scn.h"

#define PATH "fuzz.adsim"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(__x86_64__)
/*
 * exec/exec.c is linked only for exec_oracle_names[] and
 * obs_consumer_names[], the tables scn.c looks verdicts and consumers up
 * in.  Its context switch lives in exec/ctx_x86_64.S, which the parser
 * never reaches; this stub satisfies the linker instead.
 */
struct exec_ctx;
void exec_ctx_switch(struct exec_ctx *from, struct exec_ctx *to);
void exec_ctx_switch(struct exec_ctx *from, struct exec_ctx *to)
{
	(void)from;
	(void)to;
	abort();
}
#endif

static struct scn scn;
static struct scn_inst inst;

static void fail(const char *what, const char *err, const char *src)
{
	fprintf(stderr, "fuzz scn: invariant broken: %s\n  err: \"%s\"\n  input: %zu bytes\n",
		what, err, strlen(src));
	abort();
}

/* "fuzz.adsim:LINE:COL: ..." with LINE within the input. */
static void check_err(const char *stage, const char *err, const char *src)
{
	const char *p = err;
	long line = 0, col = 0, lines = 1;
	char what[96];

	for (const char *q = src; *q; q++)
		lines += *q == '\n';
	snprintf(what, sizeof(what), "%s error without \"" PATH ":LINE:COL: \"", stage);
	if (strncmp(p, PATH ":", sizeof(PATH)))
		fail(what, err, src);
	p += sizeof(PATH);
	if (*p < '0' || *p > '9')
		fail(what, err, src);
	while (*p >= '0' && *p <= '9' && line < 100000000)
		line = line * 10 + (*p++ - '0');
	if (*p++ != ':' || *p < '0' || *p > '9')
		fail(what, err, src);
	while (*p >= '0' && *p <= '9' && col < 100000000)
		col = col * 10 + (*p++ - '0');
	if (*p++ != ':' || *p != ' ')
		fail(what, err, src);
	if (line < 1 || line > lines || col < 1) {
		snprintf(what, sizeof(what), "%s error at line %ld col %ld of a %ld-line input",
			 stage, line, col, lines);
		fail(what, err, src);
	}
}

static void check_inst(const struct scn *s, const struct scn_inst *in, const char *src)
{
	const int nact = (int)(sizeof(in->actors) / sizeof(in->actors[0]));

	if (in->nr_actors < 1 || in->nr_actors > nact)
		fail("instantiated actor count out of range", "", src);
	if (in->nr_setup < 0 || in->nr_setup > SCN_MAX_OPS)
		fail("set-up operation count out of range", "", src);
	for (int i = 0; i < in->nr_actors; i++) {
		const struct scn_actor_inst *a = &in->actors[i];

		if (a->nr_ops < 0 || a->nr_ops > SCN_MAX_OPS)
			fail("actor operation count out of range", "", src);
		if (a->kind != 'c' && a->kind != 'v' && a->kind != 'k')
			fail("actor kind not c, v or k", "", src);
		if (a->kind != 'k' && (a->ref < 0 || a->ref >= s->nr_decls))
			fail("cpu/vcpu actor without a valid declaration", "", src);
		for (int j = 0; j < a->nr_ops; j++)
			if (a->ops[j].code >= OPC_NR || a->ops[j].ref < -1 ||
			    a->ops[j].ref >= s->nr_decls)
				fail("actor operation with a bad opcode or ref", "", src);
	}
	for (int j = 0; j < in->nr_setup; j++)
		if (in->setup[j].code >= OPC_NR || in->setup[j].ref < -1 ||
		    in->setup[j].ref >= s->nr_decls || in->setup_actor[j] < -1 ||
		    in->setup_actor[j] >= in->nr_actors)
			fail("set-up operation with a bad opcode, ref or actor", "", src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *src = malloc(size + 1);
	char err[512];

	if (!src)
		return 0;
	memcpy(src, data, size);
	src[size] = 0;

	err[0] = 0;
	if (scn_parse(&scn, PATH, src, err, sizeof(err))) {
		check_err("scn_parse", err, src);
	} else {
		err[0] = 0;
		if (scn_instantiate(&scn, &inst, err, sizeof(err)))
			check_err("scn_instantiate", err, src);
		else
			check_inst(&scn, &inst, src);
	}
	scn_free(&scn);
	free(src);
	return 0;
}
