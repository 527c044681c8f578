/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Bookkeeping of a checked capture: frame classes and the sequence of
 * frame numbers (gaps, repeats, restarts), independent of pixel formats,
 * plus a run-length timeline of what the capture went through.
 */
#ifndef NETCAM_CAPTURE_STATS_H
#define NETCAM_CAPTURE_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CAPTURE_TIMELINE_MAX 2048

struct capture_stats {
	uint32_t number_mask;	/* frame numbers wrap at mask + 1 */
	unsigned long frames, ok, placeholders, corrupt;
	unsigned long gaps, dropped, repeats, restarts;
	bool have_number;
	uint32_t first, last;
	/* Timeline: the current run and the finished ones as text. */
	char run_kind;		/* 0, 'R' real, 'S' repeat, 'P', 'C' */
	unsigned long run_count;
	uint32_t run_first, run_last;
	char timeline[CAPTURE_TIMELINE_MAX];
	bool timeline_truncated;
};

void capture_stats_init(struct capture_stats *st, uint32_t number_mask);

/*
 * Account one good frame with number n (already masked): the next number
 * (or a later one: a gap), the previous one again (a repeat: the driver
 * re-delivering its kept frame), or one further back (a restart: new
 * numbering after a stream restart, or an older kept frame re-delivered).
 */
void capture_stats_frame(struct capture_stats *st, uint32_t n);
void capture_stats_placeholder(struct capture_stats *st);
void capture_stats_corrupt(struct capture_stats *st);

/* The one-line summary netcam-check prints. */
void capture_stats_print(const struct capture_stats *st, FILE *out);

/*
 * "timeline R0-59x60 S74 P3 R0-40x41": runs of real frames (numbers
 * first-last, count), repeated frames, placeholders, corrupt frames.
 */
void capture_stats_print_timeline(struct capture_stats *st, FILE *out);

#endif /* NETCAM_CAPTURE_STATS_H */
