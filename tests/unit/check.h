/* check.h - the unit tests' tiny harness: CHECK(cond) prints file:line and
 * the failed condition, and check_done() gives the exit status. */
#ifndef FMFS_CHECK_H
#define FMFS_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                           \
	do {                                                                  \
		check_count++;                                                \
		if (!(cond)) {                                                \
			check_failures++;                                     \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, \
				__LINE__, #cond);                             \
		}                                                             \
	} while (0)

/* A temp folder for the test, removed by the caller's shell runner. */
static inline const char *check_tmpdir(void)
{
	const char *t = getenv("TEST_TMP");

	return t ? t : "/tmp";
}

static inline int check_done(const char *name)
{
	if (check_failures)
		fprintf(stderr, "%s: %d of %d checks failed\n", name, check_failures,
			check_count);
	return check_failures ? 1 : 0;
}

#endif
