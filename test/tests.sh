# shellcheck shell=bash
# The tests of make check, and how they are run and counted.
# A test is a line "KIND ARGS..." run as test_KIND ARGS... in a subshell,
# its output in $VRNG_OUT/<name>.log; it passes when it exits 0.

# In the order they run. The tests that need a heavy artifact (an image, a
# debug kernel, kunit.py's kernel: test/lib/derived.sh) come last, in the
# order the background job makes them, so that on a cold run it has the
# time of the tests before them.
VRNG_TESTS=(
	"lint all"
	"host orphans"
	"build 6.1-arm64"
	"build 6.12-arm64"
	"build 6.1-amd64"
	"build 6.12-amd64"
	"build 5.10-arm64"
	"build trixie-arm64"
	"build trixie-amd64"
	"build newest-arm64"
	"build newest-amd64"
	"install 6.1-amd64"
	"guest 6.1-arm64 pci basic"
	"guest 6.1-arm64 mmio basic"
	"guest trixie-arm64 pci basic"
	"guest trixie-arm64 mmio basic"
	"guest newest-arm64 pci basic"
	"guest 5.10-arm64 pci basic"
	"guest 5.10-arm64 mmio basic"
	"guest 5.10-arm64 pci early"
	"guest 6.1-arm64 pci early"
	"guest 6.1-arm64 pci handover"
	"guest 6.1-amd64 pci basic"
	"guest trixie-amd64 pci basic"
	"guest 6.1-amd64 pci handover"
	"guest trixie-amd64 pci handover"
	"clone 6.1-amd64"
	"guest 6.1-arm64 pci modprobe-d"
	"guest 6.1-arm64 pci+mmio switch"
	"guest 6.1-arm64 pci-slow unbind-busy"
	"guest 6.1-arm64 pci-dead dead-switch"
	"guest 6.1-arm64 pci rmmod-busy"
	"guest 6.1-arm64 pci-trickle trickle"
	"guest trixie-arm64 pci-trickle trickle"
	"guest 6.1-arm64 pci+pci+mmio three"
	"guest trixie-arm64 pci+pci+mmio three"
	"guest trixie-arm64 pci cycles"
	"guest 6.1-arm64 hp-pci hotplug"
	"guest trixie-arm64 hp-pci hotplug"
	"guest 6.1-arm64 hp-pci-dead hotplug-dead"
	"guest 6.1-arm64 pci rngd"
	"guest trixie-arm64 pci rngd"
	"guest 6.1-arm64 pci+pci-trickle observe"
	"guest trixie-arm64 pci+pci-trickle observe"
	"guest 6.1-arm64 pci-dma dma"
	"guest trixie-arm64 pci-dma dma"
	"guest 6.1-arm64 hp-pci-iommu iommu"
	"guest trixie-arm64 hp-pci-iommu iommu"
	"guest 6.1-amd64 hp-pci-iommu iommu"
	"guest trixie-amd64 hp-pci-iommu iommu"
	"guest 5.10-arm64 pci-slow unbind-busy"
	"guest 5.10-arm64 pci rmmod-busy"
	"bench-smoke 6.1-arm64"
	"system trixie-arm64"
	"system trixie-amd64"
	"system bookworm-amd64"
	"build debug-6.1"
	"intree debug-6.1"
	"kunit debug-6.1-intree"
	"guest debug-6.1 pci basic"
	"guest debug-6.1 pci-dead dead-switch"
	"build debug"
	"kunit debug"
	"kunit debug pci+mmio"
	"guest debug pci basic"
	"guest debug mmio basic"
	"guest debug pci-slow unbind-busy"
	"guest debug pci-dead dead-switch"
	"guest debug pci rmmod-busy"
	"guest debug pci cycles"
	"guest debug pci-dma dma"
	"callflow debug"
	"build kcsan"
	"kunit kcsan"
	"guest kcsan pci basic"
	"guest kcsan pci-slow unbind-busy"
	"guest kcsan pci rmmod-busy"
	"kunitpy arm64"
	"kunitpy x86_64"
	"kunitpy um"
)

VRNG_PASSED=0
VRNG_FAILED=0

# isolated FUNC ARGS...: run a harness function in a fresh bash, so that
# set -e holds inside it (bash ignores it in a function called from a
# || list, which is how its status is taken).
isolated() {
	VRNG_OUT=$VRNG_OUT VRNG_GUEST_TIMEOUT=$VRNG_GUEST_TIMEOUT \
		bash -c 'set -euo pipefail; source "$0/test/lib.sh"; source "$0/test/tests.sh"; "$@"' \
		"$VRNG_TOP" "$@"
}

# run_test NAME: one test, in a process group of its own (check_guard)
run_test() {
	local name=$1 logf rc=0 t0=$SECONDS
	logf=$VRNG_OUT/${name// /_}.log
	# the background job yields to every test (derived_boosted)
	derived_priority 19
	set -m
	# shellcheck disable=SC2086
	isolated test_${name%% *} ${name#* } </dev/null >"$logf" 2>&1 &
	set +m
	echo $! >"$VRNG_OUT/.pgid-test"
	wait $! || rc=$?
	rm -f "$VRNG_OUT/.pgid-test"
	count_cases "$VRNG_OUT/${name// /_}.cases" "$name"
	if [[ $rc -eq 0 ]]; then
		VRNG_PASSED=$((VRNG_PASSED + 1))
		printf 'PASS  %-40s %4ds  %s\n' "$name" $((SECONDS - t0)) \
			"$(sed -n 's/^VERSION: //p' "$logf")"
	else
		VRNG_FAILED=$((VRNG_FAILED + 1))
		printf 'FAIL  %-40s %4ds  (log: %s)\n' "$name" $((SECONDS - t0)) "$logf"
		tail -n 15 "$logf" | sed 's/^/      | /'
	fi
}

# check_guard_start: make check killed outright (SIGKILL: none of its
# traps runs) leaves nothing running. A guardian in a session of its own
# waits for make check to end and then ends the process groups it names
# in $VRNG_OUT/.pgid-* (the running test's, the background job's): on a
# normal end there are none left, and check_guard_stop ends it at once.
check_guard_start() {
	setsid bash -c 'source "$0/test/lib.sh"; source "$0/test/tests.sh"; check_guard "$@"' \
		"$VRNG_TOP" $$ "$VRNG_OUT" </dev/null >/dev/null 2>&1 &
	CHECK_GUARD=$!
}

# check_guard_stop: the guardian ends, its sleep too (setsid made it the
# leader of its process group)
check_guard_stop() {
	kill -- "-$CHECK_GUARD" 2>/dev/null || true
}

# check_guard PID OUT: the guardian of make check PID, whose output is OUT
check_guard() {
	local f
	while proc_alive "$1"; do
		sleep 2
	done
	compgen -G "$2/.pgid-*" >/dev/null || return 0
	for f in "$2"/.pgid-*; do
		[[ -s $f ]] && kill -TERM -- "-$(cat "$f")" 2>/dev/null || true
	done
	sleep 5
	for f in "$2"/.pgid-*; do
		[[ -s $f ]] && kill -KILL -- "-$(cat "$f")" 2>/dev/null || true
		rm -f "$f"
	done
	return 0
}

# count_cases FILE TEST: a test may leave one "PASS|FAIL name" line per
# case (KUnit cases); each is counted on its own, named after TEST.
count_cases() {
	local verdict case
	[[ -s $1 ]] || return 0
	while read -r verdict case; do
		if [[ $verdict == PASS ]]; then
			VRNG_PASSED=$((VRNG_PASSED + 1))
		else
			VRNG_FAILED=$((VRNG_FAILED + 1))
		fi
		printf '%s  %s\n' "$verdict" "$2 $case"
	done <"$1"
}

summary() {
	echo "$VRNG_PASSED passed, $VRNG_FAILED failed"
	[[ $VRNG_FAILED -eq 0 ]]
}

# kernel_env KNAME: prepared once per run; KNAME is a Debian kernel
# (kernel_prepare), a debug kernel (debug_kernel: the background job may
# be making it), or a debug kernel's name with -intree: the same kernel,
# with the modules make intree built (test_intree).
kernel_env() {
	local env=$VRNG_OUT/kernel-$1.env
	if [[ ! -s $env ]]; then
		if [[ $1 == *-intree ]]; then
			cp "$(kernel_env "${1%-intree}")" "$env"
		elif debug_kernel_known "$1"; then
			cp "$(derived_boosted debug_kernel "$1")" "$env"
		else
			cp "$(kernel_prepare "$1")" "$env"
		fi
	fi
	echo "$env"
}

# module_for KNAME [MAKEARGS]: vrng.ko (and test modules) built once per run
module_for() {
	local out=$VRNG_OUT/build-$1
	[[ $1 != *-intree || -s $out/vrng.ko ]] || die "no in-tree build for $1: the test 'intree ${1%-intree}' makes it"
	[[ -s $out/vrng.ko ]] || build_module "$(kernel_env "$1")" "$out" VRNG_TESTS=m >/dev/null
	echo "$out/vrng.ko"
}

test_build() {
	local env
	env=$(kernel_env "$1")
	cat "$env"
	(source "$env"; echo "VERSION: kernel $KVER, package $KPKGVER")
	module_for "$1"
	modinfo "$VRNG_OUT/build-$1/vrng.ko"
	modinfo_check "$VRNG_OUT/build-$1/vrng.ko"
}

# modinfo_field KO FIELD PATTERN: KO's FIELD (its lines joined) matches the
# glob PATTERN.
modinfo_field() {
	local v
	v=$(modinfo -F "$2" "$1" | paste -sd' ')
	# shellcheck disable=SC2053
	if [[ $v == $3 ]]; then
		echo "modinfo $2: ok ($v)"
	else
		echo "modinfo $2: '$v' is not '$3'"
		return 1
	fi
}

# modinfo_check KO: what a packaged module tells modinfo: description,
# licence, version (scripts/version), author, the virtio alias, and a
# description for every parameter the module has (its __param_ symbols).
modinfo_check() {
	local ko=$1 rc=0 p params
	modinfo_field "$ko" description '?????*' || rc=1
	modinfo_field "$ko" license GPL || rc=1
	modinfo_field "$ko" version "$("$VRNG_TOP/scripts/version")" || rc=1
	modinfo_field "$ko" author '?*<?*@?*>' || rc=1
	modinfo_field "$ko" alias 'virtio:d00000004v[*]' || rc=1
	params=$(readelf -sW "$ko" | awk '$NF ~ /^__param_/ && $NF !~ /^__param_str_/ { sub(/^__param_/, "", $NF); print $NF }')
	[[ -n $params ]] || { echo "no parameters found in $ko"; rc=1; }
	for p in $params; do
		if modinfo -F parm "$ko" | grep -q "^$p:..*"; then
			echo "parameter $p: described"
		else
			echo "parameter $p: no MODULE_PARM_DESC"
			rc=1
		fi
	done
	return $rc
}

# stock_modules KNAME: a lib/modules tree with the distro's virtio-rng.ko
# and modules.dep (for modprobe -r), and the kernel's lists of its modules
# (modules.order, modules.builtin*: depmod reads them); prints its lib
# directory.
stock_modules() {
	local env dir mods m
	env=$(kernel_env "$1")
	(
		source "$env"
		dir=$VRNG_OUT/stock-$KVER/lib
		mkdir -p "$dir/modules/$KVER"
		mods=$(module_closure "$KMODDIR" virtio-rng)
		for m in $mods; do
			install_module "$KMODDIR/$m" "$dir/modules/$KVER/${m%.xz}"
		done
		sed 's/\.xz:/:/; s/\.xz / /g; s/\.xz$//' "$KMODDIR/modules.dep" \
			>"$dir/modules/$KVER/modules.dep"
		for m in modules.order modules.builtin modules.builtin.modinfo; do
			[[ ! -e $KMODDIR/$m ]] || cp "$KMODDIR/$m" "$dir/modules/$KVER/"
		done
		echo "$dir"
	)
}

# scenario_files SCENARIO KNAME: extra files a scenario needs in /vrng:
# those its script names on a line "# needs: vrng_null hwrng_bench", and
# the special cases below.
scenario_files() {
	local b need arch
	for need in $(sed -n 's/^# needs: //p' "$VRNG_TOP/test/scenarios/$1.sh"); do
		case $need in
		vrng_null)
			module_for "$2" >/dev/null
			echo "$VRNG_OUT/build-$2/test/modules/vrng_null.ko"
			;;
		hwrng_bench)
			arch=$(sed -n 's/^KARCH=//p' "$(kernel_env "$2")")
			build_tool "$VRNG_TOP/test/tools/hwrng_bench.c" \
				"$VRNG_OUT/tools-$arch/hwrng_bench" "$arch"
			echo "$VRNG_OUT/tools-$arch/hwrng_bench"
			;;
		kmod)
			guest_kmod "$(sed -n 's/^KARCH=//p' "$(kernel_env "$2")")"
			;;
		vrngb)
			# make bench AB=REV: vrng at REV, as the module vrngb
			[[ -n ${VRNG_BENCH_AB:-} ]] || die "scenario $1 needs VRNG_BENCH_AB (a git revision)"
			build_module_at "$VRNG_BENCH_AB" vrngb "$(kernel_env "$2")" "$VRNG_OUT/build-$2-ab"
			;;
		stock) stock_modules "$2" ;;
		pkg)
			# what the package installs, and the guest steps around it
			echo "$VRNG_TOP/modprobe.d/vrng.conf"
			echo "$VRNG_TOP/scripts/vrng-switch"
			echo "$VRNG_TOP/test/guest/pkg.sh"
			;;
		*) die "scenario $1 needs unknown $need" ;;
		esac
	done
	case $1 in
	handover)
		for b in handover handover-sysfs; do
			python3 "$VRNG_TOP/test/readme_block.py" "$VRNG_TOP/README.md" $b \
				>"$VRNG_OUT/readme-$b.sh"
			echo "$VRNG_OUT/readme-$b.sh"
		done
		stock_modules "$2"
		;;
	kunit)
		module_for "$2" >/dev/null
		echo "$VRNG_OUT/build-$2/test/modules/vrng_kunit.ko"
		;;
	bench)
		echo "$VRNG_OUT/bench.conf"
		stock_modules "$2"
		;;
	bench-ab) echo "$VRNG_OUT/bench.conf" ;;
	esac
}

# guest KNAME TRANSPORT SCENARIO [DEVICES]: boot a guest with DEVICES
# virtio-rng devices (default 1) running test/scenarios/SCENARIO.sh
test_guest() {
	local kname=$1 transport=$2 scenario=$3 ndev=${4:-1} env initrd logf
	env=$(kernel_env "$kname")
	(source "$env"; echo "VERSION: kernel $KVER, package $KPKGVER")
	initrd=$(scenario_initrd "$kname" "$scenario")
	logf=$VRNG_OUT/console-$kname-$transport-$scenario.log
	(
		source "$env"
		boot_guest "$KIMAGE" "$initrd" "$logf" "$(transport_args "$transport" "$ndev")" \
			"${KAPPEND:-} $(transport_append "$transport")"
	)
	cat "$logf"
	judge "$logf"
}

# scenario_initrd KNAME SCENARIO: the initramfs of a scenario; prints its path
scenario_initrd() {
	local env base files initrd=$VRNG_OUT/initrd-$1-$2.cpio
	env=$(kernel_env "$1")
	base=$(initramfs_base "$env")
	files=$(scenario_files "$2" "$1")
	if [[ -n $files ]]; then mapfile -t files <<<"$files"; else files=(); fi
	initramfs_scenario "$base" "$initrd" "$VRNG_TOP/test/scenarios/$2.sh" \
		"$(module_for "$1")" ${files[@]+"${files[@]}"} >&2
	echo "$initrd"
}

# clone KNAME: a VM with vrng and QEMU's vmgenid (x86) fills its buffers and
# is snapshotted live (migrated to a file); the snapshot is then started
# twice, with the VM's own generation ID ("same") and with a new one
# ("new", a clone). Each copy passes its own checks (test/scenarios/
# clone.sh), and the clone serves no byte the same VM served from what was
# buffered at the snapshot (test/clone_check.py).
test_clone() {
	local kname=$1 env initrd snap=$VRNG_OUT/clone-$1.snapshot role ok=0
	local -A guid=([same]=6f2ac2b0-32a3-4b5e-9d5c-0c7e7a1d2f01
		[new]=0b9d8e34-5c1a-4e77-a2f6-3d4c5b6a7988)
	env=$(kernel_env "$kname")
	(source "$env"; echo "VERSION: kernel $KVER, package $KPKGVER")
	initrd=$(scenario_initrd "$kname" clone)
	rm -f "$snap"
	clone_boot "$env" "$initrd" original "${guid[same]}" "" "$snap"
	cat "$VRNG_OUT/console-$kname-clone-original.log"
	grep -q 'snapshot completed' "$VRNG_OUT/console-$kname-clone-original.log.qmp" ||
		die "no snapshot taken (see console-$kname-clone-original.log.qmp)"
	for role in same new; do
		clone_boot "$env" "$initrd" "$role" "${guid[$role]}" "-incoming exec:cat<$snap"
		echo "--- restored: $role"
		tr -d '\r' <"$VRNG_OUT/console-$kname-clone-$role.log" | grep -v '^[A-Za-z0-9+/=]*$' || true
		judge "$VRNG_OUT/console-$kname-clone-$role.log" || ok=1
	done
	rm -f "$snap"
	python3 "$VRNG_TOP/test/clone_check.py" "$VRNG_OUT/console-$kname-clone-same.log" \
		"$VRNG_OUT/console-$kname-clone-new.log" || ok=1
	return $ok
}

# clone_boot ENV INITRD ROLE GUID EXTRA-QEMU-ARGS [SNAPSHOT]: one run of
# test_clone's VM (a virtio-rng-pci device and a vmgenid)
clone_boot() {
	(
		source "$1"
		VRNG_VMGENID=$4 VRNG_GUEST_MEM=512 VRNG_SNAPSHOT=${6:-} \
			VRNG_RESTORED=${3#original} \
			boot_guest "$KIMAGE" "$2" "$VRNG_OUT/console-$KNAME-clone-$3.log" \
			"$(VRNG_VMGENID=$4 transport_args pci+vmgenid) $5" "${KAPPEND:-}"
	)
}

# bench_conf ROUNDS BYTES STOCK_BYTES SWEEP_BYTES BUFSIZES DEPTHS [SOURCES]:
# the bench scenario's settings (STOCK_BYTES: per round of the stock driver)
bench_conf() {
	{
		echo "ROUNDS=$1"
		echo "BYTES=$2"
		echo "STOCK_BYTES=$3"
		echo "SWEEP_BYTES=$4"
		echo "BUFSIZES='$5'"
		echo "DEPTHS='$6'"
		echo "SOURCES='${7:-stock vrng null}'"
	} >"$VRNG_OUT/bench.conf"
}

# bench-smoke KNAME: the benchmark's guest, small, asserting nothing on speed
test_bench-smoke() {
	bench_conf 1 262144 65536 65536 "64 4096" "1 8"
	test_guest "$1" pci bench 2
	grep -c '^BENCH-RUN' "$VRNG_OUT/console-$1-pci-bench.log" | grep -qx 15
}

# kunit KNAME: the KUnit suite in a guest of KNAME; every case is counted
# kunit KNAME [DEVICES]: with DEVICES (transport_args), the suite runs
# beside real devices bound to vrng, one of them the core's current source.
test_kunit() {
	local devices=${2:-none} cases
	local logf=$VRNG_OUT/console-$1-$devices-kunit.log
	cases=$VRNG_OUT/kunit_$1${2:+_$2}.cases
	test_guest "$1" "$devices" kunit || true
	python3 "$VRNG_TOP/test/ktap.py" "$logf" "$VRNG_TOP/test/modules/vrng_kunit.c" \
		>"$cases" || true
	judge "$logf"
	! grep -q '^FAIL' "$cases"
}

# intree KNAME: make intree against the debug kernel KNAME's source and
# build tree (W=1, sparse); its modules are KNAME-intree's (kunit, guest)
test_intree() {
	local env
	env=$(kernel_env "$1")
	(source "$env"; echo "VERSION: kernel $KVER, package $KPKGVER")
	intree_build "$env" "$VRNG_OUT/build-$1-intree"
	modinfo_check "$VRNG_OUT/build-$1-intree/vrng.ko"
}

# kunitpy ARCH: the KUnit suite through the kernel's kunit.py, in the
# newest kernel source Debian has (experimental's release candidate, or
# sid's), in QEMU for ARCH (arm64, x86_64) or User Mode Linux (um); every
# case counted from kunit.py's results
test_kunitpy() {
	local src out=$VRNG_OUT/kunitpy-$1 rc=0
	src=$(kernel_source newest)
	echo "VERSION: kunit.py of ${src##*/src-}"
	kunit_py "$1" "$src" "$out" || rc=$?
	[[ ! -e $out/test.log ]] || tail -n 200 "$out/test.log"
	[[ -s $out/results.json ]] || echo '{}' >"$out/results.json"
	python3 "$VRNG_TOP/test/kunit_json.py" "$out/results.json" \
		"$VRNG_TOP/test/modules/vrng_kunit.c" >"$VRNG_OUT/kunitpy_$1.cases" || rc=1
	return $rc
}

# lint: checkpatch --strict, sparse, W=1 (test/lint)
test_lint() {
	"$VRNG_TOP/test/lint"
}

# host NAME: a test of the harness itself, test/host/NAME.sh
test_host() {
	"$VRNG_TOP/test/host/$1.sh"
}

# callflow debug: gdb backtraces of vrng in the debug guest, chains checked
test_callflow() {
	"$VRNG_TOP/test/gdb/callflow" "$VRNG_OUT/callflow-traces.txt"
	python3 "$VRNG_TOP/test/gdb/callflow.py" "$VRNG_OUT/callflow-traces.txt"
}

# step WHAT CMD...: one checked step of a host-side test, "ok|FAILED: WHAT"
step() {
	local what=$1
	shift
	if "$@"; then
		echo "ok: $what"
	else
		echo "FAILED: $what"
		return 1
	fi
}

# install KNAME: make install and make uninstall (for those without DKMS)
# from a copy of the tree, against KNAME's Debian headers, into a staging
# INSTALL_MOD_PATH holding that kernel's own module tree: vrng.ko lands in
# updates/, depmod's modules.dep lists it (and modinfo -b finds it there),
# the modprobe.d file and vrng-switch are installed; uninstall removes all.
test_install() {
	local env src=$VRNG_OUT/install-src stage=$VRNG_OUT/install-root make
	env=$(kernel_env "$1")
	(
		source "$env"
		echo "VERSION: kernel $KVER, package $KPKGVER"
		copy_tracked "$src"
		mkdir -p "$stage/lib/modules/$KVER"
		cp -al "$KMODDIR/kernel" "$stage/lib/modules/$KVER/"
		cp "$KMODDIR"/modules.{order,builtin,builtin.modinfo} "$stage/lib/modules/$KVER/"
		make=(make -C "$src" KDIR="$KDIR" INSTALL_MOD_PATH="$stage")
		[[ $KARCH == arm64 ]] && make+=(ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-)
		local dep=$stage/lib/modules/$KVER/modules.dep
		step "make install" "${make[@]}" install >"$VRNG_OUT/install.log" 2>&1 ||
			{ tail -n 30 "$VRNG_OUT/install.log"; return 1; }
		step "vrng.ko is in updates/" test -s "$stage/lib/modules/$KVER/updates/vrng.ko"
		step "modules.dep lists updates/vrng.ko with its dependencies" \
			grep -E '^updates/vrng\.ko: .*virtio' "$dep"
		step "modinfo -b finds vrng in updates/" \
			grep -q "/lib/modules/$KVER/updates/vrng.ko\$" \
			<(modinfo -b "$stage" -k "$KVER" -F filename vrng)
		step "the modprobe.d file is installed" \
			cmp "$VRNG_TOP/modprobe.d/vrng.conf" "$stage/etc/modprobe.d/vrng.conf"
		step "vrng-switch is installed" test -x "$stage/usr/sbin/vrng-switch"
		step "the udev rule is installed" \
			cmp "$VRNG_TOP/udev/60-vrng.rules" "$stage/etc/udev/rules.d/60-vrng.rules"
		step "make uninstall" "${make[@]}" uninstall >>"$VRNG_OUT/install.log" 2>&1 ||
			{ tail -n 30 "$VRNG_OUT/install.log"; return 1; }
		step "vrng.ko is gone" test -z "$(find "$stage/lib/modules/$KVER" -name 'vrng.ko*')"
		step "modules.dep no longer lists it" test -z "$(grep vrng "$dep")"
		step "the modprobe.d file, the udev rule and vrng-switch are gone" \
			test ! -e "$stage/etc/modprobe.d/vrng.conf" -a ! -e "$stage/usr/sbin/vrng-switch" \
			-a ! -e "$stage/etc/udev/rules.d/60-vrng.rules"
	)
}

# copy_tracked DST: the tree's tracked files (uncommitted edits included),
# with the version in VERSION, as a DKMS or tarball user would have them
copy_tracked() {
	rm -rf "$1"
	mkdir -p "$1"
	git -C "$VRNG_TOP" ls-files -z | (cd "$VRNG_TOP" && cpio --quiet -pdm0 "$1")
	"$VRNG_TOP/scripts/version" >"$1/VERSION"
}

# system NAME: a real Debian system (test/lib/images.sh) with vrng-dkms
# installed inside it as an administrator would: one boot per phase of
# test/guest/system.sh, each step it names a verdict of its own (a step
# not reached is a failure). A failed step does not stop the next boots,
# a boot that ended without its result line does.
test_system() {
	local name=$1 image deb out=$VRNG_OUT/system-$1 phase kernel initrd step
	local cases=$VRNG_OUT/system_$1.cases rc=0
	image=$(derived_boosted image_prepare "$name")
	echo "VERSION: $(cat "$image/release"), $(grep '^dkms ' "$image/manifest")"
	deb=$(make -s -C "$VRNG_TOP" deb DEB_OUT="$VRNG_OUT/deb")
	rm -rf "$out" "$cases"
	mkdir -p "$out"
	system_repo "$name" "$image" "$deb" "$out"
	for phase in $(system_phases "$name"); do
		kernel=$image/vmlinuz initrd=$image/initrd.img
		if [[ $phase == second ]]; then
			kernel=$out/vmlinuz-2 initrd=$out/initrd.img-2
			system_file "$out" /out/vmlinuz "$kernel" && system_file "$out" /out/initrd.img "$initrd" ||
				{ echo "the guest left no second kernel on the test disk"; rc=1; break; }
		fi
		echo "=== phase $phase"
		system_boot "$name" "$phase" "$image" "$kernel" "$initrd" "$out" ||
			{ rc=1; tail -n 40 "$out/console-$phase.log"; }
		grep -a '^VRNG-STEP: ' "$out/console-$phase.log" | sed 's/^VRNG-STEP: //; s/\r$//' >>"$cases" || true
		# the next boot means nothing after one that ended without a result
		grep -aq '^VRNG-RESULT: ' "$out/console-$phase.log" || break
	done
	for step in $(system_steps "$name"); do
		grep -qE "^(PASS|FAIL) $step\$" "$cases" 2>/dev/null || echo "FAIL $step (not reached)" >>"$cases"
	done
	return $rc
}
