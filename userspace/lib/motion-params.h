/* SPDX-License-Identifier: GPL-2.0 */
/*
 * netcam user space: the motion detector's settings, part of the
 * configuration model (netcam.conf(5)) that every program reads.
 */
#ifndef NETCAM_MOTION_PARAMS_H
#define NETCAM_MOTION_PARAMS_H

#define MD_MAX_ZONES 8
#define MD_NAME_MAX 64

/* Tunables. All areas are percent of the frame (or zone) area, so they
 * do not depend on the resolution. */
struct md_params {
	int work_width;          /* working plane width, pixels (default 160) */
	double threshold_sigma;  /* threshold = max(min, sigma * noise) (4.0) */
	double threshold_min;    /* luma levels, lower bound of the threshold (7) */
	double min_area;         /* percent of frame/zone that must change (0.2) */
	int min_frames;          /* consecutive motion frames to start (3) */
	double event_gap;        /* seconds without motion that end an event (3) */
	double background_time;  /* seconds, background time constant (10) */
	double light_change_area;/* percent: a change this large and spread
				  * over the frame is a light change (25) */
	double max_event;        /* seconds; learn the scene into the background
				  * inside an event after this long (60) */
	double still_time;       /* seconds a change may stay still (a parked
				  * car, the spot an object left) before it
				  * becomes background (5) */
	int despeckle;           /* 1: 3x3 opening of the change mask (1) */
	double edge_factor;      /* threshold += edge_factor * background
				  * gradient (levels/pixel) (0.5) */
};

void md_params_default(struct md_params *p);
/* Returns NULL if valid, else the name of the first out-of-range key. */
const char *md_params_check(const struct md_params *p);

struct md_zone_cfg {
	char name[MD_NAME_MAX];
	/* Rectangle in percent of the frame: x, y, w, h. */
	double x, y, w, h;
	double min_area;        /* <0: use the camera's */
	double threshold_sigma; /* <0: use the camera's */
};

#endif
