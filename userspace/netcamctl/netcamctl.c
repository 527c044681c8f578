// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamctl: list and remove netcam cameras.
 *
 *   netcamctl list            one line per camera, then one per node
 *   netcamctl remove NAME     remove a camera and its nodes
 *
 * Exit status: 0 success, 1 error (no /dev/netcam, no such camera),
 * 2 usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/netcam.h>

static int usage(FILE *f, int rc)
{
	fprintf(f, "usage: netcamctl list\n"
		   "       netcamctl remove NAME\n"
		   "exit status: 0 success, 1 error, 2 usage error\n");
	return rc;
}

static int do_list(int ctl)
{
	struct netcam_camera_info *cams = NULL;
	struct netcam_list req;
	uint32_t cap = 16;

	for (;;) {
		free(cams);
		cams = calloc(cap, sizeof(*cams));
		if (!cams)
			return 1;
		memset(&req, 0, sizeof(req));
		req.capacity = cap;
		req.cameras_ptr = (uintptr_t)cams;
		if (ioctl(ctl, NETCAM_IOC_LIST, &req) < 0) {
			fprintf(stderr, "netcamctl: NETCAM_IOC_LIST: %s\n", strerror(errno));
			free(cams);
			return 1;
		}
		if (req.count <= cap)
			break;
		cap = req.count;
	}
	printf("%-20s %-24s %-8s %-9s %s\n", "CAMERA", "LABEL", "HELPER", "SIGNAL", "NODES");
	for (uint32_t i = 0; i < req.count; i++) {
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
	return 0;
}

static int do_remove(int ctl, const char *name)
{
	struct netcam_remove req;

	memset(&req, 0, sizeof(req));
	if (strlen(name) >= sizeof(req.name)) {
		fprintf(stderr, "netcamctl: camera name '%s' is too long\n", name);
		return 2;
	}
	memcpy(req.name, name, strlen(name));
	if (ioctl(ctl, NETCAM_IOC_REMOVE, &req) < 0) {
		fprintf(stderr, "netcamctl: remove '%s': %s\n", name,
			errno == ENOENT ? "no such camera" : strerror(errno));
		return 1;
	}
	printf("removed camera '%s'\n", name);
	return 0;
}

int main(int argc, char **argv)
{
	int ctl, rc;

	if (argc < 2)
		return usage(stderr, 2);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		return usage(stdout, 0);
	if (!strcmp(argv[1], "list") && argc == 2) {
		ctl = open("/dev/netcam", O_RDONLY | O_CLOEXEC);
	} else if (!strcmp(argv[1], "remove") && argc == 3) {
		ctl = open("/dev/netcam", O_RDWR | O_CLOEXEC);
	} else {
		return usage(stderr, 2);
	}
	if (ctl < 0) {
		fprintf(stderr, "netcamctl: cannot open /dev/netcam: %s\n", strerror(errno));
		return 1;
	}
	rc = argv[1][0] == 'l' ? do_list(ctl) : do_remove(ctl, argv[2]);
	close(ctl);
	return rc;
}
