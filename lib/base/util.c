/* SPDX-License-Identifier: ISC */
/*
 * util - diagnostics, checked integers, byte buffers and string arenas.
 * Integer parsing is the one place that knows ZeroVM's number syntax.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"

void
zvm_error_vset(struct zvm_error *e, int code, const char *file, unsigned line,
    const char *fmt, va_list ap)
{
	e->file = file;
	e->line = line;
	e->code = code;
	e->sys_errno = code == ZVM_E_SYS ? errno : 0;
	e->warning = 0;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

void
zvm_error_set(struct zvm_error *e, int code, const char *file, unsigned line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zvm_error_vset(e, code, file, line, fmt, ap);
	va_end(ap);
}

void *
zvm_grow(void *v, size_t *cap, size_t n, size_t size, size_t first)
{
	size_t c;

	if (n < *cap)
		return v;
	c = *cap ? *cap * 2 : first;
	if (c < *cap || c > SIZE_MAX / size ||
	    (v = realloc(v, c * size)) == NULL)
		return NULL;
	*cap = c;
	return v;
}

void
zvm_diag_push(struct zvm_diag *d, const struct zvm_error *e)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 16;
		struct zvm_error *v = realloc(d->v, cap * sizeof *v);

		if (v == NULL) {
			d->dropped++;
			if (!e->warning)
				d->nerr++;
			return;
		}
		d->v = v;
		d->cap = cap;
	}
	d->v[d->n++] = *e;
	if (!e->warning)
		d->nerr++;
}

void
zvm_diag_add(struct zvm_diag *d, int warning, int code, const char *file,
    unsigned line, const char *fmt, ...)
{
	struct zvm_error e;
	va_list ap;

	va_start(ap, fmt);
	zvm_error_vset(&e, code, file, line, fmt, ap);
	va_end(ap);
	e.warning = warning;
	zvm_diag_push(d, &e);
}

void
zvm_diag_free(struct zvm_diag *d)
{
	free(d->v);
	*d = (struct zvm_diag)ZVM_DIAG_INIT;
}

const char *
zvm_error_fmt(const struct zvm_error *e, char *buf, size_t n)
{
	char sys[160] = "";

	if (e->code == ZVM_E_SYS && e->sys_errno)
		snprintf(sys, sizeof sys, ": %s", strerror(e->sys_errno));
	if (e->file && e->line)
		snprintf(buf, n, "%s:%u: %s%s", e->file, e->line, e->msg, sys);
	else if (e->file)
		snprintf(buf, n, "%s: %s%s", e->file, e->msg, sys);
	else
		snprintf(buf, n, "%s%s", e->msg, sys);
	return buf;
}

const char *
zvm_strerror(int code)
{
	static const char *const names[ZVM_E_NCODES] = {
		[ZVM_E_OK] = "ok",
		[ZVM_E_NOMEM] = "out of memory",
		[ZVM_E_SYS] = "system error",
		[ZVM_E_SYNTAX] = "syntax",
		[ZVM_E_NUMBER] = "number",
		[ZVM_E_FIELDS] = "fields",
		[ZVM_E_VALUE] = "value",
		[ZVM_E_MISSING] = "missing",
		[ZVM_E_DUPLICATE] = "duplicate",
		[ZVM_E_CHANNEL] = "channel",
		[ZVM_E_UNKNOWN] = "unknown key",
		[ZVM_E_EDIT] = "edit",
		[ZVM_E_NOMATCH] = "no match",
		[ZVM_E_PACKET] = "packet",
		[ZVM_E_TIMEOUT] = "timeout",
	};

	if (code < 0 || code >= ZVM_E_NCODES)
		return "unknown error";
	return names[code];
}

int
zvm_hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
digit(int c, unsigned base)
{
	int d = zvm_hexval(c);

	return d >= 0 && (unsigned)d < base ? d : -1;
}

/*
 * Eight decimal digits at once, as one 64-bit word: a manifest's quotas
 * are ten-digit numbers, and a digit at a time is a chain of dependent
 * multiplications.  The word is tested for digits, then pairs, quads and
 * the two halves are combined with three multiplications.
 */
static int
eight_digits(const char *s, uint64_t *out)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0u, lo8 = 0x000000ff000000ffu;
	uint64_t x;

	memcpy(&x, s, 8);
	/* Each byte 0x30..0x39: high nibble 3, and adding 6 keeps it 3. */
	if (((x & hi) | (((x + 0x0606060606060606u) & hi) >> 4)) !=
	    0x3333333333333333u)
		return 0;
	x -= 0x3030303030303030u;
	x = x * 10 + (x >> 8);		/* byte 2k: digits 2k, 2k+1 */
	*out = ((x & lo8) * (100 + (1000000ull << 32)) +
	    ((x >> 16) & lo8) * (1 + (10000ull << 32))) >> 32;
	return 1;
#else
	(void)s, (void)out;
	return 0;
#endif
}

int
zvm_parse_uint(const char *s, size_t n, uint64_t max, uint64_t *out,
    const char **why)
{
	unsigned base = 10;
	uint64_t v = 0;
	size_t i = 0;

	if (n == 0)
		return *why = "empty number", -1;
	if (s[0] == '-' || s[0] == '+')
		return *why = "sign not allowed", -1;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		i = 2;
		if (n == 2)
			return *why = "no digits after 0x", -1;
	} else if (n >= 2 && s[0] == '0') {
		base = 8;
		i = 1;
	}
	/*
	 * Decimal, up to 19 digits: nearly every manifest number.  No
	 * such number overflows 64 bits, so one comparison with max at the
	 * end does what the loop below does a digit: the value read so far
	 * is above max ("out of range") before a non-digit is seen.
	 */
	if (base == 10 && n <= 19) {
		unsigned d;

		for (uint64_t c; n - i >= 8 && eight_digits(s + i, &c); i += 8)
			v = v * 100000000 + c;
		for (; i < n && (d = (unsigned char)s[i] - '0') <= 9; i++)
			v = v * 10 + d;
		if (v > max)
			return *why = "out of range", -1;
		if (i < n)
			return *why = "not a number", -1;
		*out = v;
		return 0;
	}
	for (; i < n; i++) {
		int d = digit((unsigned char)s[i], base);

		if (d < 0) {
			if (base == 8 && digit((unsigned char)s[i], 10) >= 0)
				*why = "invalid octal digit (a leading 0 "
				    "means octal)";
			else
				*why = "not a number";
			return -1;
		}
		if ((uint64_t)d > max || v > (max - (uint64_t)d) / base)
			return *why = "out of range", -1;
		v = v * base + (uint64_t)d;
	}
	*out = v;
	return 0;
}

int
zvm_parse_size(const char *s, uint64_t *out, const char **why)
{
	size_t n = strlen(s), end = n;
	unsigned shift = 0;
	uint64_t v;

	/*
	 * Suffixes: K, KB, KiB (any case) and the same for M, G, T.  A bare
	 * trailing B is not one, so hexadecimal 0x1B stays a number.
	 */
	if (end >= 2 && (s[end - 1] == 'B' || s[end - 1] == 'b')) {
		size_t e = end - 1;

		if (e >= 2 && (s[e - 1] == 'i' || s[e - 1] == 'I'))
			e--;
		if (strchr("kKmMgGtT", s[e - 1]) != NULL)
			end = e;
	}
	if (end >= 2) {
		switch (s[end - 1]) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		case 't': case 'T': shift = 40; break;
		}
	}
	if (shift)
		end--;
	if (zvm_parse_uint(s, end, ZVM_INT_MAX, &v, why) == -1)
		return -1;
	if (v > ZVM_INT_MAX >> shift)
		return *why = "out of range", -1;
	*out = v << shift;
	return 0;
}

static int
isblank_c(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

const char *
zvm_trim(const char *s, size_t *n)
{
	size_t len = *n;

	while (len && isblank_c((unsigned char)*s))
		s++, len--;
	while (len && isblank_c((unsigned char)s[len - 1]))
		len--;
	*n = len;
	return s;
}

static int
buf_grow(struct zvm_buf *b, size_t need)
{
	size_t cap;
	char *p;

	if (b->oom)
		return -1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap *= 2;
	if ((p = realloc(b->p, cap)) == NULL) {
		b->oom = 1;
		return -1;
	}
	b->p = p;
	b->cap = cap;
	return 0;
}

void
zvm_buf_add(struct zvm_buf *b, const void *s, size_t n)
{
	if (n == 0 || buf_grow(b, b->len + n + 1) == -1)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
zvm_buf_adds(struct zvm_buf *b, const char *s)
{
	zvm_buf_add(b, s, strlen(s));
}

void
zvm_buf_addc(struct zvm_buf *b, int c)
{
	char ch = (char)c;

	zvm_buf_add(b, &ch, 1);
}

void
zvm_buf_addu(struct zvm_buf *b, uint64_t v)
{
	char tmp[24];
	size_t i = sizeof tmp;

	do
		tmp[--i] = (char)('0' + v % 10);
	while (v /= 10);
	zvm_buf_add(b, tmp + i, sizeof tmp - i);
}

void
zvm_buf_printf(struct zvm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || buf_grow(b, b->len + (size_t)n + 1) == -1)
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
zvm_buf_free(struct zvm_buf *b)
{
	free(b->p);
	*b = (struct zvm_buf)ZVM_BUF_INIT;
}

struct zvm_chunk {
	struct zvm_chunk *next;
	size_t used, size;
	_Alignas(16) unsigned char data[];
};

void *
zvm_arena_alloc(struct zvm_arena *a, size_t n)
{
	struct zvm_chunk *c = a->head;
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (c == NULL || c->size - c->used < n) {
		/*
		 * Chunks grow from 4 KiB to 64 KiB: a small manifest costs no
		 * mmap (musl maps large blocks), a large one few mallocs.
		 */
		size_t size = c == NULL ? 4096 - sizeof *c :
		    c->size >= 32768 ? 65536 : c->size * 2;

		if (size < n)
			size = n;

		if ((c = malloc(sizeof *c + size)) == NULL)
			return NULL;
		c->used = 0;
		c->size = size;
		c->next = a->head;
		a->head = c;
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

char *
zvm_arena_strndup(struct zvm_arena *a, const char *s, size_t n)
{
	char *p = zvm_arena_alloc(a, n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
zvm_arena_free(struct zvm_arena *a)
{
	struct zvm_chunk *c, *next;

	for (c = a->head; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

int
zvm_read_fd(int fd, char **bufp, size_t *lenp)
{
	size_t len = 0, cap = 16384;
	char *buf = malloc(cap), *p;
	ssize_t r;

	if (buf == NULL)
		return -1;
	for (;;) {
		if (cap - len < 2) {
			if (cap > SIZE_MAX / 2 || (p = realloc(buf, cap * 2)) == NULL) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = p;
			cap *= 2;
		}
		r = read(fd, buf + len, cap - len - 1);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			return -1;
		}
		len += (size_t)r;
	}
	buf[len] = '\0';
	*bufp = buf;
	*lenp = len;
	return 0;
}

int
zvm_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

int
zvm_close_stdout(void)
{
	int bad = fflush(stdout) != 0 || ferror(stdout);
	int saved = errno;

	if (fclose(stdout) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	errno = saved ? saved : EIO;
	return bad ? -1 : 0;
}

int
zvm_all_digits(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}
