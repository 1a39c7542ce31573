#!/bin/sh
# SPDX-License-Identifier: ISC
# job.sh [TEXT] - a word count of TEXT as a four-node zvm job on this
# machine, wired by tcp: channels whose ends find each other by node id
# through zvm-ns:
#   node 1, 2  awk -f map.awk   a half of TEXT each  -> node 3
#   node 3     awk -f reduce.awk  nodes 1 and 2      -> node 4
#   node 4     sort -k1,1nr -k2   node 3             -> out/counts.txt
# Manifests and reports go to out/nodeN.manifest and out/nodeN.report.
set -eu
text=${1:-/usr/share/common-licenses/GPL-3}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p out
cd out
rm -f nsport counts.txt
split -n l/2 "$text" part
zvm-ns -t 30 -P nsport 4 >/dev/null &
ns=$!
while [ ! -s nsport ]; do
	sleep 0.05
done
server=udp:127.0.0.1:$(cat nsport)

# node N ZVM-MANIFEST-ARGS: the manifest of node N.
node() {
	n=$1
	shift
	zvm-manifest -E -t 30 --node "$n" --name-server "$server" "$@" \
	    >"node$n.manifest"
}
node 1 --stdout tcp:3: -- awk -f "@$here/map.awk" @partaa
node 2 --stdout tcp:3: -- awk -f "@$here/map.awk" @partab
node 3 -c 'tcp:1:,/dev/in1,0,0,1G,1G,0,0' -c 'tcp:2:,/dev/in2,0,0,1G,1G,0,0' \
    --stdout tcp:4: -- awk -f "@$here/reduce.awk" /dev/in1 /dev/in2
node 4 --scratch 16M --stdin tcp:3: --stdout "$PWD/counts.txt" -- \
    sort -k1,1nr -k2,2

# Every node at once, in any order; the job fails if one does.
pids=
for n in 1 2 3 4; do
	zvm-run -r "node$n.report" "node$n.manifest" &
	pids="$pids $!"
done
rc=0
for p in $pids; do
	wait "$p" || rc=1
done
wait "$ns" || rc=1
exit "$rc"
