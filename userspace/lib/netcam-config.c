// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam user space: the one reader of netcam.conf(5).  Each file is read
 * whole, every key is checked as it is read and every section once all
 * files are in, so a caller gets either a complete, valid model or one
 * line naming the file, line and key at fault.
 */
#define _GNU_SOURCE
#include "netcam-config.h"
#include "netcam-log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const type_names[] = {
	[SRC_TYPE_RTSP] = "rtsp", [SRC_TYPE_MJPEG] = "mjpeg",
	[SRC_TYPE_SNAPSHOT] = "snapshot", [SRC_TYPE_FILE] = "file",
	[SRC_TYPE_TEST] = "test",
};

const char *config_type_name(int type)
{
	if (type < 0 || type > SRC_TYPE_TEST)
		return "?";
	return type_names[type];
}

struct parser {
	const char *fname;
	int line;
	char *err;
	size_t err_size;
	struct cam_config *cam;	/* NULL in [global] */
	const char *key;
	struct netcam_config *cfg;
};

__attribute__((format(printf, 2, 3)))
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = snprintf(p->err, p->err_size, "%s:%d: ", p->fname, p->line);
	if (n < 0 || (size_t)n >= p->err_size)
		return -1;
	if (p->cam)
		n += snprintf(p->err + n, p->err_size - (size_t)n, "camera '%s': ",
			      p->cam->name);
	if ((size_t)n < p->err_size && p->key)
		n += snprintf(p->err + n, p->err_size - (size_t)n, "key '%s': ",
			      p->key);
	if ((size_t)n < p->err_size)
		snprintf(p->err + n, p->err_size - (size_t)n, "%s", msg);
	return -1;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	return s;
}

static int parse_bool(struct parser *p, const char *v, int *out)
{
	if (!strcasecmp(v, "yes") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "on") || !strcmp(v, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcasecmp(v, "no") || !strcasecmp(v, "false") ||
	    !strcasecmp(v, "off") || !strcmp(v, "0")) {
		*out = 0;
		return 0;
	}
	return fail(p, "'%s' is not a boolean (yes/no)", v);
}

static int parse_seconds(struct parser *p, const char *v, double min,
			 double max, double *out)
{
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (end != v && *end == 's' && end[1] == 0)
		end++;
	if (errno || end == v || *end || !isfinite(d))
		return fail(p, "'%s' is not a number of seconds", v);
	if (d < min || d > max)
		return fail(p, "%g s is out of range %g..%g", d, min, max);
	*out = d;
	return 0;
}

static int parse_int(struct parser *p, const char *v, int min, int max,
		     int *out)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(v, &end, 10);
	if (errno || end == v || *end)
		return fail(p, "'%s' is not an integer", v);
	if (l < min || l > max)
		return fail(p, "%ld is out of range %d..%d", l, min, max);
	*out = (int)l;
	return 0;
}

static int check_label(struct parser *p, const char *v, char *dst)
{
	size_t len = strlen(v);

	if (len >= CFG_LABEL_LEN)
		return fail(p, "label '%s' is longer than %d bytes", v,
			    CFG_LABEL_LEN - 1);
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			return fail(p, "label contains a control character");
	memset(dst, 0, CFG_LABEL_LEN);
	memcpy(dst, v, len);
	return 0;
}

static int copy_value(struct parser *p, const char *v, char *dst, size_t size)
{
	if (strlen(v) >= size)
		return fail(p, "value is longer than %zu characters", size - 1);
	snprintf(dst, size, "%s", v);
	return 0;
}

static void cam_defaults(struct cam_config *c)
{
	memset(c, 0, sizeof(*c));
	c->type = SRC_TYPE_RTSP;
	c->transport = TRANSPORT_TCP;
	c->num_nodes = 2;
	c->codec_mjpeg = -1;
	c->connect_timeout = 10;
	c->read_timeout = 10;
	c->stall_timeout = 10;
	c->backoff_min = 1;
	c->backoff_max = 60;
	c->linger = 10;
	c->snapshot_interval = 1;
	c->motion.width = 320;
	c->motion.height = 180;
	c->motion.fps = 5;
	md_params_default(&c->motion.p);
}

int config_valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= CFG_NAME_LEN)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return 0;
	return 1;
}

int config_is_netcam(const struct cam_config *cam)
{
	return cam->url[0] != 0;
}

static int url_has_userinfo(const char *url)
{
	const char *a = strstr(url, "://"), *end;

	if (!a)
		return 0;
	a += 3;
	end = a + strcspn(a, "/?#");
	return memchr(a, '@', (size_t)(end - a)) != NULL;
}

static int type_from_url(const char *url)
{
	if (!strncasecmp(url, "rtsp://", 7) || !strncasecmp(url, "rtsps://", 8))
		return SRC_TYPE_RTSP;
	if (!strncasecmp(url, "http://", 7) || !strncasecmp(url, "https://", 8))
		return SRC_TYPE_MJPEG;
	if (!strncasecmp(url, "testsrc://", 10))
		return SRC_TYPE_TEST;
	if (url[0] == '/' || !strncasecmp(url, "file:", 5))
		return SRC_TYPE_FILE;
	return -1;
}

static int parse_size(struct parser *p, const char *v, int min, int *w, int *h)
{
	char x;
	int n = 0;

	if (sscanf(v, "%d%c%d%n", w, &x, h, &n) != 3 || v[n] ||
	    (x != 'x' && x != 'X'))
		return fail(p, "'%s' is not a size WIDTHxHEIGHT", v);
	if (*w < min || *h < min || *w > 8192 || *h > 8192 || (*w & 1) || (*h & 1))
		return fail(p, "size %dx%d must be even and %d..8192", *w, *h, min);
	return 0;
}

static int parse_path(struct parser *p, const char *v, char *dst, size_t size)
{
	if (v[0] != '/')
		return fail(p, "'%s' is not an absolute path", v);
	return copy_value(p, v, dst, size);
}

/* ---- motion detection keys: in [global] (defaults) and in a camera ---- */

static const struct detect_key {
	const char *key;
	int is_int;
	size_t off;
} detect_keys[] = {
	{ "work_width", 1, offsetof(struct md_params, work_width) },
	{ "threshold_sigma", 0, offsetof(struct md_params, threshold_sigma) },
	{ "threshold_min", 0, offsetof(struct md_params, threshold_min) },
	{ "min_area", 0, offsetof(struct md_params, min_area) },
	{ "min_frames", 1, offsetof(struct md_params, min_frames) },
	{ "event_gap", 0, offsetof(struct md_params, event_gap) },
	{ "background_time", 0, offsetof(struct md_params, background_time) },
	{ "light_change_area", 0, offsetof(struct md_params, light_change_area) },
	{ "max_event", 0, offsetof(struct md_params, max_event) },
	{ "still_time", 0, offsetof(struct md_params, still_time) },
	{ "despeckle", 1, offsetof(struct md_params, despeckle) },
	{ "edge_factor", 0, offsetof(struct md_params, edge_factor) },
};
#define NUM_DETECT_KEYS (sizeof(detect_keys) / sizeof(detect_keys[0]))

/* 1: k is a detection key, set in *mp (bit in *set); 0: it is not; -1:
 * bad value (message written).  Each value is checked alone, against the
 * defaults of the others. */
static int set_detect_key(struct parser *p, struct md_params *mp,
			  unsigned int *set, const char *k, const char *v)
{
	for (size_t i = 0; i < NUM_DETECT_KEYS; i++) {
		const struct detect_key *d = &detect_keys[i];
		struct md_params probe;
		const char *bad;
		double dv = 0;
		int iv = 0;

		if (strcmp(k, d->key))
			continue;
		md_params_default(&probe);
		if (d->is_int) {
			if (parse_int(p, v, INT_MIN, INT_MAX, &iv) < 0)
				return -1;
			memcpy((char *)&probe + d->off, &iv, sizeof(iv));
		} else {
			char *end;

			errno = 0;
			dv = strtod(v, &end);
			if (errno || end == v || *end || !isfinite(dv))
				return fail(p, "'%s' is not a number", v);
			memcpy((char *)&probe + d->off, &dv, sizeof(dv));
		}
		bad = md_params_check(&probe);
		if (bad && !strcmp(bad, k))
			return fail(p, "%s is out of range (netcam.conf(5))", v);
		memcpy((char *)mp + d->off, (char *)&probe + d->off,
		       d->is_int ? sizeof(int) : sizeof(double));
		if (set)
			*set |= 1U << i;
		return 1;
	}
	return 0;
}

/* The camera's detection settings: [global]'s, then the section's own. */
static void merge_detect(struct cam_config *c, const struct md_params *global)
{
	struct md_params own = c->motion.p;

	c->motion.p = *global;
	for (size_t i = 0; i < NUM_DETECT_KEYS; i++)
		if (c->p_set & (1U << i))
			memcpy((char *)&c->motion.p + detect_keys[i].off,
			       (char *)&own + detect_keys[i].off,
			       detect_keys[i].is_int ? sizeof(int) : sizeof(double));
}

/* zone = NAME X,Y,W,H [min_area=P] [threshold_sigma=S] */
static int parse_zone(struct parser *p, const char *v, struct cam_motion *m)
{
	char buf[512], *save = NULL, *tok, *rect;
	struct md_zone_cfg *z;
	char tail;

	if (m->nzones >= MD_MAX_ZONES)
		return fail(p, "more than %d zones", MD_MAX_ZONES);
	if (copy_value(p, v, buf, sizeof(buf)) < 0)
		return -1;
	z = &m->zones[m->nzones];
	memset(z, 0, sizeof(*z));
	z->min_area = -1;
	z->threshold_sigma = -1;
	tok = strtok_r(buf, " \t", &save);
	rect = strtok_r(NULL, " \t", &save);
	if (!tok || !rect)
		return fail(p, "'%s' is not 'NAME X,Y,W,H [min_area=P] [threshold_sigma=S]'", v);
	if (!config_valid_name(tok))
		return fail(p, "zone name '%s' must be 1..%d characters of A-Z a-z 0-9 . _ -",
			    tok, CFG_NAME_LEN - 1);
	for (int i = 0; i < m->nzones; i++)
		if (!strcmp(m->zones[i].name, tok))
			return fail(p, "zone '%s' is defined twice", tok);
	snprintf(z->name, sizeof(z->name), "%s", tok);
	if (sscanf(rect, "%lf,%lf,%lf,%lf%c", &z->x, &z->y, &z->w, &z->h, &tail) != 4 ||
	    !(z->x >= 0 && z->y >= 0 && z->w > 0 && z->h > 0 &&
	      z->x + z->w <= 100 && z->y + z->h <= 100))
		return fail(p, "zone '%s': '%s' must be X,Y,W,H in percent of the frame, inside 0..100",
			    tok, rect);
	while ((tok = strtok_r(NULL, " \t", &save))) {
		char *eq = strchr(tok, '='), *end;
		double d;

		if (!eq)
			return fail(p, "zone '%s': '%s' is not min_area=P or threshold_sigma=S",
				    z->name, tok);
		*eq = 0;
		errno = 0;
		d = strtod(eq + 1, &end);
		if (errno || end == eq + 1 || *end || !isfinite(d))
			return fail(p, "zone '%s': %s: '%s' is not a number", z->name, tok, eq + 1);
		if (!strcmp(tok, "min_area") && d > 0 && d <= 100)
			z->min_area = d;
		else if (!strcmp(tok, "threshold_sigma") && d >= 1 && d <= 50)
			z->threshold_sigma = d;
		else if (!strcmp(tok, "min_area") || !strcmp(tok, "threshold_sigma"))
			return fail(p, "zone '%s': %s %g is out of range (min_area >0..100, threshold_sigma 1..50)",
				    z->name, tok, d);
		else
			return fail(p, "zone '%s': unknown setting '%s' (min_area, threshold_sigma)",
				    z->name, tok);
	}
	m->nzones++;
	return 0;
}

/* The keys of netcam-motion in a camera's section: 1 handled, 0 not one,
 * -1 error. */
static int set_motion_key(struct parser *p, struct cam_config *c,
			  const char *k, const char *v)
{
	struct cam_motion *m = &c->motion;
	int rc;

	if (!strcmp(k, "motion")) {
		c->motion_set = 1;
		rc = parse_bool(p, v, &m->enabled);
	} else if (!strcmp(k, "motion_node")) {
		c->node_set = 1;
		rc = parse_int(p, v, 1, CFG_MAX_NODES, &m->node);
		m->node--;
	} else if (!strcmp(k, "motion_size")) {
		rc = parse_size(p, v, 32, &m->width, &m->height);
	} else if (!strcmp(k, "motion_fps")) {
		rc = parse_int(p, v, 1, 120, &m->fps);
	} else if (!strcmp(k, "device")) {
		rc = parse_path(p, v, m->device, sizeof(m->device));
	} else if (!strcmp(k, "card")) {
		rc = *v ? copy_value(p, v, m->card, sizeof(m->card)) : fail(p, "empty card name");
	} else if (!strcmp(k, "mask")) {
		rc = parse_path(p, v, m->mask, sizeof(m->mask));
	} else if (!strcmp(k, "hook")) {
		rc = parse_path(p, v, m->hook, sizeof(m->hook));
	} else if (!strcmp(k, "snapshot_dir")) {
		rc = parse_path(p, v, m->snapshot_dir, sizeof(m->snapshot_dir));
	} else if (!strcmp(k, "zone")) {
		rc = parse_zone(p, v, m);
	} else {
		rc = set_detect_key(p, &m->p, &c->p_set, k, v);
		return rc;
	}
	return rc < 0 ? -1 : 1;
}

static int set_cam_key(struct parser *p, const char *k, const char *v)
{
	struct cam_config *c = p->cam;
	int rc = set_motion_key(p, c, k, v);

	if (rc)
		return rc < 0 ? -1 : 0;
	if (!strcmp(k, "label"))
		return check_label(p, v, c->label);
	if (!strcmp(k, "url")) {
		if (!*v)
			return fail(p, "empty URL");
		if (type_from_url(v) < 0) {
			char shown[256];

			url_redact(v, shown, sizeof(shown));
			return fail(p, "unsupported URL '%s' (want rtsp://, rtsps://, http://, https://, an absolute file path or testsrc://)",
				    shown);
		}
		/* Don't echo a URL that may hold a password. */
		for (const char *q = v; *q; q++)
			if ((unsigned char)*q <= 0x20 || *q == 0x7f)
				return fail(p, "URL contains a space or control character");
		return copy_value(p, v, c->url, sizeof(c->url));
	}
	if (!strcmp(k, "username"))
		return copy_value(p, v, c->username, sizeof(c->username));
	if (!strcmp(k, "password"))
		return copy_value(p, v, c->password, sizeof(c->password));
	if (!strcmp(k, "password_file")) {
		if (v[0] != '/')
			return fail(p, "'%s' is not an absolute path", v);
		return copy_value(p, v, c->password_file, sizeof(c->password_file));
	}
	if (!strcmp(k, "type")) {
		for (int i = 0; i <= SRC_TYPE_TEST; i++)
			if (!strcasecmp(v, type_names[i])) {
				c->type = i;
				c->type_set = 1;
				return 0;
			}
		return fail(p, "'%s' is not one of rtsp, mjpeg, snapshot, file, test", v);
	}
	if (!strcmp(k, "transport")) {
		if (!strcasecmp(v, "tcp"))
			c->transport = TRANSPORT_TCP;
		else if (!strcasecmp(v, "udp"))
			c->transport = TRANSPORT_UDP;
		else if (!strcasecmp(v, "auto"))
			c->transport = TRANSPORT_AUTO;
		else
			return fail(p, "'%s' is not one of tcp, udp, auto", v);
		return 0;
	}
	if (!strcmp(k, "nodes"))
		return parse_int(p, v, 1, CFG_MAX_NODES, &c->num_nodes);
	if (!strcmp(k, "node_labels")) {
		char buf[CFG_MAX_NODES * CFG_LABEL_LEN + 64], *save = NULL, *tok;
		int i = 0;

		if (copy_value(p, v, buf, sizeof(buf)) < 0)
			return -1;
		for (tok = strtok_r(buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (i >= CFG_MAX_NODES)
				return fail(p, "more than %d labels", CFG_MAX_NODES);
			if (check_label(p, trim(tok), c->node_labels[i++]) < 0)
				return -1;
		}
		return 0;
	}
	if (!strcmp(k, "always_on"))
		return parse_bool(p, v, &c->always_on);
	if (!strcmp(k, "on_demand")) {
		int b;

		if (parse_bool(p, v, &b) < 0)
			return -1;
		c->always_on = !b;
		return 0;
	}
	if (!strcmp(k, "max_fps"))
		return parse_seconds(p, v, 0.1, 1000, &c->max_fps) < 0 ?
			fail(p, "'%s' is not a rate 0.1..1000", v) : 0;
	if (!strcmp(k, "size"))
		return parse_size(p, v, 16, &c->width, &c->height);
	if (!strcmp(k, "fps"))
		return parse_seconds(p, v, 0.1, 1000, &c->fps) < 0 ?
			fail(p, "'%s' is not a rate 0.1..1000", v) : 0;
	if (!strcmp(k, "codec")) {
		if (!strcasecmp(v, "mjpeg"))
			c->codec_mjpeg = 1;
		else if (!strcasecmp(v, "h264") || !strcasecmp(v, "h265") ||
			 !strcasecmp(v, "hevc"))
			c->codec_mjpeg = 0;
		else
			return fail(p, "'%s' is not one of h264, h265, mjpeg", v);
		return 0;
	}
	if (!strcmp(k, "connect_timeout"))
		return parse_seconds(p, v, 0.5, 300, &c->connect_timeout);
	if (!strcmp(k, "read_timeout"))
		return parse_seconds(p, v, 0.5, 300, &c->read_timeout);
	if (!strcmp(k, "stall_timeout"))
		return parse_seconds(p, v, 0.5, 300, &c->stall_timeout);
	if (!strcmp(k, "backoff_min"))
		return parse_seconds(p, v, 0.1, 60, &c->backoff_min);
	if (!strcmp(k, "backoff_max"))
		return parse_seconds(p, v, 0.1, 3600, &c->backoff_max);
	if (!strcmp(k, "linger"))
		return parse_seconds(p, v, 0, 3600, &c->linger);
	if (!strcmp(k, "snapshot_interval"))
		return parse_seconds(p, v, 0.05, 3600, &c->snapshot_interval);
	return fail(p, "unknown key");
}

static int set_global_key(struct parser *p, struct netcam_config *cfg,
			  const char *k, const char *v)
{
	int rc;

	if (!strcmp(k, "user")) {
		if (!*v)
			return fail(p, "empty user name");
		return copy_value(p, v, cfg->user, sizeof(cfg->user));
	}
	if (!strcmp(k, "log_level")) {
		int lv = log_level_from_name(v);

		if (lv < 0)
			return fail(p, "'%s' is not one of err, warning, notice, info, debug", v);
		cfg->log_level = lv;
		return 0;
	}
	/* log_file: netcam-motion's name for it before netcam.conf */
	if (!strcmp(k, "event_log") || !strcmp(k, "log_file"))
		return *v ? parse_path(p, v, cfg->event_log, sizeof(cfg->event_log)) :
			(cfg->event_log[0] = 0);
	if (!strcmp(k, "snapshot_dir"))
		return *v ? parse_path(p, v, cfg->snapshot_dir, sizeof(cfg->snapshot_dir)) :
			(cfg->snapshot_dir[0] = 0);
	if (!strcmp(k, "hook"))
		return *v ? parse_path(p, v, cfg->hook, sizeof(cfg->hook)) :
			(cfg->hook[0] = 0);
	if (!strcmp(k, "hook_timeout"))
		return parse_int(p, v, 1, 86400, &cfg->hook_timeout);
	if (!strcmp(k, "snapshot_quality"))
		return parse_int(p, v, 1, 100, &cfg->snapshot_quality);
	rc = set_detect_key(p, &cfg->motion_defaults, NULL, k, v);
	if (rc)
		return rc < 0 ? -1 : 0;
	return fail(p, "unknown key");
}

/* Checks that need the whole section, once every file is read. */
static int finish_camera(struct parser *p, struct cam_config *c)
{
	struct cam_motion *m = &c->motion;
	int rc = -1;

	p->cam = c;
	p->fname = c->file;
	p->line = c->line;
	p->key = "url";
	merge_detect(c, &p->cfg->motion_defaults);
	if (!c->url[0]) {
		if (!m->device[0] && !m->card[0]) {
			fail(p, "missing (a netcam camera needs a url; a V4L2 device for netcam-motion alone needs device or card)");
			goto out;
		}
		if (m->device[0] && m->card[0]) {
			p->key = "card";
			fail(p, "give either device or card, not both");
			goto out;
		}
		if (c->node_set) {
			p->key = "motion_node";
			fail(p, "only for netcam cameras (with a url)");
			goto out;
		}
		m->enabled = c->motion_set ? m->enabled : 1;
		rc = 0;
		goto out;
	}
	if (m->device[0] || m->card[0]) {
		p->key = m->device[0] ? "device" : "card";
		fail(p, "not for a netcam camera (with a url): netcam-motion finds its node by the camera's name");
		goto out;
	}
	if (!c->type_set) {
		c->type = type_from_url(c->url);
	} else {
		int t = type_from_url(c->url);
		int http = t == SRC_TYPE_MJPEG;

		if ((c->type == SRC_TYPE_MJPEG || c->type == SRC_TYPE_SNAPSHOT) != http ||
		    (c->type == SRC_TYPE_RTSP && t != SRC_TYPE_RTSP) ||
		    (c->type == SRC_TYPE_TEST && t != SRC_TYPE_TEST) ||
		    (c->type == SRC_TYPE_FILE && t != SRC_TYPE_FILE)) {
			p->key = "type";
			fail(p, "type %s does not fit the url's scheme",
			     type_names[c->type]);
			goto out;
		}
	}
	if (c->password[0] && c->password_file[0]) {
		p->key = "password_file";
		fail(p, "give either password or password_file, not both");
		goto out;
	}
	if ((c->username[0] || c->password[0] || c->password_file[0]) &&
	    url_has_userinfo(c->url)) {
		p->key = "url";
		fail(p, "credentials both in the url and in username/password");
		goto out;
	}
	if ((c->password[0] || c->password_file[0]) && !c->username[0]) {
		p->key = "username";
		fail(p, "missing (a password needs a username)");
		goto out;
	}
	if (c->type == SRC_TYPE_TEST && !c->width) {
		c->width = 640;
		c->height = 480;
	}
	if (c->backoff_min > c->backoff_max) {
		p->key = "backoff_min";
		fail(p, "larger than backoff_max");
		goto out;
	}
	for (int i = c->num_nodes; i < CFG_MAX_NODES; i++)
		if (c->node_labels[i][0]) {
			p->key = "node_labels";
			fail(p, "more labels than nodes (%d)", c->num_nodes);
			goto out;
		}
	/* The analysis node: the last one when there are several, so the
	 * first stays free for apps; a single node only when asked for. */
	if (c->node_set) {
		if (m->node >= c->num_nodes) {
			p->key = "motion_node";
			fail(p, "%d is more than the camera's %d nodes", m->node + 1,
			     c->num_nodes);
			goto out;
		}
		m->enabled = c->motion_set ? m->enabled : 1;
	} else {
		m->node = c->num_nodes - 1;
		m->enabled = c->motion_set ? m->enabled : c->num_nodes >= 2;
	}
	rc = 0;
out:
	p->key = NULL;
	p->cam = NULL;
	return rc;
}

static void config_init(struct netcam_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_INFO_P;
	cfg->hook_timeout = 60;
	cfg->snapshot_quality = 85;
	md_params_default(&cfg->motion_defaults);
}

static struct cam_config *new_camera(struct parser *p, const char *name)
{
	struct netcam_config *cfg = p->cfg;
	struct cam_config *grown, *dup = config_find(cfg, name);

	if (!config_valid_name(name)) {
		fail(p, "camera name '%s' must be 1..%d characters of A-Z a-z 0-9 . _ -",
		     name, CFG_NAME_LEN - 1);
		return NULL;
	}
	if (dup) {
		fail(p, "camera '%s' is defined twice (also at %s:%d)", name,
		     dup->file, dup->line);
		return NULL;
	}
	grown = realloc(cfg->cameras, (size_t)(cfg->num_cameras + 1) * sizeof(*grown));
	if (!grown) {
		fail(p, "out of memory");
		return NULL;
	}
	cfg->cameras = grown;
	grown = &cfg->cameras[cfg->num_cameras++];
	cam_defaults(grown);
	snprintf(grown->name, sizeof(grown->name), "%s", name);
	grown->file = p->fname;
	grown->line = p->line;
	return grown;
}

/* One file's text into p->cfg; sections end with the file. */
static int parse_text(struct parser *p, const char *text)
{
	const char *s = text;
	int in_global = 1;
	int idx = -1;	/* the section's camera: an index, cameras moves */

	p->line = 0;
	p->cam = NULL;
	while (*s) {
		size_t len = strcspn(s, "\n");
		char line[4096], *l, *eq, *k, *v;

		p->line++;
		p->key = NULL;
		p->cam = idx >= 0 ? &p->cfg->cameras[idx] : NULL;
		if (len >= sizeof(line))
			return fail(p, "line too long");
		memcpy(line, s, len);
		line[len] = 0;
		s += len;
		if (*s)
			s++;
		l = trim(line);
		if (!*l || *l == '#' || *l == ';')
			continue;
		if (*l == '[') {
			char *end = strchr(l, ']');

			p->cam = NULL;
			idx = -1;
			if (!end || trim(end + 1)[0])
				return fail(p, "malformed section header");
			*end = 0;
			l = trim(l + 1);
			if (!strcmp(l, "global")) {
				in_global = 1;
				continue;
			}
			in_global = 0;
			if (!new_camera(p, l))
				return -1;
			idx = p->cfg->num_cameras - 1;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq)
			return fail(p, "expected 'key = value' or '[section]'");
		*eq = 0;
		k = trim(l);
		v = trim(eq + 1);
		if (strlen(v) >= 2 && ((v[0] == '"' && v[strlen(v) - 1] == '"') ||
				       (v[0] == '\'' && v[strlen(v) - 1] == '\''))) {
			v[strlen(v) - 1] = 0;
			v++;
		}
		p->key = k;
		if (in_global ? set_global_key(p, p->cfg, k, v) : set_cam_key(p, k, v))
			return -1;
	}
	return 0;
}

static int finish(struct parser *p)
{
	for (int i = 0; i < p->cfg->num_cameras; i++)
		if (finish_camera(p, &p->cfg->cameras[i]) < 0)
			return -1;
	return 0;
}

static const char *remember_file(struct netcam_config *cfg, const char *path)
{
	if (cfg->num_files >= CFG_MAX_FILES)
		return NULL;
	cfg->files[cfg->num_files] = strdup(path);
	return cfg->files[cfg->num_files] ? cfg->files[cfg->num_files++] : NULL;
}

int config_parse_string(const char *text, const char *fname,
			struct netcam_config *cfg, char *err, size_t err_size)
{
	struct parser p = { .err = err, .err_size = err_size, .cfg = cfg };

	config_init(cfg);
	err[0] = 0;
	p.fname = remember_file(cfg, fname);
	if (!p.fname) {
		snprintf(err, err_size, "%s: out of memory", fname);
		return -1;
	}
	if (parse_text(&p, text) < 0 || finish(&p) < 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

/* A whole file, NUL-terminated; NULL with the reason in err. */
static char *read_file(const char *path, size_t *len_out, char *err, size_t err_size)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0;

	if (!f) {
		snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		char *grown;
		size_t got;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 22)) {
				snprintf(err, err_size, "%s: file too large", path);
				goto fail;
			}
			grown = realloc(text, cap);
			if (!grown) {
				snprintf(err, err_size, "%s: out of memory", path);
				goto fail;
			}
			text = grown;
		}
		got = fread(text + len, 1, cap - len - 1, f);
		len += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		snprintf(err, err_size, "%s: read error", path);
		goto fail;
	}
	fclose(f);
	text[len] = 0;
	if (strlen(text) != len) {
		snprintf(err, err_size, "%s: contains a NUL byte", path);
		explicit_bzero(text, len);
		free(text);
		return NULL;
	}
	*len_out = len;
	return text;
fail:
	fclose(f);
	if (text)
		explicit_bzero(text, len);
	free(text);
	return NULL;
}

static int load_one(struct parser *p, const char *path)
{
	size_t len;
	char *text = read_file(path, &len, p->err, p->err_size);
	int rc;

	if (!text)
		return -1;
	p->fname = remember_file(p->cfg, path);
	if (!p->fname) {
		snprintf(p->err, p->err_size, "%s: more than %d files", path, CFG_MAX_FILES);
		rc = -1;
	} else {
		rc = parse_text(p, text);
	}
	explicit_bzero(text, len);	/* it may hold passwords */
	free(text);
	return rc;
}

void config_dropin_dir(const char *path, char *out, size_t out_size)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(out, out_size, "conf.d");
	else
		snprintf(out, out_size, "%.*s/conf.d", (int)(slash - path), path);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* conf.d/NAME.conf in name order (hidden files and others are ignored, as
 * systemd and udev do). */
static int load_dropins(struct parser *p, const char *path)
{
	char dir[CFG_PATH_LEN], file[CFG_PATH_LEN + 256];
	char *names[CFG_MAX_FILES];
	struct dirent *de;
	int n = 0, rc = 0;
	DIR *d;

	config_dropin_dir(path, dir, sizeof(dir));
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		snprintf(p->err, p->err_size, "%s: cannot open: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		if (n == CFG_MAX_FILES - 1) {
			snprintf(p->err, p->err_size, "%s: more than %d files", dir,
				 CFG_MAX_FILES - 1);
			rc = -1;
			break;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			snprintf(p->err, p->err_size, "%s: out of memory", dir);
			rc = -1;
			break;
		}
		n++;
	}
	closedir(d);
	qsort(names, (size_t)n, sizeof(names[0]), by_name);
	for (int i = 0; i < n; i++) {
		if (!rc) {
			snprintf(file, sizeof(file), "%s/%s", dir, names[i]);
			rc = load_one(p, file);
		}
		free(names[i]);
	}
	return rc;
}

int config_load(const char *path, struct netcam_config *cfg, char *err,
		size_t err_size)
{
	struct parser p = { .err = err, .err_size = err_size, .cfg = cfg };

	config_init(cfg);
	err[0] = 0;
	if (strlen(path) >= CFG_PATH_LEN) {
		snprintf(err, err_size, "%.64s...: path too long", path);
		return -1;
	}
	if (load_one(&p, path) < 0 || load_dropins(&p, path) < 0 || finish(&p) < 0) {
		config_free(cfg);
		return -1;
	}
	return 0;
}

void config_free(struct netcam_config *cfg)
{
	if (cfg->cameras)
		explicit_bzero(cfg->cameras,
			       (size_t)cfg->num_cameras * sizeof(*cfg->cameras));
	free(cfg->cameras);
	cfg->cameras = NULL;
	cfg->num_cameras = 0;
	for (int i = 0; i < cfg->num_files; i++)
		free(cfg->files[i]);
	cfg->num_files = 0;
}

struct cam_config *config_find(struct netcam_config *cfg, const char *name)
{
	for (int i = 0; i < cfg->num_cameras; i++)
		if (!strcmp(cfg->cameras[i].name, name))
			return &cfg->cameras[i];
	return NULL;
}

int config_read_password_file(struct cam_config *cam, char *err,
			      size_t err_size)
{
	char buf[sizeof(cam->password) + 2];
	struct stat st;
	ssize_t got;
	int fd;

	if (!cam->password_file[0])
		return 0;
	fd = open(cam->password_file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, err_size, "%s:%d: camera '%s': key 'password_file': cannot open %s: %s",
			 cam->file, cam->line, cam->name, cam->password_file,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, err_size, "%s:%d: camera '%s': key 'password_file': %s is not a regular file",
			 cam->file, cam->line, cam->name, cam->password_file);
		close(fd);
		return -1;
	}
	if (st.st_mode & S_IROTH)
		log_warn("camera '%s': password_file %s is readable by everyone; chmod 0600 it",
			 cam->name, cam->password_file);
	got = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (got < 0) {
		snprintf(err, err_size, "%s:%d: camera '%s': key 'password_file': cannot read %s: %s",
			 cam->file, cam->line, cam->name, cam->password_file,
			 strerror(errno));
		return -1;
	}
	buf[got] = 0;
	buf[strcspn(buf, "\r\n")] = 0;
	if (strlen(buf) >= sizeof(cam->password) || !buf[0]) {
		snprintf(err, err_size, "%s:%d: camera '%s': key 'password_file': %s: %s",
			 cam->file, cam->line, cam->name, cam->password_file,
			 buf[0] ? "password too long" : "empty first line");
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	memcpy(cam->password, buf, strlen(buf) + 1);	/* fits: checked above */
	explicit_bzero(buf, sizeof(buf));
	return 0;
}

int config_effective_url(const struct cam_config *cam, char *out,
			 size_t out_size)
{
	char user[400], pass[800];
	const char *sep, *url = cam->url;
	int n;

	if (cam->type == SRC_TYPE_FILE && !strncasecmp(url, "file:", 5)) {
		n = snprintf(out, out_size, "%s", url);
		return n < 0 || (size_t)n >= out_size ? -1 : 0;
	}
	if (!cam->username[0] || !(sep = strstr(url, "://"))) {
		n = snprintf(out, out_size, "%s", url);
		return n < 0 || (size_t)n >= out_size ? -1 : 0;
	}
	if (url_encode_userinfo(cam->username, user, sizeof(user)) < 0 ||
	    url_encode_userinfo(cam->password, pass, sizeof(pass)) < 0)
		return -1;
	n = snprintf(out, out_size, "%.*s%s%s%s@%s", (int)(sep + 3 - url), url,
		     user, cam->password[0] ? ":" : "", pass, sep + 3);
	explicit_bzero(pass, sizeof(pass));
	return n < 0 || (size_t)n >= out_size ? -1 : 0;
}
unsigned char *config_load_mask(const char *path, int w, int h, char *err,
				size_t errlen)
{
	FILE *f = fopen(path, "rb");
	int pw, ph, maxv, c;
	unsigned char *m;

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fscanf(f, "P5 %d %d %d", &pw, &ph, &maxv) != 3 || maxv != 255) {
		fclose(f);
		snprintf(err, errlen, "%s: not an 8-bit binary PGM (P5) mask", path);
		return NULL;
	}
	c = fgetc(f);
	if (!isspace(c) || pw != w || ph != h) {
		fclose(f);
		snprintf(err, errlen, "%s: mask is %dx%d, the frames are %dx%d", path,
			 pw, ph, w, h);
		return NULL;
	}
	m = malloc((size_t)w * h);
	if (!m || fread(m, 1, (size_t)w * h, f) != (size_t)w * h) {
		fclose(f);
		free(m);
		snprintf(err, errlen, "%s: truncated mask", path);
		return NULL;
	}
	fclose(f);
	return m;
}
