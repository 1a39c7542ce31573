#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run's native data path (issue 12) against its copy path: each run is
# made twice, plain and with ZVM_COPY=1, which must agree on the status,
# stdout and report (but its Time, CPU and Memory lines, measurements),
# and both must agree with a model: chanrand's own (every answer, every
# byte), xxhsum -H2 of what the program received, the native kernel's
# answers, the injected files of aliases outside /dev.  Random calls
# under random quotas; stock programs; a file cut or grown from outside
# during the run; mmap; two threads racing on one fd number (fdrace).
# Where the native path is not built yet both runs take the copy path.
# NATIVE_SEED=N repeats the random cases of a failed run.
load helper
load zvm-run-helper

BB=/bin/busybox
BIG=1000000000

# logc: the channel value of /dev/5.log, where chanrand writes what it
# received.
logc() {
	echo "$W/log,/dev/5.log,0,0,0,0,100000,$BIG"
}

# pm PROG ARGS [CHANNEL...]: mf for test program PROG with Args ARGS.
pm() {
	local prog=$1 args=$2
	shift 2
	mf "$prog" "$@" | sed "s|^Program.*|&\nArgs = $args|"
}

# zr WHICH NAME MANIFEST: zvm-run -r as nobody, with ZVM_COPY=1 (WHICH
# copy) or without it (plain); stdin $IN or /dev/null.  Kept in
# $W/NAME.WHICH.{rc,out,err,rep}, and $W/log (the LOG channel) in .log.
zr() {
	local n=$W/$2.$1 rc=0
	local -a e=(env -u ZVM_COPY)

	[ "$1" = copy ] && e=(env ZVM_COPY=1)
	rm -f "$W/log"
	as_nobody "${e[@]}" zvm-run -r "$n.rep" "$3" <"${IN:-/dev/null}" \
	    >"$n.out" 2>"$n.err" || rc=$?
	echo "$rc" >"$n.rc"
	[ ! -e "$W/log" ] || mv "$W/log" "$n.log"
}

# both NAME MANIFEST: zr plain, then zr copy.
both() {
	zr plain "$1" "$2"
	zr copy "$1" "$2"
}

# untimed REPORT: the report but the lines that measure the run.
untimed() {
	grep -Ev '^(Time|CPU|Memory) = ' "$1"
}

# agree NAME: the two runs' status, stdout and untimed reports are equal.
agree() {
	local n=$W/$1 f

	for f in rc out; do
		diff "$n.plain.$f" "$n.copy.$f" ||
		    { echo "$1: the ${f}s differ (plain <, copy >)"; return 1; }
	done
	diff <(untimed "$n.plain.rep") <(untimed "$n.copy.rep") ||
	    { echo "$1: the reports differ (plain <, copy >)"; return 1; }
}

# use REPORT ALIAS: "gets,get_size" of ALIAS's Channel line.
use() {
	awk -F, -v a="$2" '/^Channel = / && $2 == a { print $5 "," $6 }' "$1"
}

# etag REPORT ALIAS
etag() {
	awk -F, -v a="$2" '/^Channel = / && $2 == a { print $4 }' "$1"
}

# xx FILE: its xxh128 digest alone.
xx() {
	xxhsum -H2 "$1" | cut -c1-32
}

# tally OUT: "calls,bytes" of chanrand's last line (+zeros with z).
tally() {
	tail -n 1 "$1" | sed -E 's/^calls=([0-9]+) bytes=([0-9]+).*/\1,\2/'
}

# says NAME: both runs' stderr, for a failure's message.
says() {
	local w

	for w in plain copy; do
		echo "--- $1 $w: status $(cat "$W/$1.$w.rc" 2>/dev/null)"
		cat "$W/$1.$w.err" 2>/dev/null
	done
}

@test "native: chanrand, random calls under random quotas: both paths agree with each other, the model, the etag and the kernel" {
	local base=${NATIVE_SEED:-$RANDOM} i s h size g b e w
	echo "# seeds $base..$((base + 23)) (NATIVE_SEED=$base)"
	for i in $(seq 0 23); do
		s=$((base + i))
		h=$(((s * 2654435761 + 12345) % 4294967296))
		case $((h % 7)) in
		0) size=0 ;;
		1) size=$((1 + h % 100)) ;;
		2) size=$((4096 * (1 + h % 4))) ;;
		3) size=$((65535 + h % 3)) ;;
		*) size=$((h % 300000)) ;;
		esac
		# Quotas: never reached, or soon, or later.
		case $((h / 7 % 3)) in
		0) g=$BIG ;;
		1) g=$((1 + h / 21 % 40)) ;;
		*) g=$((100 + h / 21 % 300)) ;;
		esac
		case $((h / 1000 % 3)) in
		0) b=$((BIG * 1000)) ;;
		1) b=$((1 + h / 3000 % 5000)) ;;
		*) b=$((1 + h / 3000 % 3000000)) ;;
		esac
		e=$((i % 2))
		"$P/chanrand" gen "$s" "$size" "$W/data"
		pm chanrand "chanrand run $s 400 /dev/3.data $g $b /dev/5.log" \
		    "$W/data,/dev/3.data,1,$e,$g,$b,0,0" "$(logc)" >"$W/m"
		both r "$W/m"
		local ctx="seed $s size $size gets $g get_size $b etag $e"
		agree r || { echo "$ctx"; says r; return 1; }
		[ "$(cat "$W/r.plain.rc")" = 0 ] || { echo "$ctx"; says r; return 1; }
		for w in plain copy; do
			[ "$(use "$W/r.$w.rep" /dev/3.data)" = "$(tally "$W/r.$w.out")" ] ||
			    { echo "$ctx: $w: report $(use "$W/r.$w.rep" /dev/3.data), program $(tail -n 1 "$W/r.$w.out")"; return 1; }
		done
		cmp "$W/r.plain.log" "$W/r.copy.log"
		if [ "$e" = 1 ]; then
			[ "$(etag "$W/r.plain.rep" /dev/3.data)" = "$(xx "$W/r.plain.log")" ] ||
			    { echo "$ctx: the etag is not xxhsum of the bytes received"; return 1; }
		else
			[ "$(etag "$W/r.plain.rep" /dev/3.data)" = 0 ]
		fi
		# Quotas never reached: the kernel's own answers are the same.
		if [ "$g" = $BIG ] && [ "$b" = $((BIG * 1000)) ]; then
			"$P/chanrand" run "$s" 400 "$W/data" "$g" "$b" "$W/nlog" >"$W/nout"
			diff "$W/nout" "$W/r.plain.out" || { echo "$ctx: native <, zvm >"; return 1; }
			cmp "$W/nlog" "$W/r.plain.log"
		fi
		# An alias outside /dev: the injected fd of today, the same.
		if [ $((i % 3)) = 0 ]; then
			pm chanrand "chanrand run $s 400 /in/data $g $b /dev/5.log" \
			    "$W/data,/in/data,1,$e,$g,$b,0,0" "$(logc)" >"$W/mi"
			zr plain i "$W/mi"
			diff "$W/i.plain.out" "$W/r.plain.out" ||
			    { echo "$ctx: /in/data <, /dev/3.data >"; cat "$W/i.plain.err"; return 1; }
			[ "$(use "$W/i.plain.rep" /in/data)" = "$(use "$W/r.plain.rep" /dev/3.data)" ]
			[ "$(etag "$W/i.plain.rep" /in/data)" = "$(etag "$W/r.plain.rep" /dev/3.data)" ]
		fi
	done
}

# zm NAME ARGS...: zvm-manifest -E (every etag) for ARGS into $W/NAME.m.
zm() {
	local n=$1
	shift
	zvm-manifest -E -t 20 -- "$@" >"$W/$n.m"
}

@test "native: stock programs over @FILE channels: plain and ZVM_COPY=1 agree, and with a native run" {
	local a i n=0 args
	seq 1 30000 | shuf --random-source=<(yes) >"$W/in"
	sed 's/7/x/' "$W/in" >"$W/in2"
	mkdir "$W/t"
	head -c 70000 /dev/urandom >"$W/t/bin"
	seq 1 999 >"$W/t/small"
	tar -C "$W/t" -cf "$W/in.tar" bin small
	cd "$W"
	for a in "cat @IN" "sort -n @IN" "md5sum @IN" "head -c 1000 @IN" \
	    "tail -c 5000 @IN" "tail -n 3 @IN" "wc -c @IN" \
	    "od -A d -t x1 -j 4095 -N 70 @IN" "grep -c 77 @IN" \
	    "cmp @IN @IN2" "diff @IN @IN2" "tar -tvf @TAR" "tar -xOf @TAR" \
	    "md5sum @TAR"; do
		n=$((n + 1))
		args=${a//@IN2/@$W/in2}
		args=${args//@IN/@$W/in}
		args=${args//@TAR/@$W/in.tar}
		# shellcheck disable=SC2086	# words
		zm b$n $BB $args
		both b$n "$W/b$n.m"
		agree b$n || { echo "busybox $a"; says b$n; return 1; }
		# shellcheck disable=SC2086
		$BB ${args//@/} 2>/dev/null | sed "s|$W/in2|/dev/2.in2|g
		    s|$W/in.tar|/dev/1.in.tar|g; s|$W/in|/dev/1.in|g" >"$W/native"
		diff "$W/native" "$W/b$n.plain.out" || { echo "busybox $a: native <, zvm >"; return 1; }
	done
	# The same with a read quota that cuts cat and md5sum short.
	for a in cat md5sum; do
		zvm-manifest -E -- $BB $a "@$W/in" |
		    zvm-edit -e '/dev/1.in:gets=5,get_size=70000' >"$W/q.m"
		both q "$W/q.m"
		agree q || { echo "busybox $a, quota"; says q; return 1; }
		[ "$(cat "$W/q.plain.rc")" = 1 ]
		grep -Eqx 'Quota = /dev/1.in:(gets|get_size)' "$W/q.plain.rep"
	done
	# etagio: random read/readv sizes to the end of a type 1 channel.
	for i in 1 2 3 4 5; do
		head -c $((i * 300000)) /dev/urandom >"$W/in"
		pm etagio "etagio read $i /dev/3.in" \
		    "$W/in,/dev/3.in,1,1,100000,$BIG,0,0" >"$W/e.m"
		both e "$W/e.m"
		agree e || { echo "etagio $i"; says e; return 1; }
		[ "$(etag "$W/e.plain.rep" /dev/3.in)" = "$(xx "$W/in")" ]
	done
	# ZeroVM's channel tests: sequential (type 0) and read-write (type 3)
	# channels, which stay virtual fds at the lowest free number.
	head -c 466 /dev/urandom >"$W/data"
	pm seqro seqro "$W/data,/dev/3.data,0,1,32,32,0,0" >"$W/s.m"
	both s "$W/s.m"
	agree s || { says s; return 1; }
	grep -qx 'PASS 21 checks' "$W/s.plain.err"
	: >"$W/rw"
	pm ranrw ranrw "$W/rw,/dev/3.rw,3,1,100,1000,100,1000" >"$W/rw.m"
	zr plain w "$W/rw.m"
	: >"$W/rw"
	zr copy w "$W/rw.m"
	agree w || { says w; return 1; }
	grep -qx 'PASS 16 checks' "$W/w.plain.err"
}
