/* SPDX-License-Identifier: ISC */
/*
 * ldso - what a dynamic program needs before it runs, found without
 * running anything: the loader (PT_INTERP), and every shared library
 * ld.so will open, by reading DT_NEEDED, DT_RPATH, DT_RUNPATH, DT_SONAME
 * and DT_FLAGS_1 recursively (lib/load/elf) and searching the way glibc 2.36's
 * ld.so does on x86-64 Debian (RPATH chain, LD_LIBRARY_PATH, RUNPATH,
 * /etc/ld.so.cache, the default directories, glibc-hwcaps and legacy
 * hwcaps subdirectories as the CPU selects them).
 */
#ifndef ZVM_LDSO_H
#define ZVM_LDSO_H

#include <stddef.h>

#include "load/hwcaps.h"
#include "base/util.h"

/* Debian's multiarch value of $LIB in RPATH, RUNPATH and DT_NEEDED. */
#define ZVM_LDSO_DST_LIB	"lib/x86_64-linux-gnu"

/* One file ld.so (or the kernel, for the loader) opens. */
struct zvm_ldso_file {
	char *alias;		/* the path as opened, made absolute against
				 * "/" lexically: what zvm-run matches */
	char *uri;		/* the host file: that path made absolute
				 * against "/" without crossing symlinks */
	char *name;		/* DT_NEEDED that loaded it; NULL otherwise */
};

/* A DT_NEEDED no search found. */
struct zvm_ldso_missing {
	char *name;
	char *needed_by;	/* the program's or the library's path */
};

enum zvm_ldso_prog {
	ZVM_LDSO_STATIC,	/* no PT_INTERP: nothing to add */
	ZVM_LDSO_DYNAMIC,	/* loader and libraries below */
	ZVM_LDSO_SCRIPT		/* #! script: not followed (lib/draft/draft runs
				 * its interpreter, lib/load/script) */
};

struct zvm_ldso_deps {
	int kind;			/* enum zvm_ldso_prog */
	struct zvm_ldso_file interp;	/* alias NULL unless DYNAMIC */
	struct zvm_ldso_file cache;	/* alias NULL unless a lookup
					 * opened the cache */
	struct zvm_ldso_file *lib;	/* in the order ld.so opens them */
	size_t nlib;
	struct zvm_ldso_missing *missing;
	size_t nmissing;
	char *bad;			/* the file an error names */
};

#define ZVM_LDSO_DEPS_INIT { 0 }

struct zvm_ldso_opts {
	/* LD_LIBRARY_PATH as the program will have it (its Env), or NULL. */
	const char *library_path;
	/* The host file to read as /etc/ld.so.cache; NULL: that file. */
	const char *cache;
	/* Default directories, ':'-separated; NULL: Debian's four. */
	const char *default_dirs;
	/* CPU facts; NULL: zvm_hwcaps_host(). */
	const struct zvm_hwcaps *hw;
	/* Shared objects the program may dlopen (the files of its images):
	 * their dependencies are found too, as ld.so finds them for a
	 * dlopen from the program, after the program's own.  One that is
	 * no loadable library, and a dependency of one that is not found,
	 * are left out: its dlopen fails at run time as it would natively. */
	const char *const *dlopen;
	size_t ndlopen;
};

/*
 * The files ld.so will open to start program (an absolute path of an
 * executable), found by reading files only.  On 0, out holds the result
 * (free with zvm_ldso_deps_free()).  Returns -1 with e set and e->file =
 * the file concerned (borrowed from out, valid until zvm_ldso_deps_free()):
 * ZVM_E_SYS (a file could not be read), ZVM_E_SYNTAX (malformed ELF file),
 * ZVM_E_VALUE (the program is ELF of another machine or class, or neither
 * ELF nor a script, or a library is not loadable), ZVM_E_MISSING (every
 * library searched for; out->missing lists those not found), ZVM_E_NOMEM.
 */
int zvm_ldso_deps(const char *program, const struct zvm_ldso_opts *opts,
    struct zvm_ldso_deps *out, struct zvm_error *e);

/* Free everything out holds, also after a failed zvm_ldso_deps(). */
void zvm_ldso_deps_free(struct zvm_ldso_deps *);

#endif
