/* SPDX-License-Identifier: ISC */
/*
 * ranrw - ZeroVM's ranrw test with native calls: a random read-write
 * channel (type 3) on an empty file: negative offsets are EINVAL, bytes
 * written at an offset read back, and one fd's offset serves both.
 */
#include <fcntl.h>

#include "check.h"

int
main(void)
{
	char buf[64];
	int fd, fd2;

	T(fd = open("/dev/3.rw", O_RDWR), 3, 0);
	T(pwrite(fd, "x", 1, -1), -1, EINVAL);
	T(pread(fd, buf, 1, -1), -1, EINVAL);
	T(pread(fd, buf, 1, 0), 0, 0);			/* empty */
	T(pwrite(fd, "hello", 5, 2), 5, 0);		/* a hole of 2 */
	T(pread(fd, buf, 64, 0), 7, 0);
	OK(buf[0] == 0 && memcmp(buf + 2, "hello", 5) == 0);
	T(write(fd, "AB", 2), 2, 0);			/* at offset 0 */
	T(lseek(fd, 0, SEEK_CUR), 2, 0);
	T(read(fd, buf, 3), 3, 0);
	OK(memcmp(buf, "hel", 3) == 0);
	T(fd2 = dup(fd), 4, 0);
	T(lseek(fd2, 0, SEEK_CUR), 5, 0);		/* shared offset */
	T(fd2 = open("/dev/3.rw", O_RDONLY), 5, 0);
	T(lseek(fd2, 0, SEEK_CUR), 0, 0);		/* its own */
	T(pread(fd, buf, 1, 1000), 0, 0);
	return done();
}
