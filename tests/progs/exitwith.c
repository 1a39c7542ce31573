/* SPDX-License-Identifier: ISC */
/*
 * exitwith - print argv and the environment to stdout, then exit with
 * argv[1] or, for "sig N", raise signal N.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int
main(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		printf("argv[%d]=%s\n", i, argv[i]);
	for (char **e = environ; *e; e++)
		printf("env %s\n", *e);
	fflush(stdout);
	if (argc > 2 && strcmp(argv[1], "sig") == 0)
		raise(atoi(argv[2]));
	return argc > 1 ? atoi(argv[1]) : 0;
}
