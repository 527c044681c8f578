// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz: the seeded RNG, interesting values and pointers.
 *
 * Each worker has its own xorshift-style state derived from the run's seed
 * and the worker's index (splitmix64), so a worker's sequence of choices is
 * the same for the same --seed; only the interleaving of workers varies.
 */
#include "fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t fz_seed_for(uint64_t seed, int id)
{
	uint64_t x = seed ^ ((uint64_t)(id + 1) * 0xd1b54a32d192ed03ull);

	return splitmix64(&x) | 1;	/* xorshift state must not be 0 */
}

uint64_t fz_rand(struct fz_worker *w)
{
	/* xorshift64* */
	uint64_t x = w->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	w->rng = x;
	return x * 0x2545f4914f6cdd1dull;
}

uint32_t fz_below(struct fz_worker *w, uint32_t n)
{
	return n ? (uint32_t)((fz_rand(w) >> 32) % n) : 0;
}

bool fz_chance(struct fz_worker *w, unsigned int percent)
{
	return fz_below(w, 100) < percent;
}

int64_t fz_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Boundaries of u32 arithmetic, of our limits (16, 8192, 256, 32 MiB). */
static const uint32_t interesting[] = {
	0, 1, 2, 3, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 255,
	256, 257, 1000, 1023, 1024, 4095, 4096, 8191, 8192, 8193, 0x7fff,
	0x8000, 0xffff, 0x10000, 0x1ffffff, 0x2000000, 0x2000001, 0x7fffffff,
	0x80000000, 0x80000001, 0xfffffffe, 0xffffffff, 0xffff0000,
	0x55555555, 0xaaaaaaaa,
};

uint32_t fz_u32(struct fz_worker *w)
{
	switch (fz_below(w, 4)) {
	case 0:
		return (uint32_t)fz_rand(w);
	case 1:
		return interesting[fz_below(w, FZ_ARRAY_SIZE(interesting))] +
		       (uint32_t)fz_below(w, 3) - 1;
	default:
		return interesting[fz_below(w, FZ_ARRAY_SIZE(interesting))];
	}
}

static const uint32_t dims[] = {
	0, 1, 2, 15, 16, 17, 31, 32, 120, 144, 160, 175, 176, 240, 288, 320,
	352, 480, 481, 640, 720, 1280, 8190, 8192, 8193, 0x7fffffff,
	0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff,
};

uint32_t fz_dim(struct fz_worker *w)
{
	if (fz_chance(w, 10))
		return fz_u32(w);
	return dims[fz_below(w, FZ_ARRAY_SIZE(dims))];
}

uint32_t fz_fourcc(struct fz_worker *w)
{
	static const uint32_t f[] = {
		V4L2_PIX_FMT_YUYV, V4L2_PIX_FMT_NV12, V4L2_PIX_FMT_YUV420,
		V4L2_PIX_FMT_GREY, V4L2_PIX_FMT_MJPEG,
		V4L2_PIX_FMT_RGB24, V4L2_PIX_FMT_H264, 0, 0xffffffff,
	};

	if (fz_chance(w, 5))
		return (uint32_t)fz_rand(w);
	return f[fz_below(w, FZ_ARRAY_SIZE(f))];
}

void fz_fill(struct fz_worker *w, void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t i;

	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t r = fz_rand(w);

		memcpy(b + i, &r, 8);
	}
	for (; i < len; i++)
		b[i] = (unsigned char)fz_rand(w);
}

int fz_proc_init_memory(struct fz_proc *p)
{
	long pg = sysconf(_SC_PAGESIZE);
	unsigned char *m;

	m = mmap(NULL, FZ_ARENA + (size_t)pg, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	memset(m, 0x80, FZ_ARENA);	/* mid grey: a valid raw frame */
	p->arena = m;
	p->guard = m + FZ_ARENA;
	if (mprotect(p->guard, (size_t)pg, PROT_NONE))
		return -1;
	/*
	 * A hole of one page between two PROT_NONE pages: really unmapped,
	 * and too small for a thread stack or a malloc arena to move in
	 * (the kernel writes through this pointer; at worst it lands in one
	 * of our own one-page buffer mappings).
	 */
	m = mmap(NULL, 3 * (size_t)pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return -1;
	munmap(m + pg, (size_t)pg);
	p->unmapped = m + pg;
	return 0;
}

void *fz_good_ptr(struct fz_worker *w, size_t len)
{
	size_t room;

	if (len >= FZ_ARENA)
		return w->p->arena;
	room = FZ_ARENA - len;
	/* Often at the arena start (cache-friendly), sometimes anywhere. */
	if (fz_chance(w, 70))
		return w->p->arena;
	return w->p->arena + (fz_rand(w) % (room + 1));
}

void *fz_bad_ptr(struct fz_worker *w, size_t len)
{
	size_t tail;

	switch (fz_below(w, 8)) {
	case 0:
		return NULL;
	case 1:
		return (void *)(uintptr_t)(1 + fz_below(w, 4095));
	case 2:
		return w->p->unmapped;
	case 3:	/* kernel direct map / text */
		return (void *)(uintptr_t)(fz_chance(w, 50) ?
			0xffff888000000000ull : 0xffffffff81000000ull);
	case 4:	/* non-canonical */
		return (void *)(uintptr_t)0x8000000000000000ull;
	case 5:
		return w->p->guard;
	default:
		/*
		 * Straddling: the first bytes are readable and writable,
		 * the last 1..4096 run into the PROT_NONE page.
		 */
		if (len < 2)
			return w->p->guard;
		tail = 1 + fz_below(w, (uint32_t)(len < 4096 ? len - 1 : 4096));
		if (len - tail > FZ_ARENA)
			return w->p->arena;
		return w->p->guard - (len - tail);
	}
}

void *fz_ptr(struct fz_worker *w, size_t len, unsigned int percent)
{
	return fz_chance(w, percent) ? fz_bad_ptr(w, len) : fz_good_ptr(w, len);
}
