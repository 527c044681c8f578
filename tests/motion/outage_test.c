// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of netcam-motion's signal loss and return (outage.c): frames
 * without a signal are skipped and the loss is told once; at the return
 * the frozen picture's repeats are skipped and the return is told once;
 * the first frame that differs, and every frame after it (byte-identical
 * repeats of a still scene included), is analysed; a device that does not
 * say (-1) is never skipped.
 */
#include <stdint.h>
#include <string.h>

#include "outage.h"
#include "unit.h"

#define N 64

static uint8_t a[N], b[N], c[N];

static void test_no_status(void)
{
	struct outage o;
	int r = 0;

	CHECK(outage_init(&o, N) == 0, "outage_init failed");
	for (int i = 0; i < 10; i++)
		r |= outage_frame(&o, -1, a);
	CHECK(r == 0, "a device without input status: bits %#x", r);
	outage_free(&o);
}

static void test_loss_and_return(void)
{
	struct outage o;
	int r;

	CHECK(outage_init(&o, N) == 0, "outage_init failed");
	CHECK(outage_frame(&o, 1, a) == 0, "a frame with a signal was not analysed");
	/* a still scene decoded from H.264 can repeat exactly: analysed */
	CHECK(outage_frame(&o, 1, a) == 0, "a repeat with the signal present was skipped");
	r = outage_frame(&o, 0, b);
	CHECK(r == (OUTAGE_LOST | OUTAGE_SKIP), "first frame without a signal: bits %#x", r);
	for (int i = 0; i < 5; i++) {
		r = outage_frame(&o, 0, b);
		CHECK(r == OUTAGE_SKIP, "frame %d without a signal: bits %#x", i, r);
	}
	/* back, but the device still repeats its frozen picture b */
	r = outage_frame(&o, 1, b);
	CHECK(r == (OUTAGE_BACK | OUTAGE_SKIP), "the return on a frozen frame: bits %#x", r);
	r = outage_frame(&o, 1, b);
	CHECK(r == OUTAGE_SKIP, "the frozen picture repeated after the return: bits %#x", r);
	r = outage_frame(&o, 1, c);
	CHECK(r == 0, "the camera's first real frame: bits %#x", r);
	r = outage_frame(&o, 1, c);
	CHECK(r == 0, "a repeat after the first real frame: bits %#x", r);
	/* a repeat of the frozen picture once real frames came: a frame */
	r = outage_frame(&o, 1, b);
	CHECK(r == 0, "b again after real frames: bits %#x", r);
	outage_free(&o);
}

static void test_return_on_a_new_frame(void)
{
	struct outage o;
	int r;

	CHECK(outage_init(&o, N) == 0, "outage_init failed");
	outage_frame(&o, 0, b);
	r = outage_frame(&o, 1, c);
	CHECK(r == OUTAGE_BACK, "a return on a real frame: bits %#x", r);
	/* lost again at once, and back */
	r = outage_frame(&o, 0, a);
	CHECK(r == (OUTAGE_LOST | OUTAGE_SKIP), "a second loss: bits %#x", r);
	r = outage_frame(&o, 1, a);
	CHECK(r == (OUTAGE_BACK | OUTAGE_SKIP), "a second return: bits %#x", r);
	outage_free(&o);
}

int main(void)
{
	memset(a, 10, N);
	memset(b, 0x80, N);
	memset(c, 10, N);
	c[N / 2] = 11;
	test_no_status();
	test_loss_and_return();
	test_return_on_a_new_frame();
	return UNIT_SUMMARY();
}
