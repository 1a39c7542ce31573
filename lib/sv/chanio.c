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
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "sv/sv.h"

#define WIN	(8UL << 20)	/* read window over a regular input */
#define STREAM_CHUNK 4096	/* PIPE_BUF: a write after POLLOUT never
				 * blocks */
#define USER_TOP 0x7ffffffff000ULL

/* Load the remote buffers of a call into sv->riov; *total is the byte
 * count (at most ZVM_MAX_RW, as the kernel caps it). */
static int
load_iov(struct zvm_sv *sv, int vec, uint64_t a1, uint64_t a2, size_t *cnt,
    uint64_t *total)
{
	uint64_t sum = 0;
	size_t i;
	int r;

	if (!vec) {
		if (a2 > USER_TOP || a1 + a2 > USER_TOP)
			return -EFAULT;
		sv->riov[0].iov_base = (void *)(uintptr_t)a1;
		sv->riov[0].iov_len = a2;
		*cnt = 1;
		*total = a2 > ZVM_MAX_RW ? ZVM_MAX_RW : a2;
		return 0;
	}
	if ((uint32_t)a2 > ZVM_IOV_MAX)
		return -EINVAL;
	*cnt = (uint32_t)a2;
	if (*cnt && (r = zvm_sv_peek(sv, a1, sv->riov,
	    *cnt * sizeof(struct iovec))) < 0)
		return r;
	for (i = 0; i < *cnt; i++) {
		if (sv->riov[i].iov_len > INT64_MAX - sum)
			return -EINVAL;
		sum += sv->riov[i].iov_len;
	}
	*total = sum > ZVM_MAX_RW ? ZVM_MAX_RW : sum;
	return 0;
}

/* sv->siov = the remote range [off, off + len) of sv->riov. */
static size_t
slice(struct zvm_sv *sv, size_t cnt, uint64_t off, uint64_t len)
{
	size_t i, n = 0;

	for (i = 0; i < cnt && len; i++) {
		uint64_t l = sv->riov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		sv->siov[n].iov_base = (char *)sv->riov[i].iov_base + off;
		sv->siov[n++].iov_len = l;
		len -= l;
		off = 0;
	}
	return n;
}

/* Copy len local bytes to the program's buffers at offset off. */
static ssize_t
to_child(struct zvm_sv *sv, size_t cnt, uint64_t off, const void *p,
    size_t len)
{
	struct iovec l = { (void *)p, len };
	size_t n = slice(sv, cnt, off, len);

	return process_vm_writev(sv->pid, &l, 1, sv->siov, n, 0);
}

static ssize_t
from_child(struct zvm_sv *sv, size_t cnt, uint64_t off, void *p, size_t len)
{
	struct iovec l = { p, len };
	size_t n = slice(sv, cnt, off, len);

	return process_vm_readv(sv->pid, &l, 1, sv->siov, n, 0);
}

/*
 * An input truncated by someone else while mapped: the kernel's copy out
 * of the window fails with EFAULT (read_reg then reads the chunk again
 * with pread, which sees the new end), but our own hashing of the window
 * would take SIGBUS.  That one access runs under this handler, which
 * jumps back out (SA_NODEFER: nothing to unblock after the jump).
 */
static sigjmp_buf bus_jmp;
static volatile sig_atomic_t bus_armed;
static int bus_on;			/* on_bus is installed */
static struct sigaction bus_old;

static void
on_bus(int sig)
{
	if (bus_armed) {
		bus_armed = 0;
		siglongjmp(bus_jmp, 1);
	}
	sigaction(sig, &bus_old, NULL);	/* not ours: the usual death */
	raise(sig);
}

/* Hash n bytes of a window; -1 when the file shrank under it. */
static int
hash_window(struct zvm_etag *e, const unsigned char *q, size_t n)
{
	if (sigsetjmp(bus_jmp, 0))
		return -1;
	bus_armed = 1;
	zvm_etag_update(e, q, n);
	bus_armed = 0;
	return 0;
}

/* A pointer to file offset off of a mapped input, *avail bytes valid. */
static const unsigned char *
window(struct zvm_source *s, uint64_t off, size_t *avail)
{
	uint64_t base, len;
	void *p;

	if (s->map == NULL || off < s->mapoff ||
	    off >= s->mapoff + s->maplen) {
		if (s->map)
			munmap(s->map, s->maplen);
		s->map = NULL;
		if (!bus_on) {		/* the first window of the run */
			struct sigaction sa;

			memset(&sa, 0, sizeof(sa));
			sa.sa_handler = on_bus;
			sa.sa_flags = SA_NODEFER;
			sigemptyset(&sa.sa_mask);
			bus_on = sigaction(SIGBUS, &sa, &bus_old) == 0;
		}
		base = off & ~(uint64_t)(WIN - 1);
		len = s->size - base < WIN ? s->size - base : WIN;
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, s->fd, base);
		if (p == MAP_FAILED)
			return NULL;
		s->map = p;
		s->mapoff = base;
		s->maplen = len;
	}
	*avail = s->mapoff + s->maplen - off;
	return s->map + (off - s->mapoff);
}

/* Did the file end before the window does (truncated under us)? */
static int
window_gone(const struct zvm_source *s)
{
	struct stat st;

	return fstat(s->fd, &st) == 0 &&
	    (uint64_t)st.st_size < s->mapoff + s->maplen;
}

static void
host_error(struct zvm_chan *ch, const char *op, int err)
{
	ch->rep->err = err;
	ch->rep->errop = op;
}

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
		    (q = window(s, p + done, &avail)) != NULL) {
			if (avail > n - done)
				avail = n - done;
			w = to_child(sv, cnt, done, q, avail);
			if (w < 0 && errno == EFAULT && window_gone(s)) {
				s->shrunk = 1;	/* pread from now on */
				continue;
			}
			if (w > 0 && ch->rep->etag_on &&
			    hash_window(&ch->etag, q, w) == -1) {
				/* Delivered, but the digest is lost. */
				s->shrunk = 1;
				host_error(ch, "read", EIO);
				return -EIO;
			}
		} else {
			avail = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
			k = seqstd ? read(s->fd, sv->buf, avail) :
			    pread(s->fd, sv->buf, avail, p + done);
			if (k <= 0) {
				if (k < 0)
					host_error(ch, "read", errno);
				return done ? (ssize_t)done :
				    k < 0 ? -errno : 0;
			}
			w = to_child(sv, cnt, done, sv->buf, k);
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
		host_error(ch, "read", errno);
		return -errno;
	}
	if (k == 0)
		return 0;
	w = to_child(sv, cnt, 0, sv->buf, k);
	if (w > 0 && ch->rep->etag_on)
		zvm_etag_update(&ch->etag, sv->buf, w);
	return w > 0 ? w : -EFAULT;
}

static int
is_read(int nr)
{
	return nr == SYS_read || nr == SYS_pread64 || nr == SYS_readv ||
	    nr == SYS_preadv || nr == SYS_preadv2;
}

static int
is_write(int nr)
{
	return nr == SYS_write || nr == SYS_pwrite64 || nr == SYS_writev ||
	    nr == SYS_pwritev || nr == SYS_pwritev2;
}

int
zvm_io_quota(struct zvm_chan *ch, int calls, uint64_t *room)
{
	const uint64_t *lim = ch->src->c->limit;
	struct zvm_report_chan *rc = ch->rep;

	if (rc->used[calls] >= lim[calls]) {
		rc->hit |= 1u << calls;
		return -EDQUOT;
	}
	*room = lim[calls + 1] - rc->used[calls + 1];
	if (*room == 0) {
		rc->hit |= 1u << (calls + 1);
		return -EDQUOT;
	}
	return 0;
}

/*
 * The shape every read and write call shares: plain, vector (readv) or
 * positioned (pread64, preadv, preadv2 with an offset), its buffers loaded
 * into sv->riov.  A positioned call needs a seekable channel (else ESPIPE)
 * and an offset of 0 or more (else EINVAL).  0, or -errno.
 */
struct io_call {
	int posn;		/* positioned: off is the offset */
	uint64_t off, total;
	size_t cnt;
};

static int
decode_call(struct zvm_sv *sv, const struct seccomp_notif *req,
    int seekable, struct io_call *c)
{
	const __u64 *a = req->data.args;
	int nr = req->data.nr;
	int v2 = nr == SYS_preadv2 || nr == SYS_pwritev2;
	int vec = v2 || nr == SYS_readv || nr == SYS_writev ||
	    nr == SYS_preadv || nr == SYS_pwritev;

	if (v2 && a[5] != 0)
		return -EOPNOTSUPP;
	c->posn = nr == SYS_pread64 || nr == SYS_pwrite64 ||
	    nr == SYS_preadv || nr == SYS_pwritev ||
	    (v2 && (int64_t)a[3] != -1);
	c->off = 0;
	if (c->posn) {
		if (!seekable)
			return -ESPIPE;
		if ((int64_t)a[3] < 0)
			return -EINVAL;
		c->off = a[3];
	}
	return load_iov(sv, vec, a[1], a[2], &c->cnt, &c->total);
}

/*
 * The channel fd of a read or a write (acc: ZVM_ACC_READ or _WRITE) and
 * the call decoded; 0, or the errno to answer.  Directories are opened
 * for reading only, so a write to one is EBADF before it is EISDIR.
 */
static int
chan_call(struct zvm_sv *sv, const struct seccomp_notif *req, int acc,
    struct zvm_ofd **op, struct io_call *c)
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
	s = sv->ch[o->chan].src;
	return -decode_call(sv, req, s->kind == ZVM_SRC_REG &&
	    (s->c->type & rnd), c);
}

/* An answer that moved n bytes on chan (through o, if a virtual fd):
 * charged by zvm_io_commit once delivered; no position moves yet. */
static void
txn_start(struct zvm_sv *sv, int chan, int write, uint64_t n,
    struct zvm_ofd *o)
{
	struct zvm_txn *t = &sv->txn;

	t->active = 1;
	t->chan = chan;
	t->write = write;
	t->n = n;
	t->ofd = o;
	t->pos = ZVM_POS_NONE;
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
	struct io_call call;
	uint64_t room, n, p;
	ssize_t got;

	if ((r->error = chan_call(sv, req, ZVM_ACC_READ, &o, &call)) != 0 ||
	    call.total == 0)
		return ZVM_H_DONE;
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
	if ((e = zvm_io_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	n = call.total < room ? call.total : room;
	if (s->kind == ZVM_SRC_REG && n > s->size - p)
		n = s->size - p;
	if (ch->rep->etag_on) {
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
	/* The crossing transfer was cut to what remained. */
	if ((uint64_t)got == room && call.total > room)
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
	r->val = got;
	txn_start(sv, o->chan, 0, (uint64_t)got, o);
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
static ssize_t
write_stream(struct zvm_sv *sv, struct zvm_source *s, size_t len,
    int *blocked)
{
	size_t done = 0;
	ssize_t k;

	*blocked = 0;
	if (s->nonblock || (s->kind == ZVM_SRC_CHR && !s->tty)) {
		k = write(s->fd, sv->buf, len);
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
	struct io_call call;
	uint64_t room, n, p, done = 0, charged = 0;
	ssize_t got, k = 0;

	if ((r->error = chan_call(sv, req, ZVM_ACC_WRITE, &o, &call)) != 0 ||
	    call.total == 0)
		return ZVM_H_DONE;
	ch = &sv->ch[o->chan];
	s = ch->src;
	p = call.off;
	if (sv->wwant) {
		/* A parked blocking write goes on where it stopped; the
		 * bytes written so far were charged when it parked. */
		n = room = sv->wwant;
		done = charged = sv->wdone;
	} else if ((e = zvm_io_quota(ch, ZVM_PUTS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	else
		n = call.total < room ? call.total : room;
	if (s->kind == ZVM_SRC_REG) {
		int rnd = s->c->type & ZVM_TYPE_RANDOM_WRITE;

		if (!call.posn)
			p = o->flags & O_APPEND ? s->size : rnd ? o->off :
			    s->wpos;
		seqstd = s->std >= 0 && !call.posn && !rnd;
		/* ZeroVM: no hole the quota could never fill. */
		if ((call.posn || rnd) && p >= s->size + room)
			return r->error = EINVAL, ZVM_H_DONE;
	}
	while (done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;

		got = from_child(sv, call.cnt, done, sv->buf, c);
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
			syscall(SYS_tgkill, sv->pid, req->pid, SIGPIPE);
		if (k != -EFAULT)
			host_error(ch, "write", (int)-k);
		return r->error = (int)-k, ZVM_H_DONE;
	}
	if (done == room && call.total > room)
		ch->rep->hit |= 1u << ZVM_PUT_SIZE;
	r->val = done;
	t->restore = 0;
	txn_start(sv, o->chan, 1, done - charged, o);
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

/*
 * A read of an injected fd (a library or image file the program could
 * map): done here on our copy of the same open file description, at its
 * shared offset, under the channel's quotas like any read.
 */
static int
inj_read(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_inj *j = zvm_inj_get(sv, a[0]);
	struct zvm_txn *t = &sv->txn;
	int posn, e;
	uint64_t total, room, n, p, done = 0;
	struct zvm_chan *ch;
	struct io_call call;
	size_t cnt;
	off_t cur;

	if (j == NULL)
		return r->error = EBADF, ZVM_H_DONE;
	ch = &sv->ch[j->chan];
	if ((e = decode_call(sv, req, 1, &call)) < 0)
		return r->error = -e, ZVM_H_DONE;
	posn = call.posn;
	p = call.off;
	cnt = call.cnt;
	total = call.total;
	if (!posn) {
		if ((cur = lseek(j->fd, 0, SEEK_CUR)) < 0)
			return r->error = errno, ZVM_H_DONE;
		p = (uint64_t)cur;
	}
	if (total == 0 || p >= j->size)	/* the known end: free */
		return ZVM_H_DONE;
	if ((e = zvm_io_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	n = total < room ? total : room;
	if (n > j->size - p)
		n = j->size - p;
	t->restore = ch->rep->etag_on;
	if (t->restore)
		t->saved = ch->etag;
	while (done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
		ssize_t k = pread(j->fd, sv->buf, c, p + done), w;

		if (k <= 0) {
			if (k < 0 && done == 0) {
				if (t->restore)
					ch->etag = t->saved;
				return r->error = errno, ZVM_H_DONE;
			}
			break;
		}
		if ((w = to_child(sv, cnt, done, sv->buf, k)) <= 0) {
			if (done == 0) {
				if (t->restore)
					ch->etag = t->saved;
				return r->error = EFAULT, ZVM_H_DONE;
			}
			break;
		}
		if (ch->rep->etag_on)
			zvm_etag_update(&ch->etag, sv->buf, w);
		done += w;
		if (w < k)
			break;
	}
	if (done == room && total > room)
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
	r->val = done;
	txn_start(sv, j->chan, 0, done, NULL);
	t->injfd = j->fd;
	/* The offset moves before the answer: the program may lseek the
	 * moment it has it.  Undone if the answer is lost. */
	if (!posn && lseek(j->fd, (off_t)(p + done), SEEK_SET) != -1) {
		t->newpos = p;
		t->pos = ZVM_POS_INJ;
	}
	return ZVM_H_DONE;
}

/*
 * A map of n bytes of j from file offset fo, as one read: EDQUOT when it
 * does not fit, or CONTINUE, charged once delivered.  With an etag the
 * bytes are hashed from our copy of the file, in call order; only then,
 * so a map costs no read otherwise.
 */
static int
map_charge(struct zvm_sv *sv, struct zvm_resp *r, struct zvm_inj *j,
    uint64_t fo, uint64_t n)
{
	struct zvm_txn *t = &sv->txn;
	struct zvm_chan *ch = &sv->ch[j->chan];
	int fd = j->fd >= 0 ? j->fd : j->hashfd, e;
	uint64_t room = 0, done = 0;

	/* Past the known end nothing can be read: free, like a read. */
	if (n > 0 && (e = zvm_io_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if (n > 0 && n > room) {
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
		return r->error = EDQUOT, ZVM_H_DONE;
	}
	t->restore = n > 0 && ch->rep->etag_on;
	if (t->restore)
		t->saved = ch->etag;
	while (t->restore && done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
		ssize_t k = fd < 0 ? -1 : pread(fd, sv->buf, c, fo + done);

		/* A digest that misses bytes the program got means
		 * nothing: the map fails, as a failed read would. */
		if (k <= 0) {
			ch->etag = t->saved;
			if (k < 0)
				host_error(ch, "read", errno);
			return r->error = k < 0 ? errno : EIO, ZVM_H_DONE;
		}
		zvm_etag_update(&ch->etag, sv->buf, k);
		done += k;
	}
	r->cont = 1;
	if (n > 0)	/* else nothing is charged: t stays inactive */
		txn_start(sv, j->chan, 0, n, NULL);
	return ZVM_H_DONE;
}

/*
 * mmap of an injected fd (the filter lets anonymous maps and fds below
 * ZVM_NVFD, which the program's kernel table lacks, run natively).  A
 * map is one read of the mapped length, up to the known end (pages past
 * it cannot be read), decided on the registers alone and answered with
 * CONTINUE.  It cannot be cut like a read: a map that does not fit in
 * what remains of the quota fails with EDQUOT.  An fd we do not know is
 * EBADF, never CONTINUE: it may be one whose close was answered but has
 * not run yet.
 */
static int
inj_mmap(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_inj *j;
	uint64_t n;

	if (a[3] & MAP_ANONYMOUS) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if ((j = zvm_inj_get(sv, a[4])) == NULL)
		return r->error = EBADF, ZVM_H_DONE;
	if (j->chan < 0)	/* a pipe: the kernel says ENODEV */
		return r->error = ENODEV, ZVM_H_DONE;
	n = a[5] >= j->size ? 0 : a[1] < j->size - a[5] ? a[1] :
	    j->size - a[5];
	return map_charge(sv, r, j, a[5], n);
}

/*
 * The program's threads, from the link count of /proc/PID/task (two plus
 * one per thread); 0 when it cannot be known.
 */
static unsigned long
threads(struct zvm_sv *sv)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)sv->pid);
	return stat(path, &st) == 0 && st.st_nlink > 2 ? st.st_nlink - 2 : 0;
}

/*
 * The line of /proc/PID/maps holding addr: its start and file offset, and
 * in *jp the injected file mapped there, or NULL (anonymous, another file,
 * no mapping at all).  Read with pread into sv->buf, a buffer at a time.
 * 0, or -1 when the maps cannot be read (then nothing is known).
 */
static int
map_at(struct zvm_sv *sv, uint64_t addr, uint64_t *lo, uint64_t *off,
    struct zvm_inj **jp)
{
	size_t have = 0;
	uint64_t at = 0;
	char path[64];

	*jp = NULL;
	if (sv->mapsfd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)sv->pid);
		if ((sv->mapsfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
	}
	for (;;) {
		ssize_t k = pread(sv->mapsfd, sv->buf + have,
		    ZVM_BUFSZ - 1 - have, at);
		char *p = (char *)sv->buf, *e;

		if (k < 0)
			return -1;
		if (k == 0)	/* the end: addr is mapped by nothing */
			return 0;
		at += k;
		have += k;
		sv->buf[have] = '\0';
		while ((e = strchr(p, '\n')) != NULL) {
			unsigned long long l, h, o, ino;
			unsigned maj, mnr;

			*e = '\0';
			if (sscanf(p, "%llx-%llx %*s %llx %x:%x %llu", &l, &h,
			    &o, &maj, &mnr, &ino) != 6 || addr >= h) {
				p = e + 1;
				continue;
			}
			/* In address order: the first line past it ends it. */
			if (addr < l || ino == 0)
				return 0;
			*lo = l;
			*off = o;
			for (size_t i = 0; i < sv->ninj; i++)
				if (sv->inj[i].chan >= 0 &&
				    sv->inj[i].ino == (ino_t)ino &&
				    sv->inj[i].dev == makedev(maj, mnr)) {
					*jp = &sv->inj[i];
					break;
				}
			return 0;
		}
		/* Keep the unfinished line; one longer than the buffer is
		 * no maps line. */
		have -= p - (char *)sv->buf;
		if (have == ZVM_BUFSZ - 1)
			return -1;
		memmove(sv->buf, p, have);
	}
}

/*
 * mremap.  Shrinking or moving reaches no byte the map did not have:
 * CONTINUE.  Growing a map of an injected file maps more of it: one read
 * of the bytes the file has past the map's end, charged like mmap's (and
 * EDQUOT when it does not fit).  What old_address maps is read from
 * /proc/PID/maps, kernel state that another thread could change between
 * our read and the CONTINUE (a MAP_FIXED map of an injected file over an
 * anonymous block, then grown free).  With a single thread nothing can:
 * it is blocked in this call, and no other task shares its memory (the
 * filter allows clone only for threads).  With more, growth fails with
 * EAGAIN, as mremap does for locked memory it cannot grow; glibc's and
 * musl's realloc then copy.  An overcharge (a map of ours replaced by
 * another) is not possible either, for the same reason.
 */
static int
do_mremap(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	uint64_t lo, off, fo, n;
	struct zvm_inj *j;

	/* Before the exec it is zvm-run's own code (and /proc/PID/maps
	 * opened then would show that memory for good). */
	if (a[2] <= a[1] || !sv->execed) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if (threads(sv) != 1)
		return r->error = EAGAIN, ZVM_H_DONE;
	/* Maps we cannot read say nothing: no growth then. */
	if (map_at(sv, a[0], &lo, &off, &j) == -1)
		return r->error = ENOMEM, ZVM_H_DONE;
	if (j == NULL) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	/* The file bytes past the map's end, up to the known end. */
	fo = off + (a[0] - lo) + a[1];
	n = fo >= j->size ? 0 : a[2] - a[1] < j->size - fo ? a[2] - a[1] :
	    j->size - fo;
	return map_charge(sv, r, j, fo, n);
}

int
zvm_io_handle(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	struct zvm_inj *j;

	sv->txn.active = 0;
	if (req->data.nr == SYS_mmap)
		return inj_mmap(sv, req, r);
	if (req->data.nr == SYS_mremap)
		return do_mremap(sv, req, r);
	/* The program's own pipe: no channel, no quota, native. */
	if ((is_read(req->data.nr) || is_write(req->data.nr)) &&
	    (j = zvm_inj_get(sv, req->data.args[0])) != NULL && j->chan < 0) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if (is_read(req->data.nr))
		return (uint32_t)req->data.args[0] >= ZVM_NVFD ?
		    inj_read(sv, req, r) : do_read(sv, req, r, chan, events);
	if (is_write(req->data.nr))
		return do_write(sv, req, r, chan, events);
	return -1;
}

void
zvm_io_commit(struct zvm_sv *sv, int ok)
{
	struct zvm_txn *t = &sv->txn;
	struct zvm_chan *ch;

	if (!t->active)
		return;
	t->active = 0;
	ch = &sv->ch[t->chan];
	if (!ok) {
		if (t->restore)
			ch->etag = t->saved;
		if (t->pos == ZVM_POS_INJ)	/* back to before the read */
			(void)lseek(t->injfd, (off_t)t->newpos, SEEK_SET);
		if (!t->write)
			return;	/* the bytes stay where they were */
	} else {
		ch->rep->used[t->write ? ZVM_PUTS : ZVM_GETS]++;
		ch->rep->used[t->write ? ZVM_PUT_SIZE : ZVM_GET_SIZE] += t->n;
	}
	switch (t->pos) {
	case ZVM_POS_OFD:
		t->ofd->off = t->newpos;
		break;
	case ZVM_POS_READ:
		ch->src->rpos = t->newpos;
		break;
	case ZVM_POS_WRITE:
		ch->src->wpos = t->newpos;
		break;
	}
}

void
zvm_io_end(struct zvm_sv *sv)
{
	if (bus_on) {
		sigaction(SIGBUS, &bus_old, NULL);
		bus_on = 0;
	}
	for (size_t i = 0; i < sv->nsrc; i++)
		if (sv->src[i].map) {
			munmap(sv->src[i].map, sv->src[i].maplen);
			sv->src[i].map = NULL;
		}
}
