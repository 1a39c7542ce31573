/* SPDX-License-Identifier: ISC */
/*
 * test_ns - the name-service packet against bytes written out by hand
 * (ZeroVM's big-endian layout), every way a packet can be short, long or
 * miscounted, the request and reply checks, address parsing, the
 * server's matching rule (rings, several channels between a pair, fan-in,
 * loopback peers, unresolvable records, retries, late changes), and
 * zvm_ns_resolve() against a forked server on loopback: an answer, a
 * retry, a bad reply, silence and refusal.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "net/ns.h"
#include "tap.h"
#include "base/util.h"

#define LO 0x7f000001u		/* 127.0.0.1 */

/* Node 7: bind (node 2, port 0x1234), connect (node 3, 0). */
static const unsigned char req7[] = {
	0, 0, 0, 7, 0, 0, 0, 1, 0, 0, 0, 1,
	0, 0, 0, 2, 0x12, 0x34,
	0, 0, 0, 3, 0, 0,
};

static int
err_has(const struct zvm_error *e, int code, const char *text)
{
	if (e->code == code && strstr(e->msg, text))
		return 1;
	printf("#   code %s, message '%s'\n", zvm_strerror(e->code), e->msg);
	return 0;
}

static void
codec(void)
{
	struct zvm_ns_record rec[2] = { { 2, 0x1234 }, { 3, 0 } };
	struct zvm_ns_packet p = { 7, 1, 1, rec }, q;
	unsigned char buf[64];
	struct zvm_error e;
	size_t len = 0;

	is_int((long long)zvm_ns_size(&p), 24, "size: 12 + 6 a record");
	ok(zvm_ns_encode(&p, buf, sizeof buf, &len, &e) == 0, "encode");
	ok(len == sizeof req7 && memcmp(buf, req7, len) == 0,
	    "encode: big-endian, binds then connects, no padding");
	ok(zvm_ns_encode(&p, buf, 23, &len, &e) == -1 &&
	    err_has(&e, ZVM_E_VALUE, "does not fit"), "encode: buffer short");

	ok(zvm_ns_decode(&q, req7, sizeof req7, &e) == 0, "decode");
	ok(q.node == 7 && q.nbind == 1 && q.nconnect == 1 &&
	    q.rec[0].host == 2 && q.rec[0].port == 0x1234 &&
	    q.rec[1].host == 3 && q.rec[1].port == 0, "decode: fields");
	zvm_ns_packet_free(&q);

	ok(zvm_ns_decode(&q, req7, 12, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "packet of 12 bytes, but its header counts 1 bind "
	    "and 1 connect records: expected 24 bytes"), "decode: records cut");
	ok(zvm_ns_decode(&q, req7, 7, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "packet of 7 bytes, expected at least 12"), "decode: 7 bytes");
	ok(zvm_ns_decode(&q, req7, 1, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "packet of 1 byte, expected"), "decode: 1 byte");
	ok(zvm_ns_decode(&q, req7, 0, &e) == -1 && q.rec == NULL,
	    "decode: empty");
	ok(zvm_ns_decode(&q, req7, 23, &e) == -1, "decode: one byte short");
	memcpy(buf, req7, sizeof req7);
	buf[sizeof req7] = 0;
	ok(zvm_ns_decode(&q, buf, 25, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "packet of 25 bytes"), "decode: one byte more");

	/* Counts whose 32-bit sum wraps to 0 must not pass as 12 bytes. */
	static const unsigned char wrap[] = { 0, 0, 0, 1, 0x80, 0, 0, 0,
	    0x80, 0, 0, 0 };
	ok(zvm_ns_decode(&q, wrap, sizeof wrap, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "more than the 10915"), "decode: counts that wrap");
	static const unsigned char many[] = { 0, 0, 0, 1, 0, 0, 0x2a, 0xa4,
	    0, 0, 0, 0 };	/* 10916 binds */
	ok(zvm_ns_decode(&q, many, sizeof many, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "10916 bind and 0 connect"), "decode: 10916 records");

	/* The largest packet: 10915 records, 65502 bytes. */
	unsigned char *big = calloc(1, ZVM_NS_MAX_PACKET);
	big[3] = 1;
	big[10] = 0x2a;
	big[11] = 0xa3;
	ok(zvm_ns_decode(&q, big, 12 + 6 * 10915, &e) == 0 &&
	    q.nconnect == 10915, "decode: 10915 records");
	zvm_ns_packet_free(&q);
	free(big);

	static const unsigned char none[12] = { 0, 0, 0, 9 };
	ok(zvm_ns_decode(&q, none, 12, &e) == 0 && q.node == 9 &&
	    q.rec == NULL, "decode: no records");
	struct zvm_ns_packet huge = { 1, ZVM_NS_MAX_RECORDS, 1, NULL };
	ok(zvm_ns_encode(&huge, buf, sizeof buf, &len, &e) == -1 &&
	    err_has(&e, ZVM_E_VALUE, "10916 records"), "encode: too many");
}

static void
checks(void)
{
	struct zvm_ns_record rec[2] = { { 2, 4000 }, { 3, 0 } };
	struct zvm_ns_packet p = { 7, 1, 1, rec }, r;
	unsigned char buf[64];
	struct zvm_error e;
	size_t len;

	ok(zvm_ns_check_request(&p, &e) == 0, "request: good");
	p.node = 0;
	ok(zvm_ns_check_request(&p, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "node 0"), "request: node 0");
	p.node = 7;
	rec[0].port = 0;
	ok(zvm_ns_check_request(&p, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "bind record 1 (from node 2) has port 0"), "request: bind port 0");
	rec[0].port = 4000;
	rec[1].host = 0;
	ok(zvm_ns_check_request(&p, &e) == -1 && err_has(&e, ZVM_E_PACKET,
	    "connect record 1 names node 0"), "request: peer 0");
	rec[1].host = 3;
	rec[1].port = 99;
	ok(zvm_ns_check_request(&p, &e) == 0,
	    "request: a connect record's port is ignored");
	rec[1].port = 0;

	/* A reply: the request with (10.0.0.3, 5000) in the connect. */
	zvm_ns_encode(&p, buf, sizeof buf, &len, &e);
	memcpy(buf + 18, "\x0a\x00\x00\x03\x13\x88", 6);
	ok(zvm_ns_check_reply(&p, buf, len, &r, &e) == 0 &&
	    r.rec[1].host == 0x0a000003 && r.rec[1].port == 5000,
	    "reply: good, host order address");
	zvm_ns_packet_free(&r);
	ok(zvm_ns_check_reply(&p, buf, len - 6, &r, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "reply of 18 bytes, expected 24"), "reply: short");
	buf[3] = 8;
	ok(zvm_ns_check_reply(&p, buf, len, &r, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "node 8"), "reply: another node's");
	buf[3] = 7;
	buf[17] = 1;
	ok(zvm_ns_check_reply(&p, buf, len, &r, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "reply bind record 1 is (node 2, port 3841)"),
	    "reply: bind record not echoed");
	buf[17] = 0xa0;
	memset(buf + 18, 0, 6);
	ok(zvm_ns_check_reply(&p, buf, len, &r, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "gives node 3 the address 0.0.0.0:0"),
	    "reply: connect left unresolved");
	/* The same size with other counts. */
	memcpy(buf, "\0\0\0\x07\0\0\0\x02\0\0\0\0", 12);
	ok(zvm_ns_check_reply(&p, buf, len, &r, &e) == -1 && err_has(&e,
	    ZVM_E_PACKET, "2 bind, 0 connect"), "reply: counts differ");
}

static void
addresses(void)
{
	struct zvm_ns_addr a = { 0 };
	char s[ZVM_NS_ADDRSTRLEN];
	const char *why;
	uint32_t ip;

	is_str(zvm_ns_addr_str((struct zvm_ns_addr){ 0xffffffff, 65535 }, s),
	    "255.255.255.255:65535", "addr_str: the longest");
	ok(zvm_ns_parse_ip("10.0.0.2", &ip) == 0 && ip == 0x0a000002,
	    "parse_ip");
	ok(zvm_ns_parse_ip("010.0.0.2", &ip) == -1, "parse_ip: leading 0");
	ok(zvm_ns_parse_ip("10.0.2", &ip) == -1, "parse_ip: three parts");
	ok(zvm_ns_parse_ip("10.0.0.256", &ip) == -1, "parse_ip: 256");
	ok(zvm_ns_parse_ip("167772162", &ip) == -1, "parse_ip: integer");
	ok(zvm_ns_parse_server("UDP:127.0.0.1:5000", &a, &why) == 0 &&
	    a.ip == LO && a.port == 5000, "parse_server");
	ok(zvm_ns_parse_server("tcp:127.0.0.1:5000", &a, &why) == -1 &&
	    strstr(why, "udp only"), "parse_server: tcp");
	ok(zvm_ns_parse_server("udp:2130706433:5000", &a, &why) == -1 &&
	    strstr(why, "dotted"), "parse_server: integer host");
	ok(zvm_ns_parse_server("udp:127.0.0.1:0", &a, &why) == -1,
	    "parse_server: port 0");
	ok(zvm_ns_parse_server("udp:127.0.0.1:65536", &a, &why) == -1,
	    "parse_server: port 65536");
	ok(zvm_ns_parse_server("udp:127.0.0.1", &a, &why) == -1,
	    "parse_server: no port");
}

/* A request of node id: nb binds (peer, port) then nc connects (peer). */
static size_t
mkreq(unsigned char *buf, uint32_t id, const uint32_t *binds, size_t nb,
    const uint32_t *conns, size_t nc)
{
	struct zvm_ns_record rec[16];
	struct zvm_ns_packet p = { id, (uint32_t)nb, (uint32_t)nc, rec };
	struct zvm_error e;
	size_t len = 0;

	for (size_t i = 0; i < nb; i++)
		rec[i] = (struct zvm_ns_record){ binds[2 * i],
		    (uint16_t)binds[2 * i + 1] };
	for (size_t i = 0; i < nc; i++)
		rec[nb + i] = (struct zvm_ns_record){ conns[i], 0 };
	zvm_ns_encode(&p, buf, 256, &len, &e);
	return len;
}

static int
take(struct zvm_ns_server *s, const unsigned char *b, size_t len,
    uint32_t ip, uint16_t port, uint32_t to, size_t *idx)
{
	struct zvm_error e;
	int r = zvm_ns_server_take(s, b, len, (struct zvm_ns_addr){ ip, port },
	    to, idx, &e);

	if (r == -1)
		printf("#   take: %s\n", e.msg);
	return r;
}

/* The address in connect record k (0-based) of node i's reply. */
static const char *
answer(const struct zvm_ns_server *s, size_t i, uint32_t k)
{
	static char out[ZVM_NS_ADDRSTRLEN];
	const struct zvm_ns_node *n = &s->node[i];
	const unsigned char *p;

	if (n->reply == NULL)
		return "(none)";
	p = n->reply + ZVM_NS_HEADER + ZVM_NS_RECORD * (size_t)(n->req.nbind +
	    k);
	return zvm_ns_addr_str((struct zvm_ns_addr){ (uint32_t)p[0] << 24 |
	    (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3],
	    (uint16_t)(p[4] << 8 | p[5]) }, out);
}

static void
ring(void)
{
	struct zvm_ns_server s;
	struct zvm_diag d = ZVM_DIAG_INIT;
	unsigned char b1[256], b2[256], b3[256], x[256];
	size_t l1, l2, l3, lx, i = 99;
	struct zvm_error e;

	/* 1 -> 2 -> 3 -> 1, each on its own host. */
	l1 = mkreq(b1, 1, (uint32_t[]){ 3, 4001 }, 1, (uint32_t[]){ 2 }, 1);
	l2 = mkreq(b2, 2, (uint32_t[]){ 1, 4002 }, 1, (uint32_t[]){ 3 }, 1);
	l3 = mkreq(b3, 3, (uint32_t[]){ 2, 4003 }, 1, (uint32_t[]){ 1 }, 1);
	zvm_ns_server_init(&s, 3);
	is_int(take(&s, b2, l2, 0x0a000002, 900, 0, &i), ZVM_NS_NEW,
	    "ring: node 2 registers");
	is_int((long long)i, 0, "ring: its index");
	ok(zvm_ns_server_take(&s, b1, 7, (struct zvm_ns_addr){ 1, 1 }, 0, &i,
	    &e) == -1 && s.n == 1, "ring: a short packet changes nothing");
	is_int(take(&s, b1, l1, 0x0a000001, 901, 0, &i), ZVM_NS_NEW,
	    "ring: node 1 registers");

	uint32_t *ids;
	long nm = zvm_ns_server_missing(&s, &ids);
	ok(nm == 1 && ids[0] == 3, "ring: node 3 is named and missing");
	free(ids);

	/* A retry from a new port replaces the request and the address. */
	is_int(take(&s, b2, l2, 0x0a000002, 950, 0, &i), ZVM_NS_AGAIN,
	    "ring: node 2 again");
	ok(s.node[0].from.port == 950 && s.node[0].before.port == 900 &&
	    s.node[0].requests == 2, "ring: the later source wins");
	is_int(take(&s, b3, l3, 0x0a000003, 902, 0, &i), ZVM_NS_READY,
	    "ring: node 3 completes the set");
	lx = mkreq(x, 4, NULL, 0, NULL, 0);
	ok(zvm_ns_server_take(&s, x, lx, (struct zvm_ns_addr){ 1, 1 }, 0, &i,
	    &e) == -1 && err_has(&e, ZVM_E_VALUE, "node 4 is not one of the "
	    "3"), "ring: a fourth node is refused");

	is_int(zvm_ns_server_resolve(&s, &d), 0, "ring: resolves");
	is_int((long long)d.n, 0, "ring: no warning");
	/* s.node[]: 2, 1, 3 in order of registration. */
	is_str(answer(&s, 1, 0), "10.0.0.2:4002", "ring: 1 writes to 2");
	is_str(answer(&s, 0, 0), "10.0.0.3:4003", "ring: 2 writes to 3");
	is_str(answer(&s, 2, 0), "10.0.0.1:4001", "ring: 3 writes to 1");
	ok(memcmp(s.node[1].reply, b1, 18) == 0,
	    "ring: header and bind record echoed");

	is_int(take(&s, b3, l3, 0x0a000003, 902, 0, &i), ZVM_NS_RESEND,
	    "ring: a retry after the replies is resent");
	is_int((long long)i, 2, "ring: resent to node 3");
	b3[17] ^= 1;
	ok(zvm_ns_server_take(&s, b3, l3, (struct zvm_ns_addr){ 0x0a000003,
	    902 }, 0, &i, &e) == -1 && err_has(&e, ZVM_E_VALUE, "different "
	    "request after the replies"), "ring: a changed request is refused");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);
}

static void
pairs(void)
{
	struct zvm_ns_server s;
	struct zvm_diag d = ZVM_DIAG_INIT;
	unsigned char b1[256], b2[256];
	size_t l1, l2, i;

	/* Node 1 reads twice from node 2 and writes twice to it; node 2
	 * the same, its records in another order. */
	l1 = mkreq(b1, 1, (uint32_t[]){ 2, 5001, 2, 5002 }, 2,
	    (uint32_t[]){ 2, 2 }, 2);
	l2 = mkreq(b2, 2, (uint32_t[]){ 1, 6001, 1, 6002 }, 2,
	    (uint32_t[]){ 1, 1 }, 2);
	zvm_ns_server_init(&s, 2);
	take(&s, b1, l1, LO, 1000, LO, &i);
	take(&s, b2, l2, LO, 1001, LO, &i);
	is_int(zvm_ns_server_resolve(&s, &d), 0, "pairs: resolve");
	is_str(answer(&s, 0, 0), "127.0.0.1:6001", "pairs: first to first");
	is_str(answer(&s, 0, 1), "127.0.0.1:6002", "pairs: second to second");
	is_str(answer(&s, 1, 0), "127.0.0.1:5001", "pairs: back, first");
	is_str(answer(&s, 1, 1), "127.0.0.1:5002", "pairs: back, second");
	is_int((long long)d.n, 0, "pairs: no warning");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);

	/* Fan-in: node 1 writes twice to node 2, which reads once. */
	l1 = mkreq(b1, 1, NULL, 0, (uint32_t[]){ 2, 2 }, 2);
	l2 = mkreq(b2, 2, (uint32_t[]){ 1, 6001 }, 1, NULL, 0);
	zvm_ns_server_init(&s, 2);
	take(&s, b1, l1, LO, 1000, LO, &i);
	take(&s, b2, l2, LO, 1001, LO, &i);
	is_int(zvm_ns_server_resolve(&s, &d), 0, "fan-in: resolves");
	ok(strcmp(answer(&s, 0, 0), "127.0.0.1:6001") == 0 &&
	    strcmp(answer(&s, 0, 1), "127.0.0.1:6001") == 0,
	    "fan-in: both writers get the one port (ZeroVM's rule)");
	ok(d.n == 1 && d.nerr == 0 && strstr(d.v[0].msg, "node 1 has 2 "
	    "write channels to node 2, which reads from it on 1"),
	    "fan-in: a warning");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);

	/* The last bind record for the asker wins over no record at all;
	 * a read channel nobody writes to warns. */
	l1 = mkreq(b1, 1, (uint32_t[]){ 2, 5001 }, 1, NULL, 0);
	l2 = mkreq(b2, 2, (uint32_t[]){ 3, 6001 }, 1, NULL, 0);
	zvm_ns_server_init(&s, 2);
	take(&s, b1, l1, LO, 1000, LO, &i);
	take(&s, b2, l2, LO, 1001, LO, &i);
	is_int(zvm_ns_server_resolve(&s, &d), 0, "dangling: resolves");
	ok(d.n == 2 && d.nerr == 0 && strstr(d.v[0].msg, "node 1 has 1 read "
	    "channel from node 2, which writes to it on 0") &&
	    strstr(d.v[1].msg, "node 2 reads from node 3, which did not "
	    "register"), "dangling: two warnings");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);
}

static void
unresolvable(void)
{
	struct zvm_ns_server s;
	struct zvm_diag d = ZVM_DIAG_INIT;
	unsigned char b1[256], b2[256];
	size_t l1, l2, i;

	l1 = mkreq(b1, 1, NULL, 0, (uint32_t[]){ 2, 5 }, 2);
	l2 = mkreq(b2, 2, (uint32_t[]){ 7, 6001 }, 1, NULL, 0);
	zvm_ns_server_init(&s, 2);
	take(&s, b1, l1, LO, 1000, LO, &i);
	take(&s, b2, l2, LO, 1001, LO, &i);
	is_int(zvm_ns_server_resolve(&s, &d), -1, "unresolvable: fails");
	is_int((long long)d.nerr, 2, "unresolvable: two errors");
	ok(d.n >= 2 && strstr(d.v[0].msg, "node 1 writes to node 2, which "
	    "has no read channel from node 1") && strstr(d.v[1].msg,
	    "node 1 writes to node 5, which did not register"),
	    "unresolvable: both named");
	ok(s.node[0].reply == NULL && s.node[1].reply == NULL && !s.resolved,
	    "unresolvable: no reply at all");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);
}

static void
loopback(void)
{
	struct zvm_ns_server s;
	struct zvm_diag d = ZVM_DIAG_INIT;
	unsigned char b1[256], b2[256];
	size_t l1, l2, i;

	/* Node 1 runs beside the server and came over 127.0.0.1; node 2
	 * came from 10.0.0.2 to the server's 10.0.0.1. */
	l1 = mkreq(b1, 1, (uint32_t[]){ 2, 5001 }, 1, (uint32_t[]){ 2 }, 1);
	l2 = mkreq(b2, 2, (uint32_t[]){ 1, 6001 }, 1, (uint32_t[]){ 1 }, 1);
	zvm_ns_server_init(&s, 2);
	take(&s, b1, l1, LO, 1000, LO, &i);
	take(&s, b2, l2, 0x0a000002, 1001, 0x0a000001, &i);
	is_int(zvm_ns_server_resolve(&s, &d), 0, "loopback: resolves");
	is_str(answer(&s, 1, 0), "10.0.0.1:5001",
	    "loopback: a remote node gets the server's address");
	is_str(answer(&s, 0, 0), "10.0.0.2:6001",
	    "loopback: the local node gets the remote one's");
	zvm_ns_server_free(&s);
	zvm_diag_free(&d);
}

/* A loopback UDP socket on a free port; *port gets it. */
static int
udp(uint16_t *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(LO) };
	socklen_t n = sizeof sa;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1 || bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1 ||
	    getsockname(fd, (struct sockaddr *)&sa, &n) == -1) {
		perror("udp socket");
		exit(2);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/*
 * A one-node server in a child: skip the first `drop` requests, then
 * answer with the state machine, or with `bad` bytes when given.
 */
static pid_t
server(int fd, int drop, const char *bad)
{
	pid_t pid = fork();

	if (pid != 0) {
		close(fd);
		return pid;
	}
	for (;;) {
		unsigned char buf[ZVM_NS_MAX_PACKET];
		struct sockaddr_in from;
		socklen_t fl = sizeof from;
		struct zvm_ns_server s;
		struct zvm_diag d = ZVM_DIAG_INIT;
		struct zvm_error e;
		ssize_t n = recvfrom(fd, buf, sizeof buf, 0,
		    (struct sockaddr *)&from, &fl);
		size_t i;

		if (n < 0 || drop-- > 0)
			continue;
		if (bad) {
			sendto(fd, bad, strlen(bad), 0,
			    (struct sockaddr *)&from, fl);
			continue;
		}
		zvm_ns_server_init(&s, 1);
		if (zvm_ns_server_take(&s, buf, (size_t)n, (struct zvm_ns_addr){
		    ntohl(from.sin_addr.s_addr), ntohs(from.sin_port) }, 0, &i,
		    &e) == ZVM_NS_READY && zvm_ns_server_resolve(&s, &d) == 0)
			sendto(fd, s.node[0].reply, s.node[0].len, 0,
			    (struct sockaddr *)&from, fl);
		zvm_ns_server_free(&s);
		zvm_diag_free(&d);
	}
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void
client(void)
{
	/* Node 1 reads from and writes to itself: (1, 4444), (1, 0). */
	struct zvm_ns_record rec[2] = { { 1, 4444 }, { 1, 0 } };
	struct zvm_ns_packet req = { 1, 1, 1, rec }, r = ZVM_NS_PACKET_INIT;
	struct zvm_error e;
	unsigned sent = 0;
	uint16_t port;
	pid_t pid;
	int fd;

	fd = udp(&port);
	pid = server(fd, 0, NULL);
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &req, 1000, 5000,
	    &r, &sent, &e) == 0 && sent == 1, "resolve: one request");
	ok(r.nconnect == 1 && r.rec[1].host == LO && r.rec[1].port == 4444,
	    "resolve: the peer's address");
	zvm_ns_packet_free(&r);
	stop(pid);

	fd = udp(&port);
	pid = server(fd, 2, NULL);
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &req, 50, 2000,
	    &r, &sent, &e) == 0 && sent >= 3,
	    "resolve: answered on the third request");
	zvm_ns_packet_free(&r);
	stop(pid);

	fd = udp(&port);
	pid = server(fd, 0, "short!!");
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &req, 50, 2000,
	    &r, &sent, &e) == -1 && err_has(&e, ZVM_E_PACKET, "reply of 7 "
	    "bytes, expected 24"), "resolve: a bad reply fails");
	stop(pid);

	/* Silence: a socket nobody reads. */
	fd = udp(&port);
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &req, 50, 220,
	    &r, &sent, &e) == -1 && err_has(&e, ZVM_E_TIMEOUT, "no reply "
	    "from name server 127.0.0.1:") && strstr(e.msg, "in 0.220 s") &&
	    sent >= 2 && sent <= 5, "resolve: timeout, requests resent");
	close(fd);

	/* Refusal: the port is closed again. */
	fd = udp(&port);
	close(fd);
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &req, 50, 200,
	    &r, &sent, &e) == -1 && err_has(&e, ZVM_E_TIMEOUT, "refused"),
	    "resolve: refused, retried, then timeout");

	struct zvm_ns_packet toomany = { 1, ZVM_NS_MAX_RECORDS + 1, 0, NULL };
	ok(zvm_ns_resolve((struct zvm_ns_addr){ LO, port }, &toomany, 50,
	    200, &r, &sent, &e) == -1 && err_has(&e, ZVM_E_VALUE, "records") &&
	    sent == 0, "resolve: an oversized request is not sent");
}

int
main(void)
{
	codec();
	checks();
	addresses();
	ring();
	pairs();
	unresolvable();
	loopback();
	client();
	return done_testing();
}
