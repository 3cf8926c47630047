# Three devices (two PCI, one MMIO): vrng.0-vrng.2 each selectable and
# passing rngtest; one unbound, the other two keep working; bound again.
D=/sys/bus/virtio/drivers/vrng
serves() {
	echo "$1" >$HWRNG/rng_current && [ "$(rng_current)" = "$1" ] &&
		read_hwrng /tmp/x 65536
}
check "insmod vrng.ko" insmod /vrng/vrng.ko
for n in 0 1 2; do
	check "rng_available lists vrng.$n ($(rng_available))" lists vrng.$n "$(rng_available)"
	echo vrng.$n >$HWRNG/rng_current
	check_eq "rng_current" vrng.$n "$(rng_current)"
	check_rngtest "vrng.$n" /dev/hwrng 1000 5
done
dev=$(vrng_device)
check "unbind $dev" sh -c "echo $dev >$D/unbind"
left=""
for n in 0 1 2; do lists vrng.$n "$(rng_available)" && left="$left vrng.$n"; done
check "two sources left ($left)" [ "$(echo $left | wc -w)" -eq 2 ]
for name in $left; do
	check "$name still serves 64 KiB" serves "$name"
done
check "bind $dev again" sh -c "echo $dev >$D/bind"
for n in 0 1 2; do
	check "vrng.$n serves 64 KiB after the rebind" serves vrng.$n
done
check "rmmod vrng" rmmod vrng
