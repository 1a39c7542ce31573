/* SPDX-License-Identifier: ISC */
/*
 * private - what the manifest's own files (manifest.c: the model and its
 * changes, parse.c, check.c, write.c) share and tools never see.
 */
#ifndef ZVM_MANIFEST_PRIVATE_H
#define ZVM_MANIFEST_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/manifest.h"

/* An index that names no line (or no item). */
#define NOLINE ((size_t)-1)

/* Make room for element n of *v (doubling *cap); 0 or -1 on ENOMEM. */
int zvm_mf_grow(void **v, size_t *cap, size_t n, size_t size);

/* e says "out of memory" about m; returns -1. */
int zvm_mf_nomem(struct zvm_error *e, const struct zvm_manifest *m);

/* Append c to chan[]; 0 or -1 on ENOMEM. */
int zvm_mf_add_chan(struct zvm_manifest *m, const struct zvm_channel *c);

/*
 * Parse the value s[0..n) of a key other than Channel and Env; with store
 * set the number lands in the model.  -1: e names line and field.
 */
int zvm_mf_parse_value(struct zvm_manifest *m, int key, const char *s,
    size_t n, int store, unsigned line, struct zvm_error *e);

/*
 * A lean manifest's Channel line that passed zvm_channel_check() as read
 * is sealed: its item holds the alias's hash instead of an index, so the
 * check, run after the edits, needs neither to parse it again nor to look
 * at its alias unless the hash meets another.  A rewrite unseals it.
 */
#define SEAL(hash)	((((size_t)(hash) & 0x3fffffff) << 1) | 1)
#define SEALED(item)	((item) != NOLINE && ((item) & 1))
#define SEAL_HASH(item)	((uint32_t)((item) >> 1))

/* The hash SEAL() keeps: 30 bits of FNV-1a over s[0..n). */
uint32_t zvm_mf_hash(const char *s, size_t n);

/*
 * item for a lean Channel line whose value v parsed into c with the
 * spans span (zvm_channel_scan()): sealed, or 0 when the channel breaks
 * a rule (the check reports it) or memory ran out.  s is scratch.
 */
size_t zvm_mf_seal(const struct zvm_manifest *m, struct zvm_channel *c,
    const char *v, const size_t span[4], struct zvm_buf *s);

/* Line l holds a live channel that parsed. */
static inline int
zvm_mf_is_channel(const struct zvm_line *l)
{
	return !l->deleted && l->kind == ZVM_L_KEY &&
	    l->key == ZVM_K_CHANNEL && l->item != NOLINE;
}

/*
 * Channels by line index i, the same for a lean manifest (parsed from the
 * line) as for one with chan[].  NULL when line i holds no live channel.
 */

/* The alias, *n bytes, not NUL-ended; borrowed from m. */
const char *zvm_mf_alias(const struct zvm_manifest *m, size_t i, size_t *n);

/*
 * The channel: chan[]'s own record, or tmp filled in, its uri and alias
 * in s (valid until s changes).  NULL with s->oom set: out of memory.
 */
struct zvm_channel *zvm_mf_channel(const struct zvm_manifest *m, size_t i,
    struct zvm_channel *tmp, struct zvm_buf *s);

/* Rewrite line i from c, whose fields an edit changed. */
int zvm_mf_rewrite_channel(struct zvm_manifest *m, size_t i,
    const struct zvm_channel *c, struct zvm_error *e);

/* Delete the channel of line i (zvm_manifest_compact() still applies). */
void zvm_mf_delete_channel_line(struct zvm_manifest *m, size_t i);

#endif
