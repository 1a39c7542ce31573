/* SPDX-License-Identifier: ISC */
/*
 * window - the supervisor's own maps of regular inputs, read windows the
 * copy path moves bytes out of (lib/sv/chanio) and the native path hashes
 * its owed bytes from (zvm_owe_*), guarded against a file cut under
 * them; and those owed bytes, the etag's share of what the kernel moved.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv/state.h"

#define WIN	(8UL << 20)	/* read window over a regular input */

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
int
zvm_win_hash(struct zvm_etag *e, const unsigned char *q, size_t n)
{
	if (sigsetjmp(bus_jmp, 0))
		return -1;
	bus_armed = 1;
	zvm_etag_update(e, q, n);
	bus_armed = 0;
	return 0;
}

/* A pointer to file offset off of a mapped input, *avail bytes valid. */
const unsigned char *
zvm_win(struct zvm_source *s, uint64_t off, size_t *avail)
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
int
zvm_win_gone(const struct zvm_source *s)
{
	struct stat st;

	return fstat(s->fd, &st) == 0 &&
	    (uint64_t)st.st_size < s->mapoff + s->maplen;
}

/* Bytes the file has from off on now, if it is shorter than the
 * window says (cut under us), else -1. */
ssize_t
zvm_win_cut(const struct zvm_source *s, uint64_t off)
{
	struct stat st;

	if (fstat(s->fd, &st) == -1 ||
	    (uint64_t)st.st_size >= s->mapoff + s->maplen)
		return -1;
	return (uint64_t)st.st_size > off ? (ssize_t)(st.st_size - off) : 0;
}

/* A write channel's file, opened again to be read: the file our source
 * fd holds (through /proc/self/fd, no name looked up again).  -1 with
 * the error recorded. */
static int
read_fd(struct zvm_chan *ch)
{
	const struct zvm_source *s = ch->src;
	char proc[64];
	struct stat st;

	if (ch->rfd >= 0)
		return ch->rfd;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	if ((ch->rfd = open(proc, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		zvm_host_error(ch, "read", errno);
		return -1;
	}
	if (fstat(ch->rfd, &st) == -1 || st.st_dev != s->dev ||
	    st.st_ino != s->ino) {
		zvm_host_error(ch, "read", ESTALE);
		close(ch->rfd);
		return ch->rfd = -1;
	}
	return ch->rfd;
}

/* Hash what chan's etag is owed from owelo up to end (owelo moves
 * there); a host error is recorded, and what is left owed dropped. */
static void
owe_hash(struct zvm_sv *sv, int chan, uint64_t end)
{
	struct zvm_chan *ch = &sv->ch[chan];
	struct zvm_source *s = ch->src;
	uint64_t p = ch->owelo;
	int rd = s->acc == ZVM_ACC_READ;
	int fd = rd ? s->fd : end > p ? read_fd(ch) : -1;

	while (p < end && fd >= 0) {
		const unsigned char *q;
		size_t avail;
		ssize_t k;

		if (rd && !s->shrunk && (q = zvm_win(s, p, &avail)) != NULL) {
			if (avail > end - p)
				avail = end - p;
			if (zvm_win_hash(&ch->etag, q, avail) == -1) {
				s->shrunk = 1;
				zvm_host_error(ch, "read", ESTALE);
				break;
			}
			p += avail;
			continue;
		}
		avail = end - p < ZVM_BUFSZ ? end - p : ZVM_BUFSZ;
		/* Shorter now than when it was read: the digest misses
		 * bytes the program got, which the error says. */
		if ((k = pread(fd, sv->buf, avail, (off_t)p)) <= 0) {
			zvm_host_error(ch, "read", k < 0 ? errno : ESTALE);
			break;
		}
		zvm_etag_update(&ch->etag, sv->buf, (size_t)k);
		p += (uint64_t)k;
	}
	ch->owelo = p < end ? ch->owehi : p;
	if (ch->owelo == ch->owehi)
		ch->owelo = ch->owehi = 0;
}

void
zvm_owe_flush(struct zvm_sv *sv, int chan)
{
	owe_hash(sv, chan, sv->ch[chan].owehi);
}

void
zvm_owe_some(struct zvm_sv *sv, int chan, uint64_t keep)
{
	struct zvm_chan *ch = &sv->ch[chan];

	if (ch->src->acc == ZVM_ACC_READ && ch->owehi - ch->owelo > keep)
		owe_hash(sv, chan, ch->owehi - keep);
}

void
zvm_owe_end(struct zvm_sv *sv)
{
	struct stat st;

	for (size_t i = 0; sv->ch && i < sv->nsrc; i++) {
		struct zvm_chan *ch = &sv->ch[i];

		if (ch->contend == 0)
			continue;
		zvm_owe_flush(sv, (int)i);
		/* Shorter than what was counted: cut by another process,
		 * or a native write that did not write it all. */
		if (ch->rep->err == 0 && (fstat(ch->src->fd, &st) == -1 ||
		    (uint64_t)st.st_size < ch->contend))
			zvm_host_error(ch, ch->src->acc == ZVM_ACC_READ ?
			    "read" : "write", ESTALE);
		if (ch->rfd >= 0)
			close(ch->rfd);
		ch->rfd = -1;
	}
}

void
zvm_win_bus_end(void)
{
	if (bus_on) {
		sigaction(SIGBUS, &bus_old, NULL);
		bus_on = 0;
	}
}

void
zvm_win_end(struct zvm_sv *sv)
{
	for (size_t i = 0; i < sv->nsrc; i++)
		if (sv->src[i].map) {
			munmap(sv->src[i].map, sv->src[i].maplen);
			sv->src[i].map = NULL;
		}
}
