/* SPDX-License-Identifier: ISC */
/*
 * devices - /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom
 * and /dev/fd/N in a sandbox whose manifest names none of them: what
 * each read, write, seek, stat and poll gives, as on the kernel's own.
 * Prints what /dev/fd/0 read, then the check count.
 */
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include "check.h"

static char buf[100000];

/* Does the listing of /dev hold name? */
static int
listed(const char *name)
{
	DIR *d = opendir("/dev");
	struct dirent *e;
	int found = 0;

	while (d && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, name) == 0)
			found = e->d_type == DT_CHR;
	if (d)
		closedir(d);
	return found;
}

int
main(void)
{
	struct pollfd p;
	struct stat st;
	int fd, all0;

	fd = open("/dev/null", O_RDWR);
	OK(fd >= 3 && fd < 1024);
	T(write(fd, "hello", 5), 5, 0);
	T(read(fd, buf, sizeof(buf)), 0, 0);
	T(lseek(fd, 100, SEEK_SET), 0, 0);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
	    minor(st.st_rdev) == 3);
	p.fd = fd;
	p.events = POLLIN | POLLOUT;
	T(poll(&p, 1, 0), 1, 0);
	OK(p.revents == (POLLIN | POLLOUT));
	T(dup2(fd, 50), 50, 0);
	T(write(50, "x", 1), 1, 0);
	T(close(fd), 0, 0);
	T(close(50), 0, 0);

	fd = open("/dev/zero", O_RDONLY);
	memset(buf, 'a', sizeof(buf));
	T(read(fd, buf, sizeof(buf)), sizeof(buf), 0);
	all0 = 1;
	for (size_t i = 0; i < sizeof(buf); i++)
		all0 &= buf[i] == 0;
	OK(all0);
	T(write(fd, "x", 1), -1, EBADF);
	T(close(fd), 0, 0);

	fd = open("/dev/full", O_RDWR);
	T(write(fd, "x", 1), -1, ENOSPC);
	buf[0] = 'a';
	T(read(fd, buf, 1), 1, 0);
	OK(buf[0] == 0);
	T(close(fd), 0, 0);

	fd = open("/dev/urandom", O_RDONLY);
	memset(buf, 0, 64);
	T(read(fd, buf, 64), 64, 0);
	all0 = 1;
	for (int i = 0; i < 64; i++)
		all0 &= buf[i] == 0;
	OK(!all0);
	T(pread(fd, buf, 16, 1000), 16, 0);
	T(close(fd), 0, 0);
	fd = open("/dev/random", O_RDONLY);
	T(read(fd, buf, 16), 16, 0);
	T(close(fd), 0, 0);

	T(stat("/dev/zero", &st), 0, 0);
	OK(S_ISCHR(st.st_mode) && minor(st.st_rdev) == 5);
	T(access("/dev/null", R_OK | W_OK), 0, 0);
	T(access("/dev/null", X_OK), -1, EACCES);
	T(open("/dev/null", O_RDONLY | O_DIRECTORY), -1, ENOTDIR);
	T(open("/dev/null", O_WRONLY | O_CREAT | O_EXCL, 0666), -1, EEXIST);
	T(open("/dev/nul", O_RDONLY), -1, ENOENT);
	T(open("/dev/sda", O_RDONLY), -1, ENOENT);
	T(open("/dev/tty", O_RDONLY), -1, ENOENT);
	OK(listed("null") && listed("zero") && listed("full") &&
	    listed("random") && listed("urandom"));

	/* /dev/fd/N opens what fd N is open on anew. */
	T(open("/dev/fd/99", O_RDONLY), -1, ENOENT);
	T(open("/dev/fd/x", O_RDONLY), -1, ENOENT);
	fd = open("/dev/fd/0", O_RDONLY);
	OK(fd >= 3);
	T(read(fd, buf, 5), 5, 0);
	T(write(1, buf, 5), 5, 0);
	T(write(1, "\n", 1), 1, 0);
	return done();
}
