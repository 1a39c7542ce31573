/* SPDX-License-Identifier: ISC */
/*
 * scratch - the calls a program makes on a temporary directory, checked
 * against what Linux answers on a local file system, so the same run
 * passes natively (DIR a fresh directory) and under zvm-run (DIR /tmp,
 * the scratch).
 *
 *   scratch ops DIR            every check; "PASS n checks" on fd 2
 *   scratch attack             under zvm-run only: the ways out of /tmp
 *   scratch fill DIR N SECS    write N bytes to DIR/fill in 64 KiB
 *                              writes, print "wrote W errno E", sleep
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

#include "check.h"

static char dir[256];

static const char *
at(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
	return p[k];
}

/* The names in directory path, sorted, joined by ',' (no . and ..). */
static void
list(const char *path, char *out, size_t cap)
{
	char names[64][64];
	int n = 0;
	DIR *d = opendir(path);
	struct dirent *e;

	out[0] = '\0';
	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL && n < 64)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			snprintf(names[n++], 64, "%.60s%s", e->d_name,
			    e->d_type == DT_DIR ? "/" : "");
	closedir(d);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(names[j], names[i]) < 0) {
				char t[64];

				memcpy(t, names[i], 64);
				memcpy(names[i], names[j], 64);
				memcpy(names[j], t, 64);
			}
	for (int i = 0; i < n; i++) {
		strncat(out, names[i], cap - strlen(out) - 1);
		if (i + 1 < n)
			strncat(out, ",", cap - strlen(out) - 1);
	}
}

static void
ops(void)
{
	char buf[256], names[512];
	struct stat st;
	struct iovec iov[2];
	int fd, fd2, t, dfd;
	char *p;

	/* Directories. */
	T(mkdir(at("d"), 0700), 0, 0);
	T(mkdir(at("d"), 0700), -1, EEXIST);
	T(mkdir(at("no/such"), 0700), -1, ENOENT);
	T(stat(at("d"), &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	OK((st.st_mode & 0777) == 0700);
	T(stat(dir, &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	T(access(at("d"), W_OK), 0, 0);

	/* A file: create, write, read back, size. */
	T(fd = open(at("d/f"), O_RDWR | O_CREAT | O_EXCL, 0600), fd, 0);
	OK(fd >= 0);
	T(open(at("d/f"), O_RDWR | O_CREAT | O_EXCL, 0600), -1, EEXIST);
	T(write(fd, "hello, ", 7), 7, 0);
	iov[0].iov_base = "scr";
	iov[0].iov_len = 3;
	iov[1].iov_base = "atch\n";
	iov[1].iov_len = 5;
	T(writev(fd, iov, 2), 8, 0);
	T(pwrite(fd, "H", 1, 0), 1, 0);
	T(lseek(fd, 0, SEEK_CUR), 15, 0);
	T(fstat(fd, &st), 0, 0);
	OK(S_ISREG(st.st_mode) && st.st_size == 15);
	T(pread(fd, buf, sizeof(buf), 0), 15, 0);
	OK(memcmp(buf, "Hello, scratch\n", 15) == 0);
	T(lseek(fd, 3, SEEK_SET), 3, 0);
	T(read(fd, buf, 4), 4, 0);
	OK(memcmp(buf, "lo, ", 4) == 0);
	/* A hole, then a shrink. */
	T(pwrite(fd, "!", 1, 100), 1, 0);
	T(stat(at("d/f"), &st), 0, 0);
	OK(st.st_size == 101);
	T(ftruncate(fd, 5), 0, 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 5);
	T(ftruncate(fd, -1), -1, EINVAL);
	T(truncate(at("d/f"), 7), 0, 0);
	T(stat(at("d/f"), &st), 0, 0);
	OK(st.st_size == 7);
	T(truncate(at("d"), 0), -1, EISDIR);

	/* A second open has its own offset; O_APPEND writes at the end. */
	T(fd2 = open(at("d/f"), O_WRONLY | O_APPEND), fd2, 0);
	T(write(fd2, "++", 2), 2, 0);
	T(lseek(fd2, 0, SEEK_CUR), 9, 0);
	T(pread(fd, buf, 9, 0), 9, 0);
	OK(memcmp(buf, "Hello\0\0++", 9) == 0);
	T(read(fd2, buf, 1), -1, EBADF);
	T(close(fd2), 0, 0);
	T(fd2 = open(at("d/f"), O_RDONLY), fd2, 0);
	T(write(fd2, "x", 1), -1, EBADF);
	T(ftruncate(fd2, 0), -1, EINVAL);
	T(flock(fd2, LOCK_EX), 0, 0);
	T(close(fd2), 0, 0);

	/* A shared map writes the file; it cannot grow it. */
	p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	OK(p != MAP_FAILED);
	if (p != MAP_FAILED) {
		p[0] = 'J';
		T(msync(p, 4096, MS_SYNC), 0, 0);
		T(munmap(p, 4096), 0, 0);
	}
	T(pread(fd, buf, 1, 0), 1, 0);
	OK(buf[0] == 'J');

	/* O_TRUNC, O_CREAT on an existing file, chmod. */
	T(fd2 = open(at("d/f"), O_WRONLY | O_TRUNC), fd2, 0);
	T(fstat(fd, &st), 0, 0);
	OK(st.st_size == 0);
	T(close(fd2), 0, 0);
	T(chmod(at("d/f"), 0640), 0, 0);
	T(stat(at("d/f"), &st), 0, 0);
	OK((st.st_mode & 07777) == 0640);
	T(fchmod(fd, 0600), 0, 0);
	T(stat(at("d/f"), &st), 0, 0);
	OK((st.st_mode & 07777) == 0600);

	/* Names: what is not there, what is not a directory. */
	T(open(at("d/none"), O_RDONLY), -1, ENOENT);
	T(open(at("d/f/x"), O_RDONLY), -1, ENOTDIR);
	T(open(at("d/f/x"), O_RDWR | O_CREAT, 0600), -1, ENOTDIR);
	T(open(at("d/f"), O_RDONLY | O_DIRECTORY), -1, ENOTDIR);
	T(open(at("d"), O_RDWR), -1, EISDIR);
	T(mkdir(at("d/f/x"), 0700), -1, ENOTDIR);

	/* Listings, rename, unlink, rmdir. */
	T(mkdir(at("d/sub"), 0755), 0, 0);
	T(close(open(at("d/sub/a"), O_WRONLY | O_CREAT, 0600)), 0, 0);
	list(at("d"), names, sizeof(names));
	OK(strcmp(names, "f,sub/") == 0);
	T(rename(at("d/f"), at("d/g")), 0, 0);
	T(stat(at("d/f"), &st), -1, ENOENT);
	T(fstat(fd, &st), 0, 0);	/* the open file moved with its name */
	T(syscall(SYS_renameat2, AT_FDCWD, at("d/g"), AT_FDCWD,
	    at("d/sub/a"), RENAME_NOREPLACE), -1, EEXIST);
	T(rename(at("d/g"), at("d/sub/a")), 0, 0);	/* replaces */
	list(at("d/sub"), names, sizeof(names));
	OK(strcmp(names, "a") == 0);
	T(rename(at("d/sub"), at("d/sub/in")), -1, EINVAL);
	T(rename(at("d/sub"), at("e")), 0, 0);
	list(at("e"), names, sizeof(names));
	OK(strcmp(names, "a") == 0);
	T(rmdir(at("e")), -1, ENOTEMPTY);
	T(unlink(at("e")), -1, EISDIR);
	T(rmdir(at("e/a")), -1, ENOTDIR);
	/* A relative name through a directory fd. */
	T(dfd = open(at("e"), O_RDONLY | O_DIRECTORY), dfd, 0);
	T(fstat(dfd, &st), 0, 0);
	OK(S_ISDIR(st.st_mode));
	T(unlinkat(dfd, "a", 0), 0, 0);
	T(unlinkat(dfd, "a", 0), -1, ENOENT);
	T(close(dfd), 0, 0);
	T(rmdir(at("e")), 0, 0);
	/* The file unlinked while open: still read and written. */
	T(pwrite(fd, "still", 5, 0), 5, 0);
	T(pread(fd, buf, 5, 0), 5, 0);
	OK(memcmp(buf, "still", 5) == 0);
	/* dup shares the open file: its offset, its writes. */
	T(lseek(fd, 5, SEEK_SET), 5, 0);
	T(fd2 = dup(fd), fd2, 0);
	OK(fd2 > fd);
	T(write(fd2, "!!", 2), 2, 0);
	T(lseek(fd, 0, SEEK_CUR), 7, 0);
	T(t = fcntl(fd, F_DUPFD_CLOEXEC, 3), t, 0);
	OK(t >= 3);
	T(fcntl(t, F_GETFD), FD_CLOEXEC, 0);
	T(pread(t, buf, 7, 0), 7, 0);
	OK(memcmp(buf, "still!!", 7) == 0);
	T(close(t), 0, 0);
	T(close(fd), 0, 0);
	T(pread(fd2, buf, 2, 5), 2, 0);
	T(close(fd2), 0, 0);
	/* A pipe's end duplicated: the reader sees the end once both go. */
	{
		int pp[2], w2;

		T(pipe(pp), 0, 0);
		T(w2 = dup(pp[1]), w2, 0);
		T(close(pp[1]), 0, 0);
		T(write(w2, "x", 1), 1, 0);
		T(read(pp[0], buf, 1), 1, 0);
		T(close(w2), 0, 0);
		T(read(pp[0], buf, 1), 0, 0);
		T(close(pp[0]), 0, 0);
	}

	/* O_TMPFILE: a file with no name at all. */
	T(t = open(dir, O_RDWR | O_TMPFILE, 0600), t, 0);
	T(write(t, "unnamed", 7), 7, 0);
	T(pread(t, buf, 7, 0), 7, 0);
	OK(memcmp(buf, "unnamed", 7) == 0);
	T(fstat(t, &st), 0, 0);
	OK(st.st_nlink == 0 && st.st_size == 7);
	T(open(dir, O_RDONLY | O_TMPFILE, 0600), -1, EINVAL);
	T(close(t), 0, 0);
	T(rmdir(at("d")), 0, 0);
	list(dir, names, sizeof(names));
	OK(strcmp(names, "") == 0);
	/* The umask applies to what is made. */
	{
		mode_t old = umask(027);

		T(close(open(at("um"), O_WRONLY | O_CREAT, 0666)), 0, 0);
		T(stat(at("um"), &st), 0, 0);
		OK((st.st_mode & 07777) == 0640);
		T(mkdir(at("umd"), 0777), 0, 0);
		T(stat(at("umd"), &st), 0, 0);
		OK((st.st_mode & 07777) == 0750);
		T(unlink(at("um")), 0, 0);
		T(rmdir(at("umd")), 0, 0);
		umask(old);
	}
	/* Leaving it: EXDEV, as to another file system. */
	T(close(open(at("x"), O_WRONLY | O_CREAT, 0600)), 0, 0);
	T(rename(at("x"), "/dev/x"), -1, EXDEV);
	T(unlink(at("x")), 0, 0);
}

/* The scratch holds no links, devices or FIFOs, and leads nowhere. */
static void
attack(void)
{
	struct stat st;
	int fd;

	T(symlink("/etc/passwd", "/tmp/l"), -1, EACCES);
	T(mknod("/tmp/fifo", S_IFIFO | 0600, 0), -1, EACCES);
	T(close(open("/tmp/f", O_WRONLY | O_CREAT, 0600)), 0, 0);
	T(link("/tmp/f", "/tmp/g"), -1, EACCES);
	T(open("/tmp/../etc/passwd", O_RDONLY), -1, ENOENT);
	T(open("/tmp/../../etc/shadow", O_RDWR | O_CREAT, 0600), -1, ENOENT);
	T(rename("/tmp/f", "/etc/f"), -1, EXDEV);
	T(rename("/etc/passwd", "/tmp/p"), -1, EXDEV);
	T(mkdir("/etc/x", 0700), -1, EACCES);
	T(unlink("/etc/passwd"), -1, EACCES);
	T(truncate("/etc/passwd", 0), -1, EACCES);
	/* Its inode and device are zvm's, never the host file's. */
	T(stat("/tmp/f", &st), 0, 0);
	OK(st.st_ino < 100);
	/* The working directory stays "/". */
	T(chdir("/tmp"), -1, EACCES);
	T(fd = open("/tmp/f", O_RDONLY), fd, 0);
	T(fchdir(fd), -1, ENOTDIR);
	T(close(fd), 0, 0);
	T(unlink("/tmp/f"), 0, 0);
}

static int
fill(uint64_t n, int secs)
{
	static char chunk[65536];
	uint64_t w = 0;
	int fd, e = 0;

	if ((fd = open(at("fill"), O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return perror("open"), 1;
	memset(chunk, 'z', sizeof(chunk));
	while (w < n) {
		size_t c = n - w < sizeof(chunk) ? n - w : sizeof(chunk);
		ssize_t k = write(fd, chunk, c);

		if (k < 0) {
			e = errno;
			break;
		}
		w += (uint64_t)k;
	}
	printf("wrote %llu errno %d\n", (unsigned long long)w, e);
	fflush(stdout);
	if (secs > 0) {
		struct timespec ts = { secs, 0 };

		nanosleep(&ts, NULL);
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc < 2)
		return 2;
	snprintf(dir, sizeof(dir), "%s", argc > 2 ? argv[2] : "/tmp");
	if (strcmp(argv[1], "attack") == 0) {
		attack();
		return done();
	}
	if (strcmp(argv[1], "ops") == 0) {
		ops();
		return done();
	}
	if (strcmp(argv[1], "fill") == 0 && argc == 5)
		return fill(strtoull(argv[3], NULL, 10), atoi(argv[4]));
	return 2;
}
