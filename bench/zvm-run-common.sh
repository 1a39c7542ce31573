# SPDX-License-Identifier: ISC
# shellcheck disable=SC2034
# Sourced by the bench/zvm-run-* scripts (not executable itself): the
# build paths, a manifest writer and the median of numbers on stdin.
zvm_run=${ZVM_BUILD:+$ZVM_BUILD/}zvm-run
progs=${ZVM_BUILD:-build}/tests/progs
runs=${RUNS:-7}

# manifest PROGRAM ARGS [CHANNEL...]: a manifest on stdout.
manifest() {
	prog=$1
	args=$2
	shift 2
	cat <<EOT
Version = 20130611
Program = $prog
Args = $args
Timeout = 600
Memory = 1073741824,0
Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0
Channel = /dev/stdout,/dev/stdout,0,0,0,0,1000000,1000000000
Channel = /dev/stderr,/dev/stderr,0,0,0,0,1000000,1000000000
EOT
	for c; do
		echo "Channel = $c"
	done
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
