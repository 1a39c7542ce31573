/* SPDX-License-Identifier: ISC */
/*
 * atomic - replace a file so that a reader, a crash or a signal sees
 * either the old contents or the new, never a mix: write a temporary file
 * in the same directory, fsync it, rename it over the target, fsync the
 * directory.  Used by zvm-edit -i and zvm-manifest --save-dir.
 */
#ifndef ZVM_ATOMIC_H
#define ZVM_ATOMIC_H

#include <stddef.h>
#include <sys/stat.h>

#include "base/util.h"

/*
 * Open path for an in-place rewrite.  A symbolic link is followed: the
 * file it names is the one to replace, and *target gets its resolved
 * path (caller frees with free()).  Only a regular file is accepted; a
 * FIFO is never waited on.  Returns the descriptor (O_RDONLY,
 * close-on-exec) with *st filled, or -1 with e set: ZVM_E_SYS when the
 * file cannot be opened, ZVM_E_VALUE when it is not a regular file.
 */
int zvm_replace_open(const char *path, char **target, struct stat *st,
    struct zvm_error *e);

/*
 * Replace target with buf[0..len): a temporary ".PREFIX.XXXXXX" in
 * target's directory gets the bytes, the owner and mode of st (ownership
 * only as far as permitted; st NULL: a new file, mode 0666 & ~umask), is
 * fsync'ed and renamed over target; then the directory is fsync'ed.
 * Meanwhile SIGHUP, SIGINT and SIGTERM remove the temporary file before
 * they take effect, and SIGXFSZ is ignored (a file-size limit is EFBIG).
 * Returns 0, or -1 with e set (ZVM_E_SYS, file = name): no temporary
 * file is left and target is untouched, except when only the final
 * directory fsync failed (then target is already replaced).
 */
int zvm_replace_file(const char *target, const char *name,
    const char *prefix, const void *buf, size_t len, const struct stat *st,
    struct zvm_error *e);

#endif
