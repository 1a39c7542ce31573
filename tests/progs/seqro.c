/* SPDX-License-Identifier: ISC */
/*
 * seqro - ZeroVM's seqro channel test with native calls: a sequential
 * read-only channel /dev/3.data (type 0, gets 32, get_size 32) on a file
 * of 466 bytes.  Offsets are refused (ESPIPE), writes are EBADF, the byte
 * quota cuts the crossing read and the next read is EDQUOT.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "check.h"

int
main(void)
{
	char buf[64];
	struct stat st;
	int fd;

	T(open("/dev/3.data", O_WRONLY), -1, EACCES);
	T(open("/dev/3.data", O_RDWR), -1, EACCES);
	T(fd = open("/dev/3.data", O_RDONLY), 3, 0);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISREG(st.st_mode) && st.st_size == 466);
	T(read(fd, buf, 0), 0, 0);
	T(read(fd, NULL, 0), 0, 0);
	T(read(fd, buf, 1), 1, 0);
	T(pread(fd, buf, 1, 0), -1, ESPIPE);
	T(pread(fd, buf, 1, -1), -1, ESPIPE);
	T(lseek(fd, 0, SEEK_SET), -1, ESPIPE);
	T(read(fd, nullbuf, 1), -1, EFAULT);
	T(read(fd, (void *)main, 1), -1, EFAULT);	/* read-only memory */
	T(write(fd, buf, 0), -1, EBADF);
	T(write(fd, buf, 1), -1, EBADF);
	T(read(fd, buf, 3), 3, 0);			/* 4 bytes read */
	T(read(fd, buf, 30), 28, 0);			/* cut to the quota */
	T(read(fd, buf, 10), -1, EDQUOT);
	T(read(fd, buf, 0), 0, 0);			/* still 0 */
	T(close(fd), 0, 0);
	T(close(fd), -1, EBADF);
	return done();
}
