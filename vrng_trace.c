// SPDX-License-Identifier: GPL-2.0
/*
 * vrng - the tracepoints' definitions. Exported for the KUnit suite, which
 * builds its own copy of the queue side (vrng_vq.c) and so traces too.
 */
#include "vrng.h"

#define CREATE_TRACE_POINTS
#include "vrng_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_post);
EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_complete);
EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_read);
EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_wait);
EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_wake);
EXPORT_TRACEPOINT_SYMBOL_GPL(vrng_fork);
