/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * MJPEG frames of the coarse test pattern (see pattern.h), encoded with
 * libjpeg-turbo from raw 4:2:0 planes so the encoder does no colour
 * conversion of its own and the luma values reach the JPEG unchanged.
 */
#ifndef NETCAM_TEST_PATTERN_JPEG_H
#define NETCAM_TEST_PATTERN_JPEG_H

#include <stddef.h>
#include <stdint.h>

struct pattern_jpeg;

/* An encoder for w x h frames (w, h even, at least 16). NULL on ENOMEM. */
struct pattern_jpeg *pattern_jpeg_new(uint32_t w, uint32_t h, int quality);
void pattern_jpeg_free(struct pattern_jpeg *enc);

/*
 * Encode frame n. On success returns 0 and points *data at *size bytes
 * that stay valid until the next call or pattern_jpeg_free; returns -1 and
 * writes a message to stderr on failure.
 */
int pattern_jpeg_encode(struct pattern_jpeg *enc, uint32_t n,
			const uint8_t **data, size_t *size);

#endif /* NETCAM_TEST_PATTERN_JPEG_H */
