/* SPDX-License-Identifier: ISC */
/*
 * chanrand - a random call sequence on a random-read channel of a regular
 * file (type 1, what zvm-manifest @FILE writes), every answer checked
 * against a model of zvm-run's: for tests/zvm-run-native.bats, which runs
 * it with and without ZVM_COPY=1 and natively.
 *   gen SEED SIZE FILE                  (natively) the data file: byte i
 *                                       is pat(SEED, i) (pattern.h)
 *   run SEED OPS PATH GETS SIZE [LOG]   OPS random calls on PATH, whose
 *                                       channel has quotas GETS, SIZE
 *   wait SEED OPS PATH GETS SIZE [LOG]  half of them, then "wait" on
 *                                       stdout and the file's new size N
 *                                       (cut or grown from outside) read
 *                                       from stdin, a pread of 8 KiB at
 *                                       N - 100 and one of 10 bytes at
 *                                       N + 1, then the other half
 *   map SEED PATH GETS SIZE [LOG]       one mmap, MAP_PRIVATE and
 *                                       read-only, of a random part
 * Calls: read, pread, readv and preadv (1-3 iovecs with gaps between),
 * lseek (SET, CUR, END), fstat, close and open again, dup; on three fds:
 * two opens of PATH and a dup of the first, so two offsets, one shared.
 * Counts: zero, 1-16, up to 4 KiB, 64 KiB, to the end, past the end;
 * offsets: inside, near the end, on page edges, past the end, negative.
 * The model: the known end S is fstat's size at the start.  A call of no
 * bytes, or at or past S, returns 0, free; a negative offset is EINVAL;
 * else EDQUOT when no call or byte is left, or the call is cut to the
 * bytes left, to S, and to the file's real end (wait: the size read; a
 * read past it returns 0, free, counted as "zeros"; no SEEK_END once the
 * file changed, where the two paths differ).  Every byte is
 * checked against pat(SEED, offset), and every byte of the buffers past
 * what a call returned must be untouched.  LOG (a write channel) gets
 * every byte received, in call order: its xxh128 is the channel's etag.
 * map: the map is one read of its length in whole pages, cut at S, and
 * EDQUOT when that does not fit; on another failure "mmap: ERROR" on
 * stdout and exit 3, after the line "fd=virtual" or "fd=real" (below
 * 1024 or not) that map always prints first.
 * Last line on stdout: "calls=N bytes=N fnv=HEX" (wait: " zeros=N"): the
 * calls charged that moved bytes, the bytes, their FNV-1a 64 in order.
 * Exit 0, or 1 with a message naming the first wrong answer or byte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "pattern.h"

#define BUFSZ	(256 << 10)
#define MAXN	(200 << 10)	/* largest count: leaves room for gaps */
#define CANARY	0x5a
#define PAGE	4096ULL

static unsigned char buf[BUFSZ];
static uint64_t rs, seed;
static uint64_t S, R;		/* the known end, the real end */
static uint64_t qg, qb, ug, ub;	/* quotas (gets, get_size), used */
static uint64_t calls, bytes, zeros, fnv = 0xcbf29ce484222325ULL;
static unsigned long op;
static const char *path;
static int logfd = -1;

/* Three fds; desc[i] is the slot of fd i's open file description in
 * off[] (the dup shares one). */
static int fd[3], desc[3];
static uint64_t off[3];

static uint64_t
rnd(uint64_t n)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return n ? rs % n : 0;
}

static void __attribute__((format(printf, 1, 2), noreturn))
fail(const char *fmt, ...)
{
	va_list ap;

	dprintf(2, "chanrand: seed %ju op %lu: ", (uintmax_t)seed, op);
	va_start(ap, fmt);
	vdprintf(2, fmt, ap);
	va_end(ap);
	dprintf(2, "\n");
	exit(1);
}


/* What zvm-run answers to a read of n bytes at offset p: the bytes, or
 * -errno; the call is charged as it would be. */
static long
expect(uint64_t p, uint64_t n)
{
	uint64_t r = n;

	if (n == 0 || p >= S)
		return 0;
	if (ug >= qg || ub >= qb)
		return -EDQUOT;
	if (r > qb - ub)
		r = qb - ub;
	if (r > S - p)
		r = S - p;
	if (p >= R)
		r = 0;
	else if (r > R - p)
		r = R - p;
	if (r == 0) {		/* the real end, before the known one */
		zeros++;
		return 0;
	}
	ug++;
	ub += r;
	return (long)r;
}

static void
take(const unsigned char *b, size_t n)
{
	size_t i;
	ssize_t k;

	for (i = 0; i < n; i++) {
		fnv ^= b[i];
		fnv *= 0x100000001b3ULL;
	}
	bytes += n;
	for (i = 0; logfd >= 0 && i < n; i += (size_t)k)
		if ((k = write(logfd, b + i, n - i)) <= 0)
			fail("log write: %s", k < 0 ? strerror(errno) : "0");
}

/* n bytes in 1-3 iovecs with gaps between; the whole span is CANARY. */
static int
split(struct iovec *v, uint64_t n, int vec)
{
	int k = vec ? 1 + (int)rnd(3) : 1, i;
	uint64_t left = n, l, at = 0;

	for (i = 0; i < k; i++) {
		l = i == k - 1 ? left : rnd(left + 1);
		at += vec ? rnd(32) : 0;
		v[i].iov_base = buf + at;
		v[i].iov_len = l;
		at += l;
		left -= l;
	}
	memset(buf, CANARY, at + 32 < BUFSZ ? at + 32 : BUFSZ);
	return k;
}

/* The bytes of a read of got bytes at p: the file's, then untouched. */
static void
check_bytes(const struct iovec *v, int k, uint64_t p, uint64_t got)
{
	uint64_t idx = 0;
	const unsigned char *end = buf;
	int i;

	for (i = 0; i < k; i++) {
		const unsigned char *b = v[i].iov_base;

		for (; end < b; end++)
			if (*end != CANARY)
				fail("byte written in a gap before iovec %d", i);
		for (size_t j = 0; j < v[i].iov_len; j++, idx++) {
			unsigned char want = idx < got ? pat(seed, p + idx) :
			    CANARY;

			if (b[j] != want)
				fail("byte %ju of the call (file offset %ju) is "
				    "0x%02x, want 0x%02x%s", (uintmax_t)idx,
				    (uintmax_t)(p + idx), b[j], want,
				    idx < got ? "" : " (untouched)");
		}
		end = b + v[i].iov_len;
	}
	calls += got > 0;
	for (i = 0; i < k; i++) {
		uint64_t l = v[i].iov_len;

		if (got == 0)
			break;
		take(v[i].iov_base, l < got ? l : got);
		got -= l < got ? l : got;
	}
}

/* A count for a call at p: often small, sometimes 0, 64 KiB, to the end
 * or past it. */
static uint64_t
count(uint64_t p)
{
	uint64_t left = p < S ? S - p : 0, n;

	switch (rnd(20)) {
	case 0:
	case 1:
		return 0;
	case 2:
	case 3:
		return 65536;
	case 4:
	case 5:
		n = left + 1 + rnd(5000);
		break;
	case 6:
		n = left;
		break;
	case 7:
		return 1 + rnd(16);
	default:
		return 1 + rnd(4096);
	}
	return n < MAXN ? n : MAXN;
}

/* An offset: mostly inside, sometimes near or past the end, on a page
 * edge, or negative. */
static int64_t
where(void)
{
	int64_t p;

	switch (rnd(20)) {
	case 0:
		return -1 - (int64_t)rnd(5000);
	case 1:
	case 2:
		return (int64_t)(S + rnd(5000));
	case 3:
	case 4:
		return (int64_t)(S - rnd((S < 100 ? S : 100) + 1));
	case 5:
	case 6:
		p = (int64_t)(rnd(S / PAGE + 2) * PAGE + rnd(3)) - 1;
		return p < 0 ? 0 : p;
	default:
		return (int64_t)rnd(S + 1);
	}
}

static int
open_path(void)
{
	int f = open(path, O_RDONLY);

	if (f == -1)
		fail("open %s: %s", path, strerror(errno));
	return f;
}

/* One read-type call on fd i: read, pread, readv or preadv; at offset
 * p0 of n0 bytes when p0 is not -1 (a pread). */
static void
do_read(int i, int posn, int vec, int64_t p0, uint64_t n0)
{
	struct iovec v[3];
	uint64_t *o = &off[desc[i]];
	int64_t p = p0 != -1 ? p0 : posn ? where() : (int64_t)*o;
	uint64_t n = p0 != -1 ? n0 : count(p < 0 ? 0 : (uint64_t)p);
	int k = split(v, n, vec);
	long want, got;

	errno = 0;
	if (posn)
		got = vec ? preadv(fd[i], v, k, p) : pread(fd[i], v[0].iov_base,
		    n, p);
	else
		got = vec ? readv(fd[i], v, k) : read(fd[i], v[0].iov_base, n);
	if (got < 0)
		got = -errno;
	want = p < 0 ? -EINVAL : expect((uint64_t)p, n);
	if (got != want)
		fail("%s%s(fd %d, %ju bytes, %d iovecs) at %jd = %ld (%s), "
		    "want %ld (%s)", posn ? "p" : "", vec ? "readv" : "read",
		    i, (uintmax_t)n, k, (intmax_t)p, got,
		    got < 0 ? strerror((int)-got) : "ok", want,
		    want < 0 ? strerror((int)-want) : "ok");
	if (got < 0)
		got = 0;
	check_bytes(v, k, (uint64_t)p, (uint64_t)got);
	if (!posn)
		*o += (uint64_t)got;
}

static void
do_lseek(int i)
{
	static const int wh[3] = { SEEK_SET, SEEK_CUR, SEEK_END };
	int w = (int)rnd(3);
	uint64_t *o = &off[desc[i]];
	int64_t d, want;
	off_t got;

	switch (w) {
	case 0:
		d = where();
		want = d;
		break;
	case 1:
		d = rnd(4) == 0 ? 0 : (int64_t)rnd(8001) - 4000;
		want = (int64_t)*o + d;
		break;
	default:
		d = (int64_t)rnd(S + 101) - (int64_t)S - 50;
		want = (int64_t)S + d;
		/* The file changed from outside: the native path's lseek
		 * is the kernel's (the new end), the copy path's the
		 * known end; not a thing to compare. */
		if (R != S) {
			w = 0;
			d = want < 0 ? 0 : want;
			want = d;
		}
		break;
	}
	errno = 0;
	got = lseek(fd[i], d, wh[w]);
	if (want < 0 ? got != -1 || errno != EINVAL : got != want)
		fail("lseek(fd %d, %jd, %d) = %jd (%s), want %jd", i,
		    (intmax_t)d, w, (intmax_t)got, strerror(errno),
		    (intmax_t)(want < 0 ? -1 : want));
	if (want >= 0)
		*o = (uint64_t)want;
}

static void
do_fstat(int i)
{
	struct stat st;

	if (fstat(fd[i], &st) == -1)
		fail("fstat(fd %d): %s", i, strerror(errno));
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size != S)
		fail("fstat(fd %d): mode 0%o size %jd, want a regular file of "
		    "%ju", i, (unsigned)st.st_mode, (intmax_t)st.st_size,
		    (uintmax_t)S);
}

/* Close fd i; then open the path anew (offset 0), or dup another fd. */
static void
do_reopen(int i)
{
	int j = (i + 1 + (int)rnd(2)) % 3, s, used;

	if (close(fd[i]) == -1)
		fail("close(fd %d): %s", i, strerror(errno));
	if (rnd(2)) {
		if ((fd[i] = dup(fd[j])) == -1)
			fail("dup(fd %d): %s", j, strerror(errno));
		desc[i] = desc[j];
		return;
	}
	fd[i] = open_path();
	for (s = 0; s < 3; s++) {	/* a slot no other fd holds */
		used = 0;
		for (j = 0; j < 3; j++)
			used |= j != i && desc[j] == s;
		if (!used)
			break;
	}
	desc[i] = s;
	off[s] = 0;
}

static void
one_op(void)
{
	int i = (int)rnd(3);
	uint64_t c = rnd(100);

	if (c < 20)
		do_read(i, 0, 0, -1, 0);
	else if (c < 40)
		do_read(i, 1, 0, -1, 0);
	else if (c < 55)
		do_read(i, 0, 1, -1, 0);
	else if (c < 70)
		do_read(i, 1, 1, -1, 0);
	else if (c < 88)
		do_lseek(i);
	else if (c < 94)
		do_fstat(i);
	else
		do_reopen(i);
}

/* The new real end, from stdin, after "wait" on stdout. */
static uint64_t
new_end(void)
{
	char line[64];
	size_t n = 0;
	ssize_t k;

	dprintf(1, "wait\n");
	while (n < sizeof(line) - 1 && (k = read(0, line + n, 1)) == 1 &&
	    line[n] != '\n')
		n++;
	line[n] = 0;
	return num("chanrand", line);
}

static uint64_t
pages(uint64_t x)
{
	return (x + PAGE - 1) & ~(PAGE - 1);
}

/* One map of a random part of the file: one read of its whole pages,
 * cut at S; EDQUOT when that does not fit. */
static int
do_map(void)
{
	uint64_t o = S ? rnd((S - 1) / PAGE + 1) * PAGE : 0;
	uint64_t len = 1 + rnd(S - o + 5000), n, i, tail;
	const unsigned char *m;
	long want;

	dprintf(1, "fd=%s\n", fd[0] < 1024 ? "virtual" : "real");
	n = pages(len) < S - o ? pages(len) : S - o;
	want = n == 0 ? 0 : ug >= qg || n > qb - ub ? -EDQUOT : (long)n;
	m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd[0], (off_t)o);
	if (m == MAP_FAILED) {
		if (want == -EDQUOT && errno == EDQUOT)
			goto out;
		dprintf(1, "mmap: %s\n", strerror(errno));
		return 3;
	}
	if (want < 0)
		fail("mmap of %ju bytes at %ju: mapped, want EDQUOT",
		    (uintmax_t)len, (uintmax_t)o);
	for (i = 0; i < len && o + i < S; i++)
		if (m[i] != pat(seed, o + i))
			fail("mapped byte %ju (file offset %ju) is 0x%02x, "
			    "want 0x%02x", (uintmax_t)i, (uintmax_t)(o + i),
			    m[i], pat(seed, o + i));
	/* The rest of the last page reads as zeros. */
	tail = pages(S - o) < pages(len) ? pages(S - o) : pages(len);
	for (i = S - o; i < tail; i++)
		if (m[i] != 0)
			fail("mapped byte %ju past the end is 0x%02x",
			    (uintmax_t)i, m[i]);
	take(m, n);
	calls += n > 0;
	munmap((void *)m, len);
out:
	dprintf(1, "calls=%ju bytes=%ju fnv=%016jx\n", (uintmax_t)calls,
	    (uintmax_t)bytes, (uintmax_t)fnv);
	return 0;
}

static int
usage(void)
{
	dprintf(2, "usage: chanrand gen SEED SIZE FILE\n"
	    "       chanrand run|wait SEED OPS PATH GETS SIZE [LOG]\n"
	    "       chanrand map SEED PATH GETS SIZE [LOG]\n");
	return 2;
}

int
main(int argc, char *argv[])
{
	int wait, map;
	uint64_t ops, half;
	struct stat st;
	char **a;

	if (argc == 5 && strcmp(argv[1], "gen") == 0)
		return gen_file(argv[4], num("chanrand", argv[2]),
		    num("chanrand", argv[3]), 0);
	wait = argc >= 2 && strcmp(argv[1], "wait") == 0;
	map = argc >= 2 && strcmp(argv[1], "map") == 0;
	if (!wait && !map && (argc < 2 || strcmp(argv[1], "run") != 0))
		return usage();
	if (argc != 6 + !map && argc != 7 + !map)
		return usage();
	seed = num("chanrand", argv[2]);
	rs = seed * 2654435761u + 88172645463325252u;
	ops = map ? 0 : num("chanrand", argv[3]);
	a = argv + 3 + !map;
	path = a[0];
	qg = num("chanrand", a[1]);
	qb = num("chanrand", a[2]);
	if (a[3] && (logfd = open(a[3], O_WRONLY | O_CREAT | O_TRUNC,
	    0644)) == -1)
		fail("open %s: %s", a[3], strerror(errno));
	fd[0] = open_path();
	fd[1] = open_path();
	if ((fd[2] = dup(fd[0])) == -1)
		fail("dup: %s", strerror(errno));
	desc[1] = 1;
	if (fstat(fd[0], &st) == -1)
		fail("fstat: %s", strerror(errno));
	R = S = (uint64_t)st.st_size;
	if (map)
		return do_map();
	half = wait ? ops / 2 : ops;
	for (op = 0; op < ops; op++) {
		if (op == half) {
			/* Reads across the new end and just past it. */
			R = new_end();
			do_read(0, 1, 0, R < 100 ? 0 : (int64_t)R - 100, 8192);
			do_read(0, 1, 0, (int64_t)R + 1, 10);
		}
		one_op();
	}
	dprintf(1, "calls=%ju bytes=%ju fnv=%016jx", (uintmax_t)calls,
	    (uintmax_t)bytes, (uintmax_t)fnv);
	if (wait)
		dprintf(1, " zeros=%ju", (uintmax_t)zeros);
	dprintf(1, "\n");
	return 0;
}
