/* SPDX-License-Identifier: ISC */
/*
 * elf - dependency discovery as glibc 2.36's ld.so does it on x86-64,
 * by reading files only.  Files are mapped read-only and every field is
 * checked against the mapping before use; whatever a library's strings
 * are needed for later is copied out, so one file is mapped at a time.
 * The search follows elf/dl-load.c: names already loaded (path, requested
 * names, DT_SONAME) are not searched again, then the RPATH chain of the
 * loader (unless it has a RUNPATH), LD_LIBRARY_PATH, the loader's
 * RUNPATH, the cache (elf/dl-cache.c), the default directories; every
 * directory with the hwcaps subdirectories first (elf/dl-hwcaps.c).
 * Dependencies are loaded breadth first, as _dl_map_object_deps does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "elf.h"
#include "path.h"

#define EHDR_SIZE	64
#define PHDR_SIZE	56
#define DYN_SIZE	16
#define EM_X86_64	62
#define ET_EXEC		2
#define ET_DYN		3
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define DT_NULL		0
#define DT_NEEDED	1
#define DT_STRTAB	5
#define DT_STRSZ	10
#define DT_SONAME	14
#define DT_RPATH	15
#define DT_RUNPATH	29
#define DT_FLAGS_1	0x6ffffffb
#define DF_1_NODEFLIB	0x800

/* ld.so.cache, elf/dl-cache.h and sysdeps/x86 */
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

#define DEFAULT_DIRS \
    "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib"

static uint16_t
rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static uint64_t
rd64(const unsigned char *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

/* Is [off, off + n) inside a buffer of len bytes? */
static int
inside(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/* The NUL-terminated string at off in [0, end) of b, or NULL. */
static const char *
str_in(const unsigned char *b, uint64_t end, uint64_t off)
{
	if (off >= end)
		return NULL;
	return memchr(b + off, '\0', end - off) ? (const char *)b + off : NULL;
}

static int
bad(struct zvm_error *e, const char *what)
{
	zvm_error_set(e, ZVM_E_SYNTAX, NULL, 0, "%s", what);
	return -1;
}

/* The file offset of the bytes at virtual address a, and how many of them
 * the PT_LOAD segment holding it has in the file; -1 when none has. */
static int
vaddr_off(const unsigned char *b, size_t len, uint64_t phoff, unsigned phnum,
    uint64_t a, uint64_t *off, uint64_t *avail)
{
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = b + phoff + (uint64_t)i * PHDR_SIZE;
		uint64_t o = rd64(ph + 8), va = rd64(ph + 16);
		uint64_t fsz = rd64(ph + 32);

		if (rd32(ph) != PT_LOAD || a < va || a - va >= fsz ||
		    !inside(len, o, fsz))
			continue;
		*off = o + (a - va);
		*avail = fsz - (a - va);
		return 0;
	}
	return -1;
}

/* The ELF header checks of ld.so's open_verify(), in its order. */
static int
ident(const unsigned char *b, size_t len, struct zvm_elf *elf,
    struct zvm_error *e)
{
	if (len < 4 || memcmp(b, "\177ELF", 4) != 0) {
		elf->kind = ZVM_ELF_NOTELF;
		elf->script = len >= 2 && b[0] == '#' && b[1] == '!';
		return 0;
	}
	if (len < EHDR_SIZE)
		return bad(e, "file too short");
	if (b[4] != 2) {
		elf->kind = ZVM_ELF_FOREIGN;
		elf->foreign_class = 1;
		return 0;
	}
	if (b[5] != 1)
		return bad(e, "ELF file data encoding not little-endian");
	if (b[6] != 1)
		return bad(e, "ELF file version ident does not match current "
		    "one");
	/* ELFOSABI_SYSV with ABI version 0, or ELFOSABI_GNU below 4. */
	if (b[7] != 0 && b[7] != 3)
		return bad(e, "ELF file OS ABI invalid");
	if (b[8] != 0 && !(b[7] == 3 && b[8] < 4))
		return bad(e, "ELF file ABI version invalid");
	for (int i = 9; i < 16; i++)
		if (b[i] != 0)
			return bad(e, "nonzero padding in e_ident");
	if (rd32(b + 20) != 1)
		return bad(e, "ELF file version does not match current one");
	if (rd16(b + 18) != EM_X86_64) {
		elf->kind = ZVM_ELF_FOREIGN;
		return 0;
	}
	elf->type = rd16(b + 16);
	if (elf->type != ET_DYN && elf->type != ET_EXEC)
		return bad(e, "only ET_DYN and ET_EXEC can be loaded");
	if (rd16(b + 54) != PHDR_SIZE)
		return bad(e, "ELF file's phentsize not the expected size");
	elf->kind = ZVM_ELF_NATIVE;
	return 0;
}

/* PT_DYNAMIC at [doff, doff + dsz): DT_NEEDED and the path entries. */
static int
dynamic(const unsigned char *b, size_t len, uint64_t phoff, unsigned phnum,
    uint64_t doff, uint64_t dsz, struct zvm_elf *elf, struct zvm_error *e)
{
	uint64_t strtab = 0, strsz = 0, stroff, avail;
	uint64_t soname = 0, rpath = 0, runpath = 0, nneeded = 0;
	int has_strtab = 0, has_soname = 0, has_rpath = 0, has_runpath = 0;
	size_t n = (size_t)(dsz / DYN_SIZE), i, k;

	for (i = 0; i < n; i++) {
		const unsigned char *d = b + doff + i * DYN_SIZE;
		uint64_t tag = rd64(d), val = rd64(d + 8);

		if (tag == DT_NULL)
			break;
		switch (tag) {
		case DT_NEEDED:
			nneeded++;
			break;
		case DT_STRTAB:
			strtab = val;
			has_strtab = 1;
			break;
		case DT_STRSZ:
			strsz = val;
			break;
		case DT_SONAME:
			soname = val;
			has_soname = 1;
			break;
		case DT_RPATH:
			rpath = val;
			has_rpath = 1;
			break;
		case DT_RUNPATH:
			runpath = val;
			has_runpath = 1;
			break;
		case DT_FLAGS_1:
			elf->flags_1 = val;
			break;
		}
	}
	n = i;
	if (!has_strtab) {
		if (nneeded || has_soname || has_rpath || has_runpath)
			return bad(e, "dynamic section without DT_STRTAB");
		return 0;
	}
	if (vaddr_off(b, len, phoff, phnum, strtab, &stroff, &avail) == -1)
		return bad(e, "DT_STRTAB outside the file");
	/* Strings end at DT_STRSZ or at the end of the segment's bytes. */
	if (strsz < avail)
		avail = strsz;
#define STR(v, out) do {						\
	if (((out) = str_in(b + stroff, avail, (v))) == NULL)		\
		return bad(e, "dynamic string outside DT_STRTAB");	\
} while (0)
	if (has_soname)
		STR(soname, elf->soname);
	if (has_runpath)
		STR(runpath, elf->runpath);
	/* get-dynamic-info.h: a DT_RUNPATH makes ld.so ignore DT_RPATH. */
	else if (has_rpath)
		STR(rpath, elf->rpath);
	if (nneeded == 0)
		return 0;
	if ((elf->needed = calloc(nneeded, sizeof *elf->needed)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	for (i = 0, k = 0; i < n; i++) {
		const unsigned char *d = b + doff + i * DYN_SIZE;

		if (rd64(d) == DT_NEEDED)
			STR(rd64(d + 8), elf->needed[k++]);
		elf->nneeded = k;
	}
#undef STR
	return 0;
}

int
zvm_elf_parse(const void *buf, size_t len, struct zvm_elf *elf,
    struct zvm_error *e)
{
	const unsigned char *b = buf;
	uint64_t phoff, doff = 0, dsz = 0;
	unsigned phnum;
	int has_dyn = 0;

	*elf = (struct zvm_elf)ZVM_ELF_INIT;
	if (ident(b, len, elf, e) == -1)
		return -1;
	if (elf->kind != ZVM_ELF_NATIVE)
		return 0;
	phoff = rd64(b + 32);
	phnum = rd16(b + 56);
	if (!inside(len, phoff, (uint64_t)phnum * PHDR_SIZE))
		return bad(e, "program headers outside the file");
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = b + phoff + (uint64_t)i * PHDR_SIZE;
		uint64_t off = rd64(ph + 8), fsz = rd64(ph + 32);

		switch (rd32(ph)) {
		case PT_INTERP:
			/* The kernel wants the last byte to be the NUL. */
			if (!inside(len, off, fsz) || fsz < 2 ||
			    b[off + fsz - 1] != '\0')
				return bad(e, "malformed PT_INTERP");
			elf->interp = (const char *)b + off;
			if (elf->interp[0] == '\0')
				return bad(e, "malformed PT_INTERP");
			break;
		case PT_DYNAMIC:
			if (!inside(len, off, fsz))
				return bad(e, "PT_DYNAMIC outside the file");
			doff = off;
			dsz = fsz;
			has_dyn = 1;
			break;
		}
	}
	elf->dynamic = has_dyn;
	if (has_dyn && dynamic(b, len, phoff, phnum, doff, dsz, elf, e) == -1) {
		zvm_elf_free(elf);
		return -1;
	}
	return 0;
}

void
zvm_elf_free(struct zvm_elf *elf)
{
	free(elf->needed);
	elf->needed = NULL;
	elf->nneeded = 0;
}

/*
 * cpuid as sysdeps/x86/cpu-features.c reads it: a feature counts when the
 * CPU has it and, for AVX and AVX-512, the OS saves the registers.
 */
void
zvm_elf_hwcaps_host(struct zvm_elf_hwcaps *hw)
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
zvm_elf_subdirs(const struct zvm_elf_hwcaps *hw, const char *sub[],
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
		if (used + 1 > bufsize || n == ZVM_ELF_MAXSUB)
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
	if (extoff % 4 != 0 || !inside(c->len, extoff, 8) ||
	    rd32(c->buf + extoff) != CACHE_EXT_MAGIC)
		return -1;
	count = rd32(c->buf + extoff + 4);
	if (!inside(c->len, (uint64_t)extoff + 8, (uint64_t)count * 16))
		return -1;
	for (uint32_t i = 0; i < count; i++) {
		const unsigned char *s = c->buf + extoff + 8 + (size_t)i * 16;
		uint32_t off = rd32(s + 8), size = rd32(s + 12);

		if (!inside(c->len, off, size))
			return -1;
		if (rd32(s) == CACHE_EXT_HWCAPS) {
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

	if (!inside(c->len, off, 48) || memcmp(h, CACHE_NEW, 20) != 0)
		return -1;
	nlibs = rd32(h + 20);
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
	if (cache_ext(c, rd32(h + 32)) == -1) {
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
		uint32_t nlibs = rd32(c->buf + 12);
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
	return str_in(c->buf, c->len, (uint64_t)c->strings + i);
}

/*
 * Priority of glibc-hwcaps section entry idx: the merge of
 * glibc_hwcaps_priorities_init() between the section (sorted by ldconfig)
 * and the supported subdirectories sorted by name; 0 means unusable.
 */
static uint32_t
hwcaps_priority(const struct zvm_ldcache *c, uint32_t idx,
    const struct zvm_elf_hwcaps *hw)
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
		uint32_t off = rd32(c->hwcaps + (size_t)l * 4);
		const char *s = str_in(c->buf, c->len, off);

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
    const struct zvm_elf_hwcaps *hw)
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
		const char *key = cache_str(c, rd32(ENTRY(mid) + 4));
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
			key = cache_str(c, rd32(ENTRY(mid - 1) + 4));
			if (key == NULL || zvm_ldcache_cmp(name, key) != 0)
				break;
			mid--;
		}
		for (; mid <= right; mid++) {
			const unsigned char *ent = ENTRY(mid);
			const char *value;
			int named = 0;

			if (mid > left && ((key = cache_str(c, rd32(ent + 4))) ==
			    NULL || zvm_ldcache_cmp(name, key) != 0))
				break;
			if ((int32_t)rd32(ent) != CACHE_DEFAULT_ID ||
			    (value = cache_str(c, rd32(ent + 8))) == NULL)
				continue;
			if (c->entry_size == 24) {
				uint64_t hwcap = rd64(ent + 16);

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

/*
 * The resolver.  One object per file ld.so has loaded: the program
 * (realname NULL), the loader, the libraries.
 */
struct obj {
	char *realname;		/* as ld.so names it; NULL: the program */
	char **names;		/* the names it was asked for */
	size_t nnames;
	char *soname, *rpath, *runpath, *origin;	/* origin NULL: unknown */
	char **needed;
	size_t nneeded;
	uint64_t flags_1;
	dev_t dev;
	ino_t ino;
	int has_id;
	size_t loader;		/* index; SIZE_MAX for the program */
};

struct dirs {
	char **v;		/* each ends in '/' (or is "") */
	size_t n;
};

struct ctx {
	struct zvm_elf_hwcaps hw;
	const char *sub[ZVM_ELF_MAXSUB];
	size_t nsub;
	char subbuf[1024];
	const char *program, *cachefile, *defdirs, *llp;
	struct obj *obj;
	size_t nobj, cap;
	struct dirs env, def;
	int cache_state;	/* 0 not opened yet, 1 parsed, -1 unusable */
	void *cache_map;
	size_t cache_len;
	struct zvm_ldcache cache;
	struct zvm_elf_deps *out;
	struct zvm_error *e;
};

static int
nomem(struct ctx *x)
{
	zvm_error_set(x->e, ZVM_E_NOMEM, NULL, 0, "out of memory");
	return -1;
}

static int
push_str(char ***v, size_t *n, const char *s)
{
	char **nv = reallocarray(*v, *n + 1, sizeof **v);

	if (nv == NULL)
		return -1;
	*v = nv;
	if ((nv[*n] = strdup(s)) == NULL)
		return -1;
	(*n)++;
	return 0;
}

static void
free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Map path read-only.  0, or -1 with errno (EINVAL: empty file). */
static int
map_file(const char *path, void **p, size_t *len, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), saved;

	if (fd == -1)
		return -1;
	if (fstat(fd, st) == -1)
		goto fail;
	if (S_ISDIR(st->st_mode)) {
		errno = EISDIR;
		goto fail;
	}
	if (st->st_size <= 0) {
		*p = NULL;
		*len = 0;
		close(fd);
		return 0;
	}
	*len = (size_t)st->st_size;
	if ((*p = mmap(NULL, *len, PROT_READ, MAP_PRIVATE, fd, 0)) ==
	    MAP_FAILED)
		goto fail;
	close(fd);
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

static void
unmap(void *p, size_t len)
{
	if (p && len)
		munmap(p, len);
}

/* Set e about file path (copied into out->bad so e->file stays valid). */
static int
file_error(struct ctx *x, int code, const char *path, const char *msg)
{
	int saved = errno;

	free(x->out->bad);
	if ((x->out->bad = strdup(path)) == NULL)
		return nomem(x);
	errno = saved;
	if (code == ZVM_E_SYS)
		zvm_error_set(x->e, code, x->out->bad, 0, "%s", "");
	else
		zvm_error_set(x->e, code, x->out->bad, 0, "%s", msg);
	return -1;
}

/*
 * _dl_dst_substitute(): $ORIGIN, $PLATFORM and $LIB (also in braces).
 * Returns a malloc'd string, "" when a known token has no value (ld.so
 * drops the entry), NULL on ENOMEM.
 */
static size_t
is_dst(const char *s, const char *ref)
{
	size_t n = strlen(ref);
	int curly = *s == '{';

	s += curly;
	if (strncmp(s, ref, n) != 0 || (curly && s[n] != '}') ||
	    (s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
	    (s[n] >= '0' && s[n] <= '9') || s[n] == '_')
		return 0;
	return curly ? n + 2 : n;
}

static char *
expand(const char *s, const char *origin, const char *platform)
{
	struct zvm_buf b = ZVM_BUF_INIT;

	while (*s) {
		const char *repl = NULL;
		size_t n = 0;

		if (*s != '$') {
			zvm_buf_addc(&b, *s++);
			continue;
		}
		s++;
		if ((n = is_dst(s, "ORIGIN")) != 0)
			repl = origin;
		else if ((n = is_dst(s, "PLATFORM")) != 0)
			repl = platform;
		else if ((n = is_dst(s, "LIB")) != 0)
			repl = ZVM_ELF_DST_LIB;
		if (repl) {
			zvm_buf_adds(&b, repl);
			s += n;
		} else if (n) {
			zvm_buf_free(&b);
			return strdup("");
		} else
			zvm_buf_addc(&b, '$');
	}
	zvm_buf_addc(&b, '\0');
	if (b.oom) {
		zvm_buf_free(&b);
		return NULL;
	}
	return b.p;
}

/* fillin_rpath(): split list at any of sep, expand, tidy the slashes. */
static int
make_dirs(const char *list, const char *sep, const char *origin,
    const char *platform, struct dirs *d)
{
	const char *s = list;

	for (;;) {
		size_t n = strcspn(s, sep);
		char *el = strndup(s, n), *dir = NULL;

		if (el == NULL)
			return -1;
		if (n == 0)
			dir = el;	/* "" : the current directory */
		else {
			size_t len;

			dir = expand(el, origin, platform);
			free(el);
			if (dir == NULL)
				return -1;
			if ((len = strlen(dir)) == 0) {
				free(dir);
				dir = NULL;
			} else {
				char *t;

				while (len > 1 && dir[len - 1] == '/')
					len--;
				if ((t = malloc(len + 2)) == NULL) {
					free(dir);
					return -1;
				}
				memcpy(t, dir, len);
				if (dir[len - 1] != '/')
					t[len++] = '/';
				t[len] = '\0';
				free(dir);
				dir = t;
			}
		}
		if (dir) {
			int dup = 0;

			for (size_t i = 0; i < d->n; i++)
				dup |= strcmp(d->v[i], dir) == 0;
			if (!dup) {
				char **v = reallocarray(d->v, d->n + 1,
				    sizeof *v);

				if (v == NULL) {
					free(dir);
					return -1;
				}
				d->v = v;
				d->v[d->n++] = dir;
			} else
				free(dir);
		}
		if (s[n] == '\0')
			return 0;
		s += n + 1;
	}
}

static void
free_dirs(struct dirs *d)
{
	free_strs(d->v, d->n);
	d->v = NULL;
	d->n = 0;
}

/* _dl_new_object(): the directory of realname, relative ones from "/". */
static char *
origin_of(const char *realname)
{
	char *o, *slash;

	if (asprintf(&o, "%s%s", realname[0] == '/' ? "" : "/", realname) ==
	    -1)
		return NULL;
	slash = strrchr(o, '/');
	slash[slash == o] = '\0';	/* "/foo" keeps its "/" */
	return o;
}

static struct obj *
new_obj(struct ctx *x)
{
	struct obj *o;

	if (x->nobj == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;
		struct obj *v = reallocarray(x->obj, cap, sizeof *v);

		if (v == NULL)
			return NULL;
		x->obj = v;
		x->cap = cap;
	}
	o = &x->obj[x->nobj++];
	memset(o, 0, sizeof *o);
	o->loader = SIZE_MAX;
	return o;
}

static void
free_obj(struct obj *o)
{
	free(o->realname);
	free_strs(o->names, o->nnames);
	free(o->soname);
	free(o->rpath);
	free(o->runpath);
	free(o->origin);
	free_strs(o->needed, o->nneeded);
}

/* Copy what the search needs from a parsed file into o. */
static int
fill_obj(struct obj *o, const struct zvm_elf *elf)
{
	if ((elf->soname && (o->soname = strdup(elf->soname)) == NULL) ||
	    (elf->rpath && elf->rpath[0] &&
	    (o->rpath = strdup(elf->rpath)) == NULL) ||
	    (elf->runpath && elf->runpath[0] &&
	    (o->runpath = strdup(elf->runpath)) == NULL))
		return -1;
	o->flags_1 = elf->flags_1;
	for (size_t i = 0; i < elf->nneeded; i++)
		if (push_str(&o->needed, &o->nneeded, elf->needed[i]) == -1)
			return -1;
	return 0;
}

/* _dl_map_object()'s first loop: an object that answers to name. */
static struct obj *
loaded(struct ctx *x, const char *name)
{
	for (size_t i = 0; i < x->nobj; i++) {
		struct obj *o = &x->obj[i];

		if ((o->realname && strcmp(o->realname, name) == 0) ||
		    (o->soname && strcmp(o->soname, name) == 0))
			return o;
		for (size_t k = 0; k < o->nnames; k++)
			if (strcmp(o->names[k], name) == 0)
				return o;
	}
	return NULL;
}

/* Record a file ld.so opens, once per alias. */
static int
add_file(struct ctx *x, struct zvm_elf_file *f, const char *path,
    const char *name)
{
	f->alias = zvm_path_lexical(path);
	f->uri = zvm_path_abs("/", path);
	f->name = name ? strdup(name) : NULL;
	if (f->alias == NULL || f->uri == NULL || (name && f->name == NULL))
		return nomem(x);
	return 0;
}

static int
seen_alias(const struct zvm_elf_deps *d, const char *alias)
{
	if ((d->interp.alias && strcmp(d->interp.alias, alias) == 0) ||
	    (d->cache.alias && strcmp(d->cache.alias, alias) == 0))
		return 1;
	for (size_t i = 0; i < d->nlib; i++)
		if (strcmp(d->lib[i].alias, alias) == 0)
			return 1;
	return 0;
}

static int
add_lib(struct ctx *x, const char *path, const char *name)
{
	struct zvm_elf_deps *d = x->out;
	struct zvm_elf_file f = { 0 }, *v;
	char *alias = zvm_path_lexical(path);

	if (alias == NULL)
		return nomem(x);
	if (seen_alias(d, alias)) {
		free(alias);
		return 0;
	}
	free(alias);
	if ((v = reallocarray(d->lib, d->nlib + 1, sizeof *v)) == NULL)
		return nomem(x);
	d->lib = v;
	if (add_file(x, &f, path, name) == -1) {
		free(f.alias);
		free(f.uri);
		free(f.name);
		return -1;
	}
	d->lib[d->nlib++] = f;
	return 0;
}

/*
 * open_verify() on one candidate path: 1 and a new (or matching) object
 * when ld.so takes it, 0 when it goes on searching (missing, EACCES,
 * another class or machine), -1 on an error that stops ld.so.
 */
static int
try_path(struct ctx *x, const char *path, const char *name, size_t loader,
    int must_dyn)
{
	struct zvm_elf elf;
	struct zvm_error pe;
	struct stat st;
	struct obj *o;
	size_t len = 0;
	void *map = NULL;
	char *host;
	int rc;

	if ((host = zvm_path_abs("/", path)) == NULL)
		return nomem(x);
	rc = map_file(host, &map, &len, &st);
	free(host);
	if (rc == -1) {
		if (errno == ENOENT || errno == ENOTDIR || errno == EACCES ||
		    errno == ENAMETOOLONG || errno == ELOOP)
			return 0;
		if (errno == ENOMEM)
			return nomem(x);
		return file_error(x, ZVM_E_SYS, path, NULL);
	}
	if (zvm_elf_parse(map, len, &elf, &pe) == -1) {
		unmap(map, len);
		if (pe.code == ZVM_E_NOMEM)
			return nomem(x);
		return file_error(x, ZVM_E_SYNTAX, path, pe.msg);
	}
	if (elf.kind == ZVM_ELF_FOREIGN) {
		unmap(map, len);
		return 0;
	}
	if (elf.kind == ZVM_ELF_NOTELF) {
		unmap(map, len);
		return file_error(x, ZVM_E_SYNTAX, path, len < EHDR_SIZE ?
		    "file too short" : "invalid ELF header");
	}
	if (must_dyn && elf.type != ET_DYN) {
		zvm_elf_free(&elf);
		unmap(map, len);
		return file_error(x, ZVM_E_VALUE, path,
		    "cannot dynamically load executable");
	}
	if (add_lib(x, path, name) == -1)
		goto fail;
	/* _dl_map_object_from_fd(): the same file loaded under another name. */
	for (size_t i = 0; i < x->nobj; i++) {
		o = &x->obj[i];
		if (o->has_id && o->dev == st.st_dev && o->ino == st.st_ino) {
			zvm_elf_free(&elf);
			unmap(map, len);
			if (push_str(&o->names, &o->nnames, name) == -1)
				return nomem(x);
			return 1;
		}
	}
	if ((o = new_obj(x)) == NULL)
		goto fail;
	o->loader = loader;
	o->dev = st.st_dev;
	o->ino = st.st_ino;
	o->has_id = 1;
	if ((o->realname = strdup(path)) == NULL ||
	    push_str(&o->names, &o->nnames, name) == -1 ||
	    (o->origin = origin_of(path)) == NULL || fill_obj(o, &elf) == -1)
		goto fail;
	zvm_elf_free(&elf);
	unmap(map, len);
	return 1;
fail:
	zvm_elf_free(&elf);
	unmap(map, len);
	return x->e->code == ZVM_E_OK ? nomem(x) : -1;
}

/* open_path(): every directory, every subdirectory, in order. */
static int
search_dirs(struct ctx *x, const struct dirs *d, const char *name,
    size_t loader)
{
	for (size_t i = 0; i < d->n; i++)
		for (size_t s = 0; s < x->nsub; s++) {
			char *p;
			int rc;

			if (asprintf(&p, "%s%s%s", d->v[i], x->sub[s], name) ==
			    -1)
				return nomem(x);
			rc = try_path(x, p, name, loader, 1);
			free(p);
			if (rc != 0)
				return rc;
		}
	return 0;
}

/* Search an object's RPATH or RUNPATH list, expanded with its origin. */
static int
search_list(struct ctx *x, size_t owner, const char *list, const char *name,
    size_t loader)
{
	struct dirs d = { 0 };
	int rc;

	if (make_dirs(list, ":", x->obj[owner].origin, x->hw.platform,
	    &d) == -1) {
		free_dirs(&d);
		return nomem(x);
	}
	rc = search_dirs(x, &d, name, loader);
	free_dirs(&d);
	return rc;
}

/* The cache, opened by the first lookup that reaches it. */
static const char *
cache_lookup(struct ctx *x, const char *name)
{
	if (x->cache_state == 0) {
		struct zvm_error pe;
		struct stat st;

		x->cache_state = -1;
		if (map_file(x->cachefile, &x->cache_map, &x->cache_len,
		    &st) == -1)
			return NULL;
		/* ld.so opened it: the program needs the channel. */
		if (add_file(x, &x->out->cache, ZVM_ELF_LDCACHE, NULL) == -1)
			return NULL;
		free(x->out->cache.uri);
		if ((x->out->cache.uri = strdup(x->cachefile)) == NULL) {
			nomem(x);
			return NULL;
		}
		if (zvm_ldcache_parse(x->cache_map, x->cache_len, &x->cache,
		    &pe) == 0)
			x->cache_state = 1;
	}
	return x->cache_state == 1 ?
	    zvm_ldcache_lookup(&x->cache, name, &x->hw) : NULL;
}

/* An entry in one of the default directories (DF_1_NODEFLIB drops it). */
static int
in_default_dir(const struct ctx *x, const char *path)
{
	for (size_t i = 0; i < x->def.n; i++)
		if (strncmp(path, x->def.v[i], strlen(x->def.v[i])) == 0)
			return 1;
	return 0;
}

static int
missing(struct ctx *x, const char *name, size_t by)
{
	struct zvm_elf_deps *d = x->out;
	struct zvm_elf_missing *v, m;
	const char *who = x->obj[by].realname ? x->obj[by].realname :
	    x->program;

	if ((v = reallocarray(d->missing, d->nmissing + 1, sizeof *v)) == NULL)
		return nomem(x);
	d->missing = v;
	m.name = strdup(name);
	m.needed_by = strdup(who);
	if (m.name == NULL || m.needed_by == NULL) {
		free(m.name);
		free(m.needed_by);
		return nomem(x);
	}
	d->missing[d->nmissing++] = m;
	return 0;
}

/* _dl_map_object() for name, needed by object `by`. */
static int
map_object(struct ctx *x, size_t by, const char *name)
{
	struct obj *l = &x->obj[by];
	const char *cached;
	int rc;

	/* The program answers to "" (its l_name), as in rtld.c. */
	if (*name == '\0' || loaded(x, name))
		return 0;
	if (strchr(name, '/')) {
		char *p = expand(name, l->origin, x->hw.platform);

		if (p == NULL)
			return nomem(x);
		rc = *p ? try_path(x, p, name, by, 1) : 0;
		free(p);
		return rc != 0 ? (rc == 1 ? 0 : -1) : missing(x, name, by);
	}
	rc = 0;
	if (l->runpath == NULL) {
		int did_main = 0;

		for (size_t i = by; rc == 0 && i != SIZE_MAX;
		    i = x->obj[i].loader) {
			if (x->obj[i].rpath == NULL)
				continue;
			rc = search_list(x, i, x->obj[i].rpath, name, by);
			did_main |= i == 0;
		}
		if (rc == 0 && !did_main && x->obj[0].rpath)
			rc = search_list(x, 0, x->obj[0].rpath, name, by);
	}
	if (rc == 0)
		rc = search_dirs(x, &x->env, name, by);
	l = &x->obj[by];
	if (rc == 0 && l->runpath)
		rc = search_list(x, by, l->runpath, name, by);
	if (rc == 0) {
		cached = cache_lookup(x, name);
		if (x->e->code != ZVM_E_OK)
			return -1;
		l = &x->obj[by];
		if (cached && !((l->flags_1 & DF_1_NODEFLIB) &&
		    in_default_dir(x, cached))) {
			char *p = strdup(cached);

			if (p == NULL)
				return nomem(x);
			rc = try_path(x, p, name, by, 1);
			free(p);
		}
	}
	l = &x->obj[by];
	if (rc == 0 && !(l->flags_1 & DF_1_NODEFLIB))
		rc = search_dirs(x, &x->def, name, by);
	if (rc == 0)
		return missing(x, name, by);
	return rc == 1 ? 0 : -1;
}

/* The loader as the kernel maps it: its path and DT_SONAME answer. */
static int
load_interp(struct ctx *x, const char *interp)
{
	struct zvm_elf elf;
	struct zvm_error pe;
	struct stat st;
	struct obj *o;
	size_t len = 0;
	void *map = NULL;
	int rc = -1;

	if (add_file(x, &x->out->interp, interp, NULL) == -1)
		return -1;
	if (map_file(x->out->interp.uri, &map, &len, &st) == -1) {
		if (errno == ENOMEM)
			return nomem(x);
		return file_error(x, ZVM_E_SYS, interp, NULL);
	}
	if (zvm_elf_parse(map, len, &elf, &pe) == -1) {
		unmap(map, len);
		if (pe.code == ZVM_E_NOMEM)
			return nomem(x);
		return file_error(x, ZVM_E_SYNTAX, interp, pe.msg);
	}
	if (elf.kind != ZVM_ELF_NATIVE) {
		unmap(map, len);
		return file_error(x, ZVM_E_VALUE, interp,
		    "the loader is not an x86-64 ELF64 file");
	}
	if ((o = new_obj(x)) == NULL || (o->realname = strdup(interp)) ==
	    NULL || push_str(&o->names, &o->nnames, interp) == -1 ||
	    (elf.soname && (o->soname = strdup(elf.soname)) == NULL))
		nomem(x);
	else
		rc = 0;
	zvm_elf_free(&elf);
	unmap(map, len);
	return rc;
}

static int
resolve(struct ctx *x, const char *program, const struct zvm_elf *elf)
{
	struct obj *main_obj;
	char *real;

	if ((main_obj = new_obj(x)) == NULL || fill_obj(main_obj, elf) == -1)
		return nomem(x);
	/* _dl_get_origin(): the directory of /proc/self/exe. */
	if ((real = realpath(program, NULL)) != NULL) {
		main_obj->origin = origin_of(real);
		free(real);
		if (main_obj->origin == NULL)
			return nomem(x);
	}
	if (load_interp(x, elf->interp) == -1)
		return -1;
	if (make_dirs(x->defdirs, ":", NULL, x->hw.platform, &x->def) == -1)
		return nomem(x);
	/* _dl_init_paths(): LD_LIBRARY_PATH splits at ':' and ';'. */
	if (x->llp && *x->llp &&
	    make_dirs(x->llp, ":;", x->obj[0].origin,
	    x->hw.platform, &x->env) == -1)
		return nomem(x);
	/* Breadth first: objects are appended as they load. */
	for (size_t i = 0; i < x->nobj; i++)
		for (size_t k = 0; k < x->obj[i].nneeded; k++) {
			char *name = strdup(x->obj[i].needed[k]);
			int rc;

			if (name == NULL)
				return nomem(x);
			rc = map_object(x, i, name);
			free(name);
			if (rc == -1)
				return -1;
		}
	return 0;
}

int
zvm_elf_deps(const char *program, const struct zvm_elf_opts *opts,
    struct zvm_elf_deps *out, struct zvm_error *e)
{
	static const struct zvm_elf_opts none;
	struct ctx x = { 0 };
	struct zvm_elf elf = ZVM_ELF_INIT;
	struct zvm_error pe;
	struct stat st;
	size_t len = 0;
	void *map = NULL;
	int rc = -1;

	if (opts == NULL)
		opts = &none;
	*out = (struct zvm_elf_deps)ZVM_ELF_DEPS_INIT;
	e->code = ZVM_E_OK;
	x.out = out;
	x.e = e;
	x.cachefile = opts->cache ? opts->cache : ZVM_ELF_LDCACHE;
	x.defdirs = opts->default_dirs ? opts->default_dirs : DEFAULT_DIRS;
	if (opts->hw)
		x.hw = *opts->hw;
	else
		zvm_elf_hwcaps_host(&x.hw);
	x.nsub = zvm_elf_subdirs(&x.hw, x.sub, x.subbuf, sizeof x.subbuf);
	x.program = program;
	x.llp = opts->library_path;

	if (map_file(program, &map, &len, &st) == -1) {
		if (errno == ENOMEM)
			return nomem(&x);
		return file_error(&x, ZVM_E_SYS, program, NULL);
	}
	if (zvm_elf_parse(map, len, &elf, &pe) == -1) {
		if (pe.code == ZVM_E_NOMEM)
			nomem(&x);
		else
			file_error(&x, ZVM_E_SYNTAX, program, pe.msg);
		goto out;
	}
	if (elf.kind == ZVM_ELF_NOTELF && elf.script) {
		out->kind = ZVM_ELF_SCRIPT;
		rc = 0;
		goto out;
	}
	if (elf.kind != ZVM_ELF_NATIVE) {
		file_error(&x, ZVM_E_VALUE, program,
		    elf.kind == ZVM_ELF_FOREIGN ? "not an x86-64 ELF64 program" :
		    "neither an ELF program nor a #! script");
		goto out;
	}
	if (elf.interp == NULL) {
		out->kind = ZVM_ELF_STATIC;
		rc = 0;
		goto out;
	}
	out->kind = ZVM_ELF_DYNAMIC;
	if (resolve(&x, program, &elf) == -1)
		goto out;
	if (out->nmissing) {
		struct zvm_buf b = ZVM_BUF_INIT;

		for (size_t i = 0; i < out->nmissing; i++)
			zvm_buf_printf(&b, "%s%s (needed by %s)", i ? ", " : "",
			    out->missing[i].name, out->missing[i].needed_by);
		zvm_buf_addc(&b, '\0');
		free(out->bad);
		out->bad = strdup(program);
		if (b.oom || out->bad == NULL)
			nomem(&x);
		else
			zvm_error_set(e, ZVM_E_MISSING, out->bad, 0,
			    "%s not found: %s", out->nmissing == 1 ?
			    "library" : "libraries", b.p);
		zvm_buf_free(&b);
		goto out;
	}
	rc = 0;
out:
	zvm_elf_free(&elf);
	unmap(map, len);
	for (size_t i = 0; i < x.nobj; i++)
		free_obj(&x.obj[i]);
	free(x.obj);
	free_dirs(&x.env);
	free_dirs(&x.def);
	unmap(x.cache_map, x.cache_len);
	return rc;
}

static void
free_file(struct zvm_elf_file *f)
{
	free(f->alias);
	free(f->uri);
	free(f->name);
}

void
zvm_elf_deps_free(struct zvm_elf_deps *d)
{
	free_file(&d->interp);
	free_file(&d->cache);
	for (size_t i = 0; i < d->nlib; i++)
		free_file(&d->lib[i]);
	free(d->lib);
	for (size_t i = 0; i < d->nmissing; i++) {
		free(d->missing[i].name);
		free(d->missing[i].needed_by);
	}
	free(d->missing);
	free(d->bad);
	*d = (struct zvm_elf_deps)ZVM_ELF_DEPS_INIT;
}
