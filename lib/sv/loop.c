/* SPDX-License-Identifier: ISC */
/*
 * loop - the supervisor's top layer: receive each notification, serve it
 * through the table (lib/sv/table) and send the answer, then commit what
 * it changed (lib/sv/account).  It sleeps in NOTIF_RECV while no call is
 * pending, and in one poll() over the listener and the streams pending
 * calls wait on otherwise; a watcher thread (lib/sv/watch) serves the
 * program's pidfd, the timeout's timerfd and a signalfd for zvm-run's
 * termination signals.  It owns the run's lifecycle: setup while the
 * child installs its filter, the timeout from the first exec, the
 * reaping and the report's times and fate.
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

#include "base/path.h"
#include "manifest/channel.h"
#include "sv/handler.h"
#include "sv/supervise.h"
#include "sv/table.h"
#include "sv/watch.h"

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
/* How often a waiting poll's thread is looked at for signals. */
#define SIG_TICK (20 * 1000 * 1000ULL)

/* A call that waits for a stream to be ready, or a poll for its set. */
struct pending {
	struct seccomp_notif req;
	int chan;		/* -1: a poll or select */
	short events;		/* POLLIN or POLLOUT */
	uint64_t done, want;	/* a blocking write: written so far, of */
	struct zvm_pollwait *pw;	/* a poll's: what it waits on */
	uint64_t deadline;	/* a poll's: CLOCK_MONOTONIC ns, or
				 * UINT64_MAX */
	uint64_t sigcheck;	/* a poll's: when to look for signals */
};

/* The loop's own state; the handlers see only struct zvm_sv. */
struct loop {
	uint64_t t0, t1;	/* exec, exit */
	int listener_gone;
	unsigned long served;	/* notifications received */
	uint64_t timeout;	/* seconds from the exec */
	int timerfd, sigfd;
	int armed;		/* the timeout runs */
	struct pending *pend;
	size_t npend, cappend;
};

/*
 * Serve one call through the table.  The first exec, once answered, is
 * when the program starts: the timeout runs from then.
 */
static int
dispatch(struct zvm_sv *sv, struct loop *lp, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	int h = zvm_table_serve(sv, req, r, chan, events);

	if (sv->execed && !lp->armed) {
		struct itimerspec it = { 0 };

		lp->armed = 1;
		it.it_value.tv_sec = lp->timeout;
		timerfd_settime(lp->timerfd, 0, &it, NULL);
		lp->t0 = zvm_tr_now();
		sv->deadline = lp->t0 + lp->timeout * 1000000000ULL;
	}
	return h;
}

static void
respond(struct zvm_sv *sv, const struct seccomp_notif *req,
    const struct zvm_resp *r)
{
	if (r->inject) {
		(void)zvm_inj_answer(sv, req->id, r);
		return;
	}
	zvm_txn_commit(sv, zvm_tr_answer(&sv->tr, req->id, r->val, r->error,
	    r->cont));
}

static int
add_pending(struct zvm_sv *sv, struct loop *lp,
    const struct seccomp_notif *req, int chan,
    short events)
{
	struct pending *p;

	if (lp->npend == lp->cappend) {
		size_t cap = lp->cappend ? lp->cappend * 2 : 16;

		if ((p = realloc(lp->pend, cap * sizeof(*p))) == NULL)
			return -1;
		lp->pend = p;
		lp->cappend = cap;
	}
	p = &lp->pend[lp->npend++];
	p->req = *req;
	p->chan = chan;
	p->events = events;
	p->done = sv->wdone;
	p->want = sv->wwant;
	p->pw = sv->pwait;
	p->deadline = sv->pdeadline;
	p->sigcheck = zvm_tr_now() + SIG_TICK;
	sv->pwait = NULL;
	return 0;
}

/*
 * A thread is in one call at a time: a new call from a thread whose
 * earlier call still waits here means a signal took that one back (its
 * handler ran, or the call restarts).  Forget it.
 */
static void
drop_stale(struct loop *lp, __u32 tid)
{
	size_t i, j = 0;

	for (i = 0; i < lp->npend; i++) {
		if (lp->pend[i].req.pid == tid) {
			zvm_pw_free(lp->pend[i].pw);
			continue;
		}
		lp->pend[j++] = lp->pend[i];
	}
	lp->npend = j;
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
	if (ioctl(sv->tr.listener, SECCOMP_IOCTL_NOTIF_RECV, &req) == -1) {
		struct pollfd pfd = { sv->tr.listener, POLLIN, 0 };

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
	if (lp->npend)
		drop_stale(lp, req.pid);
	sv->pwait = NULL;
	sv->pdeadline = 0;
	if (dispatch(sv, lp, &req, &r, &chan, &events) == ZVM_H_PEND) {
		if (add_pending(sv, lp, &req, chan, events) == 0)
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
poll_due(const struct pending *p, const struct pollfd *pfd, size_t np,
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
retry_poll(struct zvm_sv *sv, struct loop *lp, struct pending *p,
    const struct pollfd *pfd, size_t np, uint64_t now)
{
	struct zvm_resp r = { 0 };
	short events;
	int chan, due = poll_due(p, pfd, np, now), sig = 0;

	if (now >= p->sigcheck) {
		p->sigcheck = now + SIG_TICK;
		sig = zvm_tr_signalled(&sv->tr, (pid_t)p->req.pid,
		    zvm_poll_sigmask(sv, &p->req));
		due |= p->pw && p->pw->tick;
	}
	if (sig) {
		/* A socket call that moved bytes says how many, as the
		 * kernel's does (lib/sv/sockio). */
		if (p->pw && p->pw->intr)
			r.val = (int64_t)p->pw->intr;
		else
			r.error = EINTR;
		zvm_pw_free(p->pw);
	} else if (!due)
		return 1;
	else {
		sv->pwait = p->pw;
		sv->pdeadline = p->deadline;
		if (dispatch(sv, lp, &p->req, &r, &chan, &events) ==
		    ZVM_H_PEND) {
			p->pw = sv->pwait;
			p->deadline = sv->pdeadline;
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
	uint64_t now = zvm_tr_now();
	size_t i, j = 0;

	for (i = 0; i < lp->npend; i++) {
		struct pending *p = &lp->pend[i];
		struct zvm_resp r = { 0 };
		short events;
		int chan;

		if (p->chan < 0) {
			if (retry_poll(sv, lp, p, pfd, np, now))
				lp->pend[j++] = *p;
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
		lp->pend[j++] = *p;
	}
	lp->npend = j;
	free(blocked);
}

static int
run_loop(struct zvm_sv *sv, struct loop *lp, struct zvm_watch *w,
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
			(void)zvm_watch_start(w);
		/* The fast path: nothing waits for a stream. */
		if (w->running && lp->npend == 0 && !lp->listener_gone) {
			if (serve_new(sv, lp) == -1)
				goto fail;
			continue;
		}
		pfd[0].fd = lp->listener_gone ? -1 : sv->tr.listener;
		pfd[0].events = POLLIN;
		pfd[1].fd = sv->tr.pidfd;
		pfd[1].events = POLLIN;
		/* The watcher's, once it runs (poll skips a negative fd). */
		pfd[2].fd = w->running ? -1 : lp->timerfd;
		pfd[2].events = POLLIN;
		pfd[3].fd = w->running ? -1 : lp->sigfd;
		pfd[3].events = POLLIN;
		/* One entry per stream with waiting calls, one per fd a
		 * waiting poll watches; the nearest deadline. */
		for (i = 0; i < lp->npend; i++)
			if (lp->pend[i].chan < 0) {
				need += lp->pend[i].pw ? lp->pend[i].pw->n : 0;
				if (lp->pend[i].deadline < due)
					due = lp->pend[i].deadline;
				if (lp->pend[i].sigcheck < due)
					due = lp->pend[i].sigcheck;
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
			uint64_t now = zvm_tr_now();

			/* Rounded up: never wake before it. */
			ms = due <= now ? 0 : (due - now + 999999) / 1000000 >
			    INT32_MAX ? INT32_MAX :
			    (int)((due - now + 999999) / 1000000);
		}
		memset(rdy, 0, sv->nsrc);
		for (i = 0; i < lp->npend; i++) {
			const struct zvm_pollwait *pw = lp->pend[i].pw;
			size_t k;
			int fd;

			if (lp->pend[i].chan < 0) {
				if (pw && pw->n) {
					memcpy(pfd + np, pw->p,
					    pw->n * sizeof(*pfd));
					np += pw->n;
				}
				continue;
			}
			fd = sv->src[lp->pend[i].chan].fd;

			for (k = 4; k < np && pfd[k].fd != fd; k++)
				;
			if (k == np) {
				pfd[np].fd = fd;
				pfd[np++].events = 0;
			}
			pfd[k].events |= lp->pend[i].events;
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
			lp->t1 = zvm_tr_now();
			rc = 0;
			goto out;
		}
		if (pfd[2].revents & POLLIN)
			zvm_watch_timer(w);
		if (pfd[3].revents & POLLIN)
			zvm_watch_signal(w);
		for (i = 4; i < np; i++)
			if (pfd[i].revents) {
				any = 1;
				for (size_t c = 0; c < sv->nsrc; c++)
					if (sv->src[c].fd == pfd[i].fd)
						rdy[c] = 1;
			}
		if (any || (due != UINT64_MAX && zvm_tr_now() >= due))
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
	while (syscall(SYS_waitid, P_PIDFD, sv->tr.pidfd, &si, WEXITED, &ru) ==
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
		    "timeout after %ju s", (uintmax_t)lp->timeout);
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
setup(struct zvm_sv *sv, struct loop *lp, struct zvm_child *c,
    struct zvm_source *src, size_t n, struct zvm_report *rep,
    struct zvm_error *e)
{
	struct rlimit fsz;
	sigset_t set;

	sv->tr.pid = c->pid;
	sv->tr.pidfd = c->pidfd;
	sv->src = src;
	sv->nsrc = n;
	sv->rep = rep;
	sv->exec_err = &c->st.exec_err;
	if (c->st.sp)
		sv->lim = c->st.sp->lim;
	rep->memory_etag_on = sv->memtag;
	rep->chan = calloc(n ? n : 1, sizeof(*rep->chan));
	sv->ch = calloc(n ? n : 1, sizeof(*sv->ch));
	if (rep->chan == NULL || sv->ch == NULL || setup_fds(sv) == -1) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	rep->nchan = n;
	for (size_t i = 0; i < n; i++)
		sv->ch[i].rfd = -1;
	if (getrlimit(RLIMIT_FSIZE, &fsz) == 0 && fsz.rlim_cur != RLIM_INFINITY)
		sv->fsize = fsz.rlim_cur;
	else
		sv->fsize = UINT64_MAX;
	/* The Program's own names (stat, readlink, /proc/self/exe). */
	if (c->st.sp && c->st.sp->path) {
		sv->prog = zvm_path_lexical(c->st.sp->path);
		if ((sv->progreal = realpath(c->st.sp->path, NULL)) == NULL &&
		    sv->prog)
			sv->progreal = strdup(sv->prog);
	}
	if (sv->prog == NULL || sv->progreal == NULL ||
	    zvm_img_setup(sv) == -1 || zvm_scr_setup(sv, c->st.sp ?
	    c->st.sp->scratchdir : -1) == -1) {
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
	lp->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	lp->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (lp->timerfd == -1 || lp->sigfd == -1 ||
	    sigprocmask(SIG_BLOCK, &set, NULL) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "timerfd/signalfd");
		e->sys_errno = errno;
		return -1;
	}
	return 0;
}

int
zvm_supervise(struct zvm_child *c, struct zvm_source *src, size_t n,
    uint64_t timeout, int flags, struct zvm_report *rep,
    struct zvm_error *e)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, opipe, ofsz;
	struct loop lp = { 0 };
	struct zvm_watch w = { 0 };
	/* The state, then the page-aligned I/O buffer: the kernel copies
	 * into a 16-byte aligned buffer several times slower here (see
	 * lib/base/etag.c).  One mapping, mostly untouched: fresh zero
	 * pages cost no page faults (calloc would write every page), and
	 * one munmap at the end (each may cost a TLB shootdown IPI). */
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
	sv->tr.listener = -1;
	sv->scr.dirfd = -1;
	lp.timerfd = lp.sigfd = sv->tr.mapsfd = -1;
	lp.timeout = timeout;
	sv->memtag = (flags & ZVM_SV_MEMTAG) != 0;
	sv->copy = (flags & ZVM_SV_COPY) != 0;
	/* The mask to restore: what zvm-run holds stays held
	 * (lib/run/source's tar images are removed at its exit). */
	sigprocmask(SIG_BLOCK, NULL, &omask);
	/* Write errors come back as EPIPE and EFBIG, never as our death. */
	sigaction(SIGPIPE, &ign, &opipe);
	sigaction(SIGXFSZ, &ign, &ofsz);
	w.pidfd = c->pidfd;
	/* Prepare while the child installs its filter (and execs). */
	if (setup(sv, &lp, c, src, n, rep, e) == 0) {
		if (zvm_sandbox_ready(c, e) == -1) {
			rc = ZVM_SV_NOSANDBOX;
			goto end;
		}
		sv->tr.listener = c->listener;
		/* Without it a round trip costs 13-65 us here, not 2.2. */
		(void)ioctl(sv->tr.listener, SECCOMP_IOCTL_NOTIF_SET_FLAGS,
		    SECCOMP_USER_NOTIF_FD_SYNC_WAKE_UP);
		w.timerfd = lp.timerfd;
		w.sigfd = lp.sigfd;
		if (run_loop(sv, &lp, &w, e) == 0)
			rc = 0;
	}
	if (rc == -1) {
		syscall(SYS_pidfd_send_signal, c->pidfd, SIGKILL, NULL, 0);
		lp.t1 = zvm_tr_now();
	}
	zvm_watch_stop(&w);
	if (w.err) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "poll");
		e->sys_errno = w.err;
		rc = -1;
	}
	reap(sv, c, &lp, __atomic_load_n(&w.timed_out, __ATOMIC_SEQ_CST),
	    rep);
	rep->interrupt = __atomic_load_n(&w.sig, __ATOMIC_SEQ_CST);
	if (rc == -1) {
		rep->state = ZVM_STATE_ERROR;
		zvm_error_fmt(e, rep->message, sizeof(rep->message));
	}
	zvm_owe_end(sv);
	for (size_t i = 0; rep->chan && i < n; i++)
		if (rep->chan[i].etag_on)
			zvm_etag_hex(&sv->ch[i].etag, rep->chan[i].etag);
end:
	sigprocmask(SIG_SETMASK, &omask, NULL);
	sigaction(SIGPIPE, &opipe, NULL);
	sigaction(SIGXFSZ, &ofsz, NULL);
	zvm_win_bus_end();
	/* The rest is memory, maps and fds: the caller's exit frees them. */
	if ((flags & ZVM_SV_EXIT) && rc == 0)
		return rc;
	zvm_win_end(sv);
	zvm_fd_closeall(sv);
	zvm_inj_closeall(sv);
	zvm_scr_end(sv);
	zvm_img_end(sv);
	free(sv->prog);
	free(sv->progreal);
	if (lp.timerfd != -1)
		close(lp.timerfd);
	if (lp.sigfd != -1)
		close(lp.sigfd);
	if (sv->tr.mapsfd != -1)
		close(sv->tr.mapsfd);
	for (size_t i = 0; i < lp.npend; i++)
		zvm_pw_free(lp.pend[i].pw);
	free(lp.pend);
	free(sv->ch);
	munmap(sv, len);
	return rc;
}
