#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Fuzz corpus replay: every fuzz/corpus/NAME/ through the plain-main build
# $ZVM_BUILD/fuzz/NAME_fuzzer (fuzz/NAME_fuzzer.c + fuzz/driver.c), one
# TAP line per input; a crash or abort() fails.  A corpus whose fuzzer was
# not built is skipped with the reason.  Coverage-guided runs are `make
# fuzz` / `make afl`, off CI.

load helper

FUZZ="$BATS_TEST_DIRNAME/../fuzz"

# replay NAME: run the corpus of NAME through its replay binary.
replay() {
	local name=$1 bin="$ZVM_BUILD/fuzz/$1_fuzzer" dir="$FUZZ/corpus/$1"
	local n

	[ -d "$dir" ] || skip "no corpus fuzz/corpus/$name"
	[ -x "$bin" ] || skip "$bin not built (fuzz/${name}_fuzzer.c missing?)"
	n=$(find "$dir" -maxdepth 1 -type f | wc -l)
	[ "$n" -gt 0 ] || fail "fuzz/corpus/$name is empty"
	run -0 "$bin" "$dir"
	assert_line "1..$n"
	[ "$(grep -c '^ok ' <<<"$output")" -eq "$n" ]
	refute_line --partial 'not ok'
}

@test "manifest corpus replays" {
	replay manifest
}

@test "edit corpus replays" {
	replay edit
}

@test "sumfile corpus replays" {
	replay sumfile
}

@test "script corpus replays" {
	replay script
}

@test "corpora of other fuzzers replay" {
	local d name ran=0

	for d in "$FUZZ"/corpus/*/; do
		name=$(basename "$d")
		case $name in manifest|edit|sumfile|script) continue ;; esac
		[ -x "$ZVM_BUILD/fuzz/${name}_fuzzer" ] || continue
		run -0 "$ZVM_BUILD/fuzz/${name}_fuzzer" "$d"
		refute_line --partial 'not ok'
		ran=$((ran + 1))
	done
	[ "$ran" -gt 0 ] || skip "no other corpus with a built fuzzer"
}

@test "every fuzzer has a non-empty corpus" {
	local f name

	for f in "$FUZZ"/*_fuzzer.c; do
		name=$(basename "$f" _fuzzer.c)
		[ -d "$FUZZ/corpus/$name" ] ||
		    fail "fuzz/corpus/$name missing for $f"
		[ -n "$(find "$FUZZ/corpus/$name" -maxdepth 1 -type f)" ] ||
		    fail "fuzz/corpus/$name is empty"
	done
}

@test "driver: a single file, a missing path, no argument" {
	local bin="$ZVM_BUILD/fuzz/manifest_fuzzer"

	[ -x "$bin" ] || skip "$bin not built"
	run -0 "$bin" "$DATA/valid/zvsh.manifest"
	assert_output "ok 1 - $DATA/valid/zvsh.manifest
1..1"
	run -1 --separate-stderr "$bin" "$BATS_TEST_TMPDIR/nope"
	[[ $stderr == *"nope: No such file or directory"* ]]
	mkdir "$BATS_TEST_TMPDIR/empty"
	run -1 --separate-stderr "$bin" "$BATS_TEST_TMPDIR/empty"
	[[ $stderr == *"no input files"* ]]
	run -2 "$bin"
}

@test "manifest fuzzer: an empty input and a NUL-only input" {
	local bin="$ZVM_BUILD/fuzz/manifest_fuzzer"

	[ -x "$bin" ] || skip "$bin not built"
	: >"$BATS_TEST_TMPDIR/empty"
	printf '\0\0\r\n\0' >"$BATS_TEST_TMPDIR/nul"
	run -0 "$bin" "$BATS_TEST_TMPDIR/empty" "$BATS_TEST_TMPDIR/nul"
	assert_line "1..2"
}

@test "tar corpus replays" {
	replay tar
}

@test "ns corpus replays" {
	replay ns
}
