# 50 cycles of insmod, reading, rmmod with the readers still running (on
# the debug kernel, KASAN, lockdep and kmemleak watch: vrng_finish).
cycle() {
	insmod /vrng/vrng.ko || return 1
	start_readers 2 4096 100000
	sleep 0.3
	[ "$(vrng_stat bytes)" -gt 0 ] || { echo "cycle $n: nothing served"; return 1; }
	rmmod vrng || return 1
	ended_within 5 $READERS || { echo "cycle $n: readers left"; return 1; }
}
n=0
while [ $n -lt 50 ] && cycle; do
	n=$((n + 1))
done
check "50 cycles of insmod, read, rmmod under readers ($n done)" [ $n -eq 50 ]
