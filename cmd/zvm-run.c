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
#include <limits.h>
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
    "usage: zvm-run [-nv] [-f format] [-r file] [-s suffix] [--report-fd fd]"
    "\n               [--] manifest ...\n"
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
		    "  -r, --report=FILE        write the reports to FILE\n"
		    "  -s, --report-suffix=SUF  write each manifest's report "
		    "to its name + SUF\n"
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
 * The last run leaves its memory, maps and fds to the exit, which returns
 * all of it at once.  Freeing piece by piece costs more than it looks:
 * each munmap may need a TLB shootdown IPI to the CPU the child started
 * on, tens of us in a VM.  The sanitizer build frees, for the leak check.
 */
static int
leave_to_exit(int last)
{
#ifdef __SANITIZE_ADDRESS__
	(void)last;
	return 0;
#else
	return last;
#endif
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

/* Print every diagnostic; returns the number of errors, the first of
 * them in why (why_len bytes, empty before). */
static size_t
print_diag(const struct zvm_diag *d, char *why, size_t why_len)
{
	char buf[512];

	for (size_t i = 0; i < d->n; i++) {
		zvm_error_fmt(&d->v[i], buf, sizeof(buf));
		warnx("%s", buf);
		if (why[0] == '\0' && !d->v[i].warning)
			snprintf(why, why_len, "%s", buf);
	}
	return d->nerr;
}

/* argv from Args, else the nvram file's [args], else Program's name;
 * -1 after a message. */
static int
build_argv(const struct zvm_manifest *m, struct zvm_arena *a, char ***argv,
    char ***envp)
{
	struct zvm_nvram nv = { 0 };
	const struct zvm_channel *c;
	const char *why, *args = m->value[ZVM_K_ARGS];
	size_t n, ne = 0, i;
	char **ev;
	int r;

	if (args == NULL && (c = zvm_manifest_find(m, "/dev/nvram"))) {
		struct zvm_error e;
		char *buf;
		size_t len;
		int fd;

		if ((fd = open(c->uri, O_RDONLY | O_CLOEXEC)) == -1 ||
		    zvm_read_fd(fd, &buf, &len) == -1) {
			warn("%s", c->uri);
			if (fd != -1)
				close(fd);
			return -1;
		}
		close(fd);
		r = zvm_nvram_parse(buf, len, c->uri, a, &nv, &e);
		free(buf);
		if (r == -1) {
			char msg[512];

			warnx("%s", zvm_error_fmt(&e, msg, sizeof(msg)));
			return -1;
		}
		args = nv.args;
	}
	if (args) {
		if (zvm_args_split(args, a, argv, &n, &why) == -1 || n == 0) {
			warnx("%s: Args: %s", m->name, n ? why : "no words");
			return -1;
		}
	} else {
		char *p = zvm_arena_strndup(a, m->value[ZVM_K_PROGRAM],
		    strlen(m->value[ZVM_K_PROGRAM]));

		*argv = zvm_arena_alloc(a, 2 * sizeof(char *));
		if (p == NULL || *argv == NULL)
			goto oom;
		(*argv)[0] = basename(p);
		(*argv)[1] = NULL;
	}
	ev = zvm_arena_alloc(a, (m->nenv + nv.nenv + 2) * sizeof(char *));
	if (ev == NULL)
		goto oom;
	for (i = 0; i < nv.nenv; i++) {
		size_t ln = strlen(nv.env_name[i]), lv = strlen(nv.env_value[i]);

		if ((ev[ne] = zvm_arena_alloc(a, ln + lv + 2)) == NULL)
			goto oom;
		sprintf(ev[ne++], "%s=%s", nv.env_name[i], nv.env_value[i]);
	}
	for (i = 0; i < m->nenv; i++) {
		size_t ln, lv;

		if (m->env[i].deleted)
			continue;
		ln = strlen(m->env[i].name);
		lv = strlen(m->env[i].value);
		if ((ev[ne] = zvm_arena_alloc(a, ln + lv + 2)) == NULL)
			goto oom;
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
oom:
	warnx("%s: out of memory", m->name);
	return -1;
}

/*
 * The host directory that holds the Scratch's files, all unnamed
 * (O_TMPFILE, so none outlives the run): zvm-run's $TMPDIR, else /tmp.
 * One file is made and dropped to know the file system can.  The fd,
 * or -1 after a message.
 */
static int
scratch_dir(const struct zvm_manifest *m)
{
	const char *dir = getenv("TMPDIR");
	int fd, t;

	if (dir == NULL || dir[0] != '/')
		dir = "/tmp";
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		warn("%s: Scratch: %s", m->name, dir);
		return -1;
	}
	if ((t = openat(fd, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600)) == -1) {
		warn("%s: Scratch: %s: no unnamed files (O_TMPFILE) there",
		    m->name, dir);
		close(fd);
		return -1;
	}
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
		warnx("%s: out of memory", name);
	else if (zvm_write_all(fd, b.p, b.len) == -1)
		warn("%s", name);
	zvm_buf_free(&b);
}

/* What the options ask of every run, and where this run's report goes. */
struct opts {
	const char *rfile;	/* -r: opened at the first report */
	int rfd;		/* the report's fd, or -1 */
	int fmt;		/* ZVM_FMT_* */
	const char *suffix;	/* -s: each manifest's own report file */
	char jname[PATH_MAX];	/* this run's, and its fd or -1 */
	int jfd;
	int check, verbose;
	int always;		/* a report for every run, failed or not */
};

/* -r: created or truncated once, when the first run changes the disk;
 * -s: the run's own, when it does. */
static void
open_report(struct opts *o)
{
	if (o->rfile && o->rfd == -1 && (o->rfd = open(o->rfile, O_WRONLY |
	    O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s", o->rfile);
	if (o->jname[0] && o->jfd == -1 && (o->jfd = open(o->jname,
	    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) == -1)
		warn("%s", o->jname);
}

/* The report where the options send it. */
static void
emit_report(struct opts *o, const struct zvm_report *rep)
{
	open_report(o);
	if (o->rfd != -1)
		write_report(rep, o->fmt, o->rfd, o->rfile ? o->rfile :
		    "report fd");
	if (o->jfd != -1)
		write_report(rep, o->fmt, o->jfd, o->jname);
	/* The program is gone: nothing it wrote comes after the marker, so
	 * the report is what follows the last one. */
	if (o->verbose) {
		(void)zvm_write_all(STDERR_FILENO, VERBOSE_MARK "\n",
		    sizeof(VERBOSE_MARK));
		write_report(rep, o->fmt, STDERR_FILENO, "<stderr>");
	}
}

/*
 * The report of a run that ended before its program started: the state,
 * why, and every channel (n of src) with nothing moved.  A network
 * channel whose peer never came (timeout) or could not be made has it;
 * with several manifests every run has one, so the reports line up with
 * the manifests.
 */
static void
setup_report(struct opts *o, const struct zvm_manifest *m,
    const struct zvm_source *src, size_t n, int timeout, const char *why)
{
	struct zvm_report rep;

	memset(&rep, 0, sizeof(rep));
	rep.state = timeout ? ZVM_STATE_TIMEOUT : ZVM_STATE_ERROR;
	snprintf(rep.message, sizeof(rep.message), "%.255s", why);
	rep.node = m->value[ZVM_K_NODE] ? m->node : 0;
	if ((rep.chan = calloc(n ? n : 1, sizeof(*rep.chan))) == NULL) {
		warnx("report: out of memory");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		rep.chan[i].uri = src[i].c->uri;
		rep.chan[i].alias = src[i].c->alias;
		rep.chan[i].type = src[i].c->type;
	}
	rep.nchan = n;
	emit_report(o, &rep);
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

/*
 * Run the manifest at path as if it were zvm-run's only operand; its
 * exit status.  *stop is set when zvm-run itself was told to end (a
 * signal it passed on to the program): no further manifest runs.  The
 * last run leaves its memory to the exit.
 */
static int
run_job(const char *path, struct opts *o, int last, int *stop)
{
	struct zvm_manifest m = ZVM_MANIFEST_INIT;
	struct zvm_diag d = ZVM_DIAG_INIT;
	struct zvm_arena arena = ZVM_ARENA_INIT;
	struct zvm_filter filter;
	struct zvm_source *src = NULL;
	struct zvm_report rep;
	struct zvm_spawn sp;
	struct zvm_child child;
	struct zvm_error e;
	char **pargv, **penv, msg[512], sys[400];
	size_t nsrc = 0;
	sigset_t omask;
	int status, progfd = -1, r;

	msg[0] = '\0';
	sp.scratchdir = -1;
	o->jname[0] = '\0';
	o->jfd = -1;
	if (o->suffix && (size_t)snprintf(o->jname, sizeof(o->jname), "%s%s",
	    path, o->suffix) >= sizeof(o->jname)) {
		warnx("%s%s: report name too long", path, o->suffix);
		return ZVM_EXIT_RUNFAIL;
	}
	/* 1. The whole manifest, then the program, then every source. */
	/* Every problem of a readable manifest, bad lines or not. */
	if (zvm_manifest_load(&m, path, &d) == 0 || d.n == 0 ||
	    d.v[0].code != ZVM_E_SYS)
		zvm_manifest_check(&m, &d);
	if (print_diag(&d, msg, sizeof(msg))) {
		status = ZVM_EXIT_RUNFAIL;
		goto early;
	}
	zvm_diag_free(&d);
	if (build_argv(&m, &arena, &pargv, &penv) == -1) {
		status = ZVM_EXIT_RUNFAIL;
		snprintf(msg, sizeof(msg), "%s: bad Args", m.name);
		goto early;
	}
	if ((progfd = zvm_program_open(m.value[ZVM_K_PROGRAM], &status,
	    &e)) == -1) {
		warnx("%s", zvm_error_fmt(&e, msg, sizeof(msg)));
		goto early;
	}
	zvm_source_check(&m, &src, &nsrc, &d);
	if (print_diag(&d, msg, sizeof(msg))) {
		status = ZVM_EXIT_RUNFAIL;
		goto early;
	}
	zvm_diag_free(&d);
	status = 0;
	if (m.value[ZVM_K_SCRATCH] && (sp.scratchdir = scratch_dir(&m)) ==
	    -1) {
		status = ZVM_EXIT_RUNFAIL;
		snprintf(msg, sizeof(msg), "%s: Scratch: no directory for it",
		    m.name);
		goto early;
	}
	if (o->check)
		goto done;

	/* 2. Only now change anything on disk: a stale report goes first. */
	open_report(o);
	exit_src = src;
	exit_nsrc = nsrc;
	sigprocmask(SIG_BLOCK, NULL, &omask);
	hold_signals(src, nsrc);
	if (zvm_source_open(src, nsrc, m.name, &e) == -1) {
		warnx("%s", zvm_error_fmt(&e, msg, sizeof(msg)));
		status = ZVM_EXIT_RUNFAIL;
		goto early;
	}
	/* tcp: channels: bound, connected and accepted before the run,
	 * within the Timeout (a peer that never comes: 124). */
	if ((r = zvm_net_open(src, nsrc, &m, &e)) < 0) {
		zvm_error_fmt(&e, msg, sizeof(msg));
		setup_report(o, &m, src, nsrc, r == -2, msg);
		warnx("%s", msg);
		status = r == -2 ? ZVM_EXIT_TIMEOUT : ZVM_EXIT_RUNFAIL;
		goto opened;
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
	if (zvm_sandbox_start(&sp, &child, &e) == -1) {
		snprintf(msg, sizeof(msg), "sandbox unavailable: %s",
		    zvm_error_fmt(&e, sys, sizeof(sys)));
		goto nosandbox;
	}
	switch (zvm_supervise(&child, src, nsrc, m.timeout,
	    (m.memory_etag ? ZVM_SV_MEMTAG : 0) | (copy_path() ? ZVM_SV_COPY :
	    0) | (leave_to_exit(last) ? ZVM_SV_EXIT : 0), &rep, &e)) {
	case ZVM_SV_NOSANDBOX:
		zvm_sandbox_end(&child);
		snprintf(msg, sizeof(msg), "sandbox unavailable: %s",
		    zvm_error_fmt(&e, sys, sizeof(sys)));
		zvm_report_free(&rep);
		goto nosandbox;
	case -1:
		warnx("%s", zvm_error_fmt(&e, msg, sizeof(msg)));
		break;
	}
	if (!leave_to_exit(last))
		zvm_sandbox_end(&child);
	rep.node = m.value[ZVM_K_NODE] ? m.node : 0;
	*stop = rep.interrupt != 0;

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
	emit_report(o, &rep);
	if (leave_to_exit(last))
		return status;
	zvm_report_free(&rep);
	goto opened;
nosandbox:
	warnx("%s", msg);
	status = ZVM_EXIT_RUNFAIL;
	/* FALLTHROUGH */
early:
	/* Failed before the start, msg says why. */
	if (o->always && !o->check)
		setup_report(o, &m, src, nsrc, 0, msg);
opened:
	/* Sources opened (step 2 set exit_src): tar images go before a held
	 * signal may end us. */
	if (exit_src != NULL) {
		zvm_source_cleanup(src, nsrc);
		exit_src = NULL;
		sigprocmask(SIG_SETMASK, &omask, NULL);
	}
done:
	if (o->jfd != -1 && close(o->jfd) == -1) {
		warn("%s", o->jname);
		status = status ? status : ZVM_EXIT_RUNFAIL;
	}
	if (progfd != -1)
		close(progfd);
	if (sp.scratchdir != -1)
		close(sp.scratchdir);
	zvm_source_free(src, nsrc);
	zvm_diag_free(&d);
	zvm_arena_free(&arena);
	zvm_manifest_free(&m);
	return status;
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
		{ "report-suffix", required_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct opts o = { .rfd = -1, .fmt = ZVM_FMT_ZVM };
	const char *why;
	uint64_t v;
	int ch, status = 0, stdin_seen = 0, stop = 0;

	/* '+': options end at the first manifest, like env(1). */
	while ((ch = getopt_long(argc, argv, "+f:hnr:s:v", opts, NULL)) != -1)
		switch (ch) {
		case 'f':
			if ((o.fmt = zvm_report_format_lookup(optarg)) < 0)
				errx(ZVM_EXIT_RUNFAIL, "unknown report format "
				    "'%s' (zvm, zerovm or json)", optarg);
			break;
		case 'h':
			usage(stdout, 0);
			break;
		case 'n':
			o.check = 1;
			break;
		case 'r':
			o.rfile = optarg;
			break;
		case 's':
			if (optarg[0] == '\0' || strchr(optarg, '/'))
				errx(ZVM_EXIT_RUNFAIL, "-s '%s': a suffix is "
				    "not empty and has no '/'", optarg);
			o.suffix = optarg;
			break;
		case 'R':
			if (zvm_parse_uint(optarg, strlen(optarg), 1 << 20, &v,
			    &why) == -1 || fcntl((int)v, F_GETFD) == -1)
				errx(ZVM_EXIT_RUNFAIL, "--report-fd %s: %s",
				    optarg, why ? why : "not an open fd");
			o.rfd = (int)v;
			break;
		case 'v':
			o.verbose = 1;
			break;
		case 'V':
			printf("zvm-run (zvm) %s\n", ZVM_VERSION);
			return 0;
		default:
			usage(stderr, ZVM_EXIT_RUNFAIL);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, ZVM_EXIT_RUNFAIL);
	for (int i = 0; i < argc; i++)
		if (strcmp(argv[i], "-") == 0 && (stdin_seen++ || o.suffix))
			errx(ZVM_EXIT_RUNFAIL, o.suffix ? "-: -s needs a "
			    "manifest file to name the report after" :
			    "-: standard input named twice");
	o.always = argc > 1 || o.suffix;
	if (atexit(remove_images) != 0)
		errx(ZVM_EXIT_RUNFAIL, "atexit failed");
	/* One after another, each as if alone; the first failure's status. */
	for (int i = 0; i < argc && !stop; i++) {
		int r = run_job(argv[i], &o, i == argc - 1, &stop);

		if (status == 0)
			status = r;
	}
	if (o.rfile && o.rfd != -1 && close(o.rfd) == -1)
		err(ZVM_EXIT_RUNFAIL, "%s", o.rfile);
	return status;
}
