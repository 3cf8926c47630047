# vrng-switch on live devices, both ways, then a failure: the stock
# driver owns every device (loaded by name, as the package's blacklist
# allows); --to vrng moves them all; --to virtio_rng moves them back;
# with vrng.ko gone, --to vrng fails with a message and moves nothing.
# needs: kmod stock pkg

. /vrng/pkg.sh

# switch_to DRIVER EXPECTED_STATUS: run vrng-switch --to DRIVER, show its
# output, check its exit status
switch_to() {
	rc=0
	vrng-switch --to "$1" >/tmp/switch.out 2>&1 || rc=$?
	sed 's/^/    > /' /tmp/switch.out
	check_eq "vrng-switch --to $1 exit status" "$2" "$rc"
}

pkg_setup
pkg_conf
check "modprobe virtio_rng (by name, despite the blacklist)" modprobe virtio_rng
check "virtio_rng owns every device ($(drivers))" all_on virtio_rng

switch_to vrng 0
check "every device on vrng ($(drivers))" all_on vrng
check "one line per device moved" [ "$(grep -c ': virtio_rng -> vrng' /tmp/switch.out)" -eq 2 ]
check "rng_current is vrng.N ($(rng_current))" sh -c 'cat /sys/class/misc/hw_random/rng_current | grep -q "^vrng\."'
check "dd 64 KiB from /dev/hwrng" read_hwrng /tmp/after 65536

switch_to virtio_rng 0
check "every device back on virtio_rng ($(drivers))" all_on virtio_rng
check "rng_current is virtio_rng.N ($(rng_current))" sh -c 'cat /sys/class/misc/hw_random/rng_current | grep -q "^virtio_rng\."'
check "dd 64 KiB from /dev/hwrng" read_hwrng /tmp/back 65536

echo "--- vrng.ko removed: --to vrng must fail"
check "rmmod vrng" rmmod vrng
rm "/lib/modules/$KVER/updates/vrng.ko"
check "depmod -a" depmod -a
switch_to vrng 1
check "it says why (cannot load vrng)" grep -q 'driver vrng is not loaded and cannot be' /tmp/switch.out
check "the devices stay on virtio_rng ($(drivers))" all_on virtio_rng
