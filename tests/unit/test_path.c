/* SPDX-License-Identifier: ISC */
/*
 * test_path - zvm_path_abs() on lexical cases and on a scratch tree with a
 * symbolic link (where "dir/.." must stay), zvm_path_base(), and
 * zvm_path_search() with executable, non-executable and directory
 * candidates, empty PATH entries and names with a '/'; zvm_path_lexical().
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/path.h"
#include "tap.h"

static char tmp[] = "/tmp/test_path.XXXXXX";

static void
abs_is(const char *cwd, const char *path, const char *want, const char *name)
{
	char *got = zvm_path_abs(cwd, path);

	is_str(got, want, name);
	free(got);
}

static void
lex_is(const char *path, const char *want, const char *name)
{
	char *got = zvm_path_lexical(path);

	is_str(got, want, name);
	free(got);
}

/* Same as abs_is, with want relative to the scratch directory. */
static void
tabs_is(const char *path, const char *want, const char *name)
{
	char buf[512];

	snprintf(buf, sizeof buf, "%s%s", tmp, want);
	abs_is(tmp, path, buf, name);
}

static void
touch(const char *rel, mode_t mode)
{
	char p[512];
	int fd;

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	if ((fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode)) == -1) {
		perror(p);
		exit(2);
	}
	fchmod(fd, mode);
	close(fd);
}

static void
dir(const char *rel)
{
	char p[512];

	snprintf(p, sizeof p, "%s/%s", tmp, rel);
	if (mkdir(p, 0755) == -1) {
		perror(p);
		exit(2);
	}
}

static void
search_is(const char *name, const char *search, const char *want,
    int want_errno, const char *label)
{
	char *got = NULL, buf[512];
	int rc = zvm_path_search(name, search, tmp, &got);

	if (want) {
		snprintf(buf, sizeof buf, "%s%s", tmp, want);
		if (!is_int(rc, 0, label))
			printf("#   errno %d\n", errno);
		is_str(got, buf, label);
	} else {
		is_int(rc, -1, label);
		is_int(rc == -1 ? errno : 0, want_errno, label);
	}
	free(got);
}

int
main(void)
{
	char link[512], *got;

	/* Lexical cases: nothing below /nonexistent exists. */
	abs_is("/nonexistent/b", "c", "/nonexistent/b/c", "relative");
	abs_is("/nonexistent/b", "./c", "/nonexistent/b/c", "dot");
	abs_is("/nonexistent/b", "c/", "/nonexistent/b/c", "trailing slash");
	abs_is("/nonexistent", "/x//y/./z/.", "/x/y/z", "absolute, tidied");
	abs_is("/nonexistent", "/", "/", "root");
	abs_is("/nonexistent", "/../..", "/", "root's parent is root");
	abs_is("/", "a", "/a", "cwd is root");
	abs_is("/nonexistent", "x/../y", "/nonexistent/x/../y",
	    "missing dir keeps its ..");
	abs_is("/nonexistent", "../..", "/nonexistent/../..", ".. kept twice");
	got = zvm_path_abs("/a", "");
	ok(got == NULL && errno == EINVAL, "empty path: EINVAL");
	got = zvm_path_abs("rel", "x");
	ok(got == NULL && errno == EINVAL, "relative cwd: EINVAL");
	abs_is("rel", "/x", "/x", "absolute path ignores cwd");
	lex_is("/usr/lib/llvm/bin/../lib/libx.so", "/usr/lib/llvm/lib/libx.so",
	    "lexical: .. pops");
	lex_is("a//./b/", "/a/b", "lexical: relative from /");
	lex_is("/../../x", "/x", "lexical: never above /");
	lex_is("", "/", "lexical: empty is /");
	lex_is("/.", "/", "lexical: /. is /");
	lex_is("/a/b/../../..", "/", "lexical: all popped");

	if (mkdtemp(tmp) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	dir("d");
	dir("d/e");
	dir("bin1");
	dir("bin2");
	dir("bin3");
	dir("bin3/prog");
	touch("d/file", 0644);
	touch("bin1/prog", 0755);
	touch("bin2/prog2", 0644);
	touch("bin2/prog", 0644);
	touch("prog", 0755);
	snprintf(link, sizeof link, "%s/l", tmp);
	if (symlink("d/e", link) == -1) {
		perror("symlink");
		return 2;
	}

	tabs_is("d/../f", "/f", "real dir/.. goes");
	tabs_is("d/e/../../f", "/f", "two real dirs/../.. go");
	tabs_is("l/../f", "/l/../f", "symlink/.. stays");
	tabs_is("l/x", "/l/x", "symlink not resolved");
	tabs_is("d/file/../f", "/d/file/../f", "file/.. stays");
	tabs_is("d/nope/../../f", "/d/nope/../../f", "missing/.. stays");
	tabs_is("./d/./e/", "/d/e", "dots and trailing slash");
	{
		char *parent = strdup(tmp);

		*strrchr(parent, '/') = '\0';
		abs_is(tmp, "..", parent, "cwd's own parent");
		free(parent);
	}

	is_str(zvm_path_base("a/b"), "b", "base of a/b");
	is_str(zvm_path_base("b"), "b", "base of b");
	is_str(zvm_path_base("a/"), "", "base of a/");
	is_str(zvm_path_base("/x.txt"), "x.txt", "base of /x.txt");

	{
		char s1[1100];

		snprintf(s1, sizeof s1, "%s/bin2:%s/bin3:%s/bin1", tmp, tmp,
		    tmp);
		search_is("prog", s1, "/bin1/prog", 0,
		    "non-executable and directory candidates skipped");
		search_is("prog2", s1, NULL, EACCES,
		    "only a non-executable candidate: EACCES");
		search_is("nope", s1, NULL, ENOENT, "nothing: ENOENT");
	}
	/* Relative names are looked up from the process's directory. */
	if (chdir(tmp) == -1) {
		perror("chdir");
		return 2;
	}
	search_is("prog", "bin1", "/bin1/prog", 0, "relative entry");
	search_is("", "bin1", NULL, ENOENT, "empty name: ENOENT");
	search_is("./prog", "/nonexistent", "/prog", 0, "name with /");
	search_is("bin2/prog2", "", NULL, EACCES, "name with /: not exec");
	search_is("bin3/prog", "", NULL, EACCES, "name with /: a directory");
	search_is("nope/x", "", NULL, ENOENT, "name with /: missing");
	search_is("d/file/x", "", NULL, ENOTDIR, "name with /: ENOTDIR");
	search_is("prog", "/nonexistent:", "/prog", 0,
	    "empty entry is the current directory");
	search_is("prog", "/nonexistent", NULL, ENOENT,
	    "no empty entry: cwd not searched");
	{
		char *sh = NULL;
		int rc = zvm_path_search("sh", NULL, "/", &sh);

		ok(rc == 0 && sh && (strcmp(sh, "/bin/sh") == 0 ||
		    strcmp(sh, "/usr/bin/sh") == 0),
		    "NULL search: /bin:/usr/bin");
		free(sh);
	}

	{
		char cmd[600];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
		if (chdir("/") == -1 || system(cmd) != 0)
			printf("# could not remove %s\n", tmp);
	}
	return done_testing();
}
