// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, steps 2 and 3: the light fit (frame = gain *
 * background + offset), the difference against the fitted background,
 * the frame's value range and the noise estimate (MAD).
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

#include <math.h>
#include <string.h>

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

void md_predict_diff(struct md_detector *d, double g, double o, float lo,
			 float hi)
{
	predict_pixels((long)d->ww * d->wh, d->bg, d->cur, d->sat, d->diff,
		       (float)g, (float)o, lo, hi);
}

/* Pixels saturated now or when learnt say nothing about the gain; but in a
 * scene that is mostly at its limits (a synthetic pattern) use them all.
 * Returns the pixel count of the fit; *picked as fit_px(). */
long md_fit(struct md_detector *d, double g0, double o0, double lim,
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
double md_mad_sigma(struct md_detector *d)
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
MD_SIMD void md_value_range(const struct md_detector *d, float *lo, float *hi)
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
