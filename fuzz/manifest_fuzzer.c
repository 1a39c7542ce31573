/* SPDX-License-Identifier: ISC */
/*
 * manifest_fuzzer - arbitrary bytes through the manifest reader.  Oracles:
 * the written bytes equal the input, always; when the input parses, check
 * runs, and a second copy takes a handful of changes (set, setenv, add,
 * update, delete + compact, unset) whose result must parse again without
 * an error.  Everything is freed; no globals, no files, no exit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/manifest.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The bytes of m equal s[0..n), or abort. */
static void
same_or_abort(const struct zvm_manifest *m, const char *s, size_t n)
{
	struct zvm_buf out = ZVM_BUF_INIT;

	zvm_manifest_write(m, &out);
	if (out.oom) {
		zvm_buf_free(&out);
		return;
	}
	if (out.len != n || (n && memcmp(out.p, s, n) != 0))
		abort();
	zvm_buf_free(&out);
}

/* Changes that are valid on any manifest that parsed without error. */
static void
change(struct zvm_manifest *m)
{
	struct zvm_channel c = { .uri = "/tmp/fuzz.out",
	    .alias = "/dev/fuzz.out", .limit = { 0, 0, 1, 1 } };
	struct zvm_error e;

	if (zvm_manifest_set(m, ZVM_K_TIMEOUT, "100", &e) == -1 ||
	    zvm_manifest_set(m, ZVM_K_MEMORY, "4294967296,0", &e) == -1 ||
	    zvm_manifest_set(m, ZVM_K_ARGS, "prog \"a b\" \\x2C", &e) == -1 ||
	    zvm_manifest_setenv(m, "FUZZ", "1=2", &e) == -1)
		abort();
	if (m->nchan > 0) {
		struct zvm_channel *f = &m->chan[0];

		f->limit[ZVM_GETS] = 7;
		f->limit[ZVM_PUT_SIZE] = ZVM_INT_MAX;
		f->type = 3;
		if (zvm_manifest_update_channel(m, 0, &e) == -1)
			abort();
	}
	if (zvm_manifest_add_channel(m, &c, &e) == -1)
		abort();
	if (m->nchan > 1) {
		zvm_manifest_delete_channel(m, m->nchan / 2);
		zvm_manifest_compact(m);
	}
	zvm_manifest_unset(m, ZVM_K_JOB);
	zvm_manifest_unsetenv(m, "HOME");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct zvm_manifest m, m2;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_buf out = ZVM_BUF_INIT;
	int rc;

	if (size > 1 << 20)
		return 0;
	zvm_manifest_init(&m);
	rc = zvm_manifest_parse(&m, "fuzz", size ? s : "", size, &d);
	same_or_abort(&m, s, size);
	if (rc == 0) {
		zvm_manifest_check(&m, &d);
		zvm_diag_free(&d);

		/* The copy: the same bytes parsed again. */
		zvm_manifest_init(&m2);
		if (zvm_manifest_parse(&m2, "fuzz", size ? s : "", size,
		    &d) != 0)
			abort();
		zvm_diag_free(&d);
		change(&m2);
		zvm_manifest_write(&m2, &out);
		zvm_manifest_free(&m2);
		zvm_manifest_init(&m2);
		if (!out.oom && zvm_manifest_parse(&m2, "fuzz",
		    out.p ? out.p : "", out.len, &d) != 0)
			abort();
		zvm_manifest_check(&m2, &d);
		zvm_manifest_free(&m2);
		zvm_buf_free(&out);
	}
	zvm_diag_free(&d);
	zvm_manifest_free(&m);
	return 0;
}
