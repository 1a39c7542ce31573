/* SPDX-License-Identifier: ISC */
/*
 * pollio - poll, ppoll, select and pselect6 over the program's fds.  A
 * channel that is a stream (pipe, FIFO, socket, terminal) is as ready as
 * the supervisor's own fd of it; a regular file, a character device, a
 * directory and an injected file are always ready, as the kernel says of
 * files without a poll method; an O_PATH fd is POLLNVAL (select: EBADF).
 * A set of real fds only (the program's own pipes, injected files) runs
 * natively: the kernel knows them, and polling reveals nothing.  A pipe
 * end of the program's in a mixed set is looked at through a copy taken
 * with pidfd_getfd and closed at once: holding it would keep the pipe
 * from ending for the other side.
 *
 * A call with nothing ready and time left waits in the pending table on
 * the fds of its streams and its deadline; the loop retries it when one
 * of them stirs or the time is up, and every SIG_TICK when the set holds
 * a pipe of the program's (no fd of ours can stand for it in the wait).
 * A signal cannot interrupt it (the
 * filter has WAIT_KILLABLE_RECV, for exact I/O), so the loop looks at the
 * thread's pending signals now and then, and a caught one ends the wait
 * with EINTR, as it ends a native poll; a signal the call's own mask
 * (ppoll, pselect6) blocks does not.  That mask cannot be put on the
 * thread for the wait, so a signal it unblocks while the thread's mask
 * blocks it waits until the call returns (zvm-run(1), CAVEATS).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "sv/handler.h"

#define MAXPOLL	65536		/* more pollfds than this: EINVAL */
#define ALWAYS	(POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
/* What select counts in each set; an O_PATH fd (POLLNVAL) is in all. */
#define SEL_IN	(POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR | \
	POLLNVAL)
#define SEL_OUT	(POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR | POLLNVAL)
#define SEL_EX	(POLLPRI | POLLNVAL)

struct kts {			/* the kernel's timespec and timeval */
	int64_t sec, frac;
};

/* The host's answer for fd, now. */
static short
host_poll(int fd, short ev)
{
	struct pollfd p = { fd, ev, 0 };

	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

/*
 * What fd of the program is ready for, of ev (POLLERR, POLLHUP and
 * POLLNVAL always count).  When wp is set, also what to watch for it.
 * 0; 1: fd is not open (POLLNVAL; select says EBADF); -1: no memory.
 */
static int
fd_ready(struct zvm_sv *sv, int32_t fd, short ev, struct zvm_pollwait **wp,
    short *rev)
{
	short want = ev | POLLERR | POLLHUP;
	struct zvm_ofd *o;
	struct zvm_inj *j;

	*rev = 0;
	if (fd < 0)
		return 0;
	if (fd < ZVM_NVFD) {
		struct zvm_source *s;

		if ((o = sv->fd[fd]) == NULL || o->path) {
			*rev = POLLNVAL;
			return o == NULL;
		}
		s = o->chan >= 0 ? sv->ch[o->chan].src : NULL;
		if (o->vdir || o->hostfd >= 0 || s == NULL ||
		    s->kind != ZVM_SRC_FIFO || s->fd < 0) {
			*rev = ALWAYS & want;
			return 0;
		}
		*rev = host_poll(s->fd, ev) & want;
		return *rev == 0 && wp ? zvm_pw_add(wp, s->fd, ev) : 0;
	}
	if ((j = zvm_inj_get(sv, (uint32_t)fd)) == NULL) {
		*rev = POLLNVAL;
		return 1;
	}
	if (j->chan >= 0) {		/* an injected file */
		*rev = ALWAYS & want;
		return 0;
	}
	if (j->fd >= 0) {		/* an object: ours is the same */
		*rev = host_poll(j->fd, ev) & want;
		return *rev == 0 && wp ? zvm_pw_add(wp, j->fd, ev) : 0;
	}
	/* A pipe end the program holds alone: look through a copy. */
	{
		int c = zvm_tr_getfd(&sv->tr, fd);

		if (c == -1) {
			*rev = POLLNVAL;
			return 1;
		}
		*rev = host_poll(c, ev) & want;
		close(c);
	}
	return *rev == 0 && wp ? zvm_pw_add(wp, -1, ev) : 0;
}

/* Is every fd of the set a real one (or negative)?  Then the kernel
 * answers. */
static int
all_real(const struct pollfd *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].fd >= 0 && p[i].fd < ZVM_NVFD)
			return 0;
	return 1;
}

/* Does a select set name a virtual fd (below ZVM_NVFD)? */
static int
low_bits(uint64_t *const in[3], int32_t nfds)
{
	size_t words = ((size_t)(nfds < ZVM_NVFD ? nfds : ZVM_NVFD) + 63) / 64;

	for (int s = 0; s < 3; s++)
		for (size_t i = 0; in[s] && i < words; i++)
			if (in[s][i])
				return 1;
	return 0;
}

/*
 * Read a timeout into an absolute deadline (UINT64_MAX: none).  kind:
 * 0 poll's milliseconds (arg itself), 1 a timespec, 2 a timeval at arg
 * (0: none).  0 or -errno.
 */
static int
deadline_of(struct zvm_sv *sv, int kind, uint64_t arg, uint64_t *dl)
{
	struct kts t;
	uint64_t ns;

	if (kind == 0) {
		int ms = (int)arg;

		*dl = ms < 0 ? UINT64_MAX : zvm_tr_now() +
		    (uint64_t)ms * 1000000;
		return 0;
	}
	if (arg == 0) {
		*dl = UINT64_MAX;
		return 0;
	}
	if (zvm_tr_peek(&sv->tr, arg, &t, sizeof(t)) < 0)
		return -EFAULT;
	if (t.sec < 0 || t.frac < 0 ||
	    t.frac >= (kind == 1 ? 1000000000 : 1000000))
		return -EINVAL;
	if (t.sec > 100LL * 365 * 86400) {	/* as good as forever */
		*dl = UINT64_MAX;
		return 0;
	}
	ns = (uint64_t)t.sec * 1000000000 + (uint64_t)t.frac *
	    (kind == 1 ? 1 : 1000);
	*dl = zvm_tr_now() + ns;
	return 0;
}

/* The time left, written back as the kernel does for all but poll. */
static void
time_left(struct zvm_sv *sv, int kind, uint64_t arg, uint64_t dl)
{
	uint64_t now, left;
	struct kts t;

	if (kind == 0 || arg == 0 || dl == UINT64_MAX)
		return;
	now = zvm_tr_now();
	left = dl > now ? dl - now : 0;
	t.sec = (int64_t)(left / 1000000000);
	t.frac = (int64_t)(left % 1000000000);
	if (kind == 2)
		t.frac /= 1000;
	(void)zvm_tr_poke(&sv->tr, arg, &t, sizeof(t));
}

uint64_t
zvm_poll_sigmask(struct zvm_sv *sv, const struct seccomp_notif *req)
{
	const __u64 *a = req->data.args;
	uint64_t mask = 0, ptr = 0, len = 0, ss[2];

	if (req->data.nr == SYS_ppoll) {
		ptr = a[3];
		len = a[4];
	} else if (req->data.nr == SYS_pselect6 && a[5] &&
	    zvm_tr_peek(&sv->tr, a[5], ss, sizeof(ss)) == 0) {
		ptr = ss[0];
		len = ss[1];
	}
	/* The kernel takes a sigset of 8 bytes (else EINVAL, at the call's
	 * start: it never gets to wait). */
	if (ptr == 0 || len != sizeof(mask) ||
	    zvm_tr_peek(&sv->tr, ptr, &mask, sizeof(mask)) < 0)
		return 0;
	return mask;
}

/* poll and ppoll: a[0] fds, a[1] nfds, a[2] timeout (ms or timespec). */
static int
do_poll(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, struct zvm_pollwait **wp, uint64_t *dl)
{
	const __u64 *a = req->data.args;
	int kind = req->data.nr == SYS_poll ? 0 : 1, first = *dl == 0, e;
	uint64_t n = a[1];
	struct pollfd *p;
	size_t ready = 0;

	if (n > MAXPOLL)
		return r->error = EINVAL, ZVM_H_DONE;
	if ((p = malloc(n ? n * sizeof(*p) : 1)) == NULL)
		return r->error = ENOMEM, ZVM_H_DONE;
	if (n && zvm_tr_peek(&sv->tr, a[0], p, n * sizeof(*p)) < 0) {
		free(p);
		return r->error = EFAULT, ZVM_H_DONE;
	}
	if (first && all_real(p, n)) {
		free(p);
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if (first && (e = deadline_of(sv, kind, a[2], dl)) < 0) {
		free(p);
		return r->error = -e, ZVM_H_DONE;
	}
	zvm_pw_free(*wp);
	*wp = NULL;
	for (size_t i = 0; i < n; i++) {
		if (fd_ready(sv, p[i].fd, p[i].events, wp,
		    &p[i].revents) < 0) {
			free(p);
			return r->error = ENOMEM, ZVM_H_DONE;
		}
		ready += p[i].revents != 0;
	}
	if (ready == 0 && zvm_tr_now() < *dl) {
		free(p);
		return ZVM_H_PEND;
	}
	if (n && zvm_tr_poke(&sv->tr, a[0], p, n * sizeof(*p)) < 0)
		r->error = EFAULT;
	else {
		r->val = (int64_t)ready;
		time_left(sv, kind, a[2], *dl);
	}
	free(p);
	return ZVM_H_DONE;
}

/* select and pselect6: a[0] nfds, a[1..3] the sets, a[4] the timeout. */
static int
do_select(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, struct zvm_pollwait **wp, uint64_t *dl)
{
	static const short evs[3] = { SEL_IN, SEL_OUT, SEL_EX };
	const __u64 *a = req->data.args;
	int kind = req->data.nr == SYS_select ? 2 : 1, first = *dl == 0, e;
	int32_t nfds = (int32_t)a[0];
	uint64_t *in[3] = { NULL }, *out[3] = { NULL };
	size_t words, bytes, ready = 0;
	int rc = ZVM_H_DONE;

	if (nfds < 0)
		return r->error = EINVAL, ZVM_H_DONE;
	/* No fd of the program is above the injected ones. */
	if ((uint64_t)nfds > ZVM_NVFD + sv->ninj)
		nfds = (int32_t)(ZVM_NVFD + sv->ninj);
	words = ((size_t)nfds + 63) / 64;
	bytes = ((size_t)nfds + 7) / 8;
	for (int s = 0; s < 3; s++) {
		if (a[1 + s] == 0 || words == 0)
			continue;
		in[s] = calloc(words, 8);
		out[s] = calloc(words, 8);
		if (in[s] == NULL || out[s] == NULL) {
			r->error = ENOMEM;
			goto out;
		}
		if (zvm_tr_peek(&sv->tr, a[1 + s], in[s], bytes) < 0) {
			r->error = EFAULT;
			goto out;
		}
	}
	if (first && !low_bits(in, nfds)) {
		r->cont = 1;		/* real fds only, or a sleep */
		goto out;
	}
	if (first && (e = deadline_of(sv, kind, a[4], dl)) < 0) {
		r->error = -e;
		goto out;
	}
	zvm_pw_free(*wp);
	*wp = NULL;
	for (int32_t fd = 0; fd < nfds; fd++) {
		short ev = 0, rev;

		for (int s = 0; s < 3; s++)
			if (in[s] && (in[s][fd / 64] >> (fd % 64) & 1))
				ev |= evs[s];
		if (ev == 0)
			continue;
		switch (fd_ready(sv, fd, ev & ~(POLLHUP | POLLERR | POLLNVAL),
		    wp, &rev)) {
		case -1:
			r->error = ENOMEM;
			goto out;
		case 1:
			r->error = EBADF;
			goto out;
		}
		for (int s = 0; s < 3; s++)
			if (in[s] && (in[s][fd / 64] >> (fd % 64) & 1) &&
			    (rev & evs[s])) {
				out[s][fd / 64] |= UINT64_C(1) << (fd % 64);
				ready++;
			}
	}
	if (ready == 0 && zvm_tr_now() < *dl) {
		rc = ZVM_H_PEND;
		goto out;
	}
	for (int s = 0; s < 3; s++)
		if (out[s] &&
		    zvm_tr_poke(&sv->tr, a[1 + s], out[s], bytes) < 0) {
			r->error = EFAULT;
			goto out;
		}
	r->val = (int64_t)ready;
	time_left(sv, kind, a[4], *dl);
out:
	for (int s = 0; s < 3; s++) {
		free(in[s]);
		free(out[s]);
	}
	return rc;
}

int
zvm_h_poll(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	int h;

	switch (req->data.nr) {
	case SYS_poll:
	case SYS_ppoll:
		h = do_poll(sv, req, r, &sv->pwait, &sv->pdeadline);
		break;
	case SYS_select:
	case SYS_pselect6:
		h = do_select(sv, req, r, &sv->pwait, &sv->pdeadline);
		break;
	default:
		return -1;
	}
	if (h == ZVM_H_DONE) {
		zvm_pw_free(sv->pwait);
		sv->pwait = NULL;
	}
	return h;
}
