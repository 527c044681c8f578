// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_killstream: the app. Streams MMAP with four buffers, DQBUF/QBUF
 * as fast as frames come, and counts what an app must never see while the
 * helper behind the node dies and comes back: ioctl errors, gaps between
 * DQBUFs longer than the stall limit (monotonic time), sequence gaps the
 * node's frames_dropped counter does not account for, sequence numbers or
 * timestamps going backwards.
 */
#define _GNU_SOURCE
#include "killstream.h"
#include "capture.h"
#include "stress_util.h"

#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const double ks_hist_limits[KS_HIST_BUCKETS - 1] = { 1.25, 1.5, 2.0, 2.5, 3.0, 5.0 };

static void ks_app_error(struct ks_shared *sh, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void ks_app_error(struct ks_shared *sh, const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(&sh->ioctl_errors, 1);
	va_start(ap, fmt);
	if (!sh->first_app_error[0])
		vsnprintf(sh->first_app_error, sizeof(sh->first_app_error), fmt, ap);
	va_end(ap);
}

/* Count a gap between two DQBUFs; true if it is a stall. */
static bool ks_note_gap(struct ks_shared *sh, uint64_t gap, uint64_t interval)
{
	double k = (double)gap / (double)interval;
	unsigned int b = 0;
	unsigned long long old = atomic_load(&sh->max_gap_ns);

	while (old < gap && !atomic_compare_exchange_weak(&sh->max_gap_ns, &old, gap))
		;
	while (b < KS_HIST_BUCKETS - 1 && k > ks_hist_limits[b])
		b++;
	atomic_fetch_add(&sh->gap_hist[b], 1);
	if (k > sh->stall_intervals) {
		atomic_fetch_add(&sh->stalls, 1);
		return true;
	}
	return false;
}

void ks_event(struct ks_shared *sh, uint32_t type, uint32_t helper)
{
	unsigned int i = atomic_fetch_add(&sh->nevents, 1);

	if (i >= KS_MAX_EVENTS)
		return;
	sh->events[i].t_ns = st_now_ns();
	sh->events[i].type = type;
	sh->events[i].helper = helper;
}

void ks_ticker_run(struct ks_shared *sh)
{
	struct sched_param sp = { .sched_priority = sched_get_priority_max(SCHED_FIFO) };
	uint64_t before, after;

	if (sched_setscheduler(0, SCHED_FIFO, &sp))
		perror("netcam_killstream: ticker: SCHED_FIFO (hiccups will include guest load)");
	while (!atomic_load(&sh->app_stop)) {
		before = st_now_ns();
		st_sleep_us(2000);
		after = st_now_ns();
		if (after - before > 2000000ULL + KS_HICCUP_NS) {
			unsigned int i = atomic_fetch_add(&sh->nhiccups, 1);
			unsigned long long d = after - before - 2000000ULL;
			unsigned long long old = atomic_load(&sh->hiccup_max_ns);

			while (old < d && !atomic_compare_exchange_weak(&sh->hiccup_max_ns, &old, d))
				;
			atomic_fetch_add(&sh->hiccup_sum_ns, d);
			if (i < KS_MAX_HICCUPS) {
				sh->hiccup[i].start_ns = before + 2000000ULL;
				sh->hiccup[i].end_ns = after;
			}
		}
	}
	_exit(0);
}

void ks_app_run(struct ks_shared *sh, int video_nr)
{
	struct v4l2_pix_format pix;
	struct v4l2_streamparm parm;
	uint64_t interval, last_dq = 0, last_ts = 0, gaps = 0;
	uint32_t last_seq = 0;
	bool have_last = false;
	struct v4l2_buffer b;
	struct st_cap cap;
	int ret;

	ret = st_cap_open(&cap, video_nr, true);
	if (ret) {
		ks_app_error(sh, "open /dev/video%d: %s", video_nr, strerror(-ret));
		_exit(1);
	}
	ret = st_cap_set_fmt(&cap, sh->pixelformat, sh->width, sh->height, &pix);
	if (ret || pix.pixelformat != sh->pixelformat || pix.width != sh->width) {
		ks_app_error(sh, "S_FMT: %s", ret ? strerror(-ret) : "other format");
		_exit(1);
	}
	if ((ret = st_cap_set_rate(&cap, sh->fps))) {
		ks_app_error(sh, "S_PARM: %s", strerror(-ret));
		_exit(1);
	}
	memset(&parm, 0, sizeof(parm));
	parm.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ret = st_ioctl(cap.fd, VIDIOC_G_PARM, &parm);
	if (ret || !parm.parm.capture.timeperframe.denominator) {
		ks_app_error(sh, "G_PARM: %s", strerror(-ret));
		_exit(1);
	}
	interval = 1000000000ULL * parm.parm.capture.timeperframe.numerator /
		   parm.parm.capture.timeperframe.denominator;
	/* before STREAMON: every drop of this stream comes after this */
	sh->dropped_start = st_sysfs_counter(video_nr, "frames_dropped");
	if (sh->dropped_start < 0) {
		ks_app_error(sh, "no frames_dropped in sysfs for video%d", video_nr);
		_exit(1);
	}
	ret = st_cap_start(&cap, 4);
	if (ret) {
		ks_app_error(sh, "start streaming: %s", strerror(-ret));
		_exit(1);
	}
	atomic_store(&sh->app_ready, true);

	while (!atomic_load(&sh->app_stop)) {
		uint64_t now, ts;
		long long dropped;

		ret = st_cap_wait(&cap, 1000);
		if (ret == 0) {
			/* the gap itself is counted when a frame comes */
			atomic_fetch_add(&sh->poll_timeouts, 1);
			continue;
		}
		if (ret < 0) {
			ks_app_error(sh, "poll: %s", strerror(-ret));
			break;
		}
		ret = st_cap_dqbuf(&cap, &b);
		now = st_now_ns();
		if (ret == -EAGAIN)
			continue;
		if (ret) {
			ks_app_error(sh, "DQBUF: %s", strerror(-ret));
			break;
		}
		ts = (uint64_t)b.timestamp.tv_sec * 1000000ULL +
		     (uint64_t)b.timestamp.tv_usec;
		atomic_fetch_add(&sh->frames, 1);
		if ((b.flags & V4L2_BUF_FLAG_ERROR) || b.bytesused != pix.sizeimage)
			atomic_fetch_add(&sh->bad_buffers, 1);
		if (have_last) {
			if (ks_note_gap(sh, now - last_dq, interval)) {
				unsigned int i = atomic_fetch_add(&sh->nstalls, 1);

				if (i < KS_MAX_STALLS) {
					sh->stall[i].start_ns = last_dq;
					sh->stall[i].end_ns = now;
					/* when the driver delivered them, µs */
					sh->stall[i].ts_gap_ns = ts > last_ts ?
								 (ts - last_ts) * 1000 : 0;
				}
			}
			if (b.sequence <= last_seq) {
				atomic_fetch_add(&sh->seq_backwards, 1);
			} else if (b.sequence != last_seq + 1) {
				gaps += b.sequence - last_seq - 1;
				atomic_store(&sh->seq_gaps, gaps);
				/* a drop is counted before the next frame's number */
				dropped = st_sysfs_counter(video_nr, "frames_dropped");
				if (dropped < 0)
					dropped = sh->dropped_start;
				if ((long long)gaps > dropped - sh->dropped_start) {
					unsigned long u = gaps - (uint64_t)(dropped -
							  sh->dropped_start);

					/* the worst shortfall seen */
					if (u > atomic_load(&sh->unexplained_gaps))
						atomic_store(&sh->unexplained_gaps, u);
				}
			}
			if (ts < last_ts)
				atomic_fetch_add(&sh->ts_backwards, 1);
		}
		have_last = true;
		last_seq = b.sequence;
		last_ts = ts;
		last_dq = now;
		ret = st_cap_qbuf(&cap, b.index);
		if (ret) {
			ks_app_error(sh, "QBUF: %s", strerror(-ret));
			break;
		}
	}
	sh->dropped_end = st_sysfs_counter(video_nr, "frames_dropped");
	ret = st_cap_stop(&cap);
	if (ret)
		ks_app_error(sh, "STREAMOFF: %s", strerror(-ret));
	st_cap_close(&cap, false);
	_exit(0);
}
