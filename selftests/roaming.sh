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
# client's address replaced by one on another subnet (IPv4, IPv6, and
# towards a server's second address, which must keep answering from
# it), the same for an idle connection, which only the address notifier
# reports, the client's first link going down while a second one works,
# two working paths at once, forged packets
# with a stolen connection ID from T, T replaying captured packets, and
# R rewriting the client's source to V's address, statelessly, as a
# reflection attack would, a 15 s outage, and port hops: asked for with
# roamctl, and after the client's port is blocked for the hop interval.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
X="$ROAM_LIB_DIR/roamxfer"
NC="$ROAM_LIB_DIR/roamnc"
# 10 Mbit/s both ways, and a router's queues of 1000 packets (1.2 s):
# roam fills what it is given, and with queues of 12 s a path
# validation waited that long behind the transfer's packets.  The gated
# transfers stream at that rate for as long as a case's commands take.
# The debug lane, which moves about 12 Mbit/s in all with both of its
# CPUs, gets a fifth of the rate, the queue and the sizes: the same
# times, a fifth of the work.
RATE=10 LIMIT=1000 SIZE=2097152 LONG_SIZE=4194304
if [ "${ROAM_LANE:-}" = debug ]; then
	RATE=2 LIMIT=200 SIZE=$((SIZE / 5)) LONG_SIZE=$((LONG_SIZE / 5))
fi
# SIZE: each way, at least: every case's senders keep sending until it
# opens the gate (start, below), after its event, however long that took.

srv="" cli=""
cleanup() {
	stop_job "$cli"
	stop_job "$srv"
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
ip -n "$C" addr add fd01::2/64 dev vc nodad
ip -n "$S" addr add fd03::2/64 dev vs nodad
ip -n "$R" addr add fd01::1/64 dev rc nodad
ip -n "$R" addr add fd02::1/64 dev rc nodad
ip -n "$R" addr add fd03::1/64 dev rs nodad
ip -6 -n "$C" route add default via fd01::1
ip -6 -n "$S" route add default via fd03::1
link "$T" vt 10.4.0.2/24 rt 10.4.0.1/24
link "$V" vv 10.5.0.99/24 rv 10.5.0.1/24
ip -n "$R" addr add 10.2.0.1/24 dev rc
ip -n "$R" route add 10.4.0.0/16 via 10.4.0.2	# the attacker's forged sources
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 \
	net.ipv4.conf.rc.rp_filter=0 net.ipv4.conf.rt.rp_filter=0
tc -n "$R" qdisc add dev rs root netem rate ${RATE}mbit limit $LIMIT &&
	tc -n "$R" qdisc add dev rc root netem rate ${RATE}mbit limit $LIMIT ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }

# The server advertises no other addresses here (family.sh tests that):
# a client whose probes go unanswered twice may try them and move there,
# legitimately, and "client moves" below would count it.  Under load, one
# IPv6 address change here had 6 client moves with advertising on; with
# it off, a client move says that the server answered from elsewhere.
"$ROAMCTL" -n "$S" config set advertise 0

stat() {	# stat NAME [NS]: the server's counter NAME, or NS's
	"$ROAMCTL" -n "${2:-$S}" stats show | awk -v n="$1" '$1 == n { print $2 }'
}
counted_since() { [ "$(stat "$1" "${3:-$S}")" -gt "$2" ]; }	# counted_since NAME BEFORE [NS]

# gone_check WHAT EXPECTED BEFORE: whether the server got a PATH_GONE
# (1) or not (0) since its paths_gone counter was BEFORE.
gone_check() {
	check_eq "$1" "$2" "$(( $(stat paths_gone) > $3 ))"
}

# start [HOST]: a server for one connection, and a transfer to it in
# the background, both ways: SIZE bytes down, UP (if set, else SIZE) up.
# With gated=1, each side that sends keeps sending until open_gate: a
# case's event lands mid-transfer however long its commands take (on a
# starved lane, one nft command outlasted a 14 s transfer).
start() {
	local sg=() cg=()
	if [ "${gated:-0}" = 1 ]; then
		rm -f "$tmp/gate"
		sg=(-g "$tmp/gate")
		[ "${UP-$SIZE}" = 0 ] || cg=(-g "$tmp/gate")
	fi
	stop_job "$srv"
	: >"$tmp/server"	# the waits below read no earlier run's lines
	ip netns exec "$S" "$X" -l -p 7777 -n 1 "${sg[@]}" >"$tmp/server" 2>&1 &
	srv=$!
	slowwait 10 grep -q listening "$tmp/server"
	: >"$tmp/client.err"
	ip netns exec "$C" timeout 600 "$X" -i -c "${1:-10.3.0.2}" -p 7777 -u "${UP-$SIZE}" -d "$SIZE" \
		"${cg[@]}" >"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	# Under way: the server holds the connection (in close-wait at once
	# when the client has nothing to send).
	slowwait 30 sh -c "$ROAMCTL -n $S conn show | grep -qE 'established|close-wait'"
	# A transfer still going 120 s after it started, or after its gate
	# opened, is stuck: show where it is.  (The watcher ends with the
	# transfer: it holds the output open.)
	(
		n=0
		while [ "$n" -lt 120 ]; do
			roam_nap 1
			kill -0 "$cli" 2>/dev/null || exit 0
			[ -z "${sg[*]}" ] || [ -e "$tmp/gate" ] && n=$((n + 1))
		done
		echo "    stuck; server and client:"
		"$ROAMCTL" -n "$S" conn show
		"$ROAMCTL" -n "$C" conn show
		"$ROAMCTL" -n "$S" stats show | grep -v ' 0$' | tr '\n' ' '
		echo
	) &
}

# open_gate: a gated transfer's senders finish what they have.
open_gate() { touch "$tmp/gate"; }

# client_conn: the client's port and CID, as it said once connected, in
# cport and ccid, and the server's CID in scid.
client_conn() {
	slowwait 60 grep -q '^connected' "$tmp/client.err"
	read -r _ _ cport _ ccid _ scid < <(grep '^connected' "$tmp/client.err")
}

# finish NAME: the transfer ended and both sides match; the server's
# path counters are left in smv, sva and sfa, the client's in cmv and chop.
finish() {
	local ct up=${UP-$SIZE} down=$SIZE
	if [ "${gated:-0}" = 1 ]; then
		[ "$up" = 0 ] || up=$up+
		down=$down+
	fi
	xfer_wait "$up" "$down" || return
	read -r _ _ _ _ _ _ _ ct _ _ _ _ _ _ _ _ _ _ _ _ _ cmv _ _ _ _ _ chop _ <<<"$xfer_c"
	read -r _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ _ smv _ sva _ sfa _ <<<"$xfer_s"
	echo "    $1: ${ct}s; server: $smv moves, $sva validated, $sfa failed;" \
	     "client: $cmv moves, $chop hops"
}

test_nat_rebinding() {
	local gone moves gated=1
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
	moves=$(stat path_moves)
	# The router forgets the mapping and picks ports elsewhere.
	ip netns exec "$R" nft flush chain ip roamnat post
	ip netns exec "$R" nft add rule ip roamnat post oifname rs meta l4proto udp \
		masquerade to :40000-40999
	# A flush that fails is said: on the debug lane's 6.12.118 it does
	# ("invalid parameters", with or without the family), and once the
	# old mapping stayed, with no move.
	ip netns exec "$R" conntrack -F -f ipv4 2>"$tmp/conntrack" >/dev/null ||
		echo "    conntrack -F failed: $(tail -n1 "$tmp/conntrack")"
	gone=$(stat paths_gone)
	slowwait 30 counted_since path_moves "$moves"
	open_gate
	# While conntrack binds a flow, a packet can pass the router
	# untranslated and leave two working mappings at once: then both
	# ends may switch between them, and the server's validation may not
	# finish before the transfer does.  The other tests count validations.
	finish "NAT rebinding"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	gone_check "PATH_GONE, for a rebinding the client cannot see" 0 "$gone"
	ip netns exec "$R" nft delete table ip roamnat
	ip netns exec "$R" conntrack -F -f ipv4 >/dev/null 2>&1
	log_test "NAT rebinding mid-transfer: the server follows, the stream stays exact"
}

# replace_addr OLD NEW GATEWAY [-6]: the client's address, replaced.
replace_addr() {
	ip $4 -n "$C" addr add "$2" dev vc nodad 2>/dev/null ||
		ip $4 -n "$C" addr add "$2" dev vc
	ip $4 -n "$C" addr del "$1" dev vc
	ip $4 -n "$C" route replace default via "$3"
}

# test_address_replaced NAME HOST OLD NEW GATEWAY OLDGATEWAY [-6]
test_address_replaced() {
	local mon moved gone val gated=1
	RET=0
	ip netns exec "$S" "$ROAMCTL" -j monitor >"$tmp/events" &
	mon=$!
	start "$2"
	sleep 1
	gone=$(stat paths_gone)
	val=$(stat path_validations)
	replace_addr "$3" "$4" "$5" $7
	slowwait 30 counted_since path_validations "$val"
	open_gate
	finish "$1"
	kill "$mon"
	wait "$mon" 2>/dev/null
	moved=$(python3 -c "import json, sys
print(sum(1 for l in open(sys.argv[1]) for e in [json.loads(l)]
	  if e['event'] == 'path-changed' and e['old']['address'] == sys.argv[2]
	  and e['new']['address'] == sys.argv[3]))" "$tmp/events" "${3%/*}" "${4%/*}")
	check_eq "path-changed events from the old to the new address" 1 \
		"$([ "${moved:-0}" -ge 1 ] && echo 1)"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	check_eq "server validations" 1 "$([ "${sva:-0}" -ge 1 ] && echo 1)"
	# The server answers from the address the client reached, always.
	check_eq "client moves" 0 "${cmv:-x}"
	# IPv4 keeps sending from the old address, the primary, until it is
	# deleted: what the server sent there meanwhile is lost, and the
	# client says so.  IPv6 prefers the new address (the longer prefix in
	# common with the server's) as soon as it is added, while the old
	# one still receives: nothing is lost, and the client says nothing.
	gone_check "PATH_GONE from the client" "$([ -z "$7" ] && echo 1 || echo 0)" "$gone"
	log_test "$1 mid-transfer: the server follows, the stream stays exact"
	# Back to the first address, for the tests that follow.
	replace_addr "$4" "$3" "$6" $7
}

# An idle connection, and the client's address replaced: the address
# notifier has the client ping from its new address at once, so the
# server follows before either side has anything to send.  With the hop
# interval out of the test's reach, nothing else would make the client
# send: without the notifier the server would not move at all.
test_idle_client() {
	local pids=()
	RET=0
	"$ROAMCTL" -n "$C" config set hop_interval 600s
	ip netns exec "$S" "$NC" -l -p 7100 -n 1 -H >/dev/null 2>&1 &
	pids+=($!)
	slowwait 10 sh -c "$ROAMCTL -n $S listener show | grep -q 'port 7100'"
	ip netns exec "$C" "$NC" -H 10.3.0.2 7100 >/dev/null 2>&1 &
	pids+=($!)
	slowwait 30 sh -c "$ROAMCTL -n $S conn show | grep -q 'established.*remote 10.1.0.2:'"
	sleep 2		# what the handshake set going has settled
	replace_addr 10.1.0.2/24 10.2.0.2/24 10.2.0.1
	slowwait 30 sh -c "$ROAMCTL -n $S conn show | grep -q 'remote 10.2.0.2:'" ||
		check_eq "server's view of the idle client" "10.2.0.2" \
			"$("$ROAMCTL" -n "$S" conn show)"
	kill "${pids[@]}"
	wait "${pids[@]}" 2>/dev/null
	replace_addr 10.2.0.2/24 10.1.0.2/24 10.1.0.1
	"$ROAMCTL" -n "$C" config set hop_interval 10s
	log_test "idle client's address replaced: it says so at once (notifier)"
}

# Some tests move more after the gate opens (LONG_SIZE): what is in
# netem's queue when the path changes passes anyway, so that the
# server's validation waits behind it.

# R gives half the client's packets, drawn at random, a second source
# port, and maps answers to that port back, statelessly: two working
# paths at once, as a NAT can leave behind.  The server switches on every
# newest packet; the second path's challenge is not superseded by
# switching, so it gets validated, and from then on switching needs no
# challenge.  (With every other packet, strictly, one run had 144 moves
# and no validation: a steady rhythm of the client's may have put each
# of its answers on the first path.  A random draw cannot do that.)
test_two_paths() {
	local port gone val rewritten t SIZE=$LONG_SIZE gated=1
	RET=0
	# The rule's modules first, for nothing: loading them under load
	# once took 10 s, and the rule matched only in the transfer's last
	# second.
	ip netns exec "$R" nft -f - <<-EOF
	table ip roamtwo {
		chain pre {
			type filter hook prerouting priority raw;
			udp dport 9 numgen random mod 2 == 0 counter notrack udp sport set 5555
		}
	}
	EOF
	ip netns exec "$R" nft delete table ip roamtwo
	start
	sleep 1
	client_conn
	port=$cport
	gone=$(stat paths_gone)
	val=$(stat path_validations)
	t=$SECONDS
	ip netns exec "$R" nft -f - <<-EOF
	table ip roamtwo {
		chain pre {
			type filter hook prerouting priority raw;
			ip saddr 10.1.0.2 udp sport $port udp dport 7777 numgen random mod 2 == 0 counter notrack udp sport set 5555
			ip daddr 10.1.0.2 udp sport 7777 udp dport 5555 counter notrack udp dport set $port
		}
	}
	EOF
	# Under load, loading nft's modules for the rule can take seconds:
	# the two paths count from the rule's first match.
	t="the rule was in after $((SECONDS - t)) s, the client $(kill -0 "$cli" 2>/dev/null ||
		echo "no longer ")running"
	slowwait 30 sh -c "ip netns exec $R nft list chain ip roamtwo pre | grep -q 'packets [1-9]'"
	# Both paths stay until the second is validated, however long the
	# transfer leaves for it: under load, one run had 16 moves and no
	# validation in the 6 s this waited.
	slowwait 60 counted_since path_validations "$val"
	sleep 1
	rewritten=$(ip netns exec "$R" nft list chain ip roamtwo pre |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | tr '\n' ' ')
	ip netns exec "$R" nft delete table ip roamtwo
	open_gate
	finish "two working paths at once"
	echo "    client port $port; $t; packets rewritten to port 5555 and back: $rewritten"
	check_eq "server moves, 2 at least" yes "$([ "${smv:-0}" -ge 2 ] && echo yes || echo "${smv:-none}")"
	check_eq "server validations, 1 at least" yes "$([ "${sva:-0}" -ge 1 ] && echo yes || echo "${sva:-none}")"
	check_eq "client moves" 0 "${cmv:-x}"
	gone_check "PATH_GONE, with both paths working" 0 "$gone"
	log_test "two working paths at once: both validated, the stream stays exact"
}

udp_ports() {	# udp_ports NS: UDP sockets open there
	ip netns exec "$1" sh -c 'tail -n +2 /proc/net/udp6 | wc -l'
}

# roamctl conn migrate: the client sends from a new port, keeps the old
# one open to receive, and the server follows.
test_hop_asked() {
	local cid ports moves val SIZE=$LONG_SIZE gated=1
	RET=0
	# Only this connection may open or close ports while they are
	# counted: the earlier tests' orphans end first.
	roam_wait_idle
	start
	sleep 1
	client_conn
	cid=$ccid
	moves=$(stat path_moves)
	val=$(stat path_validations)
	ports=$(udp_ports "$C")
	"$ROAMCTL" -n "$C" conn migrate id "$cid"
	ports="$ports $(udp_ports "$C")"
	slowwait 30 counted_since path_moves "$moves"
	# The transfer goes on until the new path is validated, however long
	# that takes: one full run ended 15 s after the hop with the
	# validation neither done nor failed.  A PATH_RESPONSE lost in
	# netem's full queue is not asked for again until the validation's
	# deadline, three probe timeouts, has passed.
	slowwait 60 counted_since path_validations "$val"
	open_gate
	finish "port hop asked for"
	check_eq "client hops" 1 "${chop:-x}"
	# The old port stays open to receive.
	check_eq "ports the hop added" 1 "$(( ${ports#* } - ${ports% *} ))"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	check_eq "server validations" 1 "$([ "${sva:-0}" -ge 1 ] && echo 1)"
	log_test "port hop asked for mid-transfer: the server follows, the stream stays exact"
}

# The client's port is dropped both ways while the client only
# downloads: half a hop interval (1 s here) after the data stops, it
# pings, and with no answer for the hop interval it hops to a new port.
test_hop_timed() {
	local port hops moves SIZE=$LONG_SIZE UP=0 gated=1
	RET=0
	"$ROAMCTL" -n "$C" config set hop_interval 1s
	start
	sleep 1
	client_conn
	port=$cport
	hops=$(stat port_hops "$C")
	moves=$(stat path_moves)
	# In the client's namespace: what netem at R already queued must not
	# slip past the block either.
	ip netns exec "$C" nft -f - <<-EOF
	table inet roamblock {
		chain in {
			type filter hook prerouting priority raw;
			udp dport $port drop
		}
		chain out {
			type filter hook output priority raw;
			udp sport $port drop
		}
	}
	EOF
	slowwait 30 counted_since port_hops "$hops" "$C" &&
		slowwait 30 counted_since path_moves "$moves"
	open_gate
	finish "client port blocked"
	ip netns exec "$C" nft delete table inet roamblock
	"$ROAMCTL" -n "$C" config set hop_interval 10s
	check_eq "client hopped" 1 "$([ "${chop:-0}" -ge 1 ] && echo 1)"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	log_test "client port blocked in a download: it hops, the stream stays exact"
}

# The client has a second link, vc2, with a worse default route.  The
# first link goes down: its routes go, the address notifier has the
# connection look its route up again, and it pings from vc2's address.
test_second_link() {
	local gone val gated=1
	RET=0
	ip link add vc2 netns "$C" type veth peer name rc2 netns "$R"
	ip -n "$C" addr add 10.6.0.2/24 dev vc2
	ip -n "$R" addr add 10.6.0.1/24 dev rc2
	ip -n "$C" link set vc2 up
	ip -n "$R" link set rc2 up
	tc -n "$R" qdisc add dev rc2 root netem rate ${RATE}mbit limit $LIMIT
	ip -n "$C" route add default via 10.6.0.1 metric 100
	start
	sleep 1
	gone=$(stat paths_gone)
	val=$(stat path_validations)
	ip -n "$C" link set vc down
	slowwait 30 counted_since path_validations "$val"
	open_gate
	finish "first link down"
	check_eq "server moves" 1 "$([ "${smv:-0}" -ge 1 ] && echo 1)"
	check_eq "server validations" 1 "$([ "${sva:-0}" -ge 1 ] && echo 1)"
	check_eq "client moves" 0 "${cmv:-x}"
	gone_check "PATH_GONE from the client" 1 "$gone"
	log_test "second link, first one down mid-transfer: the stream stays exact"
	ip -n "$C" link set vc up
	ip -n "$C" route replace default via 10.1.0.1
	ip -n "$C" link del vc2
}

# T sends 2000 short packets that carry the server's CID and no valid
# tag, from random addresses, while the transfer runs.  The transfer is
# gated: on a debug kernel, starting it and flooding take as long as
# twice LONG_SIZE at RATE.  Every forged packet that reaches the server is
# refused on its tag, or dropped unopened if the connection's open queue
# is full (rx_drops also counts the client's packets that a full queue or
# backlog dropped).
test_forged() {
	local auth drops arrived SIZE=$LONG_SIZE gated=1
	RET=0
	auth=$(stat auth_failures)
	drops=$(stat rx_drops)
	ip netns exec "$S" nft -f - <<-EOF
	table ip roamforged {
		chain pre {
			type filter hook prerouting priority raw;
			ip saddr 10.4.0.0/16 counter
		}
	}
	EOF
	start
	client_conn
	ip netns exec "$T" "$ROAM_LIB_DIR/roamflood" -t 10.3.0.2 -p 7777 -n 2000 \
		-s 10.4 -k short -c "$scid"
	check_eq "transfer still running after the flood" 1 \
		"$("$ROAMCTL" -n "$S" conn show | grep -cE "^cid $scid .* state (established|close-wait) ")"
	open_gate
	finish "forged packets with a stolen CID"
	check_eq "server moves" 0 "${smv:-x}"
	auth=$(( $(stat auth_failures) - auth ))
	drops=$(( $(stat rx_drops) - drops ))
	arrived=$(ip netns exec "$S" nft list chain ip roamforged pre |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	ip netns exec "$S" nft delete table ip roamforged
	echo "    $arrived forged packets arrived: $auth refused, $drops dropped unopened"
	check_eq "forged packets arrived" 1 "$([ "${arrived:-0}" -ge 1 ] && echo 1)"
	check_eq "forged packets refused or dropped" 1 \
		"$([ $(( auth + drops )) -ge "${arrived:-1}" ] && echo 1)"
	log_test "forged packets with a stolen connection ID neither move nor stall it"
}

test_replay() {
	local replays out noconn drops arrived SIZE=$LONG_SIZE gated=1
	RET=0
	replays=$(stat replays)
	noconn=$(stat rx_no_conn)
	drops=$(stat rx_drops)
	# What reaches the server of T's replays: R's queue drops some.
	ip netns exec "$S" nft -f - <<-EOF
	table ip roamreplayed {
		chain pre {
			type filter hook prerouting priority raw;
			ip saddr 10.4.0.2 udp dport 7777 counter
		}
	}
	EOF
	# R passes the client's UDP GSO bursts on whole, so tcpdump would
	# capture each as one datagram of up to 64 KiB.  Replayed, those are
	# no roam packets, and they fill the link for longer than
	# the client's hop interval: the client then hops, rightly, and the
	# server follows it.  With segmentation off at R, the capture holds
	# single packets.
	ip netns exec "$R" ethtool -K rs tx-udp-segmentation off
	start
	timeout 60 ip netns exec "$R" tcpdump -q -i rs -w "$tmp/cap" -c 300 \
		udp and dst port 7777 2>/dev/null
	# R's queue to the server, a second of the link's rate, gets room
	# for the replays, which come as fast as T can send them.
	tc -n "$R" qdisc change dev rs root netem rate ${RATE}mbit limit $((LIMIT + 1000))
	out=$(ip netns exec "$T" "$ROAM_LIB_DIR/roamreplay" -r "$tmp/cap" -t 10.3.0.2 -p 7777 -n 3)
	ip netns exec "$R" ethtool -K rs tx-udp-segmentation on
	open_gate
	finish "captured packets replayed from a new address"
	check_eq "server moves" 0 "${smv:-x}"
	check_eq "replays" "$out" "replayed 900"
	replays=$(( $(stat replays) - replays ))
	arrived=$(ip netns exec "$S" nft list chain ip roamreplayed pre |
		sed -n 's/.*packets \([0-9]*\).*/\1/p')
	ip netns exec "$S" nft delete table ip roamreplayed
	netem_both
	echo "    $arrived of 900 replays arrived: $replays refused as replays;" \
	     "$(( $(stat rx_no_conn) - noconn )) for no connection," \
	     "$(( $(stat rx_drops) - drops )) dropped unopened"
	# Each is a packet the server took before.  Not every one that
	# arrives need be counted: the capture may hold handshake packets,
	# and a queue may drop a replay before it is opened.
	check_eq "most of the 900 arrived" 1 "$([ "${arrived:-0}" -ge 450 ] && echo 1)"
	check_eq "most of those refused as replays" 1 \
		"$([ "$replays" -ge $(( ${arrived:-0} / 2 )) ] && echo 1)"
	log_test "replayed packets from a new address neither move nor stall it"
}

# R rewrites the client's source to V's address, with no state to undo
# it: the server's answers go to V, which never asked for them.  What V
# gets stays within 3x what came "from" it; then the client is heard
# from its own address again, and the transfer completes.
test_reflection() {
	local from to gated=1
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
	# From the rule's first match: under load, one run counted nothing
	# in the 4 s after nft returned.
	slowwait 30 sh -c "ip netns exec $R nft list chain ip roamspoof pre | grep -q 'packets [1-9]'" ||
		echo "    the rule matched nothing in 30 s"
	sleep 4
	from=$(ip netns exec "$R" nft list chain ip roamspoof pre | sed -n 's/.*bytes \([0-9]*\).*/\1/p')
	to=$(ip netns exec "$R" nft list chain ip roamspoof forward | sed -n 's/.*bytes \([0-9]*\).*/\1/p')
	ip netns exec "$R" nft delete table ip roamspoof
	open_gate
	finish "reflection towards a victim"
	echo "    victim got $to bytes for $from bytes sent in its name"
	check_eq "the server answered the victim's address" 1 "$([ "${to:-0}" -gt 0 ] && echo 1)"
	check_eq "amplification at most 3x" 1 "$([ "${to:-1}" -le $(( 3 * ${from:-0} )) ] && echo 1)"
	log_test "reflection: a victim gets at most 3x, then the path comes back"
}

# netem_both ARGS...: R's links to the client and the server, changed.
netem_both() {
	tc -n "$R" qdisc change dev rs root netem rate ${RATE}mbit limit $LIMIT "$@" &&
		tc -n "$R" qdisc change dev rc root netem rate ${RATE}mbit limit $LIMIT "$@"
}

# netem_drained: what R's netem queues held when the outage began has
# left them (up to LIMIT packets at RATE, 1.2 s of full ones).
netem_drained() {
	local dev
	for dev in rs rc; do
		tc -s -n "$R" qdisc show dev "$dev" | grep -q 'backlog 0b 0p' || return 1
	done
}

# The router drops everything for about 15 s.  With an association
# timeout of 2 s, the server stops sending to the silent client (what it
# sends is counted where it reaches R) but keeps the connection; once
# the link is back, the client's next probe resumes the transfer.  A
# server that still sent would probe at least every probe_max (500 ms),
# so 8 s of quiet or more is proof enough.
test_outage() {
	local mid late t0 drained quiet gated=1
	RET=0
	"$ROAMCTL" -n "$S" config set assoc_timeout 2s
	ip netns exec "$R" nft -f - <<-EOF
	table ip roamout {
		chain pre {
			type filter hook prerouting priority filter;
			iifname "rs" udp sport 7777 counter
		}
	}
	EOF
	start
	sleep 1
	netem_both loss 100%
	t0=$SECONDS
	# What netem had queued still arrives; the server falls silent 2 s
	# after the last of it, and the count starts 2 s after that.
	slowwait 20 netem_drained || echo "    netem still holds packets after 20 s"
	drained=$(( SECONDS - t0 ))
	sleep 4
	mid=$(ip netns exec "$R" nft list chain ip roamout pre | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	# At least 8 s, and 15 s of outage in all.
	quiet=$(( 11 - drained > 8 ? 11 - drained : 8 ))
	sleep "$quiet"
	late=$(ip netns exec "$R" nft list chain ip roamout pre | sed -n 's/.*packets \([0-9]*\).*/\1/p')
	netem_both
	open_gate
	finish "15 s outage"
	echo "    netem's queues drained ${drained}s into the outage;" \
	     "server packets in its last $quiet s: $(( late - mid ))"
	check_eq "server silent after the association timeout" "$mid" "$late"
	ip netns exec "$R" nft delete table ip roamout
	"$ROAMCTL" -n "$S" config set assoc_timeout 40s
	log_test "15 s outage: the server falls silent, then the transfer resumes"
}

test_nat_rebinding
test_address_replaced "client address replaced by one on another subnet" \
	10.3.0.2 10.1.0.2/24 10.2.0.2/24 10.2.0.1 10.1.0.1
# The server's second address is not the one routing would answer from.
# The debug lane, where its processes cost seconds of CPU each, runs the
# address change once: these two take the same path through roam with
# another server address and family (family.sh moves it between IPv4
# and IPv6 there).
if [ "${ROAM_LANE:-}" != debug ]; then
	ip -n "$S" addr add 10.3.0.3/24 dev vs
	test_address_replaced "multi-homed server: client address replaced" \
		10.3.0.3 10.1.0.2/24 10.2.0.2/24 10.2.0.1 10.1.0.1
	test_address_replaced "IPv6: client address replaced" \
		fd03::2 fd01::2/64 fd02::2/64 fd02::1 fd01::1 -6
fi
test_idle_client
test_second_link
test_two_paths
test_hop_asked
test_hop_timed
test_forged
test_replay
test_reflection
test_outage
exit "$EXIT_STATUS"
