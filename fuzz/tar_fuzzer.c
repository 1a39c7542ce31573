/* SPDX-License-Identifier: ISC */
/*
 * tar_fuzzer - arbitrary bytes as a tar archive, read entry by entry from
 * memory.  Oracles: zvm_tar_next() returns 1, 0 or -1, and -1 comes with
 * a message "entry N (...): ..."; entries are numbered 1, 2, ... and
 * never more than ZVM_TAR_MAXENT; every name is tidied (relative, no
 * empty, "." or ".." component, "" only for a directory) and shorter than
 * PATH_MAX, as is a hard link's target (never ""); a regular file's data
 * lies inside the input, past its header; the reader never reads past
 * the input (ASan sees it: the driver's copy is exact).  Once it has
 * returned 0 it keeps returning 0.
 */
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/tar.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A tidy relative name: no empty, "." or ".." component. */
static int
tidy(const char *s)
{
	const char *p = s;

	if (*s == '\0')
		return 1;
	if (*s == '/' || strlen(s) >= PATH_MAX)
		return 0;
	for (;;) {
		const char *e = strchr(p, '/');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		if (n == 0 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct zvm_tar_ent e;
	static char why[ZVM_TAR_WHY];
	struct zvm_tar t;
	uint64_t n = 0;
	int r;

	(void)zvm_tar_is(data, size);
	zvm_tar_init(&t, -1, data, size);
	while ((r = zvm_tar_next(&t, &e, why, sizeof(why))) == 1) {
		if (e.n != ++n || n > ZVM_TAR_MAXENT)
			abort();
		if (e.type < ZVM_TAR_REG || e.type > ZVM_TAR_HARD)
			abort();
		if (!tidy(e.name) || (e.name[0] == '\0' &&
		    e.type != ZVM_TAR_DIR))
			abort();
		if (e.type == ZVM_TAR_HARD && (!tidy(e.link) ||
		    e.link[0] == '\0'))
			abort();
		if (e.type == ZVM_TAR_SYM && (e.link[0] == '\0' ||
		    strlen(e.link) >= PATH_MAX))
			abort();
		if (e.type != ZVM_TAR_REG && e.size != 0)
			abort();
		if (e.off < ZVM_TAR_BLOCK || e.off > size ||
		    e.size > size - e.off)
			abort();
	}
	if (r != 0 && r != -1)
		abort();
	if (r == -1 && strncmp(why, "entry ", 6) != 0)
		abort();
	if (r == 0 && zvm_tar_next(&t, &e, why, sizeof(why)) != 0)
		abort();
	return 0;
}
