// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: frames while there is no signal
 *
 * Apps must never see a stream stall because the helper restarted or the
 * camera went away. While a node streams, a thread wakes at every frame
 * deadline of the negotiated interval. When there is no signal and no real
 * frame came in the last interval and a half, or there is a signal but no
 * real frame for NETCAM_STALL_NS, it delivers the node's last kept real
 * frame (or a neutral grey one) with a fresh timestamp and sequence number.
 *
 * A node "repeats" from the moment the signal goes (the feed detached or
 * said so) or its first placeholder, until a real frame comes. Meanwhile
 * every deadline without a real frame in the last three quarters of an
 * interval gets a placeholder, signal or not: a helper that re-attaches
 * does not get another second of grace for a stall the app has already
 * seen. Deadlines are one interval apart, so while a node repeats an app
 * waits at most 1.75 intervals (plus the thread's wake-up) for a frame.
 *
 * Deadlines are start + n * interval, as vivid's capture thread computes
 * them, so the rate does not drift; deadlines missed because the machine
 * was busy are skipped rather than caught up in a burst.
 */

#include <linux/freezer.h>
#include <linux/hrtimer.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/videodev2.h>

#include "netcam-core.h"

u64 netcam_interval_ns(const struct v4l2_fract *interval)
{
	return div_u64((u64)interval->numerator * NSEC_PER_SEC,
		       interval->denominator);
}

int netcam_still_alloc(struct netcam_node *node)
{
	void *still = kvmalloc(node->pix.sizeimage, GFP_KERNEL);

	if (!still)
		return -ENOMEM;
	mutex_lock(&node->still_lock);
	kvfree(node->still);
	node->still = still;
	node->still_bytes = 0;
	mutex_unlock(&node->still_lock);
	return 0;
}

void netcam_still_free(struct netcam_node *node)
{
	mutex_lock(&node->still_lock);
	kvfree(node->still);
	node->still = NULL;
	node->still_bytes = 0;
	mutex_unlock(&node->still_lock);
}

/*
 * Keep a copy of a real frame, at most every NETCAM_STILL_PERIOD_NS. A
 * frame that finds the still busy (another feeder keeping one, the filler
 * repeating it) is simply not kept.
 */
void netcam_still_keep(struct netcam_node *node, const void *frame,
		       u32 bytes)
{
	u64 now = ktime_get_ns();

	if (!mutex_trylock(&node->still_lock))
		return;
	if (node->still && bytes <= node->pix.sizeimage &&
	    (!node->still_bytes || now - node->still_ns >= NETCAM_STILL_PERIOD_NS)) {
		memcpy(node->still, frame, bytes);
		node->still_bytes = bytes;
		node->still_ns = now;
	}
	mutex_unlock(&node->still_lock);
}

/* A placeholder: mid grey in every raw format, a grey JPEG for MJPEG. */
static u32 netcam_placeholder(struct netcam_node *node, u8 *dst)
{
	const struct v4l2_pix_format *pix = &node->pix;

	if (netcam_fmt_is_compressed(pix->pixelformat))
		return netcam_jpeg_grey(dst, pix->sizeimage, pix->width,
					pix->height);
	memset(dst, 0x80, pix->sizeimage);
	return pix->sizeimage;
}

/* Fill a taken buffer with the kept frame or a placeholder; no lock held. */
static void netcam_fill_one(struct netcam_node *node, struct netcam_buffer *buf)
{
	u8 *dst = vb2_plane_vaddr(&buf->vb.vb2_buf, 0);
	u32 bytes = 0;

	if (dst) {
		mutex_lock(&node->still_lock);
		if (node->still_bytes) {
			memcpy(dst, node->still, node->still_bytes);
			bytes = node->still_bytes;
		}
		mutex_unlock(&node->still_lock);
		if (!bytes)
			bytes = netcam_placeholder(node, dst);
	}
	netcam_node_finish(node, buf, bytes, false);
}

/*
 * Fill a frame slot the helper left empty? While the node repeats, every
 * slot without a real frame in the last 3/4 interval is filled. Otherwise
 * a helper with a signal gets NETCAM_STALL_NS (or two intervals) of grace
 * before apps see repeats, and one feeding without a signal (its own
 * "camera lost" picture) an interval and a half. Called with @qlock held.
 */
static bool netcam_needs_fill(struct netcam_node *node, u64 now, u64 period)
{
	u64 grace;

	lockdep_assert_held(&node->qlock);
	if (node->filling)
		grace = period - period / 4;
	else if (netcam_camera_has_signal(node->cam))
		grace = max_t(u64, NETCAM_STALL_NS, 2 * period);
	else
		grace = period + period / 2;
	return now - node->last_real_ns >= grace;
}

/*
 * The signal went away (the feed detached or said so): every node repeats
 * from its next empty slot, and keeps repeating until a real frame comes.
 * A helper that re-attaches at once does not restart the grace a live
 * helper gets. Called without cam->lock (qlock nests outside it).
 */
void netcam_nodes_repeat(struct netcam_camera *cam)
{
	unsigned int i;

	for (i = 0; i < cam->num_nodes; i++) {
		struct netcam_node *node = &cam->nodes[i];

		spin_lock(&node->qlock);
		node->filling = true;
		spin_unlock(&node->qlock);
	}
}

/* Sleep until @deadline (CLOCK_MONOTONIC ns) or until asked to stop. */
static void netcam_sleep_until(u64 deadline)
{
	ktime_t kt = ns_to_ktime(deadline);

	set_current_state(TASK_INTERRUPTIBLE);
	if (!kthread_should_stop())
		schedule_hrtimeout(&kt, HRTIMER_MODE_ABS);
	__set_current_state(TASK_RUNNING);
}

static int netcam_filler_thread(void *data)
{
	struct netcam_node *node = data;
	u64 start = 0, period = 0, frame = 0;

	set_freezable();
	while (!kthread_should_stop()) {
		struct netcam_buffer *buf = NULL;
		u64 now;

		try_to_freeze();
		spin_lock(&node->qlock);
		/* Read under the lock: last_real_ns is never ahead of it. */
		now = ktime_get_ns();
		if (!period || node->filler_reset) {
			node->filler_reset = false;
			period = netcam_interval_ns(&node->interval);
			start = now;
			frame = 0;
		} else if (netcam_needs_fill(node, now, period)) {
			node->count.filled++;
			node->filling = true;
			buf = netcam_node_take_buffer(node);
		}
		spin_unlock(&node->qlock);
		if (buf)
			netcam_fill_one(node, buf);

		/* Next deadline after now; missed ones are skipped. */
		frame = max(frame + 1, div64_u64(now - start, period) + 1);
		netcam_sleep_until(start + frame * period);
	}
	return 0;
}

int netcam_filler_start(struct netcam_node *node)
{
	struct task_struct *task;

	task = kthread_run(netcam_filler_thread, node, "netcam-%u-%u",
			   node->cam->id, node->index);
	if (IS_ERR(task))
		return PTR_ERR(task);
	node->filler = task;
	return 0;
}

void netcam_filler_stop(struct netcam_node *node)
{
	if (node->filler) {
		kthread_stop(node->filler);
		node->filler = NULL;
	}
}
