// SPDX-License-Identifier: GPL-2.0-only
/* The netcam test pattern; the exact definition is in pattern.h. */
#include "pattern.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

uint32_t pattern_fourcc_parse(const char *name)
{
	static const struct {
		const char *name;
		uint32_t fourcc;
	} names[] = {
		{ "YUYV", PATTERN_FMT_YUYV }, { "YUY2", PATTERN_FMT_YUYV },
		{ "NV12", PATTERN_FMT_NV12 },
		{ "YU12", PATTERN_FMT_YU12 }, { "I420", PATTERN_FMT_YU12 },
		{ "GREY", PATTERN_FMT_GREY }, { "GRAY", PATTERN_FMT_GREY },
		{ "MJPG", PATTERN_FMT_MJPG }, { "MJPEG", PATTERN_FMT_MJPG },
	};
	char upper[8];
	size_t i, len = strlen(name);

	if (len == 0 || len >= sizeof(upper))
		return 0;
	for (i = 0; i <= len; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(upper, names[i].name) == 0)
			return names[i].fourcc;
	return 0;
}

void pattern_fourcc_str(uint32_t fourcc, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);

		out[i] = isprint((unsigned char)c) ? c : '?';
	}
	out[4] = '\0';
}

bool pattern_is_raw(uint32_t fourcc)
{
	return fourcc == PATTERN_FMT_YUYV || fourcc == PATTERN_FMT_NV12 ||
	       fourcc == PATTERN_FMT_YU12 || fourcc == PATTERN_FMT_GREY;
}

size_t pattern_frame_size(uint32_t fourcc, uint32_t w, uint32_t h)
{
	size_t pixels = (size_t)w * h;

	/* netcam only allows even sizes; 4:2:0 would be ambiguous otherwise. */
	if ((w | h) & 1)
		return 0;
	switch (fourcc) {
	case PATTERN_FMT_YUYV:
		return pixels * 2;
	case PATTERN_FMT_NV12:
	case PATTERN_FMT_YU12:
		return pixels * 3 / 2;
	case PATTERN_FMT_GREY:
		return pixels;
	default:
		return 0;
	}
}

uint32_t pattern_bytesperline(uint32_t fourcc, uint32_t w)
{
	return fourcc == PATTERN_FMT_YUYV ? w * 2 : w;
}

/* The luma a pattern frame has at (x, y), header included. */
static uint8_t expected_luma(uint32_t x, uint32_t y, uint32_t n)
{
	if (y < PATTERN_HEADER_ROWS && x < PATTERN_HEADER_BITS)
		return (n >> x) & 1 ? PATTERN_BAR_SET : PATTERN_BAR_CLEAR;
	return (uint8_t)((x + 2 * y + 3 * n) & 0xff);
}

static uint8_t expected_u(uint32_t cx, uint32_t n)
{
	return (uint8_t)((cx + n) & 0xff);
}

static uint8_t expected_v(uint32_t cy, uint32_t n)
{
	return (uint8_t)((cy + n) & 0xff);
}

static void fill_luma_plane(uint8_t *y_plane, uint32_t w, uint32_t h,
			    uint32_t n)
{
	for (uint32_t y = 0; y < h; y++) {
		uint8_t *row = y_plane + (size_t)y * w;

		for (uint32_t x = 0; x < w; x++)
			row[x] = expected_luma(x, y, n);
	}
}

/* U and V planes of 4:2:0, each (w/2)*(h/2), possibly interleaved (NV12). */
static void fill_chroma_420(uint8_t *u, uint8_t *v, size_t step,
			    uint32_t w, uint32_t h, uint32_t n)
{
	uint32_t cw = w / 2, ch = h / 2;

	for (uint32_t cy = 0; cy < ch; cy++) {
		size_t row = (size_t)cy * cw * step;

		for (uint32_t cx = 0; cx < cw; cx++) {
			u[row + cx * step] = expected_u(cx, n);
			v[row + cx * step] = expected_v(cy, n);
		}
	}
}

void pattern_fill(uint8_t *buf, uint32_t fourcc, uint32_t w, uint32_t h,
		  uint32_t n)
{
	size_t pixels = (size_t)w * h;

	switch (fourcc) {
	case PATTERN_FMT_YUYV:
		for (uint32_t y = 0; y < h; y++) {
			uint8_t *row = buf + (size_t)y * w * 2;

			for (uint32_t x = 0; x < w; x += 2) {
				row[x * 2 + 0] = expected_luma(x, y, n);
				row[x * 2 + 1] = expected_u(x / 2, n);
				row[x * 2 + 2] = expected_luma(x + 1, y, n);
				row[x * 2 + 3] = expected_v(y, n);
			}
		}
		break;
	case PATTERN_FMT_NV12:
		fill_luma_plane(buf, w, h, n);
		fill_chroma_420(buf + pixels, buf + pixels + 1, 2, w, h, n);
		break;
	case PATTERN_FMT_YU12:
		fill_luma_plane(buf, w, h, n);
		fill_chroma_420(buf + pixels, buf + pixels + pixels / 4, 1,
				w, h, n);
		break;
	case PATTERN_FMT_GREY:
		fill_luma_plane(buf, w, h, n);
		break;
	default:
		break;
	}
}

uint8_t pattern_luma_at(const uint8_t *buf, uint32_t fourcc, uint32_t w,
			uint32_t x, uint32_t y)
{
	if (fourcc == PATTERN_FMT_YUYV)
		return buf[(size_t)y * w * 2 + (size_t)x * 2];
	return buf[(size_t)y * w + x];
}

bool pattern_is_uniform(const uint8_t *buf, uint32_t fourcc, uint32_t w,
			uint32_t h)
{
	uint8_t first = pattern_luma_at(buf, fourcc, w, 0, 0);

	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			if (pattern_luma_at(buf, fourcc, w, x, y) != first)
				return false;
	return true;
}

bool pattern_decode(const uint8_t *buf, uint32_t fourcc, uint32_t w,
		    uint32_t h, uint32_t *n)
{
	uint32_t bits = w < PATTERN_HEADER_BITS ? w : PATTERN_HEADER_BITS;
	uint32_t value = 0;

	if (h == 0)
		return false;
	for (uint32_t x = 0; x < bits; x++) {
		uint8_t bar = pattern_luma_at(buf, fourcc, w, x, 0);

		if (bar == PATTERN_BAR_SET)
			value |= 1U << x;
		else if (bar != PATTERN_BAR_CLEAR)
			return false;
	}
	*n = value;
	return true;
}

size_t pattern_verify(const uint8_t *buf, uint32_t fourcc, uint32_t w,
		      uint32_t h, uint32_t n, size_t *first_bad)
{
	/* Kept between calls: one allocation per run, not per frame. */
	static uint8_t *expected;
	static size_t expected_size;
	size_t size = pattern_frame_size(fourcc, w, h), bad = 0;

	/* Regenerating the whole frame keeps the check independent of the
	 * layout code paths: what pattern_fill writes is the truth. */
	if (size > expected_size) {
		uint8_t *grown = realloc(expected, size);

		if (!grown)
			return size ? size : 1;
		expected = grown;
		expected_size = size;
	}
	pattern_fill(expected, fourcc, w, h, n);
	for (size_t i = 0; i < size; i++) {
		if (buf[i] != expected[i]) {
			if (bad == 0 && first_bad)
				*first_bad = i;
			bad++;
		}
	}
	return bad;
}

/* Luma of the coarse (MJPEG) pattern at (x, y). */
static uint8_t coarse_luma(uint32_t x, uint32_t y, uint32_t w, uint32_t n)
{
	uint32_t block_w = w / PATTERN_COARSE_BITS;

	if (y >= PATTERN_COARSE_ROWS)
		return (uint8_t)((x + 2 * y + 3 * n) & 0xff);
	if (block_w == 0 || x >= block_w * PATTERN_COARSE_BITS)
		return PATTERN_BAR_CLEAR;
	return (n >> (x / block_w)) & 1 ? PATTERN_BAR_SET : PATTERN_BAR_CLEAR;
}

void pattern_fill_coarse_yuv420(uint8_t *y_plane, uint8_t *u, uint8_t *v,
				uint32_t w, uint32_t h, uint32_t n)
{
	for (uint32_t y = 0; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			y_plane[(size_t)y * w + x] = coarse_luma(x, y, w, n);
	fill_chroma_420(u, v, 1, w, h, n);
}

/* Mean of luma over [x0, x1) x [y0, y1). */
static double block_mean(const uint8_t *luma, uint32_t w, uint32_t x0,
			 uint32_t x1, uint32_t y0, uint32_t y1)
{
	double sum = 0;
	size_t count = 0;

	for (uint32_t y = y0; y < y1; y++)
		for (uint32_t x = x0; x < x1; x++, count++)
			sum += luma[(size_t)y * w + x];
	return count ? sum / (double)count : 0;
}

/* Fit actual = gain * expected + offset over the body and return the mean
 * absolute residual; a decoder's range conversion is linear, so it fits. */
static double body_residual(const uint8_t *luma, uint32_t w, uint32_t h,
			    uint32_t n, double *gain_out)
{
	double se = 0, sa = 0, see = 0, sea = 0, count, gain, offset, err = 0;

	if (h <= PATTERN_COARSE_ROWS) {
		*gain_out = 1.0;
		return 0;
	}
	count = (double)w * (h - PATTERN_COARSE_ROWS);
	for (uint32_t y = PATTERN_COARSE_ROWS; y < h; y++) {
		for (uint32_t x = 0; x < w; x++) {
			double e = coarse_luma(x, y, w, n);
			double a = luma[(size_t)y * w + x];

			se += e;
			sa += a;
			see += e * e;
			sea += e * a;
		}
	}
	gain = (count * see - se * se) != 0 ?
		(count * sea - se * sa) / (count * see - se * se) : 1.0;
	offset = (sa - gain * se) / count;
	for (uint32_t y = PATTERN_COARSE_ROWS; y < h; y++)
		for (uint32_t x = 0; x < w; x++)
			err += fabs(luma[(size_t)y * w + x] -
				    (gain * coarse_luma(x, y, w, n) + offset));
	*gain_out = gain;
	return err / count;
}

bool pattern_decode_coarse(const uint8_t *luma, uint32_t w, uint32_t h,
			   struct pattern_coarse_result *res)
{
	uint32_t block_w = w / PATTERN_COARSE_BITS, value = 0;

	memset(res, 0, sizeof(*res));
	res->gain = 1.0;
	if (block_w < 2 || h < PATTERN_COARSE_ROWS)
		return false;
	for (uint32_t b = 0; b < PATTERN_COARSE_BITS; b++) {
		uint32_t x0 = b * block_w + block_w / 4;
		uint32_t x1 = b * block_w + block_w - block_w / 4;
		double mean = block_mean(luma, w, x0, x1, 4, 12);

		if (mean > 160)
			value |= 1U << b;
		else if (mean >= 96)
			return false;
	}
	res->decoded = true;
	res->n16 = value;
	res->body_error = body_residual(luma, w, h, value, &res->gain);
	return true;
}

bool pattern_luma_is_flat(const uint8_t *luma, size_t count,
			  unsigned int tolerance)
{
	uint8_t lo = 255, hi = 0;

	for (size_t i = 0; i < count; i++) {
		if (luma[i] < lo)
			lo = luma[i];
		if (luma[i] > hi)
			hi = luma[i];
	}
	return count == 0 || (unsigned int)(hi - lo) <= tolerance;
}
