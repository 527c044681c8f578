// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_mkcam: create (or remove) a netcam camera from a shell test.
 *
 *   netcam_mkcam [-n NODES] [-H] NAME   create; print "ID VIDEO_NR..." on stdout
 *                                       -H: keep the feed channel open until killed
 *   netcam_mkcam -r NAME                remove
 *
 * Without -H the feed channel closes on exit and the camera stays (no
 * signal, placeholder frames). Exit: 0 ok, 1 ioctl failed, 2 usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/videodev2.h>
#include <linux/netcam.h>

static const struct netcam_mode modes[] = {
	{ V4L2_PIX_FMT_YUYV, 320, 240, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_GREY, 160, 120, 1, 10, { 0 } },
};

int main(int argc, char **argv)
{
	struct netcam_camera_info infos[64];
	struct netcam_create cr;
	struct netcam_list l;
	int opt, hold = 0, rm = 0, ctl;
	unsigned int nodes = 1, i, j;

	while ((opt = getopt(argc, argv, "n:Hr")) != -1) {
		switch (opt) {
		case 'n': nodes = (unsigned int)atoi(optarg); break;
		case 'H': hold = 1; break;
		case 'r': rm = 1; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || strlen(argv[optind]) >= NETCAM_NAME_LEN)
		goto usage;
	ctl = open("/dev/netcam", O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "netcam_mkcam: /dev/netcam: %s\n", strerror(errno));
		return 1;
	}
	if (rm) {
		struct netcam_remove r;

		memset(&r, 0, sizeof(r));
		strcpy(r.name, argv[optind]);
		if (ioctl(ctl, NETCAM_IOC_REMOVE, &r)) {
			fprintf(stderr, "netcam_mkcam: remove %s: %s\n", r.name,
				strerror(errno));
			return 1;
		}
		return 0;
	}
	memset(&cr, 0, sizeof(cr));
	strcpy(cr.name, argv[optind]);
	cr.num_nodes = nodes;
	cr.num_modes = 2;
	cr.modes_ptr = (__u64)(uintptr_t)modes;
	if (ioctl(ctl, NETCAM_IOC_CREATE, &cr)) {
		fprintf(stderr, "netcam_mkcam: create %s: %s\n", cr.name,
			strerror(errno));
		return 1;
	}
	memset(&l, 0, sizeof(l));
	l.capacity = 64;
	l.cameras_ptr = (__u64)(uintptr_t)infos;
	if (ioctl(ctl, NETCAM_IOC_LIST, &l)) {
		fprintf(stderr, "netcam_mkcam: list: %s\n", strerror(errno));
		return 1;
	}
	for (i = 0; i < l.count && i < 64; i++) {
		if (infos[i].id != cr.id)
			continue;
		printf("%u", cr.id);
		for (j = 0; j < infos[i].num_nodes && j < NETCAM_MAX_NODES; j++)
			printf(" %d", infos[i].video_nr[j]);
		printf("\n");
	}
	fflush(stdout);
	close(ctl);
	if (hold)
		for (;;)
			pause();
	return 0;
usage:
	fprintf(stderr, "usage: netcam_mkcam [-n NODES] [-H] NAME | -r NAME\n");
	return 2;
}
