#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run-fdpass.bats - SCM_RIGHTS over socketpair ends: the program's
# own real fds cross, landing from 1024 up and counted in Files, and no
# number it does not hold (virtual, closed, the supervisor's) nor a
# channel's fd; the same checks natively; pipes in flight count against
# Memory; a wait ends with a signal, SO_RCVTIMEO or the Timeout.
load helper
load zvm-run-helper

# The manifest of fdpass with a channel injected (/data/f) and a virtual
# one (/dev/3.v); ARGS its arguments.
fdpass_mf() {
	echo data >"$W/f"
	echo vdata >"$W/v"
	mf fdpass "$W/f,/data/f,1,0,1000,100000,0,0" \
	    "$W/v,/dev/3.v,0,0,1000,100000,0,0" |
	    sed "s|^Program.*|&\nArgs = fdpass ${ARGS:-/data/f /dev/3.v}|"
}

@test "fdpass: pipes, eventfds and more cross stream, datagram and seqpacket pairs; nothing the program does not hold" {
	fdpass_mf >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 229 checks" ]
	# Five threads (glibc tries clone3 first), the connect refused.
	grep -qx 'Denied = clone3:5,connect:1' "$W/rep"
}

@test "fdpass: the same checks natively, but for what the sandbox decides" {
	echo data >"$W/f"
	echo vdata >"$W/v"
	run -0 --separate-stderr as_nobody "$P/fdpass" "$W/f" "$W/v"
	[ "$stderr" = "PASS 230 checks" ]
}

@test "fdpass: received fds count in Files, past it MSG_CTRUNC with every message's bytes; fds in flight stop at Files; as the kernel at RLIMIT_NOFILE" {
	ARGS=files fdpass_mf | sed 's|^Program.*|&\nFiles = 100|' >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	# The pair and the eventfd are three of the 100; in flight, the
	# kernel's bound is RLIMIT_NOFILE, exceeded by one message.
	assert_output "97 CTRUNC 53, 101 ETOOMANYREFS"
	grep -qx 'Limit = Files' "$W/rep"
	run -0 as_nobody sh -c 'ulimit -n 100 && exec "$0" files' "$P/fdpass"
	read -r n cut m q err <<<"$output"
	[ "$cut" = CTRUNC ] && [ "$n" -gt 80 ] && [ $((n + ${m%,})) -eq 150 ]
	[ "$q $err" = "101 ETOOMANYREFS" ]
}

@test "fdpass: pipes only a socket's queue holds count against Memory; passed and closed they are given back" {
	ARGS="inflight 200" MEMORY=8388608 fdpass_mf >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	# 200 passed and closed; fewer than 8 MiB of 64 KiB pipes queued.
	read -r what n err <<<"$output"
	[ "$what" = queued ] && [ "$n" -gt 50 ] && [ $((n * 65536)) -le 8388608 ]
	[ "$err" = "Too many open files in system" ] || [ "$err" = "Too" ]
	grep -qx 'Limit = Memory' "$W/rep"
}

@test "fdpass: a recvmsg nothing comes to ends with the Timeout" {
	ARGS=wait TIMEOUT=2 fdpass_mf >"$W/m"
	run -124 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	grep -qx 'State = timeout' "$W/rep"
}
