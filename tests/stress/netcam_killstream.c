// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_killstream: the helper SIGKILLed again and again while an app
 * streams.
 *
 *   netcam_killstream [-n KILLS] [-s SEED] [-r FPS] [-W WIDTH -H HEIGHT]
 *                     [-m MIN_MS] [-M MAX_MS] [-t STALL_INTERVALS] [-d DELAY_MS]
 *
 * A helper process creates the camera "stress-kill" (YUYV 320x240 at 25 fps
 * by default) and feeds it; an app process streams MMAP from its node; this
 * process, the killer, SIGKILLs the helper after a random MIN_MS..MAX_MS
 * (default 50..500) and at once starts a new one, which re-attaches by
 * name, KILLS times (default $NETCAM_STRESS_KILLS or 100). Then the app
 * stops, the last helper is killed and the camera removed.
 *
 * Prints the figures and a last line
 *   RESULT ioctl_errors=N stalls=N unexplained_gaps=N seq_backwards=N
 *          ts_backwards=N bad_buffers=N helper_errors=N
 * where a stall is a gap between two DQBUFs longer than STALL_INTERVALS
 * (default 2) frame intervals, not counting the time the whole VM did not
 * run (a SCHED_FIFO ticker process measures that: under TCG on a busy host
 * the guest stops for tens of ms now and then), and whose buffers' own
 * timestamps are that far apart too (else the driver delivered in time and
 * the app was late to dequeue); every stall is listed with
 * what the helpers did around it. -d DELAY_MS makes each restarted helper
 * wait that long after re-attaching before it feeds (a helper connecting
 * to its camera). Exit 0 when all of them are 0, 1 otherwise, 2 on set-up
 * errors. Needs root and netcam.ko loaded.
 */
#define _GNU_SOURCE
#include "killstream.h"
#include "stress_util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>

static uint32_t ks_helper_number;

static pid_t ks_spawn_helper(struct ks_shared *sh, bool first)
{
	pid_t pid;

	ks_helper_number++;
	atomic_store(&sh->spawn_ns, st_now_ns());
	fflush(NULL);
	pid = fork();
	if (!pid)
		ks_helper_run(sh, first, ks_helper_number);
	return pid;
}

/* Wait up to @ms for *flag (or an int != -1), watching child @pid. */
static bool ks_wait_for(atomic_bool *flag, atomic_int *nr, pid_t pid,
			unsigned int ms)
{
	int status;

	while (ms--) {
		if ((flag && atomic_load(flag)) || (nr && atomic_load(nr) >= 0))
			return true;
		if (waitpid(pid, &status, WNOHANG) == pid)
			return false;
		st_sleep_us(1000);
	}
	return false;
}

/* Reap @pid within @ms, SIGKILLing it if it takes longer: true if it exited 0. */
static bool ks_reap(pid_t pid, unsigned int ms, int *status)
{
	while (ms--) {
		if (waitpid(pid, status, WNOHANG) == pid)
			return WIFEXITED(*status) && !WEXITSTATUS(*status);
		st_sleep_us(1000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, status, 0);
	return false;
}

/* How much of [start, end] the ticker saw the whole VM not run. */
static uint64_t ks_hiccup_overlap(const struct ks_shared *sh, uint64_t start,
				  uint64_t end)
{
	unsigned int n = atomic_load(&sh->nhiccups), i;
	uint64_t sum = 0;

	if (n > KS_MAX_HICCUPS)
		n = KS_MAX_HICCUPS;
	for (i = 0; i < n; i++) {
		uint64_t a = sh->hiccup[i].start_ns > start ? sh->hiccup[i].start_ns : start;
		uint64_t b = sh->hiccup[i].end_ns < end ? sh->hiccup[i].end_ns : end;

		if (b > a)
			sum += b - a;
	}
	return sum;
}

/*
 * What happened around each stall: the helpers killed, attached and
 * feeding, from two intervals before the gap to its end, and how much of
 * it the VM as a whole did not run. Returns the stalls that machine
 * hiccups do not explain: those whose gap is still over the limit once
 * the hiccups inside it are taken off.
 */
static unsigned long ks_print_stalls(const struct ks_shared *sh, uint64_t t0)
{
	static const char *const what[] = { "?", "killed", "attached", "first frame" };
	unsigned int n = atomic_load(&sh->nstalls), ne = atomic_load(&sh->nevents);
	uint64_t interval = 1000000000ULL / sh->fps;
	double limit = sh->stall_intervals * (double)interval;
	unsigned long unexplained = 0, attached_quiet = 0;
	unsigned int i, j;

	if (n > KS_MAX_STALLS)
		n = KS_MAX_STALLS;
	if (ne > KS_MAX_EVENTS)
		ne = KS_MAX_EVENTS;
	for (i = 0; i < n; i++) {
		const struct ks_stall *st = &sh->stall[i];
		uint64_t from = st->start_ns > 2 * interval ? st->start_ns - 2 * interval : 0;
		uint64_t gap = st->end_ns - st->start_ns;
		uint64_t lost = ks_hiccup_overlap(sh, st->start_ns, st->end_ns);
		uint64_t ts_gap = st->ts_gap_ns > lost ? st->ts_gap_ns - lost : 0;
		bool machine = (double)(gap - lost) <= limit, attach_in_gap = false;
		/*
		 * The driver stamps a buffer as it hands it over: if those
		 * stamps are close, the frames came in time and the app was
		 * late to take them (its own scheduling, e.g. its vCPU
		 * preempted on the host while the ticker's ran).
		 */
		bool app_late = !machine && (double)ts_gap <= limit;
		const char *who = machine ? "machine" : app_late ? "app late" :
				  "NOT the machine";

		unexplained += !machine && !app_late;
		if (i < 20)
			printf("  stall %.1f ms (buffer timestamps %.1f ms apart) at %.3f s, VM not running %.1f ms of it (%s):",
			       (double)gap / 1e6, (double)st->ts_gap_ns / 1e6,
			       (double)(st->start_ns - t0) / 1e9,
			       (double)lost / 1e6, who);
		for (j = 0; j < ne; j++) {
			const struct ks_event *e = &sh->events[j];

			if (e->t_ns < from || e->t_ns > st->end_ns)
				continue;
			if (e->type == KS_EV_ATTACH && e->t_ns > st->start_ns)
				attach_in_gap = true;
			if (i < 20)
				printf(" helper %u %s %+.1f ms;", e->helper,
				       what[e->type <= KS_EV_FIRST_FRAME ? e->type : 0],
				       ((double)e->t_ns - (double)st->start_ns) / 1e6);
		}
		if (i < 20)
			printf("\n");
		attached_quiet += attach_in_gap && !machine && !app_late;
	}
	if (n)
		printf("  stalls: %u, %lu with frames delivered late that VM hiccups do not explain, %lu of those with a helper attached during the gap (the driver gives an attached feed 1 s before it fills)\n",
		       n, unexplained, attached_quiet);
	return unexplained + (atomic_load(&sh->nstalls) - n);
}

static void ks_print(const struct ks_shared *sh, unsigned long kills,
		     double secs, uint64_t seed, unsigned long stalls)
{
	double interval_ms = 1000.0 / sh->fps;
	unsigned long helper_errors = sh->create_errors + sh->feed_errors +
				      sh->event_errors;
	long long dropped = sh->dropped_end - sh->dropped_start;
	unsigned int i;

	printf("netcam_killstream: seed %#llx: %lu kills in %.1f s, %.4s %ux%u at %u fps\n",
	       (unsigned long long)seed, kills, secs,
	       (const char *)&sh->pixelformat, sh->width, sh->height, sh->fps);
	printf("  app: %lu frames, %lu ioctl errors, %lu bad buffers, %lu stalls > %.1f intervals, %lu poll timeouts (1 s)\n",
	       (unsigned long)sh->frames, (unsigned long)sh->ioctl_errors,
	       (unsigned long)sh->bad_buffers, (unsigned long)sh->stalls,
	       sh->stall_intervals, (unsigned long)sh->poll_timeouts);
	printf("  app: longest gap between DQBUFs %.1f ms (%.2f intervals); gaps in intervals:",
	       (double)sh->max_gap_ns / 1e6,
	       (double)sh->max_gap_ns / 1e6 / interval_ms);
	for (i = 0; i < KS_HIST_BUCKETS; i++) {
		if (i < KS_HIST_BUCKETS - 1)
			printf(" <=%.2f:%lu", ks_hist_limits[i],
			       (unsigned long)sh->gap_hist[i]);
		else
			printf(" more:%lu", (unsigned long)sh->gap_hist[i]);
	}
	printf("\n  app: sequence gaps %lu frames, frames_dropped +%lld, unexplained %lu; sequence backwards %lu, timestamps backwards %lu\n",
	       (unsigned long)sh->seq_gaps, dropped,
	       (unsigned long)sh->unexplained_gaps, (unsigned long)sh->seq_backwards,
	       (unsigned long)sh->ts_backwards);
	if (sh->first_app_error[0])
		printf("  app: first error: %s\n", sh->first_app_error);
	printf("  helpers: %lu started, %lu created, %lu re-attached, %lu frames fed, %lu ESTALE, %lu create / %lu feed / %lu event errors\n",
	       (unsigned long)sh->helper_starts, (unsigned long)sh->created,
	       (unsigned long)sh->reattached, (unsigned long)sh->frames_fed,
	       (unsigned long)sh->feed_estale, (unsigned long)sh->create_errors,
	       (unsigned long)sh->feed_errors, (unsigned long)sh->event_errors);
	if (sh->restarts_timed)
		printf("  helpers: fork to first frame fed: mean %.1f ms, worst %.1f ms (%lu restarts)\n",
		       (double)sh->restart_sum_ns / 1e6 / (double)sh->restarts_timed,
		       (double)sh->restart_max_ns / 1e6,
		       (unsigned long)sh->restarts_timed);
	if (sh->first_helper_error[0])
		printf("  helpers: first error: %s\n", sh->first_helper_error);
	printf("  machine: %u hiccups of the VM over %.0f ms (SCHED_FIFO ticker), %.1f ms in all, worst %.1f ms\n",
	       atomic_load(&sh->nhiccups), (double)KS_HICCUP_NS / 1e6,
	       (double)sh->hiccup_sum_ns / 1e6, (double)sh->hiccup_max_ns / 1e6);
	printf("RESULT ioctl_errors=%lu stalls=%lu unexplained_gaps=%lu seq_backwards=%lu ts_backwards=%lu bad_buffers=%lu helper_errors=%lu\n",
	       (unsigned long)sh->ioctl_errors, stalls,
	       (unsigned long)sh->unexplained_gaps,
	       (unsigned long)sh->seq_backwards, (unsigned long)sh->ts_backwards,
	       (unsigned long)sh->bad_buffers, helper_errors);
}

int main(int argc, char **argv)
{
	unsigned long kills = 100, k, min_ms = 50, max_ms = 500;
	const char *seed_arg = NULL, *env;
	unsigned long deaths = 0, stalls;
	struct ks_shared *sh;
	struct st_rng rng;
	pid_t helper, app, ticker;
	uint64_t seed, t0;
	int opt, ctl, status, ret;
	bool ok = true;

	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
		  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("netcam_killstream: mmap");
		return 2;
	}
	memset(sh, 0, sizeof(*sh));
	sh->pixelformat = V4L2_PIX_FMT_YUYV;
	sh->width = 320;
	sh->height = 240;
	sh->fps = 25;
	sh->stall_intervals = 2.0;
	atomic_store(&sh->video_nr, -1);

	env = getenv("NETCAM_STRESS_KILLS");
	if (env && *env)
		kills = strtoul(env, NULL, 0);
	while ((opt = getopt(argc, argv, "n:s:r:W:H:m:M:t:d:")) != -1) {
		switch (opt) {
		case 'n': kills = strtoul(optarg, NULL, 0); break;
		case 's': seed_arg = optarg; break;
		case 'r': sh->fps = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'W': sh->width = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'H': sh->height = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 'm': min_ms = strtoul(optarg, NULL, 0); break;
		case 'M': max_ms = strtoul(optarg, NULL, 0); break;
		case 't': sh->stall_intervals = strtod(optarg, NULL); break;
		case 'd': sh->helper_delay_ms = (uint32_t)strtoul(optarg, NULL, 0); break;
		default:
			fprintf(stderr, "usage: netcam_killstream [-n KILLS] [-s SEED] [-r FPS] [-W WIDTH -H HEIGHT] [-m MIN_MS] [-M MAX_MS] [-t STALL_INTERVALS] [-d DELAY_MS]\n");
			return 2;
		}
	}
	if (!sh->fps || sh->fps > 1000 || max_ms < min_ms) {
		fprintf(stderr, "netcam_killstream: bad -r, -m or -M\n");
		return 2;
	}
	seed = st_seed_from(seed_arg, "NETCAM_STRESS_SEED");
	st_rng_seed(&rng, seed);
	printf("netcam_killstream: seed %#llx (repeat with -s %#llx or NETCAM_STRESS_SEED), %lu kills every %lu..%lu ms\n",
	       (unsigned long long)seed, (unsigned long long)seed, kills, min_ms,
	       max_ms);
	fflush(stdout);

	ctl = open(ST_CTL_PATH, O_RDWR | O_CLOEXEC);
	if (ctl < 0) {
		fprintf(stderr, "netcam_killstream: %s: %s\n", ST_CTL_PATH,
			strerror(errno));
		return 2;
	}
	st_remove(ctl, KS_NAME);	/* left by an earlier run */

	t0 = st_now_ns();
	fflush(NULL);
	ticker = fork();
	if (!ticker)
		ks_ticker_run(sh);
	helper = ks_spawn_helper(sh, true);
	if (helper < 0 || !ks_wait_for(NULL, &sh->video_nr, helper, 10000)) {
		fprintf(stderr, "netcam_killstream: the first helper did not create the camera: %s\n",
			sh->first_helper_error);
		return 2;
	}
	fflush(NULL);
	app = fork();
	if (!app)
		ks_app_run(sh, atomic_load(&sh->video_nr));
	if (app < 0 || !ks_wait_for(&sh->app_ready, NULL, app, 10000)) {
		fprintf(stderr, "netcam_killstream: the app did not start streaming: %s\n",
			sh->first_app_error);
		kill(helper, SIGKILL);
		return 2;
	}
	st_sleep_us(1000000);	/* a second of steady streaming first */

	for (k = 0; k < kills; k++) {
		st_sleep_us((unsigned int)st_rng_range(&rng, (uint32_t)min_ms,
						       (uint32_t)max_ms) * 1000);
		if (waitpid(app, &status, WNOHANG) == app) {
			fprintf(stderr, "netcam_killstream: the app died after %lu kills\n", k);
			app = -1;
			ok = false;
			break;
		}
		ks_event(sh, KS_EV_KILL, ks_helper_number);
		kill(helper, SIGKILL);
		while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
			;
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			deaths++;	/* it ended by itself: its error says why */
		helper = ks_spawn_helper(sh, false);
		if (helper < 0) {
			perror("netcam_killstream: fork");
			ok = false;
			break;
		}
	}
	st_sleep_us(1000000);	/* and a second after the last restart */

	atomic_store(&sh->app_stop, true);
	if (app > 0 && !ks_reap(app, 5000, &status)) {
		fprintf(stderr, "netcam_killstream: the app did not stop cleanly\n");
		ok = false;
	}
	if (helper > 0) {
		kill(helper, SIGKILL);
		waitpid(helper, &status, 0);
	}
	if (ticker > 0)
		ks_reap(ticker, 2000, &status);
	ret = st_remove(ctl, KS_NAME);
	if (ret) {
		fprintf(stderr, "netcam_killstream: REMOVE: %s\n", strerror(-ret));
		ok = false;
	}
	close(ctl);
	if (deaths) {
		fprintf(stderr, "netcam_killstream: %lu helpers exited before they were killed\n",
			deaths);
		ok = false;
	}
	stalls = ks_print_stalls(sh, t0);
	ks_print(sh, k, (double)(st_now_ns() - t0) / 1e9, seed, stalls);
	if (sh->ioctl_errors || stalls || sh->unexplained_gaps ||
	    sh->seq_backwards || sh->ts_backwards || sh->bad_buffers ||
	    sh->create_errors || sh->feed_errors || sh->event_errors)
		ok = false;
	/* every drop the node counted must have been a gap the app saw */
	if (sh->dropped_end - sh->dropped_start < (long long)sh->seq_gaps) {
		fprintf(stderr, "netcam_killstream: %lu sequence gaps but frames_dropped rose by %lld\n",
			(unsigned long)sh->seq_gaps, sh->dropped_end - sh->dropped_start);
		ok = false;
	}
	return ok ? 0 : 1;
}
