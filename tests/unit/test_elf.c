/* SPDX-License-Identifier: ISC */
/*
 * test_elf - lib/load/elf, hwcaps, ldcache and ldso against this
 * machine and against crafted files.  Real programs (/bin/true,
 * /usr/bin/python3, ...) are compared with what ldd(1) prints, as an
 * oracle only; /etc/ld.so.cache lookups with the
 * first x86-64 entry "ldconfig -p" lists per name.  Crafted ELF files
 * (written by mkelf() below) exercise the parser's bounds checks, every
 * truncation of a valid file, and the search order: RPATH chain, RUNPATH
 * for direct dependencies only, LD_LIBRARY_PATH, hwcaps subdirectories,
 * the cache, default directories, DF_1_NODEFLIB, DT_SONAME matches,
 * foreign classes skipped, missing libraries all reported.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/elf.h"
#include "load/hwcaps.h"
#include "load/ldcache.h"
#include "load/ldso.h"
#include "base/path.h"
#include "tap.h"

static char tmp[] = "/tmp/test_elf.XXXXXX";

static void
w16(unsigned char *p, uint64_t v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
}

static void
w32(unsigned char *p, uint64_t v)
{
	w16(p, v);
	w16(p + 2, v >> 16);
}

static void
w64(unsigned char *p, uint64_t v)
{
	w32(p, v);
	w32(p + 4, v >> 32);
}

struct spec {
	const char *interp, *soname, *rpath, *runpath;
	const char *needed[6];
	uint64_t flags_1;
	unsigned type;		/* 0: ET_DYN */
	int class32;		/* EI_CLASS 1 */
};

/*
 * A minimal ELF64 x86-64 file: header, PT_LOAD over the whole file
 * (vaddr = offset), PT_INTERP, PT_DYNAMIC, the interpreter string, the
 * string table and the dynamic array.  Returns its size.
 */
static size_t
mkelf(unsigned char *b, const struct spec *s)
{
	size_t nph = 2 + (s->interp != NULL), off, str, dyn, n = 0, i;
	size_t o_soname = 0, o_rpath = 0, o_runpath = 0, o_needed[6];
	unsigned char *ph;

	memset(b, 0, 4096);
	memcpy(b, "\177ELF", 4);
	b[4] = s->class32 ? 1 : 2;
	b[5] = 1;
	b[6] = 1;
	w16(b + 16, s->type ? s->type : 3);
	w16(b + 18, 62);
	w32(b + 20, 1);
	w64(b + 32, 64);
	w16(b + 52, 64);
	w16(b + 54, 56);
	w16(b + 56, nph);
	off = 64 + nph * 56;
	ph = b + 64 + 56;
	if (s->interp) {
		size_t l = strlen(s->interp) + 1;

		w32(ph, 3);
		w64(ph + 8, off);
		w64(ph + 16, off);
		w64(ph + 32, l);
		memcpy(b + off, s->interp, l);
		off += l;
		ph += 56;
	}
	str = off;
	b[off++] = '\0';
#define ADD(s_, o_) do {						\
	if (s_) {							\
		o_ = off - str;						\
		memcpy(b + off, s_, strlen(s_) + 1);			\
		off += strlen(s_) + 1;					\
	}								\
} while (0)
	ADD(s->soname, o_soname);
	ADD(s->rpath, o_rpath);
	ADD(s->runpath, o_runpath);
	for (i = 0; s->needed[i]; i++)
		ADD(s->needed[i], o_needed[i]);
#undef ADD
	dyn = (off + 7) & ~(size_t)7;
	off = dyn;
#define DYN(t, v) do { w64(b + off, t); w64(b + off + 8, v); off += 16; n++; } \
	while (0)
	for (i = 0; s->needed[i]; i++)
		DYN(1, o_needed[i]);
	if (s->soname)
		DYN(14, o_soname);
	if (s->rpath)
		DYN(15, o_rpath);
	if (s->runpath)
		DYN(29, o_runpath);
	if (s->flags_1)
		DYN(0x6ffffffb, s->flags_1);
	DYN(5, str);
	DYN(10, dyn - str);
	DYN(0, 0);
#undef DYN
	w32(ph, 2);
	w64(ph + 8, dyn);
	w64(ph + 16, dyn);
	w64(ph + 32, n * 16);
	ph = b + 64;
	w32(ph, 1);
	w64(ph + 32, off);
	w64(ph + 40, off);
	return off;
}

static void
put(const char *rel, const void *buf, size_t len, mode_t mode)
{
	char p[512], d[512], *slash;
	int fd;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	/* mkdir -p the directory part */
	snprintf(d, sizeof d, "%s", p);
	for (slash = d + strlen(tmp) + 1; (slash = strchr(slash, '/'));
	    slash++) {
		*slash = '\0';
		mkdir(d, 0755);
		*slash = '/';
	}
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1 ||
	    write(fd, buf, len) != (ssize_t)len) {
		perror(p);
		exit(2);
	}
	close(fd);
}

static void
putelf(const char *rel, const struct spec *s)
{
	unsigned char b[4096];

	put(rel, b, mkelf(b, s), 0755);
}

static char *
tpath(const char *rel)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof p[k], "%s/%s", tmp, rel);
	return p[k];
}

/* The aliases of d's libraries, relative to tmp, ' '-separated. */
static void
libs_of(const struct zvm_ldso_deps *d, char *out, size_t n)
{
	size_t tl = strlen(tmp), used = 0;

	out[0] = '\0';
	for (size_t i = 0; i < d->nlib && used < n; i++) {
		const char *a = d->lib[i].alias;

		if (strncmp(a, tmp, tl) == 0)
			a += tl + 1;
		used += (size_t)snprintf(out + used, n - used, "%s%s",
		    i ? " " : "", a);
	}
}

static const struct zvm_hwcaps hw1 = { 1, "x86_64", 0 };
static const struct zvm_hwcaps hw2 = { 2, "x86_64", 0 };

/* Resolve rel with opts; compare the libraries and the return code. */
static void
deps_is(const char *rel, const char *llp, const struct zvm_hwcaps *hw,
    int want_rc, const char *want, const char *name)
{
	char cache[600], def[600];
	struct zvm_ldso_opts o = { .library_path = llp, .hw = hw ? hw : &hw1,
	    .cache = cache, .default_dirs = def };
	struct zvm_ldso_deps d;
	struct zvm_error e;
	char got[2048];
	int rc;

	snprintf(cache, sizeof cache, "%s/ld.so.cache", tmp);
	snprintf(def, sizeof def, "%s/def", tmp);
	rc = zvm_ldso_deps(tpath(rel), &o, &d, &e);

	libs_of(&d, got, sizeof got);
	if (!is_int(rc, want_rc, name))
		printf("#   %s\n", e.msg);
	is_str(got, want, name);
	zvm_ldso_deps_free(&d);
}

static void
parse_cases(void)
{
	struct spec s = { .interp = "/lib64/ld-linux-x86-64.so.2",
	    .soname = "libself.so", .rpath = "/r", .runpath = "/rp",
	    .needed = { "liba.so", "libb.so.1" }, .flags_1 = 0x800 };
	unsigned char b[4096], c[4096];
	struct zvm_elf elf;
	struct zvm_error e;
	size_t len = mkelf(b, &s), fails = 0;

	ok(zvm_elf_parse(b, len, &elf, &e) == 0 &&
	    elf.kind == ZVM_ELF_NATIVE, "crafted ELF parses");
	is_str(elf.interp, "/lib64/ld-linux-x86-64.so.2", "PT_INTERP");
	is_str(elf.soname, "libself.so", "DT_SONAME");
	is_str(elf.runpath, "/rp", "DT_RUNPATH");
	ok(elf.rpath == NULL, "DT_RPATH ignored beside DT_RUNPATH");
	is_int((long long)elf.nneeded, 2, "two DT_NEEDED");
	is_str(elf.nneeded > 1 ? elf.needed[1] : NULL, "libb.so.1",
	    "DT_NEEDED in order");
	is_int((long long)elf.flags_1, 0x800, "DT_FLAGS_1");
	zvm_elf_free(&elf);

	s.runpath = NULL;
	len = mkelf(b, &s);
	ok(zvm_elf_parse(b, len, &elf, &e) == 0 && elf.rpath &&
	    strcmp(elf.rpath, "/r") == 0, "DT_RPATH alone is kept");
	zvm_elf_free(&elf);

	/* Every prefix: a clean error or a parse, never a read past it. */
	for (size_t n = 0; n < len; n++) {
		unsigned char *p = malloc(n ? n : 1);

		memcpy(p, b, n);
		if (zvm_elf_parse(p, n, &elf, &e) == -1)
			fails += e.code == ZVM_E_SYNTAX;
		else
			fails += n >= 64 && elf.kind == ZVM_ELF_NATIVE &&
			    elf.nneeded == 2;	/* would be reading past n */
		zvm_elf_free(&elf);
		free(p);
	}
	is_int((long long)fails, (long long)len - 4, "every truncation "
	    "from 4 bytes on is an error");

	struct {
		size_t off;
		unsigned char val;
		int rc, kind;
		const char *name;
	} flips[] = {
		{ 0, 'x', 0, ZVM_ELF_NOTELF, "bad magic: not ELF" },
		{ 4, 1, 0, ZVM_ELF_FOREIGN, "ELFCLASS32: foreign" },
		{ 18, 3, 0, ZVM_ELF_FOREIGN, "EM_386: foreign" },
		{ 5, 2, -1, 0, "big-endian: error" },
		{ 6, 0, -1, 0, "EI_VERSION 0: error" },
		{ 7, 9, -1, 0, "OS ABI 9: error" },
		{ 12, 1, -1, 0, "nonzero padding: error" },
		{ 16, 1, -1, 0, "ET_REL: error" },
		{ 54, 55, -1, 0, "phentsize 55: error" },
		{ 39, 0x10, -1, 0, "phoff far away: error" },
		{ 57, 0x10, -1, 0, "phnum too big: error" },
	};
	for (size_t i = 0; i < sizeof flips / sizeof *flips; i++) {
		int rc;

		memcpy(c, b, len);
		c[flips[i].off] = flips[i].val;
		rc = zvm_elf_parse(c, len, &elf, &e);
		ok(rc == flips[i].rc && (rc == -1 || elf.kind ==
		    flips[i].kind), flips[i].name);
		zvm_elf_free(&elf);
	}

	/* Pointers inside the file: interp, strtab, string offsets. */
	size_t interp_ph = 64 + 56, dyn_ph = 64 + 2 * 56;
	size_t dyn = (size_t)c[dyn_ph + 8] | (size_t)c[dyn_ph + 9] << 8;

	memcpy(c, b, len);
	c[b[interp_ph + 8] + strlen(s.interp)] = 'x';	/* its NUL */
	ok(zvm_elf_parse(c, len, &elf, &e) == -1 &&
	    strcmp(e.msg, "malformed PT_INTERP") == 0, "interp without NUL");
	memcpy(c, b, len);
	w64(c + dyn_ph + 32, 1u << 20);
	ok(zvm_elf_parse(c, len, &elf, &e) == -1, "PT_DYNAMIC too big");
	memcpy(c, b, len);
	dyn = (size_t)b[dyn_ph + 8] | (size_t)b[dyn_ph + 9] << 8;
	w64(c + dyn + 8, 5000);		/* first DT_NEEDED offset */
	ok(zvm_elf_parse(c, len, &elf, &e) == -1 &&
	    strcmp(e.msg, "dynamic string outside DT_STRTAB") == 0,
	    "DT_NEEDED offset outside the string table");
	zvm_elf_free(&elf);
	memcpy(c, b, len);
	for (size_t k = dyn; k + 16 <= len; k += 16)
		if (c[k] == 5)
			w64(c + k + 8, 1u << 30);	/* DT_STRTAB */
	ok(zvm_elf_parse(c, len, &elf, &e) == -1 &&
	    strcmp(e.msg, "DT_STRTAB outside the file") == 0,
	    "DT_STRTAB outside every PT_LOAD");
	memcpy(c, b, len);
	for (size_t k = dyn; k + 16 <= len; k += 16)
		if (c[k] == 10)
			w64(c + k + 8, 3);	/* DT_STRSZ cuts strings */
	ok(zvm_elf_parse(c, len, &elf, &e) == -1, "DT_STRSZ too small");
	zvm_elf_free(&elf);

	ok(zvm_elf_parse("#!/bin/sh\n", 10, &elf, &e) == 0 &&
	    elf.kind == ZVM_ELF_NOTELF && elf.script, "#! script");
	ok(zvm_elf_parse("", 0, &elf, &e) == 0 &&
	    elf.kind == ZVM_ELF_NOTELF && !elf.script, "empty: not ELF");
}

static void
subdir_cases(void)
{
	const char *sub[ZVM_HWCAPS_MAXSUB];
	struct zvm_hwcaps hw = { 3, "x86_64", 0 };
	char buf[1024], got[1024] = "";
	size_t n = zvm_hwcaps_subdirs(&hw, sub, buf, sizeof buf);

	/* What strace showed ld.so 2.36 try on this kind of CPU. */
	for (size_t i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s|",
		    sub[i]);
	is_str(got, "glibc-hwcaps/x86-64-v3/|glibc-hwcaps/x86-64-v2/|"
	    "tls/x86_64/x86_64/|tls/x86_64/|tls/|x86_64/x86_64/|x86_64/|"
	    "|", "subdirectories: v3, AT_PLATFORM x86_64");
	hw = (struct zvm_hwcaps){ 4, "haswell", 1 };
	n = zvm_hwcaps_subdirs(&hw, sub, buf, sizeof buf);
	is_int((long long)n, 3 + 16, "v4, haswell, avx512_1: 3 + 2^4 dirs");
	is_str(sub[3], "tls/haswell/avx512_1/x86_64/", "largest subset first");
	is_str(sub[n - 1], "", "the directory itself last");
}

/* A cache in the glibc 1.1 format; entries must come sorted. */
struct centry {
	const char *key, *value;
	int32_t flags;
	uint64_t hwcap;
};

static size_t
mkcache(unsigned char *b, const struct centry *ent, size_t n,
    const char *const *hwnames, size_t nhw)
{
	size_t off = 48 + n * 24, ext, hwoff[4];

	memset(b, 0, 8192);
	memcpy(b, "glibc-ld.so.cache1.1", 20);
	w32(b + 20, n);
	b[28] = 2;
	for (size_t i = 0; i < n; i++) {
		unsigned char *e = b + 48 + i * 24;

		w32(e, (uint32_t)ent[i].flags);
		w32(e + 4, off);
		memcpy(b + off, ent[i].key, strlen(ent[i].key) + 1);
		off += strlen(ent[i].key) + 1;
		w32(e + 8, off);
		memcpy(b + off, ent[i].value, strlen(ent[i].value) + 1);
		off += strlen(ent[i].value) + 1;
		w64(e + 16, ent[i].hwcap);
	}
	for (size_t i = 0; i < nhw; i++) {
		hwoff[i] = off;
		memcpy(b + off, hwnames[i], strlen(hwnames[i]) + 1);
		off += strlen(hwnames[i]) + 1;
	}
	w32(b + 24, off - 48 - n * 24);
	if (nhw == 0)
		return off;
	ext = (off + 3) & ~(size_t)3;
	w32(b + 32, ext);
	w32(b + ext, 0xeaa42174u);
	w32(b + ext + 4, 1);
	w32(b + ext + 8, 1);		/* tag: glibc-hwcaps */
	w32(b + ext + 16, ext + 24);
	w32(b + ext + 20, nhw * 4);
	for (size_t i = 0; i < nhw; i++)
		w32(b + ext + 24 + i * 4, hwoff[i]);
	return ext + 24 + nhw * 4;
}

#define EXT(i) ((UINT64_C(1) << 62) | (i))

static void
cache_cases(void)
{
	static const char *const hwn[] = { "x86-64-v2", "x86-64-v3",
	    "x86-64-v4" };
	/* ldconfig's order: names decreasing, hwcaps entries first. */
	static const struct centry ent[] = {
		{ "libb.so", "/plain/libb.so", 0x303, 0 },
		{ "liba.so.10", "/plain/liba.so.10", 0x303, 0 },
		{ "liba.so.2", "/haswell/liba.so.2", 0x303,
		    UINT64_C(1) << 34 },
		{ "liba.so.2", "/sse2/liba.so.2", 0x303, 1 },
		{ "liba.so.2", "/plain/liba.so.2", 0x303, 0 },
		{ "liba.so.1", "/h/v3/liba.so.1", 0x303, EXT(1) },
		{ "liba.so.1", "/h/v2/liba.so.1", 0x303, EXT(0) },
		{ "liba.so.1", "/h/v4/liba.so.1", 0x303, EXT(2) },
		{ "liba.so.1", "/i386/liba.so.1", 0x003, 0 },
		{ "liba.so.1", "/tls-only/liba.so.1", 0x303,
		    UINT64_C(1) << 63 },
		{ "liba.so.1", "/plain/liba.so.1", 0x303, 0 },
	};
	struct zvm_hwcaps hw = { 3, "x86_64", 0 };
	unsigned char b[8192];
	struct zvm_ldcache c;
	struct zvm_error e;
	size_t len = mkcache(b, ent, sizeof ent / sizeof *ent, hwn, 3);

	ok(zvm_ldcache_parse(b, len, &c, &e) == 0, "crafted cache parses");
	is_str(zvm_ldcache_lookup(&c, "liba.so.1", &hw), "/h/v3/liba.so.1",
	    "glibc-hwcaps: the best supported level wins (v3)");
	hw.isa_level = 2;
	is_str(zvm_ldcache_lookup(&c, "liba.so.1", &hw), "/h/v2/liba.so.1",
	    "glibc-hwcaps: v2 on a v2 CPU");
	hw.isa_level = 1;
	is_str(zvm_ldcache_lookup(&c, "liba.so.1", &hw), "/tls-only/liba.so.1",
	    "baseline CPU: the first usable plain entry (tls bit allowed)");
	is_str(zvm_ldcache_lookup(&c, "liba.so.2", &hw), "/plain/liba.so.2",
	    "other platform and excluded hwcap bits skipped");
	hw.platform = "haswell";
	is_str(zvm_ldcache_lookup(&c, "liba.so.2", &hw), "/haswell/liba.so.2",
	    "haswell platform entry on a haswell CPU");
	is_str(zvm_ldcache_lookup(&c, "liba.so.10", &hw), "/plain/liba.so.10",
	    "numbers compare as numbers (2 < 10)");
	is_str(zvm_ldcache_lookup(&c, "libb.so", &hw), "/plain/libb.so",
	    "first entry");
	ok(zvm_ldcache_lookup(&c, "libc.so", &hw) == NULL, "absent name");
	ok(zvm_ldcache_cmp("liba.so.2", "liba.so.10") < 0 &&
	    zvm_ldcache_cmp("libz", "liba") > 0 &&
	    zvm_ldcache_cmp("lib1", "liba") > 0 &&
	    zvm_ldcache_cmp("x", "x") == 0, "libcmp order");

	size_t fails = 0;
	for (size_t n = 0; n < len; n++) {
		unsigned char *p = malloc(n ? n : 1);

		memcpy(p, b, n);
		if (zvm_ldcache_parse(p, n, &c, &e) == 0) {
			zvm_ldcache_lookup(&c, "liba.so.1", &hw);
			zvm_ldcache_lookup(&c, "libb.so", &hw);
		} else
			fails++;
		free(p);
	}
	ok(fails > 48, "truncated caches: headers refused, the rest bounded");
	b[28] = 3;
	ok(zvm_ldcache_parse(b, len, &c, &e) == -1, "big-endian cache refused");
	b[28] = 2;
	w32(b + 20, 100000);
	ok(zvm_ldcache_parse(b, len, &c, &e) == -1, "nlibs past the end");
	ok(zvm_ldcache_parse("ld.so-1.7.0\0\0\0\0\0x", 17, &c, &e) == 0 &&
	    c.nlibs == 0, "old format, no entries");
}

/* /etc/ld.so.cache against "ldconfig -p": first x86-64 entry per name. */
static void
system_cache(void)
{
	struct zvm_hwcaps hw;
	struct zvm_ldcache c;
	struct zvm_error e;
	char line[1024], last[512] = "", *buf = NULL;
	size_t len = 0, n = 0, bad = 0;
	FILE *f = fopen("/etc/ld.so.cache", "rb"), *p;

	if (f == NULL) {
		ok(1, "# SKIP no /etc/ld.so.cache");
		return;
	}
	buf = malloc(1 << 24);
	len = fread(buf, 1, 1 << 24, f);
	fclose(f);
	zvm_hwcaps_host(&hw);
	ok(zvm_ldcache_parse(buf, len, &c, &e) == 0, "/etc/ld.so.cache parses");
	if ((p = popen("/sbin/ldconfig -p 2>/dev/null", "r")) != NULL) {
		while (fgets(line, sizeof line, p)) {
			char name[512], path[512];

			if (sscanf(line, " %511s (libc6,x86-64) => %511s", name,
			    path) != 2 || strcmp(name, last) == 0)
				continue;
			snprintf(last, sizeof last, "%s", name);
			n++;
			const char *got = zvm_ldcache_lookup(&c, name, &hw);

			if (got == NULL || strcmp(got, path) != 0) {
				bad++;
				printf("# %s: got %s, ldconfig %s\n", name,
				    got ? got : "(null)", path);
			}
		}
		pclose(p);
	}
	ok(n > 0 && bad == 0, "every name ldconfig -p lists resolves alike");
	printf("# %zu names compared\n", n);
	free(buf);
}

/* A real program against ldd: the loader, then the libraries in order. */
static void
against_ldd(const char *prog)
{
	struct zvm_ldso_deps d;
	struct zvm_error e;
	char cmd[600], line[1024], want[4096] = "", got[4096] = "";
	char interp[512] = "", name[600];
	FILE *p;

	if (access(prog, X_OK) == -1) {
		snprintf(name, sizeof name, "# SKIP %s not here", prog);
		ok(1, name);
		return;
	}
	snprintf(cmd, sizeof cmd, "ldd '%s' 2>/dev/null", prog);
	if ((p = popen(cmd, "r")) == NULL)
		return;
	while (fgets(line, sizeof line, p)) {
		char a[512], b[512], *lex;

		if (sscanf(line, " %511s => %511s", a, b) == 2 && b[0] == '/') {
			lex = zvm_path_lexical(b);
			snprintf(want + strlen(want), sizeof want -
			    strlen(want), "%s ", lex);
			free(lex);
		} else if (sscanf(line, " %511s (", a) == 1 && a[0] == '/')
			snprintf(interp, sizeof interp, "%s", a);
	}
	pclose(p);
	snprintf(name, sizeof name, "%s: zvm_ldso_deps succeeds", prog);
	if (!ok(zvm_ldso_deps(prog, NULL, &d, &e) == 0, name))
		printf("#   %s\n", e.msg);
	for (size_t i = 0; i < d.nlib; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s ",
		    d.lib[i].alias);
	snprintf(name, sizeof name, "%s: libraries as ldd, in order", prog);
	is_str(got, want, name);
	snprintf(name, sizeof name, "%s: loader as ldd", prog);
	is_str(d.interp.alias, interp, name);
	snprintf(name, sizeof name, "%s: the cache was used", prog);
	is_str(d.cache.alias, "/etc/ld.so.cache", name);
	zvm_ldso_deps_free(&d);
}

static void
resolver_cases(void)
{
	char ld[600];
	unsigned char b[8192];
	struct zvm_ldso_deps d;
	struct zvm_error e;
	char cache[600], def[600], llp[1300];
	struct zvm_ldso_opts o = { .hw = &hw1, .cache = cache,
	    .default_dirs = def };
	struct spec s;

	snprintf(ld, sizeof ld, "%s/ld.so", tmp);
	snprintf(cache, sizeof cache, "%s/ld.so.cache", tmp);
	snprintf(def, sizeof def, "%s/def", tmp);
	putelf("ld.so", &(struct spec){ .soname = "ld-test.so.2" });
	/* libb needs the loader by its DT_SONAME: never searched. */
	putelf("r/liba.so", &(struct spec){ .needed = { "libb.so" } });
	putelf("r/libb.so", &(struct spec){ .needed = { "ld-test.so.2" } });
	putelf("def/libd.so", &(struct spec){ 0 });

	/* RUNPATH: direct dependencies only. */
	putelf("p-runpath", &(struct spec){ .interp = ld,
	    .runpath = "$ORIGIN/r", .needed = { "liba.so" } });
	deps_is("p-runpath", NULL, NULL, -1, "r/liba.so",
	    "RUNPATH is not used for a dependency's dependencies");
	/* RPATH: the loader chain's RPATH is searched too. */
	putelf("p-rpath", &(struct spec){ .interp = ld, .rpath = "$ORIGIN/r",
	    .needed = { "liba.so" } });
	deps_is("p-rpath", NULL, NULL, 0, "r/liba.so r/libb.so",
	    "RPATH of the program serves liba's libb");
	/* LD_LIBRARY_PATH (from Env) serves both, with ';' separators. */
	snprintf(llp, sizeof llp, "%s/x;%s/r", tmp, tmp);
	deps_is("p-runpath", llp, NULL, 0, "r/liba.so r/libb.so",
	    "LD_LIBRARY_PATH serves every object");
	/* LD_LIBRARY_PATH comes after RPATH and before RUNPATH. */
	putelf("l/liba.so", &(struct spec){ 0 });
	deps_is("p-rpath", tpath("l"), NULL, 0, "r/liba.so r/libb.so",
	    "RPATH before LD_LIBRARY_PATH");
	deps_is("p-runpath", tpath("l"), NULL, 0, "l/liba.so",
	    "LD_LIBRARY_PATH before RUNPATH");
	/* RPATH is ignored when the loader has a RUNPATH. */
	putelf("p-both", &(struct spec){ .interp = ld, .rpath = "$ORIGIN/l",
	    .runpath = "$ORIGIN/r", .needed = { "liba.so" } });
	deps_is("p-both", NULL, NULL, -1, "r/liba.so",
	    "DT_RUNPATH hides DT_RPATH");

	/* glibc-hwcaps subdirectory, as the CPU allows. */
	putelf("h/glibc-hwcaps/x86-64-v2/libd.so", &(struct spec){ 0 });
	putelf("h/libd.so", &(struct spec){ 0 });
	putelf("p-hw", &(struct spec){ .interp = ld, .runpath = "$ORIGIN/h",
	    .needed = { "libd.so" } });
	deps_is("p-hw", NULL, &hw2, 0, "h/glibc-hwcaps/x86-64-v2/libd.so",
	    "x86-64-v2 subdirectory on a v2 CPU");
	deps_is("p-hw", NULL, &hw1, 0, "h/libd.so",
	    "the directory itself on a baseline CPU");

	/* A 32-bit library of the name is skipped, a non-ELF one stops. */
	putelf("c32/libd.so", &(struct spec){ .class32 = 1 });
	putelf("p-c32", &(struct spec){ .interp = ld,
	    .runpath = "$ORIGIN/c32:$ORIGIN/h", .needed = { "libd.so" } });
	deps_is("p-c32", NULL, NULL, 0, "h/libd.so", "other class skipped");
	put("txt/libd.so", "not an ELF file\n", 16, 0644);
	putelf("p-txt", &(struct spec){ .interp = ld,
	    .runpath = "$ORIGIN/txt:$ORIGIN/h", .needed = { "libd.so" } });
	deps_is("p-txt", NULL, NULL, -1, "", "a text file is an error");

	/* Default directories, and DF_1_NODEFLIB. */
	putelf("p-def", &(struct spec){ .interp = ld,
	    .needed = { "libd.so" } });
	deps_is("p-def", NULL, NULL, 0, "def/libd.so", "default directory");
	putelf("p-nodef", &(struct spec){ .interp = ld, .flags_1 = 0x800,
	    .needed = { "libd.so" } });
	deps_is("p-nodef", NULL, NULL, -1, "", "DF_1_NODEFLIB");

	/* The cache: used after the paths, recorded only when opened. */
	s = (struct spec){ 0 };
	putelf("cached/libq.so.1", &s);
	{
		struct centry ent[] = { { "libq.so.1", tpath("cached/libq.so.1"),
		    0x303, 0 } };
		put("ld.so.cache", b, mkcache(b, ent, 1, NULL, 0), 0644);
	}
	putelf("p-cache", &(struct spec){ .interp = ld,
	    .needed = { "libq.so.1", "libd.so" } });
	ok(zvm_ldso_deps(tpath("p-cache"), &o, &d, &e) == 0 &&
	    d.nlib == 2 && d.cache.alias &&
	    strcmp(d.cache.alias, "/etc/ld.so.cache") == 0 &&
	    strcmp(d.cache.uri, tpath("ld.so.cache")) == 0 &&
	    strcmp(d.lib[0].alias, tpath("cached/libq.so.1")) == 0,
	    "cache hit; the cache is a channel with its host uri");
	zvm_ldso_deps_free(&d);
	ok(zvm_ldso_deps(tpath("p-rpath"), &o, &d, &e) == 0 &&
	    d.cache.alias == NULL && d.interp.alias &&
	    strcmp(d.interp.alias, ld) == 0,
	    "no lookup reached the cache: no cache channel");
	zvm_ldso_deps_free(&d);

	/* Same library twice, one channel; a symlinked name opens twice. */
	if (symlink("libb.so", tpath("r/libb2.so")) == -1)
		perror("symlink");
	putelf("p-dup", &(struct spec){ .interp = ld, .rpath = "$ORIGIN/r",
	    .needed = { "libb.so", "liba.so", "libb2.so" } });
	deps_is("p-dup", NULL, NULL, 0, "r/libb.so r/liba.so r/libb2.so",
	    "breadth first, each path once");

	/* A DT_NEEDED with a '/' is opened as it is ($ORIGIN expanded). */
	putelf("p-slash", &(struct spec){ .interp = ld,
	    .needed = { "$ORIGIN/def/../def/libd.so" } });
	deps_is("p-slash", NULL, NULL, 0, "def/libd.so",
	    "path name, tidied alias");

	/* Every missing library is named. */
	putelf("p-miss", &(struct spec){ .interp = ld, .rpath = "$ORIGIN/r",
	    .needed = { "libnone.so.1", "liba.so", "libnone.so.2" } });
	ok(zvm_ldso_deps(tpath("p-miss"), &o, &d, &e) == -1 &&
	    e.code == ZVM_E_MISSING && d.nmissing == 2 &&
	    strstr(e.msg, "libraries not found: libnone.so.1 (needed by ") &&
	    strstr(e.msg, "libnone.so.2"), "all missing libraries named");
	zvm_ldso_deps_free(&d);

	/* Static, script, neither, foreign. */
	putelf("static", &(struct spec){ .type = 2 });
	ok(zvm_ldso_deps(tpath("static"), &o, &d, &e) == 0 &&
	    d.kind == ZVM_LDSO_STATIC && d.nlib == 0 && d.interp.alias ==
	    NULL, "no PT_INTERP: static, nothing to add");
	zvm_ldso_deps_free(&d);
	put("script", "#!/bin/sh\n", 10, 0755);
	ok(zvm_ldso_deps(tpath("script"), &o, &d, &e) == 0 &&
	    d.kind == ZVM_LDSO_SCRIPT && d.nlib == 0, "#! script: no deps");
	zvm_ldso_deps_free(&d);
	put("text", "hello\n", 6, 0755);
	ok(zvm_ldso_deps(tpath("text"), &o, &d, &e) == -1 &&
	    e.code == ZVM_E_VALUE && strcmp(e.file, tpath("text")) == 0,
	    "neither ELF nor script: error naming the file");
	zvm_ldso_deps_free(&d);
	putelf("p32", &(struct spec){ .interp = ld, .class32 = 1 });
	ok(zvm_ldso_deps(tpath("p32"), &o, &d, &e) == -1 &&
	    e.code == ZVM_E_VALUE, "32-bit program refused");
	zvm_ldso_deps_free(&d);
	ok(zvm_ldso_deps(tpath("nope"), &o, &d, &e) == -1 &&
	    e.code == ZVM_E_SYS && e.sys_errno == ENOENT, "missing program");
	zvm_ldso_deps_free(&d);
}

int
main(void)
{
	char cmd[600];

	parse_cases();
	subdir_cases();
	cache_cases();
	system_cache();
	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	resolver_cases();
	against_ldd("/bin/true");
	against_ldd("/usr/bin/python3");
	against_ldd("/usr/bin/perl");
	against_ldd("/usr/bin/ssh");
	against_ldd("/usr/bin/bash");
	{
		struct zvm_ldso_deps d;
		struct zvm_error e;

		if (access("/usr/bin/busybox", X_OK) == 0 &&
		    system("file -L /usr/bin/busybox 2>/dev/null | "
		    "grep -q 'statically linked'") == 0) {
			ok(zvm_ldso_deps("/usr/bin/busybox", NULL, &d, &e) == 0 &&
			    d.kind == ZVM_LDSO_STATIC && d.nlib == 0,
			    "busybox-static: static");
			zvm_ldso_deps_free(&d);
		} else
			ok(1, "# SKIP no static busybox");
	}
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		return 2;
	return done_testing();
}
