# shellcheck shell=bash
# vrng inside kernel trees, as the kernel's own tools see it: placed in a
# tree and built there (scripts/intree), and its KUnit suite run by the
# kernel's runner, tools/testing/kunit/kunit.py. Both work on the cached
# trees (kernels.sh) without changing them: each runs in a private mount
# namespace in which an overlay covers each tree at its own path, so the
# paths the trees recorded still hold and whatever is written lands in
# the run's directory. The mounts end with the namespace. Sourced by
# test/lib.sh.

# overlaid RUNDIR DIR... -- CMD...: CMD in a private mount namespace where
# each DIR is covered by an overlay writing to RUNDIR/upperN (N counts the
# DIRs from 0); what CMD wrote to DIR stays there after the run.
overlaid() {
	local run=$1 dirs=()
	shift
	while [[ $1 != -- ]]; do
		dirs+=("$1")
		shift
	done
	shift
	need unshare "for a private mount namespace (util-linux)"
	mkdir -p "$run"
	unshare --mount --propagation private bash -c '
		set -euo pipefail
		run=$1 n=$2
		shift 2
		for ((i = 0; i < n; i++)); do
			mkdir -p "$run/upper$i" "$run/work$i"
			mount -t overlay overlay \
				-o "lowerdir=$1,upperdir=$run/upper$i,workdir=$run/work$i" "$1"
			shift
		done
		"$@"' _ "$run" "${#dirs[@]}" "${dirs[@]}" "$@"
}

# intree_build ENV OUT: vrng placed in the source tree of the debug kernel
# ENV describes and built in its build tree (make intree: W=1, and sparse
# unless ENV says KSPARSE=no), both as modules; copies vrng.ko and
# vrng_kunit.ko to OUT (as module_for lays them out).
intree_build() {
	local env=$1 out=$2 KSRC KDIR KSPARSE=yes sparse=1 mod
	# shellcheck disable=SC1090
	source "$env"
	[[ $KSPARSE == no ]] && sparse=0
	rm -rf "$out" "$out.run"
	overlaid "$out.run" "$KSRC" "$KDIR" -- env -u MAKEFLAGS O="$KDIR" C=$sparse \
		ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- "$VRNG_TOP/scripts/intree" "$KSRC" ||
		die "make intree against $KSRC failed"
	mod=$out.run/upper1/drivers/char/hw_random/vrng
	mkdir -p "$out/test/modules"
	cp "$mod/vrng.ko" "$out/" || die "make intree built no vrng.ko"
	cp "$mod/test/modules/vrng_kunit.ko" "$out/test/modules/" ||
		die "make intree built no vrng_kunit.ko"
}

# kunit_py ARCH SRC OUT: kunit.py run with the repository's .kunitconfig in
# the kernel tree SRC (vrng placed in it first) for ARCH (arm64, x86_64),
# in QEMU, vrng with 4 KiB buffers (slab-sized: failslab reaches every
# allocation), as in the harness's own KUnit guests; its JSON results in OUT/results.json, the kernel's output in
# OUT/test.log. The build tree is cached once built (a kernel of
# kunit.py's own, keyed by the source, the configuration and the
# compiler); later runs rebuild in an overlay of it what changed: vrng.
kunit_py() {
	local arch=$1 src=$2 out=$3 cc=gcc cross=() key base lock rc=0 image
	case $arch in
	arm64)
		cc=aarch64-linux-gnu-gcc image=arch/arm64/boot/Image.gz
		# pointer authentication emulated the cheap way, as our guests do
		cross=(--cross_compile=aarch64-linux-gnu- "--qemu_args=-cpu max,pauth-impdef=on")
		;;
	x86_64) image=arch/x86/boot/bzImage ;;
	*) die "kunit.py: no QEMU configuration here for '$arch' (arm64, x86_64)" ;;
	esac
	[[ -e $src/tools/testing/kunit/qemu_configs/$arch.py ]] ||
		die "$src: kunit.py has no qemu_configs/$arch.py"
	key=kunit-${src##*/src-}-$arch-$(cat "$VRNG_TOP/.kunitconfig" \
		"$src/tools/testing/kunit/qemu_configs/$arch.py" | sha1sum | cut -c1-10)-$($cc -dumpfullversion)
	base=$VRNG_CACHE/debug-kernel/$key
	rm -rf "$out"
	mkdir -p "$out"
	exec {lock}>"$VRNG_CACHE/debug-kernel/build.lock"
	flock "$lock"
	local dirs=("$src") log=$base/build/test.log
	if [[ -e $base/.done ]]; then
		dirs+=("$base/build")
		log=$out/run/upper1/test.log
	else
		log "kunit.py builds its $arch kernel ($key): cached once built"
		rm -rf "$base"
		mkdir -p "$base/build"
	fi
	# kunit.py asks QEMU for KVM first, which hangs guests here: /dev/kvm
	# is hidden in the namespace, so QEMU falls back to TCG
	overlaid "$out/run" "${dirs[@]}" -- env -u MAKEFLAGS bash -c '
		set -e
		[[ ! -e /dev/kvm ]] || mount --bind /dev/null /dev/kvm
		PLACE_ONLY=1 "$0/scripts/intree" "$1" >/dev/null
		cd "$1"
		exec python3 tools/testing/kunit/kunit.py run "${@:2}"' "$VRNG_TOP" "$src" \
		--kunitconfig=drivers/char/hw_random/vrng --arch="$arch" ${cross[@]+"${cross[@]}"} \
		--qemu_args="-smp 2" --kernel_args=vrng.bufsize=4096 --kernel_args=vrng.depth=4 \
		--build_dir="$base/build" --jobs="$(nproc)" --timeout=900 \
		--json="$out/results.json" || rc=$?
	if [[ ! -e $base/.done && -s $base/build/$image ]]; then
		touch "$base/.done"
	fi
	[[ ! -e $log ]] || cp "$log" "$out/test.log"
	return $rc
}
