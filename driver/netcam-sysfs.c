// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: per-node frame counters in sysfs
 *
 * /sys/class/video4linux/videoN/netcam/ holds, for the node:
 *   camera, node       the camera's name and the node's index
 *   frames_fed         real frames the helper delivered to the node
 *   frames_delivered   buffers handed to the app (real and filled)
 *   frames_dropped     frames lost because the app had no buffer queued
 *   frames_filled      frames the driver made (repeats of a kept frame or
 *                      placeholders) for slots the helper left empty;
 *                      counted whether or not a buffer was queued
 *
 * The node's uevent carries NETCAM_CAMERA=NAME and NETCAM_NODE=N, its
 * parent's (the camera's device netcam-NAME) NETCAM_CAMERA=NAME, for udev
 * rules (userspace/udev/60-netcam.rules) to name links and set the ID_*
 * properties that desktop apps show.
 */

#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "netcam-core.h"

static struct netcam_node *netcam_node_of_dev(struct device *dev)
{
	return video_get_drvdata(to_video_device(dev));
}

static ssize_t camera_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	return sysfs_emit(buf, "%s\n", netcam_node_of_dev(dev)->cam->name);
}
static DEVICE_ATTR_RO(camera);

static ssize_t node_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	return sysfs_emit(buf, "%u\n", netcam_node_of_dev(dev)->index);
}
static DEVICE_ATTR_RO(node);

/* The counters are written under the node's qlock; a read may race. */
#define NETCAM_COUNTER_ATTR(field)					\
static ssize_t frames_##field##_show(struct device *dev,		\
				     struct device_attribute *attr,	\
				     char *buf)				\
{									\
	struct netcam_node *node = netcam_node_of_dev(dev);		\
									\
	return sysfs_emit(buf, "%llu\n", READ_ONCE(node->count.field));	\
}									\
static DEVICE_ATTR_RO(frames_##field)

NETCAM_COUNTER_ATTR(fed);
NETCAM_COUNTER_ATTR(delivered);
NETCAM_COUNTER_ATTR(dropped);
NETCAM_COUNTER_ATTR(filled);

static struct attribute *netcam_node_attrs[] = {
	&dev_attr_camera.attr,
	&dev_attr_node.attr,
	&dev_attr_frames_fed.attr,
	&dev_attr_frames_delivered.attr,
	&dev_attr_frames_dropped.attr,
	&dev_attr_frames_filled.attr,
	NULL,
};

static const struct attribute_group netcam_node_group = {
	.name = "netcam",
	.attrs = netcam_node_attrs,
};

const struct attribute_group *netcam_node_groups[] = {
	&netcam_node_group,
	NULL,
};

static int netcam_node_uevent(NETCAM_UEVENT_DEVICE *dev,
			      struct kobj_uevent_env *env)
{
	const struct netcam_node *node = dev_get_drvdata(dev);
	int ret;

	ret = add_uevent_var(env, "NETCAM_CAMERA=%s", node->cam->name);
	if (ret)
		return ret;
	return add_uevent_var(env, "NETCAM_NODE=%u", node->index);
}

const struct device_type netcam_node_type = {
	.name = "netcam-node",
	.uevent = netcam_node_uevent,
};

/* The camera's device is named "netcam-" and the camera's name. */
static int netcam_camera_uevent(NETCAM_UEVENT_DEVICE *dev,
				struct kobj_uevent_env *env)
{
	return add_uevent_var(env, "NETCAM_CAMERA=%s",
			      dev_name(dev) + strlen("netcam-"));
}

const struct device_type netcam_camera_type = {
	.name = "netcam-camera",
	.uevent = netcam_camera_uevent,
};
