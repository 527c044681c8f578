// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: camera source thread. Opens the camera through libavformat,
 * decodes with libavcodec and publishes the newest good frame. Every
 * blocking FFmpeg call runs under an interrupt callback with a monotonic
 * deadline; a stall (no decoded video frame for stall_timeout) ends the
 * session; sessions are retried with capped exponential backoff. */
#define _GNU_SOURCE
#include "netcamd-source.h"
#include "netcamd-digest.h"
#include "netcamd-ffmpeg-log.h"
#include "netcamd-http-challenge.h"
#include "netcamd-jpeg.h"
#include "netcamd-retry.h"
#include "netcam-util.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/random_seed.h>

#define NS 1000000000ULL


/* FFmpeg 6.1 moved AVFrame.key_frame (deprecated, gone in 8) into
 * AVFrame.flags; Debian 12 has 5.1, Debian 13 7.1. */
static bool frame_is_key(const AVFrame *f)
{
#ifdef AV_FRAME_FLAG_KEY
	return f->flags & AV_FRAME_FLAG_KEY;
#else
	return f->key_frame;
#endif
}
static const char *const state_names[] = {
	[SOURCE_IDLE] = "idle", [SOURCE_CONNECTING] = "connecting",
	[SOURCE_STREAMING] = "streaming", [SOURCE_RETRYING] = "retrying",
};

const char *source_state_name(enum source_state st)
{
	return st <= SOURCE_RETRYING ? state_names[st] : "?";
}

static uint64_t secs_ns(double s)
{
	return (uint64_t)(s * 1e9);
}

static bool linger_over(struct source *s, uint64_t now)
{
	return !atomic_load(&s->wanted) &&
	       now >= atomic_load(&s->unwanted_since) + secs_ns(s->cfg->linger);
}

static bool should_end(struct source *s)
{
	return atomic_load(&s->stop) || linger_over(s, mono_ns());
}

static int interrupt_cb(void *opaque)
{
	struct source *s = opaque;
	uint64_t now = mono_ns();

	if (atomic_load(&s->stop))
		return 1;
	if (now >= atomic_load(&s->deadline)) {
		s->timed_out = 1;
		return 1;
	}
	if (!atomic_load(&s->closing) && linger_over(s, now))
		return 1;
	return 0;
}

static void set_deadline(struct source *s, double seconds)
{
	atomic_store(&s->deadline, mono_ns() + secs_ns(seconds));
	s->timed_out = 0;
}

static void notify(struct source *s)
{
	uint64_t one = 1;

	if (write(s->notify_fd, &one, sizeof(one)) < 0) {
		/* eventfd counter full: the reader is already woken */
	}
}

static void set_state(struct source *s, enum source_state st)
{
	pthread_mutex_lock(&s->lock);
	s->state = st;
	pthread_mutex_unlock(&s->lock);
	notify(s);
}

enum source_state source_get_state(struct source *s)
{
	enum source_state st;

	pthread_mutex_lock(&s->lock);
	st = s->state;
	pthread_mutex_unlock(&s->lock);
	return st;
}

/* Sleep until the monotonic time `until`, or until stop/unwanted. */
static void wait_until(struct source *s, uint64_t until)
{
	struct timespec ts = { .tv_sec = (time_t)(until / NS),
			       .tv_nsec = (long)(until % NS) };

	pthread_mutex_lock(&s->lock);
	while (!atomic_load(&s->stop) && !linger_over(s, mono_ns()) &&
	       mono_ns() < until)
		if (pthread_cond_timedwait(&s->cond, &s->lock, &ts) == ETIMEDOUT)
			break;
	pthread_mutex_unlock(&s->lock);
}

int source_init(struct source *s, const struct cam_config *cfg)
{
	pthread_condattr_t ca;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	if (config_effective_url(cfg, s->url, sizeof(s->url)) < 0)
		return -1;
	url_redact(s->url, s->url_log, sizeof(s->url_log));
	s->notify_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->notify_fd < 0)
		return -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->cond, &ca);
	pthread_condattr_destroy(&ca);
	s->frame = av_frame_alloc();
	if (!s->frame)
		return -1;
	atomic_store(&s->deadline, UINT64_MAX);
	atomic_store(&s->unwanted_since, mono_ns());
	return 0;
}

void source_destroy(struct source *s)
{
	source_stop(s);
	av_frame_free(&s->frame);
	free(s->jpeg);
	if (s->notify_fd >= 0)
		close(s->notify_fd);
	explicit_bzero(s->url, sizeof(s->url));
}

void source_set_wanted(struct source *s, bool wanted)
{
	pthread_mutex_lock(&s->lock);
	if (atomic_load(&s->wanted) != wanted) {
		if (!wanted)
			atomic_store(&s->unwanted_since, mono_ns());
		atomic_store(&s->wanted, wanted);
		pthread_cond_broadcast(&s->cond);
	}
	pthread_mutex_unlock(&s->lock);
}

int source_get_frame(struct source *s, uint64_t *seq, AVFrame *dst,
		     uint8_t **jpeg, size_t *jpeg_size, size_t *jpeg_cap)
{
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (s->frame_seq == *seq || !s->frame->data[0])
		goto out;
	av_frame_unref(dst);
	if (av_frame_ref(dst, s->frame) < 0) {
		rc = -1;
		goto out;
	}
	*jpeg_size = 0;
	if (s->jpeg_size) {
		if (*jpeg_cap < s->jpeg_size) {
			uint8_t *grown = realloc(*jpeg, s->jpeg_size);

			if (!grown) {
				rc = -1;
				goto out;
			}
			*jpeg = grown;
			*jpeg_cap = s->jpeg_size;
		}
		memcpy(*jpeg, s->jpeg, s->jpeg_size);
		*jpeg_size = s->jpeg_size;
	}
	*seq = s->frame_seq;
	rc = 1;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void sanitize_rate(const struct cam_config *cfg, AVRational r,
			  struct native_mode *nat)
{
	double fps = r.den ? av_q2d(r) : 0;

	if (cfg->fps > 0)
		fps = cfg->fps;
	else if (cfg->type == SRC_TYPE_SNAPSHOT)
		fps = 1.0 / cfg->snapshot_interval;
	if (!(fps >= 0.1 && fps <= 120)) {
		nat->fps_num = 25;
		nat->fps_den = 1;
		return;
	}
	if (r.den && r.num > 0 && cfg->fps <= 0 && cfg->type != SRC_TYPE_SNAPSHOT &&
	    r.num <= 120000 && r.den <= 1001) {
		nat->fps_num = r.num;
		nat->fps_den = r.den;
		return;
	}
	modes_rate_fraction(fps, &nat->fps_num, &nat->fps_den);
}

/* Publish a decoded frame (and its JPEG bytes). Takes fr's reference. */
static int publish(struct source *s, AVFrame *fr, const AVPacket *jpeg,
		   bool is_mjpeg)
{
	bool first;

	pthread_mutex_lock(&s->lock);
	av_frame_unref(s->frame);
	av_frame_move_ref(s->frame, fr);
	s->jpeg_size = 0;
	if (jpeg && jpeg->size > 0) {
		if (s->jpeg_cap < (size_t)jpeg->size) {
			uint8_t *grown = realloc(s->jpeg, (size_t)jpeg->size);

			if (!grown) {
				pthread_mutex_unlock(&s->lock);
				return -1;
			}
			s->jpeg = grown;
			s->jpeg_cap = (size_t)jpeg->size;
		}
		memcpy(s->jpeg, jpeg->data, (size_t)jpeg->size);
		s->jpeg_size = (size_t)jpeg->size;
	}
	s->frame_seq++;
	s->native.width = s->frame->width;
	s->native.height = s->frame->height;
	s->native.is_mjpeg = is_mjpeg;
	s->native_known = true;
	first = s->state != SOURCE_STREAMING;
	s->state = SOURCE_STREAMING;
	pthread_mutex_unlock(&s->lock);
	s->frames++;
	if (first && retry_video(&s->retry, mono_ns()))
		log_notice("video arrives: %dx%d%s", s->native.width,
			   s->native.height, is_mjpeg ? " MJPEG" : "");
	if (retry_frame(&s->retry, mono_ns()))
		log_notice("camera stable again: video for %llu s (%dx%d%s)",
			   (unsigned long long)(RETRY_HEALTHY_NS / 1000000000ULL),
			   s->native.width, s->native.height, is_mjpeg ? " MJPEG" : "");
	notify(s);
	return 0;
}

static void describe_error(struct source *s, int err, const char *what,
			   char *why, size_t why_size)
{
	char e[AV_ERROR_MAX_STRING_SIZE];
	const char *ff = log_last_ffmpeg_error();

	if (s->timed_out) {
		snprintf(why, why_size, "%s: timed out", what);
		return;
	}
	av_strerror(err, e, sizeof(e));
	if (err == AVERROR_HTTP_UNAUTHORIZED || strstr(ff, "401"))
		snprintf(why, why_size, "%s: authentication failed (401 Unauthorized): check username and password",
			 what);
	else if (err == AVERROR_HTTP_FORBIDDEN)
		snprintf(why, why_size, "%s: access denied (403 Forbidden)", what);
	else if (err == AVERROR_HTTP_NOT_FOUND || strstr(ff, "404"))
		snprintf(why, why_size, "%s: not found (404): check the URL path", what);
	else if (ff[0])
		snprintf(why, why_size, "%s: %s (%s)", what, e, ff);
	else
		snprintf(why, why_size, "%s: %s", what, e);
}

static AVFormatContext *open_input(struct source *s, const char *format,
				   int *err)
{
	const struct cam_config *c = s->cfg;
	const AVInputFormat *ifmt = NULL;
	AVFormatContext *fc = avformat_alloc_context();
	AVDictionary *opts = NULL;
	char us[32];

	if (!fc) {
		*err = AVERROR(ENOMEM);
		return NULL;
	}
	fc->interrupt_callback.callback = interrupt_cb;
	fc->interrupt_callback.opaque = s;
	snprintf(us, sizeof(us), "%lld", (long long)(c->read_timeout * 1e6));
	if (c->type != SRC_TYPE_FILE) {
		av_dict_set(&opts, "rw_timeout", us, 0);
		av_dict_set(&opts, "timeout", us, 0);
		av_dict_set(&opts, "user_agent", "netcamd", 0);
		av_dict_set(&opts, "fflags", "nobuffer", 0);
		av_dict_set(&opts, "analyzeduration", "2000000", 0);
		av_dict_set(&opts, "probesize", "2000000", 0);
	}
	if (c->type == SRC_TYPE_RTSP) {
		av_dict_set(&opts, "allowed_media_types", "video", 0);
		if (c->transport == TRANSPORT_TCP || s->tcp_fallback)
			av_dict_set(&opts, "rtsp_transport", "tcp", 0);
		else if (c->transport == TRANSPORT_UDP)
			av_dict_set(&opts, "rtsp_transport", "udp", 0);
		else
			av_dict_set(&opts, "rtsp_transport", "udp+tcp", 0);
	}
	if (c->type == SRC_TYPE_MJPEG || c->type == SRC_TYPE_SNAPSHOT)
		av_dict_set(&opts, "reconnect", "0", 0);
	if (s->digest_header[0])
		av_dict_set(&opts, "headers", s->digest_header, 0);
	if (format) {
		ifmt = av_find_input_format(format);
		if (!ifmt) {
			avformat_free_context(fc);
			av_dict_free(&opts);
			*err = AVERROR_DEMUXER_NOT_FOUND;
			return NULL;
		}
	}
	log_clear_ffmpeg_error();
	*err = avformat_open_input(&fc, s->url, ifmt, &opts);
	av_dict_free(&opts);
	if (*err < 0)
		return NULL;	/* fc was freed by avformat_open_input */
	return fc;
}

static void close_input(struct source *s, AVFormatContext **fc)
{
	if (!*fc)
		return;
	/* Give RTSP its TEARDOWN, bounded. */
	atomic_store(&s->closing, true);
	set_deadline(s, 2);
	avformat_close_input(fc);
	atomic_store(&s->closing, false);
}

static int open_decoder(const AVCodecParameters *par, AVCodecContext **out)
{
	const AVCodec *codec = avcodec_find_decoder(par->codec_id);
	AVCodecContext *dc;
	int err;

	if (!codec)
		return AVERROR_DECODER_NOT_FOUND;
	dc = avcodec_alloc_context3(codec);
	if (!dc)
		return AVERROR(ENOMEM);
	err = avcodec_parameters_to_context(dc, par);
	if (err >= 0) {
		dc->thread_count = 1;
		dc->thread_type = FF_THREAD_SLICE;
		dc->flags |= AV_CODEC_FLAG_LOW_DELAY;
		/* A JPEG stands alone: one with damaged picture data is
		 * an error to drop, not a picture to conceal (FFmpeg's
		 * default shows its bottom black or shifted). */
		if (par->codec_id == AV_CODEC_ID_MJPEG)
			dc->err_recognition |= AV_EF_EXPLODE;
		err = avcodec_open2(dc, codec, NULL);
	}
	if (err < 0) {
		avcodec_free_context(&dc);
		return err;
	}
	*out = dc;
	return 0;
}

/* The built-in test scene: a moving box over a moving gradient, in
 * YUV420P, paced at the configured rate. */
static void draw_test_scene(AVFrame *f, uint64_t n)
{
	int w = f->width, h = f->height;
	int bx = (int)((n * 4) % (uint64_t)(w > 64 ? w - 64 : 1));
	int by = h / 2 - 32;

	for (int y = 0; y < h; y++) {
		uint8_t *row = f->data[0] + (size_t)y * (size_t)f->linesize[0];

		for (int x = 0; x < w; x++)
			row[x] = (uint8_t)(32 + ((x + (int)n * 2) * 192 / (w ? w : 1)) % 192);
	}
	for (int y = by; y < by + 64 && y < h; y++)
		if (y >= 0)
			memset(f->data[0] + (size_t)y * (size_t)f->linesize[0] + bx, 235,
			       (size_t)(w > 64 ? 64 : w));
	for (int y = 0; y < h / 2; y++) {
		memset(f->data[1] + (size_t)y * (size_t)f->linesize[1],
		       (int)(96 + (n % 64)), (size_t)w / 2);
		memset(f->data[2] + (size_t)y * (size_t)f->linesize[2],
		       (int)(160 - (n % 64)), (size_t)w / 2);
	}
}

static int session_test(struct source *s, struct native_mode *probe,
			char *why, size_t why_size)
{
	const struct cam_config *c = s->cfg;
	double fps = c->fps > 0 ? c->fps : 30;
	uint64_t start = mono_ns(), interval = secs_ns(1.0 / fps), n = 0;

	if (probe) {
		probe->width = c->width;
		probe->height = c->height;
		probe->is_mjpeg = 0;
		modes_rate_fraction(fps, &probe->fps_num, &probe->fps_den);
		return 0;
	}
	while (!should_end(s)) {
		AVFrame *f = av_frame_alloc();

		if (!f) {
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		f->format = AV_PIX_FMT_YUV420P;
		f->width = c->width;
		f->height = c->height;
		if (av_frame_get_buffer(f, 0) < 0) {
			av_frame_free(&f);
			snprintf(why, why_size, "out of memory");
			return -1;
		}
		draw_test_scene(f, n);
		publish(s, f, NULL, false);
		av_frame_free(&f);
		n++;
		if (mono_ns() > start + n * interval + NS) {
			start = mono_ns();
			n = 0;
		}
		wait_until(s, start + n * interval);
	}
	return 0;
}

/*
 * The camera refused FFmpeg (401): is it a digest challenge FFmpeg does
 * not answer (algorithm=md5 in lower case, as libmicrohttpd writes it)?
 * Then ask for a fresh challenge and put the answer in s->digest_header
 * for the next request. True if there is an answer to try.
 */
static bool prepare_digest(struct source *s)
{
	const struct cam_config *c = s->cfg;
	char proto[16], auth[512], host[256], path[1536], value[1024], why[256];
	char cnonce[17];
	struct digest_challenge ch;
	int port, status;

	s->digest_header[0] = 0;
	if (!c->username[0])
		return false;
	av_url_split(proto, sizeof(proto), auth, sizeof(auth), host, sizeof(host), &port,
		     path, sizeof(path), s->url);
	if (strcmp(proto, "http"))
		return false;	/* https: FFmpeg's TLS only */
	if (port < 0)
		port = 80;
	if (!path[0])
		snprintf(path, sizeof(path), "/");
	status = http_get_challenge(host, port, path, c->connect_timeout, value, sizeof(value),
				    why, sizeof(why));
	if (status != 401 || !digest_parse(value, &ch) || !digest_ffmpeg_refuses(&ch))
		return false;
	snprintf(cnonce, sizeof(cnonce), "%08x%08x", av_get_random_seed(), av_get_random_seed());
	if (digest_authorization(&ch, c->username, c->password, "GET", path, cnonce, 1,
				 s->digest_header, sizeof(s->digest_header)) < 0) {
		s->digest_header[0] = 0;
		return false;
	}
	if (!s->digest_answered)
		log_notice("the camera asks for digest authentication with algorithm=%s, which FFmpeg does not answer: netcamd answers it",
			   ch.algorithm);
	s->digest_answered = true;
	return true;
}

/* One JPEG per request: close, wait for the next poll. False if the
 * session should end instead of asking again. */
static bool next_snapshot(struct source *s, AVFormatContext **fc, uint64_t *next_poll)
{
	close_input(s, fc);
	*next_poll += secs_ns(s->cfg->snapshot_interval);
	if (*next_poll < mono_ns())
		*next_poll = mono_ns();
	wait_until(s, *next_poll);
	return !should_end(s);
}

/* A damaged picture was dropped: count it, and say so at the first and
 * then once a minute. */
static void note_damage(struct source *s, struct damage_log *d, const char *why)
{
	unsigned long n = damage_note(d, mono_ns(), why);

	s->dropped_corrupt++;
	if (n == 1)
		log_notice("dropped a damaged picture (%s); apps keep the last clean one", why);
	else if (n)
		log_notice("dropped %lu damaged pictures in the last %llu s (newest: %s)", n,
			   (unsigned long long)(DAMAGE_LOG_NS / NS), why);
}

/* One connection: open, decode, publish until unwanted (return 0) or a
 * failure (-1, why filled in). With probe set, return after the first
 * decoded frame with the stream's parameters. */
static int session_stream(struct source *s, struct native_mode *probe,
			  char *why, size_t why_size)
{
	const struct cam_config *c = s->cfg;
	bool snapshot = c->type == SRC_TYPE_SNAPSHOT;
	bool paced = c->type == SRC_TYPE_FILE;
	const char *format = c->type == SRC_TYPE_MJPEG ? "mpjpeg" :
			     snapshot ? "jpeg_pipe" : NULL;
	AVFormatContext *fc = NULL;
	AVCodecContext *dc = NULL;
	AVPacket *pkt = av_packet_alloc();
	AVFrame *fr = av_frame_alloc();
	uint64_t last_frame, need_key_since, pace_start = 0, pace_n = 0;
	uint64_t pace_interval = 0, next_poll = mono_ns();
	bool need_key = true, is_mjpeg = false;
	int vidx = -1, err, rc = -1;
	struct damage_log damage = { 0 };
	char bad[DAMAGE_REASON_MAX];
	bool decode_failed;
	AVRational rate = { 0, 1 };

	if (!pkt || !fr) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
reopen:
	/* A camera whose digest challenge netcamd answers gets a fresh
	 * answer (a new nonce) for every request: an answer is used once. */
	if (s->digest_answered && !s->digest_header[0])
		prepare_digest(s);
	set_deadline(s, c->connect_timeout);
	fc = open_input(s, format, &err);
	s->digest_header[0] = 0;
	if (!fc) {
		if (should_end(s))
			goto ended;
		if (err == AVERROR_HTTP_UNAUTHORIZED && !s->digest_answered &&
		    prepare_digest(s))
			goto reopen;
		describe_error(s, err, "connect", why, why_size);
		goto out;
	}
	if (!snapshot || !dc) {
		/* RTSP (SDP) and MJPEG streams name their codec in the
		 * headers: skip the slow stream analysis except to probe. */
		bool known = fc->nb_streams > 0;

		for (unsigned int i = 0; i < fc->nb_streams; i++)
			if (fc->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO &&
			    fc->streams[i]->codecpar->codec_id == AV_CODEC_ID_NONE)
				known = false;
		err = known && !probe && c->type != SRC_TYPE_FILE ? 0 :
			avformat_find_stream_info(fc, NULL);
		if (err < 0) {
			if (should_end(s))
				goto ended;
			describe_error(s, err, "reading stream info", why, why_size);
			goto out;
		}
		vidx = av_find_best_stream(fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
		if (vidx < 0) {
			snprintf(why, why_size, "the stream has no video");
			goto out;
		}
		s->opened = true;
		if (!dc) {
			err = open_decoder(fc->streams[vidx]->codecpar, &dc);
			if (err < 0) {
				describe_error(s, err, "opening the decoder", why, why_size);
				goto out;
			}
			is_mjpeg = dc->codec_id == AV_CODEC_ID_MJPEG;
			rate = av_guess_frame_rate(fc, fc->streams[vidx], NULL);
			if (!probe)
				log_info("stream: %s%s%s",
					 avcodec_get_name(dc->codec_id),
					 c->type == SRC_TYPE_RTSP ? " over " : "",
					 c->type != SRC_TYPE_RTSP ? "" :
					 (c->transport == TRANSPORT_TCP || s->tcp_fallback) ? "TCP" :
					 c->transport == TRANSPORT_UDP ? "UDP" :
					 "UDP (TCP if the camera refuses UDP)");
			if (!is_mjpeg && dc->codec_id != AV_CODEC_ID_H264 &&
			    dc->codec_id != AV_CODEC_ID_HEVC)
				log_notice("codec %s is not one of H.264, H.265, MJPEG; trying anyway",
					   avcodec_get_name(dc->codec_id));
		}
	} else {
		vidx = 0;
	}
	if (paced) {
		double fps = rate.den && av_q2d(rate) > 0.1 ? av_q2d(rate) : 25;

		if (c->fps > 0)
			fps = c->fps;
		pace_interval = secs_ns(1.0 / fps);
		pace_start = mono_ns();
		pace_n = 0;
	}
	last_frame = mono_ns();
	need_key_since = last_frame;
	for (;;) {
		uint64_t now = mono_ns(), dl;
		int got_good = 0;

		if (should_end(s))
			goto ended;
		dl = now + secs_ns(c->read_timeout);
		if (!paced && !snapshot && last_frame + secs_ns(c->stall_timeout) < dl)
			dl = last_frame + secs_ns(c->stall_timeout);
		atomic_store(&s->deadline, dl);
		s->timed_out = 0;
		log_clear_ffmpeg_error();
		err = av_read_frame(fc, pkt);
		if (err >= 0 && s->timed_out) {
			/* The deadline cut the read short and the demuxer
			 * handed over what its parser still held: video from
			 * before the stall, not news that the camera is back
			 * (taking it restarted the stall clock: outages were
			 * seen after twice stall_timeout, with an old frame). */
			av_packet_unref(pkt);
			err = AVERROR(ETIMEDOUT);
		}
		if (err == AVERROR_EOF && paced) {
			/* Loop the file. */
			if (av_seek_frame(fc, -1, fc->start_time != AV_NOPTS_VALUE ?
					  fc->start_time : 0, AVSEEK_FLAG_BACKWARD) < 0) {
				snprintf(why, why_size, "end of file and cannot seek back");
				goto out;
			}
			avcodec_flush_buffers(dc);
			continue;
		}
		if (err < 0) {
			if (should_end(s))
				goto ended;
			bool stalled = s->timed_out &&
				       last_frame + secs_ns(c->stall_timeout) <= mono_ns();

			if (stalled && damage.since_clean)
				snprintf(why, why_size,
					 "no clean video frame for %g s (%lu damaged dropped, newest: %s)",
					 c->stall_timeout, damage.since_clean, damage.last);
			else if (stalled)
				snprintf(why, why_size, "no video frame for %g s (stalled)",
					 c->stall_timeout);
			else if (err == AVERROR_EOF)
				snprintf(why, why_size, "the camera closed the stream");
			else
				describe_error(s, err, "reading", why, why_size);
			goto out;
		}
		if (pkt->stream_index != vidx) {
			av_packet_unref(pkt);
			continue;
		}
		if (pkt->flags & AV_PKT_FLAG_CORRUPT)
			need_key = true;
		/* A JPEG cut short or with a hole is neither decoded nor
		 * passed through (the decoder would conceal the damage). */
		if (is_mjpeg && !jpeg_is_whole(pkt->data, (size_t)pkt->size, bad, sizeof(bad))) {
			note_damage(s, &damage, bad);
			av_packet_unref(pkt);
			if (!snapshot)
				continue;
			if (mono_ns() > last_frame + secs_ns(c->read_timeout)) {
				snprintf(why, why_size, "no whole JPEG for %g s (newest: %s)",
					 c->read_timeout, bad);
				goto out;
			}
			if (!next_snapshot(s, &fc, &next_poll))
				goto ended;
			goto reopen;
		}
		err = avcodec_send_packet(dc, pkt);
		decode_failed = err < 0 && err != AVERROR(EAGAIN);
		if (decode_failed) {
			/* A broken packet: skip, and wait for a clean keyframe. */
			if (!need_key)
				need_key_since = mono_ns();
			need_key = true;
		}
		while ((err = avcodec_receive_frame(dc, fr)) == 0) {
			bool corrupt = (fr->flags & AV_FRAME_FLAG_CORRUPT) ||
				       fr->decode_error_flags;
			bool key = frame_is_key(fr) || fr->pict_type == AV_PICTURE_TYPE_I ||
				   is_mjpeg;

			if (corrupt) {
				if (!need_key)
					need_key_since = mono_ns();
				need_key = true;
				s->dropped_corrupt++;
				av_frame_unref(fr);
				continue;
			}
			/* Streams with intra refresh have no keyframes: after
			 * 2 s accept clean frames anyway. */
			if (need_key && !key &&
			    mono_ns() < need_key_since + 2 * NS) {
				s->dropped_corrupt++;
				av_frame_unref(fr);
				continue;
			}
			need_key = false;
			if (probe) {
				probe->width = fr->width;
				probe->height = fr->height;
				probe->is_mjpeg = is_mjpeg;
				sanitize_rate(c, rate, probe);
				av_frame_unref(fr);
				av_packet_unref(pkt);
				rc = 0;
				goto out_close;
			}
			if (paced) {
				pace_n++;
				if (mono_ns() > pace_start + pace_n * pace_interval + NS) {
					pace_start = mono_ns();
					pace_n = 0;
				}
				wait_until(s, pace_start + pace_n * pace_interval);
			}
			if (publish(s, fr, is_mjpeg ? pkt : NULL, is_mjpeg) < 0) {
				snprintf(why, why_size, "out of memory");
				av_packet_unref(pkt);
				goto out;
			}
			got_good = 1;
			damage.since_clean = 0;
		}
		/* The MJPEG decoder reports damage from either call. */
		if (is_mjpeg && err != AVERROR(EAGAIN) && err != AVERROR_EOF)
			decode_failed = true;
		if (decode_failed && is_mjpeg)
			note_damage(s, &damage, "the decoder found damaged picture data");
		else if (decode_failed)
			s->dropped_corrupt++;
		av_packet_unref(pkt);
		if (got_good)
			last_frame = mono_ns();
		if (snapshot && got_good) {
			if (!next_snapshot(s, &fc, &next_poll))
				goto ended;
			goto reopen;
		}
		if (snapshot && mono_ns() > last_frame + secs_ns(c->read_timeout)) {
			snprintf(why, why_size, "no JPEG in the reply");
			goto out;
		}
	}
ended:
	rc = 0;
	if (probe) {
		rc = -1;
		snprintf(why, why_size, "interrupted");
	}
	goto out_close;
out:
	rc = -1;
out_close:
	close_input(s, &fc);
	avcodec_free_context(&dc);
	av_packet_free(&pkt);
	av_frame_free(&fr);
	return rc;
}

int source_probe(struct source *s, struct native_mode *out, char *why,
		 size_t why_size)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (s->cfg->type == SRC_TYPE_TEST)
		return session_test(s, out, why, why_size);
	atomic_store(&s->wanted, true);
	rc = session_stream(s, out, why, why_size);
	atomic_store(&s->wanted, false);
	if (rc == 0)
		log_info("probed %s: %dx%d at %d/%d fps%s", s->url_log,
			 out->width, out->height, out->fps_num, out->fps_den,
			 out->is_mjpeg ? ", MJPEG" : "");
	return rc;
}

static void *source_thread(void *arg)
{
	struct source *s = arg;
	const struct cam_config *c = s->cfg;
	char why[512];
	unsigned int seed = (unsigned int)(mono_ns() ^ (uint64_t)getpid());

	while (!atomic_load(&s->stop)) {
		uint64_t frames_before;
		enum source_state prev;
		int rc;

		pthread_mutex_lock(&s->lock);
		if (!atomic_load(&s->wanted) && !atomic_load(&s->stop)) {
			if (s->state != SOURCE_IDLE) {
				s->state = SOURCE_IDLE;
				log_info("nobody streams: disconnected from the camera");
				notify(s);
			}
			retry_reset(&s->retry);
			while (!atomic_load(&s->wanted) && !atomic_load(&s->stop))
				pthread_cond_wait(&s->cond, &s->lock);
		}
		prev = s->state;
		pthread_mutex_unlock(&s->lock);
		if (atomic_load(&s->stop))
			break;
		if (prev == SOURCE_IDLE) {
			log_info("connecting to %s (%s)", s->url_log,
				 config_type_name(c->type));
			set_state(s, SOURCE_CONNECTING);
		}
		frames_before = s->frames;
		s->opened = false;
		why[0] = 0;
		if (c->type == SRC_TYPE_TEST)
			rc = session_test(s, NULL, why, sizeof(why));
		else
			rc = session_stream(s, NULL, why, sizeof(why));
		if (atomic_load(&s->stop))
			break;
		if (rc == 0) {
			/* unwanted: back to idle at the top; a session that
			 * ends for that is no failure */
			s->retry.video_since = 0;
			continue;
		}
		/* Only a session that was set up and then brought no video
		 * says UDP is blocked; a camera that is down or refuses the
		 * password says nothing about UDP, and falling back then
		 * would lose a UDP-only camera for good. */
		if (c->type == SRC_TYPE_RTSP && c->transport == TRANSPORT_AUTO &&
		    !s->tcp_fallback && s->opened && s->frames == frames_before) {
			s->tcp_fallback = true;
			log_notice("no video over UDP: falling back to RTSP over TCP");
		}
		switch (retry_end(&s->retry, mono_ns(), why)) {
		case RETRY_LOST:
			log_warn("camera lost: %s; reconnecting (signal lost)", why);
			break;
		case RETRY_UNSTABLE:
			log_warn("camera lost again: %s; it keeps dropping soon after video arrives: backing off up to %g s, and quiet until it streams for %llu s",
				 why, c->backoff_max,
				 (unsigned long long)(RETRY_HEALTHY_NS / 1000000000ULL));
			break;
		case RETRY_FAILED:
			log_warn("cannot stream from %s: %s; retrying (backoff up to %g s)",
				 s->url_log, why, c->backoff_max);
			break;
		case RETRY_QUIET:
			break;
		}
		set_state(s, SOURCE_RETRYING);
		{
			double d = retry_delay(&s->retry, c->backoff_min, c->backoff_max,
					       (double)rand_r(&seed) / ((double)RAND_MAX + 1));

			log_debug("retry %u in %.1f s", s->retry.attempt, d);
			wait_until(s, mono_ns() + secs_ns(d));
		}
	}
	return NULL;
}

int source_start(struct source *s)
{
	if (pthread_create(&s->thread, NULL, source_thread, s) != 0)
		return -1;
	s->thread_started = true;
	return 0;
}

void source_stop(struct source *s)
{
	if (!s->thread_started)
		return;
	pthread_mutex_lock(&s->lock);
	atomic_store(&s->stop, true);
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->thread_started = false;
}
