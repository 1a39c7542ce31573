/* SPDX-License-Identifier: ISC */
/*
 * genfilter - zvm-run's seccomp policy, compiled at build time.  Builds
 * each filter variant with libseccomp, exports the BPF and prints it as C
 * arrays, plus the x86-64 system call names for the report, on stdout:
 * the Makefile writes $(O)/gen/zvm-filter.h.  zvm-run itself never links
 * libseccomp: compiling the filter at run time cost ~0.1 ms per start
 * (reference/sandbox.md section 1a).
 */
#include <errno.h>
#include <linux/filter.h>
#include <linux/sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The native allow-list.  Each entry is a decision: it may run without
 * the supervisor because it touches only the caller's own memory, threads,
 * signals or clocks, or reads harmless facts.  Everything else, every fd
 * and path call above all, is notified.
 */
static const int allow_always[] = {
	/* memory: the program's own address space (RLIMIT_AS bounds it);
	 * mmap is below: a map of an injected fd is a read.  mremap is
	 * notified in every variant: growing a map of an injected file
	 * reaches more of it, and its registers cannot say which it is. */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mprotect),
	SCMP_SYS(madvise), SCMP_SYS(mincore), SCMP_SYS(msync),
	/* threads and their bookkeeping (clone and exit are notified, to
	 * count threads; exit_group is notified in the memory-etag
	 * variant) */
	SCMP_SYS(futex), SCMP_SYS(set_robust_list), SCMP_SYS(get_robust_list),
	SCMP_SYS(set_tid_address), SCMP_SYS(rseq),
	SCMP_SYS(sched_yield), SCMP_SYS(sched_getaffinity), SCMP_SYS(getcpu),
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

/* Below it the program's fds are virtual (lib/run/sandbox.h ZVM_NVFD). */
#define NVFD 1024

static int
rules(scmp_filter_ctx ctx, int memtag)
{
	size_t i;
	int r;

	/* A foreign ABI (i386 int 0x80, x32) kills the whole process. */
	r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	for (i = 0; r == 0 && i < sizeof(allow_always) / sizeof(int); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allow_always[i], 0);
	/* The memory etag is taken when exit_group stops the program. */
	if (r == 0 && !memtag)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(exit_group),
		    0);
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
	/*
	 * mmap natively when anonymous, or of an fd below NVFD, which the
	 * program's kernel fd table never holds (EBADF).  The kernel reads
	 * the fd as an unsigned int.  Maps of the real fds the supervisor
	 * injected (libraries, image files) are notified and charged.
	 */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		    SCMP_A3_64(SCMP_CMP_MASKED_EQ, MAP_ANONYMOUS,
		    MAP_ANONYMOUS));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		    SCMP_A4_32(SCMP_CMP_LT, NVFD));
	/* lseek of an injected fd moves only its offset, which the
	 * supervisor's reads use and move in turn. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(lseek), 1,
		    SCMP_A0_32(SCMP_CMP_GE, NVFD));
	/* clone is notified: the supervisor lets threads through, as many
	 * as Threads allows (lib/sv/proc). */
	return r;
}

/* Print variant name as a struct sock_filter array. */
static int
emit(const char *name, int memtag)
{
	struct sock_filter *f;
	scmp_filter_ctx ctx;
	struct stat st;
	size_t i, n;
	int fd, r;

	/* Default: ask the supervisor, which emulates, denies and counts. */
	if ((ctx = seccomp_init(SCMP_ACT_NOTIFY)) == NULL)
		return -ENOMEM;
	if ((r = rules(ctx, memtag)) != 0)
		goto out;
	if ((fd = memfd_create("zvm-bpf", MFD_CLOEXEC)) == -1) {
		r = -errno;
		goto out;
	}
	if ((r = seccomp_export_bpf(ctx, fd)) != 0)
		goto outfd;
	if (fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size % sizeof(*f) ||
	    (n = st.st_size / sizeof(*f)) > BPF_MAXINSNS) {
		r = -EINVAL;
		goto outfd;
	}
	if ((f = malloc(st.st_size)) == NULL) {
		r = -ENOMEM;
		goto outfd;
	}
	if (pread(fd, f, st.st_size, 0) != st.st_size) {
		free(f);
		r = -EIO;
		goto outfd;
	}
	printf("\nstatic const struct sock_filter %s[%zu] = {\n", name, n);
	for (i = 0; i < n; i++)
		printf("\t{ 0x%04x, %u, %u, 0x%08x },\n", f[i].code, f[i].jt,
		    f[i].jf, f[i].k);
	printf("};\n");
	free(f);
outfd:
	close(fd);
out:
	seccomp_release(ctx);
	return r;
}

/* Names for every number libseccomp knows, for the report's Denied line. */
static void
names(void)
{
	int nr, max = 0;

	for (nr = 0; nr < 1024; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64,
		    nr);

		if (s)
			max = nr;
		free(s);
	}
	printf("\n#define ZVM_NSYSNAMES %d\n", max + 1);
	printf("static const char *const zvm_sysnames[%d] = {\n", max + 1);
	for (nr = 0; nr <= max; nr++) {
		char *s = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64,
		    nr);

		if (s)
			printf("\t[%d] = \"%s\",\n", nr, s);
		free(s);
	}
	printf("};\n");
}

int
main(void)
{
	int r;

	printf("/* Generated by tools/genfilter.c: do not edit. */\n");
	if ((r = emit("zvm_bpf_plain", 0)) == 0)
		r = emit("zvm_bpf_memtag", 1);
	if (r != 0) {
		fprintf(stderr, "genfilter: %s\n", strerror(-r));
		return 1;
	}
	names();
	if (fflush(stdout) == EOF || ferror(stdout)) {
		perror("genfilter: stdout");
		return 1;
	}
	return 0;
}
