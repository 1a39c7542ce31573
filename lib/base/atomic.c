/* SPDX-License-Identifier: ISC */
/*
 * atomic - crash-safe file replacement: temp file in the target's
 * directory, fsync, rename, fsync of the directory.  The temporary file's
 * name lives in a static buffer so that a signal handler can remove it;
 * one replacement runs at a time (the tools are single-threaded).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/atomic.h"

static const int catch[] = { SIGHUP, SIGINT, SIGTERM };
#define NCATCH (sizeof catch / sizeof *catch)

static char tmp_path[PATH_MAX];
static volatile sig_atomic_t tmp_live;

/* Remove the temporary file, then die of the signal as if not caught. */
static void
on_signal(int sig)
{
	if (tmp_live)
		unlink(tmp_path);
	signal(sig, SIG_DFL);
	raise(sig);
}

int
zvm_replace_open(const char *path, char **target, struct stat *st,
    struct zvm_error *e)
{
	char *real;
	int fd;

	if ((real = realpath(path, NULL)) == NULL) {
		zvm_error_set(e, ZVM_E_SYS, path, 0, "cannot open");
		return -1;
	}
	/* O_NONBLOCK: a FIFO must be refused, not waited on. */
	fd = open(real, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd == -1 || fstat(fd, st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, path, 0, "cannot open");
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		zvm_error_set(e, ZVM_E_VALUE, path, 0, "not a regular file");
		goto fail;
	}
	*target = real;
	return fd;
fail:
	if (fd != -1)
		close(fd);
	free(real);
	return -1;
}

static void
block(int how, sigset_t *old)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < NCATCH; i++)
		sigaddset(&set, catch[i]);
	sigprocmask(how, &set, old);
}

/* Give fd the owner and mode of st, or a new file's mode. */
static int
set_owner_mode(int fd, const struct stat *st)
{
	mode_t mask;

	if (st == NULL) {
		mask = umask(0);
		umask(mask);
		return fchmod(fd, 0666 & ~mask);
	}
	/*
	 * Not being root, we may still keep the group; a changed owner is
	 * what sed -i does too.  chown comes first: it clears set-id bits.
	 */
	if (fchown(fd, st->st_uid, st->st_gid) == -1 && errno == EPERM)
		if (fchown(fd, (uid_t)-1, st->st_gid) == -1)
			errno = 0;	/* a group we are not in: ignored */
	return fchmod(fd, st->st_mode & 07777);
}

int
zvm_replace_file(const char *target, const char *name, const char *prefix,
    const void *buf, size_t len, const struct stat *st, struct zvm_error *e)
{
	struct sigaction sa = { .sa_handler = on_signal }, old[NCATCH];
	struct sigaction ign = { .sa_handler = SIG_IGN }, oldxfsz;
	const char *slash = strrchr(target, '/');
	char dir[PATH_MAX];
	sigset_t mask;
	int fd = -1, dfd, rc = -1, n;

	if (slash == NULL)
		n = snprintf(dir, sizeof dir, ".");
	else
		n = snprintf(dir, sizeof dir, "%.*s", slash == target ? 1 :
		    (int)(slash - target), target);
	if (n < 0 || (size_t)n >= sizeof dir || (size_t)snprintf(tmp_path,
	    sizeof tmp_path, "%s/.%s.XXXXXX", dir, prefix) >= sizeof tmp_path) {
		errno = ENAMETOOLONG;
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot replace");
		return -1;
	}
	sigemptyset(&sa.sa_mask);
	sigemptyset(&ign.sa_mask);
	/* Signals wait while the temporary file exists unrecorded. */
	block(SIG_BLOCK, &mask);
	for (size_t i = 0; i < NCATCH; i++) {
		sigaction(catch[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(catch[i], &sa, NULL);
	}
	sigaction(SIGXFSZ, &ign, &oldxfsz);
	fd = mkostemp(tmp_path, O_CLOEXEC);
	if (fd != -1)
		tmp_live = 1;
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (fd == -1) {
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot create a "
		    "temporary file in %s", dir);
		goto out;
	}
	if (zvm_write_all(fd, buf, len) == -1) {
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot write the "
		    "temporary file");
		goto out;
	}
	if (set_owner_mode(fd, st) == -1) {
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot set the mode");
		goto out;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot sync the "
		    "temporary file");
		goto out;
	}
	fd = -1;
	block(SIG_BLOCK, &mask);
	if (rename(tmp_path, target) == 0)
		tmp_live = 0;
	else
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot replace");
	sigprocmask(SIG_SETMASK, &mask, NULL);
	if (tmp_live)
		goto out;
	rc = 0;
	/* Make the rename itself durable. */
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (fsync(dfd) == -1 && errno != EINVAL)) {
		zvm_error_set(e, ZVM_E_SYS, name, 0, "cannot sync directory "
		    "%s", dir);
		rc = -1;
	}
	if (dfd != -1)
		close(dfd);
out:
	if (fd != -1)
		close(fd);
	block(SIG_BLOCK, &mask);
	if (tmp_live) {
		int saved = errno;

		unlink(tmp_path);
		tmp_live = 0;
		errno = saved;
	}
	for (size_t i = 0; i < NCATCH; i++)
		sigaction(catch[i], &old[i], NULL);
	sigaction(SIGXFSZ, &oldxfsz, NULL);
	sigprocmask(SIG_SETMASK, &mask, NULL);
	return rc;
}
