# Several readers blocked on a rate-limited device (QEMU max-bytes=64 per
# minute), then unbind: every reader returns, remove does not hang; the
# device binds again under the same name.

check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
dev=$(ls /sys/bus/virtio/drivers/vrng | grep '^virtio')
pids=""
for i in 1 2 3 4; do
	dd if=/dev/hwrng of=/tmp/r$i bs=4096 count=1 2>/dev/null &
	pids="$pids $!"
done
sleep 3
alive() { for p in $pids; do [ -d /proc/$p ] || return 1; done; }
check "4 readers blocked on the rate-limited device" alive
check "unbind $dev returns" timeout 30 sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/unbind"
gone() {
	n=0
	while [ $n -lt 20 ]; do
		left=0
		for p in $pids; do [ -d /proc/$p ] && left=1; done
		[ $left -eq 0 ] && return 0
		sleep 1
		n=$((n + 1))
	done
	return 1
}
check "every reader returned after unbind" gone
check "vrng.0 unregistered" sh -c "! grep -qw vrng.0 $HWRNG/rng_available"
check "bind $dev again" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/bind"
check_eq "rng_current after rebind" vrng.0 "$(rng_current)"
check "rmmod vrng" rmmod vrng
