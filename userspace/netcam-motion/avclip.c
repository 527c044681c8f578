// SPDX-License-Identifier: GPL-2.0
/*
 * --replay of recordings and streams through libavformat: see avclip.h.
 * Built as the module netcam-motion-av.so, loaded by replay.c.
 */
#include "avclip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

/* Network inputs: give up on a silent server after this long. */
#define AVCLIP_TIMEOUT_US "10000000"

struct avclip {
	AVFormatContext *fc;
	AVCodecContext *dc;
	AVPacket *pkt;
	AVFrame *frame;
	struct SwsContext *sws;
	uint8_t *grey;           /* a converted frame, w x h */
	char name[512];          /* the url for messages, credentials hidden */
	int vidx;
	int w, h;
	AVRational tb;           /* the stream's time base */
	double step;             /* seconds per frame, where a time is missing */
	int64_t first_ts;
	int have_t;
	double last_t;
	int pending;             /* the frame avclip_open() decoded, not given yet */
	int draining;            /* end of input: the decoder is being flushed */
	long corrupt;            /* packets the decoder refused */
	const volatile sig_atomic_t *stop;
};

/* libavformat asks this while it waits on the network. */
static int interrupted(void *opaque)
{
	const struct avclip *c = opaque;

	return c->stop && *c->stop;
}

static void set_err(char *err, size_t errlen, const struct avclip *c,
		    const char *what, int averr)
{
	char msg[AV_ERROR_MAX_STRING_SIZE];

	av_strerror(averr, msg, sizeof(msg));
	snprintf(err, errlen, "%s: %s: %s", c->name, what, msg);
}

/* The next decoded frame into c->frame: 1, 0 at the end, -1 on error. */
static int decode_next(struct avclip *c, char *err, size_t errlen)
{
	for (;;) {
		int r = avcodec_receive_frame(c->dc, c->frame);

		if (r == 0)
			return 1;
		if (r == AVERROR_EOF)
			return 0;
		if (r != AVERROR(EAGAIN)) {
			set_err(err, errlen, c, "decoding", r);
			return -1;
		}
		if (c->draining)
			return 0;
		r = av_read_frame(c->fc, c->pkt);
		if (r == AVERROR_EOF) {
			c->draining = 1;
			avcodec_send_packet(c->dc, NULL);
			continue;
		}
		if (r < 0) {
			set_err(err, errlen, c, "reading", r);
			return -1;
		}
		if (c->pkt->stream_index == c->vidx) {
			r = avcodec_send_packet(c->dc, c->pkt);
			/* a damaged packet of a camera's recording: the
			 * decoder resyncs at the next, as players do */
			if (r == AVERROR_INVALIDDATA)
				c->corrupt++;
			else if (r < 0 && r != AVERROR(EAGAIN)) {
				av_packet_unref(c->pkt);
				set_err(err, errlen, c, "decoding", r);
				return -1;
			}
		}
		av_packet_unref(c->pkt);
	}
}

/* Is the frame's luma an 8-bit plane of its own, one byte a pixel? */
static int luma_is_plane(const AVFrame *f)
{
	const AVPixFmtDescriptor *d = av_pix_fmt_desc_get(f->format);

	return d && !(d->flags & (AV_PIX_FMT_FLAG_RGB | AV_PIX_FMT_FLAG_PAL |
				  AV_PIX_FMT_FLAG_BITSTREAM | AV_PIX_FMT_FLAG_HWACCEL |
				  AV_PIX_FMT_FLAG_BE)) &&
	       d->comp[0].plane == 0 && d->comp[0].depth == 8 &&
	       d->comp[0].step == 1 && d->comp[0].offset == 0 &&
	       d->comp[0].shift == 0 && f->linesize[0] > 0;
}

/* c->frame's luma at the clip's size: in place, or converted. */
static int frame_luma(struct avclip *c, const uint8_t **luma, int *stride,
		      char *err, size_t errlen)
{
	AVFrame *f = c->frame;
	int gs = c->w;

	if (f->width == c->w && f->height == c->h && luma_is_plane(f)) {
		*luma = f->data[0];
		*stride = f->linesize[0];
		return 0;
	}
	c->sws = sws_getCachedContext(c->sws, f->width, f->height, f->format,
				      c->w, c->h, AV_PIX_FMT_GRAY8, SWS_AREA,
				      NULL, NULL, NULL);
	if (!c->sws) {
		snprintf(err, errlen, "%s: cannot convert %dx%d %s frames to grey",
			 c->name, f->width, f->height,
			 av_get_pix_fmt_name(f->format) ? av_get_pix_fmt_name(f->format) : "?");
		return -1;
	}
	sws_scale(c->sws, (const uint8_t *const *)f->data, f->linesize, 0,
		  f->height, &c->grey, &gs);
	*luma = c->grey;
	*stride = c->w;
	return 0;
}

/* The frame's time: its own timestamp from the first frame's, or one
 * frame on from the last where it has none or goes back. */
static double frame_time(struct avclip *c)
{
	int64_t ts = c->frame->best_effort_timestamp;
	double t;

	if (ts == AV_NOPTS_VALUE) {
		t = c->have_t ? c->last_t + c->step : 0;
	} else {
		if (!c->have_t)
			c->first_ts = ts;
		t = (double)(ts - c->first_ts) * av_q2d(c->tb);
		if (c->have_t && t <= c->last_t)
			t = c->last_t + c->step;
	}
	c->have_t = 1;
	c->last_t = t;
	return t;
}

static int open_decoder(struct avclip *c, char *err, size_t errlen)
{
	const AVCodecParameters *par = c->fc->streams[c->vidx]->codecpar;
	const AVCodec *codec = avcodec_find_decoder(par->codec_id);
	int r;

	if (!codec) {
		snprintf(err, errlen, "%s: no decoder for its video (%s)", c->name,
			 avcodec_get_name(par->codec_id));
		return -1;
	}
	c->dc = avcodec_alloc_context3(codec);
	if (!c->dc) {
		snprintf(err, errlen, "%s: out of memory", c->name);
		return -1;
	}
	r = avcodec_parameters_to_context(c->dc, par);
	if (r >= 0) {
		/* as fast as possible: the decoder's own threads */
		c->dc->thread_count = 0;
		r = avcodec_open2(c->dc, codec, NULL);
	}
	if (r < 0) {
		set_err(err, errlen, c, "opening the decoder", r);
		return -1;
	}
	return 0;
}

static void avclip_close(struct avclip *c);

static struct avclip *avclip_open(const char *url, const char *name, int verbose,
				  const volatile sig_atomic_t *stop, char *err,
				  size_t errlen)
{
	struct avclip *c = calloc(1, sizeof(*c));
	AVDictionary *opts = NULL;
	AVRational rate;
	int r;

	if (!c) {
		snprintf(err, errlen, "%s: out of memory", name);
		return NULL;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	/* FFmpeg's own messages only when asked: the reason of a failure is
	 * in ours, and theirs may show a URL's credentials */
	av_log_set_level(verbose ? AV_LOG_ERROR : AV_LOG_FATAL);
	avformat_network_init();
	if (strstr(url, "://") && strncmp(url, "file:", 5) != 0) {
		av_dict_set(&opts, "timeout", AVCLIP_TIMEOUT_US, 0);
		av_dict_set(&opts, "rw_timeout", AVCLIP_TIMEOUT_US, 0);
	}
	c->stop = stop;
	c->fc = avformat_alloc_context();
	if (!c->fc) {
		av_dict_free(&opts);
		snprintf(err, errlen, "%s: out of memory", c->name);
		goto fail;
	}
	c->fc->interrupt_callback.callback = interrupted;
	c->fc->interrupt_callback.opaque = c;
	/* on failure it frees the context and clears c->fc */
	r = avformat_open_input(&c->fc, url, NULL, &opts);
	av_dict_free(&opts);
	if (r < 0) {
		set_err(err, errlen, c, "cannot open", r);
		goto fail;
	}
	r = avformat_find_stream_info(c->fc, NULL);
	if (r < 0) {
		set_err(err, errlen, c, "reading its streams", r);
		goto fail;
	}
	r = av_find_best_stream(c->fc, AVMEDIA_TYPE_VIDEO, -1, -1, NULL, 0);
	if (r < 0) {
		snprintf(err, errlen, "%s: no video stream", c->name);
		goto fail;
	}
	c->vidx = r;
	c->tb = c->fc->streams[c->vidx]->time_base;
	rate = av_guess_frame_rate(c->fc, c->fc->streams[c->vidx], NULL);
	c->step = rate.num > 0 && rate.den > 0 ? av_q2d(av_inv_q(rate)) : 0.1;
	/* every other stream's packets are dropped unread */
	for (unsigned int i = 0; i < c->fc->nb_streams; i++)
		if ((int)i != c->vidx)
			c->fc->streams[i]->discard = AVDISCARD_ALL;
	if (open_decoder(c, err, errlen))
		goto fail;
	c->pkt = av_packet_alloc();
	c->frame = av_frame_alloc();
	if (!c->pkt || !c->frame) {
		snprintf(err, errlen, "%s: out of memory", c->name);
		goto fail;
	}
	r = decode_next(c, err, errlen);
	if (r == 0)
		snprintf(err, errlen, "%s: no frames", c->name);
	if (r <= 0)
		goto fail;
	c->w = c->frame->width;
	c->h = c->frame->height;
	c->grey = malloc((size_t)c->w * c->h);
	if (!c->grey) {
		snprintf(err, errlen, "%s: out of memory", c->name);
		goto fail;
	}
	c->pending = 1;
	return c;
fail:
	avclip_close(c);
	return NULL;
}

static void avclip_size(const struct avclip *c, int *w, int *h)
{
	*w = c->w;
	*h = c->h;
}

static int avclip_read(struct avclip *c, const uint8_t **luma, int *stride,
		       double *t, char *err, size_t errlen)
{
	int r;

	if (c->pending) {
		c->pending = 0;
	} else {
		av_frame_unref(c->frame);
		r = decode_next(c, err, errlen);
		if (r <= 0)
			return r;
	}
	if (frame_luma(c, luma, stride, err, errlen))
		return -1;
	*t = frame_time(c);
	return 1;
}

static long avclip_damaged(const struct avclip *c)
{
	return c->corrupt;
}

static void avclip_close(struct avclip *c)
{
	if (!c)
		return;
	sws_freeContext(c->sws);
	av_frame_free(&c->frame);
	av_packet_free(&c->pkt);
	avcodec_free_context(&c->dc);
	avformat_close_input(&c->fc);
	free(c->grey);
	free(c);
}

/* The module's one export (see avclip.h). */
__attribute__((visibility("default"))) const struct avclip_ops netcam_avclip_ops = {
	.open = avclip_open,
	.size = avclip_size,
	.read = avclip_read,
	.damaged = avclip_damaged,
	.close = avclip_close,
};
