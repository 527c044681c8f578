// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam-generator: a systemd generator (systemd.generator(7)).  At boot
 * and on every daemon-reload it makes netcam.target want netcamd@NAME for
 * each netcam camera in netcam.conf, so a camera starts because it is
 * configured, with nothing to enable by hand.
 *
 *   netcam-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
 *
 * $NETCAM_CONFIG overrides the configuration path (tests).  A bad
 * configuration starts no camera and is reported in one line; exit 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netcam-config.h"
#include "netcam-util.h"

#ifndef NETCAM_UNIT_DIR
#define NETCAM_UNIT_DIR "/usr/lib/systemd/system"
#endif

int main(int argc, char **argv)
{
	const char *path = getenv("NETCAM_CONFIG");
	char dir[4096], link_path[4096 + 64], err[1024];
	struct netcam_config cfg;
	int rc = NETCAM_EXIT_OK;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: netcam-generator NORMAL_DIR [EARLY_DIR LATE_DIR]\n");
		return NETCAM_EXIT_CONFIG;
	}
	if (!path || !*path)
		path = NETCAM_CONFIG_PATH;
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return NETCAM_EXIT_OK;	/* nothing configured */
	if (config_load(path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "<3>netcam-generator: %s; no camera started\n", err);
		return NETCAM_EXIT_RUNTIME;
	}
	snprintf(dir, sizeof(dir), "%s/netcam.target.wants", argv[1]);
	for (int i = 0; i < cfg.num_cameras; i++) {
		const struct cam_config *cam = &cfg.cameras[i];

		if (!config_is_netcam(cam))
			continue;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			fprintf(stderr, "<3>netcam-generator: %s: %s\n", dir, strerror(errno));
			rc = NETCAM_EXIT_RUNTIME;
			break;
		}
		/* Camera names are [A-Za-z0-9._-]: valid unit instance names
		 * as they are, no escaping needed. */
		snprintf(link_path, sizeof(link_path), "%s/netcamd@%s.service", dir, cam->name);
		if (symlink(NETCAM_UNIT_DIR "/netcamd@.service", link_path) < 0 &&
		    errno != EEXIST) {
			fprintf(stderr, "<3>netcam-generator: %s: %s\n", link_path, strerror(errno));
			rc = NETCAM_EXIT_RUNTIME;
		}
	}
	config_free(&cfg);
	return rc;
}
