/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * One app's handle on a capture node: open, MMAP streaming with a few
 * buffers, DQBUF/QBUF, stop and close in the orders the stress tests pick.
 */
#ifndef NETCAM_STRESS_CAPTURE_H
#define NETCAM_STRESS_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/videodev2.h>

#define ST_CAP_MAX_BUFS 8

struct st_cap {
	int fd;
	int video_nr;
	unsigned int nbufs;		/* buffers allocated by REQBUFS */
	void *map[ST_CAP_MAX_BUFS];	/* NULL: not mapped */
	size_t len[ST_CAP_MAX_BUFS];
	bool streaming;			/* STREAMON succeeded, no STREAMOFF yet */
	unsigned int queued;		/* buffers the driver holds */
	/* What the last dequeued frame said, to check the next one. */
	bool have_last;
	uint32_t last_seq;
	uint64_t last_ts_us;
};

/* Open /dev/videoN (O_NONBLOCK if @nonblock); 0 or -errno. */
int st_cap_open(struct st_cap *c, int video_nr, bool nonblock);
/* S_FMT to @fourcc @w x @h; *got gets what the driver chose. 0 or -errno. */
int st_cap_set_fmt(struct st_cap *c, uint32_t fourcc, uint32_t w, uint32_t h,
		   struct v4l2_pix_format *got);
/* S_PARM to 1/@den; 0 or -errno. */
int st_cap_set_rate(struct st_cap *c, uint32_t den);
/*
 * REQBUFS @nbufs MMAP, map and queue them all, STREAMON. Returns 0 or the
 * -errno of the first step that failed (what was set up stays, for
 * st_cap_stop()/st_cap_close() to undo).
 */
int st_cap_start(struct st_cap *c, unsigned int nbufs);
/* poll() for a frame: 1 ready, 0 timeout, -ENODEV on POLLERR, -errno. */
int st_cap_wait(struct st_cap *c, int timeout_ms);
/* DQBUF into *b; 0 or -errno. */
int st_cap_dqbuf(struct st_cap *c, struct v4l2_buffer *b);
/* QBUF buffer @index back; 0 or -errno. */
int st_cap_qbuf(struct st_cap *c, unsigned int index);
/* STREAMOFF, unmap, REQBUFS 0; returns the first error, does all steps. */
int st_cap_stop(struct st_cap *c);
/* Unmap and close; @close_first closes the fd before unmapping. */
void st_cap_close(struct st_cap *c, bool close_first);

#endif /* NETCAM_STRESS_CAPTURE_H */
