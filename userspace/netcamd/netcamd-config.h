/* SPDX-License-Identifier: GPL-2.0-only */
/* netcamd: the INI-style configuration file. */
#ifndef NETCAMD_CONFIG_H
#define NETCAMD_CONFIG_H

#include <stddef.h>

#define CFG_NAME_LEN	32	/* as NETCAM_NAME_LEN */
#define CFG_LABEL_LEN	32	/* as NETCAM_LABEL_LEN */
#define CFG_MAX_NODES	8	/* as NETCAM_MAX_NODES */

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

struct cam_config {
	char name[CFG_NAME_LEN];
	char label[CFG_LABEL_LEN];
	char url[1024];
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
	const char *file;	/* config file name (for messages) */
	int line;		/* line of the [section] header */
};

struct netcamd_config {
	char user[64];		/* account to run as; "" = default */
	int log_level;		/* sd-daemon priority, 3..7 */
	int num_cameras;
	struct cam_config *cameras;
};

/* Parse a configuration. 0, or -1 with a one-line message in err
 * ("FILE:LINE: camera 'x': key 'y': problem"). */
int config_parse_string(const char *text, const char *fname,
			struct netcamd_config *cfg, char *err, size_t err_size);
int config_load(const char *path, struct netcamd_config *cfg,
		char *err, size_t err_size);
void config_free(struct netcamd_config *cfg);
struct cam_config *config_find(struct netcamd_config *cfg, const char *name);

/* Read cam->password_file into cam->password (first line). 0, or -1
 * with a message in err. */
int config_read_password_file(struct cam_config *cam, char *err,
			      size_t err_size);

/* The URL to open: the configured one with username/password inserted
 * (percent-encoded). 0, or -1 if it does not fit. */
int config_effective_url(const struct cam_config *cam, char *out,
			 size_t out_size);

const char *config_type_name(int type);

#endif
