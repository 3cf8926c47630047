# Hand-over from the distro's stock virtio_rng, with the README's own
# commands (both ways it shows). On a distro kernel udev autoloads the
# stock driver; here it is loaded by hand to the same effect.

cp -a /vrng/lib/modules/. /lib/modules/
# The guest runs as root: sudo just runs the command.
printf '#!/bin/sh\nexec "$@"\n' >/usr/bin/sudo
chmod +x /usr/bin/sudo
stock=$(find /lib/modules -name virtio-rng.ko)

stock_owns_device() {
	check "stock virtio-rng.ko loads" insmod "$stock"
	check_eq "rng_current before hand-over" virtio_rng.0 "$(rng_current)"
	echo "stock driver: rng_quality=$(cat $HWRNG/rng_quality 2>/dev/null); fill thread: $(grep -lx hwrng /proc/[0-9]*/comm || echo none)"
}

# run_readme BLOCK: run the README block from /vrng (where vrng.ko is),
# then check that vrng serves /dev/hwrng.
run_readme() {
	echo "--- README block $1:"
	sed 's/^/    | /' "/vrng/readme-$1.sh"
	(cd /vrng && sh "/vrng/readme-$1.sh") >/tmp/readme.out 2>&1
	sed 's/^/    > /' /tmp/readme.out
	check_eq "rng_current after README $1" vrng.0 "$(rng_current)"
	check "README $1: the stock driver no longer holds the device" \
		[ -z "$(ls /sys/bus/virtio/drivers/virtio_rng 2>/dev/null | grep virtio)" ]
	ok=$(sed -n 's/.*FIPS 140-2 successes: \([0-9]*\).*/\1/p' /tmp/readme.out)
	bad=$(sed -n 's/.*FIPS 140-2 failures: \([0-9]*\).*/\1/p' /tmp/readme.out)
	check "README $1: rngtest ran 1000 blocks with at most 5 failures (${ok:-?}/${bad:-?})" \
		[ "$((${ok:-0} + ${bad:-0}))" -eq 1000 -a "${bad:-6}" -le 5 ]
}

stock_owns_device
run_readme handover
check "rmmod vrng" rmmod vrng
check "rmmod virtio_rng (if still loaded)" sh -c '! grep -q "^virtio_rng " /proc/modules || rmmod virtio_rng'
stock_owns_device
run_readme handover-sysfs
