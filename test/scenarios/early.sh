# Before 6.10 the hwrng core reads a new source at once when it registers
# (add_early_randomness(), never waiting), and before 6.2 it runs its fill
# thread only for a non-zero quality. Shown with the function tracer: a
# call of vrng_read() whose stack holds add_early_randomness(), and the
# fill thread (hwrng_fillfn) reading vrng.
T=/sys/kernel/tracing
mount -t tracefs nodev $T 2>/dev/null
check "function tracer on vrng_read (filter set before vrng loads)" \
	sh -c "echo 'vrng_read:mod:vrng' >$T/set_ftrace_filter &&
		echo 1 >$T/options/func_stack_trace &&
		echo function >$T/current_tracer"
check "insmod vrng.ko" insmod /vrng/vrng.ko
check_eq "rng_current" vrng.0 "$(rng_current)"
sleep 2
echo 0 >$T/tracing_on
grep -c 'vrng_read' $T/trace | sed 's/^/traced vrng_read calls: /'
check "vrng_read called from add_early_randomness at registration" \
	grep -q 'add_early_randomness' $T/trace
check "vrng_read called by the fill thread (hwrng_fillfn)" grep -q 'hwrng_fillfn' $T/trace
check "quality $(cat $HWRNG/rng_quality 2>/dev/null || cat /sys/module/rng_core/parameters/current_quality) is non-zero" \
	sh -c "[ \"\$(cat $HWRNG/rng_quality 2>/dev/null || cat /sys/module/rng_core/parameters/current_quality)\" -gt 0 ]"
echo nop >$T/current_tracer
check "read 64 KiB from /dev/hwrng" read_hwrng /tmp/e 65536
check "rmmod vrng" rmmod vrng
