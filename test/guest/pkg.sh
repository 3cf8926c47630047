# vrng as its package installs it, in a guest (busybox sh), for the
# scenarios that "# needs: kmod stock pkg": Debian's own kmod in place of
# busybox's module tools, the kernel's module tree with the distro's
# virtio-rng.ko and vrng.ko in updates/ (where DKMS and make install put
# it), depmod, and the boot's coldplug.

KVER=$(uname -r)
MODCONF=/lib/modprobe.d/vrng.conf

# Debian's busybox sh runs its own applets before anything on PATH: these
# make the scenario's module commands Debian's kmod (once pkg_setup has
# installed it), and MODPROBE tells vrng-switch which modprobe to run.
for t in modprobe depmod insmod rmmod lsmod modinfo; do
	eval "$t() { /sbin/$t \"\$@\"; }"
done
export MODPROBE=/sbin/modprobe

# pkg_setup: kmod, the module tree and vrng-switch (not the modprobe.d
# file: pkg_conf)
pkg_setup() {
	cp -a /vrng/kmod/. /
	for t in modprobe depmod insmod rmmod lsmod modinfo; do
		ln -sf /bin/kmod /sbin/$t
	done
	check "Debian's kmod runs ($(modprobe --version | head -n1))" modprobe --version
	cp -a /vrng/lib/modules/. /lib/modules/
	mkdir -p "/lib/modules/$KVER/updates"
	cp /vrng/vrng.ko "/lib/modules/$KVER/updates/"
	check "depmod -a" depmod -a
	check_eq "modinfo finds vrng in updates/" "/lib/modules/$KVER/updates/vrng.ko" \
		"$(modinfo -F filename vrng)"
	cp /vrng/vrng-switch /usr/sbin/vrng-switch
	chmod 755 /usr/sbin/vrng-switch
}

# pkg_conf: the package's modprobe.d file
pkg_conf() {
	mkdir -p /lib/modprobe.d
	cp /vrng/vrng.conf "$MODCONF"
}

# coldplug: what udev does at boot for each virtio device: modprobe its
# modalias (-b: apply the blacklist as udev's kmod builtin does)
coldplug() {
	for m in /sys/bus/virtio/devices/*/modalias; do
		echo "coldplug: modprobe -b $(cat "$m")"
		modprobe -b "$(cat "$m")" || vrng_fail "modprobe -b $(cat "$m")"
	done
}

loaded() { grep -q "^$1 " /proc/modules; }

# drivers: "device:driver" for each virtio entropy device
drivers() {
	for d in /sys/bus/virtio/devices/*; do
		[ "$(cat "$d/device")" = 0x0004 ] || continue
		drv=none
		[ -e "$d/driver" ] && drv=$(basename "$(readlink "$d/driver")")
		printf '%s:%s ' "${d##*/}" "$drv"
	done
}

# all_on DRIVER: every virtio entropy device is bound to DRIVER
all_on() {
	for pair in $(drivers); do
		[ "${pair#*:}" = "$1" ] || return 1
	done
}
