/* SPDX-License-Identifier: ISC */
/*
 * cdr - ZeroVM's cdr test with native calls: a read-write channel of type
 * 1 (random reads, sequential writes) on a file holding "0123456789".
 * Writes append after the existing data, a read at the end is 0, pwrite
 * is ESPIPE, and the byte quota (put_size 16) cuts then refuses.
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

	T(fd = open("/dev/3.cdr", O_RDWR), 3, 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 10);
	T(pwrite(fd, "x", 1, 0), -1, ESPIPE);
	T(write(fd, "abc", 3), 3, 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 13);
	T(pread(fd, buf, 64, 0), 13, 0);
	OK(memcmp(buf, "0123456789abc", 13) == 0);
	T(pread(fd, buf, 1, 13), 0, 0);
	T(write(fd, "defghijklmnopqrstuvw", 20), 13, 0);
	T(write(fd, "x", 1), -1, EDQUOT);
	return done();
}
