// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam-check: verify a capture of netcam-feed's pattern frames, as
 * written by ffmpeg (-f rawvideo) or GStreamer (filesink): consecutive
 * frames with no container. See tests/lib/pattern.h for the pattern.
 */
#include "capture_stats.h"
#include "pattern.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXIT_OK		0
#define EXIT_BAD	1	/* corrupt frames, no good frame, too many drops */
#define EXIT_USAGE	2
#define EXIT_IO		3

/* Corrupt frames described on stderr before going quiet. */
#define MAX_REPORTED	5
/* Mean |residual| of an MJPEG body above which the frame is not frame n:
 * quality 90 stays around 1-3, a torn or foreign frame is far above. */
#define MJPEG_MAX_BODY_ERROR	10.0
/* Decoded MJPEG placeholders are flat up to this much ringing. */
#define MJPEG_FLAT_TOLERANCE	8

static const char help_text[] =
"Usage: netcam-check --format FOURCC --size WxH [OPTIONS] FILE\n"
"       netcam-check --mjpeg-luma --size WxH [OPTIONS] FILE\n"
"\n"
"Checks a capture of netcam-feed's pattern (tests/lib/pattern.h): FILE (or -\n"
"for stdin) holds consecutive raw frames. Each frame is a placeholder (luma\n"
"all one value), or its frame number is decoded and every byte compared\n"
"with the expected frame; anything else is corrupt.\n"
"\n"
"  --format FOURCC     YUYV (YUY2), NV12, YU12 (I420) or GREY\n"
"  --size WxH          frame size\n"
"  --mjpeg-luma        FILE is MJPEG decoded to 8-bit gray (ffmpeg -pix_fmt\n"
"                      gray): read n mod 65536 from the coarse code and\n"
"                      check the rest approximately\n"
"  --max-dropped N     also fail if more than N frame numbers are missing\n"
"  --min-ok N          also fail if fewer than N frames are good (default 1)\n"
"  --timeline          print a second line: runs of real frames (R<first>-\n"
"                      <last>x<count>), repeats (S<n>: the previous frame\n"
"                      again), placeholders (P<n>) and corrupt frames (C<n>)\n"
"  --help              this text\n"
"\n"
"Prints one line: frames=F ok=K placeholders=P corrupt=C gaps=G dropped=D\n"
"first=N0 last=N1 repeats=R restarts=S (gaps: jumps of the frame number by\n"
"more than one; dropped: numbers missing; repeats: same number twice;\n"
"restarts: numbering went back, as after a stream restart or when the\n"
"driver re-delivers an older kept frame).\n"
"Exit status: 0 all good, 1 corrupt frames / too few good frames / too many\n"
"dropped, 2 usage error, 3 FILE unreadable.\n";

struct check_options {
	uint32_t fourcc;
	uint32_t width, height;
	bool mjpeg_luma;
	bool timeline;
	long max_dropped;	/* -1: no limit */
	unsigned long min_ok;
	const char *path;
};

static int parse_options(int argc, char **argv, struct check_options *o)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "mjpeg-luma", no_argument, NULL, 'm' },
		{ "max-dropped", required_argument, NULL, 'd' },
		{ "min-ok", required_argument, NULL, 'k' },
		{ "timeline", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char tail, *end;
	int opt;

	memset(o, 0, sizeof(*o));
	o->max_dropped = -1;
	o->min_ok = 1;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f':
			o->fourcc = pattern_fourcc_parse(optarg);
			if (!o->fourcc) {
				fprintf(stderr, "netcam-check: --format: unknown '%s'\n", optarg);
				return -1;
			}
			break;
		case 's':
			if (sscanf(optarg, "%ux%u%c", &o->width, &o->height, &tail) != 2 ||
			    o->width < 2 || o->height < 2) {
				fprintf(stderr, "netcam-check: --size: bad size '%s'\n", optarg);
				return -1;
			}
			break;
		case 'm':
			o->mjpeg_luma = true;
			break;
		case 'd':
			o->max_dropped = strtol(optarg, &end, 10);
			if (*end || end == optarg || o->max_dropped < 0) {
				fprintf(stderr, "netcam-check: --max-dropped: bad number '%s'\n", optarg);
				return -1;
			}
			break;
		case 'k':
			o->min_ok = strtoul(optarg, &end, 10);
			if (*end || end == optarg || optarg[0] == '-') {
				fprintf(stderr, "netcam-check: --min-ok: bad number '%s'\n", optarg);
				return -1;
			}
			break;
		case 't':
			o->timeline = true;
			break;
		case 'h':
			fputs(help_text, stdout);
			return 1;
		default:
			fprintf(stderr, "netcam-check: bad option (see --help)\n");
			return -1;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "netcam-check: want exactly one FILE (see --help)\n");
		return -1;
	}
	o->path = argv[optind];
	if (!o->width) {
		fprintf(stderr, "netcam-check: --size is required\n");
		return -1;
	}
	if (!o->mjpeg_luma && !pattern_is_raw(o->fourcc)) {
		fprintf(stderr, "netcam-check: --format YUYV, NV12, YU12 or GREY is required (or --mjpeg-luma)\n");
		return -1;
	}
	if (!o->mjpeg_luma && !pattern_frame_size(o->fourcc, o->width, o->height)) {
		fprintf(stderr, "netcam-check: --size %ux%u: width and height must be even\n",
			o->width, o->height);
		return -1;
	}
	return 0;
}

/* Classify one raw frame; `index` is its position in the file. */
static void check_raw_frame(const struct check_options *o, const uint8_t *frame,
			    unsigned long index, struct capture_stats *st)
{
	char name[5];
	uint32_t n;
	size_t bad, first_bad = 0;

	pattern_fourcc_str(o->fourcc, name);
	if (pattern_is_uniform(frame, o->fourcc, o->width, o->height)) {
		capture_stats_placeholder(st);
		return;
	}
	if (!pattern_decode(frame, o->fourcc, o->width, o->height, &n)) {
		if (st->corrupt < MAX_REPORTED)
			fprintf(stderr, "netcam-check: %s: frame %lu: no frame number in the header\n",
				o->path, index);
		capture_stats_corrupt(st);
		return;
	}
	bad = pattern_verify(frame, o->fourcc, o->width, o->height, n, &first_bad);
	if (bad) {
		if (st->corrupt < MAX_REPORTED)
			fprintf(stderr, "netcam-check: %s: frame %lu (n=%u): %zu bytes differ, first at offset %zu (got %u)\n",
				o->path, index, n, bad, first_bad, frame[first_bad]);
		capture_stats_corrupt(st);
		return;
	}
	capture_stats_frame(st, n);
}

static void check_luma_frame(const struct check_options *o, const uint8_t *luma,
			     unsigned long index, struct capture_stats *st)
{
	struct pattern_coarse_result res;
	size_t pixels = (size_t)o->width * o->height;

	if (pattern_luma_is_flat(luma, pixels, MJPEG_FLAT_TOLERANCE)) {
		capture_stats_placeholder(st);
		return;
	}
	if (!pattern_decode_coarse(luma, o->width, o->height, &res)) {
		if (st->corrupt < MAX_REPORTED)
			fprintf(stderr, "netcam-check: %s: frame %lu: coarse frame number unreadable\n",
				o->path, index);
		capture_stats_corrupt(st);
		return;
	}
	if (res.body_error > MJPEG_MAX_BODY_ERROR || res.gain < 0.7 || res.gain > 1.3) {
		if (st->corrupt < MAX_REPORTED)
			fprintf(stderr, "netcam-check: %s: frame %lu (n=%u): body differs (mean error %.1f, gain %.2f)\n",
				o->path, index, res.n16, res.body_error, res.gain);
		capture_stats_corrupt(st);
		return;
	}
	capture_stats_frame(st, res.n16);
}

int main(int argc, char **argv)
{
	struct check_options o;
	struct capture_stats st;
	size_t frame_size, got;
	uint8_t *frame;
	FILE *in;
	int parsed = parse_options(argc, argv, &o), status;

	if (parsed != 0)
		return parsed > 0 ? EXIT_OK : EXIT_USAGE;
	frame_size = o.mjpeg_luma ? (size_t)o.width * o.height :
		pattern_frame_size(o.fourcc, o.width, o.height);
	in = strcmp(o.path, "-") == 0 ? stdin : fopen(o.path, "rb");
	if (!in) {
		fprintf(stderr, "netcam-check: %s: %s\n", o.path, strerror(errno));
		return EXIT_IO;
	}
	frame = malloc(frame_size);
	if (!frame) {
		fprintf(stderr, "netcam-check: out of memory for %zu-byte frames\n", frame_size);
		return EXIT_IO;
	}
	capture_stats_init(&st, o.mjpeg_luma ? PATTERN_COARSE_MASK : 0xffffffffU);
	while ((got = fread(frame, 1, frame_size, in)) == frame_size) {
		if (o.mjpeg_luma)
			check_luma_frame(&o, frame, st.frames, &st);
		else
			check_raw_frame(&o, frame, st.frames, &st);
		st.frames++;
	}
	if (ferror(in)) {
		fprintf(stderr, "netcam-check: %s: read error: %s\n", o.path, strerror(errno));
		return EXIT_IO;
	}
	if (got) {
		/* A cut-off frame means the writer and we disagree on size. */
		fprintf(stderr, "netcam-check: %s: trailing %zu bytes, not a whole %zu-byte frame\n",
			o.path, got, frame_size);
		capture_stats_corrupt(&st);
	}
	free(frame);
	if (in != stdin)
		fclose(in);

	capture_stats_print(&st, stdout);
	if (o.timeline)
		capture_stats_print_timeline(&st, stdout);
	status = EXIT_OK;
	if (st.corrupt || st.ok < o.min_ok)
		status = EXIT_BAD;
	if (o.max_dropped >= 0 && st.dropped > (unsigned long)o.max_dropped)
		status = EXIT_BAD;
	return status;
}
