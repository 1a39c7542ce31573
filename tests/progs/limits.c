/* SPDX-License-Identifier: ISC */
/*
 * limits - take as much as the sandbox allows of one thing, and say how
 * much that was on stdout; the caller compares it with the manifest.
 *   limits threads	threads (64 KiB stacks, all alive) until one fails
 *   limits tree	threads that each start two more, all at once, all
 *			alive: how many there were at most, then EAGAIN
 *   limits files PATH	opens of PATH, kept open, until one fails
 *   limits pipes	pipes, each filled, until one fails; then, all
 *			closed, as many again.  "map" follows when a 1 MiB
 *			map failed while they were held and worked after
 * Prints "N ERRNO-NAME"; exits 1 on anything unexpected.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/mman.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX 100000

static int gate[2];

static void *
wait_gate(void *arg)
{
	char c;

	(void)arg;
	(void)read(gate[0], &c, 1);
	return NULL;
}

static const char *
ename(int e)
{
	return e == EAGAIN ? "EAGAIN" : e == EMFILE ? "EMFILE" :
	    e == ENFILE ? "ENFILE" : e == ENOMEM ? "ENOMEM" : "other";
}

static int
threads(void)
{
	static pthread_t t[MAX];
	pthread_attr_t a;
	int n, e = 0;

	if (pipe(gate) == -1)
		return 1;
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 65536);
	for (n = 0; n < MAX; n++)
		if ((e = pthread_create(&t[n], &a, wait_gate, NULL)) != 0)
			break;
	printf("%d %s\n", n, ename(e));
	fflush(stdout);
	close(gate[1]);		/* every thread's read ends */
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	/* Gone: room again. */
	if (pipe(gate) == -1 || pthread_create(&t[0], &a, wait_gate, NULL))
		return 1;
	close(gate[1]);
	pthread_join(t[0], NULL);
	return 0;
}

/* made: threads created (counted by their parent, before they can
 * run); settled: those done with their two tries.  Once both agree no
 * thread can start another: the tree is complete, however slow. */
static int made, settled, refused;
static pthread_attr_t small;

static void *
branch(void *arg)
{
	pthread_t t;
	char c;

	(void)arg;
	for (int i = 0; i < 2; i++)
		if (pthread_create(&t, &small, branch, NULL) != 0)
			__atomic_store_n(&refused, 1, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&made, 1, __ATOMIC_SEQ_CST);
	__atomic_add_fetch(&settled, 1, __ATOMIC_SEQ_CST);
	(void)read(gate[0], &c, 1);
	return NULL;
}

static int
tree(void)
{
	pthread_t t;
	int now = 0;

	if (pipe(gate) == -1)
		return 1;
	pthread_attr_init(&small);
	pthread_attr_setstacksize(&small, 65536);
	pthread_attr_setdetachstate(&small, PTHREAD_CREATE_DETACHED);
	__atomic_store_n(&made, 1, __ATOMIC_SEQ_CST);
	if (pthread_create(&t, &small, branch, NULL) != 0)
		return 1;
	/* Until every thread made has had its two tries (60 s at most). */
	for (int i = 0; i < 6000; i++) {
		now = __atomic_load_n(&made, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&settled, __ATOMIC_SEQ_CST) == now)
			break;
		usleep(10000);
	}
	printf("%d %s\n", now, refused ? "EAGAIN" : "none");
	return 0;
}

static int
files(const char *path)
{
	static int fd[MAX];
	int n;

	for (n = 0; n < MAX; n++)
		if ((fd[n] = open(path, O_RDONLY)) == -1)
			break;
	printf("%d %s\n", n, ename(errno));
	if (n == 0)
		return 1;
	close(fd[0]);
	if ((fd[0] = open(path, O_RDONLY)) == -1)
		return 1;
	return 0;
}

static int
pipes(void)
{
	static int p[MAX][2];
	static char buf[65536];
	void *held, *after;
	int n, m, e;

	for (n = 0; n < MAX; n++) {
		if (pipe2(p[n], O_NONBLOCK) == -1)
			break;
		if (write(p[n][1], buf, sizeof(buf)) != (ssize_t)sizeof(buf))
			return 1;
	}
	e = errno;
	held = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (int i = 0; i < n; i++)
		close(p[i][0]), close(p[i][1]);
	after = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("%d %s%s\n", n, ename(e), held == MAP_FAILED &&
	    after != MAP_FAILED ? " map" : "");
	if (after != MAP_FAILED)
		munmap(after, 1 << 20);
	if (held != MAP_FAILED)
		munmap(held, 1 << 20);
	for (m = 0; m < MAX; m++)
		if (pipe(p[m]) == -1)
			break;
	return m == n && errno == e ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "threads") == 0)
		return threads();
	if (argc == 2 && strcmp(argv[1], "tree") == 0)
		return tree();
	if (argc == 3 && strcmp(argv[1], "files") == 0)
		return files(argv[2]);
	if (argc == 2 && strcmp(argv[1], "pipes") == 0)
		return pipes();
	return 2;
}
