/* SPDX-License-Identifier: ISC */
/*
 * devices - the kernel's devices every program assumes, in every sandbox
 * without a channel: /dev/null, /dev/zero, /dev/full, /dev/random and
 * /dev/urandom.  Nothing crosses them: what is written is dropped (or, on
 * /dev/full, refused with ENOSPC), what is read is made by the supervisor
 * (zeros, or bytes of getrandom()), so no host file is reached and no
 * quota is charged.  A channel of the same alias comes first.
 */
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sv/state.h"

static const struct {
	const char *name;
	unsigned maj, min;	/* the host's numbers, for st_rdev */
} dev[] = {
	[ZVM_VDEV_NULL] = { "null", 1, 3 },
	[ZVM_VDEV_ZERO] = { "zero", 1, 5 },
	[ZVM_VDEV_FULL] = { "full", 1, 7 },
	[ZVM_VDEV_RANDOM] = { "random", 1, 8 },
	[ZVM_VDEV_URANDOM] = { "urandom", 1, 9 },
};
#define NDEV ((int)(sizeof(dev) / sizeof(dev[0])))

int
zvm_vdev_lookup(const char *norm)
{
	if (strncmp(norm, "/dev/", 5) != 0)
		return ZVM_VDEV_NONE;
	for (int i = 1; i < NDEV; i++)
		if (strcmp(norm + 5, dev[i].name) == 0)
			return i;
	return ZVM_VDEV_NONE;
}

const char *
zvm_vdev_name(int kind)
{
	return kind > 0 && kind < NDEV ? dev[kind].name : NULL;
}

void
zvm_vdev_stat(int kind, struct stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ZVM_DEV;
	st->st_ino = (1ULL << 61) | (unsigned)kind;
	st->st_nlink = 1;
	st->st_mode = S_IFCHR | 0666;
	st->st_rdev = makedev(dev[kind].maj, dev[kind].min);
	st->st_uid = 0;
	st->st_gid = 0;
	st->st_blksize = 4096;
}
