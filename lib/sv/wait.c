/* SPDX-License-Identifier: ISC */
/*
 * wait - the set a waiting poll or select watches while it sits in the
 * loop's pending table: our fds standing for the program's streams, and
 * a tick flag for what no fd of ours can stand for.  A socket call's set
 * holds our copy of its end for the wait, as the kernel holds the file
 * for a call blocked on it.
 */
#include <stdlib.h>
#include <unistd.h>

#include "sv/state.h"

int
zvm_pw_add(struct zvm_pollwait **wp, int fd, short ev)
{
	struct zvm_pollwait *w = *wp;

	if (w == NULL && (w = *wp = calloc(1, sizeof(*w))) == NULL)
		return -1;
	if (fd < 0) {
		w->tick = 1;
		return 0;
	}
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 8;
		struct pollfd *p = realloc(w->p, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		w->p = p;
		w->cap = cap;
	}
	w->p[w->n++] = (struct pollfd){ fd, ev, 0 };
	return 0;
}

int
zvm_pw_hold(struct zvm_pollwait **wp, int fd, short ev)
{
	if (zvm_pw_add(wp, fd, ev) == -1)
		return -1;
	(*wp)->held = 1;
	(*wp)->hold = fd;
	return 0;
}

void
zvm_pw_free(struct zvm_pollwait *w)
{
	if (w == NULL)
		return;
	if (w->held)
		close(w->hold);
	free(w->p);
	free(w);
}
