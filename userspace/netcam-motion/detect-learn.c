// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, step 7: learning the background, and still
 * changes absorbed into it.
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

#include <math.h>
#include <string.h>

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
void md_learn_background(struct md_detector *d, double g, double o,
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
