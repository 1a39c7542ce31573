#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The native data path for writes: an @w:FILE channel (random write, type
# 2) is a real fd whose write and pwrite64 calls that fit run natively.
# Each run here is made twice, natively and with ZVM_COPY=1, and the two
# must leave the same output file, the same stdout and the same report
# (but its timings); tests/progs/wrand makes the calls and keeps its own
# tally, which the report must equal.

load helper
load zvm-run-helper

# both NAME MANIFEST: runs MANIFEST on each path as nobody, the output
# file $W/o removed before each; keeps $W/NAME.{n,c}.{out,file,rep,rc}.
both() {
	local p
	for p in n c; do
		rm -f "$W/o"
		if [ "$p" = c ]; then
			ZVM_COPY=1 as_nobody zvm-run -r "$W/$1.$p.rep" "$2" \
			    >"$W/$1.$p.out" 2>"$W/$1.$p.err" && r=0 || r=$?
		else
			as_nobody zvm-run -r "$W/$1.$p.rep" "$2" \
			    >"$W/$1.$p.out" 2>"$W/$1.$p.err" && r=0 || r=$?
		fi
		echo "$r" >"$W/$1.$p.rc"
		cp "$W/o" "$W/$1.$p.file" 2>/dev/null || : >"$W/$1.$p.file"
		grep -v '^Time = \|^CPU = \|^Memory = ' "$W/$1.$p.rep" \
		    >"$W/$1.$p.cmp"
	done
	cmp "$W/$1.n.rc" "$W/$1.c.rc"
	cmp "$W/$1.n.out" "$W/$1.c.out"
	cmp "$W/$1.n.file" "$W/$1.c.file"
	diff "$W/$1.n.cmp" "$W/$1.c.cmp"
}

# field REPORT N: field N of the report's /dev/2.o channel line.
field() {
	awk -F, -v f="$2" '/^Channel = / && $2 == "/dev/2.o" { print $f }' "$1"
}

@test "native writes: random write/pwrite/writev/lseek under random quotas, same file, output and report as the copy path" {
	local seed puts size
	for seed in $(seq 1 24); do
		puts=$(( seed % 3 == 0 ? 40 + seed : 100000 ))
		size=$(( seed % 4 == 1 ? 20000 + seed * 997 : 100000000 ))
		mf wrand "$W/o,/dev/2.o,2,$(( seed % 2 )),0,0,$puts,$size" |
		    sed "s|^Program.*|&\nArgs = wrand $seed 300 /dev/2.o|" >"$W/m"
		both "s$seed" "$W/m" || { echo "seed $seed differs"; return 1; }
		[ "$(cat "$W/s$seed.n.rc")" -eq 0 ]
		# The report counts what the program was told it wrote.
		tally=$(tail -n 1 "$W/s$seed.n.out")
		[[ "$tally" == "calls=$(field "$W/s$seed.n.rep" 7) bytes=$(field "$W/s$seed.n.rep" 8) "* ]] ||
		    { echo "seed $seed: $tally vs $(grep /dev/2.o "$W/s$seed.n.rep")"; return 1; }
	done
	# The quotas were met, some of them: EDQUOT and the cut are tested.
	grep -l 'Disk quota exceeded' "$W"/s*.n.out | grep -q .
	grep -h '^Quota = /dev/2.o' "$W"/s*.n.rep | grep -q put_size
}

@test "native writes: O_APPEND (open and F_SETFL) appends, pwrite included, as Linux does, on both paths" {
	local seed
	for seed in 3 7 11; do
		mf wrand "$W/o,/dev/2.o,2,1,0,0,100000,100000000" |
		    sed "s|^Program.*|&\nArgs = wrand $seed 200 /dev/2.o append|" >"$W/m"
		both "a$seed" "$W/m"
		[ "$(stat -c %s "$W/a$seed.n.file")" -eq "$(field "$W/a$seed.n.rep" 8)" ]
	done
}

@test "native writes: the calls beside write on a write channel's fd answer as a virtual fd's, but mmap (ENODEV, not EBADF)" {
	mf wrand "$W/o,/dev/2.o,2,1,0,0,100,100000" |
	    sed "s|^Program.*|&\nArgs = wrand probe /dev/2.o|" >"$W/m"
	run ! both p "$W/m"
	# Only the two map lines differ.
	diff "$W/p.n.out" "$W/p.c.out" | grep '^[<>]' >"$W/d" || :
	[ "$(grep -c . "$W/d")" -eq 4 ]
	grep -qx '< mmap-shared -1 No such device' "$W/d"
	grep -qx '< mmap-private -1 No such device' "$W/d"
	grep -qx '> mmap-shared -1 Bad file descriptor' "$W/d"
	grep -qx 'ftruncate -1 Invalid argument' "$W/p.n.out"
	grep -qx 'read -1 Bad file descriptor' "$W/p.n.out"
	grep -qx 'write-closed -1 Bad file descriptor' "$W/p.n.out"
	# pwrite at 0 after F_SETFL O_APPEND went to the end.
	[ "$(cat "$W/p.n.file")" = "$(printf 'hello\nJ')" ]
	cmp "$W/p.n.file" "$W/p.c.file"
	# The same report but stdout's size (the two messages).
	diff <(grep -v /dev/stdout "$W/p.n.cmp") <(grep -v /dev/stdout "$W/p.c.cmp")
}

@test "native writes: busybox cp, sort -o and tar -cf to @w: files match the copy path, etags and all" {
	seq 1 50000 | shuf --random-source=<(yes) >"$W/in"
	chmod 644 "$W/in"
	cd "$W"
	for a in "cp @in @w:o" "sort -n -o @w:o @in" "tar -cf @w:o @in"; do
		# shellcheck disable=SC2086
		PATH="$ZVM_BUILD:$PATH" zvm-manifest -E -- /bin/busybox $a >"$W/m"
		both b "$W/m" </dev/null || { echo "differs: $a"; return 1; }
		[ "$(cat "$W/b.n.rc")" -eq 0 ] || { cat "$W/b.n.err"; return 1; }
		[ -s "$W/b.n.file" ]
	done
}

@test "native writes: RLIMIT_FSIZE cuts a native-sized write as the copy path does: EFBIG, bytes kept" {
	mf wrand "$W/o,/dev/2.o,2,1,0,0,100000,100000000" |
	    sed "s|^Program.*|&\nArgs = wrand 5 200 /dev/2.o|" >"$W/m"
	for p in n c; do
		rm -f "$W/o"
		( ulimit -f 100; [ "$p" = c ] && export ZVM_COPY=1
		  zvm-run -r "$W/f.$p.rep" "$W/m" >"$W/f.$p.out" 2>&1 ) || :
		cp "$W/o" "$W/f.$p.file"
	done
	grep -q 'File too large' "$W/f.n.out"
	[ "$(stat -c %s "$W/f.n.file")" -le 102400 ]
	cmp "$W/f.n.out" "$W/f.c.out"
	cmp "$W/f.n.file" "$W/f.c.file"
}
