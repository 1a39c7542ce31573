/* SPDX-License-Identifier: ISC */
/*
 * net - the sockets behind tcp: channels, ZeroVM's way: a read-only
 * channel binds and takes one connection, a write-only channel connects.
 * The supervisor owns each socket; the program sees a stream channel.
 */
#ifndef ZVM_NET_H
#define ZVM_NET_H

#include <stddef.h>
#include <stdint.h>

#include "run/source.h"
#include "base/util.h"

/*
 * Split a tcp: uri the manifest check passed into host (an [IPv6]
 * address without its brackets) and port.  0, or -1 when it does not fit.
 */
int zvm_net_split(const char *uri, char *host, size_t hcap, char *port,
    size_t pcap);

/* The check of a network source (zvm_source_check): a node id needs the
 * manifest's NameServer and Node, a port is 1..65535 (a node id's read
 * channel may leave it empty: any free one), a name must resolve. */
void zvm_net_check(const struct zvm_manifest *, struct zvm_source *,
    struct zvm_diag *);

/* Free what zvm_net_check() gave s (the fds of its ends but the first,
 * which is s->fd). */
void zvm_net_free(struct zvm_source *s);

/*
 * Make the sockets of every network source, ZeroVM's order: bind every
 * read-only channel, ask m's NameServer where the node ids of the
 * write-only ones are (one request for all, lib/net), connect every
 * write-only one (again and again while the peer is not there yet), then
 * take one connection on each bound one; waiting at most m's Timeout in
 * all.  0; -1 with e set; or -2 with e set when the time ran out (a peer
 * or the name server never came).
 */
int zvm_net_open(struct zvm_source *, size_t n, const struct zvm_manifest *m,
    struct zvm_error *e);

#endif
