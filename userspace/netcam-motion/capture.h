/* SPDX-License-Identifier: GPL-2.0 */
/* V4L2 capture through libv4l2: open, small luma-friendly format, mmap
 * streaming, luma extraction (plus 4:2:0 chroma for colour snapshots). */
#ifndef NETCAM_MOTION_CAPTURE_H
#define NETCAM_MOTION_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#define CAP_MAX_BUFS 4

struct capture {
	int fd;
	char path[512];
	char card[64];
	uint32_t fourcc;
	int w, h, bpl;
	int nbufs;
	void *buf[CAP_MAX_BUFS];
	size_t len[CAP_MAX_BUFS];
	uint8_t *luma;          /* w*h, packed */
	/* Chroma at half width and height (cw x ch each, packed), filled
	 * only when colour was asked for and the format has it; else NULL. */
	uint8_t *cb, *cr;
	int cw, ch;
	int input;              /* the current input (VIDIOC_G_INPUT) */
	int no_input_status;    /* VIDIOC_ENUMINPUT failed: never asked again */
};

/* Finds the device node of a capture device whose V4L2 card name is card
 * (through libudev). 0 and the node in path; -1 if none, with the number
 * of video nodes we may not open in *denied. */
int capture_find_card(const char *card, char *path, size_t cap, int *denied);
/* The device node of node index node (0-based) of the netcam camera named
 * camera, through udev and the driver's sysfs attributes netcam/camera and
 * netcam/node. 0 and the node in path; -1 if there is none (yet). */
int capture_find_netcam(const char *camera, int node, char *path, size_t cap);
/* Opens path, checks it is a streaming capture device, sets a luma-friendly
 * format near w x h at fps, starts streaming. With colour, a YUV format is
 * preferred over GREY so that snapshots can be in colour. 0 ok; -1 with err. */
int capture_open(struct capture *c, const char *path, int w, int h, int fps,
		 int colour, char *err, size_t errlen);
/* Dequeues a frame into c->luma (and c->cb/c->cr when set). 1 frame, 0
 * nothing yet, -1 error (device gone: errno ENODEV) with err. */
int capture_read(struct capture *c, char *err, size_t errlen);
/* Whether the current input has a picture, from VIDIOC_ENUMINPUT's
 * status (netcam reports V4L2_IN_ST_NO_SIGNAL while its helper or camera
 * is away; other devices report no signal, power or lock): 1 yes, 0 no,
 * -1 the device does not say. One ioctl; cheap enough for every frame. */
int capture_signal(struct capture *c);
void capture_close(struct capture *c);
const char *capture_fourcc_str(uint32_t f, char buf[5]);

#endif
