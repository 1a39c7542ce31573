/* SPDX-License-Identifier: ISC */
/*
 * ldso - dependency discovery as glibc 2.36's ld.so does it on x86-64,
 * by reading files only.  Files are mapped read-only and parsed by
 * lib/load/elf; whatever a library's strings are needed for later is copied
 * out, so one file is mapped at a time.
 * The search follows elf/dl-load.c: names already loaded (path, requested
 * names, DT_SONAME) are not searched again, then the RPATH chain of the
 * loader (unless it has a RUNPATH), LD_LIBRARY_PATH, the loader's
 * RUNPATH, the cache (lib/load/ldcache), the default directories; every
 * directory with the hwcaps subdirectories first (lib/load/hwcaps).
 * Dependencies are loaded breadth first, as _dl_map_object_deps does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "load/elf.h"
#include "load/ldcache.h"
#include "load/ldso.h"
#include "base/path.h"

#define DEFAULT_DIRS \
    "/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib:/usr/lib"

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
	struct zvm_hwcaps hw;
	const char *sub[ZVM_HWCAPS_MAXSUB];
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
	struct zvm_ldso_deps *out;
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
			repl = ZVM_LDSO_DST_LIB;
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
add_file(struct ctx *x, struct zvm_ldso_file *f, const char *path,
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
seen_alias(const struct zvm_ldso_deps *d, const char *alias)
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
	struct zvm_ldso_deps *d = x->out;
	struct zvm_ldso_file f = { 0 }, *v;
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

/* zvm_elf_parse() on a mapped file: on -1 it is unmapped and e is set. */
static int
parse_map(struct ctx *x, const char *path, void *map, size_t len,
    struct zvm_elf *elf)
{
	struct zvm_error pe;

	if (zvm_elf_parse(map, len, elf, &pe) == 0)
		return 0;
	unmap(map, len);
	if (pe.code == ZVM_E_NOMEM)
		return nomem(x);
	return file_error(x, ZVM_E_SYNTAX, path, pe.msg);
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
	if (parse_map(x, path, map, len, &elf) == -1)
		return -1;
	if (elf.kind == ZVM_ELF_FOREIGN) {
		unmap(map, len);
		return 0;
	}
	if (elf.kind == ZVM_ELF_NOTELF) {
		unmap(map, len);
		return file_error(x, ZVM_E_SYNTAX, path,
		    len < ZVM_ELF_EHDR_SIZE ? "file too short" :
		    "invalid ELF header");
	}
	if (must_dyn && elf.type != ZVM_ELF_ET_DYN) {
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
		if (add_file(x, &x->out->cache, ZVM_LDCACHE_PATH, NULL) == -1)
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
	struct zvm_ldso_deps *d = x->out;
	struct zvm_ldso_missing *v, m;
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
		if (cached && !((l->flags_1 & ZVM_ELF_DF_1_NODEFLIB) &&
		    in_default_dir(x, cached))) {
			char *p = strdup(cached);

			if (p == NULL)
				return nomem(x);
			rc = try_path(x, p, name, by, 1);
			free(p);
		}
	}
	l = &x->obj[by];
	if (rc == 0 && !(l->flags_1 & ZVM_ELF_DF_1_NODEFLIB))
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
	if (parse_map(x, interp, map, len, &elf) == -1)
		return -1;
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

/* Breadth first from object `from` on: objects are appended as they
 * load. */
static int
load_from(struct ctx *x, size_t from)
{
	for (size_t i = from; i < x->nobj; i++)
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

/* What a root's failure leaves: nothing, but for running out of memory. */
static int
forgive(struct ctx *x)
{
	if (x->e->code == ZVM_E_NOMEM)
		return -1;
	x->e->code = ZVM_E_OK;
	return 0;
}

/* The dlopen roots, each as dlopen() from the program maps it, and their
 * dependencies; what they miss is not missing for the program. */
static int
load_dlopen(struct ctx *x, const struct zvm_ldso_opts *opts)
{
	struct zvm_ldso_deps *d = x->out;
	size_t keep = d->nmissing;

	for (size_t r = 0; r < opts->ndlopen; r++) {
		const char *root = opts->dlopen[r];
		size_t from = x->nobj;

		if (loaded(x, root))
			continue;
		if (try_path(x, root, root, 0, 1) == -1 && forgive(x) == -1)
			return -1;
		if (load_from(x, from) == -1 && forgive(x) == -1)
			return -1;
	}
	while (d->nmissing > keep) {
		d->nmissing--;
		free(d->missing[d->nmissing].name);
		free(d->missing[d->nmissing].needed_by);
	}
	return 0;
}

static int
resolve(struct ctx *x, const char *program, const struct zvm_elf *elf,
    const struct zvm_ldso_opts *opts)
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
	if (load_from(x, 0) == -1)
		return -1;
	return load_dlopen(x, opts);
}

int
zvm_ldso_deps(const char *program, const struct zvm_ldso_opts *opts,
    struct zvm_ldso_deps *out, struct zvm_error *e)
{
	static const struct zvm_ldso_opts none;
	struct ctx x = { 0 };
	struct zvm_elf elf = ZVM_ELF_INIT;
	struct zvm_error pe;
	struct stat st;
	size_t len = 0;
	void *map = NULL;
	int rc = -1;

	if (opts == NULL)
		opts = &none;
	*out = (struct zvm_ldso_deps)ZVM_LDSO_DEPS_INIT;
	e->code = ZVM_E_OK;
	x.out = out;
	x.e = e;
	x.cachefile = opts->cache ? opts->cache : ZVM_LDCACHE_PATH;
	x.defdirs = opts->default_dirs ? opts->default_dirs : DEFAULT_DIRS;
	if (opts->hw)
		x.hw = *opts->hw;
	else
		zvm_hwcaps_host(&x.hw);
	x.nsub = zvm_hwcaps_subdirs(&x.hw, x.sub, x.subbuf, sizeof x.subbuf);
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
		out->kind = ZVM_LDSO_SCRIPT;
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
		out->kind = ZVM_LDSO_STATIC;
		rc = 0;
		goto out;
	}
	out->kind = ZVM_LDSO_DYNAMIC;
	if (resolve(&x, program, &elf, opts) == -1)
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
free_file(struct zvm_ldso_file *f)
{
	free(f->alias);
	free(f->uri);
	free(f->name);
}

void
zvm_ldso_deps_free(struct zvm_ldso_deps *d)
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
	*d = (struct zvm_ldso_deps)ZVM_LDSO_DEPS_INIT;
}
