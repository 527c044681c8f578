// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of netcam-motion's Y4M reader. It reads a regular file with a
 * small luma plane through pread(), one with a large plane (over 512 KiB)
 * through a mapping, and a pipe with stdio: each must hand over every
 * frame's exact luma, with or without parameters on the FRAME lines, end
 * cleanly after the last frame and report a truncated one.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit.h"
#include "y4m.h"

/* The byte a test clip holds at luma pixel i of frame n: differs between
 * neighbouring pixels, rows and frames, so a shifted read shows. */
static unsigned char luma_at(long n, long i)
{
	return (unsigned char)(i * 7 + i / 251 + n * 13);
}

/* Writes a 4:2:0 clip of `frames` frames; frame n's header carries a
 * parameter when n is odd (FRAME lines may). Returns its size or -1. */
static long write_clip(const char *path, int w, int h, int frames)
{
	FILE *f = fopen(path, "wb");
	long luma = (long)w * h, chroma = 2L * ((w + 1) / 2) * ((h + 1) / 2);
	unsigned char *buf = malloc((size_t)(luma + chroma));
	long size;

	if (!f || !buf)
		return -1;
	fprintf(f, "YUV4MPEG2 W%d H%d F10:1 Ip A1:1 C420jpeg\n", w, h);
	for (int n = 0; n < frames; n++) {
		for (long i = 0; i < luma; i++)
			buf[i] = luma_at(n, i);
		memset(buf + luma, 0x80 + n, (size_t)chroma);
		fputs(n % 2 ? "FRAME Ixyz\n" : "FRAME\n", f);
		fwrite(buf, 1, (size_t)(luma + chroma), f);
	}
	size = ftell(f);
	free(buf);
	return fclose(f) ? -1 : size;
}

/* Reads the clip at path ("-": stdin) and checks every frame. */
static void check_read(const char *what, const char *path, int w, int h,
		       int frames)
{
	struct y4m y;
	char err[256];
	int n = 0, r, bad = -1;

	r = y4m_open(&y, path, err, sizeof(err));
	CHECK(r == 0, "%s: open: %s", what, err);
	if (r)
		return;
	CHECK(y.w == w && y.h == h, "%s: size %dx%d, want %dx%d", what, y.w, y.h, w, h);
	while ((r = y4m_read(&y, err, sizeof(err))) == 1) {
		for (long i = 0; i < (long)w * h && bad < 0; i++)
			if (y.buf[i] != luma_at(n, i))
				bad = n;
		n++;
	}
	CHECK(r == 0, "%s: read ended with %d: %s", what, r, err);
	CHECK(n == frames, "%s: %d frames, want %d", what, n, frames);
	CHECK(bad < 0, "%s: frame %d's luma is not what was written", what, bad);
	y4m_close(&y);
}

/* The same through a pipe on stdin, written by a child. */
static void check_pipe(const char *what, const char *path, int w, int h,
		       int frames)
{
	int fd[2], saved = dup(0), status;
	pid_t pid;

	if (pipe(fd) || saved < 0) {
		CHECK(0, "%s: pipe", what);
		return;
	}
	pid = fork();
	if (pid == 0) {
		FILE *f = fopen(path, "rb");
		char chunk[65536];
		size_t got;

		close(fd[0]);
		while (f && (got = fread(chunk, 1, sizeof(chunk), f)) > 0)
			if (write(fd[1], chunk, got) != (ssize_t)got)
				_exit(1);
		_exit(f ? 0 : 1);
	}
	close(fd[1]);
	dup2(fd[0], 0);
	close(fd[0]);
	clearerr(stdin);        /* the end of an earlier pipe */
	check_read(what, "-", w, h, frames);
	dup2(saved, 0);
	close(saved);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	      WEXITSTATUS(status) == 0, "%s: writer failed", what);
}

/* Copies the first n bytes of path to out. 0 on success. */
static int copy_head(const char *path, long n, const char *out)
{
	FILE *in = fopen(path, "rb"), *o = fopen(out, "wb");
	char *buf = malloc((size_t)n);
	int ok = in && o && buf && fread(buf, 1, (size_t)n, in) == (size_t)n &&
		 fwrite(buf, 1, (size_t)n, o) == (size_t)n;

	free(buf);
	if (in)
		fclose(in);
	if (o && fclose(o))
		ok = 0;
	return ok ? 0 : -1;
}

/* The clip cut 1000 bytes short, inside its last frame, must read up to
 * that frame and then say "truncated". */
static void check_truncated(const char *what, const char *path, long size,
			    const char *cut)
{
	struct y4m y;
	char err[256];
	int r;

	if (copy_head(path, size - 1000, cut)) {
		CHECK(0, "%s: cannot make the cut copy", what);
		return;
	}
	r = y4m_open(&y, cut, err, sizeof(err));
	CHECK(r == 0, "%s: open: %s", what, err);
	if (r)
		return;
	while ((r = y4m_read(&y, err, sizeof(err))) == 1)
		;
	CHECK(r == -1 && strstr(err, "truncated"), "%s: got %d '%s', want truncated",
	      what, r, err);
	y4m_close(&y);
}

int main(void)
{
	char dir[] = "/tmp/y4m_test.XXXXXX", small[64], large[64], cut[64];
	long size;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(small, sizeof(small), "%s/small.y4m", dir);
	snprintf(large, sizeof(large), "%s/large.y4m", dir);
	snprintf(cut, sizeof(cut), "%s/cut.y4m", dir);

	/* 321x241: odd sizes, rows not a multiple of anything */
	size = write_clip(small, 321, 241, 7);
	CHECK(size > 0, "writing %s", small);
	check_read("small file (pread)", small, 321, 241, 7);
	check_pipe("small pipe (stdio)", small, 321, 241, 7);
	check_truncated("small cut", small, size, cut);

	/* 1280x720: 900 KiB of luma, read through the mapping */
	size = write_clip(large, 1280, 720, 5);
	CHECK(size > 0, "writing %s", large);
	check_read("large file (mapped)", large, 1280, 720, 5);
	check_pipe("large pipe (stdio)", large, 1280, 720, 5);
	check_truncated("large cut", large, size, cut);

	unlink(small);
	unlink(large);
	unlink(cut);
	rmdir(dir);
	return UNIT_SUMMARY();
}
