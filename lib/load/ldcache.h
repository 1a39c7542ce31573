/* SPDX-License-Identifier: ISC */
/*
 * ldcache - lookups in /etc/ld.so.cache, the file ldconfig writes and
 * ld.so searches before the default directories: both formats ld.so 2.36
 * reads ("glibc-ld.so.cache1.1", and "ld.so-1.7.0" with or without the
 * new format inside), and its choice among entries for one name.
 */
#ifndef ZVM_LDCACHE_H
#define ZVM_LDCACHE_H

#include <stddef.h>
#include <stdint.h>

#include "load/hwcaps.h"
#include "base/util.h"

/* The file ld.so opens, and the channel alias it becomes. */
#define ZVM_LDCACHE_PATH	"/etc/ld.so.cache"

/* /etc/ld.so.cache in memory: borrowed from the buffer given to parse. */
struct zvm_ldcache {
	const unsigned char *buf;
	size_t len;
	size_t entries;		/* offset of the first entry */
	uint32_t nlibs;
	size_t entry_size;	/* 12 (old format) or 24 (glibc 1.1) */
	size_t strings;		/* offset string indices count from */
	const unsigned char *hwcaps;	/* glibc-hwcaps section, or NULL */
	uint32_t nhwcaps;
};

/*
 * Recognise the formats ld.so reads: "glibc-ld.so.cache1.1" (little
 * endian), the old "ld.so-1.7.0" with or without the new one inside.
 * Returns 0, or -1 with e->code ZVM_E_SYNTAX when ld.so would ignore the
 * file (it then searches the default directories alone).  c borrows buf:
 * valid while buf is.
 */
int zvm_ldcache_parse(const void *buf, size_t len, struct zvm_ldcache *c,
    struct zvm_error *e);

/*
 * The path ld.so 2.36 takes from the cache for name: the same binary
 * search and the same choice among entries (flags, glibc-hwcaps priority,
 * ISA level, legacy hwcap and platform bits).  Returns a
 * string borrowed from the buffer, or NULL.
 */
const char *zvm_ldcache_lookup(const struct zvm_ldcache *c, const char *name,
    const struct zvm_hwcaps *hw);

/*
 * glibc's _dl_cache_libcmp(): numbers in names compare as numbers.
 * Returns <0, 0 or >0 as strcmp(3) does.
 */
int zvm_ldcache_cmp(const char *a, const char *b);

#endif
