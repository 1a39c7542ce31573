#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run-devices.bats - the devices every sandbox has without a channel:
# /dev/null, /dev/zero, /dev/full, /dev/random, /dev/urandom, /dev/fd/N;
# nothing read from or written to them is charged or reported, and a
# channel of the same alias comes first.
load helper
load zvm-run-helper

@test "devices: null, zero, full, random, urandom and /dev/fd/N as the kernel's" {
	mf devices >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m" <<<hello
	assert_output hello
	[ "$stderr" = "PASS 42 checks" ]
	# Only the manifest's channels, and /dev/fd/0's read on stdin's.
	[ "$(grep -c '^Channel = ' "$W/rep")" -eq 3 ]
	grep -qx 'Channel = /dev/stdin,/dev/stdin,0,0,1,5,0,0' "$W/rep"
	run grep '^Denied' "$W/rep"
	assert_failure
}

@test "devices: a channel whose alias is /dev/null comes first" {
	mf benchio "$W/out,/dev/null,0,0,0,0,10,10" |
	    sed 's|^Program.*|&\nArgs = benchio w1 3 /dev/null|' >"$W/m"
	: >"$W/out"
	chmod 666 "$W/out"
	run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$(cat "$W/out")" = xxx ]
	grep -qx "Channel = $W/out,/dev/null,0,0,0,0,3,3" "$W/rep"
}

@test "devices: stock perl -e and a shell redirecting to /dev/null run" {
	run -0 sh -c "zvm-manifest -- perl -e 'print 6 * 7, qq(\\n)' >'$W/m'"
	run -0 as_nobody zvm-run "$W/m"
	assert_output 42
	zvm-manifest -- sh -c 'echo lost >/dev/null; echo kept 2>/dev/null' >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_output kept
}
