/* A minimal unit-test harness: each test is a function registered in a
 * table; `prog NAME` runs one (how ctest calls it), `prog` runs them all. */
#ifndef ORCH_TEST_HARNESS_H
#define ORCH_TEST_HARNESS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int harness_failures;

#define CHECK(cond)                                                                   \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			harness_failures++;                                           \
		}                                                                     \
	} while (0)

#define CHECK_STR(got, want)                                                          \
	do {                                                                          \
		const char *g_ = (got), *w_ = (want);                                 \
		if (!g_ || !w_ || strcmp(g_, w_) != 0) {                              \
			fprintf(stderr, "%s:%d: got  [%s]\n%*s want [%s]\n", __FILE__, __LINE__, \
			        g_ ? g_ : "(null)", (int)strlen(__FILE__) + 6, "", w_ ? w_ : "(null)"); \
			harness_failures++;                                           \
		}                                                                     \
	} while (0)

struct test_case {
	const char *name;
	void (*fn)(void);
};

static int harness_main(const struct test_case *tests, int argc, char **argv)
{
	int ran = 0;
	for (const struct test_case *t = tests; t->name; t++) {
		if (argc > 1 && strcmp(argv[1], t->name) != 0)
			continue;
		int before = harness_failures;
		t->fn();
		printf("%s %s\n", harness_failures == before ? "ok  " : "FAIL", t->name);
		ran++;
	}
	if (!ran) {
		fprintf(stderr, "no test named '%s'\n", argc > 1 ? argv[1] : "");
		return 2;
	}
	return harness_failures ? 1 : 0;
}

#endif
