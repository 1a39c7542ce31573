/* SPDX-License-Identifier: ISC */
/*
 * fdtable - the calls on an fd: close, dup, fcntl, ioctl, lseek, fstat,
 * getdents and the rest, answered from the virtual fd table (lib/sv/fds)
 * and the channel behind an fd.  An injected fd is real in the program:
 * the calls that change only the fd run natively (CONTINUE), the others
 * are answered here.  pipe and pipe2 make real pipes, injected.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "sv/handler.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

static int
do_dup(struct zvm_sv *sv, uint64_t oldfd, int newfd, unsigned min,
    int cloexec)
{
	struct zvm_ofd *o = zvm_fd_get(sv, oldfd);

	if (o == NULL)
		return -EBADF;
	if (newfd < 0 && (newfd = zvm_fd_lowest(sv, min)) < 0)
		return newfd;
	if (sv->fd[newfd] == o) {
		sv->cloexec[newfd] = cloexec != 0;
		return newfd;
	}
	zvm_fd_install(sv, newfd, o, cloexec);
	return newfd;
}

static int64_t
do_lseek(struct zvm_sv *sv, uint64_t fd, int64_t off, uint32_t whence)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	const struct zvm_source *s;
	int64_t base;

	if (o == NULL || o->path)
		return -EBADF;
	/* Directories: rewinddir(3) seeks to 0. */
	if (o->hostfd >= 0)
		return lseek(o->hostfd, off, whence) == -1 ? -errno :
		    lseek(o->hostfd, 0, SEEK_CUR);
	if (o->vdir) {
		if (whence != SEEK_SET || off < 0)
			return -EINVAL;
		o->dpos = off;
		return off;
	}
	if (o->vdev)		/* as the kernel's devices: nowhere to go */
		return 0;
	s = &sv->src[o->chan];
	if (s->kind != ZVM_SRC_REG || s->c->type == 0)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = o->off;
		break;
	case SEEK_END:
		base = s->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= s->size)
			return -ENXIO;
		o->off = whence == SEEK_DATA ? (uint64_t)off : s->size;
		return o->off;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base))
		return -EOVERFLOW;
	if (base < 0)
		return -EINVAL;
	o->off = base;
	return base;
}

static int64_t
do_fcntl(struct zvm_sv *sv, uint64_t fd, uint32_t cmd, uint64_t arg)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	int fl;

	if (o == NULL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((uint32_t)arg >= ZVM_NVFD)
			return -EINVAL;
		return do_dup(sv, fd, -1, (uint32_t)arg,
		    cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return sv->cloexec[(uint32_t)fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		sv->cloexec[(uint32_t)fd] = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		fl = o->path ? O_PATH : o->acc == ZVM_ACC_RW ? O_RDWR :
		    o->acc == ZVM_ACC_WRITE ? O_WRONLY : O_RDONLY;
		return fl | o->flags | O_LARGEFILE;
	case F_SETFL:
		o->flags = (uint32_t)arg & (O_APPEND | O_NONBLOCK);
		return 0;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0;	/* one process: nothing to lock against */
	default:
		return -EINVAL;
	}
}

static int
do_ioctl(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_ofd *o = zvm_fd_get(sv, a[0]);
	const struct zvm_source *s;
	unsigned char buf[64];
	uint32_t cmd = (uint32_t)a[1];
	int v;

	if (o == NULL)
		return -EBADF;
	s = o->chan >= 0 ? &sv->src[o->chan] : NULL;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		sv->cloexec[(uint32_t)a[0]] = cmd == FIOCLEX;
		return 0;
	case FIONBIO:
		if (zvm_tr_peek(&sv->tr, a[2], &v, sizeof(v)) < 0)
			return -EFAULT;
		o->flags = v ? o->flags | O_NONBLOCK : o->flags & ~O_NONBLOCK;
		return 0;
	}
	if (s == NULL || s->kind == ZVM_SRC_DIR || !s->tty)
		return -ENOTTY;
	/* A terminal channel: only questions, never TIOCSTI and the like. */
	switch (cmd) {
	case TCGETS:	/* the kernel's struct termios: 36 bytes */
		if (ioctl(s->fd, TCGETS, buf) == -1)
			return -errno;
		return zvm_tr_poke(&sv->tr, a[2], buf, 36);
	case TIOCGWINSZ:
		if (ioctl(s->fd, TIOCGWINSZ, buf) == -1)
			return -errno;
		return zvm_tr_poke(&sv->tr, a[2], buf, sizeof(struct winsize));
	}
	zvm_deny(sv, req, r, EPERM);
	return 1;
}

/*
 * getdents64 of a directory fd: an image's from the host, a virtual one
 * from the aliases.  An image's listing is bytes the program takes from
 * the image: one read of the bytes returned on its channel, cut to what
 * the quota has left (EDQUOT when not even one entry fits), charged once
 * delivered.  Not hashed: the order and d_ino of entries are the host
 * file system's, no content of the image.  The virtual directories are
 * zvm-run's own: free.
 */
static int64_t
do_getdents(struct zvm_sv *sv, uint64_t fd, uint64_t buf, uint64_t n,
    int nr)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	struct zvm_txn *t = &sv->txn;
	uint64_t room = 0;
	off_t pos = 0;
	ssize_t k;
	int e;

	if (o == NULL)
		return zvm_inj_get(sv, fd) ? -ENOTDIR : -EBADF;
	if (o->path)
		return -EBADF;
	if (!o->vdir && o->hostfd < 0)
		return -ENOTDIR;
	if (nr != SYS_getdents64)	/* only x32 and old libcs use it */
		return -ENOSYS;
	if (n > ZVM_BUFSZ)
		n = ZVM_BUFSZ;
	if (o->hostfd >= 0) {
		struct zvm_chan *ch = &sv->ch[o->chan];

		if ((e = zvm_quota(ch, ZVM_GETS, &room)) < 0)
			return e;
		if (n > room)
			n = room;
		/* Where to go back to when the answer is lost. */
		if ((pos = lseek(o->hostfd, 0, SEEK_CUR)) == -1)
			return -errno;
		if ((k = syscall(SYS_getdents64, o->hostfd, sv->buf,
		    (size_t)n)) < 0) {
			/* The next entry is larger than what is left. */
			if (errno == EINVAL && n == room) {
				ch->rep->hit |= 1u << ZVM_GET_SIZE;
				return -EDQUOT;
			}
			return -errno;
		}
		if (k > 0 && zvm_tr_poke(&sv->tr, buf, sv->buf, k) < 0) {
			(void)lseek(o->hostfd, pos, SEEK_SET);
			return -EFAULT;
		}
		if (k > 0) {
			t->active = 1;
			t->chan = o->chan;
			t->write = 0;
			t->n = k;
			t->restore = 0;
			t->ofd = NULL;
			t->injfd = o->hostfd;
			t->newpos = pos;
			t->pos = ZVM_POS_INJ;
		}
		return k;
	} else if ((k = zvm_vdir_list(sv, o->name, &o->dpos, sv->buf, n)) <
	    0)
		return k;
	if (k == 0)
		return 0;
	return zvm_tr_poke(&sv->tr, buf, sv->buf, k) < 0 ? -EFAULT : k;
}

static int
do_close_range(struct zvm_sv *sv, uint32_t lo, uint32_t hi, uint32_t fl,
    pid_t tid)
{
	int busy;

	if (lo > hi || (fl & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)))
		return -EINVAL;
	for (uint32_t i = lo; i <= hi && i < ZVM_NVFD; i++) {
		if (sv->fd[i] == NULL)
			continue;
		if (fl & CLOSE_RANGE_CLOEXEC)
			sv->cloexec[i] = 1;
		else
			zvm_fd_put(sv, i);
	}
	/* Injected fds in the range: the kernel closes (or marks) them
	 * when we answer CONTINUE; we forget ours first.  If another
	 * thread's native call may still run on one, none is closed in
	 * the kernel (as close does). */
	if (hi < ZVM_NVFD || sv->ninj == 0)
		return 0;
	busy = !(fl & CLOSE_RANGE_CLOEXEC) && zvm_cont_busy(sv, lo, hi, tid);
	for (size_t i = lo > ZVM_NVFD ? lo - ZVM_NVFD : 0;
	    i < sv->ninj && i <= (size_t)hi - ZVM_NVFD; i++)
		if (!(fl & CLOSE_RANGE_CLOEXEC)) {
			/* One number in flight is recorded, not the
			 * range: with more threads, none comes back. */
			if ((busy || !zvm_one_thread(sv)) &&
			    sv->inj[i].fd != -1)
				sv->inj[i].keep = 1;
			zvm_inj_drop(sv, ZVM_NVFD + i);
		}
	return !busy;
}

/*
 * pipe and pipe2: a real pipe, both ends injected (ADDFD without SEND,
 * then the pair is written to the program and the call answered).  It
 * joins the program's own threads and nothing else, so its reads and
 * writes run natively (CONTINUE on the number alone: no number is used
 * again while such a call names it, so a pipe end stays one till it has
 * run, or closed).  An end
 * another thread guesses before the call returns is still only that
 * pipe.  0 or -errno.
 */
static int
do_pipe(struct zvm_sv *sv, uint64_t addr, uint32_t flags)
{
	int p[2], child[2] = { -1, -1 }, e;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	/* Two more fds, and a buffer that counts against Memory. */
	if ((e = zvm_files_room(sv, 2)) < 0 ||
	    (e = zvm_buf_take(sv, ZVM_PIPE_BYTES)) < 0)
		return e;
	if (pipe2(p, O_CLOEXEC | (flags & (O_NONBLOCK | O_DIRECT))) == -1) {
		e = -errno;
		zvm_buf_give(sv, ZVM_PIPE_BYTES);
		return e;
	}
	e = zvm_inj_pair(sv, p, ZVM_INJ_PIPE, flags & O_CLOEXEC, child);
	if (e == 0 && zvm_tr_poke(&sv->tr, addr, child, sizeof(child)) < 0)
		e = -EFAULT;
	return e;
}

/*
 * The calls on a file of the scratch that differ from a read-only
 * file's: ftruncate is ours (the quota), fsync has nothing to keep (the
 * file dies with the run), record locks are the program's own business
 * (no other process can open the file).  1 when answered.
 */
static int
scr_call(struct zvm_sv *sv, const struct seccomp_notif *req,
    const struct zvm_inj *j, struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int fl, e;

	switch (req->data.nr) {
	case SYS_ftruncate:
		if ((fl = fcntl(j->fd, F_GETFL)) == -1)
			return r->error = errno, 1;
		if ((fl & O_ACCMODE) == O_RDONLY || (int64_t)a[1] < 0)
			return r->error = EINVAL, 1;
		if ((e = zvm_scr_resize(sv, j->node, a[1])) < 0)
			r->error = -e;
		return 1;
	case SYS_fsync:
	case SYS_fdatasync:
		return 1;
	case SYS_flock:
		r->cont = 1;
		return 1;
	case SYS_fcntl:
		switch ((uint32_t)a[1]) {
		case F_GETLK: case F_SETLK: case F_SETLKW:
		case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
			r->cont = 1;
			return 1;
		}
	}
	return 0;
}

/*
 * dup, and fcntl F_DUPFD and F_DUPFD_CLOEXEC from at most 1024, of a real
 * fd: a new real fd on the same open file description, at the next
 * number from 1024 up (the kernel's table is empty below it, so this is
 * the lowest it may have), and what the original is: a channel's file
 * (its reads metered), a scratch file (held), an object, a pipe's or
 * socketpair's end (one more hold on its buffers, and no copy of ours:
 * the peer must see the end).  An epoll instance is EINVAL: its watches
 * are kept by the instance's number.  dup2 and dup3 onto a real number
 * are EBADF: only zvm_inj_slot chooses those.  1 when answered.
 */
static int
inj_dup(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int cloexec)
{
	uint32_t n = (uint32_t)req->data.args[0];
	struct zvm_inj *j = zvm_inj_get(sv, n);
	int kind = j->chan, keep = j->fd >= 0, ours, child, e;
	long pair = j->pair, node = j->node;
	uint64_t size = j->size;

	if (kind == ZVM_INJ_EPOLL || (req->data.nr == SYS_fcntl &&
	    req->data.args[2] > ZVM_NVFD))
		return r->error = EINVAL, 1;
	if ((e = zvm_files_room(sv, 1)) < 0)
		return r->error = -e, 1;
	if ((ours = keep ? fcntl(j->fd, F_DUPFD_CLOEXEC, 0) :
	    zvm_tr_getfd(&sv->tr, (int)n)) < 0)
		return r->error = keep ? errno : EBADF, 1;
	child = zvm_inj_new(sv, ours, kind, size, pair, cloexec, keep);
	if (!keep)
		close(ours);
	if (child < 0)
		return r->error = -child, 1;
	if (pair >= 0)
		zvm_pair_ref(sv, pair);
	j = &sv->inj[child - ZVM_NVFD];
	j->node = node;
	if (kind == ZVM_INJ_SCRATCH)
		zvm_scr_hold(sv, node, 1);
	r->val = child;
	return 1;
}

/*
 * Calls on an injected fd besides read and mmap (lib/sv/chanio): close
 * (we forget our copy, then CONTINUE lets the kernel close the
 * program's), fstat from our copy, the flags calls that change only the
 * fd (CONTINUE), ioctl ENOTTY.  lseek runs natively (the filter).  dup
 * makes a real fd we know of (inj_dup); anything else is no call on a
 * read-only file: EBADF.  Returns 1 when answered.
 */
/*
 * dup2 and dup3 of a channel's injected fd onto a number below 1024
 * (freopen, a shell's redirection, sort -o): the program's kernel table
 * holds nothing there, so the number becomes a virtual fd of the same
 * channel, at the same offset, with the same O_APPEND and O_NONBLOCK,
 * served by the copy path; from then on the two fds keep their own
 * offsets (zvm-run(1) CAVEATS).  1 when answered.
 */
static int
low_dup(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, const struct zvm_inj *j)
{
	const __u64 *a = req->data.args;
	uint32_t to = (uint32_t)a[1];
	struct zvm_ofd *o;
	off_t cur;
	int fl;

	if (req->data.nr == SYS_dup3 && ((uint32_t)a[2] & ~O_CLOEXEC))
		return r->error = EINVAL, 1;
	if (to >= ZVM_NVFD)
		return r->error = EBADF, 1;
	if ((fl = fcntl(j->fd, F_GETFL)) == -1 ||
	    (cur = lseek(j->fd, 0, SEEK_CUR)) == -1)
		return r->error = errno, 1;
	if ((o = zvm_fd_new(j->chan, (fl & O_ACCMODE) == O_WRONLY ?
	    ZVM_ACC_WRITE : ZVM_ACC_READ)) == NULL)
		return r->error = ENOMEM, 1;
	o->off = (uint64_t)cur;
	o->flags = fl & (O_APPEND | O_NONBLOCK);
	zvm_fd_install(sv, (int)to, o, req->data.nr == SYS_dup3 &&
	    (a[2] & O_CLOEXEC));
	r->val = to;
	return 1;
}

static int
inj_call(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct stat st;
	int e;

	struct zvm_inj *j = zvm_inj_get(sv, a[0]);

	if (j->chan == ZVM_INJ_SCRATCH && scr_call(sv, req, j, r))
		return 1;
	if (req->data.nr == SYS_dup)
		return inj_dup(sv, req, r, 0);
	if (req->data.nr == SYS_fcntl && ((uint32_t)a[1] == F_DUPFD ||
	    (uint32_t)a[1] == F_DUPFD_CLOEXEC))
		return inj_dup(sv, req, r, (uint32_t)a[1] == F_DUPFD_CLOEXEC);
	switch (req->data.nr) {
	case SYS_close:
		/* Another thread's call let run may not have run yet: the
		 * kernel's fd stays, gone for us (every call on it is
		 * EBADF but lseek), till the program exits. */
		r->cont = !zvm_cont_busy(sv, (uint32_t)a[0], (uint32_t)a[0],
		    (pid_t)req->pid);
		if (!r->cont)
			j->keep = 1;
		zvm_inj_drop(sv, a[0]);
		return 1;
	case SYS_fcntl:
		if (j->chan < 0 && ((uint32_t)a[1] == F_SETFL ||
		    (uint32_t)a[1] == F_GETPIPE_SZ)) {
			r->cont = 1;
			return 1;
		}
		/* A channel's file, as a virtual fd: O_APPEND and
		 * O_NONBLOCK only (the native path's writes look at
		 * O_APPEND each time; O_DIRECT could fail a read that
		 * was charged). */
		if (j->chan >= 0 && (uint32_t)a[1] == F_SETFL) {
			if (fcntl(j->fd, F_SETFL, (int)(a[2] &
			    (O_APPEND | O_NONBLOCK))) == -1)
				r->error = errno;
			/* The flags of every dup of it, known no more. */
			for (size_t i = 0; i < sv->ninj; i++)
				sv->inj[i].fl = -1;
			return 1;
		}
		break;
	case SYS_ftruncate:
	case SYS_fsync:
	case SYS_fdatasync:
		/* A write channel's file: as a virtual fd's. */
		if (j->chan >= 0 && sv->src[j->chan].acc == ZVM_ACC_WRITE) {
			if (req->data.nr == SYS_ftruncate)
				r->error = EINVAL;
			else if (fdatasync(sv->src[j->chan].fd) == -1)
				r->error = errno;
			return 1;
		}
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (j->chan >= 0 && sv->src[j->chan].kind == ZVM_SRC_REG)
			return low_dup(sv, req, r, j);
		break;
	case SYS_ioctl:
		/* An object of the program's: its queue, its blocking. */
		if (j->chan < 0 && ((uint32_t)a[1] == FIONREAD ||
		    (uint32_t)a[1] == FIONBIO)) {
			r->cont = 1;
			return 1;
		}
		break;
	}
	switch (req->data.nr) {
	case SYS_fstat:
		if ((e = zvm_stat_fd(sv, a[0], &st)) == 0)
			e = zvm_stat_put(sv, &st, a[1], 0);
		r->error = -e;
		return 1;
	case SYS_fcntl:
		switch ((uint32_t)a[1]) {
		case F_GETFD:
		case F_SETFD:
		case F_GETFL:
			r->cont = 1;
			return 1;
		}
		r->error = EINVAL;
		return 1;
	case SYS_ioctl:
		if ((uint32_t)a[1] == FIOCLEX || (uint32_t)a[1] == FIONCLEX)
			r->cont = 1;
		else
			r->error = ENOTTY;
		return 1;
	case SYS_fadvise64:
		return 1;
	case SYS_getdents64:
	case SYS_fchdir:
		r->error = ENOTDIR;
		return 1;
	case SYS_dup2:
	case SYS_dup3:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_ftruncate:
		r->error = EBADF;
		return 1;
	}
	return 0;
}
int
zvm_h_fd(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct stat st;
	int64_t v;
	int chan;

	if ((uint32_t)a[0] >= ZVM_NVFD && zvm_inj_get(sv, a[0]) &&
	    inj_call(sv, req, r))
		return ZVM_H_DONE;
	switch (req->data.nr) {
	case SYS_close:
		v = zvm_fd_get(sv, a[0]) ? (zvm_fd_put(sv, (uint32_t)a[0]), 0) :
		    -EBADF;
		break;
	case SYS_close_range:
		if ((v = do_close_range(sv, a[0], a[1], a[2],
		    (pid_t)req->pid)) == 1) {
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	case SYS_dup:
		v = do_dup(sv, a[0], -1, 0, 0);
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (req->data.nr == SYS_dup3 && (((uint32_t)a[2] &
		    ~O_CLOEXEC) || (uint32_t)a[0] == (uint32_t)a[1])) {
			v = -EINVAL;
			break;
		}
		if ((uint32_t)a[1] >= ZVM_NVFD)
			v = -EBADF;
		else
			v = do_dup(sv, a[0], (uint32_t)a[1], 0,
			    req->data.nr == SYS_dup3 && (a[2] & O_CLOEXEC));
		break;
	case SYS_fcntl:
		v = do_fcntl(sv, a[0], a[1], a[2]);
		break;
	case SYS_fstat:
		if ((v = zvm_stat_fd(sv, a[0], &st)) == 0)
			v = zvm_stat_put(sv, &st, a[1], 0);
		break;
	case SYS_lseek:
		v = do_lseek(sv, a[0], (int64_t)a[1], a[2]);
		break;
	case SYS_ioctl:
		if ((v = do_ioctl(sv, req, r)) == 1)
			return ZVM_H_DONE;
		break;
	case SYS_fchdir:
		v = zvm_fd_get(sv, a[0]) ? -ENOTDIR : -EBADF;
		break;
	case SYS_getdents:
	case SYS_getdents64:
		v = do_getdents(sv, a[0], a[1], a[2], req->data.nr);
		break;
	case SYS_pipe:
		v = do_pipe(sv, a[0], 0);
		break;
	case SYS_pipe2:
		v = do_pipe(sv, a[0], a[1]);
		break;
	case SYS_fsync:
	case SYS_fdatasync:
		if (zvm_fd_get(sv, a[0]) == NULL) {
			v = -EBADF;
			break;
		}
		if ((chan = zvm_fd_get(sv, a[0])->chan) < 0) {
			v = 0;
			break;
		}
		v = 0;
		if (sv->src[chan].kind == ZVM_SRC_REG &&
		    (sv->src[chan].acc & ZVM_ACC_WRITE) &&
		    fdatasync(sv->src[chan].fd) == -1)
			v = -errno;
		break;
	case SYS_ftruncate:
		v = zvm_fd_get(sv, a[0]) ? -EINVAL : -EBADF;
		break;
	case SYS_fadvise64:
	case SYS_flock:
		v = zvm_fd_get(sv, a[0]) ? 0 : -EBADF;
		break;
	case SYS_sendfile:
	case SYS_splice:
	case SYS_tee:
	case SYS_vmsplice:
	case SYS_copy_file_range:
		/* Not metered in one step: the program falls back to
		 * read and write, which are. */
		v = -EINVAL;
		break;
	default:
		return -1;
	}
	if (v < 0)
		r->error = (int)-v;
	else
		r->val = v;
	return ZVM_H_DONE;
}
