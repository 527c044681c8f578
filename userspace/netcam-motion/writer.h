/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The daemon's disk work off its frame loop: JPEG snapshots and the event
 * log's fsync run on one writer thread, so that a slow, full or hung disk
 * (a NAS, an SD card) delays no camera's frames.
 *
 * Jobs finish in the order they were queued. A job carries an opaque
 * `done` pointer that comes back to the daemon's thread through
 * writer_collect() once the job is over; the daemon uses it to run an
 * event's hook after the event's snapshot is on disk (or has failed).
 *
 * Threads: writer_* functions are called from the daemon's thread only;
 * the writer thread touches only the queue (under the writer's lock) and
 * the jobs it has taken off it.
 */
#ifndef NETCAM_MOTION_WRITER_H
#define NETCAM_MOTION_WRITER_H

#include <stddef.h>
#include <stdint.h>

/* Queued snapshots at most: each holds a copy of its frame (3 MB at
 * 1920x1080), and more would only mean a disk that cannot keep up. */
#define WRITER_MAX_SNAPSHOTS 4

/* Starts the writer thread. Without one (-1, err set) every job runs at
 * once in the caller's thread instead. */
int writer_start(char *err, size_t errlen);

/* An eventfd, readable while finished jobs wait for writer_collect(). */
int writer_fd(void);

/*
 * Queues a snapshot of the w x h luma plane (cb and cr: half size rounded
 * up, or NULL for grey) to path; the planes are copied. -1 when
 * WRITER_MAX_SNAPSHOTS are already waiting: nothing is queued.
 */
int writer_snapshot(const char *path, const uint8_t *luma, const uint8_t *cb,
		    const uint8_t *cr, int w, int h, int quality, void *done);

/* Queues a job that does nothing but come back, after the jobs queued
 * before it: keeps a hook in order behind its camera's snapshots. */
int writer_marker(void *done);

/* Asks for an fsync of fd (dup'ed, so the caller may close fd); requests
 * made while one waits are served by that one. */
void writer_fsync(int fd);

/* Number of jobs queued or running. */
int writer_pending(void);

/*
 * Calls fn for each finished job, in queue order: path is the snapshot
 * written (NULL for a marker, or when it failed, with err saying why).
 */
typedef void (*writer_done_fn)(void *done, const char *path, const char *err);
void writer_collect(writer_done_fn fn);

/* Waits until every queued job is done (the fsync too), then collects. */
void writer_drain(writer_done_fn fn);

/* Drains, then ends the thread. */
void writer_stop(writer_done_fn fn);

#endif
