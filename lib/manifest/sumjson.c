/* SPDX-License-Identifier: ISC */
/*
 * sumjson - read the json report of zvm-run (lib/manifest/report.c) for
 * zvm-etag -c.  A strict RFC 8259 parser builds a small tree (nodes in one array,
 * decoded strings in one buffer, both addressed by index), then the tree
 * is checked against the report's shape.  Any syntax error, wrong type,
 * missing key or malformed digest makes the whole report unusable: a
 * report that is half right verifies nothing.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/sumfile.h"
#include "base/util.h"

#define MAXDEPTH	32
#define NONE		((size_t)-1)

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

static const char *const tname[] = { "null", "a boolean", "a number",
    "a string", "an array", "an object" };

struct jnode {
	int type;
	unsigned line;
	size_t str, len;	/* J_STR: decoded bytes in jp.str; J_NUM:
				 * its text, at jp.start + str */
	size_t key, klen;	/* as an object member: its key */
	size_t child, next;	/* first child; next sibling (NONE) */
};

struct jp {
	const char *start, *p, *end;
	unsigned line;
	struct jnode *n;
	size_t nn, cap;
	struct zvm_buf str;
	const char *why;	/* the first error (msg); NULL */
	char msg[128];
	unsigned errline;
	int oom;
	int shape;		/* checking the tree, not parsing */
};

static size_t
oom(struct jp *j)
{
	j->oom = 1;
	return NONE;
}

/* Keep the first error, formatted, with its line. */
__attribute__((format(printf, 2, 3))) static size_t
fail(struct jp *j, const char *why, ...)
{
	va_list ap;

	if (j->why != NULL || j->oom)
		return NONE;
	j->why = j->msg;
	j->errline = j->line;
	if (!j->shape && j->p >= j->end) {
		/* Name the last line that holds anything. */
		const char *p = j->end;

		while (p > j->start && (p[-1] == ' ' || p[-1] == '\t' ||
		    p[-1] == '\r' || p[-1] == '\n'))
			if (*--p == '\n')
				j->errline--;
		snprintf(j->msg, sizeof j->msg, "unexpected end of the report");
		return NONE;
	}
	va_start(ap, why);
	vsnprintf(j->msg, sizeof j->msg, why, ap);
	va_end(ap);
	return NONE;
}

static int
failed(const struct jp *j)
{
	return j->why != NULL || j->oom;
}

static void
ws(struct jp *j)
{
	for (; j->p < j->end; j->p++) {
		if (*j->p == '\n')
			j->line++;
		else if (*j->p != ' ' && *j->p != '\t' && *j->p != '\r')
			break;
	}
}

static size_t
node(struct jp *j, int type)
{
	struct jnode *n;

	if (j->nn == j->cap) {
		size_t cap = j->cap ? 2 * j->cap : 64;

		if ((n = realloc(j->n, cap * sizeof(*n))) == NULL)
			return oom(j);
		j->n = n;
		j->cap = cap;
	}
	n = &j->n[j->nn];
	memset(n, 0, sizeof(*n));
	n->type = type;
	n->line = j->line;
	n->child = n->next = NONE;
	return j->nn++;
}

static int
hex4(const char *s, unsigned *out)
{
	unsigned v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		int d = zvm_hexval((unsigned char)s[i]);

		if (d < 0)
			return -1;
		v = v << 4 | (unsigned)d;
	}
	*out = v;
	return 0;
}

static void
utf8(struct zvm_buf *b, unsigned c)
{
	if (c < 0x80)
		zvm_buf_addc(b, (int)c);
	else if (c < 0x800) {
		zvm_buf_addc(b, (int)(0xc0 | c >> 6));
		zvm_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else if (c < 0x10000) {
		zvm_buf_addc(b, (int)(0xe0 | c >> 12));
		zvm_buf_addc(b, (int)(0x80 | (c >> 6 & 0x3f)));
		zvm_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	} else {
		zvm_buf_addc(b, (int)(0xf0 | c >> 18));
		zvm_buf_addc(b, (int)(0x80 | (c >> 12 & 0x3f)));
		zvm_buf_addc(b, (int)(0x80 | (c >> 6 & 0x3f)));
		zvm_buf_addc(b, (int)(0x80 | (c & 0x3f)));
	}
}

/*
 * A string at j->p (the opening quote) into j->str, NUL-terminated; *off
 * and *len say where.  Bytes of 0x80 and up pass as they are: report.c
 * writes file names byte for byte, and those need not be UTF-8.  A NUL
 * (\u0000) is refused: no name or digest holds one.
 */
static int
string(struct jp *j, size_t *off, size_t *len)
{
	const char *p = j->p + 1;
	unsigned c, lo;

	*off = j->str.len;
	for (;;) {
		if (p == j->end)
			return fail(j, "unterminated string"), -1;
		if (*p == '"')
			break;
		if ((unsigned char)*p < 0x20)
			return fail(j, "control character in a string"), -1;
		if (*p != '\\') {
			zvm_buf_addc(&j->str, *p++);
			continue;
		}
		if (++p == j->end)
			return fail(j, "unterminated string"), -1;
		switch (*p++) {
		case '"': zvm_buf_addc(&j->str, '"'); break;
		case '\\': zvm_buf_addc(&j->str, '\\'); break;
		case '/': zvm_buf_addc(&j->str, '/'); break;
		case 'b': zvm_buf_addc(&j->str, '\b'); break;
		case 'f': zvm_buf_addc(&j->str, '\f'); break;
		case 'n': zvm_buf_addc(&j->str, '\n'); break;
		case 'r': zvm_buf_addc(&j->str, '\r'); break;
		case 't': zvm_buf_addc(&j->str, '\t'); break;
		case 'u':
			if (j->end - p < 4 || hex4(p, &c) == -1)
				return fail(j, "bad \\u escape"), -1;
			p += 4;
			if (c >= 0xdc00 && c <= 0xdfff)
				return fail(j, "lone low surrogate"), -1;
			if (c >= 0xd800 && c <= 0xdbff) {
				if (j->end - p < 6 || p[0] != '\\' ||
				    p[1] != 'u' || hex4(p + 2, &lo) == -1 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return fail(j, "lone high surrogate"),
					    -1;
				p += 6;
				c = 0x10000 + ((c - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			if (c == 0)
				return fail(j, "\\u0000 in a string"), -1;
			utf8(&j->str, c);
			break;
		default:
			return fail(j, "bad escape in a string"), -1;
		}
	}
	*len = j->str.len - *off;
	zvm_buf_addc(&j->str, '\0');
	if (j->str.oom)
		return oom(j), -1;
	j->p = p + 1;
	return 0;
}

static int
isdig(const char *p, const char *end)
{
	return p < end && *p >= '0' && *p <= '9';
}

/* RFC 8259: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int
number(struct jp *j)
{
	const char *p = j->p;

	if (p < j->end && *p == '-')
		p++;
	if (!isdig(p, j->end))
		return -1;
	if (*p++ != '0')
		while (isdig(p, j->end))
			p++;
	if (p < j->end && *p == '.') {
		if (!isdig(++p, j->end))
			return -1;
		while (isdig(p, j->end))
			p++;
	}
	if (p < j->end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < j->end && (*p == '+' || *p == '-'))
			p++;
		if (!isdig(p, j->end))
			return -1;
		while (isdig(p, j->end))
			p++;
	}
	j->p = p;
	return 0;
}

static int
word(struct jp *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static size_t value(struct jp *, int depth);

/* Members or elements after the opening bracket; close is '}' or ']'. */
static size_t
container(struct jp *j, int depth, int type)
{
	size_t self, last = NONE, v, k, klen;
	int close = type == J_OBJ ? '}' : ']';

	if (depth > MAXDEPTH)
		return fail(j, "nested too deeply");
	if ((self = node(j, type)) == NONE)
		return NONE;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		return self;
	}
	for (;;) {
		if (type == J_OBJ) {
			ws(j);
			if (j->p == j->end || *j->p != '"')
				return fail(j, "expected a key string");
			if (string(j, &k, &klen) == -1)
				return NONE;
			ws(j);
			if (j->p == j->end || *j->p++ != ':')
				return fail(j, "expected ':' after a key");
			for (v = j->n[self].child; v != NONE; v = j->n[v].next)
				if (j->n[v].klen == klen && memcmp(j->str.p +
				    j->n[v].key, j->str.p + k, klen) == 0)
					return fail(j, "duplicate key \"%s\"",
					    j->str.p + k);
		}
		if ((v = value(j, depth + 1)) == NONE)
			return NONE;
		if (type == J_OBJ) {
			j->n[v].key = k;
			j->n[v].klen = klen;
		}
		if (last == NONE)
			j->n[self].child = v;
		else
			j->n[last].next = v;
		last = v;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return self;
		}
		return fail(j, type == J_OBJ ? "expected ',' or '}'" :
		    "expected ',' or ']'");
	}
}

static size_t
value(struct jp *j, int depth)
{
	size_t v;

	ws(j);
	if (j->p == j->end)
		return fail(j, "unexpected end of the report");
	switch (*j->p) {
	case '{':
		return container(j, depth, J_OBJ);
	case '[':
		return container(j, depth, J_ARR);
	case '"':
		if ((v = node(j, J_STR)) == NONE)
			return NONE;
		if (string(j, &j->n[v].str, &j->n[v].len) == -1)
			return NONE;
		return v;
	case 't':
	case 'f':
		if (word(j, *j->p == 't' ? "true" : "false") == -1)
			return fail(j, "not a json value");
		return node(j, J_BOOL);
	case 'n':
		if (word(j, "null") == -1)
			return fail(j, "not a json value");
		return node(j, J_NULL);
	default: {
		const char *s = j->p;
		size_t num;

		if (number(j) == -1)
			return fail(j, "not a json value");
		if ((num = node(j, J_NUM)) != NONE) {
			j->n[num].str = (size_t)(s - j->start);
			j->n[num].len = (size_t)(j->p - s);
		}
		return num;
	}
	}
}

/* The member key of object o, or NONE. */
static size_t
member(const struct jp *j, size_t o, const char *key)
{
	size_t v, n = strlen(key);

	for (v = j->n[o].child; v != NONE; v = j->n[v].next)
		if (j->n[v].klen == n &&
		    memcmp(j->str.p + j->n[v].key, key, n) == 0)
			return v;
	return NONE;
}

/*
 * Check that member key of object o, if present (or required), has the
 * type wanted (a second type, or -1).  Returns the member, or NONE with
 * j->why set for a wrong one, NONE alone for an absent optional one.
 */
static size_t
typed(struct jp *j, size_t o, const char *key, int required, int t1, int t2)
{
	size_t v = member(j, o, key);

	if (v == NONE) {
		if (required) {
			j->line = j->n[o].line;
			fail(j, "no \"%s\"", key);
		}
		return NONE;
	}
	if (j->n[v].type != t1 && j->n[v].type != t2) {
		j->line = j->n[v].line;
		return fail(j, "\"%s\" is %s, not %s%s%s", key,
		    tname[j->n[v].type], tname[t1], t2 < 0 ? "" : " or ",
		    t2 < 0 ? "" : tname[t2]);
	}
	return v;
}

/* A digest member: 32 hex digits, or null (returns 0 with *on = 0). */
static int
digest(struct jp *j, size_t o, const char *key, int required,
    unsigned char d[ZVM_ETAG_LEN], int *on)
{
	size_t v = typed(j, o, key, required, J_STR, J_NULL);

	*on = 0;
	if (v == NONE)
		return failed(j) ? -1 : 0;
	if (j->n[v].type == J_NULL)
		return 0;
	if (zvm_etag_parse(j->str.p + j->n[v].str, j->n[v].len, d) == -1) {
		j->line = j->n[v].line;
		fail(j, "\"%s\" is not 32 hex digits", key);
		return -1;
	}
	*on = 1;
	return 0;
}

/* zvm_sum_prefix() of channel object c. */
static int
prefix_of(const struct jp *j, size_t c, uint64_t *len)
{
	size_t g = member(j, c, "get_size"), p = member(j, c, "puts");

	if (g == NONE || p == NONE)
		return 0;
	return zvm_sum_prefix(j->start + j->n[g].str, j->n[g].len,
	    j->start + j->n[p].str, j->n[p].len, len);
}

static const char *const numkeys[] = { "exit", "signal", "time", "memory",
    NULL };
static const char *const chnumkeys[] = { "type", "gets", "get_size", "puts",
    "put_size", NULL };

static int
shape(struct jp *j, size_t root, struct zvm_sumjson *out)
{
	unsigned char d[ZVM_ETAG_LEN];
	size_t ch, c, u, nd;
	const char *why;
	int i, on;

	if (j->n[root].type != J_OBJ) {
		j->line = j->n[root].line;
		return fail(j, "the report is not an object"), -1;
	}
	typed(j, root, "state", 1, J_STR, -1);
	for (i = 0; numkeys[i]; i++)
		typed(j, root, numkeys[i], 0, J_NUM, -1);
	if ((nd = typed(j, root, "node", 0, J_NUM, -1)) != NONE &&
	    zvm_parse_uint(j->start + j->n[nd].str, j->n[nd].len, UINT32_MAX,
	    &out->node, &why) == -1)
		out->node = 0;
	typed(j, root, "message", 0, J_STR, -1);
	typed(j, root, "cpu", 0, J_OBJ, -1);
	typed(j, root, "denied", 0, J_OBJ, -1);
	typed(j, root, "limits", 0, J_ARR, -1);
	if (digest(j, root, "memory_etag", 0, d, &on) == -1 || failed(j))
		return -1;
	if ((ch = typed(j, root, "channels", 1, J_ARR, -1)) == NONE)
		return -1;
	for (c = j->n[ch].child; c != NONE; c = j->n[c].next) {
		if (j->n[c].type != J_OBJ) {
			j->line = j->n[c].line;
			return fail(j, "a channel is not an object"), -1;
		}
		u = typed(j, c, "uri", 1, J_STR, -1);
		typed(j, c, "alias", 1, J_STR, -1);
		for (i = 0; chnumkeys[i]; i++)
			typed(j, c, chnumkeys[i], 0, J_NUM, -1);
		typed(j, c, "quota", 0, J_ARR, -1);
		typed(j, c, "error", 0, J_STR, -1);
		if (failed(j) || digest(j, c, "etag", 1, d, &on) == -1)
			return -1;
		if (j->n[u].len == 0) {
			j->line = j->n[u].line;
			return fail(j, "a channel with an empty \"uri\""), -1;
		}
		if (!on)
			continue;
		if (out->n % 16 == 0) {
			struct zvm_sumjson_chan *e = realloc(out->chan,
			    (out->n + 16) * sizeof(*e));

			if (e == NULL)
				return oom(j), -1;
			out->chan = e;
		}
		out->chan[out->n].prefix = prefix_of(j, c,
		    &out->chan[out->n].prefix_len);
		out->chan[out->n].line = j->n[c].line;
		memcpy(out->chan[out->n].digest, d, sizeof d);
		out->chan[out->n++].uri = j->n[u].str;
	}
	return 0;
}

int
zvm_sumjson_read(const char *buf, size_t len, struct zvm_sumjson *out)
{
	struct jp j;
	size_t root;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	memset(&j, 0, sizeof(j));
	j.start = j.p = buf;
	j.end = buf + len;
	j.line = 1;
	if ((root = value(&j, 0)) != NONE) {
		ws(&j);
		if (j.p != j.end)
			fail(&j, "trailing data after the report");
		else if ((j.shape = 1) && shape(&j, root, out) == 0)
			rc = 0;
	}
	free(j.n);
	if (rc == 0 && !j.str.oom) {
		out->names = j.str.p;	/* the uris are offsets into it */
		return 0;
	}
	zvm_buf_free(&j.str);
	zvm_sumjson_free(out);
	if (j.oom || j.str.oom || j.why == NULL)
		return -2;
	out->line = j.errline;
	snprintf(out->why, sizeof out->why, "%s", j.why);
	return -1;
}

void
zvm_sumjson_free(struct zvm_sumjson *s)
{
	free(s->chan);
	free(s->names);
	s->chan = NULL;
	s->names = NULL;
	s->n = 0;
}
