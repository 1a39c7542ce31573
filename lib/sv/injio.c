/* SPDX-License-Identifier: ISC */
/*
 * injio - the calls that move bytes through an injected fd: reads of a
 * library or image file (done here on our copy of the same open file
 * description, under the channel's quotas like any read), mmap and
 * mremap (a map is one read of the bytes it makes readable, decided on
 * the registers and answered with CONTINUE), the reads and writes of
 * the program's own pipes, which run natively, and the writes to a file
 * of the scratch, done here under its quota (its reads are native).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "sv/handler.h"

/*
 * The native path: may a call the quota and the file's known end leave
 * room for, whole, be answered with CONTINUE, the kernel moving the
 * bytes?  Then it moves exactly what was asked (a regular file read
 * inside its size is never short, a shrunk file aside: zvm_owe_end; a
 * write is taken whole), so the charge is known now.  Only read, pread64,
 * write and pwrite64, whose arguments are all registers: readv's iovecs
 * are the program's memory, which it could change between our look and
 * the kernel's.  With one thread, every such call: it is in this call,
 * so nothing can move the shared offset (lseek of an injected fd runs
 * natively) or close the fd before the kernel runs it.  With more
 * (zvm-run(1) SECURITY): another thread may move the offset first, so
 * the bytes a read or write reaches are not the ones decided on; a read
 * then moves fewer bytes than charged, never more, and may go natively
 * if no etag must say which bytes they were; a write at an offset moved
 * far out would leave a hole no quota allowed, so only pwrite64 and an
 * O_APPEND write, and only without an etag, which hashes the file later
 * and must not see another thread's write still in flight.  pread64
 * always: its offset is a register and a read channel's file does not
 * change.  The call is in flight until its thread calls again (lib/sv
 * table): a close racing it leaves the kernel's fd open until the program
 * exits (lib/sv/fdtable), so it moves what was charged, and its number is
 * not used again meanwhile, so it can reach no other file.
 */
static int
fast(const struct zvm_sv *sv, const struct seccomp_notif *req, int etag,
    int append)
{
	int nr = req->data.nr;

	if (sv->copy)
		return 0;
	if (zvm_one_thread(sv))
		return nr == SYS_read || nr == SYS_pread64 || nr == SYS_write ||
		    nr == SYS_pwrite64;
	return nr == SYS_pread64 || (!etag && (nr == SYS_read ||
	    nr == SYS_pwrite64 || (nr == SYS_write && append)));
}

/*
 * Answer with CONTINUE a call fast() let go natively, n bytes at p of
 * chan's file: charged whole once delivered, owed to the etag then
 * (lib/sv/account).  An etag must take the bytes in call order: what it
 * is owed is hashed first unless these follow it, and before any call
 * that does not go natively (etag: the channel has one).
 */
static int
native(struct zvm_sv *sv, struct zvm_resp *r, int chan, int write,
    uint64_t n, uint64_t p)
{
	struct zvm_txn *t = &sv->txn;

	if (sv->ch[chan].owehi != p)
		zvm_owe_flush(sv, chan);
	r->cont = 1;
	zvm_txn_start(sv, chan, write, n, NULL);
	t->restore = 0;
	t->cont = 1;
	t->oweoff = p;
	return ZVM_H_DONE;
}

/*
 * A read of an injected fd (a library or image file the program could
 * map): done here on our copy of the same open file description, at its
 * shared offset, under the channel's quotas like any read, or natively
 * (fast).
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
	struct zvm_iocall call;
	size_t cnt;
	off_t cur;

	if (j == NULL)
		return r->error = EBADF, ZVM_H_DONE;
	ch = &sv->ch[j->chan];
	if ((e = zvm_tr_iocall(&sv->tr, req, 1, &call)) < 0)
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
	if ((e = zvm_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	/* A file of an image (ZVM_SRC_DIR) is not the channel's own: its
	 * etag is taken as it is read. */
	if (total <= room && total <= j->size - p &&
	    (ch->src->kind == ZVM_SRC_REG || !ch->rep->etag_on) &&
	    fast(sv, req, ch->rep->etag_on, 0))
		return native(sv, r, j->chan, 0, total, p);
	n = total < room ? total : room;
	if (n > j->size - p)
		n = j->size - p;
	zvm_owe_flush(sv, j->chan);
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
		if ((w = zvm_tr_iov_put(&sv->tr, cnt, done, sv->buf, k)) <= 0) {
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
	if (done == 0)		/* the end, come early (cut): free */
		return ZVM_H_DONE;
	if (done == room && total > room)
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
	r->val = done;
	zvm_txn_start(sv, j->chan, 0, done, NULL);
	t->injfd = j->fd;
	/* The offset moves before the answer: the program may lseek the
	 * moment it has it.  Undone if the answer is lost. */
	if (!posn && lseek(j->fd, (off_t)(p + done), SEEK_SET) != -1) {
		t->newpos = p;
		t->pos = ZVM_POS_INJ;
	}
	return ZVM_H_DONE;
}

/* Where a write through j goes, in *p: the file's end (size) with
 * O_APPEND in fl, positioned or not, as Linux does; the call's offset;
 * else the fd's.  0 or errno. */
static int
write_at(const struct zvm_inj *j, const struct zvm_iocall *call, int fl,
    uint64_t size, uint64_t *p)
{
	off_t cur;

	if (fl & O_APPEND)
		*p = size;
	else if (call->posn)
		*p = call->off;
	else if ((cur = lseek(j->fd, 0, SEEK_CUR)) < 0)
		return errno;
	else
		*p = (uint64_t)cur;
	return 0;
}

/*
 * A write to a write channel's injected fd (@w:FILE on the native path),
 * as a virtual fd's would be: at the fd's offset, or the known end with
 * O_APPEND, or the call's; what the quota leaves room for, then EDQUOT;
 * EINVAL for a hole the quota could never fill (ZeroVM).  One that fits
 * whole and ends below RLIMIT_FSIZE runs natively (fast): a regular file
 * takes all of it, so the charge is known now; the etag takes the bytes
 * from the file later, in call order, hashing what it is owed first
 * unless they follow it, before the kernel can write anything over it.
 * Any other is copied here from the program's memory into our fd.
 */
static int
inj_write(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, struct zvm_inj *j)
{
	struct zvm_chan *ch = &sv->ch[j->chan];
	struct zvm_source *s = ch->src;
	struct zvm_txn *t = &sv->txn;
	struct zvm_iocall call;
	uint64_t p = 0, n, room, done = 0;
	ssize_t k = 0;
	int fl, e;

	/* Its flags change only by F_SETFL, which is ours (lib/sv
	 * fdtable): known till then. */
	if ((fl = j->fl) == -1 && (fl = j->fl = fcntl(j->fd, F_GETFL)) == -1)
		return r->error = errno, ZVM_H_DONE;
	if ((e = zvm_tr_iocall(&sv->tr, req, 1, &call)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if (call.total == 0)
		return ZVM_H_DONE;
	if ((e = write_at(j, &call, fl, s->size, &p)) != 0)
		return r->error = e, ZVM_H_DONE;
	if ((e = zvm_quota(ch, ZVM_PUTS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if (p >= s->size + room)
		return r->error = EINVAL, ZVM_H_DONE;
	if (call.total <= room && p <= sv->fsize &&
	    call.total <= sv->fsize - p &&
	    fast(sv, req, ch->rep->etag_on, fl & O_APPEND))
		return native(sv, r, j->chan, 1, call.total, p);
	zvm_owe_flush(sv, j->chan);
	n = call.total < room ? call.total : room;
	while (done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
		ssize_t got = zvm_tr_iov_get(&sv->tr, call.cnt, done, sv->buf,
		    c);

		if (got <= 0) {
			k = -EFAULT;
			break;
		}
		if ((k = pwrite(s->fd, sv->buf, (size_t)got,
		    (off_t)(p + done))) <= 0) {
			k = k < 0 ? -errno : -EIO;
			break;
		}
		if (ch->rep->etag_on)
			zvm_etag_update(&ch->etag, sv->buf, (size_t)k);
		done += (uint64_t)k;
		if (p + done > s->size)	/* the known end grows now */
			s->size = p + done;
		if (k < got)
			break;
	}
	if (done == 0) {
		if (k != -EFAULT)
			zvm_host_error(ch, "write", (int)-k);
		return r->error = (int)-k, ZVM_H_DONE;
	}
	if (done == room && call.total > room)
		ch->rep->hit |= 1u << ZVM_PUT_SIZE;
	r->val = (int64_t)done;
	t->restore = 0;
	zvm_txn_start(sv, j->chan, 1, done, NULL);
	/* The offset moves before the answer, as a read's. */
	if (!call.posn && lseek(j->fd, (off_t)(p + done), SEEK_SET) != -1) {
		t->injfd = j->fd;
		t->newpos = p;
		t->pos = ZVM_POS_INJ;
	}
	return ZVM_H_DONE;
}

/*
 * A write to a file of the scratch, done here through our fd of the
 * file: what fits in the quota (the growth past the file's end counts;
 * bytes written over bytes it has are free), then EDQUOT.  The kernel's
 * own checks first: the fd's access mode, O_APPEND (the end, positioned
 * or not, as Linux does).
 */
static int
scr_write(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, const struct zvm_inj *j)
{
	struct zvm_snode *nd = &sv->scr.node[j->node];
	struct zvm_iocall call;
	uint64_t p = 0, n, room, done = 0;
	int fl, e;

	if ((fl = fcntl(j->fd, F_GETFL)) == -1)
		return r->error = errno, ZVM_H_DONE;
	if ((fl & O_ACCMODE) == O_RDONLY)
		return r->error = EBADF, ZVM_H_DONE;
	if ((e = zvm_tr_iocall(&sv->tr, req, 1, &call)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if ((e = write_at(j, &call, fl, nd->size, &p)) != 0)
		return r->error = e, ZVM_H_DONE;
	if (call.total == 0)
		return ZVM_H_DONE;
	/* What the quota leaves room for: up to size + room. */
	room = zvm_scr_room(sv);
	n = call.total;
	if (p + n > nd->size && p + n - nd->size > room)
		n = nd->size + room > p ? nd->size + room - p : 0;
	if (n == 0) {
		sv->rep->limits |= ZVM_LIMIT_SCRATCH;
		return r->error = EDQUOT, ZVM_H_DONE;
	}
	while (done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
		ssize_t k = zvm_tr_iov_get(&sv->tr, call.cnt, done, sv->buf, c);
		ssize_t w;

		if (k <= 0) {
			if (done == 0)
				return r->error = EFAULT, ZVM_H_DONE;
			break;
		}
		if ((w = pwrite(nd->fd, sv->buf, (size_t)k, (off_t)(p + done)))
		    <= 0) {
			if (done == 0)
				return r->error = w < 0 ? errno : EIO,
				    ZVM_H_DONE;
			break;
		}
		done += (uint64_t)w;
		zvm_scr_grew(sv, j->node, p + done);
		if (w < k)
			break;
	}
	if (n < call.total)		/* cut by the quota */
		sv->rep->limits |= ZVM_LIMIT_SCRATCH;
	if (!call.posn)
		(void)lseek(j->fd, (off_t)(p + done), SEEK_SET);
	r->val = (int64_t)done;
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
	int fd = j->fd >= 0 ? j->fd : j->hashfd >= 0 ? j->hashfd :
	    ch->src->kind == ZVM_SRC_REG ? ch->src->fd : -1, e;
	uint64_t room = 0, done = 0;

	/* Past the known end nothing can be read: free, like a read. */
	if (n > 0 && (e = zvm_quota(ch, ZVM_GETS, &room)) < 0)
		return r->error = -e, ZVM_H_DONE;
	if (n > 0 && n > room) {
		ch->rep->hit |= 1u << ZVM_GET_SIZE;
		return r->error = EDQUOT, ZVM_H_DONE;
	}
	t->restore = n > 0 && ch->rep->etag_on;
	if (t->restore) {
		zvm_owe_flush(sv, j->chan);
		t->saved = ch->etag;
	}
	while (t->restore && done < n) {
		size_t c = n - done < ZVM_BUFSZ ? n - done : ZVM_BUFSZ;
		ssize_t k = fd < 0 ? -1 : pread(fd, sv->buf, c, fo + done);

		/* A digest that misses bytes the program got means
		 * nothing: the map fails, as a failed read would. */
		if (k <= 0) {
			ch->etag = t->saved;
			if (k < 0)
				zvm_host_error(ch, "read", errno);
			return r->error = k < 0 ? errno : EIO, ZVM_H_DONE;
		}
		zvm_etag_update(&ch->etag, sv->buf, k);
		done += k;
	}
	r->cont = 1;
	if (n > 0)	/* else nothing is charged: t stays inactive */
		zvm_txn_start(sv, j->chan, 0, n, NULL);
	return ZVM_H_DONE;
}

#define PAGE	4096ULL		/* x86-64: what the kernel maps */

/* x rounded up to whole pages (a length past the last page: the last). */
static uint64_t
pages(uint64_t x)
{
	return x > UINT64_MAX - (PAGE - 1) ? UINT64_MAX & ~(PAGE - 1) :
	    (x + PAGE - 1) & ~(PAGE - 1);
}

/*
 * mmap of an injected fd (the filter lets anonymous maps and fds below
 * ZVM_NVFD, which the program's kernel table lacks, run natively).  A
 * map is one read of what it makes readable: the kernel maps whole
 * pages, so the length rounded up to a page, up to the known end (a page
 * past it cannot be read, the rest of the last one reads as zeros),
 * decided on the registers alone and answered with
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
	if (j->chan == ZVM_INJ_SCRATCH) {	/* no map grows a file */
		r->cont = 1;
		return ZVM_H_DONE;
	}
	/* A pipe: the kernel says ENODEV; so is a write channel's file
	 * (O_WRONLY), as a file no map can reach. */
	if (j->chan < 0 || !(sv->src[j->chan].acc & ZVM_ACC_READ))
		return r->error = ENODEV, ZVM_H_DONE;
	n = a[5] >= j->size ? 0 : pages(a[1]) < j->size - a[5] ?
	    pages(a[1]) : j->size - a[5];
	map_charge(sv, r, j, a[5], n);
	/* mremap will look for the file by this slot: it stays. */
	if (r->cont)
		j->keep = 1;
	return ZVM_H_DONE;
}

/* The injected file that the mapping holding addr maps, in *jp (NULL:
 * anonymous, another file, no mapping at all).  0, or -1 when the maps
 * cannot be read (then nothing is known). */
static int
map_at(struct zvm_sv *sv, uint64_t addr, struct zvm_tr_map *m,
    struct zvm_inj **jp)
{
	int k = zvm_tr_map_at(&sv->tr, addr, m, sv->buf, ZVM_BUFSZ);

	*jp = NULL;
	if (k <= 0 || m->ino == 0)
		return k < 0 ? -1 : 0;
	for (size_t i = 0; i < sv->ninj; i++)
		if (sv->inj[i].chan >= 0 && sv->inj[i].ino == m->ino &&
		    sv->inj[i].dev == m->dev) {
			*jp = &sv->inj[i];
			break;
		}
	return 0;
}

/*
 * mremap.  Shrinking or moving reaches no byte the map did not have:
 * CONTINUE.  Growing a map of an injected file maps more of it: one read
 * of the bytes the file has past the map's end, charged like mmap's (and
 * EDQUOT when it does not fit).  What old_address maps is read from
 * /proc/PID/maps, kernel state that another thread could change between
 * our read and the CONTINUE (a MAP_FIXED map of an injected file over an
 * anonymous block, then grown free).  With a single thread nothing can:
 * it is blocked in this call, and no other task shares its memory
 * (lib/sv/proc allows clone only for threads).  With more, growth fails with
 * EAGAIN, as mremap does for locked memory it cannot grow; glibc's and
 * musl's realloc then copy.  An overcharge (a map of ours replaced by
 * another) is not possible either, for the same reason.
 */
static int
do_mremap(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_tr_map m;
	uint64_t fo, n;
	struct zvm_inj *j;

	/* Before the exec it is zvm-run's own code (and /proc/PID/maps
	 * opened then would show that memory for good). */
	if (a[2] <= a[1] || !sv->execed) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	if (zvm_tr_threads(&sv->tr) != 1)
		return r->error = EAGAIN, ZVM_H_DONE;
	/* Maps we cannot read say nothing: no growth then. */
	if (map_at(sv, a[0], &m, &j) == -1)
		return r->error = ENOMEM, ZVM_H_DONE;
	if (j == NULL) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	/* The file bytes past the map's end (whole pages both), up to the
	 * known end. */
	fo = m.off + (a[0] - m.lo) + pages(a[1]);
	n = pages(a[2]) - pages(a[1]);
	n = fo >= j->size ? 0 : n < j->size - fo ? n : j->size - fo;
	return map_charge(sv, r, j, fo, n);
}

int
zvm_h_inj(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	struct zvm_inj *j;
	int nr = req->data.nr;

	if (nr == SYS_mmap)
		return inj_mmap(sv, req, r);
	if (nr == SYS_mremap)
		return do_mremap(sv, req, r);
	if (!zvm_tr_is_read(nr) && !zvm_tr_is_write(nr))
		return -1;
	j = zvm_inj_get(sv, req->data.args[0]);
	if (j && j->chan == ZVM_INJ_SCRATCH && zvm_tr_is_write(nr))
		return scr_write(sv, req, r, j);
	/* The program's own pipe, or a scratch file's read: no channel,
	 * no quota, native. */
	if (j && j->chan < 0) {
		r->cont = 1;
		return ZVM_H_DONE;
	}
	/* Each injected channel fd is read-only or write-only. */
	if (j && !(sv->src[j->chan].acc & ZVM_ACC_READ))
		return zvm_tr_is_write(nr) ? inj_write(sv, req, r, j) :
		    (r->error = EBADF, ZVM_H_DONE);
	if (zvm_tr_is_read(nr))
		return inj_read(sv, req, r);
	return r->error = EBADF, ZVM_H_DONE;	/* read-only files */
}
