/* SPDX-License-Identifier: ISC */
/*
 * tracee - the program as the supervisor reaches it: its memory through
 * the leader's pid (any thread's memory is the leader's: the filter lets
 * clone make threads only), the notify fd for answers and fd
 * installation, /proc/PID for what the kernel knows of it.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sv/tracee.h"

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

#define USER_TOP 0x7ffffffff000ULL

uint64_t
zvm_tr_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec;
}

int
zvm_tr_peek(struct zvm_tracee *tr, uint64_t addr, void *p, size_t n)
{
	struct iovec l = { p, n }, r = { (void *)(uintptr_t)addr, n };

	return process_vm_readv(tr->pid, &l, 1, &r, 1, 0) == (ssize_t)n ?
	    0 : -EFAULT;
}

int
zvm_tr_poke(struct zvm_tracee *tr, uint64_t addr, const void *p, size_t n)
{
	struct iovec l = { (void *)p, n }, r = { (void *)(uintptr_t)addr, n };

	return process_vm_writev(tr->pid, &l, 1, &r, 1, 0) == (ssize_t)n ?
	    0 : -EFAULT;
}

int
zvm_tr_peekstr(struct zvm_tracee *tr, uint64_t addr, char *buf, size_t n)
{
	size_t got = 0;

	/* Page by page: a string may end just before unmapped memory.  A
	 * path is short: the first read takes 256 bytes at most, not the
	 * rest of its page (a copy of up to 4 KiB at every path call). */
	while (got < n) {
		size_t c = 4096 - ((addr + got) & 4095);
		struct iovec l, r;
		ssize_t k;

		if (got == 0 && c > 256)
			c = 256;
		if (c > n - got)
			c = n - got;
		l.iov_base = buf + got;
		l.iov_len = c;
		r.iov_base = (void *)(uintptr_t)(addr + got);
		r.iov_len = c;
		if ((k = process_vm_readv(tr->pid, &l, 1, &r, 1, 0)) <= 0)
			return -EFAULT;
		if (memchr(buf + got, '\0', k) != NULL)
			return 0;
		got += k;
	}
	return -ENAMETOOLONG;
}

int
zvm_tr_iov_load(struct zvm_tracee *tr, int vec, uint64_t a1, uint64_t a2,
    size_t *cnt, uint64_t *total)
{
	uint64_t sum = 0;
	size_t i;
	int r;

	if (!vec) {
		if (a2 > USER_TOP || a1 + a2 > USER_TOP)
			return -EFAULT;
		tr->riov[0].iov_base = (void *)(uintptr_t)a1;
		tr->riov[0].iov_len = a2;
		*cnt = 1;
		*total = a2 > ZVM_MAX_RW ? ZVM_MAX_RW : a2;
		return 0;
	}
	if ((uint32_t)a2 > ZVM_IOV_MAX)
		return -EINVAL;
	*cnt = (uint32_t)a2;
	if (*cnt && (r = zvm_tr_peek(tr, a1, tr->riov,
	    *cnt * sizeof(struct iovec))) < 0)
		return r;
	for (i = 0; i < *cnt; i++) {
		if (tr->riov[i].iov_len > INT64_MAX - sum)
			return -EINVAL;
		sum += tr->riov[i].iov_len;
	}
	*total = sum > ZVM_MAX_RW ? ZVM_MAX_RW : sum;
	return 0;
}

/* tr->siov = the remote range [off, off + len) of tr->riov. */
static size_t
slice(struct zvm_tracee *tr, size_t cnt, uint64_t off, uint64_t len)
{
	size_t i, n = 0;

	for (i = 0; i < cnt && len; i++) {
		uint64_t l = tr->riov[i].iov_len;

		if (off >= l) {
			off -= l;
			continue;
		}
		l -= off;
		if (l > len)
			l = len;
		tr->siov[n].iov_base = (char *)tr->riov[i].iov_base + off;
		tr->siov[n++].iov_len = l;
		len -= l;
		off = 0;
	}
	return n;
}

ssize_t
zvm_tr_iov_put(struct zvm_tracee *tr, size_t cnt, uint64_t off,
    const void *p, size_t len)
{
	struct iovec l = { (void *)p, len };
	size_t n = slice(tr, cnt, off, len);

	return process_vm_writev(tr->pid, &l, 1, tr->siov, n, 0);
}

ssize_t
zvm_tr_iov_get(struct zvm_tracee *tr, size_t cnt, uint64_t off, void *p,
    size_t len)
{
	struct iovec l = { p, len };
	size_t n = slice(tr, cnt, off, len);

	return process_vm_readv(tr->pid, &l, 1, tr->siov, n, 0);
}

int
zvm_tr_is_read(int nr)
{
	return nr == SYS_read || nr == SYS_pread64 || nr == SYS_readv ||
	    nr == SYS_preadv || nr == SYS_preadv2;
}

int
zvm_tr_is_write(int nr)
{
	return nr == SYS_write || nr == SYS_pwrite64 || nr == SYS_writev ||
	    nr == SYS_pwritev || nr == SYS_pwritev2;
}

int
zvm_tr_iocall(struct zvm_tracee *tr, const struct seccomp_notif *req,
    int seekable, struct zvm_iocall *c)
{
	const __u64 *a = req->data.args;
	int nr = req->data.nr;
	int v2 = nr == SYS_preadv2 || nr == SYS_pwritev2;
	int vec = v2 || nr == SYS_readv || nr == SYS_writev ||
	    nr == SYS_preadv || nr == SYS_pwritev;

	if (v2 && a[5] != 0)
		return -EOPNOTSUPP;
	c->posn = nr == SYS_pread64 || nr == SYS_pwrite64 ||
	    nr == SYS_preadv || nr == SYS_pwritev ||
	    (v2 && (int64_t)a[3] != -1);
	c->off = 0;
	if (c->posn) {
		if (!seekable)
			return -ESPIPE;
		if ((int64_t)a[3] < 0)
			return -EINVAL;
		c->off = a[3];
	}
	return zvm_tr_iov_load(tr, vec, a[1], a[2], &c->cnt, &c->total);
}


int
zvm_tr_answer(struct zvm_tracee *tr, uint64_t id, int64_t val, int err,
    int cont)
{
	struct seccomp_notif_resp resp;

	memset(&resp, 0, sizeof(resp));
	resp.id = id;
	if (cont)
		resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
	else if (err)
		resp.error = -err;
	else
		resp.val = val;
	return ioctl(tr->listener, SECCOMP_IOCTL_NOTIF_SEND, &resp) == 0;
}

int
zvm_tr_addfd(struct zvm_tracee *tr, uint64_t id, int srcfd, int newfd,
    int cloexec, int send)
{
	struct seccomp_notif_addfd add;
	int fd;

	memset(&add, 0, sizeof(add));
	add.id = id;
	add.flags = SECCOMP_ADDFD_FLAG_SETFD |
	    (send ? SECCOMP_ADDFD_FLAG_SEND : 0);
	add.srcfd = srcfd;
	add.newfd = newfd;
	add.newfd_flags = cloexec ? O_CLOEXEC : 0;
	fd = ioctl(tr->listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	return fd >= 0 ? fd : -errno;
}

/* The link count of /proc/PID/task is two plus one per thread. */
unsigned long
zvm_tr_threads(struct zvm_tracee *tr)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)tr->pid);
	return stat(path, &st) == 0 && st.st_nlink > 2 ? st.st_nlink - 2 : 0;
}

int
zvm_tr_is_thread(struct zvm_tracee *tr, pid_t tid)
{
	char path[64];
	struct stat st;

	if (tid == tr->pid)
		return 1;
	snprintf(path, sizeof(path), "/proc/%d/task/%d", (int)tr->pid,
	    (int)tid);
	return tid > 0 && stat(path, &st) == 0;
}

/* One "Name:\thex" line of a status file, or 0. */
static uint64_t
mask_of(const char *status, const char *name)
{
	const char *p = strstr(status, name);

	return p ? strtoull(p + strlen(name), NULL, 16) : 0;
}

/* /proc/PID/task/TID/status into st (NUL-ended): 0, or -1. */
static int
status_of(const struct zvm_tracee *tr, pid_t tid, char *st, size_t cap)
{
	char path[64];
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", (int)tr->pid,
	    (int)tid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	k = read(fd, st, cap - 1);
	close(fd);
	if (k <= 0)
		return -1;
	st[k] = '\0';
	return 0;
}

unsigned
zvm_tr_umask(struct zvm_tracee *tr)
{
	char st[4096], *p;

	if (status_of(tr, tr->pid, st, sizeof(st)) == -1 ||
	    (p = strstr(st, "\nUmask:")) == NULL)
		return 022;
	return (unsigned)strtoul(p + 7, NULL, 8) & 0777;
}

int
zvm_tr_signalled(struct zvm_tracee *tr, pid_t tid, uint64_t also)
{
	char st[4096];
	uint64_t pend;

	if (status_of(tr, tid, st, sizeof(st)) == -1)
		return 0;
	pend = mask_of(st, "\nSigPnd:") | mask_of(st, "\nShdPnd:");
	return (pend & ~(mask_of(st, "\nSigBlk:") | also) &
	    mask_of(st, "\nSigCgt:")) != 0;
}

void
zvm_tr_signal(struct zvm_tracee *tr, pid_t tid, int sig)
{
	syscall(SYS_tgkill, tr->pid, tid, sig);
}

uint64_t
zvm_tr_vmsize(struct zvm_tracee *tr)
{
	char path[64], buf[64];
	unsigned long long pages;
	ssize_t k;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/statm", (int)tr->pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return UINT64_MAX;
	k = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (k <= 0)
		return UINT64_MAX;
	buf[k] = '\0';
	if (sscanf(buf, "%llu", &pages) != 1)
		return UINT64_MAX;
	return (uint64_t)pages * 4096;
}

int
zvm_tr_set_as(struct zvm_tracee *tr, uint64_t soft)
{
	struct rlimit rl;

	if (prlimit(tr->pid, RLIMIT_AS, NULL, &rl) == -1)
		return -errno;
	rl.rlim_cur = soft < rl.rlim_max ? soft : rl.rlim_max;
	return prlimit(tr->pid, RLIMIT_AS, &rl, NULL) == -1 ? -errno : 0;
}

int
zvm_tr_getfd(struct zvm_tracee *tr, int fd)
{
	return (int)syscall(SYS_pidfd_getfd, tr->pidfd, fd, 0);
}

/* Read with pread into buf, a buffer at a time; a line longer than the
 * buffer is no maps line. */
int
zvm_tr_map_at(struct zvm_tracee *tr, uint64_t addr, struct zvm_tr_map *m,
    unsigned char *buf, size_t cap)
{
	size_t have = 0;
	uint64_t at = 0;
	char path[64];

	if (tr->mapsfd < 0) {
		snprintf(path, sizeof(path), "/proc/%d/maps", (int)tr->pid);
		if ((tr->mapsfd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			return -1;
	}
	for (;;) {
		ssize_t k = pread(tr->mapsfd, buf + have, cap - 1 - have, at);
		char *p = (char *)buf, *e;

		if (k < 0)
			return -1;
		if (k == 0)	/* the end: addr is mapped by nothing */
			return 0;
		at += k;
		have += k;
		buf[have] = '\0';
		while ((e = strchr(p, '\n')) != NULL) {
			unsigned long long l, h, o, ino;
			unsigned maj, mnr;

			*e = '\0';
			if (sscanf(p, "%llx-%llx %*s %llx %x:%x %llu", &l, &h,
			    &o, &maj, &mnr, &ino) != 6 || addr >= h) {
				p = e + 1;
				continue;
			}
			/* In address order: the first line past it ends it. */
			if (addr < l)
				return 0;
			m->lo = l;
			m->off = o;
			m->dev = makedev(maj, mnr);
			m->ino = (ino_t)ino;
			return 1;
		}
		have -= p - (char *)buf;
		if (have == cap - 1)
			return -1;
		memmove(buf, p, have);
	}
}

/*
 * The memory etag: xxh128 over the contents (not the addresses) of every
 * readable mapping of the program, in address order, as /proc/PID/maps
 * lists them.  Skipped: [vvar], [vvar_vclock] and [vsyscall], which
 * process_vm_readv cannot read, and [vdso] and [uprobes], the kernel's
 * pages rather than the program's; and the rest of a mapping from the
 * first byte that cannot be read (a file mapping past the end of its
 * file, a page whose protection changed while we read).  Other threads
 * keep running meanwhile; what they change is hashed as it is read.
 */
static int
kernel_mapping(const char *name)
{
	static const char *const skip[] = {
		"[vvar]", "[vvar_vclock]", "[vsyscall]", "[vdso]", "[uprobes]"
	};

	for (size_t i = 0; i < sizeof(skip) / sizeof(skip[0]); i++)
		if (strcmp(name, skip[i]) == 0)
			return 1;
	return 0;
}

int
zvm_tr_memory_etag(struct zvm_tracee *tr, struct zvm_etag *et,
    unsigned char *buf, size_t cap)
{
	char path[64], *line = NULL;
	size_t lcap = 0;
	ssize_t len;
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)tr->pid);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	zvm_etag_init(et);
	while ((len = getline(&line, &lcap, f)) > 0) {
		unsigned long lo, hi;
		char perm[5];
		int name = 0;

		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (sscanf(line, "%lx-%lx %4s %*s %*s %*s %n", &lo, &hi, perm,
		    &name) < 3 || perm[0] != 'r' ||
		    (name > 0 && kernel_mapping(line + name)))
			continue;
		while (lo < hi) {
			size_t c = hi - lo < cap ? hi - lo : cap;
			struct iovec l = { buf, c };
			struct iovec r = { (void *)lo, c };
			ssize_t k = process_vm_readv(tr->pid, &l, 1, &r, 1, 0);

			if (k <= 0)
				break;
			zvm_etag_update(et, buf, k);
			if ((size_t)k < c)
				break;
			lo += c;
		}
	}
	free(line);
	/* A maps file we could not read to its end is no digest. */
	rc = ferror(f) ? -1 : 0;
	fclose(f);
	return rc;
}
