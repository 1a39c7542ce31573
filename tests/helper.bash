# SPDX-License-Identifier: ISC
# Shared by every tests/*.bats file: bats libraries, the build directory on
# PATH, and small fixtures.  ZVM_BUILD is set by make check.
bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert
bats_load_library bats-file

: "${ZVM_BUILD:=$(cd "$BATS_TEST_DIRNAME/.." && pwd)/build}"
export ZVM_BUILD
PATH="$ZVM_BUILD:$PATH"
export LC_ALL=C

# The test data directory.
export DATA="$BATS_TEST_DIRNAME/data"

# Run a command as an unprivileged user when the suite runs as root, so a
# sandboxed program can never lean on root's capabilities.
as_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	else
		"$@"
	fi
}

# A minimal valid manifest on stdout; $1 is the Program path.
minimal_manifest() {
	cat <<EOT
Version = 20130611
Program = ${1:-/bin/true}
Timeout = 10
Memory = 33554432,0
Channel = /dev/stdin,/dev/stdin,0,0,1,1,0,0
Channel = /dev/stdout,/dev/stdout,0,0,0,0,1,1
Channel = /dev/stderr,/dev/stderr,0,0,0,0,1,1
EOT
}
