#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The invalid-manifest corpus through the tools: every case in
# tests/data/invalid gives its exact diagnostics (NAME.expected, as the
# library words them) behind the tool's name, and the documented status:
# zvm-edit -n 1, zvm-edit 65, zvm-run --check 125.  Nothing is written.

load helper

setup() {
	cd "$DATA/invalid" || return 1
}

# Run TOOL ARGS on every case; compare stderr and status.
corpus() {
	local want=$1 tool=$2 bad=0 f name
	shift 2
	for f in *.manifest; do
		name=${f%.manifest}
		run --separate-stderr "$tool" "$@" "$f"
		if [ "$status" -ne "$want" ]; then
			echo "$f: $tool exited $status, want $want"
			bad=1
		fi
		if [ -n "$output" ]; then
			echo "$f: $tool wrote to stdout"
			bad=1
		fi
		if [ "$stderr" != "$(sed "s/^/$tool: /" "$name.expected")" ]; then
			echo "$f: $tool said:"
			printf '%s\n' "$stderr"
			echo "want:"
			sed "s/^/$tool: /" "$name.expected"
			bad=1
		fi
	done
	return "$bad"
}

@test "the corpus is there" {
	n=$(find . -name '*.manifest' | wc -l)
	[ "$n" -ge 40 ]
}

@test "zvm-edit -n: every invalid manifest gives its diagnostics, exit 1" {
	corpus 1 zvm-edit -n
}

@test "zvm-edit: every invalid manifest gives its diagnostics, exit 65" {
	corpus 65 zvm-edit
}

@test "zvm-run --check: every invalid manifest gives its diagnostics, exit 125" {
	corpus 125 zvm-run --check
}
