# shellcheck shell=bash
# Booting arm64 guests under QEMU (TCG) and judging their console output.
# Sourced by test/lib.sh.

# The report headers of the kernel's bug detectors. Matched case-sensitively
# on whole report headers, so that benign lines (MAX_LOCKDEP_*, "kasan:
# KernelAddressSanitizer initialized") do not count.
VRNG_SPLAT_RE='(WARNING:|BUG:|Oops|Kernel panic|blocked for more than|hung_task|Call trace:|KASAN:|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|unreferenced object|UBSAN:|general protection fault)'

# boot_guest IMAGE INITRD LOG DEVICE-ARGS [APPEND]: run an arm64 guest and
# wait for it to power off (bounded by VRNG_GUEST_TIMEOUT). Console to LOG.
boot_guest() {
	local image=$1 initrd=$2 logf=$3 devargs=$4 append=${5:-} rc=0
	local -a dev
	read -r -a dev <<<"$devargs"
	timeout --foreground -k 10 "$VRNG_GUEST_TIMEOUT" \
		qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m "${VRNG_GUEST_MEM:-1024}" \
		-nodefaults -no-reboot -display none -monitor none -serial stdio \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 oops=panic $append" \
		"${dev[@]}" </dev/null >"$logf" 2>&1 || rc=$?
	[[ $rc -eq 124 || $rc -eq 137 ]] && echo "VRNG-HARNESS: guest timed out after ${VRNG_GUEST_TIMEOUT}s" >>"$logf"
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
	if grep -E "$VRNG_SPLAT_RE" "$logf" | grep -v '^VRNG-' >&2; then
		echo "kernel bug report on the console"
		ok=1
	fi
	grep -E '^VRNG-HARNESS:' "$logf" || true
	return $ok
}

# transport_args pci|mmio|pci-slow|none [N]: QEMU arguments for N
# virtio-rng devices.
transport_args() {
	local i n=${2:-1} args=""
	for ((i = 0; i < n; i++)); do
		case $1 in
		pci) args+=" -device virtio-rng-pci" ;;
		mmio) args+=" -device virtio-rng-device" ;;
		# 64 bytes a minute: readers block
		pci-slow) args+=" -object rng-builtin,id=rng$i -device virtio-rng-pci,rng=rng$i,max-bytes=64,period=60000" ;;
		none) ;;
		*) die "unknown transport $1" ;;
		esac
	done
	echo "$args"
}

