#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roamize: unmodified TCP programs over roam (tools/roamize).  roamapp,
# an ordinary TCP program, checks what programs rely on: the address
# family it asked for in every address call, accept4()'s flags, a
# non-blocking connect(), fork() after connect(), execve() with the
# socket; over IPv4 and IPv6.
# Loopback stays TCP, ROAMIZE_PORTS and ROAMIZE_DEST leave the rest to
# TCP, and ROAMIZE_FALLBACK=1 reaches a TCP-only server, whether its
# roam refuses the connection or stays silent.  One program holds a
# TCP and a roam connection at once.  A server on [::] with IPV6_V6ONLY
# and on 0.0.0.0 serves roam from both, each in its family.  A program's IP_TOS
# marks roam's packets.  Then real
# programs: curl against Python's http.server, byte-exact, and iperf3
# for 6 s across an address change of its client.  Each case checks
# that the connections were roam's: the server netns's "established"
# counter, which counts the connections its listeners accepted.
#
#   client C (10.0.1.2, fd00::2) --- server S (10.0.1.1, fd00::1)

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
APP="$ROAM_LIB_DIR/roamapp"
RZ="$ROAM_LIB_DIR/roamize"

srv=""
cleanup() {
	stop_job "$srv"
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

setup_ns C S || exit "$ksft_skip"
tmp=$(mktemp -d)
roam_veth_pair "$C" "$S"
tc -n "$C" qdisc add dev veth root netem rate 50mbit limit 10000 &&
	tc -n "$S" qdisc add dev veth root netem rate 50mbit limit 10000 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }


# server NS ARGS...: roamapp server ARGS in NS, in the background (under
# roamize unless RZ_SERVER is empty), once it listens.
RZ_SERVER=run
server() {
	local ns=$1
	shift
	if [ -n "$RZ_SERVER" ]; then
		ip netns exec "$ns" "$RZ" run "$APP" server "$@" >"$tmp/server" 2>&1 &
	else
		ip netns exec "$ns" "$APP" server "$@" >"$tmp/server" 2>&1 &
	fi
	srv=$!
	slowwait 60 grep -q listening "$tmp/server"
}

# client NS ARGS...: roamapp client ARGS in NS under roamize; its output
# in $tmp/client, its exit code returned.
client() {
	local ns=$1
	shift
	ip netns exec "$ns" "$RZ" run "$APP" client "$@" >"$tmp/client" 2>&1
}

# app CASE FAMILY-FLAG SERVER-ADDR: roamapp both ends under roamize.
test_app() {
	local s0
	RET=0
	s0=$(roam_stat "$S" established)
	server "$S" $2 7100
	client "$C" $2 "$3" 7100 || RET=$ksft_fail
	wait "$srv" || RET=$ksft_fail
	srv=""
	check_eq "client" ok "$(tail -n1 "$tmp/client")"
	check_eq "server" ok "$(tail -n1 "$tmp/server")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/server"
	log_test "roamize: an ordinary TCP program over roam, $1"
}

# execve() after connect(): the new image has lost the preload's table,
# and must still see its addresses in its family.
test_exec() {	# test_exec FAMILY-FLAG SERVER-ADDR
	local s0
	RET=0
	s0=$(roam_stat "$S" established)
	server "$S" $1 7150
	ip netns exec "$C" "$RZ" run "$APP" exec $1 "$2" 7150 >"$tmp/client" 2>&1 || RET=$ksft_fail
	wait "$srv" || RET=$ksft_fail
	srv=""
	check_eq "client" ok "$(tail -n1 "$tmp/client")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/server"
	log_test "roamize: a socket inherited across execve(), $([ -n "$1" ] && echo IPv6 || echo IPv4)"
}

# A TCP server (not under roamize) that the client must reach over TCP.
test_tcp_left() {	# test_tcp_left CASE SERVER-NS ADDR [ENV...]
	local what=$1 ns=$2 addr=$3 s0
	shift 3
	RET=0
	s0=$(roam_stat "$S" established)
	RZ_SERVER="" server "$ns" 7200
	env "$@" ip netns exec "$ns" "$RZ" run "$APP" client "$addr" 7200 >"$tmp/client" 2>&1 ||
		RET=$ksft_fail
	wait "$srv" || RET=$ksft_fail
	srv=""
	check_eq "client" ok "$(tail -n1 "$tmp/client")"
	check_eq "connections over roam" "$s0" "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/server"
	log_test "roamize: $what"
}

# The server's roam port silent (its UDP dropped): TCP after the wait.
test_fallback_silent() {
	RET=0
	ip netns exec "$S" nft add table inet rz
	ip netns exec "$S" nft add chain inet rz in '{ type filter hook input priority 0; }'
	ip netns exec "$S" nft add rule inet rz in udp dport 7200 drop
	test_tcp_left "ROAMIZE_FALLBACK=1 reaches it when roam is silent" "$S" 10.0.1.1 \
		ROAMIZE_FALLBACK=1 ROAMIZE_FALLBACK_MS=1000
	ip netns exec "$S" nft delete table inet rz
}

# A fallback to TCP keeps what the program set on its socket before
# connect(): its options and its address.
test_fallback_options() {
	RET=0
	RZ_SERVER="" server "$S" 7250
	check_eq "TCP_NODELAY, SO_KEEPALIVE and the address after the fallback" \
		"1 1 10.0.1.2" "$(ip netns exec "$C" env ROAMIZE_FALLBACK=1 "$RZ" run python3 -c "
import socket
s = socket.socket()
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
s.bind(('10.0.1.2', 0))
s.connect(('10.0.1.1', 7250))
print(s.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) and 1,
      s.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE) and 1, s.getsockname()[0])
s.shutdown(socket.SHUT_WR)
s.recv(10)
" 2>&1)"
	wait "$srv" || RET=$ksft_fail
	srv=""
	log_test "roamize: a fallback to TCP keeps the socket's options and address"
}

test_no_fallback() {
	RET=0
	RZ_SERVER="" server "$S" 7300
	client "$C" 10.0.1.1 7300 && RET=$ksft_fail
	check_match "without a fallback" "^roamapp: connect" "$(tail -n1 "$tmp/client")"
	stop_job "$srv"
	srv=""
	log_test "roamize: no roam server and no fallback: connect fails"
}

# One program with a TCP connection (loopback) and a roam one at once.
test_mixed() {
	local s0 tcp
	RET=0
	s0=$(roam_stat "$S" established)
	ip netns exec "$C" ip link set lo up
	ip netns exec "$C" "$APP" server 7800 >"$tmp/tcp.server" 2>&1 &
	tcp=$!
	slowwait 60 grep -q listening "$tmp/tcp.server"
	server "$S" 7801
	ip netns exec "$C" "$RZ" run python3 -c "
import socket
a = socket.create_connection(('127.0.0.1', 7800))
b = socket.create_connection(('10.0.1.1', 7801))
for s, m in ((a, b'over tcp'), (b, b'over roam')):
    s.sendall(m)
    s.shutdown(socket.SHUT_WR)
for s, m in ((a, b'over tcp'), (b, b'over roam')):
    got = b''
    while d := s.recv(100):
        got += d
    assert got == m, got
print('ok')
" >"$tmp/client" 2>&1 || RET=$ksft_fail
	wait "$tcp" || RET=$ksft_fail
	wait "$srv" || RET=$ksft_fail
	srv=""
	check_eq "both echoes" ok "$(tail -n1 "$tmp/client")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/server" "$tmp/tcp.server"
	log_test "roamize: one program, a TCP connection and a roam one"
}

# A server that binds [::] with IPV6_V6ONLY and 0.0.0.0 on one port, as
# sshd and nginx do: both sockets are roam's, the first takes roam's
# IPv6 clients and the second its IPv4 ones, as TCP's would; roamctl
# shows the two wildcards, each of one family.
test_v6only_pair() {
	local s0
	RET=0
	s0=$(roam_stat "$S" established)
	ip netns exec "$S" "$RZ" run python3 -c "
import socket
s6 = socket.socket(socket.AF_INET6)
s6.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
s6.bind(('::', 7900))
s6.listen()
s4 = socket.socket(socket.AF_INET)
s4.bind(('0.0.0.0', 7900))
s4.listen()
print('listening', s6.getsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY), flush=True)
for s in (s4, s6):
    c, peer = s.accept()
    c.sendall(('%s %s' % (s.family.name, peer[0])).encode())
    c.close()
" >"$tmp/server" 2>&1 &
	srv=$!
	slowwait 60 grep -q listening "$tmp/server"
	check_eq "IPV6_V6ONLY as the server reads it" "listening 1" "$(head -n1 "$tmp/server")"
	check_eq "the listeners" "0.0.0.0 ::" "$("$ROAMCTL" -n "$S" listener show |
		awk '$2 == 7900 { print $4 }' | sort | xargs)"
	check_eq "roam, IPv4" "AF_INET 10.0.1.2" \
		"$(ip netns exec "$C" "$RZ" run python3 -c "
import socket; print(socket.create_connection(('10.0.1.1', 7900)).recv(100).decode())")"
	check_eq "roam, IPv6" "AF_INET6 fd00::2" \
		"$(ip netns exec "$C" "$RZ" run python3 -c "
import socket; print(socket.create_connection(('fd00::1', 7900)).recv(100).decode())")"
	wait "$srv" || RET=$ksft_fail
	srv=""
	check_eq "connections over roam" $((s0 + 2)) "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/server"
	log_test "roamize: a server on [::] with IPV6_V6ONLY and on 0.0.0.0"
}

# A program's IP_TOS reaches the wire: the DSCP on roam's UDP packets.
test_tos() {
	local n
	RET=0
	ip netns exec "$S" nft add table inet tos
	ip netns exec "$S" nft add chain inet tos in '{ type filter hook input priority 0; }'
	ip netns exec "$S" nft add rule inet tos in ip dscp ef udp dport 7700 counter
	server "$S" 7700
	ip netns exec "$C" "$RZ" run python3 -c "
import socket
s = socket.create_connection(('10.0.1.1', 7700))
s.setsockopt(socket.IPPROTO_IP, socket.IP_TOS, 0xb8)
s.sendall(b'x' * 100000)
s.shutdown(socket.SHUT_WR)
while s.recv(65536):
    pass
" || RET=$ksft_fail
	wait "$srv"
	srv=""
	n=$(ip netns exec "$S" nft list chain inet tos in | sed -n 's/.* packets \([0-9]*\) .*/\1/p')
	check_match "packets with DSCP EF" "^[1-9]" "$n"
	ip netns exec "$S" nft delete table inet tos
	log_test "roamize: a program's IP_TOS reaches roam's packets"
}

test_curl() {
	local s0 want got
	RET=0
	s0=$(roam_stat "$S" established)
	mkdir "$tmp/www"
	head -c 3000000 /dev/urandom >"$tmp/www/blob"
	ip netns exec "$S" "$RZ" run python3 -m http.server 8080 --bind 10.0.1.1 \
		--directory "$tmp/www" >"$tmp/http" 2>&1 &
	srv=$!
	slowwait 60 roam_listening "$S" 8080
	ip netns exec "$C" "$RZ" run curl -sS --max-time 60 -o "$tmp/got" \
		http://10.0.1.1:8080/blob || RET=$ksft_fail
	want=$(sha256sum <"$tmp/www/blob")
	got=$(sha256sum <"$tmp/got")
	check_eq "the file" "$want" "$got"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	check_match "the server logs the client's IPv4 address" "^10\.0\.1\.2 " "$(cat "$tmp/http")"
	stop_job "$srv"
	srv=""
	log_test "roamize: curl and Python's http.server, byte-exact"
}

test_iperf3() {
	local s0 m0 bytes
	RET=0
	if ! command -v iperf3 >/dev/null; then
		log_test_skip "roamize: iperf3 across an address change" "no iperf3"
		return
	fi
	s0=$(roam_stat "$S" established)
	m0=$(roam_stat "$S" path_moves)
	ip netns exec "$S" "$RZ" run iperf3 -s -1 -p 5201 >"$tmp/iperf.s" 2>&1 &
	srv=$!
	slowwait 60 roam_listening "$S" 5201
	ip netns exec "$C" "$RZ" run iperf3 -c 10.0.1.1 -p 5201 -t 6 -J >"$tmp/iperf.c" 2>&1 &
	local cli=$!
	sleep 3
	ip -n "$C" addr add 10.0.1.3/24 dev veth
	ip -n "$C" addr del 10.0.1.2/24 dev veth
	wait "$cli" || RET=$ksft_fail
	wait "$srv" || RET=$ksft_fail
	srv=""
	bytes=$(python3 -c "import json, sys; j = json.load(open(sys.argv[1])); print(int(j['end']['sum_received']['bytes']))" "$tmp/iperf.c" 2>/dev/null)
	check_match "bytes received" "^[1-9][0-9]{6,}$" "$bytes"
	check_eq "control and data connections over roam" $((s0 + 2)) "$(roam_stat "$S" established)"
	# The old address is gone: the 6 s test survived it only by moving.
	echo "    the server's path moves: $(($(roam_stat "$S" path_moves) - m0))"
	[ "$RET" = 0 ] || tail -n 20 "$tmp/iperf.c" "$tmp/iperf.s"
	log_test "roamize: iperf3 for 6 s across an address change of its client"
}

test_app "IPv4" "" 10.0.1.1
test_app "IPv6" -6 fd00::1
test_exec "" 10.0.1.1
test_exec -6 fd00::1
test_tcp_left "loopback stays TCP" "$S" 127.0.0.1
test_tcp_left "ROAMIZE_PORTS leaves other ports to TCP" "$S" 10.0.1.1 ROAMIZE_PORTS=1-100
test_tcp_left "ROAMIZE_DEST leaves other networks to TCP" "$S" 10.0.1.1 ROAMIZE_DEST=192.0.2.0/24,fd00:1::/64
test_tcp_left "ROAMIZE_FALLBACK=1 reaches a TCP-only server" "$S" 10.0.1.1 \
	ROAMIZE_FALLBACK=1 ROAMIZE_FALLBACK_MS=1000
test_fallback_silent
test_fallback_options
test_no_fallback
test_mixed
test_v6only_pair
test_tos
test_curl
test_iperf3
exit "$EXIT_STATUS"
