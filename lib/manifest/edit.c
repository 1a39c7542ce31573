/* SPDX-License-Identifier: ISC */
/*
 * edit - the expression grammar of zvm-edit(1).  Parsing cuts a private
 * copy of the expression into NUL-terminated pieces and converts every
 * number, so applying an edit cannot fail on syntax; it only looks up
 * channels and calls the manifest's change primitives.
 */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "manifest/edit.h"
#include "manifest/private.h"

#define FIELDS_ALL ((1u << ZVM_NFIELDS) - 1)

static int
bad(struct zvm_error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
bad(struct zvm_error *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	zvm_error_vset(e, ZVM_E_EDIT, NULL, 0, fmt, ap);
	va_end(ap);
	return -1;
}

/* Trim s in place (blanks as zvm_trim) and return it. */
static char *
trim(char *s)
{
	size_t n = strlen(s);
	char *t = (char *)zvm_trim(s, &n);

	t[n] = '\0';
	return t;
}

/* Parse value v of channel field f into c; what names it in messages. */
static int
parse_field(struct zvm_channel *c, int f, char *v, const char *what,
    struct zvm_error *e)
{
	const char *why;
	uint64_t n;

	if (*v == '\0')
		return bad(e, "%s: empty value", what);
	switch (f) {
	case ZVM_F_URI:
		c->uri = v;
		return 0;
	case ZVM_F_ALIAS:
		c->alias = v;
		return 0;
	case ZVM_F_TYPE:
	case ZVM_F_ETAG:
		if (zvm_parse_uint(v, strlen(v), ZVM_INT_MAX, &n, &why) == -1)
			return bad(e, "%s: '%.64s': %s", what, v, why);
		*(f == ZVM_F_TYPE ? &c->type : &c->etag) = n;
		return 0;
	default:
		if (zvm_parse_size(v, &n, &why) == -1)
			return bad(e, "%s: '%.64s': %s", what, v, why);
		c->limit[f - ZVM_F_GETS] = n;
		return 0;
	}
}

/* "FIELD=VALUE[,FIELD=VALUE...]" */
static int
parse_assignments(struct zvm_edit *ed, char *s, struct zvm_error *e)
{
	char *next;

	for (; s; s = next) {
		char *eq, *name;
		int f;

		if ((next = strchr(s, ',')) != NULL)
			*next++ = '\0';
		if ((eq = strchr(s, '=')) == NULL)
			return bad(e, "'%.64s': expected FIELD=VALUE",
			    trim(s));
		*eq = '\0';
		name = trim(s);
		if ((f = zvm_field_lookup(name, strlen(name))) == -1)
			return bad(e, "unknown field '%.64s' (expected uri, "
			    "alias, type, etag, gets, get_size, puts or "
			    "put_size)", name);
		if (ed->fields & 1u << f)
			return bad(e, "field %s given twice", name);
		ed->fields |= 1u << f;
		if (parse_field(&ed->chan, f, trim(eq + 1), zvm_field_name(f),
		    e) == -1)
			return -1;
	}
	return 0;
}

/* "uri,alias,type,etag,gets,get_size,puts,put_size", quotas with suffixes */
static int
parse_channel(struct zvm_edit *ed, const char *s, struct zvm_error *e)
{
	if (zvm_channel_parse_arg(&ed->chan, s, &ed->arena, e) == -1) {
		if (e->code != ZVM_E_NOMEM)
			e->code = ZVM_E_EDIT;
		return -1;
	}
	ed->op = ZVM_EDIT_CHANNEL;
	ed->fields = FIELDS_ALL;
	return 0;
}

/* "KEY=VALUE" with s the key and v the value, both trimmed. */
static int
parse_set(struct zvm_edit *ed, char *s, char *v, struct zvm_error *e)
{
	const char *why;
	char *comma;
	uint64_t n;
	int key;

	if (*s == '\0')
		return bad(e, "empty key before '='");
	if ((key = zvm_key_lookup(s, strlen(s))) == -1) {
		for (int k = 0; k < ZVM_NKEYS; k++)
			if (strcasecmp(s, zvm_key_name(k)) == 0)
				return bad(e, "unknown key '%.64s' (keys are "
				    "case-sensitive: did you mean %s?)", s,
				    zvm_key_name(k));
		return bad(e, "unknown key '%.64s' (a channel selector starts "
		    "with '/' or is a glob, and is followed by ':')", s);
	}
	if (key == ZVM_K_CHANNEL)
		return parse_channel(ed, v, e);
	if (key == ZVM_K_ENV) {
		char *eq = strchr(v, '=');

		if (eq == NULL || eq == v)
			return bad(e, "Env: expected Env=NAME=VALUE");
		*eq = '\0';
		ed->op = ZVM_EDIT_SETENV;
		ed->name = trim(v);
		ed->value = trim(eq + 1);
		if (*ed->name == '\0')
			return bad(e, "Env: expected Env=NAME=VALUE");
		return 0;
	}
	ed->op = ZVM_EDIT_SET;
	ed->key = key;
	ed->value = v;
	if (*v == '\0')
		return bad(e, "%s: empty value", s);
	switch (key) {
	case ZVM_K_TIMEOUT:
	case ZVM_K_NODE:
	case ZVM_K_THREADS:
	case ZVM_K_FILES:
		if (zvm_parse_uint(v, strlen(v), ZVM_INT_MAX, &n, &why) == -1)
			return bad(e, "%s: '%.64s': %s", s, v, why);
		break;
	case ZVM_K_MEMORY:
		ed->memory_keep = (comma = strchr(v, ',')) == NULL;
		if (comma) {
			*comma = '\0';
			v = trim(v);
			comma = trim(comma + 1);
			if (zvm_parse_uint(comma, strlen(comma), ZVM_INT_MAX,
			    &ed->memory_etag, &why) == -1)
				return bad(e, "Memory: etag flag '%.64s': %s",
				    comma, why);
		}
		if (zvm_parse_size(v, &ed->memory, &why) == -1)
			return bad(e, "Memory: '%.64s': %s", v, why);
		break;
	case ZVM_K_SCRATCH:
		if (zvm_parse_size(v, &ed->scratch, &why) == -1)
			return bad(e, "Scratch: '%.64s': %s", v, why);
		break;
	}
	return 0;
}

/* "KEY:..." without '=': KEY:delete, Env:delete, Env:NAME:delete. */
static int
parse_unset(struct zvm_edit *ed, int key, char *rest, char *eq,
    struct zvm_error *e)
{
	char *colon = strrchr(rest, ':');

	if (key == ZVM_K_CHANNEL)
		return bad(e, "channels are selected by alias: "
		    "SELECTOR:delete");
	if (eq == NULL && strcmp(trim(rest), "delete") == 0) {
		ed->op = ZVM_EDIT_UNSET;
		ed->key = key;
		return 0;
	}
	if (key == ZVM_K_ENV && eq == NULL && colon != NULL &&
	    strcmp(trim(colon + 1), "delete") == 0) {
		*colon = '\0';
		ed->op = ZVM_EDIT_UNSETENV;
		ed->name = trim(rest);
		if (*ed->name)
			return 0;
	}
	if (key == ZVM_K_ENV)
		return bad(e, "expected Env=NAME=VALUE, Env:delete or "
		    "Env:NAME:delete");
	return bad(e, "expected %s=VALUE or %s:delete", zvm_key_name(key),
	    zvm_key_name(key));
}

int
zvm_edit_parse(struct zvm_edit *ed, const char *expr, struct zvm_error *e)
{
	char *s, *eq, *colon = NULL, *sel, *rest;
	size_t n;
	int key;

	*ed = (struct zvm_edit)ZVM_EDIT_INIT;
	if ((ed->buf = strdup(expr)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	s = ed->buf;
	if (strpbrk(s, "\r\n"))
		return bad(e, "line break in expression");
	/* The selector ends at the last ':' before the first '='. */
	eq = strchr(s, '=');
	for (char *p = s; *p && p != eq; p++)
		if (*p == ':')
			colon = p;
	if (colon == NULL) {
		if (eq == NULL)
			return bad(e, "expected SELECTOR:FIELD=VALUE, "
			    "SELECTOR:delete, KEY=VALUE or KEY:delete");
		*eq = '\0';
		return parse_set(ed, trim(s), trim(eq + 1), e);
	}
	/* KEY:delete and Env:NAME:delete start with a key and a ':'. */
	n = strcspn(s, ":");
	rest = s + n + 1;
	s = (char *)zvm_trim(s, &n);
	if ((key = zvm_key_lookup(s, n)) != -1)
		return parse_unset(ed, key, rest, eq, e);
	s = ed->buf;
	*colon = '\0';
	sel = trim(s);
	rest = colon + 1;
	if (*sel == '\0')
		return bad(e, "empty selector before ':'");
	ed->glob = strpbrk(sel, "*?[") != NULL;
	if (*sel != '/' && !ed->glob)
		return bad(e, "selector '%.64s' is neither an alias (starting "
		    "with '/') nor a glob", sel);
	ed->sel = sel;
	if (eq == NULL) {
		if (strcmp(trim(rest), "delete") != 0)
			return bad(e, "'%.64s': expected FIELD=VALUE or delete "
			    "after ':'", trim(rest));
		ed->op = ZVM_EDIT_DELETE;
		return 0;
	}
	ed->op = ZVM_EDIT_FIELDS;
	return parse_assignments(ed, rest, e);
}

void
zvm_edit_free(struct zvm_edit *ed)
{
	free(ed->buf);
	zvm_arena_free(&ed->arena);
	*ed = (struct zvm_edit)ZVM_EDIT_INIT;
}

/* Does the alias a (n bytes, not NUL-ended) match ed?  s: scratch. */
static int
matches(const struct zvm_edit *ed, const char *a, size_t n,
    struct zvm_buf *s)
{
	const char *sel = ed->op == ZVM_EDIT_CHANNEL ? ed->chan.alias : ed->sel;

	if (ed->op == ZVM_EDIT_CHANNEL || !ed->glob)
		return strlen(sel) == n && memcmp(sel, a, n) == 0;
	s->len = 0;
	zvm_buf_add(s, a, n);
	zvm_buf_addc(s, '\0');
	return !s->oom && fnmatch(sel, s->p, 0) == 0;
}

/* Give the channel of line i the fields of ed; rewrite the line only if
 * one changed. */
static int
assign(struct zvm_manifest *m, size_t i, const struct zvm_edit *ed,
    struct zvm_buf *s, struct zvm_error *e)
{
	const struct zvm_channel *v = &ed->chan;
	struct zvm_channel tmp, *c;
	int changed = 0;

	if ((c = zvm_mf_channel(m, i, &tmp, s)) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	for (int f = 0; f < ZVM_NFIELDS; f++) {
		const char **sp = f == ZVM_F_URI ? &c->uri : &c->alias;
		const char *sv = f == ZVM_F_URI ? v->uri : v->alias;
		uint64_t *np, nv;

		if (!(ed->fields & 1u << f))
			continue;
		if (f <= ZVM_F_ALIAS) {
			if (strcmp(*sp, sv) == 0)
				continue;
			if ((*sp = zvm_manifest_strdup(m, sv)) == NULL) {
				zvm_error_set(e, ZVM_E_NOMEM, NULL, 0,
				    "out of memory");
				return -1;
			}
			changed = 1;
			continue;
		}
		np = f == ZVM_F_TYPE ? &c->type : f == ZVM_F_ETAG ? &c->etag :
		    &c->limit[f - ZVM_F_GETS];
		nv = f == ZVM_F_TYPE ? v->type : f == ZVM_F_ETAG ? v->etag :
		    v->limit[f - ZVM_F_GETS];
		changed |= *np != nv;
		*np = nv;
	}
	return changed ? zvm_mf_rewrite_channel(m, i, c, e) : 0;
}

/*
 * The channels are walked by line, so the same code serves a lean
 * manifest, whose channels are only lines.
 */
static int
apply_channels(struct zvm_manifest *m, const struct zvm_edit *ed,
    struct zvm_error *e)
{
	const char *sel = ed->op == ZVM_EDIT_CHANNEL ? ed->chan.alias : ed->sel;
	int exact = ed->op == ZVM_EDIT_CHANNEL || !ed->glob;
	uint32_t hv = zvm_mf_hash(sel, strlen(sel));
	struct zvm_buf s = ZVM_BUF_INIT;
	size_t hits = 0, n;
	const char *a;
	int rc = 0;

	for (size_t i = 0; i < m->nline && rc == 0; i++) {
		const struct zvm_line *l = &m->line[i];

		/* A sealed line knows its alias's hash. */
		if (exact && m->lean && zvm_mf_is_channel(l) &&
		    SEALED(l->item) && SEAL_HASH(l->item) != hv)
			continue;
		if ((a = zvm_mf_alias(m, i, &n)) == NULL ||
		    !matches(ed, a, n, &s))
			continue;
		hits++;
		if (ed->op == ZVM_EDIT_DELETE)
			zvm_mf_delete_channel_line(m, i);
		else
			rc = assign(m, i, ed, &s, e);
	}
	if (rc == 0 && s.oom) {
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		rc = -1;
	}
	zvm_buf_free(&s);
	if (rc == -1)
		return -1;
	switch (ed->op) {
	case ZVM_EDIT_DELETE:
		if (hits)
			zvm_manifest_compact(m);
		return 0;
	case ZVM_EDIT_CHANNEL:
		return hits ? 0 : zvm_manifest_add_channel(m, &ed->chan, e);
	default:
		if (hits == 0) {
			zvm_error_set(e, ZVM_E_NOMATCH, NULL, 0,
			    "no channel matches '%.128s'", ed->sel);
			return -1;
		}
		return 0;
	}
}

int
zvm_edit_apply(struct zvm_manifest *m, const struct zvm_edit *ed,
    struct zvm_error *e)
{
	char mem[48];
	uint64_t flag;

	switch (ed->op) {
	case ZVM_EDIT_SET:
		if (ed->key == ZVM_K_SCRATCH) {
			snprintf(mem, sizeof mem, "%llu",
			    (unsigned long long)ed->scratch);
			return zvm_manifest_set(m, ed->key, mem, e);
		}
		if (ed->key != ZVM_K_MEMORY)
			return zvm_manifest_set(m, ed->key, ed->value, e);
		flag = ed->memory_etag;
		if (ed->memory_keep)
			flag = m->value[ZVM_K_MEMORY] ? m->memory_etag : 0;
		snprintf(mem, sizeof mem, "%llu,%llu",
		    (unsigned long long)ed->memory, (unsigned long long)flag);
		return zvm_manifest_set(m, ZVM_K_MEMORY, mem, e);
	case ZVM_EDIT_UNSET:
		zvm_manifest_unset(m, ed->key);
		return 0;
	case ZVM_EDIT_SETENV:
		return zvm_manifest_setenv(m, ed->name, ed->value, e);
	case ZVM_EDIT_UNSETENV:
		zvm_manifest_unsetenv(m, ed->name);
		return 0;
	default:
		return apply_channels(m, ed, e);
	}
}
