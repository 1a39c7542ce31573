/* SPDX-License-Identifier: ISC */
/*
 * channel - one Channel record: uri, alias, type, etag and the four quotas,
 * its access class, and the parse and format of the 8-field line value
 * "uri,alias,type,etag,gets,get_size,puts,put_size".
 */
#ifndef ZVM_CHANNEL_H
#define ZVM_CHANNEL_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

enum zvm_field {
	ZVM_F_URI, ZVM_F_ALIAS, ZVM_F_TYPE, ZVM_F_ETAG,
	ZVM_F_GETS, ZVM_F_GET_SIZE, ZVM_F_PUTS, ZVM_F_PUT_SIZE,
	ZVM_NFIELDS
};

/* Index into zvm_channel.limit[]. */
enum zvm_limit { ZVM_GETS, ZVM_GET_SIZE, ZVM_PUTS, ZVM_PUT_SIZE };

/* Access comes from the quotas, as in ZeroVM. */
enum zvm_access {
	ZVM_ACC_NONE = 0,
	ZVM_ACC_READ = 1,	/* gets > 0 && get_size > 0 */
	ZVM_ACC_WRITE = 2,	/* puts > 0 && put_size > 0 */
	ZVM_ACC_RW = 3
};

/* Type bits. */
#define ZVM_TYPE_RANDOM_READ	1u
#define ZVM_TYPE_RANDOM_WRITE	2u

struct zvm_channel {
	const char *uri;	/* borrowed: lives in the manifest's arena */
	const char *alias;	/* borrowed, as uri */
	uint64_t type;		/* 0..3 once zvm_manifest_check() passed */
	uint64_t etag;		/* 0 or 1 once checked */
	uint64_t limit[4];	/* gets, get_size, puts, put_size */
	unsigned line;		/* manifest line; 0 when added by an edit */
	size_t lineidx;		/* manifest-internal: index of its line */
	unsigned char spaced;	/* fields were separated by ", " */
	unsigned char deleted;	/* manifest-internal: see zvm_manifest_compact */
};

/* "uri", "alias", "type", "etag", "gets", "get_size", "puts", "put_size". */
const char *zvm_field_name(int field);

/* Field number for a name (n bytes), or -1. */
int zvm_field_lookup(const char *name, size_t n);

int zvm_channel_access(const struct zvm_channel *);

/* 0, 1, 2 for /dev/stdin, /dev/stdout, /dev/stderr; -1 otherwise. */
int zvm_std_alias(const char *alias);

/*
 * Parse the value of a Channel line (v[0..n), not NUL-terminated) into c.
 * Checks the syntax only: 8 fields, non-empty uri and alias, integers.
 * Strings are copied into the arena.  On -1, e names file:line and the
 * field.
 */
int zvm_channel_parse(struct zvm_channel *c, const char *v, size_t n,
    struct zvm_arena *, const char *file, unsigned line,
    struct zvm_error *e);

/*
 * zvm_channel_parse() without the copies: uri and alias stay NULL, their
 * trimmed spans are v + span[0] (span[1] bytes) and v + span[2] (span[3]).
 */
int zvm_channel_scan(struct zvm_channel *c, const char *v, size_t n,
    size_t span[4], const char *file, unsigned line, struct zvm_error *e);

/*
 * The alias of a Channel value that parsed: its trimmed second field,
 * *an bytes at the pointer returned (borrowed from v, not NUL-ended).
 */
const char *zvm_channel_alias_span(const char *v, size_t n, size_t *an);

/*
 * Like zvm_channel_parse() for a command-line argument (NUL-terminated):
 * quota fields also accept size suffixes (1M).  Messages name no file.
 */
int zvm_channel_parse_arg(struct zvm_channel *c, const char *s,
    struct zvm_arena *, struct zvm_error *e);

/*
 * The rules of one channel that need no file system: uri absolute or
 * tcp:host:port and under PATH_MAX, alias absolute and tidy (no empty,
 * ".", ".." or over-long component), type 0..3, etag 0/1, some access, type 1
 * or 3 for read-write.  Every problem goes to d (file names the manifest).
 * Returns 0 or -1.
 */
int zvm_channel_check(const struct zvm_channel *c, const char *file,
    struct zvm_diag *d);

/*
 * A NameServer value: udp:HOST:PORT, HOST a dotted IPv4 address or a node
 * number, PORT 0..65535.  1 if valid, else 0 with *why set.
 */
int zvm_nameserver_ok(const char *s, const char **why);

/* Append the 8-field value; fields separated by ", " when spaced. */
void zvm_channel_format(const struct zvm_channel *, int spaced,
    struct zvm_buf *);

#endif
