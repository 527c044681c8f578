// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: network cameras as V4L2 capture devices
 *
 * The module's entry points and the life cycle of a camera: allocated
 * from a NETCAM_IOC_CREATE request, registered as one video node per
 * requested node, removed on request or when the module goes.
 */

#include <linux/device.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "netcam-core.h"

unsigned int netcam_max_cameras = 64;
module_param_named(max_cameras, netcam_max_cameras, uint, 0444);
MODULE_PARM_DESC(max_cameras, "most cameras that may exist at once (default 64)");

/* /sys/devices/netcam: the parent of every camera's device. */
static struct device *netcam_root;

static void netcam_camera_release(struct v4l2_device *v4l2_dev)
{
	struct netcam_camera *cam =
		container_of(v4l2_dev, struct netcam_camera, v4l2_dev);
	unsigned int i;

	for (i = 0; i < cam->num_nodes; i++) {
		mutex_destroy(&cam->nodes[i].lock);
		mutex_destroy(&cam->nodes[i].still_lock);
	}
	kvfree(cam->modes);
	platform_device_put(cam->pdev);
	kfree(cam);
}

void netcam_camera_put(struct netcam_camera *cam)
{
	v4l2_device_put(&cam->v4l2_dev);
}

bool netcam_camera_has_signal(struct netcam_camera *cam)
{
	bool signal;

	spin_lock(&cam->lock);
	signal = cam->feed && cam->signal;
	spin_unlock(&cam->lock);
	return signal;
}

static void netcam_node_init(struct netcam_camera *cam, unsigned int index,
			     const char *label)
{
	struct netcam_node *node = &cam->nodes[index];
	const struct netcam_mode *first = &cam->modes[0];

	node->cam = cam;
	node->index = index;
	mutex_init(&node->lock);
	spin_lock_init(&node->qlock);
	INIT_LIST_HEAD(&node->buf_list);
	init_waitqueue_head(&node->idle_wait);
	mutex_init(&node->still_lock);
	if (label[0])
		strscpy(node->label, label, sizeof(node->label));
	else if (!index)
		strscpy(node->label, cam->label, sizeof(node->label));
	else
		scnprintf(node->label, sizeof(node->label), "%s (%u)",
			  cam->label, index + 1);

	netcam_fmt_fill(cam, first->pixelformat, first->width, first->height,
			&node->pix);
	node->interval.numerator = first->interval_num;
	node->interval.denominator = first->interval_den;

	cam->node_state[index] = (struct netcam_event) {
		.type = NETCAM_EVENT_FORMAT,
		.node = index,
		.pixelformat = node->pix.pixelformat,
		.width = node->pix.width,
		.height = node->pix.height,
		.bytesperline = node->pix.bytesperline,
		.sizeimage = node->pix.sizeimage,
		.interval_num = node->interval.numerator,
		.interval_den = node->interval.denominator,
	};
}

/*
 * A camera from a validated request. Takes ownership of @modes. The
 * caller registers it with netcam_camera_register().
 */
struct netcam_camera *netcam_camera_alloc(const struct netcam_create *req,
					  struct netcam_mode *modes)
{
	struct netcam_camera *cam;
	unsigned int i;

	cam = kzalloc(struct_size(cam, nodes, req->num_nodes), GFP_KERNEL);
	if (!cam) {
		kvfree(modes);
		return NULL;
	}
	cam->num_nodes = req->num_nodes;
	cam->modes = modes;
	cam->num_modes = req->num_modes;
	cam->max_compressed_size = req->max_compressed_size;
	spin_lock_init(&cam->lock);
	INIT_LIST_HEAD(&cam->list);
	strscpy(cam->name, req->name, sizeof(cam->name));
	strscpy(cam->label, req->label[0] ? req->label : req->name,
		sizeof(cam->label));
	for (i = 0; i < cam->num_nodes; i++)
		netcam_node_init(cam, i, req->nodes[i].label);
	return cam;
}

/*
 * Register the camera's v4l2_device and video nodes. On failure the
 * camera is gone (its last reference dropped).
 */
int netcam_camera_register(struct netcam_camera *cam)
{
	char devname[sizeof("netcam-") + NETCAM_NAME_LEN];
	unsigned int i;
	int ret;

	/*
	 * The camera's device, named after the camera, is the nodes' parent:
	 * their sysfs paths (and what udev and PipeWire derive from them)
	 * then follow the name, not the order the nodes were numbered in.
	 */
	scnprintf(devname, sizeof(devname), "netcam-%s", cam->name);
	cam->pdev = platform_device_alloc(devname, PLATFORM_DEVID_NONE);
	if (!cam->pdev) {
		ret = -ENOMEM;
		goto err_free;
	}
	cam->pdev->dev.parent = netcam_root;
	cam->pdev->dev.type = &netcam_camera_type;
	ret = platform_device_add(cam->pdev);
	if (ret) {
		platform_device_put(cam->pdev);
		goto err_free;
	}

	scnprintf(cam->v4l2_dev.name, sizeof(cam->v4l2_dev.name),
		  "netcam-%u", cam->id);
	ret = v4l2_device_register(&cam->pdev->dev, &cam->v4l2_dev);
	if (ret) {
		platform_device_unregister(cam->pdev);
		goto err_free;
	}
	/* From here on the camera's release drops the device. */
	cam->v4l2_dev.release = netcam_camera_release;

	for (i = 0; i < cam->num_nodes; i++) {
		ret = netcam_node_register(&cam->nodes[i]);
		if (ret) {
			v4l2_err(&cam->v4l2_dev,
				 "cannot register node %u: %d\n", i, ret);
			netcam_camera_remove(cam);
			return ret;
		}
	}
	return 0;

err_free:
	kvfree(cam->modes);
	kfree(cam);
	return ret;
}

/*
 * Unregister the nodes and drop the camera list's reference. Open file
 * handles keep the memory until they are closed; they get ENODEV.
 */
void netcam_camera_remove(struct netcam_camera *cam)
{
	unsigned int i;

	spin_lock(&cam->lock);
	cam->removed = true;
	spin_unlock(&cam->lock);
	netcam_feed_hangup(cam);
	for (i = 0; i < cam->num_nodes; i++)
		netcam_node_unregister(&cam->nodes[i]);
	v4l2_device_unregister(&cam->v4l2_dev);
	/* Gone from sysfs; the memory stays until the camera's release. */
	platform_device_del(cam->pdev);
	netcam_camera_put(cam);
}

static int __init netcam_init(void)
{
	int ret;

	if (!netcam_max_cameras) {
		pr_err("netcam: max_cameras must be at least 1\n");
		return -EINVAL;
	}
	netcam_root = root_device_register(NETCAM_DRIVER_NAME);
	if (IS_ERR(netcam_root))
		return PTR_ERR(netcam_root);
	ret = netcam_ctl_register();
	if (ret)
		root_device_unregister(netcam_root);
	return ret;
}

static void __exit netcam_exit(void)
{
	/* Every camera is gone and no file is open: nothing refers to root. */
	netcam_ctl_unregister();
	root_device_unregister(netcam_root);
}

module_init(netcam_init);
module_exit(netcam_exit);

MODULE_DESCRIPTION("Network cameras as V4L2 capture devices");
MODULE_AUTHOR("The netcam developers");
MODULE_LICENSE("GPL");
MODULE_VERSION("1.0");
