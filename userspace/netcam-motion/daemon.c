// SPDX-License-Identifier: GPL-2.0
/*
 * The daemon loop: one thread, poll() over the cameras, a signalfd and a
 * udev monitor. A camera that cannot be opened or goes away is retried
 * (at once on a udev "add", else every few seconds); the daemon never
 * exits because of a camera.
 */
#define _GNU_SOURCE
#include "daemon.h"

#include <errno.h>
#include <libudev.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>
#else
static int sd_notify(int unset, const char *s) { (void)unset; (void)s; return 0; }
#endif

#include "actions.h"
#include "capture.h"
#include "detect.h"
#include "events.h"

#define RETRY_S 5.0        /* retry a missing camera this often */
#define RETRY_BAD_S 30.0   /* ... one that is there but unusable */
#define STALL_S 10.0       /* no frame for this long: reopen */
#define MAX_HOOKS 32

struct cam {
	struct camera_cfg *cfg;
	struct capture cap;
	int open;
	struct md_detector *det;
	struct ev_sink sink;
	uint8_t *peak;
	uint8_t *peak_cb, *peak_cr;     /* inside peak; NULL when grey */
	int have_peak;
	double next_try, last_frame, last_proc;
	char last_err[512];
	char snap[1100];
	int id_base, id_max;   /* event ids go on across re-opens */
};

static struct {
	struct config cfg;
	struct cam cams[CFG_MAX_CAMERAS];
	int n;
	FILE *json;
	pid_t hook_pid[MAX_HOOKS];
	double hook_start[MAX_HOOKS];   /* monotonic seconds */
	int hook_killed[MAX_HOOKS];
	char hook_what[MAX_HOOKS][800];
} D;

int daemon_once, daemon_debug;

static double mono_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double wall_minus_mono(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return (r.tv_sec - m.tv_sec) + (r.tv_nsec - m.tv_nsec) / 1e9;
}

int daemon_check(const struct config *c, char *err, size_t errlen)
{
	if (c->ncams == 0) {
		snprintf(err, errlen, "%s: no [camera NAME] section", c->path);
		return -1;
	}
	for (int i = 0; i < c->ncams; i++)
		if (!c->cams[i].device[0] && !c->cams[i].card[0]) {
			snprintf(err, errlen, "%s:%d: camera '%s': needs 'device' or 'card'",
				 c->path, c->cams[i].line, c->cams[i].name);
			return -1;
		}
	return 0;
}

static void reap_hooks(void)
{
	int st;
	pid_t pid;

	/* A hook killed for its timeout takes its whole group along, even a
	 * child it was forking while the kill was on its way: once more as
	 * it dies, while its zombie still holds the group's id (so the kill
	 * can reach nothing else). */
	for (int i = 0; i < MAX_HOOKS; i++) {
		siginfo_t si = { 0 };

		if (D.hook_pid[i] && D.hook_killed[i] &&
		    waitid(P_PID, (id_t)D.hook_pid[i], &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
		    si.si_pid == D.hook_pid[i])
			kill(-D.hook_pid[i], SIGKILL);
	}
	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		for (int i = 0; i < MAX_HOOKS; i++) {
			if (D.hook_pid[i] != pid)
				continue;
			D.hook_pid[i] = 0;
			if (D.hook_killed[i])
				continue;       /* said when it was killed */
			if (WIFEXITED(st) && WEXITSTATUS(st) != 0)
				log_msg(LOG_PRI_WARNING, "hook %s exited with status %d",
					D.hook_what[i], WEXITSTATUS(st));
			else if (WIFSIGNALED(st))
				log_msg(LOG_PRI_WARNING, "hook %s killed by signal %d",
					D.hook_what[i], WTERMSIG(st));
		}
	}
}

/* A hook that hangs (a dead NAS, a network call without a timeout) would
 * hold its slot forever and, 32 hangs later, stop every hook: kill it and
 * its process group once it is past hook_timeout. */
static void expire_hooks(double now)
{
	for (int i = 0; i < MAX_HOOKS; i++) {
		if (!D.hook_pid[i] || D.hook_killed[i] ||
		    now - D.hook_start[i] < D.cfg.hook_timeout)
			continue;
		kill(-D.hook_pid[i], SIGKILL);
		D.hook_killed[i] = 1;
		log_msg(LOG_PRI_WARNING, "hook %s still running after %d s: killed",
			D.hook_what[i], D.cfg.hook_timeout);
	}
}

static void run_hook(struct cam *c, const struct md_event *ev, const char *json)
{
	char e[12][1200], ids[16], *env[13], *argv[6];
	char ts[48], te[48];
	char err[600];
	int slot = -1, k = 0;
	pid_t pid;

	for (int i = 0; i < MAX_HOOKS; i++)
		if (!D.hook_pid[i]) {
			slot = i;
			break;
		}
	if (slot < 0) {
		log_msg(LOG_PRI_WARNING, "camera '%s': %d hooks still running, event %d not passed on",
			c->cfg->name, MAX_HOOKS, ev->id);
		return;
	}
	iso8601(ev->start_t + c->sink.wall_off, ts, sizeof(ts));
	iso8601(ev->end_t + c->sink.wall_off, te, sizeof(te));
	snprintf(ids, sizeof(ids), "%d", ev->id);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_EVENT=%s", ev->ended ? "end" : "start");
	snprintf(e[k++], sizeof(e[0]), "NETCAM_CAMERA=%s", c->cfg->name);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_ZONE=%s", ev->zone);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_EVENT_ID=%d", ev->id);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_START=%s", ts);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_DEVICE=%s", c->cap.path);
	if (ev->ended) {
		snprintf(e[k++], sizeof(e[0]), "NETCAM_END=%s", te);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_DURATION=%.3f", ev->end_t - ev->start_t);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_PEAK_AREA=%.2f", ev->peak_area);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_BBOX=%dx%d+%d+%d", ev->bbox.w, ev->bbox.h,
			 ev->bbox.x, ev->bbox.y);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_SNAPSHOT=%s", c->snap);
	}
	snprintf(e[k++], sizeof(e[0]), "NETCAM_JSON=%s", json);
	for (int i = 0; i < k; i++)
		env[i] = e[i];
	env[k] = NULL;
	argv[0] = D.cfg.hook;
	argv[1] = (char *)(ev->ended ? "end" : "start");
	argv[2] = c->cfg->name;
	argv[3] = (char *)ev->zone;
	argv[4] = ids;
	argv[5] = NULL;
	pid = hook_spawn(D.cfg.hook, argv, env, err, sizeof(err));
	if (pid < 0) {
		log_msg(LOG_PRI_WARNING, "hook %s", err);
		return;
	}
	D.hook_pid[slot] = pid;
	D.hook_start[slot] = mono_now();
	D.hook_killed[slot] = 0;
	snprintf(D.hook_what[slot], sizeof(D.hook_what[0]), "'%s' (camera '%s' event %d %s)",
		 D.cfg.hook, c->cfg->name, ev->id, ev->ended ? "end" : "start");
}

static void on_event(void *ctx, const struct md_event *ev0)
{
	struct cam *c = ctx;
	char json[1024], err[1200];
	struct md_event e = *ev0;
	const struct md_event *ev = &e;

	e.id += c->id_base;
	if (e.id > c->id_max)
		c->id_max = e.id;
	c->sink.wall_off = wall_minus_mono();
	ev_emit(&c->sink, ev);
	if (!ev->ended)
		c->have_peak = 0;
	c->snap[0] = 0;
	if (ev->ended && D.cfg.snapshot_dir[0] && c->have_peak) {
		char name[MD_NAME_MAX], ts[32];
		time_t now = time(NULL);
		struct tm tm;

		for (size_t i = 0; i < sizeof(name); i++) {
			char ch = c->cfg->name[i];

			name[i] = (ch == '/' || ch == ' ' || (ch > 0 && ch < 32)) ? '_' : ch;
			if (!ch)
				break;
		}
		localtime_r(&now, &tm);
		strftime(ts, sizeof(ts), "%Y%m%dT%H%M%S", &tm);
		snprintf(c->snap, sizeof(c->snap), "%s/%s-%s-%d.jpg", D.cfg.snapshot_dir, name, ts, ev->id);
		if (snapshot_write(c->snap, c->peak, c->peak_cb, c->peak_cr, c->cap.w, c->cap.h,
				   D.cfg.snapshot_quality,
				   err, sizeof(err))) {
			log_msg(LOG_PRI_WARNING, "camera '%s': snapshot: %s", c->cfg->name, err);
			c->snap[0] = 0;
		}
	}
	if (D.cfg.hook[0]) {
		ev_json(&c->sink, ev, json, sizeof(json));
		run_hook(c, ev, json);
	}
}

static void cam_close(struct cam *c, const char *why)
{
	if (c->det) {
		md_flush(c->det);
		md_free(c->det);
		c->det = NULL;
	}
	if (c->open) {
		log_msg(LOG_PRI_WARNING, "camera '%s': %s %s; waiting for it to come back",
			c->cfg->name, c->cap.path, why);
		capture_close(&c->cap);
	}
	c->open = 0;
	free(c->peak);
	c->peak = c->peak_cb = c->peak_cr = NULL;
	c->next_try = mono_now() + 1.0;
}

static void cam_fail(struct cam *c, const char *err, double retry)
{
	/* log each distinct failure once, not every retry */
	if (daemon_once)
		log_msg(LOG_PRI_ERR, "camera '%s': %s", c->cfg->name, err);
	else if (strcmp(err, c->last_err) != 0)
		log_msg(LOG_PRI_WARNING, "camera '%s': %s; retrying every %.0f s", c->cfg->name,
			err, retry);
	snprintf(c->last_err, sizeof(c->last_err), "%s", err);
	c->next_try = mono_now() + retry;
}

static int cam_open(struct cam *c)
{
	const struct camera_cfg *cf = c->cfg;
	char node[CFG_PATH_MAX], err[1200], fs[5];
	unsigned char *mask = NULL;
	int denied = 0;

	if (cf->device[0]) {
		snprintf(node, sizeof(node), "%s", cf->device);
	} else if (capture_find_card(cf->card, node, sizeof(node), &denied) < 0) {
		if (denied)
			snprintf(err, sizeof(err),
				 "no capture device with card name '%s' (%d video node(s) not accessible: is the user in group video?)",
				 cf->card, denied);
		else
			snprintf(err, sizeof(err), "no capture device with card name '%s'", cf->card);
		cam_fail(c, err, RETRY_S);
		return -1;
	}
	/* colour costs a chroma copy per frame: only for snapshots */
	if (capture_open(&c->cap, node, cf->width, cf->height, cf->fps,
			 D.cfg.snapshot_dir[0] != 0, err, sizeof(err))) {
		cam_fail(c, err, strstr(err, "not a ") ? RETRY_BAD_S : RETRY_S);
		return -1;
	}
	if (cf->mask[0]) {
		mask = config_load_mask(cf->mask, c->cap.w, c->cap.h, err, sizeof(err));
		if (!mask) {
			capture_close(&c->cap);
			cam_fail(c, err, RETRY_BAD_S);
			return -1;
		}
	}
	c->sink.camera = cf->name;
	c->sink.json = D.json;
	c->sink.fsync_end = D.json != stdout;
	c->sink.replay = 0;
	c->sink.mono_off = 0;
	c->det = md_new(&cf->p, c->cap.w, c->cap.h, mask, cf->zones, cf->nzones, on_event, c);
	free(mask);
	/* the peak frame: luma, then the chroma planes when there are any */
	c->peak = malloc((size_t)c->cap.w * c->cap.h + 2 * (size_t)c->cap.cw * c->cap.ch);
	c->peak_cb = c->peak && c->cap.cb ? c->peak + (size_t)c->cap.w * c->cap.h : NULL;
	c->peak_cr = c->peak_cb ? c->peak_cb + (size_t)c->cap.cw * c->cap.ch : NULL;
	if (!c->det || !c->peak) {
		capture_close(&c->cap);
		md_free(c->det);
		c->det = NULL;
		snprintf(err, sizeof(err), "%s: cannot set up the detector for %dx%d",
			 node, c->cap.w, c->cap.h);
		cam_fail(c, err, RETRY_BAD_S);
		return -1;
	}
	c->open = 1;
	c->id_base = c->id_max;
	c->have_peak = 0;
	c->last_err[0] = 0;
	c->last_frame = c->last_proc = mono_now();
	log_msg(LOG_PRI_NOTICE, "camera '%s': %s (%s) %dx%d %s, analysing %d fps", cf->name,
		node, c->cap.card, c->cap.w, c->cap.h, capture_fourcc_str(c->cap.fourcc, fs),
		cf->fps);
	return 0;
}

static void cam_frames(struct cam *c)
{
	char err[600];
	int r;

	/* one buffer per poll() wake-up: poll is level-triggered, and a
	 * DQBUF that would block makes libv4l2 complain on stderr */
	double t = mono_now();
	struct md_frame_info fi;

	r = capture_read(&c->cap, err, sizeof(err));
	if (r == 0)
		return;
	if (r < 0) {
		cam_close(c, errno == ENODEV ? "disappeared" : err);
		return;
	}
	c->last_frame = t;
	if (t - c->last_proc < 0.9 / c->cfg->fps)
		return;
	c->last_proc = t;
	md_frame(c->det, c->cap.luma, c->cap.w, t, &fi);
	if (daemon_debug)
		log_msg(LOG_PRI_DEBUG, "camera '%s' t=%.3f noise=%.2f thr=%.1f gain=%.3f off=%.1f area=%.2f%s%s",
			c->cfg->name, t, fi.noise, fi.threshold, fi.gain, fi.offset, fi.area,
			fi.light_change ? " LIGHT" : "", fi.motion ? " MOTION" : "");
	if (fi.peak) {
		memcpy(c->peak, c->cap.luma, (size_t)c->cap.w * c->cap.h);
		if (c->peak_cb) {
			memcpy(c->peak_cb, c->cap.cb, (size_t)c->cap.cw * c->cap.ch);
			memcpy(c->peak_cr, c->cap.cr, (size_t)c->cap.cw * c->cap.ch);
		}
		c->have_peak = 1;
	}
}

static int open_json(void)
{
	if (D.json && D.json != stdout)
		fclose(D.json);
	D.json = stdout;
	if (D.cfg.log_file[0]) {
		D.json = fopen(D.cfg.log_file, "a");
		if (!D.json) {
			log_msg(LOG_PRI_ERR, "log_file %s: %s", D.cfg.log_file, strerror(errno));
			D.json = stdout;
			return -1;
		}
	}
	return 0;
}

static void setup_cams(void)
{
	D.n = D.cfg.ncams;
	for (int i = 0; i < D.n; i++) {
		memset(&D.cams[i], 0, sizeof(D.cams[i]));
		D.cams[i].cfg = &D.cfg.cams[i];
		D.cams[i].cap.fd = -1;
		cam_open(&D.cams[i]);
	}
}

static void close_cams(void)
{
	for (int i = 0; i < D.n; i++) {
		struct cam *c = &D.cams[i];

		if (c->det) {
			md_flush(c->det);
			md_free(c->det);
			c->det = NULL;
		}
		if (c->open)
			capture_close(&c->cap);
		c->open = 0;
		free(c->peak);
		c->peak = c->peak_cb = c->peak_cr = NULL;
	}
	if (D.json && D.json != stdout)
		fsync(fileno(D.json));
}

static void reload(const char *cfgpath)
{
	static struct config nc;
	char err[1024];

	sd_notify(0, "RELOADING=1");
	config_init(&nc);
	if (config_load(&nc, cfgpath, err, sizeof(err)) || daemon_check(&nc, err, sizeof(err))) {
		log_msg(LOG_PRI_ERR, "reload failed, keeping the running configuration: %s", err);
		sd_notify(0, "READY=1");
		return;
	}
	/* event ids go on for cameras that keep their name */
	static char names[CFG_MAX_CAMERAS][MD_NAME_MAX];
	int ids[CFG_MAX_CAMERAS], n = D.n;

	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", D.cams[i].cfg->name);
		ids[i] = D.cams[i].id_max;
	}
	close_cams();
	D.cfg = nc;
	open_json();
	D.n = D.cfg.ncams;
	for (int i = 0; i < D.n; i++) {
		memset(&D.cams[i], 0, sizeof(D.cams[i]));
		D.cams[i].cfg = &D.cfg.cams[i];
		D.cams[i].cap.fd = -1;
		for (int j = 0; j < n; j++)
			if (!strcmp(names[j], D.cfg.cams[i].name))
				D.cams[i].id_max = ids[j];
		cam_open(&D.cams[i]);
	}
	log_msg(LOG_PRI_NOTICE, "configuration reloaded: %d camera(s)", D.n);
	sd_notify(0, "READY=1");
}

int daemon_run(struct config *cfg, const char *cfgpath)
{
	struct pollfd pfd[2 + CFG_MAX_CAMERAS];
	struct udev *udev = NULL;
	struct udev_monitor *mon = NULL;
	sigset_t mask;
	int sfd, running = 1;

	D.cfg = *cfg;
	if (daemon_once) {
		int bad = 0;

		D.json = stdout;
		for (int i = 0; i < D.cfg.ncams; i++) {
			struct cam *c = &D.cams[i];

			c->cfg = &D.cfg.cams[i];
			c->cap.fd = -1;
			if (cam_open(c) == 0) {
				md_free(c->det);
				c->det = NULL;
				capture_close(&c->cap);
				free(c->peak);
			} else {
				bad = 1;
			}
		}
		return bad;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		log_msg(LOG_PRI_ERR, "signalfd: %s", strerror(errno));
		return 1;
	}
	udev = udev_new();
	if (udev) {
		mon = udev_monitor_new_from_netlink(udev, "udev");
		if (mon && (udev_monitor_filter_add_match_subsystem_devtype(mon, "video4linux", NULL) < 0 ||
			    udev_monitor_enable_receiving(mon) < 0)) {
			udev_monitor_unref(mon);
			mon = NULL;
		}
	}
	if (!mon)
		log_msg(LOG_PRI_INFO, "no udev monitor; polling for cameras every %.0f s", RETRY_S);
	else
		log_msg(LOG_PRI_INFO, "following camera hotplug through udev");
	open_json();
	setup_cams();
	sd_notify(0, "READY=1");
	log_msg(LOG_PRI_INFO, "netcam-motion running, %d camera(s)", D.n);

	while (running) {
		int np = 0, cidx[CFG_MAX_CAMERAS], timeout = 1000;
		double now = mono_now();

		pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (mon)
			pfd[np++] = (struct pollfd){ .fd = udev_monitor_get_fd(mon), .events = POLLIN };
		for (int i = 0; i < D.n; i++) {
			cidx[i] = -1;
			if (D.cams[i].open) {
				cidx[i] = np;
				pfd[np++] = (struct pollfd){ .fd = D.cams[i].cap.fd, .events = POLLIN };
			}
		}
		if (poll(pfd, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			log_msg(LOG_PRI_ERR, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
					running = 0;
				else if (si.ssi_signo == SIGHUP)
					reload(cfgpath);
				else if (si.ssi_signo == SIGCHLD)
					reap_hooks();
			}
			if (!running)
				break;
			continue;   /* the camera set may have changed */
		}
		if (mon && (pfd[1].revents & POLLIN)) {
			struct udev_device *dev;

			while ((dev = udev_monitor_receive_device(mon))) {
				const char *act = udev_device_get_action(dev);
				const char *node = udev_device_get_devnode(dev);

				if (daemon_debug)
					log_msg(LOG_PRI_DEBUG, "udev: %s %s", act ? act : "?",
						node ? node : "?");

				for (int i = 0; act && node && i < D.n; i++) {
					struct cam *c = &D.cams[i];

					if (!strcmp(act, "add") && !c->open)
						c->next_try = 0;   /* try now */
					else if (!strcmp(act, "remove") && c->open &&
						 !strcmp(node, c->cap.path)) {
						cidx[i] = -1;
						cam_close(c, "was removed");
					}
				}
				udev_device_unref(dev);
			}
		}
		now = mono_now();
		expire_hooks(now);
		for (int i = 0; i < D.n; i++) {
			struct cam *c = &D.cams[i];

			if (c->open && cidx[i] >= 0) {
				short re = pfd[cidx[i]].revents;

				if (re & POLLIN)
					cam_frames(c);
				else if (re & (POLLERR | POLLHUP | POLLNVAL))
					cam_close(c, "stopped delivering frames (error)");
			}
			if (c->open && now - c->last_frame > STALL_S)
				cam_close(c, "delivered no frame for 10 s");
			if (!c->open && now >= c->next_try)
				cam_open(c);
		}
	}
	sd_notify(0, "STOPPING=1");
	log_msg(LOG_PRI_INFO, "stopping: ending open events");
	close_cams();
	if (D.json && D.json != stdout)
		fclose(D.json);
	if (mon)
		udev_monitor_unref(mon);
	if (udev)
		udev_unref(udev);
	close(sfd);
	reap_hooks();
	return 0;
}
