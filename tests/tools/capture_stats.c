// SPDX-License-Identifier: GPL-2.0-only
/* Frame-number sequence accounting for netcam-check. */
#include "capture_stats.h"

#include <string.h>

void capture_stats_init(struct capture_stats *st, uint32_t number_mask)
{
	memset(st, 0, sizeof(*st));
	st->number_mask = number_mask;
}

/* Append the finished run to the timeline text. */
static void close_run(struct capture_stats *st)
{
	size_t used = strlen(st->timeline);
	char token[64];

	if (!st->run_kind)
		return;
	if (st->run_kind == 'R')
		snprintf(token, sizeof(token), " R%u-%ux%lu", st->run_first,
			 st->run_last, st->run_count);
	else
		snprintf(token, sizeof(token), " %c%lu", st->run_kind,
			 st->run_count);
	if (used + strlen(token) + 1 < sizeof(st->timeline))
		memcpy(st->timeline + used, token, strlen(token) + 1);
	else
		st->timeline_truncated = true;
	st->run_kind = 0;
	st->run_count = 0;
}

static void add_to_run(struct capture_stats *st, char kind, uint32_t n)
{
	if (st->run_kind != kind) {
		close_run(st);
		st->run_kind = kind;
		st->run_first = n;
	}
	st->run_count++;
	st->run_last = n;
}

void capture_stats_frame(struct capture_stats *st, uint32_t n)
{
	uint32_t step, half = st->number_mask / 2 + 1;

	st->ok++;
	if (!st->have_number) {
		st->have_number = true;
		st->first = n;
		st->last = n;
		add_to_run(st, 'R', n);
		return;
	}
	/* Modular difference: the MJPEG code only carries n mod 65536. */
	step = (n - st->last) & st->number_mask;
	if (step == 0) {
		st->repeats++;
		add_to_run(st, 'S', n);
	} else if (step < half) {
		if (step > 1) {
			st->gaps++;
			st->dropped += step - 1;
		}
		add_to_run(st, 'R', n);
	} else {
		st->restarts++;
		close_run(st);
		add_to_run(st, 'R', n);
	}
	st->last = n;
}

void capture_stats_placeholder(struct capture_stats *st)
{
	st->placeholders++;
	add_to_run(st, 'P', 0);
}

void capture_stats_corrupt(struct capture_stats *st)
{
	st->corrupt++;
	add_to_run(st, 'C', 0);
}

void capture_stats_print(const struct capture_stats *st, FILE *out)
{
	fprintf(out, "frames=%lu ok=%lu placeholders=%lu corrupt=%lu gaps=%lu dropped=%lu",
		st->frames, st->ok, st->placeholders, st->corrupt, st->gaps,
		st->dropped);
	if (st->have_number)
		fprintf(out, " first=%u last=%u", st->first, st->last);
	else
		fprintf(out, " first=- last=-");
	fprintf(out, " repeats=%lu restarts=%lu\n", st->repeats, st->restarts);
}

void capture_stats_print_timeline(struct capture_stats *st, FILE *out)
{
	close_run(st);
	fprintf(out, "timeline%s%s\n", st->timeline,
		st->timeline_truncated ? " ..." : "");
}
