// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: retry timing and what the log says about it; see netcamd-retry.h. */
#include "netcamd-retry.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

double source_backoff(double min, double max, unsigned int attempt,
		      double jitter01)
{
	double d = min;

	for (unsigned int i = 0; i < attempt && d < max; i++)
		d *= 2;
	if (d > max)
		d = max;
	return d * (0.8 + 0.4 * jitter01);
}

void retry_reason_normalise(const char *reason, char *out, size_t size)
{
	size_t n = 0;

	if (!size)
		return;
	for (const char *p = reason; *p && n + 1 < size; p++) {
		if (isdigit((unsigned char)*p)) {
			/* a run of digits, with its decimal points, is one '#' */
			while (isdigit((unsigned char)p[1]) ||
			       (p[1] == '.' && isdigit((unsigned char)p[2])))
				p++;
			out[n++] = '#';
		} else {
			out[n++] = *p;
		}
	}
	out[n] = 0;
}

bool retry_reason_changed(char *last, size_t size, const char *why)
{
	char norm[RETRY_REASON_MAX];

	retry_reason_normalise(why, norm, sizeof(norm));
	if (!strncmp(norm, last, size))
		return false;
	snprintf(last, size, "%s", norm);
	return true;
}

void retry_reset(struct retry *r)
{
	memset(r, 0, sizeof(*r));
}

bool retry_video(struct retry *r, uint64_t now)
{
	r->video_since = now ? now : 1;
	return !r->unstable;
}

bool retry_frame(struct retry *r, uint64_t now)
{
	if (!r->video_since || now - r->video_since < RETRY_HEALTHY_NS)
		return false;
	/* healthy: whatever comes next starts afresh */
	r->attempt = 0;
	r->short_sessions = 0;
	r->last_reason[0] = 0;
	if (!r->unstable)
		return false;
	r->unstable = false;
	return true;
}

enum retry_note retry_end(struct retry *r, uint64_t now, const char *why)
{
	bool had_video = r->video_since != 0;

	retry_frame(r, now);	/* a session that ends healthy counts as one */
	r->video_since = 0;
	if (!had_video)
		return retry_reason_changed(r->last_reason, sizeof(r->last_reason), why) ?
		       RETRY_FAILED : RETRY_QUIET;
	if (r->short_sessions++ == 0) {
		/* the first loss since the camera was healthy (or started):
		 * what fails next is news too */
		r->last_reason[0] = 0;
		return RETRY_LOST;
	}
	if (r->unstable)
		return RETRY_QUIET;
	r->unstable = true;
	return RETRY_UNSTABLE;
}

double retry_delay(struct retry *r, double min, double max, double jitter01)
{
	double d = source_backoff(min, max, r->attempt, jitter01);

	if (r->attempt < 64)
		r->attempt++;
	return d;
}
