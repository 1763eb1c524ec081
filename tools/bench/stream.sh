#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# In the VM: AF_ROAM against TCP over one veth pair between two
# namespaces, in one run.  Bulk throughput and 1-byte request/response
# rate are the median of ROUNDS alternating runs; memory per idle
# connection is measured once for each with IDLE connections.
#   stream.sh BUILD_DIR JSON_OUT
set -eu
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
}
trap cleanup EXIT
ip link add va netns bench-a type veth peer name vb netns bench-b
ip -n bench-a addr add 10.9.0.1/24 dev va
ip -n bench-b addr add 10.9.0.2/24 dev vb
ip -n bench-a link set va up
ip -n bench-b link set vb up
ip -n bench-a link set lo up
ip -n bench-b link set lo up

ip netns exec bench-b "$S" -s -p 7788 >/dev/null &
ip netns exec bench-b "$S" -s -t -p 7788 >/dev/null &
sleep 1

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

declare -A res
for test in bulk rr; do
	: >"/tmp/$test.roam"
	: >"/tmp/$test.tcp"
	for _ in $(seq "$ROUNDS"); do
		ip netns exec bench-a "$S" -c 10.9.0.2 -p 7788 "$test" "$SECS" |
			awk '{ print $2 }' >>"/tmp/$test.roam"
		ip netns exec bench-a "$S" -c 10.9.0.2 -t -p 7788 "$test" "$SECS" |
			awk '{ print $2 }' >>"/tmp/$test.tcp"
	done
	res[$test.roam]=$(median <"/tmp/$test.roam")
	res[$test.tcp]=$(median <"/tmp/$test.tcp")
done
read -r _ _ res[idle.roam] res[slab.roam] < <(ip netns exec bench-a "$S" -c 10.9.0.2 -p 7788 idle "$IDLE")
sleep 3
read -r _ _ res[idle.tcp] res[slab.tcp] < <(ip netns exec bench-a "$S" -c 10.9.0.2 -t -p 7788 idle "$IDLE")

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b ? a / b : 0 }'; }
printf '%-34s %14s %14s %7s\n' "" "roam" "tcp" "ratio"
printf '%-34s %14.1f %14.1f %7s\n' "bulk throughput (Mbit/s)" \
	"$(awk -v v="${res[bulk.roam]}" 'BEGIN { print v * 8 / 1e6 }')" \
	"$(awk -v v="${res[bulk.tcp]}" 'BEGIN { print v * 8 / 1e6 }')" \
	"$(ratio "${res[bulk.roam]}" "${res[bulk.tcp]}")"
printf '%-34s %14s %14s %7s\n' "1-byte request/response (1/s)" \
	"${res[rr.roam]}" "${res[rr.tcp]}" "$(ratio "${res[rr.roam]}" "${res[rr.tcp]}")"
printf '%-34s %14s %14s %7s\n' "kernel memory per idle conn (B)" \
	"${res[idle.roam]}" "${res[idle.tcp]}" "$(ratio "${res[idle.roam]}" "${res[idle.tcp]}")"
printf '%-34s %14s %14s %7s\n' "  of which slab (B)" \
	"${res[slab.roam]}" "${res[slab.tcp]}" "$(ratio "${res[slab.roam]}" "${res[slab.tcp]}")"

cat >"$OUT" <<EOF
{
  "kernel": "$(uname -r)",
  "rounds": $ROUNDS, "seconds": $SECS, "idle_connections": $IDLE,
  "bulk_bytes_per_sec": { "roam": ${res[bulk.roam]}, "tcp": ${res[bulk.tcp]},
                          "ratio": $(ratio "${res[bulk.roam]}" "${res[bulk.tcp]}") },
  "rr_per_sec": { "roam": ${res[rr.roam]}, "tcp": ${res[rr.tcp]},
                  "ratio": $(ratio "${res[rr.roam]}" "${res[rr.tcp]}") },
  "idle_bytes_per_conn": { "roam": ${res[idle.roam]}, "tcp": ${res[idle.tcp]},
                           "ratio": $(ratio "${res[idle.roam]}" "${res[idle.tcp]}") },
  "idle_slab_bytes_per_conn": { "roam": ${res[slab.roam]}, "tcp": ${res[slab.tcp]},
                                "ratio": $(ratio "${res[slab.roam]}" "${res[slab.tcp]}") }
}
EOF
echo "wrote $OUT"
