/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcamd: is a JPEG from an MJPEG camera whole? FFmpeg's MJPEG decoder
 * decodes a part with no end (a camera or link that cut it short) or with
 * a hole in its entropy data and hands out a picture whose bottom is
 * black, grey or shifted, without flagging it. This reads the part's
 * marker structure before it is decoded or passed through, so such a part
 * is dropped and the node keeps its last clean picture. Pure: no FFmpeg,
 * so the unit tests drive it.
 */
#ifndef NETCAMD_JPEG_H
#define NETCAMD_JPEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * True if jpeg[0..size) is one whole JPEG: SOI first; every marker
 * segment inside the buffer; a frame header before the first scan; each
 * scan's entropy data non-empty, with restart markers in order and, when
 * the picture's size is known, as many as its restart interval asks for
 * (a hole or a lost chunk shows as a missing one); EOI after the last
 * scan. Bytes after EOI are allowed (cameras pad). Otherwise false, with
 * a short reason in why ("no end of image: cut short after N bytes").
 */
bool jpeg_is_whole(const uint8_t *jpeg, size_t size, char *why,
		   size_t why_size);

/*
 * What the log says about damaged pictures (a JPEG that is not whole, a
 * frame the decoder rejects): the first of a session at once, then how
 * many at most once per DAMAGE_LOG_NS, so a camera that damages every
 * part costs one line a minute, not one per frame.
 */
#define DAMAGE_LOG_NS (60ULL * 1000000000ULL)
#define DAMAGE_REASON_MAX 160

struct damage_log {
	uint64_t said_at;	/* mono ns of the last line; 0: none yet */
	unsigned long unsaid;	/* damaged pictures not yet in a line */
	unsigned long since_clean;	/* damaged since the last clean one */
	char last[DAMAGE_REASON_MAX];	/* the newest reason */
};

/* A damaged picture at now, for reason why. Returns how many damaged
 * pictures to report in a line now (0: stay quiet). */
unsigned long damage_note(struct damage_log *d, uint64_t now, const char *why);

#endif
