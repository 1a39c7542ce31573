/* SPDX-License-Identifier: ISC */
/*
 * account - what a run's report counts: each channel's quotas (a call is
 * stopped when one is spent, cut to the bytes that remain), its host
 * errors, the system calls denied, and the transaction of the answer
 * being sent.  An answer's quotas and positions move only once it was
 * delivered; a lost one (its thread died meanwhile) is undone, except
 * that bytes written stay written.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#include "base/util.h"
#include "sv/state.h"

int
zvm_quota(struct zvm_chan *ch, int calls, uint64_t *room)
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

void
zvm_deny(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int err)
{
	r->error = err;
	zvm_report_deny(sv->rep, req->data.nr,
	    zvm_syscall_lookup(req->data.nr));
}

int
zvm_files_room(struct zvm_sv *sv, size_t n)
{
	if (sv->nfiles + n <= sv->lim.files)
		return 0;
	sv->rep->limits |= ZVM_LIMIT_FILES;
	return -EMFILE;
}

/* The program's soft RLIMIT_AS: Memory less its pipes' and sockets'
 * buffers, so what it maps and what they hold stay within Memory
 * together. */
static void
set_as(struct zvm_sv *sv)
{
	uint64_t p = sv->bufbytes;

	(void)zvm_tr_set_as(&sv->tr, p < sv->lim.memory ?
	    sv->lim.memory - p : 0);
}

int
zvm_buf_take(struct zvm_sv *sv, uint64_t bytes)
{
	uint64_t vm, need = sv->bufbytes + bytes;

	if (sv->lim.memory) {
		/* An address space we cannot see might not leave room. */
		vm = zvm_tr_vmsize(&sv->tr);
		if (vm == UINT64_MAX || need > sv->lim.memory ||
		    vm > sv->lim.memory - need) {
			sv->rep->limits |= ZVM_LIMIT_MEMORY;
			return -ENFILE;	/* what the kernel says past its own
					 * pipe limit */
		}
	}
	sv->bufbytes += bytes;
	if (sv->lim.memory)
		set_as(sv);
	return 0;
}

void
zvm_buf_give(struct zvm_sv *sv, uint64_t bytes)
{
	sv->bufbytes -= bytes < sv->bufbytes ? bytes : sv->bufbytes;
	if (sv->lim.memory)
		set_as(sv);
}

/*
 * Threads are counted twice, and the smaller count is taken; each errs
 * on the high side only.  One: the first thread, plus the clones let
 * through, less the thread exits (notified): high by clones the kernel
 * failed.  Two: /proc/PID/task, plus the clones let through that may not
 * be there yet (a clone runs in the kernel after our CONTINUE), each
 * known done when its thread makes another call or CLONE_SETTLE after it
 * was let through (a clone takes microseconds): high while calls of
 * threads that cloned wait to be served.
 */
#define CLONE_SETTLE (10 * 1000 * 1000ULL)

void
zvm_thread_exit(struct zvm_sv *sv)
{
	if (sv->exits < sv->granted + 1)
		sv->exits++;
}

void
zvm_clone_done(struct zvm_sv *sv, pid_t tid)
{
	size_t i, j = 0;

	for (i = 0; i < sv->nclones; i++)
		if (sv->clones[i].tid != tid)
			sv->clones[j++] = sv->clones[i];
	sv->nclones = j;
}

int
zvm_cont_add(struct zvm_sv *sv, pid_t tid, uint32_t fd)
{
	struct zvm_cont *c = zvm_grow(sv->conts, &sv->capconts, sv->nconts,
	    sizeof(*c), 16);

	if (c == NULL)
		return -1;
	sv->conts = c;
	sv->conts[sv->nconts].tid = tid;
	sv->conts[sv->nconts++].fd = fd;
	return 0;
}

void
zvm_cont_done(struct zvm_sv *sv, pid_t tid)
{
	size_t i, j = 0;

	for (i = 0; i < sv->nconts; i++)
		if (sv->conts[i].tid != tid)
			sv->conts[j++] = sv->conts[i];
	sv->nconts = j;
}

int
zvm_one_thread(const struct zvm_sv *sv)
{
	return sv->granted == sv->exits && sv->nclones == 0;
}

int
zvm_cont_busy(const struct zvm_sv *sv, uint32_t lo, uint32_t hi, pid_t tid)
{
	for (size_t i = 0; i < sv->nconts; i++)
		if (sv->conts[i].fd >= lo && sv->conts[i].fd <= hi &&
		    sv->conts[i].tid != tid)
			return 1;
	return 0;
}

int
zvm_thread_room(struct zvm_sv *sv, pid_t tid)
{
	uint64_t now = zvm_tr_now(), live;
	struct zvm_clone *c;
	size_t i, j = 0;

	/* tid's own earlier clone went with this call (lib/sv/table). */
	for (i = 0; i < sv->nclones; i++)
		if (now - sv->clones[i].t < CLONE_SETTLE)
			sv->clones[j++] = sv->clones[i];
	sv->nclones = j;
	/* A count we cannot read allows nothing. */
	live = zvm_tr_threads(&sv->tr);
	if (live != 0)
		live += sv->nclones;
	else
		live = UINT64_MAX;
	if (1 + sv->granted - sv->exits < live)
		live = 1 + sv->granted - sv->exits;
	if (live >= sv->lim.threads) {
		sv->rep->limits |= ZVM_LIMIT_THREADS;
		return -EAGAIN;
	}
	if ((c = zvm_grow(sv->clones, &sv->capclones, sv->nclones,
	    sizeof(*c), 16)) == NULL)
		return -ENOMEM;
	sv->clones = c;
	sv->clones[sv->nclones].tid = tid;
	sv->clones[sv->nclones++].t = now;
	sv->granted++;
	return 0;
}

void
zvm_host_error(struct zvm_chan *ch, const char *op, int err)
{
	ch->rep->err = err;
	ch->rep->errop = op;
}

void
zvm_txn_start(struct zvm_sv *sv, int chan, int write, uint64_t n,
    struct zvm_ofd *o)
{
	struct zvm_txn *t = &sv->txn;

	t->active = 1;
	t->chan = chan;
	t->write = write;
	t->n = n;
	t->ofd = o;
	t->pos = ZVM_POS_NONE;
	t->cont = 0;
}

/* The kernel gave the program n bytes of the channel's file at off
 * (none of an image's files, whose etag is taken as read): after what
 * the etag, if the channel has one, is owed already (the handler hashed
 * that first unless these bytes follow it). */
static void
owe(struct zvm_sv *sv, const struct zvm_txn *t)
{
	struct zvm_chan *ch = &sv->ch[t->chan];

	if (ch->src->kind != ZVM_SRC_REG)	/* a file of an image */
		return;
	if (t->write && t->oweoff + t->n > ch->src->size)
		ch->src->size = t->oweoff + t->n;	/* the known end */
	if (t->oweoff + t->n > ch->contend)
		ch->contend = t->oweoff + t->n;
	if (!ch->rep->etag_on)
		return;
	if (ch->owehi == ch->owelo)
		ch->owelo = ch->owehi = t->oweoff;
	ch->owehi += t->n;
	/* The earlier reads' bytes, hashed while this one runs. */
	zvm_owe_some(sv, t->chan, t->n);
}


void
zvm_txn_commit(struct zvm_sv *sv, int ok)
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
		if (t->cont)
			owe(sv, t);
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
