/* SPDX-License-Identifier: ISC */
/*
 * nsserver - the name server's state: register each node's request,
 * and once the expected number of nodes have, give every connect record
 * its peer's address.
 *
 * The matching rule, read from ZeroVM 1.0's ns_server.py (its last
 * version, ce600a3 "netcopy demo can work with multi-nodes") and
 * src/channels/nservice.c:
 *
 *  - Node P's bind record (A, port) says "my read channel from node A
 *    listens on port": the server keeps bind_map[P][A] = port, the last
 *    such record of P winning.
 *  - Node A's connect record (P, 0) says "my write channel to node P":
 *    the reply puts there (the address P's request came from, i.e. the
 *    source address of its UDP packet, bind_map[P][A]).
 *  - A connect record whose peer has no bind record for the asking node
 *    was a KeyError that killed ns_server.py (nobody got a reply).
 *
 * Here that rule, with two changes where ZeroVM's results could not work:
 *
 *  - Several channels between one pair: the k-th connect record of A
 *    naming P (in record order) gets the port of the k-th bind record of
 *    P naming A.  When A has more such connects than P has binds, the
 *    extra ones get the last bind's port (ZeroVM's result for all of
 *    them: several writers on one zmq PULL socket), with a warning.
 *    With at most one channel each way between two nodes this is
 *    exactly ZeroVM's rule; with more, ZeroVM sent every writer to the
 *    last port and the other readers waited forever.
 *  - The address: when P's request came from a loopback address (P runs
 *    on the server's host and sent to 127.0.0.1) and A's did not, A gets
 *    the local address A's own request arrived at, an address of the
 *    host P shares with the server, where P listens: ZeroVM's nodes
 *    bind their read channels on all interfaces (zmq's "*" host).
 *    ZeroVM handed A 127.0.0.1, which is A's own host.
 *
 * A connect record that cannot be resolved is an error and no node gets
 * a reply.  A bind record nobody connects to only warns: ZeroVM's server
 * never looked, and the reading node waits until its Timeout.
 */
#include <stdlib.h>
#include <string.h>

#include "net/ns.h"

/* A record's peer and its index in the packet, sorted by (peer, pos). */
struct key {
	uint32_t peer, pos;
};

static int
keycmp(const void *a, const void *b)
{
	const struct key *x = a, *y = b;

	if (x->peer != y->peer)
		return x->peer < y->peer ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* The first key of v[0..n) with peer >= peer. */
static size_t
lower(const struct key *v, size_t n, uint32_t peer)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].peer < peer)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* How many keys of v[0..n) name peer; *first gets the first of them. */
static size_t
run(const struct key *v, size_t n, uint32_t peer, size_t *first)
{
	size_t i = lower(v, n, peer), j = i;

	while (j < n && v[j].peer == peer)
		j++;
	*first = i;
	return j - i;
}

void
zvm_ns_server_init(struct zvm_ns_server *s, uint32_t expected)
{
	memset(s, 0, sizeof *s);
	s->expected = expected;
}

static void
node_free(struct zvm_ns_node *n)
{
	zvm_ns_packet_free(&n->req);
	free(n->raw);
	free(n->reply);
}

void
zvm_ns_server_free(struct zvm_ns_server *s)
{
	for (size_t i = 0; i < s->n; i++)
		node_free(&s->node[i]);
	free(s->node);
	free(s->byid);
	memset(s, 0, sizeof *s);
}

/* The position in byid[] of node id, or of where it would go. */
static size_t
find(const struct zvm_ns_server *s, uint32_t id, int *found)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		uint32_t m = s->node[s->byid[mid]].req.node;

		if (m == id) {
			*found = 1;
			return mid;
		}
		if (m < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = 0;
	return lo;
}

/* The node with id, or NULL. */
static struct zvm_ns_node *
lookup(const struct zvm_ns_server *s, uint32_t id)
{
	int found;
	size_t at = find(s, id, &found);

	return found ? &s->node[s->byid[at]] : NULL;
}

int
zvm_ns_server_take(struct zvm_ns_server *s, const unsigned char *buf,
    size_t len, struct zvm_ns_addr from, uint32_t to, size_t *idx,
    struct zvm_error *e)
{
	struct zvm_ns_packet p;
	struct zvm_ns_node *n;
	unsigned char *raw = NULL;
	int found;
	size_t at;

	if (zvm_ns_decode(&p, buf, len, e) == -1)
		return -1;
	if (zvm_ns_check_request(&p, e) == -1)
		goto bad;
	at = find(s, p.node, &found);
	if (found) {
		n = &s->node[s->byid[at]];
		if (s->resolved) {
			if (len != n->len || memcmp(buf, n->raw, len) != 0) {
				zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "node "
				    "%u sent a different request after the "
				    "replies went out: its peers have the "
				    "ports of its first", p.node);
				goto bad;
			}
			zvm_ns_packet_free(&p);
			n->before = n->from;
			n->from = from;
			n->to = to;
			n->requests++;
			*idx = (size_t)(n - s->node);
			return ZVM_NS_RESEND;
		}
	} else if (s->n >= s->expected) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "node %u is not one of "
		    "the %u nodes that registered", p.node, s->expected);
		goto bad;
	}
	if ((raw = malloc(len)) == NULL)
		goto nomem;
	memcpy(raw, buf, len);
	if (!found) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct zvm_ns_node *v;
			uint32_t *b;

			if ((v = realloc(s->node, cap * sizeof *v)) == NULL)
				goto nomem;
			s->node = v;
			if ((b = realloc(s->byid, cap * sizeof *b)) == NULL)
				goto nomem;
			s->byid = b;
			s->cap = cap;
		}
		memmove(&s->byid[at + 1], &s->byid[at],
		    (s->n - at) * sizeof *s->byid);
		s->byid[at] = (uint32_t)s->n;
		n = &s->node[s->n++];
		memset(n, 0, sizeof *n);
	} else {
		zvm_ns_packet_free(&n->req);
		free(n->raw);
	}
	n->req = p;
	n->raw = raw;
	n->len = len;
	n->before = found ? n->from : from;
	n->from = from;
	n->to = to;
	n->requests++;
	*idx = (size_t)(n - s->node);
	if (found)
		return ZVM_NS_AGAIN;
	return s->n == s->expected ? ZVM_NS_READY : ZVM_NS_NEW;
nomem:
	zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
bad:
	free(raw);
	zvm_ns_packet_free(&p);
	return -1;
}

static int
loopback(uint32_t ip)
{
	return ip >> 24 == 127;
}

/* The address node a is to use for node p (see the rule above). */
static uint32_t
ip_for(const struct zvm_ns_node *a, const struct zvm_ns_node *p)
{
	if (loopback(p->from.ip) && !loopback(a->from.ip) && a->to != 0)
		return a->to;
	return p->from.ip;
}

/* Keys of the bind (or connect) records of node n, sorted; NULL if none
 * or on ENOMEM (*nomem set). */
static struct key *
keys_of(const struct zvm_ns_node *n, int connects, size_t *count, int *nomem)
{
	uint32_t from = connects ? n->req.nbind : 0;
	uint32_t k = connects ? n->req.nconnect : n->req.nbind;
	struct key *v;

	*count = k;
	if (k == 0)
		return NULL;
	if ((v = malloc(k * sizeof *v)) == NULL) {
		*nomem = 1;
		return NULL;
	}
	for (uint32_t i = 0; i < k; i++) {
		v[i].peer = n->req.rec[from + i].host;
		v[i].pos = from + i;
	}
	qsort(v, k, sizeof *v, keycmp);
	return v;
}

static void
put(unsigned char *p, uint32_t ip, uint16_t port)
{
	p[0] = (unsigned char)(ip >> 24);
	p[1] = (unsigned char)(ip >> 16);
	p[2] = (unsigned char)(ip >> 8);
	p[3] = (unsigned char)ip;
	p[4] = (unsigned char)(port >> 8);
	p[5] = (unsigned char)port;
}

int
zvm_ns_server_resolve(struct zvm_ns_server *s, struct zvm_diag *d)
{
	struct key **bk = NULL, **ck = NULL;
	size_t *nb = NULL, *nc = NULL, errors = d->nerr;
	int nomem = 0;

	if ((bk = calloc(s->n + 1, sizeof *bk)) == NULL ||
	    (ck = calloc(s->n + 1, sizeof *ck)) == NULL ||
	    (nb = calloc(s->n + 1, sizeof *nb)) == NULL ||
	    (nc = calloc(s->n + 1, sizeof *nc)) == NULL)
		goto nomem;
	for (size_t i = 0; i < s->n && !nomem; i++) {
		bk[i] = keys_of(&s->node[i], 0, &nb[i], &nomem);
		ck[i] = keys_of(&s->node[i], 1, &nc[i], &nomem);
		if ((s->node[i].reply = malloc(s->node[i].len)) == NULL)
			nomem = 1;
		else
			memcpy(s->node[i].reply, s->node[i].raw,
			    s->node[i].len);
	}
	if (nomem)
		goto nomem;

	/* Each node's connect records, a run of one peer at a time. */
	for (size_t i = 0; i < s->n; i++) {
		struct zvm_ns_node *a = &s->node[i];

		for (size_t j = 0, m; j < nc[i]; j += m) {
			uint32_t pid = ck[i][j].peer;
			struct zvm_ns_node *p = lookup(s, pid);
			size_t pi, first, nbinds;

			m = run(ck[i], nc[i], pid, &first);
			if (p == NULL) {
				zvm_diag_add(d, 0, ZVM_E_VALUE, NULL, 0, "node %u "
				    "writes to node %u, which did not register",
				    a->req.node, pid);
				continue;
			}
			pi = (size_t)(p - s->node);
			nbinds = run(bk[pi], nb[pi], a->req.node, &first);
			if (nbinds == 0) {
				zvm_diag_add(d, 0, ZVM_E_VALUE, NULL, 0, "node %u "
				    "writes to node %u, which has no read "
				    "channel from node %u", a->req.node, pid,
				    a->req.node);
				continue;
			}
			if (m > nbinds)
				zvm_diag_add(d, 1, ZVM_E_VALUE, NULL, 0, "node %u "
				    "has %zu write channels to node %u, which "
				    "reads from it on %zu: the last %zu share a "
				    "port", a->req.node, m, pid, nbinds,
				    m - nbinds + 1);
			for (size_t k = 0; k < m; k++) {
				const struct key *b = &bk[pi][first +
				    (k < nbinds ? k : nbinds - 1)];

				put(a->reply + ZVM_NS_HEADER + ZVM_NS_RECORD *
				    (size_t)ck[i][j + k].pos, ip_for(a, p),
				    p->req.rec[b->pos].port);
			}
		}
	}

	/* Read channels no write channel comes to. */
	for (size_t i = 0; i < s->n; i++) {
		struct zvm_ns_node *p = &s->node[i];

		for (size_t j = 0, m, first; j < nb[i]; j += m) {
			uint32_t qid = bk[i][j].peer;
			struct zvm_ns_node *q = lookup(s, qid);
			size_t writers = 0;

			m = run(bk[i], nb[i], qid, &first);
			if (q != NULL)
				writers = run(ck[q - s->node], nc[q - s->node],
				    p->req.node, &first);
			if (q == NULL)
				zvm_diag_add(d, 1, ZVM_E_VALUE, NULL, 0, "node %u "
				    "reads from node %u, which did not "
				    "register: nothing will write there",
				    p->req.node, qid);
			else if (writers < m)
				zvm_diag_add(d, 1, ZVM_E_VALUE, NULL, 0, "node %u "
				    "has %zu read channel%s from node %u, which "
				    "writes to it on %zu: %zu will get no "
				    "writer", p->req.node, m, m == 1 ? "" : "s",
				    qid, writers, m - writers);
		}
	}
	goto out;
nomem:
	zvm_diag_add(d, 0, ZVM_E_NOMEM, NULL, 0, "out of memory");
out:
	for (size_t i = 0; i < s->n; i++) {
		if (bk)
			free(bk[i]);
		if (ck)
			free(ck[i]);
	}
	free(bk);
	free(ck);
	free(nb);
	free(nc);
	if (d->nerr > errors) {
		for (size_t i = 0; i < s->n; i++) {
			free(s->node[i].reply);
			s->node[i].reply = NULL;
		}
		return -1;
	}
	s->resolved = 1;
	return 0;
}

static int
idcmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

long
zvm_ns_server_missing(const struct zvm_ns_server *s, uint32_t **ids)
{
	size_t total = 0, n = 0;
	uint32_t *v;

	*ids = NULL;
	for (size_t i = 0; i < s->n; i++)
		total += (size_t)s->node[i].req.nbind + s->node[i].req.nconnect;
	if (total == 0)
		return 0;
	if ((v = malloc(total * sizeof *v)) == NULL)
		return -1;
	for (size_t i = 0; i < s->n; i++) {
		const struct zvm_ns_packet *p = &s->node[i].req;

		for (uint32_t j = 0; j < p->nbind + p->nconnect; j++)
			if (lookup(s, p->rec[j].host) == NULL)
				v[n++] = p->rec[j].host;
	}
	qsort(v, n, sizeof *v, idcmp);
	total = n;
	n = 0;
	for (size_t i = 0; i < total; i++)
		if (n == 0 || v[n - 1] != v[i])
			v[n++] = v[i];
	if (n == 0) {
		free(v);
		return 0;
	}
	*ids = v;
	return (long)n;
}
