#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run quotas: the randomized property test against a model, unchanged
# busybox applets (same output as run directly; EDQUOT when cut), and
# faults: a full device, a reader that went away, a signal storm.
load helper
load zvm-run-helper

BB=/bin/busybox

# bbm ARGS [CHANNEL...]: a manifest running busybox with Args ARGS.
bbm() {
	local args=$1
	shift
	mf tiny "$@" | sed "s|^Program.*|Program = $BB\nArgs = busybox $args|"
}

@test "quota: 2000 random (quota, call sequence) cases against the model" {
	for seed in $(seq 1 50); do
		{ mf quotaprop | sed "s|^Program.*|&\nArgs = quotaprop run $seed 40|"
		  "$P/quotaprop" gen "$seed" 40 "$W"; } >"$W/m"
		run -0 --separate-stderr as_nobody zvm-run "$W/m"
		[[ "$stderr" == PASS* ]] || { echo "seed $seed: $stderr"; false; }
		for i in $(seq 0 39); do
			cmp "$W/out.$i" "$W/expect.$i"
		done
	done
}

@test "busybox: cat, head, wc, sort, md5sum, gzip match a direct run" {
	seq 1 20000 | shuf --random-source=<(yes) >"$W/in"
	for a in "cat /dev/3.in" "head -n 5 /dev/3.in" "sort -n /dev/3.in" \
	    "gzip -c /dev/3.in" "wc" "md5sum"; do
		bbm "$a" "$W/in,/dev/3.in,0,0,100000,100000000,0,0" >"$W/m"
		as_nobody zvm-run "$W/m" <"$W/in" >"$W/got"
		$BB ${a/\/dev\/3.in/$W/in} <"$W/in" >"$W/want"
		cmp "$W/got" "$W/want"
	done
}

@test "busybox: cat fails with EDQUOT when the read quota is cut" {
	seq 1 1000 >"$W/in"
	bbm "cat /dev/3.in" "$W/in,/dev/3.in,0,0,100000,100,0,0" >"$W/m"
	run -1 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "$(head -c 100 "$W/in")" ]
	[[ "$stderr" == *"Disk quota exceeded"* ]]
	run grep -x 'Quota = /dev/3.in:get_size' "$W/rep"
	assert_success
}

@test "busybox: cat, head, sort report EDQUOT when the write quota is cut" {
	seq 1 1000 >"$W/in"
	# busybox head and sort report the error but exit 0, as natively.
	for a in "cat:1" "head -n 500:0" "sort:0"; do
		bbm "${a%:*} /dev/3.in" "$W/in,/dev/3.in,0,0,100000,100000,0,0" |
		    sed 's|^Channel = /dev/stdout.*|Channel = /dev/stdout,/dev/stdout,0,0,0,0,100,50|' >"$W/m"
		run --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "$status" -eq "${a#*:}" ]
		[ "$output" = "$($BB ${a%:*} "$W/in" | head -c 50)" ]
		[[ "$stderr" == *": Disk quota exceeded" ]]
		grep -qx 'Quota = /dev/stdout:put_size' "$W/rep"
	done
}

@test "fault: output file limit (RLIMIT_FSIZE): EFBIG to the program, bytes kept, reported" {
	head -c 100000 /dev/urandom >"$W/in"
	bbm "cat /dev/3.in" "$W/in,/dev/3.in,0,0,100000,100000000,0,0" \
	    "$W/out,/dev/3.out,0,0,0,0,1000,1000000" |
	    sed 's|^Args.*|Args = busybox dd if=/dev/3.in of=/dev/3.out bs=4096|' >"$W/m"
	run --separate-stderr bash -c "ulimit -f 40; zvm-run -r '$W/rep' '$W/m'"
	[ "$status" -eq 1 ]
	[ "$(stat -c %s "$W/out")" -eq 40960 ]
	cmp "$W/out" <(head -c 40960 "$W/in")
	run grep -x 'Error = /dev/3.out:write:File too large' "$W/rep"
	assert_success
}

@test "fault: the reader of stdout is gone: SIGPIPE like a native run" {
	seq 1 200000 >"$W/in"
	bbm "cat /dev/3.in" "$W/in,/dev/3.in,0,0,100000,100000000,0,0" >"$W/m"
	run bash -c "set -o pipefail; zvm-run -r '$W/rep' '$W/m' | head -c 10 >/dev/null"
	[ "$status" -eq 141 ]
	run grep -x 'Signal = 13' "$W/rep"
	assert_success
}

@test "fault: a signal storm during metered writes loses and doubles nothing" {
	# A signal every 20 us restarts many calls before the supervisor
	# takes them: 3-9 s here against 0.1 s natively, more under the
	# sanitizers.  The test is about the bytes, so the time is ample.
	TIMEOUT=120 mf sigstorm >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "$(printf 'signals 1\nPASS 0 checks')" ]
	[ "$output" = "$(seq 0 19999)" ]
	run grep -x "Channel = /dev/stdout,/dev/stdout,0,0,0,0,20000,$(seq 0 19999 | wc -c)" "$W/rep"
	assert_success
}

@test "fault: a program killed mid-run leaves every byte it wrote" {
	TIMEOUT=1 mf sleeper "$W/out,/dev/3.out,0,0,0,0,10,100" >"$W/m"
	run -124 zvm-run "$W/m"
	[ -n "$output" ]
}
