// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam-feed: test helper for netcam.ko. Creates a camera, prints its
 * nodes and feeds pattern frames (see feed_options.c for the usage).
 */
#include "feed_loop.h"
#include "feed_options.h"
#include "netcam-client.h"
#include "netcam-util.h"
#include "pattern.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

static void request_stop(int sig)
{
	(void)sig;
	feed_loop_stop_requested = 1;
}

/* SIGTERM/SIGINT end the loop cleanly; blocked except while waiting. */
static void install_stop_signals(void)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = request_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, NULL);
}

static int open_control(void)
{
	int ctl = netcam_open_control();

	if (ctl < 0)
		fprintf(stderr, "netcam-feed: %s: %s\n", NETCAM_CONTROL_PATH,
			strerror(errno));
	return ctl;
}

static int list_cameras(int ctl)
{
	struct netcam_camera_info *cams;
	size_t count;

	if (netcam_list(ctl, &cams, &count) < 0) {
		fprintf(stderr, "netcam-feed: NETCAM_IOC_LIST: %s\n", strerror(errno));
		return FEED_EXIT_RUNTIME;
	}
	for (size_t i = 0; i < count; i++) {
		const struct netcam_camera_info *c = &cams[i];

		printf("camera %.*s id %u nodes %u feed %s signal %s streaming 0x%x label \"%.*s\"",
		       NETCAM_NAME_LEN, c->name, c->id, c->num_nodes,
		       c->flags & NETCAM_CAMERA_FEED_ATTACHED ? "attached" : "detached",
		       c->flags & NETCAM_CAMERA_SIGNAL ? "present" : "lost",
		       c->streaming_mask, NETCAM_LABEL_LEN, c->label);
		for (uint32_t n = 0; n < c->num_nodes && n < NETCAM_MAX_NODES; n++)
			printf(" /dev/video%d", c->video_nr[n]);
		putchar('\n');
	}
	free(cams);
	return FEED_EXIT_OK;
}

/* Print "node I /dev/videoN" for the camera `id`; returns its node count
 * (re-attached cameras keep the nodes they were created with), or -1. */
static int print_nodes(int ctl, uint32_t id, const char *name)
{
	struct netcam_camera_info *cams;
	size_t count;
	int num_nodes = -1;

	if (netcam_list(ctl, &cams, &count) < 0) {
		fprintf(stderr, "netcam-feed: NETCAM_IOC_LIST: %s\n", strerror(errno));
		return -1;
	}
	for (size_t i = 0; i < count; i++) {
		if (cams[i].id != id)
			continue;
		num_nodes = (int)cams[i].num_nodes;
		if (num_nodes < 1 || num_nodes > NETCAM_MAX_NODES) {
			fprintf(stderr, "netcam-feed: camera %s: NETCAM_IOC_LIST reports %d nodes\n",
				name, num_nodes);
			num_nodes = -1;
			break;
		}
		for (int n = 0; n < num_nodes; n++)
			printf("node %d /dev/video%d\n", n, cams[i].video_nr[n]);
	}
	if (num_nodes < 0)
		fprintf(stderr, "netcam-feed: camera %s (id %u) missing from NETCAM_IOC_LIST\n",
			name, id);
	free(cams);
	fflush(stdout);
	return num_nodes;
}

static int set_signal_lost(int feed_fd, const char *name)
{
	if (netcam_set_signal(feed_fd, 0) < 0) {
		fprintf(stderr, "netcam-feed: camera %s: NETCAM_IOC_SET_SIGNAL LOST: %s\n",
			name, strerror(errno));
		return -1;
	}
	return 0;
}

static int run_camera(int ctl, const struct feed_options *opts)
{
	struct netcam_create req;
	int num_nodes, status;

	memset(&req, 0, sizeof(req));
	memcpy(req.name, opts->name, sizeof(req.name));
	memcpy(req.label, opts->label, sizeof(req.label));
	req.num_nodes = opts->num_nodes;
	req.num_modes = (uint32_t)opts->num_modes;
	req.modes_ptr = (uintptr_t)opts->modes;
	for (unsigned int i = 0; i < NETCAM_MAX_NODES; i++)
		memcpy(req.nodes[i].label, opts->node_labels[i],
		       sizeof(req.nodes[i].label));
	if (netcam_create(ctl, &req) < 0) {
		fprintf(stderr, "netcam-feed: camera %s: NETCAM_IOC_CREATE (%u nodes, %zu modes): %s\n",
			opts->name, opts->num_nodes, opts->num_modes,
			strerror(errno));
		return FEED_EXIT_RUNTIME;
	}
	printf("camera %s id %u %s\n", opts->name, req.id,
	       req.flags_out & NETCAM_CREATE_REATTACHED ? "reattached" : "created");
	num_nodes = print_nodes(ctl, req.id, opts->name);
	if (num_nodes < 0) {
		close(req.fd);
		return FEED_EXIT_RUNTIME;
	}
	if (opts->signal_lost && set_signal_lost(req.fd, opts->name) < 0) {
		close(req.fd);
		return FEED_EXIT_RUNTIME;
	}
	status = feed_loop_run(req.fd, (unsigned int)num_nodes, opts);
	close(req.fd);
	if (opts->remove_on_exit && netcam_remove(ctl, opts->name) < 0) {
		fprintf(stderr, "netcam-feed: camera %s: NETCAM_IOC_REMOVE: %s\n",
			opts->name, strerror(errno));
		status = FEED_EXIT_RUNTIME;
	}
	return status;
}

int main(int argc, char **argv)
{
	static struct feed_options opts;	/* big: keep it off the stack */
	int parsed = feed_options_parse(argc, argv, &opts);
	int ctl, status;

	if (parsed != 0)
		return parsed > 0 ? FEED_EXIT_OK : FEED_EXIT_USAGE;
	install_stop_signals();
	ctl = open_control();
	if (ctl < 0)
		return FEED_EXIT_RUNTIME;
	switch (opts.action) {
	case FEED_ACTION_LIST:
		status = list_cameras(ctl);
		break;
	case FEED_ACTION_REMOVE:
		status = FEED_EXIT_OK;
		if (netcam_remove(ctl, opts.name) < 0) {
			fprintf(stderr, "netcam-feed: camera %s: NETCAM_IOC_REMOVE: %s\n",
				opts.name, strerror(errno));
			status = FEED_EXIT_RUNTIME;
		}
		break;
	default:
		status = run_camera(ctl, &opts);
		break;
	}
	close(ctl);
	return status;
}
