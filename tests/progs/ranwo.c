/* SPDX-License-Identifier: ISC */
/*
 * ranwo - ZeroVM's ranwo test with native calls: a random write-only
 * channel /dev/3.out (type 2, puts 32, put_size 32).  Negative offsets and
 * offsets no quota could reach are EINVAL; the crossing write is cut to
 * the 30 bytes left, then EDQUOT.  The fd is a real one from 1024 up on
 * the native data path, the lowest free number (3) with ZVM_COPY.
 */
#include <fcntl.h>
#include <sys/uio.h>

#include "check.h"

int
main(void)
{
	char buf[64];
	struct iovec iov[2] = { { "A", 1 }, { "B", 1 } };
	int fd;

	memset(buf, 'z', sizeof(buf));
	fd = open("/dev/3.out", O_WRONLY);
	OK(fd == 3 || fd >= 1024);
	T(pwrite(fd, "x", 1, -1), -1, EINVAL);
	T(pwrite(fd, "x", 1, 32), -1, EINVAL);		/* size 0 + 32 left */
	T(pwritev(fd, iov, 2, 4), 2, 0);		/* one call */
	T(pwrite(fd, buf, 31, 0), 30, 0);
	T(pwrite(fd, buf, 1, 0), -1, EDQUOT);
	T(lseek(fd, 0, SEEK_END), 30, 0);
	return done();
}
