/* SPDX-License-Identifier: ISC */
/*
 * test_report - the report writers (zvm, zerovm, json) with channel and
 * memory etags, golden strings; the json they write read back by the
 * zvm-etag reader (sumjson), odd uris included; and the json and zerovm
 * reports the reader must refuse, with the line and the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest/channel.h"
#include "manifest/report.h"
#include "manifest/sumfile.h"
#include "tap.h"
#include "base/util.h"

#define H1 "0123456789abcdef0123456789abcdef"
#define H2 "fedcba9876543210fedcba9876543210"
#define HM "00112233445566778899aabbccddeeff"

static struct zvm_report_chan chans[4] = {
	{ "/dev/stdin", "/dev/stdin", 0, 0, "", { 1, 5, 0, 0 }, 0, 0, NULL },
	{ "/dev/stdout", "/dev/stdout", 0, 1, H1, { 0, 0, 2, 9 }, 0, 0,
	    NULL },
	{ "/dev/stderr", "/dev/stderr", 0, 0, "", { 0, 0, 0, 0 }, 0, 0,
	    NULL },
	{ "/tmp/a\"b\\c\nd\x80", "/dev/3.a", 3, 1, H2, { 4, 7, 0, 0 },
	    1u << ZVM_GET_SIZE, 0, NULL },
};

static void
base(struct zvm_report *r)
{
	memset(r, 0, sizeof(*r));
	r->state = ZVM_STATE_OK;
	r->exited = 1;
	r->status = 3;
	r->wall = 0.5;
	r->user = 0.25;
	r->sys = 0.125;
	r->maxrss = 4096;
	r->chan = chans;
	r->nchan = 4;
}

static struct zvm_buf b;

static char *
text(const struct zvm_report *r, int fmt)
{
	b.len = 0;
	zvm_report_write(r, fmt, &b);
	return b.p;
}

static void
zvm_format(void)
{
	struct zvm_report r;

	base(&r);
	ok(strstr(text(&r, ZVM_FMT_ZVM), "MemoryEtag") == NULL,
	    "zvm: no MemoryEtag line without Memory = N,1");
	is_str(strstr(text(&r, ZVM_FMT_ZVM), "Channel = /dev/stdout"),
	    "Channel = /dev/stdout,/dev/stdout,0," H1 ",0,0,2,9\n"
	    "Channel = /dev/stderr,/dev/stderr,0,0,0,0,0,0\n"
	    "Channel = /tmp/a\"b\\c\nd\x80,/dev/3.a,3," H2 ",4,7,0,0\n"
	    "Quota = /dev/3.a:get_size\n", "zvm: channel etags, 0 when off");
	r.memory_etag_on = 1;
	ok(strstr(text(&r, ZVM_FMT_ZVM), "Memory = 4096\nMemoryEtag = none\n")
	    != NULL, "zvm: MemoryEtag = none when no digest was taken");
	r.memory_etag_done = 1;
	strcpy(r.memory_etag, HM);
	ok(strstr(text(&r, ZVM_FMT_ZVM), "Memory = 4096\nMemoryEtag = " HM
	    "\n") != NULL, "zvm: MemoryEtag = digest after Memory");
}

/* The Denied line: by name in order of first denial, 16 numbers
 * without a name, then one "other" count; the same in json. */
static void
denied(void)
{
	struct zvm_report r;
	char want[512];
	const char *p, *e;
	int i;

	base(&r);
	zvm_report_deny(&r, 41, "socket");
	zvm_report_deny(&r, 101, "ptrace");
	zvm_report_deny(&r, 41, "socket");
	zvm_report_deny(&r, 999, NULL);
	zvm_report_deny(&r, 999, NULL);
	ok(strstr(text(&r, ZVM_FMT_ZVM), "Denied = socket:2,ptrace:1,"
	    "nr999:2\n") != NULL, "denied: names, counts, an unnamed number");
	for (i = 0; i < 20000; i++)
		zvm_report_deny(&r, 100000 + i, NULL);
	zvm_report_deny(&r, 999, NULL);
	zvm_report_deny(&r, 102, "getuid");
	/* nr999 was the first number without a name, nr100014 the 16th. */
	strcpy(want, "Denied = socket:2,ptrace:1,nr999:3");
	for (i = 0; i < 15; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want),
		    ",nr%d:1", 100000 + i);
	strcat(want, ",getuid:1,other:19985\n");
	p = strstr(text(&r, ZVM_FMT_ZVM), "Denied = ");
	e = p ? strchr(p, '\n') : NULL;
	ok(p && e && (size_t)(e + 1 - p) == strlen(want) &&
	    strncmp(p, want, strlen(want)) == 0,
	    "denied: 20,000 numbers are 16 entries and one count");
	ok(r.ndenied == 19, "denied: 19 entries");
	ok(strstr(text(&r, ZVM_FMT_JSON), "\"getuid\":1,\"other\":19985}")
	    != NULL, "denied: json has the other count last");
	/* Past ZVM_DENY_MAX entries, named calls are counted as other. */
	for (i = 0; i < 600; i++)
		zvm_report_deny(&r, 200000 + i, "x");
	ok(r.ndenied == ZVM_DENY_MAX, "denied: at most ZVM_DENY_MAX entries");
	ok(r.dother == 19985 + 600 - (ZVM_DENY_MAX - 19),
	    "denied: the rest in other");
	zvm_report_deny(&r, 41, "socket");
	ok(r.denied[0].count == 3, "denied: an old entry still counts");
	r.chan = NULL;
	r.nchan = 0;
	zvm_report_free(&r);
	ok(r.dslot == NULL && r.ndenied == 0 && r.dother == 0,
	    "denied: freed");
}

static void
zerovm_format(void)
{
	struct zvm_report r;

	base(&r);
	is_str(text(&r, ZVM_FMT_ZEROVM), "0\n0\n3\n/dev/stdout " H1
	    " /dev/3.a " H2 "\n0.12 0.25 5 12 2 9 0 0 0 0\nok\n\n",
	    "zerovm: std channels first, then by alias");
	r.memory_etag_on = 1;
	is_str(text(&r, ZVM_FMT_ZEROVM), "0\n0\n3\n/dev/stdout " H1
	    " /dev/3.a " H2 "\n0.12 0.25 5 12 2 9 0 0 0 0\nok\n\n",
	    "zerovm: no digest taken, no /dev/memory");
	r.memory_etag_done = 1;
	strcpy(r.memory_etag, HM);
	is_str(text(&r, ZVM_FMT_ZEROVM), "0\n0\n3\n/dev/stdout " H1
	    " /dev/3.a " H2 " /dev/memory " HM
	    "\n0.12 0.25 5 12 2 9 0 0 0 0\nok\n\n",
	    "zerovm: /dev/memory last");
	chans[1].etag_on = chans[3].etag_on = 0;
	is_str(strchr(strchr(strchr(text(&r, ZVM_FMT_ZEROVM), '\n') + 1,
	    '\n') + 1, '\n') + 1, "/dev/memory " HM
	    "\n0.12 0.25 5 12 2 9 0 0 0 0\nok\n\n",
	    "zerovm: /dev/memory alone");
	r.memory_etag_on = 0;
	is_str(strstr(text(&r, ZVM_FMT_ZEROVM), "disable"),
	    "disable\n0.12 0.25 5 12 2 9 0 0 0 0\nok\n\n",
	    "zerovm: no etag at all: disable");
	chans[1].etag_on = chans[3].etag_on = 1;
}

static void
json_format(void)
{
	struct zvm_report r;
	struct zvm_sumjson j;
	const char *t;

	base(&r);
	t = text(&r, ZVM_FMT_JSON);
	ok(strstr(t, "memory_etag") == NULL, "json: no memory_etag when off");
	ok(strstr(t, "\"uri\":\"/tmp/a\\\"b\\\\c\\u000ad\x80\"") != NULL,
	    "json: uri escaped, high bytes raw");
	r.memory_etag_on = 1;
	ok(strstr(text(&r, ZVM_FMT_JSON), "\"memory\":4096,"
	    "\"memory_etag\":null,") != NULL, "json: memory_etag null");
	r.memory_etag_done = 1;
	strcpy(r.memory_etag, HM);
	t = text(&r, ZVM_FMT_JSON);
	ok(strstr(t, "\"memory\":4096,\"memory_etag\":\"" HM "\",") != NULL,
	    "json: memory_etag digest");
	if (!is_int(zvm_sumjson_read(t, strlen(t), &j), 0,
	    "json: what report.c writes, sumjson reads"))
		printf("#   line %u: %s\n", j.line, j.why);
	is_int((long long)j.n, 2, "json: the two etag'd channels");
	if (j.n == 2) {
		is_str(j.names + j.chan[0].uri, "/dev/stdout", "json: uri 1");
		is_str(j.names + j.chan[1].uri, "/tmp/a\"b\\c\nd\x80",
		    "json: uri 2 unescaped");
		ok(j.chan[1].digest[0] == 0xfe && j.chan[1].digest[15] ==
		    0x10, "json: digest 2");
	}
	zvm_sumjson_free(&j);
}

static void
json_bad(void)
{
	static const struct {
		const char *in;
		unsigned line;
		const char *why;
	} t[] = {
		{ "{", 1, "unexpected end of the report" },
		{ "{\"state\":\"ok\",\n\"channels\":[],\n\n", 2,
		    "unexpected end of the report" },
		{ "{\"state\":\"ok\",\"channels\":[] 1}", 1,
		    "expected ',' or '}'" },
		{ "{}", 1, "no \"state\"" },
		{ "{\"state\":\"ok\"}", 1, "no \"channels\"" },
		{ "{\"state\":1,\"channels\":[]}", 1,
		    "\"state\" is a number, not a string" },
		{ "{\"state\":\"ok\",\"channels\":[]} x", 1,
		    "trailing data after the report" },
		{ "[]", 1, "the report is not an object" },
		{ "{\"state\":\"ok\",\"state\":\"ok\"}", 1,
		    "duplicate key \"state\"" },
		{ "{\"state\":\"ok\",\n\"channels\":[\n1]}", 3,
		    "a channel is not an object" },
		{ "{\"state\":\"ok\",\"channels\":[{\"uri\":\"/a\","
		    "\"alias\":\"/b\"}]}", 1, "no \"etag\"" },
		{ "{\"state\":\"ok\",\"channels\":[{\"uri\":\"/a\","
		    "\"alias\":\"/b\",\"etag\":\"abc\"}]}", 1,
		    "\"etag\" is not 32 hex digits" },
		{ "{\"state\":\"ok\",\"channels\":[{\"uri\":\"/a\","
		    "\"alias\":\"/b\",\"etag\":0}]}", 1,
		    "\"etag\" is a number, not a string or null" },
		{ "{\"state\":\"ok\",\"channels\":[{\"uri\":\"\","
		    "\"alias\":\"/b\",\"etag\":null}]}", 1,
		    "a channel with an empty \"uri\"" },
		{ "{\"state\":\"ok\",\"channels\":[],\"memory_etag\":\"x\"}", 1,
		    "\"memory_etag\" is not 32 hex digits" },
		{ "{\"state\":\"ok\",\"channels\":[],\"time\":01}", 1,
		    "expected ',' or '}'" },
		{ "{\"state\":\"ok\",\"channels\":[],\"time\":1.}", 1,
		    "not a json value" },
		{ "{\"state\":\"o\tk\",\"channels\":[]}", 1,
		    "control character in a string" },
		{ "{\"state\":\"\\u0000\",\"channels\":[]}", 1,
		    "\\u0000 in a string" },
		{ "{\"state\":\"\\ud800\",\"channels\":[]}", 1,
		    "lone high surrogate" },
		{ "{\"state\":\"\\x\",\"channels\":[]}", 1,
		    "bad escape in a string" },
		{ "{\"state\":\"ok\",\"channels\":[],}", 1,
		    "expected a key string" },
		{ "{\"state\":\"ok\",\"channels\":[],\"x\":tru}", 1,
		    "not a json value" },
		{ "{\"state\":\"ok\",\"channels\":[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		    "[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", 1,
		    "nested too deeply" },
	};
	static const char good[] = " {\"x\":{\"y\":[1,-2.5e3,true,false,null]},"
	    "\"state\":\"\\u00e9\\ud83d\\ude00\",\"channels\":[{\"uri\":"
	    "\"/\\u0061\",\"alias\":\"/b\",\"etag\":\"" H1 "\",\"quota\":[],"
	    "\"more\":{}}]}\r\n";
	struct zvm_sumjson j;
	char name[160];
	size_t i;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		snprintf(name, sizeof name, "json refused: %s", t[i].why);
		if (is_int(zvm_sumjson_read(t[i].in, strlen(t[i].in), &j), -1,
		    name)) {
			is_str(j.why, t[i].why, "  why");
			is_int(j.line, t[i].line, "  line");
		}
		zvm_sumjson_free(&j);
	}
	is_int(zvm_sumjson_read(good, sizeof good - 1, &j), 0,
	    "json: other keys, escapes, surrogates, blanks accepted");
	ok(j.n == 1 && strcmp(j.names + j.chan[0].uri, "/a") == 0,
	    "json: \\u0061 decoded");
	zvm_sumjson_free(&j);
}

static void
reader(void)
{
	static const char zv[] = "0\n0\n1\n/dev/stdout " H1
	    "\n0.00 0.01 2 466 0 0 0 0 0 0\nok\n\n";
	static const char notzv[] = "0\n0\n1\n/dev/stdout " H1
	    "\n0.00 0.01 2 466 0 0 0 0 0\nok\n\n";
	static const char js[] = "\n{\"state\":\"ok\",\"channels\":[\n"
	    "{\"uri\":\"/f\",\"alias\":\"/dev/3.f\",\"etag\":\"" H1 "\"}]}";
	struct zvm_sumreader r;
	struct zvm_sumline l;

	zvm_sumreader_init(&r, zv, sizeof zv - 1, '\n');
	ok(zvm_sumreader_next(&r, &l) == 1 && l.kind == ZVM_SUM_UNUSABLE &&
	    l.line == 0 && strstr(l.why, "zerovm-format") != NULL,
	    "zerovm report: one unusable record");
	is_int(zvm_sumreader_next(&r, &l), 0, "zerovm report: then the end");
	zvm_sumreader_free(&r);
	zvm_sumreader_init(&r, notzv, sizeof notzv - 1, '\n');
	ok(zvm_sumreader_next(&r, &l) == 1 && l.kind == ZVM_SUM_BAD,
	    "nine accounting fields: not a zerovm report, bad lines");
	zvm_sumreader_free(&r);
	zvm_sumreader_init(&r, js, sizeof js - 1, '\n');
	ok(zvm_sumreader_next(&r, &l) == 1 && l.kind == ZVM_SUM_ENTRY &&
	    l.form == ZVM_SUM_CHANNEL && l.line == 3 &&
	    strcmp(l.name, "/f") == 0, "json report: a channel entry");
	is_int(zvm_sumreader_next(&r, &l), 0, "json report: then the end");
	zvm_sumreader_free(&r);
	zvm_sumreader_init(&r, "{\"state\":\n\"ok\"}", 15, '\n');
	ok(zvm_sumreader_next(&r, &l) == 1 && l.kind == ZVM_SUM_UNUSABLE &&
	    l.line == 1 && strcmp(l.why, "no \"channels\"") == 0,
	    "bad json report: one unusable record with line and why");
	is_int(zvm_sumreader_next(&r, &l), 0, "bad json report: then the end");
	zvm_sumreader_free(&r);
}

int
main(void)
{
	zvm_format();
	denied();
	zerovm_format();
	json_format();
	json_bad();
	reader();
	zvm_buf_free(&b);
	return done_testing();
}
