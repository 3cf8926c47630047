# make bench (and its smoke test in make check): two virtio-rng-pci
# devices, the stock driver on one, vrng on the other, and the null hwrng;
# throughput rounds alternating between them, then a bufsize x depth sweep.
# /vrng/bench.conf sets ROUNDS, BYTES (per round of vrng and null),
# STOCK_BYTES, SWEEP_BYTES, BUFSIZES, DEPTHS and SOURCES (default: stock
# vrng null).
# needs: vrng_null hwrng_bench
. /vrng/bench.conf
cp -a /vrng/lib/modules/. /lib/modules/
D=/sys/bus/virtio/drivers

# shellcheck disable=SC2046
set -- $(ls /sys/bus/virtio/devices)
dev_stock=$1
dev_vrng=$2
check "two virtio-rng devices ($dev_stock, $dev_vrng)" [ -n "$dev_vrng" ]
check "insmod stock virtio-rng.ko" insmod "$(find /lib/modules -name virtio-rng.ko)"
check "insmod vrng.ko" insmod /vrng/vrng.ko
check "insmod vrng_null.ko" insmod /vrng/vrng_null.ko
echo "$dev_stock" >$D/virtio_rng/unbind
echo "$dev_vrng" >$D/virtio_rng/unbind

# first64 DRIVER DEVICE NAME SOURCE: latency from bind to the first 64 bytes
first64() {
	out=$(/vrng/hwrng_bench first "$1" "$2" "$3") &&
		echo "BENCH-LAT source=$4 $out"
}
check "first 64 bytes from the stock driver" first64 virtio_rng "$dev_stock" virtio_rng.0 stock
check "first 64 bytes from vrng" first64 vrng "$dev_vrng" vrng.0 vrng
echo "rng_available: $(rng_available)"

bench_warm_up virtio_rng.0 vrng.0 vrng_null

order=""
for src in ${SOURCES:-stock vrng null}; do
	case $src in
	stock) order="$order stock:virtio_rng.0:$STOCK_BYTES" ;;
	vrng) order="$order vrng:vrng.0:$BYTES" ;;
	null) order="$order null:vrng_null:$BYTES" ;;
	esac
done
bench_rounds "$ROUNDS" "$order"
echo "BENCH-STATS $(tr '\n' ' ' </sys/kernel/debug/vrng/vrng.0/stats)"

# Each repetition visits every point once, reloading vrng, so that the
# host's slow drifts spread over all points instead of landing on a few.
for rep in 1 2 3; do
	for bs in $BUFSIZES; do
		for depth in $DEPTHS; do
			rmmod vrng
			check "insmod vrng.ko bufsize=$bs depth=$depth" insmod /vrng/vrng.ko bufsize="$bs" depth="$depth"
			check "sweep bufsize=$bs depth=$depth ($rep)" bench_read vrng vrng.0 "$SWEEP_BYTES" "bufsize=$bs depth=$depth rep=$rep"
		done
	done
done
check "rmmod vrng" rmmod vrng
check "rmmod vrng_null" rmmod vrng_null
