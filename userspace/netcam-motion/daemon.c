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
#include "actions.h"
#include "capture.h"
#include "detect.h"
#include "events.h"
#include "outage.h"
#include "writer.h"
#include "netcam-util.h"

#define RETRY_S 5.0        /* retry a missing camera this often */
#define RETRY_BAD_S 30.0   /* ... one that is there but unusable */
#define STALL_S 10.0       /* no frame for this long: reopen */
#define MAX_HOOKS 32
#define MAX_WATCHED 64   /* cameras analysed at once */

struct cam {
	const struct cam_config *cfg;
	struct capture cap;
	int open;
	struct md_detector *det;
	struct outage outage;
	struct ev_sink sink;
	uint8_t *peak;
	uint8_t *peak_cb, *peak_cr;     /* inside peak; NULL when grey */
	int have_peak;
	double next_try, last_frame, last_proc;
	char last_err[512];
	int id_base, id_max;   /* event ids go on across re-opens */
};

static struct {
	struct netcam_config cfg;
	struct cam cams[MAX_WATCHED];
	int n;
	FILE *json;
	pid_t hook_pid[MAX_HOOKS];
	double hook_start[MAX_HOOKS];   /* monotonic seconds */
	int hook_killed[MAX_HOOKS];
	char hook_what[MAX_HOOKS][800];
} D;

int daemon_once, daemon_debug;
const char *daemon_event_log;

/* The cameras netcam-motion watches: those with motion on. */
static int watched(const struct netcam_config *c, const struct cam_config **out)
{
	int n = 0;

	for (int i = 0; i < c->num_cameras; i++)
		if (c->cameras[i].motion.enabled && n < MAX_WATCHED)
			out[n++] = &c->cameras[i];
	return n;
}

int daemon_check(const struct netcam_config *c, char *err, size_t errlen)
{
	int n = 0;

	for (int i = 0; i < c->num_cameras; i++)
		n += c->cameras[i].motion.enabled;
	if (n > MAX_WATCHED) {
		snprintf(err, errlen, "%s: %d cameras with motion on; netcam-motion watches up to %d",
			 c->files[0], n, MAX_WATCHED);
		return -1;
	}
	return 0;
}

/* A camera's own hook and snapshot directory, else [global]'s. */
static const char *cam_hook(const struct cam *c)
{
	return c->cfg->motion.hook[0] ? c->cfg->motion.hook : D.cfg.hook;
}

static const char *cam_snapshot_dir(const struct cam *c)
{
	return c->cfg->motion.snapshot_dir[0] ? c->cfg->motion.snapshot_dir :
		D.cfg.snapshot_dir;
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
				log_msg(LOG_WARN_P, "hook %s exited with status %d",
					D.hook_what[i], WEXITSTATUS(st));
			else if (WIFSIGNALED(st))
				log_msg(LOG_WARN_P, "hook %s killed by signal %d",
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
		log_msg(LOG_WARN_P, "hook %s still running after %d s: killed",
			D.hook_what[i], D.cfg.hook_timeout);
	}
}

/*
 * What a hook is started with, copied out of the camera when its event is
 * emitted: an end event's hook waits for the event's snapshot (see
 * writer.h), and a reload may have replaced the camera by then.
 */
struct hook_call {
	char hook[CFG_PATH_LEN];        /* "" = no hook: only the snapshot's log */
	char camera[CFG_NAME_LEN];
	char device[sizeof(((struct capture *)0)->path)];
	char zone[MD_NAME_MAX];
	struct md_event ev;             /* ev.zone points at zone */
	double wall_off;
	char json[1024];
};

static struct hook_call *hook_call_new(const struct cam *c, const struct md_event *ev)
{
	struct hook_call *h = calloc(1, sizeof(*h));

	if (!h) {
		log_msg(LOG_WARN_P, "camera '%s': out of memory: event %d not passed on",
			c->cfg->name, ev->id);
		return NULL;
	}
	str_copy(h->hook, sizeof(h->hook), cam_hook(c));
	str_copy(h->camera, sizeof(h->camera), c->cfg->name);
	str_copy(h->device, sizeof(h->device), c->cap.path);
	str_copy(h->zone, sizeof(h->zone), ev->zone);
	h->ev = *ev;
	h->ev.zone = h->zone;
	h->wall_off = c->sink.wall_off;
	ev_json(&c->sink, ev, h->json, sizeof(h->json));
	return h;
}

static void run_hook(const struct hook_call *h, const char *snapshot)
{
	const struct md_event *ev = &h->ev;
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
		log_msg(LOG_WARN_P, "camera '%s': %d hooks still running, event %d not passed on",
			h->camera, MAX_HOOKS, ev->id);
		return;
	}
	iso8601(ev->start_t + h->wall_off, ts, sizeof(ts));
	iso8601(ev->end_t + h->wall_off, te, sizeof(te));
	snprintf(ids, sizeof(ids), "%d", ev->id);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_EVENT=%s", ev->ended ? "end" : "start");
	snprintf(e[k++], sizeof(e[0]), "NETCAM_CAMERA=%s", h->camera);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_ZONE=%s", ev->zone);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_EVENT_ID=%d", ev->id);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_START=%s", ts);
	snprintf(e[k++], sizeof(e[0]), "NETCAM_DEVICE=%s", h->device);
	if (ev->ended) {
		snprintf(e[k++], sizeof(e[0]), "NETCAM_END=%s", te);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_DURATION=%.3f", ev->end_t - ev->start_t);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_PEAK_AREA=%.2f", ev->peak_area);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_BBOX=%dx%d+%d+%d", ev->bbox.w, ev->bbox.h,
			 ev->bbox.x, ev->bbox.y);
		snprintf(e[k++], sizeof(e[0]), "NETCAM_SNAPSHOT=%s", snapshot);
	}
	snprintf(e[k++], sizeof(e[0]), "NETCAM_JSON=%s", h->json);
	for (int i = 0; i < k; i++)
		env[i] = e[i];
	env[k] = NULL;
	argv[0] = (char *)h->hook;
	argv[1] = (char *)(ev->ended ? "end" : "start");
	argv[2] = (char *)h->camera;
	argv[3] = (char *)ev->zone;
	argv[4] = ids;
	argv[5] = NULL;
	pid = hook_spawn(h->hook, argv, env, err, sizeof(err));
	if (pid < 0) {
		log_msg(LOG_WARN_P, "hook %s", err);
		return;
	}
	D.hook_pid[slot] = pid;
	D.hook_start[slot] = mono_s();
	D.hook_killed[slot] = 0;
	snprintf(D.hook_what[slot], sizeof(D.hook_what[0]), "'%s' (camera '%s' event %d %s)",
		 h->hook, h->camera, ev->id, ev->ended ? "end" : "start");
}

/* The writer is done with a job of ours: a snapshot (or its failure),
 * then the hook that waited for it. */
static void on_written(void *done, const char *path, const char *err)
{
	struct hook_call *h = done;

	if (err)
		log_msg(LOG_WARN_P, "camera '%s': snapshot not saved: %s", h->camera, err);
	if (h->hook[0])
		run_hook(h, path ? path : "");
	free(h);
}

/* The snapshot file for an event that ended now. */
static void snapshot_path(const struct cam *c, int id, char *out, size_t cap)
{
	char name[CFG_NAME_LEN], ts[32];
	time_t now = time(NULL);
	struct tm tm;

	for (size_t i = 0; i < sizeof(name); i++) {
		char ch = c->cfg->name[i];

		name[i] = (ch == '/' || ch == ' ' || (ch > 0 && ch < 32)) ? '_' : ch;
		if (!ch)
			break;
	}
	name[sizeof(name) - 1] = 0;
	localtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y%m%dT%H%M%S", &tm);
	snprintf(out, cap, "%s/%s-%s-%d.jpg", cam_snapshot_dir(c), name, ts, id);
}

static void on_event(void *ctx, const struct md_event *ev0)
{
	struct cam *c = ctx;
	struct md_event e = *ev0;
	const struct md_event *ev = &e;
	struct hook_call *h = NULL;
	int snap = 0;
	char path[1100];

	e.id += c->id_base;
	if (e.id > c->id_max)
		c->id_max = e.id;
	c->sink.wall_off = wall_minus_mono_s();
	ev_emit(&c->sink, ev);
	/* the end line is made durable before its hook hears of it */
	if (ev->ended && D.json && D.json != stdout)
		writer_fsync(fileno(D.json));
	if (!ev->ended)
		c->have_peak = 0;
	snap = ev->ended && cam_snapshot_dir(c)[0] && c->have_peak;
	if (!snap && !cam_hook(c)[0])
		return;
	h = hook_call_new(c, ev);
	if (!h)
		return;
	if (snap) {
		snapshot_path(c, ev->id, path, sizeof(path));
		if (writer_snapshot(path, c->peak, c->peak_cb, c->peak_cr, c->cap.w, c->cap.h,
				    D.cfg.snapshot_quality, h) == 0)
			return;
		log_msg(LOG_WARN_P, "camera '%s': snapshot of event %d skipped: %d snapshots are still being written to %s",
			c->cfg->name, ev->id, WRITER_MAX_SNAPSHOTS, cam_snapshot_dir(c));
	}
	/* An end hook waits for the fsync just asked for; any hook waits
	 * behind the snapshots being written, so that hooks keep their order. */
	if (h->hook[0] && ((ev->ended && D.json && D.json != stdout) || writer_pending() > 0) &&
	    writer_marker(h) == 0)
		return;
	on_written(h, NULL, NULL);
}

static void cam_close(struct cam *c, const char *why)
{
	if (c->det) {
		md_flush(c->det);
		md_free(c->det);
		c->det = NULL;
	}
	outage_free(&c->outage);
	if (c->open) {
		log_msg(LOG_WARN_P, "camera '%s': %s %s; waiting for it to come back",
			c->cfg->name, c->cap.path, why);
		capture_close(&c->cap);
	}
	c->open = 0;
	free(c->peak);
	c->peak = c->peak_cb = c->peak_cr = NULL;
	c->next_try = mono_s() + 1.0;
}

static void cam_fail(struct cam *c, const char *err, double retry)
{
	/* log each distinct failure once, not every retry */
	if (daemon_once)
		log_msg(LOG_ERR_P, "camera '%s': %s", c->cfg->name, err);
	else if (strcmp(err, c->last_err) != 0)
		log_msg(LOG_WARN_P, "camera '%s': %s; retrying every %.0f s", c->cfg->name,
			err, retry);
	str_copy(c->last_err, sizeof(c->last_err), err);
	c->next_try = mono_s() + retry;
}

static int cam_open(struct cam *c)
{
	const struct cam_config *cf = c->cfg;
	char node[CFG_PATH_LEN], err[1200], fs[5];
	unsigned char *mask = NULL;
	int denied = 0;

	if (config_is_netcam(cf)) {
		if (capture_find_netcam(cf->name, cf->motion.node, node, sizeof(node)) < 0) {
			snprintf(err, sizeof(err),
				 "netcam camera '%s' has no node %d yet (is netcamd@%s running?)",
				 cf->name, cf->motion.node + 1, cf->name);
			cam_fail(c, err, RETRY_S);
			return -1;
		}
	} else if (cf->motion.device[0]) {
		snprintf(node, sizeof(node), "%s", cf->motion.device);
	} else if (capture_find_card(cf->motion.card, node, sizeof(node), &denied) < 0) {
		if (denied)
			snprintf(err, sizeof(err),
				 "no capture device with card name '%s' (%d video node(s) not accessible: is the user in group video?)",
				 cf->motion.card, denied);
		else
			snprintf(err, sizeof(err), "no capture device with card name '%s'", cf->motion.card);
		cam_fail(c, err, RETRY_S);
		return -1;
	}
	/* colour costs a chroma copy per frame: only for snapshots */
	if (capture_open(&c->cap, node, cf->motion.width, cf->motion.height, cf->motion.fps,
			 cam_snapshot_dir(c)[0] != 0, err, sizeof(err))) {
		cam_fail(c, err, strstr(err, "not a ") ? RETRY_BAD_S : RETRY_S);
		return -1;
	}
	if (cf->motion.mask[0]) {
		mask = config_load_mask(cf->motion.mask, c->cap.w, c->cap.h, err, sizeof(err));
		if (!mask) {
			capture_close(&c->cap);
			cam_fail(c, err, RETRY_BAD_S);
			return -1;
		}
	}
	c->sink.camera = cf->name;
	c->sink.json = D.json;
	c->sink.fsync_end = 0;	/* on_event asks the writer */
	c->sink.replay = 0;
	c->sink.mono_off = 0;
	c->det = md_new(&cf->motion.p, c->cap.w, c->cap.h, mask, cf->motion.zones,
			cf->motion.nzones, on_event, c);
	free(mask);
	/* the peak frame: luma, then the chroma planes when there are any */
	c->peak = malloc((size_t)c->cap.w * c->cap.h + 2 * (size_t)c->cap.cw * c->cap.ch);
	c->peak_cb = c->peak && c->cap.cb ? c->peak + (size_t)c->cap.w * c->cap.h : NULL;
	c->peak_cr = c->peak_cb ? c->peak_cb + (size_t)c->cap.cw * c->cap.ch : NULL;
	if (!c->det || !c->peak || outage_init(&c->outage, (size_t)c->cap.w * c->cap.h)) {
		capture_close(&c->cap);
		md_free(c->det);
		c->det = NULL;
		outage_free(&c->outage);
		snprintf(err, sizeof(err), "%s: cannot set up the detector for %dx%d",
			 node, c->cap.w, c->cap.h);
		cam_fail(c, err, RETRY_BAD_S);
		return -1;
	}
	c->open = 1;
	c->id_base = c->id_max;
	c->have_peak = 0;
	c->last_err[0] = 0;
	c->last_frame = c->last_proc = mono_s();
	log_msg(LOG_NOTICE_P, "camera '%s': %s (%s) %dx%d %s, analysing %d fps", cf->name,
		node, c->cap.card, c->cap.w, c->cap.h, capture_fourcc_str(c->cap.fourcc, fs),
		cf->motion.fps);
	return 0;
}

static void cam_frames(struct cam *c)
{
	char err[600];
	int r;

	/* one buffer per poll() wake-up: poll is level-triggered, and a
	 * DQBUF that would block makes libv4l2 complain on stderr */
	double t = mono_s();
	struct md_frame_info fi;

	r = capture_read(&c->cap, err, sizeof(err));
	if (r == 0)
		return;
	if (r < 0) {
		cam_close(c, errno == ENODEV ? "disappeared" : err);
		return;
	}
	c->last_frame = t;
	/* frames without a signal, and the frozen picture repeated after
	 * it, are not the scene; the scene after a gap is learnt afresh */
	r = outage_frame(&c->outage, capture_signal(&c->cap), c->cap.luma);
	if (r & OUTAGE_LOST) {
		log_msg(LOG_WARN_P, "camera '%s': %s has no signal; not analysing until it returns",
			c->cfg->name, c->cap.path);
		md_flush(c->det);
	}
	if (r & OUTAGE_BACK) {
		log_msg(LOG_NOTICE_P, "camera '%s': signal back at t=%.3f; learning the scene again",
			c->cfg->name, t);
		md_relearn(c->det);
	}
	if (r & OUTAGE_SKIP)
		return;
	if (t - c->last_proc < 0.9 / c->cfg->motion.fps)
		return;
	c->last_proc = t;
	md_frame(c->det, c->cap.luma, c->cap.w, t, &fi);
	if (daemon_debug)
		log_msg(LOG_DEBUG_P, "camera '%s' t=%.3f noise=%.2f thr=%.1f gain=%.3f off=%.1f area=%.2f lit=%ld%s%s",
			c->cfg->name, t, fi.noise, fi.threshold, fi.gain, fi.offset, fi.area,
			fi.local_light, fi.light_change ? " LIGHT" : "", fi.motion ? " MOTION" : "");
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
	if (D.cfg.event_log[0]) {
		D.json = fopen(D.cfg.event_log, "ae");
		if (!D.json) {
			log_msg(LOG_ERR_P, "event_log %s: %s", D.cfg.event_log, strerror(errno));
			D.json = stdout;
			return -1;
		}
	}
	return 0;
}

static void setup_cams(void)
{
	const struct cam_config *w[MAX_WATCHED];

	D.n = watched(&D.cfg, w);
	for (int i = 0; i < D.n; i++) {
		memset(&D.cams[i], 0, sizeof(D.cams[i]));
		D.cams[i].cfg = w[i];
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
		outage_free(&c->outage);
		if (c->open)
			capture_close(&c->cap);
		c->open = 0;
		free(c->peak);
		c->peak = c->peak_cb = c->peak_cr = NULL;
	}
	if (D.json && D.json != stdout)
		writer_fsync(fileno(D.json));
}

/* SIGHUP: the new configuration is read and checked whole first; a bad
 * one changes nothing. */
static void reload(const char *cfgpath)
{
	static char names[MAX_WATCHED][CFG_NAME_LEN];
	const struct cam_config *w[MAX_WATCHED];
	int ids[MAX_WATCHED], n = D.n;
	struct netcam_config nc;
	char err[1024];

	notify_systemd("RELOADING=1");
	if (config_load(cfgpath, &nc, err, sizeof(err)) || daemon_check(&nc, err, sizeof(err))) {
		log_msg(LOG_ERR_P, "reload failed, keeping the running configuration: %s", err);
		config_free(&nc);
		notify_systemd("READY=1");
		return;
	}
	/* event ids go on for cameras that keep their name */
	for (int i = 0; i < n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s", D.cams[i].cfg->name);
		ids[i] = D.cams[i].id_max;
	}
	close_cams();
	config_free(&D.cfg);
	D.cfg = nc;
	if (daemon_event_log)
		snprintf(D.cfg.event_log, sizeof(D.cfg.event_log), "%s", daemon_event_log);
	open_json();
	D.n = watched(&D.cfg, w);
	for (int i = 0; i < D.n; i++) {
		memset(&D.cams[i], 0, sizeof(D.cams[i]));
		D.cams[i].cfg = w[i];
		D.cams[i].cap.fd = -1;
		for (int j = 0; j < n; j++)
			if (!strcmp(names[j], w[i]->name))
				D.cams[i].id_max = ids[j];
		cam_open(&D.cams[i]);
	}
	log_msg(LOG_NOTICE_P, "configuration reloaded: %d camera(s)", D.n);
	notify_systemd("READY=1");
}

int daemon_run(struct netcam_config *cfg, const char *cfgpath)
{
	struct pollfd pfd[2 + MAX_WATCHED];
	struct udev *udev = NULL;
	struct udev_monitor *mon = NULL;
	sigset_t mask;
	char err[256];
	int sfd, running = 1;

	D.cfg = *cfg;	/* ours now: reload() frees it */
	if (daemon_event_log)
		snprintf(D.cfg.event_log, sizeof(D.cfg.event_log), "%s", daemon_event_log);
	if (daemon_once) {
		const struct cam_config *w[MAX_WATCHED];
		int bad = 0, n = watched(&D.cfg, w);

		D.json = stdout;
		for (int i = 0; i < n; i++) {
			struct cam *c = &D.cams[i];

			c->cfg = w[i];
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
		log_msg(LOG_ERR_P, "signalfd: %s", strerror(errno));
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
		log_msg(LOG_INFO_P, "no udev monitor; polling for cameras every %.0f s", RETRY_S);
	else
		log_msg(LOG_INFO_P, "following camera hotplug through udev");
	if (writer_start(err, sizeof(err)))
		log_msg(LOG_WARN_P, "%s: snapshots and fsync will hold up the frames", err);
	open_json();
	setup_cams();
	notify_systemd("READY=1");
	log_msg(LOG_INFO_P, "netcam-motion running, %d camera(s)", D.n);

	while (running) {
		int np = 0, cidx[MAX_WATCHED], timeout = 1000, widx = -1;
		double now = mono_s();

		pfd[np++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
		if (mon)
			pfd[np++] = (struct pollfd){ .fd = udev_monitor_get_fd(mon), .events = POLLIN };
		if (writer_fd() >= 0) {
			widx = np;
			pfd[np++] = (struct pollfd){ .fd = writer_fd(), .events = POLLIN };
		}
		for (int i = 0; i < D.n; i++) {
			cidx[i] = -1;
			if (D.cams[i].open) {
				cidx[i] = np;
				pfd[np++] = (struct pollfd){ .fd = D.cams[i].cap.fd, .events = POLLIN };
			}
		}
		if (poll(pfd, (nfds_t)np, timeout) < 0 && errno != EINTR) {
			log_msg(LOG_ERR_P, "poll: %s", strerror(errno));
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
					log_msg(LOG_DEBUG_P, "udev: %s %s", act ? act : "?",
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
		if (widx >= 0 && (pfd[widx].revents & POLLIN))
			writer_collect(on_written);
		now = mono_s();
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
	notify_systemd("STOPPING=1");
	log_msg(LOG_INFO_P, "stopping: ending open events");
	close_cams();
	/* the last snapshots, the fsync and the hooks that wait for them */
	writer_stop(on_written);
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
