/* SPDX-License-Identifier: ISC */
/*
 * elf - the fields of one ELF file that decide what ld.so loads for it:
 * its class and machine, PT_INTERP, and the dynamic section (DT_NEEDED,
 * DT_RPATH, DT_RUNPATH, DT_SONAME, DT_FLAGS_1).  Only ELF64 little-endian
 * x86-64 is read; every offset, size and string of the buffer is
 * bounds-checked first.  lib/load/ldso follows the dependencies.
 */
#ifndef ZVM_ELF_H
#define ZVM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

#define ZVM_ELF_EHDR_SIZE	64	/* shorter files are "too short" */
#define ZVM_ELF_ET_DYN		3	/* e_type of what dlopen can load */
#define ZVM_ELF_DF_1_NODEFLIB	0x800	/* DT_FLAGS_1: skip default dirs */

/* What zvm_elf_parse() found a buffer to be. */
enum zvm_elf_kind {
	ZVM_ELF_NOTELF,		/* no ELF magic (a #! script has script set) */
	ZVM_ELF_FOREIGN,	/* ELF, but not ELF64 little-endian x86-64 */
	ZVM_ELF_NATIVE		/* ELF64 little-endian x86-64: fields valid */
};

/*
 * One ELF file as read from memory.  Every string is borrowed from the
 * buffer given to zvm_elf_parse(), NUL-terminated inside it; needed is
 * owned (free with zvm_elf_free()).
 */
struct zvm_elf {
	int kind;		/* enum zvm_elf_kind */
	int script;		/* NOTELF and starts with "#!" */
	int foreign_class;	/* FOREIGN because of the class (not 64) */
	unsigned type;		/* e_type (ET_EXEC, ET_DYN, ...) */
	const char *interp;	/* PT_INTERP, or NULL */
	int dynamic;		/* has a PT_DYNAMIC segment */
	const char *soname;	/* DT_SONAME, or NULL */
	const char *rpath;	/* DT_RPATH (NULL when DT_RUNPATH is there) */
	const char *runpath;	/* DT_RUNPATH, or NULL */
	uint64_t flags_1;	/* DT_FLAGS_1 */
	const char **needed;	/* DT_NEEDED in order */
	size_t nneeded;
};

#define ZVM_ELF_INIT { 0 }

/*
 * Parse len bytes at buf.  Returns 0 with e->kind set (a buffer that is
 * not ELF, or ELF of another class or machine, is not an error), or -1
 * with e->code ZVM_E_SYNTAX for a malformed native ELF file (truncated
 * headers, offsets outside the file, unterminated strings) or ZVM_E_NOMEM.
 * e->file is NULL: the caller names the file.
 */
int zvm_elf_parse(const void *buf, size_t len, struct zvm_elf *elf,
    struct zvm_error *e);

/* Free elf->needed; the borrowed strings stay the caller's buffer's. */
void zvm_elf_free(struct zvm_elf *);

#endif
