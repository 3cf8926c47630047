# SPDX-License-Identifier: GPL-2.0
# Out-of-tree build of vrng.ko, plus the project's test entry points.
#
#   make [KDIR=...] [ARCH=...] [CROSS_COMPILE=...]   build vrng.ko
#   make demo        boot an arm64 guest with vrng and show what it serves
#   make check       every test (builds, guests); ends "N passed, M failed"
#   make check-fresh the README's commands in a pristine Debian 12 root (CI)
#   make bench       throughput against the stock driver and a null hwrng
#   make lint        checkpatch --strict, sparse and W=1
#   make callflow-doc  Documentation/call-flow.md from gdb in a guest

KDIR ?= /lib/modules/$(shell uname -r)/build

all: modules

modules:
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

clean:
	rm -rf *.o *.ko *.mod *.mod.c .*.cmd modules.order Module.symvers \
		test/modules/*.o test/modules/*.ko test/modules/*.mod \
		test/modules/*.mod.c test/modules/.*.cmd test/modules/modules.order

demo:
	test/demo

check:
	test/check "$(T)"

check-fresh:
	test/check-fresh

bench:
	test/bench

lint:
	test/lint

# Documentation/call-flow.md from gdb backtraces in the debug guest
callflow-doc:
	test/gdb/callflow out/callflow-traces.txt
	python3 test/gdb/callflow.py out/callflow-traces.txt --doc Documentation/call-flow.md

.PHONY: all modules clean demo check check-fresh bench lint callflow-doc
