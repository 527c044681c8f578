// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_cycles: races. Other threads (or a forked process) hammer a
 * camera's nodes with S_FMT, S_PARM, TRY_FMT, REQBUFS/STREAMON/DQBUF/
 * STREAMOFF, block in DQBUF or poll the feed channel, while the main thread
 * closes the feed and re-attaches, or removes the camera. The racers'
 * results depend on timing, so each accepts every result the uAPI allows
 * at some moment (0, EBUSY when another handle owns the queue, ENODEV once
 * the camera is gone, ...) and nothing else.
 */
#define _GNU_SOURCE
#include "cycles.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

/* A racer gives up this long after it started, whatever happens. */
#define CY_RACE_MAX_NS	(300ULL * 1000000ULL)
#define CY_MAX_RACERS	3

enum cy_racer_kind { RACER_IOCTLS, RACER_BLOCKING_DQBUF, RACER_FEED_POLL };

struct cy_racer {
	pthread_t thread;
	const struct cy_state *s;	/* read only: for messages */
	struct st_rng rng;
	enum cy_racer_kind kind;
	int video_nr;
	int feed;			/* RACER_FEED_POLL */
	/*
	 * The camera may be removed meanwhile: an ioctl that passed V4L2's
	 * "registered" check just before the removal meets vb2's released
	 * queue and gets EINVAL (no buffers, not streaming) instead of ENODEV.
	 */
	bool removal;
	atomic_bool *stop;
	unsigned long ops;
};

static bool cy_racer_done(struct cy_racer *r, uint64_t t0)
{
	return atomic_load(r->stop) || st_now_ns() - t0 > CY_RACE_MAX_NS;
}

/* Random node ioctls on the racer's own handle. */
static void cy_race_ioctls(struct cy_racer *r)
{
	const struct cy_state *s = r->s;
	uint64_t t0 = st_now_ns();
	unsigned int gone = 0;
	struct st_cap cap;
	struct v4l2_buffer b;
	struct v4l2_format f;
	int ret;

	ret = st_cap_open(&cap, r->video_nr, true);
	/* the node may be gone already (removed before we got here) */
	if (ret) {
		cy_want(s, "racer open", ret, -ENOENT, -ENODEV, -ENXIO, CY_END);
		return;
	}
	while (!cy_racer_done(r, t0) && gone < 4) {
		const struct netcam_mode *m =
			&cy_modes[st_rng_below(&r->rng, cy_num_modes)];

		r->ops++;
		int einval = r->removal ? -EINVAL : -ENODEV;

		switch (st_rng_below(&r->rng, 5)) {
		case 0:
			ret = st_cap_set_rate(&cap, st_rng_pct(&r->rng, 50) ? 100 : 200);
			cy_want(s, "racer S_PARM", ret, 0, -EBUSY, -ENODEV, CY_END);
			break;
		case 1:
			ret = st_cap_set_fmt(&cap, m->pixelformat, m->width,
					     m->height, NULL);
			cy_want(s, "racer S_FMT", ret, 0, -EBUSY, -ENODEV, CY_END);
			break;
		case 2:
			memset(&f, 0, sizeof(f));
			f.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
			f.fmt.pix.pixelformat = m->pixelformat;
			f.fmt.pix.width = st_rng_range(&r->rng, 16, 640);
			f.fmt.pix.height = st_rng_range(&r->rng, 16, 480);
			ret = st_ioctl(cap.fd, VIDIOC_TRY_FMT, &f);
			cy_want(s, "racer TRY_FMT", ret, 0, -ENODEV, CY_END);
			break;
		default:
			if (!cap.nbufs) {
				ret = st_cap_start(&cap, 3);
				/* any step may meet the removal */
				if (cy_want(s, "racer start streaming", ret, 0,
					    -EBUSY, -ENODEV, einval, CY_END) && ret)
					st_cap_stop(&cap);
			} else if (st_rng_pct(&r->rng, 70)) {
				ret = st_cap_dqbuf(&cap, &b);
				if (cy_want(s, "racer DQBUF", ret, 0, -EAGAIN,
					    -ENODEV, einval, CY_END) && !ret)
					cy_want(s, "racer QBUF",
						st_cap_qbuf(&cap, b.index), 0,
						-ENODEV, einval, CY_END);
			} else {
				ret = st_cap_stop(&cap);
				cy_want(s, "racer STREAMOFF/REQBUFS 0", ret, 0,
					-ENODEV, einval, CY_END);
			}
			break;
		}
		if (ret == -ENODEV)
			gone++;
	}
	st_cap_close(&cap, st_rng_pct(&r->rng, 50));
}

/* Stream with a blocking fd and sit in DQBUF while the camera goes. */
static void cy_race_blocking_dqbuf(struct cy_racer *r)
{
	const struct cy_state *s = r->s;
	uint64_t t0 = st_now_ns();
	struct st_cap cap;
	struct v4l2_buffer b;
	int ret;

	ret = st_cap_open(&cap, r->video_nr, false);
	if (ret) {
		cy_want(s, "racer open", ret, -ENOENT, -ENODEV, -ENXIO, CY_END);
		return;
	}
	ret = st_cap_start(&cap, 3);
	if (!cy_want(s, "racer start streaming", ret, 0, -EBUSY, -ENODEV, -EINVAL,
		     CY_END) || ret) {
		st_cap_close(&cap, false);
		return;
	}
	while (!cy_racer_done(r, t0)) {
		r->ops++;
		ret = st_cap_dqbuf(&cap, &b);
		/* a removal wakes the waiter: vb2 says EINVAL (not streaming) */
		if (!cy_want(s, "racer blocking DQBUF", ret, 0, -EINVAL, -ENODEV,
			     -EPIPE, CY_END) || ret)
			break;
		ret = st_cap_qbuf(&cap, b.index);
		if (!cy_want(s, "racer QBUF", ret, 0, -ENODEV, -EINVAL, CY_END) || ret)
			break;
	}
	st_cap_close(&cap, st_rng_pct(&r->rng, 50));
}

/* Wait on the feed channel's queue and read events until it ends. */
static void cy_race_feed_poll(struct cy_racer *r)
{
	const struct cy_state *s = r->s;
	uint64_t t0 = st_now_ns();
	struct netcam_event ev[8];
	struct pollfd p;
	ssize_t n;
	int ret;

	while (!cy_racer_done(r, t0)) {
		r->ops++;
		p.fd = r->feed;
		p.events = POLLIN;
		p.revents = 0;
		ret = poll(&p, 1, 20);
		if (ret < 0 && errno != EINTR) {
			cy_bad(s, "racer poll of the feed: %s", strerror(errno));
			return;
		}
		if (ret <= 0)
			continue;
		n = read(r->feed, ev, sizeof(ev));
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			cy_bad(s, "racer read of the feed: %s", strerror(errno));
			return;
		}
		if (n == 0 && (p.revents & POLLHUP))
			return;		/* removed, drained: the end */
	}
}

static void *cy_racer_main(void *arg)
{
	struct cy_racer *r = arg;

	switch (r->kind) {
	case RACER_IOCTLS:
		cy_race_ioctls(r);
		break;
	case RACER_BLOCKING_DQBUF:
		cy_race_blocking_dqbuf(r);
		break;
	case RACER_FEED_POLL:
		cy_race_feed_poll(r);
		break;
	}
	return NULL;
}

/* Re-attach during a race: the node states in the events are racy. */
static void cy_race_reattach(struct cy_state *s)
{
	uint32_t id = 0, flags = 0;
	int feed = -1, ret;

	if (st_rng_pct(&s->rng, 30)) {
		ret = st_attach(s->ctl, CY_NAME, &feed, &id);
		flags = NETCAM_CREATE_REATTACHED;
	} else {
		ret = st_create(s->ctl, CY_NAME, 1, cy_modes, cy_num_modes, &feed,
				&id, &flags);
	}
	if (!cy_want(s, "CREATE/ATTACH (re-attach) during a race", ret, 0, CY_END))
		return;
	fcntl(feed, F_SETFL, O_NONBLOCK);
	s->feed = feed;
	s->signal = true;
	s->reattaches++;
	if (flags != NETCAM_CREATE_REATTACHED || id != s->id)
		cy_bad(s, "re-attach during a race: flags_out %#x id %u, want %#lx id %u",
		       flags, id, (unsigned long)NETCAM_CREATE_REATTACHED, s->id);
}

/* Close the feed and come back 0..3 times, with short pauses. */
static void cy_race_feed_cycles(struct cy_state *s)
{
	unsigned int n = st_rng_range(&s->rng, 1, 3);

	while (n--) {
		st_sleep_us(st_rng_below(&s->rng, 3000));
		if (s->feed >= 0) {
			close(s->feed);
			s->feed = -1;
		}
		st_sleep_us(st_rng_below(&s->rng, 2000));
		cy_race_reattach(s);
	}
}

static void cy_race_remove(struct cy_state *s)
{
	st_sleep_us(st_rng_below(&s->rng, 5000));
	if (cy_want(s, "REMOVE during a race", st_remove(s->ctl, CY_NAME), 0,
		    CY_END))
		cy_removed(s);
}

/*
 * A forked racer: its own process, with none of the parent's fds (a copy
 * of the feed would keep it attached) and none of its buffer mappings
 * (MADV_DONTFORK). Exits 1 if it saw an unexpected result.
 */
static void cy_race_fork(struct cy_state *s)
{
	struct cy_racer r;
	atomic_bool stop = false;
	int pfd[2], status;
	pid_t pid;
	char c;

	if (pipe2(pfd, O_CLOEXEC)) {
		cy_bad(s, "pipe: %s", strerror(errno));
		return;
	}
	memset(&r, 0, sizeof(r));
	r.s = s;
	r.kind = RACER_IOCTLS;
	r.removal = true;	/* the parent may remove the camera */
	r.video_nr = s->video_nr[st_rng_below(&s->rng, s->nnodes)];
	r.stop = &stop;
	st_rng_seed(&r.rng, st_rng_next(&s->rng));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		cy_bad(s, "fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		return;
	}
	if (!pid) {
		if (pfd[1] > 3)
			close_range(3, pfd[1] - 1, 0);
		close_range(pfd[1] + 1, ~0U, 0);
		atomic_store(&cy_unexpected, 0);
		if (write(pfd[1], "r", 1) != 1)
			_exit(2);
		close(pfd[1]);
		cy_race_ioctls(&r);
		_exit(atomic_load(&cy_unexpected) ? 1 : 0);
	}
	close(pfd[1]);
	if (read(pfd[0], &c, 1) != 1)
		cy_bad(s, "forked racer did not start");
	close(pfd[0]);
	s->forks++;
	if (st_rng_pct(&s->rng, 50))
		cy_race_feed_cycles(s);
	else
		cy_race_remove(s);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		cy_bad(s, "forked racer: %s %d (see its messages above)",
		       WIFEXITED(status) ? "exit" : "signal",
		       WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
}

void cy_act_race(struct cy_state *s)
{
	struct cy_racer r[CY_MAX_RACERS + 1];
	atomic_bool stop = false;
	unsigned int kind, n, i, started = 0;
	int ret;

	s->action = "race";
	if (!s->exists)
		return;
	s->races++;
	kind = st_rng_below(&s->rng, 4);
	if (kind == 2) {
		s->action = "race-fork";
		cy_race_fork(s);
		goto out;
	}
	/* kind 3 polls the feed, so it needs one that stays open until removal */
	if (kind == 3 && s->feed < 0)
		kind = 1;
	s->action = kind == 0 ? "race-feed-close" : kind == 1 ? "race-remove" :
		    "race-remove-feed-poll";
	n = st_rng_range(&s->rng, 1, CY_MAX_RACERS);
	memset(r, 0, sizeof(r));
	for (i = 0; i < n + (kind == 3); i++) {
		r[i].s = s;
		r[i].stop = &stop;
		st_rng_seed(&r[i].rng, st_rng_next(&s->rng));
		r[i].video_nr = s->video_nr[st_rng_below(&s->rng, s->nnodes)];
		r[i].kind = RACER_IOCTLS;
		r[i].removal = kind != 0;
		if (kind == 1 && i == 0)
			r[i].kind = RACER_BLOCKING_DQBUF;
		if (kind == 3 && i == n) {
			r[i].kind = RACER_FEED_POLL;
			r[i].feed = s->feed;
		}
		ret = pthread_create(&r[i].thread, NULL, cy_racer_main, &r[i]);
		if (ret) {
			cy_bad(s, "pthread_create: %s", strerror(ret));
			break;
		}
		started++;
	}
	if (kind == 0) {
		cy_race_feed_cycles(s);
	} else {
		/* the poller holds the fd number: bookkeeping waits for it */
		int feed = s->feed;

		if (kind == 3)
			s->feed = -1;
		st_sleep_us(st_rng_below(&s->rng, 5000));
		ret = st_remove(s->ctl, CY_NAME);
		if (cy_want(s, "REMOVE during a race", ret, 0, CY_END)) {
			if (kind != 3) {
				cy_removed(s);
			} else {
				s->exists = false;
				s->removes++;
			}
		}
		if (kind == 3) {
			for (i = 0; i < started; i++)
				if (r[i].kind == RACER_FEED_POLL)
					pthread_join(r[i].thread, NULL);
			if (s->exists) {
				s->feed = feed;
			} else {
				close(feed);
			}
		}
	}
	st_sleep_us(st_rng_below(&s->rng, 3000));
	atomic_store(&stop, true);
	for (i = 0; i < started; i++)
		if (!(kind == 3 && r[i].kind == RACER_FEED_POLL))
			pthread_join(r[i].thread, NULL);
out:
	if (s->exists && s->feed >= 0)
		cy_drain_events(s);
	cy_check_list(s);
}
