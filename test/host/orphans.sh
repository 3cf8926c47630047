#!/usr/bin/env bash
# A harness run killed outright (SIGKILL: none of its traps runs) leaves
# nothing behind. A check-fresh root, with a process in it and this
# machine's cache bound into it, is unmounted and removed by its guardian;
# with the guardian killed too, by the next run; a live run's root is left
# alone; make check's running test and background job end. The cache's
# files survive.
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
source "$VRNG_TOP/test/tests.sh"

work=${VRNG_OUT:-/tmp}/orphans
out_reset "$work"
mkdir -p "$work/roots" "$work/cache"
export VRNG_FRESH_DIR=$work/roots
echo precious >"$work/cache/file"

check() {
	local what=$1
	shift
	if "$@"; then echo "ok: $what"; else echo "FAILED: $what"; failed=1; fi
}

# within SECS CMD...: CMD holds within SECS seconds
within() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[[ $SECONDS -lt $end ]] || return 1
		sleep 1
	done
}

# fake_fresh N: a stand-in for check-fresh in the background: a root with
# proc, sys, dev and the cache mounted and a sleep running in it; its
# pid in FAKE_PID, its root's path in $work/root-N once ready
fake_fresh() {
	bash -c '
		source "$0/test/lib.sh"
		root_new probe
		mkdir -p "$ROOT/proc" "$ROOT/sys" "$ROOT/dev"
		cp --parents $(ldd /usr/bin/sleep | grep -o "/[^ ]*") /usr/bin/sleep "$ROOT"
		root_mount "$1:cache"
		chroot "$ROOT" /usr/bin/sleep 600 &
		echo "$ROOT" >"$2"
		wait
	' "$VRNG_TOP" "$work/cache" "$work/root-$1" >>"$work/fake.log" 2>&1 &
	FAKE_PID=$!
	fakes+=("$FAKE_PID")
	within 30 test -s "$work/root-$1" || die "the stand-in run $1 did not make its root"
}

mounted_under() { grep -q " $1[/ ]" /proc/self/mounts; }
gone() { ! mounted_under "$1" && [[ ! -e $1 && ! -e $1.owner ]]; }
# in_roots DIR: the pids of the stand-ins' sleeps whose root is under DIR
in_roots() {
	local p
	for p in $(pgrep -f "^/usr/bin/sleep 600"); do
		[[ $(readlink "/proc/$p/root") != "$1"* ]] || echo "$p"
	done
}

# however this script ends: no stand-in left, nothing mounted under work
finish() {
	local r
	kill -KILL ${fakes[@]+"${fakes[@]}"} 2>/dev/null || true
	for r in "$work"/check/.pgid-*; do
		[[ -s $r ]] && kill -KILL -- "-$(cat "$r")" 2>/dev/null || true
	done
	pgrep -f "check_guard .* $work/check\$" | sed 's/^/-/' | xargs -r kill -- 2>/dev/null || true
	in_roots "$work/roots" | xargs -r kill -KILL
	for r in "$work"/roots/vrng-probe.??????; do
		[[ -d $r ]] && (ROOT=$r && root_cleanup) || true
	done
	if [[ $failed -eq 0 ]] && ! grep -q " $work/" /proc/self/mounts; then
		rm -rf --one-file-system "$work"
	fi
	return 0
}
fakes=()
failed=0
trap finish EXIT
running_in() { [[ -n $(in_roots "$1") ]]; }
cache_intact() { [[ $(cat "$work/cache/file") == precious ]]; }

# 1. the run killed: its guardian cleans up
fake_fresh 1
r=$(cat "$work/root-1")
check "run 1's root is mounted, with a process in it" within 10 eval 'mounted_under "$r" && running_in "$r"'
kill -KILL "$FAKE_PID"
check "run 1 killed: its guardian ends the process, unmounts and removes the root" \
	within 30 eval '! running_in "$r" && gone "$r"'
check "the cache bound into root 1 is intact" cache_intact

# 2. a live run's root is left alone by a new run; 3. the run and its
# guardian killed: the next run reaps the root
fake_fresh 2
r2=$(cat "$work/root-2") pid2=$FAKE_PID
fake_fresh 3
r3=$(cat "$work/root-3") pid3=$FAKE_PID
check "a new run leaves the live run 2's root alone" within 10 eval 'mounted_under "$r2" && running_in "$r2"'
pkill -KILL -f "root_guard .* $r2 $pid2\$" || true
kill -KILL "$pid2"
sleep 3
check "run 2 and its guardian killed: its root is still there" mounted_under "$r2"
fake_fresh 4
check "the next run reaps root 2" eval '! running_in "$r2" && gone "$r2"'
check "the cache bound into root 2 is intact" cache_intact
kill -TERM "$pid3" "$FAKE_PID"
check "runs 3 and 4 ended by a signal clean up after themselves" \
	within 30 eval 'gone "$r3" && gone "$(cat "$work/root-4")"'

# 4. make check killed: its running test and its background job end
fake_make() { sleep 600; }
test_fake() { sleep 600; }
export -f fake_make test_fake
VRNG_DERIVED=1 VRNG_DERIVED_MAKE=fake_make VRNG_OUT=$work/check bash -c '
	source "$0/test/lib.sh"
	source "$0/test/tests.sh"
	mkdir -p "$VRNG_OUT"
	check_guard_start
	derived_start "system trixie-arm64"
	run_test "fake sleep"
' "$VRNG_TOP" &
fakes+=($!)
within 30 test -s "$work/check/.pgid-test" || die "the stand-in make check did not start its test"
job=$(cat "$work/check/.pgid-derived") test=$(cat "$work/check/.pgid-test")
check "the background job and the test run" eval 'pgrep -g "$job" >/dev/null && pgrep -g "$test" >/dev/null'
kill -KILL "${fakes[-1]}"
check "make check killed: its background job and its test end" \
	within 30 eval '! pgrep -g "$job,$test" >/dev/null'

exit $failed
