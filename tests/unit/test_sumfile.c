/* SPDX-License-Identifier: ISC */
/*
 * test_sumfile - checksum-line classification (the cases sha256sum -c
 * distinguishes), GNU escaping both ways, BSD tag lines, -z records and
 * zvm-run report Channel lines.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/sumfile.h"
#include "tap.h"
#include "base/util.h"

#define H "6bba86c7e069f56d5a10b435f1c8e49c"

/* s with control characters shown as '?', for test names. */
static const char *
shown(const char *s)
{
	static char buf[128];
	size_t i;

	for (i = 0; s[i] && i < sizeof buf - 1; i++)
		buf[i] = (unsigned char)s[i] < ' ' ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* Classify the single record in s; name, form and why into the out args. */
static int
one(const char *s, size_t n, int delim, struct zvm_sumline *l, char *name,
    size_t namesz)
{
	struct zvm_sumreader r;
	int got;

	zvm_sumreader_init(&r, s, n, delim);
	got = zvm_sumreader_next(&r, l);
	snprintf(name, namesz, "%s", got == 1 && l->name ? l->name : "");
	zvm_sumreader_free(&r);
	return got == 1 ? l->kind : -1;
}

static void
lines(void)
{
	static const struct {
		const char *line;
		int kind;
		int form;
		const char *name;
	} t[] = {
		{ H "  a", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a" },
		{ H " *a", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a" },
		{ H "  a b ", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a b " },
		{ H "  -x", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "-x" },
		{ "  " H "  a", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a" },
		{ H "  a\r", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a" },
		{ "6BBA86C7E069F56D5A10B435F1C8E49C  a", ZVM_SUM_ENTRY,
		    ZVM_SUM_GNU, "a" },
		{ "\\" H "  nl\\nname", ZVM_SUM_ENTRY, ZVM_SUM_GNU,
		    "nl\nname" },
		{ "\\" H "  a\\\\b", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a\\b" },
		{ H "  a\\\\b", ZVM_SUM_ENTRY, ZVM_SUM_GNU, "a\\\\b" },
		{ "\\" H "  a\\qb", ZVM_SUM_BAD, 0, "" },
		{ "\\" H "  ab\\", ZVM_SUM_BAD, 0, "" },
		{ "XXH128 (a) = " H, ZVM_SUM_ENTRY, ZVM_SUM_BSD, "a" },
		{ "XXH128(a) = " H, ZVM_SUM_ENTRY, ZVM_SUM_BSD, "a" },
		{ "XXH128 (a (1)) = " H, ZVM_SUM_ENTRY, ZVM_SUM_BSD, "a (1)" },
		{ "XXH128 (a) =" H, ZVM_SUM_ENTRY, ZVM_SUM_BSD, "a" },
		{ "\\XXH128 (nl\\nname) = " H, ZVM_SUM_ENTRY, ZVM_SUM_BSD,
		    "nl\nname" },
		{ "XXH128 (a) = " H " ", ZVM_SUM_BAD, 0, "" },
		{ "XXH128 (a) " H, ZVM_SUM_BAD, 0, "" },
		{ "XXH64 (a) = 6bba86c7e069f56d", ZVM_SUM_BAD, 0, "" },
		{ "XXH128 (a) = 6bba86c7e069f56d", ZVM_SUM_BAD, 0, "" },
		{ "6bba86c7e069f56d5a10b435f1c8e49  a", ZVM_SUM_BAD, 0, "" },
		{ "6bba86c7e069f56d5a10b435f1c8e49cc  a", ZVM_SUM_BAD, 0, "" },
		{ "6bba86c7e069f56d5a10b435f1c8e49z  a", ZVM_SUM_BAD, 0, "" },
		{ "6bba86c7e069f56d  a", ZVM_SUM_BAD, 0, "" },
		{ H, ZVM_SUM_BAD, 0, "" },
		{ H " ", ZVM_SUM_BAD, 0, "" },
		{ "junk", ZVM_SUM_BAD, 0, "" },
		{ "  # not a comment", ZVM_SUM_BAD, 0, "" },
		{ "   ", ZVM_SUM_BAD, 0, "" },
		{ "# comment", ZVM_SUM_SKIP, 0, "" },
		{ "\n", ZVM_SUM_SKIP, 0, "" },
		{ "\r", ZVM_SUM_SKIP, 0, "" },
		{ "State = ok", ZVM_SUM_SKIP, 0, "" },
		{ "Channel = /tmp/f,/dev/3.f,3," H ",1,3,0,0", ZVM_SUM_ENTRY,
		    ZVM_SUM_CHANNEL, "/tmp/f" },
		{ "Channel = /tmp/f , /dev/3.f , 3 , " H " , 1,3,0,0",
		    ZVM_SUM_ENTRY, ZVM_SUM_CHANNEL, "/tmp/f" },
		{ "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0", ZVM_SUM_SKIP,
		    0, "" },
		{ "Channel = /tmp/f,/dev/3.f,3," H ",1,3,0", ZVM_SUM_BAD, 0,
		    "" },
		{ "Channel = /tmp/f,/dev/3.f,3,1,1,3,0,0", ZVM_SUM_BAD, 0, "" },
		{ "Channel = ,/dev/3.f,3," H ",1,3,0,0", ZVM_SUM_BAD, 0, "" },
	};
	struct zvm_sumline l;
	char name[128], msg[160];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		int kind = one(t[i].line, strlen(t[i].line), '\n', &l, name,
		    sizeof name);

		snprintf(msg, sizeof msg, "'%s': kind", shown(t[i].line));
		if (!is_int(kind, t[i].kind, msg) && l.why)
			printf("#   why: %s\n", l.why);
		if (t[i].kind == ZVM_SUM_ENTRY) {
			snprintf(msg, sizeof msg, "'%s': form, name",
			    shown(t[i].line));
			ok(l.form == t[i].form && strcmp(name, t[i].name) == 0,
			    msg);
		}
		if (t[i].kind == ZVM_SUM_BAD) {
			snprintf(msg, sizeof msg, "'%s': explained",
			    shown(t[i].line));
			ok(l.why != NULL && *l.why, msg);
		}
	}
	one(H " *b", strlen(H " *b"), '\n', &l, name, sizeof name);
	is_int(l.binary, 1, "'*' marks binary");
	one("6bba86c7e069f56d5a10b435f1c8e49  a", 34, '\n', &l, name,
	    sizeof name);
	is_str(l.why, "digest has an odd number of hex digits",
	    "odd length explained");
	one("6bba86c7e069f56d5a10b435f1c8e49z  a", 35, '\n', &l, name,
	    sizeof name);
	is_str(l.why, "digest has a character that is not a hex digit",
	    "non-hex explained");
	/* A NUL byte inside a newline-terminated line. */
	is_int(one(H "  a\0b", 37, '\n', &l, name, sizeof name), ZVM_SUM_BAD,
	    "NUL in a line");
}

/* A whole file: line numbers, the report switch, BSD-reversed rules. */
static void
files(void)
{
	static const char gnu[] = "# c\n" H "  a\n\njunk\n" H " x\n";
	static const char rev[] = H " a\n" H "  b\n";
	static const char rep[] = "State = ok\nExit = 0\nTime = 0.1\n"
	    "Channel = /f,/dev/3.f,3," H ",1,3,0,0\nbogus line\n";
	static const int gnu_kinds[] = { ZVM_SUM_SKIP, ZVM_SUM_ENTRY,
	    ZVM_SUM_SKIP, ZVM_SUM_BAD, ZVM_SUM_BAD };
	static const int rep_kinds[] = { ZVM_SUM_SKIP, ZVM_SUM_SKIP,
	    ZVM_SUM_SKIP, ZVM_SUM_ENTRY, ZVM_SUM_BAD };
	struct zvm_sumreader r;
	struct zvm_sumline l;
	int i, same;

	zvm_sumreader_init(&r, gnu, sizeof gnu - 1, '\n');
	for (i = 0, same = 1; zvm_sumreader_next(&r, &l) == 1; i++)
		same &= i < 5 && l.kind == gnu_kinds[i] &&
		    l.line == (unsigned)i + 1;
	ok(same && i == 5, "GNU file: one single-blank line after two-blank "
	    "lines is bad");
	zvm_sumreader_free(&r);

	zvm_sumreader_init(&r, rev, sizeof rev - 1, '\n');
	zvm_sumreader_next(&r, &l);
	ok(l.kind == ZVM_SUM_ENTRY && strcmp(l.name, "a") == 0,
	    "BSD-reversed line");
	zvm_sumreader_next(&r, &l);
	ok(l.kind == ZVM_SUM_ENTRY && strcmp(l.name, " b") == 0,
	    "after it, the second blank belongs to the name (coreutils)");
	zvm_sumreader_free(&r);

	zvm_sumreader_init(&r, rep, sizeof rep - 1, '\n');
	ok(r.report, "State line makes a report");
	for (i = 0, same = 1; zvm_sumreader_next(&r, &l) == 1; i++)
		same &= i < 5 && l.kind == rep_kinds[i];
	ok(same && i == 5, "report keys skipped, Channel checked, junk bad");
	zvm_sumreader_free(&r);

	zvm_sumreader_init(&r, "Exit = 0\n", 9, '\n');
	zvm_sumreader_next(&r, &l);
	is_int(l.kind, ZVM_SUM_BAD, "report key outside a report is bad");
	zvm_sumreader_free(&r);

	/* -z: NUL-terminated, names raw (a newline is just a byte). */
	zvm_sumreader_init(&r, H "  nl\nname\0" H "  b\\n\0", 2 * 36 + 7,
	    '\0');
	zvm_sumreader_next(&r, &l);
	ok(l.kind == ZVM_SUM_ENTRY && strcmp(l.name, "nl\nname") == 0,
	    "-z record with a raw newline");
	zvm_sumreader_next(&r, &l);
	ok(l.kind == ZVM_SUM_ENTRY && strcmp(l.name, "b\\n") == 0,
	    "-z record: backslash is literal");
	is_int(zvm_sumreader_next(&r, &l), 0, "end of records");
	zvm_sumreader_free(&r);
}

static void
format(void)
{
	static const char *names[] = { "a", "a b", "-x", "nl\nname", "a\\b",
	    "cr\rx", "\\", "\n" };
	unsigned char d[ZVM_ETAG_LEN];
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_sumline l;
	char name[64], msg[80];
	size_t i;
	int tag;

	zvm_etag_parse(H, 32, d);
	zvm_sum_format(&b, d, "a", 0, '\n');
	is_str(b.p, H "  a\n", "GNU line");
	b.len = 0;
	zvm_sum_format(&b, d, "a", 1, '\n');
	is_str(b.p, "XXH128 (a) = " H "\n", "BSD line");
	b.len = 0;
	zvm_sum_format(&b, d, "nl\nname", 0, '\n');
	is_str(b.p, "\\" H "  nl\\nname\n", "escaped like sha256sum");
	b.len = 0;
	zvm_sum_format(&b, d, "nl\nname", 1, '\n');
	is_str(b.p, "\\XXH128 (nl\\nname) = " H "\n", "escaped BSD line");
	b.len = 0;
	zvm_sum_format(&b, d, "a\\b", 0, '\0');
	ok(b.len == 38 && memcmp(b.p, H "  a\\b", 37) == 0 && b.p[37] == 0,
	    "-z: raw name, NUL end");
	/* Every odd name round-trips through format and parse. */
	for (tag = 0; tag < 2; tag++)
		for (i = 0; i < sizeof names / sizeof names[0]; i++) {
			b.len = 0;
			zvm_sum_format(&b, d, names[i], tag, '\n');
			one(b.p, b.len - 1, '\n', &l, name, sizeof name);
			snprintf(msg, sizeof msg, "round trip %s #%zu",
			    tag ? "BSD" : "GNU", i);
			ok(l.kind == ZVM_SUM_ENTRY &&
			    strcmp(name, names[i]) == 0 &&
			    memcmp(l.digest, d, sizeof d) == 0, msg);
		}
	zvm_buf_free(&b);
}

int
main(void)
{
	lines();
	files();
	format();
	return done_testing();
}
