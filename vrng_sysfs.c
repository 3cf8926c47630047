// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - statistics in sysfs: /sys/bus/virtio/devices/virtioN/vrng/, an
 * attribute group added by probe and removed first thing by remove, so
 * that it comes and goes with the binding. One counter per file;
 * Documentation/ABI/testing/sysfs-driver-vrng describes each. Never a
 * random byte.
 *
 * Not the driver's .dev_groups: when adding them fails, 6.1's driver core
 * removes groups it never added and warns (sysfs_remove_group(): "not
 * found"); the KUnit suite's failing allocations hit it.
 */
#include <linux/device.h>
#include <linux/jiffies.h>
#include <linux/stddef.h>
#include <linux/sysfs.h>
#include <linux/virtio.h>

#include "vrng.h"

static struct vrng_dev *vrng_of(struct device *dev)
{
	return dev_to_virtio(dev)->priv;
}

/* Bytes the held buffer has handed out so far. */
static u64 vrng_held_served_locked(const struct vrng_dev *vi)
{
	/* The reader advances it without the lock; a snapshot will do. */
	return vi->pool.cur ? data_race(vi->pool.cur->off) : 0;
}

/* One u64 of struct vrng_stats, read under the lock. */
static u64 vrng_stat(struct device *dev, size_t offset)
{
	struct vrng_dev *vi = vrng_of(dev);
	u64 v;

	spin_lock_irq(&vi->lock);
	v = *(u64 *)((u8 *)&vi->stats + offset);
	if (offset == offsetof(struct vrng_stats, bytes))
		v += vrng_held_served_locked(vi);
	spin_unlock_irq(&vi->lock);
	return v;
}

#define VRNG_STAT_ATTR(_name, _field)					\
static ssize_t _name##_show(struct device *dev,				\
			    struct device_attribute *attr, char *buf)	\
{									\
	return sysfs_emit(buf, "%llu\n",				\
			  vrng_stat(dev, offsetof(struct vrng_stats, _field))); \
}									\
static DEVICE_ATTR_RO(_name)

VRNG_STAT_ATTR(bytes, bytes);
VRNG_STAT_ATTR(posted, posted);
VRNG_STAT_ATTR(completed, completions);
VRNG_STAT_ATTR(empty, empty);
VRNG_STAT_ATTR(oversized, clamped);
VRNG_STAT_ATTR(bogus, bogus);
VRNG_STAT_ATTR(kicks, kicks);
VRNG_STAT_ATTR(held_back, held_back);
VRNG_STAT_ATTR(waits, waits);
VRNG_STAT_ATTR(timeouts, timeouts);
VRNG_STAT_ATTR(forks, forks);
VRNG_STAT_ATTR(discarded, discarded);
VRNG_STAT_ATTR(broken, broken);

static ssize_t wait_ms_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	u64 j = vrng_stat(dev, offsetof(struct vrng_stats, wait_jiffies));

	return sysfs_emit(buf, "%llu\n", j * MSEC_PER_SEC / HZ);
}
static DEVICE_ATTR_RO(wait_ms);

/* Bytes in guest memory not yet served: filled buffers and the held one. */
static ssize_t buffered_show(struct device *dev, struct device_attribute *attr,
			     char *buf)
{
	struct vrng_dev *vi = vrng_of(dev);
	size_t n;

	spin_lock_irq(&vi->lock);
	n = vi->pool.avail;
	if (vi->pool.cur)
		n += vi->pool.cur->len - vrng_held_served_locked(vi);
	spin_unlock_irq(&vi->lock);
	return sysfs_emit(buf, "%zu\n", n);
}
static DEVICE_ATTR_RO(buffered);

static ssize_t hwrng_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	return sysfs_emit(buf, "%s\n", vrng_of(dev)->name);
}
static DEVICE_ATTR_RO(hwrng);

static struct attribute *vrng_stats_attrs[] = {
	&dev_attr_hwrng.attr,
	&dev_attr_bytes.attr,
	&dev_attr_posted.attr,
	&dev_attr_completed.attr,
	&dev_attr_empty.attr,
	&dev_attr_oversized.attr,
	&dev_attr_bogus.attr,
	&dev_attr_kicks.attr,
	&dev_attr_held_back.attr,
	&dev_attr_waits.attr,
	&dev_attr_wait_ms.attr,
	&dev_attr_timeouts.attr,
	&dev_attr_buffered.attr,
	&dev_attr_forks.attr,
	&dev_attr_discarded.attr,
	&dev_attr_broken.attr,
	NULL,
};

static const struct attribute_group vrng_stats_group = {
	.name = "vrng",
	.attrs = vrng_stats_attrs,
};

/**
 * vrng_sysfs_add() - show a probed device's statistics
 * @vi: device, set up (vrng_start() has succeeded)
 *
 * Return: 0 or a negative errno (nothing added).
 */
int vrng_sysfs_add(struct vrng_dev *vi)
{
	return device_add_group(&vi->vdev->dev, &vrng_stats_group);
}

/**
 * vrng_sysfs_remove() - remove them before the device goes
 * @vi: device
 *
 * Waits for readers of the files (kernfs drains them).
 */
void vrng_sysfs_remove(struct vrng_dev *vi)
{
	device_remove_group(&vi->vdev->dev, &vrng_stats_group);
}
