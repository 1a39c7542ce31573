/* SPDX-License-Identifier: ISC */
/*
 * heap - zvm-run's allocator in its static musl build, where it takes the
 * place of malloc(3) and the rest (lib/base/heap.c says why).  The other
 * builds keep their libc's malloc and use these names only in the tests.
 *
 * Small blocks (up to 64 KiB) come in thirteen power-of-two sizes carved
 * from 256 KiB regions and go back to a free list of their size, never to
 * the kernel; larger ones are mappings of their own.  Every block is
 * 16-byte aligned and carries a 16-byte header the free checks.
 */
#ifndef ZVM_HEAP_H
#define ZVM_HEAP_H

#include <stddef.h>

void	*zvm_heap_alloc(size_t);
void	*zvm_heap_calloc(size_t, size_t);
void	*zvm_heap_realloc(void *, size_t);
void	*zvm_heap_aligned(size_t, size_t);
void	 zvm_heap_free(void *);
size_t	 zvm_heap_usable(const void *);

#endif
