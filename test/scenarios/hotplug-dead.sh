# Hot-unplug (QMP device_del) of a device that has stopped answering while
# a reader is blocked on it and vrng_null is present: the reader ends
# within 10 s and the hwrng core moves to vrng_null.
# needs: vrng_null
block_on_dead
unplug rng0
check "the blocked reader ended within 10 s" ended_within 10 $READERS
check_eq "rng_current" vrng_null "$(rng_current)"
check "rmmod vrng" rmmod vrng
