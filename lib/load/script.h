/* SPDX-License-Identifier: ISC */
/*
 * script - the "#!" line of a file as Linux (6.x, fs/binfmt_script.c)
 * reads it: only the first ZVM_SCRIPT_HEAD bytes, the interpreter up to
 * the first blank, newline or NUL, then the rest of the line, trailing
 * blanks removed, as one optional argument.  zvm_script_parse() does no
 * I/O; zvm_script_head() reads the bytes it looks at.
 */
#ifndef ZVM_SCRIPT_H
#define ZVM_SCRIPT_H

#include <stddef.h>

#include "base/util.h"

/* BINPRM_BUF_SIZE: all of a file the kernel reads to find its #! line. */
#define ZVM_SCRIPT_HEAD 256

/* The parts of a #! line, as offsets into the buffer parsed. */
struct zvm_script {
	size_t interp, interp_len;	/* the interpreter path, never empty */
	int has_arg;			/* 1: an optional argument follows */
	size_t arg, arg_len;		/* it, blanks and all; may be empty */
};

/*
 * Parse the first len bytes at buf, of which only ZVM_SCRIPT_HEAD count;
 * bytes past len read as NUL, as the kernel pads a short file.  Returns
 * 0 when buf does not start with "#!", 1 with *s set when it does, or -1
 * with e->code ZVM_E_SYNTAX when the kernel would refuse it: no
 * interpreter, or an interpreter name that does not end within the
 * ZVM_SCRIPT_HEAD bytes (e->file NULL: the caller names the file).
 */
int zvm_script_parse(const void *buf, size_t len, struct zvm_script *s,
    struct zvm_error *e);

/*
 * Read the first ZVM_SCRIPT_HEAD bytes of path (fewer if it is shorter)
 * into buf, which holds that many.  Returns 0 with *len set, or -1 with
 * errno set.
 */
int zvm_script_head(const char *path, void *buf, size_t *len);

#endif
