/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Signal loss and return on a camera's input, told from the frames it
 * delivers: which frames the detector must not see, and when it must
 * relearn the scene.
 *
 * While the input reports no signal (netcam: its helper or camera is
 * away), its frames are placeholders (a frozen last picture, grey) and
 * say nothing about the scene. When the signal returns, the device may go
 * on repeating that frozen picture until the camera's first real frame:
 * such exact repeats are skipped too, and the first frame that differs
 * from the one before it is where the detector starts again.
 *
 * One per camera, used by the thread that reads its frames; the buffer is
 * allocated by outage_init() and freed by outage_free().
 */
#ifndef NETCAM_MOTION_OUTAGE_H
#define NETCAM_MOTION_OUTAGE_H

#include <stddef.h>
#include <stdint.h>

struct outage {
	int lost;               /* the input reports no signal */
	int returning;          /* back, but the frozen picture may repeat */
	uint8_t *last;          /* the last luma plane seen while lost */
	size_t n;               /* bytes in a luma plane */
};

/* What outage_frame() found; OUTAGE_SKIP may come with either of the
 * others. */
enum {
	OUTAGE_SKIP = 1,        /* do not analyse this frame */
	OUTAGE_LOST = 2,        /* the signal went with this frame: end events */
	OUTAGE_BACK = 4,        /* it came back: relearn the scene */
};

/* 0, or -1 when out of memory. */
int outage_init(struct outage *o, size_t luma_bytes);
void outage_free(struct outage *o);
/* One dequeued frame: signal as capture_signal() (-1, the device does not
 * say, counts as a signal); luma: its n-byte plane. Returns OUTAGE_* bits. */
int outage_frame(struct outage *o, int signal, const uint8_t *luma);

#endif
