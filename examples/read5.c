/* SPDX-License-Identifier: ISC */
/*
 * read5 - the ZeroVM blog's example program in C: read the first 5 bytes
 * of the file named by argv[1] the way a buffered reader does (looping
 * until 5 bytes or end of file) and print them in hex.  Under a quota of
 * 3 bytes the loop gets 3 bytes, then EDQUOT.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	unsigned char buf[5];
	size_t got = 0;
	int fd;

	if (argc != 2) {
		fprintf(stderr, "usage: read5 file\n");
		return 2;
	}
	if ((fd = open(argv[1], O_RDONLY)) == -1) {
		fprintf(stderr, "read5: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	while (got < sizeof buf) {
		ssize_t r = read(fd, buf + got, sizeof buf - got);

		if (r == 0)
			break;
		if (r < 0) {
			fprintf(stderr, "read5: %s: read after %zu bytes: %s\n",
			    argv[1], got, strerror(errno));
			return 1;
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < got; i++)
		printf("%02x", buf[i]);
	printf("\n");
	return 0;
}
