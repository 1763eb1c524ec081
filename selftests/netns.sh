#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roam's state is per network namespace: deleting a namespace while roam
# sockets are open in it frees everything once they close.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module

holder=""
cleanup() {
	stop_job "$holder"
	cleanup_all_ns
}
trap cleanup EXIT

test_delete_with_sockets() {
	RET=0
	local fam out ref0
	fam=$(roam_family)
	ref0=$(cat /sys/module/roam/refcnt)
	setup_ns NSA || { log_test_skip "netns deletion with sockets open"; return; }
	out=$(mktemp)
	ip netns exec "$NSA" python3 -c "
import socket, time
socks = [socket.socket($fam, socket.SOCK_STREAM) for _ in range(8)]
print('ready', flush=True)
time.sleep(600)" >"$out" 2>&1 &
	holder=$!
	slowwait 10 grep -q ready "$out" || RET=$ksft_fail
	[ "$(cat /sys/module/roam/refcnt)" -gt "$ref0" ] ||
		{ echo "    the sockets hold no module reference"; RET=$ksft_fail; }
	ip netns del "$NSA"
	NS_LIST=()
	# The namespace lives on while its sockets are open; then it goes.
	stop_job "$holder"; holder=""
	slowwait 10 sh -c "[ \$(cat /sys/module/roam/refcnt) = $ref0 ]" ||
		{ echo "    module refcnt $(cat /sys/module/roam/refcnt), expected $ref0"; RET=$ksft_fail; }
	rm -f "$out"
	log_test "netns deletion with sockets open frees them"
}

# One python3 enters each namespace in turn (setns through ctypes: the
# module has none before 3.12): on the debug lane a python3 start costs a
# second of CPU, and this test once started twenty.
test_many_namespaces() {
	RET=0
	local i fam
	fam=$(roam_family)
	for i in $(seq 1 20); do
		ip netns add "roam-many-$i" || RET=$ksft_fail
	done
	python3 -c "
import ctypes, os, socket
libc = ctypes.CDLL(None, use_errno=True)
for i in range(1, 21):
    fd = os.open('/run/netns/roam-many-%d' % i, os.O_RDONLY)
    if libc.setns(fd, 0x40000000):	# CLONE_NEWNET
        raise OSError(ctypes.get_errno(), 'setns roam-many-%d' % i)
    os.close(fd)
    socket.socket($fam, socket.SOCK_STREAM).close()" || RET=$ksft_fail
	for i in $(seq 1 20); do
		ip netns del "roam-many-$i" || RET=$ksft_fail
	done
	log_test "20 namespaces come and go"
}

test_delete_with_sockets
test_many_namespaces
exit "$EXIT_STATUS"
