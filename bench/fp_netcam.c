// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame-path benchmark: netcam.ko backend.
 *
 * Creates a camera with one node whose only mode is the benchmark's
 * format and size at 1/1000 s (the fastest interval the uAPI allows),
 * streams from the node, waits for STREAM_ON on the feed channel and then
 * feeds frames with NETCAM_IOC_FEED_FRAME. A frame that finds no queued
 * buffer is dropped by the driver (sequence gap, sysfs frames_dropped).
 */
#include "fp.h"
#include "netcam-client.h"
#include "netcam-util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/netcam.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

struct netcam_priv {
	int ctl;
	int feed;
	char name[NETCAM_NAME_LEN];
	char sysfs_dropped[128];
	long long dropped0;
	struct netcam_frame frame;
};

static long long read_counter(const char *path)
{
	char buf[32];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	return strtoll(buf, NULL, 10);
}

static int find_node(struct netcam_priv *p, uint32_t id, int *video_nr)
{
	struct netcam_camera_info *info;
	size_t count;

	if (netcam_list(p->ctl, &info, &count) < 0) {
		fprintf(stderr, "frame-path: NETCAM_IOC_LIST: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (info[i].id == id) {
			*video_nr = info[i].video_nr[0];
			free(info);
			return 0;
		}
	}
	free(info);
	fprintf(stderr, "frame-path: camera %s (id %u) not in NETCAM_IOC_LIST\n",
		p->name, id);
	return -1;
}

/* Read feed events until node 0 reports streaming (STREAM_ON). */
static int wait_stream_on(struct netcam_priv *p, const struct fp_opts *o)
{
	uint64_t deadline = fp_now_ns() + 10ULL * 1000000000ULL;

	while (fp_now_ns() < deadline) {
		struct pollfd pfd = { .fd = p->feed, .events = POLLIN };
		struct netcam_event ev[16];
		ssize_t got;

		if (poll(&pfd, 1, 1000) <= 0)
			continue;
		got = read(p->feed, ev, sizeof(ev));
		if (got < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "frame-path: read feed channel: %s\n",
				strerror(errno));
			return -1;
		}
		for (size_t i = 0; i < (size_t)got / sizeof(ev[0]); i++) {
			if (ev[i].node != 0 || ev[i].type != NETCAM_EVENT_STREAM_ON ||
			    !ev[i].streaming)
				continue;
			if (ev[i].pixelformat != o->fourcc ||
			    ev[i].width != o->width || ev[i].height != o->height) {
				fprintf(stderr, "frame-path: node streams %ux%u, not the benchmark's %ux%u\n",
					ev[i].width, ev[i].height, o->width, o->height);
				return -1;
			}
			return 0;
		}
	}
	fprintf(stderr, "frame-path: no STREAM_ON event on the feed channel within 10 s\n");
	return -1;
}

static int netcam_setup(struct fp_ctx *ctx)
{
	const struct fp_opts *o = ctx->opts;
	struct netcam_priv *p = calloc(1, sizeof(*p));
	struct netcam_create req;
	struct netcam_mode mode;
	int video_nr = -1;

	if (!p)
		return -1;
	ctx->priv = p;
	p->feed = -1;
	p->ctl = netcam_open_control();
	if (p->ctl < 0) {
		fprintf(stderr, "frame-path: open /dev/netcam: %s (is netcam.ko loaded?)\n",
			strerror(errno));
		return -1;
	}
	snprintf(p->name, sizeof(p->name), "bench-%d", (int)getpid());
	memset(&mode, 0, sizeof(mode));
	mode.pixelformat = o->fourcc;
	mode.width = o->width;
	mode.height = o->height;
	mode.interval_num = 1;
	mode.interval_den = 1000;
	memset(&req, 0, sizeof(req));
	copy_fixed(req.name, sizeof(req.name), p->name);
	copy_fixed(req.label, sizeof(req.label), "frame-path bench");
	req.num_nodes = 1;
	req.num_modes = 1;
	req.modes_ptr = (uintptr_t)&mode;
	if (netcam_create(p->ctl, &req) < 0) {
		fprintf(stderr, "frame-path: NETCAM_IOC_CREATE %s: %s\n", p->name,
			strerror(errno));
		return -1;
	}
	p->feed = req.fd;
	if (find_node(p, req.id, &video_nr) < 0)
		return -1;
	snprintf(ctx->node_path, sizeof(ctx->node_path), "/dev/video%d", video_nr);
	snprintf(p->sysfs_dropped, sizeof(p->sysfs_dropped),
		 "/sys/class/video4linux/video%d/netcam/frames_dropped", video_nr);
	/* devtmpfs creates the node asynchronously. */
	for (int i = 0; i < 50 && access(ctx->node_path, F_OK) < 0; i++)
		usleep(100000);
	if (fp_capture_open(&ctx->cap, ctx->node_path, o->fourcc, o->width,
			    o->height, &ctx->frame_size) < 0 ||
	    fp_capture_start(&ctx->cap) < 0)
		return -1;
	if (wait_stream_on(p, o) < 0)
		return -1;
	p->dropped0 = read_counter(p->sysfs_dropped);
	memset(&p->frame, 0, sizeof(p->frame));
	p->frame.node = 0;
	p->frame.pixelformat = o->fourcc;
	p->frame.width = o->width;
	p->frame.height = o->height;
	p->frame.bytesused = (uint32_t)ctx->frame_size;
	return 0;
}

static int netcam_send(struct fp_ctx *ctx, const uint8_t *frame)
{
	struct netcam_priv *p = ctx->priv;
	struct netcam_frame f = p->frame;

	f.data_ptr = (uintptr_t)frame;
	for (;;) {
		if (netcam_feed_frame(p->feed, &f) == 0)
			return 0;
		if (errno != EINTR)
			break;
	}
	fprintf(stderr, "frame-path: NETCAM_IOC_FEED_FRAME (%u bytes): %s\n",
		f.bytesused, strerror(errno));
	return -1;
}

static int netcam_dequeue(struct fp_ctx *ctx, int timeout_ms,
			  const uint8_t **data, uint32_t *sequence)
{
	return fp_capture_dequeue(&ctx->cap, timeout_ms, data, sequence);
}

static int netcam_requeue(struct fp_ctx *ctx)
{
	return fp_capture_requeue(&ctx->cap);
}

static long long netcam_driver_dropped(struct fp_ctx *ctx)
{
	struct netcam_priv *p = ctx->priv;
	long long now = read_counter(p->sysfs_dropped);

	return now < 0 || p->dropped0 < 0 ? -1 : now - p->dropped0;
}

static void netcam_teardown(struct fp_ctx *ctx)
{
	struct netcam_priv *p = ctx->priv;

	fp_capture_close(&ctx->cap);
	if (!p)
		return;
	if (p->feed >= 0)
		close(p->feed);
	if (p->ctl >= 0 && p->name[0]) {
		if (netcam_remove(p->ctl, p->name) < 0 && errno != ENOENT)
			fprintf(stderr, "frame-path: NETCAM_IOC_REMOVE %s: %s\n",
				p->name, strerror(errno));
	}
	if (p->ctl >= 0)
		close(p->ctl);
	free(p);
	ctx->priv = NULL;
}

const struct fp_backend fp_backend_netcam = {
	.name = "netcam",
	.method = "NETCAM_IOC_FEED_FRAME",
	.setup = netcam_setup,
	.send = netcam_send,
	.dequeue = netcam_dequeue,
	.requeue = netcam_requeue,
	.driver_dropped = netcam_driver_dropped,
	.teardown = netcam_teardown,
};
