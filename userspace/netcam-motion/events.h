/* SPDX-License-Identifier: GPL-2.0 */
/* Event output: JSON lines and human log lines (sd-daemon <N> prefixes). */
#ifndef NETCAM_MOTION_EVENTS_H
#define NETCAM_MOTION_EVENTS_H

#include <stdio.h>
#include "detect.h"

#include "netcam-log.h"


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
