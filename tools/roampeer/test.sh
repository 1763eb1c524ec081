#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# tools/roampeer/test.sh: roampeer against itself on this host, as root.
# The appendix A vectors; then roampeer server and client moving 1 MiB
# each way, byte-exact (SHA-256 of the files), over loopback and over a
# veth pair between two network namespaces, IPv4 and IPv6, default and
# PSK mode, and over the veth pair again with 5% loss each way (netem
# if the kernel has it, else an nftables rule dropping UDP at random);
# wrong keys and a missing server; and the script commands, a lost
# PATH_RESPONSE among them.
# Ends with "N passed, N failed".

set -u
cd "$(dirname "$0")"
P=$PWD/roampeer
T=$(mktemp -d)
S=rpS$$ C=rpC$$
pass=0 fail=0

cleanup() {
	ip netns del "$S" 2>/dev/null
	ip netns del "$C" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok    $*"; pass=$((pass + 1)); }
ko() { echo "FAIL  $*"; fail=$((fail + 1)); }

make -s || exit 1
out=$("$P" vectors vectors.txt) && ok "vectors: $out" || ko "vectors: $out"

head -c 1048576 /dev/urandom >"$T/up"
head -c 1048576 /dev/urandom >"$T/down"
head -c 32 /dev/urandom >"$T/k1"
head -c 32 /dev/urandom >"$T/k2"

ip netns add "$S" && ip netns add "$C" || exit 1
ip link add rpv0 netns "$S" type veth peer name rpv1 netns "$C"
ip -n "$S" addr add 10.99.0.1/24 dev rpv0
ip -n "$C" addr add 10.99.0.2/24 dev rpv1
ip -n "$S" addr add fd99::1/64 dev rpv0 nodad
ip -n "$C" addr add fd99::2/64 dev rpv1 nodad
ip -n "$C" addr add 10.99.0.3/24 dev rpv1
for ns in "$S" "$C"; do ip -n "$ns" link set lo up; done
ip -n "$S" link set rpv0 up
ip -n "$C" link set rpv1 up

# loss PERCENT: drop PERCENT% of the packets each way on the veth pair.
loss() {
	local ns dev
	for ns in "$S:rpv0" "$C:rpv1"; do
		dev=${ns#*:} ns=${ns%:*}
		tc -n "$ns" qdisc del dev "$dev" root 2>/dev/null
		ip netns exec "$ns" nft delete table inet rploss 2>/dev/null
		[ "$1" = 0 ] && continue
		tc -n "$ns" qdisc add dev "$dev" root netem loss "$1%" 2>/dev/null &&
			continue
		ip netns exec "$ns" nft -f - <<-NFT
		table inet rploss {
			chain out {
				type filter hook output priority 0;
				meta l4proto udp numgen random mod 100 < $1 drop
			}
		}
		NFT
	done
}

# xfer NAME SERVER-NS CLIENT-NS ADDR [OPTIONS]: 1 MiB each way, compared.
xfer() {
	local name=$1 sns=$2 cns=$3 addr=$4 port=$((7000 + RANDOM % 1000))
	local sx=() cx=() rc
	shift 4
	[ -n "$sns" ] && sx=(ip netns exec "$sns")
	[ -n "$cns" ] && cx=(ip netns exec "$cns")
	rm -f "$T/srv.out" "$T/cli.out"
	timeout 120 "${sx[@]}" "$P" server "$addr" "$port" "$@" \
		-i "$T/down" -o "$T/srv.out" 2>"$T/srv.err" &
	sleep 0.3
	timeout 120 "${cx[@]}" "$P" client "$addr" "$port" "$@" \
		-i "$T/up" -o "$T/cli.out" 2>"$T/cli.err"
	rc=$?
	wait $! || rc=1
	if [ $rc = 0 ] && cmp -s "$T/up" "$T/srv.out" &&
	   cmp -s "$T/down" "$T/cli.out"; then
		ok "$name: 1 MiB each way, $(tail -1 "$T/cli.err" |
			sed 's/.*; //')"
	else
		ko "$name"
		tail -3 "$T/srv.err" "$T/cli.err"
	fi
}

for lossy in 0 5; do
	loss "$lossy"
	for mode in default psk; do
		opts=()
		[ $mode = psk ] && opts=(--psk-file "$T/k1" --psk-id 7)
		if [ "$lossy" = 0 ]; then
			xfer "loopback IPv4 $mode" "" "" 127.0.0.1 "${opts[@]}"
			xfer "loopback IPv6 $mode" "" "" ::1 "${opts[@]}"
		fi
		xfer "veth IPv4 $mode, $lossy% loss" "$S" "$C" 10.99.0.1 "${opts[@]}"
		xfer "veth IPv6 $mode, $lossy% loss" "$S" "$C" fd99::1 "${opts[@]}"
	done
done
loss 0

# refused NAME EXPECTED-MESSAGE SERVER-OPTIONS -- CLIENT-OPTIONS
refused() {
	local name=$1 want=$2 sopts=() out
	shift 2
	while [ "$1" != -- ]; do sopts+=("$1"); shift; done
	shift
	timeout 20 "$P" server 127.0.0.1 7999 "${sopts[@]}" 2>/dev/null &
	sleep 0.3
	out=$(timeout 20 "$P" client 127.0.0.1 7999 "$@" 2>&1)
	if [ $? = 1 ] && [[ "$out" == *"$want"* ]]; then
		ok "$name: $want"
	else
		ko "$name: $out"
	fi
	kill %1 2>/dev/null
	wait 2>/dev/null
}
refused "other key bytes" "key rejected" --psk-file "$T/k1" --psk-id 7 -- \
	--psk-file "$T/k2" --psk-id 7
refused "other key id" "key rejected" --psk-file "$T/k1" --psk-id 7 -- \
	--psk-file "$T/k1" --psk-id 8
refused "PSK client, default server" "key rejected" -- \
	--psk-file "$T/k1" --psk-id 7
out=$(timeout 20 "$P" client 127.0.0.1 7998 --hs-timeout 50 --hs-retries 3 2>&1)
[[ "$out" == *"handshake timed out"* ]] && ok "no server: $out" || ko "no server: $out"

# A cookie that expires while the client holds its COOKIE_ECHO back: the
# server answers with a REFRESH COOKIE, which the client takes.  (Held
# back for longer than two lifetimes, the cookie's secret is gone too and
# the COOKIE_ECHO is dropped.)
timeout 20 "$P" server 127.0.0.1 7997 --cookie-life 200 -v 2>"$T/srv.err" &
sleep 0.3
timeout 20 "$P" client 127.0.0.1 7997 --echo-delay 300 -n 1000 2>"$T/cli.err"
rc=$?
wait
if [ $rc = 0 ] && grep -q "sent COOKIE (refresh)" "$T/srv.err"; then
	ok "expired cookie refreshed and taken"
else
	ko "expired cookie"; cat "$T/srv.err" "$T/cli.err"
fi

# A forged REFRESH COOKIE with the S and Ns echoed, as an on-path
# attacker can send: the client drops it and echoes the same bytes again,
# never a second COOKIE_ECHO under the same keys and packet number 0.
timeout 20 "$P" server 127.0.0.1 7994 --refresh-same-keys 2>"$T/srv.err" &
sleep 0.3
timeout 20 "$P" client 127.0.0.1 7994 --hs-timeout 100 -n 1000 2>"$T/cli.err"
rc=$?
wait $! || rc=1
if [ $rc = 0 ] && grep -q "the same bytes" "$T/srv.err"; then
	ok "forged refresh with the same keys dropped"
else
	ko "forged refresh with the same keys"; cat "$T/srv.err" "$T/cli.err"
fi

# script NAME EXPECTED-EXIT SERVER-OPTIONS -- SCRIPT: each report line
# is printed; the client's exit status must be EXPECTED-EXIT.
script() {
	local name=$1 want=$2 sopts=() rc
	shift 2
	while [ "$1" != -- ]; do sopts+=("$1"); shift; done
	timeout 60 ip netns exec "$S" "$P" server 10.99.0.1 7996 "${sopts[@]}" \
		2>"$T/srv.err" &
	sleep 0.3
	timeout 60 ip netns exec "$C" "$P" client 10.99.0.1 7996 -e "$2" \
		>"$T/script.out" 2>"$T/cli.err"
	rc=$?
	wait
	sed 's/^/        /' "$T/script.out"
	if [ $rc = "$want" ]; then
		ok "script: $name (exit $rc)"
	else
		ko "script: $name (exit $rc, expected $want)"
		cat "$T/srv.err" "$T/cli.err"
	fi
}
script "honest data, raw frames, replays, moves, close" 0 -n 3000 -- \
	'send 10000; frames 01; frames 00000001; stream 0 100; replay 1;
	 replay 0; ping; port-hop; ping; challenge ignore; port-hop;
	 wait 300; challenge answer; addr-move 10.99.0.3; ping; send 5000;
	 close'
script "out-of-order flood, then the hole filled" 0 -- \
	'send 1000; ooo-flood 2000 1; wait 100; send 300000; close'
script "data past MAX_DATA gets CLOSE(abort)" 0 -w 65536 -- \
	'send 100; stream 65536 1; expect-close 2'
script "a FIN that moves gets CLOSE(abort)" 0 -- \
	'send 100; stream 100 10 fin; stream 100 5 fin; expect-close 2'
script "an idle peer goes away" 0 --idle 500 -n 100000 -- \
	'expect-close 2'
script "a live peer does not close" 1 -- 'send 10; expect-close 1'
script "challenges answered, silent or not" 0 -n 100000 -- \
	'silent on; challenge-flood 300; silent off; challenge-flood 50 200 3;
	 send 1000; close'
script "an unknown frame is dropped, not acknowledged" 0 -- \
	'frames 7f; frames 01; close'
# Its PATH_RESPONSE lost (the client acknowledges the challenge's packet
# but does not answer), the server challenges the new path again after a
# probe timeout (section 7).
script "a challenge whose answer was lost is asked again" 0 -v -- \
	'send 1000; challenge ignore; port-hop; ping; wait 300;
	 challenge answer; wait 2000; send 1000; close'
if grep -q "path validated" "$T/srv.err"; then
	ok "the server validated the new path"
else
	ko "the server validated the new path"; grep -v "^roampeer: pkt" "$T/srv.err" | tail -n 20
fi

# The fuzzing commands, built with AddressSanitizer and UBSan, in PSK
# mode against roampeer's server, built the same way: seed 291028796
# once wrote past the client's frame buffer (MIN drew its random
# argument twice), and the server passed a NULL buffer to memcpy for a
# FIN alone.  No report from either, and the client exits 0 or 1 (the
# server may end the connection first).
if make -s roampeer-asan; then
	for seed in $(seq 291028790 291028797); do
		timeout 60 ip netns exec "$S" ./roampeer-asan server 10.99.0.1 7995 \
			--psk-file "$T/k1" --psk-id 7 2>"$T/fz-srv.err" &
		sleep 0.3
		out=$(timeout 60 ip netns exec "$C" ./roampeer-asan client 10.99.0.1 7995 \
			--psk-file "$T/k1" --psk-id 7 --idle 3000 \
			-e "garble $seed 256; fuzz $seed 256; abort" 2>&1)
		rc=$?
		kill %1 2>/dev/null
		wait 2>/dev/null
		out+=$'\n'$(cat "$T/fz-srv.err")
		if [ $rc -le 1 ] && ! grep -qE "Sanitizer|runtime error" <<<"$out"; then
			ok "fuzz $seed under ASan and UBSan: $(grep '^fuzz' <<<"$out")"
		else
			ko "fuzz $seed under ASan and UBSan (exit $rc)"
			grep -E -A8 "Sanitizer|runtime error" <<<"$out" | head -n 20
		fi
	done
else
	ko "roampeer-asan builds"
fi

echo "$pass passed, $fail failed"
[ $fail = 0 ]
