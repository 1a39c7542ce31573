/* SPDX-License-Identifier: ISC */
/*
 * test_etag - xxh128 digests of known inputs (values from xxhsum -H2),
 * streaming in odd pieces against one-shot, every available kernel
 * against the scalar one, hex parsing, and zvm_etag_fd on files, pipes
 * and directories.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/etag.h"
#include "tap.h"
#include "base/util.h"

static void
hex_of(const void *p, size_t n, char out[ZVM_ETAG_HEXLEN + 1])
{
	struct zvm_etag e;

	zvm_etag_init(&e);
	zvm_etag_update(&e, p, n);
	zvm_etag_hex(&e, out);
}

/* Deterministic bytes (xorshift), so sizes past 240 exercise long paths. */
static void
fill(unsigned char *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed ^= seed << 13;
		seed ^= seed >> 17;
		seed ^= seed << 5;
		p[i] = (unsigned char)seed;
	}
}

static void
known_values(void)
{
	char h[ZVM_ETAG_HEXLEN + 1];

	/* printf '' | xxhsum -H2; printf 'hello\n' | xxhsum -H2; 'x' */
	hex_of("", 0, h);
	is_str(h, "99aa06d3014798d86001c324468d497f", "empty input");
	hex_of("hello\n", 6, h);
	is_str(h, "6bba86c7e069f56d5a10b435f1c8e49c", "hello\\n");
	hex_of("x", 1, h);
	is_str(h, "5c7401c0ec22eeeeeaf06c6480b2cd11", "one byte");
}

/* Streaming in pieces of every size from 1 to 97 equals one update. */
static void
streaming(void)
{
	static const size_t sizes[] = { 0, 1, 3, 15, 16, 17, 128, 129, 240,
	    241, 1023, 1024, 1025, 65536, 1048577 };
	size_t i, off, piece, n;
	unsigned char *buf = malloc(1048577);
	char one[ZVM_ETAG_HEXLEN + 1], many[ZVM_ETAG_HEXLEN + 1], name[64];
	struct zvm_etag e, copy;

	if (!ok(buf != NULL, "malloc"))
		return;
	fill(buf, 1048577, 42);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		n = sizes[i];
		hex_of(buf, n, one);
		zvm_etag_init(&e);
		for (off = 0, piece = 1; off < n; off += piece, piece = piece %
		    97 + 1)
			zvm_etag_update(&e, buf + off, piece < n - off ? piece :
			    n - off);
		/* The state is plain data: a copy digests the same. */
		copy = e;
		zvm_etag_hex(&copy, many);
		snprintf(name, sizeof name, "%zu bytes in pieces == one shot",
		    n);
		is_str(many, one, name);
	}
	free(buf);
}

/* Every kernel this CPU runs gives the scalar kernel's digests. */
static void
kernels(void)
{
	static const char *names[] = { "avx512", "avx2", "sse2" };
	static const size_t sizes[] = { 0, 1, 16, 17, 240, 241, 1024, 1025,
	    4096 + 7, 1048576 + 1 };
	char want[10][ZVM_ETAG_HEXLEN + 1], got[ZVM_ETAG_HEXLEN + 1], msg[64];
	const char *def = zvm_etag_impl();
	unsigned char *buf = malloc(1048577);
	size_t i, k, nsizes = sizeof sizes / sizeof sizes[0];

	if (!ok(buf != NULL, "malloc"))
		return;
	fill(buf, 1048577, 7);
	ok(def != NULL && *def, "a kernel is selected");
	is_int(zvm_etag_set_impl("scalar"), 0, "scalar always available");
	is_int(zvm_etag_set_impl("mmx"), -1, "unknown kernel refused");
	for (i = 0; i < nsizes; i++)
		hex_of(buf, sizes[i], want[i]);
	for (k = 0; k < sizeof names / sizeof names[0]; k++) {
		int same = 1;

		if (zvm_etag_set_impl(names[k]) == -1) {
			printf("# kernel %s: not available here\n", names[k]);
			continue;
		}
		for (i = 0; i < nsizes; i++) {
			hex_of(buf, sizes[i], got);
			same &= strcmp(got, want[i]) == 0;
		}
		snprintf(msg, sizeof msg, "%s agrees with scalar", names[k]);
		ok(same, msg);
	}
	is_int(zvm_etag_set_impl(def), 0, "back to the default kernel");
	free(buf);
}

static void
parsing(void)
{
	unsigned char d[ZVM_ETAG_LEN];
	char h[ZVM_ETAG_HEXLEN + 1];

	is_int(zvm_etag_parse("6bba86c7e069f56d5a10b435f1c8e49c", 32, d), 0,
	    "parse lowercase");
	is_str(zvm_etag_tohex(d, h), "6bba86c7e069f56d5a10b435f1c8e49c",
	    "round trip");
	is_int(zvm_etag_parse("6BBA86C7E069F56D5A10B435F1C8E49C", 32, d), 0,
	    "parse uppercase (xxhsum and sha256sum accept it)");
	is_str(zvm_etag_tohex(d, h), "6bba86c7e069f56d5a10b435f1c8e49c",
	    "printed lowercase");
	is_int(zvm_etag_parse("6bba86c7e069f56d5a10b435f1c8e49", 31, d), -1,
	    "31 digits refused");
	is_int(zvm_etag_parse("6bba86c7e069f56d5a10b435f1c8e49cc", 33, d), -1,
	    "33 digits refused");
	is_int(zvm_etag_parse("6bba86c7e069f56d5a10b435f1c8e49g", 32, d), -1,
	    "non-hex refused");
	is_int(zvm_etag_parse("6bba86c7e069f56d5a10b435f1c8e4 c", 32, d), -1,
	    "blank refused");
}

static void
progress_cb(void *arg, uint64_t done, uint64_t total)
{
	uint64_t *last = arg;

	/* Calls come in order: done only grows. */
	if (done < last[0] || total != last[2])
		last[3] = 1;
	last[0] = done;
	last[1]++;
}

static void
files(void)
{
	char path[] = "/tmp/test_etag.XXXXXX", want[ZVM_ETAG_HEXLEN + 1];
	char got[ZVM_ETAG_HEXLEN + 1];
	static const size_t sizes[] = { 0, 1, 1048576, (8 << 20) + 12345,
	    (20 << 20) };
	unsigned char *buf = malloc(20 << 20), d[ZVM_ETAG_LEN];
	struct zvm_error e;
	int fd, p[2];
	size_t i;
	uint64_t prog[4];

	if (!ok(buf != NULL, "malloc"))
		return;
	fill(buf, 20 << 20, 99);
	for (i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		char msg[80];

		if ((fd = mkstemp(path)) == -1 ||
		    zvm_write_all(fd, buf, sizes[i]) == -1) {
			ok(0, "temporary file");
			return;
		}
		close(fd);
		fd = open(path, O_RDONLY);
		memset(prog, 0, sizeof prog);
		prog[2] = sizes[i];
		hex_of(buf, sizes[i], want);
		snprintf(msg, sizeof msg, "file of %zu bytes", sizes[i]);
		is_int(zvm_etag_fd(fd, d, progress_cb, prog, &e), 0, msg);
		is_str(zvm_etag_tohex(d, got), want, msg);
		is_int((long long)prog[0], (long long)sizes[i],
		    "progress reaches the size");
		is_int((long long)prog[3], 0, "progress in order");
		close(fd);
		unlink(path);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}

	/* A pipe: read(2) path, total unknown. */
	if (pipe(p) == 0) {
		pid_t pid = fork();

		if (pid == 0) {
			close(p[0]);
			zvm_write_all(p[1], buf, 3 << 20);
			_exit(0);
		}
		close(p[1]);
		hex_of(buf, 3 << 20, want);
		is_int(zvm_etag_fd(p[0], d, NULL, NULL, &e), 0, "pipe");
		is_str(zvm_etag_tohex(d, got), want, "pipe digest");
		close(p[0]);
		waitpid(pid, NULL, 0);
	}

	fd = open("/tmp", O_RDONLY);
	is_int(zvm_etag_fd(fd, d, NULL, NULL, &e), -1, "directory fails");
	is_int(e.sys_errno, EISDIR, "with EISDIR");
	close(fd);
	free(buf);
}

int
main(void)
{
	known_values();
	streaming();
	kernels();
	parsing();
	files();
	return done_testing();
}
