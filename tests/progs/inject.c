/* SPDX-License-Identifier: ISC */
/*
 * inject - a static program that uses the real fds zvm-run injects for
 * files that may be mapped, and directory images, the way ld.so and
 * python do, and attacks them: reads and maps past the quota, an fd
 * number guessed by another thread, calls the fds must not take, and
 * every way out of an image.  Usage:
 *   inject lib PATH	(PATH's channel: get_size 5206)
 *   inject race PATH	(prints the bytes a guessing thread read)
 *   inject img ALIAS	(an image made by the test: file, sub/f, links)
 *   inject remap PATH	(PATH's channel: get_size 20480; mremap growth)
 *   inject mapall PATH	(maps PATH whole: its etag is the file's)
 *   inject mapgrow PATH	(maps a page of PATH, grows it past the end)
 *   inject dir ALIAS	(an image of ten one-letter names: get_size 100)
 *   inject pages PATH	(PATH's channel: get_size 12298; 1-byte maps)
 *   inject tail PATH	(a 10000-byte file: 1 byte mapped at 8192)
 *   inject reopen PATH	(10000 opens, reads and closes of PATH, 10000
 *			pipes (30000 fds), again with a second thread
 *			blocked: past RLIMIT_NOFILE, numbers come back)
 *   inject seekrace r|w PATH	(reads, or writes, of PATH in 4 KiB calls
 *			till EDQUOT while another thread moves the fd's
 *			offset about: prints the bytes moved)
 */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>

#include "check.h"

static char buf[65536];

static int
lib(const char *path)
{
	struct termios t;
	struct stat st;
	char path2[64];
	void *p;
	int fd, d;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	OK(fd >= 1024);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISREG(st.st_mode) && st.st_size > 65536);
	T(read(fd, buf, 100), 100, 0);
	OK(memcmp(buf, "\177ELF", 4) == 0);
	/* One offset: the program's fd and the supervisor's copy. */
	T(lseek(fd, 0, SEEK_CUR), 100, 0);
	T(pread(fd, buf, 10, 0), 10, 0);
	T(lseek(fd, 0, SEEK_CUR), 100, 0);
	/* 110 of 5206 used: the whole file does not fit, 4096 does. */
	T(mmap(NULL, st.st_size, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED,
	    EDQUOT);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	OK(p != MAP_FAILED && memcmp(p, "\177ELF", 4) == 0);
	/* 4206 used: a read is cut to the 1000 left, then EDQUOT. */
	T(read(fd, buf, sizeof(buf)), 1000, 0);
	T(lseek(fd, 0, SEEK_CUR), 1100, 0);
	T(read(fd, buf, 1), -1, EDQUOT);
	T(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED,
	    EDQUOT);
	/* What the fd must not do. */
	T(write(fd, "x", 1), -1, EBADF);
	T(dup2(fd, 1500), -1, EBADF);
	/* A dup is the same channel's file: its quota is spent too. */
	T(d = dup(fd), d, 0);
	OK(d >= 1024);
	T(read(d, buf, 1), -1, EDQUOT);
	T(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, d, 0), MAP_FAILED, EDQUOT);
	T(write(d, "x", 1), -1, EBADF);
	T(close(d), 0, 0);
	T(d = fcntl(fd, F_DUPFD, 0), d, 0);
	T(read(d, buf, 1), -1, EDQUOT);
	T(close(d), 0, 0);
	T(fcntl(fd, F_DUPFD, 5000), -1, EINVAL);
	T(fcntl(fd, F_GETFD), FD_CLOEXEC, 0);
	T(ioctl(fd, TCGETS, &t), -1, ENOTTY);
	T(syscall(SYS_getdents64, fd, buf, sizeof(buf)), -1, ENOTDIR);
	T(ftruncate(fd, 0), -1, EBADF);
	T(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0),
	    MAP_FAILED, EDQUOT);
	/* No way to it through /proc, and no other library. */
	snprintf(path2, sizeof(path2), "/proc/self/fd/%d", fd);
	T(open(path2, O_RDONLY), -1, ENOENT);
	T(readlink(path2, buf, sizeof(buf)), -1, ENOENT);
	T(open("/lib/x86_64-linux-gnu/libm.so.6", O_RDONLY), -1, ENOENT);
	T(open("/proc/self/maps", O_RDONLY), -1, ENOENT);
	T(close(fd), 0, 0);
	T(read(fd, buf, 1), -1, EBADF);
	T(mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0), MAP_FAILED, EBADF);
	T(close(fd), -1, EBADF);
	/* A closed number comes back (one thread: its close has run), but
	 * not one a map was made of: mremap finds its file by the number. */
	T(open(path, O_RDONLY), d, 0);
	OK(open(path, O_RDONLY) != fd);
	return done();
}

static volatile int stop;
static long guessed;

static void *
guess(void *arg)
{
	char c;

	(void)arg;
	while (!stop)
		for (int fd = 1024; fd < 1040; fd++)
			if (read(fd, &c, 1) == 1)
				guessed++;
	return NULL;
}

static int
race(const char *path)
{
	pthread_t th;

	pthread_create(&th, NULL, guess, NULL);
	for (int i = 0; i < 16; i++) {
		int fd = open(path, O_RDONLY);

		OK(fd >= 1024);
		usleep(1000);
	}
	stop = 1;
	pthread_join(th, NULL);
	printf("%ld\n", guessed);
	fflush(stdout);
	return done();
}

/* getdents64 names of path, in one string "a b c " (sorted by caller). */
static int
names(const char *path, char *out, size_t n)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY), k, c = 0;

	*out = '\0';
	if (fd < 0)
		return -1;
	while ((k = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0)
		for (int o = 0; o < k; ) {
			struct dirent *d = (struct dirent *)(buf + o);

			if (strlen(out) + strlen(d->d_name) + 2 < n) {
				strcat(out, d->d_name);
				strcat(out, " ");
			}
			o += d->d_reclen;
			c++;
		}
	close(fd);
	return c;
}

static int
img(const char *a)
{
	char p[512], l[512];
	struct stat st;
	int fd, dfd;

#define P(s) (snprintf(p, sizeof(p), "%s/%s", a, s), p)
	fd = open(P("file"), O_RDONLY);
	OK(fd >= 1024);
	T(read(fd, buf, 100), 7, 0);
	OK(memcmp(buf, "inside\n", 7) == 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 7);
	close(fd);
	/* Ways out: lexical .., a link up, absolute and magic links. */
	T(open(P("../../../../etc/passwd"), O_RDONLY), -1, ENOENT);
	T(open(P("up/outside"), O_RDONLY), -1, ENOENT);
	T(open(P("abs"), O_RDONLY), -1, ENOENT);
	T(open(P("magic/etc/passwd"), O_RDONLY), -1, ENOENT);
	T(stat(P("up/outside"), &st), -1, ENOENT);
	/* A link inside the tree works; links are themselves visible. */
	fd = open(P("rel"), O_RDONLY);
	OK(fd >= 1024);
	T(read(fd, buf, 100), 4, 0);
	close(fd);
	T(lstat(P("abs"), &st), 0, 0);
	OK(S_ISLNK(st.st_mode));
	T(readlink(P("abs"), l, sizeof(l)), 11, 0);
	OK(memcmp(l, "/etc/passwd", 11) == 0);
	T(readlink(P("file"), l, sizeof(l)), -1, EINVAL);
	/* Directories: stat, list, open relative to one. */
	T(stat(P("sub"), &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	T(names(a, l, sizeof(l)), 8, 0);
	dfd = open(P("sub"), O_RDONLY | O_DIRECTORY);
	OK(dfd >= 0 && dfd < 1024);
	fd = openat(dfd, "f", O_RDONLY);
	OK(fd >= 1024);
	T(openat(dfd, "../up/outside", O_RDONLY), -1, ENOENT);
	T(read(dfd, buf, 1), -1, EISDIR);
	/* Read-only. */
	T(open(P("file"), O_WRONLY), -1, EROFS);
	T(open(P("new"), O_WRONLY | O_CREAT, 0644), -1, EROFS);
	T(access(P("file"), W_OK), -1, EROFS);
	T(access(P("file"), R_OK), 0, 0);
	T(access(P("nothere"), F_OK), -1, ENOENT);
	/* Virtual directories: "/", "/dev", the parents of aliases. */
	T(stat("/", &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	T(stat("/dev", &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	T(names("/", l, sizeof(l)) >= 3, 1, 0);
	OK(strstr(l, "dev ") != NULL);
	T(names("/dev", l, sizeof(l)) >= 5, 1, 0);
	OK(strstr(l, "stdout ") != NULL);
	T(getcwd(l, sizeof(l)) != NULL, 1, 0);
	OK(strcmp(l, "/") == 0);
	T(stat("/etc", &st), -1, ENOENT);
	T(open("/proc/self/root/etc/passwd", O_RDONLY), -1, ENOENT);
	return done();
}

static void *
idle(void *arg)
{
	(void)arg;
	while (!stop)
		usleep(1000);
	return NULL;
}

/* mremap: growing a map of an injected file is a read of what it adds. */
static int
remap(const char *path)
{
	pthread_t th;
	char *p, *q, *m;
	int fd;

	fd = open(path, O_RDONLY);
	OK(fd >= 1024);
	p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	OK(p != MAP_FAILED);
	/* 4096 used: growth by 8192 is charged, and maps the file. */
	q = mremap(p, 4096, 12288, MREMAP_MAYMOVE);
	OK(q != MAP_FAILED);
	T(pread(fd, buf, 4096, 8192), 4096, 0);	/* 16384 used */
	OK(q != MAP_FAILED && memcmp(q + 8192, buf, 4096) == 0);
	/* Shrinking reaches nothing new: free. */
	T(mremap(q, 12288, 8192, 0), q, 0);
	/* 8192 more does not fit in the 4096 left, and is not cut. */
	T(mremap(q, 8192, 16384, MREMAP_MAYMOVE), MAP_FAILED, EDQUOT);
	/* The fd closed, the map lives on: its growth is still charged,
	 * 4096, the quota; then nothing more. */
	T(close(fd), 0, 0);
	q = mremap(q, 8192, 12288, MREMAP_MAYMOVE);
	OK(q != MAP_FAILED);
	T(mremap(q, 12288, 16384, MREMAP_MAYMOVE), MAP_FAILED, EDQUOT);
	T(munmap(q, 12288), 0, 0);
	/* Anonymous memory grows free: mremap, and realloc's. */
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	OK(p != MAP_FAILED);
	memset(p, 'a', 1 << 20);
	q = mremap(p, 1 << 20, 4 << 20, MREMAP_MAYMOVE);
	OK(q != MAP_FAILED && q[(1 << 20) - 1] == 'a' && q[(4 << 20) - 1] == 0);
	T(munmap(q, 4 << 20), 0, 0);
	m = malloc(1 << 20);
	OK(m != NULL);
	memset(m, 'b', 1 << 20);
	m = realloc(m, 16 << 20);
	OK(m != NULL && m[(1 << 20) - 1] == 'b');
	free(m);
	/* With another thread, growth fails (what it maps is unknown);
	 * realloc copies instead. */
	stop = 0;
	pthread_create(&th, NULL, idle, NULL);
	p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
	    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(mremap(p, 1 << 20, 2 << 20, MREMAP_MAYMOVE), MAP_FAILED, EAGAIN);
	T(mremap(p, 1 << 20, 4096, 0), p, 0);
	m = malloc(1 << 20);
	OK(m != NULL);
	memset(m, 'c', 1 << 20);
	m = realloc(m, 16 << 20);
	OK(m != NULL && m[(1 << 20) - 1] == 'c');
	free(m);
	stop = 1;
	pthread_join(th, NULL);
	return done();
}

/* Map the file whole, or a page of it grown past its end (the test's
 * file: 10000 bytes); either way every byte is mapped once. */
static int
mapall(const char *path, int grow)
{
	struct stat st;
	char *p;
	int fd;

	fd = open(path, O_RDONLY);
	OK(fd >= 1024);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 10000);
	p = mmap(NULL, grow ? 4096 : 10000, PROT_READ, MAP_PRIVATE, fd, 0);
	OK(p != MAP_FAILED);
	if (grow) {
		T(close(fd), 0, 0);
		p = mremap(p, 4096, 16384, MREMAP_MAYMOVE);
		OK(p != MAP_FAILED);
	}
	OK(p != MAP_FAILED && p[9999] == '\n');
	return done();
}

/* A 1-byte map makes a whole page readable, and is charged so: three
 * fit in 12298 bytes, a fourth does not, and a read gets the 10 left. */
static int
pages(const char *path)
{
	char *p;
	int fd;

	fd = open(path, O_RDONLY);
	OK(fd >= 1024);
	for (int i = 0; i < 3; i++) {
		p = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, i * 4096);
		OK(p != MAP_FAILED);
		if (p != MAP_FAILED && i == 0)
			OK(memcmp(p, "\177ELF", 4) == 0);
	}
	T(mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 3 * 4096), MAP_FAILED,
	    EDQUOT);
	T(read(fd, buf, 100), 10, 0);
	T(read(fd, buf, 1), -1, EDQUOT);
	return done();
}

/* The last page of a 10000-byte file holds 1808 of its bytes. */
static int
tail(const char *path)
{
	char *p;
	int fd;

	fd = open(path, O_RDONLY);
	OK(fd >= 1024);
	p = mmap(NULL, 1, PROT_READ, MAP_PRIVATE, fd, 8192);
	OK(p != MAP_FAILED && p[1807] == '\n' && p[1808] == 0);
	return done();
}

/* An image's listing is read from its channel: ten names of 24 bytes
 * each (".", "..", "a" to "h"), four fit in the 100 of the quota. */
static int
dir(const char *a)
{
	int fd = open(a, O_RDONLY | O_DIRECTORY);

	OK(fd >= 0 && fd < 1024);
	T(syscall(SYS_getdents64, fd, buf, sizeof(buf)), 96, 0);
	T(syscall(SYS_getdents64, fd, buf, sizeof(buf)), -1, EDQUOT);
	T(syscall(SYS_getdents64, fd, buf, sizeof(buf)), -1, EDQUOT);
	return done();
}

static void *
blocked(void *arg)
{
	char c;

	return (void *)(long)read(*(int *)arg, &c, 1);
}

static volatile int racing = 1;
static int racefd;

/* Move racefd's offset about, far out too, till told to stop. */
static void *
seeker(void *arg)
{
	unsigned long x = 88172645463325252UL;

	(void)arg;
	while (racing) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		(void)lseek(racefd, x % 4 == 0 ? (off_t)(x % (1UL << 40)) :
		    (off_t)(x % 200000), SEEK_SET);
	}
	return NULL;
}

/* Reads (or writes) in 4 KiB calls until EDQUOT, racing a thread that
 * moves the offset: whatever the kernel did, no more than the quota may
 * move.  Prints the bytes moved. */
static int
seekrace(int wr, const char *path)
{
	static char b[4096];
	unsigned long long moved = 0;
	pthread_t t;
	ssize_t k;

	if ((racefd = open(path, wr ? O_WRONLY : O_RDONLY)) < 0)
		return 1;
	if (pthread_create(&t, NULL, seeker, NULL) != 0)
		return 1;
	for (long i = 0; i < 1000000; i++) {
		k = wr ? write(racefd, b, sizeof(b)) :
		    read(racefd, b, sizeof(b));
		if (k < 0 && errno == EDQUOT)
			break;
		if (k > 0)
			moved += (unsigned long long)k;
	}
	racing = 0;
	pthread_join(t, NULL);
	printf("%llu\n", moved);
	return 0;
}

/* Open, read, close, and pipes, in loops: each number comes back. */
static int
reopen(const char *path)
{
	int fd, p[2], hi = 0, bad = 0, wake[2];
	pthread_t t;
	char c;

	for (int round = 0; round < 2; round++) {
		if (round == 1) {	/* a second thread, blocked meanwhile */
			T(pipe(wake), 0, 0);
			OK(pthread_create(&t, NULL, blocked, &wake[0]) == 0);
		}
		for (int i = 0; i < 10000; i++) {
			if ((fd = open(path, O_RDONLY)) < 0 ||
			    read(fd, &c, 1) != 1 || close(fd) != 0)
				bad++;
			if (pipe(p) != 0 || close(p[0]) != 0 || close(p[1]) != 0)
				bad++;
			if (fd > hi)
				hi = fd;
		}
		if (round == 1) {
			T(write(wake[1], "x", 1), 1, 0);
			OK(pthread_join(t, NULL) == 0);
		}
	}
	OK(bad == 0);
	/* Not one new number for each: they came back. */
	OK(hi < 1024 + 64);
	return done();
}

int
main(int argc, char *argv[])
{
	if (argc == 3 && strcmp(argv[1], "reopen") == 0)
		return reopen(argv[2]);
	if (argc == 4 && strcmp(argv[1], "seekrace") == 0)
		return seekrace(argv[2][0] == 'w', argv[3]);
	if (argc == 3 && strcmp(argv[1], "lib") == 0)
		return lib(argv[2]);
	if (argc == 3 && strcmp(argv[1], "race") == 0)
		return race(argv[2]);
	if (argc == 3 && strcmp(argv[1], "img") == 0)
		return img(argv[2]);
	if (argc == 3 && strcmp(argv[1], "remap") == 0)
		return remap(argv[2]);
	if (argc == 3 && strcmp(argv[1], "mapall") == 0)
		return mapall(argv[2], 0);
	if (argc == 3 && strcmp(argv[1], "mapgrow") == 0)
		return mapall(argv[2], 1);
	if (argc == 3 && strcmp(argv[1], "pages") == 0)
		return pages(argv[2]);
	if (argc == 3 && strcmp(argv[1], "tail") == 0)
		return tail(argv[2]);
	if (argc == 3 && strcmp(argv[1], "dir") == 0)
		return dir(argv[2]);
	return 2;
}
