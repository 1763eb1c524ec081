#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Listeners and connections as roamctl shows them, paginated dumps,
# state freed on both sides at close, cookies that expire while the
# backlog is full, a server's DONE lost and sent again for the client's
# repeated COOKIE_ECHO, also when the client's NAT rebound in between
# and the echo comes from a new port, a forged refresh that would have the
# client seal a second COOKIE_ECHO under the same key and nonce, and a
# flood of forged new-connection packets from a raw socket in another
# namespace: memory stays flat and a legitimate connect still succeeds;
# and the events roamctl monitor prints.
#
#   client (10.0.1.2) --- server (10.0.1.1 | 10.0.2.1) --- attacker (10.0.2.2)

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
NC="$ROAM_LIB_DIR/roamnc"
FLOOD="$ROAM_LIB_DIR/roamflood"
X="$ROAM_LIB_DIR/roamxfer"
PEER="$ROAM_LIB_DIR/roampeer"

trap roam_cleanup EXIT

setup_ns S C A || exit "$ksft_skip"
tmp=$(mktemp -d)
ip link add veth-c netns "$S" type veth peer name veth-s netns "$C"
ip link add veth-a netns "$S" type veth peer name veth-s netns "$A"
ip -n "$S" addr add 10.0.1.1/24 dev veth-c
ip -n "$S" addr add 10.0.2.1/24 dev veth-a
ip -n "$C" addr add 10.0.1.2/24 dev veth-s
ip -n "$A" addr add 10.0.2.2/24 dev veth-s
for ns in "$S" "$C" "$A"; do ip -n "$ns" link set dev lo up; done
ip -n "$S" link set veth-c up
ip -n "$S" link set veth-a up
ip -n "$C" link set veth-s up
ip -n "$A" link set veth-s up
# Answers to the forged sources go back towards the attacker, who drops them.
ip -n "$S" route add 10.77.0.0/16 via 10.0.2.2
ip netns exec "$S" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.veth-a.rp_filter=0

json() {	# json NS OBJECT PYTHON-EXPR-OF-j
	"$ROAMCTL" -n "$1" -j "$2" show |
		python3 -c "import json, sys; j = json.load(sys.stdin); print($3)"
}
stat() { json "$1" stats "j['$2']"; }

test_listener_show() {
	RET=0
	local out groups
	"$ROAMCTL" -n "$S" config set backlog_max 3
	roam_bg ip netns exec "$S" "$NC" -l -b 10.0.1.1 -p 7000 -B 50 -n 0 -H
	roam_bg ip netns exec "$S" "$NC" -l -p 7000 -B 2 -n 0 -H
	roam_bg ip netns exec "$S" "$NC" -l -r -b 10.0.1.1 -p 7100 -n 0 -H
	roam_bg ip netns exec "$S" "$NC" -l -r -b 10.0.1.1 -p 7100 -n 0 -H
	slowwait 10 sh -c "[ \$($ROAMCTL -n $S listener show | wc -l) = 4 ]" ||
		RET=$ksft_fail
	out=$("$ROAMCTL" -n "$S" listener show)
	check_match "specific" "port 7000 addrs 10.0.0?.?1.1 backlog 3 qlen 0" "$out"
	check_match "wildcard" "port 7000 addrs \\* backlog 2" "$out"
	groups=$(json "$S" listener \
		"' '.join(str(l['group']) for l in j if l['port'] == 7100)")
	[[ "$groups" =~ ^([1-9][0-9]*)\ \1$ ]] ||
		{ echo "    reuseport group ids: '$groups'"; RET=$ksft_fail; }
	log_test "listener show: addresses, port, clamped backlog, reuseport group"
}

test_conn_dump() {
	RET=0
	local n cids N
	N=$(roam_scaled 500)
	roam_bg ip netns exec "$S" "$NC" -l -p 7200 -n 0 -H
	slowwait 10 ip netns exec "$S" sh -c "$ROAMCTL listener show | grep -q 7200"
	roam_bg ip netns exec "$C" "$NC" -n "$N" -H 10.0.1.1 7200
	slowwait 900 sh -c "[ \$($ROAMCTL -n $C conn show | grep -c established) = $N ]" ||
		RET=$ksft_fail
	n=$(json "$S" conn "len([c for c in j if c['remote']['port'] != 0])")
	check_eq "server connections in the dump" "$N" "$n"
	cids=$(json "$S" conn "len(set(c['local_id'] for c in j))")
	check_eq "distinct CIDs" "$N" "$cids"
	n=$(json "$C" conn "len([c for c in j if c['state'] == 'established'])")
	check_eq "client connections in the dump" "$N" "$n"
	log_test "conn show: a $N-connection dump spans pages and loses nothing"

	# The client closes: the server sees the end of the stream ...
	RET=0
	kill "${pids[-1]}"
	slowwait 300 sh -c "[ \$($ROAMCTL -n $S conn show | grep -c close-wait) = $N ]" ||
		{ echo "    $($ROAMCTL -n $S conn show | grep -c close-wait) in close-wait"; RET=$ksft_fail; }
	# ... while the client's orphans wait for the server's FIN, as TCP's
	# do in FIN-WAIT-2 ...
	check_eq "client orphans in fin-wait" "$N" "$("$ROAMCTL" -n "$C" conn show | grep -c fin-wait)"
	# ... and when the server closes too, nothing is left on either side.
	kill "${pids[-2]}"
	slowwait 300 sh -c "[ \$($ROAMCTL -n $S conn show | wc -l) = 0 ]" ||
		{ echo "    $($ROAMCTL -n $S conn show | wc -l) left on the server"; RET=$ksft_fail; }
	slowwait 300 sh -c "[ \$($ROAMCTL -n $C conn show | wc -l) = 0 ]" ||
		{ echo "    $($ROAMCTL -n $C conn show | wc -l) left on the client"; RET=$ksft_fail; }
	log_test "close frees the connection on both sides"
}

test_cookie_expiry() {
	RET=0
	local out exp0
	exp0=$(stat "$S" cookies_expired)
	"$ROAMCTL" -n "$S" config set cookie_lifetime 1s backlog_max 4096
	"$ROAMCTL" -n "$C" config set hs_timeout 100 hs_retries 12
	# A listener with room for one that accepts nothing for 5 s once the
	# first client is queued: the second client's cookie ages past its
	# 1 s lifetime while it waits.
	roam_bg ip netns exec "$S" "$NC" -l -p 7300 -B 0 -D 5 -n 2
	slowwait 10 ip netns exec "$S" sh -c "$ROAMCTL listener show | grep -q 7300"
	out=$(ip netns exec "$C" "$NC" -n 2 10.0.1.1 7300 2>&1)
	check_match "connects" "connected.*connected" "$(echo $out)"
	[ "$(stat "$S" cookies_expired)" -gt "$exp0" ] ||
		{ echo "    no cookie expired"; "$ROAMCTL" -n "$S" stats show | grep -v ' 0$'; RET=$ksft_fail; }
	log_test "cookies that expire while the client waits are renewed"
}

# The server's first DONE is lost (S's output drops it): the client
# sends its COOKIE_ECHO again, and the connection that exists answers
# with DONE again, under its socket lock, through the backlog when the
# server's task holds it.  S's short-header packets are dropped too, so
# that only DONE can complete the client's connect().
test_done_lost() {
	local out counts
	RET=0
	ip netns exec "$S" nft -f - <<-EOF
	table inet roamdone {
		chain out {
			type filter hook output priority filter;
			udp sport 7400 @th,64,8 0x84 limit rate 1/hour burst 1 packets counter drop
			udp sport 7400 @th,64,8 0x84 counter
			udp sport 7400 @th,64,1 0 drop
		}
	}
	EOF
	roam_bg ip netns exec "$S" "$NC" -l -p 7400 -n 1 -H
	slowwait 10 ip netns exec "$S" sh -c "$ROAMCTL listener show | grep -q 7400"
	out=$(ip netns exec "$C" timeout 60 "$NC" 10.0.1.1 7400 2>&1)
	check_match "connects" "connected" "$out"
	read -r -a counts < <(ip netns exec "$S" nft list chain inet roamdone out |
		sed -n 's/.*packets \([0-9]*\).*/\1/p' | tr '\n' ' ')
	check_eq "DONE packets dropped" 1 "${counts[0]:-x}"
	check_eq "DONE sent again" 1 "$([ "${counts[1]:-0}" -ge 1 ] && echo 1)"
	ip netns exec "$S" nft delete table inet roamdone
	kill "${pids[-1]}"
	log_test "a lost DONE: the client's COOKIE_ECHO again gets DONE again"
}

# The client's NAT rebinds right after its COOKIE_ECHO (roampeer
# --echo-rebind): the server's DONE, and whatever else it sends to the
# old port, is lost, and the client, which sends nothing but COOKIE_ECHO
# until it is confirmed, echoes again from a new port.  The repeated
# DONE goes back where that echo came from, not along the connection's
# path (the old port), so the handshake completes; the connection moves
# to the new port only on the client's first short-header packet, and
# the bytes the client then sends arrive.
test_done_rebound() {
	local out tmp n=100000
	RET=0
	tmp=$(mktemp -d)
	ip netns exec "$S" "$X" -l -p 7450 -n 1 >"$tmp/server" 2>&1 &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/server"
	ip netns exec "$C" timeout 60 "$PEER" client 10.0.1.1 7450 --echo-rebind \
		--hs-timeout 300 --hs-retries 3 -v \
		-e "write $(printf %016x 0); send $n; close 10" >"$tmp/script" 2>"$tmp/peer"
	check_eq "roampeer's exit" 0 "$?"
	check_match "the NAT rebinding" "NAT rebinding" "$(cat "$tmp/peer")"
	check_match "COOKIE_ECHO sent again" "retransmission 1" "$(cat "$tmp/peer")"
	slowwait 20 grep -q '^sent' "$tmp/server"
	check_match "the server's transfer" "^sent 0 .* recv $n .* moves [1-9]" \
		"$(grep '^sent' "$tmp/server")"
	[ "$RET" = 0 ] || { grep -E "^roampeer|handshake|rebind" "$tmp/peer" | tail -n6 |
				sed 's/^/    roampeer: /'; head -c 300 "$tmp/server"; }
	kill "${pids[-1]}" 2>/dev/null
	rm -rf "$tmp"
	log_test "a lost DONE and a NAT rebinding: DONE again goes where the COOKIE_ECHO came from"
}

# An on-path attacker saw the client's COOKIE_ECHO, and so its nonce:
# it answers with a REFRESH COOKIE that keeps the server's CID and nonce
# but not the timestamp.  A client that took it would derive the same
# keys and seal another COOKIE_ECHO under them with packet number 0, two
# Poly1305 tags under one key and nonce.  roampeer's server plays the
# attacker, and fails on a second COOKIE_ECHO under the first one's keys
# with other bytes; the client ignores the refresh, and its
# retransmission, the same bytes, makes the connection.
test_refresh_same_keys() {
	local mode=$1 port=$2 popts=() kopts=() out prc
	RET=0
	if [ "$mode" = psk ]; then
		popts=(--psk-file "$tmp/psk" --psk-id 1) kopts=(-k 1)
	fi
	"$ROAMCTL" -n "$C" config set hs_timeout 100 hs_retries 12
	: >"$tmp/peer"
	ip netns exec "$S" timeout 20 "$PEER" server 10.0.1.1 "$port" \
		--refresh-same-keys "${popts[@]}" 2>"$tmp/peer" &
	srv=$!
	pids+=("$srv")
	slowwait 10 grep -q listening "$tmp/peer"
	out=$(ip netns exec "$C" timeout 20 "$NC" -w 10 "${kopts[@]}" 10.0.1.1 "$port" 2>&1)
	wait "$srv"
	prc=$?
	check_match "the forged refresh" "forged COOKIE" "$(cat "$tmp/peer")"
	check_eq "COOKIE_ECHOs under one key and nonce" "" \
		"$(grep 'KEY AND NONCE' "$tmp/peer")"
	check_match "the echo again" "COOKIE_ECHO again, the same bytes" "$(cat "$tmp/peer")"
	check_match "connects" "connected" "$out"
	check_eq "roampeer's exit" 0 "$prc"
	[ "$RET" = 0 ] || sed 's/^/    roampeer: /' "$tmp/peer"
	log_test "$mode: a forged refresh with the same keys is ignored"
}

# roamctl monitor -j on the server: a listener with room for one, which
# accepts nothing for 5 s after the first client is queued, overflows on
# the second client; both connections are established, then closed when
# both sides are done.
test_events() {
	RET=0
	local ev mon
	ev=$(mktemp)
	ip netns exec "$S" "$ROAMCTL" -j monitor >"$ev" &
	mon=$!
	sleep 1		# subscribed
	roam_bg ip netns exec "$S" "$NC" -l -p 7500 -B 0 -D 5 -n 2
	slowwait 10 ip netns exec "$S" sh -c "$ROAMCTL listener show | grep -q 7500"
	ip netns exec "$C" "$NC" -n 2 10.0.1.1 7500 >/dev/null ||
		{ echo "    connect failed"; RET=$ksft_fail; }
	count() {	# count TYPE [PYTHON-CONDITION-ON-e]
		python3 -c "import json, sys
print(sum(1 for l in open(sys.argv[1]) for e in [json.loads(l)]
	  if e['event'] == sys.argv[2] and (${2:-True})))" "$ev" "$1"
	}
	slowwait 60 sh -c "[ \$(grep -c '\"closed\"' $ev) -ge 2 ]"
	kill "$mon"
	wait "$mon" 2>/dev/null
	check_eq "established" 2 "$(count established "e['local']['port'] == 7500 and e['new']['address'] == '10.0.1.2'")"
	check_eq "listen overflow" 1 "$([ "$(count listen-overflow "e['local']['port'] == 7500")" -ge 1 ] && echo 1)"
	check_eq "closed, with no error" 2 "$(count closed "'error' not in e and e['local_id']")"
	[ "$RET" = 0 ] || cat "$ev"
	rm -f "$ev"
	log_test "roamctl monitor: established, listen overflow and closed events"
}

test_flood() {
	RET=0
	local slab0 slab1 socks0 socks1 est0 est1 fpid
	roam_bg ip netns exec "$S" "$NC" -l -p 7400 -n 0
	slowwait 10 ip netns exec "$S" sh -c "$ROAMCTL listener show | grep -q 7400"
	sleep 1
	socks0=$(ip netns exec "$S" awk '$1 == "ROAM" { print $3 }' /proc/net/protocols)
	slab0=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	est0=$(stat "$S" established)

	ip netns exec "$A" "$FLOOD" -t 10.0.2.1 -p 7400 -n "$(roam_scaled 20000)" -k initial -i 20 &
	fpid=$!
	ip netns exec "$A" "$FLOOD" -t 10.0.2.1 -p 7400 -n "$(roam_scaled 5000)" -k echo -i 20
	ip netns exec "$A" "$FLOOD" -t 10.0.2.1 -p 7400 -n "$(roam_scaled 5000)" -k short -i 20
	# A legitimate client while the flood goes on.
	ip netns exec "$C" "$NC" -w 120 10.0.1.1 7400 >/dev/null ||
		{ echo "    the legitimate connect failed"; RET=$ksft_fail; }
	wait "$fpid"
	sleep 2

	socks1=$(ip netns exec "$S" awk '$1 == "ROAM" { print $3 }' /proc/net/protocols)
	slab1=$(awk '/^Slab:/ { print $2 }' /proc/meminfo)
	est1=$(stat "$S" established)
	check_eq "roam sockets on the server" "$socks0" "$socks1"
	check_eq "connections established" $((est0 + 1)) "$est1"
	[ $((slab1 - slab0)) -lt 4096 ] ||
		{ echo "    slab grew by $((slab1 - slab0)) kB"; RET=$ksft_fail; }
	[ "$(stat "$S" cookies_sent)" -gt "$(roam_scaled 5000)" ] ||
		{ echo "    cookies_sent $(stat "$S" cookies_sent)"; RET=$ksft_fail; }
	[ "$(stat "$S" cookies_bad)" -gt "$(roam_scaled 1000)" ] ||
		{ echo "    cookies_bad $(stat "$S" cookies_bad)"; RET=$ksft_fail; }
	[ "$(stat "$S" rx_no_conn)" -gt "$(roam_scaled 1000)" ] ||
		{ echo "    rx_no_conn $(stat "$S" rx_no_conn)"; RET=$ksft_fail; }
	echo "    flood: slab $((slab1 - slab0)) kB, cookies_sent $(stat "$S" cookies_sent)," \
		"cookies_bad $(stat "$S" cookies_bad), rx_no_conn $(stat "$S" rx_no_conn)"
	log_test "a forged flood allocates nothing and a real client still connects"
}

test_listener_show
test_conn_dump
test_cookie_expiry
test_done_lost
test_done_rebound
head -c 32 /dev/urandom >"$tmp/psk"
"$ROAMCTL" -n "$S" key add 1 secret "$tmp/psk"
"$ROAMCTL" -n "$C" key add 1 secret "$tmp/psk"
test_refresh_same_keys default 7452
test_refresh_same_keys psk 7453
test_events
test_flood
exit "$EXIT_STATUS"
