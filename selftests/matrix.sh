#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A randomized matrix of network conditions and events, as MPTCP's
# mptcp_connect.sh draws its conditions: each run draws, from a seed it
# prints first, the address family, netem delay, jitter, loss, reordering
# and duplication, GSO, GRO and TSO on each veth, and 1 to 4 events at
# random times, while a paced stream (roampace) runs both ways, until
# 10 s after the last event, over
#
#   client C --- R1 --- R2 --- server S      (R1 masquerades IPv4)
#
# Events: the client's address replaced; the client's link down and up;
# carrier loss between R1 and R2 (nobody sees it); a NAT rebinding (R1's
# mappings moved to a new port range, its conntrack flushed); 100% loss
# at R1; the client's UDP port blocked, which forces a hop; the path MTU
# dropped from 1500 to 1280; a switch between IPv4 and IPv6 (the
# server's advertised addresses).  Each run checks that every record
# arrived, in order, both ways; that the connection is alive at the end;
# that the counters agree with the events (a path move for each change
# of the client's address or port, a port hop for each blocked port);
# and that the kernel log stays clean.  One line per run: its seed,
# conditions and events, and when the events ended (on a slow lane,
# later than drawn).
#
#   ROAM_MATRIX_SEED=S      replays the run with seed S (alone)
#   ROAM_MATRIX_RUNS=N      runs N (default 1)
#   ROAM_MATRIX_OUTAGE=SECS the longest outage drawn (default 10; the
#                           full range, 120, with `make matrix`)
#   ROAM_MATRIX_PARALLEL=N  runs at once (default 3)

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
PACE="$ROAM_LIB_DIR/roampace"

RUNS=${ROAM_MATRIX_RUNS:-1}
OUTAGE=${ROAM_MATRIX_OUTAGE:-10}
PARALLEL=${ROAM_MATRIX_PARALLEL:-3}
if [ -n "${ROAM_MATRIX_SEED:-}" ]; then
	SEEDS=$ROAM_MATRIX_SEED
else
	SEEDS=$(for _ in $(seq "$RUNS"); do echo $((RANDOM * 32768 + RANDOM)); done)
fi
EVENTS="addr_replace link_flap far_carrier nat_rebind loss100 port_block mtu_drop family_switch"

trap roam_cleanup EXIT
tmp=$(mktemp -d)

# rnd VAR N: a number from 0 to N-1 in VAR, from this shell's generator
# (never in a subshell: each one reseeds RANDOM, so that a seed would no
# longer replay its run).
rnd() { printf -v "$1" %d $((RANDOM % $2)); }

# draw SEED: run SEED's conditions and events, from SEED alone: the
# address family in fam, netem's parameters in netem, the offloads to
# switch off in offs ("NS/DEV:FEATURE", NS one of C R1 R2 S), the events
# in events (" TIME:KIND[:SECONDS]"), and the run's length in total.
draw() {
	local t=5 d kind pair o r delay jitter=0 loss reorder dup nev
	local kinds=($EVENTS)
	RANDOM=$1
	rnd r 2
	fam=$((r ? 6 : 4))
	rnd delay 51
	rnd loss 21
	rnd reorder 26
	rnd dup 11
	[ "$delay" -gt 0 ] && rnd jitter $((delay / 4 + 1))
	[ "$delay" -gt 0 ] || reorder=0		# netem reorders by delaying
	netem="delay ${delay}ms ${jitter}ms loss $((loss / 10)).$((loss % 10))%"
	netem="$netem duplicate $((dup / 10)).$((dup % 10))%"
	[ "$reorder" -gt 0 ] && netem="$netem reorder ${reorder}%"
	offs=""
	for pair in C/vr R1/vc R1/vp R2/vn R2/vs S/vr; do
		for o in gso gro tso; do
			rnd r 2
			[ "$r" = 0 ] && offs="$offs $pair:$o"
		done
	done
	events=""
	rnd nev 4
	for ((nev++; nev > 0; nev--)); do
		rnd r ${#kinds[@]}
		kind=${kinds[r]}
		[ "$fam" = 6 ] && [ "$kind" = nat_rebind ] && kind=addr_replace
		rnd r 9
		t=$((t + 2 + r))
		d=0
		case $kind in
		link_flap) rnd d 3; d=$((d + 1)) ;;
		far_carrier|loss100) rnd d "$OUTAGE"; d=$((d + 1)) ;;
		port_block) d=15 ;;		# past the 10 s hop interval
		esac
		events="$events $t:$kind${d:+:$d}"
		t=$((t + d))
	done
	total=$((t + 10))
}

# One run, in namespaces of its own; its number N picks its addresses.
# Writes $tmp/N.line (the seed, conditions and events) and $tmp/N.rc.
run() {
	local n=$1 seed=$2 C R1 R2 S fam netem offs events total off ns o
	local t ev d kind cport moves_min=0 hops_min=0 cpid spid t0 evend
	local v4=1 v6=1 caddr4 caddr6 k=3 ifs dev rc=0 out hops
	setup_ns C R1 R2 S || { echo 4 >"$tmp/$n.rc"; return; }
	ip link add vr netns "$C" type veth peer name vc netns "$R1"
	ip link add vp netns "$R1" type veth peer name vn netns "$R2"
	ip link add vs netns "$R2" type veth peer name vr netns "$S"
	# A link set down keeps its IPv6 addresses, as it keeps its IPv4
	# ones, and as a network manager would put them back: without that,
	# R2's far-side carrier event took IPv6 away for the rest of a run,
	# and a switch to IPv6 after it could never work.
	for ns in "$C" "$R1" "$R2" "$S"; do
		ip netns exec "$ns" sysctl -qw net.ipv4.conf.all.promote_secondaries=1 \
			net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 \
			net.ipv4.conf.all.rp_filter=0 net.ipv6.conf.all.keep_addr_on_down=1
	done
	ip netns exec "$C" sysctl -qw net.ipv6.conf.all.forwarding=0
	ip -n "$R1" addr add 10.$n.1.1/24 dev vc
	ip -n "$R1" addr add fd$n:1::1/64 dev vc nodad
	ip -n "$R1" addr add 10.$n.2.1/24 dev vp
	ip -n "$R1" addr add fd$n:2::1/64 dev vp nodad
	ip -n "$R2" addr add 10.$n.2.2/24 dev vn
	ip -n "$R2" addr add fd$n:2::2/64 dev vn nodad
	ip -n "$R2" addr add 10.$n.3.1/24 dev vs
	ip -n "$R2" addr add fd$n:3::1/64 dev vs nodad
	ip -n "$S" addr add 10.$n.3.2/24 dev vr
	ip -n "$S" addr add fd$n:3::2/64 dev vr nodad
	for pair in "$C vr" "$R1 vc" "$R1 vp" "$R2 vn" "$R2 vs" "$S vr"; do
		ip -n ${pair% *} link set "${pair#* }" up
	done
	ip -n "$S" route add default via 10.$n.3.1
	ip -n "$S" -6 route add default via fd$n:3::1
	ip -n "$R1" route add 10.$n.3.0/24 via 10.$n.2.2
	ip -n "$R1" -6 route add fd$n:3::/64 via fd$n:2::2
	ip -n "$R2" route add 10.$n.1.0/24 via 10.$n.2.1
	ip -n "$R2" -6 route add fd$n:1::/64 via fd$n:2::1
	ip netns exec "$R1" nft -f - <<-EOF
	table ip nat {
		chain post {
			type nat hook postrouting priority srcnat;
			oifname "vp" masquerade random
		}
	}
	EOF
	caddr4=10.$n.1.2 caddr6=fd$n:1::2
	client_up() {
		[ "$v4" = 1 ] && { ip -n "$C" addr replace "$caddr4/24" dev vr
				    ip -n "$C" route replace default via 10.$n.1.1; }
		[ "$v6" = 1 ] && { ip -n "$C" addr replace "$caddr6/64" dev vr nodad
				    ip -n "$C" -6 route replace default via fd$n:1::1; }
		return 0
	}
	# The family the connection runs on: the one it started on while the
	# client has both, else the one it has.
	cur_fam() {
		if [ "$v4" = 1 ] && [ "$v6" = 1 ]; then echo "$fam"
		elif [ "$v4" = 1 ]; then echo 4
		else echo 6; fi
	}

	# The conditions.
	draw "$seed"
	tc -n "$R1" qdisc add dev vc root netem $netem limit 10000
	tc -n "$R1" qdisc add dev vp root netem $netem limit 10000
	ifs=""
	for off in $offs; do
		IFS=/: read -r ns dev o <<<"$off"
		ip netns exec "${!ns}" ethtool -K "$dev" "$o" off 2>/dev/null &&
			ifs="$ifs $off-off"
	done
	# Dual-stack from the start, unless the run switches families: then
	# it starts on one alone.
	v4=1 v6=1
	client_up

	case " $events" in
	*family_switch*) [ "$fam" = 4 ] && v6=0 || v4=0
			 ip -n "$C" addr flush dev vr scope global
			 client_up ;;
	esac
	echo "seed $seed: IPv$fam, netem $netem; offloads off:${ifs:- none};" \
	     "events:$events; ${total} s" >"$tmp/$n.line"

	ip netns exec "$S" timeout $((total + 500)) "$PACE" -l -p 9700 >"$tmp/$n.server" 2>&1 &
	spid=$!
	until grep -q listening "$tmp/$n.server" 2>/dev/null; do roam_nap 0.1; done
	# The client streams until 10 s after the last event, however late
	# the events ran: on a slow lane, changing addresses and links can
	# take seconds each, and an event after the stream's end would move
	# nothing.  timeout -s USR1 passes our SIGUSR1 on to roampace, which
	# then ends its stream; -k bounds the rest.
	ip netns exec "$C" timeout -k 120 -s USR1 $((total + 300)) "$PACE" \
		-c "$([ "$fam" = 4 ] && echo 10.$n.3.2 || echo fd$n:3::2)" \
		-p 9700 -s $((total + 300)) >"$tmp/$n.client" 2>&1 &
	cpid=$! t0=$SECONDS
	for ev in $events; do
		IFS=: read -r t kind d <<<"$ev"
		[ "$t" -gt $((SECONDS - t0)) ] && sleep $((t - (SECONDS - t0)))
		case $kind in
		addr_replace)
			if [ "$(cur_fam)" = 4 ]; then
				ip -n "$C" addr add "10.$n.1.$k/24" dev vr
				ip -n "$C" addr del "$caddr4/24" dev vr
				ip -n "$C" route replace default via 10.$n.1.1
				caddr4=10.$n.1.$k
			else
				ip -n "$C" addr add "fd$n:1::$k/64" dev vr nodad
				ip -n "$C" addr del "$caddr6/64" dev vr
				ip -n "$C" -6 route replace default via fd$n:1::1
				caddr6=fd$n:1::$k
			fi
			k=$((k + 1))
			moves_min=$((moves_min + 1)) ;;
		link_flap)
			ip -n "$C" link set vr down
			sleep "$d"
			ip -n "$C" link set vr up
			client_up ;;
		far_carrier)
			ip -n "$R2" link set vn down
			sleep "$d"
			ip -n "$R2" link set vn up
			ip -n "$R2" route replace 10.$n.1.0/24 via 10.$n.2.1
			ip -n "$R2" -6 route replace fd$n:1::/64 via fd$n:2::1 ;;
		nat_rebind)
			# A new mapping in a port range of its own, then the old
			# ones forgotten, as roaming.sh's NAT case does (the debug
			# lane's 6.12.118 refuses conntrack -F, "invalid
			# parameters", which may be why seed 647936863's server
			# saw no new port).
			ip netns exec "$R1" nft flush chain ip nat post
			ip netns exec "$R1" nft add rule ip nat post oifname vp meta l4proto udp \
				masquerade to :$((20000 + 1000 * k))-$((20999 + 1000 * k)) random
			k=$((k + 1))
			ip netns exec "$R1" conntrack -F -f ipv4 >/dev/null 2>&1
			# A move only if the connection runs over IPv4 (NATed) now,
			# which a family switch just before may not have finished.
			"$ROAMCTL" -n "$S" conn show | grep -Eq "remote [0-9]+\.[0-9.]+:" &&
				moves_min=$((moves_min + 1)) ;;
		loss100)
			tc -n "$R1" qdisc change dev vc root netem loss 100%
			tc -n "$R1" qdisc change dev vp root netem loss 100%
			sleep "$d"
			tc -n "$R1" qdisc change dev vc root netem $netem limit 10000
			tc -n "$R1" qdisc change dev vp root netem $netem limit 10000 ;;
		port_block)
			cport=$("$ROAMCTL" -n "$C" -j conn show | python3 -c \
				"import json, sys; print(json.load(sys.stdin)[0]['local']['port'])")
			ip netns exec "$C" nft -f - <<-EOF
			table inet block {
				chain out {
					type filter hook output priority filter;
					udp sport $cport drop
				}
			}
			EOF
			sleep "$d"
			ip netns exec "$C" nft delete table inet block
			hops_min=$((hops_min + 1))
			moves_min=$((moves_min + 1)) ;;
		mtu_drop)
			ip -n "$R1" link set vp mtu 1280
			ip -n "$R2" link set vn mtu 1280 ;;
		family_switch)
			if [ "$v4" = 1 ]; then v4=0 v6=1; else v4=1 v6=0; fi
			client_up
			if [ "$v4" = 1 ]; then
				ip -n "$C" addr del "$caddr6/64" dev vr
			else
				ip -n "$C" addr del "$caddr4/24" dev vr
			fi
			moves_min=$((moves_min + 1)) ;;
		esac
	done
	evend=$((SECONDS - t0))
	sleep 10
	kill -USR1 "$cpid"
	wait "$cpid" || rc=1
	wait "$spid" || rc=1
	out=$("$ROAMCTL" -n "$S" -j stats show | python3 -c \
		"import json, sys; print(json.load(sys.stdin).get('path_moves', 0))")
	hops=$("$ROAMCTL" -n "$C" -j stats show | python3 -c \
		"import json, sys; print(json.load(sys.stdin).get('port_hops', 0))")
	{
		echo "    client: $(tail -n1 "$tmp/$n.client"); server: $(tail -n1 "$tmp/$n.server");" \
		     "server path moves $out (at least $moves_min), client port hops $hops" \
		     "(at least $hops_min); the events ended ${evend} s in, drawn to end" \
		     "$((total - 10)) s in"
		grep -h "roampace:" "$tmp/$n.client" "$tmp/$n.server" | sed 's/^/    /'
	} >>"$tmp/$n.line"
	[ "$(awk '$1 == "sent" { print $2 }' "$tmp/$n.client")" = \
	  "$(awk '$1 == "sent" { print $4 }' "$tmp/$n.server")" ] &&
	[ "$(awk '$1 == "sent" { print $2 }' "$tmp/$n.server")" = \
	  "$(awk '$1 == "sent" { print $4 }' "$tmp/$n.client")" ] || rc=1
	[ "${out:-0}" -ge "$moves_min" ] && [ "${hops:-0}" -ge "$hops_min" ] || rc=1
	echo "$rc" >"$tmp/$n.rc"
}

# A seed replays its run: two draws from it are the same.
RET=0
seed=${SEEDS%%[[:space:]]*}	# the first: they are one a line
draw "$seed"
first="$fam $netem;$offs;$events"
draw "$seed"
check_eq "seed $seed drawn again" "$first" "$fam $netem;$offs;$events"
log_test "a seed draws the same conditions and events each time"

marker="roam matrix $$"
echo "$marker" >/dev/kmsg
n=0
for seed in $SEEDS; do
	n=$((n + 1))
	run "$n" "$seed" &
	pids+=($!)
	while [ "$(jobs -rp | wc -l)" -ge "$PARALLEL" ]; do sleep 1; done
done
wait
for i in $(seq "$n"); do
	RET=0
	cat "$tmp/$i.line"
	[ "$(cat "$tmp/$i.rc" 2>/dev/null)" = 0 ] || RET=$ksft_fail
	log_test "matrix run $i, $(head -n1 "$tmp/$i.line" | cut -d: -f1)"
done
# A clean kernel log since the matrix began.
RET=0
dmesg | sed -n "/$marker/,\$p" | grep -E "WARNING|BUG|Oops|lockdep|KASAN" && RET=$ksft_fail
log_test "the kernel log stays clean"
exit "$EXIT_STATUS"
