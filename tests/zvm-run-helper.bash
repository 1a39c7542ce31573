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

# pym PROGRAM [ARG...]: the manifest of the ZeroVM blog's example, stock
# python3 with its library as an image: PYLIB (DIR or TAR[:ALIAS]), by
# default the directory.
pym() {
	PATH="$ZVM_BUILD:/usr/bin:/bin" zvm-manifest -t 20 \
	    --image "${PYLIB:-/usr/lib/python3.11}" \
	    --image /usr/lib/locale/C.utf8 \
	    --file /usr/share/locale/locale.alias \
	    --file /usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache \
	    --file /etc/localtime \
	    -- "$@"
}

# blog: the blog's example.py and its file.txt in the current directory;
# BLOG_OUT is what it prints with the default quotas.
blog() {
	printf 'hello world\n' >file.txt
	cat >example.py <<'EOT'
import os
f = open('/dev/2.file.txt', 'rb', buffering=0)
print(f.read(5))
print(sorted(os.listdir('/usr/lib/python3.11/encodings'))[:1])
print(os.getcwd(), os.path.isdir('/dev'), os.path.exists('/etc/passwd'))
try:
    print(f.read(5))
except OSError as e:
    print(e.errno, e.strerror)
EOT
}
# shellcheck disable=SC2034	# used by the .bats files
BLOG_OUT=$(printf "%s\n" "b'hello'" "['__init__.py']" "/ True False" \
    "b' worl'")

# term_started PID: once the program wrote its pid to $W/pid (sleeper),
# SIGTERM to zvm-run PID, a background job of the test's own shell (not of
# a function such as as_nobody, whose $! is a subshell's); st is its exit
# status.
# shellcheck disable=SC2034 # st is the caller's
term_started() {
	local _
	for _ in $(seq 50); do [ -s "$W/pid" ] && break; sleep 0.1; done
	kill -TERM "$1"
	st=0
	wait "$1" || st=$?
}
