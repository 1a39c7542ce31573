/* SPDX-License-Identifier: ISC */
/*
 * test_args - lib/manifest/args: the Args / nvram command-line syntax (split
 * on blanks, "..." groups, \xHH decoded after the split), the quoting that
 * makes any word survive a split, and the nvram [args]/[env] reader.
 * Words are shown as [w1][w2]... so an empty word is visible.
 */
#include <stdlib.h>
#include <string.h>

#include "manifest/args.h"
#include "tap.h"

/* "[w1][w2]" for a split, or "ERR: why". */
static void
show_split(const char *s, char *out, size_t n)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	const char *why = NULL;
	char **argv;
	size_t argc, len = 0;

	out[0] = '\0';
	if (zvm_args_split(s, &a, &argv, &argc, &why) == -1) {
		snprintf(out, n, "ERR: %s", why ? why : "(null)");
	} else {
		for (size_t i = 0; i < argc && len < n; i++)
			len += (size_t)snprintf(out + len, n - len, "[%s]",
			    argv[i]);
		if (argv[argc] != NULL)
			snprintf(out, n, "argv not NULL-terminated");
	}
	zvm_arena_free(&a);
}

static void
test_split(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "" },
		{ "   \t ", "" },
		{ "a", "[a]" },
		{ "a b", "[a][b]" },
		{ "  a \t b  ", "[a][b]" },
		{ "a\tb", "[a][b]" },
		{ "busybox head /dev/1.README", "[busybox][head][/dev/1.README]" },
		{ "\"a b\" c", "[a b][c]" },
		{ "a\"b c\"d", "[ab cd]" },
		{ "\"a\"\"b\"", "[ab]" },
		{ "\"\"", "[]" },
		{ "\"\"\"\"", "[]" },
		{ "a \"\" b", "[a][][b]" },
		{ "\" \"", "[ ]" },
		{ "\"\t\"", "[\t]" },
		{ "a\\x20b", "[a b]" },
		{ "\\x41\\x42", "[AB]" },
		{ "\\X41", "[A]" },
		{ "\\x2C", "[,]" },
		{ "1\\x2C2\\x2C3", "[1,2,3]" },
		{ "\\x22", "[\"]" },
		{ "\\x5c", "[\\]" },
		{ "\"a\\x22\"", "[a\"]" },
		{ "\"\\x20\"", "[ ]" },
		{ "\\x5cx41", "[\\x41]" },	/* decoded once only */
		{ "a\\b", "[a\\b]" },		/* a lone backslash is literal */
		{ "\\", "[\\]" },
		{ "\\x4", "[\\x4]" },
		{ "\\x", "[\\x]" },
		{ "\\xZZ", "[\\xZZ]" },
		{ "\\x4g", "[\\x4g]" },
		{ "a,b#c=d", "[a,b#c=d]" },
		{ "h\xc3\xa9llo w\xc3\xb6rld", "[h\xc3\xa9llo][w\xc3\xb6rld]" },
		{ "\\x00", "ERR: \\x00 (NUL) is not allowed" },
		{ "a \\x00b", "ERR: \\x00 (NUL) is not allowed" },
		{ "\"abc", "ERR: unterminated quote" },
		{ "a \"b c", "ERR: unterminated quote" },
		{ "\"a\" \"", "ERR: unterminated quote" },
	};
	char got[512], name[128];

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		show_split(t[i].in, got, sizeof got);
		snprintf(name, sizeof name, "split '%s'", t[i].in);
		is_str(got, t[i].want, name);
	}
}

static void
test_split_many(void)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_buf b = ZVM_BUF_INIT;
	const char *why;
	char **argv;
	size_t argc;
	int good = 1;

	for (int i = 0; i < 1000; i++)
		zvm_buf_printf(&b, "%sw%d", i ? " " : "", i);
	if (zvm_args_split(b.p, &a, &argv, &argc, &why) == -1 || argc != 1000)
		good = 0;
	for (size_t i = 0; good && i < argc; i++) {
		char w[32];

		snprintf(w, sizeof w, "w%zu", i);
		if (strcmp(argv[i], w) != 0)
			good = 0;
	}
	ok(good && argv[1000] == NULL, "split 1000 words in order");
	zvm_buf_free(&b);
	zvm_arena_free(&a);
}

static void
test_quote(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		{ "", "\"\"" },
		{ "abc", "abc" },
		{ "/dev/1.README", "/dev/1.README" },
		{ "a=b", "a=b" },
		{ "a b", "a\\x20b" },
		{ "a\"b", "a\\x22b" },
		{ "a\\b", "a\\x5cb" },
		{ "a,b", "a\\x2cb" },
		{ "#x", "\\x23x" },
		{ "a\nb", "a\\x0ab" },
		{ "\r", "\\x0d" },
		{ "\t", "\\x09" },
		{ "\x01\x1f", "\\x01\\x1f" },
		{ "\x7f", "\\x7f" },
		{ "h\xc3\xa9", "h\xc3\xa9" },
		{ "\xff", "\xff" },
	};
	char name[128];

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		struct zvm_buf b = ZVM_BUF_INIT;

		zvm_args_quote(t[i].in, &b);
		snprintf(name, sizeof name, "quote case %zu ('%s')", i,
		    t[i].want);
		is_str(b.p, t[i].want, name);
		zvm_buf_free(&b);
	}
}

static void
test_join(void)
{
	char *const zvsh[] = { "busybox", "head", "/dev/1.README" };
	char *const odd[] = { "", "a b", "x" };
	struct zvm_buf b = ZVM_BUF_INIT;

	zvm_args_join(zvsh, 3, &b);
	is_str(b.p, "busybox head /dev/1.README", "join plain words");
	zvm_buf_free(&b);
	zvm_args_join(odd, 3, &b);
	is_str(b.p, "\"\" a\\x20b x", "join an empty word and a blank");
	zvm_buf_free(&b);
	zvm_args_join(odd, 0, &b);
	ok(b.len == 0, "join of no words is empty");
	zvm_buf_free(&b);
}

/* Words that need every kind of escape; quote/join must give them back. */
static const char *const awkward[] = {
	"", " ", "  lead", "trail ", "a b", "\"", "\"\"", "\"a b\"", "\\",
	"\\x41", "\\x00", "\\x", ",", "a,b,c", "#", "#comment", "a # b", "\n",
	"\r\n", "\t", "\v\f", "x\x01y\x1fz\x7f", "\xff\xfe", "h\xc3\xa9llo",
	"\xe6\x97\xa5\xe6\x9c\xac", "a=b", "--opt=\"x y\"", "'single'", "-",
	"--", "$HOME", "*?[", "\\\\\"\\", "100%",
};

#define NAWKWARD (sizeof awkward / sizeof *awkward)

static void
test_roundtrip(void)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_buf b = ZVM_BUF_INIT;
	const char *why;
	char **argv;
	size_t argc;
	int each = 1, clean = 1, good;

	for (size_t i = 0; i < NAWKWARD; i++) {
		struct zvm_buf q = ZVM_BUF_INIT;

		zvm_args_quote(awkward[i], &q);
		/* Safe in a manifest line and an nvram record. */
		for (size_t j = 0; j < q.len; j++) {
			unsigned char c = (unsigned char)q.p[j];

			if (c <= ' ' || c == 0x7f || c == ',' || c == '#' ||
			    (c == '"' && strcmp(awkward[i], "") != 0))
				clean = 0;
		}
		if (zvm_args_split(q.p, &a, &argv, &argc, &why) == -1 ||
		    argc != 1 || strcmp(argv[0], awkward[i]) != 0) {
			each = 0;
			printf("# word %zu does not come back from '%s'\n", i,
			    q.p);
		}
		zvm_buf_free(&q);
	}
	ok(each, "quote then split gives every awkward word back");
	ok(clean, "quoted words hold no blank, control, ',', '#' or '\"'");

	zvm_args_join((char *const *)awkward, NAWKWARD, &b);
	good = zvm_args_split(b.p, &a, &argv, &argc, &why) == 0 &&
	    argc == NAWKWARD;
	for (size_t i = 0; good && i < NAWKWARD; i++)
		if (strcmp(argv[i], awkward[i]) != 0)
			good = 0;
	ok(good, "join then split gives the whole argv back");
	ok(memchr(b.p, '\n', b.len) == NULL && memchr(b.p, '\r', b.len) ==
	    NULL, "a joined argv is one line");
	zvm_buf_free(&b);
	zvm_arena_free(&a);
}

/* nvram: "args=<...>|env=N1=V1;N2=V2" or "ERR line N code C: msg". */
static void
show_nvram(const char *buf, size_t len, char *out, size_t n)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_nvram nv;
	struct zvm_error e;
	size_t l;

	memset(&e, 0, sizeof e);
	if (zvm_nvram_parse(buf, len, "nvram.1", &a, &nv, &e) == -1) {
		snprintf(out, n, "ERR %s:%u %s: %s", e.file ? e.file : "-",
		    e.line, zvm_strerror(e.code), e.msg);
		zvm_arena_free(&a);
		return;
	}
	l = (size_t)snprintf(out, n, "args=%s%s%s|env=", nv.args ? "<" : "",
	    nv.args ? nv.args : "NULL", nv.args ? ">" : "");
	for (size_t i = 0; i < nv.nenv && l < n; i++)
		l += (size_t)snprintf(out + l, n - l, "%s%s=%s", i ? ";" : "",
		    nv.env_name[i], nv.env_value[i]);
	zvm_arena_free(&a);
}

static void
test_nvram(void)
{
	static const struct {
		const char *in, *want;
	} t[] = {
		/* What zvsh writes. */
		{ "[args]\nargs = busybox head /dev/1.README\n",
		    "args=<busybox head /dev/1.README>|env=" },
		{ "[args]\nargs = busybox head /dev/1.README",
		    "args=<busybox head /dev/1.README>|env=" },
		{ "[args]\r\nargs = a b\r\n", "args=<a b>|env=" },
		{ "[env]\nname = A, value = 1\\x2C2\\x2C3\n",
		    "args=NULL|env=A=1,2,3" },
		{ "[env]\nname=PATH,value=/bin:/usr/bin\nname=X,value=\n",
		    "args=NULL|env=PATH=/bin:/usr/bin;X=" },
		{ "[env]\nvalue = v, name = n\n", "args=NULL|env=n=v" },
		{ "[env]\nname = A\\x3DB, value = \\x20x\\x20\n",
		    "args=NULL|env=A=B= x " },
		/* [args] is kept raw: Args splits it later. */
		{ "[args]\nargs = a\\x20b \"c d\"\n",
		    "args=<a\\x20b \"c d\">|env=" },
		{ "[args]\nargs =\n", "args=<>|env=" },
		/* Comments, blank lines, indentation. */
		{ "# zvsh\n\n  [args]  \n  args = a b # trailing\n",
		    "args=<a b>|env=" },
		{ "#[args]\nargs = x\n", "args=NULL|env=" },
		/* Records outside [args]/[env] are ignored. */
		{ "args = x\n[args]\nargs = y\n", "args=<y>|env=" },
		{ "[fstab]\nchannel=/dev/2, mountpoint=/, access=ro\n"
		    "[args]\nargs = x\n[mapping]\nchannel=/dev/stdin, mode=file\n"
		    "[debug]\nverbosity=4\n", "args=<x>|env=" },
		{ "[fstab]\nnot even a record\n", "args=NULL|env=" },
		{ "", "args=NULL|env=" },
		/* Bad records name their line. */
		{ "[args]\nfoo = bar\n",
		    "ERR nvram.1:2 syntax: [args]: expected args = command line" },
		{ "[args]\nargs = a, b = c\n",
		    "ERR nvram.1:2 syntax: [args]: expected args = command line" },
		{ "\n# c\n[env]\nbad\n",
		    "ERR nvram.1:4 syntax: [env]: expected name = NAME, value = "
		    "VALUE" },
		{ "[env]\nname = A\n",
		    "ERR nvram.1:2 syntax: [env]: expected name = NAME, value = "
		    "VALUE" },
		{ "[env]\nname = , value = 1\n",
		    "ERR nvram.1:2 syntax: [env]: expected name = NAME, value = "
		    "VALUE" },
		{ "[env]\nname = A, value = 1, other = 2\n",
		    "ERR nvram.1:2 syntax: [env]: expected name = NAME, value = "
		    "VALUE" },
		{ "[env]\nname = A, value = a\\x00b\n",
		    "ERR nvram.1:2 value: [env]: \\x00 (NUL) is not allowed" },
	};
	char got[512], name[128];

	for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
		show_nvram(t[i].in, strlen(t[i].in), got, sizeof got);
		snprintf(name, sizeof name, "nvram case %zu", i);
		is_str(got, t[i].want, name);
	}
}

static void
test_nvram_many(void)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_nvram nv;
	struct zvm_error e;
	int good;

	zvm_buf_adds(&b, "[env]\n");
	for (int i = 0; i < 100; i++)
		zvm_buf_printf(&b, "name=V%d, value=%d\n", i, i * 3);
	good = zvm_nvram_parse(b.p, b.len, "nvram", &a, &nv, &e) == 0;
	is_int((long long)nv.nenv, 100, "nvram reads 100 [env] records");
	for (size_t i = 0; good && i < nv.nenv; i++) {
		char n[32], v[32];

		snprintf(n, sizeof n, "V%zu", i);
		snprintf(v, sizeof v, "%zu", i * 3);
		good = strcmp(nv.env_name[i], n) == 0 &&
		    strcmp(nv.env_value[i], v) == 0;
	}
	ok(good, "nvram keeps 100 [env] records in order");
	zvm_buf_free(&b);
	zvm_arena_free(&a);

	/* Bytes after the buffer's length are not read. */
	good = zvm_nvram_parse("[args]\nargs = ab", 15, "n", &a, &nv, &e) ==
	    0 && nv.args && strcmp(nv.args, "a") == 0;
	ok(good, "nvram stops at len");
	zvm_arena_free(&a);
}

/* Quoted words in an nvram [args] record come back through split. */
static void
test_nvram_args_roundtrip(void)
{
	struct zvm_arena a = ZVM_ARENA_INIT;
	struct zvm_buf b = ZVM_BUF_INIT;
	struct zvm_nvram nv;
	struct zvm_error e;
	const char *why;
	char **argv;
	size_t argc;
	int good;

	zvm_buf_adds(&b, "[args]\nargs = ");
	zvm_args_join((char *const *)awkward, NAWKWARD, &b);
	zvm_buf_adds(&b, "\n");
	good = zvm_nvram_parse(b.p, b.len, "n", &a, &nv, &e) == 0 && nv.args &&
	    zvm_args_split(nv.args, &a, &argv, &argc, &why) == 0 &&
	    argc == NAWKWARD;
	for (size_t i = 0; good && i < NAWKWARD; i++)
		good = strcmp(argv[i], awkward[i]) == 0;
	ok(good, "joined words survive an nvram [args] record");
	zvm_buf_free(&b);
	zvm_arena_free(&a);
}

int
main(void)
{
	test_split();
	test_split_many();
	test_quote();
	test_join();
	test_roundtrip();
	test_nvram();
	test_nvram_many();
	test_nvram_args_roundtrip();
	return done_testing();
}
