/* SPDX-License-Identifier: ISC */
/*
 * test_heap - zvm-run's allocator (lib/base/heap) through its own names:
 * sizes and alignment of every class and of mappings, a freed block used
 * again, calloc's zeros (fresh and reused) and its overflow, realloc
 * keeping the bytes across classes and mappings (and staying put when it
 * can), aligned blocks up to 64 KiB, and a random mix checked against a
 * model of what each block must hold.  Foreign pointers and double frees
 * abort: a child shows it.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/heap.h"
#include "tap.h"

static int
aligned(const void *p, size_t a)
{
	return ((uintptr_t)p & (a - 1)) == 0;
}

/* Does f(arg) end its process with SIGABRT? */
static int
aborts(void (*f)(void *), void *arg)
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		f(arg);
		_exit(0);
	}
	return pid > 0 && waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGABRT;
}

static void
free_it(void *p)
{
	zvm_heap_free(p);
}

static void
free_twice(void *p)
{
	zvm_heap_free(p);
	zvm_heap_free(p);
}

static void
sizes(void)
{
	static const size_t n[] = { 0, 1, 15, 16, 17, 100, 4096, 65535,
	    65536, 65537, 1 << 20, 3 << 20 };
	int good = 1;

	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		unsigned char *p = zvm_heap_alloc(n[i]);

		if (p == NULL || !aligned(p, 16) || zvm_heap_usable(p) < n[i])
			good = 0;
		else
			memset(p, 0xa5, n[i]);	/* all of it is ours */
		zvm_heap_free(p);
	}
	ok(good, "every size: 16-byte aligned, usable >= asked, writable");
	is_int((long long)zvm_heap_usable(NULL), 0, "usable(NULL) is 0");
	zvm_heap_free(NULL);
	ok(1, "free(NULL) does nothing");
}

static void
text(void)
{
	char *p = zvm_heap_alloc(32);

	if (p)
		strcpy(p, "channel /dev/stdin");
	is_str(p, "channel /dev/stdin", "a string written into a block");
	zvm_heap_free(p);
}

static void
reuse(void)
{
	void *a = zvm_heap_alloc(40), *b;

	zvm_heap_free(a);
	b = zvm_heap_alloc(60);		/* the same 64-byte class */
	ok(a == b, "a freed block is used again by its class");
	zvm_heap_free(b);
}

static void
zeros(void)
{
	unsigned char *p = zvm_heap_alloc(200), *q;
	int z = 1;

	memset(p, 0xff, 200);
	zvm_heap_free(p);
	q = zvm_heap_calloc(25, 8);	/* likely p again: dirty */
	for (size_t i = 0; q && i < 200; i++)
		z &= q[i] == 0;
	ok(q && z, "calloc of a reused block is zero");
	zvm_heap_free(q);
	q = zvm_heap_calloc(1, 300000);
	z = 1;
	for (size_t i = 0; q && i < 300000; i++)
		z &= q[i] == 0;
	ok(q && z, "calloc of a mapping is zero");
	zvm_heap_free(q);
	errno = 0;
	ok(zvm_heap_calloc(SIZE_MAX / 2, 3) == NULL && errno == ENOMEM,
	    "calloc overflow: NULL, ENOMEM");
	errno = 0;
	ok(zvm_heap_alloc(SIZE_MAX - 10) == NULL && errno == ENOMEM,
	    "a size no map can hold: NULL, ENOMEM");
}

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed + i * 7);
}

static int
holds(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != (unsigned char)(seed + i * 7))
			return 0;
	return 1;
}

static void
grow(void)
{
	static const size_t steps[] = { 10, 100, 1000, 30000, 70000, 500000,
	    3000000, 200, 5 };
	unsigned char *p = NULL, *q;
	size_t have = 0;
	int good = 1;

	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		size_t keep = have < steps[i] ? have : steps[i];

		if ((q = zvm_heap_realloc(p, steps[i])) == NULL) {
			good = 0;
			break;
		}
		good &= holds(q, keep, 3);
		fill(q, steps[i], 3);
		p = q;
		have = steps[i];
	}
	ok(good, "realloc up and down through classes and maps keeps bytes");
	zvm_heap_free(p);
	p = zvm_heap_alloc(100);
	ok(zvm_heap_realloc(p, 120) == p, "realloc within the class stays");
	zvm_heap_free(p);
}

static void
align(void)
{
	int good = 1;

	for (size_t a = 1; a <= 65536; a *= 2) {
		void *p = zvm_heap_aligned(a, 1000);

		good &= p != NULL && aligned(p, a) &&
		    zvm_heap_usable(p) >= 1000;
		if (p)
			memset(p, 1, 1000);
		zvm_heap_free(p);
	}
	ok(good, "aligned blocks from 1 to 64 KiB");
	errno = 0;
	ok(zvm_heap_aligned(24, 10) == NULL && errno == EINVAL,
	    "an alignment not a power of two: EINVAL");
}

/* Random allocations, reallocations and frees; each live block holds a
 * pattern of its own, checked before it changes. */
static void
mix(void)
{
	enum { SLOTS = 64, ROUNDS = 20000 };
	unsigned char *p[SLOTS] = { 0 };
	size_t n[SLOTS] = { 0 };
	unsigned seed = 12345;
	int good = 1;

	for (int r = 0; r < ROUNDS && good; r++) {
		size_t s, i;

		seed = seed * 1103515245 + 12345;
		i = (seed >> 8) % SLOTS;
		s = (seed >> 16) % 5 == 0 ? (seed >> 4) % 200000 :
		    (seed >> 4) % 3000;
		if (p[i] && !holds(p[i], n[i], (unsigned)i)) {
			good = 0;
			break;
		}
		switch ((seed >> 28) % 3) {
		case 0:
			zvm_heap_free(p[i]);
			p[i] = zvm_heap_alloc(s);
			break;
		case 1:
			p[i] = zvm_heap_realloc(p[i], s);
			if (p[i] && !holds(p[i], n[i] < s ? n[i] : s,
			    (unsigned)i))
				good = 0;
			break;
		default:
			zvm_heap_free(p[i]);
			p[i] = NULL;
			s = 0;
			break;
		}
		if (s && p[i] == NULL)
			good = 0;
		n[i] = p[i] ? s : 0;
		if (p[i])
			fill(p[i], n[i], (unsigned)i);
	}
	ok(good, "20000 random allocations, reallocations and frees");
	for (int i = 0; i < SLOTS; i++)
		zvm_heap_free(p[i]);
}

int
main(void)
{
	static unsigned char not_ours[64] __attribute__((aligned(16)));

	sizes();
	text();
	reuse();
	zeros();
	grow();
	align();
	mix();
	ok(aborts(free_it, not_ours + 16), "free of a foreign pointer aborts");
	ok(aborts(free_twice, zvm_heap_alloc(32)), "a double free aborts");
	return done_testing();
}
