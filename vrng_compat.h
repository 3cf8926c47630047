/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng - the one place where kernel version differences are handled.
 * Each shim names the version and the change it covers. Features are
 * tested where the kernel offers something to test; the hwrng quality
 * rule changed with nothing to test, so that one compares versions, as do
 * shims of functions (not testable with the preprocessor).
 */
#ifndef _VRNG_COMPAT_H
#define _VRNG_COMPAT_H

#include <linux/version.h>

#include <linux/export.h>
#include <linux/notifier.h>
#include <linux/pm.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

/*
 * 5.13: IS_ALIGNED() moved from <linux/kernel.h> to <linux/align.h>. A
 * header's presence can only be tested with __has_include(), which sparse
 * 0.6.4 does not know: compare versions.
 */
#if KERNEL_VERSION(5, 13, 0) > LINUX_VERSION_CODE
#include <linux/kernel.h>
#else
#include <linux/align.h>
#endif

/* 6.9: register_virtio_driver() became a macro that sets .driver.owner. */
#ifdef register_virtio_driver
#define VRNG_DRIVER_OWNER	NULL
#else
#define VRNG_DRIVER_OWNER	THIS_MODULE
#endif

/*
 * 5.16: virtio_reset_device() replaced calling the transport's reset
 * directly. A function, not a macro: nothing to test but the version; a
 * private one takes its name, so that a stable backport cannot clash.
 */
#if KERNEL_VERSION(5, 16, 0) > LINUX_VERSION_CODE
static inline void vrng_virtio_reset_device(struct virtio_device *dev)
{
	dev->config->reset(dev);
}

#define virtio_reset_device(dev)	vrng_virtio_reset_device(dev)
#endif

/* 5.17: pm_sleep_ptr() drops a PM callback without CONFIG_PM_SLEEP. */
#ifndef pm_sleep_ptr
#define pm_sleep_ptr(_ptr)	(IS_ENABLED(CONFIG_PM_SLEEP) ? (_ptr) : NULL)
#endif

/*
 * 6.1 and before: struct virtio_driver has .freeze and .restore only with
 * CONFIG_PM (later, always). Without CONFIG_PM there is no CONFIG_PM_SLEEP
 * either, so pm_sleep_ptr() would give NULL: leaving them out is the same.
 */
#ifdef CONFIG_PM
#define VRNG_PM_SLEEP_OPS(freeze_fn, restore_fn)		\
	.freeze = pm_sleep_ptr(freeze_fn),			\
	.restore = pm_sleep_ptr(restore_fn)
#else
#define VRNG_PM_SLEEP_OPS(freeze_fn, restore_fn)
#endif

/*
 * 5.19: register_random_vmfork_notifier(), the chain vmgenid's fork
 * notification runs (5.18 only reseeded the kernel's own generator). Before,
 * a driver cannot learn of a VM fork: do nothing, as <linux/random.h>'s
 * stubs do without CONFIG_VMGENID. Functions: compare versions.
 */
#if KERNEL_VERSION(5, 19, 0) > LINUX_VERSION_CODE
static inline int vrng_register_vmfork_notifier(struct notifier_block *nb)
{
	return 0;
}

static inline int vrng_unregister_vmfork_notifier(struct notifier_block *nb)
{
	return 0;
}

#define register_random_vmfork_notifier(nb)	vrng_register_vmfork_notifier(nb)
#define unregister_random_vmfork_notifier(nb)	vrng_unregister_vmfork_notifier(nb)
#endif

/*
 * 5.16: cc_platform_has() (<linux/cc_platform.h>) tells a confidential
 * guest: memory encrypted against the host (AMD SEV, Intel TDX, Arm CCA).
 * Arm's realms answer only CC_ATTR_MEM_ENCRYPT, which an x86 host with SME
 * answers too: a guest is one with guest memory encryption, or with memory
 * encryption that is not the host's. Before 5.16 only a backport has it
 * (Debian's 5.10 does), and then CONFIG_ARCH_HAS_CC_PLATFORM says so;
 * without, every guest is taken as not confidential.
 */
#if defined(CONFIG_ARCH_HAS_CC_PLATFORM) || KERNEL_VERSION(5, 16, 0) <= LINUX_VERSION_CODE
#include <linux/cc_platform.h>

static inline bool vrng_confidential_guest(void)
{
	return cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) ||
	       (cc_platform_has(CC_ATTR_MEM_ENCRYPT) &&
		!cc_platform_has(CC_ATTR_HOST_MEM_ENCRYPT));
}
#else
static inline bool vrng_confidential_guest(void)
{
	return false;
}
#endif

/*
 * 6.2: <kunit/visibility.h>'s EXPORT_SYMBOL_IF_KUNIT() exports to the KUnit
 * suite alone (namespace EXPORTED_FOR_KUNIT_TESTING), and only on kernels
 * with KUnit; before, the same by hand. A header: compare versions (see
 * IS_ALIGNED() above).
 */
#if KERNEL_VERSION(6, 2, 0) <= LINUX_VERSION_CODE
#include <kunit/visibility.h>
#elif IS_ENABLED(CONFIG_KUNIT)
#define EXPORT_SYMBOL_IF_KUNIT(symbol)					\
	EXPORT_SYMBOL_NS(symbol, EXPORTED_FOR_KUNIT_TESTING)
#else
#define EXPORT_SYMBOL_IF_KUNIT(symbol)
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
