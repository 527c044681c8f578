/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcamd: when to retry a camera, and what to say about it in the log.
 * Pure (no FFmpeg, no clock of its own: times are passed in), so the unit
 * tests drive it. One struct retry per source, used by its thread only.
 */
#ifndef NETCAMD_RETRY_H
#define NETCAMD_RETRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Video for this long makes a camera healthy again: only then does the
 * backoff start over. A camera that gives a frame and drops, again and
 * again, backs off to backoff_max like one that is down. */
#define RETRY_HEALTHY_NS (30ULL * 1000000000ULL)

/* Room for a normalised reason (longer ones are compared cut short). */
#define RETRY_REASON_MAX 256

struct retry {
	unsigned int attempt;	/* failures since the camera was last healthy */
	uint64_t video_since;	/* mono ns of this session's first frame; 0 none */
	unsigned int short_sessions;	/* sessions with video since healthy */
	bool unstable;		/* said so once; quiet until healthy again */
	char last_reason[RETRY_REASON_MAX];	/* last failure logged, normalised */
};

/* What the caller logs when a session ends (retry_end()). */
enum retry_note {
	RETRY_QUIET,		/* nothing: said before */
	RETRY_LOST,		/* "camera lost: why" */
	RETRY_UNSTABLE,		/* "camera keeps dropping", once */
	RETRY_FAILED,		/* "cannot stream from URL: why", a new reason */
};

/* Backoff delay in seconds before retry number attempt (0-based):
 * min * 2^attempt capped at max, times a jitter factor in [0.8, 1.2]
 * given as jitter01 in [0, 1). */
double source_backoff(double min, double max, unsigned int attempt,
		      double jitter01);

/* Nobody streams: the next connection starts afresh. */
void retry_reset(struct retry *r);
/* The session's first decoded frame, at now. Returns whether to log
 * "video arrives" (not while the camera is known to keep dropping). */
bool retry_video(struct retry *r, uint64_t now);
/* A frame at now: true once, when a camera that kept dropping has now
 * streamed for RETRY_HEALTHY_NS (log that it is stable again). */
bool retry_frame(struct retry *r, uint64_t now);
/* The session ended at now for reason why: updates the backoff and says
 * what to log. The delay before the next attempt is then
 * retry_delay(). */
enum retry_note retry_end(struct retry *r, uint64_t now, const char *why);
/* Seconds to wait before the next attempt; counts the attempt. */
double retry_delay(struct retry *r, double min, double max, double jitter01);

/* Copies reason into out with what varies from one attempt to the next
 * (numbers: ports, byte counts, times, addresses) replaced by '#', so
 * that two failures for the same cause compare equal. */
void retry_reason_normalise(const char *reason, char *out, size_t size);
/* Is why a new reason against the normalised last one (updated if so)? */
bool retry_reason_changed(char *last, size_t size, const char *why);

#endif
