// SPDX-License-Identifier: GPL-2.0-only
/* /dev/netcam control device wrappers. */
#include "netcam_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int netcam_ctl_open(void)
{
	return open(NETCAM_CONTROL_PATH, O_RDWR | O_CLOEXEC);
}

int netcam_ctl_version(int ctl, struct netcam_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	return ioctl(ctl, NETCAM_IOC_VERSION, ver);
}

int netcam_ctl_create(int ctl, struct netcam_create *req)
{
	return ioctl(ctl, NETCAM_IOC_CREATE, req);
}

int netcam_ctl_remove(int ctl, const char *name)
{
	struct netcam_remove req;

	memset(&req, 0, sizeof(req));
	if (netcam_ctl_copy_name(req.name, sizeof(req.name), name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return ioctl(ctl, NETCAM_IOC_REMOVE, &req);
}

int netcam_ctl_list(int ctl, struct netcam_camera_info **cameras,
		    size_t *count)
{
	struct netcam_camera_info *array = NULL;
	uint32_t capacity = 8;

	for (;;) {
		struct netcam_list req;
		struct netcam_camera_info *grown;

		grown = realloc(array, capacity * sizeof(*array));
		if (!grown) {
			free(array);
			errno = ENOMEM;
			return -1;
		}
		array = grown;
		memset(array, 0, capacity * sizeof(*array));
		memset(&req, 0, sizeof(req));
		req.capacity = capacity;
		req.cameras_ptr = (uintptr_t)array;
		if (ioctl(ctl, NETCAM_IOC_LIST, &req) < 0) {
			int saved = errno;

			free(array);
			errno = saved;
			return -1;
		}
		if (req.count <= capacity) {
			*cameras = array;
			*count = req.count;
			return 0;
		}
		/* More cameras than room: the kernel wrote `capacity` of
		 * them and told us the total; ask again with room for all. */
		capacity = req.count;
	}
}

int netcam_ctl_copy_name(char *dst, size_t dst_size, const char *src)
{
	size_t len = strlen(src);

	if (len >= dst_size)
		return -1;
	memset(dst, 0, dst_size);
	memcpy(dst, src, len);
	return 0;
}
