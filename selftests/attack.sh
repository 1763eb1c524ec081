#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Remote attackers (docs/PROTOCOL.md section 9), each against a live
# transfer or handshake:
#
#  - an on-path observer of the handshake replays a captured COOKIE_ECHO
#    after its connection has ended: no connection is accepted, and the
#    server never sends a packet under a key and nonce it used before
#    (default and PSK mode);
#  - an off-path host forges ICMP "fragmentation needed" (IPv4) and
#    "packet too big" (IPv6) errors that quote roam's flows: streams go
#    on, at full size over IPv4, and new connections succeed;
#  - a man-on-the-side races copies of the client's packets from its own
#    address and relays the server's challenge to the client: its
#    address is never validated, and it never gets more than three times
#    what it sent; racing alone does not stop a transfer;
#  - a man-on-the-side on the server's own link races one copy from the
#    unspecified address :: and port 0, before the connection ever
#    moved: that is no validated path to go back to, and the server
#    sends it no more than three times what came from it;
#  - the peer itself, which holds the keys (roampeer), floods one-byte
#    out-of-order STREAM frames and never sends the byte the reader waits
#    for: the server holds no more than its receive buffer, and an honest
#    transfer beside it completes;
#  - the peer itself asks for data, never acknowledges any, and floods
#    PATH_CHALLENGEs, from one path or a new one at every packet: the
#    server answers each but keeps no record per packet, and ends the
#    connection with ETIMEDOUT once its oldest unacknowledged packet has
#    waited the idle timeout, however much the peer sends; an honest
#    transfer beside it completes;
#  - packets over IPv6 reach a listener bound to a device, and a
#    link-local peer is answered on the link it came from.
#
#   client C ---- router R ---- server S ---- attacker A
#       \__________ copies of C's packets ______/
#
# R delays what goes to S by 5 ms, so the attacker's copies, sent
# straight to S, arrive before the originals.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
X="$ROAM_LIB_DIR/roamxfer"
NC="$ROAM_LIB_DIR/roamnc"
SIDE="$ROAM_LIB_DIR/roamside"
ICMP="$ROAM_LIB_DIR/roamicmp"
REPLAY="$ROAM_LIB_DIR/roamreplay"
PEER="$ROAM_LIB_DIR/roampeer"
FLOOD="$ROAM_LIB_DIR/roamflood"
SIZE=$(roam_scaled 4194304)

trap roam_cleanup EXIT

setup_ns C R S A || exit "$ksft_skip"
tmp=$(mktemp -d)
veth() {	# veth NS1 DEV1 NS2 DEV2
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}
veth "$C" vr "$R" vc
veth "$R" vs "$S" vr
veth "$S" va "$A" vs
veth "$C" vm "$A" vm
ip -n "$C" addr add 10.0.1.2/24 dev vr
ip -n "$C" addr add fd00:1::2/64 dev vr nodad
ip -n "$R" addr add 10.0.1.1/24 dev vc
ip -n "$R" addr add fd00:1::1/64 dev vc nodad
ip -n "$R" addr add 10.0.2.1/24 dev vs
ip -n "$R" addr add fd00:2::1/64 dev vs nodad
ip -n "$S" addr add 10.0.2.2/24 dev vr
ip -n "$S" addr add fd00:2::2/64 dev vr nodad
ip -n "$S" addr add 10.0.3.1/24 dev va
ip -n "$S" addr add fd00:3::1/64 dev va nodad
ip -n "$A" addr add 10.0.3.2/24 dev vs
ip -n "$A" addr add fd00:3::2/64 dev vs nodad
ip -n "$C" route add default via 10.0.1.1
ip -n "$C" -6 route add default via fd00:1::1
ip -n "$S" route add 10.0.1.0/24 via 10.0.2.1
ip -n "$S" -6 route add fd00:1::/64 via fd00:2::1
ip -n "$A" route add 10.0.1.0/24 dev vm
ip -n "$A" -6 route add fd00:1::/64 dev vm
ip -n "$A" route add default via 10.0.3.1
ip -n "$A" -6 route add default via fd00:3::1
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
ip netns exec "$C" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.vm.rp_filter=0
tc -n "$R" qdisc add dev vs root netem delay 5ms rate 50mbit limit 10000 ||
	{ echo "SKIP: no netem"; exit "$ksft_skip"; }
# What C sends, A sees too.
tc -n "$C" qdisc add dev vr clsact &&
	tc -n "$C" filter add dev vr egress matchall action mirred egress mirror dev vm ||
	{ echo "SKIP: no mirred"; exit "$ksft_skip"; }

stat() {	# stat NS NAME
	"$ROAMCTL" -n "$1" stats show | awk -v n="$2" '$1 == n { print $2 }'
}
stat_at_least() { [ "$(stat "$1" "$2")" -ge "$3" ]; }	# NS NAME MIN

# xfer HOST PORT [ROAMXFER ARGS]: a transfer of SIZE bytes each way in
# the background, the server's output in $tmp/server, the client's in
# $tmp/client; the client's port in cport once it is connected.
xfer() {
	local host=$1 port=$2
	shift 2
	: >"$tmp/server"	# the waits below read no earlier run's lines
	ip netns exec "$S" "$X" -l -p "$port" -n 1 "$@" >"$tmp/server" 2>&1 &
	srv=$!
	pids+=("$srv")
	slowwait 10 grep -q listening "$tmp/server"
	: >"$tmp/client.err"
	ip netns exec "$C" timeout 120 "$X" -i -c "$host" -p "$port" -u "$SIZE" -d "$SIZE" "$@" \
		>"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	slowwait 30 grep -q '^connected' "$tmp/client.err"
	read -r _ _ cport _ <"$tmp/client.err"
}

# server_field NAME, client_field NAME: the number after NAME in the
# server's or the client's result line.
server_field() {
	grep '^sent' "$tmp/server" | tail -n1 | awk -v n="$1" '{ for (i = 1; i < NF; i++) if ($i == n) print $(i + 1) }'
}
client_field() {
	awk -v n="$1" '$1 == "sent" { for (i = 1; i < NF; i++) if ($i == n) print $(i + 1) }' "$tmp/client"
}

# capture NS DEV NAME FILTER [TCPDUMP-ARGS]: tcpdump into $tmp/NAME.pcap,
# in the background, once it listens.  Each packet is in the file as soon
# as it is captured (--immediate-mode: not up to a second later, when
# the kernel hands over a block of its ring).
capture() {
	rm -f "$tmp/$3.err"
	ip netns exec "$1" tcpdump -n -U --immediate-mode -s 0 -Z root -i "$2" \
		-w "$tmp/$3.pcap" "${@:5}" "$4" >/dev/null 2>"$tmp/$3.err" &
	pids+=($!)
	slowwait 30 grep -q "listening on" "$tmp/$3.err"
}

# pns PCAP: "dcid pn" of every short-header packet in a capture, one a line.
pns() {
	python3 - "$1" <<-'EOF'
	import struct, sys
	d = open(sys.argv[1], "rb").read()
	ll = struct.unpack("<I", d[20:24])[0]
	off = 24
	while off + 16 <= len(d):
	    caplen = struct.unpack("<I", d[off + 8:off + 12])[0]
	    pkt = d[off + 16:off + 16 + caplen]
	    off += 16 + caplen
	    ip = pkt[14:] if ll == 1 else pkt[16:]
	    hl = (ip[0] & 15) * 4 if ip[0] >> 4 == 4 else 40
	    roam = ip[hl + 8:]
	    if len(roam) >= 13 and roam[0] & 0xc0 == 0x40:
	        print(roam[1:9].hex(), struct.unpack(">I", roam[9:13])[0])
	EOF
}

# cookie_replay KEY: a connection with ROAM_PSK KEY (0: none) ends; its
# COOKIE_ECHO, captured, comes again from the client's address and port.
cookie_replay() {
	local key=$1 before after spent dup out
	before=$(stat "$S" established)
	spent=$(stat "$S" cookies_spent)
	: >"$tmp/accepts"
	roam_bg ip netns exec "$S" "$NC" -l -p 7000 -n 0 -k "$key" >"$tmp/accepts"
	slowwait 10 grep -q listening "$tmp/accepts"
	# The first COOKIE_ECHO alone: the replays pass the same filter.
	capture "$C" vr echo 'udp and dst port 7000 and udp[8] == 0x83' -c 1
	capture "$C" vr server 'udp and src port 7000 and udp[8] & 0xc0 == 0x40'
	out=$(ip netns exec "$C" "$NC" -k "$key" 10.0.2.2 7000 2>&1)
	check_match "the connection" "^connected" "$out"
	cport=$(echo "$out" | sed -n 's/^connected [0-9.]*:\([0-9]*\) .*/\1/p')
	# Both ends close at once; wait until neither has the connection.
	slowwait 30 sh -c "[ -z \"\$($ROAMCTL -n $S conn show)\" ] && [ -z \"\$($ROAMCTL -n $C conn show)\" ]" ||
		echo "    the connection did not end"
	slowwait 10 sh -c "[ \$(stat -c %s $tmp/echo.pcap) -gt 24 ]" ||
		echo "    no COOKIE_ECHO captured"
	out=$(ip netns exec "$C" "$REPLAY" -r "$tmp/echo.pcap" -t 10.0.2.2 -p 7000 \
		-s "$cport" -n 3 2>&1)
	check_eq "COOKIE_ECHOs replayed" "replayed 3" "$out"
	sleep 3
	roam_stop_bg
	after=$(stat "$S" established)
	check_eq "connections the server established" "1" "$((after - before))"
	check_eq "connections accepted" "1" "$(grep -c accepted "$tmp/accepts")"
	spent=$(($(stat "$S" cookies_spent) - ${spent:-0}))
	check_eq "cookies the server refused as spent" "3" "$spent"
	[ "$spent" = 3 ] ||
		echo "    server: $("$ROAMCTL" -n "$S" stats show | grep -v ' 0$' | tr '\n' ' ')"
	dup=$(pns "$tmp/server.pcap" | sort | uniq -d | head -n3)
	check_eq "packets the server sent twice under one key and nonce" "" "$dup"
}

# The debug lane, where a round costs it over a minute, replays only the
# round with a pre-shared key: the same handshake code, with the key's.
test_cookie_replay() {
	RET=0
	[ "${ROAM_LANE:-}" = debug ] || cookie_replay 0
	head -c 32 /dev/urandom >"$tmp/key"
	"$ROAMCTL" -n "$C" key add 1 secret "$tmp/key"
	"$ROAMCTL" -n "$S" key add 1 secret "$tmp/key"
	cookie_replay 1
	log_test "a replayed COOKIE_ECHO builds nothing and reuses no key and nonce"
}

# icmp_attack FAMILY SADDR CADDR MTU MIN: a transfer while A forges
# errors, to both ends, that quote the connection's flows, then a new
# connection; the server's packets must stay at MIN bytes at least.
icmp_attack() {
	local sa=$2 ca=$3 mtu=$4 min=$5 pmtu out
	xfer "$sa" 7100
	roam_bg ip netns exec "$A" "$ICMP" -t "$sa" -s "$sa" -S 7100 -d "$ca" -D "$cport" \
		-m "$mtu" -n 40 -i 100
	roam_bg ip netns exec "$A" "$ICMP" -t "$ca" -s "$ca" -S "$cport" -d "$sa" -D 7100 \
		-m "$mtu" -n 40 -i 100
	sleep 2
	# The client's route to the server was poisoned, if anything was.
	ip netns exec "$S" "$NC" -l -p 7101 >/dev/null 2>&1 &
	pids+=($!)
	sleep 0.5
	out=$(ip netns exec "$C" timeout 30 "$NC" -w 20 "$sa" 7101 2>&1)
	check_match "$1: a new connection during the attack" "^connected" "$out"
	xfer_wait "$SIZE" "$SIZE"
	pmtu=$(server_field pmtu)
	[ "${pmtu:-0}" -ge "$min" ] ||
		{ echo "    $1: the server's packets shrank to $pmtu bytes"; RET=$ksft_fail; }
	roam_stop_bg
	# What the errors left in the route caches must not outlive the test.
	for ns in "$C" "$S"; do
		ip -n "$ns" route flush cache
		ip -n "$ns" -6 route flush cache
	done
}

test_icmp_black_hole() {
	RET=0
	icmp_attack IPv4 10.0.2.2 10.0.1.2 552 1400
	# IPv6 takes any "packet too big" into the route cache, and its
	# tunnel sends obey it: to 1280 bytes, never less (section 5).
	icmp_attack IPv6 fd00:2::2 fd00:1::2 1280 1200
	log_test "forged ICMP errors neither stop connections nor shrink IPv4 packets"
}

# server_remote PORT: the address the server's connection on PORT sends
# to.  (awk, not python3, on roamctl's text: the callers poll, and on
# the debug lane python3 takes seconds of CPU to start.)
server_remote() {
	"$ROAMCTL" -n "$S" conn show | awk -v p=":$1" '{
		l = r = ""
		for (i = 1; i < NF; i++) {
			if ($i == "local") l = $(i + 1)
			if ($i == "remote") r = $(i + 1)
		}
		if (substr(l, length(l) - length(p) + 1) == p) {
			sub(/:[0-9]+$/, "", r)
			gsub(/[][]/, "", r)
			print r
		}
	}'
}

# server_back PORT: the server's connection on PORT sends to the client.
server_back() { client_addr "$(server_remote "$1")"; }
server_at() { [ "$(server_remote "$1")" = "$2" ]; }	# server_at PORT ADDR

# client_addr ADDR: ADDR is one of the client's own.  A client that hears
# nothing from the server (which sends to the attacker) may move to the
# server's advertised IPv6 address, from its own (docs/PROTOCOL.md 7).
client_addr() { [ "$1" = 10.0.1.2 ] || [ "$1" = fd00:1::2 ]; }

# side NAME PORT both|one ROAMSIDE-FLAGS: a transfer of SIZE each way
# at least, while A races and relays for 8 s.  Both sides go on sending
# until the attack is over (roamxfer's gate), however late a loaded
# machine starts either.  Once the attack stops, the server sends to the
# client (at either of its addresses) again, within twice the 10 s a path
# the attacker held takes to fail validation at most (a lane that runs
# niced beside the debug lane's VM took 9 s and over 10 s in a full
# check, and 3 to 4 s alone), and then the transfer completes.
# An attacker that forwards one way only (one) never gets its address
# validated: it gets no more than three times what it sent, where a
# validated address would get the transfer.  One that forwards both
# ways (both: the server's packets to the client, and copies of the
# client's, its answers to challenges included) is on-path while its
# copies win, as RFC 9000 9.3.3 accepts.  (The validations counted are
# mostly of the client's own path, which the server challenges each time
# it is drawn away from it.)
side() {
	local name=$1 port=$2 ways=$3 sent received side remote t
	shift 3
	rm -f "$tmp/gate"
	xfer 10.0.2.2 "$port" -g "$tmp/gate"
	ip netns exec "$A" "$SIDE" -i vm -s 10.0.2.2 -p "$port" -b 10.0.3.2 -t 8 "$@" \
		>"$tmp/side" 2>&1 &
	side=$!
	wait "$side"
	t=$SECONDS
	slowwait 20 server_back "$port"
	remote=$(server_remote "$port")
	t=$((SECONDS - t))
	touch "$tmp/gate"
	xfer_wait "$SIZE+" "$SIZE+"
	read -r _ _ _ _ _ sent _ received <"$tmp/side"
	echo "    $name: $(cat "$tmp/side"); server: moves $(server_field moves)," \
	     "validations $(server_field validations), failures $(server_field failures);" \
	     "client: hops $(client_field hops); back within $t s"
	[ "$(server_field moves)" -gt 0 ] ||
		{ echo "    $name: the race never moved the server"; RET=$ksft_fail; }
	client_addr "$remote" ||
		{ echo "    $name: after the attack the server sends to ${remote:-nobody}"; RET=$ksft_fail; }
	[ "$ways" = both ] && return
	[ "${received:-0}" -le $((3 * ${sent:-0})) ] ||
		{ echo "    $name: the attacker got $received bytes for $sent"; RET=$ksft_fail; }
}

# The debug lane, where each costs it a minute, runs the first only: the
# attacker that relays both ways races, relays challenges and answers.
test_challenge_relay() {
	RET=0
	side "relayed from the server's address" 7200 both -S
	if [ "${ROAM_LANE:-}" != debug ]; then
		side "relayed from the attacker's address" 7201 one -R
		side "raced only" 7202 one
	fi
	log_test "a man-on-the-side gets no path of its own, and the connection comes back"
}

# zero_race PORT: a download from the server on PORT, while A races one
# copy of the client's packets from :: port 0 (roamside -Z), and the
# server's peer once the copy is old, in remote; what A sent in sent,
# the server's replays meanwhile in replays, and what the server sent to
# :: in zpkts and zbytes (UDP payload: nft's bytes less the IPv6 and UDP
# headers).
zero_race() {
	local port=$1 side counts
	ip netns exec "$S" nft -f - <<-EOF
	table inet zero {
		chain out {
			type filter hook output priority filter;
			ip6 daddr :: udp dport 0 counter
		}
	}
	EOF
	rm -f "$tmp/gate"
	: >"$tmp/server"
	ip netns exec "$S" "$X" -l -p "$port" -n 1 -g "$tmp/gate" >"$tmp/server" 2>&1 &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/server"
	replays=$(stat "$S" replays)
	# The client's first packets come a round trip before its first ACK
	# of the download.  A connect can take seconds on the debug lane.
	ip netns exec "$A" "$SIDE" -i vm -s fd00:2::2 -p "$port" -Z -I 50 -t 60 >"$tmp/side" 2>&1 &
	side=$!
	sleep 1		# listening
	: >"$tmp/client.err"
	ip netns exec "$C" timeout 120 "$X" -i -c fd00:2::2 -p "$port" -u 0 -d "$SIZE" \
		>"$tmp/client" 2>"$tmp/client.err" &
	cli=$!
	wait "$side"
	replays=$(($(stat "$S" replays) - ${replays:-0}))
	read -r _ _ _ _ _ sent _ _ <"$tmp/side"
	slowwait 20 server_at "$port" fd00:1::2
	remote=$(server_remote "$port")
	touch "$tmp/gate"
	xfer_wait 0 "$SIZE+"
	read -r -a counts < <(ip netns exec "$S" nft list chain inet zero out |
		sed -n 's/.*packets \([0-9]*\) bytes \([0-9]*\).*/\1 \2/p')
	ip netns exec "$S" nft delete table inet zero
	zpkts=${counts[0]:-0}
	zbytes=$((${counts[1]:-0} - 48 * zpkts))
}

# A copy of one of the client's packets from :: port 0, which Linux
# delivers from the server's own link (no router forwards it), races its
# original at the start of a download, before the connection has ever
# moved: the client's first ACK of the server's first flight, when the
# server has room in its window to send more.  The path the connection
# has never been on, all zeros, is not the validated one to go back to
# (docs/PROTOCOL.md section 7): :: is challenged as any new path, gets
# no more than three times the copy's bytes (the server's default route
# takes what it sends to :: to A, from a global source), and the
# connection comes back to the client.  R delays the originals by 100
# ms here, as one copy, not one in many, must win; one that still came
# after its original (a replay) is tried again, twice at most.
test_zero_source() {
	RET=0
	local sent remote replays zpkts zbytes try moves
	tc -n "$R" qdisc change dev vs root netem delay 100ms rate 50mbit limit 10000
	ip -n "$S" -6 route add default via fd00:3::2 src fd00:2::2
	for try in 1 2 3; do
		zero_race $((7203 + try))
		moves=$(server_field moves)
		echo "    $(cat "$tmp/side"); server: moves $moves," \
		     "validations $(server_field validations), replays $replays;" \
		     "to ::, $zpkts packets, $zbytes bytes"
		[ "${moves:-0}" -gt 0 ] || [ "$replays" = 0 ] && break
	done
	check_eq "copies raced from ::" 1 "$(awk '{ print $2 }' "$tmp/side")"
	[ "${moves:-0}" -gt 0 ] ||
		{ echo "    the copy from :: never moved the server"; RET=$ksft_fail; }
	[ "$zbytes" -le $((3 * ${sent:-0})) ] ||
		{ echo "    the server sent $zbytes bytes to :: for $sent"; RET=$ksft_fail; }
	check_eq "the server's peer after the copy" fd00:1::2 "$remote"
	ip -n "$S" -6 route del default via fd00:3::2
	tc -n "$R" qdisc change dev vs root netem delay 5ms rate 50mbit limit 10000
	roam_stop_bg
	log_test "a copy from :: port 0 is no validated path to go back to"
}

# ooo_sample: once a second while the flood runs, the receive memory a
# connection to port 7401 holds and its bound, into $tmp/ooo.rmem, and
# the protocol's memory in pages, into $tmp/ooo.pages; what went wrong
# reading them into $tmp/ooo.err.  roamctl's plain output, read by awk:
# no interpreter to start each second on a slow lane.
ooo_sample() {
	while sleep 1; do
		"$ROAMCTL" -n "$S" conn show 2>>"$tmp/ooo.err" | awk '
			/ local [^ ]*:7401 / {
				for (i = 1; i < NF; i++) {
					if ($i == "rmem") r = $(i + 1)
					if ($i == "rcvbuf") b = $(i + 1)
				}
				print r, b
			}' >>"$tmp/ooo.rmem"
		awk '$1 == "ROAM" { print $4 }' /proc/net/protocols >>"$tmp/ooo.pages"
	done
}

# A peer that holds the keys (roampeer) sends one-byte STREAM frames at
# descending offsets, from the top of the window down, and never the
# byte the server's reader waits for: the receive buffer bounds what
# the server holds, the protocol's memory stays flat, and an honest
# transfer beside it completes.
test_ooo_flood() {
	RET=0
	local n=$(roam_scaled 20000) pages0 max_rmem=0 max_rcvbuf=0 max_pages rmem rcvbuf out sampler

	pages0=$(awk '$1 == "ROAM" { print $4 }' /proc/net/protocols)
	ip netns exec "$S" "$X" -l -p 7401 -n 1 >"$tmp/ooo.server" 2>&1 &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/ooo.server"
	xfer 10.0.2.2 7400
	: >"$tmp/ooo.rmem"
	: >"$tmp/ooo.pages"
	: >"$tmp/ooo.err"
	ooo_sample &
	sampler=$!
	out=$(ip netns exec "$C" timeout 300 "$PEER" client 10.0.2.2 7401 \
		-e "ooo-flood $n; wait 1000" 2>&1)
	kill "$sampler"
	wait "$sampler" 2>/dev/null
	echo "    $(echo "$out" | grep -m1 ooo-flood)"
	while read -r rmem rcvbuf; do
		[ "$rmem" -gt "$max_rmem" ] && max_rmem=$rmem max_rcvbuf=$rcvbuf
	done <"$tmp/ooo.rmem"
	max_pages=$(sort -n "$tmp/ooo.pages" | tail -n1)
	[ -s "$tmp/ooo.rmem" ] && [ -n "$max_pages" ] || {
		echo "    no receive memory or protocol memory to see" \
		     "($(wc -l <"$tmp/ooo.pages") samples; $(head -c 300 "$tmp/ooo.err"))"
		RET=$ksft_fail
	}
	echo "    the attacked connection held at most $max_rmem bytes (rcvbuf $max_rcvbuf);" \
	     "roam's memory: $pages0 pages before, $max_pages at most"
	# One packet more than the buffer may be in flight to it.
	[ "$max_rmem" -le $((max_rcvbuf + 65536)) ] ||
		{ echo "    more than its receive buffer"; RET=$ksft_fail; }
	# The honest transfer's buffers, and the attacked one's: 3 x 1 MiB.
	[ "$((${max_pages:-0} - pages0))" -le 768 ] ||
		{ echo "    roam's memory grew by $((max_pages - pages0)) pages"; RET=$ksft_fail; }
	xfer_wait "$SIZE" "$SIZE"
	roam_stop_bg

	# A reader that reads nothing: the bytes it waits for next still get
	# in after the flood, however much of it came in small packets.
	ip netns exec "$S" "$NC" -l -p 7402 -n 0 -H >"$tmp/ooo.hold" &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/ooo.hold"
	out=$(ip netns exec "$C" timeout 300 "$PEER" client 10.0.2.2 7402 \
		-e "send 1000; ooo-flood $((n / 4)); wait 500; send 1000" 2>&1) ||
		{ echo "    in order after the flood: $(echo "$out" | tail -n2)"; RET=$ksft_fail; }
	roam_stop_bg
	log_test "an out-of-order flood stays within the receive buffer"
}

# cf_sample: as often as roamctl can, while the challenge floods run,
# the packets the connections to ports 7411 and 7412 have sent and not
# seen acknowledged (each one a record the server keeps), as "PORT COUNT"
# lines into $tmp/cf.unacked.  The connections live for 3 s or so, and
# the floods take the CPU: the sampler runs at a higher priority.
cf_sample() {
	while roam_nap 0.2; do
		"$ROAMCTL" -n "$S" conn show 2>>"$tmp/cf.err" | awk '
			/ local [^ ]*:741[12] / {
				for (i = 1; i < NF; i++) {
					if ($i == "local") p = $(i + 1)
					if ($i == "unacked") u = $(i + 1)
				}
				sub(/.*:/, "", p)
				print p, u
			}' >>"$tmp/cf.unacked"
	done
}

# cf_flood PORT PORTS: in the background, a roamxfer server on PORT, and
# roampeer asking it for 16 MiB, then going silent (no ACK of anything
# from then on) and sending N packets of one PATH_CHALLENGE each over MS
# ms, from PORTS source ports in turn (2 and more: each packet carries a
# PING too, and moves the server to a path it challenges).  The outputs
# go to $tmp/cf.PORT.server and $tmp/cf.PORT.peer.
cf_flood() {
	ip netns exec "$S" "$X" -l -p "$1" -n 1 >"$tmp/cf.$1.server" 2>&1 &
	pids+=($!)
	cf_pids+=($!)
	slowwait 10 grep -q listening "$tmp/cf.$1.server"
	ip netns exec "$C" timeout 60 "$PEER" client 10.0.2.2 "$1" \
		-e "write 0000000001000000; silent on; challenge-flood $n $ms $2" \
		>"$tmp/cf.$1.peer" 2>&1 &
	pids+=($!)
	cf_pids+=($!)
}

# cf_check PORT PORTS WHAT: what the flood to PORT left.
cf_check() {
	local out last max
	out=$(cat "$tmp/cf.$1.peer")
	echo "    $3: $(echo "$out" | grep -m1 challenge-flood)"
	check_match "$3: the flood" "challenge-flood $n $ms $2: sent $n packets" "$out"
	last=$(echo "$out" | sed -n 's/^challenge-flood .*, the last after \([0-9]*\) ms.*/\1/p')
	max=$(awk -v p="$1" '$1 == p { print $2 }' "$tmp/cf.unacked" | sort -n | tail -n1)
	echo "    $3: the server's connection had at most ${max:-?} packets unacknowledged" \
	     "($(grep -c "^$1 " "$tmp/cf.unacked") samples), its last packet came ${last:-?} ms into the flood"
	[ -n "$max" ] ||
		{ echo "    $3: no count of unacknowledged packets: $(head -c 300 "$tmp/cf.err")"; RET=$ksft_fail; }
	# Its window's packets and two probes per probe timeout for 3 s,
	# where one record per answer, or per move, would be thousands.
	[ "${max:-0}" -le 500 ] ||
		{ echo "    $3: the server kept a record per packet"; RET=$ksft_fail; }
	# Not before the idle timeout, and well before the flood ended.
	[ -n "$last" ] && [ "$last" -ge $((idle - 500)) ] ||
		{ echo "    $3: the connection ended before the idle timeout"; RET=$ksft_fail; }
	[ -n "$last" ] && [ "$last" -le $((ms - 2000)) ] ||
		{ echo "    $3: the connection outlived the idle timeout"; RET=$ksft_fail; }
	check_match "$3: the attacked server's end" "Connection timed out" \
		"$(cat "$tmp/cf.$1.server")"
}

# Peers that hold the keys (roampeer) ask the server for 16 MiB, go
# silent and flood PATH_CHALLENGEs for 10 s, one of them from a new path
# at every packet (cf_flood).  The server answers every challenge, but an
# answer is never sent again, so it keeps no record of one; of its own
# challenges, one a move, it keeps the newest: what it keeps is its
# window's packets and its probes, not one per packet.  And each
# connection ends with ETIMEDOUT once its oldest unacknowledged packet,
# sent just before the flood, has waited the idle timeout (3 s here) or
# three probe timeouts, whichever is longer, however much the peer sends,
# as TCP's ends after its retransmission timeout: the peer hears nothing
# more long before the flood ends.  (Three probe timeouts can outlast
# 3 s where the VM's peer answered the handshake slowly.)  An honest
# transfer beside them, under the same idle timeout, completes.
test_challenge_flood() {
	RET=0
	local n=$(roam_scaled 5000) ms=10000 idle=3000 cf_pids=() sampler

	"$ROAMCTL" -n "$S" config set idle_timeout "$idle"
	xfer 10.0.2.2 7410
	: >"$tmp/cf.unacked"
	: >"$tmp/cf.err"
	cf_sample &
	sampler=$!
	renice -n -10 -p "$sampler" >/dev/null
	cf_flood 7411 1
	cf_flood 7412 4
	wait "${cf_pids[@]}"
	kill "$sampler"
	wait "$sampler" 2>/dev/null
	cf_check 7411 1 "challenges"
	cf_check 7412 4 "challenges from a new path each"
	xfer_wait "$SIZE" "$SIZE"
	"$ROAMCTL" -n "$S" config set idle_timeout 300000
	roam_stop_bg
	log_test "a peer that never acknowledges costs no record per packet, and times out"
}

# IPv6 packets carry the interface they came in on: a listener bound to
# a device gets them, and a link-local client is answered on its link.
test_ipv6_ingress() {
	RET=0
	local out ll
	roam_bg ip netns exec "$S" "$NC" -l -d vr -p 7300 -n 0 >"$tmp/bound"
	slowwait 10 grep -q listening "$tmp/bound"
	out=$(ip netns exec "$C" timeout 30 "$NC" fd00:2::2 7300 2>&1)
	check_match "a device-bound listener over IPv6" "^connected" "$out"
	out=$(ip netns exec "$C" timeout 30 "$NC" 10.0.2.2 7300 2>&1)
	check_match "a device-bound listener over IPv4" "^connected" "$out"

	# S has two links with link-local addresses: R on vr, A on va.
	ip -n "$S" addr add fe80::5/64 dev vr nodad
	ip -n "$S" addr add fe80::5/64 dev va nodad
	ip -n "$R" addr add fe80::2/64 dev vs nodad
	ip -n "$A" addr add fe80::3/64 dev vs nodad
	roam_bg ip netns exec "$S" "$NC" -l -p 7301 -n 0 >"$tmp/ll"
	slowwait 10 grep -q listening "$tmp/ll"
	for ns in "$R" "$A"; do
		ll=$(ip netns exec "$ns" cat /sys/class/net/vs/ifindex)
		out=$(ip netns exec "$ns" timeout 30 "$NC" -w 10 "fe80::5%$ll" 7301 2>&1)
		check_match "a link-local client on each link" "^connected" "$out"
	done
	roam_stop_bg
	log_test "IPv6 packets carry their ingress interface"
}

# Packets that name a live connection but that it cannot open: COOKIE,
# DONE and REJECT for a connection past its handshake, and COOKIE_ECHO
# with a tag that does not verify.  They end at the port (rx_no_conn),
# never in the connection's queues, where a flood would crowd out its
# packets while the application holds the socket.  INITIALs sent to a
# broadcast address get no answer: a connection is to one host.
test_junk_long_headers() {
	RET=0
	local n rcid kind before after new0 new1 sent0 sent1
	n=$(roam_scaled 200)
	# The transfer goes on until the gate opens: the connection is alive
	# throughout.
	rm -f "$tmp/gate"
	xfer 10.0.2.2 7600 -g "$tmp/gate"
	read -r _ _ _ _ _ _ rcid <"$tmp/client.err"
	before=$(stat "$S" rx_no_conn)
	for kind in cookie done reject echo; do
		ip netns exec "$A" "$FLOOD" -t 10.0.2.2 -p 7600 -n "$n" -k "$kind" \
			-c "$rcid" -f 10.0.3.2:7600 ||
			{ echo "    roamflood -k $kind failed"; RET=$ksft_fail; }
	done
	slowwait 10 stat_at_least "$S" rx_no_conn $((before + 4 * n))
	after=$(stat "$S" rx_no_conn)
	echo "    $((4 * n)) forged handshake packets for connection $rcid;" \
	     "rx_no_conn $before -> $after"
	[ "$((after - before))" -ge $((4 * n)) ] ||
		{ echo "    some reached the connection"; RET=$ksft_fail; }
	touch "$tmp/gate"
	xfer_wait "$SIZE+" "$SIZE+" || RET=$ksft_fail

	# A's and S's link gets its broadcast address, which A may send to.
	ip -n "$A" addr replace 10.0.3.2/24 brd + dev vs
	ip -n "$S" addr replace 10.0.3.1/24 brd + dev va
	roam_bg ip netns exec "$S" "$NC" -l -p 7601 -n 0 >"$tmp/bcast"
	slowwait 10 grep -q listening "$tmp/bcast"
	new0=$(stat "$S" newconn)
	sent0=$(stat "$S" cookies_sent)
	ip netns exec "$A" "$FLOOD" -t 10.0.3.255 -p 7601 -n "$n" -k initial -f 10.0.3.2:7601 ||
		{ echo "    roamflood to the broadcast address failed"; RET=$ksft_fail; }
	# The same to S's own address is answered: the flood did reach S.
	ip netns exec "$A" "$FLOOD" -t 10.0.3.1 -p 7601 -n 1 -k initial -f 10.0.3.2:7601
	slowwait 10 stat_at_least "$S" newconn $((new0 + 1))
	new1=$(stat "$S" newconn)
	sent1=$(stat "$S" cookies_sent)
	echo "    $n INITIALs to 10.0.3.255 and 1 to 10.0.3.1: newconn $new0 -> $new1," \
	     "cookies_sent $sent0 -> $sent1"
	[ "$((new1 - new0))" -eq 1 ] ||
		{ echo "    broadcast INITIALs were taken"; RET=$ksft_fail; }
	roam_stop_bg
	log_test "handshake packets that cannot be for a connection never reach it"
}

test_cookie_replay
test_icmp_black_hole
test_challenge_relay
test_zero_source
test_ooo_flood
test_challenge_flood
test_ipv6_ingress
test_junk_long_headers
exit "$EXIT_STATUS"
