/* SPDX-License-Identifier: ISC */
/*
 * untar - unpack a tar archive (read by lib/load/tar) safely.  Unpacking
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "load/tar.h"

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

		if (zvm_tar_read(t, off, buf, n) == -1)
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
		return zvm_tar_why(why, whylen, e->n, e->name, "%s",
		    why_create(errno));
	switch (e->type) {
	case ZVM_TAR_DIR:
		if (mkdirat(dfd, base, 0700) == -1 && (errno != EEXIST ||
		    fstatat(dfd, base, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
		    !S_ISDIR(st.st_mode)))
			r = zvm_tar_why(why, whylen, e->n, e->name, "%s",
			    why_create(EEXIST));
		break;
	case ZVM_TAR_REG:
		fd = openat(dfd, base, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0444);
		if (fd == -1 || copy(t, e, fd) == -1)
			r = zvm_tar_why(why, whylen, e->n, e->name, "%s",
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
			r = zvm_tar_why(why, whylen, e->n, e->name, "a hard link to "
			    "%s, which is not a regular file before it",
			    e->link);
		else if (linkat(root, e->link, dfd, base, 0) == -1)
			r = zvm_tar_why(why, whylen, e->n, e->name, "%s",
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
		return zvm_tar_why(why, whylen, e->n, e->name, "%s", strerror(errno));
	l->v = nv;
	x = &l->v[l->n];
	x->n = e->n;
	x->mtime = e->mtime;
	x->name = strdup(e->name);
	x->link = e->type == ZVM_TAR_SYM ? strdup(e->link) : NULL;
	if (x->name == NULL || (e->type == ZVM_TAR_SYM && x->link == NULL)) {
		free(x->name);
		free(x->link);
		return zvm_tar_why(why, whylen, e->n, e->name, "%s", strerror(ENOMEM));
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
			return zvm_tar_why(why, whylen, x->n, x->name, "%s",
			    why_create(errno));
		if (link && symlinkat(x->link, dfd, base) == -1)
			r = zvm_tar_why(why, whylen, x->n, x->name, "%s",
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
			r = zvm_tar_why(why, whylen, e->n, e->name, "%s",
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
