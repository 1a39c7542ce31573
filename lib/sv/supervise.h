/* SPDX-License-Identifier: ISC */
/*
 * supervise - the supervisor, lib/sv: serve a started program until it
 * is gone, enforce the timeout, reap it and fill the report.  This is its
 * one public header (zvm-run's); inside, four layers call only down:
 *
 *   loop     loop.c, table.c, watch.c   notifications in, answers out
 *   handlers chanio.c, injio.c, fdtable.c, names.c, pollio.c, proc.c
 *            (handler.h)                one family of calls each
 *   state    fds.c, account.c, stat.c, wait.c, image.c, scratch.c,
 *            window.c
 *            (state.h)   the fd table, quotas, the name space the
 *                        handlers share
 *   tracee   tracee.c (tracee.h)        the program's memory, answers
 *
 * lib/sv uses lib/run, lib/manifest and lib/base; scripts/layers checks.
 */
#ifndef ZVM_SUPERVISE_H
#define ZVM_SUPERVISE_H

#include <stdint.h>

#include "manifest/report.h"
#include "run/sandbox.h"
#include "run/source.h"
#include "base/util.h"

/* zvm_supervise(): the child's sandbox setup failed (e says which step). */
#define ZVM_SV_NOSANDBOX	(-2)

#define ZVM_SV_MEMTAG	1
#define ZVM_SV_COPY	2
#define ZVM_SV_EXIT	4

/*
 * Run the loop for child c (from zvm_sandbox_start) over the opened
 * sources src[0..n) (channel i of the report is src[i]); timeout in
 * seconds of wall clock from the program's exec.  flags: ZVM_SV_MEMTAG,
 * the child's filter is the ZVM_FILTER_MEMTAG variant and the report gets
 * the memory etag taken at exit_group; ZVM_SV_COPY, every byte of a
 * channel is copied by the supervisor (no native data path); ZVM_SV_EXIT,
 * the caller exits once the report is out: the supervisor's own memory,
 * maps and fds are left to the exit (each munmap may cost a TLB shootdown
 * IPI, tens of us in a VM), the signal dispositions and mask are still
 * given back.  Fills rep
 * (caller frees with zvm_report_free()).  Returns 0 when the program ran
 * and was reaped (whatever its fate: see rep->state), -1 with e set when
 * supervision itself failed (the program is killed and reaped first), or
 * ZVM_SV_NOSANDBOX with e set when the child could not install its
 * sandbox (it is reaped; rep says nothing).  The caller prepares nothing
 * between zvm_sandbox_start() and this: it waits for the filter itself,
 * after its own setup.
 */
int zvm_supervise(struct zvm_child *c, struct zvm_source *src, size_t n,
    uint64_t timeout, int flags, struct zvm_report *rep,
    struct zvm_error *e);

#endif
