// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamd: is a camera's JPEG whole (netcamd-jpeg.h)? Reads the markers
 * (ITU-T T.81 annex B) and, for the sequential Huffman pictures cameras
 * send, walks the Huffman codes of every block without decoding them to
 * pixels (annex F.2.2): a hole, a cut or a repeated chunk in the picture
 * data leaves an invalid code, a block with more than 64 coefficients,
 * too few bits for the picture's blocks, or data left over after them.
 * FFmpeg's decoder, which runs afterwards with errors made fatal, finds
 * some of these but conceals the others.
 */
#include "netcamd-jpeg.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define M_SOI 0xd8
#define M_EOI 0xd9
#define M_SOS 0xda
#define M_DNL 0xdc
#define M_DRI 0xdd
#define M_TEM 0x01
#define M_SOF0 0xc0
#define M_SOF1 0xc1
#define M_DHT 0xc4

/* What the frame header says, as far as counting MCUs needs it. */
struct jpeg_frame {
	bool seen;
	bool huffman_sequential;	/* SOF0 or SOF1: its codes are walked */
	unsigned int precision;		/* bits per sample */
	unsigned int width, height;	/* height 0: given later by DNL */
	unsigned int ncomp;
	unsigned int hmax, vmax;
	struct {
		uint8_t id, h, v;
	} comp[4];
};

static bool fail(char *why, size_t why_size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool fail(char *why, size_t why_size, const char *fmt, ...)
{
	va_list ap;

	if (why && why_size) {
		va_start(ap, fmt);
		vsnprintf(why, why_size, fmt, ap);
		va_end(ap);
	}
	return false;
}

static unsigned int div_up(unsigned int a, unsigned int b)
{
	return (a + b - 1) / b;
}

/* SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC). */
static bool is_sof(uint8_t m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

/*
 * A Huffman table as annex C builds it: canonical codes of 1..16 bits.
 * Codes of up to FAST_BITS bits (nearly all of a picture's) are found
 * with one look-up of the next FAST_BITS bits.
 */
#define FAST_BITS 11

struct huff_table {
	bool defined;
	uint16_t fast[1 << FAST_BITS];	/* length << 8 | symbol; 0: longer */
	int32_t maxcode[17];	/* largest code of each length; -1: none */
	int32_t valoff[17];	/* index in vals of a length's code 0 */
	uint8_t vals[256];
};

/* Everything a scan's walk needs; tables 0 and 1 start as annex K.3's
 * (MJPEG cameras often send no DHT: decoders assume these). */
struct jpeg_state {
	struct jpeg_frame f;
	struct huff_table dc[4], ac[4];
	unsigned int restart_interval;
};

static bool huff_build(struct huff_table *t, const uint8_t counts[16],
		       const uint8_t *vals, size_t nvals)
{
	unsigned int code = 0, k = 0;

	memset(t->fast, 0, sizeof(t->fast));
	for (unsigned int len = 1; len <= 16; len++) {
		unsigned int n = counts[len - 1];

		if (k + n > nvals || k + n > 256)
			return false;
		if (code + n > 1u << len)	/* more codes than bits for them */
			return false;
		t->maxcode[len] = n ? (int32_t)(code + n - 1) : -1;
		t->valoff[len] = (int32_t)k - (int32_t)code;
		for (unsigned int c = 0; c < n; c++, code++, k++) {
			t->vals[k] = vals[k];
			if (len <= FAST_BITS) {
				unsigned int first = code << (FAST_BITS - len);

				for (unsigned int j = 0; j < 1u << (FAST_BITS - len); j++)
					t->fast[first + j] = (uint16_t)(len << 8 | vals[k]);
			}
		}
		code <<= 1;
	}
	t->defined = true;
	return true;
}

/*
 * Annex K.3's tables. Each AC table's symbols are given as the ones that
 * come first, then every other (run, size) symbol with size 1..10 in
 * ascending order, which is how the standard lists them.
 */
static void default_ac_vals(const uint8_t *head, size_t nhead, uint8_t out[162])
{
	bool used[256] = { false };
	size_t n = 0;

	for (; n < nhead; n++) {
		out[n] = head[n];
		used[head[n]] = true;
	}
	for (unsigned int v = 0; v < 256 && n < 162; v++)
		if ((v & 15) >= 1 && (v & 15) <= 10 && !used[v])
			out[n++] = (uint8_t)v;
}

static void default_tables(struct jpeg_state *st)
{
	static const uint8_t dc_counts[2][16] = {
		{ 0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0 },
		{ 0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0 },
	};
	static const uint8_t dc_vals[12] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	static const uint8_t ac_counts[2][16] = {
		{ 0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d },
		{ 0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77 },
	};
	static const uint8_t ac_head_luma[] = {
		0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41,
		0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71, 0x14, 0x32, 0x81, 0x91,
		0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24,
		0x33, 0x62, 0x72, 0x82, 0x09, 0x0a,
	};
	static const uint8_t ac_head_chroma[] = {
		0x00, 0x01, 0x02, 0x03, 0x11, 0x04, 0x05, 0x21, 0x31, 0x06, 0x12,
		0x41, 0x51, 0x07, 0x61, 0x71, 0x13, 0x22, 0x32, 0x81, 0x08, 0x14,
		0x42, 0x91, 0xa1, 0xb1, 0xc1, 0x09, 0x23, 0x33, 0x52, 0xf0, 0x15,
		0x62, 0x72, 0xd1, 0x0a, 0x16, 0x24, 0x34, 0xe1, 0x25, 0xf1,
	};
	uint8_t vals[162];

	for (int c = 0; c < 2; c++)
		huff_build(&st->dc[c], dc_counts[c], dc_vals, sizeof(dc_vals));
	default_ac_vals(ac_head_luma, sizeof(ac_head_luma), vals);
	huff_build(&st->ac[0], ac_counts[0], vals, sizeof(vals));
	default_ac_vals(ac_head_chroma, sizeof(ac_head_chroma), vals);
	huff_build(&st->ac[1], ac_counts[1], vals, sizeof(vals));
}

/* DHT: one or more tables. */
static bool read_huffman_tables(struct jpeg_state *st, const uint8_t *seg, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned int class = seg[i] >> 4, id = seg[i] & 15;
		size_t n = 0;

		if (class > 1 || id > 3 || i + 17 > len)
			return false;
		for (int k = 0; k < 16; k++)
			n += seg[i + 1 + k];
		if (n > 256 || i + 17 + n > len)
			return false;
		if (!huff_build(class ? &st->ac[id] : &st->dc[id], seg + i + 1, seg + i + 17, n))
			return false;
		i += 17 + n;
	}
	return true;
}

static bool read_frame_header(struct jpeg_frame *f, uint8_t marker,
			      const uint8_t *seg, size_t len)
{
	if (len < 6)
		return false;
	f->precision = seg[0];
	f->height = (unsigned int)seg[1] << 8 | seg[2];
	f->width = (unsigned int)seg[3] << 8 | seg[4];
	f->ncomp = seg[5];
	if (!f->width || !f->ncomp || f->ncomp > 4 || len < 6 + 3 * (size_t)f->ncomp)
		return false;
	f->hmax = 1;
	f->vmax = 1;
	f->huffman_sequential = (marker == M_SOF0 || marker == M_SOF1) &&
				(f->precision == 8 || f->precision == 12);
	for (unsigned int c = 0; c < f->ncomp; c++) {
		const uint8_t *p = seg + 6 + 3 * c;

		f->comp[c].id = p[0];
		f->comp[c].h = p[1] >> 4;
		f->comp[c].v = p[1] & 15;
		if (f->comp[c].h < 1 || f->comp[c].h > 4 ||
		    f->comp[c].v < 1 || f->comp[c].v > 4)
			return false;
		if (f->comp[c].h > f->hmax)
			f->hmax = f->comp[c].h;
		if (f->comp[c].v > f->vmax)
			f->vmax = f->comp[c].v;
	}
	f->seen = true;
	return true;
}

/*
 * MCUs in a scan (T.81 A.2): one component alone is coded block by block
 * over its own (subsampled) size; several are interleaved in MCUs of
 * hmax x vmax blocks. 0 when not known (no height yet, or an id the
 * frame does not have).
 */
static unsigned long scan_mcus(const struct jpeg_frame *f, uint8_t first_id,
			       unsigned int ns)
{
	if (!f->height)
		return 0;
	if (ns > 1)
		return (unsigned long)div_up(f->width, 8 * f->hmax) *
		       div_up(f->height, 8 * f->vmax);
	for (unsigned int c = 0; c < f->ncomp; c++)
		if (f->comp[c].id == first_id)
			return (unsigned long)div_up(div_up(f->width * f->comp[c].h, f->hmax), 8) *
			       div_up(div_up(f->height * f->comp[c].v, f->vmax), 8);
	return 0;
}

/* Reads the entropy-coded bits of one restart interval, with the
 * stuffed zero after each 0xff taken out; past the end it gives 1s (the
 * padding) and counts them. */
struct bit_reader {
	const uint8_t *p, *end;
	uint64_t acc;		/* next bits, first at the top */
	unsigned int n;		/* bits in acc */
	uint64_t used;		/* bits taken so far */
};

static void bits_fill(struct bit_reader *b)
{
	while (b->n <= 56) {
		uint8_t byte = 0xff;

		if (b->p < b->end) {
			byte = *b->p++;
			if (byte == 0xff && b->p < b->end && *b->p == 0)
				b->p++;
		}
		b->acc |= (uint64_t)byte << (56 - b->n);
		b->n += 8;
	}
}

static void bits_skip(struct bit_reader *b, unsigned int k)
{
	if (b->n < k)
		bits_fill(b);
	b->acc <<= k;
	b->n -= k;
	b->used += k;
}

/* The next symbol, or -1 for bits that are no code of the table. */
static int huff_symbol(struct bit_reader *b, const struct huff_table *t)
{
	unsigned int hit, len;

	if (b->n < 16)
		bits_fill(b);
	hit = t->fast[b->acc >> (64 - FAST_BITS)];
	if (hit) {
		len = hit >> 8;
		b->acc <<= len;
		b->n -= len;
		b->used += len;
		return hit & 0xff;
	}
	for (len = FAST_BITS + 1; len <= 16; len++) {
		int32_t code = (int32_t)(b->acc >> (64 - len));

		if (t->maxcode[len] >= 0 && code <= t->maxcode[len]) {
			bits_skip(b, len);
			return t->vals[t->valoff[len] + code];
		}
	}
	return -1;
}

/* One 8x8 block's codes (F.2.2.1, F.2.2.2); false if they cannot be. */
static bool walk_block(struct bit_reader *b, const struct huff_table *dc,
		       const struct huff_table *ac, unsigned int max_size)
{
	int s = huff_symbol(b, dc);

	if (s < 0 || (unsigned int)s > max_size + 1)
		return false;
	bits_skip(b, (unsigned int)s);
	for (unsigned int k = 1; k < 64;) {
		int rs = huff_symbol(b, ac);
		unsigned int run, size;

		if (rs < 0)
			return false;
		run = (unsigned int)rs >> 4;
		size = (unsigned int)rs & 15;
		if (!size) {
			if (run != 15)
				return true;	/* end of block */
			k += 16;		/* sixteen zeros */
			if (k > 64)
				return false;
			continue;
		}
		k += run;
		if (k > 63 || size > max_size)
			return false;
		bits_skip(b, size);
		k++;
	}
	return true;
}

/* A scan's components as the walk needs them. */
struct scan_comp {
	const struct huff_table *dc, *ac;
	unsigned int blocks;	/* per MCU */
};

struct scan_walk {
	bool on;		/* the codes can be walked */
	struct scan_comp comp[4];
	unsigned int ns;
	unsigned int max_size;	/* largest coefficient size in bits */
	unsigned long mcus_left;
	unsigned long restart_interval;	/* MCUs between restart markers; 0: none */
};

/* The MCUs of one restart interval in seg[0..len): all of them there,
 * and nothing but padding after. */
static bool walk_interval(struct scan_walk *w, const uint8_t *seg, size_t len,
			  size_t stuffed, char *why, size_t why_size)
{
	struct bit_reader b = { .p = seg, .end = seg + len };
	unsigned long n = w->restart_interval && w->restart_interval < w->mcus_left ?
			  w->restart_interval : w->mcus_left;
	uint64_t have = (uint64_t)(len - stuffed) * 8;
	size_t skip, i;

	for (unsigned long m = 0; m < n; m++) {
		for (unsigned int c = 0; c < w->ns; c++)
			for (unsigned int k = 0; k < w->comp[c].blocks; k++)
				if (!walk_block(&b, w->comp[c].dc, w->comp[c].ac, w->max_size))
					return fail(why, why_size,
						    "damaged picture data (an invalid code in MCU %lu of its interval)",
						    m);
		if (b.used > have)
			return fail(why, why_size,
				    "picture data ends early (%lu of %lu MCUs): data lost",
				    m, n);
	}
	w->mcus_left -= n;
	if (have - b.used < 8)
		return true;
	/* More than the padding is left: a repeated or misplaced chunk,
	 * unless it is only fill (some encoders pad with 0x00 or 0xff). */
	skip = (size_t)((b.used + 7) / 8);
	for (i = 0; i < len && skip; skip--)
		i += seg[i] == 0xff && i + 1 < len && seg[i + 1] == 0 ? 2 : 1;
	for (; i < len; i++)
		if (seg[i] != 0 && seg[i] != 0xff)
			return fail(why, why_size,
				    "picture data left over after the last block (%llu bits): data damaged",
				    (unsigned long long)(have - b.used));
	return true;
}

/*
 * The entropy-coded data from *pos up to the marker that ends it. Counts
 * the restart markers, which must come in order RST0..RST7, RST0, ...,
 * and walks each interval's codes when w->on.
 */
static bool scan_entropy(const uint8_t *jpeg, size_t size, size_t *pos,
			 struct scan_walk *w, unsigned long *restarts, char *why,
			 size_t why_size)
{
	size_t i = *pos, seg = *pos, stuffed = 0;
	unsigned long rst = 0;

	for (;;) {
		const uint8_t *ff = memchr(jpeg + i, 0xff, size - i);
		uint8_t b;

		if (!ff || (size_t)(ff - jpeg) + 1 >= size)
			return fail(why, why_size,
				    "no end of image: cut short in its picture data after %zu bytes",
				    size);
		i = (size_t)(ff - jpeg);
		b = jpeg[i + 1];
		if (b == 0x00) {		/* a stuffed 0xff data byte */
			i += 2;
			stuffed++;
			continue;
		}
		if (b == 0xff) {		/* fill byte before a marker */
			i++;
			continue;
		}
		if (w->on && w->mcus_left &&
		    !walk_interval(w, jpeg + seg, i - seg, stuffed, why, why_size))
			return false;
		if (b < 0xd0 || b > 0xd7)
			break;
		if ((b & 7) != (rst & 7))
			return fail(why, why_size,
				    "restart marker %u at byte %zu where %lu belongs: picture data lost",
				    b & 7, i, rst & 7);
		rst++;
		i += 2;
		seg = i;
		stuffed = 0;
	}
	if (w->on && w->mcus_left)
		return fail(why, why_size, "picture data ends early (%lu MCUs missing): data lost",
			    w->mcus_left);
	if (i == *pos)
		return fail(why, why_size, "a scan without picture data at byte %zu", i);
	*pos = i;
	*restarts = rst;
	return true;
}

/* Sets up the walk of a scan whose header is seg[0..len): only for a
 * sequential Huffman picture whose tables are all there. */
static void scan_walk_setup(struct scan_walk *w, const struct jpeg_state *st,
			    const uint8_t *seg, size_t len, unsigned long mcus)
{
	unsigned int ns = seg[0];
	const uint8_t *tail = seg + 1 + 2 * ns;

	w->on = false;
	w->ns = ns;
	w->mcus_left = mcus;
	w->restart_interval = st->restart_interval;
	w->max_size = st->f.precision + 2;
	if (!st->f.huffman_sequential || !mcus || len < 4 + 2 * (size_t)ns ||
	    tail[0] != 0 || tail[1] != 63 || tail[2] != 0)
		return;
	for (unsigned int j = 0; j < ns; j++) {
		unsigned int id = seg[1 + 2 * j], td = seg[2 + 2 * j] >> 4, ta = seg[2 + 2 * j] & 15;
		unsigned int c;

		for (c = 0; c < st->f.ncomp && st->f.comp[c].id != id; c++)
			;
		if (c == st->f.ncomp || td > 3 || ta > 3 ||
		    !st->dc[td].defined || !st->ac[ta].defined)
			return;
		w->comp[j].dc = &st->dc[td];
		w->comp[j].ac = &st->ac[ta];
		w->comp[j].blocks = ns > 1 ? st->f.comp[c].h * st->f.comp[c].v : 1;
	}
	w->on = true;
}

bool jpeg_is_whole(const uint8_t *jpeg, size_t size, char *why,
		   size_t why_size)
{
	struct jpeg_state st = { 0 };
	struct jpeg_frame *f = &st.f;
	unsigned int scans = 0;
	size_t i = 2;

	if (size < 4 || jpeg[0] != 0xff || jpeg[1] != M_SOI)
		return fail(why, why_size, "not a JPEG: no start of image marker");
	default_tables(&st);
	for (;;) {
		size_t len;
		uint8_t m;

		if (i >= size)
			return fail(why, why_size, "no end of image: cut short after %zu bytes", size);
		if (jpeg[i] != 0xff)
			return fail(why, why_size, "bytes that are not a marker at byte %zu", i);
		while (i < size && jpeg[i] == 0xff)
			i++;
		if (i >= size)
			return fail(why, why_size, "no end of image: cut short after %zu bytes", size);
		m = jpeg[i++];
		if (m == M_EOI) {
			if (!scans)
				return fail(why, why_size, "no picture data before the end of image");
			return true;
		}
		if (m == M_TEM)
			continue;
		if (m == 0x00 || m == M_SOI || (m >= 0xd0 && m <= 0xd7))
			return fail(why, why_size, "marker 0x%02x out of place at byte %zu", m, i - 1);
		if (i + 2 > size)
			return fail(why, why_size, "no end of image: cut short after %zu bytes", size);
		len = (size_t)jpeg[i] << 8 | jpeg[i + 1];
		if (len < 2)
			return fail(why, why_size, "a marker segment of length %zu at byte %zu", len, i);
		if (i + len > size)
			return fail(why, why_size,
				    "no end of image: cut short in the 0x%02x segment after %zu bytes",
				    m, size);
		if (is_sof(m)) {
			if (f->seen)
				return fail(why, why_size, "a second frame header at byte %zu", i);
			if (!read_frame_header(f, m, jpeg + i + 2, len - 2))
				return fail(why, why_size, "a damaged frame header at byte %zu", i);
		} else if (m == M_DHT) {
			if (!read_huffman_tables(&st, jpeg + i + 2, len - 2))
				return fail(why, why_size, "a damaged Huffman table at byte %zu", i);
		} else if (m == M_DRI) {
			if (len < 4)
				return fail(why, why_size, "a damaged restart interval at byte %zu", i);
			st.restart_interval = (unsigned int)jpeg[i + 2] << 8 | jpeg[i + 3];
		} else if (m == M_DNL && len >= 4 && f->seen) {
			f->height = (unsigned int)jpeg[i + 2] << 8 | jpeg[i + 3];
		} else if (m == M_SOS) {
			unsigned int ns = len >= 3 ? jpeg[i + 2] : 0;
			unsigned long restarts = 0, mcus, want;
			struct scan_walk walk;

			if (!f->seen)
				return fail(why, why_size, "a scan before the frame header at byte %zu", i);
			if (ns < 1 || ns > 4 || len < 6 + 2 * (size_t)ns)
				return fail(why, why_size, "a damaged scan header at byte %zu", i);
			mcus = scan_mcus(f, jpeg[i + 3], ns);
			scan_walk_setup(&walk, &st, jpeg + i + 2, len - 2, mcus);
			i += len;
			if (!scan_entropy(jpeg, size, &i, &walk, &restarts, why, why_size))
				return false;
			scans++;
			if (!st.restart_interval || !mcus)
				continue;
			/* A restart marker between every interval of MCUs;
			 * a last one before EOI is tolerated. */
			want = (mcus + st.restart_interval - 1) / st.restart_interval - 1;
			if (restarts < want)
				return fail(why, why_size,
					    "%lu of %lu restart markers in scan %u: picture data lost",
					    restarts, want, scans);
			if (restarts > want + 1)
				return fail(why, why_size,
					    "%lu restart markers in scan %u, %lu expected",
					    restarts, scans, want);
			continue;
		}
		i += len;
	}
}

unsigned long damage_note(struct damage_log *d, uint64_t now, const char *why)
{
	unsigned long n;

	snprintf(d->last, sizeof(d->last), "%s", why);
	d->unsaid++;
	d->since_clean++;
	if (d->said_at && now < d->said_at + DAMAGE_LOG_NS)
		return 0;
	n = d->unsaid;
	d->unsaid = 0;
	d->said_at = now ? now : 1;
	return n;
}
