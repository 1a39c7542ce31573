/* SPDX-License-Identifier: ISC */
/*
 * table - the loop's system call table (part of the loop, private to
 * it): which handler family answers a notified call.
 */
#ifndef ZVM_TABLE_H
#define ZVM_TABLE_H

#include "sv/state.h"

/* Serve req with the family its number (and fd) belongs to: ZVM_H_DONE
 * with r filled, or ZVM_H_PEND (what to wait for in *chan and *events,
 * or in sv->pwait and sv->pdeadline). */
int zvm_table_serve(struct zvm_sv *, const struct seccomp_notif *,
    struct zvm_resp *, int *chan, short *events);

#endif
