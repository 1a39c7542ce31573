/* SPDX-License-Identifier: ISC */
/*
 * tracee - the supervisor's bottom layer: the only code that touches the
 * program itself.  Its memory (process_vm_readv/writev, through the
 * leader's pid), the answers to its notifications (NOTIF_SEND, and
 * ADDFD for a real fd), what /proc says of it (threads, pending signals,
 * maps) and the monotonic clock.  It knows nothing of channels, fds or
 * quotas: it may use lib/base only, and every other part of lib/sv may
 * use it (lib/sv/state, the handlers and the loop).
 */
#ifndef ZVM_TRACEE_H
#define ZVM_TRACEE_H

#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "base/etag.h"

#define ZVM_IOV_MAX	1024
#define ZVM_MAX_RW	0x7ffff000UL	/* the kernel's MAX_RW_COUNT */

struct zvm_tracee {
	pid_t pid;		/* the program's leader (our child) */
	int pidfd;
	int listener;		/* the notify fd (-1 before the filter) */
	int mapsfd;		/* /proc/PID/maps once read; -1 before */
	uint64_t id;		/* the notification being served */
	struct iovec riov[ZVM_IOV_MAX];	/* a call's remote iovecs */
	struct iovec siov[ZVM_IOV_MAX];	/* a slice of them */
};

/* CLOCK_MONOTONIC in ns. */
uint64_t zvm_tr_now(void);

/* The program's memory.  0 or -EFAULT. */
int zvm_tr_peek(struct zvm_tracee *, uint64_t addr, void *, size_t);
int zvm_tr_poke(struct zvm_tracee *, uint64_t addr, const void *, size_t);
/* A NUL-terminated string of at most n - 1 bytes.  0, -EFAULT, or
 * -ENAMETOOLONG. */
int zvm_tr_peekstr(struct zvm_tracee *, uint64_t addr, char *, size_t n);

/*
 * The buffers of a read or write call, loaded into tr->riov: one (a1, a2)
 * or, vec, a2 iovecs at a1.  *total is their byte count, cut to
 * ZVM_MAX_RW as the kernel cuts it.  0 or -errno.
 */
int zvm_tr_iov_load(struct zvm_tracee *, int vec, uint64_t a1, uint64_t a2,
    size_t *cnt, uint64_t *total);
/* Copy len bytes to (put) or from (get) the loaded buffers, starting at
 * byte off of them.  What process_vm_writev/readv return. */
ssize_t zvm_tr_iov_put(struct zvm_tracee *, size_t cnt, uint64_t off,
    const void *, size_t len);
ssize_t zvm_tr_iov_get(struct zvm_tracee *, size_t cnt, uint64_t off,
    void *, size_t len);

/* Is nr a read (read, pread64, readv, preadv, preadv2) or a write? */
int zvm_tr_is_read(int nr);
int zvm_tr_is_write(int nr);

/*
 * The shape every read and write call shares: plain, vector (readv) or
 * positioned (pread64, preadv, preadv2 with an offset), its buffers loaded
 * into tr->riov (zvm_tr_iov_load).  A positioned call needs a seekable
 * file (else -ESPIPE) and an offset of 0 or more (else -EINVAL).  0, or
 * -errno.
 */
struct zvm_iocall {
	int posn;		/* positioned: off is the offset */
	uint64_t off, total;
	size_t cnt;
};
int zvm_tr_iocall(struct zvm_tracee *, const struct seccomp_notif *,
    int seekable, struct zvm_iocall *);

/* Answer notification id: CONTINUE (cont), the errno err, or val.
 * 1: delivered; 0: lost (the thread is gone). */
int zvm_tr_answer(struct zvm_tracee *, uint64_t id, int64_t val, int err,
    int cont);
/* Install our srcfd in the program at number newfd (ADDFD|SETFD), and,
 * with send, answer the call with it.  The program's fd, or -errno. */
int zvm_tr_addfd(struct zvm_tracee *, uint64_t id, int srcfd, int newfd,
    int cloexec, int send);

/* The program's threads (/proc/PID/task); 0 when it cannot be known. */
unsigned long zvm_tr_threads(struct zvm_tracee *);
/* Is tid one of the program's threads? */
int zvm_tr_is_thread(struct zvm_tracee *, pid_t tid);
/* Has thread tid a caught signal pending, blocked neither by its mask
 * nor by also (a call's own mask: bit n-1 for signal n)? */
int zvm_tr_signalled(struct zvm_tracee *, pid_t tid, uint64_t also);
/* The program's umask (022 when it cannot be read). */
unsigned zvm_tr_umask(struct zvm_tracee *);
/* Send sig to thread tid of the program. */
void zvm_tr_signal(struct zvm_tracee *, pid_t tid, int sig);
/* The program's address space in bytes (/proc/PID/statm), or
 * UINT64_MAX when it cannot be read. */
uint64_t zvm_tr_vmsize(struct zvm_tracee *);
/* Set the program's soft RLIMIT_AS (never above its hard limit). */
int zvm_tr_set_as(struct zvm_tracee *, uint64_t soft);
/* A copy of the program's fd (pidfd_getfd), or -1. */
int zvm_tr_getfd(struct zvm_tracee *, int fd);

/* The mapping holding addr, from /proc/PID/maps. */
struct zvm_tr_map {
	uint64_t lo;		/* its start */
	uint64_t off;		/* its file offset */
	dev_t dev;
	ino_t ino;		/* 0: anonymous (or no mapping: found 0) */
};
/* 1 with *m filled, 0 when nothing maps addr, -1 when the maps cannot be
 * read; buf (cap bytes) is scratch space. */
int zvm_tr_map_at(struct zvm_tracee *, uint64_t addr, struct zvm_tr_map *m,
    unsigned char *buf, size_t cap);

/* Hash the contents of every readable mapping into *et (zvm(7): the
 * memory etag); buf (cap bytes) is scratch space.  0, or -1 when the
 * maps could not be read to their end. */
int zvm_tr_memory_etag(struct zvm_tracee *, struct zvm_etag *et,
    unsigned char *buf, size_t cap);

#endif
