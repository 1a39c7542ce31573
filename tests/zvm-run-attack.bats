#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run attack suite (conventions.md Checklist 2): each escape attempt
# is refused with the exact errno, or the process is killed.  Programs run
# as nobody when the suite runs as root.
load helper
load zvm-run-helper

attack() {
	printf SAFE >"$W/in"
	mf attack "$W/in,/dev/3.in,1,0,1000000,100000000,0,0" |
	    sed "s|^Program.*|&\nArgs = attack $1|" >"$W/m"
}

@test "attack: fork, vfork, clone, clone3, exec, sockets, io_uring, ptrace, process_vm, seccomp, bpf, mount, unshare, setns, keyctl, perf, userfaultfd, personality, prctl, kill, rlimits, /proc, fd-creating calls" {
	attack all
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 50 checks" ]
	run grep -x 'Denied = clone:3,vfork:1,clone3:1,execve:1,execveat:2,socket:2,io_uring_setup:1,ptrace:2,process_vm_readv:1,process_vm_writev:1,seccomp:1,prctl:3,bpf:1,mount:1,unshare:1,setns:1,keyctl:1,perf_event_open:1,userfaultfd:1,personality:1,kill:3,tgkill:1,tkill:1,prlimit64:2,openat2:1,chroot:1,memfd_create:1,nr999:1,setuid:1,pidfd_open:1,kcmp:1' "$W/rep"
	assert_success
}

@test "attack: 20,000 unknown system call numbers make a short Denied line" {
	attack manynr
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 20000 checks" ]
	want="Denied = $(seq 1000 1015 | sed 's/^/nr/; s/$/:1/' | paste -sd,),other:19984"
	run grep -x "$want" "$W/rep"
	assert_success
	as_nobody zvm-run -f json -r "$W/json" "$W/m"
	jq -e '.denied.other == 19984 and (.denied | length) == 17' "$W/json"
}

@test "attack: i386 int 0x80 kills the process (SIGSYS, 159; SIGSEGV where the kernel has no gate)" {
	attack abi32
	# Some kernels (a PVM guest among them) have no int 0x80 gate: the
	# instruction faults before any filter sees it, natively as well.
	# There the program must die the same way; it must never go on.
	run "$P/attack" abi32
	if [ "$status" -eq 139 ]; then
		run -139 as_nobody zvm-run "$W/m"
		assert_output --partial "killed by signal 11 (SIGSEGV)"
		return
	fi
	[ "$status" -eq 0 ]
	run -159 as_nobody zvm-run "$W/m"
	assert_output --partial "killed by signal 31 (SIGSYS)"
}

@test "attack: an x32 system call number kills the process" {
	attack x32
	run -159 as_nobody zvm-run "$W/m"
}

@test "attack: a thread rewriting the path during open never reaches a host file" {
	attack toctou
	run -0 --separate-stderr as_nobody zvm-run "$W/m"
	[ "$stderr" = "$(printf 'opened 1\nPASS 6000 checks')" ]
}

@test "attack: the listener and no other fd is visible in the program" {
	mf sleeper >"$W/m"
	as_nobody zvm-run "$W/m" >"$W/pid" &
	for i in $(seq 50); do [ -s "$W/pid" ] && break; sleep 0.1; done
	pid=$(cat "$W/pid")
	run ls "/proc/$pid/fd"
	kill %1
	wait %1 || true
	assert_output ""
}

@test "attack: killing zvm-run kills the program" {
	mf sleeper >"$W/m"
	zvm-run "$W/m" >"$W/pid" &
	zpid=$!
	for i in $(seq 50); do [ -s "$W/pid" ] && break; sleep 0.1; done
	pid=$(cat "$W/pid")
	kill -0 "$pid"
	kill -KILL "$zpid"
	for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	run kill -0 "$pid"
	assert_failure
}

@test "attack: SIGTERM to zvm-run is passed to the program (143)" {
	mf sleeper >"$W/m"
	zvm-run -r "$W/rep" "$W/m" >"$W/pid" &
	term_started $!
	[ "$st" -eq 143 ]
	run grep -x 'Signal = 15' "$W/rep"
	assert_success
}

@test "attack: a FIFO channel with no writer does not hang the supervisor" {
	mkfifo "$W/fifo"
	chmod 666 "$W/fifo"
	TIMEOUT=1 mf charo "$W/fifo,/dev/charo,0,0,4,32,0,0" >"$W/m"
	run -124 as_nobody timeout 5 zvm-run "$W/m"
}

@test "attack: reading a channel the program has no write access to stays EACCES/EBADF (fdops)" {
	printf 0123456789 >"$W/in"
	mf fdops "$W/in,/dev/3.in,0,0,100,6,0,0" >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
}

@test "attack: a fork bomb ends at once with EPERM" {
	attack all
	run -0 as_nobody zvm-run "$W/m"
	assert_output --partial PASS
}

# lim WHAT [ARG]: a manifest for the limits program.
lim() {
	mf limits "$W/f,/data/f,1,0,100000000,100000000,0,0" |
	    sed "s|^Program.*|&\nArgs = limits $*|" >"$W/m"
}

@test "attack: threads past Threads (default 1024, the first included) get EAGAIN; joined, there is room again" {
	: >"$W/f"
	lim threads
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "1023 EAGAIN"
	grep -qx 'Limit = Threads' "$W/rep"
}

@test "attack: a tree of threads cloning all at once stops at Threads exactly" {
	: >"$W/f"
	MEMORY=4294967296 lim tree
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "1023 EAGAIN"
	grep -qx 'Limit = Threads' "$W/rep"
}

@test "attack: real fds past Files (default 1024) get EMFILE; a close makes room" {
	echo data >"$W/f"
	lim files /data/f
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "1024 EMFILE"
	grep -qx 'Limit = Files' "$W/rep"
	# Pipe ends are real fds too: 512 pipes.
	lim pipes
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "512 EMFILE"
	grep -qx 'Limit = Files' "$W/rep"
}

@test "attack: filled pipes count against Memory: ENFILE past it, and maps see what they hold" {
	: >"$W/f"
	MEMORY=16777216 lim pipes
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	read -r n err map <<<"$output"
	[ "$err" = ENFILE ] && [ "$map" = map ]
	# 64 KiB each, beside the program's own address space.
	[ "$n" -gt 100 ] && [ $((n * 65536)) -le 16777216 ]
	grep -qx 'Limit = Memory' "$W/rep"
	as_nobody zvm-run -f json -r "$W/json" "$W/m" >/dev/null
	run jq -c .limits "$W/json"
	assert_output '["Memory"]'
}

@test "attack: aliases with '..', '.' or empty components are refused before anything runs" {
	local a
	for a in /dev/../etc/passwd /dev/./x /dev//x /data/x/../../etc/passwd; do
		mf cat "/etc/passwd,$a,0,0,1,100,0,0" >"$W/m"
		run -125 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		assert_output ''
		[[ $stderr == "zvm-run: $W/m:8: Channel: alias '$a' has a"* ]]
		[ ! -e "$W/rep" ]
	done
	# The tidy form is named when there is one.
	mf cat "/etc/hostname,/dev/.//x,0,0,1,100,0,0" >"$W/m"
	run -125 --separate-stderr zvm-run -n "$W/m"
	[[ $stderr == *"alias '/dev/.//x' has a '.' component (write /dev/x)" ]]
	# Two spellings of one path are not two channels.
	mf cat /etc/hostname,/dev/x,0,0,1,100,0,0 /etc/hostname,/dev//x,0,0,1,100,0,0 >"$W/m"
	run -125 zvm-run -n "$W/m"
}

@test "attack: an alias or uri longer than PATH_MAX is refused with file:line" {
	local long
	long=$(head -c 1048576 /dev/zero | tr '\0' a | sed 's|a\{200\}|&/|g')
	mf cat "/etc/hostname,/d/$long,0,0,1,100,0,0" >"$W/m"
	run -125 --separate-stderr as_nobody zvm-run "$W/m"
	assert_output ''
	[[ $stderr == "zvm-run: $W/m:8: Channel: alias '/d/aaa"*"...' is longer than PATH_MAX" ]]
	mf cat "/$long,/dev/x,0,0,1,100,0,0" >"$W/m"
	run -125 --separate-stderr zvm-run -n "$W/m"
	[[ $stderr == "zvm-run: $W/m:8: Channel /dev/x: uri '/aaa"*"...' is longer than PATH_MAX (1053819 bytes)" ]]
}

@test "attack: Threads and Files in the manifest set the limits; out of range is refused" {
	: >"$W/f"
	lim threads
	sed -i 's/^Timeout/Threads = 10\n&/' "$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "9 EAGAIN"
	grep -qx 'Limit = Threads' "$W/rep"
	lim files /data/f
	sed -i 's/^Timeout/Files = 16\n&/' "$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output "16 EMFILE"
	grep -qx 'Limit = Files' "$W/rep"
	# More than the soft fd limit zvm-run started with.
	sed -i 's/^Files = 16/Files = 1500/' "$W/m"
	run -0 --separate-stderr as_nobody sh -c 'ulimit -Sn 1024; ulimit -Hn 8192; exec zvm-run "$1"' sh "$W/m"
	assert_output "1500 EMFILE"
	local v
	for v in 'Threads = 0' 'Threads = 4194305' 'Files = 1048577' 'Files = -1'; do
		lim threads
		sed -i "s/^Timeout/$v\n&/" "$W/m"
		run -125 --separate-stderr zvm-run -n "$W/m"
		[[ $stderr == "zvm-run: $W/m:4: ${v%% *}: "* ]]
	done
}
