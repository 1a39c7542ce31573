/* SPDX-License-Identifier: ISC */
/*
 * chanio - the program's reads and writes, done by the supervisor on its
 * own fds under the channel's quotas.  Each call is checked (fd, mode,
 * type, known end, calls, bytes), cut to the bytes that remain, moved with
 * process_vm_readv/writev (regular inputs straight from a mapping window)
 * and hashed; quotas and positions move only once the answer was
 * delivered (zvm_io_commit).  A stream that is not ready never blocks the
 * loop: the call waits in the pending table.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "sv/handler.h"

#define STREAM_CHUNK 4096	/* PIPE_BUF: a write after POLLOUT never
				 * blocks */

/* Regular file: n bytes at p (all inside the known end). */
static ssize_t
read_reg(struct zvm_sv *sv, struct zvm_chan *ch, size_t cnt, uint64_t p,
    uint64_t n, int seqstd)
{
	struct zvm_source *s = ch->src;
	uint64_t done = 0;
	ssize_t k, w;

	while (done < n) {
		const unsigned char *q;
		size_t avail;

		if (s->std < 0 && s->acc == ZVM_ACC_READ && !s->shrunk &&
		    (q = zvm_win(s, p + done, &avail)) != NULL) {
			if (avail > n - done)
				avail = n - done;
			/* Cut under us: only what the file has (the
			 * program's buffer past it stays untouched). */
			if ((k = zvm_win_cut(s, p + done)) >= 0 &&
			    (size_t)k < avail) {
				s->shrunk = 1;
				if ((avail = (size_t)k) == 0)
					break;
			}
			w = zvm_tr_iov_put(&sv->tr, cnt, done, q, avail);
			if (w < 0 && errno == EFAULT && zvm_win_gone(s)) {
				s->shrunk = 1;	/* pread from now on */
				continue;
			}
			/* A page the file now ends inside reads as zeros
			 * past its end, no fault: cut meanwhile, count only
			 * what is in the file after the copy. */
			if (w > 0 && (k = zvm_win_cut(s, p + done)) >= 0 &&
			    k < w) {
				s->shrunk = 1;
				if ((w = k) == 0)
					break;
			}
			if (w > 0 && ch->rep->etag_on &&
			    zvm_win_hash(&ch->etag, q, w) == -1) {
				/* Delivered, but the digest is lost. */
				s->shrunk = 1;
				zvm_host_error(ch, "read", EIO);
				return -EIO;
			}
		} else {
			avail = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
			k = seqstd ? read(s->fd, sv->buf, avail) :
			    pread(s->fd, sv->buf, avail, p + done);
			if (k <= 0) {
				if (k < 0)
					zvm_host_error(ch, "read", errno);
				return done ? (ssize_t)done :
				    k < 0 ? -errno : 0;
			}
			w = zvm_tr_iov_put(&sv->tr, cnt, done, sv->buf, k);
			if (w > 0 && ch->rep->etag_on)
				zvm_etag_update(&ch->etag, sv->buf, w);
			avail = k;
		}
		if (w <= 0)
			return done ? (ssize_t)done : -EFAULT;
		done += w;
		if ((size_t)w < avail)
			break;
	}
	return done;
}

/* Is a blocking stream we did not open ready?  Never wait here. */
static int
ready(int fd, short ev)
{
	struct pollfd pfd = { fd, ev, 0 };

	return poll(&pfd, 1, 0) == 1;
}

static ssize_t
read_stream(struct zvm_sv *sv, struct zvm_chan *ch, size_t cnt, uint64_t n)
{
	struct zvm_source *s = ch->src;
	ssize_t k, w;

	if (n > ZVM_BUFSZ)
		n = ZVM_BUFSZ;
	/* A FIFO that never had a writer reads 0 at once: wait for one. */
	if ((!s->nonblock || s->kind == ZVM_SRC_FIFO) && !ready(s->fd, POLLIN))
		return -EAGAIN;
	if ((k = read(s->fd, sv->buf, n)) < 0) {
		if (errno == EAGAIN)
			return -EAGAIN;
		zvm_host_error(ch, "read", errno);
		return -errno;
	}
	if (k == 0)
		return 0;
	w = zvm_tr_iov_put(&sv->tr, cnt, 0, sv->buf, k);
	if (w > 0 && ch->rep->etag_on)
		zvm_etag_update(&ch->etag, sv->buf, w);
	return w > 0 ? w : -EFAULT;
}

/*
 * The channel fd of a read or a write (acc: ZVM_ACC_READ or _WRITE) and
 * the call decoded; 0, or the errno to answer.  Directories are opened
 * for reading only, so a write to one is EBADF before it is EISDIR.
 */
static int
chan_call(struct zvm_sv *sv, const struct seccomp_notif *req, int acc,
    struct zvm_ofd **op, struct zvm_iocall *c)
{
	struct zvm_ofd *o = zvm_fd_get(sv, req->data.args[0]);
	const struct zvm_source *s;
	int rnd = acc == ZVM_ACC_READ ? ZVM_TYPE_RANDOM_READ :
	    ZVM_TYPE_RANDOM_WRITE;

	if (o == NULL || o->path || !(o->acc & acc))
		return EBADF;
	if (o->vdir || o->hostfd >= 0)
		return EISDIR;
	*op = o;
	if (o->vdev)
		return -zvm_tr_iocall(&sv->tr, req, 1, c);
	s = sv->ch[o->chan].src;
	return -zvm_tr_iocall(&sv->tr, req, s->kind == ZVM_SRC_REG &&
	    (s->c->type & rnd), c);
}

/* A read of a device: zeros, or random bytes; the program's own. */
static int
dev_read(struct zvm_sv *sv, int vdev, const struct zvm_iocall *call,
    struct zvm_resp *r)
{
	int rnd = vdev == ZVM_VDEV_RANDOM || vdev == ZVM_VDEV_URANDOM;
	uint64_t done = 0;
	ssize_t k, w;

	if (vdev == ZVM_VDEV_NULL)
		return ZVM_H_DONE;	/* the end, at once */
	if (!rnd)
		memset(sv->buf, 0, call->total < ZVM_BUFSZ ? call->total :
		    ZVM_BUFSZ);
	while (done < call->total) {
		size_t c = call->total - done < ZVM_BUFSZ ?
		    call->total - done : ZVM_BUFSZ;

		if (rnd && (k = getrandom(sv->buf, c, 0)) <= 0)
			break;
		if (rnd)
			c = (size_t)k;
		if ((w = zvm_tr_iov_put(&sv->tr, call->cnt, done, sv->buf,
		    c)) <= 0)
			break;
		done += (uint64_t)w;
		if ((size_t)w < c)
			break;
	}
	if (done == 0)
		r->error = EFAULT;
	else
		r->val = (int64_t)done;
	return ZVM_H_DONE;
}

static int
do_read(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	int seqstd = 0, e;
	struct zvm_txn *t = &sv->txn;
	struct zvm_ofd *o;
	struct zvm_chan *ch;
	struct zvm_source *s;
	struct zvm_iocall call;
	uint64_t room, n, p;
	ssize_t got;

	if ((r->error = chan_call(sv, req, ZVM_ACC_READ, &o, &call)) != 0 ||
	    call.total == 0)
		return ZVM_H_DONE;
	if (o->vdev)
		return dev_read(sv, o->vdev, &call, r);
	ch = &sv->ch[o->chan];
	s = ch->src;
	p = call.off;
	if (s->kind == ZVM_SRC_REG) {
		if (!call.posn)
			p = s->c->type & ZVM_TYPE_RANDOM_READ ? o->off :
			    s->rpos;
		seqstd = !call.posn && s->std >= 0 &&
		    !(s->c->type & ZVM_TYPE_RANDOM_READ);
		/* The known end: 0, free of charge. */
		if (p >= s->size)
			return ZVM_H_DONE;
	}
	if ((e = zvm_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	n = call.total < room ? call.total : room;
	if (s->kind == ZVM_SRC_REG && n > s->size - p)
		n = s->size - p;
	if (ch->rep->etag_on) {
		zvm_owe_flush(sv, o->chan);	/* the native path's first */
		t->saved = ch->etag;
		t->restore = 1;
	} else
		t->restore = 0;
	if (s->kind == ZVM_SRC_REG)
		got = read_reg(sv, ch, call.cnt, p, n, seqstd);
	else
		got = read_stream(sv, ch, call.cnt, n);
	if (got == -EAGAIN) {
		if (o->flags & O_NONBLOCK)
			return r->error = EAGAIN, ZVM_H_DONE;
		*chan = o->chan;
		*events = POLLIN;
		return ZVM_H_PEND;
	}
	if (got < 0) {
		if (t->restore)
			ch->etag = t->saved;
		return r->error = (int)-got, ZVM_H_DONE;
	}
	/* The file's end, come early (cut under us): free, as the known
	 * end is. */
	if (got == 0 && s->kind == ZVM_SRC_REG)
		return ZVM_H_DONE;
	/* The crossing transfer was cut to what remained. */
	if ((uint64_t)got == room && call.total > room)
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
	r->val = got;
	zvm_txn_start(sv, o->chan, 0, (uint64_t)got, o);
	if (s->kind == ZVM_SRC_REG) {
		t->newpos = p + got;
		t->pos = call.posn ? ZVM_POS_NONE : s->c->type &
		    ZVM_TYPE_RANDOM_READ ? ZVM_POS_OFD : ZVM_POS_READ;
	}
	return ZVM_H_DONE;
}

/*
 * Write len bytes of sv->buf to a stream; -EAGAIN when nothing could go
 * without blocking.  *blocked says the stream stopped taking bytes (as
 * opposed to an error): the caller parks the rest of a blocking write.
 */
/*
 * A broadcast (a tcp: write channel with several ends): the bytes its
 * first end took go to each other end too, whole, so every reader gets
 * the same stream; a slow reader holds the writer up, as ZeroVM's PUSH
 * with a high-water mark of 1 did, never past the Timeout.  0 or -errno.
 */
static int
broadcast(struct zvm_sv *sv, const struct zvm_source *s,
    const unsigned char *b, size_t n)
{
	for (size_t i = 1; i < s->nends; i++) {
		size_t done = 0;

		while (done < n) {
			struct pollfd p = { s->ends[i].fd, POLLOUT, 0 };
			ssize_t k = write(s->ends[i].fd, b + done, n - done);
			uint64_t now;

			if (k > 0) {
				done += (size_t)k;
				continue;
			}
			if (k == 0 || (errno != EAGAIN && errno != EINTR))
				return k == 0 ? -EIO : -errno;
			if ((now = zvm_tr_now()) >= sv->deadline)
				return -ETIMEDOUT;
			(void)poll(&p, 1, (int)((sv->deadline - now) /
			    1000000 + 1));
		}
	}
	return 0;
}

static ssize_t
write_stream(struct zvm_sv *sv, struct zvm_source *s, size_t len,
    int *blocked)
{
	size_t done = 0;
	ssize_t k;
	int e;

	*blocked = 0;
	if (s->nonblock || (s->kind == ZVM_SRC_CHR && !s->tty)) {
		k = write(s->fd, sv->buf, len);
		if (k > 0 && s->nends > 1 && (e = broadcast(sv, s, sv->buf,
		    (size_t)k)) < 0)
			return e;
		/* A FIFO of ours that is full takes a part, then EAGAIN. */
		if ((k < 0 && errno == EAGAIN) || (k >= 0 && (size_t)k < len &&
		    s->kind == ZVM_SRC_FIFO))
			*blocked = 1;
		return k < 0 ? -errno : k;
	}
	/* A pipe or terminal we must not make non-blocking: a write of at
	 * most PIPE_BUF after POLLOUT cannot block. */
	while (done < len) {
		size_t c = len - done < STREAM_CHUNK ? len - done :
		    STREAM_CHUNK;

		if (!ready(s->fd, POLLOUT)) {
			*blocked = 1;
			break;
		}
		if ((k = write(s->fd, sv->buf + done, c)) < 0)
			return done ? (ssize_t)done : -errno;
		done += k;
	}
	return done ? (ssize_t)done : -EAGAIN;
}

static int
do_write(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	int e, seqstd = 0, blocked = 0;
	struct zvm_txn *t = &sv->txn;
	struct zvm_ofd *o;
	struct zvm_chan *ch;
	struct zvm_source *s;
	struct zvm_iocall call;
	uint64_t room, n, p, done = 0, charged = 0;
	ssize_t got, k = 0;

	if ((r->error = chan_call(sv, req, ZVM_ACC_WRITE, &o, &call)) != 0 ||
	    call.total == 0)
		return ZVM_H_DONE;
	if (o->vdev) {		/* dropped; /dev/full is always full */
		if (o->vdev == ZVM_VDEV_FULL)
			r->error = ENOSPC;
		else
			r->val = (int64_t)call.total;
		return ZVM_H_DONE;
	}
	ch = &sv->ch[o->chan];
	s = ch->src;
	p = call.off;
	if (sv->wwant) {
		/* A parked blocking write goes on where it stopped; the
		 * bytes written so far were charged when it parked. */
		n = room = sv->wwant;
		done = charged = sv->wdone;
	} else if ((e = zvm_quota(ch, ZVM_PUTS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	else
		n = call.total < room ? call.total : room;
	if (s->kind == ZVM_SRC_REG) {
		int rnd = s->c->type & ZVM_TYPE_RANDOM_WRITE;

		/* O_APPEND: the end, positioned or not, as Linux does. */
		if (o->flags & O_APPEND)
			p = s->size;
		else if (!call.posn)
			p = rnd ? o->off : s->wpos;
		seqstd = s->std >= 0 && !call.posn && !rnd;
		/* ZeroVM: no hole the quota could never fill. */
		if ((call.posn || rnd) && p >= s->size + room)
			return r->error = EINVAL, ZVM_H_DONE;
	}
	if (ch->rep->etag_on)
		zvm_owe_flush(sv, o->chan);	/* the native path's first */
	while (done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;

		got = zvm_tr_iov_get(&sv->tr, call.cnt, done, sv->buf, c);
		if (got <= 0) {
			k = -EFAULT;
			break;
		}
		if (s->kind == ZVM_SRC_REG) {
			k = seqstd ? write(s->fd, sv->buf, got) :
			    pwrite(s->fd, sv->buf, got, p + done);
			if (k < 0)
				k = -errno;
		} else
			k = write_stream(sv, s, got, &blocked);
		if (k <= 0)
			break;
		if (ch->rep->etag_on)
			zvm_etag_update(&ch->etag, sv->buf, k);
		s->partial = sv->buf[k - 1] != '\n';
		done += k;
		if (k < got)
			break;
	}
	/*
	 * A blocking write to a full pipe blocks natively until every byte
	 * went (or a signal comes, which WAIT_KILLABLE_RECV holds off): wait
	 * for POLLOUT and go on, charging what went so far now, so a
	 * program killed meanwhile has paid for it.
	 */
	if (blocked && done < n && !(o->flags & O_NONBLOCK)) {
		ch->rep->used[ZVM_PUT_SIZE] += done - charged;
		sv->wdone = done;
		sv->wwant = n;
		*chan = o->chan;
		*events = POLLOUT;
		return ZVM_H_PEND;
	}
	if (done == 0) {
		if (k == -EAGAIN)
			return r->error = EAGAIN, ZVM_H_DONE;
		if (k == 0)
			k = -EIO;
		if (k == -EPIPE)	/* as the kernel does */
			zvm_tr_signal(&sv->tr, req->pid, SIGPIPE);
		if (k != -EFAULT)
			zvm_host_error(ch, "write", (int)-k);
		return r->error = (int)-k, ZVM_H_DONE;
	}
	if (done == room && call.total > room)
		ch->rep->hit |= 1u << ZVM_PUT_SIZE;
	r->val = done;
	t->restore = 0;
	zvm_txn_start(sv, o->chan, 1, done - charged, o);
	if (s->kind == ZVM_SRC_REG) {
		t->newpos = p + done;
		t->pos = call.posn ? ZVM_POS_NONE : (s->c->type &
		    ZVM_TYPE_RANDOM_WRITE) || (o->flags & O_APPEND) ?
		    ZVM_POS_OFD : ZVM_POS_WRITE;
		if (p + done > s->size)	/* the known end grows now */
			s->size = p + done;
	}
	return ZVM_H_DONE;
}

int
zvm_h_io(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	if (zvm_tr_is_read(req->data.nr))
		return do_read(sv, req, r, chan, events);
	if (zvm_tr_is_write(req->data.nr))
		return do_write(sv, req, r, chan, events);
	return -1;
}
