# The KUnit suite (debug kernel): vrng.ko with 4 KiB buffers (slab-sized,
# so that failslab reaches every allocation of probe and restore), then
# vrng_kunit.ko, whose suites run at load. The suite sets up the rest
# itself (no current hwrng, failslab armed quietly) and restores it,
# whatever else is loaded: real devices may be bound to vrng, one of them
# current. The KTAP results are printed between markers.
check "insmod vrng.ko bufsize=4096 depth=4" insmod /vrng/vrng.ko bufsize=4096 depth=4
rng_before=$(rng_current)
check "insmod vrng_kunit.ko" insmod /vrng/vrng_kunit.ko
for suite in vrng_pool vrng_driver; do
	echo "KTAP-BEGIN $suite"
	cat "/sys/kernel/debug/kunit/$suite/results"
	echo "KTAP-END $suite"
done
check_eq "rng_current restored" "$rng_before" "$(rng_current)"
# With real devices bound (kunit debug pci+mmio), they still serve.
if lists vrng.0 "$(rng_available)"; then
	check "$(rng_current) still serves 64 KiB" read_hwrng /tmp/after 65536
fi
check "rmmod vrng_kunit" rmmod vrng_kunit
check "rmmod vrng" rmmod vrng
