/* SPDX-License-Identifier: ISC */
/*
 * wrand - random writes to a write channel, for comparing the native data
 * path with the copy path (ZVM_COPY=1): "wrand SEED N PATH [append]" does
 * N calls chosen by a seeded xorshift among write, pwrite, writev,
 * pwritev, lseek (SET, CUR, END) and fsync, of random lengths (0 to 70000
 * bytes, a few KiB mostly) at random offsets (past the end too), and
 * prints one line per call: what it was and what it returned (errno
 * too), then its tallies.  Every byte written is a function of its
 * offset and the call's number, so a byte in the wrong place shows in the
 * output file.  Exits 0 unless the channel cannot be opened.
 * "wrand probe PATH": what a write channel's fd answers to the calls
 * beside write: mmap, ftruncate, fstat, F_GETFL, fdatasync, read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

static uint64_t rs;

static uint64_t
rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return rs;
}

static unsigned char buf[140000];

static size_t
len(void)
{
	switch (rnd() % 8) {
	case 0:
		return 0;
	case 1:
		return 65536 + rnd() % 4465;
	default:
		return rnd() % 5000;
	}
}

static void
fill(unsigned char *p, size_t n, uint64_t base, unsigned call)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)((base + i) * 7 + call);
}

static void
say(const char *what, long long r)
{
	printf("%s %lld %s\n", what, r, r < 0 ? strerror(errno) : "");
}

static int
probe(const char *path)
{
	struct stat st;
	char c;
	void *p;
	int fd;

	if ((fd = open(path, O_WRONLY)) == -1) {
		perror(path);
		return 1;
	}
	say("write", write(fd, "hello\n", 6));
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("mmap-shared", p == MAP_FAILED ? -1 : 0);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	say("mmap-private", p == MAP_FAILED ? -1 : 0);
	say("ftruncate", ftruncate(fd, 2));
	say("fstat", fstat(fd, &st) == 0 ? (long long)st.st_size : -1);
	say("getfl", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND |
	    O_NONBLOCK));
	say("setfl-append", fcntl(fd, F_SETFL, O_APPEND));
	say("pwrite-0", pwrite(fd, "J", 1, 0));
	say("getfl", fcntl(fd, F_GETFL) & (O_ACCMODE | O_APPEND |
	    O_NONBLOCK));
	say("fdatasync", fdatasync(fd));
	say("read", read(fd, &c, 1));
	say("lseek-end", lseek(fd, 0, SEEK_END));
	say("close", close(fd));
	say("write-closed", write(fd, "x", 1));
	return 0;
}

int
main(int argc, char **argv)
{
	unsigned long n, calls = 0, errs = 0;
	unsigned long long bytes = 0;
	int fd, append;

	if (argc == 3 && strcmp(argv[1], "probe") == 0)
		return probe(argv[2]);
	if (argc < 4)
		return 2;
	rs = strtoull(argv[1], NULL, 10) * 2654435761u + 1;
	n = strtoul(argv[2], NULL, 10);
	append = argc > 4 && strcmp(argv[4], "append") == 0;
	if ((fd = open(argv[3], O_WRONLY | (append ? O_APPEND : 0))) == -1) {
		perror(argv[3]);
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		uint64_t off = rnd() % 300000;
		size_t a = len(), b = len();
		struct iovec iov[2] = { { buf, a }, { buf + a, b } };
		const char *what;
		long long r;
		off_t cur = lseek(fd, 0, SEEK_CUR);

		switch (rnd() % 10) {
		case 0: case 1: case 2:
			what = "write";
			fill(buf, a, (uint64_t)cur, i);
			r = write(fd, buf, a);
			break;
		case 3: case 4:
			what = "pwrite";
			fill(buf, a, off, i);
			r = pwrite(fd, buf, a, (off_t)off);
			break;
		case 5:
			what = "writev";
			fill(buf, a + b, (uint64_t)cur, i);
			r = writev(fd, iov, 2);
			break;
		case 6:
			what = "pwritev";
			fill(buf, a + b, off, i);
			r = pwritev(fd, iov, 2, (off_t)off);
			break;
		case 7:
			what = "lseek";
			r = lseek(fd, (off_t)(rnd() % 3 == 0 ? 0 : off),
			    (int)(rnd() % 3));
			break;
		case 8:
			what = "fsync";
			r = fsync(fd);
			break;
		default:
			what = "write-end";
			r = lseek(fd, 0, SEEK_END);
			if (r >= 0) {
				fill(buf, a, (uint64_t)r, i);
				r = write(fd, buf, a);
			}
			break;
		}
		printf("%u %s %lld %s\n", i, what, r, r < 0 ?
		    strerror(errno) : "");
		if (r < 0)
			errs++;
		else if (strncmp(what, "lseek", 5) && strcmp(what, "fsync")) {
			calls += r > 0;
			bytes += (unsigned long long)r;
		}
	}
	printf("calls=%lu bytes=%llu errors=%lu end=%lld\n", calls, bytes,
	    errs, (long long)lseek(fd, 0, SEEK_END));
	return 0;
}
