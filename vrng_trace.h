/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vrng - tracepoints (events/vrng/ in tracefs). Off, each costs a static
 * branch; the fast path's (vrng_read with fast = 1) is the one that
 * matters, and make bench measures it. Devices are named by their index,
 * the N of vrng.N.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM vrng

#if !defined(_VRNG_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _VRNG_TRACE_H

#include <linux/tracepoint.h>

/* Buffers handed to the device, and whether it had to be notified. */
TRACE_EVENT(vrng_post,
	TP_PROTO(int dev, unsigned int bufs, bool kick),
	TP_ARGS(dev, bufs, kick),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(unsigned int, bufs)
		__field(bool, kick)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->bufs = bufs;
		__entry->kick = kick;
	),
	TP_printk("vrng.%d bufs=%u kick=%d", __entry->dev, __entry->bufs,
		  __entry->kick)
);

/* A buffer back from the device: used.len as reported, and the verdict. */
TRACE_EVENT(vrng_complete,
	TP_PROTO(int dev, unsigned int len, int result),
	TP_ARGS(dev, len, result),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(unsigned int, len)
		__field(int, result)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->len = len;
		__entry->result = result;
	),
	TP_printk("vrng.%d len=%u %s", __entry->dev, __entry->len,
		  __print_symbolic(__entry->result,
				   { VRNG_COMPLETE_OK, "ok" },
				   { VRNG_COMPLETE_EMPTY, "empty" },
				   { VRNG_COMPLETE_CLAMPED, "clamped" },
				   { VRNG_COMPLETE_BOGUS, "bogus" },
				   { VRNG_COMPLETE_STALE, "stale" }))
);

/* A call of .read: bytes returned (or an error), lock-free or not. */
TRACE_EVENT(vrng_read,
	TP_PROTO(int dev, int ret, bool fast),
	TP_ARGS(dev, ret, fast),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(int, ret)
		__field(bool, fast)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->ret = ret;
		__entry->fast = fast;
	),
	TP_printk("vrng.%d ret=%d fast=%d", __entry->dev, __entry->ret,
		  __entry->fast)
);

/* A reader goes to sleep for at most timeout jiffies. */
TRACE_EVENT(vrng_wait,
	TP_PROTO(int dev, long timeout),
	TP_ARGS(dev, timeout),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(long, timeout)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->timeout = timeout;
	),
	TP_printk("vrng.%d timeout=%ld", __entry->dev, __entry->timeout)
);

/* The reader woke: what vrng_vq_wait() returns, and jiffies it slept. */
TRACE_EVENT(vrng_wake,
	TP_PROTO(int dev, int ret, unsigned long slept),
	TP_ARGS(dev, ret, slept),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(int, ret)
		__field(unsigned long, slept)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->ret = ret;
		__entry->slept = slept;
	),
	TP_printk("vrng.%d ret=%d slept=%lu", __entry->dev, __entry->ret,
		  __entry->slept)
);

/* A VM fork: bytes of filled buffers wiped at once. */
TRACE_EVENT(vrng_fork,
	TP_PROTO(int dev, size_t discarded),
	TP_ARGS(dev, discarded),
	TP_STRUCT__entry(
		__field(int, dev)
		__field(size_t, discarded)
	),
	TP_fast_assign(
		__entry->dev = dev;
		__entry->discarded = discarded;
	),
	TP_printk("vrng.%d discarded=%zu", __entry->dev, __entry->discarded)
);

#endif /* _VRNG_TRACE_H */

/* This part must be outside the include guard. */
#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE vrng_trace
#include <trace/define_trace.h>
