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
