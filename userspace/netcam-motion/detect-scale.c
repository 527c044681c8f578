// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, step 1 and the edge map: the luma plane
 * box-averaged to the working plane and blurred; the background's
 * gradient, which raises the threshold along edges (step 4).
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

#include <math.h>
#include <string.h>

/* Rows a 16-bit column sum of bytes can hold: 257 * 255 = 65535. */
#define ROWS16 257

/* acc[x] = sum of the n-byte rows y[0..rows-1] (stride apart) at x. */
MD_SIMD static void sum_rows(const uint8_t *restrict y, int stride, int rows,
		     uint16_t *restrict acc, int n)
{
	for (int x = 0; x < n; x++)
		acc[x] = y[x];
	for (int r = 1; r < rows; r++) {
		y += stride;
		for (int x = 0; x < n; x++)
			acc[x] += y[x];
	}
}

/* Sum of f consecutive values. */
static unsigned sum_f(const uint16_t *v, int f)
{
	unsigned s = 0;

	for (int i = 0; i < f; i++)
		s += v[i];
	return s;
}

/* bs[wx] += the sum of block wx's f values in acc. */
static inline void add_blocks(const uint16_t *restrict acc, uint32_t *restrict bs,
			      int ww, int f)
{
	for (int wx = 0; wx < ww; wx++)
		bs[wx] += sum_f(acc + wx * f, f);
}

/* add_blocks(); with f a constant the compiler vectorises across blocks,
 * so the usual factors get a copy of their own. */
MD_SIMD static void block_sums(const uint16_t *acc, uint32_t *bs, int ww, int f)
{
	switch (f) {
	case 2: add_blocks(acc, bs, ww, 2); break;
	case 3: add_blocks(acc, bs, ww, 3); break;
	case 8: add_blocks(acc, bs, ww, 8); break;
	case 12: add_blocks(acc, bs, ww, 12); break;
	default: add_blocks(acc, bs, ww, f); break;
	}
}

/* The four bytes at p added in pairs: two 16-bit sums in one word. */
static inline uint32_t byte_pairs(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return (w & 0x00ff00ffu) + ((w >> 8) & 0x00ff00ffu);
}

/*
 * block_average() for f = 4, the common 640 px wide frame: a block's row
 * of four bytes is one 32-bit word; its bytes added in pairs, the four
 * rows' pairs added (at most 2040 in each 16-bit half, nothing carries)
 * and the halves folded give the block's sum, whichever the byte order.
 * Words, masks, shifts and adds vectorise across blocks, eight to an AVX2
 * instruction, with no intermediate row of column sums (twice as fast).
 */
MD_SIMD static void block_average4(const uint8_t *restrict y, int stride,
				   int ww, int wh, float *restrict out)
{
	for (int wy = 0; wy < wh; wy++) {
		const uint8_t *r0 = y + (size_t)wy * 4 * stride, *r1 = r0 + stride;
		const uint8_t *r2 = r1 + stride, *r3 = r2 + stride;
		float *o = out + (size_t)wy * ww;

		for (int wx = 0; wx < ww; wx++) {
			uint32_t s = byte_pairs(r0 + 4 * wx) + byte_pairs(r1 + 4 * wx) +
				     byte_pairs(r2 + 4 * wx) + byte_pairs(r3 + 4 * wx);

			s = (s & 0xffffu) + (s >> 16);
			/* via int32: SSE2 converts only signed integers */
			o[wx] = (float)(int32_t)s * (1.0f / 16.0f);
		}
	}
}

/* Box-average f x f blocks of the source into d->tmp. Rows are summed
 * first, column by column, into a 16-bit row (a plain loop over bytes
 * the compiler vectorises, eight or more to an instruction), then f
 * columns across; integer sums make the order irrelevant to the result.
 * Blocks taller than ROWS16 (only with a small work_width on a huge
 * frame) are summed ROWS16 rows at a time. */
MD_SIMD static void block_average(struct md_detector *d, const uint8_t *y, int stride)
{
	int f = d->f, ww = d->ww, n = d->ww * d->f;
	float inv = 1.0f / (float)(f * f);
	uint16_t *restrict acc = d->colsum;
	uint32_t *restrict bs = d->blocksum;

	if (f == 4) {
		block_average4(y, stride, ww, d->wh, d->tmp);
		return;
	}
	for (int wy = 0; wy < d->wh; wy++) {
		memset(bs, 0, (size_t)ww * sizeof(*bs));
		for (int r0 = 0; r0 < f; r0 += ROWS16) {
			int rows = f - r0 < ROWS16 ? f - r0 : ROWS16;

			sum_rows(y + (size_t)(wy * f + r0) * stride, stride, rows, acc, n);
			block_sums(acc, bs, ww, f);
		}
		for (int wx = 0; wx < ww; wx++)
			d->tmp[wy * ww + wx] = (float)bs[wx] * inv;
	}
}

/* o = 3-tap box along each row of ww values, edges clamped: the plane as
 * one flat run (few vector loop entries), then the rows' ends. */
MD_SIMD static void box3_rows(const float *restrict r, float *restrict o, int ww, int wh)
{
	const float third = 1.0f / 3.0f;
	long N = (long)ww * wh;

	for (long i = 1; i < N - 1; i++)
		o[i] = (r[i - 1] + r[i] + r[i + 1]) * third;
	for (int y = 0; y < wh; y++) {
		const float *ry = r + (long)y * ww;
		float *oy = o + (long)y * ww;

		oy[0] = (ry[0] + ry[0] + ry[ww > 1 ? 1 : 0]) * third;
		if (ww > 1)
			oy[ww - 1] = (ry[ww - 2] + ry[ww - 1] + ry[ww - 1]) * third;
	}
}

/* o = 3-tap box along each column, edges clamped. */
MD_SIMD static void box3_cols(const float *restrict r, float *restrict o, int ww, int wh)
{
	const float third = 1.0f / 3.0f;
	long N = (long)ww * wh;

	for (long i = ww; i < N - ww; i++)
		o[i] = (r[i - ww] + r[i] + r[i + ww]) * third;
	for (int x = 0; x < ww; x++) {
		long below = wh > 1 ? ww : 0, last = N - ww;

		o[x] = (r[x] + r[x] + r[x + below]) * third;
		if (wh > 1)
			o[last + x] = (r[last + x - ww] + r[last + x] + r[last + x]) * third;
	}
}

/* Box-average f x f blocks, then a 3x3 box blur (clamped edges). */
void md_downscale(struct md_detector *d, const uint8_t *y, int stride)
{
	block_average(d, y, stride);
	box3_rows(d->tmp, d->diff, d->ww, d->wh);
	box3_cols(d->diff, d->cur, d->ww, d->wh);
}

/* Half the larger of |dx|, |dy| (central differences, clamped at the
 * frame's edges) of b at x, y. */
static float grad_at(const float *b, int ww, int wh, int x, int y)
{
	int xl = x > 0 ? x - 1 : x, xr = x < ww - 1 ? x + 1 : x;
	int yu = y > 0 ? y - 1 : y, yd = y < wh - 1 ? y + 1 : y;
	float gx = fabsf(b[y * ww + xr] - b[y * ww + xl]);
	float gy = fabsf(b[yd * ww + x] - b[yu * ww + x]);

	return 0.5f * (gx > gy ? gx : gy);
}

/* grad_at() for every pixel: the frame's border with the clamps, the
 * inside in a loop without them. */
MD_SIMD static void gradient(const float *restrict b, float *restrict g, int ww, int wh)
{
	for (int y = 0; y < wh; y++) {
		if (y == 0 || y == wh - 1 || ww < 3) {
			for (int x = 0; x < ww; x++)
				g[y * ww + x] = grad_at(b, ww, wh, x, y);
			continue;
		}
		g[y * ww] = grad_at(b, ww, wh, 0, y);
		g[y * ww + ww - 1] = grad_at(b, ww, wh, ww - 1, y);
		for (int x = 1; x < ww - 1; x++) {
			int i = y * ww + x;
			float gx = fabsf(b[i + 1] - b[i - 1]);
			float gy = fabsf(b[i + ww] - b[i - ww]);

			g[i] = 0.5f * (gx > gy ? gx : gy);
		}
	}
}

static float maxf(float a, float b)
{
	return a > b ? a : b;
}

/* o = maximum of m over each pixel's 3x3 neighbourhood inside the frame:
 * along columns, then along rows (the maximum does not care in which
 * order it is taken). t: scratch; o may be m. */
MD_SIMD static void max3x3(const float *m, float *t, float *o, int ww, int wh)
{
	for (int y = 0; y < wh; y++) {
		const float *a = m + (y > 0 ? y - 1 : y) * ww, *b = m + y * ww;
		const float *c = m + (y < wh - 1 ? y + 1 : y) * ww;

		for (int x = 0; x < ww; x++)
			t[y * ww + x] = maxf(maxf(a[x], b[x]), c[x]);
	}
	for (int y = 0; y < wh; y++) {
		const float *r = t + y * ww;
		float *oy = o + y * ww;

		oy[0] = ww > 1 ? maxf(r[0], r[1]) : r[0];
		for (int x = 1; x < ww - 1; x++)
			oy[x] = maxf(maxf(r[x - 1], r[x]), r[x + 1]);
		if (ww > 1)
			oy[ww - 1] = maxf(r[ww - 2], r[ww - 1]);
	}
}

/*
 * d->grad: the background's gradient magnitude (max of |dx|, |dy|, central
 * differences) and its 3x3 maximum, so both flanks of an edge are covered.
 * The background drifts by a percent or so a frame, so the map is made
 * again only every EDGE_FRAMES frames, or at once when the background was
 * replaced (learnt afresh, a still change absorbed: d->edges_stale).
 */
#define EDGE_FRAMES 4

void md_edges(struct md_detector *d)
{
	if (!d->edges_stale && d->frame_no - d->edges_frame < EDGE_FRAMES)
		return;
	gradient(d->bg, d->grad, d->ww, d->wh);
	max3x3(d->grad, d->tmp, d->grad, d->ww, d->wh);
	d->edges_frame = d->frame_no;
	d->edges_stale = 0;
}
