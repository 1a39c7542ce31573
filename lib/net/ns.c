/* SPDX-License-Identifier: ISC */
/*
 * ns - the name-service packet: encode, strict decode, the checks a
 * server makes of a request and a client of a reply, and IPv4 addresses
 * as text.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "net/ns.h"

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
wr32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void
wr16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)(v >> 8);
	p[1] = (unsigned char)v;
}

const char *
zvm_ns_addr_str(struct zvm_ns_addr a, char buf[ZVM_NS_ADDRSTRLEN])
{
	snprintf(buf, ZVM_NS_ADDRSTRLEN, "%u.%u.%u.%u:%u", a.ip >> 24,
	    a.ip >> 16 & 255, a.ip >> 8 & 255, a.ip & 255, a.port);
	return buf;
}

int
zvm_ns_parse_ip(const char *s, uint32_t *ip)
{
	struct in_addr in;

	/* glibc's and musl's inet_pton take exactly a.b.c.d in decimal and
	 * refuse leading zeros, which inet_aton would read as octal. */
	if (inet_pton(AF_INET, s, &in) != 1)
		return -1;
	*ip = ntohl(in.s_addr);
	return 0;
}

int
zvm_ns_parse_server(const char *s, struct zvm_ns_addr *a, const char **why)
{
	const char *colon;
	char host[16];
	uint64_t port;
	size_t n;

	if (strncasecmp(s, "udp:", 4) != 0) {
		*why = "expected udp:HOST:PORT (ZeroVM's name server is udp only)";
		return -1;
	}
	s += 4;
	if ((colon = strchr(s, ':')) == NULL) {
		*why = "expected udp:HOST:PORT";
		return -1;
	}
	n = (size_t)(colon - s);
	if (n == 0 || n >= sizeof host || memchr(s, '.', n) == NULL) {
		*why = "HOST must be a dotted IPv4 address";
		return -1;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	if (zvm_ns_parse_ip(host, &a->ip) == -1) {
		*why = "HOST is not a dotted IPv4 address";
		return -1;
	}
	if (zvm_parse_uint(colon + 1, strlen(colon + 1), 65535, &port,
	    why) == -1 || port == 0) {
		*why = "PORT must be a number 1..65535";
		return -1;
	}
	a->port = (uint16_t)port;
	return 0;
}

size_t
zvm_ns_size(const struct zvm_ns_packet *p)
{
	return ZVM_NS_HEADER + ZVM_NS_RECORD * ((size_t)p->nbind + p->nconnect);
}

int
zvm_ns_encode(const struct zvm_ns_packet *p, unsigned char *buf, size_t cap,
    size_t *len, struct zvm_error *e)
{
	uint64_t nrec = (uint64_t)p->nbind + p->nconnect;
	size_t size;

	if (nrec > ZVM_NS_MAX_RECORDS) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "%llu records, more "
		    "than the %d a UDP packet holds", (unsigned long long)nrec,
		    ZVM_NS_MAX_RECORDS);
		return -1;
	}
	size = zvm_ns_size(p);
	if (cap < size) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "a packet of %zu bytes "
		    "does not fit in %zu", size, cap);
		return -1;
	}
	wr32(buf, p->node);
	wr32(buf + 4, p->nbind);
	wr32(buf + 8, p->nconnect);
	for (size_t i = 0; i < nrec; i++) {
		wr32(buf + ZVM_NS_HEADER + ZVM_NS_RECORD * i, p->rec[i].host);
		wr16(buf + ZVM_NS_HEADER + ZVM_NS_RECORD * i + 4,
		    p->rec[i].port);
	}
	*len = size;
	return 0;
}

int
zvm_ns_decode(struct zvm_ns_packet *p, const unsigned char *buf, size_t len,
    struct zvm_error *e)
{
	uint32_t nbind, nconnect;
	uint64_t nrec, want;

	*p = (struct zvm_ns_packet)ZVM_NS_PACKET_INIT;
	if (len < ZVM_NS_HEADER) {
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "packet of %zu byte%s, "
		    "expected at least %d", len, len == 1 ? "" : "s",
		    ZVM_NS_HEADER);
		return -1;
	}
	nbind = rd32(buf + 4);
	nconnect = rd32(buf + 8);
	nrec = (uint64_t)nbind + nconnect;
	if (nrec > ZVM_NS_MAX_RECORDS) {
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "header counts %u bind "
		    "and %u connect records, more than the %d a UDP packet "
		    "holds", nbind, nconnect, ZVM_NS_MAX_RECORDS);
		return -1;
	}
	want = ZVM_NS_HEADER + ZVM_NS_RECORD * nrec;
	if (len != want) {
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "packet of %zu bytes, "
		    "but its header counts %u bind and %u connect records: "
		    "expected %llu bytes", len, nbind, nconnect,
		    (unsigned long long)want);
		return -1;
	}
	if (nrec > 0 && (p->rec = calloc(nrec, sizeof *p->rec)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	p->node = rd32(buf);
	p->nbind = nbind;
	p->nconnect = nconnect;
	for (size_t i = 0; i < nrec; i++) {
		p->rec[i].host = rd32(buf + ZVM_NS_HEADER + ZVM_NS_RECORD * i);
		p->rec[i].port = rd16(buf + ZVM_NS_HEADER + ZVM_NS_RECORD * i +
		    4);
	}
	return 0;
}

void
zvm_ns_packet_free(struct zvm_ns_packet *p)
{
	free(p->rec);
	*p = (struct zvm_ns_packet)ZVM_NS_PACKET_INIT;
}

int
zvm_ns_check_request(const struct zvm_ns_packet *p, struct zvm_error *e)
{
	if (p->node == 0) {
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "request from node 0: "
		    "node ids start at 1");
		return -1;
	}
	for (uint32_t i = 0; i < p->nbind + p->nconnect; i++) {
		int bind = i < p->nbind;
		uint32_t k = bind ? i + 1 : i - p->nbind + 1;

		if (p->rec[i].host == 0) {
			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "node %u: %s "
			    "record %u names node 0: node ids start at 1",
			    p->node, bind ? "bind" : "connect", k);
			return -1;
		}
		if (bind && p->rec[i].port == 0) {
			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "node %u: bind "
			    "record %u (from node %u) has port 0, not a bound "
			    "port", p->node, k, p->rec[i].host);
			return -1;
		}
	}
	return 0;
}

int
zvm_ns_check_reply(const struct zvm_ns_packet *req, const unsigned char *buf,
    size_t len, struct zvm_ns_packet *reply, struct zvm_error *e)
{
	struct zvm_ns_packet r;
	size_t want = zvm_ns_size(req);

	if (len != want) {
		/* ZeroVM: "received parcel size %u is not equal to sent one" */
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "reply of %zu bytes, "
		    "expected %zu (the size of the request)", len, want);
		return -1;
	}
	if (zvm_ns_decode(&r, buf, len, e) == -1) {
		if (e->code == ZVM_E_PACKET) {
			char m[sizeof e->msg + 64];

			snprintf(m, sizeof m, "reply: %s", e->msg);
			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "%s", m);
		}
		return -1;
	}
	if (r.node != req->node || r.nbind != req->nbind ||
	    r.nconnect != req->nconnect) {
		zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "reply header (node "
		    "%u, %u bind, %u connect records) is not the request's "
		    "(node %u, %u, %u)", r.node, r.nbind, r.nconnect, req->node,
		    req->nbind, req->nconnect);
		goto bad;
	}
	for (uint32_t i = 0; i < r.nbind; i++)
		if (r.rec[i].host != req->rec[i].host ||
		    r.rec[i].port != req->rec[i].port) {
			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "reply bind "
			    "record %u is (node %u, port %u), the request's "
			    "was (node %u, port %u)", i + 1, r.rec[i].host,
			    r.rec[i].port, req->rec[i].host, req->rec[i].port);
			goto bad;
		}
	for (uint32_t i = r.nbind; i < r.nbind + r.nconnect; i++)
		if (r.rec[i].host == 0 || r.rec[i].port == 0) {
			char a[ZVM_NS_ADDRSTRLEN];

			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "reply connect "
			    "record %u gives node %u the address %s",
			    i - r.nbind + 1, req->rec[i].host, zvm_ns_addr_str(
			    (struct zvm_ns_addr){ r.rec[i].host, r.rec[i].port },
			    a));
			goto bad;
		}
	*reply = r;
	return 0;
bad:
	zvm_ns_packet_free(&r);
	return -1;
}
