/* SPDX-License-Identifier: ISC */
/*
 * scratch - the program's private writable directory (the Scratch key,
 * at /tmp): a small name space the supervisor keeps itself, of
 * directories and regular files.  Each file is an unnamed file (O_TMPFILE)
 * in a host directory zvm-run chose, held by our fd: nothing outside can
 * find it by name, and the kernel frees it when the last fd goes, so the
 * whole scratch is gone when zvm-run and the program are, whatever ends
 * them (a timeout, a crash, SIGKILL).
 *
 * Every change of a file's size goes through the supervisor (writes,
 * truncation), so the bytes held are known exactly: the sum of the sizes
 * of the files that still exist (named, or open in the program).  A
 * write that would take more than Scratch allows is cut to what fits,
 * then fails with EDQUOT; at most Files entries exist at once, past that
 * a new one fails with EDQUOT too.  A map cannot grow a file, so maps
 * run natively.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sv/state.h"

int
zvm_scr_setup(struct zvm_sv *sv, int dirfd)
{
	struct zvm_scratch *s = &sv->scr;

	s->dirfd = dirfd;
	s->on = dirfd >= 0;
	s->quota = sv->lim.scratch;
	s->maxnodes = sv->lim.files;
	sv->rep->scratch_on = s->on;
	return 0;
}

void
zvm_scr_end(struct zvm_sv *sv)
{
	struct zvm_scratch *s = &sv->scr;

	for (size_t i = 0; i < s->n; i++) {
		if (s->node[i].fd >= 0)
			close(s->node[i].fd);
		free(s->node[i].name);
	}
	free(s->node);
	s->node = NULL;
	s->n = s->cap = 0;
	if (s->dirfd >= 0)
		close(s->dirfd);
	s->dirfd = -1;
	s->on = 0;
}

const char *
zvm_scr_rel(const struct zvm_sv *sv, const char *norm)
{
	size_t k = sizeof(ZVM_SCRATCH_ALIAS) - 1;

	if (!sv->scr.on || strncmp(norm, ZVM_SCRATCH_ALIAS, k) != 0)
		return NULL;
	if (norm[k] == '\0')
		return norm + k;
	return norm[k] == '/' ? norm + k + 1 : NULL;
}

/* The live node named rel (not the root), or -1. */
static long
find(const struct zvm_scratch *s, const char *rel, size_t n)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->node[i].name && strncmp(s->node[i].name, rel, n) == 0 &&
		    s->node[i].name[n] == '\0')
			return (long)i;
	return -1;
}

int
zvm_scr_lookup(const struct zvm_sv *sv, const char *rel, long *node)
{
	const struct zvm_scratch *s = &sv->scr;
	const char *p = rel;

	*node = ZVM_SCR_ROOT;
	while (*p) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - rel) : strlen(rel);

		if (*node >= 0 && !s->node[*node].dir)
			return -ENOTDIR;
		if ((*node = find(s, rel, n)) < 0)
			return -ENOENT;
		p = e ? e + 1 : rel + n;
	}
	return 0;
}

int
zvm_scr_parent(const struct zvm_sv *sv, const char *rel)
{
	const char *e = strrchr(rel, '/');
	char dir[4096];
	long node;
	int r;

	if (*rel == '\0')
		return -EEXIST;		/* the root itself */
	if (e == NULL)
		return 0;
	snprintf(dir, sizeof(dir), "%.*s", (int)(e - rel), rel);
	if ((r = zvm_scr_lookup(sv, dir, &node)) < 0)
		return r;
	return node == ZVM_SCR_ROOT || sv->scr.node[node].dir ? 0 : -ENOTDIR;
}

/* A free slot for a new node, counted against Files: its index, or
 * -errno. */
static long
new_node(struct zvm_sv *sv)
{
	struct zvm_scratch *s = &sv->scr;
	size_t i;

	if (s->nlive >= s->maxnodes) {
		sv->rep->limits |= ZVM_LIMIT_SCRATCH;
		return -EDQUOT;
	}
	for (i = 0; i < s->n; i++)
		if (s->node[i].name == NULL && s->node[i].fd < 0 &&
		    s->node[i].open == 0)
			break;
	if (i == s->n) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 16;
			struct zvm_snode *p = realloc(s->node,
			    cap * sizeof(*p));

			if (p == NULL)
				return -ENOMEM;
			s->node = p;
			s->cap = cap;
		}
		s->n++;
	}
	memset(&s->node[i], 0, sizeof(s->node[i]));
	s->node[i].fd = -1;
	return (long)i;
}

static void
count_live(struct zvm_scratch *s, int d)
{
	s->nlive += d;
	if (s->nlive > s->peaknodes)
		s->peaknodes = s->nlive;
}

long
zvm_scr_create(struct zvm_sv *sv, const char *rel, int dir, mode_t mode)
{
	struct zvm_scratch *s = &sv->scr;
	char *name = NULL;
	long i;
	int fd = -1;

	if (rel && (name = strdup(rel)) == NULL)
		return -ENOMEM;
	if ((i = new_node(sv)) < 0) {
		free(name);
		return i;
	}
	if (!dir && (fd = openat(s->dirfd, ".", O_TMPFILE | O_RDWR |
	    O_CLOEXEC, 0600)) == -1) {
		free(name);
		return -errno;
	}
	s->node[i].name = name;
	s->node[i].fd = fd;
	s->node[i].dir = dir;
	/* As the kernel makes them: the program's umask applies. */
	s->node[i].mode = mode & 07777 & ~zvm_tr_umask(&sv->tr);
	s->node[i].ino = ++s->serial;
	count_live(s, 1);
	sv->rep->scratch_entries = s->peaknodes;
	return i;
}

/* Gone when it has neither a name nor an fd of the program's. */
static void
release(struct zvm_sv *sv, long i)
{
	struct zvm_scratch *s = &sv->scr;
	struct zvm_snode *n = &s->node[i];

	if (n->name || n->open)
		return;
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
	n->dir = 0;
	s->used -= n->size;
	n->size = 0;
	count_live(s, -1);
}

void
zvm_scr_hold(struct zvm_sv *sv, long i, int d)
{
	sv->scr.node[i].open += d;
	if (d <= 0)
		release(sv, i);
}

int
zvm_scr_remove(struct zvm_sv *sv, const char *rel, int dir)
{
	struct zvm_scratch *s = &sv->scr;
	size_t len = strlen(rel);
	long i;
	int r;

	if (*rel == '\0')
		return dir ? -EBUSY : -EISDIR;
	if ((r = zvm_scr_lookup(sv, rel, &i)) < 0)
		return r;
	if (dir && !s->node[i].dir)
		return -ENOTDIR;
	if (!dir && s->node[i].dir)
		return -EISDIR;
	for (size_t k = 0; dir && k < s->n; k++)
		if (s->node[k].name && strncmp(s->node[k].name, rel, len) ==
		    0 && s->node[k].name[len] == '/')
			return -ENOTEMPTY;
	free(s->node[i].name);
	s->node[i].name = NULL;
	release(sv, i);
	return 0;
}

int
zvm_scr_rename(struct zvm_sv *sv, const char *from, const char *to,
    unsigned flags)
{
	struct zvm_scratch *s = &sv->scr;
	size_t fl = strlen(from), tl = strlen(to);
	long i, j;
	int r;

	if (*from == '\0' || *to == '\0')
		return -EBUSY;
	if ((r = zvm_scr_lookup(sv, from, &i)) < 0)
		return r;
	if ((r = zvm_scr_parent(sv, to)) < 0)
		return r;
	/* A directory cannot go below itself. */
	if (s->node[i].dir && tl > fl && strncmp(to, from, fl) == 0 &&
	    to[fl] == '/')
		return -EINVAL;
	if ((r = zvm_scr_lookup(sv, to, &j)) == 0) {
		if (j == i)
			return 0;
		if (flags & ZVM_RENAME_NOREPLACE)
			return -EEXIST;
		if (s->node[j].dir && !s->node[i].dir)
			return -EISDIR;
		if (!s->node[j].dir && s->node[i].dir)
			return -ENOTDIR;
		if ((r = zvm_scr_remove(sv, to, s->node[j].dir)) < 0)
			return r;
	} else if (r != -ENOENT)
		return r;
	if (s->node[i].dir) {
		/* What is inside moves with it. */
		for (size_t k = 0; k < s->n; k++) {
			char *n = s->node[k].name, *m;

			if (n == NULL || strncmp(n, from, fl) != 0 ||
			    n[fl] != '/')
				continue;
			if ((m = malloc(tl + strlen(n + fl) + 1)) == NULL)
				return -ENOMEM;
			memcpy(m, to, tl);
			strcpy(m + tl, n + fl);
			free(n);
			s->node[k].name = m;
		}
	}
	{
		char *m = strdup(to);

		if (m == NULL)
			return -ENOMEM;
		free(s->node[i].name);
		s->node[i].name = m;
	}
	return 0;
}

uint64_t
zvm_scr_room(const struct zvm_sv *sv)
{
	return sv->scr.quota - sv->scr.used;
}

void
zvm_scr_grew(struct zvm_sv *sv, long i, uint64_t size)
{
	struct zvm_scratch *s = &sv->scr;

	if (size > s->node[i].size) {
		s->used += size - s->node[i].size;
		s->node[i].size = size;
	}
	if (s->used > sv->rep->scratch_bytes)
		sv->rep->scratch_bytes = s->used;
}

int
zvm_scr_resize(struct zvm_sv *sv, long i, uint64_t size)
{
	struct zvm_scratch *s = &sv->scr;
	struct zvm_snode *n = &s->node[i];

	if (size > n->size && size - n->size > zvm_scr_room(sv)) {
		sv->rep->limits |= ZVM_LIMIT_SCRATCH;
		return -EDQUOT;
	}
	if (ftruncate(n->fd, (off_t)size) == -1)
		return -errno;
	if (size < n->size) {
		s->used -= n->size - size;
		n->size = size;
	} else
		zvm_scr_grew(sv, i, size);
	return 0;
}

void
zvm_scr_stat(const struct zvm_sv *sv, long i, struct stat *st)
{
	const struct zvm_snode *n = i >= 0 ? &sv->scr.node[i] : NULL;

	if (n == NULL || n->dir || fstat(n->fd, st) == -1) {
		memset(st, 0, sizeof(*st));
		st->st_nlink = 2;
		st->st_blksize = 4096;
	}
	/* Our inode numbers and device: nothing of the host's shows. */
	st->st_dev = ZVM_DEV + 1;
	st->st_ino = n ? n->ino + 1 : 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	if (n == NULL)
		st->st_mode = S_IFDIR | 01777;
	else if (n->dir)
		st->st_mode = S_IFDIR | n->mode;
	else {
		st->st_mode = S_IFREG | n->mode;
		st->st_nlink = n->name != NULL;
	}
}

/*
 * The entries of directory rel from *pos on: ".", "..", then the nodes in
 * slot order (a slot keeps its place while it lives, so a listing that
 * goes on after an unlink neither repeats nor skips a survivor).  *pos
 * is the slot to look at next, plus 2.
 */
ssize_t
zvm_scr_list(struct zvm_sv *sv, const char *rel, uint64_t *pos,
    unsigned char *buf, size_t cap)
{
	struct zvm_scratch *s = &sv->scr;
	size_t len = 0, rl = strlen(rel);
	long dir;
	int r;

	if ((r = zvm_scr_lookup(sv, rel, &dir)) < 0)
		return r;
	for (; *pos < 2 + s->n; (*pos)++) {
		const struct zvm_snode *n;
		const char *name;

		if (*pos < 2) {
			if (zvm_dent_put(buf, &len, cap, *pos == 0 && dir >= 0 ?
			    s->node[dir].ino + 1 : 1, (int64_t)*pos + 1,
			    DT_DIR, "..", *pos + 1))
				break;
			continue;
		}
		n = &s->node[*pos - 2];
		if ((name = n->name) == NULL)
			continue;
		if (rl) {
			if (strncmp(name, rel, rl) != 0 || name[rl] != '/')
				continue;
			name += rl + 1;
		}
		if (strchr(name, '/'))
			continue;
		if (zvm_dent_put(buf, &len, cap, n->ino + 1, (int64_t)*pos + 1,
		    n->dir ? DT_DIR : DT_REG, name, strlen(name)))
			break;
	}
	if (len == 0 && *pos < 2 + s->n)
		return -EINVAL;		/* the next entry does not fit */
	return (ssize_t)len;
}
