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
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/etag.h"
#include "manifest/report.h"
#include "run/sandbox.h"
#include "run/source.h"

#define ZVM_IOV_MAX	1024
#define ZVM_MAX_RW	0x7ffff000UL	/* the kernel's MAX_RW_COUNT */
#define ZVM_BUFSZ	(1024 * 1024)
#define ZVM_DEV		0x7a766d	/* st_dev of every channel: "zvm" */

/* An open file description: what open() made, dup() shares. */
struct zvm_ofd {
	unsigned refs;
	int chan;		/* index in sv->src */
	int acc;		/* ZVM_ACC_READ/WRITE the fd was opened for */
	int path;		/* O_PATH: no I/O at all */
	int flags;		/* O_APPEND | O_NONBLOCK */
	uint64_t off;		/* random channels */
	/* A directory: virtual (vdir) or inside an image (hostfd, ours,
	 * O_RDONLY|O_DIRECTORY, its own stream position).  name is its
	 * normalized path, for relative lookups from it. */
	int vdir;
	int hostfd;		/* -1 unless an image directory */
	uint64_t dpos;		/* virtual directory: next entry */
	char *name;
};

/*
 * A real read-only fd the supervisor injected into the program (numbers
 * from ZVM_NVFD up, never reused: a close answered with CONTINUE may run
 * after the next injection).  fd is our copy of the same open file
 * description, so both share one file offset.
 */
struct zvm_inj {
	int fd;			/* ours; -1: closed; -2: a pipe (none) */
	int chan;		/* -1: a pipe of the program's own */
	uint64_t size;		/* the known end, at open */
	/* The file, to know its maps in /proc/PID/maps (a map outlives
	 * the fd), and, for a channel with an etag, our fd kept past the
	 * program's close to hash what a later mremap maps (-1: none). */
	dev_t dev;
	ino_t ino;
	int hashfd;
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
	int inject;		/* answer by injecting injfd (ADDFD|SEND) */
	int injfd;		/* ours; consumed by respond() */
	int injchan;
	int injflags;		/* the open's O_CLOEXEC */
	uint64_t injsize;
};

/* Handler results. */
enum { ZVM_H_DONE, ZVM_H_PEND };

/* What a waiting poll or select watches: our fds and their events, and
 * whether it holds a pipe of the program's (tick: look again every
 * SIG_TICK, no fd of ours stands for it). */
struct zvm_pollwait {
	struct pollfd *p;
	size_t n, cap;
	int tick;
};

struct zvm_pending {
	struct seccomp_notif req;
	int chan;		/* -1: a poll or select */
	short events;		/* POLLIN or POLLOUT */
	uint64_t done, want;	/* a blocking write: written so far, of */
	struct zvm_pollwait *pw;	/* a poll's: what it waits on */
	uint64_t deadline;	/* a poll's: CLOCK_MONOTONIC ns, or
				 * UINT64_MAX */
	uint64_t sigcheck;	/* a poll's: when to look for signals */
};

/* What an I/O answer changes once it is delivered. */
enum { ZVM_POS_NONE, ZVM_POS_OFD, ZVM_POS_READ, ZVM_POS_WRITE,
	ZVM_POS_INJ };

struct zvm_txn {
	int active;
	int chan;
	int write;
	uint64_t n;		/* bytes moved */
	struct zvm_ofd *ofd;
	int injfd;		/* ZVM_POS_INJ: our fd, moved already; newpos
				 * is where it was */
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
	/* The call being served, when it is a blocking write resumed from
	 * the pending table (0, 0 for a new call). */
	uint64_t wdone, wwant;
	/* The same for a poll or select: its wait set (NULL until a
	 * handler makes one) and its deadline (0 for a new call). */
	struct zvm_pollwait *pwait;
	uint64_t pdeadline;
	uint64_t cur_id;	/* the notification being served */
	struct zvm_inj *inj;	/* index: fd - ZVM_NVFD */
	size_t ninj, capinj;
	char *prog;		/* Program, normalized; its host file */
	char *progreal;		/* what Program's symlinks lead to */
	char **nalias;		/* every alias, normalized (lib/sv/image) */
	int mapsfd;		/* /proc/PID/maps once the program runs */
};

/* The child's memory (through the leader pid).  0 or -EFAULT. */
int zvm_sv_peek(struct zvm_sv *, uint64_t addr, void *, size_t);
int zvm_sv_poke(struct zvm_sv *, uint64_t addr, const void *, size_t);

/* CLOCK_MONOTONIC in ns. */
uint64_t zvm_sv_now(void);
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

/* The injected fd a call names (low 32 bits), or NULL. */
struct zvm_inj *zvm_inj_get(struct zvm_sv *, uint64_t fdarg);
/* Record a delivered injection; -1 when out of memory (fd closed). */
int zvm_inj_add(struct zvm_sv *, int childfd, int fd, int chan,
    uint64_t size);
/* Forget an injected fd (the program closed it). */
void zvm_inj_drop(struct zvm_sv *, uint64_t fdarg);
void zvm_inj_closeall(struct zvm_sv *);
/* pipe2 into the program: both ends injected, the pair written at addr.
 * 0 or -errno. */
int zvm_inj_pipe(struct zvm_sv *, uint64_t addr, uint32_t flags);
/* Answer req by injecting r->injfd (r->injflags: O_CLOEXEC).
 * 1: answered; 0: the call is gone. */
int zvm_inj_send(struct zvm_sv *, const struct seccomp_notif *,
    const struct zvm_resp *);

/* image.c: the name space beyond the channels. */
int zvm_img_setup(struct zvm_sv *);
void zvm_img_end(struct zvm_sv *);
/* openat2 of rel ("" the root) beneath image channel chan: fd or
 * -errno (a way out of the tree is -ENOENT). */
int zvm_img_open(struct zvm_sv *, int chan, const char *rel, int flags);
/* Is norm a virtual directory ("/", "/dev", a parent of an alias)? */
int zvm_vdir_is(const struct zvm_sv *, const char *norm);
/* getdents64 of virtual directory dir from entry *pos into buf. */
ssize_t zvm_vdir_list(struct zvm_sv *, const char *dir, uint64_t *pos,
    unsigned char *buf, size_t cap);
void zvm_vdir_stat(const char *path, struct stat *);

/* chanio.c: read/write and their p/v variants.  ZVM_H_DONE or
 * ZVM_H_PEND (*chan, *events: what to wait for); -1: not an I/O call. */
int zvm_io_handle(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int *chan, short *events);
/* Called after the response to an I/O call was delivered (ok = 1) or
 * lost (ok = 0, the thread is dying): charge quotas, move positions. */
void zvm_io_commit(struct zvm_sv *, int ok);
/* Which quota stops a call on ch (-EDQUOT, the hit recorded), or 0 with
 * *room the bytes left; calls is ZVM_GETS or ZVM_PUTS. */
int zvm_io_quota(struct zvm_chan *, int calls, uint64_t *room);
void zvm_io_end(struct zvm_sv *);

/* pollio.c: poll, ppoll, select, pselect6.  ZVM_H_DONE, or ZVM_H_PEND
 * with sv->pwait and sv->pdeadline what to wait for; -1: not one. */
int zvm_poll_handle(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);
void zvm_pw_free(struct zvm_pollwait *);
/* Has thread tid of the program a caught signal pending, unblocked? */
int zvm_poll_signalled(struct zvm_sv *, pid_t tid);

#endif
