/* SPDX-License-Identifier: ISC */
/*
 * elf_fuzzer - arbitrary bytes through the ELF reader and the ld.so.cache
 * reader.  Oracles: no crash and no read outside the input (ASan); every
 * string the ELF reader hands out is NUL-terminated inside the input and
 * DT_RPATH is never set beside DT_RUNPATH; a parsed cache answers lookups
 * of a few fixed names and of the first entries' own names with NULL or
 * a string inside the input.  Nothing touches the file system.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "load/elf.h"
#include "load/hwcaps.h"
#include "load/ldcache.h"
#include "base/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* s is NULL or a string that ends inside [b, b + n). */
static void
inside_or_abort(const char *s, const uint8_t *b, size_t n)
{
	if (s == NULL)
		return;
	if ((const uint8_t *)s < b || (const uint8_t *)s >= b + n ||
	    memchr(s, '\0', n - (size_t)((const uint8_t *)s - b)) == NULL)
		abort();
}

static void
lookups(const struct zvm_ldcache *c, const uint8_t *b, size_t n)
{
	static const char *const names[] = { "libc.so.6", "libm.so.6",
	    "libz.so.1", "liba.so.1", "" };
	static const struct zvm_hwcaps hw[] = {
		{ 1, "x86_64", 0 }, { 3, "x86_64", 0 }, { 4, "haswell", 1 },
	};

	for (size_t h = 0; h < sizeof hw / sizeof *hw; h++) {
		for (size_t i = 0; i < sizeof names / sizeof *names; i++)
			inside_or_abort(zvm_ldcache_lookup(c, names[i], &hw[h]),
			    b, n);
		/* The names the cache itself holds, when they are strings. */
		for (uint32_t i = 0; i < c->nlibs && i < 8; i++) {
			const uint8_t *e = c->buf + c->entries +
			    (size_t)i * c->entry_size;
			uint32_t k = (uint32_t)e[4] | (uint32_t)e[5] << 8 |
			    (uint32_t)e[6] << 16 | (uint32_t)e[7] << 24;
			size_t off = c->strings + k;

			if (off < n && memchr(b + off, '\0', n - off))
				inside_or_abort(zvm_ldcache_lookup(c,
				    (const char *)b + off, &hw[h]), b, n);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zvm_elf elf;
	struct zvm_ldcache c;
	struct zvm_error e;

	if (size > 1 << 20)
		return 0;
	if (zvm_elf_parse(data, size, &elf, &e) == 0) {
		if (elf.kind == ZVM_ELF_NATIVE) {
			inside_or_abort(elf.interp, data, size);
			inside_or_abort(elf.soname, data, size);
			inside_or_abort(elf.rpath, data, size);
			inside_or_abort(elf.runpath, data, size);
			if (elf.rpath && elf.runpath)
				abort();
			for (size_t i = 0; i < elf.nneeded; i++)
				inside_or_abort(elf.needed[i], data, size);
		}
		zvm_elf_free(&elf);
	} else if (e.code != ZVM_E_SYNTAX && e.code != ZVM_E_NOMEM)
		abort();
	if (zvm_ldcache_parse(data, size, &c, &e) == 0)
		lookups(&c, data, size);
	return 0;
}
