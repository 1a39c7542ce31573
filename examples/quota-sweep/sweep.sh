#!/bin/sh
# SPDX-License-Identifier: ISC
# sweep - find the smallest quota a job needs, by bisection.
#   sh sweep.sh MANIFEST ALIAS FIELD [HI] >result.tsv
# FIELD is get_size, put_size, gets or puts of channel ALIAS; HI is a
# quota the job succeeds with (default: the manifest's).  Each try is the
# manifest with ALIAS:FIELD=Q (zvm-edit), run by zvm-run; it succeeds
# when the program exits 0.  Prints a TSV, one line a try in quota order:
# quota, state, exit, the bytes ALIAS moved (read and written), and the
# quotas hit ("alias:field", or -).  A quota of 0 turns a channel off,
# which is a different manifest: the sweep starts at 1.  The last line, "# smallest Q",
# is the answer.  Also tries 10 quotas evenly below 2Q, for a plot.
set -eu
[ $# -ge 3 ] || { echo "usage: sweep.sh MANIFEST ALIAS FIELD [HI]" >&2; exit 64; }
m=$1 alias=$2 field=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
if [ $# -ge 4 ]; then
	hi=$4
else
	hi=$(zvm-edit -e "$alias:$field=1" "$m" >/dev/null &&
	    awk -F' = ' -v a="$alias" -v f="$field" '
	    BEGIN { i["gets"] = 5; i["get_size"] = 6; i["puts"] = 7
	            i["put_size"] = 8 }
	    $1 == "Channel" { split($2, c, ","); if (c[2] == a) print c[i[f]] }' "$m")
fi

# try Q: run once with the quota, append its TSV line; 0 if it succeeded.
try() {
	zvm-edit -e "$alias:$field=$1" "$m" >"$tmp/m"
	rm -f "$tmp/r"
	code=0
	zvm-run -r "$tmp/r" "$tmp/m" >/dev/null 2>&1 || code=$?
	[ -s "$tmp/r" ] || { echo "sweep.sh: $field=$1: zvm-run wrote no report" >&2; exit 1; }
	awk -F' = ' -v q="$1" -v code="$code" -v a="$alias" '
	$1 == "State" { state = $2 }
	$1 == "Channel" { split($2, c, ","); if (c[2] == a) moved = c[6] + c[8] }
	$1 == "Quota" { hit = hit (hit == "" ? "" : " ") $2 }
	END { printf "%s\t%s\t%s\t%d\t%s\n", q, state, code, moved,
	    hit == "" ? "-" : hit }' "$tmp/r" >>"$tmp/tries"
	[ "$code" -eq 0 ] && [ "$(tail -n 1 "$tmp/tries" | cut -f2)" = ok ]
}

: >"$tmp/tries"
try "$hi" || { echo "sweep.sh: the job fails with $field=$hi" >&2; exit 1; }
lo=0
# Invariant: lo fails (or is 0, never tried), hi succeeds.
while [ $((hi - lo)) -gt 1 ]; do
	mid=$(((lo + hi) / 2))
	if try "$mid"; then hi=$mid; else lo=$mid; fi
done
i=1
while [ $i -le 10 ]; do
	q=$((hi * 2 * i / 10))
	if [ "$q" -gt 0 ]; then try "$q" || :; fi
	i=$((i + 1))
done
printf 'quota\tstate\texit\tmoved\thit\n'
sort -n -u -t "$(printf '\t')" -k1,1 "$tmp/tries"
printf '# smallest %s\n' "$hi"
