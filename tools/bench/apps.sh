#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: what roamize costs.  Unmodified iperf3 under roamize at both
# ends against plain iperf3 over TCP, on one veth pair between two
# namespaces, in one run, alternating with the stream benchmark's own
# bulk client over AF_ROAM and over TCP (stream.c, as `run stream` uses
# it).  If the preload adds nothing measurable, iperf3's roam/TCP ratio
# is stream's roam/TCP ratio, within the rounds' spread; the last line
# is the one divided by the other.  Where they differ, the lines before
# it say which side moved: iperf3 against stream.c for roam alone and for
# TCP alone (iperf3's own costs weigh on the faster of the two more).
# Each figure is the median of ROUNDS runs of SECS seconds, in bytes/s
# received.
#   apps.sh BUILD_DIR JSON_OUT
set -eu
# shellcheck source=tools/bench/lib.sh
source "$(dirname "$0")/lib.sh"
B=$1
OUT=$2
ROUNDS=${ROUNDS:-3}
SECS=${SECS:-5}
S="$B/stream"
RZ="$B/roamize"

ip netns add bench-a
ip netns add bench-b
cleanup() {
	pkill -f "$S -s" 2>/dev/null || true
	pkill -f "iperf3 -s" 2>/dev/null || true
	ip netns del bench-a 2>/dev/null || true
	ip netns del bench-b 2>/dev/null || true
}
trap cleanup EXIT
ip link add va netns bench-a type veth peer name vb netns bench-b
ip -n bench-a addr add 10.9.0.1/24 dev va
ip -n bench-b addr add 10.9.0.2/24 dev vb
for l in "bench-a va" "bench-b vb" "bench-a lo" "bench-b lo"; do
	ip -n ${l% *} link set ${l#* } up
done

ip netns exec bench-b "$S" -s -p 7788 >/dev/null &
ip netns exec bench-b "$S" -s -t -p 7788 >/dev/null &
ip netns exec bench-b iperf3 -s -p 5201 >/dev/null &
ip netns exec bench-b "$RZ" run iperf3 -s -p 5202 >/dev/null &
sleep 2

iperf() {	# iperf PORT [roamize]: bytes/s received
	local pre=()
	[ -n "${2:-}" ] && pre=("$RZ" run)
	ip netns exec bench-a "${pre[@]}" iperf3 -c 10.9.0.2 -p "$1" -t "$SECS" -J |
		python3 -c "import json, sys; print(int(json.load(sys.stdin)['end']['sum_received']['bits_per_second'] / 8))"
}

run() {		# run KIND: one measurement
	case "$1" in
	iperf-roam) iperf 5202 roamize ;;
	iperf-tcp) iperf 5201 ;;
	stream-roam) ip netns exec bench-a "$S" -c 10.9.0.2 -p 7788 bulk "$SECS" | awk '{ print $2 }' ;;
	stream-tcp) ip netns exec bench-a "$S" -c 10.9.0.2 -t -p 7788 bulk "$SECS" | awk '{ print $2 }' ;;
	esac
}

kinds="iperf-roam iperf-tcp stream-roam stream-tcp"
declare -A res
for k in $kinds; do : >"/tmp/apps.$k"; done
for _ in $(seq "$ROUNDS"); do
	for k in $kinds; do run "$k" >>"/tmp/apps.$k"; done
done
for k in $kinds; do res[$k]=$(median <"/tmp/apps.$k"); done
iperf_ratio=$(ratio "${res[iperf-roam]}" "${res[iperf-tcp]}")
stream_ratio=$(ratio "${res[stream-roam]}" "${res[stream-tcp]}")
printf '%-12s %14s  %s\n' kind "bytes/s" "each round"
for k in $kinds; do
	printf '%-12s %14s  %s\n' "$k" "${res[$k]}" "$(paste -sd ' ' "/tmp/apps.$k")"
done
echo "iperf3 roam/tcp: $iperf_ratio"
echo "stream roam/tcp: $stream_ratio"
echo "iperf3/stream, roam: $(ratio "${res[iperf-roam]}" "${res[stream-roam]}")"
echo "iperf3/stream, tcp: $(ratio "${res[iperf-tcp]}" "${res[stream-tcp]}")"
echo "iperf3 ratio / stream ratio: $(ratio "$iperf_ratio" "$stream_ratio")"
list() { paste -sd , "/tmp/apps.$1"; }
{
	echo "{"
	echo "  \"kernel\": \"$(uname -r)\", \"rounds\": $ROUNDS, \"seconds\": $SECS, \"units\": \"bytes/s\","
	for k in $kinds; do
		echo "  \"$k\": { \"median\": ${res[$k]}, \"each_round\": [$(list "$k")] },"
	done
	echo "  \"iperf_ratio\": $iperf_ratio, \"stream_ratio\": $stream_ratio,"
	echo "  \"shim_ratio\": $(ratio "$iperf_ratio" "$stream_ratio")"
	echo "}"
} >"$OUT"
echo "wrote $OUT"
