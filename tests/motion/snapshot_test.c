// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of netcam-motion's snapshot writer: a colour snapshot decodes
 * to the colours its YCbCr planes hold, a grey one has one component, odd
 * sizes work, and an unwritable path is an error that names it. A write
 * that fails half-way (a full disk, here a file size limit) is an error
 * too, not libjpeg's exit(), and leaves no temporary file behind.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <jpeglib.h>    /* needs stdio.h first */

#include "actions.h"
#include "unit.h"

struct decoded {
	int w, h, comps;
	unsigned char *rgb;     /* w*h*comps, RGB or grey */
};

static int decode(const char *path, struct decoded *d)
{
	struct jpeg_decompress_struct cinfo;
	struct jpeg_error_mgr jerr;
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	cinfo.err = jpeg_std_error(&jerr);
	jpeg_create_decompress(&cinfo);
	jpeg_stdio_src(&cinfo, f);
	jpeg_read_header(&cinfo, TRUE);
	if (cinfo.num_components == 3)
		cinfo.out_color_space = JCS_RGB;
	jpeg_start_decompress(&cinfo);
	d->w = (int)cinfo.output_width;
	d->h = (int)cinfo.output_height;
	d->comps = cinfo.output_components;
	d->rgb = malloc((size_t)d->w * d->h * d->comps);
	while (cinfo.output_scanline < cinfo.output_height) {
		JSAMPROW row = d->rgb + (size_t)cinfo.output_scanline * d->w * d->comps;

		jpeg_read_scanlines(&cinfo, &row, 1);
	}
	jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	fclose(f);
	return 0;
}

/* A frame whose left half is red and right half blue (BT.601 YCbCr). */
static void two_colours(int w, int h, unsigned char **y, unsigned char **cb,
			unsigned char **cr)
{
	int cw = (w + 1) / 2, ch = (h + 1) / 2;

	*y = malloc((size_t)w * h);
	*cb = malloc((size_t)cw * ch);
	*cr = malloc((size_t)cw * ch);
	for (int r = 0; r < h; r++)
		for (int x = 0; x < w; x++)
			(*y)[r * w + x] = x < w / 2 ? 76 : 29;
	for (int r = 0; r < ch; r++)
		for (int x = 0; x < cw; x++) {
			(*cb)[r * cw + x] = x < cw / 2 ? 85 : 255;
			(*cr)[r * cw + x] = x < cw / 2 ? 255 : 107;
		}
}

static void test_colour(int w, int h)
{
	char path[] = "/tmp/netcam-snapXXXXXX";
	unsigned char *y, *cb, *cr;
	struct decoded d = { 0 };
	char err[256] = "";
	int fd = mkstemp(path);

	close(fd);
	two_colours(w, h, &y, &cb, &cr);
	CHECK(snapshot_write(path, y, cb, cr, w, h, 90, err, sizeof(err)) == 0,
	      "colour %dx%d: %s", w, h, err);
	CHECK(decode(path, &d) == 0 && d.w == w && d.h == h && d.comps == 3,
	      "colour %dx%d decodes to %dx%d with %d components", w, h, d.w, d.h, d.comps);
	if (d.rgb && d.comps == 3) {
		const unsigned char *l = d.rgb + ((size_t)(h / 2) * w + w / 8) * 3;
		const unsigned char *r = d.rgb + ((size_t)(h / 2) * w + w - w / 8 - 1) * 3;

		CHECK(l[0] > 200 && l[1] < 60 && l[2] < 60, "left is red: %d,%d,%d",
		      l[0], l[1], l[2]);
		CHECK(r[2] > 200 && r[0] < 60 && r[1] < 60, "right is blue: %d,%d,%d",
		      r[0], r[1], r[2]);
	}
	free(d.rgb);
	free(y);
	free(cb);
	free(cr);
	unlink(path);
}

static void test_grey(void)
{
	char path[] = "/tmp/netcam-snapXXXXXX";
	unsigned char y[16 * 9];
	struct decoded d = { 0 };
	char err[256] = "";
	int fd = mkstemp(path);

	close(fd);
	memset(y, 200, sizeof(y));
	CHECK(snapshot_write(path, y, NULL, NULL, 16, 9, 90, err, sizeof(err)) == 0,
	      "grey: %s", err);
	CHECK(decode(path, &d) == 0 && d.comps == 1 && d.rgb && d.rgb[0] > 190,
	      "grey decodes to %d components", d.comps);
	free(d.rgb);
	unlink(path);
}

static void test_unwritable(void)
{
	unsigned char y[64] = { 0 };
	char err[256] = "";

	CHECK(snapshot_write("/nonexistent-dir/snap.jpg", y, NULL, NULL, 8, 8, 90,
			     err, sizeof(err)) == -1 && strstr(err, "/nonexistent-dir/"),
	      "unwritable path reported: '%s'", err);
}

static void test_write_fails(void)
{
	char dir[] = "/tmp/netcam-snapdirXXXXXX", path[64], tmp[80];
	unsigned char *y, *cb, *cr;
	struct rlimit old, small = { 0 };
	char err[256] = "";
	int r;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/snap.jpg", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	two_colours(640, 360, &y, &cb, &cr);
	/* writes past 1 KiB fail with EFBIG, as they would with ENOSPC */
	getrlimit(RLIMIT_FSIZE, &old);
	small.rlim_cur = 1024;
	small.rlim_max = old.rlim_max;
	signal(SIGXFSZ, SIG_IGN);
	setrlimit(RLIMIT_FSIZE, &small);
	r = snapshot_write(path, y, cb, cr, 640, 360, 90, err, sizeof(err));
	setrlimit(RLIMIT_FSIZE, &old);
	CHECK(r == -1, "a failed write returns -1 (got %d)", r);
	CHECK(strstr(err, tmp) && strstr(err, strerror(EFBIG)),
	      "the error names the file and the cause: '%s'", err);
	CHECK(access(tmp, F_OK) != 0 && access(path, F_OK) != 0,
	      "neither %s nor the snapshot is left", tmp);
	/* and the next snapshot, with room again, is written */
	CHECK(snapshot_write(path, y, cb, cr, 640, 360, 90, err, sizeof(err)) == 0,
	      "written after the failure: %s", err);
	unlink(path);
	rmdir(dir);
	free(y);
	free(cb);
	free(cr);
}

int main(void)
{
	test_colour(320, 180);
	test_colour(33, 17);    /* odd sizes: chroma rounded up */
	test_grey();
	test_unwritable();
	test_write_fails();
	return UNIT_SUMMARY();
}
