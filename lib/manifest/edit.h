/* SPDX-License-Identifier: ISC */
/*
 * edit - zvm-edit's expressions: parse one ("/dev/1.in:gets=3",
 * "Timeout=100", "Channel=...", "Env:HOME:delete", ...) into a struct
 * zvm_edit, then apply it to a manifest with the manifest's own change
 * primitives, so untouched lines stay byte for byte.  The grammar is
 * documented in zvm-edit(1).
 */
#ifndef ZVM_EDIT_H
#define ZVM_EDIT_H

#include <stdint.h>

#include "manifest/channel.h"
#include "manifest/manifest.h"
#include "base/util.h"

enum zvm_edit_op {
	ZVM_EDIT_FIELDS,	/* SELECTOR:FIELD=VALUE[,FIELD=VALUE...] */
	ZVM_EDIT_DELETE,	/* SELECTOR:delete */
	ZVM_EDIT_CHANNEL,	/* Channel=uri,alias,...: add or set by alias */
	ZVM_EDIT_SET,		/* KEY=VALUE */
	ZVM_EDIT_UNSET,		/* KEY:delete (Env:delete: every Env) */
	ZVM_EDIT_SETENV,	/* Env=NAME=VALUE */
	ZVM_EDIT_UNSETENV	/* Env:NAME:delete */
};

struct zvm_edit {
	int op;			/* enum zvm_edit_op */
	char *buf;		/* owned: a copy of the expression, cut up */
	/* FIELDS, DELETE.  Borrowed from buf, as every string below. */
	const char *sel;	/* an alias, or a glob when glob is set */
	int glob;		/* fnmatch(3) pattern, flags 0 */
	/* FIELDS: bit f set when field f is given; CHANNEL: all eight. */
	unsigned fields;
	struct zvm_channel chan;	/* the values; uri, alias in buf or arena */
	/* SET, UNSET: the key; SET: value (for Memory, see below). */
	int key;
	const char *value;
	uint64_t memory, memory_etag;	/* SET Memory: parsed value */
	int memory_keep;	/* Memory=SIZE: keep the current etag flag */
	uint64_t scratch;	/* SET Scratch: parsed value, bytes */
	const char *name;	/* SETENV, UNSETENV: the variable */
	struct zvm_arena arena;	/* owned: CHANNEL's uri and alias */
};

#define ZVM_EDIT_INIT { .key = -1 }

/*
 * Parse expr into ed.  Returns 0, or -1 with e set (code ZVM_E_EDIT, or
 * ZVM_E_NOMEM; no file, no line) saying what is wrong.  ed owns a copy
 * of expr either way: free it with zvm_edit_free().
 */
int zvm_edit_parse(struct zvm_edit *ed, const char *expr,
    struct zvm_error *e);

/*
 * Apply ed to m.  A selector that matches no channel is an error
 * (ZVM_E_NOMATCH); deleting what is absent is not.  Values are not
 * range-checked here: zvm_manifest_check() on the result does that.
 * Returns 0 or -1 with e set (no file, no line).  Strings ed gives m are
 * copied into m.
 */
int zvm_edit_apply(struct zvm_manifest *m, const struct zvm_edit *ed,
    struct zvm_error *e);

void zvm_edit_free(struct zvm_edit *ed);

#endif
