// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz: V4L2 capture node operations: open/close/read/poll,
 * mmap/munmap and every ioctl a netcam node implements, plus unknown ones.
 *
 * Nodes are found through NETCAM_IOC_LIST's video_nr (or a QUERYCAP scan
 * when /dev/netcam is not accessible). The format fields are built around
 * the node's current format (from G_FMT), so the extreme values sit right
 * at the edges the driver's arithmetic cares about, e.g. width 0xffffffff
 * with a height that makes |dw| + |dh| exactly U32_MAX.
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

unsigned long fz_unknown_cmd(struct fz_worker *w);

/* Copy of a random open node; -1 if none. */
static int pick_node(struct fz_worker *w, struct fz_node *out)
{
	struct fz_proc *p = w->p;
	int i, start = (int)fz_below(w, FZ_MAX_NODES_OPEN);

	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_NODES_OPEN; i++) {
		int k = (start + i) % FZ_MAX_NODES_OPEN;

		if (p->node[k].fd >= 0) {
			*out = p->node[k];
			pthread_mutex_unlock(&p->lock);
			return k;
		}
	}
	pthread_mutex_unlock(&p->lock);
	return -1;
}

/* Update the table entry @idx if it still holds @fd. */
#define NODE_UPDATE(w, idx, fdv, stmt) do {				\
	struct fz_node *n_ = &(w)->p->node[idx];			\
	pthread_mutex_lock(&(w)->p->lock);				\
	if (n_->fd == (fdv)) { stmt; }					\
	pthread_mutex_unlock(&(w)->p->lock);				\
} while (0)

static uint32_t buf_type(struct fz_worker *w)
{
	if (fz_chance(w, 90))
		return V4L2_BUF_TYPE_VIDEO_CAPTURE;
	switch (fz_below(w, 4)) {
	case 0: return V4L2_BUF_TYPE_VIDEO_OUTPUT;
	case 1: return V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	case 2: return 0;
	default: return fz_u32(w);
	}
}

static uint32_t memory_type(struct fz_worker *w)
{
	static const uint32_t m[] = {
		V4L2_MEMORY_MMAP, V4L2_MEMORY_MMAP, V4L2_MEMORY_MMAP,
		V4L2_MEMORY_USERPTR, V4L2_MEMORY_DMABUF, 0, V4L2_MEMORY_OVERLAY,
		0xffffffff,
	};

	return m[fz_below(w, FZ_ARRAY_SIZE(m))];
}

static void op_open(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	struct v4l2_capability cap;
	char path[32];
	int nr = -1, fd, i, flags;

	pthread_mutex_lock(&p->lock);
	if (p->nknown)
		nr = p->known[fz_below(w, (uint32_t)p->nknown)];
	pthread_mutex_unlock(&p->lock);
	if (nr < 0 || fz_chance(w, 3))
		nr = (int)fz_below(w, 16);
	snprintf(path, sizeof(path), "/dev/video%d", nr);
	flags = (fz_chance(w, 90) ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	if (fz_chance(w, 75))
		flags |= O_NONBLOCK;
	fz_begin(w, FZ_OP_NODE_OPEN, "open %s", path);
	fd = (int)fz_end(w, FZ_OP_NODE_OPEN, open(path, flags));
	if (fd < 0) {
		/* a removed camera: look again, but not more than 3 times a second */
		if ((errno == ENOENT || errno == ENODEV || errno == ENXIO) &&
		    fz_now_ns() - p->last_scan_ns > 300000000) {
			p->last_scan_ns = fz_now_ns();
			fz_refresh_nodes(w);
		}
		return;
	}
	memset(&cap, 0, sizeof(cap));
	fz_begin(w, FZ_OP_QUERYCAP, "QUERYCAP fd %d", fd);
	fz_end(w, FZ_OP_QUERYCAP, ioctl(fd, VIDIOC_QUERYCAP, &cap));
	pthread_mutex_lock(&p->lock);
	for (i = 0; i < FZ_MAX_NODES_OPEN; i++) {
		struct fz_node *n = &p->node[i];

		if (n->fd >= 0)
			continue;
		memset(n, 0, sizeof(*n));
		n->fd = fd;
		n->video_nr = nr;
		n->netcam = !strcmp((char *)cap.driver, "netcam");
		break;
	}
	pthread_mutex_unlock(&p->lock);
	if (i == FZ_MAX_NODES_OPEN) {
		fz_begin(w, FZ_OP_NODE_CLOSE, "close fd %d (table full)", fd);
		fz_end(w, FZ_OP_NODE_CLOSE, close(fd));
	}
}

static void op_close(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_NODES_OPEN), fd;

	pthread_mutex_lock(&p->lock);
	fd = p->node[i].fd;
	p->node[i].fd = -1;
	pthread_mutex_unlock(&p->lock);
	if (fd < 0)
		return;
	fz_begin(w, FZ_OP_NODE_CLOSE, "close node fd %d", fd);
	fz_end(w, FZ_OP_NODE_CLOSE, close(fd));
}

static void fill_pix_extreme(struct fz_worker *w, const struct fz_node *n,
			     struct v4l2_pix_format *pix)
{
	uint32_t cw = n->have_pix ? n->pix.width : 320;
	uint32_t ch = n->have_pix ? n->pix.height : 240;

	pix->pixelformat = fz_chance(w, 40) && n->have_pix ? n->pix.pixelformat : fz_fourcc(w);
	switch (fz_below(w, 8)) {
	case 0:	/* |dw| + |dh| == U32_MAX against the current size */
		pix->width = 0xffffffff;
		pix->height = ch + cw;
		break;
	case 1:	/* the same, mirrored */
		pix->height = 0xffffffff;
		pix->width = cw + ch;
		break;
	case 2:	/* both huge: the sum wraps */
		pix->width = 0xffffffff - fz_below(w, 4);
		pix->height = 0xffffffff - fz_below(w, 4);
		break;
	case 3:
		pix->width = cw;
		pix->height = ch;
		break;
	case 4:
		pix->width = cw + (fz_chance(w, 50) ? 1 : (uint32_t)-1);
		pix->height = ch;
		break;
	default:
		pix->width = fz_dim(w);
		pix->height = fz_dim(w);
		break;
	}
	/* to get past the known netcam_fmt_try bug of 1.0 drivers */
	if (fz_opt.no_size_wrap) {
		pix->width &= 0x7fffffff;
		pix->height &= 0x7fffffff;
	}
	if (fz_chance(w, 30)) {
		pix->field = fz_chance(w, 50) ? V4L2_FIELD_INTERLACED : fz_u32(w);
		pix->bytesperline = fz_u32(w);
		pix->sizeimage = fz_u32(w);
		pix->colorspace = fz_u32(w);
		pix->priv = fz_chance(w, 50) ? V4L2_PIX_FMT_PRIV_MAGIC : fz_u32(w);
		pix->flags = fz_u32(w);
	}
}

static void op_fmt(struct fz_worker *w, int idx, const struct fz_node *n, enum fz_op op)
{
	struct v4l2_format *f = (void *)w->scratch;
	unsigned long cmd = op == FZ_OP_G_FMT ? VIDIOC_G_FMT :
			    op == FZ_OP_S_FMT ? VIDIOC_S_FMT : VIDIOC_TRY_FMT;
	void *arg = f;
	long rc;

	memset(f, 0, sizeof(*f));
	f->type = buf_type(w);
	if (op != FZ_OP_G_FMT)
		fill_pix_extreme(w, n, &f->fmt.pix);
	if (fz_chance(w, 3))
		arg = fz_bad_ptr(w, sizeof(*f));
	fz_begin(w, op, "%s fd %d %.4s %ux%u", fz_op_name(op), n->fd,
		 (const char *)&f->fmt.pix.pixelformat, f->fmt.pix.width, f->fmt.pix.height);
	rc = fz_end(w, op, ioctl(n->fd, cmd, arg));
	/* the camera was removed: an application closes the node */
	if (rc < 0 && errno == ENODEV && fz_chance(w, 50)) {
		bool mine = false;

		pthread_mutex_lock(&w->p->lock);
		if (w->p->node[idx].fd == n->fd) {
			w->p->node[idx].fd = -1;
			mine = true;
		}
		pthread_mutex_unlock(&w->p->lock);
		if (mine) {
			fz_begin(w, FZ_OP_NODE_CLOSE, "close node fd %d (removed)", n->fd);
			fz_end(w, FZ_OP_NODE_CLOSE, close(n->fd));
		}
		return;
	}
	if (rc == 0 && arg == f && f->type == V4L2_BUF_TYPE_VIDEO_CAPTURE && op != FZ_OP_TRY_FMT) {
		struct v4l2_pix_format pix = f->fmt.pix;

		NODE_UPDATE(w, idx, n->fd, n_->pix = pix; n_->have_pix = true);
	}
}

static void op_parm(struct fz_worker *w, const struct fz_node *n, bool set)
{
	static const uint32_t iv[][2] = {
		{ 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 30 }, { 1, 15 }, { 1, 1000 },
		{ 1, 100000 }, { 0xffffffff, 1 }, { 1, 0xffffffff },
		{ 0xffffffff, 0xffffffff }, { 1001, 30000 }, { 2, 60 },
	};
	struct v4l2_streamparm *sp = (void *)w->scratch;
	void *arg = sp;
	unsigned int k = fz_below(w, FZ_ARRAY_SIZE(iv));

	memset(sp, 0, sizeof(*sp));
	sp->type = buf_type(w);
	if (set) {
		sp->parm.capture.timeperframe.numerator = fz_chance(w, 10) ? fz_u32(w) : iv[k][0];
		sp->parm.capture.timeperframe.denominator = fz_chance(w, 10) ? fz_u32(w) : iv[k][1];
		if (fz_chance(w, 20)) {
			sp->parm.capture.capability = fz_u32(w);
			sp->parm.capture.capturemode = fz_u32(w);
			sp->parm.capture.readbuffers = fz_u32(w);
			sp->parm.capture.extendedmode = fz_u32(w);
			sp->parm.capture.reserved[fz_below(w, 4)] = fz_u32(w);
		}
	}
	if (fz_chance(w, 3))
		arg = fz_bad_ptr(w, sizeof(*sp));
	fz_begin(w, set ? FZ_OP_S_PARM : FZ_OP_G_PARM, "%s_PARM fd %d %u/%u", set ? "S" : "G",
		 n->fd, sp->parm.capture.timeperframe.numerator,
		 sp->parm.capture.timeperframe.denominator);
	fz_end(w, set ? FZ_OP_S_PARM : FZ_OP_G_PARM,
	       ioctl(n->fd, set ? VIDIOC_S_PARM : VIDIOC_G_PARM, arg));
}

static uint32_t small_index(struct fz_worker *w)
{
	return fz_chance(w, 80) ? fz_below(w, 8) : fz_u32(w);
}

static void op_enum(struct fz_worker *w, const struct fz_node *n, enum fz_op op)
{
	void *arg = w->scratch;
	unsigned long cmd;
	long rc;
	uint32_t index = small_index(w);
	const char *bad = NULL;

	memset(w->scratch, 0, 256);
	if (fz_chance(w, 10))
		fz_fill(w, w->scratch, 256);	/* reserved fields and all */
	switch (op) {
	case FZ_OP_ENUM_FMT: {
		struct v4l2_fmtdesc *d = arg;

		d->index = index;
		d->type = buf_type(w);
		if (fz_chance(w, 10))
			d->mbus_code = fz_u32(w);
		/* five formats at most; only netcam nodes are judged */
		if (index >= 256 && n->netcam)
			bad = "ENUM_FMT index >= 256";
		cmd = VIDIOC_ENUM_FMT;
		break;
	}
	case FZ_OP_ENUM_FRAMESIZES: {
		struct v4l2_frmsizeenum *s = arg;

		s->index = index;
		s->pixel_format = fz_chance(w, 50) && n->have_pix ? n->pix.pixelformat : fz_fourcc(w);
		cmd = VIDIOC_ENUM_FRAMESIZES;
		break;
	}
	case FZ_OP_ENUM_FRAMEINTERVALS: {
		struct v4l2_frmivalenum *s = arg;

		s->index = index;
		if (n->have_pix && fz_chance(w, 60)) {
			s->pixel_format = n->pix.pixelformat;
			s->width = n->pix.width;
			s->height = n->pix.height;
		} else {
			s->pixel_format = fz_fourcc(w);
			s->width = fz_dim(w);
			s->height = fz_dim(w);
		}
		cmd = VIDIOC_ENUM_FRAMEINTERVALS;
		break;
	}
	default: {	/* ENUMINPUT */
		struct v4l2_input *in = arg;

		in->index = fz_chance(w, 60) ? 0 : index;
		if (in->index >= 1 && n->netcam)
			bad = "ENUMINPUT index >= 1";
		cmd = VIDIOC_ENUMINPUT;
		break;
	}
	}
	if (fz_chance(w, 3))
		arg = fz_bad_ptr(w, 256);
	fz_begin(w, op, "%s fd %d index %u", fz_op_name(op), n->fd, index);
	rc = fz_end(w, op, ioctl(n->fd, cmd, arg));
	if (bad && arg == w->scratch)
		fz_must_fail(w, op, rc, bad);
}

static void op_input(struct fz_worker *w, const struct fz_node *n, bool set)
{
	int *in = (void *)w->scratch;
	void *arg = in;
	long rc;

	*in = set ? (fz_chance(w, 50) ? 0 : (int)fz_u32(w)) : -1;
	if (fz_chance(w, 5))
		arg = fz_bad_ptr(w, sizeof(*in));
	fz_begin(w, set ? FZ_OP_S_INPUT : FZ_OP_G_INPUT, "%s_INPUT fd %d %d", set ? "S" : "G",
		 n->fd, *in);
	rc = fz_end(w, set ? FZ_OP_S_INPUT : FZ_OP_G_INPUT,
		    ioctl(n->fd, set ? VIDIOC_S_INPUT : VIDIOC_G_INPUT, arg));
	if (set && arg == in && *in != 0 && n->netcam)
		fz_must_fail(w, FZ_OP_S_INPUT, rc, "S_INPUT not 0");
}

static long do_reqbufs(struct fz_worker *w, int idx, const struct fz_node *n,
		       uint32_t count, uint32_t memory, uint32_t type)
{
	struct v4l2_requestbuffers *rb = (void *)w->scratch;
	long rc;

	memset(rb, 0, sizeof(*rb));
	rb->count = count;
	rb->memory = memory;
	rb->type = type;
	if (fz_chance(w, 5))
		rb->flags = (uint8_t)fz_u32(w);
	fz_begin(w, FZ_OP_REQBUFS, "REQBUFS fd %d count %u mem %u", n->fd, count, memory);
	rc = fz_end(w, FZ_OP_REQBUFS, ioctl(n->fd, VIDIOC_REQBUFS, rb));
	if (rc == 0 && type == V4L2_BUF_TYPE_VIDEO_CAPTURE) {
		uint32_t got = rb->count;

		NODE_UPDATE(w, idx, n->fd, n_->memory = memory; n_->nbufs = got);
	}
	return rc;
}

static void op_reqbufs(struct fz_worker *w, int idx, const struct fz_node *n)
{
	static const uint32_t counts[] = { 0, 1, 2, 3, 4, 8, 32, 33, 64, 0xffffffff, 0x80000000 };

	do_reqbufs(w, idx, n, counts[fz_below(w, FZ_ARRAY_SIZE(counts))],
		   memory_type(w), buf_type(w));
}

static void op_create_bufs(struct fz_worker *w, int idx, const struct fz_node *n)
{
	struct v4l2_create_buffers *cb = (void *)w->scratch;
	uint32_t size = n->have_pix ? n->pix.sizeimage : 320 * 240 * 2;
	long rc;

	memset(cb, 0, sizeof(*cb));
	cb->count = fz_chance(w, 80) ? fz_below(w, 5) : fz_u32(w);
	cb->memory = memory_type(w);
	cb->format.type = buf_type(w);
	if (n->have_pix)
		cb->format.fmt.pix = n->pix;
	switch (fz_below(w, 8)) {
	case 0: size = 0; break;
	case 1: size -= 1; break;
	case 2: size *= 2; break;
	case 3: size += 4096; break;
	case 4:
		/* vmalloc of >= 2 GiB: more than the VM's RAM */
		if (!fz_opt.no_huge_bufs)
			size = fz_chance(w, 50) ? 0xffffffff : 0x80000000;
		break;
	default: break;
	}
	cb->format.fmt.pix.sizeimage = size;
	if (fz_chance(w, 10))
		fill_pix_extreme(w, n, &cb->format.fmt.pix);
	if (fz_opt.no_huge_bufs && cb->format.fmt.pix.sizeimage > (64u << 20))
		cb->format.fmt.pix.sizeimage = size;
	fz_begin(w, FZ_OP_CREATE_BUFS, "CREATE_BUFS fd %d count %u mem %u size %u", n->fd,
		 cb->count, cb->memory, cb->format.fmt.pix.sizeimage);
	rc = fz_end(w, FZ_OP_CREATE_BUFS, ioctl(n->fd, VIDIOC_CREATE_BUFS, cb));
	if (rc == 0 && cb->format.type == V4L2_BUF_TYPE_VIDEO_CAPTURE) {
		uint32_t got = cb->index + cb->count, mem = cb->memory;

		NODE_UPDATE(w, idx, n->fd, n_->memory = mem; n_->nbufs = got);
	}
}

static int pick_dmabuf(struct fz_worker *w)
{
	int fd;

	pthread_mutex_lock(&w->p->lock);
	fd = w->p->dmabuf[fz_below(w, FZ_MAX_DMABUF)];
	pthread_mutex_unlock(&w->p->lock);
	return fd;
}

/*
 * A USERPTR range that starts in our arena must end in the guard page:
 * 6.1's videobuf2 pins user pages with FOLL_FORCE, which pins PROT_NONE
 * pages too, so a longer range would have the kernel write frames into
 * whatever we mapped after the guard (it corrupted a thread's rseq area:
 * a SIGSEGV without a "segfault at" line). Not a driver bug: we asked.
 */
static void clamp_userptr(struct fz_worker *w, struct v4l2_buffer *b)
{
	uintptr_t start = b->m.userptr, lo = (uintptr_t)w->p->arena;
	uintptr_t hi = (uintptr_t)w->p->guard + 4096;

	if (b->memory != V4L2_MEMORY_USERPTR || start < lo || start >= hi)
		return;
	if (b->length > hi - start)
		b->length = (uint32_t)(hi - start);
}

/* A v4l2_buffer for QBUF/PREPARE_BUF/QUERYBUF/DQBUF, valid unless mutated. */
static void fill_buffer(struct fz_worker *w, const struct fz_node *n,
			struct v4l2_buffer *b, bool mutate)
{
	uint32_t size = n->have_pix ? n->pix.sizeimage : 320 * 240 * 2;

	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = n->memory ? n->memory : V4L2_MEMORY_MMAP;
	b->index = n->nbufs ? fz_below(w, n->nbufs) : 0;
	b->field = V4L2_FIELD_NONE;
	if (b->memory == V4L2_MEMORY_USERPTR) {
		b->m.userptr = (unsigned long)fz_good_ptr(w, size);
		b->length = size;
	} else if (b->memory == V4L2_MEMORY_DMABUF) {
		b->m.fd = pick_dmabuf(w);
		b->length = size;
	}
	if (!mutate)
		return;
	switch (fz_below(w, 12)) {
	case 0: b->index = fz_chance(w, 50) ? n->nbufs : fz_u32(w); break;
	case 1: b->type = buf_type(w); break;
	case 2: b->memory = memory_type(w); break;
	case 3: b->m.userptr = (unsigned long)fz_bad_ptr(w, size); b->length = size; break;
	case 4: b->length = fz_chance(w, 50) ? size - 1 : fz_u32(w); break;
	case 5: b->flags = fz_u32(w); break;
	case 6: b->bytesused = fz_chance(w, 50) ? 0 : 0xffffffff; break;
	case 7: b->m.fd = fz_chance(w, 50) ? -1 : (int)fz_u32(w); break;
	case 8: b->reserved2 = fz_u32(w); b->request_fd = (int32_t)fz_u32(w); break;
	case 9: b->field = fz_u32(w); break;
	case 10:	/* a userptr buffer straddling the guard page */
		b->memory = V4L2_MEMORY_USERPTR;
		b->length = size;
		b->m.userptr = (unsigned long)(w->p->guard - size + 1 +
					       fz_below(w, size < 4095 ? (size ? size : 1) : 4095));
		break;
	default: b->m.userptr = (unsigned long)fz_u32(w) << 12; b->length = size; break;
	}
	clamp_userptr(w, b);
}

static void op_buffer(struct fz_worker *w, const struct fz_node *n, enum fz_op op)
{
	struct v4l2_buffer *b = (void *)w->scratch;
	unsigned long cmd = op == FZ_OP_QBUF ? VIDIOC_QBUF :
			    op == FZ_OP_DQBUF ? VIDIOC_DQBUF :
			    op == FZ_OP_QUERYBUF ? VIDIOC_QUERYBUF : VIDIOC_PREPARE_BUF;
	void *arg = b;

	fill_buffer(w, n, b, fz_chance(w, 30));
	if (fz_chance(w, 3))
		arg = fz_bad_ptr(w, sizeof(*b));
	fz_begin(w, op, "%s fd %d index %u mem %u", fz_op_name(op), n->fd, b->index, b->memory);
	fz_end(w, op, ioctl(n->fd, cmd, arg));
}

static void op_expbuf(struct fz_worker *w, const struct fz_node *n)
{
	struct v4l2_exportbuffer *e = (void *)w->scratch;
	struct fz_proc *p = w->p;
	long rc;
	int i, old = -1;

	memset(e, 0, sizeof(*e));
	e->type = buf_type(w);
	e->index = n->nbufs ? fz_below(w, n->nbufs + 1) : small_index(w);
	e->plane = fz_chance(w, 90) ? 0 : fz_u32(w);
	e->flags = fz_chance(w, 90) ? O_CLOEXEC | (fz_chance(w, 50) ? O_RDWR : O_RDONLY) : fz_u32(w);
	if (fz_chance(w, 5))
		e->reserved[fz_below(w, 11)] = fz_u32(w);
	fz_begin(w, FZ_OP_EXPBUF, "EXPBUF fd %d index %u", n->fd, e->index);
	rc = fz_end(w, FZ_OP_EXPBUF, ioctl(n->fd, VIDIOC_EXPBUF, e));
	if (rc != 0)
		return;
	pthread_mutex_lock(&p->lock);
	i = (int)fz_below(w, FZ_MAX_DMABUF);
	old = p->dmabuf[i];
	p->dmabuf[i] = e->fd;
	pthread_mutex_unlock(&p->lock);
	if (old >= 0) {
		fz_begin(w, FZ_OP_DMABUF_CLOSE, "close dmabuf %d", old);
		fz_end(w, FZ_OP_DMABUF_CLOSE, close(old));
	}
}

static void map_add(struct fz_worker *w, void *addr, size_t len)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_MAPS);
	struct fz_map old;

	pthread_mutex_lock(&p->lock);
	old = p->map[i];
	p->map[i].addr = addr;
	p->map[i].len = len;
	/* touch it while no other thread can unmap it */
	((volatile unsigned char *)addr)[0];
	pthread_mutex_unlock(&p->lock);
	if (old.addr) {
		fz_begin(w, FZ_OP_MUNMAP, "munmap %p", old.addr);
		fz_end(w, FZ_OP_MUNMAP, munmap(old.addr, old.len));
	}
}

static void op_mmap(struct fz_worker *w, const struct fz_node *n)
{
	struct v4l2_buffer *b = (void *)w->scratch;
	size_t len = n->have_pix ? n->pix.sizeimage : 4096;
	off_t off = 0;
	int prot = PROT_READ | (fz_chance(w, 50) ? PROT_WRITE : 0);
	int flags = fz_chance(w, 95) ? MAP_SHARED : MAP_PRIVATE;
	void *m;

	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = V4L2_MEMORY_MMAP;
	b->index = n->nbufs ? fz_below(w, n->nbufs) : 0;
	fz_begin(w, FZ_OP_QUERYBUF, "QUERYBUF fd %d index %u", n->fd, b->index);
	if (fz_end(w, FZ_OP_QUERYBUF, ioctl(n->fd, VIDIOC_QUERYBUF, b)) == 0) {
		off = b->m.offset;
		len = b->length;
	}
	switch (fz_below(w, 8)) {
	case 0: off += 4096; break;
	case 1: len += 4096; break;
	case 2: off = (off_t)fz_u32(w) << 12; break;
	case 3: len = 1; break;
	default: break;
	}
	if (len == 0)
		len = 4096;
	fz_begin(w, FZ_OP_MMAP, "mmap fd %d off %#llx len %zu", n->fd, (unsigned long long)off, len);
	m = mmap(NULL, len, prot, flags, n->fd, off);
	fz_end(w, FZ_OP_MMAP, m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED)
		map_add(w, m, len);
}

static void op_munmap(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_MAPS);
	struct fz_map m;

	pthread_mutex_lock(&p->lock);
	m = p->map[i];
	p->map[i].addr = NULL;
	pthread_mutex_unlock(&p->lock);
	if (!m.addr)
		return;
	fz_begin(w, FZ_OP_MUNMAP, "munmap %p %zu", m.addr, m.len);
	fz_end(w, FZ_OP_MUNMAP, munmap(m.addr, m.len));
}

static void op_stream(struct fz_worker *w, const struct fz_node *n, bool on)
{
	int *type = (void *)w->scratch;
	void *arg = type;

	*type = (int)buf_type(w);
	if (fz_chance(w, 3))
		arg = fz_bad_ptr(w, sizeof(*type));
	fz_begin(w, on ? FZ_OP_STREAMON : FZ_OP_STREAMOFF, "STREAM%s fd %d type %d",
		 on ? "ON" : "OFF", n->fd, *type);
	fz_end(w, on ? FZ_OP_STREAMON : FZ_OP_STREAMOFF,
	       ioctl(n->fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, arg));
}

static void op_read(struct fz_worker *w, const struct fz_node *n)
{
	size_t size = n->have_pix ? n->pix.sizeimage : 320 * 240 * 2;
	size_t len;
	void *buf;

	switch (fz_below(w, 5)) {
	case 0: len = 0; break;
	case 1: len = 1 + fz_below(w, 64); break;
	case 2: len = size * 2; break;
	default: len = size; break;
	}
	if (len > FZ_ARENA)
		len = FZ_ARENA;
	buf = fz_ptr(w, len, 15);
	fz_begin(w, FZ_OP_NODE_READ, "read node fd %d len %zu", n->fd, len);
	fz_end(w, FZ_OP_NODE_READ, read(n->fd, buf, len));
}

static void op_poll(struct fz_worker *w, const struct fz_node *n)
{
	struct pollfd pfd = { .fd = n->fd, .events = POLLIN | POLLPRI | POLLOUT };

	if (fz_chance(w, 50))
		pfd.events = POLLIN;
	fz_begin(w, FZ_OP_NODE_POLL, "poll node fd %d", n->fd);
	fz_end(w, FZ_OP_NODE_POLL, poll(&pfd, 1, (int)fz_below(w, 50)));
}

static void op_unknown(struct fz_worker *w, const struct fz_node *n)
{
	unsigned long cmd = fz_unknown_cmd(w);
	void *arg = w->scratch;

	/* Random 'V' numbers include real V4L2 ioctls of other kinds. */
	fz_fill(w, w->scratch, 1024);
	if (fz_chance(w, 20))
		arg = fz_bad_ptr(w, 1024);
	fz_begin(w, FZ_OP_NODE_UNKNOWN, "node ioctl %#lx", cmd);
	fz_end(w, FZ_OP_NODE_UNKNOWN, ioctl(n->fd, cmd, arg));
}

/* Close an exported dma-buf, or mmap it (it stays in the table). */
static void op_dmabuf(struct fz_worker *w)
{
	struct fz_proc *p = w->p;
	int i = (int)fz_below(w, FZ_MAX_DMABUF), fd;
	bool drop = fz_chance(w, 50);
	void *m;

	pthread_mutex_lock(&p->lock);
	fd = p->dmabuf[i];
	if (drop)
		p->dmabuf[i] = -1;
	pthread_mutex_unlock(&p->lock);
	if (fd < 0)
		return;
	if (drop) {
		fz_begin(w, FZ_OP_DMABUF_CLOSE, "close dmabuf %d", fd);
		fz_end(w, FZ_OP_DMABUF_CLOSE, close(fd));
		return;
	}
	fz_begin(w, FZ_OP_DMABUF_MMAP, "mmap dmabuf %d", fd);
	m = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	fz_end(w, FZ_OP_DMABUF_MMAP, m == MAP_FAILED ? -1 : 0);
	if (m != MAP_FAILED)
		map_add(w, m, 4096);
}

void fz_node_op(struct fz_worker *w)
{
	struct fz_node n;
	unsigned int r = fz_below(w, 1000);
	int idx;

	if (r < 60) {
		op_open(w);
		return;
	}
	idx = pick_node(w, &n);
	if (idx < 0) {
		op_open(w);
		return;
	}
	if (r < 90)		op_close(w);
	else if (r < 120)	op_read(w, &n);
	else if (r < 150)	op_poll(w, &n);
	else if (r < 190)	op_mmap(w, &n);
	else if (r < 210)	op_munmap(w);
	else if (r < 230) {
		struct v4l2_capability *cap = (void *)w->scratch;
		void *arg = fz_chance(w, 5) ? fz_bad_ptr(w, sizeof(*cap)) : cap;

		fz_begin(w, FZ_OP_QUERYCAP, "QUERYCAP fd %d", n.fd);
		fz_end(w, FZ_OP_QUERYCAP, ioctl(n.fd, VIDIOC_QUERYCAP, arg));
	}
	else if (r < 260)	op_enum(w, &n, FZ_OP_ENUM_FMT);
	else if (r < 300)	op_fmt(w, idx, &n, FZ_OP_G_FMT);
	else if (r < 370)	op_fmt(w, idx, &n, FZ_OP_S_FMT);
	else if (r < 440)	op_fmt(w, idx, &n, FZ_OP_TRY_FMT);
	else if (r < 460)	op_parm(w, &n, false);
	else if (r < 500)	op_parm(w, &n, true);
	else if (r < 530)	op_enum(w, &n, FZ_OP_ENUM_FRAMESIZES);
	else if (r < 560)	op_enum(w, &n, FZ_OP_ENUM_FRAMEINTERVALS);
	else if (r < 580)	op_enum(w, &n, FZ_OP_ENUMINPUT);
	else if (r < 590)	op_input(w, &n, false);
	else if (r < 605)	op_input(w, &n, true);
	else if (r < 655)	op_reqbufs(w, idx, &n);
	else if (r < 680)	op_create_bufs(w, idx, &n);
	else if (r < 695)	op_buffer(w, &n, FZ_OP_PREPARE_BUF);
	else if (r < 715)	op_buffer(w, &n, FZ_OP_QUERYBUF);
	else if (r < 790)	op_buffer(w, &n, FZ_OP_QBUF);
	else if (r < 850)	op_buffer(w, &n, FZ_OP_DQBUF);
	else if (r < 870)	op_expbuf(w, &n);
	else if (r < 900)	op_stream(w, &n, true);
	else if (r < 930)	op_stream(w, &n, false);
	else if (r < 950)	op_dmabuf(w);
	else			op_unknown(w, &n);
}

/*
 * What a streaming application does all the time: take a filled buffer
 * and queue it again, so that frames find queued buffers (and a feeder's
 * copy is in flight when a node stops).
 */
void fz_node_pump(struct fz_worker *w)
{
	struct v4l2_buffer *b = (void *)(w->scratch + 4096);
	struct fz_node n;
	struct pollfd pfd;

	if (pick_node(w, &n) < 0 || !n.nbufs)
		return;
	pfd.fd = n.fd;
	pfd.events = POLLIN;
	fz_begin(w, FZ_OP_NODE_POLL, "poll node fd %d (pump)", n.fd);
	fz_end(w, FZ_OP_NODE_POLL, poll(&pfd, 1, 100));
	memset(b, 0, sizeof(*b));
	b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	b->memory = n.memory ? n.memory : V4L2_MEMORY_MMAP;
	fz_begin(w, FZ_OP_DQBUF, "DQBUF fd %d (pump)", n.fd);
	if (fz_end(w, FZ_OP_DQBUF, ioctl(n.fd, VIDIOC_DQBUF, b)))
		return;
	fz_begin(w, FZ_OP_QBUF, "QBUF fd %d index %u (pump)", n.fd, b->index);
	fz_end(w, FZ_OP_QBUF, ioctl(n.fd, VIDIOC_QBUF, b));
}

/*
 * A whole valid capture sequence on one node: G_FMT, REQBUFS, map and
 * queue every buffer, STREAMON, a few DQBUF/QBUF rounds, sometimes
 * STREAMOFF. It reaches the streaming states that random calls rarely
 * do, so that removal, feed close and frames race with a live stream.
 */
void fz_node_stream_cycle(struct fz_worker *w)
{
	struct fz_node n;
	struct v4l2_buffer *b = (void *)(w->scratch + 4096);
	int idx = pick_node(w, &n), i, rounds;
	uint32_t mem, count;

	if (idx < 0)
		return;
	op_fmt(w, idx, &n, FZ_OP_G_FMT);
	pick_node(w, &n);
	pthread_mutex_lock(&w->p->lock);
	n = w->p->node[idx];
	pthread_mutex_unlock(&w->p->lock);
	if (n.fd < 0)
		return;
	mem = fz_chance(w, 70) ? V4L2_MEMORY_MMAP : V4L2_MEMORY_USERPTR;
	count = 2 + fz_below(w, 3);
	if (do_reqbufs(w, idx, &n, count, mem, V4L2_BUF_TYPE_VIDEO_CAPTURE))
		return;
	pthread_mutex_lock(&w->p->lock);
	n = w->p->node[idx];
	pthread_mutex_unlock(&w->p->lock);
	if (n.fd < 0)
		return;
	if (mem == V4L2_MEMORY_MMAP && fz_chance(w, 50))
		op_mmap(w, &n);
	for (i = 0; i < (int)n.nbufs; i++) {
		fill_buffer(w, &n, b, false);
		b->index = (uint32_t)i;
		if (mem == V4L2_MEMORY_USERPTR) {	/* one region per buffer */
			b->m.userptr = (unsigned long)(w->p->arena + (size_t)i * ((b->length + 4095) & ~4095u) % (FZ_ARENA / 2));
			clamp_userptr(w, b);
		}
		fz_begin(w, FZ_OP_QBUF, "QBUF fd %d index %d (cycle)", n.fd, i);
		fz_end(w, FZ_OP_QBUF, ioctl(n.fd, VIDIOC_QBUF, b));
	}
	op_stream(w, &n, true);
	rounds = (int)fz_below(w, 6);
	for (i = 0; i < rounds; i++) {
		struct pollfd pfd = { .fd = n.fd, .events = POLLIN };

		fz_begin(w, FZ_OP_NODE_POLL, "poll node fd %d (cycle)", n.fd);
		fz_end(w, FZ_OP_NODE_POLL, poll(&pfd, 1, 200));
		memset(b, 0, sizeof(*b));
		b->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
		b->memory = mem;
		fz_begin(w, FZ_OP_DQBUF, "DQBUF fd %d (cycle)", n.fd);
		if (fz_end(w, FZ_OP_DQBUF, ioctl(n.fd, VIDIOC_DQBUF, b)) == 0) {
			fz_begin(w, FZ_OP_QBUF, "QBUF fd %d index %u (cycle)", n.fd, b->index);
			fz_end(w, FZ_OP_QBUF, ioctl(n.fd, VIDIOC_QBUF, b));
		}
	}
	if (fz_chance(w, 40))
		op_stream(w, &n, false);
}
