// SPDX-License-Identifier: GPL-2.0-only
/* netcam user space: the /dev/netcam and feed channel client. */
#define _GNU_SOURCE
#include "netcam-client.h"
#include "netcam-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

int netcam_ioctl(int fd, unsigned long request, void *arg)
{
	int rc;

	do
		rc = ioctl(fd, request, arg);
	while (rc < 0 && errno == EINTR);
	return rc;
}

int netcam_open_control(void)
{
	return open(NETCAM_CONTROL_PATH, O_RDWR | O_CLOEXEC);
}

int netcam_version(int ctl, struct netcam_version *ver)
{
	memset(ver, 0, sizeof(*ver));
	return netcam_ioctl(ctl, NETCAM_IOC_VERSION, ver);
}

int netcam_check_version(int ctl, unsigned int min_minor,
			 struct netcam_version *ver)
{
	if (netcam_version(ctl, ver) < 0)
		return -1;
	if (ver->major != NETCAM_VERSION_MAJOR || ver->minor < min_minor) {
		errno = EPROTO;
		return -1;
	}
	return 0;
}

int netcam_create(int ctl, struct netcam_create *req)
{
	return netcam_ioctl(ctl, NETCAM_IOC_CREATE, req);
}

int netcam_attach(int ctl, const char *name, unsigned int *id)
{
	struct netcam_attach req;

	memset(&req, 0, sizeof(req));
	if (copy_fixed(req.name, sizeof(req.name), name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (netcam_ioctl(ctl, NETCAM_IOC_ATTACH, &req) < 0)
		return -1;
	if (id)
		*id = req.id;
	return req.fd;
}

int netcam_remove(int ctl, const char *name)
{
	struct netcam_remove req;

	memset(&req, 0, sizeof(req));
	if (copy_fixed(req.name, sizeof(req.name), name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return netcam_ioctl(ctl, NETCAM_IOC_REMOVE, &req);
}

int netcam_list(int ctl, struct netcam_camera_info **cameras, size_t *count)
{
	struct netcam_camera_info *array = NULL;
	uint32_t capacity = 16;

	for (;;) {
		struct netcam_list req;

		free(array);
		array = calloc(capacity, sizeof(*array));
		if (!array) {
			errno = ENOMEM;
			return -1;
		}
		memset(&req, 0, sizeof(req));
		req.capacity = capacity;
		req.cameras_ptr = (uintptr_t)array;
		if (netcam_ioctl(ctl, NETCAM_IOC_LIST, &req) < 0) {
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
		/* The kernel wrote `capacity` of them and said how many
		 * there are: ask again with room for all. */
		capacity = req.count;
	}
}

int netcam_find(int ctl, const char *name, struct netcam_camera_info *out)
{
	struct netcam_camera_info *cams;
	size_t n;
	int found = 0;

	if (netcam_list(ctl, &cams, &n) < 0)
		return -1;
	for (size_t i = 0; i < n && !found; i++)
		if (!strncmp(cams[i].name, name, sizeof(cams[i].name))) {
			*out = cams[i];
			found = 1;
		}
	free(cams);
	return found;
}

int netcam_feed_frame(int feed, const struct netcam_frame *frame)
{
	return netcam_ioctl(feed, NETCAM_IOC_FEED_FRAME, (void *)frame);
}

int netcam_set_signal(int feed, int present)
{
	struct netcam_signal sig;

	memset(&sig, 0, sizeof(sig));
	sig.state = present ? NETCAM_SIGNAL_PRESENT : NETCAM_SIGNAL_LOST;
	return netcam_ioctl(feed, NETCAM_IOC_SET_SIGNAL, &sig);
}

int netcam_read_event(int feed, struct netcam_event *ev)
{
	ssize_t n;

	do
		n = read(feed, ev, sizeof(*ev));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (n != (ssize_t)sizeof(*ev)) {
		errno = EPROTO;
		return -1;
	}
	return 1;
}
