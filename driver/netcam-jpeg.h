/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam: a grey placeholder JPEG of any size. Kept free of other kernel
 * headers so that the host unit tests can build and decode it.
 */
#ifndef _NETCAM_JPEG_H_
#define _NETCAM_JPEG_H_

#include <linux/types.h>

/* Bytes netcam_jpeg_grey() writes for this size. */
size_t netcam_jpeg_grey_size(u32 width, u32 height);
/* Write a mid-grey baseline JPEG; returns its size, 0 if @size is short. */
size_t netcam_jpeg_grey(u8 *out, size_t size, u32 width, u32 height);

#endif /* _NETCAM_JPEG_H_ */
