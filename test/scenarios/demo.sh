# make demo: what a user sees with vrng loaded.
echo "== insmod vrng.ko"
check "insmod vrng.ko" insmod /vrng/vrng.ko
echo "== rng_available: $(rng_available)"
echo "== rng_current:   $(rng_current)"
check_eq "rng_current" vrng.0 "$(rng_current)"
echo "== 256 bytes from /dev/hwrng:"
head -c 256 /dev/hwrng | hexdump -C
echo "== 8 MiB with dd:"
time dd if=/dev/hwrng of=/dev/null bs=4096 count=2048 2>&1 | grep -v records
echo "== rngtest -c 1000 < /dev/hwrng:"
check_rngtest "/dev/hwrng" /dev/hwrng 1000 5
