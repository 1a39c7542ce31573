/* SPDX-License-Identifier: ISC */
/*
 * tar - a reader for uncompressed POSIX tar archives (ustar, pax and GNU
 * long names, tar.c) and an unpacker safe against hostile ones (untar.c):
 * how a tar file becomes a directory image (lib/run/source).  The library
 * never prints: every problem is a message "entry N (NAME): what is wrong".
 */
#ifndef ZVM_TAR_H
#define ZVM_TAR_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define ZVM_TAR_BLOCK	512
#define ZVM_TAR_MAXENT	1000000		/* entries in one archive */
#define ZVM_TAR_WHY	(PATH_MAX + 256)	/* message buffer */

enum zvm_tar_type { ZVM_TAR_REG, ZVM_TAR_DIR, ZVM_TAR_SYM, ZVM_TAR_HARD };

struct zvm_tar_ent {
	uint64_t n;		/* entry number, from 1 */
	int type;		/* enum zvm_tar_type */
	uint64_t off;		/* regular: where the data starts */
	uint64_t size;		/* regular: bytes of data */
	int64_t mtime;		/* seconds since the epoch */
	char name[PATH_MAX];	/* tidied and relative; "" the root */
	char link[PATH_MAX];	/* symlink: as stored; hard link: tidied */
};

/* An archive being read: from buf when it is not NULL, else from fd. */
struct zvm_tar {
	int fd;
	const unsigned char *buf;
	uint64_t len;		/* the archive's size */
	uint64_t pos;		/* the next header */
	uint64_t n;		/* entries so far */
	int done;
};

/* Do the first n bytes of a file start a tar archive (the magic of a
 * ustar or GNU header; the checksum is checked when it is read)? */
int zvm_tar_is(const unsigned char *head, size_t n);

void zvm_tar_init(struct zvm_tar *, int fd, const void *buf, uint64_t len);

/* The next entry: 1, 0 at the end of the archive, -1 with why set. */
int zvm_tar_next(struct zvm_tar *, struct zvm_tar_ent *, char *why,
    size_t whylen);

/* n bytes at off of the archive: 0, or -1 (errno; EIO: the file is
 * shorter). */
int zvm_tar_read(const struct zvm_tar *, uint64_t off, void *, size_t n);

/* Put "entry N (NAME): what" in why, the name's control bytes as '?'
 * and cut to fit a struct zvm_error ("entry N: what" for name "").
 * Returns -1. */
int zvm_tar_why(char *why, size_t whylen, uint64_t n, const char *name,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Walk every header of the archive in fd without unpacking: 0 or -1. */
int zvm_tar_check(int fd, char *why, size_t whylen);

/*
 * Unpack the archive in fd into the empty directory rootfd: directories
 * and files are created only beneath it, never through a symbolic link,
 * and the symbolic links come last.  Directories end 0555, files 0444,
 * every entry with its archived modification time.
 * 0, or -1 with why set (what was created stays, for zvm_tar_remove()).
 */
int zvm_tar_unpack(int fd, int rootfd, char *why, size_t whylen);

/* Remove the directory dir and everything in it: 0 or -1 (errno). */
int zvm_tar_remove(const char *dir);

#endif
