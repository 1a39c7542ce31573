/* SPDX-License-Identifier: ISC */
/*
 * nsclient - a node's one exchange with the name server: send the
 * request, resend it while no reply comes, check the reply.  ZeroVM sent
 * 3 times, 1.2 s apart (SO_RCVTIMEO); here the two times are parameters,
 * since a job whose nodes start minutes apart needs a longer wait.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "net/ns.h"

static int64_t
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int
zvm_ns_resolve(struct zvm_ns_addr server, const struct zvm_ns_packet *req,
    unsigned interval_ms, unsigned timeout_ms, struct zvm_ns_packet *reply,
    unsigned *sent, struct zvm_error *e)
{
	unsigned char *out = NULL, *in = NULL;
	struct sockaddr_in sa = { .sin_family = AF_INET };
	char where[ZVM_NS_ADDRSTRLEN];
	size_t len;
	int64_t start, deadline, next;
	unsigned nsent = 0;
	int fd = -1, refused = 0, rc = -1;

	if (interval_ms == 0)
		interval_ms = ZVM_NS_INTERVAL_MS;
	if (timeout_ms == 0)
		timeout_ms = ZVM_NS_TRIES * interval_ms;
	zvm_ns_addr_str(server, where);
	if ((out = malloc(zvm_ns_size(req))) == NULL ||
	    (in = malloc(ZVM_NS_MAX_PACKET + 1)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		goto out;
	}
	if (zvm_ns_encode(req, out, zvm_ns_size(req), &len, e) == -1)
		goto out;
	sa.sin_addr.s_addr = htonl(server.ip);
	sa.sin_port = htons(server.port);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof sa) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "name server %s", where);
		goto out;
	}
	start = now_ms();
	deadline = start + timeout_ms;
	next = start;
	for (;;) {
		int64_t t = now_ms(), wake;
		struct pollfd pfd = { fd, POLLIN, 0 };
		ssize_t n;

		if (t >= next && t < deadline) {
			if (send(fd, out, len, 0) == (ssize_t)len)
				nsent++;
			else if (errno == ECONNREFUSED)
				refused = 1;	/* an earlier send's ICMP */
			else if (errno != EINTR && errno != EAGAIN &&
			    errno != ENOBUFS) {
				zvm_error_set(e, ZVM_E_SYS, NULL, 0, "name "
				    "server %s: send", where);
				goto out;
			}
			next = t + interval_ms;
		}
		if (t >= deadline)
			break;
		wake = next < deadline ? next : deadline;
		if (poll(&pfd, 1, (int)(wake - t)) == -1) {
			if (errno == EINTR)
				continue;
			zvm_error_set(e, ZVM_E_SYS, NULL, 0, "poll");
			goto out;
		}
		if (!(pfd.revents & (POLLIN | POLLERR)))
			continue;
		n = recv(fd, in, ZVM_NS_MAX_PACKET + 1, MSG_TRUNC |
		    MSG_DONTWAIT);
		if (n == -1) {
			if (errno == ECONNREFUSED)
				refused = 1;
			else if (errno != EINTR && errno != EAGAIN) {
				zvm_error_set(e, ZVM_E_SYS, NULL, 0, "name "
				    "server %s: receive", where);
				goto out;
			}
			continue;
		}
		refused = 0;
		if ((size_t)n > ZVM_NS_MAX_PACKET) {
			zvm_error_set(e, ZVM_E_PACKET, NULL, 0, "name server "
			    "%s: reply of %zd bytes, expected %zu (the size of "
			    "the request)", where, n, len);
			goto out;
		}
		if (zvm_ns_check_reply(req, in, (size_t)n, reply, e) == -1) {
			char m[sizeof e->msg + 64];

			snprintf(m, sizeof m, "name server %s: %s", where,
			    e->msg);
			zvm_error_set(e, e->code, NULL, 0, "%s", m);
			goto out;
		}
		rc = 0;
		goto out;
	}
	zvm_error_set(e, ZVM_E_TIMEOUT, NULL, 0, "no reply from name server "
	    "%s in %u.%03u s (%u request%s sent)%s", where, timeout_ms / 1000,
	    timeout_ms % 1000, nsent, nsent == 1 ? "" : "s", refused ?
	    ": refused, no name server listens there" : "");
out:
	if (sent)
		*sent = nsent;
	if (fd != -1)
		close(fd);
	free(out);
	free(in);
	return rc;
}
