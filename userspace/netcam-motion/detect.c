// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector core. See detect.h and
 * Documentation/admin-guide/netcam-motion.rst ("How detection works").
 *
 * Per frame:
 *  1. box-downscale the luma plane to ~160 px wide, 3x3 blur;
 *  2. fit frame = gain * background + offset (least squares, robust second
 *     pass) and take the difference against the fitted background, so a
 *     global brightness/gain change (light switch, auto-exposure, dusk)
 *     leaves no difference;
 *  3. noise sigma = 1.4826 * median |difference| (MAD), smoothed over
 *     frames; threshold = max(threshold_min, threshold_sigma * sigma);
 *  4. change mask, 3x3 despeckle (erode needing 6 of 9, then dilate back
 *     inside the raw mask), connected components;
 *  5. a change covering light_change_area % of the frame and spread over
 *     most of a 4x4 grid is a light change: the background is re-learnt
 *     from this frame and the frame counts neither as motion nor as quiet;
 *  6. per zone: changed area (% of the zone) >= min_area is motion;
 *     min_frames consecutive motion frames start an event, event_gap
 *     seconds without motion end it;
 *  7. background += alpha * (frame - background) outside the (dilated)
 *     motion mask; inside too once an event is older than max_event. A
 *     changed pixel that has not changed between frames for still_time
 *     seconds becomes background at once (parked car, "ghost").
 */
#include "detect.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define HIST_N 1024          /* |d| quantised in quarter levels */

/*
 * The loops that run over every pixel are built twice, for AVX2 and for
 * the baseline x86-64, and the dynamic loader picks one by CPU (GCC's
 * function multi-versioning): twice the lanes per instruction, the same
 * arithmetic (AVX2 alone brings no fused multiply-add). GCC inlines no
 * plain function into such a clone, so the attribute goes on the
 * functions that hold the loops. Elsewhere, one build for the baseline.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && \
	defined(__linux__)
#define MD_SIMD __attribute__((target_clones("avx2", "default")))
#else
#define MD_SIMD
#endif

struct zone {
	struct md_zone_cfg cfg;
	int x0, y0, x1, y1;      /* working pixels, [x0,x1) */
	long area;               /* valid pixels in the rect */
	double min_area, sigma;
	/* hysteresis */
	int consec;
	int active;
	double streak_t;         /* time of first frame of the streak */
	double last_motion_t;
	double peak;             /* percent */
	long peak_frame;
	int bx0, by0, bx1, by1;  /* working-pixel bbox, inclusive; bx0 > bx1: none */
	long frames;
	int id;
};

struct md_detector {
	struct md_params p;
	int sw, sh, f, ww, wh;
	float *cur, *bg, *tmp, *diff, *grad;
	float *prev;             /* the previous frame's cur */
	float *still;            /* seconds changed but unchanging, per pixel */
	uint8_t *valid;          /* working mask: 1 = analysed */
	uint8_t *chg, *chg2, *fin, *moving;
	uint8_t *whole;          /* whole-frame change mask at threshold T */
	uint8_t *rows;           /* scratch for separable 3x3 / 5x5 passes */
	uint8_t *sat;            /* background learnt saturated: 1 high, 2 low */
	int *stack;
	uint32_t *hist;
	uint32_t (*hist4)[HIST_N + 1]; /* mad_sigma: four histograms, added up */
	uint16_t *qdiff;         /* ... of the sampled pixels' quantised |diff| */
	uint16_t *colsum;        /* downscale: one row of column sums ... */
	uint32_t *blocksum;      /* ... and of block sums */
	struct zone zones[MD_MAX_ZONES];
	int nz;
	md_event_cb cb;
	void *ctx;
	long frame_no;
	double noise, prev_t, t0;
	double g, o;             /* the last frame's light fit, a warm start */
	double edge_k;           /* threshold += edge_k * d->grad, this frame */
	long edges_frame;        /* d->grad made at this frame ... */
	int edges_stale;         /* ... and the background replaced since */
	int still_counting;      /* some d->still is not 0 */
	int have_bg, have_noise;
	int next_id;
	long nvalid;
	int cellsz[16];          /* valid pixels per light_change() cell */
	int fit_step;            /* fit_px() sums every fit_step-th row */
	int hist_step;           /* mad_sigma() samples every hist_step-th pixel */
};

/* fit_px() sums every FIT_ROW_STEP-th row of a plane at least 8 times as
 * tall (all rows of a shorter one) */
#define FIT_ROW_STEP 4
/* mad_sigma() samples every HIST_STEP-th pixel of a plane with at least
 * HIST_STEP * HIST_SAMPLES pixels (every one of a smaller one) */
#define HIST_STEP 4
#define HIST_SAMPLES 3000

#define WARMUP_S 1.0         /* learn fast, report nothing, this long ... */
#define WARMUP_FRAMES 5      /* ... and at least this many frames */

void md_work_size(const struct md_detector *d, int *w, int *h)
{
	*w = d->ww;
	*h = d->wh;
}

void md_free(struct md_detector *d)
{
	if (!d)
		return;
	free(d->cur);
	free(d->prev);
	free(d->still);
	free(d->bg);
	free(d->tmp);
	free(d->diff);
	free(d->grad);
	free(d->valid);
	free(d->chg);
	free(d->chg2);
	free(d->fin);
	free(d->whole);
	free(d->rows);
	free(d->moving);
	free(d->sat);
	free(d->stack);
	free(d->hist);
	free(d->hist4);
	free(d->qdiff);
	free(d->colsum);
	free(d->blocksum);
	free(d);
}

static int clampi(int v, int lo, int hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

struct md_detector *md_new(const struct md_params *p, int src_w, int src_h,
			   const uint8_t *mask, const struct md_zone_cfg *zones,
			   int nzones, md_event_cb cb, void *ctx)
{
	struct md_detector *d;
	size_t n;
	int i;

	if (!p || md_params_check(p) || src_w < 8 || src_h < 8 ||
	    src_w > 16384 || src_h > 16384 || nzones < 0 ||
	    nzones > MD_MAX_ZONES || (nzones && !zones))
		return NULL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->p = *p;
	d->sw = src_w;
	d->sh = src_h;
	d->f = (src_w + p->work_width - 1) / p->work_width;
	if (d->f < 1)
		d->f = 1;
	if (src_h / d->f < 4)       /* very wide, very flat frames */
		d->f = src_h / 4;
	d->ww = src_w / d->f;
	d->wh = src_h / d->f;
	n = (size_t)d->ww * d->wh;
	d->cur = calloc(n, sizeof(float));
	d->prev = calloc(n, sizeof(float));
	d->still = calloc(n, sizeof(float));
	d->bg = calloc(n, sizeof(float));
	d->tmp = calloc(n, sizeof(float));
	d->diff = calloc(n, sizeof(float));
	d->grad = calloc(n, sizeof(float));
	d->valid = calloc(n, 1);
	d->chg = calloc(n, 1);
	d->chg2 = calloc(n, 1);
	d->fin = calloc(n, 1);
	d->whole = calloc(n, 1);
	d->rows = calloc(n, 1);
	d->moving = calloc(n, 1);
	d->sat = calloc(n, 1);
	d->stack = calloc(n, sizeof(int));
	d->hist = calloc(HIST_N, sizeof(uint32_t));
	d->hist4 = calloc(4, sizeof(*d->hist4));
	d->qdiff = calloc(n, sizeof(uint16_t));
	d->colsum = calloc((size_t)d->ww * d->f, sizeof(uint16_t));
	d->blocksum = calloc((size_t)d->ww, sizeof(uint32_t));
	if (!d->cur || !d->prev || !d->still || !d->bg || !d->tmp || !d->diff || !d->grad || !d->valid || !d->chg ||
	    !d->chg2 || !d->fin || !d->whole || !d->rows || !d->moving || !d->sat || !d->stack || !d->hist ||
	    !d->colsum || !d->blocksum || !d->hist4 || !d->qdiff) {
		md_free(d);
		return NULL;
	}
	/* A working pixel is analysed if most of its source block is; without
	 * a mask, every one is (and a 1080p frame's 2 million source pixels
	 * need not be looked at). */
	if (!mask) {
		memset(d->valid, 1, n);
		d->nvalid = (long)n;
	}
	for (int y = 0; mask && y < d->wh; y++) {
		for (int x = 0; x < d->ww; x++) {
			int on = 0, tot = 0;

			for (int yy = 0; yy < d->f; yy++)
				for (int xx = 0; xx < d->f; xx++) {
					int sy = y * d->f + yy, sx = x * d->f + xx;

					if (sy >= src_h || sx >= src_w)
						continue;
					tot++;
					on += mask[(size_t)sy * src_w + sx] != 0;
				}
			d->valid[y * d->ww + x] = tot && on * 2 >= tot;
			d->nvalid += d->valid[y * d->ww + x];
		}
	}
	d->fit_step = d->wh >= 8 * FIT_ROW_STEP ? FIT_ROW_STEP : 1;
	d->hist_step = (long)n >= HIST_STEP * HIST_SAMPLES ? HIST_STEP : 1;
	for (int y = 0; y < d->wh; y++)
		for (int x = 0; x < d->ww; x++)
			d->cellsz[(y * 4 / d->wh) * 4 + x * 4 / d->ww] +=
				d->valid[y * d->ww + x];
	if (nzones == 0) {
		struct md_zone_cfg all = { .name = "all", .x = 0, .y = 0,
					   .w = 100, .h = 100, .min_area = -1,
					   .threshold_sigma = -1 };
		d->zones[0].cfg = all;
		d->nz = 1;
	} else {
		for (i = 0; i < nzones; i++)
			d->zones[i].cfg = zones[i];
		d->nz = nzones;
	}
	for (i = 0; i < d->nz; i++) {
		struct zone *z = &d->zones[i];
		const struct md_zone_cfg *c = &z->cfg;

		if (!(c->w > 0 && c->h > 0 && c->x >= 0 && c->y >= 0 &&
		      c->x + c->w <= 100.0001 && c->y + c->h <= 100.0001)) {
			md_free(d);
			return NULL;
		}
		z->x0 = clampi((int)lround(c->x * d->ww / 100.0), 0, d->ww - 1);
		z->y0 = clampi((int)lround(c->y * d->wh / 100.0), 0, d->wh - 1);
		z->x1 = clampi((int)lround((c->x + c->w) * d->ww / 100.0), z->x0 + 1, d->ww);
		z->y1 = clampi((int)lround((c->y + c->h) * d->wh / 100.0), z->y0 + 1, d->wh);
		z->min_area = c->min_area > 0 ? c->min_area : p->min_area;
		z->sigma = c->threshold_sigma > 0 ? c->threshold_sigma : p->threshold_sigma;
		for (int y = z->y0; y < z->y1; y++)
			for (int x = z->x0; x < z->x1; x++)
				z->area += d->valid[y * d->ww + x];
		z->bx0 = 1;
		z->bx1 = 0;
	}
	d->cb = cb;
	d->ctx = ctx;
	d->next_id = 1;
	return d;
}

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
static void downscale(struct md_detector *d, const uint8_t *y, int stride)
{
	block_average(d, y, stride);
	box3_rows(d->tmp, d->diff, d->ww, d->wh);
	box3_cols(d->diff, d->cur, d->ww, d->wh);
}

/* The least-squares sums of one row, added to the frame's (in double). */
struct fit_sums {
	double picked, n, sb, sc, sbb, sbc;
};

/*
 * One row of the fit's sums over the pixels it may use (valid, not moving,
 * with skip_sat not saturated now or when learnt) whose residual against
 * g0 * bg + o0 is within lim. Every pixel is weighed 0 or 1 rather than
 * skipped, and the row is summed in float in any order (simd reduction):
 * the loop vectorises. Values are centred on 128 so the squares stay
 * small and a row's float sums lose nothing that matters to the fit.
 */
MD_SIMD static void fit_row(const float *restrict bg, const float *restrict cur,
		    const uint8_t *restrict valid, const uint8_t *restrict moving,
		    const uint8_t *restrict sat, int n, float g0, float o0,
		    float lim, float lo1, float hi1, int skip_sat,
		    struct fit_sums *s)
{
	float sp = 0, sn = 0, sb = 0, sc = 0, sbb = 0, sbc = 0;
	int use_sat = !skip_sat;

#pragma omp simd reduction(+ : sp, sn, sb, sc, sbb, sbc)
	for (int x = 0; x < n; x++) {
		float b = bg[x], c = cur[x];
		int pick = (valid[x] != 0) & (moving[x] == 0) &
			   (use_sat | ((sat[x] == 0) & (c < hi1) & (c > lo1)));
		float w = (float)pick;
		float k = (float)(pick & (fabsf(c - (g0 * b + o0)) <= lim));

		b -= 128.0f;
		c -= 128.0f;
		sp += w;
		sn += k;
		sb += k * b;
		sc += k * c;
		sbb += k * b * b;
		sbc += k * b * c;
	}
	s->picked += sp;
	s->n += sn;
	s->sb += sb;
	s->sc += sc;
	s->sbb += sbb;
	s->sbc += sbc;
}

/* Least-squares fit cur = g * bg + o over valid, non-moving pixels with
 * |residual| <= lim (lim <= 0: all); with skip_sat not over pixels
 * saturated now or when learnt. Two parameters from thousands of pixels:
 * every fourth row (over 3000 pixels at the default work_width) is plenty
 * and quarters the cost. Returns the pixel count; *picked: the pixels the
 * fit could use before the residual test (both of the rows summed). */
static long fit_px(struct md_detector *d, double g0, double o0, double lim,
		   float lo, float hi, int skip_sat, double *g, double *o,
		   long *picked)
{
	struct fit_sums s = { 0 };
	int ww = d->ww;
	long n;

	for (int y = 0; y < d->wh; y += d->fit_step) {
		long r = (long)y * ww;

		fit_row(d->bg + r, d->cur + r, d->valid + r, d->moving + r,
			d->sat + r, ww, (float)g0, (float)o0,
			lim > 0 ? (float)lim : INFINITY,
			lo < 64 ? lo + 1.0f : -INFINITY,
			hi > 128 ? hi - 1.0f : INFINITY, skip_sat, &s);
	}
	n = lround(s.n);
	*picked = lround(s.picked);
	if (n < 16) {
		*g = g0;
		*o = o0;
		return n;
	}
	{
		double mb = s.sb / s.n, mc = s.sc / s.n;
		double vb = s.sbb / s.n - mb * mb, cbc = s.sbc / s.n - mb * mc;

		*g = vb > 4.0 ? cbc / vb : 1.0;
		if (*g < 0.25)
			*g = 0.25;
		if (*g > 4.0)
			*g = 4.0;
		/* back from values centred on 128 */
		*o = (mc + 128.0) - *g * (mb + 128.0);
	}
	return n;
}

/* diff = frame - prediction g * bg + o, the prediction clamped to lo..hi.
 * Selects rather than branches, so the loop vectorises. */
MD_SIMD static void predict_pixels(long n, const float *restrict bg,
			   const float *restrict cur, const uint8_t *restrict sat,
			   float *restrict diff, float g, float o, float lo,
			   float hi)
{
	for (long i = 0; i < n; i++) {
		float p = g * bg[i] + o, df;

		p = p < lo ? lo : p;
		p = p > hi ? hi : p;
		df = cur[i] - p;
		/* a background learnt while saturated only bounds the truth */
		diff[i] = ((sat[i] == 1) & (df > 0)) | ((sat[i] == 2) & (df < 0)) ? 0.0f : df;
	}
}

static void predict_diff(struct md_detector *d, double g, double o, float lo,
			 float hi)
{
	predict_pixels((long)d->ww * d->wh, d->bg, d->cur, d->sat, d->diff,
		       (float)g, (float)o, lo, hi);
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

static void edges(struct md_detector *d)
{
	if (!d->edges_stale && d->frame_no - d->edges_frame < EDGE_FRAMES)
		return;
	gradient(d->bg, d->grad, d->ww, d->wh);
	max3x3(d->grad, d->tmp, d->grad, d->ww, d->wh);
	d->edges_frame = d->frame_no;
	d->edges_stale = 0;
}

/* Pixels saturated now or when learnt say nothing about the gain; but in a
 * scene that is mostly at its limits (a synthetic pattern) use them all.
 * Returns the pixel count of the fit; *picked as fit_px(). */
static long fit(struct md_detector *d, double g0, double o0, double lim,
		float lo, float hi, double *g, double *o, long *picked)
{
	long n = fit_px(d, g0, o0, lim, lo, hi, 1, g, o, picked);

	/* fit_px() counts the rows it sums: about 1 in fit_step */
	if (n * d->fit_step < d->nvalid / 10)
		n = fit_px(d, g0, o0, lim, lo, hi, 0, g, o, picked);
	return n;
}

/* q[j] = |diff[step * j]| (j < m) in quarter levels, at most HIST_N - 1;
 * HIST_N (a bin of its own) for a pixel left out: not valid, or moving
 * unless with_moving. step: 1 or HIST_STEP, each a loop of its own so the
 * loads vectorise. */
static inline uint16_t quantise(float diff, uint8_t valid, uint8_t moving,
				int with_moving)
{
	const float qmax = HIST_N - 1;
	float a = fabsf(diff) * 4.0f;
	int out = (valid == 0) | ((moving != 0) & !with_moving);
	int bin = (int)(a < qmax ? a : qmax);

	return (uint16_t)(out ? HIST_N : bin);
}

MD_SIMD static void quantise_sampled(long m, int step,
				     const float *restrict diff,
				     const uint8_t *restrict valid,
				     const uint8_t *restrict moving,
				     int with_moving, uint16_t *restrict q)
{
	if (step == HIST_STEP) {
		for (long j = 0; j < m; j++)
			q[j] = quantise(diff[HIST_STEP * j], valid[HIST_STEP * j],
					moving[HIST_STEP * j], with_moving);
		return;
	}
	for (long j = 0; j < m; j++)
		q[j] = quantise(diff[j], valid[j], moving[j], with_moving);
}

/* Histogram of |diff| in quarter levels over every d->hist_step-th valid
 * pixel, moving ones too if with_moving; returns the count of pixels
 * taken. The bins go to d->hist.
 * A sample: neighbours are alike after the blur, and a median of over
 * 3000 of them tells the noise as well as all, at a fraction of the cost
 * of this inherently scalar loop (one counter update at a time).
 * Pixels in a row often fall into the same bin: incrementing one counter
 * would wait for the previous increment, so four sets of counters take
 * turns and are added up at the end. */
MD_SIMD static long diff_hist(struct md_detector *d, int with_moving)
{
	long N = (long)d->ww * d->wh, m = (N + d->hist_step - 1) / d->hist_step;
	uint32_t (*h)[HIST_N + 1] = d->hist4;
	const uint16_t *restrict q = d->qdiff;

	quantise_sampled(m, d->hist_step, d->diff, d->valid, d->moving,
			 with_moving, d->qdiff);
	memset(h, 0, 4 * sizeof(*h));
	/* one counter update per pixel and nothing else: a pixel left out
	 * lands in bin HIST_N */
	for (long j = 0; j < m; j++)
		h[j & 3][q[j]]++;
	for (int b = 0; b < HIST_N; b++)
		d->hist[b] = h[0][b] + h[1][b] + h[2][b] + h[3][b];
	return m - (long)(h[0][HIST_N] + h[1][HIST_N] + h[2][HIST_N] + h[3][HIST_N]);
}

/* 1.4826 * median |diff| over valid non-moving pixels (all valid if too
 * few: under a quarter of the frame and under 64 samples). */
static double mad_sigma(struct md_detector *d)
{
	long n, acc;

	n = diff_hist(d, 0);
	if (!(n * d->hist_step >= d->nvalid / 4 || n >= 64))
		n = diff_hist(d, 1);
	if (n == 0)
		return 0;
	acc = 0;
	for (int q = 0; q < HIST_N; q++) {
		acc += d->hist[q];
		if (acc * 2 >= n)
			return 1.4826 * (q + 0.5) / 4.0;
	}
	return 1.4826 * HIST_N / 4.0;
}

/* Sum of m[x-r..x+r], 0 beyond the ends of the row of n values. */
static int window_sum(const uint8_t *m, int n, int x, int r)
{
	int s = 0;

	for (int k = x - r; k <= x + r; k++)
		s += k >= 0 && k < n ? m[k] : 0;
	return s;
}

/*
 * The neighbour counts of 0/1 masks run over the whole plane as one flat
 * array, a byte to a lane: a loop per row of 160 pixels would spend much
 * of its time entering and leaving its vector loop. Window sums that run
 * off a row's ends (or off the plane, for columns) are put right after.
 */

/* o = each value's window sum (radius 1 or 2) along its row of ww. */
MD_SIMD static void row_sums(const uint8_t *restrict m, uint8_t *restrict o, int ww,
		     int wh, int r)
{
	long N = (long)ww * wh;

	if (r == 1) {
		for (long i = 1; i < N - 1; i++)
			o[i] = (uint8_t)(m[i - 1] + m[i] + m[i + 1]);
	} else {
		for (long i = 2; i < N - 2; i++)
			o[i] = (uint8_t)(m[i - 2] + m[i - 1] + m[i] + m[i + 1] + m[i + 2]);
	}
	for (int y = 0; y < wh; y++) {
		const uint8_t *my = m + (long)y * ww;
		uint8_t *oy = o + (long)y * ww;

		for (int x = 0; x < r && x < ww; x++)
			oy[x] = (uint8_t)window_sum(my, ww, x, r);
		for (int x = ww - r > r ? ww - r : r; x < ww; x++)
			oy[x] = (uint8_t)window_sum(my, ww, x, r);
	}
}

/* Column window sum of rs at row y, pixel x: 0 beyond the plane. */
static int col_sum(const uint8_t *rs, int ww, int wh, int x, int y, int r)
{
	int s = 0;

	for (int k = y - r; k <= y + r; k++)
		s += k >= 0 && k < wh ? rs[(long)k * ww + x] : 0;
	return s;
}

/* o = the column window sums (radius r) of rs: with row_sums() before,
 * the (2r+1) x (2r+1) neighbourhood count. */
MD_SIMD static void col_sums(const uint8_t *restrict rs, uint8_t *restrict o, int ww,
		     int wh, int r)
{
	long lo = (long)r * ww, hi = (long)(wh - r) * ww;

	if (r == 1) {
		for (long i = lo; i < hi; i++)
			o[i] = (uint8_t)(rs[i - ww] + rs[i] + rs[i + ww]);
	} else {
		for (long i = lo; i < hi; i++)
			o[i] = (uint8_t)(rs[i - 2 * ww] + rs[i - ww] + rs[i] +
					 rs[i + ww] + rs[i + 2 * ww]);
	}
	for (int y = 0; y < wh; y++) {
		if (y >= r && y < wh - r)
			continue;
		for (int x = 0; x < ww; x++)
			o[(long)y * ww + x] = (uint8_t)col_sum(rs, ww, wh, x, y, r);
	}
}

/* o = sum over the (2r+1) x (2r+1) neighbourhood of m (0/1 values), 0
 * outside the frame. Separable: rows into d->rows, then columns. */
static void box_sum(struct md_detector *d, const uint8_t *m, uint8_t *o, int r)
{
	row_sums(m, d->rows, d->ww, d->wh, r);
	col_sums(d->rows, o, d->ww, d->wh, r);
}

/* raw = valid & |diff| > T + k * grad over the whole plane. */
MD_SIMD static void threshold_plane(long n, const float *restrict diff,
			    const float *restrict grad,
			    const uint8_t *restrict valid, uint8_t *restrict raw,
			    float T, float k, int all_valid)
{
	if (all_valid) {
		for (long i = 0; i < n; i++)
			raw[i] = fabsf(diff[i]) > T + k * grad[i];
		return;
	}
	for (long i = 0; i < n; i++)
		raw[i] = (valid[i] != 0) & (fabsf(diff[i]) > T + k * grad[i]);
}

/* count[i] = raw[i] & (count[i] >= least): 0/1 */
MD_SIMD static void keep_where(long n, const uint8_t *restrict raw,
		       uint8_t *restrict count, uint8_t least)
{
	for (long i = 0; i < n; i++)
		count[i] = raw[i] & (count[i] >= least);
}

/* Threshold |diff| inside rect into out (0/1), then despeckle. Outside the
 * rect the raw mask is 0, so whole-frame neighbour counts are the counts
 * inside the rect. */
static void change_mask(struct md_detector *d, double T, int x0, int y0,
			int x1, int y1, uint8_t *out)
{
	size_t n = (size_t)d->ww * d->wh;
	uint8_t *restrict raw = d->chg, *restrict er = d->chg2;
	float Tf = (float)T, k = (float)d->edge_k;

	if (x0 == 0 && y0 == 0 && x1 == d->ww && y1 == d->wh) {
		threshold_plane((long)n, d->diff, d->grad, d->valid, raw, Tf, k,
				d->nvalid == (long)n);
	} else {
		memset(raw, 0, n);
		for (int y = y0; y < y1; y++) {
			const float *restrict df = d->diff + y * d->ww, *restrict gr = d->grad + y * d->ww;
			const uint8_t *restrict v = d->valid + y * d->ww;
			uint8_t *restrict r = raw + y * d->ww;

			for (int x = x0; x < x1; x++)
				r[x] = (v[x] != 0) & (fabsf(df[x]) > Tf + k * gr[x]);
		}
	}
	if (!d->p.despeckle) {
		memcpy(out, raw, n);
		return;
	}
	/* erode: keep a set pixel with >= 6 of its 3x3 neighbourhood set */
	box_sum(d, raw, er, 1);
	keep_where((long)n, raw, er, 6);
	/* dilate back, but only onto pixels of the raw mask */
	box_sum(d, er, out, 1);
	keep_where((long)n, raw, out, 1);
}

/* Relabel the 8-connected component of value `from` around pixel `start`,
 * inside the rect x0..x1, y0..y1, as `to` (!= from). Returns its pixel
 * count; its bounding box goes to bb (x0, y0, x1, y1) if bb is not NULL. */
static long flood(struct md_detector *d, uint8_t *m, int start, uint8_t from,
		  uint8_t to, int x0, int y0, int x1, int y1, int bb[4])
{
	int ww = d->ww, sp = 0;
	long cnt = 0;

	if (bb) {
		bb[0] = bb[2] = start % ww;
		bb[1] = bb[3] = start / ww;
	}
	m[start] = to;
	d->stack[sp++] = start;
	while (sp) {
		int j = d->stack[--sp], jx = j % ww, jy = j / ww;

		cnt++;
		if (bb) {
			if (jx < bb[0]) bb[0] = jx;
			if (jx > bb[2]) bb[2] = jx;
			if (jy < bb[1]) bb[1] = jy;
			if (jy > bb[3]) bb[3] = jy;
		}
		for (int yy = jy - 1; yy <= jy + 1; yy++)
			for (int xx = jx - 1; xx <= jx + 1; xx++) {
				int k;

				if (yy < y0 || yy >= y1 || xx < x0 || xx >= x1)
					continue;
				k = yy * ww + xx;
				if (m[k] == from) {
					m[k] = to;
					d->stack[sp++] = k;
				}
			}
	}
	return cnt;
}

/* Connected components (8-neighbour) of m inside rect; components smaller
 * than min_px are cleared. Returns the kept pixel count, bbox in *b. */
static long components(struct md_detector *d, uint8_t *m, int x0, int y0,
		       int x1, int y1, long min_px, int b[4], long *largest)
{
	int ww = d->ww;
	long kept = 0;

	*largest = 0;

	b[0] = b[1] = 1 << 30;
	b[2] = b[3] = -1;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x, bb[4];
			long cnt;
			const uint8_t *next;

			if (m[i] != 1) {
				/* most of a row is still: jump to its next 1 */
				next = memchr(m + i, 1, (size_t)(x1 - x));
				if (!next)
					break;
				x += (int)(next - (m + i));
				i = y * ww + x;
			}
			/* mark the component 2 (seen) ... */
			cnt = flood(d, m, i, 1, 2, x0, y0, x1, y1, bb);
			if (cnt < min_px) {
				/* ... or clear it when it is too small */
				flood(d, m, i, 2, 0, x0, y0, x1, y1, NULL);
				continue;
			}
			kept += cnt;
			if (cnt > *largest)
				*largest = cnt;
			if (bb[0] < b[0]) b[0] = bb[0];
			if (bb[1] < b[1]) b[1] = bb[1];
			if (bb[2] > b[2]) b[2] = bb[2];
			if (bb[3] > b[3]) b[3] = bb[3];
		}
	return kept;
}

static void to_src_box(const struct md_detector *d, int bx0, int by0, int bx1,
		       int by1, struct md_box *o)
{
	if (bx0 > bx1) {
		o->x = o->y = o->w = o->h = 0;
		return;
	}
	o->x = bx0 * d->f;
	o->y = by0 * d->f;
	o->w = (bx1 - bx0 + 1) * d->f;
	o->h = (by1 - by0 + 1) * d->f;
	if (o->x + o->w > d->sw)
		o->w = d->sw - o->x;
	if (o->y + o->h > d->sh)
		o->h = d->sh - o->y;
}

static void emit(struct md_detector *d, struct zone *z, int ended, double end_t)
{
	struct md_event ev = {
		.zone = z->cfg.name, .id = z->id, .ended = ended,
		.start_t = z->streak_t, .end_t = ended ? end_t : z->streak_t,
		.peak_area = z->peak, .frames = z->frames,
		.peak_frame = z->peak_frame,
	};

	to_src_box(d, z->bx0, z->by0, z->bx1, z->by1, &ev.bbox);
	if (d->cb)
		d->cb(d->ctx, &ev);
}

static void zone_reset(struct zone *z)
{
	z->consec = 0;
	z->active = 0;
	z->peak = 0;
	z->frames = 0;
	z->bx0 = 1;
	z->bx1 = 0;
}

static void zone_step(struct md_detector *d, struct zone *z, double t,
		      double area, const int b[4], int *peak)
{
	int motion = area >= z->min_area;

	if (motion) {
		if (z->consec == 0 && !z->active) {
			z->streak_t = t;
			z->peak = 0;
			z->frames = 0;
			z->bx0 = 1;
			z->bx1 = 0;
		}
		z->consec++;
		z->frames++;
		z->last_motion_t = t;
		if (area > z->peak) {
			z->peak = area;
			z->peak_frame = d->frame_no;
			*peak = 1;
		}
		if (b[2] >= 0) {
			if (z->bx0 > z->bx1) {
				z->bx0 = b[0];
				z->by0 = b[1];
				z->bx1 = b[2];
				z->by1 = b[3];
			} else {
				if (b[0] < z->bx0) z->bx0 = b[0];
				if (b[1] < z->by0) z->by0 = b[1];
				if (b[2] > z->bx1) z->bx1 = b[2];
				if (b[3] > z->by1) z->by1 = b[3];
			}
		}
		if (!z->active && z->consec >= d->p.min_frames) {
			z->active = 1;
			z->id = d->next_id++;
			emit(d, z, 0, t);
		}
		return;
	}
	z->consec = 0;
	if (z->active) {
		if (t - z->last_motion_t >= d->p.event_gap) {
			emit(d, z, 1, z->last_motion_t);
			zone_reset(z);
		}
	} else {
		zone_reset(z);
	}
}

void md_flush(struct md_detector *d)
{
	for (int i = 0; i < d->nz; i++) {
		struct zone *z = &d->zones[i];

		if (z->active)
			emit(d, z, 1, z->last_motion_t);
		zone_reset(z);
	}
}

/* The bits of a float, as an integer. */
static uint32_t float_bits(float v)
{
	uint32_t u;

	memcpy(&u, &v, sizeof(u));
	return u;
}

static float bits_float(uint32_t u)
{
	float v;

	memcpy(&v, &u, sizeof(v));
	return v;
}

/* Range of the valid pixels of the frame: lo, hi (255, 0 if none). The
 * working plane holds averages of bytes, never negative (nor -0): such
 * IEEE floats order like their bits read as integers, and an integer
 * minimum and maximum vectorise where a float one (with its NaN rules)
 * does not. An invalid pixel takes a value that changes neither, picked
 * with a mask (m: all ones for a valid pixel) rather than a branch. */
MD_SIMD static void value_range(const struct md_detector *d, float *lo, float *hi)
{
	long N = (long)d->ww * d->wh;
	const uint8_t *restrict valid = d->valid;
	const float *restrict cur = d->cur;
	int32_t l0 = (int32_t)float_bits(255.0f), l = l0, h = 0;

	/* signed: the sign bit is clear, and SSE2 compares signed integers */
	if (d->nvalid == N) {
		for (long i = 0; i < N; i++) {
			int32_t u = (int32_t)float_bits(cur[i]);

			l = u < l ? u : l;
			h = u > h ? u : h;
		}
	} else {
		for (long i = 0; i < N; i++) {
			int32_t u = (int32_t)float_bits(cur[i]), m = -(int32_t)(valid[i] != 0);
			int32_t ul = (u & m) | (l0 & ~m), uh = u & m;

			l = ul < l ? ul : l;
			h = uh > h ? uh : h;
		}
	}
	*lo = bits_float((uint32_t)l);
	*hi = bits_float((uint32_t)h);
}

/* Is the whole-frame change mask d->whole a light change: at least
 * light_change_area % of the valid pixels, and spread over 12 or more
 * cells of a 4x4 grid (5 % of a cell's valid pixels set)? *changed: the
 * set pixels. Cell c spans the columns x with x * 4 / ww == c, that is
 * from ceil(c * ww / 4), and the rows likewise. */
MD_SIMD static int light_change(const struct md_detector *d, long *changed)
{
	int ww = d->ww, wh = d->wh, cells[16] = { 0 }, spread = 0;
	int xs[5], ys[5];
	uint16_t *restrict col = d->colsum;  /* downscale's, free by now */

	for (int c = 0; c <= 4; c++) {
		xs[c] = (c * ww + 3) / 4;
		ys[c] = (c * wh + 3) / 4;
	}
	*changed = 0;
	/* per band of cells: column sums down the band (whole rows, which
	 * vectorise), then across each cell's columns */
	for (int cy = 0; cy < 4; cy++) {
		memset(col, 0, (size_t)ww * sizeof(*col));
		for (int y = ys[cy]; y < ys[cy + 1]; y++) {
			const uint8_t *restrict m = d->whole + (long)y * ww;

			for (int x = 0; x < ww; x++)
				col[x] += m[x];
		}
		for (int cx = 0; cx < 4; cx++) {
			int nm = 0;

			for (int x = xs[cx]; x < xs[cx + 1]; x++)
				nm += col[x];
			cells[cy * 4 + cx] = nm;
			*changed += nm;
		}
	}
	for (int c = 0; c < 16; c++)
		spread += d->cellsz[c] && cells[c] * 20 >= d->cellsz[c];
	return d->nvalid && *changed * 100.0 >= d->p.light_change_area * d->nvalid &&
	       spread >= 12;
}

/* moving = m dilated by a 5x5 square. */
MD_SIMD static void dilate5x5(struct md_detector *d, const uint8_t *m, uint8_t *moving)
{
	long N = (long)d->ww * d->wh;

	box_sum(d, m, moving, 2);
	for (long i = 0; i < N; i++)
		moving[i] = moving[i] != 0;
}

/* What learn_pixels() needs besides the arrays. */
struct learn_args {
	float still_T;           /* unchanging: |frame - previous| < this */
	float step, still_limit; /* seconds this frame, still_time */
	float g, o, lo, hi;      /* light fit and the frame's range */
	float lo1, hi1;          /* saturated at or beyond these */
	float alpha, T;          /* learning rate, threshold */
	int long_event;
};

/*
 * 7. Learn the background, in one pass per pixel:
 *
 * A change that stops changing is no longer motion: a car that parked, or
 * the spot an object left when it had been there while the background was
 * learnt (a "ghost": without this it would count as motion until
 * max_event). A pixel that differs from the background but not from the
 * previous frame for still_time seconds becomes background at once.
 *
 * Then background += alpha * (frame - background) outside motion; under
 * motion (unless the event is long) toward the background's predicted
 * value g * bg + o instead, which keeps the hidden background in step
 * with the global light. A pixel learnt at the frame's limits is marked
 * saturated (1 high, 2 low) until it is learnt again near its value.
 *
 * Every pixel takes both paths and picks one: no branch, the loops
 * vectorise. The still time is multiplied by 0 or 1 rather than selected
 * (GCC does not turn a select between computed floats into a blend: the
 * arithmetic might trap). The arrays are parameters: GCC knows restrict
 * pointers apart only as parameters, and this many arrays are too many
 * to check for overlap at run time.
 */

/* The background update of one pixel (frame c, background b, saturation
 * mark sv, held under motion or not) into *bg and *sat. The arguments by
 * value: a load in a select (the clamp) keeps GCC from vectorising. */
static inline void learn_pixel(float c, float b, uint8_t sv, int hold,
			       const struct learn_args a, float *bg,
			       uint8_t *sat)
{
	float p = a.g * b + a.o, nb;
	uint8_t ns;

	p = p < a.lo ? a.lo : (p > a.hi ? a.hi : p);
	nb = b + a.alpha * ((hold ? p : c) - b);
	*bg = nb;
	/* in reverse order of precedence */
	ns = fabsf(c - nb) < a.T ? 0 : sv;
	ns = c <= a.lo1 ? 2 : ns;
	ns = c >= a.hi1 ? 1 : ns;
	*sat = hold ? sv : ns;
}

/* Both steps. Returns LEARN_ABSORBED if a pixel was absorbed, LEARN_STILL
 * if one is left counting its still time. */
#define LEARN_ABSORBED 1
#define LEARN_STILL 2

MD_SIMD static int learn_pixels(long n, const float *restrict cur,
				const float *restrict prev, float *restrict still,
				float *restrict bg, uint8_t *restrict sat,
				const uint8_t *restrict whole,
				const uint8_t *restrict moving,
				const struct learn_args *restrict a)
{
	const struct learn_args k = *a;
	const float still_T = k.still_T, step = k.step, limit = k.still_limit;
	const int long_event = k.long_event;
	int absorbed = 0, counting = 0; /* int: 64-bit would halve the lanes */

	for (long i = 0; i < n; i++) {
		float c = cur[i], b = bg[i], st;
		int unchanging = (whole[i] != 0) & (fabsf(c - prev[i]) < still_T);
		int absorb, hold = (moving[i] != 0) & !long_event;

		st = (still[i] + step) * (float)unchanging;
		absorb = st >= limit;
		still[i] = absorb ? 0.0f : st;
		absorbed |= absorb;
		counting |= (st > 0.0f) & !absorb;
		learn_pixel(c, absorb ? c : b, sat[i] & (uint8_t)(absorb - 1),
			    hold, k, &bg[i], &sat[i]);
	}
	return (absorbed ? LEARN_ABSORBED : 0) | (counting ? LEARN_STILL : 0);
}

/* The background update alone: for a frame whose change mask is empty,
 * where no pixel can be still-changed (about half the work). */
MD_SIMD static void learn_quiet(long n, const float *restrict cur,
				float *restrict bg, uint8_t *restrict sat,
				const uint8_t *restrict moving,
				const struct learn_args *restrict a)
{
	const struct learn_args k = *a;

	for (long i = 0; i < n; i++)
		learn_pixel(cur[i], bg[i], sat[i],
			    (moving[i] != 0) & !k.long_event, k, &bg[i], &sat[i]);
}

/* The float that compares with a float as v (a double) does with >=. */
static float float_at_least(double v)
{
	float f = (float)v;

	return (double)f < v ? nextafterf(f, INFINITY) : f;
}

/* changed: pixels set in the whole-frame change mask. */
static void learn_background(struct md_detector *d, double g, double o,
			     float lo, float hi, double T, double dt,
			     int long_event, long changed)
{
	long N = (long)d->ww * d->wh;
	int r;
	struct learn_args a = {
		.still_T = float_at_least(T),
		.step = (float)dt,
		.still_limit = float_at_least(d->p.still_time),
		.g = (float)g, .o = (float)o, .lo = lo, .hi = hi,
		.lo1 = lo < 64 ? lo + 1.0f : -INFINITY,
		.hi1 = hi > 128 ? hi - 1.0f : INFINITY,
		.alpha = (float)(1.0 - exp(-dt / d->p.background_time)),
		.T = (float)T,
		.long_event = long_event,
	};

	if (!changed) {
		/* nothing differs from the background: no still time counts */
		if (d->still_counting)
			memset(d->still, 0, (size_t)N * sizeof(*d->still));
		d->still_counting = 0;
		learn_quiet(N, d->cur, d->bg, d->sat, d->moving, &a);
		return;
	}
	r = learn_pixels(N, d->cur, d->prev, d->still, d->bg, d->sat, d->whole,
			 d->moving, &a);
	if (r & LEARN_ABSORBED)
		d->edges_stale = 1;
	d->still_counting = (r & LEARN_STILL) != 0;
}

/*
 * The light rarely changes much from one frame to the next: the robust fit
 * around the last frame's gain and offset, outliers being what lies more
 * than 3 noise sigmas (plus 2 levels) off, is most often the answer the
 * two-pass fit would give, at a third of its cost. It is taken when at
 * least 90 % of the pixels the fit may use lie within that band; a light
 * that moved further (a switch, an iris), or a frame with much new motion,
 * gets the full fit. Returns 1 with *g, *o set if taken.
 */
static int warm_fit(struct md_detector *d, float lo, float hi, double *g,
		    double *o)
{
	long picked, n;

	if (!d->have_noise)
		return 0;
	n = fit(d, d->g, d->o, 3.0 * d->noise + 2.0, lo, hi, g, o, &picked);
	return n >= 16 && n * 10 >= picked * 9;
}

void md_frame(struct md_detector *d, const uint8_t *y, int stride, double t,
	      struct md_frame_info *info)
{
	long N = (long)d->ww * d->wh;
	double g = 1, o = 0, sig, T, dt;
	float lo, hi;
	long changed;
	int b[4], light = 0, any_motion = 0, peak = 0, long_event = 0;
	struct md_frame_info tmp;

	if (!info)
		info = &tmp;
	memset(info, 0, sizeof(*info));
	info->gain = 1;
	/* keep the last frame: still changes are told apart by it */
	{
		float *last = d->cur;

		d->cur = d->prev;
		d->prev = last;
	}
	downscale(d, y, stride);
	d->frame_no++;
	if (!d->have_bg) {
		memcpy(d->bg, d->cur, N * sizeof(float));
		d->g = 1;
		d->o = 0;
		d->edges_stale = 1;
		d->have_bg = 1;
		d->prev_t = d->t0 = t;
		return;
	}
	dt = t - d->prev_t;
	d->prev_t = t;
	if (!(dt > 0.001))
		dt = 0.001;
	if (dt > 1.0)
		dt = 1.0;

	/* 2. light compensation. The prediction is clamped to the frame's
	 * range: a brighter scene saturates, and saturated pixels are no
	 * motion. */
	value_range(d, &lo, &hi);
	if (!warm_fit(d, lo, hi, &g, &o)) {
		/* fit, then refit without outliers */
		long picked;

		fit(d, 1, 0, 0, lo, hi, &g, &o, &picked);
		predict_diff(d, g, o, lo, hi);
		sig = mad_sigma(d);
		fit(d, g, o, 3.0 * sig + 2.0, lo, hi, &g, &o, &picked);
	}
	d->g = g;
	d->o = o;
	predict_diff(d, g, o, lo, hi);

	/* edges: a sub-pixel shift (codec, vibration, focus) changes pixels
	 * in proportion to the local gradient, so the threshold grows there */
	edges(d);
	d->edge_k = g * d->p.edge_factor;

	/* 3. noise and threshold */
	sig = mad_sigma(d);
	if (t - d->t0 < WARMUP_S || d->frame_no <= WARMUP_FRAMES) {
		/* warm-up: the first frames of a device may be anything (black,
		 * a previous pattern, exposure settling): learn fast, no events */
		d->noise = d->have_noise ? d->noise + (sig - d->noise) * 0.3 : sig;
		d->have_noise = 1;
		for (long i = 0; i < N; i++)
			d->bg[i] += 0.5f * (d->cur[i] - d->bg[i]);
		d->edges_stale = 1;
		info->noise = d->noise;
		info->gain = g;
		info->offset = o;
		return;
	}
	/* one odd frame must not blind the detector for seconds */
	if (sig > 2.0 * d->noise + 1.0)
		sig = 2.0 * d->noise + 1.0;
	T = d->p.threshold_sigma * d->noise;
	if (T < d->p.threshold_min)
		T = d->p.threshold_min;

	/* 4./5. whole-frame mask: light change? */
	change_mask(d, T, 0, 0, d->ww, d->wh, d->whole);
	light = light_change(d, &changed);
	info->noise = d->noise;
	info->threshold = T;
	info->gain = g;
	info->offset = o;
	info->area = d->nvalid ? changed * 100.0 / d->nvalid : 0;
	info->light_change = light;
	if (light) {
		/* re-learn the scene; neither motion nor quiet */
		memcpy(d->bg, d->cur, N * sizeof(float));
		d->g = 1;
		d->o = 0;
		d->edges_stale = 1;
		memset(d->moving, 0, (size_t)N);
		memset(d->sat, 0, (size_t)N);
		memset(d->still, 0, N * sizeof(float));
		d->still_counting = 0;
		return;
	}
	/* 6. zones, with the noise estimate T was made from: a zone that
	 * covers the frame at the camera's sensitivity has the whole-frame
	 * mask for its own */
	for (int zi = 0; zi < d->nz; zi++) {
		struct zone *z = &d->zones[zi];
		double zT = z->sigma * d->noise, area;
		long kept, min_px, largest;

		if (zT < d->p.threshold_min)
			zT = d->p.threshold_min;
		if (zT == T && z->x0 == 0 && z->y0 == 0 && z->x1 == d->ww &&
		    z->y1 == d->wh)
			memcpy(d->fin, d->whole, (size_t)N);
		else
			change_mask(d, zT, z->x0, z->y0, z->x1, z->y1, d->fin);
		min_px = (long)(z->area * z->min_area / 400.0);
		if (min_px < 3)
			min_px = 3;
		kept = components(d, d->fin, z->x0, z->y0, z->x1, z->y1, min_px, b,
				  &largest);
		(void)kept;
		/* the largest connected change counts: scattered specks
		 * (noise, codec blocks) in different places do not add up */
		area = z->area ? largest * 100.0 / z->area : 0;
		if (area >= z->min_area)
			any_motion = 1;
		zone_step(d, z, t, area, b, &peak);
		if (z->active && t - z->streak_t > d->p.max_event)
			long_event = 1;
	}
	info->motion = any_motion;
	info->peak = peak;
	/* noise estimate: smoothed, not from light-change frames */
	d->noise += (sig - d->noise) * (sig > d->noise ? 0.05 : 0.1);

	/* 7. background update outside (dilated) whole-frame motion; the
	 * mask of step 4 still holds: diff and threshold are unchanged. A
	 * still change absorbed this frame is still motion's neighbourhood
	 * until the next frame's mask. */
	dilate5x5(d, d->whole, d->moving);
	learn_background(d, g, o, lo, hi, T, dt, long_event, changed);
}
