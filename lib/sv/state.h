/* SPDX-License-Identifier: ISC */
/*
 * state - what the supervisor knows of a run, shared by the handlers:
 * the channels and their accounting (quotas, etags, the answer's
 * transaction), the program's fd table (virtual fds below ZVM_NVFD,
 * injected real fds above), the file name space beyond the channels
 * (images, virtual directories), and the call being served.  Below the
 * handlers, above lib/sv/tracee: it may use the tracee, lib/run,
 * lib/manifest and lib/base, never a handler or the loop.
 *
 * A handler gets one notification and fills a struct zvm_resp, or asks
 * to wait (ZVM_H_PEND); the loop sends the answer and then commits the
 * transaction (zvm_txn_commit): quotas and positions move only once an
 * answer was delivered.
 */
#ifndef ZVM_STATE_H
#define ZVM_STATE_H

#include <linux/seccomp.h>
#include <poll.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "base/etag.h"
#include "manifest/report.h"
#include "run/sandbox.h"
#include "run/source.h"
#include "sv/tracee.h"

#define ZVM_BUFSZ	(1024 * 1024)
/* The st_dev of every channel: "zvm". */
#define ZVM_DEV		0x7a766d

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
	int vdev;		/* ZVM_VDEV_*: a device (chan -1) */
	uint64_t dpos;		/* virtual directory: next entry */
	char *name;
};

/*
 * A real fd the supervisor injected into the program (numbers from
 * ZVM_NVFD up).  fd is our copy of the same open file description, so
 * both share one file offset.  A number is used again only once no call
 * answered with CONTINUE can still be on its way to it (zvm_inj_slot):
 * the program had one thread at its close, or the threads that were
 * answered so on it have called again since; never one a map was made
 * of (mremap finds its file by the slot) or whose kernel fd was left
 * open under a call in flight (lib/sv/fdtable).
 */
/* What an injected fd is when it is no channel's file (chan < 0): an
 * object of the program's own, its I/O native. */
enum {
	ZVM_INJ_PIPE = -1,	/* a pipe end; we keep no copy */
	ZVM_INJ_EVENTFD = -2,
	ZVM_INJ_TIMERFD = -3,
	ZVM_INJ_SIGNALFD = -4,
	ZVM_INJ_EPOLL = -5,
	ZVM_INJ_SOCKET = -6,	/* a socketpair end; no copy either */
	ZVM_INJ_SCRATCH = -7	/* a file of the scratch (node: which) */
};

struct zvm_inj {
	int fd;			/* ours; -1: closed; -2: a pipe (none) */
	int chan;		/* a channel, or ZVM_INJ_* */
	uint64_t size;		/* the known end, at open */
	/* The file, to know its maps in /proc/PID/maps (a map outlives
	 * the fd), and, for a channel with an etag, our fd kept past the
	 * program's close to hash what a later mremap maps (-1: none). */
	dev_t dev;
	ino_t ino;
	int hashfd;
	long pair;		/* a pipe or socketpair end: its sv->pairs
				 * index, or -1 */
	long node;		/* a scratch file: its node, or -1 */
	int keep;		/* never to be used again (above) */
	int fl;			/* a channel's file: its F_GETFL, -1 unknown */
};

/*
 * A pipe or socketpair the program made: its buffers count against
 * Memory while anything holds one of its ends, an fd of the program's or
 * one the supervisor sent over a socketpair (lib/sv/sockio) that was not
 * received yet.  Its ends' inodes tell a received end's pair.
 */
struct zvm_pair {
	int kind;		/* ZVM_INJ_PIPE or ZVM_INJ_SOCKET */
	int type;		/* a socketpair's SOCK_STREAM, _DGRAM, ... */
	dev_t dev;
	ino_t ino[2];		/* a pipe's two ends share one */
	unsigned long refs;	/* 0: gone, its buffers given back */
	unsigned long queued;	/* fds sent into its sockets' queues, not
				 * received yet (gone with the pair) */
};

/* A virtual fd's stream watched by an epoll instance of the program:
 * our own fd of the stream (a dup, one per watch, as epoll tells
 * watches apart by fd) in its interest list (lib/sv/objects). */
struct zvm_epwatch {
	size_t ep;		/* the epoll's index in sv->inj */
	struct zvm_ofd *ofd;	/* what the program watches */
	int vfd;		/* under this number */
	int fd;			/* ours in the epoll */
};
#define ZVM_EPWATCH_MAX	4096	/* past it ENOSPC, as max_user_watches */

/* A thread clone let through, until it is known to be done. */
struct zvm_clone {
	pid_t tid;		/* the thread that made it */
	uint64_t t;		/* when (CLOCK_MONOTONIC ns) */
};

/* A call answered with CONTINUE while the program has more than one
 * thread, and the fd it names: in flight, as far as we know, until its
 * thread makes another call (lib/sv/table). */
struct zvm_cont {
	pid_t tid;
	uint32_t fd;
};

/* An entry of the scratch directory (lib/sv/scratch). */
struct zvm_snode {
	char *name;		/* below the root; NULL: unlinked (or free) */
	int fd;			/* ours, O_RDWR and unnamed; -1: none */
	int dir;
	mode_t mode;		/* permission bits, as the program set them */
	unsigned open;		/* the program's fds of it */
	uint64_t size;		/* a file's, exactly: every change is ours */
	uint64_t ino;		/* its number in listings and stat */
};

struct zvm_scratch {
	int on;
	int dirfd;		/* the host directory (zvm-run's) */
	uint64_t quota, used;
	size_t nlive, peaknodes, maxnodes, serial;
	struct zvm_snode *node;	/* slots keep their place while in use */
	size_t n, cap;
};

/* Per channel run state. */
struct zvm_chan {
	struct zvm_source *src;
	struct zvm_report_chan *rep;
	struct zvm_etag etag;
	/* The native path (lib/sv/injio): the bytes [owelo, owehi) of the
	 * file the kernel gave the program and the etag has yet to take
	 * (lib/sv/chanio hashes them from our map of it), and the end of
	 * the furthest such read (0: none). */
	uint64_t owelo, owehi, contend;
	int rfd;		/* a write channel's file, ours to hash it */
};

struct zvm_resp {
	int64_t val;
	int error;		/* positive errno; 0: success */
	int cont;		/* answer CONTINUE (register-only decisions) */
	int inject;		/* answer by injecting injfd (ADDFD|SEND) */
	int injfd;		/* ours; consumed by zvm_inj_answer() */
	int injchan;
	int injflags;		/* the open's O_CLOEXEC */
	uint64_t injsize;
	long injnode;		/* ZVM_INJ_SCRATCH: the node */
};

/* Handler results: answer now, or wait in the loop's pending table. */
enum { ZVM_H_DONE, ZVM_H_PEND };

/* What a waiting poll or select watches: our fds and their events, and
 * whether it holds a pipe of the program's (tick: look again every
 * tick, no fd of ours stands for it). */
struct zvm_pollwait {
	struct pollfd *p;
	size_t n, cap;
	int tick;
	/* A socket call waiting (lib/sv/sockio): our copy of its end, held
	 * for the wait (closed with the set), and how far it got. */
	int held, hold;
	uint64_t done;		/* messages done (sendmmsg, recvmmsg) */
	uint64_t part;		/* bytes of the message in progress */
	uint64_t until;		/* recvmmsg's own timeout (CLOCK_MONOTONIC) */
	uint64_t intr;		/* what a signal makes it return; 0: EINTR */
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
	int cont;		/* a read at oweoff answered with CONTINUE */
	uint64_t oweoff;
};

struct zvm_sv {
	struct zvm_tracee tr;
	int execed;		/* the first execveat was answered */
	int memtag;		/* take the memory etag at exit_group */
	int copy;		/* no native data path (ZVM_COPY) */
	uint64_t fsize;		/* RLIMIT_FSIZE (the program's is ours) */
	volatile int *exec_err;	/* the child's failed execveat, or 0 */
	struct zvm_source *src;
	struct zvm_chan *ch;
	size_t nsrc;
	struct zvm_report *rep;
	struct zvm_ofd *fd[ZVM_NVFD];
	unsigned char cloexec[ZVM_NVFD];
	unsigned char *buf;	/* ZVM_BUFSZ bytes */
	struct zvm_txn txn;
	/* The call being served, when it is a blocking write resumed from
	 * the pending table (0, 0 for a new call). */
	uint64_t wdone, wwant;
	/* When the Timeout ends the run (CLOCK_MONOTONIC ns; 0 before the
	 * exec): no wait of a handler's own may go past it. */
	uint64_t deadline;
	/* The same for a poll or select: its wait set (NULL until a
	 * handler makes one) and its deadline (0 for a new call). */
	struct zvm_pollwait *pwait;
	uint64_t pdeadline;
	struct zvm_inj *inj;	/* index: fd - ZVM_NVFD */
	size_t ninj, capinj;
	size_t *freeinj;	/* closed slots to use again, a stack */
	size_t nfreeinj, capfreeinj;
	int noreuse;		/* a CONTINUE could not be recorded */
	char *prog;		/* Program, normalized; its host file */
	char *progreal;		/* what Program's symlinks lead to */
	char **nalias;		/* every alias, normalized (image.c) */
	struct zvm_limits lim;
	size_t nfiles;		/* real fds the program holds */
	uint64_t bufbytes;	/* what its pipes and socketpairs may hold */
	struct zvm_clone *clones;
	size_t nclones, capclones;
	struct zvm_cont *conts;
	size_t nconts, capconts;
	uint64_t granted, exits;	/* thread clones let through, exits */
	struct zvm_epwatch *epw;
	size_t nepw, capepw;
	struct zvm_pair *pairs;	/* never reused */
	size_t npairs, cappairs;
	/* fds in flight: sent over a socketpair, not received yet, in the
	 * queue of a pair still there (lib/sv/sockio). */
	uint64_t inflight;
	struct zvm_scratch scr;
};

/* fds.c: the virtual fds. */
/* The ofd of a virtual fd (low 32 bits of the argument), or NULL. */
struct zvm_ofd *zvm_fd_get(struct zvm_sv *, uint64_t fdarg);
struct zvm_ofd *zvm_fd_new(int chan, int acc);
/* Lowest free fd at or above min; -EMFILE when none. */
int zvm_fd_lowest(struct zvm_sv *, unsigned min);
/* Put o at fd (closing what was there), one more reference. */
void zvm_fd_install(struct zvm_sv *, int fd, struct zvm_ofd *o,
    int cloexec);
void zvm_fd_put(struct zvm_sv *, int fd);
/* Forget the epoll watches of an open file description that is gone
 * (ofd, or every one when NULL), or of epoll instance ep (ep >= 0). */
void zvm_epw_forget(struct zvm_sv *, const struct zvm_ofd *ofd, long ep);
/* Take watch w out of its epoll and close our fd of it (w stays in the
 * table: the caller removes it). */
void zvm_epw_close(struct zvm_sv *, struct zvm_epwatch *w);
void zvm_fd_closeall(struct zvm_sv *);

/* fds.c: the injected fds. */
/* The injected fd a call names (low 32 bits), or NULL. */
struct zvm_inj *zvm_inj_get(struct zvm_sv *, uint64_t fdarg);
/* Make room for the next number; -1 when out of memory. */
int zvm_inj_grow(struct zvm_sv *);
/* Record a delivered injection at the number zvm_inj_slot gave; -1
 * when out of memory (fd closed). */
int zvm_inj_add(struct zvm_sv *, int childfd, int fd, int chan,
    uint64_t size);
/* The number the next injection takes: a closed one no call may still
 * reach, else the next new one. */
int zvm_inj_slot(const struct zvm_sv *);
/* Forget an injected fd (the program closed it). */
void zvm_inj_drop(struct zvm_sv *, uint64_t fdarg);
void zvm_inj_closeall(struct zvm_sv *);
/* Answer with our fd injected (ADDFD|SEND, by the loop), if Files
 * leaves room for one more: 0, or -EMFILE with fd closed. */
int zvm_inj_offer(struct zvm_sv *, struct zvm_resp *, int fd, int chan,
    uint64_t size, int cloexec);
/* Answer call id by injecting r->injfd (r->injflags: O_CLOEXEC).
 * 1: answered; 0: the call is gone. */
int zvm_inj_answer(struct zvm_sv *, uint64_t id, const struct zvm_resp *);

/* account.c: what the report counts. */
/* Which quota stops a call on ch (-EDQUOT, the hit recorded), or 0 with
 * *room the bytes left; calls is ZVM_GETS or ZVM_PUTS. */
int zvm_quota(struct zvm_chan *, int calls, uint64_t *room);
/* Answer with errno err and count the call as denied. */
void zvm_deny(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int err);
/* Room for n more real fds under Files: 0, or -EMFILE (the limit hit
 * recorded). */
int zvm_files_room(struct zvm_sv *, size_t n);
/* A pipe's or socketpair's buffers taken from Memory: 0, or -ENFILE when
 * they do not fit beside the address space (the limit hit recorded).
 * zvm_buf_give() returns them, when both ends are closed or the pair was
 * never made. */
int zvm_buf_take(struct zvm_sv *, uint64_t bytes);
void zvm_buf_give(struct zvm_sv *, uint64_t bytes);
/* What a pair of kind (ZVM_INJ_PIPE, ZVM_INJ_SOCKET) may hold. */
uint64_t zvm_pair_bytes(int kind);
/*
 * Install our fd as the program's next real fd (ADDFD without SEND: the
 * caller answers the call), of kind (a channel or ZVM_INJ_*) on a file of
 * size, in pair (-1: none; the caller takes its hold).  keep: fd becomes
 * our copy of it (closed if it cannot be installed); else it stays the
 * caller's, as a pipe's or socket's end must not be kept.  The program's
 * number, or -errno.
 */
int zvm_inj_new(struct zvm_sv *, int fd, int kind, uint64_t size, long pair,
    int cloexec, int keep);
/* Inject the two ends p[] of a new pair (ours, always closed here) into
 * the program, their numbers in child[].  0 or -errno; an end made when
 * the other failed stays, alone, until the program closes it. */
int zvm_inj_pair(struct zvm_sv *, int p[2], int kind, int cloexec,
    int child[2]);
/* The live pair of kind whose end st is (fstat of a received fd), or -1. */
long zvm_pair_find(struct zvm_sv *, int kind, const struct stat *st);
/* One more, or one less, hold on pair i's ends; the last one gone gives
 * its buffers back. */
void zvm_pair_ref(struct zvm_sv *, long i);
void zvm_pair_unref(struct zvm_sv *, long i);
/* n fds sent into (n > 0) or received from (n < 0) the queue of a
 * socket of pair i (-1: unknown), for sv->inflight. */
void zvm_flight(struct zvm_sv *, long i, long n);
/* Thread tid makes a call: a clone it made is done. */
void zvm_clone_done(struct zvm_sv *, pid_t tid);
/* Thread tid's call on fd was answered with CONTINUE (0, or -1 when it
 * cannot be recorded); tid makes a call, so its last one is done; may a
 * call of a thread but tid still be running on an fd from lo to hi? */
int zvm_cont_add(struct zvm_sv *, pid_t tid, uint32_t fd);
void zvm_cont_done(struct zvm_sv *, pid_t tid);
int zvm_cont_busy(const struct zvm_sv *, uint32_t lo, uint32_t hi,
    pid_t tid);
/* Does the program run one thread, none being made? */
int zvm_one_thread(const struct zvm_sv *);
/* A thread exits. */
void zvm_thread_exit(struct zvm_sv *);
/* May thread tid start one more thread under Threads?  0 (counted as
 * in progress), -EAGAIN (the limit hit recorded), or -ENOMEM. */
int zvm_thread_room(struct zvm_sv *, pid_t tid);
/* A host-side failure on a channel, for the report. */
void zvm_host_error(struct zvm_chan *, const char *op, int err);
/* An answer that moved n bytes on chan (through o, if a virtual fd),
 * charged by zvm_txn_commit once delivered; no position moves yet. */
void zvm_txn_start(struct zvm_sv *, int chan, int write, uint64_t n,
    struct zvm_ofd *o);
/* After the answer was delivered (ok = 1) or lost (ok = 0, the thread
 * is dying): charge quotas, move positions, or undo. */
void zvm_txn_commit(struct zvm_sv *, int ok);


/* stat.c: what fstat and stat say. */
void zvm_stat_chan(struct zvm_sv *, int chan, struct stat *);
/* Of a program fd (virtual or injected): 0 or -errno. */
int zvm_stat_fd(struct zvm_sv *, uint64_t fd, struct stat *);
/* Write st to the program as a struct stat, or a statx (x). */
int zvm_stat_put(struct zvm_sv *, const struct stat *, uint64_t buf, int x);

/* window.c: our maps of regular inputs, and the native path's etag. */
/* A pointer to file offset off of source s, *avail bytes valid from it
 * (a window mapped, the last one unmapped), or NULL. */
const unsigned char *zvm_win(struct zvm_source *s, uint64_t off,
    size_t *avail);
/* Hash n bytes of a window: 0, or -1 when the file shrank under it. */
int zvm_win_hash(struct zvm_etag *, const unsigned char *q, size_t n);
/* Does the file end before the window does (cut under us)? */
int zvm_win_gone(const struct zvm_source *s);
/* The bytes the file has from off on now when it is shorter than the
 * window says, else -1. */
ssize_t zvm_win_cut(const struct zvm_source *s, uint64_t off);
/* Put SIGBUS back (before the windows go, or without them: an exit
 * takes them). */
void zvm_win_bus_end(void);
/* Unmap the windows. */
void zvm_win_end(struct zvm_sv *);
/* The bytes the kernel moved on the native path (lib/sv/injio) that a
 * channel's etag is owed: hashed before the etag takes any other
 * (zvm_owe_flush), and at the end (zvm_owe_end, every channel, with a
 * host error on one whose file came out shorter than what the program
 * was counted to have moved natively). */
void zvm_owe_flush(struct zvm_sv *, int chan);
void zvm_owe_end(struct zvm_sv *);
/* A read channel's owed bytes but the last keep, hashed now: while the
 * kernel moves the next ones, not all after the program. */
void zvm_owe_some(struct zvm_sv *, int chan, uint64_t keep);

/* wait.c: a waiting call's set. */
/* Watch our fd for ev while the call waits (-1: only look again every
 * tick).  -1: no memory. */
int zvm_pw_add(struct zvm_pollwait **, int fd, short ev);
/* Watch our fd for ev and hold it: zvm_pw_free() closes it.  -1: no
 * memory (fd left open). */
int zvm_pw_hold(struct zvm_pollwait **, int fd, short ev);
void zvm_pw_free(struct zvm_pollwait *);

/* devices.c: /dev/null and the like, in every sandbox. */
enum { ZVM_VDEV_NONE, ZVM_VDEV_NULL, ZVM_VDEV_ZERO, ZVM_VDEV_FULL,
	ZVM_VDEV_RANDOM, ZVM_VDEV_URANDOM, ZVM_NVDEV };
/* The device a normalized path names, or ZVM_VDEV_NONE. */
int zvm_vdev_lookup(const char *norm);
/* Its name in /dev ("null"), or NULL. */
const char *zvm_vdev_name(int kind);
void zvm_vdev_stat(int kind, struct stat *);

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
/* Append one getdents64 entry to buf (*len of cap bytes used): 0, or 1
 * when it does not fit.  zvm_dent_len: the length of the one at p. */
int zvm_dent_put(unsigned char *buf, size_t *len, size_t cap, uint64_t ino,
    int64_t off, unsigned char type, const char *name, size_t nlen);
size_t zvm_dent_len(const unsigned char *p);

/* scratch.c: the program's private writable directory (Scratch). */
#define ZVM_SCR_ROOT		(-1L)	/* the node of the root */
#define ZVM_RENAME_NOREPLACE	1u
/* Take the host directory dirfd (ours from now on; -1: no Scratch). */
int zvm_scr_setup(struct zvm_sv *, int dirfd);
void zvm_scr_end(struct zvm_sv *);
/* The name below the root of a normalized path ("" the root itself), or
 * NULL when it is outside the scratch (or there is none). */
const char *zvm_scr_rel(const struct zvm_sv *, const char *norm);
/* The node rel names (ZVM_SCR_ROOT for ""): 0, -ENOENT or -ENOTDIR. */
int zvm_scr_lookup(const struct zvm_sv *, const char *rel, long *node);
/* May rel be made: its parent is a directory.  0 or -errno. */
int zvm_scr_parent(const struct zvm_sv *, const char *rel);
/* A new file or directory at rel (NULL: an unnamed file, O_TMPFILE),
 * its parent checked by the caller: the node, or -errno (-EDQUOT past
 * Files entries). */
long zvm_scr_create(struct zvm_sv *, const char *rel, int dir, mode_t);
/* One more (d = 1) or one less (d = -1) fd of the program's on node i;
 * d = 0: an fd it was meant to get and did not. */
void zvm_scr_hold(struct zvm_sv *, long i, int d);
/* unlink (dir 0) or rmdir (dir 1) of rel: 0 or -errno. */
int zvm_scr_remove(struct zvm_sv *, const char *rel, int dir);
int zvm_scr_rename(struct zvm_sv *, const char *from, const char *to,
    unsigned flags);
/* Bytes the quota leaves. */
uint64_t zvm_scr_room(const struct zvm_sv *);
/* File i is at least size bytes long now (a write of ours made it). */
void zvm_scr_grew(struct zvm_sv *, long i, uint64_t size);
/* ftruncate file i to size, if the quota allows: 0 or -errno. */
int zvm_scr_resize(struct zvm_sv *, long i, uint64_t size);
void zvm_scr_stat(const struct zvm_sv *, long i, struct stat *);
/* getdents64 of directory rel from entry *pos into buf. */
ssize_t zvm_scr_list(struct zvm_sv *, const char *rel, uint64_t *pos,
    unsigned char *buf, size_t cap);

#endif
