/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: FFmpeg's messages through the netcam logger. */
#ifndef NETCAMD_FFMPEG_LOG_H
#define NETCAMD_FFMPEG_LOG_H

#include "netcam-log.h"

/* Route FFmpeg's own log messages through log_msg (scrubbed). */
void log_hook_ffmpeg(void);
/* The newest error-level FFmpeg message of this thread ("" if none). */
const char *log_last_ffmpeg_error(void);
void log_clear_ffmpeg_error(void);

#endif
