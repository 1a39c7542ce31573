#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-run's tcp: channels: a read-only channel binds and takes one
# connection, a write-only one connects (again and again until the peer
# is there, within Timeout); the program sees a stream channel, metered
# and hashed like any.  Two sandboxes over loopback and across network
# namespaces, socat as either end, quotas, and every way a peer can fail
# to come.
load helper
load zvm-run-helper

# The namespaces a test made go even when it fails.
teardown() {
	local ns
	for ns in $(ip netns list 2>/dev/null | awk '{ print $1 }'); do
		case $ns in
		zvmt-*-$$) ip netns del "$ns" ;;
		esac
	done
	rm -rf "$W"
}

# A TCP port free on 127.0.0.1 now.
free_port() {
	/usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# ns_port: the port zvm-ns wrote to ./nsport, once it is there (2.5 s at
# most).
ns_port() {
	for _ in $(seq 50); do
		[ -s nsport ] && break
		sleep 0.05
	done
	cat nsport
}

# reader URI OUT [ZVM-MANIFEST-ARGS]: a manifest for cat from URI to OUT.
reader() {
	local uri=$1 out=$2
	shift 2
	zvm-manifest -E -t "${TIMEOUT:-10}" --stdin "$uri" --stdout "$out" \
	    "$@" /usr/bin/cat
}

# writer URI IN: a manifest for cat of file IN to URI.
writer() {
	zvm-manifest -E -t "${TIMEOUT:-10}" --stdout "$1" /usr/bin/cat "@$2"
}

# etag REPORT ALIAS: the etag field of ALIAS's Channel line.
etag() {
	awk -F, -v a="$2" '/^Channel = / && $2 == a { print $4 }' "$1"
}

@test "tcp: cat through a tcp: channel between two sandboxes; both reports carry the stream's etag" {
	cd "$W"
	seq 1 200000 >in
	port=$(free_port)
	reader "tcp:127.0.0.1:$port" out >mr
	writer "tcp:127.0.0.1:$port" in >mw
	as_nobody zvm-run -r rr mr &
	pid=$!
	run -0 as_nobody zvm-run -r rw mw
	wait "$pid"
	cmp in out
	# Reads as the stream delivers them: their count varies, the bytes
	# do not.
	grep -qx "Channel = tcp:127.0.0.1:$port,/dev/stdin,0,$(etag rr /dev/stdin),[0-9]*,1288895,0,0" rr
	[ "$(etag rr /dev/stdin)" = "$(etag rw /dev/stdout)" ]
	[ "$(etag rr /dev/stdin)" = "$(xxhsum -H2 in | cut -d' ' -f1)" ]
	# zvm-etag pairs the two ends and compares them; a change is seen.
	run -0 zvm-etag -c rr rw
	assert_line "tcp:127.0.0.1:$port (rw -> rr): OK"
	sed "/^Channel = tcp:/s/,[0-9a-f]\{32\},/,00000000000000000000000000000000,/" rr >rr2
	run -1 zvm-etag -c rr2 rw
	assert_line "tcp:127.0.0.1:$port (rw -> rr2): FAILED"
	# The writer first: it tries again until the reader has bound.
	rm out
	as_nobody zvm-run -r rw mw &
	pid=$!
	sleep 0.5
	run -0 as_nobody zvm-run -r rr mr
	wait "$pid"
	cmp in out
}

# pair MR MW: reader manifest MR in the background, writer MW, both as
# nobody and exiting 0; out is what in is.
pair() {
	local pid
	as_nobody zvm-run "$1" &
	pid=$!
	run -0 as_nobody zvm-run "$2"
	wait "$pid"
	cmp in out
}

@test "tcp: an IPv6 address and a host name; socat as the writer and as the reader" {
	cd "$W"
	seq 1 5000 >in
	port=$(free_port)
	reader "tcp:[::1]:$port" out >mr
	writer "tcp:[::1]:$port" in >mw
	pair mr mw
	# An @tcp: argument: a channel the program opens by its alias.
	rm out
	port=$(free_port)
	zvm-manifest -E -t 10 --stdout out /usr/bin/cat "@tcp:127.0.0.1:$port" >mr
	writer "tcp:127.0.0.1:$port" in >mw
	pair mr mw
	# A name, resolved when the run starts.
	rm out
	port=$(free_port)
	reader "tcp:localhost:$port" out >mr
	as_nobody zvm-run mr &
	pid=$!
	socat -u FILE:in "TCP:127.0.0.1:$port,retry=50,interval=0.1"
	wait "$pid"
	cmp in out
	# A zvm writer into socat's listener.
	port=$(free_port)
	writer "tcp:127.0.0.1:$port" in >mw
	socat -u "TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr" OPEN:got,creat &
	pid=$!
	run -0 as_nobody zvm-run mw
	wait "$pid"
	cmp in got
}

@test "tcp: a read quota stops the stream after exactly get_size bytes, with EDQUOT" {
	cd "$W"
	seq 1 100000 >in
	port=$(free_port)
	reader "tcp:127.0.0.1:$port" out >mr
	zvm-edit -i -e '/dev/stdin:get_size=1000' mr
	writer "tcp:127.0.0.1:$port" in >mw
	as_nobody zvm-run -r rr mr 2>err &
	pid=$!
	as_nobody zvm-run -r rw mw || true
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 1 ]
	grep -q 'Disk quota exceeded' err
	cmp out <(head -c 1000 in)
	grep -qx 'Quota = /dev/stdin:get_size' rr
	[ "$(awk -F, '$2 == "/dev/stdin" { print $6 }' rr)" = 1000 ]
}

@test "tcp: no peer, a name that does not resolve, a node id, port 0: clear messages, 124 or 125, never past Timeout" {
	cd "$W"
	port=$(free_port)
	echo x >in
	TIMEOUT=1 writer "tcp:127.0.0.1:$port" in >mw
	start=$(date +%s)
	run -124 --separate-stderr as_nobody zvm-run mw
	[ "$stderr" = "zvm-run: mw:7: Channel /dev/stdout: tcp:127.0.0.1:$port: no peer to connect to within the Timeout (1 s): Connection refused" ]
	TIMEOUT=1 reader "tcp:127.0.0.1:$port" out >mr
	run -124 --separate-stderr as_nobody zvm-run -r rep mr
	[ "$stderr" = "zvm-run: mr:6: Channel /dev/stdin: tcp:127.0.0.1:$port: no peer connected within the Timeout (1 s)" ]
	# The report says so too, every channel with nothing moved.
	grep -qx 'State = timeout' rep
	grep -qx "Message = mr:6: Channel /dev/stdin: tcp:127.0.0.1:$port: no peer connected within the Timeout (1 s)" rep
	grep -qx "Channel = tcp:127.0.0.1:$port,/dev/stdin,0,0,0,0,0,0" rep
	[ $(($(date +%s) - start)) -le 4 ]
	reader "tcp:nosuch.invalid:$port" out >mr
	run -125 --separate-stderr zvm-run -n mr
	[[ "$stderr" == "zvm-run: mr:6: Channel /dev/stdin: tcp:nosuch.invalid:$port: "* ]]
	reader "tcp:3:" out >mr
	run -125 --separate-stderr zvm-run -n mr
	[ "$stderr" = "zvm-run: mr:6: Channel /dev/stdin: tcp:3:: a node id needs the NameServer and Node keys" ]
	# A name server that never answers.
	TIMEOUT=2 writer tcp:2: in | zvm-edit -e Node=1 \
	    -e "NameServer=udp:127.0.0.1:$port" >mw
	run -124 --separate-stderr as_nobody zvm-run mw
	[[ "$stderr" == "zvm-run: mw:7: NameServer udp:127.0.0.1:$port: no reply from name server 127.0.0.1:$port in 2"* ]]
	reader "tcp:127.0.0.1:0" out >mr
	run -125 --separate-stderr zvm-run -n mr
	[ "$stderr" = "zvm-run: mr:6: Channel /dev/stdin: tcp:127.0.0.1:0: the port must be 1 to 65535" ]
	# Read-write, and ';' sources: refused by the manifest's rules.
	reader "tcp:127.0.0.1:$port" out >mr
	run -65 --separate-stderr zvm-edit -e '/dev/stdin:puts=1,put_size=1' mr
	[[ "$stderr" == *"mr:6: Channel /dev/stdin: network channels are read-only or write-only"* ]]
	run -65 --separate-stderr reader "tcp:127.0.0.1:$port;tcp:127.0.0.1:$port" out
	[ "$stderr" = "zvm-manifest: Channel /dev/stdin: several sources for one read channel (ZeroVM's vote) are not supported; ';' is for a write-only channel's broadcast" ]
}

@test "tcp: two sandboxes in two network namespaces, one veth between them" {
	a=zvmt-a-$$ b=zvmt-b-$$
	ip netns add "$a"
	ip netns add "$b"
	ip link add "va$$" netns "$a" type veth peer name "vb$$" netns "$b"
	ip -n "$a" addr add 10.213.0.1/24 dev "va$$"
	ip -n "$b" addr add 10.213.0.2/24 dev "vb$$"
	ip -n "$a" link set "va$$" up
	ip -n "$b" link set "vb$$" up
	cd "$W"
	seq 1 50000 >in
	reader tcp:10.213.0.1:7000 out >mr
	writer tcp:10.213.0.1:7000 in >mw
	ip netns exec "$a" setpriv --reuid=65534 --regid=65534 --clear-groups \
	    zvm-run -r rr mr &
	pid=$!
	rc=0
	ip netns exec "$b" setpriv --reuid=65534 --regid=65534 --clear-groups \
	    zvm-run -r rw mw || rc=$?
	wait "$pid" || rc=$?
	# The writer's way to the reader was the veth: another host.
	ip -n "$b" route get 10.213.0.1 >route
	ip netns del "$a"
	ip netns del "$b"
	[ "$rc" -eq 0 ]
	grep -q "dev vb$$" route
	run ! grep -q ' lo ' route
	cmp in out
	[ "$(etag rr /dev/stdin)" = "$(etag rw /dev/stdout)" ]
}

@test "tcp: three nodes find each other through zvm-ns by node id: cat | sort -n | tac, started in any order" {
	cd "$W"
	seq 1 30000 | shuf --random-source=<(yes) >in
	(zvm-ns -t 20 3 >nsport &)
	ns="udp:127.0.0.1:$(ns_port)"
	writer tcp:2: in | zvm-edit -e Node=1 -e "NameServer=$ns" >n1
	zvm-manifest -E -t 20 --stdin tcp:1: --stdout tcp:3: /usr/bin/sort -n |
	    zvm-edit -e Node=2 -e "NameServer=$ns" >n2
	# tac spills a stream it cannot seek to a temporary file.
	zvm-manifest -E -t 20 --scratch 1M --stdin tcp:2: --stdout out /usr/bin/tac |
	    zvm-edit -e Node=3 -e "NameServer=$ns" >n3
	as_nobody zvm-run -r r3 n3 &
	p3=$!
	as_nobody zvm-run -r r1 n1 &
	p1=$!
	run -0 as_nobody zvm-run -r r2 n2
	wait "$p1"
	wait "$p3"
	sort -n in | tac | cmp - out
	# Each stream's etag is the same on both of its ends: zvm-etag pairs
	# them by the reports' Node lines.
	grep -qx 'Node = 2' r2
	run -0 zvm-etag -c r1 r2 r3
	assert_line "tcp:2: (r1 -> r2): OK"
	assert_line "tcp:3: (r2 -> r3): OK"
}

# fan_out WM WR M1 R1 M2 R2: the readers M1 and M2 (reports R1, R2) in
# the background, the writer WM (report WR), all as nobody; every one
# exits 0 and o1 and o2 are what in is.
fan_out() {
	local a b
	as_nobody zvm-run -r "$4" "$3" &
	a=$!
	as_nobody zvm-run -r "$6" "$5" &
	b=$!
	run -0 as_nobody zvm-run -r "$2" "$1"
	wait "$a"
	wait "$b"
	cmp in o1
	cmp in o2
}

@test "tcp: a write channel of several ends (';') sends every byte to each reader, node ids or addresses" {
	cd "$W"
	seq 1 100000 >in
	p1=$(free_port)
	p2=$(free_port)
	reader "tcp:127.0.0.1:$p1" o1 >r1
	reader "tcp:127.0.0.1:$p2" o2 >r2
	writer "tcp:127.0.0.1:$p1;tcp:127.0.0.1:$p2" in >w
	fan_out w repw r1 rep1 r2 rep2
	run -0 zvm-etag -c repw rep1 rep2
	assert_line "tcp:127.0.0.1:$p1 (repw -> rep1): OK"
	assert_line "tcp:127.0.0.1:$p2 (repw -> rep2): OK"
	# ZeroVM's form: node ids, through the name server.
	rm -f nsport o1 o2
	(zvm-ns -t 20 -P nsport 3 >/dev/null &)
	ns="udp:127.0.0.1:$(ns_port)"
	zvm-manifest -E -t 20 --node 1 --name-server "$ns" \
	    --stdout "tcp:2:;tcp:3:" /usr/bin/cat @in >n1
	zvm-manifest -E -t 20 --node 2 --name-server "$ns" --stdin tcp:1: \
	    --stdout o1 /usr/bin/cat >n2
	zvm-manifest -E -t 20 --node 3 --name-server "$ns" --stdin tcp:1: \
	    --stdout o2 /usr/bin/cat >n3
	fan_out n1 q1 n2 q2 n3 q3
	run -0 zvm-etag -c q1 q2 q3
	assert_line "tcp:2: (q1 -> q2): OK"
	assert_line "tcp:3: (q1 -> q3): OK"
}

@test "tcp: three nodes in three network namespaces on one bridge find each other through zvm-ns in a fourth" {
	local h=zvmt-h-$$ n
	ip netns add "$h"
	ip -n "$h" link add br0 type bridge
	ip -n "$h" addr add 10.214.0.254/24 dev br0
	ip -n "$h" link set br0 up
	for n in 1 2 3; do
		ip netns add "zvmt-$n-$$"
		ip link add "v$n-$$" netns "zvmt-$n-$$" type veth peer \
		    name "b$n" netns "$h"
		ip -n "$h" link set "b$n" master br0 up
		ip -n "zvmt-$n-$$" addr add "10.214.0.$n/24" dev "v$n-$$"
		ip -n "zvmt-$n-$$" link set "v$n-$$" up
	done
	cd "$W"
	seq 1 20000 | shuf --random-source=<(yes) >in
	ip netns exec "$h" zvm-ns -b 10.214.0.254 -t 20 -P nsport 3 \
	    >/dev/null &
	ns=$!
	srv="udp:10.214.0.254:$(ns_port)"
	zvm-manifest -E -t 20 --node 1 --name-server "$srv" --stdout tcp:2: \
	    /usr/bin/cat @in >n1
	zvm-manifest -E -t 20 --node 2 --name-server "$srv" --stdin tcp:1: \
	    --stdout tcp:3: /usr/bin/sort -n >n2
	zvm-manifest -E -t 20 --node 3 --name-server "$srv" --stdin tcp:2: \
	    --stdout out /usr/bin/cat >n3
	pids=
	for n in 3 2 1; do
		ip netns exec "zvmt-$n-$$" setpriv --reuid=65534 --regid=65534 \
		    --clear-groups zvm-run -r "r$n" "n$n" &
		pids="$pids $!"
	done
	rc=0
	for p in $pids $ns; do
		wait "$p" || rc=$?
	done
	for n in 1 2 3; do
		ip netns del "zvmt-$n-$$"
	done
	ip netns del "$h"
	[ "$rc" -eq 0 ]
	sort -n in | cmp - out
	run -0 zvm-etag -c r1 r2 r3
	assert_line "tcp:2: (r1 -> r2): OK"
	assert_line "tcp:3: (r2 -> r3): OK"
}
