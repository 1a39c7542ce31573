/* SPDX-License-Identifier: ISC */
/*
 * handler - the supervisor's middle layer: one file per family of system
 * calls, each deciding and filling the answer to one notification.  The
 * loop's table (lib/sv/table) picks the family by call number (and, for
 * reads and writes, by whether the fd is virtual or injected); a handler
 * never calls another handler or the loop, only lib/sv/state and
 * lib/sv/tracee below it.
 *
 * Every handler returns ZVM_H_DONE (r filled), ZVM_H_PEND (wait in the
 * loop's pending table: *chan and *events, or sv->pwait and
 * sv->pdeadline for a poll), or -1: not a call of its family.
 */
#ifndef ZVM_HANDLER_H
#define ZVM_HANDLER_H

#include "sv/state.h"

/* chanio.c: read/write and their p/v variants on a virtual fd. */
int zvm_h_io(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int *chan, short *events);


/* injio.c: reads, writes and maps of injected fds; mmap, mremap. */
int zvm_h_inj(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

/* fdtable.c: calls on an fd (close, dup*, fcntl, ioctl, lseek, fstat,
 * getdents, pipe, ...). */
int zvm_h_fd(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

/* names.c: calls on a path (open, stat, access, readlink, chdir, and
 * the ones that would change the file system). */
int zvm_h_name(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

/* objects.c: epoll, eventfd, timerfd, signalfd, socketpair. */
int zvm_h_obj(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

/* sockio.c: sendmsg, sendmmsg, recvmsg, recvmmsg on socketpair ends. */
int zvm_h_sock(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

/* pollio.c: poll, ppoll, select, pselect6. */
int zvm_h_poll(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);
/* The signal mask a waiting ppoll or pselect6 gave (bit n-1 for signal
 * n), read from the program; 0 for none, or for any other call. */
uint64_t zvm_poll_sigmask(struct zvm_sv *, const struct seccomp_notif *);

/* proc.c: the process calls (exec, exit_group, signals) and every call
 * no family serves: denied, with the errno that fits it. */
int zvm_h_proc(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *);

#endif
