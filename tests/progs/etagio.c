/* SPDX-License-Identifier: ISC */
/*
 * etagio - random call sequences for the etag tests, the same natively
 * and under zvm-run for a given seed.
 *   read SEED PATH           read PATH to its end (or the first error)
 *   write SEED TOTAL PATH    write TOTAL pseudo-random bytes (or until an
 *                            error) to PATH, created and truncated
 *   rw SEED N PATH [LOG]     N random pread/pwrite/preadv/pwritev/read/
 *                            write/lseek calls on PATH opened O_RDWR; LOG
 *                            gets every byte transferred, in call order
 * Calls mix read/readv (write/writev) with random sizes, zero-length
 * calls, empty and several iovecs, and 1-3 MiB calls.  After a failed
 * call one more is made (it must fail too), then the program stops.  On
 * stdout: "BYTES errno" (bytes transferred, 0 or the error that stopped
 * it); the exit status is 0.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define BIG	(3 << 20)

static uint64_t rs;

static uint64_t
rnd(uint64_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return n ? rs % n : 0;
}

/* A call size: mostly small, sometimes zero, sometimes 1-3 MiB. */
static size_t
size(void)
{
	switch (rnd(10)) {
	case 0:
		return 0;
	case 1:
		return (size_t)(1 << 20) + rnd(2 << 20);
	case 2:
	case 3:
		return 1 + rnd(16);
	default:
		return 1 + rnd(70000);
	}
}

/* Split n bytes of buf into up to 8 iovecs, some empty; returns count. */
static int
split(struct iovec *v, unsigned char *buf, size_t n)
{
	int k = 1 + (int)rnd(8), i;
	size_t left = n, l;

	for (i = 0; i < k; i++) {
		l = i == k - 1 ? left : rnd(left + 1);
		v[i].iov_base = buf;
		v[i].iov_len = l;
		buf += l;
		left -= l;
	}
	return k;
}

static void
fill(unsigned char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (unsigned char)rnd(256);
}

static int
io_read(int fd, unsigned char *buf, size_t n, off_t at)
{
	struct iovec v[8];
	int k;

	if (rnd(2)) {
		k = split(v, buf, n);
		return at < 0 ? (int)readv(fd, v, k) : (int)preadv(fd, v, k,
		    at);
	}
	return at < 0 ? (int)read(fd, buf, n) : (int)pread(fd, buf, n, at);
}

static int
io_write(int fd, const unsigned char *buf, size_t n, off_t at)
{
	struct iovec v[8];
	int k;

	if (rnd(2)) {
		k = split(v, (unsigned char *)buf, n);
		return at < 0 ? (int)writev(fd, v, k) : (int)pwritev(fd, v, k,
		    at);
	}
	return at < 0 ? (int)write(fd, buf, n) : (int)pwrite(fd, buf, n,
	    at);
}

static int
seq_read(int fd, unsigned char *buf)
{
	unsigned long long total = 0;
	int r, err = 0;

	for (;;) {
		size_t n = size();

		if ((r = io_read(fd, buf, n, -1)) < 0) {
			err = errno;
			if (io_read(fd, buf, 1 + rnd(100), -1) >= 0)
				return fprintf(stderr, "etagio: a read "
				    "after %s succeeded\n", strerror(err)), 1;
			break;
		}
		total += (unsigned)r;
		if (r == 0 && n > 0)
			break;
	}
	printf("%llu %d\n", total, err);
	return 0;
}

static int
seq_write(int fd, unsigned char *buf, unsigned long long want)
{
	unsigned long long total = 0;
	int r, err = 0;

	while (total < want) {
		size_t n = size();

		if (n > want - total)
			n = (size_t)(want - total);
		fill(buf, n);
		if ((r = io_write(fd, buf, n, -1)) < 0) {
			err = errno;
			if (io_write(fd, buf, 1 + rnd(100), -1) >= 0)
				return fprintf(stderr, "etagio: a write "
				    "after %s succeeded\n", strerror(err)), 1;
			break;
		}
		total += (unsigned)r;
		/* A short write: the rest of this call's bytes are lost,
		 * as in a program that does not retry. */
	}
	printf("%llu %d\n", total, err);
	return 0;
}

static int
rw(int fd, unsigned char *buf, int nops, FILE *log)
{
	unsigned long long total = 0;
	off_t end = lseek(fd, 0, SEEK_END), cur;
	int i, r, w;

	lseek(fd, 0, SEEK_SET);
	for (i = 0; i < nops; i++) {
		size_t n = size() % 200000;
		off_t at = rnd(3) ? (off_t)rnd((uint64_t)end + 100) : -1;

		switch (rnd(5)) {
		case 0:
			lseek(fd, (off_t)rnd((uint64_t)end + 1), SEEK_SET);
			continue;
		case 1:
		case 2:
			w = 0;
			r = io_read(fd, buf, n, at);
			break;
		default:
			w = 1;
			fill(buf, n);
			r = io_write(fd, buf, n, at);
			break;
		}
		if (r < 0) {
			printf("%llu %d\n", total, errno);
			return 0;
		}
		cur = at < 0 ? lseek(fd, 0, SEEK_CUR) : at + r;
		if (w && cur > end)
			end = cur;
		total += (unsigned)r;
		if (log && r > 0 && fwrite(buf, 1, (size_t)r, log) !=
		    (size_t)r)
			return 1;
	}
	printf("%llu 0\n", total);
	return 0;
}

int
main(int argc, char *argv[])
{
	unsigned char *buf = malloc(BIG);
	FILE *log = NULL;
	int fd, r;

	if (argc < 4 || buf == NULL)
		return 2;
	rs = strtoull(argv[2], NULL, 10) * 2654435761u + 88172645463325252u;
	if (strcmp(argv[1], "read") == 0) {
		if ((fd = open(argv[3], O_RDONLY)) == -1)
			return perror(argv[3]), 1;
		return seq_read(fd, buf);
	}
	if (strcmp(argv[1], "write") == 0 && argc == 5) {
		if ((fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC,
		    0644)) == -1)
			return perror(argv[4]), 1;
		return seq_write(fd, buf, strtoull(argv[3], NULL, 10));
	}
	if (strcmp(argv[1], "rw") == 0 && argc >= 5) {
		if ((fd = open(argv[4], O_RDWR)) == -1)
			return perror(argv[4]), 1;
		if (argc == 6 && (log = fopen(argv[5], "w")) == NULL)
			return perror(argv[5]), 1;
		r = rw(fd, buf, atoi(argv[3]), log);
		if (log && fclose(log) == EOF)
			return 1;
		return r;
	}
	return 2;
}
