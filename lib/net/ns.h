/* SPDX-License-Identifier: ISC */
/*
 * ns - ZeroVM's name service, which turns the node ids of tcp:<id>:
 * channels into addresses: the packet codec, the server's state machine
 * (zvm-ns) and the client call a node makes (zvm-run).
 *
 * One UDP datagram each way, every integer big-endian:
 *
 *	u32 node, u32 bind_count, u32 connect_count,
 *	bind_count + connect_count records { u32 host, u16 port }
 *
 * A request lists the node's read channels first, as bind records
 * (peer node id, the port it bound), then its write channels, as connect
 * records (peer node id, 0).  The reply has the request's size and bytes
 * with each connect record replaced by the peer's (IPv4 address, port).
 * This is the format of ZeroVM 1.0's src/channels/nservice.c and of its
 * ns_server.py, byte for byte; the limits are ZeroVM's too.
 *
 * Addresses are struct zvm_ns_addr, IPv4 and port in host byte order
 * (10.0.0.2 is 0x0a000002), so tests need no sockets.  Nothing here
 * prints or exits; failures fill a struct zvm_error (ZVM_E_PACKET for a
 * malformed packet or a request the rules refuse, ZVM_E_TIMEOUT, ZVM_E_SYS).
 */
#ifndef ZVM_NS_H
#define ZVM_NS_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define ZVM_NS_HEADER		12	/* node, bind_count, connect_count */
#define ZVM_NS_RECORD		6	/* host, port */
#define ZVM_NS_MAX_PACKET	65507	/* the largest UDP payload on IPv4 */
/* (65507 - 12) / 6: ZeroVM's MAX_CHANNELS_NUMBER, for the same reason. */
#define ZVM_NS_MAX_RECORDS	10915

/* ZeroVM's client: 3 requests, 1.2 s apart (TIMEOUT 1200000 us). */
#define ZVM_NS_TRIES		3
#define ZVM_NS_INTERVAL_MS	1200

struct zvm_ns_record {
	uint32_t host;	/* a node id; an IPv4 address in a reply's connects */
	uint16_t port;	/* bound port; 0 in a request's connects */
};

struct zvm_ns_packet {
	uint32_t node;		/* the sender, at least 1 */
	uint32_t nbind, nconnect;
	/* nbind bind records, then nconnect connect records.  Owned:
	 * zvm_ns_decode() allocates it, zvm_ns_packet_free() frees it. */
	struct zvm_ns_record *rec;
};

#define ZVM_NS_PACKET_INIT { 0 }

struct zvm_ns_addr {
	uint32_t ip;		/* host byte order */
	uint16_t port;
};

/* "255.255.255.255:65535" and its NUL. */
#define ZVM_NS_ADDRSTRLEN	22

/* "a.b.c.d:port" into buf; returns buf. */
const char *zvm_ns_addr_str(struct zvm_ns_addr, char buf[ZVM_NS_ADDRSTRLEN]);

/* A dotted IPv4 address, four decimal parts, no leading zeros: 0 or -1. */
int zvm_ns_parse_ip(const char *s, uint32_t *ip);

/*
 * A NameServer value, "udp:HOST:PORT" (udp in any case), HOST a dotted
 * IPv4 address and PORT 1..65535.  ZeroVM also took a bare integer for
 * HOST and used it as a raw in_addr word, which means different hosts on
 * machines of different byte order: refused.  0, or -1 with *why set.
 */
int zvm_ns_parse_server(const char *s, struct zvm_ns_addr *, const char **why);

/* Bytes of p on the wire: 12 + 6 * (nbind + nconnect). */
size_t zvm_ns_size(const struct zvm_ns_packet *p);

/*
 * p into buf[0..cap): *len gets the size.  -1 with e set (ZVM_E_VALUE)
 * when p has more than ZVM_NS_MAX_RECORDS records or cap is too small.
 */
int zvm_ns_encode(const struct zvm_ns_packet *p, unsigned char *buf,
    size_t cap, size_t *len, struct zvm_error *e);

/*
 * buf[0..len) into *p, strictly: the 12-byte header, counts whose sum is
 * at most ZVM_NS_MAX_RECORDS, and exactly the records they count, no byte
 * more or less.  On success p->rec is malloc'd (NULL for no records) and
 * the caller frees it with zvm_ns_packet_free(); on -1 (ZVM_E_PACKET or
 * ZVM_E_NOMEM) *p holds nothing to free.
 */
int zvm_ns_decode(struct zvm_ns_packet *p, const unsigned char *buf,
    size_t len, struct zvm_error *e);

void zvm_ns_packet_free(struct zvm_ns_packet *p);

/*
 * What a server accepts beyond the format: node ids of at least 1 (the
 * sender's and every record's, as ZeroVM's Node key) and a bound port in
 * every bind record.  A connect record's port is ignored, as ZeroVM's
 * servers did.  0, or -1 with e set (ZVM_E_PACKET).
 */
int zvm_ns_check_request(const struct zvm_ns_packet *p, struct zvm_error *e);

/*
 * Is buf[0..len) a good reply to req?  Its size is the request's, it
 * decodes, its header and bind records are the request's, and every
 * connect record holds an address and port other than 0.  0 with *reply
 * decoded (free with zvm_ns_packet_free()), or -1 with e set.
 */
int zvm_ns_check_reply(const struct zvm_ns_packet *req,
    const unsigned char *buf, size_t len, struct zvm_ns_packet *reply,
    struct zvm_error *e);

/*
 * The server: zvm_ns_server_take() each datagram, zvm_ns_server_resolve()
 * once it says ZVM_NS_READY, then send every node its reply.
 */
struct zvm_ns_node {
	struct zvm_ns_packet req;	/* the latest request, decoded */
	unsigned char *raw;		/* and as received, len bytes */
	size_t len;
	struct zvm_ns_addr from;	/* its source: the reply goes there */
	struct zvm_ns_addr before;	/* the source of the request before */
	uint32_t to;		/* the local address it came to; 0: unknown */
	unsigned requests;	/* how many were taken from this node */
	unsigned char *reply;	/* len bytes, once resolved */
};

struct zvm_ns_server {
	uint32_t expected;	/* nodes to wait for */
	struct zvm_ns_node *node;	/* in order of first request */
	size_t n, cap;
	uint32_t *byid;		/* indices into node[], by node id */
	int resolved;
};

/* What zvm_ns_server_take() did with a request. */
enum zvm_ns_event {
	ZVM_NS_NEW,	/* a node registered; more are awaited */
	ZVM_NS_AGAIN,	/* a registered node's request replaced its last */
	ZVM_NS_READY,	/* the last awaited node registered: resolve */
	ZVM_NS_RESEND	/* after resolving: the same request; resend */
};

void zvm_ns_server_init(struct zvm_ns_server *, uint32_t expected);
void zvm_ns_server_free(struct zvm_ns_server *);

/*
 * Take the datagram buf[0..len) from `from`, which arrived at local
 * address `to` (0: unknown).  Returns an enum zvm_ns_event with *idx the
 * node's index in s->node[], or -1 with e set and s unchanged: a
 * malformed packet or refused request (ZVM_E_PACKET), a node beyond the
 * expected ones, a changed request after the replies (ZVM_E_VALUE), or
 * ZVM_E_NOMEM.  Once all nodes have registered, a registered node's
 * identical request is ZVM_NS_RESEND and a different one is refused: its
 * peers were already given its old ports.
 */
int zvm_ns_server_take(struct zvm_ns_server *s, const unsigned char *buf,
    size_t len, struct zvm_ns_addr from, uint32_t to, size_t *idx,
    struct zvm_error *e);

/*
 * Compute every node's reply (s->node[i].reply, s->node[i].len bytes,
 * to go to s->node[i].from).  Problems go to d: errors (a connect record
 * naming a node that did not register, or one that has no bind record
 * for the asking node), and warnings (read channels no write channel
 * feeds, write channels sharing a port).  0 when there was no error, or
 * -1 and no reply (ZVM_E_NOMEM included, as an error in d).
 */
int zvm_ns_server_resolve(struct zvm_ns_server *s, struct zvm_diag *d);

/*
 * The node ids that registered nodes name in their records but that did
 * not register, ascending, into a malloc'd *ids (caller frees; NULL when
 * there are none).  Returns their number, or -1 on ENOMEM.
 */
long zvm_ns_server_missing(const struct zvm_ns_server *s, uint32_t **ids);

/*
 * The client: send req to server, resend it every interval_ms without
 * a reply, give up timeout_ms after the first send (0 for either:
 * ZeroVM's ZVM_NS_INTERVAL_MS and ZVM_NS_TRIES of them).  Datagrams from
 * other addresses are not seen (the socket is connected); a refusal
 * (ICMP port unreachable: no server yet) is retried like a silence.
 * Returns 0 with *reply checked by zvm_ns_check_reply() (free with
 * zvm_ns_packet_free()), or -1 with e set: ZVM_E_TIMEOUT, ZVM_E_PACKET
 * (a bad reply), ZVM_E_VALUE (a request that cannot be sent), ZVM_E_SYS.
 * *sent, when not NULL, gets the number of requests sent.
 */
int zvm_ns_resolve(struct zvm_ns_addr server, const struct zvm_ns_packet *req,
    unsigned interval_ms, unsigned timeout_ms, struct zvm_ns_packet *reply,
    unsigned *sent, struct zvm_error *e);

#endif
