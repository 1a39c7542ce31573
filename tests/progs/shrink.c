/* SPDX-License-Identifier: ISC */
/*
 * shrink - reads 4096 bytes of /dev/3.in, sleeps while the test truncates
 * the host file, then reads on to the end; prints "total N" or the errno
 * of the failed read.  The supervisor maps regular inputs: a file that
 * shrinks under the map must end the reads early, never kill zvm-run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(void)
{
	static char buf[65536];
	struct timespec ts = { 0, 400 * 1000 * 1000 };
	long long total = 0;
	ssize_t k;
	int fd;

	if ((fd = open("/dev/3.in", O_RDONLY)) == -1)
		return 2;
	if ((k = read(fd, buf, 4096)) != 4096)
		return 3;
	total = k;
	nanosleep(&ts, NULL);
	while ((k = read(fd, buf, sizeof(buf))) > 0)
		total += k;
	if (k < 0)
		printf("read: %s after %lld\n", strerror(errno), total);
	else
		printf("total %lld\n", total);
	return k < 0;
}
