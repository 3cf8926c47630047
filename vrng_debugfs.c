// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - debugfs: /sys/kernel/debug/vrng/vrng.N/stats, every counter and
 * the pool's state now (buffers posted and filled), in one file for tests,
 * benchmarks and debugging. Not an ABI: the counters an administrator
 * relies on are in sysfs (vrng_sysfs.c).
 */
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "vrng.h"

static struct dentry *vrng_debugfs_root;

int vrng_stats_show(struct seq_file *m, void *unused)
{
	struct vrng_dev *vi = m->private;
	unsigned int depth, bufsize, posted, filled;
	struct vrng_stats st;
	size_t avail;

	/* vrng_vq_stop() detaches the pool under the lock before freeing it. */
	spin_lock_irq(&vi->lock);
	depth = vi->pool.depth;
	bufsize = vi->pool.bufsize;
	posted = vi->pool.nposted;
	filled = vi->pool.nfilled;
	avail = vi->pool.avail;
	st = vi->stats;
	if (vi->pool.cur)
		/* The reader moves off without the lock; a snapshot will do. */
		st.bytes += data_race(vi->pool.cur->off);
	spin_unlock_irq(&vi->lock);

	seq_printf(m, "depth %u\nbufsize %u\nposted %u\nfilled %u\navail %zu\n",
		   depth, bufsize, posted, filled, avail);
	seq_printf(m, "bytes %llu\ncompletions %llu\nempty %llu\nclamped %llu\n",
		   st.bytes, st.completions, st.empty, st.clamped);
	seq_printf(m, "bogus %llu\nkicks %llu\nwaits %llu\ntimeouts %llu\n",
		   st.bogus, st.kicks, st.waits, st.timeouts);
	seq_printf(m, "posts %llu\nheld_back %llu\nwait_jiffies %llu\n",
		   st.posted, st.held_back, st.wait_jiffies);
	seq_printf(m, "forks %llu\ndiscarded %llu\nbroken %llu\n", st.forks,
		   st.discarded, st.broken);
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_stats_show);
DEFINE_SHOW_ATTRIBUTE(vrng_stats);

/**
 * vrng_debugfs_init() - create /sys/kernel/debug/vrng at module load
 *
 * Without debugfs (or under lockdown) nothing is created, and the other
 * functions do nothing: the statistics stay in sysfs.
 */
void vrng_debugfs_init(void)
{
	vrng_debugfs_root = debugfs_create_dir(KBUILD_MODNAME, NULL);
}

/**
 * vrng_debugfs_exit() - remove /sys/kernel/debug/vrng at module unload
 */
void vrng_debugfs_exit(void)
{
	debugfs_remove(vrng_debugfs_root);
}

/**
 * vrng_debugfs_add() - create vrng.N/stats for a probed device
 * @vi: device
 */
void vrng_debugfs_add(struct vrng_dev *vi)
{
	vi->debugfs = debugfs_create_dir(vi->name, vrng_debugfs_root);
	debugfs_create_file("stats", 0400, vi->debugfs, vi, &vrng_stats_fops);
}

/**
 * vrng_debugfs_remove() - remove a device's directory before it goes
 * @vi: device
 *
 * debugfs_remove() waits for readers of the file: call it before tearing
 * the device down.
 */
void vrng_debugfs_remove(struct vrng_dev *vi)
{
	debugfs_remove(vi->debugfs);
}
