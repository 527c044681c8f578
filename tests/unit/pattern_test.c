// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of the netcam test pattern (tests/lib/pattern.c): every
 * raw format round-trips (generate -> decode -> verify), a single flipped
 * byte anywhere is caught, placeholders are recognised, and the coarse
 * MJPEG code survives a real JPEG encode/decode. Prints "N passed, N failed".
 */
#include "pattern.h"
#include "pattern_jpeg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>

static int passed, failed;

#define EXPECT(cond, ...) do {						\
	if (cond) {							\
		passed++;						\
	} else {							\
		failed++;						\
		fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);	\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

static const uint32_t raw_formats[] = {
	PATTERN_FMT_YUYV, PATTERN_FMT_NV12, PATTERN_FMT_YU12, PATTERN_FMT_GREY,
};
static const struct { uint32_t w, h; } sizes[] = {
	{ 640, 480 }, { 320, 240 }, { 16, 16 }, { 34, 18 },
};
static const uint32_t numbers[] = { 0, 1, 2, 255, 256, 65537, 0xdeadbeef };

static void test_raw_round_trip(uint32_t fmt, uint32_t w, uint32_t h)
{
	size_t size = pattern_frame_size(fmt, w, h), first_bad = 0;
	uint8_t *frame = malloc(size);
	char name[5];

	pattern_fourcc_str(fmt, name);
	if (!frame) {
		EXPECT(0, "out of memory");
		return;
	}
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		uint32_t n = numbers[i], got = 0;
		uint32_t mask = w >= 32 ? 0xffffffffU : (1U << w) - 1;
		size_t pos;

		pattern_fill(frame, fmt, w, h, n);
		EXPECT(pattern_decode(frame, fmt, w, h, &got) &&
		       got == (n & mask),
		       "%s %ux%u n=%u decoded as %u", name, w, h, n, got);
		EXPECT(pattern_verify(frame, fmt, w, h, n, NULL) == 0,
		       "%s %ux%u n=%u does not verify", name, w, h, n);
		EXPECT(!pattern_is_uniform(frame, fmt, w, h),
		       "%s %ux%u n=%u looks like a placeholder", name, w, h, n);
		if (n != 0)
			EXPECT(pattern_verify(frame, fmt, w, h, n - 1, NULL) != 0,
			       "%s %ux%u n=%u verifies as n-1", name, w, h, n);
		/* One flipped byte in the header, middle, last chroma byte. */
		const size_t spots[] = { 0, size / 2 + 1, size - 1 };

		for (size_t s = 0; s < 3; s++) {
			pos = spots[s];
			frame[pos] ^= 0x01;
			EXPECT(pattern_verify(frame, fmt, w, h, n, &first_bad) == 1 &&
			       first_bad == pos,
			       "%s %ux%u n=%u flip at %zu not found", name, w, h,
			       n, pos);
			frame[pos] ^= 0x01;
		}
	}
	free(frame);
}

static void test_placeholder(void)
{
	size_t size = pattern_frame_size(PATTERN_FMT_NV12, 64, 32);
	uint8_t *frame = malloc(size);
	uint32_t n;

	if (!frame)
		return;
	memset(frame, 128, size);
	EXPECT(pattern_is_uniform(frame, PATTERN_FMT_NV12, 64, 32),
	       "mid-grey frame not a placeholder");
	EXPECT(!pattern_decode(frame, PATTERN_FMT_NV12, 64, 32, &n),
	       "mid-grey frame decodes as a frame number");
	free(frame);
}

static void test_sizes(void)
{
	EXPECT(pattern_frame_size(PATTERN_FMT_YUYV, 640, 480) == 614400, "YUYV");
	EXPECT(pattern_frame_size(PATTERN_FMT_NV12, 640, 480) == 460800, "NV12");
	EXPECT(pattern_frame_size(PATTERN_FMT_YU12, 640, 480) == 460800, "YU12");
	EXPECT(pattern_frame_size(PATTERN_FMT_GREY, 640, 480) == 307200, "GREY");
	EXPECT(pattern_frame_size(PATTERN_FMT_MJPG, 640, 480) == 0, "MJPG");
	EXPECT(pattern_frame_size(PATTERN_FMT_YUYV, 641, 480) == 0, "odd");
	EXPECT(pattern_fourcc_parse("yuy2") == PATTERN_FMT_YUYV, "yuy2");
	EXPECT(pattern_fourcc_parse("I420") == PATTERN_FMT_YU12, "I420");
	EXPECT(pattern_fourcc_parse("mjpeg") == PATTERN_FMT_MJPG, "mjpeg");
	EXPECT(pattern_fourcc_parse("H264") == 0, "H264");
}

/* Decode a JPEG to its luma plane (grayscale output of libjpeg). */
static uint8_t *decode_luma(const uint8_t *jpeg, size_t size, uint32_t w,
			    uint32_t h)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr err;
	uint8_t *luma = malloc((size_t)w * h);

	if (!luma)
		return NULL;
	cinfo.err = jpeg_std_error(&err);
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, jpeg, size);
	jpeg_read_header(&cinfo, TRUE);
	cinfo.out_color_space = JCS_GRAYSCALE;
	jpeg_start_decompress(&cinfo);
	while (cinfo.output_scanline < h) {
		JSAMPROW row = luma + (size_t)cinfo.output_scanline * w;

		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	return luma;
}

static void test_coarse(uint32_t w, uint32_t h)
{
	struct pattern_jpeg *enc = pattern_jpeg_new(w, h, 90);
	struct pattern_coarse_result res;

	if (!enc) {
		EXPECT(0, "out of memory");
		return;
	}
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		uint32_t n = numbers[i];
		const uint8_t *jpeg;
		size_t size;
		uint8_t *luma;

		if (pattern_jpeg_encode(enc, n, &jpeg, &size) != 0) {
			EXPECT(0, "encode %ux%u n=%u", w, h, n);
			continue;
		}
		luma = decode_luma(jpeg, size, w, h);
		EXPECT(luma && pattern_decode_coarse(luma, w, h, &res) &&
		       res.n16 == (n & PATTERN_COARSE_MASK) &&
		       res.body_error < 6.0,
		       "MJPEG %ux%u n=%u: decoded=%d n16=%u err=%.2f", w, h, n,
		       res.decoded, res.n16, res.body_error);
		/* A frame half replaced (tearing, a foreign buffer) must
		 * not fit even though its header still decodes. */
		if (luma && res.decoded) {
			struct pattern_coarse_result torn;
			uint8_t *copy = malloc((size_t)w * h);

			if (copy) {
				memcpy(copy, luma, (size_t)w * h);
				memset(copy + (size_t)w * 16, 0,
				       (size_t)w * (h / 2 - 16));
				pattern_decode_coarse(copy, w, h, &torn);
				EXPECT(torn.body_error > 10.0,
				       "torn body not detected (err=%.2f)",
				       torn.body_error);
				free(copy);
			}
		}
		free(luma);
	}
	pattern_jpeg_free(enc);
}

int main(void)
{
	test_sizes();
	test_placeholder();
	for (size_t f = 0; f < sizeof(raw_formats) / sizeof(raw_formats[0]); f++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			test_raw_round_trip(raw_formats[f], sizes[s].w,
					    sizes[s].h);
	test_coarse(640, 480);
	test_coarse(320, 240);
	test_coarse(1280, 720);
	test_coarse(64, 48);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
