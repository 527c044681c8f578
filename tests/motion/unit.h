/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks of netcam-motion's unit test programs. CHECK(cond, fmt, ...)
 * counts a pass, or prints "FAIL file:line: function: cond: message" and
 * counts a failure; UNIT_SUMMARY() prints "N passed, N failed" (the line
 * tests/motion/run.sh adds up) and is main()'s exit status.
 */
#ifndef NETCAM_MOTION_UNIT_H
#define NETCAM_MOTION_UNIT_H

#include <stdio.h>

static int unit_passed, unit_failed;

#define CHECK(cond, ...)                                                   \
	do {                                                               \
		if (cond) {                                                \
			unit_passed++;                                     \
		} else {                                                   \
			unit_failed++;                                     \
			printf("FAIL %s:%d: %s: %s: ", __FILE__, __LINE__, \
			       __func__, #cond);                           \
			printf(__VA_ARGS__);                               \
			printf("\n");                                      \
		}                                                          \
	} while (0)

#define UNIT_SUMMARY()                                                   \
	(printf("%d passed, %d failed\n", unit_passed, unit_failed),     \
	 unit_failed ? 1 : 0)

#endif
