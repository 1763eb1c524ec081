#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Outages: after an outage of any length inside the idle timeout, the
# first byte flows again within max(1 RTT, 1 s) of the network coming
# back (docs/PROTOCOL.md section 5, probe_max).  A paced stream runs both
# ways (roampace, a 16-byte record every 10 ms) over
#
#   client C --- R1 --- R2 --- server S      (10 ms each way, netem)
#
# and each outage is one of three kinds: carrier loss on the client's
# link (C sees it, and the notifier probes at once), carrier loss
# between R1 and R2 (nobody sees it: only capped probes find the way
# back), and 100% loss at R1 (netem).  Each kind lasts each of
# ROAM_OUTAGE_DURATIONS: 5 s by default (make check), 5, 30, 60 and
# 120 s in make outage (tools/long).  All
# run at once, each in namespaces of its own.  Each prints the time from
# the return to the first record in each direction, and checks it
# against the rule, and that every record arrived, in order.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
PACE="$ROAM_LIB_DIR/roampace"
# 5 s reach the probe cap (probe_max); the longer outages of make
# outage also outlast the server's association timeout (40 s).
DURATIONS=${ROAM_OUTAGE_DURATIONS:-5}
KINDS="client-carrier path-carrier loss"
WARMUP=5	# s of stream before the outage
AFTER=10	# s of stream after it

trap roam_cleanup EXIT
tmp=$(mktemp -d)

# topo CASE N: namespaces C R1 R2 S for case N (10.N.x.0/24), named in
# $tmp/CASE.ns; the RTT is 20 ms.
topo() {
	local c=$1 n=$2 C R1 R2 S
	setup_ns C R1 R2 S || return 1
	echo "$C $R1 $R2 $S" >"$tmp/$c.ns"
	ip link add vr netns "$C" type veth peer name vc netns "$R1"
	ip link add vp netns "$R1" type veth peer name vn netns "$R2"
	ip link add vs netns "$R2" type veth peer name vr netns "$S"
	ip -n "$C" addr add 10.$n.1.2/24 dev vr
	ip -n "$R1" addr add 10.$n.1.1/24 dev vc
	ip -n "$R1" addr add 10.$n.2.1/24 dev vp
	ip -n "$R2" addr add 10.$n.2.2/24 dev vn
	ip -n "$R2" addr add 10.$n.3.1/24 dev vs
	ip -n "$S" addr add 10.$n.3.2/24 dev vr
	ip -n "$C" link set vr up
	ip -n "$R1" link set vc up
	ip -n "$R1" link set vp up
	ip -n "$R2" link set vn up
	ip -n "$R2" link set vs up
	ip -n "$S" link set vr up
	ip -n "$C" route add default via 10.$n.1.1
	ip -n "$S" route add default via 10.$n.3.1
	ip -n "$R1" route add 10.$n.3.0/24 via 10.$n.2.2
	ip -n "$R2" route add 10.$n.1.0/24 via 10.$n.2.1
	ip netns exec "$R1" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$R2" sysctl -qw net.ipv4.ip_forward=1
	tc -n "$C" qdisc add dev vr root netem delay 10ms &&
		tc -n "$S" qdisc add dev vr root netem delay 10ms &&
		tc -n "$R1" qdisc add dev vc root netem loss 0% &&
		tc -n "$R1" qdisc add dev vp root netem loss 0% || return 1
	# R1's neighbours, and theirs of R1, are static.  netem's 100% loss
	# drops ARP too: an entry that expires during the outage fails, and
	# after the return it resolves only at its next solicitation, up to
	# a retransmission time (1 s) later.  The loss case would then time
	# R2's ARP, not roam (seen: 1.4 s, with the server's probes and ACKs
	# waiting in R2's ARP queue; 0.2 s at most with these).
	neigh_pin "$C" vr 10.$n.1.1 "$R1" vc
	neigh_pin "$R1" vc 10.$n.1.2 "$C" vr
	neigh_pin "$R1" vp 10.$n.2.2 "$R2" vn
	neigh_pin "$R2" vn 10.$n.2.1 "$R1" vp
}

# stamped FILE CMD...: CMD, with the times just before and just after it
# in FILE (bash's clock: no process to start on either side).
stamped() {
	local f=$1 t0
	shift
	t0=$EPOCHREALTIME
	"$@"
	echo "$t0 $EPOCHREALTIME" >"$f"
}

# cut KIND N C R1 R2 on|off [STAMP]: the outage of case N begins or ends.
# Ending, it writes into STAMP the times just before and just after the
# command that makes the path whole again: the return is in between.
# Under TCG, with twelve cases at once, such a command can take seconds,
# most of them before its change (starting the process), and records may
# flow again before it exits.
cut() {
	local kind=$1 n=$2 C=$3 R1=$4 R2=$5 state=$6 stamp=${7:-/dev/null} loss=0%
	case $kind in
	client-carrier)
		stamped "$stamp" ip -n "$R1" link set vc "$([ "$state" = on ] && echo down || echo up)" ;;
	path-carrier)
		# R1's end loses its carrier; R2 flushes its route over the link
		# it set down, and puts it back, as a router's routing would.
		if [ "$state" = on ]; then
			ip -n "$R2" link set vn down
		else
			ip -n "$R2" link set vn up
			stamped "$stamp" ip -n "$R2" route replace 10.$n.1.0/24 via 10.$n.2.1
		fi ;;
	loss)
		[ "$state" = on ] && loss=100%
		tc -n "$R1" qdisc change dev vc root netem loss "$loss"
		stamped "$stamp" tc -n "$R1" qdisc change dev vp root netem loss "$loss" ;;
	esac
}

# run_case KIND SECS N: one outage, start to end, in the background.
run_case() {
	local kind=$1 secs=$2 n=$3 c=$1-$2 C R1 R2 S total
	read -r C R1 R2 S <"$tmp/$c.ns"
	total=$((WARMUP + secs + AFTER))
	# A stream that never ends is a failure, not a hang.
	ip netns exec "$S" timeout $((total + 70)) "$PACE" -l -p 9700 >"$tmp/$c.server" 2>&1 &
	slowwait 10 grep -q listening "$tmp/$c.server"
	ip netns exec "$C" timeout $((total + 60)) "$PACE" -c "${S_ADDR[$c]}" -p 9700 -s "$total" \
		>"$tmp/$c.client" 2>&1 &
	sleep "$WARMUP"
	cut "$kind" "$n" "$C" "$R1" "$R2" on
	sleep "$secs"
	cut "$kind" "$n" "$C" "$R1" "$R2" off "$tmp/$c.back"
	wait
}

# late FILE: until killed, wakes every 10 ms (bash's read -t on a FIFO
# that never speaks: no process to start) and writes "TIME LATE" to FILE
# whenever it woke more than 20 ms late (TIME when it woke, LATE in
# seconds).  Under TCG beside another VM, the guest can stop for part of
# a second: the kernel's timers stop with it, and the test allows the
# time they were late in each case's return.
late() {
	local fd t0 t1 d
	mkfifo "$tmp/never"
	exec {fd}<>"$tmp/never"
	while :; do
		t0=${EPOCHREALTIME/./}
		read -r -t 0.01 -u "$fd"
		t1=${EPOCHREALTIME/./}
		d=$((t1 - t0 - 10000))
		[ "$d" -gt 20000 ] && printf '%d.%06d %d.%06d\n' \
			$((t1 / 1000000)) $((t1 % 1000000)) $((d / 1000000)) $((d % 1000000)) >>"$1"
	done
}

# lateness FILE FROM TO: the seconds the guest lost between FROM and TO,
# from late's FILE (each line's lost time is the LATE seconds before its
# TIME).
lateness() {
	awk -v a="$2" -v b="$3" '{ lo = $1 - $2 > a ? $1 - $2 : a; hi = $1 < b ? $1 : b
		if (hi > lo) s += hi - lo }
		END { printf "%.3f\n", s }' "$1"
}

# recovery FILE BACK: seconds from the return (BACK: "before after" the
# command that made it) to the first record after the gap around it:
# 0 if the gap ended while the command ran, "none" if no gap spans it.
recovery() {
	awk -v t0="${2% *}" -v t1="${2#* }" '$1 == "gap" && $2 < t0 && $3 > t0 {
		printf "%.3f\n", ($3 > t1 ? $3 - t1 : 0); found = 1; exit }
		END { if (!found) print "none" }' "$1"
}

declare -A S_ADDR NS_OF
n=0
for kind in $KINDS; do
	for secs in $DURATIONS; do
		n=$((n + 1))
		S_ADDR[$kind-$secs]=10.$n.3.2
		topo "$kind-$secs" "$n" || { echo "SKIP: no netem"; exit "$ksft_skip"; }
		read -r NS_OF[$kind-$secs] _ <"$tmp/$kind-$secs.ns"
	done
done
: >"$tmp/late"
late "$tmp/late" &
sampler=$!
pids+=("$sampler")
n=0
for kind in $KINDS; do
	for secs in $DURATIONS; do
		n=$((n + 1))
		run_case "$kind" "$secs" "$n" &
		cases+=($!)
		pids+=($!)
	done
done
wait "${cases[@]}"
kill "$sampler"

# The rule: within max(1 RTT, 1 s) of the return; the RTT here is 20 ms.
# The time the guest lost after the return's command is allowed on top
# (late above).
for kind in $KINDS; do
	for secs in $DURATIONS; do
		RET=0
		c=$kind-$secs
		back=$(cat "$tmp/$c.back")
		down=$(recovery "$tmp/$c.client" "$back")
		up=$(recovery "$tmp/$c.server" "$back")
		slack=$(lateness "$tmp/late" "${back#* }" \
			"$(awk -v t="${back#* }" -v u="$up" -v d="$down" \
				'BEGIN { m = u > d ? u : d; printf "%.6f", t + (m ~ /^[0-9.]+$/ ? m : 0) }')")
		echo "    $kind, $secs s: first record after ${up} s to the server," \
		     "${down} s to the client; the command took" \
		     "$(echo "$back" | awk '{ printf "%.3f", $2 - $1 }') s; the guest lost" \
		     "$slack s after it"
		for t in "$up" "$down"; do
			if ! [[ "$t" =~ ^[0-9]+\.[0-9]+$ ]] ||
			   awk -v t="$t" -v s="$slack" 'BEGIN { exit !(t > 1.0 + s) }'; then
				RET=$ksft_fail
			fi
		done
		sent_c=$(awk '$1 == "sent" { print $2 }' "$tmp/$c.client")
		recv_s=$(awk '$1 == "sent" { print $4 }' "$tmp/$c.server")
		sent_s=$(awk '$1 == "sent" { print $2 }' "$tmp/$c.server")
		recv_c=$(awk '$1 == "sent" { print $4 }' "$tmp/$c.client")
		check_eq "$c: records to the server" "$sent_c" "$recv_s"
		check_eq "$c: records to the client" "$sent_s" "$recv_c"
		grep -h roampace "$tmp/$c.client" "$tmp/$c.server" | sed 's/^/    /'
		[ "$RET" = 0 ] || {
			echo "    client: $(tr '\n' ' ' <"$tmp/$c.client")"
			echo "    server: $(tr '\n' ' ' <"$tmp/$c.server")"
			echo "    back at $back; $("$ROAMCTL" -n "${NS_OF[$c]}" conn show 2>&1 | head -n2)"
		}
		log_test "$kind outage of $secs s: back within max(1 RTT, 1 s), every record in order"
	done
done
exit "$EXIT_STATUS"
