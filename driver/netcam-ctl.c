// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: the /dev/netcam control device
 *
 * Creates, lists and removes cameras. Every field that comes from user
 * space is checked before anything is allocated: a bad request gets a
 * clear errno and changes nothing.
 */

#include <linux/file.h>
#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "netcam-core.h"

/* Serialises create, remove and list; protects the camera list. */
static DEFINE_MUTEX(netcam_cameras_lock);
static LIST_HEAD(netcam_cameras);
static unsigned int netcam_num_cameras;
static DEFINE_IDA(netcam_ida);

static bool netcam_zero(const void *p, size_t n)
{
	return !memchr_inv(p, 0, n);
}

/* ASCII only: the kernel's isalnum() also accepts Latin-1 letters. */
static bool netcam_name_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

/* NUL-terminated within the field, and nothing after the NUL. */
static bool netcam_string_ok(const char *s, size_t size, bool name)
{
	size_t len = strnlen(s, size), i;

	if (len == size || !netcam_zero(s + len, size - len))
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (name ? !netcam_name_char(c) : (c < 0x20 || c == 0x7f))
			return false;
	}
	return true;
}

static int netcam_create_check(const struct netcam_create *req)
{
	unsigned int i;

	/* fd, id and flags_out are outputs: whatever they hold is ignored. */
	if (req->flags || !netcam_zero(req->reserved, sizeof(req->reserved)))
		return -EINVAL;
	if (!req->name[0] || !netcam_string_ok(req->name, sizeof(req->name),
					       true))
		return -EINVAL;
	if (!netcam_string_ok(req->label, sizeof(req->label), false))
		return -EINVAL;
	if (!req->num_nodes || req->num_nodes > NETCAM_MAX_NODES ||
	    !req->num_modes || req->num_modes > NETCAM_MAX_MODES)
		return -EINVAL;
	if (req->max_compressed_size &&
	    (req->max_compressed_size < 1024 ||
	     req->max_compressed_size > NETCAM_MAX_COMPRESSED_SIZE))
		return -EINVAL;
	for (i = 0; i < NETCAM_MAX_NODES; i++) {
		const struct netcam_node_desc *nd = &req->nodes[i];

		if (i >= req->num_nodes) {
			if (!netcam_zero(nd, sizeof(*nd)))
				return -EINVAL;
			continue;
		}
		if (!netcam_zero(nd->reserved, sizeof(nd->reserved)) ||
		    !netcam_string_ok(nd->label, sizeof(nd->label), false))
			return -EINVAL;
	}
	return 0;
}

static struct netcam_camera *netcam_find(const char *name)
{
	struct netcam_camera *cam;

	lockdep_assert_held(&netcam_cameras_lock);
	list_for_each_entry(cam, &netcam_cameras, list)
		if (!strcmp(cam->name, name))
			return cam;
	return NULL;
}

/* A new camera, registered and on the list; or an ERR_PTR. */
static struct netcam_camera *netcam_create_new(struct netcam_create *req,
					       struct netcam_mode *modes)
{
	struct netcam_camera *cam;
	int id, ret;

	if (netcam_num_cameras >= netcam_max_cameras) {
		kvfree(modes);
		return ERR_PTR(-ENOSPC);
	}
	id = ida_alloc(&netcam_ida, GFP_KERNEL);
	if (id < 0) {
		kvfree(modes);
		return ERR_PTR(id);
	}
	cam = netcam_camera_alloc(req, modes);
	if (!cam) {
		ida_free(&netcam_ida, id);
		return ERR_PTR(-ENOMEM);
	}
	cam->id = id;
	ret = netcam_camera_register(cam);
	if (ret) {
		ida_free(&netcam_ida, id);
		return ERR_PTR(ret);
	}
	list_add_tail(&cam->list, &netcam_cameras);
	netcam_num_cameras++;
	return cam;
}

static void netcam_unlink(struct netcam_camera *cam)
{
	lockdep_assert_held(&netcam_cameras_lock);
	list_del_init(&cam->list);
	netcam_num_cameras--;
	ida_free(&netcam_ida, cam->id);
	netcam_camera_remove(cam);
}

static struct netcam_mode *netcam_modes_copy(const struct netcam_create *req)
{
	struct netcam_mode *modes;
	int ret;

	modes = kvmalloc_array(req->num_modes, sizeof(*modes), GFP_KERNEL);
	if (!modes)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(modes, u64_to_user_ptr(req->modes_ptr),
			   req->num_modes * sizeof(*modes)))
		ret = -EFAULT;
	else
		ret = netcam_modes_validate(modes, req->num_modes,
					    req->max_compressed_size);
	if (ret) {
		kvfree(modes);
		return ERR_PTR(ret);
	}
	return modes;
}

static int netcam_ioctl_create(struct netcam_create __user *uarg)
{
	struct netcam_camera *cam;
	struct netcam_mode *modes;
	struct netcam_create req;
	struct file *file;
	bool created = false;
	int fd, ret;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	ret = netcam_create_check(&req);
	if (ret)
		return ret;
	modes = netcam_modes_copy(&req);
	if (IS_ERR(modes))
		return PTR_ERR(modes);

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		kvfree(modes);
		return fd;
	}

	req.flags_out = 0;
	mutex_lock(&netcam_cameras_lock);
	cam = netcam_find(req.name);
	if (cam) {
		/* Re-attach: the camera keeps its nodes and modes. */
		kvfree(modes);
		req.flags_out = NETCAM_CREATE_REATTACHED;
	} else {
		cam = netcam_create_new(&req, modes);
		if (IS_ERR(cam)) {
			ret = PTR_ERR(cam);
			goto unlock;
		}
		created = true;
	}
	file = netcam_feed_attach(cam);
	if (IS_ERR(file)) {
		ret = PTR_ERR(file);
		goto undo;
	}
	req.fd = fd;
	req.id = cam->id;
	if (copy_to_user(uarg, &req, sizeof(req))) {
		/* release() detaches the feed again. */
		fput(file);
		ret = -EFAULT;
		goto undo;
	}
	fd_install(fd, file);
	mutex_unlock(&netcam_cameras_lock);
	return 0;

undo:
	if (created)
		netcam_unlink(cam);
unlock:
	mutex_unlock(&netcam_cameras_lock);
	put_unused_fd(fd);
	return ret;
}

static int netcam_ioctl_remove(struct netcam_remove __user *uarg)
{
	struct netcam_camera *cam;
	struct netcam_remove req;
	int ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!netcam_zero(req.reserved, sizeof(req.reserved)) ||
	    !req.name[0] || !netcam_string_ok(req.name, sizeof(req.name), true))
		return -EINVAL;

	mutex_lock(&netcam_cameras_lock);
	cam = netcam_find(req.name);
	if (cam)
		netcam_unlink(cam);
	else
		ret = -ENOENT;
	mutex_unlock(&netcam_cameras_lock);
	return ret;
}

static void netcam_camera_info(struct netcam_camera *cam,
			       struct netcam_camera_info *info)
{
	unsigned int i;

	memset(info, 0, sizeof(*info));
	strscpy(info->name, cam->name, sizeof(info->name));
	strscpy(info->label, cam->label, sizeof(info->label));
	info->id = cam->id;
	info->num_nodes = cam->num_nodes;
	for (i = 0; i < NETCAM_MAX_NODES; i++)
		info->video_nr[i] = -1;
	for (i = 0; i < cam->num_nodes; i++) {
		struct netcam_node *node = &cam->nodes[i];

		info->video_nr[i] = node->vdev.num;
		if (READ_ONCE(node->streaming))
			info->streaming_mask |= BIT(i);
	}
	spin_lock(&cam->lock);
	if (cam->feed)
		info->flags |= NETCAM_CAMERA_FEED_ATTACHED;
	if (cam->feed && cam->signal)
		info->flags |= NETCAM_CAMERA_SIGNAL;
	spin_unlock(&cam->lock);
}

static int netcam_ioctl_list(struct netcam_list __user *uarg)
{
	struct netcam_camera_info __user *out;
	struct netcam_camera_info info;
	struct netcam_camera *cam;
	struct netcam_list req;
	u32 n = 0;
	int ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!netcam_zero(req.reserved, sizeof(req.reserved)))
		return -EINVAL;
	out = u64_to_user_ptr(req.cameras_ptr);

	mutex_lock(&netcam_cameras_lock);
	list_for_each_entry(cam, &netcam_cameras, list) {
		if (n < req.capacity) {
			netcam_camera_info(cam, &info);
			if (copy_to_user(&out[n], &info, sizeof(info))) {
				ret = -EFAULT;
				break;
			}
		}
		n++;
	}
	mutex_unlock(&netcam_cameras_lock);
	if (ret)
		return ret;
	req.count = n;
	return copy_to_user(uarg, &req, sizeof(req)) ? -EFAULT : 0;
}

static int netcam_ioctl_version(struct netcam_version __user *uarg)
{
	struct netcam_version v = {
		.major = NETCAM_VERSION_MAJOR,
		.minor = NETCAM_VERSION_MINOR,
		.max_cameras = netcam_max_cameras,
	};

	return copy_to_user(uarg, &v, sizeof(v)) ? -EFAULT : 0;
}

static long netcam_ctl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case NETCAM_IOC_VERSION:
		return netcam_ioctl_version(uarg);
	case NETCAM_IOC_LIST:
		return netcam_ioctl_list(uarg);
	case NETCAM_IOC_CREATE:
	case NETCAM_IOC_REMOVE:
		/*
		 * Changing cameras needs the device opened for writing: the
		 * node is root's (0600) unless a udev rule hands it to a
		 * group on purpose.
		 */
		if (!(file->f_mode & FMODE_WRITE))
			return -EPERM;
		return cmd == NETCAM_IOC_CREATE ? netcam_ioctl_create(uarg) :
						  netcam_ioctl_remove(uarg);
	default:
		return -ENOTTY;
	}
}

static const struct file_operations netcam_ctl_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = netcam_ctl_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice netcam_ctl_dev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "netcam",
	.fops = &netcam_ctl_fops,
	.mode = 0600,
};

int netcam_ctl_register(void)
{
	return misc_register(&netcam_ctl_dev);
}

void netcam_ctl_unregister(void)
{
	struct netcam_camera *cam, *tmp;

	misc_deregister(&netcam_ctl_dev);
	mutex_lock(&netcam_cameras_lock);
	list_for_each_entry_safe(cam, tmp, &netcam_cameras, list)
		netcam_unlink(cam);
	mutex_unlock(&netcam_cameras_lock);
	ida_destroy(&netcam_ida);
}
