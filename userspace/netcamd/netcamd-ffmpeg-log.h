/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: FFmpeg's messages through the netcam logger, and retry timing. */
#ifndef NETCAMD_FFMPEG_LOG_H
#define NETCAMD_FFMPEG_LOG_H

#include "netcam-log.h"

/* Route FFmpeg's own log messages through log_msg (scrubbed). */
void log_hook_ffmpeg(void);
/* The newest error-level FFmpeg message of this thread ("" if none). */
const char *log_last_ffmpeg_error(void);
void log_clear_ffmpeg_error(void);

/* Backoff delay in seconds before retry number attempt (0-based):
 * min * 2^attempt capped at max, times a jitter factor in [0.8, 1.2]
 * given as jitter01 in [0, 1). Exposed for unit tests. */
double source_backoff(double min, double max, unsigned int attempt,
		      double jitter01);

#endif
