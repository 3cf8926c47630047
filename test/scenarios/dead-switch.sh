# A device that has stopped answering (QEMU: 64 bytes an hour) is current,
# a reader is blocked on it, and a second source (vrng_null) is present:
# switching rng_current, reading 1 MiB from the other source and rmmod
# vrng each complete within 3 s (a blocking read gives up after ~1 s of
# nothing, so the hwrng core's reading_mutex is not held for ever).
# needs: vrng_null
block_on_dead
within "echo vrng_null >rng_current" 3 sh -c "echo vrng_null >$HWRNG/rng_current"
check_eq "rng_current" vrng_null "$(rng_current)"
within "read 1 MiB from vrng_null" 3 read_hwrng /tmp/null 1048576
within "rmmod vrng" 3 rmmod vrng
check "the blocked reader has ended" ended_within 3 $READERS
