/* SPDX-License-Identifier: ISC */
/*
 * interleave - time commands in turn, one run of each per round, and
 * print each one's median wall time: on a machine whose speed drifts by
 * tens of percent from one second to the next (a shared VM), runs taken
 * side by side give ratios that hold where a whole batch of one command
 * and then one of the next (hyperfine's order) does not.
 *
 *   interleave [-r ROUNDS] [-w WARMUP] COMMAND...
 *
 * Each COMMAND is one argument, split at spaces into a program (looked
 * up in PATH) and its arguments (no shell, no quoting); its output goes
 * to /dev/null.  Prints
 * "MEDIAN_MS COMMAND" a line, in the order given.  Exits 1 when a command
 * could not be started or did not exit 0.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAXARGS 64

static double
now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One run of argv, its wall time in ms, or -1. */
static double
run(char **argv, posix_spawn_file_actions_t *fa)
{
	double t0 = now_ms();
	pid_t pid;
	int st;

	if (posix_spawnp(&pid, argv[0], fa, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		return -1;
	return now_ms() - t0;
}

static int
split(char *s, char **argv)
{
	int n = 0;

	for (char *p = strtok(s, " "); p && n < MAXARGS; p = strtok(NULL, " "))
		argv[n++] = p;
	argv[n] = NULL;
	return n;
}

int
main(int argc, char **argv)
{
	posix_spawn_file_actions_t fa;
	long rounds = 100, warmup = 10;
	double *t;
	char ***cmd;
	int c, n;

	while ((c = getopt(argc, argv, "r:w:")) != -1)
		switch (c) {
		case 'r':
			rounds = strtol(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtol(optarg, NULL, 10);
			break;
		default:
			goto usage;
		}
	n = argc - optind;
	if (n < 1 || rounds < 1 || warmup < 0)
		goto usage;
	cmd = calloc((size_t)n, sizeof(*cmd));
	t = calloc((size_t)n * (size_t)rounds, sizeof(*t));
	if (cmd == NULL || t == NULL)
		return 1;
	for (int i = 0; i < n; i++) {
		char *s = strdup(argv[optind + i]);

		if (s == NULL || (cmd[i] = calloc(MAXARGS + 1,
		    sizeof(char *))) == NULL || split(s, cmd[i]) == 0)
			goto usage;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	for (long r = -warmup; r < rounds; r++)
		for (int i = 0; i < n; i++) {
			double ms = run(cmd[i], &fa);

			if (ms < 0) {
				fprintf(stderr, "interleave: %s: failed\n",
				    argv[optind + i]);
				return 1;
			}
			if (r >= 0)
				t[(size_t)i * (size_t)rounds + (size_t)r] = ms;
		}
	for (int i = 0; i < n; i++) {
		double *v = t + (size_t)i * (size_t)rounds;

		qsort(v, (size_t)rounds, sizeof(*v), cmp);
		printf("%.4f %s\n", rounds % 2 ? v[rounds / 2] :
		    (v[rounds / 2 - 1] + v[rounds / 2]) / 2, argv[optind + i]);
	}
	return 0;
usage:
	fprintf(stderr, "usage: interleave [-r rounds] [-w warmup] "
	    "command...\n");
	return 2;
}
