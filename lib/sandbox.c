/* SPDX-License-Identifier: ISC */
/*
 * sandbox - the seccomp filter (built once with libseccomp, exported as
 * BPF) and the start of the program: a CLONE_VM|CLONE_FILES child that
 * runs only raw system calls, so nothing of ours (malloc, sanitizer
 * runtimes) runs between clone and exec.  Its execveat is notified; the
 * supervisor answers that first one with CONTINUE and every later one
 * with EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/sched.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sandbox.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/*
 * The native allow-list.  Each entry is a decision: it may run without
 * the supervisor because it touches only the caller's own memory, threads,
 * signals or clocks, or reads harmless facts.  Everything else, every fd
 * and path call above all, is notified.
 */
static const int allow_always[] = {
	/* memory: the program's own address space (RLIMIT_AS bounds it).
	 * mmap of a file needs a real fd, and the program has none. */
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mprotect),
	SCMP_SYS(mremap), SCMP_SYS(madvise), SCMP_SYS(mincore),
	SCMP_SYS(msync),
	/* threads and their bookkeeping (clone is checked below) */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(get_robust_list),
	SCMP_SYS(set_tid_address), SCMP_SYS(rseq), SCMP_SYS(exit),
	SCMP_SYS(exit_group), SCMP_SYS(sched_yield),
	SCMP_SYS(sched_getaffinity), SCMP_SYS(getcpu),
	/* arch_prctl changes only the calling thread (FS/GS base, CET) */
	SCMP_SYS(arch_prctl),
	/* clocks and timers of the process itself */
	SCMP_SYS(clock_gettime), SCMP_SYS(clock_getres),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(getitimer),
	SCMP_SYS(setitimer), SCMP_SYS(alarm), SCMP_SYS(timer_create),
	SCMP_SYS(timer_settime), SCMP_SYS(timer_gettime),
	SCMP_SYS(timer_getoverrun), SCMP_SYS(timer_delete),
	/* signal state of the process; sending signals is notified */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigpending),
	SCMP_SYS(rt_sigsuspend), SCMP_SYS(rt_sigtimedwait),
	SCMP_SYS(sigaltstack), SCMP_SYS(restart_syscall), SCMP_SYS(pause),
	/* identity and facts: read-only, no object is reached */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getppid),
	SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(getgid),
	SCMP_SYS(getegid), SCMP_SYS(getresuid), SCMP_SYS(getresgid),
	SCMP_SYS(getgroups), SCMP_SYS(getpgrp), SCMP_SYS(getpgid),
	SCMP_SYS(getsid), SCMP_SYS(uname), SCMP_SYS(sysinfo),
	SCMP_SYS(getrusage), SCMP_SYS(times), SCMP_SYS(getrandom),
	SCMP_SYS(getrlimit), SCMP_SYS(getpriority), SCMP_SYS(umask),
	/* no child process can exist: these only ever say ECHILD */
	SCMP_SYS(wait4), SCMP_SYS(waitid),
};

/* prctl options that read state or name the caller's own thread/VMAs. */
static const int prctl_ok[] = {
	PR_SET_NAME, PR_GET_NAME, PR_GET_DUMPABLE, PR_GET_NO_NEW_PRIVS,
	PR_GET_SECCOMP, PR_CAPBSET_READ, PR_GET_KEEPCAPS, PR_GET_PDEATHSIG,
	PR_GET_TIMERSLACK, PR_SET_TIMERSLACK, PR_GET_THP_DISABLE,
	0x53564d41 /* PR_SET_VMA: names the caller's anonymous mappings */
};

/* Thread clone: these flags must all be there, the rest must be clear. */
#define CLONE_NEED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
	CLONE_THREAD)
#define CLONE_DENY (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	CLONE_PTRACE | CLONE_UNTRACED | CLONE_VFORK | CLONE_PARENT | \
	CLONE_PIDFD | CLONE_IO)

int
zvm_filter_build(struct zvm_filter *f, struct zvm_error *e)
{
	scmp_filter_ctx ctx;
	struct stat st;
	size_t i;
	int fd = -1, rc = -1, r;

	f->insn = NULL;
	f->len = 0;
	/* Default: ask the supervisor, which emulates, denies and counts. */
	if ((ctx = seccomp_init(SCMP_ACT_NOTIFY)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "seccomp_init failed");
		return -1;
	}
	/* A foreign ABI (i386 int 0x80, x32) kills the whole process. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (i = 0; r == 0 && i < sizeof(allow_always) / sizeof(int); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow_always[i], 0);
	for (i = 0; r == 0 && i < sizeof(prctl_ok) / sizeof(int); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, (uint32_t)prctl_ok[i]));
	/* personality(0xffffffff) only queries. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
		    SCMP_SYS(personality), 1,
		    SCMP_A0_32(SCMP_CMP_EQ, 0xffffffffu));
	/* prlimit64 that sets nothing (new == NULL) only reads. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(prlimit64),
		    1, SCMP_A2_64(SCMP_CMP_EQ, 0));
	/* A thread: same mm, files, handlers; no namespaces, no tracing.
	 * The kernel reads the low 32 bits of the flags. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
		    SCMP_A0_32(SCMP_CMP_MASKED_EQ, CLONE_NEED | CLONE_DENY,
		    CLONE_NEED));
	if (r != 0) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "seccomp rule: %s",
		    strerror(-r));
		goto out;
	}
	if ((fd = memfd_create("zvm-bpf", MFD_CLOEXEC)) == -1 ||
	    (r = seccomp_export_bpf(ctx, fd)) != 0 || fstat(fd, &st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "seccomp_export_bpf: %s",
		    strerror(fd == -1 || r == 0 ? errno : -r));
		goto out;
	}
	if (st.st_size <= 0 || st.st_size % sizeof(struct sock_filter) ||
	    st.st_size / sizeof(struct sock_filter) > BPF_MAXINSNS ||
	    (f->insn = malloc(st.st_size)) == NULL ||
	    pread(fd, f->insn, st.st_size, 0) != st.st_size) {
		free(f->insn);
		f->insn = NULL;
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "filter export failed");
		goto out;
	}
	f->len = st.st_size / sizeof(struct sock_filter);
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	seccomp_release(ctx);
	return rc;
}

void
zvm_filter_free(struct zvm_filter *f)
{
	free(f->insn);
	f->insn = NULL;
	f->len = 0;
}

int
zvm_program_open(const char *path, int *status, struct zvm_error *e)
{
	unsigned char magic[4];
	struct stat st;
	int fd;

	*status = ZVM_EXIT_NOEXEC;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
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
	if (pread(fd, magic, 4, 0) != 4 || memcmp(magic, "\177ELF", 4)) {
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
	if (sp->memory) {
		rl.rlim_cur = rl.rlim_max = sp->memory;
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
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int pidfd = -1, status;

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
zvm_syscall_name(int nr, char *buf, size_t n)
{
	char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);

	if (s) {
		strncpy(buf, s, n - 1);
		buf[n - 1] = '\0';
		free(s);
	} else
		snprintf(buf, n, "nr%d", nr);
	return buf;
}
