#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: the gap a change of network leaves in a connection, AF_ROAM
# against TCP inside WireGuard (when the module loads), mosh (when
# mosh-server, mosh-client and python3-pyte are there) and plain TCP, in
# one run.  The client C reaches the server S through a router R that
# delays each way by 20 ms (a 40 ms round trip).  The client sends a
# message every 10 ms and the server echoes it (mosh's client types a key
# every 10 ms instead, and a key is echoed when the server's screen, as
# the client shows it, counts it; see mosh.py).  The changes, one a row:
#
#   address  the client's address is replaced by one on another subnet:
#            the new one added, the old one deleted, the default route
#            replaced.  From the old address's deletion, as the kernel
#            announced it to `ip monitor`.
#   warm     the same, but the client already knows the new gateway's
#            MAC and R the client's (stale neighbour entries, as after a
#            DHCP exchange or a router advertisement): address's gap
#            less the neighbour resolution, whose answer from R crosses
#            R's 20 ms delay.
#   family   the client's network goes from IPv4-only to IPv6-only and
#            back (S has both); from the old address's deletion.
#   carrier  the client's first link loses its carrier while a second
#            link, with a route of lower priority, stays up; from the
#            carrier loss.
#   outage   R drops everything for 60 s; from the end of the outage.
#
# The gap is from that moment to the first echo of a message sent after
# it (for outage: to the first echo that arrives after it, as the
# messages sent during the outage come first), the median of ROUNDS
# changes (OUTAGE_ROUNDS for outage).  It is worked out afterwards from
# the times of every echo, so it does not depend on how soon the script
# learns of the change.  It includes the round trip; the shortest echo
# before the change is printed beside it, and, for address, how long
# after the change the first message went and that message's own round
# trip: the two parts of the gap.
#   handover.sh BUILD_DIR JSON_OUT
set -eu
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
B=$1
OUT=$2
ROUNDS=${ROUNDS:-5}
OUTAGE_ROUNDS=${OUTAGE_ROUNDS:-2}
SECS=${SECS:-6}
OUTAGE=${OUTAGE:-60}
ROWS=${ROWS:-"address warm family carrier outage"}
S="$B/stream"
MON=/tmp/handover.mon
MOSH="$(cd "$(dirname "$0")" && pwd)/mosh.py"	# mosh-server runs in $HOME

for ns in ho-c ho-r ho-s; do ip netns add "$ns"; done
cleanup() {
	pkill -f "$S -s" 2>/dev/null || true
	pkill -f "mosh-server new" 2>/dev/null || true
	[ -n "${mon:-}" ] && kill "$mon" 2>/dev/null
	for ns in ho-c ho-r ho-s; do ip netns del "$ns" 2>/dev/null || true; done
}
trap cleanup EXIT
ip link add vc netns ho-c type veth peer name rc netns ho-r
ip link add vc2 netns ho-c type veth peer name rc2 netns ho-r
ip link add vs netns ho-s type veth peer name rs netns ho-r
ip -n ho-c addr add 10.1.0.2/24 dev vc
ip -n ho-c addr add 10.5.0.2/24 dev vc2
ip -n ho-r addr add 10.1.0.1/24 dev rc
ip -n ho-r addr add 10.2.0.1/24 dev rc
ip -n ho-r addr add fd01::1/64 dev rc nodad
ip -n ho-r addr add 10.5.0.1/24 dev rc2
ip -n ho-s addr add 10.3.0.2/24 dev vs
ip -n ho-s addr add fd03::2/64 dev vs nodad
ip -n ho-r addr add 10.3.0.1/24 dev rs
ip -n ho-r addr add fd03::1/64 dev rs nodad
for ns in ho-c ho-r ho-s; do ip -n "$ns" link set lo up; done
for d in vc vc2; do ip -n ho-c link set "$d" up; done
for d in rc rc2 rs; do ip -n ho-r link set "$d" up; done
ip -n ho-s link set vs up
ip -n ho-c route add default via 10.1.0.1
ip -n ho-s route add default via 10.3.0.1
ip -n ho-s -6 route add default via fd03::1
ip netns exec ho-r sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# A link without carrier gives its routes up to the second link's.
ip netns exec ho-c sysctl -qw net.ipv4.conf.all.ignore_routes_with_linkdown=1 \
	net.ipv4.conf.vc.ignore_routes_with_linkdown=1
NETEM="delay 20ms limit 100000"
for d in rc rc2 rs; do tc -n ho-r qdisc add dev "$d" root netem $NETEM; done

# TCP over WireGuard between C and S; S learns C's endpoint.
kinds="roam tcp"
wg_pair ho-c ho-s 10.3.0.2 && kinds="roam wg tcp"
command -v mosh-server >/dev/null && command -v mosh-client >/dev/null &&
	/usr/bin/python3 -c "import pyte" 2>/dev/null && kinds="$kinds mosh"

ip netns exec ho-s "$S" -s -p 7789 >/dev/null &
ip netns exec ho-s "$S" -s -t -p 7789 >/dev/null &
ip -n ho-c -ts monitor address >"$MON" &
mon=$!
sleep 1

now() { date +%s.%N; }

# deleted ADDR: when the kernel deleted ADDR last, in seconds since the epoch.
deleted() {
	local ts
	ts=$(sed -n "s/^\[\([^]]*\)\] Deleted .* inet6\? ${1//./\\.}\/[0-9]* .*/\1/p" "$MON" | tail -n1)
	[ -n "$ts" ] && date -d "$ts" +%s.%N
}

# The changes.  Each prints the moment its gap counts from; after makes
# the network what it was, where the change needs it.
addr=10.1.0.2
change_address() {
	local new gw old=$addr
	if [ "$addr" = 10.1.0.2 ]; then new=10.2.0.2 gw=10.2.0.1; else new=10.1.0.2 gw=10.1.0.1; fi
	ip -n ho-c addr add "$new/24" dev vc
	ip -n ho-c addr del "$addr/24" dev vc
	ip -n ho-c route replace default via "$gw"
	addr=$new
	sleep 0.5
	deleted "$old"
}
change_warm() {
	local new=10.2.0.2 gw=10.2.0.1
	[ "$addr" = 10.1.0.2 ] || new=10.1.0.2 gw=10.1.0.1
	ip -n ho-c neigh replace "$gw" dev vc nud stale lladdr "$(mac ho-r rc)"
	ip -n ho-r neigh replace "$new" dev rc nud stale lladdr "$(mac ho-c vc)"
	change_address
}
mac() { ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'; }
change_family() {
	ip -n ho-c addr add fd01::2/64 dev vc nodad
	ip -n ho-c -6 route replace default via fd01::1
	ip -n ho-c addr del "$addr/24" dev vc
	sleep 0.5
	deleted "$addr"
}
after_family() {
	ip -n ho-c addr add "$addr/24" dev vc
	ip -n ho-c route replace default via "${addr%.*}.1"
	ip -n ho-c addr del fd01::2/64 dev vc
}
change_carrier() {
	ip -n ho-c route replace default via 10.5.0.1 metric 20
	now
	ip -n ho-r link set rc down
}
after_carrier() {
	ip -n ho-r link set rc up
	ip -n ho-c route replace default via "${addr%.*}.1"
	ip -n ho-c route del default via 10.5.0.1 metric 20
}
change_outage() {
	local d
	for d in rc rs; do tc -n ho-r qdisc change dev "$d" root netem $NETEM loss 100%; done
	sleep "$OUTAGE"
	for d in rc rs; do tc -n ho-r qdisc change dev "$d" root netem $NETEM; done
	now
}

# gap MARK MODE <ECHOES: the gap from MARK to the first echo of a
# message sent after it (MODE sent) or that arrives after it (MODE
# arrived), "none" if none came; the shortest echo before MARK; and, for
# the first message sent after MARK, how long after MARK it went and its
# own round trip, in ms.  A round with no echo before MARK measured
# nothing: the session was not up at the change ("unmeasured").
gap() {
	awk -v m="$1" -v mode="$2" '$1 == "echo" {
		if ($3 < m && (!rtt || $3 - $2 < rtt)) rtt = $3 - $2
		if ((mode == "sent" ? $2 : $3) > m && (!first || $3 < first)) first = $3
		if ($2 > m && (!fsent || $2 < fsent)) { fsent = $2; frtt = $3 - $2 }
	} END {
		if (!rtt)
			print "unmeasured - - -"
		else if (!first)
			printf "none %.1f - -\n", rtt * 1e3
		else
			printf "%.1f %.1f %.1f %.1f\n", (first - m) * 1e3, rtt * 1e3,
			       (fsent - m) * 1e3, frtt * 1e3
	}'
}

# mosh_client SECS: a mosh session to S through one change, its echoes
# on stdout like stream's.
mosh_client() {
	local key
	key=$(ip netns exec ho-s env LC_ALL=C.UTF-8 mosh-server new -p 60001 -- \
		/usr/bin/python3 "$MOSH" count 2>/dev/null |
		sed -n 's/^MOSH CONNECT 60001 \(.*\)$/\1/p')
	[ -n "$key" ] || { echo "mosh-server did not start" >&2; return 1; }
	ip netns exec ho-c "$MOSH" 10.3.0.2 60001 "$key" "$1"
	ip netns exec ho-s pkill -f "mosh-server new"
}

run() {		# run ROW KIND: one connection through one change; prints the gap
	local row=$1 kind=$2 host=10.3.0.2 t="" pid out mark secs=$SECS mode=sent
	[ "$kind" = wg ] && host=10.10.0.2 t=-t
	[ "$kind" = tcp ] && t=-t
	[ "$row" = outage ] && secs=$((OUTAGE + 12)) mode=arrived
	out=$(mktemp)
	if [ "$kind" = mosh ]; then
		# mosh.py makes $ready at its first echo: the change waits for it.
		MOSH_READY="$out.ready" mosh_client "$secs" >"$out" &
		pid=$!
		for _ in $(seq 300); do
			[ -e "$out.ready" ] && break
			sleep 0.1
		done
	else
		ip netns exec ho-c "$S" -c "$host" $t -p 7789 handover "$secs" >"$out" &
		pid=$!
	fi
	sleep 2
	# Not in a subshell: change_address moves $addr.
	"change_$row" >"$out.mark" || true	# no time: said below
	mark=$(cat "$out.mark")
	[ -n "$mark" ] || { echo "no time for the change ($row)" >&2; exit 1; }
	wait "$pid" || true
	declare -F "after_$row" >/dev/null && "after_$row"
	gap "$mark" "$mode" <"$out"
	rm -f "$out" "$out.ready" "$out.mark"
}

declare -A res
for row in $ROWS; do
	rounds=$ROUNDS
	[ "$row" = outage ] && rounds=$OUTAGE_ROUNDS
	for k in $kinds; do : >"/tmp/handover.$row.$k"; done
	for _ in $(seq "$rounds"); do
		for k in $kinds; do run "$row" "$k" >>"/tmp/handover.$row.$k"; done
	done
	for k in $kinds; do
		f=/tmp/handover.$row.$k
		res[$row.$k]=$({ awk '$1 ~ /^[0-9.]+$/ { print $1 }' "$f" || true; } | median)
		res[$row.$k.rtt]=$({ awk '$2 ~ /^[0-9.]+$/ { print $2 }' "$f" || true; } | median)
		res[$row.$k.wait]=$({ awk '$3 ~ /^[0-9.]+$/ { print $3 }' "$f" || true; } | median)
		res[$row.$k.own]=$({ awk '$4 ~ /^[0-9.]+$/ { print $4 }' "$f" || true; } | median)
		res[$row.$k.none]=$(grep -c '^none' "$f" || true)
		res[$row.$k.unmeasured]=$(grep -c '^unmeasured' "$f" || true)
		res[$row.$k.all]=$(awk '{ printf "%s ", $1 }' "$f")
		res[$row.$k.rounds]=$rounds
	done
done

for row in $ROWS; do
	echo "== $row"
	printf '%-6s %9s %14s %13s %13s %12s %11s  %s\n' kind "gap (ms)" "echo rtt (ms)" \
		"1st msg (ms)" "its rtt (ms)" "no recovery" "unmeasured" "each round (ms)"
	for k in $kinds; do
		printf '%-6s %9s %14s %13s %13s %12s %11s  %s\n' "$k" "${res[$row.$k]:--}" \
			"${res[$row.$k.rtt]:--}" "${res[$row.$k.wait]:--}" "${res[$row.$k.own]:--}" \
			"${res[$row.$k.none]}/${res[$row.$k.rounds]}" \
			"${res[$row.$k.unmeasured]}/${res[$row.$k.rounds]}" "${res[$row.$k.all]}"
	done
	[ -n "${res[$row.wg]:-}" ] && echo "roam/wg gap ratio: $(ratio "${res[$row.roam]:-}" "${res[$row.wg]}")"
	[ -n "${res[$row.mosh]:-}" ] && echo "roam/mosh gap ratio: $(ratio "${res[$row.roam]:-}" "${res[$row.mosh]}")"
done
{
	echo "{"
	echo "  \"kernel\": \"$(uname -r)\", \"round_trip_ms\": 40, \"outage_s\": $OUTAGE,"
	echo "  \"units\": \"ms from the change to the first echo of a message sent after it (outage: that arrives after its end)\","
	rsep=""
	for row in $ROWS; do
		printf '%s  "%s": {\n' "$rsep" "$row"
		sep=""
		for k in $kinds; do
			printf '%s    "%s": { "median": %s, "echo_rtt": %s, "first_message_after": %s, "first_message_rtt": %s, "no_recovery": %s, "unmeasured": %s, "rounds": [%s] }' \
				"$sep" "$k" "${res[$row.$k]:-null}" "${res[$row.$k.rtt]:-null}" \
				"${res[$row.$k.wait]:-null}" "${res[$row.$k.own]:-null}" \
				"${res[$row.$k.none]}" "${res[$row.$k.unmeasured]}" \
				"$(echo "${res[$row.$k.all]}" | sed 's/unmeasured/"unmeasured"/g; s/none/null/g; s/ *$//; s/ /, /g')"
			sep=$',\n'
		done
		printf ',\n    "ratio_roam_wireguard": %s, "ratio_roam_mosh": %s }' \
			"$(ratio "${res[$row.roam]:-}" "${res[$row.wg]:-}")" \
			"$(ratio "${res[$row.roam]:-}" "${res[$row.mosh]:-}")"
		rsep=$',\n'
	done
	printf '\n}\n'
} >"$OUT"
echo "wrote $OUT"
