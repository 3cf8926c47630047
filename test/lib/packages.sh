# shellcheck shell=bash
# The Debian packages the harness needs (declared in test/packages), and
# the private apt configuration it downloads kernels and guest packages
# with. Sourced by test/lib.sh.

VRNG_PACKAGES=$VRNG_TOP/test/packages

# declared FOR: "PACKAGE PROVIDES" for each package of test/packages
# declared for FOR (host, fresh or guest).
declared() {
	awk -v want="$1" '!/^#/ && NF == 3 && $2 == want { print $1, $3 }' "$VRNG_PACKAGES"
}

# present THING: THING (a command, or an absolute path) is on this machine.
present() {
	if [[ $1 == /* ]]; then
		[[ -e $1 ]]
	else
		command -v "$1" >/dev/null 2>&1
	fi
}

# ensure_packages FOR...: install the packages test/packages declares for
# each FOR that are not installed yet (as root; otherwise stop and name
# them), then check that each provides what the harness uses from it.
ensure_packages() {
	local for pkg what missing=() status
	local -A provides=()

	for for in "$@"; do
		while read -r pkg what; do
			provides[$pkg]=$what
		done < <(declared "$for")
	done
	status=$(dpkg-query -W -f='${Package} ${Status}\n' "${!provides[@]}" 2>/dev/null || true)
	for pkg in "${!provides[@]}"; do
		grep -qx "$pkg install ok installed" <<<"$status" || missing+=("$pkg")
	done
	if [[ ${#missing[@]} -gt 0 ]]; then
		[[ $(id -u) -eq 0 ]] ||
			die "missing Debian packages: ${missing[*]}; run as root, or install them"
		install_packages "${missing[@]}"
	fi
	for pkg in "${!provides[@]}"; do
		present "${provides[$pkg]}" ||
			die "${provides[$pkg]} is missing although package $pkg is installed"
	done
}

# install_packages PKG...: apt-get install, its output in the cache.
install_packages() {
	local logf=$VRNG_CACHE/apt-install.log
	mkdir -p "$VRNG_CACHE"
	log "installing Debian packages: $*"
	if ! { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends "$@"; } >"$logf" 2>&1; then
		tail -n 20 "$logf" >&2
		die "apt-get install $* failed (log: $logf)"
	fi
}

# need WHAT WHY: stop with a clear message when the command or file WHAT,
# needed for WHY, is missing, naming the package that provides it.
need() {
	local pkg
	present "$1" && return 0
	pkg=$(awk -v what="$1" '!/^#/ && NF == 3 && $3 == what { print $1; exit }' "$VRNG_PACKAGES")
	if [[ -n $pkg ]]; then
		die "$1 is missing ($2): install Debian package $pkg (test/packages), or run as root"
	fi
	die "$1 is missing ($2), and test/packages declares no package that provides it"
}

# apt_priv SET ARGS...: apt-get/apt-cache with a private configuration for
# the suite set SET (bookworm, trixie, bullseye, sid or newest: sid and
# experimental), amd64 + arm64. The system's apt
# sources are never touched.
apt_opts() {
	local d=$VRNG_CACHE/apt-$1

	printf '%s\n' \
		-o "Dir::Etc::sourcelist=$d/sources.list" \
		-o "Dir::Etc::sourceparts=-" \
		-o "Dir::State::Lists=$d/lists" \
		-o "Dir::Cache=$d/cache" \
		-o "Dir::State::status=$d/status" \
		-o "Dir::Etc::preferences=$d/preferences" \
		-o "Dir::Etc::preferencesparts=$d/preferences.d" \
		-o "APT::Architecture=amd64" \
		-o "APT::Architectures::=amd64" \
		-o "APT::Architectures::=arm64" \
		-o "APT::Sandbox::User=root" \
		-o "Debug::NoLocking=1"
}

# debian_archive: the Debian archive's URI (VRNG_ARCHIVE) and its security
# archive's (VRNG_SECURITY, maybe empty), as this machine's own apt
# configuration names them: the tree names no archive host. Either may be
# set beforehand instead.
debian_archive() {
	local targets
	[[ -z ${VRNG_ARCHIVE:-} ]] || return 0
	targets=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 2>/dev/null |
		sort -u)
	VRNG_ARCHIVE=$(awk '$3 == "main" && $2 !~ /-(security|updates|backports)$/ {
		sub("/$", "", $1); print $1; exit }' <<<"$targets")
	VRNG_SECURITY=${VRNG_SECURITY:-$(awk '$3 == "main" && $2 ~ /-security$/ {
		sub("/$", "", $1); print $1; exit }' <<<"$targets")}
	[[ -n $VRNG_ARCHIVE ]] ||
		die "this machine's apt configuration names no Debian archive with a main component (apt-get indextargets): add one to /etc/apt/sources.list.d/, or set VRNG_ARCHIVE to its URI"
	export VRNG_ARCHIVE VRNG_SECURITY
}

apt_sources() {
	debian_archive
	case $1 in
	bookworm)
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE bookworm main"
		[[ -z $VRNG_SECURITY ]] ||
			echo "deb [arch=amd64,arm64] $VRNG_SECURITY bookworm-security main"
		;;
	trixie)
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE trixie main"
		[[ -z $VRNG_SECURITY ]] ||
			echo "deb [arch=amd64,arm64] $VRNG_SECURITY trixie-security main"
		;;
	bullseye)
		# The release suite: bullseye-security answers 404 for the newest
		# kernels' packages.
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE bullseye main"
		;;
	sid)
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE sid main"
		;;
	newest)
		# the newest packages of sid and experimental (apt_preferences)
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE sid main"
		echo "deb [arch=amd64,arm64] $VRNG_ARCHIVE experimental main"
		;;
	*) die "unknown suite set $1" ;;
	esac
}

# apt_preferences SET: experimental (NotAutomatic: priority 1 by default)
# as high as sid in the set newest, so that the newest version of a
# package is its candidate, wherever it is; nothing for the other sets.
apt_preferences() {
	[[ $1 == newest ]] || return 0
	printf 'Package: *\nPin: release a=experimental\nPin-Priority: 500\n'
}

# apt_update SET: refresh the private lists at most once a day (one
# process at a time: make check's background job uses them too).
apt_update() {
	local d=$VRNG_CACHE/apt-$1 opts lock

	mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$d/preferences.d"
	exec {lock}>"$d/.lock"
	flock "$lock"
	apt_sources "$1" >"$d/sources.list"
	apt_preferences "$1" >"$d/preferences"
	touch "$d/status"
	if [[ -z $(find "$d/lists" -maxdepth 1 -name '*Packages*' -mmin -1440 2>/dev/null) ]]; then
		log "updating package lists ($1)"
		mapfile -t opts < <(apt_opts "$1")
		apt-get "${opts[@]}" -qq update >&2 || die "apt-get update ($1) failed"
	fi
	exec {lock}>&-
}

# apt_priv runs under the set's lock (apt_update's): apt-cache rewrites
# the set's package cache when it finds it stale, and another process
# reading it meanwhile finds no package.
apt_priv() {
	local set=$1 tool=$2 opts
	shift 2
	mapfile -t opts < <(apt_opts "$set")
	mkdir -p "$VRNG_CACHE/apt-$set"
	flock "$VRNG_CACHE/apt-$set/.lock" "$tool" "${opts[@]}" "$@"
}

# resolve SET PKG REGEX: the first dependency of PKG whose name matches REGEX
# (how a meta-package names the current ABI).
resolve() {
	resolve_opt "$@" || die "cannot resolve a dependency of $2 matching $3"
}

# resolve_opt SET PKG REGEX: as resolve, but fails quietly when PKG has
# no such dependency
resolve_opt() {
	apt_priv "$1" apt-cache depends "$2" 2>/dev/null |
		sed -n 's/^ *|\{0,1\}Depends: <\{0,1\}\([^ >]*\)>\{0,1\}$/\1/p' |
		grep -E -m1 "$3"
}

# pkg_version SET PKG: candidate version of PKG
pkg_version() {
	apt_priv "$1" apt-cache policy "$2" 2>/dev/null | sed -n 's/^ *Candidate: //p'
}

# fetch SET PKG...: download .debs into $VRNG_CACHE/debs/SET (once, one
# process at a time); their paths are left in the array FETCHED.
fetch() {
	local set=$1 pkg dir=$VRNG_CACHE/debs/$1 name ver arch file lock
	shift
	FETCHED=()
	mkdir -p "$dir"
	exec {lock}>"$dir/.lock"
	flock "$lock"
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
	exec {lock}>&-
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

