# Several readers blocked on a rate-limited device (QEMU max-bytes=64 per
# minute), then unbind: every reader returns, remove does not hang; the
# device binds again under the same name; rmmod under blocked readers
# returns too. Both times are printed (vrng is the only hwrng: on 5.10 the
# core's fill thread, stopped by the last unregistration, may be in a
# 10 s sleep).

check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
dev=$(vrng_device)
start_readers 4 4096 1
sleep 3
check "4 readers blocked on the rate-limited device" all_running $READERS
within "unbind $dev" 30 sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/unbind"
check "every reader returned within 20 s of unbind" ended_within 20 $READERS
check "vrng.0 unregistered" sh -c "! grep -qw vrng.0 $HWRNG/rng_available"
check "bind $dev again" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/bind"
check_eq "rng_current after rebind" vrng.0 "$(rng_current)"
start_readers 2 4096 1
sleep 3
check "2 readers blocked again" all_running $READERS
within "rmmod vrng with the readers blocked" 30 rmmod vrng
check "every reader returned within 20 s of rmmod" ended_within 20 $READERS
