// SPDX-License-Identifier: GPL-2.0
#include "y4m.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reads one '\n'-terminated line of at most cap-1 bytes. -1: EOF before
 * any byte, -2: too long or EOF inside the line. */
static int read_line(FILE *f, char *line, size_t cap)
{
	size_t n = 0;
	int c;

	while ((c = getc(f)) != EOF) {
		if (c == '\n') {
			line[n] = 0;
			return (int)n;
		}
		if (n + 1 >= cap)
			return -2;
		line[n++] = (char)c;
	}
	return n ? -2 : -1;
}

/* read_line() on the mapped file, from y->mpos. */
static int map_line(struct y4m *y, char *line, size_t cap)
{
	size_t n = 0;

	if (y->mpos >= y->map_len)
		return -1;
	while (y->mpos < y->map_len) {
		char c = (char)y->map[y->mpos++];

		if (c == '\n') {
			line[n] = 0;
			return (int)n;
		}
		if (n + 1 >= cap)
			return -2;
		line[n++] = c;
	}
	return -2;
}

/* Maps a regular file (of st_size bytes, header read up to off) whole.
 * 0: mapped; -1: no address space. A file truncated while mapped would
 * raise SIGBUS: a clip being replayed is not written to. */
static int map_file(struct y4m *y, off_t off, off_t st_size)
{
	void *m;

	if ((uintmax_t)st_size > SIZE_MAX)
		return -1;
	m = mmap(NULL, (size_t)st_size, PROT_READ, MAP_PRIVATE, fileno(y->f), 0);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, (size_t)st_size, MADV_SEQUENTIAL);
	y->map = m;
	y->map_len = (size_t)st_size;
	y->mpos = (size_t)off;
	return 0;
}

/* Frames already analysed need not stay mapped: without this a replay's
 * resident size would grow to the clip's. Releases whole pages before
 * the frame at y->mpos. */
static void release_behind(struct y4m *y)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), end = y->mpos / pg * pg;

	if (end > y->released) {
		madvise((void *)(y->map + y->released), end - y->released, MADV_DONTNEED);
		y->released = end;
	}
}

/*
 * How a regular file is read. A luma plane that fits in the CPU's cache
 * (up to Y4M_COPY_MAX) is copied with pread(), frame header and luma in one
 * call into a buffer used again for every frame, the chroma skipped: the
 * detector then reads it from the cache, and no page of the page cache is
 * mapped (at 640x360, 5-9 % less CPU than mapping: the page faults of each
 * frame's pages, chroma included, and reading the luma from main memory).
 * A larger plane is read where the page cache holds it, through a mapping
 * of the whole file: copying 2 MB of 1080p luma, out of the cache again,
 * costs more than the faults. 0: set up; -1: not a regular file (or no
 * address space), read it with stdio.
 */
#define Y4M_COPY_MAX (512 * 1024)

static int setup_regular(struct y4m *y)
{
	struct stat st;
	off_t off = ftello(y->f);

	if (off < 0 || fstat(fileno(y->f), &st) || !S_ISREG(st.st_mode) ||
	    st.st_size <= off)
		return -1;
	if ((size_t)y->w * y->h > Y4M_COPY_MAX)
		return map_file(y, off, st.st_size);
	posix_fadvise(fileno(y->f), off, 0, POSIX_FADV_SEQUENTIAL);
	y->seekable = 1;
	y->pos = off;
	y->size = st.st_size;
	return 0;
}

/* Is line a frame header ("FRAME", maybe with parameters)? */
static int frame_header(const char *line)
{
	return strncmp(line, "FRAME", 5) == 0 && (line[5] == 0 || line[5] == ' ');
}

/* The header line at the start of the n bytes in buf: its length with the
 * '\n' (the line, NUL-terminated, in line); -1 if none fits in cap - 1. */
static long header_line(const uint8_t *buf, size_t n, char *line, size_t cap)
{
	const uint8_t *nl = memchr(buf, '\n', n < cap ? n : cap);
	size_t len;

	if (!nl)
		return -1;
	len = (size_t)(nl - buf);
	memcpy(line, buf, len);
	line[len] = 0;
	return (long)len + 1;
}

/* y4m_read() for a regular file. */
static int read_pread(struct y4m *y, char *line, size_t cap, char *err,
		      size_t errlen)
{
	size_t luma = (size_t)y->w * y->h, want = cap + luma, left;
	ssize_t got;
	long hlen;

	if (y->pos >= y->size)
		return 0;
	left = (size_t)(y->size - y->pos);
	if (want > left)
		want = left;
	got = pread(fileno(y->f), y->own, want, y->pos);
	if (got < 0) {
		snprintf(err, errlen, "frame %ld: %s", y->frames + 1, strerror(errno));
		return -1;
	}
	hlen = header_line(y->own, (size_t)got, line, cap);
	if (hlen < 0 || !frame_header(line)) {
		snprintf(err, errlen, "frame %ld: bad frame header (file truncated or corrupt)",
			 y->frames + 1);
		return -1;
	}
	left -= (size_t)hlen;
	if (left < y->frame_size || (size_t)got < (size_t)hlen + luma) {
		snprintf(err, errlen, "frame %ld: truncated (%zu of %zu bytes)",
			 y->frames + 1, left < y->frame_size ? left : (size_t)got - (size_t)hlen,
			 y->frame_size);
		return -1;
	}
	y->buf = y->own + hlen;
	y->pos += hlen + (off_t)y->frame_size;
	y->frames++;
	return 1;
}

int y4m_open(struct y4m *y, const char *path, char *err, size_t errlen)
{
	char line[1024], *tok, *save = NULL;
	const char *cs = "420jpeg";
	size_t luma, chroma;
	int r;

	memset(y, 0, sizeof(*y));
	if (strcmp(path, "-") == 0) {
		y->f = stdin;
	} else {
		y->f = fopen(path, "rb");
		if (!y->f) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
	}
	r = read_line(y->f, line, sizeof(line));
	if (r < 0 || strncmp(line, "YUV4MPEG2", 9) != 0 ||
	    (line[9] != ' ' && line[9] != 0)) {
		snprintf(err, errlen, "%s: not a YUV4MPEG2 (.y4m) file", path);
		goto fail;
	}
	y->fps_num = 25;
	y->fps_den = 1;
	for (tok = strtok_r(line + 9, " ", &save); tok;
	     tok = strtok_r(NULL, " ", &save)) {
		switch (tok[0]) {
		case 'W':
			y->w = atoi(tok + 1);
			break;
		case 'H':
			y->h = atoi(tok + 1);
			break;
		case 'F':
			if (sscanf(tok + 1, "%d:%d", &y->fps_num, &y->fps_den) != 2 ||
			    y->fps_num <= 0 || y->fps_den <= 0) {
				snprintf(err, errlen, "%s: bad frame rate '%s'", path, tok);
				goto fail;
			}
			break;
		case 'C':
			cs = tok + 1;
			break;
		default:
			break;
		}
	}
	if (y->w < 8 || y->h < 8 || y->w > 16384 || y->h > 16384) {
		snprintf(err, errlen, "%s: bad or missing frame size %dx%d", path, y->w, y->h);
		goto fail;
	}
	luma = (size_t)y->w * y->h;
	if (strncmp(cs, "420", 3) == 0 && (cs[3] == 0 || !strcmp(cs + 3, "jpeg") ||
					   !strcmp(cs + 3, "paldv") || !strcmp(cs + 3, "mpeg2")))
		chroma = 2 * ((size_t)((y->w + 1) / 2) * ((y->h + 1) / 2));
	else if (!strcmp(cs, "422"))
		chroma = 2 * ((size_t)((y->w + 1) / 2) * y->h);
	else if (!strcmp(cs, "444"))
		chroma = 2 * luma;
	else if (!strcmp(cs, "444alpha"))
		chroma = 3 * luma;
	else if (!strcmp(cs, "411"))
		chroma = 2 * ((size_t)((y->w + 3) / 4) * y->h);
	else if (!strcmp(cs, "mono"))
		chroma = 0;
	else {
		snprintf(err, errlen, "%s: unsupported colour space C%s (8-bit mono, 420, 422, 444, 411 only)",
			 path, cs);
		goto fail;
	}
	y->frame_size = luma + chroma;
	if (setup_regular(y) == 0 && y->map)
		return 0;
	/* room for a frame header line, too, when read with pread() */
	y->own = malloc(y->frame_size + Y4M_LINE_MAX);
	if (!y->own) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto fail;
	}
	return 0;
fail:
	if (y->f && y->f != stdin)
		fclose(y->f);
	y->f = NULL;
	return -1;
}

int y4m_read(struct y4m *y, char *err, size_t errlen)
{
	char line[Y4M_LINE_MAX];
	int r;
	size_t got;

	if (y->seekable)
		return read_pread(y, line, sizeof(line), err, errlen);
	if (y->map)
		release_behind(y);
	r = y->map ? map_line(y, line, sizeof(line)) : read_line(y->f, line, sizeof(line));
	if (r == -1)
		return 0;
	if (r < 0 || !frame_header(line)) {
		snprintf(err, errlen, "frame %ld: bad frame header (file truncated or corrupt)",
			 y->frames + 1);
		return -1;
	}
	if (y->map) {
		got = y->map_len - y->mpos;
		if (got > y->frame_size)
			got = y->frame_size;
		y->buf = y->map + y->mpos;
		y->mpos += got;
	} else {
		got = fread(y->own, 1, y->frame_size, y->f);
		y->buf = y->own;
	}
	if (got != y->frame_size) {
		snprintf(err, errlen, "frame %ld: truncated (%zu of %zu bytes)",
			 y->frames + 1, got, y->frame_size);
		return -1;
	}
	y->frames++;
	return 1;
}

void y4m_close(struct y4m *y)
{
	if (y->map)
		munmap((void *)y->map, y->map_len);
	if (y->f && y->f != stdin)
		fclose(y->f);
	free(y->own);
	memset(y, 0, sizeof(*y));
}
