/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam_cycles: camera create/remove cycles with capture nodes open,
 * streaming or closed, in random orders, and races of the feed channel's
 * close against ioctls on the nodes from other threads and processes.
 *
 * The state below is what the test knows the driver must be in; every
 * ioctl's result is compared with what that state allows.
 */
#ifndef NETCAM_STRESS_CYCLES_H
#define NETCAM_STRESS_CYCLES_H

#include <limits.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "capture.h"
#include "stress_util.h"

#define CY_NAME		"stress-cycle"
#define CY_MAX_NODES	2
#define CY_MAX_HANDLES	4	/* capture handles the main thread holds */
#define CY_MAX_STALE	4	/* feed fds of removed cameras kept open */
#define CY_FRAME_WAIT_MS 2000	/* a frame due at 200 fps; generous for TCG */

struct cy_handle {
	bool used;
	struct st_cap cap;
	unsigned int node;
	unsigned int gen;	/* camera generation it was opened on */
	struct v4l2_pix_format pix;	/* format while streaming */
};

struct cy_state {
	struct st_rng rng;
	int ctl;
	/* the camera */
	bool exists;
	unsigned int gen;	/* bumped for every new camera */
	uint32_t id;
	unsigned int nnodes;
	int video_nr[CY_MAX_NODES];
	int feed;		/* attached feed channel, or -1 */
	bool signal;		/* the attached feed's signal state */
	struct netcam_event ev[CY_MAX_NODES];	/* newest event per node */
	/* what the main thread holds */
	struct cy_handle h[CY_MAX_HANDLES];
	int stale_feed[CY_MAX_STALE];	/* -1: free slot */
	/* position, for messages */
	unsigned int cycle, step;
	const char *action;
	/* figures */
	unsigned long creates, reattaches, removes, frames, races, forks;
	unsigned long actions;
};

extern const struct netcam_mode cy_modes[];
extern const unsigned int cy_num_modes;

/* Unexpected results, counted from every thread and process. */
extern atomic_ulong cy_unexpected;
/* Report one unexpected result (printed for the first few). */
void cy_bad(const struct cy_state *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* @ret must be one of the listed values; the list ends with CY_END. */
bool cy_want(const struct cy_state *s, const char *what, int ret, ...);
#define CY_END INT_MIN

/* cycles_actions.c: one sequential step each, on the state */
void cy_act_create(struct cy_state *s);
void cy_act_close_feed(struct cy_state *s);
void cy_act_remove(struct cy_state *s);
/* Bookkeeping after a successful REMOVE: the feed is kept stale or closed. */
void cy_removed(struct cy_state *s);
void cy_act_open(struct cy_state *s);
void cy_act_stream_on(struct cy_state *s);
void cy_act_frames(struct cy_state *s);
void cy_act_stream_off(struct cy_state *s);
void cy_act_close_node(struct cy_state *s);
void cy_act_fmt_parm(struct cy_state *s);
void cy_act_feed_ops(struct cy_state *s);
void cy_act_stale_ops(struct cy_state *s);
/* End of a cycle: everything closed and removed, some stale fds kept. */
void cy_cleanup(struct cy_state *s, bool keep_some);
/* Compare NETCAM_IOC_LIST with the state. */
void cy_check_list(struct cy_state *s);
/* Read every pending event of the attached feed into s->ev. */
void cy_drain_events(struct cy_state *s);
bool cy_node_streaming(const struct cy_state *s, unsigned int node);
bool cy_handle_stale(const struct cy_state *s, const struct cy_handle *h);

/* cycles_race.c: feed close / re-attach / remove racing node ioctls */
void cy_act_race(struct cy_state *s);

#endif /* NETCAM_STRESS_CYCLES_H */
