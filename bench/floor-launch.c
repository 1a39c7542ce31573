/* SPDX-License-Identifier: ISC */
/*
 * floor-launch - the least a launcher costs on this machine, built like
 * zvm-run (static, musl when there is one), for the start-up benchmarks
 * to name as baselines.
 *
 *   floor-launch PROGRAM [ARG...]
 *        posix_spawn and wait: what any separate launcher binary costs
 *        before any sandboxing.
 *   floor-launch -n PROGRAM [ARG...]
 *        the same start under a seccomp user-notification filter that
 *        stops at every call zvm-run must see while a dynamic program
 *        loads (its exec, opens, reads, stats, closes, access checks and
 *        maps of files), each answered CONTINUE with no work done: what
 *        any supervisor that meters the loader's files costs at least.
 *   floor-launch -e PROGRAM [ARG...]
 *        the same filter, but the calls that take a path are answered as
 *        a supervisor must answer them, never with CONTINUE (the program
 *        could rewrite the path between the check and the kernel's own
 *        read of it): the path is read from the program, the open, stat,
 *        access check or readlink is done here, an opened file goes in
 *        with ADDFD at 1024 and up, a stat's or readlink's result is
 *        written back.  The calls of registers alone are continued.  No
 *        policy, no quotas: the least any supervisor that decides the
 *        program's names costs.
 *
 * Exits with the program's status.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <spawn.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#define LISTENER 100		/* where the child leaves its listener */

extern char **environ;

static int
status_of(int st)
{
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#define NOTIFY(n) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (n), 0, 1), \
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF)

/* The child: the filter, a word to the parent, then the exec. */
static void
child(int ready, char **argv)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, nr)),
		NOTIFY(SYS_execve), NOTIFY(SYS_execveat), NOTIFY(SYS_open),
		NOTIFY(SYS_openat), NOTIFY(SYS_read), NOTIFY(SYS_pread64),
		NOTIFY(SYS_fstat), NOTIFY(SYS_newfstatat), NOTIFY(SYS_statx),
		NOTIFY(SYS_close), NOTIFY(SYS_access), NOTIFY(SYS_faccessat),
		NOTIFY(SYS_faccessat2), NOTIFY(SYS_readlink),
		NOTIFY(SYS_readlinkat),
		/* mmap of a file (not MAP_ANONYMOUS) */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_mmap, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct seccomp_data, args[3])),
		BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, MAP_ANONYMOUS, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { sizeof(f) / sizeof(f[0]), f };
	long l;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
	    (l = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog)) == -1 ||
	    dup2((int)l, LISTENER) == -1 || write(ready, "", 1) != 1)
		_exit(127);
	execve(argv[0], argv, environ);
	_exit(127);
}

/* -e: a path call answered here.  The child's cwd is ours, so a
 * relative name resolves the same; a dirfd other than AT_FDCWD is taken
 * from the child (pidfd_getfd). */
struct emu {
	int pidfd, listener;
	pid_t pid;
	int next;		/* the next number for ADDFD */
};

static int
peek(struct emu *u, __u64 addr, char *buf, size_t n)
{
	struct iovec l = { buf, n - 1 }, r = { (void *)addr, n - 1 };
	ssize_t k = process_vm_readv(u->pid, &l, 1, &r, 1, 0);

	if (k <= 0)
		return -EFAULT;
	buf[k] = '\0';
	return memchr(buf, '\0', (size_t)k) ? 0 : -ENAMETOOLONG;
}

static int
poke(struct emu *u, __u64 addr, const void *buf, size_t n)
{
	struct iovec l = { (void *)buf, n }, r = { (void *)addr, n };

	return process_vm_writev(u->pid, &l, 1, &r, 1, 0) == (ssize_t)n ?
	    0 : -EFAULT;
}

static int
dirfd_of(struct emu *u, __u64 a)
{
	int fd = (int)a;

	return fd == AT_FDCWD ? AT_FDCWD :
	    (int)syscall(SYS_pidfd_getfd, u->pidfd, fd, 0);
}

/* 1: answered here (resp filled or the fd injected); 0: continue it. */
static int
emulate(struct emu *u, const struct seccomp_notif *req,
    struct seccomp_notif_resp *resp)
{
	const __u64 *a = req->data.args;
	char path[4096], link[4096];
	struct stat st;
	long v = -1;
	int dfd = AT_FDCWD, e;

	switch (req->data.nr) {
	case SYS_open: case SYS_stat: case SYS_access: case SYS_readlink:
		if ((e = peek(u, a[0], path, sizeof(path))) < 0)
			goto fail;
		break;
	case SYS_openat: case SYS_newfstatat: case SYS_statx:
	case SYS_faccessat: case SYS_faccessat2: case SYS_readlinkat:
		/* Even glibc's fstat, newfstatat(fd, "", AT_EMPTY_PATH):
		 * the "" could be a name by the time the kernel reads it. */
		if ((e = peek(u, a[1], path, sizeof(path))) < 0)
			goto fail;
		if ((dfd = dirfd_of(u, a[0])) == -1 && (int)a[0] != AT_FDCWD) {
			e = -EBADF;
			goto fail;
		}
		break;
	default:
		return 0;
	}
	errno = 0;
	switch (req->data.nr) {
	case SYS_open: case SYS_openat: {
		int fl = (int)(req->data.nr == SYS_open ? a[1] : a[2]);
		int fd = openat(dfd, path, (fl & ~O_ACCMODE & ~O_CREAT &
		    ~O_TRUNC) | O_RDONLY | O_CLOEXEC);

		if (fd >= 0) {
			struct seccomp_notif_addfd add = {
				.id = req->id,
				.flags = SECCOMP_ADDFD_FLAG_SETFD |
				    SECCOMP_ADDFD_FLAG_SEND,
				.srcfd = (unsigned)fd,
				.newfd = (unsigned)u->next++,
				.newfd_flags = (unsigned)(fl & O_CLOEXEC),
			};

			v = ioctl(u->listener, SECCOMP_IOCTL_NOTIF_ADDFD,
			    &add);
			close(fd);
			if (v >= 0) {
				if (dfd >= 0)
					close(dfd);
				resp->id = 0;	/* answered */
				return 1;
			}
		}
		break;
	}
	case SYS_stat: case SYS_newfstatat:
		if ((v = fstatat(dfd, path, &st, req->data.nr == SYS_stat ? 0 :
		    (int)a[3])) == 0)
			v = poke(u, a[req->data.nr == SYS_stat ? 1 : 2], &st,
			    sizeof(st));
		break;
	case SYS_statx: {
		unsigned char sx[256];	/* struct statx */

		if ((v = syscall(SYS_statx, dfd, path, (int)a[2],
		    (unsigned)a[3], sx)) == 0)
			v = poke(u, a[4], sx, sizeof(sx));
		break;
	}
	case SYS_access:
		v = access(path, (int)a[1]);
		break;
	case SYS_faccessat: case SYS_faccessat2:
		v = faccessat(dfd, path, (int)a[2], req->data.nr ==
		    SYS_faccessat ? 0 : (int)a[3]);
		break;
	case SYS_readlink: case SYS_readlinkat: {
		size_t n = (size_t)a[req->data.nr == SYS_readlink ? 2 : 3];

		if ((v = readlinkat(dfd, path, link, n < sizeof(link) ? n :
		    sizeof(link))) > 0 && poke(u, a[req->data.nr ==
		    SYS_readlink ? 1 : 2], link, (size_t)v) < 0)
			v = -EFAULT;
		break;
	}
	}
	e = v < 0 ? (errno ? -errno : (int)v) : 0;
	if (dfd >= 0)
		close(dfd);
fail:
	resp->error = e;
	resp->val = e ? 0 : v;
	return 1;
}

static int
notify_run(char **argv, int emu)
{
	__u64 sync = 1;		/* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd[2];
	struct emu u;
	int p[2], st;
	char c;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return 127;
	if (pid == 0)
		child(p[1], argv);
	close(p[1]);
	if (read(p[0], &c, 1) != 1 ||
	    (pfd[1].fd = (int)syscall(SYS_pidfd_open, pid, 0)) == -1 ||
	    (pfd[0].fd = (int)syscall(SYS_pidfd_getfd, pfd[1].fd, LISTENER,
	    0)) == -1) {
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 127;
	}
	(void)ioctl(pfd[0].fd, SECCOMP_IOCTL_NOTIF_SET_FLAGS, sync);
	pfd[0].events = pfd[1].events = POLLIN;
	u.pidfd = pfd[1].fd;
	u.listener = pfd[0].fd;
	u.pid = pid;
	u.next = 1024;
	/* As zvm-run does before its watcher starts: poll, then RECV. */
	while (poll(pfd, 2, -1) >= 0 && !pfd[1].revents) {
		/* The filter is gone with the program: wait for the pidfd
		 * alone, as zvm-run does, not spin on the hang-up. */
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			pfd[0].fd = -1;
		if (!(pfd[0].revents & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(u.listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		if (emu && emulate(&u, &req, &resp)) {
			if (resp.id)	/* not taken by ADDFD */
				(void)ioctl(u.listener,
				    SECCOMP_IOCTL_NOTIF_SEND, &resp);
			continue;
		}
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(u.listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
	}
	if (waitpid(pid, &st, 0) == -1)
		return 127;
	return status_of(st);
}

int
main(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc >= 3 && (strcmp(argv[1], "-n") == 0 ||
	    strcmp(argv[1], "-e") == 0))
		return notify_run(argv + 2, argv[1][1] == 'e');
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: floor-launch [-n | -e] PROGRAM "
		    "[ARG...]\n");
		return 2;
	}
	if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0 ||
	    waitpid(pid, &st, 0) == -1)
		return 127;
	return status_of(st);
}
