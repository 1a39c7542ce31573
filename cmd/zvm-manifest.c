/* SPDX-License-Identifier: ISC */
/*
 * zvm-manifest - write a manifest for a program, as ZeroVM's zvsh did.
 * PROGRAM is found on PATH, @ arguments become channels and Env lines,
 * options set Timeout, Memory, quotas and extra channels (-c, --file,
 * --image); a dynamic PROGRAM's loader and libraries become read-only
 * channels, found by lib/elf reading the files.  The manifest is built
 * with libzvm's change primitives on an empty one, then read back and
 * checked before a byte goes to stdout or, atomically, DIR/manifest.1.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "args.h"
#include "atfile.h"
#include "atomic.h"
#include "elf.h"
#include "manifest.h"
#include "path.h"
#include "util.h"

enum {
	OPT_FILE = 256, OPT_IMAGE, OPT_NO_LIBS, OPT_SAVE_DIR, OPT_STDERR,
	OPT_STDIN, OPT_STDOUT, OPT_VERSION
};

/* Sorted, like the getopt string. */
static const struct option longopts[] = {
	{ "channel",	required_argument,	NULL, 'c' },
	{ "env",	required_argument,	NULL, 'e' },
	{ "etag",	no_argument,		NULL, 'E' },
	{ "file",	required_argument,	NULL, OPT_FILE },
	{ "help",	no_argument,		NULL, 'h' },
	{ "image",	required_argument,	NULL, OPT_IMAGE },
	{ "memory",	required_argument,	NULL, 'm' },
	{ "no-libs",	no_argument,		NULL, OPT_NO_LIBS },
	{ "quota",	required_argument,	NULL, 'q' },
	{ "save-dir",	required_argument,	NULL, OPT_SAVE_DIR },
	{ "stderr",	required_argument,	NULL, OPT_STDERR },
	{ "stdin",	required_argument,	NULL, OPT_STDIN },
	{ "stdout",	required_argument,	NULL, OPT_STDOUT },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

#define BLANKS " \t\v\f"

static const char *const std[3] = {
	"/dev/stdin", "/dev/stdout", "/dev/stderr"
};

/* A --file or --image channel, in command-line order. */
struct tree {
	const char *opt;	/* "--file" or "--image" */
	const char *arg;	/* borrowed from argv */
	char *uri, *alias;	/* owned */
	uint64_t type;
};

/*
 * Everything the run allocates hangs off this one static, so an errx()
 * on any path leaves no unreachable memory behind for LeakSanitizer.
 */
static struct {
	struct zvm_manifest m, back;
	struct zvm_atfiles files;
	struct zvm_elf_deps deps;
	struct tree *tree;		/* --file, --image */
	size_t ntree;
	struct zvm_arena arena;		/* -c strings, NAME copies */
	struct zvm_buf out;
	struct zvm_channel *extra;	/* -c, in order */
	size_t nextra;
	const char **envname, **envvalue;	/* -e, then @NAME=value */
	size_t nenv;
	char **argv;			/* the program's argv */
	char *cwd, *program, *uri[3];
} g;

static void
usage(FILE *out, int status)
{
	fputs("usage: zvm-manifest [-Eh] [-c CHANNEL]... [-e NAME=VALUE]... "
	    "[-m SIZE] [-q SIZE]\n"
	    "                    [-t SECONDS] [--stdin URI] [--stdout URI] "
	    "[--stderr URI]\n"
	    "                    [--file PATH[:ALIAS]]... "
	    "[--image DIR[:ALIAS]]... [--no-libs]\n"
	    "                    [--save-dir DIR] [--] PROGRAM [ARG...]\n",
	    out);
	if (out == stdout)
		fputs("Write a manifest for PROGRAM to stdout.\n"
		    "  -c, --channel=CHANNEL  add a Channel line (8 fields; "
		    "quotas take K/M/G/T)\n"
		    "  -E, --etag             etag 1 on every channel\n"
		    "  -e, --env=NAME=VALUE   add an Env line\n"
		    "  -h, --help             print this help and exit\n"
		    "  -m, --memory=SIZE      Memory limit (default 4G)\n"
		    "  -q, --quota=SIZE       quota of the channels made here "
		    "(default 4G)\n"
		    "  -t, --timeout=SECONDS  Timeout (default 50)\n"
		    "      --file=PATH[:ALIAS]  add a read-only file channel\n"
		    "      --image=DIR[:ALIAS]  add a read-only directory "
		    "tree channel\n"
		    "      --no-libs          no channels for the loader and "
		    "libraries\n"
		    "      --save-dir=DIR     write DIR/manifest.1 instead\n"
		    "      --stderr=URI       uri of /dev/stderr\n"
		    "      --stdin=URI        uri of /dev/stdin\n"
		    "      --stdout=URI       uri of /dev/stdout\n"
		    "      --version          print the version and exit\n"
		    "Arguments @FILE or @r:FILE (input), @w:FILE (output) and "
		    "@rw:FILE become\nchannels /dev/N.FILE; @NAME=value "
		    "becomes an Env line.  A dynamic PROGRAM's\nloader and "
		    "libraries become read-only channels.  See "
		    "zvm-manifest(1).\n", out);
	exit(status);
}

static void *
xreallocarray(void *p, size_t n, size_t size)
{
	if ((p = reallocarray(p, n, size)) == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	return p;
}

/* Print e as "zvm-manifest: ..." and exit with the status its class asks. */
static void
die(const struct zvm_error *e)
{
	char buf[600];
	int status = e->code == ZVM_E_SYS || e->code == ZVM_E_CHANNEL ?
	    ZVM_EXIT_NOINPUT : e->code == ZVM_E_NOMEM ? ZVM_EXIT_OSERR :
	    ZVM_EXIT_USAGE;

	if (e->code == ZVM_E_SYS && e->msg[0] == '\0')
		errx(status, "%s: %s", e->file, strerror(e->sys_errno));
	errx(status, "%s", zvm_error_fmt(e, buf, sizeof buf));
}

/* A size option (-m, -q): K/M/G/T suffixes, at least 1. */
static uint64_t
size_arg(int opt, const char *s)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_size(s, &v, &why) == -1)
		errx(ZVM_EXIT_USAGE, "-%c %s: %s", opt, s, why);
	if (v == 0)
		errx(ZVM_EXIT_USAGE, "-%c %s: must be at least 1", opt, s);
	return v;
}

/* -c: the 8 fields of a Channel line; quotas may carry size suffixes. */
static void
channel_arg(const char *arg)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_channel c;
	struct zvm_error e;
	const char *p = arg, *end;

	for (int f = 0;; f++, p = end + 1) {
		size_t n = (size_t)((end = strchrnul(p, ',')) - p);
		const char *s = zvm_trim(p, &n), *why;
		char word[64];
		uint64_t v;

		if (f < ZVM_F_GETS || f >= ZVM_NFIELDS)
			zvm_buf_add(&b, p, (size_t)(end - p));
		else {
			snprintf(word, sizeof word, "%.*s", (int)n, s);
			if (n >= sizeof word ||
			    zvm_parse_size(word, &v, &why) == -1)
				errx(ZVM_EXIT_USAGE, "-c %s: field %d (%s): "
				    "'%.*s': %s", arg, f + 1, zvm_field_name(f),
				    (int)n, s, n >= sizeof word ?
				    "out of range" : why);
			zvm_buf_addu(&b, v);
		}
		if (*end == '\0')
			break;
		zvm_buf_addc(&b, ',');
	}
	if (b.oom)
		errx(ZVM_EXIT_OSERR, "out of memory");
	if (zvm_channel_parse(&c, b.p, b.len, &g.arena, NULL, 0, &e) == -1) {
		zvm_buf_free(&b);
		errx(e.code == ZVM_E_NOMEM ? ZVM_EXIT_OSERR : ZVM_EXIT_USAGE,
		    "-c %s: %s", arg, e.msg);
	}
	zvm_buf_free(&b);
	g.extra = xreallocarray(g.extra, g.nextra + 1, sizeof *g.extra);
	g.extra[g.nextra++] = c;
}

/*
 * A manifest value loses its leading and trailing blanks and ends at a
 * line break: refuse what would not read back as it was given.
 */
static int
value_ok(const char *s, int lead)
{
	size_t n = strlen(s);

	return strpbrk(s, "\r\n") == NULL && (n == 0 ||
	    ((!lead || !strchr(BLANKS, s[0])) && !strchr(BLANKS, s[n - 1])));
}

/* An Env from "-e" ARG (pre "-e ") or an @NAME=value ARG (pre ""). */
static void
add_env(const char *pre, const char *arg, const char *name,
    const char *value)
{
	if (name == NULL)
		errx(ZVM_EXIT_OSERR, "out of memory");
	for (const char *p = name; *p; p++)
		if (*p == '=' || *p == ' ' || (unsigned char)*p < ' ' ||
		    *p == 0x7f)
			errx(ZVM_EXIT_USAGE, "%s%s: a NAME cannot hold '=', "
			    "blanks or control characters", pre, arg);
	if (*name == '\0')
		errx(ZVM_EXIT_USAGE, "%s%s: expected NAME=VALUE", pre, arg);
	if (!value_ok(value, 0))
		errx(ZVM_EXIT_USAGE, "%s%s: a value cannot end with a blank or "
		    "hold a line break", pre, arg);
	g.envname = xreallocarray(g.envname, g.nenv + 1, sizeof *g.envname);
	g.envvalue = xreallocarray(g.envvalue, g.nenv + 1,
	    sizeof *g.envvalue);
	g.envname[g.nenv] = name;
	g.envvalue[g.nenv++] = value;
}

/* -e NAME=VALUE */
static void
env_arg(const char *arg)
{
	const char *eq = strchr(arg, '=');
	char *name;

	if (eq == NULL)
		errx(ZVM_EXIT_USAGE, "-e %s: expected NAME=VALUE", arg);
	if ((name = zvm_arena_strndup(&g.arena, arg, (size_t)(eq - arg))) ==
	    NULL)
		errx(ZVM_EXIT_OSERR, "out of memory");
	add_env("-e ", arg, name, eq + 1);
}

/* --stdin, --stdout, --stderr: a relative path is made absolute. */
static char *
uri_arg(const char *opt, const char *s)
{
	char *uri;

	if (*s == '\0' || strchr(s, ',') || !value_ok(s, 1))
		errx(ZVM_EXIT_USAGE, "--%s %s: a channel uri cannot be empty "
		    "or hold ',', line breaks or leading or trailing blanks",
		    opt, s);
	if (*s == '/' || strncmp(s, "tcp:", 4) == 0)
		uri = strdup(s);
	else
		uri = zvm_path_abs(g.cwd, s);
	if (uri == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	return uri;
}

/* Can s be a Channel field as it is?  Fields are split at ',', trimmed. */
static int
field_ok(const char *s)
{
	return *s != '\0' && strchr(s, ',') == NULL && value_ok(s, 1);
}

/*
 * --file PATH[:ALIAS] and --image DIR[:ALIAS]: ALIAS starts at the last
 * ":/", so a PATH holding ":/" needs an explicit ALIAS.  The file must be
 * there now, of the right kind and readable; aliases are tidied.
 */
static void
tree_arg(struct tree *tp)
{
	struct tree t = { .opt = tp->opt, .arg = tp->arg, .type = 1 };
	const char *opt = t.opt, *arg = t.arg;
	int image = strcmp(opt, "--image") == 0;
	const char *sep = NULL, *why = NULL;
	struct stat st;
	char *path;

	for (const char *p = arg; (p = strstr(p, ":/")) != NULL; p++)
		sep = p;
	path = sep ? strndup(arg, (size_t)(sep - arg)) : strdup(arg);
	if (path == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	if (*path == '\0')
		errx(ZVM_EXIT_USAGE, "%s %s: expected %s[:ALIAS]", opt, arg,
		    image ? "DIR" : "PATH");
	if ((t.uri = zvm_path_abs(g.cwd, path)) == NULL ||
	    (t.alias = zvm_path_lexical(sep ? sep + 1 : t.uri)) == NULL)
		err(ZVM_EXIT_OSERR, NULL);
	if (!field_ok(t.uri) || !field_ok(t.alias))
		errx(ZVM_EXIT_USAGE, "%s %s: a channel name cannot hold ',', "
		    "line breaks or leading or trailing blanks", opt, arg);
	if (stat(path, &st) == -1)
		err(ZVM_EXIT_NOINPUT, "%s %s", opt, arg);
	if (image && !S_ISDIR(st.st_mode))
		why = "not a directory";
	else if (!image && S_ISDIR(st.st_mode))
		why = "a directory (use --image)";
	else if (!image && !S_ISREG(st.st_mode))
		why = "not a regular file";
	if (why)
		errx(ZVM_EXIT_NOINPUT, "%s %s: %s", opt, arg, why);
	if (faccessat(AT_FDCWD, path, image ? R_OK | X_OK : R_OK,
	    AT_EACCESS) == -1)
		err(ZVM_EXIT_NOINPUT, "%s %s", opt, arg);
	free(path);
	*tp = t;
}

/* The value of the last Env NAME=... the program will get, or NULL. */
static const char *
env_value(const char *name)
{
	const char *v = NULL;

	for (size_t i = 0; i < g.nenv; i++)
		if (strcmp(g.envname[i], name) == 0)
			v = g.envvalue[i];
	return v;
}

/*
 * The files ld.so will open for PROGRAM.  LD_LIBRARY_PATH counts as the
 * program's Env will hold it; the environment of zvm-manifest never does.
 */
static void
libs(void)
{
	struct zvm_elf_opts o = { .library_path = env_value("LD_LIBRARY_PATH") };
	struct zvm_error e;
	char buf[600];

	if (zvm_elf_deps(g.program, &o, &g.deps, &e) == 0)
		return;
	if (e.code == ZVM_E_NOMEM)
		errx(ZVM_EXIT_OSERR, "out of memory");
	if (e.code == ZVM_E_SYS && e.msg[0] == '\0')
		errx(ZVM_EXIT_NOINPUT, "%s: %s", e.file, strerror(e.sys_errno));
	errx(ZVM_EXIT_NOINPUT, "%s", zvm_error_fmt(&e, buf, sizeof buf));
}

/*
 * PROGRAM, then each ARG: @ files become channels, @NAME=value Env.
 * Returns the number of words of the program's argv.
 */
static size_t
program_args(char **argv, size_t argc)
{
	struct zvm_atarg a;
	struct zvm_error e;

	if (zvm_path_search(argv[0], getenv("PATH"), g.cwd, &g.program) == -1) {
		if (errno == ENOMEM)
			err(ZVM_EXIT_OSERR, NULL);
		errx(ZVM_EXIT_NOINPUT, "%s: %s", argv[0],
		    errno == ENOENT || errno == ENOTDIR ? "not found" :
		    errno == EACCES ? "permission denied" : strerror(errno));
	}
	if (!value_ok(g.program, 0))
		errx(ZVM_EXIT_USAGE, "%s: a Program path cannot end with a "
		    "blank or hold a line break", g.program);
	g.argv = xreallocarray(NULL, argc + 1, sizeof *g.argv);
	g.argv[0] = (char *)zvm_path_base(argv[0]);
	g.argv[argc = 1] = NULL;
	for (char **ap = argv + 1; *ap; ap++) {
		size_t i;

		if (zvm_atarg_parse(*ap, &a, &e) == -1)
			die(&e);
		switch (a.kind) {
		case ZVM_AT_NONE:
			g.argv[argc++] = *ap;
			break;
		case ZVM_AT_ENV:
			add_env("", *ap, zvm_arena_strndup(&g.arena, a.name,
			    a.namelen), a.value);
			break;
		case ZVM_AT_FILE:
			if (zvm_atfiles_add(&g.files, *ap, &a, g.cwd, &i,
			    &e) == -1)
				die(&e);
			g.argv[argc++] = g.files.v[i].alias;
			break;
		}
	}
	g.argv[argc] = NULL;
	return argc;
}

static void
add_channel(const char *uri, const char *alias, uint64_t type, int acc,
    uint64_t etag, uint64_t quota)
{
	struct zvm_channel c = { .uri = uri, .alias = alias, .type = type,
	    .etag = etag };
	struct zvm_error e;

	c.limit[ZVM_GETS] = c.limit[ZVM_GET_SIZE] =
	    acc & ZVM_ACC_READ ? quota : 0;
	c.limit[ZVM_PUTS] = c.limit[ZVM_PUT_SIZE] =
	    acc & ZVM_ACC_WRITE ? quota : 0;
	if (zvm_manifest_add_channel(&g.m, &c, &e) == -1)
		die(&e);
}

static void
set_key(int key, const char *value)
{
	struct zvm_error e;

	if (zvm_manifest_set(&g.m, key, value, &e) == -1)
		die(&e);
}

/* The manifest as read back must be the one built: compare the models. */
static int
same(const struct zvm_manifest *a, const struct zvm_manifest *b)
{
	static const int keys[] = { ZVM_K_VERSION, ZVM_K_PROGRAM,
	    ZVM_K_TIMEOUT, ZVM_K_MEMORY, ZVM_K_ARGS };

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (!a->value[keys[i]] || !b->value[keys[i]] ||
		    strcmp(a->value[keys[i]], b->value[keys[i]]) != 0)
			return 0;
	if (a->nenv != b->nenv || a->nchan != b->nchan)
		return 0;
	for (size_t i = 0; i < a->nenv; i++)
		if (strcmp(a->env[i].name, b->env[i].name) != 0 ||
		    strcmp(a->env[i].value, b->env[i].value) != 0)
			return 0;
	for (size_t i = 0; i < a->nchan; i++) {
		const struct zvm_channel *x = &a->chan[i], *y = &b->chan[i];

		if (strcmp(x->uri, y->uri) != 0 ||
		    strcmp(x->alias, y->alias) != 0 || x->type != y->type ||
		    x->etag != y->etag ||
		    memcmp(x->limit, y->limit, sizeof x->limit) != 0)
			return 0;
	}
	return 1;
}

/* Write out, read it back, check it: exit 65 on any problem. */
static void
verify(void)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	char buf[600];
	int bad;

	zvm_manifest_write(&g.m, &g.out);
	if (g.out.oom)
		errx(ZVM_EXIT_OSERR, "out of memory");
	zvm_manifest_init(&g.back);
	bad = zvm_manifest_parse(&g.back, "<output>", g.out.p, g.out.len,
	    &d) == -1;
	bad |= zvm_manifest_check(&g.back, &d) == -1;
	for (size_t i = 0; i < d.n; i++) {
		struct zvm_error e = d.v[i];

		e.file = NULL;	/* lines of a manifest not yet written */
		warnx("%s", zvm_error_fmt(&e, buf, sizeof buf));
	}
	zvm_diag_free(&d);
	if (bad)
		exit(ZVM_EXIT_DATAERR);
	if (!same(&g.m, &g.back))
		errx(ZVM_EXIT_DATAERR, "internal error: the manifest does not "
		    "read back as it was built");
}

/* mkdir -p DIR; -1 with errno when DIR is not (and cannot be) a directory. */
static int
make_dir(const char *dir)
{
	char *p = strdup(dir);
	struct stat st;

	if (p == NULL)
		return -1;
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		if ((*s = c) == '\0')
			break;
	}
	free(p);
	if (stat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}

static void
save(const char *dir)
{
	struct zvm_error e;
	char *path;

	if (*dir == '\0' || make_dir(dir) == -1)
		err(ZVM_EXIT_IOERR, "%s", dir);
	if (asprintf(&path, "%s/manifest.1", dir) == -1)
		err(ZVM_EXIT_OSERR, NULL);
	if (zvm_replace_file(path, path, "zvm-manifest", g.out.p, g.out.len,
	    NULL, &e) == -1) {
		char buf[600];

		free(path);
		errx(e.code == ZVM_E_NOMEM ? ZVM_EXIT_OSERR : ZVM_EXIT_IOERR,
		    "%s", zvm_error_fmt(&e, buf, sizeof buf));
	}
	free(path);
}

/* A read-only channel found by zvm_elf_deps(), unless one has its alias. */
static void
add_found(const struct zvm_elf_file *f, uint64_t etag, uint64_t quota)
{
	if (f->alias && zvm_manifest_find(&g.m, f->alias) == NULL)
		add_channel(f->uri, f->alias, 1, ZVM_ACC_READ, etag, quota);
}

/*
 * The manifest, on an empty one: header keys in zvsh's order, Args and
 * Env, then the standard channels, the @ files, the -c channels, the
 * --file and --image channels, the loader, the cache and the libraries.
 */
static void
build(size_t nargs, uint64_t timeout, uint64_t memory, uint64_t quota,
    uint64_t etag)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_error e;
	char num[32];

	zvm_manifest_init(&g.m);
	if (zvm_manifest_parse(&g.m, "<output>", "", 0, &d) == -1)
		errx(ZVM_EXIT_OSERR, "out of memory");
	zvm_diag_free(&d);
	set_key(ZVM_K_VERSION, ZVM_VERSION_STRING);
	snprintf(num, sizeof num, "%" PRIu64, timeout);
	set_key(ZVM_K_TIMEOUT, num);
	snprintf(num, sizeof num, "%" PRIu64 ",0", memory);
	set_key(ZVM_K_MEMORY, num);
	set_key(ZVM_K_PROGRAM, g.program);
	zvm_args_join(g.argv, nargs, &b);
	zvm_buf_addc(&b, '\0');
	if (b.oom)
		errx(ZVM_EXIT_OSERR, "out of memory");
	set_key(ZVM_K_ARGS, b.p);
	zvm_buf_free(&b);
	for (size_t i = 0; i < g.nenv; i++)
		if (zvm_manifest_setenv(&g.m, g.envname[i], g.envvalue[i],
		    &e) == -1)
			die(&e);
	add_channel(g.uri[0], std[0], 0, ZVM_ACC_READ, etag, quota);
	add_channel(g.uri[1], std[1], 0, ZVM_ACC_WRITE, etag, quota);
	add_channel(g.uri[2], std[2], 0, ZVM_ACC_WRITE, etag, quota);
	for (size_t i = 0; i < g.files.n; i++)
		add_channel(g.files.v[i].uri, g.files.v[i].alias,
		    g.files.v[i].type, g.files.v[i].access, etag, quota);
	for (size_t i = 0; i < g.nextra; i++) {
		struct zvm_channel *c = &g.extra[i];

		if (zvm_manifest_find(&g.m, c->alias))
			errx(ZVM_EXIT_USAGE, "-c: alias %s is already a "
			    "channel", c->alias);
		if (etag)
			c->etag = 1;
		if (zvm_manifest_add_channel(&g.m, c, &e) == -1)
			die(&e);
	}
	for (size_t i = 0; i < g.ntree; i++) {
		struct tree *t = &g.tree[i];

		if (zvm_manifest_find(&g.m, t->alias))
			errx(ZVM_EXIT_USAGE, "%s %s: alias %s is already a "
			    "channel", t->opt, t->arg, t->alias);
		add_channel(t->uri, t->alias, t->type, ZVM_ACC_READ, etag,
		    quota);
	}
	add_found(&g.deps.interp, etag, quota);
	add_found(&g.deps.cache, etag, quota);
	for (size_t i = 0; i < g.deps.nlib; i++)
		add_found(&g.deps.lib[i], etag, quota);
}

static void
cleanup(void)
{
	zvm_manifest_free(&g.m);
	zvm_manifest_free(&g.back);
	zvm_atfiles_free(&g.files);
	zvm_elf_deps_free(&g.deps);
	for (size_t i = 0; i < g.ntree; i++) {
		free(g.tree[i].uri);
		free(g.tree[i].alias);
	}
	free(g.tree);
	zvm_arena_free(&g.arena);
	zvm_buf_free(&g.out);
	free(g.extra);
	free(g.envname);
	free(g.envvalue);
	free(g.argv);
	free(g.cwd);
	free(g.program);
	for (int i = 0; i < 3; i++)
		free(g.uri[i]);
}

int
main(int argc, char *argv[])
{
	const char *uriopt[3] = { NULL, NULL, NULL }, *savedir = NULL, *why;
	uint64_t memory = UINT64_C(4294967296), quota = UINT64_C(4294967296);
	uint64_t timeout = 50, etag = 0;
	size_t nargs;
	int ch, nolibs = 0;

	/* "+": options stop at PROGRAM, whose own options are its own. */
	while ((ch = getopt_long(argc, argv, "+Ec:e:hm:q:t:", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'E':
			etag = 1;
			break;
		case 'c':
			channel_arg(optarg);
			break;
		case 'e':
			env_arg(optarg);
			break;
		case 'h':
			usage(stdout, ZVM_EXIT_OK);
			break;
		case 'm':
			memory = size_arg(ch, optarg);
			break;
		case 'q':
			quota = size_arg(ch, optarg);
			break;
		case 't':
			if (zvm_parse_uint(optarg, strlen(optarg), ZVM_INT_MAX,
			    &timeout, &why) == -1)
				errx(ZVM_EXIT_USAGE, "-t %s: %s", optarg, why);
			if (timeout == 0)
				errx(ZVM_EXIT_USAGE, "-t %s: must be at least "
				    "1 second", optarg);
			break;
		case OPT_FILE:
		case OPT_IMAGE:
			/* Checked once the current directory is known. */
			g.tree = xreallocarray(g.tree, g.ntree + 1,
			    sizeof *g.tree);
			g.tree[g.ntree++] = (struct tree){ .arg = optarg,
			    .opt = ch == OPT_FILE ? "--file" : "--image" };
			break;
		case OPT_NO_LIBS:
			nolibs = 1;
			break;
		case OPT_SAVE_DIR:
			savedir = optarg;
			break;
		case OPT_STDIN:
		case OPT_STDOUT:
		case OPT_STDERR:
			uriopt[ch == OPT_STDIN ? 0 : ch == OPT_STDOUT ? 1 : 2] =
			    optarg;
			break;
		case OPT_VERSION:
			printf("zvm-manifest (zvm) %s\n", ZVM_VERSION);
			if (zvm_close_stdout() == -1)
				err(ZVM_EXIT_IOERR, "<stdout>");
			return ZVM_EXIT_OK;
		default:
			usage(stderr, ZVM_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, ZVM_EXIT_USAGE);

	if ((g.cwd = getcwd(NULL, 0)) == NULL)
		err(ZVM_EXIT_OSERR, "getcwd");
	for (int i = 0; i < 3; i++)
		g.uri[i] = uri_arg(std[i] + 5, uriopt[i] ? uriopt[i] : std[i]);
	for (size_t i = 0; i < g.ntree; i++)
		tree_arg(&g.tree[i]);
	nargs = program_args(argv, (size_t)argc);
	if (!nolibs)
		libs();

	build(nargs, timeout, memory, quota, etag);
	verify();
	if (savedir)
		save(savedir);
	else if (fwrite(g.out.p, 1, g.out.len, stdout) != g.out.len ||
	    zvm_close_stdout() == -1)
		err(ZVM_EXIT_IOERR, "<stdout>");
	cleanup();
	return ZVM_EXIT_OK;
}
