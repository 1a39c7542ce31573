/* SPDX-License-Identifier: ISC */
/*
 * heap - a small allocator for zvm-run's static musl build.
 *
 * musl's malloc (mallocng) gives each new size class a group of its own,
 * mapped with one mmap and faulted in twice, and unmaps groups as soon as
 * they empty.  zvm-run lives a few milliseconds and shares its memory
 * with the program's first instants (clone(CLONE_VM)), so each of those
 * maps is a system call and two page faults, and each unmap may cost a
 * TLB shootdown IPI: 5-8 % of a whole `zvm-run` of /usr/bin/true here,
 * 3 % of python3 -c pass (medians of interleaved runs against a build
 * with this file).  Debian's other allocators (jemalloc, mimalloc) are
 * built for glibc and cannot go into a static musl binary.
 *
 * Here: thirteen sizes, 16 B to 64 KiB, carved in order from 256 KiB
 * regions; a freed block goes to the free list of its size and is used
 * again, never unmapped.  Larger requests are mappings of their own,
 * grown with mremap and unmapped when freed.  A 16-byte header before
 * each block says which it is; free() checks it and aborts on a pointer
 * that is not one of ours.  One spin lock: zvm-run's threads (the loop
 * and its watcher) almost never allocate at once.
 *
 * With -DZVM_HEAP_MALLOC (the Makefile sets it for the musl build only)
 * this file also defines malloc(3) and its family.  The glibc and
 * sanitizer builds keep their libc's malloc; the tests call the zvm_heap_
 * names directly.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/heap.h"

#define HDR	16		/* header size, and every block's alignment */
#define NCLASS	13		/* 16 << 0 .. 16 << 12 */
#define MAXSMALL ((size_t)16 << (NCLASS - 1))
#define REGION	((size_t)256 << 10)
#define PAGE	((size_t)4096)
#define LARGE	0xffffu
#define MAGIC	((size_t)0x7a766d68656170ULL)	/* "zvmheap" */

struct hdr {
	uint32_t cls;		/* size class, or LARGE */
	uint32_t off;		/* LARGE: the block's offset in its map;
				 * small: 1 while free, else 0 */
	size_t len;		/* LARGE: map length; small: address ^ MAGIC */
};

struct freeblk {
	struct freeblk *next;
};

static struct {
	struct freeblk *free[NCLASS];
	unsigned char *cur, *end;	/* the region being carved */
	volatile int lock;
} heap;

static void
lock(void)
{
	while (__atomic_exchange_n(&heap.lock, 1, __ATOMIC_ACQUIRE))
		while (__atomic_load_n(&heap.lock, __ATOMIC_RELAXED))
			;
}

static void
unlock(void)
{
	__atomic_store_n(&heap.lock, 0, __ATOMIC_RELEASE);
}

static struct hdr *
hdr_of(const void *p)
{
	return (struct hdr *)((uintptr_t)p - HDR);
}

static int
class_of(size_t n)
{
	int c = 0;

	while (((size_t)16 << c) < n)
		c++;
	return c;
}

/* A block of class c: from its free list, else carved. */
static void *
small_alloc(int c)
{
	size_t need = HDR + ((size_t)16 << c);
	struct hdr *h;

	lock();
	if (heap.free[c] != NULL) {
		struct freeblk *f = heap.free[c];

		heap.free[c] = f->next;
		unlock();
		hdr_of(f)->off = 0;
		return f;
	}
	if (heap.cur == NULL || (size_t)(heap.end - heap.cur) < need) {
		unsigned char *r = mmap(NULL, REGION, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		if (r == MAP_FAILED) {
			unlock();
			errno = ENOMEM;
			return NULL;
		}
		/* The rest of the old region is left: at most 64 KiB. */
		heap.cur = r;
		heap.end = r + REGION;
	}
	h = (struct hdr *)heap.cur;
	heap.cur += need;
	unlock();
	h->cls = (uint32_t)c;
	h->off = 0;
	h->len = (uintptr_t)h ^ MAGIC;
	return (unsigned char *)h + HDR;
}

/* A mapping of its own: n bytes at an address aligned to align (a power
 * of two, at least HDR). */
static void *
large_alloc(size_t n, size_t align)
{
	size_t off = align < PAGE ? (align > HDR ? align : HDR) : 0, len;
	unsigned char *m;
	struct hdr *h;

	if (align > ((size_t)1 << 30) || n > SIZE_MAX / 2 - align - 2 * PAGE) {
		errno = ENOMEM;
		return NULL;
	}
	len = (n + off + (align >= PAGE ? align : 0) + PAGE - 1) & ~(PAGE - 1);
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE |
	    MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		errno = ENOMEM;
		return NULL;
	}
	if (align >= PAGE)
		off = (((uintptr_t)m + HDR + align - 1) & ~(uintptr_t)(align -
		    1)) - (uintptr_t)m;
	h = (struct hdr *)(m + off - HDR);
	h->cls = LARGE;
	h->off = (uint32_t)off;
	h->len = len;
	return m + off;
}

/* The header of p, checked; abort() on a pointer that is not ours or a
 * small block freed already. */
static struct hdr *
checked(const void *p)
{
	struct hdr *h = hdr_of(p);

	if (((uintptr_t)p & (HDR - 1)) != 0)
		abort();
	if (h->cls < NCLASS) {
		if (h->len != ((uintptr_t)h ^ MAGIC) || h->off != 0)
			abort();
	} else if (h->cls != LARGE || h->off < HDR || h->len % PAGE != 0 ||
	    h->off >= h->len)
		abort();
	return h;
}

void *
zvm_heap_alloc(size_t n)
{
	return n <= MAXSMALL ? small_alloc(class_of(n)) : large_alloc(n, HDR);
}

void *
zvm_heap_calloc(size_t k, size_t n)
{
	void *p;

	if (n != 0 && k > SIZE_MAX / n) {
		errno = ENOMEM;
		return NULL;
	}
	n *= k;
	if (n > MAXSMALL)		/* a fresh mapping: zero already */
		return large_alloc(n, HDR);
	if ((p = small_alloc(class_of(n))) != NULL)
		memset(p, 0, n);
	return p;
}

static size_t
usable(const struct hdr *h)
{
	return h->cls == LARGE ? h->len - h->off : (size_t)16 << h->cls;
}

size_t
zvm_heap_usable(const void *p)
{
	return p == NULL ? 0 : usable(checked(p));
}

void
zvm_heap_free(void *p)
{
	struct hdr *h;

	if (p == NULL)
		return;
	h = checked(p);
	if (h->cls == LARGE) {
		munmap((unsigned char *)p - h->off, h->len);
		return;
	}
	h->off = 1;
	lock();
	((struct freeblk *)p)->next = heap.free[h->cls];
	heap.free[h->cls] = p;
	unlock();
}

void *
zvm_heap_realloc(void *p, size_t n)
{
	struct hdr *h;
	size_t have;
	void *q;

	if (p == NULL)
		return zvm_heap_alloc(n);
	h = checked(p);
	have = usable(h);
	if (n <= have && (h->cls == LARGE || h->cls == 0 ||
	    n > ((size_t)16 << (h->cls - 1))))
		return p;		/* fits, and not much too big */
	if (h->cls == LARGE && h->off == HDR && n > MAXSMALL &&
	    n <= SIZE_MAX / 2) {
		size_t len = (n + HDR + PAGE - 1) & ~(PAGE - 1);
		unsigned char *m = mremap((unsigned char *)p - HDR, h->len,
		    len, MREMAP_MAYMOVE);

		if (m == MAP_FAILED) {
			errno = ENOMEM;
			return NULL;
		}
		((struct hdr *)m)->len = len;
		return m + HDR;
	}
	if ((q = zvm_heap_alloc(n)) == NULL)
		return NULL;
	memcpy(q, p, n < have ? n : have);
	zvm_heap_free(p);
	return q;
}

void *
zvm_heap_aligned(size_t align, size_t n)
{
	if (align == 0 || (align & (align - 1)) != 0) {
		errno = EINVAL;
		return NULL;
	}
	return align <= HDR ? zvm_heap_alloc(n) : large_alloc(n, align);
}

#ifdef ZVM_HEAP_MALLOC
/* musl lets a static program bring its own malloc: these are it. */
void *
malloc(size_t n)
{
	return zvm_heap_alloc(n);
}

void *
calloc(size_t k, size_t n)
{
	return zvm_heap_calloc(k, n);
}

void *
realloc(void *p, size_t n)
{
	return zvm_heap_realloc(p, n);
}

void
free(void *p)
{
	zvm_heap_free(p);
}

void *
aligned_alloc(size_t align, size_t n)
{
	return zvm_heap_aligned(align, n);
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (align < sizeof(void *) || (align & (align - 1)) != 0)
		return EINVAL;
	if ((p = zvm_heap_aligned(align, n)) == NULL)
		return ENOMEM;
	*out = p;
	return 0;
}

void *memalign(size_t, size_t);

void *
memalign(size_t align, size_t n)
{
	return zvm_heap_aligned(align, n);
}

size_t malloc_usable_size(void *);

size_t
malloc_usable_size(void *p)
{
	return zvm_heap_usable(p);
}
#endif
