#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roamcat (tools/roamcat): standard input and output over roam, byte-
# exact both ways, with the half-close passed on in both directions,
# through `roamcat -l PORT --to` in front of a TCP echo service; the
# same across an address change of the client; the other way round,
# a TCP client through `roamcat --listen-tcp --to-roam`; ssh through
# roamcat, to dropbear, across an address change and a NAT rebinding;
# and the exit code and message of a connection refused.  Each case checks that the
# connections were roam's: the server netns's "established" counter.
#
#   client C (10.0.1.2) --- server S (10.0.1.1): TCP echo on 127.0.0.1:7401

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
APP="$ROAM_LIB_DIR/roamapp"
CAT="$ROAM_LIB_DIR/roamcat"
MIB=16 SSH_MIB=16	# ssh: two events in mid-transfer; more bytes test nothing more
[ "${ROAM_LANE:-}" = debug ] && MIB=4 SSH_MIB=4	# several times slower

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
roam_veth_pair "$C" "$S"
tc -n "$C" qdisc add dev veth root netem rate 40mbit limit 10000 &&
	tc -n "$S" qdisc add dev veth root netem rate 40mbit limit 10000 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }
head -c $((MIB << 20)) /dev/urandom >"$tmp/data"
want=$(sha256sum <"$tmp/data")

# A case's events must land mid-transfer however long its commands take:
# on the debug lane a poll and two `ip` commands outlasted a 4 MiB
# transfer, and the server saw no move.  So the sender holds back what
# follows an event until the case creates $tmp/gate (at most 120 s).
#
# held N FILE: FILE's first N bytes, the rest once the gate opens.
held() {
	head -c "$1" "$2"
	slowwait 120 test -e "$tmp/gate"
	tail -c +$(($1 + 1)) "$2"
}

# trickle: a numbered 4 KiB line every 0.2 s until the gate opens (at
# most 600), with no process per line: the connection carries packets
# both ways while its path changes.
trickle() {
	local i=0
	while [ ! -e "$tmp/gate" ] && [ "$i" -lt 600 ]; do
		printf '%4096d\n' "$i"
		roam_nap 0.2
		i=$((i + 1))
	done
}

bigger() { [ "$(stat -c %s "$1")" -gt "$2" ]; }			# bigger FILE N
moved_since() { [ "$(roam_stat "$1" path_moves)" -gt "$2" ]; }	# moved_since NS BEFORE


# A TCP echo service on S's loopback, for one connection; roamcat -l in
# front of it.
echo_service() {
	stop_job "$echo"
	ip netns exec "$S" "$APP" server 7401 >"$tmp/echo" 2>&1 &
	echo=$!
	slowwait 60 grep -q listening "$tmp/echo"
}
ip netns exec "$S" "$CAT" -l 7400 --to 127.0.0.1:7401 2>"$tmp/relay.err" &
relay=$!
slowwait 60 roam_listening "$S" 7400

test_stdio() {
	local s0 rc
	RET=0
	s0=$(roam_stat "$S" established)
	echo_service
	ip netns exec "$C" "$CAT" 10.0.1.1 7400 <"$tmp/data" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	check_eq "exit code" 0 "$rc"
	check_eq "the echo of $MIB MiB" "$want" "$(sha256sum <"$tmp/out")"
	check_eq "the echo service saw the end" ok "$(tail -n1 "$tmp/echo")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	[ "$RET" = 0 ] || cat "$tmp/err" "$tmp/echo" "$tmp/relay.err"
	log_test "roamcat: stdin and stdout over roam, half-closed both ways"
}

test_move() {
	local s0 m0 cli half=$((MIB << 19))
	RET=0
	s0=$(roam_stat "$S" established)
	m0=$(roam_stat "$S" path_moves)
	echo_service
	rm -f "$tmp/gate"
	held "$half" "$tmp/data" | ip netns exec "$C" "$CAT" 10.0.1.1 7400 >"$tmp/out" 2>"$tmp/err" &
	cli=$!
	slowwait 60 bigger "$tmp/out" $((half - 1))	# the first half's echo is back
	ip -n "$C" addr add 10.0.1.3/24 dev veth
	ip -n "$C" addr del 10.0.1.2/24 dev veth
	slowwait 60 moved_since "$S" "$m0"
	touch "$tmp/gate"
	wait "$cli"
	check_eq "exit code" 0 "$?"
	check_eq "the echo of $MIB MiB" "$want" "$(sha256sum <"$tmp/out")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	# The old address is gone: the second half came only by a move.
	check_eq "the server moved" 1 "$(moved_since "$S" "$m0" && echo 1)"
	ip -n "$C" addr add 10.0.1.2/24 dev veth
	ip -n "$C" addr del 10.0.1.3/24 dev veth
	[ "$RET" = 0 ] || cat "$tmp/err" "$tmp/echo" "$tmp/relay.err"
	log_test "roamcat: across an address change of the client"
}

test_listen_tcp() {
	local s0 tcp
	RET=0
	s0=$(roam_stat "$S" established)
	echo_service
	ip netns exec "$C" "$CAT" --listen-tcp 127.0.0.1:7500 --to-roam 10.0.1.1:7400 \
		2>"$tmp/tcp.err" &
	tcp=$!
	slowwait 60 ip netns exec "$C" sh -c "ss -Hltn | grep -q 127.0.0.1:7500"
	ip netns exec "$C" "$APP" client 127.0.0.1 7500 >"$tmp/client" 2>&1 || RET=$ksft_fail
	check_eq "a TCP client through both relays" ok "$(tail -n1 "$tmp/client")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	stop_job "$tcp"
	[ "$RET" = 0 ] || cat "$tmp/client" "$tmp/tcp.err" "$tmp/echo"
	log_test "roamcat: a TCP client through --listen-tcp and --to-roam"
}

# ssh with `ProxyCommand roamcat %h 7022`, to dropbear behind `roamcat
# -l 7022 --to 127.0.0.1:2222`, through a router R that masquerades the
# client: random bytes each way arrive whole across an address change of
# the client and then a NAT rebinding, each made while bytes flow both
# ways, and the server moves after each.
#   C2 (10.7.0.2, then .3) --- R (NAT) --- S2 (10.8.0.2)
test_ssh() {
	local s0 m0 m1 m2 cli sum home remote half=$((SSH_MIB << 19))
	RET=0
	if ! command -v dropbear >/dev/null || ! command -v ssh >/dev/null; then
		log_test_skip "roamcat: ssh across an address change and a NAT rebinding" \
			"no dropbear or ssh"
		return
	fi
	# It adds a key to root's authorized_keys: only where that stays, the VM.
	if [ -z "${ROAM_LANE:-}" ]; then
		log_test_skip "roamcat: ssh across an address change and a NAT rebinding" \
			"not in the VM runner"
		return
	fi
	setup_ns C2 R S2 || { log_test_skip "roamcat: ssh" "no namespaces"; return; }
	ip link add v netns "$C2" type veth peer name rc netns "$R"
	ip link add v netns "$S2" type veth peer name rs netns "$R"
	ip netns exec "$C2" sysctl -qw net.ipv4.conf.v.promote_secondaries=1
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
	ip -n "$C2" addr add 10.7.0.2/24 dev v
	ip -n "$R" addr add 10.7.0.1/24 dev rc
	ip -n "$R" addr add 10.8.0.1/24 dev rs
	ip -n "$S2" addr add 10.8.0.2/24 dev v
	for l in "$C2 v" "$R rc" "$R rs" "$S2 v" "$S2 lo"; do ip -n ${l% *} link set ${l#* } up; done
	ip -n "$C2" route add default via 10.7.0.1
	ip -n "$S2" route add default via 10.8.0.1
	tc -n "$R" qdisc add dev rs root netem rate 40mbit limit 10000
	ip netns exec "$R" nft add table ip nat
	ip netns exec "$R" nft add chain ip nat post '{ type nat hook postrouting priority srcnat; }'
	ip netns exec "$R" nft add rule ip nat post oifname rs meta l4proto udp masquerade to :30000-30999

	dropbearkey -t ed25519 -f "$tmp/hostkey" >/dev/null 2>&1
	ssh-keygen -q -t ed25519 -N "" -f "$tmp/id"
	# dropbear reads root's own home, whatever HOME says; the VM's root
	# file system is an overlay, so the key stays in the VM.
	home=$(awk -F: '$1 == "root" { print $6 }' /etc/passwd)
	[ -d "$home/.ssh" ] || mkdir -m 700 "$home/.ssh"
	cat "$tmp/id.pub" >>"$home/.ssh/authorized_keys"
	ip netns exec "$S2" dropbear -F -E -s -p 127.0.0.1:2222 -r "$tmp/hostkey" -P "$tmp/db.pid" \
		2>"$tmp/dropbear.err" &
	local db=$!
	ip netns exec "$S2" "$CAT" -l 7022 --to 127.0.0.1:2222 2>"$tmp/relay2.err" &
	local rl=$!
	slowwait 60 roam_listening "$S2" 7022
	# Each way: half the bytes, the trickle until the gate opens, the
	# other half; the remote end sums what it got from ssh's stdin.
	remote="tmp=$tmp; exec {ROAM_NAP_FD}<> <(:); $(declare -f roam_nap trickle)
{ head -c $half /dev/urandom; trickle; head -c $half /dev/urandom; } | tee >(sha256sum >&2) &
sha256sum >$tmp/up.got; wait"
	rm -f "$tmp/gate"
	s0=$(roam_stat "$S2" established)
	m0=$(roam_stat "$S2" path_moves)
	{ head -c "$half" /dev/urandom; trickle; head -c "$half" /dev/urandom; } |
		tee >(sha256sum >"$tmp/up.sent") |
		ip netns exec "$C2" timeout 300 ssh -i "$tmp/id" -o BatchMode=yes \
		-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
		-o ProxyCommand="$CAT %h 7022" root@10.8.0.2 "$remote" >"$tmp/ssh.out" 2>"$tmp/ssh.err" &
	cli=$!
	slowwait 60 bigger "$tmp/ssh.out" "$half"	# trickling down
	ip -n "$C2" addr add 10.7.0.3/24 dev v
	ip -n "$C2" addr del 10.7.0.2/24 dev v
	slowwait 60 moved_since "$S2" "$m0"
	m1=$(roam_stat "$S2" path_moves)
	ip netns exec "$R" nft flush chain ip nat post
	ip netns exec "$R" nft add rule ip nat post oifname rs meta l4proto udp masquerade to :40000-40999
	ip netns exec "$R" conntrack -F -f ipv4 >/dev/null 2>"$tmp/conntrack" ||
		echo "    conntrack -F failed: $(tail -n1 "$tmp/conntrack")"
	slowwait 60 moved_since "$S2" "$m1"
	m2=$(roam_stat "$S2" path_moves)
	touch "$tmp/gate"
	wait "$cli"
	check_eq "ssh's exit code" 0 "$?"
	sum=$(awk '/ -$/ { print $1 }' "$tmp/ssh.err")
	check_eq "the remote's sha256 of what it sent" "$sum" "$(sha256sum <"$tmp/ssh.out" | cut -d' ' -f1)"
	check_eq "the sha256 of what the remote got" "$(cat "$tmp/up.sent")" "$(cat "$tmp/up.got")"
	bigger "$tmp/ssh.out" $((2 * half - 1)) || check_eq "bytes" "at least $((2 * half))" \
		"$(stat -c %s "$tmp/ssh.out")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S2" established)"
	# The client's old address is gone, and then its NAT mapping: data
	# flowed each way throughout, so each came back only by a move.
	check_eq "the server moved after the address change" 1 "$((m1 > m0))"
	check_eq "the server moved after the NAT rebinding" 1 "$((m2 > m1))"
	echo "    the server's path moves: $((m1 - m0)), then $((m2 - m1))"
	stop_job "$rl"
	stop_job "$db"
	[ "$RET" = 0 ] || cat "$tmp/ssh.err" "$tmp/dropbear.err" "$tmp/relay2.err"
	log_test "roamcat: ssh across an address change and a NAT rebinding"
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
test_ssh
test_refused
exit "$EXIT_STATUS"
