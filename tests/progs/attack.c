/* SPDX-License-Identifier: ISC */
/*
 * attack - one escape attempt per argument (conventions.md Checklist 2):
 * each must be refused with the exact errno; "abi32", "x32" and the
 * like must get the process killed (the caller checks the status).
 */
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include "check.h"

static volatile int stop;
static char path[64] = "/dev/3.in";

/* Flip the path between an alias and a host file while main opens it. */
static void *
flipper(void *arg)
{
	(void)arg;
	while (!stop) {
		memcpy(path, "/etc/passwd", 12);
		memcpy(path, "/dev/3.in\0\0", 12);
	}
	return NULL;
}

static int
toctou(void)
{
	pthread_t th;
	char buf[16];
	int i, fd, hits = 0;

	pthread_create(&th, NULL, flipper, NULL);
	for (i = 0; i < 3000; i++) {
		errno = 0;
		fd = open(path, O_RDONLY);
		if (fd == -1) {
			OK(errno == ENOENT);
			continue;
		}
		hits++;
		T(pread(fd, buf, 4, 0), 4, 0);
		OK(memcmp(buf, "SAFE", 4) == 0);
		close(fd);
	}
	stop = 1;
	pthread_join(th, NULL);
	dprintf(2, "opened %d\n", hits > 0);
	return done();
}

int
main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "";
	pid_t sup = getppid();
	struct iovec l = { &sup, sizeof(sup) }, r = { &sup, sizeof(sup) };
	struct rlimit rl = { RLIM_INFINITY, RLIM_INFINITY };
	struct sock_filter ins = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &ins };
	char buf[16];

	if (strcmp(a, "toctou") == 0)
		return toctou();
	if (strcmp(a, "abi32") == 0) {	/* i386 getpid through int 0x80 */
		long ret;
		__asm__ volatile ("int $0x80" : "=a"(ret) : "a"(20) : "memory");
		return 0;
	}
	if (strcmp(a, "manynr") == 0) {	/* 20,000 numbers nobody knows */
		for (long nr = 1000; nr < 21000; nr++)
			T(syscall(nr), -1, ENOSYS);
		return done();
	}
	if (strcmp(a, "x32") == 0) {
		syscall(39 | 0x40000000);
		return 0;
	}
	if (strcmp(a, "all") != 0)
		return 2;
	T(fork(), -1, EPERM);
	T(vfork(), -1, EPERM);
	T(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0), -1, EPERM);
	T(syscall(SYS_clone, CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND
	    | CLONE_THREAD | CLONE_NEWUSER, 0, 0, 0, 0), -1, EPERM);
	T(syscall(SYS_clone3, NULL, 0), -1, ENOSYS);
	T(execve("/bin/sh", (char *[]){ "sh", NULL }, NULL), -1, EPERM);
	T(syscall(SYS_execveat, AT_FDCWD, "/bin/sh", (char *[]){ NULL }, NULL,
	    0), -1, EPERM);
	/* An absolute path ignores the fd: no filter rule on the fd alone
	 * may ever let an execveat through. */
	T(syscall(SYS_execveat, 1023, "/bin/sh", (char *[]){ NULL }, NULL,
	    AT_EMPTY_PATH), -1, EPERM);
	T(socket(AF_INET, SOCK_STREAM, 0), -1, EACCES);
	T(socket(AF_UNIX, SOCK_DGRAM, 0), -1, EACCES);
	T(syscall(SYS_io_uring_setup, 8, buf), -1, ENOSYS);
	T(ptrace(PTRACE_TRACEME, 0, 0, 0), -1, EPERM);
	T(ptrace(PTRACE_ATTACH, sup, 0, 0), -1, EPERM);
	T(process_vm_readv(sup, &l, 1, &r, 1, 0), -1, EPERM);
	T(process_vm_writev(sup, &l, 1, &r, 1, 0), -1, EPERM);
	T(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog), -1, EPERM);
	T(prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog), -1, EPERM);
	T(prctl(PR_SET_DUMPABLE, 1), -1, EPERM);
	T(prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY), -1, EPERM);
	T(prctl(PR_SET_NAME, "ok"), 0, 0);
	T(syscall(SYS_bpf, 0, NULL, 0), -1, EPERM);
	T(mount("none", "/tmp", "tmpfs", 0, NULL), -1, EPERM);
	T(unshare(CLONE_NEWUSER), -1, EPERM);
	T(setns(0, 0), -1, EPERM);
	T(syscall(SYS_keyctl, 0, 0, 0, 0, 0), -1, EPERM);
	T(syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0), -1, EPERM);
	T(syscall(SYS_userfaultfd, 0), -1, EPERM);
	T(personality(READ_IMPLIES_EXEC), -1, EPERM);
	T(personality(0xffffffff) != -1, 1, 0);
	T(kill(sup, SIGKILL), -1, EPERM);
	T(kill(0, SIGTERM), -1, EPERM);
	T(kill(-1, SIGTERM), -1, EPERM);
	T(syscall(SYS_tgkill, sup, sup, SIGKILL), -1, EPERM);
	T(syscall(SYS_tkill, sup, SIGKILL), -1, EPERM);
	T(kill(getpid(), 0), 0, 0);			/* itself: fine */
	T(setrlimit(RLIMIT_AS, &rl), -1, EPERM);
	T(prlimit(0, RLIMIT_NOFILE, &rl, NULL), -1, EPERM);
	T(getrlimit(RLIMIT_AS, &rl), 0, 0);
	T(open("/proc/self/mem", O_RDWR), -1, ENOENT);
	T(open("/proc/1/environ", O_RDONLY), -1, ENOENT);
	T(open("../../../etc/passwd", O_RDONLY), -1, ENOENT);
	T(syscall(SYS_openat2, AT_FDCWD, "/etc/passwd", buf, 24), -1, EACCES);
	T(chroot("/tmp"), -1, EACCES);
	T(syscall(SYS_memfd_create, "x", 0), -1, ENOSYS);
	T(syscall(999), -1, ENOSYS);
	T(mmap(NULL, 4096, PROT_READ, MAP_SHARED, 0, 0), MAP_FAILED, EBADF);
	T(syscall(SYS_sendfile, 1, 0, NULL, 10), -1, EINVAL);
	T(syscall(SYS_setuid, 0), -1, EPERM);
	T(syscall(SYS_pidfd_open, sup, 0), -1, EPERM);
	T(syscall(SYS_kcmp, sup, getpid(), 0, 0, 0), -1, EPERM);
	return done();
}
