/* SPDX-License-Identifier: ISC */
/*
 * bytes - little-endian integers and NUL-terminated strings read out of a
 * mapped file, with the bounds checks that come first.  Shared by the
 * readers of untrusted binary formats (lib/load/elf, lib/load/ldcache);
 * header only, so each reader inlines what it uses.
 */
#ifndef ZVM_BYTES_H
#define ZVM_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The integers at p, little-endian whatever the host. */
static inline uint16_t
zvm_rd16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t
zvm_rd32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static inline uint64_t
zvm_rd64(const unsigned char *p)
{
	return (uint64_t)zvm_rd32(p) | (uint64_t)zvm_rd32(p + 4) << 32;
}

/* Is [off, off + n) inside a buffer of len bytes?  Overflow-safe. */
static inline int
zvm_inside(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

/*
 * The NUL-terminated string at off in [0, end) of b, or NULL when off is
 * past end or no NUL comes before it.  Borrowed: points into b.
 */
static inline const char *
zvm_str_in(const unsigned char *b, uint64_t end, uint64_t off)
{
	if (off >= end)
		return NULL;
	return memchr(b + off, '\0', end - off) ? (const char *)b + off : NULL;
}

#endif
