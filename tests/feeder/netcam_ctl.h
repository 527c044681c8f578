/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Thin wrappers around the /dev/netcam control device ioctls, so the
 * feeder's logic reads as what it does rather than as struct plumbing.
 * All return 0 or -1 with errno set; none print.
 */
#ifndef NETCAM_FEED_CTL_H
#define NETCAM_FEED_CTL_H

#include <linux/netcam.h>
#include <stddef.h>

#define NETCAM_CONTROL_PATH "/dev/netcam"

/* Open the control device (O_RDWR | O_CLOEXEC); -1 with errno on failure. */
int netcam_ctl_open(void);

int netcam_ctl_version(int ctl, struct netcam_version *ver);

/* Create (or re-attach) a camera; req->fd/id/flags_out are filled in. */
int netcam_ctl_create(int ctl, struct netcam_create *req);

int netcam_ctl_remove(int ctl, const char *name);

/*
 * List all cameras into a new array (free() it); *count gets their number.
 * Retries with a bigger array if cameras appear between calls.
 */
int netcam_ctl_list(int ctl, struct netcam_camera_info **cameras,
		    size_t *count);

/* Copy a string into a fixed, NUL-terminated uAPI field; -1 if too long. */
int netcam_ctl_copy_name(char *dst, size_t dst_size, const char *src);

#endif /* NETCAM_FEED_CTL_H */
