/* SPDX-License-Identifier: ISC */
/*
 * edit_fuzzer - libFuzzer entry point for zvm-edit's expressions.  The
 * input is expressions, one a line, then a line "%%" and a manifest (no
 * "%%": a built-in one).  Parsing any expression must not crash and must
 * explain a refusal; applying the edits must give bytes that read back
 * without a syntax error, to the same channels; and a lone expression
 * applied twice must give what it gives once (or, if it renames what it
 * selects, fail to match).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/edit.h"
#include "manifest/manifest.h"
#include "base/util.h"

#define MAXEXPR 16

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char builtin[] =
    "Version = 20130611\n"
    "Program = /bin/true\n"
    "Timeout = 10\n"
    "Memory = 33554432,1\n"
    "Env = A=1\n"
    "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0\n"
    "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1\n"
    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1\n"
    "Channel = /d/a.txt,/dev/1.a.txt,3,0,9,9,9,9\n";

/* Apply the n edits to text; the result goes to out.  -1: an edit failed. */
static int
apply_all(const struct zvm_edit *ed, size_t n, const char *text, size_t len,
    struct zvm_manifest *m, struct zvm_buf *out, struct zvm_error *e)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	int rc = 0;

	zvm_manifest_init(m);
	if (zvm_manifest_parse(m, "fuzz", text, len, &d) == -1)
		rc = -2;
	zvm_diag_free(&d);
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = zvm_edit_apply(m, &ed[i], e);
	if (rc == 0)
		zvm_manifest_write(m, out);
	return rc;
}

/* The result reads back cleanly, with the same live channels in order. */
static void
read_back(const struct zvm_manifest *m, const struct zvm_buf *out)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_manifest r;
	size_t j = 0;

	zvm_manifest_init(&r);
	if (zvm_manifest_parse(&r, "out", out->p ? out->p : "", out->len, &d))
		abort();
	for (size_t i = 0; i < m->nchan; i++) {
		const struct zvm_channel *a = &m->chan[i], *b;

		if (a->deleted)
			continue;
		while (j < r.nchan && r.chan[j].deleted)
			j++;
		if (j == r.nchan)
			abort();
		b = &r.chan[j++];
		if (strcmp(a->uri, b->uri) || strcmp(a->alias, b->alias) ||
		    a->type != b->type || a->etag != b->etag ||
		    memcmp(a->limit, b->limit, sizeof a->limit))
			abort();
	}
	if (zvm_manifest_nchannels(&r) != zvm_manifest_nchannels(m))
		abort();
	zvm_diag_free(&d);
	zvm_manifest_free(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_edit ed[MAXEXPR];
	struct zvm_buf once = ZVM_BUF_INIT, twice = ZVM_BUF_INIT;
	struct zvm_manifest m, m2;
	struct zvm_error e;
	const char *text = builtin;
	size_t n = 0, len = sizeof builtin - 1;
	char *copy, *line, *next;
	int rc;

	/* A NUL-terminated copy, cut into lines in place. */
	if ((copy = malloc(size + 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	copy[size] = '\0';
	for (line = copy; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strcmp(line, "%%") == 0) {
			text = next ? next : "";
			len = next ? size - (size_t)(next - copy) : 0;
			break;
		}
		if (n == MAXEXPR)
			continue;
		e.msg[0] = '\0';
		if (zvm_edit_parse(&ed[n], line, &e) == 0) {
			n++;
			continue;
		}
		/* A refusal says what is wrong. */
		if ((e.code != ZVM_E_EDIT && e.code != ZVM_E_NOMEM) ||
		    e.msg[0] == '\0')
			abort();
		zvm_edit_free(&ed[n]);
	}

	rc = apply_all(ed, n, text, len, &m, &once, &e);
	if (rc == -1 && e.msg[0] == '\0')
		abort();
	if (rc == 0 && !once.oom) {
		read_back(&m, &once);
		if (n == 1) {
			rc = apply_all(ed, 1, once.p ? once.p : "", once.len,
			    &m2, &twice, &e);
			if (rc == 0) {
				if (twice.len != once.len || (once.len &&
				    memcmp(twice.p, once.p, once.len)))
					abort();
			} else if (!(rc == -1 && e.code == ZVM_E_NOMATCH &&
			    ed[0].fields & 1u << ZVM_F_ALIAS))
				abort();
			zvm_manifest_free(&m2);
		}
	}
	zvm_manifest_free(&m);
	zvm_buf_free(&once);
	zvm_buf_free(&twice);
	for (size_t i = 0; i < n; i++)
		zvm_edit_free(&ed[i]);
	free(copy);
	return 0;
}
