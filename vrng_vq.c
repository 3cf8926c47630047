// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - the queue side: a pool of buffers kept posted to the device, the
 * virtqueue callback that takes them back, and the copy-out to readers.
 *
 * Locking: vi->lock (an IRQ-safe spinlock) serialises the pool bookkeeping
 * and every virtqueue operation except virtqueue_notify(), which is done
 * after the lock is dropped so that the (possibly slow, trapping) doorbell
 * write does not extend the critical section. The lock also orders the
 * device's data before its publication: virtqueue_get_buf() issues the read
 * barrier after the used index, and readers only look at a buffer once they
 * have taken the lock the callback released after marking it FILLED.
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
 * vrng_pool_idle() - number of buffers neither posted nor filled
 * @pool: pool
 *
 * Return: count of IDLE buffers.
 */
static unsigned int vrng_pool_idle(const struct vrng_pool *pool)
{
	return pool->depth - pool->nposted - pool->nfilled;
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
	pool->nposted++;
}

/**
 * vrng_pool_complete() - take back a buffer the device returned
 * @pool: pool
 * @buf: the token virtqueue_get_buf() gave back
 * @len: used.len as reported by the device, not trusted
 *
 * A @len larger than the buffer is clamped to the buffer; a @len of 0
 * makes the buffer IDLE again. Bytes are queued in completion order.
 *
 * Return: VRNG_COMPLETE_OK, _EMPTY (nothing returned), _CLAMPED (@len was
 * too large) or _BOGUS (@buf is not a posted buffer of @pool; ignored).
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
 * vrng_pool_copy() - hand out filled bytes, oldest first
 * @pool: pool
 * @dst: destination
 * @len: bytes wanted
 *
 * Every byte copied is wiped from the pool buffer at once, so that no byte
 * can be handed out twice nor linger in memory; a buffer whose bytes are
 * all handed out becomes IDLE.
 *
 * Return: bytes copied, at most @len.
 */
size_t vrng_pool_copy(struct vrng_pool *pool, void *dst, size_t len)
{
	size_t done = 0;

	while (done < len && pool->nfilled) {
		struct vrng_buf *buf = &pool->bufs[pool->fifo[pool->head]];
		size_t n = min_t(size_t, len - done, buf->len - buf->off);

		memcpy(dst + done, buf->data + buf->off, n);
		memzero_explicit(buf->data + buf->off, n);
		buf->off += n;
		done += n;
		if (buf->off == buf->len) {
			buf->state = VRNG_BUF_IDLE;
			buf->len = 0;
			buf->off = 0;
			pool->head = (pool->head + 1) % pool->depth;
			pool->nfilled--;
		}
	}
	WRITE_ONCE(pool->avail, pool->avail - done);
	return done;
}

/* Keep a long run of empty completions from turning into a busy loop. */
static void vrng_note_completion(struct vrng_dev *vi, int res)
{
	atomic64_inc(&vi->stats.completions);
	switch (res) {
	case VRNG_COMPLETE_EMPTY:
		atomic64_inc(&vi->stats.empty);
		if (++vi->empty_streak < VRNG_EMPTY_BURST)
			return;
		vi->backoff = clamp(vi->backoff * 2, 1UL, VRNG_BACKOFF_MAX);
		vi->retry_at = jiffies + vi->backoff;
		return;
	case VRNG_COMPLETE_CLAMPED:
		atomic64_inc(&vi->stats.clamped);
		dev_warn_ratelimited(&vi->vdev->dev,
				     "device returned more bytes than posted; clamped\n");
		break;
	case VRNG_COMPLETE_BOGUS:
		atomic64_inc(&vi->stats.bogus);
		return;
	}
	vi->empty_streak = 0;
	vi->backoff = 0;
}

/*
 * Post idle buffers. Called with vi->lock held. Returns true when the
 * device must be notified (by the caller, after dropping the lock).
 *
 * Reposts are batched: while bytes remain to be served, buffers go back to
 * the device only once half the pool is idle, so that one notification and
 * one interrupt cover several buffers.
 */
static bool vrng_refill_locked(struct vrng_dev *vi)
{
	struct vrng_pool *pool = &vi->pool;
	unsigned int limit = vrng_pool_idle(pool);
	struct scatterlist sg;
	struct vrng_buf *buf;
	bool added = false;

	if (vi->removed || !limit)
		return false;
	if (pool->avail && limit < DIV_ROUND_UP(pool->depth, 2))
		return false;
	if (vi->empty_streak >= VRNG_EMPTY_BURST) {
		/* One buffer at a time, spaced out by the backoff. */
		if (pool->nposted || time_before(jiffies, vi->retry_at))
			return false;
		limit = 1;
	}
	while (limit-- && (buf = vrng_pool_next_idle(pool))) {
		sg_init_one(&sg, buf->data, pool->bufsize);
		if (virtqueue_add_inbuf(vi->vq, &sg, 1, buf, GFP_ATOMIC))
			break;
		vrng_pool_mark_posted(pool, buf);
		added = true;
	}
	return added && virtqueue_kick_prepare(vi->vq);
}

static void vrng_notify(struct vrng_dev *vi, bool kick)
{
	if (!kick)
		return;
	virtqueue_notify(vi->vq);
	atomic64_inc(&vi->stats.kicks);
}

/**
 * vrng_vq_take() - copy out available bytes and keep the device busy
 * @vi: device, with the caller counted in @vi->readers
 * @dst: destination
 * @len: bytes wanted
 *
 * Never sleeps.
 *
 * Return: bytes copied, possibly 0.
 */
size_t vrng_vq_take(struct vrng_dev *vi, void *dst, size_t len)
{
	unsigned long flags;
	size_t got;
	bool kick;

	spin_lock_irqsave(&vi->lock, flags);
	got = vrng_pool_copy(&vi->pool, dst, len);
	kick = vrng_refill_locked(vi);
	spin_unlock_irqrestore(&vi->lock, flags);

	vrng_notify(vi, kick);
	atomic64_add(got, &vi->stats.bytes);
	return got;
}

/**
 * vrng_vq_wait_timeout() - how long a reader with no bytes may sleep
 * @vi: device
 *
 * Return: MAX_SCHEDULE_TIMEOUT while buffers are with the device (their
 * completion wakes the reader); otherwise the time until the next repost
 * may be tried, so that a reader never sleeps with nothing in flight.
 */
long vrng_vq_wait_timeout(struct vrng_dev *vi)
{
	unsigned long flags;
	long timeout;

	spin_lock_irqsave(&vi->lock, flags);
	if (vi->pool.nposted)
		timeout = MAX_SCHEDULE_TIMEOUT;
	else if (vi->empty_streak >= VRNG_EMPTY_BURST &&
		 time_before(jiffies, vi->retry_at))
		timeout = vi->retry_at - jiffies;
	else
		timeout = 1;
	spin_unlock_irqrestore(&vi->lock, flags);
	return timeout;
}

/**
 * vrng_vq_recv_done() - virtqueue callback: the device returned buffers
 * @vq: the input virtqueue
 *
 * Runs in interrupt context: takes every used buffer back (there may be
 * none: callbacks can be spurious), validates its length, and wakes the
 * readers. Reposting is left to readers.
 */
void vrng_vq_recv_done(struct virtqueue *vq)
{
	struct vrng_dev *vi = vq->vdev->priv;
	bool woke = false;
	struct vrng_buf *buf;
	unsigned long flags;
	unsigned int len;

	spin_lock_irqsave(&vi->lock, flags);
	while ((buf = virtqueue_get_buf(vq, &len))) {
		vrng_note_completion(vi, vrng_pool_complete(&vi->pool, buf, len));
		woke = true;
	}
	spin_unlock_irqrestore(&vi->lock, flags);

	if (woke)
		wake_up_all(&vi->wq);
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
	struct virtqueue *vq;
	bool kick;
	int err;

	vq = virtio_find_single_vq(vi->vdev, vrng_vq_recv_done, "input");
	if (IS_ERR(vq))
		return PTR_ERR(vq);

	depth = min(depth, virtqueue_get_vring_size(vq));
	err = vrng_pool_init(&vi->pool, depth, bufsize);
	if (err) {
		vi->vdev->config->del_vqs(vi->vdev);
		return err;
	}

	spin_lock_irq(&vi->lock);
	vi->vq = vq;
	vi->removed = false;
	vi->empty_streak = 0;
	vi->backoff = 0;
	spin_unlock_irq(&vi->lock);

	virtio_device_ready(vi->vdev);

	spin_lock_irq(&vi->lock);
	kick = vrng_refill_locked(vi);
	spin_unlock_irq(&vi->lock);
	vrng_notify(vi, kick);
	return 0;
}

/**
 * vrng_vq_stop() - reset the device and free the queue and the pool
 * @vi: device with no reader left and @vi->removed set
 */
void vrng_vq_stop(struct vrng_dev *vi)
{
	virtio_reset_device(vi->vdev);
	vi->vdev->config->del_vqs(vi->vdev);
	vi->vq = NULL;
	vrng_pool_free(&vi->pool);
}
