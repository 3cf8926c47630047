#!/bin/sh
# One boot of a real Debian system under test (make check's "system"
# tests; host side: test/lib/images.sh). Run by vrng-system.service from
# the test disk once the system is up; the phase comes from the kernel
# command line (vrngtest=PHASE). Each step the issue names is one
# "VRNG-STEP: PASS|FAIL NAME" line, made of the checks since the last one;
# then the usual result line, and the system powers off.
#
#   install  (image's kernel) step 1: the README's block, DKMS builds vrng
#   boot     (image's kernel) step 2 after a reboot; step 3, vrng-switch;
#            then the second kernel's install (step 4), or apt remove
#   enforce  (image's kernel, module.sig_enforce=1) the module's key is not
#            trusted: virtio_rng takes the device
#   second   (the second kernel) step 2 there; apt remove
#   removed  (image's kernel) step 5: nothing of vrng is left
set -u
exec >/dev/console 2>&1
T=/media/vrng
# shellcheck source=test/guest/lib.sh
. $T/lib.sh
. $T/system.conf
PHASE=$(sed -n 's/.*vrngtest=\([a-z]*\).*/\1/p' /proc/cmdline)
KVER=$(uname -r)
export DEBIAN_FRONTEND=noninteractive
STEP_FAILS=0

# step NAME: the checks since the last step, as one verdict
step() {
	if [ "$VRNG_FAILS" -eq "$STEP_FAILS" ]; then
		echo "VRNG-STEP: PASS $1"
	else
		echo "VRNG-STEP: FAIL $1"
	fi
	STEP_FAILS=$VRNG_FAILS
}

uptime_s() { cut -d. -f1 /proc/uptime; }

# shown CMD...: CMD's output, indented, then its status and time
shown() {
	t0=$(uptime_s)
	echo "# $* (at ${t0}s)"
	"$@" >/tmp/shown.out 2>&1
	rc=$?
	sed 's/^/    /' /tmp/shown.out
	echo "# exit $rc after $(($(uptime_s) - t0))s"
	return $rc
}

up() {
	check "udev settled" udevadm settle --timeout=180
	echo "system: $(systemctl is-system-running), kernel $KVER, $(sed -n 's/^PRETTY_NAME=//p' /etc/os-release)"
}

# reads_512: /dev/hwrng serves 512 bytes (from whichever driver has it)
reads_512() { [ "$(timeout 120 head -c 512 /dev/hwrng | wc -c)" -eq 512 ]; }

bytes_counter() { cat /sys/bus/virtio/drivers/vrng/virtio*/vrng/bytes 2>/dev/null || echo 0; }

# dkms_has KVER: dkms status says vrng is installed for KVER
dkms_has() { dkms status vrng | grep -q ", $1, .*: installed"; }

# module_compiler: the compiler that built the vrng module modinfo finds
module_compiler() {
	f=$(modinfo -n vrng) || return 1
	case $f in
	*.xz) xz -dc "$f" >/tmp/vrng.ko ;;
	*.zst) zstd -qdc "$f" >/tmp/vrng.ko ;;
	*) cp "$f" /tmp/vrng.ko ;;
	esac
	readelf -p .comment /tmp/vrng.ko | sed -n 's/.*\(GCC: .*\)/\1/p' | head -n1
}

# built_here: DKMS built vrng for the running kernel with its compiler
built_here() {
	check "dkms status: vrng installed for $KVER" dkms_has "$KVER"
	f=$(modinfo -n vrng 2>/dev/null)
	check "modinfo finds vrng in updates/dkms ($f)" \
		sh -c "echo '$f' | grep -q '^/lib/modules/$KVER/updates/dkms/vrng.ko'"
	check_eq "modinfo's version is the package's" \
		"$(dpkg-query -W -f='${Version}' vrng-dkms)" "$(modinfo -F version vrng)"
	cc=$(module_compiler)
	kcc=$(sed -n 's/.*gcc[^ ]* (\([^)]*\)) \([0-9.]*\).*/GCC: (\1) \2/p' /proc/version)
	# the same gcc release (a Debian revision may differ after an update)
	check "built by the kernel's compiler: module '$cc', kernel '$kcc'" \
		[ -n "$cc" -a "${cc##* }" = "${kcc##* }" ]
	signer=$(modinfo -F signer vrng)
	check "the module is signed (signer: ${signer:-none})" [ -n "$signer" ]
}

# served: vrng owns the device, udev's coldplug loaded it and not the
# stock driver, /dev/hwrng serves what sysfs counts, rngd runs on it, and
# the kernel log has no warning or error from vrng
served() {
	check "vrng is loaded" grep -q '^vrng ' /proc/modules
	check "virtio_rng is not loaded" sh -c '! grep -q "^virtio_rng " /proc/modules'
	check_eq "rng_current" vrng.0 "$(rng_current)"
	b0=$(bytes_counter)
	check "dd reads 64 KiB from /dev/hwrng" sh -c \
		'[ "$(timeout 120 dd if=/dev/hwrng bs=4096 count=16 iflag=fullblock status=none | wc -c)" -eq 65536 ]'
	b1=$(bytes_counter)
	check "the sysfs bytes counter counted them ($b0 -> $b1)" [ $((b1 - b0)) -ge 65536 ]
	check "rngd.service is active" systemctl is-active --quiet rngd
	pid=$(systemctl show -P MainPID rngd)
	check "rngd (pid $pid) has /dev/hwrng open" \
		sh -c "ls -l /proc/$pid/fd 2>/dev/null | grep -q /dev/hwrng"
	echo "rngd: vrng served $b0 bytes before the test read (the kernel's fill thread and rngd)"
	journalctl -b -u rngd --no-pager -o cat | tail -n 5 | sed 's/^/    rngd: /'
	# rngd reads a block when it starts, then only when the kernel asks
	# for entropy (which, 5.18 on, it no longer does once seeded)
	b2=$(bytes_counter)
	systemctl restart rngd
	sleep 3
	b3=$(bytes_counter)
	# on x86 rngd reads RDRAND before /dev/hwrng: then the admin guide's
	# drop-in (Documentation/admin.md) makes vrng its source
	if [ $((b3 - b2)) -lt 2000 ] && grep -qw rdrand /proc/cpuinfo; then
		echo "rngd: $((b3 - b2)) bytes from vrng: its block came from RDRAND (the CPU has it)"
		b2=$(bytes_counter)
		check "admin.md's rngd-no-drng block" shown sh -e $T/admin-rngd-no-drng.sh
		sleep 3
		b3=$(bytes_counter)
	fi
	# at least most of rngd's 2500-byte block, not the fill thread's 32
	check "rngd restarted with vrng bound reads from it ($((b3 - b2)) bytes in 3 s)" \
		[ $((b3 - b2)) -ge 2000 ]
	sleep 3
	echo "rngd: $(($(bytes_counter) - b3)) bytes in the next 3 s; entropy_avail $(cat /proc/sys/kernel/random/entropy_avail)"
	journalctl -k -b -p warning --no-pager -o cat | grep -i vrng |
		grep -v -e 'loading out-of-tree module taints kernel' \
			-e 'module verification failed: signature and/or required key missing' >/tmp/warn
	check "journalctl -k -b: no warning or error from vrng" sh -c '! sed "s/^/    /" /tmp/warn | grep .'
	journalctl -k -b --no-pager -o cat | grep -i vrng | sed 's/^/    kernel: /'
	check "the README's statistics block lists the counters" \
		sh -c "sh $T/readme-stats.sh | grep -q '/vrng/bytes:[0-9]'"
}

switched() {
	check "vrng-switch --to virtio_rng" shown vrng-switch --to virtio_rng
	check_eq "rng_current after the switch" virtio_rng.0 "$(rng_current)"
	check "reads through virtio_rng" reads_512
	check "vrng-switch (back)" shown vrng-switch
	check_eq "rng_current after switching back" vrng.0 "$(rng_current)"
	check "reads through vrng" reads_512
}

# second_kernel: install the other flavour with its headers; DKMS builds
# vrng for it in the install; its kernel and initramfs go to the test disk
second_kernel() {
	check "apt install linux-image-$FLAVOUR linux-headers-$FLAVOUR" \
		shown apt-get install -q "linux-image-$FLAVOUR" "linux-headers-$FLAVOUR"
	k2=$(ls /boot/vmlinuz-* | sed 's|/boot/vmlinuz-||' | grep -vx "$KVER" | head -n1)
	check "dkms status: vrng installed for the second kernel ${k2:-(none)}" dkms_has "${k2:-none}"
	check "its kernel to the test disk" \
		cp "/boot/vmlinuz-$k2" $T/out/vmlinuz
	check "its initramfs to the test disk" cp "/boot/initrd.img-$k2" $T/out/initrd.img
}

install_block() {
	(cd $T/pkg && shown sh -e $T/readme-install.sh)
}

removed() {
	check "apt remove vrng-dkms" shown apt-get remove -q vrng-dkms
}

# unenrolled: booted with module.sig_enforce=1, the kernel refuses the
# module DKMS signed with a key it does not trust (Secure Boot, no MOK
# enrolled); the package's modprobe.d file gives the device to virtio_rng
unenrolled() {
	check "vrng is not loaded" sh -c '! grep -q "^vrng " /proc/modules'
	check "the kernel refuses it: modprobe vrng --ignore-install" \
		sh -c 'modprobe --ignore-install vrng 2>&1 | tee /dev/stderr | grep -q "Key was rejected by service"'
	check "virtio_rng has the device instead" sh -c 'ls /sys/bus/virtio/drivers/virtio_rng | grep -q virtio'
	check_eq "rng_current" virtio_rng.0 "$(rng_current)"
	check "reads through virtio_rng" reads_512
}

gone() {
	check "virtio_rng has the device" sh -c 'ls /sys/bus/virtio/drivers/virtio_rng | grep -q virtio'
	check_eq "rng_current" virtio_rng.0 "$(rng_current)"
	check "vrng is not loaded" sh -c '! grep -q "^vrng " /proc/modules'
	check "dkms status is empty" sh -c '[ -z "$(dkms status)" ]'
	check "no vrng.conf in /lib/modprobe.d or /etc/modprobe.d" \
		[ ! -e /lib/modprobe.d/vrng.conf -a ! -e /etc/modprobe.d/vrng.conf ]
	check "nothing of vrng in /lib/modules/*/updates" \
		sh -c '! find /lib/modules/*/updates -name "vrng*" 2>/dev/null | grep .'
	check "no vrng-switch, no udev rule" \
		[ ! -e /usr/sbin/vrng-switch -a ! -e /lib/udev/rules.d/60-vrng.rules ]
}

echo "VRNG-PHASE: $PHASE (at $(uptime_s)s)"
up
case $PHASE in
install)
	echo "--- README block debian-install, as written:"
	sed 's/^/    | /' $T/readme-install.sh
	check "the README's install block runs" install_block
	built_here
	check_eq "rng_current after the block" vrng.0 "$(rng_current)"
	step install
	;;
boot)
	served
	step reboot
	switched
	step switch
	if [ "$FLAVOUR" = none ]; then
		removed
	else
		second_kernel
		step second-kernel-install
	fi
	;;
second)
	built_here
	served
	step second-kernel-boot
	removed
	;;
enforce)
	unenrolled
	step unenrolled-key
	;;
removed)
	gone
	step remove
	;;
*) vrng_fail "unknown phase '$PHASE'" ;;
esac
vrng_finish
systemctl poweroff --no-block
