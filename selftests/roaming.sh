#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Roaming: a byte-exact transfer (SHA-256 at both ends, both ways at once)
# keeps running through each event, and the server's view of the client
# follows it only on packets that authenticate, are no replay and are
# the newest; a new path is challenged and earns at most 3x what it sent.
#
#   client C --- router R --- server S
#                  |    \
#            attacker T  victim V
#
# Events: a NAT rebinding (R masquerades; the mapping is flushed), the
# client's address replaced by one on another subnet, forged packets
# with a stolen connection ID from T, T replaying captured packets, and
# R rewriting the client's source to V's address, statelessly, as a
# reflection attack would.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
X="$ROAM_LIB_DIR/roamxfer"
SIZE=4194304		# each way; the 10 Mbit/s link makes it last seconds

srv="" cli=""
cleanup() {
	[ -n "$cli" ] && kill "$cli" 2>/dev/null && wait "$cli" 2>/dev/null
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

setup_ns C R S T V || exit "$ksft_skip"
tmp=$(mktemp -d)
link() {	# link NS DEV ADDR RDEV RADDR: NS's DEV to R's RDEV, R routes
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$R"
	ip -n "$1" addr add "$3" dev "$2"
	ip -n "$R" addr add "$5" dev "$4"
	ip -n "$1" link set "$2" up
	ip -n "$R" link set "$4" up
	ip -n "$1" route add default via "${5%/*}"
}
link "$C" vc 10.1.0.2/24 rc 10.1.0.1/24
link "$S" vs 10.3.0.2/24 rs 10.3.0.1/24
link "$T" vt 10.4.0.2/24 rt 10.4.0.1/24
link "$V" vv 10.5.0.99/24 rv 10.5.0.1/24
ip -n "$R" addr add 10.2.0.1/24 dev rc
ip -n "$R" route add 10.4.0.0/16 via 10.4.0.2	# the attacker's forged sources
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.rc.rp_filter=0 net.ipv4.conf.rt.rp_filter=0
# 10 Mbit/s both ways: transfers last long enough to roam in the middle.
tc -n "$R" qdisc add dev rs root netem rate 10mbit limit 10000 &&
	tc -n "$R" qdisc add dev rc root netem rate 10mbit limit 10000 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }

json() {	# json NS OBJECT PYTHON-EXPR-OF-j
	"$ROAMCTL" -n "$1" -j "$2" show |
		python3 -c "import json, sys; j = json.load(sys.stdin); print($3)"
}
stat() { json "$S" stats "j['$1']"; }

# start: a server for one connection, and a transfer to it in the
# background, both ways.
start() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null
	ip netns exec "$S" "$X" -l -p 7777 -n 1 >"$tmp/server" 2>&1 &
	srv=$!
	slowwait 10 grep -q listening "$tmp/server"
	ip netns exec "$C" timeout 600 "$X" -c 10.3.0.2 -p 7777 -u "$SIZE" -d "$SIZE" \
		>"$tmp/client" 2>&1 &
	cli=$!
	# Under way: the server holds the connection.
	slowwait 30 sh -c "$ROAMCTL -n $S conn show | grep -q established"
}

# finish NAME: the transfer ended and both sides match; the server's
# path counters are left in smv, sva and sfa.
finish() {
	local c s
	wait "$cli"
	cli=""
	slowwait 60 grep -q '^sent' "$tmp/server"
	c=$(cat "$tmp/client")
	s=$(grep '^sent' "$tmp/server" | tail -n1)
	read -r _ cs csha _ cr crsha _ ct _ _ _ _ _ _ _ _ _ _ _ _ _ cmv _ <<<"$c"
	read -r _ ss ssha _ sr srsha _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ smv _ sva _ sfa _ <<<"$s"
	if [ "$cs" != "$SIZE" ] || [ "$sr" != "$SIZE" ] || [ "$csha" != "$srsha" ] ||
	   [ "$ss" != "$SIZE" ] || [ "$cr" != "$SIZE" ] || [ "$ssha" != "$crsha" ]; then
		echo "    client: $c"
		echo "    server: $s"
		RET=$ksft_fail
		return
	fi
	echo "    $1: ${ct}s; server: $smv moves, $sva validated, $sfa failed;" \
	     "client: $cmv moves"
}

test_nat_rebinding() {
	RET=0
	if ! command -v conntrack >/dev/null || ! command -v nft >/dev/null; then
		log_test_skip "NAT rebinding: no nft or conntrack"
		return
	fi
	ip netns exec "$R" nft -f - <<-EOF
	table ip roamnat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "rs" meta l4proto udp masquerade to :30000-30999
		}
	}
	EOF
	start
	sleep 1
	# The router forgets the mapping and picks ports elsewhere.
	ip netns exec "$R" nft flush chain ip roamnat post
	ip netns exec "$R" nft add rule ip roamnat post oifname rs meta l4proto udp \
		masquerade to :40000-40999
	ip netns exec "$R" conntrack -F 2>/dev/null
	# The client's view may move too, and come back: while conntrack
	# binds a flow, a packet can pass the router untranslated.
	finish "NAT rebinding"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	check_eq "server validations" 1 "$([ "${sva:-0}" -ge 1 ] && echo 1)"
	ip netns exec "$R" nft delete table ip roamnat
	ip netns exec "$R" conntrack -F 2>/dev/null
	log_test "NAT rebinding mid-transfer: the server follows, the stream stays exact"
}

test_address_replaced() {
	RET=0
	start
	sleep 1
	ip -n "$C" addr add 10.2.0.2/24 dev vc
	ip -n "$C" addr del 10.1.0.2/24 dev vc
	ip -n "$C" route replace default via 10.2.0.1
	finish "address replaced"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	check_eq "server validations" 1 "$([ "${sva:-0}" -ge 1 ] && echo 1)"
	log_test "client address replaced by one on another subnet mid-transfer"
	# Back to the first address, for the tests that follow.
	ip -n "$C" addr add 10.1.0.2/24 dev vc
	ip -n "$C" addr del 10.2.0.2/24 dev vc
	ip -n "$C" route replace default via 10.1.0.1
}

test_forged() {
	local cid auth
	RET=0
	start
	cid=$(json "$S" conn "[c['local_id'] for c in j if c.get('state') == 'established'][0]")
	auth=$(stat auth_failures)
	ip netns exec "$T" "$ROAM_LIB_DIR/roamflood" -t 10.3.0.2 -p 7777 -n 2000 \
		-s 10.4 -k short -c "$cid"
	finish "forged packets with a stolen CID"
	check_eq "server moves" 0 "${smv:-x}"
	auth=$(( $(stat auth_failures) - auth ))
	echo "    $auth forged packets refused"
	check_eq "forged packets refused" 1 "$([ "$auth" -ge 1 ] && echo 1)"
	log_test "forged packets with a stolen connection ID neither move nor stall it"
}

test_replay() {
	local replays out
	RET=0
	replays=$(stat replays)
	start
	timeout 60 ip netns exec "$R" tcpdump -q -i rs -w "$tmp/cap" -c 300 \
		udp and dst port 7777 2>/dev/null
	out=$(ip netns exec "$T" "$ROAM_LIB_DIR/roamreplay" -r "$tmp/cap" -t 10.3.0.2 -p 7777 -n 3)
	finish "captured packets replayed from a new address"
	check_eq "server moves" 0 "${smv:-x}"
	check_eq "replays" "$out" "replayed 900"
	replays=$(( $(stat replays) - replays ))
	echo "    $replays replays refused"
	check_eq "replays refused" 1 "$([ "$replays" -ge 1 ] && echo 1)"
	log_test "replayed packets from a new address neither move nor stall it"
}

# R rewrites the client's source to V's address, with no state to undo
# it: the server's answers go to V, which never asked for them.  What V
# gets stays within 3x what came "from" it; then the client is heard
# from its own address again, and the transfer completes.
test_reflection() {
	local from to
	RET=0
	start
	sleep 1
	ip netns exec "$R" nft -f - <<-EOF
	table ip roamspoof {
		chain pre {
			type filter hook prerouting priority raw;
			ip saddr 10.1.0.2 udp dport 7777 notrack counter ip saddr set 10.5.0.99
		}
		chain forward {
			type filter hook forward priority filter;
			ip daddr 10.5.0.99 counter
		}
	}
	EOF
	sleep 4
	from=$(ip netns exec "$R" nft list chain ip roamspoof pre | sed -n 's/.*bytes \([0-9]*\).*/\1/p')
	to=$(ip netns exec "$R" nft list chain ip roamspoof forward | sed -n 's/.*bytes \([0-9]*\).*/\1/p')
	ip netns exec "$R" nft delete table ip roamspoof
	finish "reflection towards a victim"
	echo "    victim got $to bytes for $from bytes sent in its name"
	check_eq "the server answered the victim's address" 1 "$([ "${to:-0}" -gt 0 ] && echo 1)"
	check_eq "amplification at most 3x" 1 "$([ "${to:-1}" -le $(( 3 * ${from:-0} )) ] && echo 1)"
	log_test "reflection: a victim gets at most 3x, then the path comes back"
}

test_nat_rebinding
test_address_replaced
test_forged
test_replay
test_reflection
exit "$EXIT_STATUS"
