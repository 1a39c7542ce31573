#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run: the memory etag (Memory = N,1), xxh128 of the program's readable
# memory at exit_group.  memtag has no libc and clears AT_RANDOM, so under
# setarch -R (fixed addresses) its memory at exit depends on its input
# only; the digest must follow exactly that.
load helper
load zvm-run-helper

# mt PROG [ARGS]: a manifest with the memory etag on.
mt() {
	MEMORY=268435456 mf "$1" | sed 's/^Memory = \([0-9]*\),0$/Memory = \1,1/'
	[ -z "${2:-}" ] || echo "Args = $2"
}

digest() {
	sed -n 's/^MemoryEtag = //p' "$1"
}

@test "memory etag: the same memory gives the same digest, other memory another" {
	command -v setarch >/dev/null || skip "no setarch"
	setarch -R true 2>/dev/null || skip "setarch -R is not allowed here"
	mt memtag >"$W/m"
	printf 'the same input\n' >"$W/a"
	printf 'other input\n' >"$W/b"
	run -0 as_nobody setarch -R zvm-run -r "$W/r1" "$W/m" <"$W/a"
	run -0 as_nobody setarch -R zvm-run -r "$W/r2" "$W/m" <"$W/a"
	run -0 as_nobody setarch -R zvm-run -r "$W/r3" "$W/m" <"$W/b"
	[[ "$(digest "$W/r1")" =~ ^[0-9a-f]{32}$ ]]
	[ "$(digest "$W/r1")" = "$(digest "$W/r2")" ]
	[ "$(digest "$W/r1")" != "$(digest "$W/r3")" ]
}

@test "memory etag: a glibc program gets one digest per run, 32 hex digits" {
	mt exitwith "exitwith 3" >"$W/m"
	run -3 as_nobody zvm-run -r "$W/r" "$W/m" </dev/null
	grep -Eqx 'MemoryEtag = [0-9a-f]{32}' "$W/r"
	[ "$(grep -c '^MemoryEtag = ' "$W/r")" -eq 1 ]
	run -3 as_nobody zvm-run -f json -r "$W/j" "$W/m" </dev/null
	jq -e '.memory_etag | test("^[0-9a-f]{32}$")' "$W/j"
}

@test "memory etag: threads, channel I/O and the fast path keep it" {
	mt threads >"$W/m"
	run as_nobody zvm-run -r "$W/r" "$W/m" </dev/null
	grep -qx 'State = ok' "$W/r"
	grep -Eqx 'MemoryEtag = [0-9a-f]{32}' "$W/r"
}

@test "memory etag: none when the program is killed (timeout, signal)" {
	TIMEOUT=1 mt sleeper "sleeper sleep" >"$W/m"
	run -124 zvm-run -r "$W/r" "$W/m" </dev/null
	grep -qx 'MemoryEtag = none' "$W/r"
	mt exitwith "exitwith sig 15" >"$W/m"
	run -143 as_nobody zvm-run -r "$W/r" "$W/m" </dev/null
	grep -qx 'State = signal' "$W/r"
	grep -qx 'MemoryEtag = none' "$W/r"
}

@test "memory etag: off without Memory = N,1, and the filter lets exit_group run" {
	mf exitwith >"$W/m"
	echo "Args = exitwith 7" >>"$W/m"
	run -7 as_nobody zvm-run -r "$W/r" "$W/m" </dev/null
	! grep -q MemoryEtag "$W/r"
	! grep -q '^Denied' "$W/r"
}
