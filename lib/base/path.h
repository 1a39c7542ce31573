/* SPDX-License-Identifier: ISC */
/*
 * path - file names as the kernel reads them, without resolving symbolic
 * links: making a path absolute against a directory, and finding a
 * program on a search path the way execvp(3) does; mkdir -p.  The caller
 * passes the current directory and the search path: the library reads no
 * environment.
 */
#ifndef ZVM_PATH_H
#define ZVM_PATH_H

/* glibc's execvp(3) search path when PATH is unset (confstr _CS_PATH). */
#define ZVM_PATH_DEFAULT "/bin:/usr/bin"

/*
 * Make path absolute against cwd (itself absolute, e.g. from getcwd(3))
 * and tidy it without changing the file it names: empty and "."
 * components and trailing slashes go, and "dir/.." pairs go when lstat(2)
 * says dir is a real directory.  A ".." after a symbolic link, a missing
 * name or a non-directory stays, so the result fails wherever the original
 * would.  Symbolic links are never resolved.  Returns a string the caller
 * frees with free(), or NULL with errno set (ENOMEM, EINVAL for an empty
 * path or a relative cwd).
 */
char *zvm_path_abs(const char *cwd, const char *path);

/*
 * Make path absolute against "/" purely lexically, the way zvm-run matches
 * the paths a program opens with channel aliases: empty and "."
 * components go, ".." drops the component before it (never above "/").
 * Returns a string the caller frees with free(), or NULL on ENOMEM.
 */
char *zvm_path_lexical(const char *path);
/* The same into out, which holds strlen(path) + 2 bytes: no allocation,
 * for the supervisor's lookups. */
void zvm_path_lexical_to(const char *path, char *out);

/*
 * The part of path after its last '/' ("" when path ends in '/').
 * Borrowed: points into path.
 */
const char *zvm_path_base(const char *path);

/*
 * Find the program name as execvp(3) would run it.  A name with a '/' is
 * used as it is; any other name is tried in each directory of search
 * (':'-separated; an empty entry is the current directory; NULL means
 * ZVM_PATH_DEFAULT), skipping candidates that are not executable regular
 * files.  On success *out is the absolute path (zvm_path_abs() against
 * cwd; caller frees) and 0 is returned.  Otherwise -1 with errno: ENOENT
 * (nothing found), EACCES (only candidates that are not executable
 * regular files, or a search-permission failure), ENOMEM, or what stat(2)
 * said about a name with a '/'.
 */
int zvm_path_search(const char *name, const char *search, const char *cwd,
    char **out);

/*
 * mkdir -p: create dir and every missing directory above it (mode 0777
 * less the umask).  Returns 0 when dir is a directory afterwards, or -1
 * with errno: EINVAL for an empty dir (as zvm_path_abs()), ENOTDIR when
 * dir or a component is another kind of file, what mkdir(2) or stat(2)
 * said, ENOMEM.
 */
int zvm_path_mkdirs(const char *dir);

#endif
