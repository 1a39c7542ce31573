/* SPDX-License-Identifier: ISC */
/*
 * channel - the 8-field Channel value.  Parsing checks syntax only (field
 * count, non-empty uri and alias, integers); the rules between fields and
 * between channels live in check.c.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/path.h"
#include "manifest/channel.h"

static const char *const field_names[ZVM_NFIELDS] = {
	"uri", "alias", "type", "etag", "gets", "get_size", "puts", "put_size"
};

const char *
zvm_field_name(int f)
{
	return f >= 0 && f < ZVM_NFIELDS ? field_names[f] : "?";
}

int
zvm_field_lookup(const char *name, size_t n)
{
	for (int f = 0; f < ZVM_NFIELDS; f++)
		if (strlen(field_names[f]) == n &&
		    memcmp(field_names[f], name, n) == 0)
			return f;
	return -1;
}

int
zvm_channel_access(const struct zvm_channel *c)
{
	int acc = ZVM_ACC_NONE;

	if (c->limit[ZVM_GETS] > 0 && c->limit[ZVM_GET_SIZE] > 0)
		acc |= ZVM_ACC_READ;
	if (c->limit[ZVM_PUTS] > 0 && c->limit[ZVM_PUT_SIZE] > 0)
		acc |= ZVM_ACC_WRITE;
	return acc;
}

int
zvm_std_alias(const char *alias)
{
	static const char *const std[3] = {
		"/dev/stdin", "/dev/stdout", "/dev/stderr"
	};

	for (int i = 0; i < 3; i++)
		if (strcmp(alias, std[i]) == 0)
			return i;
	return -1;
}

int
zvm_channel_scan(struct zvm_channel *c, const char *v, size_t n,
    size_t span[4], const char *file, unsigned line, struct zvm_error *e)
{
	const char *fs[ZVM_NFIELDS], *p = v, *end = v + n, *comma;
	size_t fn[ZVM_NFIELDS];
	size_t nf = 0;
	const char *why;

	memset(c, 0, sizeof *c);
	/* memchr finds the commas: most of a manifest is Channel lines. */
	for (;;) {
		comma = p < end ? memchr(p, ',', (size_t)(end - p)) : NULL;
		if (nf < ZVM_NFIELDS) {
			fs[nf] = p;
			fn[nf] = (size_t)((comma ? comma : end) - p);
		}
		nf++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	if (nf != ZVM_NFIELDS) {
		zvm_error_set(e, ZVM_E_FIELDS, file, line, "Channel: expected 8 "
		    "fields (uri,alias,type,etag,gets,get_size,puts,put_size), "
		    "got %zu", nf);
		return -1;
	}
	/* Separated by ", " when the second field starts with a blank. */
	c->spaced = fn[1] > 0 && (fs[1][0] == ' ' || fs[1][0] == '\t');
	for (int f = 0; f < ZVM_NFIELDS; f++) {
		const char *s = zvm_trim(fs[f], &fn[f]);

		if (f <= ZVM_F_ALIAS) {
			if (fn[f] == 0) {
				zvm_error_set(e, ZVM_E_FIELDS, file, line,
				    "Channel: field %d (%s): empty", f + 1,
				    field_names[f]);
				return -1;
			}
			span[2 * f] = (size_t)(s - v);
			span[2 * f + 1] = fn[f];
			continue;
		}
		uint64_t *dst = f == ZVM_F_TYPE ? &c->type :
		    f == ZVM_F_ETAG ? &c->etag : &c->limit[f - ZVM_F_GETS];
		if (zvm_parse_uint(s, fn[f], ZVM_INT_MAX, dst, &why) == -1) {
			zvm_error_set(e, ZVM_E_NUMBER, file, line,
			    "Channel: field %d (%s): '%.*s': %s", f + 1,
			    field_names[f], (int)(fn[f] > 64 ? 64 : fn[f]), s,
			    why);
			return -1;
		}
	}
	c->line = line;
	return 0;
}

int
zvm_channel_parse(struct zvm_channel *c, const char *v, size_t n,
    struct zvm_arena *a, const char *file, unsigned line, struct zvm_error *e)
{
	size_t span[4];

	if (zvm_channel_scan(c, v, n, span, file, line, e) == -1)
		return -1;
	if ((c->uri = zvm_arena_strndup(a, v + span[0], span[1])) == NULL ||
	    (c->alias = zvm_arena_strndup(a, v + span[2], span[3])) == NULL) {
		zvm_error_set(e, ZVM_E_NOMEM, file, line, "out of memory");
		return -1;
	}
	return 0;
}

const char *
zvm_channel_alias_span(const char *v, size_t n, size_t *an)
{
	const char *a = memchr(v, ',', n), *end;

	if (a == NULL) {
		*an = 0;
		return v + n;
	}
	a++;
	end = memchr(a, ',', n - (size_t)(a - v));
	*an = (size_t)((end ? end : v + n) - a);
	return zvm_trim(a, an);
}

int
zvm_channel_parse_arg(struct zvm_channel *c, const char *s,
    struct zvm_arena *a, struct zvm_error *e)
{
	struct zvm_buf b = ZVM_BUF_INIT;
	size_t n = strlen(s), start = 0;
	int f = 0, rc;

	/* Rewrite quota fields with suffixes as plain integers, then parse. */
	for (size_t i = 0; i <= n; i++) {
		size_t len;
		const char *fs;

		if (i < n && s[i] != ',')
			continue;
		len = i - start;
		fs = zvm_trim(s + start, &len);
		if (f > 0)
			zvm_buf_addc(&b, ',');
		if (f >= ZVM_F_GETS && f < ZVM_NFIELDS && len > 0 &&
		    len < 64) {
			char tmp[64];
			const char *why;
			uint64_t v;

			memcpy(tmp, fs, len);
			tmp[len] = '\0';
			if (zvm_parse_size(tmp, &v, &why) == -1) {
				zvm_error_set(e, ZVM_E_NUMBER, NULL, 0,
				    "Channel: field %d (%s): '%s': %s", f + 1,
				    field_names[f], tmp, why);
				zvm_buf_free(&b);
				return -1;
			}
			zvm_buf_addu(&b, v);
		} else
			zvm_buf_add(&b, fs, len);
		f++;
		start = i + 1;
	}
	if (b.oom) {
		zvm_buf_free(&b);
		zvm_error_set(e, ZVM_E_NOMEM, NULL, 0, "out of memory");
		return -1;
	}
	rc = zvm_channel_parse(c, b.p ? b.p : "", b.len, a, NULL, 0, e);
	zvm_buf_free(&b);
	return rc;
}

void
zvm_channel_format(const struct zvm_channel *c, int spaced,
    struct zvm_buf *b)
{
	const char *sep = spaced ? ", " : ",";

	zvm_buf_adds(b, c->uri);
	zvm_buf_adds(b, sep);
	zvm_buf_adds(b, c->alias);
	zvm_buf_adds(b, sep);
	zvm_buf_addu(b, c->type);
	zvm_buf_adds(b, sep);
	zvm_buf_addu(b, c->etag);
	for (int i = 0; i < 4; i++) {
		zvm_buf_adds(b, sep);
		zvm_buf_addu(b, c->limit[i]);
	}
}

/* "udp:" (dotted IPv4 | node id) ":" port */
int
zvm_nameserver_ok(const char *s, const char **why)
{
	const char *host, *colon;
	uint64_t v;

	if (strncasecmp(s, "udp:", 4) != 0) {
		*why = "only udp:host:port is supported";
		return 0;
	}
	host = s + 4;
	if ((colon = strrchr(host, ':')) == NULL || colon == host) {
		*why = "expected udp:host:port";
		return 0;
	}
	if (zvm_parse_uint(colon + 1, strlen(colon + 1), 65535, &v, why) == -1)
		return *why = "port must be a number 0..65535", 0;
	if (memchr(host, '.', (size_t)(colon - host))) {
		int parts = 0;
		const char *p = host;

		while (p < colon) {
			const char *q = p;

			while (q < colon && *q != '.')
				q++;
			if (q == p || q - p > 3 || zvm_parse_uint(p,
			    (size_t)(q - p), 255, &v, why) == -1 ||
			    (q - p > 1 && *p == '0'))
				break;
			parts++;
			p = q < colon ? q + 1 : q;
			if (q < colon && p == colon)
				parts = 99;
		}
		if (parts != 4 || p != colon) {
			*why = "host is not a dotted IPv4 address";
			return 0;
		}
		return 1;
	}
	if (zvm_parse_uint(host, (size_t)(colon - host), UINT32_MAX, &v,
	    why) == -1) {
		*why = "host must be an IPv4 address or a node number";
		return 0;
	}
	return 1;
}

/* A host name as DNS has them: labels of letters, digits and '-', one
 * letter at least somewhere (else it is a number or an address). */
static int
host_name_ok(const char *h, size_t n)
{
	int letter = 0;
	size_t label = 0;

	if (n == 0 || n > 253)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)h[i];

		if (c == '.') {
			if (label == 0 || h[i - 1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum(c) && c != '-')
			return 0;
		if ((c == '-' && label == 0) || ++label > 63)
			return 0;
		letter |= isalpha(c) != 0;
	}
	return letter && h[n - 1] != '-' && h[n - 1] != '.';
}

/*
 * tcp:HOST:PORT.  HOST: a dotted IPv4 or a node id (ZeroVM's two, PORT
 * possibly empty), an [IPv6] address, or a host name.
 */
static int
network_uri_ok(const char *uri)
{
	const char *host = uri + 4, *colon = strrchr(host, ':');
	char ns[300], a6[INET6_ADDRSTRLEN + 1];
	struct in6_addr in6;
	const char *why;
	size_t hn;
	uint64_t v;

	if (colon == NULL || colon == host || strlen(uri) > 300)
		return 0;
	hn = (size_t)(colon - host);
	if (host[0] == '[') {
		if (hn < 3 || host[hn - 1] != ']' || hn - 2 >= sizeof(a6))
			return 0;
		memcpy(a6, host + 1, hn - 2);
		a6[hn - 2] = '\0';
		return inet_pton(AF_INET6, a6, &in6) == 1 &&
		    zvm_parse_uint(colon + 1, strlen(colon + 1), 65535, &v,
		    &why) == 0;
	}
	if (host_name_ok(host, hn))
		return zvm_parse_uint(colon + 1, strlen(colon + 1), 65535, &v,
		    &why) == 0;
	snprintf(ns, sizeof ns, "udp:%.*s:%s", (int)hn, host,
	    colon[1] ? colon + 1 : "0");
	return zvm_nameserver_ok(ns, &why);
}

/* A broadcast: tcp: uris joined by ';', at most 64. */
static int
broadcast_ok(const char *uri)
{
	char part[301];
	int n = 0;

	for (const char *p = uri;; n++) {
		const char *e = strchr(p, ';');
		size_t len = e ? (size_t)(e - p) : strlen(p);

		if (n == 64 || len >= sizeof(part) || strncasecmp(p, "tcp:",
		    4) != 0)
			return 0;
		memcpy(part, p, len);
		part[len] = '\0';
		if (!network_uri_ok(part))
			return 0;
		if (e == NULL)
			return 1;
		p = e + 1;
	}
}

/*
 * What is wrong with an alias, or NULL.  zvm-run matches the paths a
 * program opens after tidying them lexically (zvm_path_lexical()), so an
 * alias must already be in that form or no open could reach it: absolute,
 * no empty, "." or ".." component, no component longer than NAME_MAX, at
 * most PATH_MAX - 1 bytes.  One trailing '/' is allowed: it marks an
 * image.  hint gets the tidy form where there is one.
 */
static const char *
alias_problem(const char *a, char hint[PATH_MAX + 2])
{
	const char *p, *q, *why = NULL;
	size_t n = strlen(a);

	hint[0] = '\0';
	if (a[0] != '/')
		return "must be an absolute path";
	if (n >= PATH_MAX)
		return "is longer than PATH_MAX";
	for (p = a + 1;; p = q + 1) {
		q = strchr(p, '/');
		size_t len = q ? (size_t)(q - p) : strlen(p);
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return "has a '..' component";
		if (len > NAME_MAX)
			return "has a component longer than NAME_MAX";
		if (why == NULL && len == 0 && q != NULL)
			why = "has an empty component";
		if (why == NULL && len == 1 && p[0] == '.')
			why = "has a '.' component";
		if (q == NULL)
			break;
	}
	if (why != NULL) {
		zvm_path_lexical_to(a, hint);
		if (a[n - 1] == '/' && strcmp(hint, "/") != 0)
			strcat(hint, "/");
	}
	return why;
}

int
zvm_channel_check(const struct zvm_channel *c, const char *file,
    struct zvm_diag *d)
{
	char hint[PATH_MAX + 2];
	const char *why;
	int acc = zvm_channel_access(c);
	const char *a = c->alias;
	unsigned line = c->line;
	size_t nerr = d->nerr;

	if (strchr(c->uri, ';') && !broadcast_ok(c->uri))
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: multi-source uris (';') are not "
		    "supported but as several tcp:host:port", a);
	else if (strchr(c->uri, ';') && acc != ZVM_ACC_WRITE)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: several sources for one read channel "
		    "(ZeroVM's vote) are not supported; ';' is for a "
		    "write-only channel's broadcast", a);
	else if (strchr(c->uri, ';'))
		;			/* a broadcast, each part checked */
	else if (strncasecmp(c->uri, "tcp:", 4) == 0) {
		if (!network_uri_ok(c->uri))
			zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
			    "Channel %.64s: uri '%.64s': expected "
			    "tcp:host:port", a, c->uri);
		else if (acc == ZVM_ACC_RW)
			zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
			    "Channel %.64s: network channels are read-only "
			    "or write-only", a);
	} else if (c->uri[0] != '/')
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: uri '%.64s' must be an absolute path or "
		    "tcp:host:port", a, c->uri);
	else if (strlen(c->uri) >= PATH_MAX)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: uri '%.64s...' is longer than PATH_MAX "
		    "(%zu bytes)", a, c->uri, strlen(c->uri));
	if ((why = alias_problem(a, hint)) != NULL)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel: alias '%.64s%s' %s%s%.64s%s", a,
		    strlen(a) > 64 ? "..." : "", why,
		    hint[0] ? " (write " : "", hint, hint[0] ? ")" : "");
	if (c->type > 3)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: type %llu is invalid (expected 0..3)", a,
		    (unsigned long long)c->type);
	if (c->etag > 1)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: etag %llu is invalid (expected 0 or 1)", a,
		    (unsigned long long)c->etag);
	if (acc == ZVM_ACC_NONE)
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: neither readable (gets, get_size > 0) nor "
		    "writable (puts, put_size > 0)", a);
	else if (acc == ZVM_ACC_RW && c->type <= 3 &&
	    !(c->type & ZVM_TYPE_RANDOM_READ))
		zvm_diag_add(d, 0, ZVM_E_CHANNEL, file, line,
		    "Channel %.64s: a read-write channel needs type 1 or 3, "
		    "got %llu", a, (unsigned long long)c->type);
	return d->nerr > nerr ? -1 : 0;
}

