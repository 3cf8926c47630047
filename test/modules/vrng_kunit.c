// SPDX-License-Identifier: GPL-2.0
/*
 * vrng_kunit - KUnit tests of vrng.
 *
 * Suite vrng_pool: the buffer bookkeeping of vrng_pool.c, vrng.ko's own
 * (exported to this suite alone on kernels with KUnit).
 * Suite vrng_driver: the real vrng.ko (loaded first) against a software
 * virtio entropy device defined here: its find_vqs() makes a real split
 * virtqueue with vring_create_virtqueue(), and its notify callback plays
 * the device: it takes the posted inbufs from the ring, fills them from a
 * scripted byte stream, sets used.len as the scenario wants and calls
 * vring_interrupt(). register_virtio_device() makes vrng's own probe,
 * read, callback and remove run.
 *
 * The suite arranges what it needs itself, whatever else is loaded: it sets
 * the hwrng core's current source to "none" (before 7.0, to a quiet hwrng
 * of its own), so that the core's fill thread never reads the devices made
 * here (the tests call .read themselves, one reader at a time, as the core
 * does), and arms failslab for sleeping allocations, quietly; both are
 * restored at its end. Only vrng.ko must be
 * loaded first. (Concurrent readers through /dev/hwrng and unbind are
 * tested in a guest, test/scenarios/unbind-busy.sh.)
 */
#include <kunit/test.h>
#include <linux/dcache.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/fs.h>
#include <linux/iopoll.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mount.h>
#include <linux/mutex.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

#include "../../vrng.h"
#include "vrng_kunit_compat.h"

/* ------------------------------------------------------------ vrng_pool */

static void pool_setup(struct kunit *test, struct vrng_pool *pool,
		       unsigned int depth, unsigned int bufsize)
{
	KUNIT_ASSERT_EQ(test, vrng_pool_init(pool, depth, bufsize), 0);
}

/* Post every idle buffer; returns how many. */
static unsigned int pool_post_all(struct vrng_pool *pool)
{
	struct vrng_buf *buf;
	unsigned int n = 0;

	while ((buf = vrng_pool_next_idle(pool))) {
		vrng_pool_mark_posted(pool, buf);
		n++;
	}
	return n;
}

static void pool_init_state(struct kunit *test)
{
	struct vrng_pool pool;
	unsigned int i;

	pool_setup(test, &pool, 8, 64);
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 8U);
	KUNIT_EXPECT_EQ(test, pool.avail, 0UL);
	KUNIT_EXPECT_NULL(test, pool.cur);
	for (i = 0; i < 8; i++) {
		KUNIT_EXPECT_EQ(test, pool.bufs[i].state, VRNG_BUF_IDLE);
		/* Own cache lines: at least ARCH_DMA_MINALIGN-aligned. */
		KUNIT_EXPECT_TRUE(test, IS_ALIGNED((unsigned long)pool.bufs[i].data,
						   ARCH_DMA_MINALIGN));
	}
	vrng_pool_free(&pool);
	KUNIT_EXPECT_NULL(test, pool.bufs);
}

static void pool_transitions(struct kunit *test)
{
	struct vrng_pool pool;
	struct vrng_buf *a, *b;
	u8 out[64];

	pool_setup(test, &pool, 2, 64);
	a = vrng_pool_next_idle(&pool);
	KUNIT_ASSERT_NOT_NULL(test, a);
	vrng_pool_mark_posted(&pool, a);
	KUNIT_EXPECT_EQ(test, a->state, VRNG_BUF_POSTED);
	b = vrng_pool_next_idle(&pool);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	vrng_pool_mark_posted(&pool, b);
	KUNIT_EXPECT_NULL(test, vrng_pool_next_idle(&pool));
	KUNIT_EXPECT_EQ(test, pool.nposted, 2U);

	/* POSTED -> FILLED */
	memset(a->data, 0xaa, 64);
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, a, 64), VRNG_COMPLETE_OK);
	KUNIT_EXPECT_EQ(test, a->state, VRNG_BUF_FILLED);
	KUNIT_EXPECT_EQ(test, pool.avail, 64UL);
	/* A FILLED buffer completed again is not trusted. */
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, a, 64), VRNG_COMPLETE_BOGUS);
	KUNIT_EXPECT_EQ(test, pool.avail, 64UL);

	/* FILLED -> HELD -> used up -> IDLE, bytes wiped */
	KUNIT_EXPECT_PTR_EQ(test, vrng_pool_hold(&pool), a);
	KUNIT_EXPECT_EQ(test, a->state, VRNG_BUF_HELD);
	KUNIT_EXPECT_EQ(test, pool.avail, 0UL);
	KUNIT_EXPECT_NULL(test, vrng_pool_hold(&pool));
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(a, out, 40), (size_t)40);
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(a, out + 40, 40), (size_t)24);
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(a, out, 40), (size_t)0);
	KUNIT_EXPECT_EQ(test, out[0], 0xaa);
	KUNIT_EXPECT_EQ(test, out[63], 0xaa);
	KUNIT_EXPECT_TRUE(test, mem_is_zero(a->data, 64));
	KUNIT_EXPECT_EQ(test, vrng_pool_release(&pool), 64U);
	KUNIT_EXPECT_EQ(test, a->state, VRNG_BUF_IDLE);
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 1U);

	/* POSTED -> IDLE on an empty completion */
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, b, 0), VRNG_COMPLETE_EMPTY);
	KUNIT_EXPECT_EQ(test, b->state, VRNG_BUF_IDLE);
	KUNIT_EXPECT_EQ(test, pool.nposted, 0U);
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 2U);
	vrng_pool_free(&pool);
}

static void pool_length_clamp(struct kunit *test)
{
	struct vrng_pool pool;
	struct vrng_buf *a, *b;

	pool_setup(test, &pool, 2, 128);
	pool_post_all(&pool);
	a = &pool.bufs[0];
	b = &pool.bufs[1];
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, a, 129), VRNG_COMPLETE_CLAMPED);
	KUNIT_EXPECT_EQ(test, a->len, 128U);
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, b, U32_MAX), VRNG_COMPLETE_CLAMPED);
	KUNIT_EXPECT_EQ(test, b->len, 128U);
	KUNIT_EXPECT_EQ(test, pool.avail, 256UL);
	vrng_pool_free(&pool);

	pool_setup(test, &pool, 1, 128);
	pool_post_all(&pool);
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, &pool.bufs[0], 128), VRNG_COMPLETE_OK);
	vrng_pool_free(&pool);
}

static void pool_bogus_token(struct kunit *test)
{
	struct vrng_pool pool, other;

	pool_setup(test, &pool, 2, 64);
	pool_setup(test, &other, 2, 64);
	pool_post_all(&pool);
	pool_post_all(&other);
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, &other.bufs[0], 8), VRNG_COMPLETE_BOGUS);
	KUNIT_EXPECT_EQ(test, pool.nposted, 2U);
	KUNIT_EXPECT_EQ(test, pool.avail, 0UL);
	vrng_pool_free(&other);
	vrng_pool_free(&pool);
}

/* Completion order is serving order, across many turns of the FIFO. */
static void pool_fifo_wraparound(struct kunit *test)
{
	static const unsigned int order[] = { 2, 0, 3, 1 };
	struct vrng_pool pool;
	unsigned int turn, i;
	u8 out;

	pool_setup(test, &pool, 4, 64);
	for (turn = 0; turn < 10; turn++) {
		KUNIT_ASSERT_EQ(test, pool_post_all(&pool), 4U);
		for (i = 0; i < 4; i++) {
			struct vrng_buf *buf = &pool.bufs[order[(i + turn) % 4]];

			buf->data[0] = turn * 4 + i;
			KUNIT_ASSERT_EQ(test, vrng_pool_complete(&pool, buf, 1),
					VRNG_COMPLETE_OK);
		}
		for (i = 0; i < 4; i++) {
			struct vrng_buf *buf = vrng_pool_hold(&pool);

			KUNIT_ASSERT_NOT_NULL(test, buf);
			KUNIT_EXPECT_EQ(test, vrng_buf_copy(buf, &out, 1), (size_t)1);
			KUNIT_EXPECT_EQ(test, out, turn * 4 + i);
			vrng_pool_release(&pool);
		}
		KUNIT_EXPECT_EQ(test, pool.nfilled, 0U);
	}
	vrng_pool_free(&pool);
}

static void pool_wipe_unaligned(struct kunit *test)
{
	struct vrng_pool pool;
	struct vrng_buf *buf;
	u8 out[13];

	pool_setup(test, &pool, 1, 64);
	pool_post_all(&pool);
	buf = &pool.bufs[0];
	memset(buf->data, 0x5c, 64);
	vrng_pool_complete(&pool, buf, 64);
	vrng_pool_hold(&pool);
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(buf, out, 13), (size_t)13);
	KUNIT_EXPECT_TRUE(test, mem_is_zero(buf->data, 13));
	KUNIT_EXPECT_EQ(test, buf->data[13], 0x5c);
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(buf, out, 13), (size_t)13);
	KUNIT_EXPECT_TRUE(test, mem_is_zero(buf->data, 26));
	vrng_pool_free(&pool);
}

/* Claim, wipe and give back every STALE buffer, as vrng_vq_wipe_stale(). */
static unsigned int pool_wipe_all(struct kunit *test, struct vrng_pool *pool)
{
	struct vrng_buf *buf;
	unsigned int n = 0;

	while ((buf = vrng_pool_claim_stale(pool))) {
		KUNIT_EXPECT_EQ(test, buf->state, VRNG_BUF_WIPING);
		vrng_buf_wipe(buf);
		KUNIT_EXPECT_TRUE(test, mem_is_zero(buf->data, buf->len));
		vrng_pool_wiped(pool, buf);
		KUNIT_EXPECT_EQ(test, buf->state, VRNG_BUF_IDLE);
		n++;
	}
	return n;
}

/*
 * A VM fork makes filled buffers STALE at once; a buffer posted before it
 * becomes STALE when it comes back, the held one when its reader drops
 * it; none of them serves or is posted again before it is wiped, one
 * claimed buffer at a time; a buffer posted after the fork serves.
 */
static void pool_fork(struct kunit *test)
{
	struct vrng_buf *held, *filled, *late, *fresh, *claimed;
	struct vrng_pool pool;
	unsigned int served;
	u8 out[16];

	pool_setup(test, &pool, 4, 64);
	KUNIT_ASSERT_EQ(test, pool_post_all(&pool), 4U);
	held = &pool.bufs[0];
	filled = &pool.bufs[1];
	late = &pool.bufs[2];
	memset(held->data, 0x11, 64);
	memset(filled->data, 0x22, 64);
	memset(late->data, 0x33, 64);
	KUNIT_ASSERT_EQ(test, vrng_pool_complete(&pool, held, 64), VRNG_COMPLETE_OK);
	KUNIT_ASSERT_EQ(test, vrng_pool_complete(&pool, filled, 64), VRNG_COMPLETE_OK);
	KUNIT_ASSERT_PTR_EQ(test, vrng_pool_hold(&pool), held);
	KUNIT_ASSERT_EQ(test, vrng_buf_copy(held, out, 16), (size_t)16);

	KUNIT_EXPECT_EQ(test, vrng_pool_fork(&pool), (size_t)64);
	KUNIT_EXPECT_EQ(test, filled->state, VRNG_BUF_STALE);
	KUNIT_EXPECT_EQ(test, pool.nstale, 1U);
	KUNIT_EXPECT_EQ(test, pool.avail, 0UL);
	KUNIT_EXPECT_NULL(test, vrng_pool_hold(&pool));
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 0U);

	/* Posted before the fork, back after it: stale, never filled. */
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, late, 64), VRNG_COMPLETE_STALE);
	KUNIT_EXPECT_EQ(test, late->state, VRNG_BUF_STALE);
	KUNIT_EXPECT_EQ(test, late->len, 64U);
	KUNIT_EXPECT_EQ(test, pool.avail, 0UL);

	/* The held buffer: its rest dropped, what it served counted. */
	KUNIT_EXPECT_EQ(test, vrng_pool_drop_stale(&pool, &served), 48U);
	KUNIT_EXPECT_EQ(test, served, 16U);
	KUNIT_EXPECT_NULL(test, pool.cur);
	KUNIT_EXPECT_EQ(test, held->state, VRNG_BUF_STALE);
	KUNIT_EXPECT_EQ(test, vrng_pool_drop_stale(&pool, &served), 0U);
	KUNIT_EXPECT_EQ(test, pool.nstale, 3U);
	KUNIT_EXPECT_NULL(test, vrng_pool_next_idle(&pool));

	/* A claimed buffer is nobody else's: the next claim is another one. */
	claimed = vrng_pool_claim_stale(&pool);
	KUNIT_ASSERT_NOT_NULL(test, claimed);
	KUNIT_EXPECT_EQ(test, pool_wipe_all(test, &pool), 2U);
	KUNIT_EXPECT_EQ(test, claimed->state, VRNG_BUF_WIPING);
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 2U);
	vrng_buf_wipe(claimed);
	vrng_pool_wiped(&pool, claimed);
	KUNIT_EXPECT_EQ(test, pool.nstale, 0U);
	KUNIT_EXPECT_EQ(test, vrng_pool_idle(&pool), 3U);
	KUNIT_EXPECT_TRUE(test, mem_is_zero(held->data, 64));
	KUNIT_EXPECT_TRUE(test, mem_is_zero(filled->data, 64));
	KUNIT_EXPECT_TRUE(test, mem_is_zero(late->data, 64));

	/* Posted after the fork: serves. */
	fresh = vrng_pool_next_idle(&pool);
	KUNIT_ASSERT_NOT_NULL(test, fresh);
	vrng_pool_mark_posted(&pool, fresh);
	memset(fresh->data, 0x44, 64);
	KUNIT_EXPECT_EQ(test, vrng_pool_complete(&pool, fresh, 64), VRNG_COMPLETE_OK);
	KUNIT_EXPECT_PTR_EQ(test, vrng_pool_hold(&pool), fresh);
	KUNIT_EXPECT_EQ(test, vrng_pool_drop_stale(&pool, &served), 0U);
	KUNIT_EXPECT_EQ(test, vrng_buf_copy(fresh, out, 16), (size_t)16);
	KUNIT_EXPECT_EQ(test, out[15], 0x44);
	vrng_pool_free(&pool);
}

/* A confidential guest credits the host's bytes only when told to. */
static void quality_decision(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, vrng_quality(false, false), (u16)VRNG_QUALITY);
	KUNIT_EXPECT_EQ(test, vrng_quality(false, true), (u16)VRNG_QUALITY);
	KUNIT_EXPECT_EQ(test, vrng_quality(true, false), (u16)VRNG_QUALITY_UNTRUSTED);
	KUNIT_EXPECT_EQ(test, vrng_quality(true, true), (u16)VRNG_QUALITY);
	KUNIT_EXPECT_GT(test, VRNG_QUALITY_UNTRUSTED, 0);
}

static struct kunit_case vrng_pool_cases[] = {
	KUNIT_CASE(pool_init_state),
	KUNIT_CASE(pool_transitions),
	KUNIT_CASE(pool_length_clamp),
	KUNIT_CASE(pool_bogus_token),
	KUNIT_CASE(pool_fifo_wraparound),
	KUNIT_CASE(pool_wipe_unaligned),
	KUNIT_CASE(pool_fork),
	KUNIT_CASE(quality_decision),
	{}
};

static struct kunit_suite vrng_pool_suite = {
	.name = "vrng_pool",
	.test_cases = vrng_pool_cases,
};

/* ------------------------------------------------- the software device */

enum fake_len {
	FAKE_FULL,	/* fill the buffer, used.len = its size */
	FAKE_SHORT,	/* fill 7 bytes, used.len = 7 */
	FAKE_ZERO,	/* fill nothing, used.len = 0 */
	FAKE_OVER,	/* fill the buffer, used.len = size + 4096 */
	FAKE_GEN,	/* fill the buffer with gen + 1, used.len = its size */
};

/*
 * With @hold clear, the device completes buffers inside notify, before the
 * reader can sleep; with it set, it keeps them until the test calls
 * fake_process() (from its own thread, while a reader sleeps) or forever.
 */
struct fake_rng {
	struct virtio_device vdev;
	struct virtqueue *vq;
	spinlock_t lock;	/* device side: ring walk, stream */
	u8 status;
	bool hold;		/* take buffers but do not complete them */
	bool registered;	/* by the test, not yet unregistered */
	enum fake_len len_mode;
	u64 stream;		/* next stream position the device writes */
	unsigned int gen;	/* FAKE_GEN: the VM forks begun (test-set) */
	u16 last_avail;
	int vqs;		/* find_vqs() calls not undone by del_vqs() */
	int bad_del_vqs;	/* del_vqs() calls with no queue */
	int left_on_ring;	/* buffers still on the ring at del_vqs() */
	struct kunit *fork_in_probe;	/* set: find_vqs() forks the VM */
	atomic_t notifies;
};

static struct fake_rng *to_fake(struct virtio_device *vdev)
{
	return container_of(vdev, struct fake_rng, vdev);
}

/* The scripted byte stream: position -> byte, no short period. */
static u8 fake_byte(u64 pos)
{
	u64 x = pos * 0x9e3779b97f4a7c15ULL;

	return (x ^ (x >> 29) ^ (x >> 47)) >> 24;
}

/*
 * Fill one buffer as the mode says; returns used.len to report. The device
 * side, not the driver's: left out of KCSAN's instrumentation, which would
 * make each byte cost a check and starve the driver's paths of watchpoints.
 */
static __no_kcsan u32 fake_fill(struct fake_rng *f, u8 *buf, u32 len)
{
	u32 fill, report;

	switch (READ_ONCE(f->len_mode)) {
	case FAKE_SHORT:
		fill = min(len, 7U);
		report = fill;
		break;
	case FAKE_ZERO:
		fill = 0;
		report = 0;
		break;
	case FAKE_OVER:
		fill = len;
		report = len + 4096;
		break;
	case FAKE_GEN:
		memset(buf, READ_ONCE(f->gen) + 1, len);
		return len;
	default:
		fill = len;
		report = len;
	}
	for (u32 i = 0; i < fill; i++)
		buf[i] = fake_byte(f->stream++);
	return report;
}

/*
 * Play the device: complete every buffer the driver made available, then
 * interrupt unless the driver asked for no interrupts.
 */
static void fake_process(struct fake_rng *f)
{
	struct vring *vr = (struct vring *)virtqueue_get_vring(f->vq);
	struct virtio_device *vdev = &f->vdev;
	bool used = false;
	unsigned long flags;

	spin_lock_irqsave(&f->lock, flags);
	while (f->last_avail != virtio16_to_cpu(vdev, READ_ONCE(vr->avail->idx))) {
		u16 head, used_idx;
		struct vring_desc *d;
		u32 report;

		virtio_rmb(true);
		head = virtio16_to_cpu(vdev, vr->avail->ring[f->last_avail % vr->num]);
		d = &vr->desc[head];
		report = fake_fill(f, phys_to_virt(virtio64_to_cpu(vdev, d->addr)),
				   virtio32_to_cpu(vdev, d->len));
		used_idx = virtio16_to_cpu(vdev, vr->used->idx);
		vr->used->ring[used_idx % vr->num].id = cpu_to_virtio32(vdev, head);
		vr->used->ring[used_idx % vr->num].len = cpu_to_virtio32(vdev, report);
		virtio_wmb(true);
		vr->used->idx = cpu_to_virtio16(vdev, used_idx + 1);
		f->last_avail++;
		used = true;
	}
	spin_unlock_irqrestore(&f->lock, flags);

	if (used && !(virtio16_to_cpu(vdev, READ_ONCE(vr->avail->flags)) &
		      VRING_AVAIL_F_NO_INTERRUPT)) {
		local_irq_save(flags);
		vring_interrupt(0, f->vq);
		local_irq_restore(flags);
	}
}

static bool fake_notify(struct virtqueue *vq)
{
	struct fake_rng *f = to_fake(vq->vdev);

	atomic_inc(&f->notifies);
	if (!READ_ONCE(f->hold))
		fake_process(f);
	return true;
}

static u8 fake_get_status(struct virtio_device *vdev)
{
	return to_fake(vdev)->status;
}

static void fake_set_status(struct virtio_device *vdev, u8 status)
{
	to_fake(vdev)->status = status;
}

static void fake_reset(struct virtio_device *vdev)
{
	struct fake_rng *f = to_fake(vdev);

	f->status = 0;
	f->last_avail = 0;
}

static u64 fake_get_features(struct virtio_device *vdev)
{
	return BIT_ULL(VIRTIO_F_VERSION_1);
}

static int fake_finalize_features(struct virtio_device *vdev)
{
	vring_transport_features(vdev);
	return 0;
}

static void vmfork(struct kunit *test);

/* The one queue, for find_vqs() in either form (vrng_kunit_compat.h). */
static int fake_find_vq(struct virtio_device *vdev, struct virtqueue **vqp,
			void (*callback)(struct virtqueue *vq),
			const char *name)
{
	struct fake_rng *f = to_fake(vdev);

	f->vq = vring_create_virtqueue(0, 8, SMP_CACHE_BYTES, vdev, true, true,
				       false, fake_notify, callback, name);
	if (!f->vq)
		return -ENOMEM;
	f->vqs++;
	f->last_avail = 0;
	*vqp = f->vq;
	if (f->fork_in_probe)
		vmfork(f->fork_in_probe);
	return 0;
}

VRNG_KUNIT_FIND_VQS(fake)

/* A second del_vqs() is counted, not done: on virtio-mmio it frees an IRQ twice. */
static void fake_del_vqs(struct virtio_device *vdev)
{
	struct fake_rng *f = to_fake(vdev);

	if (!f->vq) {
		f->bad_del_vqs++;
		return;
	}
	/* What the driver did not take back: with the DMA API, still mapped. */
	while (virtqueue_detach_unused_buf(f->vq))
		f->left_on_ring++;
	vring_del_virtqueue(f->vq);
	f->vq = NULL;
	f->vqs--;
}

static const char *fake_bus_name(struct virtio_device *vdev)
{
	return "vrng-kunit";
}

static const struct virtio_config_ops fake_config_ops = {
	.get_status = fake_get_status,
	.set_status = fake_set_status,
	.reset = fake_reset,
	.get_features = fake_get_features,
	.finalize_features = fake_finalize_features,
	.find_vqs = fake_find_vqs,
	.del_vqs = fake_del_vqs,
	.bus_name = fake_bus_name,
};

static void fake_release(struct device *dev)
{
	kfree(container_of(dev, struct fake_rng, vdev.dev));
}

/* A device, not registered yet; freed by its release once registered. */
static struct fake_rng *fake_new(struct kunit *test, bool hold,
				 enum fake_len mode)
{
	struct fake_rng *f = kzalloc_obj(*f, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_init(&f->lock);
	f->hold = hold;
	f->len_mode = mode;
	f->vdev.id.device = VIRTIO_ID_RNG;
	f->vdev.id.vendor = 0x564b;	/* "VK" */
	f->vdev.config = &fake_config_ops;
	f->vdev.dev.release = fake_release;
	return f;
}

/* Unregister a device the test registered, once. */
static void fake_remove(struct fake_rng *f)
{
	if (f->registered) {
		f->registered = false;
		unregister_virtio_device(&f->vdev);
	}
}

/* End of the case, failed or not: the device goes, then its memory. */
static void fake_cleanup(void *data)
{
	struct fake_rng *f = data;

	fake_remove(f);
	put_device(&f->vdev.dev);
}

/*
 * Register a device, unregistered at the end of the case unless the test
 * did it; returns it (maybe not bound: see fake_add()), or NULL (failed).
 */
static struct fake_rng *fake_register(struct kunit *test, struct fake_rng *f)
{
	int err = register_virtio_device(&f->vdev);

	if (err) {
		put_device(&f->vdev.dev);
		KUNIT_FAIL(test, "register_virtio_device: %d", err);
		return NULL;
	}
	f->registered = true;
	get_device(&f->vdev.dev);
	if (kunit_add_action_or_reset(test, fake_cleanup, f))
		return NULL;
	return f;
}

/* Register a device; returns it bound to vrng, or NULL (test failed). */
static struct fake_rng *fake_add(struct kunit *test, bool hold,
				 enum fake_len mode)
{
	struct fake_rng *f = fake_register(test, fake_new(test, hold, mode));

	if (!f)
		return NULL;
	if (!f->vdev.dev.driver || strcmp(f->vdev.dev.driver->name, "vrng")) {
		KUNIT_FAIL(test, "vrng did not bind the device: is vrng.ko loaded?");
		return NULL;
	}
	return f;
}

static struct vrng_dev *fake_vi(struct fake_rng *f)
{
	return f->vdev.priv;
}

static int fake_read(struct fake_rng *f, void *buf, size_t len, bool wait)
{
	struct vrng_dev *vi = fake_vi(f);

	if (!vi)	/* unbound by a case's cleanup */
		return -ENODEV;
	return vi->hwrng.read(&vi->hwrng, buf, len, wait);
}

/*
 * The stream position of the next byte vrng hands out on a new device:
 * the stream starts at 0 and is served in order, so it is what vrng has
 * served (retired buffers, and the held one so far). Not 0 before 6.10,
 * whose hwrng core reads some bytes at registration
 * (add_early_randomness()). Bytes the device wrote into buffers vrng has
 * not taken back yet do not count: they are still to be served.
 */
static u64 fake_next_pos(struct fake_rng *f)
{
	const struct vrng_dev *vi = fake_vi(f);

	return vi->stats.bytes + (vi->pool.cur ? vi->pool.cur->off : 0);
}

/*
 * Across freeze and restore: unserved bytes are dropped, so the stream
 * resumes where the device stopped writing, plus what restore's
 * registration read before 6.10.
 */
static void fake_freeze_restore(struct kunit *test, struct fake_rng *f,
				u64 *pos)
{
	KUNIT_ASSERT_EQ(test, virtio_device_freeze(&f->vdev), 0);
	*pos = f->stream - fake_next_pos(f);
	KUNIT_ASSERT_EQ(test, virtio_device_restore(&f->vdev), 0);
	*pos += fake_next_pos(f);
}

/*
 * Read exactly @len bytes (wait = true) and check them against the stream,
 * and that what the held buffer handed out is wiped.
 */
static void expect_stream(struct kunit *test, struct fake_rng *f, u64 *pos,
			  size_t len)
{
	u8 *buf = kunit_kzalloc(test, len, GFP_KERNEL);
	struct vrng_buf *cur;
	size_t got = 0, i;

	KUNIT_ASSERT_NOT_NULL(test, buf);
	while (got < len) {
		int n = fake_read(f, buf + got, len - got, true);

		KUNIT_ASSERT_GT_MSG(test, n, 0, "read returned %d at %zu of %zu",
				    n, got, len);
		KUNIT_ASSERT_LE(test, (size_t)n, len - got);
		got += n;
		cur = fake_vi(f)->pool.cur;
		if (cur)
			KUNIT_ASSERT_TRUE_MSG(test, mem_is_zero(cur->data, cur->off),
					      "served bytes not wiped (%u served)",
					      cur->off);
	}
	for (i = 0; i < len; i++) {
		if (buf[i] != fake_byte(*pos + i)) {
			KUNIT_FAIL(test,
				   "byte %zu of a %zu-byte read is %#x, stream has %#x at %llu",
				   i, len, buf[i], fake_byte(*pos + i), *pos + i);
			break;
		}
	}
	*pos += len;
}

/*
 * A VM fork, through the kernel's own path (vmgenid's): the crng reseeds
 * and the VM-fork notifier chain runs, vrng's notifier on it.
 */
static void vmfork(struct kunit *test)
{
	static const u8 vm_id[16] = "vrng-kunit-fork";

	vrng_kunit_vmfork(test, vm_id, sizeof(vm_id));
}

/* Bytes the device wrote that vrng has not served: buffered, or in flight. */
static u64 fake_unserved(struct fake_rng *f)
{
	return f->stream - fake_next_pos(f);
}

static u64 stat_waits(struct vrng_dev *vi)
{
	return READ_ONCE(vi->stats.waits);
}

/* 0 once the device's reader has slept more than @waits times, or -ETIMEDOUT */
static int wait_for_waits(struct vrng_dev *vi, u64 waits)
{
	u64 now;

	return read_poll_timeout(stat_waits, now, now > waits, 5000,
				 2 * USEC_PER_SEC, false, vi);
}

/* ------------------------------------------------------ reader threads */

/*
 * A kthread calling .read with wait = true, once or (@loop) until a call
 * does not return 0. It lives on its own allocation, and the end of the
 * case stops it even after a failed assertion (reader_cleanup()).
 */
struct reader {
	struct fake_rng *f;
	struct task_struct *task;
	struct completion done;
	bool loop;
	bool stop;		/* loop: stop after the current call */
	atomic_t zeros;		/* calls that returned 0 */
	int ret;		/* the last call's */
	u8 buf[64];
};

static int reader_fn(void *data)
{
	struct reader *r = data;
	int ret;

	allow_signal(SIGKILL);
	do {
		ret = fake_read(r->f, r->buf, sizeof(r->buf), true);
		if (!ret)
			atomic_inc(&r->zeros);
	} while (r->loop && !ret && !READ_ONCE(r->stop));
	r->ret = ret;
	flush_signals(current);
	complete_all(&r->done);	/* for every wait, the cleanup's too */

	/* The case's cleanup ends the thread, with kthread_stop(). */
	for (;;) {
		set_current_state(TASK_IDLE);
		if (kthread_should_stop())
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	return 0;
}

/*
 * Remove the device under a reader still blocked (a driver bug, or a
 * failed case) so that it returns; only a reader stuck even then is left
 * behind, reported.
 */
static void reader_cleanup(void *data)
{
	struct reader *r = data;

	WRITE_ONCE(r->stop, true);
	if (!wait_for_completion_timeout(&r->done, 3 * HZ)) {
		fake_remove(r->f);
		if (!wait_for_completion_timeout(&r->done, 10 * HZ)) {
			pr_err("vrng_kunit: reader stuck after remove, left running\n");
			return;
		}
	}
	kthread_stop(r->task);
	kfree(r);
}

static struct reader *start_reader(struct kunit *test, struct fake_rng *f,
				   bool loop)
{
	struct reader *r = kzalloc_obj(*r, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->f = f;
	r->loop = loop;
	r->ret = INT_MIN;
	init_completion(&r->done);
	r->task = kthread_run(reader_fn, r, "vrng-kunit-reader");
	if (IS_ERR(r->task)) {
		kfree(r);
		KUNIT_FAIL_AND_ABORT(test, "kthread_run failed");
	}
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, reader_cleanup, r), 0);
	return r;
}

/* 0 once another call of the reader returned 0, or -ETIMEDOUT */
static int wait_for_zero_return(struct reader *r)
{
	int zeros = atomic_read(&r->zeros), now;

	return read_poll_timeout(atomic_read, now, now != zeros, 5000,
				 3 * USEC_PER_SEC, false, &r->zeros);
}

/* The reader sleeps in read (vrng_vq_wait() counted it as waiting). */
static void expect_reader_asleep(struct kunit *test, struct fake_rng *f,
				 u64 waits)
{
	KUNIT_ASSERT_EQ_MSG(test, wait_for_waits(fake_vi(f), waits), 0,
			    "reader did not go to sleep");
}

/*
 * Remove the device while the reader sleeps in read(wait = true): it
 * returns -ENODEV. A looping reader is removed a quarter of a second
 * into a call (each lasts VRNG_WAIT_MAX), never between two calls.
 */
static void expect_released_by_remove(struct kunit *test, struct fake_rng *f,
				      struct reader *r)
{
	if (r->loop) {
		KUNIT_ASSERT_EQ_MSG(test, wait_for_zero_return(r), 0,
				    "looping reader: no call returned 0 in 3 s");
		msleep(250);
	}
	KUNIT_EXPECT_FALSE_MSG(test, completion_done(&r->done),
			       "read(wait) returned %d with no data", r->ret);
	fake_remove(f);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, 5 * HZ),
			      "reader still blocked after remove");
	KUNIT_EXPECT_EQ(test, r->ret, -ENODEV);
}

/* ---------------------------------------------------- the driver suite */

/*
 * Every read size from 1 to 4096 returns exactly the stream, in order; so
 * do the hwrng core's 64-byte calls (the inline fast path) over buffers.
 */
static void driver_reads_in_order(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	size_t len;
	unsigned int i;
	u64 pos;

	KUNIT_ASSERT_NOT_NULL(test, f);
	pos = fake_next_pos(f);
	for (len = 1; len <= 4096; len += (len < 130 ? 1 : 97))
		expect_stream(test, f, &pos, len);
	expect_stream(test, f, &pos, 4096);
	for (i = 0; i < 3 * fake_vi(f)->pool.bufsize / 64; i++)
		expect_stream(test, f, &pos, 64);
}

static void driver_short_completions(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_SHORT);
	u64 pos;

	KUNIT_ASSERT_NOT_NULL(test, f);
	pos = fake_next_pos(f);
	expect_stream(test, f, &pos, 1);
	expect_stream(test, f, &pos, 64);
	expect_stream(test, f, &pos, 1000);
}

/* used.len beyond the buffer: clamped and counted, nothing read past it. */
static void driver_oversized_len(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_OVER);
	u64 pos;

	KUNIT_ASSERT_NOT_NULL(test, f);
	pos = fake_next_pos(f);
	expect_stream(test, f, &pos, 3 * fake_vi(f)->pool.bufsize + 5);
	KUNIT_EXPECT_GT(test, fake_vi(f)->stats.clamped, 0ULL);
}

/* A device that answers with nothing, forever: no hang, no busy loop. */
static void driver_zero_len_forever(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_ZERO);
	struct reader *r;
	unsigned long t0;
	u8 buf[64];
	int i, n0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	t0 = jiffies;
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), false), 0);
	KUNIT_EXPECT_LT(test, jiffies - t0, (unsigned long)HZ);

	r = start_reader(test, f, true);
	n0 = atomic_read(&f->notifies);
	msleep(1000);
	/* With backoff, about log2(HZ) reposts a second, not thousands. */
	KUNIT_EXPECT_LT(test, atomic_read(&f->notifies) - n0, 64);
	KUNIT_EXPECT_GT(test, fake_vi(f)->stats.empty, (u64)VRNG_EMPTY_BURST);
	expect_released_by_remove(test, f, r);
}

/*
 * A device that never completes: wait = false returns 0 at once, wait =
 * true returns 0 after about VRNG_WAIT_MAX (so that the hwrng core drops
 * its reading_mutex and calls again), and a reader calling again and
 * again is released by remove.
 */
static void driver_never_completes(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	unsigned long t0, dt;
	struct reader *r;
	u8 buf[64];

	KUNIT_ASSERT_NOT_NULL(test, f);
	t0 = jiffies;
	KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), false), 0);
	KUNIT_EXPECT_LT(test, jiffies - t0, (unsigned long)HZ / 10);

	t0 = jiffies;
	r = start_reader(test, f, false);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, 3 * HZ),
			      "read(wait) still blocked after 3 s");
	dt = jiffies - t0;
	KUNIT_EXPECT_EQ(test, r->ret, 0);
	KUNIT_EXPECT_GE(test, dt, (unsigned long)VRNG_WAIT_MAX);
	KUNIT_EXPECT_LT(test, dt, (unsigned long)VRNG_WAIT_MAX + HZ / 2);
	KUNIT_EXPECT_EQ(test, fake_vi(f)->stats.timeouts, 1ULL);

	expect_released_by_remove(test, f, start_reader(test, f, true));
}

/* A blocked reader still dies of SIGKILL, at once. */
static void driver_read_killable(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct reader *r;

	KUNIT_ASSERT_NOT_NULL(test, f);
	r = start_reader(test, f, false);
	expect_reader_asleep(test, f, 0);
	send_sig(SIGKILL, r->task, 1);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, HZ / 2),
			      "killed reader still blocked");
	KUNIT_EXPECT_EQ(test, r->ret, -ERESTARTSYS);
}

/*
 * The sleeping reader @r wakes within HZ / 2 with a full read of the
 * stream from its start (its device held every buffer until then).
 */
static void expect_reader_woken(struct kunit *test, struct reader *r,
				const char *why)
{
	unsigned int i;

	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, HZ / 2),
			      "%s", why);
	KUNIT_ASSERT_EQ(test, r->ret, (int)sizeof(r->buf));
	for (i = 0; i < sizeof(r->buf); i++)
		KUNIT_ASSERT_EQ(test, r->buf[i], fake_byte(i));
}

/*
 * Every buffer is posted and a reader sleeps; the device then completes
 * them all with used.len == 0, later and from another context (this
 * thread), and turns to full data. The reader must post them again and
 * get data well before VRNG_WAIT_MAX, not sleep on with nothing posted.
 */
static void driver_empty_completions_later(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct vrng_dev *vi;
	struct reader *r;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	KUNIT_ASSERT_EQ(test, vi->pool.nposted, vi->pool.depth);
	r = start_reader(test, f, false);
	expect_reader_asleep(test, f, 0);

	WRITE_ONCE(f->len_mode, FAKE_ZERO);
	fake_process(f);
	KUNIT_EXPECT_EQ(test, vi->stats.empty, (u64)vi->pool.depth);
	WRITE_ONCE(f->len_mode, FAKE_FULL);
	WRITE_ONCE(f->hold, false);
	fake_process(f);	/* what was posted again meanwhile */

	expect_reader_woken(test, r, "reader still asleep with nothing posted");
}

static void spurious_callbacks(struct fake_rng *f, unsigned int n)
{
	unsigned long flags;

	while (n--) {
		local_irq_save(flags);
		f->vq->callback(f->vq);
		local_irq_restore(flags);
	}
}

/*
 * Callbacks with nothing used, before and while a reader sleeps, change
 * nothing: no completion counted, no byte served, the reader still
 * asleep. Then the device completes its buffers, interrupting only if the
 * driver left interrupts on: the reader must wake at once with the stream.
 */
static void driver_spurious_callbacks(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct vrng_dev *vi;
	struct reader *r;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	spurious_callbacks(f, 100);
	r = start_reader(test, f, false);
	expect_reader_asleep(test, f, 0);
	spurious_callbacks(f, 100);
	KUNIT_EXPECT_EQ(test, vi->stats.completions, 0ULL);
	KUNIT_EXPECT_EQ(test, vi->pool.avail, 0UL);
	KUNIT_EXPECT_EQ(test, vi->pool.nposted, vi->pool.depth);
	KUNIT_EXPECT_FALSE(test, completion_done(&r->done));

	fake_process(f);
	expect_reader_woken(test, r, "no wakeup: did a callback turn interrupts off?");
	KUNIT_EXPECT_EQ(test, vi->stats.completions, (u64)vi->pool.depth);
}

/*
 * A VM fork with a held buffer partly served, a filled one, and two that
 * the device has filled but vrng not taken back yet: no byte written
 * before the fork is served after it, not even by the lock-free fast path
 * (the first read is one of its 64-byte calls); every one is counted as
 * discarded; the stream goes on with what the device writes after.
 */
static void driver_vmfork(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct vrng_dev *vi;
	u64 pos, before, buffered;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	KUNIT_ASSERT_EQ(test, vi->pool.depth, 4U);
	pos = fake_next_pos(f);
	WRITE_ONCE(f->hold, true);
	/* Two buffers used up: reposted, kept by the device. */
	expect_stream(test, f, &pos, 2 * vi->pool.bufsize - fake_next_pos(f) + 64);
	KUNIT_ASSERT_EQ(test, vi->pool.nposted, 2U);
	fake_process(f);	/* callbacks are off: vrng has not seen them */
	KUNIT_ASSERT_NOT_NULL(test, vi->pool.cur);
	KUNIT_ASSERT_EQ(test, vi->pool.nfilled, 1U);
	before = f->stream;
	buffered = fake_unserved(f);

	vmfork(test);
	KUNIT_EXPECT_EQ(test, vi->stats.forks, 1ULL);
	KUNIT_EXPECT_EQ(test, vi->pool.nfilled, 0U);
	KUNIT_EXPECT_TRUE(test, READ_ONCE(vi->slow_only));

	WRITE_ONCE(f->hold, false);
	pos = before;
	expect_stream(test, f, &pos, 64);
	expect_stream(test, f, &pos, 3 * vi->pool.bufsize);
	KUNIT_EXPECT_EQ(test, vi->stats.discarded, buffered);
	KUNIT_EXPECT_FALSE(test, READ_ONCE(vi->slow_only));
}

/*
 * A reader sleeps with every buffer in flight; the VM forks; the device
 * then completes those buffers (from another context): they are
 * discarded, the reader posts them again and wakes with bytes written
 * after the fork only.
 */
static void driver_vmfork_sleeping_reader(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct vrng_dev *vi;
	struct reader *r;
	u64 stale;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	KUNIT_ASSERT_EQ(test, vi->pool.nposted, vi->pool.depth);
	r = start_reader(test, f, false);
	expect_reader_asleep(test, f, 0);

	vmfork(test);
	fake_process(f);	/* the buffers posted before the fork */
	stale = f->stream;
	KUNIT_EXPECT_EQ(test, vi->stats.discarded, stale);
	WRITE_ONCE(f->hold, false);
	fake_process(f);	/* what the reader posted again meanwhile */

	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, HZ / 2),
			      "reader still asleep after the fork");
	KUNIT_ASSERT_EQ(test, r->ret, (int)sizeof(r->buf));
	for (i = 0; i < sizeof(r->buf); i++)
		KUNIT_ASSERT_EQ_MSG(test, r->buf[i], fake_byte(stale + i),
				    "byte %u is not the first written after the fork", i);
}

/* Freeze with bytes filled and buffers in flight; restore; no stale bytes. */
static void driver_freeze_restore(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct vrng_dev *vi;
	u64 pos, before, served;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	pos = fake_next_pos(f);
	expect_stream(test, f, &pos, 10);
	KUNIT_ASSERT_NOT_NULL(test, vi->pool.cur);
	KUNIT_EXPECT_GT(test, vi->pool.avail + vi->pool.cur->len - vi->pool.cur->off, 0UL);
	WRITE_ONCE(f->hold, true);
	before = f->stream;
	served = fake_next_pos(f);

	KUNIT_ASSERT_EQ(test, virtio_device_freeze(&f->vdev), 0);
	KUNIT_EXPECT_NULL(test, vi->pool.bufs);
	KUNIT_EXPECT_EQ_MSG(test, f->left_on_ring, 0,
			    "freeze left buffers on the ring");
	/* What the held buffer served is counted, not lost with it. */
	KUNIT_EXPECT_EQ(test, vi->stats.bytes, served);
	KUNIT_ASSERT_EQ(test, virtio_device_restore(&f->vdev), 0);
	KUNIT_EXPECT_TRUE(test, vi->registered);
	KUNIT_EXPECT_STREQ(test, vi->name, vi->hwrng.name);

	/* Buffers posted by restore are in flight: complete them now. */
	WRITE_ONCE(f->hold, false);
	fake_process(f);
	/* Bytes filled before the freeze are gone: the stream resumes after. */
	pos = before;
	expect_stream(test, f, &pos, 200);
}

KUNIT_DEFINE_ACTION_WRAPPER(stop_kthread, kthread_stop, struct task_struct *);

struct stats_reader {
	struct vrng_dev *vi;
	struct seq_file m;
	unsigned long shows;
};

/* Show the debugfs stats again and again, as a reader of the file would. */
static int stats_reader_fn(void *data)
{
	struct stats_reader *s = data;

	while (!kthread_should_stop()) {
		s->m.count = 0;
		vrng_stats_show(&s->m, NULL);
		s->shows++;
		cond_resched();
	}
	return 0;
}

/* A thread showing @f's debugfs stats until the end of the case. */
static struct stats_reader *start_stats_reader(struct kunit *test,
					       struct fake_rng *f,
					       struct task_struct **t)
{
	struct stats_reader *s = kunit_kzalloc(test, sizeof(*s), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, s);
	s->m.size = PAGE_SIZE;
	s->m.buf = kunit_kzalloc(test, s->m.size, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s->m.buf);
	s->m.private = fake_vi(f);
	*t = kthread_run(stats_reader_fn, s, "vrng-kunit-stats");
	KUNIT_ASSERT_FALSE(test, IS_ERR(*t));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stop_kthread, *t), 0);
	return s;
}

/*
 * The debugfs stats, read without pause across freezes (the file stays)
 * with a buffer held: the pool must never be freed under them (KASAN
 * reports a use after free otherwise, which fails the run).
 */
static void driver_stats_during_freeze(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct stats_reader *s;
	struct task_struct *t;
	u64 pos;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	pos = fake_next_pos(f);
	s = start_stats_reader(test, f, &t);
	for (i = 0; i < 100; i++) {
		expect_stream(test, f, &pos, 8);
		KUNIT_ASSERT_NOT_NULL(test, fake_vi(f)->pool.cur);
		/* With one CPU (UML) the reader runs only while the case sleeps. */
		usleep_range(100, 200);
		fake_freeze_restore(test, f, &pos);
	}
	kunit_release_action(test, stop_kthread, t);
	KUNIT_EXPECT_GT(test, s->shows, 0UL);
	KUNIT_EXPECT_NOT_NULL(test, strstr(s->m.buf, "timeouts "));
}

/* Reads of 64 bytes, the hwrng core's, until stopped; counts what it got. */
struct streamer {
	struct fake_rng *f;
	unsigned long bytes;
	int err;
};

static int streamer_fn(void *data)
{
	struct streamer *st = data;
	u8 buf[64] __aligned(8);
	int n;

	while (!kthread_should_stop()) {
		n = fake_read(st->f, buf, sizeof(buf), true);
		if (n < 0 && !st->err)
			st->err = n;
		if (n > 0)
			st->bytes += n;
		cond_resched();
	}
	return 0;
}

/*
 * 200 VM forks while a reader streams through the lock-free fast path and the
 * stats are shown: every fork is seen, the reader goes on, and once the
 * forks stop the stream resumes after what the device wrote before the
 * last one. On the KCSAN kernel this is the race check of the fast path
 * against the fork notifier, the callback and the stats.
 */
static void driver_vmfork_while_streaming(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct task_struct *t, *rt;
	struct stats_reader *s;
	struct streamer *st;
	u64 pos;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	s = start_stats_reader(test, f, &t);
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->f = f;
	rt = kthread_run(streamer_fn, st, "vrng-kunit-stream");
	KUNIT_ASSERT_FALSE(test, IS_ERR(rt));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stop_kthread, rt), 0);

	for (i = 0; i < 200; i++) {
		vmfork(test);
		usleep_range(2000, 5000);
	}
	kunit_release_action(test, stop_kthread, rt);
	kunit_info(test, "streamed %lu bytes, stats shown %lu times",
		   st->bytes, s->shows);
	KUNIT_EXPECT_EQ(test, st->err, 0);
	KUNIT_EXPECT_GT(test, st->bytes, 0UL);
	KUNIT_EXPECT_EQ(test, fake_vi(f)->stats.forks, 200ULL);

	pos = f->stream;
	vmfork(test);
	expect_stream(test, f, &pos, 64);
	expect_stream(test, f, &pos, 2 * fake_vi(f)->pool.bufsize);
}

/*
 * The device has nothing of vrng's left: queue deleted once, with every
 * buffer taken back first, and reset.
 */
static void expect_stopped(struct kunit *test, struct fake_rng *f)
{
	KUNIT_EXPECT_EQ(test, f->vqs, 0);
	KUNIT_EXPECT_EQ(test, f->bad_del_vqs, 0);
	KUNIT_EXPECT_EQ_MSG(test, f->left_on_ring, 0,
			    "buffers left on the ring when it was deleted");
	KUNIT_EXPECT_FALSE(test, f->status & VIRTIO_CONFIG_S_DRIVER_OK);
}

/*
 * Remove with buffers posted and never completed, and freeze with buffers
 * the device used that vrng has not taken back (readers poll, callbacks
 * are off): the ring is empty each time it is deleted.
 */
static void driver_teardown_takes_buffers_back(struct kunit *test)
{
	struct fake_rng *held = fake_add(test, true, FAKE_FULL);
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct vrng_dev *vi;
	u64 pos;

	KUNIT_ASSERT_NOT_NULL(test, held);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_GT(test, fake_vi(held)->pool.nposted, 0U);
	fake_remove(held);
	KUNIT_EXPECT_EQ_MSG(test, held->left_on_ring, 0,
			    "remove left posted buffers on the ring");

	vi = fake_vi(f);
	pos = fake_next_pos(f);
	expect_stream(test, f, &pos, 2 * vi->pool.bufsize + 8);
	/* Reposted by the read, completed at once: used, not taken back. */
	KUNIT_EXPECT_GT(test, vi->pool.nposted, 0U);
	fake_freeze_restore(test, f, &pos);
	KUNIT_EXPECT_EQ_MSG(test, f->left_on_ring, 0,
			    "freeze left used buffers on the ring");
	expect_stream(test, f, &pos, 64);
	fake_remove(f);
	expect_stopped(test, f);
}

/*
 * A queue marked broken (virtio_break_device(): a surprise removal, a
 * ring error): the sleeping reader gets -EIO, and so does every later
 * read, waiting or not; each is counted; remove still takes every buffer
 * back.
 */
static void driver_broken_queue(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct reader *r;
	u8 buf[64];

	KUNIT_ASSERT_NOT_NULL(test, f);
	r = start_reader(test, f, false);
	expect_reader_asleep(test, f, 0);
	virtio_break_device(&f->vdev);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, 3 * HZ),
			      "reader still blocked on a broken queue");
	KUNIT_EXPECT_EQ(test, r->ret, -EIO);
	KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), false), -EIO);
	KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), true), -EIO);
	KUNIT_EXPECT_EQ(test, fake_vi(f)->stats.broken, 3ULL);
	KUNIT_EXPECT_TRUE(test, fake_vi(f)->broken_logged);
	fake_remove(f);
	expect_stopped(test, f);
}

/* A quiet hwrng: it never has a byte. */
static int quiet_read(struct hwrng *rng, void *data, size_t max, bool wait)
{
	return 0;
}

/* A quiet hwrng that takes a name vrng is about to use. */
struct squatter {
	struct hwrng rng;
	char name[sizeof_field(struct vrng_dev, name)];
};

static void squatter_cleanup(void *data)
{
	hwrng_unregister(data);
}

static void squat_name(struct kunit *test, const char *name)
{
	struct squatter *sq = kunit_kzalloc(test, sizeof(*sq), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, sq);
	strscpy(sq->name, name, sizeof(sq->name));
	sq->rng.name = sq->name;
	sq->rng.read = quiet_read;
	KUNIT_ASSERT_EQ(test, hwrng_register(&sq->rng), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, squatter_cleanup, &sq->rng), 0);
}

/* Freeze a new device, bound and with its buffers held by the device. */
static struct fake_rng *fake_frozen(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, virtio_device_freeze(&f->vdev), 0);
	return f;
}

/*
 * Restore with the n-th slab allocation failing, for every n until restore
 * needs fewer: a failed restore returns the error and leaves nothing set
 * up, and remove afterwards neither deletes the queue a second time nor
 * trips virtio's reset check (a WARN).
 */
static void driver_restore_alloc_failure(struct kunit *test)
{
	unsigned int n, left, failed = 0;
	struct fake_rng *f;
	int err;

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "no CONFIG_FAILSLAB: nothing to inject");
	for (n = 1; n < 100; n++) {
		f = fake_frozen(test);
		vrng_fail_nth_set(n);
		err = virtio_device_restore(&f->vdev);
		left = vrng_fail_nth_get();
		vrng_fail_nth_set(0);
		if (left)
			break;	/* restore made fewer than n allocations */
		if (err) {
			failed++;
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_FALSE(test, fake_vi(f)->registered);
		}
		fake_remove(f);
		expect_stopped(test, f);
	}
	KUNIT_EXPECT_GT_MSG(test, failed, 3U, "failslab not armed?");
}

/*
 * Restore failing at hwrng registration (the name taken meanwhile): it
 * returns the error with the device stopped, and remove is clean.
 */
static void driver_restore_register_failure(struct kunit *test)
{
	struct fake_rng *f = fake_frozen(test);

	squat_name(test, fake_vi(f)->name);
	KUNIT_EXPECT_EQ(test, virtio_device_restore(&f->vdev), -EEXIST);
	KUNIT_EXPECT_EQ(test, fake_vi(f)->pool.nposted, 0U);
	fake_remove(f);
	expect_stopped(test, f);
}

/*
 * hwrng registration failing at probe (the name vrng picks is taken):
 * probe fails, the device is left unbound with nothing posted, and its
 * removal is clean.
 */
static void driver_register_failure(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	char name[16];

	KUNIT_ASSERT_NOT_NULL(test, f);
	strscpy(name, fake_vi(f)->name, sizeof(name));
	fake_remove(f);

	squat_name(test, name);	/* the index just freed is the next one */
	f = fake_register(test, fake_new(test, true, FAKE_FULL));
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_NULL_MSG(test, f->vdev.dev.driver,
			      "bound with no hwrng registered");
	KUNIT_EXPECT_NULL(test, f->vdev.priv);
	expect_stopped(test, f);
	fake_remove(f);
	KUNIT_EXPECT_EQ(test, f->bad_del_vqs, 0);
}

/*
 * Probe with the n-th slab allocation failing, for every n until probe
 * needs fewer: no crash, a clean state either way, and the IDA index free
 * again (kmemleak, scanned by the harness, finds no leak).
 */
static void driver_probe_alloc_failure(struct kunit *test)
{
	unsigned int n, injected = 0;
	struct fake_rng *f;
	char name[16];

	if (!IS_ENABLED(CONFIG_FAILSLAB))
		kunit_skip(test, "no CONFIG_FAILSLAB: nothing to inject");
	/* Devices bound elsewhere may hold the first indices. */
	f = fake_add(test, false, FAKE_FULL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	strscpy(name, fake_vi(f)->name, sizeof(name));
	fake_remove(f);

	for (n = 1; n < 200; n++) {
		unsigned int left;
		int err;

		f = fake_new(test, false, FAKE_FULL);
		vrng_fail_nth_set(n);
		err = register_virtio_device(&f->vdev);
		left = vrng_fail_nth_get();
		vrng_fail_nth_set(0);

		if (err)
			put_device(&f->vdev.dev);
		else
			unregister_virtio_device(&f->vdev);
		if (left)
			break;	/* registration made fewer than n allocations */
		injected++;
	}
	KUNIT_EXPECT_GT_MSG(test, injected, 3U, "failslab not armed?");

	/* Every index was given back: the next device has the same name. */
	f = fake_add(test, false, FAKE_FULL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_STREQ(test, fake_vi(f)->name, name);
}

/* --------------------------------------- what the suite sets up itself */

#define HWRNG_SYSFS	"class/misc/hw_random/"

static struct {
	char rng_current[32];	/* "none" or a name, before the suite */
	char rng_selected[4];	/* "1" if chosen by the user */
	bool rng_saved;
	bool rng_parked;	/* vrng_kunit_park registered */
	struct vfsmount *sysfs;	/* the suite's own mount of sysfs */
	bool *ignore_gfp_wait;	/* failslab's knobs, NULL if absent */
	bool old_ignore_gfp_wait;
	unsigned long *verbose;
	unsigned long old_verbose;
} env;

/*
 * sysfs files (paths relative to /sys) are opened through a mount of the
 * suite's own: built into the kernel (kunit.py), the suite runs before
 * anything has mounted /sys.
 */
static struct file *sysfs_open(const char *path, int flags)
{
	if (!env.sysfs)
		return ERR_PTR(-ENODEV);
	return file_open_root_mnt(env.sysfs, path, flags, 0);
}

static int sysfs_mount(void)
{
	struct file_system_type *type = get_fs_type("sysfs");
	struct vfsmount *mnt;

	if (!type)
		return -ENODEV;
	mnt = kern_mount(type);	/* sysfs is built in: no module to put */
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);
	env.sysfs = mnt;
	return 0;
}

static int file_get(const char *path, char *buf, size_t size)
{
	struct file *file = sysfs_open(path, O_RDONLY);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_read(file, buf, size - 1, &pos);
	filp_close(file, NULL);
	if (n < 0)
		return n;
	buf[n] = '\0';
	strreplace(buf, '\n', '\0');
	return 0;
}

static int file_put(const char *path, const char *val)
{
	struct file *file = sysfs_open(path, O_WRONLY);
	loff_t pos = 0;
	ssize_t n;

	if (IS_ERR(file))
		return PTR_ERR(file);
	n = kernel_write(file, val, strlen(val), &pos);
	filp_close(file, NULL);
	return n < 0 ? n : 0;
}

/*
 * A failslab knob: the variable behind its debugfs file (the file's
 * i_private). A module cannot write to debugfs files: they have no
 * write_iter for kernel_write().
 */
static void *failslab_knob(const char *name)
{
	struct dentry *dir, *d;
	void *knob = NULL;

	dir = debugfs_lookup("failslab", NULL);
	if (!dir)
		return NULL;
	d = debugfs_lookup(name, dir);
	if (d) {
		knob = d_inode(d)->i_private;
		dput(d);
	}
	dput(dir);
	return knob;
}

/*
 * Where the core has no "none": the current source while the suite runs.
 * Quality 0: before 6.2 that starts no fill thread; since, the thread gets
 * no byte from it and sleeps.
 */
static struct hwrng vrng_kunit_park = {
	.name = "vrng_kunit_park",
	.read = quiet_read,
};

/* 0 if the core's current source is @name, chosen as by the user. */
static int rng_current_is(const char *name)
{
	char cur[32], sel[4];
	int err;

	err = file_get(HWRNG_SYSFS "rng_current", cur, sizeof(cur));
	if (!err)
		err = file_get(HWRNG_SYSFS "rng_selected", sel, sizeof(sel));
	if (!err && (strcmp(cur, name) || strcmp(sel, "1")))
		err = -EINVAL;
	return err;
}

/*
 * Choose "none" as the user would (7.0). An older core ignores an unknown
 * name and may make a new hwrng current: choose a quiet one of the suite's
 * instead, which new ones do not replace either.
 */
static int rng_choose_none(void)
{
	int err;

	err = file_put(HWRNG_SYSFS "rng_current", "none");
	if (!err && !rng_current_is("none"))
		return 0;
	err = hwrng_register(&vrng_kunit_park);
	if (err)
		return err;
	env.rng_parked = true;
	err = file_put(HWRNG_SYSFS "rng_current", vrng_kunit_park.name);
	return err ?: rng_current_is(vrng_kunit_park.name);
}

/* Undo driver_suite_init(), all or the part it did. */
static void driver_suite_exit(struct kunit_suite *suite)
{
	if (env.ignore_gfp_wait)
		WRITE_ONCE(*env.ignore_gfp_wait, env.old_ignore_gfp_wait);
	if (env.verbose)
		WRITE_ONCE(*env.verbose, env.old_verbose);
	/* Not chosen by the user: "" lets the core choose again. */
	if (env.rng_saved)
		file_put(HWRNG_SYSFS "rng_current",
			 strcmp(env.rng_selected, "1") ? "\n" : env.rng_current);
	if (env.rng_parked)
		hwrng_unregister(&vrng_kunit_park);
	env.rng_saved = false;
	env.rng_parked = false;
	if (env.sysfs)
		kern_unmount(env.sysfs);
	env.sysfs = NULL;
}

/*
 * No hwrng current ("none", or a quiet one), so that the core's fill
 * thread reads none of the test's devices (a new one does not replace a
 * source the user chose); failslab armed for GFP_KERNEL, without stack
 * dumps.
 */
static int driver_suite_init(struct kunit_suite *suite)
{
	int err;

	err = sysfs_mount();
	if (!err)
		err = file_get(HWRNG_SYSFS "rng_current", env.rng_current,
			       sizeof(env.rng_current));
	if (!err)
		err = file_get(HWRNG_SYSFS "rng_selected", env.rng_selected,
			       sizeof(env.rng_selected));
	if (!err) {
		env.rng_saved = true;
		err = rng_choose_none();
	}
	if (err) {
		pr_err("vrng_kunit: cannot take the hwrng core's current source: %d\n",
		       err);
		driver_suite_exit(suite);
		return err;
	}

	env.ignore_gfp_wait = failslab_knob("ignore-gfp-wait");
	env.verbose = failslab_knob("verbose");
	if (env.ignore_gfp_wait) {
		env.old_ignore_gfp_wait = READ_ONCE(*env.ignore_gfp_wait);
		WRITE_ONCE(*env.ignore_gfp_wait, false);
	}
	if (env.verbose) {
		env.old_verbose = READ_ONCE(*env.verbose);
		WRITE_ONCE(*env.verbose, 0);
	}
	return 0;
}

/*
 * A VM fork while probe sets the queue up, before the hwrng is registered
 * (and before a buffer is posted): the notifier is already on the chain.
 */
static void driver_vmfork_during_probe(struct kunit *test)
{
	struct fake_rng *f = fake_new(test, false, FAKE_FULL);

	f->fork_in_probe = test;
	f = fake_register(test, f);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_NOT_NULL_MSG(test, fake_vi(f), "vrng did not bind the device");
	f->fork_in_probe = NULL;
	KUNIT_EXPECT_EQ_MSG(test, fake_vi(f)->stats.forks, 1ULL,
			    "a fork during probe went unseen");
}

/*
 * A reader streaming reads of half a buffer (the fast path's longest
 * copies) from a device whose every byte is its fill's generation + 1,
 * against a forker on another CPU. Right after each notifier returns, the
 * forker snapshots the read in flight: a word still unwritten then must
 * not come from before that fork, and no read begun after a fork returned
 * may hold a byte from before it.
 */
struct gen_reader {
	struct fake_rng *f;
	struct mutex lock;	/* the snapshot against the next read */
	u8 *dst, *snap;
	size_t len;
	unsigned long id;	/* reads begun */
	bool in_read;
	unsigned long snap_id;	/* the read snapshotted */
	unsigned int returned;	/* forks whose notifier has returned */
	unsigned int snap_gen;	/* ... when the snapshot was taken */
	unsigned long reads, snapshots, late, bad;
	int err;
	struct notifier_block nb;	/* after vrng's on the VM-fork chain */
};

/* The forker's look at a read in flight: racy by design, not instrumented. */
static __no_kcsan void gen_snapshot(struct gen_reader *g)
{
	size_t i;

	for (i = 0; i < g->len; i += sizeof(u64))
		*(u64 *)(g->snap + i) = READ_ONCE(*(u64 *)(g->dst + i));
}

/* Check a finished read of @n bytes begun with @before forks returned. */
static void gen_check(struct gen_reader *g, size_t n, unsigned int before)
{
	bool snapped = g->snap_id == g->id;
	size_t i;

	g->snapshots += snapped;
	for (i = 0; i < n; i += sizeof(u64)) {
		unsigned int gen = g->dst[i] - 1;
		bool late = snapped && !*(u64 *)(g->snap + i);

		g->late += late;
		if (gen < before || (late && gen < g->snap_gen))
			g->bad++;
	}
}

static int gen_reader_fn(void *data)
{
	struct gen_reader *g = data;
	unsigned int before;
	int n;

	while (!kthread_should_stop()) {
		mutex_lock(&g->lock);
		memset(g->dst, 0, g->len);
		before = g->returned;
		g->id++;
		g->in_read = true;
		mutex_unlock(&g->lock);

		n = fake_read(g->f, g->dst, g->len, true);

		mutex_lock(&g->lock);
		g->in_read = false;
		if (n < 0)
			g->err = n;
		else
			gen_check(g, n & ~7, before);
		g->reads++;
		mutex_unlock(&g->lock);
		if (n < 0)
			break;
		cond_resched();
	}
	return 0;
}

/*
 * Called right after vrng's notifier (the lowest priority: last on the
 * chain), so that the snapshot comes as soon as it has returned.
 */
static int gen_forked(struct notifier_block *nb, unsigned long action,
		      void *data)
{
	struct gen_reader *g = container_of(nb, struct gen_reader, nb);

	mutex_lock(&g->lock);
	g->returned = READ_ONCE(g->f->gen);
	if (g->in_read) {
		gen_snapshot(g);
		g->snap_id = g->id;
		g->snap_gen = g->returned;
	}
	mutex_unlock(&g->lock);
	return NOTIFY_DONE;
}

KUNIT_DEFINE_ACTION_WRAPPER(unregister_vmfork, unregister_random_vmfork_notifier,
			    struct notifier_block *);

#define BUFSIZE_PARAM	"module/vrng/parameters/bufsize"

static void bufsize_restore(void *old)
{
	file_put(BUFSIZE_PARAM, old);
}

/*
 * A device with buffers of @size bytes: vrng reads bufsize at probe; the
 * old value is back before this returns, or at the end of a failed case.
 */
static struct fake_rng *fake_add_bufsize(struct kunit *test, bool hold,
					 enum fake_len mode, const char *size)
{
	char *old = kunit_kzalloc(test, 16, GFP_KERNEL);
	struct fake_rng *f;

	KUNIT_ASSERT_NOT_NULL(test, old);
	KUNIT_ASSERT_EQ(test, file_get(BUFSIZE_PARAM, old, 16), 0);
	KUNIT_ASSERT_EQ(test, file_put(BUFSIZE_PARAM, size), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, bufsize_restore, old), 0);
	f = fake_add(test, hold, mode);
	kunit_release_action(test, bufsize_restore, old);
	return f;
}

static void driver_vmfork_no_window(struct kunit *test)
{
	struct fake_rng *f = fake_add_bufsize(test, false, FAKE_GEN, "65536");
	struct gen_reader *g;
	struct task_struct *t;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_ASSERT_EQ(test, fake_vi(f)->pool.bufsize, 65536U);
	g = kunit_kzalloc(test, sizeof(*g), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g);
	g->f = f;
	g->len = fake_vi(f)->pool.bufsize / 2;
	g->dst = kunit_kzalloc(test, g->len, GFP_KERNEL);
	g->snap = kunit_kzalloc(test, g->len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, g->dst);
	KUNIT_ASSERT_NOT_NULL(test, g->snap);
	mutex_init(&g->lock);
	g->nb.notifier_call = gen_forked;
	g->nb.priority = INT_MIN;
	KUNIT_ASSERT_EQ(test, register_random_vmfork_notifier(&g->nb), 0);
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, unregister_vmfork, &g->nb), 0);
	t = kthread_run(gen_reader_fn, g, "vrng-kunit-gen");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	KUNIT_ASSERT_EQ(test, kunit_add_action_or_reset(test, stop_kthread, t), 0);

	for (i = 1; i < 250; i++) {
		WRITE_ONCE(f->gen, i);
		vmfork(test);
		usleep_range(200, 1000);
	}
	kunit_release_action(test, stop_kthread, t);
	kunit_info(test, "%lu reads of %zu bytes, %lu caught in flight, %lu words written after a notifier returned",
		   g->reads, g->len, g->snapshots, g->late);
	KUNIT_EXPECT_EQ(test, g->err, 0);
	KUNIT_EXPECT_GT(test, g->snapshots, 0UL);
	KUNIT_EXPECT_EQ_MSG(test, g->bad, 0UL,
			    "words buffered before a fork served after its notifier returned");
}

static struct kunit_case vrng_driver_cases[] = {
	KUNIT_CASE(driver_reads_in_order),
	KUNIT_CASE(driver_short_completions),
	KUNIT_CASE(driver_oversized_len),
	KUNIT_CASE(driver_zero_len_forever),
	KUNIT_CASE(driver_never_completes),
	KUNIT_CASE(driver_read_killable),
	KUNIT_CASE(driver_empty_completions_later),
	KUNIT_CASE(driver_spurious_callbacks),
	KUNIT_CASE(driver_freeze_restore),
	KUNIT_CASE(driver_vmfork),
	KUNIT_CASE(driver_vmfork_sleeping_reader),
	KUNIT_CASE(driver_vmfork_while_streaming),
	KUNIT_CASE(driver_vmfork_no_window),
	KUNIT_CASE(driver_vmfork_during_probe),
	KUNIT_CASE(driver_teardown_takes_buffers_back),
	KUNIT_CASE(driver_broken_queue),
	KUNIT_CASE(driver_restore_alloc_failure),
	KUNIT_CASE(driver_restore_register_failure),
	KUNIT_CASE(driver_register_failure),
	KUNIT_CASE(driver_probe_alloc_failure),
	/* Last: on a failure, KASAN's report ends the run (panic_on_warn). */
	KUNIT_CASE(driver_stats_during_freeze),
	{}
};

static struct kunit_suite vrng_driver_suite = {
	.name = "vrng_driver",
	.test_cases = vrng_driver_cases,
	.suite_init = driver_suite_init,
	.suite_exit = driver_suite_exit,
};

kunit_test_suites(&vrng_pool_suite, &vrng_driver_suite);

MODULE_DESCRIPTION("KUnit tests of vrng");
VRNG_KUNIT_IMPORT_NS;
MODULE_LICENSE("GPL");
