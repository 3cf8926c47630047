# Bounce buffers for every DMA (swiotlb=force, as in SEV, TDX and CCA
# guests) and a device that maps its buffers through the DMA API
# (VIRTIO_F_ACCESS_PLATFORM): after 50 unbind/bind cycles with reads, a
# suspend/resume of the devices (vrng's freeze and restore) and rmmod, the
# bounce pool's use is back where it was before insmod, and releasing the
# PCI function finds nothing still mapped (the debug kernel's DMA-API
# debugging).
TLB=/sys/kernel/debug/swiotlb/io_tlb_used
used() { cat $TLB; }

# until_posted: read until vrng has buffers on the ring (vrng reposts
# once half its pool is idle); prints how many
until_posted() {
	k=0
	while [ "$(vrng_stat posted)" -eq 0 ] && [ $k -lt 50 ]; do
		dd if=/dev/hwrng of=/dev/null bs=4096 count=4 2>/dev/null
		k=$((k + 1))
	done
	vrng_stat posted
}

# rebind N: unbind, bind and read 64 KiB, N times
rebind() {
	dev=$(vrng_device)
	k=0
	while [ $k -lt "$1" ]; do
		echo "$dev" >/sys/bus/virtio/drivers/vrng/unbind || return 1
		echo "$dev" >/sys/bus/virtio/drivers/vrng/bind || return 1
		read_hwrng /tmp/cycle 65536 || return 1
		k=$((k + 1))
	done
}

# suspend_devices: suspend to idle stopped after the devices are
# suspended (pm_test), then resumed: virtio's freeze and restore
suspend_devices() {
	echo 0 >/sys/module/suspend/parameters/pm_test_delay
	echo devices >/sys/power/pm_test
	echo freeze >/sys/power/state
}

check "swiotlb's counters are in debugfs" test -r $TLB
base=$(used)
check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
check "dd 1 MiB" read_hwrng /tmp/first 1048576
check "buffers on the ring after a read ($(until_posted) posted)" [ "$(vrng_stat posted)" -gt 0 ]
check "they are bounced ($(used) slots in use, $base before insmod)" [ "$(used)" -gt "$base" ]
check_random "1 MiB through bounce buffers" /tmp/first
check "50 unbind/bind cycles, 64 KiB read after each" rebind 50
check "devices suspended and resumed" suspend_devices
check_eq "rng_current after resume" vrng.0 "$(rng_current)"
check "dd 64 KiB after resume" read_hwrng /tmp/resumed 65536
pci=$(basename "$(readlink -f "/sys/bus/virtio/devices/$(vrng_device)/..")")
check "rmmod vrng" rmmod vrng
check_eq "bounce slots in use after rmmod (as before insmod)" "$base" "$(used)"
# With CONFIG_DMA_API_DEBUG (the debug kernel), releasing the PCI function
# reports every mapping a driver left behind.
check "$pci unbound from virtio-pci" sh -c "echo $pci >/sys/bus/pci/drivers/virtio-pci/unbind"
check "$pci bound to virtio-pci again" sh -c "echo $pci >/sys/bus/pci/drivers/virtio-pci/bind"
