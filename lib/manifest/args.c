/* SPDX-License-Identifier: ISC */
/*
 * args - ZRT's command-line syntax (nvram [args], zvm's Args key): split
 * on blanks, "..." groups words, and \xHH is decoded after the split, so
 * an escaped blank or quote is an ordinary byte.  A backslash that does not
 * start \xHH is literal, as in ZRT.
 */
#include <string.h>

#include "manifest/args.h"

/* Decode \xHH in s[0..n) into the arena; NULL with *why on error. */
static char *
unescape(const char *s, size_t n, struct zvm_arena *a, const char **why)
{
	char *out = zvm_arena_alloc(a, n + 1), *o = out;

	if (out == NULL)
		return *why = "out of memory", NULL;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\\' && i + 3 < n &&
		    (s[i + 1] == 'x' || s[i + 1] == 'X') &&
		    zvm_hexval((unsigned char)s[i + 2]) >= 0 &&
		    zvm_hexval((unsigned char)s[i + 3]) >= 0) {
			int c = zvm_hexval((unsigned char)s[i + 2]) * 16 +
			    zvm_hexval((unsigned char)s[i + 3]);

			if (c == 0)
				return *why = "\\x00 (NUL) is not allowed",
				    NULL;
			*o++ = (char)c;
			i += 3;
		} else
			*o++ = s[i];
	}
	*o = '\0';
	return out;
}

int
zvm_args_split(const char *s, struct zvm_arena *a, char ***argvp,
    size_t *argcp, const char **why)
{
	size_t n = strlen(s), argc = 0, cap = 8, wn = 0;
	char **argv = zvm_arena_alloc(a, cap * sizeof *argv);
	char *word = zvm_arena_alloc(a, n + 1);
	int inword = 0, quoted = 0;

	if (argv == NULL || word == NULL)
		return *why = "out of memory", -1;
	for (size_t i = 0; i <= n; i++) {
		int c = i < n ? (unsigned char)s[i] : -1;

		if (quoted && c == '"') {
			quoted = 0;
			continue;
		}
		if (quoted && c != -1) {
			word[wn++] = (char)c;
			continue;
		}
		if (c == '"') {
			quoted = inword = 1;
			continue;
		}
		if (c != ' ' && c != '\t' && c != -1) {
			word[wn++] = (char)c;
			inword = 1;
			continue;
		}
		if (!inword)
			continue;
		if (argc + 1 >= cap) {
			char **nv = zvm_arena_alloc(a, 2 * cap * sizeof *nv);

			if (nv == NULL)
				return *why = "out of memory", -1;
			memcpy(nv, argv, argc * sizeof *nv);
			argv = nv;
			cap *= 2;
		}
		if ((argv[argc] = unescape(word, wn, a, why)) == NULL)
			return -1;
		argc++;
		wn = 0;
		inword = 0;
	}
	if (quoted)
		return *why = "unterminated quote", -1;
	argv[argc] = NULL;
	*argvp = argv;
	*argcp = argc;
	return 0;
}

void
zvm_args_quote(const char *word, struct zvm_buf *b)
{
	static const char hex[] = "0123456789abcdef";

	if (*word == '\0') {
		zvm_buf_adds(b, "\"\"");
		return;
	}
	for (const unsigned char *p = (const unsigned char *)word; *p; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '"' || *p == '\\' ||
		    *p == ',' || *p == '#') {
			char esc[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };

			zvm_buf_add(b, esc, 4);
		} else
			zvm_buf_addc(b, *p);
	}
}

void
zvm_args_join(char *const *argv, size_t argc, struct zvm_buf *b)
{
	for (size_t i = 0; i < argc; i++) {
		if (i)
			zvm_buf_addc(b, ' ');
		zvm_args_quote(argv[i], b);
	}
}

/* One "key = value" pair of a record; the value is trimmed, still raw. */
struct pair {
	const char *k, *v;
	size_t kn, vn;
};

static size_t
split_record(const char *s, size_t n, struct pair *p, size_t max)
{
	size_t np = 0, start = 0;

	for (size_t i = 0; i <= n && np < max; i++) {
		const char *eq;
		size_t len;

		if (i < n && s[i] != ',')
			continue;
		len = i - start;
		if ((eq = memchr(s + start, '=', len)) != NULL) {
			p[np].kn = (size_t)(eq - (s + start));
			p[np].k = zvm_trim(s + start, &p[np].kn);
			p[np].vn = (size_t)(s + start + len - (eq + 1));
			p[np].v = zvm_trim(eq + 1, &p[np].vn);
			np++;
		}
		start = i + 1;
	}
	return np;
}

static const struct pair *
find_pair(const struct pair *p, size_t np, const char *key)
{
	for (size_t i = 0; i < np; i++)
		if (p[i].kn == strlen(key) && memcmp(p[i].k, key, p[i].kn) == 0)
			return &p[i];
	return NULL;
}

int
zvm_nvram_parse(const char *buf, size_t len, const char *file,
    struct zvm_arena *a, struct zvm_nvram *out, struct zvm_error *e)
{
	enum { NONE, ARGS, ENV } sec = NONE;
	size_t start = 0, cap = 0;
	unsigned line = 0;
	const char *why;

	memset(out, 0, sizeof *out);
	while (start < len) {
		size_t end = start, n;
		const char *s, *hash;
		struct pair p[8];
		size_t np;

		while (end < len && buf[end] != '\n')
			end++;
		line++;
		s = buf + start;
		n = end - start;
		start = end + 1;
		if ((hash = memchr(s, '#', n)) != NULL)
			n = (size_t)(hash - s);
		s = zvm_trim(s, &n);
		if (n == 0)
			continue;
		if (*s == '[') {
			sec = n == 6 && memcmp(s, "[args]", 6) == 0 ? ARGS :
			    n == 5 && memcmp(s, "[env]", 5) == 0 ? ENV : NONE;
			continue;
		}
		if (sec == NONE)
			continue;
		np = split_record(s, n, p, 8);
		if (sec == ARGS) {
			const struct pair *q = find_pair(p, np, "args");

			if (q == NULL || np != 1) {
				zvm_error_set(e, ZVM_E_SYNTAX, file, line,
				    "[args]: expected args = command line");
				return -1;
			}
			if ((out->args = zvm_arena_strndup(a, q->v, q->vn)) ==
			    NULL)
				goto oom;
		} else {
			const struct pair *nm = find_pair(p, np, "name");
			const struct pair *v = find_pair(p, np, "value");
			const char **names, **values;

			if (nm == NULL || v == NULL || np != 2 || nm->vn == 0) {
				zvm_error_set(e, ZVM_E_SYNTAX, file, line,
				    "[env]: expected name = NAME, value = VALUE");
				return -1;
			}
			if (out->nenv == cap) {
				size_t ncap = cap ? cap * 2 : 8;

				names = zvm_arena_alloc(a, ncap * sizeof *names);
				values = zvm_arena_alloc(a, ncap * sizeof *values);
				if (names == NULL || values == NULL)
					goto oom;
				if (out->nenv) {
					memcpy(names, out->env_name,
					    out->nenv * sizeof *names);
					memcpy(values, out->env_value,
					    out->nenv * sizeof *values);
				}
				out->env_name = names;
				out->env_value = values;
				cap = ncap;
			}
			out->env_name[out->nenv] = unescape(nm->v, nm->vn, a,
			    &why);
			out->env_value[out->nenv] = unescape(v->v, v->vn, a,
			    &why);
			if (out->env_name[out->nenv] == NULL ||
			    out->env_value[out->nenv] == NULL) {
				zvm_error_set(e, ZVM_E_VALUE, file, line,
				    "[env]: %s", why);
				return -1;
			}
			out->nenv++;
		}
	}
	return 0;
oom:
	zvm_error_set(e, ZVM_E_NOMEM, file, 0, "out of memory");
	return -1;
}
