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
