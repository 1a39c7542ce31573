/* SPDX-License-Identifier: ISC */
/*
 * check.h - assertions for the sandboxed test programs: T(call, ret, err)
 * runs a system call and compares its return value and errno exactly.
 * Failures are printed to fd 2; done() exits 1 if any check failed.
 */
#ifndef ZVM_CHECK_H
#define ZVM_CHECK_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int nchecks, nfails;

/* A NULL the compiler cannot see, for calls that must fail with EFAULT. */
static void *volatile nullbuf;

static void
check(const char *what, int line, long got, int goterr, long want,
    int wanterr)
{
	nchecks++;
	if (got == want && (want != -1 || goterr == wanterr))
		return;
	nfails++;
	dprintf(2, "FAIL line %d: %s = %ld (errno %d %s), want %ld (errno "
	    "%d %s)\n", line, what, got, goterr, strerror(goterr), want,
	    wanterr, strerror(wanterr));
}

#define T(call, ret, err) do {						\
	long r_;							\
	errno = 0;							\
	r_ = (long)(call);						\
	check(#call, __LINE__, r_, errno, (long)(ret), (err));		\
} while (0)

/* Plain condition. */
#define OK(cond) check(#cond, __LINE__, (cond) != 0, 0, 1, 0)

static int
done(void)
{
	dprintf(2, "%s %d checks\n", nfails ? "FAILED" : "PASS", nchecks);
	return nfails ? 1 : 0;
}

#endif
