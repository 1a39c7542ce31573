/* SPDX-License-Identifier: ISC */
/*
 * sv - state shared by the supervisor's three parts (internal to libzvm):
 * supervise.c (the loop), fdtable.c (virtual fds, paths, stat, ioctl) and
 * chanio.c (reads and writes under quotas).  A handler gets one
 * notification and either fills a response or asks to wait (pending).
 */
#ifndef ZVM_SV_H
#define ZVM_SV_H

#include <linux/seccomp.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "etag.h"
#include "report.h"
#include "sandbox.h"
#include "source.h"

#define ZVM_IOV_MAX	1024
#define ZVM_MAX_RW	0x7ffff000UL	/* the kernel's MAX_RW_COUNT */
#define ZVM_BUFSZ	(1024 * 1024)

/* An open file description: what open() made, dup() shares. */
struct zvm_ofd {
	unsigned refs;
	int chan;		/* index in sv->src */
	int acc;		/* ZVM_ACC_READ/WRITE the fd was opened for */
	int path;		/* O_PATH: no I/O at all */
	int flags;		/* O_APPEND | O_NONBLOCK */
	uint64_t off;		/* random channels */
};

/* Per channel run state. */
struct zvm_chan {
	struct zvm_source *src;
	struct zvm_report_chan *rep;
	struct zvm_etag etag;
};

struct zvm_resp {
	int64_t val;
	int error;		/* positive errno; 0: success */
	int cont;		/* answer CONTINUE (register-only decisions) */
};

/* Handler results. */
enum { ZVM_H_DONE, ZVM_H_PEND };

struct zvm_pending {
	struct seccomp_notif req;
	int chan;
	short events;		/* POLLIN or POLLOUT */
};

/* What an I/O answer changes once it is delivered. */
enum { ZVM_POS_NONE, ZVM_POS_OFD, ZVM_POS_READ, ZVM_POS_WRITE };

struct zvm_txn {
	int active;
	int chan;
	int write;
	uint64_t n;		/* bytes moved */
	struct zvm_ofd *ofd;
	int pos;		/* ZVM_POS_*: which position moves to newpos */
	uint64_t newpos;
	int restore;		/* a read hashed: undo if undelivered */
	struct zvm_etag saved;
};

struct zvm_sv {
	pid_t pid;		/* the program's leader (our child) */
	int listener, pidfd, timerfd, sigfd;
	uint64_t timeout;
	int execed;		/* the first execveat was answered */
	int memtag;		/* take the memory etag at exit_group */
	volatile int *exec_err;	/* the child's failed execveat, or 0 */
	struct zvm_source *src;
	struct zvm_chan *ch;
	size_t nsrc;
	struct zvm_report *rep;
	struct zvm_ofd *fd[ZVM_NVFD];
	unsigned char cloexec[ZVM_NVFD];
	struct zvm_pending *pend;
	size_t npend, cappend;
	unsigned char *buf;	/* ZVM_BUFSZ bytes */
	struct iovec riov[ZVM_IOV_MAX];	/* a call's remote iovecs */
	struct iovec siov[ZVM_IOV_MAX];	/* a slice of them */
	struct zvm_txn txn;
};

/* The child's memory (through the leader pid).  0 or -EFAULT. */
int zvm_sv_peek(struct zvm_sv *, uint64_t addr, void *, size_t);
int zvm_sv_poke(struct zvm_sv *, uint64_t addr, const void *, size_t);

/* A NUL-terminated string of at most n - 1 bytes.  0, -EFAULT, or
 * -ENAMETOOLONG. */
int zvm_sv_peekstr(struct zvm_sv *, uint64_t addr, char *, size_t n);

/* Answer with errno err and count the call as denied. */
void zvm_sv_deny(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int err);

/* The ofd of a virtual fd (low 32 bits of the argument), or NULL. */
struct zvm_ofd *zvm_fd_get(struct zvm_sv *, uint64_t fdarg);

/* fdtable.c: open, close, dup*, fcntl, fstat/stat family, lseek, ioctl
 * and the other path and fd calls.  Returns 1 when nr was handled. */
int zvm_fd_handle(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);
void zvm_fd_closeall(struct zvm_sv *);

/* chanio.c: read/write and their p/v variants.  ZVM_H_DONE or
 * ZVM_H_PEND (*chan, *events: what to wait for); -1: not an I/O call. */
int zvm_io_handle(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int *chan, short *events);
/* Called after the response to an I/O call was delivered (ok = 1) or
 * lost (ok = 0, the thread is dying): charge quotas, move positions. */
void zvm_io_commit(struct zvm_sv *, int ok);
void zvm_io_end(struct zvm_sv *);

#endif
