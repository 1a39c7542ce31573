/* SPDX-License-Identifier: ISC */
/*
 * events - what an event loop is made of, as the kernel answers it:
 * eventfd, timerfd, signalfd, and epoll (level- and edge-triggered,
 * one-shot, nested) over a pipe, those objects, the stdin channel (a
 * pipe the caller writes "hi" to and closes) and channels epoll cannot
 * watch.  Usage: events ALIAS (a regular-file channel).
 */
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>

#include "check.h"

static struct epoll_event ev[8];

static int
wait_data(int ep, uint64_t *data)
{
	int n = epoll_wait(ep, ev, 8, 0);

	if (n == 1)
		*data = ev[0].data.u64;
	return n;
}

int
main(int argc, char **argv)
{
	struct itimerspec its = { { 0, 0 }, { 0, 20 * 1000 * 1000 } };
	struct epoll_event e = { 0 };
	struct signalfd_siginfo si;
	uint64_t v, d = 0;
	sigset_t set;
	int efd, tfd, sfd, ep, ep2, p[2], reg;
	char buf[16];

	if (argc != 2)
		return 2;
	/* eventfd: a counter, semaphore mode, non-blocking. */
	efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	OK(efd >= 1024);
	T(read(efd, &v, 8), -1, EAGAIN);
	v = 3;
	T(write(efd, &v, 8), 8, 0);
	T(read(efd, &v, 8), 8, 0);
	OK(v == 3);
	T(syscall(SYS_eventfd2, 0, 0x1000), -1, EINVAL);
	T(fcntl(efd, F_GETFD), FD_CLOEXEC, 0);

	/* timerfd: its clocks, its settings, a blocking read. */
	T(timerfd_create(CLOCK_REALTIME_ALARM, 0), -1, EPERM);
	T(timerfd_create(CLOCK_BOOTTIME_ALARM, 0), -1, EPERM);
	T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), -1, EINVAL);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	OK(tfd >= 1024);
	T(timerfd_settime(tfd, 0, &its, NULL), 0, 0);
	T(read(tfd, &v, 8), 8, 0);
	OK(v == 1);
	T(timerfd_settime(efd, 0, &its, NULL), -1, EINVAL);
	T(timerfd_settime(1, 0, &its, NULL), -1, EINVAL);
	T(timerfd_settime(5000, 0, &its, NULL), -1, EBADF);
	T(timerfd_gettime(tfd, &its), 0, 0);

	/* signalfd: the program's own signals, a new mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	OK(sfd >= 1024);
	T(raise(SIGUSR1), 0, 0);
	T(read(sfd, &si, sizeof(si)), sizeof(si), 0);
	OK(si.ssi_signo == SIGUSR1);
	sigaddset(&set, SIGUSR2);
	T(signalfd(sfd, &set, 0), sfd, 0);
	T(signalfd(efd, &set, 0), -1, EINVAL);
	T(syscall(SYS_signalfd4, -1, &set, 4, 0), -1, EINVAL);

	/* epoll: edge-triggered on a pipe. */
	T(epoll_create(0), -1, EINVAL);
	T(epoll_create1(0x1234), -1, EINVAL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	OK(ep >= 1024);
	T(pipe(p), 0, 0);
	e.events = EPOLLIN | EPOLLET;
	e.data.u64 = 7;
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), 0, 0);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &e), -1, EEXIST);
	T(wait_data(ep, &d), 0, 0);
	T(write(p[1], "x", 1), 1, 0);
	T(wait_data(ep, &d), 1, 0);
	OK(d == 7);
	T(wait_data(ep, &d), 0, 0);		/* nothing new: edge */
	/* Level-triggered on the eventfd: each wait says it. */
	e.events = EPOLLIN;
	e.data.u64 = 8;
	T(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &e), 0, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0, 0);
	v = 1;
	T(write(efd, &v, 8), 8, 0);
	T(wait_data(ep, &d), 1, 0);
	T(wait_data(ep, &d), 1, 0);
	OK(d == 8);
	T(read(efd, &v, 8), 8, 0);
	T(wait_data(ep, &d), 0, 0);
	/* One-shot on the timerfd: once, until re-armed. */
	e.events = EPOLLIN | EPOLLONESHOT;
	e.data.u64 = 9;
	T(epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &e), 0, 0);
	its.it_value.tv_sec = 0;
	its.it_value.tv_nsec = 20 * 1000 * 1000;
	T(timerfd_settime(tfd, 0, &its, NULL), 0, 0);
	T(epoll_wait(ep, ev, 8, 1000), 1, 0);
	OK(ev[0].data.u64 == 9);
	T(wait_data(ep, &d), 0, 0);
	T(epoll_ctl(ep, EPOLL_CTL_MOD, tfd, &e), 0, 0);
	T(wait_data(ep, &d), 1, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, tfd, NULL), 0, 0);
	/* Nested. */
	ep2 = epoll_create1(0);
	e.events = EPOLLIN;
	e.data.u64 = 10;
	T(epoll_ctl(ep2, EPOLL_CTL_ADD, ep, &e), 0, 0);
	T(write(efd, &v, 8), 8, 0);
	T(wait_data(ep2, &d), 1, 0);
	OK(d == 10);
	T(read(efd, &v, 8), 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), 0, 0);

	/* The stdin channel, a pipe: readable with data, then at its end. */
	e.events = EPOLLIN;
	e.data.u64 = 11;
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e), 0, 0);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 0, &e), -1, EEXIST);
	T(epoll_wait(ep, ev, 8, 5000), 1, 0);
	OK(ev[0].data.u64 == 11 && (ev[0].events & EPOLLIN));
	T(read(0, buf, sizeof(buf)), 2, 0);
	OK(memcmp(buf, "hi", 2) == 0);
	T(epoll_wait(ep, ev, 8, 5000), 1, 0);
	OK(ev[0].events & EPOLLHUP);
	T(read(0, buf, sizeof(buf)), 0, 0);
	e.events = EPOLLIN | EPOLLOUT;
	T(epoll_ctl(ep, EPOLL_CTL_MOD, 0, &e), 0, 0);
	T(dup2(0, 20), 20, 0);
	T(close(0), 0, 0);
	T(wait_data(ep, &d), 1, 0);	/* the file is open still: 20 */
	T(close(20), 0, 0);
	T(wait_data(ep, &d), 0, 0);	/* gone with its last fd */
	T(epoll_ctl(ep, EPOLL_CTL_DEL, 0, NULL), -1, EBADF);

	/* What epoll cannot watch, and bad calls. */
	reg = open(argv[1], O_RDONLY);
	OK(reg >= 0 && reg < 1024);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &e), -1, EPERM);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, reg, NULL), -1, EPERM);
	T(epoll_ctl(ep, EPOLL_CTL_MOD, reg, &e), -1, EPERM);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, open("/dev/null", O_RDONLY), &e), -1,
	    EPERM);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 900, &e), -1, EBADF);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 5000, &e), -1, EBADF);
	T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &e), -1, EINVAL);
	T(epoll_ctl(1, EPOLL_CTL_ADD, p[0], &e), -1, EINVAL);
	T(epoll_ctl(efd, EPOLL_CTL_ADD, p[0], &e), -1, EINVAL);
	T(epoll_ctl(6000, EPOLL_CTL_ADD, p[0], &e), -1, EBADF);
	T(epoll_wait(1, ev, 8, 0), -1, EINVAL);
	T(epoll_wait(6000, ev, 8, 0), -1, EBADF);
	T(close(ep), 0, 0);
	T(epoll_wait(ep, ev, 8, 0), -1, EBADF);
	return done();
}
