// SPDX-License-Identifier: GPL-2.0
#define _POSIX_C_SOURCE 200809L
#include "events.h"

#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void iso8601(double wall, char *buf, size_t cap)
{
	time_t sec = (time_t)floor(wall);
	int ms = (int)((wall - floor(wall)) * 1000.0);
	struct tm tm;
	char tz[8];

	if (ms > 999)
		ms = 999;
	localtime_r(&sec, &tm);
	strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(tz, sizeof(tz), "%z", &tm);
	/* +0100 -> +01:00 */
	snprintf(buf + strlen(buf), cap - strlen(buf), ".%03d%.3s:%.2s", ms, tz, tz + 3);
}

static void json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	if (cap < 3)
		return;
	out[n++] = '"';
	for (; *s && n + 8 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n++] = '"';
	out[n] = 0;
}

int ev_json(const struct ev_sink *s, const struct md_event *ev, char *buf, size_t cap)
{
	char cam[160], zone[160], ts[48], te[48];
	int n;

	json_str(cam, sizeof(cam), s->camera ? s->camera : "");
	json_str(zone, sizeof(zone), ev->zone);
	iso8601(ev->start_t + s->wall_off, ts, sizeof(ts));
	n = snprintf(buf, cap, "{\"type\":\"%s\",\"camera\":%s,\"zone\":%s,\"id\":%d,"
		     "\"start\":\"%s\",\"start_mono\":%.3f",
		     ev->ended ? "end" : "start", cam, zone, ev->id, ts,
		     ev->start_t + s->mono_off);
	if (s->replay)
		n += snprintf(buf + n, cap - n, ",\"start_s\":%.3f", ev->start_t);
	if (ev->ended) {
		iso8601(ev->end_t + s->wall_off, te, sizeof(te));
		n += snprintf(buf + n, cap - n, ",\"end\":\"%s\",\"end_mono\":%.3f",
			      te, ev->end_t + s->mono_off);
		if (s->replay)
			n += snprintf(buf + n, cap - n, ",\"end_s\":%.3f", ev->end_t);
		n += snprintf(buf + n, cap - n,
			      ",\"duration\":%.3f,\"peak_area\":%.2f,"
			      "\"bbox\":{\"x\":%d,\"y\":%d,\"w\":%d,\"h\":%d},\"frames\":%ld",
			      ev->end_t - ev->start_t, ev->peak_area, ev->bbox.x,
			      ev->bbox.y, ev->bbox.w, ev->bbox.h, ev->frames);
	}
	n += snprintf(buf + n, cap - n, "}");
	return n;
}

void ev_emit(struct ev_sink *s, const struct md_event *ev)
{
	char buf[1024];

	if (s->json) {
		ev_json(s, ev, buf, sizeof(buf));
		fprintf(s->json, "%s\n", buf);
		fflush(s->json);
		if (ev->ended && s->fsync_end)
			fsync(fileno(s->json));
	}
	if (!ev->ended)
		log_msg(LOG_NOTICE_P, "camera '%s' zone '%s': motion started (event %d)",
			s->camera, ev->zone, ev->id);
	else
		log_msg(LOG_NOTICE_P,
			"camera '%s' zone '%s': motion ended (event %d, %.1f s, peak %.2f%% of area, box %dx%d+%d+%d, %ld frames)",
			s->camera, ev->zone, ev->id, ev->end_t - ev->start_t,
			ev->peak_area, ev->bbox.w, ev->bbox.h, ev->bbox.x, ev->bbox.y,
			ev->frames);
}
