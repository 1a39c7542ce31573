/* SPDX-License-Identifier: ISC */
/*
 * sandbox - the seccomp filter (compiled to BPF at build time by
 * tools/genfilter.c) and the start of the program: a CLONE_VM|CLONE_FILES
 * child that runs only raw system calls, so nothing of ours (malloc,
 * sanitizer runtimes) runs between clone and exec.  Its execveat is
 * notified; the supervisor answers that first one with CONTINUE and
 * every later one with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/sandbox.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* The BPF of each variant and the system call names, built by
 * tools/genfilter.c with libseccomp at build time. */
#include "zvm-filter.h"

void
zvm_filter_get(struct zvm_filter *f, unsigned flags)
{
	if (flags & ZVM_FILTER_MEMTAG) {
		f->insn = zvm_bpf_memtag;
		f->len = sizeof(zvm_bpf_memtag) / sizeof(zvm_bpf_memtag[0]);
	} else {
		f->insn = zvm_bpf_plain;
		f->len = sizeof(zvm_bpf_plain) / sizeof(zvm_bpf_plain[0]);
	}
}

int
zvm_program_open(const char *path, int *status, struct zvm_error *e)
{
	unsigned char magic[4];
	struct stat st;
	ssize_t n;
	int fd;

	*status = ZVM_EXIT_NOEXEC;
	if ((fd = openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) ==
	    -1) {
		if (errno == ENOENT || errno == ENOTDIR)
			*status = ZVM_EXIT_NOTFOUND;
		zvm_error_set(e, ZVM_E_SYS, path, 0, "cannot open the program");
		e->sys_errno = errno;
		return -1;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		zvm_error_set(e, ZVM_E_VALUE, path, 0,
		    "program is not a regular file");
		goto fail;
	}
	if (faccessat(fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) == -1 &&
	    (errno != EINVAL || !(st.st_mode & 0111))) {
		zvm_error_set(e, ZVM_E_VALUE, path, 0,
		    "program is not executable");
		goto fail;
	}
	/* The kernel would run a script's interpreter: a second exec,
	 * which the sandbox refuses. */
	if ((n = pread(fd, magic, 4, 0)) >= 2 && memcmp(magic, "#!", 2) == 0) {
		zvm_error_set(e, ZVM_E_VALUE, path, 0, "program is a #! "
		    "script: name its interpreter as Program (zvm-manifest "
		    "does)");
		goto fail;
	}
	if (n != 4 || memcmp(magic, "\177ELF", 4)) {
		zvm_error_set(e, ZVM_E_VALUE, path, 0,
		    "program is not an ELF file");
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Raw system calls for the child: no errno, no libc state, nothing a
 * sanitizer runtime intercepts.
 */
static inline long
rsys6(long n, long a, long b, long c, long d, long e, long f)
{
	long ret;
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;

	__asm__ volatile ("syscall" : "=a"(ret)
	    : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
	    : "rcx", "r11", "memory");
	return ret;
}

#define rsys(n, a, b, c) rsys6((n), (long)(a), (long)(b), (long)(c), 0, 0, 0)

enum {
	STEP_MASK = 1, STEP_PDEATH, STEP_PARENT, STEP_RLIMIT, STEP_NNP,
	STEP_SECCOMP
};

struct ksigaction {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

__attribute__((no_sanitize("address", "undefined")))
static void
child_fail(struct zvm_start *st, int step, long r)
{
	st->err = (int)-r;
	st->step = step;
	__atomic_store_n(&st->stage, -1, __ATOMIC_SEQ_CST);
	rsys(SYS_futex, &st->stage, FUTEX_WAKE, 1);
	rsys(SYS_exit_group, ZVM_EXIT_RUNFAIL, 0, 0);
}

__attribute__((no_sanitize("address", "undefined")))
static int
child_main(void *arg)
{
	struct zvm_start *st = arg;
	const struct zvm_spawn *sp = st->sp;
	struct ksigaction sa = { 0 };
	struct rlimit rl;
	uint64_t mask = 0;
	long r;

	/* The signal mask and the two dispositions the supervisor changed
	 * go back to what zvm-run itself inherited. */
	if ((r = rsys6(SYS_rt_sigprocmask, SIG_SETMASK, (long)&mask, 0, 8,
	    0, 0)) < 0)
		child_fail(st, STEP_MASK, r);
	sa.handler = st->sigpipe_ign ? SIG_IGN : SIG_DFL;
	rsys6(SYS_rt_sigaction, SIGPIPE, (long)&sa, 0, 8, 0, 0);
	sa.handler = st->sigxfsz_ign ? SIG_IGN : SIG_DFL;
	rsys6(SYS_rt_sigaction, SIGXFSZ, (long)&sa, 0, 8, 0, 0);
	/* Killing zvm-run kills the program. */
	if ((r = rsys(SYS_prctl, PR_SET_PDEATHSIG, SIGKILL, 0)) < 0)
		child_fail(st, STEP_PDEATH, r);
	if (rsys(SYS_getppid, 0, 0, 0) != st->ppid)
		child_fail(st, STEP_PARENT, -ESRCH);
	rl.rlim_cur = rl.rlim_max = 0;
	if ((r = rsys6(SYS_prlimit64, 0, RLIMIT_CORE, (long)&rl, 0, 0,
	    0)) < 0)
		child_fail(st, STEP_RLIMIT, r);
	/* Injected fds live at ZVM_NVFD and up, which a soft limit of
	 * 1024 would refuse: the soft limit goes to the hard one. */
	if (rsys6(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, (long)&rl, 0, 0) == 0 &&
	    rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		rsys6(SYS_prlimit64, 0, RLIMIT_NOFILE, (long)&rl, 0, 0, 0);
	}
	if (sp->lim.memory) {
		rl.rlim_cur = rl.rlim_max = sp->lim.memory;
		if ((r = rsys6(SYS_prlimit64, 0, RLIMIT_AS, (long)&rl, 0, 0,
		    0)) < 0)
			child_fail(st, STEP_RLIMIT, r);
	}
	if ((r = rsys6(SYS_prctl, PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0)) < 0)
		child_fail(st, STEP_NNP, r);
	r = rsys(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER |
	    SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV, &st->prog);
	if (r < 0)
		child_fail(st, STEP_SECCOMP, r);
	/* The listener is in the shared fd table, close-on-exec. */
	st->listener = (int)r;
	__atomic_store_n(&st->stage, 1, __ATOMIC_SEQ_CST);
	rsys(SYS_futex, &st->stage, FUTEX_WAKE, 1);
	r = rsys6(SYS_execveat, sp->progfd, (long)"", (long)sp->argv,
	    (long)sp->envp, AT_EMPTY_PATH, 0);
	st->exec_err = (int)-r;
	rsys(SYS_exit_group, r == -ENOENT ? ZVM_EXIT_NOTFOUND :
	    ZVM_EXIT_NOEXEC, 0, 0);
	return 0;
}

static const char *const stepname[] = {
	"", "sigprocmask", "PR_SET_PDEATHSIG", "parent", "setrlimit",
	"PR_SET_NO_NEW_PRIVS", "seccomp"
};

int
zvm_sandbox_start(const struct zvm_spawn *sp, struct zvm_child *c,
    struct zvm_error *e)
{
	struct zvm_start *st = &c->st;
	struct sigaction old;
	int pidfd = -1;

	memset(c, 0, sizeof(*c));
	c->pid = -1;
	c->pidfd = c->listener = -1;
	st->sp = sp;
	st->ppid = getpid();
	st->prog.len = sp->filter->len;
	st->prog.filter = sp->filter->insn;
	if (sigaction(SIGPIPE, NULL, &old) == 0)
		st->sigpipe_ign = old.sa_handler == SIG_IGN;
	if (sigaction(SIGXFSZ, NULL, &old) == 0)
		st->sigxfsz_ign = old.sa_handler == SIG_IGN;
	/* Nothing of ours may survive the exec: the child shares our table
	 * until then. */
	if (syscall(SYS_close_range, 0, ~0U, CLOSE_RANGE_CLOEXEC) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "close_range");
		e->sys_errno = errno;
		return -1;
	}
	c->stacklen = 64 * 1024;
	c->stack = mmap(NULL, c->stacklen, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (c->stack == MAP_FAILED) {
		c->stack = NULL;
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "mmap");
		e->sys_errno = errno;
		return -1;
	}
	c->pid = clone(child_main, (char *)c->stack + c->stacklen,
	    CLONE_VM | CLONE_FILES | CLONE_PIDFD | SIGCHLD, st, &pidfd);
	if (c->pid == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "clone");
		e->sys_errno = errno;
		zvm_sandbox_end(c);
		return -1;
	}
	c->pidfd = pidfd;
	return 0;
}

int
zvm_sandbox_ready(struct zvm_child *c, struct zvm_error *e)
{
	struct zvm_start *st = &c->st;
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int status;

	/* Wait for the filter (or the failure) without spinning. */
	while (__atomic_load_n(&st->stage, __ATOMIC_SEQ_CST) == 0) {
		siginfo_t si = { 0 };

		syscall(SYS_futex, &st->stage, FUTEX_WAIT, 0, &ts);
		if (waitid(P_PID, c->pid, &si, WEXITED | WNOHANG | WNOWAIT)
		    == 0 && si.si_pid == c->pid && st->stage == 0) {
			st->step = STEP_PARENT;
			st->err = ECHILD;
			st->stage = -1;
		}
	}
	if (st->stage < 0) {
		waitpid(c->pid, &status, 0);
		c->pid = -1;
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "sandbox setup: %s",
		    stepname[st->step]);
		e->sys_errno = st->err;
		zvm_sandbox_end(c);
		return -1;
	}
	c->listener = st->listener;
	return 0;
}

void
zvm_sandbox_end(struct zvm_child *c)
{
	if (c->pidfd != -1)
		close(c->pidfd);
	if (c->listener != -1)
		close(c->listener);
	if (c->stack)
		munmap(c->stack, c->stacklen);
	c->pidfd = c->listener = -1;
	c->stack = NULL;
}

const char *
zvm_syscall_lookup(int nr)
{
	return nr >= 0 && nr < ZVM_NSYSNAMES ? zvm_sysnames[nr] : NULL;
}

