// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcamd: brings one network camera into netcam.ko.
 *
 *   netcamd [--config FILE] --camera NAME [--user USER] [--verbose]
 *   netcamd [--config FILE] --check [--camera NAME]
 *
 * Opens /dev/netcam as root, drops to an unprivileged user, creates (or
 * re-attaches to) the camera, then connects to the camera only while a
 * node streams (unless always_on), decodes once and converts per node
 * into exactly the format each node negotiated.
 *
 * Exit status: 0 stopped by a signal or the camera was removed;
 * 1 run-time error (no /dev/netcam, CREATE failed, ...); 2 usage or
 * configuration error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <linux/netcam.h>
#include <linux/videodev2.h>

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libswscale/swscale.h>

#include "netcam-client.h"
#include "netcam-config.h"
#include "netcam-util.h"
#include "netcamd-ffmpeg-log.h"
#include "netcamd-modes.h"
#include "netcamd-source.h"

#define DEFAULT_CONFIG NETCAM_CONFIG_PATH
#define EXIT_STOPPED NETCAM_EXIT_OK
#define EXIT_RUNTIME NETCAM_EXIT_RUNTIME
#define EXIT_CONFIG NETCAM_EXIT_CONFIG
/* Restart me to apply a changed configuration (RestartForceExitStatus=). */
#define EXIT_RESTART 3
#define NS 1000000000ULL

struct node_out {
	struct netcam_event st;	/* newest event: the node's state */
	bool known;
	struct SwsContext *sws;
	int sws_w, sws_h, sws_fmt, sws_full;	/* source side of sws */
	uint32_t sws_dst_fourcc, sws_dst_w, sws_dst_h;	/* node side */
	uint8_t *buf;
	size_t buf_size;
	uint64_t next_due;
	uint64_t fed, stale;
	bool warned;
};

static enum AVPixelFormat av_format_of(uint32_t fourcc)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:	return AV_PIX_FMT_YUYV422;
	case V4L2_PIX_FMT_NV12:	return AV_PIX_FMT_NV12;
	case V4L2_PIX_FMT_YUV420: return AV_PIX_FMT_YUV420P;
	case V4L2_PIX_FMT_GREY:	return AV_PIX_FMT_GRAY8;
	default: return AV_PIX_FMT_NONE;
	}
}

/* ---- privileges ---- */
static int drop_privileges(const char *user)
{
	struct passwd *pw;

	if (geteuid() != 0)
		return 0;	/* already unprivileged */
	if (!user[0])
		user = getpwnam("netcam") ? "netcam" : "nobody";
	if (!strcmp(user, "root")) {
		log_warn("running as root (user = root in the configuration)");
		return 0;
	}
	pw = getpwnam(user);
	if (!pw) {
		log_err("user '%s' does not exist (set user = in [global] or --user)", user);
		return -1;
	}
	if (setgroups(0, NULL) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0) {
		log_err("cannot switch to user '%s': %s", user, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		log_err("could regain root after switching to '%s'", user);
		return -1;
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	/* Keep /proc/PID/{environ,mem,...} and core dumps, which would show
	 * the credentials, away from other processes of this user. */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	log_info("running as user '%s' (uid %u)", user, (unsigned int)pw->pw_uid);
	return 0;
}

/* ---- /dev/netcam ---- */
static int create_camera(int ctl, const struct cam_config *cam,
			 const struct netcam_mode *modes, int num_modes,
			 int *reattached)
{
	struct netcam_create req;

	memset(&req, 0, sizeof(req));
	copy_fixed(req.name, sizeof(req.name), cam->name);
	copy_fixed(req.label, sizeof(req.label), cam->label);
	req.num_nodes = (uint32_t)cam->num_nodes;
	req.num_modes = (uint32_t)num_modes;
	req.modes_ptr = (uintptr_t)modes;
	for (int i = 0; i < cam->num_nodes; i++)
		copy_fixed(req.nodes[i].label, sizeof(req.nodes[i].label),
			   cam->node_labels[i]);
	if (netcam_create(ctl, &req) < 0)
		return -1;
	*reattached = !!(req.flags_out & NETCAM_CREATE_REATTACHED);
	return req.fd;
}

/* ---- reload ---- */

/* A camera without a label is shown by its name. */
static struct cam_config *default_label(struct cam_config *cam)
{
	if (!cam->label[0])
		snprintf(cam->label, sizeof(cam->label), "%s", cam->name);
	return cam;
}

/* The settings that make this camera's netcamd: a change in any of them is
 * applied by a restart; motion settings and others are not netcamd's. */
static bool same_source(const struct cam_config *a, const struct cam_config *b)
{
	/* A password file is read once, as root: netcamd (unprivileged by
	 * now) may not read it again, so its path is what is compared. */
	return !strcmp(a->label, b->label) && !strcmp(a->url, b->url) &&
		!strcmp(a->username, b->username) &&
		!strcmp(a->password_file, b->password_file) &&
		(a->password_file[0] || !strcmp(a->password, b->password)) &&
		a->type == b->type && a->transport == b->transport &&
		a->num_nodes == b->num_nodes &&
		!memcmp(a->node_labels, b->node_labels, sizeof(a->node_labels)) &&
		a->always_on == b->always_on && a->max_fps == b->max_fps &&
		a->width == b->width && a->height == b->height && a->fps == b->fps &&
		a->codec_mjpeg == b->codec_mjpeg &&
		a->connect_timeout == b->connect_timeout &&
		a->read_timeout == b->read_timeout &&
		a->stall_timeout == b->stall_timeout &&
		a->backoff_min == b->backoff_min && a->backoff_max == b->backoff_max &&
		a->linger == b->linger && a->snapshot_interval == b->snapshot_interval;
}

/* SIGHUP: read the whole configuration again.  A bad file changes nothing;
 * a change to this camera's settings is applied by exiting with
 * EXIT_RESTART, which netcamd@.service restarts 2 s later (the nodes stay,
 * apps see a short no-signal).  -1 to keep running, else the exit status.
 *
 * RELOADING=1 goes to systemd only once it is clear that netcamd stays: a
 * service that exits while systemd thinks it reloads may be left neither
 * restarted nor reloaded (systemd issue 19300), and exiting is what the
 * restart is for. */
static int reload(const char *path, const struct cam_config *cam)
{
	struct netcam_config cfg;
	struct cam_config *now;
	char err[1024];
	int rc = -1;

	if (config_load(path, &cfg, err, sizeof(err)) < 0) {
		log_err("reload: %s; keeping the running configuration", err);
		goto out;
	}
	now = config_find(&cfg, cam->name);
	if (!now || !config_is_netcam(now)) {
		log_notice("reload: camera '%s' is no longer in %s: stopping (its nodes stay until netcamctl remove %s)",
			   cam->name, path, cam->name);
		rc = EXIT_STOPPED;
	} else if (!same_source(cam, default_label(now))) {
		log_notice("reload: camera '%s' changed: restarting to apply it", cam->name);
		rc = EXIT_RESTART;
	} else {
		log_info("reload: no change for camera '%s'", cam->name);
	}
	if (rc < 0) {
		notify_systemd("RELOADING=1");
		log_max_level = cfg.log_level > log_max_level ? cfg.log_level : log_max_level;
	}
	config_free(&cfg);
out:
	if (rc < 0)
		notify_systemd("READY=1");
	return rc;
}

/* ---- per-node output ---- */
static int convert(struct node_out *n, const AVFrame *f)
{
	const struct netcam_event *st = &n->st;
	enum AVPixelFormat dst = av_format_of(st->pixelformat);
	enum AVPixelFormat src = f->format;
	uint8_t *dst_data[4];
	int dst_ls[4], full = f->color_range == AVCOL_RANGE_JPEG;
	int need = av_image_get_buffer_size(dst, (int)st->width, (int)st->height, 1);

	if (need < 0 || (uint32_t)need != st->sizeimage) {
		if (!n->warned)
			log_err("node %u: kernel sizeimage %u, expected %d", st->node,
				st->sizeimage, need);
		n->warned = true;
		return -1;
	}
	switch (src) {
	case AV_PIX_FMT_YUVJ420P: src = AV_PIX_FMT_YUV420P; full = 1; break;
	case AV_PIX_FMT_YUVJ422P: src = AV_PIX_FMT_YUV422P; full = 1; break;
	case AV_PIX_FMT_YUVJ444P: src = AV_PIX_FMT_YUV444P; full = 1; break;
	case AV_PIX_FMT_YUVJ440P: src = AV_PIX_FMT_YUV440P; full = 1; break;
	default: break;
	}
	if (n->buf_size < (size_t)need) {
		uint8_t *grown = realloc(n->buf, (size_t)need);

		if (!grown)
			return -1;
		n->buf = grown;
		n->buf_size = (size_t)need;
	}
	if (!n->sws || n->sws_w != f->width || n->sws_h != f->height ||
	    n->sws_fmt != (int)src || n->sws_full != full ||
	    n->sws_dst_fourcc != st->pixelformat || n->sws_dst_w != st->width ||
	    n->sws_dst_h != st->height) {
		n->sws = sws_getCachedContext(n->sws, f->width, f->height, src,
					      (int)st->width, (int)st->height,
					      dst, SWS_BILINEAR, NULL, NULL, NULL);
		if (!n->sws) {
			if (!n->warned)
				log_err("node %u: cannot convert %s %dx%d", st->node,
					av_get_pix_fmt_name(src), f->width, f->height);
			n->warned = true;
			return -1;
		}
		sws_setColorspaceDetails(n->sws, sws_getCoefficients(SWS_CS_DEFAULT),
					 full, sws_getCoefficients(SWS_CS_DEFAULT),
					 0, 0, 1 << 16, 1 << 16);
		n->sws_w = f->width;
		n->sws_h = f->height;
		n->sws_fmt = (int)src;
		n->sws_full = full;
		n->sws_dst_fourcc = st->pixelformat;
		n->sws_dst_w = st->width;
		n->sws_dst_h = st->height;
	}
	av_image_fill_arrays(dst_data, dst_ls, n->buf, dst, (int)st->width,
			     (int)st->height, 1);
	sws_scale(n->sws, (const uint8_t *const *)f->data, f->linesize, 0,
		  f->height, dst_data, dst_ls);
	return 0;
}

/* Feed one node. 0 (fed, dropped or skipped), -1 if the feed is gone. */
static int feed_node(int feed, struct node_out *n, const AVFrame *f,
		     const uint8_t *jpeg, size_t jpeg_size)
{
	const struct netcam_event *st = &n->st;
	struct netcam_frame fr;
	const uint8_t *data;
	size_t size;
	char fcc[5];

	if (st->pixelformat == V4L2_PIX_FMT_MJPEG) {
		if (!jpeg_size || f->width != (int)st->width ||
		    f->height != (int)st->height) {
			if (!n->warned)
				log_warn("node %u: MJPEG %ux%u needs an MJPEG camera of that size; not feeding",
					 st->node, st->width, st->height);
			n->warned = true;
			return 0;
		}
		if (jpeg_size > st->sizeimage) {
			if (!n->warned)
				log_warn("node %u: JPEG of %zu bytes exceeds sizeimage %u; dropped",
					 st->node, jpeg_size, st->sizeimage);
			n->warned = true;
			return 0;
		}
		data = jpeg;
		size = jpeg_size;
	} else {
		if (av_format_of(st->pixelformat) == AV_PIX_FMT_NONE) {
			fourcc_str(st->pixelformat, fcc);
			if (!n->warned)
				log_err("node %u: unknown format %s", st->node, fcc);
			n->warned = true;
			return 0;
		}
		if (convert(n, f) < 0)
			return 0;
		data = n->buf;
		size = st->sizeimage;
	}
	memset(&fr, 0, sizeof(fr));
	fr.node = st->node;
	fr.pixelformat = st->pixelformat;
	fr.width = st->width;
	fr.height = st->height;
	fr.bytesused = (uint32_t)size;
	fr.data_ptr = (uintptr_t)data;
	if (netcam_feed_frame(feed, &fr) == 0) {
		n->fed++;
		return 0;
	}
	if (errno == ESTALE || errno == EINTR) {
		n->stale++;
		return 0;
	}
	if (errno == ENODEV)
		return -1;
	fourcc_str(st->pixelformat, fcc);
	if (!n->warned)
		log_err("node %u: NETCAM_IOC_FEED_FRAME %s %ux%u (%zu bytes): %s",
			st->node, fcc, st->width, st->height, size, strerror(errno));
	n->warned = true;
	return 0;
}

static void apply_event(struct node_out *n, const struct netcam_event *ev)
{
	bool changed = !n->known || n->st.pixelformat != ev->pixelformat ||
		       n->st.width != ev->width || n->st.height != ev->height ||
		       n->st.interval_num != ev->interval_num ||
		       n->st.interval_den != ev->interval_den ||
		       n->st.streaming != ev->streaming;
	char fcc[5];

	fourcc_str(ev->pixelformat, fcc);
	if (changed && ev->streaming)
		log_info("node %u: streaming %s %ux%u at %.3g fps", ev->node, fcc,
			 ev->width, ev->height,
			 ev->interval_num ? (double)ev->interval_den / ev->interval_num : 0.0);
	else if (n->known && n->st.streaming && !ev->streaming)
		log_info("node %u: stopped streaming (fed %llu frames)", ev->node,
			 (unsigned long long)n->fed);
	if (changed) {
		n->warned = false;
		n->next_due = 0;
	}
	n->st = *ev;
	n->known = true;
}


static int run(int feed, struct source *src, const struct cam_config *cam,
	       const char *config_path)
{
	struct node_out nodes[NETCAM_MAX_NODES];
	AVFrame *frame = av_frame_alloc();
	uint8_t *jpeg = NULL;
	size_t jpeg_size = 0, jpeg_cap = 0;
	uint64_t seq = 0, wd = watchdog_interval_ns(), last_wd = 0;
	uint32_t signal_state = NETCAM_SIGNAL_PRESENT;
	enum source_state last_state = SOURCE_IDLE;
	sigset_t mask;
	int sfd, status = 0;

	memset(nodes, 0, sizeof(nodes));
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0 || !frame) {
		log_err("signalfd: %s", strerror(errno));
		return EXIT_RUNTIME;
	}
	source_set_wanted(src, cam->always_on);
	if (source_start(src) < 0) {
		log_err("cannot start the source thread");
		return EXIT_RUNTIME;
	}
	notify_systemd("READY=1\nSTATUS=idle");
	for (;;) {
		struct pollfd pfd[3] = {
			{ .fd = feed, .events = POLLIN },
			{ .fd = src->notify_fd, .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
		};
		enum source_state st;
		uint64_t now;
		uint32_t want_signal;
		int timeout = -1, r;

		/* Everything else wakes us through a descriptor: sleep
		 * without a timeout unless systemd's watchdog wants pings,
		 * so an unwatched camera costs no CPU at all. */
		if (wd) {
			now = mono_ns();
			timeout = now >= last_wd + wd ? 0 :
				(int)((last_wd + wd - now + 999999) / 1000000);
		}
		r = poll(pfd, 3, timeout);

		if (r < 0 && errno != EINTR) {
			log_err("poll: %s", strerror(errno));
			status = EXIT_RUNTIME;
			break;
		}
		now = mono_ns();
		if (wd && now - last_wd >= wd) {
			notify_systemd("WATCHDOG=1");
			last_wd = now;
		}
		if (pfd[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) != (ssize_t)sizeof(si)) {
				/* spurious wake-up */
			} else if (si.ssi_signo == SIGHUP) {
				status = reload(config_path, cam);
				if (status >= 0)
					break;
				status = 0;
			} else {
				log_info("signal %u: stopping (nodes stay; a restarted netcamd re-attaches)",
					 si.ssi_signo);
				break;
			}
		}
		if (pfd[0].revents & POLLIN) {
			struct netcam_event ev[64];
			ssize_t got = read(feed, ev, sizeof(ev));
			bool any = false;

			if (got == 0) {
				log_notice("camera removed: exiting");
				break;
			}
			if (got < 0 && errno != EAGAIN && errno != EINTR) {
				log_err("reading the feed channel: %s", strerror(errno));
				status = EXIT_RUNTIME;
				break;
			}
			for (ssize_t i = 0; got > 0 && i < got / (ssize_t)sizeof(ev[0]); i++)
				if (ev[i].node < NETCAM_MAX_NODES)
					apply_event(&nodes[ev[i].node], &ev[i]);
			for (int i = 0; i < NETCAM_MAX_NODES; i++)
				any |= nodes[i].known && nodes[i].st.streaming;
			source_set_wanted(src, any || cam->always_on);
		} else if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL)) {
			log_notice("camera removed: exiting");
			break;
		}
		if (pfd[1].revents & POLLIN) {
			uint64_t v;

			if (read(src->notify_fd, &v, sizeof(v)) < 0) {
				/* spurious wake-up */
			}
		}
		st = source_get_state(src);
		if (st != last_state) {
			char msg[64];

			snprintf(msg, sizeof(msg), "STATUS=%s", source_state_name(st));
			notify_systemd(msg);
			last_state = st;
		}
		want_signal = st == SOURCE_STREAMING || st == SOURCE_IDLE ?
			NETCAM_SIGNAL_PRESENT : NETCAM_SIGNAL_LOST;
		if (want_signal != signal_state) {
			if (netcam_set_signal(feed, want_signal == NETCAM_SIGNAL_PRESENT) < 0) {
				if (errno == ENODEV) {
					log_notice("camera removed: exiting");
					break;
				}
				log_err("NETCAM_IOC_SET_SIGNAL: %s", strerror(errno));
			} else {
				log_info("signal %s", want_signal ? "present" : "lost");
			}
			signal_state = want_signal;
		}
		if (st != SOURCE_STREAMING)
			continue;
		r = source_get_frame(src, &seq, frame, &jpeg, &jpeg_size, &jpeg_cap);
		if (r <= 0)
			continue;
		now = mono_ns();
		for (int i = 0; i < NETCAM_MAX_NODES; i++) {
			struct node_out *n = &nodes[i];
			uint64_t interval;

			if (!n->known || !n->st.streaming || !n->st.interval_den)
				continue;
			interval = (uint64_t)n->st.interval_num * NS / n->st.interval_den;
			if (n->next_due && now + interval / 4 < n->next_due)
				continue;	/* rate decimation */
			if (!n->next_due || now > n->next_due + interval)
				n->next_due = now;
			n->next_due += interval;
			if (feed_node(feed, n, frame, jpeg, jpeg_size) < 0) {
				log_notice("camera removed: exiting");
				goto out;
			}
		}
	}
out:
	notify_systemd("STOPPING=1");
	source_stop(src);
	for (int i = 0; i < NETCAM_MAX_NODES; i++) {
		sws_freeContext(nodes[i].sws);
		free(nodes[i].buf);
	}
	av_frame_free(&frame);
	free(jpeg);
	close(sfd);
	return status;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: netcamd [--config FILE] --camera NAME [--user USER] [--verbose]\n"
		"       netcamd [--config FILE] --check [--camera NAME]\n"
		"  -c, --config FILE  configuration (default " DEFAULT_CONFIG ")\n"
		"  -n, --camera NAME  the [NAME] section to run\n"
		"  -u, --user USER    account to switch to after opening /dev/netcam\n"
		"                     (default: [global] user, else netcam, else nobody)\n"
		"  -v, --verbose      debug logging (also FFmpeg's messages)\n"
		"      --check        validate the configuration and exit\n"
		"exit status: 0 stopped or camera removed, 1 run-time error, 2 usage or configuration error,\n"
		"             3 configuration changed (SIGHUP): restart to apply it\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "camera", required_argument, NULL, 'n' },
		{ "user", required_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *config_path = DEFAULT_CONFIG, *name = NULL, *user = NULL;
	struct netcam_config cfg;
	struct netcam_mode modes[NETCAM_MAX_MODES];
	struct netcam_camera_info info;
	struct netcam_version ver;
	struct cam_config *cam;
	struct source src;
	char err[1024], prefix[64];
	int verbose = 0, check = 0, opt, ctl, feed, reattached = 0, num_modes;
	sigset_t mask;

	while ((opt = getopt_long(argc, argv, "c:n:u:vh", opts, NULL)) != -1) {
		switch (opt) {
		case 'c': config_path = optarg; break;
		case 'n': name = optarg; break;
		case 'u': user = optarg; break;
		case 'v': verbose = 1; break;
		case 'C': check = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_CONFIG;
		}
	}
	if (optind < argc || (!name && !check)) {
		fprintf(stderr, "netcamd: %s\n", optind < argc ?
			"unexpected argument (credentials never go on the command line)" :
			"--camera NAME is required");
		usage(stderr);
		return EXIT_CONFIG;
	}
	if (config_load(config_path, &cfg, err, sizeof(err)) < 0) {
		fprintf(stderr, "<3>netcamd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (check && !name) {
		int netcams = 0;

		for (int i = 0; i < cfg.num_cameras; i++) {
			if (!config_is_netcam(&cfg.cameras[i]))
				continue;
			netcams++;
			if (config_read_password_file(&cfg.cameras[i], err, sizeof(err)) < 0) {
				fprintf(stderr, "<3>netcamd: %s\n", err);
				return EXIT_CONFIG;
			}
		}
		printf("%s: %d camera(s), configuration OK\n", config_path, netcams);
		return 0;
	}
	cam = config_find(&cfg, name);
	if (!cam) {
		fprintf(stderr, "<3>netcamd: %s: no camera '%s' (no [%s] section)\n",
			config_path, name, name);
		return EXIT_CONFIG;
	}
	if (!config_is_netcam(cam)) {
		fprintf(stderr, "<3>netcamd: %s:%d: camera '%s': no url (a section for netcam-motion only)\n",
			cam->file, cam->line, name);
		return EXIT_CONFIG;
	}
	if (config_read_password_file(cam, err, sizeof(err)) < 0) {
		fprintf(stderr, "<3>netcamd: %s\n", err);
		return EXIT_CONFIG;
	}
	if (check) {
		printf("%s: camera '%s': configuration OK\n", config_path, name);
		return 0;
	}
	default_label(cam);
	snprintf(prefix, sizeof(prefix), "netcamd[%s]", cam->name);
	log_set_prefix(prefix);
	log_set_camera(cam->name);
	log_max_level = verbose ? LOG_DEBUG_P : cfg.log_level;
	log_add_secret(cam->password);
	log_hook_ffmpeg();
	avformat_network_init();

	/* Signals are read through a signalfd; block them in every thread. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);

	ctl = netcam_open_control();
	if (ctl < 0) {
		log_err("cannot open /dev/netcam: %s (is netcam.ko loaded? root or the netcam group?)",
			strerror(errno));
		return EXIT_RUNTIME;
	}
	if (netcam_check_version(ctl, 0, &ver) < 0) {
		log_err("/dev/netcam speaks version %u.%u; netcamd needs %d.x",
			ver.major, ver.minor, NETCAM_VERSION_MAJOR);
		return EXIT_RUNTIME;
	}
	if (drop_privileges(user ? user : cfg.user) < 0)
		return EXIT_RUNTIME;
	if (source_init(&src, cam) < 0) {
		log_err("URL with credentials is too long, or out of memory");
		return EXIT_CONFIG;
	}

	memset(&info, 0, sizeof(info));
	if (netcam_find(ctl, cam->name, &info) > 0) {
		if (info.flags & NETCAM_CAMERA_FEED_ATTACHED) {
			log_err("camera '%s' is already fed by another helper", cam->name);
			return EXIT_RUNTIME;
		}
		/* Re-attach: the kernel keeps the camera's modes; the request
		 * only has to be valid, so the camera need not be contacted. */
		memset(modes, 0, sizeof(modes[0]));
		modes[0].pixelformat = V4L2_PIX_FMT_YUYV;
		modes[0].width = 640;
		modes[0].height = 480;
		modes[0].interval_num = 1;
		modes[0].interval_den = 30;
		num_modes = 1;
	} else {
		struct native_mode nat = { 0 };

		if (cam->width && (cam->fps > 0 || cam->type == SRC_TYPE_TEST ||
				   cam->type == SRC_TYPE_SNAPSHOT) &&
		    (cam->codec_mjpeg >= 0 || cam->type == SRC_TYPE_TEST)) {
			double fps = cam->fps > 0 ? cam->fps :
				cam->type == SRC_TYPE_SNAPSHOT ? 1.0 / cam->snapshot_interval : 30;

			nat.width = cam->width;
			nat.height = cam->height;
			nat.is_mjpeg = cam->codec_mjpeg == 1;
			modes_rate_fraction(fps, &nat.fps_num, &nat.fps_den);
		} else {
			/* Learn size, rate and codec once; retry until the
			 * camera answers (no node exists yet to break). */
			unsigned int attempt = 0;
			sigset_t pending;
			char last[512] = "", why[512];

			log_info("probing %s for its size, rate and codec (set size, fps and codec to skip)",
				 src.url_log);
			while (source_probe(&src, &nat, why, sizeof(why)) < 0) {
				if (retry_reason_changed(last, sizeof(last), why))
					log_err("probing %s: %s; retrying (the nodes appear after the first successful probe)",
						src.url_log, why);
				double d = source_backoff(cam->backoff_min, cam->backoff_max,
							  attempt++, 0.5);
				uint64_t until = mono_ns() + (uint64_t)(d * 1e9);

				while (mono_ns() < until) {
					sigpending(&pending);
					if (sigismember(&pending, SIGTERM) ||
					    sigismember(&pending, SIGINT))
						return 0;
					usleep(100000);
				}
			}
		}
		num_modes = modes_build(&nat, cam->max_fps, modes, NETCAM_MAX_MODES);
		if (num_modes < 1) {
			log_err("camera size %dx%d or rate %d/%d is unusable", nat.width,
				nat.height, nat.fps_num, nat.fps_den);
			return EXIT_RUNTIME;
		}
	}
	feed = create_camera(ctl, cam, modes, num_modes, &reattached);
	if (feed < 0) {
		log_err("NETCAM_IOC_CREATE '%s': %s", cam->name, strerror(errno));
		return EXIT_RUNTIME;
	}
	memset(&info, 0, sizeof(info));
	netcam_find(ctl, cam->name, &info);
	close(ctl);
	if (reattached) {
		log_notice("camera '%s' re-attached: %u node(s), kept as created",
			   cam->name, info.num_nodes);
		/* The driver keeps a camera's nodes and labels for the apps
		 * that hold them; a configuration that asks for others is
		 * applied only to a camera created afresh. */
		if (info.num_nodes != (uint32_t)cam->num_nodes ||
		    strncmp(info.label, cam->label, sizeof(info.label)))
			log_warn("camera '%s': the configuration asks for %d node(s) labelled \"%s\", the camera keeps %u labelled \"%.*s\" until it is created afresh: netcamctl remove %s, then restart netcamd@%s (apps using it lose its nodes)",
				    cam->name, cam->num_nodes, cam->label,
				    info.num_nodes, (int)sizeof(info.label),
				    info.label, cam->name, cam->name);
	} else {
		log_notice("camera '%s' \"%s\" created: %u node(s), %d mode(s)",
			   cam->name, cam->label, info.num_nodes, num_modes);
	}
	for (uint32_t i = 0; i < info.num_nodes && i < NETCAM_MAX_NODES; i++)
		log_notice("node %u: /dev/video%d", i, info.video_nr[i]);
	{
		int status = run(feed, &src, cam, config_path);

		close(feed);
		source_destroy(&src);
		config_free(&cfg);
		return status;
	}
}
