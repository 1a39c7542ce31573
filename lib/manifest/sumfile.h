/* SPDX-License-Identifier: ISC */
/*
 * sumfile - checksum lines: GNU/xxhsum "HEX  NAME", BSD "XXH128 (NAME) =
 * HEX", GNU backslash escaping of odd names, NUL-terminated (-z) records,
 * and the channels of a zvm-run report (uri and etag): Channel lines of
 * the zvm format, or the json format (sumjson.c).  Parsing follows
 * coreutils' split_3 so that `zvm-etag -c` classifies each line the way
 * `sha256sum -c` does.  A zerovm-format report is recognised and refused:
 * it names no files.
 */
#ifndef ZVM_SUMFILE_H
#define ZVM_SUMFILE_H

#include <stddef.h>
#include <stdint.h>

#include "base/etag.h"
#include "base/util.h"

enum zvm_sum_kind {
	ZVM_SUM_SKIP,		/* blank line, comment, report key: ignore */
	ZVM_SUM_ENTRY,		/* a digest and a file name to check */
	ZVM_SUM_BAD,		/* improperly formatted */
	ZVM_SUM_UNUSABLE	/* the whole file cannot be checked (why,
				 * line: 0 for the file); nothing follows */
};

/* What zvm_sumreader_init() recognised. */
enum zvm_sum_file {
	ZVM_SUMF_LINES,		/* checksum lines, or a zvm report */
	ZVM_SUMF_JSON,		/* a json report: starts with "{" */
	ZVM_SUMF_ZEROVM		/* ZeroVM's 7-line report */
};

enum zvm_sum_form {
	ZVM_SUM_GNU,		/* HEX  NAME, HEX *NAME (xxhsum, sha256sum) */
	ZVM_SUM_BSD,		/* XXH128 (NAME) = HEX (--tag) */
	ZVM_SUM_CHANNEL		/* a report's channel: zvm Channel line
				 * (uri,alias,type,HEX,...) or json object */
};

struct zvm_sumline {
	int kind;		/* enum zvm_sum_kind */
	int form;		/* enum zvm_sum_form, for ZVM_SUM_ENTRY */
	unsigned line;		/* 1-based record number */
	int binary;		/* GNU "HEX *NAME" */
	unsigned char digest[ZVM_ETAG_LEN];
	const char *name;	/* unescaped; borrowed: valid until next call */
	int prefix;		/* ZVM_SUM_CHANNEL: the digest is of the
				 * file's first prefix_len bytes only */
	uint64_t prefix_len;
	const char *why;	/* ZVM_SUM_BAD, _UNUSABLE: explanation;
				 * borrowed, valid until the next call */
};

/* The etag'd channels of a json report, in report order. */
struct zvm_sumjson_chan {
	unsigned line;		/* of the channel's object */
	unsigned char digest[ZVM_ETAG_LEN];
	size_t uri;		/* where the uri starts in names */
	int prefix;		/* see struct zvm_sumline */
	uint64_t prefix_len;
};

/*
 * Whether a report's channel digest is to be checked against a prefix of
 * its file, from the channel's get_size and puts fields (as text).  The
 * digest of a channel the program only read is of the bytes it read, in
 * the order read: for a program that read from the start, the file's
 * first get_size bytes, which is the whole file when it read to the end.
 * 1 with *len = get_size, or 0 (written to: the whole file).
 */
int zvm_sum_prefix(const char *get_size, size_t nget, const char *puts,
    size_t nputs, uint64_t *len);

struct zvm_sumjson {
	struct zvm_sumjson_chan *chan;	/* owned */
	size_t n;
	uint64_t node;		/* "node": the report's node; 0: none */
	char *names;		/* owned */
	unsigned line;		/* a bad report: the line, */
	char why[128];		/* and what is wrong */
};

/*
 * Read a json report as report.c writes it: strict RFC 8259 syntax
 * (bytes of 0x80 and up in strings pass unchecked, as report.c writes
 * file names raw), an object with "state" and "channels", each channel an
 * object with "uri", "alias" and "etag" (32 hex digits or null); the keys
 * report.c writes must have its types, other keys are ignored.  Returns
 * 0 (free with zvm_sumjson_free()), -1 for a bad report (line, why), -2
 * when out of memory.
 */
int zvm_sumjson_read(const char *buf, size_t len, struct zvm_sumjson *);
void zvm_sumjson_free(struct zvm_sumjson *);

/*
 * Reads records from a buffer the caller owns and keeps alive.  delim is
 * '\n' (CR before it is dropped, as GNU does) or '\0' (-z: no escaping).
 * A json report yields its etag'd channels (line: the channel's), or one
 * ZVM_SUM_UNUSABLE record when it is malformed; a zerovm report yields
 * one ZVM_SUM_UNUSABLE record.
 */
struct zvm_sumreader {
	const char *buf;	/* borrowed */
	size_t len, pos;
	int delim;
	unsigned line;
	int report;		/* a "State = ..." line: this is a zvm report */
	int reversed;		/* GNU's bsd_reversed: -1 unknown, 0, 1 */
	struct zvm_buf tmp;	/* owned: the current record, unescaped */
	int file;		/* enum zvm_sum_file */
	int state;		/* report: 0 unread, 1 reading, 2 done */
	struct zvm_sumjson json;	/* owned */
	size_t next;		/* the next json channel */
	/* A report's Node key (zvm: the line before its channels; json:
	 * "node"): which node of a cluster job ran; 0: none. */
	uint64_t node;
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
