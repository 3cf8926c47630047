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

# kunit_py_opts ARCH: kunit.py's options for ARCH, one a line: arm64 and
# x86_64 in QEMU, um (User Mode Linux, kunit.py's default: the suite's
# software virtio device needs no transport of the host's)
kunit_py_opts() {
	case $1 in
	arm64)
		echo --cross_compile=aarch64-linux-gnu-
		# pointer authentication emulated the cheap way, as our guests do
		echo "--qemu_args=-cpu max,pauth-impdef=on"
		echo "--qemu_args=-smp 2"
		;;
	x86_64) echo "--qemu_args=-smp 2" ;;
	um) ;;
	*) die "kunit.py: no configuration here for '$1' (arm64, x86_64, um)" ;;
	esac
	echo --kunitconfig=drivers/char/hw_random/vrng
	echo "--arch=$1"
}

# kunit_py_base ARCH SRC: where kunit.py's ARCH kernel for the tree SRC is
# cached, keyed by the source, the configuration (.kunitconfig and
# kunit.py's own for ARCH) and the compiler
kunit_py_base() {
	local cc=gcc conf=$2/tools/testing/kunit/qemu_configs/$1.py
	[[ $1 == arm64 ]] && cc=aarch64-linux-gnu-gcc
	[[ $1 == um ]] && conf=$2/tools/testing/kunit/configs/arch_uml.config
	[[ -e $conf ]] || die "$2: kunit.py has no configuration for $1 (${conf#"$2"/})"
	echo "$VRNG_CACHE/debug-kernel/kunit-${2##*/src-}-$1-$(cat "$VRNG_TOP/.kunitconfig" "$conf" |
		sha1sum | cut -c1-10)-$($cc -dumpfullversion)"
}

# kunit_py_in RUN SRC [DIR...] -- ARGS...: tools/testing/kunit/kunit.py
# ARGS in the tree SRC with vrng placed in it, SRC and each DIR covered by
# overlays writing to RUN (overlaid). kunit.py asks QEMU for KVM first,
# which hangs guests here: /dev/kvm is hidden in the namespace, so QEMU
# falls back to TCG.
kunit_py_in() {
	local run=$1 src=$2
	local -a dirs=("$2")
	shift 2
	while [[ $1 != -- ]]; do dirs+=("$1"); shift; done
	shift
	overlaid "$run" "${dirs[@]}" -- env -u MAKEFLAGS bash -c '
		set -e
		[[ ! -e /dev/kvm ]] || mount --bind /dev/null /dev/kvm
		PLACE_ONLY=1 "$0/scripts/intree" "$1" >/dev/null
		cd "$1"
		exec python3 tools/testing/kunit/kunit.py "${@:2}"' "$VRNG_TOP" "$src" "$@"
}

# kunit_py_build ARCH SRC: kunit.py's own ARCH kernel for the tree SRC
# (.kunitconfig: vrng and its suite built in), built once and cached;
# prints its directory (the build tree in build/)
kunit_py_build() {
	local arch=$1 src=$2 base lock opts
	base=$(kunit_py_base "$arch" "$src")
	mapfile -t opts < <(kunit_py_opts "$arch")
	if [[ ! -e $base/.done ]]; then
		exec {lock}>"$VRNG_CACHE/debug-kernel/build.lock"
		flock "$lock"
		if [[ ! -e $base/.done ]]; then
			log "kunit.py builds its $arch kernel (${base##*/}): cached once built"
			rm -rf "$base"
			mkdir -p "$base/build"
			kunit_py_in "$base/run" "$src" -- build "${opts[@]}" --build_dir="$base/build" \
				--jobs="$(nproc)" >"$base/build.log" 2>&1 ||
				{ tail -n 30 "$base/build.log" >&2; die "kunit.py build for $arch failed (log: $base/build.log)"; }
			rm -rf "$base/run"
			touch "$base/.done"
		fi
		exec {lock}>&-
	fi
	echo "$base"
}

# kunit_py ARCH SRC OUT: kunit.py run with the repository's .kunitconfig in
# the kernel tree SRC (vrng placed in it first) for ARCH, in QEMU or User
# Mode Linux, vrng with 4 KiB buffers (slab-sized: failslab reaches every
# allocation), as in the harness's own KUnit guests; its JSON results in
# OUT/results.json, the kernel's output in OUT/test.log. It runs in an
# overlay of the cached build (kunit_py_build; make check's background
# job may be making it), so it rebuilds only what changed: vrng.
kunit_py() {
	local arch=$1 src=$2 out=$3 base opts rc=0
	base=$(derived_boosted kunit_py_build "$arch" "$src")
	mapfile -t opts < <(kunit_py_opts "$arch")
	rm -rf "$out"
	mkdir -p "$out"
	kunit_py_in "$out/run" "$src" "$base/build" -- run "${opts[@]}" \
		--kernel_args=vrng.bufsize=4096 --kernel_args=vrng.depth=4 \
		--build_dir="$base/build" --jobs="$(nproc)" --timeout=900 \
		--json="$out/results.json" || rc=$?
	[[ ! -e $out/run/upper1/test.log ]] || cp "$out/run/upper1/test.log" "$out/test.log"
	return $rc
}
