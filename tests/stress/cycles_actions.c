// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_cycles: the sequential steps. Each one does one thing a helper or
 * an app may do at any moment (create or re-attach, close the feed, remove
 * the camera, open a node, stream, take frames, stop, close, change format
 * or rate, feed, touch a stale fd) and checks the result against the state.
 */
#define _GNU_SOURCE
#include "cycles.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

/* Largest raw frame of cy_modes (YUYV 160x120), also the MJPEG junk. */
static uint8_t cy_frame[160 * 120 * 2];

bool cy_handle_stale(const struct cy_state *s, const struct cy_handle *h)
{
	return !s->exists || h->gen != s->gen;
}

bool cy_node_streaming(const struct cy_state *s, unsigned int node)
{
	unsigned int i;

	for (i = 0; i < CY_MAX_HANDLES; i++) {
		const struct cy_handle *h = &s->h[i];

		if (h->used && !cy_handle_stale(s, h) && h->node == node &&
		    h->cap.streaming)
			return true;
	}
	return false;
}

/* The live handle that owns @node's buffer queue, or NULL. */
static struct cy_handle *cy_owner(struct cy_state *s, unsigned int node)
{
	unsigned int i;

	for (i = 0; i < CY_MAX_HANDLES; i++) {
		struct cy_handle *h = &s->h[i];

		if (h->used && !cy_handle_stale(s, h) && h->node == node &&
		    h->cap.nbufs)
			return h;
	}
	return NULL;
}

enum { PICK_LIVE = 1, PICK_STALE = 2, PICK_STREAMING = 4, PICK_NO_BUFS = 8,
       PICK_BUFS = 16 };

static bool cy_matches(const struct cy_state *s, const struct cy_handle *h,
		       unsigned int want)
{
	bool stale = cy_handle_stale(s, h);

	if (!h->used)
		return false;
	if ((want & PICK_LIVE) && stale)
		return false;
	if ((want & PICK_STALE) && !stale)
		return false;
	if ((want & PICK_STREAMING) && !h->cap.streaming)
		return false;
	if ((want & PICK_NO_BUFS) && h->cap.nbufs)
		return false;
	if ((want & PICK_BUFS) && !h->cap.nbufs)
		return false;
	return true;
}

/* A random handle matching @want, or NULL. */
static struct cy_handle *cy_pick(struct cy_state *s, unsigned int want)
{
	struct cy_handle *c[CY_MAX_HANDLES];
	unsigned int i, n = 0;

	for (i = 0; i < CY_MAX_HANDLES; i++)
		if (cy_matches(s, &s->h[i], want))
			c[n++] = &s->h[i];
	return n ? c[st_rng_below(&s->rng, n)] : NULL;
}

static void cy_check_event(struct cy_state *s, const struct netcam_event *ev)
{
	unsigned int i;

	if (ev->node >= s->nnodes || ev->type < NETCAM_EVENT_STREAM_ON ||
	    ev->type > NETCAM_EVENT_FORMAT || ev->streaming > 1)
		cy_bad(s, "feed event type %u node %u streaming %u out of range",
		       ev->type, ev->node, ev->streaming);
	for (i = 0; i < 5; i++)
		if (ev->reserved[i])
			cy_bad(s, "feed event reserved[%u] = %u", i, ev->reserved[i]);
}

void cy_drain_events(struct cy_state *s)
{
	struct netcam_event evs[8];
	ssize_t n;
	unsigned int i;

	if (s->feed < 0)
		return;
	for (;;) {
		n = read(s->feed, evs, sizeof(evs));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			if (errno != EAGAIN)
				cy_bad(s, "feed read: %s", strerror(errno));
			return;
		}
		if (n == 0) {
			cy_bad(s, "feed read: end of file on an attached feed");
			return;
		}
		if (n % sizeof(evs[0]))
			cy_bad(s, "feed read returned %zd bytes", n);
		for (i = 0; i < n / sizeof(evs[0]); i++) {
			cy_check_event(s, &evs[i]);
			if (evs[i].node < CY_MAX_NODES)
				s->ev[evs[i].node] = evs[i];
		}
	}
}

/* A new feed starts with one event per node saying its current state. */
static void cy_check_initial_events(struct cy_state *s)
{
	struct netcam_event evs[CY_MAX_NODES + 1];
	unsigned int i, want;
	ssize_t n;

	do {
		n = read(s->feed, evs, sizeof(evs));
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(s->nnodes * sizeof(evs[0]))) {
		cy_bad(s, "new feed: read %zd bytes of initial events, want %zu (%s)",
		       n, s->nnodes * sizeof(evs[0]), n < 0 ? strerror(errno) : "");
		if (n > 0)
			for (i = 0; i < n / sizeof(evs[0]) && i < CY_MAX_NODES; i++)
				s->ev[evs[i].node % CY_MAX_NODES] = evs[i];
		return;
	}
	for (i = 0; i < s->nnodes; i++) {
		cy_check_event(s, &evs[i]);
		want = cy_node_streaming(s, i) ? NETCAM_EVENT_STREAM_ON :
						 NETCAM_EVENT_FORMAT;
		if (evs[i].node != i || evs[i].type != want ||
		    evs[i].streaming != (want == NETCAM_EVENT_STREAM_ON) ||
		    evs[i].sequence != i)
			cy_bad(s, "new feed: event %u is type %u node %u streaming %u seq %u, want type %u node %u",
			       i, evs[i].type, evs[i].node, evs[i].streaming,
			       evs[i].sequence, want, i);
		s->ev[i] = evs[i];
	}
}

void cy_check_list(struct cy_state *s)
{
	struct netcam_camera_info info;
	uint32_t want_flags = 0, mask = 0;
	unsigned int i;
	int ret;

	ret = st_find(s->ctl, CY_NAME, &info);
	if (ret < 0) {
		cy_bad(s, "LIST: %s", strerror(-ret));
		return;
	}
	if (ret != s->exists) {
		cy_bad(s, "LIST: camera %s, want it %s", ret ? "listed" : "missing",
		       s->exists ? "listed" : "gone");
		return;
	}
	if (!ret)
		return;
	if (s->feed >= 0)
		want_flags |= NETCAM_CAMERA_FEED_ATTACHED;
	if (s->feed >= 0 && s->signal)
		want_flags |= NETCAM_CAMERA_SIGNAL;
	for (i = 0; i < s->nnodes; i++)
		if (cy_node_streaming(s, i))
			mask |= 1u << i;
	if (info.id != s->id || info.num_nodes != s->nnodes ||
	    info.flags != want_flags || info.streaming_mask != mask)
		cy_bad(s, "LIST: id %u nodes %u flags %#x streaming %#x, want %u %u %#x %#x",
		       info.id, info.num_nodes, info.flags, info.streaming_mask,
		       s->id, s->nnodes, want_flags, mask);
	for (i = 0; i < s->nnodes && i < CY_MAX_NODES; i++)
		if (info.video_nr[i] != s->video_nr[i])
			cy_bad(s, "LIST: node %u is video%d, was video%d", i,
			       info.video_nr[i], s->video_nr[i]);
}

void cy_act_create(struct cy_state *s)
{
	struct netcam_camera_info info;
	unsigned int n = st_rng_range(&s->rng, 1, CY_MAX_NODES), i;
	uint32_t id = 0, flags = 0;
	int feed = -1, ret;

	s->action = "create";
	if (st_rng_pct(&s->rng, 30)) {
		/* a restarted helper without its modes: attach, never create */
		s->action = "attach";
		ret = st_attach(s->ctl, CY_NAME, &feed, &id);
		if (!s->exists || s->feed >= 0) {
			cy_want(s, s->exists ? "ATTACH with the feed attached" :
					       "ATTACH to a removed camera",
				ret, s->exists ? -EBUSY : -ENOENT, CY_END);
			if (!ret)
				close(feed);
			return;
		}
		flags = NETCAM_CREATE_REATTACHED;
	} else {
		ret = st_create(s->ctl, CY_NAME, n, cy_modes, cy_num_modes, &feed,
				&id, &flags);
	}
	if (s->exists && s->feed >= 0) {
		/* one feed per camera: the attached one keeps it */
		cy_want(s, "CREATE with the feed attached", ret, -EEXIST, CY_END);
		if (!ret)
			close(feed);
		return;
	}
	if (!cy_want(s, s->exists ? "CREATE/ATTACH (re-attach)" : "CREATE", ret, 0,
		     CY_END))
		return;
	fcntl(feed, F_SETFL, O_NONBLOCK);
	s->feed = feed;
	s->signal = true;
	if (s->exists) {
		s->reattaches++;
		if (flags != NETCAM_CREATE_REATTACHED || id != s->id)
			cy_bad(s, "re-attach: flags_out %#x id %u, want %#lx id %u",
			       flags, id, (unsigned long)NETCAM_CREATE_REATTACHED, s->id);
	} else {
		s->creates++;
		if (flags)
			cy_bad(s, "new camera: flags_out %#x, want 0", flags);
		s->exists = true;
		s->gen++;
		s->id = id;
		s->nnodes = n;
		ret = st_find(s->ctl, CY_NAME, &info);
		if (ret != 1) {
			cy_bad(s, "new camera not in LIST (%d)", ret);
			for (i = 0; i < CY_MAX_NODES; i++)
				s->video_nr[i] = -1;
		} else {
			for (i = 0; i < CY_MAX_NODES; i++)
				s->video_nr[i] = info.video_nr[i];
		}
	}
	cy_check_initial_events(s);
	cy_check_list(s);
}

/* A feed of a removed camera: kept open in a free slot, else closed. */
static void cy_keep_stale_feed(struct cy_state *s, int fd)
{
	unsigned int i;

	for (i = 0; i < CY_MAX_STALE; i++) {
		if (s->stale_feed[i] < 0) {
			s->stale_feed[i] = fd;
			return;
		}
	}
	close(fd);
}

void cy_act_close_feed(struct cy_state *s)
{
	s->action = "close-feed";
	if (s->feed < 0)
		return;
	close(s->feed);
	s->feed = -1;
	cy_check_list(s);
}

void cy_act_remove(struct cy_state *s)
{
	int ret;

	s->action = "remove";
	ret = st_remove(s->ctl, CY_NAME);
	if (!s->exists) {
		cy_want(s, "REMOVE of a removed camera", ret, -ENOENT, CY_END);
		return;
	}
	if (cy_want(s, "REMOVE", ret, 0, CY_END))
		cy_removed(s);
}

void cy_removed(struct cy_state *s)
{
	s->removes++;
	s->exists = false;
	if (s->feed >= 0) {
		if (st_rng_pct(&s->rng, 50))
			cy_keep_stale_feed(s, s->feed);
		else
			close(s->feed);
		s->feed = -1;
	}
	cy_check_list(s);
}

void cy_act_open(struct cy_state *s)
{
	struct v4l2_capability cap;
	struct cy_handle *h = NULL;
	char want[32];
	unsigned int i;
	int ret;

	s->action = "open";
	if (!s->exists)
		return;
	for (i = 0; i < CY_MAX_HANDLES && !h; i++)
		if (!s->h[i].used)
			h = &s->h[i];
	if (!h)
		return;
	h->node = st_rng_below(&s->rng, s->nnodes);
	ret = st_cap_open(&h->cap, s->video_nr[h->node], true);
	if (!cy_want(s, "open node", ret, 0, CY_END))
		return;
	h->used = true;
	h->gen = s->gen;
	memset(&cap, 0, sizeof(cap));
	ret = st_ioctl(h->cap.fd, VIDIOC_QUERYCAP, &cap);
	snprintf(want, sizeof(want), "platform:netcam-%u-%u", s->id, h->node);
	if (cy_want(s, "QUERYCAP", ret, 0, CY_END) &&
	    strncmp((char *)cap.bus_info, want, sizeof(cap.bus_info)))
		cy_bad(s, "video%d is %s, want %s", h->cap.video_nr,
		       (char *)cap.bus_info, want);
}

static const struct netcam_mode *cy_random_mode(struct cy_state *s)
{
	return &cy_modes[st_rng_below(&s->rng, cy_num_modes)];
}

/* S_FMT to a random advertised mode; EBUSY while the queue has buffers. */
static void cy_set_random_fmt(struct cy_state *s, struct cy_handle *h)
{
	const struct netcam_mode *m = cy_random_mode(s);
	struct v4l2_pix_format pix;
	int ret;

	ret = st_cap_set_fmt(&h->cap, m->pixelformat, m->width, m->height, &pix);
	if (cy_owner(s, h->node)) {
		cy_want(s, "S_FMT with buffers allocated", ret, -EBUSY, CY_END);
		return;
	}
	if (cy_want(s, "S_FMT", ret, 0, CY_END) &&
	    (pix.pixelformat != m->pixelformat || pix.width != m->width ||
	     pix.height != m->height))
		cy_bad(s, "S_FMT %.4s %ux%u gave %.4s %ux%u",
		       (const char *)&m->pixelformat, m->width, m->height,
		       (const char *)&pix.pixelformat, pix.width, pix.height);
}

void cy_act_stream_on(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, PICK_LIVE | PICK_NO_BUFS);
	struct v4l2_format f;
	bool other;
	int ret;

	s->action = "stream-on";
	if (!h) {
		/* nothing to start: open a node first */
		cy_act_open(s);
		s->action = "stream-on";
		h = cy_pick(s, PICK_LIVE | PICK_NO_BUFS);
	}
	if (!h)
		return;
	if (st_rng_pct(&s->rng, 40))
		cy_set_random_fmt(s, h);
	other = cy_owner(s, h->node) != NULL;
	ret = st_cap_start(&h->cap, st_rng_range(&s->rng, 3, 4));
	if (other) {
		cy_want(s, "REQBUFS on a queue another handle owns", ret, -EBUSY, CY_END);
		h->cap.nbufs = 0;	/* the failed REQBUFS allocated nothing */
		return;
	}
	if (!cy_want(s, "start streaming", ret, 0, CY_END)) {
		st_cap_stop(&h->cap);
		return;
	}
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	if (cy_want(s, "G_FMT", st_ioctl(h->cap.fd, VIDIOC_G_FMT, &f), 0, CY_END))
		h->pix = f.fmt.pix;
}

/* Feed one frame to @node in the format of its newest event. */
static int cy_feed_frame(struct cy_state *s, int feed, unsigned int node)
{
	const struct netcam_event *ev = &s->ev[node % CY_MAX_NODES];
	struct netcam_frame fr;

	memset(&fr, 0, sizeof(fr));
	fr.node = node;
	fr.pixelformat = ev->pixelformat;
	fr.width = ev->width;
	fr.height = ev->height;
	fr.bytesused = st_raw_size(ev->pixelformat, ev->width, ev->height);
	if (!fr.bytesused)	/* MJPEG: any bytes up to the bound */
		fr.bytesused = 2048;
	if (fr.bytesused > sizeof(cy_frame))
		fr.bytesused = sizeof(cy_frame);
	fr.data_ptr = (__u64)(uintptr_t)cy_frame;
	return st_ioctl(feed, NETCAM_IOC_FEED_FRAME, &fr);
}

/* Checks of one dequeued buffer against the stream's previous one. */
static void cy_check_buffer(struct cy_state *s, struct cy_handle *h,
			    const struct v4l2_buffer *b)
{
	uint64_t ts = (uint64_t)b->timestamp.tv_sec * 1000000ULL +
		      (uint64_t)b->timestamp.tv_usec;
	uint32_t raw = st_raw_size(h->pix.pixelformat, h->pix.width, h->pix.height);

	if (b->index >= h->cap.nbufs || (b->flags & V4L2_BUF_FLAG_ERROR))
		cy_bad(s, "DQBUF: index %u flags %#x", b->index, b->flags);
	if (raw ? b->bytesused != raw :
		  !b->bytesused || b->bytesused > h->pix.sizeimage)
		cy_bad(s, "DQBUF: bytesused %u of %.4s %ux%u (sizeimage %u)",
		       b->bytesused, (const char *)&h->pix.pixelformat,
		       h->pix.width, h->pix.height, h->pix.sizeimage);
	if (h->cap.have_last && (b->sequence <= h->cap.last_seq ||
				 ts < h->cap.last_ts_us))
		cy_bad(s, "DQBUF: sequence %u after %u, timestamp %llu us after %llu",
		       b->sequence, h->cap.last_seq, (unsigned long long)ts,
		       (unsigned long long)h->cap.last_ts_us);
	h->cap.have_last = true;
	h->cap.last_seq = b->sequence;
	h->cap.last_ts_us = ts;
}

void cy_act_frames(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, PICK_LIVE | PICK_STREAMING);
	unsigned int n, i;
	struct v4l2_buffer b;
	int ret;

	s->action = "frames";
	if (!h) {
		/* nothing streams: start something first */
		cy_act_stream_on(s);
		s->action = "frames";
		h = cy_pick(s, PICK_LIVE | PICK_STREAMING);
	}
	if (!h)
		return;
	n = st_rng_range(&s->rng, 1, 3);
	for (i = 0; i < n; i++) {
		/*
		 * With a signal the filler waits a second before it repeats
		 * frames: be the helper. Without one it fills every slot.
		 */
		if (s->feed >= 0 && s->signal) {
			cy_drain_events(s);
			cy_want(s, "FEED_FRAME to a streaming node",
				cy_feed_frame(s, s->feed, h->node), 0, CY_END);
		}
		ret = st_cap_wait(&h->cap, CY_FRAME_WAIT_MS);
		if (!cy_want(s, "poll for a frame", ret, 1, CY_END))
			return;
		ret = st_cap_dqbuf(&h->cap, &b);
		if (!cy_want(s, "DQBUF", ret, 0, CY_END))
			return;
		cy_check_buffer(s, h, &b);
		s->frames++;
		cy_want(s, "QBUF", st_cap_qbuf(&h->cap, b.index), 0, CY_END);
	}
}

void cy_act_stream_off(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, PICK_LIVE | PICK_BUFS);

	s->action = "stream-off";
	if (h)
		cy_want(s, "STREAMOFF/REQBUFS 0", st_cap_stop(&h->cap), 0, CY_END);
}

void cy_act_close_node(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, 0);

	s->action = "close-node";
	if (!h)
		return;
	st_cap_close(&h->cap, st_rng_pct(&s->rng, 50));
	h->used = false;
}

void cy_act_fmt_parm(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, PICK_LIVE);
	static const uint32_t fourccs[] = {
		V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG,
		V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_RGB24,
	};
	struct v4l2_streamparm p;
	struct v4l2_format f;
	unsigned int i;
	int ret;

	s->action = "fmt-parm";
	if (!h)
		return;
	switch (st_rng_below(&s->rng, 3)) {
	case 0:
		cy_set_random_fmt(s, h);
		break;
	case 1: {
		struct cy_handle *owner = cy_owner(s, h->node);

		/* only the handle that owns the buffers (or anyone, if none does) */
		ret = st_cap_set_rate(&h->cap, st_rng_pct(&s->rng, 50) ? 100 : 200);
		cy_want(s, owner && owner != h ? "S_PARM from a non-owner" : "S_PARM",
			ret, owner && owner != h ? -EBUSY : 0, CY_END);
		break;
	}
	default:
		/* sane but unadvertised requests: TRY_FMT picks a mode */
		memset(&f, 0, sizeof(f));
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		f.fmt.pix.pixelformat = fourccs[st_rng_below(&s->rng, 5)];
		f.fmt.pix.width = st_rng_range(&s->rng, 16, 1920);
		f.fmt.pix.height = st_rng_range(&s->rng, 16, 1080);
		ret = st_ioctl(h->cap.fd, VIDIOC_TRY_FMT, &f);
		if (!cy_want(s, "TRY_FMT", ret, 0, CY_END))
			break;
		for (i = 0; i < cy_num_modes; i++)
			if (cy_modes[i].pixelformat == f.fmt.pix.pixelformat &&
			    cy_modes[i].width == f.fmt.pix.width &&
			    cy_modes[i].height == f.fmt.pix.height)
				break;
		if (i == cy_num_modes)
			cy_bad(s, "TRY_FMT gave %.4s %ux%u, not an advertised mode",
			       (const char *)&f.fmt.pix.pixelformat,
			       f.fmt.pix.width, f.fmt.pix.height);
		break;
	}
	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	cy_want(s, "G_PARM", st_ioctl(h->cap.fd, VIDIOC_G_PARM, &p), 0, CY_END);
}

/* Ops on a feed whose camera was removed: all refused, reads end. */
static void cy_stale_feed_ops(struct cy_state *s, unsigned int slot)
{
	int fd = s->stale_feed[slot];
	struct netcam_signal sig;
	struct netcam_event ev[8];
	struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
	ssize_t n;
	int i;

	switch (st_rng_below(&s->rng, 4)) {
	case 0:
		cy_want(s, "FEED_FRAME on a removed camera's feed",
			cy_feed_frame(s, fd, 0), -ENODEV, -ESTALE, CY_END);
		break;
	case 1:
		memset(&sig, 0, sizeof(sig));
		sig.state = NETCAM_SIGNAL_LOST;
		cy_want(s, "SET_SIGNAL on a removed camera's feed",
			st_ioctl(fd, NETCAM_IOC_SET_SIGNAL, &sig), -ENODEV, CY_END);
		break;
	case 2:
		/* queued events first, then end of file; never EAGAIN */
		for (i = 0; i < 64; i++) {
			n = read(fd, ev, sizeof(ev));
			if (n <= 0)
				break;
		}
		if (n != 0)
			cy_bad(s, "read of a removed camera's feed: %zd (%s), want 0",
			       n, n < 0 ? strerror(errno) : "");
		break;
	default:
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLHUP) ||
		    (p.revents & POLLOUT))
			cy_bad(s, "poll of a removed camera's feed: revents %#x, want POLLHUP",
			       p.revents);
		break;
	}
	if (st_rng_pct(&s->rng, 30)) {
		close(fd);
		s->stale_feed[slot] = -1;
	}
}

void cy_act_feed_ops(struct cy_state *s)
{
	struct netcam_signal sig;
	struct netcam_frame fr;
	struct pollfd p;
	unsigned int slot, node, i, n = 0, slots[CY_MAX_STALE];

	s->action = "feed-ops";
	for (i = 0; i < CY_MAX_STALE; i++)
		if (s->stale_feed[i] >= 0)
			slots[n++] = i;
	if (s->feed < 0 || (n && st_rng_pct(&s->rng, 30))) {
		if (n) {
			slot = slots[st_rng_below(&s->rng, n)];
			cy_stale_feed_ops(s, slot);
		}
		return;
	}
	cy_drain_events(s);
	node = st_rng_below(&s->rng, s->nnodes);
	switch (st_rng_below(&s->rng, 4)) {
	case 0:
		cy_want(s, "FEED_FRAME", cy_feed_frame(s, s->feed, node),
			cy_node_streaming(s, node) ? 0 : -ESTALE, CY_END);
		break;
	case 1:
		/* a raw frame of the wrong size is refused before anything */
		memset(&fr, 0, sizeof(fr));
		fr.node = node;
		fr.pixelformat = V4L2_PIX_FMT_GREY;
		fr.width = 160;
		fr.height = 120;
		fr.bytesused = 160 * 120 - 2;
		fr.data_ptr = (__u64)(uintptr_t)cy_frame;
		cy_want(s, "FEED_FRAME of a short frame",
			st_ioctl(s->feed, NETCAM_IOC_FEED_FRAME, &fr), -EINVAL, CY_END);
		break;
	case 2:
		memset(&sig, 0, sizeof(sig));
		sig.state = st_rng_pct(&s->rng, 50) ? NETCAM_SIGNAL_LOST :
						      NETCAM_SIGNAL_PRESENT;
		if (cy_want(s, "SET_SIGNAL",
			    st_ioctl(s->feed, NETCAM_IOC_SET_SIGNAL, &sig), 0, CY_END))
			s->signal = sig.state == NETCAM_SIGNAL_PRESENT;
		cy_check_list(s);
		break;
	default:
		p.fd = s->feed;
		p.events = POLLIN | POLLOUT;
		p.revents = 0;
		if (poll(&p, 1, 0) != 1 || !(p.revents & POLLOUT) ||
		    (p.revents & (POLLHUP | POLLERR)))
			cy_bad(s, "poll of an attached feed: revents %#x", p.revents);
		break;
	}
}

void cy_act_stale_ops(struct cy_state *s)
{
	struct cy_handle *h = cy_pick(s, PICK_STALE);
	struct v4l2_capability cap;
	struct v4l2_buffer b;
	struct v4l2_format f;
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	s->action = "stale-ops";
	if (!h)
		return;
	switch (st_rng_below(&s->rng, 5)) {
	case 0:
		cy_want(s, "QUERYCAP on a removed node",
			st_ioctl(h->cap.fd, VIDIOC_QUERYCAP, &cap), -ENODEV, CY_END);
		break;
	case 1:
		memset(&f, 0, sizeof(f));
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		cy_want(s, "G_FMT on a removed node",
			st_ioctl(h->cap.fd, VIDIOC_G_FMT, &f), -ENODEV, CY_END);
		break;
	case 2:
		cy_want(s, "DQBUF on a removed node",
			st_cap_dqbuf(&h->cap, &b), -ENODEV, CY_END);
		break;
	case 3:
		cy_want(s, "STREAMON on a removed node",
			st_ioctl(h->cap.fd, VIDIOC_STREAMON, &type), -ENODEV, CY_END);
		break;
	default:
		cy_want(s, "poll of a removed node",
			st_cap_wait(&h->cap, 0), -ENODEV, CY_END);
		break;
	}
	if (st_rng_pct(&s->rng, 40)) {
		st_cap_close(&h->cap, st_rng_pct(&s->rng, 50));
		h->used = false;
	}
}

void cy_cleanup(struct cy_state *s, bool keep_some)
{
	/* tasks: 0..CY_MAX_HANDLES-1 close handle i, then remove, close feed */
	unsigned int order[CY_MAX_HANDLES + 2], n = CY_MAX_HANDLES + 2, i, j, t;
	unsigned int kept = 0;
	bool keep_feed = false;

	s->action = "cleanup";
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = st_rng_below(&s->rng, i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		t = order[i];
		if (t < CY_MAX_HANDLES) {
			struct cy_handle *h = &s->h[t];

			if (!h->used)
				continue;
			/* a few handles outlive their camera into later cycles */
			if (keep_some && kept < 1 && st_rng_pct(&s->rng, 15)) {
				kept++;
				continue;
			}
			if (!cy_handle_stale(s, h) && h->cap.nbufs &&
			    st_rng_pct(&s->rng, 50))
				cy_want(s, "STREAMOFF/REQBUFS 0 at cleanup",
					st_cap_stop(&h->cap), 0, CY_END);
			st_cap_close(&h->cap, st_rng_pct(&s->rng, 50));
			h->used = false;
		} else if (t == CY_MAX_HANDLES) {
			if (s->exists)
				cy_act_remove(s);
		} else if (s->feed >= 0) {
			keep_feed = keep_some && st_rng_pct(&s->rng, 15);
			if (!keep_feed)
				cy_act_close_feed(s);
		}
	}
	/* cy_act_remove() already kept or closed an attached feed */
	for (i = 0; i < CY_MAX_STALE; i++) {
		if (s->stale_feed[i] >= 0 && (!keep_some || st_rng_pct(&s->rng, 50))) {
			close(s->stale_feed[i]);
			s->stale_feed[i] = -1;
		}
	}
	s->action = "cleanup";
	cy_check_list(s);
}
