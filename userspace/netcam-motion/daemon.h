/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETCAM_MOTION_DAEMON_H
#define NETCAM_MOTION_DAEMON_H

#include <stddef.h>
#include "config.h"

/* Checks what config_load cannot: each camera names a device or card.
 * 0 ok; -1 with the reason in err. */
int daemon_check(const struct config *c, char *err, size_t errlen);
/* 1: open each camera once, report, exit (0 all fine, 1 otherwise). */
extern int daemon_once;
/* 1: one debug line per analysed frame */
extern int daemon_debug;
/* Runs until SIGTERM/SIGINT (returns 0) or a fatal error (returns 1). */
int daemon_run(struct config *c, const char *cfgpath);

#endif
