# The package's modprobe.d file at boot: Debian's kmod, the distro's
# virtio-rng.ko beside vrng.ko in updates/, and udev's coldplug (modprobe
# each virtio device's modalias). With the file vrng takes the device and
# virtio_rng stays unloaded; without it, both modules load and the stock
# driver takes the device.
# needs: kmod stock pkg

. /vrng/pkg.sh
pkg_setup
pkg_conf
coldplug
check "vrng loaded by its alias" loaded vrng
check "virtio_rng not loaded (blacklisted)" sh -c '! grep -q "^virtio_rng " /proc/modules'
check_eq "rng_current with the modprobe.d file" vrng.0 "$(rng_current)"
check "the device is bound to vrng ($(drivers))" all_on vrng

echo "--- the same coldplug without $MODCONF:"
check "rmmod vrng" rmmod vrng
rm "$MODCONF"
coldplug
echo "without the file: modules $(grep -oE '^(vrng|virtio_rng) ' /proc/modules | tr -d '\n'), devices $(drivers), rng_current $(rng_current)"
check "without the file, virtio_rng loads too" loaded virtio_rng
check "without the file, vrng loads too" loaded vrng
# kmod loads virtio_rng first (modules.alias order): it takes the device
check "without the file, the device is not vrng's ($(drivers))" all_on virtio_rng

echo "--- the file, and no vrng for this kernel (DKMS had no headers for it):"
check "rmmod vrng virtio_rng" rmmod vrng virtio_rng
pkg_conf
rm "/lib/modules/$KVER/updates/vrng.ko"
check "depmod -a" depmod -a
coldplug
check "no vrng: the install line loads virtio_rng instead" loaded virtio_rng
check "no vrng: the device is virtio_rng's ($(drivers))" all_on virtio_rng
check_eq "no vrng: rng_current" virtio_rng.0 "$(rng_current)"
