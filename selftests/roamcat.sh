#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roamcat (tools/roamcat): standard input and output over roam, byte-
# exact both ways, with the half-close passed on in both directions,
# through `roamcat -l PORT --to` in front of a TCP echo service; the
# same across an address change of the client; the other way round,
# a TCP client through `roamcat --listen-tcp --to-roam`; and the exit
# code and message of a connection refused.  Each case checks that the
# connections were roam's: the server netns's "established" counter.
#
#   client C (10.0.1.2) --- server S (10.0.1.1): TCP echo on 127.0.0.1:7401

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
APP="$ROAM_LIB_DIR/roamapp"
CAT="$ROAM_LIB_DIR/roamcat"
MIB=16
[ "${ROAM_LANE:-}" = debug ] && MIB=4	# several times slower

relay="" echo=""
cleanup() {
	stop_job "$relay"
	stop_job "$echo"
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

setup_ns C S || exit "$ksft_skip"
tmp=$(mktemp -d)
ip link add veth netns "$C" type veth peer name veth netns "$S"
ip netns exec "$C" sysctl -qw net.ipv4.conf.veth.promote_secondaries=1
ip -n "$C" addr add 10.0.1.2/24 dev veth
ip -n "$S" addr add 10.0.1.1/24 dev veth
ip -n "$C" link set veth up
ip -n "$S" link set veth up
tc -n "$C" qdisc add dev veth root netem rate 40mbit limit 10000 &&
	tc -n "$S" qdisc add dev veth root netem rate 40mbit limit 10000 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }
head -c $((MIB << 20)) /dev/urandom >"$tmp/data"
want=$(sha256sum <"$tmp/data")

established() { "$ROAMCTL" -n "$1" stats show | awk '$1 == "established" { print $2 }'; }
listening() { "$ROAMCTL" -n "$1" listener show | grep -q "^port $2 "; }

# A TCP echo service on S's loopback, for one connection; roamcat -l in
# front of it.
echo_service() {
	stop_job "$echo"
	ip netns exec "$S" "$APP" server 7401 >"$tmp/echo" 2>&1 &
	echo=$!
	slowwait 10 grep -q listening "$tmp/echo"
}
ip netns exec "$S" "$CAT" -l 7400 --to 127.0.0.1:7401 2>"$tmp/relay.err" &
relay=$!
slowwait 10 listening "$S" 7400

test_stdio() {
	local s0 rc
	RET=0
	s0=$(established "$S")
	echo_service
	ip netns exec "$C" "$CAT" 10.0.1.1 7400 <"$tmp/data" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check_eq "exit code" 0 "$rc"
	check_eq "the echo of $MIB MiB" "$want" "$(sha256sum <"$tmp/out")"
	check_eq "the echo service saw the end" ok "$(tail -n1 "$tmp/echo")"
	check_eq "connections over roam" $((s0 + 1)) "$(established "$S")"
	[ "$RET" = 0 ] || cat "$tmp/err" "$tmp/echo" "$tmp/relay.err"
	log_test "roamcat: stdin and stdout over roam, half-closed both ways"
}

test_move() {
	local s0 cli
	RET=0
	s0=$(established "$S")
	echo_service
	ip netns exec "$C" "$CAT" 10.0.1.1 7400 <"$tmp/data" >"$tmp/out" 2>"$tmp/err" &
	cli=$!
	slowwait 20 sh -c "[ \$(stat -c %s $tmp/out) -gt $((MIB << 18)) ]"
	ip -n "$C" addr add 10.0.1.3/24 dev veth
	ip -n "$C" addr del 10.0.1.2/24 dev veth
	wait "$cli"
	check_eq "exit code" 0 "$?"
	check_eq "the echo of $MIB MiB" "$want" "$(sha256sum <"$tmp/out")"
	check_eq "connections over roam" $((s0 + 1)) "$(established "$S")"
	check_match "the server saw the client move" "path_moves [1-9]" \
		"$("$ROAMCTL" -n "$S" stats show | grep path_moves)"
	ip -n "$C" addr add 10.0.1.2/24 dev veth
	ip -n "$C" addr del 10.0.1.3/24 dev veth
	[ "$RET" = 0 ] || cat "$tmp/err" "$tmp/echo" "$tmp/relay.err"
	log_test "roamcat: across an address change of the client"
}

test_listen_tcp() {
	local s0 tcp
	RET=0
	s0=$(established "$S")
	echo_service
	ip netns exec "$C" "$CAT" --listen-tcp 127.0.0.1:7500 --to-roam 10.0.1.1:7400 \
		2>"$tmp/tcp.err" &
	tcp=$!
	slowwait 10 ip netns exec "$C" sh -c "ss -Hltn | grep -q 127.0.0.1:7500"
	ip netns exec "$C" "$APP" client 127.0.0.1 7500 >"$tmp/client" 2>&1 || RET=$ksft_fail
	check_eq "a TCP client through both relays" ok "$(tail -n1 "$tmp/client")"
	check_eq "connections over roam" $((s0 + 1)) "$(established "$S")"
	stop_job "$tcp"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/tcp.err" "$tmp/echo"
	log_test "roamcat: a TCP client through --listen-tcp and --to-roam"
}

test_refused() {
	local rc
	RET=0
	ip netns exec "$C" "$CAT" 10.0.1.1 7999 </dev/null >/dev/null 2>"$tmp/err"
	rc=$?
	check_eq "exit code" 1 "$rc"
	check_match "message" "connect to 10.0.1.1 port 7999: Connection refused" "$(cat "$tmp/err")"
	ip netns exec "$C" "$CAT" -l 7400 >/dev/null 2>&1
	check_eq "usage error" 2 "$?"
	log_test "roamcat: a refused connection exits 1, a usage error 2"
}

test_stdio
test_move
test_listen_tcp
test_refused
exit "$EXIT_STATUS"
