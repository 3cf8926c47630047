# shellcheck shell=bash
# Real Debian systems as guests (make check's "system" tests): disk images
# made with mmdebstrap from Debian's archive, booted with their own kernel
# and initramfs, root on a virtio disk and systemd as PID 1, no network.
# What a test installs comes on a second disk, a local apt repository.
# Sourced by test/lib.sh.
#
# An image is cached by what it holds: the exact versions of its packages
# (as the archive's lists resolve them today) and the text of what makes
# it (image_make, image_configure, the hook, the guest unit). Images are the only thing here kept between runs
# (VRNG_IMAGES, default $VRNG_CACHE/images): the packages a test installs
# in the guest are downloaded by every run.

VRNG_IMAGES=${VRNG_IMAGES:-$VRNG_CACHE/images}

# The systems, "SUITE ARCH SECOND-FLAVOUR PHASES" each: the second flavour
# is the kernel step 4 installs beside the image's own (none: no step 4);
# PHASES are the boots of its test (test/guest/system.sh), in order.
declare -A VRNG_SYSTEMS=(
	[trixie-arm64]="trixie arm64 cloud-arm64 install,boot,second,removed"
	[trixie-amd64]="trixie amd64 cloud-amd64 install,boot,enforce,second,removed"
	[bookworm-amd64]="bookworm amd64 none install,boot,removed"
)

# What every image holds beyond Essential and apt: an administrator's
# system of that release with its kernel, headers, compiler (through
# dkms), rngd and sudo.
system_includes() {
	echo "systemd-sysv,udev,kmod,dkms,rng-tools5,sudo,linux-image-$1,linux-headers-$1"
}

# system_field NAME N: field N (1 suite, 2 arch, 3 second flavour, 4
# phases) of NAME
system_field() {
	local spec=${VRNG_SYSTEMS[$1]:-}
	[[ -n $spec ]] || die "unknown system $1 (known: ${!VRNG_SYSTEMS[*]})"
	cut -d' ' -f"$2" <<<"$spec"
}

# system_apt SUITE ARCH CMD ARGS...: apt-get/apt-cache for one
# architecture of SUITE through the private configuration.
system_apt() {
	local suite=$1 arch=$2
	shift 2
	apt_priv "$suite" "$@" -o "APT::Architecture=$arch"
}

# system_manifest NAME: "package version" of everything the image of NAME
# holds, as the archive resolves it now (Essential, apt, the includes).
system_manifest() {
	local suite arch pkgs
	suite=$(system_field "$1" 1)
	arch=$(system_field "$1" 2)
	apt_update "$suite"
	mapfile -t pkgs < <({
		system_apt "$suite" "$arch" apt-cache dumpavail |
			awk '/^Package:/ { p = $2 } /^Essential: yes/ { print p }'
		echo apt
		system_includes "$arch" | tr , '\n'
	} | sort -u)
	system_apt "$suite" "$arch" apt-get -s -q --no-install-recommends install "${pkgs[@]}" |
		awk '$1 == "Inst" { gsub(/[()]/, "", $3); print $2, $3 }' | sort
}

# image_prepare NAME: the image of system NAME, made if missing; prints its
# directory: disk.raw (ext4, label vrngroot), vmlinuz, initrd.img, release
# (the kernel's), status (dpkg's, for resolving what a test installs).
image_prepare() {
	local name=$1 key dir manifest lock
	manifest=$(system_manifest "$name")
	[[ -n $manifest ]] || die "cannot resolve the packages of system $name"
	key=$( { echo "$manifest"; declare -f image_make image_configure system_includes
		cat "$VRNG_TOP/test/image-hook" "$VRNG_TOP/test/guest/vrng-system.service"; } |
		sha1sum | cut -c1-12)
	dir=$VRNG_IMAGES/$name-$key
	[[ -e $dir/.done ]] && { echo "$dir"; return 0; }
	mkdir -p "$VRNG_IMAGES"
	# one maker at a time (make check's background job, a check-fresh
	# root: they share this directory)
	exec {lock}>"$VRNG_IMAGES/.lock"
	flock "$lock"
	if [[ ! -e $dir/.done ]]; then
		log "making the $name image ($key; log in $dir.log)"
		rm -rf --one-file-system "$dir" "$VRNG_IMAGES/$name"-*
		# set -e does not hold in a function whose status is tested:
		# image_make runs in a shell of its own, and the result is
		# checked before it is marked done
		if ! bash -c 'set -euo pipefail; source "$0/test/lib.sh"; image_make "$@"' \
			"$VRNG_TOP" "$name" "$dir" "$manifest" >"$dir.log" 2>&1 || ! image_complete "$dir"; then
			tail -n 25 "$dir.log" >&2
			rm -rf --one-file-system "$dir" "$dir.root"
			die "the $name image failed (log: $dir.log)"
		fi
		mv "$dir.log" "$dir/make.log"
		touch "$dir/.done"
	fi
	exec {lock}>&-
	echo "$dir"
}

# image_make NAME DIR MANIFEST: mmdebstrap the root, make it the offline
# system a test boots, then an ext4 disk of it. Relies on set -e: run it
# in a shell of its own (image_prepare does).
image_make() {
	local name=$1 dir=$2 root=$2.root suite arch rel
	suite=$(system_field "$name" 1)
	arch=$(system_field "$name" 2)
	[[ $arch == amd64 ]] || binfmt_ready "$arch"
	debian_archive
	mkdir -p "$dir"
	echo "$3" >"$dir/manifest"
	local -a sources=("deb $VRNG_ARCHIVE $suite main")
	[[ -z $VRNG_SECURITY ]] || sources+=("deb $VRNG_SECURITY $suite-security main")
	local hook=$VRNG_TOP/test/image-hook
	# no manuals, documentation or translations: fewer files to unpack
	# (under qemu-user on arm64), in the image and in the guest's installs
	local -a slim=(
		--dpkgopt='path-exclude=/usr/share/man/*'
		--dpkgopt='path-exclude=/usr/share/doc/*'
		--dpkgopt='path-include=/usr/share/doc/*/copyright'
		--dpkgopt='path-exclude=/usr/share/locale/*'
		--dpkgopt='path-include=/usr/share/locale/locale.alias'
		--dpkgopt='path-exclude=/usr/share/info/*'
	)
	mmdebstrap --variant=apt --architectures="$arch" --include="$(system_includes "$arch")" "${slim[@]}" \
		--essential-hook="$hook essential \"\$1\"" --customize-hook="$hook customize \"\$1\"" \
		"$suite" "$root" "${sources[@]}"
	image_configure "$name" "$root"
	rel=$(basename "$(compgen -G "$root/boot/vmlinuz-*" | tail -n1)")
	rel=${rel#vmlinuz-}
	echo "$rel" >"$dir/release"
	cp "$root/boot/vmlinuz-$rel" "$dir/vmlinuz"
	cp "$root/boot/initrd.img-$rel" "$dir/initrd.img"
	cp "$root/var/lib/dpkg/status" "$dir/status"
	mkfs.ext4 -q -L vrngroot -d "$root" "$dir/disk.raw" 6G
	rm -rf --one-file-system "$root"
}

# image_complete DIR: every file of an image is there
image_complete() {
	local f
	for f in disk.raw vmlinuz initrd.img release status manifest; do
		[[ -s $1/$f ]] || { echo "image $1: no $f"; return 1; }
	done
}

# image_configure NAME ROOT: an offline system whose one apt source is the
# test disk (mounted on /media/vrng), that runs the test's step at boot.
image_configure() {
	local root=$2
	echo "vrng-$1" >"$root/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tvrng-%s\n' "$1" >"$root/etc/hosts"
	printf 'LABEL=vrngroot / ext4 defaults 0 1\nLABEL=vrngtest /media/vrng ext4 defaults,nofail 0 2\n' \
		>"$root/etc/fstab"
	mkdir -p "$root/media/vrng"
	rm -f "$root/etc/apt/sources.list"
	rm -f "$root"/etc/apt/sources.list.d/*
	echo 'deb [trusted=yes] file:/media/vrng/repo ./' >"$root/etc/apt/sources.list.d/vrng-test.list"
	# What the administrator answers to apt's "Do you want to continue?"
	echo 'APT::Get::Assume-Yes "true";' >"$root/etc/apt/apt.conf.d/90vrng-test"
	install -m 644 "$VRNG_TOP/test/guest/vrng-system.service" "$root/etc/systemd/system/"
	ln -sf ../vrng-system.service "$root/etc/systemd/system/multi-user.target.wants/"
}

# binfmt_ready ARCH: foreign ARCH binaries run here (qemu-user-static's
# binfmt handler, registered with the F flag so that it works in chroots).
binfmt_ready() {
	local qarch=${1/arm64/aarch64}
	need "/usr/libexec/qemu-binfmt/$qarch-binfmt-P" "mmdebstrap runs $1 maintainer scripts through it"
	[[ -e /proc/sys/fs/binfmt_misc/status ]] ||
		mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc ||
		die "cannot mount binfmt_misc (needed to run $1 binaries)"
	[[ -e /proc/sys/fs/binfmt_misc/qemu-$qarch ]] || update-binfmts --enable "qemu-$qarch" ||
		die "cannot register qemu-$qarch with binfmt_misc"
}

# system_repo NAME IMAGE DEB OUT: the test disk of a run (OUT/test.img,
# ext4, label vrngtest): DEB, a local apt repository with what installing
# it and the second kernel pulls in beyond the image (resolved against the
# image's dpkg status, downloaded now), and the guest's scripts. Prints
# the second kernel's release (or nothing).
system_repo() {
	local name=$1 image=$2 deb=$3 out=$4 suite arch flavour disk=$4/test.d b
	local -a want=("$deb") inst=()
	suite=$(system_field "$name" 1)
	arch=$(system_field "$name" 2)
	flavour=$(system_field "$name" 3)
	[[ $flavour == none ]] || want+=("linux-image-$flavour" "linux-headers-$flavour")
	rm -rf "$disk"
	mkdir -p "$disk/repo" "$disk/out" "$disk/pkg"
	cp "$deb" "$disk/pkg/"
	mapfile -t inst < <(system_apt "$suite" "$arch" apt-get -s -q --no-install-recommends \
		-o "Dir::State::status=$image/status" install "${want[@]}" |
		awk '$1 == "Inst" && $2 != "vrng-dkms" { a = $NF; gsub(/[][()]/, "", a)
			print (a == "all" ? $2 : $2 ":" a) }')
	if [[ ${#inst[@]} -gt 0 ]]; then
		fetch "$suite" "${inst[@]}"
		cp "${FETCHED[@]}" "$disk/repo/"
	fi
	(cd "$disk/repo" && dpkg-scanpackages -m . >Packages 2>/dev/null)
	cp "$VRNG_TOP/test/guest/lib.sh" "$VRNG_TOP/test/guest/system.sh" "$disk/"
	for b in install stats; do
		python3 "$VRNG_TOP/test/readme_block.py" "$VRNG_TOP/README.md" "debian-$b" >"$disk/readme-$b.sh"
	done
	python3 "$VRNG_TOP/test/readme_block.py" "$VRNG_TOP/Documentation/admin.md" rngd-no-drng \
		>"$disk/admin-rngd-no-drng.sh"
	printf 'FLAVOUR=%s\n' "$flavour" >"$disk/system.conf"
	echo "${inst[*]}" | tr ' ' '\n' | sed 's/^/repo: /' >&2
	rm -f "$out/test.img"
	mkfs.ext4 -q -L vrngtest -d "$disk" "$out/test.img" "$(($(du -sm "$disk" | cut -f1) + 300))M"
}

# system_phases NAME: the boots of a system's test (VRNG_SYSTEM_PHASES, a
# comma-separated list, runs some of them only: for debugging);
# system_steps NAME: the steps they make verdicts of, in order
system_phases() {
	local phases
	phases=$(system_field "$1" 4)
	tr , ' ' <<<"${VRNG_SYSTEM_PHASES:-$phases}"
}

system_steps() {
	local phase
	for phase in $(system_phases "$1"); do
		case $phase in
		install) echo install ;;
		boot)
			echo reboot switch
			[[ $(system_field "$1" 3) == none ]] || echo second-kernel-install
			;;
		enforce) echo unenrolled-key ;;
		second) echo second-kernel-boot ;;
		removed) echo remove ;;
		esac
	done
}

# system_boot NAME PHASE IMAGE KERNEL INITRD OUT: one boot of the system
# (its disk: OUT/disk.qcow2, over the image) running the guest's PHASE,
# within VRNG_SYSTEM_TIMEOUT seconds (default 1200); console in
# OUT/console-PHASE.log, judged like a busybox guest's.
system_boot() {
	local name=$1 phase=$2 image=$3 arch
	arch=$(system_field "$name" 2)
	# shellcheck disable=SC2054 # commas inside QEMU's option strings
	local -a disks=(
		-drive "file=$6/disk.qcow2,if=none,id=root,format=qcow2,cache=unsafe"
		-device virtio-blk-pci,drive=root
		-drive "file=$6/test.img,if=none,id=test,format=raw,cache=unsafe"
		-device virtio-blk-pci,drive=test
	)
	[[ -e $6/disk.qcow2 ]] ||
		qemu-img create -q -f qcow2 -F raw -b "$image/disk.raw" "$6/disk.qcow2"
	# enforce: the kernel refuses modules whose key it does not trust, as
	# with Secure Boot and DKMS's key not enrolled
	# The kernel's stall detectors measure wall-clock time, which TCG on a
	# shared 2-core host does not promise: Debian 13 arm64's modprobe of its
	# own module at boot, verifying the module's ECDSA signature, was
	# reported stuck (RCU stall at 21 s, soft lockup at 45 s) in one run.
	# Their thresholds go to the kernel's maximums (300 s; soft lockups at
	# twice watchdog_thresh, 120 s): a real hang is still reported.
	local append="root=LABEL=vrngroot rw loglevel=5 vrngtest=$phase"
	append+=" rcupdate.rcu_cpu_stall_timeout=300 watchdog_thresh=60"
	[[ $phase != enforce ]] || append+=" module.sig_enforce=1"
	KARCH=$arch VRNG_GUEST_MEM=2048 VRNG_GUEST_TIMEOUT=${VRNG_SYSTEM_TIMEOUT:-1200} boot_guest "$4" "$5" "$6/console-$phase.log" \
		"$(transport_args pci) ${disks[*]}" "$append"
	# the guest's commands' output is indented: judged are the kernel's
	# lines and the markers
	grep -av '^    ' "$6/console-$phase.log" >"$6/console-$phase.judged" || true
	judge "$6/console-$phase.judged"
}

# system_file OUT PATH DEST: a file the guest left on the test disk
system_file() {
	debugfs -R "dump -p $2 $3" "$1/test.img" 2>/dev/null && [[ -s $3 ]]
}
