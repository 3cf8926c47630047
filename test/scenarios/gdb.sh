# Call-flow tracing (test/gdb): gdb stops the guest at vrng's functions
# while it loads vrng and reads from /dev/hwrng.
check "insmod vrng.ko" insmod /vrng/vrng.ko
check "read 256 bytes" sh -c 'dd if=/dev/hwrng bs=64 count=4 2>/dev/null | wc -c | grep -qx 256'
