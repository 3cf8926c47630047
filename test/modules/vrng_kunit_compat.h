/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng_kunit - the one place where the KUnit suite meets kernel version
 * (and configuration) differences; the driver's own are in vrng_compat.h.
 * Each shim names the version and the change it covers. Macros are tested
 * where there are some; functions and types are not testable, so those
 * shims compare versions, and a function a stable kernel may have gained
 * (mem_is_zero() is in 6.1.y) is replaced under its name, never redefined.
 */
#ifndef _VRNG_KUNIT_COMPAT_H
#define _VRNG_KUNIT_COMPAT_H

#include <linux/version.h>

#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/random.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

/*
 * 6.11: virtio_config_ops.find_vqs() takes an array of struct
 * virtqueue_info in place of the arrays callbacks[], names[] and ctx[].
 * VRNG_KUNIT_FIND_VQS(prefix) defines the op prefix_find_vqs() for one
 * queue in either form, calling int prefix_find_vq(vdev,
 * struct virtqueue **vqp, callback, const char *name).
 */
#if KERNEL_VERSION(6, 11, 0) <= LINUX_VERSION_CODE
#define VRNG_KUNIT_FIND_VQS(prefix)					\
static int prefix##_find_vqs(struct virtio_device *vdev,		\
			     unsigned int nvqs,				\
			     struct virtqueue *vqs[],			\
			     struct virtqueue_info vqs_info[],		\
			     struct irq_affinity *desc)			\
{									\
	if (nvqs != 1)							\
		return -EINVAL;						\
	return prefix##_find_vq(vdev, &vqs[0], vqs_info[0].callback,	\
				vqs_info[0].name);			\
}
#else
#define VRNG_KUNIT_FIND_VQS(prefix)					\
static int prefix##_find_vqs(struct virtio_device *vdev,		\
			     unsigned int nvqs,				\
			     struct virtqueue *vqs[],			\
			     vq_callback_t *callbacks[],		\
			     const char * const names[],		\
			     const bool *ctx,				\
			     struct irq_affinity *desc)			\
{									\
	if (nvqs != 1)							\
		return -EINVAL;						\
	return prefix##_find_vq(vdev, &vqs[0], callbacks[0], names[0]);	\
}
#endif

/*
 * 6.5: kunit_add_action_or_reset() and kunit_release_action() defer a
 * call to the end of the case. Before, the same with a KUnit resource
 * whose free runs the action (in reverse order of addition, as 6.5's).
 */
#if KERNEL_VERSION(6, 5, 0) > LINUX_VERSION_CODE
struct vrng_kunit_action {
	void (*fn)(void *data);
	void *data;
};

static void vrng_kunit_action_free(struct kunit_resource *res)
{
	struct vrng_kunit_action *action = res->data;

	action->fn(action->data);
	kfree(action);
}

static bool vrng_kunit_action_match(struct kunit *test,
				    struct kunit_resource *res, void *key)
{
	const struct vrng_kunit_action *action = res->data, *want = key;

	return res->free == vrng_kunit_action_free &&
	       action->fn == want->fn && action->data == want->data;
}

static inline int vrng_kunit_add_action_or_reset(struct kunit *test,
						 void (*fn)(void *),
						 void *data)
{
	struct vrng_kunit_action *action = kmalloc(sizeof(*action), GFP_KERNEL);

	if (action) {
		action->fn = fn;
		action->data = data;
		if (kunit_alloc_resource(test, NULL, vrng_kunit_action_free,
					 GFP_KERNEL, action))
			return 0;
		kfree(action);
	}
	fn(data);
	return -ENOMEM;
}

static inline void vrng_kunit_release_action(struct kunit *test,
					     void (*fn)(void *), void *data)
{
	struct vrng_kunit_action action = { .fn = fn, .data = data };

	kunit_destroy_resource(test, vrng_kunit_action_match, &action);
}

#define kunit_add_action_or_reset(test, fn, data)			\
	vrng_kunit_add_action_or_reset(test, fn, data)
#define kunit_release_action(test, fn, data)				\
	vrng_kunit_release_action(test, fn, data)
#endif

/* 6.8: KUNIT_DEFINE_ACTION_WRAPPER() wraps a function as an action. */
#ifndef KUNIT_DEFINE_ACTION_WRAPPER
#define KUNIT_DEFINE_ACTION_WRAPPER(wrapper, orig, arg_type)		\
	static void wrapper(void *in)					\
	{								\
		orig((arg_type)in);					\
	}
#endif

/*
 * After 6.1 (6.12 has it): KUNIT_ASSERT_FAILURE() was renamed
 * KUNIT_FAIL_AND_ABORT().
 */
#ifndef KUNIT_FAIL_AND_ABORT
#define KUNIT_FAIL_AND_ABORT(test, fmt, ...)				\
	KUNIT_ASSERT_FAILURE(test, fmt, ##__VA_ARGS__)
#endif

/*
 * 6.12: mem_is_zero(); 6.1.y has it too (a stable backport), so before
 * 6.12 a private one takes its name.
 */
#if KERNEL_VERSION(6, 12, 0) > LINUX_VERSION_CODE
static inline bool vrng_mem_is_zero(const void *s, size_t n)
{
	return !memchr_inv(s, 0, n);
}

#define mem_is_zero(s, n)	vrng_mem_is_zero(s, n)
#endif

/*
 * Not a version: current->fail_nth exists only with CONFIG_FAULT_INJECTION
 * (Debian's kernels have none). The cases that need it skip without
 * CONFIG_FAILSLAB.
 */
#ifdef CONFIG_FAULT_INJECTION
static inline void vrng_fail_nth_set(unsigned int n)
{
	current->fail_nth = n;
}

static inline unsigned int vrng_fail_nth_get(void)
{
	return current->fail_nth;
}
#else
static inline void vrng_fail_nth_set(unsigned int n)
{
}

static inline unsigned int vrng_fail_nth_get(void)
{
	return 0;
}
#endif

/*
 * Not a version: add_vmfork_randomness() (5.18) is exported only when
 * vmgenid is a module (the debug kernels have CONFIG_VMGENID=m); built into
 * the kernel, only code built in too can call it (kunit.py's kernels);
 * else the VM-fork cases are skipped.
 */
#if IS_MODULE(CONFIG_VMGENID) || (IS_BUILTIN(CONFIG_VMGENID) && !defined(MODULE))
static inline void vrng_kunit_vmfork(struct kunit *test, const void *id,
				     size_t len)
{
	add_vmfork_randomness(id, len);
}
#else
static inline void vrng_kunit_vmfork(struct kunit *test, const void *id,
				     size_t len)
{
	kunit_skip(test, "add_vmfork_randomness() not exported: CONFIG_VMGENID=m needed");
}
#endif

/*
 * 6.13: a symbol namespace is a string literal (vrng.ko exports the pool
 * to the suite in EXPORTED_FOR_KUNIT_TESTING, vrng_compat.h).
 */
#if KERNEL_VERSION(6, 13, 0) <= LINUX_VERSION_CODE
#define VRNG_KUNIT_IMPORT_NS	MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING")
#else
#define VRNG_KUNIT_IMPORT_NS	MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING)
#endif

#endif /* _VRNG_KUNIT_COMPAT_H */
