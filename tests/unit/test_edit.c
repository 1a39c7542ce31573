/* SPDX-License-Identifier: ISC */
/*
 * test_edit - zvm-edit's expressions without exec: a table of malformed
 * expressions with their exact messages, a table of edits applied to one
 * manifest with the exact bytes expected (or the error), and the
 * idempotence of every successful row (applied twice == once).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/edit.h"
#include "manifest/manifest.h"
#include "tap.h"

#define HEAD	"# a job\n" \
		"Version = 20130611\n" \
		"Program = /bin/true\n"
#define TIMEOUT	"Timeout = 10\n"
#define MEMORY	"Memory = 33554432,1\n"
#define ENV	"Env = A=1\n"
#define STDIN	"Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0\n"
#define STDOUT	"Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1\n"
#define STDERR	"Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1\n"
#define IN	"Channel = /data/in.txt,/dev/1.in.txt,3,0,10,10,0,0\n"
#define OUT	"Channel = /data/out.txt,/dev/2.out.txt,3,0,0,0,10,10\n"
#define CHANS	STDIN STDOUT STDERR IN OUT
#define BASE	HEAD TIMEOUT MEMORY ENV CHANS

/* Malformed expressions: every one is ZVM_E_EDIT with this message. */
static const struct {
	const char *expr, *msg;
} bad[] = {
	{ "", "expected SELECTOR:FIELD=VALUE, SELECTOR:delete, KEY=VALUE "
	    "or KEY:delete" },
	{ "Timeout", "expected SELECTOR:FIELD=VALUE, SELECTOR:delete, "
	    "KEY=VALUE or KEY:delete" },
	{ "=5", "empty key before '='" },
	{ "timeout=5", "unknown key 'timeout' (keys are case-sensitive: did "
	    "you mean Timeout?)" },
	{ "Foo=5", "unknown key 'Foo' (a channel selector starts with '/' "
	    "or is a glob, and is followed by ':')" },
	{ "Timeout=", "Timeout: empty value" },
	{ "Timeout=-1", "Timeout: '-1': sign not allowed" },
	{ "Timeout=1M", "Timeout: '1M': not a number" },
	{ "Node=0x", "Node: '0x': no digits after 0x" },
	{ "Memory=1X", "Memory: '1X': not a number" },
	{ "Memory=1.5G,0", "Memory: '1.5G': not a number" },
	{ "Memory=1G,x", "Memory: etag flag 'x': not a number" },
	{ "Program=", "Program: empty value" },
	{ "Env=A", "Env: expected Env=NAME=VALUE" },
	{ "Env==1", "Env: expected Env=NAME=VALUE" },
	{ "Env= =1", "Env: expected Env=NAME=VALUE" },
	{ "Env:A", "expected Env=NAME=VALUE, Env:delete or Env:NAME:delete" },
	{ "Env::delete", "expected Env=NAME=VALUE, Env:delete or "
	    "Env:NAME:delete" },
	{ "Timeout:remove", "expected Timeout=VALUE or Timeout:delete" },
	{ "Timeout:delete=1", "expected Timeout=VALUE or Timeout:delete" },
	{ "Channel:delete", "channels are selected by alias: SELECTOR:delete" },
	{ "Channel=/a,/b,0,0,1,1,0", "Channel: expected 8 fields (uri,alias,"
	    "type,etag,gets,get_size,puts,put_size), got 7" },
	{ "Channel=/a,/b,0,0,1,1,0,0,0", "Channel: expected 8 fields (uri,"
	    "alias,type,etag,gets,get_size,puts,put_size), got 9" },
	{ "Channel=/a,,0,0,1,1,0,0", "Channel: field 2 (alias): empty" },
	{ "Channel=/a,/b,x,0,1,1,0,0", "Channel: field 3 (type): 'x': not a "
	    "number" },
	{ "Channel=/a,/b,0,0,1Q,1,0,0", "Channel: field 5 (gets): '1Q': not "
	    "a number" },
	{ "Channel=/a,/b,0,0,1,1,0,99999999999999999999", "Channel: field 8 "
	    "(put_size): '99999999999999999999': out of range" },
	{ "dev/x:gets=1", "selector 'dev/x' is neither an alias (starting "
	    "with '/') nor a glob" },
	{ ":gets=1", "empty selector before ':'" },
	{ " :delete", "empty selector before ':'" },
	{ "/dev/x:", "'': expected FIELD=VALUE or delete after ':'" },
	{ "/dev/x:remove", "'remove': expected FIELD=VALUE or delete after "
	    "':'" },
	{ "/dev/x:gets=1,puts", "'puts': expected FIELD=VALUE" },
	{ "/dev/x:gets=1,", "'': expected FIELD=VALUE" },
	{ "/dev/x:Gets=1", "unknown field 'Gets' (expected uri, alias, type, "
	    "etag, gets, get_size, puts or put_size)" },
	{ "/dev/x:gets=1,gets=2", "field gets given twice" },
	{ "/dev/x:gets=", "gets: empty value" },
	{ "/dev/x:uri=", "uri: empty value" },
	{ "/dev/x:gets=-3", "gets: '-3': sign not allowed" },
	{ "/dev/x:put_size=1.5M", "put_size: '1.5M': not a number" },
	{ "/dev/x:get_size=9000000T", "get_size: '9000000T': out of range" },
	{ "/dev/x:type=08", "type: '08': invalid octal digit (a leading 0 "
	    "means octal)" },
	{ "/dev/x:gets=1\n", "line break in expression" },
	{ "Program=/a\rb", "line break in expression" },
};

/* Edits applied in order to BASE: the output, or the error of the last. */
static const struct {
	const char *name;
	const char *expr[4];
	const char *want;	/* expected bytes; NULL: an error */
	int code;		/* expected error code */
	const char *msg;	/* expected error message */
	int once;		/* not idempotent (renames what it selects) */
} cases[] = {
	{ "set one quota", { "/dev/1.in.txt:gets=3" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/in.txt,/dev/1.in.txt,3,0,3,10,0,0\n" OUT },
	{ "size suffixes", { "/dev/2.out.txt:puts=1k,put_size=2M" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR IN
	    "Channel = /data/out.txt,/dev/2.out.txt,3,0,0,0,1024,2097152\n" },
	{ "every field", { "/dev/1.in.txt:uri=/x,alias=/dev/y,type=0,etag=1,"
	    "gets=4,get_size=5,puts=6,put_size=7" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /x,/dev/y,0,1,4,5,6,7\n" OUT, .once = 1 },
	{ "the blog's three edits", {
	    "/dev/1.in.txt:gets=3,get_size=3,puts=3,put_size=3",
	    "/dev/stdout:uri=/dev/stdout", "/dev/stderr:uri=/dev/stderr" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/in.txt,/dev/1.in.txt,3,0,3,3,3,3\n" OUT },
	{ "glob", { "/dev/[0-9]*:etag=1" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/in.txt,/dev/1.in.txt,3,1,10,10,0,0\n"
	    "Channel = /data/out.txt,/dev/2.out.txt,3,1,0,0,10,10\n" },
	{ "glob star crosses '/'", { "*.txt:type=0" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/in.txt,/dev/1.in.txt,0,0,10,10,0,0\n"
	    "Channel = /data/out.txt,/dev/2.out.txt,0,0,0,0,10,10\n" },
	{ "glob question mark", { "/dev/std??*:type=1" },
	    HEAD TIMEOUT MEMORY ENV
	    "Channel = /dev/stdin,/dev/stdin,1,0,1,1,0,0\n"
	    "Channel = /dev/stdout,/dev/stdout,1,0,0,0,1,1\n"
	    "Channel = /dev/stderr,/dev/stderr,1,0,0,0,1,1\n" IN OUT },
	{ "no change, no rewrite", { "/dev/stdin:gets=1" }, BASE },
	{ "no match", { "/dev/nope:gets=1" }, NULL, ZVM_E_NOMATCH,
	    "no channel matches '/dev/nope'" },
	{ "glob no match", { "/x/*:gets=1" }, NULL, ZVM_E_NOMATCH,
	    "no channel matches '/x/*'" },
	{ "exact selector is not a prefix", { "/dev/std:gets=1" }, NULL,
	    ZVM_E_NOMATCH, "no channel matches '/dev/std'" },
	{ "rename then no match", { "/dev/1.in.txt:alias=/dev/a",
	    "/dev/1.in.txt:gets=1" }, NULL, ZVM_E_NOMATCH,
	    "no channel matches '/dev/1.in.txt'" },
	{ "delete", { "/dev/2.out.txt:delete" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR IN },
	{ "delete by glob", { "/dev/?.*:delete" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR },
	{ "delete the absent", { "/dev/nope:delete" }, BASE },
	{ "add a channel", { "Channel=/data/log,/dev/log,0,0,0,0,1K,64K" },
	    BASE "Channel = /data/log,/dev/log,0,0,0,0,1024,65536\n" },
	{ "Channel= on an alias sets every field",
	    { "Channel = /data/new.txt, /dev/1.in.txt, 1, 1, 2, 3, 4, 5" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/new.txt,/dev/1.in.txt,1,1,2,3,4,5\n" OUT },
	{ "add then edit", { "Channel=/l,/dev/log,0,0,0,0,1,1",
	    "/dev/log:puts=9" },
	    BASE "Channel = /l,/dev/log,0,0,0,0,9,1\n" },
	{ "delete then add", { "/dev/1.in.txt:delete",
	    "Channel=/data/in.txt,/dev/1.in.txt,3,0,10,10,0,0" },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR OUT IN },
	{ "set a key", { "Timeout=100" },
	    HEAD "Timeout = 100\n" MEMORY ENV CHANS },
	{ "set keeps hex", { "Timeout=0x20" },
	    HEAD "Timeout = 0x20\n" MEMORY ENV CHANS },
	{ "add a key", { "Node=3" },
	    HEAD TIMEOUT MEMORY ENV "Node = 3\n" CHANS },
	{ "Memory keeps its etag flag", { "Memory=1G" },
	    HEAD TIMEOUT "Memory = 1073741824,1\n" ENV CHANS },
	{ "Memory sets the flag", { "Memory=64M,0" },
	    HEAD TIMEOUT "Memory = 67108864,0\n" ENV CHANS },
	{ "Memory added without flag", { "Memory:delete", "Memory=2K" },
	    HEAD TIMEOUT ENV "Memory = 2048,0\n" CHANS },
	{ "delete a key", { "Timeout:delete" }, HEAD MEMORY ENV CHANS },
	{ "delete a key, blanks", { " Timeout : delete " },
	    HEAD MEMORY ENV CHANS },
	{ "delete an absent key", { "Job:delete" }, BASE },
	{ "Args with '=' and ':'", { "Args=prog -o a=b:c" },
	    HEAD TIMEOUT MEMORY ENV "Args = prog -o a=b:c\n" CHANS },
	{ "set Env", { "Env=A=2" },
	    HEAD TIMEOUT MEMORY "Env = A=2\n" CHANS },
	{ "add Env", { "Env=PATH=/bin:/usr/bin" },
	    HEAD TIMEOUT MEMORY ENV "Env = PATH=/bin:/usr/bin\n" CHANS },
	{ "Env value with '='", { "Env=B=x=y" },
	    HEAD TIMEOUT MEMORY ENV "Env = B=x=y\n" CHANS },
	{ "empty Env value", { "Env=A=" },
	    HEAD TIMEOUT MEMORY "Env = A=\n" CHANS },
	{ "delete one Env", { "Env:A:delete" }, HEAD TIMEOUT MEMORY CHANS },
	{ "delete every Env", { "Env=B=2", "Env:delete" },
	    HEAD TIMEOUT MEMORY CHANS },
	{ "delete an absent Env", { "Env:NOPE:delete" }, BASE },
	{ "selector with blanks", { " /dev/1.in.txt : gets = 3 " },
	    HEAD TIMEOUT MEMORY ENV STDIN STDOUT STDERR
	    "Channel = /data/in.txt,/dev/1.in.txt,3,0,3,10,0,0\n" OUT },
	{ "uri with ':' and '='", { "/dev/stdout:uri=/a:b=c" },
	    HEAD TIMEOUT MEMORY ENV STDIN
	    "Channel = /a:b=c,/dev/stdout,0,0,0,0,1,1\n" STDERR IN OUT },
};

static int
load(struct zvm_manifest *m, const char *text)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	int rc;

	zvm_manifest_init(m);
	rc = zvm_manifest_parse(m, "t", text, strlen(text), &d);
	zvm_diag_free(&d);
	return rc;
}

/*
 * Apply the edits of row to text; the result's bytes go to out.
 * Returns 0 or -1 with e set.
 */
static int
run(const char *const *expr, const char *text, struct zvm_buf *out,
    struct zvm_error *e)
{
	struct zvm_manifest m;
	int rc = 0;

	if (load(&m, text) == -1) {
		zvm_error_set(e, ZVM_E_SYNTAX, NULL, 0, "input does not parse");
		return -1;
	}
	for (int i = 0; i < 4 && expr[i] && rc == 0; i++) {
		struct zvm_edit ed;

		rc = zvm_edit_parse(&ed, expr[i], e);
		if (rc == 0)
			rc = zvm_edit_apply(&m, &ed, e);
		zvm_edit_free(&ed);
	}
	if (rc == 0)
		zvm_manifest_write(&m, out);
	zvm_manifest_free(&m);
	return rc;
}

static void
test_bad(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		struct zvm_error e = { 0 };
		struct zvm_edit ed;
		int rc = zvm_edit_parse(&ed, bad[i].expr, &e);

		snprintf(name, sizeof name, "bad '%s'", bad[i].expr);
		/* A line break would end the TAP line. */
		for (char *p = name; (p = strpbrk(p, "\r\n")) != NULL;)
			*p = '?';
		ok(rc == -1 && e.code == ZVM_E_EDIT && e.file == NULL &&
		    e.line == 0, name);
		is_str(e.msg, bad[i].msg, name);
		zvm_edit_free(&ed);
	}
}

static void
test_cases(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct zvm_buf out = ZVM_BUF_INIT, again = ZVM_BUF_INIT;
		struct zvm_error e = { 0 };
		int rc = run(cases[i].expr, BASE, &out, &e);

		snprintf(name, sizeof name, "%s", cases[i].name);
		if (cases[i].want == NULL) {
			ok(rc == -1 && e.code == cases[i].code, name);
			is_str(e.msg, cases[i].msg, name);
			zvm_buf_free(&out);
			continue;
		}
		if (!ok(rc == 0, name))
			printf("#   %s\n", e.msg);
		is_str(out.p ? out.p : "", cases[i].want, name);
		/* Idempotence: the same edits on the result change nothing. */
		snprintf(name, sizeof name, "%s: twice == once",
		    cases[i].name);
		rc = run(cases[i].expr, out.p ? out.p : "", &again, &e);
		if (cases[i].once)
			ok(rc == -1 && e.code == ZVM_E_NOMATCH, name);
		else
			is_str(rc == 0 ? again.p ? again.p : "" : e.msg,
			    out.p ? out.p : "", name);
		zvm_buf_free(&out);
		zvm_buf_free(&again);
	}
}

/* What a parsed edit holds, for the forms the tables above cannot see. */
static void
test_parse(void)
{
	struct zvm_error e;
	struct zvm_edit ed;

	zvm_edit_parse(&ed, "/dev/a:b:c:gets=1", &e);
	is_int(ed.op, ZVM_EDIT_FIELDS, "alias with ':': fields");
	is_str(ed.sel, "/dev/a:b:c", "alias with ':': the last ':' before "
	    "'=' ends the selector");
	ok(!ed.glob && ed.fields == 1u << ZVM_F_GETS, "exact, gets only");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "/dev/a:b:delete", &e);
	is_int(ed.op, ZVM_EDIT_DELETE, "alias with ':': delete");
	is_str(ed.sel, "/dev/a:b", "alias with ':': selector");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "Env:A:B:delete", &e);
	is_int(ed.op, ZVM_EDIT_UNSETENV, "Env:NAME:delete");
	is_str(ed.name, "A:B", "Env name with ':'");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "Env:delete", &e);
	ok(ed.op == ZVM_EDIT_UNSET && ed.key == ZVM_K_ENV, "Env:delete");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "[/]dev/x:delete", &e);
	ok(ed.op == ZVM_EDIT_DELETE && ed.glob, "'[' makes a glob");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "Memory=1M", &e);
	ok(ed.op == ZVM_EDIT_SET && ed.memory == 1048576 && ed.memory_keep,
	    "Memory=1M: 1048576, keep the flag");
	zvm_edit_free(&ed);

	zvm_edit_parse(&ed, "Memory = 4G , 1", &e);
	ok(ed.memory == 4294967296ULL && ed.memory_etag == 1 &&
	    !ed.memory_keep, "Memory = 4G , 1");
	zvm_edit_free(&ed);
}

/* The rest of the file is untouched, whatever its bytes. */
static void
test_fidelity(void)
{
	static const char in[] =
	    "#!zvm\r\n"
	    "  Version\t=   20130611  \r\n"
	    "Program=/bin/true\r\n"
	    "==Channel = /old,/dev/old,0,0,1,1,0,0\r\n"
	    "Custom = kept as is\r\n"
	    "Timeout = 10\r\n"
	    "Memory = 1024, 0\r\n"
	    "\r\n"
	    "Channel = /dev/stdin, /dev/stdin, 0, 0, 1, 1, 0, 0\r\n"
	    "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 0, 1, 1\r\n"
	    "Channel = /dev/stderr ,/dev/stderr,0,0,0,0,1,1";
	static const char *const expr[] = {
		"/dev/stdout:puts=2", "Channel=/l,/dev/log,0,0,0,0,1,1",
		"Job=/tmp/sock", NULL
	};
	static const char want[] =
	    "#!zvm\r\n"
	    "  Version\t=   20130611  \r\n"
	    "Program=/bin/true\r\n"
	    "==Channel = /old,/dev/old,0,0,1,1,0,0\r\n"
	    "Custom = kept as is\r\n"
	    "Timeout = 10\r\n"
	    "Memory = 1024, 0\r\n"
	    "Job = /tmp/sock\r\n"
	    "\r\n"
	    "Channel = /dev/stdin, /dev/stdin, 0, 0, 1, 1, 0, 0\r\n"
	    "Channel = /dev/stdout, /dev/stdout, 0, 0, 0, 0, 2, 1\r\n"
	    "Channel = /dev/stderr ,/dev/stderr,0,0,0,0,1,1\r\n"
	    "Channel = /l, /dev/log, 0, 0, 0, 0, 1, 1\r\n";
	struct zvm_buf out = ZVM_BUF_INIT;
	struct zvm_error e;

	ok(run(expr, in, &out, &e) == 0, "fidelity: edits apply");
	is_str(out.p, want, "fidelity: CRLF, comments, unknown keys, "
	    "spacing and the unterminated last line survive");
	zvm_buf_free(&out);
}

/* Linear: 100,000 channels parse, edit, check and write. */
static void
test_large(void)
{
	struct zvm_buf in = ZVM_BUF_INIT, out = ZVM_BUF_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	const char *expr[] = { "/dev/99999.f:gets=1", "/dev/5.f:delete",
		"Channel=/x,/dev/x,0,0,1,1,0,0", NULL };
	struct zvm_manifest m;
	struct zvm_error e;

	zvm_buf_adds(&in, HEAD TIMEOUT MEMORY STDIN STDOUT STDERR);
	for (int i = 3; i < 100000; i++)
		zvm_buf_printf(&in, "Channel = /d/f%d,/dev/%d.f,3,0,9,9,9,9\n",
		    i, i);
	ok(run(expr, in.p, &out, &e) == 0, "100,000 channels: edits apply");
	ok(out.len == in.len - strlen("Channel = /d/f5,/dev/5.f,3,0,9,9,9,9\n")
	    + strlen("Channel = /x,/dev/x,0,0,1,1,0,0\n"), "100,000 channels: "
	    "one line out, one in, one changed in place");
	ok(strstr(out.p, "/dev/99999.f,3,0,1,9,9,9\n") != NULL,
	    "100,000 channels: the last one edited");
	load(&m, out.p);
	is_int(zvm_manifest_check(&m, &d), 0, "100,000 channels: valid");
	is_int((long long)zvm_manifest_nchannels(&m), 100000,
	    "100,000 channels: count");
	zvm_manifest_free(&m);
	zvm_diag_free(&d);
	zvm_buf_free(&in);
	zvm_buf_free(&out);
}

int
main(void)
{
	test_bad();
	test_cases();
	test_parse();
	test_fidelity();
	test_large();
	return done_testing();
}
