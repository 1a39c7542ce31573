/* SPDX-License-Identifier: ISC */
/*
 * sandbox - the seccomp filter and the start of the program.  The filter
 * is compiled to BPF at build time (tools/genfilter.c); the child only
 * sets its limits, installs the ready BPF with a user-notification
 * listener and execs.  Everything the filter does not allow natively is a
 * notification that lib/sv/supervise answers.
 */
#ifndef ZVM_SANDBOX_H
#define ZVM_SANDBOX_H

#include <stdint.h>
#include <sys/types.h>

#include "base/util.h"

/*
 * Virtual fds: every fd below this number belongs to the supervisor's
 * table and every system call on one is a notification.  Real fds (a
 * later issue injects read-only library fds) live at or above it.
 */
#define ZVM_NVFD 1024

/* A compiled filter: BPF instructions (struct sock_filter), static. */
struct zvm_filter {
	const void *insn;
	unsigned short len;
};

/* Filter variants: ZVM_FILTER_MEMTAG also notifies exit_group, so the
 * supervisor can take the memory etag before the program is gone. */
#define ZVM_FILTER_MEMTAG	1u

/* The precompiled filter for the variant flags (nothing to free). */
void zvm_filter_get(struct zvm_filter *, unsigned flags);

/*
 * Check that path names a program zvm-run can start and open it for
 * execveat(AT_EMPTY_PATH), so the file checked is the file run.  Returns
 * the fd (O_RDONLY|O_CLOEXEC), or -1 with e set and *status the exit
 * status to use: ZVM_EXIT_NOTFOUND (missing) or ZVM_EXIT_NOEXEC (not a
 * regular executable ELF file).
 */
int zvm_program_open(const char *path, int *status, struct zvm_error *e);

/* What the program may hold at once (zvm-run(1), LIMITS). */
struct zvm_limits {
	uint64_t memory;		/* RLIMIT_AS; 0: unlimited */
	uint64_t threads;		/* live threads, the first included */
	uint64_t files;			/* real fds: injected files, pipe ends */
	uint64_t scratch;		/* bytes in Scratch (scratchdir >= 0) */
};
#define ZVM_PIPE_BYTES		65536	/* a pipe's buffer, never grown */
/* A socketpair: what each end may queue, by default (wmem_default). */
#define ZVM_SOCK_BYTES		(2 * 212992)

/* What the child needs; every pointer borrowed for the call. */
struct zvm_spawn {
	int progfd;			/* from zvm_program_open() */
	const char *path;		/* the Program it opened */
	char *const *argv;		/* NULL-terminated */
	char *const *envp;		/* NULL-terminated */
	struct zvm_limits lim;
	/* Where Scratch's files live, unnamed (O_TMPFILE): a host
	 * directory zvm-run opened, or -1 for no Scratch. */
	int scratchdir;
	const struct zvm_filter *filter;
};

/*
 * State shared with the child (it runs in our address space until its
 * execveat).  Lives in struct zvm_child, which must stay in place until
 * the child is reaped.
 */
struct zvm_start {
	volatile int stage;		/* 0 starting, 1 filter on, -1 failed */
	int listener;
	int err;			/* errno of the failed step */
	int step;			/* which step failed (for messages) */
	volatile int exec_err;		/* errno of a failed execveat */
	pid_t ppid;
	const struct zvm_spawn *sp;
	struct sock_fprog_copy {
		unsigned short len;
		const void *filter;
	} prog;
	uint64_t sigpipe_ign, sigxfsz_ign;	/* restore in the child */
};

struct zvm_child {
	pid_t pid;
	int pidfd;
	int listener;			/* the notification fd */
	struct zvm_start st;
	void *stack;
	size_t stacklen;
};

/*
 * Start the child: clone (sharing memory and the fd table until exec),
 * limits, PR_SET_PDEATHSIG, NO_NEW_PRIVS, the filter with
 * NEW_LISTENER | WAIT_KILLABLE_RECV, then execveat, which is itself a
 * notification: the supervisor must answer it (zvm_supervise).  No
 * filter rule could let that one exec through natively: execveat with an
 * absolute path ignores the fd, and BPF cannot read the path.  Every fd
 * of the calling process is marked close-on-exec first.  Returns at once,
 * so the caller can prepare while the child works; zvm_sandbox_ready()
 * waits for the filter.  0, or -1 with e set (nothing left running).
 */
int zvm_sandbox_start(const struct zvm_spawn *, struct zvm_child *,
    struct zvm_error *e);

/*
 * Wait until the child's filter is on and c->listener is valid.  0, or -1
 * with e set when a step failed (the child is reaped).
 */
int zvm_sandbox_ready(struct zvm_child *, struct zvm_error *e);

/* Release what zvm_sandbox_start() kept (after the child was reaped). */
void zvm_sandbox_end(struct zvm_child *);

/* Name of an x86-64 system call, or NULL when it has none. */
const char *zvm_syscall_lookup(int nr);

#endif
