/* SPDX-License-Identifier: ISC */
/*
 * ranro - ZeroVM's ranro test with native calls: a random read-only
 * channel /dev/3.data (type 1, gets 32, get_size 32) on a 466-byte file.
 * A read at the end is 0 and free, negative offsets are EINVAL, the
 * crossing read is cut, then EDQUOT.  The fd is a real one from 1024 up
 * on the native data path, the lowest free number (3) with ZVM_COPY.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "check.h"

int
main(void)
{
	char buf[64], c;
	struct stat st;
	struct iovec iov[2] = { { buf, 1 }, { buf + 1, 1 } };
	int fd;

	fd = open("dev/3.data", O_RDONLY);	/* relative: from / */
	OK(fd == 3 || fd >= 1024);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 466);
	T(pread(fd, buf, 1, st.st_size), 0, 0);
	T(pread(fd, buf, 1, st.st_size + 100), 0, 0);
	T(pread(fd, buf, 1, -1), -1, EINVAL);
	T(lseek(fd, -1, SEEK_SET), -1, EINVAL);
	T(lseek(fd, 0, SEEK_END), 466, 0);
	T(read(fd, buf, 5), 0, 0);			/* at the end: free */
	T(lseek(fd, 10, SEEK_SET), 10, 0);
	T(preadv(fd, iov, 2, 0), 2, 0);		/* one call, 2 bytes */
	T(read(fd, &c, 1), 1, 0);			/* offset 10 */
	T(pread(fd, buf, 31, 100), 29, 0);		/* cut: 3 + 29 = 32 */
	T(pread(fd, buf, 1, 0), -1, EDQUOT);
	T(pread(fd, buf, 1, 466), 0, 0);		/* the end stays 0 */
	return done();
}
