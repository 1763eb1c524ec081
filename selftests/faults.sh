#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Allocation failures, on the debug lane: failslab and fail_page_alloc
# fail one in so many of the allocations made from roam.ko's code (a
# stack filter keeps the rest of the kernel out of it) while transfers,
# handshakes and netlink requests run.  Every transfer either completes
# byte-exact or ends with an error, none stalls, every handshake and
# request returns, and the runner's log check stays clean: no KASAN,
# lockdep or kmemleak report.  Once the faults stop, roam works as before
# and every socket closes.  Kernels without fault injection skip it.
#
#   client C (10.0.1.2) --- server S (10.0.1.1)

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
X="$ROAM_LIB_DIR/roamxfer"
NC="$ROAM_LIB_DIR/roamnc"
DBG=/sys/kernel/debug
SIZE=$(roam_scaled 2097152)

if [ ! -d "$DBG/failslab" ] || [ ! -d "$DBG/fail_page_alloc" ] ||
   [ ! -f "$DBG/failslab/require-start" ]; then
	echo "SKIP: this kernel has no fault injection with a stack filter"
	exit "$ksft_skip"
fi

cleanup() {
	faults_off
	roam_cleanup
}
trap cleanup EXIT

setup_ns C S || exit "$ksft_skip"
tmp=$(mktemp -d)
ip link add veth netns "$C" type veth peer name veth netns "$S"
ip -n "$C" addr add 10.0.1.2/24 dev veth
ip -n "$S" addr add 10.0.1.1/24 dev veth
ip -n "$C" link set veth up
ip -n "$S" link set veth up
tc -n "$C" qdisc add dev veth root netem delay 2ms
tc -n "$S" qdisc add dev veth root netem delay 2ms
for ns in "$C" "$S"; do
	"$ROAMCTL" -n "$ns" config set idle_timeout 20000 hs_timeout 200 hs_retries 6
done

# roam.ko's text, where a failing allocation's caller must be.
read -r text_lo text_hi < <(awk '$4 == "[roam]" && ($2 == "t" || $2 == "T") { print $1 }' \
	/proc/kallsyms | sort | sed -n '1p;$p' | tr '\n' ' ')
text_start=0x$text_lo
text_end=$(printf '0x%x' $((0x$text_hi + 65536)))

# faults_on SLAB_INTERVAL PAGE_INTERVAL: one in so many allocations from
# roam's code fail, atomic or not.
faults_on() {
	local d
	for d in failslab fail_page_alloc; do
		echo 0 >"$DBG/$d/verbose"
		echo -1 >"$DBG/$d/times"
		echo 0 >"$DBG/$d/space"
		echo N >"$DBG/$d/task-filter"
		echo N >"$DBG/$d/ignore-gfp-wait"
		echo 32 >"$DBG/$d/stacktrace-depth"
		echo "$text_start" >"$DBG/$d/require-start"
		echo "$text_end" >"$DBG/$d/require-end"
		echo 100 >"$DBG/$d/probability"
	done
	echo N >"$DBG/fail_page_alloc/ignore-gfp-highmem"
	echo 0 >"$DBG/fail_page_alloc/min-order"
	echo "$1" >"$DBG/failslab/interval"
	echo "$2" >"$DBG/fail_page_alloc/interval"
}
faults_off() {
	echo 0 >"$DBG/failslab/probability" 2>/dev/null
	echo 0 >"$DBG/fail_page_alloc/probability" 2>/dev/null
}

# transfers N: N byte-exact transfers at once; each completes, or ends
# with an error within its time, and none is killed for stalling.
transfers() {
	local i rc stalled=0 ok=0 failed=0
	: >"$tmp/server"	# the waits below read no earlier run's lines
	ip netns exec "$S" "$X" -l -p 7000 -n "$1" >"$tmp/server" 2>&1 &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/server"
	for i in $(seq "$1"); do
		(
			ip netns exec "$C" timeout 150 "$X" -c 10.0.1.1 -p 7000 \
				-u "$SIZE" -d "$SIZE" >"$tmp/client.$i" 2>"$tmp/client.$i.err"
			echo $? >"$tmp/rc.$i"
		) &
	done
	wait_clients "$1"
	for i in $(seq "$1"); do
		rc=$(cat "$tmp/rc.$i")
		if [ "$rc" = 124 ]; then
			stalled=$((stalled + 1))
		elif [ "$rc" = 0 ] && grep -q '^sent' "$tmp/client.$i"; then
			ok=$((ok + 1))
		else
			failed=$((failed + 1))
			echo "    transfer $i: $(tail -n1 "$tmp/client.$i.err")"
		fi
	done
	echo "    $1 transfers: $ok completed, $failed failed with an error, $stalled stalled"
	check_eq "transfers that stalled" 0 "$stalled"
}

# wait_clients N: every client's exit status is in $tmp/rc.1 to N.
wait_clients() {
	local i
	for i in $(seq "$1"); do
		slowwait 200 test -f "$tmp/rc.$i"
	done
}

test_transfers() {
	RET=0
	faults_on 200 50
	transfers 4
	faults_off
	stop_job "${pids[0]}"
	pids=()
	log_test "transfers under allocation failures complete or fail, never stall"
}

test_handshakes_and_requests() {
	RET=0
	local i rc hung=0
	ip netns exec "$S" "$NC" -l -p 7100 -n 0 >"$tmp/accepts" &
	pids+=($!)
	slowwait 10 grep -q listening "$tmp/accepts"
	faults_on 20 20
	for i in $(seq "$(roam_scaled 100)"); do
		ip netns exec "$C" timeout 60 "$NC" -w 30 10.0.1.1 7100 >/dev/null 2>&1
		rc=$?
		[ "$rc" = 124 ] && hung=$((hung + 1))
		ip netns exec "$S" timeout 20 "$ROAMCTL" -j conn show >/dev/null 2>&1
		[ "$?" = 124 ] && hung=$((hung + 1))
		ip netns exec "$S" timeout 20 "$ROAMCTL" config set keepalive $((1000 + i)) \
			>/dev/null 2>&1
		[ "$?" = 124 ] && hung=$((hung + 1))
	done
	faults_off
	check_eq "connects and requests that hung" 0 "$hung"
	echo "    $(grep -c accepted "$tmp/accepts") connections accepted"
	stop_job "${pids[0]}"
	pids=()
	log_test "handshakes and netlink requests under allocation failures return"
}

test_after() {
	RET=0
	rm -f "$tmp"/rc.*
	SIZE=$(roam_scaled 1048576) transfers 1
	roam_wait_idle
	log_test "once the faults stop, roam works and every socket closes"
}

test_transfers
test_handshakes_and_requests
test_after
exit "$EXIT_STATUS"
