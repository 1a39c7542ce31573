/* SPDX-License-Identifier: ISC */
/*
 * supervise - the notification loop.  It sleeps in NOTIF_RECV while no
 * call is pending, and in one poll() over the listener and the streams
 * pending calls wait on otherwise; a watcher thread serves the program's
 * pidfd, the timeout's timerfd and a signalfd for zvm-run's termination
 * signals.  Calls are answered from lib/sv/chanio and lib/sv/fdtable or denied
 * here (counted by name); only register-only decisions (the first
 * execveat, signals to the program itself, exit_group after the memory
 * etag, maps of injected fds) are answered with CONTINUE, and mremap,
 * decided on the registers and /proc/PID/maps (lib/sv/chanio).
 */
#include <errno.h>
#include <linux/audit.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "base/path.h"
#include "sv/supervise.h"
#include "sv/sv.h"

/* Linux 6.6; Debian's uapi headers lack both. */
#ifndef SECCOMP_IOCTL_NOTIF_SET_FLAGS
#define SECCOMP_IOCTL_NOTIF_SET_FLAGS SECCOMP_IOW(4, __u64)
#endif
#ifndef SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP
#define SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP (1UL << 0)
#endif
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
/* x86-64 numbers musl 1.2.3's <sys/syscall.h> does not have yet. */
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

int
zvm_sv_peek(struct zvm_sv *sv, uint64_t addr, void *p, size_t n)
{
	struct iovec l = { p, n }, r = { (void *)(uintptr_t)addr, n };

	return process_vm_readv(sv->pid, &l, 1, &r, 1, 0) == (ssize_t)n ?
	    0 : -EFAULT;
}

int
zvm_sv_poke(struct zvm_sv *sv, uint64_t addr, const void *p, size_t n)
{
	struct iovec l = { (void *)p, n }, r = { (void *)(uintptr_t)addr, n };

	return process_vm_writev(sv->pid, &l, 1, &r, 1, 0) == (ssize_t)n ?
	    0 : -EFAULT;
}

int
zvm_sv_peekstr(struct zvm_sv *sv, uint64_t addr, char *buf, size_t n)
{
	size_t got = 0;

	/* Page by page: a string may end just before unmapped memory. */
	while (got < n) {
		size_t c = 4096 - ((addr + got) & 4095);
		struct iovec l, r;
		ssize_t k;
		char *z;

		if (c > n - got)
			c = n - got;
		l.iov_base = buf + got;
		l.iov_len = c;
		r.iov_base = (void *)(uintptr_t)(addr + got);
		r.iov_len = c;
		if ((k = process_vm_readv(sv->pid, &l, 1, &r, 1, 0)) <= 0)
			return -EFAULT;
		if ((z = memchr(buf + got, '\0', k)) != NULL)
			return 0;
		got += k;
	}
	return -ENAMETOOLONG;
}

void
zvm_sv_deny(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int err)
{
	struct zvm_report *rep = sv->rep;
	char name[32];
	size_t i;

	r->error = err;
	for (i = 0; i < rep->ndenied; i++)
		if (rep->denied[i].nr == req->data.nr)
			break;
	if (i < rep->ndenied)
		rep->denied[i].count++;
	else
		zvm_report_deny(rep, req->data.nr,
		    zvm_syscall_name(req->data.nr, name, sizeof(name)));
}

/* What a call outside the allow-list and the emulated set gets. */
static int
deny_errno(int nr)
{
	switch (nr) {
	case SYS_socket: case SYS_socketpair: case SYS_connect:
	case SYS_bind: case SYS_listen: case SYS_accept: case SYS_accept4:
	case SYS_sendto: case SYS_recvfrom: case SYS_sendmsg:
	case SYS_recvmsg: case SYS_sendmmsg: case SYS_recvmmsg:
	case SYS_shutdown: case SYS_getsockopt: case SYS_setsockopt:
	case SYS_getsockname: case SYS_getpeername:
		return EACCES;
	/* libc falls back to clone; a ring would bypass the filter. */
	case SYS_clone3: case SYS_io_uring_setup: case SYS_io_uring_enter:
	case SYS_io_uring_register:
		return ENOSYS;
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_execve:
	case SYS_execveat: case SYS_ptrace: case SYS_process_vm_readv:
	case SYS_process_vm_writev: case SYS_seccomp: case SYS_bpf:
	case SYS_mount: case SYS_umount2: case SYS_unshare: case SYS_setns:
	case SYS_keyctl: case SYS_add_key: case SYS_request_key:
	case SYS_perf_event_open: case SYS_userfaultfd:
	case SYS_personality: case SYS_prctl: case SYS_prlimit64:
	case SYS_setrlimit: case SYS_kcmp: case SYS_pidfd_open:
	case SYS_pidfd_getfd: case SYS_pidfd_send_signal: case SYS_kill:
	case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_reboot: case SYS_kexec_load:
	case SYS_kexec_file_load: case SYS_init_module:
	case SYS_finit_module: case SYS_delete_module: case SYS_pivot_root:
	case SYS_settimeofday: case SYS_clock_settime:
	case SYS_clock_adjtime: case SYS_adjtimex: case SYS_setuid:
	case SYS_setgid: case SYS_setreuid: case SYS_setregid:
	case SYS_setresuid: case SYS_setresgid: case SYS_setgroups:
	case SYS_setfsuid: case SYS_setfsgid: case SYS_capset:
	case SYS_iopl: case SYS_ioperm: case SYS_modify_ldt:
	case SYS_syslog: case SYS_vhangup: case SYS_sched_setaffinity:
	case SYS_sched_setscheduler: case SYS_sched_setparam:
	case SYS_sched_setattr: case SYS_setpriority: case SYS_ioprio_set:
	case SYS_mlock: case SYS_mlock2: case SYS_mlockall:
	case SYS_munlock: case SYS_munlockall: case SYS_memfd_secret:
	case SYS_fsopen: case SYS_fsconfig: case SYS_fsmount:
	case SYS_fspick: case SYS_move_mount: case SYS_open_tree:
	case SYS_mount_setattr: case SYS_landlock_create_ruleset:
	case SYS_landlock_add_rule: case SYS_landlock_restrict_self:
	case SYS_setpgid: case SYS_setsid: case SYS_sethostname:
	case SYS_setdomainname: case SYS_migrate_pages:
	case SYS_move_pages: case SYS_mbind: case SYS_set_mempolicy:
	case SYS_fanotify_init: case SYS_process_madvise:
	case SYS_process_mrelease: case SYS_quotactl_fd:
		return EPERM;
	}
	return ENOSYS;
}

uint64_t
zvm_sv_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

/* How often a waiting poll's thread is looked at for signals. */
#define SIG_TICK (20 * 1000 * 1000ULL)

struct loop {
	uint64_t t0, t1;	/* exec, exit */
	int listener_gone;
	unsigned long served;	/* notifications received */
};

/*
 * The fast path.  Only a supervisor blocked in NOTIF_RECV gets the CPU
 * straight from the program under SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP, so
 * once a program has made FAST_AFTER calls the loop hands the pidfd, the
 * timerfd and the signalfd to a watcher thread and sleeps in RECV itself
 * whenever no call is pending (one poll() fewer per call).  Short runs
 * never start the thread: it would cost more than it saves.  The watcher
 * kills the program on timeout and forwards signals itself.  When the
 * program is gone it sets gone and interrupts the loop with SIGURG, whose
 * handler has no SA_RESTART, so RECV fails with EINTR; it repeats that
 * every millisecond until the loop stops it, because a signal landing
 * just before the loop enters RECV is lost and RECV on a dead filter need
 * not return by itself (seccomp_unotify(2), BUGS).  SIGURG is ignored by
 * default: a stray one after the run harms nothing.
 */
/* Starting and stopping the thread costs ~150 us here, a poll() per
 * call 1-2 us: at 16, /usr/bin/true (16 calls) paid for a thread it
 * never used, 8% of its run. */
#define FAST_AFTER 64

struct watch {
	pthread_t thr;
	int running;		/* the thread owns the three fds below */
	pid_t pid, tid;		/* ours, and the loop's thread */
	int pidfd, timerfd, sigfd;
	int stopfd;		/* eventfd: the loop has stopped */
	int gone;		/* atomic: the program has exited */
	int timed_out;		/* atomic: we killed it for the timeout */
	int err;		/* errno of a failed poll() */
	uint64_t t1;		/* when it was seen gone */
	struct sigaction old;	/* SIGURG's disposition before */
};

static void
forward_signal(struct watch *w)
{
	struct signalfd_siginfo si;

	if (read(w->sigfd, &si, sizeof(si)) == sizeof(si))
		syscall(SYS_pidfd_send_signal, w->pidfd, si.ssi_signo, NULL,
		    0);
}

static void
timer_fired(struct watch *w)
{
	uint64_t x;

	if (read(w->timerfd, &x, sizeof(x)) == sizeof(x)) {
		__atomic_store_n(&w->timed_out, 1, __ATOMIC_SEQ_CST);
		syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0);
	}
}

static void *
watch_main(void *arg)
{
	struct watch *w = arg;
	struct pollfd pfd[4] = {
		{ w->pidfd, POLLIN, 0 }, { w->timerfd, POLLIN, 0 },
		{ w->sigfd, POLLIN, 0 }, { w->stopfd, POLLIN, 0 }
	};

	for (;;) {
		if (poll(pfd, 4, -1) == -1) {
			if (errno == EINTR)
				continue;
			/* Cannot watch: end the run rather than hang. */
			w->err = errno;
			syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL,
			    0);
			break;
		}
		if (pfd[3].revents)
			return NULL;
		if (pfd[1].revents & POLLIN)
			timer_fired(w);
		if (pfd[2].revents & POLLIN)
			forward_signal(w);
		if (pfd[0].revents)
			break;
	}
	w->t1 = zvm_sv_now();
	__atomic_store_n(&w->gone, 1, __ATOMIC_SEQ_CST);
	do
		syscall(SYS_tgkill, w->pid, w->tid, SIGURG);
	while (poll(&pfd[3], 1, 1) == 0);
	return NULL;
}

static void
on_kick(int sig)
{
	(void)sig;
}

/* Start the watcher; -1 (and the loop stays on poll()) if we cannot. */
static int
watch_start(struct watch *w)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;	/* no SA_RESTART: RECV says EINTR */
	sigemptyset(&sa.sa_mask);
	w->pid = getpid();
	w->tid = (pid_t)syscall(SYS_gettid);
	if ((w->stopfd = eventfd(0, EFD_CLOEXEC)) == -1)
		return -1;
	if (sigaction(SIGURG, &sa, &w->old) == -1) {
		close(w->stopfd);
		return -1;
	}
	/* It inherits our mask: the forwarded signals stay blocked. */
	if (pthread_create(&w->thr, NULL, watch_main, w) != 0) {
		sigaction(SIGURG, &w->old, NULL);
		close(w->stopfd);
		return -1;
	}
	w->running = 1;
	return 0;
}

static void
watch_stop(struct watch *w)
{
	uint64_t one = 1;

	if (!w->running)
		return;
	while (write(w->stopfd, &one, sizeof(one)) == -1 && errno == EINTR)
		;
	pthread_join(w->thr, NULL);
	close(w->stopfd);
	sigaction(SIGURG, &w->old, NULL);
	w->running = 0;
}

/*
 * The memory etag: xxh128 over the contents (not the addresses) of every
 * readable mapping of the program, in address order, as /proc/PID/maps
 * lists them.  Skipped: [vvar], [vvar_vclock] and [vsyscall], which
 * process_vm_readv cannot read, and [vdso] and [uprobes], the kernel's
 * pages rather than the program's; and the rest of a mapping from the
 * first byte that cannot be read (a file mapping past the end of its
 * file, a page whose protection changed while we read).  Other threads
 * keep running meanwhile; what they change is hashed as it is read.
 */
static int
kernel_mapping(const char *name)
{
	static const char *const skip[] = {
		"[vvar]", "[vvar_vclock]", "[vsyscall]", "[vdso]", "[uprobes]"
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

static void
memory_etag(struct zvm_sv *sv)
{
	struct zvm_etag et;
	char path[64], *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)sv->pid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	zvm_etag_init(&et);
	while ((len = getline(&line, &cap, f)) > 0) {
		unsigned long lo, hi;
		char perm[5];
		int name = 0;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perm,
		    &name) < 3 || perm[0] != 'r' ||
		    (name > 0 && kernel_mapping(line + name)))
			continue;
		while (lo < hi) {
			size_t c = hi - lo < ZVM_BUFSZ ? hi - lo : ZVM_BUFSZ;
			struct iovec l = { sv->buf, c };
			struct iovec r = { (void *)lo, c };
			ssize_t k = process_vm_readv(sv->pid, &l, 1, &r, 1, 0);

			if (k <= 0)
				break;
			zvm_etag_update(&et, sv->buf, k);
			if ((size_t)k < c)
				break;
			lo += c;
		}
	}
	free(line);
	/* A maps file we could not read to its end is no digest. */
	if (!ferror(f)) {
		zvm_etag_hex(&et, sv->rep->memory_etag);
		sv->rep->memory_etag_done = 1;
	}
	fclose(f);
}

/* Does tid belong to the program (a thread of its leader)? */
static int
our_thread(struct zvm_sv *sv, pid_t tid)
{
	char path[64];
	struct stat st;

	if (tid == sv->pid)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)sv->pid,
	    (int)tid);
	return tid > 0 && stat(path, &st) == 0;
}

static int
dispatch(struct zvm_sv *sv, struct loop *lp, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	const __u64 *a = req->data.args;
	int h;

	if (req->data.arch != AUDIT_ARCH_X86_64) {	/* the filter kills */
		r->error = ENOSYS;
		return ZVM_H_DONE;
	}
	sv->cur_id = req->id;
	if ((h = zvm_io_handle(sv, req, r, chan, events)) >= 0)
		return h;
	*chan = -1;
	if ((h = zvm_poll_handle(sv, req, r)) >= 0)
		return h;
	if (zvm_fd_handle(sv, req, r))
		return ZVM_H_DONE;
	switch (req->data.nr) {
	case SYS_execve:
	case SYS_execveat:
		/* Ours: the child has run only sandbox.c code so far. */
		if (!sv->execed && (pid_t)req->pid == sv->pid) {
			struct itimerspec it = { 0 };

			sv->execed = 1;
			it.it_value.tv_sec = sv->timeout;
			timerfd_settime(sv->timerfd, 0, &it, NULL);
			lp->t0 = zvm_sv_now();
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	case SYS_exit_group:
		/*
		 * Only the memory-etag filter sends it.  Read everything
		 * first, then let the exit go on: CONTINUE decides on the
		 * number alone.  A failed exec exits here too, still in
		 * zvm-run's own memory: no digest of that.
		 */
		if (sv->memtag && sv->execed && *sv->exec_err == 0 &&
		    !sv->rep->memory_etag_done)
			memory_etag(sv);
		r->cont = 1;
		return ZVM_H_DONE;
	/* Signals: the program may signal itself, nobody else. */
	case SYS_kill:
	case SYS_tgkill:
	case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo:
		if ((pid_t)a[0] == sv->pid) {
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	case SYS_tkill:
		if (our_thread(sv, (pid_t)a[0])) {
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	}
	zvm_sv_deny(sv, req, r, deny_errno(req->data.nr));
	return ZVM_H_DONE;
}

static void
respond(struct zvm_sv *sv, const struct seccomp_notif *req,
    const struct zvm_resp *r)
{
	struct seccomp_notif_resp resp;
	int ok;

	if (r->inject) {
		(void)zvm_inj_send(sv, req, r);
		return;
	}
	memset(&resp, 0, sizeof(resp));
	resp.id = req->id;
	if (r->cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (r->error)
		resp.error = -r->error;
	else
		resp.val = r->val;
	ok = ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
	zvm_io_commit(sv, ok);
}

static int
add_pending(struct zvm_sv *sv, const struct seccomp_notif *req, int chan,
    short events)
{
	struct zvm_pending *p;

	if (sv->npend == sv->cappend) {
		size_t cap = sv->cappend ? sv->cappend * 2 : 16;

		if ((p = realloc(sv->pend, cap * sizeof(*p))) == NULL)
			return -1;
		sv->pend = p;
		sv->cappend = cap;
	}
	p = &sv->pend[sv->npend++];
	p->req = *req;
	p->chan = chan;
	p->events = events;
	p->done = sv->wdone;
	p->want = sv->wwant;
	p->pw = sv->pwait;
	p->deadline = sv->pdeadline;
	p->sigcheck = zvm_sv_now() + SIG_TICK;
	sv->pwait = NULL;
	return 0;
}

/*
 * A thread is in one call at a time: a new call from a thread whose
 * earlier call still waits here means a signal took that one back (its
 * handler ran, or the call restarts).  Forget it.
 */
static void
drop_stale(struct zvm_sv *sv, __u32 tid)
{
	size_t i, j = 0;

	for (i = 0; i < sv->npend; i++) {
		if (sv->pend[i].req.pid == tid) {
			zvm_pw_free(sv->pend[i].pw);
			continue;
		}
		sv->pend[j++] = sv->pend[i];
	}
	sv->npend = j;
}

static int
serve_new(struct zvm_sv *sv, struct loop *lp)
{
	struct seccomp_notif req;
	struct zvm_resp r = { 0 };
	short events = 0;
	int chan = -1;

	memset(&req, 0, sizeof(req));
	sv->wdone = sv->wwant = 0;
	if (ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1) {
		struct pollfd pfd = { sv->listener, POLLIN, 0 };

		if (errno == EINTR)
			return 0;
		if (errno != ENOENT)
			return -1;
		/*
		 * A call withdrawn (its thread got a fatal signal), or a
		 * filter nobody uses any more: RECV says ENOENT at once from
		 * then on, and spinning on it would starve the watcher.
		 */
		if (poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP))
			lp->listener_gone = 1;
		return 0;
	}
	lp->served++;
	if (sv->npend)
		drop_stale(sv, req.pid);
	sv->pwait = NULL;
	sv->pdeadline = 0;
	if (dispatch(sv, lp, &req, &r, &chan, &events) == ZVM_H_PEND) {
		if (add_pending(sv, &req, chan, events) == 0)
			return 0;
		zvm_pw_free(sv->pwait);
		sv->pwait = NULL;
		r.error = ENOMEM;
	}
	respond(sv, &req, &r);
	return 0;
}

/* Is a waiting poll to be looked at again: one of its fds stirred, or
 * its time is up? */
static int
poll_due(const struct zvm_pending *p, const struct pollfd *pfd, size_t np,
    uint64_t now)
{
	if (now >= p->deadline)
		return 1;
	for (size_t k = 0; p->pw && k < p->pw->n; k++)
		for (size_t i = 4; i < np; i++)
			if (pfd[i].fd == p->pw->p[k].fd && pfd[i].revents)
				return 1;
	return 0;
}

/* A waiting poll: answer it if it is due or a signal ends it; 1 while it
 * still waits.  Every SIG_TICK, look at its thread's signals and at the
 * program's own pipes it holds. */
static int
retry_poll(struct zvm_sv *sv, struct loop *lp, struct zvm_pending *p,
    const struct pollfd *pfd, size_t np, uint64_t now)
{
	struct zvm_resp r = { 0 };
	short events;
	int chan, due = poll_due(p, pfd, np, now), sig = 0;

	if (now >= p->sigcheck) {
		p->sigcheck = now + SIG_TICK;
		sig = zvm_poll_signalled(sv, (pid_t)p->req.pid);
		due |= p->pw && p->pw->tick;
	}
	if (sig) {
		zvm_pw_free(p->pw);
		r.error = EINTR;
	} else if (!due)
		return 1;
	else {
		sv->pwait = p->pw;
		sv->pdeadline = p->deadline;
		if (dispatch(sv, lp, &p->req, &r, &chan, &events) ==
		    ZVM_H_PEND) {
			p->pw = sv->pwait;
			sv->pwait = NULL;
			return 1;
		}
	}
	respond(sv, &p->req, &r);
	return 0;
}

/* Retry, oldest first, the pending calls whose stream is ready, and the
 * polls that are due. */
static void
serve_pending(struct zvm_sv *sv, struct loop *lp, const unsigned char *rdy,
    const struct pollfd *pfd, size_t np)
{
	unsigned char *blocked = calloc(sv->nsrc ? sv->nsrc : 1, 1);
	uint64_t now = zvm_sv_now();
	size_t i, j = 0;

	for (i = 0; i < sv->npend; i++) {
		struct zvm_pending *p = &sv->pend[i];
		struct zvm_resp r = { 0 };
		short events;
		int chan;

		if (p->chan < 0) {
			if (retry_poll(sv, lp, p, pfd, np, now))
				sv->pend[j++] = *p;
			continue;
		}
		if (rdy[p->chan] && (blocked == NULL || !blocked[p->chan])) {
			sv->wdone = p->done;
			sv->wwant = p->want;
			if (dispatch(sv, lp, &p->req, &r, &chan, &events) ==
			    ZVM_H_DONE) {
				respond(sv, &p->req, &r);
				continue;
			}
			p->done = sv->wdone;
			p->want = sv->wwant;
			if (blocked)
				blocked[p->chan] = 1;
		}
		sv->pend[j++] = *p;
	}
	sv->npend = j;
	free(blocked);
}

static int
run_loop(struct zvm_sv *sv, struct loop *lp, struct watch *w,
    struct zvm_error *e)
{
	struct pollfd *pfd;
	unsigned char *rdy;
	size_t cappfd = 4 + sv->nsrc;
	int rc = -1;

	pfd = calloc(cappfd, sizeof(*pfd));
	rdy = calloc(sv->nsrc ? sv->nsrc : 1, 1);
	if (pfd == NULL || rdy == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (;;) {
		size_t i, np = 4, need = 4 + sv->nsrc;
		uint64_t due = UINT64_MAX;
		int any = 0, ms = -1;

		if (__atomic_load_n(&w->gone, __ATOMIC_SEQ_CST)) {
			lp->t1 = w->t1;
			rc = 0;
			goto out;
		}
		if (!w->running && lp->served >= FAST_AFTER)
			(void)watch_start(w);
		/* The fast path: nothing waits for a stream. */
		if (w->running && sv->npend == 0 && !lp->listener_gone) {
			if (serve_new(sv, lp) == -1)
				goto fail;
			continue;
		}
		pfd[0].fd = lp->listener_gone ? -1 : sv->listener;
		pfd[0].events = POLLIN;
		pfd[1].fd = sv->pidfd;
		pfd[1].events = POLLIN;
		/* The watcher's, once it runs (poll skips a negative fd). */
		pfd[2].fd = w->running ? -1 : sv->timerfd;
		pfd[2].events = POLLIN;
		pfd[3].fd = w->running ? -1 : sv->sigfd;
		pfd[3].events = POLLIN;
		/* One entry per stream with waiting calls, one per fd a
		 * waiting poll watches; the nearest deadline. */
		for (i = 0; i < sv->npend; i++)
			if (sv->pend[i].chan < 0) {
				need += sv->pend[i].pw ? sv->pend[i].pw->n : 0;
				if (sv->pend[i].deadline < due)
					due = sv->pend[i].deadline;
				if (sv->pend[i].sigcheck < due)
					due = sv->pend[i].sigcheck;
			}
		if (need > cappfd) {
			struct pollfd *n = realloc(pfd, need * sizeof(*pfd));

			if (n == NULL) {
				zvm_error_set(e, ZVM_E_NOMEM, NULL, 0,
				    "out of memory");
				goto out;
			}
			pfd = n;
			cappfd = need;
		}
		if (due != UINT64_MAX) {
			uint64_t now = zvm_sv_now();

			/* Rounded up: never wake before it. */
			ms = due <= now ? 0 : (due - now + 999999) / 1000000 >
			    INT32_MAX ? INT32_MAX :
			    (int)((due - now + 999999) / 1000000);
		}
		memset(rdy, 0, sv->nsrc);
		for (i = 0; i < sv->npend; i++) {
			const struct zvm_pollwait *pw = sv->pend[i].pw;
			size_t k;
			int fd;

			if (sv->pend[i].chan < 0) {
				if (pw && pw->n) {
					memcpy(pfd + np, pw->p,
					    pw->n * sizeof(*pfd));
					np += pw->n;
				}
				continue;
			}
			fd = sv->src[sv->pend[i].chan].fd;

			for (k = 4; k < np && pfd[k].fd != fd; k++)
				;
			if (k == np) {
				pfd[np].fd = fd;
				pfd[np++].events = 0;
			}
			pfd[k].events |= sv->pend[i].events;
		}
		/* With the watcher running, its SIGURG ends this too. */
		if (poll(pfd, np, ms) == -1) {
			if (errno == EINTR)
				continue;
			zvm_error_set(e, ZVM_E_SYS, NULL, 0, "poll");
			e->sys_errno = errno;
			goto out;
		}
		if (pfd[1].revents) {		/* the program is gone */
			lp->t1 = zvm_sv_now();
			rc = 0;
			goto out;
		}
		if (pfd[2].revents & POLLIN)
			timer_fired(w);
		if (pfd[3].revents & POLLIN)
			forward_signal(w);
		for (i = 4; i < np; i++)
			if (pfd[i].revents) {
				any = 1;
				for (size_t c = 0; c < sv->nsrc; c++)
					if (sv->src[c].fd == pfd[i].fd)
						rdy[c] = 1;
			}
		if (any || (due != UINT64_MAX && zvm_sv_now() >= due))
			serve_pending(sv, lp, rdy, pfd, np);
		if (pfd[0].revents & POLLIN) {
			if (serve_new(sv, lp) == -1)
				goto fail;
		} else if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			lp->listener_gone = 1;	/* wait for the pidfd */
	}
fail:
	zvm_error_set(e, ZVM_E_SYS, NULL, 0, "seccomp notification");
	e->sys_errno = errno;
out:
	free(pfd);
	free(rdy);
	return rc;
}

/* sigabbrev_np(3) is glibc's; zvm-run is built with musl too. */
static const char *
signame(int sig)
{
	static const char *const name[] = {
		"?", "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS",
		"FPE", "KILL", "USR1", "SEGV", "USR2", "PIPE", "ALRM", "TERM",
		"STKFLT", "CHLD", "CONT", "STOP", "TSTP", "TTIN", "TTOU",
		"URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR",
		"SYS"
	};

	return sig > 0 && sig < (int)(sizeof(name) / sizeof(name[0])) ?
	    name[sig] : "?";
}

/* Reap the program and say what happened to it. */
static void
reap(struct zvm_sv *sv, struct zvm_child *c, struct loop *lp, int timed_out,
    struct zvm_report *rep)
{
	struct rusage ru;
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	memset(&ru, 0, sizeof(ru));
	while (syscall(SYS_waitid, P_PIDFD, sv->pidfd, &si, WEXITED, &ru) ==
	    -1 && errno == EINTR)
		;
	c->pid = -1;
	if (lp->t0 == 0)
		lp->t0 = lp->t1;
	rep->wall = (lp->t1 - lp->t0) / 1e9;
	rep->user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	rep->sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	rep->maxrss = (uint64_t)ru.ru_maxrss * 1024;
	/* A digest of a program that did not exit by itself means nothing. */
	if (si.si_code != CLD_EXITED || c->st.exec_err)
		rep->memory_etag_done = 0;
	if (si.si_code == CLD_EXITED) {
		rep->exited = 1;
		rep->status = si.si_status;
		rep->state = ZVM_STATE_OK;
		if (c->st.exec_err) {
			rep->state = ZVM_STATE_ERROR;
			snprintf(rep->message, sizeof(rep->message),
			    "cannot execute the program: %s",
			    strerror(c->st.exec_err));
		}
		return;
	}
	rep->signal = si.si_status;
	if (timed_out && si.si_status == SIGKILL) {
		rep->state = ZVM_STATE_TIMEOUT;
		snprintf(rep->message, sizeof(rep->message),
		    "timeout after %ju s", (uintmax_t)sv->timeout);
	} else {
		rep->state = ZVM_STATE_SIGNAL;
		snprintf(rep->message, sizeof(rep->message),
		    "killed by signal %d (SIG%s)%s", si.si_status,
		    signame(si.si_status), si.si_status == SIGSYS ?
		    ": a forbidden system call ABI" : "");
	}
}

/* fds 0, 1, 2 are the std channels. */
static int
setup_fds(struct zvm_sv *sv)
{
	for (size_t i = 0; i < sv->nsrc; i++) {
		int s = zvm_std_alias(sv->src[i].c->alias);
		struct zvm_ofd *o;

		if (s < 0)
			continue;
		if ((o = calloc(1, sizeof(*o))) == NULL)
			return -1;
		o->chan = i;
		o->acc = sv->src[i].acc;
		o->hostfd = -1;
		o->refs = 1;
		sv->fd[s] = o;
	}
	return 0;
}

static int
setup(struct zvm_sv *sv, struct zvm_child *c, struct zvm_source *src,
    size_t n, struct zvm_report *rep, struct zvm_error *e)
{
	sigset_t set;

	sv->pid = c->pid;
	sv->pidfd = c->pidfd;
	sv->src = src;
	sv->nsrc = n;
	sv->rep = rep;
	sv->exec_err = &c->st.exec_err;
	rep->memory_etag_on = sv->memtag;
	rep->chan = calloc(n ? n : 1, sizeof(*rep->chan));
	sv->ch = calloc(n ? n : 1, sizeof(*sv->ch));
	if (rep->chan == NULL || sv->ch == NULL || setup_fds(sv) == -1) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	rep->nchan = n;
	/* The Program's own names (stat, readlink, /proc/self/exe). */
	if (c->st.sp && c->st.sp->path) {
		sv->prog = zvm_path_lexical(c->st.sp->path);
		if ((sv->progreal = realpath(c->st.sp->path, NULL)) == NULL &&
		    sv->prog)
			sv->progreal = strdup(sv->prog);
	}
	if (sv->prog == NULL || sv->progreal == NULL ||
	    zvm_img_setup(sv) == -1) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		rep->chan[i].uri = src[i].c->uri;
		rep->chan[i].alias = src[i].c->alias;
		rep->chan[i].type = src[i].c->type;
		rep->chan[i].etag_on = src[i].c->etag != 0;
		sv->ch[i].src = &src[i];
		sv->ch[i].rep = &rep->chan[i];
		zvm_etag_init(&sv->ch[i].etag);
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sv->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	sv->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sv->timerfd == -1 || sv->sigfd == -1 ||
	    sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "timerfd/signalfd");
		e->sys_errno = errno;
		return -1;
	}
	return 0;
}

int
zvm_supervise(struct zvm_child *c, struct zvm_source *src, size_t n,
    uint64_t timeout, int memtag, struct zvm_report *rep,
    struct zvm_error *e)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, opipe, ofsz;
	struct loop lp = { 0 };
	struct watch w = { 0 };
	/* The state, then the page-aligned I/O buffer: the kernel copies
	 * into a 16-byte aligned buffer several times slower here (see
	 * lib/base/etag.c).  One mapping, mostly untouched: fresh zero pages cost
	 * no page faults (calloc would write every page), and one munmap
	 * at the end (each may cost a TLB shootdown IPI). */
	size_t off = (sizeof(struct zvm_sv) + 4095) & ~(size_t)4095;
	size_t len = off + ZVM_BUFSZ;
	struct zvm_sv *sv;
	sigset_t omask;
	int rc = -1;

	memset(rep, 0, sizeof(*rep));
	sv = mmap(NULL, len, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (sv == MAP_FAILED) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		waitpid(c->pid, NULL, 0);
		return -1;
	}
	sv->buf = (unsigned char *)sv + off;
	sv->listener = -1;
	sv->timerfd = sv->sigfd = sv->mapsfd = -1;
	sv->timeout = timeout;
	sv->memtag = memtag;
	/* The mask to restore: what zvm-run holds stays held (lib/run/source's
	 * tar images are removed at its exit). */
	sigprocmask(SIG_BLOCK, NULL, &omask);
	/* Write errors come back as EPIPE and EFBIG, never as our death. */
	sigaction(SIGPIPE, &ign, &opipe);
	sigaction(SIGXFSZ, &ign, &ofsz);
	w.pidfd = c->pidfd;
	/* Prepare while the child installs its filter (and execs). */
	if (setup(sv, c, src, n, rep, e) == 0) {
		if (zvm_sandbox_ready(c, e) == -1) {
			rc = ZVM_SV_NOSANDBOX;
			goto end;
		}
		sv->listener = c->listener;
		/* Without it a round trip costs 13-65 us here, not 2.2. */
		(void)ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		w.timerfd = sv->timerfd;
		w.sigfd = sv->sigfd;
		if (run_loop(sv, &lp, &w, e) == 0)
			rc = 0;
	}
	if (rc == -1) {
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		lp.t1 = zvm_sv_now();
	}
	watch_stop(&w);
	if (w.err) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "poll");
		e->sys_errno = w.err;
		rc = -1;
	}
	reap(sv, c, &lp, __atomic_load_n(&w.timed_out, __ATOMIC_SEQ_CST),
	    rep);
	if (rc == -1) {
		rep->state = ZVM_STATE_ERROR;
		zvm_error_fmt(e, rep->message, sizeof(rep->message));
	}
	for (size_t i = 0; rep->chan && i < n; i++)
		if (rep->chan[i].etag_on)
			zvm_etag_hex(&sv->ch[i].etag, rep->chan[i].etag);
end:
	zvm_io_end(sv);
	zvm_fd_closeall(sv);
	zvm_inj_closeall(sv);
	zvm_img_end(sv);
	free(sv->prog);
	free(sv->progreal);
	sigprocmask(SIG_SETMASK, &omask, NULL);
	sigaction(SIGPIPE, &opipe, NULL);
	sigaction(SIGXFSZ, &ofsz, NULL);
	if (sv->timerfd != -1)
		close(sv->timerfd);
	if (sv->sigfd != -1)
		close(sv->sigfd);
	if (sv->mapsfd != -1)
		close(sv->mapsfd);
	for (size_t i = 0; i < sv->npend; i++)
		zvm_pw_free(sv->pend[i].pw);
	free(sv->pend);
	free(sv->ch);
	munmap(sv, len);
	return rc;
}
