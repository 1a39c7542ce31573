/* SPDX-License-Identifier: ISC */
/*
 * script - a #! line read the way the kernel reads it, quirks included.
 * The line ends at a newline only when one comes before any NUL in the
 * buffer; otherwise it runs up to the buffer's last byte, and is taken
 * only when the interpreter name is seen to end (a blank or NUL) inside
 * the buffer, so that a name cut short is refused rather than run.  A NUL
 * ends the name or the argument early, and trailing blanks are removed
 * from the end of the line only, not before such a NUL.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "load/script.h"

/* The byte at i: NUL past the n bytes read, as the kernel pads a file. */
static int
at(const unsigned char *b, size_t n, size_t i)
{
	return i < n ? b[i] : '\0';
}

static int
blank(int c)
{
	return c == ' ' || c == '\t';
}

/* The first index from i to last (inclusive) not a blank; last + 1: none. */
static size_t
skip_blanks(const unsigned char *b, size_t n, size_t i, size_t last)
{
	while (i <= last && blank(at(b, n, i)))
		i++;
	return i;
}

/* The first index from i to last (inclusive) that ends a name: a blank or
 * NUL; last + 1: none. */
static size_t
name_end(const unsigned char *b, size_t n, size_t i, size_t last)
{
	while (i <= last && !blank(at(b, n, i)) && at(b, n, i) != '\0')
		i++;
	return i;
}

static int
refuse(struct zvm_error *e, const char *why)
{
	zvm_error_set(e, ZVM_E_SYNTAX, NULL, 0, "%s", why);
	return -1;
}

int
zvm_script_parse(const void *buf, size_t len, struct zvm_script *s,
    struct zvm_error *e)
{
	const unsigned char *b = buf;
	size_t n = len < ZVM_SCRIPT_HEAD ? len : ZVM_SCRIPT_HEAD;
	size_t last = ZVM_SCRIPT_HEAD - 1, end, name, sep, arg;

	if (n < 2 || b[0] != '#' || b[1] != '!')
		return 0;
	for (end = 2; end < n && b[end] != '\n' && b[end] != '\0'; end++)
		continue;
	if (end == n || b[end] != '\n') {
		/* No newline: the kernel puts its NUL on the last byte. */
		if ((name = skip_blanks(b, n, 2, last)) > last)
			return refuse(e, "no interpreter after #!");
		if (name_end(b, n, name, last) > last)
			return refuse(e, "the interpreter name does not end "
			    "within the first 256 bytes");
		end = last;
	}
	while (blank(at(b, n, end - 1)))	/* b[1] is '!': stops at 2 */
		end--;
	name = skip_blanks(b, n, 2, end);
	/* With no blank or NUL before it, the end of the line ends the
	 * name; a NUL right at the start is the kernel's empty name. */
	sep = name_end(b, n, name, end);
	if (name >= end || sep == name)
		return refuse(e, "no interpreter after #!");
	s->interp = name;
	s->interp_len = (sep < end ? sep : end) - name;
	s->has_arg = 0;
	s->arg = s->arg_len = 0;
	if (sep <= end && at(b, n, sep) != '\0' &&
	    (arg = skip_blanks(b, n, sep, end)) <= end) {
		s->has_arg = 1;
		s->arg = arg;
		while (arg < end && at(b, n, arg) != '\0')
			arg++;
		s->arg_len = arg - s->arg;
	}
	return 1;
}

int
zvm_script_head(const char *path, void *buf, size_t *len)
{
	size_t n = 0;
	ssize_t r;
	int fd, saved;

	/* O_NONBLOCK: a FIFO put in the file's place cannot hang us. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY |
	    O_NONBLOCK)) == -1)
		return -1;
	do {
		r = pread(fd, (char *)buf + n, ZVM_SCRIPT_HEAD - n, (off_t)n);
		if (r > 0)
			n += (size_t)r;
	} while (n < ZVM_SCRIPT_HEAD && (r > 0 || (r == -1 && errno == EINTR)));
	saved = errno;
	close(fd);
	if (r == -1) {
		errno = saved;
		return -1;
	}
	*len = n;
	return 0;
}
