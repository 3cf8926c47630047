# Eight readers stream from /dev/hwrng; rmmod vrng returns within 5 s and
# every reader ends (the hwrng core has no source left: an error).
check "insmod vrng.ko" insmod /vrng/vrng.ko
start_readers 8 4096 1000000
sleep 2
check "8 readers streaming ($(vrng_stat bytes) bytes served)" all_running $READERS
within "rmmod vrng under 8 readers" 5 rmmod vrng
check "every reader ended within 5 s" ended_within 5 $READERS
check "vrng.0 is gone" sh -c "! grep -qw vrng.0 $HWRNG/rng_available"
