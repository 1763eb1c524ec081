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
roam_wait_idle() {
	slowwait 300 sh -c '[ "$(cat /sys/module/roam/refcnt)" = 0 ]' ||
		echo "    $(cat /sys/module/roam/refcnt) sockets still open after 300 s"
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
