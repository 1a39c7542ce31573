/* SPDX-License-Identifier: ISC */
/*
 * fds - the program's fd table as the supervisor keeps it.  Below
 * ZVM_NVFD every fd is virtual: an index into open file descriptions
 * that dup shares; the kernel's table has nothing there.  From ZVM_NVFD
 * up are real read-only fds the supervisor installed (libraries, image
 * files, the program's own pipes), for files the program may need to
 * map.  The supervisor opens the file itself and installs it with ADDFD
 * and SETFD|SEND, which also answers the open: no window exists in which
 * the fd is there but the open has not returned (sandbox.md section 3,
 * pitfall 3).  A close is answered with CONTINUE and runs after the
 * answer, so a number is used again only once no call can still be on its
 * way to it (zvm_inj_slot).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv/state.h"

struct zvm_ofd *
zvm_fd_get(struct zvm_sv *sv, uint64_t fdarg)
{
	uint32_t fd = (uint32_t)fdarg;

	return fd < ZVM_NVFD ? sv->fd[fd] : NULL;
}

void
zvm_fd_put(struct zvm_sv *sv, int fd)
{
	struct zvm_ofd *o = sv->fd[fd];

	sv->fd[fd] = NULL;
	sv->cloexec[fd] = 0;
	if (o && --o->refs == 0) {
		/* As the kernel drops a file's epoll watches with it. */
		if (sv->nepw)
			zvm_epw_forget(sv, o, -1);
		if (o->hostfd >= 0)
			close(o->hostfd);
		free(o->name);
		free(o);
	}
}

struct zvm_ofd *
zvm_fd_new(int chan, int acc)
{
	struct zvm_ofd *o = calloc(1, sizeof(*o));

	if (o) {
		o->chan = chan;
		o->acc = acc;
		o->hostfd = -1;
	}
	return o;
}

int
zvm_fd_lowest(struct zvm_sv *sv, unsigned min)
{
	for (unsigned i = min; i < ZVM_NVFD; i++)
		if (sv->fd[i] == NULL)
			return i;
	return -EMFILE;
}

void
zvm_fd_install(struct zvm_sv *sv, int fd, struct zvm_ofd *o, int cloexec)
{
	if (sv->fd[fd])
		zvm_fd_put(sv, fd);
	o->refs++;
	sv->fd[fd] = o;
	sv->cloexec[fd] = cloexec != 0;
}

void
zvm_fd_closeall(struct zvm_sv *sv)
{
	for (int i = 0; i < ZVM_NVFD; i++)
		zvm_fd_put(sv, i);
}

struct zvm_inj *
zvm_inj_get(struct zvm_sv *sv, uint64_t fdarg)
{
	uint32_t fd = (uint32_t)fdarg;

	if (fd < ZVM_NVFD || fd - ZVM_NVFD >= sv->ninj)
		return NULL;
	return sv->inj[fd - ZVM_NVFD].fd != -1 ? &sv->inj[fd - ZVM_NVFD] :
	    NULL;
}

int
zvm_inj_grow(struct zvm_sv *sv)
{
	struct zvm_inj *p = zvm_grow(sv->inj, &sv->capinj, sv->ninj,
	    sizeof(*p), 64);

	if (p == NULL)
		return -1;
	sv->inj = p;
	return 0;
}

int
zvm_inj_slot(const struct zvm_sv *sv)
{
	size_t i;

	if (sv->nfreeinj == 0 || sv->noreuse)
		return (int)(ZVM_NVFD + sv->ninj);
	i = sv->freeinj[sv->nfreeinj - 1];
	/* No thread has tid 0: every call in flight counts. */
	return zvm_cont_busy(sv, (uint32_t)(ZVM_NVFD + i),
	    (uint32_t)(ZVM_NVFD + i), 0) ?
	    (int)(ZVM_NVFD + sv->ninj) : (int)(ZVM_NVFD + i);
}

int
zvm_inj_add(struct zvm_sv *sv, int childfd, int fd, int chan, uint64_t size)
{
	size_t i = (size_t)childfd - ZVM_NVFD;
	int reuse = sv->nfreeinj && i == sv->freeinj[sv->nfreeinj - 1];

	if (!reuse && (i != sv->ninj || zvm_inj_grow(sv) == -1)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	sv->inj[i].fd = fd;
	sv->inj[i].chan = chan;
	sv->inj[i].size = size;
	sv->inj[i].hashfd = -1;
	sv->inj[i].dev = 0;
	sv->inj[i].ino = 0;
	sv->inj[i].pair = -1;
	sv->inj[i].node = -1;
	sv->inj[i].keep = 0;
	sv->inj[i].fl = -1;
	/* Unknown (an fstat that failed): no map of it is ever found, so
	 * mremap could grow one free.  Not worth the risk: no injection. */
	if (fd >= 0) {
		struct stat st;

		if (fstat(fd, &st) == -1) {
			close(fd);
			return -1;
		}
		sv->inj[i].dev = st.st_dev;
		sv->inj[i].ino = st.st_ino;
	}
	if (reuse)
		sv->nfreeinj--;
	else
		sv->ninj++;
	sv->nfiles++;
	return 0;
}

void
zvm_inj_drop(struct zvm_sv *sv, uint64_t fdarg)
{
	struct zvm_inj *j = zvm_inj_get(sv, fdarg);
	size_t *f;

	if (j) {
		/* Its maps live on: an etag hashes what mremap adds, from
		 * our fd of an image's file (a channel's own is the
		 * source's fd, which stays). */
		if (j->fd >= 0 && j->chan >= 0 && j->keep &&
		    sv->ch[j->chan].rep->etag_on &&
		    sv->src[j->chan].kind == ZVM_SRC_DIR)
			j->hashfd = j->fd;
		else if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
		sv->nfiles--;
		if (j->chan == ZVM_INJ_SCRATCH)
			zvm_scr_hold(sv, j->node, -1);
		/* A pair's buffers are gone with its last end. */
		if (j->pair >= 0)
			zvm_pair_unref(sv, j->pair);
		if (j->chan == ZVM_INJ_EPOLL)
			zvm_epw_forget(sv, NULL, j - sv->inj);
		/* Its number, to be used again (no room to say so: never
		 * mind, a new one will do). */
		if (!j->keep && (f = zvm_grow(sv->freeinj, &sv->capfreeinj,
		    sv->nfreeinj, sizeof(*f), 64)) != NULL) {
			sv->freeinj = f;
			f[sv->nfreeinj++] = (size_t)(j - sv->inj);
		}
	}
}

uint64_t
zvm_pair_bytes(int kind)
{
	return kind == ZVM_INJ_PIPE ? ZVM_PIPE_BYTES : kind == ZVM_INJ_SOCKET ?
	    ZVM_SOCK_BYTES : 0;
}

/* A new pair record, no end held yet: its index, or -1. */
static long
pair_new(struct zvm_sv *sv, int kind, int p[2])
{
	struct zvm_pair *n;
	struct stat st[2];
	socklen_t l = sizeof(n->type);

	if (fstat(p[0], &st[0]) == -1 || fstat(p[1], &st[1]) == -1)
		return -1;
	if ((n = zvm_grow(sv->pairs, &sv->cappairs, sv->npairs,
	    sizeof(*n), 16)) == NULL)
		return -1;
	sv->pairs = n;
	n = &sv->pairs[sv->npairs];
	n->kind = kind;
	n->type = 0;
	if (kind == ZVM_INJ_SOCKET &&
	    getsockopt(p[0], SOL_SOCKET, SO_TYPE, &n->type, &l) == -1)
		return -1;
	n->dev = st[0].st_dev;
	n->ino[0] = st[0].st_ino;
	n->ino[1] = st[1].st_ino;
	n->refs = 0;
	n->queued = 0;
	return (long)sv->npairs++;
}

long
zvm_pair_find(struct zvm_sv *sv, int kind, const struct stat *st)
{
	/* Newest first: an inode number is unique among live files. */
	for (size_t i = sv->npairs; i-- > 0;) {
		const struct zvm_pair *q = &sv->pairs[i];

		if (q->refs && q->kind == kind && q->dev == st->st_dev &&
		    (q->ino[0] == st->st_ino || q->ino[1] == st->st_ino))
			return (long)i;
	}
	return -1;
}

void
zvm_pair_ref(struct zvm_sv *sv, long i)
{
	sv->pairs[i].refs++;
}

void
zvm_pair_unref(struct zvm_sv *sv, long i)
{
	struct zvm_pair *q = &sv->pairs[i];

	if (q->refs && --q->refs == 0) {
		zvm_buf_give(sv, zvm_pair_bytes(q->kind));
		/* Its queues went with it, and what they held. */
		zvm_flight(sv, i, -(long)q->queued);
	}
}

void
zvm_flight(struct zvm_sv *sv, long i, long n)
{
	uint64_t d = n < 0 ? (uint64_t)-n : (uint64_t)n;

	if (i >= 0 && n < 0)
		d = d < sv->pairs[i].queued ? d : sv->pairs[i].queued;
	if (i >= 0)
		sv->pairs[i].queued = n < 0 ? sv->pairs[i].queued - d :
		    sv->pairs[i].queued + d;
	if (n < 0)
		sv->inflight -= d < sv->inflight ? d : sv->inflight;
	else
		sv->inflight += d;
}

int
zvm_inj_new(struct zvm_sv *sv, int fd, int kind, uint64_t size, long pair,
    int cloexec, int keep)
{
	int child;

	if (zvm_inj_grow(sv) == -1)
		child = -ENOMEM;
	else if ((child = zvm_tr_addfd(&sv->tr, sv->tr.id, fd,
	    zvm_inj_slot(sv), cloexec, 0)) < 0)
		child = child == -EBADF ? -EMFILE : child;
	else if (zvm_inj_add(sv, child, keep ? fd : -2, kind, size) == -1)
		return -ENOMEM;		/* a kept fd is closed */
	else {
		sv->inj[child - ZVM_NVFD].pair = pair;
		return child;
	}
	if (keep)
		close(fd);
	return child;
}

int
zvm_inj_pair(struct zvm_sv *sv, int p[2], int kind, int cloexec,
    int child[2])
{
	long pi = pair_new(sv, kind, p);
	int e = 0, added = 0;

	for (int i = 0; pi >= 0 && i < 2; i++) {
		/* We keep no end: the program alone must hold them, or
		 * its reader would never see the end of the stream. */
		if ((child[i] = zvm_inj_new(sv, p[i], kind, 0, pi, cloexec,
		    0)) < 0) {
			e = child[i];
			break;
		}
		zvm_pair_ref(sv, pi);
		added++;
	}
	if (pi < 0)
		e = -ENOMEM;
	for (int i = 0; i < 2; i++)
		close(p[i]);
	if (added == 0)
		zvm_buf_give(sv, zvm_pair_bytes(kind));
	return e;
}

void
zvm_epw_forget(struct zvm_sv *sv, const struct zvm_ofd *ofd, long ep)
{
	size_t i, j = 0;

	for (i = 0; i < sv->nepw; i++) {
		struct zvm_epwatch *w = &sv->epw[i];

		if ((ep >= 0 && w->ep == (size_t)ep) ||
		    (ep < 0 && (ofd == NULL || w->ofd == ofd)))
			zvm_epw_close(sv, w);
		else
			sv->epw[j++] = *w;
	}
	sv->nepw = j;
}

void
zvm_epw_close(struct zvm_sv *sv, struct zvm_epwatch *w)
{
	/* Our dup shares the stream's file, which stays open: the watch
	 * goes only when taken out. */
	if (sv->inj[w->ep].fd >= 0)
		(void)epoll_ctl(sv->inj[w->ep].fd, EPOLL_CTL_DEL, w->fd, NULL);
	close(w->fd);
}

void
zvm_inj_closeall(struct zvm_sv *sv)
{
	for (size_t i = 0; i < sv->ninj; i++) {
		if (sv->inj[i].fd >= 0)
			close(sv->inj[i].fd);
		if (sv->inj[i].hashfd >= 0)
			close(sv->inj[i].hashfd);
	}
	free(sv->inj);
	sv->inj = NULL;
	sv->ninj = sv->capinj = 0;
	free(sv->freeinj);
	sv->freeinj = NULL;
	sv->nfreeinj = sv->capfreeinj = 0;
	zvm_epw_forget(sv, NULL, -1);
	free(sv->epw);
	sv->epw = NULL;
	sv->capepw = 0;
	free(sv->clones);
	free(sv->conts);
	sv->conts = NULL;
	sv->nconts = sv->capconts = 0;
	sv->clones = NULL;
	sv->nclones = sv->capclones = 0;
	free(sv->pairs);
	sv->pairs = NULL;
	sv->npairs = sv->cappairs = 0;
}

int
zvm_inj_offer(struct zvm_sv *sv, struct zvm_resp *r, int fd, int chan,
    uint64_t size, int cloexec)
{
	int e;

	if ((e = zvm_files_room(sv, 1)) < 0) {
		close(fd);
		return e;
	}
	r->inject = 1;
	r->injfd = fd;
	r->injchan = chan;
	r->injsize = size;
	r->injflags = cloexec ? O_CLOEXEC : 0;
	return 0;
}

/* Installed (or an error sent instead): 1; the call is gone: 0. */
int
zvm_inj_answer(struct zvm_sv *sv, uint64_t id, const struct zvm_resp *r)
{
	int fd, err;

	if (zvm_inj_grow(sv) == -1) {
		close(r->injfd);
		if (r->injchan == ZVM_INJ_SCRATCH)
			zvm_scr_hold(sv, r->injnode, 0);
		err = ENOMEM;
	} else {
		fd = zvm_tr_addfd(&sv->tr, id, r->injfd, zvm_inj_slot(sv),
		    r->injflags & O_CLOEXEC, 1);
		if (fd >= 0 && zvm_inj_add(sv, fd, r->injfd, r->injchan,
		    r->injsize) == 0 && r->injchan == ZVM_INJ_SCRATCH) {
			sv->inj[fd - ZVM_NVFD].node = r->injnode;
			zvm_scr_hold(sv, r->injnode, 1);
		} else if (r->injchan == ZVM_INJ_SCRATCH)
			zvm_scr_hold(sv, r->injnode, 0);
		if (fd >= 0)
			return 1;
		close(r->injfd);
		if (fd == -ENOENT)
			return 0;
		/* Over RLIMIT_NOFILE (EMFILE, EBADF): the open fails as it
		 * would natively. */
		err = fd == -ENOMEM ? ENOMEM : EMFILE;
	}
	return zvm_tr_answer(&sv->tr, id, 0, err, 0);
}
