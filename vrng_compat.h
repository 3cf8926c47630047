/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng - the one place where kernel version differences are handled.
 * Each shim names the version and the change it covers. Features are
 * tested where the kernel offers something to test; the hwrng quality
 * rule changed with nothing to test, so that one compares versions.
 */
#ifndef _VRNG_COMPAT_H
#define _VRNG_COMPAT_H

#include <linux/version.h>

#include <linux/slab.h>
#include <linux/virtio.h>

/* 6.9: register_virtio_driver() became a macro that sets .driver.owner. */
#ifdef register_virtio_driver
#define VRNG_DRIVER_OWNER	NULL
#else
#define VRNG_DRIVER_OWNER	THIS_MODULE
#endif

/* 7.0: kzalloc_obj() sizes the allocation by the object's type. */
#ifndef kzalloc_obj
#define kzalloc_obj(P, GFP)	kzalloc(sizeof(P), (GFP))
#endif

/*
 * 6.2: the hwrng core takes quality 0 as "the maximum, 1024"; before, it
 * started no fill thread for it. Claim what the stock driver claimed then.
 */
#if KERNEL_VERSION(6, 2, 0) > LINUX_VERSION_CODE
#define VRNG_QUALITY		1000
#else
#define VRNG_QUALITY		0
#endif

#endif /* _VRNG_COMPAT_H */
