// SPDX-License-Identifier: GPL-2.0
/*
 * vrng_null - TEST ONLY: a hwrng with no device behind it, which copies
 * bytes from memory. It measures the ceiling of the /dev/hwrng path (the
 * hwrng core, copy_to_user, the syscall) for the benchmark. Its bytes are
 * NOT random: it claims almost no entropy (quality 1 of 1024) and must
 * never be loaded outside a test guest.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hw_random.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/random.h>
#include <linux/string.h>

static u8 vrng_null_pattern[4096];

static int vrng_null_read(struct hwrng *rng, void *data, size_t max,
			  bool wait)
{
	size_t n = min(max, sizeof(vrng_null_pattern));

	memcpy(data, vrng_null_pattern, n);
	return n;
}

static struct hwrng vrng_null_rng = {
	.name = "vrng_null",
	.read = vrng_null_read,
	.quality = 1,
};

static int __init vrng_null_init(void)
{
	get_random_bytes(vrng_null_pattern, sizeof(vrng_null_pattern));
	pr_warn("test-only hwrng loaded: its output is not random\n");
	return hwrng_register(&vrng_null_rng);
}
module_init(vrng_null_init);

static void __exit vrng_null_exit(void)
{
	hwrng_unregister(&vrng_null_rng);
}
module_exit(vrng_null_exit);

MODULE_DESCRIPTION("TEST ONLY: null hwrng measuring the /dev/hwrng ceiling");
MODULE_LICENSE("GPL");
