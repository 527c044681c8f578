// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam-pattern: write pattern frames to a file, as netcam-feed would feed
 * them (raw formats: consecutive frames; MJPG: concatenated JPEGs). Used to
 * test netcam-check and the ffmpeg decode path on the host, without the
 * driver.
 */
#include "pattern.h"
#include "pattern_jpeg.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char help_text[] =
"Usage: netcam-pattern --format FOURCC --size WxH --frames N [--first N]\n"
"                      [--skip LIST] [--placeholder LIST] [--flip LIST] FILE\n"
"\n"
"Writes frames first..first+N-1 of the netcam test pattern to FILE.\n"
"  --format FOURCC      YUYV NV12 YU12 GREY or MJPG (concatenated JPEGs)\n"
"  --skip LIST          comma list of frame numbers to leave out\n"
"  --placeholder LIST   frame numbers replaced by a mid-grey placeholder\n"
"  --flip LIST          frame numbers written with one byte changed\n"
"Exit status: 0 written, 1 write/encode error, 2 usage error.\n";

static bool in_list(const char *list, unsigned long n)
{
	const char *p = list;
	char *end;

	while (p && *p) {
		if (strtoul(p, &end, 10) == n && end != p)
			return true;
		p = *end == ',' ? end + 1 : NULL;
	}
	return false;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' },
		{ "first", required_argument, NULL, 'a' },
		{ "skip", required_argument, NULL, 'k' },
		{ "placeholder", required_argument, NULL, 'p' },
		{ "flip", required_argument, NULL, 'x' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *skip = "", *placeholder = "", *flip = "";
	unsigned long frames = 0, first = 0;
	unsigned int w = 0, h = 0;
	uint32_t fourcc = 0;
	struct pattern_jpeg *jpeg = NULL;
	uint8_t *raw = NULL;
	size_t raw_size = 0;
	FILE *out;
	char tail;
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'f': fourcc = pattern_fourcc_parse(optarg); break;
		case 's':
			if (sscanf(optarg, "%ux%u%c", &w, &h, &tail) != 2)
				w = 0;
			break;
		case 'n': frames = strtoul(optarg, NULL, 10); break;
		case 'a': first = strtoul(optarg, NULL, 10); break;
		case 'k': skip = optarg; break;
		case 'p': placeholder = optarg; break;
		case 'x': flip = optarg; break;
		case 'h': fputs(help_text, stdout); return 0;
		default: fprintf(stderr, "netcam-pattern: bad option (see --help)\n"); return 2;
		}
	}
	if (!fourcc || w < 16 || h < 16 || (w | h) & 1 || optind != argc - 1) {
		fprintf(stderr, "netcam-pattern: need --format, an even --size of at least 16x16 and FILE\n");
		return 2;
	}
	if (fourcc == PATTERN_FMT_MJPG) {
		jpeg = pattern_jpeg_new(w, h, 90);
	} else {
		raw_size = pattern_frame_size(fourcc, w, h);
		raw = malloc(raw_size);
	}
	if (!jpeg && !raw) {
		fprintf(stderr, "netcam-pattern: out of memory\n");
		return 1;
	}
	out = fopen(argv[optind], "wb");
	if (!out) {
		fprintf(stderr, "netcam-pattern: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	for (unsigned long n = first; n < first + frames; n++) {
		const uint8_t *data = raw;
		size_t size = raw_size;

		if (in_list(skip, n))
			continue;
		if (jpeg) {
			if (pattern_jpeg_encode(jpeg, (uint32_t)n, &data, &size) < 0)
				return 1;
		} else if (in_list(placeholder, n)) {
			memset(raw, 128, raw_size);
		} else {
			pattern_fill(raw, fourcc, w, h, (uint32_t)n);
			if (in_list(flip, n))
				raw[raw_size / 3] ^= 0x80;
		}
		if (fwrite(data, 1, size, out) != size) {
			fprintf(stderr, "netcam-pattern: %s: %s\n", argv[optind], strerror(errno));
			return 1;
		}
	}
	if (fclose(out) != 0) {
		fprintf(stderr, "netcam-pattern: %s: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	free(raw);
	pattern_jpeg_free(jpeg);
	return 0;
}
