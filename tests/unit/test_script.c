/* SPDX-License-Identifier: ISC */
/*
 * test_script - zvm_script_parse() against what Linux's binfmt_script
 * makes of a #! line (each expected result was checked by exec'ing the
 * file on a 6.x kernel): blanks around the interpreter, an argument kept
 * whole, NULs and the 256-byte buffer ending the line, the kernel's empty
 * argument, and the lines it refuses; then zvm_script_head() on short,
 * long and missing files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "load/script.h"
#include "tap.h"

#define IN(s)	s, sizeof s - 1

#define NONE	"no interpreter after #!"
#define LONG	"the interpreter name does not end within the first 256 bytes"

/* A buffer and what it parses to: rc 1 with interp (and arg unless
 * NULL), rc 0, or rc -1 with msg. */
struct parse_case {
	const char *name, *in;
	size_t len;
	int rc;
	const char *interp, *arg, *msg;
};

static const struct parse_case cases[] = {
	{ "plain", IN("#!/bin/sh\necho hi\n"), 1, "/bin/sh", NULL, NULL },
	{ "no newline at all", IN("#!/bin/sh"), 1, "/bin/sh", NULL, NULL },
	{ "an argument", IN("#!/usr/bin/python3 -S\n"), 1,
	    "/usr/bin/python3", "-S", NULL },
	{ "blank after #!", IN("#! /usr/bin/python3\n"), 1,
	    "/usr/bin/python3", NULL, NULL },
	{ "blanks everywhere", IN("#! \t/bin/sh\t -e  \t\nx"), 1, "/bin/sh",
	    "-e", NULL },
	{ "one argument with blanks", IN("#!/usr/bin/python3 -I -S\n"), 1,
	    "/usr/bin/python3", "-I -S", NULL },
	{ "inner blanks kept", IN("#!/bin/x -a\tb  c \n"), 1, "/bin/x",
	    "-a\tb  c", NULL },
	{ "env", IN("#!/usr/bin/env python3\n"), 1, "/usr/bin/env",
	    "python3", NULL },
	{ "trailing blank: no argument", IN("#!/bin/sh \n"), 1, "/bin/sh",
	    NULL, NULL },
	{ "CR is part of the name", IN("#!/bin/sh\r\n"), 1, "/bin/sh\r", NULL,
	    NULL },
	{ "CR is part of the argument", IN("#!/bin/sh -e\r\n"), 1, "/bin/sh",
	    "-e\r", NULL },
	/* The kernel pads a short file with NULs and, with no newline,
	 * takes the argument up to the first: an empty one here. */
	{ "file ends in a blank: empty argument", IN("#!/bin/sh "), 1,
	    "/bin/sh", "", NULL },
	{ "NUL ends the name", IN("#!/bin/sh\0 -x\n"), 1, "/bin/sh", NULL,
	    NULL },
	{ "NUL ends the argument", IN("#!/bin/sh -x\0 y\n"), 1, "/bin/sh",
	    "-x", NULL },
	{ "blanks before a NUL stay", IN("#!/bin/sh -x  \0"), 1, "/bin/sh",
	    "-x  ", NULL },
	{ "nothing", IN("#!"), -1, NULL, NULL, NONE },
	{ "newline", IN("#!\n/bin/sh\n"), -1, NULL, NULL, NONE },
	{ "blanks", IN("#! \t \n"), -1, NULL, NULL, NONE },
	{ "blanks, no newline", IN("#!   "), -1, NULL, NULL, NONE },
	{ "NUL", IN("#!\0/bin/sh\n"), -1, NULL, NULL, NONE },
	{ "blank then NUL", IN("#! \0/bin/sh\n"), -1, NULL, NULL, NONE },
	{ "empty", IN(""), 0, NULL, NULL, NULL },
	{ "one byte", IN("#"), 0, NULL, NULL, NULL },
	{ "ELF", IN("\177ELF\2\1\1"), 0, NULL, NULL, NULL },
	{ "#! not at the start", IN(" #!/bin/sh\n"), 0, NULL, NULL, NULL },
};

static void
parse_is(const char *name, const char *in, size_t len, int rc,
    const char *interp, const char *arg, const char *msg)
{
	struct zvm_script s = { 0 };
	struct zvm_error e = { 0 };
	char got[512];
	int r = zvm_script_parse(in, len, &s, &e);

	is_int(r, rc, name);
	if (r != rc)
		return;
	if (rc == -1) {
		is_int(e.code, ZVM_E_SYNTAX, name);
		is_str(e.msg, msg, name);
	}
	if (rc != 1)
		return;
	snprintf(got, sizeof got, "%.*s", (int)s.interp_len, in + s.interp);
	is_str(got, interp, name);
	is_int(s.has_arg, arg != NULL, name);
	if (arg) {
		snprintf(got, sizeof got, "%.*s", (int)s.arg_len, in + s.arg);
		is_str(got, arg, name);
	}
}

/* Lines near and past the 256 bytes the kernel reads. */
static void
test_buffer_end(void)
{
	char b[400], want[300];

	/* A name of 253 bytes ends at the padding NUL of byte 255. */
	memcpy(b, "#!", 2);
	memset(b + 2, 'a', 253);
	snprintf(want, sizeof want, "%.253s", b + 2);
	parse_is("253-byte name, no newline", b, 255, 1, want, NULL, NULL);
	/* ... or at a blank in byte 255, the last one read. */
	b[255] = ' ';
	parse_is("253-byte name, blank at byte 255", b, 256, 1, want, NULL,
	    NULL);
	/* 254 bytes: no end seen, the kernel will not run a cut name. */
	memset(b + 2, 'a', 298);
	parse_is("254-byte name", b, 256, -1, NULL, NULL, LONG);
	parse_is("300-byte name", b, 300, -1, NULL, NULL, LONG);
	b[300] = '\n';
	parse_is("300-byte name and a newline", b, 301, -1, NULL, NULL, LONG);
	/* The whole buffer blank: nothing to run. */
	memset(b + 2, ' ', 298);
	parse_is("300 blanks", b, 300, -1, NULL, NULL, NONE);

	/* An argument is cut at byte 254: byte 255 becomes the NUL. */
	memcpy(b, "#!/bin/sh ", 10);
	memset(b + 10, 'b', 290);
	snprintf(want, sizeof want, "%.245s", b + 10);
	parse_is("argument cut at byte 254", b, 300, 1, "/bin/sh", want, NULL);
	/* A newline past the buffer does not count; blanks before byte
	 * 255 are removed. */
	memcpy(b, "#!/bin/sh -x", 12);
	memset(b + 12, ' ', 288);
	b[299] = '\n';
	parse_is("newline past the buffer", b, 300, 1, "/bin/sh", "-x", NULL);
	/* Only the first 256 of len bytes count. */
	memcpy(b, "#!/bin/sh -x", 12);
	memset(b + 12, ' ', 244);
	memcpy(b + 256, "yz\n", 3);
	parse_is("bytes past 256 ignored", b, 259, 1, "/bin/sh", "-x", NULL);
}

static void
test_head(void)
{
	char tmp[] = "/tmp/test_script.XXXXXX", path[64], buf[400];
	unsigned char got[ZVM_SCRIPT_HEAD + 8];
	size_t len = 0;
	int fd;

	if ((fd = mkstemp(tmp)) == -1) {
		perror("mkstemp");
		exit(2);
	}
	memset(buf, 'x', sizeof buf);
	memcpy(buf, "#!/bin/sh\n", 10);
	if (write(fd, buf, 10) != 10) {
		perror("write");
		exit(2);
	}
	memset(got, 0xff, sizeof got);
	ok(zvm_script_head(tmp, got, &len) == 0 && len == 10 &&
	    memcmp(got, buf, 10) == 0, "head: a short file whole");
	if (write(fd, buf + 10, sizeof buf - 10) != sizeof buf - 10) {
		perror("write");
		exit(2);
	}
	close(fd);
	ok(zvm_script_head(tmp, got, &len) == 0 && len == ZVM_SCRIPT_HEAD &&
	    memcmp(got, buf, ZVM_SCRIPT_HEAD) == 0,
	    "head: a long file, its first 256 bytes");
	is_int(got[ZVM_SCRIPT_HEAD], 0xff, "head: nothing past 256 bytes");
	unlink(tmp);
	snprintf(path, sizeof path, "%s", tmp);
	is_int(zvm_script_head(path, got, &len), -1, "head: missing file");
	is_int(errno, ENOENT, "head: missing file is ENOENT");
}

int
main(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		parse_is(cases[i].name, cases[i].in, cases[i].len, cases[i].rc,
		    cases[i].interp, cases[i].arg, cases[i].msg);
	test_buffer_end();
	test_head();
	return done_testing();
}
