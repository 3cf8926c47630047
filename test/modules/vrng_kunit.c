// SPDX-License-Identifier: GPL-2.0
/*
 * vrng_kunit - KUnit tests of vrng.
 *
 * Suite vrng_pool: the buffer bookkeeping of vrng_vq.c, compiled in here.
 * Suite vrng_driver: the real vrng.ko (loaded first) against a software
 * virtio entropy device defined here: its find_vqs() makes a real split
 * virtqueue with vring_create_virtqueue(), and its notify callback plays
 * the device: it takes the posted inbufs from the ring, fills them from a
 * scripted byte stream, sets used.len as the scenario wants and calls
 * vring_interrupt(). register_virtio_device() makes vrng's own probe,
 * read, callback and remove run.
 *
 * The guest loads vrng.ko and vrng_null.ko first and makes vrng_null the
 * hwrng core's current source, so that the core's fill thread never reads
 * the devices made here: the tests call .read themselves, one reader at a
 * time, as the core does. (Concurrent readers through /dev/hwrng and
 * unbind are tested in a guest, test/scenarios/unbind-busy.sh.)
 */
#include "../../vrng_vq.c"

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/fault-inject.h>
#include <linux/kthread.h>
#include <linux/slab.h>
#include <linux/virtio.h>
#include <linux/virtio_config.h>
#include <linux/virtio_ids.h>
#include <linux/virtio_ring.h>

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

static struct kunit_case vrng_pool_cases[] = {
	KUNIT_CASE(pool_init_state),
	KUNIT_CASE(pool_transitions),
	KUNIT_CASE(pool_length_clamp),
	KUNIT_CASE(pool_bogus_token),
	KUNIT_CASE(pool_fifo_wraparound),
	KUNIT_CASE(pool_wipe_unaligned),
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
};

struct fake_rng {
	struct virtio_device vdev;
	struct virtqueue *vq;
	spinlock_t lock;	/* device side: ring walk, stream */
	u8 status;
	bool hold;		/* take buffers but do not complete them */
	enum fake_len len_mode;
	u64 stream;		/* next stream position the device writes */
	u16 last_avail;
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
		u32 len, fill, report;
		u8 *buf;

		virtio_rmb(true);
		head = virtio16_to_cpu(vdev, vr->avail->ring[f->last_avail % vr->num]);
		d = &vr->desc[head];
		buf = phys_to_virt(virtio64_to_cpu(vdev, d->addr));
		len = virtio32_to_cpu(vdev, d->len);
		switch (f->len_mode) {
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
		default:
			fill = len;
			report = len;
		}
		for (u32 i = 0; i < fill; i++)
			buf[i] = fake_byte(f->stream++);
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

static int fake_find_vqs(struct virtio_device *vdev, unsigned int nvqs,
			 struct virtqueue *vqs[],
			 struct virtqueue_info vqs_info[],
			 struct irq_affinity *desc)
{
	struct fake_rng *f = to_fake(vdev);

	if (nvqs != 1)
		return -EINVAL;
	f->vq = vring_create_virtqueue(0, 8, SMP_CACHE_BYTES, vdev, true, true,
				       false, fake_notify, vqs_info[0].callback,
				       vqs_info[0].name);
	if (!f->vq)
		return -ENOMEM;
	f->last_avail = 0;
	vqs[0] = f->vq;
	return 0;
}

static void fake_del_vqs(struct virtio_device *vdev)
{
	struct fake_rng *f = to_fake(vdev);

	vring_del_virtqueue(f->vq);
	f->vq = NULL;
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

/* Register a device; returns it bound to vrng, or NULL (test failed). */
static struct fake_rng *fake_add(struct kunit *test, bool hold,
				 enum fake_len mode)
{
	struct fake_rng *f = fake_new(test, hold, mode);
	int err;

	err = register_virtio_device(&f->vdev);
	if (err) {
		put_device(&f->vdev.dev);
		KUNIT_FAIL(test, "register_virtio_device: %d", err);
		return NULL;
	}
	if (!f->vdev.dev.driver || strcmp(f->vdev.dev.driver->name, "vrng")) {
		unregister_virtio_device(&f->vdev);
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

	return vi->hwrng.read(&vi->hwrng, buf, len, wait);
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
 * Every read size from 1 to 4096 returns exactly the stream, in order; so
 * do the hwrng core's 64-byte calls (the inline fast path) over buffers.
 */
static void driver_reads_in_order(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	u64 pos = 0;
	size_t len;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	for (len = 1; len <= 4096; len += (len < 130 ? 1 : 97))
		expect_stream(test, f, &pos, len);
	expect_stream(test, f, &pos, 4096);
	for (i = 0; i < 3 * fake_vi(f)->pool.bufsize / 64; i++)
		expect_stream(test, f, &pos, 64);
	unregister_virtio_device(&f->vdev);
}

static void driver_short_completions(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_SHORT);
	u64 pos = 0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	expect_stream(test, f, &pos, 1);
	expect_stream(test, f, &pos, 64);
	expect_stream(test, f, &pos, 1000);
	unregister_virtio_device(&f->vdev);
}

/* used.len beyond the buffer: clamped and counted, nothing read past it. */
static void driver_oversized_len(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_OVER);
	u64 pos = 0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	expect_stream(test, f, &pos, 3 * fake_vi(f)->pool.bufsize + 5);
	KUNIT_EXPECT_GT(test, fake_vi(f)->stats.clamped, 0ULL);
	unregister_virtio_device(&f->vdev);
}

struct reader {
	struct fake_rng *f;
	struct completion done;
	int ret;
	u8 buf[64];
};

static int reader_fn(void *data)
{
	struct reader *r = data;

	r->ret = fake_read(r->f, r->buf, sizeof(r->buf), true);
	complete(&r->done);
	return 0;
}

static void start_reader(struct kunit *test, struct reader *r, struct fake_rng *f)
{
	struct task_struct *t;

	r->f = f;
	r->ret = INT_MIN;
	init_completion(&r->done);
	t = kthread_run(reader_fn, r, "vrng-kunit-reader");
	KUNIT_ASSERT_FALSE(test, IS_ERR(t));
}

/* Removing the device releases a reader blocked in read(wait = true). */
static void expect_released_by_remove(struct kunit *test, struct fake_rng *f,
				      struct reader *r)
{
	KUNIT_EXPECT_FALSE_MSG(test, wait_for_completion_timeout(&r->done, HZ / 5),
			       "read(wait) returned %d with no data", r->ret);
	unregister_virtio_device(&f->vdev);
	KUNIT_ASSERT_TRUE_MSG(test, wait_for_completion_timeout(&r->done, 5 * HZ),
			      "reader still blocked after remove");
	KUNIT_EXPECT_EQ(test, r->ret, -ENODEV);
}

/* A device that answers with nothing, forever: no hang, no busy loop. */
static void driver_zero_len_forever(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_ZERO);
	struct reader r;
	unsigned long t0;
	u8 buf[64];
	int i, n0;

	KUNIT_ASSERT_NOT_NULL(test, f);
	t0 = jiffies;
	for (i = 0; i < 100; i++)
		KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), false), 0);
	KUNIT_EXPECT_LT(test, jiffies - t0, (unsigned long)HZ);

	start_reader(test, &r, f);
	n0 = atomic_read(&f->notifies);
	msleep(1000);
	/* With backoff, about log2(HZ) reposts a second, not thousands. */
	KUNIT_EXPECT_LT(test, atomic_read(&f->notifies) - n0, 64);
	KUNIT_EXPECT_GT(test, fake_vi(f)->stats.empty, (u64)VRNG_EMPTY_BURST);
	expect_released_by_remove(test, f, &r);
}

/* A device that never completes: wait = false returns at once. */
static void driver_never_completes(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct reader r;
	unsigned long t0;
	u8 buf[64];

	KUNIT_ASSERT_NOT_NULL(test, f);
	t0 = jiffies;
	KUNIT_EXPECT_EQ(test, fake_read(f, buf, sizeof(buf), false), 0);
	KUNIT_EXPECT_LT(test, jiffies - t0, (unsigned long)HZ / 10);
	start_reader(test, &r, f);
	expect_released_by_remove(test, f, &r);
}

/* Callbacks with nothing used change nothing. */
static void driver_spurious_callbacks(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, true, FAKE_FULL);
	struct vrng_dev *vi;
	unsigned long flags;
	u64 pos = 0;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	for (i = 0; i < 100; i++) {
		local_irq_save(flags);
		f->vq->callback(f->vq);
		local_irq_restore(flags);
	}
	KUNIT_EXPECT_EQ(test, vi->stats.completions, 0ULL);
	KUNIT_EXPECT_EQ(test, vi->pool.avail, 0UL);
	WRITE_ONCE(f->hold, false);
	fake_process(f);
	expect_stream(test, f, &pos, 100);
	unregister_virtio_device(&f->vdev);
}

/* Freeze with bytes filled and buffers in flight; restore; no stale bytes. */
static void driver_freeze_restore(struct kunit *test)
{
	struct fake_rng *f = fake_add(test, false, FAKE_FULL);
	struct vrng_dev *vi;
	u64 pos = 0, before;

	KUNIT_ASSERT_NOT_NULL(test, f);
	vi = fake_vi(f);
	expect_stream(test, f, &pos, 10);
	KUNIT_EXPECT_GT(test, vi->pool.avail + vi->pool.cur->len - vi->pool.cur->off, 0UL);
	WRITE_ONCE(f->hold, true);
	before = f->stream;

	KUNIT_ASSERT_EQ(test, virtio_device_freeze(&f->vdev), 0);
	KUNIT_EXPECT_NULL(test, vi->pool.bufs);
	KUNIT_ASSERT_EQ(test, virtio_device_restore(&f->vdev), 0);
	KUNIT_EXPECT_TRUE(test, vi->registered);
	KUNIT_EXPECT_STREQ(test, vi->name, vi->hwrng.name);

	/* Buffers posted by restore are in flight: complete them now. */
	WRITE_ONCE(f->hold, false);
	fake_process(f);
	/* Bytes filled before the freeze are gone: the stream resumes after. */
	pos = before;
	expect_stream(test, f, &pos, 200);
	unregister_virtio_device(&f->vdev);
}

/*
 * Probe with the n-th slab allocation of registration failing, for every n
 * until registration needs fewer: no crash, a clean state either way, and
 * the IDA index free again (kmemleak, scanned by the harness, finds no
 * leak). The guest sets failslab's ignore-gfp-wait to N first.
 */
static void driver_probe_alloc_failure(struct kunit *test)
{
	unsigned int n, injected = 0;
	struct fake_rng *f;

	for (n = 1; n < 200; n++) {
		unsigned int left;
		int err;

		f = fake_new(test, false, FAKE_FULL);
		current->fail_nth = n;
		err = register_virtio_device(&f->vdev);
		left = current->fail_nth;
		current->fail_nth = 0;

		if (err)
			put_device(&f->vdev.dev);
		else
			unregister_virtio_device(&f->vdev);
		if (left)
			break;	/* registration made fewer than n allocations */
		injected++;
	}
	KUNIT_EXPECT_GT_MSG(test, injected, 3U, "failslab not armed (ignore-gfp-wait=N?)");

	/* Every index was given back: the next device is vrng.0 again. */
	f = fake_add(test, false, FAKE_FULL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_STREQ(test, fake_vi(f)->name, "vrng.0");
	unregister_virtio_device(&f->vdev);
}

static struct kunit_case vrng_driver_cases[] = {
	KUNIT_CASE(driver_reads_in_order),
	KUNIT_CASE(driver_short_completions),
	KUNIT_CASE(driver_oversized_len),
	KUNIT_CASE(driver_zero_len_forever),
	KUNIT_CASE(driver_never_completes),
	KUNIT_CASE(driver_spurious_callbacks),
	KUNIT_CASE(driver_freeze_restore),
	KUNIT_CASE(driver_probe_alloc_failure),
	{}
};

static struct kunit_suite vrng_driver_suite = {
	.name = "vrng_driver",
	.test_cases = vrng_driver_cases,
};

kunit_test_suites(&vrng_pool_suite, &vrng_driver_suite);

MODULE_DESCRIPTION("KUnit tests of vrng");
MODULE_LICENSE("GPL");
