// SPDX-License-Identifier: GPL-2.0-only
/* A capture node handle for the stress tests; see capture.h. */
#define _GNU_SOURCE
#include "capture.h"
#include "stress_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

int st_cap_open(struct st_cap *c, int video_nr, bool nonblock)
{
	char path[32];

	memset(c, 0, sizeof(*c));
	c->video_nr = video_nr;
	snprintf(path, sizeof(path), "/dev/video%d", video_nr);
	c->fd = open(path, O_RDWR | O_CLOEXEC | (nonblock ? O_NONBLOCK : 0));
	return c->fd < 0 ? -errno : 0;
}

int st_cap_set_fmt(struct st_cap *c, uint32_t fourcc, uint32_t w, uint32_t h,
		   struct v4l2_pix_format *got)
{
	struct v4l2_format f;
	int ret;

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.pixelformat = fourcc;
	f.fmt.pix.width = w;
	f.fmt.pix.height = h;
	ret = st_ioctl(c->fd, VIDIOC_S_FMT, &f);
	if (!ret && got)
		*got = f.fmt.pix;
	return ret;
}

int st_cap_set_rate(struct st_cap *c, uint32_t den)
{
	struct v4l2_streamparm p;

	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	p.parm.capture.timeperframe.numerator = 1;
	p.parm.capture.timeperframe.denominator = den;
	return st_ioctl(c->fd, VIDIOC_S_PARM, &p);
}

int st_cap_start(struct st_cap *c, unsigned int nbufs)
{
	struct v4l2_requestbuffers rb;
	unsigned int i;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret;

	if (nbufs > ST_CAP_MAX_BUFS)
		nbufs = ST_CAP_MAX_BUFS;
	memset(&rb, 0, sizeof(rb));
	rb.count = nbufs;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	ret = st_ioctl(c->fd, VIDIOC_REQBUFS, &rb);
	if (ret)
		return ret;
	c->nbufs = rb.count < ST_CAP_MAX_BUFS ? rb.count : ST_CAP_MAX_BUFS;
	for (i = 0; i < c->nbufs; i++) {
		struct v4l2_buffer b;
		void *p;

		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		ret = st_ioctl(c->fd, VIDIOC_QUERYBUF, &b);
		if (ret)
			return ret;
		p = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->fd, b.m.offset);
		if (p == MAP_FAILED)
			return -errno;
		/*
		 * A process forked by the test must not inherit the buffer:
		 * vb2 refuses REQBUFS 0 while any mapping of it exists.
		 */
		madvise(p, b.length, MADV_DONTFORK);
		c->map[i] = p;
		c->len[i] = b.length;
	}
	for (i = 0; i < c->nbufs; i++) {
		ret = st_cap_qbuf(c, i);
		if (ret)
			return ret;
	}
	ret = st_ioctl(c->fd, VIDIOC_STREAMON, &type);
	if (ret)
		return ret;
	c->streaming = true;
	c->have_last = false;
	return 0;
}

int st_cap_wait(struct st_cap *c, int timeout_ms)
{
	struct pollfd p = { .fd = c->fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, timeout_ms);
	} while (ret < 0 && errno == EINTR);
	if (ret < 0)
		return -errno;
	if (!ret)
		return 0;
	if (p.revents & POLLIN)
		return 1;
	return -ENODEV;
}

int st_cap_dqbuf(struct st_cap *c, struct v4l2_buffer *b)
{
	int ret;

	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	ret = st_ioctl(c->fd, VIDIOC_DQBUF, b);
	if (!ret && c->queued)
		c->queued--;
	return ret;
}

int st_cap_qbuf(struct st_cap *c, unsigned int index)
{
	struct v4l2_buffer b;
	int ret;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	b.index = index;
	ret = st_ioctl(c->fd, VIDIOC_QBUF, &b);
	if (!ret)
		c->queued++;
	return ret;
}

static void st_cap_unmap(struct st_cap *c)
{
	unsigned int i;

	for (i = 0; i < ST_CAP_MAX_BUFS; i++) {
		if (c->map[i])
			munmap(c->map[i], c->len[i]);
		c->map[i] = NULL;
	}
}

int st_cap_stop(struct st_cap *c)
{
	struct v4l2_requestbuffers rb;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE, ret, r;

	ret = st_ioctl(c->fd, VIDIOC_STREAMOFF, &type);
	c->streaming = false;
	c->queued = 0;
	/* vb2 keeps mapped buffers: unmap before freeing them */
	st_cap_unmap(c);
	memset(&rb, 0, sizeof(rb));
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	r = st_ioctl(c->fd, VIDIOC_REQBUFS, &rb);
	c->nbufs = 0;
	return ret ? ret : r;
}

void st_cap_close(struct st_cap *c, bool close_first)
{
	if (close_first && c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
	st_cap_unmap(c);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->streaming = false;
	c->nbufs = 0;
	c->queued = 0;
}
