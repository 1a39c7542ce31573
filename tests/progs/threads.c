/* SPDX-License-Identifier: ISC */
/*
 * threads - four threads write 1000 numbered lines each to stdout while
 * the main thread waits; with argument "block" one more thread blocks
 * reading an empty stdin pipe and the others must still be served.
 */
#include <pthread.h>

#include "check.h"

static void *
writer(void *arg)
{
	char line[32];
	int id = (int)(long)arg, n;

	for (int i = 0; i < 1000; i++) {
		n = snprintf(line, sizeof(line), "t%d %d\n", id, i);
		if (write(1, line, n) != n)
			abort();
	}
	return NULL;
}

static void *
reader(void *arg)
{
	char c;

	(void)arg;
	return (void *)(long)read(0, &c, 1);
}

int
main(int argc, char **argv __attribute__((unused)))
{
	pthread_t th[5];

	if (argc > 1)
		pthread_create(&th[4], NULL, reader, NULL);
	for (long i = 0; i < 4; i++)
		T(pthread_create(&th[i], NULL, writer, (void *)i), 0, 0);
	for (int i = 0; i < 4; i++)
		T(pthread_join(th[i], NULL), 0, 0);
	return done();
}
