// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz --check: is the module still usable after a fuzz run?
 *
 * Creates camera "fzcheck" (YUYV 160x120 at 30 fps), streams its node with
 * three mmap buffers, waits for NETCAM_EVENT_STREAM_ON on the feed, feeds
 * frames filled with 0x42 and wants a dequeued buffer that holds them
 * (a placeholder would be 0x80) within 10 s. Then stops, closes and
 * removes the camera. Exit 0 when all of that worked, 1 otherwise.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define W 160
#define H 120
#define SIZE (W * H * 2)
#define NBUF 3

static int fail(const char *what)
{
	fprintf(stderr, "netcam_fuzz --check: %s: %s\n", what, strerror(errno));
	return 1;
}

static int find_node(int ctl, uint32_t id)
{
	struct netcam_camera_info ci[64];
	struct netcam_list l;
	unsigned int i;

	memset(&l, 0, sizeof(l));
	l.capacity = 64;
	l.cameras_ptr = (uintptr_t)ci;
	if (ioctl(ctl, NETCAM_IOC_LIST, &l))
		return -1;
	for (i = 0; i < l.count && i < 64; i++)
		if (ci[i].id == id)
			return ci[i].video_nr[0];
	errno = ENOENT;
	return -1;
}

static int check_stream(int feed, int vfd)
{
	static unsigned char frame[SIZE];
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	unsigned char *map[NBUF];
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, i, real = 0, got = 0;
	bool streaming = false;
	int64_t end;

	memset(&rb, 0, sizeof(rb));
	rb.count = NBUF;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (ioctl(vfd, VIDIOC_REQBUFS, &rb) || rb.count < 2)
		return fail("REQBUFS");
	for (i = 0; i < (int)rb.count && i < NBUF; i++) {
		memset(&b, 0, sizeof(b));
		b.type = rb.type;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = (uint32_t)i;
		if (ioctl(vfd, VIDIOC_QUERYBUF, &b))
			return fail("QUERYBUF");
		map[i] = mmap(NULL, b.length, PROT_READ, MAP_SHARED, vfd, b.m.offset);
		if (map[i] == MAP_FAILED)
			return fail("mmap");
		if (ioctl(vfd, VIDIOC_QBUF, &b))
			return fail("QBUF");
	}
	if (ioctl(vfd, VIDIOC_STREAMON, &type))
		return fail("STREAMON");
	memset(frame, 0x42, sizeof(frame));
	end = fz_now_ns() + 10000000000ll;
	while (fz_now_ns() < end && !real) {
		struct pollfd pfd[2] = {
			{ .fd = feed, .events = POLLIN },
			{ .fd = vfd, .events = POLLIN },
		};
		struct netcam_event ev[16];
		struct netcam_frame f;
		ssize_t n;

		if (poll(pfd, 2, 50) < 0 && errno != EINTR)
			return fail("poll");
		if (pfd[0].revents & POLLIN) {
			n = read(feed, ev, sizeof(ev));
			for (i = 0; n > 0 && i < (int)(n / (ssize_t)sizeof(ev[0])); i++)
				if (ev[i].node == 0)
					streaming = ev[i].streaming;
		}
		if (streaming) {
			memset(&f, 0, sizeof(f));
			f.pixelformat = V4L2_PIX_FMT_YUYV;
			f.width = W;
			f.height = H;
			f.bytesused = SIZE;
			f.data_ptr = (uintptr_t)frame;
			if (ioctl(feed, NETCAM_IOC_FEED_FRAME, &f) && errno != ESTALE)
				return fail("FEED_FRAME");
		}
		if (pfd[1].revents & POLLIN) {
			memset(&b, 0, sizeof(b));
			b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			b.memory = V4L2_MEMORY_MMAP;
			if (ioctl(vfd, VIDIOC_DQBUF, &b) == 0) {
				got++;
				if (b.index < NBUF && b.bytesused == SIZE &&
				    map[b.index][0] == 0x42 && map[b.index][SIZE - 1] == 0x42)
					real++;
				if (ioctl(vfd, VIDIOC_QBUF, &b))
					return fail("QBUF again");
			}
		}
	}
	if (ioctl(vfd, VIDIOC_STREAMOFF, &type))
		return fail("STREAMOFF");
	if (!real) {
		fprintf(stderr, "netcam_fuzz --check: no fed frame came through in 10 s "
			"(%d buffers dequeued, streaming event %s)\n", got, streaming ? "seen" : "not seen");
		return 1;
	}
	printf("netcam_fuzz --check: ok: %d buffers dequeued, the fed frame among them\n", got);
	return 0;
}

int fz_selfcheck(void)
{
	static const struct netcam_mode mode = { V4L2_PIX_FMT_YUYV, W, H, 1, 30, { 0 } };
	struct netcam_remove r;
	struct netcam_create c;
	char path[32];
	int ctl, vfd, nr, rc, i;

	ctl = open("/dev/netcam", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		return fail("/dev/netcam");
	memset(&r, 0, sizeof(r));
	strcpy(r.name, "fzcheck");
	ioctl(ctl, NETCAM_IOC_REMOVE, &r);	/* left over from an earlier run */
	memset(&c, 0, sizeof(c));
	strcpy(c.name, "fzcheck");
	c.num_nodes = 1;
	c.num_modes = 1;
	c.modes_ptr = (uintptr_t)&mode;
	if (ioctl(ctl, NETCAM_IOC_CREATE, &c))
		return fail("CREATE fzcheck");
	nr = find_node(ctl, c.id);
	if (nr < 0)
		return fail("LIST");
	snprintf(path, sizeof(path), "/dev/video%d", nr);
	for (i = 0; i < 50; i++) {	/* udev may still be creating it */
		vfd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (vfd >= 0 || errno != ENOENT)
			break;
		usleep(100000);
	}
	if (vfd < 0)
		return fail(path);
	rc = check_stream(c.fd, vfd);
	close(vfd);
	close(c.fd);
	if (ioctl(ctl, NETCAM_IOC_REMOVE, &r))
		rc = fail("REMOVE fzcheck");
	close(ctl);
	return rc;
}
