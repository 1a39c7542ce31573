#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run with tar archives as images: a tar of a tree reads exactly as
# the directory image of that tree (same bytes, same listings, the same
# charges and quotas on its channel); stock python3 runs from its library
# as a tar; hostile archives are refused with 125 and create nothing
# outside zvm-run's private directory, which is gone after every run.
load helper
load zvm-run-helper

# chan REPORT ALIAS FIELD: a usage field (5 gets, 6 get_size) of ALIAS.
chan() {
	awk -F, -v a="$2" -v f="$3" '/^Channel = / && $2 == a { print $f }' "$1"
}

# The private directories zvm-run unpacks into, one a line.
images() {
	ls -d /dev/shm/zvm-image.* "${TMPDIR:-/tmp}"/zvm-image.* 2>/dev/null |
	    sort || true
}

# bb URI ARGS...: a manifest running busybox ARGS with URI at /img, a
# tar image's alias with the trailing '/' that makes it one (IMG: another
# alias).
bb() {
	local uri=$1 a=/img
	shift
	[ "${uri%.tar}" = "$uri" ] || a=/img/
	mf ../../../../bin/busybox "$uri,${IMG:-$a},1,0,1000,100000000,0,0" |
	    sed "s|^Program.*|Program = /bin/busybox\nArgs = busybox $*|"
}

# A small tree in $W/img and its tar in $W/img.tar.
tree() {
	mkdir -p "$W/img/sub/deeper"
	printf 'inside\n' >"$W/img/file"
	printf 'sub\n' >"$W/img/sub/f"
	seq 1 5000 >"$W/img/sub/deeper/big"
	ln -s sub/f "$W/img/rel"
	ln "$W/img/file" "$W/img/hard"
	find "$W/img" -type f -exec chmod 0444 {} +
	find "$W/img" -type d -exec chmod 0555 {} +
	# Times the unpacking must set, not happen to have.
	find "$W/img" -exec touch -h -d @1000000000 {} +
	tar -C "$W/img" -cf "$W/img.tar" .
}

@test "tar: inject's image checks pass on a tar as on its directory, same charges" {
	mkdir -p "$W/img/sub"
	printf 'inside\n' >"$W/img/file"
	printf 'sub\n' >"$W/img/sub/f"
	ln -s sub/f "$W/img/rel"
	ln -s .. "$W/img/up"
	ln -s /etc/passwd "$W/img/abs"
	ln -s /proc/self/root "$W/img/magic"
	tar -C "$W/img" -cf "$W/img.tar" .
	for u in img:/data/img img.tar:/data/img/; do
		mf inject "$W/${u%%:*},${u#*:},1,0,1000,1000,0,0" |
		    sed "s|^Program.*|&\nArgs = inject img /data/img|" >"$W/m"
		run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "$stderr" = "PASS 41 checks" ]
		[ "$(chan "$W/rep" "${u#*:}" 6)" -eq 211 ]
		[ "$(chan "$W/rep" "${u#*:}" 5)" -eq 3 ]
	done
}

@test "tar: cat and ls of a tar image match its directory image; EDQUOT past the quota" {
	tree
	for a in "cat /img/file /img/rel /img/hard /img/sub/deeper/big" \
	    "ls -lnR /img/file /img/hard /img/rel /img/sub/f" "ls -1aR /img" \
	    "stat -c %n:%a:%Y:%h /img/sub /img/sub/deeper /img/rel /img/hard" \
	    "find /img" "wc -c /img/sub/deeper/big /img/hard"; do
		bb "$W/img" "$a" >"$W/m"
		as_nobody zvm-run -r "$W/rep.d" "$W/m" >"$W/want"
		bb "$W/img.tar" "$a" >"$W/m"
		as_nobody zvm-run -r "$W/rep.t" "$W/m" >"$W/got"
		# ls -l shows the owner: the tar's files are zvm-run's.
		sed -i -E 's/^([^ ]+ +[0-9]+) +[0-9]+ +[0-9]+ +/\1 U G /' \
		    "$W/want" "$W/got"
		# find lists in the order the file system keeps.
		if [ "${a%% *}" = find ]; then
			sort -o "$W/want" "$W/want"
			sort -o "$W/got" "$W/got"
		fi
		diff -u "$W/want" "$W/got"
		[ -s "$W/got" ]
		[ "$(chan "$W/rep.t" /img/ 6)" = "$(chan "$W/rep.d" /img 6)" ]
	done
	bb "$W/img.tar" cat /img/sub/deeper/big |
	    zvm-edit -e '/img/:get_size=100' >"$W/m"
	run -1 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "$(head -c 100 "$W/img/sub/deeper/big")" ]
	[[ "$stderr" == *"Disk quota exceeded"* ]]
	grep -qx 'Quota = /img/:get_size' "$W/rep"
}

@test "tar: without the trailing /, a tar is data: its bytes, never looked into" {
	tree
	IMG=/img bb "$W/img.tar" cat /img >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	as_nobody zvm-run "$W/m" | cmp - "$W/img.tar"
	[ "$(chan "$W/rep" /img 6)" -eq "$(stat -c %s "$W/img.tar")" ]
	# zvm-manifest --file FILE.tar: a data channel at its own path.
	cd "$W"
	zvm-manifest --file img.tar busybox wc -c "$W/img.tar" >"$W/m"
	grep -qx "Channel = $W/img.tar,$W/img.tar,1,0,4294967296,4294967296,0,0" "$W/m"
	run -0 as_nobody zvm-run "$W/m"
	[ "$output" = "$(stat -c %s img.tar) $W/img.tar" ]
	# A bad header in a data channel is nobody's business.
	cp img.tar bad.tar
	printf X | dd of=bad.tar bs=1 seek=3 conv=notrunc status=none
	IMG=/img bb "$W/bad.tar" cat /img >"$W/m"
	run -0 zvm-run -n "$W/m"
	bb "$W/bad.tar" cat /img >"$W/m"
	run -125 zvm-run -n "$W/m"
	[[ "$output" == *"Channel /img/: $W/bad.tar: entry 1 "*"bad header checksum"* ]]
}

@test "tar: an alias ending in / is an image or refused before the run" {
	tree
	images >"$W/before"
	printf 'not a tar\n' >"$W/plain"
	head -c 100 "$W/img.tar" >"$W/short"
	for u in plain short; do
		bb "$W/$u" cat /img/file | sed "s|,/img,|,/img/,|" >"$W/m"
		for n in -n ''; do
			run -125 --separate-stderr zvm-run $n "$W/m"
			[[ "$stderr" == *"Channel /img/: $W/$u: an alias ending in / makes an image, and this is not a tar archive"* ]]
		done
	done
	# No image where the channel is not read-only, nor on a device or a
	# stream: output files (there or not), /dev/null, zvm-run's stdout.
	for c in "$W/out,/out/,0,0,0,0,10,10" "$W/plain,/rw/,3,0,10,10,10,10" \
	    "/dev/null,/null/,1,0,10,10,0,0" \
	    "/dev/stdout,/dev/out/,0,0,0,0,10,10"; do
		bb "$W/img.tar" cat /img/file | sed "\$a Channel = $c" >"$W/m"
		run -125 --separate-stderr zvm-run "$W/m"
		a=$(cut -d, -f2 <<<"$c")
		[[ "$stderr" == *"Channel $a: ${c%%,*}: an alias ending in / makes an image, a read-only directory or tar archive"* ]]
		[ ! -e "$W/out" ]
	done
	[ "$(cat "$W/plain")" = "not a tar" ]
	# A directory image with or without its /: /img/ and /img are one tree,
	# and the report has the alias as the manifest wrote it.
	for a in /img/ /img; do
		IMG=$a bb "$W/img" cat /img/file /img//sub/f >"$W/m"
		run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
		[ "$output" = "$(printf 'inside\nsub')" ]
		grep -q "^Channel = $W/img,$a,1," "$W/rep"
	done
	# A tar image in /dev is served there too.
	IMG=/dev/t/ bb "$W/img.tar" cat /dev/t/file /dev/t/sub/f >"$W/m"
	run -0 as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "$(printf 'inside\nsub')" ]
	grep -q "^Channel = $W/img.tar,/dev/t/,1," "$W/rep"
	IMG=/dev/t/ bb "$W/img.tar" ls /dev >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_line t
	images | diff -u "$W/before" -
}

@test "tar: a symbolic link out of the archive unpacks, and leads nowhere" {
	mkdir "$W/img"
	ln -s /etc "$W/img/out"
	ln -s ../../../../etc/passwd "$W/img/up"
	tar -C "$W/img" -cf "$W/img.tar" .
	bb "$W/img.tar" ls -l /img/out >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	assert_output --partial "/img/out -> /etc"
	for f in /img/out/passwd /img/up; do
		bb "$W/img.tar" cat "$f" >"$W/m"
		run -1 as_nobody zvm-run "$W/m"
		assert_output --partial "No such file or directory"
	done
}

# hdr NAME TYPE [LINK [SIZE]]: a ustar header with its checksum.
hdr() {
	local f="$BATS_TEST_TMPDIR/hdr" sum
	head -c 512 /dev/zero >"$f"
	put() { printf "$2" | dd of="$f" bs=1 seek="$1" conv=notrunc status=none; }
	put 0 "$1"
	put 100 '0000644'
	put 136 '00000000000'
	put 124 "$(printf '%011o' "${4:-0}")"
	put 156 "$2"
	put 157 "${3:-}"
	put 257 'ustar\00000'
	put 148 '        '
	sum=$(od -An -v -tu1 "$f" | tr -s ' ' '\n' | awk '{ s += $1 } END { print s }')
	put 148 "$(printf '%06o' "$sum")\\0"
	cat "$f"
}

# end: the two zero blocks.
end() {
	head -c 1024 /dev/zero
}

@test "tar: hostile archives are refused with 125 and create nothing outside" {
	local long
	mkdir -p "$W/run/a/b" "$W/t"
	cd "$W/t"
	{ hdr "$W/run/abs" 0; end; } >abs.tar
	{ hdr ../x 0; end; } >up.tar
	{ hdr a/../../x 0; end; } >upup.tar
	{ hdr a 2 /; end; } >sl.tar
	{ hdr evil 1 /etc/passwd; end; } >hl-abs.tar
	{ hdr evil 1 ../x; end; } >hl-up.tar
	tar -cf dev.tar -C /dev null
	tar -C / -cf sum.tar etc/hostname
	printf X | dd of=sum.tar bs=1 seek=3 conv=notrunc status=none
	# A whole entry, then the end blocks cut off.
	head -c 1000 /dev/zero >f1000
	tar -cf trunc.tar f1000
	head -c 1536 trunc.tar >t && mv t trunc.tar
	{ hdr big 0 '' 100000; end; } >past.tar
	long=$(head -c 5000 /dev/zero | tr '\0' a)
	{ hdr PaxHeader x '' 5011; printf '5011 path=%s\n' "$long" |
	    dd bs=512 conv=sync status=none; hdr short 0; end; } >pax.tar
	# symlink a -> / then a file a/evil: only unpacking finds it.
	ln -s / a
	tar -cf slfile.tar a
	rm a
	mkdir a
	echo evil >a/evil
	tar -rf slfile.tar a/evil
	rm -r a
	images >"$W/before.shm"
	find "$W" /etc -newer "$W/t" 2>/dev/null | sort >"$BATS_TEST_TMPDIR/before"
	for t in abs up upup hl-abs hl-up dev sum trunc past pax slfile; do
		cd "$W/run/a/b"
		bb "$W/t/$t.tar" cat /img/evil >"$BATS_TEST_TMPDIR/m"
		if [ "$t" != slfile ]; then
			run -125 zvm-run -n "$BATS_TEST_TMPDIR/m"
			[[ "$output" == *"Channel /img/: $W/t/$t.tar: entry "* ]]
		fi
		run -125 zvm-run "$BATS_TEST_TMPDIR/m"
		echo "$t: $output"
		[[ "$output" == *"Channel /img/: $W/t/$t.tar: entry "* ]]
		case $t in
		abs) assert_output --partial "an absolute name" ;;
		up | upup) assert_output --partial "a '..' component" ;;
		hl-*) assert_output --partial "outside the archive" ;;
		dev) assert_output --partial "a character device" ;;
		sum) assert_output --partial "bad header checksum" ;;
		trunc) assert_output --partial "truncated archive" ;;
		past) assert_output --partial "runs past the end" ;;
		pax) assert_output --partial "longer than PATH_MAX" ;;
		slfile) assert_output --partial "entry 1 (a): a symbolic link" ;;
		esac
	done
	find "$W" /etc -newer "$W/t" 2>/dev/null | sort >"$BATS_TEST_TMPDIR/after"
	diff -u "$BATS_TEST_TMPDIR/before" "$BATS_TEST_TMPDIR/after"
	[ ! -e "$W/run/x" ] && [ ! -e "$W/run/a/x" ] && [ ! -e "$W/run/abs" ]
	images | diff -u "$W/before.shm" -
}

@test "tar: the private directory is gone after exit, a signal, a timeout, a refusal" {
	tree
	images >"$W/before"
	bb "$W/img.tar" cat /img/file >"$W/m"
	run -0 as_nobody zvm-run "$W/m"
	images | diff -u "$W/before" -
	bb "$W/img.tar" sh -c '"kill -9 $$"' >"$W/m"
	run -137 as_nobody zvm-run "$W/m"
	images | diff -u "$W/before" -
	bb "$W/img.tar" sleep 5 | sed 's/^Timeout.*/Timeout = 1/' >"$W/m"
	run -124 as_nobody zvm-run "$W/m"
	images | diff -u "$W/before" -
	# While it runs, it is there; SIGTERM to zvm-run goes to the program.
	bb "$W/img.tar" sleep 5 >"$W/m"
	zvm-run "$W/m" & pid=$!
	for _ in $(seq 50); do
		[ "$(images | diff "$W/before" - | grep -c '^>')" -eq 1 ] && break
		sleep 0.1
	done
	[ "$(images | diff "$W/before" - | grep -c '^>')" -eq 1 ]
	kill -TERM "$pid"
	wait "$pid" || true
	images | diff -u "$W/before" -
	# SIGTERM while a large tar unpacks waits for the program.
	tar -C /usr/lib -cf "$W/py.tar" python3.11
	bb "$W/py.tar" true >"$W/m"
	for d in 0.01 0.03 0.05 0.08 0.12; do
		zvm-run "$W/m" 2>/dev/null & pid=$!
		sleep "$d"
		kill -TERM "$pid" 2>/dev/null || true
		wait "$pid" || true
		images | diff -u "$W/before" -
	done
	# A second tar that fails to unpack: the first one goes too.
	{ ln -s / "$W/a"; tar -C "$W" -cf "$W/bad.tar" a; rm "$W/a"; mkdir "$W/a"
	  echo x >"$W/a/f"; tar -C "$W" -rf "$W/bad.tar" a/f; }
	bb "$W/img.tar" cat /img/file |
	    sed "\$a Channel = $W/bad.tar,/bad/,1,0,1,1,0,0" >"$W/m"
	run -125 zvm-run "$W/m"
	images | diff -u "$W/before" -
}

@test "tar: python3 runs the blog's example with its library as a tar" {
	cd "$W"
	tar -C /usr/lib -cf py.tar python3.11
	blog
	PYLIB=py.tar:/usr/lib pym python3 -I -S @example.py @file.txt >m
	grep -qx "Channel = $W/py.tar,/usr/lib/,1,0,4294967296,4294967296,0,0" m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$output" = "$BLOG_OUT" ]
	[ "$(chan rep /usr/lib/ 6)" -gt 0 ]
}
