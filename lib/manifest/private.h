/* SPDX-License-Identifier: ISC */
/*
 * private - what the manifest's own files (manifest.c: the model and its
 * changes, parse.c, check.c, write.c) share and tools never see.
 */
#ifndef ZVM_MANIFEST_PRIVATE_H
#define ZVM_MANIFEST_PRIVATE_H

#include <stddef.h>

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

#endif
