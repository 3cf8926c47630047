# A device that maps its buffers through the DMA API behind a real IOMMU
# (arm64: SMMUv3; x86: intel-iommu): streaming, rngtest, unbind/bind,
# rmmod and insmod, hot-unplug while readers stream; the IOMMU reports no
# fault.
IOMMU_FAULT_RE='DMAR: \[DMA|DMAR: DRHD: handling fault|arm-smmu-v3.*event|Unhandled context fault|iommu fault'

iommu_group_of_rng() {
	dev=$(vrng_device)
	[ -e "/sys/bus/virtio/devices/$dev/../iommu_group" ]
}
no_iommu_fault() { ! dmesg | grep -E "$IOMMU_FAULT_RE"; }

check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
check "the device is behind the IOMMU (an iommu_group)" iommu_group_of_rng
check "dd 1 MiB" read_hwrng /tmp/first 1048576
check_random "1 MiB through the IOMMU" /tmp/first
check_rngtest "/dev/hwrng" /dev/hwrng 1000 5
dev=$(vrng_device)
check "unbind $dev" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/unbind"
check "bind $dev" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/bind"
check "dd 64 KiB after rebind" read_hwrng /tmp/rebound 65536
check "rmmod vrng" rmmod vrng
check "insmod vrng.ko again" insmod /vrng/vrng.ko
start_readers 4 4096 1000000
sleep 2
check "4 readers streaming" all_running $READERS
unplug rng0
check "every reader ended within 10 s" ended_within 10 $READERS
check "rmmod vrng after the unplug" rmmod vrng
check "the IOMMU reported no fault" no_iommu_fault
