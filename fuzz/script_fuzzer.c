/* SPDX-License-Identifier: ISC */
/*
 * script_fuzzer - arbitrary bytes through the #! line reader.  Oracles,
 * on the bytes as the kernel sees them (the first ZVM_SCRIPT_HEAD, NUL
 * past the input; the line ends at its first newline if that comes
 * before any NUL, else at the buffer's last byte, which the kernel makes
 * its NUL): the result is 0 exactly when the input does not start with
 * "#!"; -1 (ZVM_E_SYNTAX, no file) exactly when there is no interpreter
 * or its name does not end within the buffer.  On 1, both spans lie
 * inside the input and before the buffer's last byte; the interpreter
 * follows only blanks, is not empty, holds no blank, newline or NUL and
 * is followed by one of them (never a name cut short); an argument
 * follows the name and at least one blank, starts with no blank, holds
 * no newline or NUL, and ends at a NUL or at the end of the line with
 * its trailing blanks removed; without one, the name ends at a NUL or
 * only blanks follow it on the line.  Parsing again, into output that
 * holds garbage, and parsing the first ZVM_SCRIPT_HEAD bytes alone,
 * NUL-padded to that length, give the same result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/script.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

#define LAST	(ZVM_SCRIPT_HEAD - 1)	/* the byte the kernel makes NUL */

/* The byte at i of the n read, NUL past them. */
static int
at(const uint8_t *b, size_t n, size_t i)
{
	return i < n ? b[i] : '\0';
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Bytes i to j (exclusive) are all blanks. */
static int
all_blank(const uint8_t *b, size_t n, size_t i, size_t j)
{
	for (; i < j; i++)
		if (!blank(at(b, n, i)))
			return 0;
	return 1;
}

/* Where the line ends: at its newline (*nl = 1) when one comes before any
 * NUL in the n bytes, else at the buffer's last byte. */
static size_t
line_end(const uint8_t *b, size_t n, int *nl)
{
	*nl = 0;
	for (size_t i = 2; i < n && b[i] != '\0'; i++)
		if (b[i] == '\n') {
			*nl = 1;
			return i;
		}
	return LAST;
}

/* Whether the kernel refuses a "#!" buffer: no interpreter before the line
 * ends, or a name with no blank or NUL after it in the buffer. */
static int
refused(const uint8_t *b, size_t n)
{
	size_t p = 2, L, i;
	int nl;

	L = line_end(b, n, &nl);
	while (p <= LAST && blank(at(b, n, p)))
		p++;
	if (p >= L || at(b, n, p) == '\0')
		return 1;
	if (nl)
		return 0;
	for (i = p; i <= LAST; i++)
		if (blank(at(b, n, i)) || at(b, n, i) == '\0')
			return 0;
	return 1;
}

static void
check(const uint8_t *b, size_t size, int rc, const struct zvm_script *s,
    const struct zvm_error *e)
{
	size_t n = size < ZVM_SCRIPT_HEAD ? size : ZVM_SCRIPT_HEAD, L, t, a, i;
	int magic = n >= 2 && b[0] == '#' && b[1] == '!', nl;

	if (rc != -1 && rc != 0 && rc != 1)
		abort();
	if ((rc == 0) == magic)
		abort();
	if (rc == 0)
		return;
	if ((rc == -1) != refused(b, n))
		abort();
	if (rc == -1) {
		if (e->code != ZVM_E_SYNTAX || e->file != NULL ||
		    e->msg[0] == '\0')
			abort();
		return;
	}

	/* The interpreter. */
	L = line_end(b, n, &nl);
	t = s->interp + s->interp_len;
	if (s->interp < 2 || s->interp_len == 0 || t < s->interp ||
	    t > size || t > L || t > LAST)
		abort();
	if (!all_blank(b, n, 2, s->interp))
		abort();
	for (i = s->interp; i < t; i++)
		if (blank(b[i]) || b[i] == '\n' || b[i] == '\0')
			abort();
	if (!blank(at(b, n, t)) && at(b, n, t) != '\n' && at(b, n, t) != '\0')
		abort();

	/* The argument, or none. */
	if (s->has_arg == 0) {
		if (s->arg != 0 || s->arg_len != 0)
			abort();
		if (at(b, n, t) != '\0' && !all_blank(b, n, t, L))
			abort();
		return;
	}
	if (s->has_arg != 1)
		abort();
	a = s->arg + s->arg_len;
	if (!blank(at(b, n, t)) || s->arg <= t || a < s->arg || s->arg > size ||
	    a > size || a > L || a > LAST)
		abort();
	if (!all_blank(b, n, t, s->arg) || blank(at(b, n, s->arg)))
		abort();
	for (i = s->arg; i < a; i++)
		if (b[i] == '\n' || b[i] == '\0')
			abort();
	if (at(b, n, a) != '\0' && (s->arg_len == 0 || blank(b[a - 1]) ||
	    !all_blank(b, n, a, L)))
		abort();
}

/* Two parses of the same bytes agree. */
static void
same(int rc, const struct zvm_script *s, const struct zvm_error *e,
    int rc2, const struct zvm_script *s2, const struct zvm_error *e2)
{
	if (rc != rc2)
		abort();
	if (rc == 1 && (s->interp != s2->interp ||
	    s->interp_len != s2->interp_len || s->has_arg != s2->has_arg ||
	    s->arg != s2->arg || s->arg_len != s2->arg_len))
		abort();
	if (rc == -1 && (e->code != e2->code || e->file != e2->file ||
	    strcmp(e->msg, e2->msg) != 0))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_script s, s2;
	struct zvm_error e, e2;
	uint8_t head[ZVM_SCRIPT_HEAD];
	int rc, rc2;

	memset(&s, 0, sizeof s);
	memset(&e, 0, sizeof e);
	rc = zvm_script_parse(data, size, &s, &e);
	check(data, size, rc, &s, &e);

	/* Again, into output that holds garbage. */
	memset(&s2, 0xa5, sizeof s2);
	memset(&e2, 0xa5, sizeof e2);
	e2.msg[sizeof e2.msg - 1] = '\0';
	rc2 = zvm_script_parse(data, size, &s2, &e2);
	same(rc, &s, &e, rc2, &s2, &e2);

	/* Only the first ZVM_SCRIPT_HEAD bytes count, a short file reads as
	 * padded with NULs: an exact-size copy, so ASan sees a read past. */
	memset(head, 0, sizeof head);
	memcpy(head, data, size < sizeof head ? size : sizeof head);
	memset(&s2, 0xa5, sizeof s2);
	memset(&e2, 0xa5, sizeof e2);
	e2.msg[sizeof e2.msg - 1] = '\0';
	rc2 = zvm_script_parse(head, sizeof head, &s2, &e2);
	same(rc, &s, &e, rc2, &s2, &e2);
	return 0;
}
