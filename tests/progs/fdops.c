/* SPDX-License-Identifier: ISC */
/*
 * fdops - the virtual fd table: open of aliases only (ENOENT otherwise,
 * EACCES for a mode the channel lacks), close, dup, dup2, dup3, fcntl,
 * fstat, newfstatat, statx, lseek and ioctl.  /dev/3.in is a read-only
 * file "0123456789" (gets 100, get_size 6); stdout is not a terminal.
 */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>

#include "check.h"

int
main(void)
{
	struct termios t;
	struct stat st, st2;
	struct statx sx;
	char buf[32];
	int fd, fd2;

	T(open("/etc/passwd", O_RDONLY), -1, ENOENT);
	T(open("/dev/3.in.x", O_RDONLY), -1, ENOENT);
	T(open("/proc/self/fd/0", O_RDONLY), -1, ENOENT);
	T(open("", O_RDONLY), -1, ENOENT);
	T(open("/dev/3.in", O_WRONLY), -1, EACCES);
	T(open("/dev/3.in", O_RDONLY | O_DIRECTORY), -1, ENOTDIR);
	T(open("/dev/3.in", O_RDONLY | O_CREAT | O_EXCL, 0644), -1, EEXIST);
	T(fd = open("/../dev/./3.in", O_RDONLY), 3, 0);
	T(fd2 = openat(AT_FDCWD, "dev//3.in", O_RDONLY | O_CLOEXEC), 4, 0);
	T(fcntl(fd2, F_GETFD), FD_CLOEXEC, 0);
	T(openat(fd, "x", O_RDONLY), -1, ENOTDIR);
	T(openat(77, "x", O_RDONLY), -1, EBADF);
	T(close(fd2), 0, 0);
	T(dup(fd), 4, 0);
	T(dup2(fd, 500), 500, 0);
	T(dup2(fd, 1024), -1, EBADF);
	T(dup2(77, 5), -1, EBADF);
	T(dup2(fd, fd), fd, 0);
	T(dup3(fd, fd, 0), -1, EINVAL);
	T(dup3(fd, 9, O_CLOEXEC), 9, 0);
	T(fcntl(9, F_GETFD), FD_CLOEXEC, 0);
	T(fcntl(fd, F_DUPFD, 100), 100, 0);
	T(fcntl(fd, F_DUPFD, 5000), -1, EINVAL);
	T(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDONLY, 0);
	T(fcntl(1, F_GETFL) & O_ACCMODE, O_WRONLY, 0);
	/* Every fd of a channel shares its quota: 6 bytes in all. */
	T(read(fd, buf, 4), 4, 0);
	T(read(500, buf, 4), 2, 0);			/* same offset, cut */
	T(read(100, buf, 4), -1, EDQUOT);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISREG(st.st_mode) && st.st_size == 10);
	T(stat("/dev/3.in", &st2), 0, 0);
	OK(st2.st_ino == st.st_ino && st2.st_dev == st.st_dev);
	T(fstatat(AT_FDCWD, "/dev/3.in", &st2, 0), 0, 0);
	T(fstatat(fd, "", &st2, AT_EMPTY_PATH), 0, 0);
	OK(st2.st_size == 10);
	T(stat("/etc/passwd", &st2), -1, ENOENT);
	T(syscall(SYS_statx, AT_FDCWD, "/dev/3.in", 0, STATX_BASIC_STATS, &sx),
	    0, 0);
	OK(sx.stx_size == 10 && S_ISREG(sx.stx_mode));
	T(fstat(1, &st), 0, 0);
	T(lseek(1, 0, SEEK_CUR), -1, ESPIPE);		/* sequential */
	T(lseek(fd, 0, SEEK_CUR), -1, ESPIPE);
	T(ioctl(1, TCGETS, &t), -1, ENOTTY);
	T(isatty(1), 0, ENOTTY);
	T(ioctl(1, TIOCSTI, "x"), -1, ENOTTY);
	T(ioctl(1, TIOCSTI | 0xffffffff00000000UL, "x"), -1, ENOTTY);
	T(ioctl(66, TCGETS, &t), -1, EBADF);
	T(access("/dev/3.in", R_OK), 0, 0);
	T(access("/dev/3.in", W_OK), -1, EACCES);
	T(access("/etc/passwd", F_OK), -1, ENOENT);
	/* The program's own path (ld.so's $ORIGIN); no other of /proc. */
	T(readlink("/proc/self/exe", buf, sizeof(buf)) > 0, 1, 0);
	OK(buf[0] == '/');
	T(readlink("/proc/self/fd/0", buf, sizeof(buf)), -1, ENOENT);
	T(readlink("/proc/1/exe", buf, sizeof(buf)), -1, ENOENT);
	T(readlink("/dev/3.in", buf, sizeof(buf)), -1, EINVAL);
	T(getcwd(buf, sizeof(buf)) != NULL, 1, 0);
	OK(strcmp(buf, "/") == 0);
	T(chdir("/zvm-no-such-dir"), -1, ENOENT);	/* never a parent of an alias */
	T(unlink("/dev/3.in"), -1, EACCES);
	T(mkdir("/zvm-no-such-dir/x", 0777), -1, EACCES);
	T(close(fd), 0, 0);
	T(close(fd), -1, EBADF);
	T(read(500, buf, 1), -1, EDQUOT);		/* dup still open */
	T(syscall(SYS_close_range, 3, ~0U, 0), 0, 0);
	T(read(500, buf, 1), -1, EBADF);
	T(close(2000), -1, EBADF);
	return done();
}
