// SPDX-License-Identifier: GPL-2.0
/*
 * netcam-motion --replay: see replay.h. Y4M clips go through the project's
 * own reader (y4m.c: exact frame times from the header's rate, stdin);
 * everything else through libavformat (avclip.c: the frames' timestamps).
 */
#define _POSIX_C_SOURCE 200809L
#include "replay.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "avclip.h"
#include "detect.h"
#include "events.h"
#include "y4m.h"

/* Set by SIGINT or SIGTERM: the replay stops where it is, and its open
 * events are ended as at the end of a clip. */
static volatile sig_atomic_t replay_stop;

static void on_stop(int sig)
{
	(void)sig;
	replay_stop = 1;
}

/* One of the two readers behind the same calls. */
struct reader {
	struct y4m y;
	const struct avclip_ops *ops;
	struct avclip *av;      /* NULL: the Y4M reader */
	char name[512];         /* the clip for messages, credentials hidden */
	int w, h;
	long frames;            /* frames read so far */
	const uint8_t *luma;    /* the frame read last ... */
	int stride;             /* ... its bytes per row ... */
	double t;               /* ... and its time, seconds from the first */
};

/* A Y4M clip: stdin, a name ending in .y4m (so that a file that is not
 * one is told so), or a regular file starting with the Y4M signature. */
static int is_y4m(const char *path)
{
	static const char magic[] = "YUV4MPEG2 ";
	char head[sizeof(magic) - 1];
	size_t n = strlen(path);
	struct stat st;
	FILE *f;
	int y4m;

	if (!strcmp(path, "-") || (n >= 4 && !strcasecmp(path + n - 4, ".y4m")))
		return 1;
	if (stat(path, &st) || !S_ISREG(st.st_mode))
		return 0;       /* a URL, a device, or missing: libavformat says */
	f = fopen(path, "rb");
	if (!f)
		return 0;
	y4m = fread(head, 1, sizeof(head), f) == sizeof(head) &&
	      !memcmp(head, magic, sizeof(head));
	fclose(f);
	return y4m;
}

/* The libavformat reader, AVCLIP_MODULE: next to this program (the build
 * tree), else in ../lib/netcam/ from it (/usr/sbin -> /usr/lib/netcam). */
static const struct avclip_ops *load_avclip(char *err, size_t errlen)
{
	static const char *const where[] = { "%s/" AVCLIP_MODULE,
					     "%s/../lib/netcam/" AVCLIP_MODULE };
	char exe[PATH_MAX], path[PATH_MAX + 64], why[512] = "";
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	void *h = NULL;

	if (n <= 0) {
		snprintf(err, errlen, "cannot find %s: /proc/self/exe: %s", AVCLIP_MODULE,
			 strerror(errno));
		return NULL;
	}
	exe[n] = 0;
	*strrchr(exe, '/') = 0;
	for (size_t i = 0; !h && i < sizeof(where) / sizeof(where[0]); i++) {
		snprintf(path, sizeof(path), where[i], exe);
		h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
		if (!h && (i == 0 || !why[0]))
			snprintf(why, sizeof(why), "%s", dlerror());
	}
	if (!h) {
		snprintf(err, errlen, "cannot load %s (%s)", AVCLIP_MODULE, why);
		return NULL;
	}
	/* loaded for the process's lifetime: never closed */
	return dlsym(h, AVCLIP_OPS_SYMBOL);
}

static int reader_open(struct reader *r, const char *path, char *err, size_t errlen)
{
	char why[600];

	memset(r, 0, sizeof(*r));
	if (is_y4m(path)) {
		if (y4m_open(&r->y, path, err, errlen))
			return -1;
		r->w = r->y.w;
		r->h = r->y.h;
		return 0;
	}
	url_redact(path, r->name, sizeof(r->name));
	r->ops = load_avclip(why, sizeof(why));
	if (!r->ops) {
		snprintf(err, errlen, "%s: not a Y4M clip, and the reader of other recordings: %s",
			 r->name, why);
		return -1;
	}
	r->av = r->ops->open(path, r->name, log_max_level >= LOG_DEBUG_P, &replay_stop, err,
			     errlen);
	if (!r->av)
		return -1;
	r->ops->size(r->av, &r->w, &r->h);
	return 0;
}

/* 1 a frame, 0 the end, -1 an error (in err). */
static int reader_read(struct reader *r, char *err, size_t errlen)
{
	int ret;

	if (r->av) {
		ret = r->ops->read(r->av, &r->luma, &r->stride, &r->t, err, errlen);
	} else {
		ret = y4m_read(&r->y, err, errlen);
		r->luma = r->y.buf;
		r->stride = r->y.w;
		r->t = (double)(r->y.frames - 1) * r->y.fps_den / r->y.fps_num;
	}
	r->frames += ret == 1;
	return ret;
}

static void reader_close(struct reader *r)
{
	if (r->av) {
		long damaged = r->ops->damaged(r->av);

		if (damaged)
			log_msg(LOG_WARN_P, "%s: %ld damaged packet(s) skipped", r->name, damaged);
		r->ops->close(r->av);
	} else {
		y4m_close(&r->y);
	}
	r->av = NULL;
}

struct replay_ctx {
	struct ev_sink sink;
};

static void replay_cb(void *ctx, const struct md_event *ev)
{
	struct replay_ctx *r = ctx;

	ev_emit(&r->sink, ev);
}

int replay(const char *clip, const struct cam_config *cam, const char *logpath,
	   int debug)
{
	struct replay_ctx rc = { { 0 } };
	struct md_detector *d = NULL;
	unsigned char *mask = NULL;
	struct timespec rt, mt;
	char err[2048];
	struct reader y;
	struct sigaction sa;
	int r = 0, ret = 0;

	/* no SA_RESTART: a read that blocks (a stream, a pipe) returns */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (reader_open(&y, clip, err, sizeof(err))) {
		log_msg(LOG_ERR_P, "%s", err);
		return 1;
	}
	if (cam->motion.mask[0]) {
		mask = config_load_mask(cam->motion.mask, y.w, y.h, err, sizeof(err));
		if (!mask) {
			log_msg(LOG_ERR_P, "camera '%s': mask %s", cam->name, err);
			reader_close(&y);
			return 2;
		}
	}
	rc.sink.camera = cam->name;
	rc.sink.replay = 1;
	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_MONOTONIC, &mt);
	rc.sink.wall_off = rt.tv_sec + rt.tv_nsec / 1e9;
	rc.sink.mono_off = mt.tv_sec + mt.tv_nsec / 1e9;
	if (logpath) {
		rc.sink.json = fopen(logpath, "a");
		if (!rc.sink.json) {
			log_msg(LOG_ERR_P, "%s: %s", logpath, strerror(errno));
			free(mask);
			reader_close(&y);
			return 1;
		}
		rc.sink.fsync_end = 1;
	} else {
		rc.sink.json = stdout;
	}
	d = md_new(&cam->motion.p, y.w, y.h, mask, cam->motion.zones, cam->motion.nzones,
		   replay_cb, &rc);
	if (!d) {
		log_msg(LOG_ERR_P, "%s: cannot set up the detector for %dx%d frames",
			clip, y.w, y.h);
		ret = 1;
		goto out;
	}
	while (!replay_stop && (r = reader_read(&y, err, sizeof(err))) == 1) {
		struct md_frame_info fi;
		double t = y.t;

		md_frame(d, y.luma, y.stride, t, &fi);
		if (debug)
			fprintf(stderr, "frame %ld t=%.3f noise=%.2f thr=%.1f gain=%.3f off=%.1f area=%.2f lit=%ld%s%s\n",
				y.frames - 1, t, fi.noise, fi.threshold, fi.gain,
				fi.offset, fi.area, fi.local_light,
				fi.light_change ? " LIGHT" : "", fi.motion ? " MOTION" : "");
	}
	md_flush(d);
	if (replay_stop) {
		/* what the signal broke off is no error */
		log_msg(LOG_NOTICE_P, "%s: stopped by a signal after %ld frame(s)", clip, y.frames);
	} else if (r < 0 && y.av) {
		log_msg(LOG_ERR_P, "%s", err);
		ret = 1;
	} else if (r < 0) {
		log_msg(LOG_ERR_P, "%s: %s", clip, err);
		ret = 1;
	} else if (y.frames == 0) {
		log_msg(LOG_ERR_P, "%s: no frames", clip);
		ret = 1;
	}
out:
	md_free(d);
	free(mask);
	if (rc.sink.json && rc.sink.json != stdout)
		fclose(rc.sink.json);
	else
		fflush(stdout);
	reader_close(&y);
	return ret;
}

