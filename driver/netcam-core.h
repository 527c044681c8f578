/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam: network cameras as V4L2 capture devices - shared definitions
 */
#ifndef _NETCAM_CORE_H_
#define _NETCAM_CORE_H_

#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <linux/netcam.h>
#include "netcam-compat.h"
#include "netcam-jpeg.h"
#include <media/v4l2-device.h>
#include <media/v4l2-dev.h>
#include <media/videobuf2-v4l2.h>

/*
 * Locks, outermost first. A lock may only be taken while holding locks
 * above it in this list, never below:
 *
 *   netcam_cameras_lock   (mutex, netcam-ctl.c) the camera list, the
 *                         list of cameras being torn down (whose names
 *                         stay taken until their devices leave sysfs),
 *                         the camera count and name lookup. Never held
 *                         while touching user memory or tearing a camera
 *                         down.
 *   netcam_node.lock      (mutex) the node's V4L2 ioctls and vb2 queue.
 *   netcam_node.still_lock (mutex) the node's kept frame.
 *   netcam_node.qlock     (spinlock) buffers and streaming state shared
 *                         with the feed path and the filler.
 *   netcam_camera.lock    (spinlock) the camera's feed pointer, signal,
 *                         removed flag, node states and the feed's events.
 *   netcam_feed.wait's lock, vb2's done_lock: innermost, taken by
 *                         wake_up() and vb2_buffer_done().
 *
 * No lock is held while copying from or to user memory, with one
 * exception that cannot stall: a frame is copied into an in-flight buffer
 * with page faults disabled (netcam-feed.c).
 *
 * Lifetimes:
 * - A camera (struct netcam_camera, with its nodes) lives as long as its
 *   v4l2_device has references: one from the camera list, one from an
 *   attached feed, one from each registered video device (held until its
 *   last file handle is closed). Being taken off the list makes it
 *   unreachable by name; netcam_camera_remove() then unregisters the nodes
 *   and drops the list's reference.
 * - Devices in sysfs: /sys/devices/netcam (a root device, from module load
 *   to unload) holds one platform device per camera, netcam-NAME (its
 *   name is the camera's, so its nodes' paths and the ID_PATH, by-path
 *   links and PipeWire names made from them do not depend on /dev/videoN
 *   numbers), which is the parent of the camera's video devices. The
 *   camera holds the platform device's reference from its registration
 *   to netcam_camera_release(): netcam_camera_remove() takes it out of
 *   sysfs (platform_device_del()) after the nodes, but a node an app
 *   still holds open keeps the camera, hence the device, until its last
 *   file is closed. The root device goes at module unload, when no
 *   camera and no file is left (each open file holds the module).
 * - A feed (struct netcam_feed) lives until its file is released. Others
 *   reach it only through netcam_camera.feed, under netcam_camera.lock, and
 *   must finish with it (wake-ups included) before dropping that lock:
 *   netcam_feed_release() clears the pointer under the same lock before it
 *   frees the feed.
 * - A capture buffer taken off a node's list is "in flight": only its taker
 *   touches it, with no lock held, until netcam_node_finish(). Stopping a
 *   stream waits for in-flight buffers, which is why a fill must never
 *   wait for anything unbounded.
 * - The kept frame (still) exists while the node streams.
 */

#define NETCAM_DRIVER_NAME	"netcam"
/* Events queued per feed channel before they are folded into states. */
#define NETCAM_EVENT_QUEUE_LEN	64
/* How often a streaming node keeps a copy of its last real frame. */
#define NETCAM_STILL_PERIOD_NS	(NSEC_PER_SEC / 2)
/*
 * With a signal, real frames missing this long (or two frame intervals, if
 * longer) make the filler step in.
 */
#define NETCAM_STALL_NS		NSEC_PER_SEC

struct netcam_camera;
struct platform_device;

/* A capture buffer and its place in the node's queue of empty buffers. */
struct netcam_buffer {
	struct vb2_v4l2_buffer vb;
	struct list_head list;
};

/* Frame counters of one node, shown in sysfs. */
struct netcam_counters {
	u64 fed;
	u64 delivered;
	u64 dropped;
	u64 filled;
};

/*
 * One capture node.
 *
 * @lock (the video device's and vb2 queue's lock) serialises the V4L2
 * ioctls; it guards @pix, which only changes while the node does not
 * stream (the feed path reads it under @qlock only after seeing
 * @streaming). Frames are copied outside it, so an app's QBUF or DQBUF
 * never waits for a copy: @qlock guards the buffer list, @inflight,
 * @streaming, @return_state, @sequence, the timestamps, @interval (written
 * under both @lock and @qlock), @filler_reset, @filling and @count. A
 * buffer taken off the list is "in flight" while it is filled with no
 * lock held; stop_streaming waits on @idle_wait for in-flight buffers
 * before it returns. @still_lock guards @still, @still_bytes and
 * @still_ns. @filler runs only while the node streams.
 */
struct netcam_node {
	struct netcam_camera *cam;
	unsigned int index;
	char label[NETCAM_LABEL_LEN];

	struct video_device vdev;
	struct vb2_queue queue;
	struct mutex lock; /* see above */
	struct v4l2_pix_format pix;
	bool registered;

	spinlock_t qlock; /* see above */
	struct list_head buf_list;
	unsigned int inflight;
	wait_queue_head_t idle_wait;
	enum vb2_buffer_state return_state;
	bool streaming;
	u32 sequence;
	u64 last_real_ns;
	u64 first_frame_ns; /* read(): nothing delivered before this */
	struct v4l2_fract interval;
	bool filler_reset;
	bool filling; /* repeating: no real frame since the last fill */
	struct netcam_counters count;

	/* Copy of a recent real frame, repeated while there is no signal. */
	struct mutex still_lock; /* see above */
	void *still;
	u32 still_bytes;
	u64 still_ns;

	struct task_struct *filler;
};

/*
 * The feed channel: the helper's end of a camera. Holds a camera
 * reference; freed by its file's release (see the lifetime rules above).
 */
struct netcam_feed {
	struct netcam_camera *cam;
	wait_queue_head_t wait;
	/* Ring of pending events, under cam->lock. */
	struct netcam_event events[NETCAM_EVENT_QUEUE_LEN];
	unsigned int ev_head;
	unsigned int ev_count;
	u32 ev_sequence;
};

/*
 * A camera. Its v4l2_device's refcount is the camera's: the camera list,
 * an attached feed and every registered video node hold one reference.
 * @list, under netcam_cameras_lock, is empty once the camera is off the
 * list. @name, @label, @id, @modes and the node array never change.
 */
struct netcam_camera {
	struct v4l2_device v4l2_dev;
	struct platform_device *pdev; /* the nodes' parent, see Lifetimes */
	struct list_head list;
	u32 id;
	char name[NETCAM_NAME_LEN];
	char label[NETCAM_LABEL_LEN];

	struct netcam_mode *modes;
	unsigned int num_modes;
	u32 max_compressed_size;

	/* Protects feed, signal, removed, node_state and the feed's ring. */
	spinlock_t lock;
	struct netcam_feed *feed;
	bool signal;
	bool removed;
	struct netcam_event node_state[NETCAM_MAX_NODES];

	unsigned int num_nodes;
	struct netcam_node nodes[] __counted_by(num_nodes);
};

/* netcam-main.c */
extern unsigned int netcam_max_cameras;

/* netcam-sysfs.c: device types with the uevent properties */
extern const struct device_type netcam_node_type;
extern const struct device_type netcam_camera_type;

/* netcam-ctl.c: the /dev/netcam control device */
int netcam_ctl_register(void);
void netcam_ctl_unregister(void);

/* netcam-main.c: camera life cycle */
struct netcam_camera *netcam_camera_alloc(const struct netcam_create *req,
					  struct netcam_mode *modes);
int netcam_camera_register(struct netcam_camera *cam);
void netcam_camera_remove(struct netcam_camera *cam);
void netcam_camera_put(struct netcam_camera *cam);
bool netcam_camera_has_signal(struct netcam_camera *cam);

/* netcam-feed.c: the feed channel */
struct file *netcam_feed_attach(struct netcam_camera *cam);
void netcam_feed_post(struct netcam_node *node, u32 type);
void netcam_feed_hangup(struct netcam_camera *cam);

/* netcam-vid.c: the capture nodes */
int netcam_node_register(struct netcam_node *node);
void netcam_node_unregister(struct netcam_node *node);
struct netcam_buffer *netcam_node_take_buffer(struct netcam_node *node);
void netcam_node_finish(struct netcam_node *node, struct netcam_buffer *buf,
			u32 bytesused, bool requeue);

/* netcam-fmt.c: formats and modes */
bool netcam_fmt_is_known(u32 pixelformat);
bool netcam_fmt_is_compressed(u32 pixelformat);
u32 netcam_fmt_raw_size(u32 pixelformat, u32 width, u32 height);
int netcam_modes_validate(const struct netcam_mode *modes, unsigned int n,
			  u32 max_compressed_size);
void netcam_fmt_fill(struct netcam_camera *cam, u32 pixelformat, u32 width,
		     u32 height, struct v4l2_pix_format *pix);
void netcam_fmt_try(struct netcam_camera *cam, struct v4l2_pix_format *pix);
int netcam_fmt_enum(struct netcam_camera *cam, u32 index, u32 *pixelformat);
int netcam_fmt_enum_size(struct netcam_camera *cam, u32 pixelformat,
			 u32 index, u32 *width, u32 *height);
int netcam_fmt_enum_interval(struct netcam_camera *cam, u32 pixelformat,
			     u32 width, u32 height, u32 index,
			     struct v4l2_fract *interval);
void netcam_fmt_pick_interval(struct netcam_camera *cam,
			      const struct v4l2_pix_format *pix,
			      struct v4l2_fract *interval);

/* netcam-fill.c: frames while there is no signal */
u64 netcam_interval_ns(const struct v4l2_fract *interval);
int netcam_filler_start(struct netcam_node *node);
void netcam_filler_stop(struct netcam_node *node);
int netcam_still_alloc(struct netcam_node *node);
void netcam_still_free(struct netcam_node *node);
void netcam_still_keep(struct netcam_node *node, const void *frame,
		       u32 bytes);
void netcam_nodes_repeat(struct netcam_camera *cam);

/* netcam-sysfs.c: per-node counters */
extern const struct attribute_group *netcam_node_groups[];

#endif /* _NETCAM_CORE_H_ */
