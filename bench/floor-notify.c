/* SPDX-License-Identifier: ISC */
/*
 * floor-notify - the least any seccomp user-notification supervisor can
 * do per call on this machine, for the zvm-run benchmarks to name as a
 * baseline: no fd table, no quotas, no hashing, no poll; a child with a
 * one-rule filter and a parent that answers in a RECV/SEND loop.
 *
 *   floor-notify w1 N        N 1-byte writes to fd 3, the parent copying
 *                            each byte out (process_vm_readv) and
 *                            writing it to /dev/null; prints seconds
 *   floor-notify read CHUNK FILE
 *                            the child reads FILE through fd 3 in CHUNK
 *                            calls into a page-aligned buffer, the parent
 *                            copies from its map of FILE
 *                            (process_vm_writev); prints "seconds bytes"
 *   floor-notify write CHUNK TOTAL FILE
 *                            the child writes TOTAL bytes through fd 3 in
 *                            CHUNK calls, the parent copies each into a
 *                            page-aligned buffer (process_vm_readv) and
 *                            writes it to FILE (created, truncated);
 *                            prints "seconds bytes"
 *   floor-notify continue read CHUNK FILE
 *   floor-notify continue write CHUNK TOTAL FILE
 *                            the same calls on a real fd 3 of FILE in the
 *                            child, each answered with
 *                            SECCOMP_USER_NOTIF_FLAG_CONTINUE, so the
 *                            kernel moves the bytes: the least a
 *                            supervisor that only decides can do (the
 *                            native data path's floor)
 *
 * Times come from the child's own loop, like tests/progs/benchio.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#define LISTENER 100		/* where the child leaves its listener */

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* continue: the file the child holds at fd 3, and how it opens it. */
static const char *cont_path;
static int cont_flags;

/* The child: notify every call of nr on fd 3, then run body. */
static void
child(int nr, void (*body)(void *), void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, args[0])),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 3, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	long l;
	int fd;

	if (cont_path && ((fd = open(cont_path, cont_flags, 0666)) == -1 ||
	    dup2(fd, 3) == -1))
		_exit(1);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    (l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog)) == -1 ||
	    dup2((int)l, LISTENER) == -1)
		_exit(1);
	close((int)l);
	raise(SIGSTOP);		/* until the parent holds the listener */
	body(arg);
	fflush(stdout);
	_exit(0);
}

/* Fork the child; returns its listener in *lfd. */
static pid_t
start(int nr, void (*body)(void *), void *arg, int *lfd)
{
	__u64 sync = 1;		/* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
	pid_t pid;
	int st, pfd;

	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0)
		child(nr, body, arg);
	if (waitpid(pid, &st, WUNTRACED) == -1 || !WIFSTOPPED(st))
		die("child");
	if ((pfd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1 ||
	    (*lfd = (int)syscall(SYS_pidfd_getfd, pfd, LISTENER, 0)) == -1)
		die("pidfd");
	(void)ioctl(*lfd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync);
	kill(pid, SIGCONT);
	return pid;
}

static unsigned long n1;

static void
w1_body(void *arg)
{
	double t0 = now();

	(void)arg;
	for (unsigned long i = 0; i < n1; i++)
		if (write(3, "x", 1) != 1)
			_exit(1);
	printf("%.9f\n", now() - t0);
}

struct rd {
	size_t chunk;
	unsigned long long total;	/* write: how much */
};

/* Read fd 3 to its end, or write r->total bytes to it (r->total > 0). */
static void
io_body(void *arg)
{
	struct rd *r = arg;
	unsigned long long total = 0;
	char *buf = aligned_alloc(4096, (r->chunk + 4095) & ~(size_t)4095);
	double t0;
	ssize_t k;

	if (buf == NULL)
		_exit(1);
	memset(buf, 'b', r->chunk);
	t0 = now();
	if (r->total == 0)
		while ((k = read(3, buf, r->chunk)) > 0)
			total += k;
	else
		while (total < r->total && (k = write(3, buf, r->chunk)) > 0)
			total += k;
	printf("%.9f %llu\n", now() - t0, total);
	/* continue: a call of 0 bytes says the loop is over. */
	if (cont_path && (r->total == 0 ? read(3, buf, 0) : write(3, buf,
	    0)) != 0)
		_exit(1);
}

int
main(int argc, char **argv)
{
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	const unsigned char *map = NULL;
	uint64_t pos = 0, size = 0;
	struct rd rd;
	unsigned char *obuf = NULL;
	int lfd, null, st, out = -1;
	pid_t pid;

	if (argc >= 2 && strcmp(argv[1], "continue") == 0) {
		if (argc == 5 && strcmp(argv[2], "read") == 0) {
			rd.total = 0;
			cont_flags = O_RDONLY;
		} else if (argc == 6 && strcmp(argv[2], "write") == 0) {
			rd.total = strtoull(argv[4], NULL, 10);
			cont_flags = O_WRONLY | O_CREAT | O_TRUNC;
		} else
			goto usage;
		rd.chunk = strtoul(argv[3], NULL, 10);
		cont_path = argv[argc - 1];
		pid = start(rd.total ? SYS_write : SYS_read, io_body, &rd,
		    &lfd);
		/* Every call on fd 3 goes on as it is; the last has 0. */
		for (;;) {
			memset(&req, 0, sizeof(req));
			if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
				break;
			memset(&resp, 0, sizeof(resp));
			resp.id = req.id;
			resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
			if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == -1 ||
			    req.data.args[2] == 0)
				break;
		}
		if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			return 1;
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "w1") == 0 &&
	    (n1 = strtoul(argv[2], NULL, 10)) > 0) {
		pid = start(SYS_write, w1_body, NULL, &lfd);
	} else if (argc == 4 && strcmp(argv[1], "read") == 0) {
		struct stat sb;
		int fd = open(argv[3], O_RDONLY);

		if (fd == -1 || fstat(fd, &sb) == -1)
			die(argv[3]);
		size = sb.st_size;
		map = mmap(NULL, size ? size : 1, PROT_READ, MAP_SHARED, fd,
		    0);
		if (map == MAP_FAILED)
			die("mmap");
		rd.chunk = strtoul(argv[2], NULL, 10);
		rd.total = 0;
		pid = start(SYS_read, io_body, &rd, &lfd);
	} else if (argc == 5 && strcmp(argv[1], "write") == 0) {
		if ((out = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0666)) ==
		    -1)
			die(argv[4]);
		rd.chunk = strtoul(argv[2], NULL, 10);
		rd.total = strtoull(argv[3], NULL, 10);
		if ((obuf = aligned_alloc(4096, (rd.chunk + 4095) &
		    ~(size_t)4095)) == NULL)
			die("malloc");
		if (rd.total == 0)
			die("TOTAL");
		pid = start(SYS_write, io_body, &rd, &lfd);
	} else {
usage:
		fprintf(stderr, "usage: floor-notify [continue] read CHUNK FILE "
		    "| [continue] write CHUNK TOTAL FILE | w1 N\n");
		return 2;
	}
	if ((null = open("/dev/null", O_WRONLY)) == -1)
		die("/dev/null");
	/* RECV need not return once the child is gone: stop after its last
	 * call (the N-th write, the read that says 0). */
	for (unsigned long served = 0;; served++) {
		const __u64 *a = req.data.args;
		struct iovec lo, re;
		ssize_t w = 0;

		memset(&req, 0, sizeof(req));
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			break;		/* the child is gone */
		if (out != -1) {
			lo.iov_base = obuf;
			lo.iov_len = a[2] < rd.chunk ? a[2] : rd.chunk;
			re.iov_base = (void *)a[1];
			re.iov_len = lo.iov_len;
			if ((w = process_vm_readv(pid, &lo, 1, &re, 1, 0)) > 0)
				w = write(out, obuf, w);
		} else if (map == NULL) {
			char c;

			lo.iov_base = &c;
			lo.iov_len = 1;
			re.iov_base = (void *)a[1];
			re.iov_len = 1;
			if ((w = process_vm_readv(pid, &lo, 1, &re, 1, 0)) == 1)
				w = write(null, &c, 1);
		} else if (pos < size) {
			size_t n = a[2] < size - pos ? a[2] : size - pos;

			lo.iov_base = (void *)(map + pos);
			lo.iov_len = n;
			re.iov_base = (void *)a[1];
			re.iov_len = n;
			if ((w = process_vm_writev(pid, &lo, 1, &re, 1, 0)) > 0)
				pos += w;
		}
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.val = w;
		if (ioctl(lfd, SECCOMP_IOCTL_NOTIF_SEND, &resp) == -1 ||
		    (out != -1 && (pos += w > 0 ? w : 0) >= rd.total) ||
		    (out == -1 && map == NULL && served + 1 == n1) ||
		    (map && w <= 0))
			break;
	}
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return 1;
	return 0;
}
