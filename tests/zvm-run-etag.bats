#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run etags against xxhsum -H2: every byte that crossed a channel, in
# call order.  Boundary sizes through busybox cat and gzip; random
# read/readv, write/writev and pread/pwrite/preadv/pwritev sequences
# (tests/progs/etagio, the same natively); quota cuts, failed host
# writes, parked pipe reads and writes; the digest in all three report
# formats; and zvm-run -r REPORT && zvm-etag -c REPORT as a round trip.
load helper
load zvm-run-helper

BB=/bin/busybox
SIZES="0 1 15 16 17 128 240 241 1048577"

# em PROGRAM ARGS [CHANNEL...]: a manifest with etag 1 on stdin and
# stdout; stdout goes to $OUT when set.
em() {
	local prog=$1 args=$2 c
	shift 2
	cat <<EOT
Version = 20130611
Program = $prog
Args = $args
Timeout = 30
Memory = 268435456,${MEMETAG:-0}
Channel = /dev/stdin,/dev/stdin,0,1,100000,1000000000,0,0
Channel = ${OUT:-/dev/stdout},/dev/stdout,0,1,0,0,100000,1000000000
Channel = /dev/stderr,/dev/stderr,0,0,0,0,100000,100000000
EOT
	for c; do
		echo "Channel = $c"
	done
}

# etag REPORT ALIAS: the etag field of ALIAS's Channel line.
etag() {
	awk -F, -v a="$2" '/^Channel = / && $2 == a { print $4 }' "$1"
}

# xx [FILE]: the xxh128 digest alone.
xx() {
	xxhsum -H2 "$@" | cut -c1-32
}

# same WHAT GOT WANT
same() {
	[ "$2" = "$3" ] || { echo "$1: got '$2', want '$3'"; return 1; }
}

@test "etag: busybox cat of boundary sizes: input and output digests are xxhsum -H2" {
	for n in $SIZES; do
		head -c "$n" /dev/urandom >"$W/in"
		OUT=$W/out em $BB "busybox cat /dev/3.in" \
		    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
		as_nobody zvm-run -r "$W/rep" "$W/m" </dev/null
		cmp "$W/in" "$W/out"
		same "in $n" "$(etag "$W/rep" /dev/3.in)" "$(xx "$W/in")"
		same "out $n" "$(etag "$W/rep" /dev/stdout)" "$(xx "$W/out")"
		rm -f "$W/out"
	done
}

@test "etag: busybox gzip: the input's and the compressed output's digests" {
	seq 1 300000 >"$W/in"
	OUT=$W/out.gz em $BB "busybox gzip -c /dev/3.in" \
	    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
	as_nobody zvm-run -r "$W/rep" "$W/m" </dev/null
	$BB gzip -dc "$W/out.gz" | cmp - "$W/in"
	same in "$(etag "$W/rep" /dev/3.in)" "$(xx "$W/in")"
	same out "$(etag "$W/rep" /dev/stdout)" "$(xx "$W/out.gz")"
}

@test "etag: random read/readv sequences to the end equal xxhsum of the input" {
	# 9 MiB + 3 crosses zvm-run's 8 MiB mapping window.
	for n in $SIZES 9437187; do
		head -c "$n" /dev/urandom >"$W/in"
		for seed in 1 2 3; do
			em "$P/etagio" "etagio read $seed /dev/3.in" \
			    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
			run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
			same "$n/$seed output" "$output" "$n 0"
			same "$n/$seed" "$(etag "$W/rep" /dev/3.in)" \
			    "$(xx "$W/in")"
		done
	done
}

@test "etag: random write/writev sequences equal xxhsum of the output, and the native file" {
	for n in $SIZES 5000001; do
		for seed in 1 2 3; do
			em "$P/etagio" "etagio write $seed $n /dev/3.out" \
			    "$W/out,/dev/3.out,0,1,0,0,100000,1000000000" >"$W/m"
			run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
			same "$n/$seed output" "$output" "$n 0"
			"$P/etagio" write "$seed" "$n" "$W/native" >/dev/null
			cmp "$W/out" "$W/native"
			same "$n/$seed" "$(etag "$W/rep" /dev/3.out)" \
			    "$(xx "$W/out")"
		done
	done
}

@test "etag: pread/pwrite/preadv/pwritev/read/write/lseek: every byte in call order" {
	head -c 3000000 /dev/urandom >"$W/orig"
	for seed in 1 2 3 4 5; do
		cp "$W/orig" "$W/rw"
		cp "$W/orig" "$W/native"
		em "$P/etagio" "etagio rw $seed 200 /dev/3.rw" \
		    "$W/rw,/dev/3.rw,3,1,100000,100000000000,100000,100000000000" >"$W/m"
		run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
		want=$("$P/etagio" rw "$seed" 200 "$W/native" "$W/log")
		same "seed $seed output" "$output" "$want"
		cmp "$W/rw" "$W/native"
		# Reads and writes mixed: the digest is of the transcript,
		# not of the file.
		same "seed $seed" "$(etag "$W/rep" /dev/3.rw)" "$(xx "$W/log")"
		[ "$(etag "$W/rep" /dev/3.rw)" != "$(xx "$W/rw")" ]
	done
}

@test "etag: quota cuts: the digest covers exactly the delivered bytes" {
	head -c 2000000 /dev/urandom >"$W/in"
	# get_size: the crossing read is cut, the next is EDQUOT.
	for q in 1 17 241 1234567; do
		em "$P/etagio" "etagio read 7 /dev/3.in" \
		    "$W/in,/dev/3.in,0,1,100000,$q,0,0" >"$W/m"
		run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
		same "get_size $q output" "$output" "$q 122"
		grep -qx 'Quota = /dev/3.in:get_size' "$W/rep"
		same "get_size $q" "$(etag "$W/rep" /dev/3.in)" \
		    "$(head -c "$q" "$W/in" | xx)"
	done
	# gets: whatever the calls delivered.
	for q in 1 2 3; do
		em "$P/etagio" "etagio read 8 /dev/3.in" \
		    "$W/in,/dev/3.in,0,1,$q,1000000000,0,0" >"$W/m"
		run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "${output#* }" = 122 ]
		grep -qx 'Quota = /dev/3.in:gets' "$W/rep"
		same "gets $q" "$(etag "$W/rep" /dev/3.in)" \
		    "$(head -c "${output% *}" "$W/in" | xx)"
	done
	# put_size and puts: the file holds the delivered bytes, and so
	# does the digest.
	"$P/etagio" write 9 3000000 "$W/native" >/dev/null
	for q in put_size:1 put_size:240 put_size:777777 puts:2 puts:5; do
		if [ "${q%:*}" = puts ]; then
			c="$W/out,/dev/3.out,0,1,0,0,${q#*:},1000000000"
		else
			c="$W/out,/dev/3.out,0,1,0,0,100000,${q#*:}"
		fi
		em "$P/etagio" "etagio write 9 3000000 /dev/3.out" "$c" >"$W/m"
		run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "${output#* }" = 122 ]
		grep -qx "Quota = /dev/3.out:${q%:*}" "$W/rep"
		[ "$(stat -c %s "$W/out")" -eq "${output% *}" ]
		cmp "$W/out" <(head -c "${output% *}" "$W/native")
		same "$q" "$(etag "$W/rep" /dev/3.out)" "$(xx "$W/out")"
	done
}

@test "etag: failed host writes: EFBIG keeps the written bytes' digest, ENOSPC adds nothing" {
	em "$P/etagio" "etagio write 4 3000000 /dev/3.out" \
	    "$W/out,/dev/3.out,0,1,0,0,100000,1000000000" >"$W/m"
	run -0 bash -c "ulimit -f 200; zvm-run -r '$W/rep' '$W/m'"
	same output "$output" "204800 27"
	grep -qx 'Error = /dev/3.out:write:File too large' "$W/rep"
	same efbig "$(etag "$W/rep" /dev/3.out)" "$(xx "$W/out")"
	[ -w /dev/full ] || skip "no /dev/full"
	em "$P/etagio" "etagio write 4 3000000 /dev/3.out" \
	    "/dev/full,/dev/3.out,0,1,0,0,100000,1000000000" >"$W/m"
	run -0 zvm-run -r "$W/rep" "$W/m"
	same output "$output" "0 28"
	grep -qx 'Error = /dev/3.out:write:No space left on device' "$W/rep"
	same enospc "$(etag "$W/rep" /dev/3.out)" "$(xx </dev/null)"
}

@test "etag: stdin as a redirected file, and as a pipe with pauses (parked reads)" {
	head -c 3000001 /dev/urandom >"$W/in"
	em "$P/etagio" "etagio read 5 /dev/stdin" >"$W/m"
	run -0 as_nobody zvm-run -r "$W/rep" "$W/m" <"$W/in"
	same output "$output" "3000001 0"
	same file "$(etag "$W/rep" /dev/stdin)" "$(xx "$W/in")"
	run -0 bash -c "{ head -c 100000 '$W/in'; sleep 0.3;
	    tail -c +100001 '$W/in' | head -c 200000; sleep 0.3;
	    tail -c +300001 '$W/in'; } | zvm-run -r '$W/rep' '$W/m'"
	same output "$output" "3000001 0"
	same pipe "$(etag "$W/rep" /dev/stdin)" "$(xx "$W/in")"
}

@test "etag: stdout to a pipe read late (parked writes)" {
	em "$P/etagio" "etagio write 6 2000000 /dev/stdout" >"$W/m"
	# A blocking write to a full pipe blocks until every byte went, as
	# natively: the bytes are those of a native run, not short writes.
	"$P/etagio" write 6 2000000 /dev/stdout | cat >"$W/want"
	for i in 1 2 3; do
		zvm-run -r "$W/rep" "$W/m" | { sleep 0.3; cat >"$W/got"; }
		cmp "$W/got" "$W/want"
		same pipe "$(etag "$W/rep" /dev/stdout)" "$(xx "$W/got")"
		grep -q '^Channel = /dev/stdout,/dev/stdout,0,[0-9a-f]*,0,0,[0-9]*,2000010$' "$W/rep"
	done
}

@test "etag: the same digests in the zvm, zerovm and json reports" {
	head -c 100000 /dev/urandom >"$W/in"
	em "$P/etagio" "etagio read 3 /dev/3.in" \
	    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" \
	    "$W/out,/dev/3.out,0,0,0,0,1,1" >"$W/m"
	as_nobody zvm-run -r "$W/zvm" "$W/m" >/dev/null
	as_nobody zvm-run -f zerovm -r "$W/zerovm" "$W/m" >/dev/null
	as_nobody zvm-run -f json -r "$W/json" "$W/m" >/dev/null
	hin=$(xx "$W/in")
	hout=$(printf '100000 0\n' | xx)
	same zvm "$(etag "$W/zvm" /dev/3.in)" "$hin"
	same zvm-stdout "$(etag "$W/zvm" /dev/stdout)" "$hout"
	same zvm-off "$(etag "$W/zvm" /dev/3.out)" 0
	same zerovm "$(sed -n 4p "$W/zerovm")" \
	    "/dev/stdin $(xx </dev/null) /dev/stdout $hout /dev/3.in $hin"
	same json "$(jq -r '[.channels[].etag] | map(. // "null") | join(" ")' "$W/json")" \
	    "$(xx </dev/null) $hout null $hin null"
}

@test "report check round trip: zvm-run -r REPORT && zvm-etag -c REPORT (zvm, json)" {
	seq 1 100000 >"$W/in"
	for f in zvm json; do
		OUT=$W/out em $BB "busybox sort -r /dev/3.in" \
		    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
		as_nobody zvm-run -f $f -r "$W/rep.$f" "$W/m" </dev/null
		run -0 zvm-etag -c "$W/rep.$f"
		assert_output "$W/out: OK
$W/in: OK"
		printf 'x' >>"$W/out"
		run -1 --separate-stderr zvm-etag -c "$W/rep.$f"
		assert_output "$W/out: FAILED
$W/in: OK"
		assert_equal "$stderr" \
		    'zvm-etag: WARNING: 1 computed checksum did NOT match'
	done
}

@test "report check: a zerovm-format report names no files: 65 and why" {
	OUT=$W/out em "$P/etagio" "etagio write 1 10 /dev/stdout" >"$W/m"
	zvm-run -f zerovm -r "$W/rep" "$W/m"
	run -65 --separate-stderr zvm-etag -c "$W/rep"
	assert_output ""
	assert_equal "$stderr" "zvm-etag: $W/rep: a zerovm-format report names no files; write it with --report-format=zvm or json"
	run -65 zvm-etag -c --status "$W/rep"
}

@test "report check: a damaged json report is refused with its line, not half-checked" {
	printf 'abc' >"$W/in"
	em "$P/etagio" "etagio read 1 /dev/3.in" \
	    "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
	zvm-run -f json -r "$W/rep" "$W/m" >/dev/null
	jq . "$W/rep" >"$W/pretty"
	run -0 zvm-etag -c "$W/pretty"
	assert_output "$W/in: OK"
	# Cut short: nothing is checked, the line of the damage is named.
	head -n 20 "$W/pretty" >"$W/cut"
	run -65 --separate-stderr zvm-etag -c "$W/cut"
	assert_output ""
	assert_equal "$stderr" "zvm-etag: $W/cut:20: unexpected end of the report"
	jq '.channels[3].etag = 12' "$W/rep" >"$W/num"
	run -65 --separate-stderr zvm-etag -c "$W/num"
	[[ "$stderr" == *': "etag" is a number, not a string or null' ]]
}

@test "memory etag: MemoryEtag, /dev/memory last, memory_etag" {
	MEMETAG=1 em "$P/etagio" "etagio read 1 /dev/stdin" >"$W/m"
	as_nobody zvm-run -r "$W/zvm" "$W/m" </dev/null >/dev/null
	grep -Eqx 'MemoryEtag = [0-9a-f]{32}' "$W/zvm"
	as_nobody zvm-run -f zerovm -r "$W/zerovm" "$W/m" </dev/null >/dev/null
	sed -n 4p "$W/zerovm" | grep -Eq ' /dev/memory [0-9a-f]{32}$'
	as_nobody zvm-run -f json -r "$W/json" "$W/m" </dev/null >/dev/null
	jq -e '.memory_etag | test("^[0-9a-f]{32}$")' "$W/json"
	# Killed before its exit: no digest, and each format says so.
	MEMETAG=1 em "$P/sleeper" "sleeper sleep" | sed 's/^Timeout.*/Timeout = 1/' >"$W/m"
	run -124 zvm-run -r "$W/zvm" "$W/m"
	grep -qx 'MemoryEtag = none' "$W/zvm"
	run -124 zvm-run -f zerovm -r "$W/zerovm" "$W/m"
	! grep -q /dev/memory "$W/zerovm"
	run -124 zvm-run -f json -r "$W/json" "$W/m"
	jq -e '.memory_etag == null and has("memory_etag")' "$W/json"
}

@test "etag: an input truncated while mapped ends the reads at the new end, zvm-run unharmed" {
	head -c 4194304 /dev/urandom >"$W/in"
	head -c 8192 "$W/in" >"$W/first"
	mf shrink "$W/in,/dev/3.in,0,1,100000,1000000000,0,0" >"$W/m"
	as_nobody zvm-run -r "$W/rep" "$W/m" >"$W/out" </dev/null &
	sleep 0.1
	truncate -s 8192 "$W/in"
	wait $!
	[ "$(cat "$W/out")" = "total 8192" ]
	same in "$(etag "$W/rep" /dev/3.in)" "$(xx "$W/first")"
}

@test "a run cut by a quota verifies: the README's pipeline, with a stock dynamic program" {
	cd "$W"
	printf 'hello world\n' >data.txt
	cp /bin/cat prog
	zvm-manifest -E -- ./prog @data.txt >m
	# -E leaves out the loader and libraries: their maps cannot be checked.
	grep -q '^Channel = /etc/ld.so.cache,/etc/ld.so.cache,1,1,' m
	run grep -E '^Channel = [^,]*,[^,]*libc\.so\.6,1,1,' m
	assert_failure 1
	zvm-edit -e '/dev/1.data.txt:gets=3,get_size=3' m | as_nobody zvm-run -r run.report - >out || :
	[ "$(cat out)" = hel ]
	run -0 zvm-etag -c run.report
	assert_line "$PWD/data.txt: OK (first 3 of 12 bytes)"
	assert_line '/etc/ld.so.cache: OK'
}
