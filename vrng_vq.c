// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - the queue side: the pool's buffers (vrng_pool.c) kept posted to
 * the device, the virtqueue callback that takes them back, the reader's
 * take and wait, a VM fork, and teardown.
 *
 * Locking: the hwrng core admits one reader at a time (its reading_mutex);
 * that reader owns the held buffer (pool.cur) and hands its bytes out
 * without any lock, inside an RCU-sched read-side section, so that a VM
 * fork can wait for it (vrng_vq_fork()). vi->lock (an IRQ-safe spinlock) serialises the rest of
 * the pool bookkeeping and every virtqueue operation except
 * virtqueue_notify(), which is done after the lock is dropped so that the
 * (trapping) doorbell write does not extend the critical section; remove
 * cannot free the queue meanwhile, as the reader is counted in
 * vi->readers (vrng_read_slow()). The spinlock also orders the device's
 * data before its use:
 * virtqueue_get_buf() issues the read barrier after the used index, and a
 * reader holds a buffer only under the lock that marked it FILLED.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/rcupdate.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "vrng.h"
#include "vrng_trace.h"

/*
 * Keep a long run of empty completions from turning into a busy loop. The
 * completion count also ends a reader's sleep (vrng_woken()), so it is
 * written once.
 */
static void vrng_note_completion(struct vrng_dev *vi, int res,
				 const struct vrng_buf *buf)
{
	WRITE_ONCE(vi->stats.completions, vi->stats.completions + 1);
	switch (res) {
	case VRNG_COMPLETE_EMPTY:
		vi->stats.empty++;
		if (++vi->empty_streak < VRNG_EMPTY_BURST)
			return;
		vi->backoff = clamp(vi->backoff * 2, 1UL, VRNG_BACKOFF_MAX);
		vi->retry_at = jiffies + vi->backoff;
		return;
	case VRNG_COMPLETE_CLAMPED:
		vi->stats.clamped++;
		dev_warn_ratelimited(&vi->vdev->dev,
				     "device returned more bytes than posted; clamped\n");
		break;
	case VRNG_COMPLETE_BOGUS:
		vi->stats.bogus++;
		dev_warn_ratelimited(&vi->vdev->dev,
				     "device returned a buffer that was not posted; ignored\n");
		return;
	case VRNG_COMPLETE_STALE:
		vi->stats.discarded += buf->len;
		break;
	}
	vi->empty_streak = 0;
	vi->backoff = 0;
}

/* Take back every buffer the device has used. Called with vi->lock held. */
static bool vrng_poll_locked(struct vrng_dev *vi, struct virtqueue *vq)
{
	struct vrng_buf *buf;
	unsigned int len;
	bool got = false;

	while ((buf = virtqueue_get_buf(vq, &len))) {
		int res = vrng_pool_complete(&vi->pool, buf, len);

		trace_vrng_complete(vi->index, len, res);
		vrng_note_completion(vi, res, buf);
		got = true;
	}
	return got;
}

/*
 * Post idle buffers. Called with vi->lock held. Returns true when the
 * device must be notified (by the caller, after dropping the lock).
 *
 * Reposts are batched: while bytes remain to be served, buffers go back to
 * the device only once half the pool is idle, so that one notification
 * covers several buffers.
 */
static bool vrng_refill_locked(struct vrng_dev *vi)
{
	struct vrng_pool *pool = &vi->pool;
	unsigned int limit = vrng_pool_idle(pool);
	struct scatterlist sg;
	struct vrng_buf *buf;
	unsigned int added = 0;
	bool kick;

	if (vi->removed || !limit)
		return false;
	if (vrng_pool_has_bytes(pool) && limit < DIV_ROUND_UP(pool->depth, 2))
		return false;
	if (vi->empty_streak >= VRNG_EMPTY_BURST) {
		/* One buffer at a time, spaced out by the backoff. */
		if (pool->nposted)
			return false;
		if (time_before(jiffies, vi->retry_at)) {
			vi->stats.held_back++;
			return false;
		}
		limit = 1;
	}
	while (limit-- && (buf = vrng_pool_next_idle(pool))) {
		sg_init_one(&sg, buf->data, pool->bufsize);
		if (virtqueue_add_inbuf(vi->vq, &sg, 1, buf, GFP_ATOMIC))
			break;
		vrng_pool_mark_posted(pool, buf);
		added++;
	}
	if (!added)
		return false;
	vi->stats.posted += added;
	kick = virtqueue_kick_prepare(vi->vq);
	vi->stats.kicks += kick;
	trace_vrng_post(vi->index, added, kick);
	return kick;
}

/*
 * A broken virtqueue (a ring error, a surprise removal) returns nothing
 * ever again: refuse the read, and say so once.
 */
static ssize_t vrng_broken_locked(struct vrng_dev *vi)
{
	vi->stats.broken++;
	if (!vi->broken_logged) {
		vi->broken_logged = true;
		dev_err(&vi->vdev->dev, "%s: virtqueue broken; reads fail with -EIO\n",
			vi->name);
	}
	return -EIO;
}

/*
 * The part of vrng_vq_take() that needs the device lock: retire the held
 * buffer (or drop it, if a VM fork outdated it), hold the next one (taking
 * used buffers back from the device first if none is filled: a streaming
 * reader needs no interrupt), and post idle buffers again.
 */
static size_t vrng_take_locked(struct vrng_dev *vi, void *dst, size_t len,
			       bool *kick)
{
	struct vrng_pool *pool = &vi->pool;
	unsigned int served;
	size_t got = 0;

	vi->stats.discarded += vrng_pool_drop_stale(pool, &served);
	vi->stats.bytes += served;
	WRITE_ONCE(vi->slow_only, false);
	for (;;) {
		if (pool->cur && vrng_buf_used_up(pool->cur))
			vi->stats.bytes += vrng_pool_release(pool);
		if (!pool->cur && !pool->nfilled)
			vrng_poll_locked(vi, vi->vq);
		/* Hold the next buffer even when done: the next call is fast. */
		if (!pool->cur && !vrng_pool_hold(pool))
			break;
		if (got == len)
			break;
		got += vrng_buf_copy(pool->cur, dst + got, len - got);
	}
	*kick = vrng_refill_locked(vi);
	return got;
}

/**
 * vrng_vq_wipe_stale() - wipe the buffers a VM fork outdated
 * @vi: device; the caller is counted in @vi->readers
 *
 * One buffer at a time, each claimed under the lock and wiped without it,
 * so that no wipe runs with interrupts off. Wiped buffers are IDLE, to be
 * posted again by a reader (vrng_vq_take()).
 *
 * Return: the number of buffers wiped.
 */
unsigned int vrng_vq_wipe_stale(struct vrng_dev *vi)
{
	struct vrng_buf *buf = NULL;
	unsigned int wiped = 0;
	unsigned long flags;

	for (;;) {
		spin_lock_irqsave(&vi->lock, flags);
		if (buf)
			vrng_pool_wiped(&vi->pool, buf);
		buf = vrng_pool_claim_stale(&vi->pool);
		spin_unlock_irqrestore(&vi->lock, flags);
		if (!buf)
			return wiped;
		vrng_buf_wipe(buf);
		wiped++;
	}
}

/* Post what vrng_vq_wipe_stale() made idle; the caller is counted in. */
static void vrng_vq_refill(struct vrng_dev *vi)
{
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&vi->lock, flags);
	kick = vrng_refill_locked(vi);
	spin_unlock_irqrestore(&vi->lock, flags);
	if (kick)
		virtqueue_notify(vi->vq);
}

/* Serve from the held buffer without the lock; see vrng_vq_fork(). */
static size_t vrng_take_held(struct vrng_dev *vi, void *dst, size_t len,
			     bool *done)
{
	struct vrng_buf *cur = vi->pool.cur;
	size_t got = 0;

	rcu_read_lock_sched();
	if (cur && !READ_ONCE(vi->slow_only)) {
		got = vrng_buf_copy(cur, dst, len);
		*done = got == len && !vrng_buf_used_up(cur);
	}
	rcu_read_unlock_sched();
	return got;
}

/**
 * vrng_vq_take() - copy out available bytes and keep the device busy
 * @vi: device; the caller is the only reader, counted in @vi->readers
 * @dst: destination
 * @len: bytes wanted
 *
 * Never sleeps. Bytes of the held buffer are handed out without the
 * device lock; it is taken once per buffer, not once per call.
 *
 * Return: bytes copied (possibly 0), -ENODEV once the device is gone, or
 * -EIO when nothing is left to serve and the virtqueue is broken.
 */
ssize_t vrng_vq_take(struct vrng_dev *vi, void *dst, size_t len)
{
	unsigned long flags;
	bool kick, done = false, stale;
	ssize_t ret = 0;
	size_t got;

	got = vrng_take_held(vi, dst, len, &done);
	if (done)
		return got;

	spin_lock_irqsave(&vi->lock, flags);
	if (vi->removed) {
		spin_unlock_irqrestore(&vi->lock, flags);
		return -ENODEV;
	}
	got += vrng_take_locked(vi, dst + got, len - got, &kick);
	if (!got && virtqueue_is_broken(vi->vq))
		ret = vrng_broken_locked(vi);
	stale = vi->pool.nstale;
	spin_unlock_irqrestore(&vi->lock, flags);

	if (kick)
		virtqueue_notify(vi->vq);
	if (stale && vrng_vq_wipe_stale(vi))
		vrng_vq_refill(vi);
	if (ret)
		return ret;
	return got;
}

/*
 * What ends a reader's sleep: bytes, removal, or any completion since it
 * went to sleep (@seen). An empty one returns its buffer idle, and only
 * the reader posts it again: sleeping on would leave nothing posted.
 */
static bool vrng_woken(struct vrng_dev *vi, u64 seen)
{
	return READ_ONCE(vi->pool.avail) || READ_ONCE(vi->removed) ||
	       READ_ONCE(vi->stats.completions) != seen;
}

/*
 * How long a reader may sleep from @now: until @deadline while buffers are
 * posted, else until the next repost is due (the backoff) or at once.
 */
static long vrng_wait_timeout_locked(struct vrng_dev *vi, unsigned long now,
				     unsigned long deadline)
{
	long left = deadline - now;

	if (vi->pool.nposted)
		return left;
	if (vi->empty_streak >= VRNG_EMPTY_BURST &&
	    time_before(now, vi->retry_at))
		return min_t(long, left, vi->retry_at - now);
	return 1;
}

/*
 * The reader is about to sleep: turn the callback on. Returns how long to
 * sleep, or (<= 0) what vrng_vq_wait() returns at once: 0 when bytes
 * arrived meanwhile, -ENODEV, -ETIMEDOUT.
 */
static long vrng_wait_begin_locked(struct vrng_dev *vi, unsigned long deadline)
{
	unsigned long now = jiffies;

	if (vi->removed)
		return -ENODEV;
	if (!time_before(now, deadline)) {
		vi->stats.timeouts++;
		return -ETIMEDOUT;
	}
	/* False when buffers were used meanwhile: take them now. */
	if (!virtqueue_enable_cb(vi->vq))
		vrng_poll_locked(vi, vi->vq);
	if (vi->pool.avail) {
		virtqueue_disable_cb(vi->vq);
		return 0;
	}
	vi->stats.waits++;
	return vrng_wait_timeout_locked(vi, now, deadline);
}

/**
 * vrng_vq_wait() - sleep until bytes arrive, the device returns a buffer or
 * goes away, or a repost is due
 * @vi: device; the caller is the only reader, counted in @vi->readers
 * @deadline: jiffies after which the caller gives up
 *
 * Turns the virtqueue callback back on first: readers poll while data
 * flows, and only a sleeping reader needs an interrupt.
 *
 * Return: 0 to try again, -ETIMEDOUT once @deadline has passed, -ENODEV
 * after removal, -ERESTARTSYS if killed.
 */
int vrng_vq_wait(struct vrng_dev *vi, unsigned long deadline)
{
	unsigned long start;
	long timeout, ret;
	u64 seen;

	spin_lock_irq(&vi->lock);
	timeout = vrng_wait_begin_locked(vi, deadline);
	seen = vi->stats.completions;
	spin_unlock_irq(&vi->lock);
	if (timeout <= 0)
		return timeout;

	trace_vrng_wait(vi->index, timeout);
	start = jiffies;
	ret = wait_event_killable_timeout(vi->wq, vrng_woken(vi, seen),
					  timeout);

	spin_lock_irq(&vi->lock);
	vi->stats.wait_jiffies += jiffies - start;
	if (vi->removed)
		ret = -ENODEV;
	else	/* Back to polling: a streaming reader needs no interrupt. */
		virtqueue_disable_cb(vi->vq);
	spin_unlock_irq(&vi->lock);
	ret = min(ret, 0L);
	trace_vrng_wake(vi->index, ret, jiffies - start);
	return ret;
}

/**
 * vrng_vq_recv_done() - virtqueue callback: the device returned buffers
 * @vq: the input virtqueue
 *
 * Runs in interrupt context: takes every used buffer back (there may be
 * none: callbacks can be spurious, or a reader polled them first),
 * validates its length, and wakes the readers. Reposting is left to
 * readers. Callbacks are on only while a reader sleeps (vrng_vq_wait()
 * turns them on and off); this one never turns them off, so that a late
 * callback cannot leave a sleeping reader without a wakeup.
 */
void vrng_vq_recv_done(struct virtqueue *vq)
{
	struct vrng_dev *vi = vq->vdev->priv;
	unsigned long flags;
	bool got;

	spin_lock_irqsave(&vi->lock, flags);
	got = vrng_poll_locked(vi, vq);
	spin_unlock_irqrestore(&vi->lock, flags);

	if (got)
		wake_up_all(&vi->wq);
}

/**
 * vrng_vq_fork() - the VM was forked: serve no byte buffered before it
 * @vi: device
 *
 * Called from the kernel's VM-fork notifier chain (process context) at any
 * time, also while the device is frozen, going away or not yet started:
 * then the pool is empty. Filled buffers are discarded here; the held one
 * belongs to the reader, so the lock-free paths are sent to the lock
 * (slow_only), which drops it. They check slow_only inside an RCU-sched
 * read-side section, and synchronize_rcu() waits for every such section
 * begun before the flag was set: when this returns, no reader on any CPU
 * is still serving the held buffer, and none will. The caller then wipes
 * what was discarded (vrng_vq_wipe_stale()); the next reader posts the
 * wiped buffers again, as after any read.
 */
void vrng_vq_fork(struct vrng_dev *vi)
{
	size_t discarded;

	spin_lock_irq(&vi->lock);
	vi->stats.forks++;
	discarded = vrng_pool_fork(&vi->pool);
	vi->stats.discarded += discarded;
	if (vi->pool.cur)
		WRITE_ONCE(vi->slow_only, true);
	spin_unlock_irq(&vi->lock);
	synchronize_rcu();
	trace_vrng_fork(vi->index, discarded);
}

/**
 * vrng_vq_start() - set up the queue and hand the first buffers over
 * @vi: device, with @vi->vdev->priv == @vi
 * @depth: buffers wanted (capped to the virtqueue size)
 * @bufsize: bytes per buffer
 *
 * Sets DRIVER_OK before posting: some devices only serve a queue then.
 *
 * Return: 0 or a negative errno, with nothing left set up.
 */
int vrng_vq_start(struct vrng_dev *vi, unsigned int depth,
		  unsigned int bufsize)
{
	struct vrng_pool pool;
	struct virtqueue *vq;
	bool kick;
	int err;

	vq = virtio_find_single_vq(vi->vdev, vrng_vq_recv_done, "input");
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	/* Readers poll; callbacks are on only while one sleeps. */
	virtqueue_disable_cb(vq);
	depth = min(depth, virtqueue_get_vring_size(vq));
	err = vrng_pool_init(&pool, depth, bufsize);
	if (err) {
		vi->vdev->config->del_vqs(vi->vdev);
		return err;
	}

	/* Attached under the lock: a VM fork or the stats may look at it. */
	spin_lock_irq(&vi->lock);
	vi->pool = pool;
	vi->vq = vq;
	WRITE_ONCE(vi->removed, false);
	WRITE_ONCE(vi->slow_only, false);
	vi->empty_streak = 0;
	vi->backoff = 0;
	spin_unlock_irq(&vi->lock);

	virtio_device_ready(vi->vdev);

	spin_lock_irq(&vi->lock);
	kick = vrng_refill_locked(vi);
	spin_unlock_irq(&vi->lock);
	if (kick)
		virtqueue_notify(vq);
	return 0;
}

/**
 * vrng_vq_stop() - reset the device and free the queue and the pool
 * @vi: device with no reader left and @vi->removed set
 *
 * The device is always reset (virtio's remove expects it); the queue and
 * the pool are freed only if they are set up: not after a failed restore,
 * whose vrng_vq_start() freed what it had made. After the reset, every
 * buffer still on the ring, posted or used but not taken back, is detached
 * before the ring goes: detaching unmaps it where the DMA API mapped it (an
 * IOMMU, bounce buffers), and only then is it wiped and freed.
 */
void vrng_vq_stop(struct vrng_dev *vi)
{
	struct vrng_pool pool;
	unsigned int len;
	void *buf;

	virtio_reset_device(vi->vdev);
	if (!vi->vq)
		return;

	/*
	 * Under the lock, as a callback may still be running (virtio-mmio's
	 * reset does not wait for it), but one buffer at a time: unmapping a
	 * bounced buffer copies it. Used buffers first, through the used
	 * ring, so that a late callback finds it empty rather than pointing at
	 * buffers detached behind its back.
	 */
	do {
		spin_lock_irq(&vi->lock);
		buf = virtqueue_get_buf(vi->vq, &len);
		if (!buf)
			buf = virtqueue_detach_unused_buf(vi->vq);
		spin_unlock_irq(&vi->lock);
	} while (buf);

	/* Detached under the lock: the stats follow pool.cur. */
	spin_lock_irq(&vi->lock);
	if (vi->pool.cur)
		vi->stats.bytes += vi->pool.cur->off;
	pool = vi->pool;
	memset(&vi->pool, 0, sizeof(vi->pool));
	vi->vq = NULL;
	spin_unlock_irq(&vi->lock);

	vi->vdev->config->del_vqs(vi->vdev);
	vrng_pool_free(&pool);
}
