/* SPDX-License-Identifier: ISC */
/*
 * hwcaps - the CPU facts ld.so's library searches depend on: the
 * x86-64-vN ISA level (glibc-hwcaps subdirectories and cache entries),
 * the legacy platform and hwcap bits (legacy hwcaps subdirectories, gone
 * in glibc 2.37), as glibc 2.36 computes them on x86-64.
 */
#ifndef ZVM_HWCAPS_H
#define ZVM_HWCAPS_H

#include <stddef.h>

struct zvm_hwcaps {
	unsigned isa_level;	/* highest x86-64-vN: 1 (baseline) .. 4 */
	const char *platform;	/* "x86_64", "haswell" or "xeon_phi";
				 * static string */
	int avx512_1;		/* the legacy "avx512_1" capability */
};

/*
 * Fill hw the way glibc 2.36 does from cpuid on this CPU ("haswell" and
 * "xeon_phi" only on Intel CPUs with those features).  On another
 * architecture: the x86-64 baseline.
 */
void zvm_hwcaps_host(struct zvm_hwcaps *hw);

/*
 * Subdirectories ld.so tries in every search directory, in its order,
 * each ending in '/', the last one "" (the directory itself).  Returns
 * the count (at most ZVM_HWCAPS_MAXSUB) and fills sub[] with strings
 * written into buf (borrowed: valid while buf is).
 */
#define ZVM_HWCAPS_MAXSUB 40
size_t zvm_hwcaps_subdirs(const struct zvm_hwcaps *hw, const char *sub[],
    char *buf, size_t bufsize);

#endif
