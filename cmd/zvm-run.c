/* SPDX-License-Identifier: ISC */
/*
 * zvm-run - run a program under a manifest: every byte it reads or writes
 * goes through a channel with quotas, under a timeout and a memory limit.
 * Validate the whole manifest and every channel source, open the channels,
 * start the program under the seccomp supervisor, write the report, and
 * exit with the program's status (124 timeout, 125 own failure, 126/127
 * program not executable / not found, 128+N killed by signal N).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "manifest/args.h"
#include "manifest/manifest.h"
#include "manifest/report.h"
#include "run/net.h"
#include "run/sandbox.h"
#include "run/source.h"
#include "sv/supervise.h"
#include "base/util.h"

static const char usage_text[] =
    "usage: zvm-run [-nv] [-f format] [-r file] [--report-fd fd] [--] "
    "manifest|-\n"
    "       zvm-run -h | --version\n";

static void
usage(FILE *out, int status)
{
	fputs(usage_text, out);
	if (out == stderr)
		fputs("Try 'zvm-run --help' for more information.\n", out);
	else
		fputs("\n"
		    "  -n, --check              validate the manifest and its "
		    "channels; run nothing\n"
		    "  -f, --report-format=FMT  zvm (default), zerovm or json\n"
		    "  -r, --report=FILE        write the report to FILE\n"
		    "      --report-fd=FD       write the report to fd FD\n"
		    "  -v, --verbose            also write the report to "
		    "standard error\n"
		    "  -h, --help               show this help\n"
		    "      --version            show the version\n", out);
	exit(status);
}

/* The sources, for remove_images() at exit. */
static struct zvm_source *exit_src;
static size_t exit_nsrc;

/*
 * Tar images are unpacked into private directories: every way out of
 * zvm-run through exit() or main's return removes them, errx() included.
 */
static void
remove_images(void)
{
	zvm_source_cleanup(exit_src, exit_nsrc);
}

/*
 * The supervisor keeps its own fd of each real fd it gives the program,
 * beside one of each channel: make room for n of them and a few of its
 * own, up to the hard limit (past it the program's opens fail with
 * EMFILE, as the kernel would fail them).
 */
static void
room_for_files(uint64_t n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	n += 64;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < n) {
		rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || n < rl.rlim_max ?
		    n : rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/*
 * A SIGINT, SIGTERM, SIGHUP or SIGQUIT while tar images are unpacked
 * would end zvm-run with them on disk: held, it waits for the program,
 * which the supervisor forwards it to as during the run, and the images
 * go at the exit.
 */
static void
hold_signals(const struct zvm_source *s, size_t n)
{
	sigset_t set;
	size_t i;

	for (i = 0; i < n && !s[i].tar; i++)
		;
	if (i == n)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

/* Print every diagnostic; returns the number of errors. */
static size_t
print_diag(const struct zvm_diag *d)
{
	char buf[512];

	for (size_t i = 0; i < d->n; i++)
		warnx("%s", zvm_error_fmt(&d->v[i], buf, sizeof(buf)));
	return d->nerr;
}

/* argv from Args, else the nvram file's [args], else Program's name. */
static int
build_argv(const struct zvm_manifest *m, struct zvm_arena *a, char ***argv,
    char ***envp)
{
	struct zvm_nvram nv = { 0 };
	const struct zvm_channel *c;
	const char *why, *args = m->value[ZVM_K_ARGS];
	size_t n, ne = 0, i;
	char **ev;

	if (args == NULL && (c = zvm_manifest_find(m, "/dev/nvram"))) {
		struct zvm_error e;
		char *buf;
		size_t len;
		int fd;

		if ((fd = open(c->uri, O_RDONLY | O_CLOEXEC)) == -1 ||
		    zvm_read_fd(fd, &buf, &len) == -1)
			err(ZVM_EXIT_RUNFAIL, "%s", c->uri);
		close(fd);
		if (zvm_nvram_parse(buf, len, c->uri, a, &nv, &e) == -1) {
			char msg[512];

			errx(ZVM_EXIT_RUNFAIL, "%s",
			    zvm_error_fmt(&e, msg, sizeof(msg)));
		}
		free(buf);
		args = nv.args;
	}
	if (args) {
		if (zvm_args_split(args, a, argv, &n, &why) == -1)
			errx(ZVM_EXIT_RUNFAIL, "%s: Args: %s", m->name, why);
		if (n == 0)
			errx(ZVM_EXIT_RUNFAIL, "%s: Args: no words", m->name);
	} else {
		char *p = zvm_arena_strndup(a, m->value[ZVM_K_PROGRAM],
		    strlen(m->value[ZVM_K_PROGRAM]));

		*argv = zvm_arena_alloc(a, 2 * sizeof(char *));
		if (p == NULL || *argv == NULL)
			errx(ZVM_EXIT_RUNFAIL, "out of memory");
		(*argv)[0] = basename(p);
		(*argv)[1] = NULL;
	}
	ev = zvm_arena_alloc(a, (m->nenv + nv.nenv + 2) * sizeof(char *));
	if (ev == NULL)
		errx(ZVM_EXIT_RUNFAIL, "out of memory");
	for (i = 0; i < nv.nenv; i++) {
		size_t ln = strlen(nv.env_name[i]), lv = strlen(nv.env_value[i]);

		if ((ev[ne] = zvm_arena_alloc(a, ln + lv + 2)) == NULL)
			errx(ZVM_EXIT_RUNFAIL, "out of memory");
		sprintf(ev[ne++], "%s=%s", nv.env_name[i], nv.env_value[i]);
	}
	for (i = 0; i < m->nenv; i++) {
		size_t ln, lv;

		if (m->env[i].deleted)
			continue;
		ln = strlen(m->env[i].name);
		lv = strlen(m->env[i].value);
		if ((ev[ne] = zvm_arena_alloc(a, ln + lv + 2)) == NULL)
			errx(ZVM_EXIT_RUNFAIL, "out of memory");
		sprintf(ev[ne++], "%s=%s", m->env[i].name, m->env[i].value);
	}
	/* With a Scratch, temporary files go there unless Env says else. */
	for (i = 0; m->value[ZVM_K_SCRATCH] && i < ne; i++)
		if (strncmp(ev[i], "TMPDIR=", 7) == 0)
			break;
	if (m->value[ZVM_K_SCRATCH] && i == ne)
		ev[ne++] = "TMPDIR=" ZVM_SCRATCH_ALIAS;
	ev[ne] = NULL;
	*envp = ev;
	return 0;
}

/*
 * The host directory that holds the Scratch's files, all unnamed
 * (O_TMPFILE, so none outlives the run): zvm-run's $TMPDIR, else /tmp.
 * One file is made and dropped to know the file system can.  The fd,
 * or an exit with a message.
 */
static int
scratch_dir(const struct zvm_manifest *m)
{
	const char *dir = getenv("TMPDIR");
	int fd, t;

	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s: Scratch: %s", m->name, dir);
	if ((t = openat(fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s: Scratch: %s: no unnamed files "
		    "(O_TMPFILE) there", m->name, dir);
	close(t);
	return fd;
}

/* ZVM_COPY set, and not to 0 or "": every channel byte is copied by the
 * supervisor, for debugging and to compare (zvm-run(1) ENVIRONMENT). */
static int
copy_path(void)
{
	const char *v = getenv("ZVM_COPY");

	return v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
}

/* -v: the line before the report on stderr. */
#define VERBOSE_MARK "zvm-run: report"

static void
write_report(const struct zvm_report *rep, int fmt, int fd, const char *name)
{
	struct zvm_buf b = ZVM_BUF_INIT;

	zvm_report_write(rep, fmt, &b);
	if (b.oom)
		errx(ZVM_EXIT_RUNFAIL, "report: out of memory");
	if (zvm_write_all(fd, b.p, b.len) == -1)
		warn("%s", name);
	zvm_buf_free(&b);
}

/*
 * The report of a run that ended before its program started, for a
 * network channel whose peer never came (timeout) or could not be made:
 * the state, why, and every channel with nothing moved.
 */
static void
setup_report(const struct zvm_manifest *m, const struct zvm_source *src,
    size_t n, int timeout, const char *why, int fmt, int fd,
    const char *name)
{
	struct zvm_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.state = timeout ? ZVM_STATE_TIMEOUT : ZVM_STATE_ERROR;
	snprintf(rep.message, sizeof(rep.message), "%.255s", why);
	rep.node = m->value[ZVM_K_NODE] ? m->node : 0;
	if ((rep.chan = calloc(n ? n : 1, sizeof(*rep.chan))) == NULL)
		errx(ZVM_EXIT_RUNFAIL, "out of memory");
	for (size_t i = 0; i < n; i++) {
		rep.chan[i].uri = src[i].c->uri;
		rep.chan[i].alias = src[i].c->alias;
		rep.chan[i].type = src[i].c->type;
	}
	rep.nchan = n;
	write_report(&rep, fmt, fd, name);
	free(rep.chan);
}

/* The exit status for a finished run (never 255: it stops xargs). */
static int
status_of(const struct zvm_report *rep)
{
	switch (rep->state) {
	case ZVM_STATE_TIMEOUT:
		return ZVM_EXIT_TIMEOUT;
	case ZVM_STATE_SIGNAL:
		return ZVM_EXIT_SIGBASE + rep->signal;
	case ZVM_STATE_ERROR:
		return rep->exited && rep->status >= ZVM_EXIT_NOEXEC &&
		    rep->status <= ZVM_EXIT_NOTFOUND ? rep->status :
		    ZVM_EXIT_RUNFAIL;
	}
	return rep->status == 255 ? 1 : rep->status;
}

int
main(int argc, char *argv[])
{
	static const struct option opts[] = {
		{ "check", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ "report", required_argument, NULL, 'r' },
		{ "report-fd", required_argument, NULL, 'R' },
		{ "report-format", required_argument, NULL, 'f' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct zvm_manifest m = ZVM_MANIFEST_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_arena arena = ZVM_ARENA_INIT;
	struct zvm_filter filter;
	struct zvm_source *src = NULL;
	struct zvm_report rep;
	struct zvm_spawn sp;
	struct zvm_child child;
	struct zvm_error e;
	const char *rfile = NULL, *why;
	char **pargv, **penv, msg[512];
	size_t nsrc;
	uint64_t v;
	int ch, check = 0, verbose = 0, fmt = ZVM_FMT_ZVM, rfd = -1;
	int status, progfd = -1, r;

	/* '+': stop at the manifest operand, like env(1) and timeout(1). */
	while ((ch = getopt_long(argc, argv, "+f:hnr:v", opts, NULL)) != -1)
		switch (ch) {
		case 'f':
			if ((fmt = zvm_report_format_lookup(optarg)) < 0)
				errx(ZVM_EXIT_RUNFAIL, "unknown report format "
				    "'%s' (zvm, zerovm or json)", optarg);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'n':
			check = 1;
			break;
		case 'r':
			rfile = optarg;
			break;
		case 'R':
			if (zvm_parse_uint(optarg, strlen(optarg), 1 << 20, &v,
			    &why) == -1 || fcntl((int)v, F_GETFD) == -1)
				errx(ZVM_EXIT_RUNFAIL, "--report-fd %s: %s",
				    optarg, why ? why : "not an open fd");
			rfd = (int)v;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'V':
			printf("zvm-run (zvm) %s\n", ZVM_VERSION);
			return 0;
		default:
			usage(stderr, ZVM_EXIT_RUNFAIL);
		}
	argc -= optind;
	argv += optind;
	if (argc != 1)
		usage(stderr, ZVM_EXIT_RUNFAIL);

	/* 1. The whole manifest, then the program, then every source. */
	/* Every problem of a readable manifest, bad lines or not. */
	if (zvm_manifest_load(&m, argv[0], &d) == 0 || d.n == 0 ||
	    d.v[0].code != ZVM_E_SYS)
		zvm_manifest_check(&m, &d);
	if (print_diag(&d)) {
		status = ZVM_EXIT_RUNFAIL;
		goto out;
	}
	zvm_diag_free(&d);
	build_argv(&m, &arena, &pargv, &penv);
	if ((progfd = zvm_program_open(m.value[ZVM_K_PROGRAM], &status,
	    &e)) == -1)
		errx(status, "%s", zvm_error_fmt(&e, msg, sizeof(msg)));
	zvm_source_check(&m, &src, &nsrc, &d);
	if (print_diag(&d)) {
		status = ZVM_EXIT_RUNFAIL;
		goto done;
	}
	zvm_diag_free(&d);
	status = 0;
	sp.scratchdir = m.value[ZVM_K_SCRATCH] ? scratch_dir(&m) : -1;
	if (check)
		goto done;

	/* 2. Only now change anything on disk. */
	if (rfile && (rfd = open(rfile, O_WRONLY | O_CREAT | O_TRUNC |
	    O_CLOEXEC, 0666)) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s", rfile);
	exit_src = src;
	exit_nsrc = nsrc;
	if (atexit(remove_images) != 0)
		errx(ZVM_EXIT_RUNFAIL, "atexit failed");
	hold_signals(src, nsrc);
	if (zvm_source_open(src, nsrc, m.name, &e) == -1)
		errx(ZVM_EXIT_RUNFAIL, "%s", zvm_error_fmt(&e, msg,
		    sizeof(msg)));
	/* tcp: channels: bound, connected and accepted before the run,
	 * within the Timeout (a peer that never comes: 124). */
	if ((r = zvm_net_open(src, nsrc, &m, &e)) < 0) {
		zvm_error_fmt(&e, msg, sizeof(msg));
		if (rfd != -1)
			setup_report(&m, src, nsrc, r == -2, msg, fmt, rfd,
			    rfile ? rfile : "report fd");
		errx(r == -2 ? ZVM_EXIT_TIMEOUT : ZVM_EXIT_RUNFAIL, "%s", msg);
	}
	zvm_filter_get(&filter, m.memory_etag ? ZVM_FILTER_MEMTAG : 0);

	/* 3. Run and supervise. */
	sp.progfd = progfd;
	sp.path = m.value[ZVM_K_PROGRAM];
	sp.argv = pargv;
	sp.envp = penv;
	sp.lim.memory = m.memory;
	sp.lim.threads = m.value[ZVM_K_THREADS] ? m.threads :
	    ZVM_THREADS_DEFAULT;
	sp.lim.files = m.value[ZVM_K_FILES] ? m.files : ZVM_FILES_DEFAULT;
	sp.lim.scratch = m.scratch;
	/* Each scratch entry is one more fd of ours. */
	room_for_files((sp.scratchdir >= 0 ? 2 : 1) * sp.lim.files + nsrc);
	sp.filter = &filter;
	if (zvm_sandbox_start(&sp, &child, &e) == -1)
		errx(ZVM_EXIT_RUNFAIL, "sandbox unavailable: %s",
		    zvm_error_fmt(&e, msg, sizeof(msg)));
	switch (zvm_supervise(&child, src, nsrc, m.timeout,
	    (m.memory_etag ? ZVM_SV_MEMTAG : 0) | (copy_path() ? ZVM_SV_COPY :
	    0), &rep, &e)) {
	case ZVM_SV_NOSANDBOX:
		errx(ZVM_EXIT_RUNFAIL, "sandbox unavailable: %s",
		    zvm_error_fmt(&e, msg, sizeof(msg)));
	case -1:
		warnx("%s", zvm_error_fmt(&e, msg, sizeof(msg)));
		break;
	}
	zvm_sandbox_end(&child);
	rep.node = m.value[ZVM_K_NODE] ? m.node : 0;

	/* 4. Report and status.  Our messages start a line of their own on
	 * a stderr the program wrote to. */
	for (size_t i = 0; i < nsrc; i++)
		if (src[i].std == STDERR_FILENO && src[i].partial) {
			(void)zvm_write_all(STDERR_FILENO, "\n", 1);
			break;
		}
	status = status_of(&rep);
	if (rep.state != ZVM_STATE_OK)
		warnx("%s: %s", m.name, rep.message);
	if (rfd != -1)
		write_report(&rep, fmt, rfd, rfile ? rfile : "report fd");
	/* The program is gone: nothing it wrote comes after the marker, so
	 * the report is what follows the last one. */
	if (verbose) {
		(void)zvm_write_all(STDERR_FILENO, VERBOSE_MARK "\n",
		    sizeof(VERBOSE_MARK));
		write_report(&rep, fmt, STDERR_FILENO, "<stderr>");
	}
	if (rfile && close(rfd) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s", rfile);
#ifndef __SANITIZE_ADDRESS__
	/*
	 * The exit returns all of it at once.  Freeing piece by piece here
	 * costs more than it looks: each munmap musl makes may need a TLB
	 * shootdown IPI to the CPU the child started on, tens of us in a VM.
	 * The sanitizer build frees, for the leak check.
	 */
	return status;
#endif
	zvm_report_free(&rep);
done:
	close(progfd);
	zvm_source_free(src, nsrc);
	exit_src = NULL;
out:
	zvm_diag_free(&d);
	zvm_arena_free(&arena);
	zvm_manifest_free(&m);
	return status;
}
