// SPDX-License-Identifier: GPL-2.0
/*
 * hwrng_bench - guest-side measurements for make bench (static arm64).
 *
 *   hwrng_bench read BYTES
 *	read BYTES from /dev/hwrng in 4 KiB reads; print
 *	"bytes=N ns=T cpu_ns=C" where C is the non-idle CPU time of the
 *	whole guest (all CPUs, from /proc/stat) spent meanwhile.
 *   hwrng_bench first DRIVER DEVICE NAME
 *	bind virtio DEVICE to DRIVER, select hwrng NAME and read the first
 *	64 bytes from /dev/hwrng; print "first64_ns=T" (bind to bytes).
 *   hwrng_bench nonblock
 *	one 64-byte read of /dev/hwrng opened O_NONBLOCK; print
 *	"ret=N errno=E ns=T".
 *   hwrng_bench idle SECONDS
 *	print "busy_permille=P": the guest's non-idle CPU time over SECONDS,
 *	per mille of all CPUs' time.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Non-idle time of all CPUs in ns, from the "cpu" line of /proc/stat. */
static long long busy_ns(void)
{
	unsigned long long v[10] = { 0 };
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/stat", "r");

	if (!f || fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
			 &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6],
			 &v[7]) != 8) {
		perror("/proc/stat");
		exit(1);
	}
	fclose(f);
	/* user nice system [idle] [iowait] irq softirq steal */
	return (long long)(v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) *
	       (1000000000LL / hz);
}

static void write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0 || write(fd, s, strlen(s)) != (ssize_t)strlen(s)) {
		fprintf(stderr, "write %s to %s: %s\n", s, path, strerror(errno));
		exit(1);
	}
	close(fd);
}

static void read_exact(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = read(fd, buf, len);

		if (n <= 0) {
			perror("read /dev/hwrng");
			exit(1);
		}
		buf += n;
		len -= n;
	}
}

static int cmd_read(long long bytes)
{
	static char buf[4096];
	long long t0, c0, left = bytes;
	int fd = open("/dev/hwrng", O_RDONLY);

	if (fd < 0) {
		perror("/dev/hwrng");
		return 1;
	}
	c0 = busy_ns();
	t0 = now_ns();
	while (left > 0) {
		size_t n = left < (long long)sizeof(buf) ? (size_t)left : sizeof(buf);

		read_exact(fd, buf, n);
		left -= n;
	}
	printf("bytes=%lld ns=%lld cpu_ns=%lld\n", bytes, now_ns() - t0,
	       busy_ns() - c0);
	close(fd);
	return 0;
}

static int cmd_first(const char *driver, const char *device, const char *name)
{
	char path[256], buf[64];
	long long t0;
	int fd;

	snprintf(path, sizeof(path), "/sys/bus/virtio/drivers/%s/bind", driver);
	t0 = now_ns();
	write_file(path, device);
	write_file("/sys/class/misc/hw_random/rng_current", name);
	fd = open("/dev/hwrng", O_RDONLY);
	if (fd < 0) {
		perror("/dev/hwrng");
		return 1;
	}
	read_exact(fd, buf, sizeof(buf));
	printf("first64_ns=%lld\n", now_ns() - t0);
	close(fd);
	return 0;
}

static int cmd_nonblock(void)
{
	char buf[64];
	long long t0;
	ssize_t n;
	int fd = open("/dev/hwrng", O_RDONLY | O_NONBLOCK);

	if (fd < 0) {
		perror("/dev/hwrng");
		return 1;
	}
	t0 = now_ns();
	n = read(fd, buf, sizeof(buf));
	printf("ret=%zd errno=%d ns=%lld\n", n, n < 0 ? errno : 0, now_ns() - t0);
	close(fd);
	return 0;
}

static int cmd_idle(int seconds)
{
	long long c0 = busy_ns(), t0 = now_ns();
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);

	sleep(seconds);
	printf("busy_permille=%lld\n",
	       (busy_ns() - c0) * 1000 / ((now_ns() - t0) * ncpu));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "nonblock"))
		return cmd_nonblock();
	if (argc == 3 && !strcmp(argv[1], "idle"))
		return cmd_idle(atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "read"))
		return cmd_read(atoll(argv[2]));
	if (argc == 5 && !strcmp(argv[1], "first"))
		return cmd_first(argv[2], argv[3], argv[4]);
	fprintf(stderr, "usage: hwrng_bench read BYTES | first DRIVER DEVICE NAME | nonblock | idle SECONDS\n");
	return 2;
}
