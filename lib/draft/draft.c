/* SPDX-License-Identifier: ISC */
/*
 * draft - a command line made a manifest.  Every value is checked before
 * it goes in: a manifest value loses its outer blanks and ends at a line
 * break, a Channel field also ends at ',', so what would not read back as
 * given is refused with the option that gave it.  The manifest is then
 * written, read back and compared field by field, so a bug here shows as
 * an error, never as a manifest that means something else.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/args.h"
#include "base/atomic.h"
#include "draft/draft.h"
#include "base/path.h"
#include "load/script.h"
#include "load/tar.h"

#define BLANKS " \t\v\f"

static const char *const std[3] = {
	"/dev/stdin", "/dev/stdout", "/dev/stderr"
};

static const char bad_name[] = "a channel name cannot hold ',', line "
    "breaks or leading or trailing blanks";

static int
nomem(struct zvm_error *e)
{
	zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
	return -1;
}

/*
 * Set e about the option pre + arg ("-c ARG"; the label lives in the
 * arena, so e->file stays valid).  ZVM_E_SYS takes errno.
 */
static int __attribute__((format(printf, 6, 7)))
fail(struct zvm_draft *d, struct zvm_error *e, int code, const char *pre,
    const char *arg, const char *fmt, ...)
{
	size_t n = strlen(pre), m = strlen(arg);
	int saved = errno;
	char *label;
	va_list ap;

	if ((label = zvm_arena_alloc(&d->arena, n + m + 1)) == NULL)
		return nomem(e);
	memcpy(label, pre, n);
	memcpy(label + n, arg, m + 1);
	errno = saved;
	va_start(ap, fmt);
	zvm_error_vset(e, code, label, 0, fmt, ap);
	va_end(ap);
	return -1;
}

static int
grow(void *pp, size_t n, size_t size, struct zvm_error *e)
{
	void *p = reallocarray(*(void **)pp, n, size);

	if (p == NULL)
		return nomem(e);
	*(void **)pp = p;
	return 0;
}

int
zvm_draft_channel(struct zvm_draft *d, const char *arg, struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_channel c;
	struct zvm_error ce;
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
			    zvm_parse_size(word, &v, &why) == -1) {
				zvm_buf_free(&b);
				return fail(d, e, ZVM_E_NUMBER, "-c ", arg,
				    "field %d (%s): '%.*s': %s", f + 1,
				    zvm_field_name(f), (int)n, s,
				    n >= sizeof word ? "out of range" : why);
			}
			zvm_buf_addu(&b, v);
		}
		if (*end == '\0')
			break;
		zvm_buf_addc(&b, ',');
	}
	if (b.oom) {
		zvm_buf_free(&b);
		return nomem(e);
	}
	if (zvm_channel_parse(&c, b.p, b.len, &d->arena, NULL, 0, &ce) == -1) {
		zvm_buf_free(&b);
		if (ce.code == ZVM_E_NOMEM)
			return nomem(e);
		/* Whatever the field, it is the command line at fault. */
		return fail(d, e, ZVM_E_VALUE, "-c ", arg, "%s", ce.msg);
	}
	zvm_buf_free(&b);
	if (grow(&d->extra, d->nextra + 1, sizeof *d->extra, e) == -1)
		return -1;
	d->extra[d->nextra++] = c;
	return 0;
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

/* Can s be a Channel field as it is?  Fields are split at ',', trimmed. */
static int
field_ok(const char *s)
{
	return *s != '\0' && strchr(s, ',') == NULL && value_ok(s, 1);
}

/* An Env from "-e" ARG (pre "-e ") or an @NAME=value ARG (pre ""). */
static int
add_env(struct zvm_draft *d, const char *pre, const char *arg,
    const char *name, const char *value, struct zvm_error *e)
{
	if (name == NULL)
		return nomem(e);
	for (const char *p = name; *p; p++)
		if (*p == '=' || *p == ' ' || (unsigned char)*p < ' ' ||
		    *p == 0x7f)
			return fail(d, e, ZVM_E_VALUE, pre, arg, "a NAME "
			    "cannot hold '=', blanks or control characters");
	if (*name == '\0')
		return fail(d, e, ZVM_E_VALUE, pre, arg, "expected NAME=VALUE");
	if (!value_ok(value, 0))
		return fail(d, e, ZVM_E_VALUE, pre, arg, "a value cannot end "
		    "with a blank or hold a line break");
	if (grow(&d->envname, d->nenv + 1, sizeof *d->envname, e) == -1 ||
	    grow(&d->envvalue, d->nenv + 1, sizeof *d->envvalue, e) == -1)
		return -1;
	d->envname[d->nenv] = name;
	d->envvalue[d->nenv++] = value;
	return 0;
}

int
zvm_draft_env(struct zvm_draft *d, const char *arg, struct zvm_error *e)
{
	const char *eq = strchr(arg, '=');

	if (eq == NULL)
		return fail(d, e, ZVM_E_SYNTAX, "-e ", arg,
		    "expected NAME=VALUE");
	return add_env(d, "-e ", arg, zvm_arena_strndup(&d->arena, arg,
	    (size_t)(eq - arg)), eq + 1, e);
}

int
zvm_draft_tree(struct zvm_draft *d, int image, const char *arg,
    struct zvm_error *e)
{
	if (grow(&d->tree, d->ntree + 1, sizeof *d->tree, e) == -1)
		return -1;
	d->tree[d->ntree++] = (struct zvm_draft_tree){ .image = image,
	    .arg = arg };
	return 0;
}

/* --stdin, --stdout, --stderr: a relative path is made absolute. */
static int
std_uri(struct zvm_draft *d, int i, const char *cwd, struct zvm_error *e)
{
	const char *s = d->stdio[i] ? d->stdio[i] : std[i];
	char pre[16];

	if (*s == '\0' || strchr(s, ',') || !value_ok(s, 1)) {
		snprintf(pre, sizeof pre, "--%s ", std[i] + 5);
		return fail(d, e, ZVM_E_VALUE, pre, s, "a channel uri cannot "
		    "be empty or hold ',', line breaks or leading or trailing "
		    "blanks");
	}
	if (*s == '/' || strncmp(s, "tcp:", 4) == 0)
		d->uri[i] = strdup(s);
	else
		d->uri[i] = zvm_path_abs(cwd, s);
	return d->uri[i] ? 0 : nomem(e);
}

/* The devices zvm-run gives every sandbox (zvm-run(1)). */
static int
builtin_dev(const char *path)
{
	static const char *const dev[] = { "/dev/null", "/dev/zero",
	    "/dev/full", "/dev/random", "/dev/urandom" };

	for (size_t i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		if (strcmp(path, dev[i]) == 0)
			return 1;
	return 0;
}

/* Does the file at path start a tar archive (by content, not name)?
 * -1: it cannot be opened (the access check says why). */
static int
is_tar(const char *path)
{
	unsigned char h[ZVM_TAR_BLOCK];
	int fd, r = 0;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1)
		return -1;
	r = read(fd, h, sizeof(h)) == (ssize_t)sizeof(h) &&
	    zvm_tar_is(h, sizeof(h));
	close(fd);
	return r;
}

/*
 * A tar image's alias ends in '/', which is what makes zvm-run unpack it
 * (without it, it is a data file); by default (dflt) it is the absolute
 * path less a .tar extension.
 */
static int
tar_alias(struct zvm_draft_tree *t, int dflt)
{
	size_t n = strlen(t->alias);
	char *a;

	if (dflt && n > 4 && strcmp(t->alias + n - 4, ".tar") == 0 &&
	    t->alias[n - 5] != '/')
		n -= 4;
	if (t->alias[n - 1] == '/')	/* "/" */
		return 0;
	if ((a = malloc(n + 2)) == NULL)
		return -1;
	memcpy(a, t->alias, n);
	a[n] = '/';
	a[n + 1] = '\0';
	free(t->alias);
	t->alias = a;
	return 0;
}

/*
 * --file PATH[:ALIAS] and --image DIR[:ALIAS]: ALIAS starts at the last
 * ":/", so a PATH holding ":/" needs an explicit ALIAS.  The file must be
 * there now, of the right kind and readable; aliases are tidied.
 */
static int
check_tree(struct zvm_draft *d, struct zvm_draft_tree *t, const char *cwd,
    struct zvm_error *e)
{
	const char *opt = t->image ? "--image " : "--file ", *arg = t->arg;
	const char *sep = NULL, *why = NULL;
	struct stat st;
	char *path;
	int rc = -1, tar = 0;

	for (const char *p = arg; (p = strstr(p, ":/")) != NULL; p++)
		sep = p;
	path = sep ? strndup(arg, (size_t)(sep - arg)) : strdup(arg);
	if (path == NULL)
		return nomem(e);
	if (*path == '\0') {
		fail(d, e, ZVM_E_SYNTAX, opt, arg, "expected %s[:ALIAS]",
		    t->image ? "DIR" : "PATH");
		goto out;
	}
	if ((t->uri = zvm_path_abs(cwd, path)) == NULL ||
	    (t->alias = zvm_path_lexical(sep ? sep + 1 : t->uri)) == NULL) {
		nomem(e);
		goto out;
	}
	if (!field_ok(t->uri) || !field_ok(t->alias)) {
		fail(d, e, ZVM_E_VALUE, opt, arg, "%s", bad_name);
		goto out;
	}
	if (stat(path, &st) == -1) {
		fail(d, e, ZVM_E_SYS, opt, arg, "%s", "");
		goto out;
	}
	if (t->image && S_ISREG(st.st_mode) && is_tar(path) != 0) {
		tar = 1;
		if (tar_alias(t, sep == NULL) == -1) {
			nomem(e);
			goto out;
		}
	} else if (t->image && !S_ISDIR(st.st_mode))
		why = "not a directory or tar archive";
	else if (!t->image && S_ISDIR(st.st_mode))
		why = "a directory (use --image)";
	else if (!t->image && S_ISCHR(st.st_mode) && builtin_dev(path))
		why = "not a regular file (every sandbox has it without one)";
	else if (!t->image && !S_ISREG(st.st_mode))
		why = "not a regular file";
	if (why)
		fail(d, e, ZVM_E_CHANNEL, opt, arg, "%s", why);
	else if (faccessat(AT_FDCWD, path, t->image && !tar ? R_OK | X_OK : R_OK,
	    AT_EACCESS) == -1)
		fail(d, e, ZVM_E_SYS, opt, arg, "%s", "");
	else
		rc = 0;
out:
	free(path);
	return rc;
}

/*
 * zvm_path_search() failed (errno) on PROGRAM (what "") or on what a #!
 * line names (what "interpreter NAME"); e->file is the label.
 */
static int
search_failed(struct zvm_draft *d, const char *label, const char *what,
    struct zvm_error *e)
{
	const char *sep = *what ? ": " : "";

	if (errno == ENOMEM)
		return nomem(e);
	if (errno == ENOENT || errno == ENOTDIR)
		return fail(d, e, ZVM_E_MISSING, "", label, "%s%snot found",
		    what, sep);
	if (errno == EACCES)
		return fail(d, e, ZVM_E_CHANNEL, "", label,
		    "%s%spermission denied", what, sep);
	return fail(d, e, ZVM_E_SYS, "", label, "%s", what);
}

/*
 * Find the interpreter name a #! line gives (env 0: an absolute path) or
 * the NAME of "#!/usr/bin/env NAME" (env 1: on search, as env would) and
 * check that it is an ELF program: the kernel follows a script's
 * interpreter when it is a script too, but zvm-run can exec only once,
 * so one level is all zvm-manifest follows.  On 0, *path is its
 * absolute path (caller frees).
 */
static int
interpreter(struct zvm_draft *d, const char *name, int env,
    const char *search, const char *cwd, char **path, struct zvm_error *e)
{
	unsigned char head[ZVM_SCRIPT_HEAD];
	char what[ZVM_SCRIPT_HEAD + 16];
	size_t n;
	int rc;

	snprintf(what, sizeof what, "%s %s", env ? "env" : "interpreter",
	    name);
	/* The kernel and env take a relative name from the directory of
	 * the exec, "/" in the sandbox: refuse it rather than guess. */
	if (*name != '/' && (!env || strchr(name, '/')))
		return fail(d, e, ZVM_E_CHANNEL, "", d->program,
		    "%s: not an absolute path", what);
	if (zvm_path_search(name, search, cwd, path) == -1)
		return search_failed(d, d->program, what, e);
	if (zvm_script_head(*path, head, &n) == -1)
		rc = errno == ENOMEM ? nomem(e) : fail(d, e, ZVM_E_SYS, "",
		    d->program, "interpreter %s", *path);
	else if (n >= 2 && head[0] == '#' && head[1] == '!')
		rc = fail(d, e, ZVM_E_CHANNEL, "", d->program, "interpreter "
		    "%s: a #! script too (only one level is followed)", *path);
	else if (n < 4 || memcmp(head, "\177ELF", 4) != 0)
		rc = fail(d, e, ZVM_E_CHANNEL, "", d->program, "interpreter "
		    "%s: not an ELF program", *path);
	else
		return 0;
	free(*path);
	*path = NULL;
	return rc;
}

/*
 * A #! PROGRAM is started as the kernel's binfmt_script would start it:
 * Program becomes the interpreter, and the argv begins with the
 * interpreter as the line names it, the optional argument and the
 * script's path.  For "#!/usr/bin/env NAME" it is what env would run:
 * NAME found on search, argv[0] NAME.  The script becomes a read-only
 * channel: the interpreter opens it by that path.
 */
static int
script(struct zvm_draft *d, const char *cwd, const char *search,
    struct zvm_error *e)
{
	unsigned char head[ZVM_SCRIPT_HEAD];
	struct zvm_script s;
	struct zvm_error pe;
	char *name, *arg = NULL, *path;
	size_t n;
	int rc;

	if (zvm_script_head(d->program, head, &n) == -1)
		return errno == ENOMEM ? nomem(e) : fail(d, e, ZVM_E_SYS, "",
		    d->program, "%s", "");
	if ((rc = zvm_script_parse(head, n, &s, &pe)) <= 0)
		return rc == 0 ? 0 : fail(d, e, ZVM_E_CHANNEL, "", d->program,
		    "%s", pe.msg);
	d->script.alias = zvm_path_lexical(d->program);
	name = zvm_arena_strndup(&d->arena, (char *)head + s.interp,
	    s.interp_len);
	if (s.has_arg)
		arg = zvm_arena_strndup(&d->arena, (char *)head + s.arg,
		    s.arg_len);
	if (d->script.alias == NULL || name == NULL || (s.has_arg && !arg))
		return nomem(e);
	if (!field_ok(d->program) || !field_ok(d->script.alias))
		return fail(d, e, ZVM_E_VALUE, "", d->program, "%s", bad_name);
	if (interpreter(d, name, 0, NULL, cwd, &path, e) == -1)
		return -1;
	if (strcmp(zvm_path_base(name), "env") == 0) {
		free(path);
		if (arg == NULL || *arg == '\0' || *arg == '-' ||
		    strpbrk(arg, "= \t"))
			return fail(d, e, ZVM_E_CHANNEL, "", d->program,
			    "#!%s%s%s: only env NAME is followed; run the "
			    "interpreter as PROGRAM", name, arg ? " " : "",
			    arg ? arg : "");
		if (interpreter(d, arg, 1, search, cwd, &path, e) == -1)
			return -1;
		name = arg;
		arg = NULL;
	}
	d->script.uri = d->program;
	d->program = path;
	d->interp[0] = name;
	d->interp[1] = arg;
	return 0;
}

/*
 * PROGRAM, then each ARG: @ files become channels, @NAME=value Env.  A
 * #! script's argv starts as the kernel's would (script()).
 */
static int
program_args(struct zvm_draft *d, char *const argv[], const char *cwd,
    const char *search, struct zvm_error *e)
{
	struct zvm_atarg a;
	size_t argc = 3;

	if (zvm_path_search(argv[0], search, cwd, &d->program) == -1)
		return search_failed(d, argv[0], "", e);
	if (script(d, cwd, search, e) == -1)
		return -1;
	if (!value_ok(d->program, 0))
		return fail(d, e, ZVM_E_VALUE, "", d->program, "a Program path "
		    "cannot end with a blank or hold a line break");
	for (char *const *ap = argv; *ap; ap++)
		argc++;
	if (grow(&d->argv, argc, sizeof *d->argv, e) == -1)
		return -1;
	argc = 0;
	if (d->script.uri == NULL)
		d->argv[argc++] = (char *)zvm_path_base(argv[0]);
	else {
		d->argv[argc++] = d->interp[0];
		if (d->interp[1])
			d->argv[argc++] = d->interp[1];
		d->argv[argc++] = d->script.uri;
	}
	for (char *const *ap = argv + 1; *ap; ap++) {
		size_t i;

		if (zvm_atarg_parse(*ap, &a, e) == -1)
			return -1;
		switch (a.kind) {
		case ZVM_AT_NONE:
			d->argv[argc++] = *ap;
			break;
		case ZVM_AT_ENV:
			if (add_env(d, "", *ap, zvm_arena_strndup(&d->arena,
			    a.name, a.namelen), a.value, e) == -1)
				return -1;
			break;
		case ZVM_AT_FILE:
			if (zvm_atfiles_add(&d->files, *ap, &a, cwd, &i,
			    e) == -1)
				return -1;
			d->argv[argc++] = d->files.v[i].alias;
			break;
		}
	}
	d->argv[argc] = NULL;
	d->argc = argc;
	return 0;
}

/* The libraries of an image a program may dlopen: at most this many. */
#define MAXROOTS 4096

struct roots {
	char **v;
	size_t n;
};

/* Is name a shared object's ("x.so", "x.so.6") and the file ELF? */
static int
is_so(const char *dir, const char *name)
{
	const char *s = strstr(name, ".so");
	unsigned char h[4];
	char *p;
	int fd, ok = 0;

	if (s == NULL || (s[3] != '\0' && s[3] != '.'))
		return 0;
	if (asprintf(&p, "%s/%s", dir, name) == -1)
		return 0;
	if ((fd = open(p, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)) >=
	    0) {
		ok = read(fd, h, 4) == 4 && memcmp(h, "\177ELF", 4) == 0;
		close(fd);
	}
	free(p);
	return ok;
}

/* Every ELF shared object below dir (symbolic links not followed), in
 * name order within a directory, for zvm_ldso_opts.dlopen.  -1: no
 * memory. */
static int
walk_so(const char *dir, int depth, struct roots *r)
{
	struct dirent **ent;
	struct stat st;
	int n, rc = 0;

	if (depth > 32 || (n = scandir(dir, &ent, NULL, alphasort)) < 0)
		return 0;
	for (int i = 0; i < n; i++) {
		const char *nm = ent[i]->d_name;
		char *p = NULL;

		if (rc == 0 && strcmp(nm, ".") != 0 && strcmp(nm, "..") != 0 &&
		    r->n < MAXROOTS && asprintf(&p, "%s/%s", dir, nm) != -1 &&
		    lstat(p, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				rc = walk_so(p, depth + 1, r);
			else if (S_ISREG(st.st_mode) && is_so(dir, nm)) {
				char **v = reallocarray(r->v, r->n + 1,
				    sizeof(*v));

				if (v == NULL)
					rc = -1;
				else {
					r->v = v;
					r->v[r->n++] = p;
					p = NULL;
				}
			}
		}
		free(p);
		free(ent[i]);
	}
	free(ent);
	return rc;
}

/*
 * The files ld.so will open for PROGRAM, and for the libraries in its
 * directory images it may dlopen (a JDK's libjvm.so needs libstdc++).
 * LD_LIBRARY_PATH counts as the program's Env will hold it (the last one
 * given); the environment of zvm-manifest never does.  A file ld.so
 * cannot use is a ZVM_E_CHANNEL.
 */
static int
find_libs(struct zvm_draft *d, struct zvm_error *e)
{
	struct zvm_ldso_opts o = { 0 };
	struct roots r = { NULL, 0 };
	struct stat st;
	int rc = 0;

	for (size_t i = 0; i < d->nenv; i++)
		if (strcmp(d->envname[i], "LD_LIBRARY_PATH") == 0)
			o.library_path = d->envvalue[i];
	for (size_t i = 0; rc == 0 && i < d->ntree; i++)
		if (d->tree[i].image && stat(d->tree[i].uri, &st) == 0 &&
		    S_ISDIR(st.st_mode))
			rc = walk_so(d->tree[i].uri, 0, &r);
	o.dlopen = (const char *const *)r.v;
	o.ndlopen = r.n;
	if (rc == 0)
		rc = zvm_ldso_deps(d->program, &o, &d->deps, e);
	else
		nomem(e);
	for (size_t i = 0; i < r.n; i++)
		free(r.v[i]);
	free(r.v);
	if (rc == 0)
		return 0;
	if (e->code == ZVM_E_NOMEM)
		return nomem(e);
	if (e->code == ZVM_E_SYNTAX || e->code == ZVM_E_VALUE)
		e->code = ZVM_E_CHANNEL;
	return -1;
}

static int
add_channel(struct zvm_draft *d, const char *uri, const char *alias,
    uint64_t type, int acc, int etag, struct zvm_error *e)
{
	struct zvm_channel c = { .uri = uri, .alias = alias, .type = type,
	    .etag = (uint64_t)etag };

	c.limit[ZVM_GETS] = c.limit[ZVM_GET_SIZE] =
	    acc & ZVM_ACC_READ ? d->quota : 0;
	c.limit[ZVM_PUTS] = c.limit[ZVM_PUT_SIZE] =
	    acc & ZVM_ACC_WRITE ? d->quota : 0;
	return zvm_manifest_add_channel(&d->m, &c, e);
}

/* Is path a file inside a directory image (its host tree or alias)? */
static int
in_image(const struct zvm_draft *d, const char *path)
{
	for (size_t i = 0; i < d->ntree; i++) {
		const struct zvm_draft_tree *t = &d->tree[i];
		const char *roots[2] = { t->uri, t->alias };

		for (int k = 0; t->image && k < 2; k++) {
			size_t n = strlen(roots[k]);

			while (n > 1 && roots[k][n - 1] == '/')
				n--;
			if (strncmp(path, roots[k], n) == 0 && path[n] == '/')
				return 1;
		}
	}
	return 0;
}

/*
 * A read-only channel found by zvm_ldso_deps(), unless one has its alias
 * or an image holds it already.  mapped: an ELF object the kernel or
 * ld.so maps, whose digest would be of the pages mapped in the order
 * mapped, which no check of the file can reproduce: -E leaves it out.
 */
static int
add_found(struct zvm_draft *d, const struct zvm_ldso_file *f, int mapped,
    struct zvm_error *e)
{
	if (f->alias && zvm_manifest_find(&d->m, f->alias) == NULL &&
	    !in_image(d, f->uri) && !in_image(d, f->alias))
		return add_channel(d, f->uri, f->alias, 1, ZVM_ACC_READ,
		    d->etag && !mapped, e);
	return 0;
}

/* The header keys in zvsh's order, then Args and Env. */
static int
add_keys(struct zvm_draft *d, struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_diag diag = ZVM_DIAG_INIT;
	char timeout[32], memory[32], threads[32], files[32], scratch[32];
	char node[32];
	int rc;

	zvm_manifest_init(&d->m);
	if (zvm_manifest_parse(&d->m, "<output>", "", 0, &diag) == -1) {
		zvm_diag_free(&diag);
		return nomem(e);
	}
	zvm_diag_free(&diag);
	snprintf(timeout, sizeof timeout, "%" PRIu64, d->timeout);
	snprintf(memory, sizeof memory, "%" PRIu64 ",0", d->memory);
	snprintf(threads, sizeof threads, "%" PRIu64, d->maxthreads);
	snprintf(files, sizeof files, "%" PRIu64, d->maxfiles);
	snprintf(scratch, sizeof scratch, "%" PRIu64, d->scratch);
	snprintf(node, sizeof node, "%" PRIu64, d->node);
	zvm_args_join(d->argv, d->argc, &b);
	zvm_buf_addc(&b, '\0');
	if (b.oom)
		rc = nomem(e);
	else
		rc = zvm_manifest_set(&d->m, ZVM_K_VERSION, ZVM_VERSION_STRING,
		    e) == -1 ||
		    zvm_manifest_set(&d->m, ZVM_K_TIMEOUT, timeout, e) == -1 ||
		    zvm_manifest_set(&d->m, ZVM_K_MEMORY, memory, e) == -1 ||
		    zvm_manifest_set(&d->m, ZVM_K_PROGRAM, d->program,
		    e) == -1 ||
		    zvm_manifest_set(&d->m, ZVM_K_ARGS, b.p, e) == -1 ||
		    (d->maxthreads != UINT64_MAX && zvm_manifest_set(&d->m,
		    ZVM_K_THREADS, threads, e) == -1) ||
		    (d->maxfiles != UINT64_MAX && zvm_manifest_set(&d->m,
		    ZVM_K_FILES, files, e) == -1) ||
		    (d->scratch != UINT64_MAX && zvm_manifest_set(&d->m,
		    ZVM_K_SCRATCH, scratch, e) == -1) ||
		    (d->node && zvm_manifest_set(&d->m, ZVM_K_NODE, node,
		    e) == -1) ||
		    (d->nameserver && zvm_manifest_set(&d->m,
		    ZVM_K_NAMESERVER, d->nameserver, e) == -1) ? -1 : 0;
	zvm_buf_free(&b);
	for (size_t i = 0; rc == 0 && i < d->nenv; i++)
		rc = zvm_manifest_setenv(&d->m, d->envname[i], d->envvalue[i],
		    e);
	return rc;
}

/* A channel whose alias is alias's but for a trailing '/' (an image's
 * mark: zvm-run would serve both at one name). */
static const struct zvm_channel *
find_alias(const struct zvm_manifest *m, const char *alias)
{
	size_t n = strlen(alias), k;

	if (n > 1 && alias[n - 1] == '/')
		n--;
	for (size_t i = 0; i < m->nchan; i++) {
		const char *a = m->chan[i].alias;

		k = strlen(a);
		if (k > 1 && a[k - 1] == '/')
			k--;
		if (!m->chan[i].deleted && k == n && memcmp(a, alias, n) == 0)
			return &m->chan[i];
	}
	return NULL;
}

/* The channels, in zvsh's order and then ours. */
static int
add_channels(struct zvm_draft *d, struct zvm_error *e)
{
	for (int i = 0; i < 3; i++)
		if (add_channel(d, d->uri[i], std[i], 0, i == 0 ?
		    ZVM_ACC_READ : ZVM_ACC_WRITE, d->etag, e) == -1)
			return -1;
	for (size_t i = 0; i < d->files.n; i++)
		if (add_channel(d, d->files.v[i].uri, d->files.v[i].alias,
		    d->files.v[i].type, d->files.v[i].access, d->etag,
		    e) == -1)
			return -1;
	for (size_t i = 0; i < d->nextra; i++) {
		struct zvm_channel *c = &d->extra[i];

		if (find_alias(&d->m, c->alias))
			return fail(d, e, ZVM_E_DUPLICATE, "-c", "",
			    "alias %s is already a channel", c->alias);
		if (d->etag)
			c->etag = 1;
		if (zvm_manifest_add_channel(&d->m, c, e) == -1)
			return -1;
	}
	for (size_t i = 0; i < d->ntree; i++) {
		struct zvm_draft_tree *t = &d->tree[i];

		if (find_alias(&d->m, t->alias))
			return fail(d, e, ZVM_E_DUPLICATE, t->image ?
			    "--image " : "--file ", t->arg,
			    "alias %s is already a channel", t->alias);
		if (add_channel(d, t->uri, t->alias, 1, ZVM_ACC_READ,
		    d->etag, e) == -1)
			return -1;
	}
	if (add_found(d, &d->script, 0, e) == -1 ||
	    add_found(d, &d->deps.interp, 1, e) == -1 ||
	    add_found(d, &d->deps.cache, 0, e) == -1)
		return -1;
	for (size_t i = 0; i < d->deps.nlib; i++)
		if (add_found(d, &d->deps.lib[i], 1, e) == -1)
			return -1;
	return 0;
}

int
zvm_draft_build(struct zvm_draft *d, char *const argv[], const char *cwd,
    const char *search, struct zvm_error *e)
{
	for (int i = 0; i < 3; i++)
		if (std_uri(d, i, cwd, e) == -1)
			return -1;
	for (size_t i = 0; i < d->ntree; i++)
		if (check_tree(d, &d->tree[i], cwd, e) == -1)
			return -1;
	if (program_args(d, argv, cwd, search, e) == -1 ||
	    (d->libs && find_libs(d, e) == -1))
		return -1;
	if (add_keys(d, e) == -1 || add_channels(d, e) == -1)
		return -1;
	return 0;
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

int
zvm_draft_verify(struct zvm_draft *d, struct zvm_error *e)
{
	int bad;

	zvm_manifest_write(&d->m, &d->out);
	if (d->out.oom)
		return nomem(e);
	zvm_manifest_init(&d->back);
	bad = zvm_manifest_parse(&d->back, "<output>", d->out.p, d->out.len,
	    &d->diag) == -1;
	bad |= zvm_manifest_check(&d->back, &d->diag) == -1;
	/* Lines of a manifest not yet written: no file to name. */
	for (size_t i = 0; i < d->diag.n; i++)
		d->diag.v[i].file = NULL;
	if (bad) {
		zvm_error_set(e, ZVM_E_SYNTAX, NULL, 0, "%s", "");
		return -1;
	}
	if (!same(&d->m, &d->back)) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "internal error: the "
		    "manifest does not read back as it was built");
		return -1;
	}
	return 0;
}

int
zvm_draft_save(struct zvm_draft *d, const char *dir, struct zvm_error *e)
{
	if (zvm_path_mkdirs(dir) == -1) {
		if (errno == ENOMEM)
			return nomem(e);
		zvm_error_set(e, ZVM_E_SYS, dir, 0, "%s", "");
		return -1;
	}
	free(d->savepath);
	if (asprintf(&d->savepath, "%s/manifest.1", dir) == -1) {
		d->savepath = NULL;
		return nomem(e);
	}
	/* The temporary file is ".zvm-manifest.XXXXXX", as zvm-edit's is
	 * ".zvm-edit.XXXXXX": a stray one names its writer. */
	return zvm_replace_file(d->savepath, d->savepath, "zvm-manifest",
	    d->out.p, d->out.len, NULL, e);
}

void
zvm_draft_free(struct zvm_draft *d)
{
	zvm_manifest_free(&d->m);
	zvm_manifest_free(&d->back);
	zvm_buf_free(&d->out);
	zvm_diag_free(&d->diag);
	zvm_atfiles_free(&d->files);
	zvm_ldso_deps_free(&d->deps);
	for (size_t i = 0; i < d->ntree; i++) {
		free(d->tree[i].uri);
		free(d->tree[i].alias);
	}
	free(d->tree);
	zvm_arena_free(&d->arena);
	free(d->extra);
	free(d->envname);
	free(d->envvalue);
	free(d->argv);
	free(d->program);
	free(d->script.uri);
	free(d->script.alias);
	for (int i = 0; i < 3; i++)
		free(d->uri[i]);
	free(d->savepath);
}
