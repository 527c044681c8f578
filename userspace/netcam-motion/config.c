// SPDX-License-Identifier: GPL-2.0
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_init(struct config *c)
{
	memset(c, 0, sizeof(*c));
	md_params_default(&c->defaults);
	c->snapshot_quality = 85;
	c->hook_timeout = 60;
}

static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = 0;
	if (e - s >= 2 && ((s[0] == '"' && e[-1] == '"') || (s[0] == '\'' && e[-1] == '\''))) {
		e[-1] = 0;
		s++;
	}
	return s;
}

static int parse_double(const char *v, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	return !(errno || end == v || *end || !isfinite(*out));
}

static int parse_int(const char *v, int *out)
{
	char *end;
	long l;

	errno = 0;
	l = strtol(v, &end, 10);
	if (errno || end == v || *end || l < INT_MIN || l > INT_MAX)
		return 0;
	*out = (int)l;
	return 1;
}

static int copy_str(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return 0;
	strcpy(dst, v);
	return 1;
}

#define ERR(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

/* Detection keys, valid in [global] and [camera]. 1: handled, 0: unknown,
 * -1: error written. */
static int detect_key(struct md_params *p, const char *file, int line,
		      const char *k, const char *v, char *err, size_t errlen)
{
	static const struct { const char *key; int is_int; size_t off; } keys[] = {
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
	const char *bad;

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(k, keys[i].key))
			continue;
		if (keys[i].is_int) {
			if (!parse_int(v, (int *)((char *)p + keys[i].off)))
				ERR("%s:%d: key '%s': '%s' is not an integer", file, line, k, v);
		} else {
			if (!parse_double(v, (double *)((char *)p + keys[i].off)))
				ERR("%s:%d: key '%s': '%s' is not a number", file, line, k, v);
		}
		bad = md_params_check(p);
		if (bad && !strcmp(bad, k))
			ERR("%s:%d: key '%s': value %s out of range (see netcam-motion.rst)",
			    file, line, k, v);
		return 1;
	}
	return 0;
}

int config_load(struct config *c, const char *path, char *err, size_t errlen)
{
	enum { S_NONE, S_GLOBAL, S_CAMERA, S_ZONE } sec = S_NONE;
	char buf[2048];
	struct camera_cfg *cam = NULL;
	struct md_zone_cfg *zone = NULL;
	int line = 0, r;
	FILE *f;

	if (!copy_str(c->path, sizeof(c->path), path))
		ERR("%s: path too long", path);
	f = fopen(path, "r");
	if (!f)
		ERR("%s: %s", path, strerror(errno));
	while (fgets(buf, sizeof(buf), f)) {
		char *s, *eq, *k, *v;

		line++;
		if (!strchr(buf, '\n') && !feof(f)) {
			fclose(f);
			ERR("%s:%d: line too long", path, line);
		}
		s = trim(buf);
		if (!*s || *s == '#' || *s == ';')
			continue;
		if (*s == '[') {
			char *e = strchr(s, ']'), *name;

			if (!e || e[1]) {
				fclose(f);
				ERR("%s:%d: bad section header '%s'", path, line, s);
			}
			*e = 0;
			s = trim(s + 1);
			if (!strcmp(s, "global")) {
				sec = S_GLOBAL;
				continue;
			}
			name = strchr(s, ' ');
			if (name) {
				*name++ = 0;
				name = trim(name);
			}
			if (!strcmp(s, "camera") && name && *name) {
				if (c->ncams >= CFG_MAX_CAMERAS) {
					fclose(f);
					ERR("%s:%d: more than %d cameras", path, line, CFG_MAX_CAMERAS);
				}
				for (int i = 0; i < c->ncams; i++)
					if (!strcmp(c->cams[i].name, name)) {
						fclose(f);
						ERR("%s:%d: camera '%s' defined twice (line %d)",
						    path, line, name, c->cams[i].line);
					}
				cam = &c->cams[c->ncams++];
				memset(cam, 0, sizeof(*cam));
				if (!copy_str(cam->name, sizeof(cam->name), name)) {
					fclose(f);
					ERR("%s:%d: camera name too long", path, line);
				}
				cam->p = c->defaults;
				cam->width = 320;
				cam->height = 240;
				cam->fps = 5;
				cam->line = line;
				sec = S_CAMERA;
				continue;
			}
			if (!strcmp(s, "zone") && name && *name) {
				if (!cam) {
					fclose(f);
					ERR("%s:%d: [zone %s] must follow a [camera NAME] section",
					    path, line, name);
				}
				if (cam->nzones >= MD_MAX_ZONES) {
					fclose(f);
					ERR("%s:%d: camera '%s': more than %d zones", path, line,
					    cam->name, MD_MAX_ZONES);
				}
				zone = &cam->zones[cam->nzones++];
				memset(zone, 0, sizeof(*zone));
				if (!copy_str(zone->name, sizeof(zone->name), name)) {
					fclose(f);
					ERR("%s:%d: zone name too long", path, line);
				}
				zone->w = zone->h = 100;
				zone->min_area = -1;
				zone->threshold_sigma = -1;
				sec = S_ZONE;
				continue;
			}
			fclose(f);
			ERR("%s:%d: unknown section [%s%s%s] (expected [global], [camera NAME], [zone NAME])",
			    path, line, s, name ? " " : "", name ? name : "");
		}
		eq = strchr(s, '=');
		if (!eq) {
			fclose(f);
			ERR("%s:%d: expected 'key = value', got '%s'", path, line, s);
		}
		*eq = 0;
		k = trim(s);
		v = trim(eq + 1);
		if (sec == S_NONE) {
			fclose(f);
			ERR("%s:%d: key '%s': outside a section", path, line, k);
		}
		if (sec == S_GLOBAL) {
			int ok = 1;

			if (!strcmp(k, "log_file"))
				ok = copy_str(c->log_file, sizeof(c->log_file), v);
			else if (!strcmp(k, "snapshot_dir"))
				ok = copy_str(c->snapshot_dir, sizeof(c->snapshot_dir), v);
			else if (!strcmp(k, "hook"))
				ok = copy_str(c->hook, sizeof(c->hook), v);
			else if (!strcmp(k, "snapshot_quality")) {
				if (!parse_int(v, &c->snapshot_quality) ||
				    c->snapshot_quality < 1 || c->snapshot_quality > 100) {
					fclose(f);
					ERR("%s:%d: key '%s': '%s' must be an integer 1..100",
					    path, line, k, v);
				}
			} else if (!strcmp(k, "hook_timeout")) {
				if (!parse_int(v, &c->hook_timeout) ||
				    c->hook_timeout < 1 || c->hook_timeout > 86400) {
					fclose(f);
					ERR("%s:%d: key '%s': '%s' must be whole seconds 1..86400",
					    path, line, k, v);
				}
			} else {
				r = detect_key(&c->defaults, path, line, k, v, err, errlen);
				if (r < 0) {
					fclose(f);
					return -1;
				}
				if (r == 0) {
					fclose(f);
					ERR("%s:%d: key '%s': unknown in [global]", path, line, k);
				}
			}
			if (!ok) {
				fclose(f);
				ERR("%s:%d: key '%s': value too long", path, line, k);
			}
			continue;
		}
		if (sec == S_CAMERA) {
			int *ip = NULL, lo = 0, hi = 0, ok = 1;

			if (!strcmp(k, "device"))
				ok = copy_str(cam->device, sizeof(cam->device), v);
			else if (!strcmp(k, "card"))
				ok = copy_str(cam->card, sizeof(cam->card), v);
			else if (!strcmp(k, "mask"))
				ok = copy_str(cam->mask, sizeof(cam->mask), v);
			else if (!strcmp(k, "width"))
				ip = &cam->width, lo = 32, hi = 8192;
			else if (!strcmp(k, "height"))
				ip = &cam->height, lo = 32, hi = 8192;
			else if (!strcmp(k, "fps"))
				ip = &cam->fps, lo = 1, hi = 120;
			else {
				r = detect_key(&cam->p, path, line, k, v, err, errlen);
				if (r < 0) {
					fclose(f);
					return -1;
				}
				if (r == 0) {
					fclose(f);
					ERR("%s:%d: key '%s': unknown in [camera %s]", path, line,
					    k, cam->name);
				}
			}
			if (!ok) {
				fclose(f);
				ERR("%s:%d: key '%s': value too long", path, line, k);
			}
			if (ip && (!parse_int(v, ip) || *ip < lo || *ip > hi)) {
				fclose(f);
				ERR("%s:%d: key '%s': '%s' must be an integer %d..%d",
				    path, line, k, v, lo, hi);
			}
			continue;
		}
		/* zone */
		if (!strcmp(k, "rect")) {
			double x, y, w, h;
			char tail;

			if (sscanf(v, "%lf , %lf , %lf , %lf %c", &x, &y, &w, &h, &tail) != 4 ||
			    x < 0 || y < 0 || w <= 0 || h <= 0 || x + w > 100 || y + h > 100) {
				fclose(f);
				ERR("%s:%d: key 'rect': '%s' must be X,Y,W,H in percent of the frame, inside 0..100",
				    path, line, v);
			}
			zone->x = x;
			zone->y = y;
			zone->w = w;
			zone->h = h;
		} else if (!strcmp(k, "min_area")) {
			if (!parse_double(v, &zone->min_area) || zone->min_area <= 0 ||
			    zone->min_area > 100) {
				fclose(f);
				ERR("%s:%d: key 'min_area': '%s' must be a percentage >0..100",
				    path, line, v);
			}
		} else if (!strcmp(k, "threshold_sigma")) {
			if (!parse_double(v, &zone->threshold_sigma) ||
			    zone->threshold_sigma < 1 || zone->threshold_sigma > 50) {
				fclose(f);
				ERR("%s:%d: key 'threshold_sigma': '%s' must be a number 1..50",
				    path, line, v);
			}
		} else {
			fclose(f);
			ERR("%s:%d: key '%s': unknown in [zone %s]", path, line, k, zone->name);
		}
	}
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		ERR("%s: %s", path, strerror(e));
	}
	fclose(f);
	return 0;
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
