#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What another local user, and a user in another namespace, can do
# (docs/PROTOCOL.md section 9).  An unprivileged user can neither shadow
# another user's listener with a more specific bind, nor take its port
# first so that the other's wildcard listener loses an address to it; it
# may shadow its own.  A pre-shared key belongs to a user: another user
# gets EACCES for it, CAP_NET_ADMIN may use any, and a listener whose key
# changes owner stops completing handshakes.  The connection dump gives
# an unprivileged user connection IDs only for its own sockets, and only
# CAP_NET_ADMIN may subscribe to the events group.  Another namespace
# sees nothing of these, and its keys are its own.
#
# The unprivileged user is nobody (65534), through setpriv.

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
NC="$ROAM_LIB_DIR/roamnc"
EACCES=13
EADDRINUSE=98
ENOKEY=126
EKEYREJECTED=129

trap roam_cleanup EXIT

setup_ns N O || exit "$ksft_skip"
tmp=$(mktemp -d)
chmod 755 "$tmp"
# nobody runs its own copy: the VM's build/ share answers only to root.
cp "$NC" "$tmp/roamnc"
NC="$tmp/roamnc"
# nobody NS CMD...: CMD in namespace NS as nobody, with no capabilities.
# A script, not a function, so that timeout can run it.
nobody="$tmp/nobody"
cat >"$nobody" <<EOF
#!/bin/sh
ns=\$1
shift
exec ip netns exec "\$ns" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "\$@"
EOF
chmod 755 "$nobody"
for ns in "$N" "$O"; do
	ip -n "$ns" link set lo up
	ip -n "$ns" addr add 10.9.0.1/32 dev lo
done
head -c 32 /dev/urandom >"$tmp/key"

# rc CMD...: CMD's exit status; one that runs on (a listener that should
# not have been allowed to start) is stopped after 30 s, status 124, and
# what it printed goes to the log.  The time only bounds a failure: a
# loaded 6.12 lane once took more than 5 s to start roamnc as nobody.
rc() {
	local r=0
	timeout 30 "$@" >"$tmp/rc.out" 2>&1 || r=$?
	[ "$r" != 124 ] || echo "    still running after 30 s: $(head -c 300 "$tmp/rc.out")" >&2
	echo "$r"
}
listening() {
	slowwait 10 grep -q listening "$1" && return
	echo "    no listener: $(cat "$1")"
	return 1
}
json() {	# json NS OBJECT PYTHON-EXPR-OF-j, as root
	"$ROAMCTL" -n "$1" -j "$2" show |
		python3 -c "import json, sys; j = json.load(sys.stdin); print($3)"
}

test_shadowing() {
	RET=0
	local out

	# root's wildcard listener: nobody may not shadow it on one address.
	roam_bg ip netns exec "$N" "$NC" -l -p 6100 -n 0 >"$tmp/root.6100"
	listening "$tmp/root.6100" || RET=$ksft_fail
	check_eq "nobody binds 127.0.0.1 over root's wildcard" "$EADDRINUSE" \
		"$(rc "$nobody" "$N" "$NC" -l -b 127.0.0.1 -p 6100)"
	check_eq "nobody binds 10.9.0.1 over root's wildcard" "$EADDRINUSE" \
		"$(rc "$nobody" "$N" "$NC" -l -b 10.9.0.1 -p 6100)"
	out=$(ip netns exec "$N" "$NC" -p 0 127.0.0.1 6100 2>&1)
	check_match "root's listener still answers" "^connected" "$out"

	# nobody took 127.0.0.1:6101 first: root's wildcard would lose it.
	roam_bg "$nobody" "$N" "$NC" -l -b 127.0.0.1 -p 6101 -n 0 >"$tmp/nobody.6101"
	listening "$tmp/nobody.6101" || RET=$ksft_fail
	check_eq "root's wildcard under nobody's specific listener" "$EADDRINUSE" \
		"$(rc ip netns exec "$N" "$NC" -l -p 6101)"

	# nobody may shadow its own wildcard listener.
	roam_bg "$nobody" "$N" "$NC" -l -p 6102 -n 0 >"$tmp/nobody.6102w"
	listening "$tmp/nobody.6102w" || RET=$ksft_fail
	roam_bg "$nobody" "$N" "$NC" -l -b 127.0.0.1 -p 6102 -n 0 >"$tmp/nobody.6102s"
	listening "$tmp/nobody.6102s" || RET=$ksft_fail
	ip netns exec "$N" "$NC" 127.0.0.1 6102 >/dev/null 2>&1
	slowwait 10 grep -q accepted "$tmp/nobody.6102s" ||
		{ echo "    the specific listener did not get the connection"; RET=$ksft_fail; }

	# root, with CAP_NET_BIND_SERVICE, may shadow nobody's.
	roam_bg "$nobody" "$N" "$NC" -l -p 6103 -n 0 >"$tmp/nobody.6103"
	listening "$tmp/nobody.6103" || RET=$ksft_fail
	roam_bg ip netns exec "$N" "$NC" -l -b 127.0.0.1 -p 6103 -n 0 >"$tmp/root.6103"
	listening "$tmp/root.6103" ||
		{ echo "    root could not shadow nobody's listener"; RET=$ksft_fail; }
	roam_stop_bg
	log_test "an unprivileged user shadows only its own listeners"
}

test_key_owner() {
	RET=0
	local out

	"$ROAMCTL" -n "$N" key add 9 secret "$tmp/key"
	"$ROAMCTL" -n "$N" key add 10 secret "$tmp/key" owner 65534
	out=$(json "$N" key "sorted((k['id'], k['owner']) for k in j)")
	check_eq "key owners" "[(9, 0), (10, 65534)]" "$out"
	check_eq "nobody names root's key" "$EACCES" \
		"$(rc "$nobody" "$N" "$NC" -l -p 6110 -k 9)"
	roam_bg "$nobody" "$N" "$NC" -l -p 6111 -k 10 -n 0 >"$tmp/nobody.6111"
	listening "$tmp/nobody.6111" ||
		{ echo "    nobody cannot use its own key"; RET=$ksft_fail; }
	# CAP_NET_ADMIN may use any key.
	out=$(ip netns exec "$N" "$NC" -k 10 127.0.0.1 6111 2>&1)
	check_match "root connects with nobody's key" "^connected" "$out"

	# The key changes hands: nobody's listener may not use root's key.
	"$ROAMCTL" -n "$N" key del 10
	"$ROAMCTL" -n "$N" key add 10 secret "$tmp/key"
	check_eq "nobody's listener with the key root now owns" "$EKEYREJECTED" \
		"$(rc ip netns exec "$N" "$NC" -k 10 127.0.0.1 6111)"
	roam_stop_bg
	"$ROAMCTL" -n "$N" key del 9
	"$ROAMCTL" -n "$N" key del 10
	log_test "a pre-shared key serves its owner, and CAP_NET_ADMIN"
}

test_dump_and_events() {
	RET=0
	local out mon

	roam_bg ip netns exec "$N" "$NC" -l -p 6120 -n 0 -H >"$tmp/root.6120"
	roam_bg "$nobody" "$N" "$NC" -l -p 6121 -n 0 -H >"$tmp/nobody.6121"
	listening "$tmp/root.6120" && listening "$tmp/nobody.6121" || RET=$ksft_fail
	roam_bg ip netns exec "$N" "$NC" -H 127.0.0.1 6120 >/dev/null
	roam_bg "$nobody" "$N" "$NC" -H 127.0.0.1 6121 >/dev/null
	slowwait 10 sh -c "[ \$($ROAMCTL -n $N conn show | grep -cE ':612[01]') = 4 ]" ||
		{ echo "    not 4 connections: $("$ROAMCTL" -n "$N" conn show)"; RET=$ksft_fail; }

	# root sees every connection ID; nobody only those of its own sockets.
	out=$(json "$N" conn "sorted((c['uid'], 'local_id' in c, 'remote_id' in c) for c in j
		if c['local']['port'] in (6120, 6121) or c['remote']['port'] in (6120, 6121))")
	check_eq "root's dump" "[(0, True, True), (0, True, True), (65534, True, True), (65534, True, True)]" "$out"
	out=$("$nobody" "$N" "$ROAMCTL" -j conn show | python3 -c "import json, sys
j = json.load(sys.stdin)
print(sorted((c['uid'], 'local_id' in c, 'remote_id' in c, 'psk' in c) for c in j
	     if c['local']['port'] in (6120, 6121) or c['remote']['port'] in (6120, 6121)))")
	check_eq "nobody's dump" "[(0, False, False, False), (0, False, False, False), (65534, True, True, True), (65534, True, True, True)]" "$out"

	# Only CAP_NET_ADMIN may listen to the events.
	mon=$("$nobody" "$N" timeout 5 "$ROAMCTL" monitor 2>&1)
	check_match "nobody's monitor" "Operation not permitted" "$mon"
	roam_stop_bg
	log_test "dumps and events show other users' connection IDs only to CAP_NET_ADMIN"
}

test_other_netns() {
	RET=0
	local out

	"$ROAMCTL" -n "$N" key add 11 secret "$tmp/key"
	roam_bg ip netns exec "$N" "$NC" -l -p 6130 -n 0 -H >"$tmp/n.6130"
	listening "$tmp/n.6130" || RET=$ksft_fail
	roam_bg ip netns exec "$N" "$NC" -H 127.0.0.1 6130 >/dev/null
	slowwait 10 sh -c "[ \$($ROAMCTL -n $N conn show | grep -c ':6130') = 2 ]" ||
		{ echo "    not 2 connections: $("$ROAMCTL" -n "$N" conn show)"; RET=$ksft_fail; }
	# The other namespace sees none of it, and has the port to itself.
	check_eq "connections seen from O" "0" "$("$ROAMCTL" -n "$O" conn show | wc -l)"
	check_eq "listeners seen from O" "0" "$("$ROAMCTL" -n "$O" listener show | wc -l)"
	check_eq "N's key id in O" "$ENOKEY" "$(rc ip netns exec "$O" "$NC" -l -p 6131 -k 11)"
	roam_bg ip netns exec "$O" "$NC" -l -b 127.0.0.1 -p 6130 -n 0 >"$tmp/o.6130"
	listening "$tmp/o.6130" || RET=$ksft_fail
	out=$(ip netns exec "$N" "$NC" 127.0.0.1 6130 2>&1)
	check_match "N's listener still answers in N" "^connected" "$out"
	check_eq "O's listener got nothing" "0" "$(grep -c accepted "$tmp/o.6130")"
	roam_stop_bg
	"$ROAMCTL" -n "$N" key del 11
	log_test "another namespace sees and takes nothing"
}

test_shadowing
test_key_owner
test_dump_and_events
test_other_netns
exit "$EXIT_STATUS"
