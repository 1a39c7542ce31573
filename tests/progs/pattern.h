/* SPDX-License-Identifier: ISC */
/*
 * pattern.h - the deterministic contents of the data files of
 * tests/progs/chanrand and fdrace, so a sandboxed program checks every
 * byte it receives without another way to read the file.
 *   pat(seed, i)    byte i of chanrand's file SEED: a mix of both, so a
 *                   byte read from another offset (any distance) or from
 *                   a file of another seed is wrong 255 times in 256.
 *   word(id, k)     fdrace's: bytes 8k..8k+7 of file ID, little-endian:
 *                   any 8 aligned bytes name the file and the offset.
 *   gen_file()      writes n bytes of either kind to a path, natively.
 *   num(prog, s)    a decimal argument, or exit 2 with a message.
 */
#ifndef ZVM_PATTERN_H
#define ZVM_PATTERN_H

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static uint64_t
num(const char *prog, const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || *s == '-') {
		dprintf(2, "%s: not a number: '%s'\n", prog, s);
		exit(2);
	}
	return v;
}

static unsigned char
pat(uint64_t seed, uint64_t i)
{
	uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ULL ^
	    (seed + 1) * 0xbf58476d1ce4e5b9ULL;

	x ^= x >> 31;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 29;
	return (unsigned char)(x >> 56);
}

#define WORD_MASK 0xa5c3e1f00f1e3c5aULL

static uint64_t
word(unsigned id, uint64_t k)
{
	return (k << 8 | id) ^ WORD_MASK;
}

/* Byte i of fdrace's file ID. */
static unsigned char
wbyte(unsigned id, uint64_t i)
{
	return (unsigned char)(word(id, i >> 3) >> (8 * (i & 7)));
}

/* Write n bytes of pat(seed, .) (words: wbyte(seed, .)) to path. */
static int
gen_file(const char *path, uint64_t seed, uint64_t n, int words)
{
	static unsigned char b[65536];
	uint64_t i = 0, j;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd == -1)
		return perror(path), 1;
	while (i < n) {
		for (j = 0; j < sizeof(b) && i + j < n; j++)
			b[j] = words ? wbyte((unsigned)seed, i + j) :
			    pat(seed, i + j);
		if (write(fd, b, j) != (ssize_t)j)
			return perror(path), 1;
		i += j;
	}
	return close(fd) == -1 ? (perror(path), 1) : 0;
}

#endif
