#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# roamctl: config show and set, JSON, errors with the kernel's extack
# text and iproute2's exit codes, -n NETNS, help, and a clear message
# when the module is not loaded.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module

[ -x "$ROAMCTL" ] || { echo "SKIP: no $ROAMCTL"; exit "$ksft_skip"; }

cleanup() {
	[ -d /sys/module/roam ] || { [ -n "$ROAM_KO" ] && insmod "$ROAM_KO"; }
	cleanup_all_ns
}
trap cleanup EXIT

setup_ns NSA NSB || exit "$ksft_skip"
rc() { "$@" >/dev/null 2>&1; echo $?; }

test_show() {
	RET=0
	local out fam
	fam=$(roam_family)
	out=$("$ROAMCTL" -n "$NSA" config show) || RET=$ksft_fail
	check_match "family line" "family $fam" "$out"
	check_match "port range" "port_range 60001-60999" "$out"
	check_match "backlog" "backlog_max 4096" "$out"
	out=$("$ROAMCTL" -j -n "$NSA" config show) || RET=$ksft_fail
	echo "$out" | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['family'] == $fam, c
assert c['port_min'] == 60001 and c['port_max'] == 60999, c
assert c['hs_timeout_ms'] == 1000 and c['hs_retries'] == 6, c
" || { echo "    bad JSON: $out"; RET=$ksft_fail; }
	"$ROAMCTL" -j -p -n "$NSA" config show | python3 -m json.tool >/dev/null ||
		RET=$ksft_fail
	log_test "roamctl config show, text and JSON"
}

test_set() {
	RET=0
	local out
	"$ROAMCTL" -n "$NSA" config set hs_timeout 2s hs_retries 3 \
		port_range 40000-40010 keepalive 1500ms idle_timeout 1m ||
		RET=$ksft_fail
	out=$("$ROAMCTL" -j -n "$NSA" config show)
	echo "$out" | python3 -c "
import json, sys
c = json.load(sys.stdin)
assert c['hs_timeout_ms'] == 2000 and c['hs_retries'] == 3, c
assert (c['port_min'], c['port_max']) == (40000, 40010), c
assert c['keepalive_ms'] == 1500 and c['idle_timeout_ms'] == 60000, c
" || { echo "    not set: $out"; RET=$ksft_fail; }
	log_test "roamctl config set, read back"
}

test_errors() {
	RET=0
	local out before after
	before=$("$ROAMCTL" -n "$NSA" config show)
	out=$("$ROAMCTL" -n "$NSA" config set hs_timeout 5 2>&1)
	check_eq "exit code, out of range" 2 "$?"
	check_match "extack" "^Error: hs_timeout must be between 10 and 60000" "$out"
	out=$("$ROAMCTL" -n "$NSA" config set port_min 50000 port_max 40000 2>&1)
	check_eq "exit code, inverted range" 2 "$?"
	check_match "extack" "port_min must not be above port_max" "$out"
	out=$("$ROAMCTL" -n "$NSA" config set family 5 2>&1)
	check_eq "exit code, family" 2 "$?"
	check_match "extack" "family is read-only" "$out"
	out=$("$ROAMCTL" -n "$NSA" conn migrate id 1 2>&1)
	check_eq "exit code, no such connection" 2 "$?"
	check_match "extack" "no connection has this ID" "$out"
	check_eq "junk CID" 255 "$(rc "$ROAMCTL" -n "$NSA" conn migrate id 1x)"
	check_eq "junk value" 255 "$(rc "$ROAMCTL" -n "$NSA" config set hs_timeout 10x)"
	check_eq "unknown key" 255 "$(rc "$ROAMCTL" -n "$NSA" config set nosuch 1)"
	check_eq "missing value" 255 "$(rc "$ROAMCTL" -n "$NSA" config set hs_timeout)"
	check_eq "unknown object" 255 "$(rc "$ROAMCTL" nosuch)"
	check_eq "no netns" 1 "$(rc "$ROAMCTL" -n roam-no-such-ns config show)"
	after=$("$ROAMCTL" -n "$NSA" config show)
	check_eq "config after refusals" "$before" "$after"
	log_test "roamctl refusals: extack text, exit codes, nothing changed"
}

test_netns() {
	RET=0
	"$ROAMCTL" -n "$NSA" config set backlog_max 17 || RET=$ksft_fail
	check_match "NSA" "backlog_max 17" "$("$ROAMCTL" -n "$NSA" config show)"
	check_match "NSB" "backlog_max 4096" "$("$ROAMCTL" -n "$NSB" config show)"
	check_match "init netns" "backlog_max 4096" "$("$ROAMCTL" config show)"
	log_test "roamctl -n NETNS: config is per namespace"
}

# -batch FILE: each line a command; the first failure stops it and is
# named, unless -force; the status is the first failure's.
test_batch() {
	RET=0
	local out f
	f=$(mktemp)
	printf '%s\n' "config set backlog_max 23  # a comment" "" "# only a comment" \
		"config set hs_retries 'x y'" "config set backlog_max 24" >"$f"
	out=$("$ROAMCTL" -n "$NSA" -b "$f" 2>&1)
	check_eq "exit code, stopped" 255 "$?"
	check_match "the line that failed" "$f:4: command failed" "$out"
	check_match "stopped there" "backlog_max 23" "$("$ROAMCTL" -n "$NSA" config show)"
	out=$("$ROAMCTL" -n "$NSA" -force -batch "$f" 2>&1)
	check_eq "exit code, forced" 255 "$?"
	check_match "went on" "backlog_max 24" "$("$ROAMCTL" -n "$NSA" config show)"
	out=$(printf 'config show\nstats show\n' | "$ROAMCTL" -n "$NSA" -j -b - | python3 -c "
import json, sys
d = json.JSONDecoder(); s = sys.stdin.read().strip(); n = 0
while s:
    o, i = d.raw_decode(s); s = s[i:].strip(); n += 1
print(n)")
	check_eq "JSON documents from standard input" 2 "$out"
	check_eq "unterminated quote" 255 "$(echo 'config set "x' | rc "$ROAMCTL" -n "$NSA" -b -)"
	check_eq "commands and -batch" 255 "$(rc "$ROAMCTL" -n "$NSA" -b "$f" config show)"
	check_eq "no such file" 1 "$(rc "$ROAMCTL" -b /nonexistent)"
	"$ROAMCTL" -n "$NSA" config set backlog_max 4096 || RET=$ksft_fail
	rm -f "$f"
	log_test "roamctl -batch and -force: one command a line, stops at the first failure"
}

test_help() {
	RET=0
	local w
	for w in "help" "config help" "config set help" "stats help" \
		 "listener help" "conn help" "key help" "monitor help"; do
		# shellcheck disable=SC2086
		check_eq "roamctl $w" 0 "$(rc "$ROAMCTL" $w)"
	done
	check_match "usage" "OBJECT" "$("$ROAMCTL" help 2>&1)"
	log_test "roamctl help at every level"
}

test_no_module() {
	RET=0
	local out
	if [ -z "$ROAM_KO" ]; then
		log_test_skip "roamctl without the module"
		return
	fi
	roam_wait_idle
	rmmod roam || { RET=$ksft_fail; log_test "roamctl without the module"; return; }
	out=$("$ROAMCTL" config show 2>&1)
	check_eq "exit code" 1 "$?"
	check_match "message" "the roam module is not loaded" "$out"
	insmod "$ROAM_KO" || RET=$ksft_fail
	log_test "roamctl says clearly when the module is not loaded"
}

test_show
test_set
test_errors
test_netns
test_batch
test_help
test_no_module
exit "$EXIT_STATUS"
