/* SPDX-License-Identifier: ISC */
/*
 * test_corpus - the manifest corpus.  For every NAME.manifest in
 * tests/data/invalid, parse + check must give exactly the lines of
 * NAME.expected (zvm_error_fmt's text, FILE = NAME.manifest, errors and
 * warnings in order) and at least one error; in tests/data/valid, no error
 * and the lines of NAME.expected if there is one (else none).  A NAME.todo
 * file marks a case the library is known to get wrong (TAP TODO).
 * Then properties over those and fuzz/corpus/manifest: written bytes equal
 * the input, a re-parse gives the same diagnostics, and changes that
 * change nothing (set a key to its value, rewrite a channel) keep every
 * byte.  Run from the repository root, as prove does.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "manifest/manifest.h"
#include "base/util.h"
#include "mtest.h"
#include "tap.h"

/* Sorted names of the regular files in dir ending in suffix ("": all). */
static char **
list_dir(const char *dir, const char *suffix, size_t *n)
{
	struct dirent **ents;
	char **names;
	int ne;

	*n = 0;
	if ((ne = scandir(dir, &ents, NULL, alphasort)) < 0)
		return NULL;
	names = calloc((size_t)ne + 1, sizeof *names);
	for (int i = 0; i < ne; i++) {
		const char *s = ents[i]->d_name;
		size_t l = strlen(s), sl = strlen(suffix);
		char path[4096];
		struct stat st;

		snprintf(path, sizeof path, "%s/%s", dir, s);
		if (names && s[0] != '.' && l > sl &&
		    strcmp(s + l - sl, suffix) == 0 && stat(path, &st) == 0 &&
		    S_ISREG(st.st_mode))
			names[(*n)++] = strdup(s);
		free(ents[i]);
	}
	free(ents);
	return names;
}

static void
free_list(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* Contents of dir/base+ext, or NULL when there is no such file. */
static char *
sidecar(const char *dir, const char *file, const char *ext)
{
	char path[4096];
	size_t len, bl = strlen(file) - strlen(".manifest");

	snprintf(path, sizeof path, "%s/%.*s%s", dir, (int)bl, file, ext);
	return mt_slurp(path, &len);
}

/* Diagnostics of parse + check of buf, as text; returns the error count. */
static size_t
diagnose(const char *name, const char *buf, size_t len, struct zvm_buf *out,
    struct zvm_manifest *m)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	size_t nerr;

	zvm_manifest_init(m);
	zvm_manifest_parse(m, name, buf, len, &d);
	zvm_manifest_check(m, &d);
	mt_diag_text(&d, 0, 0, out);
	nerr = d.nerr;
	zvm_diag_free(&d);
	return nerr;
}

/* Every NAME.manifest of dir against NAME.expected; returns files seen. */
static size_t
test_dir(const char *dir, int invalid)
{
	size_t n, nside;
	char **names = list_dir(dir, ".manifest", &n);
	char **side;

	for (size_t i = 0; i < n; i++) {
		char path[4096], tname[4200];
		char *buf, *want, *todo;
		size_t len, nerr;
		struct zvm_buf got = ZVM_BUF_INIT, out = ZVM_BUF_INIT;
		struct zvm_manifest m;
		int good;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((buf = mt_slurp(path, &len)) == NULL) {
			snprintf(tname, sizeof tname, "%s: readable", path);
			ok(0, tname);
			continue;
		}
		want = sidecar(dir, names[i], ".expected");
		todo = sidecar(dir, names[i], ".todo");
		nerr = diagnose(names[i], buf, len, &got, &m);
		snprintf(tname, sizeof tname, "%s: diagnostics as expected",
		    path);
		if (todo) {
			good = want && strcmp(got.p ? got.p : "", want) == 0;
			todo[strcspn(todo, "\n")] = '\0';
			tap_n++;
			printf("%sok %d - %s # TODO %s\n", good ? "" : "not ",
			    tap_n, tname, todo);
			if (!good)
				printf("#   got:\n%s#   want:\n%s",
				    got.p ? got.p : "", want ? want : "");
		} else if (want == NULL && invalid) {
			printf("# %s has no .expected file\n", path);
			ok(0, tname);
		} else
			is_str(got.p ? got.p : "", want ? want : "", tname);
		snprintf(tname, sizeof tname, "%s: %s", path, invalid ?
		    "at least one error" : "no error");
		ok(invalid ? nerr > 0 : nerr == 0, tname);
		zvm_manifest_write(&m, &out);
		snprintf(tname, sizeof tname, "%s: written back byte for byte",
		    path);
		ok(mt_same(&out, buf, len), tname);
		zvm_buf_free(&out);
		zvm_buf_free(&got);
		zvm_manifest_free(&m);
		free(buf);
		free(want);
		free(todo);
	}

	/* A sidecar without its manifest is a case that silently vanished. */
	side = list_dir(dir, "", &nside);
	{
		int orphans = 0;

		for (size_t i = 0; i < nside; i++) {
			char *dot = strrchr(side[i], '.');
			char base[1024];
			struct stat st;

			if (dot == NULL || strcmp(dot, ".manifest") == 0)
				continue;
			if (strcmp(dot, ".expected") != 0 &&
			    strcmp(dot, ".todo") != 0) {
				printf("# stray file %s/%s\n", dir, side[i]);
				orphans++;
				continue;
			}
			snprintf(base, sizeof base, "%s/%.*s.manifest", dir,
			    (int)(dot - side[i]), side[i]);
			if (stat(base, &st) != 0) {
				printf("# %s/%s has no manifest\n", dir,
				    side[i]);
				orphans++;
			}
		}
		{
			char tname[4200];

			snprintf(tname, sizeof tname, "%s: no stray or orphan "
			    "files", dir);
			is_int(orphans, 0, tname);
		}
	}
	free_list(side, nside);
	free_list(names, n);
	return n;
}

/* The properties for one input file; returns 1 when all hold. */
static int
properties(const char *path, const char *buf, size_t len)
{
	struct zvm_manifest m, m2;
	struct zvm_diag d = ZVM_DIAG_INIT, d2 = ZVM_DIAG_INIT;
	struct zvm_buf out = ZVM_BUF_INIT, t1 = ZVM_BUF_INIT, t2 = ZVM_BUF_INIT;
	struct zvm_error e;
	int good = 1, prc;

	zvm_manifest_init(&m);
	prc = zvm_manifest_parse(&m, "p", buf, len, &d);
	zvm_manifest_check(&m, &d);
	zvm_manifest_write(&m, &out);
	if (!mt_same(&out, buf, len)) {
		printf("# %s: written bytes differ from the input\n", path);
		good = 0;
	}

	/* The written bytes read the same. */
	zvm_manifest_init(&m2);
	zvm_manifest_parse(&m2, "p", out.p ? out.p : "", out.len, &d2);
	zvm_manifest_check(&m2, &d2);
	mt_diag_text(&d, 0, 1, &t1);
	mt_diag_text(&d2, 0, 1, &t2);
	if (strcmp(t1.p ? t1.p : "", t2.p ? t2.p : "") != 0) {
		printf("# %s: re-parse gives other diagnostics\n", path);
		good = 0;
	}
	zvm_manifest_free(&m2);

	/* Changes that change nothing keep every byte. */
	if (prc == 0) {
		for (int k = 0; k < ZVM_NKEYS; k++) {
			if (k == ZVM_K_CHANNEL || k == ZVM_K_ENV ||
			    m.nkey[k] != 1 || m.value[k] == NULL)
				continue;
			if (zvm_manifest_set(&m, k, m.value[k], &e) == -1) {
				printf("# %s: set %s to its own value '%s' "
				    "fails: %s\n", path, zvm_key_name(k),
				    m.value[k], e.msg);
				good = 0;
			}
		}
		for (size_t i = 0; i < m.nchan; i++)
			if (m.chan[i].spaced == m.spaced_comma &&
			    zvm_manifest_update_channel(&m, i, &e) == -1) {
				printf("# %s: rewriting channel %zu fails: %s\n",
				    path, i, e.msg);
				good = 0;
			}
		zvm_buf_free(&out);
		zvm_manifest_write(&m, &out);
		zvm_manifest_init(&m2);
		zvm_diag_free(&d2);
		if (zvm_manifest_parse(&m2, "p", out.p ? out.p : "", out.len,
		    &d2) != 0 || m2.nchan != m.nchan) {
			printf("# %s: no-op changes break the manifest\n",
			    path);
			good = 0;
		}
		for (size_t i = 0; good && i < m.nchan; i++) {
			const struct zvm_channel *a = &m.chan[i], *b = &m2.chan[i];

			if (strcmp(a->uri, b->uri) || strcmp(a->alias, b->alias) ||
			    a->type != b->type || a->etag != b->etag ||
			    memcmp(a->limit, b->limit, sizeof a->limit)) {
				printf("# %s: channel %zu changed\n", path, i);
				good = 0;
			}
		}
		zvm_manifest_free(&m2);
	}
	zvm_buf_free(&out);
	zvm_buf_free(&t1);
	zvm_buf_free(&t2);
	zvm_diag_free(&d);
	zvm_diag_free(&d2);
	zvm_manifest_free(&m);
	return good;
}

static size_t
test_properties(const char *dir)
{
	size_t n;
	char **names = list_dir(dir, "", &n);

	for (size_t i = 0; i < n; i++) {
		char path[4096], tname[4200];
		char *buf;
		size_t len;

		if (strstr(names[i], ".expected") || strstr(names[i], ".todo"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		snprintf(tname, sizeof tname, "%s: round trip properties",
		    path);
		buf = mt_slurp(path, &len);
		ok(buf && properties(path, buf, len), tname);
		free(buf);
	}
	free_list(names, n);
	return n;
}

int
main(void)
{
	static const char *const dirs[] = {
		"tests/data/invalid", "tests/data/valid", "fuzz/corpus/manifest"
	};
	char tname[256];

	for (int i = 0; i < 2; i++) {
		size_t n = test_dir(dirs[i], i == 0);

		snprintf(tname, sizeof tname, "%s holds manifests", dirs[i]);
		if (!ok(n > 0, tname))
			printf("# missing or empty: run from the repository "
			    "root\n");
	}
	for (int i = 0; i < 3; i++) {
		size_t n = test_properties(dirs[i]);

		snprintf(tname, sizeof tname, "%s holds property inputs",
		    dirs[i]);
		ok(n > 0, tname);
	}
	return done_testing();
}
