// SPDX-License-Identifier: GPL-2.0
#include "capture.h"

#include <errno.h>
#include <fcntl.h>
#include <libudev.h>
#include <libv4l2.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

const char *capture_fourcc_str(uint32_t f, char buf[5])
{
	for (int i = 0; i < 4; i++) {
		char ch = (char)((f >> (8 * i)) & 0xff);

		buf[i] = ch >= 32 && ch < 127 ? ch : '?';
	}
	buf[4] = 0;
	return buf;
}

static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = v4l2_ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

static int is_capture(const struct v4l2_capability *cap)
{
	uint32_t caps = cap->capabilities & V4L2_CAP_DEVICE_CAPS ?
			cap->device_caps : cap->capabilities;

	return (caps & V4L2_CAP_VIDEO_CAPTURE) && (caps & V4L2_CAP_STREAMING);
}

/* An enumeration of the video4linux devices (and its udev context in
 * *udev), or NULL. */
static struct udev_enumerate *video_devices(struct udev **udev)
{
	struct udev_enumerate *en;

	*udev = udev_new();
	if (!*udev)
		return NULL;
	en = udev_enumerate_new(*udev);
	if (!en) {
		udev_unref(*udev);
		return NULL;
	}
	udev_enumerate_add_match_subsystem(en, "video4linux");
	return en;
}

int capture_find_card(const char *card, char *path, size_t cap, int *denied)
{
	struct udev *udev;
	struct udev_enumerate *en = video_devices(&udev);
	struct udev_list_entry *e;
	int found = -1;

	*denied = 0;
	if (!en)
		return -1;
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev = udev_device_new_from_syspath(udev,
							udev_list_entry_get_name(e));
		const char *node = dev ? udev_device_get_devnode(dev) : NULL;
		struct v4l2_capability vc;
		int fd;

		if (node && strncmp(node, "/dev/video", 10) == 0 && found < 0) {
			fd = open(node, O_RDWR | O_NONBLOCK | O_CLOEXEC);
			if (fd < 0 && errno == EACCES)
				(*denied)++;
			if (fd >= 0) {
				memset(&vc, 0, sizeof(vc));
				if (ioctl(fd, VIDIOC_QUERYCAP, &vc) == 0 && is_capture(&vc) &&
				    strcmp((const char *)vc.card, card) == 0 &&
				    strlen(node) < cap) {
					strcpy(path, node);
					found = 0;
				}
				close(fd);
			}
		}
		if (dev)
			udev_device_unref(dev);
	}
	udev_enumerate_unref(en);
	udev_unref(udev);
	return found;
}

int capture_find_netcam(const char *camera, int node, char *path, size_t cap)
{
	struct udev *udev;
	struct udev_enumerate *en = video_devices(&udev);
	struct udev_list_entry *e;
	char index[16];
	int found = -1;

	if (!en)
		return -1;
	snprintf(index, sizeof(index), "%d", node);
	/* The driver's sysfs attributes netcam/camera and netcam/node name
	 * each node's camera and index, whatever /dev/videoN it got. */
	udev_enumerate_add_match_sysattr(en, "netcam/camera", camera);
	udev_enumerate_add_match_sysattr(en, "netcam/node", index);
	udev_enumerate_scan_devices(en);
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev = udev_device_new_from_syspath(udev,
							udev_list_entry_get_name(e));
		const char *devnode = dev ? udev_device_get_devnode(dev) : NULL;

		if (devnode && found < 0 && strlen(devnode) < cap) {
			strcpy(path, devnode);
			found = 0;
		}
		if (dev)
			udev_device_unref(dev);
	}
	udev_enumerate_unref(en);
	udev_unref(udev);
	return found;
}

/* Bytes a frame must hold for its luma. */
static size_t luma_bytes(const struct capture *c)
{
	return (size_t)c->bpl * (c->h - 1) + (size_t)c->w * (c->fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1);
}

/* Bytes a frame must hold for the chroma we read too. */
static size_t chroma_bytes(const struct capture *c)
{
	size_t luma = (size_t)c->bpl * c->h;

	switch (c->fourcc) {
	case V4L2_PIX_FMT_YUV420:
		return luma + 2 * (size_t)(c->bpl / 2) * c->ch;
	case V4L2_PIX_FMT_NV12:
		return luma + (size_t)c->bpl * c->ch;
	default:
		return luma_bytes(c);
	}
}

/* Half-resolution chroma of the frame in src into c->cb and c->cr. */
static void copy_chroma(struct capture *c, const uint8_t *src)
{
	const uint8_t *plane = src + (size_t)c->bpl * c->h;
	int cbpl = c->bpl / 2;

	for (int y = 0; y < c->ch; y++) {
		uint8_t *u = c->cb + (size_t)y * c->cw;
		uint8_t *v = c->cr + (size_t)y * c->cw;

		if (c->fourcc == V4L2_PIX_FMT_YUV420) {
			memcpy(u, plane + (size_t)y * cbpl, (size_t)c->cw);
			memcpy(v, plane + (size_t)cbpl * c->ch + (size_t)y * cbpl, (size_t)c->cw);
		} else if (c->fourcc == V4L2_PIX_FMT_NV12) {
			const uint8_t *r = plane + (size_t)y * c->bpl;

			for (int x = 0; x < c->cw; x++) {
				u[x] = r[2 * x];
				v[x] = r[2 * x + 1];
			}
		} else {        /* YUYV: the chroma of every other row */
			const uint8_t *r = src + (size_t)(2 * y) * c->bpl;
			int pairs = c->w / 2;

			for (int x = 0; x < c->cw; x++) {
				int p = x < pairs ? x : pairs - 1;

				u[x] = r[4 * p + 1];
				v[x] = r[4 * p + 3];
			}
		}
	}
}

int capture_open(struct capture *c, const char *path, int w, int h, int fps,
		 int colour, char *err, size_t errlen)
{
	static const uint32_t grey_first[] = { V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_YUV420,
					       V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUYV };
	static const uint32_t colour_first[] = { V4L2_PIX_FMT_YUV420, V4L2_PIX_FMT_NV12,
						 V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_GREY };
	const uint32_t *fmts = colour ? colour_first : grey_first;
	const size_t nfmts = sizeof(grey_first) / sizeof(grey_first[0]);
	struct v4l2_capability vc;
	struct v4l2_format f;
	struct v4l2_requestbuffers rb;
	struct v4l2_streamparm sp;
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	size_t i;
	int fd;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->path, sizeof(c->path), "%s", path);
	/* check with plain ioctls first: libv4l2 complains on stderr about
	 * anything that is not a V4L2 device */
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	memset(&vc, 0, sizeof(vc));
	if (ioctl(fd, VIDIOC_QUERYCAP, &vc) < 0) {
		snprintf(err, errlen, "%s: not a V4L2 device (%s)", path, strerror(errno));
		close(fd);
		return -1;
	}
	snprintf(c->card, sizeof(c->card), "%s", (const char *)vc.card);
	if (!is_capture(&vc)) {
		snprintf(err, errlen, "%s (%s): not a video capture device with streaming I/O",
			 path, c->card);
		close(fd);
		return -1;
	}
	c->fd = v4l2_fd_open(fd, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "%s: libv4l2 cannot use it (%s)", path, strerror(errno));
		close(fd);
		return -1;
	}
	/* the input whose status capture_signal() reads: the current one */
	if (xioctl(c->fd, VIDIOC_G_INPUT, &c->input) < 0)
		c->input = 0;
	for (i = 0; i < nfmts; i++) {
		memset(&f, 0, sizeof(f));
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		f.fmt.pix.width = (uint32_t)w;
		f.fmt.pix.height = (uint32_t)h;
		f.fmt.pix.pixelformat = fmts[i];
		f.fmt.pix.field = V4L2_FIELD_NONE;
		if (xioctl(c->fd, VIDIOC_S_FMT, &f) == 0 && f.fmt.pix.pixelformat == fmts[i])
			break;
	}
	if (i == nfmts) {
		snprintf(err, errlen, "%s: offers none of GREY, YU12, NV12, YUYV", path);
		goto fail;
	}
	c->fourcc = f.fmt.pix.pixelformat;
	c->w = (int)f.fmt.pix.width;
	c->h = (int)f.fmt.pix.height;
	c->bpl = (int)f.fmt.pix.bytesperline;
	if (c->bpl < c->w * (c->fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1))
		c->bpl = c->w * (c->fourcc == V4L2_PIX_FMT_YUYV ? 2 : 1);
	if (c->w < 8 || c->h < 8) {
		snprintf(err, errlen, "%s: frame size %dx%d too small", path, c->w, c->h);
		goto fail;
	}
	c->cw = (c->w + 1) / 2;
	c->ch = (c->h + 1) / 2;
	memset(&sp, 0, sizeof(sp));
	sp.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	sp.parm.capture.timeperframe.numerator = 1;
	sp.parm.capture.timeperframe.denominator = (uint32_t)fps;
	xioctl(c->fd, VIDIOC_S_PARM, &sp);   /* optional: rate limited below too */

	memset(&rb, 0, sizeof(rb));
	rb.count = CAP_MAX_BUFS;
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(c->fd, VIDIOC_REQBUFS, &rb) < 0 || rb.count < 2) {
		snprintf(err, errlen, "%s: cannot get capture buffers (%s)", path,
			 rb.count < 2 ? "too few" : strerror(errno));
		goto fail;
	}
	c->nbufs = rb.count > CAP_MAX_BUFS ? CAP_MAX_BUFS : (int)rb.count;
	for (int b = 0; b < c->nbufs; b++) {
		struct v4l2_buffer vb;

		memset(&vb, 0, sizeof(vb));
		vb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		vb.memory = V4L2_MEMORY_MMAP;
		vb.index = (uint32_t)b;
		if (xioctl(c->fd, VIDIOC_QUERYBUF, &vb) < 0) {
			snprintf(err, errlen, "%s: QUERYBUF: %s", path, strerror(errno));
			goto fail;
		}
		c->len[b] = vb.length;
		c->buf[b] = v4l2_mmap(NULL, vb.length, PROT_READ | PROT_WRITE, MAP_SHARED,
				      c->fd, vb.m.offset);
		if (c->buf[b] == MAP_FAILED) {
			c->buf[b] = NULL;
			snprintf(err, errlen, "%s: mmap: %s", path, strerror(errno));
			goto fail;
		}
		if (xioctl(c->fd, VIDIOC_QBUF, &vb) < 0) {
			snprintf(err, errlen, "%s: QBUF: %s", path, strerror(errno));
			goto fail;
		}
	}
	c->luma = malloc((size_t)c->w * c->h);
	if (colour && c->fourcc != V4L2_PIX_FMT_GREY) {
		c->cb = malloc((size_t)c->cw * c->ch);
		c->cr = malloc((size_t)c->cw * c->ch);
	}
	if (!c->luma || (colour && c->fourcc != V4L2_PIX_FMT_GREY && (!c->cb || !c->cr))) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	if (xioctl(c->fd, VIDIOC_STREAMON, &type) < 0) {
		snprintf(err, errlen, "%s: STREAMON: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	capture_close(c);
	return -1;
}

int capture_read(struct capture *c, char *err, size_t errlen)
{
	struct v4l2_buffer vb;
	const uint8_t *src;
	size_t need;

	memset(&vb, 0, sizeof(vb));
	vb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	vb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(c->fd, VIDIOC_DQBUF, &vb) < 0) {
		if (errno == EAGAIN)
			return 0;
		snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
		return -1;
	}
	if (vb.index >= (uint32_t)c->nbufs) {
		snprintf(err, errlen, "%s: bad buffer index %u", c->path, vb.index);
		errno = EIO;
		return -1;
	}
	src = c->buf[vb.index];
	need = luma_bytes(c);
	if (vb.flags & V4L2_BUF_FLAG_ERROR || vb.bytesused < need || c->len[vb.index] < need) {
		/* a damaged or short frame: skip it */
		xioctl(c->fd, VIDIOC_QBUF, &vb);
		return 0;
	}
	if (c->fourcc == V4L2_PIX_FMT_YUYV) {
		for (int y = 0; y < c->h; y++) {
			const uint8_t *r = src + (size_t)y * c->bpl;
			uint8_t *o = c->luma + (size_t)y * c->w;

			for (int x = 0; x < c->w; x++)
				o[x] = r[2 * x];
		}
	} else {
		for (int y = 0; y < c->h; y++)
			memcpy(c->luma + (size_t)y * c->w, src + (size_t)y * c->bpl, (size_t)c->w);
	}
	if (c->cb) {
		/* a driver whose planar sizes differ from the usual layout
		 * still gets analysed; only its snapshots lose colour */
		if (vb.bytesused >= chroma_bytes(c) && c->len[vb.index] >= chroma_bytes(c)) {
			copy_chroma(c, src);
		} else {
			memset(c->cb, 128, (size_t)c->cw * c->ch);
			memset(c->cr, 128, (size_t)c->cw * c->ch);
		}
	}
	if (xioctl(c->fd, VIDIOC_QBUF, &vb) < 0) {
		snprintf(err, errlen, "%s: QBUF: %s", c->path, strerror(errno));
		return -1;
	}
	return 1;
}

int capture_signal(struct capture *c)
{
	/* no picture at all: no source, no power, or nothing to lock to */
	const uint32_t none = V4L2_IN_ST_NO_POWER | V4L2_IN_ST_NO_SIGNAL |
			      V4L2_IN_ST_NO_H_LOCK;
	struct v4l2_input in;

	if (c->no_input_status)
		return -1;
	memset(&in, 0, sizeof(in));
	in.index = (uint32_t)c->input;
	if (xioctl(c->fd, VIDIOC_ENUMINPUT, &in) < 0) {
		/* optional for a capture device: do not ask again */
		c->no_input_status = 1;
		return -1;
	}
	return (in.status & none) ? 0 : 1;
}

void capture_close(struct capture *c)
{
	if (c->fd >= 0) {
		enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

		v4l2_ioctl(c->fd, VIDIOC_STREAMOFF, &type);
		for (int b = 0; b < c->nbufs; b++)
			if (c->buf[b])
				v4l2_munmap(c->buf[b], c->len[b]);
		v4l2_close(c->fd);
	}
	free(c->luma);
	free(c->cb);
	free(c->cr);
	c->luma = c->cb = c->cr = NULL;
	c->fd = -1;
	c->nbufs = 0;
}
