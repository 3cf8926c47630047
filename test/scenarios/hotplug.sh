# Hot-unplug (QMP device_del; the device is on a pcie-root-port) while four
# readers stream and no other source exists: the readers end within 10 s
# (pciehp waits 5 s after the attention button). Then device_add a new
# device on the spare port: it registers and passes rngtest.
check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
start_readers 4 4096 1000000
sleep 2
check "4 readers streaming" all_running $READERS
unplug rng0
check "every reader ended within 10 s" ended_within 10 $READERS
check_eq "rng_current with no source left" "" "$(rng_current | grep -v none)"
qmp device_add driver=virtio-rng-pci id=rng9 bus=rpspare
registered() { lists vrng.0 "$(rng_available)"; }
wait_registered() {
	n=0
	while ! registered; do
		[ $n -lt 100 ] || return 1
		sleep 0.1
		n=$((n + 1))
	done
}
check "the new device registers as vrng.0 within 10 s" wait_registered
echo vrng.0 >$HWRNG/rng_current
check_rngtest "the new device" /dev/hwrng 1000 5
check "rmmod vrng" rmmod vrng
