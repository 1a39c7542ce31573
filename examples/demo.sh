#!/bin/sh
# SPDX-License-Identifier: ISC
# demo - the ZeroVM blog's quota example with zvm: write a manifest for a
# program that reads 5 bytes of a 100 MB random file, cut the file's
# channel to 3 reads and 3 bytes with zvm-edit, and show both manifests.
# When zvm-run is built, run both and show the reports.
set -eu

: "${ZVM_BUILD:?run me through make demo}"
dir=demo
prog=$ZVM_BUILD/examples/read5
mkdir -p "$dir"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

if [ ! -f "$dir/file.txt" ] || [ "$(wc -c <"$dir/file.txt")" -ne 104857600 ]; then
	step "making $dir/file.txt: 100 MB of random bytes"
	head -c 104857600 /dev/urandom >"$dir/file.txt.tmp"
	mv "$dir/file.txt.tmp" "$dir/file.txt"
fi

step "zvm-manifest --save-dir $dir -- read5 @$dir/file.txt"
zvm-manifest --save-dir "$dir" -- "$prog" "@$dir/file.txt"
cat "$dir/manifest.1"

step "zvm-edit: the blog's quota of 3 on the data channel"
zvm-edit -e '/dev/1.file.txt:gets=3,get_size=3' "$dir/manifest.1" \
	>"$dir/manifest.quota"
diff -u "$dir/manifest.1" "$dir/manifest.quota" || true

if ! command -v zvm-run >/dev/null 2>&1; then
	step "zvm-run is not built yet: stopping here"
	exit 0
fi

step "zvm-run with the default quotas: the program reads 5 bytes"
zvm-run -r "$dir/run.report" "$dir/manifest.1"
cat "$dir/run.report"

step "zvm-run with the quota of 3: the fourth byte fails with EDQUOT"
rc=0
zvm-run -r "$dir/quota.report" "$dir/manifest.quota" || rc=$?
echo "exit status $rc"
cat "$dir/quota.report"
