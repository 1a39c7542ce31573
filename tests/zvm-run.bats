#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run: running programs under a manifest.  ZeroVM's channel cases with
# native calls (tests/progs), exit statuses, the report formats, --check,
# argv and environment.  Sandboxed programs run as nobody when root.
load helper
load zvm-run-helper

@test "zvm-run: seqro (sequential read-only, ZeroVM channel test)" {
	head -c 466 /dev/urandom >"$W/data"
	mf seqro "$W/data,/dev/3.data,0,0,32,32,0,0" >"$W/m"
	run as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_success
	assert_output "PASS 21 checks"
	run grep -x 'Channel = .*,/dev/3.data,0,0,3,32,0,0' "$W/rep"
	assert_success
	run grep -x 'Quota = /dev/3.data:get_size' "$W/rep"
	assert_success
}

@test "zvm-run: seqwo (sequential write-only)" {
	mf seqwo "$W/out,/dev/3.out,0,0,0,0,32,32" >"$W/m"
	run as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_success
	assert_output "PASS 15 checks"
	[ "$(cat "$W/out")" = "abcd$(printf 'x%.0s' $(seq 28))" ]
	run grep -x 'Channel = .*,/dev/3.out,0,0,0,0,4,32' "$W/rep"
	assert_success
}

@test "zvm-run: ranro (random read-only)" {
	head -c 466 /dev/urandom >"$W/data"
	mf ranro "$W/data,/dev/3.data,1,0,32,32,0,0" >"$W/m"
	run as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_success
	assert_output "PASS 15 checks"
	run grep -x 'Channel = .*,/dev/3.data,1,0,3,32,0,0' "$W/rep"
	assert_success
}

@test "zvm-run: ranwo (random write-only)" {
	mf ranwo "$W/out,/dev/3.out,2,0,0,0,32,32" >"$W/m"
	run as_nobody zvm-run "$W/m"
	assert_success
	assert_output "PASS 7 checks"
	[ "$(head -c 30 "$W/out")" = "$(printf 'z%.0s' $(seq 30))" ]
	[ "$(stat -c %s "$W/out")" -eq 30 ]
}

@test "zvm-run: charo (character device, bad fds)" {
	mf charo "/dev/zero,/dev/charo,0,0,4,32,0,0" >"$W/m"
	run as_nobody zvm-run "$W/m"
	assert_success
	assert_output "PASS 13 checks"
}

@test "zvm-run: cdr (read-write, type 1 appends)" {
	printf 0123456789 >"$W/cdr"
	mf cdr "$W/cdr,/dev/3.cdr,1,0,512,8192,16,16" >"$W/m"
	run as_nobody zvm-run "$W/m"
	assert_success
	assert_output "PASS 12 checks"
	[ "$(cat "$W/cdr")" = "0123456789abcdefghijklmnop" ]
}

@test "zvm-run: ranrw (random read-write)" {
	: >"$W/rw"
	mf ranrw "$W/rw,/dev/3.rw,3,0,100,1000,100,1000" >"$W/m"
	run as_nobody zvm-run "$W/m"
	assert_success
	assert_output "PASS 16 checks"
	[ "$(tail -c 5 "$W/rw")" = "hello" ]
}

@test "zvm-run: fd table (open, dup, fcntl, stat, lseek, ioctl)" {
	printf 0123456789 >"$W/in"
	mf fdops "$W/in,/dev/3.in,0,0,100,6,0,0" >"$W/m"
	run as_nobody zvm-run "$W/m"
	assert_success
	assert_output "PASS 65 checks"
}

@test "zvm-run: exit status of the program passes through" {
	mf exitwith | sed 's|^Program.*|&\nArgs = exitwith 7|' >"$W/m"
	run -7 zvm-run "$W/m"
	mf exitwith | sed 's|^Program.*|&\nArgs = exitwith 255|' >"$W/m"
	run -1 zvm-run -r "$W/rep" "$W/m"
	run grep -x 'Exit = 255' "$W/rep"
	assert_success
}

@test "zvm-run: a signal gives 128+N, state signal and one stderr line" {
	mf exitwith | sed 's|^Program.*|&\nArgs = exitwith sig 6|' >"$W/m"
	run -134 --separate-stderr zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "zvm-run: $W/m: killed by signal 6 (SIGABRT)" ]
	run grep -x -e 'State = signal' -e 'Signal = 6' "$W/rep"
	assert_success
	[ "${#lines[@]}" -eq 2 ]
}

@test "zvm-run: argv from Args, environment only from Env" {
	mf exitwith | sed 's|^Program.*|&\nArgs = prog "a b" c\\x2cd\nEnv = A=1\nEnv = B=x=y|' >"$W/m"
	HOME=/leak run -0 zvm-run "$W/m"
	assert_output "$(printf 'argv[0]=prog\nargv[1]=a b\nargv[2]=c,d\nenv A=1\nenv B=x=y')"
}

@test "zvm-run: argv and environment from the nvram channel" {
	printf '[args]\nargs = p1 x\\x20y\n[env]\nname=K, value=v\n' >"$W/nvram"
	mf exitwith "$W/nvram,/dev/nvram,0,0,10,1000,0,0" >"$W/m"
	run -0 zvm-run "$W/m"
	assert_output "$(printf 'argv[0]=p1\nargv[1]=x y\nenv K=v')"
}

@test "zvm-run: argv[0] defaults to the Program's base name" {
	mf exitwith >"$W/m"
	run -0 zvm-run "$W/m"
	assert_output "argv[0]=exitwith"
}

@test "zvm-run: timeout kills the program: 124, state timeout" {
	TIMEOUT=1 mf sleeper >"$W/m"
	run -124 --separate-stderr zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "zvm-run: $W/m: timeout after 1 s" ]
	run grep -x -e 'State = timeout' -e 'Signal = 9' "$W/rep"
	[ "${#lines[@]}" -eq 2 ]
	awk -F' = ' '$1 == "Time" && ($2 < 0.9 || $2 > 3) { exit 1 }' "$W/rep"
}

@test "zvm-run: an empty pipe does not stop the timeout" {
	TIMEOUT=1 mf sleeper | sed 's|^Program.*|&\nArgs = sleeper read|' >"$W/m"
	mkfifo "$W/fifo"
	sleep 8 >"$W/fifo" &
	run -124 as_nobody timeout 6 zvm-run "$W/m" <"$W/fifo"
	kill %1 2>/dev/null || true
}

@test "zvm-run: a thread blocked on stdin does not stop the others" {
	mf threads | sed 's|^Program.*|&\nArgs = threads block|' >"$W/m"
	mkfifo "$W/fifo"
	sleep 8 >"$W/fifo" &
	run -0 --separate-stderr timeout 6 zvm-run "$W/m" <"$W/fifo"
	[ "${#lines[@]}" -eq 4000 ]
	kill %1 2>/dev/null || true
}

@test "zvm-run: threads write whole lines, every byte counted" {
	mf threads >"$W/m"
	run -0 --separate-stderr zvm-run -r "$W/rep" "$W/m"
	[ "${#lines[@]}" -eq 4000 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '^t[0-3] [0-9]*$')" -eq 4000 ]
	run grep -x 'Channel = /dev/stdout,/dev/stdout,0,0,0,0,4000,27560' "$W/rep"
	assert_success
}

@test "zvm-run: Memory is RLIMIT_AS" {
	MEMORY=67108864 mf sleeper | sed 's|^Program.*|&\nArgs = sleeper alloc 128|' >"$W/m"
	run -1 zvm-run "$W/m"
	assert_output "no memory"
	MEMORY=67108864 mf sleeper | sed 's|^Program.*|&\nArgs = sleeper alloc 16|' >"$W/m"
	run -0 zvm-run "$W/m"
	assert_output "allocated"
}

@test "zvm-run: program not found 127, not executable 126" {
	mf tiny | sed "s|^Program.*|Program = $W/nope|" >"$W/m"
	run -127 zvm-run "$W/m"
	assert_output --partial "cannot open the program: No such file"
	printf 'not elf\n' >"$W/text"
	chmod 755 "$W/text"
	mf tiny | sed "s|^Program.*|Program = $W/text|" >"$W/m"
	run -126 zvm-run "$W/m"
	assert_output --partial "not an ELF file"
	mf tiny | sed "s|^Program.*|Program = /dev/zero|" >"$W/m"
	run -126 zvm-run "$W/m"
}

@test "zvm-run: a #! script as Program is 126, its interpreter named as the way" {
	printf '#!/bin/sh\necho hi\n' >"$W/s.sh"
	chmod 755 "$W/s.sh"
	mf tiny | sed "s|^Program.*|Program = $W/s.sh|" >"$W/m"
	for opt in -n -r"$W/rep"; do
		run -126 --separate-stderr zvm-run "$opt" "$W/m"
		assert_output ''
		[ "$stderr" = "zvm-run: $W/s.sh: program is a #! script: name its interpreter as Program (zvm-manifest does)" ]
	done
}

@test "zvm-run: usage errors are 125" {
	run -125 zvm-run
	run -125 zvm-run --bogus x
	assert_output --partial "Try 'zvm-run --help'"
	run -125 zvm-run -f xml x
	run -0 zvm-run --help
	assert_output --partial "usage: zvm-run"
	run -0 zvm-run --version
	assert_output "zvm-run (zvm) 0.1.0"
}

@test "zvm-run: an invalid manifest changes nothing on disk" {
	mf tiny "$W/out,/dev/3.out,0,0,0,0,1,1" >"$W/m"
	echo "Timeout = 0" >>"$W/m"
	echo keep >"$W/out"
	run -125 zvm-run -r "$W/rep" "$W/m"
	[ "$(cat "$W/out")" = keep ]
	[ ! -e "$W/rep" ]
}

@test "zvm-run: a bad channel source stops the run before anything is created" {
	mf tiny "$W/new,/dev/3.new,0,0,0,0,1,1" "$W/missing,/dev/3.in,0,0,1,1,0,0" >"$W/m"
	run -125 zvm-run "$W/m"
	assert_output --partial "/dev/3.in: $W/missing: No such file or directory"
	[ ! -e "$W/new" ]
}

@test "zvm-run: two writable channels on one file are refused" {
	: >"$W/f"
	ln -s "$W/f" "$W/link"
	mf tiny "$W/f,/dev/3.a,0,0,0,0,1,1" "$W/link,/dev/3.b,0,0,0,0,1,1" >"$W/m"
	run -125 zvm-run "$W/m"
	assert_output --partial "writes the same file as /dev/3.a"
}

@test "zvm-run: a hard-linked output is refused" {
	: >"$W/f"
	ln "$W/f" "$W/g"
	mf tiny "$W/f,/dev/3.a,0,0,0,0,1,1" >"$W/m"
	run -125 zvm-run "$W/m"
	assert_output --partial "has 2 hard links"
}

@test "zvm-run: read-write on a character device is refused" {
	mf tiny "/dev/null,/dev/3.a,1,0,1,1,1,1" >"$W/m"
	run -125 zvm-run "$W/m"
	assert_output --partial "read-write needs a regular file"
}

@test "zvm-run: --check validates without running or creating" {
	mf exitwith "$W/new,/dev/3.new,0,0,0,0,1,1" >"$W/m"
	run -0 zvm-run --check "$W/m"
	assert_output ""
	[ ! -e "$W/new" ]
}

@test "zvm-run: report formats zvm, zerovm, json" {
	mf seqwo "$W/out,/dev/3.out,0,1,0,0,32,32" >"$W/m"
	run -0 zvm-run -r "$W/rep" --report-format=zerovm "$W/m"
	sum=$(xxhsum -H2 "$W/out" | cut -d' ' -f1)
	run cat "$W/rep"
	assert_line -n 0 0
	assert_line -n 1 0
	assert_line -n 2 0
	assert_line -n 3 "/dev/3.out $sum"
	assert_line -n 4 --regexp '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2} 0 0 5 47 0 0 0 0$'
	assert_line -n 5 ok
	[ "$(wc -l <"$W/rep")" -eq 7 ]
	[ -z "$(sed -n 7p "$W/rep")" ]
	run -0 zvm-run -f json -r "$W/rep" "$W/m"
	run jq -r '.state, .exit, (.channels[3] | .etag, .puts, .put_size, .quota[0])' "$W/rep"
	assert_output "$(printf 'ok\n0\n%s\n4\n32\nput_size' "$sum")"
	run -0 zvm-run -r "$W/rep" "$W/m"
	run grep -x "Channel = $W/out,/dev/3.out,0,$sum,0,0,4,32" "$W/rep"
	assert_success
}

@test "zvm-run: the manifest can come from stdin" {
	mf exitwith >"$W/m"
	run -0 zvm-run - <"$W/m"
	assert_output "argv[0]=exitwith"
}

@test "zvm-run -v: the report follows the last marker line; a program cannot forge it" {
	# Its stdout is our stderr: it prints a marker and a report of its own.
	mf exitwith |
	    sed 's|^Program.*|&\nArgs = exitwith 3 \\x0aState\\x20=\\x20ok\\x0azvm-run:\\x20report\\x0aState\\x20=\\x20ok\\x0aExit\\x20=\\x200|' |
	    sed 's|^Channel = /dev/stdout,|Channel = /dev/stderr,|' >"$W/m"
	run -3 --separate-stderr as_nobody zvm-run -v -r "$W/rep" "$W/m"
	[ "$(printf '%s\n' "$stderr" | grep -c '^zvm-run: report$')" -eq 2 ]
	printf '%s\n' "$stderr" | awk '/^zvm-run: report$/ { n = NR } { l[NR] = $0 }
	    END { for (i = n + 1; i <= NR; i++) print l[i] }' >"$W/tail"
	diff "$W/rep" "$W/tail"
	grep -qx 'Exit = 3' "$W/tail"
}

@test "zvm-run -v: after a program's unfinished last line, our lines start a line of their own" {
	mf benchio | sed 's|^Program.*|&\nArgs = benchio w1 3 /dev/stderr|' >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -v "$W/m"
	[ "$(printf '%s\n' "$stderr" | head -2)" = "$(printf 'xxx\nzvm-run: report')" ]
}
