// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame-path benchmark: the copy limit.
 *
 * The producer memcpy()s each frame into one of FP_NUM_BUFFERS free
 * buffers and hands it to the consumer through a FIFO under a mutex and
 * condition variable; the consumer gives it back after reading the stamp.
 * With no free buffer the frame is dropped (as netcam.ko drops a frame
 * that finds no queued buffer), so sequence numbers have the same gaps.
 */
#include "fp.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct memcpy_priv {
	uint8_t *bufs[FP_NUM_BUFFERS];
	uint32_t seqs[FP_NUM_BUFFERS];
	/* FIFOs of buffer indices. */
	int free_q[FP_NUM_BUFFERS], free_n;
	int ready_q[FP_NUM_BUFFERS], ready_n;
	int held;
	uint32_t sequence;
	pthread_mutex_t lock;
	pthread_cond_t ready;
};

static int pop(int *q, int *n)
{
	int v = q[0];

	memmove(q, q + 1, (size_t)(*n - 1) * sizeof(*q));
	(*n)--;
	return v;
}

/* The kernel's copy_user_enhanced_fast_string / FSRM copy. */
static void copy_rep_movsb(void *dst, const void *src, size_t n)
{
#if defined(__x86_64__)
	__asm__ volatile("rep movsb"
			 : "+D"(dst), "+S"(src), "+c"(n)
			 :
			 : "memory");
#else
	memcpy(dst, src, n);
#endif
}

static int memcpy_setup(struct fp_ctx *ctx)
{
	const struct fp_opts *o = ctx->opts;
	struct memcpy_priv *p = calloc(1, sizeof(*p));
	pthread_condattr_t ca;

	if (!p)
		return -1;
	ctx->priv = p;
	ctx->frame_size = fp_frame_size(o->fourcc, o->width, o->height);
	snprintf(ctx->node_path, sizeof(ctx->node_path), "(in-process)");
	for (int i = 0; i < FP_NUM_BUFFERS; i++) {
		p->bufs[i] = aligned_alloc(4096, (ctx->frame_size + 4095) & ~(size_t)4095);
		if (!p->bufs[i]) {
			fprintf(stderr, "frame-path: memcpy: no memory for %zu-byte buffers\n",
				ctx->frame_size);
			return -1;
		}
		/* Fault the pages in now, as a driver's buffers are. */
		memset(p->bufs[i], 0, ctx->frame_size);
		p->free_q[p->free_n++] = i;
	}
	p->held = -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->ready, &ca);
	pthread_condattr_destroy(&ca);
	return 0;
}

static int memcpy_send(struct fp_ctx *ctx, const uint8_t *frame)
{
	struct memcpy_priv *p = ctx->priv;
	int idx;

	pthread_mutex_lock(&p->lock);
	if (!p->free_n) {
		p->sequence++;
		pthread_mutex_unlock(&p->lock);
		return 1;
	}
	idx = pop(p->free_q, &p->free_n);
	pthread_mutex_unlock(&p->lock);

	if (ctx->be == &fp_backend_memcpy_rep)
		copy_rep_movsb(p->bufs[idx], frame, ctx->frame_size);
	else
		memcpy(p->bufs[idx], frame, ctx->frame_size);

	pthread_mutex_lock(&p->lock);
	p->seqs[idx] = p->sequence++;
	p->ready_q[p->ready_n++] = idx;
	pthread_cond_signal(&p->ready);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static int memcpy_dequeue(struct fp_ctx *ctx, int timeout_ms,
			  const uint8_t **data, uint32_t *sequence)
{
	struct memcpy_priv *p = ctx->priv;
	uint64_t deadline = fp_now_ns() + (uint64_t)timeout_ms * 1000000ULL;
	struct timespec ts = {
		.tv_sec = (time_t)(deadline / 1000000000ULL),
		.tv_nsec = (long)(deadline % 1000000000ULL),
	};
	int idx;

	pthread_mutex_lock(&p->lock);
	while (!p->ready_n) {
		if (pthread_cond_timedwait(&p->ready, &p->lock, &ts) == ETIMEDOUT &&
		    !p->ready_n) {
			pthread_mutex_unlock(&p->lock);
			return 1;
		}
	}
	idx = pop(p->ready_q, &p->ready_n);
	p->held = idx;
	*sequence = p->seqs[idx];
	pthread_mutex_unlock(&p->lock);
	*data = p->bufs[idx];
	return 0;
}

static int memcpy_requeue(struct fp_ctx *ctx)
{
	struct memcpy_priv *p = ctx->priv;

	pthread_mutex_lock(&p->lock);
	if (p->held >= 0)
		p->free_q[p->free_n++] = p->held;
	p->held = -1;
	pthread_mutex_unlock(&p->lock);
	return 0;
}

static long long memcpy_driver_dropped(struct fp_ctx *ctx)
{
	return (long long)atomic_load(&ctx->self_dropped);
}

static void memcpy_teardown(struct fp_ctx *ctx)
{
	struct memcpy_priv *p = ctx->priv;

	if (!p)
		return;
	for (int i = 0; i < FP_NUM_BUFFERS; i++)
		free(p->bufs[i]);
	free(p);
	ctx->priv = NULL;
}

const struct fp_backend fp_backend_memcpy = {
	.name = "memcpy",
	.method = "memcpy()+condvar",
	.setup = memcpy_setup,
	.send = memcpy_send,
	.dequeue = memcpy_dequeue,
	.requeue = memcpy_requeue,
	.driver_dropped = memcpy_driver_dropped,
	.teardown = memcpy_teardown,
};

const struct fp_backend fp_backend_memcpy_rep = {
	.name = "memcpy-rep",
	.method = "rep-movsb+condvar",
	.setup = memcpy_setup,
	.send = memcpy_send,
	.dequeue = memcpy_dequeue,
	.requeue = memcpy_requeue,
	.driver_dropped = memcpy_driver_dropped,
	.teardown = memcpy_teardown,
};
