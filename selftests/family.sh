#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Roaming between IPv4 and IPv6 (docs/PROTOCOL.md section 7, advertised
# addresses): a client on an IPv4-only network moves to an IPv6-only one
# and back while a byte-exact transfer runs both ways, and keeps its
# connection to a dual-stack server, which told it its other addresses.
#
#   client C --- router R --- server S (10.0.3.2, fd03::2)
#                  |
#              attacker T
#
# Variants: starting from IPv4 (v4), from IPv4 behind a NAT (nat: R
# masquerades), and from IPv6 (v6).  ROAM_FAMILY_CASES picks the cases
# (by default "nat v6 forged unanswered download silent").  And an advertisement T
# forges, with the server's address and the client's connection ID,
# never makes the client send to T: the frame does not authenticate.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
X="$ROAM_LIB_DIR/roamxfer"
NC="$ROAM_LIB_DIR/roamnc"
FLOOD="$ROAM_LIB_DIR/roamflood"
# Each way, at least: the senders keep sending until the test opens the
# gate (roamxfer -g), after its moves, so that the transfer outlasts them
# however long a loaded lane takes.
SIZE=1048576

trap roam_cleanup EXIT
setup_ns C R S T || exit "$ksft_skip"
tmp=$(mktemp -d)

link() {	# link NS DEV RDEV: NS's DEV to R's RDEV, both up
	ip link add "$2" netns "$1" type veth peer name "$3" netns "$R"
	ip -n "$1" link set "$2" up
	ip -n "$R" link set "$3" up
}
link "$C" vr rc
link "$S" vr rs
link "$T" vr rt
ip -n "$R" addr add 10.0.1.1/24 dev rc
ip -n "$R" addr add fd01::1/64 dev rc nodad
ip -n "$R" addr add 10.0.3.1/24 dev rs
ip -n "$R" addr add fd03::1/64 dev rs nodad
ip -n "$R" addr add 10.0.4.1/24 dev rt
ip -n "$R" addr add fd04::1/64 dev rt nodad
ip -n "$S" addr add 10.0.3.2/24 dev vr
ip -n "$S" addr add fd03::2/64 dev vr nodad
ip -n "$S" route add default via 10.0.3.1
ip -n "$S" -6 route add default via fd03::1
ip -n "$T" addr add 10.0.4.2/24 dev vr
ip -n "$T" addr add fd04::2/64 dev vr nodad
ip -n "$T" route add default via 10.0.4.1
ip -n "$T" -6 route add default via fd04::1
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.rt.rp_filter=0
ip netns exec "$C" sysctl -qw net.ipv6.conf.vr.accept_ra=0
# 2 Mbit/s towards the client, with a router's queue (0.5 s): the
# transfer outlasts the moves.
tc -n "$R" qdisc add dev rc root netem rate 2mbit limit 100 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }
# What reaches R from the client's link-local address for the server's
# IPv6 one: R cannot forward it (RFC 4291 2.5.6), and a client left with
# only that address must take it for no route (run).
ip netns exec "$R" nft -f - <<-EOF
table inet fromll {
	chain pre {
		type filter hook prerouting priority filter;
		iifname "rc" ip6 saddr fe80::/10 ip6 daddr fd03::2 counter
	}
}
EOF
fromll() {
	ip netns exec "$R" nft list table inet fromll | awk '/counter packets/ { print $(NF - 2) }'
}

# What R forwards to T's addresses, from the client.
ip netns exec "$R" nft -f - <<-EOF
table inet tocount {
	chain forwarded {
		type filter hook forward priority filter;
		iifname "rc" ip daddr 10.0.4.0/24 counter
		iifname "rc" ip6 daddr fd04::/64 counter
	}
}
EOF

# R's queue towards the client is full of the transfer, and neighbour
# discovery through it can starve for seconds (seen on the debug lane: 7 s
# without an answer to the client's solicitations): the neighbours are
# static, so that what the tests time is roam's move, not that.
for a in 10.0.1.1 fd01::1; do
	neigh_pin "$C" vr "$a" "$R" rc
done
for a in 10.0.1.2 fd01::2; do
	neigh_pin "$R" rc "$a" "$C" vr
done

# ipv4 on|off, ipv6 on|off: the client's network.
ipv4() {
	if [ "$1" = on ]; then
		ip -n "$C" addr add 10.0.1.2/24 dev vr
		ip -n "$C" route replace default via 10.0.1.1
	else
		ip -n "$C" addr del 10.0.1.2/24 dev vr
	fi
}
ipv6() {
	if [ "$1" = on ]; then
		ip -n "$C" addr add fd01::2/64 dev vr nodad
		ip -n "$C" -6 route replace default via fd01::1
	else
		ip -n "$C" addr del fd01::2/64 dev vr
	fi
}

# Each test listens on a port of its own, so that a connection an earlier
# one closed, which may linger a while as TCP's do, is never taken for
# its connection.
PORT=7700

# conn NS NAME: for NS's connection on port $PORT (the server's local
# port, the client's remote one), from roamctl's text: the address of
# "local" or "remote", without its port; "lport", the local port; "cid",
# the local ID; else the word after NAME ("peer_addrs": A,B).  awk, not
# python3: the waits below ask ten times a second, and on the debug lane
# python3 takes a second of CPU to start.
conn() {
	"$ROAMCTL" -n "$1" conn show | awk -v port="$PORT" -v name="$2" '
		function port_of(s) { sub(/.*:/, "", s); return s }
		function addr_of(s) {
			sub(/:[0-9]+$/, "", s); gsub(/[][]/, "", s); sub(/%.*/, "", s)
			return s
		}
		{
			l = r = ""
			for (i = 1; i < NF; i++) {
				if ($i == "local") l = $(i + 1)
				if ($i == "remote") r = $(i + 1)
			}
			if (port_of(l) != port && port_of(r) != port)
				next
			if (name == "cid") print $2
			else if (name == "lport") print port_of(l)
			else if (name == "local") print addr_of(l)
			else if (name == "remote") print addr_of(r)
			else for (i = 1; i < NF; i++) if ($i == name) print $(i + 1)
		}'
}
server_remote() { conn "$S" remote; }

remote_is() { [ "$(server_remote)" = "$1" ]; }
advertised() { [ -n "$(conn "$C" peer_addrs)" ]; }
connected() { [ -n "$(server_remote)" ]; }

# moved ADDR: the server sends to ADDR within 30 s.  (On the debug lane,
# a client that tries an address once a probe timeout took just over 10.)
moved() {
	slowwait 30 remote_is "$1" && return
	echo "    the server sends to $(server_remote), not $1"
	RET=$ksft_fail
}

# field FILE NAME: the number after NAME in roamxfer's result line.
field() {
	awk -v n="$2" '$1 == "sent" { for (i = 1; i < NF; i++) if ($i == n) print $(i + 1) }' "$1"
}

# serve: a server for one connection on $PORT ($srv), its sends gated.
serve() {
	rm -f "$tmp/gate"
	: >"$tmp/server"	# the waits below read no earlier run's lines
	ip netns exec "$S" "$X" -l -p "$PORT" -n 1 -g "$tmp/gate" >"$tmp/server" 2>&1 &
	srv=$!
	pids+=("$srv")
	slowwait 10 grep -q listening "$tmp/server"
	: >"$tmp/client.err"
}

# run NAME FIRST NAT: a transfer through IPv4-only, IPv6-only and back
# (FIRST=4), or the other way round (FIRST=6), with R masquerading the
# client's IPv4 when NAT=nat.
run() {
	local name=$1 first=$2 nat=$3 v4=10.0.1.2 server addrs ll
	RET=0
	PORT=$((PORT + 1))
	ll=$(fromll)
	if [ "$nat" = nat ]; then
		v4=10.0.3.1
		ip netns exec "$R" nft -f - <<-EOF
		table ip nat {
			chain post {
				type nat hook postrouting priority srcnat;
				ip saddr 10.0.1.0/24 oifname "rs" masquerade random
			}
		}
		EOF
	fi
	if [ "$first" = 4 ]; then
		ipv4 on
		server=10.0.3.2
	else
		ipv6 on
		server=fd03::2
	fi
	serve
	ip netns exec "$C" timeout 300 "$X" -c "$server" -p "$PORT" -u "$SIZE" -d "$SIZE" \
		-g "$tmp/gate" >"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	slowwait 10 connected
	addrs=$(conn "$C" peer_addrs)
	echo "    $name: the server advertised $addrs"
	case ",$addrs," in
	*,10.0.3.2,*fd03::2,*|*,fd03::2,*10.0.3.2,*) ;;
	*) echo "    $name: not both of the server's addresses"; RET=$ksft_fail ;;
	esac
	if [ "$first" = 4 ]; then
		ipv6 on; ipv4 off; moved fd01::2
		ipv4 on; ipv6 off; moved "$v4"
	else
		ipv4 on; ipv6 off; moved "$v4"
		ipv6 on; ipv4 off; moved fd01::2
	fi
	touch "$tmp/gate"
	xfer_wait "$SIZE+" "$SIZE+"
	echo "    $name: the client's moves $(field "$tmp/client" moves), the server's $(field "$tmp/server" moves)"
	check_eq "$name: packets from the client's link-local address to the server's" \
		0 "$(($(fromll) - ll))"
	stop_job "$srv"
	ip -n "$C" addr flush dev vr scope global
	ip -n "$C" route flush table main 2>/dev/null
	ip -n "$C" -6 route flush table main 2>/dev/null
	[ "$nat" = nat ] && ip netns exec "$R" nft delete table ip nat
	log_test "$name"
}

# An ADDRESSES frame T forges, from the server's address and port to the
# client's, naming T's addresses: it does not authenticate, the client
# keeps the server's list, and when it moves it sends nothing to T.
test_forged() {
	local cport cid before after n
	RET=0
	PORT=$((PORT + 1))
	ipv4 on
	serve
	ip netns exec "$C" timeout 300 "$X" -c 10.0.3.2 -p "$PORT" -u "$SIZE" -d "$SIZE" \
		-g "$tmp/gate" >"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	slowwait 10 connected
	cport=$(conn "$C" lport)
	cid=$(conn "$C" cid)
	# R's queue towards the client is full of the transfer, and drops
	# some of what T sends into it: T sends in rounds of ten, from each
	# of its addresses in turn, until the client has refused 50.
	before=$("$ROAMCTL" -n "$C" stats show | awk '$1 == "auth_failures" { print $2 }')
	n=0 after=$before
	while [ "$((after - before))" -lt 50 ] && [ "$n" -lt 20 ]; do
		a=$([ $((n % 2)) = 0 ] && echo 10.0.4.2 || echo fd04::2)
		ip netns exec "$T" "$FLOOD" -t 10.0.1.2 -p "$cport" -n 10 -i 5000 -k short \
			-c "$cid" -f "10.0.3.2:$PORT" -a "$a" ||
			{ echo "    roamflood failed"; RET=$ksft_fail; break; }
		n=$((n + 1))
		roam_nap 0.1
		after=$("$ROAMCTL" -n "$C" stats show | awk '$1 == "auth_failures" { print $2 }')
	done
	echo "    forged advertisements to port $cport, connection $cid: $((n * 10)) sent," \
	     "$((after - before)) refused by the client"
	[ "$((after - before))" -ge 50 ] || {
		RET=$ksft_fail
		echo "    R's queue to the client: $(tc -n "$R" -s qdisc show dev rc | tr '\n' ' ')"
	}
	check_eq "the client's list after the forgeries" "10.0.3.2,fd03::2" \
		"$(conn "$C" peer_addrs | tr , '\n' | sort | paste -sd,)"
	ipv6 on; ipv4 off; moved fd01::2
	touch "$tmp/gate"
	xfer_wait "$SIZE+" "$SIZE+"
	n=$(ip netns exec "$R" nft list table inet tocount | awk '/counter packets/ { s += $(NF-2) } END { print s + 0 }')
	check_eq "packets from the client to T" 0 "$n"
	stop_job "$srv"
	ip -n "$C" addr flush dev vr scope global
	log_test "a forged advertisement sends the client nowhere"
}

# unanswered: the client loses its IPv4 address, its only way to the
# server's, while the server's IPv6 address does not answer (R drops what
# goes there to $PORT, and counts it: held).
unanswered() {
	ip netns exec "$R" nft -f - <<-EOF
	table inet hold {
		chain forwarded {
			type filter hook forward priority filter;
			ip6 daddr fd03::2 udp dport $PORT counter drop
		}
	}
	EOF
	ipv6 on; ipv4 off
}

# held: the packets R dropped on their way to the server's IPv6 address.
held() {
	ip netns exec "$R" nft list table inet hold | awk '/counter packets/ { print $(NF - 3) }'
}

# The client tries the server's IPv6 address once a probe timeout, which
# backs off to probe_max (500 ms) even though the probes to the old
# address cannot leave, not as fast as its timer can fire.  Then the
# address answers, and the connection moves there.  UP: the bytes the
# client sends; with 0 it only downloads, has nothing in flight, and must
# try all the same (once, a server that challenged its first try too
# late never heard of it again).
test_unanswered() {
	local up=$1 name=$2 n gate=() want=0
	RET=0
	PORT=$((PORT + 1))
	ipv4 on
	serve
	[ "$up" = 0 ] || { gate=(-g "$tmp/gate"); want="$up+"; }
	ip netns exec "$C" timeout 300 "$X" -c 10.0.3.2 -p "$PORT" -u "$up" -d "$SIZE" \
		"${gate[@]}" >"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	slowwait 10 connected
	unanswered
	sleep 5
	n=$(held)
	echo "    packets to the server's unanswering address in 5 s: $n"
	# Tried again, but once a probe_max: ten in 5 s, the first at once,
	# and two to spare (a late timer makes fewer, never more); then the
	# move.
	[ "${n:-0}" -ge 2 ] && [ "${n:-0}" -le 13 ] || RET=$ksft_fail
	ip netns exec "$R" nft delete table inet hold
	moved fd01::2
	touch "$tmp/gate"
	xfer_wait "$want" "$SIZE+"
	stop_job "$srv"
	ip -n "$C" addr flush dev vr scope global
	log_test "no way to the server's address: its other one is tried once a probe timeout$name"
}

# An idle connection (roamnc holds it: nothing in flight, no FIN, no
# keepalive, so it never times out, as TCP's would not), the server's
# IPv6 address never answers, and the client's idle timeout is 3 s: the
# tries stop once the server has been silent that long (section 7), not
# twice a second for as long as the connection lasts.  One more may go
# with the PING a quiet client sends half a hop interval (5 s) after it
# last heard from its server.
test_silent() {
	local n1 n2 srv cli
	RET=0
	PORT=$((PORT + 1))
	ipv4 on
	ip netns exec "$S" "$NC" -l -p "$PORT" -n 0 -H >"$tmp/server" 2>&1 &
	srv=$!
	pids+=("$srv")
	slowwait 10 grep -q listening "$tmp/server"
	ip netns exec "$C" "$NC" -H 10.0.3.2 "$PORT" >"$tmp/client" 2>&1 &
	cli=$!
	pids+=("$cli")
	slowwait 10 connected && slowwait 10 advertised ||
		echo "    not connected, or nothing advertised: $(cat "$tmp/client")"
	"$ROAMCTL" -n "$C" config set idle_timeout 3000
	unanswered
	sleep 7
	n1=$(held)
	sleep 4
	n2=$(held)
	echo "    packets to the server's unanswering address: $n1 in its first 7 s, $n2 in 11 s"
	[ "${n1:-0}" -ge 1 ] && [ "$n2" = "$n1" ] || {
		RET=$ksft_fail
		echo "    client: $("$ROAMCTL" -n "$C" conn show 2>&1 | head -n 3)"
	}
	stop_job "$cli"
	stop_job "$srv"
	ip netns exec "$R" nft delete table inet hold
	"$ROAMCTL" -n "$C" config set idle_timeout 300000
	ip -n "$C" addr flush dev vr scope global
	log_test "no way to the server's address, which never answers: the tries end with the idle timeout"
}

# By default the NAT variant (from IPv4) and the one from IPv6, and the
# forged case and the unanswered ones; make family (tools/long) runs all.
# The debug lane, where its processes cost seconds of CPU each, runs one
# of each kind: the NAT variant moves both ways between the families,
# and the unanswered case with a client that sends covers the one that
# only downloads.
CASES="nat v6 forged unanswered download silent"
[ "${ROAM_LANE:-}" = debug ] && CASES="nat forged unanswered silent"
CASES=${ROAM_FAMILY_CASES:-$CASES}
want() { [[ " $CASES " == *" $1 "* ]]; }
want v4 && run "IPv4, then IPv6, then IPv4: the connection follows" 4 direct
want nat && run "IPv4 behind a NAT, then IPv6, then IPv4 behind the NAT" 4 nat
want v6 && run "IPv6, then IPv4, then IPv6" 6 direct
want forged && test_forged
want unanswered && test_unanswered "$SIZE" ""
want download && test_unanswered 0 ", by a client that only downloads"
want silent && test_silent
exit "$EXIT_STATUS"
