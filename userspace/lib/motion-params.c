// SPDX-License-Identifier: GPL-2.0
/* netcam user space: the motion detector's settings, defaults and ranges. */
#include "motion-params.h"

#include <stddef.h>

void md_params_default(struct md_params *p)
{
	p->work_width = 160;
	p->threshold_sigma = 4.0;
	p->threshold_min = 7.0;
	p->min_area = 0.2;
	p->min_frames = 3;
	p->event_gap = 3.0;
	p->background_time = 10.0;
	p->light_change_area = 25.0;
	p->max_event = 60.0;
	p->still_time = 5.0;
	p->despeckle = 1;
	p->edge_factor = 0.5;
}

const char *md_params_check(const struct md_params *p)
{
	if (p->work_width < 32 || p->work_width > 1920)
		return "work_width";
	if (!(p->threshold_sigma >= 1.0 && p->threshold_sigma <= 50.0))
		return "threshold_sigma";
	if (!(p->threshold_min >= 1.0 && p->threshold_min <= 200.0))
		return "threshold_min";
	if (!(p->min_area > 0.0 && p->min_area <= 100.0))
		return "min_area";
	if (p->min_frames < 1 || p->min_frames > 1000)
		return "min_frames";
	if (!(p->event_gap >= 0.0 && p->event_gap <= 3600.0))
		return "event_gap";
	if (!(p->background_time >= 0.5 && p->background_time <= 3600.0))
		return "background_time";
	if (!(p->light_change_area > 0.0 && p->light_change_area <= 100.0))
		return "light_change_area";
	if (!(p->max_event >= 1.0 && p->max_event <= 86400.0))
		return "max_event";
	if (!(p->still_time >= 0.5 && p->still_time <= 3600.0))
		return "still_time";
	if (p->despeckle != 0 && p->despeckle != 1)
		return "despeckle";
	if (!(p->edge_factor >= 0.0 && p->edge_factor <= 5.0))
		return "edge_factor";
	return NULL;
}
