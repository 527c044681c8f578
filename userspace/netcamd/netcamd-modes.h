/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: the list of modes (format, size, interval) a camera advertises. */
#ifndef NETCAMD_MODES_H
#define NETCAMD_MODES_H

#include <linux/netcam.h>

struct native_mode {
	int width, height;	/* decoded size */
	int fps_num, fps_den;	/* frame rate as a fraction */
	int is_mjpeg;		/* the camera sends MJPEG: offer MJPG too */
};

/* Fill out[] (room for max) with the advertised modes: native size and up
 * to three smaller sizes of the same aspect (even widths and heights), in
 * YUYV, NV12, YU12, GREY, then MJPG at the native size if is_mjpeg; for
 * each size the native rate (capped at max_fps if > 0) and lower ones
 * from 15, 10, 5, 1 fps. Returns the count (>= 1), or -1 if the native
 * mode is unusable. */
int modes_build(const struct native_mode *nat, double max_fps,
		struct netcam_mode *out, int max);

/* Turn a rate into a reduced fraction with a small denominator. */
void modes_rate_fraction(double fps, int *num, int *den);

#endif
