# A trickle device (QEMU: 1 KiB a second): blocking reads get its rate, an
# O_NONBLOCK read returns at once, a blocked reader leaves the guest idle
# (no spinning) and is gone within 1 s of SIGKILL.
# needs: hwrng_bench
check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
nb=$(/vrng/hwrng_bench nonblock)
ns=$(echo "$nb" | sed -n 's/.* ns=//p')
check "an O_NONBLOCK read returns within 100 ms ($nb)" [ "${ns:-999999999}" -lt 100000000 ]
t0=$(now_cs)
check "read 8 KiB from the 1 KiB/s device" read_hwrng /tmp/t 8192
t=$(($(now_cs) - t0))
check "at the device's rate: 8 KiB in 5 to 20 s ($((t / 100)) s)" [ $t -ge 500 ] && [ $t -le 2000 ]
start_readers 1 65536 16
sleep 2
busy=$(/vrng/hwrng_bench idle 5 | sed -n 's/busy_permille=//p')
check "guest CPU below 10% with a reader blocked (${busy:-?} per mille)" [ "${busy:-1000}" -lt 100 ]
check "the reader is still blocked" all_running $READERS
kill -KILL $READERS
check "the blocked reader is gone within 1 s of SIGKILL" ended_within 1 $READERS
check "rmmod vrng" rmmod vrng
