/* SPDX-License-Identifier: ISC */
/*
 * sumfile - read and write checksum lines.  The GNU and BSD forms follow
 * coreutils 9.1 (md5sum.c: split_3, bsd_split_3, filename_unescape) so a
 * line is OK, skipped or improperly formatted exactly when sha256sum -c
 * would say so; report Channel lines are zvm's own addition, and so are
 * json reports (sumjson.c) and the refusal of zerovm-format reports.
 */
#include <string.h>

#include "manifest/sumfile.h"

#define TAG	"XXH128"
#define TAGLEN	(sizeof TAG - 1)
/* A digest, a blank and at least one byte of name (coreutils). */
#define MINLINE	(ZVM_ETAG_HEXLEN + 2)

static const char not_sum[] = "not a checksum line";

static int
iswhite(int c)
{
	return c == ' ' || c == '\t';
}

static int
ishex(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	    (c >= 'A' && c <= 'F');
}

/* Is s[0..n) a "key = ..." line? */
static int
key_is(const char *s, size_t n, const char *key)
{
	size_t k = strlen(key), i = 0;

	while (i < n && (iswhite((unsigned char)s[i]) || s[i] == '\r'))
		i++;
	if (n - i < k || memcmp(s + i, key, k) != 0)
		return 0;
	for (i += k; i < n && iswhite((unsigned char)s[i]); i++)
		;
	return i < n && s[i] == '=';
}

/* s[0..n) is [0-9]+, with a leading '-' when sign, or with one '.' inside
 * when dot. */
static int
isnum(const char *s, size_t n, int sign, int dot)
{
	size_t i = 0, digits = 0;

	if (sign && n && s[0] == '-')
		i++;
	for (; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			digits++;
		else if (dot == 1 && s[i] == '.' && digits)
			dot = 2;
		else
			return 0;
	}
	return digits > 0 && dot != 1 && (dot != 2 || s[n - 1] != '.');
}

/*
 * ZeroVM's report (zerovm.md 5.1): validator, daemon and return-code lines
 * of integers, the etag line, then ten accounting fields "%.2f %.2f" and
 * eight integers.  Nothing else has that shape.
 */
static int
is_zerovm(const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl, *sp;
	int i, f;

	for (i = 1; i <= 5; i++, p = nl + 1) {
		if (p > end || (nl = memchr(p, '\n', (size_t)(end - p))) ==
		    NULL)
			return 0;
		if (i <= 3 && !isnum(p, (size_t)(nl - p), 1, 0))
			return 0;
		if (i != 5)
			continue;
		for (f = 0; f < 10; f++, p = sp + 1) {
			if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL)
				sp = nl;
			if (!isnum(p, (size_t)(sp - p), 0, f < 2))
				return 0;
			if (sp == nl)
				break;
		}
		if (f != 9 || sp != nl)
			return 0;
	}
	return 1;
}

void
zvm_sumreader_init(struct zvm_sumreader *r, const char *buf, size_t len,
    int delim)
{
	const char *p = buf, *end = buf + len, *nl;

	memset(r, 0, sizeof *r);
	r->buf = buf;
	r->len = len;
	r->delim = delim;
	r->reversed = -1;
	/* No checksum line starts with '{': a json report. */
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n'))
		p++;
	if (p < end && *p == '{') {
		r->file = ZVM_SUMF_JSON;
		return;
	}
	p = buf;
	if (delim == '\n' && is_zerovm(buf, len)) {
		r->file = ZVM_SUMF_ZEROVM;
		return;
	}
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, delim, (size_t)(end - p))) == NULL)
			nl = end;
		if (key_is(p, (size_t)(nl - p), "State")) {
			r->report = 1;
			break;
		}
	}
}

void
zvm_sumreader_free(struct zvm_sumreader *r)
{
	zvm_buf_free(&r->tmp);
	zvm_sumjson_free(&r->json);
}

/* The records of a json or zerovm report (see zvm_sumreader_init). */
static int
report_next(struct zvm_sumreader *r, struct zvm_sumline *out)
{
	const struct zvm_sumjson_chan *c;

	memset(out, 0, sizeof *out);
	if (r->state == 2)
		return 0;
	if (r->file == ZVM_SUMF_ZEROVM) {
		r->state = 2;
		out->kind = ZVM_SUM_UNUSABLE;
		out->why = "a zerovm-format report names no files; write it "
		    "with --report-format=zvm or json";
		return 1;
	}
	if (r->state == 0) {
		switch (zvm_sumjson_read(r->buf, r->len, &r->json)) {
		case -2:
			return -1;
		case -1:
			r->state = 2;
			out->kind = ZVM_SUM_UNUSABLE;
			out->line = r->json.line;
			out->why = r->json.why;
			return 1;
		}
		r->state = 1;
		r->node = r->json.node;
	}
	if (r->next == r->json.n) {
		r->state = 2;
		return 0;
	}
	c = &r->json.chan[r->next++];
	out->kind = ZVM_SUM_ENTRY;
	out->form = ZVM_SUM_CHANNEL;
	out->line = c->line;
	memcpy(out->digest, c->digest, sizeof out->digest);
	out->name = r->json.names + c->uri;
	out->prefix = c->prefix;
	out->prefix_len = c->prefix_len;
	return 1;
}

/* coreutils' filename_unescape, plus "\r"; in place, NUL-terminates. */
static int
unescape(char *s, size_t n)
{
	char *dst = s;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '\0')
			return -1;
		if (s[i] != '\\') {
			*dst++ = s[i];
			continue;
		}
		if (++i == n)
			return -1;
		switch (s[i]) {
		case 'n':
			*dst++ = '\n';
			break;
		case 'r':
			*dst++ = '\r';
			break;
		case '\\':
			*dst++ = '\\';
			break;
		default:
			return -1;
		}
	}
	*dst = '\0';
	return 0;
}

/* Why the digest token s[0..n) is not 32 hex digits. */
static const char *
digest_why(const char *s, size_t n)
{
	size_t i;

	if (n == 0)
		return "no digest";
	for (i = 0; i < n; i++)
		if (!ishex((unsigned char)s[i]))
			return "digest has a character that is not a hex digit";
	if (n != ZVM_ETAG_HEXLEN)
		return n & 1 ? "digest has an odd number of hex digits" :
		    "digest is not 32 hex digits (not an XXH128 checksum)";
	return NULL;
}

/* BSD "(NAME) = HEX" after "XXH128 (": name ends at the last ')'. */
static const char *
bsd_split(char *s, size_t n, int escaped, struct zvm_sumline *out)
{
	size_t i = n ? n - 1 : 0, j;
	const char *why;

	while (i && s[i] != ')')
		i--;
	if (n == 0 || s[i] != ')')
		return "no ')' after the file name";
	j = i + 1;
	while (j < n && iswhite((unsigned char)s[j]))
		j++;
	if (j == n || s[j] != '=')
		return "no '=' after the file name";
	j++;
	while (j < n && iswhite((unsigned char)s[j]))
		j++;
	if ((why = digest_why(s + j, n - j)) != NULL)
		return why;
	if (zvm_etag_parse(s + j, n - j, out->digest) == -1)
		return "bad digest";
	if (escaped) {
		if (unescape(s, i) == -1)
			return "bad backslash escape in file name";
	} else
		s[i] = '\0';
	out->form = ZVM_SUM_BSD;
	out->name = s;
	return NULL;
}

/* coreutils' split_3: returns NULL on success, else why it failed. */
static const char *
split3(struct zvm_sumreader *r, char *s, size_t n, struct zvm_sumline *out)
{
	size_t i = 0, tok;
	int escaped = 0;
	const char *why;

	while (i < n && iswhite((unsigned char)s[i]))
		i++;
	if (n - i < MINLINE + (size_t)(i < n && s[i] == '\\')) {
		if (i == n)
			return "blank line";
		for (tok = i; tok < n && ishex((unsigned char)s[tok]); tok++)
			;
		if (tok > i && (tok == n || iswhite((unsigned char)s[tok])) &&
		    (why = digest_why(s + i, tok - i)) != NULL)
			return why;
		return tok - i == ZVM_ETAG_HEXLEN ? "no file name" : not_sum;
	}
	if (s[i] == '\\') {
		i++;
		escaped = 1;
	}
	if (n - i >= TAGLEN && memcmp(s + i, TAG, TAGLEN) == 0) {
		i += TAGLEN;
		if (s[i] == ' ')
			i++;
		if (s[i] != '(')
			return "no '(' after " TAG;
		i++;
		return bsd_split(s + i, n - i, escaped, out);
	}
	for (tok = i; tok < n && !iswhite((unsigned char)s[tok]); tok++)
		;
	if ((why = digest_why(s + i, tok - i)) != NULL)
		return why;
	if (zvm_etag_parse(s + i, ZVM_ETAG_HEXLEN, out->digest) == -1)
		return "bad digest";
	i += ZVM_ETAG_HEXLEN + 1;
	/* "HEX NAME" (one blank) is BSD-reversed, never mixed with GNU. */
	if (n - i == 1 || (s[i] != ' ' && s[i] != '*')) {
		if (r->reversed == 0)
			return "one blank after the digest in a file of "
			    "two-blank lines";
		r->reversed = 1;
	} else if (r->reversed != 1) {
		r->reversed = 0;
		out->binary = s[i++] == '*';
	}
	if (escaped) {
		if (unescape(s + i, n - i) == -1)
			return "bad backslash escape in file name";
	}
	out->form = ZVM_SUM_GNU;
	out->name = s + i;
	return NULL;
}

static size_t
trimmed(char **s, size_t n)
{
	while (n && (iswhite((unsigned char)**s) || **s == '\r'))
		(*s)++, n--;
	while (n && (iswhite((unsigned char)(*s)[n - 1]) ||
	    (*s)[n - 1] == '\r'))
		n--;
	return n;
}

int
zvm_sum_prefix(const char *get_size, size_t nget, const char *puts,
    size_t nputs, uint64_t *len)
{
	const char *why;
	uint64_t p;

	if (zvm_parse_uint(puts, nputs, UINT64_MAX, &p, &why) == -1 ||
	    zvm_parse_uint(get_size, nget, UINT64_MAX, len, &why) == -1)
		return 0;
	return p == 0;
}

/*
 * A report line "Key = value".  Channel lines with a digest in the etag
 * field are entries; with 0 there, or any other key of a report, skipped.
 * Returns NULL when the line was classified, else why it is not one.
 */
static const char *
report_line(struct zvm_sumreader *r, char *s, size_t n,
    struct zvm_sumline *out)
{
	char *eq, *key = s, *val, *f[8];
	size_t klen, vlen, flen[8], i, nf;

	if ((n = trimmed(&s, n)) == 0 || s[0] == '#' || s[0] == '=') {
		if (!r->report)
			return not_sum;
		out->kind = ZVM_SUM_SKIP;
		return NULL;
	}
	if ((eq = memchr(s, '=', n)) == NULL)
		return not_sum;
	key = s;
	klen = trimmed(&key, (size_t)(eq - s));
	val = eq + 1;
	vlen = trimmed(&val, n - (size_t)(eq - s) - 1);
	if (klen != 7 || memcmp(key, "Channel", 7) != 0) {
		const char *why;

		if (!r->report)
			return not_sum;
		if (klen == 4 && memcmp(key, "Node", 4) == 0 &&
		    zvm_parse_uint(val, vlen, UINT32_MAX, &r->node, &why) == -1)
			r->node = 0;
		out->kind = ZVM_SUM_SKIP;
		return NULL;
	}
	for (nf = 0, i = 0;; nf++) {
		size_t start = i;

		while (i < vlen && val[i] != ',')
			i++;
		if (nf < 8) {
			f[nf] = val + start;
			flen[nf] = trimmed(&f[nf], i - start);
		}
		if (i == vlen)
			break;
		i++;
	}
	if (++nf != 8)
		return "Channel line without 8 fields";
	if (flen[3] == 1 && f[3][0] == '0') {
		out->kind = ZVM_SUM_SKIP;
		return NULL;
	}
	if (digest_why(f[3], flen[3]) != NULL ||
	    zvm_etag_parse(f[3], flen[3], out->digest) == -1)
		return "Channel etag field is neither 0 nor 32 hex digits";
	if (flen[0] == 0)
		return "Channel line with an empty uri";
	if (zvm_sum_prefix(f[5], flen[5], f[6], flen[6], &out->prefix_len))
		out->prefix = 1;
	f[0][flen[0]] = '\0';
	out->kind = ZVM_SUM_ENTRY;
	out->form = ZVM_SUM_CHANNEL;
	out->name = f[0];
	return NULL;
}

int
zvm_sumreader_next(struct zvm_sumreader *r, struct zvm_sumline *out)
{
	const char *rec, *end, *why, *why2;
	size_t n;

	if (r->file != ZVM_SUMF_LINES)
		return report_next(r, out);
	if (r->pos >= r->len)
		return 0;
	rec = r->buf + r->pos;
	if ((end = memchr(rec, r->delim, r->len - r->pos)) == NULL)
		end = r->buf + r->len;
	n = (size_t)(end - rec);
	r->pos += n + (end < r->buf + r->len);
	memset(out, 0, sizeof *out);
	out->line = ++r->line;
	out->kind = ZVM_SUM_SKIP;
	/* coreutils: '#' in column 1 is a comment; then drop CR; skip empty. */
	if (n && rec[0] == '#')
		return 1;
	if (r->delim == '\n' && n && rec[n - 1] == '\r')
		n--;
	if (n == 0)
		return 1;
	if (memchr(rec, '\0', n) != NULL) {
		out->kind = ZVM_SUM_BAD;
		out->why = "NUL byte in line";
		return 1;
	}
	r->tmp.len = 0;
	zvm_buf_add(&r->tmp, rec, n);
	if (r->tmp.oom)
		return -1;
	if ((why = split3(r, r->tmp.p, n, out)) == NULL) {
		out->kind = ZVM_SUM_ENTRY;
		return 1;
	}
	/* split3 may have unescaped in place: start again from the copy. */
	r->tmp.len = 0;
	zvm_buf_add(&r->tmp, rec, n);
	memset(out->digest, 0, sizeof out->digest);
	out->binary = 0;
	out->name = NULL;
	if ((why2 = report_line(r, r->tmp.p, n, out)) == NULL)
		return 1;
	out->kind = ZVM_SUM_BAD;
	out->why = why2 == not_sum ? why : why2;
	return 1;
}

int
zvm_sum_needs_escape(const char *name)
{
	return strpbrk(name, "\\\n\r") != NULL;
}

void
zvm_sum_escape(struct zvm_buf *b, const char *name)
{
	const char *p;

	for (p = name; *p; p++) {
		switch (*p) {
		case '\\':
			zvm_buf_add(b, "\\\\", 2);
			break;
		case '\n':
			zvm_buf_add(b, "\\n", 2);
			break;
		case '\r':
			zvm_buf_add(b, "\\r", 2);
			break;
		default:
			zvm_buf_addc(b, *p);
		}
	}
}

void
zvm_sum_format(struct zvm_buf *b, const unsigned char d[ZVM_ETAG_LEN],
    const char *name, int tag, int delim)
{
	char hex[ZVM_ETAG_HEXLEN + 1];
	int esc = delim == '\n' && zvm_sum_needs_escape(name);

	zvm_etag_tohex(d, hex);
	if (esc)
		zvm_buf_addc(b, '\\');
	if (tag)
		zvm_buf_adds(b, TAG " (");
	else {
		zvm_buf_add(b, hex, ZVM_ETAG_HEXLEN);
		zvm_buf_add(b, "  ", 2);
	}
	if (esc)
		zvm_sum_escape(b, name);
	else
		zvm_buf_adds(b, name);
	if (tag) {
		zvm_buf_add(b, ") = ", 4);
		zvm_buf_add(b, hex, ZVM_ETAG_HEXLEN);
	}
	/* zvm_buf_addc drops nothing: a NUL is a byte like any other. */
	zvm_buf_addc(b, delim);
}
