/* SPDX-License-Identifier: ISC */
/*
 * path - absolute paths and PATH lookup.  Paths are tidied lexically, but
 * a "dir/.." pair is dropped only after lstat(2) showed that dir is a real
 * directory, so the tidy name always reaches the same file as the original
 * (a purely lexical ".." would walk out of a symbolic link the wrong way).
 * The one exception, zvm_path_lexical(), mirrors zvm-run's alias matching.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"

/* May the last component of out[0..len) be cancelled by a ".."? */
static int
can_pop(const char *out, size_t len)
{
	struct stat st;

	if (len == 1)
		return 1;	/* "/.." is "/" */
	if (len >= 3 && strcmp(out + len - 3, "/..") == 0)
		return 0;
	return lstat(out, &st) == 0 && S_ISDIR(st.st_mode);
}

char *
zvm_path_abs(const char *cwd, const char *path)
{
	size_t len = 1;
	char *out;

	if (*path == '\0' || (*path != '/' && *cwd != '/')) {
		errno = EINVAL;
		return NULL;
	}
	if ((out = malloc(strlen(cwd) + strlen(path) + 3)) == NULL)
		return NULL;
	strcpy(out, "/");
	/* cwd's components first (for a relative path), then path's. */
	for (int pass = *path == '/'; pass < 2; pass++) {
		const char *s = pass == 0 ? cwd : path;

		while (*s) {
			const char *c;
			size_t n;

			while (*s == '/')
				s++;
			for (c = s; *s && *s != '/'; s++)
				continue;
			n = (size_t)(s - c);
			if (n == 0 || (n == 1 && c[0] == '.'))
				continue;
			if (n == 2 && c[0] == '.' && c[1] == '.' &&
			    can_pop(out, len)) {
				while (len > 1 && out[len - 1] != '/')
					len--;
				if (len > 1)
					len--;
				out[len] = '\0';
				continue;
			}
			if (len > 1)
				out[len++] = '/';
			memcpy(out + len, c, n);
			len += n;
			out[len] = '\0';
		}
	}
	return out;
}

char *
zvm_path_lexical(const char *path)
{
	char *out = malloc(strlen(path) + 2);

	if (out != NULL)
		zvm_path_lexical_to(path, out);
	return out;
}

void
zvm_path_lexical_to(const char *path, char *out)
{
	size_t n = 0;

	while (*path) {
		const char *c;
		size_t len;

		while (*path == '/')
			path++;
		for (c = path; *path && *path != '/'; path++)
			continue;
		len = (size_t)(path - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--;
			continue;
		}
		out[n++] = '/';
		memcpy(out + n, c, len);
		n += len;
	}
	if (n == 0)
		out[n++] = '/';
	out[n] = '\0';
}

const char *
zvm_path_base(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* An executable regular file, as execve(2) wants it (effective ids). */
static int
runnable(const char *path, int *denied)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == EACCES)
			*denied = 1;
		return 0;
	}
	if (S_ISREG(st.st_mode) &&
	    faccessat(AT_FDCWD, path, X_OK, AT_EACCESS) == 0)
		return 1;
	*denied = 1;
	return 0;
}

int
zvm_path_search(const char *name, const char *search, const char *cwd,
    char **out)
{
	size_t nn = strlen(name);
	int denied = 0;
	const char *s;

	if (nn == 0) {
		errno = ENOENT;
		return -1;
	}
	if (strchr(name, '/')) {
		struct stat st;

		if (stat(name, &st) == -1)
			return -1;
		if (!runnable(name, &denied)) {
			errno = EACCES;
			return -1;
		}
		return (*out = zvm_path_abs(cwd, name)) ? 0 : -1;
	}
	for (s = search ? search : ZVM_PATH_DEFAULT;; s++) {
		const char *end = strchrnul(s, ':');
		size_t dn = (size_t)(end - s);
		char *cand = malloc(dn + nn + 2);

		if (cand == NULL)
			return -1;
		/* An empty entry is the current directory (execvp). */
		if (dn) {
			memcpy(cand, s, dn);
			cand[dn] = '/';
			memcpy(cand + dn + 1, name, nn + 1);
		} else
			memcpy(cand, name, nn + 1);
		if (runnable(cand, &denied)) {
			*out = zvm_path_abs(cwd, cand);
			free(cand);
			return *out ? 0 : -1;
		}
		free(cand);
		if (*end == '\0')
			break;
		s = end;
	}
	errno = denied ? EACCES : ENOENT;
	return -1;
}

int
zvm_path_mkdirs(const char *dir)
{
	struct stat st;
	char *p;

	if (*dir == '\0') {
		errno = EINVAL;
		return -1;
	}
	if ((p = strdup(dir)) == NULL)
		return -1;
	/* Each prefix ending at a '/', then dir: EEXIST is what we want. */
	for (char *s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		char c = *s;

		*s = '\0';
		if (mkdir(p, 0777) == -1 && errno != EEXIST) {
			free(p);
			return -1;
		}
		if ((*s = c) == '\0')
			break;
	}
	free(p);
	if (stat(dir, &st) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return -1;
	}
	return 0;
}
