/* SPDX-License-Identifier: ISC */
/*
 * sumfile - checksum lines: GNU/xxhsum "HEX  NAME", BSD "XXH128 (NAME) =
 * HEX", GNU backslash escaping of odd names, NUL-terminated (-z) records,
 * and the Channel lines of a zvm-run report (uri and etag).  Parsing
 * follows coreutils' split_3 so that `zvm-etag -c` classifies each line
 * the way `sha256sum -c` does.
 */
#ifndef ZVM_SUMFILE_H
#define ZVM_SUMFILE_H

#include <stddef.h>

#include "etag.h"
#include "util.h"

enum zvm_sum_kind {
	ZVM_SUM_SKIP,		/* blank line, comment, report key: ignore */
	ZVM_SUM_ENTRY,		/* a digest and a file name to check */
	ZVM_SUM_BAD		/* improperly formatted */
};

enum zvm_sum_form {
	ZVM_SUM_GNU,		/* HEX  NAME, HEX *NAME (xxhsum, sha256sum) */
	ZVM_SUM_BSD,		/* XXH128 (NAME) = HEX (--tag) */
	ZVM_SUM_CHANNEL		/* Channel = uri,alias,type,HEX,... (report) */
};

struct zvm_sumline {
	int kind;		/* enum zvm_sum_kind */
	int form;		/* enum zvm_sum_form, for ZVM_SUM_ENTRY */
	unsigned line;		/* 1-based record number */
	int binary;		/* GNU "HEX *NAME" */
	unsigned char digest[ZVM_ETAG_LEN];
	const char *name;	/* unescaped; borrowed: valid until next call */
	const char *why;	/* for ZVM_SUM_BAD: static explanation */
};

/*
 * Reads records from a buffer the caller owns and keeps alive.  delim is
 * '\n' (CR before it is dropped, as GNU does) or '\0' (-z: no escaping).
 */
struct zvm_sumreader {
	const char *buf;	/* borrowed */
	size_t len, pos;
	int delim;
	unsigned line;
	int report;		/* a "State = ..." line: this is a zvm report */
	int reversed;		/* GNU's bsd_reversed: -1 unknown, 0, 1 */
	struct zvm_buf tmp;	/* owned: the current record, unescaped */
};

void zvm_sumreader_init(struct zvm_sumreader *, const char *buf, size_t len,
    int delim);

/* 1 with *out filled, 0 at the end, -1 when out of memory. */
int zvm_sumreader_next(struct zvm_sumreader *, struct zvm_sumline *out);

void zvm_sumreader_free(struct zvm_sumreader *);

/*
 * Append one output line for digest d of file name: GNU form, or the BSD
 * form when tag is set.  With delim '\n', a name holding a newline, CR or
 * backslash is escaped and the line starts with a backslash (GNU); with
 * '\0' the name goes out raw and the record ends with NUL.
 */
void zvm_sum_format(struct zvm_buf *, const unsigned char d[ZVM_ETAG_LEN],
    const char *name, int tag, int delim);

/* Does name need GNU escaping ('\n', '\r' or '\\')? */
int zvm_sum_needs_escape(const char *name);

/* Append name with '\\' -> "\\\\", newline -> "\\n", CR -> "\\r". */
void zvm_sum_escape(struct zvm_buf *, const char *name);

#endif
