// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of netcam-motion's writer thread: jobs come back in the order
 * they were queued; a stalled disk (here a FIFO nobody reads, where the
 * snapshot's temporary file goes) does not hold up the caller, and past
 * WRITER_MAX_SNAPSHOTS a snapshot is refused rather than queued; a failed
 * snapshot comes back with its error; writer_stop() finishes everything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "writer.h"
#include "unit.h"

#define MAX_DONE 16

static struct {
	int n;
	long tag[MAX_DONE];
	int ok[MAX_DONE];
	char err[MAX_DONE][256];
} got;

static void on_done(void *done, const char *path, const char *err)
{
	if (got.n >= MAX_DONE)
		return;
	got.tag[got.n] = (long)(intptr_t)done;
	got.ok[got.n] = path != NULL;
	snprintf(got.err[got.n], sizeof(got.err[0]), "%s", err ? err : "");
	got.n++;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int is_jpeg(const char *path)
{
	unsigned char b[2] = { 0 };
	FILE *f = fopen(path, "rb");
	int ok;

	if (!f)
		return 0;
	ok = fread(b, 1, 2, f) == 2 && b[0] == 0xff && b[1] == 0xd8;
	fclose(f);
	return ok;
}

int main(void)
{
	char dir[] = "/tmp/netcam-writerXXXXXX", path[8][96], stall[96], fifo[112];
	static unsigned char y[64 * 36], cb[32 * 18], cr[32 * 18];
	char err[256];
	double t0, took;
	int rd, refused;

	memset(y, 120, sizeof(y));
	memset(cb, 128, sizeof(cb));
	memset(cr, 128, sizeof(cr));
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	for (int i = 0; i < 8; i++)
		snprintf(path[i], sizeof(path[i]), "%s/snap%d.jpg", dir, i);
	CHECK(writer_start(err, sizeof(err)) == 0, "writer_start: %s", err);
	CHECK(writer_fd() >= 0, "an eventfd to poll");

	/* order: two snapshots, a marker, a failing snapshot */
	CHECK(writer_snapshot(path[0], y, cb, cr, 64, 36, 80, (void *)1) == 0, "queued 1");
	CHECK(writer_snapshot(path[1], y, NULL, NULL, 64, 36, 80, (void *)2) == 0, "queued 2");
	CHECK(writer_marker((void *)3) == 0, "marker queued");
	CHECK(writer_snapshot("/nonexistent-dir/x.jpg", y, NULL, NULL, 64, 36, 80, (void *)4) == 0,
	      "queued 4");
	CHECK(writer_pending() == 4, "4 pending (%d)", writer_pending());
	writer_fsync(STDOUT_FILENO);
	writer_drain(on_done);
	CHECK(got.n == 4, "4 came back (%d)", got.n);
	for (int i = 0; i < got.n; i++)
		CHECK(got.tag[i] == i + 1, "job %d came back as %ld", i + 1, got.tag[i]);
	CHECK(got.ok[0] && got.ok[1] && !got.ok[2] && !got.ok[3] && !got.err[2][0],
	      "snapshots written, the marker has no path and no error");
	CHECK(strstr(got.err[3], "/nonexistent-dir/x.jpg.tmp") != NULL,
	      "the failed snapshot's error names its file: '%s'", got.err[3]);
	CHECK(is_jpeg(path[0]) && is_jpeg(path[1]), "both snapshots are JPEGs");
	CHECK(writer_pending() == 0, "nothing pending (%d)", writer_pending());

	/* a stalled disk: the first snapshot blocks in open() of its FIFO */
	snprintf(stall, sizeof(stall), "%s/stall.jpg", dir);
	snprintf(fifo, sizeof(fifo), "%s.tmp", stall);
	CHECK(mkfifo(fifo, 0600) == 0, "mkfifo: %s", strerror(errno));
	got.n = 0;
	t0 = now_s();
	CHECK(writer_snapshot(stall, y, NULL, NULL, 64, 36, 80, (void *)10) == 0, "stall queued");
	for (int i = 1; i < WRITER_MAX_SNAPSHOTS; i++)
		CHECK(writer_snapshot(path[2 + i], y, cb, cr, 64, 36, 80, (void *)(intptr_t)(10 + i)) == 0,
		      "queued %d behind the stall", i);
	refused = writer_snapshot(path[7], y, cb, cr, 64, 36, 80, (void *)99);
	CHECK(writer_marker((void *)20) == 0, "a marker is still taken");
	took = now_s() - t0;
	CHECK(refused == -1, "snapshot %d refused while the disk stalls", WRITER_MAX_SNAPSHOTS + 1);
	CHECK(took < 0.5, "queueing took %.3f s: the caller did not wait for the disk", took);
	usleep(200000);
	writer_collect(on_done);
	CHECK(got.n == 0, "nothing finished while stalled (%d)", got.n);
	/* the disk comes back */
	rd = open(fifo, O_RDONLY | O_NONBLOCK);
	CHECK(rd >= 0, "open the FIFO for reading: %s", strerror(errno));
	writer_stop(on_done);
	CHECK(got.n == WRITER_MAX_SNAPSHOTS + 1, "all %d came back (%d)",
	      WRITER_MAX_SNAPSHOTS + 1, got.n);
	for (int i = 0; i < got.n && i < WRITER_MAX_SNAPSHOTS; i++)
		CHECK(got.tag[i] == 10 + i && got.ok[i], "job %d: tag %ld ok %d err '%s'",
		      10 + i, got.tag[i], got.ok[i], got.err[i]);
	CHECK(got.n > 0 && got.tag[got.n - 1] == 20, "the marker came last");
	CHECK(writer_fd() < 0, "stopped");
	if (rd >= 0)
		close(rd);
	unlink(stall);
	for (int i = 0; i < 8; i++)
		unlink(path[i]);
	rmdir(dir);
	return UNIT_SUMMARY();
}
