/* SPDX-License-Identifier: ISC */
/*
 * sleeper - write the pid to stdout, then wait: "sleep" sleeps (the
 * timeout and kill tests), "read" reads stdin (an empty pipe), "spin"
 * burns CPU, "alloc N" tries to allocate N MiB and says if it could.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	const char *a = argc > 1 ? argv[1] : "sleep";
	char c;

	if (strcmp(a, "alloc") == 0) {
		size_t n = strtoul(argv[2], NULL, 10) << 20;
		char *p = malloc(n);

		if (p)
			memset(p, 1, n);
		printf("%s\n", p ? "allocated" : "no memory");
		return p == NULL;
	}
	dprintf(1, "%d\n", (int)getpid());
	if (strcmp(a, "read") == 0)
		return read(0, &c, 1) == 1;
	if (strcmp(a, "spin") == 0)
		for (;;)
			;
	for (;;)
		sleep(100);
}
