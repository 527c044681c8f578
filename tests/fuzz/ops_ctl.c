// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz: /dev/netcam (VERSION, CREATE, REMOVE, LIST) and feed
 * channel (FEED_FRAME, SET_SIGNAL, read, poll) operations.
 *
 * Each operation builds a valid argument from what the process knows (its
 * cameras, the newest event of each node) and then, often, breaks one or
 * two fields. Breakages the uAPI document names as EINVAL are marked, and
 * such a call succeeding is a failure (fz_must_fail).
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

static const uint32_t raw_fmts[] = {
	V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420,
	V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_MJPEG,
};

/* Small sizes keep buffers cheap under TCG; pairs are sizes real webcams use. */
static const uint32_t mode_sizes[][2] = {
	{ 16, 16 }, { 32, 16 }, { 160, 120 }, { 176, 144 }, { 320, 240 },
	{ 352, 288 }, { 640, 480 }, { 16, 8192 }, { 1280, 720 },
};

static const uint32_t intervals[][2] = {
	{ 1, 30 }, { 1, 15 }, { 1, 5 }, { 1, 1 }, { 1, 60 }, { 1001, 30000 },
	{ 2, 1 }, { 1, 1000 },
};

int fz_ctl_get(struct fz_worker *w, bool writable)
{
	struct fz_proc *p = w->p;
	int i, fd = -1, start = (int)fz_below(w, FZ_MAX_CTL);

	if (fz_opt.no_ctl)
		return -1;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_CTL; i++) {
		struct fz_ctl *c = &p->ctl[(start + i) % FZ_MAX_CTL];

		if (c->fd >= 0 && (!writable || c->writable)) {
			fd = c->fd;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (fd >= 0)
		return fd;

	fz_begin(w, FZ_OP_CTL_OPEN, "open /dev/netcam");
	fd = (int)fz_end(w, FZ_OP_CTL_OPEN,
			 open("/dev/netcam", (writable ? O_RDWR : O_RDONLY) | O_CLOEXEC));
	if (fd < 0)
		return -1;
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_CTL; i++) {
		if (p->ctl[i].fd < 0) {
			p->ctl[i].fd = fd;
			p->ctl[i].writable = writable;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	if (i == FZ_MAX_CTL) {
		close(fd);
		return fz_ctl_get(w, writable);
	}
	return fd;
}

static void ctl_close(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_CTL), fd;

	pthread_mutex_lock(&p->lock);
	fd = p->ctl[i].fd;
	p->ctl[i].fd = -1;
	pthread_mutex_unlock(&p->lock);
	if (fd < 0)
		return;
	fz_begin(w, FZ_OP_CTL_CLOSE, "close ctl %d", fd);
	fz_end(w, FZ_OP_CTL_CLOSE, close(fd));
}

/* A name from a small pool, so creates collide, re-attach and remove hit. */
static void pick_name(struct fz_worker *w, char *name)
{
	memset(name, 0, NETCAM_NAME_LEN);
	if (fz_chance(w, 50))
		snprintf(name, NETCAM_NAME_LEN, "fz%dc%u", w->p->index, fz_below(w, 3));
	else
		snprintf(name, NETCAM_NAME_LEN, "fzs%u", fz_below(w, 4));
}

/* 1..max valid modes, no duplicates; returns the count. */
static unsigned int valid_modes(struct fz_worker *w, struct netcam_mode *m,
				unsigned int max)
{
	unsigned int n = 1 + fz_below(w, max), i, j, k = 0;

	for (i = 0; i < n; i++) {
		struct netcam_mode c;
		unsigned int s = fz_below(w, FZ_ARRAY_SIZE(mode_sizes) - 1);
		unsigned int iv = fz_below(w, FZ_ARRAY_SIZE(intervals));
		bool dup = false;

		/* 1280x720 rarely: 32 buffers of it are 59 MB */
		if (fz_chance(w, 3))
			s = FZ_ARRAY_SIZE(mode_sizes) - 1;
		memset(&c, 0, sizeof(c));
		c.pixelformat = raw_fmts[fz_below(w, FZ_ARRAY_SIZE(raw_fmts))];
		c.width = mode_sizes[s][0];
		c.height = mode_sizes[s][1];
		c.interval_num = intervals[iv][0];
		c.interval_den = intervals[iv][1];
		for (j = 0; j < k; j++)
			if (m[j].pixelformat == c.pixelformat && m[j].width == c.width &&
			    m[j].height == c.height &&
			    (uint64_t)m[j].interval_num * c.interval_den ==
			    (uint64_t)c.interval_num * m[j].interval_den)
				dup = true;
		if (!dup)
			m[k++] = c;
	}
	return k;
}

static void feed_add(struct fz_worker *w, int fd, const char *name,
		     unsigned int num_nodes)
{
	struct fz_proc *p = w->p;
	int i;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_FEEDS; i++) {
		struct fz_feed *f = &p->feed[i];

		if (f->fd >= 0)
			continue;
		memset(f, 0, sizeof(*f));
		f->fd = fd;
		memcpy(f->name, name, NETCAM_NAME_LEN);
		f->name[NETCAM_NAME_LEN - 1] = 0;
		f->num_nodes = num_nodes > NETCAM_MAX_NODES ? NETCAM_MAX_NODES : num_nodes;
		break;
	}
	pthread_mutex_unlock(&p->lock);
	if (i == FZ_MAX_FEEDS) {
		fz_begin(w, FZ_OP_FEED_CLOSE, "close feed %d (table full)", fd);
		fz_end(w, FZ_OP_FEED_CLOSE, close(fd));
	}
}

static void op_create(struct fz_worker *w)
{
	struct netcam_create *c = (void *)w->scratch;
	struct netcam_mode *modes = (void *)(w->scratch + 1024);
	unsigned int n, i, nodes;
	const char *bad = NULL;
	bool ro = fz_chance(w, 3);
	int fd = fz_ctl_get(w, !ro);
	void *arg = c;
	enum fz_op op;
	long rc;

	if (fd < 0)
		return;
	memset(c, 0, sizeof(*c));
	pick_name(w, c->name);
	if (fz_chance(w, 50))
		snprintf(c->label, sizeof(c->label), "Fuzz %.20s", c->name);
	n = valid_modes(w, modes, FZ_MAX_CAM_MODES);
	nodes = 1 + fz_below(w, fz_chance(w, 90) ? 3 : NETCAM_MAX_NODES);
	c->num_nodes = nodes;
	c->num_modes = n;
	c->modes_ptr = (uintptr_t)modes;
	if (fz_chance(w, 20))
		c->max_compressed_size = fz_chance(w, 50) ? 65536 : 1024 + fz_below(w, 1 << 20);
	for (i = 0; i < nodes; i++)
		if (fz_chance(w, 30))
			snprintf(c->nodes[i].label, NETCAM_LABEL_LEN, "node %u", i);

	if (fz_chance(w, 45)) {
		unsigned int k = fz_below(w, 22);

		switch (k) {
		case 0: c->flags = 1u << fz_below(w, 32); bad = "flags"; break;
		case 1: c->reserved[fz_below(w, 9)] = fz_u32(w) | 1; bad = "reserved"; break;
		case 2: c->num_nodes = fz_chance(w, 50) ? 0 : NETCAM_MAX_NODES + 1 + fz_below(w, 3);
			if (fz_chance(w, 30)) c->num_nodes = 0xffffffff;
			bad = "num_nodes"; break;
		case 3: c->num_modes = fz_chance(w, 50) ? 0 : NETCAM_MAX_MODES + 1;
			if (fz_chance(w, 30)) c->num_modes = 0xffffffff;
			bad = "num_modes"; break;
		case 4: memset(c->name, 'a', NETCAM_NAME_LEN); bad = "unterminated name"; break;
		case 5: c->name[0] = 0; bad = "empty name"; break;
		case 6: c->name[1] = "/ \x01\xff*"[fz_below(w, 5)]; bad = "name char"; break;
		case 7: c->name[NETCAM_NAME_LEN - 2] = 'x'; bad = "junk after name NUL"; break;
		case 8: memset(c->label, 'L', NETCAM_LABEL_LEN); bad = "unterminated label"; break;
		case 9: c->label[0] = 'x'; c->label[1] = (char)(fz_chance(w, 50) ? 0x7f : 0x1b);
			bad = "label control char"; break;
		case 10: modes[fz_below(w, n)].width |= 1; bad = "odd width"; break;
		case 11: { struct netcam_mode *m = &modes[fz_below(w, n)];
			if (fz_chance(w, 50)) m->interval_num = 0; else m->interval_den = 0;
			bad = "zero interval"; break; }
		case 12: modes[fz_below(w, n)].pixelformat = v4l2_fourcc('F', 'U', 'Z', 'Z');
			bad = "unknown fourcc"; break;
		case 13: modes[fz_below(w, n)].reserved[fz_below(w, 3)] = 1; bad = "mode reserved"; break;
		case 14: if (n < FZ_MAX_CAM_MODES) {	/* 1/30 and 2/60 are the same */
				modes[n] = modes[0];
				modes[n].interval_num *= 2;
				modes[n].interval_den *= 2;
				c->num_modes = n + 1;
				bad = "duplicate mode";
			} break;
		case 15: { struct netcam_mode *m = &modes[fz_below(w, n)];
			m->width = fz_dim(w); m->height = fz_dim(w);
			m->interval_num = fz_u32(w); m->interval_den = fz_u32(w); break; }
		case 16: c->modes_ptr = (uintptr_t)fz_bad_ptr(w, n * sizeof(*modes)); break;
		case 17: c->max_compressed_size = fz_u32(w); break;
		case 18: /* the description of a node past num_nodes */
			if (nodes < NETCAM_MAX_NODES) {
				c->nodes[nodes].label[0] = 'z';
				bad = "node past num_nodes";
			} break;
		case 19: c->nodes[fz_below(w, nodes)].reserved[fz_below(w, 8)] = 1;
			bad = "node reserved"; break;
		case 20: arg = fz_bad_ptr(w, sizeof(*c)); break;
		default: /* modes with wild but maybe valid values */
			c->num_modes = 1 + fz_below(w, NETCAM_MAX_MODES);
			/* modes past our array run into the guard page */
			memcpy(w->p->guard - n * sizeof(*modes), modes, n * sizeof(*modes));
			c->modes_ptr = (uintptr_t)(w->p->guard - n * sizeof(*modes));
			break;
		}
	}
	/* modes on pages that arrive late: must not stall other cameras */
	if (!bad && arg == c && fz_chance(w, 2)) {
		void *u = fz_uffd_frame(w, c->num_modes * sizeof(*modes));

		if (u) {
			c->modes_ptr = (uintptr_t)u;
			w->slot->may_block = 1;
			bad = "modes all zero (userfaultfd zero pages)";
		}
	}
	op = w->slot->may_block ? FZ_OP_CREATE_UFFD : FZ_OP_CREATE;
	fz_begin(w, op, "%s %.31s nodes=%u modes=%u%s%s", fz_op_name(op), c->name,
		 c->num_nodes, c->num_modes, bad ? " bad=" : "", bad ? bad : "");
	rc = fz_end(w, op, ioctl(fd, NETCAM_IOC_CREATE, arg));
	w->slot->may_block = 0;
	if (bad)
		fz_must_fail(w, op, rc, bad);
	if (rc == 0 && arg == c) {
		if (c->fd >= 0)
			feed_add(w, c->fd, c->name, c->num_nodes);
		if (fz_chance(w, 50))
			fz_refresh_nodes(w);
	}
}

#ifdef NETCAM_IOC_ATTACH
/* uAPI 1.1: re-attach by name only; ENOENT/EBUSY are the usual answers. */
static void op_attach(struct fz_worker *w)
{
	struct netcam_attach *a = (void *)w->scratch;
	const char *bad = NULL;
	int fd = fz_ctl_get(w, fz_chance(w, 95));
	void *arg = a;
	long rc;

	if (fd < 0)
		return;
	memset(a, 0, sizeof(*a));
	pick_name(w, a->name);
	a->fd = (int)fz_u32(w);	/* outputs: input ignored */
	a->id = fz_u32(w);
	if (fz_chance(w, 30)) {
		switch (fz_below(w, 6)) {
		case 0: a->flags = 1u << fz_below(w, 32); bad = "flags"; break;
		case 1: a->reserved[fz_below(w, 9)] = 1; bad = "reserved"; break;
		case 2: memset(a->name, 'c', NETCAM_NAME_LEN); bad = "unterminated name"; break;
		case 3: a->name[0] = 0; bad = "empty name"; break;
		case 4: a->name[1] = '\n'; bad = "name char"; break;
		default: arg = fz_bad_ptr(w, sizeof(*a)); break;
		}
	}
	fz_begin(w, FZ_OP_ATTACH, "ATTACH %.31s%s%s", a->name, bad ? " bad=" : "",
		 bad ? bad : "");
	rc = fz_end(w, FZ_OP_ATTACH, ioctl(fd, NETCAM_IOC_ATTACH, arg));
	if (bad)
		fz_must_fail(w, FZ_OP_ATTACH, rc, bad);
	/* the node count is unknown here: events will tell (up to 8) */
	if (rc == 0 && arg == a && a->fd >= 0)
		feed_add(w, a->fd, a->name, NETCAM_MAX_NODES);
}
#else
static void op_attach(struct fz_worker *w)
{
	(void)w;	/* uAPI 1.0 header: nothing to call */
}
#endif

static void op_remove(struct fz_worker *w)
{
	struct netcam_remove *r = (void *)w->scratch;
	const char *bad = NULL;
	int fd = fz_ctl_get(w, fz_chance(w, 95));
	void *arg = r;
	long rc;

	if (fd < 0)
		return;
	memset(r, 0, sizeof(*r));
	pick_name(w, r->name);
	if (fz_chance(w, 30)) {
		switch (fz_below(w, 5)) {
		case 0: r->reserved[fz_below(w, 8)] = 1; bad = "reserved"; break;
		case 1: memset(r->name, 'b', NETCAM_NAME_LEN); bad = "unterminated name"; break;
		case 2: r->name[0] = 0; bad = "empty name"; break;
		case 3: r->name[1] = '/'; bad = "name char"; break;
		default: arg = fz_bad_ptr(w, sizeof(*r)); break;
		}
	}
	fz_begin(w, FZ_OP_REMOVE, "REMOVE %.31s%s%s", r->name, bad ? " bad=" : "",
		 bad ? bad : "");
	rc = fz_end(w, FZ_OP_REMOVE, ioctl(fd, NETCAM_IOC_REMOVE, arg));
	if (bad)
		fz_must_fail(w, FZ_OP_REMOVE, rc, bad);
}

/* Remember the video_nr of every netcam node a LIST reported. */
static void learn_nodes(struct fz_worker *w, const struct netcam_camera_info *ci,
			unsigned int n)
{
	struct fz_proc *p = w->p;
	unsigned int i, j;
	int k;

	pthread_mutex_lock(&p->lock);
	p->nknown = 0;
	for (i = 0; i < n; i++)
		for (j = 0; j < ci[i].num_nodes && j < NETCAM_MAX_NODES; j++) {
			int nr = ci[i].video_nr[j];

			if (nr < 0 || p->nknown >= FZ_MAX_KNOWN)
				continue;
			for (k = 0; k < p->nknown; k++)
				if (p->known[k] == nr)
					break;
			if (k == p->nknown)
				p->known[p->nknown++] = nr;
		}
	pthread_mutex_unlock(&p->lock);
}

static void op_list(struct fz_worker *w, bool valid)
{
	struct netcam_list *l = (void *)w->scratch;
	struct netcam_camera_info *ci = (void *)(w->scratch + 64);
	unsigned int room = (sizeof(w->scratch) - 64) / sizeof(*ci);
	const char *bad = NULL;
	int fd = fz_ctl_get(w, fz_chance(w, 50));
	void *arg = l;
	enum fz_op op;
	long rc;

	if (fd < 0)
		return;
	memset(l, 0, sizeof(*l));
	l->capacity = room;
	l->cameras_ptr = (uintptr_t)ci;
	l->count = fz_u32(w);	/* ignored on input */
	if (!valid && fz_chance(w, 50)) {
		switch (fz_below(w, 5)) {
		case 0: l->reserved[fz_below(w, 4)] = fz_u32(w) | 1; bad = "reserved"; break;
		case 1: l->capacity = fz_u32(w); break;
		case 2: l->capacity = fz_below(w, 3); break;
		case 3: l->cameras_ptr = (uintptr_t)fz_bad_ptr(w, room * sizeof(*ci)); break;
		default: arg = fz_bad_ptr(w, sizeof(*l)); break;
		}
	}
	if (!valid && arg == l && fz_chance(w, 4)) {
		void *u = fz_uffd_frame(w, room * sizeof(*ci));

		if (u) {
			l->cameras_ptr = (uintptr_t)u;
			w->slot->may_block = 1;
		}
	}
	op = w->slot->may_block ? FZ_OP_LIST_UFFD : FZ_OP_LIST;
	fz_begin(w, op, "%s cap=%u%s%s", fz_op_name(op), l->capacity,
		 bad ? " bad=" : "", bad ? bad : "");
	rc = fz_end(w, op, ioctl(fd, NETCAM_IOC_LIST, arg));
	w->slot->may_block = 0;
	if (bad)
		fz_must_fail(w, op, rc, bad);
	if (rc == 0 && arg == l && l->cameras_ptr == (uintptr_t)ci && l->capacity <= room)
		learn_nodes(w, ci, l->count < l->capacity ? l->count : l->capacity);
}

/* Find netcam nodes: LIST on /dev/netcam, or (no access) QUERYCAP scan. */
void fz_refresh_nodes(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int nr, k = 0, found[FZ_MAX_KNOWN];

	if (!fz_opt.no_ctl && fz_ctl_get(w, false) >= 0) {
		op_list(w, true);
		return;
	}
	for (nr = 0; nr < 64 && k < FZ_MAX_KNOWN; nr++) {
		struct v4l2_capability *cap = (void *)w->scratch;
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/video%d", nr);
		/* bracketed like any call: the watchdog sees a stuck scan too */
		fz_begin(w, FZ_OP_NODE_OPEN, "open %s (scan)", path);
		fd = (int)fz_end(w, FZ_OP_NODE_OPEN, open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC));
		if (fd < 0)
			continue;
		memset(cap, 0, sizeof(*cap));
		fz_begin(w, FZ_OP_QUERYCAP, "QUERYCAP %s (scan)", path);
		if (fz_end(w, FZ_OP_QUERYCAP, ioctl(fd, VIDIOC_QUERYCAP, cap)) == 0 &&
		    !strcmp((char *)cap->driver, "netcam"))
			found[k++] = nr;
		fz_begin(w, FZ_OP_NODE_CLOSE, "close %s (scan)", path);
		fz_end(w, FZ_OP_NODE_CLOSE, close(fd));
	}
	pthread_mutex_lock(&p->lock);
	memcpy(p->known, found, sizeof(int) * (size_t)k);
	p->nknown = k;
	pthread_mutex_unlock(&p->lock);
}

static void op_version(struct fz_worker *w)
{
	struct netcam_version *v = (void *)w->scratch;
	int fd = fz_ctl_get(w, fz_chance(w, 50));
	void *arg = fz_chance(w, 15) ? fz_bad_ptr(w, sizeof(*v)) : v;
	long rc;

	if (fd < 0)
		return;
	memset(v, 0xa5, sizeof(*v));
	fz_begin(w, FZ_OP_VERSION, "VERSION");
	rc = fz_end(w, FZ_OP_VERSION, ioctl(fd, NETCAM_IOC_VERSION, arg));
	if (rc == 0 && arg == v && (v->major != NETCAM_VERSION_MAJOR || v->reserved[0] ||
				    v->reserved[4]))
		fz_failure(w, "VERSION: major %u reserved[0] %#x reserved[4] %#x",
			   v->major, v->reserved[0], v->reserved[4]);
}

/* A random ioctl number: our magic with unused numbers, V4L2's, anything. */
unsigned long fz_unknown_cmd(struct fz_worker *w);
unsigned long fz_unknown_cmd(struct fz_worker *w)
{
	unsigned int dir = fz_below(w, 4), size = fz_below(w, 1024), nr;

	switch (fz_below(w, 4)) {
	case 0:
		nr = 0x04 + fz_below(w, 0x100 - 0x04);
		if (nr >= 0x10 && nr <= 0x11)
			nr = 0x20;
		return _IOC(dir, NETCAM_IOC_MAGIC, nr, size);
	case 1:	/* a known command with a wrong size */
		return _IOC(_IOC_WRITE | _IOC_READ, NETCAM_IOC_MAGIC, fz_below(w, 4) + 0x10 * fz_below(w, 2),
			    size);
	case 2:
		return _IOC(dir, 'V', fz_below(w, 256), size);
	default:
		return (unsigned long)(uint32_t)fz_rand(w);
	}
}

static void op_ctl_unknown(struct fz_worker *w)
{
	int fd = fz_ctl_get(w, true);
	unsigned long cmd = fz_unknown_cmd(w);
	void *arg = w->scratch;

	if (fd < 0)
		return;
	fz_fill(w, w->scratch, 1024);
	if (fz_chance(w, 20))
		arg = fz_bad_ptr(w, 1024);
	fz_begin(w, FZ_OP_CTL_UNKNOWN, "ctl ioctl %#lx", cmd);
	fz_end(w, FZ_OP_CTL_UNKNOWN, ioctl(fd, cmd, arg));
}

void fz_ctl_op(struct fz_worker *w)
{
	unsigned int r = fz_below(w, 100);

	if (fz_opt.no_ctl)
		return;
	/* removals are rarer than creations: nodes must live long enough to stream */
	if (r < 38)
		op_create(w);
	else if (r < 46)
		op_attach(w);
	else if (r < 52)
		op_remove(w);
	else if (r < 75)
		op_list(w, fz_chance(w, 50));
	else if (r < 85)
		op_version(w);
	else if (r < 94)
		op_ctl_unknown(w);
	else
		ctl_close(w);
}

/* ---- feed channel ---------------------------------------------------- */

/* Copy of a random open feed; -1 if none. */
static int pick_feed(struct fz_worker *w, struct fz_feed *out)
{
	struct fz_proc *p = w->p;
	int i, start = (int)fz_below(w, FZ_MAX_FEEDS), idx = -1;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_FEEDS; i++) {
		int k = (start + i) % FZ_MAX_FEEDS;

		if (p->feed[k].fd >= 0) {
			*out = p->feed[k];
			idx = k;
			break;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return idx;
}

static void learn_events(struct fz_worker *w, int idx, int fd,
			 const struct netcam_event *ev, size_t n)
{
	struct fz_feed *f = &w->p->feed[idx];
	size_t i;

	pthread_mutex_lock(&w->p->lock);
	if (f->fd == fd)
		for (i = 0; i < n; i++) {
			if (ev[i].node >= NETCAM_MAX_NODES)
				continue;	/* the kernel never says so */
			f->ev[ev[i].node] = ev[i];
			f->have_ev[ev[i].node] = true;
		}
	pthread_mutex_unlock(&w->p->lock);
}

static void op_feed_read(struct fz_worker *w)
{
	static const size_t sizes[] = { 0, 1, 63, 64, 65, 128, 64 * 8, 64 * 70 };
	struct fz_feed f;
	int idx = pick_feed(w, &f);
	size_t len = sizes[fz_below(w, FZ_ARRAY_SIZE(sizes))];
	void *buf = w->scratch;
	long rc;

	if (idx < 0)
		return;
	if (fz_chance(w, 10))
		buf = fz_bad_ptr(w, len);
	fz_begin(w, FZ_OP_FEED_READ, "read feed %d len %zu", f.fd, len);
	rc = fz_end(w, FZ_OP_FEED_READ, read(f.fd, buf, len));
	if (len < sizeof(struct netcam_event) && len > 0 && rc > 0)
		fz_failure(w, "feed read() of %zu bytes returned %ld, want EINVAL", len, rc);
	if (rc > 0 && buf == w->scratch)
		learn_events(w, idx, f.fd, buf, (size_t)rc / sizeof(struct netcam_event));
}

static void op_feed_poll(struct fz_worker *w)
{
	struct fz_feed f;
	struct pollfd pfd;

	if (pick_feed(w, &f) < 0)
		return;
	pfd.fd = f.fd;
	pfd.events = (short)(POLLIN | POLLOUT | (fz_chance(w, 20) ? POLLPRI : 0));
	pfd.revents = 0;
	fz_begin(w, FZ_OP_FEED_POLL, "poll feed %d", f.fd);
	fz_end(w, FZ_OP_FEED_POLL, poll(&pfd, 1, (int)fz_below(w, 30)));
}

static uint32_t frame_size(uint32_t fmt, uint32_t wd, uint32_t ht)
{
	uint64_t px = (uint64_t)wd * ht;

	switch (fmt) {
	case V4L2_PIX_FMT_YUYV: return (uint32_t)(px * 2);
	case V4L2_PIX_FMT_GREY: return (uint32_t)px;
	default: return (uint32_t)(px * 3 / 2);
	}
}

/* Close feed @fd if the table still holds it. */
static void feed_drop(struct fz_worker *w, int fd)
{
	struct fz_proc *p = w->p;
	int i, found = 0;

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_FEEDS; i++)
		if (p->feed[i].fd == fd) {
			p->feed[i].fd = -1;
			found = 1;
		}
	pthread_mutex_unlock(&p->lock);
	if (!found)
		return;
	fz_begin(w, FZ_OP_FEED_CLOSE, "close feed %d (removed)", fd);
	fz_end(w, FZ_OP_FEED_CLOSE, close(fd));
}

/* One frame for @node of feed @f, valid unless @mutate. */
static void feed_frame(struct fz_worker *w, const struct fz_feed *f,
		       unsigned int node, bool mutate)
{
	struct netcam_frame *fr = (void *)w->scratch;
	const struct netcam_event *ev = &f->ev[node < NETCAM_MAX_NODES ? node : 0];
	const char *bad = NULL;
	void *arg = fr;
	enum fz_op op;
	long rc;

	memset(fr, 0, sizeof(*fr));
	fr->node = node;
	fr->pixelformat = ev->pixelformat ? ev->pixelformat : V4L2_PIX_FMT_YUYV;
	fr->width = ev->width ? ev->width : 320;
	fr->height = ev->height ? ev->height : 240;
	if (fr->pixelformat == V4L2_PIX_FMT_MJPEG)
		fr->bytesused = 1 + fz_below(w, ev->sizeimage ? ev->sizeimage : 65536);
	else
		fr->bytesused = frame_size(fr->pixelformat, fr->width, fr->height);
	fr->data_ptr = (uintptr_t)fz_good_ptr(w, fr->bytesused);
	if (mutate) {
		switch (fz_below(w, 14)) {
		case 0: fr->flags = 1u << fz_below(w, 32); bad = "flags"; break;
		case 1: fr->reserved[fz_below(w, 4)] = fz_u32(w) | 1; bad = "reserved"; break;
		case 2: fr->pixelformat = v4l2_fourcc('F', 'U', 'Z', 'Z'); bad = "unknown fourcc"; break;
		case 3: fr->bytesused = fz_chance(w, 50) ? 0 : 0xffffffff;
			if (fr->pixelformat == V4L2_PIX_FMT_MJPEG || fr->bytesused == 0xffffffff)
				bad = "bytesused 0/huge";
			break;
		case 4: fr->bytesused += fz_chance(w, 50) ? 1 : (uint32_t)-1; break;
		case 5: fr->width = fz_dim(w); fr->height = fz_dim(w);
			if (fz_chance(w, 50))
				fr->bytesused = frame_size(fr->pixelformat, fr->width, fr->height);
			break;
		case 6: fr->node = fz_chance(w, 50) ? f->num_nodes : fz_u32(w); break;
		case 7: fr->data_ptr = (uintptr_t)fz_bad_ptr(w, fr->bytesused); break;
		case 8: fr->pixelformat = fz_fourcc(w); break;
		case 9: arg = fz_bad_ptr(w, sizeof(*fr)); break;
		case 10: fr->bytesused = fz_u32(w); break;
		default: /* the right bytes, but partly in the guard page */
			fr->data_ptr = (uintptr_t)(w->p->guard - fr->bytesused + 1 +
						   fz_below(w, fr->bytesused ? fr->bytesused : 1));
			break;
		}
	}
	/* now and then a frame whose pages arrive late, or not before the end */
	if (arg == fr && fz_chance(w, mutate ? 2 : 12)) {
		void *u = fz_uffd_frame(w, fr->bytesused);

		if (u) {
			fr->data_ptr = (uintptr_t)u;
			w->slot->may_block = 1;
		}
	}
	op = w->slot->may_block ? FZ_OP_FEED_FRAME_UFFD : FZ_OP_FEED_FRAME;
	fz_begin(w, op, "%s fd %d node %u %.4s %ux%u used %u%s%s", fz_op_name(op),
		 f->fd, fr->node, (const char *)&fr->pixelformat, fr->width, fr->height,
		 fr->bytesused, bad ? " bad=" : "", bad ? bad : "");
	rc = fz_end(w, op, ioctl(f->fd, NETCAM_IOC_FEED_FRAME, arg));
	w->slot->may_block = 0;
	if (bad)
		fz_must_fail(w, op, rc, bad);
	if (rc < 0 && errno == ENODEV && fz_chance(w, 70))
		feed_drop(w, f->fd);	/* camera removed: a helper closes the feed */
}

static void op_set_signal(struct fz_worker *w, const struct fz_feed *f)
{
	struct netcam_signal *s = (void *)w->scratch;
	const char *bad = NULL;
	void *arg = s;
	long rc;

	memset(s, 0, sizeof(*s));
	s->state = fz_chance(w, 50) ? NETCAM_SIGNAL_PRESENT : NETCAM_SIGNAL_LOST;
	if (fz_chance(w, 35)) {
		switch (fz_below(w, 3)) {
		case 0: s->state = 2 + fz_below(w, 10);
			if (fz_chance(w, 30)) s->state = 0xffffffff;
			bad = "state"; break;
		case 1: s->reserved[fz_below(w, 7)] = 1; bad = "reserved"; break;
		default: arg = fz_bad_ptr(w, sizeof(*s)); break;
		}
	}
	fz_begin(w, FZ_OP_SET_SIGNAL, "SET_SIGNAL fd %d state %u%s%s", f->fd, s->state,
		 bad ? " bad=" : "", bad ? bad : "");
	rc = fz_end(w, FZ_OP_SET_SIGNAL, ioctl(f->fd, NETCAM_IOC_SET_SIGNAL, arg));
	if (bad)
		fz_must_fail(w, FZ_OP_SET_SIGNAL, rc, bad);
}

static void op_feed_close(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_FEEDS), fd;

	pthread_mutex_lock(&p->lock);
	fd = p->feed[i].fd;
	p->feed[i].fd = -1;
	pthread_mutex_unlock(&p->lock);
	if (fd < 0)
		return;
	fz_begin(w, FZ_OP_FEED_CLOSE, "close feed %d", fd);
	fz_end(w, FZ_OP_FEED_CLOSE, close(fd));
}

void fz_feed_op(struct fz_worker *w)
{
	struct fz_feed f;
	unsigned int r = fz_below(w, 100);
	long rc;

	if (pick_feed(w, &f) < 0)
		return;
	if (r < 35) {
		feed_frame(w, &f, fz_below(w, f.num_nodes ? f.num_nodes : 1), fz_chance(w, 40));
	} else if (r < 45) {
		op_set_signal(w, &f);
	} else if (r < 65) {
		op_feed_read(w);
	} else if (r < 75) {
		op_feed_poll(w);
	} else if (r < 80) {
		op_feed_close(w);
	} else if (r < 85) {
		int fl = fz_chance(w, 70) ? O_NONBLOCK : 0;

		fz_begin(w, FZ_OP_FEED_FCNTL, "fcntl feed %d %#x", f.fd, fl);
		fz_end(w, FZ_OP_FEED_FCNTL, fcntl(f.fd, F_SETFL, fl));
	} else if (r < 92) {
		/* write() and mmap() are not supported: must fail */
		if (fz_chance(w, 50)) {
			fz_begin(w, FZ_OP_FEED_MISC, "write feed %d", f.fd);
			rc = fz_end(w, FZ_OP_FEED_MISC, write(f.fd, w->scratch, 64));
			fz_must_fail(w, FZ_OP_FEED_MISC, rc, "write() on a feed");
		} else {
			void *m;

			fz_begin(w, FZ_OP_FEED_MISC, "mmap feed %d", f.fd);
			m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, f.fd, 0);
			rc = fz_end(w, FZ_OP_FEED_MISC, m == MAP_FAILED ? -1 : 0);
			if (m != MAP_FAILED)
				munmap(m, 4096);
			fz_must_fail(w, FZ_OP_FEED_MISC, rc, "mmap() of a feed");
		}
	} else {
		unsigned long cmd = fz_unknown_cmd(w);
		void *arg = w->scratch;

		fz_fill(w, w->scratch, 1024);
		if (fz_chance(w, 20))
			arg = fz_bad_ptr(w, 1024);
		fz_begin(w, FZ_OP_FEED_UNKNOWN, "feed ioctl %#lx", cmd);
		fz_end(w, FZ_OP_FEED_UNKNOWN, ioctl(f.fd, cmd, arg));
	}
}

/* read() only what is queued: poll first, so a blocking feed never waits. */
static long recv_events_nb(int fd, struct netcam_event *ev, size_t n)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLIN))
		return 0;
	return read(fd, ev, n * sizeof(*ev));
}

/* Behave like a helper: read events, feed every streaming node a frame. */
void fz_feed_serve(struct fz_worker *w)
{
	struct netcam_event *ev = (void *)(w->scratch + 4096);
	struct fz_feed f;
	unsigned int n;
	int idx = pick_feed(w, &f);
	long rc;

	if (idx < 0)
		return;
	fz_begin(w, FZ_OP_FEED_READ, "read feed %d (serve)", f.fd);
	rc = fz_end(w, FZ_OP_FEED_READ, recv_events_nb(f.fd, ev, 64));
	if (rc > 0) {
		learn_events(w, idx, f.fd, ev, (size_t)rc / sizeof(*ev));
		pthread_mutex_lock(&w->p->lock);
		f = w->p->feed[idx];
		pthread_mutex_unlock(&w->p->lock);
		if (f.fd < 0)
			return;
	}
	for (n = 0; n < f.num_nodes; n++)
		if (f.have_ev[n] && f.ev[n].streaming)
			feed_frame(w, &f, n, false);
}
