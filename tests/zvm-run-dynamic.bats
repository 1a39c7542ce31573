#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run with dynamic programs and directory images: stock /usr/bin
# programs give the output of a direct run, with their data channels'
# quotas enforced; the real fds injected for libraries and image files
# are metered (reads, maps and mremap growth as one read, hashed with an
# etag; image listings) and attacked (tests/progs/inject); images keep
# every way out shut; stock python3 runs a script from the ZeroVM blog
# and fails like it under quota 3; #! scripts run by their interpreters.
load helper
load zvm-run-helper

# dm [ZVM-MANIFEST-ARGS...]: zvm-manifest with Timeout 10.
dm() {
	zvm-manifest -t 10 "$@"
}

# chan REPORT ALIAS FIELD: a usage field (5 gets, 6 get_size) of ALIAS.
chan() {
	awk -F, -v a="$2" -v f="$3" '/^Channel = / && $2 == a { print $f }' "$1"
}

@test "dynamic: cat, head, wc, sort, sha256sum, gzip, xz, jq match a direct run" {
	seq 1 20000 | shuf --random-source=<(yes) >"$W/in"
	echo '{"a":[1,2,{"b":"x"}],"c":null}' >"$W/j"
	cd "$W"
	for a in "cat @in" "head -n 5 @in" "wc @in" "sort -n @in" \
	    "sha256sum @in" "gzip -nc @in" "xz -c @in" "jq -c .a @j"; do
		dm -- /usr/bin/$a >"$W/m"
		as_nobody zvm-run -r "$W/rep" "$W/m" >"$W/got"
		# shellcheck disable=SC2086
		(cd "$W" && /usr/bin/${a//@/}) >"$W/want"
		if [ "${a%% *}" = sha256sum ] || [ "${a%% *}" = wc ]; then
			sed -i 's|/dev/1\.||' "$W/got"
		fi
		cmp "$W/got" "$W/want"
		grep -q '^State = ok$' "$W/rep"
		# ld.so read libc through its channel, metered.
		[ "$(chan "$W/rep" /lib/x86_64-linux-gnu/libc.so.6 6)" -gt 0 ]
	done
}

@test "dynamic: a stock cat's data channel quota: the bytes before it, then EDQUOT" {
	seq 1 1000 >"$W/in"
	cd "$W"
	dm -- /usr/bin/cat @in |
	    zvm-edit -e '/dev/1.in:get_size=100' >"$W/m"
	run -1 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "$(head -c 100 "$W/in")" ]
	[[ "$stderr" == *"Disk quota exceeded"* ]]
	grep -qx 'Quota = /dev/1.in:get_size' "$W/rep"
}

@test "dynamic: a library quota too small for ld.so's maps stops the program" {
	cd "$W"
	dm -- /usr/bin/true |
	    zvm-edit -e '/lib/x86_64-linux-gnu/libc.so.6:get_size=10000' >"$W/m"
	run -127 as_nobody zvm-run -r "$W/rep" "$W/m"
	assert_output --partial "libc.so.6"
	[ "$(chan "$W/rep" /lib/x86_64-linux-gnu/libc.so.6 6)" -le 10000 ]
	grep -qx 'Quota = /lib/x86_64-linux-gnu/libc.so.6:get_size' "$W/rep"
}

@test "attack: injected fds: reads and maps past the quota, dup, /proc, closed fds, unlisted libraries" {
	L=/lib/x86_64-linux-gnu/libc.so.6
	mf inject "$L,$L,1,0,100,5206,0,0" |
	    sed "s|^Program.*|&\nArgs = inject lib $L|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 41 checks" ]
	# read 100 + pread 10 + map 4096 + cut read 1000 = the quota.
	[ "$(chan "$W/rep" $L 6)" -eq 5206 ]
	[ "$(chan "$W/rep" $L 5)" -eq 4 ]
	grep -qx "Quota = $L:get_size" "$W/rep"
}

@test "injected fds: 10000 opens of a channel and 10000 pipes (past RLIMIT_NOFILE), with a thread blocked or not, take numbers that come back" {
	head -c 100 /dev/urandom >"$W/f"
	mf inject "$W/f,/dev/1.f,1,0,100000,100000,0,0" |
	    sed "s|^Program.*|&\nArgs = inject reopen /dev/1.f|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 6 checks" ]
	[ "$(chan "$W/rep" /dev/1.f 5)" -eq 20000 ]
}

@test "attack: a thread moving the offset of an fd another reads or writes natively: no byte past a quota, none counted short" {
	head -c 300000 /dev/urandom >"$W/f"
	for e in 0 1; do
		mf inject "$W/f,/dev/1.f,1,$e,100000,250000,0,0" |
		    sed "s|^Program.*|&\nArgs = inject seekrace r /dev/1.f|" >"$W/m"
		run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		# Read no more than the quota, charged no less than read.
		[ "$output" -le 250000 ]
		[ "$(chan "$W/rep" /dev/1.f 6)" -le 250000 ]
		[ "$(chan "$W/rep" /dev/1.f 6)" -ge "$output" ]
	done
	# A write lands nowhere the quota could not fill (ZeroVM: a hole
	# the bytes left could fill, no further), whatever offset the other
	# thread set, often up to 2^40: at most 62 calls of 4096 bytes fit,
	# each starting within size + what is left, so the file stays below
	# 62 * (250000 + 4096) bytes, and its blocks hold what was written.
	rm -f "$W/o"
	mf inject "$W/o,/dev/2.o,2,0,0,0,100000,250000" |
	    sed "s|^Program.*|&\nArgs = inject seekrace w /dev/2.o|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" -le 250000 ]
	[ "$(stat -c %s "$W/o")" -le $((62 * (250000 + 4096))) ]
	[ $(($(stat -c %b "$W/o") * 512)) -le $((250000 + 62 * 8192)) ]
	[ "$(chan "$W/rep" /dev/2.o 8)" -eq "$output" ]
}

@test "attack: an injected fd's number guessed by another thread: every byte it reads is charged" {
	L=/lib/x86_64-linux-gnu/libc.so.6
	mf inject "$L,$L,1,0,100000000,100000000,0,0" |
	    sed "s|^Program.*|&\nArgs = inject race $L|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 16 checks" ]
	[ "$output" -gt 0 ]
	[ "$(chan "$W/rep" $L 6)" -eq "$output" ]
}

@test "attack: mremap growing a map of an injected fd: charged, EDQUOT past the quota; anonymous growth free" {
	L=/lib/x86_64-linux-gnu/libc.so.6
	mf inject "$L,$L,1,0,100,20480,0,0" |
	    sed "s|^Program.*|&\nArgs = inject remap $L|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 20 checks" ]
	# map 4096 + growth 8192 + pread 4096 + growth 4096 = the quota.
	[ "$(chan "$W/rep" $L 6)" -eq 20480 ]
	[ "$(chan "$W/rep" $L 5)" -eq 4 ]
	grep -qx "Quota = $L:get_size" "$W/rep"
}

@test "attack: a 1-byte map is charged the page it makes readable, or up to the file's end" {
	L=/lib/x86_64-linux-gnu/libc.so.6
	mf inject "$L,$L,1,0,100,12298,0,0" |
	    sed "s|^Program.*|&\nArgs = inject pages $L|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 8 checks" ]
	[ "$(chan "$W/rep" $L 6)" -eq 12298 ]
	[ "$(chan "$W/rep" $L 5)" -eq 4 ]
	# The etag covers the bytes charged: the last page's, to the end.
	head -c 9999 /dev/urandom >"$W/f"
	echo >>"$W/f"
	want=$(tail -c 1808 "$W/f" | xxhsum -H2 | cut -d' ' -f1)
	mf inject "$W/f,/data/f,1,1,100,100000,0,0" |
	    sed "s|^Program.*|&\nArgs = inject tail /data/f|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 2 checks" ]
	[ "$(chan "$W/rep" /data/f 6)" -eq 1808 ]
	[ "$(chan "$W/rep" /data/f 4)" = "$want" ]
}

@test "etag: a --file channel mapped whole, or a page grown past its end, hashes as xxhsum" {
	head -c 9999 /dev/urandom >"$W/f"
	echo >>"$W/f"
	want=$(xxhsum -H2 "$W/f" | cut -d' ' -f1)
	for how in mapall mapgrow; do
		mf inject "$W/f,/data/f,1,1,100,100000,0,0" |
		    sed "s|^Program.*|&\nArgs = inject $how /data/f|" >"$W/m"
		run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "$(chan "$W/rep" /data/f 6)" -eq 10000 ]
		[ "$(chan "$W/rep" /data/f 4)" = "$want" ]
	done
}

@test "mmap of an @FILE input (/dev alias): native path maps it, charged once; ZVM_COPY=1 keeps it virtual (no map)" {
	head -c 9999 /dev/urandom >"$W/f"
	echo >>"$W/f"
	want=$(xxhsum -H2 "$W/f" | cut -d' ' -f1)
	mf inject "$W/f,/dev/1.f,1,1,100,100000,0,0" |
	    sed "s|^Program.*|&\nArgs = inject mapall /dev/1.f|" >"$W/m"
	if [ -n "${ZVM_COPY:-}" ]; then
		run -1 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[[ "$stderr" == *"p != MAP_FAILED"* ]]
		[ "$(chan "$W/rep" /dev/1.f 6)" -eq 0 ]
	else
		run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "$(chan "$W/rep" /dev/1.f 5)" -eq 1 ]
		[ "$(chan "$W/rep" /dev/1.f 6)" -eq 10000 ]
		[ "$(chan "$W/rep" /dev/1.f 4)" = "$want" ]
	fi
}

@test "image: a directory listing is read from the image's channel, EDQUOT past its quota" {
	mkdir "$W/img"
	touch "$W/img/"{a,b,c,d,e,f,g,h}
	mf inject "$W/img,/data/img,1,0,1000,100,0,0" |
	    sed "s|^Program.*|&\nArgs = inject dir /data/img|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 4 checks" ]
	[ "$(chan "$W/rep" /data/img 6)" -eq 96 ]
	[ "$(chan "$W/rep" /data/img 5)" -eq 1 ]
	grep -qx 'Quota = /data/img:get_size' "$W/rep"
}

@test "image: a directory tree under its alias; .., links out, absolute and magic links fail" {
	mkdir -p "$W/img/sub"
	printf 'inside\n' >"$W/img/file"
	printf 'sub\n' >"$W/img/sub/f"
	echo secret >"$W/outside"
	ln -s sub/f "$W/img/rel"
	ln -s .. "$W/img/up"
	ln -s /etc/passwd "$W/img/abs"
	ln -s /proc/self/root "$W/img/magic"
	mf inject "$W/img,/data/img,1,0,1000,1000,0,0" |
	    sed "s|^Program.*|&\nArgs = inject img /data/img|" >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 41 checks" ]
	# file, rel: every byte read is on the image's channel, and the
	# listing of its root: eight entries of 24 bytes, "magic" 32.
	[ "$(chan "$W/rep" /data/img 6)" -eq 211 ]
	[ "$(chan "$W/rep" /data/img 5)" -eq 3 ]
}

@test "image: a writable directory channel is refused before the run" {
	mkdir "$W/img"
	mf tiny "$W/img,/data/img,1,0,10,10,10,10" >"$W/m"
	run -125 zvm-run "$W/m"
	assert_output --partial "directory not read-only"
}

@test "python3: the blog's script runs, and fails with EDQUOT under quota 3" {
	cd "$W"
	blog
	pym python3 -I -S @example.py @file.txt >m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$output" = "$BLOG_OUT" ]
	# The blog's edit: quota 3 on the data channel.
	zvm-edit -i -e '/dev/2.file.txt:gets=3,get_size=3,puts=3,put_size=3' m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$(sed -n 1p <<<"$output")" = "b'hel'" ]
	[ "$(sed -n 4p <<<"$output")" = "122 Disk quota exceeded" ]
	grep -qx 'Channel = '"$W"'/file.txt,/dev/2.file.txt,1,0,1,3,0,0' rep
	grep -qx 'Quota = /dev/2.file.txt:get_size' rep
	# Buffered, as the blog's: Python raises OSError errno 122.
	printf "f = open('/dev/2.file.txt', 'rb')\nprint(f.read(5))\n" >example.py
	run -1 --separate-stderr as_nobody zvm-run -r rep m
	[[ "$stderr" == *"OSError: [Errno 122] Disk quota exceeded"* ]]
	grep -qx 'Quota = /dev/2.file.txt:get_size' rep
}

@test "#! scripts: python3 and sh run them, the script read through its channel" {
	cd "$W"
	printf 'hello world\n' >file.txt
	cat >s.py <<'EOT'
#!/usr/bin/python3 -IS
import sys
print(sys.argv[0], open(sys.argv[1]).read(5))
EOT
	chmod 755 s.py
	pym ./s.py @file.txt >m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$output" = "$W/s.py hello" ]
	[ "$(chan rep "$W/s.py" 6)" -ge "$(stat -c %s s.py)" ]
	# "-I -S" is one argument, as the kernel passes it: python3 refuses
	# it the same way in the sandbox as natively.
	sed -i '1s/.*/#!\/usr\/bin\/python3 -I -S/' s.py
	pym ./s.py @file.txt >m
	run -2 --separate-stderr as_nobody zvm-run m
	[ -n "$stderr" ]
	[ "$stderr" = "$(./s.py file.txt 2>&1)" ]
	printf '#!/bin/sh\necho "$0 $1"\n' >s.sh
	chmod 755 s.sh
	dm -- ./s.sh 'an arg' >m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$output" = "$W/s.sh an arg" ]
	[ "$(chan rep "$W/s.sh" 6)" -gt 0 ]
}
