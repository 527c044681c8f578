/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Shared helpers of the netcam stress programs: a seeded RNG, monotonic
 * time, the /dev/netcam requests and the per-node sysfs counters.
 */
#ifndef NETCAM_STRESS_UTIL_H
#define NETCAM_STRESS_UTIL_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/videodev2.h>
#include <linux/netcam.h>

#define ST_CTL_PATH "/dev/netcam"

/* ioctl() returning 0 or -errno; EINTR is retried. */
int st_ioctl(int fd, unsigned long req, void *arg);

uint64_t st_now_ns(void);
void st_sleep_us(unsigned int us);

/*
 * xorshift64*: small, fast and good enough to pick actions; a run is
 * reproduced from the seed alone (as long as the same choices are made).
 */
struct st_rng {
	uint64_t s;
};

void st_rng_seed(struct st_rng *r, uint64_t seed);
uint64_t st_rng_next(struct st_rng *r);
/* Uniform in [0, n); n > 0. */
uint32_t st_rng_below(struct st_rng *r, uint32_t n);
/* Uniform in [lo, hi]. */
uint32_t st_rng_range(struct st_rng *r, uint32_t lo, uint32_t hi);
/* True with probability pct / 100. */
bool st_rng_pct(struct st_rng *r, uint32_t pct);
/* @arg if given, else the variable @env (decimal or 0x hex), else the clock. */
uint64_t st_seed_from(const char *arg, const char *env);

/*
 * Fill and issue NETCAM_IOC_CREATE. On success returns 0 with *feed the
 * new feed channel, *id and *flags_out from the kernel; else -errno.
 */
int st_create(int ctl, const char *name, unsigned int num_nodes,
	      const struct netcam_mode *modes, unsigned int num_modes,
	      int *feed, uint32_t *id, uint32_t *flags_out);
/* NETCAM_IOC_ATTACH (uAPI 1.1): 0 with *feed and *id, or -errno. */
int st_attach(int ctl, const char *name, int *feed, uint32_t *id);
int st_remove(int ctl, const char *name);
/*
 * The camera's entry from NETCAM_IOC_LIST: 1 when found (copied to *out),
 * 0 when not, -errno on failure.
 */
int st_find(int ctl, const char *name, struct netcam_camera_info *out);

/* /sys/class/video4linux/videoN/netcam/NAME as a number, or -1. */
long long st_sysfs_counter(int video_nr, const char *name);

/* Bytes of one raw frame (0 for MJPEG and unknown formats). */
uint32_t st_raw_size(uint32_t fourcc, uint32_t w, uint32_t h);

struct netcam_mode st_mode(uint32_t fourcc, uint32_t w, uint32_t h,
			   uint32_t num, uint32_t den);

#endif /* NETCAM_STRESS_UTIL_H */
