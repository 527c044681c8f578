// SPDX-License-Identifier: GPL-2.0-only
/* MJPEG encoding of the coarse test pattern with libjpeg(-turbo). */
#include "pattern_jpeg.h"
#include "pattern.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
/* jpeglib.h needs FILE and size_t declared first. */
#include <jpeglib.h>

struct pattern_jpeg {
	uint32_t width, height;
	int quality;
	uint8_t *y, *u, *v;		/* source planes, 4:2:0 */
	unsigned char *out;		/* output buffer, reused per frame */
	unsigned long out_cap;		/* its allocated size */
};

/* libjpeg reports fatal errors through a callback that must not return. */
struct error_trap {
	struct jpeg_error_mgr mgr;
	jmp_buf escape;
};

static void error_exit_to_trap(j_common_ptr cinfo)
{
	struct error_trap *trap = (struct error_trap *)cinfo->err;
	char message[JMSG_LENGTH_MAX];

	cinfo->err->format_message(cinfo, message);
	fprintf(stderr, "libjpeg: %s\n", message);
	longjmp(trap->escape, 1);
}

struct pattern_jpeg *pattern_jpeg_new(uint32_t w, uint32_t h, int quality)
{
	struct pattern_jpeg *enc = calloc(1, sizeof(*enc));
	size_t luma = (size_t)w * h;

	if (!enc)
		return NULL;
	enc->width = w;
	enc->height = h;
	enc->quality = quality;
	enc->y = calloc(1, luma);
	enc->u = calloc(1, luma / 4);
	enc->v = calloc(1, luma / 4);
	if (!enc->y || !enc->u || !enc->v) {
		pattern_jpeg_free(enc);
		return NULL;
	}
	return enc;
}

void pattern_jpeg_free(struct pattern_jpeg *enc)
{
	if (!enc)
		return;
	free(enc->y);
	free(enc->u);
	free(enc->v);
	free(enc->out);
	free(enc);
}

/* Row pointers of one 16-row MCU band starting at luma row `row`,
 * clamped to the last real row (libjpeg wants whole MCUs). */
static void band_rows(struct pattern_jpeg *enc, JDIMENSION row,
		      JSAMPROW y_rows[16], JSAMPROW u_rows[8],
		      JSAMPROW v_rows[8])
{
	uint32_t cw = enc->width / 2, ch = enc->height / 2;

	for (uint32_t i = 0; i < 16; i++) {
		uint32_t r = row + i < enc->height ? row + i : enc->height - 1;

		y_rows[i] = enc->y + (size_t)r * enc->width;
	}
	for (uint32_t i = 0; i < 8; i++) {
		uint32_t r = row / 2 + i < ch ? row / 2 + i : ch - 1;

		u_rows[i] = enc->u + (size_t)r * cw;
		v_rows[i] = enc->v + (size_t)r * cw;
	}
}

int pattern_jpeg_encode(struct pattern_jpeg *enc, uint32_t n,
			const uint8_t **data, size_t *size)
{
	struct jpeg_compress_struct cinfo;
	struct error_trap trap;
	JSAMPROW y_rows[16], u_rows[8], v_rows[8];
	JSAMPARRAY planes[3] = { y_rows, u_rows, v_rows };
	unsigned char *out = enc->out;
	unsigned long out_size = enc->out_cap;

	pattern_fill_coarse_yuv420(enc->y, enc->u, enc->v, enc->width,
				   enc->height, n);

	cinfo.err = jpeg_std_error(&trap.mgr);
	trap.mgr.error_exit = error_exit_to_trap;
	if (setjmp(trap.escape)) {
		jpeg_destroy_compress(&cinfo);
		if (out != enc->out)
			free(out);
		return -1;
	}
	jpeg_create_compress(&cinfo);
	/*
	 * jpeg_mem_dest writes into our buffer while it fits and otherwise
	 * switches to one it allocates (never freeing ours), so adopt the
	 * bigger one afterwards.
	 */
	jpeg_mem_dest(&cinfo, &out, &out_size);
	cinfo.image_width = enc->width;
	cinfo.image_height = enc->height;
	cinfo.input_components = 3;
	cinfo.in_color_space = JCS_YCbCr;
	jpeg_set_defaults(&cinfo);
	jpeg_set_quality(&cinfo, enc->quality, TRUE);
	cinfo.raw_data_in = TRUE;
	/* 4:2:0: luma 2x2, chroma 1x1, as in typical webcam MJPEG. */
	cinfo.comp_info[0].h_samp_factor = 2;
	cinfo.comp_info[0].v_samp_factor = 2;
	cinfo.comp_info[1].h_samp_factor = 1;
	cinfo.comp_info[1].v_samp_factor = 1;
	cinfo.comp_info[2].h_samp_factor = 1;
	cinfo.comp_info[2].v_samp_factor = 1;
	cinfo.dct_method = JDCT_ISLOW;
	jpeg_start_compress(&cinfo, TRUE);
	while (cinfo.next_scanline < cinfo.image_height) {
		band_rows(enc, cinfo.next_scanline, y_rows, u_rows, v_rows);
		jpeg_write_raw_data(&cinfo, planes, 16);
	}
	jpeg_finish_compress(&cinfo);
	jpeg_destroy_compress(&cinfo);
	if (out != enc->out) {
		free(enc->out);
		enc->out = out;
		enc->out_cap = out_size;
	}
	*data = enc->out;
	*size = out_size;
	return 0;
}
