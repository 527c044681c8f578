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

/* Serialises create, remove and list; protects both camera lists. */
static DEFINE_MUTEX(netcam_cameras_lock);
static LIST_HEAD(netcam_cameras);
/*
 * Cameras taken off netcam_cameras whose teardown has not finished: their
 * devices (netcam-NAME) are still in sysfs, so their names are not free.
 */
static LIST_HEAD(netcam_dying);
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

static struct netcam_camera *netcam_find_in(struct list_head *cams,
					    const char *name)
{
	struct netcam_camera *cam;

	lockdep_assert_held(&netcam_cameras_lock);
	list_for_each_entry(cam, cams, list)
		if (!strcmp(cam->name, name))
			return cam;
	return NULL;
}

static struct netcam_camera *netcam_find(const char *name)
{
	return netcam_find_in(&netcam_cameras, name);
}

/* A new camera, registered and on the list; or an ERR_PTR. */
static struct netcam_camera *netcam_create_new(struct netcam_create *req,
					       struct netcam_mode *modes)
{
	struct netcam_camera *cam;
	int id, ret;

	/* A camera of this name is still being removed: busy for a moment. */
	if (netcam_find_in(&netcam_dying, req->name)) {
		kvfree(modes);
		return ERR_PTR(-EBUSY);
	}
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

/*
 * Take a camera off the list. It cannot be found or re-attached any more;
 * the caller tears it down with netcam_teardown() after dropping
 * netcam_cameras_lock, so that a teardown that waits (for an app's ioctl
 * to finish with the node's lock) never holds up other cameras. Until the
 * teardown is done the camera is on netcam_dying, which keeps its name
 * taken (a CREATE of it gets EBUSY).
 */
static void netcam_unlink(struct netcam_camera *cam)
{
	lockdep_assert_held(&netcam_cameras_lock);
	list_move_tail(&cam->list, &netcam_dying);
	netcam_num_cameras--;
}

static void netcam_teardown(struct netcam_camera *cam)
{
	u32 id = cam->id;

	lockdep_assert_not_held(&netcam_cameras_lock);
	/* Our own reference: the removal may drop the last other one. */
	v4l2_device_get(&cam->v4l2_dev);
	netcam_camera_remove(cam);
	mutex_lock(&netcam_cameras_lock);
	list_del_init(&cam->list);
	mutex_unlock(&netcam_cameras_lock);
	netcam_camera_put(cam);
	ida_free(&netcam_ida, id);
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

/*
 * A feed channel for @cam, found or created under netcam_cameras_lock,
 * which this drops. On failure a camera the caller @created is removed
 * again. The caller then hands the answer over with netcam_feed_answer(),
 * with no lock held.
 */
static struct file *netcam_feed_open(struct netcam_camera *cam, bool created)
	__releases(&netcam_cameras_lock)
{
	struct file *file;

	file = netcam_feed_attach(cam);
	if (IS_ERR(file) && created)
		netcam_unlink(cam);
	mutex_unlock(&netcam_cameras_lock);
	if (IS_ERR(file) && created)
		netcam_teardown(cam);
	return file;
}

/*
 * Write the answer (@req, holding @fd) and install the feed at @fd. If the
 * answer cannot be written, the feed goes, and so does a camera this call
 * created, unless someone removed it meanwhile. The feed's reference keeps
 * @cam's memory until fput(); no one else can attach while the feed is
 * there.
 */
static int netcam_feed_answer(void __user *uarg, const void *req,
			      size_t size, struct netcam_camera *cam,
			      bool created, struct file *file, int fd)
{
	bool listed = false;

	if (!copy_to_user(uarg, req, size)) {
		fd_install(fd, file);
		return 0;
	}
	if (created) {
		mutex_lock(&netcam_cameras_lock);
		listed = !list_empty(&cam->list);
		if (listed)
			netcam_unlink(cam);
		mutex_unlock(&netcam_cameras_lock);
		if (listed)
			netcam_teardown(cam);
	}
	fput(file);
	put_unused_fd(fd);
	return -EFAULT;
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
			mutex_unlock(&netcam_cameras_lock);
			put_unused_fd(fd);
			return PTR_ERR(cam);
		}
		created = true;
	}
	req.id = cam->id;
	file = netcam_feed_open(cam, created);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	req.fd = fd;
	return netcam_feed_answer(uarg, &req, sizeof(req), cam, created, file,
				  fd);
}

/* uAPI 1.1: re-attach to an existing camera only; no modes needed. */
static int netcam_ioctl_attach(struct netcam_attach __user *uarg)
{
	struct netcam_camera *cam;
	struct netcam_attach req;
	struct file *file;
	int fd;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (req.flags || !netcam_zero(req.reserved, sizeof(req.reserved)) ||
	    !req.name[0] || !netcam_string_ok(req.name, sizeof(req.name), true))
		return -EINVAL;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	mutex_lock(&netcam_cameras_lock);
	cam = netcam_find(req.name);
	if (!cam) {
		mutex_unlock(&netcam_cameras_lock);
		put_unused_fd(fd);
		return -ENOENT;
	}
	req.id = cam->id;
	file = netcam_feed_open(cam, false);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		/* The one way attaching an existing camera fails: a feed. */
		return PTR_ERR(file) == -EEXIST ? -EBUSY : PTR_ERR(file);
	}
	req.fd = fd;
	return netcam_feed_answer(uarg, &req, sizeof(req), cam, false, file,
				  fd);
}

static int netcam_ioctl_remove(struct netcam_remove __user *uarg)
{
	struct netcam_camera *cam;
	struct netcam_remove req;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!netcam_zero(req.reserved, sizeof(req.reserved)) ||
	    !req.name[0] || !netcam_string_ok(req.name, sizeof(req.name), true))
		return -EINVAL;

	mutex_lock(&netcam_cameras_lock);
	cam = netcam_find(req.name);
	if (cam)
		netcam_unlink(cam);
	mutex_unlock(&netcam_cameras_lock);
	if (!cam)
		return -ENOENT;
	netcam_teardown(cam);
	return 0;
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

/*
 * The entries are gathered under the list lock and copied out after it is
 * dropped: a caller's page that is slow to arrive holds up nobody else.
 */
static int netcam_ioctl_list(struct netcam_list __user *uarg)
{
	struct netcam_camera_info *info = NULL;
	struct netcam_camera *cam;
	struct netcam_list req;
	u32 n = 0, want;
	int ret = 0;

	if (copy_from_user(&req, uarg, sizeof(req)))
		return -EFAULT;
	if (!netcam_zero(req.reserved, sizeof(req.reserved)))
		return -EINVAL;

	mutex_lock(&netcam_cameras_lock);
	want = min(req.capacity, netcam_num_cameras);
	if (want) {
		info = kvcalloc(want, sizeof(*info), GFP_KERNEL);
		if (!info) {
			mutex_unlock(&netcam_cameras_lock);
			return -ENOMEM;
		}
	}
	list_for_each_entry(cam, &netcam_cameras, list) {
		if (n < want)
			netcam_camera_info(cam, &info[n]);
		n++;
	}
	mutex_unlock(&netcam_cameras_lock);

	if (want && copy_to_user(u64_to_user_ptr(req.cameras_ptr), info,
				 array_size(want, sizeof(*info))))
		ret = -EFAULT;
	kvfree(info);
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
	case NETCAM_IOC_ATTACH:
	case NETCAM_IOC_REMOVE:
		/*
		 * Changing cameras needs the device opened for writing: the
		 * node is root's (0600) unless a udev rule hands it to a
		 * group on purpose.
		 */
		if (!(file->f_mode & FMODE_WRITE))
			return -EPERM;
		if (cmd == NETCAM_IOC_CREATE)
			return netcam_ioctl_create(uarg);
		if (cmd == NETCAM_IOC_ATTACH)
			return netcam_ioctl_attach(uarg);
		return netcam_ioctl_remove(uarg);
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
	LIST_HEAD(gone);

	misc_deregister(&netcam_ctl_dev);
	/* No ioctl can run any more: the device is gone and unused. */
	mutex_lock(&netcam_cameras_lock);
	list_splice_init(&netcam_cameras, &gone);
	netcam_num_cameras = 0;
	mutex_unlock(&netcam_cameras_lock);
	list_for_each_entry_safe(cam, tmp, &gone, list) {
		list_del_init(&cam->list);
		netcam_teardown(cam);
	}
	ida_destroy(&netcam_ida);
}
