/* SPDX-License-Identifier: ISC */
/*
 * zvm-etag - compute or check xxh128 etags of files.  Computing prints
 * the lines `xxhsum -H2` prints; -c checks GNU, BSD (--tag) and xxhsum
 * lines and the etag'd channels of zvm-run reports (zvm and json formats;
 * a zerovm-format report names no files and is refused), with sha256sum's
 * options, messages and exit status.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "manifest/channel.h"
#include "base/etag.h"
#include "manifest/sumfile.h"
#include "base/util.h"

enum { OPT_IGNORE_MISSING = 256, OPT_QUIET, OPT_STATUS, OPT_STRICT,
    OPT_TAG, OPT_VERSION };

static const struct option longopts[] = {
	{ "check", no_argument, NULL, 'c' },
	{ "help", no_argument, NULL, 'h' },
	{ "ignore-missing", no_argument, NULL, OPT_IGNORE_MISSING },
	{ "quiet", no_argument, NULL, OPT_QUIET },
	{ "status", no_argument, NULL, OPT_STATUS },
	{ "strict", no_argument, NULL, OPT_STRICT },
	{ "tag", no_argument, NULL, OPT_TAG },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "warn", no_argument, NULL, 'w' },
	{ "zero", no_argument, NULL, 'z' },
	{ NULL, 0, NULL, 0 }
};

static int check, ignore_missing, quiet, status, strict, tag, warnings;
static int delim = '\n';

/* Progress on a terminal: after 1 s, at most 4 times a second. */
struct progress {
	const char *name;
	struct timespec start, last;
	int shown;
};

static void
usage(FILE *out, int rc)
{
	fputs("usage: zvm-etag [-z] [--tag] [FILE ...]\n"
	    "       zvm-etag -c [-wz] [--ignore-missing] [--quiet] [--status] "
	    "[--strict] [CHECKFILE ...]\n"
	    "       zvm-etag -h | --version\n", out);
	exit(rc);
}

static double
since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
show_progress(void *arg, uint64_t done, uint64_t total)
{
	struct progress *p = arg;
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (since(&p->start, &now) < 1 || (p->shown &&
	    since(&p->last, &now) < 0.25))
		return;
	p->last = now;
	p->shown = 1;
	if (total)
		fprintf(stderr, "\rzvm-etag: %s: %3u%% of %llu MiB\033[K",
		    p->name, (unsigned)(done * 100 / total),
		    (unsigned long long)(total >> 20));
	else
		fprintf(stderr, "\rzvm-etag: %s: %llu MiB\033[K", p->name,
		    (unsigned long long)(done >> 20));
}

/*
 * The digest of fd's first len bytes into d: 0, 1 when the file is
 * shorter (it cannot match), -1 on a read error (errno set).
 */
static int
hash_prefix(int fd, uint64_t len, unsigned char *d)
{
	static char buf[1 << 20];
	struct zvm_etag st;
	ssize_t n;

	zvm_etag_init(&st);
	while (len > 0) {
		n = read(fd, buf, len < sizeof buf ? (size_t)len : sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			return 1;
		zvm_etag_update(&st, buf, (size_t)n);
		len -= (uint64_t)n;
	}
	zvm_etag_final(&st, d);
	return 0;
}

/*
 * Hash path ("-": stdin) into d: all of it, or with prefix other than
 * UINT64_MAX only its first prefix bytes, *size then getting the file's
 * size.  Returns 0, 1 when the file is shorter than prefix, or -1 with
 * errno set; with *missing set instead when --ignore-missing skips a
 * missing file.
 */
static int
hash_file(const char *path, const char *label, uint64_t prefix,
    unsigned char *d, int *missing, uint64_t *size)
{
	struct progress pr = { label, { 0, 0 }, { 0, 0 }, 0 };
	int fd, rc, tty = !status && isatty(STDERR_FILENO);
	struct zvm_error e;

	*missing = 0;
	if (strcmp(path, "-") == 0)
		fd = STDIN_FILENO;
	else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (ignore_missing && errno == ENOENT)
			return *missing = 1, -1;
		warn("%s", label);
		return -1;
	}
	if (prefix != UINT64_MAX) {
		struct stat st;

		if ((rc = hash_prefix(fd, prefix, d)) == -1)
			warn("%s", label);
		*size = fstat(fd, &st) == 0 ? (uint64_t)st.st_size : prefix;
	} else {
		clock_gettime(CLOCK_MONOTONIC, &pr.start);
		rc = zvm_etag_fd(fd, d, tty ? show_progress : NULL, &pr, &e);
		if (pr.shown)
			fputs("\r\033[K", stderr);
		if (rc == -1)
			warnx("%s: %s", label, e.code == ZVM_E_SYS ?
			    strerror(e.sys_errno) : e.msg);
	}
	if (fd != STDIN_FILENO)
		close(fd);
	return rc;
}

static int
compute(int argc, char *argv[])
{
	struct zvm_buf out = ZVM_BUF_INIT;
	unsigned char d[ZVM_ETAG_LEN];
	int i, rc = ZVM_EXIT_OK, missing;
	uint64_t size;

	for (i = 0; i < argc; i++) {
		int in = strcmp(argv[i], "-") == 0;

		if (hash_file(argv[i], in ? "<stdin>" : argv[i], UINT64_MAX,
		    d, &missing, &size) == -1) {
			rc = ZVM_EXIT_NO;
			continue;
		}
		out.len = 0;
		/* xxhsum names standard input "stdin". */
		zvm_sum_format(&out, d, in ? "stdin" : argv[i], tag, delim);
		if (out.oom)
			errx(ZVM_EXIT_OSERR, "out of memory");
		fwrite(out.p, 1, out.len, stdout);
	}
	zvm_buf_free(&out);
	return rc;
}

static void
result(const char *name, const char *what)
{
	if (delim == '\n' && zvm_sum_needs_escape(name)) {
		struct zvm_buf b = ZVM_BUF_INIT;

		zvm_sum_escape(&b, name);
		printf("\\%s: %s\n", b.p, what);
		zvm_buf_free(&b);
	} else
		printf("%s: %s%c", name, what, delim);
}

static void
summary(unsigned long n, const char *one, const char *many)
{
	if (n)
		warnx("WARNING: %lu %s", n, n == 1 ? one : many);
}

/* What checking one CHECKFILE found, for its verdict. */
struct tally {
	const char *label;
	unsigned long nbad, nproper, nok, nfail, nread, nskip;
	int rc;			/* ZVM_EXIT_NO, or a verdict already made */
	int final;		/* rc is the verdict (unreadable, broken) */
};

/*
 * A report's tcp: channel: one end of a stream.  Its etag is checked
 * against the other end's, in another report given, once all are read.
 */
struct stream {
	char *uri;
	unsigned char digest[ZVM_ETAG_LEN];
	int writer;		/* it wrote (puts > 0) */
	uint64_t node;		/* its report's Node, 0: none */
	size_t file;		/* its report, in tally[] */
	int paired;
};

static struct stream *streams;
static size_t nstreams;

/* One stream end per part of the uri: a broadcast (parts joined by
 * ';') sent the same bytes to each of its readers. */
static void
add_stream(const struct zvm_sumline *l, uint64_t node, size_t file)
{
	const char *u = l->name;

	for (;;) {
		const char *e = strchr(u, ';');
		size_t len = e ? (size_t)(e - u) : strlen(u);
		struct stream *s;

		if (nstreams % 16 == 0 && (streams = realloc(streams,
		    (nstreams + 16) * sizeof(*streams))) == NULL)
			errx(ZVM_EXIT_OSERR, "out of memory");
		s = &streams[nstreams++];
		if ((s->uri = strndup(u, len)) == NULL)
			errx(ZVM_EXIT_OSERR, "out of memory");
		memcpy(s->digest, l->digest, sizeof(s->digest));
		s->writer = !l->prefix;
		s->node = node;
		s->file = file;
		s->paired = 0;
		if (e == NULL)
			return;
		u = e + 1;
	}
}

/* Check one CHECKFILE into *t; its tcp: channels go to streams[]. */
static void
check_file(const char *path, struct tally *t, size_t file)
{
	int in = strcmp(path, "-") == 0, fd, missing, h;
	uint64_t size;
	char what[80];
	const char *label = in ? "<stdin>" : path;
	struct zvm_sumreader r;
	struct zvm_sumline l;
	unsigned char d[ZVM_ETAG_LEN];
	struct stat st;
	size_t len;
	char *buf;
	int got;

	memset(t, 0, sizeof(*t));
	t->label = label;
	t->rc = ZVM_EXIT_NO;
	if ((fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    zvm_read_fd(fd, &buf, &len) == -1) {
		warn("%s", label);
		if (fd > STDIN_FILENO)
			close(fd);
		t->rc = ZVM_EXIT_NOINPUT;
		t->final = 1;
		return;
	}
	if (!in)
		close(fd);
	zvm_sumreader_init(&r, buf, len, delim);
	while ((got = zvm_sumreader_next(&r, &l)) == 1) {
		if (l.kind == ZVM_SUM_ENTRY && in && strcmp(l.name, "-") == 0) {
			l.kind = ZVM_SUM_BAD;
			l.why = "'-' names the check file itself";
		}
		if (l.kind == ZVM_SUM_UNUSABLE) {
			/* A report that is broken or names no file: nothing
			 * in it can be trusted or checked. */
			if (l.line)
				warnx("%s:%u: %s", label, l.line, l.why);
			else
				warnx("%s: %s", label, l.why);
			t->rc = ZVM_EXIT_DATAERR;
			continue;
		}
		if (l.kind == ZVM_SUM_BAD) {
			t->nbad++;
			if (warnings)
				warnx("%s:%u: improperly formatted XXH128 "
				    "checksum line: %s", label, l.line, l.why);
		}
		if (l.kind != ZVM_SUM_ENTRY)
			continue;
		t->nproper++;
		/* A network stream: checked against its other end. */
		if (l.form == ZVM_SUM_CHANNEL &&
		    strncasecmp(l.name, "tcp:", 4) == 0) {
			add_stream(&l, r.node, file);
			continue;
		}
		/*
		 * A report's channel: only regular files can be checked.
		 * The std uris name zvm-run's own streams, never ours.
		 */
		if (l.form == ZVM_SUM_CHANNEL && (l.name[0] != '/' ||
		    zvm_std_alias(l.name) >= 0 ||
		    (stat(l.name, &st) == 0 && !S_ISREG(st.st_mode)))) {
			t->nskip++;
			continue;
		}
		h = hash_file(l.name, l.name, l.prefix ? l.prefix_len :
		    UINT64_MAX, d, &missing, &size);
		if (h == -1) {
			if (missing) {
				t->nskip++;
				continue;
			}
			t->nread++;
			if (!status)
				result(l.name, "FAILED open or read");
		} else if (h == 1 || memcmp(d, l.digest, sizeof d) != 0) {
			t->nfail++;
			if (!status)
				result(l.name, "FAILED");
		} else {
			t->nok++;
			/* Say so when the digest covered only a prefix. */
			snprintf(what, sizeof what, "OK (first %llu of %llu "
			    "bytes)", (unsigned long long)l.prefix_len,
			    (unsigned long long)size);
			if (!status && !quiet)
				result(l.name, l.prefix && size > l.prefix_len ?
				    what : "OK");
		}
	}
	zvm_sumreader_free(&r);
	free(buf);
	if (got == -1)
		errx(ZVM_EXIT_OSERR, "out of memory");
	if (t->rc == ZVM_EXIT_DATAERR)
		t->final = 1;
}

/* Host and port of a tcp: uri, split at its last ':' (in place). */
static void
split_uri(char *uri, char **host, char **port)
{
	char *c = strrchr(uri + 4, ':');

	*host = uri + 4;
	*port = c ? c + 1 : uri + strlen(uri);
	if (c)
		*c = '\0';
}

static int
wildcard(const char *h)
{
	return strcmp(h, "0.0.0.0") == 0 || strcmp(h, "[::]") == 0;
}

/*
 * The reader at the other end of writer w, or NULL: by node ids (node N
 * writes to tcp:P:, node P reads from tcp:N:), else the same port with
 * the same host, a wildcard one (the reader bound every address), or the
 * only reader left on that port.
 */
static struct stream *
other_end(struct stream *w)
{
	char wu[512], ru[512], *wh, *wp, *rh, *rp;
	struct stream *only = NULL, *wild = NULL;
	size_t nport = 0;

	snprintf(wu, sizeof(wu), "%s", w->uri);
	split_uri(wu, &wh, &wp);
	for (size_t i = 0; i < nstreams; i++) {
		struct stream *r = &streams[i];

		if (r->writer || r->paired || r->file == w->file)
			continue;
		snprintf(ru, sizeof(ru), "%s", r->uri);
		split_uri(ru, &rh, &rp);
		if (zvm_all_digits(wh)) {
			if (w->node && r->node == strtoull(wh, NULL, 10) &&
			    zvm_all_digits(rh) && strtoull(rh, NULL, 10) == w->node)
				return r;
			continue;
		}
		if (strcmp(rp, wp) != 0 || zvm_all_digits(rh))
			continue;
		if (strcasecmp(rh, wh) == 0)
			return r;
		if (wildcard(rh) && wild == NULL)
			wild = r;
		nport++;
		only = r;
	}
	return wild ? wild : nport == 1 ? only : NULL;
}

/* Pair every stream's ends and compare their etags. */
static void
check_streams(struct tally *t)
{
	char name[1024];

	for (size_t i = 0; i < nstreams; i++) {
		struct stream *w = &streams[i], *r;

		if (!w->writer || (r = other_end(w)) == NULL)
			continue;
		w->paired = r->paired = 1;
		snprintf(name, sizeof(name), "%s (%s -> %s)", w->uri,
		    t[w->file].label, t[r->file].label);
		if (memcmp(w->digest, r->digest, sizeof(w->digest)) == 0) {
			t[w->file].nok++;
			t[r->file].nok++;
			if (!status && !quiet)
				result(name, "OK");
		} else {
			t[w->file].nfail++;
			t[r->file].nfail++;
			if (!status)
				result(name, "FAILED");
		}
	}
	for (size_t i = 0; i < nstreams; i++) {
		if (!streams[i].paired) {
			t[streams[i].file].nskip++;
			if (warnings)
				warnx("%s: %s: no other end of the stream in "
				    "the reports given", t[streams[i].file].label,
				    streams[i].uri);
		}
		free(streams[i].uri);
	}
	free(streams);
	streams = NULL;
	nstreams = 0;
}

/* The exit status of one CHECKFILE, its warnings said. */
static int
verdict(const struct tally *t)
{
	if (t->final)
		return t->rc;
	if (t->nproper == 0)
		warnx("%s: no properly formatted checksum lines found",
		    t->label);
	else if (!status) {
		summary(t->nbad, "line is improperly formatted",
		    "lines are improperly formatted");
		summary(t->nread, "listed file could not be read",
		    "listed files could not be read");
		summary(t->nfail, "computed checksum did NOT match",
		    "computed checksums did NOT match");
		if (t->nok == 0 && t->nskip)
			warnx("%s: no file was verified", t->label);
	}
	if (t->nproper && t->nok && !t->nfail && !t->nread &&
	    !(strict && t->nbad))
		return ZVM_EXIT_OK;
	return t->rc;
}

int
main(int argc, char *argv[])
{
	static char *dash[] = { "-", NULL };
	int ch, i, rc = ZVM_EXIT_OK, r;

	while ((ch = getopt_long(argc, argv, "chwz", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			check = 1;
			break;
		case 'h':
			usage(stdout, ZVM_EXIT_OK);
			break;
		case 'w':
			warnings = 1;
			break;
		case 'z':
			delim = '\0';
			break;
		case OPT_IGNORE_MISSING:
			ignore_missing = 1;
			break;
		case OPT_QUIET:
			quiet = 1;
			break;
		case OPT_STATUS:
			status = 1;
			break;
		case OPT_STRICT:
			strict = 1;
			break;
		case OPT_TAG:
			tag = 1;
			break;
		case OPT_VERSION:
			printf("zvm-etag (zvm) %s\n", ZVM_VERSION);
			return zvm_close_stdout() == -1 ? ZVM_EXIT_IOERR : 0;
		default:
			usage(stderr, ZVM_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (check && tag) {
		warnx("--tag is meaningless when verifying checksums");
		usage(stderr, ZVM_EXIT_USAGE);
	}
	if (!check && (ignore_missing || quiet || status || strict ||
	    warnings)) {
		warnx("--ignore-missing, --quiet, --status, --strict and -w "
		    "are meaningful only with -c");
		usage(stderr, ZVM_EXIT_USAGE);
	}
	if (argc == 0) {
		argc = 1;
		argv = dash;
	}
	if (!check)
		rc = compute(argc, argv);
	else {
		struct tally *t = calloc((size_t)argc, sizeof(*t));

		if (t == NULL)
			errx(ZVM_EXIT_OSERR, "out of memory");
		for (i = 0; i < argc; i++)
			check_file(argv[i], &t[i], (size_t)i);
		check_streams(t);
		for (i = 0; i < argc; i++)
			if ((r = verdict(&t[i])) > rc)
				rc = r;
		free(t);
	}
	if (zvm_close_stdout() == -1) {
		warn("<stdout>");
		return ZVM_EXIT_IOERR;
	}
	return rc;
}
