/* SPDX-License-Identifier: ISC */
/*
 * source - check every channel's uri first (stat, access, kinds, duplicate
 * writers), open them only when all passed.  Files are opened O_NONBLOCK
 * so a FIFO never blocks zvm-run, then fstat'ed and compared with what
 * the check saw before an output is truncated.  zvm-run's own standard
 * streams are used as they are, never reopened.  An alias ending in '/'
 * names an image: a read-only directory (where the '/' may also be left
 * out) or a read-only tar archive, checked header by header first,
 * unpacked at open into a private directory (lib/load/tar) that is then
 * served like any directory image, and removed at the end.  Without the
 * '/', a tar file is data like any file, never looked into.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "run/net.h"
#include "run/source.h"
#include "load/tar.h"

static int
kind_of(mode_t m)
{
	if (S_ISREG(m))
		return ZVM_SRC_REG;
	if (S_ISCHR(m))
		return ZVM_SRC_CHR;
	if (S_ISFIFO(m))
		return ZVM_SRC_FIFO;
	return -1;
}

static int
is_tty(int fd)
{
	struct termios t;

	return ioctl(fd, TCGETS, &t) == 0;
}

/* The directory part of path must be a searchable, writable directory. */
static int
parent_writable(const char *path)
{
	const char *slash = strrchr(path, '/');
	char dir[4096];
	size_t n = slash ? (size_t)(slash - path) : 0;

	if (n == 0)
		return access("/", W_OK | X_OK);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return access(dir, W_OK | X_OK);
}

static void
check_std(const struct zvm_manifest *m, struct zvm_source *s,
    struct zvm_diag *d)
{
	const char *mode[] = { "", "reading", "writing", "reading and writing" };
	struct stat st;
	int fl, k, need;

	s->fd = -1;
	if ((fl = fcntl(s->std, F_GETFL)) == -1 || fstat(s->std, &st) == -1) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, s->c->line,
		    "Channel %s: zvm-run's %s is closed", s->c->alias,
		    s->c->uri + 5);
		return;
	}
	need = s->acc;
	if (((need & ZVM_ACC_READ) && (fl & O_ACCMODE) == O_WRONLY) ||
	    ((need & ZVM_ACC_WRITE) && (fl & O_ACCMODE) == O_RDONLY)) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, s->c->line,
		    "Channel %s: zvm-run's %s is not open for %s",
		    s->c->alias, s->c->uri + 5, mode[need]);
		return;
	}
	k = kind_of(st.st_mode);
	if (S_ISSOCK(st.st_mode))
		k = ZVM_SRC_FIFO;
	if (k < 0) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, s->c->line,
		    "Channel %s: zvm-run's %s is a directory or block device",
		    s->c->alias, s->c->uri + 5);
		return;
	}
	if (need == ZVM_ACC_RW && k != ZVM_SRC_REG) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, s->c->line,
		    "Channel %s: read-write needs a regular file",
		    s->c->alias);
		return;
	}
	s->kind = k;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->tty = k == ZVM_SRC_CHR && is_tty(s->std);
}

/* Does the alias end in '/', the mark of an image? */
static int
image_alias(const struct zvm_channel *c)
{
	size_t n = strlen(c->alias);

	return n > 0 && c->alias[n - 1] == '/';
}

/*
 * The read-only file at c's uri, under an alias ending in '/', must be a
 * tar archive, sound header by header.  0 yes, -1 when d got why not.
 */
static int
check_tar(const struct zvm_manifest *m, struct zvm_source *s,
    struct zvm_diag *d)
{
	const struct zvm_channel *c = s->c;
	unsigned char head[ZVM_TAR_BLOCK];
	char why[ZVM_TAR_WHY];
	int fd, r = -1;

	if ((fd = open(c->uri, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: %s", c->alias, c->uri, strerror(errno));
		return -1;
	}
	if (pread(fd, head, sizeof(head), 0) != (ssize_t)sizeof(head) ||
	    !zvm_tar_is(head, sizeof(head)))
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: an alias ending in / makes an image, "
		    "and this is not a tar archive", c->alias, c->uri);
	else if (zvm_tar_check(fd, why, sizeof(why)) == -1)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: %s", c->alias, c->uri, why);
	else
		r = 0;
	close(fd);
	return r;
}

/* A '/' at the end of an alias where no image can be. */
static void
not_image(const struct zvm_manifest *m, const struct zvm_channel *c,
    struct zvm_diag *d)
{
	zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
	    "Channel %s: %s: an alias ending in / makes an image, a read-only "
	    "directory or tar archive", c->alias, c->uri);
}

static void
check_path(const struct zvm_manifest *m, struct zvm_source *s,
    struct zvm_diag *d)
{
	const struct zvm_channel *c = s->c;
	struct stat st;
	int k, am = 0;

	s->fd = -1;
	if (image_alias(c) && s->acc != ZVM_ACC_READ) {
		not_image(m, c, d);
		return;
	}
	if (stat(c->uri, &st) == -1) {
		if (errno == ENOENT && !(s->acc & ZVM_ACC_READ)) {
			if (parent_writable(c->uri) == 0) {
				s->kind = ZVM_SRC_NONE;
				return;
			}
		}
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: %s", c->alias, c->uri, strerror(errno));
		return;
	}
	/* A directory is an image: a read-only tree (lib/sv/image). */
	if (S_ISDIR(st.st_mode) && s->acc == ZVM_ACC_READ)
		k = ZVM_SRC_DIR;
	else if (image_alias(c) && S_ISREG(st.st_mode)) {
		if (check_tar(m, s, d) == -1)
			return;
		s->tar = 1;
		k = ZVM_SRC_DIR;
	} else if (image_alias(c) && !S_ISDIR(st.st_mode)) {
		not_image(m, c, d);
		return;
	} else if ((k = kind_of(st.st_mode)) < 0) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: unsupported source type (%s)", c->alias,
		    c->uri, S_ISDIR(st.st_mode) ? "directory not read-only" :
		    S_ISSOCK(st.st_mode) ? "socket" : "block device");
		return;
	}
	if (s->acc == ZVM_ACC_RW && k != ZVM_SRC_REG) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: read-write needs a regular file", c->alias);
		return;
	}
	if ((s->acc & ZVM_ACC_WRITE) && k == ZVM_SRC_REG && st.st_nlink > 1) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s has %ju hard links; refusing to write it",
		    c->alias, c->uri, (uintmax_t)st.st_nlink);
		return;
	}
	if (s->acc & ZVM_ACC_READ)
		am |= R_OK;
	if (s->acc & ZVM_ACC_WRITE)
		am |= W_OK;
	if (k == ZVM_SRC_DIR && !s->tar)
		am |= X_OK;
	if (access(c->uri, am) == -1) {
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name, c->line,
		    "Channel %s: %s: %s", c->alias, c->uri, strerror(errno));
		return;
	}
	s->kind = k;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
}

/* Two writers on one host file corrupt it (ZeroVM did): refuse. */
static void
check_writers(const struct zvm_manifest *m, struct zvm_source *s, size_t n,
    struct zvm_diag *d)
{
	for (size_t i = 0; i < n; i++) {
		if (!(s[i].acc & ZVM_ACC_WRITE) || s[i].kind < 0)
			continue;
		for (size_t j = 0; j < i; j++) {
			int same;

			if (!(s[j].acc & ZVM_ACC_WRITE) || s[j].kind < 0)
				continue;
			/*
			 * zvm-run's own streams are used as they are, never
			 * reopened or truncated: "> log 2>&1" shares one
			 * open file, and its writes interleave as natively.
			 */
			if (s[i].std >= 0 && s[j].std >= 0)
				continue;
			if (s[i].kind == ZVM_SRC_NONE ||
			    s[j].kind == ZVM_SRC_NONE)
				same = strcmp(s[i].c->uri, s[j].c->uri) == 0;
			else
				same = s[i].kind == ZVM_SRC_REG &&
				    s[j].kind == ZVM_SRC_REG &&
				    s[i].dev == s[j].dev &&
				    s[i].ino == s[j].ino;
			if (same) {
				zvm_diag_add(d, 0, ZVM_E_CHANNEL, m->name,
				    s[i].c->line, "Channel %s: writes the "
				    "same file as %s", s[i].c->alias,
				    s[j].c->alias);
				break;
			}
		}
	}
}

int
zvm_source_check(const struct zvm_manifest *m, struct zvm_source **out,
    size_t *np, struct zvm_diag *d)
{
	struct zvm_source *s;
	size_t i, n = 0, nerr = d->nerr;

	*out = NULL;
	*np = 0;
	if ((s = calloc(m->nchan ? m->nchan : 1, sizeof(*s))) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
		return -1;
	}
	for (i = 0; i < m->nchan; i++) {
		const struct zvm_channel *c = &m->chan[i];

		if (c->deleted)
			continue;
		s[n].c = c;
		s[n].acc = zvm_channel_access(c);
		s[n].kind = -1;
		s[n].std = zvm_std_alias(c->uri);
		if (strncasecmp(c->uri, "tcp:", 4) == 0 &&
		    image_alias(c))
			not_image(m, c, d);
		else if (strncasecmp(c->uri, "tcp:", 4) == 0)
			zvm_net_check(m, &s[n], d);
		else if (s[n].std >= 0 && image_alias(c))
			not_image(m, c, d);
		else if (s[n].std >= 0)
			check_std(m, &s[n], d);
		else
			check_path(m, &s[n], d);
		n++;
	}
	check_writers(m, s, n, d);
	*out = s;
	*np = n;
	return d->nerr > nerr ? -1 : 0;
}

/* Where tar images are unpacked: RAM when /dev/shm can take them. */
static const char *
tmp_base(void)
{
	struct stat st;
	const char *t = getenv("TMPDIR");

	if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) &&
	    access("/dev/shm", W_OK | X_OK) == 0)
		return "/dev/shm";
	return t && *t == '/' ? t : "/tmp";
}

/*
 * A tar image: the archive, still the file that was checked, unpacked
 * into a fresh private directory whose root becomes the source's fd.
 */
static int
open_tar(struct zvm_source *s, const char *manifest, struct zvm_error *e)
{
	const struct zvm_channel *c = s->c;
	char why[ZVM_TAR_WHY], *dir;
	struct stat st;
	int fd, root, r;

	if ((fd = open(c->uri, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1 || fstat(fd, &st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, manifest, c->line,
		    "Channel %s: %s", c->alias, c->uri);
		e->sys_errno = errno;
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_dev != s->dev ||
	    st.st_ino != s->ino) {
		close(fd);
		zvm_error_set(e, ZVM_E_CHANNEL, manifest, c->line,
		    "Channel %s: %s changed since it was checked", c->alias,
		    c->uri);
		return -1;
	}
	if (asprintf(&dir, "%s/zvm-image.XXXXXX", tmp_base()) == -1) {
		close(fd);
		zvm_error_set(e, ZVM_E_NOMEM, manifest, c->line,
		    "out of memory");
		return -1;
	}
	if (mkdtemp(dir) == NULL) {
		zvm_error_set(e, ZVM_E_SYS, manifest, c->line,
		    "Channel %s: %s", c->alias, dir);
		e->sys_errno = errno;
		free(dir);
		close(fd);
		return -1;
	}
	s->tmp = dir;
	if ((root = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(why, sizeof(why), "%s: %s", dir, strerror(errno));
		r = -1;
	} else {
		r = zvm_tar_unpack(fd, root, why, sizeof(why));
		close(root);
	}
	close(fd);
	if (r == 0 && (s->fd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		snprintf(why, sizeof(why), "%s: %s", dir, strerror(errno));
		r = -1;
	}
	if (r == -1)
		zvm_error_set(e, ZVM_E_CHANNEL, manifest, c->line,
		    "Channel %s: %s: %s", c->alias, c->uri, why);
	return r;
}

static int
open_path(struct zvm_source *s, const char *manifest, struct zvm_error *e)
{
	const struct zvm_channel *c = s->c;
	struct stat st;
	int fl = O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

	switch (s->acc) {
	case ZVM_ACC_READ:
		fl |= O_RDONLY;
		break;
	case ZVM_ACC_WRITE:
		fl |= O_WRONLY;
		break;
	default:
		fl |= O_RDWR;
		break;
	}
	if (s->kind == ZVM_SRC_NONE)
		fl |= O_CREAT | O_EXCL;
	/* An image's root: names inside it are resolved under this fd. */
	if (s->kind == ZVM_SRC_DIR)
		fl = O_PATH | O_DIRECTORY | O_CLOEXEC;
	/* openat(2), not open(3): musl's open adds an fcntl for kernels
	 * without O_CLOEXEC, one system call a channel. */
	s->fd = openat(AT_FDCWD, c->uri, fl, 0666);
	if (s->fd == -1 && errno == ENXIO && s->kind == ZVM_SRC_FIFO &&
	    s->acc == ZVM_ACC_WRITE)	/* no reader yet: never block */
		s->fd = openat(AT_FDCWD, c->uri, (fl & ~O_ACCMODE) | O_RDWR);
	if (s->fd == -1 || fstat(s->fd, &st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, manifest, c->line,
		    "Channel %s: %s", c->alias, c->uri);
		e->sys_errno = errno;
		return -1;
	}
	if ((S_ISDIR(st.st_mode) ? ZVM_SRC_DIR : kind_of(st.st_mode)) !=
	    (s->kind == ZVM_SRC_NONE ? ZVM_SRC_REG : s->kind) ||
	    ((s->kind == ZVM_SRC_REG || s->kind == ZVM_SRC_DIR) &&
	    (st.st_dev != s->dev || st.st_ino != s->ino)) ||
	    ((s->acc & ZVM_ACC_WRITE) &&
	    S_ISREG(st.st_mode) && st.st_nlink > 1)) {
		zvm_error_set(e, ZVM_E_CHANNEL, manifest, c->line,
		    "Channel %s: %s changed since it was checked", c->alias,
		    c->uri);
		return -1;
	}
	if (s->kind == ZVM_SRC_DIR)
		return 0;
	s->kind = kind_of(st.st_mode);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->nonblock = 1;
	s->tty = s->kind == ZVM_SRC_CHR && is_tty(s->fd);
	if (s->kind != ZVM_SRC_REG)
		return 0;
	/* Write-only outputs start empty: truncate only now. */
	if (s->acc == ZVM_ACC_WRITE && st.st_size > 0 &&
	    ftruncate(s->fd, 0) == -1) {
		zvm_error_set(e, ZVM_E_SYS, manifest, c->line,
		    "Channel %s: truncate %s", c->alias, c->uri);
		e->sys_errno = errno;
		return -1;
	}
	s->size = s->acc == ZVM_ACC_WRITE ? 0 : (uint64_t)st.st_size;
	/* Sequential writes on a read-write channel append (ZeroVM's CDR). */
	s->wpos = s->acc == ZVM_ACC_RW ? s->size : 0;
	return 0;
}

int
zvm_source_open(struct zvm_source *s, size_t n, const char *manifest,
    struct zvm_error *e)
{
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (s[i].tar) {
			if (open_tar(&s[i], manifest, e) == -1)
				return -1;
			continue;
		}
		if (s[i].net)		/* zvm_net_open() */
			continue;
		if (s[i].std < 0) {
			if (open_path(&s[i], manifest, e) == -1)
				return -1;
			continue;
		}
		s[i].fd = s[i].std;
		if (s[i].kind != ZVM_SRC_REG || fstat(s[i].fd, &st) == -1)
			continue;
		/* A redirected file: read and write at its own offset. */
		s[i].size = st.st_size;
	}
	return 0;
}

void
zvm_source_cleanup(struct zvm_source *s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (s[i].tmp) {
			zvm_tar_remove(s[i].tmp);
			free(s[i].tmp);
			s[i].tmp = NULL;
		}
}

void
zvm_source_free(struct zvm_source *s, size_t n)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < n; i++) {
		if (s[i].std < 0 && s[i].fd > 2)
			close(s[i].fd);
		if (s[i].net)
			zvm_net_free(&s[i]);
	}
	zvm_source_cleanup(s, n);
	free(s);
}
