// SPDX-License-Identifier: GPL-2.0
/*
 * Signal loss and return: see outage.h.
 */
#include "outage.h"

#include <stdlib.h>
#include <string.h>

int outage_init(struct outage *o, size_t luma_bytes)
{
	memset(o, 0, sizeof(*o));
	o->last = malloc(luma_bytes ? luma_bytes : 1);
	o->n = luma_bytes;
	return o->last ? 0 : -1;
}

void outage_free(struct outage *o)
{
	free(o->last);
	memset(o, 0, sizeof(*o));
}

int outage_frame(struct outage *o, int signal, const uint8_t *luma)
{
	int r = 0;

	if (signal == 0) {
		/* kept for the return: the picture the device may repeat */
		memcpy(o->last, luma, o->n);
		r = o->lost ? OUTAGE_SKIP : OUTAGE_SKIP | OUTAGE_LOST;
		o->lost = 1;
		o->returning = 0;
		return r;
	}
	if (o->lost) {
		o->lost = 0;
		o->returning = 1;
		r = OUTAGE_BACK;
	}
	if (!o->returning)
		return r;
	/* The camera's first real frame is never byte for byte the frozen
	 * picture; the device's repeats of it are. */
	if (memcmp(o->last, luma, o->n) == 0)
		return r | OUTAGE_SKIP;
	o->returning = 0;
	return r;
}
