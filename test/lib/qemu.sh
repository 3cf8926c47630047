# shellcheck shell=bash
# Booting arm64 and amd64 guests under QEMU (TCG) and judging their
# console output.
# Sourced by test/lib.sh.

# The report headers of the kernel's bug detectors. Matched case-sensitively
# on whole report headers, so that benign lines (MAX_LOCKDEP_*, "kasan:
# KernelAddressSanitizer initialized") do not count.
VRNG_SPLAT_RE='(WARNING:|BUG:|Oops|Kernel panic|blocked for more than|hung_task|Call trace:|KASAN:|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|unreferenced object|UBSAN:|general protection fault)'

# qemu_machine ARCH: the QEMU command and machine for a guest architecture
# (both TCG: -cpu max), then the console device the kernel is told of.
qemu_machine() {
	case $1 in
	arm64) echo "qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on ttyAMA0" ;;
	amd64) echo "qemu-system-x86_64 -M q35 -cpu max ttyS0" ;;
	*) die "unknown guest architecture $1" ;;
	esac
}

# boot_guest IMAGE INITRD LOG DEVICE-ARGS [APPEND]: run a guest of the
# architecture $KARCH (from the kernel's env; arm64 by default) and wait for
# it to power off (bounded by VRNG_GUEST_TIMEOUT). Console to LOG.
# When DEVICE-ARGS has hot-pluggable devices or a vmgenid (snapshots),
# QEMU gets a QMP socket and test/qmp_host.py serves the guest's
# "VRNG-QMP:" requests (log: LOG.qmp); QEMU's stdin, the guest's console
# input, is then a FIFO the host side may type into. $VRNG_QEMU_ARGS, if
# set, is added to QEMU's arguments (make bench's instruction-count mode).
boot_guest() {
	local image=$1 initrd=$2 logf=$3 devargs=$4 append=${5:-} rc=0 sock="" host=""
	local -a dev qmp=() machine
	local input=/dev/null fd
	read -r -a dev <<<"$devargs"
	read -r -a machine <<<"$(qemu_machine "${KARCH:-arm64}")"
	if [[ $devargs == *pcie-root-port* || $devargs == *vmgenid* ]]; then
		sock=$(mktemp -u "${TMPDIR:-/tmp}/vrng-qmp.XXXXXX")
		qmp=(-qmp "unix:$sock,server=on,wait=off")
		input=$sock.in
		mkfifo "$input"
		exec {fd}<>"$input"	# open both ways: no side blocks on open
		: >"$logf"
		python3 "$VRNG_TOP/test/qmp_host.py" "$logf" "$sock" "$input" >"$logf.qmp" 2>&1 &
		host=$!
	fi
	timeout --foreground -k 10 "$VRNG_GUEST_TIMEOUT" \
		"${machine[@]:0:${#machine[@]}-1}" -smp 2 -m "${VRNG_GUEST_MEM:-1024}" \
		-nodefaults -no-reboot -display none -monitor none -serial stdio \
		-kernel "$image" -initrd "$initrd" \
		-append "console=${machine[-1]} rdinit=/init panic=-1 oops=panic $append" \
		"${qmp[@]}" "${dev[@]}" ${VRNG_QEMU_ARGS:-} <"$input" >>"$logf" 2>&1 || rc=$?
	[[ $rc -eq 124 || $rc -eq 137 ]] && echo "VRNG-HARNESS: guest timed out after ${VRNG_GUEST_TIMEOUT}s" >>"$logf"
	if [[ -n $host ]]; then
		wait "$host" || echo "VRNG-HARNESS: qmp_host failed: $(tail -n1 "$logf.qmp")" >>"$logf"
		exec {fd}>&-
		rm -f "$sock" "$input"
	fi
	return 0
}

# judge LOG: a guest passed only if it printed the positive result marker
# and its console holds no bug report. Prints the reasons of a failure.
judge() {
	local logf=$1 ok=0
	if ! grep -q '^VRNG-RESULT: PASS' "$logf"; then
		echo "no PASS marker"
		ok=1
	fi
	grep -E '^VRNG-CHECK: FAIL' "$logf" || true
	if grep -E "$VRNG_SPLAT_RE" "$logf" | grep -v -e '^VRNG-' -e 'BUG: KCSAN:' >&2; then
		echo "kernel bug report on the console"
		ok=1
	fi
	python3 "$VRNG_TOP/test/kcsan_judge.py" "$logf" || ok=1
	grep -E '^VRNG-HARNESS:' "$logf" || true
	return $ok
}

# transport_args DEVICES [N]: QEMU arguments for the virtio-rng devices
# DEVICES, a "+"-separated list of kinds, repeated N times (default 1):
#   pci, mmio      virtio-rng-pci, virtio-rng-device (virtio-mmio)
#   pci-slow       64 bytes a minute: readers block
#   pci-dead       64 bytes an hour: a device that has stopped answering
#   pci-trickle    1 KiB a second
#   pci-dma        a device that uses the DMA API (iommu_platform=on:
#                  VIRTIO_F_ACCESS_PLATFORM), modern only; the guest
#                  bounces every DMA buffer (transport_append: swiotlb=force)
#   pci-iommu      the same behind a real IOMMU: the SMMUv3 of QEMU's virt
#                  board on arm64, intel-iommu on x86 (before any device)
#   hp-KIND        a PCI KIND on a pcie-root-port of its own (bus rpI,
#                  id rngI for the I-th device), hot-pluggable with QMP;
#                  a spare root port, bus rpspare, is added for device_add
#   none           no device
#   vmgenid        no entropy device: QEMU's VM generation ID (x86), its
#                  GUID $VRNG_VMGENID (a fixed one by default)
transport_args() {
	local kinds i=0 rep kind args="" hp=0 bus rate pre=
	IFS=+ read -r -a kinds <<<"$1"
	for ((rep = 0; rep < ${2:-1}; rep++)); do
		for kind in "${kinds[@]}"; do
			bus=""
			if [[ $kind == hp-* ]]; then
				kind=${kind#hp-}
				hp=1
				args+=" -device pcie-root-port,id=rp$i,chassis=$((i + 1)),slot=$((i + 1))"
				bus=",bus=rp$i"
			fi
			case $kind in
			pci) rate="" ;;
			pci-slow) rate=",max-bytes=64,period=60000" ;;
			pci-dead) rate=",max-bytes=64,period=3600000" ;;
			pci-trickle) rate=",max-bytes=1024,period=1000" ;;
			pci-dma) rate=",iommu_platform=on,disable-legacy=on" ;;
			pci-iommu)
				rate=",iommu_platform=on,disable-legacy=on"
				case ${KARCH:-arm64} in
				arm64) pre=" -machine iommu=smmuv3" ;;
				amd64) pre=" -device intel-iommu" ;;
				esac
				;;
			mmio) args+=" -device virtio-rng-device" ;;
			vmgenid) args+=" -device vmgenid,guid=${VRNG_VMGENID:-6f2ac2b0-32a3-4b5e-9d5c-0c7e7a1d2f01}" ;;
			none) ;;
			*) die "unknown device kind $kind" ;;
			esac
			if [[ $kind == pci* ]]; then
				args+=" -object rng-builtin,id=src$i -device virtio-rng-pci,rng=src$i,id=rng$i$bus$rate"
			fi
			i=$((i + 1))
		done
	done
	[[ $hp -eq 1 ]] && args+=" -device pcie-root-port,id=rpspare,chassis=99,slot=99"
	echo "$pre$args"
}

# transport_append DEVICES: kernel arguments the devices of
# transport_args DEVICES need
transport_append() {
	case $1 in
	*pci-dma*) echo "swiotlb=force" ;;
	*pci-iommu*) [[ ${KARCH:-arm64} == amd64 ]] && echo "intel_iommu=on" || true ;;
	esac
}
