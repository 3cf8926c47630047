# Hot-unplug (QMP device_del) of a device that has stopped answering while
# a reader is blocked on it and vrng_null is present: the reader ends
# within 10 s and the hwrng core moves to vrng_null.
# needs: vrng_null
check "insmod vrng.ko" insmod /vrng/vrng.ko
check "insmod vrng_null.ko" insmod /vrng/vrng_null.ko
echo vrng.0 >$HWRNG/rng_current
check_eq "rng_current" vrng.0 "$(rng_current)"
dev=$(vrng_device)
start_readers 1 4096 1
sleep 3
check "a reader is blocked on the dead device" all_running $READERS
qmp device_del id=rng0
check "$dev removed within 10 s" gone_within 10 /sys/bus/virtio/devices/$dev
check "the blocked reader ended within 10 s" ended_within 10 $READERS
check_eq "rng_current" vrng_null "$(rng_current)"
check "rmmod vrng" rmmod vrng
