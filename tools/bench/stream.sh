#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: AF_ROAM against TCP over one veth pair between two
# namespaces, in one run, with TCP inside a WireGuard tunnel over the same
# veth as a second reference (when the wireguard module loads), and
# AF_ROAM with a pre-shared key (encrypted, as WireGuard is) as well.  Bulk
# throughput and 1-byte request/response rate are the median of ROUNDS
# alternating runs, on the clean link and, for bulk, on one where netem
# holds three packets in four for 10 ms (reordering) and on one with a
# 50 ms round trip (a long path); memory per idle connection is measured
# once for roam and TCP with IDLE connections.  Last, roam's bulk
# throughput against a man-on-the-side that races a copy of the
# client's newest packet from its own address every 100 ms, as a ratio
# to the same link without it (docs/PROTOCOL.md section 9).
#   stream.sh BUILD_DIR JSON_OUT
set -eu
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
B=$1
OUT=$2
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
IDLE=${IDLE:-1000}
S="$B/stream"

ip netns add bench-a
ip netns add bench-b
cleanup() {
	pkill -f "$S -s" 2>/dev/null || true
	ip netns del bench-a 2>/dev/null || true
	ip netns del bench-b 2>/dev/null || true
	ip netns del bench-m 2>/dev/null || true
}
trap cleanup EXIT
ip link add va netns bench-a type veth peer name vb netns bench-b
ip -n bench-a addr add 10.9.0.1/24 dev va
ip -n bench-b addr add 10.9.0.2/24 dev vb
ip -n bench-a link set va up
ip -n bench-b link set vb up
ip -n bench-a link set lo up
ip -n bench-b link set lo up

# roam with a pre-shared key (AEAD over the frames), on its own listener.
ROAMCTL=${ROAMCTL:-tools/roamctl/roamctl}
psk_up() {
	local k
	k=$("$ROAMCTL" key genkey) || return 1
	"$ROAMCTL" -n bench-a key add 1 secret - <<<"$k" &&
		"$ROAMCTL" -n bench-b key add 1 secret - <<<"$k"
}
kinds="roam tcp"
psk_up && kinds="$kinds psk"
# TCP over WireGuard: wg0 at 10.10.0.1 and .2, carried by the same veth.
wg_pair bench-a bench-b 10.9.0.2 && kinds="$kinds wg"

netem() {	# netem ARGS...: the same impairment both ways, or none
	tc -n bench-a qdisc del dev va root 2>/dev/null || true
	tc -n bench-b qdisc del dev vb root 2>/dev/null || true
	[ $# -eq 0 ] && return 0
	tc -n bench-a qdisc add dev va root netem "$@" &&
		tc -n bench-b qdisc add dev vb root netem "$@"
}

ip netns exec bench-b "$S" -s -p 7788 >/dev/null &
ip netns exec bench-b "$S" -s -t -p 7788 >/dev/null &
[[ "$kinds" == *psk* ]] && ip netns exec bench-b "$S" -s -k 1 -p 7789 >/dev/null &
sleep 1


run() {		# run KIND TEST: one measurement
	case "$1" in
	roam) ip netns exec bench-a "$S" -c 10.9.0.2 -p 7788 "$2" "$SECS" ;;
	tcp) ip netns exec bench-a "$S" -c 10.9.0.2 -t -p 7788 "$2" "$SECS" ;;
	psk) ip netns exec bench-a "$S" -c 10.9.0.2 -k 1 -p 7789 "$2" "$SECS" ;;
	wg) ip netns exec bench-a "$S" -c 10.10.0.2 -t -p 7788 "$2" "$SECS" ;;
	esac | awk '{ print $2 }'
}

declare -A res rounds
measure() {	# measure NAME TEST: every round and the median, for every kind
	local k
	for k in $kinds; do : >"/tmp/$1.$k"; done
	for _ in $(seq "$ROUNDS"); do
		for k in $kinds; do run "$k" "$2" >>"/tmp/$1.$k"; done
	done
	for k in $kinds; do
		res[$1.$k]=$(median <"/tmp/$1.$k")
		rounds[$1.$k]=$(paste -sd ' ' "/tmp/$1.$k")
	done
}
measure bulk bulk
measure rr rr
if netem delay 10ms reorder 25% 50%; then
	measure reorder bulk
	netem
fi
if netem delay 25ms limit 100000; then
	measure longpath bulk
	netem
fi
# The man-on-the-side, bench-m: a copy of what bench-a sends, and a link
# of its own to bench-b, 2 ms shorter than bench-a's, so its copies win.
side_up() {
	ip netns add bench-m &&
		ip link add vam netns bench-a type veth peer name vma netns bench-m &&
		ip link add vbm netns bench-b type veth peer name vmb netns bench-m &&
		ip -n bench-m addr add 10.9.1.1/24 dev vmb &&
		ip -n bench-b addr add 10.9.1.2/24 dev vbm &&
		for l in "bench-a vam" "bench-m vma" "bench-m vmb" "bench-b vbm"; do
			ip -n ${l% *} link set ${l#* } up || return 1
		done &&
		ip -n bench-m route add 10.9.0.0/24 via 10.9.1.2 &&
		tc -n bench-a qdisc add dev va clsact &&
		tc -n bench-a filter add dev va egress matchall action mirred egress mirror dev vam
}
if [ -x "$B/roamside" ] && side_up; then
	netem delay 1ms
	: >/tmp/race.off
	: >/tmp/race.on
	for _ in $(seq "$ROUNDS"); do
		run roam bulk >>/tmp/race.off
		ip netns exec bench-m "$B/roamside" -i vma -s 10.9.0.2 -p 7788 -b 10.9.1.1 \
			-t $((SECS + 2)) >>/tmp/race.side &
		sleep 0.5
		run roam bulk >>/tmp/race.on
		wait $!
	done
	netem
	res[race.off]=$(median </tmp/race.off)
	res[race.on]=$(median </tmp/race.on)
	rounds[race.off]=$(paste -sd ' ' /tmp/race.off)
	rounds[race.on]=$(paste -sd ' ' /tmp/race.on)
fi

read -r _ _ 'res[idle.roam]' 'res[slab.roam]' < <(ip netns exec bench-a "$S" -c 10.9.0.2 -p 7788 idle "$IDLE")
sleep 3
read -r _ _ 'res[idle.tcp]' 'res[slab.tcp]' < <(ip netns exec bench-a "$S" -c 10.9.0.2 -t -p 7788 idle "$IDLE")

val() { echo "${res[$1]:-0}"; }
mbit() { awk -v v="$1" 'BEGIN { printf "%.1f", v * 8 / 1e6 }'; }
row() {		# row LABEL NAME [mbit|-] [KIND]: KIND (default roam) against TCP and WG
	local r t w f=echo wv=- wr=-
	r=$(val "$2.${4:-roam}")
	t=$(val "$2.tcp")
	w=$(val "$2.wg")
	[ "${3:-}" = mbit ] && f=mbit
	if [ -n "${res[$2.wg]:-}" ]; then
		wv=$($f "$w")
		wr=$(ratio "$r" "$w")
	fi
	printf '%-34s %10s %10s %10s %9s %9s\n' "$1" "$($f "$r")" "$($f "$t")" \
		"$wv" "$(ratio "$r" "$t")" "$wr"
}
printf '%-34s %10s %10s %10s %9s %9s\n' "" roam tcp tcp/wg roam/tcp roam/wg
row "bulk throughput (Mbit/s)" bulk mbit
row "1-byte request/response (1/s)" rr
if [ -n "${res[bulk.psk]:-}" ]; then
	row "bulk, roam with PSK (Mbit/s)" bulk mbit psk
	row "request/response, PSK (1/s)" rr - psk
fi
[ -n "${res[reorder.roam]:-}" ] && row "bulk, reordering link (Mbit/s)" reorder mbit
[ -n "${res[longpath.roam]:-}" ] && row "bulk, 50 ms round trip (Mbit/s)" longpath mbit
row "kernel memory per idle conn (B)" idle
row "  of which slab (B)" slab
if [ -n "${res[race.on]:-}" ]; then
	printf '%-34s %10s %10s %10s %9s\n' "" attacked clean "" ratio
	printf '%-34s %10s %10s %10s %9s\n' "bulk, racing attacker (Mbit/s)" \
		"$(mbit "${res[race.on]}")" "$(mbit "${res[race.off]}")" "" \
		"$(ratio "${res[race.on]}" "${res[race.off]}")"
	echo "  the attacker, each round: $(awk '{ printf "%s raced, ", $2 }' /tmp/race.side)"
fi

# Each round, for the spread the medians hide; ratios pair the runs of
# one round, which ran back to back.
per_round() {	# per_round NAME KIND [mbit|-]
	local f=echo v r t out="" i
	[ "${3:-}" = mbit ] && f=mbit
	read -ra r <<<"${rounds[$1.$2]:-}"
	read -ra t <<<"${rounds[$1.tcp]:-}"
	[ ${#r[@]} -gt 0 ] || return 0
	for i in "${!r[@]}"; do
		v=$($f "${r[$i]}")
		out="$out $v ($(ratio "${r[$i]}" "${t[$i]:-}"))"
	done
	printf '  %-10s %-5s%s\n' "$1" "$2" "$out"
}
echo
echo "each round: value (ratio to TCP in the same round)"
if [ -n "${rounds[race.on]:-}" ]; then
	read -ra ron <<<"${rounds[race.on]}"
	read -ra roff <<<"${rounds[race.off]}"
	out=""
	for i in "${!ron[@]}"; do
		out="$out $(mbit "${ron[$i]}") ($(ratio "${ron[$i]}" "${roff[$i]:-}"))"
	done
	printf '  %-10s %-5s%s\n' race roam "$out"
fi
for n in bulk rr reorder longpath; do
	f=-
	[ "$n" = rr ] || f=mbit
	for k in roam psk; do per_round "$n" "$k" "$f"; done
done

list() { echo "${rounds[$1]:-}" | sed 's/ /, /g'; }
json() {	# json NAME: one entry, with ratios and every round
	local r t
	r=$(val "$1.roam")
	t=$(val "$1.tcp")
	printf '  "%s": { "roam": %s, "tcp": %s, "ratio": %s' "$1" "$r" "$t" "$(ratio "$r" "$t")"
	[ -n "${res[$1.wg]:-}" ] &&
		printf ', "tcp_wireguard": %s, "ratio_wireguard": %s' "$(val "$1.wg")" "$(ratio "$r" "$(val "$1.wg")")"
	if [ -n "${res[$1.psk]:-}" ]; then
		printf ', "roam_psk": %s, "ratio_psk": %s' "$(val "$1.psk")" "$(ratio "$(val "$1.psk")" "$t")"
		[ -n "${res[$1.wg]:-}" ] &&
			printf ', "ratio_psk_wireguard": %s' "$(ratio "$(val "$1.psk")" "$(val "$1.wg")")"
	fi
	if [ -n "${rounds[$1.roam]:-}" ]; then
		printf ', "each_round": { "roam": [%s], "tcp": [%s]' "$(list "$1.roam")" "$(list "$1.tcp")"
		[ -n "${res[$1.wg]:-}" ] && printf ', "tcp_wireguard": [%s]' "$(list "$1.wg")"
		[ -n "${res[$1.psk]:-}" ] && printf ', "roam_psk": [%s]' "$(list "$1.psk")"
		printf ' }'
	fi
	printf ' }'
}
{
	echo "{"
	echo "  \"kernel\": \"$(uname -r)\","
	echo "  \"rounds\": $ROUNDS, \"seconds\": $SECS, \"idle_connections\": $IDLE,"
	echo "  \"units\": { \"bulk\": \"bytes/s\", \"reorder\": \"bytes/s\", \"longpath\": \"bytes/s\", \"race\": \"bytes/s\", \"rr\": \"1/s\", \"idle\": \"bytes\", \"slab\": \"bytes\" },"
	[ -n "${res[race.on]:-}" ] &&
		printf '  "race": { "attacked": %s, "clean": %s, "ratio": %s, "each_round": { "attacked": [%s], "clean": [%s] } },\n' \
			"${res[race.on]}" "${res[race.off]}" "$(ratio "${res[race.on]}" "${res[race.off]}")" \
			"$(list race.on)" "$(list race.off)"
	sep=""
	for n in bulk rr reorder longpath idle slab; do
		[ -n "${res[$n.roam]:-}" ] || continue
		printf '%s' "$sep"
		json "$n"
		sep=$',\n'
	done
	printf '\n}\n'
} >"$OUT"
echo "wrote $OUT"
