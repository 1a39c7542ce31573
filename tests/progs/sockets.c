/* SPDX-License-Identifier: ISC */
/*
 * sockets - socketpair(AF_UNIX) in a sandbox: both ends real, data
 * native, the end seen when the peer closes; no address ever crosses
 * (sendto or sendmsg with an address), no option makes a pidfd, and every
 * other socket call and family stays refused.  The fds sendmsg may pass
 * are fdpass's.  "sockets many" makes pairs until one fails and prints
 * how many, and why.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "check.h"

int
main(int argc, char **argv)
{
	struct sockaddr_un sa = { AF_UNIX, "\0zvm-test" };
	struct msghdr mh = { 0 };
	struct iovec iov = { "m", 1 };
	struct stat st;
	char buf[8];
	int s[2], d[2], on = 1, n, fd;
	socklen_t l = sizeof(fd);

	if (argc == 2 && strcmp(argv[1], "many") == 0) {
		for (n = 0; n < 100000; n++)
			if (socketpair(AF_UNIX, SOCK_STREAM, 0, s) == -1)
				break;
		printf("%d %s\n", n, errno == ENFILE ? "ENFILE" :
		    errno == EMFILE ? "EMFILE" : "other");
		return 0;
	}
	T(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s), 0, 0);
	OK(s[0] >= 1024 && s[1] >= 1024);
	T(fstat(s[0], &st), 0, 0);
	OK(S_ISSOCK(st.st_mode));
	T(send(s[0], "ab", 2, 0), 2, 0);
	T(recv(s[1], buf, sizeof(buf), 0), 2, 0);
	T(write(s[1], "cd", 2), 2, 0);
	T(read(s[0], buf, sizeof(buf)), 2, 0);
	OK(memcmp(buf, "cd", 2) == 0);
	T(ioctl(s[0], FIONBIO, &on), 0, 0);
	T(recv(s[0], buf, sizeof(buf), 0), -1, EAGAIN);
	T(fcntl(s[1], F_GETFD), FD_CLOEXEC, 0);
	/* No address, no fd, no other way out. */
	T(sendto(s[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), -1,
	    EISCONN);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	T(sendmsg(s[0], &mh, 0), 1, 0);
	T(recv(s[1], buf, sizeof(buf), 0), 1, 0);
	mh.msg_name = &sa;
	mh.msg_namelen = sizeof(sa);
	T(sendmsg(s[0], &mh, 0), -1, EISCONN);
	/* A pidfd would land at the lowest free number, a virtual one. */
	T(getsockopt(s[0], SOL_SOCKET, 77 /* SO_PEERPIDFD */, &fd, &l), -1,
	    ENOPROTOOPT);
	T(setsockopt(s[0], SOL_SOCKET, 76 /* SO_PASSPIDFD */, &on, sizeof(on)),
	    -1, ENOPROTOOPT);
	/* Buffers stay within what Memory counts: 208 KiB an end. */
	{
		int v = 10 << 20, got = 0;
		socklen_t gl = sizeof(got);

		T(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)), 0, 0);
		T(getsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &got, &gl), 0, 0);
		OK(got == 212992);
		v = 8192;
		T(setsockopt(s[0], SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)), 0, 0);
		T(getsockopt(s[0], SOL_SOCKET, SO_RCVBUF, &got, &gl), 0, 0);
		OK(got == 16384);
		T(setsockopt(s[0], SOL_SOCKET, SO_SNDBUFFORCE, &v, sizeof(v)),
		    -1, EPERM);
		T(setsockopt(s[0], SOL_SOCKET, SO_SNDBUF, &v, 2), -1, EINVAL);
	}
	T(connect(s[0], (struct sockaddr *)&sa, sizeof(sa)), -1, EACCES);
	T(bind(s[0], (struct sockaddr *)&sa, sizeof(sa)), -1, EACCES);
	T(listen(s[0], 1), -1, EACCES);
	T(accept(s[0], NULL, NULL), -1, EACCES);
	T(socketpair(AF_INET, SOCK_STREAM, 0, d), -1, EACCES);
	T(socket(AF_UNIX, SOCK_STREAM, 0), -1, EACCES);
	T(socketpair(AF_UNIX, 77, 0, d), -1, EINVAL);
	T(socketpair(AF_UNIX, SOCK_STREAM, 9, d), -1, EPROTONOSUPPORT);
	/* A datagram pair: the same, and its ends by datagram. */
	T(socketpair(AF_UNIX, SOCK_DGRAM, 0, d), 0, 0);
	T(sendto(d[0], "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)), -1,
	    EISCONN);
	T(sendmsg(d[0], &mh, 0), -1, EISCONN);	/* a name would be reached */
	T(send(d[0], "xyz", 3, 0), 3, 0);
	T(recv(d[1], buf, 1, 0), 1, 0);	/* the rest of it is gone */
	T(shutdown(d[0], SHUT_WR), 0, 0);
	/* The peer's close is the end. */
	T(close(s[1]), 0, 0);
	on = 0;
	T(ioctl(s[0], FIONBIO, &on), 0, 0);
	T(recv(s[0], buf, sizeof(buf), 0), 0, 0);
	return done();
}
