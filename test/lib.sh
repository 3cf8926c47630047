# shellcheck shell=bash
# vrng test harness: shared functions. Sourced by the scripts in test/.
#
# Everything downloaded or built lives in $VRNG_CACHE (default
# ~/.cache/vrng), keyed by package version, so that a second run is fast.

VRNG_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VRNG_CACHE=${VRNG_CACHE:-$HOME/.cache/vrng}
VRNG_MIRROR=${VRNG_MIRROR:-http://deb.debian.org}
VRNG_GUEST_TIMEOUT=${VRNG_GUEST_TIMEOUT:-600}

shopt -s inherit_errexit

log() { printf '[vrng] %s\n' "$*" >&2; }
die() { printf '[vrng] error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------- host tools

# command (or absolute path of a file) -> Debian package that provides it
declare -A VRNG_HOST_TOOLS=(
	[/usr/aarch64-linux-gnu/lib/libc.a]=libc6-dev-arm64-cross
	[gnuplot]=gnuplot-nox
	[gdb-multiarch]=gdb-multiarch
	[flex]=flex
	[bison]=bison
	[/usr/include/libelf.h]=libelf-dev
	[/usr/include/openssl/ssl.h]=libssl-dev
	[gcc]=gcc
	[qemu-system-aarch64]=qemu-system-arm
	[aarch64-linux-gnu-gcc-12]=gcc-12-aarch64-linux-gnu
	[aarch64-linux-gnu-gcc]=gcc-aarch64-linux-gnu
	[gcc-12]=gcc-12
	[make]=make
	[cpio]=cpio
	[xz]=xz-utils
	[depmod]=kmod
	[python3]=python3
	[timeout]=coreutils
	[sparse]=sparse
	[perl]=perl
	[bc]=bc
)

ensure_host_tools() {
	local cmd missing=()

	for cmd in "${!VRNG_HOST_TOOLS[@]}" "$@"; do
		if [[ $cmd == /* ]]; then
			[[ -e ${cmd%%=*} ]] && continue
		else
			command -v "${cmd%%=*}" >/dev/null 2>&1 && continue
		fi
		if [[ $cmd == *=* ]]; then
			missing+=("${cmd#*=}")
		else
			missing+=("${VRNG_HOST_TOOLS[$cmd]}")
		fi
	done
	[[ ${#missing[@]} -eq 0 ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "missing host packages (${missing[*]}); run as root or install them"
	log "installing host packages: ${missing[*]}"
	apt-get update -qq >&2 || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${missing[@]}" >&2 || die "apt-get install ${missing[*]} failed"
}

# ------------------------------------------------- private apt configuration

# apt_priv SET ARGS...: apt-get/apt-cache with a private configuration for
# the suite set SET (bookworm or sid), amd64 + arm64. The system's apt
# sources are never touched.
apt_opts() {
	local d=$VRNG_CACHE/apt-$1

	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$d/sources.list" \
		-o "Dir::Etc::sourceparts=-" \
		-o "Dir::State::Lists=$d/lists" \
		-o "Dir::Cache=$d/cache" \
		-o "Dir::State::status=$d/status" \
		-o "APT::Architecture=amd64" \
		-o "APT::Architectures::=amd64" \
		-o "APT::Architectures::=arm64" \
		-o "APT::Sandbox::User=root" \
		-o "Debug::NoLocking=1"
}

apt_sources() {
	case $1 in
	bookworm)
		echo "deb [arch=amd64,arm64] $VRNG_MIRROR/debian bookworm main"
		echo "deb [arch=amd64,arm64] $VRNG_MIRROR/debian-security bookworm-security main"
		;;
	sid)
		echo "deb [arch=amd64,arm64] $VRNG_MIRROR/debian sid main"
		;;
	*) die "unknown suite set $1" ;;
	esac
}

# apt_update SET: refresh the private lists at most once a day.
apt_update() {
	local d=$VRNG_CACHE/apt-$1 opts

	mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
	apt_sources "$1" >"$d/sources.list"
	touch "$d/status"
	if [[ -z $(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null) ]]; then
		log "updating package lists ($1)"
		mapfile -t opts < <(apt_opts "$1")
		apt-get "${opts[@]}" -qq update >&2 || die "apt-get update ($1) failed"
	fi
}

apt_priv() {
	local set=$1 tool=$2 opts
	shift 2
	mapfile -t opts < <(apt_opts "$set")
	"$tool" "${opts[@]}" "$@"
}

# resolve SET PKG REGEX: the first dependency of PKG whose name matches REGEX
# (how a meta-package names the current ABI).
resolve() {
	apt_priv "$1" apt-cache depends "$2" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\([^ >]*\)>\{0,1\}$/\1/p' |
		grep -E -m1 "$3" || die "cannot resolve a dependency of $2 matching $3"
}

# pkg_version SET PKG: candidate version of PKG
pkg_version() {
	apt_priv "$1" apt-cache policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: //p'
}

# fetch SET PKG...: download .debs into $VRNG_CACHE/debs/SET (once); their
# paths are left in the array FETCHED.
fetch() {
	local set=$1 pkg dir=$VRNG_CACHE/debs/$1 name ver arch file
	shift
	FETCHED=()
	mkdir -p "$dir"
	for pkg in "$@"; do
		name=${pkg%%:*}
		arch=${pkg#*:}
		[[ $arch == "$pkg" ]] && arch='*'
		ver=$(pkg_version "$set" "$pkg")
		[[ -n $ver && $ver != "(none)" ]] || die "package $pkg not found in $set"
		# apt-get download writes the epoch's colon as %3a.
		file=$dir/${name}_${ver//:/%3a}_${arch}.deb
		if ! compgen -G "$file" >/dev/null; then
			(cd "$dir" && apt_priv "$set" apt-get -qq download "$pkg" >&2) ||
				die "download of $pkg failed"
		fi
		file=$(compgen -G "$file" | head -n1) || die "downloaded $pkg but cannot find $file"
		FETCHED+=("$file")
	done
}

# unpack DIR DEB...: extract packages into DIR (once; DIR/.done marks it).
unpack() {
	local dir=$1 deb
	shift
	[[ -e $dir/.done ]] && return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	for deb in "$@"; do
		dpkg-deb -x "$deb" "$dir" || die "cannot unpack $deb"
	done
	touch "$dir/.done"
}

# ------------------------------------------------------------ Debian kernels

# kernel_prepare NAME: NAME is one of 6.1-arm64, 6.12-arm64, 6.1-amd64.
# Resolves the current ABI through the meta-packages, fetches image and
# headers (plus the amd64 kbuild tools), and writes $VRNG_CACHE/kernel-NAME.env
# with KVER, KARCH, KDIR, KIMAGE, KMODDIR, KPKGVER.
kernel_prepare() {
	local name=$1 meta_img meta_hdr img hdr arch kbuild_arch=amd64 common kbuild
	local root env=$VRNG_CACHE/kernel-$1.env debs

	apt_update bookworm
	case $name in
	6.1-arm64) arch=arm64 meta_img=linux-image-arm64 meta_hdr=linux-headers-arm64 ;;
	6.12-arm64) arch=arm64 meta_img=linux-image-6.12-arm64 meta_hdr=linux-headers-6.12-arm64 ;;
	6.1-amd64) arch=amd64 meta_img="" meta_hdr=linux-headers-amd64 ;;
	*) die "unknown kernel $name" ;;
	esac
	hdr=$(resolve bookworm "$meta_hdr:$arch" '^linux-headers-')
	hdr=${hdr%%:*}
	common=$(resolve bookworm "$hdr:$arch" '^linux-headers-.*-common')
	common=${common%%:*}
	kbuild=$(resolve bookworm "$hdr:$arch" '^linux-kbuild-')
	kbuild=${kbuild%%:*}
	local kver=${hdr#linux-headers-}
	fetch bookworm "$hdr:$arch" "$common" "$kbuild:$kbuild_arch"
	debs=("${FETCHED[@]}")
	if [[ -n $meta_img ]]; then
		img=$(resolve bookworm "$meta_img:$arch" '^linux-image-[0-9]')
		img=${img%%:*}
		fetch bookworm "$img:$arch"
		debs+=("${FETCHED[@]}")
	fi
	root=$VRNG_CACHE/kernels/$kver
	if [[ ! -e $root/.done ]]; then
		log "unpacking $kver"
		unpack "$root" "${debs[@]}"
		rm "$root/.done"
		# The headers include their common part by absolute path.
		sed -i "s|^include /usr/src/|include $root/usr/src/|" \
			"$root/usr/src/linux-headers-$kver/Makefile"
		if [[ -n $meta_img ]]; then
			depmod -b "$root" "$kver" || die "depmod $kver failed"
		fi
		touch "$root/.done"
	fi
	{
		echo "KNAME=$name"
		echo "KVER=$kver"
		echo "KARCH=$arch"
		echo "KDIR=$root/usr/src/linux-headers-$kver"
		echo "KPKGVER=$(pkg_version bookworm "$hdr:$arch")"
		if [[ -n $meta_img ]]; then
			echo "KIMAGE=$root/boot/vmlinuz-$kver"
			echo "KMODDIR=$root/lib/modules/$kver"
		fi
	} >"$env"
	echo "$env"
}

# ---------------------------------------------------------- guest userland

# userland_prepare: busybox-static, rngtest and libc for arm64.
# Prints the directory they are unpacked in.
userland_prepare() {
	local dir

	apt_update bookworm
	fetch bookworm busybox-static:arm64 rng-tools5:arm64 libc6:arm64
	dir=$VRNG_CACHE/userland/$(printf '%s\n' "${FETCHED[@]##*/}" | sha1sum | cut -c1-12)
	unpack "$dir" "${FETCHED[@]}"
	echo "$dir"
}

# ------------------------------------------------------------- module build

# build_module ENV OUT [MAKEARGS...]: build vrng.ko (and what MAKEARGS ask
# for) for the kernel described by ENV in the directory OUT, with W=1;
# any compiler warning fails the build. Prints the path of vrng.ko.
build_module() {
	local env=$1 out=$2 cross=() KARCH KDIR KVER
	shift 2
	# shellcheck disable=SC1090
	source "$env"
	[[ $KARCH == arm64 ]] && cross=(CROSS_COMPILE=aarch64-linux-gnu-)
	rm -rf "$out"
	mkdir -p "$out"
	cp "$VRNG_TOP"/Kbuild "$VRNG_TOP"/*.c "$VRNG_TOP"/*.h "$out"/
	mkdir -p "$out/test"
	cp -r "$VRNG_TOP/test/modules" "$out/test/"
	if ! make -C "$KDIR" M="$out" ARCH="$KARCH" "${cross[@]}" W=1 "$@" modules \
		>"$out/build.log" 2>&1; then
		cat "$out/build.log" >&2
		die "build against $KVER failed"
	fi
	if grep -E 'warning:|error:' "$out/build.log" >&2; then
		die "build against $KVER is not warning-free"
	fi
	echo "$out/vrng.ko"
}

# build_tool SRC OUT: a static arm64 binary for the guest from test/tools.
build_tool() {
	aarch64-linux-gnu-gcc -O2 -Wall -Wextra -Werror -static -o "$2" "$1" ||
		die "cannot build $1"
}

# ---------------------------------------------------------------- initramfs

# module_closure MODDIR NAME...: paths (relative to MODDIR) of the named
# modules and their dependencies, dependencies first.
module_closure() {
	python3 "$VRNG_TOP/test/moddeps.py" "$@"
}

# cpio_dir DIR OUT: pack DIR as a newc cpio archive (owned by root).
cpio_dir() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0) >"$2" || die "cpio of $1 failed"
}

# initramfs_base ENV: a cpio with busybox, rngtest + libc, the transport
# modules of the kernel in ENV (virtio_pci, virtio_mmio and dependencies),
# the guest init and its library. Cached per kernel and userland version.
# Prints the path of the archive.
initramfs_base() {
	local env=$1 user dir out mods m KVER KMODDIR
	# shellcheck disable=SC1090
	source "$env"
	user=$(userland_prepare)
	out=$VRNG_CACHE/initramfs/base-$KVER-${user##*/}-$(cat "$VRNG_TOP"/test/guest/* | sha1sum | cut -c1-12).cpio
	if [[ -s $out ]]; then
		echo "$out"
		return 0
	fi
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,lib/aarch64-linux-gnu,proc,sys,dev,tmp,etc}
	cp "$user/bin/busybox" "$dir/bin/busybox"
	cp "$user/usr/bin/rngtest" "$dir/usr/bin/rngtest"
	cp -L "$user/lib/aarch64-linux-gnu/libc.so.6" "$user/lib/aarch64-linux-gnu/ld-linux-aarch64.so.1" \
		"$dir/lib/aarch64-linux-gnu/"
	ln -s aarch64-linux-gnu/ld-linux-aarch64.so.1 "$dir/lib/ld-linux-aarch64.so.1"
	cp "$VRNG_TOP/test/guest/init" "$dir/init"
	cp "$VRNG_TOP/test/guest/lib.sh" "$dir/lib/vrng-guest.sh"
	chmod 755 "$dir/init"
	mkdir -p "$dir/lib/modules/$KVER"
	: >"$dir/etc/modules.load"
	mods=$(module_closure "$KMODDIR" virtio_pci virtio_mmio)
	for m in $mods; do
		install_module "$KMODDIR/$m" "$dir/lib/modules/$KVER/${m%.xz}"
		echo "/lib/modules/$KVER/${m%.xz}" >>"$dir/etc/modules.load"
	done
	mkdir -p "$(dirname "$out")"
	cpio_dir "$dir" "$out.tmp"
	rm -rf "$dir"
	mv "$out.tmp" "$out"
	echo "$out"
}

# install_module SRC DST: copy a module, decompressing .ko.xz (busybox insmod
# takes plain ELF only).
install_module() {
	mkdir -p "$(dirname "$2")"
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}

# initramfs_scenario BASE OUT SCENARIO [FILE...]: BASE plus a second cpio
# holding the scenario script as /scenario.sh and FILEs in /vrng/ (the
# kernel unpacks concatenated archives in order).
initramfs_scenario() {
	local base=$1 out=$2 scenario=$3 dir f
	shift 3
	dir=$(mktemp -d)
	mkdir -p "$dir/vrng"
	cp "$scenario" "$dir/scenario.sh"
	for f in "$@"; do
		cp -r "$f" "$dir/vrng/"
	done
	cpio_dir "$dir" "$out.extra"
	rm -rf "$dir"
	cat "$base" "$out.extra" >"$out"
	rm -f "$out.extra"
}

# ------------------------------------------------------------------ guests

# The report headers of the kernel's bug detectors. Matched case-sensitively
# on whole report headers, so that benign lines (MAX_LOCKDEP_*, "kasan:
# KernelAddressSanitizer initialized") do not count.
VRNG_SPLAT_RE='(WARNING:|BUG:|Oops|Kernel panic|blocked for more than|hung_task|Call trace:|KASAN:|possible recursive locking|possible circular locking|inconsistent lock state|suspicious RCU usage|unreferenced object|UBSAN:|general protection fault)'

# boot_guest IMAGE INITRD LOG DEVICE-ARGS [APPEND]: run an arm64 guest and
# wait for it to power off (bounded by VRNG_GUEST_TIMEOUT). Console to LOG.
boot_guest() {
	local image=$1 initrd=$2 logf=$3 devargs=$4 append=${5:-} rc=0
	local -a dev
	read -r -a dev <<<"$devargs"
	timeout --foreground -k 10 "$VRNG_GUEST_TIMEOUT" \
		qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m "${VRNG_GUEST_MEM:-1024}" \
		-nodefaults -no-reboot -display none -monitor none -serial stdio \
		-kernel "$image" -initrd "$initrd" \
		-append "console=ttyAMA0 rdinit=/init panic=-1 oops=panic $append" \
		"${dev[@]}" </dev/null >"$logf" 2>&1 || rc=$?
	[[ $rc -eq 124 || $rc -eq 137 ]] && echo "VRNG-HARNESS: guest timed out after ${VRNG_GUEST_TIMEOUT}s" >>"$logf"
	return 0
}

# judge LOG: a guest passed only if it printed the positive result marker
# and its console holds no bug report. Prints the reasons of a failure.
judge() {
	local logf=$1 ok=0
	if ! grep -q '^VRNG-RESULT: PASS' "$logf"; then
		echo "no PASS marker"
		ok=1
	fi
	grep -E '^VRNG-CHECK: FAIL' "$logf" || true
	if grep -E "$VRNG_SPLAT_RE" "$logf" | grep -v '^VRNG-' >&2; then
		echo "kernel bug report on the console"
		ok=1
	fi
	grep -E '^VRNG-HARNESS:' "$logf" || true
	return $ok
}

# transport_args pci|mmio|pci-slow|none [N]: QEMU arguments for N
# virtio-rng devices.
transport_args() {
	local i n=${2:-1} args=""
	for ((i = 0; i < n; i++)); do
		case $1 in
		pci) args+=" -device virtio-rng-pci" ;;
		mmio) args+=" -device virtio-rng-device" ;;
		# 64 bytes a minute: readers block
		pci-slow) args+=" -object rng-builtin,id=rng$i -device virtio-rng-pci,rng=rng$i,max-bytes=64,period=60000" ;;
		none) ;;
		*) die "unknown transport $1" ;;
		esac
	done
	echo "$args"
}

# ------------------------------------------------------- the debug kernel

# debug_kernel_prepare: build an arm64 kernel from Debian's newest
# linux-source-* (sid) with test/kernel/debug.config merged over
# allnoconfig, cached by source version, fragment and compiler. Writes and
# prints an env file like kernel_prepare's (KDIR is the build tree, with
# vmlinux and the gdb scripts).
debug_kernel_prepare() {
	local meta src ver key dir env frag=$VRNG_TOP/test/kernel/debug.config
	local cross=aarch64-linux-gnu- tarball

	apt_update sid
	meta=$(resolve sid linux-source '^linux-source-[0-9]')
	fetch sid "$meta"
	ver=$(pkg_version sid "$meta")
	key=$ver-$(cat "$frag" | sha1sum | cut -c1-10)-$(${cross}gcc -dumpfullversion)
	dir=$VRNG_CACHE/debug-kernel/$key
	env=$dir/kernel.env
	if [[ ! -e $dir/.done ]]; then
		if [[ ! -e $dir/src/.unpacked ]]; then
			rm -rf "$dir"
			mkdir -p "$dir"
			log "unpacking $meta $ver"
			dpkg-deb --fsys-tarfile "${FETCHED[0]}" | tar -x -C "$dir" --wildcards './usr/src/*.tar.xz'
			tarball=$(compgen -G "$dir/usr/src/linux-source-*.tar.xz")
			tar -xJf "$tarball" -C "$dir"
			rm -rf "$dir/usr"
			src=$(compgen -G "$dir/linux-source-*")
			mv "$src" "$dir/src"
			touch "$dir/src/.unpacked"
		fi
		rm -rf "$dir/build"
		mkdir -p "$dir/build"
		log "configuring the debug kernel ($key)"
		(cd "$dir/src" && ARCH=arm64 CROSS_COMPILE=$cross scripts/kconfig/merge_config.sh \
			-n -O "$dir/build" "$frag" >"$dir/build/config.log" 2>&1) ||
			die "merge_config failed: $dir/build/config.log"
		make -C "$dir/src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross olddefconfig >/dev/null
		config_check "$frag" "$dir/build/.config"
		log "building the debug kernel (long: KASAN, DWARF5; log in $dir/build/build.log)"
		make -C "$dir/src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross \
			-j"$(nproc)" Image modules scripts_gdb >"$dir/build/build.log" 2>&1 ||
			die "debug kernel build failed: $dir/build/build.log"
		make -C "$dir/src" O="$dir/build" ARCH=arm64 CROSS_COMPILE=$cross \
			INSTALL_MOD_PATH="$dir/root" modules_install >/dev/null ||
			die "modules_install failed"
		touch "$dir/.done"
	fi
	local kver
	kver=$(cat "$dir/build/include/config/kernel.release")
	{
		echo "KNAME=debug"
		echo "KVER=$kver"
		echo "KARCH=arm64"
		echo "KDIR=$dir/build"
		echo "KSRC=$dir/src"
		echo "KPKGVER=$ver"
		echo "KIMAGE=$dir/build/arch/arm64/boot/Image"
		echo "KMODDIR=$dir/root/lib/modules/$kver"
		echo "KAPPEND='panic_on_warn=1 kunit.enable=1 kunit.autorun=1'"
	} >"$env"
	echo "$env"
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
