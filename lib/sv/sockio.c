/* SPDX-License-Identifier: ISC */
/*
 * sockio - sendmsg, sendmmsg, recvmsg and recvmmsg on the program's
 * socketpair ends (lib/sv/objects makes the pairs), done by the
 * supervisor on its own copy of the end (pidfd_getfd), so that an fd
 * crosses (SCM_RIGHTS) only as the supervisor decides.  Each message is
 * read from the program once and the call made from that copy: another
 * thread that rewrites the msghdr meanwhile changes nothing decided.
 *
 * - Sent: each fd of SCM_RIGHTS must be a real fd the program holds
 *   (lib/sv/fds: a pipe or socketpair end, an epoll, eventfd, timerfd or
 *   signalfd), or the call is EBADF, as the kernel says of a bad fd:
 *   a virtual fd, a closed number, any number of the supervisor's own.
 *   An injected file (a library, an image file) is EPERM: its reads are
 *   metered, a received copy's would not be.  Our copy of each goes in
 *   the message.  SCM_CREDENTIALS is EPERM (the kernel would check them
 *   against the supervisor), an address EISCONN, as sendto's.
 * - Received: always here, never natively, even on a pair no fd was ever
 *   sent over: a native recvmsg blocked in the kernel when the first fd
 *   is sent would take it to the lowest free number, a virtual one.  Each
 *   fd of SCM_RIGHTS is injected at the next number from 1024 up, known as
 *   what its file is, and counted in Files; one Files has no room for is
 *   closed and cut from the message with MSG_CTRUNC, as the kernel cuts
 *   what its fd table has no room for.
 * - A call that would block waits in the loop's pending table, holding
 *   our copy of the end as a blocked call holds the file; a signal ends
 *   it with EINTR, or with what it moved so far, SO_RCVTIMEO and
 *   SO_SNDTIMEO with EAGAIN.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

#include "sv/handler.h"

#define SCM_MAX		253		/* the kernel's SCM_MAX_FD */
/* What a message brings fits (credentials, 253 fds, timestamps); a
 * larger buffer of the program's gets the same from the kernel. */
#define CTL_IN		8192
/* Control data to send past this is ENOBUFS, as past optmem_max. */
#define CTL_OUT		(1 << 20)
#define MMSG_SIZE	64		/* struct mmsghdr */
#define MMSG_LEN	56		/* its msg_len */
#ifndef SCM_PIDFD
#define SCM_PIDFD	0x04
#endif
#ifndef MSG_WAITFORONE
#define MSG_WAITFORONE	0x10000
#endif

/* struct msghdr as the kernel reads it (x86-64; musl's has ints). */
struct kmsg {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov, iovlen, control, controllen;
	uint32_t flags, pad1;
};
#define KMSG_NAMELEN	8
#define KMSG_CONTROLLEN	40	/* msg_flags follows it, at 48 */

/* The call: our copy of its end, and how it behaves. */
struct sk {
	int fd;
	long pair;		/* its sv->pairs index, or -1 */
	int type;		/* SOCK_STREAM, SOCK_DGRAM, SOCK_SEQPACKET */
	uint32_t flags;
};

/* The fds a message sends: the copies we made (closed after it), the
 * pairs whose ends it holds (counted once it went). */
struct rights {
	int own[SCM_MAX];
	long pair[SCM_MAX];
	size_t nown, npair, nfds;
};

/* SO_RCVTIMEO or SO_SNDTIMEO of an end, in ns; 0: none. */
static uint64_t
timeo(int fd, int opt)
{
	struct timeval tv;
	socklen_t l = sizeof(tv);

	if (getsockopt(fd, SOL_SOCKET, opt, &tv, &l) == -1 || tv.tv_sec < 0)
		return 0;
	return (uint64_t)tv.tv_sec * 1000000000 + (uint64_t)tv.tv_usec * 1000;
}

/*
 * The socketpair end a call names: ours held by a waiting call, else a
 * new copy.  1: k filled; 0: the end is gone (r says EBADF); -1: not a
 * socketpair end (refused).
 */
static int
sock_get(struct zvm_sv *sv, uint64_t fdarg, uint32_t flags, struct sk *k,
    struct zvm_resp *r)
{
	struct zvm_inj *j;
	struct stat st;
	socklen_t l = sizeof(k->type);

	k->flags = flags;
	if (sv->pwait && sv->pwait->held) {
		k->fd = sv->pwait->hold;
		k->pair = fstat(k->fd, &st) == 0 ?
		    zvm_pair_find(sv, ZVM_INJ_SOCKET, &st) : -1;
	} else {
		j = zvm_inj_get(sv, fdarg);
		if (j == NULL || j->chan != ZVM_INJ_SOCKET)
			return -1;
		if ((k->fd = zvm_tr_getfd(&sv->tr, (int)(uint32_t)fdarg)) < 0)
			return r->error = EBADF, 0;
		k->pair = j->pair;
	}
	if (k->pair >= 0)
		k->type = sv->pairs[k->pair].type;
	else if (getsockopt(k->fd, SOL_SOCKET, SO_TYPE, &k->type, &l) == -1)
		k->type = SOCK_STREAM;
	return 1;
}

/* May the call not wait: MSG_DONTWAIT, or the end's O_NONBLOCK? */
static int
nonblock(const struct sk *k)
{
	int fl;

	if (k->flags & MSG_DONTWAIT)
		return 1;
	fl = fcntl(k->fd, F_GETFL);
	return fl != -1 && (fl & O_NONBLOCK);
}

/* Answer (err, or val) and let our copy of the end go. */
static int
finish(struct zvm_sv *sv, struct sk *k, struct zvm_resp *r, int64_t val,
    int err)
{
	int held = sv->pwait && sv->pwait->held;

	zvm_pw_free(sv->pwait);
	sv->pwait = NULL;
	if (!held)
		close(k->fd);
	if (err)
		r->error = err;
	else
		r->val = val;
	return ZVM_H_DONE;
}

/* Has a waiting call's SO_RCVTIMEO or SO_SNDTIMEO run out? */
static int
expired(const struct zvm_sv *sv)
{
	return sv->pdeadline != 0 && sv->pdeadline != UINT64_MAX &&
	    zvm_tr_now() >= sv->pdeadline;
}

/*
 * Wait for ev on our copy of the end: done messages and part bytes so
 * far, intr what a signal answers.  The timeout runs from the first wait,
 * and again from a wait after a message went (fresh): the kernel's is per
 * message.
 */
static int
park(struct zvm_sv *sv, struct sk *k, struct zvm_resp *r, short ev,
    uint64_t done, uint64_t part, uint64_t intr, int fresh, int opt)
{
	struct zvm_pollwait *w;
	uint64_t t;

	if (sv->pwait == NULL && zvm_pw_hold(&sv->pwait, k->fd, ev) == -1)
		return finish(sv, k, r, 0, ENOMEM);
	w = sv->pwait;
	w->done = done;
	w->part = part;
	w->intr = intr;
	if (sv->pdeadline == 0 || fresh) {
		t = timeo(k->fd, opt);
		sv->pdeadline = t ? zvm_tr_now() + t : UINT64_MAX;
	}
	return ZVM_H_PEND;
}

/* A message's fields the kernel writes back. */
static int
put_u32(struct zvm_sv *sv, uint64_t addr, uint32_t v)
{
	return zvm_tr_poke(&sv->tr, addr, &v, sizeof(v));
}

/*
 * The n fds of an SCM_RIGHTS at p (our copy of the control data): each
 * must be a real fd the program holds, and is replaced by ours.  0 or
 * -errno, in the kernel's order (scm_fp_copy).
 */
static int
fds_out(struct zvm_sv *sv, unsigned char *p, size_t n, struct rights *rt)
{
	if (n == 0)
		return 0;
	if (n > SCM_MAX || rt->nfds + n > SCM_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		struct zvm_inj *j;
		int fd, ours;

		memcpy(&fd, p + i * sizeof(int), sizeof(int));
		if (fd < 0 || (j = zvm_inj_get(sv, (uint32_t)fd)) == NULL)
			return -EBADF;
		/* A channel's file: metered; a scratch file: its writes
		 * are ours (the quota).  Neither may leave our hands. */
		if (j->chan >= 0 || j->chan == ZVM_INJ_SCRATCH)
			return -EPERM;
		if (j->fd >= 0)		/* an object: ours is the same file */
			ours = j->fd;
		else if ((ours = zvm_tr_getfd(&sv->tr, fd)) < 0)
			return -EBADF;	/* closed meanwhile */
		else
			rt->own[rt->nown++] = ours;
		if (j->pair >= 0)
			rt->pair[rt->npair++] = j->pair;
		memcpy(p + i * sizeof(int), &ours, sizeof(int));
		rt->nfds++;
	}
	return 0;
}

/* Control data c of len bytes: the header of the message at off in h,
 * 1, or 0 at the end (no whole header left).  cmsg_next moves *off past
 * h's message: 0 when no other can follow. */
static int
cmsg_at(const unsigned char *c, size_t len, size_t off, struct cmsghdr *h)
{
	if (len - off < sizeof(*h))
		return 0;
	memcpy(h, c + off, sizeof(*h));
	return 1;
}

static int
cmsg_next(size_t len, size_t *off, const struct cmsghdr *h)
{
	if (CMSG_ALIGN(h->cmsg_len) >= len - *off)
		return 0;
	*off += CMSG_ALIGN(h->cmsg_len);
	return 1;
}

/* The control messages to send (c, len bytes, our copy), checked as the
 * kernel checks them (__scm_send).  0 or -errno. */
static int
rights_out(struct zvm_sv *sv, unsigned char *c, size_t len,
    struct rights *rt)
{
	struct cmsghdr h;
	size_t off = 0;
	int e;

	while (cmsg_at(c, len, off, &h)) {
		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			return -EINVAL;
		if (h.cmsg_level == SOL_SOCKET) {
			if (h.cmsg_type == SCM_CREDENTIALS)
				return h.cmsg_len ==
				    CMSG_LEN(sizeof(struct ucred)) ? -EPERM :
				    -EINVAL;
			if (h.cmsg_type != SCM_RIGHTS)
				return -EINVAL;
			if ((e = fds_out(sv, c + off + CMSG_LEN(0),
			    (h.cmsg_len - CMSG_LEN(0)) / sizeof(int), rt)) < 0)
				return e;
		}
		if (!cmsg_next(len, &off, &h))
			break;
	}
	return 0;
}

/* The program's message header at mh, checked as the kernel checks it,
 * in *m, and its iovecs loaded (*cnt of them, *total bytes): 0 or
 * -errno. */
static int
msg_load(struct zvm_sv *sv, uint64_t mh, struct kmsg *m, size_t *cnt,
    uint64_t *total)
{
	if (zvm_tr_peek(&sv->tr, mh, m, sizeof(*m)) < 0)
		return -EFAULT;
	if (m->name && m->namelen < 0)
		return -EINVAL;
	if (m->iovlen > ZVM_IOV_MAX)
		return -EMSGSIZE;
	return zvm_tr_iov_load(&sv->tr, 1, m->iov, m->iovlen, cnt, total);
}

/*
 * Send the bytes of message mh from part on (its control data with its
 * first byte), as much as goes now: what sendmsg returns, or -errno.
 * *total is the message's length.
 */
static ssize_t
send_one(struct zvm_sv *sv, const struct sk *k, uint64_t mh, uint64_t part,
    uint64_t *total)
{
	struct msghdr out = { 0 };
	unsigned char *ctl = NULL;
	struct rights rt;
	struct kmsg m;
	struct iovec iov;
	ssize_t n = 0;
	size_t cnt, len;
	int e;

	rt.nown = rt.npair = rt.nfds = 0;
	if ((e = msg_load(sv, mh, &m, &cnt, total)) < 0)
		return e;
	if (m.controllen > INT_MAX)
		return -ENOBUFS;
	if (part == 0 && m.controllen) {
		if (m.controllen > CTL_OUT)
			return -ENOBUFS;
		if ((ctl = malloc(m.controllen)) == NULL)
			return -ENOMEM;
		if (zvm_tr_peek(&sv->tr, m.control, ctl, m.controllen) < 0) {
			e = -EFAULT;
			goto out;
		}
		if ((e = rights_out(sv, ctl, m.controllen, &rt)) < 0)
			goto out;
		out.msg_control = ctl;
		out.msg_controllen = m.controllen;
	}
	if (m.name && m.namelen > 0) {	/* only the peer, never a name */
		e = -EISCONN;
		goto out;
	}
	/* A datagram goes whole; the kernel's own limit is far below. */
	if (k->type != SOCK_STREAM && *total > ZVM_BUFSZ) {
		e = -EMSGSIZE;
		goto out;
	}
	len = *total - part < ZVM_BUFSZ ? *total - part : ZVM_BUFSZ;
	if (len && zvm_tr_iov_get(&sv->tr, cnt, part, sv->buf, len) !=
	    (ssize_t)len) {
		e = -EFAULT;
		goto out;
	}
	/* The kernel's own bound: no more fds in flight than RLIMIT_NOFILE
	 * (too_many_unix_fds), ours Files. */
	if (rt.nfds && sv->inflight > sv->lim.files) {
		sv->rep->limits |= ZVM_LIMIT_FILES;
		e = -ETOOMANYREFS;
		goto out;
	}
	iov.iov_base = sv->buf;
	iov.iov_len = len;
	out.msg_iov = &iov;
	out.msg_iovlen = 1;
	n = sendmsg(k->fd, &out, (int)(k->flags | MSG_DONTWAIT |
	    MSG_NOSIGNAL));
	e = n < 0 ? -errno : 0;
	/* The fds went with a stream's first byte, with any datagram. */
	if (rt.nfds && (n > 0 || (n == 0 && k->type != SOCK_STREAM))) {
		for (size_t i = 0; i < rt.npair; i++)
			zvm_pair_ref(sv, rt.pair[i]);
		zvm_flight(sv, k->pair, (long)rt.nfds);
	}
out:
	for (size_t i = 0; i < rt.nown; i++)
		close(rt.own[i]);
	free(ctl);
	return e < 0 ? e : n;
}

/* Send message mh on from *part, as far as it goes now: 1 when all of
 * it went, 0 when the end is full (*part how far it got), or -errno. */
static int
send_msg(struct zvm_sv *sv, const struct sk *k, uint64_t mh,
    uint64_t *part)
{
	uint64_t total;
	ssize_t n;

	for (;;) {
		if ((n = send_one(sv, k, mh, *part, &total)) == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		*part += (uint64_t)n;
		if (k->type != SOCK_STREAM || n == 0 || *part >= total)
			return 1;
	}
}

/* What a received fd is: 0 with its kind (ZVM_INJ_*) and, for a pipe or
 * socketpair end, its pair; -1 for what the program could not have
 * sent. */
static int
kind_of(struct zvm_sv *sv, int fd, int *kind, long *pair)
{
	static const struct {
		const char *link;
		int kind;
	} anon[] = {
		{ "anon_inode:[eventfd]", ZVM_INJ_EVENTFD },
		{ "anon_inode:[timerfd]", ZVM_INJ_TIMERFD },
		{ "anon_inode:[signalfd]", ZVM_INJ_SIGNALFD },
		{ "anon_inode:[eventpoll]", ZVM_INJ_EPOLL },
	};
	char path[64], link[64];
	struct stat st;
	ssize_t n;

	*pair = -1;
	if (fstat(fd, &st) == -1)
		return -1;
	if (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		*kind = S_ISFIFO(st.st_mode) ? ZVM_INJ_PIPE : ZVM_INJ_SOCKET;
		*pair = zvm_pair_find(sv, *kind, &st);
		return *pair >= 0 ? 0 : -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if ((n = readlink(path, link, sizeof(link) - 1)) < 0)
		return -1;
	link[n] = '\0';
	for (size_t i = 0; i < sizeof(anon) / sizeof(anon[0]); i++)
		if (strcmp(link, anon[i].link) == 0) {
			*kind = anon[i].kind;
			return 0;
		}
	return -1;
}

/*
 * The n fds of a received SCM_RIGHTS at p (ours), injected in order, at
 * most want of them, their numbers written to q, while Files and the
 * program's table have room; from the first that does not go in, all are
 * closed.  A pair's end that was in flight is now the program's, but one
 * MSG_PEEK copied is one hold more.  How many went in.
 */
static size_t
fds_in(struct zvm_sv *sv, const unsigned char *p, size_t n, size_t want,
    unsigned char *q, int cloexec, int peek)
{
	size_t in = 0;

	for (size_t i = 0; i < n; i++) {
		int fd, kind = 0, child, keep;
		long pair = -1;

		memcpy(&fd, p + i * sizeof(int), sizeof(int));
		if (in == i && in < want && kind_of(sv, fd, &kind, &pair) == 0 &&
		    zvm_files_room(sv, 1) == 0) {
			/* An object's copy is ours to keep; a pipe's or a
			 * socket's is not (the peer would never see the
			 * end). */
			keep = kind != ZVM_INJ_PIPE && kind != ZVM_INJ_SOCKET;
			if ((child = zvm_inj_new(sv, fd, kind, 0, pair, cloexec,
			    keep)) >= 0) {
				if (!keep)
					close(fd);
				if (pair >= 0 && peek)
					zvm_pair_ref(sv, pair);
				memcpy(q + in * sizeof(int), &child,
				    sizeof(int));
				in++;
				continue;
			}
			if (keep)	/* closed by zvm_inj_new */
				fd = -1;
		} else if (pair < 0)
			(void)kind_of(sv, fd, &kind, &pair);
		if (fd >= 0)
			close(fd);
		if (pair >= 0 && !peek)
			zvm_pair_unref(sv, pair);
	}
	return in;
}

/*
 * Our received control data (len bytes at c, from a buffer with room for
 * all of it) as the kernel would have written it to the program's, cap
 * bytes (none: nullctl), into out: every message as put_cmsg puts it,
 * cut to the room left (*fl gets MSG_CTRUNC), SCM_RIGHTS as
 * scm_detach_fds does, its fds injected (fds_in) as far as the room, Files
 * and the program's table go, the rest closed.  An fd of another kind of
 * message (SCM_PIDFD) is closed.  *nfds counts the fds that came.  The
 * length written to out.
 */
static size_t
rights_in(struct zvm_sv *sv, const unsigned char *c, size_t len,
    unsigned char *out, uint64_t cap, int nullctl, int cloexec, int peek,
    uint32_t *fl, size_t *nfds)
{
	struct cmsghdr h;
	size_t off = 0, o = 0;

	*nfds = 0;
	if (nullctl)
		cap = 0;
	while (cmsg_at(c, len, off, &h)) {
		uint64_t room = cap - o;
		size_t dl, n, in, w;
		size_t hl = h.cmsg_len;	/* h is cut below */

		if (h.cmsg_len < sizeof(h) || h.cmsg_len > len - off)
			break;
		dl = h.cmsg_len - sizeof(h);
		if (h.cmsg_level == SOL_SOCKET && (h.cmsg_type == SCM_RIGHTS ||
		    h.cmsg_type == SCM_PIDFD)) {
			n = dl / sizeof(int);
			*nfds += h.cmsg_type == SCM_RIGHTS ? n : 0;
			w = h.cmsg_type != SCM_RIGHTS || room <=
			    sizeof(h) ? 0 : (room - sizeof(h)) / sizeof(int);
			in = fds_in(sv, c + off + sizeof(h), n, w,
			    out + o + sizeof(h), cloexec, peek);
			if (in < n || (n && w == 0))
				*fl |= MSG_CTRUNC;
			if (in) {
				h.cmsg_len = CMSG_LEN(in * sizeof(int));
				memcpy(out + o, &h, sizeof(h));
				w = CMSG_SPACE(in * sizeof(int));
				o += w < room ? w : room;
			}
		} else if (room < sizeof(h))
			*fl |= MSG_CTRUNC;
		else {
			w = h.cmsg_len;
			if (room < w) {
				*fl |= MSG_CTRUNC;
				w = room;
			}
			h.cmsg_len = w;
			memcpy(out + o, &h, sizeof(h));
			memcpy(out + o + sizeof(h), c + off + sizeof(h),
			    w - sizeof(h));
			w = CMSG_SPACE(dl);
			o += w < room ? w : room;
		}
		h.cmsg_len = hl;
		if (!cmsg_next(len, &off, &h))
			break;
	}
	return o;
}

/* Write control data c (len bytes, as rights_in made it) to the program
 * at addr: each message's own bytes, never the padding between them,
 * which the kernel does not write either.  0 or -EFAULT. */
static int
put_control(struct zvm_sv *sv, uint64_t addr, const unsigned char *c,
    size_t len)
{
	struct cmsghdr h;
	size_t off = 0;

	while (cmsg_at(c, len, off, &h)) {
		size_t n = h.cmsg_len < len - off ? h.cmsg_len : len - off;

		if (zvm_tr_poke(&sv->tr, addr + off, c + off, n) < 0)
			return -EFAULT;
		if (!cmsg_next(len, &off, &h))
			break;
	}
	return 0;
}

/*
 * Receive into message mh from byte part of its buffers on, what there
 * is now, and write back what the kernel writes (the bytes, the control
 * data, msg_controllen, msg_flags, msg_namelen and the name): what
 * recvmsg returns, or -errno.  The control data comes into a buffer
 * with room for all of it, so every fd is seen (counted, injected or
 * closed), and is then cut to the program's room as the kernel cuts it.
 * *total is the buffers' length; *ctl says control data came (or was
 * cut).
 */
static ssize_t
recv_one(struct zvm_sv *sv, const struct sk *k, uint64_t mh, uint64_t part,
    uint64_t *total, int *ctl)
{
	unsigned char c[CTL_IN], out[CTL_IN];
	struct sockaddr_storage name;
	struct msghdr in = { 0 };
	struct kmsg m;
	struct iovec iov;
	size_t cnt, len, got, clen, nfds;
	int peek = (k->flags & MSG_PEEK) != 0, e;
	struct {
		uint64_t controllen;
		uint32_t flags;
	} tail;
	uint32_t fl;
	ssize_t n;

	*ctl = 0;
	if ((e = msg_load(sv, mh, &m, &cnt, total)) < 0)
		return e;
	len = *total - part < ZVM_BUFSZ ? *total - part : ZVM_BUFSZ;
	iov.iov_base = sv->buf;
	iov.iov_len = len;
	in.msg_iov = &iov;
	in.msg_iovlen = 1;
	if (m.name) {
		in.msg_name = &name;
		in.msg_namelen = sizeof(name);
	}
	in.msg_control = c;
	in.msg_controllen = sizeof(c);
	n = recvmsg(k->fd, &in, (int)(k->flags | MSG_DONTWAIT |
	    MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	fl = ((uint32_t)in.msg_flags & ~(uint32_t)MSG_CMSG_CLOEXEC) |
	    (k->flags & MSG_CMSG_CLOEXEC);
	got = (size_t)n < len ? (size_t)n : len;
	if (got && zvm_tr_iov_put(&sv->tr, cnt, part, sv->buf, got) !=
	    (ssize_t)got) {
		/* Nowhere to put the bytes: nor the fds. */
		(void)rights_in(sv, c, in.msg_controllen, out, 0, 1, 0, peek,
		    &fl, &nfds);
		if (!peek)
			zvm_flight(sv, k->pair, -(long)nfds);
		return -EFAULT;
	}
	clen = rights_in(sv, c, in.msg_controllen, out, m.controllen,
	    m.control == 0, (k->flags & MSG_CMSG_CLOEXEC) != 0, peek, &fl,
	    &nfds);
	if (!peek)
		zvm_flight(sv, k->pair, -(long)nfds);
	*ctl = clen > 0 || (fl & MSG_CTRUNC);
	if (clen && put_control(sv, m.control, out, clen) < 0)
		return -EFAULT;
	if (m.name) {
		size_t nl = (size_t)m.namelen < in.msg_namelen ?
		    (size_t)m.namelen : in.msg_namelen;

		if ((nl && zvm_tr_poke(&sv->tr, m.name, &name, nl) < 0) ||
		    put_u32(sv, mh + KMSG_NAMELEN, in.msg_namelen) < 0)
			return -EFAULT;
	}
	/* msg_controllen and msg_flags, side by side. */
	tail.controllen = clen;
	tail.flags = fl;
	if (zvm_tr_poke(&sv->tr, mh + KMSG_CONTROLLEN, &tail, 12) < 0)
		return -EFAULT;
	return n;
}

/*
 * Receive message mh on from *part: 1 when it is done (*ret its answer),
 * 0 when nothing more is there now (*part how far it got), or -errno.
 * MSG_WAITALL fills a stream's buffers but for the end, a signal and
 * control data, as the kernel's stops at an fd.
 */
static int
recv_msg(struct zvm_sv *sv, const struct sk *k, uint64_t mh, uint64_t *part,
    int64_t *ret)
{
	uint64_t total;
	ssize_t n;
	int ctl;

	for (;;) {
		if ((n = recv_one(sv, k, mh, *part, &total, &ctl)) == -EAGAIN)
			return 0;
		if (n < 0)
			return (int)n;
		if (k->type != SOCK_STREAM) {
			*ret = n;
			return 1;
		}
		*part += (uint64_t)n;
		if (!(k->flags & MSG_WAITALL) || (k->flags & MSG_PEEK) ||
		    n == 0 || ctl || *part >= total) {
			*ret = (int64_t)*part;
			return 1;
		}
	}
}

static int
do_sendmsg(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct sk *k, struct zvm_resp *r)
{
	uint64_t part = sv->pwait ? sv->pwait->part : 0;
	int e = send_msg(sv, k, req->data.args[1], &part);

	if (e == 1 || (e != 0 && part))	/* the kernel's: sent ? : err */
		return finish(sv, k, r, (int64_t)part, 0);
	if (e < 0) {
		if (e == -EPIPE && k->type == SOCK_STREAM &&
		    !(k->flags & MSG_NOSIGNAL))
			zvm_tr_signal(&sv->tr, (pid_t)req->pid, SIGPIPE);
		return finish(sv, k, r, 0, -e);
	}
	if (nonblock(k) || expired(sv))
		return part ? finish(sv, k, r, (int64_t)part, 0) :
		    finish(sv, k, r, 0, EAGAIN);
	return park(sv, k, r, POLLOUT, 0, part, part, 0, SO_SNDTIMEO);
}

static int
do_recvmsg(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct sk *k, struct zvm_resp *r)
{
	uint64_t part = sv->pwait ? sv->pwait->part : 0;
	int64_t ret = 0;
	int e = recv_msg(sv, k, req->data.args[1], &part, &ret);

	if (e == 1)
		return finish(sv, k, r, ret, 0);
	if (e < 0)
		return part ? finish(sv, k, r, (int64_t)part, 0) :
		    finish(sv, k, r, 0, -e);
	if (nonblock(k) || expired(sv))
		return part ? finish(sv, k, r, (int64_t)part, 0) :
		    finish(sv, k, r, 0, EAGAIN);
	return park(sv, k, r, POLLIN, 0, part, part, 0, SO_RCVTIMEO);
}

/*
 * sendmmsg and recvmmsg: one message after the other, as the kernel's,
 * each blocking as one sendmsg or recvmsg would (recvmmsg's MSG_WAITFORONE
 * only for the first), its msg_len written once it is done; a message cut
 * short (a signal, a non-blocking end) counts with what it moved.  The
 * count of messages done, or the first one's error.  recvmmsg's timeout
 * is looked at after each message, as the kernel's is.
 */
static int
do_mmsg(struct zvm_sv *sv, const struct seccomp_notif *req, struct sk *k,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int rx = req->data.nr == SYS_recvmmsg, e = 0, err = 0, fresh = 0;
	uint64_t vlen = (uint32_t)a[2] > ZVM_IOV_MAX ? ZVM_IOV_MAX :
	    (uint32_t)a[2];
	uint64_t done = 0, part = 0, until = UINT64_MAX, now;
	struct { int64_t sec, nsec; } ts;
	struct sk one = *k;
	int64_t ret = 0;

	if (sv->pwait) {
		done = sv->pwait->done;
		part = sv->pwait->part;
		until = sv->pwait->until;
	} else if (rx && a[4]) {
		if (zvm_tr_peek(&sv->tr, a[4], &ts, sizeof(ts)) < 0)
			return finish(sv, k, r, 0, EFAULT);
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
			return finish(sv, k, r, 0, EINVAL);
		/* Past a century: as good as forever, and still a timeout. */
		if (ts.sec > 100LL * 365 * 86400)
			ts.sec = 100LL * 365 * 86400;
		until = zvm_tr_now() + (uint64_t)ts.sec * 1000000000 +
		    (uint64_t)ts.nsec;
	}
	while (done < vlen) {
		uint64_t mh = a[1] + done * MMSG_SIZE;

		one.flags = k->flags & ~(uint32_t)MSG_WAITFORONE;
		if (rx && (k->flags & MSG_WAITFORONE) && done)
			one.flags |= MSG_DONTWAIT;
		e = rx ? recv_msg(sv, &one, mh, &part, &ret) :
		    send_msg(sv, &one, mh, &part);
		if (e == 0)
			break;
		if (e < 0 && part == 0) {
			err = -e;
			break;
		}
		if (e < 0 || !rx)
			ret = (int64_t)part;
		if (put_u32(sv, mh + MMSG_LEN, (uint32_t)ret) < 0) {
			err = EFAULT;
			break;
		}
		done++;
		part = 0;
		fresh = 1;
		if (e < 0 || (until != UINT64_MAX && zvm_tr_now() >= until))
			break;
	}
	if (e == 0 && done < vlen) {	/* the end is full, or empty */
		uint64_t mh = a[1] + done * MMSG_SIZE;

		if (part && put_u32(sv, mh + MMSG_LEN, (uint32_t)part) < 0)
			err = EFAULT;
		else if (nonblock(&one) || expired(sv))
			done += part != 0;
		else {
			e = park(sv, k, r, rx ? POLLIN : POLLOUT, done, part,
			    done + (part != 0), fresh, rx ? SO_RCVTIMEO :
			    SO_SNDTIMEO);
			if (e == ZVM_H_PEND)
				sv->pwait->until = until;
			return e;
		}
	}
	if (err == EPIPE && !rx && k->type == SOCK_STREAM &&
	    !(k->flags & MSG_NOSIGNAL))
		zvm_tr_signal(&sv->tr, (pid_t)req->pid, SIGPIPE);
	if (done == 0)
		return finish(sv, k, r, 0, err ? err : e == 0 && vlen ? EAGAIN :
		    0);
	/* recvmmsg writes back the time its timeout has left. */
	if (rx && a[4]) {
		now = zvm_tr_now();
		ts.sec = (int64_t)((until > now ? until - now : 0) / 1000000000);
		ts.nsec = (int64_t)((until > now ? until - now : 0) %
		    1000000000);
		if (zvm_tr_poke(&sv->tr, a[4], &ts, sizeof(ts)) < 0)
			return finish(sv, k, r, 0, EFAULT);
	}
	return finish(sv, k, r, (int64_t)done, 0);
}

int
zvm_h_sock(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int mm = req->data.nr == SYS_sendmmsg || req->data.nr == SYS_recvmmsg;
	struct sk k;
	int e;

	switch (req->data.nr) {
	case SYS_sendmsg:
	case SYS_recvmsg:
	case SYS_sendmmsg:
	case SYS_recvmmsg:
		break;
	default:
		return -1;
	}
	if ((e = sock_get(sv, a[0], (uint32_t)a[mm ? 3 : 2], &k, r)) <= 0)
		return e < 0 ? -1 : ZVM_H_DONE;
	if (mm)
		return do_mmsg(sv, req, &k, r);
	return req->data.nr == SYS_sendmsg ? do_sendmsg(sv, req, &k, r) :
	    do_recvmsg(sv, req, &k, r);
}
