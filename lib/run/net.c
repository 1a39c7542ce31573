/* SPDX-License-Identifier: ISC */
/*
 * net - tcp: channels.  The wire is a plain TCP byte stream (nc or socat
 * can be either end); the end-to-end check ZeroVM made in band is each
 * side's etag in its report.  Sockets are made before the program
 * starts, in ZeroVM's order, so a job whose nodes read from each other
 * in a ring cannot deadlock: every node binds first, a connect completes
 * into the peer's backlog without waiting for its accept, and only then
 * does each node take its connections.  A refused or unreachable peer is
 * tried again every 100 ms until the time is up.
 */
#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "net/ns.h"
#include "run/net.h"

#define RETRY_MS	100

int
zvm_net_split(const char *uri, char *host, size_t hcap, char *port,
    size_t pcap)
{
	const char *h = uri + 4, *colon = strrchr(h, ':');
	size_t hn;

	if (colon == NULL)
		return -1;
	hn = (size_t)(colon - h);
	if (hn >= 2 && h[0] == '[' && h[hn - 1] == ']') {
		h++;
		hn -= 2;
	}
	if (hn >= hcap || strlen(colon + 1) >= pcap)
		return -1;
	memcpy(host, h, hn);
	host[hn] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

static int
resolve(const char *host, const char *port, int passive,
    struct addrinfo **res)
{
	struct addrinfo hints;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0);
	return getaddrinfo(host, port, &hints, res);
}

/* Check one end of c (its uri part u); node ids set e->node. */
static void
check_end(const struct zvm_manifest *m, const struct zvm_source *s,
    struct zvm_netend *ne, struct zvm_diag *d)
{
	const struct zvm_channel *c = s->c;
	char host[300], port[16];
	struct addrinfo *ai;
	unsigned long p;
	char *end;
	int r;

	if (zvm_net_split(ne->uri, host, sizeof(host), port, sizeof(port)) ==
	    -1) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: expected tcp:host:port", c->alias,
		    ne->uri);
		return;
	}
	if (zvm_all_digits(host)) {
		struct zvm_ns_addr ns;
		const char *why;

		if (m->value[ZVM_K_NAMESERVER] == NULL ||
		    m->value[ZVM_K_NODE] == NULL)
			zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
			    "Channel %s: %s: a node id needs the NameServer and "
			    "Node keys", c->alias, ne->uri);
		else if (zvm_ns_parse_server(m->value[ZVM_K_NAMESERVER], &ns,
		    &why) == -1)
			zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
			    m->line[m->keyidx[ZVM_K_NAMESERVER]].lineno,
			    "NameServer: %s", why);
		else if (*port && (strtoul(port, &end, 10) > 65535 || *end))
			zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
			    "Channel %s: %s: the port must be 1 to 65535",
			    c->alias, ne->uri);
		ne->node = (uint32_t)strtoul(host, NULL, 10);
		return;
	}
	p = strtoul(port, &end, 10);
	if (*port == '\0' || *end != '\0' || p < 1 || p > 65535) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: the port must be 1 to 65535", c->alias,
		    ne->uri);
		return;
	}
	if ((r = resolve(host, port, s->acc == ZVM_ACC_READ, &ai)) != 0) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: %s", c->alias, ne->uri, gai_strerror(r));
		return;
	}
	freeaddrinfo(ai);
}

void
zvm_net_check(const struct zvm_manifest *m, struct zvm_source *s,
    struct zvm_diag *d)
{
	const char *u = s->c->uri;
	size_t n = 1;

	s->kind = ZVM_SRC_FIFO;
	s->net = 1;
	s->fd = -1;
	for (const char *p = u; (p = strchr(p, ';')) != NULL; p++)
		n++;
	if ((s->ends = calloc(n, sizeof(*s->ends))) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *e = strchr(u, ';');
		size_t len = e ? (size_t)(e - u) : strlen(u);

		s->ends[i].fd = -1;
		if ((s->ends[i].uri = strndup(u, len)) == NULL) {
			zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0,
			    "out of memory");
			return;
		}
		s->nends++;
		check_end(m, s, &s->ends[i], d);
		u = e ? e + 1 : u + len;
	}
}

void
zvm_net_free(struct zvm_source *s)
{
	for (size_t i = 0; i < s->nends; i++) {
		if (i > 0 && s->ends[i].fd >= 0)
			close(s->ends[i].fd);
		free(s->ends[i].uri);
	}
	free(s->ends);
	s->ends = NULL;
	s->nends = 0;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
fail(struct zvm_error *e, const char *manifest, const struct zvm_source *s,
    const struct zvm_netend *ne, const char *what, int err)
{
	zvm_error_set(e, ZVM_E_SYS, manifest, s->c->line, "Channel %s: %s: %s",
	    s->c->alias, ne->uri, what);
	e->sys_errno = err;
	return -1;
}

/* The addresses of s's uri, to bind (passive) or to connect to: 0, or -1
 * with e set. */
static int
addresses(const struct zvm_source *s, const struct zvm_netend *ne,
    int passive, struct addrinfo **ai, const char *manifest,
    struct zvm_error *e)
{
	char host[300], port[16];
	int r;

	if (zvm_net_split(ne->uri, host, sizeof(host), port, sizeof(port)) ==
	    -1)
		return fail(e, manifest, s, ne, "bad uri", EINVAL);
	if ((r = resolve(host, port, passive, ai)) != 0) {
		zvm_error_set(e, ZVM_E_CHANNEL, manifest, s->c->line,
		    "Channel %s: %s: %s", s->c->alias, ne->uri,
		    gai_strerror(r));
		return -1;
	}
	return 0;
}

/* The one TCP address ip:port (host byte order) as an addrinfo list,
 * in ai and sin: ai. */
static struct addrinfo *
inet_ai(struct addrinfo *ai, struct sockaddr_in *sin, uint32_t ip,
    uint16_t port)
{
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(ip);
	sin->sin_port = htons(port);
	memset(ai, 0, sizeof(*ai));
	ai->ai_family = AF_INET;
	ai->ai_socktype = SOCK_STREAM;
	ai->ai_addr = (struct sockaddr *)sin;
	ai->ai_addrlen = sizeof(*sin);
	return ai;
}

/* A read-only channel: bound and listening, in its end's fd. */
static int
bind_one(struct zvm_source *s, const char *manifest, struct zvm_error *e)
{
	struct zvm_netend *ne = &s->ends[0];
	struct addrinfo *ai, *a, any;
	struct sockaddr_in sin;
	int fd = -1, one = 1, err = 0;

	if (ne->node) {
		/* A node's read channel: every address, the uri's port or
		 * any free one, which the name server hands on. */
		char host[300], port[16];

		(void)zvm_net_split(ne->uri, host, sizeof(host), port,
		    sizeof(port));
		ai = inet_ai(&any, &sin, 0, (uint16_t)strtoul(port, NULL, 10));
	} else if (addresses(s, ne, 1, &ai, manifest, e) == -1)
		return -1;
	for (a = ai; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, a->ai_protocol);
		if (fd == -1) {
			err = errno;
			continue;
		}
		(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
		    sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 &&
		    listen(fd, 1) == 0)
			break;
		err = errno;
		close(fd);
		fd = -1;
	}
	if (ai != &any)
		freeaddrinfo(ai);
	if (fd == -1)
		return fail(e, manifest, s, ne, "bind", err);
	ne->fd = fd;
	return 0;
}

/* One try at connecting: the fd, -1 with *err set when the peer is not
 * there (yet), -2 with *err for anything else. */
static int
try_connect(const struct addrinfo *ai, uint64_t left, int *err)
{
	for (const struct addrinfo *a = ai; a; a = a->ai_next) {
		struct pollfd p;
		socklen_t len = sizeof(*err);
		int fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC |
		    SOCK_NONBLOCK, a->ai_protocol);

		if (fd == -1) {
			*err = errno;
			return -2;
		}
		if (connect(fd, a->ai_addr, a->ai_addrlen) == 0)
			return fd;
		*err = errno;
		if (errno == EINPROGRESS) {
			p.fd = fd;
			p.events = POLLOUT;
			p.revents = 0;
			if (poll(&p, 1, left > 1000 ? 1000 : (int)left) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) ==
			    0 && *err == 0)
				return fd;
			if (*err == EINPROGRESS)
				*err = ETIMEDOUT;
		}
		close(fd);
		switch (*err) {
		case ECONNREFUSED: case ETIMEDOUT: case ENETUNREACH:
		case EHOSTUNREACH: case ECONNRESET: case ECONNABORTED:
			continue;
		}
		return -2;
	}
	return -1;
}

/* A write-only channel: connected to ai, in s->fd, or -2 past the
 * deadline. */
static int
connect_to(struct zvm_source *s, struct zvm_netend *ne,
    const struct addrinfo *ai, uint64_t deadline, uint64_t timeout,
    const char *manifest, struct zvm_error *e)
{
	char why[128];
	int fd, err = ETIMEDOUT;

	for (;;) {
		uint64_t t = now_ms();

		if (t >= deadline)
			break;
		if ((fd = try_connect(ai, deadline - t, &err)) >= 0) {
			ne->fd = fd;
			return 0;
		}
		if (fd == -2)
			return fail(e, manifest, s, ne, "connect", err);
		t = now_ms();
		if (t < deadline) {
			struct timespec ts = { 0, 1000000L * (long)(deadline -
			    t < RETRY_MS ? deadline - t : RETRY_MS) };

			nanosleep(&ts, NULL);
		}
	}
	snprintf(why, sizeof(why), "no peer to connect to within the Timeout "
	    "(%llu s)", (unsigned long long)timeout);
	return fail(e, manifest, s, ne, why, err), -2;
}

/* A write-only channel to a host or address: resolved, connected. */
static int
connect_one(struct zvm_source *s, struct zvm_netend *ne, uint64_t deadline,
    uint64_t timeout, const char *manifest, struct zvm_error *e)
{
	struct addrinfo *ai;
	int r;

	if (addresses(s, ne, 0, &ai, manifest, e) == -1)
		return -1;
	r = connect_to(s, ne, ai, deadline, timeout, manifest, e);
	freeaddrinfo(ai);
	return r;
}

/* A write-only channel to a node, at the address the name server gave. */
static int
connect_node(struct zvm_source *s, struct zvm_netend *ne, uint64_t deadline,
    uint64_t timeout, const char *manifest, struct zvm_error *e)
{
	struct sockaddr_in sin;
	struct addrinfo ai;

	return connect_to(s, ne, inet_ai(&ai, &sin, ne->peer.ip,
	    ne->peer.port), deadline, timeout, manifest, e);
}

/*
 * Ask the name server where the node ids of the write-only channels are:
 * one request, this node's read channels as bind records (peer id, the
 * port bound), its write channels as connect records (peer id, 0), each
 * in manifest order; the reply's connect records, in the same order, are
 * the peers' addresses.  0, -1 or -2 (no answer in time), e set.
 */
static int
ask_names(struct zvm_source *s, size_t n, const struct zvm_manifest *m,
    uint64_t deadline, struct zvm_error *e)
{
	struct zvm_ns_packet req = ZVM_NS_PACKET_INIT, rep = ZVM_NS_PACKET_INIT;
	struct zvm_ns_addr ns;
	const char *why;
	size_t k = 0;
	uint64_t t;
	int rc = -1;

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; s[i].net && j < s[i].nends; j++)
			k += s[i].ends[j].node != 0;
	if (k == 0)
		return 0;
	if (zvm_ns_parse_server(m->value[ZVM_K_NAMESERVER], &ns, &why) == -1) {
		zvm_error_set(e, ZVM_E_VALUE, m->name, 0, "NameServer: %s", why);
		return -1;
	}
	if ((req.rec = calloc(k, sizeof(*req.rec))) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	req.node = (uint32_t)m->node;
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; s[i].net && j < s[i].nends; j++) {
				struct zvm_netend *ne = &s[i].ends[j];
				struct sockaddr_storage ss;
				socklen_t len = sizeof(ss);
				uint16_t port = 0;

				if (!ne->node || (s[i].acc == ZVM_ACC_READ) !=
				    (pass == 0))
					continue;
				if (pass == 0 && getsockname(ne->fd,
				    (struct sockaddr *)&ss, &len) == 0)
					port = ntohs(((struct sockaddr_in *)
					    &ss)->sin_port);
				req.rec[req.nbind + req.nconnect].host =
				    ne->node;
				req.rec[req.nbind + req.nconnect].port = port;
				if (pass == 0)
					req.nbind++;
				else
					req.nconnect++;
			}
	t = now_ms();
	if (zvm_ns_resolve(ns, &req, 0, t < deadline ? (unsigned)(deadline -
	    t) : 1, &rep, NULL, e) == 0) {
		size_t c = rep.nbind;

		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; s[i].net && j < s[i].nends; j++) {
				struct zvm_netend *ne = &s[i].ends[j];

				if (!ne->node || s[i].acc != ZVM_ACC_WRITE)
					continue;
				ne->peer.ip = rep.rec[c].host;
				ne->peer.port = rep.rec[c++].port;
			}
		rc = 0;
	} else {
		char msg[512];

		/* Say where: the manifest's NameServer line. */
		zvm_error_fmt(e, msg, sizeof(msg));
		rc = e->code == ZVM_E_TIMEOUT ? -2 : -1;
		zvm_error_set(e, e->code == ZVM_E_SYS ? ZVM_E_CHANNEL : e->code,
		    m->name, m->line[m->keyidx[ZVM_K_NAMESERVER]].lineno,
		    "NameServer %s: %s", m->value[ZVM_K_NAMESERVER], msg);
	}
	zvm_ns_packet_free(&req);
	zvm_ns_packet_free(&rep);
	return rc;
}

/* Take the one connection of each bound channel, all at once. */
static int
accept_all(struct zvm_source *s, size_t n, uint64_t deadline,
    uint64_t timeout, const char *manifest, struct zvm_error *e)
{
	struct pollfd *p = calloc(n ? n : 1, sizeof(*p));
	size_t *idx = calloc(n ? n : 1, sizeof(*idx));
	size_t k = 0, waiting;
	int rc = -1;

	if (p == NULL || idx == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (s[i].net && s[i].acc == ZVM_ACC_READ) {
			p[k].fd = s[i].ends[0].fd;
			p[k].events = POLLIN;
			idx[k++] = i;
		}
	for (waiting = k; waiting > 0;) {
		uint64_t t = now_ms();
		int r;

		if (t >= deadline)
			break;
		r = poll(p, k, deadline - t > 1000 ? 1000 : (int)(deadline - t));
		if (r < 0 && errno != EINTR) {
			fail(e, manifest, &s[idx[0]], &s[idx[0]].ends[0],
			    "poll", errno);
			goto out;
		}
		for (size_t j = 0; r > 0 && j < k; j++) {
			struct zvm_source *sj = &s[idx[j]];
			int c;

			if (p[j].fd < 0 || !(p[j].revents & POLLIN))
				continue;
			c = accept4(sj->ends[0].fd, NULL, NULL, SOCK_CLOEXEC |
			    SOCK_NONBLOCK);
			if (c == -1) {
				if (errno == EAGAIN || errno == ECONNABORTED ||
				    errno == EINTR)
					continue;
				fail(e, manifest, sj, &sj->ends[0], "accept",
				    errno);
				goto out;
			}
			/* One connection: the listener goes. */
			close(sj->ends[0].fd);
			sj->ends[0].fd = c;
			p[j].fd = -1;
			waiting--;
		}
	}
	if (waiting == 0) {
		rc = 0;
		goto out;
	}
	for (size_t j = 0; j < k; j++)
		if (p[j].fd >= 0) {
			zvm_error_set(e, ZVM_E_CHANNEL, manifest,
			    s[idx[j]].c->line, "Channel %s: %s: no peer "
			    "connected within the Timeout (%llu s)",
			    s[idx[j]].c->alias, s[idx[j]].c->uri,
			    (unsigned long long)timeout);
			rc = -2;
			break;
		}
out:
	free(p);
	free(idx);
	return rc;
}

int
zvm_net_open(struct zvm_source *s, size_t n, const struct zvm_manifest *m,
    struct zvm_error *e)
{
	uint64_t timeout = m->timeout, deadline = now_ms() + timeout * 1000;
	const char *manifest = m->name;
	int r;

	for (size_t i = 0; i < n; i++)
		if (s[i].net && s[i].acc == ZVM_ACC_READ &&
		    bind_one(&s[i], manifest, e) == -1)
			return -1;
	if ((r = ask_names(s, n, m, deadline, e)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; s[i].net && s[i].acc == ZVM_ACC_WRITE &&
		    j < s[i].nends; j++) {
			struct zvm_netend *ne = &s[i].ends[j];

			if ((r = (ne->node ? connect_node : connect_one)(&s[i],
			    ne, deadline, timeout, manifest, e)) < 0)
				return r;
		}
	if ((r = accept_all(s, n, deadline, timeout, manifest, e)) < 0)
		return r;
	for (size_t i = 0; i < n; i++)
		if (s[i].net) {
			s[i].fd = s[i].ends[0].fd;
			s[i].nonblock = 1;
			s[i].kind = ZVM_SRC_FIFO;
		}
	return 0;
}
