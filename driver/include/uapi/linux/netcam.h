/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * netcam: network cameras as V4L2 capture devices.
 *
 * The single contract between netcam.ko and its user-space helper.
 * Documented in Documentation/userspace-api/netcam.rst.
 *
 * A privileged helper opens /dev/netcam and creates a camera with
 * NETCAM_IOC_CREATE. The kernel registers one V4L2 capture node per
 * requested node and returns a feed channel (a file descriptor). The helper
 * reads struct netcam_event records from the feed channel to learn which
 * node streams in which format, and delivers frames with
 * NETCAM_IOC_FEED_FRAME. When the feed channel is closed, the nodes stay
 * and keep streaming placeholder frames until a helper creates a camera of
 * the same name again (re-attach) or the camera is removed. A streaming
 * node that gets no real frame for one second (or two frame intervals, if
 * longer) also receives placeholder frames (the last real frame it kept,
 * or mid-grey) at its negotiated interval until real frames resume, so
 * apps never stall. Once the signal went, or a placeholder was sent, every
 * interval without a real frame gets a placeholder until a real frame
 * comes.
 */
#ifndef _UAPI_LINUX_NETCAM_H
#define _UAPI_LINUX_NETCAM_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define NETCAM_VERSION_MAJOR	1
#define NETCAM_VERSION_MINOR	1

/* Sizes of the fixed string fields, including the terminating NUL. */
#define NETCAM_NAME_LEN		32
#define NETCAM_LABEL_LEN	32

/* Hard limits of one request; the camera count is a module parameter. */
#define NETCAM_MAX_NODES	8
#define NETCAM_MAX_MODES	256
#define NETCAM_MIN_WIDTH	16
#define NETCAM_MIN_HEIGHT	16
#define NETCAM_MAX_WIDTH	8192
#define NETCAM_MAX_HEIGHT	8192
/* Upper bound of a compressed (MJPEG) frame, in bytes. */
#define NETCAM_MAX_COMPRESSED_SIZE	(32U << 20)

/**
 * struct netcam_version - NETCAM_IOC_VERSION result
 * @major: incompatible changes bump this
 * @minor: compatible additions bump this
 * @max_cameras: the module's camera limit (module parameter max_cameras)
 * @reserved: zeroed by the kernel
 */
struct netcam_version {
	__u32 major;
	__u32 minor;
	__u32 max_cameras;
	__u32 reserved[5];
};

/**
 * struct netcam_mode - one format/size/frame interval the helper can produce
 * @pixelformat: V4L2 fourcc: YUYV, NV12, YU12, GREY or MJPG
 * @width: width in pixels, even, NETCAM_MIN_WIDTH..NETCAM_MAX_WIDTH
 * @height: height in pixels, even, NETCAM_MIN_HEIGHT..NETCAM_MAX_HEIGHT
 * @interval_num: frame interval numerator (seconds), non-zero
 * @interval_den: frame interval denominator, non-zero; at most 1000 fps
 * @reserved: must be zero
 *
 * A camera's modes are a flat list of combinations; the capture nodes
 * enumerate the distinct formats, sizes per format and intervals per size
 * in the order they first appear in the list. The first mode is each
 * node's initial format. Duplicates are rejected.
 */
struct netcam_mode {
	__u32 pixelformat;
	__u32 width;
	__u32 height;
	__u32 interval_num;
	__u32 interval_den;
	__u32 reserved[3];
};

/**
 * struct netcam_node_desc - one capture node of a camera
 * @label: V4L2 card name of the node (NUL-terminated, printable). Empty
 *	means the camera's label, or "label (N)" for nodes after the first.
 * @reserved: must be zero
 */
struct netcam_node_desc {
	char label[NETCAM_LABEL_LEN];
	__u32 reserved[8];
};

/* struct netcam_create.flags_out */
#define NETCAM_CREATE_REATTACHED	_BITUL(0)

/**
 * struct netcam_create - NETCAM_IOC_CREATE argument
 *
 * Every string field must be NUL-terminated within its size and zero after
 * the NUL, so that a future version can give those bytes a meaning.
 * @name: unique camera name ([A-Za-z0-9._-], NUL-terminated); used to
 *	re-attach a restarted helper to its camera
 * @label: human-readable camera label (printable, NUL-terminated); empty
 *	means @name
 * @num_nodes: number of capture nodes, 1..NETCAM_MAX_NODES
 * @num_modes: number of entries at @modes_ptr, 1..NETCAM_MAX_MODES
 * @modes_ptr: user pointer to an array of struct netcam_mode
 * @max_compressed_size: bound of one MJPEG frame in bytes, 1024 up to
 *	NETCAM_MAX_COMPRESSED_SIZE, and at least the size of the driver's
 *	grey placeholder JPEG of every MJPEG size (about 1.5 bytes per 16x16
 *	block); 0 picks a default per size (width * height * 2, at least
 *	64 KiB, at most NETCAM_MAX_COMPRESSED_SIZE)
 * @flags: must be zero
 * @nodes: the first @num_nodes entries describe the nodes; the rest must
 *	be zero
 * @fd: out: the feed channel, a new file descriptor (O_CLOEXEC)
 * @id: out: the camera's id, as in NETCAM_IOC_LIST
 * @flags_out: out: NETCAM_CREATE_REATTACHED when an existing camera of
 *	this name without a feed was re-attached (its nodes and modes are
 *	kept as they were created), else 0
 * @reserved: must be zero
 */
struct netcam_create {
	char name[NETCAM_NAME_LEN];
	char label[NETCAM_LABEL_LEN];
	__u32 num_nodes;
	__u32 num_modes;
	__u64 modes_ptr;
	__u32 max_compressed_size;
	__u32 flags;
	struct netcam_node_desc nodes[NETCAM_MAX_NODES];
	__s32 fd;
	__u32 id;
	__u32 flags_out;
	__u32 reserved[9];
};

/**
 * struct netcam_attach - NETCAM_IOC_ATTACH argument (since uAPI 1.1)
 *
 * Attach a new feed channel to an existing camera, keeping its nodes and
 * modes: what NETCAM_IOC_CREATE does for a camera of that name, but it
 * never creates one. A helper that restarts and does not know the modes
 * uses it, so that it cannot create a camera with made-up modes.
 * ENOENT: no camera of that name; EBUSY: the camera has a feed attached.
 * @name: name of the camera
 * @fd: out: the feed channel, a new file descriptor (O_CLOEXEC)
 * @id: out: the camera's id, as in NETCAM_IOC_LIST
 * @flags: must be zero
 * @reserved: must be zero
 */
struct netcam_attach {
	char name[NETCAM_NAME_LEN];
	__s32 fd;
	__u32 id;
	__u32 flags;
	__u32 reserved[9];
};

/**
 * struct netcam_remove - NETCAM_IOC_REMOVE argument
 * @name: name of the camera to remove
 * @reserved: must be zero
 */
struct netcam_remove {
	char name[NETCAM_NAME_LEN];
	__u32 reserved[8];
};

/* struct netcam_camera_info.flags */
#define NETCAM_CAMERA_FEED_ATTACHED	_BITUL(0)
#define NETCAM_CAMERA_SIGNAL		_BITUL(1)

/**
 * struct netcam_camera_info - one NETCAM_IOC_LIST entry
 * @name: camera name
 * @label: camera label
 * @id: camera id
 * @num_nodes: number of capture nodes
 * @flags: NETCAM_CAMERA_*
 * @streaming_mask: bit N set while node N is streaming
 * @video_nr: /dev/videoN number of each node; -1 past @num_nodes
 * @reserved: zeroed by the kernel
 */
struct netcam_camera_info {
	char name[NETCAM_NAME_LEN];
	char label[NETCAM_LABEL_LEN];
	__u32 id;
	__u32 num_nodes;
	__u32 flags;
	__u32 streaming_mask;
	__s32 video_nr[NETCAM_MAX_NODES];
	__u32 reserved[8];
};

/**
 * struct netcam_list - NETCAM_IOC_LIST argument
 * @capacity: number of entries at @cameras_ptr
 * @count: out: number of cameras; at most @capacity entries are written
 * @cameras_ptr: user pointer to an array of struct netcam_camera_info
 * @reserved: must be zero
 */
struct netcam_list {
	__u32 capacity;
	__u32 count;
	__u64 cameras_ptr;
	__u32 reserved[4];
};

/**
 * struct netcam_frame - NETCAM_IOC_FEED_FRAME argument
 * @node: node index, 0..num_nodes-1
 * @pixelformat: format the frame is in; must be the node's current one
 * @width: width the frame is in; must be the node's current one
 * @height: height the frame is in; must be the node's current one
 * @bytesused: bytes at @data_ptr: exactly the format's image size for
 *	raw formats, 1..the node's sizeimage for MJPEG
 * @flags: must be zero
 * @data_ptr: user pointer to the frame
 * @reserved: must be zero
 *
 * The frame is copied straight into the node's oldest queued capture
 * buffer. ESTALE means the node stopped streaming or changed format since
 * the helper last looked: read the pending events.
 */
struct netcam_frame {
	__u32 node;
	__u32 pixelformat;
	__u32 width;
	__u32 height;
	__u32 bytesused;
	__u32 flags;
	__u64 data_ptr;
	__u32 reserved[4];
};

/* struct netcam_signal.state */
#define NETCAM_SIGNAL_LOST	0
#define NETCAM_SIGNAL_PRESENT	1

/**
 * struct netcam_signal - NETCAM_IOC_SET_SIGNAL argument
 * @state: NETCAM_SIGNAL_PRESENT (the default of a new feed) or
 *	NETCAM_SIGNAL_LOST (the camera is away: nodes report no signal and
 *	every frame slot the helper leaves empty gets a placeholder frame
 *	at once, at the node's negotiated rate)
 * @reserved: must be zero
 */
struct netcam_signal {
	__u32 state;
	__u32 reserved[7];
};

/* struct netcam_event.type */
#define NETCAM_EVENT_STREAM_ON	1
#define NETCAM_EVENT_STREAM_OFF	2
#define NETCAM_EVENT_FORMAT	3

/**
 * struct netcam_event - a record read() from the feed channel
 * @type: NETCAM_EVENT_*: what changed
 * @node: node index
 * @streaming: 1 while the node streams and wants frames
 * @pixelformat: the node's current format
 * @width: current width
 * @height: current height
 * @bytesperline: current line stride of the first plane (0 for MJPEG)
 * @sizeimage: bytes of a raw frame; the bound of an MJPEG frame
 * @interval_num: current frame interval numerator
 * @interval_den: current frame interval denominator
 * @sequence: event counter of this feed channel, from 0
 * @reserved: zeroed by the kernel
 *
 * Every event carries the node's whole state, so a helper only needs the
 * newest event of each node. A new feed channel starts with one event per
 * node: NETCAM_EVENT_STREAM_ON for a node that is already streaming,
 * NETCAM_EVENT_FORMAT for the others. If the helper falls behind, the
 * queued events are replaced by one such current-state event per node.
 */
struct netcam_event {
	__u32 type;
	__u32 node;
	__u32 streaming;
	__u32 pixelformat;
	__u32 width;
	__u32 height;
	__u32 bytesperline;
	__u32 sizeimage;
	__u32 interval_num;
	__u32 interval_den;
	__u32 sequence;
	__u32 reserved[5];
};

#define NETCAM_IOC_MAGIC	0xd6

/* On /dev/netcam */
#define NETCAM_IOC_VERSION	_IOR(NETCAM_IOC_MAGIC, 0x00, struct netcam_version)
#define NETCAM_IOC_CREATE	_IOWR(NETCAM_IOC_MAGIC, 0x01, struct netcam_create)
#define NETCAM_IOC_REMOVE	_IOW(NETCAM_IOC_MAGIC, 0x02, struct netcam_remove)
#define NETCAM_IOC_LIST		_IOWR(NETCAM_IOC_MAGIC, 0x03, struct netcam_list)
#define NETCAM_IOC_ATTACH	_IOWR(NETCAM_IOC_MAGIC, 0x04, struct netcam_attach)

/* On a feed channel */
#define NETCAM_IOC_FEED_FRAME	_IOW(NETCAM_IOC_MAGIC, 0x10, struct netcam_frame)
#define NETCAM_IOC_SET_SIGNAL	_IOW(NETCAM_IOC_MAGIC, 0x11, struct netcam_signal)

#endif /* _UAPI_LINUX_NETCAM_H */
