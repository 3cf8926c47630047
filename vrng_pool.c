// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - the buffer pool: which buffer the device owns, which hold bytes
 * and in what order they are served, and the copy-out that wipes every
 * byte it hands out. Pure bookkeeping, no virtio call: the queue side
 * (vrng_vq.c) calls it under the device lock; the KUnit suite tests it on
 * its own.
 */
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_init);

/**
 * vrng_pool_free() - wipe and free every buffer of a pool
 * @pool: pool, possibly partly set up by a failed vrng_pool_init()
 *
 * The device must no longer own any buffer: each was taken back from the
 * virtqueue (and so unmapped, where the DMA API mapped it) or never
 * posted.
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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_free);

/**
 * vrng_pool_idle() - number of buffers that can be posted
 * @pool: pool
 *
 * Return: count of IDLE buffers.
 */
unsigned int vrng_pool_idle(const struct vrng_pool *pool)
{
	return pool->depth - pool->nposted - pool->nfilled - pool->nstale -
	       !!pool->cur;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_idle);

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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_next_idle);

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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_mark_posted);

/* @buf's bytes from @buf->off on will never be served: wipe them later. */
static void vrng_pool_mark_stale(struct vrng_pool *pool, struct vrng_buf *buf)
{
	buf->state = VRNG_BUF_STALE;
	pool->nstale++;
}

/**
 * vrng_pool_complete() - take back a buffer the device returned
 * @pool: pool
 * @buf: the token virtqueue_get_buf() gave back
 * @len: used.len as reported by the device, not trusted
 *
 * A @len larger than the buffer is clamped to the buffer; a @len of 0
 * makes the buffer IDLE again. A buffer posted before a VM fork becomes
 * STALE: its bytes are never served, and wiped outside the lock
 * (vrng_pool_claim_stale()). Bytes are queued in completion order.
 *
 * Return: VRNG_COMPLETE_OK, _EMPTY (nothing returned), _CLAMPED (@len was
 * too large), _STALE (posted before a VM fork: discarded) or _BOGUS (@buf
 * is not a posted buffer of @pool; ignored). Except for _BOGUS, @buf->len
 * holds the length taken, clamped.
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
	buf->len = min(len, pool->bufsize);
	buf->off = 0;
	if (!len) {
		buf->state = VRNG_BUF_IDLE;
		return VRNG_COMPLETE_EMPTY;
	}
	if (len > pool->bufsize)
		ret = VRNG_COMPLETE_CLAMPED;
	if (buf->gen != pool->gen) {
		vrng_pool_mark_stale(pool, buf);
		return VRNG_COMPLETE_STALE;
	}
	buf->state = VRNG_BUF_FILLED;
	tail = (pool->head + pool->nfilled) % pool->depth;
	pool->fifo[tail] = buf - pool->bufs;
	pool->nfilled++;
	WRITE_ONCE(pool->avail, pool->avail + buf->len);
	return ret;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_complete);

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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_hold);

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
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_release);

/**
 * vrng_pool_fork() - the VM was forked: serve no byte buffered before it
 * @pool: pool
 *
 * FILLED buffers become STALE at once (no byte is wiped here: the caller
 * holds a spinlock; see vrng_pool_claim_stale()). POSTED buffers become
 * STALE when they come back (vrng_pool_complete()), the held one when its
 * reader next takes the lock (vrng_pool_drop_stale()), as only it may
 * touch it.
 *
 * Return: bytes of FILLED buffers discarded.
 */
size_t vrng_pool_fork(struct vrng_pool *pool)
{
	size_t discarded = pool->avail;

	pool->gen++;
	for (; pool->nfilled; pool->nfilled--) {
		vrng_pool_mark_stale(pool, &pool->bufs[pool->fifo[pool->head]]);
		pool->head = (pool->head + 1) % pool->depth;
	}
	WRITE_ONCE(pool->avail, 0);
	return discarded;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_fork);

/**
 * vrng_pool_drop_stale() - stop serving the held buffer if a VM fork
 * outdated it
 * @pool: pool; the caller is the reader, which owns @pool->cur
 * @served: set to the bytes the buffer had handed out
 *
 * The buffer becomes STALE: what it has not served is wiped outside the
 * lock, like the rest of the fork's (vrng_pool_claim_stale()).
 *
 * Return: bytes of the held buffer discarded unserved (0, and @served 0,
 * if it is current or there is none).
 */
unsigned int vrng_pool_drop_stale(struct vrng_pool *pool,
				  unsigned int *served)
{
	struct vrng_buf *buf = pool->cur;

	*served = 0;
	if (!buf || buf->gen == pool->gen)
		return 0;
	*served = buf->off;
	pool->cur = NULL;
	vrng_pool_mark_stale(pool, buf);
	return buf->len - buf->off;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_drop_stale);

/**
 * vrng_pool_claim_stale() - take a STALE buffer to wipe it
 * @pool: pool
 *
 * The caller wipes bytes @off to @len of the buffer's data without the
 * lock, then gives it back with vrng_pool_wiped(). A claimed buffer stays
 * out of every other list meanwhile, so two callers never wipe the same
 * one, and the wipe is one buffer's work at a time.
 *
 * Return: a claimed buffer, or NULL if no buffer is STALE.
 */
struct vrng_buf *vrng_pool_claim_stale(struct vrng_pool *pool)
{
	unsigned int i;

	if (!pool->nstale)
		return NULL;
	for (i = 0; i < pool->depth; i++) {
		if (pool->bufs[i].state == VRNG_BUF_STALE) {
			pool->bufs[i].state = VRNG_BUF_WIPING;
			return &pool->bufs[i];
		}
	}
	return NULL;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_claim_stale);

/**
 * vrng_pool_wiped() - a claimed buffer is wiped: make it IDLE
 * @pool: pool
 * @buf: a buffer vrng_pool_claim_stale() gave
 */
void vrng_pool_wiped(struct vrng_pool *pool, struct vrng_buf *buf)
{
	buf->state = VRNG_BUF_IDLE;
	buf->len = 0;
	buf->off = 0;
	pool->nstale--;
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_wiped);

/**
 * vrng_buf_wipe() - wipe the bytes of a claimed buffer never served
 * @buf: a buffer vrng_pool_claim_stale() gave, owned by the caller
 */
void vrng_buf_wipe(struct vrng_buf *buf)
{
	memzero_explicit(buf->data + buf->off, buf->len - buf->off);
}
EXPORT_SYMBOL_IF_KUNIT(vrng_buf_wipe);

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
EXPORT_SYMBOL_IF_KUNIT(vrng_buf_copy);

/**
 * vrng_pool_has_bytes() - bytes are waiting to be served
 * @pool: pool
 *
 * Return: true when the held buffer or a filled one has bytes left.
 */
bool vrng_pool_has_bytes(const struct vrng_pool *pool)
{
	return pool->avail || (pool->cur && !vrng_buf_used_up(pool->cur));
}
EXPORT_SYMBOL_IF_KUNIT(vrng_pool_has_bytes);
