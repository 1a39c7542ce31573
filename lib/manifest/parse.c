/* SPDX-License-Identifier: ISC */
/*
 * parse - manifest bytes into lines and the model.  The input is split into
 * lines that keep their exact bytes and line ends; known keys are parsed
 * into the model.  Syntax only: the rules between keys and channels are
 * check.c's.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <strings.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

#include "manifest/manifest.h"
#include "manifest/private.h"

/* Where the value of a key that is one plain integer is kept. */
static uint64_t *
plain_number(struct zvm_manifest *m, int key)
{
	switch (key) {
	case ZVM_K_TIMEOUT:
		return &m->timeout;
	case ZVM_K_NODE:
		return &m->node;
	case ZVM_K_THREADS:
		return &m->threads;
	case ZVM_K_SCRATCH:
		return &m->scratch;
	default:
		return &m->files;
	}
}

/*
 * Parse one value of a key other than Channel and Env.  With store set,
 * the parsed number lands in the model.  Syntax only: ranges are checked
 * by zvm_manifest_check() so that zvm-edit can repair them.
 */
int
zvm_mf_parse_value(struct zvm_manifest *m, int key, const char *s,
    size_t n, int store, unsigned line, struct zvm_error *e)
{
	const char *name = zvm_key_name(key), *why;
	uint64_t v, tag;
	const char *comma;

	switch (key) {
	case ZVM_K_TIMEOUT:
	case ZVM_K_NODE:
	case ZVM_K_THREADS:
	case ZVM_K_FILES:
	case ZVM_K_SCRATCH:
		if (zvm_parse_uint(s, n, ZVM_INT_MAX, &v, &why) == -1)
			goto badnum;
		if (store)
			*plain_number(m, key) = v;
		return 0;
	case ZVM_K_MEMORY:
		comma = memchr(s, ',', n);
		if (comma == NULL || memchr(comma + 1, ',',
		    n - (size_t)(comma + 1 - s)) != NULL) {
			zvm_error_set(e, ZVM_E_FIELDS, m->name, line,
			    "Memory: expected bytes,etag (e.g. 4294967296,0), "
			    "got '%.*s'", (int)(n > 64 ? 64 : n), s);
			return -1;
		} else {
			size_t n1 = (size_t)(comma - s), n2 = n - n1 - 1;
			const char *s1 = zvm_trim(s, &n1);
			const char *s2 = zvm_trim(comma + 1, &n2);

			if (zvm_parse_uint(s1, n1, ZVM_INT_MAX, &v, &why) == -1) {
				s = s1, n = n1;
				goto badnum;
			}
			if (zvm_parse_uint(s2, n2, ZVM_INT_MAX, &tag, &why)
			    == -1) {
				zvm_error_set(e, ZVM_E_NUMBER, m->name, line,
				    "Memory: etag flag '%.*s': %s",
				    (int)(n2 > 64 ? 64 : n2), s2, why);
				return -1;
			}
			if (store) {
				m->memory = v;
				m->memory_etag = tag;
			}
		}
		return 0;
	default:
		if (n == 0) {
			zvm_error_set(e, ZVM_E_VALUE, m->name, line,
			    "%s: empty value", name);
			return -1;
		}
		return 0;
	}
badnum:
	zvm_error_set(e, ZVM_E_NUMBER, m->name, line, "%s: '%.*s': %s%s", name,
	    (int)(n > 64 ? 64 : n), s, why,
	    strcmp(why, "out of range") == 0 ? " (max 9223372036854775807)" :
	    "");
	return -1;
}

/* A value the reader would read back differently is refused. */
static int
add_line(struct zvm_manifest *m, const struct zvm_line *l)
{
	if (zvm_mf_grow((void **)&m->line, &m->capline, m->nline, sizeof *m->line))
		return -1;
	m->line[m->nline++] = *l;
	return 0;
}

static int
add_env(struct zvm_manifest *m, const char *s, size_t n, size_t lineidx,
    unsigned line, struct zvm_error *e)
{
	const char *eq = memchr(s, '=', n), *name, *val;
	size_t nn, vn;
	struct zvm_env *v;

	if (eq != NULL) {
		nn = (size_t)(eq - s);
		name = zvm_trim(s, &nn);
		vn = n - (size_t)(eq - s) - 1;
		val = zvm_trim(eq + 1, &vn);
	}
	if (eq == NULL || nn == 0 || memchr(name, ' ', nn) ||
	    memchr(name, '\t', nn)) {
		zvm_error_set(e, ZVM_E_VALUE, m->name, line,
		    "Env: expected NAME=value (NAME without blanks), got "
		    "'%.*s'",
		    (int)(n > 64 ? 64 : n), s);
		return -1;
	}
	if (zvm_mf_grow((void **)&m->env, &m->capenv, m->nenv, sizeof *m->env))
		return zvm_mf_nomem(e, m);
	v = &m->env[m->nenv];
	v->name = zvm_arena_strndup(&m->arena, name, nn);
	v->value = zvm_arena_strndup(&m->arena, val, vn);
	if (v->name == NULL || v->value == NULL)
		return zvm_mf_nomem(e, m);
	v->lineidx = lineidx;
	v->line = line;
	v->deleted = 0;
	m->nenv++;
	return 0;
}

static void
parse_line(struct zvm_manifest *m, size_t idx, struct zvm_buf *scratch,
    struct zvm_diag *d)
{
	struct zvm_line *l = &m->line[idx];
	const char *t = l->text, *eq, *k, *v;
	size_t kn, vn, n = l->len;
	struct zvm_error e;
	int key;

	l->kind = ZVM_L_BLANK;
	l->key = -1;
	l->item = NOLINE;
	k = zvm_trim(t, &n);
	if (n == 0)
		return;
	if (*k == '#' || *k == '=') {
		l->kind = ZVM_L_COMMENT;
		return;
	}
	l->kind = ZVM_L_UNKNOWN;
	if (memchr(t, '\0', l->len)) {
		zvm_diag_add(d, 0, ZVM_E_SYNTAX, m->name, l->lineno,
		    "NUL byte in line");
		return;
	}
	if ((eq = memchr(t, '=', l->len)) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_SYNTAX, m->name, l->lineno,
		    "expected Key = value, got '%.*s' (comment lines start "
		    "with '#')", (int)(n > 64 ? 64 : n), k);
		return;
	}
	kn = (size_t)(eq - t);
	k = zvm_trim(t, &kn);
	vn = l->len - (size_t)(eq + 1 - t);
	v = zvm_trim(eq + 1, &vn);
	l->vo = (size_t)(v - t);
	l->vn = vn;
	if ((key = zvm_key_lookup(k, kn)) == -1) {
		const char *hint = NULL;

		for (int i = 0; i < ZVM_NKEYS; i++)
			if (strlen(zvm_key_name(i)) == kn &&
			    strncasecmp(zvm_key_name(i), k, kn) == 0)
				hint = zvm_key_name(i);
		zvm_diag_add(d, 1, ZVM_E_UNKNOWN, m->name, l->lineno,
		    "warning: unknown key '%.*s' kept as is%s%s%s",
		    (int)(kn > 64 ? 64 : kn), k, hint ? " (keys are "
		    "case-sensitive: did you mean " : "", hint ? hint : "",
		    hint ? "?)" : "");
		return;
	}
	l->kind = ZVM_L_KEY;
	l->key = (signed char)key;
	if (m->nkey[key]++ == 0 && key != ZVM_K_CHANNEL && key != ZVM_K_ENV) {
		m->keyidx[key] = idx;
		m->value[key] = zvm_arena_strndup(&m->arena, v, vn);
		if (m->value[key] == NULL) {
			zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0,
			    "out of memory");
			return;
		}
	}
	if (key == ZVM_K_CHANNEL) {
		struct zvm_channel c;
		size_t span[4];

		if ((m->lean ? zvm_channel_scan(&c, v, vn, span, m->name,
		    l->lineno, &e) : zvm_channel_parse(&c, v, vn, &m->arena,
		    m->name, l->lineno, &e)) == -1) {
			m->badchan++;
			zvm_diag_push(d, &e);
			return;
		}
		if (m->nkey[ZVM_K_CHANNEL] == 1)
			m->spaced_comma = c.spaced;
		if (m->lean) {
			l->item = zvm_mf_seal(m, &c, v, span, scratch);
			return;
		}
		c.lineidx = idx;
		l->item = m->nchan;
		if (zvm_mf_add_chan(m, &c) == -1) {
			l->item = NOLINE;
			zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0,
			    "out of memory");
		}
	} else if (key == ZVM_K_ENV) {
		l->item = m->nenv;
		if (add_env(m, v, vn, idx, l->lineno, &e) == -1) {
			l->item = NOLINE;
			zvm_diag_push(d, &e);
		}
	} else if (zvm_mf_parse_value(m, key, v, vn, m->keyidx[key] == idx,
	    l->lineno, &e) == -1) {
		/* Reported once: the check skips a key that did not parse. */
		if (m->keyidx[key] == idx)
			m->keybad[key] = 1;
		zvm_diag_push(d, &e);
	}
}

/* Where the line splitter stands in m->buf, across the steps of a read. */
struct splitter {
	size_t start;		/* the first byte of the next line */
	size_t scanned;		/* no line end in buf[start .. scanned) */
	unsigned lineno;
	int first_key;
	struct zvm_buf scratch;	/* for parse_line() */
};

#define SPLITTER_INIT { .first_key = 1 }

/*
 * Split off and parse the lines of m->buf[sp->start .. m->len): the whole
 * ones, and at eof the rest.  -1: out of memory (d says so).
 */
static int
split(struct zvm_manifest *m, struct splitter *sp, int eof,
    struct zvm_diag *d)
{
	const char *buf = m->buf;
	size_t len = m->len;

	while (sp->start < len) {
		size_t from = sp->scanned > sp->start ? sp->scanned : sp->start;
		const char *nl = memchr(buf + from, '\n', len - from), *cr;
		struct zvm_line l = { 0 };
		size_t end;

		cr = memchr(buf + from, '\r',
		    (nl ? (size_t)(nl - buf) : len) - from);
		end = cr ? (size_t)(cr - buf) : nl ? (size_t)(nl - buf) : len;
		/* A line, or a CR that may start a CRLF, the next read ends. */
		if (!eof && (end == len || (cr && end + 1 == len))) {
			sp->scanned = end;
			return 0;
		}
		l.text = buf + sp->start;
		l.len = end - sp->start;
		l.lineno = ++sp->lineno;
		if (end == len)
			l.eol = ZVM_EOL_NONE;
		else if (buf[end] == '\n')
			l.eol = ZVM_EOL_LF, end++;
		else if (end + 1 < len && buf[end + 1] == '\n')
			l.eol = ZVM_EOL_CRLF, end += 2;
		else
			l.eol = ZVM_EOL_CR, end++;
		if (l.lineno == 1 && l.eol != ZVM_EOL_NONE)
			m->eol = l.eol;
		if (add_line(m, &l) == -1) {
			zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0,
			    "out of memory");
			return -1;
		}
		parse_line(m, m->nline - 1, &sp->scratch, d);
		if (sp->first_key && m->line[m->nline - 1].kind == ZVM_L_KEY) {
			const struct zvm_line *p = &m->line[m->nline - 1];
			const char *eq = memchr(p->text, '=', p->len);

			sp->first_key = 0;
			m->spaced_eq = eq > p->text &&
			    (eq[-1] == ' ' || eq[-1] == '\t');
		}
		sp->start = end;
	}
	return 0;
}

static int
set_name(struct zvm_manifest *m, const char *name, struct zvm_diag *d)
{
	if ((m->name = zvm_arena_strndup(&m->arena, name, strlen(name))) ==
	    NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, name, 0, "out of memory");
		return -1;
	}
	return 0;
}

int
zvm_manifest_parse(struct zvm_manifest *m, const char *name, const char *buf,
    size_t len, struct zvm_diag *d)
{
	struct splitter sp = SPLITTER_INIT;
	size_t nerr = d->nerr;

	if (set_name(m, name, d) == -1)
		return -1;
	if ((m->buf = malloc(len + 1)) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, name, 0, "out of memory");
		return -1;
	}
	if (len)
		memcpy(m->buf, buf, len);
	m->buf[len] = '\0';
	m->len = len;
	split(m, &sp, 1, d);
	zvm_buf_free(&sp.scratch);
	return d->nerr > nerr ? -1 : 0;
}

/* Double the buffer of a manifest being read; its lines move with it. */
static int
grow_buf(struct zvm_manifest *m, size_t *cap)
{
	char *p;

	if (*cap > SIZE_MAX / 2 || (p = malloc(*cap * 2)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	memcpy(p, m->buf, m->len + 1);
	for (size_t i = 0; i < m->nline; i++)
		m->line[i].text = p + (m->line[i].text - m->buf);
	free(m->buf);
	m->buf = p;
	*cap *= 2;
	return 0;
}

/* Ask for huge pages for a large buffer: 2,500 page faults become five. */
#define HUGE ((size_t)2 << 20)

static void
hugepages(void *p, size_t n)
{
	uintptr_t a = ((uintptr_t)p + HUGE - 1) & ~(uintptr_t)(HUGE - 1);
	uintptr_t e = ((uintptr_t)p + n) & ~(uintptr_t)(HUGE - 1);

	if (e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

/*
 * Bytes read at a time.  Each step is split and parsed at once, while it
 * is still in cache: a 100 MB manifest then parses at the speed of a
 * 10 MB one.
 */
#define STEP ((size_t)256 << 10)

int
zvm_manifest_load_fd(struct zvm_manifest *m, int fd, const char *name,
    struct zvm_diag *d)
{
	struct splitter sp = SPLITTER_INIT;
	size_t n0 = d->n, nerr = d->nerr, dropped = d->dropped, cap = STEP;
	unsigned char lean = m->lean;
	struct stat st;
	ssize_t r;
	int saved;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		zvm_diag_add(d, 0, ZVM_E_SYS, name, 0, "cannot read");
		return -1;
	}
	/* A regular file fits its buffer: its lines never move. */
	if (S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX / 2 - 2)
		cap = (size_t)st.st_size + 2;
	if (set_name(m, name, d) == -1)
		return -1;
	if ((m->buf = malloc(cap)) == NULL)
		goto fail;
	hugepages(m->buf, cap);
	m->buf[0] = '\0';
	for (;;) {
		if (cap - m->len < 2 && grow_buf(m, &cap) == -1)
			goto fail;
		r = read(fd, m->buf + m->len, cap - m->len - 1 < STEP ?
		    cap - m->len - 1 : STEP);
		if (r == 0)
			break;
		if (r < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		m->len += (size_t)r;
		m->buf[m->len] = '\0';
		if (split(m, &sp, 0, d) == -1)
			break;
	}
	if (r == 0)
		split(m, &sp, 1, d);
	zvm_buf_free(&sp.scratch);
	return d->nerr > nerr ? -1 : 0;
fail:
	/* As if nothing was read: the one error is that it could not be. */
	saved = errno;
	zvm_buf_free(&sp.scratch);
	zvm_manifest_free(m);
	m->lean = lean;
	d->n = n0;
	d->nerr = nerr;
	d->dropped = dropped;
	errno = saved;
	zvm_diag_add(d, 0, ZVM_E_SYS, name, 0, "cannot read");
	return -1;
}

int
zvm_manifest_load(struct zvm_manifest *m, const char *path,
    struct zvm_diag *d)
{
	int stdin_ = strcmp(path, "-") == 0;
	const char *name = stdin_ ? "<stdin>" : path;
	int fd = stdin_ ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	if (fd == -1) {
		zvm_diag_add(d, 0, ZVM_E_SYS, name, 0, "cannot open");
		return -1;
	}
	rc = zvm_manifest_load_fd(m, fd, name, d);
	if (!stdin_)
		close(fd);
	return rc;
}

