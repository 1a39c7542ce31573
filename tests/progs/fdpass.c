/* SPDX-License-Identifier: ISC */
/*
 * fdpass - SCM_RIGHTS over socketpair ends, as the kernel answers it:
 * pipe ends, eventfds and more crossing stream, datagram and seqpacket
 * pairs, several in a message, MSG_CTRUNC, MSG_PEEK, blocking calls
 * woken by another thread or a signal, sendmmsg and recvmmsg; and what
 * must never cross: numbers the program does not hold, a channel's fd.
 * Run natively the same checks pass but for what the sandbox decides
 * (checked when the pair's ends are from 1024 up).  Usage:
 *   fdpass FILE VFILE   FILE opens to an injected fd, VFILE to a virtual
 *                       one (under zvm-run; natively any two files)
 *   fdpass files        hold received fds until MSG_CTRUNC, then queue
 *                       fds: "N CTRUNC M, Q ETOOMANYREFS" (N received,
 *                       M messages whose fds did not fit, every one's
 *                       bytes intact; Q messages queued at most)
 *   fdpass inflight N   N pipes passed and closed, then N whose ends
 *                       only a socket's queue holds: "N ok", or which
 *                       and how many went before a pipe failed, and why
 *   fdpass wait         a recvmsg nothing ever comes to
 */
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

#include "check.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#define MAXFDS 8

static int sb;			/* in the sandbox: real fds from 1024 up */

/* Send len bytes and n fds in one message. */
static ssize_t
sendfds(int s, const int *fds, int n, const void *data, size_t len,
    int flags)
{
	union {
		char b[CMSG_SPACE(MAXFDS * sizeof(int))];
		struct cmsghdr h;
	} c;
	struct iovec iov = { (void *)data, len };
	struct msghdr m = { 0 };
	struct cmsghdr *h;

	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	if (n) {
		m.msg_control = c.b;
		m.msg_controllen = CMSG_SPACE(n * sizeof(int));
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(h), fds, n * sizeof(int));
	}
	return sendmsg(s, &m, flags);
}

static ssize_t
sendfd(int s, int fd, const char *data)
{
	return sendfds(s, &fd, 1, data, strlen(data), MSG_NOSIGNAL);
}

/*
 * Receive into buf with room for max fds (ctl: that many bytes of
 * control instead, when >= 0): the fds in fds[], *n of them, and the
 * message's flags in *mfl.
 */
static ssize_t
recvfds(int s, int *fds, int *n, int max, long ctl, void *buf, size_t len,
    int flags, int *mfl)
{
	union {
		char b[CMSG_SPACE(MAXFDS * sizeof(int))];
		struct cmsghdr h;
	} c;
	struct iovec iov = { buf, len };
	struct msghdr m = { 0 };
	struct cmsghdr *h;
	ssize_t k;

	memset(c.b, 0x55, sizeof(c.b));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = ctl == -2 ? NULL : c.b;
	m.msg_controllen = ctl >= 0 ? (size_t)ctl : ctl == -2 ? 64 :
	    CMSG_SPACE(max * sizeof(int));
	*n = 0;
	if ((k = recvmsg(s, &m, flags)) < 0)
		return k;
	*mfl = m.msg_flags;
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
			for (size_t i = 0; i < (h->cmsg_len - CMSG_LEN(0)) /
			    sizeof(int) && *n < MAXFDS; i++)
				memcpy(&fds[(*n)++], CMSG_DATA(h) + i *
				    sizeof(int), sizeof(int));
	return k;
}

/* One fd from a message on s (blocking), its bytes compared; -1 if
 * there was none. */
static int
recvfd(int s, const char *want)
{
	char buf[64];
	int fds[MAXFDS], n, fl;
	ssize_t k = recvfds(s, fds, &n, MAXFDS, -1, buf, sizeof(buf), 0, &fl);

	OK(k == (ssize_t)strlen(want) && memcmp(buf, want, k) == 0);
	for (int i = 1; i < n; i++)
		close(fds[i]);
	return n ? fds[0] : -1;
}

/* Nothing more queued on s. */
static int
empty(int s)
{
	char c;

	return recv(s, &c, 1, MSG_DONTWAIT) == -1 && errno == EAGAIN;
}

/* The kernel's own table below 1024 holds nothing: mmap of those
 * numbers runs natively there (EBADF), and a real fd that landed there
 * unknown to the supervisor would answer otherwise. */
static int
low_empty(void)
{
	for (int n = 0; n < 1024; n++) {
		void *p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, n, 0);

		if (p != MAP_FAILED || errno != EBADF) {
			dprintf(2, "a real fd at %d\n", n);
			return 0;
		}
	}
	return 1;
}

static int
ioctl_nb(int fd, int on)
{
	return ioctl(fd, FIONBIO, &on);
}

static void
on_sig(int sig)
{
	(void)sig;
}

static volatile int pipes_seen;

static void
on_pipe(int sig)
{
	(void)sig;
	pipes_seen++;
}

struct later {
	int s, fd, ms;
	const char *data;
};

/* After ms, send data (and fd, if any) on s. */
static void *
send_later(void *arg)
{
	struct later *l = arg;
	struct timespec t = { 0, l->ms * 1000000L };

	nanosleep(&t, NULL);
	if (l->fd >= 0)
		sendfd(l->s, l->fd, l->data);
	else
		send(l->s, l->data, strlen(l->data), 0);
	return NULL;
}

/* After ms, read everything queued on s. */
static void *
drain_later(void *arg)
{
	struct later *l = arg;
	struct timespec t = { 0, l->ms * 1000000L };
	static char buf[65536];
	long total = 0;
	ssize_t k;

	nanosleep(&t, NULL);
	while ((k = recv(l->s, buf, sizeof(buf), MSG_DONTWAIT)) > 0 ||
	    (k == -1 && errno == EAGAIN && total < 200000 &&
	    (nanosleep(&t, NULL), 1)))
		if (k > 0)
			total += k;
	return (void *)total;
}

static volatile int flip_stop;
static int flip_val[2];

/* Rewrite an int of a message (an fd, a length) between two values, as
 * fast as it can. */
static void *
flipper(void *arg)
{
	int *slot = arg;

	for (unsigned i = 0; !__atomic_load_n(&flip_stop, __ATOMIC_RELAXED);
	    i++)
		__atomic_store_n(slot, flip_val[i & 1], __ATOMIC_RELAXED);
	return NULL;
}

static void
basics(int type)
{
	int s[2], p[2], e, r, fds[MAXFDS], n, fl;
	uint64_t v;
	char buf[16];

	T(socketpair(AF_UNIX, type, 0, s), 0, 0);
	T(pipe(p), 0, 0);
	/* A pipe's write end, used where it lands. */
	T(sendfd(s[0], p[1], "pipe"), 4, 0);
	r = recvfd(s[1], "pipe");
	OK(r >= 0 && r != p[1] && (!sb || r >= 1024));
	T(fcntl(r, F_GETFD), 0, 0);
	T(write(r, "x", 1), 1, 0);
	T(read(p[0], buf, sizeof(buf)), 1, 0);
	T(close(r), 0, 0);
	/* An eventfd, counted through the copy. */
	e = eventfd(0, EFD_NONBLOCK);
	T(sendfd(s[1], e, "ev"), 2, 0);
	r = recvfd(s[0], "ev");
	v = 5;
	T(write(r, &v, 8), 8, 0);
	T(read(e, &v, 8), 8, 0);
	OK(v == 5);
	/* MSG_CMSG_CLOEXEC: the fd's flag, and the message's. */
	T(sendfd(s[0], e, "c"), 1, 0);
	T(recvfds(s[1], fds, &n, 1, -1, buf, sizeof(buf), MSG_CMSG_CLOEXEC,
	    &fl), 1, 0);
	OK(n == 1 && (fl & MSG_CMSG_CLOEXEC));
	T(fcntl(fds[0], F_GETFD), FD_CLOEXEC, 0);
	T(close(fds[0]), 0, 0);
	T(close(r), 0, 0);
	T(close(e), 0, 0);
	/* A message of no bytes: a stream sends nothing, fds included. */
	T(sendfds(s[0], p, 1, "", 0, 0), 0, 0);
	if (type == SOCK_STREAM)
		OK(empty(s[1]));
	else {
		T(recvfds(s[1], fds, &n, 1, -1, buf, sizeof(buf), 0, &fl), 0,
		    0);
		OK(n == 1);
		T(close(fds[0]), 0, 0);
	}
	T(close(p[0]), 0, 0);
	T(close(p[1]), 0, 0);
	T(close(s[0]), 0, 0);
	T(close(s[1]), 0, 0);
}

static void
several(void)
{
	int s[2], d[2], p[2], fds[MAXFDS], got[MAXFDS], n, fl, e, t, ep;
	struct epoll_event ev = { EPOLLIN, { 0 } };
	struct msghdr m = { 0 };
	struct cmsghdr *h;
	char buf[16];
	uint64_t v = 1;
	struct stat st;
	ssize_t k;

	T(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0, 0);
	T(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, d), 0, 0);
	T(pipe(p), 0, 0);
	e = eventfd(0, 0);
	t = timerfd_create(CLOCK_MONOTONIC, 0);
	ep = epoll_create1(0);
	/* Six kinds in one message. */
	fds[0] = p[0], fds[1] = p[1], fds[2] = e, fds[3] = t, fds[4] = ep;
	fds[5] = d[1];
	T(sendfds(s[0], fds, 6, "six", 3, 0), 3, 0);
	T(recvfds(s[1], got, &n, 6, -1, buf, sizeof(buf), 0, &fl), 3, 0);
	OK(n == 6 && !(fl & MSG_CTRUNC));
	for (int i = 0; i < n; i++)
		OK(!sb || got[i] >= 1024);
	T(write(got[1], "y", 1), 1, 0);
	T(read(got[0], buf, 1), 1, 0);
	T(write(got[2], &v, 8), 8, 0);
	T(read(e, &v, 8), 8, 0);
	T(fstat(got[3], &st), 0, 0);
	T(epoll_ctl(got[4], EPOLL_CTL_ADD, e, &ev), 0, 0);
	T(write(e, &v, 8), 8, 0);
	T(epoll_wait(ep, &ev, 1, 0), 1, 0);
	T(send(got[5], "sq", 2, 0), 2, 0);
	T(recv(d[0], buf, sizeof(buf), 0), 2, 0);
	for (int i = 0; i < n; i++)
		T(close(got[i]), 0, 0);
	/* Room for one: the rest are closed, MSG_CTRUNC. */
	T(sendfds(s[0], fds, 3, "abc", 3, 0), 3, 0);
	T(recvfds(s[1], got, &n, 1, CMSG_LEN(sizeof(int)), buf, sizeof(buf),
	    0, &fl), 3, 0);
	OK(n == 1 && (fl & MSG_CTRUNC));
	T(close(got[0]), 0, 0);
	/* Room for none, and no control buffer at all. */
	T(sendfds(s[0], fds, 2, "de", 2, 0), 2, 0);
	T(recvfds(s[1], got, &n, 0, 8, buf, sizeof(buf), 0, &fl), 2, 0);
	OK(n == 0 && (fl & MSG_CTRUNC));
	T(sendfds(s[0], fds, 2, "fg", 2, 0), 2, 0);
	T(recvfds(s[1], got, &n, 0, -2, buf, sizeof(buf), 0, &fl), 2, 0);
	OK(n == 0 && (fl & MSG_CTRUNC) && memcmp(buf, "fg", 2) == 0);
	/* What the kernel writes back, field by field. */
	{
		union {
			char b[CMSG_SPACE(2 * sizeof(int))];
			struct cmsghdr h;
		} c;
		struct sockaddr_un {
			sa_family_t f;
			char p[108];
		} name;
		struct iovec iov = { buf, sizeof(buf) };

		memset(c.b, 0x55, sizeof(c.b));
		T(sendfds(s[0], fds, 1, "h", 1, 0), 1, 0);
		m.msg_name = &name;
		m.msg_namelen = sizeof(name);
		m.msg_iov = &iov;
		m.msg_iovlen = 1;
		m.msg_control = c.b;
		m.msg_controllen = sizeof(c.b);
		m.msg_flags = -1;
		T(recvmsg(s[1], &m, 0), 1, 0);
		OK(m.msg_namelen == 0 && m.msg_flags == 0);
		OK(m.msg_controllen == CMSG_SPACE(sizeof(int)));
		h = CMSG_FIRSTHDR(&m);
		OK(h && h->cmsg_len == CMSG_LEN(sizeof(int)));
		/* The padding after the fd is not written. */
		OK((unsigned char)c.b[CMSG_LEN(sizeof(int))] == 0x55);
		memcpy(&got[0], CMSG_DATA(h), sizeof(int));
		T(close(got[0]), 0, 0);
	}
	/* MSG_PEEK gives a copy and leaves the message. */
	T(sendfds(s[0], fds, 1, "pk", 2, 0), 2, 0);
	T(recvfds(s[1], got, &n, 1, -1, buf, sizeof(buf), MSG_PEEK, &fl), 2,
	    0);
	OK(n == 1);
	T(recvfds(s[1], got + 1, &n, 1, -1, buf, sizeof(buf), 0, &fl), 2, 0);
	OK(n == 1 && got[0] != got[1]);
	T(close(got[0]), 0, 0);
	T(close(got[1]), 0, 0);
	/* A plain read takes the bytes; the kernel drops the fds. */
	T(sendfds(s[0], fds, 2, "rd", 2, 0), 2, 0);
	T(read(s[1], buf, sizeof(buf)), 2, 0);
	OK(empty(s[1]));
	/* sendmmsg and recvmmsg, an fd in each message. */
	{
		struct mmsghdr mm[3];
		struct iovec iov[3];
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr h;
		} c[3];
		char data[3][8];

		memset(mm, 0, sizeof(mm));
		for (int i = 0; i < 3; i++) {
			iov[i].iov_base = data[i];
			iov[i].iov_len = (size_t)snprintf(data[i], 8, "m%d",
			    i * 11);
			mm[i].msg_hdr.msg_iov = &iov[i];
			mm[i].msg_hdr.msg_iovlen = 1;
			mm[i].msg_hdr.msg_control = c[i].b;
			mm[i].msg_hdr.msg_controllen = sizeof(c[i].b);
			h = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			h->cmsg_level = SOL_SOCKET;
			h->cmsg_type = SCM_RIGHTS;
			h->cmsg_len = CMSG_LEN(sizeof(int));
			memcpy(CMSG_DATA(h), &fds[i], sizeof(int));
		}
		T(sendmmsg(d[0], mm, 3, 0), 3, 0);
		OK(mm[0].msg_len == 2 && mm[2].msg_len == 3);
		memset(data, 0, sizeof(data));
		for (int i = 0; i < 3; i++) {
			iov[i].iov_len = 8;
			mm[i].msg_hdr.msg_controllen = sizeof(c[i].b);
		}
		T(recvmmsg(d[1], mm, 3, MSG_WAITFORONE, NULL), 3, 0);
		for (int i = 0; i < 3; i++) {
			OK(mm[i].msg_len == (i ? 3u : 2u));
			h = CMSG_FIRSTHDR(&mm[i].msg_hdr);
			OK(h && h->cmsg_type == SCM_RIGHTS);
			if (h) {
				memcpy(&got[i], CMSG_DATA(h), sizeof(int));
				OK(!sb || got[i] >= 1024);
				T(close(got[i]), 0, 0);
			}
		}
		OK(memcmp(data[1], "m11", 3) == 0);
		T(recvmmsg(d[1], mm, 3, MSG_DONTWAIT, NULL), -1, EAGAIN);
		/* Its timeout is looked at after each message. */
		{
			struct timespec ts = { 0, 0 };

			T(send(d[0], "a", 1, 0), 1, 0);
			T(send(d[0], "b", 1, 0), 1, 0);
			for (int i = 0; i < 3; i++)
				mm[i].msg_hdr.msg_controllen = 0;
			T(recvmmsg(d[1], mm, 3, 0, &ts), 1, 0);
			OK(ts.tv_sec == 0 && ts.tv_nsec == 0);
			ts.tv_sec = 5;
			T(send(d[0], "c", 1, 0), 1, 0);
			T(recvmmsg(d[1], mm, 2, 0, &ts), 2, 0);
			OK(ts.tv_sec < 5 && ts.tv_sec >= 4);
			OK(mm[0].msg_len == 1 && data[1][0] == 'c');
		}
	}
	T(close(t), 0, 0);
	T(close(ep), 0, 0);
	T(close(e), 0, 0);
	k = close(p[0]) + close(p[1]) + close(s[0]) + close(s[1]) +
	    close(d[0]) + close(d[1]);
	OK(k == 0);
}

static void
blocking(void)
{
	struct sigaction sa = { 0 };
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	struct timeval tv = { 0, 100000 };
	struct later l;
	struct timespec t0, t1;
	pthread_t th;
	int s[2], p[2], r, fds[MAXFDS], n, fl, on = 1;
	static char big[100000];
	char buf[16];
	void *ret;
	long sent;

	T(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0, 0);
	T(pipe(p), 0, 0);
	/* A blocking recvmsg wakes when another thread sends. */
	l = (struct later){ s[0], p[1], 50, "late" };
	T(pthread_create(&th, NULL, send_later, &l), 0, 0);
	r = recvfd(s[1], "late");
	OK(r >= 0);
	T(write(r, "z", 1), 1, 0);
	T(read(p[0], buf, 1), 1, 0);
	T(close(r), 0, 0);
	T(pthread_join(th, NULL), 0, 0);
	/* MSG_WAITALL: two sends make one read. */
	T(send(s[0], "ab", 2, 0), 2, 0);
	l = (struct later){ s[0], -1, 30, "cd" };
	T(pthread_create(&th, NULL, send_later, &l), 0, 0);
	T(recvfds(s[1], fds, &n, 1, -1, buf, 4, MSG_WAITALL, &fl), 4, 0);
	OK(memcmp(buf, "abcd", 4) == 0);
	T(pthread_join(th, NULL), 0, 0);
	/* A signal (no SA_RESTART) ends a blocking recvmsg: EINTR. */
	sa.sa_handler = on_sig;
	T(sigaction(SIGALRM, &sa, NULL), 0, 0);
	T(setitimer(ITIMER_REAL, &it, NULL), 0, 0);
	T(recvfds(s[1], fds, &n, 1, -1, buf, sizeof(buf), 0, &fl), -1, EINTR);
	/* SO_RCVTIMEO: EAGAIN once it ran out. */
	T(setsockopt(s[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)), 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(recvfds(s[1], fds, &n, 1, -1, buf, sizeof(buf), 0, &fl), -1, EAGAIN);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	OK((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000 >= 90);
	/* A blocking sendmsg into a full stream sends everything once the
	 * other side reads. */
	T(ioctl_nb(s[0], 1), 0, 0);
	while (send(s[0], big, sizeof(big), 0) > 0)
		;
	T(ioctl_nb(s[0], 0), 0, 0);
	l = (struct later){ s[1], -1, 30, NULL };
	T(pthread_create(&th, NULL, drain_later, &l), 0, 0);
	T(sendfds(s[0], p, 1, big, sizeof(big), 0), (long)sizeof(big), 0);
	T(pthread_join(th, &ret), 0, 0);
	sent = (long)ret;
	OK(sent >= (long)sizeof(big));
	/* EPIPE, and SIGPIPE but with MSG_NOSIGNAL. */
	sa.sa_handler = on_pipe;
	T(sigaction(SIGPIPE, &sa, NULL), 0, 0);
	T(close(s[1]), 0, 0);
	T(sendfds(s[0], p, 1, "x", 1, 0), -1, EPIPE);
	OK(pipes_seen == 1);
	T(sendfds(s[0], p, 1, "x", 1, MSG_NOSIGNAL), -1, EPIPE);
	OK(pipes_seen == 1);
	(void)on;
	T(close(s[0]), 0, 0);
	T(close(p[0]), 0, 0);
	T(close(p[1]), 0, 0);
}

/* What never crosses, and what the sandbox decides otherwise. */
static void
attacks(const char *file, const char *vfile)
{
	struct epoll_event ev = { EPOLLIN, { 0 } };
	static const int far[] = { 1023, 1024 + 500, 4096, 65535, 0x7fffffff,
	    -1 };
	struct { pid_t pid; uid_t uid; gid_t gid; } cr;
	union {
		char b[CMSG_SPACE(sizeof(cr))];
		struct cmsghdr h;
	} c;
	struct iovec iov = { "n", 1 };
	struct msghdr m = { 0 };
	struct cmsghdr *h;
	struct { sa_family_t f; char p[16]; } sa = { AF_UNIX, "\0zvm-x" };
	int s[2], d[2], p[2], ep, f, vf, bad = 0, fd, r, one = 1;
	socklen_t l = sizeof(fd);
	pthread_t th;

	T(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0, 0);
	T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d), 0, 0);
	ep = epoll_create1(0);
	/* Every number the program does not hold, the supervisor's own
	 * among them: EBADF, as the kernel, and nothing crosses. */
	for (int n = 0; n < 1100 + 6; n++) {
		int x = n < 1100 ? n : far[n - 1100];

		if (fcntl(x, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (sendfd(s[0], x, "b") != -1 || errno != EBADF)
			bad++;
		if (epoll_ctl(ep, EPOLL_CTL_ADD, x, &ev) != -1 ||
		    errno != EBADF)
			bad++;
	}
	OK(bad == 0);
	OK(empty(s[1]));
	f = open(file, O_RDONLY);
	vf = open(vfile, O_RDONLY);
	OK(f >= 0 && vf >= 0 && (!sb || (f >= 1024 && vf < 1024)));
	/* A channel's fd: virtual, EBADF; injected, EPERM (metered). */
	T(sendfd(s[0], vf, "v"), sb ? -1 : 1, sb ? EBADF : 0);
	T(sendfd(s[0], 1, "v"), sb ? -1 : 1, sb ? EBADF : 0);
	T(sendfd(s[0], f, "f"), sb ? -1 : 1, sb ? EPERM : 0);
	if (!sb) {
		close(recvfd(s[1], "v"));
		close(recvfd(s[1], "v"));
		close(recvfd(s[1], "f"));
	}
	OK(empty(s[1]));
	/* SCM_CREDENTIALS: the sandbox's EPERM, the kernel's own check. */
	cr.pid = getpid(), cr.uid = getuid(), cr.gid = getgid();
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = c.b;
	m.msg_controllen = sizeof(c.b);
	h = CMSG_FIRSTHDR(&m);
	h->cmsg_level = SOL_SOCKET;
	h->cmsg_type = SCM_CREDENTIALS;
	h->cmsg_len = CMSG_LEN(sizeof(cr));
	memcpy(CMSG_DATA(h), &cr, sizeof(cr));
	T(sendmsg(s[0], &m, 0), sb ? -1 : 1, sb ? EPERM : 0);
	if (!sb)
		T(recv(s[1], c.b, 1, 0), 1, 0);
	h->cmsg_type = 99;
	T(sendmsg(s[0], &m, 0), -1, EINVAL);
	/* An address: EISCONN on a stream (the kernel's own), and on a
	 * datagram pair in the sandbox (natively it would reach a name). */
	m.msg_control = NULL;
	m.msg_controllen = 0;
	m.msg_name = &sa;
	m.msg_namelen = sizeof(sa);
	T(sendmsg(s[0], &m, 0), -1, EISCONN);
	if (sb)
		T(sendmsg(d[0], &m, 0), -1, EISCONN);
	/* The options that would make a pidfd at a low number. */
	T(getsockopt(s[0], SOL_SOCKET, SO_PEERPIDFD, &fd, &l), sb ? -1 : 0,
	    sb ? ENOPROTOOPT : 0);
	if (!sb)
		close(fd);
	T(setsockopt(s[1], SOL_SOCKET, SO_PASSPIDFD, &one, sizeof(one)),
	    sb ? -1 : 0, sb ? ENOPROTOOPT : 0);
	/* Another thread rewrites the fd while the message is sent: what
	 * crosses is the pipe it held or nothing, never what the number
	 * named after the check. */
	T(pipe(p), 0, 0);
	{
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr h;
		} fc;
		struct iovec fi = { "t", 1 };
		struct msghdr fm = { 0 };
		int sent = 0, odd = 0, fl, n, got[MAXFDS];
		char b;

		fm.msg_iov = &fi;
		fm.msg_iovlen = 1;
		fm.msg_control = fc.b;
		fm.msg_controllen = sizeof(fc.b);
		h = CMSG_FIRSTHDR(&fm);
		h->cmsg_level = SOL_SOCKET;
		h->cmsg_type = SCM_RIGHTS;
		h->cmsg_len = CMSG_LEN(sizeof(int));
		flip_val[0] = p[0];
		flip_val[1] = 900;
		memcpy(CMSG_DATA(h), &p[0], sizeof(int));
		T(pthread_create(&th, NULL, flipper, CMSG_DATA(h)), 0, 0);
		for (int i = 0; i < 2000; i++) {
			struct stat st;

			if (sendmsg(d[0], &fm, 0) != 1) {
				if (errno != EBADF)
					dprintf(2, "send: %s\n", strerror(errno));
				odd += errno != EBADF;
				continue;
			}
			sent++;
			r = (int)recvfds(d[1], got, &n, 1, -1, &b, 1, 0, &fl);
			if (r != 1 || n != 1 || fstat(got[0], &st) == -1 ||
			    !S_ISFIFO(st.st_mode) || (sb && got[0] < 1024))
				odd++;
			for (int k = 0; k < n; k++)
				close(got[k]);
		}
		__atomic_store_n(&flip_stop, 1, __ATOMIC_RELAXED);
		T(pthread_join(th, NULL), 0, 0);
		OK(odd == 0 && sent > 0);
		/* And while one is received, its room for fds: they land
		 * where the supervisor puts them, or are cut. */
		fm.msg_controllen = sizeof(fc.b);
		flip_val[0] = 0;
		flip_val[1] = sizeof(fc.b);
		flip_stop = 0;
		T(pthread_create(&th, NULL, flipper, &fm.msg_controllen), 0, 0);
		for (int i = 0; i < 2000; i++) {
			if (sendfds(d[0], p, 1, "u", 1, 0) != 1) {
				odd++;
				continue;
			}
			fi.iov_base = &b;
			memset(fc.b, 0, sizeof(fc.b));
			if (recvmsg(d[1], &fm, 0) != 1)
				odd++;
			else if (h->cmsg_type == SCM_RIGHTS) {
				memcpy(&n, CMSG_DATA(h), sizeof(int));
				odd += sb && n < 1024;
				close(n);
			}
		}
		__atomic_store_n(&flip_stop, 1, __ATOMIC_RELAXED);
		T(pthread_join(th, NULL), 0, 0);
		OK(odd == 0);
	}
	/* No real fd ever landed where the supervisor would not know it. */
	if (sb)
		OK(low_empty());
	if (sb)
		T(connect(s[0], (void *)&sa, sizeof(sa)), -1, EACCES);
	close(p[0]);
	close(p[1]);
	close(f);
	close(vf);
	close(ep);
	close(s[0]);
	close(s[1]);
	close(d[0]);
	close(d[1]);
}

/*
 * Keep the fds of 150 messages, queued 50 at a time, until they no
 * longer fit; then, with none kept, queue messages until too many fds
 * are in flight.
 */
static int
files(void)
{
	int s[2], e, fds[MAXFDS], n, fl, got = 0, cut = 0, intact = 1, q;
	char buf[16], want[16];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == -1 ||
	    (e = eventfd(0, 0)) == -1)
		return 1;
	for (int i = 0; i < 150; i++) {
		snprintf(want, sizeof(want), "m%03d", i);
		if (sendfd(s[0], e, want) != 4)
			return 1;
		if (i % 50 != 49)
			continue;
		for (int j = i - 49; j <= i; j++) {
			snprintf(want, sizeof(want), "m%03d", j);
			if (recvfds(s[1], fds + 1, &n, 1, -1, buf, 4, 0,
			    &fl) != 4 || memcmp(buf, want, 4) != 0)
				intact = 0;
			if (n == 1)
				got++;
			else if (fl & MSG_CTRUNC)
				cut++;
		}
	}
	for (int fd = 3; fd < 2048; fd++)
		if (fd != s[0] && fd != s[1] && fd != e)
			close(fd);
	for (q = 0; q < 1000 && sendfds(s[0], &e, 1, "q", 1,
	    MSG_DONTWAIT) == 1; q++)
		;
	printf("%d CTRUNC %d, %d %s%s\n", got, cut, q, errno == ETOOMANYREFS ?
	    "ETOOMANYREFS" : strerror(errno), intact ? "" : " broken");
	return 0;
}

/* Pipes held only in flight stay counted; passed and closed, they are
 * given back. */
static int
inflight(int n)
{
	int s[2], p[2], fds[MAXFDS], k, fl;
	char b;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == -1)
		return 1;
	for (int i = 0; i < n; i++) {
		if (pipe(p) == -1) {
			printf("passed %d %s\n", i, strerror(errno));
			return 0;
		}
		if (sendfds(s[0], p, 2, "p", 1, 0) != 1 ||
		    recvfds(s[1], fds, &k, 2, -1, &b, 1, 0, &fl) != 1 ||
		    k != 2)
			return 1;
		close(p[0]), close(p[1]), close(fds[0]), close(fds[1]);
	}
	for (int i = 0; i < n; i++) {
		if (pipe(p) == -1) {
			printf("queued %d %s\n", i, strerror(errno));
			return 0;
		}
		if (sendfds(s[0], p, 2, "q", 1, 0) != 1)
			return 1;
		close(p[0]), close(p[1]);
	}
	printf("%d ok\n", n);
	return 0;
}

int
main(int argc, char **argv)
{
	int s[2];

	if (argc == 2 && strcmp(argv[1], "files") == 0)
		return files();
	if (argc == 3 && strcmp(argv[1], "inflight") == 0)
		return inflight(atoi(argv[2]));
	if (argc == 2 && strcmp(argv[1], "wait") == 0) {
		int fd, n, fl;
		char b;

		T(socketpair(AF_UNIX, SOCK_DGRAM, 0, s), 0, 0);
		return (int)recvfds(s[1], &fd, &n, 1, -1, &b, 1, 0, &fl);
	}
	if (argc != 3)
		return 2;
	T(socketpair(AF_UNIX, SOCK_STREAM, 0, s), 0, 0);
	sb = s[0] >= 1024;
	close(s[0]);
	close(s[1]);
	basics(SOCK_STREAM);
	basics(SOCK_DGRAM);
	basics(SOCK_SEQPACKET);
	several();
	blocking();
	attacks(argv[1], argv[2]);
	return done();
}
