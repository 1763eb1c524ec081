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
#   make install      the module (modules_install, depmod) and the tools,
#                     library, headers, man pages, bash completion and
#                     the modules-load.d and modprobe.d examples, under
#                     DESTDIR and PREFIX (/usr/local); install-tools
#                     leaves the module out.  make uninstall undoes it.
#   make dkms-src     the module's source alone in /usr/src/roam-VERSION
#
# Kbuild reads ./Kbuild when it builds the module; this file is only the
# front door.

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build
TOP := $(CURDIR)
PREFIX ?= /usr/local
DOCDIR := $(PREFIX)/share/doc/roam
TOOLS := tools/roamctl tools/libroam tools/roamize tools/roamcat

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

install: module install-tools install-module

# The module's source alone, for DKMS: $(DKMS_SRC), by default
# /usr/src/roam-VERSION (then: dkms install roam/VERSION).
DKMS_SRC ?= $(DESTDIR)/usr/src/roam-$(shell cat VERSION)
dkms-src:
	rm -rf $(DKMS_SRC)
	mkdir -p $(DKMS_SRC)
	cp --parents Kbuild VERSION dkms.conf $$(find kmod include -type f \
		\( -name '*.[ch]' -o -name '*.sh' \) ! -name compat-auto.h) $(DKMS_SRC)/

# MODDIR: where roam.ko was built (make check: a lane's build/KVER).
MODDIR ?= $(TOP)
install-module:
	$(MAKE) -C $(KDIR) M=$(MODDIR) INSTALL_MOD_PATH=$(DESTDIR) INSTALL_MOD_DIR=extra \
		modules_install
	test -n "$(DESTDIR)" || depmod -a $(KVER)

install-tools:
	for d in $(TOOLS); do $(MAKE) -C $$d install PREFIX=$(PREFIX) || exit 1; done
	install -D -m 0644 docs/roam.7 $(DESTDIR)$(PREFIX)/share/man/man7/roam.7
	install -D -m 0644 tools/roamctl/roamctl.bash \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/roamctl
	install -D -m 0644 packaging/modules-load.d-roam.conf \
		$(DESTDIR)$(DOCDIR)/examples/modules-load.d/roam.conf
	install -D -m 0644 packaging/modprobe.d-roam.conf \
		$(DESTDIR)$(DOCDIR)/examples/modprobe.d/roam.conf

uninstall:
	for d in $(TOOLS); do $(MAKE) -C $$d uninstall PREFIX=$(PREFIX) || exit 1; done
	rm -f $(DESTDIR)$(PREFIX)/share/man/man7/roam.7 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/roamctl
	rm -rf $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)/lib/modules/$(KVER)/extra/roam.ko*
	test -n "$(DESTDIR)" || depmod -a $(KVER)

clean:
	-test -d "$(KDIR)" && $(MAKE) -C $(KDIR) M=$(TOP) clean
	rm -rf build kmod/compat-auto.h
	$(MAKE) -C tools/roamctl clean
	$(MAKE) -C tools/libroam clean
	$(MAKE) -C tools/roamize clean
	$(MAKE) -C tools/roamcat clean
	$(MAKE) -C examples clean
	$(MAKE) -C selftests clean

.PHONY: all module roamctl libroam roamize roamcat install install-tools install-module uninstall dkms-src module-lane selftests check demo matrix outage family fuzz checkpatch clean
