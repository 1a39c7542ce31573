/* SPDX-License-Identifier: ISC */
/*
 * write - the manifest's lines back to bytes: every line that no change
 * touched is the input's own bytes, line end included.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "manifest/manifest.h"
#include "manifest/private.h"

static const char *const eol_bytes[] = { "", "\n", "\r\n", "\r" };

void
zvm_manifest_write(const struct zvm_manifest *m, struct zvm_buf *out)
{
	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];

		if (l->deleted)
			continue;
		zvm_buf_add(out, l->text, l->len);
		zvm_buf_adds(out, eol_bytes[l->eol]);
	}
}

static int
writev_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n);

		if (w == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (; n > 0 && (size_t)w >= iov->iov_len; iov++, n--)
			w -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
	return 0;
}

int
zvm_manifest_write_fd(const struct zvm_manifest *m, int fd)
{
	uintptr_t lo = (uintptr_t)m->buf, hi = lo + m->len;
	struct iovec iov[IOV_MAX];
	int n = 0;

	/*
	 * A run of lines still in the input buffer, line ends included, is
	 * one iovec: for a large manifest the copy would cost more than the
	 * parse.
	 */
	for (size_t i = 0; i < m->nline; i++) {
		const struct zvm_line *l = &m->line[i];
		const char *eol = eol_bytes[l->eol];
		size_t elen = strlen(eol);
		uintptr_t t = (uintptr_t)l->text;
		int inbuf;

		if (l->deleted)
			continue;
		inbuf = t >= lo && t + l->len + elen <= hi &&
		    memcmp(l->text + l->len, eol, elen) == 0;
		if (inbuf && n > 0 && (uintptr_t)iov[n - 1].iov_base >= lo &&
		    (uintptr_t)iov[n - 1].iov_base + iov[n - 1].iov_len == t) {
			iov[n - 1].iov_len += l->len + elen;
			continue;
		}
		if (n + 2 > IOV_MAX) {
			if (writev_all(fd, iov, n) == -1)
				return -1;
			n = 0;
		}
		iov[n++] = (struct iovec){ (void *)l->text, l->len };
		if (inbuf)
			iov[n - 1].iov_len += elen;
		else if (elen)
			iov[n++] = (struct iovec){ (void *)eol, elen };
	}
	return writev_all(fd, iov, n);
}
