# shellcheck shell=bash
# Debian's kernels (images and headers, resolved through the meta-packages),
# the debug kernel built from Debian's newest linux-source, and module
# builds against either. Sourced by test/lib.sh.

# kernel_prepare NAME: NAME is one of 5.10-arm64, 6.1-arm64, 6.12-arm64,
# 6.1-amd64, 6.12-amd64 (Debian 12's, 11's for 5.10), trixie-arm64,
# trixie-amd64 (Debian 13's), newest-arm64, newest-amd64 (the newest
# Debian has: sid's, or experimental's). Resolves the current ABI through the
# meta-packages of the kernel's Debian suite, fetches image and headers
# (plus the amd64 kbuild tools), and writes $VRNG_CACHE/kernel-NAME.env
# with KVER, KARCH, KDIR, KIMAGE, KMODDIR, KPKGVER (and KCC where the
# headers name a compiler Debian 12 does not have; KROOT where the build
# runs in a root of the kernel's suite, which has its compiler).
kernel_prepare() {
	local name=$1 suite=bookworm meta_img meta_hdr img hdr arch common kbuild
	local root env=$VRNG_CACHE/kernel-$1.env kcc="" kroot=""

	case $name in
	5.10-arm64)
		# Debian 11's kernel; its headers ask for gcc-10, which Debian 12
		# lacks: built with Debian 12's cross gcc.
		suite=bullseye arch=arm64 kcc=aarch64-linux-gnu-gcc
		meta_img=linux-image-arm64 meta_hdr=linux-headers-arm64 ;;
	6.1-arm64) arch=arm64 meta_img=linux-image-arm64 meta_hdr=linux-headers-arm64 ;;
	6.12-arm64) arch=arm64 meta_img=linux-image-6.12-arm64 meta_hdr=linux-headers-6.12-arm64 ;;
	6.1-amd64) arch=amd64 meta_img=linux-image-amd64 meta_hdr=linux-headers-amd64 ;;
	6.12-amd64) arch=amd64 meta_img=linux-image-6.12-amd64 meta_hdr=linux-headers-6.12-amd64 ;;
	trixie-arm64 | trixie-amd64)
		# Debian 13's headers name gcc-14: built in a trixie root
		suite=trixie arch=${name#trixie-} kroot=$(build_root trixie 14)
		meta_img=linux-image-$arch meta_hdr=linux-headers-$arch ;;
	newest-arm64 | newest-amd64)
		# the newest kernel Debian has, experimental's release candidate
		# or sid's: built in a root with the gcc its headers name (below)
		suite=newest arch=${name#newest-}
		meta_img=linux-image-$arch meta_hdr=linux-headers-$arch ;;
	*) die "unknown kernel $name" ;;
	esac
	apt_update "$suite"
	hdr=$(resolve "$suite" "$meta_hdr:$arch" '^linux-headers-')
	hdr=${hdr%%:*}
	common=$(resolve "$suite" "$hdr:$arch" '^linux-headers-.*-common')
	common=${common%%:*}
	kbuild=$(resolve "$suite" "$hdr:$arch" '^linux-kbuild-')
	kbuild=${kbuild%%:*}
	if [[ $suite == newest ]]; then
		# the headers name it gcc-N-for-host (7.3) or gcc-N
		kroot=$(resolve "$suite" "$hdr:$arch" '^gcc-[0-9]+(-for-host)?(:|$)')
		kroot=${kroot#gcc-}
		kroot=$(build_root newest "${kroot%%[-:]*}")
	fi
	img=$(resolve "$suite" "$meta_img:$arch" '^linux-image-[0-9]')
	img=${img%%:*}
	local kver=${hdr#linux-headers-}
	# 7.3 on: the image package holds nothing but dependencies, the kernel
	# (linux-binary-*, in /usr/lib/modules), modules and module lists
	# (linux-modules-*, linux-base-*) are packages of their own
	local parts=() part
	for part in binary modules base; do
		part=$(resolve_opt "$suite" "$img:$arch" "^linux-$part-[0-9]") || continue
		parts+=("${part%%:*}:$arch")
	done
	fetch "$suite" "$hdr:$arch" "$common" "$kbuild:amd64" "$img:$arch" ${parts[@]+"${parts[@]}"}
	root=$VRNG_CACHE/kernels/$kver
	# .done names the packages unpacked: a cache made from others is redone.
	if [[ $(cat "$root/.done" 2>/dev/null) != "$(printf '%s\n' "${FETCHED[@]##*/}")" ]]; then
		log "unpacking $kver"
		rm -rf "$root"
		unpack "$root" "${FETCHED[@]}"
		rm "$root/.done"
		# Debian 13's packages put modules in /usr/lib (merged /usr)
		[[ -e $root/lib || ! -d $root/usr/lib/modules ]] || ln -s usr/lib "$root/lib"
		# The headers include their common part by absolute path (and,
		# 7.3 on, name themselves as the output tree the same way).
		sed -i -e "s|^include /usr/src/|include $root/usr/src/|" \
			-e "s|^KBUILD_OUTPUT=/usr/src/|KBUILD_OUTPUT=$root/usr/src/|" \
			"$root/usr/src/linux-headers-$kver/Makefile"
		depmod -b "$root" "$kver" || die "depmod $kver failed"
		printf '%s\n' "${FETCHED[@]##*/}" >"$root/.done"
	fi
	{
		echo "KNAME=$name"
		echo "KVER=$kver"
		echo "KARCH=$arch"
		echo "KDIR=$root/usr/src/linux-headers-$kver"
		echo "KPKGVER=$(pkg_version "$suite" "$hdr:$arch")"
		if [[ -e $root/boot/vmlinuz-$kver ]]; then
			echo "KIMAGE=$root/boot/vmlinuz-$kver"
		else
			echo "KIMAGE=$root/lib/modules/$kver/vmlinuz"
		fi
		echo "KMODDIR=$root/lib/modules/$kver"
		[[ -z $kcc ]] || echo "KCC=$kcc"
		[[ -z $kroot ]] || echo "KROOT=$kroot"
	} >"$env"
	echo "$env"
}

# build_module ENV OUT [MAKEARGS...]: build vrng.ko (and what MAKEARGS ask
# for) for the kernel described by ENV in the directory OUT, with W=1 and
# sparse (unless ENV says KSPARSE=no); any warning fails the build. Prints
# the path of vrng.ko. The sources are the tree's, or those in $VRNG_SRC
# (build_module_at).
build_module() {
	local env=$1 out=$2 cross=() KARCH KDIR KVER KCC="" KSPARSE=yes KROOT="" src=${VRNG_SRC:-$VRNG_TOP}
	local -a run=()
	shift 2
	# shellcheck disable=SC1090
	source "$env"
	[[ $KARCH == arm64 ]] && cross=(CROSS_COMPILE=aarch64-linux-gnu-)
	[[ -z $KCC ]] || cross+=("CC=$KCC")
	[[ $KSPARSE == no ]] || cross+=(C=2 CHECK=sparse)
	[[ -n $KROOT ]] || kbuild_check_tools "$KDIR"
	[[ -z $KROOT ]] || run=(in_build_root "$KROOT" "$VRNG_CACHE/kernels" "$out" --)
	rm -rf "$out"
	mkdir -p "$out"
	cp "$src"/Kbuild "$src"/*.c "$src"/*.h "$out"/
	# no git in the copy: its version in a file, as DKMS sources carry it
	if [[ -e $src/VERSION ]]; then
		cp "$src/VERSION" "$out/"
	else
		"$VRNG_TOP/scripts/version" >"$out/VERSION"
	fi
	mkdir -p "$out/test"
	[[ ! -d $src/test/modules ]] || cp -r "$src/test/modules" "$out/test/"
	if ! ${run[@]+"${run[@]}"} make -C "$KDIR" M="$out" ARCH="$KARCH" "${cross[@]}" W=1 "$@" modules \
		>"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		# what changed in the kernel shows in the compiler's first errors
		grep -m 5 -E 'error:' "$out/build.log" | sed 's/^/first error: /' >&2 || true
		die "build against $KVER failed"
	fi
	if grep -E 'warning:|error:' "$out/build.log" >&2; then
		die "build against $KVER is not warning-free"
	fi
	echo "$out/vrng.ko"
}

# build_module_at REV NAME ENV OUT: vrng as it was at git revision REV,
# built as the module NAME, so that it can sit beside the tree's vrng.ko
# (make bench's A/B mode): its driver, debugfs directory, trace system
# and tracepoints take NAME, its hwrng names NAME.N. Prints the path of
# NAME.ko.
build_module_at() {
	local rev=$1 name=$2 env=$3 out=$4 src=$4-src
	git -C "$VRNG_TOP" rev-parse --verify -q "$rev^{commit}" >/dev/null ||
		die "bench A/B: $rev is not a commit of this repository"
	rm -rf "$src"
	mkdir -p "$src"
	git -C "$VRNG_TOP" archive "$rev" | tar -x -C "$src"
	git -C "$VRNG_TOP" describe --always --long "$rev" >"$src/VERSION"
	sed -i "s/^obj-m += vrng\.o/obj-m += $name.o/; s/^vrng-y :=/$name-y :=/" "$src/Kbuild"
	sed -i 's/"vrng\.%d"/KBUILD_MODNAME ".%d"/' "$src/vrng_main.c"
	# tracepoints export symbols named after their events: rename those too
	[[ ! -e $src/vrng_trace.h ]] ||
		sed -i "s/^#define TRACE_SYSTEM vrng\$/#define TRACE_SYSTEM $name/; s/TRACE_EVENT(vrng_/TRACE_EVENT(${name}_/" \
			"$src/vrng_trace.h"
	sed -i "s/\b\(trace_\|EXPORT_TRACEPOINT_SYMBOL_GPL(\)vrng_/\1${name}_/g" "$src"/*.c
	VRNG_SRC=$src build_module "$env" "$out" >/dev/null
	[[ -s $out/$name.ko ]] || die "bench A/B: no $name.ko built from $rev"
	echo "$out/$name.ko"
}

# kbuild_check_tools KDIR: the tools a module build for KDIR runs beyond
# the compiler are here (a clear stop, not an error deep inside Kbuild).
kbuild_check_tools() {
	if grep -qx 'CONFIG_DEBUG_INFO_BTF_MODULES=y' "$1/include/config/auto.conf"; then
		need pahole "Kbuild runs it for modules of $KVER: CONFIG_DEBUG_INFO_BTF_MODULES=y; Debian ships it in dwarves"
	fi
}

# build_tool SRC OUT ARCH: a static binary for an ARCH guest from test/tools.
build_tool() {
	local cc=gcc
	[[ $3 == arm64 ]] && cc=aarch64-linux-gnu-gcc
	mkdir -p "$(dirname "$2")"
	$cc -O2 -Wall -Wextra -Werror -static -o "$2" "$1" || die "cannot build $1"
}

# The debug kernels, "SET FRAGMENT..." each (debug_kernel_prepare):
#   debug      KASAN, lockdep, kmemleak, KUnit, gdb's scripts; built from
#              the newest kernel source Debian has (sid's or experimental's)
#   kcsan      the same source with KCSAN in place of KASAN (they cannot
#              share a kernel)
#   debug-6.1  KASAN from Debian 12's linux-source-6.1 (LTS), with ACPI
declare -A VRNG_DEBUG_KERNELS=(
	[debug]="newest kasan gdb"
	[kcsan]="newest kcsan"
	[debug-6.1]="bookworm kasan acpi"
)

# debug_kernel_known KNAME: KNAME is one of the debug kernels
debug_kernel_known() {
	[[ -n ${VRNG_DEBUG_KERNELS[$1]:-} ]]
}

# debug_kernel KNAME: the debug kernel KNAME, built if not cached; prints
# its env file
debug_kernel() {
	local set frags
	debug_kernel_known "$1" || die "unknown debug kernel $1"
	read -r set frags <<<"${VRNG_DEBUG_KERNELS[$1]}"
	# shellcheck disable=SC2086 # the fragments are words
	debug_kernel_prepare "$set" "$1" $frags
}

# debug_kernel_prepare SET KNAME FRAGMENT...: build an arm64 kernel from
# the newest linux-source-* of the suite set SET (newest: sid and
# experimental, the newest kernel Debian has; bookworm: Debian 12's LTS,
# 6.1) with test/kernel/debug.config and the FRAGMENTs
# (test/kernel/NAME.config: the detectors, which cannot all share a
# kernel; gdb, DWARF and the gdb scripts) merged over allnoconfig, cached
# by source version, fragments and compiler. Writes and prints an env file
# like kernel_prepare's, named KNAME (KDIR is the build tree, with vmlinux
# and the gdb scripts).
debug_kernel_prepare() {
	local set=$1 kname=$2 ver key dir src env f
	local cross=aarch64-linux-gnu- lock=""
	local frags=("$VRNG_TOP/test/kernel/debug.config")
	for f in "${@:3}"; do frags+=("$VRNG_TOP/test/kernel/$f.config"); done
	local kcsan="" targets=(Image modules)
	[[ " ${*:3} " == *" kcsan "* ]] && kcsan=1
	[[ " ${*:3} " == *" gdb "* ]] && targets+=(scripts_gdb)

	src=$(kernel_source "$set")
	ver=${src##*/src-}
	key=$ver-$(cat "${frags[@]}" | sha1sum | cut -c1-10)-$(${cross}gcc -dumpfullversion)
	dir=$VRNG_CACHE/debug-kernel/$key
	env=$dir/kernel.env
	# One build at a time: a second run (or make check's background job)
	# waits instead of clobbering it; a build already done needs no lock.
	[[ -e $dir/.done ]] || { exec {lock}>"$VRNG_CACHE/debug-kernel/build.lock"; flock "$lock"; }
	if [[ ! -e $dir/.done ]]; then
		rm -rf "$dir"
		mkdir -p "$dir/build"
		log "configuring the debug kernel $kname ($key)"
		(cd "$src" && ARCH=arm64 CROSS_COMPILE=$cross scripts/kconfig/merge_config.sh \
			-n -O "$dir/build" "${frags[@]}" >"$dir/build/config.log" 2>&1) ||
			die "merge_config failed: $dir/build/config.log"
		make -C "$src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross olddefconfig >/dev/null
		for f in "${frags[@]}"; do config_check "$f" "$dir/build/.config"; done
		log "building the debug kernel $kname (long; log in $dir/build/build.log)"
		make -C "$src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross \
			-j"$(nproc)" "${targets[@]}" >"$dir/build/build.log" 2>&1 ||
			die "debug kernel build failed: $dir/build/build.log"
		make -C "$src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross \
			INSTALL_MOD_PATH="$dir/root" modules_install >/dev/null ||
			die "modules_install failed"
		touch "$dir/.done"
	fi
	[[ -z $lock ]] || exec {lock}>&-
	local kver
	kver=$(cat "$dir/build/include/config/kernel.release")
	{
		echo "KNAME=$kname"
		echo "KVER=$kver"
		echo "KARCH=arm64"
		echo "KDIR=$dir/build"
		echo "KSRC=$src"
		echo "KPKGVER=$ver"
		echo "KIMAGE=$dir/build/arch/arm64/boot/Image"
		echo "KMODDIR=$dir/root/lib/modules/$kver"
		# KCSAN watches one access in 400, not 4000: races show up sooner.
		# Its reports are judged by the host (judge_kcsan): the kernel's
		# own races must not stop the guest, so no panic_on_warn there.
		if [[ -n $kcsan ]]; then
			echo "KAPPEND='kunit.enable=1 kunit.autorun=1 kcsan.skip_watch=400'"
		else
			echo "KAPPEND='panic_on_warn=1 kunit.enable=1 kunit.autorun=1'"
		fi
		# Debian 12's sparse (0.6.4) is too old for 7.x's Kbuild.
		[[ $set == bookworm ]] || echo "KSPARSE=no"
	} >"$env"
	echo "$env"
}

# kernel_source SET: the tree of the newest linux-source-* of the suite set
# SET, unpacked once per package version beside the debug kernels (which
# build from it with O=, so it stays clean); prints its path, src-VERSION.
kernel_source() {
	local set=$1 meta ver src lock
	apt_update "$set"
	meta=$(resolve "$set" linux-source '^linux-source-[0-9]')
	fetch "$set" "$meta"
	ver=$(pkg_version "$set" "$meta")
	src=$VRNG_CACHE/debug-kernel/src-$ver
	mkdir -p "$VRNG_CACHE/debug-kernel"
	if [[ ! -e $src/.unpacked ]]; then
		exec {lock}>"$src.lock"
		flock "$lock"
		[[ -e $src/.unpacked ]] || debug_kernel_unpack "${FETCHED[0]}" "$src" >&2
		exec {lock}>&-
	fi
	echo "$src"
}

# debug_kernel_unpack DEB DIR: the kernel tree of a linux-source package
debug_kernel_unpack() {
	local tmp tarball
	log "unpacking $(basename "$1")"
	rm -rf "$2" "$2.tmp"
	tmp=$2.tmp
	mkdir -p "$tmp"
	dpkg-deb --fsys-tarfile "$1" | tar -x -C "$tmp" --wildcards './usr/src/*.tar.xz'
	tarball=$(compgen -G "$tmp/usr/src/linux-source-*.tar.xz")
	tar -xJf "$tarball" -C "$tmp"
	mv "$(compgen -G "$tmp/linux-source-*")" "$2"
	rm -rf "$tmp"
	touch "$2/.unpacked"
}

# config_check FRAGMENT CONFIG: every CONFIG_X=v of FRAGMENT is in CONFIG.
config_check() {
	local line dropped=()
	while read -r line; do
		[[ $line == CONFIG_* ]] || continue
		grep -qx "$line" "$2" || dropped+=("$line")
	done <"$1"
	[[ ${#dropped[@]} -eq 0 ]] || die "config options dropped by Kconfig: ${dropped[*]}"
}
