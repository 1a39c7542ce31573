/* SPDX-License-Identifier: ISC */
/*
 * manifest - the Key = value file.  The input is split into lines that keep
 * their exact bytes and line ends; known keys are parsed into the model.
 * A change rewrites only the value part of the lines it touches (prefix and
 * trailing blanks stay), so untouched lines are written back byte for byte.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <limits.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "manifest/args.h"
#include "manifest/manifest.h"

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
};

static const char *const eol_bytes[] = { "", "\n", "\r\n", "\r" };

#define NOLINE ((size_t)-1)

const char *
zvm_key_name(int key)
{
	return key >= 0 && key < ZVM_NKEYS ? key_names[key] : "?";
}

int
zvm_key_lookup(const char *s, size_t n)
{
	for (int k = 0; k < ZVM_NKEYS; k++)
		if (strlen(key_names[k]) == n && memcmp(key_names[k], s, n) == 0)
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

static int
grow(void **v, size_t *cap, size_t n, size_t size)
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

static int
nomem(struct zvm_error *e, const struct zvm_manifest *m)
{
	zvm_error_set(e, ZVM_E_NOMEM, m->name, 0, "out of memory");
	return -1;
}

/*
 * Parse one value of a key other than Channel and Env.  With store set,
 * the parsed number lands in the model.  Syntax only: ranges are checked
 * by zvm_manifest_check() so that zvm-edit can repair them.
 */
static int
parse_value(struct zvm_manifest *m, int key, const char *s, size_t n,
    int store, unsigned line, struct zvm_error *e)
{
	const char *name = key_names[key], *why;
	uint64_t v, tag;
	const char *comma;

	switch (key) {
	case ZVM_K_TIMEOUT:
	case ZVM_K_NODE:
		if (zvm_parse_uint(s, n, ZVM_INT_MAX, &v, &why) == -1)
			goto badnum;
		if (store)
			*(key == ZVM_K_TIMEOUT ? &m->timeout : &m->node) = v;
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

static int
add_line(struct zvm_manifest *m, const struct zvm_line *l)
{
	if (grow((void **)&m->line, &m->capline, m->nline, sizeof *m->line))
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
	if (grow((void **)&m->env, &m->capenv, m->nenv, sizeof *m->env))
		return nomem(e, m);
	v = &m->env[m->nenv];
	v->name = zvm_arena_strndup(&m->arena, name, nn);
	v->value = zvm_arena_strndup(&m->arena, val, vn);
	if (v->name == NULL || v->value == NULL)
		return nomem(e, m);
	v->lineidx = lineidx;
	v->line = line;
	v->deleted = 0;
	m->nenv++;
	return 0;
}

static int
add_chan(struct zvm_manifest *m, const struct zvm_channel *c)
{
	if (grow((void **)&m->chan, &m->capchan, m->nchan, sizeof *m->chan))
		return -1;
	m->chan[m->nchan++] = *c;
	return 0;
}

/* Classify and parse line l (already appended as m->line[idx]). */
static void
parse_line(struct zvm_manifest *m, size_t idx, struct zvm_diag *d)
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
			if (strlen(key_names[i]) == kn &&
			    strncasecmp(key_names[i], k, kn) == 0)
				hint = key_names[i];
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

		if (zvm_channel_parse(&c, v, vn, &m->arena, m->name,
		    l->lineno, &e) == -1) {
			m->badchan++;
			zvm_diag_push(d, &e);
			return;
		}
		if (m->nkey[ZVM_K_CHANNEL] == 1)
			m->spaced_comma = c.spaced;
		c.lineidx = idx;
		l->item = m->nchan;
		if (add_chan(m, &c) == -1)
			zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0,
			    "out of memory");
	} else if (key == ZVM_K_ENV) {
		l->item = m->nenv;
		if (add_env(m, v, vn, idx, l->lineno, &e) == -1) {
			l->item = NOLINE;
			zvm_diag_push(d, &e);
		}
	} else if (parse_value(m, key, v, vn, m->keyidx[key] == idx,
	    l->lineno, &e) == -1) {
		/* Reported once: the check skips a key that did not parse. */
		if (m->keyidx[key] == idx)
			m->keybad[key] = 1;
		zvm_diag_push(d, &e);
	}
}

int
zvm_manifest_parse(struct zvm_manifest *m, const char *name, const char *buf,
    size_t len, struct zvm_diag *d)
{
	size_t nerr = d->nerr, start = 0;
	unsigned lineno = 0;
	int first_key = 1;

	if ((m->name = zvm_arena_strndup(&m->arena, name, strlen(name))) ==
	    NULL || (m->buf = malloc(len + 1)) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, name, 0, "out of memory");
		return -1;
	}
	if (len)
		memcpy(m->buf, buf, len);
	m->buf[len] = '\0';
	m->len = len;
	while (start < len) {
		const char *nl = memchr(m->buf + start, '\n', len - start), *cr;
		struct zvm_line l = { 0 };
		size_t end;

		cr = memchr(m->buf + start, '\r',
		    (nl ? (size_t)(nl - m->buf) : len) - start);
		end = cr ? (size_t)(cr - m->buf) : nl ? (size_t)(nl - m->buf) :
		    len;
		l.text = m->buf + start;
		l.len = end - start;
		l.lineno = ++lineno;
		if (end == len)
			l.eol = ZVM_EOL_NONE;
		else if (m->buf[end] == '\n')
			l.eol = ZVM_EOL_LF, end++;
		else if (end + 1 < len && m->buf[end + 1] == '\n')
			l.eol = ZVM_EOL_CRLF, end += 2;
		else
			l.eol = ZVM_EOL_CR, end++;
		if (lineno == 1 && l.eol != ZVM_EOL_NONE)
			m->eol = l.eol;
		if (add_line(m, &l) == -1) {
			zvm_diag_add(d, 0, ZVM_E_NOMEM, name, 0, "out of memory");
			return -1;
		}
		parse_line(m, m->nline - 1, d);
		if (first_key && m->line[m->nline - 1].kind == ZVM_L_KEY) {
			const struct zvm_line *p = &m->line[m->nline - 1];
			const char *eq = memchr(p->text, '=', p->len);

			first_key = 0;
			m->spaced_eq = eq > p->text &&
			    (eq[-1] == ' ' || eq[-1] == '\t');
		}
		start = end;
	}
	return d->nerr > nerr ? -1 : 0;
}

int
zvm_manifest_load_fd(struct zvm_manifest *m, int fd, const char *name,
    struct zvm_diag *d)
{
	struct stat st;
	size_t len;
	char *buf;
	void *map;
	int rc;

	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		zvm_diag_add(d, 0, ZVM_E_SYS, name, 0, "cannot read");
		return -1;
	}
	/*
	 * The parser copies its input, so a large file is mapped: one copy,
	 * not two.  A small one is cheaper to read than to map.
	 */
	if (S_ISREG(st.st_mode) && st.st_size >= 65536 &&
	    (uintmax_t)st.st_size < SIZE_MAX / 2 && (map = mmap(NULL,
	    (size_t)st.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd,
	    0)) != MAP_FAILED) {
		rc = zvm_manifest_parse(m, name, map, (size_t)st.st_size, d);
		munmap(map, (size_t)st.st_size);
		return rc;
	}
	if (zvm_read_fd(fd, &buf, &len) == -1) {
		zvm_diag_add(d, 0, ZVM_E_SYS, name, 0, "cannot read");
		return -1;
	}
	rc = zvm_manifest_parse(m, name, buf, len, d);
	free(buf);
	return rc;
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

void
zvm_manifest_write(const struct zvm_manifest *m, struct zvm_buf *out)
{
	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];

		if (l->deleted)
			continue;
		zvm_buf_add(out, l->text, l->len);
		zvm_buf_adds(out, eol_bytes[l->eol]);
	}
}

static int
writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
zvm_manifest_write_fd(const struct zvm_manifest *m, int fd)
{
	uintptr_t lo = (uintptr_t)m->buf, hi = lo + m->len;
	struct iovec iov[IOV_MAX];
	int n = 0;

	/*
	 * A run of lines still in the input buffer, line ends included, is
	 * one iovec: for a large manifest the copy would cost more than the
	 * parse.
	 */
	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];
		const char *eol = eol_bytes[l->eol];
		size_t elen = strlen(eol);
		uintptr_t t = (uintptr_t)l->text;
		int inbuf;

		if (l->deleted)
			continue;
		inbuf = t >= lo && t + l->len + elen <= hi &&
		    memcmp(l->text + l->len, eol, elen) == 0;
		if (inbuf && n > 0 && (uintptr_t)iov[n - 1].iov_base >= lo &&
		    (uintptr_t)iov[n - 1].iov_base + iov[n - 1].iov_len == t) {
			iov[n - 1].iov_len += l->len + elen;
			continue;
		}
		if (n + 2 > IOV_MAX) {
			if (writev_all(fd, iov, n) == -1)
				return -1;
			n = 0;
		}
		iov[n++] = (struct iovec){ (void *)l->text, l->len };
		if (inbuf)
			iov[n - 1].iov_len += elen;
		else if (elen)
			iov[n++] = (struct iovec){ (void *)eol, elen };
	}
	return writev_all(fd, iov, n);
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

	for (size_t i = 0; i < m->nchan; i++)
		n += !m->chan[i].deleted;
	return n;
}

/* ---- checks ---------------------------------------------------------- */

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
			    key_names[required[i]]);
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
		    "duplicate %s (first %s)", key_names[l->key],
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


static void
check_channels(const struct zvm_manifest *m, struct zvm_diag *d)
{
	size_t n = zvm_manifest_nchannels(m), size = 16;
	struct { uint64_t h; size_t i; } *tab;	/* the hash spares strcmps */
	int std[3] = { 0, 0, 0 };
	char buf[32];

	while (size < 2 * n)
		size *= 2;
	if ((tab = malloc(size * sizeof *tab)) == NULL) {
		zvm_diag_add(d, 0, ZVM_E_NOMEM, m->name, 0, "out of memory");
		return;
	}
	memset(tab, 0xff, size * sizeof *tab);
	for (size_t i = 0; i < m->nchan; i++) {
		const struct zvm_channel *c = &m->chan[i];
		uint64_t hv;
		size_t h;
		int s;

		if (c->deleted)
			continue;
		zvm_channel_check(c, m->name, d);
		if ((s = zvm_std_alias(c->alias)) >= 0)
			std[s] = 1;
		hv = hash_str(c->alias);
		for (h = hv & (size - 1); tab[h].i != NOLINE;
		    h = (h + 1) & (size - 1))
			if (tab[h].h == hv &&
			    strcmp(m->chan[tab[h].i].alias, c->alias) == 0)
				break;
		if (tab[h].i == NOLINE) {
			tab[h].h = hv;
			tab[h].i = i;
		} else
			zvm_diag_add(d, 0, ZVM_E_DUPLICATE, m->name, c->line,
			    "Channel: duplicate alias %.64s (first %s)",
			    c->alias, where(m->chan[tab[h].i].line, buf,
			    sizeof buf));
	}
	free(tab);
	/* A Channel line that did not parse may be the missing one. */
	for (int s = 0; s < 3 && m->badchan == 0; s++)
		if (!std[s])
			zvm_diag_add(d, 0, ZVM_E_MISSING, m->name, 0,
			    "missing channel %s (the three standard channels "
			    "are required)", s == 0 ? "/dev/stdin" :
			    s == 1 ? "/dev/stdout" : "/dev/stderr");
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

	if (t == NULL || grow((void **)&m->line, &m->capline, m->nline,
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
	if (parse_value(m, key, value, vn, 0, 0, e) == -1) {
		e->file = NULL;
		return -1;
	}
	if ((copy = zvm_arena_strndup(&m->arena, value, vn)) == NULL)
		return nomem(e, m);
	if (m->keyidx[key] == NOLINE || m->line[m->keyidx[key]].deleted) {
		size_t at = insert_point(m, key);

		if (insert_line(m, at, key, value, vn) == -1)
			return nomem(e, m);
		m->keyidx[key] = at;
	} else if (set_line_value(m, &m->line[m->keyidx[key]], value, vn))
		return nomem(e, m);
	/* Drop the duplicates: the edit decides the one value. */
	for (size_t i = 0; i < m->nline; i++)
		if (i != m->keyidx[key] && m->line[i].kind == ZVM_L_KEY &&
		    m->line[i].key == key)
			delete_line(m, i);
	m->value[key] = copy;
	parse_value(m, key, value, vn, 1, 0, e);
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
	if (grow((void **)&m->env, &m->capenv, m->nenv, sizeof *m->env))
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
	nomem(e, m);
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
		return nomem(e, m);
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
		return nomem(e, m);
	if (format_channel(m, &n, &b, e) == -1) {
		zvm_buf_free(&b);
		return -1;
	}
	at = insert_point(m, ZVM_K_CHANNEL);
	if (insert_line(m, at, ZVM_K_CHANNEL, b.p, b.len) == -1 ||
	    add_chan(m, &n) == -1) {
		zvm_buf_free(&b);
		return nomem(e, m);
	}
	zvm_buf_free(&b);
	m->line[at].item = m->nchan - 1;
	m->chan[m->nchan - 1].lineidx = at;
	return 0;
}

int
zvm_manifest_update_channel(struct zvm_manifest *m, size_t i,
    struct zvm_error *e)
{
	struct zvm_channel *c = &m->chan[i];
	struct zvm_buf b = ZVM_BUF_INIT;
	int rc;

	if ((rc = format_channel(m, c, &b, e)) == 0 &&
	    set_line_value(m, &m->line[c->lineidx], b.p, b.len) == -1)
		rc = nomem(e, m);
	zvm_buf_free(&b);
	return rc;
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
