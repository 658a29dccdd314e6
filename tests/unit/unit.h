/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small unit-test harness: TEST(name) { ... } registers a test; CHECK()
 * records a failure with file:line and goes on; the runner prints one
 * "ok"/"FAIL" line per test and a closing "N passed, N failed".
 */
#ifndef ADSIM_TESTS_UNIT_H
#define ADSIM_TESTS_UNIT_H

#include <stdio.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
	struct unit_test *next;
};

void unit_register(struct unit_test *t);
extern int unit_failures;	/* CHECK failures in the running test */

#define TEST(name)                                                        \
	static void test_##name(void);                                    \
	static struct unit_test unit_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)         \
	{                                                                 \
		unit_register(&unit_##name);                              \
	}                                                                 \
	static void test_##name(void)

#define CHECK(cond)                                                       \
	do {                                                              \
		if (!(cond)) {                                            \
			unit_failures++;                                  \
			printf("    %s:%d: CHECK(%s) failed\n", __FILE__, \
			       __LINE__, #cond);                          \
		}                                                         \
	} while (0)

#define CHECK_EQ(a, b)                                                    \
	do {                                                              \
		long long _a = (long long)(a), _b = (long long)(b);       \
		if (_a != _b) {                                           \
			unit_failures++;                                  \
			printf("    %s:%d: %s == %lld, expected %s == %lld\n", \
			       __FILE__, __LINE__, #a, _a, #b, _b);        \
		}                                                         \
	} while (0)

#endif
