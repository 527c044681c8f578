// SPDX-License-Identifier: GPL-2.0
#include "y4m.h"

#include <errno.h>
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

/* read_line() on the mapped file, from y->pos. */
static int map_line(struct y4m *y, char *line, size_t cap)
{
	size_t n = 0;

	if (y->pos >= y->map_len)
		return -1;
	while (y->pos < y->map_len) {
		char c = (char)y->map[y->pos++];

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

/* Maps a regular file whole, so frames are analysed where the page cache
 * holds them instead of being copied (a 1080p frame is 3 MB, and copying
 * it costs more than detecting motion in it). The header was read with
 * stdio: frames start at its current offset. 0: mapped; -1: not a regular
 * file or no address space, read it with stdio. A file truncated while
 * mapped would raise SIGBUS: a clip being replayed is not written to. */
static int map_file(struct y4m *y)
{
	struct stat st;
	off_t off = ftello(y->f);
	void *m;

	if (off < 0 || fstat(fileno(y->f), &st) || !S_ISREG(st.st_mode) ||
	    st.st_size <= off || (uintmax_t)st.st_size > SIZE_MAX)
		return -1;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fileno(y->f), 0);
	if (m == MAP_FAILED)
		return -1;
	madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
	y->map = m;
	y->map_len = (size_t)st.st_size;
	y->pos = (size_t)off;
	return 0;
}

/* Frames already analysed need not stay mapped: without this a replay's
 * resident size would grow to the clip's. Releases whole pages before
 * the frame at y->pos. */
static void release_behind(struct y4m *y)
{
	size_t pg = (size_t)sysconf(_SC_PAGESIZE), end = y->pos / pg * pg;

	if (end > y->released) {
		madvise((void *)(y->map + y->released), end - y->released, MADV_DONTNEED);
		y->released = end;
	}
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
	if (map_file(y) == 0)
		return 0;
	y->own = malloc(y->frame_size);
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
	char line[256];
	int r;
	size_t got;

	if (y->map)
		release_behind(y);
	r = y->map ? map_line(y, line, sizeof(line)) : read_line(y->f, line, sizeof(line));
	if (r == -1)
		return 0;
	if (r < 0 || strncmp(line, "FRAME", 5) != 0 || (line[5] != 0 && line[5] != ' ')) {
		snprintf(err, errlen, "frame %ld: bad frame header (file truncated or corrupt)",
			 y->frames + 1);
		return -1;
	}
	if (y->map) {
		got = y->map_len - y->pos;
		if (got > y->frame_size)
			got = y->frame_size;
		y->buf = y->map + y->pos;
		y->pos += got;
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
