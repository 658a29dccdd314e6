// SPDX-License-Identifier: GPL-2.0
/*
 * check/racetable: an execution's trace as a race table in the shape of
 * Documentation/virt/kvm/locking.rst: one column per actor that stepped
 * (and "final" for the quiesce-and-collect), one row per step, each cell
 * the kernel function and what the step did.
 */
#include "racetable.h"

#include <stdio.h>
#include <string.h>

/* Word-wraps s into lines of at most w characters. */
static int wrap(const char *s, int w, char lines[][128], int max)
{
	int n = 0;

	while (*s && n < max) {
		int len = (int)strlen(s), cut = len <= w ? len : w;

		if (len > w)
			for (int i = w; i > w / 2; i--)
				if (s[i] == ' ') {
					cut = i;
					break;
				}
		snprintf(lines[n++], 128, "%.*s", cut, s);
		s += cut;
		while (*s == ' ')
			s++;
	}
	return n;
}

const char *chk_step_actor_name(const struct exec *ex, int actor)
{
	return actor == EXEC_NO_ACTOR ? "final" : ex->actors[actor].name;
}

/*
 * The race table: one column per actor that stepped, one row per step,
 * each cell the kernel function and the operation's effect, as in
 * Documentation/virt/kvm/locking.rst.
 */
void chk_print_race_table(FILE *f, struct model *m)
{
	struct exec *ex = &m->ex;
	int cols[EXEC_MAX_ACTORS + 1], nc = 0, colw = 40;
	bool used[EXEC_MAX_ACTORS] = { false };

	bool driver = false;

	for (int i = 0; i < ex->trace_len; i++) {
		if (ex->trace[i].actor == EXEC_NO_ACTOR)
			driver = true;
		else
			used[ex->trace[i].actor] = true;
	}
	for (int i = 0; i < ex->nr_actors; i++)
		if (used[i])
			cols[nc++] = i;
	if (driver)
		cols[nc++] = EXEC_NO_ACTOR;
	if (nc > 4)
		colw = 160 / nc;
#define RULE()                                                          \
	do {                                                            \
		fprintf(f, "+------+");                                 \
		for (int c = 0; c < nc; c++) {                          \
			for (int k = 0; k < colw + 2; k++)              \
				fputc('-', f);                          \
			fputc('+', f);                                  \
		}                                                       \
		fputc('\n', f);                                         \
	} while (0)
	RULE();
	fprintf(f, "| step |");
	for (int c = 0; c < nc; c++)
		fprintf(f, " %-*.*s |", colw, colw, chk_step_actor_name(ex, cols[c]));
	fputc('\n', f);
	RULE();
	for (int i = 0; i < ex->trace_len; i++) {
		const struct exec_trace_step *t = &ex->trace[i];
		char text[EXEC_NOTE_LEN + 64], lines[12][128];
		int nl;

		if (t->actor == EXEC_NO_ACTOR && !t->op[0])
			snprintf(text, sizeof(text), "%s", t->fn);
		else
			snprintf(text, sizeof(text), "%s: %s", t->fn, t->op[0] ? t->op : "(local)");
		nl = wrap(text, colw, lines, 12);
		for (int l = 0; l < nl; l++) {
			if (l)
				fprintf(f, "|      |");
			else
				fprintf(f, "| %4d |", i + 1);
			for (int c = 0; c < nc; c++)
				fprintf(f, " %-*s |", colw, cols[c] == t->actor ? lines[l] : "");
			fputc('\n', f);
		}
	}
	RULE();
#undef RULE
}
