# vrng guest library, sourced by /init and the scenarios (busybox sh).
# Every check prints "VRNG-CHECK: PASS|FAIL <what>"; vrng_finish prints
# the one line the host looks for, "VRNG-RESULT: PASS", only when at least
# one check ran and none failed.

VRNG_CHECKS=0
VRNG_FAILS=0
HWRNG=/sys/class/misc/hw_random
SPLAT_RE='WARNING:|BUG:|Oops|Kernel panic|blocked for more than|hung_task|Call trace:|KASAN:|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|unreferenced object|UBSAN:'

vrng_pass() {
	VRNG_CHECKS=$((VRNG_CHECKS + 1))
	echo "VRNG-CHECK: PASS $*"
}

vrng_fail() {
	VRNG_CHECKS=$((VRNG_CHECKS + 1))
	VRNG_FAILS=$((VRNG_FAILS + 1))
	echo "VRNG-CHECK: FAIL $*"
}

# check WHAT CMD...: run CMD, record its success or failure as WHAT.
check() {
	what=$1
	shift
	if "$@"; then vrng_pass "$what"; else vrng_fail "$what"; fi
}

# check_eq WHAT EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then
		vrng_pass "$1 ($3)"
	else
		vrng_fail "$1: expected '$2', got '$3'"
	fi
}

vrng_finish() {
	if [ -e /sys/kernel/debug/kcsan ]; then
		grep -E 'enabled|setup_watchpoints|data_races' /sys/kernel/debug/kcsan | sed 's/^/KCSAN: /'
	fi
	if [ -e /sys/kernel/debug/kmemleak ]; then
		check "kmemleak finds no leak" kmemleak_clean
	fi
	check "dmesg has no bug report" dmesg_clean
	if [ "$VRNG_CHECKS" -gt 0 ] && [ "$VRNG_FAILS" -eq 0 ]; then
		echo "VRNG-RESULT: PASS ($VRNG_CHECKS checks)"
	else
		echo "VRNG-RESULT: FAIL ($VRNG_FAILS of $VRNG_CHECKS checks failed)"
	fi
}

kmemleak_clean() {
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	! grep -A12 'unreferenced object' /sys/kernel/debug/kmemleak
}

# KCSAN's reports are judged by the host, which tells vrng's from the
# kernel's own (judge_kcsan in test/lib/qemu.sh).
dmesg_clean() {
	! dmesg | grep -v 'BUG: KCSAN:' | grep -E "$SPLAT_RE"
}

# vrng_stat NAME [DEV]: a counter from vrng's debugfs stats
vrng_stat() {
	sed -n "s/^$1 //p" "/sys/kernel/debug/vrng/${2:-vrng.0}/stats"
}

rng_current() { cat $HWRNG/rng_current; }
rng_available() { cat $HWRNG/rng_available; }

# lists WORD LIST: WORD is one of the space-separated words of LIST
lists() {
	case " $2 " in *" $1 "*) return 0 ;; esac
	return 1
}

# read_hwrng FILE BYTES: read BYTES from /dev/hwrng with dd, in 4 KiB
# blocks, within two minutes (a read that hangs fails the check, not the
# whole guest).
read_hwrng() {
	timeout 120 dd if=/dev/hwrng of="$1" bs=4096 count=$(($2 / 4096)) 2>/dev/null &&
		[ "$(wc -c <"$1")" -eq "$2" ]
}

# blocks FILE: md5 of every whole 4 KiB block, one per line (Debian's arm64
# busybox has no split)
blocks() {
	nb=$(($(wc -c <"$1") / 4096))
	i=0
	while [ $i -lt $nb ]; do
		dd if="$1" bs=4096 skip=$i count=1 2>/dev/null | md5sum | cut -d' ' -f1
		i=$((i + 1))
	done
}

# distinct_bytes FILE: number of distinct byte values in the first 64 KiB
distinct_bytes() {
	head -c 65536 "$1" | od -An -v -tu1 | tr -s ' ' '\n' | grep -v '^$' | sort -u | wc -l
}

# check_random WHAT FILE: the bytes look like a random source's: many byte
# values, incompressible, and no 4 KiB block seen twice (in FILE or in the
# blocks recorded by earlier calls).
check_random() {
	n=$(distinct_bytes "$2")
	check "$1: at least 250 distinct byte values in 64 KiB ($n)" [ "$n" -ge 250 ]
	size=$(wc -c <"$2")
	z=$(gzip -c "$2" | wc -c)
	check "$1: does not compress ($size -> $z bytes)" [ "$z" -ge "$size" ]
	before=$(cat /tmp/seen-blocks 2>/dev/null | wc -l)
	blocks "$2" >>/tmp/seen-blocks
	after=$(wc -l </tmp/seen-blocks)
	dup=$(sort /tmp/seen-blocks | uniq -d | wc -l)
	check "$1: no 4 KiB block repeated ($((after - before)) blocks, $after so far)" \
		sh -c "[ $dup -eq 0 ] && [ $((after - before)) -eq $((size / 4096)) ]"
}

# check_rngtest WHAT SOURCE BLOCKS MAXFAIL: rngtest's FIPS failure count on
# BLOCKS blocks is at most MAXFAIL (a perfect source fails ~0.8 per 1000).
check_rngtest() {
	out=$(rngtest -c "$3" <"$2" 2>&1)
	echo "$out" | sed 's/^/  rngtest: /'
	ok=$(echo "$out" | sed -n 's/.*FIPS 140-2 successes: \([0-9]*\).*/\1/p')
	bad=$(echo "$out" | sed -n 's/.*FIPS 140-2 failures: \([0-9]*\).*/\1/p')
	if [ -n "$ok" ] && [ -n "$bad" ] && [ $((ok + bad)) -eq "$3" ] && [ "$bad" -le "$4" ]; then
		vrng_pass "$1: rngtest $ok successes, $bad failures of $3 (at most $4)"
	else
		vrng_fail "$1: rngtest successes '$ok' failures '$bad' of $3 (at most $4)"
	fi
}

# now_cs: time since boot in hundredths of a second
now_cs() { awk '{ printf "%d\n", $1 * 100 }' /proc/uptime; }

# running PID: PID is alive (not a zombie waiting to be reaped)
running() {
	[ -e "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}

# ended_within SECONDS PID...: every PID has ended within SECONDS
ended_within() {
	deadline=$(($(now_cs) + $1 * 100))
	shift
	for p in "$@"; do
		while running "$p"; do
			[ "$(now_cs)" -lt "$deadline" ] || return 1
			sleep 0.1
		done
	done
}

# gone_within SECONDS PATH: PATH has disappeared within SECONDS
gone_within() {
	deadline=$(($(now_cs) + $1 * 100))
	while [ -e "$2" ]; do
		[ "$(now_cs)" -lt "$deadline" ] || return 1
		sleep 0.1
	done
}

# within WHAT SECONDS CMD...: CMD succeeds within SECONDS. It runs in the
# background: one that hangs (in the kernel, say) fails the check and is
# left behind, so that the scenario goes on.
within() {
	what=$1
	limit=$2
	shift 2
	t0=$(now_cs)
	"$@" &
	pid=$!
	if ! ended_within "$limit" $pid; then
		vrng_fail "$what: still running after $limit s"
		return
	fi
	rc=0
	wait $pid || rc=$?
	t=$(($(now_cs) - t0))
	if [ $rc -eq 0 ]; then
		vrng_pass "$what within $limit s ($((t / 100)).$((t / 10 % 10)) s)"
	else
		vrng_fail "$what: exit status $rc"
	fi
}

# vrng_device: the virtio device bound to vrng (the first one)
vrng_device() { ls /sys/bus/virtio/drivers/vrng | grep '^virtio' | head -n1; }

# start_readers N BS COUNT: N dd readers of /dev/hwrng in the background;
# their PIDs in $READERS
start_readers() {
	READERS=""
	i=0
	while [ $i -lt "$1" ]; do
		dd if=/dev/hwrng of=/dev/null bs="$2" count="$3" 2>/dev/null &
		READERS="$READERS $!"
		i=$((i + 1))
	done
}

# all_running PID...: every PID is alive
all_running() {
	for p in "$@"; do running "$p" || return 1; done
}

# qmp COMMAND ARGS...: ask the host to send a QMP command (test/qmp_host.py)
qmp() { echo "VRNG-QMP: $*"; }

# unplug ID: hot-unplug QEMU's device ID, bound to vrng (QMP device_del;
# pciehp waits 5 s after the attention button): gone within 10 s
unplug() {
	dev=$(vrng_device)
	qmp device_del "id=$1"
	check "$dev ($1) removed within 10 s" gone_within 10 "/sys/bus/virtio/devices/$dev"
}

# block_on_dead: vrng and vrng_null loaded, vrng.0 (a device that has
# stopped answering) current, and a reader ($READERS) blocked on it
block_on_dead() {
	check "insmod vrng.ko" insmod /vrng/vrng.ko
	check "insmod vrng_null.ko" insmod /vrng/vrng_null.ko
	echo vrng.0 >$HWRNG/rng_current
	check_eq "rng_current" vrng.0 "$(rng_current)"
	start_readers 1 4096 1
	sleep 3
	check "a reader is blocked on the dead device" all_running $READERS
}

# bench_read SOURCE NAME BYTES TAG: read BYTES through /dev/hwrng from
# hwrng NAME with hwrng_bench; prints "BENCH-RUN source=SOURCE TAG ..."
bench_read() {
	echo "$2" >$HWRNG/rng_current && [ "$(rng_current)" = "$2" ] &&
		out=$(/vrng/hwrng_bench read "$3") && echo "BENCH-RUN source=$1 $4 $out"
}

# bench_warm_up NAME...: one untimed 1 MiB read from each hwrng: the first
# pass through new code and pages is slower under TCG and would bias
# round 1
bench_warm_up() {
	for name in "$@"; do
		echo "$name" >$HWRNG/rng_current && /vrng/hwrng_bench read 1048576 >/dev/null
	done
}

# bench_rounds ROUNDS ORDER [ORDER2]: ROUNDS rounds of bench_read over
# ORDER, words SOURCE:HWRNG:BYTES; with ORDER2, even rounds use it instead
bench_rounds() {
	r=1
	while [ "$r" -le "$1" ]; do
		order=$2
		[ -n "${3:-}" ] && [ $((r % 2)) -eq 0 ] && order=$3
		for s in $order; do
			src=${s%%:*}
			rest=${s#*:}
			check "round $r: $src" bench_read "$src" "${rest%%:*}" "${rest#*:}" "round=$r"
		done
		r=$((r + 1))
	done
}
