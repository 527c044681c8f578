// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: pixel formats and the helper's list of modes
 *
 * A camera's modes are a flat list of (format, size, interval) triples.
 * The enumeration helpers walk it and report each distinct format, size
 * and interval at the place it first appears, so the helper's order is
 * the order apps see.
 */

#include <linux/kernel.h>
#include <linux/videodev2.h>

#include "netcam-core.h"

struct netcam_fmt {
	u32 fourcc;
	/* Bytes per line of the first plane per pixel, 0 if compressed. */
	u8 line_bytes_per_px;
	/* Whole image size relative to width * height, in halves. */
	u8 size_halves;
};

static const struct netcam_fmt netcam_formats[] = {
	{ V4L2_PIX_FMT_YUYV, 2, 4 },
	{ V4L2_PIX_FMT_NV12, 1, 3 },
	{ V4L2_PIX_FMT_YUV420, 1, 3 },
	{ V4L2_PIX_FMT_GREY, 1, 2 },
	{ V4L2_PIX_FMT_MJPEG, 0, 0 },
};

/* Default bound of a compressed frame: generous for any JPEG quality. */
#define NETCAM_MJPEG_MIN_BOUND	(64U << 10)

static const struct netcam_fmt *netcam_fmt_find(u32 fourcc)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(netcam_formats); i++)
		if (netcam_formats[i].fourcc == fourcc)
			return &netcam_formats[i];
	return NULL;
}

bool netcam_fmt_is_known(u32 pixelformat)
{
	return netcam_fmt_find(pixelformat);
}

bool netcam_fmt_is_compressed(u32 pixelformat)
{
	const struct netcam_fmt *fmt = netcam_fmt_find(pixelformat);

	return fmt && !fmt->size_halves;
}

/* Size of a raw frame; 0 for compressed or unknown formats. */
u32 netcam_fmt_raw_size(u32 pixelformat, u32 width, u32 height)
{
	const struct netcam_fmt *fmt = netcam_fmt_find(pixelformat);

	if (!fmt)
		return 0;
	return width * height * fmt->size_halves / 2;
}

static bool netcam_mode_is_valid(const struct netcam_mode *m)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(m->reserved); i++)
		if (m->reserved[i])
			return false;
	if (!netcam_fmt_is_known(m->pixelformat))
		return false;
	if (m->width < NETCAM_MIN_WIDTH || m->width > NETCAM_MAX_WIDTH ||
	    m->height < NETCAM_MIN_HEIGHT || m->height > NETCAM_MAX_HEIGHT ||
	    (m->width & 1) || (m->height & 1))
		return false;
	/* Non-zero and at most 1000 frames per second. */
	if (!m->interval_num || !m->interval_den ||
	    (u64)m->interval_num * 1000 < m->interval_den)
		return false;
	return true;
}

static bool netcam_mode_same(const struct netcam_mode *a,
			     const struct netcam_mode *b)
{
	return a->pixelformat == b->pixelformat && a->width == b->width &&
	       a->height == b->height &&
	       (u64)a->interval_num * b->interval_den ==
	       (u64)b->interval_num * a->interval_den;
}

/*
 * @max_compressed_size is the helper's MJPEG bound (0: a default that is
 * always large enough); the driver's own grey placeholder must fit in it.
 */
int netcam_modes_validate(const struct netcam_mode *modes, unsigned int n,
			  u32 max_compressed_size)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		const struct netcam_mode *m = &modes[i];

		if (!netcam_mode_is_valid(m))
			return -EINVAL;
		if (max_compressed_size &&
		    netcam_fmt_is_compressed(m->pixelformat) &&
		    netcam_jpeg_grey_size(m->width, m->height) >
		    max_compressed_size)
			return -EINVAL;
		for (j = 0; j < i; j++)
			if (netcam_mode_same(&modes[i], &modes[j]))
				return -EINVAL;
	}
	return 0;
}

void netcam_fmt_fill(struct netcam_camera *cam, u32 pixelformat, u32 width,
		     u32 height, struct v4l2_pix_format *pix)
{
	const struct netcam_fmt *fmt = netcam_fmt_find(pixelformat);

	memset(pix, 0, sizeof(*pix));
	pix->pixelformat = pixelformat;
	pix->width = width;
	pix->height = height;
	pix->field = V4L2_FIELD_NONE;
	if (fmt && fmt->size_halves) {
		pix->bytesperline = width * fmt->line_bytes_per_px;
		pix->sizeimage = netcam_fmt_raw_size(pixelformat, width, height);
		pix->colorspace = V4L2_COLORSPACE_SRGB;
	} else {
		pix->bytesperline = 0;
		pix->sizeimage = cam->max_compressed_size ?:
			clamp_t(u32, width * height * 2, NETCAM_MJPEG_MIN_BOUND,
				NETCAM_MAX_COMPRESSED_SIZE);
		pix->colorspace = V4L2_COLORSPACE_JPEG;
	}
}

static bool netcam_has_format(struct netcam_camera *cam, u32 pixelformat)
{
	unsigned int i;

	for (i = 0; i < cam->num_modes; i++)
		if (cam->modes[i].pixelformat == pixelformat)
			return true;
	return false;
}

static u64 netcam_dist(u32 a, u32 b)
{
	return a > b ? a - b : b - a;
}

/*
 * Closest advertised size of the format: the sum of both distances, in 64
 * bits so that no user-supplied width or height can wrap it. The first
 * mode of the format is the answer when nothing is closer, so there is
 * always one (the format comes from the camera's own list).
 */
void netcam_fmt_try(struct netcam_camera *cam, struct v4l2_pix_format *pix)
{
	const struct netcam_mode *best = NULL;
	u32 pixelformat = pix->pixelformat;
	u64 best_dist = U64_MAX;
	unsigned int i;

	if (!netcam_has_format(cam, pixelformat))
		pixelformat = cam->modes[0].pixelformat;
	for (i = 0; i < cam->num_modes; i++) {
		const struct netcam_mode *m = &cam->modes[i];
		u64 dist;

		if (m->pixelformat != pixelformat)
			continue;
		dist = netcam_dist(m->width, pix->width) +
		       netcam_dist(m->height, pix->height);
		if (!best || dist < best_dist) {
			best = m;
			best_dist = dist;
		}
	}
	netcam_fmt_fill(cam, pixelformat, best->width, best->height, pix);
}

/* Is @m the first mode of the list with this format (and size)? */
static bool netcam_first_of(struct netcam_camera *cam, unsigned int idx,
			    bool same_size)
{
	const struct netcam_mode *m = &cam->modes[idx];
	unsigned int i;

	for (i = 0; i < idx; i++) {
		const struct netcam_mode *o = &cam->modes[i];

		if (o->pixelformat != m->pixelformat)
			continue;
		if (!same_size ||
		    (o->width == m->width && o->height == m->height))
			return false;
	}
	return true;
}

int netcam_fmt_enum(struct netcam_camera *cam, u32 index, u32 *pixelformat)
{
	unsigned int i;

	for (i = 0; i < cam->num_modes; i++) {
		if (!netcam_first_of(cam, i, false))
			continue;
		if (!index--) {
			*pixelformat = cam->modes[i].pixelformat;
			return 0;
		}
	}
	return -EINVAL;
}

int netcam_fmt_enum_size(struct netcam_camera *cam, u32 pixelformat,
			 u32 index, u32 *width, u32 *height)
{
	unsigned int i;

	for (i = 0; i < cam->num_modes; i++) {
		const struct netcam_mode *m = &cam->modes[i];

		if (m->pixelformat != pixelformat ||
		    !netcam_first_of(cam, i, true))
			continue;
		if (!index--) {
			*width = m->width;
			*height = m->height;
			return 0;
		}
	}
	return -EINVAL;
}

int netcam_fmt_enum_interval(struct netcam_camera *cam, u32 pixelformat,
			     u32 width, u32 height, u32 index,
			     struct v4l2_fract *interval)
{
	unsigned int i;

	for (i = 0; i < cam->num_modes; i++) {
		const struct netcam_mode *m = &cam->modes[i];

		if (m->pixelformat != pixelformat || m->width != width ||
		    m->height != height)
			continue;
		if (!index--) {
			interval->numerator = m->interval_num;
			interval->denominator = m->interval_den;
			return 0;
		}
	}
	return -EINVAL;
}

/*
 * Replace @interval by the advertised interval of @pix's format and size
 * closest to it (the first one if @interval is 0/0 or none is close).
 */
void netcam_fmt_pick_interval(struct netcam_camera *cam,
			      const struct v4l2_pix_format *pix,
			      struct v4l2_fract *interval)
{
	u64 want_us = 0, best_dist = U64_MAX;
	struct v4l2_fract best = { 0, 0 };
	struct v4l2_fract cand;
	unsigned int i;

	if (interval->numerator && interval->denominator)
		want_us = div_u64((u64)interval->numerator * USEC_PER_SEC,
				  interval->denominator);
	for (i = 0; !netcam_fmt_enum_interval(cam, pix->pixelformat,
					      pix->width, pix->height, i,
					      &cand); i++) {
		u64 us = div_u64((u64)cand.numerator * USEC_PER_SEC,
				 cand.denominator);
		u64 dist = us > want_us ? us - want_us : want_us - us;

		if (!i || (want_us && dist < best_dist)) {
			best = cand;
			best_dist = dist;
		}
	}
	*interval = best;
}
