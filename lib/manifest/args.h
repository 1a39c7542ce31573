/* SPDX-License-Identifier: ISC */
/*
 * args - the command-line syntax of the Args key and of ZRT's nvram file:
 * blank-separated words, "..." groups, \xHH escapes; and the nvram reader
 * for its [args] and [env] sections, so manifests written by zvsh run as
 * they are.
 */
#ifndef ZVM_ARGS_H
#define ZVM_ARGS_H

#include <stddef.h>

#include "base/util.h"

/*
 * Split s into words.  *argv is a NULL-terminated array in the arena.
 * Returns 0, or -1 with *why set (unterminated quote, NUL from \x00).
 */
int zvm_args_split(const char *s, struct zvm_arena *, char ***argv,
    size_t *argc, const char **why);

/*
 * Append one word to b so that zvm_args_split() gives it back: blanks,
 * '"', '\', ',', '#', controls and DEL become \xHH; "" for an empty word.
 */
void zvm_args_quote(const char *word, struct zvm_buf *b);

/* Append argv[0..argc) as one Args line, words quoted and blank-joined. */
void zvm_args_join(char *const *argv, size_t argc, struct zvm_buf *b);

struct zvm_nvram {
	const char *args;	/* raw [args] command line, NULL if absent */
	const char **env_name;	/* [env] records, \xHH decoded */
	const char **env_value;
	size_t nenv;
};

/*
 * Read the [args] and [env] sections of an nvram file (other sections are
 * ignored).  Strings live in the arena.  -1: e names file:line.
 */
int zvm_nvram_parse(const char *buf, size_t len, const char *file,
    struct zvm_arena *, struct zvm_nvram *out, struct zvm_error *e);

#endif
