/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Recordings and streams for --replay through FFmpeg's libavformat and
 * libavcodec: whatever they read (MP4, MKV, AVI, MPEG-TS, a camera's own
 * recording, an rtsp:// or http:// URL), luma only.
 *
 * The first video stream is decoded; of each frame only the luma plane is
 * taken, as decoded when the decoder gives 8-bit planar YUV or grey (no
 * colour conversion, no copy), else converted to grey by libswscale, as
 * is a frame whose size differs from the first's. Times are the frames'
 * own timestamps, in seconds from the first frame.
 *
 * One reader per replay, used by one thread; avclip_open() allocates it
 * and avclip_close() frees it. A frame's plane stays valid until the next
 * avclip_read() or avclip_close().
 */
#ifndef NETCAM_MOTION_AVCLIP_H
#define NETCAM_MOTION_AVCLIP_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

struct avclip;

/*
 * The reader lives in a module of its own, netcam-motion-av.so, loaded
 * only to replay something that is not Y4M: linking FFmpeg's libraries
 * (and the codec libraries they bring, over a hundred) into netcam-motion
 * would cost every start, the daemon's and every Y4M replay's, some 30 ms.
 * The module exports one table, AVCLIP_OPS_SYMBOL, and uses nothing of
 * netcam-motion's: the caller logs.
 */
#define AVCLIP_MODULE "netcam-motion-av.so"
#define AVCLIP_OPS_SYMBOL "netcam_avclip_ops"

struct avclip_ops {
	/* Opens url (a file or a URL) and decodes its first frame; name: how
	 * messages call it (credentials hidden); verbose: pass FFmpeg's own
	 * error messages on to stderr. NULL with a one-line reason in err.
	 * stop (may be NULL): once it is set (by a signal handler), a read or
	 * connect that blocks gives up. */
	struct avclip *(*open)(const char *url, const char *name, int verbose,
			       const volatile sig_atomic_t *stop, char *err,
			       size_t errlen);
	/* Frame size (of the first frame; every frame is given at this
	 * size). */
	void (*size)(const struct avclip *c, int *w, int *h);
	/* 1: a frame in *luma (*stride bytes per row) at *t seconds; 0: end
	 * of the stream; -1: error, with the reason in err. */
	int (*read)(struct avclip *c, const uint8_t **luma, int *stride,
		    double *t, char *err, size_t errlen);
	/* Damaged packets skipped so far. */
	long (*damaged)(const struct avclip *c);
	void (*close)(struct avclip *c);
};

#endif
