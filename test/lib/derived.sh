# shellcheck shell=bash
# The heavy artifacts derived from packages: the real systems' images
# (images.sh), the debug kernels (kernels.sh) and kunit.py's kernels
# (intree.sh). Each is cached by its exact inputs and marked done only
# once complete. On a cold run make check has one background job make
# them, at the lowest CPU priority, while the tests before the ones that
# need them run: a TCG guest keeps about one core busy, a kernel build
# takes whatever is left. A test that needs an artifact the job has not
# finished waits for it with the job at normal priority (derived_boosted);
# an artifact the job failed to make is made again by its test, which
# then says why. Sourced by test/lib.sh.
#
#   VRNG_DERIVED=0   no background job: each test makes what it needs
#   VRNG_DERIVED_MAKE  what makes one artifact (default derived_make; the
#                    harness's own test, test/host/orphans.sh, gives another)

VRNG_DERIVED_PGID=${VRNG_DERIVED_PGID:-}

# derived_needs TEST...: the artifacts the tests need, "KIND:NAME" each
# (image:SYSTEM, kernel:KNAME, kunitpy:ARCH), in the order of the first
# test that needs each
derived_needs() {
	local t kname item
	local -A seen=()
	for t; do
		kname=$(cut -d' ' -f2 <<<"$t")
		case $t in
		"system "*) item=image:$kname ;;
		"kunitpy "*) item=kunitpy:$kname ;;
		*)
			debug_kernel_known "${kname%-intree}" || continue
			item=kernel:${kname%-intree}
			;;
		esac
		[[ -n ${seen[$item]:-} ]] && continue
		seen[$item]=1
		echo "$item"
	done
}

# derived_make KIND:NAME: make one artifact (if not cached); prints where
derived_make() {
	case $1 in
	image:*) image_prepare "${1#*:}" ;;
	kernel:*) debug_kernel "${1#*:}" ;;
	kunitpy:*) kunit_py_build "${1#*:}" "$(kernel_source newest)" ;;
	*) die "unknown artifact $1" ;;
	esac
}

# derived_start TEST...: the background job for what the tests need; its
# process group is VRNG_DERIVED_PGID (exported to the tests)
derived_start() {
	local -a items
	mapfile -t items < <(derived_needs "$@")
	[[ ${#items[@]} -gt 0 && ${VRNG_DERIVED:-1} == 1 ]] || return 0
	log "making ${items[*]} in the background, at the lowest priority (log: $VRNG_OUT/derived.log)"
	mkdir -p "$VRNG_CACHE"
	set -m
	VRNG_OUT=$VRNG_OUT nice -n 19 bash -c 'source "$0/test/lib.sh"; derived_run "$@"' "$VRNG_TOP" "${items[@]}" \
		</dev/null >"$VRNG_OUT/derived.log" 2>&1 &
	VRNG_DERIVED_PGID=$!
	set +m
	# for make check's guardian (check_guard in test/tests.sh)
	echo "$VRNG_DERIVED_PGID" >"$VRNG_OUT/.pgid-derived"
	export VRNG_DERIVED_PGID
	trap derived_stop EXIT
}

# derived_run ITEM...: the background job: each artifact made in a shell
# of its own (where set -e holds), timed; once done, nothing for make
# check's guardian to end
derived_run() {
	local item t0
	for item; do
		t0=$SECONDS
		log "derived: $item"
		if bash -c 'set -euo pipefail; source "$0/test/lib.sh"; ${VRNG_DERIVED_MAKE:-derived_make} "$1" >/dev/null' \
			"$VRNG_TOP" "$item"; then
			log "derived: $item done ($((SECONDS - t0))s)"
		else
			log "derived: $item failed ($((SECONDS - t0))s): its test makes it again"
		fi
	done
	rm -f "$VRNG_OUT/.pgid-derived"
}

# derived_priority NICE: the background job's processes at NICE
derived_priority() {
	[[ -n $VRNG_DERIVED_PGID ]] || return 0
	renice -n "$1" -g "$VRNG_DERIVED_PGID" >/dev/null 2>&1 || true
}

# derived_boosted CMD...: CMD, which may wait for what the background job
# is making, with the job at normal priority until CMD returns (if CMD
# fails, until the next test starts: run_test lowers it again)
derived_boosted() {
	derived_priority 0
	"$@"
	derived_priority 19
}

# derived_report: what the background job made, and how long each took
derived_report() {
	[[ -s $VRNG_OUT/derived.log ]] || return 0
	sed -n 's/^\[vrng\] derived: \(.* \(done\|failed\) .*\)/background: \1/p' "$VRNG_OUT/derived.log"
}

# derived_stop: end the background job (an early exit, or a run that
# needed less than it made), mmdebstrap's own cleanup included
derived_stop() {
	[[ -n $VRNG_DERIVED_PGID ]] || return 0
	kill -TERM -- "-$VRNG_DERIVED_PGID" 2>/dev/null || true
	wait "$VRNG_DERIVED_PGID" 2>/dev/null || true
	rm -f "$VRNG_OUT/.pgid-derived"
	VRNG_DERIVED_PGID=""
}
