// SPDX-License-Identifier: GPL-2.0-only
/* Host unit tests of netcamd's pure parts: configuration parsing, URL
 * redaction and secret scrubbing, mode list generation, backoff, JPEG
 * structure checks.
 * Prints one line per failed check and "N passed, N failed". */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <linux/videodev2.h>

#include "netcam-config.h"
#include "netcam-log.h"
#include "netcamd-digest.h"
#include "netcamd-ffmpeg-log.h"
#include "netcamd-jpeg.h"
#include "netcamd-modes.h"
#include "netcamd-retry.h"

static int passed, failed;

#define CHECK(cond, ...) do { \
		if (cond) { passed++; } else { failed++; \
			printf("FAIL %s:%d: ", __FILE__, __LINE__); \
			printf(__VA_ARGS__); printf("\n"); } } while (0)

static void expect_error(const char *text, const char *want)
{
	struct netcam_config cfg;
	char err[512];
	int rc = config_parse_string(text, "t.conf", &cfg, err, sizeof(err));

	CHECK(rc < 0 && strstr(err, want), "config error: want '%s', got rc %d '%s'",
	      want, rc, err);
	if (rc == 0)
		config_free(&cfg);
}

static void test_config(void)
{
	static const char good[] =
		"# comment\n"
		"[global]\n"
		"user = camuser\n"
		"log_level = debug\n"
		"\n"
		"[front-door]\n"
		"label = Front door\n"
		"url = rtsp://192.168.1.20:554/stream1\n"
		"username = admin\n"
		"password = p@ss:w/rd#;x\n"
		"transport = udp\n"
		"nodes = 3\n"
		"node_labels = Front door, Front door (motion)\n"
		"on_demand = no\n"
		"max_fps = 15\n"
		"connect_timeout = 5s\n"
		"stall_timeout = 7.5\n"
		"\n"
		"[garage]\n"
		"url = http://10.0.0.5/video.mjpg\n"
		"[snap]\n"
		"url = http://10.0.0.6/snapshot.jpg\n"
		"type = snapshot\n"
		"snapshot_interval = 0.5\n"
		"[demo]\n"
		"url = testsrc://\n"
		"size = 320x240\n";
	struct netcam_config cfg;
	struct cam_config *c;
	char err[512], url[2048];
	int rc = config_parse_string(good, "t.conf", &cfg, err, sizeof(err));

	CHECK(rc == 0, "good config parses: %s", err);
	if (rc)
		return;
	CHECK(cfg.num_cameras == 4, "4 cameras, got %d", cfg.num_cameras);
	CHECK(!strcmp(cfg.user, "camuser"), "user");
	CHECK(cfg.log_level == 7, "log_level debug");
	c = config_find(&cfg, "front-door");
	CHECK(c && !strcmp(c->label, "Front door"), "label");
	CHECK(c && c->type == SRC_TYPE_RTSP && c->transport == TRANSPORT_UDP, "rtsp udp");
	CHECK(c && c->num_nodes == 3 && !strcmp(c->node_labels[1], "Front door (motion)") &&
	      !c->node_labels[2][0], "node labels");
	CHECK(c && c->always_on == 1, "on_demand = no means always_on");
	CHECK(c && c->max_fps == 15 && c->connect_timeout == 5 && c->stall_timeout == 7.5,
	      "numbers");
	CHECK(c && !strcmp(c->password, "p@ss:w/rd#;x"), "password kept verbatim");
	CHECK(c && config_effective_url(c, url, sizeof(url)) == 0 &&
	      !strcmp(url, "rtsp://admin:p%40ss%3Aw%2Frd%23%3Bx@192.168.1.20:554/stream1"),
	      "effective url percent-encodes credentials: %s", url);
	c = config_find(&cfg, "garage");
	CHECK(c && c->type == SRC_TYPE_MJPEG && c->always_on == 0 && c->num_nodes == 2,
	      "http defaults to mjpeg, on demand, 2 nodes");
	CHECK(c && c->linger == 10, "linger defaults to 10 s: a re-open finds the camera connected");
	CHECK(c && config_effective_url(c, url, sizeof(url)) == 0 &&
	      !strcmp(url, "http://10.0.0.5/video.mjpg"), "no credentials: url unchanged");
	c = config_find(&cfg, "snap");
	CHECK(c && c->type == SRC_TYPE_SNAPSHOT && c->snapshot_interval == 0.5, "snapshot");
	c = config_find(&cfg, "demo");
	CHECK(c && c->type == SRC_TYPE_TEST && c->width == 320 && c->height == 240, "test source");
	CHECK(!config_find(&cfg, "nope"), "unknown camera not found");
	config_free(&cfg);

	expect_error("[a]\nurl = rtsp://x/\nfoo = 1\n", "t.conf:3: camera 'a': key 'foo': unknown key");
	expect_error("[a]\nlabel = x\n", "t.conf:1: camera 'a': key 'url': missing");
	expect_error("[a]\nurl = ftp://x/\n", "t.conf:2: camera 'a': key 'url': unsupported URL");
	expect_error("[a]\nurl = rtsp://x/\nnodes = 9\n", "t.conf:3: camera 'a': key 'nodes': 9 is out of range 1..8");
	expect_error("[a]\nurl = rtsp://x/\ntransport = sctp\n", "key 'transport': 'sctp' is not one of tcp, udp, auto");
	expect_error("[a]\nurl = rtsp://x/\nalways_on = maybe\n", "key 'always_on': 'maybe' is not a boolean");
	expect_error("[a]\nurl = rtsp://x/\nread_timeout = -1\n", "key 'read_timeout': -1 s is out of range");
	expect_error("[a]\nurl = rtsp://x/\nsize = 641x480\n", "key 'size': size 641x480 must be even");
	expect_error("[a]\nurl = rtsp://x/\n[a]\nurl = rtsp://y/\n", "t.conf:3: camera 'a' is defined twice");
	expect_error("[bad name]\nurl = rtsp://x/\n", "t.conf:1: camera name 'bad name'");
	expect_error("[a]\nurl = rtsp://u:p@x/\nusername = u\n", "key 'url': credentials both in the url");
	expect_error("[a]\nurl = rtsp://x/\nusername = u\npassword = p\npassword_file = /etc/p\n",
		     "key 'password_file': give either password or password_file");
	expect_error("[a]\nurl = rtsp://x/\npassword = p\n", "key 'username': missing");
	expect_error("[a]\nurl = rtsp://x/\njunk\n", "t.conf:3: camera 'a': expected 'key = value'");
	expect_error("[a]\nurl = http://x/\ntype = rtsp\n", "key 'type': type rtsp does not fit");
	expect_error("[global]\nuser =\n", "t.conf:2: key 'user': empty user name");
	expect_error("[a]\nurl = rtsp://x/\nlabel = 0123456789012345678901234567890123\n",
		     "key 'label': label '0123456789012345678901234567890123' is longer than 31 bytes");
	expect_error("[a]\nurl = rtsp://x/\nnodes = 1\nnode_labels = a, b\n", "key 'node_labels': more labels than nodes");
	/* A bad URL is not echoed in full (it could hold a password). */
	{
		struct netcam_config cfg2;

		config_parse_string("[a]\nurl = gopher://user:SECRETPW1234567890123456789012345@x/\n",
				    "t.conf", &cfg2, err, sizeof(err));
		CHECK(!strstr(err, "SECRETPW") && strstr(err, "gopher://user:***@x/"),
		      "bad URL echoed redacted: %s", err);
	}
}

static void test_redact(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "rtsp://admin:secret@10.0.0.1:554/s1", "rtsp://admin:***@10.0.0.1:554/s1" },
		{ "rtsp://admin@10.0.0.1/s1", "rtsp://admin@10.0.0.1/s1" },
		{ "rtsp://10.0.0.1/s1", "rtsp://10.0.0.1/s1" },
		{ "http://u:p%40ss@cam/x?a=1", "http://u:***@cam/x?a=1" },
		{ "http://u:p@ss@cam/x", "http://u:***@cam/x" },
		{ "http://cam/snap.cgi?user=admin&pwd=hunter2&res=1",
		  "http://cam/snap.cgi?user=admin&pwd=***&res=1" },
		{ "http://cam/s?password=x#frag", "http://cam/s?password=***#frag" },
		{ "/var/lib/clip.mp4", "/var/lib/clip.mp4" },
		{ "testsrc://", "testsrc://" },
	};
	char out[256], line[256];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		url_redact(cases[i].in, out, sizeof(out));
		CHECK(!strcmp(out, cases[i].out), "redact %s: got %s want %s",
		      cases[i].in, out, cases[i].out);
	}
	url_redact("rtsp://admin:secret@10.0.0.1/s1", out, 12);
	CHECK(strlen(out) == 11, "redact truncates safely");

	log_add_secret("hunter2!");
	snprintf(line, sizeof(line), "auth hunter2! and hunter2%%21 done");
	log_scrub(line, sizeof(line));
	CHECK(!strcmp(line, "auth *** and *** done"), "scrub: %s", line);
	log_add_secret("ab");
	snprintf(line, sizeof(line), "xabx");
	log_scrub(line, sizeof(line));
	CHECK(!strcmp(line, "x***x"), "scrub short secret: %s", line);
	CHECK(url_encode_userinfo("a b:c@d", out, sizeof(out)) == 0 &&
	      !strcmp(out, "a%20b%3Ac%40d"), "encode userinfo: %s", out);
	CHECK(url_encode_userinfo("abcdef", out, 4) < 0, "encode overflow detected");
}

static int count_fmt(const struct netcam_mode *m, int n, unsigned int fmt)
{
	int c = 0;

	for (int i = 0; i < n; i++)
		c += m[i].pixelformat == fmt;
	return c;
}

static void test_modes(void)
{
	struct netcam_mode m[NETCAM_MAX_MODES];
	struct native_mode nat = { 1920, 1080, 25, 1, 0 };
	int n = modes_build(&nat, 0, m, NETCAM_MAX_MODES), num, den, dup = 0;

	/* 4 raw formats x 4 sizes (1920, 1280, 640, 320 wide) x 4 rates (25, 15, 10, 5, 1 -> 5) */
	CHECK(n == 4 * 4 * 5, "1080p25 H.264: %d modes", n);
	CHECK(m[0].pixelformat == V4L2_PIX_FMT_YUYV && m[0].width == 1920 &&
	      m[0].height == 1080 && m[0].interval_num == 1 && m[0].interval_den == 25,
	      "first mode is YUYV native at native rate");
	CHECK(count_fmt(m, n, V4L2_PIX_FMT_MJPEG) == 0, "no MJPEG for H.264");
	for (int i = 0; i < n; i++) {
		CHECK(!(m[i].width & 1) && !(m[i].height & 1) && m[i].width >= 16 &&
		      m[i].height >= 16, "mode %d even %ux%u", i, m[i].width, m[i].height);
		CHECK(m[i].width * 1080 == m[i].height * 1920 ||
		      abs((int)(m[i].width * 1080) - (int)(m[i].height * 1920)) < 1920 * 2,
		      "mode %d keeps the aspect: %ux%u", i, m[i].width, m[i].height);
		for (int j = 0; j < i; j++)
			dup += !memcmp(&m[i], &m[j], sizeof(m[i]));
	}
	CHECK(dup == 0, "no duplicate modes");

	nat = (struct native_mode){ 640, 480, 30, 1, 1 };
	n = modes_build(&nat, 0, m, NETCAM_MAX_MODES);
	CHECK(count_fmt(m, n, V4L2_PIX_FMT_MJPEG) == 5, "MJPEG camera: MJPG at native size, 5 rates (%d)",
	      count_fmt(m, n, V4L2_PIX_FMT_MJPEG));
	CHECK(n == 4 * 2 * 5 + 5, "640x480: 2 sizes, got %d modes", n);
	CHECK(m[n - 1].pixelformat == V4L2_PIX_FMT_MJPEG && m[n - 1].width == 640, "MJPG last");

	nat = (struct native_mode){ 1280, 720, 30, 1, 0 };
	n = modes_build(&nat, 12, m, NETCAM_MAX_MODES);
	CHECK(m[0].interval_num == 1 && m[0].interval_den == 12, "max_fps caps the native rate: %u/%u",
	      m[0].interval_num, m[0].interval_den);
	for (int i = 0; i < n; i++)
		CHECK(m[i].interval_den <= 12 * m[i].interval_num, "mode %d within cap", i);

	nat = (struct native_mode){ 320, 240, 30000, 1001, 0 };
	n = modes_build(&nat, 0, m, NETCAM_MAX_MODES);
	CHECK(n == 4 * 5 && m[0].interval_num == 1001 && m[0].interval_den == 30000,
	      "29.97 fps kept exactly: %d modes %u/%u", n, m[0].interval_num, m[0].interval_den);
	nat = (struct native_mode){ 8, 8, 25, 1, 0 };
	CHECK(modes_build(&nat, 0, m, NETCAM_MAX_MODES) < 0, "too small native size refused");
	nat = (struct native_mode){ 640, 480, 1, 1, 0 };
	n = modes_build(&nat, 0, m, NETCAM_MAX_MODES);
	CHECK(n == 4 * 2, "1 fps: no lower rates (%d)", n);
	n = modes_build(&(struct native_mode){ 1920, 1080, 25, 1, 1 }, 0, m, 10);
	CHECK(n == 10, "respects max");

	modes_rate_fraction(29.97, &num, &den);
	CHECK(num == 30000 && den == 1001, "29.97 -> 30000/1001 (%d/%d)", num, den);
	modes_rate_fraction(12.5, &num, &den);
	CHECK(num == 25 && den == 2, "12.5 -> 25/2 (%d/%d)", num, den);
	modes_rate_fraction(2, &num, &den);
	CHECK(num == 2 && den == 1, "2 -> 2/1");
}

static void test_backoff(void)
{
	CHECK(source_backoff(1, 60, 0, 0.5) == 1.0, "first retry after min");
	CHECK(source_backoff(1, 60, 3, 0.5) == 8.0, "doubles");
	CHECK(source_backoff(1, 60, 10, 0.5) == 60.0, "capped");
	CHECK(source_backoff(1, 60, 1000, 0.5) == 60.0, "capped, no overflow");
	CHECK(source_backoff(1, 60, 10, 0.0) >= 48.0 && source_backoff(1, 60, 10, 0.999) <= 72.0,
	      "jitter within +-20%%");
}

#define SEC 1000000000ULL

static void test_reason_normalise(void)
{
	char a[RETRY_REASON_MAX], b[RETRY_REASON_MAX], last[RETRY_REASON_MAX] = "";

	retry_reason_normalise("read: Connection reset (after 1234 bytes, 2.5 s, port 8554)", a,
			       sizeof(a));
	CHECK(!strcmp(a, "read: Connection reset (after # bytes, # s, port #)"),
	      "numbers become '#' (%s)", a);
	retry_reason_normalise("read: Connection reset (after 99 bytes, 10.25 s, port 8554)", b,
			       sizeof(b));
	CHECK(!strcmp(a, b), "two attempts' reasons compare equal");
	retry_reason_normalise("0123456789", a, 4);
	CHECK(!strcmp(a, "#"), "a short buffer holds what fits");
	CHECK(retry_reason_changed(last, sizeof(last), "timed out after 4 s"), "a first reason is new");
	CHECK(!retry_reason_changed(last, sizeof(last), "timed out after 5 s"),
	      "the same reason with another number is not");
	CHECK(retry_reason_changed(last, sizeof(last), "connection refused"), "another reason is");
}

/* A camera that gives a frame and drops, again and again: the backoff
 * must grow to its cap and the log must say so once, not per retry. */
static void test_retry_flapping(void)
{
	struct retry r;
	uint64_t t = 100 * SEC;
	int lost = 0, unstable = 0, arrives = 0, quiet = 0;
	double d = 0;

	retry_reset(&r);
	for (int i = 0; i < 20; i++) {
		arrives += retry_video(&r, t);
		CHECK(!retry_frame(&r, t + SEC / 10), "one frame is not health");
		switch (retry_end(&r, t + SEC / 2, "end of stream")) {
		case RETRY_LOST: lost++; break;
		case RETRY_UNSTABLE: unstable++; break;
		case RETRY_QUIET: quiet++; break;
		default: break;
		}
		d = retry_delay(&r, 1, 60, 0.5);
		t += SEC / 2 + (uint64_t)(d * SEC);
	}
	CHECK(lost == 1 && unstable == 1 && quiet == 18,
	      "logged once lost, once unstable (lost %d, unstable %d, quiet %d)", lost, unstable, quiet);
	CHECK(arrives == 2, "'video arrives' twice, then quiet (%d)", arrives);
	CHECK(d == 60.0, "the backoff reached its cap (%g s)", d);

	/* now it streams for good: stable again, once, and the backoff
	 * starts over after the next loss */
	retry_video(&r, t);
	CHECK(!retry_frame(&r, t + 29 * SEC), "29 s is not yet healthy");
	CHECK(retry_frame(&r, t + 31 * SEC), "31 s: stable again");
	CHECK(!retry_frame(&r, t + 32 * SEC), "said once");
	CHECK(retry_end(&r, t + 40 * SEC, "end of stream") == RETRY_LOST, "a later loss is news");
	d = retry_delay(&r, 1, 60, 0.5);
	CHECK(d == 1.0, "and retried after backoff_min (%g s)", d);
}

/* A camera that is down: one line per distinct reason, the backoff grows. */
static void test_retry_down(void)
{
	struct retry r;
	int failed_lines = 0;
	double d = 0;

	retry_reset(&r);
	for (int i = 0; i < 10; i++) {
		char why[64];

		snprintf(why, sizeof(why), "connect to port %d: refused (%d ms)", 8554, 10 + i);
		failed_lines += retry_end(&r, (uint64_t)(i + 1) * SEC, why) == RETRY_FAILED;
		d = retry_delay(&r, 0.5, 8, 0.5);
	}
	CHECK(failed_lines == 1, "one line for one reason (%d)", failed_lines);
	CHECK(d == 8.0, "the backoff reached its cap (%g s)", d);
	CHECK(retry_end(&r, 20 * SEC, "authentication failed") == RETRY_FAILED, "a new reason is said");
	/* nobody streams: afresh */
	retry_reset(&r);
	CHECK(retry_delay(&r, 0.5, 8, 0.5) == 0.5, "idle restarts the backoff");
	/* a camera healthy for a while that drops: said, and retried soon */
	retry_reset(&r);
	retry_video(&r, 50 * SEC);
	CHECK(retry_end(&r, 200 * SEC, "timed out") == RETRY_LOST, "lost after a long stream");
	CHECK(retry_delay(&r, 0.5, 8, 0.5) == 0.5, "retried after backoff_min");
}

/* A JPEG built by hand: 32x16 pixels of grey, 4:2:0 (two MCUs of 16x16),
 * no DHT (the standard tables), restart interval 1, so one RST0 between
 * the MCUs. With those tables a block of zeros is "00" (DC 0) "1010"
 * (EOB) in luma and "00" "00" in chroma: 4 x 6 + 2 x 4 = 32 bits. */
static size_t build_jpeg(uint8_t *out, bool with_dri)
{
	static const uint8_t head[] = {
		0xff, 0xd8,				/* SOI */
		0xff, 0xe0, 0x00, 0x06, 'A', 'V', 'I', '1',	/* APP0 */
		0xff, 0xdb, 0x00, 0x04, 0x00, 0x01,	/* DQT (short stand-in) */
		0xff, 0xc0, 0x00, 0x11, 0x08, 0x00, 0x10, 0x00, 0x20, 0x03,
		0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01,	/* SOF0 */
	};
	static const uint8_t dri[] = { 0xff, 0xdd, 0x00, 0x04, 0x00, 0x01 };
	static const uint8_t tail[] = {
		0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x11, 0x03, 0x11,
		0x00, 0x3f, 0x00,			/* SOS */
		0x28, 0xa2, 0x8a, 0x00,			/* MCU 0 */
		0xff, 0xd0,				/* RST0 */
		0x28, 0xa2, 0x8a, 0x00,			/* MCU 1 */
		0xff, 0xd9,				/* EOI */
	};
	size_t n = 0;

	memcpy(out + n, head, sizeof(head));
	n += sizeof(head);
	if (with_dri) {
		memcpy(out + n, dri, sizeof(dri));
		n += sizeof(dri);
	}
	for (size_t i = 0; i < sizeof(tail); i++)
		if (with_dri || i < 18 || i >= 20)	/* no DRI: no RST0 */
			out[n++] = tail[i];
	return n;
}

static bool jpeg_ok(const uint8_t *j, size_t n, const char *want_why)
{
	char why[160] = "";
	bool ok = jpeg_is_whole(j, n, why, sizeof(why));

	if (want_why && !strstr(why, want_why))
		printf("  reason was '%s'\n", why);
	return ok && !want_why ? true : !ok && want_why && strstr(why, want_why);
}

static void test_jpeg(void)
{
	uint8_t j[128], k[160];
	size_t n = build_jpeg(j, true), rst;

	CHECK(jpeg_ok(j, n, NULL), "a whole JPEG passes");
	memcpy(k, j, n);
	memcpy(k + n, "\r\n\0\0", 4);
	CHECK(jpeg_ok(k, n + 4, NULL), "bytes after the end of image are allowed");
	CHECK(jpeg_ok(j, build_jpeg(j, false), NULL), "no restart interval: no restart markers needed");
	n = build_jpeg(j, true);
	CHECK(jpeg_ok(j, n - 2, "cut short"), "no EOI: cut short");
	CHECK(jpeg_ok(j, n - 5, "cut short"), "cut in the entropy data");
	CHECK(jpeg_ok(j, 30, "cut short in the 0xc0 segment"), "cut in the frame header");
	CHECK(jpeg_ok(j, 3, "not a JPEG"), "three bytes are not a JPEG");
	k[0] = 0;
	memcpy(k + 1, j, n);
	CHECK(jpeg_ok(k, n + 1, "not a JPEG"), "no SOI first");
	/* the RST0 and the MCU after it lost (a chunk missing in the middle) */
	for (rst = 0; rst + 1 < n && !(j[rst] == 0xff && j[rst + 1] == 0xd0); rst++)
		;
	memcpy(k, j, rst);
	memcpy(k + rst, j + rst + 4, n - rst - 4);
	CHECK(jpeg_ok(k, n - 4, "data damaged"), "half a lost restart interval is seen");
	memcpy(k, j, rst);
	memcpy(k + rst, j + rst + 6, n - rst - 6);
	CHECK(jpeg_ok(k, n - 6, "data lost"), "a lost restart interval and its data are seen");
	/* MCU 0 twice before the RST0: a repeated chunk */
	memcpy(k, j, rst);
	memcpy(k + rst, j + rst - 4, n - rst + 4);
	CHECK(jpeg_ok(k, n + 4, "left over"), "a repeated chunk is seen");
	/* a stuffed 0xff after MCU 0: fill, allowed */
	memcpy(k, j, rst);
	k[rst] = 0xff;
	k[rst + 1] = 0x00;
	memcpy(k + rst + 2, j + rst, n - rst);
	CHECK(jpeg_ok(k, n + 2, NULL), "fill bytes after the last block are allowed");
	/* MCU 0's last byte lost */
	memcpy(k, j, rst - 1);
	memcpy(k + rst - 1, j + rst, n - rst);
	CHECK(jpeg_ok(k, n - 1, ""), "a lost byte is seen");
	/* 16 one bits: no code of the luma DC table */
	memcpy(k, j, n);
	k[rst - 4] = 0xff;
	k[rst - 3] = 0x00;
	k[rst - 2] = 0xff;
	k[rst - 1] = 0x00;
	memcpy(k + rst, j + rst - 2, n - rst + 2);
	CHECK(jpeg_ok(k, n + 2, "invalid code"), "bits that are no code are seen");
	memcpy(k, j, n);
	k[rst + 1] = 0xd3;
	CHECK(jpeg_ok(k, n, "restart marker 3"), "restart markers out of order");
	memcpy(k, j, n);
	memmove(k + rst + 1, k + rst, n - rst);
	CHECK(jpeg_ok(k, n + 1, NULL), "a fill byte before a restart marker is allowed");
	memcpy(k, j, n);
	k[rst + 1] = 0xd8;
	CHECK(jpeg_ok(k, n, ""), "SOI inside the picture data is not whole");
	memcpy(k, j, n);
	k[12] = 0x00;
	k[13] = 0x40;			/* DQT's length points past the end */
	CHECK(jpeg_ok(k, n, "cut short in the 0xdb segment"), "a segment longer than the part");
	memcpy(k, j, 22);		/* up to and with SOF0's height */
	k[20] = 0x01;
	CHECK(!jpeg_is_whole(k, 22, NULL, 0), "no reason buffer: still false, no crash");
	/* a second frame header, then a scan before any frame header */
	memcpy(k, j, 35);
	memcpy(k + 35, j + 16, n - 16);
	CHECK(jpeg_ok(k, 35 + n - 16, "second frame header"), "two frame headers");
	memcpy(k, j, 16);
	memcpy(k + 16, j + 35 + 6, n - 35 - 6);
	CHECK(jpeg_ok(k, 16 + n - 41, "before the frame header"), "a scan with no frame header");
	/* DNL: height 0 in the frame header, the MCU count is not known */
	memcpy(k, j, n);
	k[21] = 0x00;
	k[22] = 0x00;
	CHECK(jpeg_ok(k, n, NULL), "height given later (DNL): restart count not checked");
	/* every length and cut of the whole part: never a read past the end */
	for (size_t cut = 0; cut < n; cut++)
		CHECK(!jpeg_is_whole(j, cut, NULL, 0), "cut at %zu is not whole", cut);
	/* random damage: never a crash or a read out of bounds (ASan run) */
	srand(7);
	for (int round = 0; round < 20000; round++) {
		size_t len = n;

		memcpy(k, j, n);
		for (int hits = 1 + rand() % 4; hits > 0; hits--)
			k[rand() % len] = (uint8_t)(rand() & 1 ? rand() : 0xff);
		if (rand() % 4 == 0)
			len = (size_t)rand() % n;
		jpeg_is_whole(k, len, NULL, 0);
	}
}

/* Digest answers: RFC 2617's own example, and Motion's challenge. */
static void test_digest(void)
{
	struct digest_challenge ch;
	char out[1024];
	int n;

	CHECK(digest_parse("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
			   "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
			   "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"", &ch),
	      "RFC 2617's challenge parses");
	CHECK(!strcmp(ch.realm, "testrealm@host.com") && ch.qop_auth && !ch.sess &&
	      !strcmp(ch.opaque, "5ccc069c403ebaf9f0171e9517f40e41"), "its parameters");
	CHECK(!digest_ffmpeg_refuses(&ch), "no algorithm: FFmpeg answers it");
	n = digest_authorization(&ch, "Mufasa", "Circle Of Life", "GET", "/dir/index.html",
				 "0a4f113b", 1, out, sizeof(out));
	CHECK(n > 0 && strstr(out, "response=\"6629fae49393a05397450978507c4ef1\"") &&
	      strstr(out, "nc=00000001") && strstr(out, "cnonce=\"0a4f113b\"") &&
	      strstr(out, "uri=\"/dir/index.html\"") && !strcmp(out + n - 2, "\r\n"),
	      "RFC 2617's response: %s", out);
	CHECK(digest_authorization(&ch, "Mufasa", "Circle Of Life", "GET", "/dir/index.html",
				   "0a4f113b", 1, out, 60) < 0, "too small a buffer fails");
	CHECK(digest_authorization(&ch, "Mu\"fasa", "x", "GET", "/", "c", 1, out, sizeof(out)) < 0,
	      "a quote in the user name is refused");
	CHECK(digest_parse("Digest realm=\"Motion\",qop=\"auth\",nonce=\"c126417d0000000a\","
			   "opaque=\"00d5dcbc009e0108\",algorithm=md5", &ch),
	      "Motion's challenge parses");
	CHECK(digest_ffmpeg_refuses(&ch), "algorithm=md5: FFmpeg refuses it");
	n = digest_authorization(&ch, "viewer", "secret", "GET", "/", "abc", 1, out, sizeof(out));
	CHECK(n > 0 && strstr(out, "algorithm=md5") && strstr(out, "opaque=\"00d5dcbc009e0108\""),
	      "the algorithm is echoed as given: %s", out);
	CHECK(digest_parse("digest NONCE=abc, ALGORITHM=MD5-SESS, qop=auth", &ch) && ch.sess &&
	      !strcmp(ch.nonce, "abc"), "names and scheme in any case, bare tokens");
	CHECK(!digest_parse("Basic realm=\"x\"", &ch), "basic is not digest");
	CHECK(!digest_parse("Digest realm=\"x\"", &ch), "no nonce");
	CHECK(!digest_parse("Digest nonce=\"n\", algorithm=SHA-256", &ch), "SHA-256 is not ours");
	CHECK(!digest_parse("Digest nonce=\"n\", qop=\"auth-int\"", &ch), "auth-int only");
	CHECK(digest_parse("Digest nonce=\"a\\\"b\", realm=", &ch) && !strcmp(ch.nonce, "a\"b"),
	      "escaped quote, value missing at the end");
}

/* A camera that damages every part at 25 fps for 3 minutes: a line at
 * once, then one a minute with the count. */
static void test_damage_log(void)
{
	struct damage_log d = { 0 };
	unsigned long lines = 0, reported = 0, n;
	const uint64_t sec = 1000000000ULL;

	for (uint64_t t = 5 * sec; t < 185 * sec; t += sec / 25) {
		n = damage_note(&d, t, "no end of image");
		if (n) {
			lines++;
			reported += n;
		}
	}
	CHECK(lines == 3 || lines == 4, "a line a minute, not one per picture: %lu", lines);
	CHECK(reported + d.unsaid == 180 * 25, "every damaged picture counted: %lu + %lu",
	      reported, d.unsaid);
	CHECK(d.since_clean == 180 * 25 && !strcmp(d.last, "no end of image"),
	      "the newest reason kept");
}

int main(void)
{
	test_config();
	test_redact();
	test_modes();
	test_backoff();
	test_reason_normalise();
	test_retry_flapping();
	test_retry_down();
	test_jpeg();
	test_damage_log();
	test_digest();
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
