// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: a grey placeholder JPEG of any size
 *
 * An MJPEG node with no signal and no earlier frame still needs a valid
 * JPEG of its negotiated size. Every 8x8 block of a flat mid-grey image
 * has a zero DC difference and no AC coefficient, so with one-symbol
 * Huffman tables (code "0" for DC category 0 and for end-of-block) each
 * block is two zero bits. The image is a fixed header, 12 zero bits per
 * 4:2:0 macroblock (4 luma and 2 chroma blocks), padding and EOI.
 */

#include "netcam-jpeg.h"

#ifdef __KERNEL__
#include <linux/string.h>
#else
#include <string.h>
#endif

/* Markers and segments up to the scan, without the frame size. */
static const u8 netcam_jpeg_dqt[] = {
	0xff, 0xd8,				/* SOI */
	0xff, 0xdb, 0x00, 0x43, 0x00,		/* DQT 0, 64 ones follow */
};

static const u8 netcam_jpeg_sof_head[] = {
	0xff, 0xc0, 0x00, 0x11, 0x08,		/* SOF0, 8 bit */
};

static const u8 netcam_jpeg_sof_tail_dht_sos[] = {
	0x03,					/* 3 components */
	0x01, 0x22, 0x00,			/* Y 2x2, table 0 */
	0x02, 0x11, 0x00,			/* Cb 1x1 */
	0x03, 0x11, 0x00,			/* Cr 1x1 */
	0xff, 0xc4, 0x00, 0x26,			/* DHT: DC 0 and AC 0 */
	0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
	0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
	0xff, 0xda, 0x00, 0x0c, 0x03,		/* SOS, 3 components */
	0x01, 0x00, 0x02, 0x00, 0x03, 0x00,
	0x00, 0x3f, 0x00,			/* Ss 0, Se 63, Ah/Al 0 */
};

#define NETCAM_JPEG_QUANT_LEN	64
#define NETCAM_JPEG_BITS_PER_MB	12

static u64 netcam_jpeg_scan_bits(u32 width, u32 height)
{
	u64 mbs = (u64)((width + 15) / 16) * ((height + 15) / 16);

	return mbs * NETCAM_JPEG_BITS_PER_MB;
}

static size_t netcam_jpeg_scan_bytes(u32 width, u32 height)
{
	return (netcam_jpeg_scan_bits(width, height) + 7) / 8;
}

size_t netcam_jpeg_grey_size(u32 width, u32 height)
{
	return sizeof(netcam_jpeg_dqt) + NETCAM_JPEG_QUANT_LEN +
	       sizeof(netcam_jpeg_sof_head) + 4 +
	       sizeof(netcam_jpeg_sof_tail_dht_sos) +
	       netcam_jpeg_scan_bytes(width, height) + 2;
}

size_t netcam_jpeg_grey(u8 *out, size_t size, u32 width, u32 height)
{
	size_t scan = netcam_jpeg_scan_bytes(width, height);
	size_t total = netcam_jpeg_grey_size(width, height);
	unsigned int pad_bits;
	u8 *p = out;

	if (!out || size < total || width > 0xffff || height > 0xffff)
		return 0;
	memcpy(p, netcam_jpeg_dqt, sizeof(netcam_jpeg_dqt));
	p += sizeof(netcam_jpeg_dqt);
	memset(p, 1, NETCAM_JPEG_QUANT_LEN);
	p += NETCAM_JPEG_QUANT_LEN;
	memcpy(p, netcam_jpeg_sof_head, sizeof(netcam_jpeg_sof_head));
	p += sizeof(netcam_jpeg_sof_head);
	*p++ = height >> 8;
	*p++ = height & 0xff;
	*p++ = width >> 8;
	*p++ = width & 0xff;
	memcpy(p, netcam_jpeg_sof_tail_dht_sos,
	       sizeof(netcam_jpeg_sof_tail_dht_sos));
	p += sizeof(netcam_jpeg_sof_tail_dht_sos);
	memset(p, 0, scan);
	/* The last byte's unused bits are padded with ones. */
	pad_bits = scan * 8 - netcam_jpeg_scan_bits(width, height);
	if (pad_bits)
		p[scan - 1] = (1U << pad_bits) - 1;
	p += scan;
	*p++ = 0xff;
	*p++ = 0xd9;				/* EOI */
	return p - out;
}
