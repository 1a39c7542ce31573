/* SPDX-License-Identifier: ISC */
/*
 * driver - corpus replay for the fuzz targets without libFuzzer: calls
 * LLVMFuzzerTestOneInput() once per file named on the command line (a
 * directory: each regular file in it, sorted by name) and prints TAP, one
 * "ok N - path" per input.  A crash or abort() in the target is the
 * failure; an unreadable or empty input list is an error (exit 1).
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int LLVMFuzzerInitialize(int *, char ***) __attribute__((weak));

static int ntests;

/* Read path whole; the buffer is never NULL, even for an empty file. */
static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	size_t len = 0, cap = 4096, n;
	uint8_t *buf = malloc(cap), *p;

	if (f == NULL || buf == NULL) {
		fprintf(stderr, "driver: %s: %s\n", path, strerror(errno));
		if (f)
			fclose(f);
		free(buf);
		return -1;
	}
	while ((n = fread(buf + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if ((p = realloc(buf, cap * 2)) == NULL) {
				fprintf(stderr, "driver: %s: out of memory\n",
				    path);
				fclose(f);
				free(buf);
				return -1;
			}
			buf = p;
			cap *= 2;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "driver: %s: read error\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so ASan sees any read past the input. */
	if ((p = malloc(len ? len : 1)) == NULL) {
		free(buf);
		return -1;
	}
	memcpy(p, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(p, len);
	free(p);
	printf("ok %d - %s\n", ++ntests, path);
	fflush(stdout);
	return 0;
}

static int
run_dir(const char *dir)
{
	struct dirent **ents;
	int n, rc = 0;

	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		fprintf(stderr, "driver: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char path[4096];
		struct stat st;

		snprintf(path, sizeof path, "%s/%s", dir, ents[i]->d_name);
		if (rc == 0 && stat(path, &st) == 0 && S_ISREG(st.st_mode))
			rc = run_file(path);
		free(ents[i]);
	}
	free(ents);
	return rc;
}

int
main(int argc, char *argv[])
{
	struct stat st;

	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	for (int i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			fprintf(stderr, "driver: %s: %s\n", argv[i],
			    strerror(errno));
			return 1;
		}
		if ((S_ISDIR(st.st_mode) ? run_dir(argv[i]) :
		    run_file(argv[i])) == -1)
			return 1;
	}
	if (ntests == 0) {
		fprintf(stderr, "driver: no input files\n");
		return 1;
	}
	printf("1..%d\n", ntests);
	return 0;
}
