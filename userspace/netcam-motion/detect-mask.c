// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion detector, steps 4 and 5: change masks and their
 * despeckle, neighbour counts, connected components, and the test for a
 * light change.
 * The pipeline is detect.c; the state it shares, detect-priv.h.
 */
#include "detect-priv.h"

#include <math.h>
#include <string.h>

/* Sum of m[x-r..x+r], 0 beyond the ends of the row of n values. */
static int window_sum(const uint8_t *m, int n, int x, int r)
{
	int s = 0;

	for (int k = x - r; k <= x + r; k++)
		s += k >= 0 && k < n ? m[k] : 0;
	return s;
}

/*
 * The neighbour counts of 0/1 masks run over the whole plane as one flat
 * array, a byte to a lane: a loop per row of 160 pixels would spend much
 * of its time entering and leaving its vector loop. Window sums that run
 * off a row's ends (or off the plane, for columns) are put right after.
 */

/* o = each value's window sum (radius 1 or 2) along its row of ww. */
MD_SIMD static void row_sums(const uint8_t *restrict m, uint8_t *restrict o, int ww,
		     int wh, int r)
{
	long N = (long)ww * wh;

	if (r == 1) {
		for (long i = 1; i < N - 1; i++)
			o[i] = (uint8_t)(m[i - 1] + m[i] + m[i + 1]);
	} else {
		for (long i = 2; i < N - 2; i++)
			o[i] = (uint8_t)(m[i - 2] + m[i - 1] + m[i] + m[i + 1] + m[i + 2]);
	}
	for (int y = 0; y < wh; y++) {
		const uint8_t *my = m + (long)y * ww;
		uint8_t *oy = o + (long)y * ww;

		for (int x = 0; x < r && x < ww; x++)
			oy[x] = (uint8_t)window_sum(my, ww, x, r);
		for (int x = ww - r > r ? ww - r : r; x < ww; x++)
			oy[x] = (uint8_t)window_sum(my, ww, x, r);
	}
}

/* Column window sum of rs at row y, pixel x: 0 beyond the plane. */
static int col_sum(const uint8_t *rs, int ww, int wh, int x, int y, int r)
{
	int s = 0;

	for (int k = y - r; k <= y + r; k++)
		s += k >= 0 && k < wh ? rs[(long)k * ww + x] : 0;
	return s;
}

/* o = the column window sums (radius r) of rs: with row_sums() before,
 * the (2r+1) x (2r+1) neighbourhood count. */
MD_SIMD static void col_sums(const uint8_t *restrict rs, uint8_t *restrict o, int ww,
		     int wh, int r)
{
	long lo = (long)r * ww, hi = (long)(wh - r) * ww;

	if (r == 1) {
		for (long i = lo; i < hi; i++)
			o[i] = (uint8_t)(rs[i - ww] + rs[i] + rs[i + ww]);
	} else {
		for (long i = lo; i < hi; i++)
			o[i] = (uint8_t)(rs[i - 2 * ww] + rs[i - ww] + rs[i] +
					 rs[i + ww] + rs[i + 2 * ww]);
	}
	for (int y = 0; y < wh; y++) {
		if (y >= r && y < wh - r)
			continue;
		for (int x = 0; x < ww; x++)
			o[(long)y * ww + x] = (uint8_t)col_sum(rs, ww, wh, x, y, r);
	}
}

/* o = sum over the (2r+1) x (2r+1) neighbourhood of m (0/1 values), 0
 * outside the frame. Separable: rows into d->rows, then columns. */
static void box_sum(struct md_detector *d, const uint8_t *m, uint8_t *o, int r)
{
	row_sums(m, d->rows, d->ww, d->wh, r);
	col_sums(d->rows, o, d->ww, d->wh, r);
}

/* raw = valid & |diff| > T + k * grad over the whole plane. */
MD_SIMD static void threshold_plane(long n, const float *restrict diff,
			    const float *restrict grad,
			    const uint8_t *restrict valid, uint8_t *restrict raw,
			    float T, float k, int all_valid)
{
	if (all_valid) {
		for (long i = 0; i < n; i++)
			raw[i] = fabsf(diff[i]) > T + k * grad[i];
		return;
	}
	for (long i = 0; i < n; i++)
		raw[i] = (valid[i] != 0) & (fabsf(diff[i]) > T + k * grad[i]);
}

/* count[i] = raw[i] & (count[i] >= least): 0/1 */
MD_SIMD static void keep_where(long n, const uint8_t *restrict raw,
		       uint8_t *restrict count, uint8_t least)
{
	for (long i = 0; i < n; i++)
		count[i] = raw[i] & (count[i] >= least);
}

/* Threshold |diff| inside rect into out (0/1), then despeckle. Outside the
 * rect the raw mask is 0, so whole-frame neighbour counts are the counts
 * inside the rect. */
void md_change_mask(struct md_detector *d, double T, int x0, int y0,
			int x1, int y1, uint8_t *out)
{
	size_t n = (size_t)d->ww * d->wh;
	uint8_t *restrict raw = d->chg, *restrict er = d->chg2;
	float Tf = (float)T, k = (float)d->edge_k;

	if (x0 == 0 && y0 == 0 && x1 == d->ww && y1 == d->wh) {
		threshold_plane((long)n, d->diff, d->grad, d->valid, raw, Tf, k,
				d->nvalid == (long)n);
	} else {
		memset(raw, 0, n);
		for (int y = y0; y < y1; y++) {
			const float *restrict df = d->diff + y * d->ww, *restrict gr = d->grad + y * d->ww;
			const uint8_t *restrict v = d->valid + y * d->ww;
			uint8_t *restrict r = raw + y * d->ww;

			for (int x = x0; x < x1; x++)
				r[x] = (v[x] != 0) & (fabsf(df[x]) > Tf + k * gr[x]);
		}
	}
	if (!d->p.despeckle) {
		memcpy(out, raw, n);
		return;
	}
	/* erode: keep a set pixel with >= 6 of its 3x3 neighbourhood set */
	box_sum(d, raw, er, 1);
	keep_where((long)n, raw, er, 6);
	/* dilate back, but only onto pixels of the raw mask */
	box_sum(d, er, out, 1);
	keep_where((long)n, raw, out, 1);
}

/* Relabel the 8-connected component of value `from` around pixel `start`,
 * inside the rect x0..x1, y0..y1, as `to` (!= from). Returns its pixel
 * count; its bounding box goes to bb (x0, y0, x1, y1) if bb is not NULL. */
static long flood(struct md_detector *d, uint8_t *m, int start, uint8_t from,
		  uint8_t to, int x0, int y0, int x1, int y1, int bb[4])
{
	int ww = d->ww, sp = 0;
	long cnt = 0;

	if (bb) {
		bb[0] = bb[2] = start % ww;
		bb[1] = bb[3] = start / ww;
	}
	m[start] = to;
	d->stack[sp++] = start;
	while (sp) {
		int j = d->stack[--sp], jx = j % ww, jy = j / ww;

		cnt++;
		if (bb) {
			if (jx < bb[0]) bb[0] = jx;
			if (jx > bb[2]) bb[2] = jx;
			if (jy < bb[1]) bb[1] = jy;
			if (jy > bb[3]) bb[3] = jy;
		}
		for (int yy = jy - 1; yy <= jy + 1; yy++)
			for (int xx = jx - 1; xx <= jx + 1; xx++) {
				int k;

				if (yy < y0 || yy >= y1 || xx < x0 || xx >= x1)
					continue;
				k = yy * ww + xx;
				if (m[k] == from) {
					m[k] = to;
					d->stack[sp++] = k;
				}
			}
	}
	return cnt;
}

/* Connected components (8-neighbour) of m inside rect; components smaller
 * than min_px are cleared. Returns the kept pixel count, bbox in *b. */
long md_components(struct md_detector *d, uint8_t *m, int x0, int y0,
		       int x1, int y1, long min_px, int b[4], long *largest)
{
	int ww = d->ww;
	long kept = 0;

	*largest = 0;

	b[0] = b[1] = 1 << 30;
	b[2] = b[3] = -1;
	for (int y = y0; y < y1; y++)
		for (int x = x0; x < x1; x++) {
			int i = y * ww + x, bb[4];
			long cnt;
			const uint8_t *next;

			if (m[i] != 1) {
				/* most of a row is still: jump to its next 1 */
				next = memchr(m + i, 1, (size_t)(x1 - x));
				if (!next)
					break;
				x += (int)(next - (m + i));
				i = y * ww + x;
			}
			/* mark the component 2 (seen) ... */
			cnt = flood(d, m, i, 1, 2, x0, y0, x1, y1, bb);
			if (cnt < min_px) {
				/* ... or clear it when it is too small */
				flood(d, m, i, 2, 0, x0, y0, x1, y1, NULL);
				continue;
			}
			kept += cnt;
			if (cnt > *largest)
				*largest = cnt;
			if (bb[0] < b[0]) b[0] = bb[0];
			if (bb[1] < b[1]) b[1] = bb[1];
			if (bb[2] > b[2]) b[2] = bb[2];
			if (bb[3] > b[3]) b[3] = bb[3];
		}
	return kept;
}

/* Is the whole-frame change mask d->whole a light change: at least
 * light_change_area % of the valid pixels, and spread over 12 or more
 * cells of a 4x4 grid (5 % of a cell's valid pixels set)? *changed: the
 * set pixels. Cell c spans the columns x with x * 4 / ww == c, that is
 * from ceil(c * ww / 4), and the rows likewise. */
MD_SIMD int md_light_change(const struct md_detector *d, long *changed)
{
	int ww = d->ww, wh = d->wh, cells[16] = { 0 }, spread = 0;
	int xs[5], ys[5];
	uint16_t *restrict col = d->colsum;  /* downscale's, free by now */

	for (int c = 0; c <= 4; c++) {
		xs[c] = (c * ww + 3) / 4;
		ys[c] = (c * wh + 3) / 4;
	}
	*changed = 0;
	/* per band of cells: column sums down the band (whole rows, which
	 * vectorise), then across each cell's columns */
	for (int cy = 0; cy < 4; cy++) {
		memset(col, 0, (size_t)ww * sizeof(*col));
		for (int y = ys[cy]; y < ys[cy + 1]; y++) {
			const uint8_t *restrict m = d->whole + (long)y * ww;

			for (int x = 0; x < ww; x++)
				col[x] += m[x];
		}
		for (int cx = 0; cx < 4; cx++) {
			int nm = 0;

			for (int x = xs[cx]; x < xs[cx + 1]; x++)
				nm += col[x];
			cells[cy * 4 + cx] = nm;
			*changed += nm;
		}
	}
	for (int c = 0; c < 16; c++)
		spread += d->cellsz[c] && cells[c] * 20 >= d->cellsz[c];
	return d->nvalid && *changed * 100.0 >= d->p.light_change_area * d->nvalid &&
	       spread >= 12;
}

/* moving = m dilated by a 5x5 square. */
MD_SIMD void md_dilate5x5(struct md_detector *d, const uint8_t *m, uint8_t *moving)
{
	long N = (long)d->ww * d->wh;

	box_sum(d, m, moving, 2);
	for (long i = 0; i < N; i++)
		moving[i] = moving[i] != 0;
}
