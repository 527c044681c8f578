// SPDX-License-Identifier: GPL-2.0-only
/* Pattern frames in a node's current format. */
#include "frame_source.h"
#include "pattern.h"
#include "pattern_jpeg.h"

#include <stdio.h>
#include <stdlib.h>

void frame_source_release(struct frame_source *src)
{
	free(src->raw);
	pattern_jpeg_free(src->jpeg);
	src->raw = NULL;
	src->raw_size = 0;
	src->jpeg = NULL;
	src->fourcc = src->width = src->height = 0;
}

int frame_source_configure(struct frame_source *src, uint32_t fourcc,
			   uint32_t width, uint32_t height)
{
	char name[5];

	if (src->fourcc == fourcc && src->width == width &&
	    src->height == height)
		return 0;
	frame_source_release(src);
	pattern_fourcc_str(fourcc, name);
	if (fourcc == PATTERN_FMT_MJPG) {
		src->jpeg = pattern_jpeg_new(width, height,
					     FRAME_SOURCE_JPEG_QUALITY);
		if (!src->jpeg) {
			fprintf(stderr, "netcam-feed: out of memory for MJPEG %ux%u\n",
				width, height);
			return -1;
		}
	} else {
		src->raw_size = pattern_frame_size(fourcc, width, height);
		if (src->raw_size == 0) {
			fprintf(stderr, "netcam-feed: cannot generate %s %ux%u\n",
				name, width, height);
			return -1;
		}
		src->raw = malloc(src->raw_size);
		if (!src->raw) {
			fprintf(stderr, "netcam-feed: out of memory for %s %ux%u\n",
				name, width, height);
			return -1;
		}
	}
	src->fourcc = fourcc;
	src->width = width;
	src->height = height;
	return 0;
}

int frame_source_render(struct frame_source *src, uint32_t n,
			const uint8_t **data, size_t *size)
{
	if (src->jpeg)
		return pattern_jpeg_encode(src->jpeg, n, data, size);
	pattern_fill(src->raw, src->fourcc, src->width, src->height, n);
	*data = src->raw;
	*size = src->raw_size;
	return 0;
}
