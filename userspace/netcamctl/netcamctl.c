// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamctl: manage netcam cameras.
 *
 *   netcamctl list            one line per camera and its nodes
 *   netcamctl remove NAME     remove a camera and its nodes
 *   netcamctl add NAME URL    configure a camera (conf.d/NAME.conf)
 *   netcamctl check           validate the configuration
 *
 * Exit status: 0 success, 1 error (no /dev/netcam, no such camera),
 * 2 usage or configuration error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netcam-client.h"
#include "netcam-config.h"
#include "netcam-util.h"
#include "netcamctl.h"

static int usage(FILE *f, int rc)
{
	fprintf(f, "usage: netcamctl [-c FILE] list\n"
		   "       netcamctl remove NAME\n"
		   "       netcamctl [-c FILE] add NAME URL [--label LABEL] [--nodes N] [--no-motion]\n"
		   "       netcamctl [-c FILE] check\n"
		   "  -c, --config FILE  configuration (default " NETCAM_CONFIG_PATH ")\n"
		   "exit status: 0 success, 1 error, 2 usage or configuration error\n");
	return rc;
}

static int open_control(void)
{
	int ctl = netcam_open_control();

	if (ctl < 0)
		fprintf(stderr, "netcamctl: %s: %s%s\n", NETCAM_CONTROL_PATH, strerror(errno),
			errno == ENOENT ? " (is netcam.ko loaded? modprobe netcam)" :
			errno == EACCES ? " (root or the netcam group)" : "");
	return ctl;
}

static int do_list(void)
{
	struct netcam_camera_info *cams;
	size_t count;
	int ctl = open_control();

	if (ctl < 0)
		return NETCAM_EXIT_RUNTIME;
	if (netcam_list(ctl, &cams, &count) < 0) {
		fprintf(stderr, "netcamctl: NETCAM_IOC_LIST: %s\n", strerror(errno));
		close(ctl);
		return NETCAM_EXIT_RUNTIME;
	}
	close(ctl);
	printf("%-20s %-24s %-8s %-9s %s\n", "CAMERA", "LABEL", "HELPER", "SIGNAL", "NODES");
	for (size_t i = 0; i < count; i++) {
		const struct netcam_camera_info *c = &cams[i];
		char label[NETCAM_LABEL_LEN + 3];

		snprintf(label, sizeof(label), "\"%.*s\"", NETCAM_LABEL_LEN, c->label);
		printf("%-20.*s %-24s %-8s %-9s", NETCAM_NAME_LEN, c->name, label,
		       c->flags & NETCAM_CAMERA_FEED_ATTACHED ? "attached" : "detached",
		       c->flags & NETCAM_CAMERA_SIGNAL ? "present" : "lost");
		for (uint32_t n = 0; n < c->num_nodes && n < NETCAM_MAX_NODES; n++)
			printf(" /dev/video%d%s", c->video_nr[n],
			       c->streaming_mask & (1U << n) ? "(streaming)" : "");
		printf("\n");
	}
	free(cams);
	return NETCAM_EXIT_OK;
}

static int do_remove(const char *name)
{
	int ctl, rc = NETCAM_EXIT_OK;

	if (!config_valid_name(name)) {
		fprintf(stderr, "netcamctl: '%s' is not a camera name (1..%d of A-Z a-z 0-9 . _ -)\n",
			name, CFG_NAME_LEN - 1);
		return NETCAM_EXIT_CONFIG;
	}
	ctl = open_control();
	if (ctl < 0)
		return NETCAM_EXIT_RUNTIME;
	if (netcam_remove(ctl, name) < 0) {
		fprintf(stderr, "netcamctl: remove '%s': %s\n", name,
			errno == ENOENT ? "no such camera" : strerror(errno));
		rc = NETCAM_EXIT_RUNTIME;
	} else {
		printf("removed camera '%s'\n", name);
	}
	close(ctl);
	return rc;
}

static int do_check(const char *path)
{
	struct netcam_config cfg;
	int netcams = 0;
	char err[1024];

	if (config_load(path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "netcamctl: %s\n", err);
		return NETCAM_EXIT_CONFIG;
	}
	for (int i = 0; i < cfg.num_cameras; i++)
		netcams += config_is_netcam(&cfg.cameras[i]);
	printf("%s: %d file(s), %d netcam camera(s), %d other device(s): OK\n", path,
	       cfg.num_files, netcams, cfg.num_cameras - netcams);
	config_free(&cfg);
	return NETCAM_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = NETCAM_CONFIG_PATH, *cmd;
	int opt;

	/* "+": options after the command are the command's own. */
	while ((opt = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'h': return usage(stdout, NETCAM_EXIT_OK);
		default: return usage(stderr, NETCAM_EXIT_CONFIG);
		}
	}
	if (optind >= argc)
		return usage(stderr, NETCAM_EXIT_CONFIG);
	cmd = argv[optind];
	argc -= optind;
	argv += optind;
	if (!strcmp(cmd, "list") && argc == 1)
		return do_list();
	if (!strcmp(cmd, "remove") && argc == 2)
		return do_remove(argv[1]);
	if (!strcmp(cmd, "check") && argc == 1)
		return do_check(config_path);
	if (!strcmp(cmd, "add"))
		return netcamctl_add(config_path, argc, argv);
	if (!strcmp(cmd, "help"))
		return usage(stdout, NETCAM_EXIT_OK);
	fprintf(stderr, "netcamctl: unknown command or wrong arguments: '%s'\n", cmd);
	return usage(stderr, NETCAM_EXIT_CONFIG);
}
