# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the VM lanes. Sourced, never run.
#
# A "lane" is a kernel the suite runs on: 6.1 and 6.12 are Debian's
# generic kernels, debug is built here from Debian's 6.12 source with
# KASAN, lockdep and kmemleak (tools/vm/build-debug).  Everything a lane
# needs lives in $ROAM_CACHE, outside the repository.

ROAM_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ROAM_CACHE=${ROAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/roam}
ROAM_LANES="6.1 6.12 debug"

die() { echo "${0##*/}: $*" >&2; exit 1; }
note() { echo "${0##*/}: $*" >&2; }

# Packages the host needs, by what needs them.
ROAM_HOST_PKGS="make gcc libc6-dev pkg-config libmnl-dev \
	qemu-system-x86 busybox-static cpio kmod xz-utils \
	linux-source-6.12 perl python3 python3-cryptography \
	iproute2 nftables conntrack tcpdump ethtool wireguard-tools iperf3 dropbear-bin dkms \
	bc flex bison libelf-dev libssl-dev dwarves"
# and what only tools/bench needs: mosh, to compare handovers with.
ROAM_BENCH_PKGS="mosh python3-pyte"

apt_updated=
apt_update_once() {
	[ -n "$apt_updated" ] && return 0
	note "apt-get update"
	apt-get update -qq >&2 || die "apt-get update failed"
	apt_updated=1
}

# host_deps [PKG...]: install what is missing of PKGs, by default
# $ROAM_HOST_PKGS; never recommends (wireguard-tools would pull in a whole
# kernel otherwise).
host_deps() {
	local missing="" p
	for p in ${*:-$ROAM_HOST_PKGS}; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null |
			grep -q "ok installed" || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	[ "$(id -u)" = 0 ] || die "missing packages:$missing (run as root)"
	apt_update_once
	note "installing:$missing"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		--no-install-recommends $missing >&2 ||
		die "apt-get install failed"
}

# The Debian meta package whose dependency names a lane's current ABI.
lane_meta() {
	case "$1" in
	6.1) echo linux-headers-amd64 ;;
	6.12) echo linux-headers-6.12-amd64 ;;
	*) return 1 ;;
	esac
}

# First "Depends:" of a package that matches a pattern.
apt_dep() {
	apt-cache depends "$1" 2>/dev/null |
		sed -n "s/^ *|\{0,1\}Depends: \($2\)\$/\1/p" | head -n1
}

# Kernel release of a lane, e.g. 6.1.0-56-amd64, resolved from the
# archive so that Debian's moving ABI numbers are never hard-coded.
lane_kver() {
	local lane=$1 meta hdr
	if [ "$lane" = debug ]; then
		debug_kver
		return
	fi
	meta=$(lane_meta "$lane") || die "unknown lane '$lane' (one of: $ROAM_LANES)"
	hdr=$(apt_dep "$meta" 'linux-headers-.*')
	if [ -z "$hdr" ]; then
		apt_update_once
		hdr=$(apt_dep "$meta" 'linux-headers-.*')
	fi
	if [ -z "$hdr" ]; then
		# Offline: the newest lane already in the cache.
		hdr=$(ls -d "$ROAM_CACHE"/lanes/"$lane".* 2>/dev/null |
			sed 's|.*/||' | sort -V | tail -n1)
		[ -n "$hdr" ] || die "cannot resolve the $lane kernel"
		echo "$hdr"
		return
	fi
	echo "${hdr#linux-headers-}"
}

lane_dir() { echo "$ROAM_CACHE/lanes/$1"; }

# The tree roam.ko is built against.
lane_kdir() {
	local kver=$1
	case "$kver" in
	*debug*) echo "$(debug_dir)/build" ;;
	*) echo "$(lane_dir "$kver")/root/usr/src/linux-headers-$kver" ;;
	esac
}

lane_image() {
	case "$1" in
	*debug*) echo "$(debug_dir)/build/arch/x86/boot/bzImage" ;;
	*) echo "$(lane_dir "$1")/root/boot/vmlinuz-$1" ;;
	esac
}

lane_modroot() {
	case "$1" in
	*debug*) echo "$(debug_dir)/modroot" ;;
	*) echo "$(lane_dir "$1")/root" ;;
	esac
}

# Fetch a Debian lane: image, modules and headers, unpacked with
# dpkg -x into the cache.  Nothing is installed into /boot.
fetch_lane() {
	local kver=$1 dir tmp pkgs p common kbuild
	dir=$(lane_dir "$kver")
	[ -f "$dir/.ready" ] && return 0
	note "fetching kernel $kver"
	common=$(apt_dep "linux-headers-$kver" 'linux-headers-.*-common')
	kbuild=$(apt_dep "linux-headers-$kver" 'linux-kbuild-.*')
	[ -n "$common" ] && [ -n "$kbuild" ] ||
		die "cannot resolve the header packages of $kver"
	pkgs="linux-image-$kver-unsigned linux-headers-$kver $common $kbuild"
	rm -rf "$dir"
	mkdir -p "$dir/deb" "$dir/root"
	(cd "$dir/deb" && apt-get download -q -o APT::Sandbox::User=root \
		$pkgs >&2) || die "apt-get download $pkgs failed"
	for p in "$dir"/deb/*.deb; do
		dpkg -x "$p" "$dir/root" || die "dpkg -x $p failed"
	done
	rm -rf "$dir/deb"
	# The headers' Makefile includes the common tree by absolute path.
	sed -i "s|include /usr/src/|include $dir/root/usr/src/|" \
		"$dir/root/usr/src/linux-headers-$kver/Makefile"
	depmod -b "$dir/root" "$kver" || die "depmod $kver failed"
	touch "$dir/.ready"
}

# Debug lane: built from linux-source-6.12 plus tools/vm/debug.config.
# The cache key is the source version and a hash of the fragment.
debug_srcver() {
	dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null
}

debug_key() {
	local h
	h=$(sha256sum "$ROAM_TOP/tools/vm/debug.config" | cut -c1-12)
	echo "$(debug_srcver)-$h"
}

debug_dir() { echo "$ROAM_CACHE/debug/$(debug_key)"; }

debug_kver() {
	local d
	d=$(debug_dir)
	[ -f "$d/build/include/config/kernel.release" ] ||
		die "debug kernel not built (run tools/vm/build-debug)"
	cat "$d/build/include/config/kernel.release"
}

# Files of Debian's linux-source-6.12 that the tests and checks use: the
# kselftest headers, runner and net lib.sh, and checkpatch.pl.  They are
# GPL kernel files: extracted at build time, never copied into the tree.
kfiles_dir() { echo "$ROAM_CACHE/kernel-files/$(debug_srcver)"; }
ksft_dir() { echo "$(kfiles_dir)/tools/testing/selftests"; }
checkpatch_pl() { echo "$(kfiles_dir)/scripts/checkpatch.pl"; }

fetch_ksft() {
	local d tarball top k=tools/testing/selftests
	d=$(kfiles_dir)
	[ -f "$d/.ready" ] && return 0
	tarball=$(ls /usr/src/linux-source-6.12.tar.* 2>/dev/null | head -n1)
	[ -n "$tarball" ] || die "linux-source-6.12 is not installed"
	note "extracting kselftest files and checkpatch from $tarball"
	rm -rf "$d"
	mkdir -p "$d"
	top=$(tar tf "$tarball" | head -n1 | cut -d/ -f1)
	tar xf "$tarball" -C "$d" --strip-components=1 \
		"$top/$k/kselftest.h" "$top/$k/kselftest_harness.h" \
		"$top/$k/run_kselftest.sh" "$top/$k/kselftest/runner.sh" \
		"$top/$k/kselftest/prefix.pl" "$top/$k/kselftest/ktap_helpers.sh" \
		"$top/$k/net/lib.sh" "$top/$k/net/net_helper.sh" \
		"$top/scripts/checkpatch.pl" "$top/scripts/spelling.txt" \
		"$top/scripts/const_structs.checkpatch" ||
		die "extracting kernel files failed"
	touch "$d/.ready"
}
