#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The examples (examples/): the C client and server with libroam, and
# the Python one with the standard library alone, against each other
# over IPv4 and IPv6: 1 MiB echoed byte-exact, and the connection
# counted by the server's netns as roam's.
#
#   client C (10.0.1.2, fd00::2) --- server S (10.0.1.1, fd00::1)

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
EX="$ROAM_LIB_DIR"	# example-client, example-server, roam_echo.py

srv=""
cleanup() {
	stop_job "$srv"
	cleanup_all_ns
	rm -rf "$tmp"
}
trap cleanup EXIT

setup_ns C S || exit "$ksft_skip"
tmp=$(mktemp -d)
roam_veth_pair "$C" "$S"
head -c 1048576 /dev/urandom >"$tmp/data"
want=$(sha256sum <"$tmp/data")


# pair NAME SERVER-CMD CLIENT-CMD...: the server on port 7600 in S, the
# client in C against it.
pair() {
	local name=$1 server=$2 s0
	shift 2
	RET=0
	s0=$(roam_stat "$S" established)
	ip netns exec "$S" $server 7600 >"$tmp/server" 2>&1 &
	srv=$!
	slowwait 60 grep -q listening "$tmp/server"
	ip netns exec "$C" "$@" 7600 <"$tmp/data" >"$tmp/out" 2>"$tmp/err" || RET=$ksft_fail
	check_eq "the echo" "$want" "$(sha256sum <"$tmp/out")"
	check_eq "connections over roam" $((s0 + 1)) "$(roam_stat "$S" established)"
	slowwait 60 grep -q echoed "$tmp/server"
	stop_job "$srv"
	srv=""
	[ "$RET" = 0 ] || cat "$tmp/err" "$tmp/server"
	log_test "examples: $name"
}

pair "C client, C server, IPv4" "$EX/example-server" "$EX/example-client" 10.0.1.1
pair "C client, C server, IPv6" "$EX/example-server" "$EX/example-client" fd00::1
pair "Python client, C server, IPv6" "$EX/example-server" python3 "$EX/roam_echo.py" client fd00::1
pair "C client, Python server, IPv4" "python3 $EX/roam_echo.py server" "$EX/example-client" 10.0.1.1
exit "$EXIT_STATUS"
