// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz: frames whose pages arrive late or not at all (userfaultfd).
 *
 * A helper's frame may live in memory that faults slowly (swap, FUSE,
 * NFS, userfaultfd). The driver must let only the helper wait for such a
 * page: an application's STREAMOFF/close, a removal, other cameras must
 * not. Here each worker thread owns a 2 MiB slice of a userfaultfd
 * region; before a FEED_FRAME from it the slice is dropped (MADV_DONTNEED)
 * so every page is missing, and a handler thread serves the faults after
 * a delay chosen per frame (by the worker's RNG, so per seed): at once,
 * after 0.2-2 s, after 25 s, or only when the run stops (its first page;
 * the others follow at once). The feeding call itself is then allowed to block (the
 * watchdog skips it); every other call is still watched.
 *
 * Needs userfaultfd(2) (root, or vm.unprivileged_userfaultfd=1); without
 * it the frames simply come from ordinary memory.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/userfaultfd.h>

#define SLICE	(2u << 20)
#define MAX_PENDING 256

struct pending { uint64_t addr; int64_t due; };

#define NEVER	INT64_MAX

/* How long the first page of the next frame takes; the rest come at once. */
static int64_t delay_ns(struct fz_worker *w)
{
	unsigned int r = fz_below(w, 100);

	if (r < 45)
		return (int64_t)fz_below(w, 50) * 1000000;
	if (r < 75)
		return 200000000 + (int64_t)fz_below(w, 1800) * 1000000;
	if (r < 90)	/* longer than the watchdog waits for anyone else */
		return 25000000000;
	/*
	 * "Never": only when the run stops. Longer than the watchdog's
	 * limit, so whatever waits for this feeder (a STREAMOFF, a close,
	 * a removal) is reported as hung.
	 */
	return NEVER;
}

static void serve(int uffd, uint64_t addr)
{
	struct uffdio_zeropage zp;

	memset(&zp, 0, sizeof(zp));
	zp.range.start = addr;
	zp.range.len = 4096;
	/* EEXIST: mapped meanwhile; EAGAIN: retry later is not worth it */
	ioctl(uffd, UFFDIO_ZEROPAGE, &zp);
}

static void *uffd_thread(void *arg)
{
	struct fz_proc *p = arg;
	struct pending pend[MAX_PENDING];
	int npend = 0, i;

	while (!__atomic_load_n(&p->uffd_stop, __ATOMIC_ACQUIRE)) {
		struct pollfd pfd = { .fd = p->uffd, .events = POLLIN };
		bool stopping = __atomic_load_n(&fz_sh->stop, __ATOMIC_ACQUIRE);
		int64_t now;

		poll(&pfd, 1, 50);
		for (;;) {
			struct uffd_msg msg;
			uint64_t addr;
			int64_t d;
			size_t sl;

			if (read(p->uffd, &msg, sizeof(msg)) != sizeof(msg))
				break;
			if (msg.event != UFFD_EVENT_PAGEFAULT)
				continue;
			addr = msg.arg.pagefault.address & ~4095ull;
			sl = (size_t)(addr - (uintptr_t)p->uffd_base) / SLICE;
			if (npend == MAX_PENDING || sl >= FZ_MAX_WORKERS) {
				serve(p->uffd, addr);
				continue;
			}
			/* the frame's delay applies once, to its first fault */
			d = __atomic_exchange_n(&p->uffd_delay[sl], 0, __ATOMIC_ACQ_REL);
			if (d == NEVER)
				__atomic_store_n(&p->uffd_delay[sl], NEVER, __ATOMIC_RELEASE);
			pend[npend].addr = addr;
			pend[npend].due = d == NEVER ? NEVER : fz_now_ns() + d;
			npend++;
		}
		now = fz_now_ns();
		for (i = 0; i < npend; i++) {
			if (!stopping && pend[i].due > now)
				continue;
			serve(p->uffd, pend[i].addr);
			pend[i--] = pend[--npend];
		}
	}
	for (i = 0; i < npend; i++)
		serve(p->uffd, pend[i].addr);
	return NULL;
}

int fz_uffd_init(struct fz_proc *p, int nthreads)
{
	struct uffdio_register reg;
	struct uffdio_api api;
	size_t len = (size_t)nthreads * SLICE;
	void *m;
	int fd;

	p->uffd = -1;
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	memset(&api, 0, sizeof(api));
	api.api = UFFD_API;
	m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ioctl(fd, UFFDIO_API, &api) || m == MAP_FAILED)
		goto fail;
	memset(&reg, 0, sizeof(reg));
	reg.range.start = (uintptr_t)m;
	reg.range.len = len;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg))
		goto fail;
	p->uffd = fd;
	p->uffd_base = m;
	p->uffd_threads = nthreads;
	if (pthread_create(&p->uffd_th, NULL, uffd_thread, p)) {
		p->uffd = -1;
		goto fail;
	}
	return 0;
fail:
	close(fd);
	return -1;
}

void fz_uffd_stop(struct fz_proc *p)
{
	if (p->uffd < 0)
		return;
	__atomic_store_n(&p->uffd_stop, 1, __ATOMIC_RELEASE);
	pthread_join(p->uffd_th, NULL);
}

void *fz_uffd_frame(struct fz_worker *w, size_t len)
{
	struct fz_proc *p = w->p;
	unsigned char *s;
	int slice;

	if (p->uffd < 0 || len > SLICE || len == 0)
		return NULL;
	slice = w->id % p->uffd_threads;
	s = p->uffd_base + (size_t)slice * SLICE;
	madvise(s, SLICE, MADV_DONTNEED);	/* every page missing again */
	/* chosen by the worker: the same seed stalls the same frames */
	__atomic_store_n(&p->uffd_delay[slice], delay_ns(w), __ATOMIC_RELEASE);
	return s;
}
