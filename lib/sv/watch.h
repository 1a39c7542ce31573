/* SPDX-License-Identifier: ISC */
/*
 * watch - the loop's watcher thread (part of the loop, private to it):
 * the fast path.  Only a supervisor blocked in NOTIF_RECV gets the CPU
 * straight from the program under SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, so
 * once a program has made FAST_AFTER calls the loop hands the pidfd, the
 * timerfd and the signalfd to a watcher thread and sleeps in RECV itself
 * whenever no call is pending (one poll() fewer per call).  Short runs
 * never start the thread: it would cost more than it saves.  The watcher
 * kills the program on timeout and forwards signals itself.  When the
 * program is gone it sets gone and interrupts the loop with SIGURG, whose
 * handler has no SA_RESTART, so RECV fails with EINTR; it repeats that
 * every millisecond until the loop stops it, because a signal landing
 * just before the loop enters RECV is lost and RECV on a dead filter need
 * not return by itself (seccomp_unotify(2), BUGS).  SIGURG is ignored by
 * default: a stray one after the run harms nothing.
 */
#ifndef ZVM_WATCH_H
#define ZVM_WATCH_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

/* Starting and stopping the thread costs ~150 us here, a poll() per
 * call 1-2 us: at 16, /usr/bin/true (16 calls) paid for a thread it
 * never used, 8% of its run. */
#define FAST_AFTER 64

struct zvm_watch {
	pthread_t thr;
	int running;		/* the thread owns the three fds below */
	pid_t pid, tid;		/* ours, and the loop's thread */
	int pidfd, timerfd, sigfd;
	int stopfd;		/* eventfd: the loop has stopped */
	int gone;		/* atomic: the program has exited */
	int timed_out;		/* atomic: we killed it for the timeout */
	int err;		/* errno of a failed poll() */
	int sig;		/* atomic: the last signal passed on */
	uint64_t t1;		/* when it was seen gone */
	struct sigaction old;	/* SIGURG's disposition before */
};

/* Start the watcher; -1 (and the loop stays on poll()) if we cannot. */
int zvm_watch_start(struct zvm_watch *);
void zvm_watch_stop(struct zvm_watch *);
/* Serve the timerfd (kill the program: its time is up) and the signalfd
 * (forward zvm-run's termination signals to it) when they are ready;
 * the loop calls them itself while the watcher does not run. */
void zvm_watch_timer(struct zvm_watch *);
void zvm_watch_signal(struct zvm_watch *);

#endif
