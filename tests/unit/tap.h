/* SPDX-License-Identifier: ISC */
/*
 * tap.h - the smallest TAP producer: ok(), is_int(), is_str() and
 * done_testing().  Each check prints one "ok N - name" line; the plan is
 * printed at the end, so prove sees a test count even when a table grows.
 */
#ifndef ZVM_TAP_H
#define ZVM_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static int
ok(int cond, const char *name)
{
	tap_n++;
	if (!cond)
		tap_failed++;
	printf("%sok %d - %s\n", cond ? "" : "not ", tap_n, name);
	return cond;
}

static int
is_int(long long got, long long want, const char *name)
{
	if (!ok(got == want, name))
		printf("#   got %lld, want %lld\n", got, want);
	return got == want;
}

static int
is_str(const char *got, const char *want, const char *name)
{
	int same = got && want ? strcmp(got, want) == 0 : got == want;

	if (!ok(same, name))
		printf("#   got  '%s'\n#   want '%s'\n", got ? got : "(null)",
		    want ? want : "(null)");
	return same;
}

static int
done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed != 0;
}

#endif
