// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit tests of userspace/lib's netcam.conf reader: one file and
 * conf.d/ together, the camera and motion keys of one section, [global]
 * defaults, and one line naming file, line and key for every bad input.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netcam-config.h"

static int passed, failed;

#define CHECK(cond, ...) do { if (cond) { passed++; } else { failed++; \
		printf("FAIL %s:%d: ", __FILE__, __LINE__); printf(__VA_ARGS__); \
		printf("\n"); } } while (0)

static char dir[256];

static const char *put(const char *name, const char *text)
{
	static char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f)) {
		perror(path);
		exit(1);
	}
	return path;
}

/* Parse text alone: 0 and cfg, or -1 and err. */
static int parse(const char *text, struct netcam_config *cfg, char *err, size_t len)
{
	return config_parse_string(text, "t.conf", cfg, err, len);
}

static void expect_error(const char *text, const char *want)
{
	struct netcam_config cfg;
	char err[512] = "";
	int rc = parse(text, &cfg, err, sizeof(err));

	CHECK(rc < 0 && strstr(err, want), "want error '%s', got rc %d '%s'", want, rc, err);
	if (rc == 0)
		config_free(&cfg);
	else
		CHECK(!strchr(err, '\n'), "one line: '%s'", err);
}

static void test_one_section(void)
{
	static const char text[] =
		"[global]\n"
		"event_log = /var/log/netcam/events.jsonl\n"
		"min_area = 0.5\n"
		"hook = /usr/local/bin/on-motion\n"
		"\n"
		"[front-door]\n"
		"label = Front door\n"
		"url = rtsp://10.0.0.2/s\n"
		"nodes = 3\n"
		"threshold_sigma = 5\n"
		"zone = gate 0,50,30,50 min_area=2\n"
		"zone = path 40,0,20,100\n"
		"motion_size = 640x360\n"
		"motion_fps = 4\n"
		"snapshot_dir = /var/lib/netcam/front\n"
		"\n"
		"[garage]\n"
		"url = http://10.0.0.3/video.mjpg\n"
		"nodes = 1\n"
		"\n"
		"[porch]\n"
		"url = testsrc://\n"
		"motion_node = 1\n"
		"motion = no\n"
		"\n"
		"[desk]\n"
		"device = /dev/v4l/by-id/usb-cam-video-index0\n"
		"[vivid]\n"
		"card = \"vivid capture\"\n";
	struct netcam_config cfg;
	struct cam_config *c;
	char err[512];

	CHECK(parse(text, &cfg, err, sizeof(err)) == 0, "valid: %s", err);
	CHECK(cfg.num_cameras == 5, "%d sections", cfg.num_cameras);
	CHECK(!strcmp(cfg.event_log, "/var/log/netcam/events.jsonl"), "event_log");
	c = config_find(&cfg, "front-door");
	CHECK(c && config_is_netcam(c) && c->num_nodes == 3, "front-door is netcam");
	CHECK(c && c->motion.enabled && c->motion.node == 2, "front-door: analyses its last node");
	CHECK(c && c->motion.p.min_area == 0.5 && c->motion.p.threshold_sigma == 5,
	      "front-door: global min_area with its own threshold_sigma");
	CHECK(c && c->motion.nzones == 2 && c->motion.zones[0].min_area == 2 &&
	      c->motion.zones[1].min_area < 0 && c->motion.zones[1].x == 40,
	      "front-door: zones");
	CHECK(c && c->motion.width == 640 && c->motion.height == 360 && c->motion.fps == 4,
	      "front-door: motion size/fps");
	CHECK(c && !strcmp(c->motion.snapshot_dir, "/var/lib/netcam/front") && !c->motion.hook[0],
	      "front-door: own snapshot_dir, [global] hook");
	c = config_find(&cfg, "garage");
	CHECK(c && !c->motion.enabled, "garage: its one node is for apps, no motion");
	c = config_find(&cfg, "porch");
	CHECK(c && !c->motion.enabled && c->motion.node == 0, "porch: motion = no wins");
	c = config_find(&cfg, "desk");
	CHECK(c && !config_is_netcam(c) && c->motion.enabled && c->motion.device[0],
	      "desk: a V4L2 device for netcam-motion alone");
	c = config_find(&cfg, "vivid");
	CHECK(c && !strcmp(c->motion.card, "vivid capture"), "vivid: card, unquoted");
	config_free(&cfg);
}

static void test_errors(void)
{
	expect_error("[global]\nfoo = 1\n", "t.conf:2: key 'foo': unknown key");
	expect_error("[a]\nurl = rtsp://x/\n\nmin_area = 500\n",
		     "t.conf:4: camera 'a': key 'min_area': 500 is out of range");
	expect_error("[a]\nurl = rtsp://x/\nmotion_fps = fast\n",
		     "t.conf:3: camera 'a': key 'motion_fps': 'fast' is not an integer");
	expect_error("[a]\nurl = rtsp://x/\nzone = z 90,0,20,10\n",
		     "t.conf:3: camera 'a': key 'zone': zone 'z': '90,0,20,10' must be");
	expect_error("[a]\nurl = rtsp://x/\nzone = z 0,0,20,10 size=3\n",
		     "key 'zone': zone 'z': unknown setting 'size'");
	expect_error("[a]\nurl = rtsp://x/\nzone = z 0,0,2,1\nzone = z 0,0,2,1\n",
		     "t.conf:4: camera 'a': key 'zone': zone 'z' is defined twice");
	expect_error("[a]\njust text\n", "t.conf:2: camera 'a': expected 'key = value'");
	expect_error("[a b]\n", "t.conf:1: camera name 'a b' must be");
	expect_error("[a]\nurl = rtsp://x/\n[a]\n", "t.conf:3: camera 'a' is defined twice (also at t.conf:1)");
	expect_error("[a]\nlabel = x\n", "t.conf:1: camera 'a': key 'url': missing");
	expect_error("[a]\nurl = rtsp://x/\ndevice = /dev/video0\n",
		     "t.conf:1: camera 'a': key 'device': not for a netcam camera");
	expect_error("[a]\ndevice = /dev/video0\nmotion_node = 2\n", "key 'motion_node': only for netcam");
	expect_error("[a]\nurl = rtsp://x/\nnodes = 2\nmotion_node = 3\n",
		     "key 'motion_node': 3 is more than the camera's 2 nodes");
	expect_error("[a]\ndevice = video0\n", "t.conf:2: camera 'a': key 'device': 'video0' is not an absolute path");
	expect_error("[global]\nhook_timeout = 0\n", "t.conf:2: key 'hook_timeout': 0 is out of range 1..86400");
}

static void test_dropins(void)
{
	struct netcam_config cfg;
	char err[512], d[300], main_path[512];
	int rc;

	snprintf(d, sizeof(d), "%s/conf.d", dir);
	mkdir(d, 0755);
	snprintf(main_path, sizeof(main_path), "%s",
		 put("netcam.conf", "[global]\nmin_area = 1.5\n[front]\nurl = rtsp://x/\n"));
	put("conf.d/20-garage.conf", "[garage]\nurl = http://y/v.mjpg\n");
	put("conf.d/10-back.conf", "[back]\nurl = http://z/v.mjpg\nmin_frames = 5\n");
	put("conf.d/.hidden.conf", "this is not a config file\n");
	put("conf.d/notes.txt", "neither is this\n");
	rc = config_load(main_path, &cfg, err, sizeof(err));
	CHECK(rc == 0, "conf.d: %s", err);
	CHECK(rc == 0 && cfg.num_cameras == 3 && cfg.num_files == 3, "%d cameras from %d files",
	      cfg.num_cameras, cfg.num_files);
	CHECK(rc == 0 && !strcmp(cfg.cameras[1].name, "back") && !strcmp(cfg.cameras[2].name, "garage"),
	      "conf.d files in name order");
	CHECK(rc == 0 && cfg.cameras[1].motion.p.min_area == 1.5 &&
	      cfg.cameras[1].motion.p.min_frames == 5, "conf.d camera gets [global] defaults");
	CHECK(rc == 0 && strstr(cfg.cameras[2].file, "conf.d/20-garage.conf") &&
	      cfg.cameras[2].line == 1, "a camera knows its file and line");
	if (rc == 0)
		config_free(&cfg);

	/* A section ends with its file; a name used twice names both places. */
	put("conf.d/30-dup.conf", "\n[front]\nurl = rtsp://w/\n");
	rc = config_load(main_path, &cfg, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "conf.d/30-dup.conf:2: camera 'front' is defined twice (also at ") &&
	      strstr(err, "netcam.conf:3)"), "duplicate across files: %s", err);
	put("conf.d/30-dup.conf", "[more]\nurl = rtsp://w/\nmotion_size = 1x1\n");
	rc = config_load(main_path, &cfg, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "conf.d/30-dup.conf:3: camera 'more': key 'motion_size'"),
	      "error in a conf.d file names it: %s", err);
	CHECK(cfg.num_cameras == 0 && cfg.cameras == NULL, "a failed load leaves nothing");

	rc = config_load("/nonexistent/netcam.conf", &cfg, err, sizeof(err));
	CHECK(rc < 0 && strstr(err, "/nonexistent/netcam.conf: cannot open"), "missing file: %s", err);
}

int main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/netcam-config-test.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_one_section();
	test_errors();
	test_dropins();
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			printf("could not remove %s\n", dir);
	}
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
