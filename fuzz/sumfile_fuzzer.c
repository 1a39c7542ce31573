/* SPDX-License-Identifier: ISC */
/*
 * sumfile_fuzzer - libFuzzer entry point for the checksum-line reader.
 * The first byte picks the record delimiter ('\n' or NUL); the rest is a
 * check file: checksum lines, or a zvm, json or zerovm report.  Every
 * entry's name must be a C string, and writing it and reading it back
 * must give it unchanged; an unusable file gives one record, with a
 * reason, and nothing after it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/sumfile.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_sumreader r, back;
	struct zvm_sumline l, l2;
	struct zvm_buf b = ZVM_BUF_INIT;
	int delim, got;

	if (size == 0)
		return 0;
	delim = data[0] & 1 ? '\0' : '\n';
	zvm_sumreader_init(&r, (const char *)data + 1, size - 1, delim);
	while ((got = zvm_sumreader_next(&r, &l)) == 1) {
		if ((l.kind == ZVM_SUM_BAD || l.kind == ZVM_SUM_UNUSABLE) &&
		    (l.why == NULL || !*l.why))
			abort();
		if (l.kind == ZVM_SUM_UNUSABLE &&
		    zvm_sumreader_next(&r, &l2) != 0)
			abort();
		if (l.kind != ZVM_SUM_ENTRY)
			continue;
		if (l.name == NULL)
			abort();
		/* Format the entry as we would write it. */
		b.len = 0;
		zvm_sum_format(&b, l.digest, l.name, l.form == ZVM_SUM_BSD,
		    delim);
		if (b.oom)
			break;
		/* ... and read it back (an empty name cannot be written). */
		if (l.name[0] != '\0') {
			zvm_sumreader_init(&back, b.p, b.len, delim);
			if (zvm_sumreader_next(&back, &l2) != 1 ||
			    l2.kind != ZVM_SUM_ENTRY ||
			    strcmp(l2.name, l.name) != 0 ||
			    memcmp(l2.digest, l.digest, sizeof l.digest) != 0)
				abort();
			zvm_sumreader_free(&back);
		}
	}
	zvm_sumreader_free(&r);
	zvm_buf_free(&b);
	return 0;
}
