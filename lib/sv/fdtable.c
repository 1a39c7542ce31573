/* SPDX-License-Identifier: ISC */
/*
 * fdtable - the program's file descriptors and paths: open finds an
 * alias, a name inside a directory image, a virtual directory or the
 * Program (any other path is ENOENT); fds below ZVM_NVFD index open file
 * descriptions that dup shares, and stat, lseek, fcntl and ioctl answer
 * from the channel.  Paths are copied out of the program once and looked
 * up lexically against "/"; the only host names ever opened for it are
 * inside an image, by openat2 under the image's root (lib/sv/image).  Reads
 * of files that may be mapped (libraries, image files) go through a real
 * fd injected above ZVM_NVFD (lib/sv/inject); the calls on those that the
 * filter notifies are answered here too.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "base/path.h"
#include "sv/sv.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

struct zvm_ofd *
zvm_fd_get(struct zvm_sv *sv, uint64_t fdarg)
{
	uint32_t fd = (uint32_t)fdarg;

	return fd < ZVM_NVFD ? sv->fd[fd] : NULL;
}

static void
put(struct zvm_sv *sv, int fd)
{
	struct zvm_ofd *o = sv->fd[fd];

	sv->fd[fd] = NULL;
	sv->cloexec[fd] = 0;
	if (o && --o->refs == 0) {
		if (o->hostfd >= 0)
			close(o->hostfd);
		free(o->name);
		free(o);
	}
}

static struct zvm_ofd *
new_ofd(int chan, int acc)
{
	struct zvm_ofd *o = calloc(1, sizeof(*o));

	if (o) {
		o->chan = chan;
		o->acc = acc;
		o->hostfd = -1;
	}
	return o;
}

/* Lowest free fd at or above min; -EMFILE when none. */
static int
lowest(struct zvm_sv *sv, unsigned min)
{
	for (unsigned i = min; i < ZVM_NVFD; i++)
		if (sv->fd[i] == NULL)
			return i;
	return -EMFILE;
}

static void
install(struct zvm_sv *sv, int fd, struct zvm_ofd *o, int cloexec)
{
	if (sv->fd[fd])
		put(sv, fd);
	o->refs++;
	sv->fd[fd] = o;
	sv->cloexec[fd] = cloexec != 0;
}

void
zvm_fd_closeall(struct zvm_sv *sv)
{
	for (int i = 0; i < ZVM_NVFD; i++)
		put(sv, i);
}

/* What a path names. */
enum { W_CHAN, W_IMG, W_VDIR, W_PROG, W_EXE };

/* The kernel's O_ACCMODE: musl's holds O_PATH (as O_SEARCH) too. */
#define ACCMODE 3

struct where {
	int kind;
	int chan;		/* W_CHAN, W_IMG */
	const char *rel;	/* W_IMG: the name below the root ("" root) */
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
 * Where a path names (relative paths resolve against dirfd's directory or
 * "/"): a channel alias first, then a name inside the image whose alias
 * is its longest prefix, the Program, /proc/self/exe, a virtual
 * directory; -ENOENT for anything else.
 */
static int
lookup(struct zvm_sv *sv, uint64_t dirfd, uint64_t addr, struct where *w)
{
	char path[4096], full[8192 + 2];
	size_t best = 0;
	int r;

	if ((r = zvm_sv_peekstr(sv, addr, path, sizeof(path))) < 0)
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
 * Regular read-only channels that may be mapped get an injected real fd:
 * random-read ones at an alias outside /dev (zvm-manifest names the
 * loader, ld.so.cache, libraries and --file channels by their own paths;
 * @file data channels and the std streams live in /dev, and stay
 * virtual with every semantic of a channel fd).
 */
static int
injectable(const struct zvm_sv *sv, int chan)
{
	const struct zvm_source *s = &sv->src[chan];

	return s->kind == ZVM_SRC_REG && s->acc == ZVM_ACC_READ &&
	    s->std < 0 && (s->c->type & ZVM_TYPE_RANDOM_READ) &&
	    strncmp(sv->nalias[chan], "/dev/", 5) != 0;
}

/* Open a channel's file again for injection (the manifest named it):
 * our own open file description, checked to be the file we checked. */
static int
reopen_chan(struct zvm_sv *sv, int chan)
{
	const struct zvm_source *s = &sv->src[chan];
	struct stat st;
	int fd;

	if ((fd = open(s->c->uri, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return -errno;
	if (fstat(fd, &st) == -1 || st.st_dev != s->dev ||
	    st.st_ino != s->ino) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* Answer the open with fd injected. */
static int
inject(struct zvm_resp *r, int fd, int chan, uint64_t size, uint32_t fl)
{
	r->inject = 1;
	r->injfd = fd;
	r->injchan = chan;
	r->injsize = size;
	r->injflags = fl & O_CLOEXEC;
	return 1;
}

/* A directory fd: virtual, or an image's (hostfd, which it owns). */
static int
open_dir(struct zvm_sv *sv, const struct where *w, int chan, int hostfd,
    uint32_t fl)
{
	struct zvm_ofd *o = NULL;
	int fd;

	if ((fd = lowest(sv, 0)) >= 0 && ((o = new_ofd(chan,
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
	install(sv, fd, o, fl & O_CLOEXEC);
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
	return inject(r, fd, w->chan, (uint64_t)st.st_size, fl);
}

static int
do_open(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, uint32_t fl,
    struct zvm_resp *r)
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
	case W_VDIR:
		if ((fl & ACCMODE) != O_RDONLY || (fl & O_CREAT))
			return -EISDIR;
		return open_dir(sv, &w, -1, -1, fl);
	case W_PROG:
	case W_EXE:
		return (fl & O_CREAT) && (fl & O_EXCL) ? -EEXIST : -EACCES;
	}
	chan = w.chan;
	if ((fl & O_CREAT) && (fl & O_EXCL))
		return -EEXIST;
	if (fl & O_DIRECTORY)
		return -ENOTDIR;
	acc = sv->src[chan].acc;
	switch (fl & ACCMODE) {
	case O_RDONLY:
		want = ZVM_ACC_READ;
		break;
	case O_WRONLY:
		want = ZVM_ACC_WRITE;
		break;
	case O_RDWR:
		want = ZVM_ACC_RW;
		break;
	default:
		return -EINVAL;
	}
	if (fl & O_PATH)
		want = 0;
	else if ((acc & want) != want)
		return -EACCES;
	if (want == ZVM_ACC_READ && injectable(sv, chan)) {
		if ((fd = reopen_chan(sv, chan)) < 0)
			return fd;
		return inject(r, fd, chan, sv->src[chan].size, fl);
	}
	if ((fd = lowest(sv, 0)) < 0)
		return fd;
	if ((o = new_ofd(chan, want)) == NULL)
		return -ENOMEM;
	o->path = (fl & O_PATH) != 0;
	o->flags = fl & (O_APPEND | O_NONBLOCK);
	install(sv, fd, o, fl & O_CLOEXEC);
	return fd;
}

static int
do_dup(struct zvm_sv *sv, uint64_t oldfd, int newfd, unsigned min,
    int cloexec)
{
	struct zvm_ofd *o = zvm_fd_get(sv, oldfd);

	if (o == NULL)
		return -EBADF;
	if (newfd < 0 && (newfd = lowest(sv, min)) < 0)
		return newfd;
	if (sv->fd[newfd] == o) {
		sv->cloexec[newfd] = cloexec != 0;
		return newfd;
	}
	install(sv, newfd, o, cloexec);
	return newfd;
}

static void
mkstat(struct zvm_sv *sv, int chan, struct stat *st)
{
	const struct zvm_source *s = &sv->src[chan];
	struct stat h;

	memset(st, 0, sizeof(*st));
	if (s->fd >= 0 && fstat(s->fd, &h) == 0) {
		st->st_rdev = h.st_rdev;
		st->st_atim = h.st_atim;
		st->st_mtim = h.st_mtim;
		st->st_ctim = h.st_ctim;
	}
	st->st_dev = ZVM_DEV;
	st->st_ino = chan + 1;
	st->st_nlink = 1;
	st->st_uid = getuid();
	st->st_gid = getgid();
	st->st_mode = s->kind == ZVM_SRC_CHR ? S_IFCHR :
	    s->kind == ZVM_SRC_FIFO ? S_IFIFO : S_IFREG;
	if (s->acc & ZVM_ACC_READ)
		st->st_mode |= 0444;
	if (s->acc & ZVM_ACC_WRITE)
		st->st_mode |= 0222;
	if (s->kind == ZVM_SRC_REG) {
		st->st_size = s->size;
		st->st_blocks = (s->size + 511) / 512;
	}
	/* stdio sizes its buffer from this: fewer, larger calls. */
	st->st_blksize = 65536;
}

static int
put_stat(struct zvm_sv *sv, const struct stat *st, uint64_t buf)
{
	return zvm_sv_poke(sv, buf, st, sizeof(*st));
}

static int
put_statx(struct zvm_sv *sv, const struct stat *st, uint64_t buf)
{
	struct statx x;

	memset(&x, 0, sizeof(x));
	x.stx_mask = STATX_BASIC_STATS;
	x.stx_blksize = st->st_blksize;
	x.stx_nlink = st->st_nlink;
	x.stx_uid = st->st_uid;
	x.stx_gid = st->st_gid;
	x.stx_mode = st->st_mode;
	x.stx_ino = st->st_ino;
	x.stx_size = st->st_size;
	x.stx_blocks = st->st_blocks;
	x.stx_atime.tv_sec = st->st_atim.tv_sec;
	x.stx_atime.tv_nsec = st->st_atim.tv_nsec;
	x.stx_mtime.tv_sec = st->st_mtim.tv_sec;
	x.stx_mtime.tv_nsec = st->st_mtim.tv_nsec;
	x.stx_ctime.tv_sec = st->st_ctim.tv_sec;
	x.stx_ctime.tv_nsec = st->st_ctim.tv_nsec;
	x.stx_rdev_major = major(st->st_rdev);
	x.stx_rdev_minor = minor(st->st_rdev);
	x.stx_dev_major = major(st->st_dev);
	x.stx_dev_minor = minor(st->st_dev);
	return zvm_sv_poke(sv, buf, &x, sizeof(x));
}

/* What fstat says of a program fd (virtual or injected). */
static int
fd_stat(struct zvm_sv *sv, uint64_t fd, struct stat *st)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	struct zvm_inj *j;

	if (o && o->hostfd >= 0)
		return fstat(o->hostfd, st) == -1 ? -errno : 0;
	if (o && o->vdir)
		return zvm_vdir_stat(o->name, st), 0;
	if (o)
		return mkstat(sv, o->chan, st), 0;
	if ((j = zvm_inj_get(sv, fd)) == NULL)
		return -EBADF;
	if (j->chan < 0) {		/* a pipe: what the kernel says */
		memset(st, 0, sizeof(*st));
		st->st_mode = S_IFIFO | 0600;
		st->st_nlink = 1;
		st->st_blksize = 4096;
		st->st_dev = ZVM_DEV;
		return 0;
	}
	/* Image files show their host inode; channels their channel's. */
	if (sv->src[j->chan].kind == ZVM_SRC_DIR)
		return fstat(j->fd, st) == -1 ? -errno : 0;
	return mkstat(sv, j->chan, st), 0;
}

/* What stat says of a path; nofollow: lstat. */
static int
path_stat(struct zvm_sv *sv, const struct where *w, int nofollow,
    struct stat *st)
{
	int fd, e = 0;

	switch (w->kind) {
	case W_CHAN:
		mkstat(sv, w->chan, st);
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

	if ((flags & AT_EMPTY_PATH) && zvm_sv_peek(sv, path, &c, 1) == 0 &&
	    c == '\0') {
		if ((int)dirfd == AT_FDCWD)	/* the directory "/" */
			zvm_vdir_stat("/", &st);
		else if ((e = fd_stat(sv, dirfd, &st)) < 0)
			return e;
	} else if ((e = lookup(sv, dirfd, path, &w)) < 0 ||
	    (e = path_stat(sv, &w, flags & AT_SYMLINK_NOFOLLOW, &st)) < 0)
		return e;
	return x ? put_statx(sv, &st, buf) : put_stat(sv, &st, buf);
}

static int64_t
do_lseek(struct zvm_sv *sv, uint64_t fd, int64_t off, uint32_t whence)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	const struct zvm_source *s;
	int64_t base;

	if (o == NULL || o->path)
		return -EBADF;
	/* Directories: rewinddir(3) seeks to 0. */
	if (o->hostfd >= 0)
		return lseek(o->hostfd, off, whence) == -1 ? -errno :
		    lseek(o->hostfd, 0, SEEK_CUR);
	if (o->vdir) {
		if (whence != SEEK_SET || off < 0)
			return -EINVAL;
		o->dpos = off;
		return off;
	}
	s = &sv->src[o->chan];
	if (s->kind != ZVM_SRC_REG || s->c->type == 0)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = o->off;
		break;
	case SEEK_END:
		base = s->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (off < 0 || (uint64_t)off >= s->size)
			return -ENXIO;
		o->off = whence == SEEK_DATA ? (uint64_t)off : s->size;
		return o->off;
	default:
		return -EINVAL;
	}
	if (__builtin_add_overflow(base, off, &base))
		return -EOVERFLOW;
	if (base < 0)
		return -EINVAL;
	o->off = base;
	return base;
}

static int64_t
do_fcntl(struct zvm_sv *sv, uint64_t fd, uint32_t cmd, uint64_t arg)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	int fl;

	if (o == NULL)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((uint32_t)arg >= ZVM_NVFD)
			return -EINVAL;
		return do_dup(sv, fd, -1, (uint32_t)arg,
		    cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return sv->cloexec[(uint32_t)fd] ? FD_CLOEXEC : 0;
	case F_SETFD:
		sv->cloexec[(uint32_t)fd] = (arg & FD_CLOEXEC) != 0;
		return 0;
	case F_GETFL:
		fl = o->path ? O_PATH : o->acc == ZVM_ACC_RW ? O_RDWR :
		    o->acc == ZVM_ACC_WRITE ? O_WRONLY : O_RDONLY;
		return fl | o->flags | O_LARGEFILE;
	case F_SETFL:
		o->flags = (uint32_t)arg & (O_APPEND | O_NONBLOCK);
		return 0;
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return 0;	/* one process: nothing to lock against */
	default:
		return -EINVAL;
	}
}

static int
do_ioctl(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct zvm_ofd *o = zvm_fd_get(sv, a[0]);
	const struct zvm_source *s;
	unsigned char buf[64];
	uint32_t cmd = (uint32_t)a[1];
	int v;

	if (o == NULL)
		return -EBADF;
	s = o->chan >= 0 ? &sv->src[o->chan] : NULL;
	switch (cmd) {
	case FIOCLEX:
	case FIONCLEX:
		sv->cloexec[(uint32_t)a[0]] = cmd == FIOCLEX;
		return 0;
	case FIONBIO:
		if (zvm_sv_peek(sv, a[2], &v, sizeof(v)) < 0)
			return -EFAULT;
		o->flags = v ? o->flags | O_NONBLOCK : o->flags & ~O_NONBLOCK;
		return 0;
	}
	if (s == NULL || s->kind == ZVM_SRC_DIR || !s->tty)
		return -ENOTTY;
	/* A terminal channel: only questions, never TIOCSTI and the like. */
	switch (cmd) {
	case TCGETS:	/* the kernel's struct termios: 36 bytes */
		if (ioctl(s->fd, TCGETS, buf) == -1)
			return -errno;
		return zvm_sv_poke(sv, a[2], buf, 36);
	case TIOCGWINSZ:
		if (ioctl(s->fd, TIOCGWINSZ, buf) == -1)
			return -errno;
		return zvm_sv_poke(sv, a[2], buf, sizeof(struct winsize));
	}
	zvm_sv_deny(sv, req, r, EPERM);
	return 1;
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
		if (mode & W_OK)
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
	return zvm_sv_poke(sv, buf, link, n) < 0 ? -EFAULT : n;
}

/*
 * getdents64 of a directory fd: an image's from the host, a virtual one
 * from the aliases.  An image's listing is bytes the program takes from
 * the image: one read of the bytes returned on its channel, cut to what
 * the quota has left (EDQUOT when not even one entry fits), charged once
 * delivered.  Not hashed: the order and d_ino of entries are the host
 * file system's, no content of the image.  The virtual directories are
 * zvm-run's own: free.
 */
static int64_t
do_getdents(struct zvm_sv *sv, uint64_t fd, uint64_t buf, uint64_t n,
    int nr)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	struct zvm_txn *t = &sv->txn;
	uint64_t room = 0;
	off_t pos = 0;
	ssize_t k;
	int e;

	if (o == NULL)
		return zvm_inj_get(sv, fd) ? -ENOTDIR : -EBADF;
	if (o->path)
		return -EBADF;
	if (!o->vdir && o->hostfd < 0)
		return -ENOTDIR;
	if (nr != SYS_getdents64)	/* only x32 and old libcs use it */
		return -ENOSYS;
	if (n > ZVM_BUFSZ)
		n = ZVM_BUFSZ;
	if (o->hostfd >= 0) {
		struct zvm_chan *ch = &sv->ch[o->chan];

		if ((e = zvm_io_quota(ch, ZVM_GETS, &room)) < 0)
			return e;
		if (n > room)
			n = room;
		/* Where to go back to when the answer is lost. */
		if ((pos = lseek(o->hostfd, 0, SEEK_CUR)) == -1)
			return -errno;
		if ((k = syscall(SYS_getdents64, o->hostfd, sv->buf,
		    (size_t)n)) < 0) {
			/* The next entry is larger than what is left. */
			if (errno == EINVAL && n == room) {
				ch->rep->hit |= 1u << ZVM_GET_SIZE;
				return -EDQUOT;
			}
			return -errno;
		}
		if (k > 0 && zvm_sv_poke(sv, buf, sv->buf, k) < 0) {
			(void)lseek(o->hostfd, pos, SEEK_SET);
			return -EFAULT;
		}
		if (k > 0) {
			t->active = 1;
			t->chan = o->chan;
			t->write = 0;
			t->n = k;
			t->restore = 0;
			t->ofd = NULL;
			t->injfd = o->hostfd;
			t->newpos = pos;
			t->pos = ZVM_POS_INJ;
		}
		return k;
	} else if ((k = zvm_vdir_list(sv, o->name, &o->dpos, sv->buf, n)) <
	    0)
		return k;
	if (k == 0)
		return 0;
	return zvm_sv_poke(sv, buf, sv->buf, k) < 0 ? -EFAULT : k;
}

static int
do_close_range(struct zvm_sv *sv, uint32_t lo, uint32_t hi, uint32_t fl)
{
	if (lo > hi || (fl & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE)))
		return -EINVAL;
	for (uint32_t i = lo; i <= hi && i < ZVM_NVFD; i++) {
		if (sv->fd[i] == NULL)
			continue;
		if (fl & CLOSE_RANGE_CLOEXEC)
			sv->cloexec[i] = 1;
		else
			put(sv, i);
	}
	/* Injected fds in the range: the kernel closes (or marks) them
	 * when we answer CONTINUE; we forget ours first. */
	if (hi < ZVM_NVFD || sv->ninj == 0)
		return 0;
	for (size_t i = lo > ZVM_NVFD ? lo - ZVM_NVFD : 0;
	    i < sv->ninj && i <= (size_t)hi - ZVM_NVFD; i++)
		if (!(fl & CLOSE_RANGE_CLOEXEC))
			zvm_inj_drop(sv, ZVM_NVFD + i);
	return 1;
}

/* Path and fd calls that would change the file system: never. */
static int
mutator(int nr)
{
	switch (nr) {
	case SYS_unlink: case SYS_unlinkat: case SYS_rename:
	case SYS_renameat: case SYS_renameat2: case SYS_mkdir:
	case SYS_mkdirat: case SYS_rmdir: case SYS_link: case SYS_linkat:
	case SYS_symlink: case SYS_symlinkat: case SYS_mknod:
	case SYS_mknodat: case SYS_chmod: case SYS_fchmod:
	case SYS_fchmodat: case SYS_chown: case SYS_fchown:
	case SYS_lchown: case SYS_fchownat: case SYS_truncate:
	case SYS_utime: case SYS_utimes: case SYS_utimensat:
	case SYS_futimesat: case SYS_setxattr: case SYS_lsetxattr:
	case SYS_fsetxattr: case SYS_removexattr: case SYS_lremovexattr:
	case SYS_fremovexattr: case SYS_chroot: case SYS_acct:
	case SYS_swapon: case SYS_swapoff: case SYS_quotactl:
	case SYS_name_to_handle_at: case SYS_open_by_handle_at:
	case SYS_openat2:
		return 1;
	}
	return 0;
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
	return w.kind == W_VDIR || (w.kind == W_IMG && !*w.rel) ? -EACCES :
	    -ENOTDIR;
}

/*
 * Calls on an injected fd besides read and mmap (lib/sv/chanio): close
 * (we forget our copy, then CONTINUE lets the kernel close the
 * program's), fstat from our copy, the flags calls that change only the
 * fd (CONTINUE), ioctl ENOTTY.  lseek runs natively (the filter).  dup
 * would make a real fd we do not know of, and anything else is no call
 * on a read-only file: EBADF.  Returns 1 when answered.
 */
static int
inj_call(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct stat st;
	int e;

	struct zvm_inj *j = zvm_inj_get(sv, a[0]);

	switch (req->data.nr) {
	case SYS_close:
		zvm_inj_drop(sv, a[0]);
		r->cont = 1;
		return 1;
	case SYS_fcntl:
		if (j->chan < 0 && ((uint32_t)a[1] == F_SETFL ||
		    (uint32_t)a[1] == F_GETPIPE_SZ)) {
			r->cont = 1;
			return 1;
		}
		break;
	case SYS_ioctl:
		if (j->chan < 0 && (uint32_t)a[1] == FIONREAD) {
			r->cont = 1;
			return 1;
		}
		break;
	}
	switch (req->data.nr) {
	case SYS_fstat:
		if ((e = fd_stat(sv, a[0], &st)) == 0)
			e = put_stat(sv, &st, a[1]);
		r->error = -e;
		return 1;
	case SYS_fcntl:
		switch ((uint32_t)a[1]) {
		case F_GETFD:
		case F_SETFD:
		case F_GETFL:
			r->cont = 1;
			return 1;
		}
		r->error = EINVAL;
		return 1;
	case SYS_ioctl:
		if ((uint32_t)a[1] == FIOCLEX || (uint32_t)a[1] == FIONCLEX)
			r->cont = 1;
		else
			r->error = ENOTTY;
		return 1;
	case SYS_fadvise64:
		return 1;
	case SYS_getdents64:
	case SYS_fchdir:
		r->error = ENOTDIR;
		return 1;
	case SYS_dup:
	case SYS_dup2:
	case SYS_dup3:
	case SYS_fsync:
	case SYS_fdatasync:
	case SYS_ftruncate:
		r->error = EBADF;
		return 1;
	}
	return 0;
}

int
zvm_fd_handle(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	struct stat st;
	int64_t v;
	int chan;

	if ((uint32_t)a[0] >= ZVM_NVFD && zvm_inj_get(sv, a[0]) &&
	    inj_call(sv, req, r))
		return 1;
	switch (req->data.nr) {
	case SYS_open:
		v = do_open(sv, AT_FDCWD, a[0], (uint32_t)a[1], r);
		break;
	case SYS_creat:
		v = do_open(sv, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC,
		    r);
		break;
	case SYS_openat:
		v = do_open(sv, a[0], a[1], (uint32_t)a[2], r);
		break;
	case SYS_close:
		v = zvm_fd_get(sv, a[0]) ? (put(sv, (uint32_t)a[0]), 0) :
		    -EBADF;
		break;
	case SYS_close_range:
		if ((v = do_close_range(sv, a[0], a[1], a[2])) == 1) {
			r->cont = 1;
			return 1;
		}
		break;
	case SYS_dup:
		v = do_dup(sv, a[0], -1, 0, 0);
		break;
	case SYS_dup2:
	case SYS_dup3:
		if (req->data.nr == SYS_dup3 && (((uint32_t)a[2] &
		    ~O_CLOEXEC) || (uint32_t)a[0] == (uint32_t)a[1])) {
			v = -EINVAL;
			break;
		}
		if ((uint32_t)a[1] >= ZVM_NVFD)
			v = -EBADF;
		else
			v = do_dup(sv, a[0], (uint32_t)a[1], 0,
			    req->data.nr == SYS_dup3 && (a[2] & O_CLOEXEC));
		break;
	case SYS_fcntl:
		v = do_fcntl(sv, a[0], a[1], a[2]);
		break;
	case SYS_fstat:
		if ((v = fd_stat(sv, a[0], &st)) == 0)
			v = put_stat(sv, &st, a[1]);
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
	case SYS_lseek:
		v = do_lseek(sv, a[0], (int64_t)a[1], a[2]);
		break;
	case SYS_ioctl:
		if ((v = do_ioctl(sv, req, r)) == 1)
			return 1;
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
		v = a[1] < 2 ? -ERANGE : zvm_sv_poke(sv, a[0], "/", 2);
		if (v == 0)
			v = 2;
		break;
	case SYS_chdir:
		/* The working directory stays "/" (getcwd says so). */
		v = do_chdir(sv, a[0]);
		break;
	case SYS_fchdir:
		v = zvm_fd_get(sv, a[0]) ? -ENOTDIR : -EBADF;
		break;
	case SYS_getdents:
	case SYS_getdents64:
		v = do_getdents(sv, a[0], a[1], a[2], req->data.nr);
		break;
	case SYS_pipe:
		v = zvm_inj_pipe(sv, a[0], 0);
		break;
	case SYS_pipe2:
		v = zvm_inj_pipe(sv, a[0], a[1]);
		break;
	case SYS_fsync:
	case SYS_fdatasync:
		if (zvm_fd_get(sv, a[0]) == NULL) {
			v = -EBADF;
			break;
		}
		if ((chan = zvm_fd_get(sv, a[0])->chan) < 0) {
			v = 0;
			break;
		}
		v = 0;
		if (sv->src[chan].kind == ZVM_SRC_REG &&
		    (sv->src[chan].acc & ZVM_ACC_WRITE) &&
		    fdatasync(sv->src[chan].fd) == -1)
			v = -errno;
		break;
	case SYS_ftruncate:
		v = zvm_fd_get(sv, a[0]) ? -EINVAL : -EBADF;
		break;
	case SYS_fadvise64:
	case SYS_flock:
		v = zvm_fd_get(sv, a[0]) ? 0 : -EBADF;
		break;
	case SYS_sendfile:
	case SYS_splice:
	case SYS_tee:
	case SYS_vmsplice:
	case SYS_copy_file_range:
		/* Not metered in one step: the program falls back to
		 * read and write, which are. */
		v = -EINVAL;
		break;
	default:
		if (!mutator(req->data.nr))
			return 0;
		zvm_sv_deny(sv, req, r, EACCES);
		return 1;
	}
	if (v < 0)
		r->error = (int)-v;
	else
		r->val = v;
	return 1;
}
