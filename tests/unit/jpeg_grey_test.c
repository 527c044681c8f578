// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of driver/netcam-jpeg.c, the grey placeholder JPEG an
 * MJPEG node sends while it has no signal: libjpeg-turbo must decode it at
 * every size to the exact size, all samples mid-grey; a short buffer must
 * be refused.
 */
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>

#include "netcam-jpeg.h"

struct decode_error {
	struct jpeg_error_mgr mgr;
	jmp_buf env;
	char message[JMSG_LENGTH_MAX];
};

static void on_decode_error(j_common_ptr cinfo)
{
	struct decode_error *err = (struct decode_error *)cinfo->err;

	cinfo->err->format_message(cinfo, err->message);
	longjmp(err->env, 1);
}

/* Decode @jpeg; 0 when it is @width x @height and every sample is 128. */
static int check_grey(const u8 *jpeg, size_t len, u32 width, u32 height,
		      char *why, size_t why_len)
{
	struct jpeg_decompress_struct cinfo;
	struct decode_error err;
	unsigned char *row = NULL;
	int bad = 0;

	cinfo.err = jpeg_std_error(&err.mgr);
	err.mgr.error_exit = on_decode_error;
	if (setjmp(err.env)) {
		snprintf(why, why_len, "libjpeg: %s", err.message);
		jpeg_destroy_decompress(&cinfo);
		free(row);
		return -1;
	}
	jpeg_create_decompress(&cinfo);
	jpeg_mem_src(&cinfo, jpeg, len);
	jpeg_read_header(&cinfo, TRUE);
	jpeg_start_decompress(&cinfo);
	if (cinfo.output_width != width || cinfo.output_height != height) {
		snprintf(why, why_len, "decoded as %ux%u", cinfo.output_width,
			 cinfo.output_height);
		bad = 1;
	}
	row = malloc((size_t)cinfo.output_width * cinfo.output_components);
	while (!bad && cinfo.output_scanline < cinfo.output_height) {
		size_t i, n = (size_t)cinfo.output_width *
			      cinfo.output_components;

		jpeg_read_scanlines(&cinfo, &row, 1);
		for (i = 0; i < n; i++) {
			if (row[i] != 128) {
				snprintf(why, why_len,
					 "sample %u at line %u, byte %zu",
					 row[i], cinfo.output_scanline - 1, i);
				bad = 1;
				break;
			}
		}
	}
	if (!bad)
		jpeg_finish_decompress(&cinfo);
	jpeg_destroy_decompress(&cinfo);
	free(row);
	return bad ? -1 : 0;
}

int main(void)
{
	static const u32 sizes[][2] = {
		{ 16, 16 }, { 18, 16 }, { 320, 240 }, { 318, 242 },
		{ 640, 480 }, { 1280, 720 }, { 1920, 1080 }, { 8192, 8192 },
	};
	unsigned int passed = 0, failed = 0, i;
	char why[256];

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		u32 w = sizes[i][0], h = sizes[i][1];
		size_t size = netcam_jpeg_grey_size(w, h), len;
		u8 *buf = malloc(size);

		len = buf ? netcam_jpeg_grey(buf, size, w, h) : 0;
		why[0] = '\0';
		if (len != size)
			snprintf(why, sizeof(why), "wrote %zu of %zu bytes", len,
				 size);
		else if (netcam_jpeg_grey(buf, size - 1, w, h) != 0)
			snprintf(why, sizeof(why), "a short buffer was used");
		else
			check_grey(buf, len, w, h, why, sizeof(why));
		if (why[0]) {
			printf("not ok %u - grey JPEG %ux%u: %s\n", i + 1, w, h,
			       why);
			failed++;
		} else {
			printf("ok %u - grey JPEG %ux%u (%zu bytes)\n", i + 1, w,
			       h, len);
			passed++;
		}
		free(buf);
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
