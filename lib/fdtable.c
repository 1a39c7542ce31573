/* SPDX-License-Identifier: ISC */
/*
 * fdtable - the program's file descriptors and paths, all virtual: open
 * finds an alias (any other path is ENOENT), fds index open file
 * descriptions that dup shares, and stat, lseek, fcntl and ioctl answer
 * from the channel.  Paths are copied out of the program once and looked
 * up lexically against "/"; nothing the program names is ever opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/stat.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "channel.h"
#include "sv.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

#define ZVM_DEV 0x7a766d	/* st_dev of every channel: "zvm" */

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
	if (o && --o->refs == 0)
		free(o);
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

/* Lexical: "." and empty parts dropped, ".." pops (never above "/"). */
static void
normalize(const char *in, char *out)
{
	size_t n = 0;

	while (*in) {
		const char *e;
		size_t l;

		while (*in == '/')
			in++;
		for (e = in; *e && *e != '/'; e++)
			;
		l = e - in;
		if (l == 0 || (l == 1 && in[0] == '.')) {
			/* nothing */
		} else if (l == 2 && in[0] == '.' && in[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
		} else {
			out[n++] = '/';
			memcpy(out + n, in, l);
			n += l;
		}
		in = e;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
}

/*
 * The channel a path names (relative paths resolve against "/"); -ENOENT
 * for any other path.  *root is set when the path is "/" itself.
 */
static int
lookup(struct zvm_sv *sv, uint64_t dirfd, uint64_t addr, int *root)
{
	char path[4096], norm[4096 + 2];
	int r;

	*root = 0;
	if ((r = zvm_sv_peekstr(sv, addr, path, sizeof(path))) < 0)
		return r;
	if (path[0] == '\0')
		return -ENOENT;
	if (path[0] != '/' && (int)dirfd != AT_FDCWD)
		return zvm_fd_get(sv, dirfd) ? -ENOTDIR : -EBADF;
	normalize(path, norm);
	if (strcmp(norm, "/") == 0) {
		*root = 1;
		return -ENOENT;
	}
	for (size_t i = 0; i < sv->nsrc; i++) {
		char a[4096 + 2];

		if (strlen(sv->src[i].c->alias) >= 4096)
			continue;
		normalize(sv->src[i].c->alias, a);
		if (strcmp(a, norm) == 0)
			return (int)i;
	}
	return -ENOENT;
}

static int
do_open(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, uint32_t fl)
{
	struct zvm_ofd *o;
	int chan, fd, root, want, acc;

	if ((chan = lookup(sv, dirfd, path, &root)) < 0)
		return root && (fl & O_ACCMODE) != O_RDONLY ? -EISDIR : chan;
	if ((fl & O_CREAT) && (fl & O_EXCL))
		return -EEXIST;
	if (fl & O_DIRECTORY)
		return -ENOTDIR;
	acc = sv->src[chan].acc;
	switch (fl & O_ACCMODE) {
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
	if ((fd = lowest(sv, 0)) < 0)
		return fd;
	if ((o = calloc(1, sizeof(*o))) == NULL)
		return -ENOMEM;
	o->chan = chan;
	o->acc = want;
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
put_stat(struct zvm_sv *sv, int chan, uint64_t buf)
{
	struct stat st;

	mkstat(sv, chan, &st);
	return zvm_sv_poke(sv, buf, &st, sizeof(st));
}

static int
put_statx(struct zvm_sv *sv, int chan, uint64_t buf)
{
	struct statx x;
	struct stat st;

	mkstat(sv, chan, &st);
	memset(&x, 0, sizeof(x));
	x.stx_mask = STATX_BASIC_STATS;
	x.stx_blksize = st.st_blksize;
	x.stx_nlink = st.st_nlink;
	x.stx_uid = st.st_uid;
	x.stx_gid = st.st_gid;
	x.stx_mode = st.st_mode;
	x.stx_ino = st.st_ino;
	x.stx_size = st.st_size;
	x.stx_blocks = st.st_blocks;
	x.stx_atime.tv_sec = st.st_atim.tv_sec;
	x.stx_atime.tv_nsec = st.st_atim.tv_nsec;
	x.stx_mtime.tv_sec = st.st_mtim.tv_sec;
	x.stx_mtime.tv_nsec = st.st_mtim.tv_nsec;
	x.stx_ctime.tv_sec = st.st_ctim.tv_sec;
	x.stx_ctime.tv_nsec = st.st_ctim.tv_nsec;
	x.stx_rdev_major = major(st.st_rdev);
	x.stx_rdev_minor = minor(st.st_rdev);
	x.stx_dev_major = major(st.st_dev);
	x.stx_dev_minor = minor(st.st_dev);
	return zvm_sv_poke(sv, buf, &x, sizeof(x));
}

/* stat family: an fd (AT_EMPTY_PATH with "") or a path. */
static int
do_stat(struct zvm_sv *sv, uint64_t dirfd, uint64_t path, int flags,
    uint64_t buf, int x)
{
	struct zvm_ofd *o;
	char c;
	int chan, root;

	if ((flags & AT_EMPTY_PATH) && zvm_sv_peek(sv, path, &c, 1) == 0 &&
	    c == '\0') {
		if ((int)dirfd == AT_FDCWD)
			return -ENOENT;
		if ((o = zvm_fd_get(sv, dirfd)) == NULL)
			return -EBADF;
		chan = o->chan;
	} else if ((chan = lookup(sv, dirfd, path, &root)) < 0)
		return chan;
	return x ? put_statx(sv, chan, buf) : put_stat(sv, chan, buf);
}

static int64_t
do_lseek(struct zvm_sv *sv, uint64_t fd, int64_t off, uint32_t whence)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	const struct zvm_source *s;
	int64_t base;

	if (o == NULL || o->path)
		return -EBADF;
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
	s = &sv->src[o->chan];
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
	if (!s->tty)
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
	int chan, root, acc;

	if ((chan = lookup(sv, dirfd, path, &root)) < 0)
		return chan;
	acc = sv->src[chan].acc;
	if ((mode & X_OK) || ((mode & R_OK) && !(acc & ZVM_ACC_READ)) ||
	    ((mode & W_OK) && !(acc & ZVM_ACC_WRITE)))
		return -EACCES;
	return 0;
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
	return 0;
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

int
zvm_fd_handle(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int64_t v;
	int root, chan;

	switch (req->data.nr) {
	case SYS_open:
		v = do_open(sv, AT_FDCWD, a[0], (uint32_t)a[1]);
		break;
	case SYS_creat:
		v = do_open(sv, AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC);
		break;
	case SYS_openat:
		v = do_open(sv, a[0], a[1], (uint32_t)a[2]);
		break;
	case SYS_close:
		v = zvm_fd_get(sv, a[0]) ? (put(sv, (uint32_t)a[0]), 0) :
		    -EBADF;
		break;
	case SYS_close_range:
		v = do_close_range(sv, a[0], a[1], a[2]);
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
		v = zvm_fd_get(sv, a[0]) ? put_stat(sv,
		    zvm_fd_get(sv, a[0])->chan, a[1]) : -EBADF;
		break;
	case SYS_stat:
	case SYS_lstat:
		v = do_stat(sv, AT_FDCWD, a[0], 0, a[1], 0);
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
		chan = lookup(sv, AT_FDCWD, a[0], &root);
		v = chan >= 0 || root ? -EINVAL : chan;
		break;
	case SYS_readlinkat:
		chan = lookup(sv, a[0], a[1], &root);
		v = chan >= 0 || root ? -EINVAL : chan;
		break;
	case SYS_getcwd:
		v = a[1] < 2 ? -ERANGE : zvm_sv_poke(sv, a[0], "/", 2);
		if (v == 0)
			v = 2;
		break;
	case SYS_chdir:
		chan = lookup(sv, AT_FDCWD, a[0], &root);
		v = root ? 0 : chan >= 0 ? -ENOTDIR : chan;
		break;
	case SYS_fchdir:
	case SYS_getdents:
	case SYS_getdents64:
		v = zvm_fd_get(sv, a[0]) ? -ENOTDIR : -EBADF;
		break;
	case SYS_fsync:
	case SYS_fdatasync:
		if (zvm_fd_get(sv, a[0]) == NULL) {
			v = -EBADF;
			break;
		}
		chan = zvm_fd_get(sv, a[0])->chan;
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
