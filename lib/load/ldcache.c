/* SPDX-License-Identifier: ISC */
/*
 * ldcache - /etc/ld.so.cache as glibc 2.36's elf/dl-cache.c reads it:
 * the header checks that make ld.so ignore a file, the extension section
 * that carries the glibc-hwcaps subdirectory names, and the binary search
 * over ldconfig's decreasing order with ld.so's choice among entries of
 * one name.  Every offset is checked against the buffer before use.
 */
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "load/ldcache.h"

/* elf/dl-cache.h and sysdeps/x86 */
#define CACHE_OLD	"ld.so-1.7.0"
#define CACHE_NEW	"glibc-ld.so.cache1.1"
#define CACHE_DEFAULT_ID	0x0303	/* FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 */
#define CACHE_EXT_MAGIC	0xeaa42174u
#define CACHE_EXT_HWCAPS	1
#define HWCAP_EXTENSION	(UINT64_C(1) << 62)
#define HWCAP_ISA_MASK	0x3ffu
#define HWCAP_X86_64	(UINT64_C(1) << 1)
#define HWCAP_AVX512_1	(UINT64_C(1) << 2)
#define HWCAP_PLATFORMS	(UINT64_C(0xf) << 32)	/* i586 i686 haswell xeon_phi */
#define HWCAP_TLS	(UINT64_C(1) << 63)

int
zvm_ldcache_cmp(const char *p1, const char *p2)
{
	while (*p1 != '\0') {
		if (*p1 >= '0' && *p1 <= '9') {
			unsigned long v1, v2;

			if (!(*p2 >= '0' && *p2 <= '9'))
				return 1;
			v1 = (unsigned long)(*p1++ - '0');
			v2 = (unsigned long)(*p2++ - '0');
			while (*p1 >= '0' && *p1 <= '9')
				v1 = v1 * 10 + (unsigned long)(*p1++ - '0');
			while (*p2 >= '0' && *p2 <= '9')
				v2 = v2 * 10 + (unsigned long)(*p2++ - '0');
			if (v1 != v2)
				return v1 < v2 ? -1 : 1;
		} else if (*p2 >= '0' && *p2 <= '9')
			return -1;
		else if (*p1 != *p2)
			return (unsigned char)*p1 - (unsigned char)*p2;
		else {
			p1++;
			p2++;
		}
	}
	return -(int)(unsigned char)*p2;
}

/* The extensions of a new-format cache (cache_extension_load()). */
static int
cache_ext(struct zvm_ldcache *c, uint32_t extoff)
{
	uint32_t count;

	if (extoff == 0)
		return 0;
	if (extoff % 4 != 0 || !zvm_inside(c->len, extoff, 8) ||
	    zvm_rd32(c->buf + extoff) != CACHE_EXT_MAGIC)
		return -1;
	count = zvm_rd32(c->buf + extoff + 4);
	if (!zvm_inside(c->len, (uint64_t)extoff + 8, (uint64_t)count * 16))
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *s = c->buf + extoff + 8 + (size_t)i * 16;
		uint32_t off = zvm_rd32(s + 8), size = zvm_rd32(s + 12);

		if (!zvm_inside(c->len, off, size))
			return -1;
		if (zvm_rd32(s) == CACHE_EXT_HWCAPS) {
			c->hwcaps = c->buf + off;
			c->nhwcaps = size / 4;
		}
	}
	return 0;
}

/* The new format at off; -1 when absent, -2 when ld.so rejects it. */
static int
cache_new(struct zvm_ldcache *c, size_t off)
{
	const unsigned char *h = c->buf + off;
	uint32_t nlibs;

	if (!zvm_inside(c->len, off, 48) || memcmp(h, CACHE_NEW, 20) != 0)
		return -1;
	nlibs = zvm_rd32(h + 20);
	/* flags: endianness 0 (unset) or 2 (little) match this machine */
	if ((h[28] & 3) != 0 && (h[28] & 3) != 2)
		return -2;
	if ((c->len - off - 48) / 24 < nlibs)
		return -2;
	c->entries = off + 48;
	c->nlibs = nlibs;
	c->entry_size = 24;
	c->strings = off;
	c->hwcaps = NULL;
	c->nhwcaps = 0;
	/* A bad extension section disables glibc-hwcaps entries only. */
	if (cache_ext(c, zvm_rd32(h + 32)) == -1) {
		c->hwcaps = NULL;
		c->nhwcaps = 0;
	}
	return 0;
}

int
zvm_ldcache_parse(const void *buf, size_t len, struct zvm_ldcache *c,
    struct zvm_error *e)
{
	memset(c, 0, sizeof *c);
	c->buf = buf;
	c->len = len;
	if (len > 48 && memcmp(buf, CACHE_NEW, 20) == 0) {
		if (cache_new(c, 0) == 0)
			return 0;
	} else if (len > 16 && memcmp(buf, CACHE_OLD, 11) == 0) {
		uint32_t nlibs = zvm_rd32(c->buf + 12);
		size_t off;

		if ((len - 16) / 12 >= nlibs) {
			/* ALIGN_CACHE: the new header is 8-byte aligned. */
			off = (16 + (size_t)nlibs * 12 + 7) & ~(size_t)7;
			switch (cache_new(c, off)) {
			case 0:
				return 0;
			case -1:
				c->entries = 16;
				c->nlibs = nlibs;
				c->entry_size = 12;
				c->strings = 16 + (size_t)nlibs * 12;
				return 0;
			}
		}
	}
	memset(c, 0, sizeof *c);
	zvm_error_set(e, ZVM_E_SYNTAX, NULL, 0, "not a cache ld.so reads");
	return -1;
}

/* A string of the cache: index i from c->strings, NUL-terminated. */
static const char *
cache_str(const struct zvm_ldcache *c, uint32_t i)
{
	return zvm_str_in(c->buf, c->len, (uint64_t)c->strings + i);
}

/*
 * Priority of glibc-hwcaps section entry idx: the merge of
 * glibc_hwcaps_priorities_init() between the section (sorted by ldconfig)
 * and the supported subdirectories sorted by name; 0 means unusable.
 */
static uint32_t
hwcaps_priority(const struct zvm_ldcache *c, uint32_t idx,
    const struct zvm_hwcaps *hw)
{
	char names[3][16];
	uint32_t prio[3], nr = 0, r = 0;
	int cmp = 0;

	if (idx >= c->nhwcaps)
		return 0;
	/* Active: v(isa_level) .. v2, priorities 1, 2, ...; sorted: v2 first. */
	for (unsigned v = 2; v <= hw->isa_level && v <= 4; v++) {
		snprintf(names[nr], sizeof names[nr], "x86-64-v%u", v);
		prio[nr++] = hw->isa_level - v + 1;
	}
	for (uint32_t l = 0; l < c->nhwcaps && r < nr; l++) {
		uint32_t off = zvm_rd32(c->hwcaps + (size_t)l * 4);
		const char *s = zvm_str_in(c->buf, c->len, off);

		if (s == NULL) {
			if (l == idx)
				return 0;
			continue;
		}
		while (r < nr && (cmp = strcmp(s, names[r])) > 0)
			r++;
		if (r == nr)
			break;
		if (cmp == 0) {
			if (l == idx)
				return prio[r];
			r++;
		} else if (l == idx)
			return 0;
	}
	return 0;
}

const char *
zvm_ldcache_lookup(const struct zvm_ldcache *c, const char *name,
    const struct zvm_hwcaps *hw)
{
	uint64_t dl_hwcap = HWCAP_X86_64 | (hw->avx512_1 ? HWCAP_AVX512_1 : 0);
	uint64_t exclude = ~(dl_hwcap | HWCAP_PLATFORMS | HWCAP_TLS);
	uint64_t platform = UINT64_MAX;
	uint32_t best_prio = 0;
	const char *best = NULL;
	long left = 0, right = (long)c->nlibs - 1;

	if (strcmp(hw->platform, "haswell") == 0)
		platform = UINT64_C(1) << 34;
	else if (strcmp(hw->platform, "xeon_phi") == 0)
		platform = UINT64_C(1) << 35;
#define ENTRY(i) (c->buf + c->entries + (size_t)(i) * c->entry_size)
	while (left <= right) {
		long mid = (left + right) / 2;
		const char *key = cache_str(c, zvm_rd32(ENTRY(mid) + 4));
		int cmp;

		if (key == NULL)
			return NULL;
		/* ldconfig sorts the entries in decreasing order. */
		if ((cmp = zvm_ldcache_cmp(name, key)) != 0) {
			if (cmp < 0)
				left = mid + 1;
			else
				right = mid - 1;
			continue;
		}
		/* The first entry of this name, then each in turn. */
		left = mid;
		while (mid > 0) {
			key = cache_str(c, zvm_rd32(ENTRY(mid - 1) + 4));
			if (key == NULL || zvm_ldcache_cmp(name, key) != 0)
				break;
			mid--;
		}
		for (; mid <= right; mid++) {
			const unsigned char *ent = ENTRY(mid);
			const char *value;
			int named = 0;

			if (mid > left && ((key = cache_str(c,
			    zvm_rd32(ent + 4))) == NULL ||
			    zvm_ldcache_cmp(name, key) != 0))
				break;
			if ((int32_t)zvm_rd32(ent) != CACHE_DEFAULT_ID ||
			    (value = cache_str(c, zvm_rd32(ent + 8))) == NULL)
				continue;
			if (c->entry_size == 24) {
				uint64_t hwcap = zvm_rd64(ent + 16);

				named = ((hwcap >> 32) & ~(uint64_t)HWCAP_ISA_MASK)
				    == (HWCAP_EXTENSION >> 32);
				if (named) {
					unsigned lv = (hwcap >> 32) & HWCAP_ISA_MASK;

					/* ISA level lv needs x86-64-v(lv+1). */
					if (lv >= hw->isa_level)
						continue;
				}
				if (!named && best != NULL)
					break;
				if (!named && (hwcap & exclude))
					continue;
				if ((hwcap & HWCAP_PLATFORMS) != 0 &&
				    (hwcap & HWCAP_PLATFORMS) != platform)
					continue;
				if (named) {
					uint32_t p = hwcaps_priority(c,
					    (uint32_t)hwcap, hw);

					if (p == 0 || (best && p >= best_prio))
						continue;
					best_prio = p;
				}
			}
			best = value;
			if (!named)
				break;
		}
		break;
	}
#undef ENTRY
	return best;
}
