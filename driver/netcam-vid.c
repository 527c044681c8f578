// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: the capture nodes apps open
 *
 * Each node is a plain V4L2 capture device built on videobuf2: its
 * capabilities never change, it enumerates what the helper said it can
 * produce, and it tells the helper (through the feed channel) when its
 * format changes and when it starts or stops streaming.
 */

#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/videodev2.h>
#include <media/v4l2-ioctl.h>
#include <media/videobuf2-vmalloc.h>

#include "netcam-core.h"

static struct netcam_node *netcam_node_of(struct file *file)
{
	return video_drvdata(file);
}

/* videobuf2 queue operations */

/*
 * Buffer memory of one node, at most: an app cannot make the kernel try
 * vmalloc()s that cannot succeed (each failure is a warning with a stack
 * dump) or take all memory. Room for three buffers of any size is always
 * given, which streaming needs (two queued and one in the app's hands).
 */
#define NETCAM_QUEUE_BYTES	(512U << 20)
#define NETCAM_QUEUE_MIN_BUFS	3

static int netcam_queue_setup(struct vb2_queue *vq, unsigned int *nbuffers,
			      unsigned int *nplanes, unsigned int sizes[],
			      struct device *alloc_devs[])
{
	struct netcam_node *node = vb2_get_drv_priv(vq);
	unsigned int size = node->pix.sizeimage;
	unsigned int have = netcam_vb2_num_buffers(vq), room;

	/*
	 * CREATE_BUFS: at least the image, and no larger than a third of
	 * the budget (v4l2-compliance asks for the image plus 1 MiB).
	 */
	if (*nplanes) {
		if (*nplanes != 1 || sizes[0] < size ||
		    sizes[0] > NETCAM_QUEUE_BYTES / NETCAM_QUEUE_MIN_BUFS)
			return -EINVAL;
		size = sizes[0];
	}
	room = max(NETCAM_QUEUE_BYTES / size, NETCAM_QUEUE_MIN_BUFS);
	if (have >= room)
		return -ENOMEM;
	*nbuffers = min(*nbuffers, room - have);
	*nplanes = 1;
	sizes[0] = size;
	return 0;
}

static int netcam_buf_prepare(struct vb2_buffer *vb)
{
	struct netcam_node *node = vb2_get_drv_priv(vb->vb2_queue);

	if (vb2_plane_size(vb, 0) < node->pix.sizeimage)
		return -EINVAL;
	return 0;
}

static void netcam_buf_queue(struct vb2_buffer *vb)
{
	struct netcam_node *node = vb2_get_drv_priv(vb->vb2_queue);
	struct vb2_v4l2_buffer *vbuf = to_vb2_v4l2_buffer(vb);
	struct netcam_buffer *buf = container_of(vbuf, struct netcam_buffer, vb);

	spin_lock(&node->qlock);
	list_add_tail(&buf->list, &node->buf_list);
	spin_unlock(&node->qlock);
}

static bool netcam_node_idle(struct netcam_node *node)
{
	bool idle;

	spin_lock(&node->qlock);
	idle = !node->inflight;
	spin_unlock(&node->qlock);
	return idle;
}

/*
 * Stop taking buffers, wait until none is being filled, and give every
 * buffer back to vb2 in @state.
 */
static void netcam_node_quiesce(struct netcam_node *node,
				enum vb2_buffer_state state)
{
	struct netcam_buffer *buf, *tmp;

	spin_lock(&node->qlock);
	node->streaming = false;
	node->return_state = state;
	spin_unlock(&node->qlock);

	wait_event(node->idle_wait, netcam_node_idle(node));

	spin_lock(&node->qlock);
	list_for_each_entry_safe(buf, tmp, &node->buf_list, list) {
		list_del(&buf->list);
		vb2_buffer_done(&buf->vb.vb2_buf, state);
	}
	spin_unlock(&node->qlock);
}

static int netcam_start_streaming(struct vb2_queue *vq, unsigned int count)
{
	struct netcam_node *node = vb2_get_drv_priv(vq);
	int ret;

	ret = netcam_still_alloc(node);
	if (!ret) {
		u64 now = ktime_get_ns();

		spin_lock(&node->qlock);
		node->sequence = 0;
		node->last_real_ns = now;
		/*
		 * read() starts streaming and dequeues in one call: a frame
		 * the helper feeds in between would make that call's result
		 * depend on timing. Like a sensor, such a stream has its first
		 * frame one interval after the start; earlier ones are not
		 * delivered.
		 */
		node->first_frame_ns = vb2_fileio_is_active(vq) ?
				       now + netcam_interval_ns(&node->interval) : 0;
		node->filler_reset = true;
		node->filling = false;
		node->streaming = true;
		spin_unlock(&node->qlock);
		ret = netcam_filler_start(node);
	}
	if (ret) {
		netcam_node_quiesce(node, VB2_BUF_STATE_QUEUED);
		netcam_still_free(node);
		return ret;
	}
	netcam_feed_post(node, NETCAM_EVENT_STREAM_ON);
	return 0;
}

static void netcam_stop_streaming(struct vb2_queue *vq)
{
	struct netcam_node *node = vb2_get_drv_priv(vq);

	netcam_filler_stop(node);
	netcam_node_quiesce(node, VB2_BUF_STATE_ERROR);
	netcam_still_free(node);
	netcam_feed_post(node, NETCAM_EVENT_STREAM_OFF);
}

static const struct vb2_ops netcam_vb2_ops = {
	.queue_setup = netcam_queue_setup,
	.buf_prepare = netcam_buf_prepare,
	.buf_queue = netcam_buf_queue,
	.start_streaming = netcam_start_streaming,
	.stop_streaming = netcam_stop_streaming,
	NETCAM_VB2_WAIT_OPS
};

/*
 * Take the oldest queued buffer, to be filled with no lock held and handed
 * back with netcam_node_finish(). With none queued the frame is dropped:
 * counted, and a gap in the sequence numbers. Called with @qlock held.
 */
struct netcam_buffer *netcam_node_take_buffer(struct netcam_node *node)
{
	struct netcam_buffer *buf;

	lockdep_assert_held(&node->qlock);
	buf = list_first_entry_or_null(&node->buf_list, struct netcam_buffer,
				       list);
	if (!buf) {
		node->count.dropped++;
		node->sequence++;
		return NULL;
	}
	list_del(&buf->list);
	node->inflight++;
	return buf;
}

/*
 * Hand back a buffer from netcam_node_take_buffer(): to the app with
 * @bytesused bytes, stamped now (the one place delivered frames get their
 * sequence number), or, if @requeue, unused to the head of the queue. If
 * the node stopped streaming meanwhile, it goes back to vb2 as
 * netcam_node_quiesce() asked.
 */
void netcam_node_finish(struct netcam_node *node, struct netcam_buffer *buf,
			u32 bytesused, bool requeue)
{
	struct vb2_buffer *vb = &buf->vb.vb2_buf;
	bool idle;

	spin_lock(&node->qlock);
	if (!node->streaming) {
		vb2_buffer_done(vb, node->return_state);
	} else if (requeue) {
		list_add(&buf->list, &node->buf_list);
	} else {
		vb2_set_plane_payload(vb, 0, bytesused);
		buf->vb.sequence = node->sequence++;
		buf->vb.field = V4L2_FIELD_NONE;
		vb->timestamp = ktime_get_ns();
		node->count.delivered++;
		vb2_buffer_done(vb, VB2_BUF_STATE_DONE);
	}
	idle = !--node->inflight;
	spin_unlock(&node->qlock);
	if (idle)
		wake_up(&node->idle_wait);
}

/* V4L2 ioctls */

static int netcam_querycap(struct file *file, void *priv,
			   struct v4l2_capability *cap)
{
	struct netcam_node *node = netcam_node_of(file);

	strscpy(cap->driver, NETCAM_DRIVER_NAME, sizeof(cap->driver));
	strscpy(cap->card, node->label, sizeof(cap->card));
	snprintf(cap->bus_info, sizeof(cap->bus_info), "platform:netcam-%u-%u",
		 node->cam->id, node->index);
	return 0;
}

static int netcam_enum_fmt(struct file *file, void *priv,
			   struct v4l2_fmtdesc *f)
{
	struct netcam_node *node = netcam_node_of(file);
	int ret;

	ret = netcam_fmt_enum(node->cam, f->index, &f->pixelformat);
	if (ret)
		return ret;
	if (netcam_fmt_is_compressed(f->pixelformat))
		f->flags = V4L2_FMT_FLAG_COMPRESSED;
	return 0;
}

static int netcam_g_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct netcam_node *node = netcam_node_of(file);

	f->fmt.pix = node->pix;
	return 0;
}

static int netcam_try_fmt(struct file *file, void *priv,
			  struct v4l2_format *f)
{
	struct netcam_node *node = netcam_node_of(file);

	netcam_fmt_try(node->cam, &f->fmt.pix);
	return 0;
}

static int netcam_s_fmt(struct file *file, void *priv, struct v4l2_format *f)
{
	struct netcam_node *node = netcam_node_of(file);

	if (vb2_is_busy(&node->queue))
		return -EBUSY;
	netcam_fmt_try(node->cam, &f->fmt.pix);
	node->pix = f->fmt.pix;
	netcam_fmt_pick_interval(node->cam, &node->pix, &node->interval);
	netcam_feed_post(node, NETCAM_EVENT_FORMAT);
	return 0;
}

static int netcam_g_parm(struct file *file, void *priv,
			 struct v4l2_streamparm *parm)
{
	struct netcam_node *node = netcam_node_of(file);

	if (parm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return -EINVAL;
	parm->parm.capture.capability = V4L2_CAP_TIMEPERFRAME;
	parm->parm.capture.timeperframe = node->interval;
	parm->parm.capture.readbuffers = 2;
	return 0;
}

static int netcam_s_parm(struct file *file, void *priv,
			 struct v4l2_streamparm *parm)
{
	struct netcam_node *node = netcam_node_of(file);
	struct v4l2_fract interval = parm->parm.capture.timeperframe;

	if (parm->type != V4L2_BUF_TYPE_VIDEO_CAPTURE)
		return -EINVAL;
	/* As a webcam: only the file handle that streams sets the rate. */
	if (vb2_queue_is_busy(&node->queue, file))
		return -EBUSY;
	netcam_fmt_pick_interval(node->cam, &node->pix, &interval);
	if (interval.numerator != node->interval.numerator ||
	    interval.denominator != node->interval.denominator) {
		spin_lock(&node->qlock);
		node->interval = interval;
		node->filler_reset = true;
		spin_unlock(&node->qlock);
		netcam_feed_post(node, NETCAM_EVENT_FORMAT);
	}
	return netcam_g_parm(file, priv, parm);
}

static int netcam_enum_framesizes(struct file *file, void *priv,
				  struct v4l2_frmsizeenum *fsize)
{
	struct netcam_node *node = netcam_node_of(file);
	int ret;

	ret = netcam_fmt_enum_size(node->cam, fsize->pixel_format,
				   fsize->index, &fsize->discrete.width,
				   &fsize->discrete.height);
	if (ret)
		return ret;
	fsize->type = V4L2_FRMSIZE_TYPE_DISCRETE;
	return 0;
}

static int netcam_enum_frameintervals(struct file *file, void *priv,
				      struct v4l2_frmivalenum *fival)
{
	struct netcam_node *node = netcam_node_of(file);
	int ret;

	ret = netcam_fmt_enum_interval(node->cam, fival->pixel_format,
				       fival->width, fival->height,
				       fival->index, &fival->discrete);
	if (ret)
		return ret;
	fival->type = V4L2_FRMIVAL_TYPE_DISCRETE;
	return 0;
}

static int netcam_enum_input(struct file *file, void *priv,
			     struct v4l2_input *inp)
{
	struct netcam_node *node = netcam_node_of(file);

	if (inp->index)
		return -EINVAL;
	inp->type = V4L2_INPUT_TYPE_CAMERA;
	strscpy(inp->name, "Camera", sizeof(inp->name));
	inp->status = netcam_camera_has_signal(node->cam) ?
		      0 : V4L2_IN_ST_NO_SIGNAL;
	return 0;
}

static int netcam_g_input(struct file *file, void *priv, unsigned int *i)
{
	*i = 0;
	return 0;
}

static int netcam_s_input(struct file *file, void *priv, unsigned int i)
{
	return i ? -EINVAL : 0;
}

static const struct v4l2_ioctl_ops netcam_ioctl_ops = {
	.vidioc_querycap = netcam_querycap,
	.vidioc_enum_fmt_vid_cap = netcam_enum_fmt,
	.vidioc_g_fmt_vid_cap = netcam_g_fmt,
	.vidioc_try_fmt_vid_cap = netcam_try_fmt,
	.vidioc_s_fmt_vid_cap = netcam_s_fmt,
	.vidioc_g_parm = netcam_g_parm,
	.vidioc_s_parm = netcam_s_parm,
	.vidioc_enum_framesizes = netcam_enum_framesizes,
	.vidioc_enum_frameintervals = netcam_enum_frameintervals,
	.vidioc_enum_input = netcam_enum_input,
	.vidioc_g_input = netcam_g_input,
	.vidioc_s_input = netcam_s_input,

	.vidioc_reqbufs = vb2_ioctl_reqbufs,
	.vidioc_create_bufs = vb2_ioctl_create_bufs,
	.vidioc_prepare_buf = vb2_ioctl_prepare_buf,
	.vidioc_querybuf = vb2_ioctl_querybuf,
	.vidioc_qbuf = vb2_ioctl_qbuf,
	.vidioc_dqbuf = vb2_ioctl_dqbuf,
	.vidioc_expbuf = vb2_ioctl_expbuf,
	.vidioc_streamon = vb2_ioctl_streamon,
	.vidioc_streamoff = vb2_ioctl_streamoff,
};

static const struct v4l2_file_operations netcam_fops = {
	.owner = THIS_MODULE,
	.open = v4l2_fh_open,
	.release = vb2_fop_release,
	.read = vb2_fop_read,
	.poll = vb2_fop_poll,
	.mmap = vb2_fop_mmap,
	.unlocked_ioctl = video_ioctl2,
};

static int netcam_queue_init(struct netcam_node *node)
{
	struct vb2_queue *q = &node->queue;

	q->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	q->io_modes = VB2_MMAP | VB2_USERPTR | VB2_DMABUF | VB2_READ;
	q->drv_priv = node;
	q->buf_struct_size = sizeof(struct netcam_buffer);
	q->ops = &netcam_vb2_ops;
	q->mem_ops = &vb2_vmalloc_memops;
	q->timestamp_flags = V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC |
			     V4L2_BUF_FLAG_TSTAMP_SRC_EOF;
	q->lock = &node->lock;
	/*
	 * As vivid: streaming starts with two queued buffers, so an app has
	 * at least three and can work on one while two wait for frames.
	 */
	netcam_vb2_set_min_queued(q, 2);
	return vb2_queue_init(q);
}

int netcam_node_register(struct netcam_node *node)
{
	struct netcam_camera *cam = node->cam;
	struct video_device *vdev = &node->vdev;
	int ret;

	ret = netcam_queue_init(node);
	if (ret)
		return ret;

	strscpy(vdev->name, node->label, sizeof(vdev->name));
	vdev->v4l2_dev = &cam->v4l2_dev;
	vdev->fops = &netcam_fops;
	vdev->ioctl_ops = &netcam_ioctl_ops;
	vdev->release = video_device_release_empty;
	vdev->queue = &node->queue;
	vdev->lock = &node->lock;
	vdev->vfl_dir = VFL_DIR_RX;
	vdev->device_caps = V4L2_CAP_VIDEO_CAPTURE | V4L2_CAP_STREAMING |
			    V4L2_CAP_READWRITE;
	vdev->dev.groups = netcam_node_groups;
	vdev->dev.type = &netcam_node_type;
	video_set_drvdata(vdev, node);

	ret = video_register_device(vdev, VFL_TYPE_VIDEO, -1);
	if (ret)
		return ret;
	node->registered = true;
	return 0;
}

void netcam_node_unregister(struct netcam_node *node)
{
	if (!node->registered)
		return;
	node->registered = false;
	/* Stops streaming too, so no buffer stays with the driver. */
	vb2_video_unregister_device(&node->vdev);
}
