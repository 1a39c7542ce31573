/* SPDX-License-Identifier: ISC */
/*
 * floor-launch - the least any launcher costs on this machine: start
 * PROGRAM with posix_spawn, wait, exit with its status.  Built like
 * zvm-run (static, musl when there is one), so the startup benchmark can
 * name what a separate launcher binary costs before any sandboxing.
 */
#include <spawn.h>
#include <stdio.h>
#include <sys/wait.h>

extern char **environ;

int
main(int argc, char **argv)
{
	pid_t pid;
	int st;

	if (argc < 2) {
		fprintf(stderr, "usage: floor-launch PROGRAM [ARG...]\n");
		return 2;
	}
	if (posix_spawn(&pid, argv[1], NULL, NULL, argv + 1, environ) != 0 ||
	    waitpid(pid, &st, 0) == -1)
		return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
