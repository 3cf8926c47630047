# shellcheck shell=bash
# Pristine Debian 12 roots (make check-fresh): debootstrap, mounts, this
# machine's apt configuration, commands in the root, and the cleanup that
# unmounts and removes everything on every exit path. One root at a time
# per process, in ROOT. Sourced by test/lib.sh.

ROOT=""
ROOT_GUARD=""
ROOT_ENV=(/usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8
	PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)

# root_new NAME: an empty directory for a root under VRNG_FRESH_DIR
# (default /var/tmp), in ROOT; root_cleanup is on EXIT, and a signal ends
# the run (and so cleans up) at once. A run killed outright (SIGKILL: no
# trap runs) is cleaned up after by its guardian (root_guard), or failing
# that by the next run (root_reap_stale): ROOT.owner names the run.
root_new() {
	[[ $(id -u) -eq 0 ]] || die "a Debian root needs mounts and chroot: run as root"
	root_reap_stale "$1"
	ROOT=$(mktemp -d "${VRNG_FRESH_DIR:-/var/tmp}/vrng-$1.XXXXXX")
	proc_identity $$ >"$ROOT.owner.new"
	mv "$ROOT.owner.new" "$ROOT.owner"
	trap root_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	setsid bash -c 'source "$0/test/lib.sh"; root_guard "$@"' "$VRNG_TOP" "$ROOT" $$ \
		</dev/null >/dev/null 2>&1 &
	ROOT_GUARD=$!
}

# proc_identity PID: "PID STARTTIME" of a live PID, which a reused PID
# does not match
proc_identity() {
	local stat
	proc_alive "$1" || return 1
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	echo "$1 $(cut -d' ' -f20 <<<"$stat")"
}

# root_owned DIR: DIR's run is still alive
root_owned() {
	[[ -s $1.owner && $(proc_identity "$(cut -d' ' -f1 "$1.owner")") == "$(cat "$1.owner")" ]]
}

# root_guard ROOT PID: in a session of its own, so that a kill of the run's
# process group leaves it: once the run PID is gone, clean up ROOT if the
# run could not (root_cleanup does nothing on a root already removed)
root_guard() {
	ROOT=$1
	while proc_alive "$2"; do
		sleep 2
	done
	[[ -d $ROOT ]] && ! root_owned "$ROOT" && root_cleanup
	return 0
}

# root_reap_stale NAME: clean up the roots of NAME whose run is gone
# (killed with its guardian): end what still runs in them, unmount, remove
root_reap_stale() {
	local d
	for d in "${VRNG_FRESH_DIR:-/var/tmp}/vrng-$1".??????; do
		[[ -d $d && -e $d.owner ]] || continue
		root_owned "$d" && continue
		log "root: $d was left by a run that is gone; cleaning it up"
		(ROOT=$d; ROOT_GUARD=""; root_cleanup) || die "could not clean up $d: something is still mounted in it"
	done
}

# root_bootstrap LOG: debootstrap --variant=minbase bookworm into ROOT
root_bootstrap() {
	local logf=$1
	debian_archive
	debootstrap --variant=minbase bookworm "$ROOT" "$VRNG_ARCHIVE" \
		>>"$logf" 2>&1 || { tail -n 20 "$logf"; return 1; }
}

# root_mount [SRC:DST]...: proc, sys, dev and dev/pts in ROOT, then each
# directory SRC bind-mounted on DST (a path in the root). root_cleanup
# finds them in /proc/self/mounts (this may run in a subshell).
root_mount() {
	local spec
	# the root is a mount point of its own, as a system's / is (unshare
	# --propagation, in in_build_root, needs one)
	mount --bind "$ROOT" "$ROOT"
	mountpoint -q "$ROOT" || { echo "$ROOT is not mounted on itself"; return 1; }
	root_mount_one -t proc proc proc
	root_mount_one -t sysfs sys sys
	root_mount_one --bind /dev dev
	root_mount_one --bind /dev/pts dev/pts
	for spec in "$@"; do
		mkdir -p "${spec%%:*}" "$ROOT/${spec#*:}"
		root_mount_one --bind "${spec%%:*}" "${spec#*:}"
	done
}

root_mount_one() {
	local dst=${*: -1}
	mount "${@:1:$#-1}" "$ROOT/$dst"
	mountpoint -q "$ROOT/$dst" || { echo "$dst is not mounted"; return 1; }
}

# root_apt_config: this machine's DNS and apt configuration in the root,
# as a fresh machine of this kind has them.
root_apt_config() {
	cp /etc/resolv.conf "$ROOT/etc/"
	if compgen -G '/etc/apt/sources.list.d/*' >/dev/null; then
		rm -f "$ROOT/etc/apt/sources.list"
		cp -a /etc/apt/sources.list.d/. "$ROOT/etc/apt/sources.list.d/"
	fi
	[[ -e /etc/apt/sources.list ]] && cp /etc/apt/sources.list "$ROOT/etc/apt/"
	cp -a /etc/apt/apt.conf.d/. "$ROOT/etc/apt/apt.conf.d/"
}

# in_root CMD...: CMD in the root, as a root shell of it would run it
in_root() {
	chroot "$ROOT" "${ROOT_ENV[@]}" "$@"
}

# root_kill: end every process whose root is ROOT
root_kill() {
	local p r pids=()
	for p in /proc/[0-9]*; do
		# the root's processes, and those of chroots inside it
		r=$(readlink "$p/root" 2>/dev/null) || continue
		[[ $r == "$ROOT" || $r == "$ROOT"/* ]] && pids+=("${p#/proc/}")
	done
	[[ ${#pids[@]} -eq 0 ]] && return 0
	log "root: ending ${#pids[@]} processes left in $ROOT: $(for p in "${pids[@]}"; do
		printf '%s; ' "$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-60)"
	done)"
	kill -KILL "${pids[@]}" 2>/dev/null || true
	sleep 1
}

# root_cleanup: end what runs in the root, unmount (in reverse order) and
# remove it; never remove a root that still has anything mounted in it.
root_cleanup() {
	local m mounts
	[[ -n $ROOT && -d $ROOT ]] || return 0
	root_kill
	mapfile -t mounts < <(awk -v r="$ROOT" '$2 == r || index($2, r "/") == 1 { print $2 }' \
		/proc/self/mounts | tac)
	for m in "${mounts[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" || true
	done
	if grep -qE " $ROOT(/| )" /proc/self/mounts; then
		log "root: still mounted under $ROOT; not removing it"
		return 1
	fi
	rm -rf --one-file-system "$ROOT"
	rm -f "$ROOT.owner" "$ROOT.owner.new"
	ROOT=""
	# the root's guardian (root_guard), its sleep too, has nothing left to do
	[[ -z ${ROOT_GUARD:-} ]] || kill -- "-$ROOT_GUARD" 2>/dev/null || true
	ROOT_GUARD=""
}

# Build roots: a Debian suite whose compiler this machine lacks (Debian
# 13's kernels name gcc 14), made with mmdebstrap and kept in the cache,
# keyed by the versions of what it holds. Commands run in it through
# in_build_root, in a mount namespace of their own: what it binds goes
# away with the command, whatever ends it.

BUILD_ROOT_PACKAGES=make,gcc-@V@,gcc-@V@-aarch64-linux-gnu,binutils-aarch64-linux-gnu,libc6-dev,dwarves,sparse

# build_root SET GCC: the build root of the suite set SET (trixie; newest:
# sid, experimental where only it has a package) with gcc-GCC and its arm64
# cross compiler, made if missing; prints it
build_root() {
	local suite=$1 list=${BUILD_ROOT_PACKAGES//@V@/$2} key dir pkgs srcs hook
	IFS=, read -r -a pkgs <<<"$list"
	apt_update "$suite"
	key=$(apt_priv "$suite" apt-get -s -q --no-install-recommends install "${pkgs[@]}" \
		-o APT::Architecture=amd64 | grep '^Inst' | sha1sum | cut -c1-12)
	dir=$VRNG_CACHE/roots/$suite-build-$key
	if [[ ! -e $dir/.done ]]; then
		log "making the $suite build root ($key)"
		need mmdebstrap "a $suite root for its compiler"
		rm -rf --one-file-system "$VRNG_CACHE/roots/$suite-build-"*
		mkdir -p "$VRNG_CACHE/roots"
		debian_archive
		hook=()
		if [[ $suite == newest ]]; then
			srcs=("deb $VRNG_ARCHIVE sid main" "deb $VRNG_ARCHIVE experimental main")
			# the private lists' pin (apt_preferences), in the root too
			apt_preferences newest >"$VRNG_CACHE/roots/vrng-newest.pref"
			hook=(--setup-hook="copy-in $VRNG_CACHE/roots/vrng-newest.pref /etc/apt/preferences.d")
		else
			srcs=("deb $VRNG_ARCHIVE $suite main")
		fi
		# sid's Release files carry a Valid-Until a mirror's snapshot outlives
		mmdebstrap --variant=apt --include="$list" ${hook[@]+"${hook[@]}"} \
			--aptopt='Acquire::Check-Valid-Until "false"' "${suite/newest/sid}" "$dir" \
			"${srcs[@]}" >"$dir.log" 2>&1 ||
			{ tail -n 20 "$dir.log" >&2; rm -rf --one-file-system "$dir"; die "mmdebstrap of the $suite build root failed (log: $dir.log)"; }
		touch "$dir/.done"
	fi
	echo "$dir"
}

# in_build_root ROOT DIR... -- CMD...: CMD in ROOT, with each DIR of this
# machine bound at the same path inside it, and a /proc (7.3's objtool
# reads /proc/self/maps for its stack limit)
in_build_root() {
	local root=$1
	local -a dirs=()
	shift
	while [[ $1 != -- ]]; do dirs+=("$1"); shift; done
	shift
	unshare --mount --propagation private bash -euc '
		root=$1; shift
		while [[ $1 != -- ]]; do
			mkdir -p "$1" "$root$1"
			mount --bind "$1" "$root$1"
			shift
		done
		shift
		mount -t proc proc "$root/proc"
		exec chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
	' bash "$root" "${dirs[@]}" -- "$@"
}
