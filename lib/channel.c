/* SPDX-License-Identifier: ISC */
/*
 * channel - the 8-field Channel value.  Parsing checks syntax only (field
 * count, non-empty uri and alias, integers); the rules between fields and
 * between channels live in manifest.c's check.
 */
#include <string.h>

#include "channel.h"

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
zvm_channel_parse(struct zvm_channel *c, const char *v, size_t n,
    struct zvm_arena *a, const char *file, unsigned line, struct zvm_error *e)
{
	const char *fs[ZVM_NFIELDS];
	size_t fn[ZVM_NFIELDS];
	size_t nf = 0, start = 0;
	const char *why;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i <= n; i++) {
		if (i < n && v[i] != ',')
			continue;
		if (nf < ZVM_NFIELDS) {
			fs[nf] = v + start;
			fn[nf] = i - start;
		}
		nf++;
		start = i + 1;
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
			char *dup;

			if (fn[f] == 0) {
				zvm_error_set(e, ZVM_E_FIELDS, file, line,
				    "Channel: field %d (%s): empty", f + 1,
				    field_names[f]);
				return -1;
			}
			if ((dup = zvm_arena_strndup(a, s, fn[f])) == NULL) {
				zvm_error_set(e, ZVM_E_NOMEM, file, line,
				    "out of memory");
				return -1;
			}
			if (f == ZVM_F_URI)
				c->uri = dup;
			else
				c->alias = dup;
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
