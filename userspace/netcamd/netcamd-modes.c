// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: mode list generation. */
#define _GNU_SOURCE
#include "netcamd-modes.h"

#include <math.h>
#include <string.h>
#include <sys/time.h>
#include <linux/videodev2.h>

static int gcd(int a, int b)
{
	while (b) {
		int t = a % b;

		a = b;
		b = t;
	}
	return a;
}

void modes_rate_fraction(double fps, int *num, int *den)
{
	/* Exact for integer and NTSC-style (N*1000/1001) rates. */
	int n, d, g;

	if (fabs(fps - round(fps)) < 0.001) {
		n = (int)round(fps);
		d = 1;
	} else if (fabs(fps * 1001 / 1000 - round(fps * 1001 / 1000)) < 0.001) {
		n = (int)round(fps * 1001 / 1000) * 1000;
		d = 1001;
	} else {
		n = (int)round(fps * 1000);
		d = 1000;
	}
	if (n < 1)
		n = 1;
	g = gcd(n, d);
	*num = n / g;
	*den = d / g;
}

struct rate {
	int num, den;	/* frames per second as num/den */
};

int modes_build(const struct native_mode *nat, double max_fps,
		struct netcam_mode *out, int max)
{
	static const unsigned int raw[] = {
		V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420,
		V4L2_PIX_FMT_GREY,
	};
	static const int smaller_widths[] = { 1280, 640, 320 };
	static const int lower_fps[] = { 15, 10, 5, 1 };
	int sizes[4][2], nsizes = 0, nrates = 0, n = 0;
	struct rate rates[5];
	double fps;

	if (nat->width < 16 || nat->height < 16 || nat->width > 8192 ||
	    nat->height > 8192 || nat->fps_num <= 0 || nat->fps_den <= 0)
		return -1;
	sizes[nsizes][0] = nat->width & ~1;
	sizes[nsizes][1] = nat->height & ~1;
	nsizes++;
	for (size_t i = 0; i < sizeof(smaller_widths) / sizeof(int) && nsizes < 4; i++) {
		int w = smaller_widths[i];
		int h = (int)lround((double)w * nat->height / nat->width);

		h &= ~1;
		if (w >= sizes[0][0] || h < 16)
			continue;
		sizes[nsizes][0] = w;
		sizes[nsizes][1] = h;
		nsizes++;
	}
	fps = (double)nat->fps_num / nat->fps_den;
	if (max_fps > 0 && fps > max_fps + 1e-6) {
		modes_rate_fraction(max_fps, &rates[0].num, &rates[0].den);
		fps = max_fps;
	} else {
		int g = gcd(nat->fps_num, nat->fps_den);

		rates[0].num = nat->fps_num / g;
		rates[0].den = nat->fps_den / g;
	}
	if (fps > 1000) {
		rates[0].num = 1000;
		rates[0].den = 1;
		fps = 1000;
	}
	nrates = 1;
	for (size_t i = 0; i < sizeof(lower_fps) / sizeof(int); i++)
		if (lower_fps[i] < fps - 0.5)
			rates[nrates++] = (struct rate){ lower_fps[i], 1 };

#define ADD(fmt, w, h, r) do { \
		if (n < max) { \
			memset(&out[n], 0, sizeof(out[n])); \
			out[n].pixelformat = (fmt); \
			out[n].width = (unsigned int)(w); \
			out[n].height = (unsigned int)(h); \
			out[n].interval_num = (unsigned int)(r).den; \
			out[n].interval_den = (unsigned int)(r).num; \
			n++; \
		} } while (0)

	for (size_t f = 0; f < sizeof(raw) / sizeof(raw[0]); f++)
		for (int s = 0; s < nsizes; s++)
			for (int r = 0; r < nrates; r++)
				ADD(raw[f], sizes[s][0], sizes[s][1], rates[r]);
	/* MJPEG is passed through untouched, so only at the camera's size
	 * (which must be even to be a valid mode). */
	if (nat->is_mjpeg && !(nat->width & 1) && !(nat->height & 1))
		for (int r = 0; r < nrates; r++)
			ADD(V4L2_PIX_FMT_MJPEG, nat->width, nat->height, rates[r]);
#undef ADD
	return n;
}
