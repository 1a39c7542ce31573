/* SPDX-License-Identifier: ISC */
/*
 * names - the calls on a path: open finds an alias, a name inside a
 * directory image, a virtual directory or the Program (any other path is
 * ENOENT); stat, access, readlink and chdir answer from the same lookup.
 * Paths are copied out of the program once and looked up lexically
 * against "/"; the only host names ever opened for it are inside an
 * image, by openat2 under the image's root (lib/sv/image).  Regular files
 * that may be mapped (libraries, image files) are opened as a real fd
 * injected above ZVM_NVFD (lib/sv/fds).  A call that would change the
 * file system is refused with EACCES, but inside the scratch directory
 * (lib/sv/scratch), whose names only the supervisor keeps.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "base/path.h"
#include "manifest/channel.h"
#include "sv/handler.h"

/* What a path names. */
enum { W_CHAN, W_IMG, W_VDIR, W_PROG, W_EXE, W_DEV, W_SCR };

/* The kernel's O_ACCMODE: musl's holds O_PATH (as O_SEARCH) too. */
#define ACCMODE 3

struct where {
	int kind;
	int chan;		/* W_CHAN, W_IMG */
	int vdev;		/* W_DEV */
	const char *rel;	/* W_IMG, W_SCR: the name below the root ("" the
				 * root), in norm for W_SCR */
	char norm[4096 + 2];	/* normalized absolute path */
};

/* The Program and what its symbolic links lead to. */
static int
is_prog(const struct zvm_sv *sv, const char *norm)
{
	return (sv->prog && strcmp(norm, sv->prog) == 0) ||
	    (sv->progreal && strcmp(norm, sv->progreal) == 0);
}

/*
 * /dev/fd/N, and /dev/stdin, /dev/stdout and /dev/stderr when no channel
 * has those aliases: what fd N is open on, opened anew (as Linux reopens
 * it through /proc/self/fd): a channel, a device, a directory by its
 * name.  1 when the path is none of these; -ENOENT for an fd that is
 * not open, or one whose file has no name here (a pipe, an image file).
 */
static int
fd_path(struct zvm_sv *sv, struct where *w)
{
	static const char *const std[] = { "/dev/stdin", "/dev/stdout",
	    "/dev/stderr" };
	const char *p = w->norm;
	struct zvm_ofd *o;
	struct zvm_inj *j;
	unsigned long n = 0;
	char *e;

	for (n = 0; n < 3 && strcmp(p, std[n]) != 0; n++)
		;
	if (n == 3) {
		if (strncmp(p, "/dev/fd/", 8) != 0 || p[8] < '0' ||
		    p[8] > '9')
			return 1;
		n = strtoul(p + 8, &e, 10);
		if (*e != '\0' || n > UINT32_MAX)
			return -ENOENT;
	}
	if ((o = zvm_fd_get(sv, n)) != NULL) {
		if (o->vdev) {
			w->kind = W_DEV;
			w->vdev = o->vdev;
			return 0;
		}
		if (o->chan >= 0 && !o->vdir && o->hostfd < 0) {
			w->kind = W_CHAN;
			w->chan = o->chan;
			return 0;
		}
		if (o->vdir && o->name) {
			snprintf(w->norm, sizeof(w->norm), "%s", o->name);
			w->kind = W_VDIR;
			return 0;
		}
	} else if ((j = zvm_inj_get(sv, n)) != NULL && j->chan >= 0 &&
	    sv->src[j->chan].kind != ZVM_SRC_DIR) {
		w->kind = W_CHAN;
		w->chan = j->chan;
		return 0;
	}
	return -ENOENT;
}

/*
 * Where a path names (relative paths resolve against dirfd's directory or
 * "/"): a channel alias first, then a device or /dev/fd/N, a name inside
 * the image whose alias is its longest prefix, the Program,
 * /proc/self/exe, a virtual directory; -ENOENT for anything else.
 */
static int
lookup(struct zvm_sv *sv, uint64_t dirfd, uint64_t addr, struct where *w)
{
	char path[4096], full[8192 + 2];
	const char *srel;
	size_t best = 0;
	int r;

	if ((r = zvm_tr_peekstr(&sv->tr, addr, path, sizeof(path))) < 0)
		return r;
	if (path[0] == '\0')
		return -ENOENT;
	if (path[0] != '/' && (int)dirfd != AT_FDCWD) {
		struct zvm_ofd *o = zvm_fd_get(sv, dirfd);

		if (o == NULL)
			return zvm_inj_get(sv, dirfd) ? -ENOTDIR : -EBADF;
		if (o->name == NULL)
			return -ENOTDIR;
		snprintf(full, sizeof(full), "%s/%s", o->name, path);
	} else
		snprintf(full, sizeof(full), "%s", path);
	if (strlen(full) >= 4096)
		return -ENAMETOOLONG;
	zvm_path_lexical_to(full, w->norm);
	w->chan = -1;
	for (size_t i = 0; i < sv->nsrc; i++) {
		const char *a = sv->nalias[i];
		size_t n = strlen(a);

		if (strcmp(a, w->norm) == 0) {
			w->kind = sv->src[i].kind == ZVM_SRC_DIR ? W_IMG :
			    W_CHAN;
			w->chan = (int)i;
			w->rel = "";
			return 0;
		}
		if (sv->src[i].kind == ZVM_SRC_DIR && n > best &&
		    strncmp(a, w->norm, n) == 0 && (w->norm[n] == '/' ||
		    n == 1)) {
			best = n;
			w->chan = (int)i;
			w->rel = w->norm + n + (n > 1);
		}
	}
	/* The devices, before an image that might hold a host's. */
	if ((w->vdev = zvm_vdev_lookup(w->norm)) != ZVM_VDEV_NONE) {
		w->kind = W_DEV;
		return 0;
	}
	if ((r = fd_path(sv, w)) <= 0)
		return r;
	/* The scratch, even inside a root image: no alias is in it. */
	if ((srel = zvm_scr_rel(sv, w->norm)) != NULL) {
		w->kind = W_SCR;
		w->rel = srel;
		return 0;
	}
	if (w->chan >= 0) {
		w->kind = W_IMG;
		return 0;
	}
	if (is_prog(sv, w->norm)) {
		w->kind = W_PROG;
		return 0;
	}
	/* ld.so reads it for $ORIGIN; the rest of /proc does not exist. */
	if (strcmp(w->norm, "/proc/self/exe") == 0) {
		w->kind = W_EXE;
		return 0;
	}
	if (zvm_vdir_is(sv, w->norm)) {
		w->kind = W_VDIR;
		return 0;
	}
	return -ENOENT;
}

/*
 * Regular read-only channels that may be mapped get an injected real fd,
 * the native data path's (lib/sv/injio): random-read ones but the std
 * streams.  With ZVM_COPY only those at an alias outside /dev
 * (zvm-manifest names the loader, ld.so.cache, libraries and --file
 * channels by their own paths; @file data channels live in /dev, and
 * stay virtual with every semantic of a channel fd).  Sequential ones
 * stay virtual: one position for the channel, lseek is ESPIPE.
 */
static int
injectable(const struct zvm_sv *sv, int chan)
{
	const struct zvm_source *s = &sv->src[chan];

	return s->kind == ZVM_SRC_REG && s->acc == ZVM_ACC_READ &&
	    s->std < 0 && (s->c->type & ZVM_TYPE_RANDOM_READ) &&
	    (!sv->copy || strncmp(sv->nalias[chan], "/dev/", 5) != 0);
}

/*
 * Write-only channels of a regular file written at random (what @w:FILE
 * makes) get one too on the native path (lib/sv/injio): their writes
 * that fit run natively.  Not with ZVM_COPY; never the std streams.
 */
static int
injectable_w(const struct zvm_sv *sv, int chan)
{
	const struct zvm_source *s = &sv->src[chan];

	return !sv->copy && s->kind == ZVM_SRC_REG &&
	    s->acc == ZVM_ACC_WRITE && s->std < 0 &&
	    (s->c->type & ZVM_TYPE_RANDOM_WRITE);
}

/* Open a channel's file again for injection: our own open file
 * description of the file our source fd holds (through /proc/self/fd, so
 * no name is looked up again), checked to be the file we checked; fl:
 * O_RDONLY, or O_WRONLY with the program's O_APPEND.  Opened O_NONBLOCK
 * (a lease another process holds then fails the open, never blocks us),
 * which F_GETFL must not show on what is a regular file.  openat(2), not
 * open(3): musl's open adds an fcntl for kernels without O_CLOEXEC. */
static int
reopen_chan(struct zvm_sv *sv, int chan, int fl)
{
	const struct zvm_source *s = &sv->src[chan];
	char proc[64];
	struct stat st;
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", s->fd);
	if (s->fd < 0 || (fd = openat(AT_FDCWD, proc, fl | O_CLOEXEC |
	    O_NOCTTY | O_NONBLOCK)) == -1)
		return s->fd < 0 ? -ENOENT : -errno;
	if (fstat(fd, &st) == -1 || st.st_dev != s->dev ||
	    st.st_ino != s->ino || fcntl(fd, F_SETFL, fl & O_APPEND) == -1) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Answer the open with fd injected, if Files leaves room for it. */
static int
inject(struct zvm_sv *sv, struct zvm_resp *r, int fd, int chan,
    uint64_t size, uint32_t fl)
{
	int e = zvm_inj_offer(sv, r, fd, chan, size, fl & O_CLOEXEC);

	return e < 0 ? e : 1;
}

/* A directory fd: virtual, or an image's (hostfd, which it owns). */
static int
open_dir(struct zvm_sv *sv, const struct where *w, int chan, int hostfd,
    uint32_t fl)
{
	struct zvm_ofd *o = NULL;
	int fd;

	if ((fd = zvm_fd_lowest(sv, 0)) >= 0 && ((o = zvm_fd_new(chan,
	    ZVM_ACC_READ)) == NULL || (o->name = strdup(w->norm)) == NULL))
		fd = -ENOMEM;
	if (fd < 0) {
		free(o);
		if (hostfd >= 0)
			close(hostfd);
		return fd;
	}
	o->vdir = hostfd < 0;
	o->hostfd = hostfd;
	o->path = (fl & O_PATH) != 0;
	zvm_fd_install(sv, fd, o, fl & O_CLOEXEC);
	return fd;
}

/* Open inside an image: directories become virtual fds holding ours,
 * regular files are injected, anything else is refused. */
static int
open_img(struct zvm_sv *sv, const struct where *w, uint32_t fl,
    struct zvm_resp *r)
{
	struct stat st, st2;
	int fd, pfd;

	if ((fl & ACCMODE) != O_RDONLY || (fl & O_TRUNC) ||
	    (fl & O_TMPFILE) == O_TMPFILE)
		return -EROFS;
	pfd = zvm_img_open(sv, w->chan, w->rel, O_PATH |
	    (fl & (O_NOFOLLOW | O_DIRECTORY)));
	if (pfd < 0)
		return pfd == -ENOENT && (fl & O_CREAT) ? -EROFS : pfd;
	if ((fl & O_CREAT) && (fl & O_EXCL)) {
		close(pfd);
		return -EEXIST;
	}
	if (fstat(pfd, &st) == -1) {
		fd = -errno;
		close(pfd);
		return fd;
	}
	close(pfd);
	if (S_ISLNK(st.st_mode))	/* O_NOFOLLOW on a link */
		return (fl & O_PATH) ? -EACCES : -ELOOP;
	if (!S_ISDIR(st.st_mode) && (fl & O_DIRECTORY))
		return -ENOTDIR;
	if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode))
		return -EACCES;
	/* Ours, for real now, and still what fstat saw. */
	fd = zvm_img_open(sv, w->chan, w->rel, O_RDONLY | O_NONBLOCK |
	    (S_ISDIR(st.st_mode) ? O_DIRECTORY : 0));
	if (fd < 0)
		return fd;
	if (fstat(fd, &st2) == -1 || st2.st_dev != st.st_dev ||
	    st2.st_ino != st.st_ino) {
		close(fd);
		return -ENOENT;
	}
	if (S_ISDIR(st.st_mode))
		return open_dir(sv, w, w->chan, fd, fl);
	if (fl & O_PATH) {
		close(fd);
		return -EACCES;
	}
	return inject(sv, r, fd, w->chan, (uint64_t)st.st_size, fl);
}

/* What an open's access mode asks for: ZVM_ACC_*, or -EINVAL. */
static int
access_of(uint32_t fl)
{
	switch (fl & ACCMODE) {
	case O_RDONLY:
		return ZVM_ACC_READ;
	case O_WRONLY:
		return ZVM_ACC_WRITE;
	case O_RDWR:
		return ZVM_ACC_RW;
	}
	return -EINVAL;
}

/* A device: a virtual fd of its own, open for what the flags ask. */
static int
open_dev(struct zvm_sv *sv, const struct where *w, uint32_t fl)
{
	struct zvm_ofd *o;
	int fd, acc;

	if ((fl & O_CREAT) && (fl & O_EXCL))
		return -EEXIST;
	if (fl & O_DIRECTORY)
		return -ENOTDIR;
	if ((acc = access_of(fl)) < 0)
		return acc;
	if ((fd = zvm_fd_lowest(sv, 0)) < 0)
		return fd;
	if ((o = zvm_fd_new(-1, (fl & O_PATH) ? 0 : acc)) == NULL)
		return -ENOMEM;
	o->vdev = w->vdev;
	o->path = (fl & O_PATH) != 0;
	o->flags = fl & (O_APPEND | O_NONBLOCK);
	zvm_fd_install(sv, fd, o, fl & O_CLOEXEC);
	return fd;
}

/*
 * Open in the scratch: a directory is a virtual fd; a file (made here
 * with O_CREAT, unnamed with O_TMPFILE) is an open of our unnamed file
 * anew through /proc/self/fd, so it has its own offset and access mode,
 * injected.  Its writes and truncation come to us (lib/sv/injio).
 */
static int
open_scr(struct zvm_sv *sv, const struct where *w, uint32_t fl, mode_t mode,
    struct zvm_resp *r)
{
	char proc[64];
	long i;
	int e, fd;

	if ((e = access_of(fl)) < 0)
		return e;
	if ((fl & O_TMPFILE) == O_TMPFILE) {
		if ((e = zvm_scr_lookup(sv, w->rel, &i)) < 0)
			return e;
		if (i != ZVM_SCR_ROOT && !sv->scr.node[i].dir)
			return -ENOTDIR;
		if ((fl & ACCMODE) == O_RDONLY)
			return -EINVAL;
		if ((i = zvm_scr_create(sv, NULL, 0, mode)) < 0)
			return (int)i;
	} else {
		e = zvm_scr_lookup(sv, w->rel, &i);
		if (e == -ENOENT && (fl & O_CREAT) && !(fl & O_PATH)) {
			if ((e = zvm_scr_parent(sv, w->rel)) < 0)
				return e;
			if (fl & O_DIRECTORY)
				return -EINVAL;
			if ((i = zvm_scr_create(sv, w->rel, 0, mode)) < 0)
				return (int)i;
		} else if (e < 0)
			return e;
		else if ((fl & O_CREAT) && (fl & O_EXCL))
			return -EEXIST;
		if (i == ZVM_SCR_ROOT || sv->scr.node[i].dir) {
			if ((fl & ACCMODE) != O_RDONLY || (fl & O_CREAT))
				return -EISDIR;
			return open_dir(sv, w, -1, -1, fl);
		}
		if (fl & O_DIRECTORY)
			return -ENOTDIR;
		if (fl & O_PATH)
			return -EACCES;
		if ((fl & O_TRUNC) && (fl & ACCMODE) != O_RDONLY &&
		    (e = zvm_scr_resize(sv, i, 0)) < 0)
			return e;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", sv->scr.node[i].fd);
	if ((fd = open(proc, (fl & (ACCMODE | O_APPEND | O_NONBLOCK)) |
	    O_CLOEXEC)) == -1) {
		e = -errno;
		zvm_scr_hold(sv, i, 0);
		return e;
	}
	if ((e = zvm_inj_offer(sv, r, fd, ZVM_INJ_SCRATCH, 0,
	    fl & O_CLOEXEC)) < 0) {
		zvm_scr_hold(sv, i, 0);
		return e;
	}
	r->injnode = i;
	return 1;
}

static int
do_open(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, uint32_t fl,
    mode_t mode, struct zvm_resp *r)
{
	struct where w;
	struct zvm_ofd *o;
	int chan, fd, want, acc, e;

	/* The kernel keeps only these of an O_PATH open's flags. */
	if (fl & O_PATH)
		fl &= O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW;
	if ((e = lookup(sv, dirfd, path, &w)) < 0)
		return e;
	switch (w.kind) {
	case W_IMG:
		return open_img(sv, &w, fl, r);
	case W_SCR:
		return open_scr(sv, &w, fl, mode, r);
	case W_VDIR:
		if ((fl & ACCMODE) != O_RDONLY || (fl & O_CREAT))
			return -EISDIR;
		return open_dir(sv, &w, -1, -1, fl);
	case W_PROG:
	case W_EXE:
		return (fl & O_CREAT) && (fl & O_EXCL) ? -EEXIST : -EACCES;
	case W_DEV:
		return open_dev(sv, &w, fl);
	}
	chan = w.chan;
	if ((fl & O_CREAT) && (fl & O_EXCL))
		return -EEXIST;
	if (fl & O_DIRECTORY)
		return -ENOTDIR;
	acc = sv->src[chan].acc;
	if ((want = access_of(fl)) < 0)
		return want;
	if (fl & O_PATH)
		want = 0;
	else if ((acc & want) != want)
		return -EACCES;
	if (want == ZVM_ACC_READ && injectable(sv, chan)) {
		if ((fd = reopen_chan(sv, chan, O_RDONLY)) < 0)
			return fd;
		return inject(sv, r, fd, chan, sv->src[chan].size, fl);
	}
	if (want == ZVM_ACC_WRITE && injectable_w(sv, chan)) {
		if ((fd = reopen_chan(sv, chan, O_WRONLY |
		    (fl & O_APPEND))) < 0)
			return fd;
		return inject(sv, r, fd, chan, sv->src[chan].size, fl);
	}
	if ((fd = zvm_fd_lowest(sv, 0)) < 0)
		return fd;
	if ((o = zvm_fd_new(chan, want)) == NULL)
		return -ENOMEM;
	o->path = (fl & O_PATH) != 0;
	o->flags = fl & (O_APPEND | O_NONBLOCK);
	zvm_fd_install(sv, fd, o, fl & O_CLOEXEC);
	return fd;
}

/* What stat says of a path; nofollow: lstat. */
static int
path_stat(struct zvm_sv *sv, const struct where *w, int nofollow,
    struct stat *st)
{
	int fd, e = 0;

	long i;

	switch (w->kind) {
	case W_CHAN:
		zvm_stat_chan(sv, w->chan, st);
		return 0;
	case W_SCR:
		if ((e = zvm_scr_lookup(sv, w->rel, &i)) < 0)
			return e;
		zvm_scr_stat(sv, i, st);
		return 0;
	case W_IMG:
		if ((fd = zvm_img_open(sv, w->chan, w->rel, O_PATH |
		    (nofollow ? O_NOFOLLOW : 0))) < 0)
			return fd;
		if (fstat(fd, st) == -1)
			e = -errno;
		close(fd);
		return e;
	case W_VDIR:
		zvm_vdir_stat(w->norm, st);
		return 0;
	case W_DEV:
		zvm_vdev_stat(w->vdev, st);
		return 0;
	case W_PROG:
		/* The manifest named it: the host's own answer. */
		return (nofollow ? lstat(w->norm, st) : stat(w->norm, st)) ==
		    -1 ? -errno : 0;
	}
	if (nofollow) {			/* W_EXE: a link, as in /proc */
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFLNK | 0777;
		st->st_nlink = 1;
		st->st_dev = ZVM_DEV;
		st->st_size = strlen(sv->progreal);
		return 0;
	}
	return stat(sv->progreal, st) == -1 ? -errno : 0;
}

/* stat family: an fd (AT_EMPTY_PATH with "") or a path. */
static int
do_stat(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, int flags,
    uint64_t buf, int x)
{
	struct stat st;
	struct where w;
	char c;
	int e;

	if ((flags & AT_EMPTY_PATH) && zvm_tr_peek(&sv->tr, path, &c, 1) == 0 &&
	    c == '\0') {
		if ((int)dirfd == AT_FDCWD)	/* the directory "/" */
			zvm_vdir_stat("/", &st);
		else if ((e = zvm_stat_fd(sv, dirfd, &st)) < 0)
			return e;
	} else if ((e = lookup(sv, dirfd, path, &w)) < 0 ||
	    (e = path_stat(sv, &w, flags & AT_SYMLINK_NOFOLLOW, &st)) < 0)
		return e;
	return zvm_stat_put(sv, &st, buf, x);
}

static int
do_access(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, uint32_t mode)
{
	struct stat st;
	struct where w;
	int e, acc;

	if ((e = lookup(sv, dirfd, path, &w)) < 0)
		return e;
	if (w.kind != W_CHAN) {
		/* Trees of their own are read-only; x as the mode says. */
		if ((e = path_stat(sv, &w, 0, &st)) < 0)
			return e;
		if ((mode & W_OK) && w.kind != W_DEV && w.kind != W_SCR)
			return w.kind == W_IMG ? -EROFS : -EACCES;
		if ((mode & X_OK) && !(st.st_mode & 0111))
			return -EACCES;
		return 0;
	}
	acc = sv->src[w.chan].acc;
	if ((mode & X_OK) || ((mode & R_OK) && !(acc & ZVM_ACC_READ)) ||
	    ((mode & W_OK) && !(acc & ZVM_ACC_WRITE)))
		return -EACCES;
	return 0;
}

/* readlink(at): links inside images, the Program's, /proc/self/exe. */
static int64_t
do_readlink(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, uint64_t buf,
    uint64_t size)
{
	char link[4096];
	struct where w;
	ssize_t n = -1;
	int e, fd;

	if ((int64_t)size <= 0)
		return -EINVAL;
	if ((e = lookup(sv, dirfd, path, &w)) < 0)
		return e;
	switch (w.kind) {
	case W_SCR: {
		struct stat st;

		/* It holds no links. */
		return (e = path_stat(sv, &w, 1, &st)) < 0 ? e : -EINVAL;
	}
	case W_IMG:
		if ((fd = zvm_img_open(sv, w.chan, w.rel, O_PATH |
		    O_NOFOLLOW)) < 0)
			return fd;
		n = readlinkat(fd, "", link, sizeof(link));
		e = errno == ENOENT ? EINVAL : errno;
		close(fd);
		if (n < 0)
			return -e;
		break;
	case W_PROG:
		if ((n = readlink(w.norm, link, sizeof(link))) < 0)
			return -errno;
		break;
	case W_EXE:
		n = strlen(sv->progreal);
		memcpy(link, sv->progreal, n);
		break;
	default:
		return -EINVAL;
	}
	if ((uint64_t)n > size)
		n = size;
	return zvm_tr_poke(&sv->tr, buf, link, n) < 0 ? -EFAULT : n;
}

static int
do_chdir(struct zvm_sv *sv, uint64_t path)
{
	struct where w;
	int e;

	if ((e = lookup(sv, AT_FDCWD, path, &w)) < 0)
		return e;
	if (w.kind == W_VDIR && strcmp(w.norm, "/") == 0)
		return 0;
	if (w.kind == W_SCR) {
		struct stat st;

		if ((e = path_stat(sv, &w, 0, &st)) < 0)
			return e;
		return S_ISDIR(st.st_mode) ? -EACCES : -ENOTDIR;
	}
	return w.kind == W_VDIR || (w.kind == W_IMG && !*w.rel) ? -EACCES :
	    -ENOTDIR;
}

/* mkdir, unlink, rmdir, truncate, chmod of rel: 0 or -errno. */
static int
scr_change(struct zvm_sv *sv, int nr, const struct where *w, uint64_t arg,
    unsigned flags)
{
	struct zvm_snode *n;
	long i;
	int e;

	switch (nr) {
	case SYS_mkdir:
	case SYS_mkdirat:
		if (zvm_scr_lookup(sv, w->rel, &i) == 0)
			return -EEXIST;
		if ((e = zvm_scr_parent(sv, w->rel)) < 0)
			return e;
		return (e = (int)zvm_scr_create(sv, w->rel, 1, arg)) < 0 ? e :
		    0;
	case SYS_unlink:
	case SYS_rmdir:
	case SYS_unlinkat:
		if (flags & ~(unsigned)AT_REMOVEDIR)
			return -EINVAL;
		return zvm_scr_remove(sv, w->rel, nr == SYS_rmdir ||
		    (flags & AT_REMOVEDIR));
	}
	if ((e = zvm_scr_lookup(sv, w->rel, &i)) < 0)
		return e;
	if (i == ZVM_SCR_ROOT)		/* zvm-run's, as /tmp is root's */
		return nr == SYS_truncate ? -EISDIR : -EPERM;
	n = &sv->scr.node[i];
	if (nr != SYS_truncate) {	/* chmod, fchmodat */
		n->mode = arg & 07777;
		return 0;
	}
	if (n->dir)
		return -EISDIR;
	return (int64_t)arg < 0 ? -EINVAL : zvm_scr_resize(sv, i, arg);
}

/*
 * utimensat of a file of the scratch (an fd of it with no path, as
 * futimens calls it, or a path in it): set on our fd.  A directory's
 * times are ours, never stored: they stay 0.  1 with *v the answer, 0
 * when it is not the scratch's.
 */
static int
scr_times(struct zvm_sv *sv, const __u64 *a, int64_t *v)
{
	struct timespec ts[2];
	struct zvm_inj *j;
	struct where w;
	long i = ZVM_SCR_ROOT;

	if (a[1] == 0) {
		if ((j = zvm_inj_get(sv, a[0])) == NULL ||
		    j->chan != ZVM_INJ_SCRATCH)
			return 0;
		i = j->node;
	} else if (lookup(sv, a[0], a[1], &w) < 0 || w.kind != W_SCR)
		return 0;
	else if ((*v = zvm_scr_lookup(sv, w.rel, &i)) < 0)
		return 1;
	if (a[3] & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return *v = -EINVAL, 1;
	if (a[2] && zvm_tr_peek(&sv->tr, a[2], ts, sizeof(ts)) < 0)
		return *v = -EFAULT, 1;
	*v = 0;
	if (i != ZVM_SCR_ROOT && !sv->scr.node[i].dir &&
	    futimens(sv->scr.node[i].fd, a[2] ? ts : NULL) == -1)
		*v = -errno;
	return 1;
}

/*
 * statfs and fstatfs of the scratch: a tmpfs of Scratch bytes and Files
 * entries, what is left of them free.  1 with *v the answer, 0 when it
 * is not the scratch's (any other file system is none of the
 * program's business).
 */
static int
scr_statfs(struct zvm_sv *sv, int nr, const __u64 *a, int64_t *v)
{
	const struct zvm_scratch *s = &sv->scr;
	struct zvm_ofd *o = zvm_fd_get(sv, a[0]);
	struct zvm_inj *j = zvm_inj_get(sv, a[0]);
	struct statfs f;
	struct where w;
	long i;

	if (nr == SYS_statfs) {
		if (lookup(sv, AT_FDCWD, a[0], &w) < 0 || w.kind != W_SCR)
			return 0;
		if ((*v = zvm_scr_lookup(sv, w.rel, &i)) < 0)
			return 1;
	} else if (!(j && j->chan == ZVM_INJ_SCRATCH) && !(o && o->vdir &&
	    zvm_scr_rel(sv, o->name)))
		return 0;
	memset(&f, 0, sizeof(f));
	f.f_type = 0x01021994;		/* TMPFS_MAGIC */
	f.f_bsize = f.f_frsize = 4096;
	f.f_blocks = s->quota / 4096;
	f.f_bfree = f.f_bavail = zvm_scr_room(sv) / 4096;
	f.f_files = s->maxnodes;
	f.f_ffree = s->maxnodes - s->nlive;
	f.f_namelen = 255;
	*v = zvm_tr_poke(&sv->tr, a[1], &f, sizeof(f)) < 0 ? -EFAULT : 0;
	return 1;
}

/*
 * The calls that change names, only ever inside the scratch: 1 with *v
 * the answer, or 0 when the call is not the scratch's (denied).  A
 * rename between the scratch and anything else is EXDEV, as between
 * two file systems.
 */
static int
scr_call(struct zvm_sv *sv, const struct seccomp_notif *req, int64_t *v)
{
	const __u64 *a = req->data.args;
	uint64_t dirfd = AT_FDCWD, path = a[0], arg = a[1];
	int nr = req->data.nr, in1, in2;
	struct where w, w2;
	struct zvm_inj *j;
	unsigned flags = 0;

	switch (nr) {
	case SYS_fchmod:
		if ((j = zvm_inj_get(sv, a[0])) == NULL ||
		    j->chan != ZVM_INJ_SCRATCH)
			return 0;
		sv->scr.node[j->node].mode = a[1] & 07777;
		*v = 0;
		return 1;
	case SYS_utimensat:
		return scr_times(sv, a, v);
	case SYS_rename:
	case SYS_renameat:
	case SYS_renameat2:
		if (nr != SYS_rename) {
			in1 = lookup(sv, a[0], a[1], &w) == 0 && w.kind == W_SCR;
			in2 = lookup(sv, a[2], a[3], &w2) == 0 &&
			    w2.kind == W_SCR;
			flags = nr == SYS_renameat2 ? (unsigned)a[4] : 0;
		} else {
			in1 = lookup(sv, AT_FDCWD, a[0], &w) == 0 &&
			    w.kind == W_SCR;
			in2 = lookup(sv, AT_FDCWD, a[1], &w2) == 0 &&
			    w2.kind == W_SCR;
		}
		if (!in1 && !in2)
			return 0;
		if (flags & ~ZVM_RENAME_NOREPLACE)
			*v = -EINVAL;	/* no exchange, no whiteout */
		else
			*v = in1 && in2 ? zvm_scr_rename(sv, w.rel, w2.rel,
			    flags) : -EXDEV;
		return 1;
	case SYS_mkdirat:
	case SYS_fchmodat:
		dirfd = a[0];
		path = a[1];
		arg = a[2];
		break;
	case SYS_unlinkat:
		dirfd = a[0];
		path = a[1];
		flags = (unsigned)a[2];
		break;
	case SYS_mkdir: case SYS_unlink: case SYS_rmdir:
	case SYS_truncate: case SYS_chmod:
		break;
	default:
		return 0;
	}
	if (lookup(sv, dirfd, path, &w) < 0 || w.kind != W_SCR)
		return 0;
	*v = scr_change(sv, nr, &w, arg, flags);
	return 1;
}

int
zvm_h_name(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int64_t v;

	switch (req->data.nr) {
	case SYS_open:
		v = do_open(sv, AT_FDCWD, a[0], (uint32_t)a[1], a[2], r);
		break;
	case SYS_creat:
		v = do_open(sv, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC,
		    a[1], r);
		break;
	case SYS_openat:
		v = do_open(sv, a[0], a[1], (uint32_t)a[2], a[3], r);
		break;
	case SYS_stat:
		v = do_stat(sv, AT_FDCWD, a[0], 0, a[1], 0);
		break;
	case SYS_lstat:
		v = do_stat(sv, AT_FDCWD, a[0], AT_SYMLINK_NOFOLLOW, a[1], 0);
		break;
	case SYS_newfstatat:
		v = do_stat(sv, a[0], a[1], a[3], a[2], 0);
		break;
	case SYS_statx:
		v = do_stat(sv, a[0], a[1], a[2], a[4], 1);
		break;
	case SYS_access:
		v = do_access(sv, AT_FDCWD, a[0], a[1]);
		break;
	case SYS_faccessat:
	case SYS_faccessat2:
		v = do_access(sv, a[0], a[1], a[2]);
		break;
	case SYS_readlink:
		v = do_readlink(sv, AT_FDCWD, a[0], a[1], a[2]);
		break;
	case SYS_readlinkat:
		v = do_readlink(sv, a[0], a[1], a[2], a[3]);
		break;
	case SYS_getcwd:
		v = a[1] < 2 ? -ERANGE : zvm_tr_poke(&sv->tr, a[0], "/", 2);
		if (v == 0)
			v = 2;
		break;
	case SYS_chdir:
		/* The working directory stays "/" (getcwd says so). */
		v = do_chdir(sv, a[0]);
		break;
	case SYS_statfs:
	case SYS_fstatfs:
		if (scr_statfs(sv, req->data.nr, a, &v))
			break;
		zvm_deny(sv, req, r, ENOSYS);
		return ZVM_H_DONE;
	default:
		/* The table sends here every call that would change the
		 * file system (lib/sv/table): only ever in the scratch. */
		if (scr_call(sv, req, &v))
			break;
		zvm_deny(sv, req, r, EACCES);
		return ZVM_H_DONE;
	}
	if (v < 0)
		r->error = (int)-v;
	else
		r->val = v;
	return ZVM_H_DONE;
}
