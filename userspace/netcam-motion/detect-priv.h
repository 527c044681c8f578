/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netcam-motion detector internals: the state shared by detect.c (the
 * pipeline and the public API of detect.h) and the files that hold its
 * steps. Not for use outside the detector.
 */
#ifndef NETCAM_MOTION_DETECT_PRIV_H
#define NETCAM_MOTION_DETECT_PRIV_H

#include "detect.h"

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

/* One zone of a detector: part of struct md_detector, which it lives and
 * dies with; its event state is changed only by md_zone_step() and
 * md_flush(). */
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

/*
 * One detector per camera (or replayed clip). No locks: every md_*()
 * call on a detector comes from one thread at a time (the daemon's main
 * loop, or the replay loop), nothing here keeps a pointer to the
 * caller's frame past md_frame(), and the event callback runs inside
 * md_frame() and md_flush(), on the caller's thread. Lifetime: md_new()
 * allocates the struct and every plane (ww x wh values, or as noted) at
 * once and md_free() frees them all; no plane is reallocated in between.
 * The planes marked scratch hold nothing from one step to the next.
 */
struct md_detector {
	struct md_params p;
	int sw, sh, f, ww, wh;
	float *cur, *bg, *diff, *grad;
	float *tmp;              /* scratch (md_local_light: a row of sums) */
	float *prev;             /* the previous frame's cur */
	float *still;            /* seconds changed but unchanging, per pixel */
	uint8_t *valid;          /* working mask: 1 = analysed */
	uint8_t *chg, *chg2;     /* scratch: md_change_mask() */
	uint8_t *fin;            /* one zone's change mask */
	uint8_t *moving;         /* whole, dilated: held, not learnt */
	uint8_t *whole;          /* whole-frame change mask at threshold T */
	uint8_t *rows;           /* scratch for separable 3x3 / 5x5 passes */
	uint8_t *sat;            /* background learnt saturated: 1 high, 2 low */
	int *stack;              /* scratch: flood fill */
	uint32_t *hist;
	uint32_t (*hist4)[HIST_N + 1]; /* mad_sigma: four histograms, added up */
	uint16_t *qdiff;         /* ... of the sampled pixels' quantised |diff| */
	uint16_t *colsum;        /* downscale: one row of column sums ...
				  * (scratch, also of md_light_change() and
				  * md_local_light()) */
	uint32_t *blocksum;      /* ... and of block sums */
	uint8_t *blocks;         /* md_local_light(): nbx x nby, per frame */
	int nbx, nby;            /* blocks across and down (TEX_BLOCK, the
				  * last of a row or column larger) */
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
	long warm_from;          /* frame_no before the warm-up's first frame */
	int next_id;
	long nvalid;
	int cellsz[16];          /* valid pixels per md_light_change() cell */
	int fit_step;            /* fit_px() sums every fit_step-th row */
	int hist_step;           /* md_mad_sigma() samples every hist_step-th pixel */
};

/* md_local_light() tests blocks of TEX_BLOCK x TEX_BLOCK working pixels */
#define TEX_BLOCK 8

/* fit_px() sums every FIT_ROW_STEP-th row of a plane at least 8 times as
 * tall (all rows of a shorter one) */
#define FIT_ROW_STEP 4
/* md_mad_sigma() samples every HIST_STEP-th pixel of a plane with at least
 * HIST_STEP * HIST_SAMPLES pixels (every one of a smaller one) */
#define HIST_STEP 4
#define HIST_SAMPLES 3000

/*
 * The pipeline's steps (detect.c calls them in order, see its head
 * comment), by file.
 */

/* detect-scale.c: 1. d->cur = the luma plane box-averaged and blurred;
 * the edge map d->grad of the background, made again when due */
void md_downscale(struct md_detector *d, const uint8_t *y, int stride);
void md_edges(struct md_detector *d);

/* detect-light.c: 2. and 3. */
void md_value_range(const struct md_detector *d, float *lo, float *hi);
long md_fit(struct md_detector *d, double g0, double o0, double lim,
	    float lo, float hi, double *g, double *o, long *picked);
void md_predict_diff(struct md_detector *d, double g, double o, float lo,
		     float hi);
double md_mad_sigma(struct md_detector *d);

/* detect-mask.c: 4. and 5. */
void md_change_mask(struct md_detector *d, double T, int x0, int y0,
		    int x1, int y1, uint8_t *out);
long md_components(struct md_detector *d, uint8_t *m, int x0, int y0,
		   int x1, int y1, long min_px, int b[4], long *largest);
int md_light_change(const struct md_detector *d, long *changed);
void md_dilate5x5(struct md_detector *d, const uint8_t *m, uint8_t *moving);

/* detect-texture.c: 5b. Changes that keep the background's texture are
 * local light: cleared from d->whole and d->diff (*changed counts down)
 * and learnt into the background. Returns the blocks so judged. */
long md_local_light(struct md_detector *d, double T, long *changed);

/* detect-zone.c: 6. (md_flush() is public) */
void md_zone_step(struct md_detector *d, struct zone *z, double t,
		  double area, const int b[4], int *peak);

/* detect-learn.c: 7. */
void md_learn_background(struct md_detector *d, double g, double o,
			 float lo, float hi, double T, double dt,
			 int long_event, long changed);

#endif
