/* SPDX-License-Identifier: GPL-2.0 */
/* Event output: JSON lines and human log lines (sd-daemon <N> prefixes). */
#ifndef NETCAM_MOTION_EVENTS_H
#define NETCAM_MOTION_EVENTS_H

#include <stdio.h>
#include "detect.h"

/* sd-daemon priorities */
#define LOG_PRI_ERR 3
#define LOG_PRI_WARNING 4
#define LOG_PRI_NOTICE 5
#define LOG_PRI_INFO 6
#define LOG_PRI_DEBUG 7

void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
extern int log_quiet;   /* 1: only warnings and errors */

struct ev_sink {
	FILE *json;         /* NULL: no JSON */
	int fsync_end;      /* fsync after an "end" line */
	int replay;         /* add start_s / end_s (clip seconds) */
	double wall_off;    /* wall clock = t + wall_off */
	double mono_off;    /* CLOCK_MONOTONIC = t + mono_off */
	const char *camera;
};

/* Formats one JSON object (no newline) into buf. */
int ev_json(const struct ev_sink *s, const struct md_event *ev, char *buf, size_t cap);
/* Writes the JSON line and the human log line. */
void ev_emit(struct ev_sink *s, const struct md_event *ev);
void iso8601(double wall, char *buf, size_t cap);

#endif
