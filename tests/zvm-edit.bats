#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-edit: golden files (tests/data/edit/NAME.in + NAME.edit -> NAME.out),
# the DESIGN example, every error with its message and exit status,
# idempotence, byte-exact preservation, and -i's crash consistency: mode,
# owner, links, refused targets, and no temporary file left on any path.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
	minimal_manifest >m
}

teardown() {
	if [ -n "${RO:-}" ]; then
		chmod -R u+w "$RO"
		rm -rf "$RO"
	fi
}

# No temporary file of -i is left in directory $1 (default .).
no_temp() {
	local left
	left=$(find "${1:-.}" -maxdepth 1 -name '.zvm-edit.*')
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

BLOG=(-e '/dev/3.file.txt:gets=3,get_size=3,puts=3,put_size=3'
    -e '/dev/stdout:uri=/dev/stdout' -e '/dev/stderr:uri=/dev/stderr')

@test "a bad option: usage on stderr, exit 64" {
	run -64 --separate-stderr zvm-edit -x m
	[ -z "$output" ]
	[[ $stderr == *"usage: zvm-edit [-hinV] [-e EXPR]... [-f SCRIPT] [FILE | -]"* ]]
	run -64 --separate-stderr zvm-edit --bogus m
	[[ $stderr == *"usage: zvm-edit "* ]]
	run -64 --separate-stderr zvm-edit -e
	[[ $stderr == *"usage: zvm-edit "* ]]
}

@test "--help and -h: usage and options on stdout, exit 0" {
	run -0 --separate-stderr zvm-edit --help
	[ "${lines[0]}" = "usage: zvm-edit [-hinV] [-e EXPR]... [-f SCRIPT] [FILE | -]" ]
	[[ $output == *"--in-place"* ]]
	[ -z "$stderr" ]
	run -0 zvm-edit -h m
	[ "${lines[0]}" = "usage: zvm-edit [-hinV] [-e EXPR]... [-f SCRIPT] [FILE | -]" ]
}

@test "--version and -V" {
	run -0 zvm-edit --version
	[[ $output =~ ^zvm-edit\ \(zvm\)\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	run -0 zvm-edit -V
	[[ $output == "zvm-edit (zvm) "* ]]
}

@test "the man page SYNOPSIS is the usage line" {
	local syn
	syn=$(mandoc -Tascii "$BATS_TEST_DIRNAME/../man/zvm-edit.1" | col -b |
	    awk '/^SYNOPSIS/ { getline; sub(/^ +/, ""); print; exit }')
	run -64 --separate-stderr zvm-edit -x
	[ "$stderr" = "zvm-edit: invalid option -- 'x'"$'\n'"usage: $syn" ]
}

@test "golden files: NAME.in edited by NAME.edit is NAME.out" {
	local f n=0
	for f in "$DATA"/edit/*.edit; do
		n=$((n + 1))
		zvm-edit -f "$f" "${f%.edit}.in" >out 2>err
		diff -u "${f%.edit}.out" out
		# Applying the script again changes nothing.
		zvm-edit -f "$f" out >again 2>/dev/null
		diff -u out again
		# -i writes the same bytes as stdout.
		cp "${f%.edit}.in" inplace
		zvm-edit -i -f "$f" inplace 2>/dev/null
		cmp inplace out
	done
	[ "$n" -ge 5 ]
	no_temp
}

@test "the DESIGN example, as written" {
	cp "$DATA/edit/blog.in" manifest.1
	chmod 640 manifest.1
	run -0 zvm-edit -i -e '/dev/3.file.txt:gets=3,get_size=3,puts=3,put_size=3' \
	            -e '/dev/stdout:uri=/dev/stdout' -e '/dev/stderr:uri=/dev/stderr' manifest.1
	[ -z "$output" ]
	diff -u "$DATA/edit/blog.out" manifest.1
	assert_file_permission 640 manifest.1
	no_temp
	# The diff is exactly the three lines.
	run -1 diff "$DATA/edit/blog.in" manifest.1
	[ "$(grep -c '^<' <<<"$output")" -eq 3 ]
	[ "$(grep -c '^>' <<<"$output")" -eq 3 ]
}

@test "stdin and a FILE operand give the same bytes" {
	zvm-edit "${BLOG[@]}" "$DATA/edit/blog.in" >a
	zvm-edit "${BLOG[@]}" <"$DATA/edit/blog.in" >b
	zvm-edit "${BLOG[@]}" - <"$DATA/edit/blog.in" >c
	cat "$DATA/edit/blog.in" | zvm-edit "${BLOG[@]}" >d
	cmp a b
	cmp a c
	cmp a d
	cmp a "$DATA/edit/blog.out"
}

@test "no expression: the input comes out byte for byte" {
	local f
	for f in "$DATA"/edit/*.in; do
		zvm-edit "$f" >out 2>/dev/null
		cmp "$f" out
	done
}

@test "untouched lines are byte-exact: comments, unknown keys, CRLF, spacing, no final newline" {
	printf '%s\r\n' '# comment  ' '  Version =20130611' 'Program= /bin/true ' \
	    'Timeout = 10' 'Memory = 33554432, 0' 'Colour = blue' '==Channel = x' \
	    '' 'Channel = /dev/stdin , /dev/stdin,0,0,1,1,0,0' \
	    'Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1' >in
	printf '%s' 'Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1' >>in
	run -0 --separate-stderr zvm-edit -e '/dev/stdout:puts=2' in
	[ "$stderr" = "zvm-edit: in:6: warning: unknown key 'Colour' kept as is" ]
	sed 's|/dev/stdout,0,0,0,0,1,1|/dev/stdout,0,0,0,0,2,1|' in >want
	zvm-edit -e '/dev/stdout:puts=2' in >got 2>/dev/null
	cmp want got
}

@test "select channels by glob" {
	minimal_manifest >m
	run -0 zvm-edit -e '/dev/std*:etag=1' m
	[ "$(grep -c ',0,1,' <<<"$output")" -eq 3 ]
	run -0 zvm-edit -e '*out:puts=5' m
	assert_line 'Channel = /dev/stdout,/dev/stdout,0,0,0,0,5,1'
	run -0 zvm-edit -e '/dev/std[eo]??*:type=0,puts=7' m
	assert_line 'Channel = /dev/stdout,/dev/stdout,0,0,0,0,7,1'
	assert_line 'Channel = /dev/stderr,/dev/stderr,0,0,0,0,7,1'
	assert_line 'Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0'
}

@test "add, replace and delete channels" {
	run -0 zvm-edit -e 'Channel=/data/in,/dev/1.in,1,0,1K,1M,0,0' m
	assert_line --index 7 'Channel = /data/in,/dev/1.in,1,0,1024,1048576,0,0'
	zvm-edit -e 'Channel=/data/in,/dev/1.in,1,0,1K,1M,0,0' m >m2
	run -0 zvm-edit -e 'Channel=/data/other,/dev/1.in,3,1,1,2,3,4' m2
	assert_line 'Channel = /data/other,/dev/1.in,3,1,1,2,3,4'
	refute_line --partial '/data/in,'
	run -0 zvm-edit -e '/dev/1.in:delete' m2
	cmp <(printf '%s\n' "$output") m
	# Deleting what is absent is not an error.
	run -0 zvm-edit -e '/dev/nothing:delete' -e '/x/*:delete' m
	cmp <(printf '%s\n' "$output") m
}

@test "set and delete top-level keys" {
	run -0 zvm-edit -e Timeout=100 -e Memory=1G -e Node=4 -e 'Args=true -x' m
	assert_line --index 2 'Timeout = 100'
	assert_line --index 3 'Memory = 1073741824,0'
	assert_line --index 4 'Node = 4'
	assert_line --index 5 'Args = true -x'
	run -0 zvm-edit -e 'Memory=2M,1' m
	assert_line 'Memory = 2097152,1'
	zvm-edit -e 'Memory=2M,1' m >m1
	run -0 zvm-edit -e 'Memory=4K' m1
	assert_line 'Memory = 4096,1'
	run -0 zvm-edit -e Node=1 -e Node:delete -e Job:delete m
	cmp <(printf '%s\n' "$output") m
	# Duplicates are dropped: the edit decides the one value.
	printf 'Timeout = 7\n' >>m
	run -0 zvm-edit -e Timeout=9 m
	[ "$(grep -c '^Timeout' <<<"$output")" -eq 1 ]
	assert_line 'Timeout = 9'
}

@test "Env: set, replace, delete one, delete all" {
	run -0 zvm-edit -e 'Env=LANG=C' -e 'Env=PATH=/bin:/usr/bin' -e 'Env=X=a=b' m
	assert_line 'Env = LANG=C'
	assert_line 'Env = PATH=/bin:/usr/bin'
	assert_line 'Env = X=a=b'
	zvm-edit -e 'Env=LANG=C' -e 'Env=TZ=UTC' m >e
	run -0 zvm-edit -e 'Env=LANG=de_DE' e
	assert_line 'Env = LANG=de_DE'
	refute_line 'Env = LANG=C'
	run -0 zvm-edit -e 'Env:LANG:delete' e
	refute_line --partial 'LANG'
	assert_line 'Env = TZ=UTC'
	run -0 zvm-edit -e 'Env:delete' e
	cmp <(printf '%s\n' "$output") m
}

@test "every expression kind: applying it twice gives what once gives" {
	local x
	minimal_manifest >base
	printf 'Env = A=1\nChannel = /d/x,/dev/1.x,3,0,1,1,1,1\n' >>base
	local exprs=(
		'/dev/1.x:gets=3,get_size=3,puts=3,put_size=3'
		'/dev/1.x:uri=/d/y'
		'/dev/std*:etag=1'
		'*:type=1'
		'/dev/1.x:delete'
		'/dev/none:delete'
		'Channel=/d/z,/dev/2.z,0,0,1K,1K,0,0'
		'Channel=/d/w,/dev/1.x,1,1,2,2,2,2'
		'Timeout=99'
		'Node=2'
		'Memory=1G'
		'Memory=1G,1'
		'Version=20130611'
		'Args=prog a b'
		'Job:delete'
		'Env=B=2'
		'Env=A=3'
		'Env:A:delete'
		'Env:delete'
	)
	for x in "${exprs[@]}"; do
		zvm-edit -e "$x" base >once || { echo "failed once: $x"; return 1; }
		zvm-edit -e "$x" once >twice || { echo "failed twice: $x"; return 1; }
		cmp once twice || { echo "not idempotent: $x"; diff -u once twice; return 1; }
		# And -i, run twice, leaves that same file.
		cp base f
		zvm-edit -i -e "$x" f
		zvm-edit -i -e "$x" f
		cmp once f || { echo "-i not idempotent: $x"; return 1; }
	done
}

@test "a malformed expression: exit 64, every bad one named" {
	run -64 --separate-stderr zvm-edit -e 'foo' -e 'Timeout=5' -e '/dev/x:Gets=1' m
	[ -z "$output" ]
	[ "$stderr" = "zvm-edit: -e 'foo': expected SELECTOR:FIELD=VALUE, SELECTOR:delete, KEY=VALUE or KEY:delete
zvm-edit: -e '/dev/x:Gets=1': unknown field 'Gets' (expected uri, alias, type, etag, gets, get_size, puts or put_size)" ]
	run -64 --separate-stderr zvm-edit -e 'dev/x:gets=1' m
	[ "$stderr" = "zvm-edit: -e 'dev/x:gets=1': selector 'dev/x' is neither an alias (starting with '/') nor a glob" ]
	run -64 --separate-stderr zvm-edit --expression='timeout=1' m
	[ "$stderr" = "zvm-edit: -e 'timeout=1': unknown key 'timeout' (keys are case-sensitive: did you mean Timeout?)" ]
	run -64 --separate-stderr zvm-edit -e '/dev/stdin:gets=1X' m
	[ "$stderr" = "zvm-edit: -e '/dev/stdin:gets=1X': gets: '1X': not a number" ]
}

@test "-f SCRIPT: comments and blanks skipped, errors name SCRIPT:LINE" {
	printf '# quotas\n\n  /dev/stdin:gets=5  \nTimeout=20\r\n' >s.edit
	run -0 zvm-edit -f s.edit m
	assert_line 'Channel = /dev/stdin,/dev/stdin,0,0,5,1,0,0'
	assert_line 'Timeout = 20'
	# -e and -f apply in command-line order.
	run -0 zvm-edit -e Timeout=1 -f s.edit -e Timeout=3 m
	assert_line 'Timeout = 3'
	printf 'Timeout=1\n/dev/stdin:bogus\n' >bad.edit
	run -64 --separate-stderr zvm-edit -f bad.edit m
	[ "$stderr" = "zvm-edit: bad.edit:2: 'bogus': expected FIELD=VALUE or delete after ':'" ]
	printf '/dev/nope:gets=1\n' >nomatch.edit
	run -65 --separate-stderr zvm-edit --file=nomatch.edit m
	[ "$stderr" = "zvm-edit: nomatch.edit:1: no channel matches '/dev/nope'" ]
	run -66 --separate-stderr zvm-edit -f missing.edit m
	[ "$stderr" = "zvm-edit: missing.edit: cannot open: No such file or directory" ]
}

@test "an edit that matches no channel: exit 65, nothing written" {
	run -65 --separate-stderr zvm-edit -e '/dev/stdin:gets=2' -e '/dev/3.nope:gets=1' m
	[ -z "$output" ]
	[ "$stderr" = "zvm-edit: -e '/dev/3.nope:gets=1': no channel matches '/dev/3.nope'" ]
	run -65 --separate-stderr zvm-edit -e '/tmp/*:gets=1' m
	[ "$stderr" = "zvm-edit: -e '/tmp/*:gets=1': no channel matches '/tmp/*'" ]
	cp m keep
	run -65 zvm-edit -i -e '/dev/3.nope:gets=1' m
	cmp m keep
	no_temp
}

@test "malformed input: every bad line reported, exit 65, nothing written" {
	printf 'Version = 20130611\nbogus line\nTimeout = -1\nChannel = /a,/b,0\n' >bad
	run -65 --separate-stderr zvm-edit -e Timeout=5 bad
	[ -z "$output" ]
	[ "$stderr" = "zvm-edit: bad:2: expected Key = value, got 'bogus line' (comment lines start with '#')
zvm-edit: bad:3: Timeout: '-1': sign not allowed
zvm-edit: bad:4: Channel: expected 8 fields (uri,alias,type,etag,gets,get_size,puts,put_size), got 3
zvm-edit: bad: missing required key Program
zvm-edit: bad: missing required key Memory" ]
	run -65 --separate-stderr zvm-edit - <bad
	[[ ${stderr%%$'\n'*} == "zvm-edit: <stdin>:2: expected Key = value"* ]]
}

@test "an invalid result: every problem reported, exit 65, nothing written" {
	run -65 --separate-stderr zvm-edit -e '/dev/stdout:type=9' -e 'Timeout=0' -e 'Program:delete' m
	[ -z "$output" ]
	[ "$stderr" = "zvm-edit: m: missing required key Program
zvm-edit: m:3: Timeout: must be at least 1 second, got 0
zvm-edit: m:6: Channel /dev/stdout: type 9 is invalid (expected 0..3)" ]
	run -65 --separate-stderr zvm-edit -e '/dev/stdin:alias=/dev/stdout' m
	[[ $stderr == *"duplicate alias /dev/stdout"* ]]
}

@test "cannot open FILE: exit 66" {
	run -66 --separate-stderr zvm-edit nope
	[ "$stderr" = "zvm-edit: nope: cannot open: No such file or directory" ]
	mkdir d
	run -66 --separate-stderr zvm-edit d
	[ "$stderr" = "zvm-edit: d: cannot read: Is a directory" ]
	run -66 --separate-stderr zvm-edit -i nope
	[ "$stderr" = "zvm-edit: nope: cannot open: No such file or directory" ]
}

@test "usage errors: -i without FILE, -i with -n, two FILEs" {
	run -64 --separate-stderr zvm-edit -i -e Timeout=1 <m
	[[ $stderr == "zvm-edit: -i needs a FILE operand"$'\n'"usage: zvm-edit "* ]]
	run -64 --separate-stderr zvm-edit -i - <m
	[[ $stderr == "zvm-edit: -i needs a FILE operand"* ]]
	run -64 --separate-stderr zvm-edit -in m
	[[ $stderr == "zvm-edit: -i and -n exclude each other"* ]]
	run -64 --separate-stderr zvm-edit m m
	[[ $stderr == "zvm-edit: at most one FILE"* ]]
}

@test "a failed write of stdout: exit 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -74 --separate-stderr sh -c 'zvm-edit -e Timeout=3 m >/dev/full'
	[ "$stderr" = "zvm-edit: <stdout>: No space left on device" ]
}

@test "-n: exit 0 valid, 1 invalid, nothing on stdout" {
	cp m keep
	run -0 --separate-stderr zvm-edit -n -e Timeout=3 m
	[ -z "$output" ] && [ -z "$stderr" ]
	run -1 --separate-stderr zvm-edit --check -e Timeout=0 m
	[ -z "$output" ]
	[ "$stderr" = "zvm-edit: m:3: Timeout: must be at least 1 second, got 0" ]
	printf 'nonsense\n' >bad
	run -1 --separate-stderr zvm-edit -n bad
	[[ $stderr == "zvm-edit: bad:1: expected Key = value"* ]]
	run -0 zvm-edit -n <m
	cmp m keep
}

@test "a pipeline: manifest on stdin, edited manifest on stdout" {
	set -o pipefail
	minimal_manifest | zvm-edit -e /dev/stdin:gets=2 |
	    zvm-edit -e Timeout=9 - | zvm-edit -e Node=1 >out
	grep -qx 'Channel = /dev/stdin,/dev/stdin,0,0,2,1,0,0' out
	grep -qx 'Timeout = 9' out
	grep -qx 'Node = 1' out
	minimal_manifest | zvm-edit -e Timeout=0 | cat >out2 && return 1
	[ ! -s out2 ]
	if command -v zvm-manifest >/dev/null; then
		run -0 bash -c 'zvm-manifest -- /bin/true | zvm-edit -e "/dev/stdout:puts=1M" | grep "^Channel = .*/dev/stdout,"'
		[[ $output == *",1048576,"* ]]
	fi
}

@test "-i keeps mode 640 and the owner, and leaves no temporary file" {
	chmod 640 m
	[ "$(id -u)" -eq 0 ] && chown 65534:65534 m
	ino=$(stat -c %i m)
	run -0 zvm-edit -i -e Timeout=77 m
	[ -z "$output" ]
	grep -qx 'Timeout = 77' m
	assert_file_permission 640 m
	if [ "$(id -u)" -eq 0 ]; then
		[ "$(stat -c %u:%g m)" = 65534:65534 ]
	fi
	[ "$(stat -c %i m)" != "$ino" ]
	no_temp
}

@test "-i with nothing to change leaves the file alone" {
	touch -d '2001-01-01' m
	ino=$(stat -c %i m)
	run -0 zvm-edit -i -e '/dev/stdin:gets=1' -e 'Timeout=10' m
	[ "$(stat -c %i m)" = "$ino" ]
	[ "$(stat -c %Y m)" = "$(date -d 2001-01-01 +%s)" ]
}

@test "-i in a directory it cannot write: exit 74, file unchanged, no temp" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to run as nobody"
	RO=$(mktemp -d /tmp/zvm-edit-ro.XXXXXX)
	chmod 755 "$RO"
	minimal_manifest >"$RO/m"
	chown 65534 "$RO/m"
	cp "$RO/m" keep
	run -74 --separate-stderr as_nobody zvm-edit -i -e Timeout=5 "$RO/m"
	[ "$stderr" = "zvm-edit: $RO/m: cannot create a temporary file in $RO: Permission denied" ]
	cmp keep "$RO/m"
	no_temp "$RO"
}

@test "-i past the file-size limit (EFBIG): exit 74, file unchanged, no temp" {
	{
		minimal_manifest
		for i in $(seq 1 200); do
			echo "Channel = /d/f$i,/dev/$i.f,3,0,1,1,1,1"
		done
	} >big
	cp big keep
	# A limit below the file's size: the temporary copy cannot be written.
	run -74 --separate-stderr bash -c 'ulimit -f 4 && exec zvm-edit -i -e Timeout=5 big'
	[ "$stderr" = "zvm-edit: big: cannot write the temporary file: File too large" ]
	cmp keep big
	no_temp
}

@test "-i refuses a FIFO and a device without touching them" {
	mkfifo fifo
	run -66 --separate-stderr timeout 5 zvm-edit -i -e Timeout=5 fifo
	[ "$stderr" = "zvm-edit: fifo: not a regular file" ]
	assert_fifo_exists fifo
	if mknod null c 1 3 2>/dev/null; then
		run -66 --separate-stderr zvm-edit -i -e Timeout=5 null
		[ "$stderr" = "zvm-edit: null: not a regular file" ]
		assert_character_exists null
	fi
	run -66 --separate-stderr zvm-edit -i -e Timeout=5 /dev/null
	[ "$stderr" = "zvm-edit: /dev/null: not a regular file" ]
	[ -c /dev/null ]
	no_temp
	no_temp /dev
}

@test "-i with an invalid result: exit 65, file unchanged, no temp" {
	cp m keep
	run -65 --separate-stderr zvm-edit -i -e Timeout=0 m
	[ "$stderr" = "zvm-edit: m:3: Timeout: must be at least 1 second, got 0" ]
	cmp keep m
	no_temp
}

@test "-i on a symbolic link edits the file it points to; the link stays" {
	mkdir real
	cp m real/target
	ln -s real/target link
	run -0 zvm-edit -i -e Timeout=42 link
	assert_symlink_to "$PWD/real/target" link
	grep -qx 'Timeout = 42' real/target
	no_temp
	no_temp real
	# A dangling link is a file that cannot be opened.
	ln -s nowhere dangling
	run -66 --separate-stderr zvm-edit -i -e Timeout=1 dangling
	[ "$stderr" = "zvm-edit: dangling: cannot open: No such file or directory" ]
}

@test "-i on a hard-linked file: that name gets the edit, the other keeps the old bytes" {
	cp m keep
	ln m other
	run -0 zvm-edit -i -e Timeout=42 m
	grep -qx 'Timeout = 42' m
	cmp keep other
	[ "$(stat -c %h other)" -eq 1 ]
}

@test "-i killed by SIGTERM while its temporary file exists: file old or new, no temp" {
	awk 'BEGIN {
		print "Version = 20130611"; print "Program = /bin/true"
		print "Timeout = 1"; print "Memory = 1,0"
		print "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0"
		print "Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1"
		print "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1"
		for (i = 1; i <= 300000; i++)
			print "Channel = /d/f" i ",/dev/" i ".f,3,0,1,1,1,1"
	}' >big
	cp big old
	zvm-edit -e Timeout=2 big >new
	local try pid rc caught=0
	for try in 1 2 3 4 5; do
		zvm-edit -i -e Timeout=2 big &
		pid=$!
		# Poll (bash builtins only) until the temporary file shows up.
		while kill -0 "$pid" 2>/dev/null; do
			if compgen -G '.zvm-edit.*' >/dev/null; then
				kill -TERM "$pid"
				caught=$((caught + 1))
				break
			fi
		done
		rc=0
		wait "$pid" || rc=$?
		no_temp
		cmp -s big old || cmp -s big new || { echo "torn file"; return 1; }
		[ "$rc" -eq 0 ] || [ "$rc" -eq 143 ] || { echo "exit $rc"; return 1; }
		cp old big
	done
	[ "$caught" -gt 0 ] || skip "never saw the temporary file to signal"
}

@test "a 100,000-channel manifest: edited, checked and written" {
	awk 'BEGIN {
		print "Version = 20130611"; print "Program = /bin/true"
		print "Timeout = 1"; print "Memory = 1,0"
		print "Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0"
		print "Channel = /dev/stdout,/tmp/x/stdout.1,0,0,0,0,1,1"
		print "Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1"
		for (i = 1; i <= 99997; i++)
			print "Channel = /d/f" i ",/dev/" i ".f,3,0,4294967296,4294967296,4294967296,4294967296"
	}' | sed 's|^Channel = /dev/stdout,/tmp/x/stdout.1,|Channel = /tmp/x/stdout.1,/dev/stdout,|' >big
	zvm-edit -e '/dev/3.f:gets=3,get_size=3,puts=3,put_size=3' \
	    -e '/dev/stdout:uri=/dev/stdout' -e '/dev/99997.f:delete' big >out
	[ "$(wc -l <out)" -eq 100003 ]
	grep -qx 'Channel = /d/f3,/dev/3.f,3,0,3,3,3,3' out
	grep -qx 'Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1' out
	! grep -q '/dev/99997.f' out
	[ "$(diff big out | grep -c '^[<>]')" -eq 5 ]
}

@test "an alias that is not in tidy form: zvm-edit refuses to write it" {
	run -65 --separate-stderr zvm-edit -e '/dev/stdin:alias=/dev/./in' m
	assert_output ''
	[ "${stderr%%$'\n'*}" = "zvm-edit: m:5: Channel: alias '/dev/./in' has a '.' component (write /dev/in)" ]
	run -65 --separate-stderr zvm-edit -e 'Channel=/etc/passwd,/dev/../etc/passwd,0,0,1,1,0,0' m
	[[ $stderr == *"alias '/dev/../etc/passwd' has a '..' component" ]]
	run -0 zvm-edit -e 'Channel=/etc/passwd,/dev/in,0,0,1,1,0,0' m
}

@test "Threads= and Files= set the limits' keys, checked like any key" {
	run -0 zvm-edit -e Threads=64 -e Files=0 m
	assert_line 'Threads = 64'
	assert_line 'Files = 0'
	run -65 --separate-stderr zvm-edit -e Threads=0 m
	[[ $stderr == *"Threads: must be 1 to 4194304, got 0" ]]
	run -64 --separate-stderr zvm-edit -e Files=many m
	[ "$stderr" = "zvm-edit: -e 'Files=many': Files: 'many': not a number" ]
}
