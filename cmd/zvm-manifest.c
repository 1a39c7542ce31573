/* SPDX-License-Identifier: ISC */
/*
 * zvm-manifest - write a manifest for a program, as ZeroVM's zvsh did.
 * PROGRAM is found on PATH, @ arguments become channels and Env lines,
 * options set Timeout, Memory, quotas and extra channels (-c, --file,
 * --image: a directory or a tar archive); a dynamic PROGRAM's loader and
 * libraries become read-only channels, found by lib/load/ldso reading the
 * files, and a #! script PROGRAM is run by its interpreter, as the kernel
 * would.  lib/draft/draft builds the manifest on an empty one, then reads it
 * back and checks it before a byte goes to stdout or, atomically,
 * DIR/manifest.1.
 */
#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "draft/draft.h"
#include "net/ns.h"
#include "base/util.h"

enum {
	OPT_FILE = 256, OPT_FILES, OPT_IMAGE, OPT_NAME_SERVER, OPT_NO_LIBS,
	OPT_NODE, OPT_SAVE_DIR,
	OPT_SCRATCH, OPT_STDERR, OPT_STDIN, OPT_STDOUT, OPT_THREADS, OPT_VERSION
};

/* Sorted, like the getopt string. */
static const struct option longopts[] = {
	{ "channel",	required_argument,	NULL, 'c' },
	{ "env",	required_argument,	NULL, 'e' },
	{ "etag",	no_argument,		NULL, 'E' },
	{ "file",	required_argument,	NULL, OPT_FILE },
	{ "files",	required_argument,	NULL, OPT_FILES },
	{ "help",	no_argument,		NULL, 'h' },
	{ "image",	required_argument,	NULL, OPT_IMAGE },
	{ "memory",	required_argument,	NULL, 'm' },
	{ "name-server",	required_argument,	NULL, OPT_NAME_SERVER },
	{ "no-libs",	no_argument,		NULL, OPT_NO_LIBS },
	{ "node",	required_argument,	NULL, OPT_NODE },
	{ "quota",	required_argument,	NULL, 'q' },
	{ "save-dir",	required_argument,	NULL, OPT_SAVE_DIR },
	{ "scratch",	required_argument,	NULL, OPT_SCRATCH },
	{ "stderr",	required_argument,	NULL, OPT_STDERR },
	{ "stdin",	required_argument,	NULL, OPT_STDIN },
	{ "stdout",	required_argument,	NULL, OPT_STDOUT },
	{ "threads",	required_argument,	NULL, OPT_THREADS },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "version",	no_argument,		NULL, OPT_VERSION },
	{ NULL,		0,			NULL, 0 }
};

static void
usage(FILE *out, int status)
{
	fputs("usage: zvm-manifest [-Eh] [-c CHANNEL]... [-e NAME=VALUE]... "
	    "[-m SIZE] [-q SIZE]\n"
	    "                    [-t SECONDS] [--stdin URI] [--stdout URI] "
	    "[--stderr URI]\n"
	    "                    [--file PATH[:ALIAS]]... "
	    "[--image DIR[:ALIAS]]... [--no-libs]\n"
	    "                    [--threads N] [--files N] [--scratch SIZE] "
	    "[--node N]\n"
	    "                    [--name-server udp:IP:PORT] [--save-dir DIR] "
	    "[--] PROGRAM [ARG...]\n",
	    out);
	if (out == stdout)
		fputs("Write a manifest for PROGRAM to stdout.\n"
		    "  -c, --channel=CHANNEL  add a Channel line (8 fields; "
		    "quotas take K/M/G/T)\n"
		    "  -E, --etag             etag 1 on every channel\n"
		    "  -e, --env=NAME=VALUE   add an Env line\n"
		    "  -h, --help             print this help and exit\n"
		    "  -m, --memory=SIZE      Memory limit (default 4G)\n"
		    "  -q, --quota=SIZE       quota of the channels made here "
		    "(default 4G)\n"
		    "  -t, --timeout=SECONDS  Timeout (default 50)\n"
		    "      --file=PATH[:ALIAS]  add a read-only file channel\n"
		    "      --files=N          Files: real fds the program may "
		    "hold (default 1024)\n"
		    "      --image=DIR[:ALIAS]  add a read-only directory "
		    "tree (or tar archive) channel\n"
		    "      --name-server=udp:IP:PORT  NameServer: where node ids "
		    "of tcp: channels are found\n"
		    "      --no-libs          no channels for the loader and "
		    "libraries\n"
		    "      --node=N           Node: this node's id in a cluster "
		    "job\n"
		    "      --save-dir=DIR     write DIR/manifest.1 instead\n"
		    "      --scratch=SIZE     Scratch: a private writable /tmp "
		    "of SIZE bytes\n"
		    "      --stderr=URI       uri of /dev/stderr\n"
		    "      --stdin=URI        uri of /dev/stdin\n"
		    "      --stdout=URI       uri of /dev/stdout\n"
		    "      --threads=N        Threads: threads alive at once "
		    "(default 1024)\n"
		    "      --version          print the version and exit\n"
		    "Arguments @FILE or @r:FILE (input), @w:FILE (output) and "
		    "@rw:FILE become\nchannels /dev/N.FILE, @tcp:HOST:PORT and "
		    "@w:tcp:HOST:PORT network channels\n/dev/N.tcp; "
		    "@NAME=value becomes an Env line.  A dynamic PROGRAM's\n"
		    "loader and libraries become read-only channels.  See "
		    "zvm-manifest(1).\n", out);
	exit(status);
}

/*
 * Everything the run allocates hangs off this one static, so an errx()
 * on any path leaves no unreachable memory behind for LeakSanitizer.
 */
static struct zvm_draft d = ZVM_DRAFT_INIT;
static char *cwd;

/*
 * Print e as "zvm-manifest: ..." and exit: status, or 71 for ENOMEM, or
 * for a draft error (status 0) 66 when a file named cannot be used and
 * 64 when the command line asks for what a manifest cannot hold.
 */
static void
die(int status, const struct zvm_error *e)
{
	char buf[4096];

	if (e->code == ZVM_E_NOMEM)
		status = ZVM_EXIT_OSERR;
	else if (status == 0)
		status = e->code == ZVM_E_SYS || e->code == ZVM_E_CHANNEL ||
		    e->code == ZVM_E_MISSING ? ZVM_EXIT_NOINPUT :
		    ZVM_EXIT_USAGE;
	if (e->code == ZVM_E_SYS && e->msg[0] == '\0')
		errx(status, "%s: %s", e->file, strerror(e->sys_errno));
	errx(status, "%s", zvm_error_fmt(e, buf, sizeof buf));
}

/* A size option (-m, -q): K/M/G/T suffixes, at least 1. */
static uint64_t
size_arg(int opt, const char *s)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_size(s, &v, &why) == -1)
		errx(ZVM_EXIT_USAGE, "-%c %s: %s", opt, s, why);
	if (v == 0)
		errx(ZVM_EXIT_USAGE, "-%c %s: must be at least 1", opt, s);
	return v;
}

/* -t: whole seconds, at least 1. */
static uint64_t
timeout_arg(const char *s)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_uint(s, strlen(s), ZVM_INT_MAX, &v, &why) == -1)
		errx(ZVM_EXIT_USAGE, "-t %s: %s", s, why);
	if (v == 0)
		errx(ZVM_EXIT_USAGE, "-t %s: must be at least 1 second", s);
	return v;
}

/* --threads, --files: an integer in lo..hi. */
static uint64_t
limit_arg(const char *opt, const char *s, uint64_t lo, uint64_t hi)
{
	const char *why;
	uint64_t v;

	if (zvm_parse_uint(s, strlen(s), ZVM_INT_MAX, &v, &why) == -1)
		errx(ZVM_EXIT_USAGE, "--%s %s: %s", opt, s, why);
	if (v < lo || v > hi)
		errx(ZVM_EXIT_USAGE, "--%s %s: must be %llu to %llu", opt, s,
		    (unsigned long long)lo, (unsigned long long)hi);
	return v;
}

/* Read the manifest back: every problem is a warning line, then 65. */
static void
verify(void)
{
	struct zvm_error e;
	char buf[600];
	int rc = zvm_draft_verify(&d, &e);

	for (size_t i = 0; i < d.diag.n; i++)
		warnx("%s", zvm_error_fmt(&d.diag.v[i], buf, sizeof buf));
	if (rc == -1 && (e.code == ZVM_E_NOMEM || e.msg[0] != '\0'))
		die(ZVM_EXIT_DATAERR, &e);
	if (rc == -1)
		exit(ZVM_EXIT_DATAERR);
}

int
main(int argc, char *argv[])
{
	const char *savedir = NULL, *why;
	struct zvm_ns_addr nsaddr;
	struct zvm_error e;
	int ch;

	/* "+": options stop at PROGRAM, whose own options are its own. */
	while ((ch = getopt_long(argc, argv, "+Ec:e:hm:q:t:", longopts,
	    NULL)) != -1)
		switch (ch) {
		case 'E':
			d.etag = 1;
			break;
		case 'c':
			if (zvm_draft_channel(&d, optarg, &e) == -1)
				die(ZVM_EXIT_USAGE, &e);
			break;
		case 'e':
			if (zvm_draft_env(&d, optarg, &e) == -1)
				die(ZVM_EXIT_USAGE, &e);
			break;
		case 'h':
			usage(stdout, ZVM_EXIT_OK);
			break;
		case 'm':
			d.memory = size_arg(ch, optarg);
			break;
		case 'q':
			d.quota = size_arg(ch, optarg);
			break;
		case 't':
			d.timeout = timeout_arg(optarg);
			break;
		case OPT_THREADS:
			d.maxthreads = limit_arg("threads", optarg, 1,
			    ZVM_THREADS_MAX);
			break;
		case OPT_FILES:
			d.maxfiles = limit_arg("files", optarg, 0, ZVM_FILES_MAX);
			break;
		case OPT_NODE:
			d.node = limit_arg("node", optarg, 1, UINT32_MAX);
			break;
		case OPT_NAME_SERVER:
			if (zvm_ns_parse_server(optarg, &nsaddr, &why) == -1)
				errx(ZVM_EXIT_USAGE, "--name-server %s: %s",
				    optarg, why);
			d.nameserver = optarg;
			break;
		case OPT_FILE:
		case OPT_IMAGE:
			/* Checked once the current directory is known. */
			if (zvm_draft_tree(&d, ch == OPT_IMAGE, optarg,
			    &e) == -1)
				die(0, &e);
			break;
		case OPT_NO_LIBS:
			d.libs = 0;
			break;
		case OPT_SAVE_DIR:
			savedir = optarg;
			break;
		case OPT_SCRATCH:
			if (zvm_parse_size(optarg, &d.scratch, &why) == -1)
				errx(ZVM_EXIT_USAGE, "--scratch %s: %s", optarg,
				    why);
			break;
		case OPT_STDIN:
		case OPT_STDOUT:
		case OPT_STDERR:
			d.stdio[ch == OPT_STDIN ? 0 :
			    ch == OPT_STDOUT ? 1 : 2] = optarg;
			break;
		case OPT_VERSION:
			printf("zvm-manifest (zvm) %s\n", ZVM_VERSION);
			if (zvm_close_stdout() == -1)
				err(ZVM_EXIT_IOERR, "<stdout>");
			return ZVM_EXIT_OK;
		default:
			usage(stderr, ZVM_EXIT_USAGE);
		}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(stderr, ZVM_EXIT_USAGE);

	if ((cwd = getcwd(NULL, 0)) == NULL)
		err(ZVM_EXIT_OSERR, "getcwd");
	if (zvm_draft_build(&d, argv, cwd, getenv("PATH"), &e) == -1)
		die(0, &e);
	verify();
	if (savedir) {
		if (zvm_draft_save(&d, savedir, &e) == -1)
			die(ZVM_EXIT_IOERR, &e);
	} else if (fwrite(d.out.p, 1, d.out.len, stdout) != d.out.len ||
	    zvm_close_stdout() == -1)
		err(ZVM_EXIT_IOERR, "<stdout>");
	zvm_draft_free(&d);
	free(cwd);
	return ZVM_EXIT_OK;
}
