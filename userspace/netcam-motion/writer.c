// SPDX-License-Identifier: GPL-2.0
#define _GNU_SOURCE
#include "writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "actions.h"

struct job {
	struct job *next;
	void *done;
	int snapshot;           /* 0: a marker */
	int w, h, quality;
	uint8_t *luma, *cb, *cr;        /* one allocation, at luma */
	int failed;
	char path[1100];
	char err[1200];
};

/*
 * W.lock guards the two lists, fsync_fd, busy and stop; the writer thread
 * sleeps on `work`, writer_drain() on `idle`. A job belongs to the list it
 * is on; off both lists (while it runs) it belongs to the writer thread.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t work, idle;
	pthread_t thread;
	int threaded;
	int efd;
	struct job *queue, **queue_tail;
	struct job *done, **done_tail;
	int snapshots;          /* snapshot jobs queued or running */
	int jobs;               /* all jobs queued or running */
	int fsync_fd;           /* -1: no fsync asked for */
	int busy, stop;
} W = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.work = PTHREAD_COND_INITIALIZER,
	.idle = PTHREAD_COND_INITIALIZER,
	.efd = -1,
	.queue_tail = &W.queue,
	.done_tail = &W.done,
	.fsync_fd = -1,
};

static void run_job(struct job *j)
{
	if (j->snapshot && snapshot_write(j->path, j->luma, j->cb, j->cr, j->w, j->h,
					  j->quality, j->err, sizeof(j->err)))
		j->failed = 1;
	free(j->luma);
	j->luma = j->cb = j->cr = NULL;
}

/* With W.lock held. */
static void finish_locked(struct job *j)
{
	uint64_t one = 1;

	j->next = NULL;
	*W.done_tail = j;
	W.done_tail = &j->next;
	if (W.efd >= 0 && write(W.efd, &one, sizeof(one)) < 0 && errno != EAGAIN)
		perror("netcam-motion: eventfd");
}

static void *writer_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&W.lock);
	for (;;) {
		struct job *j;
		int fd;

		while (!W.queue && W.fsync_fd < 0 && !W.stop)
			pthread_cond_wait(&W.work, &W.lock);
		if (W.fsync_fd >= 0) {
			fd = W.fsync_fd;
			W.fsync_fd = -1;
			W.busy = 1;
			pthread_mutex_unlock(&W.lock);
			fsync(fd);
			close(fd);
			pthread_mutex_lock(&W.lock);
		} else if (W.queue) {
			j = W.queue;
			W.queue = j->next;
			if (!W.queue)
				W.queue_tail = &W.queue;
			W.busy = 1;
			pthread_mutex_unlock(&W.lock);
			run_job(j);
			pthread_mutex_lock(&W.lock);
			finish_locked(j);
		} else {
			break;  /* stop, and nothing left */
		}
		W.busy = 0;
		pthread_cond_broadcast(&W.idle);
	}
	pthread_mutex_unlock(&W.lock);
	return NULL;
}

int writer_start(char *err, size_t errlen)
{
	int r;

	W.efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (W.efd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	r = pthread_create(&W.thread, NULL, writer_main, NULL);
	if (r) {
		snprintf(err, errlen, "cannot start the writer thread: %s", strerror(r));
		return -1;
	}
	W.threaded = 1;
	return 0;
}

int writer_fd(void)
{
	return W.efd;
}

static void submit(struct job *j)
{
	if (!W.threaded) {
		run_job(j);
		pthread_mutex_lock(&W.lock);
		finish_locked(j);
		pthread_mutex_unlock(&W.lock);
		return;
	}
	pthread_mutex_lock(&W.lock);
	j->next = NULL;
	*W.queue_tail = j;
	W.queue_tail = &j->next;
	pthread_cond_signal(&W.work);
	pthread_mutex_unlock(&W.lock);
}

int writer_snapshot(const char *path, const uint8_t *luma, const uint8_t *cb,
		    const uint8_t *cr, int w, int h, int quality, void *done)
{
	size_t ysz = (size_t)w * h, csz = (size_t)((w + 1) / 2) * ((h + 1) / 2);
	int colour = cb && cr;
	struct job *j;

	if (W.snapshots >= WRITER_MAX_SNAPSHOTS)
		return -1;
	j = calloc(1, sizeof(*j));
	if (!j)
		return -1;
	j->luma = malloc(ysz + (colour ? 2 * csz : 0));
	if (!j->luma) {
		free(j);
		return -1;
	}
	memcpy(j->luma, luma, ysz);
	if (colour) {
		j->cb = j->luma + ysz;
		j->cr = j->cb + csz;
		memcpy(j->cb, cb, csz);
		memcpy(j->cr, cr, csz);
	}
	j->snapshot = 1;
	j->w = w;
	j->h = h;
	j->quality = quality;
	j->done = done;
	snprintf(j->path, sizeof(j->path), "%s", path);
	W.snapshots++;
	W.jobs++;
	submit(j);
	return 0;
}

int writer_marker(void *done)
{
	struct job *j = calloc(1, sizeof(*j));

	if (!j)
		return -1;
	j->done = done;
	W.jobs++;
	submit(j);
	return 0;
}

void writer_fsync(int fd)
{
	int copy;

	if (!W.threaded) {
		fsync(fd);
		return;
	}
	pthread_mutex_lock(&W.lock);
	if (W.fsync_fd < 0) {
		copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
		if (copy >= 0) {
			W.fsync_fd = copy;
			pthread_cond_signal(&W.work);
		}
	}
	pthread_mutex_unlock(&W.lock);
}

int writer_pending(void)
{
	return W.jobs;
}

void writer_collect(writer_done_fn fn)
{
	struct job *list, *next;
	uint64_t n;

	if (W.efd >= 0 && read(W.efd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		perror("netcam-motion: eventfd");
	pthread_mutex_lock(&W.lock);
	list = W.done;
	W.done = NULL;
	W.done_tail = &W.done;
	pthread_mutex_unlock(&W.lock);
	/* fn runs unlocked: it may queue new jobs */
	for (struct job *j = list; j; j = next) {
		next = j->next;
		W.jobs--;
		if (j->snapshot)
			W.snapshots--;
		fn(j->done, j->snapshot && !j->failed ? j->path : NULL,
		   j->failed ? j->err : NULL);
		free(j);
	}
}

void writer_drain(writer_done_fn fn)
{
	if (W.threaded) {
		pthread_mutex_lock(&W.lock);
		while (W.queue || W.fsync_fd >= 0 || W.busy)
			pthread_cond_wait(&W.idle, &W.lock);
		pthread_mutex_unlock(&W.lock);
	}
	writer_collect(fn);
}

void writer_stop(writer_done_fn fn)
{
	writer_drain(fn);
	if (W.threaded) {
		pthread_mutex_lock(&W.lock);
		W.stop = 1;
		pthread_cond_signal(&W.work);
		pthread_mutex_unlock(&W.lock);
		pthread_join(W.thread, NULL);
		W.threaded = 0;
	}
	if (W.efd >= 0)
		close(W.efd);
	W.efd = -1;
}
