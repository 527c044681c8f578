/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * frame-path benchmark: shared definitions.
 *
 * One producer thread sends frames through a backend (netcam.ko's feed
 * channel, v4l2loopback's output side, or an in-process memcpy ring); one
 * consumer thread takes them out (V4L2 MMAP streaming, or the ring) and
 * measures how long each frame took and what it cost.
 */
#ifndef FP_H
#define FP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>

#define FP_NUM_BUFFERS	4
#define FP_MAGIC	0x6874617046504e43ULL	/* "CNPFpath" */

/* What the producer writes at the start of every frame. */
struct fp_stamp {
	uint64_t send_ns;	/* CLOCK_MONOTONIC just before sending */
	uint64_t number;	/* producer's frame number, from 0 */
	uint64_t magic;		/* FP_MAGIC: not a placeholder or stale data */
};

enum fp_pace {
	FP_PACE_FREE,	/* send as fast as the path accepts */
	FP_PACE_CREDIT,	/* send only while the consumer has a buffer queued */
};

struct fp_opts {
	const char *backend;
	const char *device;	/* v4l2loopback node; NULL: find it */
	uint32_t fourcc;
	uint32_t width, height;
	unsigned int frames;	/* measured frames */
	unsigned int warmup;	/* delivered frames not measured */
	unsigned int timeout_s;	/* consumer gives up after this long idle */
	enum fp_pace pace;
};

struct fp_ctx;

/*
 * A backend. setup() runs in the main thread and leaves the consumer side
 * streaming and the producer side ready. send() runs in the producer
 * thread: 0 sent, 1 dropped by the producer side itself (memcpy ring
 * full), -1 error (after a message). dequeue() and requeue() run in the
 * consumer thread: dequeue returns 0 with the frame's data and sequence,
 * 1 on timeout, -1 on error.
 */
struct fp_backend {
	const char *name;
	int (*setup)(struct fp_ctx *ctx);
	int (*send)(struct fp_ctx *ctx, const uint8_t *frame);
	int (*dequeue)(struct fp_ctx *ctx, int timeout_ms,
		       const uint8_t **data, uint32_t *sequence);
	int (*requeue)(struct fp_ctx *ctx);
	/* Backend's own drop counter (e.g. sysfs), -1 if none. */
	long long (*driver_dropped)(struct fp_ctx *ctx);
	void (*teardown)(struct fp_ctx *ctx);
	const char *method;	/* how frames go in, for the report */
};

/* A V4L2 capture stream with MMAP buffers (fp_v4l2.c). */
struct fp_capture {
	int fd;
	unsigned int count;
	void *maps[FP_NUM_BUFFERS];
	size_t lengths[FP_NUM_BUFFERS];
	int held;		/* index dequeued and not yet requeued, or -1 */
	bool streaming;
};

struct fp_ctx {
	const struct fp_opts *opts;
	const struct fp_backend *be;
	size_t frame_size;

	/* Producer/consumer hand-shake and credit pacing. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int credits;
	atomic_bool stop;
	atomic_bool failed;

	atomic_ullong sent;		/* frames the producer sent */
	atomic_ullong self_dropped;	/* dropped by the producer side */
	atomic_ullong credit_timeouts;	/* credit waits that gave up */
	pthread_t producer;

	/* Backend state. */
	struct fp_capture cap;
	void *priv;
	char node_path[64];
};

/* fp_v4l2.c: the capture side, shared by netcam and v4l2loopback. */
int fp_capture_open(struct fp_capture *cap, const char *path, uint32_t fourcc,
		    uint32_t width, uint32_t height, size_t *frame_size);
int fp_capture_start(struct fp_capture *cap);
int fp_capture_dequeue(struct fp_capture *cap, int timeout_ms,
		       const uint8_t **data, uint32_t *sequence);
int fp_capture_requeue(struct fp_capture *cap);
void fp_capture_close(struct fp_capture *cap);

/* Backends. */
extern const struct fp_backend fp_backend_netcam;
extern const struct fp_backend fp_backend_v4l2loopback;
extern const struct fp_backend fp_backend_memcpy;
extern const struct fp_backend fp_backend_memcpy_rep;

uint64_t fp_now_ns(void);
void fp_fourcc_str(uint32_t fourcc, char out[5]);
size_t fp_frame_size(uint32_t fourcc, uint32_t width, uint32_t height);

#endif /* FP_H */
