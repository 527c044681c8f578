// SPDX-License-Identifier: GPL-2.0-only
/* netcam-feed event loop and frame scheduling. */
#define _GNU_SOURCE	/* ppoll */
#include "feed_loop.h"
#include "frame_source.h"
#include "netcam-client.h"
#include "pattern.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NSEC_PER_SEC 1000000000ULL

volatile int feed_loop_stop_requested;

struct node_state {
	struct netcam_event state;	/* newest event: the node's state */
	bool known;			/* an event for this node arrived */
	uint64_t start_ns;		/* CLOCK_MONOTONIC of frame 0 */
	uint64_t interval_ns;		/* feed interval (rate-scaled) */
	uint64_t next;			/* number of the next frame */
	struct frame_source source;
	/* Statistics printed at exit. */
	unsigned long fed, late_skipped, stale;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Check that the driver's idea of a raw frame matches the pattern's
 * (bytesperline = w*2 or w, no padding), as FEED_FRAME needs exactly
 * sizeimage bytes. */
static int check_layout(const struct netcam_event *ev)
{
	size_t expected = pattern_frame_size(ev->pixelformat, ev->width,
					     ev->height);
	char name[5];

	pattern_fourcc_str(ev->pixelformat, name);
	if (ev->pixelformat == PATTERN_FMT_MJPG)
		return 0;
	if (expected != ev->sizeimage ||
	    pattern_bytesperline(ev->pixelformat, ev->width) != ev->bytesperline) {
		fprintf(stderr,
			"netcam-feed: node %u: kernel reports %s %ux%u bytesperline %u sizeimage %u, pattern needs %u and %zu\n",
			ev->node, name, ev->width, ev->height, ev->bytesperline,
			ev->sizeimage,
			pattern_bytesperline(ev->pixelformat, ev->width),
			expected);
		return -1;
	}
	return 0;
}

static void log_event(const struct netcam_event *ev)
{
	static const char *const types[] = { "?", "STREAM_ON", "STREAM_OFF", "FORMAT" };
	char name[5];

	pattern_fourcc_str(ev->pixelformat, name);
	fprintf(stderr, "netcam-feed: event %u %s node %u streaming %u %s %ux%u bpl %u size %u interval %u/%u\n",
		ev->sequence, ev->type < 4 ? types[ev->type] : "?", ev->node,
		ev->streaming, name, ev->width, ev->height, ev->bytesperline,
		ev->sizeimage, ev->interval_num, ev->interval_den);
}

static int apply_event(struct node_state *node, const struct netcam_event *ev,
		       double rate_scale)
{
	const struct netcam_event *old = &node->state;
	bool changed = !node->known || old->pixelformat != ev->pixelformat ||
		       old->width != ev->width || old->height != ev->height ||
		       old->interval_num != ev->interval_num ||
		       old->interval_den != ev->interval_den;
	bool restart = ev->streaming &&
		       (ev->type == NETCAM_EVENT_STREAM_ON || changed ||
			!old->streaming);

	if (ev->streaming && ev->interval_den == 0) {
		fprintf(stderr, "netcam-feed: node %u: event with frame interval %u/0\n",
			ev->node, ev->interval_num);
		return -1;
	}
	node->state = *ev;
	node->known = true;
	if (!restart)
		return 0;
	if (check_layout(ev) < 0 ||
	    frame_source_configure(&node->source, ev->pixelformat, ev->width,
				   ev->height) < 0)
		return -1;
	/* Frame numbers count from 0 at each stream start. */
	node->start_ns = now_ns();
	node->next = 0;
	node->interval_ns = (uint64_t)((double)ev->interval_num * NSEC_PER_SEC /
				       ev->interval_den / rate_scale);
	if (node->interval_ns == 0)
		node->interval_ns = 1;
	return 0;
}

/* Read whatever events are pending. 0, or -1 after a message. */
static int read_events(int feed_fd, struct node_state *nodes,
		       unsigned int num_nodes, double rate_scale, bool verbose)
{
	struct netcam_event events[64];
	ssize_t got = read(feed_fd, events, sizeof(events));

	if (got < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return 0;
		fprintf(stderr, "netcam-feed: read feed channel: %s\n",
			strerror(errno));
		return -1;
	}
	if (got == 0) {
		fprintf(stderr, "netcam-feed: feed channel closed by the kernel (camera removed?)\n");
		return -1;
	}
	if ((size_t)got % sizeof(events[0])) {
		fprintf(stderr, "netcam-feed: read feed channel: %zd bytes, not a multiple of %zu\n",
			got, sizeof(events[0]));
		return -1;
	}
	for (size_t i = 0; i < (size_t)got / sizeof(events[0]); i++) {
		if (verbose)
			log_event(&events[i]);
		if (events[i].node >= num_nodes) {
			fprintf(stderr, "netcam-feed: event %u for node %u of %u\n",
				events[i].sequence, events[i].node, num_nodes);
			return -1;
		}
		if (apply_event(&nodes[events[i].node], &events[i], rate_scale) < 0)
			return -1;
	}
	return 0;
}

static uint64_t deadline_of(const struct node_state *node)
{
	return node->start_ns + node->next * node->interval_ns;
}

/* Feed the node's frame that is due now, skipping slots we were too late
 * for so numbers stay tied to time. 0, or -1 after a message. */
static int feed_due_frame(int feed_fd, struct node_state *node, uint64_t now,
			  bool verbose)
{
	const struct netcam_event *st = &node->state;
	uint64_t due = (now - node->start_ns) / node->interval_ns;
	struct netcam_frame frame;
	const uint8_t *data;
	size_t size;
	char name[5];

	if (due > node->next) {
		node->late_skipped += due - node->next;
		node->next = due;
	}
	if (frame_source_render(&node->source, (uint32_t)node->next, &data,
				&size) < 0)
		return -1;
	node->next++;
	pattern_fourcc_str(st->pixelformat, name);
	if (size > st->sizeimage) {
		fprintf(stderr, "netcam-feed: node %u: %s frame of %zu bytes exceeds sizeimage %u\n",
			st->node, name, size, st->sizeimage);
		return -1;
	}
	memset(&frame, 0, sizeof(frame));
	frame.node = st->node;
	frame.pixelformat = st->pixelformat;
	frame.width = st->width;
	frame.height = st->height;
	frame.bytesused = (uint32_t)size;
	frame.data_ptr = (uintptr_t)data;
	if (netcam_feed_frame(feed_fd, &frame) == 0) {
		node->fed++;
		return 0;
	}
	if (errno == ESTALE) {
		/* The node changed under us; its events tell us how. */
		node->stale++;
		if (verbose)
			fprintf(stderr, "netcam-feed: node %u: frame %llu: ESTALE\n",
				st->node, (unsigned long long)node->next - 1);
		return 0;
	}
	fprintf(stderr, "netcam-feed: node %u: NETCAM_IOC_FEED_FRAME %s %ux%u frame %llu (%zu bytes): %s\n",
		st->node, name, st->width, st->height,
		(unsigned long long)node->next - 1, size, strerror(errno));
	return -1;
}

static void print_stats(const struct node_state *nodes, unsigned int num_nodes)
{
	for (unsigned int i = 0; i < num_nodes; i++)
		fprintf(stderr, "netcam-feed: node %u: fed=%lu late_skipped=%lu stale=%lu\n",
			i, nodes[i].fed, nodes[i].late_skipped, nodes[i].stale);
}

int feed_loop_run(int feed_fd, unsigned int num_nodes,
		  const struct feed_options *opts)
{
	struct node_state nodes[NETCAM_MAX_NODES];
	sigset_t wait_mask;
	int status = FEED_EXIT_OK;

	memset(nodes, 0, sizeof(nodes));
	/* Let the stop signals in only while ppoll waits: no lost wake-up. */
	sigprocmask(SIG_SETMASK, NULL, &wait_mask);
	sigdelset(&wait_mask, SIGTERM);
	sigdelset(&wait_mask, SIGINT);

	while (!feed_loop_stop_requested) {
		struct pollfd pfd = { .fd = feed_fd, .events = POLLIN };
		uint64_t now = now_ns(), wake = UINT64_MAX;
		struct timespec timeout, *timeout_ptr = NULL;
		int ready;

		for (unsigned int i = 0; i < num_nodes && !opts->signal_lost; i++) {
			if (!nodes[i].state.streaming)
				continue;
			if (deadline_of(&nodes[i]) <= now) {
				if (feed_due_frame(feed_fd, &nodes[i], now, opts->verbose) < 0) {
					status = FEED_EXIT_RUNTIME;
					goto out;
				}
				if (opts->frames && nodes[0].fed >= opts->frames)
					goto out;
			}
			if (nodes[i].state.streaming && deadline_of(&nodes[i]) < wake)
				wake = deadline_of(&nodes[i]);
		}
		if (wake != UINT64_MAX) {
			uint64_t delay = wake > now_ns() ? wake - now_ns() : 0;

			timeout.tv_sec = (time_t)(delay / NSEC_PER_SEC);
			timeout.tv_nsec = (long)(delay % NSEC_PER_SEC);
			timeout_ptr = &timeout;
		}
		ready = ppoll(&pfd, 1, timeout_ptr, &wait_mask);
		if (ready < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "netcam-feed: poll feed channel: %s\n",
				strerror(errno));
			status = FEED_EXIT_RUNTIME;
			break;
		}
		if (ready == 0)
			continue;
		if (pfd.revents & POLLIN) {
			if (read_events(feed_fd, nodes, num_nodes,
					opts->rate_scale, opts->verbose) < 0) {
				status = FEED_EXIT_RUNTIME;
				break;
			}
		} else if (pfd.revents & (POLLERR | POLLHUP | POLLNVAL)) {
			fprintf(stderr, "netcam-feed: feed channel hung up (revents 0x%x)\n",
				pfd.revents);
			status = FEED_EXIT_RUNTIME;
			break;
		}
	}
out:
	if (!opts->quiet)
		print_stats(nodes, num_nodes);
	for (unsigned int i = 0; i < NETCAM_MAX_NODES; i++)
		frame_source_release(&nodes[i].source);
	return status;
}
