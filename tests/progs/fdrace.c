/* SPDX-License-Identifier: ISC */
/*
 * fdrace - the fd-race stress test: two threads, one reading a channel
 * fd while the other swaps what that number is.
 *   gen ID SIZE FILE          (natively) the data file of ID 1 or 2: its
 *                             8-byte words name the file and the offset
 *                             (pattern.h), so any read identifies both
 *   run N PATH1 PATH2 [SOLO]  PATH1 and PATH2 are channels of the files
 *                             of ID 1 and 2 (say /dev/3.data, /dev/4.other)
 * Thread A (main) reads the fd number B publishes: pread at a random
 * offset, read, lseek, while B runs, until N of its reads raced (B
 * made progress during them) or it made 50 N calls; and SOLO times
 * (default 200) alone before B starts and after it ends.  Thread B loops until A
 * is done: dup, F_DUPFD, dup3 onto a number, open PATH1 or PATH2 anew,
 * close and open again (the number comes back), dup2 of a new fd of
 * PATH1, PATH2 or / onto the published number; each replaces the
 * published fd.  Every call's error is data, counted by errno.  Every
 * read must be wholly one file's bytes at one offset (pread: its
 * offset), untouched past its return value; its bytes and calls are
 * tallied to that file.  A zero read is free and tallied apart.
 * stdout, one line: "file1=CALLS,BYTES file2=CALLS,BYTES racing=N
 * rounds=N zero=N" then A's and B's errors as "a.ERRNO=N"/"b.ERRNO=N",
 * and "fd=virtual" or "fd=real" (PATH1's first fd below 1024 or not).
 * racing counts A's reads during which B made progress (N but when A
 * gave up).  Exit 0, or 1 with a message naming the first wrong byte.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pattern.h"

#define BUFN	4096
#define CANARY	0x5a
#define NERR	160

static const char *path[3];
static uint64_t size[3];
static _Atomic int cur = -1;		/* the fd A reads: B's to change */
static atomic_int stop;
static atomic_ulong rounds;
static unsigned long aerr[NERR], berr[NERR];
static uint64_t fcalls[3], fbytes[3], zero, racing;

static uint64_t
rnd(uint64_t *s, uint64_t n)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return n ? *s % n : 0;
}

static void
count_err(unsigned long *t, int e)
{
	t[e > 0 && e < NERR ? e : 0]++;
}


/* Are the r bytes of b file id's at offset q, all of them? */
static int
is_at(const unsigned char *b, size_t r, unsigned id, uint64_t q)
{
	if (q + r > size[id])
		return 0;
	for (size_t i = 0; i < r; i++)
		if (b[i] != wbyte(id, q + i))
			return 0;
	return 1;
}

/* The file of a read of r bytes (at p when posn), or exit 1. */
static unsigned
identify(const unsigned char *b, size_t r, size_t n, int posn, uint64_t p)
{
	unsigned id;
	size_t s;

	for (size_t i = r; i < n; i++)
		if (b[i] != CANARY)
			goto bad;
	for (id = 1; posn && id <= 2; id++)
		if (is_at(b, r, id, p))
			return id;
	/* read: an aligned word names the file and the offset; a short
	 * read (the end of a file) is the last r bytes of one. */
	for (s = 0; !posn && s < 8 && s + 8 <= r; s++) {
		uint64_t v = 0, k;

		for (int j = 7; j >= 0; j--)
			v = v << 8 | b[s + (size_t)j];
		v ^= WORD_MASK;
		id = (unsigned)(v & 0xff);
		k = v >> 8;
		if ((id == 1 || id == 2) && k * 8 >= s &&
		    is_at(b, r, id, k * 8 - s))
			return id;
	}
	for (id = 1; !posn && r < n && id <= 2; id++)
		if (size[id] >= r && is_at(b, r, id, size[id] - r))
			return id;
bad:
	dprintf(2, "fdrace: a %s of %zu bytes%s%ju returned %zu bytes of no "
	    "file at %s offset:", posn ? "pread" : "read", n,
	    posn ? " at " : "", (uintmax_t)(posn ? p : 0), r,
	    posn ? "that" : "any");
	for (s = 0; s < r && s < 16; s++)
		dprintf(2, " %02x", b[s]);
	dprintf(2, "%s\n", r > 16 ? " ..." : "");
	exit(1);
}

/* One of A's calls on the published fd.  Returns 1 for a read. */
static int
a_call(uint64_t *rs)
{
	static unsigned char b[BUFN];
	int fd = atomic_load(&cur), posn;
	size_t n = 16 + (size_t)rnd(rs, BUFN - 15);
	uint64_t p = rnd(rs, (size[1] > size[2] ? size[1] : size[2]) + 1000);
	unsigned id;
	ssize_t r;

	if (rnd(rs, 8) == 0) {
		if (lseek(fd, (off_t)p, SEEK_SET) == -1)
			count_err(aerr, errno);
		return 0;
	}
	posn = rnd(rs, 2) == 0;
	memset(b, CANARY, n);
	r = posn ? pread(fd, b, n, (off_t)p) : read(fd, b, n);
	if (r < 0) {
		count_err(aerr, errno);
		return 1;
	}
	if (r == 0) {
		zero++;
		return 1;
	}
	id = identify(b, (size_t)r, n, posn, p);
	fcalls[id]++;
	fbytes[id] += (uint64_t)r;
	return 1;
}

static int
b_open(int k)
{
	int fd = k ? open(path[k], O_RDONLY) : open("/", O_RDONLY |
	    O_DIRECTORY);

	if (fd == -1)
		count_err(berr, errno);
	return fd;
}

/* Publish y in place of x, and close x. */
static void
b_swap(int x, int y)
{
	if (y < 0)
		return;
	atomic_store(&cur, y);
	if (close(x) == -1)
		count_err(berr, errno);
}

static void *
thread_b(void *arg)
{
	uint64_t rs = 0x9e3779b97f4a7c15ULL;
	int x, y, o;

	(void)arg;
	while (!atomic_load(&stop)) {
		x = atomic_load(&cur);
		switch (rnd(&rs, 9)) {
		case 0:
			if ((y = dup(x)) == -1)
				count_err(berr, errno);
			b_swap(x, y);
			break;
		case 1:
			if ((y = fcntl(x, F_DUPFD, 100 + (int)rnd(&rs, 100)))
			    == -1)
				count_err(berr, errno);
			b_swap(x, y);
			break;
		case 2:
			y = 10 + (int)rnd(&rs, 50);
			if (y == x || dup3(x, y, 0) == -1) {
				if (y != x)
					count_err(berr, errno);
				break;
			}
			b_swap(x, y);
			break;
		case 3:
		case 4:
			b_swap(x, b_open(1 + (int)rnd(&rs, 2)));
			break;
		case 5:			/* the number comes back, mostly */
			if (close(x) == -1)
				count_err(berr, errno);
			if ((y = b_open(1 + (int)rnd(&rs, 2))) >= 0)
				atomic_store(&cur, y);
			break;
		default:		/* the same number, another file */
			if ((o = b_open((int)rnd(&rs, 3))) < 0)
				break;
			if (dup2(o, x) == -1)
				count_err(berr, errno);
			if (close(o) == -1)
				count_err(berr, errno);
			break;
		}
		atomic_fetch_add(&rounds, 1);
	}
	return NULL;
}

static void
print_err(const char *who, const unsigned long *t)
{
	for (int e = 0; e < NERR; e++)
		if (t[e])
			dprintf(1, " %s.%s=%lu", who, e ? strerrorname_np(e) :
			    "other", t[e]);
}

int
main(int argc, char *argv[])
{
	uint64_t rs = 88172645463325252ULL, n, solo, i;
	unsigned long seen, now;
	pthread_t t;
	struct stat st;
	int fd, k;

	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return gen_file(argv[4], num("fdrace", argv[2]),
		    num("fdrace", argv[3]), 1);
	if ((argc != 5 && argc != 6) || strcmp(argv[1], "run") != 0) {
		dprintf(2, "usage: fdrace gen ID SIZE FILE\n"
		    "       fdrace run N PATH1 PATH2 [SOLO]\n");
		return 2;
	}
	n = num("fdrace", argv[2]);
	solo = argc == 6 ? num("fdrace", argv[5]) : 200;
	path[1] = argv[3];
	path[2] = argv[4];
	for (k = 1; k <= 2; k++) {
		if ((fd = open(path[k], O_RDONLY)) == -1 || fstat(fd, &st) == -1) {
			dprintf(2, "fdrace: %s: %s\n", path[k], strerror(errno));
			return 1;
		}
		size[k] = (uint64_t)st.st_size;
		if (k == 1)
			atomic_store(&cur, fd);
		else
			close(fd);
	}
	k = atomic_load(&cur) < 1024;
	for (i = 0; i < solo; i++)
		a_call(&rs);
	if ((errno = pthread_create(&t, NULL, thread_b, NULL)) != 0) {
		dprintf(2, "fdrace: pthread_create: %s\n", strerror(errno));
		return 1;
	}
	while (atomic_load(&rounds) == 0)
		;
	seen = atomic_load(&rounds);
	for (i = 0; racing < n && i < 50 * n; i++)
		if (a_call(&rs)) {
			now = atomic_load(&rounds);
			racing += now != seen;
			seen = now;
		}
	atomic_store(&stop, 1);
	pthread_join(t, NULL);
	for (i = 0; i < solo; i++)
		a_call(&rs);
	dprintf(1, "file1=%ju,%ju file2=%ju,%ju racing=%ju rounds=%lu zero=%ju",
	    (uintmax_t)fcalls[1], (uintmax_t)fbytes[1], (uintmax_t)fcalls[2],
	    (uintmax_t)fbytes[2], (uintmax_t)racing, atomic_load(&rounds),
	    (uintmax_t)zero);
	print_err("a", aerr);
	print_err("b", berr);
	dprintf(1, " fd=%s\n", k ? "virtual" : "real");
	return 0;
}
