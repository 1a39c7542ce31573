/* SPDX-License-Identifier: ISC */
/*
 * manifest - read, check, change and write zvm (and ZeroVM 1.0) manifests.
 *
 * A manifest is kept as its lines plus a model (keys, channels, Env).
 * Reading checks the syntax of every line; zvm_manifest_check() applies
 * the rules that need no file system.  Changes regenerate only the lines
 * they touch, so zvm_manifest_write() reproduces every other line byte for
 * byte: comments, unknown keys, spacing, CRLF, a missing final newline.
 *
 * Lifecycle: zvm_manifest_init() (or ZVM_MANIFEST_INIT) -> _load() or
 * _parse() -> _check() / changes -> _write() -> _free().  Every string a
 * manifest hands out is borrowed: valid until zvm_manifest_free().
 */
#ifndef ZVM_MANIFEST_H
#define ZVM_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include "manifest/channel.h"
#include "base/util.h"

enum zvm_key {
	ZVM_K_VERSION, ZVM_K_PROGRAM, ZVM_K_TIMEOUT, ZVM_K_MEMORY,
	ZVM_K_CHANNEL, ZVM_K_NODE, ZVM_K_NAMESERVER, ZVM_K_JOB, ZVM_K_ETAG,
	ZVM_K_ARGS, ZVM_K_ENV, ZVM_K_THREADS, ZVM_K_FILES, ZVM_K_SCRATCH,
	ZVM_NKEYS
};

#define ZVM_VERSION_STRING "20130611"

/* Threads and Files: their defaults and largest values (the kernel's
 * PID_MAX_LIMIT and NR_OPEN). */
#define ZVM_THREADS_DEFAULT	1024
#define ZVM_THREADS_MAX		4194304
#define ZVM_FILES_DEFAULT	1024
#define ZVM_FILES_MAX		1048576
/* Scratch: the program's private writable directory, and where. */
#define ZVM_SCRATCH_ALIAS	"/tmp"

enum zvm_line_kind {
	ZVM_L_BLANK,		/* empty or only blanks */
	ZVM_L_COMMENT,		/* first non-blank is '#' or '=' */
	ZVM_L_KEY,		/* a known key */
	ZVM_L_UNKNOWN		/* Key = value with an unknown key: kept */
};

enum zvm_eol { ZVM_EOL_NONE, ZVM_EOL_LF, ZVM_EOL_CRLF, ZVM_EOL_CR };

struct zvm_line {
	const char *text;	/* the line without its end (not NUL-ended) */
	size_t len;
	size_t vo, vn;		/* the trimmed value: text[vo .. vo + vn) */
	unsigned lineno;	/* 1-based input line; 0: added by a change */
	unsigned char eol;	/* enum zvm_eol */
	unsigned char kind;	/* enum zvm_line_kind */
	signed char key;	/* enum zvm_key, -1 when not ZVM_L_KEY */
	unsigned char deleted;
	size_t item;		/* Channel: index in chan[] (any value in a
				 * lean manifest); Env: in env[]; NOLINE, i.e.
				 * (size_t)-1, when the value did not parse */
};

struct zvm_env {
	const char *name;	/* before the first '=' of the value */
	const char *value;	/* after it */
	size_t lineidx;
	unsigned line;
	unsigned char deleted;
};

struct zvm_manifest {
	const char *name;		/* for messages ("<stdin>" for stdin) */
	char *buf;			/* the bytes read; owned */
	size_t len;
	struct zvm_line *line;
	size_t nline, capline;
	struct zvm_channel *chan;	/* manifest order */
	size_t nchan, capchan;
	struct zvm_env *env;
	size_t nenv, capenv;
	/* Singleton keys: first occurrence, trimmed; NULL when absent. */
	const char *value[ZVM_NKEYS];
	size_t keyidx[ZVM_NKEYS];	/* line index of that occurrence */
	unsigned nkey[ZVM_NKEYS];	/* occurrences (Channel, Env too) */
	unsigned char keybad[ZVM_NKEYS];	/* first value failed to parse */
	unsigned badchan;		/* Channel lines that failed to parse */
	/* Parsed numbers, valid when the key is present and well formed. */
	uint64_t timeout, memory, memory_etag, node, threads, files, scratch;
	unsigned char eol;		/* line end for new lines */
	unsigned char spaced_eq;	/* new lines: "Key = value" */
	unsigned char spaced_comma;	/* new channels: ", " */
	/*
	 * Set before _parse() or _load(): Channel lines are checked but kept
	 * as lines only, so chan[] stays empty and find() finds nothing.
	 * The check, the changes and zvm_edit_apply() work the same; a tool
	 * that touches a few channels of a large manifest (zvm-edit) saves
	 * most of the memory and time the model would cost.
	 */
	unsigned char lean;
	struct zvm_arena arena;
};

#define ZVM_MANIFEST_INIT { .name = "<manifest>", .eol = ZVM_EOL_LF, \
	.spaced_eq = 1 }

void zvm_manifest_init(struct zvm_manifest *);

/* "Version", "Program", ... and back; lookup returns -1 when unknown. */
const char *zvm_key_name(int key);
int zvm_key_lookup(const char *s, size_t n);

/*
 * Parse len bytes of buf (copied) as the manifest called name.  Every bad
 * line goes to d (unknown keys as warnings).  Returns 0, or -1 when d got
 * an error.
 */
int zvm_manifest_parse(struct zvm_manifest *, const char *name,
    const char *buf, size_t len, struct zvm_diag *d);

/*
 * Read and parse path ("-": standard input, called "<stdin>").  When the
 * file cannot be read, d gets one ZVM_E_SYS error (tools exit 66).
 */
int zvm_manifest_load(struct zvm_manifest *, const char *path,
    struct zvm_diag *d);

/*
 * The rules that need no file system: required and duplicate keys,
 * Version, Timeout, Memory, Node, NameServer, Job, Args and Env values,
 * channel types, etag flags, access classes, absolute and unique aliases,
 * absolute uris, the three standard channels.  Every problem goes to d.
 * Returns 0 or -1.
 */
int zvm_manifest_check(const struct zvm_manifest *, struct zvm_diag *d);

/* Parse what fd holds (read once, into the buffer the manifest keeps);
 * name is for messages.  fd stays open.  As zvm_manifest_load() otherwise. */
int zvm_manifest_load_fd(struct zvm_manifest *, int fd, const char *name,
    struct zvm_diag *d);

/* Append the manifest's bytes to out. */
void zvm_manifest_write(const struct zvm_manifest *, struct zvm_buf *out);

/* Write the manifest's bytes to fd, unchanged runs straight from the input
 * buffer.  0, or -1 with errno set. */
int zvm_manifest_write_fd(const struct zvm_manifest *, int fd);

void zvm_manifest_free(struct zvm_manifest *);

/* Live channel with this alias, or NULL (always NULL when lean). */
struct zvm_channel *zvm_manifest_find(const struct zvm_manifest *,
    const char *alias);

/* Number of channels not deleted. */
size_t zvm_manifest_nchannels(const struct zvm_manifest *);

/*
 * Changes.  Each one validates its value with the same rules as the
 * reader, regenerates the lines it touches and leaves the rest alone.
 * New key lines go after the last key line that is not a Channel (or
 * first), new channels after the last channel.  -1: e says why.
 */

/* Set a singleton key; the first line is rewritten, duplicates dropped. */
int zvm_manifest_set(struct zvm_manifest *, int key, const char *value,
    struct zvm_error *e);
/* Remove every line of key (any key but Channel); returns lines removed. */
size_t zvm_manifest_unset(struct zvm_manifest *, int key);
/* Set Env NAME (replacing every Env of that name). */
int zvm_manifest_setenv(struct zvm_manifest *, const char *name,
    const char *value, struct zvm_error *e);
size_t zvm_manifest_unsetenv(struct zvm_manifest *, const char *name);

/* Append a channel (strings copied).  No alias check: see _check(). */
int zvm_manifest_add_channel(struct zvm_manifest *,
    const struct zvm_channel *, struct zvm_error *e);
/*
 * Rewrite the line of chan[i] after its fields were changed in place.
 * New uri and alias strings must come from zvm_manifest_strdup().
 */
int zvm_manifest_update_channel(struct zvm_manifest *, size_t i,
    struct zvm_error *e);
/* Mark chan[i] and its line deleted; zvm_manifest_compact() drops it. */
void zvm_manifest_delete_channel(struct zvm_manifest *, size_t i);
/* Remove deleted channels from chan[] (indices change). */
void zvm_manifest_compact(struct zvm_manifest *);

/* Copy s into the manifest's arena; NULL on ENOMEM. */
char *zvm_manifest_strdup(struct zvm_manifest *, const char *s);

#endif
