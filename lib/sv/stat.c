/* SPDX-License-Identifier: ISC */
/*
 * stat - what fstat and stat tell the program: a channel is a file of
 * its own on device ZVM_DEV (its inode the channel's number plus one,
 * its size the known end of a regular file, its mode the channel's
 * access), with the host file's times; an image's files and directories
 * show their host inodes; a pipe of the program's what the kernel says.
 */
#include <errno.h>
#include <linux/stat.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sv/state.h"

void
zvm_stat_chan(struct zvm_sv *sv, int chan, struct stat *st)
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
	return zvm_tr_poke(&sv->tr, buf, &x, sizeof(x));
}

int
zvm_stat_put(struct zvm_sv *sv, const struct stat *st, uint64_t buf, int x)
{
	return x ? put_statx(sv, st, buf) :
	    zvm_tr_poke(&sv->tr, buf, st, sizeof(*st));
}

int
zvm_stat_fd(struct zvm_sv *sv, uint64_t fd, struct stat *st)
{
	struct zvm_ofd *o = zvm_fd_get(sv, fd);
	struct zvm_inj *j;

	if (o && o->hostfd >= 0)
		return fstat(o->hostfd, st) == -1 ? -errno : 0;
	if (o && o->vdir) {
		const char *rel = zvm_scr_rel(sv, o->name);
		long i;

		if (rel == NULL)
			zvm_vdir_stat(o->name, st);
		else if (zvm_scr_lookup(sv, rel, &i) < 0)
			return -ENOENT;	/* removed, still open */
		else
			zvm_scr_stat(sv, i, st);
		return 0;
	}
	if (o && o->vdev)
		return zvm_vdev_stat(o->vdev, st), 0;
	if (o)
		return zvm_stat_chan(sv, o->chan, st), 0;
	if ((j = zvm_inj_get(sv, fd)) == NULL)
		return -EBADF;
	if (j->chan < 0 && j->fd >= 0)	/* an object: ours is it */
		return fstat(j->fd, st) == -1 ? -errno : 0;
	if (j->chan < 0) {		/* a pipe: what the kernel says */
		memset(st, 0, sizeof(*st));
		st->st_mode = j->chan == ZVM_INJ_SOCKET ? S_IFSOCK | 0777 :
		    S_IFIFO | 0600;
		st->st_nlink = 1;
		st->st_blksize = 4096;
		st->st_dev = ZVM_DEV;
		return 0;
	}
	/* Image files show their host inode; channels their channel's. */
	if (sv->src[j->chan].kind == ZVM_SRC_DIR)
		return fstat(j->fd, st) == -1 ? -errno : 0;
	return zvm_stat_chan(sv, j->chan, st), 0;
}
