// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of netcam-motion: the detector on synthetic frames (no
 * I/O), the config parser, the Y4M reader and the JSON event format (small
 * temporary files). Prints one line per failed check and "N passed, N failed".
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "detect.h"
#include "events.h"
#include "y4m.h"
#include "unit.h"

/* ---- synthetic frames ---------------------------------------------- */

#define W 320
#define H 180
#define FPS 10.0

static uint32_t rng = 12345;
static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (rng & 0xffffff) / (double)0x1000000;
}
static double grand(void)
{
	double u = urand() + 1e-9, v = urand();

	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

static uint8_t scene[W * H], frame[W * H];

static void make_scene(void)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			double v = 110 + 40 * sin(x * 0.05) * cos(y * 0.07) +
				   25 * sin((x + 2 * y) * 0.013) + ((x / 40 + y / 30) % 2 ? 20 : -20);

			scene[y * W + x] = (uint8_t)(v < 20 ? 20 : v > 230 ? 230 : v);
		}
}

static uint8_t clamp8(double v)
{
	return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : lround(v));
}

/* frame = gain * scene + offset + noise, plus an optional box */
static void render(double gain, double offset, double noise, int bx, int by,
		   int bs, int bval)
{
	for (int i = 0; i < W * H; i++)
		frame[i] = clamp8(gain * scene[i] + offset + (noise > 0 ? noise * grand() : 0));
	if (bs > 0)
		for (int y = by; y < by + bs; y++)
			for (int x = bx; x < bx + bs; x++)
				if (x >= 0 && x < W && y >= 0 && y < H)
					frame[y * W + x] = (uint8_t)bval;
}

struct rec {
	int starts, ends;
	struct md_event last_end;
	char zones[8][MD_NAME_MAX];
	int nz;
};

static void rec_cb(void *ctx, const struct md_event *ev)
{
	struct rec *r = ctx;

	if (!ev->ended) {
		r->starts++;
		if (r->nz < 8)
			snprintf(r->zones[r->nz++], MD_NAME_MAX, "%s", ev->zone);
		return;
	}
	r->ends++;
	r->last_end = *ev;
}

static struct md_detector *mk(struct md_params *p, struct rec *r)
{
	struct md_params def;

	if (!p) {
		md_params_default(&def);
		p = &def;
	}
	memset(r, 0, sizeof(*r));
	return md_new(p, W, H, NULL, NULL, 0, rec_cb, r);
}

/* run n frames of a still scene (warm-up), from frame index *k */
static void still(struct md_detector *d, int n, double noise, long *k)
{
	for (int i = 0; i < n; i++, (*k)++) {
		render(1, 0, noise, 0, 0, 0, 0);
		md_frame(d, frame, W, *k / FPS, NULL);
	}
}

static void test_still_scene_no_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 200, 2.0, &k);
	md_flush(d);
	CHECK(r.starts == 0 && r.ends == 0, "%d events on a still noisy scene", r.starts);
	md_free(d);
}

static void test_moving_box_one_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 2.0, &k);
	/* 32x32 dark box moving 5 px/frame from x=20 for 40 frames */
	for (int i = 0; i < 40; i++, k++) {
		render(1, 0, 2.0, 20 + 5 * i, 70, 32, 10);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	still(d, 60, 2.0, &k);
	md_flush(d);
	CHECK(r.starts == 1 && r.ends == 1, "starts %d ends %d", r.starts, r.ends);
	CHECK(fabs(r.last_end.start_t - 2.0) < 0.05, "start %.2f, expected 2.0", r.last_end.start_t);
	CHECK(fabs(r.last_end.end_t - 5.9) < 0.25, "end %.2f, expected ~5.9", r.last_end.end_t);
	CHECK(r.last_end.bbox.x <= 24 && r.last_end.bbox.x + r.last_end.bbox.w >= 20 + 5 * 39 + 28 &&
	      r.last_end.bbox.y <= 72 && r.last_end.bbox.y + r.last_end.bbox.h >= 98,
	      "bbox %dx%d+%d+%d does not cover the path", r.last_end.bbox.w,
	      r.last_end.bbox.h, r.last_end.bbox.x, r.last_end.bbox.y);
	CHECK(r.last_end.peak_area > 1.0 && r.last_end.peak_area < 4.0,
	      "peak area %.2f%% (box is 1.8%% of the frame)", r.last_end.peak_area);
	CHECK(r.last_end.frames >= 38 && r.last_end.frames <= 41, "frames %ld", r.last_end.frames);
	CHECK(!strcmp(r.last_end.zone, "all"), "zone '%s'", r.last_end.zone);
	md_free(d);
}

static void test_light_switch_no_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 1.5, &k);
	for (int i = 0; i < 50; i++, k++) {   /* on: x1.5 +10 */
		render(1.5, 10, 1.5, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	for (int i = 0; i < 50; i++, k++) {   /* off again */
		render(1, 0, 1.5, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 0, "%d events from a light switch", r.starts);
	md_free(d);
}

static void test_fade_with_rising_noise_no_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 1.0, &k);
	for (int i = 0; i < 200; i++, k++) {
		double a = i / 200.0;

		render(1 - 0.7 * a, 0, 1 + 7 * a, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 0, "%d events from a dusk fade", r.starts);
	md_free(d);
}

static void test_noise_estimate(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	struct md_frame_info fi = { 0 };
	long k = 0;

	for (int i = 0; i < 100; i++, k++) {
		render(1, 0, 20.0, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, &fi);
	}
	md_flush(d);
	/* 2x2 box + 3x3 blur: sigma 20 / 6 = 3.3 (the background is noisy
	 * too, adding a little) */
	CHECK(fi.noise > 2.0 && fi.noise < 6.0, "noise estimate %.2f for sigma 20", fi.noise);
	CHECK(fi.threshold >= 4.0 * fi.noise - 0.01, "threshold %.2f < 4 sigma", fi.threshold);
	CHECK(r.starts == 0, "%d events from heavy noise", r.starts);
	md_free(d);
}

static void test_gain_fit(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	struct md_frame_info fi = { 0 };
	long k = 0;

	still(d, 10, 0, &k);
	render(1.2, -5, 0, 0, 0, 0, 0);
	md_frame(d, frame, W, k / FPS, &fi);
	CHECK(fabs(fi.gain - 1.2) < 0.02 && fabs(fi.offset + 5) < 2.5,
	      "fit gain %.3f offset %.2f, expected 1.2 / -5", fi.gain, fi.offset);
	CHECK(fi.area < 0.1, "changed area %.2f%% after a gain change", fi.area);
	md_free(d);
}

static void test_blink_small_no_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 1.0, &k);
	for (int i = 0; i < 100; i++, k++) {
		render(1, 0, 1.0, 250, 150, 6, (i / 5) % 2 ? 255 : 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 0, "%d events from a 6x6 blinking LED", r.starts);
	md_free(d);
}

static void test_min_area(void)
{
	struct md_params p;
	struct rec r;
	struct md_detector *d;
	long k = 0;

	/* a 12x12 box is 0.25% of the frame: fires at min_area 0.2, not at 1 */
	for (int pass = 0; pass < 2; pass++) {
		md_params_default(&p);
		p.min_area = pass ? 1.0 : 0.2;
		d = mk(&p, &r);
		k = 0;
		still(d, 20, 1.0, &k);
		for (int i = 0; i < 30; i++, k++) {
			render(1, 0, 1.0, 40 + 4 * i, 60, 12, 250);
			md_frame(d, frame, W, k / FPS, NULL);
		}
		md_flush(d);
		if (pass)
			CHECK(r.starts == 0, "min_area 1: %d events from a 0.25%% box", r.starts);
		else
			CHECK(r.starts == 1, "min_area 0.2: %d events from a 0.25%% box", r.starts);
		md_free(d);
	}
}

/* motion in bursts of n frames separated by gap frames */
static int bursts(int n1, int gap, int n2, int min_frames, double event_gap)
{
	struct md_params p;
	struct rec r;
	struct md_detector *d;
	long k = 0;

	md_params_default(&p);
	p.min_frames = min_frames;
	p.event_gap = event_gap;
	d = mk(&p, &r);
	still(d, 20, 1.0, &k);
	for (int i = 0; i < n1 + gap + n2; i++, k++) {
		int on = i < n1 || i >= n1 + gap;

		render(1, 0, 1.0, 40 + 7 * i, 60, 30, on ? 250 : -1);
		if (!on)
			render(1, 0, 1.0, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	still(d, 100, 1.0, &k);
	md_flush(d);
	md_free(d);
	return r.starts * 100 + r.ends;
}

static void test_hysteresis(void)
{
	int v;

	v = bursts(2, 0, 0, 3, 1.0);
	CHECK(v == 0, "2 motion frames with min_frames 3: %d starts/ends", v);
	v = bursts(3, 0, 0, 3, 1.0);
	CHECK(v == 101, "3 motion frames with min_frames 3: %d", v);
	v = bursts(10, 5, 10, 3, 1.0);     /* 0.5 s gap < 1 s */
	CHECK(v == 101, "two bursts 0.5 s apart, event_gap 1 s: %d (want one event)", v);
	v = bursts(10, 20, 10, 3, 1.0);    /* 2 s gap > 1 s */
	CHECK(v == 202, "two bursts 2 s apart, event_gap 1 s: %d (want two events)", v);
}

static void test_flush_ends_open_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 1.0, &k);
	for (int i = 0; i < 10; i++, k++) {
		render(1, 0, 1.0, 40 + 8 * i, 60, 30, 250);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == 1 && r.ends == 0, "open event: %d/%d", r.starts, r.ends);
	md_flush(d);
	CHECK(r.ends == 1, "flush: %d ends", r.ends);
	md_free(d);
}

static void test_mask_and_zones(void)
{
	static uint8_t mask[W * H];
	struct md_zone_cfg z[2] = {
		{ .name = "left", .x = 0, .y = 0, .w = 50, .h = 100, .min_area = -1, .threshold_sigma = -1 },
		{ .name = "right", .x = 50, .y = 0, .w = 50, .h = 100, .min_area = -1, .threshold_sigma = -1 },
	};
	struct md_params p;
	struct rec r;
	struct md_detector *d;
	long k = 0;

	md_params_default(&p);
	/* mask out the left half: a box there must not fire */
	for (int i = 0; i < W * H; i++)
		mask[i] = (i % W) >= W / 2;
	memset(&r, 0, sizeof(r));
	d = md_new(&p, W, H, mask, NULL, 0, rec_cb, &r);
	CHECK(d != NULL, "md_new with mask");
	if (!d)
		return;
	still(d, 20, 1.0, &k);
	for (int i = 0; i < 30; i++, k++) {
		render(1, 0, 1.0, 10 + 3 * i, 60, 30, 250);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 0, "%d events from a masked region", r.starts);
	md_free(d);

	memset(&r, 0, sizeof(r));
	d = md_new(&p, W, H, NULL, z, 2, rec_cb, &r);
	CHECK(d != NULL, "md_new with zones");
	if (!d)
		return;
	k = 0;
	still(d, 20, 1.0, &k);
	for (int i = 0; i < 30; i++, k++) {
		render(1, 0, 1.0, 200 + 3 * i, 60, 30, 250);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 1 && !strcmp(r.zones[0], "right"),
	      "%d events, first zone '%s' (want one, 'right')", r.starts, r.nz ? r.zones[0] : "");
	CHECK(r.last_end.bbox.x >= 160, "bbox x %d in the right zone", r.last_end.bbox.x);
	md_free(d);
}

static void test_ir_like_switch_no_event(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	struct md_frame_info fi = { 0 };
	int light = 0;
	long k = 0;

	still(d, 20, 1.0, &k);
	/* not a gain change: every region maps differently */
	for (int i = 0; i < 60; i++, k++) {
		for (int p = 0; p < W * H; p++) {
			int x = p % W, y = p / W;

			frame[p] = clamp8((((x / 40 + y / 30) % 3) ? 1.6 : 0.6) * scene[p] + 2 * grand());
		}
		md_frame(d, frame, W, k / FPS, &fi);
		light += fi.light_change;
	}
	md_flush(d);
	CHECK(light >= 1, "no frame judged a light change");
	CHECK(r.starts == 0, "%d events from an IR-like switch", r.starts);
	md_free(d);
}

static void test_long_still_change_ends(void)
{
	struct md_params p;
	struct rec r;
	struct md_detector *d;
	long k = 0;

	/* something appears and stays: learnt after max_event, event ends */
	md_params_default(&p);
	p.max_event = 5;
	p.background_time = 1;
	d = mk(&p, &r);
	still(d, 20, 1.0, &k);
	for (int i = 0; i < 300; i++, k++) {
		render(1, 0, 1.0, 100, 60, 40, 250);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == 1 && r.ends == 1, "parked object: %d starts %d ends in 30 s",
	      r.starts, r.ends);
	md_free(d);
}

static void test_startup_frame_differs(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	/* some devices deliver a black (or stale) first frame */
	memset(frame, 16, sizeof(frame));
	md_frame(d, frame, W, 0, NULL);
	k = 1;
	still(d, 150, 1.5, &k);
	md_flush(d);
	CHECK(r.starts == 0, "%d events after a black first frame", r.starts);
	md_free(d);
}

/* The input lost its signal mid-event and came back with another
 * exposure and a scene that changed meanwhile (a box parked): the event
 * ends at the loss, the new picture is learnt, not reported, and a box
 * moving afterwards is found, as event 2. */
static void test_relearn_after_signal_loss(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;
	int starts_before;

	still(d, 20, 1.5, &k);
	for (int i = 0; i < 15; i++, k++) {
		render(1, 0, 1.5, 20 + 5 * i, 40, 30, 10);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == 1 && r.ends == 0, "before the loss: starts %d ends %d", r.starts, r.ends);
	md_relearn(d);
	CHECK(r.ends == 1, "the open event did not end at the loss (%d ends)", r.ends);
	k += 10 * FPS;          /* ten seconds without a picture */
	starts_before = r.starts;
	for (int i = 0; i < 100; i++, k++) {
		render(1.3, -10, 1.5, 200, 100, 40, 240);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == starts_before, "%d events from the picture after the gap",
	      r.starts - starts_before);
	for (int i = 0; i < 30; i++, k++) {
		render(1.3, -10, 1.5, 200, 100, 40, 240);
		for (int y = 20; y < 50; y++)
			for (int x = 10 + 5 * i; x < 40 + 5 * i && x < W; x++)
				frame[y * W + x] = 10;
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 2 && r.ends == 2, "after the gap: starts %d ends %d, expected 2 and 2",
	      r.starts, r.ends);
	CHECK(r.last_end.id == 2, "event id %d after the gap, expected 2", r.last_end.id);
	md_free(d);
}

/* frame = scene darkened by a soft round shadow at cx, cy (radius r,
 * strength s), plus noise and an optional box */
static void render_shadow(double cx, double cy, double r, double s,
			  double noise, int bx, int by, int bs, int bval)
{
	render(1, 0, 0, bx, by, bs, bval);
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++) {
			double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / (r * r);
			double v = frame[y * W + x] * (1 - s * exp(-d2 / 2));

			frame[y * W + x] = clamp8(v + (noise > 0 ? noise * grand() : 0));
		}
}

/* A soft shadow drifting over the textured scene is light, not motion;
 * a box crossing under it is still found. */
static void test_local_light(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	still(d, 20, 1.5, &k);
	for (int i = 0; i < 150; i++, k++) {
		render_shadow(-60 + 3.0 * i, 90, 50, 0.45, 1.5, 0, 0, 0, 0);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == 0, "%d events from a drifting shadow", r.starts);
	for (int i = 0; i < 40; i++, k++) {
		render_shadow(-60 + 3.0 * (150 + i), 90, 50, 0.45, 1.5, 20 + 5 * i,
			      70, 24, 30);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	still(d, 40, 1.5, &k);
	md_flush(d);
	CHECK(r.starts == 1 && r.ends == 1, "a box under the shadow: starts %d ends %d",
	      r.starts, r.ends);
	md_free(d);
}

/* vivid's "ten pixels wide cross": white with a black cross, nothing in
 * between; the first frame black */
static void cross(int cx)
{
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			frame[y * W + x] = (abs(x - cx) < 5 || abs(y - H / 2) < 5) ? 16 : 235;
}

static void test_two_level_pattern(void)
{
	struct rec r;
	struct md_detector *d = mk(NULL, &r);
	long k = 0;

	memset(frame, 16, sizeof(frame));
	md_frame(d, frame, W, 0, NULL);
	for (k = 1; k < 60; k++) {
		cross(300);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	/* black again for a frame (an IR cut, a device hiccup), then back */
	memset(frame, 16, sizeof(frame));
	md_frame(d, frame, W, k++ / FPS, NULL);
	for (int i = 0; i < 40; i++, k++) {
		cross(300);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	CHECK(r.starts == 0, "%d events on a still two-level pattern", r.starts);
	for (int i = 0; i < 30; i++, k++) {
		cross(300 - 8 * i);
		md_frame(d, frame, W, k / FPS, NULL);
	}
	md_flush(d);
	CHECK(r.starts == 1, "%d events when the cross moves", r.starts);
	md_free(d);
}

static void test_flat_frame(void)
{
	struct md_params p;
	struct md_detector *d;
	static uint8_t wide[16384 * 8];
	int w, h;

	md_params_default(&p);
	d = md_new(&p, 16384, 8, NULL, NULL, 0, NULL, NULL);
	CHECK(d != NULL, "16384x8 refused");
	if (!d)
		return;
	md_work_size(d, &w, &h);
	CHECK(h >= 4 && w * (16384 / w) <= 16384 && h * (16384 / w) <= 8, "16384x8 works at %dx%d", w, h);
	for (int i = 0; i < 20; i++) {
		memset(wide, 50 + i, sizeof(wide));
		md_frame(d, wide, 16384, i / FPS, NULL);
	}
	md_free(d);
	CHECK(1, "no crash");
}

static void test_params_and_sizes(void)
{
	struct md_params p;
	struct md_detector *d;
	int w, h;

	md_params_default(&p);
	CHECK(md_params_check(&p) == NULL, "defaults rejected: %s", md_params_check(&p));
	p.min_area = 0;
	CHECK(md_params_check(&p) && !strcmp(md_params_check(&p), "min_area"), "min_area 0 accepted");
	md_params_default(&p);
	p.threshold_sigma = 100;
	CHECK(md_params_check(&p) && !strcmp(md_params_check(&p), "threshold_sigma"), "sigma 100 accepted");
	md_params_default(&p);
	CHECK(md_new(&p, 4, 4, NULL, NULL, 0, NULL, NULL) == NULL, "4x4 frames accepted");
	d = md_new(&p, 1920, 1080, NULL, NULL, 0, NULL, NULL);
	CHECK(d != NULL, "1920x1080 refused");
	if (d) {
		md_work_size(d, &w, &h);
		CHECK(w == 160 && h == 90, "1920x1080 works at %dx%d, want 160x90", w, h);
		md_free(d);
	}
	d = md_new(&p, 640, 480, NULL, NULL, 0, NULL, NULL);
	if (d) {
		md_work_size(d, &w, &h);
		CHECK(w == 160 && h == 120, "640x480 works at %dx%d", w, h);
		md_free(d);
	}
	{
		struct md_zone_cfg z = { .name = "bad", .x = 80, .y = 0, .w = 40, .h = 10 };

		CHECK(md_new(&p, 320, 240, NULL, &z, 1, NULL, NULL) == NULL,
		      "zone outside the frame accepted");
	}
}

/* Blocks taller than a 16-bit column sum holds (f > 257 rows: a huge
 * frame with a small work_width) must still average right: a white frame
 * after a black one is an offset of 255. */
static void test_tall_blocks(void)
{
	enum { TW = 8448, TH = 1040 };
	struct md_params p;
	struct md_frame_info fi;
	struct md_detector *d;
	uint8_t *img = calloc((size_t)TW * TH, 1);
	int w, h;

	md_params_default(&p);
	p.work_width = 32;
	d = md_new(&p, TW, TH, NULL, NULL, 0, NULL, NULL);
	CHECK(img && d, "%dx%d refused", TW, TH);
	if (img && d) {
		md_work_size(d, &w, &h);
		CHECK(w == TW / 260 && h == 4, "works at %dx%d, want 32x4 (260 px blocks)", w, h);
		md_frame(d, img, TW, 0.0, &fi);
		memset(img, 255, (size_t)TW * TH);
		md_frame(d, img, TW, 0.1, &fi);
		CHECK(fabs(fi.offset - 255) < 1e-3 && fabs(fi.gain - 1) < 1e-9,
		      "black then white: gain %.3f offset %.3f, want 1, 255", fi.gain, fi.offset);
	}
	md_free(d);
	free(img);
}

/* ---- config, y4m, json (small temp files) ------------------------------ */

static char tmpdir[] = "/tmp/netcam-motion-test.XXXXXX";

static const char *write_tmp(const char *name, const void *data, size_t n)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "wb");
	if (!f)
		return path;
	fwrite(data, 1, n, f);
	fclose(f);
	return path;
}

static void test_y4m(void)
{
	char err[256], buf[4096];
	struct y4m y;
	const char *path;
	int n;

	path = write_tmp("not.y4m", "hello world\n", 12);
	CHECK(y4m_open(&y, path, err, sizeof(err)) < 0 && strstr(err, "not a YUV4MPEG2"),
	      "not y4m: %s", err);
	path = write_tmp("empty.y4m", "", 0);
	CHECK(y4m_open(&y, path, err, sizeof(err)) < 0, "empty file accepted");
	n = snprintf(buf, sizeof(buf), "YUV4MPEG2 W16 H8 F5:1 C420p10\n");
	path = write_tmp("p10.y4m", buf, n);
	CHECK(y4m_open(&y, path, err, sizeof(err)) < 0 && strstr(err, "unsupported colour space"),
	      "10 bit: %s", err);
	/* mono 16x8: two good frames, then a truncated one */
	n = snprintf(buf, sizeof(buf), "YUV4MPEG2 W16 H8 F5:1 Cmono\n");
	for (int f = 0; f < 2; f++) {
		n += snprintf(buf + n, sizeof(buf) - n, "FRAME\n");
		memset(buf + n, 100 + f, 128);
		n += 128;
	}
	n += snprintf(buf + n, sizeof(buf) - n, "FRAME\n");
	memset(buf + n, 7, 50);
	n += 50;
	path = write_tmp("mono.y4m", buf, n);
	CHECK(y4m_open(&y, path, err, sizeof(err)) == 0, "mono open: %s", err);
	CHECK(y.w == 16 && y.h == 8 && y.fps_num == 5 && y.frame_size == 128, "header %dx%d", y.w, y.h);
	CHECK(y4m_read(&y, err, sizeof(err)) == 1 && y.buf[0] == 100, "frame 1");
	CHECK(y4m_read(&y, err, sizeof(err)) == 1 && y.buf[127] == 101, "frame 2");
	CHECK(y4m_read(&y, err, sizeof(err)) < 0 && strstr(err, "frame 3: truncated"),
	      "truncated: %s", err);
	y4m_close(&y);
	/* 422: frame size */
	n = snprintf(buf, sizeof(buf), "YUV4MPEG2 W16 H8 C422\nFRAME\n");
	memset(buf + n, 1, 256);
	path = write_tmp("422.y4m", buf, n + 256);
	CHECK(y4m_open(&y, path, err, sizeof(err)) == 0 && y.frame_size == 256, "422 size %zu",
	      y.frame_size);
	CHECK(y4m_read(&y, err, sizeof(err)) == 1 && y4m_read(&y, err, sizeof(err)) == 0, "422 read/eof");
	y4m_close(&y);
}

static void test_json(void)
{
	struct ev_sink s = { .replay = 1, .camera = "Front \"door\"", .wall_off = 1.7e9, .mono_off = 100 };
	struct md_event ev = { .zone = "all", .id = 3, .ended = 1, .start_t = 2.5, .end_t = 4.0,
			       .peak_area = 3.25, .bbox = { 10, 20, 30, 40 }, .frames = 16 };
	char buf[1024];

	ev_json(&s, &ev, buf, sizeof(buf));
	CHECK(strstr(buf, "\"type\":\"end\"") && strstr(buf, "\"camera\":\"Front \\\"door\\\"\"") &&
	      strstr(buf, "\"start_s\":2.500") && strstr(buf, "\"end_s\":4.000") &&
	      strstr(buf, "\"duration\":1.500") && strstr(buf, "\"start_mono\":102.500") &&
	      strstr(buf, "\"bbox\":{\"x\":10,\"y\":20,\"w\":30,\"h\":40}") &&
	      strstr(buf, "\"frames\":16") && strstr(buf, "\"start\":\"20") && buf[strlen(buf) - 1] == '}',
	      "json: %s", buf);
	s.replay = 0;
	ev.ended = 0;
	ev_json(&s, &ev, buf, sizeof(buf));
	CHECK(!strstr(buf, "start_s") && !strstr(buf, "end") && strstr(buf, "\"type\":\"start\""),
	      "live start json: %s", buf);
}

int main(void)
{
	make_scene();
	test_still_scene_no_event();
	test_moving_box_one_event();
	test_light_switch_no_event();
	test_fade_with_rising_noise_no_event();
	test_noise_estimate();
	test_gain_fit();
	test_blink_small_no_event();
	test_min_area();
	test_hysteresis();
	test_flush_ends_open_event();
	test_mask_and_zones();
	test_ir_like_switch_no_event();
	test_long_still_change_ends();
	test_params_and_sizes();
	test_startup_frame_differs();
	test_relearn_after_signal_loss();
	test_local_light();
	test_flat_frame();
	test_two_level_pattern();
	test_tall_blocks();
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	test_y4m();
	test_json();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
	return UNIT_SUMMARY();
}
