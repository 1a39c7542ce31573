/* SPDX-License-Identifier: ISC */
/*
 * tar - read uncompressed tar archives (untar.c unpacks them).  Headers
 * are ustar (with the prefix field), GNU ("ustar  ", with 'L' and 'K'
 * long names) and pax ('x' records path, linkpath and size; 'g' is
 * ignored).  Every header's checksum is verified, every size must stay
 * inside the file, and two zero blocks must end it: a truncated or
 * corrupt archive is an error, never a shorter tree.
 *
 * Names are tidied lexically ("", "." components dropped); an absolute
 * name or one with a ".." component is refused, not changed.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/tar.h"

#define PAXMAX	(1 << 20)	/* bytes of one pax extended header */

/* Header fields: offset and length. */
#define H_NAME		0, 100
#define H_SIZE		124, 12
#define H_MTIME		136, 12
#define H_CHKSUM	148, 8
#define H_LINK		157, 100
#define H_PREFIX	345, 155
#define O_TYPE		156
#define O_MAGIC		257

static int
zero(const unsigned char *b)
{
	for (size_t i = 0; i < ZVM_TAR_BLOCK; i++)
		if (b[i])
			return 0;
	return 1;
}

/* A field's bytes up to its first NUL, as a string in out. */
static void
field(const unsigned char *b, size_t off, size_t len, char *out)
{
	size_t n = strnlen((const char *)b + off, len);

	memcpy(out, b + off, n);
	out[n] = '\0';
}

/*
 * A numeric field: octal digits after optional spaces, ended by a space
 * or NUL; or, where b256, GNU's base-256 (first byte 0x80, big-endian).
 */
static int
num(const unsigned char *b, size_t off, size_t len, int b256, uint64_t *v)
{
	const unsigned char *p = b + off;
	uint64_t x = 0;
	size_t i = 0;

	if (b256 && (p[0] & 0x80)) {
		if (p[0] & 0x40)	/* negative */
			return -1;
		x = p[0] & 0x3f;
		for (i = 1; i < len; i++) {
			if (x > (UINT64_MAX >> 8))
				return -1;
			x = x << 8 | p[i];
		}
		if (x > INT64_MAX)
			return -1;
		*v = x;
		return 0;
	}
	while (i < len && p[i] == ' ')
		i++;
	if (i == len || p[i] < '0' || p[i] > '7')
		return -1;
	for (; i < len && p[i] >= '0' && p[i] <= '7'; i++) {
		if (x > (UINT64_MAX >> 3))
			return -1;
		x = x << 3 | (uint64_t)(p[i] - '0');
	}
	for (; i < len; i++)
		if (p[i] != ' ' && p[i] != '\0')
			return -1;
	*v = x;
	return 0;
}

/* The checksum is right (unsigned sum, or the signed one old tars made). */
static int
sum_ok(const unsigned char *b)
{
	uint64_t want, u = 0;
	int64_t s = 0;

	if (num(b, H_CHKSUM, 0, &want) == -1)
		return 0;
	for (size_t i = 0; i < ZVM_TAR_BLOCK; i++) {
		unsigned char c = i >= 148 && i < 156 ? ' ' : b[i];

		u += c;
		s += (signed char)c;
	}
	return want == u || (int64_t)want == s;
}

int
zvm_tar_is(const unsigned char *h, size_t n)
{
	if (n < ZVM_TAR_BLOCK)
		return 0;
	/* The magic alone: a bad checksum is the reader's to report. */
	return memcmp(h + O_MAGIC, "ustar\0" "00", 8) == 0 ||
	    memcmp(h + O_MAGIC, "ustar  \0", 8) == 0;
}

void
zvm_tar_init(struct zvm_tar *t, int fd, const void *buf, uint64_t len)
{
	memset(t, 0, sizeof(*t));
	t->fd = fd;
	t->buf = buf;
	t->len = len;
}

int
zvm_tar_read(const struct zvm_tar *t, uint64_t off, void *p, size_t n)
{
	ssize_t r;

	if (off > t->len || n > t->len - off) {
		errno = EIO;
		return -1;
	}
	if (t->buf) {
		memcpy(p, t->buf + off, n);
		return 0;
	}
	while (n > 0) {
		if ((r = pread(t->fd, p, n, (off_t)off)) <= 0) {
			if (r == -1 && errno == EINTR)
				continue;
			if (r == 0)
				errno = EIO;
			return -1;
		}
		p = (char *)p + r;
		off += (uint64_t)r;
		n -= (size_t)r;
	}
	return 0;
}

int
zvm_tar_why(char *why, size_t whylen, uint64_t n, const char *name,
    const char *fmt, ...)
{
	char nm[104];		/* the message must fit a struct zvm_error */
	size_t i;
	va_list ap;
	int k;

	for (i = 0; name[i] && i < sizeof(nm) - 4; i++)
		nm[i] = (unsigned char)name[i] < ' ' || name[i] == 0x7f ?
		    '?' : name[i];
	if (name[i])
		nm[i++] = '.', nm[i++] = '.', nm[i++] = '.';
	nm[i] = '\0';
	k = snprintf(why, whylen, *nm ? "entry %ju (%s): " : "entry %ju: ",
	    (uintmax_t)n, nm);
	if (k >= 0 && (size_t)k < whylen) {
		va_start(ap, fmt);
		vsnprintf(why + k, whylen - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/*
 * Tidy a name in place: drop empty and "." components and a trailing
 * slash.  -1 for an absolute name or one with a ".." component.
 */
static int
tidy(char *s)
{
	char *w = s, *p = s;

	if (*s == '/')
		return -1;
	while (*p) {
		char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return -1;
		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (w != s)
				*w++ = '/';
			memmove(w, p, n);
			w += n;
		}
		p += n + (e != NULL);
	}
	*w = '\0';
	return 0;
}

/* Copy a pax value (n bytes) into out (PATH_MAX). */
static int
pax_str(const char *v, size_t n, char *out)
{
	if (n >= PATH_MAX || memchr(v, '\0', n))
		return -1;
	memcpy(out, v, n);
	out[n] = '\0';
	return 0;
}

/* What extended headers said of the next entry. */
struct ext {
	int path, link, size, mtime;	/* given */
	uint64_t sz;
};

/* A pax number: decimal digits, for mtime an optional '-' and fraction
 * (dropped).  0 or -1. */
static int
pax_num(const char *v, size_t n, int time, int64_t *out)
{
	size_t i = 0;
	uint64_t x = 0;
	int neg = 0;

	if (time && n > 0 && v[0] == '-')
		neg = 1, i = 1;
	if (i == n)
		return -1;
	for (; i < n && v[i] >= '0' && v[i] <= '9'; i++) {
		if (x > INT64_MAX / 10)
			return -1;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (time && i < n && v[i] == '.')
		for (i++; i < n && v[i] >= '0' && v[i] <= '9'; i++)
			;
	if (i != n || x > INT64_MAX)
		return -1;
	*out = neg ? -(int64_t)x : (int64_t)x;
	return 0;
}

/* The records of a pax extended header: "LEN KEY=VALUE\n". */
static int
pax(const char *p, size_t len, struct zvm_tar_ent *e, struct ext *x,
    const char **what)
{
	const char *end = p + len;

	while (p < end) {
		const char *k, *eq, *rec;
		uint64_t n = 0;
		int64_t v;
		size_t kl, vl;

		/* Zero padding after the last record. */
		if (*p == '\0')
			break;
		for (rec = p; p < end && *p >= '0' && *p <= '9'; p++) {
			if (n > PAXMAX)
				break;
			n = n * 10 + (uint64_t)(*p - '0');
		}
		if (p == rec || p >= end || *p != ' ' || n > (uint64_t)(end -
		    rec) || n < (uint64_t)(p - rec) + 3 || rec[n - 1] != '\n') {
			*what = "a pax record that does not parse";
			return -1;
		}
		k = p + 1;
		eq = memchr(k, '=', (size_t)(rec + n - 1 - k));
		if (eq == NULL) {
			*what = "a pax record with no '='";
			return -1;
		}
		kl = (size_t)(eq - k);
		vl = (size_t)(rec + n - 1 - (eq + 1));
		p = rec + n;
		if (kl == 4 && memcmp(k, "path", 4) == 0) {
			if (pax_str(eq + 1, vl, e->name) == -1) {
				*what = "a pax path longer than PATH_MAX or "
				    "holding a NUL";
				return -1;
			}
			x->path = vl > 0;
		} else if (kl == 8 && memcmp(k, "linkpath", 8) == 0) {
			if (pax_str(eq + 1, vl, e->link) == -1) {
				*what = "a pax linkpath longer than PATH_MAX "
				    "or holding a NUL";
				return -1;
			}
			x->link = vl > 0;
		} else if (kl == 4 && memcmp(k, "size", 4) == 0) {
			if (pax_num(eq + 1, vl, 0, &v) == -1) {
				*what = "a pax size that does not parse";
				return -1;
			}
			x->sz = (uint64_t)v;
			x->size = 1;
		} else if (kl == 5 && memcmp(k, "mtime", 5) == 0) {
			if (pax_num(eq + 1, vl, 1, &e->mtime) == -1) {
				*what = "a pax mtime that does not parse";
				return -1;
			}
			x->mtime = 1;
		}
	}
	return 0;
}

static const char *
type_name(int c)
{
	switch (c) {
	case '3':
		return "a character device";
	case '4':
		return "a block device";
	case '6':
		return "a FIFO";
	case 'S':
		return "a GNU sparse file";
	case 'V':
		return "a GNU volume header";
	case 'M':
		return "a GNU multi-volume continuation";
	}
	return "an unknown entry type";
}

int
zvm_tar_next(struct zvm_tar *t, struct zvm_tar_ent *e, char *why,
    size_t whylen)
{
	unsigned char h[ZVM_TAR_BLOCK], z[ZVM_TAR_BLOCK];
	struct ext x = { 0 };
	uint64_t n = t->n + 1, size, mt, data, padded;
	const char *what;
	int type;

	e->name[0] = e->link[0] = '\0';
	for (;;) {
		const char *nm = x.path ? e->name : "";

		if (t->done)
			return 0;
		if (zvm_tar_read(t, t->pos, h, sizeof(h)) == -1)
			return zvm_tar_why(why, whylen, n, nm, errno == EIO ?
			    "truncated archive (no end-of-archive blocks)" :
			    "%s", strerror(errno));
		if (zero(h)) {
			if (zvm_tar_read(t, t->pos + ZVM_TAR_BLOCK, z, sizeof(z)) == -1)
				return zvm_tar_why(why, whylen, n, nm, errno == EIO ?
				    "truncated archive (one end-of-archive "
				    "block)" : "%s", strerror(errno));
			if (!zero(z))
				return zvm_tar_why(why, whylen, n, nm,
				    "a lone zero block inside the archive");
			if (x.path || x.link || x.size || x.mtime)
				return zvm_tar_why(why, whylen, n, nm,
				    "an extended header with no entry");
			t->done = 1;
			return 0;
		}
		if (!x.path)
			field(h, H_NAME, e->name);
		if (!sum_ok(h))
			return zvm_tar_why(why, whylen, n, e->name,
			    "bad header checksum");
		if (num(h, H_SIZE, 1, &size) == -1)
			return zvm_tar_why(why, whylen, n, e->name,
			    "size field does not parse");
		if (num(h, H_MTIME, 1, &mt) == -1)
			return zvm_tar_why(why, whylen, n, e->name,
			    "mtime field does not parse");
		type = h[O_TYPE];
		if (x.size && type != 'x' && type != 'g' && type != 'L' &&
		    type != 'K')
			size = x.sz;
		data = t->pos + ZVM_TAR_BLOCK;
		padded = (size + ZVM_TAR_BLOCK - 1) / ZVM_TAR_BLOCK *
		    ZVM_TAR_BLOCK;
		if (size > INT64_MAX || data > t->len ||
		    padded > t->len - data)
			return zvm_tar_why(why, whylen, n, e->name, "size %ju runs "
			    "past the end of the archive", (uintmax_t)size);
		t->pos = data + padded;
		if (type == 'x' || type == 'L' || type == 'K') {
			char *buf;
			int r = 0;

			if (size > (type == 'x' ? PAXMAX : PATH_MAX))
				return zvm_tar_why(why, whylen, n, e->name, "%s",
				    type == 'x' ? "pax header too large" :
				    "GNU long name longer than PATH_MAX");
			if ((buf = malloc(size + 1)) == NULL)
				return zvm_tar_why(why, whylen, n, e->name, "%s",
				    strerror(ENOMEM));
			if (zvm_tar_read(t, data, buf, size) == -1) {
				free(buf);
				return zvm_tar_why(why, whylen, n, e->name, "%s",
				    strerror(errno));
			}
			buf[size] = '\0';
			if (type == 'x')
				r = pax(buf, size, e, &x, &what);
			else if (strlen(buf) >= PATH_MAX) {
				r = -1;
				what = "GNU long name longer than PATH_MAX";
			} else {
				strcpy(type == 'L' ? e->name : e->link, buf);
				*(type == 'L' ? &x.path : &x.link) = 1;
			}
			free(buf);
			if (r == -1)
				return zvm_tar_why(why, whylen, n, e->name, "%s", what);
			continue;
		}
		if (type == 'g')
			continue;
		break;
	}
	if (t->n >= ZVM_TAR_MAXENT)
		return zvm_tar_why(why, whylen, n, e->name, "more than %d entries",
		    ZVM_TAR_MAXENT);
	t->n = n;
	/* ustar's prefix: GNU headers hold other fields there. */
	if (!x.path && memcmp(h + O_MAGIC, "ustar\0", 6) == 0 &&
	    h[345] != '\0') {
		char pre[156];

		field(h, H_PREFIX, pre);
		memmove(e->name + strlen(pre) + 1, e->name,
		    strlen(e->name) + 1);
		memcpy(e->name, pre, strlen(pre));
		e->name[strlen(pre)] = '/';
	}
	if (!x.link)
		field(h, H_LINK, e->link);
	if (!x.mtime)
		e->mtime = (int64_t)mt;
	switch (type) {
	case '0':
	case '\0':
	case '7':
		e->type = ZVM_TAR_REG;
		break;
	case '1':
		e->type = ZVM_TAR_HARD;
		break;
	case '2':
		e->type = ZVM_TAR_SYM;
		break;
	case '5':
		e->type = ZVM_TAR_DIR;
		break;
	default:
		return zvm_tar_why(why, whylen, n, e->name, "%s ('%c'): only files, "
		    "directories and links can be in an image",
		    type_name(type), type >= ' ' && type < 0x7f ? type : '?');
	}
	e->n = n;
	e->off = t->pos - padded;
	e->size = e->type == ZVM_TAR_REG ? size : 0;
	if (tidy(e->name) == -1)
		return zvm_tar_why(why, whylen, n, e->name, e->name[0] == '/' ?
		    "an absolute name" : "a name with a '..' component");
	if (e->name[0] == '\0' && e->type != ZVM_TAR_DIR)
		return zvm_tar_why(why, whylen, n, e->name, "an empty name");
	if ((e->type == ZVM_TAR_SYM || e->type == ZVM_TAR_HARD) &&
	    e->link[0] == '\0')
		return zvm_tar_why(why, whylen, n, e->name, "an empty link target");
	if (e->type == ZVM_TAR_HARD && tidy(e->link) == -1)
		return zvm_tar_why(why, whylen, n, e->name, "a hard link to %s, "
		    "outside the archive", e->link);
	if (e->type == ZVM_TAR_HARD && e->link[0] == '\0')
		return zvm_tar_why(why, whylen, n, e->name, "a hard link to the root");
	return 1;
}

int
zvm_tar_check(int fd, char *why, size_t whylen)
{
	struct zvm_tar t;
	struct zvm_tar_ent *e;
	struct stat st;
	int r;

	if (fstat(fd, &st) == -1) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	if ((e = malloc(sizeof(*e))) == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	zvm_tar_init(&t, fd, NULL, (uint64_t)st.st_size);
	while ((r = zvm_tar_next(&t, e, why, whylen)) == 1)
		;
	free(e);
	return r;
}

