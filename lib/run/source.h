/* SPDX-License-Identifier: ISC */
/*
 * source - the host side of each channel: what its uri is (regular file,
 * character device, FIFO, one of zvm-run's own standard streams, a tcp:
 * socket (lib/run/net), or a directory image, or a tar archive unpacked
 * into one: its alias ends in '/') and the open fd.  Checking and opening are two steps, so an
 * invalid manifest creates or truncates nothing.
 */
#ifndef ZVM_SOURCE_H
#define ZVM_SOURCE_H

#include <stdint.h>
#include <sys/stat.h>

#include "manifest/manifest.h"
#include "net/ns.h"
#include "base/util.h"

enum zvm_src_kind {
	ZVM_SRC_NONE,		/* an output file that does not exist yet */
	ZVM_SRC_REG,
	ZVM_SRC_CHR,
	ZVM_SRC_FIFO,		/* FIFO, pipe, or a socket as a std stream */
	ZVM_SRC_DIR		/* a directory image (read-only); fd O_PATH */
};

/* One end of a tcp: channel: a part of its uri. */
struct zvm_netend {
	char *uri;		/* "tcp:HOST:PORT", owned */
	uint32_t node;		/* HOST is this node id (0: none) */
	struct zvm_ns_addr peer;	/* that node's, from the name server */
	int fd;			/* -1 until made */
};

struct zvm_source {
	const struct zvm_channel *c;	/* borrowed from the manifest */
	int acc;		/* enum zvm_access */
	int std;		/* 0, 1, 2: zvm-run's own stream; -1 */
	int fd;			/* -1 until opened */
	int kind;		/* enum zvm_src_kind */
	int tty;		/* a terminal */
	int nonblock;		/* fd is ours and O_NONBLOCK */
	int net;		/* a tcp: channel: a socket (lib/run/net) */
	/* Its ends: one, or for a write channel whose uri joins several
	 * with ';', one each (a broadcast); fd is ends[0]'s. */
	struct zvm_netend *ends;
	size_t nends;
	uint64_t size;		/* regular: known end (grows with writes) */
	uint64_t rpos, wpos;	/* regular, sequential: next read, write */
	int partial;		/* the last byte written was not a newline */
	int tar;		/* ZVM_SRC_DIR from a tar archive at uri */
	char *tmp;		/* tar: the directory it is unpacked in */
	dev_t dev;		/* regular, image: identity checked at open */
	ino_t ino;
	/* Read window over a regular input file (lib/sv/chanio). */
	unsigned char *map;
	int shrunk;		/* truncated under its map: pread only */
	uint64_t mapoff;
	size_t maplen;
};

/*
 * Check every channel's uri against the file system without changing
 * anything: kinds, access, read-write rules, two writable channels on one
 * file, hard-linked outputs.  *out gets an array of m->nchan sources
 * (caller frees with zvm_source_free()).  Every problem goes to d.
 * Returns 0, or -1 when d got an error.
 */
int zvm_source_check(const struct zvm_manifest *m, struct zvm_source **out,
    size_t *n, struct zvm_diag *d);

/*
 * Open every source (create and truncate outputs now), making sure each
 * is still what the check saw.  0, or -1 with e set; sources opened so
 * far stay open for zvm_source_free().
 */
int zvm_source_open(struct zvm_source *, size_t n, const char *manifest,
    struct zvm_error *e);

/* Remove the directories tar images were unpacked in; again is a no-op. */
void zvm_source_cleanup(struct zvm_source *, size_t n);

/* Close the fds zvm_source_open() opened (never 0, 1, 2), remove what
 * zvm_source_cleanup() removes, and free. */
void zvm_source_free(struct zvm_source *, size_t n);

#endif
