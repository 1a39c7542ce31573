#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# zvm-ns: fake nodes (tests/unit/nsnode, which is zvm_ns_resolve(), and
# python3 with struct, as a ZeroVM-era node) register and get their
# peers' addresses; bad packets, timeouts, retries, refusals, -v, -P and
# the port on stdout; nsnode against a ZeroVM-era server written in
# python3 from the documented format.

load helper

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
	NODE=$ZVM_BUILD/tests/unit/nsnode
	[ -x "$NODE" ] || skip "tests/unit/nsnode not built"
}

teardown() {
	if [ -n "${NS:-}" ]; then
		kill "$NS" 2>/dev/null || true
	fi
}

# Start zvm-ns "$@" in the background: NS gets its pid and PORT its port,
# read from its stdout, which it closes after that line; stderr goes to
# ns.err.
start_ns() {
	mkfifo ns.out
	zvm-ns "$@" >ns.out 2>ns.err 3>&- &
	NS=$!
	PORT=
	read -r PORT <ns.out || true
	rm -f ns.out
	if [ -z "$PORT" ]; then
		cat ns.err >&2
		return 1
	fi
}

# Wait for zvm-ns; NS_RC gets its status.
wait_ns() {
	NS_RC=0
	wait "$NS" || NS_RC=$?
	NS=
}

# nsnode as node $1 in the background, output in n$1.out and n$1.err;
# it resends every NODE_I ms and gives up after NODE_T ms.
node() {
	local id=$1
	shift
	"$NODE" -i "${NODE_I:-1000}" -t "${NODE_T:-5000}" "127.0.0.1:$PORT" \
	    "$id" "$@" >"n$id.out" 2>"n$id.err" 3>&- &
	eval "P$id=\$!"
}

# Wait for node $1's nsnode; RC gets its status.
wait_node() {
	local pid
	eval "pid=\$P$1"
	RC=0
	wait "$pid" || RC=$?
}

# Wait up to 10 s for a line matching regex $1 in ns.err.
wait_err() {
	for _ in $(seq 200); do
		grep -qE -- "$1" ns.err && return 0
		sleep 0.05
	done
	echo "no '$1' in ns.err:" >&2
	cat ns.err >&2
	return 1
}

# Send the bytes of hex string $2 to 127.0.0.1:$1 from a fresh socket.
rawsend() {
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))' "$@"
}

need_python() {
	command -v python3 >/dev/null || skip "python3 not installed"
}

@test "three nodes register and each gets its peers' addresses" {
	start_ns -l 0 -t 20 3
	# 1 -> 2 -> 3 -> 1, and 1 -> 3 as well.
	node 1 b:3:4001 c:2 c:3
	node 2 b:1:4002 c:3
	node 3 b:2:4003 b:1:4013 c:1
	wait_node 1
	[ "$RC" -eq 0 ] || { cat n1.err; false; }
	assert_equal "$(cat n1.out)" $'2 127.0.0.1:4002\n3 127.0.0.1:4013'
	wait_node 2
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n2.out)" "3 127.0.0.1:4003"
	wait_node 3
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n3.out)" "1 127.0.0.1:4001"
	wait_ns
	[ "$NS_RC" -eq 0 ]
	# Quiet on success.
	[ ! -s ns.err ] || { cat ns.err; false; }
}

@test "malformed packets are reported, counted and ignored; serving goes on" {
	need_python
	start_ns -v -l 0 -t 20 2
	rawsend "$PORT" 00000001000000
	rawsend "$PORT" ""
	# Header: node 1, 2 binds, 1 connect (30 bytes), only one record.
	rawsend "$PORT" 000000010000000200000001000000020fa0
	# Counts whose 32-bit sum wraps to 0.
	rawsend "$PORT" 000000018000000080000000
	# Node 0, well formed.
	rawsend "$PORT" 000000000000000000000000
	node 1 b:2:4001 c:2
	node 2 b:1:4002 c:1
	wait_node 1
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n1.out)" "2 127.0.0.1:4002"
	wait_node 2
	[ "$RC" -eq 0 ]
	wait_ns
	[ "$NS_RC" -eq 0 ]
	run cat ns.err
	assert_line --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: packet of 7 bytes, expected at least 12; ignored$'
	assert_line --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: packet of 0 bytes, expected at least 12; ignored$'
	assert_line --regexp ': packet of 18 bytes, but its header counts 2 bind and 1 connect records: expected 30 bytes; ignored$'
	assert_line --regexp ': header counts 2147483648 bind and 2147483648 connect records, more than the 10915 a UDP packet holds; ignored$'
	assert_line --regexp ': request from node 0: node ids start at 1; ignored$'
	# Retries of the nodes' own may count among the requests.
	assert_line --regexp '^zvm-ns: done: 2 nodes, [0-9]+ requests, 5 packets ignored$'
}

@test "a timeout names the nodes that never registered" {
	NODE_I=300 NODE_T=2500
	start_ns -l 0 -t 2 3
	node 1 b:2:4001 c:3
	wait_node 1
	[ "$RC" -eq 124 ]
	grep -q 'no reply from name server' n1.err
	wait_ns
	[ "$NS_RC" -eq 124 ]
	assert_equal "$(cat ns.err)" "zvm-ns: timeout after 2 s: 1 of 3 nodes registered (1); missing: nodes 2, 3"

	start_ns -l 0 -t 2 3
	node 5 c:2
	wait_ns
	wait_node 5
	[ "$NS_RC" -eq 124 ]
	assert_equal "$(cat ns.err)" "zvm-ns: timeout after 2 s: 1 of 3 nodes registered (5); missing: node 2 and 1 more that no registered node names"

	start_ns -l 0 -t 1 2
	wait_ns
	[ "$NS_RC" -eq 124 ]
	assert_equal "$(cat ns.err)" "zvm-ns: timeout after 1 s: 0 of 2 nodes registered"
}

@test "a retry replaces the node's request; after the replies it gets the reply again" {
	need_python
	start_ns -v -l 3 -t 20 2
	# Node 1 as ZeroVM sends it, twice from one socket: the second
	# request (bind port 2222) replaces the first (1111).  When node 2
	# has registered and the reply has come, node 1 asks once more, as
	# after a lost reply, and must get the same bytes.
	python3 - "$PORT" >py.out 2>py.err 3>&- <<'EOF' &
import socket, struct, sys, time
port = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
def req(bport):
    return struct.pack("!III", 1, 1, 1) + struct.pack("!IH", 2, bport) + \
        struct.pack("!IH", 2, 0)
s.sendto(req(1111), ("127.0.0.1", port))
s.sendto(req(2222), ("127.0.0.1", port))
open("sent", "w").close()
first, _ = s.recvfrom(65535)
s.sendto(req(2222), ("127.0.0.1", port))
again, _ = s.recvfrom(65535)
assert first == again, (first, again)
ip, p = struct.unpack_from("!4sH", first, 18)
print(socket.inet_ntoa(ip), p)
EOF
	py=$!
	for _ in $(seq 100); do [ -e sent ] && break; sleep 0.05; done
	node 2 b:1:3333 c:1
	wait_node 2
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n2.out)" "1 127.0.0.1:2222"
	rc=0
	wait "$py" || rc=$?
	[ "$rc" -eq 0 ] || { cat py.err; false; }
	assert_equal "$(cat py.out)" "127.0.0.1 3333"
	wait_ns
	[ "$NS_RC" -eq 0 ]
	run cat ns.err
	assert_line --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: node 1 again: the request replaces its last$'
	assert_line --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: node 1 again: reply resent$'
	assert_line --regexp '^zvm-ns: done: 2 nodes, [45] requests, 0 packets ignored$'
}

@test "-v reports the port, each request, each answer and the end" {
	start_ns -v -l 0 -t 20 2
	# Node 1 does not resend while it waits, so -v has nothing more.
	NODE_I=8000 NODE_T=8000 node 1 b:2:4001 c:2
	wait_err 'node 1: 1 bind'
	node 2 b:1:4002 c:1
	wait_node 1
	[ "$RC" -eq 0 ]
	wait_node 2
	[ "$RC" -eq 0 ]
	wait_ns
	[ "$NS_RC" -eq 0 ]
	run cat ns.err
	assert_line --index 0 "zvm-ns: listening on 0.0.0.0:$PORT for 2 nodes"
	assert_line --index 1 --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: node 1: 1 bind, 1 connect record \(1 of 2 nodes\)$'
	assert_line --index 2 --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: node 2: 1 bind, 1 connect record \(2 of 2 nodes\)$'
	assert_line --index 3 "zvm-ns: node 1: node 2 is at 127.0.0.1:4002"
	assert_line --index 4 "zvm-ns: node 2: node 1 is at 127.0.0.1:4001"
	assert_line --index 5 "zvm-ns: replied to all 2 nodes"
	assert_line --index 6 "zvm-ns: done: 2 nodes, 2 requests, 0 packets ignored"
	[ "${#lines[@]}" -eq 7 ]
}

@test "python3 as a ZeroVM-era node: the reply is the request, connects replaced" {
	need_python
	start_ns -l 0 -t 20 2
	# Two nodes exactly as src/channels/nservice.c builds its parcel:
	# big-endian header, bind records (peer, bound port), then connect
	# records (peer, 0); one socket, SO_RCVTIMEO 1.2 s, 3 tries.  Node 1
	# reads from node 2 twice and writes to it once; node 2 writes to
	# node 1 twice and reads from it once.
	cat >zerovm_node.py <<'EOF'
import socket, struct, sys
port, node = int(sys.argv[1]), int(sys.argv[2])
binds = [tuple(map(int, a.split(":"))) for a in sys.argv[3].split(",") if a]
conns = [int(a) for a in sys.argv[4].split(",") if a]
parcel = struct.pack("!III", node, len(binds), len(conns))
parcel += b"".join(struct.pack("!IH", h, p) for h, p in binds)
parcel += b"".join(struct.pack("!IH", h, 0) for h in conns)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, struct.pack("ll", 1, 200000))
for i in range(3):
    s.sendto(parcel, ("127.0.0.1", port))
    try:
        reply = s.recv(len(parcel))
        break
    except OSError:
        reply = None
if reply is None or len(reply) != len(parcel):
    sys.exit("received parcel size is not equal to sent one")
off = 12 + 6 * len(binds)
if reply[:off] != parcel[:off]:
    sys.exit("header or bind records changed")
for h in conns:
    ip, p = struct.unpack_from("!4sH", reply, off)
    off += 6
    print(h, socket.inet_ntoa(ip), p)
print(reply.hex())
EOF
	python3 zerovm_node.py "$PORT" 1 2:5001,2:5002 2 >z1.out 2>z1.err 3>&- &
	z1=$!
	python3 zerovm_node.py "$PORT" 2 1:6001 1,1 >z2.out 2>z2.err 3>&- &
	z2=$!
	rc=0
	wait "$z1" || rc=$?
	[ "$rc" -eq 0 ] || { cat z1.err; false; }
	wait "$z2" || rc=$?
	[ "$rc" -eq 0 ] || { cat z2.err; false; }
	# The bytes, as a ZeroVM node would read them.
	assert_equal "$(cat z1.out)" "2 127.0.0.1 6001
00000001000000020000000100000002138900000002138a7f0000011771"
	assert_equal "$(cat z2.out)" "1 127.0.0.1 5001
1 127.0.0.1 5002
0000000200000001000000020000000117717f00000113897f000001138a"
	wait_ns
	[ "$NS_RC" -eq 0 ]
}

@test "the library's client works with a ZeroVM-era server in python3" {
	need_python
	# A server that does what ns_server.py did, from the format alone:
	# print the port, wait for N nodes, answer each connect record with
	# the peer's source address and its bind port for the asker, exit.
	cat >zerovm_server.py <<'EOF'
import socket, struct, sys
peers = int(sys.argv[1])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1], flush=True)
sys.stdout.close()
binds, reqs, where = {}, {}, {}
while len(where) < peers:
    msg, addr = s.recvfrom(65535)
    node, nb, nc = struct.unpack_from("!III", msg, 0)
    for i in range(nb):
        h, p = struct.unpack_from("!IH", msg, 12 + 6 * i)
        binds.setdefault(node, {})[h] = p
    reqs[node] = (nb, nc, bytearray(msg))
    where[node] = addr
for node, (nb, nc, reply) in reqs.items():
    for i in range(nb, nb + nc):
        h = struct.unpack_from("!I", reply, 12 + 6 * i)[0]
        struct.pack_into("!4sH", reply, 12 + 6 * i,
                         socket.inet_aton(where[h][0]), binds[h][node])
    s.sendto(reply, where[node])
EOF
	mkfifo srv.out
	python3 zerovm_server.py 2 >srv.out 2>srv.err 3>&- &
	srv=$!
	read -r PORT <srv.out
	node 1 b:2:4001 c:2
	node 2 b:1:4002 c:1
	wait_node 1
	[ "$RC" -eq 0 ] || { cat n1.err; false; }
	assert_equal "$(cat n1.out)" "2 127.0.0.1:4002"
	wait_node 2
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n2.out)" "1 127.0.0.1:4001"
	wait "$srv"
}

@test "a write channel no read channel matches: exit 65, no node answered" {
	start_ns -l 0 -t 20 2
	node 1 c:2
	node 2 b:3:4002
	wait_ns
	[ "$NS_RC" -eq 65 ]
	run cat ns.err
	assert_line "zvm-ns: node 1 writes to node 2, which has no read channel from node 1"
	assert_line "zvm-ns: warning: node 2 reads from node 3, which did not register: nothing will write there"
	assert_line "zvm-ns: the requests cannot be resolved: no node was answered"
	kill "$P1" "$P2" 2>/dev/null || true
	wait_node 1
	wait_node 2
	[ ! -s n1.out ] && [ ! -s n2.out ]
}

@test "after the replies, a node of another job and a changed request are refused" {
	need_python
	start_ns -v -l 5 -t 20 1
	node 1 b:1:4001 c:1
	wait_node 1
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n1.out)" "1 127.0.0.1:4001"
	# From one process, well inside the linger: a node of no job, node
	# 1's request with its bind port 4001 (0fa1) changed to 4002, and
	# unchanged (a retry, answered again).
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for h in sys.argv[2:]:
    s.sendto(bytes.fromhex(h), ("127.0.0.1", int(sys.argv[1])))' "$PORT" \
	    000000090000000000000000 \
	    000000010000000100000001000000010fa2000000010000 \
	    000000010000000100000001000000010fa1000000010000
	wait_ns
	[ "$NS_RC" -eq 0 ]
	run cat ns.err
	assert_line --regexp ': node 9 is not one of the 1 nodes that registered; ignored$'
	assert_line --regexp ': node 1 sent a different request after the replies went out: its peers have the ports of its first; ignored$'
	assert_line --regexp ': node 1 again: reply resent$'
	assert_line --regexp '^zvm-ns: done: 1 nodes, [0-9]+ requests, 2 packets ignored$'
}

@test "one id from two sockets warns; the later request wins" {
	need_python
	start_ns -l 0 -t 20 2
	rawsend "$PORT" 000000010000000100000000000000020fa1
	node 1 b:2:4002
	wait_err 'two nodes with one id'
	node 2 c:1
	wait_node 2
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n2.out)" "1 127.0.0.1:4002"
	wait_node 1
	wait_ns
	[ "$NS_RC" -eq 0 ]
	run cat ns.err
	assert_output --regexp '^zvm-ns: from 127\.0\.0\.1:[0-9]+: node 1 again, last from 127\.0\.0\.1:[0-9]+: two nodes with one id\?  The later request replaces the earlier$'
}

@test "the port: on stdout, which closes, so \$(zvm-ns ... &) returns; and -P FILE" {
	port=$(timeout 5 sh -c 'zvm-ns -l 0 -t 5 -P pf 1 3>&- 2>ns.err &')
	[[ $port =~ ^[1-9][0-9]*$ ]]
	assert_equal "$(cat pf)" "$port"
	PORT=$port
	node 1 b:1:4001 c:1
	wait_node 1
	[ "$RC" -eq 0 ]
	assert_equal "$(cat n1.out)" "1 127.0.0.1:4001"
	# No temporary file is left beside the port file.
	run ls -A
	refute_output --partial .zvm-ns.
}

@test "-b and -p choose the address; a port in use is exit 71" {
	start_ns -b 127.0.0.1 -l 0 -t 20 1
	run -71 zvm-ns -b 127.0.0.1 -p "$PORT" 1
	assert_output "zvm-ns: bind 127.0.0.1:$PORT: Address already in use"
	node 1 b:1:4001 c:1
	wait_node 1
	[ "$RC" -eq 0 ]
	wait_ns
	[ "$NS_RC" -eq 0 ]
}

@test "usage errors are exit 64 with a reason" {
	run -64 zvm-ns
	assert_line --index 0 "zvm-ns: NODES, the number of nodes, is missing"
	assert_line --index 1 --partial "usage: zvm-ns "
	run -64 zvm-ns 0
	assert_line --index 0 "zvm-ns: NODES '0': at least one node is needed"
	run -64 zvm-ns 1 2
	assert_line --index 0 "zvm-ns: one operand, NODES, expected"
	run -64 zvm-ns -p 65536 1
	assert_line --index 0 --partial "zvm-ns: -p '65536': "
	run -64 zvm-ns -b 10.0.0.256 1
	assert_line --index 0 "zvm-ns: -b '10.0.0.256': not a dotted IPv4 address"
	run -64 zvm-ns -t x 1
	assert_line --index 0 --partial "zvm-ns: -t 'x': "
	run -64 zvm-ns -q 1
}
