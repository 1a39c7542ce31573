/* SPDX-License-Identifier: ISC */
/*
 * zvm-edit - rewrite a manifest: channel fields, top-level keys, Env,
 * channels added and deleted.  Reads FILE (or stdin), applies each -e/-f
 * expression in order, checks the result and writes it to stdout, or
 * replaces FILE atomically with -i.  Lines no edit touches are copied
 * byte for byte.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic.h"
#include "manifest/edit.h"
#include "manifest/manifest.h"
#include "base/util.h"

/* One expression and where it came from: "-e 'EXPR'" or "SCRIPT:LINE". */
struct expr {
	struct zvm_edit ed;
	char *where;
};

static struct expr *exprs;
static size_t nexpr, badexpr;

/* The usage line, and with -h the option list (man page: zvm-edit(1)). */
static void
usage(FILE *out, int status)
{
	fprintf(out, "usage: zvm-edit [-hinV] [-e EXPR]... [-f SCRIPT] "
	    "[FILE | -]\n");
	if (status == ZVM_EXIT_OK)
		fputs("Apply edits to a manifest; write the result to stdout.\n"
		    "  -e, --expression=EXPR  apply EXPR (repeatable; in "
		    "order)\n"
		    "  -f, --file=SCRIPT      apply the expressions in SCRIPT, "
		    "one a line\n"
		    "  -h, --help             print this help and exit\n"
		    "  -i, --in-place         replace FILE atomically\n"
		    "  -n, --check            check only: exit 0 valid, 1 "
		    "invalid\n"
		    "  -V, --version          print the version and exit\n"
		    "EXPR: SELECTOR:FIELD=VALUE[,...], SELECTOR:delete, "
		    "Channel=uri,alias,...,\n"
		    "KEY=VALUE, KEY:delete, Env=NAME=VALUE, Env:NAME:delete.  "
		    "See zvm-edit(1).\n", out);
	exit(status);
}

static void __attribute__((noreturn))
die(int status, const struct zvm_error *e)
{
	char buf[512];

	errx(status, "%s", zvm_error_fmt(e, buf, sizeof buf));
}

/* Parse and keep one expression; a bad one is reported and counted. */
static void
add_expr(const char *text, char *where)
{
	struct zvm_error e;
	struct expr *x;

	if ((x = reallocarray(exprs, nexpr + 1, sizeof *x)) == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	exprs = x;
	if (where == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	x = &exprs[nexpr++];
	x->where = where;
	if (zvm_edit_parse(&x->ed, text, &e) == -1) {
		if (e.code == ZVM_E_NOMEM)
			errx(ZVM_EXIT_OSERR, "out of memory");
		warnx("%s: %s", where, e.msg);
		badexpr++;
	}
}

static char *
xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *
xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* -f: one expression per line; blank lines and # comments are skipped. */
static void
read_script(const char *path)
{
	size_t cap = 0, n;
	unsigned lineno = 0;
	char *line = NULL;
	const char *s;
	ssize_t len;
	FILE *fp;

	if ((fp = fopen(path, "re")) == NULL)
		err(ZVM_EXIT_NOINPUT, "%s: cannot open", path);
	while ((len = getline(&line, &cap, fp)) != -1) {
		lineno++;
		n = (size_t)len;
		s = zvm_trim(line, &n);
		if (n > 0 && s[n - 1] == '\n')
			n--;
		s = zvm_trim(s, &n);
		if (n == 0 || *s == '#')
			continue;
		((char *)s)[n] = '\0';
		add_expr(s, xasprintf("%s:%u", path, lineno));
	}
	if (ferror(fp))
		err(ZVM_EXIT_NOINPUT, "%s: cannot read", path);
	free(line);
	fclose(fp);
}

/* Print every diagnostic of d; returns the number of errors among them. */
static size_t
report(struct zvm_diag *d)
{
	char buf[512];
	size_t nerr = d->nerr;

	for (size_t i = 0; i < d->n; i++)
		warnx("%s", zvm_error_fmt(&d->v[i], buf, sizeof buf));
	if (d->dropped)
		warnx("%zu more problems not shown (out of memory)",
		    d->dropped);
	zvm_diag_free(d);
	return nerr;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "expression", required_argument, NULL, 'e' },
		{ "file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ "in-place", no_argument, NULL, 'i' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct zvm_manifest m;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf out = ZVM_BUF_INIT;
	struct zvm_error e;
	const char *path = "-";
	char *target = NULL;
	int ch, check = 0, inplace = 0, fd, status = ZVM_EXIT_OK;
	struct stat st;

	zvm_manifest_init(&m);
	/* The edits and the check need the channels' lines, not chan[]. */
	m.lean = 1;
	while ((ch = getopt_long(argc, argv, "e:f:hinV", longopts, NULL)) !=
	    -1)
		switch (ch) {
		case 'e':
			add_expr(optarg, xasprintf("-e '%s'", optarg));
			break;
		case 'f':
			read_script(optarg);
			break;
		case 'h':
			usage(stdout, ZVM_EXIT_OK);
			break;
		case 'i':
			inplace = 1;
			break;
		case 'n':
			check = 1;
			break;
		case 'V':
			printf("zvm-edit (zvm) %s\n", ZVM_VERSION);
			return zvm_close_stdout() ? ZVM_EXIT_IOERR : 0;
		default:
			usage(stderr, ZVM_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		warnx("at most one FILE");
		usage(stderr, ZVM_EXIT_USAGE);
	}
	if (argc == 1)
		path = argv[0];
	if (inplace && (check || strcmp(path, "-") == 0)) {
		warnx(check ? "-i and -n exclude each other" :
		    "-i needs a FILE operand");
		usage(stderr, ZVM_EXIT_USAGE);
	}
	if (badexpr) {
		status = ZVM_EXIT_USAGE;
		goto out;
	}

	if (inplace) {
		if ((fd = zvm_replace_open(path, &target, &st, &e)) == -1)
			die(ZVM_EXIT_NOINPUT, &e);
	} else if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(ZVM_EXIT_NOINPUT, "%s: cannot open", path);
	if (zvm_manifest_load_fd(&m, fd, fd == STDIN_FILENO ? "<stdin>" :
	    path, &d) == -1 && d.n > 0 && d.v[d.n - 1].code == ZVM_E_SYS)
		die(ZVM_EXIT_NOINPUT, &d.v[d.n - 1]);
	if (fd != STDIN_FILENO)
		close(fd);
	/* Bad lines: report the rest of what is wrong with the input too. */
	if (d.nerr)
		zvm_manifest_check(&m, &d);
	if (report(&d)) {
		status = check ? ZVM_EXIT_NO : ZVM_EXIT_DATAERR;
		goto out;
	}
	for (size_t i = 0; i < nexpr; i++)
		if (zvm_edit_apply(&m, &exprs[i].ed, &e) == -1) {
			warnx("%s: %s", exprs[i].where, e.msg);
			status = e.code == ZVM_E_NOMEM ? ZVM_EXIT_OSERR :
			    ZVM_EXIT_DATAERR;
			goto out;
		}
	zvm_manifest_check(&m, &d);
	if (report(&d))
		status = check ? ZVM_EXIT_NO : ZVM_EXIT_DATAERR;
	else if (!check && !inplace) {
		if (zvm_manifest_write_fd(&m, STDOUT_FILENO) == -1 ||
		    zvm_close_stdout() == -1)
			err(ZVM_EXIT_IOERR, "<stdout>");
	} else if (!check) {
		zvm_manifest_write(&m, &out);
		if (out.oom)
			errx(ZVM_EXIT_OSERR, "out of memory");
		/* An unchanged file is left alone: same inode, same mtime. */
		if ((out.len != m.len || memcmp(out.p, m.buf, m.len) != 0) &&
		    zvm_replace_file(target, path, "zvm-edit", out.p, out.len,
		    &st, &e) == -1)
			die(ZVM_EXIT_IOERR, &e);
	}
out:
	for (size_t i = 0; i < nexpr; i++) {
		zvm_edit_free(&exprs[i].ed);
		free(exprs[i].where);
	}
	free(exprs);
	free(target);
	zvm_buf_free(&out);
	zvm_manifest_free(&m);
	return status;
}
