/* SPDX-License-Identifier: GPL-2.0-only */
/* netcam user space: small helpers every program needs. */
#ifndef NETCAM_UTIL_H
#define NETCAM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Exit codes of every netcam program (documented in their man pages). */
#define NETCAM_EXIT_OK		0
#define NETCAM_EXIT_RUNTIME	1	/* run-time error: retrying may help */
#define NETCAM_EXIT_CONFIG	2	/* usage or configuration error */

/* "YUYV"; unprintable bytes as '?'. */
void fourcc_str(uint32_t fourcc, char out[5]);

/* CLOCK_MONOTONIC in nanoseconds / seconds, CLOCK_REALTIME minus it. */
uint64_t mono_ns(void);
double mono_s(void);
double wall_minus_mono_s(void);

/* sd_notify(3): libsystemd's when built with it, else the datagram to
 * $NOTIFY_SOCKET that it would send.  Nothing when not under systemd. */
void notify_systemd(const char *state);
/* Half of $WATCHDOG_USEC in ns when the watchdog is for this process, 0
 * when there is none. */
uint64_t watchdog_interval_ns(void);

/* Copy src into a fixed-size uAPI name/label field, zero-filled and
 * NUL-terminated.  -1 (dst all zero) when it does not fit. */
int copy_fixed(char *dst, size_t size, const char *src);

/* Copy src into dst, cut to fit, always NUL-terminated. */
void str_copy(char *dst, size_t size, const char *src);

#endif
