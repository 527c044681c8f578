// SPDX-License-Identifier: GPL-2.0-only
/* netcamd: configuration parser. */
#define _GNU_SOURCE
#include "netcamd-config.h"
#include "netcamd-log.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
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
	c->linger = 5;
	c->snapshot_interval = 1;
}

static int valid_name(const char *s)
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

static int parse_size(struct parser *p, const char *v, int *w, int *h)
{
	char x;
	int n = 0;

	if (sscanf(v, "%d%c%d%n", w, &x, h, &n) != 3 || v[n] ||
	    (x != 'x' && x != 'X'))
		return fail(p, "'%s' is not a size WIDTHxHEIGHT", v);
	if (*w < 16 || *h < 16 || *w > 8192 || *h > 8192 || (*w & 1) || (*h & 1))
		return fail(p, "size %dx%d must be even and 16..8192", *w, *h);
	return 0;
}

static int set_cam_key(struct parser *p, const char *k, const char *v)
{
	struct cam_config *c = p->cam;

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
		return parse_size(p, v, &c->width, &c->height);
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

static int set_global_key(struct parser *p, struct netcamd_config *cfg,
			  const char *k, const char *v)
{
	if (!strcmp(k, "user")) {
		if (!*v)
			return fail(p, "empty user name");
		return copy_value(p, v, cfg->user, sizeof(cfg->user));
	}
	if (!strcmp(k, "log_level")) {
		static const char *const lv[] = { "err", "warning", "notice", "info", "debug" };

		for (int i = 0; i < 5; i++)
			if (!strcasecmp(v, lv[i])) {
				cfg->log_level = 3 + i;
				return 0;
			}
		return fail(p, "'%s' is not one of err, warning, notice, info, debug", v);
	}
	return fail(p, "unknown key");
}

/* Checks that need the whole section. */
static int finish_camera(struct parser *p, struct cam_config *c)
{
	int saved_line = p->line;
	int rc = -1;

	p->cam = c;
	p->line = c->line;
	p->key = "url";
	if (!c->url[0]) {
		fail(p, "missing (every camera needs a url)");
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
	rc = 0;
out:
	p->line = saved_line;
	p->key = NULL;
	return rc;
}

int config_parse_string(const char *text, const char *fname,
			struct netcamd_config *cfg, char *err, size_t err_size)
{
	struct parser p = { .fname = fname, .err = err, .err_size = err_size };
	const char *s = text;
	int in_global = 1, rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	cfg->log_level = LOG_INFO_P;
	err[0] = 0;
	while (*s) {
		size_t len = strcspn(s, "\n");
		char line[4096], *l, *eq, *k, *v;

		p.line++;
		p.key = NULL;
		if (len >= sizeof(line)) {
			fail(&p, "line too long");
			goto out;
		}
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
			struct cam_config *grown;

			if (p.cam && finish_camera(&p, p.cam) < 0)
				goto out;
			p.cam = NULL;
			if (!end || trim(end + 1)[0]) {
				fail(&p, "malformed section header");
				goto out;
			}
			*end = 0;
			l = trim(l + 1);
			if (!strcmp(l, "global")) {
				in_global = 1;
				continue;
			}
			in_global = 0;
			if (!valid_name(l)) {
				fail(&p, "camera name '%s' must be 1..%d characters of A-Z a-z 0-9 . _ -",
				     l, CFG_NAME_LEN - 1);
				goto out;
			}
			if (config_find(cfg, l)) {
				fail(&p, "camera '%s' is defined twice", l);
				goto out;
			}
			grown = realloc(cfg->cameras,
					(size_t)(cfg->num_cameras + 1) * sizeof(*grown));
			if (!grown) {
				fail(&p, "out of memory");
				goto out;
			}
			cfg->cameras = grown;
			p.cam = &cfg->cameras[cfg->num_cameras++];
			cam_defaults(p.cam);
			snprintf(p.cam->name, sizeof(p.cam->name), "%s", l);
			p.cam->file = fname;
			p.cam->line = p.line;
			continue;
		}
		eq = strchr(l, '=');
		if (!eq) {
			fail(&p, "expected 'key = value' or '[camera]'");
			goto out;
		}
		*eq = 0;
		k = trim(l);
		v = trim(eq + 1);
		if (strlen(v) >= 2 && v[0] == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = 0;
			v++;
		}
		p.key = k;
		if (in_global) {
			if (set_global_key(&p, cfg, k, v) < 0)
				goto out;
		} else if (set_cam_key(&p, k, v) < 0) {
			goto out;
		}
	}
	p.key = NULL;
	if (p.cam && finish_camera(&p, p.cam) < 0)
		goto out;
	rc = 0;
out:
	if (rc < 0)
		config_free(cfg);
	return rc;
}

int config_load(const char *path, struct netcamd_config *cfg, char *err,
		size_t err_size)
{
	FILE *f = fopen(path, "re");
	char *text = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f) {
		snprintf(err, err_size, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		char *grown;
		size_t got;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			if (cap > (1 << 22)) {
				snprintf(err, err_size, "%s: file too large", path);
				fclose(f);
				free(text);
				return -1;
			}
			grown = realloc(text, cap);
			if (!grown) {
				fclose(f);
				free(text);
				snprintf(err, err_size, "%s: out of memory", path);
				return -1;
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
		fclose(f);
		free(text);
		return -1;
	}
	fclose(f);
	text[len] = 0;
	if (strlen(text) != len) {
		snprintf(err, err_size, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rc = config_parse_string(text, path, cfg, err, err_size);
	explicit_bzero(text, len);
	free(text);
	return rc;
}

void config_free(struct netcamd_config *cfg)
{
	if (cfg->cameras)
		explicit_bzero(cfg->cameras,
			       (size_t)cfg->num_cameras * sizeof(*cfg->cameras));
	free(cfg->cameras);
	cfg->cameras = NULL;
	cfg->num_cameras = 0;
}

struct cam_config *config_find(struct netcamd_config *cfg, const char *name)
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
	snprintf(cam->password, sizeof(cam->password), "%s", buf);
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
