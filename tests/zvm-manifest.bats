# SPDX-License-Identifier: ISC
# zvm-manifest: usage, golden manifests (the scratch directory is written
# as $TMP so the files do not depend on where the test runs), PATH lookup,
# @ arguments, errors and exit codes, --save-dir, round trip through the
# library's parser, the loader and library channels of dynamic programs
# (ldd(1) is the oracle), --file, --image and --no-libs, #! scripts run
# by their interpreters, and the man page and completions against --help.
load helper

setup() {
	OPEN=
	cd "$BATS_TEST_TMPDIR" || return 1
	T=$(pwd -P)
	mkdir -p bin sub
	# A static program: no library channels, the same manifest anywhere.
	cp "$ZVM_BUILD/tests/progs/exitwith" bin/prog || return 1
	PATH="$T/bin:$PATH"
	echo hello >in.txt
	echo other >sub/in.txt
}

teardown() {
	if [ -n "$OPEN" ]; then
		rm -rf "$OPEN"
	fi
}

# golden NAME ARG...: zvm-manifest ARG... succeeds, says nothing on stderr,
# and its stdout, with $T written as $TMP, is tests/data/manifest/NAME.
# ZVM_UPDATE_GOLDEN=1 rewrites the file instead (review the diff!).
golden() {
	local name=$1
	shift
	zvm-manifest "$@" >out 2>err || fail "exit $? ($(cat err))"
	[ ! -s err ] || fail "stderr: $(cat err)"
	if [ "${ZVM_UPDATE_GOLDEN-}" = 1 ]; then
		sed "s|$T|\$TMP|g" out >"$DATA/manifest/$name.manifest"
	fi
	sed "s|$T|\$TMP|g" out | diff -u "$DATA/manifest/$name.manifest" - ||
		fail "differs from $name.manifest"
}

@test "no arguments: usage on stderr, exit 64" {
	run -64 --separate-stderr zvm-manifest
	assert_output ''
	[[ $stderr == "usage: zvm-manifest [-Eh] "* ]]
}

@test "unknown option: usage on stderr, exit 64" {
	run -64 --separate-stderr zvm-manifest -x prog
	assert_output ''
	[[ $stderr == *"usage: zvm-manifest"* ]]
}

@test "-h and --help: usage on stdout, exit 0" {
	run -0 --separate-stderr zvm-manifest -h
	assert_line --index 0 --partial 'usage: zvm-manifest [-Eh]'
	[ -z "$stderr" ]
	run -0 zvm-manifest --help
	assert_line --partial '--save-dir=DIR'
}

@test "--version names the package" {
	run -0 zvm-manifest --version
	assert_output --regexp '^zvm-manifest \(zvm\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "golden: plain program" {
	golden plain prog
}

@test "golden: arguments are quoted for Args" {
	golden args prog -n 'a b' '' 'x,y' '#c' 'q"\'
}

@test "golden: @inputs numbered in order, the same file reuses its channel" {
	golden inputs prog @in.txt -o @sub/in.txt @./in.txt @r:in.txt \
		@sub/../in.txt
}

@test "golden: @w: and @rw: files are not created" {
	golden outputs prog @w:out.txt @rw:db @w:sub/new.txt
	assert_not_exist out.txt
	assert_not_exist db
	assert_not_exist sub/new.txt
}

@test "golden: @NAME=value and -e become Env; a later one wins" {
	golden env -e TZ=UTC -e lower=ok prog @LANG=C -v @TZ=GMT @_X1=a=b
}

@test "golden: -c channels with size suffixes" {
	golden channel -c "$T/in.txt,/dev/extra,1,0,1K,2M,0,0" \
		-c '/dev/null, /dev/null, 0, 0, 0, 0, 1G, 1T' prog @in.txt
}

@test "golden: -E sets etag 1 on every channel" {
	golden etag -E -c /dev/null,/dev/null,0,0,0,0,1,1 prog @in.txt
}

@test "golden: -m, -q and -t with suffixes" {
	golden limits -m 16M -q 1KiB -t 7 prog @in.txt @w:out
}

@test "golden: long options" {
	golden limits --memory=16M --quota 1kb --timeout=0x7 prog @in.txt @w:out
}

@test "golden: --stdin, --stdout and --stderr" {
	golden std --stdin in.txt --stdout /dev/null --stderr "$T/sub/err.log" prog
}

@test "options after PROGRAM are the program's" {
	golden after prog -t 5 --help -- @in.txt
}

@test "PATH: the first executable regular file wins" {
	mkdir bin2 bin3 bin3/prog
	printf '#!/bin/sh\n' >bin2/prog
	chmod 644 bin2/prog
	PATH="$T/bin2:$T/bin3:$PATH" run -0 zvm-manifest prog
	assert_line "Program = $T/bin/prog"
}

@test "PATH: a stock program" {
	run -0 zvm-manifest sh -c 'echo hi'
	assert_line --regexp '^Program = /(usr/)?bin/sh$'
	assert_line 'Args = sh -c echo\x20hi'
}

@test "PATH: only a non-executable file: permission denied, exit 66" {
	printf '#!/bin/sh\n' >bin/noexec
	chmod 644 bin/noexec
	run -66 --separate-stderr zvm-manifest noexec
	assert_output ''
	[ "$stderr" = 'zvm-manifest: noexec: permission denied' ]
}

@test "PATH: not found, exit 66" {
	run -66 --separate-stderr zvm-manifest no-such-program-zvm
	assert_output ''
	[ "$stderr" = 'zvm-manifest: no-such-program-zvm: not found' ]
	run -66 --separate-stderr zvm-manifest ./bin/nope
	[ "$stderr" = 'zvm-manifest: ./bin/nope: not found' ]
}

@test "a path with / is not searched, made absolute, symlinks kept" {
	ln -s bin/prog link
	run -0 zvm-manifest ./link
	assert_line "Program = $T/link"
	assert_line 'Args = link'
	run -0 zvm-manifest sub/../bin/prog
	assert_line "Program = $T/bin/prog"
	run -66 --separate-stderr zvm-manifest ./sub
	[ "$stderr" = 'zvm-manifest: ./sub: permission denied' ]
}

@test "missing @input: exit 66, nothing on stdout" {
	run -66 --separate-stderr zvm-manifest prog @in.txt @missing.txt
	assert_output ''
	[ "$stderr" = 'zvm-manifest: @missing.txt: No such file or directory' ]
}

@test "@ file errors and their exit codes" {
	run -66 --separate-stderr zvm-manifest prog @sub
	[ "$stderr" = 'zvm-manifest: @sub: directories are not supported yet' ]
	run -66 --separate-stderr zvm-manifest prog @w:nodir/out
	[ "$stderr" = 'zvm-manifest: @w:nodir/out: No such file or directory' ]
	mkfifo fifo
	run -66 --separate-stderr zvm-manifest prog @rw:fifo
	[ "$stderr" = 'zvm-manifest: @rw:fifo: a read-write channel needs a regular file' ]
	run -64 --separate-stderr zvm-manifest prog @
	[ "$stderr" = 'zvm-manifest: @: expected @FILE, @r:FILE, @w:FILE, @rw:FILE or @NAME=value' ]
	run -64 --separate-stderr zvm-manifest prog @w:
	[[ $stderr == 'zvm-manifest: @w:: expected '* ]]
	run -64 --separate-stderr zvm-manifest prog @in.txt @w:in.txt
	[ "$stderr" = 'zvm-manifest: @w:in.txt: already given as @in.txt with another access' ]
	touch 'a,b'
	run -64 --separate-stderr zvm-manifest prog '@a,b'
	[[ $stderr == 'zvm-manifest: @a,b: a channel name cannot hold'* ]]
	run -64 --separate-stderr zvm-manifest prog '@A=trailing '
	[[ $stderr == 'zvm-manifest: @A=trailing : a value cannot end with a blank'* ]]
	assert_output ''
}

@test "FIFOs and devices are sequential (type 0)" {
	mkfifo fifo fifo2
	run -0 zvm-manifest prog @fifo @/dev/null @w:/dev/zero @w:fifo2
	assert_line "Channel = $T/fifo,/dev/1.fifo,0,0,4294967296,4294967296,0,0"
	assert_line 'Channel = /dev/null,/dev/2.null,0,0,4294967296,4294967296,0,0'
	assert_line 'Channel = /dev/zero,/dev/3.zero,0,0,0,0,4294967296,4294967296'
	assert_line "Channel = $T/fifo2,/dev/4.fifo2,0,0,0,0,4294967296,4294967296"
}

@test "a file named like a prefix is reached with ./" {
	echo x >w:x
	run -0 zvm-manifest prog @./w:x
	assert_line "Channel = $T/w:x,/dev/1.w:x,1,0,4294967296,4294967296,0,0"
}

@test "unreadable @input: permission denied, exit 66" {
	[ -x "$ZVM_BUILD/zvm-manifest" ] || skip "no $ZVM_BUILD/zvm-manifest"
	# A directory the unprivileged user can reach (bats' own is 0700).
	OPEN=$(mktemp -d /tmp/zvm-manifest.XXXXXX)
	chmod 755 "$OPEN"
	echo ok >"$OPEN/ok.txt"
	echo secret >"$OPEN/in.txt"
	chmod 644 "$OPEN/ok.txt"
	chmod 600 "$OPEN/in.txt"
	if [ "$(id -u)" -ne 0 ]; then
		chmod 000 "$OPEN/in.txt"
	fi
	cd "$OPEN"
	run -0 as_nobody "$ZVM_BUILD/zvm-manifest" /bin/sh @ok.txt
	run -66 --separate-stderr as_nobody "$ZVM_BUILD/zvm-manifest" /bin/sh @in.txt
	[ "$stderr" = 'zvm-manifest: @in.txt: Permission denied' ]
}

@test "bad option values: exit 64" {
	run -64 --separate-stderr zvm-manifest -m 0 prog
	[ "$stderr" = 'zvm-manifest: -m 0: must be at least 1' ]
	run -64 --separate-stderr zvm-manifest -q 1X prog
	[ "$stderr" = 'zvm-manifest: -q 1X: not a number' ]
	run -64 --separate-stderr zvm-manifest -q 1XB prog
	[ "$stderr" = 'zvm-manifest: -q 1XB: not a number' ]
	run -64 --separate-stderr zvm-manifest -t 0 prog
	[ "$stderr" = 'zvm-manifest: -t 0: must be at least 1 second' ]
	run -64 --separate-stderr zvm-manifest -t 1K prog
	[ "$stderr" = 'zvm-manifest: -t 1K: not a number' ]
	run -64 --separate-stderr zvm-manifest -e NOEQUALS prog
	[ "$stderr" = 'zvm-manifest: -e NOEQUALS: expected NAME=VALUE' ]
	run -64 --separate-stderr zvm-manifest -e '=x' prog
	[ "$stderr" = 'zvm-manifest: -e =x: expected NAME=VALUE' ]
	run -64 --separate-stderr zvm-manifest -e 'A B=x' prog
	[ "$stderr" = "zvm-manifest: -e A B=x: a NAME cannot hold '=', blanks or control characters" ]
	run -64 --separate-stderr zvm-manifest -c /a,/b,0,0,1,1,1 prog
	[[ $stderr == 'zvm-manifest: -c /a,/b,0,0,1,1,1: Channel: expected 8 fields'* ]]
	run -64 --separate-stderr zvm-manifest -c /a,/b,0,0,1,1Q,0,0 prog
	[ "$stderr" = "zvm-manifest: -c /a,/b,0,0,1,1Q,0,0: field 6 (get_size): '1Q': not a number" ]
	run -64 --separate-stderr zvm-manifest -c /a,/dev/stdout,0,0,1,1,0,0 prog
	[ "$stderr" = 'zvm-manifest: -c: alias /dev/stdout is already a channel' ]
	run -64 --separate-stderr zvm-manifest --stdin 'a,b' prog
	[[ $stderr == 'zvm-manifest: --stdin a,b: a channel uri cannot'* ]]
	assert_output ''
}

@test "a -c channel that breaks a manifest rule: exit 65" {
	run -65 --separate-stderr zvm-manifest -c /a,/b,7,0,1,1,0,0 \
		-c rel,/c,0,0,1,1,0,0 prog
	assert_output ''
	assert_equal "$stderr" "zvm-manifest: Channel /b: type 7 is invalid (expected 0..3)
zvm-manifest: Channel /c: uri 'rel' must be an absolute path or tcp:host:port"
}

@test "--save-dir creates DIR/manifest.1, prints nothing" {
	zvm-manifest prog @in.txt >expected
	run -0 zvm-manifest --save-dir work/a prog @in.txt
	assert_output ''
	assert_file_exist work/a/manifest.1
	cmp expected work/a/manifest.1
}

@test "--save-dir replaces an existing manifest.1 by rename" {
	mkdir work
	echo old >work/manifest.1
	ln work/manifest.1 old-link
	zvm-manifest -t 9 prog >expected
	run -0 zvm-manifest --save-dir work -t 9 prog
	cmp expected work/manifest.1
	# A rename leaves the old inode, still linked, untouched.
	[ "$(cat old-link)" = old ]
	[ "$(ls -A work)" = manifest.1 ]
}

@test "--save-dir on a file: exit 74" {
	run -74 --separate-stderr zvm-manifest --save-dir in.txt prog
	assert_output ''
	[ "$stderr" = 'zvm-manifest: in.txt: Not a directory' ]
}

@test "a failed write to stdout: exit 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	run -74 --separate-stderr sh -c 'zvm-manifest prog >/dev/full'
	[[ $stderr == 'zvm-manifest: <stdout>: '* ]]
}

@test "the output is deterministic" {
	zvm-manifest -E prog @in.txt @w:o @A=b >one
	zvm-manifest -E prog @in.txt @w:o @A=b >two
	cmp one two
}

@test "the output passes zvm-edit -n and feeds a pipeline" {
	command -v zvm-edit >/dev/null || skip "zvm-edit is not built yet"
	run -0 --separate-stderr sh -c 'zvm-manifest -E -c /dev/null,/dev/x,0,0,1,1,0,0 \
		prog -a "b c" @in.txt @w:out @rw:db @K=v | zvm-edit -n -'
	[ -z "$stderr" ]
	run -0 sh -c "zvm-manifest -- prog @in.txt |
		zvm-edit -e '/dev/1.in.txt:gets=3,get_size=3'"
	assert_line "Channel = $T/in.txt,/dev/1.in.txt,1,0,3,3,0,0"
}

# The files ldd says ld.so opens for "$@" (loader first, then the
# libraries in load order, paths tidied the way zvm-run matches them),
# one a line.  ldd is an oracle only: zvm-manifest never runs anything.
ldd_files() {
	ldd "$@" | awk '
		$2 == "=>" && $3 ~ /^\// { lib[n++] = $3 }
		$1 ~ /^\// && $2 ~ /^\(/ { interp = $1 }
		END { print interp; for (i = 0; i < n; i++) print lib[i] }' |
	    while read -r f; do
		realpath -m -s "$f"
	done
}

# The aliases of the read-only channels after the standard ones, minus
# /etc/ld.so.cache, one a line.
found_files() {
	awk -F' = ' '$1 == "Channel" { split($2, f, ","); print f[2] }' |
	    grep -v -e '^/dev/std' -e '^/etc/ld.so.cache$'
}

# Build prog and libf.so with cc: prog needs libf.so through RUNPATH
# $ORIGIN/lib; libf.so needs libg.so, found only on LD_LIBRARY_PATH.
build_dynamic() {
	command -v cc >/dev/null || skip "no C compiler"
	command -v ldd >/dev/null || skip "no ldd"
	mkdir -p dyn/lib dyn/l2
	echo 'int g(void) { return 0; }' >g.c
	echo 'int g(void); int f(void) { return g(); }' >f.c
	echo 'int f(void); int main(void) { return f(); }' >m.c
	cc -shared -fPIC -o dyn/l2/libg.so g.c
	cc -shared -fPIC -o dyn/lib/libf.so f.c -Ldyn/l2 -lg
	cc -o dyn/prog m.c -Ldyn/lib -lf -Wl,-rpath-link,dyn/l2 \
		'-Wl,--enable-new-dtags,-rpath,$ORIGIN/lib'
}

@test "dynamic: loader, ld.so.cache and libraries, as ldd lists them" {
	command -v ldd >/dev/null || skip "no ldd"
	local prog
	for prog in /bin/true /usr/bin/python3 /bin/sh; do
		[ -x "$prog" ] || continue
		run -0 --separate-stderr zvm-manifest "$prog"
		[ -z "$stderr" ]
		assert_line 'Channel = /etc/ld.so.cache,/etc/ld.so.cache,1,0,4294967296,4294967296,0,0'
		assert_line --regexp '^Channel = (/[^,]*),\1,1,0,4294967296,4294967296,0,0$'
		diff -u <(ldd_files "$prog") <(found_files <<<"$output") ||
			fail "$prog: channels differ from ldd"
	done
}

@test "dynamic: RUNPATH \$ORIGIN, LD_LIBRARY_PATH from Env only" {
	build_dynamic
	run -66 --separate-stderr zvm-manifest dyn/prog
	assert_output ''
	[ "$stderr" = "zvm-manifest: $T/dyn/prog: library not found: libg.so (needed by $T/dyn/lib/libf.so)" ]
	# The environment of zvm-manifest is not the program's.
	LD_LIBRARY_PATH=$T/dyn/l2 run -66 zvm-manifest dyn/prog
	run -0 zvm-manifest -e LD_LIBRARY_PATH="$T/dyn/l2" dyn/prog
	assert_line "Channel = $T/dyn/lib/libf.so,$T/dyn/lib/libf.so,1,0,4294967296,4294967296,0,0"
	diff -u <(LD_LIBRARY_PATH=$T/dyn/l2 ldd_files dyn/prog) \
		<(found_files <<<"$output")
	run -0 zvm-manifest dyn/prog @LD_LIBRARY_PATH="$T/dyn/l2"
	assert_line "Channel = $T/dyn/l2/libg.so,$T/dyn/l2/libg.so,1,0,4294967296,4294967296,0,0"
}

@test "dynamic: a glibc-hwcaps copy wins where ld.so would take it" {
	build_dynamic
	mkdir -p dyn/lib/glibc-hwcaps/x86-64-v2
	cp dyn/lib/libf.so dyn/lib/glibc-hwcaps/x86-64-v2/
	LD_LIBRARY_PATH=$T/dyn/l2 ldd_files dyn/prog | grep -q glibc-hwcaps ||
		skip "ld.so does not take x86-64-v2 libraries on this CPU"
	run -0 zvm-manifest -e LD_LIBRARY_PATH="$T/dyn/l2" dyn/prog
	assert_line --partial ",$T/dyn/lib/glibc-hwcaps/x86-64-v2/libf.so,"
	diff -u <(LD_LIBRARY_PATH=$T/dyn/l2 ldd_files dyn/prog) \
		<(found_files <<<"$output")
}

@test "dynamic: every missing library is named, exit 66" {
	build_dynamic
	rm dyn/lib/libf.so
	run -66 --separate-stderr zvm-manifest dyn/prog
	assert_output ''
	[ "$stderr" = "zvm-manifest: $T/dyn/prog: library not found: libf.so (needed by $T/dyn/prog)" ]
}

@test "dynamic: --no-libs, -E, and a channel given by hand wins" {
	[ -x /bin/true ] || skip "no /bin/true"
	run -0 zvm-manifest --no-libs /bin/true
	refute_line --partial 'ld.so'
	[ "$(grep -c '^Channel' <<<"$output")" -eq 3 ]
	run -0 zvm-manifest -E /bin/true
	assert_line 'Channel = /etc/ld.so.cache,/etc/ld.so.cache,1,1,4294967296,4294967296,0,0'
	run -0 zvm-manifest --file "$T/in.txt:/etc/ld.so.cache" /bin/true
	assert_line "Channel = $T/in.txt,/etc/ld.so.cache,1,0,4294967296,4294967296,0,0"
	[ "$(grep -c ',/etc/ld.so.cache,' <<<"$output")" -eq 1 ]
}

@test "static programs get no library channels" {
	local static="$ZVM_BUILD/tests/progs/exitwith"
	[ -x "$static" ] || static=/usr/bin/busybox
	file -L "$static" | grep -q 'statically linked' || skip "no static program"
	run -0 zvm-manifest "$static"
	[ "$(grep -c '^Channel' <<<"$output")" -eq 3 ]
	run -0 zvm-manifest prog
	[ "$(grep -c '^Channel' <<<"$output")" -eq 3 ]
}

@test "a program that is neither ELF nor a script: exit 66" {
	printf 'hello\n' >bin/text
	chmod 755 bin/text
	run -66 --separate-stderr zvm-manifest text
	[ "$stderr" = "zvm-manifest: $T/bin/text: neither an ELF program nor a #! script" ]
	run -0 zvm-manifest --no-libs text
}

# mkscript FILE LINE: an executable script FILE whose #! line is LINE.
mkscript() {
	printf '%s\nexit 0\n' "$2" >"$1"
	chmod 755 "$1"
}

# The Channel lines of a manifest on stdin but the one of alias $1.
channels_but() {
	grep '^Channel = ' | grep -v -F ",$1,"
}

@test "#! script: its interpreter is Program, with the kernel's argv and its own libraries" {
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
	mkscript s.py '#!/usr/bin/python3 -S'
	run -0 --separate-stderr zvm-manifest -- ./s.py a 'b c'
	[ -z "$stderr" ]
	assert_line 'Program = /usr/bin/python3'
	assert_line "Args = /usr/bin/python3 -S $T/s.py a b\\x20c"
	assert_line "Channel = $T/s.py,$T/s.py,1,0,4294967296,4294967296,0,0"
	zvm-manifest /usr/bin/python3 >direct
	diff -u <(grep '^Channel = ' direct) <(channels_but "$T/s.py" <<<"$output")
	grep -q '^Channel = .*libc\.so' direct
}

@test "#! script: /bin/sh, found on PATH like any PROGRAM" {
	mkscript bin/s.sh '#!/bin/sh'
	run -0 --separate-stderr zvm-manifest s.sh -x
	[ -z "$stderr" ]
	assert_line 'Program = /bin/sh'
	assert_line "Args = /bin/sh $T/bin/s.sh -x"
	assert_line "Channel = $T/bin/s.sh,$T/bin/s.sh,1,0,4294967296,4294967296,0,0"
	zvm-manifest /bin/sh >direct
	diff -u <(grep '^Channel = ' direct) <(channels_but "$T/bin/s.sh" <<<"$output")
}

@test "#! script: blanks after #!, one argument with blanks kept whole" {
	[ -x /usr/bin/python3 ] || skip "no /usr/bin/python3"
	mkscript s.py '#! /usr/bin/python3'
	run -0 zvm-manifest ./s.py
	assert_line "Args = /usr/bin/python3 $T/s.py"
	mkscript s.py $'#!\t/usr/bin/python3   -I -S \t'
	run -0 zvm-manifest ./s.py
	assert_line 'Program = /usr/bin/python3'
	assert_line "Args = /usr/bin/python3 -I\\x20-S $T/s.py"
}

@test "#! script: /usr/bin/env NAME runs NAME, found on the same PATH" {
	[ -x /usr/bin/env ] && [ -x /usr/bin/python3 ] || skip "no /usr/bin/env or python3"
	mkscript bin/e.py '#!/usr/bin/env python3'
	PATH="$T/bin:$ZVM_BUILD:/usr/bin:/bin" run -0 --separate-stderr zvm-manifest e.py -x
	[ -z "$stderr" ]
	assert_line 'Program = /usr/bin/python3'
	assert_line "Args = python3 $T/bin/e.py -x"
	assert_line "Channel = $T/bin/e.py,$T/bin/e.py,1,0,4294967296,4294967296,0,0"
	# The first python3 on PATH wins, as env would find it.
	cp "$ZVM_BUILD/tests/progs/exitwith" bin/python3
	PATH="$T/bin:$ZVM_BUILD:/usr/bin:/bin" run -0 zvm-manifest e.py
	assert_line "Program = $T/bin/python3"
	PATH="$ZVM_BUILD:/usr/bin:/bin:$T/bin" run -0 zvm-manifest "$T/bin/e.py"
	assert_line 'Program = /usr/bin/python3'
}

@test "golden: a #! script with @ arguments, -E and -q, --no-libs" {
	mkscript s.sh '#!/bin/sh -e'
	golden script -E -q 1K --no-libs ./s.sh @in.txt -n @w:out @LANG=C
}

@test "#! script: a channel given for the script itself wins" {
	mkscript s.sh '#!/bin/sh'
	run -0 zvm-manifest --no-libs --file "s.sh" ./s.sh
	assert_line "Channel = $T/s.sh,$T/s.sh,1,0,4294967296,4294967296,0,0"
	[ "$(grep -c ",$T/s.sh," <<<"$output")" -eq 1 ]
	run -0 zvm-manifest --no-libs -c "/dev/null,$T/s.sh,1,0,1,1,0,0" ./s.sh
	assert_line "Channel = /dev/null,$T/s.sh,1,0,1,1,0,0"
	[ "$(grep -c ",$T/s.sh," <<<"$output")" -eq 1 ]
}

@test "#! script errors: exit 66 naming the script and the interpreter, nothing on stdout" {
	local long
	long=$(printf '/%0300d' 0)
	mkscript bin/inner '#!/bin/sh'
	printf 'not a program\n' >notelf
	chmod 755 notelf
	while IFS='|' read -r line msg; do
		mkscript bad "$line"
		run -66 --separate-stderr zvm-manifest --no-libs ./bad
		assert_output ''
		assert_equal "$stderr" "zvm-manifest: $T/bad: $msg"
	done <<EOT
#!/nonexistent/python3|interpreter /nonexistent/python3: not found
#!python3|interpreter python3: not an absolute path
#!bin/../python3 -S|interpreter bin/../python3: not an absolute path
#!$T/bin/inner|interpreter $T/bin/inner: a #! script too (only one level is followed)
#!$T/notelf|interpreter $T/notelf: not an ELF program
#!$T/in.txt|interpreter $T/in.txt: permission denied
#!|no interpreter after #!
#!  |no interpreter after #!
#!$long|the interpreter name does not end within the first 256 bytes
#!/usr/bin/env -S python3 -u|#!/usr/bin/env -S python3 -u: only env NAME is followed; run the interpreter as PROGRAM
#!/usr/bin/env A=B python3|#!/usr/bin/env A=B python3: only env NAME is followed; run the interpreter as PROGRAM
#!/usr/bin/env python3 -u|#!/usr/bin/env python3 -u: only env NAME is followed; run the interpreter as PROGRAM
#!/usr/bin/env|#!/usr/bin/env: only env NAME is followed; run the interpreter as PROGRAM
#!/usr/bin/env nonexistent-zvm|env nonexistent-zvm: not found
#!/usr/bin/env bin/inner|env bin/inner: not an absolute path
#!/usr/bin/env inner|interpreter $T/bin/inner: a #! script too (only one level is followed)
EOT
}

@test "#! script in a path a channel cannot name: exit 64" {
	mkdir 'a,b'
	mkscript 'a,b/s.sh' '#!/bin/sh'
	run -64 --separate-stderr zvm-manifest 'a,b/s.sh'
	assert_output ''
	[ "$stderr" = "zvm-manifest: $T/a,b/s.sh: a channel name cannot hold ',', line breaks or leading or trailing blanks" ]
}

@test "golden: --file and --image in command-line order" {
	golden image --image sub --file in.txt --image "sub:/data/x/../in" \
		--file "in.txt:/etc/in.conf" prog
}

@test "--image FILE.tar: a tar archive, known by content, at its path less .tar, and /" {
	mkdir -p t/d
	echo x >t/d/f
	tar -C t -cf py.tar d
	cp py.tar data.bin
	cp in.txt fake.tar
	run -0 zvm-manifest --image py.tar --image data.bin \
	    --image py.tar:/usr/lib --image py.tar:/dev/py/ --image py.tar:/ \
	    --file py.tar prog
	assert_line "Channel = $T/py.tar,$T/py/,1,0,4294967296,4294967296,0,0"
	assert_line "Channel = $T/data.bin,$T/data.bin/,1,0,4294967296,4294967296,0,0"
	assert_line "Channel = $T/py.tar,/usr/lib/,1,0,4294967296,4294967296,0,0"
	assert_line "Channel = $T/py.tar,/dev/py/,1,0,4294967296,4294967296,0,0"
	assert_line "Channel = $T/py.tar,/,1,0,4294967296,4294967296,0,0"
	# --file: data, at its own path, without the / that makes an image.
	assert_line "Channel = $T/py.tar,$T/py.tar,1,0,4294967296,4294967296,0,0"
	run -66 --separate-stderr zvm-manifest --image fake.tar prog
	[ "$stderr" = 'zvm-manifest: --image fake.tar: not a directory or tar archive' ]
	# /usr/lib/ and /usr/lib are one name in zvm-run.
	run -64 --separate-stderr zvm-manifest --image py.tar:/usr/lib \
	    --image t/d:/usr/lib prog
	[ "$stderr" = 'zvm-manifest: --image t/d:/usr/lib: alias /usr/lib is already a channel' ]
}

@test "--file and --image errors" {
	mkfifo fifo
	run -66 --separate-stderr zvm-manifest --image in.txt prog
	[ "$stderr" = 'zvm-manifest: --image in.txt: not a directory or tar archive' ]
	run -66 --separate-stderr zvm-manifest --image nodir prog
	[ "$stderr" = 'zvm-manifest: --image nodir: No such file or directory' ]
	run -66 --separate-stderr zvm-manifest --image nodir:rel prog
	[ "$stderr" = 'zvm-manifest: --image nodir:rel: No such file or directory' ]
	run -66 --separate-stderr zvm-manifest --file sub prog
	[ "$stderr" = 'zvm-manifest: --file sub: a directory (use --image)' ]
	run -66 --separate-stderr zvm-manifest --file fifo prog
	[ "$stderr" = 'zvm-manifest: --file fifo: not a regular file' ]
	run -66 --separate-stderr zvm-manifest --file /dev/null prog
	[ "$stderr" = 'zvm-manifest: --file /dev/null: not a regular file (every sandbox has it without one)' ]
	run -64 --separate-stderr zvm-manifest --image sub:/dev/stdin prog
	[ "$stderr" = 'zvm-manifest: --image sub:/dev/stdin: alias /dev/stdin is already a channel' ]
	run -64 --separate-stderr zvm-manifest --image sub --file "in.txt:$T/sub/" prog
	[ "$stderr" = "zvm-manifest: --file in.txt:$T/sub/: alias $T/sub is already a channel" ]
	run -64 --separate-stderr zvm-manifest --file ':/x' prog
	[ "$stderr" = 'zvm-manifest: --file :/x: expected PATH[:ALIAS]' ]
	touch 'a,b'
	run -64 --separate-stderr zvm-manifest --file 'a,b' prog
	[[ $stderr == 'zvm-manifest: --file a,b: a channel name cannot hold'* ]]
	assert_output ''
}

@test "unreadable --image: permission denied, exit 66" {
	[ -x "$ZVM_BUILD/zvm-manifest" ] || skip "no $ZVM_BUILD/zvm-manifest"
	OPEN=$(mktemp -d /tmp/zvm-manifest.XXXXXX)
	chmod 755 "$OPEN"
	mkdir "$OPEN/tree"
	chmod 700 "$OPEN/tree"
	if [ "$(id -u)" -ne 0 ]; then
		chmod 000 "$OPEN/tree"
	fi
	cd "$OPEN"
	run -66 --separate-stderr as_nobody "$ZVM_BUILD/zvm-manifest" --image tree /bin/sh
	[ "$stderr" = 'zvm-manifest: --image tree: Permission denied' ]
}

@test "man page: lint clean, SYNOPSIS and options match --help" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	local page="$BATS_TEST_DIRNAME/../man/zvm-manifest.1" opt
	run -0 mandoc -Tlint -W warning "$page"
	assert_output ''
	run -0 sh -c "mandoc -Tascii -Owidth=400 '$page' | col -b"
	assert_output --partial 'zvm-manifest [-Eh] [-c CHANNEL]... [-e NAME=VALUE]... [-m SIZE] [-q SIZE] [-t SECONDS] [--stdin URI] [--stdout URI] [--stderr URI] [--file PATH[:ALIAS]]... [--image DIR[:ALIAS]]... [--no-libs] [--threads N] [--files N] [--scratch SIZE] [--node N] [--name-server udp:IP:PORT] [--save-dir DIR] [--] PROGRAM [ARG...]'
	for opt in $(zvm-manifest --help | grep -oE -- '--[a-z-]+|-[a-zA-Z],' | tr -d ,); do
		grep -qe "Fl ${opt#-}\b" "$page" || fail "$opt missing in man page"
	done
}

@test "completions: every option of --help, syntax clean" {
	local bash="$BATS_TEST_DIRNAME/../completions/bash/zvm-manifest"
	local zsh="$BATS_TEST_DIRNAME/../completions/zsh/_zvm-manifest" opt
	for opt in $(zvm-manifest --help | grep -oE -- '--[a-z-]+|-[a-zA-Z],' | tr -d ,); do
		grep -qe "$opt\b" "$bash" || fail "$opt missing in $bash"
		grep -qe "$opt\b" "$zsh" || fail "$opt missing in $zsh"
	done
	bash -n "$bash"
	if command -v zsh >/dev/null; then zsh -n "$zsh"; fi
	if command -v shellcheck >/dev/null; then shellcheck -s bash "$bash"; fi
}

@test "bash completion: long options, then commands after PROGRAM" {
	local bc=/usr/share/bash-completion/bash_completion
	[ -r $bc ] || skip "bash-completion not installed"
	run -0 bash -c "source $bc; source '$BATS_TEST_DIRNAME/../completions/bash/zvm-manifest'
		COMP_WORDS=(zvm-manifest --st); COMP_CWORD=1; COMP_LINE='zvm-manifest --st'
		COMP_POINT=\${#COMP_LINE}; _zvm_manifest; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_output $'--stderr\n--stdin\n--stdout'
	run -0 bash -c "cd '$T'; PATH='$T/bin'; source $bc; source '$BATS_TEST_DIRNAME/../completions/bash/zvm-manifest'
		COMP_WORDS=(zvm-manifest -t 5 pro); COMP_CWORD=3; COMP_LINE='zvm-manifest -t 5 pro'
		COMP_POINT=\${#COMP_LINE}; _zvm_manifest; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_output 'prog'
	run -0 bash -c "cd '$T'; source $bc; source '$BATS_TEST_DIRNAME/../completions/bash/zvm-manifest'
		COMP_WORDS=(zvm-manifest prog --st i); COMP_CWORD=3; COMP_LINE='zvm-manifest prog --st i'
		COMP_POINT=\${#COMP_LINE}; _zvm_manifest; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_output 'in.txt'
	run -0 bash -c "cd '$T'; source $bc; source '$BATS_TEST_DIRNAME/../completions/bash/zvm-manifest'
		COMP_WORDS=(zvm-manifest -Ec /a,/b,0,0,1,1,0,0 prog @w:i); COMP_CWORD=4
		COMP_LINE='zvm-manifest -Ec /a,/b,0,0,1,1,0,0 prog @w:i'
		COMP_POINT=\${#COMP_LINE}; _zvm_manifest; printf '%s\n' \"\${COMPREPLY[@]}\""
	assert_output '@w:in.txt'
}

@test "dynamic: the libraries of a directory image are followed, as dlopen would load them" {
	command -v cc >/dev/null || skip "no C compiler"
	mkdir -p img/plug out
	echo 'int g(void) { return 0; }' >g.c
	echo 'int g(void); int h(void) { return g(); }' >h.c
	echo 'int main(void) { return 0; }' >m.c
	cc -shared -fPIC -o out/libg.so g.c
	# A plugin that needs libg.so beside the image, by RUNPATH; another
	# that needs a library nowhere: its dlopen will fail, no error now.
	cc -shared -fPIC -o img/plug/libh.so h.c -Lout -lg \
	    "-Wl,--enable-new-dtags,-rpath,$T/out"
	cc -shared -fPIC -o img/libbad.so h.c -Lout -lg
	printf 'not elf' >img/fake.so
	cc -o prog m.c
	run -0 --separate-stderr zvm-manifest --image img ./prog
	[ -z "$stderr" ]
	assert_line "Channel = $T/out/libg.so,$T/out/libg.so,1,0,4294967296,4294967296,0,0"
	# The image's own files are the image's, never channels of their own.
	refute_line --partial "$T/img/"
}

@test "a -c alias with '..' or an empty component: exit 65, as zvm-run and zvm-edit say" {
	run -65 --separate-stderr zvm-manifest -c /a,/dev/../a,0,0,1,1,0,0 prog
	assert_output ''
	[ "$stderr" = "zvm-manifest: Channel: alias '/dev/../a' has a '..' component" ]
	run -65 --separate-stderr zvm-manifest -c /a,/x//a,0,0,1,1,0,0 prog
	[ "$stderr" = "zvm-manifest: Channel: alias '/x//a' has an empty component (write /x/a)" ]
}

@test "--threads and --files write the limits' keys; out of range: exit 64" {
	run -0 zvm-manifest --threads 8 --files 0 prog
	assert_line 'Threads = 8'
	assert_line 'Files = 0'
	run -0 zvm-manifest prog
	refute_line --partial 'Threads'
	refute_line --partial 'Files'
	run -64 --separate-stderr zvm-manifest --threads 0 prog
	[ "$stderr" = 'zvm-manifest: --threads 0: must be 1 to 4194304' ]
	run -64 --separate-stderr zvm-manifest --files 1048577 prog
	[ "$stderr" = 'zvm-manifest: --files 1048577: must be 0 to 1048576' ]
	run -64 --separate-stderr zvm-manifest --files many prog
	[ "$stderr" = 'zvm-manifest: --files many: not a number' ]
}

@test "--node and --name-server write the cluster keys; bad values: exit 64" {
	run -0 zvm-manifest --node 3 --name-server udp:10.0.0.1:5000 prog
	assert_line 'Node = 3'
	assert_line 'NameServer = udp:10.0.0.1:5000'
	run -64 --separate-stderr zvm-manifest --node 0 prog
	[ "$stderr" = "zvm-manifest: --node 0: must be 1 to 4294967295" ]
	run -64 --separate-stderr zvm-manifest --name-server tcp:10.0.0.1:5 prog
	[[ "$stderr" == "zvm-manifest: --name-server tcp:10.0.0.1:5: expected udp:HOST:PORT"* ]]
}

@test "@tcp:HOST:PORT and @w:tcp:... are network channels /dev/N.tcp; @rw:tcp: is an error" {
	run -0 zvm-manifest prog @tcp:127.0.0.1:5000 @w:tcp:2: @w:tcp:[::1]:80
	assert_line 'Args = prog /dev/1.tcp /dev/2.tcp /dev/3.tcp'
	assert_line 'Channel = tcp:127.0.0.1:5000,/dev/1.tcp,0,0,4294967296,4294967296,0,0'
	assert_line 'Channel = tcp:2:,/dev/2.tcp,0,0,0,0,4294967296,4294967296'
	assert_line 'Channel = tcp:[::1]:80,/dev/3.tcp,0,0,0,0,4294967296,4294967296'
	run -64 --separate-stderr zvm-manifest prog @rw:tcp:127.0.0.1:5000
	[ "$stderr" = "zvm-manifest: @rw:tcp:127.0.0.1:5000: a network channel is read-only or write-only" ]
	run -65 --separate-stderr zvm-manifest prog @tcp:1.2.3:5
	[ "$stderr" = "zvm-manifest: Channel /dev/1.tcp: uri 'tcp:1.2.3:5': expected tcp:host:port" ]
}
