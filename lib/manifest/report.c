/* SPDX-License-Identifier: ISC */
/*
 * report - write a run's report.  The zvm format uses the manifest's own
 * syntax (Channel lines with usage in place of quotas, one Quota line per
 * limit the program ran into); zerovm reproduces ZeroVM 1.0's 7 lines for
 * the tools that parse them; json is for jq.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/channel.h"
#include "manifest/report.h"

static const char *const qname[4] = { "gets", "get_size", "puts", "put_size" };
/* The manifest keys of the ZVM_LIMIT_* bits, in bit order. */
static const char *const lname[] = { "Threads", "Files", "Memory",
    "Scratch" };
#define NLIMITS (sizeof(lname) / sizeof(lname[0]))

/* The slot of nr in the index: its entry's, or the free one to take. */
static int *
deny_slot(struct zvm_report *r, int nr)
{
	size_t h = ((unsigned)nr * 2654435761u) % ZVM_DENY_SLOTS;

	/* At most ZVM_DENY_MAX of ZVM_DENY_SLOTS are taken: a free one
	 * comes soon. */
	while (r->dslot[h] >= 0 && r->denied[r->dslot[h]].nr != nr)
		h = (h + 1) % ZVM_DENY_SLOTS;
	return &r->dslot[h];
}

void
zvm_report_deny(struct zvm_report *r, int nr, const char *name)
{
	struct zvm_denied *d;
	int *slot;

	if (r->dslot == NULL) {
		if ((r->dslot = malloc(ZVM_DENY_SLOTS * sizeof(int))) == NULL)
			return;
		for (size_t i = 0; i < ZVM_DENY_SLOTS; i++)
			r->dslot[i] = -1;
	}
	slot = deny_slot(r, nr);
	if (*slot >= 0) {
		r->denied[*slot].count++;
		return;
	}
	if (r->ndenied >= ZVM_DENY_MAX ||
	    (name == NULL && r->dunknown >= ZVM_DENY_UNKNOWN)) {
		r->dother++;
		return;
	}
	if (r->ndenied == r->capdenied) {
		size_t cap = r->capdenied ? r->capdenied * 2 : 16;

		if ((d = realloc(r->denied, cap * sizeof(*d))) == NULL)
			return;
		r->denied = d;
		r->capdenied = cap;
	}
	d = &r->denied[r->ndenied];
	d->nr = nr;
	d->count = 1;
	if (name)
		snprintf(d->name, sizeof(d->name), "%s", name);
	else {
		snprintf(d->name, sizeof(d->name), "nr%d", nr);
		r->dunknown++;
	}
	*slot = (int)r->ndenied++;
}

const char *
zvm_state_name(int state)
{
	static const char *const n[] = { "ok", "timeout", "signal", "error" };

	return state >= 0 && state <= ZVM_STATE_ERROR ? n[state] : "error";
}

int
zvm_report_format_lookup(const char *s)
{
	if (strcmp(s, "zvm") == 0)
		return ZVM_FMT_ZVM;
	if (strcmp(s, "zerovm") == 0)
		return ZVM_FMT_ZEROVM;
	if (strcmp(s, "json") == 0)
		return ZVM_FMT_JSON;
	return -1;
}

static void
write_zvm(const struct zvm_report *r, struct zvm_buf *b)
{
	size_t i;
	int q;

	zvm_buf_printf(b, "State = %s\n", zvm_state_name(r->state));
	if (r->exited)
		zvm_buf_printf(b, "Exit = %d\n", r->status);
	else if (r->signal)
		zvm_buf_printf(b, "Signal = %d\n", r->signal);
	if (r->message[0])
		zvm_buf_printf(b, "Message = %s\n", r->message);
	zvm_buf_printf(b, "Time = %.4f\n", r->wall);
	zvm_buf_printf(b, "CPU = %.4f,%.4f\n", r->user, r->sys);
	zvm_buf_printf(b, "Memory = %ju\n", (uintmax_t)r->maxrss);
	/* "none": Memory = N,1 asked for it, but the program never reached
	 * its exit (killed, timed out), so no digest was taken. */
	if (r->memory_etag_on)
		zvm_buf_printf(b, "MemoryEtag = %s\n", r->memory_etag_done ?
		    r->memory_etag : "none");
	if (r->node)
		zvm_buf_printf(b, "Node = %ju\n", (uintmax_t)r->node);
	if (r->scratch_on)
		zvm_buf_printf(b, "Scratch = %ju,%ju\n",
		    (uintmax_t)r->scratch_bytes, (uintmax_t)r->scratch_entries);
	if (r->ndenied) {
		zvm_buf_adds(b, "Denied = ");
		for (i = 0; i < r->ndenied; i++)
			zvm_buf_printf(b, "%s%s:%lu", i ? "," : "",
			    r->denied[i].name, r->denied[i].count);
		if (r->dother)
			zvm_buf_printf(b, ",%s:%lu", ZVM_DENY_OTHER, r->dother);
		zvm_buf_addc(b, '\n');
	}
	for (i = 0; i < r->nchan; i++) {
		const struct zvm_report_chan *c = &r->chan[i];

		zvm_buf_printf(b, "Channel = %s,%s,%ju,%s,%ju,%ju,%ju,%ju\n",
		    c->uri, c->alias, (uintmax_t)c->type,
		    c->etag_on ? c->etag : "0", (uintmax_t)c->used[0],
		    (uintmax_t)c->used[1], (uintmax_t)c->used[2],
		    (uintmax_t)c->used[3]);
	}
	for (i = 0; i < r->nchan; i++)
		for (q = 0; q < 4; q++)
			if (r->chan[i].hit & (1u << q))
				zvm_buf_printf(b, "Quota = %s:%s\n",
				    r->chan[i].alias, qname[q]);
	for (i = 0; i < NLIMITS; i++)
		if (r->limits & (1u << i))
			zvm_buf_printf(b, "Limit = %s\n", lname[i]);
	for (i = 0; i < r->nchan; i++)
		if (r->chan[i].err)
			zvm_buf_printf(b, "Error = %s:%s:%s\n",
			    r->chan[i].alias, r->chan[i].errop,
			    strerror(r->chan[i].err));
}

/* ZeroVM orders etags as it closes channels: std first, then by alias. */
static int
zerovm_cmp(const void *a, const void *b)
{
	const struct zvm_report_chan *x = *(const struct zvm_report_chan *const *)a;
	const struct zvm_report_chan *y = *(const struct zvm_report_chan *const *)b;
	int sx = zvm_std_alias(x->alias), sy = zvm_std_alias(y->alias);

	if (sx >= 0 || sy >= 0)
		return (sx < 0 ? 3 : sx) - (sy < 0 ? 3 : sy);
	return strcmp(x->alias, y->alias);
}

static void
write_zerovm(const struct zvm_report *r, struct zvm_buf *b)
{
	const struct zvm_report_chan **v;
	uint64_t sum[4] = { 0 };
	size_t i, n = 0;

	zvm_buf_printf(b, "0\n0\n%d\n", r->exited ? r->status : 0);
	v = malloc((r->nchan ? r->nchan : 1) * sizeof(*v));
	for (i = 0; v && i < r->nchan; i++)
		if (r->chan[i].etag_on)
			v[n++] = &r->chan[i];
	if (v)
		qsort(v, n, sizeof(*v), zerovm_cmp);
	for (i = 0; i < n; i++)
		zvm_buf_printf(b, "%s%s %s", i ? " " : "", v[i]->alias,
		    v[i]->etag);
	/* ZeroVM put the memory digest last, named /dev/memory; a program
	 * that never reached its exit has none, so nothing is written. */
	if (r->memory_etag_on && r->memory_etag_done)
		zvm_buf_printf(b, "%s/dev/memory %s", n++ ? " " : "",
		    r->memory_etag);
	zvm_buf_adds(b, n ? "\n" : "disable\n");
	free(v);
	for (i = 0; i < r->nchan; i++)
		for (int q = 0; q < 4; q++)
			sum[q] += r->chan[i].used[q];
	zvm_buf_printf(b, "%.2f %.2f %ju %ju %ju %ju 0 0 0 0\n", r->sys,
	    r->user, (uintmax_t)sum[0], (uintmax_t)sum[1],
	    (uintmax_t)sum[2], (uintmax_t)sum[3]);
	switch (r->state) {
	case ZVM_STATE_OK:
		zvm_buf_adds(b, "ok\n");
		break;
	case ZVM_STATE_TIMEOUT:
		zvm_buf_adds(b, "session timeout\n");
		break;
	case ZVM_STATE_SIGNAL:
		zvm_buf_printf(b, "Signal %d from untrusted code\n",
		    r->signal);
		break;
	default:
		zvm_buf_printf(b, "%s\n", r->message[0] ? r->message :
		    "error");
		break;
	}
	zvm_buf_addc(b, '\n');
}

static void
json_str(struct zvm_buf *b, const char *s)
{
	zvm_buf_addc(b, '"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			zvm_buf_printf(b, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			zvm_buf_printf(b, "\\u%04x", c);
		else
			zvm_buf_addc(b, c);
	}
	zvm_buf_addc(b, '"');
}

static void
write_json(const struct zvm_report *r, struct zvm_buf *b)
{
	size_t i;
	int q;

	zvm_buf_adds(b, "{\"state\":");
	json_str(b, zvm_state_name(r->state));
	if (r->exited)
		zvm_buf_printf(b, ",\"exit\":%d", r->status);
	else if (r->signal)
		zvm_buf_printf(b, ",\"signal\":%d", r->signal);
	if (r->message[0]) {
		zvm_buf_adds(b, ",\"message\":");
		json_str(b, r->message);
	}
	zvm_buf_printf(b, ",\"time\":%.4f,\"cpu\":{\"user\":%.4f,"
	    "\"system\":%.4f},\"memory\":%ju", r->wall, r->user, r->sys,
	    (uintmax_t)r->maxrss);
	if (r->memory_etag_on) {
		zvm_buf_adds(b, ",\"memory_etag\":");
		if (r->memory_etag_done)
			json_str(b, r->memory_etag);
		else
			zvm_buf_adds(b, "null");
	}
	if (r->node)
		zvm_buf_printf(b, ",\"node\":%ju", (uintmax_t)r->node);
	if (r->scratch_on)
		zvm_buf_printf(b, ",\"scratch\":{\"bytes\":%ju,"
		    "\"entries\":%ju}", (uintmax_t)r->scratch_bytes,
		    (uintmax_t)r->scratch_entries);
	zvm_buf_adds(b, ",\"denied\":{");
	for (i = 0; i < r->ndenied; i++) {
		zvm_buf_adds(b, i ? "," : "");
		json_str(b, r->denied[i].name);
		zvm_buf_printf(b, ":%lu", r->denied[i].count);
	}
	if (r->dother)
		zvm_buf_printf(b, ",\"%s\":%lu", ZVM_DENY_OTHER, r->dother);
	zvm_buf_adds(b, "},\"limits\":[");
	for (i = 0, q = 0; i < NLIMITS; i++)
		if (r->limits & (1u << i)) {
			zvm_buf_adds(b, q++ ? "," : "");
			json_str(b, lname[i]);
		}
	zvm_buf_adds(b, "],\"channels\":[");
	for (i = 0; i < r->nchan; i++) {
		const struct zvm_report_chan *c = &r->chan[i];
		int first = 1;

		zvm_buf_adds(b, i ? ",{\"uri\":" : "{\"uri\":");
		json_str(b, c->uri);
		zvm_buf_adds(b, ",\"alias\":");
		json_str(b, c->alias);
		zvm_buf_printf(b, ",\"type\":%ju,\"etag\":", (uintmax_t)c->type);
		if (c->etag_on)
			json_str(b, c->etag);
		else
			zvm_buf_adds(b, "null");
		for (q = 0; q < 4; q++)
			zvm_buf_printf(b, ",\"%s\":%ju", qname[q],
			    (uintmax_t)c->used[q]);
		zvm_buf_adds(b, ",\"quota\":[");
		for (q = 0; q < 4; q++)
			if (c->hit & (1u << q)) {
				zvm_buf_adds(b, first ? "" : ",");
				json_str(b, qname[q]);
				first = 0;
			}
		zvm_buf_adds(b, "]");
		if (c->err) {
			zvm_buf_adds(b, ",\"error\":");
			json_str(b, strerror(c->err));
		}
		zvm_buf_adds(b, "}");
	}
	zvm_buf_adds(b, "]}\n");
}

void
zvm_report_write(const struct zvm_report *r, int format, struct zvm_buf *b)
{
	switch (format) {
	case ZVM_FMT_ZEROVM:
		write_zerovm(r, b);
		break;
	case ZVM_FMT_JSON:
		write_json(r, b);
		break;
	default:
		write_zvm(r, b);
		break;
	}
}

void
zvm_report_free(struct zvm_report *r)
{
	free(r->chan);
	free(r->denied);
	free(r->dslot);
	r->chan = NULL;
	r->denied = NULL;
	r->dslot = NULL;
	r->nchan = r->ndenied = r->capdenied = r->dunknown = 0;
	r->dother = 0;
}
