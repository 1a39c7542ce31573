#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# layers.bats - scripts/layers passes on the tree as it is, on the build's
# objects too, and fails, naming the file, on each way a change could
# break the architecture: an include up or sideways, a private header of
# lib/sv outside it, an include cycle, a file in no room, a handler
# calling another handler.  Each breaking case runs on a copy of the tree.

load helper

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)

setup() {
	T=$BATS_TEST_TMPDIR/tree
	mkdir -p "$T"
	cp -R "$ROOT/scripts" "$ROOT/lib" "$ROOT/cmd" "$ROOT/fuzz" "$T/"
	mkdir -p "$T/tests"
	cp -R "$ROOT/tests/unit" "$T/tests/"
}

# Add an include line after the first line of a file of the copy.
add_include() {
	sed -i "1a #include \"$2\"" "$T/$1"
}

@test "layers: the tree passes, sources and objects" {
	run sh "$ROOT/scripts/layers"
	assert_success
	assert_output ""
	run sh "$ROOT/scripts/layers" "$ZVM_BUILD"
	assert_success
	assert_output ""
}

@test "layers: the copy passes before it is changed" {
	run sh "$T/scripts/layers"
	assert_success
	assert_output ""
}

@test "layers: a handler including the loop's header fails" {
	add_include lib/sv/chanio.c sv/table.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output "lib/sv/chanio.c: includes lib/sv/table.h: room sv.handler (rank 5) may not use room sv.loop (rank 6)"
}

@test "layers: the tracee including the state fails" {
	add_include lib/sv/tracee.h sv/state.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_line "lib/sv/tracee.h: includes lib/sv/state.h: room sv.tracee (rank 3) may not use room sv.state (rank 4)"
}

@test "layers: rooms of one rank may not use each other" {
	add_include lib/manifest/report.c load/elf.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output --partial "lib/manifest/report.c: includes lib/load/elf.h: room manifest (rank 1) may not use room load (rank 1)"
}

@test "layers: lib/base using a room above it fails" {
	add_include lib/base/path.c manifest/channel.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output --partial "lib/base/path.c: includes lib/manifest/channel.h"
}

@test "layers: a tool including a private header of lib/sv fails" {
	add_include cmd/zvm-run.c sv/state.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output "cmd/zvm-run.c: includes lib/sv/state.h, private to lib/sv"
}

@test "layers: an include cycle fails" {
	add_include lib/base/path.h base/util.h
	add_include lib/base/util.h base/path.h
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output --partial "include cycle"
}

@test "layers: a file in no room fails" {
	printf '/* new */\n' >"$T/lib/sv/net.c"
	run sh "$T/scripts/layers"
	assert_failure 1
	assert_output "lib/sv/net.c: in no room of scripts/layers: add it to one"
}

@test "layers: a handler calling another handler fails, a call down passes" {
	O=$BATS_TEST_TMPDIR/obj
	mkdir -p "$O/lib/sv"
	printf 'int zvm_h_name(void);\nint zvm_h_name(void) { return 0; }\n' \
	    >"$BATS_TEST_TMPDIR/names.c"
	printf 'int zvm_h_name(void);\nint zvm_quota(void);\nint f(void);\nint f(void) { return zvm_h_name() + zvm_quota(); }\n' \
	    >"$BATS_TEST_TMPDIR/chanio.c"
	printf 'int zvm_quota(void);\nint zvm_quota(void) { return 0; }\n' \
	    >"$BATS_TEST_TMPDIR/account.c"
	for f in names chanio account; do
		cc -c -o "$O/lib/sv/$f.o" "$BATS_TEST_TMPDIR/$f.c"
	done
	run sh "$T/scripts/layers" "$O"
	assert_failure 1
	assert_output "lib/sv/chanio.c: calls zvm_h_name of lib/sv/names.c: the files of room sv.handler never call each other"
}

@test "layers: the state calling up into a handler fails" {
	O=$BATS_TEST_TMPDIR/obj
	mkdir -p "$O/lib/sv"
	printf 'int zvm_h_io(void);\nint zvm_h_io(void) { return 0; }\n' \
	    >"$BATS_TEST_TMPDIR/chanio.c"
	printf 'int zvm_h_io(void);\nint g(void);\nint g(void) { return zvm_h_io(); }\n' \
	    >"$BATS_TEST_TMPDIR/fds.c"
	for f in chanio fds; do
		cc -c -o "$O/lib/sv/$f.o" "$BATS_TEST_TMPDIR/$f.c"
	done
	run sh "$T/scripts/layers" "$O"
	assert_failure 1
	assert_output "lib/sv/fds.c: calls zvm_h_io of lib/sv/chanio.c: room sv.state may not use room sv.handler"
}
