/* SPDX-License-Identifier: ISC */
/*
 * util - what every zvm module shares: diagnostics (struct zvm_error and a
 * list of them), checked integer and size parsing, a growable byte buffer
 * and a string arena.  The library never prints and never exits; tools turn
 * a struct zvm_error into "prog: file:line: message" with zvm_error_fmt().
 */
#ifndef ZVM_UTIL_H
#define ZVM_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

/* Exit statuses shared by the toolkit (zvm(7) carries the same table). */
enum {
	ZVM_EXIT_OK = 0,
	ZVM_EXIT_NO = 1,	/* negative answer: check failed, mismatch */
	ZVM_EXIT_USAGE = 64,	/* EX_USAGE */
	ZVM_EXIT_DATAERR = 65,	/* EX_DATAERR: malformed manifest */
	ZVM_EXIT_NOINPUT = 66,	/* EX_NOINPUT */
	ZVM_EXIT_OSERR = 71,	/* EX_OSERR */
	ZVM_EXIT_IOERR = 74,	/* EX_IOERR */
	ZVM_EXIT_TIMEOUT = 124,	/* zvm-run: Timeout expired */
	ZVM_EXIT_RUNFAIL = 125,	/* zvm-run itself failed */
	ZVM_EXIT_NOEXEC = 126,	/* program found, not executable */
	ZVM_EXIT_NOTFOUND = 127,/* program not found */
	ZVM_EXIT_SIGBASE = 128	/* + signal number */
};

enum zvm_errcode {
	ZVM_E_OK = 0,
	ZVM_E_NOMEM,		/* out of memory */
	ZVM_E_SYS,		/* a system call failed; sys_errno says why */
	ZVM_E_SYNTAX,		/* not a Key = value line, NUL byte */
	ZVM_E_NUMBER,		/* malformed or out-of-range integer */
	ZVM_E_FIELDS,		/* wrong number of fields */
	ZVM_E_VALUE,		/* value not allowed for the key or field */
	ZVM_E_MISSING,		/* required key or channel missing */
	ZVM_E_DUPLICATE,	/* singleton key or alias given twice */
	ZVM_E_CHANNEL,		/* channel rule broken (access, path, type) */
	ZVM_E_UNKNOWN,		/* unknown key (a warning) */
	ZVM_E_EDIT,		/* malformed edit expression */
	ZVM_E_NOMATCH,		/* an edit selects no channel */
	ZVM_E_PACKET,		/* malformed or refused network packet */
	ZVM_E_TIMEOUT,		/* no answer before the deadline */
	ZVM_E_NCODES
};

struct zvm_error {
	const char *file;	/* borrowed; NULL: not about a file */
	unsigned line;		/* 1-based; 0: not about one line */
	int code;		/* enum zvm_errcode */
	int sys_errno;		/* errno for ZVM_E_SYS, else 0 */
	int warning;		/* 1: reported, but not a failure */
	char msg[256];
};

/* Every error of one pass, in order, so a tool reports all bad lines. */
struct zvm_diag {
	struct zvm_error *v;
	size_t n, cap;
	size_t nerr;		/* entries that are not warnings */
	size_t dropped;		/* entries lost to ENOMEM */
};

#define ZVM_DIAG_INIT { 0 }

void zvm_error_set(struct zvm_error *, int code, const char *file,
    unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
void zvm_error_vset(struct zvm_error *, int code, const char *file,
    unsigned line, const char *fmt, va_list)
    __attribute__((format(printf, 5, 0)));

/* Append an error (warning = 0) or a warning; never fails (see dropped). */
void zvm_diag_add(struct zvm_diag *, int warning, int code, const char *file,
    unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
void zvm_diag_push(struct zvm_diag *, const struct zvm_error *);
void zvm_diag_free(struct zvm_diag *);

/*
 * "file:line: msg", "file: msg" or "msg" (plus ": strerror" for ZVM_E_SYS)
 * into buf; returns buf.
 */
const char *zvm_error_fmt(const struct zvm_error *, char *buf, size_t n);

/* Short name of an error code ("syntax", "number", ...). */
const char *zvm_strerror(int code);

/* The largest value any manifest integer may hold: 2^63 - 1. */
#define ZVM_INT_MAX UINT64_C(9223372036854775807)

/*
 * Parse s[0..n) as a manifest integer: decimal, 0x hex or leading-0 octal
 * (ZeroVM's bases).  No sign, no blanks, no empty value, nothing above
 * max.  Returns 0, or -1 with *why set to a static explanation.
 */
/* Is s one or more decimal digits and nothing else? */
int zvm_all_digits(const char *s);

int zvm_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out,
    const char **why);

/*
 * A command-line size: an integer as above, optionally followed by K, M, G
 * or T (binary multiples, any case, an optional trailing "iB" or "B").
 * Result at most ZVM_INT_MAX.  Returns 0 or -1 with *why set.
 */
int zvm_parse_size(const char *s, uint64_t *out, const char **why);

/* Value of the hex digit c (either case), or -1. */
int zvm_hexval(int c);

/* Strip blanks (space, tab, CR, VT, FF) from both ends of s[0..*n). */
const char *zvm_trim(const char *s, size_t *n);

/* Array v (n of *cap elements of size bytes) with room for one more:
 * itself, or moved (*cap doubled, from first), or NULL when out of
 * memory (v and *cap unchanged). */
void *zvm_grow(void *v, size_t *cap, size_t n, size_t size, size_t first);

/* Growable byte buffer.  Owns p; free with zvm_buf_free(). */
struct zvm_buf {
	char *p;
	size_t len, cap;
	int oom;		/* an append failed: contents are incomplete */
};

#define ZVM_BUF_INIT { 0 }

void zvm_buf_add(struct zvm_buf *, const void *, size_t);
void zvm_buf_adds(struct zvm_buf *, const char *);
void zvm_buf_addc(struct zvm_buf *, int);
void zvm_buf_addu(struct zvm_buf *, uint64_t);
void zvm_buf_printf(struct zvm_buf *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void zvm_buf_free(struct zvm_buf *);

/*
 * String arena: many small allocations freed together.  Every string a
 * manifest holds lives in its arena.
 */
struct zvm_arena {
	struct zvm_chunk *head;
};

#define ZVM_ARENA_INIT { 0 }

void *zvm_arena_alloc(struct zvm_arena *, size_t);	/* NULL on ENOMEM */
char *zvm_arena_strndup(struct zvm_arena *, const char *, size_t);
void zvm_arena_free(struct zvm_arena *);

/* Read a whole fd into a malloc'd buffer (NUL-terminated, *len excludes
 * it).  Returns 0, or -1 with errno set. */
int zvm_read_fd(int fd, char **buf, size_t *len);

/* Write all of buf to fd, retrying short writes and EINTR. 0 or -1. */
int zvm_write_all(int fd, const void *buf, size_t n);

/* Flush and close stdout; -1 with errno when anything was lost. */
int zvm_close_stdout(void);

#endif
