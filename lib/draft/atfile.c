/* SPDX-License-Identifier: ISC */
/*
 * atfile - classify @ arguments and turn @ files into channels.  Files are
 * judged with stat(2) and faccessat(2) (effective ids, as open(2) will use
 * at run time); a missing output is fine when its directory would take it.
 * Two arguments name the same file when their absolute paths are equal.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "draft/atfile.h"
#include "manifest/channel.h"
#include "base/path.h"

#define ENV_NAME_CHARS "_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

int
zvm_atarg_parse(const char *arg, struct zvm_atarg *a, struct zvm_error *e)
{
	static const struct {
		const char *prefix;
		int access;
	} forms[] = {
		{ "r:", ZVM_ACC_READ },
		{ "w:", ZVM_ACC_WRITE },
		{ "rw:", ZVM_ACC_RW },
	};
	const char *s = arg + 1;
	size_t n;

	memset(a, 0, sizeof *a);
	if (arg[0] != '@')
		return 0;
	n = strspn(s, ENV_NAME_CHARS);
	if (n > 0 && s[n] == '=') {
		a->kind = ZVM_AT_ENV;
		a->name = s;
		a->namelen = n;
		a->value = s + n + 1;
		return 0;
	}
	a->kind = ZVM_AT_FILE;
	a->access = ZVM_ACC_READ;
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++)
		if (strncmp(s, forms[i].prefix, strlen(forms[i].prefix)) == 0) {
			s += strlen(forms[i].prefix);
			a->access = forms[i].access;
			break;
		}
	if (*s == '\0') {
		zvm_error_set(e, ZVM_E_SYNTAX, arg, 0, "expected @FILE, "
		    "@r:FILE, @w:FILE, @rw:FILE or @NAME=value");
		return -1;
	}
	a->path = s;
	return 0;
}

static int
syserr(struct zvm_error *e, const char *label)
{
	zvm_error_set(e, ZVM_E_SYS, label, 0, "%s", "");
	return -1;
}

/* A missing file to be created: its directory must exist and take it. */
static int
creatable(const char *path, const char *label, struct zvm_error *e)
{
	const char *base = zvm_path_base(path);
	size_t dn = (size_t)(base - path);
	struct stat st;
	char *dir;
	int rc, saved;

	if (*base == '\0' || strcmp(base, ".") == 0 ||
	    strcmp(base, "..") == 0) {
		zvm_error_set(e, ZVM_E_CHANNEL, label, 0,
		    "directories are not supported yet");
		return -1;
	}
	if ((dir = strndup(dn ? path : ".", dn ? dn : 1)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, label, 0, "out of memory");
		return -1;
	}
	if ((rc = stat(dir, &st)) == 0 && !S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		rc = -1;
	}
	if (rc == 0)
		rc = faccessat(AT_FDCWD, dir, W_OK | X_OK, AT_EACCESS);
	saved = errno;
	free(dir);
	errno = saved;
	return rc == 0 ? 0 : syserr(e, label);
}

int
zvm_atfile_type(const char *path, int access, const char *label,
    uint64_t *type, struct zvm_error *e)
{
	int mode = (access & ZVM_ACC_READ ? R_OK : 0) |
	    (access & ZVM_ACC_WRITE ? W_OK : 0);
	struct stat st;
	uint64_t t;

	if (stat(path, &st) == -1) {
		if (errno != ENOENT || access == ZVM_ACC_READ)
			return syserr(e, label);
		if (creatable(path, label, e) == -1)
			return -1;
		*type = (uint64_t)access;	/* 2 or 3, as a regular file */
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		zvm_error_set(e, ZVM_E_CHANNEL, label, 0,
		    "directories are not supported yet");
		return -1;
	}
	/* Random access in the directions a regular file is used: 1, 2, 3. */
	if (S_ISREG(st.st_mode))
		t = (uint64_t)access;
	else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
		if (access == ZVM_ACC_RW) {
			zvm_error_set(e, ZVM_E_CHANNEL, label, 0,
			    "a read-write channel needs a regular file");
			return -1;
		}
		t = 0;
	} else {
		zvm_error_set(e, ZVM_E_CHANNEL, label, 0,
		    "not a regular file, FIFO or character device");
		return -1;
	}
	if (faccessat(AT_FDCWD, path, mode, AT_EACCESS) == -1)
		return syserr(e, label);
	*type = t;
	return 0;
}

/* Can s be a Channel field as it is?  Fields are split at ',', trimmed. */
static int
field_ok(const char *s)
{
	size_t n = strlen(s);

	return strpbrk(s, ",\r\n") == NULL && n > 0 &&
	    strchr(" \t\v\f", s[0]) == NULL && strchr(" \t\v\f", s[n - 1]) ==
	    NULL;
}

int
zvm_atfiles_add(struct zvm_atfiles *t, const char *arg,
    const struct zvm_atarg *a, const char *cwd, size_t *idx,
    struct zvm_error *e)
{
	struct zvm_atfile f = { .access = a->access, .arg = arg };
	const char *base = zvm_path_base(a->path);
	int net = strncasecmp(a->path, "tcp:", 4) == 0;

	/* @tcp:HOST:PORT, @w:tcp:...: a network channel, no file. */
	if (net) {
		if (a->access == ZVM_ACC_RW) {
			zvm_error_set(e, ZVM_E_VALUE, arg, 0, "a network "
			    "channel is read-only or write-only");
			return -1;
		}
		base = "tcp";
	}
	if ((f.uri = net ? strdup(a->path) : zvm_path_abs(cwd, a->path)) ==
	    NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, arg, 0, "out of memory");
		return -1;
	}
	if (!field_ok(f.uri) || !field_ok(base)) {
		zvm_error_set(e, ZVM_E_VALUE, arg, 0, "a channel name cannot "
		    "hold ',', line breaks or leading or trailing blanks");
		goto fail;
	}
	for (size_t i = 0; i < t->n; i++) {
		if (strcmp(t->v[i].uri, f.uri) != 0)
			continue;
		if (t->v[i].access != a->access) {
			zvm_error_set(e, ZVM_E_VALUE, arg, 0, "already given "
			    "as %.100s with another access", t->v[i].arg);
			goto fail;
		}
		free(f.uri);
		*idx = i;
		return 0;
	}
	if (net)
		f.type = 0;	/* a stream */
	else if (zvm_atfile_type(a->path, a->access, arg, &f.type, e) == -1)
		goto fail;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 8;
		struct zvm_atfile *v = realloc(t->v, cap * sizeof *v);

		if (v == NULL)
			goto nomem;
		t->v = v;
		t->cap = cap;
	}
	if (asprintf(&f.alias, "/dev/%zu.%s", t->n + 1, base) == -1)
		goto nomem;
	*idx = t->n;
	t->v[t->n++] = f;
	return 0;
nomem:
	zvm_error_set(e, ZVM_E_NOMEM, arg, 0, "out of memory");
fail:
	free(f.uri);
	return -1;
}

void
zvm_atfiles_free(struct zvm_atfiles *t)
{
	for (size_t i = 0; i < t->n; i++) {
		free(t->v[i].uri);
		free(t->v[i].alias);
	}
	free(t->v);
	*t = (struct zvm_atfiles)ZVM_ATFILES_INIT;
}
