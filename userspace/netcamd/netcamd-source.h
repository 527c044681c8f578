/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: the camera source thread (libavformat/libavcodec). */
#ifndef NETCAMD_SOURCE_H
#define NETCAMD_SOURCE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "netcam-config.h"
#include "netcamd-modes.h"
#include "netcamd-retry.h"

struct AVFrame;

enum source_state {
	SOURCE_IDLE,		/* not wanted: disconnected */
	SOURCE_CONNECTING,	/* first attempt of a series */
	SOURCE_STREAMING,	/* decoded frames arrive */
	SOURCE_RETRYING,	/* lost or failed; waiting to retry */
};

struct source {
	const struct cam_config *cfg;
	char url[2048];		/* with credentials: never logged */
	char url_log[1024];	/* redacted */
	int notify_fd;		/* eventfd: new frame or state change */

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t cond;	/* wanted/stop changes */
	atomic_bool stop;
	atomic_bool wanted;
	atomic_uint_fast64_t unwanted_since;	/* mono ns */
	atomic_uint_fast64_t deadline;		/* mono ns of the current call */
	atomic_bool closing;	/* interrupt only on the deadline */
	int timed_out;		/* the interrupt callback fired on a deadline */

	/* Published under lock. */
	struct AVFrame *frame;	/* newest decoded frame */
	uint8_t *jpeg;		/* its JPEG bytes when the camera sends MJPEG */
	size_t jpeg_size, jpeg_cap;
	uint64_t frame_seq;	/* counts published frames from 1 */
	enum source_state state;
	struct native_mode native;	/* last seen stream parameters */
	bool native_known;

	/* Source thread only. */
	bool tcp_fallback;
	bool opened;		/* this attempt got through connect and
				 * stream set-up (RTSP SETUP/PLAY) */
	uint64_t frames;
	uint64_t dropped_corrupt;
	struct retry retry;	/* backoff and what the log has said */
	/* "Authorization: ...\r\n" answering a digest challenge FFmpeg
	 * will not (netcamd-digest.h); once answered, every request is. */
	char digest_header[2048];
	bool digest_answered;
};

int source_init(struct source *s, const struct cam_config *cfg);
void source_destroy(struct source *s);

/* Contact the camera once to learn its size, rate and codec (blocking,
 * with the configured timeouts). 0, or -1 with the reason in why. */
int source_probe(struct source *s, struct native_mode *out, char *why,
		 size_t why_size);

int source_start(struct source *s);
void source_stop(struct source *s);
void source_set_wanted(struct source *s, bool wanted);
enum source_state source_get_state(struct source *s);
const char *source_state_name(enum source_state st);

/* If a frame newer than *seq is published, reference it into dst (and
 * copy its JPEG bytes into the jpeg buffer (grown as needed) if any, else set
 * the JPEG size to 0), update the sequence and return 1; else 0; -1 on no memory. */
int source_get_frame(struct source *s, uint64_t *seq, struct AVFrame *dst,
		     uint8_t **jpeg, size_t *jpeg_size, size_t *jpeg_cap);

#endif
