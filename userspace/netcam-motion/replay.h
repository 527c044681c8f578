/* SPDX-License-Identifier: GPL-2.0 */
/* netcam-motion --replay: the detector over a recording, events as JSON. */
#ifndef NETCAM_MOTION_REPLAY_H
#define NETCAM_MOTION_REPLAY_H

#include "netcam-config.h"

/*
 * Runs cam's detection settings over clip: a YUV4MPEG2 file ('-': stdin)
 * or anything libavformat reads (a recording, an rtsp:// URL), as fast as
 * it decodes. JSON lines to logpath (appended) or stdout; with debug, one
 * line of detector figures per frame on stderr. Returns the exit code:
 * 0, 1 (unreadable or bad clip, I/O) or 2 (a bad mask).
 */
int replay(const char *clip, const struct cam_config *cam, const char *logpath,
	   int debug);

#endif
