/* SPDX-License-Identifier: ISC */
/*
 * test_tar - archives built in memory, header by header: zvm_tar_is(),
 * entries read with zvm_tar_next() (ustar prefix, pax path/linkpath/size,
 * GNU long names, base-256 sizes, mtimes, tidied names), every refusal
 * with its message, and zvm_tar_unpack() / zvm_tar_remove() on a scratch
 * directory: contents, modes, times, links, and hostile archives that
 * must create nothing outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "load/tar.h"

static unsigned char ar[1 << 16];
static size_t alen;
static char tmp[] = "/tmp/test_tar.XXXXXX";

/* Append a header; size goes in octal unless b256. */
static unsigned char *
hdr(const char *name, int type, uint64_t size, const char *link, int b256)
{
	unsigned char *h = ar + alen;
	unsigned sum = 0;

	memset(h, 0, ZVM_TAR_BLOCK);
	memcpy(h, name, strnlen(name, 100));
	memcpy(h + 100, "0000644", 7);
	if (b256) {
		h[124] = 0x80;
		for (int i = 0; i < 8; i++)
			h[135 - i] = (unsigned char)(size >> (8 * i));
	} else
		snprintf((char *)h + 124, 12, "%011o",
		    (unsigned)size);
	memcpy(h + 136, "10000000000", 11);	/* 2^30 s */
	h[156] = (unsigned char)type;
	if (link)
		memcpy(h + 157, link, strnlen(link, 100));
	memcpy(h + 257, "ustar\0" "00", 8);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < ZVM_TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	alen += ZVM_TAR_BLOCK;
	return h;
}

/* Append data, padded to a block. */
static void
data(const void *p, size_t n)
{
	memcpy(ar + alen, p, n);
	memset(ar + alen + n, 0, (ZVM_TAR_BLOCK - n % ZVM_TAR_BLOCK) %
	    ZVM_TAR_BLOCK);
	alen += (n + ZVM_TAR_BLOCK - 1) / ZVM_TAR_BLOCK * ZVM_TAR_BLOCK;
}

static void
file(const char *name, const char *body)
{
	hdr(name, '0', strlen(body), NULL, 0);
	data(body, strlen(body));
}

static void
fin(void)
{
	memset(ar + alen, 0, 2 * ZVM_TAR_BLOCK);
	alen += 2 * ZVM_TAR_BLOCK;
}

/* Re-checksum a header after changing it. */
static void
resum(unsigned char *h)
{
	unsigned sum = 0;

	memset(h + 148, ' ', 8);
	for (int i = 0; i < ZVM_TAR_BLOCK; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
}

/* Walk the archive in memory: the last zvm_tar_next() result. */
static int
walk(char *why, struct zvm_tar_ent *last, int *count)
{
	struct zvm_tar t;
	struct zvm_tar_ent e;
	int r;

	*count = 0;
	why[0] = '\0';
	zvm_tar_init(&t, -1, ar, alen);
	while ((r = zvm_tar_next(&t, &e, why, ZVM_TAR_WHY)) == 1) {
		(*count)++;
		if (last)
			*last = e;
	}
	return r;
}

/* The archive is refused with a message holding want. */
static void
refused(const char *want, const char *name)
{
	char why[ZVM_TAR_WHY];
	int n;

	if (!ok(walk(why, NULL, &n) == -1 && strstr(why, want) != NULL, name))
		printf("#   got '%s', want '%s'\n", why, want);
}

/* A one-entry archive of a header (name, type, link) is refused. */
static void
refused1(const char *name, int type, const char *link, const char *want,
    const char *label)
{
	alen = 0;
	hdr(name, type, 0, link, 0);
	fin();
	refused(want, label);
}

static int
put(void)
{
	char p[64];
	int fd;

	snprintf(p, sizeof p, "%s.tar", tmp);
	if ((fd = open(p, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)) ==
	    -1 || write(fd, ar, alen) != (ssize_t)alen) {
		perror(p);
		exit(2);
	}
	unlink(p);
	return fd;
}

/* Unpack the archive into a fresh tmp/u: the result. */
static int
unpack(char *why)
{
	char p[64];
	int fd, root, r;

	snprintf(p, sizeof p, "%s/u", tmp);
	if (access(p, F_OK) == 0)
		zvm_tar_remove(p);
	if (mkdir(p, 0700) == -1 || (root = open(p, O_RDONLY |
	    O_DIRECTORY)) == -1) {
		perror(p);
		exit(2);
	}
	fd = put();
	r = zvm_tar_unpack(fd, root, why, ZVM_TAR_WHY);
	close(fd);
	close(root);
	return r;
}

static mode_t
mode_of(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return lstat(p, &st) == -1 ? (mode_t)-1 : st.st_mode;
}

static long long
mtime_of(const char *rel)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	return lstat(p, &st) == -1 ? -1 : (long long)st.st_mtime;
}

static void
content_is(const char *rel, const char *want, const char *name)
{
	char p[PATH_MAX], buf[256];
	ssize_t n = -1;
	int fd;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	if ((fd = open(p, O_RDONLY)) != -1) {
		n = read(fd, buf, sizeof buf - 1);
		close(fd);
	}
	buf[n < 0 ? 0 : n] = '\0';
	is_str(buf, want, name);
}

int
main(void)
{
	struct zvm_tar_ent e;
	char why[ZVM_TAR_WHY], big[PATH_MAX + 64], rec[PATH_MAX + 100];
	unsigned char *h;
	int n;

	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}

	/* Detection. */
	alen = 0;
	h = hdr("a", '0', 0, NULL, 0);
	ok(zvm_tar_is(ar, ZVM_TAR_BLOCK), "a ustar header is a tar");
	ok(!zvm_tar_is(ar, ZVM_TAR_BLOCK - 1), "a short head is not");
	memcpy(h + 257, "ustar  \0", 8);
	resum(h);
	ok(zvm_tar_is(ar, ZVM_TAR_BLOCK), "a GNU header is a tar");
	h[0] = 'b';
	ok(zvm_tar_is(ar, ZVM_TAR_BLOCK), "a bad checksum is (for the "
	    "reader to report)");
	memcpy(h + 257, "ustax\0", 6);
	resum(h);
	ok(!zvm_tar_is(ar, ZVM_TAR_BLOCK), "no magic is not");

	/* Entries: tidied names, types, sizes. */
	alen = 0;
	hdr("./", '5', 0, NULL, 0);
	hdr("./d//./", '5', 0, NULL, 0);
	file("./d/f", "hello\n");
	hdr("d/l", '2', 0, "../d/f", 0);
	hdr("d/h", '1', 0, "./d/f", 0);
	fin();
	is_int(walk(why, &e, &n), 0, "a small tree reads to its end");
	is_int(n, 5, "five entries");
	is_str(e.name, "d/h", "the last: tidied name");
	is_str(e.link, "d/f", "hard link target tidied");
	is_int(e.type, ZVM_TAR_HARD, "hard link type");

	/* ustar prefix, base-256 size, pax and GNU long names. */
	alen = 0;
	h = hdr("name", '0', 3, NULL, 1);
	memcpy(h + 345, "pre/fix", 7);
	resum(h);
	data("abc", 3);
	fin();
	is_int(walk(why, &e, &n), 0, "prefix and base-256 size read");
	is_str(e.name, "pre/fix/name", "the prefix joins the name");
	is_int((long long)e.size, 3, "base-256 size");

	alen = 0;
	snprintf(rec, sizeof rec, "%s%s", "18 path=long/name\n",
	    "11 size=10\n");
	hdr("PaxHeader", 'x', strlen(rec), NULL, 0);
	data(rec, strlen(rec));
	hdr("short", '0', 0, NULL, 0);
	data("0123456789", 10);
	hdr("././@LongLink", 'L', 9, NULL, 0);
	data("gnu/long\0", 9);
	hdr("cut", '0', 0, NULL, 0);
	fin();
	is_int(walk(why, &e, &n), 0, "pax and GNU long names read");
	is_int(n, 2, "extended headers are not entries");
	is_str(e.name, "gnu/long", "GNU long name");

	alen = 0;
	hdr("PaxHeader", 'x', strlen(rec), NULL, 0);
	data(rec, strlen(rec));
	hdr("short", '0', 0, NULL, 0);
	data("0123456789", 10);
	fin();
	walk(why, &e, &n);
	is_int(e.mtime, 1 << 30, "the header's mtime");
	is_str(e.name, "long/name", "pax path");
	is_int((long long)e.size, 10, "pax size over the header's");

	alen = 0;
	hdr("PaxHeader", 'x', 19, NULL, 0);
	data("19 mtime=-12.34567\n", 19);
	hdr("t", '0', 0, NULL, 0);
	fin();
	is_int(walk(why, &e, &n), 0, "pax mtime read");
	is_int(e.mtime, -12, "pax mtime, fraction dropped");

	/* Refusals. */
	refused1("/etc/x", '0', NULL, "entry 1 (/etc/x): an absolute name",
	    "absolute name");
	refused1("a/../../x", '0', NULL, "a '..' component", "a/../../x");
	refused1("../x", '0', NULL, "a '..' component", "../x");
	alen = 0;
	hdr("ok", '0', 0, NULL, 0);
	hdr("h", '1', 0, "../x", 0);
	fin();
	refused("entry 2 (h): a hard link to ../x, outside", "hard link out");
	refused1("h", '1', "/etc/passwd", "outside the archive",
	    "hard link to /etc/passwd");
	refused1("null", '3', NULL,
	    "entry 1 (null): a character device ('3')", "device");
	refused1("fifo", '6', NULL, "a FIFO", "FIFO");
	alen = 0;
	h = hdr("f", '0', 0, NULL, 0);
	h[0] = 'g';
	fin();
	refused("entry 1 (g): bad header checksum", "bad checksum");
	alen = 0;
	h = hdr("f", '0', 0, NULL, 0);
	memcpy(h + 124, "12x45", 5);
	resum(h);
	fin();
	refused("size field does not parse", "size not octal");
	alen = 0;
	h = hdr("f", '0', 0, NULL, 0);
	memcpy(h + 136, "1000000000x", 11);
	resum(h);
	fin();
	refused("entry 1 (f): mtime field does not parse", "mtime not octal");
	alen = 0;
	file("f", "abc");
	refused("truncated archive", "no end blocks");
	alen = 0;
	file("f", "abc");
	memset(ar + alen, 0, ZVM_TAR_BLOCK);
	alen += ZVM_TAR_BLOCK;
	refused("truncated archive", "one end block");
	alen = 0;
	hdr("f", '0', 5000, NULL, 0);
	fin();
	refused("size 5000 runs past the end", "size past the end");
	alen = 0;
	memset(ar, 0, ZVM_TAR_BLOCK);
	alen = ZVM_TAR_BLOCK;
	file("f", "abc");
	fin();
	refused("a lone zero block", "lone zero block");
	alen = 0;
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	snprintf(rec, sizeof rec, "%zu path=%s\n", strlen(big) + 11, big);
	hdr("PaxHeader", 'x', strlen(rec), NULL, 0);
	data(rec, strlen(rec));
	hdr("x", '0', 0, NULL, 0);
	fin();
	refused("pax path longer than PATH_MAX", "pax name past PATH_MAX");
	alen = 0;
	data("17 path=x\n", 10);	/* a wrong record length */
	alen = 0;
	hdr("PaxHeader", 'x', 10, NULL, 0);
	data("17 path=x\n", 10);
	hdr("x", '0', 0, NULL, 0);
	fin();
	refused("a pax record that does not parse", "bad pax record");
	refused1("d", '2', "", "an empty link target", "empty symlink");

	/* Unpacking. */
	alen = 0;
	hdr("./", '5', 0, NULL, 0);
	hdr("d/", '5', 0, NULL, 0);
	file("d/f", "hello\n");
	hdr("d/l", '2', 0, "f", 0);
	hdr("h", '1', 0, "d/f", 0);
	hdr("out", '2', 0, "/etc", 0);
	file("e/deep/g", "g\n");
	fin();
	if (!is_int(unpack(why), 0, "unpack a small tree"))
		printf("#   %s\n", why);
	content_is("u/d/f", "hello\n", "file content");
	content_is("u/d/l", "hello\n", "symlink inside");
	content_is("u/h", "hello\n", "hard link");
	content_is("u/e/deep/g", "g\n", "implied parents");
	is_int(mode_of("u/d/f") & 07777, 0444, "files 0444");
	is_int(mode_of("u/e/deep") & 07777, 0555, "directories 0555");
	is_int(mode_of("u") & 07777, 0555, "the root 0555");
	ok(S_ISLNK(mode_of("u/out")), "a link out is kept as stored");
	is_int(mtime_of("u/d/f"), 1 << 30, "a file's time");
	is_int(mtime_of("u/d"), 1 << 30, "a directory's time, after filling");
	is_int(mtime_of("u/out"), 1 << 30, "a symbolic link's time");

	alen = 0;
	hdr("a", '2', 0, "/", 0);
	file("a/evil", "x");
	fin();
	is_int(unpack(why), -1, "symlink a -> / then a/evil is refused");
	ok(strstr(why, "entry 1 (a): a symbolic link whose name") != NULL,
	    why);
	ok(S_ISDIR(mode_of("u/a")) && mode_of("u/a/evil") != (mode_t)-1,
	    "a/evil went to a directory a in the tree");

	alen = 0;
	file("a", "1");
	file("a", "2");
	fin();
	is_int(unpack(why), -1, "a duplicate name is refused");
	ok(strstr(why, "entry 2 (a): a second entry") != NULL, why);

	alen = 0;
	file("a", "1");
	hdr("a/b", '5', 0, NULL, 0);
	fin();
	is_int(unpack(why), -1, "a file used as a directory is refused");
	ok(strstr(why, "entry 2 (a/b): a parent that is not") != NULL, why);

	alen = 0;
	hdr("h", '1', 0, "later", 0);
	file("later", "1");
	fin();
	is_int(unpack(why), -1, "a hard link before its target is refused");
	ok(strstr(why, "not a regular file before it") != NULL, why);

	alen = 0;
	hdr("d", '5', 0, NULL, 0);
	hdr("h", '1', 0, "d", 0);
	fin();
	is_int(unpack(why), -1, "a hard link to a directory is refused");

	/* Removal, read-only directories and all. */
	snprintf(big, sizeof big, "%s/u", tmp);
	alen = 0;
	file("a/b/c/d", "x");
	hdr("a/l", '2', 0, "/", 0);
	fin();
	is_int(unpack(why), 0, "unpack again");
	is_int(zvm_tar_remove(big), 0, "remove the tree");
	ok(access(big, F_OK) == -1 && errno == ENOENT, "the tree is gone");
	rmdir(tmp);
	return done_testing();
}
