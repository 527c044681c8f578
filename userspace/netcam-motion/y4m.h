/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal YUV4MPEG2 reader: 8-bit mono/420/422/444/411, luma only. */
#ifndef NETCAM_MOTION_Y4M_H
#define NETCAM_MOTION_Y4M_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct y4m {
	FILE *f;
	int w, h;
	int fps_num, fps_den;
	size_t frame_size;      /* bytes of one frame (all planes) */
	const uint8_t *buf;     /* luma of the frame read last, w bytes per row */
	long frames;            /* frames read so far */
	/* private: a small frame of a regular file is copied with pread()
	 * (seekable) from pos, the offset of the next frame header ... */
	int seekable;
	off_t pos, size;
	/* ... a large one read in place from a mapping of the whole file
	 * (mpos: next header; released: unmapped up to here) ... */
	const uint8_t *map;
	size_t map_len, mpos, released;
	/* ... anything else read into own (so are pread()'s) */
	uint8_t *own;
};

/* Longest header line read (FRAME lines included), with its NUL. */
#define Y4M_LINE_MAX 256

/* 0 on success; else -1 with a one-line reason in err. path "-": stdin. */
int y4m_open(struct y4m *y, const char *path, char *err, size_t errlen);
/* 1: a frame in y->buf; 0: clean end of file; -1: error (reason in err). */
int y4m_read(struct y4m *y, char *err, size_t errlen);
void y4m_close(struct y4m *y);

#endif
