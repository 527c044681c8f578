/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam_killstream: an app streams MMAP from a node while the helper that
 * feeds it is SIGKILLed at random moments and restarted (re-attach by
 * name). The three processes share one anonymous MAP_SHARED page of
 * counters, which outlives every helper that gets killed.
 */
#ifndef NETCAM_STRESS_KILLSTREAM_H
#define NETCAM_STRESS_KILLSTREAM_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include <linux/videodev2.h>

#define KS_NAME		"stress-kill"
/* Gap histogram bucket limits, in frame intervals (last: the rest). */
#define KS_HIST_BUCKETS	7
#define KS_MAX_EVENTS	2048
#define KS_MAX_STALLS	64
#define KS_MAX_HICCUPS	512
/* A ticker sleep this much longer than asked is a machine hiccup. */
#define KS_HICCUP_NS	(10ULL * 1000000ULL)
extern const double ks_hist_limits[KS_HIST_BUCKETS - 1];

struct ks_shared {
	/* set by the orchestrator */
	uint32_t pixelformat, width, height, fps;
	double stall_intervals;		/* a gap longer than this many is a stall */
	atomic_bool app_stop;
	atomic_ullong spawn_ns;		/* when the current helper was forked */

	/* helpers */
	atomic_int video_nr;		/* -1 until the first helper created */
	atomic_uint camera_id;
	atomic_ulong helper_starts, created, reattached, create_errors;
	atomic_ulong frames_fed, feed_estale, feed_errors, event_errors;
	atomic_ullong restart_max_ns;	/* fork to first fed frame, worst */
	atomic_ullong restart_sum_ns;
	atomic_ulong restarts_timed;

	/* the app */
	atomic_bool app_ready;
	atomic_ulong frames, ioctl_errors, stalls, poll_timeouts;
	atomic_ulong seq_gaps, unexplained_gaps, seq_backwards, ts_backwards;
	atomic_ulong bad_buffers;
	atomic_ullong max_gap_ns;
	atomic_ulong gap_hist[KS_HIST_BUCKETS];
	long long dropped_start, dropped_end;
	char first_app_error[200];
	char first_helper_error[200];

	/* a timeline, to tell what happened during each stall */
	atomic_uint nevents;
	struct ks_event {
		uint64_t t_ns;
		uint32_t type;		/* KS_EV_* */
		uint32_t helper;	/* helper number, from 1 */
	} events[KS_MAX_EVENTS];
	atomic_uint nstalls;
	struct ks_stall {
		uint64_t start_ns, end_ns;	/* the two DQBUFs */
		uint64_t ts_gap_ns;		/* between the two buffers' timestamps */
	} stall[KS_MAX_STALLS];
	/*
	 * Times the whole VM did not run: a SCHED_FIFO ticker (nothing in the
	 * guest's user space can delay it) that overslept. Under TCG on a
	 * busy host these are common, and a frame gap they cover is not the
	 * driver's.
	 */
	atomic_uint nhiccups;
	atomic_ullong hiccup_max_ns, hiccup_sum_ns;
	struct ks_stall hiccup[KS_MAX_HICCUPS];
	uint32_t helper_delay_ms;	/* -d: a helper waits before its first frame */
};

enum { KS_EV_KILL = 1, KS_EV_ATTACH, KS_EV_FIRST_FRAME };
/* Append to the timeline (any process). */
void ks_event(struct ks_shared *sh, uint32_t type, uint32_t helper);

/* ks_app.c: the ticker that records machine hiccups; never returns */
void ks_ticker_run(struct ks_shared *sh) __attribute__((noreturn));
/* ks_app.c: stream from /dev/videoN until app_stop; never returns */
void ks_app_run(struct ks_shared *sh, int video_nr) __attribute__((noreturn));
/*
 * ks_helper.c: create or re-attach, feed at the negotiated rate; never
 * returns. @number: the helper's number in the timeline.
 */
void ks_helper_run(struct ks_shared *sh, bool first, uint32_t number)
	__attribute__((noreturn));

#endif /* NETCAM_STRESS_KILLSTREAM_H */
