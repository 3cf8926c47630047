# shellcheck shell=bash
# vrng test harness: shared functions. Sourced by the scripts in test/;
# each concern has its own file under test/lib/:
#
#   packages.sh   the declared Debian packages (test/packages), the private
#                 apt configuration, downloads into the cache
#   kernels.sh    Debian's kernels, the debug kernel, module builds
#   initramfs.sh  the guests' userland and initramfs archives
#   qemu.sh       booting guests and judging their console
#   root.sh       pristine Debian 12 roots (debootstrap, mounts, cleanup)
#   images.sh     real Debian systems as guests: disk images, test disks
#   derived.sh    the heavy artifacts (images, debug and kunit.py kernels)
#                 made by a background job during make check
#
# Everything downloaded or built lives in $VRNG_CACHE (default
# ~/.cache/vrng), keyed by package version, so that a second run is fast.

VRNG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VRNG_CACHE=${VRNG_CACHE:-$HOME/.cache/vrng}
VRNG_GUEST_TIMEOUT=${VRNG_GUEST_TIMEOUT:-600}

shopt -s inherit_errexit

log() { printf '[vrng] %s\n' "$*" >&2; }
die() { printf '[vrng] error: %s\n' "$*" >&2; exit 1; }

# out_reset DIR: DIR emptied for a run's output; never while anything is
# mounted under it (a root of an earlier run binds /dev and the cache)
out_reset() {
	local m
	m=$(awk -v d="$1" 'index($2, d "/") == 1 { print $2; exit }' /proc/self/mounts)
	[[ -z $m ]] || die "$m is still mounted: not emptying $1 (unmount it first)"
	rm -rf --one-file-system "$1"
	mkdir -p "$1"
}

# proc_alive PID: PID runs (a zombie, killed but not yet reaped, does not)
proc_alive() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# shellcheck source=test/lib/packages.sh
source "$VRNG_TOP/test/lib/packages.sh"
# shellcheck source=test/lib/kernels.sh
source "$VRNG_TOP/test/lib/kernels.sh"
# shellcheck source=test/lib/intree.sh
source "$VRNG_TOP/test/lib/intree.sh"
# shellcheck source=test/lib/initramfs.sh
source "$VRNG_TOP/test/lib/initramfs.sh"
# shellcheck source=test/lib/root.sh
source "$VRNG_TOP/test/lib/root.sh"
# shellcheck source=test/lib/images.sh
source "$VRNG_TOP/test/lib/images.sh"
# shellcheck source=test/lib/derived.sh
source "$VRNG_TOP/test/lib/derived.sh"
# shellcheck source=test/lib/qemu.sh
source "$VRNG_TOP/test/lib/qemu.sh"
