/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Pattern frames for one node in its current format: raw formats straight
 * from tests/lib/pattern.c, MJPEG through libjpeg-turbo at quality 90.
 * Buffers are kept between frames and reallocated only on format changes.
 */
#ifndef NETCAM_FEED_FRAME_SOURCE_H
#define NETCAM_FEED_FRAME_SOURCE_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_SOURCE_JPEG_QUALITY 90

struct pattern_jpeg;

struct frame_source {
	uint32_t fourcc, width, height;
	uint8_t *raw;			/* raw formats */
	size_t raw_size;
	struct pattern_jpeg *jpeg;	/* MJPEG */
};

/* Prepare for frames of this format; -1 (message on stderr) if the format
 * is not one the pattern knows or memory runs out. */
int frame_source_configure(struct frame_source *src, uint32_t fourcc,
			   uint32_t width, uint32_t height);

/* Render frame n; *data stays valid until the next call. -1 on failure. */
int frame_source_render(struct frame_source *src, uint32_t n,
			const uint8_t **data, size_t *size);

void frame_source_release(struct frame_source *src);

#endif /* NETCAM_FEED_FRAME_SOURCE_H */
