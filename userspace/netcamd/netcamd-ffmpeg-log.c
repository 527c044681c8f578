// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: FFmpeg's messages through the netcam logger. */
#define _GNU_SOURCE
#include "netcamd-ffmpeg-log.h"
#include "netcam-util.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef NETCAMD_WITH_FFMPEG
#include <libavutil/log.h>
#endif

static _Thread_local char last_ffmpeg_error[256];

const char *log_last_ffmpeg_error(void)
{
	return last_ffmpeg_error;
}

void log_clear_ffmpeg_error(void)
{
	last_ffmpeg_error[0] = 0;
}

#ifdef NETCAMD_WITH_FFMPEG
static void ffmpeg_log(void *avcl, int level, const char *fmt, va_list vl)
{
	char line[1024];
	int print_prefix = 0, prio;	/* no "[ctx @ 0xADDR]": stable text */

	if (level > av_log_get_level())
		return;
	av_log_format_line(avcl, level, fmt, vl, line, sizeof(line), &print_prefix);
	/* FFmpeg repeats its errors on every retry: keep the newest one
	 * for the caller's (once per change) message; show all at debug. */
	prio = LOG_DEBUG_P;
	if (line[0] == 0 || strcmp(line, "\n") == 0)
		return;
	if (level <= AV_LOG_ERROR) {
		size_t n = strlen(line);

		while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
			line[--n] = 0;
		str_copy(last_ffmpeg_error, sizeof(last_ffmpeg_error), line);
	}
	log_msg(prio, "ffmpeg: %s", line);
}

void log_hook_ffmpeg(void)
{
	av_log_set_level(log_max_level >= LOG_DEBUG_P ? AV_LOG_VERBOSE : AV_LOG_ERROR);
	av_log_set_callback(ffmpeg_log);
}
#else
void log_hook_ffmpeg(void)
{
}
#endif
