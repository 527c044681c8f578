// SPDX-License-Identifier: GPL-2.0-only
/* Shared helpers of the netcam stress programs; see stress_util.h. */
#define _GNU_SOURCE
#include "stress_util.h"
#include "netcam-client.h"
#include "netcam-util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The /dev/netcam calls are userspace/lib's; these keep the stress
 * programs' -errno convention. */
static int neg_errno(int rc)
{
	return rc < 0 ? -errno : 0;
}

int st_ioctl(int fd, unsigned long req, void *arg)
{
	return neg_errno(netcam_ioctl(fd, req, arg));
}

uint64_t st_now_ns(void)
{
	return mono_ns();
}

void st_sleep_us(unsigned int us)
{
	struct timespec ts = { us / 1000000, (long)(us % 1000000) * 1000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

void st_rng_seed(struct st_rng *r, uint64_t seed)
{
	/* splitmix64 step: any seed, including 0, gives a non-zero state */
	uint64_t z = seed + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	r->s = (z ^ (z >> 31)) | 1;
}

uint64_t st_rng_next(struct st_rng *r)
{
	uint64_t x = r->s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	r->s = x;
	return x * 0x2545f4914f6cdd1dULL;
}

uint32_t st_rng_below(struct st_rng *r, uint32_t n)
{
	return (uint32_t)((st_rng_next(r) >> 32) % n);
}

uint32_t st_rng_range(struct st_rng *r, uint32_t lo, uint32_t hi)
{
	return lo + st_rng_below(r, hi - lo + 1);
}

bool st_rng_pct(struct st_rng *r, uint32_t pct)
{
	return st_rng_below(r, 100) < pct;
}

uint64_t st_seed_from(const char *arg, const char *env)
{
	const char *s = arg ? arg : getenv(env);

	if (s && *s)
		return strtoull(s, NULL, 0);
	return st_now_ns() ^ ((uint64_t)getpid() << 32);
}

int st_create(int ctl, const char *name, unsigned int num_nodes,
	      const struct netcam_mode *modes, unsigned int num_modes,
	      int *feed, uint32_t *id, uint32_t *flags_out)
{
	struct netcam_create cr;

	memset(&cr, 0, sizeof(cr));
	snprintf(cr.name, sizeof(cr.name), "%s", name);
	cr.num_nodes = num_nodes;
	cr.num_modes = num_modes;
	cr.modes_ptr = (__u64)(uintptr_t)modes;
	cr.fd = -1;
	if (netcam_create(ctl, &cr) < 0)
		return -errno;
	*feed = cr.fd;
	if (id)
		*id = cr.id;
	if (flags_out)
		*flags_out = cr.flags_out;
	return 0;
}

int st_attach(int ctl, const char *name, int *feed, uint32_t *id)
{
	unsigned int got_id;
	int fd = netcam_attach(ctl, name, &got_id);

	if (fd < 0)
		return -errno;
	*feed = fd;
	if (id)
		*id = got_id;
	return 0;
}

int st_remove(int ctl, const char *name)
{
	return neg_errno(netcam_remove(ctl, name));
}

int st_find(int ctl, const char *name, struct netcam_camera_info *out)
{
	int found = netcam_find(ctl, name, out);

	return found < 0 ? -errno : found;
}

long long st_sysfs_counter(int video_nr, const char *name)
{
	char path[128], buf[32];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/sys/class/video4linux/video%d/netcam/%s",
		 video_nr, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return strtoll(buf, NULL, 10);
}

uint32_t st_raw_size(uint32_t fourcc, uint32_t w, uint32_t h)
{
	switch (fourcc) {
	case V4L2_PIX_FMT_YUYV:
		return w * h * 2;
	case V4L2_PIX_FMT_NV12:
	case V4L2_PIX_FMT_YUV420:
		return w * h * 3 / 2;
	case V4L2_PIX_FMT_GREY:
		return w * h;
	default:
		return 0;
	}
}

struct netcam_mode st_mode(uint32_t fourcc, uint32_t w, uint32_t h,
			   uint32_t num, uint32_t den)
{
	struct netcam_mode m;

	memset(&m, 0, sizeof(m));
	m.pixelformat = fourcc;
	m.width = w;
	m.height = h;
	m.interval_num = num;
	m.interval_den = den;
	return m;
}
