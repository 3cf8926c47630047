// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - the queue side: a pool of buffers kept posted to the device, the
 * virtqueue callback that takes them back, and the copy-out to readers.
 *
 * Locking: the hwrng core admits one reader at a time (its reading_mutex);
 * that reader owns the held buffer (pool.cur) and hands its bytes out
 * without any lock. vi->lock (an IRQ-safe spinlock) serialises the rest of
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
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>

#include "vrng.h"
#include "vrng_trace.h"

/**
 * vrng_pool_init() - allocate the buffers of a pool
 * @pool: pool to set up (any previous content is ignored)
 * @depth: number of buffers, at most 65536
 * @bufsize: bytes per buffer, a power of two
 *
 * Each buffer is its own kmalloc() of at least ARCH_DMA_MINALIGN bytes.
 * kmalloc() aligns power-of-two sizes naturally, so no buffer shares a
 * cache line with another buffer or with any other data: the device may
 * write into it while the CPU touches its neighbours.
 *
 * Return: 0 or -ENOMEM (nothing left allocated).
 */
int vrng_pool_init(struct vrng_pool *pool, unsigned int depth,
		   unsigned int bufsize)
{
	size_t alloc = max_t(size_t, bufsize, ARCH_DMA_MINALIGN);
	unsigned int i;

	memset(pool, 0, sizeof(*pool));
	pool->bufs = kcalloc(depth, sizeof(*pool->bufs), GFP_KERNEL);
	pool->fifo = kcalloc(depth, sizeof(*pool->fifo), GFP_KERNEL);
	if (!pool->bufs || !pool->fifo)
		goto fail;
	pool->depth = depth;
	pool->bufsize = bufsize;
	for (i = 0; i < depth; i++) {
		pool->bufs[i].data = kzalloc(alloc, GFP_KERNEL);
		if (!pool->bufs[i].data)
			goto fail;
	}
	return 0;

fail:
	vrng_pool_free(pool);
	return -ENOMEM;
}

/**
 * vrng_pool_free() - wipe and free every buffer of a pool
 * @pool: pool, possibly partly set up by a failed vrng_pool_init()
 *
 * The device must no longer own any buffer (reset or never posted).
 */
void vrng_pool_free(struct vrng_pool *pool)
{
	unsigned int i;

	if (pool->bufs) {
		for (i = 0; i < pool->depth; i++)
			kfree_sensitive(pool->bufs[i].data);
	}
	kfree(pool->bufs);
	kfree(pool->fifo);
	memset(pool, 0, sizeof(*pool));
}

/**
 * vrng_pool_idle() - number of buffers neither posted, filled nor held
 * @pool: pool
 *
 * Return: count of IDLE buffers.
 */
static unsigned int vrng_pool_idle(const struct vrng_pool *pool)
{
	return pool->depth - pool->nposted - pool->nfilled - !!pool->cur;
}

/**
 * vrng_pool_next_idle() - find a buffer that can be posted
 * @pool: pool
 *
 * Return: an IDLE buffer, or NULL if there is none.
 */
struct vrng_buf *vrng_pool_next_idle(struct vrng_pool *pool)
{
	unsigned int i;

	if (!vrng_pool_idle(pool))
		return NULL;
	for (i = 0; i < pool->depth; i++)
		if (pool->bufs[i].state == VRNG_BUF_IDLE)
			return &pool->bufs[i];
	return NULL;
}

/**
 * vrng_pool_mark_posted() - record that a buffer now belongs to the device
 * @pool: pool
 * @buf: an IDLE buffer of @pool, just added to the virtqueue
 */
void vrng_pool_mark_posted(struct vrng_pool *pool, struct vrng_buf *buf)
{
	buf->state = VRNG_BUF_POSTED;
	buf->gen = pool->gen;
	pool->nposted++;
}

/**
 * vrng_pool_complete() - take back a buffer the device returned
 * @pool: pool
 * @buf: the token virtqueue_get_buf() gave back
 * @len: used.len as reported by the device, not trusted
 *
 * A @len larger than the buffer is clamped to the buffer; a @len of 0
 * makes the buffer IDLE again, and so does a buffer posted before a VM
 * fork, wiped. Bytes are queued in completion order.
 *
 * Return: VRNG_COMPLETE_OK, _EMPTY (nothing returned), _CLAMPED (@len was
 * too large), _STALE (posted before a VM fork: discarded) or _BOGUS (@buf
 * is not a posted buffer of @pool; ignored).
 */
int vrng_pool_complete(struct vrng_pool *pool, struct vrng_buf *buf,
		       unsigned int len)
{
	int ret = VRNG_COMPLETE_OK;
	unsigned int tail;

	if (buf < pool->bufs || buf >= pool->bufs + pool->depth ||
	    buf->state != VRNG_BUF_POSTED)
		return VRNG_COMPLETE_BOGUS;

	pool->nposted--;
	if (!len) {
		buf->state = VRNG_BUF_IDLE;
		return VRNG_COMPLETE_EMPTY;
	}
	if (len > pool->bufsize) {
		len = pool->bufsize;
		ret = VRNG_COMPLETE_CLAMPED;
	}
	if (buf->gen != pool->gen) {
		memzero_explicit(buf->data, len);
		buf->state = VRNG_BUF_IDLE;
		return VRNG_COMPLETE_STALE;
	}
	buf->len = len;
	buf->off = 0;
	buf->state = VRNG_BUF_FILLED;
	tail = (pool->head + pool->nfilled) % pool->depth;
	pool->fifo[tail] = buf - pool->bufs;
	pool->nfilled++;
	WRITE_ONCE(pool->avail, pool->avail + len);
	return ret;
}

/**
 * vrng_pool_hold() - give the oldest filled buffer to the reader
 * @pool: pool with no held buffer
 *
 * The held buffer (@pool->cur) belongs to the reader alone: it hands its
 * bytes out with vrng_buf_copy() without the device lock.
 *
 * Return: the held buffer, or NULL if none is filled.
 */
struct vrng_buf *vrng_pool_hold(struct vrng_pool *pool)
{
	struct vrng_buf *buf;

	if (pool->cur || !pool->nfilled)
		return NULL;
	buf = &pool->bufs[pool->fifo[pool->head]];
	pool->head = (pool->head + 1) % pool->depth;
	pool->nfilled--;
	WRITE_ONCE(pool->avail, pool->avail - buf->len);
	buf->state = VRNG_BUF_HELD;
	pool->cur = buf;
	return buf;
}

/**
 * vrng_pool_release() - the held buffer is used up: make it IDLE
 * @pool: pool with a held buffer
 *
 * Return: the number of bytes the buffer had handed out.
 */
unsigned int vrng_pool_release(struct vrng_pool *pool)
{
	struct vrng_buf *buf = pool->cur;
	unsigned int served = buf->off;

	buf->state = VRNG_BUF_IDLE;
	buf->len = 0;
	buf->off = 0;
	pool->cur = NULL;
	return served;
}

/**
 * vrng_pool_fork() - the VM was forked: drop every byte buffered before
 * @pool: pool
 *
 * FILLED buffers are wiped and made IDLE at once. POSTED buffers are
 * discarded when they come back (vrng_pool_complete()), the held one by
 * its reader (vrng_pool_drop_stale()), which alone may touch it.
 *
 * Return: bytes wiped from FILLED buffers.
 */
size_t vrng_pool_fork(struct vrng_pool *pool)
{
	size_t wiped = pool->avail;
	struct vrng_buf *buf;

	pool->gen++;
	for (; pool->nfilled; pool->nfilled--) {
		buf = &pool->bufs[pool->fifo[pool->head]];
		pool->head = (pool->head + 1) % pool->depth;
		memzero_explicit(buf->data, buf->len);
		buf->len = 0;
		buf->state = VRNG_BUF_IDLE;
	}
	WRITE_ONCE(pool->avail, 0);
	return wiped;
}

/**
 * vrng_pool_drop_stale() - wipe the rest of the held buffer if a VM fork
 * outdated it
 * @pool: pool; the caller is the reader, which owns @pool->cur
 *
 * The buffer is cut to what it has served, so that it is used up and
 * vrng_pool_release() counts only those bytes.
 *
 * Return: bytes of the held buffer wiped unserved (0 if it is current).
 */
unsigned int vrng_pool_drop_stale(struct vrng_pool *pool)
{
	struct vrng_buf *buf = pool->cur;
	unsigned int left;

	if (!buf || buf->gen == pool->gen)
		return 0;
	left = buf->len - buf->off;
	memzero_explicit(buf->data + buf->off, left);
	buf->len = buf->off;
	return left;
}

/**
 * vrng_buf_copy() - hand out bytes of the held buffer
 * @buf: the held buffer (&vrng_pool.cur), owned by the caller
 * @dst: destination
 * @len: bytes wanted
 *
 * Every byte copied is wiped from the buffer at once, so that no byte can
 * be handed out twice nor linger in memory. The read fast path in
 * vrng_main.c does the same inline for the hwrng core's aligned chunks.
 *
 * Return: bytes copied, at most @len.
 */
size_t vrng_buf_copy(struct vrng_buf *buf, void *dst, size_t len)
{
	size_t n = min_t(size_t, len, buf->len - buf->off);
	u8 *src = buf->data + buf->off;

	if (vrng_buf_can_move(buf, dst, n)) {
		vrng_buf_move(buf, dst, n);
		return n;
	}
	memcpy(dst, src, n);
	memzero_explicit(src, n);
	buf->off += n;
	return n;
}

/* The held buffer has nothing left to hand out. */
static bool vrng_buf_used_up(const struct vrng_buf *buf)
{
	return buf->off == buf->len;
}

/* Bytes are waiting, in the held buffer or in filled ones. */
static bool vrng_pool_has_bytes(const struct vrng_pool *pool)
{
	return pool->avail || (pool->cur && !vrng_buf_used_up(pool->cur));
}

/*
 * Keep a long run of empty completions from turning into a busy loop. The
 * completion count also ends a reader's sleep (vrng_woken()), so it is
 * written once.
 */
static void vrng_note_completion(struct vrng_dev *vi, int res,
				 unsigned int len)
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
		vi->stats.discarded += min(len, vi->pool.bufsize);
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
		vrng_note_completion(vi, res, len);
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
 * The part of vrng_vq_take() that needs the device lock: retire the held
 * buffer, hold the next one (taking used buffers back from the device
 * first if none is filled: a streaming reader needs no interrupt), and
 * post idle buffers again.
 */
static size_t vrng_take_locked(struct vrng_dev *vi, void *dst, size_t len,
			       bool *kick)
{
	struct vrng_pool *pool = &vi->pool;
	size_t got = 0;

	vi->stats.discarded += vrng_pool_drop_stale(pool);
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
 * vrng_vq_take() - copy out available bytes and keep the device busy
 * @vi: device; the caller is the only reader, counted in @vi->readers
 * @dst: destination
 * @len: bytes wanted
 *
 * Never sleeps. Bytes of the held buffer are handed out without the
 * device lock; it is taken once per buffer, not once per call.
 *
 * Return: bytes copied (possibly 0), or -ENODEV once the device is gone.
 */
ssize_t vrng_vq_take(struct vrng_dev *vi, void *dst, size_t len)
{
	struct vrng_buf *cur = vi->pool.cur;
	unsigned long flags;
	size_t got = 0;
	bool kick;

	if (cur && !READ_ONCE(vi->slow_only)) {
		got = vrng_buf_copy(cur, dst, len);
		if (got == len && !vrng_buf_used_up(cur))
			return got;
	}

	spin_lock_irqsave(&vi->lock, flags);
	if (vi->removed) {
		spin_unlock_irqrestore(&vi->lock, flags);
		return -ENODEV;
	}
	got += vrng_take_locked(vi, dst + got, len - got, &kick);
	spin_unlock_irqrestore(&vi->lock, flags);

	if (kick)
		virtqueue_notify(vi->vq);
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
 * time, also while the device is frozen or going away: then the pool is
 * empty. Filled buffers are wiped here; the held one belongs to the reader,
 * so the fast path is sent to the lock until a reader has wiped it. The
 * next reader posts the wiped buffers again, as after any read.
 */
void vrng_vq_fork(struct vrng_dev *vi)
{
	size_t wiped;

	spin_lock_irq(&vi->lock);
	vi->stats.forks++;
	wiped = vrng_pool_fork(&vi->pool);
	vi->stats.discarded += wiped;
	if (vi->pool.cur)
		WRITE_ONCE(vi->slow_only, true);
	spin_unlock_irq(&vi->lock);
	trace_vrng_fork(vi->index, wiped);
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
 * whose vrng_vq_start() freed what it had made.
 */
void vrng_vq_stop(struct vrng_dev *vi)
{
	struct vrng_pool pool;

	virtio_reset_device(vi->vdev);
	if (!vi->vq)
		return;
	vi->vdev->config->del_vqs(vi->vdev);

	/* Detached under the lock: the debugfs stats follow pool.cur. */
	spin_lock_irq(&vi->lock);
	pool = vi->pool;
	memset(&vi->pool, 0, sizeof(vi->pool));
	vi->vq = NULL;
	spin_unlock_irq(&vi->lock);
	vrng_pool_free(&pool);
}
