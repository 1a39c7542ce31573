/* SPDX-License-Identifier: ISC */
/*
 * etag - the xxh128 (XXH3 128-bit) digest of a byte stream, printed as 32
 * lowercase hex digits in canonical big-endian order, as `xxhsum -H2` does.
 * xxhash is built inline with runtime dispatch (AVX-512, AVX2, SSE2), so
 * hashing stays far below the cost of moving the bytes.
 */
#ifndef ZVM_ETAG_H
#define ZVM_ETAG_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define ZVM_ETAG_LEN	16		/* digest bytes */
#define ZVM_ETAG_HEXLEN	32		/* hex digits, without the NUL */

/*
 * Streaming state.  Plain data: copy it, keep it on the stack, no free.
 * The bytes are xxhash's XXH3_state_t; only etag.c looks inside.
 */
struct zvm_etag {
	_Alignas(64) unsigned char state[640];
};

void zvm_etag_init(struct zvm_etag *);
void zvm_etag_update(struct zvm_etag *, const void *, size_t);

/* The digest so far (the state may go on taking bytes). */
void zvm_etag_final(const struct zvm_etag *, unsigned char out[ZVM_ETAG_LEN]);

/* The digest as 32 lowercase hex digits plus NUL; returns out. */
char *zvm_etag_hex(const struct zvm_etag *, char out[ZVM_ETAG_HEXLEN + 1]);

/* Digest bytes to 32 lowercase hex digits plus NUL; returns out. */
char *zvm_etag_tohex(const unsigned char d[ZVM_ETAG_LEN],
    char out[ZVM_ETAG_HEXLEN + 1]);

/*
 * Parse exactly n == 32 hex digits (either case) from s into out.
 * Returns 0, or -1 for a wrong length or a non-hex digit.
 */
int zvm_etag_parse(const char *s, size_t n, unsigned char out[ZVM_ETAG_LEN]);

/*
 * Called with the bytes hashed so far and the total (0 when unknown, as
 * for a pipe), from whichever thread hashes, one call at a time.
 */
typedef void zvm_etag_progress_fn(void *arg, uint64_t done, uint64_t total);

/*
 * Hash everything readable from fd until end of file.  A large regular
 * file is read by several threads with pread (one hashes while the others
 * copy); anything else by read(2) with a 1 MiB buffer.  progress may be
 * NULL.  Returns 0, or -1 with e->code ZVM_E_SYS (EISDIR for a directory)
 * or ZVM_E_NOMEM; e->file is left NULL for the caller to name.
 */
int zvm_etag_fd(int fd, unsigned char out[ZVM_ETAG_LEN],
    zvm_etag_progress_fn *progress, void *arg, struct zvm_error *e);

/*
 * The hashing kernel in use: "avx512", "avx2", "sse2" or "scalar".
 * zvm_etag_set_impl() picks one by name (tests and benchmarks compare
 * them); -1 if unknown or the CPU lacks it.  Not thread-safe: call it
 * before hashing starts.
 */
const char *zvm_etag_impl(void);
int zvm_etag_set_impl(const char *name);

#endif
