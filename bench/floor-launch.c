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
 *
 * Exits with the program's status.
 */
#define _GNU_SOURCE
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
#include <sys/syscall.h>
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
		NOTIFY(SYS_faccessat2),
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

static int
notify_run(char **argv)
{
	__u64 sync = 1;		/* SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP */
	struct seccomp_notif req;
	struct seccomp_notif_resp resp;
	struct pollfd pfd[2];
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
	/* As zvm-run does before its watcher starts: poll, then RECV. */
	while (poll(pfd, 2, -1) >= 0 && !pfd[1].revents) {
		if (!(pfd[0].revents & POLLIN))
			continue;
		memset(&req, 0, sizeof(req));
		if (ioctl(pfd[0].fd, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1)
			continue;
		memset(&resp, 0, sizeof(resp));
		resp.id = req.id;
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
		(void)ioctl(pfd[0].fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
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

	if (argc >= 3 && strcmp(argv[1], "-n") == 0)
		return notify_run(argv + 2);
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: floor-launch [-n] PROGRAM [ARG...]\n");
		return 2;
	}
	if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0 ||
	    waitpid(pid, &st, 0) == -1)
		return 127;
	return status_of(st);
}
