# Statistics and tracepoints, as an administrator or a kernel developer
# would look at them: every sysfs counter under the bound devices, the
# group gone when a device is unbound, and every tracepoint firing
# through tracefs with plausible fields. vrng.0 streams; vrng.1 trickles
# (1 KiB a second), so that its reader waits.
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
check "insmod vrng.ko" insmod /vrng/vrng.ko
# dir_of NAME: the sysfs statistics directory of hwrng NAME
dir_of() { grep -lx "$1" /sys/bus/virtio/drivers/vrng/virtio*/vrng/hwrng | xargs dirname; }
S0=$(dir_of vrng.0)
S1=$(dir_of vrng.1)
check "vrng.0 and vrng.1 have their statistics ($S0, $S1)" sh -c "[ -d $S0 ] && [ -d $S1 ]"
stat() { cat "$S0/$1"; }
check "tracing every vrng event" sh -c "echo 1 >$T/events/vrng/enable && echo 1 >$T/tracing_on"
echo vrng.0 >$HWRNG/rng_current
b0=$(stat bytes)
check "read 256 KiB from vrng.0" read_hwrng /tmp/o 262144
echo vrng.1 >$HWRNG/rng_current
check "read 4 KiB from vrng.1 (1 KiB a second)" read_hwrng /tmp/t 4096
echo 0 >$T/tracing_on
for c in bytes posted completed empty oversized bogus kicks held_back waits wait_ms timeouts buffered forks discarded broken; do
	echo "sysfs $c: vrng.0 $(stat $c), vrng.1 $(cat "$S1/$c")"
done
check "bytes rose by at least 256 KiB ($b0 -> $(stat bytes))" [ $(($(stat bytes) - b0)) -ge 262144 ]
check "completed <= posted, and at least 256 KiB of buffers" \
	sh -c "[ $(stat completed) -le $(stat posted) ] && [ $(stat completed) -ge 8 ]"
check "kicks between 1 and posted" sh -c "[ $(stat kicks) -ge 1 ] && [ $(stat kicks) -le $(stat posted) ]"
check "no empty, oversized or bogus completion, no timeout, no fork, not broken" \
	[ "$(stat empty)$(stat oversized)$(stat bogus)$(stat timeouts)$(stat forks)$(stat discarded)$(stat broken)" = 0000000 ]
check "buffered is at most depth x bufsize ($(stat buffered))" [ "$(stat buffered)" -le 131072 ]
check "vrng.1's reader waited, for at least 500 ms ($(cat "$S1/waits") waits, $(cat "$S1/wait_ms") ms)" \
	sh -c "[ $(cat "$S1/waits") -ge 1 ] && [ $(cat "$S1/wait_ms") -ge 500 ]"
check "counters are read-only" sh -c "! echo 0 >$S0/bytes 2>/dev/null"
# fired REGEX: the first trace line matching REGEX
fired() { grep -m1 -E "$1" $T/trace | sed 's/^ *//'; }
for ev in "vrng_post: vrng.0 bufs=[1-4] kick=1" "vrng_complete: vrng.0 len=32768 ok" \
	"vrng_read: vrng.0 ret=64 fast=1" "vrng_read: vrng.0 ret=[1-9][0-9]* fast=0" \
	"vrng_wait: vrng.1 timeout=[1-9]" "vrng_wake: vrng.1 ret=0 slept=[0-9]"; do
	line=$(fired "$ev")
	check "tracepoint ${ev%%:*} fired like '$ev' (${line:-none})" [ -n "$line" ]
done
check "vrng_fork can be enabled (it fires in the clone scenario)" [ -d $T/events/vrng/vrng_fork ]
echo 0 >$T/events/vrng/enable
dev=$(basename "$(dirname "$S0")")
check "unbind $dev" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/unbind"
check "$dev's statistics gone with the binding" [ ! -e "/sys/bus/virtio/devices/$dev/vrng" ]
check "bind $dev" sh -c "echo $dev >/sys/bus/virtio/drivers/vrng/bind"
check_eq "$dev's statistics back, from 0" 0 "$(cat /sys/bus/virtio/devices/$dev/vrng/forks)"
check "rmmod vrng" rmmod vrng
