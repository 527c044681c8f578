// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_cycles: camera create/remove cycles in random orders.
 *
 *   netcam_cycles [-n CYCLES] [-s SEED] [-k] [-v]
 *
 * Each cycle creates the camera "stress-cycle" (1 or 2 nodes), takes 3..12
 * random steps (re-attach, close the feed, remove, open a node, stream
 * MMAP and take frames, stop, close, S_FMT/S_PARM/TRY_FMT, feed or signal,
 * ops on fds of removed cameras, races of the feed's close or the camera's
 * removal against node ioctls from other threads or a forked process),
 * then closes and removes everything in a random order, sometimes keeping
 * a stale node or feed fd open into later cycles.
 *
 * -n  cycles (default $NETCAM_STRESS_CYCLES or 1000)
 * -s  seed (default $NETCAM_STRESS_SEED, else from the clock); printed first
 * -k  mark each cycle in the kernel log ("netcam-stress: cycle N"), so an
 *     oops can be placed
 * -v  print every step
 *
 * Exit: 0 when every result was as expected, 1 otherwise, 2 on set-up
 * errors. Needs root and netcam.ko loaded.
 */
#define _GNU_SOURCE
#include "cycles.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * Small frames at 200 fps: every frame the test waits for (a filled one
 * comes 1.5 intervals after the last) costs little time under TCG. Two
 * formats with a size each, one size with two rates, and MJPEG so the
 * filler also makes grey JPEGs.
 */
const struct netcam_mode cy_modes[] = {
	{ V4L2_PIX_FMT_GREY, 160, 120, 1, 200, { 0 } },
	{ V4L2_PIX_FMT_GREY, 160, 120, 1, 100, { 0 } },
	{ V4L2_PIX_FMT_GREY, 96, 64, 1, 200, { 0 } },
	{ V4L2_PIX_FMT_YUYV, 160, 120, 1, 200, { 0 } },
	{ V4L2_PIX_FMT_MJPEG, 160, 120, 1, 200, { 0 } },
};
const unsigned int cy_num_modes = sizeof(cy_modes) / sizeof(cy_modes[0]);

atomic_ulong cy_unexpected;
static bool cy_verbose;

void cy_bad(const struct cy_state *s, const char *fmt, ...)
{
	unsigned long n = atomic_fetch_add(&cy_unexpected, 1) + 1;
	char msg[512];
	va_list ap;

	if (n > 40)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "netcam_cycles: UNEXPECTED cycle %u step %u (%s): %s\n",
		s->cycle, s->step, s->action ? s->action : "?", msg);
	if (n == 40)
		fprintf(stderr, "netcam_cycles: further unexpected results are only counted\n");
}

static const char *cy_errname(int ret, char *buf, size_t len)
{
	if (ret > 0)
		snprintf(buf, len, "%d", ret);
	else if (!ret)
		snprintf(buf, len, "0");
	else
		snprintf(buf, len, "-%s", strerrorname_np(-ret) ?: "?");
	return buf;
}

bool cy_want(const struct cy_state *s, const char *what, int ret, ...)
{
	char got[32], want[160] = "", one[32];
	size_t used = 0;
	va_list ap;
	int v;

	va_start(ap, ret);
	while ((v = va_arg(ap, int)) != CY_END) {
		if (v == ret) {
			va_end(ap);
			return true;
		}
		used += snprintf(want + used, sizeof(want) - used, "%s%s",
				 used ? " or " : "", cy_errname(v, one, sizeof(one)));
		if (used >= sizeof(want))
			used = sizeof(want) - 1;
	}
	va_end(ap);
	cy_bad(s, "%s: got %s, want %s", what, cy_errname(ret, got, sizeof(got)),
	       want);
	return false;
}

struct cy_action {
	const char *name;
	void (*fn)(struct cy_state *s);
	unsigned int weight;
};

static const struct cy_action cy_actions[] = {
	{ "create", cy_act_create, 8 },
	{ "close-feed", cy_act_close_feed, 7 },
	{ "remove", cy_act_remove, 5 },
	{ "open", cy_act_open, 12 },
	{ "stream-on", cy_act_stream_on, 12 },
	{ "frames", cy_act_frames, 12 },
	{ "stream-off", cy_act_stream_off, 5 },
	{ "close-node", cy_act_close_node, 6 },
	{ "fmt-parm", cy_act_fmt_parm, 8 },
	{ "feed-ops", cy_act_feed_ops, 9 },
	{ "stale-ops", cy_act_stale_ops, 6 },
	{ "race", cy_act_race, 7 },
};
#define CY_NUM_ACTIONS (sizeof(cy_actions) / sizeof(cy_actions[0]))

static const struct cy_action *cy_pick_action(struct cy_state *s)
{
	unsigned int total = 0, i, r;

	for (i = 0; i < CY_NUM_ACTIONS; i++)
		total += cy_actions[i].weight;
	r = st_rng_below(&s->rng, total);
	for (i = 0; i < CY_NUM_ACTIONS; i++) {
		if (r < cy_actions[i].weight)
			return &cy_actions[i];
		r -= cy_actions[i].weight;
	}
	return &cy_actions[0];
}

static void cy_kmsg(int kmsg, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void cy_kmsg(int kmsg, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	if (kmsg < 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0 && write(kmsg, buf, (size_t)n) < 0)
		return;
}

int main(int argc, char **argv)
{
	const char *seed_arg = NULL, *env;
	unsigned long cycles = 1000;
	struct cy_state s;
	unsigned int i, steps;
	uint64_t seed, t0;
	int opt, kmsg = -1;
	bool marks = false;

	env = getenv("NETCAM_STRESS_CYCLES");
	if (env && *env)
		cycles = strtoul(env, NULL, 0);
	while ((opt = getopt(argc, argv, "n:s:kv")) != -1) {
		switch (opt) {
		case 'n': cycles = strtoul(optarg, NULL, 0); break;
		case 's': seed_arg = optarg; break;
		case 'k': marks = true; break;
		case 'v': cy_verbose = true; break;
		default:
			fprintf(stderr, "usage: netcam_cycles [-n CYCLES] [-s SEED] [-k] [-v]\n");
			return 2;
		}
	}
	seed = st_seed_from(seed_arg, "NETCAM_STRESS_SEED");
	printf("netcam_cycles: seed %#llx (repeat with -s %#llx or NETCAM_STRESS_SEED), %lu cycles\n",
	       (unsigned long long)seed, (unsigned long long)seed, cycles);
	fflush(stdout);
	setvbuf(stderr, NULL, _IOLBF, 0);

	memset(&s, 0, sizeof(s));
	st_rng_seed(&s.rng, seed);
	s.feed = -1;
	for (i = 0; i < CY_MAX_STALE; i++)
		s.stale_feed[i] = -1;
	s.ctl = open(ST_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (s.ctl < 0) {
		fprintf(stderr, "netcam_cycles: %s: %s\n", ST_CTL_PATH, strerror(errno));
		return 2;
	}
	if (marks)
		kmsg = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	/* a camera of this name left by an earlier run would skew the state */
	st_remove(s.ctl, CY_NAME);
	cy_kmsg(kmsg, "netcam-stress: cycles seed %#llx\n", (unsigned long long)seed);

	t0 = st_now_ns();
	for (s.cycle = 0; s.cycle < cycles; s.cycle++) {
		if (marks)
			cy_kmsg(kmsg, "netcam-stress: cycle %u\n", s.cycle);
		s.step = 0;
		cy_act_create(&s);
		steps = st_rng_range(&s.rng, 3, 12);
		for (s.step = 1; s.step <= steps; s.step++) {
			const struct cy_action *a = cy_pick_action(&s);

			if (cy_verbose)
				fprintf(stderr, "cycle %u step %u: %s\n", s.cycle,
					s.step, a->name);
			a->fn(&s);
			s.actions++;
		}
		cy_cleanup(&s, true);
		if (s.cycle % 100 == 99)
			printf("netcam_cycles: %u cycles, %.1f s, %lu unexpected\n",
			       s.cycle + 1, (double)(st_now_ns() - t0) / 1e9,
			       atomic_load(&cy_unexpected));
		fflush(stdout);
	}
	s.step = 0;
	cy_cleanup(&s, false);
	for (i = 0; i < CY_MAX_HANDLES; i++) {
		if (s.h[i].used) {
			st_cap_close(&s.h[i].cap, false);
			s.h[i].used = false;
		}
	}
	cy_check_list(&s);
	close(s.ctl);
	cy_kmsg(kmsg, "netcam-stress: cycles done\n");
	printf("netcam_cycles: seed %#llx: %lu cycles in %.1f s: %lu creates, %lu re-attaches, %lu removes, %lu races (%lu forked), %lu frames, %lu steps, %lu unexpected\n",
	       (unsigned long long)seed, cycles,
	       (double)(st_now_ns() - t0) / 1e9, s.creates, s.reattaches,
	       s.removes, s.races, s.forks, s.frames, s.actions,
	       atomic_load(&cy_unexpected));
	return atomic_load(&cy_unexpected) ? 1 : 0;
}
