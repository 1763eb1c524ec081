#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Fuzzing the module from live connections.  roampeer (tools/roampeer),
# which holds the keys, connects to a module's server again and again,
# over IPv4 and IPv6, in default and PSK mode.  On each connection it
# sends packets without a valid tag ("garble": random and mutated long
# and short headers, truncations, INITIAL and COOKIE_ECHO with bad
# fields), then random and mutated frames with valid tags ("fuzz": every
# frame type, field edges, ACK ranges for packets never sent, stream
# offsets past the window and near 2^62, a shrinking MAX_DATA, PATH_*
# frames, CLOSE with any code, frames after it, unknown types), until
# the module ends the connection or the inputs run out.  Connection i
# draws its inputs from seed S + i; the run prints S first.  Then
# roamfuzz runs random sequences of system calls from four threads, on
# sockets of their own and shared ones, with forged INITIALs arriving at
# its ports as they open and close, and random netlink requests
# while sockets come and go, as
# root, as nobody and in nobody's own user and network namespace.  Then
# roam must still work: every handshake succeeded, an honest transfer is
# byte-exact both ways, and every socket closes.  The VM runner checks
# the kernel log (KASAN, lockdep and kmemleak on the debug lane).
#
#   ROAM_FUZZ_SEED=S     the first connection's seed (default: random)
#   ROAM_FUZZ_CONNS=N    N connections, rounded up to a multiple of 8:
#                        with the seed, a replay
#   ROAM_FUZZ_SECS=SECS  otherwise, connections until SECS have passed
#                        (default 10, 20 on the debug lane; `make fuzz`
#                        runs longer); and the system calls for SECS,
#                        netlink for SECS/2
#   ROAM_FUZZ_CALL_SECS=SECS  the system calls for SECS, netlink for
#                        SECS/2, whatever ROAM_FUZZ_SECS says

source "$(dirname "$(readlink -f "$0")")/roam_lib.sh"
roam_require_module
PEER="$ROAM_LIB_DIR/roampeer"
NC="$ROAM_LIB_DIR/roamnc"
X="$ROAM_LIB_DIR/roamxfer"
FZ="$ROAM_LIB_DIR/roamfuzz"

SEED=${ROAM_FUZZ_SEED:-$((RANDOM * 32768 + RANDOM))}
CONNS=${ROAM_FUZZ_CONNS:-0}
SECS=${ROAM_FUZZ_SECS:-$([ "${ROAM_LANE:-}" = debug ] && echo 20 || echo 10)}
CALL_SECS=${ROAM_FUZZ_CALL_SECS:-$SECS}

trap roam_cleanup EXIT
setup_ns C S F || exit "$ksft_skip"
tmp=$(mktemp -d)
ip link add veth netns "$C" type veth peer name veth netns "$S"
ip -n "$C" addr add 10.0.1.2/24 dev veth
ip -n "$C" addr add fd00::2/64 dev veth nodad
ip -n "$S" addr add 10.0.1.1/24 dev veth
ip -n "$S" addr add fd00::1/64 dev veth nodad
ip -n "$C" link set veth up
ip -n "$S" link set veth up
head -c 32 /dev/urandom >"$tmp/psk"
"$ROAMCTL" -n "$S" key add 1 secret "$tmp/psk"
"$ROAMCTL" -n "$C" key add 1 secret "$tmp/psk"

# Servers that accept every connection and hold it, unread, until it is
# over: one for each mode.  Twelve descriptors are enough for what is live
# at once; a server that kept every connection would run out in a long
# run.
roam_bg ip netns exec "$S" prlimit --nofile=12 "$NC" -l -p 7600 -n 0 -H >"$tmp/held"
roam_bg ip netns exec "$S" prlimit --nofile=12 "$NC" -l -p 7601 -n 0 -H -k 1 >"$tmp/held.psk"
slowwait 10 grep -q listening "$tmp/held"
slowwait 10 grep -q listening "$tmp/held.psk"

# roampeer runs ROUNDS connections (--repeat) a process, which costs
# seconds to start on the debug lane, from one shell in C's namespace,
# which costs more than a second to enter.  Run j's connections use
# seeds SEED + j * ROUNDS and up; it connects over IPv4 or IPv6, in
# default or PSK mode, by j.  One line for each run: "run J rc RC", then
# roampeer's lines.
ROUNDS=8
cat >"$tmp/loop.sh" <<'EOF'
peer=$1 seed0=$2 conns=$3 secs=$4 psk=$5 rounds=$6
j=0 end=$((SECONDS + secs))
while if [ "$conns" -gt 0 ]; then [ $((j * rounds)) -lt "$conns" ]; else [ "$SECONDS" -lt "$end" ]; fi; do
	seed=$((seed0 + j * rounds))
	addr=10.0.1.1
	[ $((j % 2)) = 0 ] || addr=fd00::1
	if [ $((j / 2 % 2)) = 0 ]; then
		opts=(7600)
	else
		opts=(7601 -k "$psk" --psk-id 1)
	fi
	timeout 300 "$peer" client "$addr" "${opts[@]}" --idle 3000 --repeat "$rounds" \
		-e "garble $seed 256; fuzz $seed 256; abort" 2>&1
	echo "run $j rc $?"
	j=$((j + 1))
done
EOF

test_fuzz() {
	local t0=$SECONDS n fz gb ended runs crashed
	RET=0
	echo "    seed $SEED"
	echo "roam fuzz $SEED" >/dev/kmsg
	ip netns exec "$C" bash "$tmp/loop.sh" "$PEER" "$SEED" "$CONNS" "$SECS" "$tmp/psk" \
		"$ROUNDS" >"$tmp/conns"
	t0=$((SECONDS - t0))
	# 1: a command found the connection ended, as the module may end it.
	read -r runs crashed < <(awk '$1 == "run" { n++; bad += $4 > 1 }
		END { print n + 0, bad + 0 }' "$tmp/conns")
	read -r n fz gb ended < <(awk '$1 == "fuzz" { n++; fz += $3; ended += /connection ended/ }
		$1 == "garble" { gb += $3 } END { print n + 0, fz + 0, gb + 0, ended + 0 }' "$tmp/conns")
	echo "    $((fz + gb)) inputs ($fz with valid tags, $gb without) on $n connections" \
	     "in $t0 s, $(((fz + gb) / (t0 > 0 ? t0 : 1)))/s; the module ended $ended of them"
	check_eq "connections" 1 "$([ "$n" -gt 0 ] && echo 1)"
	check_eq "connections that never got to fuzz (no handshake, or garble ended them)" 0 \
		"$((runs * ROUNDS - n))"
	check_eq "roampeer runs that crashed or timed out" 0 "$crashed"
	if [ "$RET" != 0 ]; then
		grep -E "^run .* rc ([2-9]|[0-9]{2,})|handshake failed" "$tmp/conns" | head | sed 's/^/    /'
		echo "    replay: ROAM_FUZZ_SEED=$SEED ROAM_FUZZ_CONNS=$((runs * ROUNDS)) fuzz.sh"
	fi
	log_test "fuzzed frames and packets: every handshake works"
}

# Sequences of system calls from four threads, on sockets of their own
# and shared ones, in a namespace of their own, while forged INITIALs
# from loopback arrive at two of roamfuzz's ports (7700, 7701) as they
# open and close: each one is answered at once, through the port.
test_syscalls() {
	local out p
	RET=0
	for p in 7700 7701; do
		roam_bg ip netns exec "$F" timeout $((CALL_SECS + 10)) "$ROAM_LIB_DIR/roamflood" \
			-t 127.0.0.1 -p $p -n 1000000000 -k initial -f 127.0.0.1:9999 >/dev/null
	done
	out=$(ip netns exec "$F" timeout $((CALL_SECS + 120)) "$FZ" syscalls "$SEED" "$CALL_SECS" 4 2>&1)
	check_eq "roamfuzz's exit" 0 "$?"
	echo "    $out"
	log_test "random sequences of system calls from four threads, INITIALs arriving"
}

# Netlink requests while sockets come and go: as root, as nobody (no
# CAP_NET_ADMIN), and as nobody's root in a user and network namespace
# of its own.
test_netlink() {
	local out secs=$((CALL_SECS / 2 > 0 ? CALL_SECS / 2 : 1))
	RET=0
	out=$(ip netns exec "$F" timeout $((secs + 120)) "$FZ" netlink "$SEED" "$secs" 2>&1)
	check_eq "roamfuzz's exit as root" 0 "$?"
	echo "    root: $out"
	out=$(ip netns exec "$F" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all timeout $((secs + 120)) "$FZ" netlink $((SEED + 1)) "$secs" 2>&1)
	check_eq "roamfuzz's exit as nobody" 0 "$?"
	echo "    nobody: $out"
	if timeout 60 setpriv --reuid=65534 --regid=65534 --clear-groups unshare -Urn true 2>/dev/null; then
		out=$(timeout $((secs + 180)) setpriv --reuid=65534 --regid=65534 \
			--clear-groups --inh-caps=-all unshare -Urn sh -c "ip link set lo up &&
				timeout $((secs + 120)) $FZ netlink $((SEED + 2)) $secs" 2>&1)
		check_eq "roamfuzz's exit in nobody's namespaces" 0 "$?"
		echo "    nobody's namespaces: $out"
	else
		echo "    nobody may not make a user namespace here: that case is left out"
	fi
	log_test "random netlink requests while sockets churn: root, nobody, a user namespace"
}

# After the fuzzing: an honest transfer both ways, in each mode.
test_after() {
	local size k srv
	size=$(roam_scaled 4194304)
	RET=0
	for k in "" 1; do
		: >"$tmp/server"
		: >"$tmp/client.err"
		ip netns exec "$S" "$X" -l -p 7602 -n 1 ${k:+-k $k} >"$tmp/server" 2>&1 &
		srv=$!
		slowwait 10 grep -q listening "$tmp/server"
		ip netns exec "$C" timeout 120 "$X" -c 10.0.1.1 -p 7602 ${k:+-k $k} \
			-u "$size" -d "$size" >"$tmp/client" 2>"$tmp/client.err" &
		cli=$!
		xfer_wait "$size" "$size"
		wait "$srv"
	done
	log_test "after the fuzzing, an honest transfer is exact both ways"
	RET=0
	roam_stop_bg
	roam_wait_idle
	check_eq "sockets left" 0 "$(cat /sys/module/roam/refcnt)"
	log_test "after the fuzzing, every socket closes"
}

test_fuzz
test_syscalls
test_netlink
test_after
exit "$EXIT_STATUS"
