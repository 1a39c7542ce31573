/* SPDX-License-Identifier: ISC */
/*
 * inject - real read-only fds in the program, for files it may need to
 * map: libraries, and the files of directory images.  The supervisor
 * opens the file itself and installs it with SECCOMP_IOCTL_NOTIF_ADDFD
 * and SETFD|SEND, which also answers the open: no window exists in which
 * the fd is there but the open has not returned (sandbox.md section 3,
 * pitfall 3).  Numbers start at ZVM_NVFD and are never reused, since a
 * close is answered with CONTINUE and runs after the answer.  Every read
 * and map of such an fd is still a notification (lib/sv/chanio).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv/sv.h"

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

struct zvm_inj *
zvm_inj_get(struct zvm_sv *sv, uint64_t fdarg)
{
	uint32_t fd = (uint32_t)fdarg;

	if (fd < ZVM_NVFD || fd - ZVM_NVFD >= sv->ninj)
		return NULL;
	return sv->inj[fd - ZVM_NVFD].fd != -1 ? &sv->inj[fd - ZVM_NVFD] :
	    NULL;
}

/* Make room for the next number; -1 when out of memory. */
static int
grow(struct zvm_sv *sv)
{
	struct zvm_inj *p;
	size_t cap;

	if (sv->ninj < sv->capinj)
		return 0;
	cap = sv->capinj ? sv->capinj * 2 : 64;
	if ((p = realloc(sv->inj, cap * sizeof(*p))) == NULL)
		return -1;
	sv->inj = p;
	sv->capinj = cap;
	return 0;
}

int
zvm_inj_add(struct zvm_sv *sv, int childfd, int fd, int chan, uint64_t size)
{
	size_t i = (size_t)childfd - ZVM_NVFD;

	if (i != sv->ninj || grow(sv) == -1) {
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
	sv->ninj++;
	return 0;
}

void
zvm_inj_drop(struct zvm_sv *sv, uint64_t fdarg)
{
	struct zvm_inj *j = zvm_inj_get(sv, fdarg);

	if (j) {
		/* Its maps live on: an etag hashes what mremap adds. */
		if (j->fd >= 0 && j->chan >= 0 && sv->ch[j->chan].rep->etag_on)
			j->hashfd = j->fd;
		else if (j->fd >= 0)
			close(j->fd);
		j->fd = -1;
	}
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
}

/*
 * Answer req by installing r->injfd at the next number (ADDFD with
 * SETFD|SEND).  Returns 1 when the answer went out (injected, or an
 * error sent instead), 0 when the call is gone (its thread died).
 */
int
zvm_inj_send(struct zvm_sv *sv, const struct seccomp_notif *req,
    const struct zvm_resp *r)
{
	struct seccomp_notif_addfd add;
	struct seccomp_notif_resp resp;
	int fd;

	if (grow(sv) == -1) {
		close(r->injfd);
		errno = ENOMEM;
		goto fail;
	}
	memset(&add, 0, sizeof(add));
	add.id = req->id;
	add.flags = SECCOMP_ADDFD_FLAG_SETFD | SECCOMP_ADDFD_FLAG_SEND;
	add.srcfd = r->injfd;
	add.newfd = ZVM_NVFD + sv->ninj;
	add.newfd_flags = r->injflags & O_CLOEXEC;
	if ((fd = ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add)) >= 0)
		return zvm_inj_add(sv, fd, r->injfd, r->injchan, r->injsize),
		    1;
	close(r->injfd);
	if (errno == ENOENT)
		return 0;
fail:
	/* Over RLIMIT_NOFILE (EMFILE, EBADF) or out of memory: the open
	 * fails as it would natively. */
	memset(&resp, 0, sizeof(resp));
	resp.id = req->id;
	resp.error = errno == ENOMEM ? -ENOMEM : -EMFILE;
	return ioctl(sv->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

/*
 * pipe and pipe2: a real pipe, both ends injected (ADDFD without SEND,
 * then the pair is written to the program and the call answered).  It
 * joins the program's own threads and nothing else, so its reads and
 * writes run natively (CONTINUE on the number alone: numbers are never
 * reused, so one that was a pipe end is one still, or closed).  An end
 * another thread guesses before the call returns is still only that
 * pipe.  0 or -errno.
 */
int
zvm_inj_pipe(struct zvm_sv *sv, uint64_t addr, uint32_t flags)
{
	struct seccomp_notif_addfd add;
	int p[2], child[2], e = 0;

	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	if (pipe2(p, O_CLOEXEC | (flags & (O_NONBLOCK | O_DIRECT))) == -1)
		return -errno;
	for (int i = 0; i < 2; i++) {
		if (grow(sv) == -1) {
			e = -ENOMEM;
			break;
		}
		memset(&add, 0, sizeof(add));
		add.flags = SECCOMP_ADDFD_FLAG_SETFD;
		add.id = sv->cur_id;
		add.srcfd = p[i];
		add.newfd = ZVM_NVFD + sv->ninj;
		add.newfd_flags = flags & O_CLOEXEC;
		if ((child[i] = ioctl(sv->listener,
		    SECCOMP_IOCTL_NOTIF_ADDFD, &add)) < 0) {
			e = errno == EBADF ? -EMFILE : -errno;
			break;
		}
		/* We keep no end: the program alone must hold them, or
		 * its reader would never see the end of the pipe. */
		if (zvm_inj_add(sv, child[i], -2, -1, 0) == -1) {
			e = -ENOMEM;
			break;
		}
	}
	for (int i = 0; i < 2; i++)
		if (p[i] >= 0)
			close(p[i]);
	if (e == 0 && zvm_sv_poke(sv, addr, child, sizeof(child)) < 0)
		e = -EFAULT;
	return e;
}
