/* SPDX-License-Identifier: ISC */
/*
 * report - what a run did (state, exit status or signal, times, peak
 * memory, denied system calls, each channel's usage and etag) and its
 * three written forms: zvm's own Key = value format, ZeroVM's 7-line
 * report, and JSON.  lib/sv/supervise fills the struct; zvm-run writes it.
 */
#ifndef ZVM_REPORT_H
#define ZVM_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

enum zvm_state {
	ZVM_STATE_OK,		/* the program exited */
	ZVM_STATE_TIMEOUT,	/* Timeout expired; killed */
	ZVM_STATE_SIGNAL,	/* killed by a signal */
	ZVM_STATE_ERROR		/* zvm-run failed (or could not exec) */
};

enum zvm_report_format { ZVM_FMT_ZVM, ZVM_FMT_ZEROVM, ZVM_FMT_JSON };

/* Bits of zvm_report_chan.hit: 1u << ZVM_GETS ... 1u << ZVM_PUT_SIZE. */

struct zvm_report_chan {
	const char *uri;	/* borrowed (manifest) */
	const char *alias;
	uint64_t type;
	int etag_on;
	char etag[33];		/* hex digest when etag_on */
	uint64_t used[4];	/* reads, bytes read, writes, bytes written */
	unsigned hit;		/* quotas the program ran into */
	int err;		/* errno of a failed host read/write; 0 */
	const char *errop;	/* "read" or "write" */
};

/* Limits of the whole sandbox a program ran into (Limit lines). */
enum {
	ZVM_LIMIT_THREADS = 1 << 0,	/* Threads: a clone refused */
	ZVM_LIMIT_FILES = 1 << 1,	/* Files: an open or pipe refused */
	ZVM_LIMIT_MEMORY = 1 << 2,	/* Memory: a pipe refused */
	ZVM_LIMIT_SCRATCH = 1 << 3	/* Scratch: a write or file refused */
};

struct zvm_denied {
	int nr;			/* x86-64 system call number */
	char name[32];
	unsigned long count;
};

struct zvm_report {
	int state;		/* enum zvm_state */
	int exited;		/* 1: status holds the exit status */
	int status;		/* exit status (exited) */
	int signal;		/* terminating signal (not exited) */
	char message[256];	/* why, for a state other than ok */
	double wall, user, sys;	/* seconds */
	uint64_t maxrss;	/* peak RSS of the program, bytes */
	int memory_etag_on;	/* Memory = N,1 */
	int memory_etag_done;	/* the digest below was taken at exit */
	char memory_etag[33];	/* hex xxh128 of readable memory at exit */
	struct zvm_report_chan *chan;	/* owned */
	size_t nchan;
	struct zvm_denied *denied;	/* owned, in order of first denial */
	size_t ndenied, capdenied;
	int *dslot;		/* owned: ZVM_DENY_SLOTS indexes, -1 free */
	size_t dunknown;	/* entries of numbers without a name */
	unsigned long dother;	/* calls counted in ZVM_DENY_OTHER */
	unsigned limits;	/* ZVM_LIMIT_* the program ran into */
	/* Scratch: the most bytes and entries (files, directories) the
	 * program's scratch directory held at once. */
	int scratch_on;
	uint64_t scratch_bytes, scratch_entries;
	uint64_t node;		/* the manifest's Node; 0: none */
	int interrupt;		/* a signal zvm-run got and passed on; 0 */
};

/*
 * The Denied list stays small whatever the program calls: each named
 * call has its entry, the first ZVM_DENY_UNKNOWN numbers without a name
 * theirs ("nrN"), and every other call is counted in one last entry,
 * ZVM_DENY_OTHER.  Counting is O(1).
 */
#define ZVM_DENY_UNKNOWN	16
#define ZVM_DENY_MAX		512	/* entries before ZVM_DENY_OTHER */
#define ZVM_DENY_SLOTS		1024
#define ZVM_DENY_OTHER		"other"

/* Count one denied call of nr; name is its name, or NULL when nr has
 * none (zvm_syscall_lookup()). */
void zvm_report_deny(struct zvm_report *, int nr, const char *name);

/* "ok", "timeout", "signal", "error". */
const char *zvm_state_name(int state);

/* "zvm", "zerovm", "json" to enum zvm_report_format; -1 if unknown. */
int zvm_report_format_lookup(const char *);

/* Append the report in the given format to out. */
void zvm_report_write(const struct zvm_report *, int format,
    struct zvm_buf *out);

void zvm_report_free(struct zvm_report *);

#endif
