# rngd from rng-tools5 feeds the kernel's pool from /dev/hwrng (vrng.0).
# rng-tools5's rngd keeps no statistics and feeds only when the kernel
# asks for entropy, FIPS-checked blocks of 2500 bytes: the feed is seen in
# vrng's counters, against five seconds without rngd, and rngd must report
# no error (a refused RNDADDENTROPY or a failing source would say so).
check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
sleep 2
b0=$(vrng_stat bytes)
sleep 5
b1=$(vrng_stat bytes)
rngd -f -r /dev/hwrng -o /dev/random >/tmp/rngd.log 2>&1 &
rngd=$!
sleep 5
b2=$(vrng_stat bytes)
check "rngd runs against /dev/hwrng" all_running $rngd
check "vrng served under 1 KiB in 5 s without rngd ($((b1 - b0)) bytes)" [ $((b1 - b0)) -lt 1024 ]
check "and at least a 2500-byte block in 5 s with it ($((b2 - b1)) bytes)" [ $((b2 - b1)) -ge 2500 ]
kill $rngd
check "rngd ended on SIGTERM" ended_within 5 $rngd
sed 's/^/  rngd: /' /tmp/rngd.log
check "rngd reported no error" sh -c "! grep -Eiq 'fail|error|disabling|exiting' /tmp/rngd.log"
check "rmmod vrng" rmmod vrng
