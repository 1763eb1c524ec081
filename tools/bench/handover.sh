#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: the gap an address change leaves in a connection, AF_ROAM
# against TCP inside WireGuard (when the module loads), mosh (when
# mosh-server, mosh-client and python3-pyte are there) and plain TCP, in
# one run.  The client C reaches the server S through a router R that
# delays each way by 20 ms (a 40 ms round trip).  The client sends a
# message every 10 ms and the server echoes it; mid-connection the
# client's address is replaced by one on another subnet (mosh's client
# types a key every 10 ms instead, and a key is echoed when the server's
# screen, as the client shows it, counts it; see mosh.py): the new one is
# added, the old one deleted, the default route replaced.  The gap is
# from the old address's deletion, as the kernel announced it to `ip
# monitor`, to the first echo of a message sent after it, the median of
# ROUNDS changes (each way in turn).  It is worked out afterwards from
# the times of every echo, so it does not depend on how soon the script
# learns of the change.  It includes the round trip; the shortest echo
# before the change is printed beside it.
#   handover.sh BUILD_DIR JSON_OUT
set -eu
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
B=$1
OUT=$2
ROUNDS=${ROUNDS:-5}
SECS=${SECS:-6}
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
ip link add vs netns ho-s type veth peer name rs netns ho-r
ip -n ho-c addr add 10.1.0.2/24 dev vc
ip -n ho-r addr add 10.1.0.1/24 dev rc
ip -n ho-r addr add 10.2.0.1/24 dev rc
ip -n ho-s addr add 10.3.0.2/24 dev vs
ip -n ho-r addr add 10.3.0.1/24 dev rs
for ns in ho-c ho-r ho-s; do ip -n "$ns" link set lo up; done
ip -n ho-c link set vc up
ip -n ho-s link set vs up
ip -n ho-r link set rc up
ip -n ho-r link set rs up
ip -n ho-c route add default via 10.1.0.1
ip -n ho-s route add default via 10.3.0.1
ip netns exec ho-r sysctl -qw net.ipv4.ip_forward=1
tc -n ho-r qdisc add dev rc root netem delay 20ms limit 100000
tc -n ho-r qdisc add dev rs root netem delay 20ms limit 100000

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

# The client's address moves between 10.1.0.2 and 10.2.0.2.
addr=10.1.0.2
move() {
	local new gw
	if [ "$addr" = 10.1.0.2 ]; then new=10.2.0.2 gw=10.2.0.1; else new=10.1.0.2 gw=10.1.0.1; fi
	ip -n ho-c addr add "$new/24" dev vc
	ip -n ho-c addr del "$addr/24" dev vc
	ip -n ho-c route replace default via "$gw"
	addr=$new
}

# deleted ADDR: when the kernel deleted ADDR last, in seconds since the epoch.
deleted() {
	local ts
	ts=$(sed -n "s/^\[\([^]]*\)\] Deleted .* inet $1\/24 .*/\1/p" "$MON" | tail -n1)
	[ -n "$ts" ] && date -d "$ts" +%s.%N
}

# gap MARK <ECHOES: the gap from MARK to the first echo of a message sent
# after it ("none" if none came), and the shortest echo before MARK, in ms.
# A round with no echo before MARK measured nothing: the session was not
# up when the address went ("unmeasured").
gap() {
	awk -v m="$1" '$1 == "echo" {
		if ($3 < m && (!rtt || $3 - $2 < rtt)) rtt = $3 - $2
		if ($2 > m && (!first || $3 < first)) first = $3
	} END {
		if (!rtt)
			print "unmeasured -"
		else
			printf "%s %.1f\n", first ? sprintf("%.1f", (first - m) * 1e3) : "none", rtt * 1e3
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

run() {		# run KIND: one connection through one change; prints the gap
	local host=10.3.0.2 t="" pid out old=$addr mark res
	[ "$1" = wg ] && host=10.10.0.2 t=-t
	[ "$1" = tcp ] && t=-t
	out=$(mktemp)
	if [ "$1" = mosh ]; then
		# mosh.py makes $ready at its first echo: the change waits for it.
		MOSH_READY="$out.ready" mosh_client "$SECS" >"$out" &
		pid=$!
		for _ in $(seq 300); do
			[ -e "$out.ready" ] && break
			sleep 0.1
		done
	else
		ip netns exec ho-c "$S" -c "$host" $t -p 7789 handover "$SECS" >"$out" &
		pid=$!
	fi
	sleep 2
	move
	wait "$pid" || true
	mark=$(deleted "$old") || { echo "ip monitor missed $old's deletion" >&2; exit 1; }
	res=$(gap "$mark" <"$out")
	echo "${res% *}"
	[ "${res#* }" = - ] || echo "${res#* }" >>"/tmp/handover.$1.rtt"
	rm -f "$out" "$out.ready"
}


declare -A res
for k in $kinds; do : >"/tmp/handover.$k"; : >"/tmp/handover.$k.rtt"; done
for _ in $(seq "$ROUNDS"); do
	for k in $kinds; do run "$k" >>"/tmp/handover.$k"; done
done
for k in $kinds; do
	res[$k]=$({ grep -E '^[0-9.]+$' "/tmp/handover.$k" || true; } | median)
	res[$k.rtt]=$(median <"/tmp/handover.$k.rtt")
	res[$k.none]=$(grep -c '^none$' "/tmp/handover.$k" || true)
	res[$k.unmeasured]=$(grep -c '^unmeasured$' "/tmp/handover.$k" || true)
	res[$k.all]=$(tr '\n' ' ' <"/tmp/handover.$k")
done

printf '%-6s %9s %14s %12s %11s  %s\n' kind "gap (ms)" "echo rtt (ms)" "no recovery" "unmeasured" \
	"each round (ms)"
for k in $kinds; do
	printf '%-6s %9s %14s %12s %11s  %s\n' "$k" "${res[$k]:--}" "${res[$k.rtt]:--}" \
		"${res[$k.none]}/$ROUNDS" "${res[$k.unmeasured]}/$ROUNDS" "${res[$k.all]}"
done
[ -n "${res[wg]:-}" ] && echo "roam/wg gap ratio: $(ratio "${res[roam]}" "${res[wg]}")"
[ -n "${res[mosh]:-}" ] && echo "roam/mosh gap ratio: $(ratio "${res[roam]}" "${res[mosh]}")"
{
	echo "{"
	echo "  \"kernel\": \"$(uname -r)\", \"rounds\": $ROUNDS, \"round_trip_ms\": 40,"
	echo "  \"units\": \"ms from the old address's deletion to the first echo of a message sent after it\","
	sep=""
	for k in $kinds; do
		printf '%s  "%s": { "median": %s, "echo_rtt": %s, "no_recovery": %s, "unmeasured": %s, "rounds": [%s] }' \
			"$sep" "$k" "${res[$k]:-null}" "${res[$k.rtt]:-null}" "${res[$k.none]}" \
			"${res[$k.unmeasured]}" \
			"$(echo "${res[$k.all]}" | sed 's/unmeasured/"unmeasured"/g; s/none/null/g; s/ *$//; s/ /, /g')"
		sep=$',\n'
	done
	printf ',\n  "ratio_roam_wireguard": %s,\n  "ratio_roam_mosh": %s\n}\n' \
		"$(ratio "${res[roam]:-}" "${res[wg]:-}")" "$(ratio "${res[roam]:-}" "${res[mosh]:-}")"
} >"$OUT"
echo "wrote $OUT"
