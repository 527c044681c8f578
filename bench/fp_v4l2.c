// SPDX-License-Identifier: GPL-2.0-only
/* frame-path benchmark: the V4L2 capture side (MMAP streaming). */
#include "fp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

int fp_capture_open(struct fp_capture *cap, const char *path, uint32_t fourcc,
		    uint32_t width, uint32_t height, size_t *frame_size)
{
	struct v4l2_requestbuffers req;
	struct v4l2_format fmt;
	char want[5], got[5];

	memset(cap, 0, sizeof(*cap));
	cap->held = -1;
	for (unsigned int i = 0; i < FP_NUM_BUFFERS; i++)
		cap->maps[i] = MAP_FAILED;
	cap->fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (cap->fd < 0) {
		fprintf(stderr, "frame-path: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	fmt.fmt.pix.pixelformat = fourcc;
	fmt.fmt.pix.width = width;
	fmt.fmt.pix.height = height;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(cap->fd, VIDIOC_S_FMT, &fmt) < 0) {
		fprintf(stderr, "frame-path: %s: VIDIOC_S_FMT capture: %s\n",
			path, strerror(errno));
		return -1;
	}
	fp_fourcc_str(fourcc, want);
	fp_fourcc_str(fmt.fmt.pix.pixelformat, got);
	if (fmt.fmt.pix.pixelformat != fourcc || fmt.fmt.pix.width != width ||
	    fmt.fmt.pix.height != height) {
		fprintf(stderr, "frame-path: %s: asked for %s %ux%u, got %s %ux%u\n",
			path, want, width, height, got, fmt.fmt.pix.width,
			fmt.fmt.pix.height);
		return -1;
	}
	if (fmt.fmt.pix.sizeimage < fp_frame_size(fourcc, width, height)) {
		fprintf(stderr, "frame-path: %s: sizeimage %u is less than a %s %ux%u frame (%zu)\n",
			path, fmt.fmt.pix.sizeimage, want, width, height,
			fp_frame_size(fourcc, width, height));
		return -1;
	}
	*frame_size = fp_frame_size(fourcc, width, height);

	memset(&req, 0, sizeof(req));
	req.count = FP_NUM_BUFFERS;
	req.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	req.memory = V4L2_MEMORY_MMAP;
	if (xioctl(cap->fd, VIDIOC_REQBUFS, &req) < 0) {
		fprintf(stderr, "frame-path: %s: VIDIOC_REQBUFS %u MMAP: %s\n",
			path, FP_NUM_BUFFERS, strerror(errno));
		return -1;
	}
	if (req.count < 2 || req.count > FP_NUM_BUFFERS) {
		fprintf(stderr, "frame-path: %s: VIDIOC_REQBUFS gave %u buffers, need 2..%u\n",
			path, req.count, FP_NUM_BUFFERS);
		return -1;
	}
	if (req.count != FP_NUM_BUFFERS)
		fprintf(stderr, "frame-path: %s: note: driver gave %u buffers, not %u\n",
			path, req.count, FP_NUM_BUFFERS);
	cap->count = req.count;
	for (unsigned int i = 0; i < cap->count; i++) {
		struct v4l2_buffer buf;

		memset(&buf, 0, sizeof(buf));
		buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		buf.memory = V4L2_MEMORY_MMAP;
		buf.index = i;
		if (xioctl(cap->fd, VIDIOC_QUERYBUF, &buf) < 0) {
			fprintf(stderr, "frame-path: %s: VIDIOC_QUERYBUF %u: %s\n",
				path, i, strerror(errno));
			return -1;
		}
		cap->lengths[i] = buf.length;
		cap->maps[i] = mmap(NULL, buf.length, PROT_READ | PROT_WRITE,
				    MAP_SHARED, cap->fd, buf.m.offset);
		if (cap->maps[i] == MAP_FAILED) {
			fprintf(stderr, "frame-path: %s: mmap buffer %u (%u bytes): %s\n",
				path, i, buf.length, strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int queue_buffer(struct fp_capture *cap, unsigned int index)
{
	struct v4l2_buffer buf;

	memset(&buf, 0, sizeof(buf));
	buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	buf.memory = V4L2_MEMORY_MMAP;
	buf.index = index;
	if (xioctl(cap->fd, VIDIOC_QBUF, &buf) < 0) {
		fprintf(stderr, "frame-path: VIDIOC_QBUF %u: %s\n", index,
			strerror(errno));
		return -1;
	}
	return 0;
}

int fp_capture_start(struct fp_capture *cap)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	for (unsigned int i = 0; i < cap->count; i++)
		if (queue_buffer(cap, i) < 0)
			return -1;
	if (xioctl(cap->fd, VIDIOC_STREAMON, &type) < 0) {
		fprintf(stderr, "frame-path: VIDIOC_STREAMON capture: %s\n",
			strerror(errno));
		return -1;
	}
	cap->streaming = true;
	return 0;
}

int fp_capture_dequeue(struct fp_capture *cap, int timeout_ms,
		       const uint8_t **data, uint32_t *sequence)
{
	uint64_t deadline = fp_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct v4l2_buffer buf;

	for (;;) {
		memset(&buf, 0, sizeof(buf));
		buf.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		buf.memory = V4L2_MEMORY_MMAP;
		if (xioctl(cap->fd, VIDIOC_DQBUF, &buf) == 0)
			break;
		if (errno != EAGAIN) {
			fprintf(stderr, "frame-path: VIDIOC_DQBUF: %s\n",
				strerror(errno));
			return -1;
		}
		uint64_t now = fp_now_ns();
		if (now >= deadline)
			return 1;
		struct pollfd pfd = { .fd = cap->fd, .events = POLLIN };
		int left = (int)((deadline - now) / 1000000ULL) + 1;

		if (poll(&pfd, 1, left) < 0 && errno != EINTR) {
			fprintf(stderr, "frame-path: poll capture: %s\n",
				strerror(errno));
			return -1;
		}
	}
	if (buf.index >= cap->count) {
		fprintf(stderr, "frame-path: VIDIOC_DQBUF returned index %u of %u\n",
			buf.index, cap->count);
		return -1;
	}
	cap->held = (int)buf.index;
	*data = cap->maps[buf.index];
	*sequence = buf.sequence;
	return 0;
}

int fp_capture_requeue(struct fp_capture *cap)
{
	int index = cap->held;

	cap->held = -1;
	return index < 0 ? 0 : queue_buffer(cap, (unsigned int)index);
}

void fp_capture_close(struct fp_capture *cap)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	if (cap->fd < 0)
		return;
	if (cap->streaming)
		xioctl(cap->fd, VIDIOC_STREAMOFF, &type);
	for (unsigned int i = 0; i < FP_NUM_BUFFERS; i++)
		if (cap->maps[i] != MAP_FAILED)
			munmap(cap->maps[i], cap->lengths[i]);
	close(cap->fd);
	cap->fd = -1;
}
