// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamd-consumer: the application side of the netcamd benchmark
 * (bench/vm-netcamd.sh). Streams a V4L2 capture node with mmap buffers,
 * stamps every dequeued frame with CLOCK_MONOTONIC, reads the frame
 * counter the benchmark clip carries in its pixels and measures, over a
 * window after a warm-up, the CPU time of the processes it is told about.
 *
 *   netcamd-consumer --device /dev/videoN [--format YUYV|NV12|YU12|GREY]
 *                    [--size 1920x1080] [--fps F] [--warmup S] [--seconds S]
 *                    [--wait-capture S] [--log FILE] [--pid NAME=PID]...
 *                    [--comm NAME=PREFIX]...
 *
 * The counter: two rows of 16 blocks, 96x96 pixels each at 1920x1080
 * (scaled with the frame for other sizes), in the top-left corner; block i
 * of the first row is white when bit i of the frame number is set, the
 * second row holds the complement. A frame whose rows do not complement
 * each other (a grey no-signal frame, a smeared one) counts as invalid.
 *
 * --log FILE gets one line per dequeued frame:
 *     COUNTER ARRIVAL_NS SEQUENCE IN_WINDOW
 * (COUNTER -1 when unreadable). Standard output gets one summary line,
 * "consumer key=value ...", with the window's frames and, for every
 * --pid, "cpu_NAME_ms=" (utime+stime+cutime+cstime of /proc/PID/stat,
 * all threads; for a feeder this includes the kernel's copy of the frame
 * done in its write()/ioctl()), for every --comm the same summed over the
 * processes whose name starts with PREFIX at that moment (kernel threads
 * such as netcam's "netcam-C-N" fillers), "cpu_self_ms=" for this
 * program, and the time from VIDIOC_STREAMON to the first frame
 * ("first_frame_ms=", a placeholder counts) and to the first frame with
 * a readable counter ("first_real_ms=", the camera's picture; na if none
 * came).
 *
 * The window starts at the first frame WARMUP seconds after the first
 * frame and ends at the first frame SECONDS later (or when no frame came
 * for 10 s). --wait-capture waits up to S seconds for the node to offer
 * capture (v4l2loopback with exclusive_caps shows capture only once a
 * writer has set its format).
 *
 * Exit status: 0 window completed, 1 device or streaming error or no
 * frames, 2 usage error.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <linux/videodev2.h>

#include "netcam-util.h"

#define NBUF 4
#define MAX_PIDS 8
#define BITS 16
#define NS 1000000000LL

struct watched {
	const char *name;
	const char *comm;	/* --comm: every process whose name starts so */
	long pid;
	double t0, t1;	/* seconds of CPU at window start and end */
};

static const char *me = "netcamd-consumer";


static int xioctl(int fd, unsigned long req, void *arg)
{
	int r;

	do
		r = ioctl(fd, req, arg);
	while (r < 0 && errno == EINTR);
	return r;
}

/* utime+stime+cutime+cstime of a process in seconds, -1 if it is gone. */
static double proc_cpu(long pid);

/* The summed CPU of every process whose name starts with prefix. */
static double comm_cpu(const char *prefix)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	double sum = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], name[64];
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, prefix, strlen(prefix))) {
			double c = proc_cpu(atol(e->d_name));

			if (c > 0)
				sum += c;
		}
		fclose(f);
	}
	closedir(d);
	return sum;
}

static double watched_cpu(const struct watched *w)
{
	return w->comm ? comm_cpu(w->comm) : proc_cpu(w->pid);
}

static double proc_cpu(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v[4];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');	/* the command name may contain spaces */
	if (!p)
		return -1;
	/* After ") ": state(3) ppid pgrp session tty tpgid flags minflt
	 * cminflt majflt cmajflt utime(14) stime cutime cstime. */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3]) != 4)
		return -1;
	return (double)(v[0] + v[1] + v[2] + v[3]) / (double)sysconf(_SC_CLK_TCK);
}

static double self_cpu(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static uint32_t fourcc_of(const char *s)
{
	if (!strcmp(s, "YUYV"))
		return V4L2_PIX_FMT_YUYV;
	if (!strcmp(s, "NV12"))
		return V4L2_PIX_FMT_NV12;
	if (!strcmp(s, "YU12"))
		return V4L2_PIX_FMT_YUV420;
	if (!strcmp(s, "GREY"))
		return V4L2_PIX_FMT_GREY;
	return 0;
}

/* Mean luma of a small patch centred on (cx, cy). */
static int luma_at(const uint8_t *p, const struct v4l2_pix_format *f, int cx, int cy)
{
	int step = f->pixelformat == V4L2_PIX_FMT_YUYV ? 2 : 1, sum = 0, n = 0;

	for (int y = cy - 4; y < cy + 4; y++)
		for (int x = cx - 4; x < cx + 4; x++) {
			if (x < 0 || y < 0 || x >= (int)f->width || y >= (int)f->height)
				continue;
			sum += p[(size_t)y * f->bytesperline + (size_t)x * step];
			n++;
		}
	return n ? sum / n : 0;
}

/* The frame number, or -1 when the two rows do not agree. */
static long read_counter(const uint8_t *p, const struct v4l2_pix_format *f)
{
	unsigned int a = 0, b = 0;

	for (int i = 0; i < BITS; i++) {
		int cx = (int)((long)(96 * i + 48) * f->width / 1920);
		int y0 = (int)(48L * f->height / 1080), y1 = (int)(144L * f->height / 1080);

		if (luma_at(p, f, cx, y0) >= 128)
			a |= 1u << i;
		if (luma_at(p, f, cx, y1) >= 128)
			b |= 1u << i;
	}
	return (a ^ b) == (1u << BITS) - 1 ? (long)a : -1;
}

static void usage(FILE *o)
{
	fprintf(o, "usage: %s --device DEV [--format YUYV|NV12|YU12|GREY] [--size WxH] [--fps F]\n"
		"       [--warmup S] [--seconds S] [--wait-capture S] [--log FILE] [--pid NAME=PID]...\n"
		"       [--comm NAME=PREFIX]...\n", me);
}

int main(int argc, char **argv)
{
	const char *dev = NULL, *fmtname = "YUYV", *logpath = NULL;
	unsigned int width = 1920, height = 1080;
	double fps = 0, warmup = 5, seconds = 30, wait_cap = 0;
	struct watched pids[MAX_PIDS];
	int npids = 0, fd;
	struct v4l2_capability cap;
	struct v4l2_format fmt;
	struct v4l2_requestbuffers rb;
	void *mem[NBUF];
	size_t len[NBUF];
	enum v4l2_buf_type type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	FILE *log = NULL;
	int64_t t_first = 0, t_ws = 0, t_we = 0, deadline, t_on, t_first_real = 0;
	long first_counter = -1, last_counter = -1, max_seen = -1;
	uint64_t frames = 0, in_window = 0, valid = 0, invalid = 0, dup = 0;
	uint64_t out_of_order = 0;
	double self0 = 0, self1 = 0;
	bool window = false, done = false;
	uint8_t *seen;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			fprintf(stderr, "%s: %s needs a value\n", me, a);
			return 2;
		}
		i++;
		if (!strcmp(a, "--device")) {
			dev = v;
		} else if (!strcmp(a, "--format")) {
			fmtname = v;
		} else if (!strcmp(a, "--size")) {
			if (sscanf(v, "%ux%u", &width, &height) != 2 || !width || !height) {
				fprintf(stderr, "%s: --size wants WxH, got '%s'\n", me, v);
				return 2;
			}
		} else if (!strcmp(a, "--fps")) {
			fps = atof(v);
		} else if (!strcmp(a, "--warmup")) {
			warmup = atof(v);
		} else if (!strcmp(a, "--seconds")) {
			seconds = atof(v);
		} else if (!strcmp(a, "--wait-capture")) {
			wait_cap = atof(v);
		} else if (!strcmp(a, "--log")) {
			logpath = v;
		} else if (!strcmp(a, "--pid")) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v || npids == MAX_PIDS || atol(eq + 1) <= 0) {
				fprintf(stderr, "%s: --pid wants NAME=PID (at most %d), got '%s'\n",
					me, MAX_PIDS, v);
				return 2;
			}
			pids[npids].name = strndup(v, (size_t)(eq - v));
			pids[npids].comm = NULL;
			pids[npids].pid = atol(eq + 1);
			pids[npids].t0 = pids[npids].t1 = -1;
			npids++;
		} else if (!strcmp(a, "--comm")) {
			const char *eq = strchr(v, '=');

			if (!eq || eq == v || !eq[1] || npids == MAX_PIDS) {
				fprintf(stderr, "%s: --comm wants NAME=PREFIX, got '%s'\n", me, v);
				return 2;
			}
			pids[npids].name = strndup(v, (size_t)(eq - v));
			pids[npids].comm = eq + 1;
			pids[npids].pid = 0;
			pids[npids].t0 = pids[npids].t1 = -1;
			npids++;
		} else {
			fprintf(stderr, "%s: unknown argument '%s'\n", me, a);
			usage(stderr);
			return 2;
		}
	}
	if (!dev || !fourcc_of(fmtname) || seconds <= 0) {
		fprintf(stderr, "%s: need --device, a known --format (got '%s') and --seconds > 0\n",
			me, fmtname);
		return 2;
	}
	seen = calloc(1u << BITS, 1);
	if (!seen)
		return 1;
	if (logpath) {
		log = fopen(logpath, "w");
		if (!log) {
			fprintf(stderr, "%s: %s: %s\n", me, logpath, strerror(errno));
			return 1;
		}
	}

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s: %s\n", me, dev, strerror(errno));
		return 1;
	}
	deadline = (int64_t)mono_ns() + (int64_t)(wait_cap * 1e9);
	for (;;) {
		memset(&cap, 0, sizeof(cap));
		if (xioctl(fd, VIDIOC_QUERYCAP, &cap) < 0) {
			fprintf(stderr, "%s: %s: VIDIOC_QUERYCAP: %s\n", me, dev, strerror(errno));
			return 1;
		}
		if ((cap.capabilities & V4L2_CAP_DEVICE_CAPS ? cap.device_caps : cap.capabilities) &
		    V4L2_CAP_VIDEO_CAPTURE)
			break;
		if ((int64_t)mono_ns() > deadline) {
			fprintf(stderr, "%s: %s (%s) offers no video capture\n", me, dev, cap.card);
			return 1;
		}
		usleep(100000);
	}

	memset(&fmt, 0, sizeof(fmt));
	fmt.type = type;
	fmt.fmt.pix.pixelformat = fourcc_of(fmtname);
	fmt.fmt.pix.width = width;
	fmt.fmt.pix.height = height;
	fmt.fmt.pix.field = V4L2_FIELD_NONE;
	if (xioctl(fd, VIDIOC_S_FMT, &fmt) < 0) {
		fprintf(stderr, "%s: %s: VIDIOC_S_FMT %s %ux%u: %s\n", me, dev, fmtname,
			width, height, strerror(errno));
		return 1;
	}
	if (fmt.fmt.pix.pixelformat != fourcc_of(fmtname) || fmt.fmt.pix.width != width ||
	    fmt.fmt.pix.height != height) {
		fprintf(stderr, "%s: %s: asked for %s %ux%u, got %.4s %ux%u\n", me, dev, fmtname,
			width, height, (const char *)&fmt.fmt.pix.pixelformat,
			fmt.fmt.pix.width, fmt.fmt.pix.height);
		return 1;
	}
	if (fps > 0) {
		struct v4l2_streamparm parm;

		memset(&parm, 0, sizeof(parm));
		parm.type = type;
		parm.parm.capture.timeperframe.numerator = 1000;
		parm.parm.capture.timeperframe.denominator = (uint32_t)(fps * 1000 + 0.5);
		if (xioctl(fd, VIDIOC_S_PARM, &parm) < 0)
			fprintf(stderr, "%s: %s: VIDIOC_S_PARM %g fps: %s (continuing)\n", me, dev,
				fps, strerror(errno));
	}
	memset(&rb, 0, sizeof(rb));
	rb.count = NBUF;
	rb.type = type;
	rb.memory = V4L2_MEMORY_MMAP;
	if (xioctl(fd, VIDIOC_REQBUFS, &rb) < 0 || rb.count < 2) {
		fprintf(stderr, "%s: %s: VIDIOC_REQBUFS: %s\n", me, dev,
			rb.count < 2 ? "fewer than 2 buffers" : strerror(errno));
		return 1;
	}
	if (rb.count > NBUF)
		rb.count = NBUF;
	for (unsigned int i = 0; i < rb.count; i++) {
		struct v4l2_buffer b;

		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_MMAP;
		b.index = i;
		if (xioctl(fd, VIDIOC_QUERYBUF, &b) < 0) {
			fprintf(stderr, "%s: %s: VIDIOC_QUERYBUF: %s\n", me, dev, strerror(errno));
			return 1;
		}
		len[i] = b.length;
		mem[i] = mmap(NULL, b.length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, b.m.offset);
		if (mem[i] == MAP_FAILED) {
			fprintf(stderr, "%s: %s: mmap: %s\n", me, dev, strerror(errno));
			return 1;
		}
		if (xioctl(fd, VIDIOC_QBUF, &b) < 0) {
			fprintf(stderr, "%s: %s: VIDIOC_QBUF: %s\n", me, dev, strerror(errno));
			return 1;
		}
	}
	t_on = (int64_t)mono_ns();
	if (xioctl(fd, VIDIOC_STREAMON, &type) < 0) {
		fprintf(stderr, "%s: %s: VIDIOC_STREAMON: %s\n", me, dev, strerror(errno));
		return 1;
	}

	while (!done) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct v4l2_buffer b;
		int64_t now;
		long c;
		int r = poll(&pfd, 1, 10000);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			fprintf(stderr, "%s: %s: %s\n", me, dev,
				r ? strerror(errno) : "no frame for 10 s");
			break;
		}
		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_MMAP;
		if (xioctl(fd, VIDIOC_DQBUF, &b) < 0) {
			if (errno == EAGAIN)
				continue;
			fprintf(stderr, "%s: %s: VIDIOC_DQBUF: %s\n", me, dev, strerror(errno));
			break;
		}
		now = (int64_t)mono_ns();
		c = b.index < rb.count && b.bytesused >= fmt.fmt.pix.sizeimage / 2 ?
			read_counter(mem[b.index], &fmt.fmt.pix) : -1;
		frames++;
		if (!t_first)
			t_first = now;
		if (!t_first_real && c >= 0)
			t_first_real = now;
		if (!window && !t_ws && now >= t_first + (int64_t)(warmup * 1e9)) {
			window = true;
			t_ws = now;
			for (int i = 0; i < npids; i++)
				pids[i].t0 = watched_cpu(&pids[i]);
			self0 = self_cpu();
		} else if (window && now >= t_ws + (int64_t)(seconds * 1e9)) {
			window = false;
			done = true;
			t_we = now;
			for (int i = 0; i < npids; i++)
				pids[i].t1 = watched_cpu(&pids[i]);
			self1 = self_cpu();
		}
		if (window) {
			in_window++;
			if (c < 0) {
				invalid++;
			} else if (seen[c]) {
				dup++;
			} else {
				seen[c] = 1;
				valid++;
				if (first_counter < 0)
					first_counter = c;
				if (c < max_seen)
					out_of_order++;
				if (c > max_seen)
					max_seen = c;
				last_counter = c;
			}
		}
		if (log)
			fprintf(log, "%ld %lld %u %d\n", c, (long long)now, b.sequence, window ? 1 : 0);
		if (xioctl(fd, VIDIOC_QBUF, &b) < 0) {
			fprintf(stderr, "%s: %s: VIDIOC_QBUF: %s\n", me, dev, strerror(errno));
			break;
		}
	}
	xioctl(fd, VIDIOC_STREAMOFF, &type);
	for (unsigned int i = 0; i < rb.count; i++)
		munmap(mem[i], len[i]);
	close(fd);
	if (log)
		fclose(log);
	if (!done) {
		fprintf(stderr, "%s: %s: the window did not complete (%llu frames, %llu in the window)\n",
			me, dev, (unsigned long long)frames, (unsigned long long)in_window);
		return 1;
	}
	{
		double wsec = (double)(t_we - t_ws) / 1e9;
		long span = first_counter >= 0 ? max_seen - first_counter + 1 : 0;

		printf("consumer device=%s format=%s size=%ux%u window_s=%.3f frames=%llu unique=%llu "
		       "dup=%llu invalid=%llu out_of_order=%llu first=%ld last=%ld missing=%ld fps=%.3f",
		       dev, fmtname, width, height, wsec, (unsigned long long)in_window,
		       (unsigned long long)valid, (unsigned long long)dup,
		       (unsigned long long)invalid, (unsigned long long)out_of_order,
		       first_counter, last_counter, span - (long)valid, (double)valid / wsec);
		for (int i = 0; i < npids; i++) {
			if (pids[i].t0 < 0 || pids[i].t1 < 0)
				printf(" cpu_%s_ms=na", pids[i].name);
			else
				printf(" cpu_%s_ms=%.0f", pids[i].name, (pids[i].t1 - pids[i].t0) * 1e3);
		}
		printf(" cpu_self_ms=%.0f first_frame_ms=%.1f", (self1 - self0) * 1e3,
		       (double)(t_first - t_on) / 1e6);
		if (t_first_real)
			printf(" first_real_ms=%.1f\n", (double)(t_first_real - t_on) / 1e6);
		else
			printf(" first_real_ms=na\n");
	}
	return 0;
}
