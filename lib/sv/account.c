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
#include <sys/types.h>
#include <unistd.h>

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
