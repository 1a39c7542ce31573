/* SPDX-License-Identifier: ISC */
/*
 * pollio - poll, ppoll, select and pselect6 on channels, one case per
 * run, printing what each call returned (and how long it took, in tenths
 * of a second, where the case says "t=").
 *
 *   pollio poll FD in|out MS      poll one fd (a path: opened first);
 *                                 "n revents t="
 *   pollio ppoll FD in|out MS     the same with ppoll (timespec)
 *   pollio select FD in|out MS    select; "n set t=" (set: 1 if FD in it)
 *   pollio pselect FD in|out MS   pselect6
 *   pollio read FD MS             poll FD for input, then read it:
 *                                 "n revents data"
 *   pollio mixed                  a pipe of its own and stdin in one set
 *   pollio own                    its own pipe alone (runs natively)
 *   pollio opath PATH             an O_PATH fd: poll and select
 *   pollio intr                   poll stdin forever; SIGALRM after 0.3 s
 *                                 (no SA_RESTART) must end it with EINTR
 *   pollio masked                 ppoll stdin for 0.8 s with SIGALRM in
 *                                 its mask, SIGALRM after 0.3 s: the
 *                                 call times out, then the handler
 *                                 runs: "0 caught t="
 *   pollio sleep                  poll(NULL, 0, 200) as a sleep
 *   pollio later                  waits on its own pipe and stdin; a
 *                                 thread writes to the pipe after 0.3 s,
 *                                 then closes it after 0.3 s more
 *   pollio exit                   a thread polls stdin and its own pipe
 *                                 forever; the program exits under it
 *
 * MS < 0: no timeout.  Errors print "-1 ERRNO-NAME".
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static struct timespec t0;

static long
tenths(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((t.tv_sec - t0.tv_sec) * 1000 +
	    (t.tv_nsec - t0.tv_nsec) / 1000000) / 100;
}

static int
fail(void)
{
	printf("-1 %s\n", strerrorname_np(errno));
	return 0;
}

static volatile sig_atomic_t alarmed;

static void
on_alarm(int sig)
{
	(void)sig;
	alarmed = 1;
}

static void *
waiter(void *arg)
{
	struct pollfd p[2] = { { 0, POLLIN, 0 }, { *(int *)arg, POLLIN, 0 } };

	(void)poll(p, 2, -1);
	printf("waiter returned\n");
	return NULL;
}

static void *
writer(void *arg)
{
	int fd = *(int *)arg;

	usleep(300000);
	(void)write(fd, "x", 1);
	usleep(300000);
	close(fd);
	return NULL;
}

static int
one(const char *how, int fd, short ev, int ms)
{
	struct timespec ts = { ms / 1000, ms % 1000 * 1000000L };
	struct timeval tv = { ms / 1000, ms % 1000 * 1000L };
	struct pollfd p = { fd, ev, 0 };
	fd_set set;
	int n;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (strcmp(how, "poll") == 0 || strcmp(how, "ppoll") == 0) {
		n = how[0] == 'p' && how[1] == 'p' ?
		    ppoll(&p, 1, ms < 0 ? NULL : &ts, NULL) :
		    poll(&p, 1, ms);
		if (n < 0)
			return fail();
		printf("%d %#x t=%ld\n", n, (unsigned)p.revents, tenths());
		return 0;
	}
	FD_ZERO(&set);
	FD_SET(fd, &set);
	if (strcmp(how, "select") == 0)
		n = select(fd + 1, ev == POLLIN ? &set : NULL,
		    ev == POLLIN ? NULL : &set, NULL, ms < 0 ? NULL : &tv);
	else
		n = pselect(fd + 1, ev == POLLIN ? &set : NULL,
		    ev == POLLIN ? NULL : &set, NULL, ms < 0 ? NULL : &ts,
		    NULL);
	if (n < 0)
		return fail();
	printf("%d %d t=%ld\n", n, FD_ISSET(fd, &set) ? 1 : 0, tenths());
	return 0;
}

int
main(int argc, char **argv)
{
	struct pollfd p[2];
	char buf[64];
	int fd[2], n;

	setvbuf(stdout, NULL, _IOLBF, 0);
	/* A path for FD: open it first. */
	if (argc == 5 && argv[2][0] == '/') {
		if ((n = open(argv[2], O_RDONLY)) == -1)
			return fail();
		snprintf(buf, sizeof(buf), "%d", n);
		argv[2] = buf;
	}
	if (argc == 5)
		return one(argv[1], atoi(argv[2]),
		    strcmp(argv[3], "in") == 0 ? POLLIN : POLLOUT,
		    atoi(argv[4]));
	if (argc == 4 && strcmp(argv[1], "read") == 0) {
		ssize_t k;

		p[0].fd = atoi(argv[2]);
		p[0].events = POLLIN;
		if ((n = poll(p, 1, atoi(argv[3]))) < 0)
			return fail();
		k = n ? read(p[0].fd, buf, sizeof(buf) - 1) : 0;
		buf[k > 0 ? k : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		printf("%d %#x %s\n", n, (unsigned)p[0].revents, buf);
		return 0;
	}
	if (argc == 2 && (strcmp(argv[1], "mixed") == 0 ||
	    strcmp(argv[1], "own") == 0)) {
		int mixed = argv[1][0] == 'm';

		if (pipe(fd) == -1)
			return fail();
		p[0].fd = fd[0];
		p[0].events = POLLIN;
		p[1].fd = 0;
		p[1].events = POLLIN;
		/* Nothing yet: the time runs out. */
		if ((n = poll(p, mixed ? 2 : 1, 100)) < 0)
			return fail();
		printf("%d %#x\n", n, (unsigned)p[0].revents);
		if (write(fd[1], "x", 1) != 1)
			return fail();
		if ((n = poll(p, mixed ? 2 : 1, -1)) < 0)
			return fail();
		printf("%d %#x\n", n, (unsigned)p[0].revents);
		close(fd[1]);
		(void)read(fd[0], buf, 1);
		if ((n = poll(p, 1, -1)) < 0)
			return fail();
		printf("%d %#x\n", n, (unsigned)p[0].revents);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "opath") == 0) {
		fd_set set;

		if ((p[0].fd = open(argv[2], O_PATH)) == -1)
			return fail();
		p[0].events = POLLIN;
		if ((n = poll(p, 1, 0)) < 0)
			return fail();
		printf("%d %#x\n", n, (unsigned)p[0].revents);
		FD_ZERO(&set);
		FD_SET(p[0].fd, &set);
		if (select(p[0].fd + 1, &set, NULL, NULL, NULL) < 0)
			return fail();
		printf("select answered\n");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "intr") == 0) {
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;	/* no SA_RESTART */
		sigaction(SIGALRM, &sa, NULL);
		ualarm(300000, 0);
		p[0].fd = 0;
		p[0].events = POLLIN;
		if (poll(p, 1, -1) < 0)
			return fail();
		printf("poll returned\n");
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "masked") == 0) {
		struct timespec to = { 0, 800000000 };
		struct sigaction sa;
		sigset_t mask;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_alarm;
		sigaction(SIGALRM, &sa, NULL);
		sigemptyset(&mask);
		sigaddset(&mask, SIGALRM);
		ualarm(300000, 0);
		p[0].fd = 0;
		p[0].events = POLLIN;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((n = ppoll(p, 1, &to, &mask)) < 0)
			return fail();
		printf("%d %s t=%ld\n", n, alarmed ? "caught" : "not-yet",
		    tenths());
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "sleep") == 0) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((n = poll(NULL, 0, 200)) < 0)
			return fail();
		printf("%d t=%ld\n", n, tenths());
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "later") == 0) {
		pthread_t t;

		if (pipe(fd) == -1 || pthread_create(&t, NULL, writer, &fd[1]))
			return fail();
		p[0].fd = fd[0];
		p[0].events = POLLIN;
		p[1].fd = 0;
		p[1].events = POLLIN;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if ((n = poll(p, 2, 5000)) < 0)
			return fail();
		printf("%d %#x %#x t=%ld\n", n, (unsigned)p[0].revents,
		    (unsigned)p[1].revents, tenths());
		(void)read(fd[0], buf, 1);
		if ((n = poll(p, 2, 5000)) < 0)
			return fail();
		printf("%d %#x %#x\n", n, (unsigned)p[0].revents,
		    (unsigned)p[1].revents);
		pthread_join(t, NULL);
		return 0;
	}
	if (argc == 2 && strcmp(argv[1], "exit") == 0) {
		pthread_t t;

		if (pipe(fd) == -1 || pthread_create(&t, NULL, waiter, fd))
			return fail();
		usleep(200000);
		printf("exit\n");
		return 0;
	}
	fprintf(stderr, "usage: pollio CASE ...\n");
	return 2;
}
