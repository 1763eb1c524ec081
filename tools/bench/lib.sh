#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the benchmarks that run in the VM (stream.sh, handover.sh).

# wg_pair A B B_ADDR: a WireGuard tunnel, wg0 at 10.10.0.1 in namespace
# A and 10.10.0.2 in B, carried to B_ADDR:51820.  B learns A's endpoint
# from A's handshake, so A may move.  Fails without the module or wg.
wg_pair() {
	local ka kb
	modprobe wireguard 2>/dev/null && command -v wg >/dev/null || return 1
	ka=$(wg genkey)
	kb=$(wg genkey)
	ip -n "$1" link add wg0 type wireguard || return 1
	ip -n "$2" link add wg0 type wireguard || return 1
	ip netns exec "$1" wg set wg0 private-key <(echo "$ka") \
		peer "$(echo "$kb" | wg pubkey)" endpoint "$3:51820" allowed-ips 10.10.0.2/32
	ip netns exec "$2" wg set wg0 private-key <(echo "$kb") listen-port 51820 \
		peer "$(echo "$ka" | wg pubkey)" allowed-ips 10.10.0.1/32
	ip -n "$1" addr add 10.10.0.1/24 dev wg0
	ip -n "$2" addr add 10.10.0.2/24 dev wg0
	ip -n "$1" link set wg0 up
	ip -n "$2" link set wg0 up
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# ratio A B: A / B with two decimals, or null if either is missing or B is 0.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b != "" && b + 0) printf "%.2f", a / b; else printf "null" }'
}
