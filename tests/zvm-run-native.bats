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

# tally OUT: "calls,bytes" of chanrand's last line.
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

# changed WHICH NAME SEED HOW SIZE: zr WHICH of chanrand wait on $W/data
# (SIZE0 bytes, made anew) with stdin a FIFO; once it printed "wait", the
# file is cut to SIZE (HOW truncate) or grown to it (grow, with the same
# pattern), and SIZE is written to the program.
changed() {
	local w=$1 n=$2 s=$3 how=$4 size=$5 fifo=$W/fifo i pid fd
	"$P/chanrand" gen "$s" "$SIZE0" "$W/data"
	pm chanrand "chanrand wait $s 600 /dev/3.data $BIG $BIG /dev/5.log" \
	    "$W/data,/dev/3.data,1,1,$BIG,$BIG,0,0" "$(logc)" >"$W/$n.m"
	rm -f "$fifo"
	mkfifo "$fifo"
	IN=$fifo zr "$w" "$n" "$W/$n.m" &
	pid=$!
	exec {fd}>"$fifo"
	for i in $(seq 200); do
		grep -qx wait "$W/$n.$w.out" 2>/dev/null && break
		sleep 0.025
	done
	case $how in
	truncate) truncate -s "$size" "$W/data" ;;
	grow)
		"$P/chanrand" gen "$s" "$size" "$W/big"
		tail -c +$((SIZE0 + 1)) "$W/big" >>"$W/data"
		;;
	esac
	# A program gone already: no SIGPIPE for the test's shell.
	(echo "$size" >&"$fd") 2>/dev/null || :
	exec {fd}>&-
	wait "$pid"
}

# changed_ok NAME: both runs of changed exited 0 with the same stdout
# (the program saw the same answers).  On the copy path the report's
# counts are the program's (every call that moved bytes, and the bytes:
# a read past the new end returns 0 free, as at the known end), the etag
# is xxhsum of them and no read failed on the host.  On the native path
# the same, or, when a read decided natively ran after the cut and moved
# less than it was charged, the report says so (Error = ...:read:Stale
# file handle) and counts at least what the program got.  Every check
# returns: callers test its status.
changed_ok() {
	local w c b r

	for w in rc out; do
		diff "$W/$1.plain.$w" "$W/$1.copy.$w" ||
		    { echo "$1: the ${w}s differ (plain <, copy >)"; says "$1"; return 1; }
	done
	for w in plain copy; do
		[ "$(cat "$W/$1.$w.rc")" = 0 ] || { says "$1"; return 1; }
		c=$(tally "$W/$1.$w.out" | cut -d, -f1)
		b=$(tally "$W/$1.$w.out" | cut -d, -f2)
		r=$(use "$W/$1.$w.rep" /dev/3.data)
		if [ "$w" = plain ] &&
		    grep -qx 'Error = /dev/3.data:read:Stale file handle' "$W/$1.$w.rep"; then
			[ "${r%,*}" -ge "$c" ] && [ "${r#*,}" -ge "$b" ] ||
			    { echo "$1 $w: report $r, program $c,$b"; return 1; }
			continue
		fi
		[ "$r" = "$c,$b" ] ||
		    { echo "$1 $w: report $r, program $(tail -n 1 "$W/$1.$w.out")"; return 1; }
		[ "$(etag "$W/$1.$w.rep" /dev/3.data)" = "$(xx "$W/$1.$w.log")" ] ||
		    { echo "$1 $w: the etag is not xxhsum of the bytes received"; return 1; }
		if grep '^Error = /dev/3.data' "$W/$1.$w.rep"; then
			return 1
		fi
	done
}

@test "native: a file grown (appended, or a hole), or cut to a page edge or to nothing, during the run: reads end at the known end or the new one, counted as got" {
	local base=${NATIVE_SEED:-$RANDOM} k s how size w
	echo "# seeds $base.. (NATIVE_SEED=$base)"
	SIZE0=40123
	k=0
	for how in grow:90001 grow:40124 truncate:65536 truncate:36864 \
	    truncate:8192 truncate:0; do
		s=$((base + k))
		k=$((k + 1))
		for w in plain copy; do
			changed $w c$k "$s" "${how%:*}" "${how#*:}"
		done
		changed_ok c$k || { echo "seed $s, $how"; return 1; }
	done
}

@test "native: a file cut inside a page during the run: reads end at the new end" {
	local base=${NATIVE_SEED:-$RANDOM} k=0 size s w
	echo "# seeds $base.. (NATIVE_SEED=$base)"
	SIZE0=40123
	for size in 30000 12345 4097; do
		s=$((base + k))
		k=$((k + 1))
		for w in plain copy; do
			changed $w t$k "$s" truncate "$size"
		done
		# The copy path reads through a map of the file, whose page
		# holding the new end reads as zeros past it: the read must
		# still stop at the new end (it once went to the page's).
		changed_ok t$k || { echo "seed $s, cut to $size"; return 1; }
	done
}

# mapcase SEED: $W/data for chanrand map, and its quotas in G and B: the
# map fits, or only one call is left, or too few bytes (EDQUOT).
mapcase() {
	local h=$((($1 * 2654435761 + 777) % 4294967296))

	case $((h % 5)) in
	0) SIZE=0 ;;
	1) SIZE=$((4096 * (1 + h / 5 % 8))) ;;
	*) SIZE=$((1 + h / 5 % 300000)) ;;
	esac
	"$P/chanrand" gen "$1" "$SIZE" "$W/data"
	G=$BIG
	B=$BIG
	case $(($1 % 4)) in
	0) B=$((1 + h / 7 % 20000)) ;;
	1) G=1 ;;
	esac
}

# mapped NAME ALIAS WHICH SEED: zr WHICH of chanrand map on $W/data as ALIAS.
mapped() {
	pm chanrand "chanrand map $4 $2 $G $B /dev/5.log" \
	    "$W/data,$2,1,1,$G,$B,0,0" "$(logc)" >"$W/$1.m"
	zr "$3" "$1" "$W/$1.m"
}

@test "native: mmap of an @FILE channel is EBADF on the copy path, free; an injected file's map is one read of its pages, cut at the end" {
	local s
	for s in $(seq 1 12); do
		mapcase "$s"
		# ZVM_COPY=1: the channel's fd is virtual, the kernel knows
		# no such fd.
		mapped m "/dev/3.data" copy "$s"
		[ "$(cat "$W/m.copy.rc")" = 3 ] || { says m; return 1; }
		[ "$(cat "$W/m.copy.out")" = "$(printf 'fd=virtual\nmmap: %s' \
		    'Bad file descriptor')" ]
		[ "$(use "$W/m.copy.rep" /dev/3.data)" = 0,0 ]
		# An alias outside /dev: the fd is injected, the map charged.
		mapped i /in/data plain "$s"
		[ "$(cat "$W/i.plain.rc")" = 0 ] || { echo "seed $s size $SIZE"; says i; return 1; }
		[ "$(head -n 1 "$W/i.plain.out")" = fd=real ]
		[ "$(use "$W/i.plain.rep" /in/data)" = "$(tally "$W/i.plain.out")" ]
		[ "$(etag "$W/i.plain.rep" /in/data)" = "$(xx "$W/i.plain.log")" ]
		if [ "$(tally "$W/i.plain.out")" = 0,0 ] && [ "$SIZE" -gt 0 ]; then
			grep -qx 'Quota = /in/data:get_size' "$W/i.plain.rep"
		fi
	done
}

# The native path's half: where /dev/3.data's fd is virtual without
# ZVM_COPY=1 (no native path in this build) its map is the copy path's
# EBADF, and the test is skipped after checking that; where it is real,
# the map must be charged as the injected file's above, byte for byte.
@test "native: mmap of an @FILE channel on the native path is charged as an injected file's map" {
	local s real=0
	for s in $(seq 1 12); do
		mapcase "$s"
		mapped n /dev/3.data plain "$s"
		if [ "$(head -n 1 "$W/n.plain.out")" = fd=virtual ]; then
			[ "$(cat "$W/n.plain.rc")" = 3 ]
			[ "$(tail -n 1 "$W/n.plain.out")" = \
			    "mmap: Bad file descriptor" ]
			[ "$(use "$W/n.plain.rep" /dev/3.data)" = 0,0 ]
			continue
		fi
		real=$((real + 1))
		mapped i /in/data plain "$s"
		[ "$(cat "$W/n.plain.rc")" = 0 ] || { echo "seed $s size $SIZE"; says n; return 1; }
		diff "$W/i.plain.out" "$W/n.plain.out"
		[ "$(use "$W/n.plain.rep" /dev/3.data)" = "$(use "$W/i.plain.rep" /in/data)" ]
		[ "$(etag "$W/n.plain.rep" /dev/3.data)" = "$(etag "$W/i.plain.rep" /in/data)" ]
		cmp "$W/n.plain.log" "$W/i.plain.log"
	done
	[ "$real" -gt 0 ] ||
	    skip "no native data path: /dev/3.data's fd is virtual without ZVM_COPY=1, its mmap EBADF"
	[ "$real" = 12 ]
}

# raced NAME WHICH ALIAS1 ALIAS2 [GETS]: zr WHICH of fdrace run on $W/f1
# as ALIAS1 (GETS calls) and $W/f2 as ALIAS2.
raced() {
	pm fdrace "fdrace run 3000 $3 $4" "$W/f1,$3,1,1,${5:-$BIG},$BIG,0,0" \
	    "$W/f2,$4,1,1,$BIG,$BIG,0,0" >"$W/$1.m"
	zr "$2" "$1" "$W/$1.m"
}

# raced_ok NAME WHICH ALIAS1 ALIAS2: exit 0, no wrong byte; each
# channel's gets,get_size in the report are the calls and bytes the
# program got from its file; both files were read; thousands of reads
# raced with B's changes.
raced_ok() {
	local n=$W/$1.$2 o f k
	local -a alias=("" "$3" "$4")

	[ "$(cat "$n.rc")" = 0 ] || { says "$1"; return 1; }
	o=$(cat "$n.out")
	for k in 1 2; do
		f=$(sed -E "s/.*file$k=([0-9]+,[0-9]+) .*/\\1/" <<<"$o")
		[ "${f%,*}" -gt 0 ] || { echo "$1 $2: file $k never read: $o"; return 1; }
		[ "$(use "$n.rep" "${alias[k]}")" = "$f" ] ||
		    { echo "$1 $2: ${alias[k]}: report $(use "$n.rep" "${alias[k]}"), program $o"; return 1; }
	done
	if [ "$(sed -E 's/.* racing=([0-9]+) .*/\1/' <<<"$o")" -lt 3000 ] ||
	    [ "$(sed -E 's/.* rounds=([0-9]+) .*/\1/' <<<"$o")" -lt 300 ]; then
		echo "$1 $2: too little racing: $o"
		return 1
	fi
}

@test "native: fdrace, a read racing dup, dup2, dup3, close and open of its fd number: every byte from the file it counts, counts as reported" {
	local i w
	"$P/fdrace" gen 1 300000 "$W/f1"
	"$P/fdrace" gen 2 200004 "$W/f2"
	for i in 1 2 3; do
		for w in plain copy; do
			raced r$i $w /dev/3.data /dev/4.other
			raced_ok r$i $w /dev/3.data /dev/4.other
		done
	done
	# Aliases outside /dev: injected fds today.
	for i in 1 2; do
		raced j$i plain /in/data /in/other
		raced_ok j$i plain /in/data /in/other
		grep -q ' fd=real$' "$W/j$i.plain.out"
	done
	# A call quota on the first file: EDQUOT is data too.
	for w in plain copy; do
		raced q $w /dev/3.data /dev/4.other 700
		raced_ok q $w /dev/3.data /dev/4.other
		[ "$(use "$W/q.$w.rep" /dev/3.data)" = "700,$(sed -E 's/.*file1=700,([0-9]+) .*/\1/' "$W/q.$w.out")" ]
		grep -q ' a\.EDQUOT=' "$W/q.$w.out"
		grep -qx 'Quota = /dev/3.data:gets' "$W/q.$w.rep"
	done
}
