// SPDX-License-Identifier: GPL-2.0
/* The unit-test runner: every TEST() in tests/unit/, in file order. */
#include "unit.h"

#include <string.h>

static struct unit_test *head, **tail = &head;
int unit_failures;

void unit_register(struct unit_test *t)
{
	*tail = t;
	tail = &t->next;
}

int main(int argc, char **argv)
{
	int pass = 0, fail = 0;

	for (struct unit_test *t = head; t; t = t->next) {
		if (argc > 1 && !strstr(t->name, argv[1]))
			continue;
		unit_failures = 0;
		t->fn();
		if (unit_failures) {
			fail++;
			printf("FAIL unit %s\n", t->name);
		} else {
			pass++;
			printf("ok   unit %s\n", t->name);
		}
		fflush(stdout);
	}
	printf("%d passed, %d failed\n", pass, fail);
	return fail ? 1 : 0;
}
