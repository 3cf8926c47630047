// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - virtio entropy device driver: module parameters, the virtio
 * driver (probe, remove, freeze, restore) and the hwrng read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/idr.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/pm.h>
#include <linux/random.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_ids.h>

#include "vrng.h"
#include "vrng_trace.h"

static DEFINE_IDA(vrng_index_ida);

static unsigned int bufsize = 32768;
static unsigned int depth = 4;
static bool trust_host;

static int vrng_param_set(const char *val, const struct kernel_param *kp,
			  unsigned int min, unsigned int max, bool pow2)
{
	unsigned int v;

	if (kstrtouint(val, 0, &v) || v < min || v > max ||
	    (pow2 && !is_power_of_2(v))) {
		pr_err("%s=%s refused: expected %s from %u to %u\n", kp->name,
		       val, pow2 ? "a power of two" : "an integer", min, max);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = v;
	return 0;
}

static int vrng_bufsize_set(const char *val, const struct kernel_param *kp)
{
	return vrng_param_set(val, kp, VRNG_BUFSIZE_MIN, VRNG_BUFSIZE_MAX,
			      true);
}

static int vrng_depth_set(const char *val, const struct kernel_param *kp)
{
	return vrng_param_set(val, kp, VRNG_DEPTH_MIN, VRNG_DEPTH_MAX, false);
}

static const struct kernel_param_ops vrng_bufsize_ops = {
	.set = vrng_bufsize_set,
	.get = param_get_uint,
};

static const struct kernel_param_ops vrng_depth_ops = {
	.set = vrng_depth_set,
	.get = param_get_uint,
};

/* Writable: read under the parameters' lock when a device is set up. */
module_param_cb(bufsize, &vrng_bufsize_ops, &bufsize, 0644);
MODULE_PARM_DESC(bufsize, "bytes per buffer, a power of two, 64..65536 (default 32768)");
module_param_cb(depth, &vrng_depth_ops, &depth, 0644);
MODULE_PARM_DESC(depth, "buffers kept posted to the device, 1..256, capped to the queue size (default 4)");
module_param(trust_host, bool, 0644);
MODULE_PARM_DESC(trust_host, "in a confidential guest, credit the host's bytes as entropy (default: no)");

/*
 * Count a reader in (&struct vrng_dev.readers), unless the device is
 * removed: then the reader must not touch the queue.
 */
static bool vrng_reader_get(struct vrng_dev *vi)
{
	unsigned long flags;
	bool ok;

	spin_lock_irqsave(&vi->lock, flags);
	ok = !vi->removed;
	vi->readers += ok;
	spin_unlock_irqrestore(&vi->lock, flags);
	return ok;
}

/* The last reader out wakes remove; from then on it must not touch @vi. */
static void vrng_reader_put(struct vrng_dev *vi)
{
	unsigned long flags;

	spin_lock_irqsave(&vi->lock, flags);
	if (!--vi->readers && vi->removed)
		wake_up_all(&vi->wq);
	spin_unlock_irqrestore(&vi->lock, flags);
}

/*
 * vrng_read() out of line: when the held buffer cannot serve the whole
 * call, or to trace one the fast path has served (@served bytes). Not
 * inlined, and vrng_read()'s only call, so that the compiler keeps the
 * stack frame off the fast path.
 */
static noinline int vrng_read_slow(struct vrng_dev *vi, void *data,
				   size_t max, bool wait, int served)
{
	unsigned long deadline = jiffies + VRNG_WAIT_MAX;
	ssize_t ret;

	if (served) {
		trace_vrng_read(vi->index, served, true);
		return served;
	}
	if (!vrng_reader_get(vi))
		return -ENODEV;
	for (;;) {
		ret = vrng_vq_take(vi, data, max);
		if (ret || !wait)
			break;
		ret = vrng_vq_wait(vi, deadline);
		if (ret)
			break;
	}
	if (ret == -ETIMEDOUT)
		ret = 0;
	trace_vrng_read(vi->index, ret, false);
	vrng_reader_put(vi);
	return ret;
}

/*
 * hwrng .read: serve bytes the device has already returned. With @wait,
 * sleep killably until some arrive, the device goes away, or
 * VRNG_WAIT_MAX has passed (then return 0: the hwrng core calls again);
 * without it, never sleep and possibly return 0.
 *
 * The hwrng core calls .read with its reading_mutex held (rng_get_data()
 * asserts it), so there is one reader at a time: it owns the held buffer
 * and serves from it without any lock or atomic operation, which matters
 * because the core asks for 64 bytes per call. That fast path is a leaf
 * (no stack frame, no return-address signing): its one check besides the
 * buffer is slow_only (removal, a VM fork), made inside an RCU-sched
 * read-side section that a VM fork waits for (vrng_vq_fork()), and its
 * tracepoint is a static branch to the out-of-line part. Only at a buffer boundary does
 * the reader go to vrng_read_slow(), vrng_vq_take() and the device lock.
 */
static int vrng_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	struct vrng_dev *vi = container_of(rng, struct vrng_dev, hwrng);
	struct vrng_buf *cur = vi->pool.cur;
	int served = 0;

	rcu_read_lock_sched();
	if (likely(cur && cur->len - cur->off > max &&
		   vrng_buf_can_move(cur, data, max) &&
		   !READ_ONCE(vi->slow_only))) {
		vrng_buf_move(cur, data, max);
		rcu_read_unlock_sched();
		if (likely(!trace_vrng_read_enabled()))
			return max;
		served = max;
	} else {
		rcu_read_unlock_sched();
	}
	return vrng_read_slow(vi, data, max, wait, served);
}

static bool vrng_no_readers(struct vrng_dev *vi)
{
	bool none;

	spin_lock_irq(&vi->lock);
	none = !vi->readers;
	spin_unlock_irq(&vi->lock);
	return none;
}

/*
 * Stop serving, release every reader and stop the device. The order is the
 * one upstream learned: readers are told first so that none sleeps on,
 * the hwrng is unregistered before the device is reset (which waits for
 * every reader inside the hwrng core), and the queue is freed only once no
 * reader uses it. Also undoes a vrng_start() that failed half-way.
 */
static void vrng_teardown(struct vrng_dev *vi)
{
	spin_lock_irq(&vi->lock);
	WRITE_ONCE(vi->removed, true);
	WRITE_ONCE(vi->slow_only, true);
	spin_unlock_irq(&vi->lock);
	wake_up_all(&vi->wq);

	if (vi->registered) {
		hwrng_unregister(&vi->hwrng);
		vi->registered = false;
	}
	wait_event(vi->wq, vrng_no_readers(vi));
	vrng_vq_stop(vi);
}

/*
 * Register with the hwrng core once the device is DRIVER_OK and buffers
 * are posted (vrng_vq_start() does both), so that a failure stops the
 * device again and fails probe or restore: nothing is left posted with
 * nobody to read it.
 */
static int vrng_register(struct vrng_dev *vi)
{
	int err = hwrng_register(&vi->hwrng);

	if (err) {
		dev_err(&vi->vdev->dev, "hwrng_register %s failed: %d; device stopped\n",
			vi->name, err);
		vrng_teardown(vi);
		return err;
	}
	vi->registered = true;
	return 0;
}

/* Set up the queue, post the buffers and register: probe and restore. */
static int vrng_start(struct vrng_dev *vi)
{
	unsigned int d, b;
	int err;

	kernel_param_lock(THIS_MODULE);
	d = depth;
	b = bufsize;
	kernel_param_unlock(THIS_MODULE);
	err = vrng_vq_start(vi, d, b);
	if (err)
		return err;
	return vrng_register(vi);
}

/*
 * A VM fork (or a snapshot being restored): see vrng_vq_fork(). The wipe
 * is a reader's work: it needs the pool, which teardown frees only once
 * no reader is left.
 */
static int vrng_vmfork(struct notifier_block *nb, unsigned long action,
		       void *data)
{
	struct vrng_dev *vi = container_of(nb, struct vrng_dev, vmfork_nb);

	vrng_vq_fork(vi);
	if (vrng_reader_get(vi)) {
		vrng_vq_wipe_stale(vi);
		vrng_reader_put(vi);
	}
	return NOTIFY_DONE;
}

/*
 * In a confidential guest the host is the adversary: its bytes are still
 * mixed into the kernel's pool, but credited as entropy only if the
 * administrator says to trust it (see vrng_quality()).
 */
static void vrng_set_quality(struct vrng_dev *vi)
{
	bool cc = vrng_confidential_guest(), trust;

	kernel_param_lock(THIS_MODULE);
	trust = trust_host;
	kernel_param_unlock(THIS_MODULE);
	vi->hwrng.quality = vrng_quality(cc, trust);
	if (cc)
		dev_info(&vi->vdev->dev, "%s: confidential guest: host's bytes %s (trust_host=%d)\n",
			 vi->name, trust ? "credited as entropy" :
			 "mixed in, credited at quality 1 of 1024", trust);
}

static int vrng_probe(struct virtio_device *vdev)
{
	struct vrng_dev *vi;
	int err;

	vi = kzalloc_obj(*vi, GFP_KERNEL);
	if (!vi)
		return -ENOMEM;

	vi->index = ida_alloc(&vrng_index_ida, GFP_KERNEL);
	if (vi->index < 0) {
		err = vi->index;
		goto err_free;
	}
	snprintf(vi->name, sizeof(vi->name), KBUILD_MODNAME ".%d", vi->index);
	vi->hwrng.name = vi->name;
	vi->hwrng.read = vrng_read;
	spin_lock_init(&vi->lock);
	init_waitqueue_head(&vi->wq);
	vi->vdev = vdev;
	vdev->priv = vi;
	vrng_set_quality(vi);

	/* Before the first buffer is posted: no fork may go unseen. */
	vi->vmfork_nb.notifier_call = vrng_vmfork;
	err = register_random_vmfork_notifier(&vi->vmfork_nb);
	if (err)
		goto err_ida;
	err = vrng_start(vi);
	if (err)
		goto err_vmfork;
	err = vrng_sysfs_add(vi);
	if (err)
		goto err_teardown;
	vrng_debugfs_add(vi);
	dev_dbg(&vdev->dev, "%s: %u buffers of %u bytes\n", vi->name,
		vi->pool.depth, vi->pool.bufsize);
	return 0;

err_teardown:
	vrng_teardown(vi);
err_vmfork:
	unregister_random_vmfork_notifier(&vi->vmfork_nb);
err_ida:
	ida_free(&vrng_index_ida, vi->index);
err_free:
	vdev->priv = NULL;
	kfree(vi);
	return err;
}

static void vrng_remove(struct virtio_device *vdev)
{
	struct vrng_dev *vi = vdev->priv;

	/* First: both wait for readers of the statistics. */
	vrng_sysfs_remove(vi);
	vrng_debugfs_remove(vi);
	unregister_random_vmfork_notifier(&vi->vmfork_nb);
	vrng_teardown(vi);
	ida_free(&vrng_index_ida, vi->index);
	vdev->priv = NULL;
	kfree(vi);
}

/* Without CONFIG_PM, unused: see VRNG_PM_SLEEP_OPS(). */
static int __maybe_unused vrng_freeze(struct virtio_device *vdev)
{
	vrng_teardown(vdev->priv);
	return 0;
}

/* On failure nothing is left set up; remove still works. */
static int __maybe_unused vrng_restore(struct virtio_device *vdev)
{
	return vrng_start(vdev->priv);
}

static const struct virtio_device_id vrng_id_table[] = {
	{ VIRTIO_ID_RNG, VIRTIO_DEV_ANY_ID },
	{ 0 },
};
MODULE_DEVICE_TABLE(virtio, vrng_id_table);

static struct virtio_driver vrng_driver = {
	.driver.name = KBUILD_MODNAME,
	.driver.owner = VRNG_DRIVER_OWNER,
	.id_table = vrng_id_table,
	.probe = vrng_probe,
	.remove = vrng_remove,
	VRNG_PM_SLEEP_OPS(vrng_freeze, vrng_restore),
};

static int __init vrng_init(void)
{
	int err;

	vrng_debugfs_init();
	err = register_virtio_driver(&vrng_driver);
	if (err)
		vrng_debugfs_exit();
	return err;
}
module_init(vrng_init);

static void __exit vrng_exit(void)
{
	unregister_virtio_driver(&vrng_driver);
	vrng_debugfs_exit();
	ida_destroy(&vrng_index_ida);
}
module_exit(vrng_exit);

MODULE_DESCRIPTION("virtio entropy device driver with a pool of buffers in flight");
MODULE_LICENSE("GPL");
MODULE_VERSION(VRNG_VERSION);
MODULE_AUTHOR("vrng maintainers <maintainers@users.noreply.b-seed-20128cd8.example>");
