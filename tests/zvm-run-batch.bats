#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run with several manifests: each runs as if alone, in order; the
# first failure's status; a report for every run (-r in order, -s one per
# manifest), failures before the start included; a signal ends the batch.
# Sandboxed programs run as nobody when root.
load helper
load zvm-run-helper

# job N ARG...: $W/N.m runs exitwith with ARG..., reading $W/N.in.
job() {
	local n=$1
	shift
	printf 'in%s' "$n" >"$W/$n.in"
	mf exitwith "$W/$n.in,/dev/3.in,0,0,10,100,0,0" |
	    sed "s|^Program.*|&\nArgs = exitwith $*|" >"$W/$n.m"
}

@test "batch: manifests run in order, each alone; -r holds their reports in order" {
	job 1 0 one
	job 2 0 two
	job 3 0 three
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/1.m" \
	    "$W/2.m" "$W/3.m"
	[ "$stderr" = "" ]
	run grep -o 'argv\[2\]=.*' <<<"$output"
	assert_output "$(printf 'argv[2]=one\nargv[2]=two\nargv[2]=three')"
	run grep -c '^State = ok$' "$W/rep"
	assert_output 3
	run grep -c '^Channel = .*,/dev/3.in,0,0,0,0,0,0$' "$W/rep"
	assert_output 3
	as_nobody zvm-run -f json -r "$W/json" "$W/1.m" "$W/2.m"
	jq -se 'length == 2 and all(.state == "ok")' "$W/json"
}

@test "batch: the status is the first failure's; the runs after it still run" {
	job 1 3 a
	job 2 0 b
	job 3 5 c
	run -3 as_nobody zvm-run "$W/1.m" "$W/2.m" "$W/3.m"
	run grep -c 'argv\[2\]=' <<<"$output"
	assert_output 3
	job 4 sig 9
	run -137 as_nobody zvm-run "$W/2.m" "$W/4.m" "$W/3.m"
	assert_output --partial 'argv[2]=c'
}

@test "batch: an invalid manifest in the middle: file:line, an error report in its place, the others run" {
	job 1 0 a
	printf 'Version = 20130611\nTimeout = x\n' >"$W/2.m"
	job 3 0 c
	run -125 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/1.m" \
	    "$W/2.m" "$W/3.m"
	[[ $stderr == *"$W/2.m:2: "* ]]
	[[ $output == *'argv[2]=a'* && $output == *'argv[2]=c'* ]]
	run grep '^State' "$W/rep"
	assert_output "$(printf 'State = ok\nState = error\nState = ok')"
	run grep -c "^Message = $W/2.m:2: " "$W/rep"
	assert_output 1
	as_nobody zvm-run -f json -r "$W/json" "$W/1.m" "$W/2.m" || true
	jq -se '.[1].state == "error" and (.[1].channels | length) == 0' \
	    "$W/json"
}

@test "batch: a program that is not there: 127 in its place, an error report, the others run" {
	job 1 0 a
	mf nosuchprog >"$W/2.m"
	job 3 0 c
	run -127 as_nobody zvm-run -s .rep "$W/1.m" "$W/2.m" "$W/3.m"
	assert_output --partial 'argv[2]=c'
	run grep -x 'State = error' "$W/2.m.rep"
	assert_success
	run grep -x 'State = ok' "$W/3.m.rep"
	assert_success
}

@test "batch: -s writes each manifest's report beside it; an invalid one replaces a stale report" {
	job 1 0 a
	job 2 0 b
	as_nobody zvm-run -s .report "$W/1.m" "$W/2.m" >/dev/null
	run grep -c '^State = ok$' "$W/1.m.report" "$W/2.m.report"
	assert_output "$(printf '%s\n' "$W/1.m.report:1" "$W/2.m.report:1")"
	# The manifest goes bad: its old ok report must not survive, alone
	# as well as in a batch.
	printf 'Version = 20130611\nbogus\n' >"$W/2.m"
	run -125 as_nobody zvm-run -s .report "$W/2.m"
	run grep -x 'State = error' "$W/2.m.report"
	assert_success
	run -0 as_nobody zvm-run -f json -s .json "$W/1.m"
	jq -e '.state == "ok"' "$W/1.m.json"
}

@test "batch: -r alone keeps its old contract: an invalid manifest leaves the file untouched" {
	printf 'old\n' >"$W/rep"
	printf 'Version = 20130611\nbogus\n' >"$W/m"
	run -125 as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$(cat "$W/rep")" = old ]
}

@test "batch: -n checks every manifest, runs none, writes no report" {
	job 1 0 a
	printf 'Version = 20130611\nbogus\n' >"$W/2.m"
	job 3 0 c
	run -125 --separate-stderr as_nobody zvm-run -n -r "$W/rep" \
	    -s .rep "$W/1.m" "$W/2.m" "$W/3.m"
	[ "$output" = "" ]
	[[ $stderr == *"$W/2.m:2: "* ]]
	assert_file_not_exists "$W/rep"
	assert_file_not_exists "$W/1.m.rep"
	assert_file_not_exists "$W/2.m.rep"
	run -0 as_nobody zvm-run -n "$W/1.m" "$W/3.m"
	[ "$output" = "" ]
}

@test "batch: standard input at most once, never with -s; a suffix has no '/'" {
	job 1 0 a
	run -125 as_nobody zvm-run "$W/1.m" - - <"$W/1.m"
	assert_output 'zvm-run: -: standard input named twice'
	run -125 as_nobody zvm-run -s .rep - <"$W/1.m"
	assert_output --partial '-s needs a manifest file'
	run -125 as_nobody zvm-run -s a/b "$W/1.m"
	assert_output --partial "-s 'a/b'"
	run -125 as_nobody zvm-run -s '' "$W/1.m"
	assert_file_not_exists "$W/1.m.rep"
	run -0 as_nobody zvm-run "$W/1.m" - <"$W/1.m"
	run grep -c 'argv\[2\]=a' <<<"$output"
	assert_output 2
}

@test "batch: SIGTERM to zvm-run ends the running program (143) and the batch" {
	local nobody=()
	for i in 1 2 3; do mf sleeper >"$W/$i.m"; done
	[ "$(id -u)" -ne 0 ] ||
	    nobody=(setpriv --reuid=65534 --regid=65534 --clear-groups --)
	"${nobody[@]}" zvm-run -s .rep "$W/1.m" "$W/2.m" "$W/3.m" >"$W/pid" &
	term_started $!
	[ "$st" -eq 143 ]
	run grep -x 'Signal = 15' "$W/1.m.rep"
	assert_success
	assert_file_not_exists "$W/2.m.rep"
	assert_file_not_exists "$W/3.m.rep"
	[ "$(wc -l <"$W/pid")" -eq 1 ]
}

@test "batch: 300 runs in one zvm-run under 'ulimit -n 48' leak no fd" {
	printf 'x' >"$W/in"
	mf exitwith "$W/in,/dev/3.in,0,0,10,100,0,0" |
	    sed 's|^Timeout.*|&\nFiles = 16|' >"$W/m"
	set -- $(yes "$W/m" | head -n 300)
	run -0 --separate-stderr as_nobody prlimit --nofile=48:48 zvm-run \
	    -r "$W/rep" "$@"
	run grep -c '^State = ok$' "$W/rep"
	assert_output 300
}
