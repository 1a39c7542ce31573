/* SPDX-License-Identifier: ISC */
/*
 * etag - xxh128 streaming over xxhash built inline (XXH_INLINE_ALL).  On
 * x86-64 the accumulate and scramble kernels exist in AVX-512, AVX2, SSE2
 * and scalar form, each compiled with its own target attribute; the best
 * one the CPU supports is picked once at startup.  Files are read with
 * pread by several threads so the copy out of the page cache overlaps
 * the hashing.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define ETAG_X86 1
#include <cpuid.h>
#include <immintrin.h>
/*
 * Ask xxhash.h for every x86 kernel, each tagged with its target, and for
 * the 64-byte alignment they all accept.
 */
#define XXH_X86DISPATCH
#define XXH_DISPATCH_AVX2 1
#define XXH_DISPATCH_AVX512 1
#define XXH_TARGET_AVX2 __attribute__((__target__("avx2")))
#define XXH_TARGET_AVX512 __attribute__((__target__("avx512f")))
#define XXH_TARGET_SSE2 __attribute__((__target__("sse2")))
#endif
#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

#include "base/etag.h"
#include "base/util.h"

_Static_assert(sizeof(XXH3_state_t) <= sizeof(((struct zvm_etag *)0)->state),
    "struct zvm_etag too small for XXH3_state_t");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "XXH3_state_t alignment");

#define ST(e)	((XXH3_state_t *)(void *)(e)->state)
#define CST(e)	((const XXH3_state_t *)(const void *)(e)->state)

typedef void update_fn(XXH3_state_t *, const void *, size_t);

/*
 * One update function per kernel: XXH3_update and the kernels are forced
 * inline, so each wrapper is a complete loop for its instruction set.
 */
static void
update_scalar(XXH3_state_t *s, const void *p, size_t n)
{
	XXH3_update(s, p, n, XXH3_accumulate_512_scalar,
	    XXH3_scrambleAcc_scalar);
}

#ifdef ETAG_X86
static void
update_sse2(XXH3_state_t *s, const void *p, size_t n)
{
	XXH3_update(s, p, n, XXH3_accumulate_512_sse2,
	    XXH3_scrambleAcc_sse2);
}

__attribute__((__target__("avx2"))) static void
update_avx2(XXH3_state_t *s, const void *p, size_t n)
{
	XXH3_update(s, p, n, XXH3_accumulate_512_avx2,
	    XXH3_scrambleAcc_avx2);
}

__attribute__((__target__("avx512f"))) static void
update_avx512(XXH3_state_t *s, const void *p, size_t n)
{
	XXH3_update(s, p, n, XXH3_accumulate_512_avx512,
	    XXH3_scrambleAcc_avx512);
}
#endif

static const struct impl {
	const char *name;
	update_fn *update;
} impls[] = {
#ifdef ETAG_X86
	{ "avx512", update_avx512 },
	{ "avx2", update_avx2 },
	{ "sse2", update_sse2 },
#endif
	{ "scalar", update_scalar },
};

/*
 * Picked on first use, not in a constructor: cpu feature detection costs
 * tens of microseconds here (cpuid traps to the hypervisor), and most runs
 * of zvm-run hash nothing.  Racing first uses pick the same entry.
 */
static const struct impl *cur;

#ifdef ETAG_X86
/*
 * cpuid and xgetbv read directly, not __builtin_cpu_supports(): that pulls
 * in libgcc's start-up constructor, which runs a dozen cpuid instructions
 * in every process (each traps to the hypervisor on a VM).  A feature
 * counts only when the OS also saves its registers (XCR0).
 */
static int
cpu_has(int avx512)
{
	unsigned a, b, c, d, lo, hi, need = avx512 ? 0xe6 : 0x06;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_OSXSAVE) ||
	    !(c & bit_AVX))
		return 0;
	__asm__ volatile ("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	if ((lo & need) != need)
		return 0;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return 0;
	return avx512 ? (b & bit_AVX512F) != 0 : (b & bit_AVX2) != 0;
}
#endif

static int
supported(const struct impl *im)
{
#ifdef ETAG_X86
	if (im->update == update_avx512)
		return cpu_has(1);
	if (im->update == update_avx2)
		return cpu_has(0);
#endif
	(void)im;
	return 1;
}

static const struct impl *
impl(void)
{
	const struct impl *im = __atomic_load_n(&cur, __ATOMIC_ACQUIRE);
	size_t i;

	if (im != NULL)
		return im;
	for (i = 0; i < sizeof impls / sizeof impls[0]; i++)
		if (supported(&impls[i]))
			break;
	im = &impls[i < sizeof impls / sizeof impls[0] ? i : i - 1];
	__atomic_store_n(&cur, im, __ATOMIC_RELEASE);
	return im;
}

const char *
zvm_etag_impl(void)
{
	return impl()->name;
}

int
zvm_etag_set_impl(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof impls / sizeof impls[0]; i++)
		if (strcmp(impls[i].name, name) == 0) {
			if (!supported(&impls[i]))
				return -1;
			__atomic_store_n(&cur, &impls[i], __ATOMIC_RELEASE);
			return 0;
		}
	return -1;
}

void
zvm_etag_init(struct zvm_etag *e)
{
	memset(e, 0, sizeof *e);
	XXH3_128bits_reset(ST(e));
}

void
zvm_etag_update(struct zvm_etag *e, const void *p, size_t n)
{
	if (n)
		impl()->update(ST(e), p, n);
}

void
zvm_etag_final(const struct zvm_etag *e, unsigned char out[ZVM_ETAG_LEN])
{
	XXH128_canonical_t c;

	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(CST(e)));
	memcpy(out, c.digest, ZVM_ETAG_LEN);
}

char *
zvm_etag_tohex(const unsigned char d[ZVM_ETAG_LEN],
    char out[ZVM_ETAG_HEXLEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < ZVM_ETAG_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[ZVM_ETAG_HEXLEN] = '\0';
	return out;
}

char *
zvm_etag_hex(const struct zvm_etag *e, char out[ZVM_ETAG_HEXLEN + 1])
{
	unsigned char d[ZVM_ETAG_LEN];

	zvm_etag_final(e, d);
	return zvm_etag_tohex(d, out);
}


int
zvm_etag_parse(const char *s, size_t n, unsigned char out[ZVM_ETAG_LEN])
{
	size_t i;

	if (n != ZVM_ETAG_HEXLEN)
		return -1;
	for (i = 0; i < ZVM_ETAG_LEN; i++) {
		int hi = zvm_hexval((unsigned char)s[2 * i]);
		int lo = zvm_hexval((unsigned char)s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * Reading.  1 MiB chunks: measured fastest with two threads on a 1 GiB
 * page-cached file (256 KiB and 8 MiB were 15-30% slower), and a chunk
 * stays in L2 between the copy and the hash.  Buffers are page-aligned:
 * pread into a malloc'd (16-byte aligned) 1 MiB buffer was 4.9x slower
 * here (384 ms against 79 ms per GiB), the kernel's copy being misaligned.
 * mmap lost too: populating and unmapping 1 GiB of 4 KiB pages cost
 * 135 ms before any hashing.
 */
#define CHUNK		((size_t)1 << 20)
#define MAXTHREADS	4
#define MINPARALLEL	((off_t)8 << 20)	/* smaller files: one thread */

struct par {
	int fd;
	struct zvm_etag *etag;
	uint64_t total;
	zvm_etag_progress_fn *progress;
	void *arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int go;			/* the thread count is final */
	int nthreads;
	uint64_t turn;		/* the chunk that may be hashed next */
	uint64_t last;		/* the final chunk (short or failed) */
	int err;		/* errno of the first failure */
};

struct worker {
	struct par *par;
	int index;
};

static ssize_t
pread_full(int fd, char *buf, size_t n, off_t off)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = pread(fd, buf + got, n - got, off + (off_t)got);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/*
 * Thread i of N reads chunks i, i + N, i + 2N, ... with pread and hashes
 * each when its turn comes, so one thread hashes while the others copy.
 * The first short or failed chunk is the last; later ones are dropped.
 */
static void *
par_worker(void *w0)
{
	struct worker *w = w0;
	struct par *p = w->par;
	uint64_t k, stride;
	char *buf;
	ssize_t n;
	int myerr;

	pthread_mutex_lock(&p->mu);
	while (!p->go)
		pthread_cond_wait(&p->cv, &p->mu);
	stride = (uint64_t)p->nthreads;
	pthread_mutex_unlock(&p->mu);
	buf = aligned_alloc(4096, CHUNK);
	for (k = (uint64_t)w->index;; k += stride) {
		myerr = 0;
		if (buf == NULL) {
			n = -1;
			myerr = ENOMEM;
		} else if ((n = pread_full(p->fd, buf, CHUNK,
		    (off_t)(k * CHUNK))) < 0)
			myerr = errno;
		pthread_mutex_lock(&p->mu);
		while (p->turn != k && k <= p->last)
			pthread_cond_wait(&p->cv, &p->mu);
		if (k > p->last) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		pthread_mutex_unlock(&p->mu);
		/* Only the thread holding the turn touches the state. */
		if (n > 0) {
			zvm_etag_update(p->etag, buf, (size_t)n);
			if (p->progress)
				p->progress(p->arg, k * CHUNK + (uint64_t)n,
				    p->total);
		}
		pthread_mutex_lock(&p->mu);
		if (myerr && !p->err)
			p->err = myerr;
		if (n != (ssize_t)CHUNK)
			p->last = k;
		p->turn = k + 1;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (n != (ssize_t)CHUNK)
			break;
	}
	free(buf);
	return NULL;
}

static int
ncpus(void)
{
	cpu_set_t set;
	int n;

	if (sched_getaffinity(0, sizeof set, &set) == -1)
		return 1;
	n = CPU_COUNT(&set);
	return n < 1 ? 1 : n > MAXTHREADS ? MAXTHREADS : n;
}

/* Returns 0, or an errno value. */
static int
hash_parallel(int fd, off_t size, int nthreads, struct zvm_etag *etag,
    zvm_etag_progress_fn *progress, void *arg)
{
	pthread_t tid[MAXTHREADS];
	struct worker w[MAXTHREADS];
	struct par p;
	int i, started = 1;

	memset(&p, 0, sizeof p);
	p.fd = fd;
	p.etag = etag;
	p.total = (uint64_t)size;
	p.progress = progress;
	p.arg = arg;
	p.last = UINT64_MAX;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	for (i = 0; i < nthreads; i++) {
		w[i].par = &p;
		w[i].index = i;
	}
	for (i = 1; i < nthreads; i++) {
		if (pthread_create(&tid[i], NULL, par_worker, &w[i]) != 0)
			break;
		started++;
	}
	pthread_mutex_lock(&p.mu);
	p.nthreads = started;
	p.go = 1;
	pthread_cond_broadcast(&p.cv);
	pthread_mutex_unlock(&p.mu);
	par_worker(&w[0]);
	for (i = 1; i < started; i++)
		pthread_join(tid[i], NULL);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return p.err;
}

static int
hash_serial(int fd, struct zvm_etag *etag, uint64_t total,
    zvm_etag_progress_fn *progress, void *arg)
{
	uint64_t done = 0;
	char *buf;
	ssize_t n;
	int rc = 0;

	if ((buf = aligned_alloc(4096, CHUNK)) == NULL)
		return ENOMEM;
	for (;;) {
		while ((n = read(fd, buf, CHUNK)) < 0 && errno == EINTR)
			;
		if (n < 0) {
			rc = errno;
			break;
		}
		if (n == 0)
			break;
		zvm_etag_update(etag, buf, (size_t)n);
		done += (uint64_t)n;
		if (progress)
			progress(arg, done, total);
	}
	free(buf);
	return rc;
}

int
zvm_etag_fd(int fd, unsigned char out[ZVM_ETAG_LEN],
    zvm_etag_progress_fn *progress, void *arg, struct zvm_error *e)
{
	struct zvm_etag etag;
	struct stat st;
	int rc, nthreads = 1;

	if (fstat(fd, &st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "fstat");
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "read");
		return -1;
	}
	zvm_etag_init(&etag);
	/* pread needs the current offset, which is 0 for a fresh open. */
	if (S_ISREG(st.st_mode) && st.st_size >= MINPARALLEL &&
	    lseek(fd, 0, SEEK_CUR) == 0)
		nthreads = ncpus();
	if (nthreads > 1)
		rc = hash_parallel(fd, st.st_size, nthreads, &etag, progress,
		    arg);
	else
		rc = hash_serial(fd, &etag,
		    S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0, progress,
		    arg);
	if (rc == ENOMEM) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	if (rc) {
		errno = rc;
		zvm_error_set(e, ZVM_E_SYS, NULL, 0, "read");
		return -1;
	}
	zvm_etag_final(&etag, out);
	return 0;
}
