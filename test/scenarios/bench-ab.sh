# make bench AB=REV: vrng against itself at REV in one guest. The tree's
# vrng.ko ("a") binds one virtio-rng-pci device, REV's, built as the module
# vrngb ("b"), the other; rounds alternate a b, then b a, with the null
# hwrng (the /dev/hwrng path's own ceiling) after each pair. bench.conf
# sets ROUNDS and BYTES.
# needs: vrng_null hwrng_bench vrngb
. /vrng/bench.conf
D=/sys/bus/virtio/drivers

# shellcheck disable=SC2046
set -- $(ls /sys/bus/virtio/devices)
dev_b=$2
check "two virtio-rng devices ($1, $dev_b)" [ -n "$dev_b" ]
check "insmod vrng.ko (a)" insmod /vrng/vrng.ko
check "unbind $dev_b from vrng" sh -c "echo $dev_b >$D/vrng/unbind"
check "insmod vrngb.ko (b)" insmod /vrng/vrngb.ko
check "vrngb has $dev_b" test -e "$D/vrngb/$dev_b"
check "insmod vrng_null.ko" insmod /vrng/vrng_null.ko
echo "BENCH-AB a=$(cat /sys/module/vrng/version) b=$(cat /sys/module/vrngb/version 2>/dev/null)"
bench_warm_up vrng.0 vrngb.0 vrng_null

a=a:vrng.0:$BYTES
b=b:vrngb.0:$BYTES
null=null:vrng_null:$BYTES
bench_rounds "$ROUNDS" "$a $b $null" "$b $a $null"
check "rmmod vrngb" rmmod vrngb
check "rmmod vrng" rmmod vrng
check "rmmod vrng_null" rmmod vrng_null
