/* SPDX-License-Identifier: ISC */
/*
 * seqwo - ZeroVM's seqwo test with native calls: a sequential write-only
 * channel /dev/3.out (type 0, puts 32, put_size 32).  The crossing write
 * is cut to 28 bytes and the next one is EDQUOT (not ZeroVM's EINVAL);
 * the file holds exactly the 32 bytes delivered.
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

	memset(buf, 'x', sizeof(buf));
	T(open("/dev/3.out", O_RDONLY), -1, EACCES);
	T(fd = open("/dev/3.out", O_WRONLY | O_CREAT | O_TRUNC, 0644), 3, 0);
	T(write(fd, "a", 1), 1, 0);
	T(pwrite(fd, "b", 1, -1), -1, ESPIPE);
	T(pwrite(fd, "b", 1, 32), -1, ESPIPE);
	T(write(fd, "b", 1), 1, 0);
	T(write(fd, "cd", 2), 2, 0);			/* 4 bytes */
	T(write(fd, nullbuf, 1), -1, EFAULT);
	T(read(fd, buf, 1), -1, EBADF);
	T(write(fd, buf, 0), 0, 0);
	T(write(fd, buf, 30), 28, 0);
	T(write(fd, buf, 1), -1, EDQUOT);
	T(write(fd, buf, 0), 0, 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 32);
	return done();
}
