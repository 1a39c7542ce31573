/* SPDX-License-Identifier: ISC */
/*
 * hwcaps - the CPU facts glibc 2.36's ld.so reads with cpuid on x86-64
 * (sysdeps/x86/cpu-features.c, elf/dl-hwcaps.c), and the subdirectories
 * of each search directory they make it try.  cpuid is read only by
 * zvm_hwcaps_host(); everything else takes the facts as a value, so tests
 * can ask what another CPU would load.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "load/hwcaps.h"

/*
 * cpuid as sysdeps/x86/cpu-features.c reads it: a feature counts when the
 * CPU has it and, for AVX and AVX-512, the OS saves the registers.
 */
void
zvm_hwcaps_host(struct zvm_hwcaps *hw)
{
	hw->isa_level = 1;
	hw->platform = "x86_64";
	hw->avx512_1 = 0;
#if defined(__x86_64__)
	unsigned a, b, c, d, c1, b7 = 0, c7 = 0, ce = 0, max;
	uint64_t xcr0 = 0;
	char vendor[13];
	int avx, avx512;

	if ((max = (unsigned)__get_cpuid_max(0, NULL)) == 0)
		return;
	__cpuid(0, a, b, c, d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	__cpuid(1, a, b, c1, d);
	if (max >= 7)
		__cpuid_count(7, 0, a, b7, c7, d);
	if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000001u)
		__cpuid(0x80000001, a, b, ce, d);
	if (c1 & (1u << 27)) {		/* OSXSAVE */
		unsigned lo, hi;

		__asm__ volatile ("xgetbv" : "=a" (lo), "=d" (hi) : "c" (0));
		xcr0 = (uint64_t)hi << 32 | lo;
	}
	avx = (c1 & (1u << 28)) && (xcr0 & 6) == 6;
	avx512 = avx && (xcr0 & 0xe0) == 0xe0 && (b7 & (1u << 16));
#define HAS(reg, bit) (((reg) >> (bit)) & 1u)
	int v2 = HAS(c1, 13) && HAS(ce, 0) && HAS(c1, 23) && HAS(c1, 0) &&
	    HAS(c1, 19) && HAS(c1, 20) && HAS(c1, 9);
	int haswellish = avx && HAS(b7, 5) && HAS(c1, 12) && HAS(b7, 3) &&
	    HAS(b7, 8) && HAS(ce, 5) && HAS(c1, 22) && HAS(c1, 23);
	int v3 = v2 && haswellish && HAS(c1, 29);
	int v4 = v3 && avx512 && HAS(b7, 30) && HAS(b7, 28) && HAS(b7, 17) &&
	    HAS(b7, 31);

	hw->isa_level = v4 ? 4 : v3 ? 3 : v2 ? 2 : 1;
	if (strcmp(vendor, "GenuineIntel") == 0) {
		const char *platform = NULL;

		if (avx512 && HAS(b7, 28)) {
			if (HAS(b7, 27)) {		/* AVX512ER */
				if (HAS(b7, 26))	/* AVX512PF */
					platform = "xeon_phi";
			} else if (HAS(b7, 30) && HAS(b7, 17) && HAS(b7, 31))
				hw->avx512_1 = 1;
		}
		if (platform == NULL && haswellish)
			platform = "haswell";
		if (platform)
			hw->platform = platform;
	}
#undef HAS
#endif
}

size_t
zvm_hwcaps_subdirs(const struct zvm_hwcaps *hw, const char *sub[],
    char *buf, size_t bufsize)
{
	const char *comp[4];
	size_t n = 0, cnt = 0, used = 0;

	/* glibc-hwcaps: the supported levels, best first. */
	for (unsigned v = hw->isa_level; v >= 2 && v <= 4; v--) {
		int w = snprintf(buf + used, bufsize - used,
		    "glibc-hwcaps/x86-64-v%u/", v);

		if (w < 0 || (size_t)w >= bufsize - used)
			return n;
		sub[n++] = buf + used;
		used += (size_t)w + 1;
	}
	/*
	 * Legacy hwcaps (removed in glibc 2.37): every subset of the
	 * hwcap names, the platform and "tls", largest first, each written
	 * from "tls" down to the lowest hwcap bit.
	 */
	comp[cnt++] = "x86_64";
	if (hw->avx512_1)
		comp[cnt++] = "avx512_1";
	comp[cnt++] = hw->platform;
	comp[cnt++] = "tls";
	for (unsigned m = (1u << cnt); m-- > 0;) {
		size_t start = used;
		int dup = 0;

		for (size_t k = cnt; k-- > 0;) {
			size_t l = strlen(comp[k]);

			if (!(m & (1u << k)))
				continue;
			if (used + l + 2 > bufsize)
				return n;
			memcpy(buf + used, comp[k], l);
			used += l;
			buf[used++] = '/';
		}
		if (used + 1 > bufsize || n == ZVM_HWCAPS_MAXSUB)
			return n;
		buf[used++] = '\0';
		for (size_t j = 0; j < n; j++)
			if (strcmp(sub[j], buf + start) == 0)
				dup = 1;
		if (dup)
			used = start;
		else
			sub[n++] = buf + start;
	}
	return n;
}
