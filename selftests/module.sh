#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roam.ko loads, registers its family and netlink family, refuses to
# unload while a socket is open, unloads without leaving anything behind,
# fails to load cleanly when its family number is taken, and loads with
# insmod after the README's modprobe of its dependencies, and runs no
# DO_ONCE, whose static key would flip mid-run.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module

if [ -z "$ROAM_KO" ] || [ ! -f "$ROAM_KO" ]; then
	echo "SKIP: ROAM_KO does not name roam.ko"
	exit "$ksft_skip"
fi

holder=""
cleanup() {
	stop_job "$holder"
	[ -d /sys/module/roam ] || insmod "$ROAM_KO"
}
trap cleanup EXIT

# hold_socket FAMILY: a process with an open AF_ROAM socket, until killed.
hold_socket() {
	python3 -c "
import socket, sys, time
s = socket.socket($1, socket.SOCK_STREAM, 0)
print('ready', flush=True)
time.sleep(600)" >"$tmp/holder" 2>&1 &
	holder=$!
	slowwait 10 grep -q ready "$tmp/holder"
}

tmp=$(mktemp -d)

test_registered() {
	RET=0
	local fam out
	fam=$(roam_family)
	check_eq "family parameter" 25 "$fam"
	out=$(genl ctrl get name roam 2>&1)
	check_match "generic netlink family" "Name: roam" "$out"
	python3 -c "import socket; socket.socket($fam, socket.SOCK_STREAM).close()" ||
		RET=$ksft_fail
	log_test "roam registers AF_ROAM $fam and genl family roam"
}

test_unload_busy() {
	RET=0
	local fam refcnt
	fam=$(roam_family)
	hold_socket "$fam" || { RET=$ksft_fail; log_test "unload with a socket open"; return; }
	refcnt=$(cat /sys/module/roam/refcnt)
	[ "$refcnt" -gt 0 ] || { echo "    refcnt $refcnt with a socket open"; RET=$ksft_fail; }
	if rmmod roam 2>/dev/null; then
		echo "    rmmod succeeded with a socket open"
		RET=$ksft_fail
	fi
	stop_job "$holder"; holder=""
	slowwait 10 sh -c '[ "$(cat /sys/module/roam/refcnt)" = 0 ]' ||
		{ echo "    refcnt stayed $(cat /sys/module/roam/refcnt)"; RET=$ksft_fail; }
	log_test "unload is refused while a socket is open"
}

test_unload_clean() {
	RET=0
	local fam
	fam=$(roam_family)
	rmmod roam || { RET=$ksft_fail; log_test "unload after close"; return; }
	[ -d /sys/module/roam ] && { echo "    /sys/module/roam is still there"; RET=$ksft_fail; }
	genl ctrl get name roam >/dev/null 2>&1 &&
		{ echo "    genl family roam is still registered"; RET=$ksft_fail; }
	grep -q '^ROAM ' /proc/slabinfo 2>/dev/null &&
		{ echo "    the ROAM slab cache is still there"; RET=$ksft_fail; }
	python3 -c "
import errno, socket, sys
try:
    socket.socket($fam, socket.SOCK_STREAM)
except OSError as e:
    sys.exit(0 if e.errno == errno.EAFNOSUPPORT else 1)
sys.exit(1)" || { echo "    AF $fam still answers"; RET=$ksft_fail; }
	insmod "$ROAM_KO" || RET=$ksft_fail
	log_test "unload after close leaves nothing behind"
}

test_family_taken() {
	RET=0
	local out
	rmmod roam || RET=$ksft_fail
	dmesg -C
	out=$(insmod "$ROAM_KO" family=10 2>&1)
	[ $? -ne 0 ] || { echo "    insmod family=10 succeeded"; RET=$ksft_fail; }
	check_match "insmod error" "File exists" "$out"
	check_match "dmesg" "address family 10 is taken" "$(dmesg)"
	[ -d /sys/module/roam ] && { rmmod roam; RET=$ksft_fail; }

	out=$(insmod "$ROAM_KO" family=99 2>&1)
	[ $? -ne 0 ] || { echo "    insmod family=99 succeeded"; RET=$ksft_fail; rmmod roam; }
	check_match "dmesg" "family=99 is not an address family number" "$(dmesg)"
	insmod "$ROAM_KO" || RET=$ksft_fail
	log_test "a taken or invalid family number fails the load clearly"
}

test_family_param() {
	RET=0
	rmmod roam || RET=$ksft_fail
	insmod "$ROAM_KO" family=22 || RET=$ksft_fail
	check_eq "family parameter" 22 "$(roam_family)"
	python3 -c "import socket; socket.socket(22, socket.SOCK_STREAM).close()" ||
		RET=$ksft_fail
	rmmod roam || RET=$ksft_fail
	insmod "$ROAM_KO" || RET=$ksft_fail
	log_test "the family number is a module parameter"
}

# The README's install path: insmod alone fails while roam's dependencies
# are not loaded; after the documented modprobe it works, and the module
# says the version of the tree.
test_documented_load() {
	RET=0
	local deps out m left=""
	deps=$(modinfo -F depends "$ROAM_KO" | tr , ' ')
	rmmod roam || RET=$ksft_fail
	for m in $deps; do
		rmmod "$m" 2>/dev/null || left="$left $m"
	done
	if [ -n "$deps" ] && [ -z "$left" ]; then
		out=$(insmod "$ROAM_KO" 2>&1)
		[ $? -ne 0 ] || { echo "    insmod without its dependencies worked"; rmmod roam; }
		check_match "insmod without them" "Unknown symbol" "$out"
	else
		echo "    dependencies built in or held:${left:- none to unload}"
	fi
	# shellcheck disable=SC2086 # one word a module
	[ -z "$deps" ] || modprobe -a $deps || RET=$ksft_fail
	insmod "$ROAM_KO" || RET=$ksft_fail
	check_eq "version" "$(cat "$ROAM_TOP/VERSION")" "$(cat /sys/module/roam/version)"
	log_test "insmod after the README's modprobe of its dependencies"
}

# roam turns no static key of its own on or off once loaded: DO_ONCE
# (net_get_random_once(), get_random_once()) turns its key off from a
# work item after the first call, patching roam's text while it runs.
test_no_once_key() {
	local syms
	RET=0
	command -v nm >/dev/null || { log_test_skip "roam.ko runs no DO_ONCE: no nm"; return; }
	syms=$(nm -u "$ROAM_KO") || RET=$ksft_fail
	if grep -E '__do_once_(sleepable_)?start' <<<"$syms"; then
		RET=$ksft_fail
	fi
	log_test "roam.ko runs no DO_ONCE, whose static key flips mid-run"
}

roam_wait_idle
test_no_once_key
test_documented_load
test_registered
test_unload_busy
test_unload_clean
test_family_taken
test_family_param
rm -rf "$tmp"
exit "$EXIT_STATUS"
