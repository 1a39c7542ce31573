#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-etag: differential tests against xxhsum -H2 (computing) and
# sha256sum -c (check-mode outcomes, line by line), report checking,
# odd names, errors and exit statuses.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# sha256sum and zvm-etag diagnostics with the program name and GNU's
# quoting taken out, so the two can be compared line by line.
norm() {
	sed -e 's/^sha256sum: /P: /' -e 's/^zvm-etag: /P: /' \
	    -e "s/'standard input'/<stdin>/" -e "s/'//g" -e 's/[sx]\.sum/SUM/g'
}

@test "digests equal xxhsum -H2 on boundary sizes" {
	for n in 0 1 15 16 17 63 64 65 127 128 129 239 240 241 1023 1024 \
	    1025 65536 1048575 1048576 1048577 8388608 8388609 9437185; do
		head -c "$n" /dev/urandom >"f$n"
		run -0 zvm-etag "f$n"
		want=$(xxhsum -H2 "f$n")
		[ "$output" = "$want" ] || {
			echo "size $n: got '$output' want '$want'"
			return 1
		}
	done
}

@test "many operands: same lines, same order as xxhsum" {
	for n in 0 1 300 70000; do head -c $n /dev/urandom >"g$n"; done
	run -0 zvm-etag g0 g1 g300 g70000
	assert_output "$(xxhsum -H2 g0 g1 g300 g70000)"
	run -0 zvm-etag --tag g0 g1 g300 g70000
	assert_output "$(xxhsum -H2 --tag g0 g1 g300 g70000)"
}

@test "standard input is named stdin, as xxhsum names it" {
	head -c 5000 /dev/urandom >in
	want=$(xxhsum -H2 <in)
	assert_equal "$want" "$(xxhsum -H2 in | sed 's/  in$/  stdin/')"
	run -0 zvm-etag <in
	assert_output "$want"
	run -0 zvm-etag - <in
	assert_output "$want"
	run -0 zvm-etag -- - <in
	assert_output "$want"
	head -c 3000000 /dev/urandom | tee piped >/dev/null
	run -0 sh -c 'cat piped | zvm-etag'
	assert_output "$(xxhsum -H2 <piped)"
}

@test "names with spaces and leading dashes print like xxhsum" {
	printf 'a' >'a b'
	printf 'b' >'-x'
	printf 'c' >' lead'
	run -0 zvm-etag 'a b' -- -x ' lead'
	assert_output "$(xxhsum -H2 'a b' ./-x ' lead' | sed 's|  \./-x$|  -x|')"
}

@test "names with newline or backslash are escaped like sha256sum" {
	printf 'x' >"$(printf 'nl\nname')"
	printf 'y' >'a\b'
	run -0 zvm-etag "$(printf 'nl\nname')" 'a\b'
	[ "${lines[0]}" = "\\$(xxhsum -H2 <"$(printf 'nl\nname')" | cut -c1-32)  nl\\nname" ]
	[ "${lines[1]}" = "\\$(xxhsum -H2 <'a\b' | cut -c1-32)  a\\\\b" ]
	# The same shape sha256sum gives those names.
	sha256sum "$(printf 'nl\nname')" 'a\b' | cut -c1 >s.lead
	zvm-etag "$(printf 'nl\nname')" 'a\b' | cut -c1 >x.lead
	cmp s.lead x.lead
	run -0 zvm-etag --tag "$(printf 'nl\nname')"
	assert_output "\\XXH128 (nl\\nname) = $(xxhsum -H2 <"$(printf 'nl\nname')" | cut -c1-32)"
}

@test "odd names round-trip through -c (unlike xxhsum)" {
	for n in 'a b' -x "$(printf 'nl\nname')" 'a\b' 'back\' "$(printf 'cr\rx')" \
	    ' lead' '*star' 'par (1)'; do
		printf '%s' "$n" >"./$n"
	done
	zvm-etag -- 'a b' -x "$(printf 'nl\nname')" 'a\b' 'back\' \
	    "$(printf 'cr\rx')" ' lead' '*star' 'par (1)' >sums
	zvm-etag --tag -- 'a b' -x "$(printf 'nl\nname')" 'a\b' 'back\' \
	    "$(printf 'cr\rx')" ' lead' '*star' 'par (1)' >tags
	run -0 zvm-etag -c sums
	assert_equal "$(printf '%s\n' "$output" | grep -c ': OK$')" 9
	run -0 zvm-etag -c tags
	assert_equal "$(printf '%s\n' "$output" | grep -c ': OK$')" 9
	assert_line '\nl\nname: OK'
	assert_line '\a\\b: OK'
	assert_line '-x: OK'
}

@test "-z: NUL-terminated records, raw names, and -c -z reads them back" {
	printf 'x' >"$(printf 'nl\nname')"
	printf 'y' >'a\b'
	zvm-etag -z "$(printf 'nl\nname')" 'a\b' >z.sum
	assert_equal "$(tr '\0' '|' <z.sum)" \
	    "$(xxhsum -H2 <"$(printf 'nl\nname')" | cut -c1-32)  $(printf 'nl\nname')|$(xxhsum -H2 <'a\b' | cut -c1-32)  a\\b|"
	zvm-etag -c -z z.sum >out
	assert_equal "$(tr '\0' '|' <out)" "$(printf 'nl\nname: OK|a\\b: OK|')"
}

@test "interop: xxhsum -c accepts what zvm-etag writes" {
	for n in 0 17 241 100000; do head -c $n /dev/urandom >"i$n"; done
	zvm-etag i0 i17 i241 i100000 >x.sum
	run -0 xxhsum -c x.sum
	zvm-etag --tag i0 i17 i241 i100000 >t.sum
	run -0 xxhsum -c t.sum
	printf 'z' >>i17
	run -1 xxhsum -c x.sum
}

@test "interop: zvm-etag -c accepts what xxhsum writes" {
	for n in 0 17 241 100000; do head -c $n /dev/urandom >"i$n"; done
	xxhsum -H2 i0 i17 i241 i100000 >x.sum
	run -0 zvm-etag -c x.sum
	assert_output "$(printf 'i0: OK\ni17: OK\ni241: OK\ni100000: OK')"
	xxhsum -H2 --tag i0 i17 i241 i100000 >t.sum
	run -0 zvm-etag -c t.sum
	assert_output "$(printf 'i0: OK\ni17: OK\ni241: OK\ni100000: OK')"
	printf 'z' >>i241
	run -1 --separate-stderr zvm-etag -c --quiet x.sum
	assert_output 'i241: FAILED'
	assert_equal "$stderr" 'zvm-etag: WARNING: 1 computed checksum did NOT match'
}

# Build the same situation for sha256sum and zvm-etag: good file a,
# changed file b, missing file gone, a directory, junk, comments, blank
# lines, an uppercase digest.  $1 = scenario name.
scenario() {
	local scen=$1

	rm -rf sc && mkdir sc && cd sc || return 1
	printf 'alpha' >a
	printf 'beta' >b
	printf 'gone' >gone
	mkdir dir
	case $scen in
	ok) set -- a b ;;
	changed) set -- a b ;;
	missing) set -- a gone ;;
	onlymissing) set -- gone ;;
	junk) set -- a b ;;
	onlyjunk) set -- ;;
	dir) set -- a ;;
	upper) set -- a b ;;
	esac
	if [ $# -gt 0 ]; then
		sha256sum "$@" >s.sum
		zvm-etag "$@" >x.sum
	else
		: >s.sum
		: >x.sum
	fi
	case $scen in
	changed) printf 'BETA' >b ;;
	missing | onlymissing) rm gone ;;
	esac
	case $scen in
	junk | onlyjunk)
		for f in s.sum x.sum; do
			printf 'junk\n\n# comment\n  # indented\n0123  short\n' >>$f
		done ;;
	dir)
		printf '%s  dir\n' "$(sha256sum <a | cut -c1-64)" >>s.sum
		printf '%s  dir\n' "$(zvm-etag <a | cut -c1-32)" >>x.sum ;;
	upper)
		sed 's/^\([0-9a-f]*\)/\U\1/' s.sum >t && mv t s.sum
		sed 's/^\([0-9a-f]*\)/\U\1/' x.sum >t && mv t x.sum ;;
	esac
}

@test "check-mode outcomes match sha256sum -c line by line" {
	for scen in ok changed missing onlymissing junk onlyjunk dir upper; do
		for opts in "" --quiet --status --strict --ignore-missing \
		    "--strict --status" "--quiet --ignore-missing"; do
			scenario $scen
			# shellcheck disable=SC2086
			src=0
			sha256sum -c $opts s.sum >s.out 2>s.err || src=$?
			xrc=0
			# shellcheck disable=SC2086
			zvm-etag -c $opts x.sum >x.out 2>x.err || xrc=$?
			norm <s.err >s.n
			norm <x.err >x.n
			if [ $src != $xrc ] || ! cmp -s s.out x.out ||
			    ! cmp -s s.n x.n; then
				echo "scenario $scen, options '$opts': rc $src vs $xrc"
				diff s.out x.out
				diff s.n x.n
				return 1
			fi
			cd ..
		done
	done
}

@test "--warn names each bad line with file:line and why" {
	scenario junk
	run -0 zvm-etag -c --warn x.sum
	assert_line 'a: OK'
	assert_line 'zvm-etag: x.sum:3: improperly formatted XXH128 checksum line: not a checksum line'
	assert_line 'zvm-etag: x.sum:6: improperly formatted XXH128 checksum line: not a checksum line'
	assert_line 'zvm-etag: x.sum:7: improperly formatted XXH128 checksum line: digest is not 32 hex digits (not an XXH128 checksum)'
	assert_line 'zvm-etag: WARNING: 3 lines are improperly formatted'
	run -1 zvm-etag -c --warn --strict x.sum
}

@test "odd-length, non-hex and wrong-size digests are explained" {
	h=$(zvm-etag </dev/null | cut -c1-32)
	printf 'e' >e
	{
		printf '%s  e\n' "${h%?}"
		printf '%sz  e\n' "${h%?}"
		printf '%s  e\n' "$(xxhsum -H1 <e | cut -c1-16)"
		printf 'XXH128 (e) = %s\n' "${h%?}"
	} >bad.sum
	run -1 zvm-etag -c -w bad.sum
	assert_line 'zvm-etag: bad.sum:1: improperly formatted XXH128 checksum line: digest has an odd number of hex digits'
	assert_line 'zvm-etag: bad.sum:2: improperly formatted XXH128 checksum line: digest has a character that is not a hex digit'
	assert_line 'zvm-etag: bad.sum:3: improperly formatted XXH128 checksum line: digest is not 32 hex digits (not an XXH128 checksum)'
	assert_line 'zvm-etag: bad.sum:4: improperly formatted XXH128 checksum line: digest has an odd number of hex digits'
	assert_line 'zvm-etag: bad.sum: no properly formatted checksum lines found'
}

@test "a zvm-run report: etag'd regular-file channels are checked" {
	printf 'input data' >in.txt
	printf 'output data' >out.txt
	printf 'other' >noetag.txt
	hin=$(zvm-etag <in.txt | cut -c1-32)
	hout=$(zvm-etag <out.txt | cut -c1-32)
	cat >run.report <<EOT
State = ok
Exit = 0
Time = 0.0031
CPU = 0.0010,0.0004
Memory = 1880064
Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0
Channel = /dev/stdout,/dev/stdout,0,$hout,0,0,1,11
Channel = /dev/null,/dev/null,0,$hin,0,0,1,11
Channel = $PWD/in.txt,/dev/3.in.txt,3,$hin,1,10,0,0
Channel = $PWD/out.txt,/dev/4.out.txt,3,$hout,0,0,1,11
Channel = $PWD/noetag.txt,/dev/5.noetag.txt,3,0,1,5,0,0
EOT
	run -0 zvm-etag -c --strict run.report
	assert_output "$PWD/in.txt: OK
$PWD/out.txt: OK"
	printf 'changed' >out.txt
	run -1 zvm-etag -c run.report
	assert_line "$PWD/out.txt: FAILED"
	assert_line 'zvm-etag: WARNING: 1 computed checksum did NOT match'
	rm in.txt
	run -1 zvm-etag -c run.report
	assert_line "$PWD/in.txt: FAILED open or read"
	run -1 zvm-etag -c --ignore-missing run.report
	refute_line --partial in.txt
}

@test "a report whose etag'd channels are all streams verifies nothing" {
	h=$(zvm-etag </dev/null | cut -c1-32)
	printf 'State = ok\nChannel = /dev/stdout,/dev/stdout,0,%s,0,0,1,0\n' "$h" >r
	run -1 zvm-etag -c r
	assert_output 'zvm-etag: r: no file was verified'
	printf 'State = ok\nExit = 0\n' >r0
	run -1 zvm-etag -c r0
	assert_output 'zvm-etag: r0: no properly formatted checksum lines found'
}

@test "a report's /dev/stdin, /dev/stdout, /dev/stderr are zvm-run's streams, never checked" {
	printf 'in' >in
	h=$(zvm-etag <in | cut -c1-32)
	printf 'State = ok\nChannel = /dev/stdin,/dev/stdin,0,%s,1,2,0,0\n' "$h" >r
	run -1 sh -c 'zvm-etag -c r <in'
	assert_output 'zvm-etag: r: no file was verified'
	printf '{"state":"ok","channels":[{"uri":"/dev/stdin","alias":"/dev/stdin","etag":"%s"}]}' "$h" >r.json
	run -1 sh -c 'zvm-etag -c r.json <in'
	assert_output 'zvm-etag: r.json: no file was verified'
}

@test "a json report: etag'd regular-file channels are checked, null and streams skipped" {
	printf 'input data' >in.txt
	printf 'output data' >'out "q".txt'
	hin=$(zvm-etag <in.txt | cut -c1-32)
	hout=$(zvm-etag <'out "q".txt' | cut -c1-32)
	cat >run.json <<EOT
{"state":"ok","exit":0,"time":0.0031,"cpu":{"user":0.0010,"system":0.0004},
"memory":1880064,"memory_etag":null,"denied":{},"channels":[
{"uri":"/dev/stdout","alias":"/dev/stdout","type":0,"etag":"$hout","gets":0,"get_size":0,"puts":1,"put_size":11,"quota":[]},
{"uri":"$PWD/in.txt","alias":"/dev/3.in.txt","type":3,"etag":"$hin","gets":1,"get_size":10,"puts":0,"put_size":0,"quota":[]},
{"uri":"$PWD/out \"q\".txt","alias":"/dev/4.out","type":0,"etag":"${hout^^}","gets":0,"get_size":0,"puts":1,"put_size":11,"quota":["put_size"]},
{"uri":"$PWD/in.txt","alias":"/dev/5.in","type":0,"etag":null,"gets":1,"get_size":5,"puts":0,"put_size":0,"quota":[]}]}
EOT
	run -0 zvm-etag -c --strict run.json
	assert_output "$PWD/in.txt: OK
$PWD/out \"q\".txt: OK"
	printf 'changed' >in.txt
	run -1 --separate-stderr zvm-etag -c --quiet run.json
	assert_output "$PWD/in.txt: FAILED"
	# Damage anywhere makes the whole report unusable: 65, line and why.
	sed 's/"type":3,/"type":"3",/' run.json >bad.json
	run -65 --separate-stderr zvm-etag -c bad.json
	assert_output ""
	assert_equal "$stderr" 'zvm-etag: bad.json:4: "type" is a string, not a number'
	printf '{"state":"ok","channels":[]}' >empty.json
	run -1 zvm-etag -c empty.json
	assert_output 'zvm-etag: empty.json: no properly formatted checksum lines found'
	# An unusable report among good check files: the others are checked.
	zvm-etag in.txt >good.sum
	run -65 zvm-etag -c bad.json good.sum
	assert_line 'in.txt: OK'
}

@test "a zerovm-format report is refused: 65, and why" {
	printf '0\n0\n0\n/dev/stdout %s\n0.00 0.01 2 466 0 0 0 0 0 0\nok\n\n' \
	    "$(zvm-etag </dev/null | cut -c1-32)" >z.report
	run -65 --separate-stderr zvm-etag -c z.report
	assert_output ""
	assert_equal "$stderr" 'zvm-etag: z.report: a zerovm-format report names no files; write it with --report-format=zvm or json'
	# Nine accounting fields: not ZeroVM's shape, so plain junk lines.
	sed -i 's/ 0 0 0 0 0 0$/ 0 0 0 0 0/' z.report
	run -1 zvm-etag -c z.report
	assert_output 'zvm-etag: z.report: no properly formatted checksum lines found'
}

@test "a bad Channel line in a report is improperly formatted" {
	printf 'x' >f
	h=$(zvm-etag <f | cut -c1-32)
	printf 'State = ok\nChannel = %s/f,/dev/3.f,3,%s,1,1,0\n' "$PWD" "$h" >r
	printf 'Channel = %s/f,/dev/3.f,3,%s,1,1,0,0\n' "$PWD" "$h" >>r
	run -0 zvm-etag -c -w r
	assert_line "zvm-etag: r:2: improperly formatted XXH128 checksum line: Channel line without 8 fields"
	assert_line "$PWD/f: OK"
	run -1 zvm-etag -c --strict r
}

@test "directory and missing operands: message, rc 1, others still printed" {
	printf 'a' >a
	mkdir d
	run -1 zvm-etag d nope a
	assert_line 'zvm-etag: d: Is a directory'
	assert_line 'zvm-etag: nope: No such file or directory'
	assert_line "$(xxhsum -H2 a)"
}

@test "unreadable file operand and listed file" {
	[ "$(id -u)" -ne 0 ] || skip "root reads everything"
	printf 'a' >a
	zvm-etag a >s
	chmod 000 a
	run -1 zvm-etag a
	assert_output 'zvm-etag: a: Permission denied'
	run -1 zvm-etag -c s
	assert_line 'a: FAILED open or read'
}

@test "a check file that cannot be opened: 66, the others still checked" {
	printf 'a' >a
	zvm-etag a >good
	run -66 zvm-etag -c nope good
	assert_line 'zvm-etag: nope: No such file or directory'
	assert_line 'a: OK'
	mkdir d
	run -66 zvm-etag -c d
	assert_output 'zvm-etag: d: Is a directory'
	printf 'junk\n' >junk
	run -1 zvm-etag -c junk good
	assert_line 'zvm-etag: junk: no properly formatted checksum lines found'
}

@test "check file on stdin, and a '-' entry in it" {
	printf 'a' >a
	zvm-etag a | { run -0 zvm-etag -c; assert_output 'a: OK'; }
	printf '%s  -\n' "$(zvm-etag <a | cut -c1-32)" >dash.sum
	run -0 sh -c 'zvm-etag -c dash.sum <a'
	assert_output -- '-: OK'
	run -1 sh -c 'cat dash.sum | zvm-etag -c'
	assert_output 'zvm-etag: <stdin>: no properly formatted checksum lines found'
}

@test "usage errors exit 64, --help and --version exit 0" {
	run -64 zvm-etag --bogus
	assert_line --partial 'usage: zvm-etag'
	run -64 zvm-etag -c --tag
	run -64 zvm-etag --quiet
	run -64 zvm-etag --status f
	run -0 zvm-etag --help
	assert_line --index 0 'usage: zvm-etag [-z] [--tag] [FILE ...]'
	run -0 zvm-etag -h
	run -0 zvm-etag --version
	assert_output --regexp '^zvm-etag \(zvm\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "a write error on stdout exits 74" {
	[ -w /dev/full ] || skip "no /dev/full"
	printf 'a' >a
	run -74 sh -c 'zvm-etag a >/dev/full'
	assert_output --partial 'zvm-etag: <stdout>:'
	run -74 sh -c 'zvm-etag --version >/dev/full'
}

@test "no progress on stderr when it is not a terminal" {
	head -c 20000000 /dev/zero >big
	run -0 --separate-stderr zvm-etag big
	assert_equal "$stderr" ""
}

@test "progress on a terminal for slow input, then erased" {
	command -v script >/dev/null || skip "no script(1)"
	run -0 script -qec "sh -c '(head -c 1048576 /dev/zero; sleep 1.3; head -c 1048576 /dev/zero) | zvm-etag'" /dev/null
	assert_output --regexp 'zvm-etag: <stdin>: [12] MiB'
	assert_output --partial "$(head -c 2097152 /dev/zero | xxhsum -H2 | cut -c1-32)  stdin"
}

@test "every option of usage is in the man page and both completions" {
	src="$BATS_TEST_DIRNAME/.."
	for o in $(zvm-etag --help | grep -o -- '--[a-z-]*' | sort -u) --check \
	    --help --warn --zero; do
		grep -q -- "$o" "$src/completions/bash/zvm-etag" || { echo "bash: $o"; return 1; }
		grep -q -- "$o" "$src/completions/zsh/_zvm-etag" || { echo "zsh: $o"; return 1; }
		grep -q -- "${o#--}" "$src/man/zvm-etag.1" || { echo "man: $o"; return 1; }
	done
}

@test "a report's input read in part is checked against the bytes read: the file's first get_size" {
	printf 'hello world\n' >in.txt
	h3=$(printf hel | zvm-etag | cut -c1-32)
	hall=$(zvm-etag <in.txt | cut -c1-32)
	cat >run.report <<EOT
State = ok
Channel = $PWD/in.txt,/dev/1.in.txt,1,$h3,1,3,0,0
EOT
	run -0 zvm-etag -c run.report
	assert_output "$PWD/in.txt: OK (first 3 of 12 bytes)"
	# A change past what was read cannot be seen; within it, it is.
	printf 'help' >in.txt
	run -0 zvm-etag -c run.report
	assert_output "$PWD/in.txt: OK (first 3 of 4 bytes)"
	# A change within it, and a file shorter than it.
	for c in HELLO he; do
		printf '%s' "$c" >in.txt
		run -1 zvm-etag -c run.report
		assert_line "$PWD/in.txt: FAILED"
	done
	# Read to its end: plain OK.  A channel written to: the whole file.
	printf 'hello world\n' >in.txt
	cat >run.report <<EOT
Channel = $PWD/in.txt,/dev/1.in.txt,1,$hall,2,12,0,0
Channel = $PWD/in.txt,/dev/2.in.txt,3,$h3,1,3,1,1
EOT
	run -1 --separate-stderr zvm-etag -c run.report
	assert_output "$PWD/in.txt: OK
$PWD/in.txt: FAILED"
	# The same in a json report.
	cat >run.json <<EOT
{"state":"ok","channels":[
{"uri":"$PWD/in.txt","alias":"/dev/1.in.txt","type":0,"etag":"$h3","gets":1,"get_size":3,"puts":0,"put_size":0}]}
EOT
	run -0 zvm-etag -c run.json
	assert_output "$PWD/in.txt: OK (first 3 of 12 bytes)"
}

