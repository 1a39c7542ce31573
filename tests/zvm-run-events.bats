#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run-events.bats - the objects event loops are made of (epoll,
# eventfd, timerfd, signalfd) as the kernel answers them, channels under
# epoll, and stock runtimes (node, Go, Java, Rust): their output byte for
# byte the direct run's, their reads and writes of a channel exact under a
# quota.
load helper
load zvm-run-helper

@test "events: eventfd, timerfd, signalfd, epoll LT/ET/oneshot/nested over pipes, objects and a stream channel" {
	echo data >"$W/reg"
	mf events "$W/reg,/dev/3.reg,0,0,1000,100000,0,0" |
	    sed 's|^Program.*|&\nArgs = events /dev/3.reg|' >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m" < <(printf hi)
	[ "$stderr" = "PASS 89 checks" ]
	grep -qx 'Channel = /dev/stdin,/dev/stdin,0,0,2,2,0,0' "$W/rep"
	run grep '^Denied' "$W/rep"
	assert_failure
}

@test "events: the same checks natively, but for the fd numbers and the alarm clocks" {
	echo data >"$W/reg"
	# A pipe nobody else holds, so its last close drops the watch.
	run -1 --separate-stderr as_nobody sh -c 'printf hi | "$0" "$1"' \
	    "$P/events" "$W/reg"
	# Injected objects live at 1024 and up; natively they are low.
	run sh -c "printf '%s\n' \"\$1\" | grep '^FAIL line' | grep -v -e '>= 1024' -e '_ALARM'" _ "$stderr"
	assert_output ""
}

@test "events: stock node runs timers, promises and a 10 MB write as directly, and meets a quota exactly" {
	command -v node >/dev/null
	printf 'hello file\n' >"$W/f.txt"
	cat >"$W/t.js" <<'EOT'
const fs = require('fs');
const d = fs.readFileSync(process.argv[2], 'utf8');
setTimeout(() => {
  Promise.resolve(d.trim()).then(x => x.toUpperCase()).then(x => {
    process.stdout.write(x + '\n');
    process.stdout.write('z'.repeat(10 * 1024 * 1024) + '\n');
  });
}, 20);
EOT
	chmod 644 "$W/f.txt" "$W/t.js"
	want=$(node "$W/t.js" "$W/f.txt" | xxhsum -H2)
	zvm-manifest -- "$(command -v node)" "@$W/t.js" "@$W/f.txt" >"$W/m"
	got=$(as_nobody zvm-run -r "$W/rep" "$W/m" | xxhsum -H2)
	[ "$got" = "$want" ]
	grep -qx 'State = ok' "$W/rep"
	# 4 bytes of the file, then EDQUOT (errno 122) in node's own words.
	zvm-edit -e '/dev/2.f.txt:get_size=4' "$W/m" >"$W/m4"
	run -1 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m4"
	[[ $stderr == *"errno: -122"* ]]
	grep -qx "Channel = $W/f.txt,/dev/2.f.txt,1,0,1,4,0,0" "$W/rep"
	grep -qx 'Quota = /dev/2.f.txt:get_size' "$W/rep"
}

@test "events: a Go program (goroutines, time.Sleep, os.ReadFile, os.WriteFile) as directly, and its quota error" {
	command -v go >/dev/null
	export HOME="$W" GOCACHE="$W/gocache" GO111MODULE=off
	go build -o "$W/gt" "$BATS_TEST_DIRNAME/go/events.go"
	printf 'hello go\n' >"$W/in.txt"
	chmod 755 "$W/gt"
	chmod 644 "$W/in.txt"
	"$W/gt" "$W/in.txt" "$W/want.txt" >"$W/want.out"
	cd "$W"
	zvm-manifest -- ./gt @in.txt @w:out.txt >"$W/m"
	run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "$(cat "$W/want.out")" ]
	cmp "$W/want.txt" "$W/out.txt"
	zvm-edit -e '/dev/1.in.txt:get_size=5' "$W/m" >"$W/m5"
	run -3 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m5"
	[[ $stderr == *"disk quota exceeded"* ]]
	grep -qx "Channel = $W/in.txt,/dev/1.in.txt,1,0,1,5,0,0" "$W/rep"
}

@test "events: a second process is refused cleanly in node, Go and python" {
	cd "$W"
	zvm-manifest -- "$(command -v node)" -e 'const r = require("child_process").spawnSync("/bin/true"); console.log(r.error ? r.error.code : "ran", r.status)' >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_output "EPERM null"
	export HOME="$W" GOCACHE="$W/gocache" GO111MODULE=off
	cat >"$W/sp.go" <<'EOT'
package main

import (
	"fmt"
	"os/exec"
)

func main() { fmt.Println(exec.Command("/bin/true").Run()) }
EOT
	go build -o "$W/sp" "$W/sp.go"
	zvm-manifest -- ./sp >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_output "fork/exec /bin/true: operation not permitted"
	pym python3 -I -S -c 'import subprocess
try:
    subprocess.run(["/bin/true"])
except PermissionError as e:
    print("PermissionError", e.errno)' >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_output "PermissionError 1"
}

@test "events: socketpair(AF_UNIX): ends real, data native; no address, no pidfd, no other socket" {
	mf sockets >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 43 checks" ]
	grep -qx 'Denied = connect:1,bind:1,listen:1,accept:1,socketpair:1,socket:1' "$W/rep"
	# Their buffers, 416 KiB a pair, count against Memory.
	MEMORY=16777216 mf sockets | sed 's|^Program.*|&\nArgs = sockets many|' >"$W/m"
	run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
	read -r n err <<<"$output"
	[ "$err" = ENFILE ] && [ "$n" -gt 10 ] && [ $((n * 425984)) -le 16777216 ]
	grep -qx 'Limit = Memory' "$W/rep"
}

@test "events: python asyncio: run_in_executor, sleep, and stdin through connect_read_pipe" {
	cat >"$W/aio.py" <<'EOT'
import asyncio, sys

async def main():
    loop = asyncio.get_running_loop()
    r = await loop.run_in_executor(None, lambda: sum(range(10)))
    await asyncio.sleep(0.01)
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    data = await reader.read()
    print(r, data.decode().strip())

asyncio.run(main())
EOT
	chmod 644 "$W/aio.py"
	want=$(printf 'from stdin\n' | python3 -I -S "$W/aio.py")
	cd "$W"
	pym python3 -I -S @aio.py >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m" < <(printf 'from stdin\n')
	[ "$output" = "$want" ]
	[ "$output" = "45 from stdin" ]
}

@test "java: -version with its JDK as an image; the libraries libjvm.so needs are found in the image's ELF files" {
	J=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
	zvm-manifest --image "$J" -- "$J/bin/java" -version >"$W/m"
	grep -q '^Channel = /lib/x86_64-linux-gnu/libstdc++.so.6,' "$W/m"
	# No channel of its own for a file the image holds.
	run grep "^Channel = $J/" "$W/m"
	assert_failure 1
	want=$("$J/bin/java" -version 2>&1)
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "$want" ]
}

@test "java: a class reads a channel with java.nio.file.Files as directly, and meets a quota exactly" {
	J=$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")
	mkdir "$W/classes"
	"$J/bin/javac" -d "$W/classes" "$BATS_TEST_DIRNAME/java/Digest.java"
	seq 1 100000 >"$W/in.txt"
	size=$(wc -c <"$W/in.txt")
	"$J/bin/java" -cp "$W/classes" Digest "$W/in.txt" >"$W/want"
	[ "$(cat "$W/want")" = "$(sha256sum <"$W/in.txt" | cut -d' ' -f1) $size 100000" ]
	cd "$W"
	# Debian's conf/security/java.security links to /etc, out of the
	# image: the channel at the link's own path comes first.
	zvm-manifest --image "$J" --file "$J/conf/security/java.security" \
	    --image "$W/classes" -- "$J/bin/java" -cp "$W/classes" Digest @in.txt >"$W/m"
	as_nobody zvm-run -r "$W/rep" "$W/m" >"$W/got"
	cmp "$W/want" "$W/got"
	grep -qx 'State = ok' "$W/rep"
	# Without it MessageDigest finds no java.security.
	grep -v '/java\.security,' "$W/m" >"$W/m-nolink"
	run -1 --separate-stderr as_nobody zvm-run "$W/m-nolink"
	[[ $stderr == *"InternalError: Error loading java.security file"* ]]
	# readAllBytes, then Files.lines: the file twice, to the byte.
	zvm-edit -e "/dev/1.in.txt:get_size=$((2 * size))" "$W/m" >"$W/m2"
	as_nobody zvm-run "$W/m2" >"$W/got"
	cmp "$W/want" "$W/got"
	zvm-edit -e "/dev/1.in.txt:get_size=$((2 * size - 1))" "$W/m" >"$W/m1"
	run -3 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m1"
	[ "$stderr" = "java.io.IOException: Disk quota exceeded" ]
	[ "$output" = "" ]
	grep -qx "Channel = $W/in.txt,/dev/1.in.txt,1,0,[0-9]*,$((2 * size - 1)),0,0" "$W/rep"
	grep -qx 'Quota = /dev/1.in.txt:get_size' "$W/rep"
	# readAllBytes itself: one read of 1000 bytes, then EDQUOT.
	zvm-edit -e '/dev/1.in.txt:get_size=1000' "$W/m" >"$W/m1000"
	run -3 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m1000"
	[ "$stderr" = "java.io.IOException: Disk quota exceeded" ]
	grep -qx "Channel = $W/in.txt,/dev/1.in.txt,1,0,1,1000,0,0" "$W/rep"
}

@test "rust: std threads, mpsc and std::fs over channels as directly, and its quota errors to the byte" {
	rustc --edition 2021 -o "$W/rt" "$BATS_TEST_DIRNAME/rust/events.rs"
	seq 1 5000 | sed 's/.*/line & has  words/' >"$W/in.txt"
	size=$(wc -c <"$W/in.txt")
	"$W/rt" "$W/in.txt" "$W/want.txt" >"$W/want.out"
	[ "$(cat "$W/want.out")" = "ok $size bytes 5001 lines 20000 words $(wc -c <"$W/want.txt") out" ]
	cd "$W"
	zvm-manifest -- ./rt @in.txt @w:out.txt >"$W/m"
	as_nobody zvm-run -r "$W/rep" "$W/m" >"$W/got.out"
	cmp "$W/want.out" "$W/got.out"
	cmp "$W/want.txt" "$W/out.txt"
	grep -qx 'State = ok' "$W/rep"
	# std::fs::read: 5 bytes, then EDQUOT; nothing written.
	zvm-edit -e '/dev/1.in.txt:get_size=5' "$W/m" >"$W/m5"
	run -3 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m5"
	[ "$stderr" = "read: Disk quota exceeded (os error 122)" ]
	grep -qx "Channel = $W/in.txt,/dev/1.in.txt,1,0,1,5,0,0" "$W/rep"
	[ ! -s "$W/out.txt" ]
	# std::fs::write: the output's first 1000 bytes, then EDQUOT.
	zvm-edit -e '/dev/2.out.txt:put_size=1000' "$W/m" >"$W/m1000"
	run -4 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m1000"
	[ "$stderr" = "write: Disk quota exceeded (os error 122)" ]
	grep -qx "Channel = $W/out.txt,/dev/2.out.txt,2,0,0,0,[0-9]*,1000" "$W/rep"
	grep -qx 'Quota = /dev/2.out.txt:put_size' "$W/rep"
	[ "$(wc -c <"$W/out.txt")" -eq 1000 ]
	cmp -n 1000 "$W/want.txt" "$W/out.txt"
}
