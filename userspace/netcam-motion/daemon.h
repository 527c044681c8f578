/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NETCAM_MOTION_DAEMON_H
#define NETCAM_MOTION_DAEMON_H

#include <stddef.h>
#include "netcam-config.h"

/* Checks what config_load cannot (how many cameras one process watches).
 * 0 ok; -1 with the reason in err. */
int daemon_check(const struct netcam_config *c, char *err, size_t errlen);
/* 1: open each camera once, report, exit (0 all fine, 1 otherwise). */
extern int daemon_once;
/* 1: one debug line per analysed frame */
extern int daemon_debug;
/* --log FILE: the event log instead of the configuration's, on reloads too */
extern const char *daemon_event_log;
/* Runs until SIGTERM/SIGINT (returns 0) or a fatal error (returns 1); it
 * takes over c (and frees it when a reload replaces it). */
int daemon_run(struct netcam_config *c, const char *cfgpath);

#endif
