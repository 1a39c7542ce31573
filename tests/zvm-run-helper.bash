# SPDX-License-Identifier: ISC
# Shared by the zvm-run*.bats files: a scratch directory nobody can use
# ($W), the test programs ($P) and mf, which writes a manifest for one.

P="$ZVM_BUILD/tests/progs"

setup() {
	W=$(mktemp -d /tmp/zvm-run-test.XXXXXX)
	chmod 777 "$W"
	umask 000
}

teardown() {
	rm -rf "$W"
}

# mf PROG [CHANNEL-VALUE...]: a manifest for test program PROG (Timeout 10
# unless TIMEOUT is set) with the std channels plus the given channels.
mf() {
	local prog=$1 c
	shift
	cat <<EOT
Version = 20130611
Program = $P/$prog
Timeout = ${TIMEOUT:-10}
Memory = ${MEMORY:-268435456},0
Channel = /dev/stdin,/dev/stdin,0,0,1000,100000000,0,0
Channel = /dev/stdout,/dev/stdout,0,0,0,0,100000,100000000
Channel = /dev/stderr,/dev/stderr,0,0,0,0,100000,100000000
EOT
	for c; do
		echo "Channel = $c"
	done
}
