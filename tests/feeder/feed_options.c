// SPDX-License-Identifier: GPL-2.0-only
/* netcam-feed command line parsing. */
#include "feed_options.h"
#include "netcam-client.h"
#include "netcam-util.h"
#include "pattern.h"

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_MODES "YUYV,NV12,YU12,GREY,MJPG:640x480,320x240,1280x720:30,15"

static const char help_text[] =
"Usage: netcam-feed [OPTIONS]\n"
"       netcam-feed --list\n"
"       netcam-feed --remove NAME\n"
"\n"
"Test helper for netcam.ko: creates a camera through /dev/netcam and feeds\n"
"every streaming node with generated pattern frames (tests/lib/pattern.h)\n"
"numbered from 0 at each stream start, at the node's negotiated rate.\n"
"Prints 'node I /dev/videoN' per node once created.\n"
"\n"
"  --name NAME          camera name (default netcam-feed-PID)\n"
"  --label LABEL        camera label (default: the name)\n"
"  --nodes N            capture nodes, 1..8 (default 1)\n"
"  --node-label I:LABEL label of node I (repeatable)\n"
"  --modes SPEC         modes offered, FORMATS:SIZES:FPS, each a comma list,\n"
"                       all combinations in that order; join several specs\n"
"                       with '+'. FPS entries are integers or N/D fractions\n"
"                       (30000/1001). Formats: YUYV NV12 YU12 GREY MJPG.\n"
"                       Default: " DEFAULT_MODES "\n"
"  --frames N           exit after feeding N frames to node 0\n"
"  --rate-scale X       feed X frames per negotiated frame interval\n"
"                       (0.5: half rate, 2: double rate; default 1)\n"
"  --signal-lost        report NETCAM_SIGNAL_LOST after creating and feed\n"
"                       nothing (nodes should get placeholders)\n"
"  --remove-on-exit     remove the camera on exit (default: it stays and\n"
"                       its nodes stream placeholders)\n"
"  --quiet              no statistics on stderr at exit\n"
"  --verbose            log every event and ESTALE on stderr\n"
"  --list               print one line per camera and exit\n"
"  --remove NAME        remove camera NAME and exit\n"
"  --help               this text\n"
"\n"
"SIGTERM and SIGINT end the feeder with status 0.\n"
"Exit status: 0 success, 1 device or ioctl error, 2 usage error.\n";

static int parse_ulong(const char *what, const char *text, unsigned long max,
		       unsigned long *out)
{
	char *end;
	unsigned long value;

	errno = 0;
	value = strtoul(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || value > max) {
		fprintf(stderr, "netcam-feed: %s: bad number '%s'\n", what, text);
		return -1;
	}
	*out = value;
	return 0;
}

/* Split `list` at commas, calling fn on each non-empty item. */
static int for_each_item(char *list, int (*fn)(const char *item, void *ctx),
			 void *ctx)
{
	char *save = NULL;

	for (char *item = strtok_r(list, ",", &save); item;
	     item = strtok_r(NULL, ",", &save))
		if (fn(item, ctx) < 0)
			return -1;
	return 0;
}

struct spec_lists {
	uint32_t formats[8];
	size_t num_formats;
	uint32_t sizes[32][2];
	size_t num_sizes;
	uint32_t intervals[32][2];	/* num, den */
	size_t num_intervals;
};

static int add_format(const char *item, void *ctx)
{
	struct spec_lists *l = ctx;
	uint32_t fourcc = pattern_fourcc_parse(item);

	if (!fourcc) {
		fprintf(stderr, "netcam-feed: --modes: unknown format '%s'\n", item);
		return -1;
	}
	if (l->num_formats == sizeof(l->formats) / sizeof(l->formats[0])) {
		fprintf(stderr, "netcam-feed: --modes: too many formats at '%s'\n", item);
		return -1;
	}
	l->formats[l->num_formats++] = fourcc;
	return 0;
}

static int add_size(const char *item, void *ctx)
{
	struct spec_lists *l = ctx;
	unsigned int w, h;
	char tail;

	if (sscanf(item, "%ux%u%c", &w, &h, &tail) != 2) {
		fprintf(stderr, "netcam-feed: --modes: bad size '%s' (want WxH)\n", item);
		return -1;
	}
	if (l->num_sizes == sizeof(l->sizes) / sizeof(l->sizes[0])) {
		fprintf(stderr, "netcam-feed: --modes: too many sizes at '%s'\n", item);
		return -1;
	}
	/* Range checks are the kernel's job: tests feed bad values on purpose. */
	l->sizes[l->num_sizes][0] = w;
	l->sizes[l->num_sizes][1] = h;
	l->num_sizes++;
	return 0;
}

static int add_fps(const char *item, void *ctx)
{
	struct spec_lists *l = ctx;
	unsigned long num, den = 1;
	char *end;

	/* "N" or "N/D" frames per second; the interval is den/num seconds. */
	errno = 0;
	num = strtoul(item, &end, 10);
	if (*end == '/')
		den = strtoul(end + 1, &end, 10);
	if (errno || *end || item[0] == '-' || num == 0 || den == 0 ||
	    num > UINT32_MAX || den > UINT32_MAX) {
		fprintf(stderr, "netcam-feed: --modes: bad frame rate '%s'\n", item);
		return -1;
	}
	if (l->num_intervals == sizeof(l->intervals) / sizeof(l->intervals[0])) {
		fprintf(stderr, "netcam-feed: --modes: too many rates at '%s'\n", item);
		return -1;
	}
	l->intervals[l->num_intervals][0] = (uint32_t)den;
	l->intervals[l->num_intervals][1] = (uint32_t)num;
	l->num_intervals++;
	return 0;
}

/* One FORMATS:SIZES:FPS group appended to modes[*count]. */
static int parse_group(char *group, struct netcam_mode *modes, size_t capacity,
		       size_t *count)
{
	struct spec_lists l;
	char *sizes, *fps;

	memset(&l, 0, sizeof(l));
	sizes = strchr(group, ':');
	fps = sizes ? strchr(sizes + 1, ':') : NULL;
	if (!sizes || !fps || strchr(fps + 1, ':')) {
		fprintf(stderr, "netcam-feed: --modes: '%s' is not FORMATS:SIZES:FPS\n",
			group);
		return -1;
	}
	*sizes++ = '\0';
	*fps++ = '\0';
	if (for_each_item(group, add_format, &l) < 0 ||
	    for_each_item(sizes, add_size, &l) < 0 ||
	    for_each_item(fps, add_fps, &l) < 0)
		return -1;
	if (!l.num_formats || !l.num_sizes || !l.num_intervals) {
		fprintf(stderr, "netcam-feed: --modes: empty list in a group\n");
		return -1;
	}
	for (size_t f = 0; f < l.num_formats; f++)
		for (size_t s = 0; s < l.num_sizes; s++)
			for (size_t i = 0; i < l.num_intervals; i++) {
				struct netcam_mode *m = &modes[*count];

				if (*count == capacity) {
					fprintf(stderr, "netcam-feed: --modes: more than %zu modes\n",
						capacity);
					return -1;
				}
				memset(m, 0, sizeof(*m));
				m->pixelformat = l.formats[f];
				m->width = l.sizes[s][0];
				m->height = l.sizes[s][1];
				m->interval_num = l.intervals[i][0];
				m->interval_den = l.intervals[i][1];
				(*count)++;
			}
	return 0;
}

int feed_modes_parse(const char *spec, struct netcam_mode *modes,
		     size_t capacity)
{
	char *copy = strdup(spec), *save = NULL;
	size_t count = 0;

	if (!copy) {
		fprintf(stderr, "netcam-feed: out of memory\n");
		return -1;
	}
	for (char *group = strtok_r(copy, "+", &save); group;
	     group = strtok_r(NULL, "+", &save)) {
		if (parse_group(group, modes, capacity, &count) < 0) {
			free(copy);
			return -1;
		}
	}
	free(copy);
	if (count == 0) {
		fprintf(stderr, "netcam-feed: --modes: '%s' has no modes\n", spec);
		return -1;
	}
	return (int)count;
}

static int set_node_label(struct feed_options *opts, const char *arg)
{
	unsigned long index;
	const char *colon = strchr(arg, ':');
	char number[16];

	if (!colon || (size_t)(colon - arg) >= sizeof(number)) {
		fprintf(stderr, "netcam-feed: --node-label: '%s' is not I:LABEL\n", arg);
		return -1;
	}
	memcpy(number, arg, colon - arg);
	number[colon - arg] = '\0';
	if (parse_ulong("--node-label", number, NETCAM_MAX_NODES - 1, &index) < 0)
		return -1;
	if (copy_fixed(opts->node_labels[index],
				 sizeof(opts->node_labels[index]), colon + 1) < 0) {
		fprintf(stderr, "netcam-feed: --node-label: '%s' longer than %d bytes\n",
			colon + 1, NETCAM_LABEL_LEN - 1);
		return -1;
	}
	return 0;
}

static int set_string(const char *what, char *dst, size_t size, const char *src)
{
	if (copy_fixed(dst, size, src) < 0) {
		fprintf(stderr, "netcam-feed: %s: '%s' longer than %zu bytes\n",
			what, src, size - 1);
		return -1;
	}
	return 0;
}

int feed_options_parse(int argc, char **argv, struct feed_options *opts)
{
	enum { OPT_NAME = 256, OPT_LABEL, OPT_NODES, OPT_NODE_LABEL, OPT_MODES,
	       OPT_FRAMES, OPT_RATE_SCALE, OPT_SIGNAL_LOST, OPT_QUIET,
	       OPT_REMOVE_ON_EXIT, OPT_VERBOSE, OPT_LIST, OPT_REMOVE, OPT_HELP };
	static const struct option longopts[] = {
		{ "name", required_argument, NULL, OPT_NAME },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "nodes", required_argument, NULL, OPT_NODES },
		{ "node-label", required_argument, NULL, OPT_NODE_LABEL },
		{ "modes", required_argument, NULL, OPT_MODES },
		{ "frames", required_argument, NULL, OPT_FRAMES },
		{ "rate-scale", required_argument, NULL, OPT_RATE_SCALE },
		{ "signal-lost", no_argument, NULL, OPT_SIGNAL_LOST },
		{ "quiet", no_argument, NULL, OPT_QUIET },
		{ "remove-on-exit", no_argument, NULL, OPT_REMOVE_ON_EXIT },
		{ "verbose", no_argument, NULL, OPT_VERBOSE },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "remove", required_argument, NULL, OPT_REMOVE },
		{ "help", no_argument, NULL, OPT_HELP },
		{ NULL, 0, NULL, 0 },
	};
	const char *modes_spec = DEFAULT_MODES;
	unsigned long value;
	char *end;
	int opt, count;

	memset(opts, 0, sizeof(*opts));
	opts->num_nodes = 1;
	opts->rate_scale = 1.0;
	snprintf(opts->name, sizeof(opts->name), "netcam-feed-%ld", (long)getpid());

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_NAME:
			if (set_string("--name", opts->name, sizeof(opts->name), optarg) < 0)
				return -1;
			break;
		case OPT_LABEL:
			if (set_string("--label", opts->label, sizeof(opts->label), optarg) < 0)
				return -1;
			break;
		case OPT_NODES:
			if (parse_ulong("--nodes", optarg, NETCAM_MAX_NODES, &value) < 0)
				return -1;
			opts->num_nodes = (unsigned int)value;
			break;
		case OPT_NODE_LABEL:
			if (set_node_label(opts, optarg) < 0)
				return -1;
			break;
		case OPT_MODES:
			modes_spec = optarg;
			break;
		case OPT_FRAMES:
			if (parse_ulong("--frames", optarg, 1UL << 31, &opts->frames) < 0)
				return -1;
			break;
		case OPT_RATE_SCALE:
			opts->rate_scale = strtod(optarg, &end);
			if (end == optarg || *end || !(opts->rate_scale > 0.001) ||
			    opts->rate_scale > 1000) {
				fprintf(stderr, "netcam-feed: --rate-scale: bad value '%s'\n",
					optarg);
				return -1;
			}
			break;
		case OPT_SIGNAL_LOST:
			opts->signal_lost = true;
			break;
		case OPT_QUIET:
			opts->quiet = true;
			break;
		case OPT_REMOVE_ON_EXIT:
			opts->remove_on_exit = true;
			break;
		case OPT_VERBOSE:
			opts->verbose = true;
			break;
		case OPT_LIST:
			opts->action = FEED_ACTION_LIST;
			break;
		case OPT_REMOVE:
			opts->action = FEED_ACTION_REMOVE;
			if (set_string("--remove", opts->name, sizeof(opts->name), optarg) < 0)
				return -1;
			break;
		case OPT_HELP:
			fputs(help_text, stdout);
			return 1;
		default:
			fprintf(stderr, "netcam-feed: bad option (see --help)\n");
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "netcam-feed: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	/* 0 nodes is accepted on purpose: the kernel must reject it. */
	count = feed_modes_parse(modes_spec, opts->modes, NETCAM_MAX_MODES);
	if (count < 0)
		return -1;
	opts->num_modes = (size_t)count;
	return 0;
}
