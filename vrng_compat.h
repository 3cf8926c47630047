/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng - the one place where kernel version differences are handled.
 * Each shim names the version and the change it covers.
 */
#ifndef _VRNG_COMPAT_H
#define _VRNG_COMPAT_H

#include <linux/version.h>

/* 6.9: register_virtio_driver() sets .driver.owner itself. */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 9, 0)
#define VRNG_DRIVER_OWNER	THIS_MODULE
#else
#define VRNG_DRIVER_OWNER	NULL
#endif

/*
 * 6.2: the hwrng core takes quality 0 as "the maximum, 1024"; before, it
 * started no fill thread for it. Claim what the stock driver claimed then.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define VRNG_QUALITY		1000
#else
#define VRNG_QUALITY		0
#endif

#endif /* _VRNG_COMPAT_H */
