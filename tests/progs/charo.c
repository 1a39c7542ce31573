/* SPDX-License-Identifier: ISC */
/*
 * charo - ZeroVM's charo test with native calls: a character device
 * (/dev/zero as /dev/charo, gets 4, get_size 32) is sequential, and fds
 * that are not open are EBADF however large.
 */
#include <fcntl.h>
#include <sys/stat.h>

#include "check.h"

int
main(void)
{
	char buf[64];
	struct stat st;
	int fd;

	T(fd = open("/dev/charo", O_RDONLY), 3, 0);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISCHR(st.st_mode));
	T(pread(fd, buf, 1, 0), -1, ESPIPE);
	T(lseek(fd, 0, SEEK_CUR), -1, ESPIPE);
	buf[0] = 1;
	T(read(fd, buf, 10), 10, 0);
	OK(buf[0] == 0 && buf[9] == 0);
	T(read(-1, buf, 1), -1, EBADF);
	T(read(0xffff, buf, 1), -1, EBADF);
	T(read(1023, buf, 1), -1, EBADF);
	T(read(1024, buf, 1), -1, EBADF);
	T(read(fd, buf, 30), 22, 0);
	T(read(fd, buf, 1), -1, EDQUOT);
	return done();
}
