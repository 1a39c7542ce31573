/* SPDX-License-Identifier: ISC */
/*
 * ns_fuzzer - datagrams through the name server's state machine.  The
 * input: one byte for the number of nodes awaited (1 + b % 8), then
 * datagrams, each a 2-byte big-endian length (cut to what is left), a
 * byte choosing the source (loopback or 10.0.0.x, and the port), and the
 * bytes.  Oracles: a datagram decodes exactly when it is at least 12
 * bytes, counts at most 10915 records and is exactly as long as they
 * need, and then encodes back to the same bytes; a refused datagram
 * leaves the server as it was; when the last node registers and
 * zvm_ns_server_resolve() succeeds, every reply is one the client's
 * zvm_ns_check_reply() accepts against its node's request; when it
 * fails, it reported an error and no node has a reply; after the
 * replies, only a byte-identical request is answered again.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "net/ns.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* The codec alone, with its oracle. */
static void
codec(const uint8_t *b, size_t n)
{
	struct zvm_ns_packet p;
	struct zvm_error e;
	unsigned char *out;
	uint64_t nrec;
	size_t len;
	int good;

	nrec = n >= 12 ? (uint64_t)rd32(b + 4) + rd32(b + 8) : 0;
	good = n >= 12 && nrec <= ZVM_NS_MAX_RECORDS && n == 12 + 6 * nrec;
	if ((zvm_ns_decode(&p, b, n, &e) == 0) != good)
		abort();
	if (!good) {
		if (e.code != ZVM_E_PACKET || e.msg[0] == '\0' || p.rec)
			abort();
		return;
	}
	if ((out = malloc(n)) == NULL)
		abort();
	if (zvm_ns_encode(&p, out, n, &len, &e) != 0 || len != n ||
	    memcmp(out, b, n) != 0)
		abort();
	free(out);
	zvm_ns_packet_free(&p);
}

static void
replies_ok(const struct zvm_ns_server *s)
{
	for (size_t i = 0; i < s->n; i++) {
		const struct zvm_ns_node *n = &s->node[i];
		struct zvm_ns_packet r;
		struct zvm_error e;

		if (n->reply == NULL ||
		    zvm_ns_check_reply(&n->req, n->reply, n->len, &r, &e) != 0)
			abort();
		zvm_ns_packet_free(&r);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_ns_server s;
	size_t off = 1;

	if (size < 1)
		return 0;
	zvm_ns_server_init(&s, 1 + data[0] % 8);
	while (off + 3 <= size) {
		size_t len = (size_t)data[off] << 8 | data[off + 1];
		uint8_t src = data[off + 2];
		struct zvm_ns_addr from = { src & 1 ? 0x7f000001u :
		    0x0a000000u | ((src >> 1 & 7) + 1), (uint16_t)(1000 + src) };
		uint32_t to = src & 1 ? 0x7f000001u : 0x0a0000feu;
		size_t n0 = s.n, idx = SIZE_MAX;
		int resolved = s.resolved, r;
		struct zvm_error e;

		off += 3;
		if (len > size - off)
			len = size - off;
		codec(data + off, len);
		r = zvm_ns_server_take(&s, data + off, len, from, to, &idx, &e);
		if (r == -1) {
			if (s.n != n0 || e.msg[0] == '\0')
				abort();
		} else if (r < ZVM_NS_NEW || r > ZVM_NS_RESEND || idx >= s.n ||
		    (r == ZVM_NS_RESEND) != resolved ||
		    (r == ZVM_NS_NEW || r == ZVM_NS_READY) != (s.n == n0 + 1) ||
		    (r == ZVM_NS_READY) != (s.n == s.expected && !resolved)) {
			abort();
		} else if (r == ZVM_NS_RESEND) {
			if (s.node[idx].len != len ||
			    memcmp(s.node[idx].raw, data + off, len) != 0)
				abort();
		} else if (r == ZVM_NS_READY) {
			struct zvm_diag d = ZVM_DIAG_INIT;

			if (zvm_ns_server_resolve(&s, &d) == 0)
				replies_ok(&s);
			else if (d.nerr == 0 || s.resolved)
				abort();
			else
				for (size_t i = 0; i < s.n; i++)
					if (s.node[i].reply)
						abort();
			zvm_diag_free(&d);
			if (!s.resolved)
				break;
		}
		off += len;
	}
	uint32_t *ids;
	long nm = zvm_ns_server_missing(&s, &ids);
	for (long i = 1; i < nm; i++)
		if (ids[i - 1] >= ids[i])
			abort();
	free(ids);
	zvm_ns_server_free(&s);
	return 0;
}
