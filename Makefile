# SPDX-License-Identifier: GPL-2.0
#
#   make              roam.ko for the running kernel (or KDIR=...), roamctl,
#                     libroam, roamize and roamcat
#   make demo         boot a VM, load roam, show it working
#   make check        build for every lane and run the whole suite in VMs
#   make matrix       the randomized event matrix, long (RUNS=20, LANE=6.12)
#   make outage       outages of 5, 30, 60 and 120 s (LANE=6.12)
#   make family       IPv4 to IPv6 and back (LANE=6.12)
#   make fuzz         roampeer fuzzing the module (SECS=600, FUZZ_LANE=debug)
#
# Kbuild reads ./Kbuild when it builds the module; this file is only the
# front door.

KDIR ?= /lib/modules/$(shell uname -r)/build
TOP := $(CURDIR)

all: module roamctl libroam roamize roamcat

module:
	@test -d "$(KDIR)" || { echo "no kernel build tree at $(KDIR): install linux-headers-$$(uname -r), or give KDIR=..., or use 'make check' to build for the VM lanes"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(TOP) modules

roamctl:
	$(MAKE) -C tools/roamctl

libroam:
	$(MAKE) -C tools/libroam

roamize:
	$(MAKE) -C tools/roamize

roamcat:
	$(MAKE) -C tools/roamcat

# roam.ko for one VM lane, in build/<kernel release>/, from a tree of
# symlinks so that lanes never share object files.
module-lane:
	@test -n "$(LANE_KVER)" || { echo "LANE_KVER is not set"; exit 2; }
	@set -e; d=build/$(LANE_KVER); mkdir -p $$d; \
	for f in Kbuild VERSION $$(find kmod include -type f \( -name '*.[ch]' -o -name '*.sh' \) ! -name compat-auto.h); do \
		mkdir -p $$d/$$(dirname $$f); ln -sf $(TOP)/$$f $$d/$$f; \
	done
	$(MAKE) -C "$$(bash -c '. tools/vm/lib.sh && lane_kdir $(LANE_KVER)')" \
		M=$(TOP)/build/$(LANE_KVER) W=1 modules

selftests:
	$(MAKE) -C selftests

check:
	@tools/check

demo:
	@tools/demo

RUNS ?= 20
LANE ?= 6.12
matrix:
	@tools/long matrix --kernel $(LANE) $(RUNS)

outage:
	@tools/long outage --kernel $(LANE)

family:
	@tools/long family --kernel $(LANE)

SECS ?= 600
FUZZ_LANE ?= debug
fuzz:
	@tools/long fuzz --kernel $(FUZZ_LANE) $(SECS)

checkpatch:
	@tools/checkpatch

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf build kmod/compat-auto.h
	$(MAKE) -C tools/roamctl clean
	$(MAKE) -C tools/libroam clean
	$(MAKE) -C tools/roamize clean
	$(MAKE) -C tools/roamcat clean
	$(MAKE) -C selftests clean

.PHONY: all module roamctl libroam roamize roamcat module-lane selftests check demo matrix outage family fuzz checkpatch clean
