/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam user space: the one client of /dev/netcam and of a camera's feed
 * channel (see Documentation/userspace-api/netcam.rst).  Every call returns
 * 0 (or a count) on success and -1 with errno set on failure; EINTR is
 * retried; none prints.
 */
#ifndef NETCAM_CLIENT_H
#define NETCAM_CLIENT_H

#include <stddef.h>
#include <linux/netcam.h>

#define NETCAM_CONTROL_PATH "/dev/netcam"

/* ioctl(2) that retries EINTR. */
int netcam_ioctl(int fd, unsigned long request, void *arg);

/* Open the control device, O_RDWR | O_CLOEXEC. */
int netcam_open_control(void);
int netcam_version(int ctl, struct netcam_version *ver);
/* VERSION, then EPROTO unless the driver speaks this header's major
 * version and at least min_minor of it (ATTACH needs 1). */
int netcam_check_version(int ctl, unsigned int min_minor,
			 struct netcam_version *ver);

/* CREATE (or re-attach by name); req->fd, id, flags_out filled in. */
int netcam_create(int ctl, struct netcam_create *req);
/* ATTACH to an existing camera: its feed channel fd, and its id. */
int netcam_attach(int ctl, const char *name, unsigned int *id);
int netcam_remove(int ctl, const char *name);
/* Every camera, in a new array (free() it); retries while cameras appear
 * between the calls. */
int netcam_list(int ctl, struct netcam_camera_info **cameras, size_t *count);
/* 1 with *out filled when the camera exists, 0 when not, -1 on error. */
int netcam_find(int ctl, const char *name, struct netcam_camera_info *out);

/* On a feed channel. */
int netcam_feed_frame(int feed, const struct netcam_frame *frame);
int netcam_set_signal(int feed, int present);
/* 1 with *ev filled, 0 when no event is queued (non-blocking fd), -1. */
int netcam_read_event(int feed, struct netcam_event *ev);

#endif
