/* SPDX-License-Identifier: ISC */
/*
 * mtest.h - helpers shared by the manifest unit tests: diagnostics as text
 * (one line each, as zvm_error_fmt gives them, optionally tagged with
 * E/W and the code name), byte comparison of a buffer, and reading a
 * whole file.  Static inline, so a test uses what it needs.
 */
#ifndef ZVM_MTEST_H
#define ZVM_MTEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "base/util.h"

/*
 * Append d's entries from index from to out, one a line.  tagged: prefix
 * each with "E " or "W " and the code name, e.g. "E fields t:3: ...".
 */
static inline void
mt_diag_text(const struct zvm_diag *d, size_t from, int tagged,
    struct zvm_buf *out)
{
	char line[1024];

	for (size_t i = from; i < d->n; i++) {
		const struct zvm_error *e = &d->v[i];

		if (tagged)
			zvm_buf_printf(out, "%c %s ", e->warning ? 'W' : 'E',
			    zvm_strerror(e->code));
		zvm_buf_adds(out, zvm_error_fmt(e, line, sizeof line));
		zvm_buf_addc(out, '\n');
	}
}

/* b holds exactly the n bytes at s. */
static inline int
mt_same(const struct zvm_buf *b, const char *s, size_t n)
{
	return b->len == n && (n == 0 || memcmp(b->p, s, n) == 0);
}

/* Read path into a malloc'd NUL-terminated buffer; NULL on failure. */
static inline char *
mt_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct zvm_buf b = ZVM_BUF_INIT;
	char chunk[8192];
	size_t n;

	if (f == NULL)
		return NULL;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		zvm_buf_add(&b, chunk, n);
	if (ferror(f) || b.oom) {
		fclose(f);
		zvm_buf_free(&b);
		return NULL;
	}
	fclose(f);
	if (b.p == NULL && (b.p = calloc(1, 1)) == NULL)
		return NULL;
	*len = b.len;
	return b.p;
}

#endif
