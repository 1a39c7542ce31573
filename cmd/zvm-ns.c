/* SPDX-License-Identifier: ISC */
/*
 * zvm-ns - ZeroVM's name server for one cluster job.  Binds a UDP port,
 * prints it on stdout (then closes stdout, so $(zvm-ns ... &) returns),
 * takes one request from each of NODES nodes, sends every node its peers'
 * addresses, answers retries for a little longer, and exits.  The packet
 * and the matching rule are lib/net/ns.h's and nsserver.c's, which speak
 * ZeroVM's format byte for byte.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/atomic.h"
#include "base/util.h"
#include "net/ns.h"

/* Missing node ids a timeout message lists before it says "and N more". */
#define SHOW_MISSING 20

static int fd = -1, verbose;
static unsigned long ignored, requests;

static void
usage(FILE *out, int status)
{
	fputs("usage: zvm-ns [-hVv] [-b ADDR] [-l SECONDS] [-P FILE] "
	    "[-p PORT] [-t SECONDS] NODES\n", out);
	if (out == stdout)
		fputs("Serve ZeroVM's name service to NODES nodes, then exit.\n"
		    "  -b, --bind=ADDR        listen on IPv4 address ADDR "
		    "(default 0.0.0.0: all)\n"
		    "  -h, --help             print this help and exit\n"
		    "  -l, --linger=SECONDS   answer retries SECONDS after "
		    "the replies (default 2)\n"
		    "  -P, --port-file=FILE   write the port to FILE, "
		    "atomically, once listening\n"
		    "  -p, --port=PORT        listen on UDP port PORT "
		    "(default 0: a free one)\n"
		    "  -t, --timeout=SECONDS  give up after SECONDS without "
		    "all nodes (default 60;\n"
		    "                         0: never)\n"
		    "  -V, --version          print the version and exit\n"
		    "  -v, --verbose          report requests and replies on "
		    "stderr\n"
		    "The port is printed on stdout, which is then closed.  "
		    "See zvm-ns(1).\n", out);
	exit(status);
}

static uint64_t
number(const char *opt, const char *s, uint64_t max)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_uint(s, strlen(s), max, &v, &why) == -1) {
		warnx("%s '%s': %s", opt, s, why);
		usage(stderr, ZVM_EXIT_USAGE);
	}
	return v;
}

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static const char *
str(struct zvm_ns_addr a, char buf[ZVM_NS_ADDRSTRLEN])
{
	return zvm_ns_addr_str(a, buf);
}

/* One datagram into buf; its source and the local address it came to. */
static ssize_t
receive(unsigned char *buf, size_t cap, struct zvm_ns_addr *from,
    uint32_t *to)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} c;
	struct sockaddr_in sa;
	struct iovec iov = { buf, cap };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof sa,
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = c.b,
	    .msg_controllen = sizeof c.b };
	struct cmsghdr *h;
	ssize_t n;

	if ((n = recvmsg(fd, &m, MSG_TRUNC | MSG_DONTWAIT)) == -1) {
		/* ICMP errors about earlier replies land here too. */
		if (errno != EAGAIN && errno != EINTR && errno != ECONNREFUSED &&
		    errno != EHOSTUNREACH && errno != ENETUNREACH)
			err(ZVM_EXIT_OSERR, "receive");
		return -1;
	}
	from->ip = ntohl(sa.sin_addr.s_addr);
	from->port = ntohs(sa.sin_port);
	*to = 0;
	for (h = CMSG_FIRSTHDR(&m); h; h = CMSG_NXTHDR(&m, h))
		if (h->cmsg_level == IPPROTO_IP && h->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(h), sizeof pi);
			*to = ntohl(pi.ipi_spec_dst.s_addr);
		}
	return n;
}

/* Send node n its reply, from the address its request came to. */
static void
send_reply(const struct zvm_ns_node *n)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct in_pktinfo))];
	} c;
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons(n->from.port),
	    .sin_addr.s_addr = htonl(n->from.ip) };
	struct iovec iov = { n->reply, n->len };
	struct msghdr m = { .msg_name = &sa, .msg_namelen = sizeof sa,
	    .msg_iov = &iov, .msg_iovlen = 1 };
	char a[ZVM_NS_ADDRSTRLEN];

	if (n->to != 0) {
		struct in_pktinfo pi = { .ipi_spec_dst.s_addr = htonl(n->to) };
		struct cmsghdr *h;

		memset(&c, 0, sizeof c);
		m.msg_control = c.b;
		m.msg_controllen = sizeof c.b;
		h = CMSG_FIRSTHDR(&m);
		h->cmsg_level = IPPROTO_IP;
		h->cmsg_type = IP_PKTINFO;
		h->cmsg_len = CMSG_LEN(sizeof pi);
		memcpy(CMSG_DATA(h), &pi, sizeof pi);
	}
	/* A reply lost here is resent when the node asks again. */
	if (sendmsg(fd, &m, 0) != (ssize_t)n->len)
		warn("node %u: reply to %s", n->req.node, str(n->from, a));
}

/* With -v, the addresses node n was given. */
static void
show_reply(const struct zvm_ns_node *n)
{
	const unsigned char *r = n->reply + ZVM_NS_HEADER;
	char a[ZVM_NS_ADDRSTRLEN];

	for (uint32_t i = n->req.nbind; i < n->req.nbind + n->req.nconnect;
	    i++) {
		const unsigned char *p = r + ZVM_NS_RECORD * (size_t)i;
		struct zvm_ns_addr to = {
			(uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
			    (uint32_t)p[2] << 8 | p[3],
			(uint16_t)(p[4] << 8 | p[5]) };

		warnx("node %u: node %u is at %s", n->req.node,
		    n->req.rec[i].host, str(to, a));
	}
}

/*
 * Take datagrams until the last awaited node registers (1) or the
 * deadline in ms passes (0; -1: none).  Bad ones are reported, counted
 * and dropped; the server goes on.
 */
static int
serve(struct zvm_ns_server *s, int64_t deadline)
{
	static unsigned char buf[ZVM_NS_MAX_PACKET + 1];
	char a[ZVM_NS_ADDRSTRLEN], b[ZVM_NS_ADDRSTRLEN];

	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		struct zvm_ns_addr from;
		struct zvm_ns_node *n;
		struct zvm_error e;
		int64_t wait = -1;
		uint32_t to;
		ssize_t len;
		size_t i;
		int r;

		if (deadline >= 0 && (wait = deadline - now_ms()) <= 0)
			return 0;
		if (poll(&pfd, 1, wait > 1000000 ? 1000000 : (int)wait) == -1) {
			if (errno == EINTR)
				continue;
			err(ZVM_EXIT_OSERR, "poll");
		}
		if (!(pfd.revents & (POLLIN | POLLERR)) ||
		    (len = receive(buf, sizeof buf, &from, &to)) == -1)
			continue;
		if ((size_t)len > ZVM_NS_MAX_PACKET) {
			warnx("from %s: packet of %zd bytes, more than a UDP "
			    "packet holds", str(from, a), len);
			ignored++;
			continue;
		}
		r = zvm_ns_server_take(s, buf, (size_t)len, from, to, &i, &e);
		if (r == -1) {
			if (e.code == ZVM_E_NOMEM)
				errx(ZVM_EXIT_OSERR, "out of memory");
			warnx("from %s: %s; ignored", str(from, a), e.msg);
			ignored++;
			continue;
		}
		requests++;
		n = &s->node[i];
		switch (r) {
		case ZVM_NS_NEW:
		case ZVM_NS_READY:
			if (verbose)
				warnx("from %s: node %u: %u bind, %u connect "
				    "record%s (%zu of %u nodes)", str(from, a),
				    n->req.node, n->req.nbind, n->req.nconnect,
				    n->req.nconnect == 1 ? "" : "s", s->n,
				    s->expected);
			if (r == ZVM_NS_READY)
				return 1;
			break;
		case ZVM_NS_AGAIN:
			if (n->before.ip != from.ip ||
			    n->before.port != from.port)
				warnx("from %s: node %u again, last from %s: "
				    "two nodes with one id?  The later request "
				    "replaces the earlier", str(from, a),
				    n->req.node, str(n->before, b));
			else if (verbose)
				warnx("from %s: node %u again: the request "
				    "replaces its last", str(from, a),
				    n->req.node);
			break;
		case ZVM_NS_RESEND:
			if (verbose)
				warnx("from %s: node %u again: reply resent",
				    str(from, a), n->req.node);
			send_reply(n);
			break;
		}
	}
}

/*
 * "; missing: nodes 2, 5 and 1 more that no registered node names" for a
 * timeout message: the ids registered nodes name but that never came.
 */
static void
missing_text(const struct zvm_ns_server *s, struct zvm_buf *out)
{
	uint32_t *ids;
	long n = zvm_ns_server_missing(s, &ids);
	size_t unnamed, left = s->expected - s->n;

	if (n < 0)
		errx(ZVM_EXIT_OSERR, "out of memory");
	unnamed = (size_t)n < left ? left - (size_t)n : 0;
	if (s->n == 0)
		return;
	zvm_buf_adds(out, "; missing: ");
	if (n > 0)
		zvm_buf_adds(out, n == 1 ? "node " : "nodes ");
	for (long i = 0; i < n && i < SHOW_MISSING; i++)
		zvm_buf_printf(out, "%s%u", i ? ", " : "", ids[i]);
	if (n > SHOW_MISSING)
		zvm_buf_printf(out, " and %ld more", n - SHOW_MISSING);
	if (unnamed && n > 0)
		zvm_buf_printf(out, " and %zu more that no registered node "
		    "names", unnamed);
	else if (unnamed)
		zvm_buf_printf(out, "%zu node%s that no registered node "
		    "names", unnamed, unnamed == 1 ? "" : "s");
	free(ids);
}

static void __attribute__((noreturn))
timed_out(const struct zvm_ns_server *s, uint64_t timeout)
{
	struct zvm_buf msg = ZVM_BUF_INIT;

	zvm_buf_printf(&msg, "timeout after %llu s: %zu of %u nodes "
	    "registered", (unsigned long long)timeout, s->n, s->expected);
	for (size_t i = 0; i < s->n && i < SHOW_MISSING; i++)
		zvm_buf_printf(&msg, "%s%u", i ? ", " : " (",
		    s->node[s->byid[i]].req.node);
	if (s->n > SHOW_MISSING)
		zvm_buf_printf(&msg, " and %zu more", s->n - SHOW_MISSING);
	if (s->n)
		zvm_buf_adds(&msg, ")");
	missing_text(s, &msg);
	if (ignored)
		zvm_buf_printf(&msg, "; %lu packet%s ignored", ignored,
		    ignored == 1 ? "" : "s");
	zvm_buf_addc(&msg, '\0');
	if (msg.oom)
		errx(ZVM_EXIT_TIMEOUT, "timeout after %llu s",
		    (unsigned long long)timeout);
	errx(ZVM_EXIT_TIMEOUT, "%s", msg.p);
}

/* Bind the socket; returns the address it got. */
static struct zvm_ns_addr
listen_on(uint32_t ip, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
	    .sin_port = htons(port), .sin_addr.s_addr = htonl(ip) };
	socklen_t salen = sizeof sa;
	char a[ZVM_NS_ADDRSTRLEN];
	int on = 1;

	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		err(ZVM_EXIT_OSERR, "socket");
	/* The local address of each request, to answer from it and to
	 * hand out for nodes that came over loopback. */
	if (setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on) == -1)
		err(ZVM_EXIT_OSERR, "IP_PKTINFO");
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == -1)
		err(ZVM_EXIT_OSERR, "bind %s", str((struct zvm_ns_addr){ ip,
		    port }, a));
	if (getsockname(fd, (struct sockaddr *)&sa, &salen) == -1)
		err(ZVM_EXIT_OSERR, "getsockname");
	return (struct zvm_ns_addr){ ntohl(sa.sin_addr.s_addr),
	    ntohs(sa.sin_port) };
}

/* The port on stdout, then stdout closed and /dev/null in its place. */
static void
announce(uint16_t port, const char *portfile)
{
	char line[16];
	struct zvm_error e;
	int null;

	snprintf(line, sizeof line, "%u\n", port);
	if (portfile && zvm_replace_file(portfile, portfile, "zvm-ns", line,
	    strlen(line), NULL, &e) == -1) {
		char buf[512];

		errx(ZVM_EXIT_IOERR, "%s", zvm_error_fmt(&e, buf, sizeof buf));
	}
	if (fputs(line, stdout) == EOF || zvm_close_stdout() == -1)
		err(ZVM_EXIT_IOERR, "<stdout>");
	if ((null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		err(ZVM_EXIT_OSERR, "/dev/null");
	if (null != STDOUT_FILENO) {
		dup2(null, STDOUT_FILENO);
		close(null);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "bind", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "linger", required_argument, NULL, 'l' },
		{ "port", required_argument, NULL, 'p' },
		{ "port-file", required_argument, NULL, 'P' },
		{ "timeout", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct zvm_ns_server s;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_ns_addr at;
	const char *portfile = NULL;
	uint64_t timeout = 60, linger = 2, port = 0, nodes;
	uint32_t ip = INADDR_ANY;
	char a[ZVM_NS_ADDRSTRLEN], buf[512];
	int ch, bad;

	while ((ch = getopt_long(argc, argv, "b:hl:P:p:t:Vv", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'b':
			if (zvm_ns_parse_ip(optarg, &ip) == -1) {
				warnx("-b '%s': not a dotted IPv4 address",
				    optarg);
				usage(stderr, ZVM_EXIT_USAGE);
			}
			break;
		case 'h':
			usage(stdout, ZVM_EXIT_OK);
			break;
		case 'l':
			linger = number("-l", optarg, 86400);
			break;
		case 'P':
			portfile = optarg;
			break;
		case 'p':
			port = number("-p", optarg, 65535);
			break;
		case 't':
			timeout = number("-t", optarg, 86400 * 365);
			break;
		case 'V':
			printf("zvm-ns (zvm) %s\n", ZVM_VERSION);
			return zvm_close_stdout() ? ZVM_EXIT_IOERR : 0;
		case 'v':
			verbose = 1;
			break;
		default:
			usage(stderr, ZVM_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc != 1) {
		warnx(argc ? "one operand, NODES, expected" :
		    "NODES, the number of nodes, is missing");
		usage(stderr, ZVM_EXIT_USAGE);
	}
	if ((nodes = number("NODES", argv[0], UINT32_MAX)) == 0) {
		warnx("NODES '%s': at least one node is needed", argv[0]);
		usage(stderr, ZVM_EXIT_USAGE);
	}

	at = listen_on(ip, (uint16_t)port);
	announce(at.port, portfile);
	if (verbose)
		warnx("listening on %s for %llu node%s", str(at, a),
		    (unsigned long long)nodes, nodes == 1 ? "" : "s");
	zvm_ns_server_init(&s, (uint32_t)nodes);
	if (!serve(&s, timeout ? now_ms() + (int64_t)timeout * 1000 : -1))
		timed_out(&s, timeout);

	bad = zvm_ns_server_resolve(&s, &d) == -1;
	for (size_t i = 0; i < d.n; i++)
		warnx("%s%s", d.v[i].warning ? "warning: " : "",
		    zvm_error_fmt(&d.v[i], buf, sizeof buf));
	zvm_diag_free(&d);
	if (bad)
		errx(ZVM_EXIT_DATAERR, "the requests cannot be resolved: no "
		    "node was answered");
	for (size_t i = 0; i < s.n; i++) {
		if (verbose)
			show_reply(&s.node[i]);
		send_reply(&s.node[i]);
	}
	if (verbose)
		warnx("replied to all %zu nodes%s", s.n, linger ?
		    "; answering retries" : "");
	if (linger)
		serve(&s, now_ms() + (int64_t)linger * 1000);
	if (verbose)
		warnx("done: %zu nodes, %lu requests, %lu packet%s ignored",
		    s.n, requests, ignored, ignored == 1 ? "" : "s");
	zvm_ns_server_free(&s);
	close(fd);
	return ZVM_EXIT_OK;
}
