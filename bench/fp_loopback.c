// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame-path benchmark: v4l2loopback backend (Debian's 0.12.7).
 *
 * The producer opens the loopback node, sets the format on the OUTPUT
 * type and write()s whole frames: in 0.12.7 write() is the fast path (one
 * copy_from_user into the next slot of the device's ring, no ioctls per
 * frame), while OUTPUT mmap streaming costs a QBUF and a DQBUF per frame
 * on top of the producer's own copy into the mapped buffer. The writer is
 * never blocked; a reader that falls more than two frames behind skips to
 * the newest, which shows as sequence gaps (drops). One priming frame is
 * written before the consumer opens the capture side, because with
 * exclusive_caps=1 the node only offers CAPTURE once a writer has given
 * it a format and data.
 */
#include "fp.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct loopback_priv {
	int out;
	uint8_t *prime;
};

static int find_loopback(char *path, size_t size)
{
	for (int i = 0; i < 64; i++) {
		struct v4l2_capability cap;
		int fd;

		snprintf(path, size, "/dev/video%d", i);
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd < 0)
			continue;
		memset(&cap, 0, sizeof(cap));
		if (ioctl(fd, VIDIOC_QUERYCAP, &cap) == 0 &&
		    strcmp((const char *)cap.driver, "v4l2 loopback") == 0) {
			close(fd);
			return 0;
		}
		close(fd);
	}
	fprintf(stderr, "frame-path: no v4l2loopback node in /dev/video0..63 (is v4l2loopback.ko loaded?); use --device\n");
	return -1;
}

static int loopback_setup(struct fp_ctx *ctx)
{
	const struct fp_opts *o = ctx->opts;
	struct loopback_priv *p = calloc(1, sizeof(*p));
	struct v4l2_format fmt;
	size_t size = fp_frame_size(o->fourcc, o->width, o->height);
	uint32_t bpl = o->fourcc == V4L2_PIX_FMT_YUYV ? o->width * 2 : o->width;
	ssize_t n;

	if (!p)
		return -1;
	ctx->priv = p;
	p->out = -1;
	if (o->device)
		snprintf(ctx->node_path, sizeof(ctx->node_path), "%s", o->device);
	else if (find_loopback(ctx->node_path, sizeof(ctx->node_path)) < 0)
		return -1;
	p->out = open(ctx->node_path, O_RDWR | O_CLOEXEC);
	if (p->out < 0) {
		fprintf(stderr, "frame-path: open %s: %s\n", ctx->node_path,
			strerror(errno));
		return -1;
	}
	memset(&fmt, 0, sizeof(fmt));
	fmt.type = V4L2_BUF_TYPE_VIDEO_OUTPUT;
	fmt.fmt.pix.pixelformat = o->fourcc;
	fmt.fmt.pix.width = o->width;
	fmt.fmt.pix.height = o->height;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	fmt.fmt.pix.bytesperline = bpl;
	fmt.fmt.pix.sizeimage = (uint32_t)size;
	fmt.fmt.pix.colorspace = V4L2_COLORSPACE_SRGB;
	if (ioctl(p->out, VIDIOC_S_FMT, &fmt) < 0) {
		fprintf(stderr, "frame-path: %s: VIDIOC_S_FMT output: %s\n",
			ctx->node_path, strerror(errno));
		return -1;
	}
	if (fmt.fmt.pix.pixelformat != o->fourcc || fmt.fmt.pix.width != o->width ||
	    fmt.fmt.pix.height != o->height) {
		fprintf(stderr, "frame-path: %s: output format not taken (got %ux%u)\n",
			ctx->node_path, fmt.fmt.pix.width, fmt.fmt.pix.height);
		return -1;
	}
	/* Prime: the capture side appears once a writer has written. */
	p->prime = calloc(1, size);
	if (!p->prime)
		return -1;
	n = write(p->out, p->prime, size);
	if (n != (ssize_t)size) {
		fprintf(stderr, "frame-path: %s: priming write of %zu bytes: %s\n",
			ctx->node_path, size, n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	if (fp_capture_open(&ctx->cap, ctx->node_path, o->fourcc, o->width,
			    o->height, &ctx->frame_size) < 0 ||
	    fp_capture_start(&ctx->cap) < 0)
		return -1;
	return 0;
}

static int loopback_send(struct fp_ctx *ctx, const uint8_t *frame)
{
	struct loopback_priv *p = ctx->priv;
	ssize_t n;

	do
		n = write(p->out, frame, ctx->frame_size);
	while (n < 0 && errno == EINTR);

	if (n == (ssize_t)ctx->frame_size)
		return 0;
	fprintf(stderr, "frame-path: %s: write %zu bytes: %s\n", ctx->node_path,
		ctx->frame_size, n < 0 ? strerror(errno) : "short write");
	return -1;
}

static int loopback_dequeue(struct fp_ctx *ctx, int timeout_ms,
			    const uint8_t **data, uint32_t *sequence)
{
	return fp_capture_dequeue(&ctx->cap, timeout_ms, data, sequence);
}

static int loopback_requeue(struct fp_ctx *ctx)
{
	return fp_capture_requeue(&ctx->cap);
}

static long long loopback_driver_dropped(struct fp_ctx *ctx)
{
	(void)ctx;
	return -1;
}

static void loopback_teardown(struct fp_ctx *ctx)
{
	struct loopback_priv *p = ctx->priv;

	fp_capture_close(&ctx->cap);
	if (!p)
		return;
	if (p->out >= 0)
		close(p->out);
	free(p->prime);
	free(p);
	ctx->priv = NULL;
}

const struct fp_backend fp_backend_v4l2loopback = {
	.name = "v4l2loopback",
	.method = "write()",
	.setup = loopback_setup,
	.send = loopback_send,
	.dequeue = loopback_dequeue,
	.requeue = loopback_requeue,
	.driver_dropped = loopback_driver_dropped,
	.teardown = loopback_teardown,
};
