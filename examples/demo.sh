#!/bin/sh
# SPDX-License-Identifier: ISC
# demo - the ZeroVM blog's quota example with zvm, end to end: write a
# manifest for a program that reads 5 bytes of a 100 MB random file and
# prints them in hex, with an etag on its output; run it; cut the file's
# channel to 3 reads and 3 bytes with zvm-edit and run it again (EDQUOT,
# and the report names the quota); then check the run's report with
# zvm-etag -c, and see it catch a changed output file.  Last, the blog's
# own act: stock python3 (a dynamic Debian program, its standard library
# a directory image) reads the file through the same channel, and under
# the quota of 3 fails with OSError errno 122 (EDQUOT).
set -eu

: "${ZVM_BUILD:?run me through make demo}"
dir=demo
prog=$ZVM_BUILD/examples/read5
mkdir -p "$dir"
abs=$(cd "$dir" && pwd)

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
say() {	# narration, indented; an empty argument is an empty line
	for l; do
		if [ -n "$l" ]; then printf '    %s\n' "$l"; else echo; fi
	done
}

if [ ! -f "$dir/file.txt" ] || [ "$(wc -c <"$dir/file.txt")" -ne 104857600 ]; then
	step "making $dir/file.txt: 100 MB of random bytes"
	head -c 104857600 /dev/urandom >"$dir/file.txt.tmp"
	mv "$dir/file.txt.tmp" "$dir/file.txt"
fi

step "zvm-manifest: a manifest for read5 @$dir/file.txt, its output to $dir/read5.out"
say "@FILE becomes a read channel /dev/1.file.txt; zvm-edit then turns" \
    "on the etag of /dev/stdout: an xxh128 digest of every byte written."
zvm-manifest --save-dir "$dir" --stdout "$abs/read5.out" -- \
	"$prog" "@$dir/file.txt"
zvm-edit -i -e '/dev/stdout:etag=1' "$dir/manifest.1"
cat "$dir/manifest.1"

step "zvm-edit: the blog's quota of 3 reads and 3 bytes on the data channel"
say "(and the output of that run goes to $dir/quota.out)"
zvm-edit -e '/dev/1.file.txt:gets=3,get_size=3' \
	-e "/dev/stdout:uri=$abs/quota.out" "$dir/manifest.1" \
	>"$dir/manifest.quota"
diff -u "$dir/manifest.1" "$dir/manifest.quota" || true

step "zvm-run with the default quotas: read5 prints the first 5 bytes in hex"
zvm-run -r "$dir/run.report" "$dir/manifest.1"
say "$dir/read5.out: $(cat "$dir/read5.out")" "" "the report, $dir/run.report:"
cat "$dir/run.report"
say "" "Channel lines hold usage (reads, bytes read, writes, bytes written)" \
    "where the manifest had quotas, and the etag where it was on."

step "zvm-run with the quota of 3: the read after 3 bytes fails with EDQUOT"
rc=0
zvm-run -r "$dir/quota.report" "$dir/manifest.quota" || rc=$?
say "exit status $rc (the program's own); the report, $dir/quota.report:"
cat "$dir/quota.report"
say "" "Quota = /dev/1.file.txt:get_size: the program ran into that" \
    "channel's byte quota for reads."

step "the same run's report as ZeroVM wrote it (--report-format=zerovm)"
zvm-run -f zerovm -r "$dir/run.zerovm" "$dir/manifest.1"
cat "$dir/run.zerovm"
say "Line 4 holds the alias/digest pairs; it names no host file, so" \
    "zvm-etag -c checks the zvm and json formats only."

step "zvm-etag -c $dir/run.report: the output file against its etag"
zvm-etag -c "$dir/run.report"
say "" "Change the output, and the check fails (exit status 1):"
cp "$dir/read5.out" "$dir/read5.out.orig"
printf 'x' >>"$dir/read5.out"
rc=0
zvm-etag -c "$dir/run.report" || rc=$?
say "exit status $rc; putting the output back:"
mv "$dir/read5.out.orig" "$dir/read5.out"
zvm-etag -c "$dir/run.report"

step "stock python3: the blog's script, its standard library as an image"
say "python3 is a dynamic program: zvm-manifest adds its loader and" \
    "libraries as read-only channels; --image gives it /usr/lib/python3.11" \
    "as a read-only tree, metered like any channel."
printf "f = open('/dev/2.file.txt', 'rb')\nprint(f.read(5))\n" \
	>"$dir/example.py"
PATH=/usr/bin:/bin "$ZVM_BUILD/zvm-manifest" --save-dir "$dir/python" \
	--image /usr/lib/python3.11 --image /usr/lib/locale/C.utf8 \
	--file /usr/share/locale/locale.alias \
	--file /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache \
	--file /etc/localtime \
	-- /usr/bin/python3 -I -S "@$dir/example.py" "@$dir/file.txt"
cat "$dir/example.py"
zvm-run -r "$dir/python.report" "$dir/python/manifest.1"

step "stock python3 under the blog's quota of 3 reads and 3 bytes"
zvm-edit -i -e '/dev/2.file.txt:gets=3,get_size=3,puts=3,put_size=3' \
	"$dir/python/manifest.1"
rc=0
zvm-run -r "$dir/python.report" "$dir/python/manifest.1" || rc=$?
say "exit status $rc: Python raised OSError: [Errno 122] Disk quota" \
    "exceeded, as in the blog; the report's data channel and quota:"
grep -e '/dev/2.file.txt' "$dir/python.report"
