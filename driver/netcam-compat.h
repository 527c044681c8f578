/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam: the kernel API differences between the supported kernels, each
 * behind one small helper so that the driver's logic has no version tests.
 *
 * The NETCAM_HAVE_* flags come from Kbuild, which looks for each feature
 * in the headers being built against (so distribution backports count).
 */
#ifndef _NETCAM_COMPAT_H_
#define _NETCAM_COMPAT_H_

#include <linux/compiler.h>
#include <media/videobuf2-v4l2.h>

/* __counted_by() arrived in 6.5; older kernels simply lack the hint. */
#ifndef __counted_by
#define __counted_by(member)
#endif

/* vb2_queue.min_buffers_needed was renamed min_queued_buffers in 6.8. */
static inline void netcam_vb2_set_min_queued(struct vb2_queue *q,
					     unsigned int n)
{
#ifdef NETCAM_HAVE_MIN_QUEUED_BUFFERS
	q->min_queued_buffers = n;
#else
	q->min_buffers_needed = n;
#endif
}

/* Buffers a vb2 queue has; the field became an accessor in 6.8. */
static inline unsigned int netcam_vb2_num_buffers(struct vb2_queue *q)
{
#ifdef NETCAM_HAVE_VB2_GET_NUM_BUFFERS
	return vb2_get_num_buffers(q);
#else
	return q->num_buffers;
#endif
}

/*
 * Kernels that have vb2_ops_wait_prepare/finish (6.1, 6.12) need them to
 * drop vb2_queue.lock while a blocking DQBUF waits; later kernels drop the
 * lock themselves and no longer have the ops.
 */
#ifdef NETCAM_HAVE_VB2_WAIT_PREPARE
#define NETCAM_VB2_WAIT_OPS				\
	.wait_prepare = vb2_ops_wait_prepare,		\
	.wait_finish = vb2_ops_wait_finish,
#else
#define NETCAM_VB2_WAIT_OPS
#endif

/* A device_type's uevent callback takes a const device since 6.3. */
#ifdef NETCAM_HAVE_CONST_UEVENT
#define NETCAM_UEVENT_DEVICE const struct device
#else
#define NETCAM_UEVENT_DEVICE struct device
#endif

#endif /* _NETCAM_COMPAT_H_ */
