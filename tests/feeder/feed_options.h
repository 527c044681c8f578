/* SPDX-License-Identifier: GPL-2.0-only */
/* Command line of netcam-feed: parsing and the --help text. */
#ifndef NETCAM_FEED_OPTIONS_H
#define NETCAM_FEED_OPTIONS_H

#include <linux/netcam.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit codes, also listed in the --help text. */
#define FEED_EXIT_OK		0
#define FEED_EXIT_RUNTIME	1	/* a device or ioctl failed */
#define FEED_EXIT_USAGE		2	/* bad command line */

enum feed_action {
	FEED_ACTION_RUN,	/* create the camera and feed it */
	FEED_ACTION_LIST,	/* print the cameras and exit */
	FEED_ACTION_REMOVE,	/* remove one camera and exit */
};

struct feed_options {
	enum feed_action action;
	char name[NETCAM_NAME_LEN];
	char label[NETCAM_LABEL_LEN];
	unsigned int num_nodes;
	char node_labels[NETCAM_MAX_NODES][NETCAM_LABEL_LEN];
	struct netcam_mode modes[NETCAM_MAX_MODES];
	size_t num_modes;
	unsigned long frames;	/* 0: run until a signal */
	double rate_scale;	/* frames fed per negotiated frame */
	bool signal_lost;
	bool quiet;
	bool verbose;		/* log every event and ESTALE */
	bool remove_on_exit;
};

/*
 * Parse argv into opts. Returns -1 after printing one line to stderr on a
 * usage error, 1 if --help was printed, 0 otherwise.
 */
int feed_options_parse(int argc, char **argv, struct feed_options *opts);

/*
 * Parse a mode SPEC ("FORMATS:SIZES:FPS[+FORMATS:SIZES:FPS...]") into
 * modes; returns the count, or -1 after printing why to stderr.
 */
int feed_modes_parse(const char *spec, struct netcam_mode *modes,
		     size_t capacity);

#endif /* NETCAM_FEED_OPTIONS_H */
