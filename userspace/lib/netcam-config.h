/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam user space: the configuration model and its one reader.
 *
 * /etc/netcam/netcam.conf, then the *.conf files of the conf.d directory
 * next to it in name order (netcam.conf(5)): a [global] section and one
 * [NAME] section per camera.  A section with a url is a netcam camera:
 * netcamd brings it in, netcam-motion watches its analysis node.  A section
 * with a device (or card) and no url is any other V4L2 device, for
 * netcam-motion only.  The whole model is parsed and checked before any
 * program uses it, so a bad file changes nothing.
 */
#ifndef NETCAM_CONFIG_H
#define NETCAM_CONFIG_H

#include <stddef.h>

#include "motion-params.h"

#define NETCAM_CONFIG_PATH "/etc/netcam/netcam.conf"

#define CFG_NAME_LEN	32	/* as NETCAM_NAME_LEN */
#define CFG_LABEL_LEN	32	/* as NETCAM_LABEL_LEN */
#define CFG_MAX_NODES	8	/* as NETCAM_MAX_NODES */
#define CFG_PATH_LEN	512
#define CFG_MAX_FILES	64	/* netcam.conf and the conf.d files */

enum cam_source_type {
	SRC_TYPE_RTSP,		/* rtsp:// rtsps:// */
	SRC_TYPE_MJPEG,		/* http(s):// multipart MJPEG stream */
	SRC_TYPE_SNAPSHOT,	/* http(s):// JPEG polled every snapshot_interval */
	SRC_TYPE_FILE,		/* a local file, looped */
	SRC_TYPE_TEST,		/* built-in moving test scene: testsrc:// */
};

enum cam_transport {
	TRANSPORT_AUTO,		/* UDP, falling back to TCP */
	TRANSPORT_TCP,
	TRANSPORT_UDP,
};

/* What netcam-motion does with a camera's section. */
struct cam_motion {
	int enabled;		/* analyse this camera */
	int node;		/* netcam camera: 0-based node to analyse */
	char device[CFG_PATH_LEN];	/* other V4L2 device: path ... */
	char card[MD_NAME_MAX * 2];	/* ... or card name (QUERYCAP) */
	int width, height, fps;	/* what to ask the node for */
	char mask[CFG_PATH_LEN];	/* PGM, 0 = ignore the pixel */
	char hook[CFG_PATH_LEN];	/* "" = [global] hook */
	char snapshot_dir[CFG_PATH_LEN];	/* "" = [global] snapshot_dir */
	struct md_params p;
	struct md_zone_cfg zones[MD_MAX_ZONES];
	int nzones;
};

struct cam_config {
	char name[CFG_NAME_LEN];
	char label[CFG_LABEL_LEN];
	char url[1024];		/* "" for a section that is not a netcam camera */
	char username[128];
	char password[256];
	char password_file[512];
	int type;		/* enum cam_source_type */
	int type_set;
	int transport;		/* enum cam_transport */
	int num_nodes;
	char node_labels[CFG_MAX_NODES][CFG_LABEL_LEN];
	int always_on;
	double max_fps;		/* 0: no cap */
	int width, height;	/* declared native size (0: probe) */
	double fps;		/* declared native rate (0: probe / 25) */
	int codec_mjpeg;	/* -1: unknown, 0: not MJPEG, 1: MJPEG */
	double connect_timeout;
	double read_timeout;
	double stall_timeout;
	double backoff_min;
	double backoff_max;
	double linger;
	double snapshot_interval;
	struct cam_motion motion;
	const char *file;	/* config file of the section (for messages) */
	int line;		/* line of the [section] header */
	/* private to the reader: motion keys set in the section, and
	 * whether `motion`/`motion_node` were given */
	unsigned int p_set;
	int motion_set, node_set;
};

struct netcam_config {
	char user[64];		/* account netcamd runs as; "" = netcam */
	int log_level;		/* sd-daemon priority, 3..7 */
	char event_log[CFG_PATH_LEN];	/* JSON lines of motion events */
	char snapshot_dir[CFG_PATH_LEN];
	char hook[CFG_PATH_LEN];	/* run for every event, without a shell */
	int hook_timeout;	/* seconds before a hook is killed */
	int snapshot_quality;
	struct md_params motion_defaults;	/* [global] detection keys */
	int num_cameras;
	struct cam_config *cameras;
	int num_files;
	char *files[CFG_MAX_FILES];	/* what was read, in order */
};

/* Read path and the conf.d/ directory next to it.  0, or -1 with a one-line
 * message in err ("FILE:LINE: [camera] key 'k': problem"); cfg is then
 * empty (config_free() is still allowed). */
int config_load(const char *path, struct netcam_config *cfg,
		char *err, size_t err_size);
/* One file's text alone (tests, `netcamd --check` of a string). */
int config_parse_string(const char *text, const char *fname,
			struct netcam_config *cfg, char *err, size_t err_size);
void config_free(struct netcam_config *cfg);
struct cam_config *config_find(struct netcam_config *cfg, const char *name);
/* 1 when the section is a netcam camera (it has a url). */
int config_is_netcam(const struct cam_config *cam);
/* The directory of extra files for path: "/etc/netcam/conf.d". */
void config_dropin_dir(const char *path, char *out, size_t out_size);
/* A camera name netcam accepts: 1..31 of A-Z a-z 0-9 . _ - */
int config_valid_name(const char *name);

/* Read cam->password_file into cam->password (first line). 0, or -1
 * with a message in err. */
int config_read_password_file(struct cam_config *cam, char *err,
			      size_t err_size);

/* The URL to open: the configured one with username/password inserted
 * (percent-encoded). 0, or -1 if it does not fit. */
int config_effective_url(const struct cam_config *cam, char *out,
			 size_t out_size);

const char *config_type_name(int type);

/* Load a PGM (P5, 8-bit) mask of exactly w x h: malloc'd bytes (0 = ignore
 * the pixel) or NULL with the reason in err. */
unsigned char *config_load_mask(const char *path, int w, int h, char *err,
				size_t errlen);

#endif
