/* SPDX-License-Identifier: ISC */
/*
 * test_atfile - the @ argument classifier as a table, channel types chosen
 * from regular files, FIFOs, devices, directories and missing files, and
 * the numbering of @ files: reuse of the same path, another access for the
 * same path, names a Channel line cannot hold.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "draft/atfile.h"
#include "manifest/channel.h"
#include "tap.h"

static char tmp[] = "/tmp/test_atfile.XXXXXX";

static const struct {
	const char *arg;
	int rc, kind, access;
	const char *path, *name, *value;
} parse_cases[] = {
	{ "plain", 0, ZVM_AT_NONE, 0, NULL, NULL, NULL },
	{ "", 0, ZVM_AT_NONE, 0, NULL, NULL, NULL },
	{ "x@y", 0, ZVM_AT_NONE, 0, NULL, NULL, NULL },
	{ "@FOO=bar", 0, ZVM_AT_ENV, 0, NULL, "FOO", "bar" },
	{ "@_A1=", 0, ZVM_AT_ENV, 0, NULL, "_A1", "" },
	{ "@A=b=c", 0, ZVM_AT_ENV, 0, NULL, "A", "b=c" },
	{ "@foo=bar", 0, ZVM_AT_FILE, ZVM_ACC_READ, "foo=bar", NULL, NULL },
	{ "@=x", 0, ZVM_AT_FILE, ZVM_ACC_READ, "=x", NULL, NULL },
	{ "@in.txt", 0, ZVM_AT_FILE, ZVM_ACC_READ, "in.txt", NULL, NULL },
	{ "@r:in", 0, ZVM_AT_FILE, ZVM_ACC_READ, "in", NULL, NULL },
	{ "@w:out", 0, ZVM_AT_FILE, ZVM_ACC_WRITE, "out", NULL, NULL },
	{ "@rw:db", 0, ZVM_AT_FILE, ZVM_ACC_RW, "db", NULL, NULL },
	{ "@r:FOO=1", 0, ZVM_AT_FILE, ZVM_ACC_READ, "FOO=1", NULL, NULL },
	{ "@./w:x", 0, ZVM_AT_FILE, ZVM_ACC_READ, "./w:x", NULL, NULL },
	{ "@w:w:x", 0, ZVM_AT_FILE, ZVM_ACC_WRITE, "w:x", NULL, NULL },
	{ "@W:x", 0, ZVM_AT_FILE, ZVM_ACC_READ, "W:x", NULL, NULL },
	{ "@/abs", 0, ZVM_AT_FILE, ZVM_ACC_READ, "/abs", NULL, NULL },
	{ "@", -1, 0, 0, NULL, NULL, NULL },
	{ "@r:", -1, 0, 0, NULL, NULL, NULL },
	{ "@w:", -1, 0, 0, NULL, NULL, NULL },
	{ "@rw:", -1, 0, 0, NULL, NULL, NULL },
};

static void
test_parse(void)
{
	for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
		const char *arg = parse_cases[i].arg;
		struct zvm_atarg a;
		struct zvm_error e;
		char label[128], name[64] = "";
		int rc = zvm_atarg_parse(arg, &a, &e);

		snprintf(label, sizeof label, "parse '%s'", arg);
		if (!is_int(rc, parse_cases[i].rc, label))
			continue;
		if (rc == -1) {
			ok(e.code == ZVM_E_SYNTAX && e.file == arg, label);
			continue;
		}
		is_int(a.kind, parse_cases[i].kind, label);
		is_int(a.access, parse_cases[i].access, label);
		is_str(a.path, parse_cases[i].path, label);
		if (a.name)
			snprintf(name, sizeof name, "%.*s", (int)a.namelen,
			    a.name);
		is_str(a.name ? name : NULL, parse_cases[i].name, label);
		is_str(a.value, parse_cases[i].value, label);
	}
}

static char *
at(const char *rel)
{
	static char p[4][512];
	static int n;
	char *s = p[n++ % 4];

	snprintf(s, 512, "%s/%s", tmp, rel);
	return s;
}

static void
type_is(const char *path, int access, int want, const char *label)
{
	uint64_t type = 99;
	struct zvm_error e;
	int rc = zvm_atfile_type(path, access, "L", &type, &e);

	if (!is_int(rc, 0, label))
		printf("#   code %d errno %d msg '%s'\n", e.code, e.sys_errno,
		    e.msg);
	is_int((long long)type, want, label);
}

static void
type_fails(const char *path, int access, int code, int sys, const char *label)
{
	uint64_t type = 99;
	struct zvm_error e = { 0 };
	int rc = zvm_atfile_type(path, access, "L", &type, &e);

	is_int(rc, -1, label);
	is_int(e.code, code, label);
	is_int(e.sys_errno, sys, label);
	is_str(e.file, "L", label);
	ok(type == 99, label);
}

static void
test_types(void)
{
	int fd;

	if ((fd = open(at("reg"), O_WRONLY | O_CREAT, 0644)) == -1 ||
	    mkfifo(at("fifo"), 0644) == -1 || mkdir(at("dir"), 0755) == -1) {
		perror(tmp);
		exit(2);
	}
	close(fd);
	type_is(at("reg"), ZVM_ACC_READ, 1, "regular input: type 1");
	type_is(at("reg"), ZVM_ACC_WRITE, 2, "regular output: type 2");
	type_is(at("reg"), ZVM_ACC_RW, 3, "regular read-write: type 3");
	type_is(at("fifo"), ZVM_ACC_READ, 0, "FIFO input: type 0");
	type_is(at("fifo"), ZVM_ACC_WRITE, 0, "FIFO output: type 0");
	type_is("/dev/null", ZVM_ACC_READ, 0, "char device input: type 0");
	type_is("/dev/null", ZVM_ACC_WRITE, 0, "char device output: type 0");
	type_is(at("new"), ZVM_ACC_WRITE, 2, "missing output: type 2");
	type_is(at("new"), ZVM_ACC_RW, 3, "missing read-write: type 3");
	type_fails(at("fifo"), ZVM_ACC_RW, ZVM_E_CHANNEL, 0,
	    "FIFO read-write refused");
	type_fails("/dev/null", ZVM_ACC_RW, ZVM_E_CHANNEL, 0,
	    "device read-write refused");
	type_fails(at("dir"), ZVM_ACC_READ, ZVM_E_CHANNEL, 0,
	    "directory input refused");
	type_fails(at("dir"), ZVM_ACC_WRITE, ZVM_E_CHANNEL, 0,
	    "directory output refused");
	type_fails(at("new/"), ZVM_ACC_WRITE, ZVM_E_CHANNEL, 0,
	    "missing output with a trailing slash refused");
	type_fails(at("new"), ZVM_ACC_READ, ZVM_E_SYS, ENOENT,
	    "missing input: ENOENT");
	type_fails(at("nodir/out"), ZVM_ACC_WRITE, ZVM_E_SYS, ENOENT,
	    "output in a missing directory: ENOENT");
	type_fails(at("reg/out"), ZVM_ACC_WRITE, ZVM_E_SYS, ENOTDIR,
	    "output below a file: ENOTDIR");
	if (geteuid() == 0) {
		ok(1, "unreadable input # SKIP running as root");
		ok(1, "unwritable directory # SKIP running as root");
	} else {
		chmod(at("reg"), 0);
		chmod(at("dir"), 0555);
		type_fails(at("reg"), ZVM_ACC_READ, ZVM_E_SYS, EACCES,
		    "unreadable input: EACCES");
		type_fails(at("dir/new"), ZVM_ACC_WRITE, ZVM_E_SYS, EACCES,
		    "unwritable directory: EACCES");
		chmod(at("reg"), 0644);
		chmod(at("dir"), 0755);
	}
}

/* Add arg (cwd tmp); on success check the index and alias. */
static void
add_is(struct zvm_atfiles *t, const char *arg, long long want_idx,
    const char *want_alias, int want_code)
{
	struct zvm_atarg a;
	struct zvm_error e = { 0 };
	size_t idx = 99;
	char label[64];
	int rc;

	/* The label is one TAP line: no control characters. */
	snprintf(label, sizeof label, "add %s", arg);
	for (char *p = label; *p; p++)
		if ((unsigned char)*p < ' ')
			*p = '?';
	if (zvm_atarg_parse(arg, &a, &e) == -1 || a.kind != ZVM_AT_FILE) {
		ok(0, label);
		return;
	}
	rc = zvm_atfiles_add(t, arg, &a, tmp, &idx, &e);
	if (want_code) {
		is_int(rc, -1, label);
		is_int(e.code, want_code, label);
		ok(e.file == arg, label);
		return;
	}
	if (!is_int(rc, 0, label)) {
		printf("#   code %d errno %d msg '%s'\n", e.code, e.sys_errno,
		    e.msg);
		return;
	}
	is_int((long long)idx, want_idx, label);
	is_str(t->v[idx].alias, want_alias, label);
}

static void
test_table(void)
{
	struct zvm_atfiles t = ZVM_ATFILES_INIT;
	int fd;

	if (chdir(tmp) == -1 || mkdir("sub", 0755) == -1 ||
	    (fd = open("sub/reg", O_WRONLY | O_CREAT, 0644)) == -1) {
		perror(tmp);
		exit(2);
	}
	close(fd);
	add_is(&t, "@reg", 0, "/dev/1.reg", 0);
	add_is(&t, "@sub/reg", 1, "/dev/2.reg", 0);
	add_is(&t, "@./reg", 0, "/dev/1.reg", 0);
	add_is(&t, "@r:reg", 0, "/dev/1.reg", 0);
	add_is(&t, "@sub/../reg", 0, "/dev/1.reg", 0);
	add_is(&t, "@w:reg", 0, NULL, ZVM_E_VALUE);
	add_is(&t, "@missing", 0, NULL, ZVM_E_SYS);
	add_is(&t, "@dir", 0, NULL, ZVM_E_CHANNEL);
	add_is(&t, "@w:a,b", 0, NULL, ZVM_E_VALUE);
	add_is(&t, "@w:b ", 0, NULL, ZVM_E_VALUE);
	add_is(&t, "@w:\tb", 0, NULL, ZVM_E_VALUE);
	add_is(&t, "@w:a\nb", 0, NULL, ZVM_E_VALUE);
	add_is(&t, "@w:out", 2, "/dev/3.out", 0);
	add_is(&t, "@rw:db", 3, "/dev/4.db", 0);
	add_is(&t, "@w:w:x", 4, "/dev/5.w:x", 0);
	add_is(&t, "@fifo", 5, "/dev/6.fifo", 0);
	is_int((long long)t.n, 6, "six channels, failures numbered none");
	is_str(t.v[0].uri, at("reg"), "uri is absolute");
	is_str(t.v[1].uri, at("sub/reg"), "second uri");
	is_str(t.v[0].arg, "@reg", "first argument kept");
	is_int((long long)t.v[0].type, 1, "input type");
	is_int((long long)t.v[2].type, 2, "output type");
	is_int((long long)t.v[3].type, 3, "read-write type");
	is_int((long long)t.v[5].type, 0, "FIFO type");
	is_int(t.v[2].access, ZVM_ACC_WRITE, "output access");
	zvm_atfiles_free(&t);
	ok(t.n == 0 && t.v == NULL, "freed");
}

int
main(void)
{
	test_parse();
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	test_types();
	test_table();
	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (chdir("/") == -1 || system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	return done_testing();
}
