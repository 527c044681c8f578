// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam uAPI selftests (kselftest harness).
 *
 * Needs netcam.ko loaded and root. Every test creates its own cameras under
 * unique names and removes them in teardown. The limits test creates
 * cameras up to VERSION.max_cameras (the VM suite loads the module with
 * max_cameras=4).
 */
#define _GNU_SOURCE
#include <grp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/userfaultfd.h>

#include "netcam_test_util.h"
#include "kselftest_harness.h"

#define MAX_CAMS	80
#define MAX_VFDS	16
#define MAX_STREAMS	4

FIXTURE(netcam) {
	int ctl;
	int ncams;
	char names[MAX_CAMS][NETCAM_NAME_LEN];
	int feeds[MAX_CAMS];
	int vfds[MAX_VFDS];
	int nvfds;
	struct nc_stream streams[MAX_STREAMS];
	pid_t child;
	void *bad_page;
	unsigned int name_seq;
};

FIXTURE_SETUP(netcam)
{
	int i;

	self->ctl = -1;
	self->child = -1;
	for (i = 0; i < MAX_CAMS; i++)
		self->feeds[i] = -1;
	for (i = 0; i < MAX_VFDS; i++)
		self->vfds[i] = -1;
	/* A page nobody may touch, for EFAULT tests. */
	self->bad_page = mmap(NULL, 4096, PROT_NONE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->bad_page);
	self->ctl = open(NC_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (self->ctl < 0)
		TH_LOG("open %s: %s", NC_CTL_PATH, strerror(errno));
}

FIXTURE_TEARDOWN(netcam)
{
	int i;

	if (self->child > 0) {
		kill(self->child, SIGKILL);
		waitpid(self->child, NULL, 0);
	}
	for (i = 0; i < MAX_STREAMS; i++) {
		if (self->streams[i].streaming)
			nc_streamoff(&self->streams[i]);
		nc_stream_free(&self->streams[i]);
	}
	for (i = 0; i < MAX_VFDS; i++)
		if (self->vfds[i] >= 0)
			close(self->vfds[i]);
	for (i = 0; i < self->ncams; i++) {
		if (self->names[i][0] && self->ctl >= 0) {
			int ret = nc_remove(self->ctl, self->names[i]);

			if (ret && ret != -ENOENT)
				TH_LOG("teardown: remove %s: %s",
				       self->names[i], strerror(-ret));
		}
		if (self->feeds[i] >= 0)
			close(self->feeds[i]);
	}
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->bad_page && self->bad_page != MAP_FAILED)
		munmap(self->bad_page, 4096);
}

/* Every test starts with this: skip cleanly without the module. */
#define REQUIRE_NETCAM() do { \
	if (self->ctl < 0) \
		SKIP(return, "%s not available (netcam.ko not loaded?)", \
		     NC_CTL_PATH); \
} while (0)

typedef FIXTURE_DATA(netcam) nc_self_t;

/* A unique camera name for this test process. */
static const char *uname_(nc_self_t *self, const char *tag, char *buf)
{
	snprintf(buf, NETCAM_NAME_LEN, "kst%d.%u-%s", (int)getpid(),
		 self->name_seq++, tag);
	return buf;
}

/* Register a name so teardown removes it; returns its slot. */
static int track_name(nc_self_t *self, const char *name)
{
	int i;

	for (i = 0; i < self->ncams; i++)
		if (!strncmp(self->names[i], name, NETCAM_NAME_LEN))
			return i;
	if (self->ncams >= MAX_CAMS)
		return -1;
	snprintf(self->names[self->ncams], NETCAM_NAME_LEN, "%s", name);
	return self->ncams++;
}

/* CREATE; on success the camera and its feed fd are tracked. -errno. */
static int cam_create(nc_self_t *self, struct netcam_create *cr)
{
	char name[NETCAM_NAME_LEN + 1];
	int ret, slot;

	memcpy(name, cr->name, NETCAM_NAME_LEN);
	name[NETCAM_NAME_LEN] = 0;
	ret = nc_ioctl(self->ctl, NETCAM_IOC_CREATE, cr);
	if (ret)
		return ret;
	slot = track_name(self, name);
	if (slot >= 0) {
		if (self->feeds[slot] >= 0)
			close(self->feeds[slot]);
		self->feeds[slot] = cr->fd;
	}
	return 0;
}

/* Close a tracked feed fd (detach the helper). */
static void feed_close(nc_self_t *self, int fd)
{
	int i;

	for (i = 0; i < self->ncams; i++)
		if (self->feeds[i] == fd)
			self->feeds[i] = -1;
	close(fd);
}

static int track_vfd(nc_self_t *self, int fd)
{
	if (fd >= 0 && self->nvfds < MAX_VFDS)
		self->vfds[self->nvfds++] = fd;
	return fd;
}

/* Modes used by most tests. */
static const struct netcam_mode std_modes[] = {
	{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 15, { 0 } },
	{ V4L2_PIX_FMT_YUYV, 320, 240, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_GREY, 320, 240, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_GREY, 320, 240, 1, 10, { 0 } },
	{ V4L2_PIX_FMT_NV12, 320, 240, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_YUV420, 160, 120, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_MJPEG, 640, 480, 1, 30, { 0 } },
};
#define N_STD_MODES (sizeof(std_modes) / sizeof(std_modes[0]))

/* Small modes for frame tests. */
static const struct netcam_mode small_modes[] = {
	{ V4L2_PIX_FMT_YUYV, 160, 120, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_GREY, 160, 120, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_YUYV, 320, 240, 1, 30, { 0 } },
	{ V4L2_PIX_FMT_MJPEG, 160, 120, 1, 30, { 0 } },
};
#define N_SMALL_MODES (sizeof(small_modes) / sizeof(small_modes[0]))

/* Create a camera with default settings; ASSERTs success. */
#define CREATE_OK(cr, tag, nodes, modes, nmodes) do { \
	char __n[NETCAM_NAME_LEN]; \
	nc_fill_create((cr), uname_(self, (tag), __n), NULL, (nodes), NULL, \
		       (modes), (nmodes)); \
	ASSERT_EQ(0, cam_create(self, (cr))); \
	ASSERT_GE((cr)->fd, 0); \
} while (0)

/* LIST entry of a camera; ASSERTs it exists. */
#define FIND_OK(name, info) \
	ASSERT_EQ(1, nc_find(self->ctl, (name), (info)))

/* Read the next event and check type/node/sequence. */
#define EXPECT_EVENT(feed, ev, seq, _type, _node) do { \
	int __r = nc_read_event((feed), (ev), 2000); \
	ASSERT_EQ(1, __r) TH_LOG("no %s event for node %u", \
				 nc_event_name(_type), (unsigned int)(_node)); \
	EXPECT_EQ((__u32)(_type), (ev)->type) \
		TH_LOG("got %s", nc_event_name((ev)->type)); \
	EXPECT_EQ((__u32)(_node), (ev)->node); \
	EXPECT_EQ((__u32)(seq), (ev)->sequence); \
	(seq)++; \
} while (0)

#define EXPECT_NO_EVENT(feed, ms) do { \
	struct netcam_event __e; \
	int __r = nc_read_event((feed), &__e, (ms)); \
	EXPECT_EQ(0, __r) TH_LOG("unexpected %s event node %u seq %u", \
				 nc_event_name(__e.type), __e.node, \
				 __e.sequence); \
} while (0)

/* Read events until one of type arrives for node; ASSERTs within 2 s. */
static int wait_event(int feed, __u32 type, __u32 node, struct netcam_event *ev)
{
	int64_t deadline = nc_now_ns() + 2000000000LL;

	while (nc_now_ns() < deadline) {
		int r = nc_read_event(feed, ev, 200);

		if (r < 0)
			return r;
		if (r == 1 && ev->type == type && ev->node == node)
			return 1;
	}
	return 0;
}

static void drain_events(int feed)
{
	struct netcam_event ev;

	while (nc_read_event(feed, &ev, 50) == 1)
		;
}

/* ------------------------------------------------------------------ */

TEST_F(netcam, version)
{
	struct netcam_version v;
	unsigned int i;

	REQUIRE_NETCAM();
	memset(&v, 0xa5, sizeof(v));
	ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_VERSION, &v));
	EXPECT_EQ(NETCAM_VERSION_MAJOR, v.major);
	EXPECT_GT(v.max_cameras, 0U);
	EXPECT_NE(0xa5a5a5a5U, v.max_cameras);
	EXPECT_NE(0xa5a5a5a5U, v.minor);
	for (i = 0; i < 5; i++)
		EXPECT_EQ(0U, v.reserved[i]) TH_LOG("reserved[%u]", i);
	/* bad pointer */
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_VERSION,
				    self->bad_page));
}

TEST_F(netcam, create_list_remove)
{
	static const char *const labels[2] = { "Front door", "Front door motion" };
	struct netcam_camera_info info;
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];
	int vnr[2], i, flags;

	REQUIRE_NETCAM();
	nc_fill_create(&cr, uname_(self, "clr", name), "Front door cam", 2,
		       labels, std_modes, N_STD_MODES);
	ASSERT_EQ(0, cam_create(self, &cr));
	ASSERT_GE(cr.fd, 0);
	EXPECT_EQ(0U, cr.flags_out);
	flags = fcntl(cr.fd, F_GETFD);
	EXPECT_TRUE(flags >= 0 && (flags & FD_CLOEXEC))
		TH_LOG("feed fd must be O_CLOEXEC");

	FIND_OK(name, &info);
	EXPECT_STREQ(name, info.name);
	EXPECT_STREQ("Front door cam", info.label);
	EXPECT_EQ(cr.id, info.id);
	EXPECT_EQ(2U, info.num_nodes);
	EXPECT_EQ(NETCAM_CAMERA_FEED_ATTACHED | NETCAM_CAMERA_SIGNAL,
		  info.flags & (NETCAM_CAMERA_FEED_ATTACHED | NETCAM_CAMERA_SIGNAL));
	EXPECT_EQ(0U, info.streaming_mask);
	for (i = 0; i < 8; i++)
		EXPECT_EQ(0U, info.reserved[i]);
	for (i = 2; i < NETCAM_MAX_NODES; i++)
		EXPECT_EQ(-1, info.video_nr[i]) TH_LOG("video_nr[%d]", i);
	for (i = 0; i < 2; i++) {
		struct v4l2_capability cap;
		__u32 dc;
		int fd;

		vnr[i] = info.video_nr[i];
		ASSERT_GE(vnr[i], 0);
		fd = nc_open_video(vnr[i]);
		ASSERT_GE(fd, 0) TH_LOG("/dev/video%d: %s", vnr[i], strerror(-fd));
		memset(&cap, 0, sizeof(cap));
		ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_QUERYCAP, &cap));
		close(fd);
		EXPECT_STREQ(labels[i], (char *)cap.card);
		dc = cap.device_caps & ~V4L2_CAP_EXT_PIX_FORMAT;
		EXPECT_EQ(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
			  V4L2_CAP_READWRITE, dc)
			TH_LOG("device_caps 0x%08x", cap.device_caps);
		EXPECT_TRUE(cap.capabilities & V4L2_CAP_DEVICE_CAPS);
		EXPECT_EQ(0U, cap.capabilities &
			  (V4L2_CAP_VIDEO_OUTPUT | V4L2_CAP_VIDEO_OUTPUT_MPLANE |
			   V4L2_CAP_VIDEO_M2M | V4L2_CAP_VIDEO_M2M_MPLANE |
			   V4L2_CAP_VIDEO_CAPTURE_MPLANE))
			TH_LOG("capabilities 0x%08x", cap.capabilities);
		EXPECT_EQ(V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
			  V4L2_CAP_READWRITE | V4L2_CAP_DEVICE_CAPS,
			  cap.capabilities & ~V4L2_CAP_EXT_PIX_FORMAT)
			TH_LOG("capabilities 0x%08x", cap.capabilities);
	}
	EXPECT_NE(vnr[0], vnr[1]);

	ASSERT_EQ(0, nc_remove(self->ctl, name));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));
	for (i = 0; i < 2; i++) {
		char path[64];
		int tries, gone = 0;

		snprintf(path, sizeof(path), "/dev/video%d", vnr[i]);
		for (tries = 0; tries < 100 && !gone; tries++) {
			int fd = open(path, O_RDWR | O_NONBLOCK);

			if (fd < 0 && (errno == ENOENT || errno == ENODEV ||
				       errno == ENXIO)) {
				gone = 1;
			} else {
				if (fd >= 0)
					close(fd);
				nc_sleep_ms(10);
			}
		}
		EXPECT_TRUE(gone) TH_LOG("%s still opens after REMOVE", path);
	}
	/*
	 * Header is silent on the feed fd of a removed camera; a mature
	 * driver answers ENODEV (the device is gone).
	 */
	{
		__u32 sz = nc_raw_size(V4L2_PIX_FMT_YUYV, 640, 480);
		unsigned char *b = calloc(1, sz);

		ASSERT_NE(NULL, b);
		EXPECT_EQ(-ENODEV, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 640,
					   480, b, sz));
		EXPECT_EQ(-ENODEV, nc_set_signal(cr.fd, NETCAM_SIGNAL_PRESENT));
		free(b);
	}
	/* A second remove of the same name: gone. */
	EXPECT_EQ(-ENOENT, nc_remove(self->ctl, name));
}

TEST_F(netcam, default_labels)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_capability cap;
	char name[NETCAM_NAME_LEN], pfx[NETCAM_NAME_LEN + 4];
	int fd;

	REQUIRE_NETCAM();
	nc_fill_create(&cr, uname_(self, "lbl", name), NULL, 2, NULL,
		       small_modes, N_SMALL_MODES);
	ASSERT_EQ(0, cam_create(self, &cr));
	FIND_OK(name, &info);
	EXPECT_STREQ(name, info.label) TH_LOG("empty label means the name");
	fd = nc_open_video(info.video_nr[0]);
	ASSERT_GE(fd, 0);
	memset(&cap, 0, sizeof(cap));
	ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_QUERYCAP, &cap));
	close(fd);
	EXPECT_STREQ(name, (char *)cap.card);
	fd = nc_open_video(info.video_nr[1]);
	ASSERT_GE(fd, 0);
	memset(&cap, 0, sizeof(cap));
	ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_QUERYCAP, &cap));
	close(fd);
	snprintf(pfx, sizeof(pfx), "%s (", name);
	EXPECT_EQ(0, strncmp((char *)cap.card, pfx, strlen(pfx)))
		TH_LOG("node 1 card '%s', want '%s N)'", cap.card, pfx);
}

TEST_F(netcam, remove_bad)
{
	struct netcam_remove rm;

	REQUIRE_NETCAM();
	EXPECT_EQ(-ENOENT, nc_remove(self->ctl, "kst-no-such-camera"));
	memset(&rm, 0, sizeof(rm));
	memset(rm.name, 'a', sizeof(rm.name));
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_REMOVE, &rm));
	memset(&rm, 0, sizeof(rm));
	strcpy(rm.name, "kst-no-such-camera");
	rm.reserved[7] = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_REMOVE, &rm));
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_REMOVE, self->bad_page));
}

TEST_F(netcam, unknown_ioctl)
{
	int v = 0;

	REQUIRE_NETCAM();
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, _IOR(NETCAM_IOC_MAGIC, 0x3f, int), &v));
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, _IO(NETCAM_IOC_MAGIC, 0x04), NULL));
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, VIDIOC_QUERYCAP, &v));
	/* right number, wrong size */
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, _IOR(NETCAM_IOC_MAGIC, 0x00, int), &v));
}

TEST_F(netcam, create_bad_reserved_flags)
{
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];
	unsigned int i;

	REQUIRE_NETCAM();
	uname_(self, "rsv", name);
	track_name(self, name);
	for (i = 0; i < 9; i++) {
		nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
		cr.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, cam_create(self, &cr)) TH_LOG("reserved[%u]", i);
	}
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	cr.flags = 1;
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	cr.flags = 0x80000000U;
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));
	/* nothing leaked: the name is still free */
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	EXPECT_EQ(0, cam_create(self, &cr));
}

TEST_F(netcam, create_bad_name)
{
	static const char *const bad[] = {
		"", "a/b", "a b", "a:b", "tab\there", "caf\xc3\xa9", "x\n",
		"caf\xe9", "\xc0\xc1", "a\x7f", "a+b",
	};
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN], esc[4 * NETCAM_NAME_LEN + 1];
	unsigned int i;

	REQUIRE_NETCAM();
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		nc_fill_create(&cr, bad[i], NULL, 1, NULL, small_modes, 1);
		EXPECT_EQ(-EINVAL, cam_create(self, &cr))
			TH_LOG("name '%s' accepted (bad[%u]; not [A-Za-z0-9._-])",
			       nc_escape(bad[i], esc, sizeof(esc)), i);
	}
	/* no NUL in 32 bytes */
	nc_fill_create(&cr, "", NULL, 1, NULL, small_modes, 1);
	memset(cr.name, 'a', sizeof(cr.name));
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* 31 characters and all allowed classes: fine */
	snprintf(name, sizeof(name), "kst%06d.Az-09_", (int)getpid() % 1000000);
	while (strlen(name) < NETCAM_NAME_LEN - 1)
		strcat(name, "x");
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	EXPECT_EQ(0, cam_create(self, &cr));
	EXPECT_EQ(1, nc_find(self->ctl, name, NULL));
}

TEST_F(netcam, create_bad_label)
{
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];

	REQUIRE_NETCAM();
	uname_(self, "lab", name);
	track_name(self, name);
	/* camera label without NUL */
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	memset(cr.label, 'x', sizeof(cr.label));
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* camera label not printable */
	nc_fill_create(&cr, name, "bad\x01label", 1, NULL, small_modes, 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* node label without NUL */
	nc_fill_create(&cr, name, NULL, 2, NULL, small_modes, 1);
	memset(cr.nodes[1].label, 'x', sizeof(cr.nodes[1].label));
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* node label not printable */
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	strcpy(cr.nodes[0].label, "a\nb");
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));
	/* UTF-8 / spaces / parentheses in a label are fine */
	nc_fill_create(&cr, name, "Garden (east) cam", 1, NULL, small_modes, 1);
	EXPECT_EQ(0, cam_create(self, &cr));
}

TEST_F(netcam, create_duplicate)
{
	struct netcam_create cr, cr2;
	struct netcam_list l;
	struct netcam_camera_info *infos;
	unsigned int i, n = 0;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "dup", 1, small_modes, 1);
	cr2 = cr;
	cr2.fd = -1;
	cr2.id = 0;
	EXPECT_EQ(-EEXIST, cam_create(self, &cr2));
	/* different modes/nodes: still the same name */
	cr2.num_nodes = 2;
	cr2.num_modes = 2;
	cr2.modes_ptr = (__u64)(uintptr_t)small_modes;
	EXPECT_EQ(-EEXIST, cam_create(self, &cr2));

	infos = calloc(256, sizeof(*infos));
	ASSERT_NE(NULL, infos);
	memset(&l, 0, sizeof(l));
	l.capacity = 256;
	l.cameras_ptr = (__u64)(uintptr_t)infos;
	ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
	for (i = 0; i < l.count && i < 256; i++)
		if (!strcmp(infos[i].name, cr.name))
			n++;
	free(infos);
	EXPECT_EQ(1U, n);
	/* the first feed is unaffected */
	EXPECT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_PRESENT));
}

TEST_F(netcam, create_bad_nodes)
{
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];
	struct netcam_camera_info info;
	int i;

	REQUIRE_NETCAM();
	uname_(self, "nod", name);
	track_name(self, name);
	nc_fill_create(&cr, name, NULL, 0, NULL, small_modes, 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, NETCAM_MAX_NODES + 1, NULL, small_modes, 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, 0xffffffffU, NULL, small_modes, 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* unused entries must be zero */
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	strcpy(cr.nodes[1].label, "x");
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, 1, NULL, small_modes, 1);
	cr.nodes[NETCAM_MAX_NODES - 1].reserved[7] = 1;
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	/* used entry reserved */
	nc_fill_create(&cr, name, NULL, 2, NULL, small_modes, 1);
	cr.nodes[1].reserved[0] = 1;
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));
	/* boundary: NETCAM_MAX_NODES nodes */
	nc_fill_create(&cr, name, NULL, NETCAM_MAX_NODES, NULL, small_modes, 1);
	ASSERT_EQ(0, cam_create(self, &cr));
	FIND_OK(name, &info);
	EXPECT_EQ((__u32)NETCAM_MAX_NODES, info.num_nodes);
	for (i = 0; i < NETCAM_MAX_NODES; i++)
		EXPECT_GE(info.video_nr[i], 0);
}

TEST_F(netcam, create_bad_modes)
{
	struct netcam_mode *many, m[3];
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];
	unsigned int i;
	char *two;

	REQUIRE_NETCAM();
	uname_(self, "mod", name);
	track_name(self, name);

	many = calloc(NETCAM_MAX_MODES + 1, sizeof(*many));
	ASSERT_NE(NULL, many);
	for (i = 0; i <= NETCAM_MAX_MODES; i++)
		many[i] = nc_mode(V4L2_PIX_FMT_YUYV, 16 + 2 * i, 16, 1, 30);

	nc_fill_create(&cr, name, NULL, 1, NULL, many, 0);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, 1, NULL, many, NETCAM_MAX_MODES + 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, 1, NULL, many, 0x7fffffff);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));

	/* bad pointers */
	nc_fill_create(&cr, name, NULL, 1, NULL, NULL, 1);
	EXPECT_EQ(-EFAULT, cam_create(self, &cr));
	nc_fill_create(&cr, name, NULL, 1, NULL, self->bad_page, 1);
	EXPECT_EQ(-EFAULT, cam_create(self, &cr));
	/* two modes, the second one in an unreadable page */
	two = mmap(NULL, 8192, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, two);
	ASSERT_EQ(0, mprotect(two + 4096, 4096, PROT_NONE));
	m[0] = nc_mode(V4L2_PIX_FMT_YUYV, 640, 480, 1, 30);
	memcpy(two + 4096 - sizeof(m[0]), &m[0], sizeof(m[0]));
	nc_fill_create(&cr, name, NULL, 1, NULL,
		       (struct netcam_mode *)(two + 4096 - sizeof(m[0])), 2);
	EXPECT_EQ(-EFAULT, cam_create(self, &cr));
	munmap(two, 8192);

	/* each bad mode placed second after a good one */
	struct {
		struct netcam_mode m;
		const char *why;
	} bad[] = {
		{ nc_mode(V4L2_PIX_FMT_RGB24, 320, 240, 1, 30), "RGB24" },
		{ nc_mode(0, 320, 240, 1, 30), "fourcc 0" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 321, 240, 1, 30), "odd width" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 241, 1, 30), "odd height" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, NETCAM_MAX_WIDTH + 2, 240, 1, 30), "width > max" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, NETCAM_MAX_HEIGHT + 2, 1, 30), "height > max" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, NETCAM_MIN_WIDTH - 2, 240, 1, 30), "width < min" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, NETCAM_MIN_HEIGHT - 2, 1, 30), "height < min" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 0, 0, 1, 30), "0x0" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 240, 0, 30), "interval_num 0" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 240, 1, 0), "interval_den 0" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 240, 1, 1001), "1001 fps" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 640, 480, 1, 30), "duplicate" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 240, 1, 30), "reserved[0]" },
		{ nc_mode(V4L2_PIX_FMT_YUYV, 320, 240, 1, 30), "reserved[2]" },
	};
	bad[13].m.reserved[0] = 1;
	bad[14].m.reserved[2] = 0x80000000U;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m[0] = nc_mode(V4L2_PIX_FMT_YUYV, 640, 480, 1, 30);
		m[1] = bad[i].m;
		nc_fill_create(&cr, name, NULL, 1, NULL, m, 2);
		EXPECT_EQ(-EINVAL, cam_create(self, &cr)) TH_LOG("%s", bad[i].why);
	}
	/* reserved in the first mode too */
	m[0] = nc_mode(V4L2_PIX_FMT_YUYV, 640, 480, 1, 30);
	m[0].reserved[1] = 1;
	nc_fill_create(&cr, name, NULL, 1, NULL, m, 1);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));

	/* boundaries that are fine: min size, 1000 fps, 256 modes */
	m[0] = nc_mode(V4L2_PIX_FMT_GREY, NETCAM_MIN_WIDTH, NETCAM_MIN_HEIGHT, 1, 1000);
	m[1] = nc_mode(V4L2_PIX_FMT_YUYV, 640, 480, 2, 1); /* 0.5 fps */
	nc_fill_create(&cr, name, NULL, 1, NULL, m, 2);
	EXPECT_EQ(0, cam_create(self, &cr));
	EXPECT_EQ(0, nc_remove(self->ctl, name));
	nc_fill_create(&cr, name, NULL, 1, NULL, many, NETCAM_MAX_MODES);
	EXPECT_EQ(0, cam_create(self, &cr));
	free(many);
}

TEST_F(netcam, list_bad)
{
	struct netcam_camera_info infos[3];
	struct netcam_create a, b;
	struct netcam_list l;
	int total;

	REQUIRE_NETCAM();
	CREATE_OK(&a, "lsa", 1, small_modes, 1);
	CREATE_OK(&b, "lsb", 1, small_modes, 1);
	total = nc_count_cameras(self->ctl);
	ASSERT_GE(total, 2);

	memset(&l, 0, sizeof(l));
	l.capacity = 4;
	l.cameras_ptr = (__u64)(uintptr_t)self->bad_page;
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
	l.cameras_ptr = 0;
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_LIST, self->bad_page));

	/* capacity 0: count only, the pointer is not touched */
	memset(&l, 0, sizeof(l));
	l.cameras_ptr = (__u64)(uintptr_t)self->bad_page;
	EXPECT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
	EXPECT_EQ((__u32)total, l.count);

	/* capacity 1: count is the total, only one entry written */
	memset(infos, 0x5a, sizeof(infos));
	memset(&l, 0, sizeof(l));
	l.capacity = 1;
	l.cameras_ptr = (__u64)(uintptr_t)infos;
	EXPECT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
	EXPECT_EQ((__u32)total, l.count);
	EXPECT_NE(0x5a, (unsigned char)infos[0].name[0]);
	EXPECT_EQ(0x5a, (unsigned char)infos[1].name[0]);
	EXPECT_EQ(0x5a, (unsigned char)infos[1].reserved[7]);

	memset(&l, 0, sizeof(l));
	l.reserved[3] = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_LIST, &l));
}

/* Open node, S_FMT, stream with MMAP buffers; ASSERTs; returns the fd. */
static int start_node(struct __test_metadata *_metadata, nc_self_t *self,
		      int vnr, struct nc_stream *s, __u32 fourcc, __u32 w,
		      __u32 h, unsigned int nbufs, struct v4l2_format *fmt)
{
	struct v4l2_format f;
	int fd;

	fd = track_vfd(self, nc_open_video(vnr));
	ASSERT_GE(fd, 0) TH_LOG("/dev/video%d: %s", vnr, strerror(-fd));
	ASSERT_EQ(0, nc_s_fmt(fd, fourcc, w, h, &f));
	ASSERT_EQ(fourcc, f.fmt.pix.pixelformat);
	ASSERT_EQ(w, f.fmt.pix.width);
	ASSERT_EQ(h, f.fmt.pix.height);
	if (fmt)
		*fmt = f;
	ASSERT_EQ(0, nc_stream_start(s, fd, nbufs));
	return fd;
}

TEST_F(netcam, feed_frame_bad)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct netcam_frame fr;
	struct v4l2_format f;
	struct v4l2_buffer b;
	struct nc_stream *s = &self->streams[0];
	unsigned char *buf, *edge;
	__u32 size;
	unsigned int i;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "ffb", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	start_node(_metadata, self, info.video_nr[0], s, V4L2_PIX_FMT_YUYV,
		   160, 120, 4, &f);
	size = f.fmt.pix.sizeimage;
	EXPECT_EQ(nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120), size);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));

	buf = malloc(size + 4096);
	ASSERT_NE(NULL, buf);
	nc_pattern(buf, size + 4096, 1);

#define FR_RESET() do { \
	memset(&fr, 0, sizeof(fr)); \
	fr.pixelformat = V4L2_PIX_FMT_YUYV; fr.width = 160; fr.height = 120; \
	fr.bytesused = size; fr.data_ptr = (__u64)(uintptr_t)buf; \
} while (0)
	FR_RESET();
	fr.node = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	fr.node = 0xffffffffU;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	FR_RESET();
	fr.flags = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	for (i = 0; i < 4; i++) {
		FR_RESET();
		fr.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr))
			TH_LOG("reserved[%u]", i);
	}
	FR_RESET();
	fr.bytesused = size - 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	fr.bytesused = size + 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	fr.bytesused = 0;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	fr.bytesused = 0xffffffffU;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	FR_RESET();
	fr.data_ptr = 0;
	EXPECT_EQ(-EFAULT, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	fr.data_ptr = (__u64)(uintptr_t)self->bad_page;
	EXPECT_EQ(-EFAULT, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	/* the frame's tail runs into an unreadable page */
	edge = mmap(NULL, 2 * 4096 + size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, edge);
	{
		size_t pages = (size + 4095) / 4096;

		ASSERT_EQ(0, mprotect(edge + pages * 4096, 4096, PROT_NONE));
		fr.data_ptr = (__u64)(uintptr_t)(edge + pages * 4096 - size + 64);
	}
	EXPECT_EQ(-EFAULT, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	EXPECT_EQ(-EFAULT, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, self->bad_page));

	/* none of that consumed a buffer: the good frame is sequence 0 */
	FR_RESET();
	ASSERT_EQ(0, nc_ioctl(cr.fd, NETCAM_IOC_FEED_FRAME, &fr));
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_EQ(0U, b.sequence);
	EXPECT_EQ(size, b.bytesused);
	EXPECT_EQ(0U, b.flags & V4L2_BUF_FLAG_ERROR);
	EXPECT_EQ(0, memcmp(s->map[b.index], buf, size))
		TH_LOG("delivered bytes differ from fed bytes");

	/* MJPEG: bytesused 1..sizeimage */
	ASSERT_EQ(0, nc_streamoff(s));
	nc_stream_free(s);
	{
		struct v4l2_requestbuffers rb = {
			.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		ASSERT_EQ(0, nc_ioctl(s->fd, VIDIOC_REQBUFS, &rb));
	}
	ASSERT_EQ(0, nc_s_fmt(s->fd, V4L2_PIX_FMT_MJPEG, 160, 120, &f));
	ASSERT_EQ(V4L2_PIX_FMT_MJPEG, f.fmt.pix.pixelformat);
	/* max_compressed_size 0: max(w*h*2, 64 KiB) */
	EXPECT_EQ(65536U, f.fmt.pix.sizeimage);
	size = f.fmt.pix.sizeimage;
	free(buf);
	buf = malloc(size + 16);
	ASSERT_NE(NULL, buf);
	nc_pattern(buf, size + 16, 2);
	buf[0] = 0xff; buf[1] = 0xd8;
	{
		int vfd = s->fd;

		ASSERT_EQ(0, nc_stream_start(s, vfd, 4));
	}
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	EXPECT_EQ(V4L2_PIX_FMT_MJPEG, ev.pixelformat);
	EXPECT_EQ(size, ev.sizeimage);
	EXPECT_EQ(0U, ev.bytesperline);
	EXPECT_EQ(-EINVAL, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf, 0));
	EXPECT_EQ(-EINVAL, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf,
				   size + 1));
	EXPECT_EQ(-EINVAL, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf,
				   NETCAM_MAX_COMPRESSED_SIZE + 1));
	ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf, 1000));
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_EQ(1000U, b.bytesused);
	EXPECT_EQ(0, memcmp(s->map[b.index], buf, 1000));
	ASSERT_EQ(0, nc_qbuf(s, b.index));
	ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf, size));
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_EQ(size, b.bytesused);
	EXPECT_EQ(0, memcmp(s->map[b.index], buf, size));
	ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_MJPEG, 160, 120, buf, 1));
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_EQ(1U, b.bytesused);
	free(buf);
}

TEST_F(netcam, mjpeg_max_compressed_size)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_format f;
	char name[NETCAM_NAME_LEN];
	int fd;

	REQUIRE_NETCAM();
	static const struct netcam_mode mjpeg_1080p = {
		V4L2_PIX_FMT_MJPEG, 1920, 1080, 1, 30, { 0 }
	};

	/*
	 * A bound below the driver's grey placeholder JPEG of the size
	 * (12386 bytes at 1920x1080) would make no-signal frames empty.
	 */
	nc_fill_create(&cr, uname_(self, "mjt", name), NULL, 1, NULL,
		       &mjpeg_1080p, 1);
	cr.max_compressed_size = 4096;
	track_name(self, name);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));

	/* flags_out is an output: a stale value in it does not survive */
	nc_fill_create(&cr, uname_(self, "mjs", name), NULL, 1, NULL,
		       &small_modes[3], 1);
	cr.max_compressed_size = 100000;
	cr.flags_out = NETCAM_CREATE_REATTACHED;
	ASSERT_EQ(0, cam_create(self, &cr));
	EXPECT_EQ(0U, cr.flags_out);
	FIND_OK(name, &info);
	fd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(fd, 0);
	ASSERT_EQ(0, nc_g_fmt(fd, &f));
	EXPECT_EQ(V4L2_PIX_FMT_MJPEG, f.fmt.pix.pixelformat);
	EXPECT_EQ(100000U, f.fmt.pix.sizeimage)
		TH_LOG("sizeimage should be the given max_compressed_size");

	/* beyond NETCAM_MAX_COMPRESSED_SIZE */
	nc_fill_create(&cr, uname_(self, "mjb", name), NULL, 1, NULL,
		       &small_modes[3], 1);
	cr.max_compressed_size = NETCAM_MAX_COMPRESSED_SIZE + 1;
	track_name(self, name);
	EXPECT_EQ(-EINVAL, cam_create(self, &cr));
}

TEST_F(netcam, feed_frame_estale)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct nc_stream *s = &self->streams[0];
	unsigned char *buf;
	__u32 sz = nc_raw_size(V4L2_PIX_FMT_YUYV, 320, 240);

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "stl", 2, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	buf = calloc(1, sz);
	ASSERT_NE(NULL, buf);

	/* not streaming: initial format is the first mode */
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120)));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 1, V4L2_PIX_FMT_YUYV, 160, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120)));

	start_node(_metadata, self, info.video_nr[0], s, V4L2_PIX_FMT_YUYV,
		   160, 120, 4, NULL);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	/* format, width, height different from the node's */
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_GREY, 160, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_GREY, 160, 120)));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 320, 240, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 320, 240)));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 320, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 320, 120)));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 240, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 240)));
	/* node 1 still not streaming */
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 1, V4L2_PIX_FMT_YUYV, 160, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120)));
	/* the right one */
	EXPECT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf,
			     nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120)));
	ASSERT_EQ(0, nc_streamoff(s));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf,
				   nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120)));
	free(buf);
}

TEST_F(netcam, set_signal_bad)
{
	struct netcam_create cr;
	struct netcam_signal sig;
	unsigned int i;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "sig", 1, small_modes, 1);
	memset(&sig, 0, sizeof(sig));
	sig.state = 2;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_SET_SIGNAL, &sig));
	sig.state = 0xffffffffU;
	EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_SET_SIGNAL, &sig));
	for (i = 0; i < 7; i++) {
		memset(&sig, 0, sizeof(sig));
		sig.state = NETCAM_SIGNAL_PRESENT;
		sig.reserved[i] = 1;
		EXPECT_EQ(-EINVAL, nc_ioctl(cr.fd, NETCAM_IOC_SET_SIGNAL, &sig))
			TH_LOG("reserved[%u]", i);
	}
	EXPECT_EQ(-EFAULT, nc_ioctl(cr.fd, NETCAM_IOC_SET_SIGNAL, self->bad_page));
	EXPECT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_LOST));
	EXPECT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_PRESENT));
}

TEST_F(netcam, wrong_fd_ioctls)
{
	struct netcam_camera_info info;
	struct netcam_version v;
	struct netcam_create cr, cr2;
	struct netcam_remove rm;
	struct netcam_list l;
	struct netcam_frame fr;
	struct netcam_signal sig;
	struct v4l2_capability cap;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "wfd", 1, small_modes, 1);
	FIND_OK(cr.name, &info);
	/* control ioctls on a feed fd */
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, NETCAM_IOC_VERSION, &v));
	cr2 = cr;
	snprintf(cr2.name, sizeof(cr2.name), "%s", "kst-wfd-other");
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, NETCAM_IOC_CREATE, &cr2));
	if (nc_find(self->ctl, "kst-wfd-other", NULL) == 1)
		nc_remove(self->ctl, "kst-wfd-other");
	memset(&l, 0, sizeof(l));
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, NETCAM_IOC_LIST, &l));
	memset(&rm, 0, sizeof(rm));
	memcpy(rm.name, cr.name, sizeof(rm.name));
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, NETCAM_IOC_REMOVE, &rm));
	EXPECT_EQ(1, nc_find(self->ctl, cr.name, NULL));
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, VIDIOC_QUERYCAP, &cap));
	EXPECT_EQ(-ENOTTY, nc_ioctl(cr.fd, _IOW(NETCAM_IOC_MAGIC, 0x1f, int), &v));
	/* feed ioctls on /dev/netcam */
	memset(&fr, 0, sizeof(fr));
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, NETCAM_IOC_FEED_FRAME, &fr));
	memset(&sig, 0, sizeof(sig));
	EXPECT_EQ(-ENOTTY, nc_ioctl(self->ctl, NETCAM_IOC_SET_SIGNAL, &sig));
	/* netcam ioctls on a capture node */
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	EXPECT_EQ(-ENOTTY, nc_ioctl(vfd, NETCAM_IOC_VERSION, &v));
	EXPECT_EQ(-ENOTTY, nc_ioctl(vfd, NETCAM_IOC_FEED_FRAME, &fr));
}

TEST_F(netcam, feed_read_small)
{
	struct netcam_create cr;
	struct netcam_event ev;
	char small[sizeof(struct netcam_event)];
	unsigned int seq = 0;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "rds", 1, small_modes, 1);
	ASSERT_TRUE(nc_poll_in(cr.fd, 1000) & POLLIN);
	errno = 0;
	EXPECT_EQ(-1, read(cr.fd, small, sizeof(small) - 1));
	EXPECT_EQ(EINVAL, errno);
	errno = 0;
	EXPECT_EQ(-1, read(cr.fd, small, 1));
	EXPECT_EQ(EINVAL, errno);
	/* the event was not lost */
	EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_FORMAT, 0);
	/* write() is not part of the channel */
	errno = 0;
	EXPECT_EQ(-1, write(cr.fd, &ev, sizeof(ev)));
	EXPECT_TRUE(errno == EINVAL || errno == EBADF || errno == EPERM)
		TH_LOG("write errno %d", errno);
}

TEST_F(netcam, unprivileged)
{
	pid_t pid;
	int status;

	REQUIRE_NETCAM();
	if (geteuid() != 0)
		SKIP(return, "needs root to drop privileges");
	pid = fork();
	ASSERT_GE(pid, 0);
	if (pid == 0) {
		struct netcam_create cr;
		int ctl, ret;

		if (setgroups(0, NULL) || setgid(65534) || setuid(65534))
			_exit(10);
		ctl = open(NC_CTL_PATH, O_RDWR);
		if (ctl < 0)
			_exit(errno == EACCES || errno == EPERM ? 0 : 11);
		nc_fill_create(&cr, "kst-unpriv", NULL, 1, NULL, small_modes, 1);
		ret = nc_ioctl(ctl, NETCAM_IOC_CREATE, &cr);
		if (ret == 0)
			_exit(12);
		_exit(ret == -EPERM || ret == -EACCES ? 0 : 13);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("10: setuid failed, 11: odd open errno, 12: CREATE allowed, 13: odd errno");
	if (nc_find(self->ctl, "kst-unpriv", NULL) == 1)
		nc_remove(self->ctl, "kst-unpriv");
}

TEST_F(netcam, limits)
{
	struct netcam_version v;
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN], first[NETCAM_NAME_LEN];
	int existing, created = 0, ret = 0;

	REQUIRE_NETCAM();
	ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_VERSION, &v));
	existing = nc_count_cameras(self->ctl);
	ASSERT_GE(existing, 0);
	if (v.max_cameras > 64)
		SKIP(return, "max_cameras=%u is too many to fill", v.max_cameras);
	first[0] = 0;
	while (created < (int)v.max_cameras + 2) {
		nc_fill_create(&cr, uname_(self, "lim", name), NULL, 1, NULL,
			       small_modes, 1);
		ret = cam_create(self, &cr);
		if (ret)
			break;
		if (!first[0])
			strcpy(first, name);
		created++;
	}
	EXPECT_EQ(-ENOSPC, ret);
	EXPECT_EQ((int)v.max_cameras - existing, created);
	EXPECT_EQ((int)v.max_cameras, nc_count_cameras(self->ctl));
	ASSERT_TRUE(first[0]);
	/* a closed feed still holds the slot */
	ASSERT_EQ(0, nc_remove(self->ctl, first));
	nc_fill_create(&cr, uname_(self, "lim2", name), NULL, 1, NULL,
		       small_modes, 1);
	EXPECT_EQ(0, cam_create(self, &cr));
	feed_close(self, cr.fd);
	nc_fill_create(&cr, uname_(self, "lim3", name), NULL, 1, NULL,
		       small_modes, 1);
	EXPECT_EQ(-ENOSPC, cam_create(self, &cr));
}

TEST_F(netcam, create_remove_cycles)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	char name[NETCAM_NAME_LEN];
	int i, before;

	REQUIRE_NETCAM();
	before = nc_count_cameras(self->ctl);
	uname_(self, "cyc", name);
	track_name(self, name);
	for (i = 0; i < 40; i++) {
		struct v4l2_capability cap;
		int fd;

		nc_fill_create(&cr, name, NULL, 2, NULL, std_modes, N_STD_MODES);
		ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_CREATE, &cr))
			TH_LOG("cycle %d", i);
		EXPECT_EQ(0U, cr.flags_out);
		ASSERT_EQ(1, nc_find(self->ctl, name, &info));
		fd = nc_open_video(info.video_nr[i & 1]);
		ASSERT_GE(fd, 0);
		EXPECT_EQ(0, nc_ioctl(fd, VIDIOC_QUERYCAP, &cap));
		if (i & 2) {
			/* remove with the node still open */
			ASSERT_EQ(0, nc_remove(self->ctl, name));
			EXPECT_EQ(-ENODEV, nc_ioctl(fd, VIDIOC_QUERYCAP, &cap));
			close(fd);
			close(cr.fd);
		} else {
			close(fd);
			close(cr.fd);
			ASSERT_EQ(0, nc_remove(self->ctl, name));
		}
	}
	EXPECT_EQ(before, nc_count_cameras(self->ctl));
}

TEST_F(netcam, enum_modes)
{
	static const struct netcam_mode modes[] = {
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 30, { 0 } },
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 15, { 0 } },
		{ V4L2_PIX_FMT_MJPEG, 1280, 720, 1, 25, { 0 } },
		{ V4L2_PIX_FMT_YUYV, 320, 240, 1, 30, { 0 } },
		{ V4L2_PIX_FMT_GREY, 320, 240, 1, 5, { 0 } },
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 5, { 0 } },
	};
	static const __u32 want_fmts[] = {
		V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_MJPEG, V4L2_PIX_FMT_GREY,
	};
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_fmtdesc fd_;
	struct v4l2_frmsizeenum fs;
	struct v4l2_frmivalenum fi;
	struct v4l2_streamparm p;
	struct v4l2_format f;
	unsigned int i;
	int fd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "enu", 1, modes, 6);
	FIND_OK(cr.name, &info);
	fd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(fd, 0);
	for (i = 0; i < 4; i++) {
		memset(&fd_, 0, sizeof(fd_));
		fd_.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		fd_.index = i;
		if (i == 3) {
			EXPECT_EQ(-EINVAL, nc_ioctl(fd, VIDIOC_ENUM_FMT, &fd_));
			break;
		}
		ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_ENUM_FMT, &fd_));
		EXPECT_EQ(want_fmts[i], fd_.pixelformat) TH_LOG("format %u", i);
		EXPECT_EQ(want_fmts[i] == V4L2_PIX_FMT_MJPEG ?
			  (__u32)V4L2_FMT_FLAG_COMPRESSED : 0U,
			  fd_.flags & V4L2_FMT_FLAG_COMPRESSED);
	}
	/* sizes of YUYV: 640x480 then 320x240, discrete */
	memset(&fs, 0, sizeof(fs));
	fs.pixel_format = V4L2_PIX_FMT_YUYV;
	ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs));
	EXPECT_EQ((__u32)V4L2_FRMSIZE_TYPE_DISCRETE, fs.type);
	EXPECT_EQ(640U, fs.discrete.width);
	EXPECT_EQ(480U, fs.discrete.height);
	fs.index = 1;
	ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs));
	EXPECT_EQ(320U, fs.discrete.width);
	EXPECT_EQ(240U, fs.discrete.height);
	fs.index = 2;
	EXPECT_EQ(-EINVAL, nc_ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs));
	fs.index = 0;
	fs.pixel_format = V4L2_PIX_FMT_NV12;
	EXPECT_EQ(-EINVAL, nc_ioctl(fd, VIDIOC_ENUM_FRAMESIZES, &fs));
	/* intervals of YUYV 640x480: 1/30, 1/15, 1/5 */
	for (i = 0; i < 4; i++) {
		static const __u32 den[] = { 30, 15, 5 };

		memset(&fi, 0, sizeof(fi));
		fi.index = i;
		fi.pixel_format = V4L2_PIX_FMT_YUYV;
		fi.width = 640;
		fi.height = 480;
		if (i == 3) {
			EXPECT_EQ(-EINVAL, nc_ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi));
			break;
		}
		ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_ENUM_FRAMEINTERVALS, &fi));
		EXPECT_EQ((__u32)V4L2_FRMIVAL_TYPE_DISCRETE, fi.type);
		EXPECT_EQ(1U, fi.discrete.numerator);
		EXPECT_EQ(den[i], fi.discrete.denominator) TH_LOG("interval %u", i);
	}
	/* initial format: the first mode */
	ASSERT_EQ(0, nc_g_fmt(fd, &f));
	EXPECT_EQ(V4L2_PIX_FMT_YUYV, f.fmt.pix.pixelformat);
	EXPECT_EQ(640U, f.fmt.pix.width);
	EXPECT_EQ(480U, f.fmt.pix.height);
	EXPECT_EQ(1280U, f.fmt.pix.bytesperline);
	EXPECT_EQ(640U * 480 * 2, f.fmt.pix.sizeimage);
	EXPECT_EQ((__u32)V4L2_FIELD_NONE, f.fmt.pix.field);
	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	ASSERT_EQ(0, nc_ioctl(fd, VIDIOC_G_PARM, &p));
	EXPECT_EQ(1U, p.parm.capture.timeperframe.numerator);
	EXPECT_EQ(30U, p.parm.capture.timeperframe.denominator);
	EXPECT_TRUE(p.parm.capture.capability & V4L2_CAP_TIMEPERFRAME);
}

TEST_F(netcam, events)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_format f;
	struct v4l2_streamparm p;
	struct nc_stream *s = &self->streams[0];
	unsigned int seq = 0, i;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "evt", 2, std_modes, N_STD_MODES);
	FIND_OK(cr.name, &info);

	ASSERT_TRUE(nc_poll_in(cr.fd, 1000) & POLLIN);
	for (i = 0; i < 2; i++) {
		EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_FORMAT, i);
		EXPECT_EQ(0U, ev.streaming);
		EXPECT_EQ(V4L2_PIX_FMT_YUYV, ev.pixelformat);
		EXPECT_EQ(640U, ev.width);
		EXPECT_EQ(480U, ev.height);
		EXPECT_EQ(1280U, ev.bytesperline);
		EXPECT_EQ(640U * 480 * 2, ev.sizeimage);
		EXPECT_EQ(1U, ev.interval_num);
		EXPECT_EQ(30U, ev.interval_den);
		EXPECT_EQ(0U, ev.reserved[0] | ev.reserved[1] | ev.reserved[2] |
			      ev.reserved[3] | ev.reserved[4]);
	}
	EXPECT_NO_EVENT(cr.fd, 200);

	vfd = track_vfd(self, nc_open_video(info.video_nr[1]));
	ASSERT_GE(vfd, 0);
	/* TRY_FMT changes nothing */
	memset(&f, 0, sizeof(f));
	f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	f.fmt.pix.pixelformat = V4L2_PIX_FMT_NV12;
	f.fmt.pix.width = 320;
	f.fmt.pix.height = 240;
	EXPECT_EQ(0, nc_ioctl(vfd, VIDIOC_TRY_FMT, &f));
	EXPECT_NO_EVENT(cr.fd, 100);

	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_GREY, 320, 240, &f));
	EXPECT_EQ(V4L2_PIX_FMT_GREY, f.fmt.pix.pixelformat);
	EXPECT_EQ(320U, f.fmt.pix.bytesperline);
	EXPECT_EQ(320U * 240, f.fmt.pix.sizeimage);
	EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_FORMAT, 1);
	EXPECT_EQ(0U, ev.streaming);
	EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
	EXPECT_EQ(320U, ev.width);
	EXPECT_EQ(240U, ev.height);
	EXPECT_EQ(320U, ev.bytesperline);
	EXPECT_EQ(320U * 240, ev.sizeimage);
	EXPECT_EQ(1U, ev.interval_num);
	EXPECT_TRUE(ev.interval_den == 30 || ev.interval_den == 10)
		TH_LOG("interval 1/%u not one of GREY 320x240's", ev.interval_den);

	ASSERT_EQ(0, nc_s_parm(vfd, 1, 10, &p));
	EXPECT_EQ(1U, p.parm.capture.timeperframe.numerator);
	EXPECT_EQ(10U, p.parm.capture.timeperframe.denominator);
	EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_FORMAT, 1);
	EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
	EXPECT_EQ(1U, ev.interval_num);
	EXPECT_EQ(10U, ev.interval_den);
	EXPECT_NO_EVENT(cr.fd, 100);

	ASSERT_EQ(0, nc_stream_start(s, vfd, 4));
	EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_STREAM_ON, 1);
	EXPECT_EQ(1U, ev.streaming);
	EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
	EXPECT_EQ(320U, ev.width);
	EXPECT_EQ(240U, ev.height);
	EXPECT_EQ(320U * 240, ev.sizeimage);
	EXPECT_EQ(10U, ev.interval_den);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(2U, info.streaming_mask);
	/* formats are locked while streaming */
	EXPECT_EQ(-EBUSY, nc_s_fmt(vfd, V4L2_PIX_FMT_YUYV, 640, 480, NULL));
	EXPECT_NO_EVENT(cr.fd, 100);

	ASSERT_EQ(0, nc_streamoff(s));
	EXPECT_EVENT(cr.fd, &ev, seq, NETCAM_EVENT_STREAM_OFF, 1);
	EXPECT_EQ(0U, ev.streaming);
	EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(0U, info.streaming_mask);
}

/* Feed count frames to node and check each delivered buffer. */
static void feed_and_check(struct __test_metadata *_metadata, int feed,
			   struct nc_stream *s, __u32 node, __u32 fourcc,
			   __u32 w, __u32 h, __u32 size, unsigned int count,
			   __u32 first_seq, unsigned int seed)
{
	unsigned char *buf = malloc(size);
	int64_t prev_ts = 0;
	unsigned int i;

	ASSERT_NE(NULL, buf);
	for (i = 0; i < count; i++) {
		struct v4l2_buffer b;
		int64_t t0, t1, ts;

		nc_pattern(buf, size, seed + i);
		t0 = nc_now_ns();
		ASSERT_EQ(0, nc_feed(feed, node, fourcc, w, h, buf, size))
			TH_LOG("frame %u", i);
		ASSERT_EQ(1, nc_dqbuf(s, &b, 1000)) TH_LOG("frame %u", i);
		t1 = nc_now_ns();
		ts = nc_buf_ns(&b);
		EXPECT_EQ(first_seq + i, b.sequence);
		EXPECT_EQ(size, b.bytesused);
		EXPECT_EQ((__u32)V4L2_FIELD_NONE, b.field);
		EXPECT_EQ((__u32)V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
			  b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK);
		EXPECT_EQ(0U, b.flags & V4L2_BUF_FLAG_ERROR);
		EXPECT_GE(ts, t0 - 100000000LL);
		EXPECT_LE(ts, t1);
		if (i)
			EXPECT_GT(ts, prev_ts);
		prev_ts = ts;
		EXPECT_EQ(0, memcmp(s->map[b.index], buf, size))
			TH_LOG("frame %u: delivered bytes differ", i);
		ASSERT_EQ(0, nc_qbuf(s, b.index));
		nc_sleep_ms(2);
	}
	free(buf);
}

TEST_F(netcam, frames)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_format f;
	struct nc_stream *s = &self->streams[0];

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "frm", 1, std_modes, N_STD_MODES);
	FIND_OK(cr.name, &info);
	start_node(_metadata, self, info.video_nr[0], s, V4L2_PIX_FMT_YUYV,
		   320, 240, 4, &f);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	EXPECT_EQ(320U, ev.width);
	feed_and_check(_metadata, cr.fd, s, 0, V4L2_PIX_FMT_YUYV, 320, 240,
		       f.fmt.pix.sizeimage, 10, 0, 7);
}

TEST_F(netcam, frames_all_formats)
{
	static const struct {
		__u32 fourcc, w, h;
	} fmts[] = {
		{ V4L2_PIX_FMT_NV12, 320, 240 },
		{ V4L2_PIX_FMT_YUV420, 160, 120 },
		{ V4L2_PIX_FMT_GREY, 320, 240 },
		{ V4L2_PIX_FMT_YUYV, 640, 480 },
	};
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_format f;
	struct nc_stream *s = &self->streams[0];
	unsigned int i;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "fmt", 1, std_modes, N_STD_MODES);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		struct v4l2_requestbuffers rb = {
			.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};

		ASSERT_EQ(0, nc_s_fmt(vfd, fmts[i].fourcc, fmts[i].w, fmts[i].h, &f));
		EXPECT_EQ(nc_raw_size(fmts[i].fourcc, fmts[i].w, fmts[i].h),
			  f.fmt.pix.sizeimage);
		EXPECT_EQ(nc_bpl(fmts[i].fourcc, fmts[i].w), f.fmt.pix.bytesperline);
		ASSERT_EQ(0, nc_stream_start(s, vfd, 3));
		ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
		EXPECT_EQ(fmts[i].fourcc, ev.pixelformat);
		EXPECT_EQ(f.fmt.pix.sizeimage, ev.sizeimage);
		EXPECT_EQ(f.fmt.pix.bytesperline, ev.bytesperline);
		feed_and_check(_metadata, cr.fd, s, 0, fmts[i].fourcc, fmts[i].w,
			       fmts[i].h, f.fmt.pix.sizeimage, 3, 0, 40 + i);
		ASSERT_EQ(0, nc_streamoff(s));
		nc_stream_free(s);
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	}
}

TEST_F(netcam, frame_gap)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_format f;
	struct v4l2_buffer b;
	struct nc_stream *s = &self->streams[0];
	unsigned char *buf;
	unsigned int i, n;
	__u32 size;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "gap", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	start_node(_metadata, self, info.video_nr[0], s, V4L2_PIX_FMT_YUYV,
		   160, 120, 2, &f);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	size = f.fmt.pix.sizeimage;
	n = s->nbufs;
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	/* fill every queued buffer */
	for (i = 0; i < n; i++) {
		nc_pattern(buf, size, i);
		ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf, size));
	}
	for (i = 0; i < n; i++) {
		ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
		EXPECT_EQ(i, b.sequence);
	}
	/* nothing queued: frames are dropped, not refused */
	for (i = 0; i < 3; i++)
		EXPECT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf, size));
	ASSERT_EQ(0, nc_qbuf(s, 0));
	nc_pattern(buf, size, 99);
	ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf, size));
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_EQ(n + 3, b.sequence) TH_LOG("3 dropped frames must show as a gap");
	EXPECT_EQ(0, memcmp(s->map[b.index], buf, size));
	free(buf);
}

/* Dequeue until a buffer starting with the fed pattern arrives. */
static int wait_fed_frame(struct nc_stream *s, const unsigned char *want,
			  __u32 size, int ms, struct v4l2_buffer *out)
{
	int64_t deadline = nc_now_ns() + (int64_t)ms * 1000000;

	while (nc_now_ns() < deadline) {
		struct v4l2_buffer b;
		int r = nc_dqbuf(s, &b, 200);

		if (r < 0)
			return r;
		if (r == 0)
			continue;
		if (b.bytesused == size && !memcmp(s->map[b.index], want, size)) {
			*out = b;
			return 1;
		}
		if (nc_qbuf(s, b.index))
			return -EIO;
	}
	return 0;
}

/* Collect n buffers; check sequence/timestamps and the mean interval. */
static void check_placeholders(struct __test_metadata *_metadata,
			       struct nc_stream *s, unsigned int n,
			       double interval_ms, const char *what)
{
	int64_t first_ts = 0, prev_ts = 0;
	__u32 prev_seq = 0, first_seq = 0;
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct v4l2_buffer b;
		int64_t ts;

		ASSERT_EQ(1, nc_dqbuf(s, &b, 1000))
			TH_LOG("%s: no buffer %u within 1 s", what, i);
		ts = nc_buf_ns(&b);
		EXPECT_EQ((__u32)V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC,
			  b.flags & V4L2_BUF_FLAG_TIMESTAMP_MASK);
		EXPECT_GT(b.bytesused, 0U);
		if (i == 0) {
			first_ts = ts;
			first_seq = b.sequence;
		} else {
			EXPECT_GT(b.sequence, prev_seq) TH_LOG("%s: buffer %u", what, i);
			EXPECT_GT(ts, prev_ts) TH_LOG("%s: buffer %u", what, i);
		}
		prev_ts = ts;
		prev_seq = b.sequence;
		ASSERT_EQ(0, nc_qbuf(s, b.index));
	}
	{
		double mean = (double)(prev_ts - first_ts) / 1e6 / (n - 1);
		double per_seq = (double)(prev_ts - first_ts) / 1e6 /
				 (prev_seq - first_seq ? prev_seq - first_seq : 1);

		TH_LOG("%s: %u buffers, mean interval %.1f ms (want %.1f), %.1f ms per sequence step",
		       what, n, mean, interval_ms, per_seq);
		EXPECT_TRUE(mean > interval_ms * 0.7 && mean < interval_ms * 1.5)
			TH_LOG("%s: mean interval %.1f ms, want about %.1f",
			       what, mean, interval_ms);
		EXPECT_TRUE(per_seq > interval_ms * 0.7 && per_seq < interval_ms * 1.3)
			TH_LOG("%s: %.1f ms per sequence step", what, per_seq);
	}
}

TEST_F(netcam, no_signal)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_buffer b;
	struct nc_stream *s = &self->streams[0];
	unsigned char *buf;
	__u32 st, size = nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120);
	int vfd;
	struct v4l2_input in;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "nsg", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	vfd = start_node(_metadata, self, info.video_nr[0], s,
			 V4L2_PIX_FMT_YUYV, 160, 120, 4, NULL);
	memset(&in, 0, sizeof(in));
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_ENUMINPUT, &in));
	EXPECT_EQ((__u32)V4L2_INPUT_TYPE_CAMERA, in.type);
	in.index = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(vfd, VIDIOC_ENUMINPUT, &in));

	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_EQ(0U, st & V4L2_IN_ST_NO_SIGNAL) TH_LOG("status 0x%x", st);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));

	/* signal lost: status, LIST flag, placeholders at 30 fps */
	ASSERT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_LOST));
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_TRUE(st & V4L2_IN_ST_NO_SIGNAL) TH_LOG("status 0x%x", st);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_SIGNAL);
	EXPECT_TRUE(info.flags & NETCAM_CAMERA_FEED_ATTACHED);
	check_placeholders(_metadata, s, 15, 1000.0 / 30, "signal lost");

	/* back: no flag, fed frames arrive */
	ASSERT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_PRESENT));
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_EQ(0U, st & V4L2_IN_ST_NO_SIGNAL) TH_LOG("status 0x%x", st);
	FIND_OK(cr.name, &info);
	EXPECT_TRUE(info.flags & NETCAM_CAMERA_SIGNAL);
	buf = malloc(size);
	ASSERT_NE(NULL, buf);
	nc_pattern(buf, size, 5);
	drain_events(cr.fd);
	ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120, buf, size));
	EXPECT_EQ(1, wait_fed_frame(s, buf, size, 1000, &b));
	free(buf);

	/* feed closed */
	feed_close(self, cr.fd);
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_TRUE(st & V4L2_IN_ST_NO_SIGNAL) TH_LOG("status 0x%x", st);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_FEED_ATTACHED);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_SIGNAL);
	EXPECT_EQ(1U, info.streaming_mask);
	check_placeholders(_metadata, s, 10, 1000.0 / 30, "feed closed");
}

TEST_F_TIMEOUT(netcam, feeder_killed, 60)
{
	struct netcam_camera_info info;
	struct nc_stream *s = &self->streams[0];
	char name[NETCAM_NAME_LEN];
	int pfd[2], vfd, status, i;
	__u32 id = 0, st, last_seq;
	struct v4l2_buffer b;
	int64_t last_ts;

	REQUIRE_NETCAM();
	uname_(self, "kil", name);
	track_name(self, name);
	ASSERT_EQ(0, pipe(pfd));
	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (self->child == 0) {
		/* the helper: create, then feed 0x5a frames while streaming */
		struct netcam_create cr;
		struct netcam_event ev;
		__u32 size = nc_raw_size(V4L2_PIX_FMT_YUYV, 160, 120);
		unsigned char *fb = malloc(size);
		int ctl = open(NC_CTL_PATH, O_RDWR | O_CLOEXEC);
		int streaming = 0;

		close(pfd[0]);
		if (ctl < 0 || !fb)
			_exit(1);
		memset(fb, 0x5a, size);
		nc_fill_create(&cr, name, "killed feeder", 1, NULL,
			       small_modes, 1);
		if (nc_ioctl(ctl, NETCAM_IOC_CREATE, &cr))
			_exit(2);
		if (write(pfd[1], &cr.id, sizeof(cr.id)) != sizeof(cr.id))
			_exit(3);
		for (;;) {
			while (nc_read_event(cr.fd, &ev, 0) == 1)
				streaming = ev.streaming;
			if (streaming)
				nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 160, 120,
					fb, size);
			nc_sleep_ms(33);
		}
	}
	close(pfd[1]);
	ASSERT_TRUE(nc_poll_in(pfd[0], 5000) & POLLIN);
	ASSERT_EQ((ssize_t)sizeof(id), read(pfd[0], &id, sizeof(id)));
	close(pfd[0]);
	FIND_OK(name, &info);
	EXPECT_EQ(id, info.id);
	vfd = start_node(_metadata, self, info.video_nr[0], s,
			 V4L2_PIX_FMT_YUYV, 160, 120, 4, NULL);
	/* real frames from the helper */
	for (i = 0; i < 3; i++) {
		ASSERT_EQ(1, nc_dqbuf(s, &b, 2000)) TH_LOG("real frame %d", i);
		EXPECT_EQ(0x5a, ((unsigned char *)s->map[b.index])[100]);
		ASSERT_EQ(0, nc_qbuf(s, b.index));
	}
	last_ts = nc_buf_ns(&b);
	last_seq = b.sequence;
	ASSERT_EQ(0, kill(self->child, SIGKILL));
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	EXPECT_GT(nc_buf_ns(&b), last_ts);
	EXPECT_GT(b.sequence, last_seq);
	ASSERT_EQ(0, nc_qbuf(s, b.index));
	/* the stream goes on */
	check_placeholders(_metadata, s, 20, 1000.0 / 30, "feeder killed");
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_TRUE(st & V4L2_IN_ST_NO_SIGNAL);
	FIND_OK(name, &info);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_FEED_ATTACHED);
}

TEST_F(netcam, reattach)
{
	struct netcam_camera_info info, info2;
	struct netcam_create cr, cr2;
	struct netcam_event ev;
	struct v4l2_buffer b;
	struct nc_stream *s = &self->streams[0];
	unsigned char *buf;
	__u32 size = nc_raw_size(V4L2_PIX_FMT_GREY, 160, 120), st, last_seq;
	unsigned int seq = 0, got_fmt = 0, got_on = 0, i;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "rea", 2, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	vfd = start_node(_metadata, self, info.video_nr[0], s,
			 V4L2_PIX_FMT_GREY, 160, 120, 4, NULL);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	buf = malloc(size);
	ASSERT_NE(NULL, buf);

	cr2 = cr;
	feed_close(self, cr.fd);
	/* placeholders while detached */
	ASSERT_EQ(1, nc_dqbuf(s, &b, 1000));
	last_seq = b.sequence;
	ASSERT_EQ(0, nc_qbuf(s, b.index));
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_TRUE(st & V4L2_IN_ST_NO_SIGNAL);

	cr2.fd = -1;
	cr2.id = 0;
	cr2.flags_out = 0;
	ASSERT_EQ(0, cam_create(self, &cr2));
	EXPECT_EQ((__u32)NETCAM_CREATE_REATTACHED, cr2.flags_out);
	EXPECT_EQ(cr.id, cr2.id);
	ASSERT_GE(cr2.fd, 0);
	FIND_OK(cr.name, &info2);
	EXPECT_EQ(info.id, info2.id);
	EXPECT_EQ(info.video_nr[0], info2.video_nr[0]);
	EXPECT_EQ(info.video_nr[1], info2.video_nr[1]);
	EXPECT_EQ(NETCAM_CAMERA_FEED_ATTACHED | NETCAM_CAMERA_SIGNAL,
		  info2.flags & (NETCAM_CAMERA_FEED_ATTACHED | NETCAM_CAMERA_SIGNAL));
	ASSERT_EQ(0, nc_input_status(vfd, &st));
	EXPECT_EQ(0U, st & V4L2_IN_ST_NO_SIGNAL);

	/*
	 * "A new feed channel starts with one event per node:
	 * NETCAM_EVENT_STREAM_ON for a node that is already streaming,
	 * NETCAM_EVENT_FORMAT for the others": STREAM_ON for node 0 and
	 * FORMAT for node 1, in any order.
	 * Read until the channel is quiet, then check what came.
	 */
	for (i = 0; i < 8; i++) {
		int r = nc_read_event(cr2.fd, &ev, 500);

		ASSERT_GE(r, 0);
		if (r == 0)
			break;
		TH_LOG("re-attach event %u: %s node %u streaming %u seq %u", i,
		       nc_event_name(ev.type), ev.node, ev.streaming, ev.sequence);
		EXPECT_EQ(seq, ev.sequence);
		seq++;
		if (ev.type == NETCAM_EVENT_FORMAT) {
			got_fmt |= 1U << ev.node;
			EXPECT_EQ(ev.node == 0 ? 1U : 0U, ev.streaming);
		} else if (ev.type == NETCAM_EVENT_STREAM_ON) {
			got_on |= 1U << ev.node;
			EXPECT_EQ(1U, ev.streaming);
		} else {
			TH_LOG("unexpected %s", nc_event_name(ev.type));
		}
		if (ev.node == 0) {
			EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
			EXPECT_EQ(160U, ev.width);
			EXPECT_EQ(size, ev.sizeimage);
		} else {
			EXPECT_EQ(V4L2_PIX_FMT_YUYV, ev.pixelformat);
		}
	}
	EXPECT_EQ(2U, got_fmt) TH_LOG("FORMAT events for nodes 0x%x, want 0x2", got_fmt);
	EXPECT_EQ(1U, got_on) TH_LOG("STREAM_ON events for nodes 0x%x, want 0x1", got_on);
	EXPECT_EQ(2U, i) TH_LOG("%u events after re-attach, want 2", i);

	/* duplicate while attached again */
	cr.fd = -1;
	EXPECT_EQ(-EEXIST, nc_ioctl(self->ctl, NETCAM_IOC_CREATE, &cr));

	/*
	 * The node kept repeating at its rate while the checks above ran
	 * (a re-attach does not pause the repeats): give the placeholders
	 * back so that a buffer is queued for the real frame.
	 */
	while (nc_dqbuf(s, &b, 0) == 1)
		ASSERT_EQ(0, nc_qbuf(s, b.index));
	nc_pattern(buf, size, 77);
	ASSERT_EQ(0, nc_feed(cr2.fd, 0, V4L2_PIX_FMT_GREY, 160, 120, buf, size));
	ASSERT_EQ(1, wait_fed_frame(s, buf, size, 1000, &b))
		TH_LOG("fed frame did not arrive after re-attach");
	EXPECT_GT(b.sequence, last_seq);
	free(buf);
}

TEST_F(netcam, two_nodes)
{
	static const struct netcam_mode modes[] = {
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 30, { 0 } },
		{ V4L2_PIX_FMT_GREY, 320, 240, 1, 30, { 0 } },
	};
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_buffer b;
	struct nc_stream *s0 = &self->streams[0], *s1 = &self->streams[1];
	__u32 sz0 = nc_raw_size(V4L2_PIX_FMT_YUYV, 640, 480);
	__u32 sz1 = nc_raw_size(V4L2_PIX_FMT_GREY, 320, 240);
	unsigned char *b0, *b1;
	int i;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "two", 2, modes, 2);
	FIND_OK(cr.name, &info);
	start_node(_metadata, self, info.video_nr[0], s0, V4L2_PIX_FMT_YUYV,
		   640, 480, 3, NULL);
	start_node(_metadata, self, info.video_nr[1], s1, V4L2_PIX_FMT_GREY,
		   320, 240, 3, NULL);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	EXPECT_EQ(V4L2_PIX_FMT_YUYV, ev.pixelformat);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 1, &ev));
	EXPECT_EQ(V4L2_PIX_FMT_GREY, ev.pixelformat);
	EXPECT_EQ(320U, ev.width);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(3U, info.streaming_mask);

	b0 = malloc(sz0);
	b1 = malloc(sz1);
	ASSERT_NE(NULL, b0);
	ASSERT_NE(NULL, b1);
	/* each node gets its own frames, cross-format feeds are stale */
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 0, V4L2_PIX_FMT_GREY, 320, 240, b1, sz1));
	EXPECT_EQ(-ESTALE, nc_feed(cr.fd, 1, V4L2_PIX_FMT_YUYV, 640, 480, b0, sz0));
	for (i = 0; i < 5; i++) {
		nc_pattern(b0, sz0, 100 + i);
		nc_pattern(b1, sz1, 200 + i);
		ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_YUYV, 640, 480, b0, sz0));
		ASSERT_EQ(0, nc_feed(cr.fd, 1, V4L2_PIX_FMT_GREY, 320, 240, b1, sz1));
		ASSERT_EQ(1, nc_dqbuf(s0, &b, 1000));
		EXPECT_EQ((__u32)i, b.sequence);
		EXPECT_EQ(sz0, b.bytesused);
		EXPECT_EQ(0, memcmp(s0->map[b.index], b0, sz0)) TH_LOG("node 0 frame %d", i);
		ASSERT_EQ(0, nc_qbuf(s0, b.index));
		ASSERT_EQ(1, nc_dqbuf(s1, &b, 1000));
		EXPECT_EQ((__u32)i, b.sequence);
		EXPECT_EQ(sz1, b.bytesused);
		EXPECT_EQ(0, memcmp(s1->map[b.index], b1, sz1)) TH_LOG("node 1 frame %d", i);
		ASSERT_EQ(0, nc_qbuf(s1, b.index));
	}
	free(b0);
	free(b1);
}

TEST_F(netcam, remove_while_streaming)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_buffer b;
	struct v4l2_capability cap;
	struct nc_stream *s = &self->streams[0];
	struct pollfd p;
	int vfd, r;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "rws", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	vfd = start_node(_metadata, self, info.video_nr[0], s,
			 V4L2_PIX_FMT_YUYV, 160, 120, 4, NULL);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	ASSERT_EQ(0, nc_remove(self->ctl, cr.name));
	EXPECT_EQ(0, nc_find(self->ctl, cr.name, NULL));
	/* the open node is dead but safe */
	EXPECT_EQ(-ENODEV, nc_ioctl(vfd, VIDIOC_QUERYCAP, &cap));
	memset(&b, 0, sizeof(b));
	b.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b.memory = V4L2_MEMORY_MMAP;
	EXPECT_EQ(-ENODEV, nc_ioctl(vfd, VIDIOC_DQBUF, &b));
	p.fd = vfd;
	p.events = POLLIN;
	p.revents = 0;
	r = poll(&p, 1, 1000);
	EXPECT_EQ(1, r);
	EXPECT_TRUE(p.revents & (POLLERR | POLLHUP)) TH_LOG("revents 0x%x", p.revents);
	s->streaming = false;	/* STREAMOFF would fail now */
	/* the feed channel tells the helper: HUP, events drain, then EOF */
	EXPECT_EQ(-ENODEV, nc_set_signal(cr.fd, NETCAM_SIGNAL_LOST));
	EXPECT_TRUE(nc_poll_in(cr.fd, 1000) & POLLHUP);
	{
		int old_feed = cr.fd, k;
		ssize_t n = 1;

		for (k = 0; k < 100 && n > 0; k++)
			n = read(old_feed, &ev, sizeof(ev));
		EXPECT_EQ(0, n) TH_LOG("read after remove: %zd (%s)", n,
				       n < 0 ? strerror(errno) : "data");
		/* the same name can be created again; the old feed stays dead */
		cr.fd = -1;
		EXPECT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_CREATE, &cr));
		EXPECT_EQ(0U, cr.flags_out);
		EXPECT_EQ(-ENODEV, nc_set_signal(old_feed, NETCAM_SIGNAL_LOST));
		EXPECT_EQ(0, nc_set_signal(cr.fd, NETCAM_SIGNAL_PRESENT));
		close(old_feed);
		track_name(self, cr.name);
		self->feeds[track_name(self, cr.name)] = cr.fd;
	}
}

/* CREATE whose result cannot be written back: nothing may stay behind. */
TEST_F(netcam, create_efault_out)
{
	struct netcam_camera_info info;
	struct netcam_create cr, *ro;
	char name[NETCAM_NAME_LEN];
	int before_fd, after_fd;

	REQUIRE_NETCAM();
	ro = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	nc_fill_create(ro, uname_(self, "efo", name), NULL, 1, NULL,
		       small_modes, 1);
	track_name(self, name);
	ASSERT_EQ(0, mprotect(ro, 4096, PROT_READ));
	before_fd = dup(0);
	close(before_fd);
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_CREATE, ro));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL))
		TH_LOG("a camera stayed behind after EFAULT");
	after_fd = dup(0);
	close(after_fd);
	EXPECT_EQ(before_fd, after_fd) TH_LOG("an fd leaked");

	/* same for a re-attach: the camera stays, without a feed */
	cr = *ro;
	ASSERT_EQ(0, cam_create(self, &cr));
	feed_close(self, cr.fd);
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_CREATE, ro));
	FIND_OK(name, &info);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_FEED_ATTACHED);
	after_fd = dup(0);
	close(after_fd);
	EXPECT_EQ(before_fd, after_fd) TH_LOG("an fd leaked");
	cr = *ro;
	EXPECT_EQ(0, cam_create(self, &cr));
	EXPECT_EQ((__u32)NETCAM_CREATE_REATTACHED, cr.flags_out);
	munmap(ro, 4096);
}

TEST_F(netcam, feed_read_modes)
{
	struct netcam_event evs[8];
	struct netcam_create cr;
	ssize_t n;
	int fl;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "rdm", 3, small_modes, 1);
	/* one read returns several whole events */
	ASSERT_TRUE(nc_poll_in(cr.fd, 1000) & POLLIN);
	n = read(cr.fd, evs, sizeof(evs[0]) * 2 + 5);
	EXPECT_EQ((ssize_t)sizeof(evs[0]) * 2, n);
	EXPECT_EQ(0U, evs[0].sequence);
	EXPECT_EQ(1U, evs[1].sequence);
	n = read(cr.fd, evs, sizeof(evs));
	EXPECT_EQ((ssize_t)sizeof(evs[0]), n);
	EXPECT_EQ(2U, evs[0].sequence);
	EXPECT_EQ(2U, evs[0].node);
	/* empty: O_NONBLOCK gives EAGAIN, poll says not readable, writable */
	fl = fcntl(cr.fd, F_GETFL);
	ASSERT_EQ(0, fcntl(cr.fd, F_SETFL, fl | O_NONBLOCK));
	errno = 0;
	EXPECT_EQ(-1, read(cr.fd, evs, sizeof(evs)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_EQ(0, nc_poll_in(cr.fd, 50) & POLLIN);
	/* bad buffer */
	ASSERT_EQ(0, fcntl(cr.fd, F_SETFL, fl));
	{
		struct netcam_camera_info info;
		struct v4l2_format f;
		int vfd;

		FIND_OK(cr.name, &info);
		vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
		ASSERT_GE(vfd, 0);
		ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_YUYV, 160, 120, &f));
		ASSERT_TRUE(nc_poll_in(cr.fd, 1000) & POLLIN);
		errno = 0;
		EXPECT_EQ(-1, read(cr.fd, self->bad_page, sizeof(evs[0])));
		EXPECT_EQ(EFAULT, errno);
	}
}

/* Many events unread: the queue folds into current state, nothing stale. */
TEST_F(netcam, event_overflow)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev, last[2];
	unsigned int n = 0, got = 0;
	__u32 prev_seq = 0;
	int vfd, i, r;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "ovf", 2, std_modes, N_STD_MODES);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	for (i = 0; i < 1000; i++)
		ASSERT_EQ(0, nc_s_parm(vfd, 1, (i & 1) ? 15 : 30, NULL));
	/* the last one (i = 999) set 1/15 */
	memset(last, 0, sizeof(last));
	while ((r = nc_read_event(cr.fd, &ev, 200)) == 1) {
		if (n)
			EXPECT_EQ(prev_seq + 1, ev.sequence)
				TH_LOG("sequence must stay consecutive");
		prev_seq = ev.sequence;
		if (ev.node < 2) {
			last[ev.node] = ev;
			got |= 1U << ev.node;
		}
		n++;
		ASSERT_LT(n, 5000U);
	}
	ASSERT_EQ(0, r);
	TH_LOG("%u events after 1000 S_PARM + 2 initial", n);
	EXPECT_LT(n, 1002U) TH_LOG("the queue should have folded");
	EXPECT_EQ(3U, got) TH_LOG("a fold keeps one event per node");
	EXPECT_EQ(15U, last[0].interval_den) TH_LOG("newest state of node 0 lost");
	EXPECT_EQ(30U, last[1].interval_den);
}

TEST_F(netcam, userptr_frames)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct netcam_event ev;
	struct v4l2_requestbuffers rb;
	struct v4l2_buffer b;
	struct v4l2_format f;
	unsigned char *mem[4], *frame;
	__u32 size;
	int vfd, i, type = V4L2_BUF_TYPE_VIDEO_CAPTURE;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "usr", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_GREY, 160, 120, &f));
	size = f.fmt.pix.sizeimage;
	memset(&rb, 0, sizeof(rb));
	rb.count = 4;
	rb.type = type;
	rb.memory = V4L2_MEMORY_USERPTR;
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	for (i = 0; i < 4; i++) {
		mem[i] = aligned_alloc(4096, (size + 4095) & ~4095U);
		ASSERT_NE(NULL, mem[i]);
		memset(mem[i], 0, size);
		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_USERPTR;
		b.index = i;
		b.m.userptr = (unsigned long)mem[i];
		b.length = (size + 4095) & ~4095U;
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_QBUF, &b));
	}
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_STREAMON, &type));
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));
	frame = malloc(size);
	ASSERT_NE(NULL, frame);
	for (i = 0; i < 6; i++) {
		nc_pattern(frame, size, 300 + i);
		ASSERT_EQ(0, nc_feed(cr.fd, 0, V4L2_PIX_FMT_GREY, 160, 120, frame, size));
		memset(&b, 0, sizeof(b));
		b.type = type;
		b.memory = V4L2_MEMORY_USERPTR;
		ASSERT_EQ(0, nc_poll_in(vfd, 1000) & POLLIN ? 0 : -ETIMEDOUT);
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_DQBUF, &b));
		EXPECT_EQ((__u32)i, b.sequence);
		EXPECT_EQ(size, b.bytesused);
		EXPECT_EQ(0, memcmp((void *)b.m.userptr, frame, size));
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_QBUF, &b));
	}
	EXPECT_EQ(0, nc_ioctl(vfd, VIDIOC_STREAMOFF, &type));
	memset(&rb, 0, sizeof(rb));
	rb.type = type;
	rb.memory = V4L2_MEMORY_USERPTR;
	EXPECT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	for (i = 0; i < 4; i++)
		free(mem[i]);
	free(frame);
}

/* read() I/O with a helper process feeding on STREAM_ON. */
TEST_F(netcam, read_io)
{
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_format f;
	unsigned char *got;
	__u32 size;
	int vfd, i, fl;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "rio", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_GREY, 160, 120, &f));
	size = f.fmt.pix.sizeimage;
	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (self->child == 0) {
		unsigned char *fb = malloc(size);
		struct netcam_event ev;
		int streaming = 0;

		if (!fb)
			_exit(1);
		memset(fb, 0xc3, size);
		for (;;) {
			while (nc_read_event(cr.fd, &ev, streaming ? 0 : 100) == 1)
				if (ev.node == 0)
					streaming = ev.streaming;
			if (streaming)
				nc_feed(cr.fd, 0, V4L2_PIX_FMT_GREY, 160, 120, fb, size);
			nc_sleep_ms(20);
		}
	}
	got = malloc(size);
	ASSERT_NE(NULL, got);
	fl = fcntl(vfd, F_GETFL);
	ASSERT_EQ(0, fcntl(vfd, F_SETFL, fl & ~O_NONBLOCK));
	alarm(20);
	for (i = 0; i < 5; i++) {
		ssize_t n = read(vfd, got, size);

		ASSERT_EQ((ssize_t)size, n) TH_LOG("read %d: %s", i,
						   n < 0 ? strerror(errno) : "short");
		EXPECT_EQ(0xc3, got[0]);
		EXPECT_EQ(0xc3, got[size - 1]);
	}
	alarm(0);
	free(got);
}

/*
 * A feeder hammering FEED_FRAME while the app restarts streams in
 * other formats, then the camera is removed under it.
 */
TEST_F_TIMEOUT(netcam, stress_feed_vs_stream, 120)
{
	static const struct {
		__u32 fourcc, w, h;
	} fmts[] = {
		{ V4L2_PIX_FMT_YUYV, 160, 120 },
		{ V4L2_PIX_FMT_GREY, 160, 120 },
		{ V4L2_PIX_FMT_YUYV, 320, 240 },
		{ V4L2_PIX_FMT_MJPEG, 160, 120 },
	};
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct nc_stream *s = &self->streams[0];
	int vfd, round, status;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "sts", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	self->child = fork();
	ASSERT_GE(self->child, 0);
	if (self->child == 0) {
		/* feed every format in turn without reading events */
		__u32 max = nc_raw_size(V4L2_PIX_FMT_YUYV, 320, 240);
		unsigned char *fb = malloc(max);
		unsigned long k;

		if (!fb)
			_exit(1);
		memset(fb, 0x11, max);
		fb[0] = 0xff;
		fb[1] = 0xd8;
		for (k = 0;; k++) {
			unsigned int j = k % 4;
			__u32 sz = fmts[j].fourcc == V4L2_PIX_FMT_MJPEG ? 2000 :
				   nc_raw_size(fmts[j].fourcc, fmts[j].w, fmts[j].h);
			int r = nc_feed(cr.fd, 0, fmts[j].fourcc, fmts[j].w,
					fmts[j].h, fb, sz);
			struct netcam_event ev;

			if (r == -ENODEV)
				_exit(0);
			if (r && r != -ESTALE)
				_exit(10 + (-r & 0x7f));
			if (!(k & 63))
				while (nc_read_event(cr.fd, &ev, 0) == 1)
					;
		}
	}
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	for (round = 0; round < 40; round++) {
		struct v4l2_requestbuffers rb = {
			.count = 0, .type = V4L2_BUF_TYPE_VIDEO_CAPTURE,
			.memory = V4L2_MEMORY_MMAP,
		};
		struct v4l2_buffer b;
		unsigned int j = round % 4, k;

		ASSERT_EQ(0, nc_s_fmt(vfd, fmts[j].fourcc, fmts[j].w, fmts[j].h, NULL));
		ASSERT_EQ(0, nc_stream_start(s, vfd, 3));
		for (k = 0; k < 3; k++) {
			ASSERT_EQ(1, nc_dqbuf(s, &b, 3000)) TH_LOG("round %d", round);
			EXPECT_EQ(0U, b.flags & V4L2_BUF_FLAG_ERROR);
			ASSERT_EQ(0, nc_qbuf(s, b.index));
		}
		if (round & 1)
			nc_s_parm(vfd, 1, 30, NULL);
		ASSERT_EQ(0, nc_streamoff(s));
		nc_stream_free(s);
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	}
	/* remove while feeding and streaming */
	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_YUYV, 160, 120, NULL));
	ASSERT_EQ(0, nc_stream_start(s, vfd, 3));
	nc_sleep_ms(100);
	ASSERT_EQ(0, nc_remove(self->ctl, cr.name));
	s->streaming = false;
	ASSERT_EQ(self->child, waitpid(self->child, &status, 0));
	self->child = -1;
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status))
		TH_LOG("feeder got errno %d", WEXITSTATUS(status) - 10);
}

/* ---- issue 8: hostile input, uAPI 1.1 ------------------------------- */

/*
 * TRY_FMT and S_FMT with sizes whose distances to the advertised ones
 * add up to (or past) U32_MAX answer with an advertised size. The first
 * case is the one that used to leave no mode chosen and oops: width
 * 0xffffffff and a height with |dw| + |dh| = U32_MAX exactly.
 */
TEST_F(netcam, fmt_wrapping_sizes)
{
	static const struct netcam_mode one[] = {
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 30, { 0 } },
	};
	static const __u32 extreme[] = {
		0, 1, 2, 15, 17, 0x7fffffff, 0x80000000, 0xfffffffe,
		0xffffffff,
	};
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_format f;
	unsigned int i, j, k;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "wrap", 1, one, 1);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);

	for (k = 0; k < 2; k++) {
		unsigned long req = k ? VIDIOC_S_FMT : VIDIOC_TRY_FMT;

		memset(&f, 0, sizeof(f));
		f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		f.fmt.pix.pixelformat = V4L2_PIX_FMT_YUYV;
		f.fmt.pix.width = 0xffffffffU;
		f.fmt.pix.height = 480 + 640;
		ASSERT_EQ(0, nc_ioctl(vfd, req, &f));
		EXPECT_EQ(640U, f.fmt.pix.width);
		EXPECT_EQ(480U, f.fmt.pix.height);
		EXPECT_EQ(640U * 480 * 2, f.fmt.pix.sizeimage);
	}
	for (i = 0; i < ARRAY_SIZE(extreme); i++) {
		for (j = 0; j < ARRAY_SIZE(extreme); j++) {
			memset(&f, 0, sizeof(f));
			f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			f.fmt.pix.pixelformat = j & 1 ? V4L2_PIX_FMT_YUYV :
							0xdeadbeef;
			f.fmt.pix.width = extreme[i];
			f.fmt.pix.height = extreme[j];
			f.fmt.pix.bytesperline = extreme[j];
			f.fmt.pix.sizeimage = extreme[i];
			ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_TRY_FMT, &f))
				TH_LOG("%ux%u", extreme[i], extreme[j]);
			EXPECT_EQ(V4L2_PIX_FMT_YUYV, f.fmt.pix.pixelformat);
			EXPECT_EQ(640U, f.fmt.pix.width);
			EXPECT_EQ(480U, f.fmt.pix.height);
			EXPECT_EQ(1280U, f.fmt.pix.bytesperline);
			EXPECT_EQ(640U * 480 * 2, f.fmt.pix.sizeimage);
		}
	}
	/* Interval extremes come back as the advertised one. */
	for (i = 0; i < ARRAY_SIZE(extreme); i++) {
		struct v4l2_streamparm p;

		memset(&p, 0, sizeof(p));
		p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		p.parm.capture.timeperframe.numerator = extreme[i];
		p.parm.capture.timeperframe.denominator =
			extreme[ARRAY_SIZE(extreme) - 1 - i];
		ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_S_PARM, &p));
		EXPECT_EQ(1U, p.parm.capture.timeperframe.numerator);
		EXPECT_EQ(30U, p.parm.capture.timeperframe.denominator);
	}
}

static void fill_attach(struct netcam_attach *at, const char *name)
{
	memset(at, 0, sizeof(*at));
	snprintf(at->name, sizeof(at->name), "%s", name);
	at->fd = -1;
}

/* uAPI 1.1: NETCAM_IOC_ATTACH re-attaches, never creates. */
TEST_F(netcam, attach)
{
	struct netcam_camera_info info;
	struct netcam_version v;
	struct netcam_attach at;
	struct netcam_create cr;
	struct netcam_event ev;
	char name[NETCAM_NAME_LEN];
	int ro, before_fd, after_fd, slot;
	void *page;

	REQUIRE_NETCAM();
	ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_VERSION, &v));
	EXPECT_EQ(1U, v.major);
	EXPECT_GE(v.minor, 1U);

	/* No such camera: ENOENT, and none is created. */
	fill_attach(&at, uname_(self, "att0", name));
	track_name(self, name);
	EXPECT_EQ(-ENOENT, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	EXPECT_EQ(0, nc_find(self->ctl, name, NULL));
	EXPECT_EQ(-1, at.fd);

	CREATE_OK(&cr, "att", 2, small_modes, N_SMALL_MODES);
	slot = track_name(self, cr.name);
	/* A feed is attached: EBUSY. */
	fill_attach(&at, cr.name);
	EXPECT_EQ(-EBUSY, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));

	/* Bad requests. */
	fill_attach(&at, cr.name);
	at.flags = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	fill_attach(&at, cr.name);
	at.reserved[8] = 1;
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	fill_attach(&at, "");
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	fill_attach(&at, "bad name");
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	fill_attach(&at, cr.name);
	memset(at.name, 'a', sizeof(at.name));	/* unterminated */
	EXPECT_EQ(-EINVAL, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH,
				    self->bad_page));
	ro = open(NC_CTL_PATH, O_RDONLY | O_CLOEXEC);
	ASSERT_GE(ro, 0);
	fill_attach(&at, cr.name);
	EXPECT_EQ(-EPERM, nc_ioctl(ro, NETCAM_IOC_ATTACH, &at));
	close(ro);

	/* Detached: ATTACH gives a feed that starts with the node states. */
	feed_close(self, cr.fd);
	fill_attach(&at, cr.name);
	ASSERT_EQ(0, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
	ASSERT_GE(at.fd, 0);
	self->feeds[slot] = at.fd;
	EXPECT_EQ(cr.id, at.id);
	EXPECT_EQ(FD_CLOEXEC, fcntl(at.fd, F_GETFD) & FD_CLOEXEC);
	ASSERT_EQ(1, nc_read_event(at.fd, &ev, 1000));
	EXPECT_EQ((__u32)NETCAM_EVENT_FORMAT, ev.type);
	EXPECT_EQ(0U, ev.node);
	EXPECT_EQ(small_modes[0].pixelformat, ev.pixelformat);
	FIND_OK(cr.name, &info);
	EXPECT_EQ(2U, info.num_nodes);
	EXPECT_TRUE(info.flags & NETCAM_CAMERA_FEED_ATTACHED);

	/* The answer cannot be written: no fd leaks, no feed stays. */
	feed_close(self, at.fd);
	page = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, page);
	fill_attach(page, cr.name);
	ASSERT_EQ(0, mprotect(page, 4096, PROT_READ));
	before_fd = dup(0);
	close(before_fd);
	EXPECT_EQ(-EFAULT, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, page));
	after_fd = dup(0);
	close(after_fd);
	EXPECT_EQ(before_fd, after_fd) TH_LOG("an fd leaked");
	FIND_OK(cr.name, &info);
	EXPECT_EQ(0U, info.flags & NETCAM_CAMERA_FEED_ATTACHED);
	munmap(page, 4096);

	/* Removed: ENOENT again. */
	ASSERT_EQ(0, nc_remove(self->ctl, cr.name));
	fill_attach(&at, cr.name);
	EXPECT_EQ(-ENOENT, nc_ioctl(self->ctl, NETCAM_IOC_ATTACH, &at));
}

/* As a webcam: S_PARM from another file handle while one streams. */
TEST_F(netcam, s_parm_other_handle_busy)
{
	struct nc_stream *s = &self->streams[0];
	struct netcam_camera_info info;
	struct netcam_create cr;
	struct v4l2_requestbuffers rb;
	struct v4l2_streamparm p;
	int vfd, other;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "parm", 1, std_modes, N_STD_MODES);
	FIND_OK(cr.name, &info);
	vfd = start_node(_metadata, self, info.video_nr[0], s,
			 V4L2_PIX_FMT_YUYV, 640, 480, 3, NULL);
	other = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(other, 0);
	EXPECT_EQ(-EBUSY, nc_s_parm(other, 1, 15, NULL));
	memset(&p, 0, sizeof(p));
	p.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	EXPECT_EQ(0, nc_ioctl(other, VIDIOC_G_PARM, &p));
	EXPECT_EQ(30U, p.parm.capture.timeperframe.denominator);
	/* The streaming handle may change the rate. */
	EXPECT_EQ(0, nc_s_parm(vfd, 1, 15, NULL));
	ASSERT_EQ(0, nc_streamoff(s));
	/* Still the owner's while its buffers are allocated. */
	EXPECT_EQ(-EBUSY, nc_s_parm(other, 1, 30, NULL));
	nc_stream_free(s);
	memset(&rb, 0, sizeof(rb));
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	/* Nobody owns the queue any more. */
	EXPECT_EQ(0, nc_s_parm(other, 1, 30, NULL));
}

/*
 * Buffer sizes and counts an app asks for are bounded: CREATE_BUFS takes
 * the image size up to a third of 512 MiB, and a node's buffers stay
 * within 512 MiB (at least 3 buffers), so no request makes the kernel try
 * a vmalloc() that cannot succeed.
 */
TEST_F_TIMEOUT(netcam, buffer_bounds, 120)
{
	static const struct netcam_mode modes[] = {
		{ V4L2_PIX_FMT_YUYV, 640, 480, 1, 30, { 0 } },
		{ V4L2_PIX_FMT_YUYV, 8192, 8192, 1, 5, { 0 } },
	};
	static const __u32 bad_sizes[] = {
		0, 1, 640 * 480 * 2 - 1, (512U << 20) / 3 + 1, 0x7fffffff,
		0xffffffff,
	};
	struct netcam_camera_info info;
	struct v4l2_create_buffers cb;
	struct v4l2_requestbuffers rb;
	struct netcam_create cr;
	struct v4l2_format f;
	unsigned int i;
	int vfd;

	REQUIRE_NETCAM();
	CREATE_OK(&cr, "bufs", 1, modes, 2);
	FIND_OK(cr.name, &info);
	vfd = track_vfd(self, nc_open_video(info.video_nr[0]));
	ASSERT_GE(vfd, 0);
	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_YUYV, 640, 480, &f));

	for (i = 0; i < ARRAY_SIZE(bad_sizes); i++) {
		memset(&cb, 0, sizeof(cb));
		cb.count = 2;
		cb.memory = V4L2_MEMORY_MMAP;
		cb.format = f;
		cb.format.fmt.pix.sizeimage = bad_sizes[i];
		EXPECT_EQ(-EINVAL, nc_ioctl(vfd, VIDIOC_CREATE_BUFS, &cb))
			TH_LOG("CREATE_BUFS sizeimage %u", bad_sizes[i]);
	}
	memset(&cb, 0, sizeof(cb));
	cb.count = 2;
	cb.memory = V4L2_MEMORY_MMAP;
	cb.format = f;
	/* What v4l2-compliance asks for: the image and 1 MiB more. */
	cb.format.fmt.pix.sizeimage = f.fmt.pix.sizeimage + (1U << 20);
	EXPECT_EQ(0, nc_ioctl(vfd, VIDIOC_CREATE_BUFS, &cb));
	EXPECT_EQ(2U, cb.count);

	memset(&rb, 0, sizeof(rb));
	rb.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	rb.memory = V4L2_MEMORY_MMAP;
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));

	/* 128 MiB frames: 4 buffers fit in the node's 512 MiB. */
	ASSERT_EQ(0, nc_s_fmt(vfd, V4L2_PIX_FMT_YUYV, 8192, 8192, &f));
	rb.count = 32;
	ASSERT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
	EXPECT_EQ(4U, rb.count);
	memset(&cb, 0, sizeof(cb));
	cb.count = 8;
	cb.memory = V4L2_MEMORY_MMAP;
	cb.format = f;
	EXPECT_EQ(-ENOMEM, nc_ioctl(vfd, VIDIOC_CREATE_BUFS, &cb));
	rb.count = 0;
	EXPECT_EQ(0, nc_ioctl(vfd, VIDIOC_REQBUFS, &rb));
}

/* ---- user pages that never arrive (userfaultfd) ---------------------- */

struct uffd_region {
	int uffd;
	void *addr;
	size_t len;
};

/* An anonymous region whose pages only come when asked for: never. */
static int uffd_region_open(struct uffd_region *r, size_t len)
{
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg;

	r->len = len;
	r->uffd = syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (r->uffd < 0)
		return -errno;
	if (ioctl(r->uffd, UFFDIO_API, &api))
		return -errno;
	r->addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r->addr == MAP_FAILED)
		return -errno;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (unsigned long)r->addr;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(r->uffd, UFFDIO_REGISTER, &reg))
		return -errno;
	return 0;
}

/* Closing the userfaultfd lets the blocked faults in (as zero pages). */
static void uffd_region_release(struct uffd_region *r)
{
	if (r->uffd >= 0)
		close(r->uffd);
	r->uffd = -1;
}

struct blocked_call {
	int fd;
	unsigned long req;
	void *arg;
	int ret;
	volatile int done;
};

static void *blocked_call_run(void *p)
{
	struct blocked_call *c = p;

	c->ret = nc_ioctl(c->fd, c->req, c->arg);
	c->done = 1;
	return NULL;
}

static bool wait_done(volatile int *done, int ms)
{
	int64_t deadline = nc_now_ns() + (int64_t)ms * 1000000;

	while (!*done && nc_now_ns() < deadline)
		nc_sleep_ms(10);
	return *done;
}

#define UFFD_OR_SKIP(r, len) do { \
	int __u = uffd_region_open((r), (len)); \
	if (__u) \
		SKIP(return, "userfaultfd: %s", strerror(-__u)); \
} while (0)

/*
 * A helper whose frame never arrives blocks only itself: the app's
 * STREAMOFF and close, REMOVE and LIST finish at once.
 */
TEST_F_TIMEOUT(netcam, feed_page_never_arrives, 60)
{
	struct nc_stream *s = &self->streams[0];
	__u32 size = nc_raw_size(V4L2_PIX_FMT_GREY, 160, 120);
	struct netcam_camera_info info;
	struct blocked_call call;
	struct netcam_frame fr;
	struct netcam_create cr;
	struct uffd_region r;
	struct netcam_event ev;
	pthread_t thread;
	int64_t t0;

	REQUIRE_NETCAM();
	UFFD_OR_SKIP(&r, (size + 4095) & ~4095U);
	CREATE_OK(&cr, "uffd", 1, small_modes, N_SMALL_MODES);
	FIND_OK(cr.name, &info);
	start_node(_metadata, self, info.video_nr[0], s, V4L2_PIX_FMT_GREY,
		   160, 120, 3, NULL);
	ASSERT_EQ(1, wait_event(cr.fd, NETCAM_EVENT_STREAM_ON, 0, &ev));

	memset(&fr, 0, sizeof(fr));
	fr.pixelformat = V4L2_PIX_FMT_GREY;
	fr.width = 160;
	fr.height = 120;
	fr.bytesused = size;
	fr.data_ptr = (unsigned long)r.addr;
	call = (struct blocked_call){ cr.fd, NETCAM_IOC_FEED_FRAME, &fr, 0, 0 };
	ASSERT_EQ(0, pthread_create(&thread, NULL, blocked_call_run, &call));
	nc_sleep_ms(300);
	EXPECT_FALSE(call.done) TH_LOG("FEED_FRAME returned %d without its page",
				       call.ret);

	t0 = nc_now_ns();
	EXPECT_EQ(0, nc_streamoff(s));
	nc_stream_free(s);
	EXPECT_LT(nc_now_ns() - t0, 1000000000LL)
		TH_LOG("STREAMOFF waited for a page that never arrives");
	t0 = nc_now_ns();
	EXPECT_EQ(1, nc_count_cameras(self->ctl) >= 1);
	EXPECT_EQ(0, nc_remove(self->ctl, cr.name));
	EXPECT_LT(nc_now_ns() - t0, 1000000000LL)
		TH_LOG("LIST/REMOVE waited for a page that never arrives");

	uffd_region_release(&r);
	EXPECT_TRUE(wait_done(&call.done, 5000))
		TH_LOG("FEED_FRAME still blocked after the pages came");
	if (call.done) {
		pthread_join(thread, NULL);
		EXPECT_NE(0, call.ret);	/* the camera is gone */
	} else {
		pthread_detach(thread);
	}
	munmap(r.addr, r.len);
}

/* A LIST whose answer page never arrives holds up no other caller. */
TEST_F_TIMEOUT(netcam, list_page_never_arrives, 60)
{
	struct netcam_camera_info *out;
	struct blocked_call call;
	struct netcam_create cr, cr2;
	struct netcam_list l;
	struct uffd_region r;
	pthread_t thread;
	int64_t t0;

	REQUIRE_NETCAM();
	UFFD_OR_SKIP(&r, 4096 * 4);
	CREATE_OK(&cr, "ulist", 1, small_modes, 1);
	/* The struct itself is readable; only the entries' page is missing. */
	out = (void *)((char *)r.addr + 4096);
	memset(&l, 0, sizeof(l));
	l.capacity = 4;
	l.cameras_ptr = (unsigned long)out;
	call = (struct blocked_call){ self->ctl, NETCAM_IOC_LIST, &l, 0, 0 };
	ASSERT_EQ(0, pthread_create(&thread, NULL, blocked_call_run, &call));
	nc_sleep_ms(300);
	EXPECT_FALSE(call.done);

	t0 = nc_now_ns();
	EXPECT_GE(nc_count_cameras(self->ctl), 1);
	CREATE_OK(&cr2, "ulist2", 1, small_modes, 1);
	EXPECT_EQ(0, nc_remove(self->ctl, cr2.name));
	EXPECT_LT(nc_now_ns() - t0, 1000000000LL)
		TH_LOG("LIST/CREATE/REMOVE waited for another LIST's page");

	uffd_region_release(&r);
	EXPECT_TRUE(wait_done(&call.done, 5000));
	if (call.done) {
		pthread_join(thread, NULL);
		EXPECT_EQ(0, call.ret);
		EXPECT_GE(l.count, 1U);
	} else {
		pthread_detach(thread);
	}
	munmap(r.addr, r.len);
}

TEST_HARNESS_MAIN
