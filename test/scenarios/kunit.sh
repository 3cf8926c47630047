# The KUnit suite (debug kernel): vrng.ko with 4 KiB buffers (slab-sized,
# so that failslab reaches every allocation of probe), vrng_null as the
# hwrng core's current source (its fill thread must not read the test's
# devices), failslab armed for GFP_KERNEL, then vrng_kunit.ko, whose
# suites run at load. The KTAP results are printed between markers.
check "insmod vrng.ko bufsize=4096 depth=4" insmod /vrng/vrng.ko bufsize=4096 depth=4
check "insmod vrng_null.ko" insmod /vrng/vrng_null.ko
echo vrng_null >$HWRNG/rng_current
check_eq "rng_current" vrng_null "$(rng_current)"
# Injected failures print no stack trace: any "Call trace:" is a real one.
check "failslab armed for sleeping allocations, quietly" \
	sh -c "echo N >/sys/kernel/debug/failslab/ignore-gfp-wait &&
		echo 0 >/sys/kernel/debug/failslab/verbose"
check "insmod vrng_kunit.ko" insmod /vrng/vrng_kunit.ko
for suite in vrng_pool vrng_driver; do
	echo "KTAP-BEGIN $suite"
	cat "/sys/kernel/debug/kunit/$suite/results"
	echo "KTAP-END $suite"
done
check "rmmod vrng_kunit" rmmod vrng_kunit
check "rmmod vrng_null" rmmod vrng_null
check "rmmod vrng" rmmod vrng
