#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Shared by the roam shell selftests: sources the kernel's net lib.sh
# (extracted at build time, never committed) and adds roam's helpers.

ROAM_LIB_DIR=$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")
# shellcheck source=/dev/null
source "$ROAM_LIB_DIR/lib.sh"

: "${ROAM_TOP:=$(cd "$ROAM_LIB_DIR/../../.." && pwd)}"
ROAMCTL="$ROAM_TOP/tools/roamctl/roamctl"

roam_family() { cat /sys/module/roam/parameters/family; }

# roam_nap SECS: sleep without a process: a read that times out on a pipe
# nobody writes to.  On the debug lane a process costs a fifth of a
# second of CPU, which a poll every tenth of a second takes from roam.
exec {ROAM_NAP_FD}<> <(:)
roam_nap() { read -rt "$1" -u "$ROAM_NAP_FD" _ || :; }

# slowwait SECS CMD...: lib.sh's, without its two processes per try (date
# and sleep): CMD is tried until it succeeds (0, its output printed) or
# SECS have passed (1).  Between tries it rests a tenth of a second, or
# as long as the try took if that was longer: under emulation a try of a
# few processes takes the debug lane seconds of CPU, and tries back to
# back kept a vCPU from the work they waited for.
slowwait() {
	local end=$(( ${EPOCHREALTIME/./} / 1000 + $1 * 1000 )) out t0 us

	shift
	while :; do
		t0=${EPOCHREALTIME/./}
		if out=$("$@"); then
			echo -n "$out"
			return 0
		fi
		if (( ${EPOCHREALTIME/./} / 1000 > end )); then
			echo -n "$out"
			return 1
		fi
		us=$(( ${EPOCHREALTIME/./} - t0 ))
		(( us > 100000 )) || us=100000
		roam_nap "$(( us / 1000000 )).$(printf '%06d' $(( us % 1000000 )))"
	done
}

# roam_scaled N: N, or a tenth of it on the debug lane (see roam_util.h).
roam_scaled() {
	if [ "${ROAM_LANE:-}" = debug ]; then
		echo $(( $1 / 10 > 1 ? $1 / 10 : 1 ))
	else
		echo "$1"
	fi
}

# roam_wait_idle: wait until no socket holds the module.  Connections
# that earlier tests closed may still be finishing, as TCP's do (an
# orphan's last probes, FIN-WAIT-2); each ends on its own in bounded time.
roam_idle() { local n; read -r n </sys/module/roam/refcnt && [ "$n" = 0 ]; }
roam_wait_idle() {
	slowwait 300 roam_idle ||
		echo "    $(cat /sys/module/roam/refcnt) sockets still open after 300 s"
}

# roam_veth_pair C S: a veth pair "veth" between namespaces C (10.0.1.2,
# fd00::2) and S (10.0.1.1, fd00::1), up; C's IPv4 addresses promote
# their secondaries, so a test can replace the first.
roam_veth_pair() {
	ip link add veth netns "$1" type veth peer name veth netns "$2"
	ip netns exec "$1" sysctl -qw net.ipv4.conf.veth.promote_secondaries=1
	ip -n "$1" addr add 10.0.1.2/24 dev veth
	ip -n "$1" addr add fd00::2/64 dev veth nodad
	ip -n "$2" addr add 10.0.1.1/24 dev veth
	ip -n "$2" addr add fd00::1/64 dev veth nodad
	ip -n "$1" link set veth up
	ip -n "$2" link set veth up
}

# roam_stat NS NAME: the counter NAME of NS (roamctl stats show).
roam_stat() { "$ROAMCTL" -n "$1" stats show | awk -v k="$2" '$1 == k { print $2 }'; }

# roam_listening NS PORT: whether a roam socket listens on PORT in NS.
roam_listening() { "$ROAMCTL" -n "$1" listener show | grep -q "^port $2 "; }

# neigh_pin NS DEV ADDR PEER_NS PEER_DEV: in NS, ADDR on DEV resolves to
# PEER_DEV's MAC (in PEER_NS) for good, without ARP or neighbour
# discovery.  For a link whose loss or full queue a test makes: a lost
# solicitation waits a whole retransmission time (1 s) for the next, and
# the test would time that, not roam.
neigh_pin() {
	ip -n "$1" neigh replace "$3" dev "$2" nud permanent \
		lladdr "$(ip -n "$4" link show "$5" | awk '/link\/ether/ { print $2 }')"
}

# Background jobs: roam_bg CMD... starts one and remembers it in pids,
# roam_stop_bg ends and reaps them all.  roam_cleanup, the usual EXIT
# trap, also removes the test's namespaces and its $tmp directory.
pids=()
roam_bg() { "$@" & pids+=($!); }
roam_stop_bg() {
	[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null
	wait 2>/dev/null
	pids=()
}
roam_cleanup() {
	roam_stop_bg
	cleanup_all_ns
	[ -n "${tmp:-}" ] && rm -rf "$tmp"
	return 0
}

# stop_job PID: end a background job of this shell, if PID names one,
# and reap it.
stop_job() {
	[ -n "$1" ] && kill "$1" 2>/dev/null && wait "$1" 2>/dev/null
	return 0
}

roam_require_module() {
	if [ ! -d /sys/module/roam ]; then
		echo "SKIP: roam is not loaded"
		exit "$ksft_skip"
	fi
}

# check_eq WHAT EXPECTED ACTUAL: record a failure with a readable message.
check_eq() {
	if [ "$2" != "$3" ]; then
		echo "    $1: expected '$2', got '$3'"
		RET=$ksft_fail
	fi
}

# check_match WHAT REGEX TEXT
check_match() {
	if ! [[ "$3" =~ $2 ]]; then
		echo "    $1: '$3' does not match '$2'"
		RET=$ksft_fail
	fi
}

# xfer_size BYTES WANT: BYTES is WANT, or at least N for a WANT of "N+"
# (a sender behind roamxfer's -g gate sends more until it opens).
xfer_size() {
	case $2 in
	*+) [ -n "$1" ] && [ "$1" -ge "${2%+}" ] ;;
	*) [ "$1" = "$2" ] ;;
	esac
}

# xfer_match UP DOWN: xfer_c and xfer_s hold the result lines of a
# roamxfer client and its server.  Fails the test, printing them, unless
# the client sent UP bytes (see xfer_size) and received DOWN, the server
# received and sent the same, and the sha256s match.
xfer_match() {
	local cs csha cr crsha ss ssha sr srsha
	read -r _ cs csha _ cr crsha _ <<<"$xfer_c"
	read -r _ ss ssha _ sr srsha _ <<<"$xfer_s"
	if xfer_size "$cs" "$1" && [ "$sr" = "$cs" ] && [ "$csha" = "$srsha" ] &&
	   xfer_size "$ss" "$2" && [ "$cr" = "$ss" ] && [ "$ssha" = "$crsha" ]; then
		return 0
	fi
	echo "    client: $xfer_c"
	echo "    server: $xfer_s"
	RET=$ksft_fail
	return 1
}

# xfer_wait UP DOWN: waits for a roamxfer client in the background ($cli,
# output in $tmp/client and $tmp/client.err) and its server's "sent"
# line in $tmp/server, then checks them with xfer_match.
xfer_wait() {
	wait "$cli"
	cli=""
	slowwait 60 grep -q '^sent' "$tmp/server"
	xfer_c=$(cat "$tmp/client")
	xfer_s=$(grep '^sent' "$tmp/server" | tail -n1)
	xfer_match "$1" "$2" && return
	echo "    client's errors: $(cat "$tmp/client.err")"
	return 1
}
