/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The netcam test pattern: frames whose every byte is a function of the
 * frame number n, so a capture can be checked exactly after it went through
 * netcam.ko and an application (ffmpeg, GStreamer).
 *
 * Shared by the feeder (tests/feeder/netcam-feed), which generates frames,
 * and the checker (tests/tools/netcam-check), which regenerates them.
 *
 * Raw formats (YUYV, NV12, YU12 = YUV 4:2:0 planar Y/U/V, GREY)
 * ------------------------------------------------------------
 * Layout, with no padding (bytesperline = w*2 for YUYV, w otherwise):
 *   YUYV  one plane, Y0 U Y1 V per pixel pair, size w*h*2
 *   NV12  Y plane w*h, then interleaved U,V plane w*(h/2), size w*h*3/2
 *   YU12  Y plane w*h, U plane (w/2)*(h/2), V plane (w/2)*(h/2)
 *   GREY  Y plane w*h
 * Luma, pixel (x, y):
 *   Y = (x + 2*y + 3*n) & 0xff
 * except the header: rows 0..min(8,h)-1, columns 0..min(32,w)-1 are bars
 * of width 1, column x being bit x of n (least significant bit at x = 0):
 *   Y = 235 if bit set, 16 if clear.
 * Chroma sample at chroma coordinates (cx, cy), i.e. after subsampling
 * (YUYV: cx = x/2, cy = y; NV12/YU12: cx = x/2, cy = y/2):
 *   U = (cx + n) & 0xff, V = (cy + n) & 0xff    (also inside the header)
 * A frame whose luma is one value everywhere is a placeholder (netcam.ko
 * sends mid-grey Y=U=V=128 frames while no feed is attached); a real
 * pattern frame never is, as its luma always varies along a row.
 *
 * MJPEG (coarse code: survives lossy compression)
 * ------------------------------------------------
 * The source image is YUV 4:2:0 built as for YU12 above, except rows
 * 0..15 of the luma plane: they are split into 16 blocks of width w/16,
 * block b (from the left) being 235 if bit b of n is set, 16 if clear;
 * columns past 16*(w/16) in those rows are 16. Only n mod 65536 survives.
 * After decoding, each bit is read from the mean luma of its block's
 * centre (rows 4..11, middle half of the columns): > 160 set, < 96 clear,
 * anything else makes the frame undecodable. The body (rows >= 16) is
 * compared against the expected luma after a least-squares fit of gain and
 * offset, so a full/limited range conversion by the decoder does not
 * matter but a different or torn frame does.
 */
#ifndef NETCAM_TEST_PATTERN_H
#define NETCAM_TEST_PATTERN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PATTERN_BAR_SET		235
#define PATTERN_BAR_CLEAR	16
#define PATTERN_HEADER_ROWS	8
#define PATTERN_HEADER_BITS	32

#define PATTERN_COARSE_ROWS	16
#define PATTERN_COARSE_BITS	16
#define PATTERN_COARSE_MASK	0xffffU

/* Build a fourcc as V4L2 does, without needing videodev2.h here. */
#define PATTERN_FOURCC(a, b, c, d) \
	((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | \
	 ((uint32_t)(d) << 24))
#define PATTERN_FMT_YUYV	PATTERN_FOURCC('Y', 'U', 'Y', 'V')
#define PATTERN_FMT_NV12	PATTERN_FOURCC('N', 'V', '1', '2')
#define PATTERN_FMT_YU12	PATTERN_FOURCC('Y', 'U', '1', '2')
#define PATTERN_FMT_GREY	PATTERN_FOURCC('G', 'R', 'E', 'Y')
#define PATTERN_FMT_MJPG	PATTERN_FOURCC('M', 'J', 'P', 'G')

/* Parse "YUYV" etc. (also the aliases NV12, YU12/I420, GREY/GRAY, MJPG/MJPEG,
 * case-insensitive). Returns 0 if unknown. */
uint32_t pattern_fourcc_parse(const char *name);
/* Writes the 4 characters and a NUL into out[5]. */
void pattern_fourcc_str(uint32_t fourcc, char out[5]);

/* True for the raw formats this file can fill and verify. */
bool pattern_is_raw(uint32_t fourcc);
/* Bytes of one raw frame, 0 if the format is not raw or w/h are odd. */
size_t pattern_frame_size(uint32_t fourcc, uint32_t w, uint32_t h);
/* Stride of the first plane of a raw format. */
uint32_t pattern_bytesperline(uint32_t fourcc, uint32_t w);

/* Fill buf (pattern_frame_size bytes) with frame n of a raw format. */
void pattern_fill(uint8_t *buf, uint32_t fourcc, uint32_t w, uint32_t h,
		  uint32_t n);

/* Luma of pixel (x, y) as stored in a raw frame. */
uint8_t pattern_luma_at(const uint8_t *buf, uint32_t fourcc, uint32_t w,
			uint32_t x, uint32_t y);

/* True if every luma sample of the raw frame has the same value. */
bool pattern_is_uniform(const uint8_t *buf, uint32_t fourcc, uint32_t w,
			uint32_t h);

/* Read n from the header of a raw frame. Returns false if a bar is neither
 * PATTERN_BAR_SET nor PATTERN_BAR_CLEAR. With w < 32 only the low w bits
 * can be recovered. */
bool pattern_decode(const uint8_t *buf, uint32_t fourcc, uint32_t w,
		    uint32_t h, uint32_t *n);

/* Compare a raw frame with frame n byte for byte. Returns the number of
 * differing bytes; *first_bad (if not NULL) gets the offset of the first. */
size_t pattern_verify(const uint8_t *buf, uint32_t fourcc, uint32_t w,
		      uint32_t h, uint32_t n, size_t *first_bad);

/* Fill planar YUV 4:2:0 source planes for an MJPEG frame n:
 * y is w*h, u and v are (w/2)*(h/2). */
void pattern_fill_coarse_yuv420(uint8_t *y, uint8_t *u, uint8_t *v,
				uint32_t w, uint32_t h, uint32_t n);

/* Result of reading a decoded (lossy) luma plane. */
struct pattern_coarse_result {
	bool decoded;		/* all 16 bits were unambiguous */
	uint32_t n16;		/* n mod 65536 when decoded */
	double body_error;	/* mean |residual| of the body after the fit */
	double gain;		/* fitted gain of the body (1.0 = identical) */
};

/* Decode n mod 65536 from a w*h luma plane and measure the body against
 * the expected frame. Returns res->decoded. */
bool pattern_decode_coarse(const uint8_t *luma, uint32_t w, uint32_t h,
			   struct pattern_coarse_result *res);

/* True if the luma plane's values span at most `tolerance`. */
bool pattern_luma_is_flat(const uint8_t *luma, size_t count,
			  unsigned int tolerance);

#endif /* NETCAM_TEST_PATTERN_H */
