/* SPDX-License-Identifier: ISC */
/*
 * quotaprop - the randomized quota property test.  "gen SEED N DIR" (run
 * natively) draws N read channels and N write channels with random quotas
 * and input sizes, writes the inputs and the outputs a correct sandbox
 * must produce, and prints the Channel lines.  "run SEED N" (sandboxed)
 * replays the same random call sequences (read, readv, write, writev of
 * random sizes, zeros included) and checks every return value, errno and
 * byte read against the model: calls and bytes charged as done, the
 * crossing transfer cut, then EDQUOT; 0 at the end of a file, for free.
 */
#include <fcntl.h>
#include <stdint.h>
#include <sys/uio.h>

#include "check.h"

static uint64_t rs;

static uint64_t
rnd(uint64_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs % n;
}

struct chan {
	uint64_t gets, get_size, puts, put_size, insize;
	uint64_t ucalls, ubytes, pos;	/* model state */
};

static unsigned char
inbyte(int i, uint64_t k)
{
	return (unsigned char)(i * 31 + k * 7);
}

static unsigned char
outbyte(int i, uint64_t k)
{
	return (unsigned char)(i * 13 + k * 3 + 1);
}

static void
draw(struct chan *c)
{
	c->gets = 1 + rnd(8);
	c->get_size = 1 + rnd(300);
	c->puts = 1 + rnd(8);
	c->put_size = 1 + rnd(300);
	c->insize = rnd(400);
}

/* The model: what a call of n bytes returns (-errno on failure). */
static long
model(struct chan *c, int wr, uint64_t n)
{
	uint64_t lim_calls = wr ? c->puts : c->gets;
	uint64_t lim_bytes = wr ? c->put_size : c->get_size, k;

	if (n == 0)
		return 0;
	if (!wr && c->pos >= c->insize)
		return 0;
	if (c->ucalls >= lim_calls || c->ubytes >= lim_bytes)
		return -EDQUOT;
	k = n < lim_bytes - c->ubytes ? n : lim_bytes - c->ubytes;
	if (!wr && k > c->insize - c->pos)
		k = c->insize - c->pos;
	c->ucalls++;
	c->ubytes += k;
	c->pos += k;
	return (long)k;
}

int
main(int argc, char **argv)
{
	static unsigned char buf[512], want[512];
	struct chan r[64], w[64];
	int n, i, j, gen, fd;

	if (argc < 4)
		return 2;
	gen = strcmp(argv[1], "gen") == 0;
	rs = strtoull(argv[2], NULL, 10) * 2654435761u + 1;
	n = atoi(argv[3]);
	if (n < 1 || n > 64)
		return 2;
	for (i = 0; i < n; i++) {
		draw(&r[i]);
		draw(&w[i]);
		r[i].ucalls = r[i].ubytes = r[i].pos = 0;
		w[i].ucalls = w[i].ubytes = w[i].pos = 0;
	}
	if (gen) {
		char path[4096];

		for (i = 0; i < n; i++) {
			snprintf(path, sizeof(path), "%s/in.%d", argv[4], i);
			fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
			for (uint64_t k = 0; k < r[i].insize; k++)
				buf[k] = inbyte(i, k);
			if (write(fd, buf, r[i].insize) < 0)
				return 1;
			close(fd);
			printf("Channel = %s/in.%d,/dev/r.%d,0,0,%ju,%ju,0,0\n",
			    argv[4], i, i, (uintmax_t)r[i].gets,
			    (uintmax_t)r[i].get_size);
			printf("Channel = %s/out.%d,/dev/w.%d,0,0,0,0,%ju,%ju\n",
			    argv[4], i, i, (uintmax_t)w[i].puts,
			    (uintmax_t)w[i].put_size);
		}
	}
	for (i = 0; i < n; i++) {
		char alias[32];
		int rfd = -1, wfd = -1;
		FILE *exp = NULL;

		if (gen) {
			char path[4096];

			snprintf(path, sizeof(path), "%s/expect.%d", argv[4], i);
			exp = fopen(path, "w");
		} else {
			snprintf(alias, sizeof(alias), "/dev/r.%d", i);
			rfd = open(alias, O_RDONLY);
			snprintf(alias, sizeof(alias), "/dev/w.%d", i);
			wfd = open(alias, O_WRONLY);
			OK(rfd >= 0 && wfd >= 0);
		}
		for (j = 0; j < 14; j++) {
			int op = rnd(4), wr = op >= 2, vec = op & 1;
			uint64_t sz = rnd(10) == 0 ? 0 : rnd(140), k;
			struct chan *c = wr ? &w[i] : &r[i];
			uint64_t pos0 = c->pos;
			long m = model(c, wr, sz), got;
			struct iovec iov[2] = {
				{ buf, sz / 2 }, { buf + sz / 2, sz - sz / 2 }
			};

			for (k = 0; wr && k < sz; k++)
				buf[k] = outbyte(i, pos0 + k);
			if (gen) {
				if (wr && m > 0)
					fwrite(buf, 1, m, exp);
				continue;
			}
			errno = 0;
			if (wr)
				got = vec ? writev(wfd, iov, 2) :
				    write(wfd, buf, sz);
			else
				got = vec ? readv(rfd, iov, 2) :
				    read(rfd, buf, sz);
			check(wr ? "write" : "read", j, got, errno,
			    m < 0 ? -1 : m, m < 0 ? (int)-m : 0);
			for (k = 0; !wr && got > 0 && k < (uint64_t)got; k++)
				want[k] = inbyte(i, pos0 + k);
			if (!wr && got > 0)
				OK(memcmp(buf, want, got) == 0);
		}
		if (exp)
			fclose(exp);
	}
	return gen ? 0 : done();
}
