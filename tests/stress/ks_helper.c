// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_killstream: the helper. Creates the camera (the first one) or
 * re-attaches to it by name (every restart), then does what netcamd does
 * for a streaming node: reads the feed's events and feeds frames in the
 * negotiated format at the negotiated rate, on a drift-free schedule
 * (start + n * interval, missed slots skipped). It runs until SIGKILLed.
 */
#define _GNU_SOURCE
#include "killstream.h"
#include "stress_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void ks_helper_error(struct ks_shared *sh, atomic_ulong *counter,
			    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void ks_helper_error(struct ks_shared *sh, atomic_ulong *counter,
			    const char *fmt, ...)
{
	va_list ap;

	atomic_fetch_add(counter, 1);
	va_start(ap, fmt);
	if (!sh->first_helper_error[0])
		vsnprintf(sh->first_helper_error, sizeof(sh->first_helper_error),
			  fmt, ap);
	va_end(ap);
}

static int ks_create(struct ks_shared *sh, bool first, uint32_t number)
{
	struct netcam_mode mode = st_mode(sh->pixelformat, sh->width, sh->height,
					  1, sh->fps);
	struct netcam_camera_info info;
	uint32_t id = 0, flags = 0;
	int ctl, feed = -1, ret;

	ctl = open(ST_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		ks_helper_error(sh, &sh->create_errors, "open %s: %s", ST_CTL_PATH,
				strerror(errno));
		_exit(1);
	}
	/*
	 * Every other restart re-attaches with NETCAM_IOC_ATTACH (a helper
	 * without its modes at hand), the others with CREATE of the same name.
	 */
	if (!first && (number & 1)) {
		ret = st_attach(ctl, KS_NAME, &feed, &id);
		flags = NETCAM_CREATE_REATTACHED;
	} else {
		ret = st_create(ctl, KS_NAME, 1, &mode, 1, &feed, &id, &flags);
	}
	if (ret) {
		/* the killed helper's feed is released before waitpid() returns */
		ks_helper_error(sh, &sh->create_errors, "%s: %s",
				!first && (number & 1) ? "ATTACH" : "CREATE",
				strerror(-ret));
		_exit(1);
	}
	if (first ? flags != 0 : flags != NETCAM_CREATE_REATTACHED ||
				 id != atomic_load(&sh->camera_id))
		ks_helper_error(sh, &sh->create_errors,
				"CREATE: flags_out %#x id %u (first helper: %d)",
				flags, id, first);
	else
		atomic_fetch_add(first ? &sh->created : &sh->reattached, 1);
	if (first) {
		atomic_store(&sh->camera_id, id);
		ret = st_find(ctl, KS_NAME, &info);
		if (ret != 1) {
			ks_helper_error(sh, &sh->create_errors, "LIST: %d", ret);
			_exit(1);
		}
		atomic_store(&sh->video_nr, info.video_nr[0]);
	}
	/* like netcamd: no control fd is kept once the feed is there */
	close(ctl);
	fcntl(feed, F_SETFL, O_NONBLOCK);
	return feed;
}

void ks_helper_run(struct ks_shared *sh, bool first, uint32_t number)
{
	uint64_t spawn = atomic_load(&sh->spawn_ns), start = 0, interval = 0, n = 0;
	struct netcam_event st, evs[8];
	bool fed_once = false;
	uint8_t *frame = NULL;
	size_t frame_cap = 0;
	unsigned int tick = 0, i;
	int feed;

	atomic_fetch_add(&sh->helper_starts, 1);
	feed = ks_create(sh, first, number);
	ks_event(sh, KS_EV_ATTACH, number);
	/* -d: like a helper that connects to its camera first */
	if (sh->helper_delay_ms && !first)
		st_sleep_us(sh->helper_delay_ms * 1000);
	memset(&st, 0, sizeof(st));
	for (;;) {
		struct timespec to = { 0, 100 * 1000000L };
		struct pollfd p = { .fd = feed, .events = POLLIN };
		uint64_t now;
		ssize_t r;
		int ret;

		/* every event carries the node's whole state: keep the newest */
		while ((r = read(feed, evs, sizeof(evs))) > 0) {
			for (i = 0; i < r / sizeof(evs[0]); i++) {
				if (evs[i].node != 0 || !evs[i].interval_den ||
				    evs[i].type < NETCAM_EVENT_STREAM_ON ||
				    evs[i].type > NETCAM_EVENT_FORMAT) {
					ks_helper_error(sh, &sh->event_errors,
							"event type %u node %u",
							evs[i].type, evs[i].node);
					continue;
				}
				if (evs[i].streaming != st.streaming ||
				    evs[i].interval_den != st.interval_den ||
				    evs[i].interval_num != st.interval_num ||
				    evs[i].sizeimage != st.sizeimage) {
					/* a new stream: frame 0 is due now */
					start = st_now_ns();
					n = 0;
				}
				st = evs[i];
			}
		}
		if (r == 0)
			_exit(0);	/* the camera was removed */
		if (errno != EAGAIN && errno != EINTR)
			ks_helper_error(sh, &sh->event_errors, "read: %s",
					strerror(errno));
		if (st.streaming && st.sizeimage > frame_cap) {
			free(frame);
			frame = malloc(st.sizeimage);
			frame_cap = frame ? st.sizeimage : 0;
		}
		interval = st.interval_den ?
			   1000000000ULL * st.interval_num / st.interval_den : 0;
		now = st_now_ns();
		if (st.streaming && frame && interval && now >= start + n * interval) {
			struct netcam_frame f;

			memset(frame, (int)(tick++ & 0xff), st.sizeimage);
			memset(&f, 0, sizeof(f));
			f.pixelformat = st.pixelformat;
			f.width = st.width;
			f.height = st.height;
			f.bytesused = st.sizeimage;
			f.data_ptr = (__u64)(uintptr_t)frame;
			ret = st_ioctl(feed, NETCAM_IOC_FEED_FRAME, &f);
			if (!ret) {
				atomic_fetch_add(&sh->frames_fed, 1);
				if (!fed_once && !first) {
					uint64_t d = st_now_ns() - spawn;
					unsigned long long old =
						atomic_load(&sh->restart_max_ns);

					while (old < d &&
					       !atomic_compare_exchange_weak(&sh->restart_max_ns,
									     &old, d))
						;
					atomic_fetch_add(&sh->restart_sum_ns, d);
					atomic_fetch_add(&sh->restarts_timed, 1);
				}
				if (!fed_once)
					ks_event(sh, KS_EV_FIRST_FRAME, number);
				fed_once = true;
			} else if (ret == -ESTALE) {
				/* stopped or changed meanwhile: the events say */
				atomic_fetch_add(&sh->feed_estale, 1);
			} else {
				ks_helper_error(sh, &sh->feed_errors, "FEED_FRAME: %s",
						strerror(-ret));
			}
			n++;
			/* slots missed while busy are skipped, not caught up */
			if (now > start + n * interval)
				n = (now - start) / interval + 1;
		}
		if (st.streaming && interval) {
			uint64_t due = start + n * interval;

			now = st_now_ns();
			due = due > now ? due - now : 0;
			to.tv_sec = (time_t)(due / 1000000000ULL);
			to.tv_nsec = (long)(due % 1000000000ULL);
		}
		ppoll(&p, 1, &to, NULL);
	}
}
