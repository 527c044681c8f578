// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector core: the pipeline and the API of detect.h. See
 * Documentation/admin-guide/netcam-motion.rst ("How detection works").
 * The steps live in files of their own, named in detect-priv.h.
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
#include "detect-priv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
	free(d->blocks);
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
	/* whole blocks; the last of a row or column takes the rest */
	d->nbx = d->ww / TEX_BLOCK > 0 ? d->ww / TEX_BLOCK : 1;
	d->nby = d->wh / TEX_BLOCK > 0 ? d->wh / TEX_BLOCK : 1;
	d->blocks = calloc((size_t)d->nbx * d->nby, 1);
	if (!d->cur || !d->prev || !d->still || !d->bg || !d->tmp || !d->diff || !d->grad || !d->valid || !d->chg ||
	    !d->chg2 || !d->fin || !d->whole || !d->rows || !d->moving || !d->sat || !d->stack || !d->hist ||
	    !d->colsum || !d->blocksum || !d->hist4 || !d->qdiff || !d->blocks) {
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

void md_relearn(struct md_detector *d)
{
	long N = (long)d->ww * d->wh;

	md_flush(d);
	d->have_bg = 0;
	d->have_noise = 0;
	d->warm_from = d->frame_no;
	memset(d->moving, 0, (size_t)N);
	memset(d->sat, 0, (size_t)N);
	memset(d->still, 0, (size_t)N * sizeof(*d->still));
	d->still_counting = 0;
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
	n = md_fit(d, d->g, d->o, 3.0 * d->noise + 2.0, lo, hi, g, o, &picked);
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
	md_downscale(d, y, stride);
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
	md_value_range(d, &lo, &hi);
	if (!warm_fit(d, lo, hi, &g, &o)) {
		/* fit, then refit without outliers */
		long picked;

		md_fit(d, 1, 0, 0, lo, hi, &g, &o, &picked);
		md_predict_diff(d, g, o, lo, hi);
		sig = md_mad_sigma(d);
		md_fit(d, g, o, 3.0 * sig + 2.0, lo, hi, &g, &o, &picked);
	}
	d->g = g;
	d->o = o;
	md_predict_diff(d, g, o, lo, hi);

	/* edges: a sub-pixel shift (codec, vibration, focus) changes pixels
	 * in proportion to the local gradient, so the threshold grows there */
	md_edges(d);
	d->edge_k = g * d->p.edge_factor;

	/* 3. noise and threshold */
	sig = md_mad_sigma(d);
	if (t - d->t0 < WARMUP_S || d->frame_no - d->warm_from <= WARMUP_FRAMES) {
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
	md_change_mask(d, T, 0, 0, d->ww, d->wh, d->whole);
	light = md_light_change(d, &changed);
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
	/* 5b. local light: a shadow, a headlight's glow */
	info->local_light = md_local_light(d, T, &changed);
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
			md_change_mask(d, zT, z->x0, z->y0, z->x1, z->y1, d->fin);
		min_px = (long)(z->area * z->min_area / 400.0);
		if (min_px < 3)
			min_px = 3;
		kept = md_components(d, d->fin, z->x0, z->y0, z->x1, z->y1, min_px, b,
				  &largest);
		(void)kept;
		/* the largest connected change counts: scattered specks
		 * (noise, codec blocks) in different places do not add up */
		area = z->area ? largest * 100.0 / z->area : 0;
		if (area >= z->min_area)
			any_motion = 1;
		md_zone_step(d, z, t, area, b, &peak);
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
	md_dilate5x5(d, d->whole, d->moving);
	md_learn_background(d, g, o, lo, hi, T, dt, long_event, changed);
}
