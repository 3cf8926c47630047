# shellcheck shell=bash
# The guests' userland (Debian's busybox, rngtest and libc for the guest's
# architecture) and the initramfs archives: a cached base per kernel plus a
# small archive per scenario. Sourced by test/lib.sh.

# guest_triplet ARCH: the multiarch triplet of a guest architecture
guest_triplet() {
	case $1 in
	arm64) echo aarch64-linux-gnu ;;
	amd64) echo x86_64-linux-gnu ;;
	*) die "unknown guest architecture $1" ;;
	esac
}

# guest_interp ARCH: the dynamic loader's path, as the programs name it
guest_interp() {
	case $1 in
	arm64) echo /lib/ld-linux-aarch64.so.1 ;;
	amd64) echo /lib64/ld-linux-x86-64.so.2 ;;
	esac
}

# userland_prepare ARCH: the guest packages of test/packages (busybox-static,
# rngtest and libc) for ARCH. Prints the directory they are unpacked in.
userland_prepare() {
	local dir pkgs

	apt_update bookworm
	mapfile -t pkgs < <(declared guest | sed "s/ .*/:$1/")
	fetch bookworm "${pkgs[@]}"
	dir=$VRNG_CACHE/userland/$(printf '%s\n' "${FETCHED[@]##*/}" | sha1sum | cut -c1-12)
	unpack "$dir" "${FETCHED[@]}"
	echo "$dir"
}

# guest_kmod ARCH: Debian's /bin/kmod for ARCH and the libraries it links
# (from its ELF header), laid out as in / under a directory "kmod".
# Prints that directory.
guest_kmod() {
	local user triplet dir=$VRNG_OUT/kmod-$1/kmod lib path
	user=$(userland_prepare "$1")
	triplet=$(guest_triplet "$1")
	rm -rf "$dir"
	mkdir -p "$dir/bin" "$dir/lib/$triplet"
	cp "$user/bin/kmod" "$dir/bin/"
	for lib in $(readelf -dW "$user/bin/kmod" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[[ $lib == libc.so.* || $lib == ld-linux* ]] && continue
		path=$(find "$user/lib/$triplet" "$user/usr/lib/$triplet" -name "$lib" | head -n1)
		[[ -n $path ]] || die "$lib, needed by kmod, is in no guest package (test/packages)"
		cp -L "$path" "$dir/lib/$triplet/"
	done
	echo "$dir"
}

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

# initramfs_base ENV: a cpio with busybox, rngtest + libc, the modules of
# the kernel in ENV that vrng needs (virtio_pci, virtio_mmio, and rng_core
# where it is not built in, with their dependencies), the guest init and
# its library. Cached per kernel, userland version and this file.
# Prints the path of the archive.
initramfs_base() {
	local env=$1 user dir out mods m triplet interp KVER KMODDIR KARCH
	# shellcheck disable=SC1090
	source "$env"
	triplet=$(guest_triplet "$KARCH")
	interp=$(guest_interp "$KARCH")
	user=$(userland_prepare "$KARCH")
	out=$VRNG_CACHE/initramfs/base-$KVER-${user##*/}-$(cat "$VRNG_TOP"/test/guest/* "${BASH_SOURCE[0]}" | sha1sum | cut -c1-12).cpio
	if [[ -s $out ]]; then
		echo "$out"
		return 0
	fi
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,sbin,usr/bin,usr/sbin,"lib/$triplet",proc,sys,dev,tmp,etc}
	mkdir -p "$dir$(dirname "$interp")"
	userland_check "$user" "$triplet"
	cp "$user/bin/busybox" "$dir/bin/busybox"
	cp "$user/usr/bin/rngtest" "$dir/usr/bin/rngtest"
	cp "$user/usr/sbin/rngd" "$dir/usr/sbin/rngd"
	cp -L "$user/lib/$triplet/libc.so.6" "$user/lib/$triplet/$(basename "$interp")" \
		"$dir/lib/$triplet/"
	ln -s "/lib/$triplet/$(basename "$interp")" "$dir$interp"
	cp "$VRNG_TOP/test/guest/init" "$dir/init"
	cp "$VRNG_TOP/test/guest/lib.sh" "$dir/lib/vrng-guest.sh"
	chmod 755 "$dir/init"
	mkdir -p "$dir/lib/modules/$KVER"
	: >"$dir/etc/modules.load"
	mods=$(module_closure "$KMODDIR" virtio_pci virtio_mmio rng_core)
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

# userland_check DIR TRIPLET: every guest package provides in DIR what
# test/packages says it does.
userland_check() {
	local pkg what
	while read -r pkg what; do
		what=${what//@TRIPLET@/$2}
		[[ -e $1$what ]] || die "$what is missing from the guest package $pkg"
	done < <(declared guest)
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

