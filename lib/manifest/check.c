/* SPDX-License-Identifier: ISC */
/*
 * check - the manifest rules that need no file system: required and
 * duplicate keys, values, Env names, channels and their aliases.  Every
 * problem is reported, in line order within each rule.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "manifest/args.h"
#include "manifest/manifest.h"
#include "manifest/private.h"


static void
check_missing(const struct zvm_manifest *m, struct zvm_diag *d)
{
	static const int required[] = {
		ZVM_K_VERSION, ZVM_K_PROGRAM, ZVM_K_TIMEOUT, ZVM_K_MEMORY
	};

	for (size_t i = 0; i < sizeof required / sizeof *required; i++)
		if (m->nkey[required[i]] == 0)
			zvm_diag_add(d, 0, ZVM_E_MISSING, m->name, 0,
			    "missing required key %s",
			    zvm_key_name(required[i]));
}

/* "on line N", or for a line a change added, "added by an edit". */
static const char *
where(unsigned line, char *buf, size_t n)
{
	if (line == 0)
		return "added by an edit";
	snprintf(buf, n, "on line %u", line);
	return buf;
}

static void
check_duplicates(const struct zvm_manifest *m, struct zvm_diag *d)
{
	char buf[32];

	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];

		if (l->deleted || l->kind != ZVM_L_KEY ||
		    l->key == ZVM_K_CHANNEL || l->key == ZVM_K_ENV ||
		    m->keyidx[l->key] == i)
			continue;
		zvm_diag_add(d, 0, ZVM_E_DUPLICATE, m->name, l->lineno,
		    "duplicate %s (first %s)", zvm_key_name(l->key),
		    where(m->line[m->keyidx[l->key]].lineno, buf, sizeof buf));
	}
}

static unsigned
key_line(const struct zvm_manifest *m, int key)
{
	return m->keyidx[key] == NOLINE ? 0 : m->line[m->keyidx[key]].lineno;
}

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static void check_env(const struct zvm_manifest *, struct zvm_diag *);

static void
check_keys(const struct zvm_manifest *m, struct zvm_diag *d)
{
	const char *why, *s;
	char **argv;
	size_t argc;
	struct zvm_arena a = ZVM_ARENA_INIT;

#define GOOD(k) (m->value[k] && !m->keybad[k])
	if (GOOD(ZVM_K_VERSION) && strcmp(s = m->value[ZVM_K_VERSION],
	    ZVM_VERSION_STRING))
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
		    key_line(m, ZVM_K_VERSION), "Version: '%.64s' is not "
		    "supported (expected %s)", s, ZVM_VERSION_STRING);
	if (GOOD(ZVM_K_TIMEOUT) && m->timeout < 1)
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
		    key_line(m, ZVM_K_TIMEOUT),
		    "Timeout: must be at least 1 second, got 0");
	if (GOOD(ZVM_K_MEMORY)) {
		unsigned line = key_line(m, ZVM_K_MEMORY);

		if (m->memory < 1)
			zvm_diag_add(d, 0, ZVM_E_VALUE, m->name, line,
			    "Memory: must be at least 1 byte, got 0");
		if (m->memory_etag > 1)
			zvm_diag_add(d, 0, ZVM_E_VALUE, m->name, line,
			    "Memory: etag flag must be 0 or 1, got %llu",
			    (unsigned long long)m->memory_etag);
	}
	if (GOOD(ZVM_K_THREADS) && (m->threads < 1 ||
	    m->threads > ZVM_THREADS_MAX))
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
		    key_line(m, ZVM_K_THREADS), "Threads: must be 1 to %d, "
		    "got %llu", ZVM_THREADS_MAX,
		    (unsigned long long)m->threads);
	if (GOOD(ZVM_K_FILES) && m->files > ZVM_FILES_MAX)
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
		    key_line(m, ZVM_K_FILES), "Files: must be 0 to %d, "
		    "got %llu", ZVM_FILES_MAX, (unsigned long long)m->files);
	/* Scratch: any size, 0 included (a directory for empty files). */
	if (GOOD(ZVM_K_NODE) && m->node < 1)
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
		    key_line(m, ZVM_K_NODE), "Node: must be at least 1, got 0");
	if ((s = m->value[ZVM_K_NAMESERVER])) {
		unsigned line = key_line(m, ZVM_K_NAMESERVER);

		if (!zvm_nameserver_ok(s, &why))
			zvm_diag_add(d, 0, ZVM_E_VALUE, m->name, line,
			    "NameServer: '%.64s': %s", s, why);
		if (m->nkey[ZVM_K_NODE] == 0)
			zvm_diag_add(d, 0, ZVM_E_MISSING, m->name, line,
			    "NameServer needs a Node key");
	}
	if ((s = m->value[ZVM_K_JOB]) && strlen(s) > 108)
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name, key_line(m, ZVM_K_JOB),
		    "Job: socket path longer than 108 bytes");
	if ((s = m->value[ZVM_K_ARGS]) &&
	    zvm_args_split(s, &a, &argv, &argc, &why) == -1)
		zvm_diag_add(d, 0, ZVM_E_VALUE, m->name, key_line(m, ZVM_K_ARGS),
		    "Args: %s", why);
#undef GOOD
	zvm_arena_free(&a);
	check_env(m, d);
}

/* Env names must be unique; a hash keeps 100,000 lines linear. */
static void
check_env(const struct zvm_manifest *m, struct zvm_diag *d)
{
	size_t size = 16, *tab;
	char buf[32];

	while (size < 2 * m->nenv)
		size *= 2;
	if ((tab = malloc(size * sizeof *tab)) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
		return;
	}
	memset(tab, 0xff, size * sizeof *tab);
	for (size_t i = 0; i < m->nenv; i++) {
		const struct zvm_env *v = &m->env[i];
		size_t h;

		if (v->deleted)
			continue;
		for (h = hash_str(v->name) & (size - 1); tab[h] != NOLINE;
		    h = (h + 1) & (size - 1))
			if (strcmp(m->env[tab[h]].name, v->name) == 0)
				break;
		if (tab[h] == NOLINE)
			tab[h] = i;
		else
			zvm_diag_add(d, 0, ZVM_E_DUPLICATE, m->name, v->line,
			    "duplicate Env %.64s (first %s)", v->name,
			    where(m->env[tab[h]].line, buf, sizeof buf));
	}
	free(tab);
}


/* Does the alias of channel line i equal a[0..n)? */
static int
same_alias(const struct zvm_manifest *m, size_t i, const char *a, size_t n)
{
	size_t bn;
	const char *b = zvm_mf_alias(m, i, &bn);

	return b != NULL && bn == n && memcmp(a, b, n) == 0;
}

/* The hash of the alias of channel line i, as a seal keeps it. */
static uint32_t
alias_hash(const struct zvm_manifest *m, size_t i)
{
	const struct zvm_line *l = &m->line[i];
	const char *a;
	size_t n;

	if (m->lean && SEALED(l->item))
		return SEAL_HASH(l->item);
	a = zvm_mf_alias(m, i, &n);
	return zvm_mf_hash(a, n);
}

/* Is alias a[0..n) the Scratch directory or inside it? */
static int
in_scratch(const char *a, size_t n)
{
	size_t k = sizeof(ZVM_SCRATCH_ALIAS) - 1;

	return n >= k && memcmp(a, ZVM_SCRATCH_ALIAS, k) == 0 &&
	    (n == k || a[k] == '/');
}

#define BIT(set, b)	((set)[(b) >> 3] & 1u << ((b) & 7))
#define SETBIT(set, b)	((set)[(b) >> 3] |= 1u << ((b) & 7))

/*
 * Per-channel rules and unique aliases, in line order.  A table of every
 * alias would miss the cache on each lookup of a large manifest, so a
 * first pass marks in two bit sets that stay in cache the hashes seen and
 * those seen twice, and only the channels of the latter go into the table
 * (a hash and a line index: aliases are compared when hashes agree).  A
 * sealed line passed its own rules when it was read: only its alias takes
 * part.
 */
static void
check_channels(const struct zvm_manifest *m, struct zvm_diag *d)
{
	static const char *const stdname[3] = {
		"/dev/stdin", "/dev/stdout", "/dev/stderr"
	};
	size_t nbits = 4096, nrep = 0, size = 16;
	struct { uint32_t h, i; } *tab = NULL;
	struct zvm_buf s = ZVM_BUF_INIT;
	struct zvm_channel tmp, *c;
	unsigned char *seen = NULL, *twice;
	uint32_t stdhash[3];
	int std[3] = { 0, 0, 0 };
	char buf[32];

	/* nkey counts every Channel line, live ones and bad ones. */
	while (nbits < 16 * (size_t)m->nkey[ZVM_K_CHANNEL] &&
	    nbits < (size_t)1 << 24)
		nbits *= 2;
	if (m->nline >= UINT32_MAX || (seen = calloc(2, nbits / 8)) == NULL)
		goto oom;
	twice = seen + nbits / 8;
	for (size_t i = 0; i < m->nline; i++) {
		size_t b;

		if (!zvm_mf_is_channel(&m->line[i]))
			continue;
		b = alias_hash(m, i) & (nbits - 1);
		if (!BIT(seen, b))
			SETBIT(seen, b);
		else {
			SETBIT(twice, b);
			nrep++;
		}
	}
	/* At most 2 * nrep channels share a bit with another. */
	while (size < 4 * nrep)
		size *= 2;
	if ((tab = malloc(size * sizeof *tab)) == NULL)
		goto oom;
	memset(tab, 0xff, size * sizeof *tab);
	for (int k = 0; k < 3; k++)
		stdhash[k] = zvm_mf_hash(stdname[k], strlen(stdname[k]));
	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];
		const char *a = NULL;
		size_t h, an = 0;
		uint32_t hv;

		if (m->lean && zvm_mf_is_channel(l) && SEALED(l->item)) {
			hv = SEAL_HASH(l->item);
			for (int k = 0; k < 3; k++)
				if (hv == stdhash[k] && same_alias(m, i,
				    stdname[k], strlen(stdname[k])))
					std[k] = 1;
		} else if ((c = zvm_mf_channel(m, i, &tmp, &s)) != NULL) {
			int k;

			zvm_channel_check(c, m->name, d);
			if ((k = zvm_std_alias(c->alias)) >= 0)
				std[k] = 1;
			a = c->alias;
			an = strlen(a);
			hv = zvm_mf_hash(a, an);
		} else
			continue;
		if (m->value[ZVM_K_SCRATCH]) {
			if (a == NULL)
				a = zvm_mf_alias(m, i, &an);
			if (a && in_scratch(a, an))
				zvm_diag_add(d, 0, ZVM_E_VALUE, m->name,
				    l->lineno, "Channel: alias %.*s is in the "
				    "Scratch directory " ZVM_SCRATCH_ALIAS
				    " (Scratch: line %u)",
				    (int)(an > 64 ? 64 : an), a,
				    key_line(m, ZVM_K_SCRATCH));
		}
		if (!BIT(twice, hv & (nbits - 1)))
			continue;
		for (h = hv & (size - 1); tab[h].i != UINT32_MAX;
		    h = (h + 1) & (size - 1)) {
			if (tab[h].h != hv)
				continue;
			if (a == NULL)
				a = zvm_mf_alias(m, i, &an);
			if (same_alias(m, tab[h].i, a, an))
				break;
		}
		if (tab[h].i == UINT32_MAX) {
			tab[h].h = hv;
			tab[h].i = (uint32_t)i;
		} else
			zvm_diag_add(d, 0, ZVM_E_DUPLICATE, m->name, l->lineno,
			    "Channel: duplicate alias %.*s (first %s)",
			    (int)(an > 64 ? 64 : an), a,
			    where(m->line[tab[h].i].lineno, buf, sizeof buf));
	}
	free(tab);
	free(seen);
	if (s.oom)
		zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
	zvm_buf_free(&s);
	/* A Channel line that did not parse may be the missing one. */
	for (int k = 0; k < 3 && m->badchan == 0; k++)
		if (!std[k])
			zvm_diag_add(d, 0, ZVM_E_MISSING, m->name, 0,
			    "missing channel %s (the three standard channels "
			    "are required)", stdname[k]);
	return;
oom:
	free(seen);
	zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
}

int
zvm_manifest_check(const struct zvm_manifest *m, struct zvm_diag *d)
{
	size_t nerr = d->nerr;

	check_missing(m, d);
	check_duplicates(m, d);
	check_keys(m, d);
	check_channels(m, d);
	return d->nerr > nerr ? -1 : 0;
}
