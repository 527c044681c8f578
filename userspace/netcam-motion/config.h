/* SPDX-License-Identifier: GPL-2.0 */
/* netcam-motion configuration file (INI). See netcam-motion.rst. */
#ifndef NETCAM_MOTION_CONFIG_H
#define NETCAM_MOTION_CONFIG_H

#include <stddef.h>
#include "detect.h"

#define CFG_MAX_CAMERAS 16
#define CFG_PATH_MAX 512

struct camera_cfg {
	char name[MD_NAME_MAX];
	char device[CFG_PATH_MAX];   /* /dev/videoN or a /dev/v4l/by-* link */
	char card[MD_NAME_MAX * 2];  /* V4L2 card name (VIDIOC_QUERYCAP) */
	int width, height, fps;
	char mask[CFG_PATH_MAX];     /* PGM file, 0 = ignore pixel */
	struct md_params p;
	struct md_zone_cfg zones[MD_MAX_ZONES];
	int nzones;
	int line;                    /* where the section starts */
};

struct config {
	char path[CFG_PATH_MAX];
	char log_file[CFG_PATH_MAX];     /* JSON lines, appended */
	char snapshot_dir[CFG_PATH_MAX];
	char hook[CFG_PATH_MAX];         /* executable, run without a shell */
	int snapshot_quality;
	int hook_timeout;                /* seconds before a hook is killed */
	struct md_params defaults;       /* [global] detection keys */
	struct camera_cfg cams[CFG_MAX_CAMERAS];
	int ncams;
};

void config_init(struct config *c);
/* 0 on success; -1 with "FILE:LINE: key 'x': reason" in err. */
int config_load(struct config *c, const char *path, char *err, size_t errlen);
/* Loads a PGM (P5, 8-bit) mask of exactly w x h. Returns malloc'd bytes
 * (0 = ignore) or NULL with the reason in err. */
unsigned char *config_load_mask(const char *path, int w, int h, char *err,
				size_t errlen);

#endif
