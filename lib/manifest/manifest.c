/* SPDX-License-Identifier: ISC */
/*
 * manifest - the model (lines, keys, channels, Env) and its changes.  A
 * change rewrites only the value part of the lines it touches (prefix and
 * trailing blanks stay), so untouched lines are written back byte for byte.
 * Reading is parse.c's, the rules check.c's, the bytes out write.c's.
 */
#include <stdlib.h>
#include <string.h>
#include <stdint.h>

#include "manifest/manifest.h"
#include "manifest/private.h"

static const char *const key_names[ZVM_NKEYS] = {
	[ZVM_K_VERSION] = "Version",
	[ZVM_K_PROGRAM] = "Program",
	[ZVM_K_TIMEOUT] = "Timeout",
	[ZVM_K_MEMORY] = "Memory",
	[ZVM_K_CHANNEL] = "Channel",
	[ZVM_K_NODE] = "Node",
	[ZVM_K_NAMESERVER] = "NameServer",
	[ZVM_K_JOB] = "Job",
	[ZVM_K_ETAG] = "Etag",
	[ZVM_K_ARGS] = "Args",
	[ZVM_K_ENV] = "Env",
	[ZVM_K_THREADS] = "Threads",
	[ZVM_K_FILES] = "Files",
	[ZVM_K_SCRATCH] = "Scratch",
};

const char *
zvm_key_name(int key)
{
	return key >= 0 && key < ZVM_NKEYS ? key_names[key] : "?";
}

int
zvm_key_lookup(const char *s, size_t n)
{
	for (int k = 0; k < ZVM_NKEYS; k++)
		if (n > 0 && key_names[k][0] == s[0] &&
		    strlen(key_names[k]) == n && memcmp(key_names[k], s, n) == 0)
			return k;
	return -1;
}

void
zvm_manifest_init(struct zvm_manifest *m)
{
	*m = (struct zvm_manifest)ZVM_MANIFEST_INIT;
	for (int k = 0; k < ZVM_NKEYS; k++)
		m->keyidx[k] = NOLINE;
}

void
zvm_manifest_free(struct zvm_manifest *m)
{
	free(m->buf);
	free(m->line);
	free(m->chan);
	free(m->env);
	zvm_arena_free(&m->arena);
	zvm_manifest_init(m);
}

char *
zvm_manifest_strdup(struct zvm_manifest *m, const char *s)
{
	return zvm_arena_strndup(&m->arena, s, strlen(s));
}

int
zvm_mf_grow(void **v, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	if ((p = realloc(*v, ncap * size)) == NULL)
		return -1;
	*v = p;
	*cap = ncap;
	return 0;
}

int
zvm_mf_nomem(struct zvm_error *e, const struct zvm_manifest *m)
{
	zvm_error_set(e, ZVM_E_NOMEM, m->name, 0, "out of memory");
	return -1;
}

static int
unreadable(const char *what, const char *s, struct zvm_error *e)
{
	size_t n = strlen(s), t = n;
	const char *p = zvm_trim(s, &t);

	if (strpbrk(s, "\r\n")) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "%s: value contains a "
		    "line break", what);
		return 1;
	}
	if (p != s || t != n) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "%s: value '%.64s' "
		    "starts or ends with a blank (manifest values are "
		    "trimmed)", what, s);
		return 1;
	}
	return 0;
}

int
zvm_mf_add_chan(struct zvm_manifest *m, const struct zvm_channel *c)
{
	if (zvm_mf_grow((void **)&m->chan, &m->capchan, m->nchan, sizeof *m->chan))
		return -1;
	m->chan[m->nchan++] = *c;
	return 0;
}

struct zvm_channel *
zvm_manifest_find(const struct zvm_manifest *m, const char *alias)
{
	for (size_t i = 0; i < m->nchan; i++)
		if (!m->chan[i].deleted && strcmp(m->chan[i].alias, alias) == 0)
			return &m->chan[i];
	return NULL;
}

size_t
zvm_manifest_nchannels(const struct zvm_manifest *m)
{
	size_t n = 0;

	if (m->lean) {
		for (size_t i = 0; i < m->nline; i++)
			n += zvm_mf_is_channel(&m->line[i]);
		return n;
	}
	for (size_t i = 0; i < m->nchan; i++)
		n += !m->chan[i].deleted;
	return n;
}

const char *
zvm_mf_alias(const struct zvm_manifest *m, size_t i, size_t *n)
{
	const struct zvm_line *l = &m->line[i];

	if (!zvm_mf_is_channel(l))
		return NULL;
	if (!m->lean) {
		*n = strlen(m->chan[l->item].alias);
		return m->chan[l->item].alias;
	}
	return zvm_channel_alias_span(l->text + l->vo, l->vn, n);
}

/* Give c the uri and alias of v (spans from zvm_channel_scan()) in s. */
static int
scratch_strings(struct zvm_channel *c, const char *v, const size_t span[4],
    struct zvm_buf *s)
{
	s->len = 0;
	zvm_buf_add(s, v + span[0], span[1]);
	zvm_buf_addc(s, '\0');
	zvm_buf_add(s, v + span[2], span[3]);
	zvm_buf_addc(s, '\0');
	if (s->oom)
		return -1;
	c->uri = s->p;
	c->alias = s->p + span[1] + 1;
	return 0;
}

/* Eight bytes a multiply: a byte at a time costs more than the lookup. */
uint32_t
zvm_mf_hash(const char *s, size_t n)
{
	const uint64_t k = 0x9e3779b97f4a7c15ULL;
	uint64_t h = n * k, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * k;
		h ^= h >> 29;
	}
	for (w = 0; n > 0; n--)
		w = w << 8 | (unsigned char)s[n - 1];
	h = (h ^ w) * k;
	h ^= h >> 32;
	return (uint32_t)h & 0x3fffffff;
}

size_t
zvm_mf_seal(const struct zvm_manifest *m, struct zvm_channel *c,
    const char *v, const size_t span[4], struct zvm_buf *s)
{
	struct zvm_diag d = ZVM_DIAG_INIT;
	size_t item;

	if (scratch_strings(c, v, span, s) == -1)
		return 0;
	item = zvm_channel_check(c, m->name, &d) == 0 && d.n == 0 ?
	    SEAL(zvm_mf_hash(v + span[2], span[3])) : 0;
	zvm_diag_free(&d);
	return item;
}

struct zvm_channel *
zvm_mf_channel(const struct zvm_manifest *m, size_t i,
    struct zvm_channel *tmp, struct zvm_buf *s)
{
	const struct zvm_line *l = &m->line[i];
	const char *v = l->text + l->vo;
	struct zvm_error e;
	size_t span[4];

	if (!zvm_mf_is_channel(l))
		return NULL;
	if (!m->lean)
		return &m->chan[l->item];
	/* The line parsed when it was read or written: this cannot fail. */
	if (zvm_channel_scan(tmp, v, l->vn, span, m->name, l->lineno, &e))
		return NULL;
	if (scratch_strings(tmp, v, span, s) == -1)
		return NULL;
	tmp->lineidx = i;
	return tmp;
}

/* ---- changes --------------------------------------------------------- */

/* Set l's value to v, keeping what surrounds the old value. */
static int
set_line_value(struct zvm_manifest *m, struct zvm_line *l, const char *v,
    size_t vn)
{
	size_t pre = l->vo, post = l->len - l->vo - l->vn;
	char *t = zvm_arena_alloc(&m->arena, pre + vn + post + 1);

	if (t == NULL)
		return -1;
	memcpy(t, l->text, pre);
	memcpy(t + pre, v, vn);
	memcpy(t + pre + vn, l->text + l->vo + l->vn, post);
	t[pre + vn + post] = '\0';
	l->text = t;
	l->len = pre + vn + post;
	l->vn = vn;
	return 0;
}

/* Insert a new "Key = value" line at index at; fixes every stored index. */
static int
insert_line(struct zvm_manifest *m, size_t at, int key, const char *v,
    size_t vn)
{
	const char *kn = key_names[key], *sep = m->spaced_eq ? " = " : "=";
	struct zvm_line l = { 0 };
	size_t pre = strlen(kn) + strlen(sep);
	char *t = zvm_arena_alloc(&m->arena, pre + vn + 1);

	if (t == NULL || zvm_mf_grow((void **)&m->line, &m->capline, m->nline,
	    sizeof *m->line))
		return -1;
	memcpy(t, kn, strlen(kn));
	memcpy(t + strlen(kn), sep, strlen(sep));
	memcpy(t + pre, v, vn);
	t[pre + vn] = '\0';
	l.text = t;
	l.len = pre + vn;
	l.vo = pre;
	l.vn = vn;
	l.eol = m->eol ? m->eol : ZVM_EOL_LF;
	l.kind = ZVM_L_KEY;
	l.key = (signed char)key;
	l.item = NOLINE;
	if (at > 0 && m->line[at - 1].eol == ZVM_EOL_NONE)
		m->line[at - 1].eol = l.eol;
	if (at < m->nline) {
		memmove(&m->line[at + 1], &m->line[at],
		    (m->nline - at) * sizeof *m->line);
		for (size_t i = 0; i < m->nchan; i++)
			m->chan[i].lineidx += m->chan[i].lineidx >= at;
		for (size_t i = 0; i < m->nenv; i++)
			m->env[i].lineidx += m->env[i].lineidx >= at;
		for (int k = 0; k < ZVM_NKEYS; k++)
			if (m->keyidx[k] != NOLINE && m->keyidx[k] >= at)
				m->keyidx[k]++;
	}
	m->line[at] = l;
	m->nline++;
	m->nkey[key]++;
	return 0;
}

/* Where a new line of key goes: after the last live line of its group. */
static size_t
insert_point(const struct zvm_manifest *m, int key)
{
	size_t at = NOLINE, any = NOLINE;

	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];

		if (l->deleted || l->kind != ZVM_L_KEY)
			continue;
		any = i;
		if ((key == ZVM_K_CHANNEL) == (l->key == ZVM_K_CHANNEL))
			at = i;
	}
	if (at != NOLINE)
		return at + 1;
	if (key == ZVM_K_CHANNEL)
		return any == NOLINE ? m->nline : any + 1;
	/* First header key: above the channels, below leading comments. */
	for (size_t i = 0; i < m->nline; i++)
		if (!m->line[i].deleted && m->line[i].kind == ZVM_L_KEY)
			return i;
	return m->nline;
}

static void
delete_line(struct zvm_manifest *m, size_t i)
{
	struct zvm_line *l = &m->line[i];

	if (l->deleted)
		return;
	l->deleted = 1;
	if (l->kind == ZVM_L_KEY && m->nkey[l->key] > 0)
		m->nkey[l->key]--;
}

int
zvm_manifest_set(struct zvm_manifest *m, int key, const char *value,
    struct zvm_error *e)
{
	size_t vn = strlen(value);
	char *copy;

	if (key < 0 || key >= ZVM_NKEYS || key == ZVM_K_CHANNEL ||
	    key == ZVM_K_ENV) {
		zvm_error_set(e, ZVM_E_EDIT, NULL, 0, "%s cannot be set as a "
		    "single key", zvm_key_name(key));
		return -1;
	}
	if (unreadable(key_names[key], value, e))
		return -1;
	if (zvm_mf_parse_value(m, key, value, vn, 0, 0, e) == -1) {
		e->file = NULL;
		return -1;
	}
	if ((copy = zvm_arena_strndup(&m->arena, value, vn)) == NULL)
		return zvm_mf_nomem(e, m);
	if (m->keyidx[key] == NOLINE || m->line[m->keyidx[key]].deleted) {
		size_t at = insert_point(m, key);

		if (insert_line(m, at, key, value, vn) == -1)
			return zvm_mf_nomem(e, m);
		m->keyidx[key] = at;
	} else if (set_line_value(m, &m->line[m->keyidx[key]], value, vn))
		return zvm_mf_nomem(e, m);
	/* Drop the duplicates: the edit decides the one value. */
	for (size_t i = 0; i < m->nline; i++)
		if (i != m->keyidx[key] && m->line[i].kind == ZVM_L_KEY &&
		    m->line[i].key == key)
			delete_line(m, i);
	m->value[key] = copy;
	zvm_mf_parse_value(m, key, value, vn, 1, 0, e);
	return 0;
}

size_t
zvm_manifest_unset(struct zvm_manifest *m, int key)
{
	size_t n = 0;

	if (key < 0 || key >= ZVM_NKEYS || key == ZVM_K_CHANNEL)
		return 0;
	for (size_t i = 0; i < m->nline; i++) {
		struct zvm_line *l = &m->line[i];

		if (!l->deleted && l->kind == ZVM_L_KEY && l->key == key) {
			delete_line(m, i);
			n++;
		}
	}
	if (key == ZVM_K_ENV)
		for (size_t i = 0; i < m->nenv; i++)
			m->env[i].deleted = 1;
	m->value[key] = NULL;
	m->keyidx[key] = NOLINE;
	return n;
}

size_t
zvm_manifest_unsetenv(struct zvm_manifest *m, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nenv; i++) {
		struct zvm_env *v = &m->env[i];

		if (v->deleted || strcmp(v->name, name) != 0)
			continue;
		v->deleted = 1;
		delete_line(m, v->lineidx);
		n++;
	}
	return n;
}

int
zvm_manifest_setenv(struct zvm_manifest *m, const char *name,
    const char *value, struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	size_t keep = NOLINE, at;
	int rc = -1;

	if (*name == '\0' || strchr(name, '=') ||
	    strpbrk(name, " \t\r\n\v\f")) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "Env: invalid name "
		    "'%.64s' (empty, or with '=' or blanks)", name);
		return -1;
	}
	if (unreadable("Env", value, e))
		return -1;
	zvm_buf_adds(&b, name);
	zvm_buf_addc(&b, '=');
	zvm_buf_adds(&b, value);
	if (b.oom)
		goto oom;
	for (size_t i = 0; i < m->nenv; i++) {
		struct zvm_env *v = &m->env[i];

		if (v->deleted || strcmp(v->name, name) != 0)
			continue;
		if (keep == NOLINE) {
			keep = i;
			continue;
		}
		v->deleted = 1;
		delete_line(m, v->lineidx);
	}
	if (keep != NOLINE) {
		struct zvm_env *v = &m->env[keep];

		if (set_line_value(m, &m->line[v->lineidx], b.p, b.len) ||
		    (v->value = zvm_manifest_strdup(m, value)) == NULL)
			goto oom;
		rc = 0;
		goto out;
	}
	at = insert_point(m, ZVM_K_ENV);
	if (insert_line(m, at, ZVM_K_ENV, b.p, b.len) == -1)
		goto oom;
	if (zvm_mf_grow((void **)&m->env, &m->capenv, m->nenv, sizeof *m->env))
		goto oom;
	m->line[at].item = m->nenv;
	m->env[m->nenv] = (struct zvm_env){ zvm_manifest_strdup(m, name),
	    zvm_manifest_strdup(m, value), at, 0, 0 };
	if (m->env[m->nenv].name == NULL || m->env[m->nenv].value == NULL)
		goto oom;
	m->nenv++;
	rc = 0;
	goto out;
oom:
	zvm_mf_nomem(e, m);
out:
	zvm_buf_free(&b);
	return rc;
}

static int
format_channel(struct zvm_manifest *m, const struct zvm_channel *c,
    struct zvm_buf *b, struct zvm_error *e)
{
	if (strchr(c->uri, ',') || strchr(c->alias, ',') || !*c->uri ||
	    !*c->alias) {
		zvm_error_set(e, ZVM_E_VALUE, NULL, 0, "Channel: uri and alias "
		    "must be non-empty, without ','");
		return -1;
	}
	if (c->type > ZVM_INT_MAX || c->etag > ZVM_INT_MAX ||
	    c->limit[0] > ZVM_INT_MAX || c->limit[1] > ZVM_INT_MAX ||
	    c->limit[2] > ZVM_INT_MAX || c->limit[3] > ZVM_INT_MAX) {
		zvm_error_set(e, ZVM_E_NUMBER, NULL, 0, "Channel %.64s: a "
		    "number is above 9223372036854775807", c->alias);
		return -1;
	}
	if (unreadable("Channel: uri", c->uri, e) ||
	    unreadable("Channel: alias", c->alias, e))
		return -1;
	zvm_channel_format(c, c->spaced, b);
	if (b->oom)
		return zvm_mf_nomem(e, m);
	return 0;
}

int
zvm_manifest_add_channel(struct zvm_manifest *m, const struct zvm_channel *c,
    struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_channel n = *c;
	size_t at;

	n.spaced = m->nkey[ZVM_K_CHANNEL] ? m->spaced_comma : c->spaced;
	n.uri = zvm_manifest_strdup(m, c->uri);
	n.alias = zvm_manifest_strdup(m, c->alias);
	n.deleted = 0;
	n.line = 0;
	if (n.uri == NULL || n.alias == NULL)
		return zvm_mf_nomem(e, m);
	if (format_channel(m, &n, &b, e) == -1) {
		zvm_buf_free(&b);
		return -1;
	}
	at = insert_point(m, ZVM_K_CHANNEL);
	if (insert_line(m, at, ZVM_K_CHANNEL, b.p, b.len) == -1 ||
	    (!m->lean && zvm_mf_add_chan(m, &n) == -1)) {
		zvm_buf_free(&b);
		return zvm_mf_nomem(e, m);
	}
	zvm_buf_free(&b);
	m->line[at].item = m->lean ? 0 : m->nchan - 1;
	if (!m->lean)
		m->chan[m->nchan - 1].lineidx = at;
	return 0;
}

int
zvm_mf_rewrite_channel(struct zvm_manifest *m, size_t i,
    const struct zvm_channel *c, struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	int rc;

	if ((rc = format_channel(m, c, &b, e)) == 0 &&
	    set_line_value(m, &m->line[i], b.p, b.len) == -1)
		rc = zvm_mf_nomem(e, m);
	zvm_buf_free(&b);
	/* New text, not checked yet. */
	if (m->lean)
		m->line[i].item = 0;
	return rc;
}

int
zvm_manifest_update_channel(struct zvm_manifest *m, size_t i,
    struct zvm_error *e)
{
	return zvm_mf_rewrite_channel(m, m->chan[i].lineidx, &m->chan[i], e);
}

void
zvm_mf_delete_channel_line(struct zvm_manifest *m, size_t i)
{
	if (!m->lean)
		zvm_manifest_delete_channel(m, m->line[i].item);
	else
		delete_line(m, i);
}

void
zvm_manifest_delete_channel(struct zvm_manifest *m, size_t i)
{
	struct zvm_channel *c = &m->chan[i];

	if (c->deleted)
		return;
	c->deleted = 1;
	delete_line(m, c->lineidx);
}

void
zvm_manifest_compact(struct zvm_manifest *m)
{
	size_t j = 0;

	for (size_t i = 0; i < m->nchan; i++) {
		if (m->chan[i].deleted)
			continue;
		m->chan[j] = m->chan[i];
		m->line[m->chan[j].lineidx].item = j;
		j++;
	}
	m->nchan = j;
}
