/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The feeder's event loop: follows each node's state from the feed
 * channel's events and feeds pattern frames to streaming nodes on a
 * drift-free schedule (deadline = stream start + n * interval).
 */
#ifndef NETCAM_FEED_LOOP_H
#define NETCAM_FEED_LOOP_H

#include "feed_options.h"

/*
 * Run until a signal in `stop_signals` arrives (returns FEED_EXIT_OK), the
 * --frames target is reached (FEED_EXIT_OK) or an error (message on stderr,
 * FEED_EXIT_RUNTIME). The stop signals must be blocked by the caller; they
 * are only let through while waiting.
 */
int feed_loop_run(int feed_fd, unsigned int num_nodes,
		  const struct feed_options *opts);

/* Set by the SIGTERM/SIGINT handler. */
extern volatile int feed_loop_stop_requested;

#endif /* NETCAM_FEED_LOOP_H */
