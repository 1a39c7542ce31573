/* SPDX-License-Identifier: ISC */
/*
 * atfile - zvsh's @ arguments.  "@NAME=value" (NAME in [_A-Z0-9]+) is an
 * environment variable; "@PATH", "@r:PATH", "@w:PATH" and "@rw:PATH" name
 * a file that becomes channel /dev/N.basename, N counting files from 1 in
 * order of appearance.  Unlike zvsh, access is explicit and nothing is
 * created: the file is looked at (stat, access) to choose the channel type.
 */
#ifndef ZVM_ATFILE_H
#define ZVM_ATFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

enum zvm_at_kind {
	ZVM_AT_NONE,		/* not an @ argument: passed on as it is */
	ZVM_AT_ENV,		/* @NAME=value */
	ZVM_AT_FILE		/* @PATH, @r:PATH, @w:PATH, @rw:PATH */
};

/* One classified argument; every pointer borrows from the argument. */
struct zvm_atarg {
	int kind;		/* enum zvm_at_kind */
	int access;		/* FILE: ZVM_ACC_READ, _WRITE or _RW */
	const char *path;	/* FILE: after "@" and the access prefix */
	const char *name;	/* ENV: NAME, namelen bytes (not NUL-ended) */
	size_t namelen;
	const char *value;	/* ENV: after the '=' */
};

/*
 * Classify arg.  Returns 0, or -1 for a malformed @ argument ("@",
 * "@w:" and the like) with e->code ZVM_E_SYNTAX and e->file = arg.
 */
int zvm_atarg_parse(const char *arg, struct zvm_atarg *a,
    struct zvm_error *e);

/*
 * Look at the file path names and choose the type of a channel with the
 * given access (enum zvm_access):
 *   READ   must exist and be readable: regular file 1, FIFO or character
 *          device 0;
 *   WRITE  an existing FIFO or character device 0, a regular file 2, or
 *          a missing file in an existing directory 2 (zvm-run creates it);
 *   RW     a regular file or a missing one in an existing directory: 3.
 * Existing files must allow the access, a missing file's directory must
 * allow creating it.  Returns 0, or -1 with e->file = label and either
 * ZVM_E_SYS (sys_errno set, empty msg: the file cannot be used) or
 * ZVM_E_CHANNEL (msg: a directory, or a file of the wrong kind).
 */
int zvm_atfile_type(const char *path, int access, const char *label,
    uint64_t *type, struct zvm_error *e);

/* One @ file channel. */
struct zvm_atfile {
	char *uri;		/* absolute path (zvm_path_abs); owned */
	char *alias;		/* "/dev/N.basename"; owned */
	int access;		/* enum zvm_access */
	uint64_t type;
	const char *arg;	/* the first argument naming it; borrowed */
};

/* The @ files of one command line, numbered from 1 in order. */
struct zvm_atfiles {
	struct zvm_atfile *v;
	size_t n, cap;
};

#define ZVM_ATFILES_INIT { 0 }

/*
 * Add the file of argument arg (classified as a, kind ZVM_AT_FILE; cwd
 * absolute) to t, or find it: the same absolute path with the same access
 * reuses its channel.  *idx is its index in t->v.  Returns 0, or -1 with
 * e->file = arg and e->code: ZVM_E_SYS or ZVM_E_CHANNEL as for
 * zvm_atfile_type(); ZVM_E_VALUE when the name cannot be written in a
 * Channel line (a ',', a line break, leading or trailing blanks) or the
 * file was already given with another access; ZVM_E_NOMEM.
 */
int zvm_atfiles_add(struct zvm_atfiles *t, const char *arg,
    const struct zvm_atarg *a, const char *cwd, size_t *idx,
    struct zvm_error *e);

void zvm_atfiles_free(struct zvm_atfiles *t);

#endif
