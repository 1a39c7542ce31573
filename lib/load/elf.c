/* SPDX-License-Identifier: ISC */
/*
 * elf - one ELF file read from memory the way ld.so's open_verify() and
 * the kernel read it: the header checks in their order, PT_INTERP, and
 * the dynamic section (DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH,
 * DT_FLAGS_1).  Every offset, size and string is checked against the
 * buffer before use; strings are borrowed from it, never copied.
 */
#include <stdlib.h>
#include <string.h>

#include "base/bytes.h"
#include "load/elf.h"

#define PHDR_SIZE	56
#define DYN_SIZE	16
#define EM_X86_64	62
#define ET_EXEC		2
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
		uint64_t o = zvm_rd64(ph + 8), va = zvm_rd64(ph + 16);
		uint64_t fsz = zvm_rd64(ph + 32);

		if (zvm_rd32(ph) != PT_LOAD || a < va || a - va >= fsz ||
		    !zvm_inside(len, o, fsz))
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
	if (len < ZVM_ELF_EHDR_SIZE)
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
	if (zvm_rd32(b + 20) != 1)
		return bad(e, "ELF file version does not match current one");
	if (zvm_rd16(b + 18) != EM_X86_64) {
		elf->kind = ZVM_ELF_FOREIGN;
		return 0;
	}
	elf->type = zvm_rd16(b + 16);
	if (elf->type != ZVM_ELF_ET_DYN && elf->type != ET_EXEC)
		return bad(e, "only ET_DYN and ET_EXEC can be loaded");
	if (zvm_rd16(b + 54) != PHDR_SIZE)
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
		uint64_t tag = zvm_rd64(d), val = zvm_rd64(d + 8);

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
	if (((out) = zvm_str_in(b + stroff, avail, (v))) == NULL)	\
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

		if (zvm_rd64(d) == DT_NEEDED)
			STR(zvm_rd64(d + 8), elf->needed[k++]);
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
	phoff = zvm_rd64(b + 32);
	phnum = zvm_rd16(b + 56);
	if (!zvm_inside(len, phoff, (uint64_t)phnum * PHDR_SIZE))
		return bad(e, "program headers outside the file");
	for (unsigned i = 0; i < phnum; i++) {
		const unsigned char *ph = b + phoff + (uint64_t)i * PHDR_SIZE;
		uint64_t off = zvm_rd64(ph + 8), fsz = zvm_rd64(ph + 32);

		switch (zvm_rd32(ph)) {
		case PT_INTERP:
			/* The kernel wants the last byte to be the NUL. */
			if (!zvm_inside(len, off, fsz) || fsz < 2 ||
			    b[off + fsz - 1] != '\0')
				return bad(e, "malformed PT_INTERP");
			elf->interp = (const char *)b + off;
			if (elf->interp[0] == '\0')
				return bad(e, "malformed PT_INTERP");
			break;
		case PT_DYNAMIC:
			if (!zvm_inside(len, off, fsz))
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
