/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netcam-motion detector core: pure code, no I/O.
 *
 * Feed luma planes of any size with a timestamp; the detector works on a
 * downscaled copy (about 160 pixels wide), keeps a running-average
 * background and reports, per zone, event start/end through a callback.
 */
#ifndef NETCAM_MOTION_DETECT_H
#define NETCAM_MOTION_DETECT_H

#include <stddef.h>
#include <stdint.h>

#include "motion-params.h"

struct md_box { int x, y, w, h; };

/* What the callback gets. Times are the caller's timestamps (seconds). */
struct md_event {
	const char *zone;
	int id;                 /* per detector, from 1 */
	int ended;              /* 0 start, 1 end */
	double start_t, end_t;  /* end_t: last frame with motion (ended only) */
	double peak_area;       /* percent of the zone area */
	struct md_box bbox;     /* union of motion boxes, source pixels */
	long frames;            /* frames with motion in the event */
	long peak_frame;        /* frame number of the peak */
};

typedef void (*md_event_cb)(void *ctx, const struct md_event *ev);

/* Per-frame result, for tests and diagnostics. */
struct md_frame_info {
	double noise;           /* estimated noise sigma of the difference */
	double threshold;       /* luma levels */
	double gain, offset;    /* light compensation: frame ~ gain*bg + offset */
	double area;            /* changed percent of frame after despeckle */
	int light_change;       /* 1 if judged a global light change */
	long local_light;       /* blocks whose change was judged local light */
	int motion;             /* 1 if any zone saw motion */
	int peak;               /* 1 if this frame is a new peak of an event:
				  * keep it for the snapshot */
};

struct md_detector;

/*
 * Creates a detector for frames of src_w x src_h. mask: optional, src-size
 * bytes, 0 = ignore pixel (NULL: none). zones: 0..MD_MAX_ZONES (0: one zone
 * "all" covering the frame). Returns NULL on bad arguments or no memory.
 */
struct md_detector *md_new(const struct md_params *p, int src_w, int src_h,
			   const uint8_t *mask, const struct md_zone_cfg *zones,
			   int nzones, md_event_cb cb, void *ctx);
void md_free(struct md_detector *d);

/* Process one luma plane (stride in bytes). t: seconds, monotonic. */
void md_frame(struct md_detector *d, const uint8_t *y, int stride, double t,
	      struct md_frame_info *info);
/* End every open event (end of clip, shutdown). */
void md_flush(struct md_detector *d);
/*
 * The picture broke off (the input lost its signal and came back): end
 * every open event, forget the background and start again as at md_new(),
 * the next frame being the first and the usual warm-up following, so that
 * the frames after the gap (another exposure, a scene changed meanwhile)
 * are learnt, not reported. Event ids and frame numbers go on.
 */
void md_relearn(struct md_detector *d);

/* Working plane size, for tests. */
void md_work_size(const struct md_detector *d, int *w, int *h);

#endif
