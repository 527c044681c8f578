// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, step 5b: local light. A soft shadow drifting
 * over a lawn, a headlight's glow sweeping a wall: the light changes in
 * one part of the frame, so the frame-wide fit of step 2 cannot remove it,
 * but the surface is the same, and so is its texture. An object is not:
 * it hides the background's texture behind its own.
 *
 * So each block of the working plane with changed pixels is tested: over
 * the block, is the frame the background's texture under other light,
 * frame ~ (a + ax x + ay y) * background + c + cx x + cy y (a gain that
 * falls off across the block, the edge of a shadow or a glow, and an
 * offset that may too), with
 *  - a textured background (what a plane through it leaves, above the
 *    noise: a plain one tells light from a plain object no better than
 *    the difference does),
 *  - a gain in 1/8..8 all over the block (positive everywhere: the same
 *    pattern, not its negative, nor a ramp down to no pattern at all),
 *  - most of the frame's variance explained (R^2), and
 *  - every changed pixel of the block explained to within the threshold
 *    (an object covering a corner of the block leaves pixels the fit
 *    cannot explain, however well the rest fits)?
 * A small glow's falloff curves within a block: a gain that is a plane
 * then leaves pixels unexplained, or reaches past 1/8..8 at a corner to
 * follow the curve. Such a block is fitted once more with a gain that is
 * a quadratic across it (and the offset a plane), under the same tests,
 * the gain checked at the corners, the edges' middles and the centre.
 * Then its changes are light: cleared from the masks and the difference,
 * and the block's background is learnt fast, so that a shadow that moves
 * on is compared with about the light of the frames just before. Blocks
 * whose difference drifts off zero below the threshold are tested too.
 *
 * A plain block (no texture to test) whose change is smooth, a plane to
 * within half the threshold, is light over a plain surface or the inside
 * of a plain object: cleared, but not learnt, and only where no block
 * around it holds a change that nothing explains (an object's edge).
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

#include <math.h>
#include <string.h>

#define TEX_MIN_PIXELS 24       /* valid pixels for a fit */
#define TEX_SPREAD_NOISE 0.1   /* background spread >= this * noise + ... */
#define TEX_SPREAD_MIN 0.6      /* ... this many levels */
#define TEX_R2_MIN 0.75
#define TEX_GAIN_MAX 8.0
#define TEX_LEARN 0.5f          /* of the way to the frame, per frame */

#define NP 6                    /* parameters of the light model */
#define NQ 9                    /* ... of the curved one */

/* Solves the np x np system m x = v (np <= NQ) in place (Gaussian
 * elimination with partial pivoting). 0, or -1 when it is (nearly)
 * singular. */
static int solve(int np, double m[NQ][NQ], double v[NQ], double x[NQ])
{
	for (int c = 0; c < np; c++) {
		int p = c;
		double t;

		for (int r = c + 1; r < np; r++)
			if (fabs(m[r][c]) > fabs(m[p][c]))
				p = r;
		if (fabs(m[p][c]) < 1e-9)
			return -1;
		for (int k = 0; k < np; k++) {
			t = m[c][k];
			m[c][k] = m[p][k];
			m[p][k] = t;
		}
		t = v[c];
		v[c] = v[p];
		v[p] = t;
		for (int r = c + 1; r < np; r++) {
			double f = m[r][c] / m[c][c];

			for (int k = c; k < np; k++)
				m[r][k] -= f * m[c][k];
			v[r] -= f * v[c];
		}
	}
	for (int r = np - 1; r >= 0; r--) {
		double s = v[r];

		for (int k = r + 1; k < np; k++)
			s -= m[r][k] * x[k];
		x[r] = s / m[r][r];
	}
	return 0;
}

/* The background's texture that tells light from an object. */
static double textured(const struct md_detector *d)
{
	return TEX_SPREAD_NOISE * d->noise + TEX_SPREAD_MIN;
}

/* Widest block: the last of a row takes the frame's edge (block_end()). */
#define TEX_WIDE (2 * TEX_BLOCK - 1)

/* Down each of the w columns of v from row y0 to y1 (ww wide): the sum
 * of the values, of their squares and of the values times (y - cy).
 * Elementwise across a row, so it vectorises. */
MD_SIMD static void texture_columns(const float *restrict v, int ww, int w,
				    int y0, int y1, double cy,
				    double *restrict s, double *restrict ss,
				    double *restrict sy)
{
	for (int x = 0; x < w; x++)
		s[x] = ss[x] = sy[x] = 0;
	for (int y = y0; y < y1; y++) {
		const float *r = v + (long)y * ww;
		double dy = y - cy;

		for (int x = 0; x < w; x++) {
			double e = r[x];

			s[x] += e;
			ss[x] += e * e;
			sy[x] += e * dy;
		}
	}
}

/* texture() of a block whose pixels are all valid, from its column sums:
 * over a whole rectangle centred coordinates are orthogonal (sums of x,
 * y and x y are 0), so the plane's three terms are fitted one by one. */
static double texture_whole(const float *v, int ww, int x0, int y0, int x1,
			    int y1)
{
	double cs[TEX_WIDE], css[TEX_WIDE], csy[TEX_WIDE];
	double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0;
	double s = 0, ss = 0, sx = 0, sy = 0, xx = 0, yy = 0, rest;
	double n = (double)(x1 - x0) * (y1 - y0);

	texture_columns(v + x0, ww, x1 - x0, y0, y1, cy, cs, css, csy);
	for (int x = x0; x < x1; x++) {
		double dx = x - cx;

		s += cs[x - x0];
		ss += css[x - x0];
		sx += cs[x - x0] * dx;
		sy += csy[x - x0];
		xx += dx * dx;
	}
	for (int y = y0; y < y1; y++)
		yy += (y - cy) * (y - cy);
	xx *= y1 - y0;
	yy *= x1 - x0;
	rest = ss - s * s / n - (xx > 0 ? sx * sx / xx : 0) - (yy > 0 ? sy * sy / yy : 0);
	return sqrt(fmax(rest, 0) / n);
}

/* The texture of v over the block's valid pixels: the RMS of what the
 * least-squares plane through it (a smooth light or shading) leaves; -1
 * if it cannot be fitted. With mask, the largest residual at a pixel of
 * mask goes to *worst. */
static double texture(const struct md_detector *d, const float *v,
		      const uint8_t *mask, int x0, int y0, int x1, int y1,
		      double *worst)
{
	double m[NQ][NQ] = { { 0 } }, r[NQ] = { 0 }, p[NQ], ss = 0, n = 0;
	double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0;
	int ww = d->ww;

	if (!mask && d->nvalid == (long)d->ww * d->wh)
		return texture_whole(v, ww, x0, y0, x1, y1);

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x;
			double z[3] = { 1, x - cx, y - cy };

			if (!d->valid[i])
				continue;
			for (int a = 0; a < 3; a++) {
				for (int b = 0; b < 3; b++)
					m[a][b] += z[a] * z[b];
				r[a] += z[a] * v[i];
			}
			n++;
		}
	if (n < TEX_MIN_PIXELS || solve(3, m, r, p))
		return -1;
	if (mask)
		*worst = 0;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x;
			double e = v[i] - (p[0] + p[1] * (x - cx) + p[2] * (y - cy));

			if (!d->valid[i])
				continue;
			ss += e * e;
			if (mask && mask[i] && fabs(e) > *worst)
				*worst = fabs(e);
		}
	return sqrt(ss / n);
}

/* The model's terms at a pixel: the background under a gain and an
 * offset (b, 1), both varying across the block (b x, b y, x, y): light
 * that falls off. x, y from the block's centre, in blocks. */
static void terms(double b, double x, double y, double z[NP])
{
	z[0] = b;
	z[1] = 1;
	z[2] = x;
	z[3] = y;
	z[4] = b * x;
	z[5] = b * y;
}

/* What model_explains() found. */
enum fit { FIT_NOT_LIGHT, FIT_LIGHT, FIT_CURVES };

/* A model's terms at a pixel: terms() or terms_curved(). */
typedef void (*model_terms)(double b, double x, double y, double *z);

/* What fit_check() found. */
enum fit_check { FIT_OK, FIT_POOR, FIT_PIXEL_LEFT };

/*
 * The n-term fit k of a block, from its sums v: FIT_POOR if it explains
 * too little of the change (R^2; a least-squares fit's residual is
 * orthogonal to its terms, so the sums give it), FIT_PIXEL_LEFT if a
 * changed block has a pixel the fit misses by more than T. Inline, so
 * that each caller's terms are inlined into the pixel loop.
 */
static inline enum fit_check fit_check(const struct md_detector *d, int x0, int y0,
				       int x1, int y1, double T, model_terms terms_at,
				       int n, const double *k, const double *v,
				       double scc, double ss_tot, int any_changed)
{
	double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0, ss_res = scc;
	double z[NQ];
	int ww = d->ww;

	for (int q = 0; q < n; q++)
		ss_res -= k[q] * v[q];
	if (1 - ss_res / ss_tot < TEX_R2_MIN)
		return FIT_POOR;
	for (int y = y0; y < y1 && any_changed; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x;
			double res = d->cur[i];

			if (!d->valid[i] || !d->whole[i])
				continue;
			terms_at(d->bg[i], (x - cx) / TEX_BLOCK, (y - cy) / TEX_BLOCK, z);
			for (int q = 0; q < n; q++)
				res -= k[q] * z[q];
			if (fabs(res) > T)
				return FIT_PIXEL_LEFT;
		}
	return FIT_OK;
}

/* Does the model, fitted to the sums m, v, explain the block's change
 * as light? FIT_CURVES: not with a plane for the gain, but perhaps with
 * a curved one (the gain out of range at a corner, or a changed pixel
 * left unexplained). */
static enum fit model_explains(const struct md_detector *d, int x0, int y0,
			       int x1, int y1, double T,
			       const double m[NP][NP], const double v[NP],
			       double scc, double ss_tot, int any_changed)
{
	double a[NQ][NQ], r[NQ], k[NQ] = { 0 }, lo = INFINITY, hi = 0;

	for (int q = 0; q < NP; q++) {
		memcpy(a[q], m[q], sizeof(m[q]));
		r[q] = v[q];
	}
	if (solve(NP, a, r, k))
		return FIT_NOT_LIGHT;
	/* the gain at the block's corners: light over the whole block, not
	 * a ramp down to nothing (the model's way of drawing an object's
	 * edge: texture on one side, none on the other) */
	for (int c = 0; c < 4; c++) {
		double gc = k[0] + k[4] * (c & 1 ? 0.5 : -0.5) +
			    k[5] * (c & 2 ? 0.5 : -0.5);

		lo = fmin(lo, gc);
		hi = fmax(hi, gc);
	}
	if (!(lo >= 1.0 / TEX_GAIN_MAX && hi <= TEX_GAIN_MAX))
		return FIT_CURVES;
	switch (fit_check(d, x0, y0, x1, y1, T, terms, NP, k, v, scc, ss_tot, any_changed)) {
	case FIT_POOR:
		return FIT_NOT_LIGHT;
	case FIT_PIXEL_LEFT:	/* a changed pixel the light does not explain */
		return FIT_CURVES;
	default:
		return FIT_LIGHT;
	}
}

/* The curved model's terms: a gain that is a quadratic across the block
 * (b, b x, b y, b x x, b x y, b y y), an offset that is a plane (1, x, y). */
static void terms_curved(double b, double x, double y, double z[NQ])
{
	z[0] = b;
	z[1] = b * x;
	z[2] = b * y;
	z[3] = b * x * x;
	z[4] = b * x * y;
	z[5] = b * y * y;
	z[6] = 1;
	z[7] = x;
	z[8] = y;
}

/* model_explains() with the curved model, for the few blocks the plane
 * one fails that way (a pass of its own: the sums are not shared). */
static int curved_explains(const struct md_detector *d, int x0, int y0,
			   int x1, int y1, double T, double scc,
			   double ss_tot, int any_changed)
{
	double m[NQ][NQ] = { { 0 } }, v[NQ] = { 0 }, r[NQ], k[NQ], z[NQ];
	double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0;
	int ww = d->ww;

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x;

			if (!d->valid[i])
				continue;
			terms_curved(d->bg[i], (x - cx) / TEX_BLOCK, (y - cy) / TEX_BLOCK, z);
			for (int a = 0; a < NQ; a++) {
				for (int q = a; q < NQ; q++)
					m[a][q] += z[a] * z[q];
				v[a] += z[a] * d->cur[i];
			}
		}
	for (int a = 1; a < NQ; a++)
		for (int q = 0; q < a; q++)
			m[a][q] = m[q][a];
	memcpy(r, v, sizeof(r));
	if (solve(NQ, m, r, k))
		return 0;
	/* the gain at the corners, the edges' middles and the centre */
	for (int p = 0; p < 9; p++) {
		double X = (p % 3 - 1) * 0.5, Y = (p / 3 - 1) * 0.5;
		double g = k[0] + k[1] * X + k[2] * Y + k[3] * X * X + k[4] * X * Y +
			   k[5] * Y * Y;

		if (!(g >= 1.0 / TEX_GAIN_MAX && g <= TEX_GAIN_MAX))
			return 0;
	}
	return fit_check(d, x0, y0, x1, y1, T, terms_curved, NQ, k, v, scc, ss_tot,
			 any_changed) == FIT_OK;
}

/* The light model's sums, column by column: what each column of the
 * block adds up down its rows, for the weights w (valid, b, b b: with
 * 1, y, y y; c, c b: with 1, y; c c) that its terms' products are made
 * of. Elementwise across a row, so it vectorises; the x products are
 * taken afterwards, per column (light_sums()). */
enum { CS_V, CS_VY, CS_VYY, CS_B, CS_BY, CS_BYY, CS_BB, CS_BBY, CS_BBYY,
       CS_C, CS_CY, CS_CB, CS_CBY, CS_CC, CS_N };

MD_SIMD static void column_sums(const float *restrict bg,
				const float *restrict cur,
				const uint8_t *restrict valid, int ww, int w,
				int y0, int y1, double cy,
				double col[CS_N][TEX_WIDE])
{
	double mask[TEX_WIDE];

	memset(col, 0, sizeof(double[CS_N][TEX_WIDE]));
	for (int x = 0; x < w; x++)
		mask[x] = 1;
	for (int y = y0; y < y1; y++) {
		const float *b = bg + (long)y * ww, *c = cur + (long)y * ww;
		double Y = (y - cy) / TEX_BLOCK, YY = Y * Y;

		/* the row's valid pixels as weights first: a loop that mixes
		 * bytes with doubles does not vectorise */
		for (int x = 0; valid && x < w; x++)
			mask[x] = valid[(long)y * ww + x];
		for (int x = 0; x < w; x++) {
			double m = mask[x], bm = b[x] * m, cm = c[x] * m;
			double bb = bm * b[x], cb = cm * b[x], cc = cm * c[x];

			col[CS_V][x] += m;
			col[CS_VY][x] += m * Y;
			col[CS_VYY][x] += m * YY;
			col[CS_B][x] += bm;
			col[CS_BY][x] += bm * Y;
			col[CS_BYY][x] += bm * YY;
			col[CS_BB][x] += bb;
			col[CS_BBY][x] += bb * Y;
			col[CS_BBYY][x] += bb * YY;
			col[CS_C][x] += cm;
			col[CS_CY][x] += cm * Y;
			col[CS_CB][x] += cb;
			col[CS_CBY][x] += cb * Y;
			col[CS_CC][x] += cc;
		}
	}
}

/* The light model's normal equations over the block: m (NP x NP, all of
 * it) and v for the terms of terms(), and the sums of c and c c; the
 * number of valid pixels is returned. */
static double light_sums(const struct md_detector *d, int x0, int y0,
			 int x1, int y1, double m[NP][NP], double v[NP],
			 double *sc, double *scc)
{
	double col[CS_N][TEX_WIDE];
	double cx = (x0 + x1 - 1) / 2.0, cy = (y0 + y1 - 1) / 2.0;
	/* s[w][p]: sum of w times p, p = 1, X, Y, X X, X Y, Y Y */
	double sv[6] = { 0 }, sb[6] = { 0 }, sbb[6] = { 0 }, s_c[3] = { 0 }, scb[3] = { 0 };
	int ww = d->ww, w = x1 - x0;
	const uint8_t *valid = d->nvalid == (long)ww * d->wh ? NULL : d->valid + x0;

	column_sums(d->bg + x0, d->cur + x0, valid, ww, w, y0, y1, cy, col);
	*scc = 0;
	for (int x = 0; x < w; x++) {
		double X = (x0 + x - cx) / TEX_BLOCK, XX = X * X;
		const int wt[3][3] = { { CS_V, CS_VY, CS_VYY }, { CS_B, CS_BY, CS_BYY },
				       { CS_BB, CS_BBY, CS_BBYY } };
		double *out[3] = { sv, sb, sbb };

		for (int k = 0; k < 3; k++) {
			const int *c = wt[k];

			out[k][0] += col[c[0]][x];
			out[k][1] += col[c[0]][x] * X;
			out[k][2] += col[c[1]][x];
			out[k][3] += col[c[0]][x] * XX;
			out[k][4] += col[c[1]][x] * X;
			out[k][5] += col[c[2]][x];
		}
		s_c[0] += col[CS_C][x];
		s_c[1] += col[CS_C][x] * X;
		s_c[2] += col[CS_CY][x];
		scb[0] += col[CS_CB][x];
		scb[1] += col[CS_CB][x] * X;
		scb[2] += col[CS_CBY][x];
		*scc += col[CS_CC][x];
	}
	/* terms: b, 1, X, Y, b X, b Y */
	m[0][0] = sbb[0];
	m[0][1] = sb[0];
	m[0][2] = sb[1];
	m[0][3] = sb[2];
	m[0][4] = sbb[1];
	m[0][5] = sbb[2];
	m[1][1] = sv[0];
	m[1][2] = sv[1];
	m[1][3] = sv[2];
	m[1][4] = sb[1];
	m[1][5] = sb[2];
	m[2][2] = sv[3];
	m[2][3] = sv[4];
	m[2][4] = sb[3];
	m[2][5] = sb[4];
	m[3][3] = sv[5];
	m[3][4] = sb[4];
	m[3][5] = sb[5];
	m[4][4] = sbb[3];
	m[4][5] = sbb[4];
	m[5][5] = sbb[5];
	for (int r = 1; r < NP; r++)
		for (int q = 0; q < r; q++)
			m[r][q] = m[q][r];
	v[0] = scb[0];
	v[1] = s_c[0];
	v[2] = s_c[1];
	v[3] = s_c[2];
	v[4] = scb[1];
	v[5] = scb[2];
	*sc = s_c[0];
	return sv[0];
}

/* Is the change in block x0..x1, y0..y1, whose background is textured,
 * light on the same surface? T: the frame's threshold; any_changed: the
 * block has changed pixels. */
static int block_is_light(const struct md_detector *d, int x0, int y0,
			  int x1, int y1, double T, int any_changed)
{
	double m[NP][NP], v[NP], sc, scc, n, ss_tot;

	n = light_sums(d, x0, y0, x1, y1, m, v, &sc, &scc);
	if (n < TEX_MIN_PIXELS)
		return 0;
	ss_tot = scc - sc * sc / n;
	if (ss_tot <= 0)
		return 0;
	switch (model_explains(d, x0, y0, x1, y1, T, m, v, scc, ss_tot, any_changed)) {
	case FIT_LIGHT:
		return 1;
	case FIT_CURVES:
		return curved_explains(d, x0, y0, x1, y1, T, scc, ss_tot, any_changed);
	default:
		return 0;
	}
}

/* A block without texture (the caller tells) whose change is smooth (a plane explains it
 * at every changed pixel to within half the threshold): light over a
 * plain surface, or the inside of a plain object, which its edges (no
 * plane explains a step) still show. Its changes are cleared, unless
 * next to such an edge, but not learnt fast, for the object's sake. */
static int block_is_smooth(const struct md_detector *d, int x0, int y0,
			   int x1, int y1, double T)
{
	double worst;

	if (texture(d, d->diff, d->whole, x0, y0, x1, y1, &worst) < 0)
		return 0;
	return worst <= T / 2;
}

/* Clears the block's changes; returns how many there were. */
static long clear_block(struct md_detector *d, int x0, int y0, int x1,
			int y1)
{
	long set = 0;

	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * d->ww + x;

			set += d->whole[i];
			d->whole[i] = 0;
			d->diff[i] = 0;
		}
	return set;
}

/* One row of a light block learnt: its background moved halfway to the
 * frame in the background's terms; no saturation or still-change left.
 * Branch-free, so it vectorises. */
MD_SIMD static void learn_light_row(const float *restrict cur,
				    float *restrict bg, uint8_t *restrict sat,
				    float *restrict still, int n, double g,
				    double o)
{
	for (int x = 0; x < n; x++) {
		float target = (float)((cur[x] - o) / g);

		bg[x] += TEX_LEARN * (target - bg[x]);
		sat[x] = 0;
		still[x] = 0;
	}
}

/* Clears the block's changes and moves its background halfway to the
 * frame, in the background's terms (frame = g * background + o): fast
 * enough to follow a moving shadow, without copying one frame's noise
 * into the background. A block next to the last frame's motion keeps
 * its own, as in step 7. */
static void block_to_background(struct md_detector *d, int x0, int y0,
				int x1, int y1)
{
	double g = d->g > 0.05 ? d->g : 1, o = d->o;
	size_t w = (size_t)(x1 - x0);
	int held = 0;

	/* next to the last frame's motion the background is held (an
	 * object's edge must not be learnt as light), and then the whole
	 * block's: half a block learnt would be no light's pattern */
	for (int y = y0; y < y1 && !held; y++)
		held = memchr(d->moving + y * d->ww + x0, 1, w) != NULL;
	for (int y = y0; y < y1; y++) {
		long i = (long)y * d->ww + x0;

		memset(d->whole + i, 0, w);
		memset(d->diff + i, 0, w * sizeof(*d->diff));
		if (!held)
			learn_light_row(d->cur + i, d->bg + i, d->sat + i,
					d->still + i, (int)w, g, o);
	}
}

/* Where block b of n across a side of len pixels ends: the last one
 * takes the rest, so that no sliver at the frame's edge is too small to
 * test. */
static int block_end(int b, int n, int len)
{
	return b == n - 1 ? len : (b + 1) * TEX_BLOCK;
}

/* Down each column of a band of rows rows (ww wide): the sum of diff
 * into sum, the changed pixels of mask into set. Whole rows, so the
 * loops vectorise; the blocks' sums are then a few columns' each. */
MD_SIMD static void band_sums(const float *restrict diff,
			      const uint8_t *restrict mask, int ww, int rows,
			      float *restrict sum, uint16_t *restrict set)
{
	for (int x = 0; x < ww; x++) {
		sum[x] = diff[x];
		set[x] = mask[x];
	}
	for (int r = 1; r < rows; r++) {
		diff += ww;
		mask += ww;
		for (int x = 0; x < ww; x++) {
			sum[x] += diff[x];
			set[x] += mask[x];
		}
	}
}

/* What md_local_light() found in a block. */
enum { BLOCK_QUIET, BLOCK_LIGHT, BLOCK_SMOOTH, BLOCK_CHANGED };

long md_local_light(struct md_detector *d, double T, long *changed)
{
	/* a block drifting below the threshold is tested too: light that
	 * creeps in unlearnt would raise the noise estimate and blind the
	 * detector to what else happens under it */
	double drift = d->noise > 1.0 ? d->noise : 1.0;
	long blocks = 0;
	int ww = d->ww, wh = d->wh, nbx = d->nbx, nby = d->nby;
	uint8_t *cls = d->blocks;

	for (int by = 0; by < nby; by++) {
		int y0 = by * TEX_BLOCK, y1 = block_end(by, nby, wh);

		band_sums(d->diff + (long)y0 * ww, d->whole + (long)y0 * ww, ww, y1 - y0,
			  d->tmp, d->colsum);
		for (int bx = 0; bx < nbx; bx++) {
			int x0 = bx * TEX_BLOCK, x1 = block_end(bx, nbx, ww);
			uint8_t *c = &cls[by * nbx + bx];
			long set = 0;
			double sum = 0, tex;

			for (int x = x0; x < x1; x++) {
				set += d->colsum[x];
				sum += d->tmp[x];
			}
			*c = BLOCK_QUIET;
			if (!set && fabs(sum) < drift * (x1 - x0) * (y1 - y0))
				continue;
			/* the background's texture, once for both tests: the
			 * light model needs it, the smooth test its absence */
			tex = texture(d, d->bg, NULL, x0, y0, x1, y1, NULL);
			if (tex >= textured(d) && block_is_light(d, x0, y0, x1, y1, T, set > 0)) {
				block_to_background(d, x0, y0, x1, y1);
				*changed -= set;
				blocks++;
				*c = BLOCK_LIGHT;
			} else if (set) {
				*c = tex >= 0 && tex < textured(d) &&
				     block_is_smooth(d, x0, y0, x1, y1, T) ?
				     BLOCK_SMOOTH : BLOCK_CHANGED;
			}
		}
	}
	/* A smooth change next to one nothing explains is taken for the
	 * inside of a plain object whose edge that is: it stays. */
	for (int by = 0; by < nby; by++)
		for (int bx = 0; bx < nbx; bx++) {
			int x0 = bx * TEX_BLOCK, y0 = by * TEX_BLOCK, edge = 0;

			if (cls[by * nbx + bx] != BLOCK_SMOOTH)
				continue;
			for (int ny = by - 1; ny <= by + 1; ny++)
				for (int nx = bx - 1; nx <= bx + 1; nx++)
					edge |= nx >= 0 && nx < nbx && ny >= 0 && ny < nby &&
						cls[ny * nbx + nx] == BLOCK_CHANGED;
			if (edge)
				continue;
			*changed -= clear_block(d, x0, y0, block_end(bx, nbx, ww),
						block_end(by, nby, wh));
			blocks++;
		}
	if (blocks)
		d->edges_stale = 1;
	return blocks;
}
