/* SPDX-License-Identifier: ISC */
/*
 * elf - what a dynamic program needs before it runs, found without running
 * anything: the loader (PT_INTERP), and every shared library ld.so will
 * open, by reading DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME and
 * DT_FLAGS_1 recursively and searching the way glibc 2.36's ld.so does on
 * x86-64 Debian (RPATH chain, LD_LIBRARY_PATH, RUNPATH, /etc/ld.so.cache,
 * the default directories, glibc-hwcaps and legacy hwcaps subdirectories
 * as the CPU selects them).  Only ELF64 little-endian x86-64 is read;
 * every offset, size and string of a file is bounds-checked first.
 */
#ifndef ZVM_ELF_H
#define ZVM_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Debian's multiarch value of $LIB, and the default search directories. */
#define ZVM_ELF_DST_LIB		"lib/x86_64-linux-gnu"
#define ZVM_ELF_LDCACHE		"/etc/ld.so.cache"

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

void zvm_elf_free(struct zvm_elf *);

/*
 * The CPU facts ld.so's searches depend on.  zvm_elf_hwcaps_host() fills
 * it the way glibc 2.36 does from cpuid: the highest x86-64-vN level
 * (1 = baseline .. 4), the legacy platform ("x86_64", or "haswell" or
 * "xeon_phi" on Intel CPUs with those features) and the legacy
 * "avx512_1" capability.
 */
struct zvm_elf_hwcaps {
	unsigned isa_level;
	const char *platform;	/* static string */
	int avx512_1;
};

void zvm_elf_hwcaps_host(struct zvm_elf_hwcaps *);

/*
 * Subdirectories ld.so tries in every search directory, in its order,
 * each ending in '/', the last one "" (the directory itself).  Returns
 * the count (at most ZVM_ELF_MAXSUB) and fills sub[] with strings in buf.
 */
#define ZVM_ELF_MAXSUB 40
size_t zvm_elf_subdirs(const struct zvm_elf_hwcaps *, const char *sub[],
    char *buf, size_t bufsize);

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
 * file (it then searches the default directories alone).
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
    const struct zvm_elf_hwcaps *hw);

/* glibc's _dl_cache_libcmp(): numbers in names compare as numbers. */
int zvm_ldcache_cmp(const char *a, const char *b);

/* One file ld.so (or the kernel, for the loader) opens. */
struct zvm_elf_file {
	char *alias;		/* the path as opened, made absolute against
				 * "/" lexically: what zvm-run matches */
	char *uri;		/* the host file: that path made absolute
				 * against "/" without crossing symlinks */
	char *name;		/* DT_NEEDED that loaded it; NULL otherwise */
};

/* A DT_NEEDED no search found. */
struct zvm_elf_missing {
	char *name;
	char *needed_by;	/* the program's or the library's path */
};

enum zvm_elf_prog {
	ZVM_ELF_STATIC,		/* no PT_INTERP: nothing to add */
	ZVM_ELF_DYNAMIC,	/* loader and libraries below */
	ZVM_ELF_SCRIPT		/* #! script: not followed (see zvm-manifest(1)) */
};

struct zvm_elf_deps {
	int kind;			/* enum zvm_elf_prog */
	struct zvm_elf_file interp;	/* alias NULL unless DYNAMIC */
	struct zvm_elf_file cache;	/* alias NULL unless a lookup
					 * opened the cache */
	struct zvm_elf_file *lib;	/* in the order ld.so opens them */
	size_t nlib;
	struct zvm_elf_missing *missing;
	size_t nmissing;
	char *bad;			/* the file an error names */
};

#define ZVM_ELF_DEPS_INIT { 0 }

struct zvm_elf_opts {
	/* LD_LIBRARY_PATH as the program will have it (its Env), or NULL. */
	const char *library_path;
	/* The host file to read as /etc/ld.so.cache; NULL: that file. */
	const char *cache;
	/* Default directories, ':'-separated; NULL: Debian's four. */
	const char *default_dirs;
	/* CPU facts; NULL: zvm_elf_hwcaps_host(). */
	const struct zvm_elf_hwcaps *hw;
};

/*
 * The files ld.so will open to start program (an absolute path of an
 * executable), found by reading files only.  On 0, out holds the result
 * (free with zvm_elf_deps_free()).  Returns -1 with e set and e->file =
 * the file concerned (borrowed from out, valid until zvm_elf_deps_free()):
 * ZVM_E_SYS (a file could not be read), ZVM_E_SYNTAX (malformed ELF file),
 * ZVM_E_VALUE (the program is ELF of another machine or class, or neither
 * ELF nor a script, or a library is not loadable), ZVM_E_MISSING (every
 * library searched for; out->missing lists those not found), ZVM_E_NOMEM.
 */
int zvm_elf_deps(const char *program, const struct zvm_elf_opts *opts,
    struct zvm_elf_deps *out, struct zvm_error *e);

void zvm_elf_deps_free(struct zvm_elf_deps *);

#endif
