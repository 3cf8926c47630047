# A VM snapshot and its clone (x86: QEMU's vmgenid). test_clone boots this
# VM, which fills vrng's buffers and asks for a live snapshot, then starts
# it twice from the snapshot: with its own VM generation ID ("same": the
# VM as it was) and with a new one ("new": a clone, whose vmgenid driver
# runs the kernel's VM-fork notifiers). Each restored copy prints the
# bytes it reads; the host checks that the clone served none of the bytes
# the same VM served from its buffers.
check "insmod vrng.ko" insmod /vrng/vrng.ko
echo vrng.0 >$HWRNG/rng_current
check_eq "rng_current" vrng.0 "$(rng_current)"
check "a first read" read_hwrng /tmp/first 4096
pool_full() {
	while [ "$(vrng_stat posted)" -ne 0 ]; do sleep 0.1; done
}
within "every buffer back from the device" 10 pool_full
echo "VRNG-CLONE: before the snapshot: $(vrng_stat avail) bytes filled, $(vrng_stat forks) forks"
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
check "tracing vrng_fork" sh -c "echo 1 >$T/events/vrng/vrng_fork/enable"
qmp snapshot
# Only the restored copies get here: the snapshot ends this VM.
read -r word role
check_eq "restored (console says '$word $role')" VRNG-RESTORED "$word"
forked() {
	while [ "$(vrng_stat forks)" -eq 0 ]; do sleep 0.1; done
}
case $role in
new)
	within "the VM-fork notifier ran" 10 forked
	line=$(grep -m1 'vrng_fork: vrng.0 discarded=' $T/trace | sed 's/^ *//')
	check "tracepoint vrng_fork fired with bytes discarded (${line:-none})" \
		sh -c "echo '$line' | grep -q 'discarded=[1-9]'"
	;;
same)
	sleep 2
	check_eq "no VM fork with the same generation ID" 0 "$(vrng_stat forks)"
	;;
*) vrng_fail "restored as '$role', expected same or new" ;;
esac
check "read 128 KiB" read_hwrng /tmp/after 131072
echo "VRNG-CLONE: after: $(vrng_stat forks) forks, $(vrng_stat discarded) bytes discarded"
echo "VRNG-CLONE-BYTES: $role begin"
base64 /tmp/after
echo "VRNG-CLONE-BYTES: $role end"
