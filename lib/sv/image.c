/* SPDX-License-Identifier: ISC */
/*
 * image - the program's file name space beyond its channels: directory
 * images (a channel whose uri is a directory: a read-only tree under its
 * alias), the virtual directories that hold the aliases ("/", "/dev" and
 * every parent of an alias, and the scratch's parent), the Program's own
 * path and /proc/self/exe.
 * A name inside an image is resolved by the kernel with openat2() under
 * the image's root (RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
 * RESOLVE_NO_XDEV): "..", symbolic links that lead out of it, absolute
 * ones and magic links fail, and nothing is resolved twice (no
 * realpath-then-open).  The name was normalized lexically first, so no
 * ".." reaches the kernel at all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/path.h"
#include "sv/state.h"

int
zvm_img_setup(struct zvm_sv *sv)
{
	if ((sv->nalias = calloc(sv->nsrc + 1, sizeof(char *))) == NULL)
		return -1;
	for (size_t i = 0; i < sv->nsrc; i++)
		if ((sv->nalias[i] = zvm_path_lexical(sv->src[i].c->alias)) ==
		    NULL)
			return -1;
	return 0;
}

void
zvm_img_end(struct zvm_sv *sv)
{
	for (size_t i = 0; sv->nalias && i < sv->nsrc; i++)
		free(sv->nalias[i]);
	free(sv->nalias);
	sv->nalias = NULL;
}

int
zvm_img_open(struct zvm_sv *sv, int chan, const char *rel, int flags)
{
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	/* openat2 refuses O_NOCTTY with O_PATH: it opens nothing. */
	how.flags = flags | O_CLOEXEC | (flags & O_PATH ? 0 : O_NOCTTY);
	how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS |
	    RESOLVE_NO_XDEV;
	fd = syscall(SYS_openat2, sv->src[chan].fd, *rel ? rel : ".", &how,
	    sizeof(how));
	if (fd >= 0)
		return (int)fd;
	/* A way out of the tree leads nowhere in the program's world. */
	return errno == EXDEV ? -ENOENT : -errno;
}

/* Is a (normalized, not "/") strictly below d (normalized)?  Returns
 * the start of the rest. */
static const char *
below(const char *d, const char *a)
{
	size_t n = strlen(d);

	if (strcmp(d, "/") == 0)
		return a[0] == '/' && a[1] ? a + 1 : NULL;
	return strncmp(a, d, n) == 0 && a[n] == '/' && a[n + 1] ? a + n + 1 :
	    NULL;
}

/* Names the virtual directories hold besides the channels'. */
static const char *
extra(const struct zvm_sv *sv, size_t i)
{
	switch (i) {
	case 0:
		return "/dev";
	case 1:
		return sv->prog;
	case 2:
		return sv->progreal;
	case 3:
		return sv->scr.on ? ZVM_SCRATCH_ALIAS : NULL;
	}
	return NULL;
}
#define NEXTRA 4

int
zvm_vdir_is(const struct zvm_sv *sv, const char *norm)
{
	const char *x;

	if (strcmp(norm, "/") == 0 || strcmp(norm, "/dev") == 0)
		return 1;
	for (size_t i = 0; i < sv->nsrc; i++)
		if (below(norm, sv->nalias[i]))
			return 1;
	for (size_t i = 1; i < NEXTRA; i++)
		if ((x = extra(sv, i)) != NULL && below(norm, x))
			return 1;
	return 0;
}

/* The kernel's struct linux_dirent64. */
struct dent {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

int
zvm_dent_put(unsigned char *buf, size_t *len, size_t cap, uint64_t ino,
    int64_t off, unsigned char type, const char *name, size_t nlen)
{
	size_t rl = (offsetof(struct dent, name) + nlen + 1 + 7) & ~(size_t)7;
	struct dent *d = (struct dent *)(buf + *len);

	if (*len + rl > cap)
		return 1;
	memset(d, 0, rl);
	d->ino = ino;
	d->off = off;
	d->reclen = (unsigned short)rl;
	d->type = type;
	memcpy(d->name, name, nlen);
	*len += rl;
	return 0;
}

size_t
zvm_dent_len(const unsigned char *p)
{
	return ((const struct dent *)p)->reclen;
}

/* Append name (len bytes) to the listing if it is not there yet. */
static int
add(unsigned char *buf, size_t *len, size_t cap, size_t *count,
    uint64_t skip, const char *name, size_t nlen, unsigned char type,
    unsigned char *seen, size_t *nseen, size_t seencap)
{
	size_t i = 0;

	/* seen: the names so far, NUL-separated, to drop duplicates */
	while (i < *nseen) {
		size_t l = strlen((char *)seen + i);

		if (l == nlen && memcmp(seen + i, name, nlen) == 0)
			return 0;
		i += l + 1;
	}
	if (*nseen + nlen + 1 > seencap)
		return -ENOMEM;
	memcpy(seen + *nseen, name, nlen);
	seen[*nseen + nlen] = '\0';
	*nseen += nlen + 1;
	if ((*count)++ < skip)
		return 0;
	return zvm_dent_put(buf, len, cap, 1 + *count, (int64_t)*count, type,
	    name, nlen);
}

static unsigned char
dtype(const struct zvm_source *s)
{
	switch (s->kind) {
	case ZVM_SRC_DIR:
		return DT_DIR;
	case ZVM_SRC_CHR:
		return DT_CHR;
	case ZVM_SRC_FIFO:
		return DT_FIFO;
	}
	return DT_REG;
}

ssize_t
zvm_vdir_list(struct zvm_sv *sv, const char *dir, uint64_t *pos,
    unsigned char *buf, size_t cap)
{
	size_t len = 0, count = 0, nseen = 0, seencap = 65536;
	unsigned char *seen;
	const char *rel;
	int r = 0;

	if ((rel = zvm_scr_rel(sv, dir)) != NULL)
		return zvm_scr_list(sv, rel, pos, buf, cap);
	if ((seen = malloc(seencap)) == NULL)
		return -ENOMEM;
	r = add(buf, &len, cap, &count, *pos, ".", 1, DT_DIR, seen, &nseen,
	    seencap);
	if (r == 0)
		r = add(buf, &len, cap, &count, *pos, "..", 2, DT_DIR, seen,
		    &nseen, seencap);
	for (size_t i = 0; r == 0 && i < sv->nsrc + NEXTRA; i++) {
		const char *a, *rest, *e;
		unsigned char t;

		a = i < sv->nsrc ? sv->nalias[i] : extra(sv, i - sv->nsrc);
		if (a == NULL || (rest = below(dir, a)) == NULL)
			continue;
		e = strchr(rest, '/');
		if (e)
			t = DT_DIR;
		else if (i < sv->nsrc)
			t = dtype(&sv->src[i]);
		else if (i == sv->nsrc || i == sv->nsrc + 3)
			t = DT_DIR;
		else
			t = i == sv->nsrc + 1 && strcmp(sv->prog,
			    sv->progreal) ? DT_LNK : DT_REG;
		r = add(buf, &len, cap, &count, *pos, rest,
		    e ? (size_t)(e - rest) : strlen(rest), t, seen, &nseen,
		    seencap);
	}
	/* The devices, after any channel of the same name. */
	for (int k = 1; r == 0 && strcmp(dir, "/dev") == 0 && k < ZVM_NVDEV;
	    k++)
		r = add(buf, &len, cap, &count, *pos, zvm_vdev_name(k),
		    strlen(zvm_vdev_name(k)), DT_CHR, seen, &nseen, seencap);
	free(seen);
	if (r < 0)
		return r;
	if (r == 1 && len == 0)
		return -EINVAL;		/* the next entry does not fit */
	for (size_t o = 0; o < len; o += zvm_dent_len(buf + o))
		(*pos)++;
	return (ssize_t)len;
}

void
zvm_vdir_stat(const char *path, struct stat *st)
{
	uint64_t h = 1469598103934665603ULL;

	/* A stable inode number per name (FNV-1a). */
	for (const char *p = path; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	memset(st, 0, sizeof(*st));
	st->st_dev = ZVM_DEV;
	st->st_ino = h | (1ULL << 62);
	st->st_nlink = 2;
	st->st_mode = S_IFDIR | 0555;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_blksize = 4096;
}
