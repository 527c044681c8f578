// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, step 6: each zone's hysteresis and the events
 * it reports through the callback.
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

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

void md_zone_step(struct md_detector *d, struct zone *z, double t,
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
