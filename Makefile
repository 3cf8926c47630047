# SPDX-License-Identifier: GPL-2.0
# Out-of-tree build of vrng.ko, plus the project's test entry points.
#
#   make [KDIR=...] [ARCH=...] [CROSS_COMPILE=...]   build vrng.ko
#   make install     vrng.ko into /lib/modules/KVER/updates, depmod, the
#                    modprobe.d file, the udev rule and vrng-switch
#                    (INSTALL_MOD_PATH=root)
#   make uninstall   take all of that away again
#   make deb         the Debian package vrng-dkms into DEB_OUT (out/deb)
#   make demo        boot an arm64 guest with vrng and show what it serves
#   make check       every test (builds, guests); ends "N passed, M failed"
#   make check-fresh the README's commands in a pristine Debian 12 root (CI);
#                    COLD=1: without the cached debug kernels and images
#   make bench       throughput against the stock driver and a null hwrng
#   make bench AB=REV  this tree's vrng against REV's, alternating rounds
#   make lint        checkpatch --strict, sparse and W=1
#   make intree KSRC=DIR [O=DIR]  vrng placed in a kernel tree (Kconfig
#                    HW_RANDOM_VRNG, its KUnit suite), built there W=1 C=1
#   make kunit [ARCH=arm64|x86_64|um]  the KUnit suite through the
#                    kernel's kunit.py (.kunitconfig), in QEMU or UML
#   make callflow-doc  Documentation/call-flow.md from gdb in a guest

KDIR ?= /lib/modules/$(shell uname -r)/build
# the release of the kernel KDIR is for (not necessarily the running one)
KVER = $(shell sed -n 's/^\#define UTS_RELEASE "\(.*\)"/\1/p' $(KDIR)/include/generated/utsrelease.h)
DEPMOD ?= depmod
DEB_OUT ?= $(CURDIR)/out/deb
MODDIR = $(INSTALL_MOD_PATH)/lib/modules/$(KVER)

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

# For those who do not use DKMS: modules_install into updates/ (ahead of
# the kernel's own modules), then the same extras the package installs.
install: modules
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_DIR=updates modules_install
	$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)
	install -D -m 644 modprobe.d/vrng.conf $(INSTALL_MOD_PATH)/etc/modprobe.d/vrng.conf
	install -D -m 644 udev/60-vrng.rules $(INSTALL_MOD_PATH)/etc/udev/rules.d/60-vrng.rules
	install -D -m 755 scripts/vrng-switch $(INSTALL_MOD_PATH)/usr/sbin/vrng-switch

uninstall:
	rm -f $(MODDIR)/updates/vrng.ko $(MODDIR)/updates/vrng.ko.*
	$(DEPMOD) -a $(if $(INSTALL_MOD_PATH),-b $(INSTALL_MOD_PATH)) $(KVER)
	rm -f $(INSTALL_MOD_PATH)/etc/modprobe.d/vrng.conf $(INSTALL_MOD_PATH)/usr/sbin/vrng-switch \
		$(INSTALL_MOD_PATH)/etc/udev/rules.d/60-vrng.rules

deb:
	scripts/mkdeb $(DEB_OUT)

clean:
	rm -rf *.o *.ko *.mod *.mod.c .*.cmd .module-common.o modules.order Module.symvers \
		test/modules/*.o test/modules/*.ko test/modules/*.mod \
		test/modules/*.mod.c test/modules/.*.cmd test/modules/modules.order

demo:
	test/demo

check:
	test/check "$(T)"

check-fresh:
	VRNG_FRESH_COLD=$(COLD) test/check-fresh

bench:
	BENCH_AB="$(AB)" test/bench

lint:
	test/lint

intree:
	scripts/intree "$(KSRC)"

kunit:
	test/kunit-py $(ARCH)

# Documentation/call-flow.md from gdb backtraces in the debug guest
callflow-doc:
	test/gdb/callflow out/callflow-traces.txt
	python3 test/gdb/callflow.py out/callflow-traces.txt --doc Documentation/call-flow.md

.PHONY: all modules install uninstall deb clean demo check check-fresh bench lint intree kunit \
	callflow-doc
