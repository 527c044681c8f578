// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam: the feed channel
 *
 * NETCAM_IOC_CREATE hands the helper a file descriptor for its camera.
 * Through it the helper reads events (what each node streams) and feeds
 * frames. Closing it - or the helper dying - detaches the feed; the nodes
 * stay and the filler keeps them streaming.
 */

#include <linux/anon_inodes.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/nospec.h>
#include <linux/pagemap.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/videodev2.h>

#include "netcam-core.h"

static void netcam_feed_push(struct netcam_feed *feed,
			     const struct netcam_event *ev)
{
	unsigned int tail = (feed->ev_head + feed->ev_count) %
			    NETCAM_EVENT_QUEUE_LEN;

	feed->events[tail] = *ev;
	feed->events[tail].sequence = feed->ev_sequence++;
	feed->ev_count++;
}

/* Queue one event per node with its current state. */
static void netcam_feed_push_states(struct netcam_feed *feed,
				    struct netcam_camera *cam)
{
	unsigned int i;

	for (i = 0; i < cam->num_nodes; i++) {
		struct netcam_event ev = cam->node_state[i];

		ev.type = ev.streaming ? NETCAM_EVENT_STREAM_ON :
					 NETCAM_EVENT_FORMAT;
		netcam_feed_push(feed, &ev);
	}
}

static void netcam_event_fill(struct netcam_node *node, u32 type,
			      struct netcam_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->node = node->index;
	ev->streaming = node->streaming;
	ev->pixelformat = node->pix.pixelformat;
	ev->width = node->pix.width;
	ev->height = node->pix.height;
	ev->bytesperline = node->pix.bytesperline;
	ev->sizeimage = node->pix.sizeimage;
	ev->interval_num = node->interval.numerator;
	ev->interval_den = node->interval.denominator;
}

/*
 * Record a node's new state and tell the attached helper, if any. Called
 * with the node lock held, after the state changed. A full queue is
 * folded into one current-state event per node: every event carries the
 * whole state, so nothing the helper needs is lost.
 *
 * The wake-up comes before cam->lock is dropped: the feed found through
 * cam->feed may be freed by netcam_feed_release() as soon as it is.
 */
void netcam_feed_post(struct netcam_node *node, u32 type)
{
	struct netcam_camera *cam = node->cam;
	struct netcam_feed *feed;
	struct netcam_event ev;

	lockdep_assert_held(&node->lock);
	netcam_event_fill(node, type, &ev);

	spin_lock(&cam->lock);
	cam->node_state[node->index] = ev;
	feed = cam->feed;
	if (feed) {
		if (feed->ev_count == NETCAM_EVENT_QUEUE_LEN) {
			feed->ev_count = 0;
			netcam_feed_push_states(feed, cam);
		} else {
			netcam_feed_push(feed, &ev);
		}
		wake_up_interruptible(&feed->wait);
	}
	spin_unlock(&cam->lock);
}

/*
 * The camera is being removed: detach the feed and wake its readers so
 * they see the end; as in netcam_feed_post(), before cam->lock is dropped.
 */
void netcam_feed_hangup(struct netcam_camera *cam)
{
	struct netcam_feed *feed;

	spin_lock(&cam->lock);
	feed = cam->feed;
	cam->feed = NULL;
	cam->signal = false;
	if (feed)
		wake_up_interruptible(&feed->wait);
	spin_unlock(&cam->lock);
}

/* Is @feed still the camera's feed? False once removed or detached. */
static bool netcam_feed_live(struct netcam_feed *feed)
{
	struct netcam_camera *cam = feed->cam;
	bool live;

	spin_lock(&cam->lock);
	live = cam->feed == feed;
	spin_unlock(&cam->lock);
	return live;
}

static bool netcam_reserved_zero(const __u32 *reserved, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (reserved[i])
			return false;
	return true;
}

static int netcam_frame_check(const struct netcam_frame *f)
{
	if (f->flags ||
	    !netcam_reserved_zero(f->reserved, ARRAY_SIZE(f->reserved)))
		return -EINVAL;
	if (!netcam_fmt_is_known(f->pixelformat))
		return -EINVAL;
	if (netcam_fmt_is_compressed(f->pixelformat))
		return f->bytesused && f->bytesused <= NETCAM_MAX_COMPRESSED_SIZE ?
		       0 : -EINVAL;
	if (f->width > NETCAM_MAX_WIDTH || f->height > NETCAM_MAX_HEIGHT)
		return -EINVAL;
	if (f->bytesused != netcam_fmt_raw_size(f->pixelformat, f->width,
						f->height))
		return -EINVAL;
	return 0;
}

/*
 * Copy the frame into an in-flight buffer with page faults disabled, so
 * that the copy is bounded by the frame's size: stop_streaming waits for
 * in-flight buffers, and a helper's page that never arrives (userfaultfd,
 * FUSE, NFS) must not make that wait - and with it the app's STREAMOFF or
 * close() and a REMOVE - last forever. A missing page fails at once.
 */
static bool netcam_copy_frame_nofault(void *dst, const void __user *src,
				      u32 bytes)
{
	unsigned long left;

	pagefault_disable();
	left = __copy_from_user_inatomic(dst, src, bytes);
	pagefault_enable();
	return !left;
}

/*
 * One try at a frame: check it against the node, take a buffer and fill
 * it. -EAGAIN: a page of the frame was missing; the buffer went back to
 * the head of the queue and nothing was counted.
 */
static int netcam_feed_frame_once(struct netcam_node *node,
				  const struct netcam_frame *f,
				  const void __user *src)
{
	struct netcam_buffer *buf;
	void *vaddr;
	u64 now;

	spin_lock(&node->qlock);
	/* The format cannot change while the node streams. */
	if (!node->streaming || f->pixelformat != node->pix.pixelformat ||
	    f->width != node->pix.width || f->height != node->pix.height) {
		spin_unlock(&node->qlock);
		return -ESTALE;
	}
	if (f->bytesused > node->pix.sizeimage) {
		spin_unlock(&node->qlock);
		return -EINVAL;
	}
	now = ktime_get_ns();
	/* Nothing is delivered before a read() stream's first frame is due. */
	buf = now < node->first_frame_ns ? NULL :
	      netcam_node_take_buffer(node);
	if (!buf) {
		node->count.fed++;
		node->last_real_ns = now;
		node->filling = false;
	}
	spin_unlock(&node->qlock);
	if (!buf)
		return 0;

	vaddr = vb2_plane_vaddr(&buf->vb.vb2_buf, 0);
	if (!vaddr || !access_ok(src, f->bytesused) ||
	    !netcam_copy_frame_nofault(vaddr, src, f->bytesused)) {
		/* The app's buffer goes back first in line. */
		netcam_node_finish(node, buf, 0, true);
		if (!vaddr)
			return -ENOMEM;
		return access_ok(src, f->bytesused) ? -EAGAIN : -EFAULT;
	}
	spin_lock(&node->qlock);
	node->count.fed++;
	node->last_real_ns = ktime_get_ns();
	node->filling = false;
	spin_unlock(&node->qlock);
	netcam_still_keep(node, vaddr, f->bytesused);
	netcam_node_finish(node, buf, f->bytesused, false);
	return 0;
}

/* Tries at one frame; after a miss, the helper's pages are faulted in. */
#define NETCAM_FEED_COPY_TRIES	4

/*
 * Copy one frame from the helper straight into the oldest queued buffer.
 * The copy runs with no lock held: the buffer is the feed's while in
 * flight, and the app's ioctls on the node go on meanwhile. Waiting for
 * the helper's pages happens while no buffer is held. As before pages were
 * waited for, @data_ptr is read only when a buffer is there to take it.
 */
static int netcam_feed_frame(struct netcam_feed *feed,
			     struct netcam_frame __user *uarg)
{
	struct netcam_camera *cam = feed->cam;
	const void __user *src;
	struct netcam_node *node;
	struct netcam_frame f;
	unsigned int try;
	int ret;

	if (copy_from_user(&f, uarg, sizeof(f)))
		return -EFAULT;
	ret = netcam_frame_check(&f);
	if (ret)
		return ret;
	if (f.node >= cam->num_nodes)
		return -EINVAL;
	if (!netcam_feed_live(feed))
		return -ENODEV;
	node = &cam->nodes[array_index_nospec(f.node, cam->num_nodes)];
	src = u64_to_user_ptr(f.data_ptr);

	for (try = 0; try < NETCAM_FEED_COPY_TRIES; try++) {
		ret = netcam_feed_frame_once(node, &f, src);
		if (ret != -EAGAIN)
			return ret;
		/* Sleeps for the missing pages, holding nothing. */
		if (fault_in_readable(src, f.bytesused))
			return -EFAULT;
		if (fatal_signal_pending(current))
			return -EINTR;
	}
	/* Pages that keep going away as fast as they come in. */
	return -EFAULT;
}

static int netcam_feed_set_signal(struct netcam_feed *feed,
				  struct netcam_signal __user *uarg)
{
	struct netcam_camera *cam = feed->cam;
	struct netcam_signal s;
	int ret = 0;

	if (copy_from_user(&s, uarg, sizeof(s)))
		return -EFAULT;
	if (!netcam_reserved_zero(s.reserved, ARRAY_SIZE(s.reserved)) ||
	    (s.state != NETCAM_SIGNAL_LOST && s.state != NETCAM_SIGNAL_PRESENT))
		return -EINVAL;
	spin_lock(&cam->lock);
	if (cam->feed == feed)
		cam->signal = s.state == NETCAM_SIGNAL_PRESENT;
	else
		ret = -ENODEV;
	spin_unlock(&cam->lock);
	if (!ret && s.state == NETCAM_SIGNAL_LOST)
		netcam_nodes_repeat(cam);
	return ret;
}

static long netcam_feed_ioctl(struct file *file, unsigned int cmd,
			      unsigned long arg)
{
	struct netcam_feed *feed = file->private_data;
	void __user *uarg = (void __user *)arg;

	switch (cmd) {
	case NETCAM_IOC_FEED_FRAME:
		return netcam_feed_frame(feed, uarg);
	case NETCAM_IOC_SET_SIGNAL:
		return netcam_feed_set_signal(feed, uarg);
	default:
		return -ENOTTY;
	}
}

/* Is there something for read(): an event, or the end of the feed? */
static bool netcam_feed_readable(struct netcam_feed *feed)
{
	struct netcam_camera *cam = feed->cam;
	bool ready;

	spin_lock(&cam->lock);
	ready = feed->ev_count || cam->feed != feed;
	spin_unlock(&cam->lock);
	return ready;
}

static ssize_t netcam_feed_read(struct file *file, char __user *ubuf,
				size_t count, loff_t *ppos)
{
	struct netcam_feed *feed = file->private_data;
	struct netcam_camera *cam = feed->cam;
	struct netcam_event ev;
	size_t done = 0;
	int ret;

	if (count < sizeof(ev))
		return -EINVAL;
	for (;;) {
		if (netcam_feed_readable(feed))
			break;
		if (file->f_flags & O_NONBLOCK)
			return -EAGAIN;
		ret = wait_event_interruptible(feed->wait,
					       netcam_feed_readable(feed));
		if (ret)
			return ret;
	}

	while (count - done >= sizeof(ev)) {
		spin_lock(&cam->lock);
		if (!feed->ev_count) {
			spin_unlock(&cam->lock);
			break;
		}
		ev = feed->events[feed->ev_head];
		feed->ev_head = (feed->ev_head + 1) % NETCAM_EVENT_QUEUE_LEN;
		feed->ev_count--;
		spin_unlock(&cam->lock);
		if (copy_to_user(ubuf + done, &ev, sizeof(ev)))
			return done ? done : -EFAULT;
		done += sizeof(ev);
	}
	/* 0 (end of file) once the feed is detached and drained. */
	return done;
}

static __poll_t netcam_feed_poll(struct file *file, poll_table *wait)
{
	struct netcam_feed *feed = file->private_data;
	struct netcam_camera *cam = feed->cam;
	__poll_t mask = 0;

	poll_wait(file, &feed->wait, wait);
	spin_lock(&cam->lock);
	if (feed->ev_count)
		mask |= EPOLLIN | EPOLLRDNORM;
	if (cam->feed != feed)
		mask |= EPOLLHUP;
	else
		mask |= EPOLLOUT | EPOLLWRNORM;
	spin_unlock(&cam->lock);
	return mask;
}

static int netcam_feed_release(struct inode *inode, struct file *file)
{
	struct netcam_feed *feed = file->private_data;
	struct netcam_camera *cam = feed->cam;
	bool detached;

	spin_lock(&cam->lock);
	detached = cam->feed == feed;
	if (detached) {
		cam->feed = NULL;
		cam->signal = false;
	}
	spin_unlock(&cam->lock);
	if (detached)
		netcam_nodes_repeat(cam);
	kfree(feed);
	netcam_camera_put(cam);
	return 0;
}

static const struct file_operations netcam_feed_fops = {
	.owner = THIS_MODULE,
	.read = netcam_feed_read,
	.poll = netcam_feed_poll,
	.unlocked_ioctl = netcam_feed_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.release = netcam_feed_release,
	.llseek = noop_llseek,
};

/*
 * Attach a new feed to @cam, which must have none. Takes a camera
 * reference for the feed. The feed starts with the state of every node.
 */
struct file *netcam_feed_attach(struct netcam_camera *cam)
{
	struct netcam_feed *feed;
	struct file *file;

	feed = kzalloc(sizeof(*feed), GFP_KERNEL);
	if (!feed)
		return ERR_PTR(-ENOMEM);
	init_waitqueue_head(&feed->wait);
	feed->cam = cam;

	file = anon_inode_getfile("[netcam-feed]", &netcam_feed_fops, feed,
				  O_RDWR | O_CLOEXEC);
	if (IS_ERR(file)) {
		kfree(feed);
		return file;
	}
	v4l2_device_get(&cam->v4l2_dev);

	spin_lock(&cam->lock);
	if (cam->feed || cam->removed) {
		spin_unlock(&cam->lock);
		/* release() drops the reference and frees the feed. */
		fput(file);
		return ERR_PTR(-EEXIST);
	}
	cam->feed = feed;
	cam->signal = true;
	netcam_feed_push_states(feed, cam);
	spin_unlock(&cam->lock);
	return file;
}
