# The foundation scenario: insmod, selection, 1 MiB with dd, rngtest,
# rmmod + insmod, read again. Sourced by the guest init.

vrng_insmod() {
	check "insmod vrng.ko $*" insmod /vrng/vrng.ko "$@"
	check "rng_available lists vrng.0 ($(rng_available))" lists vrng.0 "$(rng_available)"
	check_eq "rng_current" vrng.0 "$(rng_current)"
}

fill_thread() { grep -qx hwrng /proc/[0-9]*/comm; }
not_listed() { ! lists "$1" "$(rng_available)"; }

# refused PARAM=VALUE: insmod fails and says why; nothing stays loaded
refused() {
	! insmod /vrng/vrng.ko "$1" 2>/dev/null &&
		dmesg | grep -q "vrng: $1 refused: expected" &&
		! grep -q '^vrng ' /proc/modules
}

check "stock virtio_rng is not loaded" not_listed virtio_rng.0
for bad in bufsize=100 bufsize=32 bufsize=131072 depth=0 depth=257 depth=x; do
	check "insmod vrng.ko $bad is refused with a message" refused "$bad"
done
vrng_insmod
echo "quality: rng_quality=$(cat $HWRNG/rng_quality 2>/dev/null) default_quality=$(cat /sys/module/rng_core/parameters/default_quality)"
sleep 2
check "the hwrng core's fill thread runs" fill_thread
check "it reads from vrng before any user read ($(vrng_stat bytes) bytes)" [ "$(vrng_stat bytes)" -ge 64 ]
check "dd 1 MiB from /dev/hwrng" read_hwrng /tmp/first 1048576
check_random "first 1 MiB" /tmp/first
check_rngtest "/dev/hwrng" /dev/hwrng 1000 5
check "rmmod vrng" rmmod vrng
check "vrng.0 gone after rmmod" not_listed vrng.0
vrng_insmod
check "dd 1 MiB after reload" read_hwrng /tmp/second 1048576
check_random "1 MiB after reload" /tmp/second
check "rmmod vrng again" rmmod vrng
