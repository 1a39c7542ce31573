/* SPDX-License-Identifier: ISC */
/*
 * draft - the manifest zvm-manifest writes for a program, as ZeroVM's zvsh
 * did: the options and operands of one command line are added to a draft,
 * zvm_draft_build() checks the files they name and builds the manifest
 * with lib/manifest's change primitives, zvm_draft_verify() writes it
 * and reads it back, zvm_draft_save() puts it in DIR/manifest.1 atomically.
 */
#ifndef ZVM_DRAFT_H
#define ZVM_DRAFT_H

#include <stddef.h>
#include <stdint.h>

#include "draft/atfile.h"
#include "manifest/channel.h"
#include "load/ldso.h"
#include "manifest/manifest.h"
#include "base/util.h"

/* A --file or --image channel, in command-line order. */
struct zvm_draft_tree {
	int image;		/* 1: --image DIR, 0: --file PATH */
	const char *arg;	/* borrowed from the caller */
	char *uri, *alias;	/* owned; set by zvm_draft_build() */
};

/*
 * Errors: e->code ZVM_E_SYS, ZVM_E_CHANNEL or ZVM_E_MISSING when a file
 * named cannot be used (zvm-manifest exits 66); ZVM_E_NOMEM; any other
 * code when the command line asks for what a manifest cannot hold (64).
 * e->file names the option and argument at fault ("-c ARG", "--file
 * ARG", an @ argument, a file): borrowed, valid until zvm_draft_free().
 */
struct zvm_draft {
	/* Options: ZVM_DRAFT_INIT sets zvm-manifest's defaults. */
	uint64_t timeout, memory, quota;
	uint64_t maxthreads, maxfiles;	/* Threads, Files; UINT64_MAX: none */
	uint64_t scratch;		/* Scratch bytes; UINT64_MAX: none */
	uint64_t node;			/* Node; 0: none */
	const char *nameserver;		/* NameServer; NULL: none */
	int etag;			/* 1: etag 1 on every channel */
	int libs;			/* 1: channels for loader, libraries */
	const char *stdio[3];		/* --stdin, --stdout, --stderr uri,
					 * or NULL: /dev/stdin ... */
	/* Results, owned: built by zvm_draft_build(). */
	struct zvm_manifest m;
	struct zvm_buf out;		/* m as written, by verify */
	struct zvm_diag diag;		/* what reading out back found */
	/* The rest is private. */
	struct zvm_manifest back;
	struct zvm_atfiles files;
	struct zvm_ldso_deps deps;
	struct zvm_draft_tree *tree;
	size_t ntree;
	struct zvm_arena arena;		/* -c strings, NAMEs, labels */
	struct zvm_channel *extra;	/* -c, in order */
	size_t nextra;
	const char **envname, **envvalue;	/* -e, then @NAME=value */
	size_t nenv;
	char **argv;			/* the program's argv */
	size_t argc;
	char *program, *uri[3], *savepath;
	struct zvm_ldso_file script;	/* a #! PROGRAM's channel (uri
					 * NULL: PROGRAM is no script) */
	char *interp[2];		/* its argv[0] and optional
					 * argument (or NULL), in arena */
};

#define ZVM_DRAFT_INIT { .timeout = 50, .memory = UINT64_C(4294967296), \
	.quota = UINT64_C(4294967296), .maxthreads = UINT64_MAX, \
	.maxfiles = UINT64_MAX, .scratch = UINT64_MAX, .libs = 1, \
	.m = ZVM_MANIFEST_INIT, \
	.back = ZVM_MANIFEST_INIT }

/*
 * -c CHANNEL: the 8 fields of a Channel line, quotas with K/M/G/T
 * suffixes.  Returns 0, or -1 with e set (e->file "-c CHANNEL").
 */
int zvm_draft_channel(struct zvm_draft *, const char *arg,
    struct zvm_error *e);

/* -e NAME=VALUE: an Env line.  Returns 0, or -1 with e set. */
int zvm_draft_env(struct zvm_draft *, const char *arg, struct zvm_error *e);

/*
 * --file PATH[:ALIAS] (image 0) or --image DIR[:ALIAS] (image 1): noted
 * now, checked by zvm_draft_build().  arg is borrowed until
 * zvm_draft_free().  Returns 0, or -1 with e->code ZVM_E_NOMEM.
 */
int zvm_draft_tree(struct zvm_draft *, int image, const char *arg,
    struct zvm_error *e);

/*
 * Build d->m for argv (PROGRAM [ARG...], NULL-terminated, borrowed until
 * zvm_draft_free()): the --stdin/--stdout/--stderr uris and the trees
 * against cwd (absolute), PROGRAM found on search (PATH; NULL: the
 * default) as execvp(3) would, @ arguments made channels and Env lines,
 * the loader and libraries found by lib/load/ldso (LD_LIBRARY_PATH as the
 * program's Env holds it).  A #! script PROGRAM becomes its interpreter
 * (lib/load/script), with the argv the kernel would give it and a channel
 * for the script; "#!/usr/bin/env NAME" is NAME found on search.  Then
 * on an empty manifest: header keys in zvsh's order, Args, Env, the
 * standard channels, the @ files, the -c channels, the trees, the
 * script, the loader, the cache and the libraries.
 * Returns 0, or -1 with e set.
 */
int zvm_draft_build(struct zvm_draft *, char *const argv[], const char *cwd,
    const char *search, struct zvm_error *e);

/*
 * Write d->m into d->out, read that back and check it the way zvm-run
 * will.  Returns 0, or -1 with e->code ZVM_E_NOMEM, ZVM_E_SYNTAX when
 * d->out does not read back valid (e->msg empty: d->diag holds every
 * problem, lines with no file name), or ZVM_E_VALUE when it reads back
 * different from d->m.  d->diag may hold warnings on 0 as well.
 */
int zvm_draft_verify(struct zvm_draft *, struct zvm_error *e);

/*
 * mkdir -p dir, then replace dir/manifest.1 with d->out atomically
 * (zvm_replace_file()).  Returns 0, or -1 with e->code ZVM_E_SYS (e->file
 * dir or dir/manifest.1) or ZVM_E_NOMEM.
 */
int zvm_draft_save(struct zvm_draft *, const char *dir, struct zvm_error *e);

/* Free everything d owns, after success or failure alike. */
void zvm_draft_free(struct zvm_draft *);

#endif
