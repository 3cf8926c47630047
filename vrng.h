/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng - virtio entropy device driver: state shared by the driver side
 * (vrng_main.c) and the queue side (vrng_vq.c).
 */
#ifndef _VRNG_H
#define _VRNG_H

#include <linux/hw_random.h>
#include <linux/compiler.h>
#include <linux/minmax.h>
#include <linux/notifier.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/types.h>
#include <linux/wait.h>

#include "vrng_compat.h"

struct dentry;
struct virtio_device;
struct virtqueue;

/* Limits of the module parameters, also used by the tests. */
#define VRNG_BUFSIZE_MIN	64U
#define VRNG_BUFSIZE_MAX	65536U
#define VRNG_DEPTH_MIN		1U
#define VRNG_DEPTH_MAX		256U

/*
 * A device that keeps answering with used.len == 0 gets this many
 * immediate reposts; after that, reposts are spaced out (VRNG_BACKOFF_MAX
 * at most) so that a broken device cannot make a reader spin.
 */
#define VRNG_EMPTY_BURST	8U
#define VRNG_BACKOFF_MAX	((unsigned long)HZ)

/*
 * A blocking read that gets no byte for this long returns 0: the hwrng
 * core then drops its reading_mutex and calls again (its fill thread backs
 * off), so a device that stops answering cannot hold the core.
 */
#define VRNG_WAIT_MAX		HZ

/**
 * enum vrng_buf_state - where a pool buffer is
 * @VRNG_BUF_IDLE: empty and wiped, owned by the driver, ready to be posted
 * @VRNG_BUF_POSTED: on the virtqueue, owned by the device
 * @VRNG_BUF_FILLED: returned by the device with bytes not yet handed out
 * @VRNG_BUF_HELD: being handed out by the reader (&vrng_pool.cur)
 * @VRNG_BUF_STALE: holds bytes from before a VM fork, never to be served,
 *		    not yet wiped
 * @VRNG_BUF_WIPING: a STALE buffer being wiped, without the lock, by the
 *		     one caller that claimed it (vrng_pool_claim_stale())
 */
enum vrng_buf_state {
	VRNG_BUF_IDLE,
	VRNG_BUF_POSTED,
	VRNG_BUF_FILLED,
	VRNG_BUF_HELD,
	VRNG_BUF_STALE,
	VRNG_BUF_WIPING,
};

/**
 * struct vrng_buf - one buffer the device writes into
 * @data: @bufsize bytes of their own allocation (see vrng_pool_init())
 * @len: bytes the device returned (valid when FILLED, HELD, STALE, WIPING)
 * @off: bytes of @data already handed out and wiped (valid when HELD,
 *	 STALE, WIPING)
 * @state: see &enum vrng_buf_state
 * @gen: &vrng_pool.gen when the buffer was posted: its bytes are from
 *	 before a VM fork if the pool's has moved on since
 */
struct vrng_buf {
	u8 *data;
	unsigned int len;
	unsigned int off;
	enum vrng_buf_state state;
	unsigned int gen;
};

/**
 * struct vrng_stats - event counters, under the device's lock
 * @bytes: bytes handed out to callers
 * @completions: buffers the device returned
 * @empty: completions with used.len == 0
 * @clamped: completions whose used.len exceeded the buffer (clamped)
 * @bogus: completions of a buffer that was not posted (ignored)
 * @kicks: device notifications
 * @posted: buffers handed to the device
 * @held_back: reposts held back by the backoff (see %VRNG_EMPTY_BURST)
 * @waits: times a reader slept for data
 * @wait_jiffies: time readers spent asleep, in jiffies
 * @timeouts: blocking reads that returned 0 after %VRNG_WAIT_MAX
 * @forks: VM forks seen (vrng_vq_fork())
 * @discarded: bytes wiped unserved because of a VM fork
 * @broken: reads refused with -EIO because the virtqueue is broken
 */
struct vrng_stats {
	u64 bytes;
	u64 completions;
	u64 empty;
	u64 clamped;
	u64 bogus;
	u64 kicks;
	u64 posted;
	u64 held_back;
	u64 waits;
	u64 wait_jiffies;
	u64 timeouts;
	u64 forks;
	u64 discarded;
	u64 broken;
};

/**
 * struct vrng_pool - bookkeeping of the buffers kept posted to the device
 * @bufs: @depth buffers
 * @cur: the HELD buffer, or NULL; it belongs to the reader
 * @fifo: indices of FILLED buffers in completion order (a ring of @depth)
 * @depth: number of buffers
 * @bufsize: bytes per buffer
 * @head: position in @fifo of the oldest FILLED buffer
 * @nfilled: number of FILLED buffers
 * @nposted: number of POSTED buffers
 * @nstale: number of STALE and WIPING buffers
 * @avail: bytes in FILLED buffers
 * @gen: VM forks seen by this pool (vrng_pool_fork())
 *
 * Pure bookkeeping, no virtio calls (vrng_pool.c): every function runs
 * under the lock of the owning &struct vrng_dev (or in a single-threaded
 * test), except vrng_buf_copy() on @cur, which the reader owns, and
 * vrng_buf_wipe() on a claimed buffer.
 * At most @depth * @bufsize bytes of entropy sit in guest memory.
 */
struct vrng_pool {
	struct vrng_buf *bufs;
	struct vrng_buf *cur;
	u16 *fifo;
	unsigned int depth;
	unsigned int bufsize;
	unsigned int head;
	unsigned int nfilled;
	unsigned int nposted;
	unsigned int nstale;
	size_t avail;
	unsigned int gen;
};

/**
 * struct vrng_dev - one virtio entropy device
 * @hwrng: what the hwrng core sees
 * @vdev: the virtio device
 * @vq: the "input" virtqueue, NULL while there is none (before probe has
 *	set it up, after freeze, after a failed restore)
 * @lock: protects @pool (but the bytes of @pool.cur), @vq operations,
 *	  @vq and @pool being set up or detached, @removed, @readers,
 *	  @empty_streak, @retry_at, @backoff and @stats; taken in the
 *	  virtqueue callback (IRQ)
 * @wq: readers wait here for data (or removal), remove for readers
 * @pool: buffers and their states
 * @removed: set on remove/freeze (under @lock); readers return -ENODEV
 * @slow_only: the held buffer must not be served without @lock: set with
 *	       @removed, and by a VM fork until a reader has dropped the held
 *	       buffer under @lock. Written under @lock, read by the lock-free
 *	       paths inside an RCU-sched read-side section (vrng_vq_fork()):
 *	       their only check besides the buffer's own fields.
 * @readers: callers in the slow path of .read (vrng_read_slow()), and the
 *	     VM-fork notifier while it wipes (vrng_vmfork()), counted in
 *	     under @lock only while !@removed, and done with the device once
 *	     counted out. Teardown frees nothing before none is left: this
 *	     makes remove safe for callers outside the hwrng core (the KUnit
 *	     suite; hwrng_unregister() waits for the core's own). The
 *	     lock-free fast path is not counted: such a caller must not be
 *	     in it, nor start a call, once remove has begun. Only one of them
 *	     is a reader of the held buffer (the hwrng core's reading_mutex).
 * @registered: @hwrng is registered with the hwrng core
 * @empty_streak: consecutive completions with used.len == 0
 * @retry_at: with a long @empty_streak, no repost before this time
 * @backoff: current spacing of reposts in jiffies
 * @index: IDA index, the N of "vrng.N"
 * @stats: event counters
 * @debugfs: this device's debugfs directory
 * @name: hwrng name, "vrng.N"
 * @vmfork_nb: on the kernel's VM-fork notifier chain (vrng_vq_fork())
 * @broken_logged: the broken virtqueue has been reported (under @lock)
 */
struct vrng_dev {
	struct hwrng hwrng;
	struct virtio_device *vdev;
	struct virtqueue *vq;
	spinlock_t lock;	/* see @lock above */
	wait_queue_head_t wq;
	struct vrng_pool pool;
	bool removed;
	bool slow_only;
	bool registered;
	unsigned int readers;
	unsigned int empty_streak;
	unsigned long retry_at;
	unsigned long backoff;
	int index;
	struct vrng_stats stats;
	struct dentry *debugfs;
	char name[16];
	struct notifier_block vmfork_nb;
	bool broken_logged;
};

/* vrng_pool.c */
int vrng_pool_init(struct vrng_pool *pool, unsigned int depth,
		   unsigned int bufsize);
void vrng_pool_free(struct vrng_pool *pool);
unsigned int vrng_pool_idle(const struct vrng_pool *pool);
struct vrng_buf *vrng_pool_next_idle(struct vrng_pool *pool);
void vrng_pool_mark_posted(struct vrng_pool *pool, struct vrng_buf *buf);
int vrng_pool_complete(struct vrng_pool *pool, struct vrng_buf *buf,
		       unsigned int len);
struct vrng_buf *vrng_pool_hold(struct vrng_pool *pool);
unsigned int vrng_pool_release(struct vrng_pool *pool);
size_t vrng_pool_fork(struct vrng_pool *pool);
unsigned int vrng_pool_drop_stale(struct vrng_pool *pool,
				  unsigned int *served);
struct vrng_buf *vrng_pool_claim_stale(struct vrng_pool *pool);
void vrng_pool_wiped(struct vrng_pool *pool, struct vrng_buf *buf);
void vrng_buf_wipe(struct vrng_buf *buf);
size_t vrng_buf_copy(struct vrng_buf *buf, void *dst, size_t len);
bool vrng_pool_has_bytes(const struct vrng_pool *pool);

/* The held buffer has nothing left to hand out. */
static inline bool vrng_buf_used_up(const struct vrng_buf *buf)
{
	return buf->off == buf->len;
}

/* Move one word out of a pool buffer: load, store, then wipe it there. */
static __always_inline void vrng_move_word(u64 *d, u64 *s)
{
	*d = *s;
	WRITE_ONCE(*s, 0);
}

/**
 * vrng_move_words() - copy words out of a pool buffer and wipe them
 * @dst: destination, 8-byte aligned
 * @src: bytes of a held buffer, 8-byte aligned
 * @n: bytes, a multiple of 8
 *
 * One pass: each word is loaded, stored to @dst and zeroed in its buffer
 * by a volatile store, which the compiler may neither elide (what
 * memzero_explicit() guarantees) nor move before the load. It is the whole
 * of the read fast path, so it is inline, calls nothing and moves a
 * 64-byte line per turn unrolled. Measured under TCG with the hwrng
 * core's 64-byte calls: memcpy() plus a wipe cost a fifth of /dev/hwrng's
 * throughput (a call and an indirect return; arm64's memset() reads
 * DCZID_EL0 and zeroes with DC ZVA), and a loop per word a further few
 * percent (each taken branch ends a translation block).
 */
static __always_inline void vrng_move_words(void *dst, void *src, size_t n)
{
	u64 *d = dst, *s = src;

	for (; n >= 8 * sizeof(u64); n -= 8 * sizeof(u64), d += 8, s += 8) {
		vrng_move_word(d + 0, s + 0);
		vrng_move_word(d + 1, s + 1);
		vrng_move_word(d + 2, s + 2);
		vrng_move_word(d + 3, s + 3);
		vrng_move_word(d + 4, s + 4);
		vrng_move_word(d + 5, s + 5);
		vrng_move_word(d + 6, s + 6);
		vrng_move_word(d + 7, s + 7);
	}
	for (; n; n -= sizeof(u64))
		vrng_move_word(d++, s++);
}

/**
 * vrng_buf_can_move() - vrng_buf_move() applies
 * @buf: the held buffer (its data is kmalloc()ed, so aligned)
 * @dst: destination
 * @n: bytes
 *
 * Return: true when @dst, the buffer's offset and @n are 8-byte aligned.
 */
static __always_inline bool vrng_buf_can_move(const struct vrng_buf *buf,
					      const void *dst, size_t n)
{
	return IS_ALIGNED((unsigned long)dst | buf->off | n, sizeof(u64));
}

/**
 * vrng_buf_move() - hand out bytes of the held buffer with vrng_move_words()
 * @buf: the held buffer, owned by the caller, with at least @n bytes left
 * @dst: destination
 * @n: bytes, for which vrng_buf_can_move() holds
 */
static __always_inline void vrng_buf_move(struct vrng_buf *buf, void *dst,
					  size_t n)
{
	vrng_move_words(dst, buf->data + buf->off, n);
	buf->off += n;
}

/* Results of vrng_pool_complete() */
#define VRNG_COMPLETE_OK	0
#define VRNG_COMPLETE_EMPTY	1
#define VRNG_COMPLETE_CLAMPED	2
#define VRNG_COMPLETE_BOGUS	3
#define VRNG_COMPLETE_STALE	4

/* vrng_vq.c: virtqueue side */
int vrng_vq_start(struct vrng_dev *vi, unsigned int depth,
		  unsigned int bufsize);
void vrng_vq_stop(struct vrng_dev *vi);
void vrng_vq_recv_done(struct virtqueue *vq);
ssize_t vrng_vq_take(struct vrng_dev *vi, void *dst, size_t len);
int vrng_vq_wait(struct vrng_dev *vi, unsigned long deadline);
void vrng_vq_fork(struct vrng_dev *vi);
unsigned int vrng_vq_wipe_stale(struct vrng_dev *vi);

/* The quality credited for bytes of a host not trusted (the least there is). */
#define VRNG_QUALITY_UNTRUSTED	1

/**
 * vrng_quality() - the hwrng quality vrng claims for a device's bytes
 * @confidential: the guest's memory is encrypted against the host (SEV,
 *		  TDX, CCA): the host is the adversary
 * @trust_host: the administrator trusts the host anyway (module parameter)
 *
 * Return: %VRNG_QUALITY_UNTRUSTED in a confidential guest that does not
 * trust its host (the bytes are mixed into the kernel's pool but credit
 * next to nothing), else the full credit (%VRNG_QUALITY).
 */
static inline u16 vrng_quality(bool confidential, bool trust_host)
{
	return confidential && !trust_host ? VRNG_QUALITY_UNTRUSTED : VRNG_QUALITY;
}

/* vrng_sysfs.c: the statistics */
int vrng_sysfs_add(struct vrng_dev *vi);
void vrng_sysfs_remove(struct vrng_dev *vi);

/* vrng_debugfs.c (vrng_stats_show(): the stats file's content) */
struct seq_file;
int vrng_stats_show(struct seq_file *m, void *unused);
void vrng_debugfs_init(void);
void vrng_debugfs_exit(void);
void vrng_debugfs_add(struct vrng_dev *vi);
void vrng_debugfs_remove(struct vrng_dev *vi);

#endif /* _VRNG_H */
