/* SPDX-License-Identifier: ISC */
/*
 * table - every notified call number, once, with the family that answers
 * it (lib/sv/handler.h).  Reads and writes go to the channel family on a
 * virtual fd and to the injected-fd family above ZVM_NVFD; any number
 * not listed, or one a family does not take, is denied (lib/sv/proc).
 * The filter (tools/genfilter.c) decides which numbers are notified at
 * all; the rest run natively or are killed there.
 */
#include <linux/audit.h>
#include <errno.h>
#include <sys/syscall.h>

#include "sv/handler.h"
#include "sv/table.h"

enum { F_PROC, F_RW, F_INJ, F_POLL, F_FD, F_NAME, F_OBJ, F_SOCK };

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int
family(int nr)
{
	switch (nr) {
	case SYS_read: case SYS_pread64: case SYS_readv: case SYS_preadv:
	case SYS_preadv2: case SYS_write: case SYS_pwrite64:
	case SYS_writev: case SYS_pwritev: case SYS_pwritev2:
		return F_RW;
	case SYS_mmap: case SYS_mremap:
		return F_INJ;
	case SYS_poll: case SYS_ppoll: case SYS_select: case SYS_pselect6:
		return F_POLL;
	case SYS_epoll_create: case SYS_epoll_create1: case SYS_epoll_ctl:
	case SYS_epoll_wait: case SYS_epoll_pwait: case SYS_epoll_pwait2:
	case SYS_eventfd: case SYS_eventfd2: case SYS_timerfd_create:
	case SYS_timerfd_settime: case SYS_timerfd_gettime:
	case SYS_signalfd: case SYS_signalfd4:
	case SYS_socketpair: case SYS_sendto: case SYS_recvfrom:
	case SYS_shutdown: case SYS_getsockopt: case SYS_setsockopt:
	case SYS_getsockname: case SYS_getpeername:
		return F_OBJ;
	case SYS_sendmsg: case SYS_recvmsg: case SYS_sendmmsg:
	case SYS_recvmmsg:
		return F_SOCK;
	case SYS_close: case SYS_close_range: case SYS_dup: case SYS_dup2:
	case SYS_dup3: case SYS_fcntl: case SYS_fstat: case SYS_lseek:
	case SYS_ioctl: case SYS_fchdir: case SYS_getdents:
	case SYS_getdents64: case SYS_pipe: case SYS_pipe2: case SYS_fsync:
	case SYS_fdatasync: case SYS_ftruncate: case SYS_fadvise64:
	case SYS_flock: case SYS_sendfile: case SYS_splice: case SYS_tee:
	case SYS_vmsplice: case SYS_copy_file_range:
		return F_FD;
	case SYS_open: case SYS_creat: case SYS_openat: case SYS_stat:
	case SYS_lstat: case SYS_newfstatat: case SYS_statx:
	case SYS_access: case SYS_faccessat: case SYS_faccessat2:
	case SYS_readlink: case SYS_readlinkat: case SYS_getcwd:
	case SYS_chdir: case SYS_statfs: case SYS_fstatfs:
	/* The calls that would change the file system: EACCES there. */
	case SYS_unlink: case SYS_unlinkat: case SYS_rename:
	case SYS_renameat: case SYS_renameat2: case SYS_mkdir:
	case SYS_mkdirat: case SYS_rmdir: case SYS_link: case SYS_linkat:
	case SYS_symlink: case SYS_symlinkat: case SYS_mknod:
	case SYS_mknodat: case SYS_chmod: case SYS_fchmod:
	case SYS_fchmodat: case SYS_chown: case SYS_fchown:
	case SYS_lchown: case SYS_fchownat: case SYS_truncate:
	case SYS_utime: case SYS_utimes: case SYS_utimensat:
	case SYS_futimesat: case SYS_setxattr: case SYS_lsetxattr:
	case SYS_fsetxattr: case SYS_removexattr: case SYS_lremovexattr:
	case SYS_fremovexattr: case SYS_chroot: case SYS_acct:
	case SYS_swapon: case SYS_swapoff: case SYS_quotactl:
	case SYS_name_to_handle_at: case SYS_open_by_handle_at:
	case SYS_openat2:
		return F_NAME;
	}
	return F_PROC;
}

int
zvm_table_serve(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r, int *chan, short *events)
{
	int h = -1;

	*chan = -1;
	if (req->data.arch != AUDIT_ARCH_X86_64) {	/* the filter kills */
		r->error = ENOSYS;
		return ZVM_H_DONE;
	}
	sv->tr.id = req->id;
	sv->txn.active = 0;
	if (sv->nclones)
		zvm_clone_done(sv, (pid_t)req->pid);
	if (sv->nconts)
		zvm_cont_done(sv, (pid_t)req->pid);
	switch (family(req->data.nr)) {
	case F_RW:
		h = (uint32_t)req->data.args[0] >= ZVM_NVFD ?
		    zvm_h_inj(sv, req, r) :
		    zvm_h_io(sv, req, r, chan, events);
		break;
	case F_INJ:
		h = zvm_h_inj(sv, req, r);
		break;
	case F_POLL:
		h = zvm_h_poll(sv, req, r);
		break;
	case F_FD:
		h = zvm_h_fd(sv, req, r);
		break;
	case F_NAME:
		h = zvm_h_name(sv, req, r);
		break;
	case F_OBJ:
		h = zvm_h_obj(sv, req, r);
		break;
	case F_SOCK:
		h = zvm_h_sock(sv, req, r);
		break;
	}
	if (h < 0)
		h = zvm_h_proc(sv, req, r);
	/* With more threads, a call let run names its fd until its thread
	 * calls again: no close frees the number meanwhile (lib/sv/fds).
	 * The fd is the first argument, mmap's the fifth; for a call of
	 * no fd it is a number held for nothing, a moment (not exit's: its
	 * thread never calls again). */
	if (h == ZVM_H_DONE && r->cont && !zvm_one_thread(sv) &&
	    req->data.nr != SYS_exit && zvm_cont_add(sv, (pid_t)req->pid,
	    (uint32_t)req->data.args[req->data.nr == SYS_mmap ? 4 : 0]) == -1)
		sv->noreuse = 1;
	return h;
}
