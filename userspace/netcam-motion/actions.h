/* SPDX-License-Identifier: GPL-2.0 */
/* What happens on an event besides logging: a JPEG snapshot, a hook. */
#ifndef NETCAM_MOTION_ACTIONS_H
#define NETCAM_MOTION_ACTIONS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Writes a JPEG of the w x h luma plane to path (via a temporary file and
 * rename): in colour when cb and cr (half width and height, rounded up,
 * packed) are given, else greyscale. 0 ok; -1 with err. */
int snapshot_write(const char *path, const uint8_t *luma, const uint8_t *cb,
		   const uint8_t *cr, int w, int h, int quality, char *err,
		   size_t errlen);

/* Starts exe with argv (NULL-terminated, argv[0] = exe) and the daemon's
 * environment plus env (NULL-terminated "K=V" strings). No shell. The hook
 * leads its own process group, so that a hook past its time limit can be
 * killed together with whatever it started. Returns the pid, or -1 with
 * err. */
pid_t hook_spawn(const char *exe, char *const argv[], char *const env[],
		 char *err, size_t errlen);

#endif
