// SPDX-License-Identifier: GPL-2.0-only
/*
 * frame-path: throughput, CPU and latency of one frame path
 *
 *   frame-path --backend netcam|v4l2loopback|memcpy|memcpy-rep --format YUYV|NV12
 *              --size WxH [--frames N] [--warmup N] [--pace free|credit]
 *              [--device /dev/videoX] [--timeout SECS]
 *
 * A producer thread stamps each frame with its CLOCK_MONOTONIC send time
 * and number (struct fp_stamp, first 24 bytes) and sends it; a consumer
 * thread dequeues (V4L2 MMAP streaming with 4 buffers, or the memcpy ring),
 * reads the stamp, and gives the buffer back. After --warmup frames it
 * measures --frames delivered frames:
 *   fps           delivered frames per second
 *   sent/dropped  frames the producer sent; frames sent and never seen by
 *                 the consumer (gaps in the stamped frame numbers);
 *                 seq_gaps: gaps in the V4L2 sequence numbers, which
 *                 should be the same (seq_mismatches counts frames where
 *                 they differ); driver_dropped is the backend's own count
 *                 (netcam: sysfs frames_dropped)
 *   cpu_us        process user+sys time (getrusage RUSAGE_SELF) per
 *                 delivered frame; the kernel's copy runs in the producer's
 *                 ioctl/write, so it is included. prod_/cons_cpu_us split
 *                 it by thread.
 *   lat_*_us      dequeue time - send time, p50/p99/max
 * memcpy-rep copies with `rep movsb`, as the kernel's copy_from_user does
 * on CPUs with ERMS/FSRM: under QEMU's TCG that instruction is emulated
 * far slower than libc's vector memcpy, so it is the fair copy limit for
 * a kernel path there.
 * --pace free (default) sends as fast as the path accepts; --pace credit
 * sends only while the consumer has a buffer queued (no wasted copies).
 *
 * Prints one line of key=value pairs. Exit status: 0 measured, 1 the path
 * failed (message on stderr), 2 usage error.
 */
#define _GNU_SOURCE	/* pthread_getcpuclockid in older glibc headers */
#include "fp.h"

#include <errno.h>
#include <getopt.h>
#include <linux/videodev2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

uint64_t fp_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

void fp_fourcc_str(uint32_t fourcc, char out[5])
{
	for (int i = 0; i < 4; i++) {
		char c = (char)((fourcc >> (8 * i)) & 0xff);

		out[i] = c >= 32 && c < 127 ? c : '?';
	}
	out[4] = 0;
}

size_t fp_frame_size(uint32_t fourcc, uint32_t width, uint32_t height)
{
	if (fourcc == V4L2_PIX_FMT_YUYV)
		return (size_t)width * height * 2;
	return (size_t)width * height * 3 / 2;	/* NV12 */
}

static uint64_t thread_cpu_ns(pthread_t t)
{
	struct timespec ts;
	clockid_t cid;

	if (pthread_getcpuclockid(t, &cid) || clock_gettime(cid, &ts))
		return 0;
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static uint64_t rusage_ns(const struct rusage *ru)
{
	return ((uint64_t)ru->ru_utime.tv_sec + (uint64_t)ru->ru_stime.tv_sec) *
	       1000000000ULL +
	       ((uint64_t)ru->ru_utime.tv_usec + (uint64_t)ru->ru_stime.tv_usec) * 1000ULL;
}

static void usage(FILE *f)
{
	fputs("usage: frame-path --backend netcam|v4l2loopback|memcpy|memcpy-rep --format YUYV|NV12\n"
	      "                  --size WxH [--frames N] [--warmup N] [--pace free|credit]\n"
	      "                  [--device /dev/videoX] [--timeout SECS]\n"
	      "Prints one key=value line; exit 0 measured, 1 failure, 2 usage.\n", f);
}

static int parse_uint(const char *opt, const char *s, unsigned int min,
		      unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "frame-path: %s: '%s' is not a number in %u..%u\n",
			opt, s, min, max);
		return -1;
	}
	*out = (unsigned int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct fp_opts *o)
{
	static const struct option longopts[] = {
		{ "backend", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "size", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' },
		{ "warmup", required_argument, NULL, 'w' },
		{ "pace", required_argument, NULL, 'p' },
		{ "device", required_argument, NULL, 'd' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->frames = 300;
	o->warmup = 10;
	o->timeout_s = 10;
	o->fourcc = V4L2_PIX_FMT_YUYV;
	o->width = 1280;
	o->height = 720;
	while ((c = getopt_long(argc, argv, "b:f:s:n:w:p:d:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'b':
			o->backend = optarg;
			break;
		case 'f':
			if (!strcmp(optarg, "YUYV")) {
				o->fourcc = V4L2_PIX_FMT_YUYV;
			} else if (!strcmp(optarg, "NV12")) {
				o->fourcc = V4L2_PIX_FMT_NV12;
			} else {
				fprintf(stderr, "frame-path: --format: '%s' is not YUYV or NV12\n", optarg);
				return -1;
			}
			break;
		case 's': {
			unsigned int w, h;
			char tail;

			if (sscanf(optarg, "%ux%u%c", &w, &h, &tail) != 2 ||
			    w < 16 || h < 16 || w > 8192 || h > 8192 || (w | h) & 1) {
				fprintf(stderr, "frame-path: --size: '%s' is not WxH with even sides 16..8192\n", optarg);
				return -1;
			}
			o->width = w;
			o->height = h;
			break;
		}
		case 'n':
			if (parse_uint("--frames", optarg, 1, 10000000, &o->frames))
				return -1;
			break;
		case 'w':
			if (parse_uint("--warmup", optarg, 0, 100000, &o->warmup))
				return -1;
			break;
		case 'p':
			if (!strcmp(optarg, "free")) {
				o->pace = FP_PACE_FREE;
			} else if (!strcmp(optarg, "credit")) {
				o->pace = FP_PACE_CREDIT;
			} else {
				fprintf(stderr, "frame-path: --pace: '%s' is not free or credit\n", optarg);
				return -1;
			}
			break;
		case 'd':
			o->device = optarg;
			break;
		case 't':
			if (parse_uint("--timeout", optarg, 1, 3600, &o->timeout_s))
				return -1;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "frame-path: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if (!o->backend) {
		fprintf(stderr, "frame-path: --backend is required\n");
		usage(stderr);
		return -1;
	}
	return 0;
}

static void *producer_main(void *arg)
{
	struct fp_ctx *ctx = arg;
	struct fp_stamp st = { .magic = FP_MAGIC };
	size_t size = (ctx->frame_size + 4095) & ~(size_t)4095;
	uint8_t *frame = aligned_alloc(4096, size);

	if (!frame) {
		fprintf(stderr, "frame-path: no memory for a %zu-byte frame\n", size);
		atomic_store(&ctx->failed, true);
		return NULL;
	}
	/* Some content (a ramp), pre-faulted. */
	for (size_t i = 0; i < ctx->frame_size; i++)
		frame[i] = (uint8_t)(i * 7);

	while (!atomic_load(&ctx->stop)) {
		int r;

		if (ctx->opts->pace == FP_PACE_CREDIT) {
			pthread_mutex_lock(&ctx->lock);
			while (ctx->credits <= 0 && !atomic_load(&ctx->stop)) {
				/* A safety valve: v4l2loopback may skip frames
				 * whose credits then never come back. */
				uint64_t dl = fp_now_ns() + 100000000ULL;
				struct timespec ts = {
					.tv_sec = (time_t)(dl / 1000000000ULL),
					.tv_nsec = (long)(dl % 1000000000ULL),
				};

				if (pthread_cond_timedwait(&ctx->cond, &ctx->lock, &ts) == ETIMEDOUT) {
					ctx->credits++;
					atomic_fetch_add(&ctx->credit_timeouts, 1);
				}
			}
			ctx->credits--;
			pthread_mutex_unlock(&ctx->lock);
			if (atomic_load(&ctx->stop))
				break;
		}
		st.send_ns = fp_now_ns();
		memcpy(frame, &st, sizeof(st));
		r = ctx->be->send(ctx, frame);
		if (r < 0) {
			atomic_store(&ctx->failed, true);
			break;
		}
		st.number++;
		atomic_fetch_add(&ctx->sent, 1);
		if (r == 1)
			atomic_fetch_add(&ctx->self_dropped, 1);
	}
	free(frame);
	return NULL;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double pct_us(const uint64_t *sorted, size_t n, double p)
{
	size_t i;

	if (!n)
		return -1;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return (double)sorted[i] / 1000.0;
}

struct snap {
	uint64_t t, cpu, prod, cons;
	unsigned long long sent, self_dropped;
	long long driver_dropped;
};

static void take_snap(struct fp_ctx *ctx, struct snap *s)
{
	struct rusage ru;

	s->driver_dropped = ctx->be->driver_dropped(ctx);
	s->sent = atomic_load(&ctx->sent);
	s->self_dropped = atomic_load(&ctx->self_dropped);
	getrusage(RUSAGE_SELF, &ru);
	s->cpu = rusage_ns(&ru);
	s->prod = thread_cpu_ns(ctx->producer);
	s->cons = thread_cpu_ns(pthread_self());
	s->t = fp_now_ns();
}

int main(int argc, char **argv)
{
	static const struct fp_backend *const backends[] = {
		&fp_backend_netcam, &fp_backend_v4l2loopback, &fp_backend_memcpy,
		&fp_backend_memcpy_rep,
	};
	struct fp_opts o;
	struct fp_ctx ctx;
	struct snap s0, s1;
	uint64_t *lat;
	size_t nlat = 0;
	unsigned long long gaps = 0, lost = 0, foreign = 0, repeats = 0;
	unsigned int mismatches = 0;
	unsigned int delivered = 0, total;
	uint32_t prev_seq = 0;
	uint64_t prev_number = UINT64_MAX;
	bool have_prev = false;
	int status = 0;
	char fcc[5];

	if (parse_opts(argc, argv, &o) < 0)
		return 2;
	memset(&ctx, 0, sizeof(ctx));
	ctx.cap.fd = -1;
	ctx.opts = &o;
	for (size_t i = 0; i < sizeof(backends) / sizeof(backends[0]); i++)
		if (!strcmp(o.backend, backends[i]->name))
			ctx.be = backends[i];
	if (!ctx.be) {
		fprintf(stderr, "frame-path: --backend: '%s' is not netcam, v4l2loopback, memcpy or memcpy-rep\n",
			o.backend);
		return 2;
	}
	pthread_mutex_init(&ctx.lock, NULL);
	pthread_cond_init(&ctx.cond, NULL);
	lat = calloc(o.frames, sizeof(*lat));
	if (!lat) {
		fprintf(stderr, "frame-path: no memory for %u latencies\n", o.frames);
		return 1;
	}
	if (ctx.be->setup(&ctx) < 0) {
		ctx.be->teardown(&ctx);
		return 1;
	}
	ctx.credits = ctx.cap.count ? (int)ctx.cap.count : FP_NUM_BUFFERS;
	if (pthread_create(&ctx.producer, NULL, producer_main, &ctx)) {
		fprintf(stderr, "frame-path: cannot start the producer thread\n");
		ctx.be->teardown(&ctx);
		return 1;
	}

	total = o.warmup + o.frames;
	if (!o.warmup)
		take_snap(&ctx, &s0);
	while (delivered < total) {
		const uint8_t *data;
		struct fp_stamp st;
		uint32_t seq;
		uint64_t now;
		int r = ctx.be->dequeue(&ctx, (int)o.timeout_s * 1000, &data, &seq);

		if (r == 1) {
			fprintf(stderr, "frame-path: %s %s: no frame for %u s after %u frames\n",
				ctx.be->name, ctx.node_path, o.timeout_s, delivered);
			status = 1;
			break;
		}
		if (r < 0 || atomic_load(&ctx.failed)) {
			status = 1;
			break;
		}
		now = fp_now_ns();
		memcpy(&st, data, sizeof(st));
		if (delivered >= o.warmup) {
			uint32_t sgap = have_prev ? (uint32_t)(seq - prev_seq - 1) : 0;
			uint64_t ngap = 0;

			gaps += sgap;
			if (st.magic != FP_MAGIC) {
				foreign++;
			} else if (st.number == prev_number) {
				repeats++;
			} else {
				if (prev_number != UINT64_MAX && st.number > prev_number)
					ngap = st.number - prev_number - 1;
				lost += ngap;
				if (now >= st.send_ns)
					lat[nlat++] = now - st.send_ns;
			}
			/* The driver's sequence should skip exactly the frames
			 * that were sent and not delivered; show a few that don't. */
			if (st.magic == FP_MAGIC && prev_number != UINT64_MAX &&
			    sgap != ngap && mismatches++ < 5)
				fprintf(stderr, "frame-path: sequence %u -> %u (gap %u) but frame %llu -> %llu (gap %llu)\n",
					prev_seq, seq, sgap,
					(unsigned long long)prev_number,
					(unsigned long long)st.number,
					(unsigned long long)ngap);
		}
		if (st.magic == FP_MAGIC)
			prev_number = st.number;
		prev_seq = seq;
		have_prev = true;
		if (ctx.be->requeue(&ctx) < 0) {
			status = 1;
			break;
		}
		if (o.pace == FP_PACE_CREDIT) {
			pthread_mutex_lock(&ctx.lock);
			ctx.credits++;
			pthread_cond_signal(&ctx.cond);
			pthread_mutex_unlock(&ctx.lock);
		}
		delivered++;
		if (delivered == o.warmup)
			take_snap(&ctx, &s0);
	}
	if (status == 0)
		take_snap(&ctx, &s1);
	atomic_store(&ctx.stop, true);
	pthread_mutex_lock(&ctx.lock);
	pthread_cond_broadcast(&ctx.cond);
	pthread_mutex_unlock(&ctx.lock);
	pthread_join(ctx.producer, NULL);
	if (atomic_load(&ctx.failed))
		status = 1;

	if (status == 0) {
		double secs = (double)(s1.t - s0.t) / 1e9;
		unsigned int n = o.frames;
		long long drv = s0.driver_dropped >= 0 && s1.driver_dropped >= 0 ?
				s1.driver_dropped - s0.driver_dropped : -1;

		qsort(lat, nlat, sizeof(*lat), cmp_u64);
		fp_fourcc_str(o.fourcc, fcc);
		printf("frame-path backend=%s format=%s size=%ux%u pace=%s method=%s buffers=%u frame_bytes=%zu "
		       "frames=%u elapsed_s=%.3f fps=%.1f sent=%llu dropped=%llu seq_gaps=%llu seq_mismatches=%u driver_dropped=%lld "
		       "foreign=%llu repeats=%llu credit_timeouts=%llu "
		       "cpu_us=%.1f prod_cpu_us=%.1f cons_cpu_us=%.1f "
		       "lat_p50_us=%.1f lat_p99_us=%.1f lat_max_us=%.1f\n",
		       ctx.be->name, fcc, o.width, o.height,
		       o.pace == FP_PACE_FREE ? "free" : "credit", ctx.be->method,
		       ctx.cap.count ? ctx.cap.count : FP_NUM_BUFFERS, ctx.frame_size,
		       n, secs, n / secs, s1.sent - s0.sent, lost, gaps, mismatches, drv,
		       foreign, repeats, (unsigned long long)atomic_load(&ctx.credit_timeouts),
		       (double)(s1.cpu - s0.cpu) / 1000.0 / n,
		       (double)(s1.prod - s0.prod) / 1000.0 / n,
		       (double)(s1.cons - s0.cons) / 1000.0 / n,
		       pct_us(lat, nlat, 0.50), pct_us(lat, nlat, 0.99),
		       pct_us(lat, nlat, 1.0));
		fflush(stdout);
	}
	ctx.be->teardown(&ctx);
	free(lat);
	return status;
}
