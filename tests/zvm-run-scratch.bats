#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run's Scratch: a private writable /tmp.  Its calls answer as on a
# local file system (tests/progs/scratch run natively and under zvm-run),
# stock sort spills into it, python3's tempfile works in it, its quota
# cuts a write and then says EDQUOT, its names never reach the host, and
# its bytes are gone when the run ends however it ends.
load helper
load zvm-run-helper

# A tmpfs for zvm-run's own TMPDIR, so what the scratch holds on the host
# can be measured; unmounted after each test.
host_tmpfs() {
	mkdir "$W/host"
	mount -t tmpfs -o size=64m,mode=1777 zvm-test "$W/host"
}

teardown() {
	if mountpoint -q "$W/host" 2>/dev/null; then
		umount "$W/host"
	fi
	rm -rf "$W"
}

# bg_nobody CMD...: as_nobody, but as this very process (exec), so that a
# job started with ( bg_nobody ... ) & has CMD's pid in $!.
bg_nobody() {
	if [ "$(id -u)" -eq 0 ]; then
		exec setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
	fi
	exec "$@"
}

# Wait (5 s at most) for the fill job to say it wrote.
wrote() {
	for _ in $(seq 100); do
		grep -q wrote "$W/out" && return
		sleep 0.05
	done
}

# KiB in use on the tmpfs.
used() {
	df --output=used "$W/host" | tail -n 1 | tr -d ' '
}

# sm PROG [ARG...]: a manifest for test program PROG with a Scratch of
# ${SCRATCH:-1M} and Timeout ${TIMEOUT:-10}.
sm() {
	zvm-manifest -t "${TIMEOUT:-10}" --scratch "${SCRATCH:-1M}" --no-libs \
	    -- "$P/$@"
}

@test "scratch: mkdir, O_CREAT, O_TMPFILE, rename, unlink, truncate, maps and listings answer as natively" {
	mkdir "$W/native"
	chmod 777 "$W/native"
	run -0 --separate-stderr as_nobody "$P/scratch" ops "$W/native"
	[ "$stderr" = "PASS 135 checks" ]
	sm scratch ops /tmp >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 135 checks" ]
	# The most it held: 101 bytes (a hole to 100), 4 entries at once.
	grep -qx 'Scratch = 101,4' "$W/rep"
	run ! grep -q '^Denied\|^Limit' "$W/rep"
}

@test "scratch: no links, devices or FIFOs; no way out of /tmp; EXDEV to elsewhere" {
	sm scratch attack >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$stderr" = "PASS 18 checks" ]
	grep -qx 'Denied = symlink:1,mknodat:1,link:1,mkdir:1,unlink:1,truncate:1' \
	    "$W/rep"
}

@test "scratch: sort -S 1M of a larger file spills into it and matches a direct sort" {
	cd "$W"
	seq 1 300000 | shuf --random-source=<(yes) >in
	zvm-manifest -t 20 --scratch 64M --stdout out /usr/bin/sort -S 1M @in >m
	grep -qx 'Scratch = 67108864' m
	run -0 as_nobody zvm-run -r rep m
	sort -S 1M in | cmp - out
	# It spilled: more than the 1 MiB buffer went to temp files.
	awk -F'[ ,]' '/^Scratch = / { exit !($3 > 1048576 && $4 >= 2) }' rep
	# The same sort with a scratch too small fails in sort's words.
	zvm-edit -i -e Scratch=256K m
	run -2 --separate-stderr as_nobody zvm-run -r rep m
	[[ "$stderr" == "sort: write failed: /tmp/sort"*": Disk quota exceeded" ]]
	grep -qx 'Scratch = 262144,[0-9]*' rep
	grep -qx 'Limit = Scratch' rep
}

@test "scratch: a write past its bytes is cut to what fits, then EDQUOT; so are truncate and a new entry past Files" {
	SCRATCH=100000 sm scratch fill /tmp 250000 0 >"$W/m"
	run -0 --separate-stderr as_nobody zvm-run -r "$W/rep" "$W/m"
	[ "$output" = "wrote 100000 errno 122" ]
	grep -qx 'Scratch = 100000,1' "$W/rep"
	grep -qx 'Limit = Scratch' "$W/rep"
	# Stock tools: cp's writes, truncate's ftruncate.
	cd "$W"
	zvm-manifest --scratch 10000 /usr/bin/cp /dev/zero /tmp/z >m
	run -1 --separate-stderr as_nobody zvm-run -r rep m
	[ "$stderr" = "cp: error writing '/tmp/z': Disk quota exceeded" ]
	grep -qx 'Scratch = 10000,1' rep
	zvm-manifest --scratch 10000 /usr/bin/truncate -s 10001 /tmp/t >m
	run -1 --separate-stderr as_nobody zvm-run m
	[[ "$stderr" == *"Disk quota exceeded"* ]]
	zvm-manifest --scratch 10000 /usr/bin/truncate -s 10000 /tmp/t >m
	run -0 as_nobody zvm-run m
	# Files = 2: two entries, and the third is refused.
	zvm-manifest --scratch 10000 --files 2 /usr/bin/touch /tmp/1 /tmp/2 \
	    /tmp/3 >m
	run -1 --separate-stderr as_nobody zvm-run -r rep m
	[[ "$stderr" == *"touch: cannot touch '/tmp/3': Disk quota exceeded"* ]]
	grep -qx 'Scratch = 0,2' rep
	grep -qx 'Limit = Scratch' rep
}

@test "scratch: its files are never named on the host and are gone after a timeout and after SIGKILL" {
	host_tmpfs
	base=$(used)
	TIMEOUT=3 SCRATCH=16M sm scratch fill /tmp 8388608 60 >"$W/m"
	# A timeout: the program sleeps with 8 MiB in the scratch.
	(TMPDIR="$W/host" bg_nobody zvm-run "$W/m" >"$W/out" 2>/dev/null) &
	pid=$!
	wrote
	[ "$(cat "$W/out")" = "wrote 8388608 errno 0" ]
	[ "$(used)" -ge $((base + 8192)) ]
	[ -z "$(ls -A "$W/host")" ]
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 124 ]
	[ "$(used)" -eq "$base" ]
	# SIGKILL to zvm-run itself: the program dies with it, and so do
	# the files.
	TIMEOUT=60 SCRATCH=16M sm scratch fill /tmp 8388608 60 >"$W/m"
	(TMPDIR="$W/host" bg_nobody zvm-run "$W/m" >"$W/out" 2>/dev/null) &
	pid=$!
	wrote
	[ "$(used)" -ge $((base + 8192)) ]
	kill -9 "$pid"
	for _ in $(seq 100); do
		[ "$(used)" -eq "$base" ] && break
		sleep 0.05
	done
	[ "$(used)" -eq "$base" ]
	[ -z "$(ls -A "$W/host")" ]
}

@test "scratch: python3's tempfile (mkdtemp, NamedTemporaryFile, TemporaryFile, rmtree) as directly" {
	cd "$W"
	cat >t.py <<'EOT'
import os, shutil, tempfile
d = tempfile.mkdtemp()
with open(os.path.join(d, 'a.txt'), 'w') as f:
    f.write('alpha\n')
with tempfile.NamedTemporaryFile('w+', dir=d, delete=False) as f:
    f.write('beta')
    name = f.name
with tempfile.TemporaryFile() as f:
    f.write(b'gamma')
    f.seek(0)
    print(f.read())
os.rename(name, os.path.join(d, 'b.txt'))
print(sorted(os.listdir(d)), open(os.path.join(d, 'b.txt')).read())
shutil.rmtree(d)
print(os.path.exists(d), tempfile.gettempdir() == os.environ['TMPDIR'])
EOT
	mkdir native
	chmod 777 native
	want=$(TMPDIR="$W/native" as_nobody /usr/bin/python3 -I -S t.py)
	pym python3 -I -S @t.py | zvm-edit -e Scratch=1M >m
	run -0 --separate-stderr as_nobody zvm-run -r rep m
	[ "$output" = "$want" ]
	[ "$(sed -n 2p <<<"$output")" = "['a.txt', 'b.txt'] beta" ]
	[ -z "$(ls -A native)" ]
	grep -qx 'Scratch = 15,4' rep
}

@test "scratch: the key in every tool; no channel may live in /tmp; TMPDIR unless Env sets it" {
	cd "$W"
	run -0 zvm-manifest --scratch 64K /bin/true
	assert_line 'Scratch = 65536'
	run -64 --separate-stderr zvm-manifest --scratch 1Q /bin/true
	[ "$stderr" = "zvm-manifest: --scratch 1Q: not a number" ]
	zvm-manifest /bin/true >m
	run -0 zvm-edit -e Scratch=2K m
	assert_line 'Scratch = 2048'
	run -0 zvm-edit -e Scratch=0 m
	assert_line 'Scratch = 0'
	echo x >x
	zvm-manifest --scratch 1K --file "$W/x:/tmp/x" /bin/true >m 2>/dev/null ||
		true
	minimal_manifest >m
	printf 'Scratch = 1024\nChannel = %s,/tmp/x,1,0,1,1,0,0\n' "$W/x" >>m
	run -125 --separate-stderr zvm-run -n m
	[ "$stderr" = "zvm-run: m:9: Channel: alias /tmp/x is in the Scratch directory /tmp (Scratch: line 8)" ]
	# TMPDIR: /tmp, unless the manifest's Env says otherwise.
	zvm-manifest --scratch 1K --stdout out /usr/bin/printenv TMPDIR >m
	run -0 as_nobody zvm-run m
	[ "$(cat out)" = /tmp ]
	zvm-manifest --scratch 1K -e TMPDIR=/tmp/sub --stdout out \
	    /usr/bin/printenv TMPDIR >m
	run -0 as_nobody zvm-run m
	[ "$(cat out)" = /tmp/sub ]
	# statfs: a tmpfs of Scratch bytes and Files entries.
	zvm-manifest --scratch 64K --files 9 --stdout out /usr/bin/stat -f \
	    -c '%T %S %b %a %c %d' /tmp >m
	run -0 as_nobody zvm-run m
	[ "$(cat out)" = "tmpfs 4096 16 16 9 9" ]
	# Without Scratch there is no /tmp.
	zvm-manifest --stdout out /usr/bin/ls -a /tmp >m
	run -2 as_nobody zvm-run m
	zvm-manifest --scratch 1K --stdout out /usr/bin/ls -a /tmp >m
	run -0 as_nobody zvm-run m
	[ "$(cat out)" = "$(printf '.\n..')" ]
}
