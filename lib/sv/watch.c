/* SPDX-License-Identifier: ISC */
/*
 * watch - the watcher thread: the program's pidfd, the timeout's timerfd
 * and zvm-run's signalfd, served beside the loop once it sleeps in
 * NOTIF_RECV (lib/sv/watch.h says why).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sv/tracee.h"
#include "sv/watch.h"


void
zvm_watch_signal(struct zvm_watch *w)
{
	struct signalfd_siginfo si;

	if (read(w->sigfd, &si, sizeof(si)) == sizeof(si)) {
		__atomic_store_n(&w->sig, (int)si.ssi_signo, __ATOMIC_SEQ_CST);
		syscall(SYS_pidfd_send_signal, w->pidfd, si.ssi_signo, NULL,
		    0);
	}
}

void
zvm_watch_timer(struct zvm_watch *w)
{
	uint64_t x;

	if (read(w->timerfd, &x, sizeof(x)) == sizeof(x)) {
		__atomic_store_n(&w->timed_out, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	}
}

static void *
watch_main(void *arg)
{
	struct zvm_watch *w = arg;
	struct pollfd pfd[4] = {
		{ w->pidfd, POLLIN, 0 }, { w->timerfd, POLLIN, 0 },
		{ w->sigfd, POLLIN, 0 }, { w->stopfd, POLLIN, 0 }
	};

	for (;;) {
		if (poll(pfd, 4, -1) == -1) {
			if (errno == EINTR)
				continue;
			/* Cannot watch: end the run rather than hang. */
			w->err = errno;
			syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL,
			    0);
			break;
		}
		if (pfd[3].revents)
			return NULL;
		if (pfd[1].revents & POLLIN)
			zvm_watch_timer(w);
		if (pfd[2].revents & POLLIN)
			zvm_watch_signal(w);
		if (pfd[0].revents)
			break;
	}
	w->t1 = zvm_tr_now();
	__atomic_store_n(&w->gone, 1, __ATOMIC_SEQ_CST);
	do
		syscall(SYS_tgkill, w->pid, w->tid, SIGURG);
	while (poll(&pfd[3], 1, 1) == 0);
	return NULL;
}

static void
on_kick(int sig)
{
	(void)sig;
}

int
zvm_watch_start(struct zvm_watch *w)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;	/* no SA_RESTART: RECV says EINTR */
	sigemptyset(&sa.sa_mask);
	w->pid = getpid();
	w->tid = (pid_t)syscall(SYS_gettid);
	if ((w->stopfd = eventfd(0, EFD_CLOEXEC)) == -1)
		return -1;
	if (sigaction(SIGURG, &sa, &w->old) == -1) {
		close(w->stopfd);
		return -1;
	}
	/* It inherits our mask: the forwarded signals stay blocked. */
	if (pthread_create(&w->thr, NULL, watch_main, w) != 0) {
		sigaction(SIGURG, &w->old, NULL);
		close(w->stopfd);
		return -1;
	}
	w->running = 1;
	return 0;
}

void
zvm_watch_stop(struct zvm_watch *w)
{
	uint64_t one = 1;

	if (!w->running)
		return;
	while (write(w->stopfd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	pthread_join(w->thr, NULL);
	close(w->stopfd);
	sigaction(SIGURG, &w->old, NULL);
	w->running = 0;
}

