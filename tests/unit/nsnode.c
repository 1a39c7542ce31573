/* SPDX-License-Identifier: ISC */
/*
 * nsnode - a fake cluster node for tests/zvm-ns.bats: sends one request
 * through zvm_ns_resolve() and prints the reply's connect records, one
 * "PEER IP:PORT" line each.
 *
 *	nsnode [-i MS] [-t MS] IP:PORT NODE [b:PEER:PORT | c:PEER]...
 *
 * b: is a bind record (a read channel from PEER bound on PORT), c: a
 * connect record (a write channel to PEER); binds go first in the packet
 * whatever the order given.  Exit 0, 1 with the library's message, 124
 * on a timeout, 2 on bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "net/ns.h"

static uint32_t
num(const char *s, uint64_t max)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_uint(s, strlen(s), max, &v, &why) == -1) {
		fprintf(stderr, "nsnode: '%s': %s\n", s, why);
		exit(2);
	}
	return (uint32_t)v;
}

int
main(int argc, char *argv[])
{
	struct zvm_ns_packet req = ZVM_NS_PACKET_INIT, rep;
	struct zvm_ns_addr server;
	struct zvm_error e;
	unsigned interval = 0, timeout = 0, sent;
	char name[32], *colon;
	int ch, n;

	while ((ch = getopt(argc, argv, "i:t:")) != -1)
		switch (ch) {
		case 'i':
			interval = num(optarg, 100000);
			break;
		case 't':
			timeout = num(optarg, 1000000);
			break;
		default:
			return 2;
		}
	argc -= optind;
	argv += optind;
	if (argc < 2 || (colon = strrchr(argv[0], ':')) == NULL) {
		fprintf(stderr, "usage: nsnode [-i MS] [-t MS] IP:PORT NODE "
		    "[b:PEER:PORT | c:PEER]...\n");
		return 2;
	}
	snprintf(name, sizeof name, "udp:%s", argv[0]);
	if (zvm_ns_parse_server(name, &server, (const char **)&colon) == -1) {
		fprintf(stderr, "nsnode: %s: %s\n", argv[0], colon);
		return 2;
	}
	req.node = num(argv[1], UINT32_MAX);
	n = argc - 2;
	if ((req.rec = calloc((size_t)n + 1, sizeof *req.rec)) == NULL)
		return 1;
	for (int pass = 0; pass < 2; pass++)
		for (int i = 0; i < n; i++) {
			char *a = argv[2 + i], *p;

			if (pass == 0 && strncmp(a, "b:", 2) == 0) {
				if ((p = strchr(a + 2, ':')) == NULL)
					return 2;
				*p = '\0';
				req.rec[req.nbind].host = num(a + 2, UINT32_MAX);
				req.rec[req.nbind++].port = (uint16_t)num(p + 1,
				    65535);
			} else if (pass == 1 && strncmp(a, "c:", 2) == 0) {
				req.rec[req.nbind + req.nconnect++].host =
				    num(a + 2, UINT32_MAX);
			} else if (strncmp(a, "b:", 2) != 0 &&
			    strncmp(a, "c:", 2) != 0) {
				fprintf(stderr, "nsnode: '%s': expected "
				    "b:PEER:PORT or c:PEER\n", a);
				return 2;
			}
		}
	if (zvm_ns_resolve(server, &req, interval, timeout, &rep, &sent,
	    &e) == -1) {
		fprintf(stderr, "nsnode: node %u: %s\n", req.node, e.msg);
		free(req.rec);
		return e.code == ZVM_E_TIMEOUT ? 124 : 1;
	}
	for (uint32_t i = rep.nbind; i < rep.nbind + rep.nconnect; i++) {
		char a[ZVM_NS_ADDRSTRLEN];

		printf("%u %s\n", req.rec[i].host, zvm_ns_addr_str(
		    (struct zvm_ns_addr){ rep.rec[i].host, rep.rec[i].port },
		    a));
	}
	zvm_ns_packet_free(&rep);
	free(req.rec);
	return zvm_close_stdout() == -1;
}
