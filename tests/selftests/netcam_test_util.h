/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers for the netcam uAPI selftests: control device, feed channel,
 * V4L2 capture nodes. Included by netcam_uapi_test.c only (the kselftest
 * harness keeps its test list in file-static variables, so all tests live
 * in one translation unit).
 */
#ifndef NETCAM_TEST_UTIL_H
#define NETCAM_TEST_UTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <linux/videodev2.h>
#include <linux/netcam.h>

#define NC_CTL_PATH	"/dev/netcam"
#define NC_MAX_BUFS	16

/* ioctl() that returns 0 or -errno, retrying EINTR. */
static inline int nc_ioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

static inline int64_t nc_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static inline void nc_sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static inline struct netcam_mode nc_mode(__u32 fourcc, __u32 w, __u32 h,
					 __u32 num, __u32 den)
{
	struct netcam_mode m;

	memset(&m, 0, sizeof(m));
	m.pixelformat = fourcc;
	m.width = w;
	m.height = h;
	m.interval_num = num;
	m.interval_den = den;
	return m;
}

/* Image size and stride of a raw format, as V4L2 defines them. */
static inline __u32 nc_bpl(__u32 fourcc, __u32 w)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:
		return w * 2;
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_YUV420:
	case V4L2_PIX_FMT_GREY:
		return w;
	default:
		return 0;
	}
}

static inline __u32 nc_raw_size(__u32 fourcc, __u32 w, __u32 h)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:
		return w * h * 2;
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_YUV420:
		return w * h * 3 / 2;
	case V4L2_PIX_FMT_GREY:
		return w * h;
	default:
		return 0;
	}
}

/* Fill a CREATE request; node labels may be NULL (empty). */
static inline void nc_fill_create(struct netcam_create *cr, const char *name,
				  const char *label, unsigned int num_nodes,
				  const char *const *node_labels,
				  const struct netcam_mode *modes,
				  unsigned int num_modes)
{
	unsigned int i;

	memset(cr, 0, sizeof(*cr));
	snprintf(cr->name, sizeof(cr->name), "%s", name);
	if (label)
		snprintf(cr->label, sizeof(cr->label), "%s", label);
	cr->num_nodes = num_nodes;
	cr->num_modes = num_modes;
	cr->modes_ptr = (__u64)(uintptr_t)modes;
	for (i = 0; node_labels && i < num_nodes && i < NETCAM_MAX_NODES; i++)
		if (node_labels[i])
			snprintf(cr->nodes[i].label, sizeof(cr->nodes[i].label),
				 "%s", node_labels[i]);
	cr->fd = -1;
}

static inline int nc_remove(int ctl, const char *name)
{
	struct netcam_remove rm;

	memset(&rm, 0, sizeof(rm));
	snprintf(rm.name, sizeof(rm.name), "%s", name);
	return nc_ioctl(ctl, NETCAM_IOC_REMOVE, &rm);
}

/*
 * Look a camera up in NETCAM_IOC_LIST. Returns 1 if found (copied to *out),
 * 0 if not, -errno on failure.
 */
static inline int nc_find(int ctl, const char *name,
			  struct netcam_camera_info *out)
{
	struct netcam_camera_info *infos;
	struct netcam_list l;
	unsigned int i, cap = 512;
	int ret, found = 0;

	infos = calloc(cap, sizeof(*infos));
	if (!infos)
		return -ENOMEM;
	memset(&l, 0, sizeof(l));
	l.capacity = cap;
	l.cameras_ptr = (__u64)(uintptr_t)infos;
	ret = nc_ioctl(ctl, NETCAM_IOC_LIST, &l);
	if (ret) {
		free(infos);
		return ret;
	}
	for (i = 0; i < l.count && i < cap; i++) {
		if (!strncmp(infos[i].name, name, NETCAM_NAME_LEN)) {
			if (out)
				*out = infos[i];
			found = 1;
			break;
		}
	}
	free(infos);
	return found;
}

static inline int nc_count_cameras(int ctl)
{
	struct netcam_list l;
	int ret;

	memset(&l, 0, sizeof(l));
	ret = nc_ioctl(ctl, NETCAM_IOC_LIST, &l);
	return ret ? ret : (int)l.count;
}

/* Open /dev/videoN, waiting a little for devtmpfs/udev. -errno on failure. */
static inline int nc_open_video(int nr)
{
	char path[64];
	int i, fd;

	snprintf(path, sizeof(path), "/dev/video%d", nr);
	for (i = 0; i < 200; i++) {
		fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != ENOENT)
			return -errno;
		nc_sleep_ms(10);
	}
	return -ENOENT;
}

/* Wait up to ms for POLLIN; returns revents, 0 on timeout. */
static inline int nc_poll_in(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	do {
		ret = poll(&p, 1, ms);
	} while (ret < 0 && errno == EINTR);
	return ret > 0 ? p.revents : 0;
}

/*
 * Read one event from a feed channel, waiting up to ms.
 * Returns 1 with *ev filled, 0 on timeout, -errno on error.
 */
static inline int nc_read_event(int feed, struct netcam_event *ev, int ms)
{
	ssize_t n;

	if (!(nc_poll_in(feed, ms) & POLLIN))
		return 0;
	do {
		n = read(feed, ev, sizeof(*ev));
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (n != (ssize_t)sizeof(*ev))
		return -EIO;
	return 1;
}

/* s with non-printable bytes as \xNN, for logs. */
static inline const char *nc_escape(const char *s, char *buf, size_t size)
{
	size_t o = 0;

	for (; *s && o + 5 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c >= 0x20 && c < 0x7f)
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, size - o, "\\x%02x", c);
	}
	buf[o] = 0;
	return buf;
}

static inline const char *nc_event_name(__u32 type)
{
	switch (type) {
	case NETCAM_EVENT_STREAM_ON:
		return "STREAM_ON";
	case NETCAM_EVENT_STREAM_OFF:
		return "STREAM_OFF";
	case NETCAM_EVENT_FORMAT:
		return "FORMAT";
	default:
		return "?";
	}
}

static inline int nc_feed(int feed, __u32 node, __u32 fourcc, __u32 w, __u32 h,
			  const void *data, __u32 bytesused)
{
	struct netcam_frame f;

	memset(&f, 0, sizeof(f));
	f.node = node;
	f.pixelformat = fourcc;
	f.width = w;
	f.height = h;
	f.bytesused = bytesused;
	f.data_ptr = (__u64)(uintptr_t)data;
	return nc_ioctl(feed, NETCAM_IOC_FEED_FRAME, &f);
}

static inline int nc_set_signal(int feed, __u32 state)
{
	struct netcam_signal s;

	memset(&s, 0, sizeof(s));
	s.state = state;
	return nc_ioctl(feed, NETCAM_IOC_SET_SIGNAL, &s);
}

static inline void nc_pattern(unsigned char *buf, size_t len, unsigned int seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (unsigned char)((i * 31 + seed * 101 + (i >> 8)) & 0xff);
}

/* V4L2 capture side. */
struct nc_stream {
	int fd;
	unsigned int nbufs;
	void *map[NC_MAX_BUFS];
	size_t len[NC_MAX_BUFS];
	bool streaming;
};

static inline int nc_s_fmt(int vfd, __u32 fourcc, __u32 w, __u32 h,
			   struct v4l2_format *out)
{
	struct v4l2_format f;
	int ret;

	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.pixelformat = fourcc;
	f.fmt.pix.width = w;
	f.fmt.pix.height = h;
	f.fmt.pix.field = V4L2_FIELD_NONE;
	ret = nc_ioctl(vfd, VIDIOC_S_FMT, &f);
	if (out)
		*out = f;
	return ret;
}

static inline int nc_g_fmt(int vfd, struct v4l2_format *f)
{
	memset(f, 0, sizeof(*f));
	f->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	return nc_ioctl(vfd, VIDIOC_G_FMT, f);
}

static inline int nc_s_parm(int vfd, __u32 num, __u32 den,
			    struct v4l2_streamparm *out)
{
	struct v4l2_streamparm p;
	int ret;

	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	p.parm.capture.timeperframe.numerator = num;
	p.parm.capture.timeperframe.denominator = den;
	ret = nc_ioctl(vfd, VIDIOC_S_PARM, &p);
	if (out)
		*out = p;
	return ret;
}

static inline int nc_qbuf(struct nc_stream *s, unsigned int index)
{
	struct v4l2_buffer b;

	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	b.index = index;
	return nc_ioctl(s->fd, VIDIOC_QBUF, &b);
}

/* REQBUFS + mmap; does not queue. Returns 0 or -errno. */
static inline int nc_stream_alloc(struct nc_stream *s, int vfd,
				  unsigned int count)
{
	struct v4l2_requestbuffers rb;
	unsigned int i;
	int ret;

	memset(s, 0, sizeof(*s));
	s->fd = vfd;
	memset(&rb, 0, sizeof(rb));
	rb.count = count;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	ret = nc_ioctl(vfd, VIDIOC_REQBUFS, &rb);
	if (ret)
		return ret;
	if (rb.count == 0 || rb.count > NC_MAX_BUFS)
		return -ERANGE;
	s->nbufs = rb.count;
	for (i = 0; i < s->nbufs; i++) {
		struct v4l2_buffer b;

		memset(&b, 0, sizeof(b));
		b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		ret = nc_ioctl(vfd, VIDIOC_QUERYBUF, &b);
		if (ret)
			return ret;
		s->map[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE,
				 MAP_SHARED, vfd, b.m.offset);
		if (s->map[i] == MAP_FAILED) {
			s->map[i] = NULL;
			return -errno;
		}
		s->len[i] = b.length;
	}
	return 0;
}

static inline int nc_streamon(struct nc_stream *s)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret = nc_ioctl(s->fd, VIDIOC_STREAMON, &type);

	if (!ret)
		s->streaming = true;
	return ret;
}

static inline int nc_streamoff(struct nc_stream *s)
{
	int type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	int ret = nc_ioctl(s->fd, VIDIOC_STREAMOFF, &type);

	if (!ret)
		s->streaming = false;
	return ret;
}

/* REQBUFS + mmap + QBUF all + STREAMON. */
static inline int nc_stream_start(struct nc_stream *s, int vfd,
				  unsigned int count)
{
	unsigned int i;
	int ret;

	ret = nc_stream_alloc(s, vfd, count);
	if (ret)
		return ret;
	for (i = 0; i < s->nbufs; i++) {
		ret = nc_qbuf(s, i);
		if (ret)
			return ret;
	}
	return nc_streamon(s);
}

static inline void nc_stream_free(struct nc_stream *s)
{
	unsigned int i;

	for (i = 0; i < s->nbufs; i++)
		if (s->map[i])
			munmap(s->map[i], s->len[i]);
	s->nbufs = 0;
}

/* Wait up to ms for a filled buffer; 1 = got one, 0 = timeout, -errno. */
static inline int nc_dqbuf(struct nc_stream *s, struct v4l2_buffer *b, int ms)
{
	int64_t deadline = nc_now_ns() + (int64_t)ms * 1000000;
	int ret;

	for (;;) {
		memset(b, 0, sizeof(*b));
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = V4L2_MEMORY_MMAP;
		ret = nc_ioctl(s->fd, VIDIOC_DQBUF, b);
		if (!ret)
			return 1;
		if (ret != -EAGAIN)
			return ret;
		int left = (int)((deadline - nc_now_ns()) / 1000000);

		if (left <= 0)
			return 0;
		nc_poll_in(s->fd, left);
	}
}

static inline int64_t nc_buf_ns(const struct v4l2_buffer *b)
{
	return (int64_t)b->timestamp.tv_sec * 1000000000LL +
	       (int64_t)b->timestamp.tv_usec * 1000;
}

static inline int nc_input_status(int vfd, __u32 *status)
{
	struct v4l2_input in;
	int ret;

	memset(&in, 0, sizeof(in));
	in.index = 0;
	ret = nc_ioctl(vfd, VIDIOC_ENUMINPUT, &in);
	if (!ret)
		*status = in.status;
	return ret;
}

#endif /* NETCAM_TEST_UTIL_H */
