/* SPDX-License-Identifier: ISC */
/*
 * proc - the calls on the process itself, and the refusals.  The first
 * execveat is the child's own (it has run only lib/run/sandbox code so
 * far) and goes on; every later exec is refused.  clone makes threads
 * only, as many as Threads allows.  exit_group is notified
 * only under the memory-etag filter: the memory is hashed, then the exit
 * goes on.  The program may signal itself, nobody else.  Every call no
 * family serves is denied here, counted in the report by name, with the
 * errno a program can live with (EACCES for sockets, ENOSYS where libc
 * falls back, EPERM for what needs a privilege or a second process).
 */
#include <errno.h>
#include <sched.h>
#include <sys/syscall.h>

#include "sv/handler.h"

/* A thread: same mm, files, handlers; no namespaces, no tracing.  These
 * flags must all be there, these must be clear (the kernel reads the low
 * 32 bits). */
#define CLONE_NEED (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | \
	CLONE_THREAD)
#define CLONE_DENY (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | \
	CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	CLONE_PTRACE | CLONE_UNTRACED | CLONE_VFORK | CLONE_PARENT | \
	CLONE_PIDFD | CLONE_IO)

/* x86-64 numbers musl 1.2.3's <sys/syscall.h> does not have yet. */
#ifndef SYS_quotactl_fd
#define SYS_quotactl_fd 443
#endif
#ifndef SYS_memfd_secret
#define SYS_memfd_secret 447
#endif
#ifndef SYS_process_mrelease
#define SYS_process_mrelease 448
#endif

/* What a call outside the allow-list and the emulated set gets. */
static int
deny_errno(int nr)
{
	switch (nr) {
	case SYS_socket: case SYS_socketpair: case SYS_connect:
	case SYS_bind: case SYS_listen: case SYS_accept: case SYS_accept4:
	case SYS_sendto: case SYS_recvfrom: case SYS_sendmsg:
	case SYS_recvmsg: case SYS_sendmmsg: case SYS_recvmmsg:
	case SYS_shutdown: case SYS_getsockopt: case SYS_setsockopt:
	case SYS_getsockname: case SYS_getpeername:
		return EACCES;
	/* libc falls back to clone; a ring would bypass the filter. */
	case SYS_clone3: case SYS_io_uring_setup: case SYS_io_uring_enter:
	case SYS_io_uring_register:
		return ENOSYS;
	case SYS_fork: case SYS_vfork: case SYS_clone: case SYS_execve:
	case SYS_execveat: case SYS_ptrace: case SYS_process_vm_readv:
	case SYS_process_vm_writev: case SYS_seccomp: case SYS_bpf:
	case SYS_mount: case SYS_umount2: case SYS_unshare: case SYS_setns:
	case SYS_keyctl: case SYS_add_key: case SYS_request_key:
	case SYS_perf_event_open: case SYS_userfaultfd:
	case SYS_personality: case SYS_prctl: case SYS_prlimit64:
	case SYS_setrlimit: case SYS_kcmp: case SYS_pidfd_open:
	case SYS_pidfd_getfd: case SYS_pidfd_send_signal: case SYS_kill:
	case SYS_tkill: case SYS_tgkill: case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo: case SYS_reboot: case SYS_kexec_load:
	case SYS_kexec_file_load: case SYS_init_module:
	case SYS_finit_module: case SYS_delete_module: case SYS_pivot_root:
	case SYS_settimeofday: case SYS_clock_settime:
	case SYS_clock_adjtime: case SYS_adjtimex: case SYS_setuid:
	case SYS_setgid: case SYS_setreuid: case SYS_setregid:
	case SYS_setresuid: case SYS_setresgid: case SYS_setgroups:
	case SYS_setfsuid: case SYS_setfsgid: case SYS_capset:
	case SYS_iopl: case SYS_ioperm: case SYS_modify_ldt:
	case SYS_syslog: case SYS_vhangup: case SYS_sched_setaffinity:
	case SYS_sched_setscheduler: case SYS_sched_setparam:
	case SYS_sched_setattr: case SYS_setpriority: case SYS_ioprio_set:
	case SYS_mlock: case SYS_mlock2: case SYS_mlockall:
	case SYS_munlock: case SYS_munlockall: case SYS_memfd_secret:
	case SYS_fsopen: case SYS_fsconfig: case SYS_fsmount:
	case SYS_fspick: case SYS_move_mount: case SYS_open_tree:
	case SYS_mount_setattr: case SYS_landlock_create_ruleset:
	case SYS_landlock_add_rule: case SYS_landlock_restrict_self:
	case SYS_setpgid: case SYS_setsid: case SYS_sethostname:
	case SYS_setdomainname: case SYS_migrate_pages:
	case SYS_move_pages: case SYS_mbind: case SYS_set_mempolicy:
	case SYS_fanotify_init: case SYS_process_madvise:
	case SYS_process_mrelease: case SYS_quotactl_fd:
		return EPERM;
	}
	return ENOSYS;
}

/*
 * Read everything first, then let the exit go on: CONTINUE decides on
 * the number alone.  A failed exec exits here too, still in zvm-run's
 * own memory: no digest of that.
 */
static void
memory_etag(struct zvm_sv *sv)
{
	struct zvm_etag et;

	if (!sv->memtag || !sv->execed || *sv->exec_err != 0 ||
	    sv->rep->memory_etag_done)
		return;
	if (zvm_tr_memory_etag(&sv->tr, &et, sv->buf, ZVM_BUFSZ) == 0) {
		zvm_etag_hex(&et, sv->rep->memory_etag);
		sv->rep->memory_etag_done = 1;
	}
}

int
zvm_h_proc(struct zvm_sv *sv, const struct seccomp_notif *req,
    struct zvm_resp *r)
{
	const __u64 *a = req->data.args;
	int e;

	switch (req->data.nr) {
	case SYS_execve:
	case SYS_execveat:
		/* Ours: the loop arms the timeout when it sees execed. */
		if (!sv->execed && (pid_t)req->pid == sv->tr.pid) {
			sv->execed = 1;
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	case SYS_clone:
		/* A thread, while Threads allows one more: the kernel makes
		 * it (CONTINUE decides on the flags register alone).  Past
		 * it EAGAIN, as RLIMIT_NPROC gives. */
		if (((uint32_t)a[0] & (CLONE_NEED | CLONE_DENY)) != CLONE_NEED)
			break;
		if ((e = zvm_thread_room(sv, (pid_t)req->pid)) < 0) {
			r->error = -e;
			return ZVM_H_DONE;
		}
		r->cont = 1;
		return ZVM_H_DONE;
	case SYS_exit:
		/* A thread's end, for the count of Threads. */
		zvm_thread_exit(sv);
		r->cont = 1;
		return ZVM_H_DONE;
	case SYS_exit_group:
		memory_etag(sv);
		r->cont = 1;
		return ZVM_H_DONE;
	case SYS_kill:
	case SYS_tgkill:
	case SYS_rt_sigqueueinfo:
	case SYS_rt_tgsigqueueinfo:
		if ((pid_t)a[0] == sv->tr.pid) {
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	case SYS_tkill:
		if (zvm_tr_is_thread(&sv->tr, (pid_t)a[0])) {
			r->cont = 1;
			return ZVM_H_DONE;
		}
		break;
	}
	zvm_deny(sv, req, r, deny_errno(req->data.nr));
	return ZVM_H_DONE;
}
