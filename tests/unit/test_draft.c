/* SPDX-License-Identifier: ISC */
/*
 * test_draft - lib/draft/draft without exec'ing zvm-manifest: -c and -e
 * arguments as tables (code and the option named in e->file), the
 * manifest built for a program with @ files, trees and -c channels,
 * alias clashes, values that would not read back, --save-dir's mkdir -p
 * and atomic write, and #! scripts: the interpreter as Program, the
 * kernel's argv, env NAME, and the interpreters refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "draft/draft.h"
#include "tap.h"

static char tmp[] = "/tmp/test_draft.XXXXXX";

/* An option argument: 0, or -1 with e->code and (unless NULL) e->msg. */
struct opt_case {
	const char *arg;
	int rc, code;
	const char *msg;
};

static const struct opt_case channel_cases[] = {
	{ "/a,/dev/a,1,0,1K,1M,0,0", 0, 0, NULL },
	{ "/a, /dev/a ,1,0, 4g ,1T,0,0", 0, 0, NULL },
	{ "/a,/dev/a,1,0,1X,1,0,0", -1, ZVM_E_NUMBER, NULL },
	{ "/a,/dev/a,1,0,111111111111111111111111111111111111111111111111111111"
	    "111111111111,1,0,0", -1, ZVM_E_NUMBER,
	    "field 5 (gets): '1111111111111111111111111111111111111111111111111"
	    "11111111111111111': out of range" },
	{ "/a,/dev/a,1,0,1,1,0", -1, ZVM_E_VALUE, NULL },
};

static const struct opt_case env_cases[] = {
	{ "A=b", 0, 0, NULL },
	{ "A=", 0, 0, NULL },
	{ "A=b=c", 0, 0, NULL },
	{ "A", -1, ZVM_E_SYNTAX, "expected NAME=VALUE" },
	{ "=b", -1, ZVM_E_VALUE, "expected NAME=VALUE" },
	{ "A B=c", -1, ZVM_E_VALUE,
	    "a NAME cannot hold '=', blanks or control characters" },
	{ "A=b ", -1, ZVM_E_VALUE,
	    "a value cannot end with a blank or hold a line break" },
	{ "A=b\nc", -1, ZVM_E_VALUE,
	    "a value cannot end with a blank or hold a line break" },
};

static void
test_options(void)
{
	char label[160], file[160];

	for (size_t i = 0; i < sizeof channel_cases / sizeof *channel_cases;
	    i++) {
		struct zvm_draft d = ZVM_DRAFT_INIT;
		struct zvm_error e = { 0 };
		int rc = zvm_draft_channel(&d, channel_cases[i].arg, &e);

		snprintf(label, sizeof label, "-c %.60s", channel_cases[i].arg);
		is_int(rc, channel_cases[i].rc, label);
		if (rc == -1) {
			is_int(e.code, channel_cases[i].code, label);
			snprintf(file, sizeof file, "-c %s",
			    channel_cases[i].arg);
			is_str(e.file, file, label);
			if (channel_cases[i].msg)
				is_str(e.msg, channel_cases[i].msg, label);
		} else
			is_int((long long)d.nextra, 1, label);
		zvm_draft_free(&d);
	}
	for (size_t i = 0; i < sizeof env_cases / sizeof *env_cases; i++) {
		struct zvm_draft d = ZVM_DRAFT_INIT;
		struct zvm_error e = { 0 };
		int rc = zvm_draft_env(&d, env_cases[i].arg, &e);

		snprintf(label, sizeof label, "-e %s", env_cases[i].arg);
		label[strcspn(label, "\n")] = '\0';	/* one TAP line */
		is_int(rc, env_cases[i].rc, label);
		if (rc == -1) {
			is_int(e.code, env_cases[i].code, label);
			snprintf(file, sizeof file, "-e %s", env_cases[i].arg);
			is_str(e.file, file, label);
			is_str(e.msg, env_cases[i].msg, label);
		}
		zvm_draft_free(&d);
	}
}

static void
touch(const char *rel, const char *text, mode_t mode)
{
	char p[256];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	if ((f = fopen(p, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(p, mode);
}

/* --no-libs: of "prog" only the first bytes are read (they say ELF),
 * and the libraries of a script's interpreter are the host's. */
static struct zvm_draft
draft(void)
{
	struct zvm_draft d = ZVM_DRAFT_INIT;

	d.timeout = 9;
	d.quota = 1024;
	d.libs = 0;
	return d;
}

static int
build(struct zvm_draft *d, const char **argv, struct zvm_error *e)
{
	return zvm_draft_build(d, (char *const *)argv, tmp, tmp, e);
}

static const char want[] =
    "Version = 20130611\n"
    "Timeout = 9\n"
    "Memory = 4294967296,0\n"
    "Program = %s/prog\n"
    "Args = prog -x /dev/1.in.txt\n"
    "Env = A=b\n"
    "Env = B=c\n"
    "Channel = /dev/stdin,/dev/stdin,0,0,1024,1024,0,0\n"
    "Channel = %s/out,/dev/stdout,0,0,0,0,1024,1024\n"
    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1024,1024\n"
    "Channel = %s/in.txt,/dev/1.in.txt,1,0,1024,1024,0,0\n"
    "Channel = /x,/dev/x,1,0,1,2,0,0\n"
    "Channel = %s/in.txt,/data/in,1,0,1024,1024,0,0\n"
    "Channel = %s,%s,1,0,1024,1024,0,0\n";

static void
test_build(void)
{
	const char *argv[] = { "prog", "-x", "@in.txt", "@B=c", NULL };
	char file[512], dir[300], expect[4096];
	struct zvm_draft d = draft();
	struct zvm_error e = { 0 };

	snprintf(file, sizeof file, "in.txt:/data/in");
	ok(zvm_draft_env(&d, "A=b", &e) == 0, "build: -e");
	ok(zvm_draft_channel(&d, "/x,/dev/x,1,0,1,2,0,0", &e) == 0,
	    "build: -c");
	ok(zvm_draft_tree(&d, 0, file, &e) == 0, "build: --file");
	ok(zvm_draft_tree(&d, 1, tmp, &e) == 0, "build: --image");
	d.stdio[1] = "out";
	if (!ok(chdir(tmp) == 0 && build(&d, argv, &e) == 0, "build"))
		printf("# %s: %s\n", e.file ? e.file : "", e.msg);
	if (!ok(zvm_draft_verify(&d, &e) == 0, "verify"))
		printf("# %s\n", e.msg);
	is_int((long long)d.diag.n, 0, "verify: no diagnostics");
	snprintf(expect, sizeof expect, want, tmp, tmp, tmp, tmp, tmp, tmp);
	if (d.out.p)
		d.out.p[d.out.len] = '\0';
	is_str(d.out.len ? d.out.p : "", expect, "the manifest built");

	/* --save-dir: parents made, the file written, then replaced. */
	snprintf(dir, sizeof dir, "%s/a/b", tmp);
	ok(zvm_draft_save(&d, dir, &e) == 0, "save: mkdir -p");
	snprintf(file, sizeof file, "%s/a/b/manifest.1", tmp);
	ok(access(file, R_OK) == 0, "save: DIR/manifest.1 written");
	ok(zvm_draft_save(&d, dir, &e) == 0, "save: again, replaced");
	snprintf(dir, sizeof dir, "%s/in.txt", tmp);
	is_int(zvm_draft_save(&d, dir, &e), -1, "save: a file in the way");
	is_int(e.code, ZVM_E_SYS, "save: ZVM_E_SYS");
	is_int(e.sys_errno, ENOTDIR, "save: ENOTDIR");
	is_str(e.file, dir, "save: e->file is DIR");
	is_int(zvm_draft_save(&d, "", &e), -1, "save: empty DIR");
	is_int(e.sys_errno, EINVAL, "save: empty DIR is EINVAL");
	zvm_draft_free(&d);
}

/* Each failure of zvm_draft_build(): code, e->file and e->msg. */
static void
test_build_errors(void)
{
	struct {
		const char *name, *prog, *tree, *stdio1, *channel;
		int image, code;
		const char *file, *msg;
	} cases[] = {
		{ "missing program", "nope", NULL, NULL, NULL, 0,
		    ZVM_E_MISSING, "nope", "not found" },
		{ "bad --stdout", "prog", NULL, "a,b", NULL, 0, ZVM_E_VALUE,
		    "--stdout a,b", "a channel uri cannot be empty or hold "
		    "',', line breaks or leading or trailing blanks" },
		{ "--file of a directory", "prog", ".", NULL, NULL, 0,
		    ZVM_E_CHANNEL, "--file .", "a directory (use --image)" },
		{ "--image of a file", "prog", "in.txt", NULL, NULL, 1,
		    ZVM_E_CHANNEL, "--image in.txt",
		    "not a directory or tar archive" },
		{ "--file missing", "prog", "gone", NULL, NULL, 0, ZVM_E_SYS,
		    "--file gone", "" },
		{ "--file empty PATH", "prog", ":/x", NULL, NULL, 0,
		    ZVM_E_SYNTAX, "--file :/x", "expected PATH[:ALIAS]" },
		{ "--file alias clash", "prog", "in.txt:/dev/stdin", NULL,
		    NULL, 0, ZVM_E_DUPLICATE, "--file in.txt:/dev/stdin",
		    "alias /dev/stdin is already a channel" },
		{ "-c alias clash", "prog", NULL, NULL,
		    "/x,/dev/stdout,1,0,1,1,0,0", 0, ZVM_E_DUPLICATE, "-c",
		    "alias /dev/stdout is already a channel" },
	};

	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *argv[] = { cases[i].prog, NULL };
		struct zvm_draft d = draft();
		struct zvm_error e = { 0 };
		char label[128];

		snprintf(label, sizeof label, "build error: %s", cases[i].name);
		if (cases[i].tree)
			zvm_draft_tree(&d, cases[i].image, cases[i].tree, &e);
		if (cases[i].channel)
			zvm_draft_channel(&d, cases[i].channel, &e);
		d.stdio[1] = cases[i].stdio1;
		is_int(build(&d, argv, &e), -1, label);
		is_int(e.code, cases[i].code, label);
		is_str(e.file, cases[i].file, label);
		is_str(e.msg, cases[i].msg, label);
		zvm_draft_free(&d);
	}
}

static const char want_script[] =
    "Version = 20130611\n"
    "Timeout = 9\n"
    "Memory = 4294967296,0\n"
    "Program = /bin/sh\n"
    "Args = /bin/sh -e\\x20x %s/script -x /dev/1.in.txt\n"
    "Channel = /dev/stdin,/dev/stdin,0,0,1024,1024,0,0\n"
    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1024,1024\n"
    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1024,1024\n"
    "Channel = %s/in.txt,/dev/1.in.txt,1,0,1024,1024,0,0\n"
    "Channel = %s/script,%s/script,1,0,1024,1024,0,0\n";

/* A #! PROGRAM: its interpreter runs, with the kernel's argv. */
static void
test_script(void)
{
	const char *argv[] = { "script", "-x", "@in.txt", NULL };
	const char *envargv[] = { "envscript", "a", NULL };
	char expect[4096], search[300];
	struct zvm_draft d = draft();
	struct zvm_error e = { 0 };

	if (!ok(build(&d, argv, &e) == 0 && zvm_draft_verify(&d, &e) == 0,
	    "script: build"))
		printf("# %s: %s\n", e.file ? e.file : "", e.msg);
	snprintf(expect, sizeof expect, want_script, tmp, tmp, tmp, tmp);
	if (d.out.p)
		d.out.p[d.out.len] = '\0';
	is_str(d.out.len ? d.out.p : "", expect, "script: the manifest built");
	zvm_draft_free(&d);

	/* #!/usr/bin/env sh: sh on the search path, argv[0] "sh". */
	d = draft();
	snprintf(search, sizeof search, "%s:/bin", tmp);
	ok(zvm_draft_build(&d, (char *const *)envargv, tmp, search, &e) == 0,
	    "env script: build");
	is_str(d.m.value[ZVM_K_PROGRAM], "/bin/sh", "env script: Program");
	snprintf(expect, sizeof expect, "sh %s/envscript a", tmp);
	is_str(d.m.value[ZVM_K_ARGS], expect, "env script: Args");
	zvm_draft_free(&d);
}

/* s with its "$T", if any, replaced by the scratch directory. */
static void
subst(char *out, size_t n, const char *s)
{
	const char *t = strstr(s, "$T");

	if (t)
		snprintf(out, n, "%.*s%s%s", (int)(t - s), s, tmp, t + 2);
	else
		snprintf(out, n, "%s", s);
}

/* Each #! line zvm_draft_build() refuses: code and e->msg. */
static void
test_script_errors(void)
{
	struct {
		const char *line;
		int code;
		const char *msg;
	} cases[] = {
		{ "#!\n", ZVM_E_CHANNEL, "no interpreter after #!" },
		{ "#!sh\n", ZVM_E_CHANNEL, "interpreter sh: not an absolute "
		    "path" },
		{ "#!/nonexistent/sh\n", ZVM_E_MISSING,
		    "interpreter /nonexistent/sh: not found" },
		{ "#!$T/script\n", ZVM_E_CHANNEL, "interpreter $T/script: a "
		    "#! script too (only one level is followed)" },
		{ "#!$T/in.txt\n", ZVM_E_CHANNEL,
		    "interpreter $T/in.txt: permission denied" },
		{ "#!$T/prog2\n", ZVM_E_CHANNEL,
		    "interpreter $T/prog2: not an ELF program" },
		{ "#!/usr/bin/env -S sh -e\n", ZVM_E_CHANNEL,
		    "#!/usr/bin/env -S sh -e: only env NAME is followed; run "
		    "the interpreter as PROGRAM" },
		{ "#!/usr/bin/env A=b sh\n", ZVM_E_CHANNEL,
		    "#!/usr/bin/env A=b sh: only env NAME is followed; run "
		    "the interpreter as PROGRAM" },
		{ "#!/usr/bin/env nonexistent-zvm\n", ZVM_E_MISSING,
		    "env nonexistent-zvm: not found" },
	};
	const char *argv[] = { "bad", NULL };
	char line[300], msg[300], file[300];

	touch("prog2", "not ELF\n", 0755);
	snprintf(file, sizeof file, "%s/bad", tmp);
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct zvm_draft d = draft();
		struct zvm_error e = { 0 };

		subst(line, sizeof line, cases[i].line);
		subst(msg, sizeof msg, cases[i].msg);
		touch("bad", line, 0755);
		line[strcspn(line, "\n")] = '\0';	/* one TAP line */
		is_int(build(&d, argv, &e), -1, line);
		is_int(e.code, cases[i].code, line);
		is_str(e.file, file, line);
		is_str(e.msg, msg, line);
		zvm_draft_free(&d);
	}
}

int
main(void)
{
	if (mkdtemp(tmp) == NULL)
		return 1;
	touch("prog", "\177ELF\2\1\1", 0755);
	touch("script", "#!/bin/sh -e x\n", 0755);
	touch("envscript", "#!/usr/bin/env sh\n", 0755);
	touch("in.txt", "hello\n", 0644);
	test_options();
	test_build();
	test_build_errors();
	test_script();
	test_script_errors();
	if (chdir("/") == 0) {
		char cmd[128];

		snprintf(cmd, sizeof cmd, "rm -rf %s", tmp);
		if (system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	return done_testing();
}
