/* SPDX-License-Identifier: ISC */
/*
 * objects - the kernel objects an event loop is made of: epoll instances,
 * eventfds, timerfds, signalfds and socketpairs.  Each is private to the
 * program (no file, no other process, no network behind it), so refusing
 * them buys nothing and breaks every runtime.  The supervisor makes the
 * object itself and injects it (lib/sv/fds), keeping its own copy; its
 * reads, writes, waits and settings then run natively (CONTINUE on the
 * number alone, as for pipes: no number is used again while a call names
 * it).  What the
 * supervisor must decide:
 *
 * - timerfd: the _ALARM clocks would wake the host (EPERM, as without
 *   CAP_WAKE_ALARM); the manifest's Timeout still ends the run.
 * - signalfd: a read takes the signals of the thread that reads, so one
 *   made here serves the program; a new mask is set through our copy.
 * - socketpair: AF_UNIX only, both ends injected with no copy kept (as
 *   pipe ends, so the peer sees the end); its buffers count against
 *   Memory while any end is held (lib/sv/fds: struct zvm_pair).  Its
 *   ends take send, recv and the socket options natively, but never an
 *   address (a datagram pair could reach any other socket by name:
 *   EISCONN), nor SO_PEERPIDFD or SO_PASSPIDFD, which would put a pidfd
 *   at the lowest free number, a virtual one (ENOPROTOOPT).  sendmsg,
 *   recvmsg and their mmsg forms are the supervisor's (lib/sv/sockio):
 *   only the program's own real fds cross, and land from 1024 up.
 *   connect, bind, listen and accept stay refused (lib/sv/proc).
 * - epoll_ctl: a real fd of the program's is the kernel's business.  A
 *   virtual fd is a channel: a stream's readiness is its host end's, so
 *   a dup of our fd of the stream joins the instance in its place, with
 *   the program's event and data, and epoll_wait stays native.  Regular
 *   files, directories and devices cannot be watched (EPERM), as on
 *   the kernel's.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "sv/handler.h"

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif
#ifndef SO_PASSPIDFD
#define SO_PASSPIDFD 76
#endif
#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

/* Answer the call with our new object fd injected. */
static int
inject(struct zvm_sv *sv, struct zvm_resp *r, int fd, int kind, int cloexec)
{
	int e;

	if (fd < 0)
		return r->error = errno, ZVM_H_DONE;
	if ((e = zvm_inj_offer(sv, r, fd, kind, 0, cloexec)) < 0)
		r->error = -e;
	return ZVM_H_DONE;
}

/* The object of kind a call names; NULL with *err what the kernel says
 * of an fd that is not one (EINVAL) or not open (EBADF). */
static struct zvm_inj *
object(struct zvm_sv *sv, uint64_t fdarg, int kind, int *err)
{
	struct zvm_inj *j = zvm_inj_get(sv, fdarg);

	if (j && j->chan == kind && j->fd >= 0)
		return j;
	*err = j || zvm_fd_get(sv, fdarg) ? EINVAL : EBADF;
	return NULL;
}

static int
do_signalfd(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	uint32_t fl = req->data.nr == SYS_signalfd4 ? (uint32_t)a[3] : 0;
	struct zvm_inj *j;
	sigset_t set;
	uint64_t mask;
	int e;

	if (a[2] != sizeof(mask) || (fl & ~(SFD_CLOEXEC | SFD_NONBLOCK)))
		return r->error = EINVAL, ZVM_H_DONE;
	if (zvm_tr_peek(&sv->tr, a[1], &mask, sizeof(mask)) < 0)
		return r->error = EFAULT, ZVM_H_DONE;
	sigemptyset(&set);
	for (int s = 1; s <= 64; s++)
		if (mask & (1ULL << (s - 1)))
			sigaddset(&set, s);
	if ((int32_t)a[0] == -1)
		return inject(sv, r, signalfd(-1, &set, SFD_CLOEXEC |
		    (fl & SFD_NONBLOCK)), ZVM_INJ_SIGNALFD, fl & SFD_CLOEXEC);
	/* A new mask for one of them: the kernel keeps it in the file. */
	if ((j = object(sv, a[0], ZVM_INJ_SIGNALFD, &e)) == NULL)
		return r->error = e, ZVM_H_DONE;
	if (signalfd(j->fd, &set, 0) == -1)
		return r->error = errno, ZVM_H_DONE;
	r->val = (uint32_t)a[0];
	return ZVM_H_DONE;
}

static struct zvm_epwatch *
watch_of(struct zvm_sv *sv, size_t ep, int vfd)
{
	for (size_t i = 0; i < sv->nepw; i++)
		if (sv->epw[i].ep == ep && sv->epw[i].vfd == vfd)
			return &sv->epw[i];
	return NULL;
}

/* epoll_ctl of a virtual fd: its stream's host end, watched for it. */
static int
ctl_virtual(struct zvm_sv *sv, struct zvm_inj *ep, int op, int vfd,
    uint64_t evaddr)
{
	struct zvm_ofd *o = zvm_fd_get(sv, (uint32_t)vfd);
	size_t epi = (size_t)(ep - sv->inj);
	struct zvm_epwatch *w = watch_of(sv, epi, vfd);
	const struct zvm_source *s;
	struct epoll_event ev;
	int fd;

	if (o == NULL || o->path)
		return -EBADF;
	s = o->chan >= 0 && !o->vdir && o->hostfd < 0 ? &sv->src[o->chan] :
	    NULL;
	/* The kernel asks first whether the file can be watched at all. */
	if (s == NULL || s->kind != ZVM_SRC_FIFO || s->fd < 0)
		return -EPERM;
	if (w && w->ofd != o) {		/* the number was reused */
		zvm_epw_forget(sv, w->ofd, -1);
		w = NULL;
	}
	if (op == EPOLL_CTL_DEL) {
		if (w == NULL)
			return -ENOENT;
		zvm_epw_close(sv, w);
		*w = sv->epw[--sv->nepw];
		return 0;
	}
	if (zvm_tr_peek(&sv->tr, evaddr, &ev, sizeof(ev)) < 0)
		return -EFAULT;
	if (op == EPOLL_CTL_MOD)
		return w == NULL ? -ENOENT : epoll_ctl(ep->fd, op, w->fd, &ev) ==
		    -1 ? -errno : 0;
	if (op != EPOLL_CTL_ADD)
		return -EINVAL;
	if (w)
		return -EEXIST;
	if (sv->nepw >= ZVM_EPWATCH_MAX)
		return -ENOSPC;
	if (sv->nepw == sv->capepw) {
		size_t cap = sv->capepw ? sv->capepw * 2 : 16;
		struct zvm_epwatch *p = realloc(sv->epw, cap * sizeof(*p));

		if (p == NULL)
			return -ENOMEM;
		sv->epw = p;
		sv->capepw = cap;
	}
	if ((fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 3)) == -1)
		return -errno;
	if (epoll_ctl(ep->fd, EPOLL_CTL_ADD, fd, &ev) == -1) {
		int e = errno;

		close(fd);
		return -e;
	}
	sv->epw[sv->nepw++] = (struct zvm_epwatch){ epi, o, vfd, fd };
	return 0;
}

static int
do_epoll_ctl(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_inj *ep;
	int e;

	if ((ep = object(sv, a[0], ZVM_INJ_EPOLL, &e)) == NULL)
		return r->error = e, ZVM_H_DONE;
	/* A real fd: the kernel knows it, and checks it. */
	if ((uint32_t)a[2] >= ZVM_NVFD) {
		if (zvm_inj_get(sv, a[2]) == NULL)
			return r->error = EBADF, ZVM_H_DONE;
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if ((e = ctl_virtual(sv, ep, (int)a[1], (int)(uint32_t)a[2],
	    a[3])) < 0)
		r->error = -e;
	return ZVM_H_DONE;
}

static int
do_socketpair(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int type = (int)a[1] & ~(SOCK_NONBLOCK | SOCK_CLOEXEC), e;
	int p[2], child[2] = { -1, -1 };

	if ((int)a[0] != AF_UNIX)
		return -1;		/* refused, as every other family */
	if (type != SOCK_STREAM && type != SOCK_DGRAM &&
	    type != SOCK_SEQPACKET)
		return r->error = EINVAL, ZVM_H_DONE;
	if ((int)a[2] != 0)
		return r->error = EPROTONOSUPPORT, ZVM_H_DONE;
	if ((e = zvm_files_room(sv, 2)) < 0 ||
	    (e = zvm_buf_take(sv, ZVM_SOCK_BYTES)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if (socketpair(AF_UNIX, type | SOCK_CLOEXEC |
	    ((int)a[1] & SOCK_NONBLOCK), 0, p) == -1) {
		r->error = errno;
		zvm_buf_give(sv, ZVM_SOCK_BYTES);
		return ZVM_H_DONE;
	}
	e = zvm_inj_pair(sv, p, ZVM_INJ_SOCKET, (int)a[1] & SOCK_CLOEXEC,
	    child);
	if (e == 0 && zvm_tr_poke(&sv->tr, a[3], child, sizeof(child)) < 0)
		e = -EFAULT;
	r->error = -e;
	return ZVM_H_DONE;
}

/*
 * SO_SNDBUF and SO_RCVBUF of a socketpair end: set here, on a copy of
 * the end, with the value read once (another thread cannot change it
 * under the kernel), cut so that the buffer stays within the default
 * Memory counts a pair for, as if wmem_max and rmem_max were the
 * default: the kernel doubles what it is given and cuts it silently to
 * the maximum the same way.  The _FORCE forms, which pass the maximum,
 * are EPERM, as without CAP_NET_ADMIN.
 */
static int
set_buf(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int v, copy;

	if ((int)a[2] == SO_SNDBUFFORCE || (int)a[2] == SO_RCVBUFFORCE)
		return r->error = EPERM, ZVM_H_DONE;
	if (a[4] < sizeof(v))
		return r->error = EINVAL, ZVM_H_DONE;
	if (zvm_tr_peek(&sv->tr, a[3], &v, sizeof(v)) < 0)
		return r->error = EFAULT, ZVM_H_DONE;
	if (v < 0 || v > ZVM_SOCK_BYTES / 4)
		v = ZVM_SOCK_BYTES / 4;
	if ((copy = zvm_tr_getfd(&sv->tr, (int)a[0])) < 0)
		return r->error = EBADF, ZVM_H_DONE;
	if (setsockopt(copy, SOL_SOCKET, (int)a[2], &v, sizeof(v)) == -1)
		r->error = errno;
	close(copy);
	return ZVM_H_DONE;
}

/* A call on a socketpair end: native but for an address, the buffer
 * sizes (set_buf) and the options that make a pidfd, which the kernel
 * would put at the lowest free number, a virtual one (ENOPROTOOPT, as a
 * kernel without them); -1 for any other fd (refused). */
static int
on_socket(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_inj *j = zvm_inj_get(sv, a[0]);
	int nr = req->data.nr;

	if (j == NULL || j->chan != ZVM_INJ_SOCKET)
		return -1;
	if (nr == SYS_sendto && a[4] != 0)
		return r->error = EISCONN, ZVM_H_DONE;
	if ((int)a[1] == SOL_SOCKET && ((nr == SYS_getsockopt &&
	    (int)a[2] == SO_PEERPIDFD) || (nr == SYS_setsockopt &&
	    (int)a[2] == SO_PASSPIDFD)))
		return r->error = ENOPROTOOPT, ZVM_H_DONE;
	if (nr == SYS_setsockopt && (int)a[1] == SOL_SOCKET &&
	    ((int)a[2] == SO_SNDBUF || (int)a[2] == SO_RCVBUF ||
	    (int)a[2] == SO_SNDBUFFORCE || (int)a[2] == SO_RCVBUFFORCE))
		return set_buf(sv, req, r);
	r->cont = 1;
	return ZVM_H_DONE;
}

int
zvm_h_obj(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	uint32_t fl;
	int e, clock;

	switch (req->data.nr) {
	case SYS_epoll_create:
		if ((int)a[0] <= 0)
			return r->error = EINVAL, ZVM_H_DONE;
		return inject(sv, r, epoll_create1(EPOLL_CLOEXEC),
		    ZVM_INJ_EPOLL, 0);
	case SYS_epoll_create1:
		if ((uint32_t)a[0] & ~EPOLL_CLOEXEC)
			return r->error = EINVAL, ZVM_H_DONE;
		return inject(sv, r, epoll_create1(EPOLL_CLOEXEC),
		    ZVM_INJ_EPOLL, a[0] & EPOLL_CLOEXEC);
	case SYS_epoll_ctl:
		return do_epoll_ctl(sv, req, r);
	case SYS_epoll_wait:
	case SYS_epoll_pwait:
	case SYS_epoll_pwait2:
		if (object(sv, a[0], ZVM_INJ_EPOLL, &e) == NULL)
			return r->error = e, ZVM_H_DONE;
		r->cont = 1;
		return ZVM_H_DONE;
	case SYS_eventfd:
	case SYS_eventfd2:
		fl = req->data.nr == SYS_eventfd2 ? (uint32_t)a[1] : 0;
		if (fl & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
			return r->error = EINVAL, ZVM_H_DONE;
		return inject(sv, r, eventfd((unsigned)a[0], EFD_CLOEXEC |
		    (fl & (EFD_NONBLOCK | EFD_SEMAPHORE))), ZVM_INJ_EVENTFD,
		    fl & EFD_CLOEXEC);
	case SYS_timerfd_create:
		clock = (int)a[0];
		fl = (uint32_t)a[1];
		if (fl & ~(TFD_CLOEXEC | TFD_NONBLOCK))
			return r->error = EINVAL, ZVM_H_DONE;
		if (clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM)
			return r->error = EPERM, ZVM_H_DONE;
		if (clock != CLOCK_REALTIME && clock != CLOCK_MONOTONIC &&
		    clock != CLOCK_BOOTTIME)
			return r->error = EINVAL, ZVM_H_DONE;
		return inject(sv, r, timerfd_create(clock, TFD_CLOEXEC |
		    (fl & TFD_NONBLOCK)), ZVM_INJ_TIMERFD, fl & TFD_CLOEXEC);
	case SYS_timerfd_settime:
	case SYS_timerfd_gettime:
		if (object(sv, a[0], ZVM_INJ_TIMERFD, &e) == NULL)
			return r->error = e, ZVM_H_DONE;
		r->cont = 1;
		return ZVM_H_DONE;
	case SYS_signalfd:
	case SYS_signalfd4:
		return do_signalfd(sv, req, r);
	case SYS_socketpair:
		return do_socketpair(sv, req, r);
	case SYS_sendto: case SYS_recvfrom: case SYS_shutdown:
	case SYS_getsockopt: case SYS_setsockopt: case SYS_getsockname:
	case SYS_getpeername:
		return on_socket(sv, req, r);
	}
	return -1;
}
