#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# poll, ppoll, select and pselect6 under zvm-run (tests/progs/pollio):
# stream channels as ready as their host end, files always ready, fds not
# open, timeouts, a wait that data ends, the program's own pipe alone and
# mixed with a channel, a caught signal ending a wait with EINTR; every
# answer the same as the program gets natively.
load helper
load zvm-run-helper

# pm ARGS...: a manifest running pollio ARGS with /etc/hostname as the
# read-only file channel /dev/3.in.
pm() {
	mf pollio /etc/hostname,/dev/3.in,1,0,100,100000,0,0 |
	    sed "s|^Program.*|&\nArgs = pollio $*|"
}

# pollio prints how long a call took in tenths of a second: t=short
# (under 0.2 s), t=mid (0.2 to 1.5 s, the pipe in stdin ends at 2 s) or
# t=long, so a busy machine cannot fail a test by a few ms.  A call that
# must not wait is short or mid; a 0.2 s timeout must be mid.
times() {
	output=$(awk '{
		if (match($0, / t=[0-9]+$/)) {
			n = substr($0, RSTART + 3) + 0
			t = n < 2 ? "short" : n < 15 ? "mid" : "long"
			sub(/ t=[0-9]+$/, " t=" t)
		}
		print }' <<<"$output")
}

# zp ARGS...: pollio ARGS under zvm-run as nobody, stdin from $IN (a
# command whose output is fed in; default: a pipe nobody writes to for
# 2 s).
zp() {
	pm "$@" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run "$W/m" < <(${IN:-sleep 2})
	times
}

# native ARGS...: the same program run directly, same stdin.
native() {
	run -0 --separate-stderr "$P/pollio" "$@" < <(${IN:-sleep 2})
	times
}

# same WANT ARGS...: pollio ARGS prints WANT under zvm-run and natively.
same() {
	local want=$1
	shift
	zp "$@"
	[ "$output" = "$want" ] || fail "$*: $output"
	native "$@"
	[ "$output" = "$want" ] || fail "$* natively: $output"
}

@test "poll: each call on a pipe that stays empty times out, as natively" {
	local how
	for how in poll ppoll select pselect; do
		same "0 0 t=mid" "$how" 0 in 200
	done
}

@test "poll: a wait ends when data comes, and the read gets it" {
	# The writer stays a while after: no POLLHUP yet.
	# It writes 0.8 s in, long after a loaded machine has started the
	# program, so the wait is a real one.
	IN="eval sleep 0.8; echo hello; sleep 1"
	zp read 0 5000
	[ "$output" = "1 0x1 hello" ]
	zp poll 0 in -1
	[ "$output" = "1 0x1 t=mid" ] || fail "poll: $output"
	zp select 0 in 5000
	[ "$output" = "1 1 t=mid" ] || fail "select: $output"
}

@test "poll: the end of a pipe is POLLHUP, at once" {
	IN=true zp poll 0 in -1
	[[ "$output" =~ ^1\ 0x10\ t=(short|mid)$ ]]
	IN=true native poll 0 in -1
	[[ "$output" =~ ^1\ 0x10\ t=(short|mid)$ ]]
}

@test "poll: files and writable streams are ready at once" {
	local how
	for how in poll ppoll; do
		zp "$how" 3 in 5000
		[[ "$output" =~ ^1\ 0x20\ t=(short|mid)$ ]] || fail "$how, fd 3 not open: $output"
		zp "$how" /dev/3.in in 5000
		[[ "$output" =~ ^1\ 0x1\ t=(short|mid)$ ]] || fail "$how, a file: $output"
		zp "$how" /dev/3.in out 5000
		[[ "$output" =~ ^1\ 0x4\ t=(short|mid)$ ]] || fail "$how, a file: $output"
	done
	zp select /dev/3.in in 5000
	[[ "$output" =~ ^1\ 1\ t=(short|mid)$ ]]
	native poll /etc/hostname in 5000
	[[ "$output" =~ ^1\ 0x1\ t=(short|mid)$ ]]
	pm poll 1 out -1 >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run "$W/m"
	times
	[[ "$output" =~ ^1\ 0x4\ t=(short|mid)$ ]]
	pm select 2 out -1 >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run "$W/m"
	times
	[[ "$output" =~ ^1\ 1\ t=(short|mid)$ ]]
}

@test "poll: an O_PATH fd is POLLNVAL, and ready to select, as natively" {
	local want p
	want=$(printf '%s\n' "1 0x20" "select answered")
	for p in / /dev /dev/3.in /dev/stdout; do
		zp opath "$p"
		[ "$output" = "$want" ] || fail "$p: $output"
	done
	native opath /etc/hostname
	[ "$output" = "$want" ]
}

@test "poll: select on an fd that is not open is EBADF, as natively" {
	local how
	for how in select pselect; do
		same "-1 EBADF" "$how" 5 in 1000
	done
}

@test "poll: the program's own pipe, alone and beside a channel" {
	local c want
	want=$(printf '%s\n' "0 0" "1 0x1" "1 0x10")
	for c in own mixed; do
		same "$want" "$c"
	done
}

@test "poll: a wait on the program's own pipe and a channel sees the pipe" {
	same "$(printf '%s\n' "1 0x1 0 t=mid" "1 0x10 0")" later
}

@test "poll: a signal the call's mask blocks does not end a ppoll; it is caught after" {
	same "0 caught t=mid" masked
}

@test "poll: a caught signal ends a wait with EINTR" {
	same "-1 EINTR" intr
}

@test "poll: with no fds it is a sleep" {
	zp sleep
	[ "$output" = "0 t=mid" ]
}

@test "poll: bad pointers and counts answer as natively" {
	local want
	pm poll 0 in 0 >"$W/m"
	printf '%s\n' '#include <poll.h>' '#include <stdio.h>' \
	    '#include <errno.h>' '#include <string.h>' \
	    '#include <sys/select.h>' \
	    'static void say(int r) { printf("%d %s\n", r, strerrorname_np(errno)); }' \
	    'int main(void) {' \
	    '	struct timeval tv = { 0, 0 };' \
	    '	say(poll((struct pollfd *)8, 1, 0));' \
	    '	say(poll(NULL, 1 << 20, 0));' \
	    '	say(select(-1, NULL, NULL, NULL, &tv));' \
	    '	say(select(1, (fd_set *)8, NULL, NULL, &tv));' \
	    '	tv.tv_usec = -1;' \
	    '	say(select(0, NULL, NULL, NULL, &tv));' \
	    '	return 0; }' >"$W/bad.c"
	cc -static -D_GNU_SOURCE -o "$W/bad" "$W/bad.c" || skip "no static cc"
	sed -i "s|^Program.*|Program = $W/bad|; s|^Args.*|Args = bad|" "$W/m"
	run -0 --separate-stderr "$W/bad"
	want=$output
	[ "$want" = "$(printf '%s\n' "-1 EFAULT" "-1 EINVAL" "-1 EINVAL" \
	    "-1 EFAULT" "-1 EINVAL")" ]
	run -0 --separate-stderr as_nobody zvm-run "$W/m"
	[ "$output" = "$want" ]
}

@test "poll: the program exits while a thread waits" {
	zp exit
	[ "$output" = "exit" ]
}
