/* SPDX-License-Identifier: ISC */
/*
 * benchio - the I/O loops the benchmarks time, natively and under
 * zvm-run alike: "w1 N PATH" does N 1-byte writes, "read CHUNK PATH"
 * reads PATH to its end, "write CHUNK TOTAL PATH" writes TOTAL bytes.
 * "threads N x" starts and joins N threads, one at a time.
 * "pingpong N x" is the floor of any design that answers a call from
 * another task: N 1-byte round trips over pipes between two threads.
 * Prints the loop's own time in seconds (and bytes) to stdout.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int ping[2], pong[2];

static void *
nothing(void *arg)
{
	return arg;
}

static void *
echo(void *arg)
{
	unsigned long long n = *(unsigned long long *)arg;
	char c;

	while (n-- > 0)
		if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
			break;
	return NULL;
}

int
main(int argc, char **argv)
{
	unsigned long long n, total = 0, chunk;
	char *buf;
	double t0;
	ssize_t k;
	int fd;

	if (argc < 4)
		return 2;
	chunk = strtoull(argv[2], NULL, 10);
	if (strcmp(argv[1], "w1") == 0) {
		fd = open(argv[3], O_WRONLY);
		t0 = now();
		for (n = 0; n < chunk; n++)
			if (write(fd, "x", 1) != 1)
				return 1;
		printf("%.9f\n", now() - t0);
		return 0;
	}
	if (strcmp(argv[1], "threads") == 0) {
		pthread_t t;

		t0 = now();
		for (n = 0; n < chunk; n++)
			if (pthread_create(&t, NULL, nothing, NULL) != 0 ||
			    pthread_join(t, NULL) != 0)
				return 1;
		printf("%.9f\n", now() - t0);
		return 0;
	}
	if (strcmp(argv[1], "pingpong") == 0) {
		pthread_t t;
		char c = 'x';

		if (pipe(ping) == -1 || pipe(pong) == -1 ||
		    pthread_create(&t, NULL, echo, &chunk) != 0)
			return 1;
		t0 = now();
		for (n = 0; n < chunk; n++)
			if (write(ping[1], &c, 1) != 1 ||
			    read(pong[0], &c, 1) != 1)
				return 1;
		printf("%.9f\n", now() - t0);
		pthread_join(t, NULL);
		return 0;
	}
	/* Page-aligned, as cat(1) and most bulk readers have it: the
	 * kernel's copy into a malloc'd (16-byte aligned) buffer is several
	 * times slower on some CPUs, which would flatter zvm-run's ratio. */
	if ((buf = aligned_alloc(4096, (chunk + 4095) & ~4095ULL)) == NULL)
		return 1;
	memset(buf, 'b', chunk);
	if (strcmp(argv[1], "read") == 0) {
		fd = open(argv[3], O_RDONLY);
		t0 = now();
		while ((k = read(fd, buf, chunk)) > 0)
			total += k;
	} else {
		n = strtoull(argv[3], NULL, 10);
		fd = open(argv[4], O_WRONLY | O_CREAT | O_TRUNC, 0666);
		t0 = now();
		while (total < n && (k = write(fd, buf, chunk)) > 0)
			total += k;
	}
	printf("%.9f %llu\n", now() - t0, total);
	return 0;
}
