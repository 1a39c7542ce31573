/* SPDX-License-Identifier: ISC */
/*
 * tar - read uncompressed tar archives and unpack them safely.  Headers
 * are ustar (with the prefix field), GNU ("ustar  ", with 'L' and 'K'
 * long names) and pax ('x' records path, linkpath and size; 'g' is
 * ignored).  Every header's checksum is verified, every size must stay
 * inside the file, and two zero blocks must end it: a truncated or
 * corrupt archive is an error, never a shorter tree.
 *
 * Names are tidied lexically ("", "." components dropped); an absolute
 * name or one with a ".." component is refused, not changed.  Unpacking
 * creates every file and directory with *at() calls relative to a
 * directory opened with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS),
 * and the symbolic links only after everything else: no entry can make a
 * later one land outside the tree.  A name may appear once (a directory
 * may repeat, as implied parents do): a second entry of a name is an
 * error rather than tar's silent replacement.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
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

/* n bytes at off: 0, or -1 (errno; EIO: the file is shorter). */
static int
rd(const struct zvm_tar *t, uint64_t off, void *p, size_t n)
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

/* "entry N (NAME): what", the name's control bytes as '?'; "entry N:
 * what" before a name is known. */
static int
bad(char *why, size_t whylen, uint64_t n, const char *name,
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
		if (rd(t, t->pos, h, sizeof(h)) == -1)
			return bad(why, whylen, n, nm, errno == EIO ?
			    "truncated archive (no end-of-archive blocks)" :
			    "%s", strerror(errno));
		if (zero(h)) {
			if (rd(t, t->pos + ZVM_TAR_BLOCK, z, sizeof(z)) == -1)
				return bad(why, whylen, n, nm, errno == EIO ?
				    "truncated archive (one end-of-archive "
				    "block)" : "%s", strerror(errno));
			if (!zero(z))
				return bad(why, whylen, n, nm,
				    "a lone zero block inside the archive");
			if (x.path || x.link || x.size || x.mtime)
				return bad(why, whylen, n, nm,
				    "an extended header with no entry");
			t->done = 1;
			return 0;
		}
		if (!x.path)
			field(h, H_NAME, e->name);
		if (!sum_ok(h))
			return bad(why, whylen, n, e->name,
			    "bad header checksum");
		if (num(h, H_SIZE, 1, &size) == -1)
			return bad(why, whylen, n, e->name,
			    "size field does not parse");
		if (num(h, H_MTIME, 1, &mt) == -1)
			return bad(why, whylen, n, e->name,
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
			return bad(why, whylen, n, e->name, "size %ju runs "
			    "past the end of the archive", (uintmax_t)size);
		t->pos = data + padded;
		if (type == 'x' || type == 'L' || type == 'K') {
			char *buf;
			int r = 0;

			if (size > (type == 'x' ? PAXMAX : PATH_MAX))
				return bad(why, whylen, n, e->name, "%s",
				    type == 'x' ? "pax header too large" :
				    "GNU long name longer than PATH_MAX");
			if ((buf = malloc(size + 1)) == NULL)
				return bad(why, whylen, n, e->name, "%s",
				    strerror(ENOMEM));
			if (rd(t, data, buf, size) == -1) {
				free(buf);
				return bad(why, whylen, n, e->name, "%s",
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
				return bad(why, whylen, n, e->name, "%s", what);
			continue;
		}
		if (type == 'g')
			continue;
		break;
	}
	if (t->n >= ZVM_TAR_MAXENT)
		return bad(why, whylen, n, e->name, "more than %d entries",
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
		return bad(why, whylen, n, e->name, "%s ('%c'): only files, "
		    "directories and links can be in an image",
		    type_name(type), type >= ' ' && type < 0x7f ? type : '?');
	}
	e->n = n;
	e->off = t->pos - padded;
	e->size = e->type == ZVM_TAR_REG ? size : 0;
	if (tidy(e->name) == -1)
		return bad(why, whylen, n, e->name, e->name[0] == '/' ?
		    "an absolute name" : "a name with a '..' component");
	if (e->name[0] == '\0' && e->type != ZVM_TAR_DIR)
		return bad(why, whylen, n, e->name, "an empty name");
	if ((e->type == ZVM_TAR_SYM || e->type == ZVM_TAR_HARD) &&
	    e->link[0] == '\0')
		return bad(why, whylen, n, e->name, "an empty link target");
	if (e->type == ZVM_TAR_HARD && tidy(e->link) == -1)
		return bad(why, whylen, n, e->name, "a hard link to %s, "
		    "outside the archive", e->link);
	if (e->type == ZVM_TAR_HARD && e->link[0] == '\0')
		return bad(why, whylen, n, e->name, "a hard link to the root");
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

/*
 * The directory that holds name (its last component at *base), below
 * root, every component a real directory (created 0700 when create):
 * an fd, or -1 with errno.  Symbolic links are never followed.
 */
static int
parent(int root, const char *name, int create, const char **base)
{
	struct open_how how;
	char comp[PATH_MAX];
	const char *p = name, *s;
	int cur = root, next;

	memset(&how, 0, sizeof(how));
	how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS;
	while ((s = strchr(p, '/')) != NULL) {
		memcpy(comp, p, (size_t)(s - p));
		comp[s - p] = '\0';
		if (create && mkdirat(cur, comp, 0700) == -1 &&
		    errno != EEXIST)
			next = -1;
		else
			next = (int)syscall(SYS_openat2, cur, comp, &how,
			    sizeof(how));
		if (cur != root)
			close(cur);
		if (next == -1)
			return -1;
		cur = next;
		p = s + 1;
	}
	*base = p;
	return cur == root ? fcntl(root, F_DUPFD_CLOEXEC, 0) : cur;
}

static int
copy(struct zvm_tar *t, const struct zvm_tar_ent *e, int out)
{
	static unsigned char buf[65536];
	uint64_t off = e->off, left = e->size;

	while (left > 0) {
		size_t n = left < sizeof(buf) ? (size_t)left : sizeof(buf);
		ssize_t w;

		if (rd(t, off, buf, n) == -1)
			return -1;
		for (size_t done = 0; done < n; done += (size_t)w)
			if ((w = write(out, buf + done, n - done)) <= 0) {
				if (w == 0)
					errno = EIO;
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				return -1;
			}
		off += n;
		left -= n;
	}
	return 0;
}

/* What a failed creation means, for the message. */
static const char *
why_create(int err)
{
	switch (err) {
	case EEXIST:
		return "a second entry of that name (duplicates are refused)";
	case ELOOP:
	case ENOTDIR:
	case EXDEV:
		return "a parent that is not a directory";
	}
	return strerror(err);
}

/* One file, directory or hard link (symbolic links wait). */
static int
place(struct zvm_tar *t, int root, const struct zvm_tar_ent *e,
    char *why, size_t whylen)
{
	const char *base;
	struct stat st;
	int dfd, fd, r = 0;

	if (e->name[0] == '\0')
		return 0;	/* the root itself */
	if ((dfd = parent(root, e->name, 1, &base)) == -1)
		return bad(why, whylen, e->n, e->name, "%s",
		    why_create(errno));
	switch (e->type) {
	case ZVM_TAR_DIR:
		if (mkdirat(dfd, base, 0700) == -1 && (errno != EEXIST ||
		    fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISDIR(st.st_mode)))
			r = bad(why, whylen, e->n, e->name, "%s",
			    why_create(EEXIST));
		break;
	case ZVM_TAR_REG:
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0444);
		if (fd == -1 || copy(t, e, fd) == -1)
			r = bad(why, whylen, e->n, e->name, "%s",
			    why_create(errno));
		else
			(void)futimens(fd, (struct timespec[2]){
			    { e->mtime, 0 }, { e->mtime, 0 } });
		if (fd != -1)
			close(fd);
		break;
	case ZVM_TAR_HARD:
		/* No symbolic link exists yet: nothing redirects the name. */
		if (fstatat(root, e->link, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISREG(st.st_mode))
			r = bad(why, whylen, e->n, e->name, "a hard link to "
			    "%s, which is not a regular file before it",
			    e->link);
		else if (linkat(root, e->link, dfd, base, 0) == -1)
			r = bad(why, whylen, e->n, e->name, "%s",
			    why_create(errno));
		break;
	}
	close(dfd);
	return r;
}

/* An entry finished after the others: a symbolic link, a directory's
 * time. */
struct later {
	uint64_t n;
	int64_t mtime;
	char *name, *link;
};

struct laters {
	struct later *v;
	size_t n;
};

static int
add_later(struct laters *l, const struct zvm_tar_ent *e, char *why,
    size_t whylen)
{
	struct later *nv, *x;

	if ((nv = realloc(l->v, (l->n + 1) * sizeof(*l->v))) == NULL)
		return bad(why, whylen, e->n, e->name, "%s", strerror(errno));
	l->v = nv;
	x = &l->v[l->n];
	x->n = e->n;
	x->mtime = e->mtime;
	x->name = strdup(e->name);
	x->link = e->type == ZVM_TAR_SYM ? strdup(e->link) : NULL;
	if (x->name == NULL || (e->type == ZVM_TAR_SYM && x->link == NULL)) {
		free(x->name);
		free(x->link);
		return bad(why, whylen, e->n, e->name, "%s", strerror(ENOMEM));
	}
	l->n++;
	return 0;
}

static void
free_laters(struct laters *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].name);
		free(l->v[i].link);
	}
	free(l->v);
}

/* The symbolic links (link 1), or the directories' times (link 0). */
static int
finish(int root, const struct laters *l, int link, char *why,
    size_t whylen)
{
	for (size_t i = 0; i < l->n; i++) {
		const struct later *x = &l->v[i];
		struct timespec ts[2] = { { x->mtime, 0 }, { x->mtime, 0 } };
		const char *base = ".";
		int dfd, r = 0;

		if (*x->name == '\0')
			dfd = fcntl(root, F_DUPFD_CLOEXEC, 0);
		else
			dfd = parent(root, x->name, 0, &base);
		if (dfd == -1)
			return bad(why, whylen, x->n, x->name, "%s",
			    why_create(errno));
		if (link && symlinkat(x->link, dfd, base) == -1)
			r = bad(why, whylen, x->n, x->name, "%s",
			    errno == EEXIST ? "a symbolic link whose name "
			    "another entry has (duplicates are refused)" :
			    why_create(errno));
		/* Times are a courtesy: a failure to set one is not. */
		if (r == 0)
			(void)utimensat(dfd, base, ts, AT_SYMLINK_NOFOLLOW);
		close(dfd);
		if (r == -1)
			return -1;
	}
	return 0;
}

/* Names of dir's entries (fd, consumed), NUL-separated; *isdir per name. */
static char *
names(int fd, size_t *len, unsigned char **isdir, size_t *count)
{
	DIR *d = fdopendir(fd);
	struct dirent *de;
	char *v = NULL, *nv;
	unsigned char *dv = NULL, *ndv;
	size_t cap = 0, n = 0;

	*len = *count = 0;
	if (d == NULL) {
		close(fd);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		size_t l = strlen(de->d_name) + 1;
		struct stat st;
		int dir;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		dir = de->d_type == DT_DIR;
		if (de->d_type == DT_UNKNOWN)
			dir = fstatat(dirfd(d), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
		if (*len + l > cap) {
			cap = (cap + l) * 2;
			if ((nv = realloc(v, cap)) == NULL)
				goto fail;
			v = nv;
		}
		if ((ndv = realloc(dv, n + 1)) == NULL)
			goto fail;
		dv = ndv;
		memcpy(v + *len, de->d_name, l);
		*len += l;
		dv[n++] = (unsigned char)dir;
	}
	closedir(d);
	*isdir = dv;
	*count = n;
	return v ? v : calloc(1, 1);
fail:
	closedir(d);
	free(v);
	free(dv);
	return NULL;
}

/*
 * Every directory below root at path (len bytes; "" the root itself):
 * rm 0 makes it 0555; rm 1 makes it 0700 and removes what it holds.
 * Directories are reached by name from root, one fd open at a time, so
 * depth costs no fds.
 */
static int
walk(int root, char *path, size_t len, int rm)
{
	unsigned char *isdir = NULL;
	size_t nlen, count, i;
	char *v, *p;
	int fd, r = 0;

	fd = openat(root, len ? path : ".", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 || fchmod(fd, rm ? 0700 : 0555) == -1) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if ((v = names(fd, &nlen, &isdir, &count)) == NULL)
		return -1;
	for (p = v, i = 0; i < count; p += strlen(p) + 1, i++) {
		size_t l = strlen(p);

		if (len + 1 + l >= PATH_MAX) {
			errno = ENAMETOOLONG;
			r = -1;
			continue;
		}
		if (len)
			path[len] = '/';
		memcpy(path + len + (len > 0), p, l + 1);
		if (isdir[i] && walk(root, path, len + (len > 0) + l, rm) == -1)
			r = -1;
		if (rm && unlinkat(root, path, isdir[i] ? AT_REMOVEDIR : 0) ==
		    -1)
			r = -1;
		path[len] = '\0';
	}
	free(v);
	free(isdir);
	return r;
}

int
zvm_tar_unpack(int fd, int root, char *why, size_t whylen)
{
	struct zvm_tar t;
	struct zvm_tar_ent *e;
	struct laters syms = { 0 }, dirs = { 0 };
	struct stat st;
	char *path = NULL;
	int r;

	if (fstat(fd, &st) == -1 || (e = malloc(sizeof(*e))) == NULL) {
		snprintf(why, whylen, "%s", strerror(errno));
		return -1;
	}
	zvm_tar_init(&t, fd, NULL, (uint64_t)st.st_size);
	while ((r = zvm_tar_next(&t, e, why, whylen)) == 1) {
		if (e->type != ZVM_TAR_SYM) {
			if ((r = place(&t, root, e, why, whylen)) == -1 ||
			    (e->type == ZVM_TAR_DIR &&
			    (r = add_later(&dirs, e, why, whylen)) == -1))
				break;
			continue;
		}
		/* Its parents now, so a later file cannot be one. */
		if ((r = parent(root, e->name, 1, (const char *[1]){ 0 })) ==
		    -1) {
			r = bad(why, whylen, e->n, e->name, "%s",
			    why_create(errno));
			break;
		}
		close(r);
		if ((r = add_later(&syms, e, why, whylen)) == -1)
			break;
	}
	if (r == 0)
		r = finish(root, &syms, 1, why, whylen);
	if (r == 0 && ((path = malloc(PATH_MAX)) == NULL ||
	    (path[0] = '\0', walk(root, path, 0, 0)) == -1)) {
		snprintf(why, whylen, "making the tree read-only: %s",
		    strerror(errno));
		r = -1;
	}
	/* Last: every entry made in a directory changed its time. */
	if (r == 0)
		r = finish(root, &dirs, 0, why, whylen);
	free_laters(&syms);
	free_laters(&dirs);
	free(path);
	free(e);
	return r;
}

int
zvm_tar_remove(const char *dir)
{
	char *path;
	int fd, r, err;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return -1;
	if ((path = malloc(PATH_MAX)) == NULL) {
		close(fd);
		return -1;
	}
	path[0] = '\0';
	r = walk(fd, path, 0, 1);
	err = errno;
	free(path);
	close(fd);
	if (rmdir(dir) == -1)
		return -1;
	errno = err;
	return r;
}
