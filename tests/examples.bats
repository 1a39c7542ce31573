#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The worked examples of examples/, run as their READMEs say, their
# output checked.
load helper
load zvm-run-helper

# The sshd of the remote-hosts test, if one was started, and $W.
teardown() {
	if [ -s "$W/ssh/pid" ]; then
		kill "$(cat "$W/ssh/pid")" || true
	fi
	rm -rf "$W"
}

# example NAME: cd to a copy of examples/NAME in $W, for nobody to run;
# make runs as from a shell, not as a sub-make of make check.
example() {
	unset MAKEFLAGS MFLAGS MAKELEVEL
	cp -r "$BATS_TEST_DIRNAME/../examples/$1" "$W/$1"
	rm -rf "$W/$1/out"
	chmod -R a+rwX "$W/$1"
	cd "$W/$1"
}

@test "examples/batch: make -j runs a job per input, then only what changed" {
	example batch
	run -0 as_nobody make -j2
	for f in in/*.txt; do
		n=$(basename "$f" .txt)
		[ "$(cat "out/$n.txt")" = "$(LC_ALL=C sort "$f")" ]
		grep -qx 'State = ok' "out/$n.report"
	done
	run -0 as_nobody make
	assert_output "make: Nothing to be done for 'all'."
	sleep 1
	touch in/words.txt
	run -0 as_nobody make
	assert_output --partial 'zvm-run -r out/words.report -'
	refute_output --partial fruit
}

@test "examples/batch: verify checks every output and input; summary tabulates the reports" {
	example batch
	as_nobody make -j2 >/dev/null
	run -0 as_nobody make -s verify
	assert_line "$W/batch/out/fruit.txt: OK"
	assert_line "$W/batch/in/fruit.txt: OK"
	echo tampered >>out/words.txt
	run -2 as_nobody make -s verify
	assert_line "$W/batch/out/words.txt: FAILED"
	run -0 as_nobody make -s summary
	assert_line --index 0 --regexp '^job +state +exit +bytes_in +bytes_out +time$'
	assert_line --regexp '^fruit +ok +0 +22 +22 +[0-9.]+$'
	assert_line --regexp '^numbers +ok +0 +51 +51 +[0-9.]+$'
	[ "${#lines[@]}" -eq 4 ]
}

@test "examples/batch: a job past its quota stops make with its status and leaves no output" {
	example batch
	run -2 as_nobody make QUOTA=10
	assert_output --partial 'Disk quota exceeded'
	assert_output --partial "Deleting file 'out/"
	# The first job failed (make stops there); nothing half-written.
	for f in out/*.txt; do
		[ -e "$f" ] || continue
		n=$(basename "$f" .txt)
		[ "$(cat "$f")" = "$(LC_ALL=C sort "in/$n.txt")" ]
	done
	run -0 as_nobody make -s summary QUOTA=10 -k -i
	assert_line --regexp '^[a-z]+ +ok +2 +10 +0 +[0-9.]+$'
}

@test "examples/batch: the README's xargs -P and GNU parallel recipes" {
	example batch
	awk '/^```sh$/{n++; on=1; next} /^```$/{on=0} on && n == 2' README.md >recipe.sh
	run -0 as_nobody sh -e recipe.sh
	for f in in/*.txt; do
		n=$(basename "$f" .txt)
		[ "$(cat "out/$n.txt")" = "$(LC_ALL=C sort "$f")" ]
		grep -qx 'State = ok' "out/$n.manifest.report"
	done
	[ "$(awk 'NR > 1 && $7 == 0' out/jobs.log | wc -l)" -eq 3 ]
}

# sshd_up: a throwaway sshd on 127.0.0.1 and a free high port, its keys and
# config in $W/ssh, for the remote-hosts recipe. Test-only details: it
# logs in as root with a temporary key, and its ForceCommand runs every
# remote command as nobody (setpriv), with HOME in $W/ssh/home and the
# suite's tools first on PATH; host1 and host2 in ssh_config both name it.
sshd_up() {
	local d="$W/ssh" port try i
	mkdir -p "$d/home"
	# sshd's privilege-separation folder: it refuses one that others
	# may write, and a machine has been seen with it mode 777.
	install -d -m 755 -o root -g root /run/sshd
	chmod 777 "$d/home"
	ssh-keygen -q -t ed25519 -N '' -f "$d/hostkey"
	ssh-keygen -q -t ed25519 -N '' -f "$d/key"
	cp "$d/key.pub" "$d/authorized_keys"
	for try in 1 2 3 4 5; do
		port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
		cat >"$d/sshd_config" <<EOT
ListenAddress 127.0.0.1:$port
HostKey $d/hostkey
PidFile none
AuthorizedKeysFile $d/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
ForceCommand cd $d/home && exec setpriv --reuid=65534 --regid=65534 --clear-groups env HOME=$d/home SHELL=/bin/sh PATH=$ZVM_BUILD:/usr/bin:/bin /bin/sh -c "\$SSH_ORIGINAL_COMMAND"
EOT
		# In the foreground, its pid known at once for teardown; up
		# when it logs that it listens, or gone if the port was taken.
		/usr/sbin/sshd -D -f "$d/sshd_config" -E "$d/sshd.log" \
		    </dev/null >/dev/null 2>&1 3>&- &
		echo $! >"$d/pid"
		for i in $(seq 100); do
			grep -q '^Server listening' "$d/sshd.log" 2>/dev/null && break
			kill -0 "$(cat "$d/pid")" 2>/dev/null || break
			sleep 0.05
		done
		grep -q '^Server listening' "$d/sshd.log" 2>/dev/null && break
		rm -f "$d/pid"
	done
	[ -s "$d/pid" ]
	cat >"$d/ssh_config" <<EOT
Host host1 host2
	HostName 127.0.0.1
	Port $port
	User root
	IdentityFile $d/key
	IdentitiesOnly yes
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	BatchMode yes
	LogLevel ERROR
EOT
	export PARALLEL_SSH="ssh -F $d/ssh_config"
}

@test "examples/batch: the README's GNU parallel recipe for remote hosts, over a local sshd" {
	example batch
	sshd_up
	run -0 ssh -F "$W/ssh/ssh_config" host2 id -u
	assert_output 65534
	awk '/^```sh$/{n++; on=1; next} /^```$/{on=0} on && n == 3' README.md >recipe.sh
	grep -q -- '^parallel -S host1,host2 ' recipe.sh
	run -0 sh -e recipe.sh
	for f in in/*.txt; do
		n=$(basename "$f" .txt)
		[ "$(cat "out/$n.txt")" = "$(LC_ALL=C sort "$f")" ]
		grep -qx 'State = ok' "out/$n.report"
		grep -qx 'Exit = 0' "out/$n.report"
		# Run on the far side: its channels are in the remote workdir.
		grep -q "^Channel = $W/ssh/home/.parallel/tmp/[^,]*/out/$n.txt,/dev/stdout,0,$(zvm-etag "out/$n.txt" | cut -c1-32)," \
		    "out/$n.report"
	done
	# Every job once, each exit 0; both hosts used; nothing left there.
	[ "$(awk 'NR > 1 && $7 == 0' out/remote.log | wc -l)" -eq 3 ]
	[ "$(awk 'NR > 1' out/remote.log | wc -l)" -eq 3 ]
	[ "$(awk 'NR > 1 { print $2 }' out/remote.log | sort -u | tr '\n' ' ')" = 'host1 host2 ' ]
	[ "$(find "$W/ssh/home/.parallel/tmp" -type f | wc -l)" -eq 0 ]
}

@test "examples/quota-sweep: the smallest quotas found are exact, and plotted" {
	example quota-sweep
	run -0 as_nobody make -s
	size=$(wc -c <out/data.txt)
	[ "$(tail -n 1 out/gzip-in.tsv)" = "# smallest $size" ]
	[ "$(tail -n 1 out/sort-in.tsv)" = "# smallest $size" ]
	# gzip's output: Q works, Q - 1 hits put_size; Q is what it wrote.
	q=$(sed -n 's/^# smallest //p' out/gzip-out.tsv)
	[ "$q" -gt 1000 ]
	run -0 awk -F'\t' -v q="$q" '$1 == q' out/gzip-out.tsv
	assert_output "$q	ok	0	$q	-"
	run -0 awk -F'\t' -v q="$((q - 1))" '$1 == q' out/gzip-out.tsv
	assert_output "$((q - 1))	ok	1	$((q - 1))	/dev/stdout:put_size"
	# Every try in quota order, header first, each a valid line.
	run -0 awk -F'\t' 'NR == 1 { print; next } /^#/ { next }
	    NF != 5 || $1 + 0 <= prev { print "bad: " $0 } { prev = $1 + 0 }' out/gzip-out.tsv
	assert_output "quota	state	exit	moved	hit"
	for p in gzip-in gzip-out sort-in; do
		[ "$(head -c 8 "out/$p.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]
	done
	# A job that fails at any quota is refused, not bisected.
	run -1 --separate-stderr as_nobody sh sweep.sh out/gzip.manifest /dev/1.data.txt get_size 10
	[ "$stderr" = "sweep.sh: the job fails with get_size=10" ]
}

@test "examples/repeat: two runs of one job carry the same bytes on every channel" {
	mkdir "$W/rp"
	cd "$W/rp"
	run -0 as_nobody sh "$BATS_TEST_DIRNAME/../examples/repeat/repeat.sh"
	size=$(wc -c </usr/share/common-licenses/GPL-3)
	assert_output "identical: 5 channel etags, $size bytes of output"
	[ "$(cat out.txt)" = "$(LC_ALL=C sort /usr/share/common-licenses/GPL-3)" ]
	# A job that does not repeat is caught: it prints the clock.
	zvm-manifest -E --stdout "$PWD/out.txt" -- date +%s.%N >m
	run -1 as_nobody sh "$BATS_TEST_DIRNAME/../examples/repeat/repeat.sh" m
	assert_output --partial '< Channel = '
}

# readme N: the Nth ```sh block of README.md.
readme() {
	awk -v n="$1" '/^```sh$/ { k++; on = k == n; next } /^```$/ { on = 0 } on' \
	    "$BATS_TEST_DIRNAME/../README.md"
}

@test "README: every sh block that is not make runs as written" {
	cd "$W"
	# The blocks, in order: make; the pipeline; zvm-edit -i; python3;
	# Go, Rust, node and Java; a batch; make.  A new block needs a case
	# here.
	[ "$(readme 1 | head -n 1 | cut -c1-9)" = 'make demo' ]
	[ "$(readme 7 | head -n 1 | cut -c1-4)" = 'make' ]
	[ "$(readme 8)" = '' ]
	# The pipeline: a stock program cut to 3 bytes, its report verified.
	printf 'hello world\n' >data.txt
	cp /bin/cat prog
	readme 2 >pipeline.sh
	chmod -R a+rwX .
	run -0 as_nobody sh pipeline.sh
	assert_line "$W/data.txt: OK (first 3 of 12 bytes)"
	grep -qx 'Quota = /dev/1.data.txt:get_size' run.report
	# zvm-edit -i: the blog's three sed lines.
	printf x >a; printf y >b; printf 'hello world\n' >file.txt
	zvm-manifest --save-dir . -- /bin/cat @a @b @file.txt
	readme 3 >edit.sh
	run -0 sh edit.sh
	grep -q '^Channel = [^,]*,/dev/3.file.txt,1,0,3,3,3,3$' manifest.1
	grep -q '^Channel = /dev/stdout,/dev/stdout,' manifest.1
	# python3 with its library as an image, cut by the quota.
	cat >example.py <<'EOT'
import sys
with open(sys.argv[1], 'rb', buffering=0) as f:
    print(f.read(5))
EOT
	readme 4 >python.sh
	chmod -R a+rwX .
	run -0 as_nobody sh python.sh
	assert_output "b'hel'"
	grep -qx 'Quota = /dev/2.file.txt:get_size' report
	# Go, Rust, node and Java, built here from the suite's sources.
	mkdir rt
	cd rt
	readme 5 >runtimes.sh
	J=$(sed -n 's/^J=//p' runtimes.sh)
	HOME="$W" GOCACHE="$W/gocache" GO111MODULE=off \
	    go build -o prog "$BATS_TEST_DIRNAME/go/events.go"
	rustc --edition 2021 -o count "$BATS_TEST_DIRNAME/rust/events.rs"
	mkdir classes
	"$J/bin/javac" -d classes "$BATS_TEST_DIRNAME/java/Digest.java"
	cat >app.js <<'EOT'
const d = require('fs').readFileSync(process.argv[2], 'utf8');
console.log(d.length, d.split('\n').length - 1);
EOT
	seq 1 1000 >in.txt
	{
		./prog in.txt go.want
		./count in.txt rust.want
		node app.js in.txt
		"$J/bin/java" -cp classes Digest in.txt
	} >want
	[ "$(sed -n 3p want)" = "3893 1000" ]
	chmod -R a+rwX .
	run -0 --separate-stderr as_nobody sh runtimes.sh
	[ "$output" = "$(cat want)" ]
	[ "$stderr" = "" ]
	cmp go.want go.txt
	cmp rust.want rust.txt
	for m in go rust node java; do
		grep -qx 'State = ok' "$m.report"
		grep -qx 'Exit = 0' "$m.report"
	done
	# A batch: 250 jobs, three zvm-runs, a report beside each manifest.
	cd "$W"
	mkdir jobs
	for i in $(seq 250); do
		zvm-manifest -- /bin/echo "$i" >"jobs/$i.manifest"
	done
	readme 6 >batch.sh
	chmod -R a+rwX .
	run -0 as_nobody sh batch.sh
	[ "$(printf '%s\n' "$output" | sort -n)" = "$(seq 250)" ]
	[ "$(grep -lx 'State = ok' jobs/*.manifest.report | wc -l)" -eq 250 ]
}

# zvm7 N: the Nth literal display of zvm(7), its roff escapes undone.
zvm7() {
	awk -v n="$1" '/^\.Bd -literal/ { k++; on = k == n; next } /^\.Ed/ { on = 0 } on' \
	    "$BATS_TEST_DIRNAME/../man/zvm.7" | sed 's/\\&//g; s/\\\\/\\/g'
}

@test "zvm(7): its pipelines, Makefile rule and xargs and parallel lines run as written" {
	cd "$W"
	unset MAKEFLAGS MFLAGS MAKELEVEL
	[ "$(zvm7 6)" = '' ]
	printf 'hello world\n' >data.txt
	cp /bin/cat prog
	zvm7 1 >pipeline.sh
	[ "$(head -c 12 pipeline.sh)" = 'zvm-manifest' ]
	printf 'one two\nthree\n' >words.txt
	cp /usr/bin/wc wc-static
	zvm7 2 >job.sh
	cp /usr/bin/wc count
	printf 'a b c\n' >a.txt
	printf 'd\ne\n' >b.txt
	{ zvm7 3; printf 'all: a.out b.out\n'; } >Makefile
	mkdir jobs
	zvm-manifest -- ./count @a.txt >jobs/a.manifest
	zvm-manifest -- ./count @b.txt >jobs/b.manifest
	zvm7 4 >xargs.sh
	zvm7 5 >parallel.sh
	chmod -R a+rwX .
	run -0 as_nobody sh pipeline.sh
	assert_line "$W/data.txt: OK (first 3 of 12 bytes)"
	run -0 as_nobody sh job.sh
	assert_output " 2  3 14 /dev/1.words.txt
State = ok"
	run -0 as_nobody make -s
	[ "$(cat a.out)" = "1 3 6 /dev/1.a.txt" ]
	[ "$(cat b.out)" = "2 2 4 /dev/1.b.txt" ]
	grep -qx 'State = ok' a.report
	run -0 as_nobody sh xargs.sh
	grep -qx 'Exit = 0' jobs/a.manifest.report
	grep -qx 'Exit = 0' jobs/b.manifest.report
	run -0 as_nobody sh parallel.sh
	assert_output "1 3 6 /dev/1.a.txt
2 2 4 /dev/1.b.txt"
	grep -qx 'Exit = 0' jobs/b.report
	[ "$(awk 'NR > 1 && $7 == 0' jobs.log | wc -l)" -eq 2 ]
}

@test "examples/wordcount: four nodes through zvm-ns count the words as directly, every stream's two etags equal" {
	example wordcount
	run -0 as_nobody make -s
	[ "${lines[0]}" = "$(awk -f map.awk /usr/share/common-licenses/GPL-3 |
	    awk -f reduce.awk | sort -k1,1nr -k2,2 | head -n 1)" ]
	run -0 as_nobody make check
	run -0 as_nobody make -s streams
	refute_output --partial FAILED
	assert_line "tcp:3: (out/node1.report -> out/node3.report): OK"
	assert_line "tcp:3: (out/node2.report -> out/node3.report): OK"
	assert_line "tcp:4: (out/node3.report -> out/node4.report): OK"
	for n in 1 2 3 4; do
		grep -qx 'State = ok' "out/node$n.report"
	done
	# A lost byte is caught: one end's etag changed.
	sed -i '/^Channel = tcp:3:/s/,[0-9a-f]\{32\},/,00000000000000000000000000000000,/' \
	    out/node1.report
	run -2 make -s streams
	assert_line "tcp:3: (out/node1.report -> out/node3.report): FAILED"
}
