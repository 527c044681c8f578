/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * netcam_fuzz: shared declarations.
 *
 * Layout of the program:
 *   netcam_fuzz.c  options, the supervising process (watchdog, waitpid,
 *                  statistics table), worker processes and threads
 *   rng.c          the seeded RNG and the "interesting" values and pointers
 *   ops_ctl.c      /dev/netcam and feed channel operations
 *   ops_node.c     V4L2 capture node operations
 *   uffd.c         frames whose pages arrive late (userfaultfd)
 *   selfcheck.c    --check: one camera, one real frame captured (is the
 *                  module still usable after fuzzing?)
 *
 * Memory shared by all processes (struct fz_shared, MAP_SHARED) holds the
 * per-op statistics and one progress slot per worker, so the supervisor can
 * tell a hung call from a busy one even when the worker is another process.
 */
#ifndef NETCAM_FUZZ_H
#define NETCAM_FUZZ_H

#define _GNU_SOURCE
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <linux/videodev2.h>
#include <linux/netcam.h>

/* Every operation the fuzzer counts; fz_op_name() gives the table name. */
#define FZ_OPS(X) \
	X(CTL_OPEN) X(CTL_CLOSE) X(VERSION) X(CREATE) X(ATTACH) X(REMOVE) X(LIST) \
	X(CTL_UNKNOWN) \
	X(FEED_FRAME) X(SET_SIGNAL) X(FEED_READ) X(FEED_POLL) X(FEED_CLOSE) \
	X(FEED_FCNTL) X(FEED_MISC) X(FEED_UNKNOWN) \
	X(NODE_OPEN) X(NODE_CLOSE) X(NODE_READ) X(NODE_POLL) X(MMAP) \
	X(MUNMAP) X(QUERYCAP) X(ENUM_FMT) X(G_FMT) X(S_FMT) X(TRY_FMT) \
	X(G_PARM) X(S_PARM) X(ENUM_FRAMESIZES) X(ENUM_FRAMEINTERVALS) \
	X(ENUMINPUT) X(G_INPUT) X(S_INPUT) X(REQBUFS) X(CREATE_BUFS) \
	X(PREPARE_BUF) X(QUERYBUF) X(QBUF) X(DQBUF) X(EXPBUF) X(STREAMON) \
	X(STREAMOFF) X(NODE_UNKNOWN) X(DMABUF_CLOSE) X(DMABUF_MMAP) \
	X(FEED_FRAME_UFFD) X(LIST_UFFD) X(CREATE_UFFD)

#define FZ_ENUM(n) FZ_OP_##n,
enum fz_op { FZ_OPS(FZ_ENUM) FZ_OP_COUNT };
#undef FZ_ENUM

#define FZ_MAX_WORKERS	16
#define FZ_ERRNO_MAX	134	/* errnos counted one by one; above: "other" */
#define FZ_DETAIL_LEN	96

/* One worker's progress, written by the worker, read by the supervisor. */
struct fz_slot {
	pid_t pid, tid;
	int op;			/* enum fz_op of the call in progress */
	int in_call;		/* 1 between fz_begin() and fz_end() */
	int done;		/* the worker returned */
	int64_t start_ns;	/* CLOCK_MONOTONIC at fz_begin() */
	uint64_t calls;
	uint64_t kicks;		/* signals the kicker sent into calls */
	int died;		/* the thread vanished inside a call */
	int may_block;		/* a call that waits for userfaultfd pages */
	char detail[FZ_DETAIL_LEN];
};

struct fz_shared {
	uint64_t seed;
	int stop;		/* set by the supervisor: finish now */
	int failures;		/* invalid input that succeeded, etc. */
	uint64_t count[FZ_OP_COUNT][FZ_ERRNO_MAX + 1];	/* [op][0] = success */
	uint64_t slow[FZ_OP_COUNT];	/* calls that took more than 1 s */
	struct fz_slot slot[FZ_MAX_WORKERS];
};

extern struct fz_shared *fz_sh;

/* Options that the operations look at. */
struct fz_opts {
	bool no_ctl;		/* never touch /dev/netcam (unprivileged run) */
	bool no_huge_bufs;	/* no CREATE_BUFS sizeimage >= 2 GiB */
	bool no_size_wrap;	/* formats' width, height < 2^31: |dw|+|dh| never wraps */
	bool verbose;
	int procs, threads;
};
extern struct fz_opts fz_opt;

/* Roles weight the choice of operation; every role may do every op. */
enum fz_role { FZ_ROLE_MIXED, FZ_ROLE_HELPER, FZ_ROLE_APP };

/* ---- per-process state shared by the threads of one worker process ---- */
#define FZ_MAX_CTL	4
#define FZ_MAX_FEEDS	8
#define FZ_MAX_NODES_OPEN 12
#define FZ_MAX_MAPS	48
#define FZ_MAX_DMABUF	16
#define FZ_MAX_KNOWN	64
#define FZ_MAX_CAM_MODES 8

struct fz_ctl { int fd; bool writable; };

struct fz_feed {
	int fd;
	char name[NETCAM_NAME_LEN];
	unsigned int num_nodes;
	/* newest event per node: what a valid frame must look like */
	struct netcam_event ev[NETCAM_MAX_NODES];
	bool have_ev[NETCAM_MAX_NODES];
};

struct fz_node {
	int fd;
	int video_nr;
	bool netcam;		/* QUERYCAP said driver "netcam" at open */
	unsigned int memory;	/* of the last successful REQBUFS/CREATE_BUFS */
	unsigned int nbufs;
	struct v4l2_pix_format pix;	/* of the last G/S_FMT */
	bool have_pix;
};

struct fz_map { void *addr; size_t len; };

struct fz_proc {
	pthread_mutex_t lock;	/* the tables below; never held in a call */
	int index;		/* process number */
	struct fz_ctl ctl[FZ_MAX_CTL];
	struct fz_feed feed[FZ_MAX_FEEDS];
	struct fz_node node[FZ_MAX_NODES_OPEN];
	struct fz_map map[FZ_MAX_MAPS];
	int dmabuf[FZ_MAX_DMABUF];
	int known[FZ_MAX_KNOWN];	/* video_nr of netcam nodes seen */
	int nknown;
	int64_t last_scan_ns;
	/* memory for arguments: valid, straddling a PROT_NONE page, none */
	unsigned char *arena;		/* FZ_ARENA bytes, then a guard page */
	unsigned char *guard;		/* PROT_NONE page after the arena */
	unsigned char *unmapped;	/* a page that was unmapped again */
	/* uffd.c: frames whose pages arrive late */
	int uffd;
	unsigned char *uffd_base;
	int uffd_threads;
	int uffd_stop;
	int64_t uffd_delay[FZ_MAX_WORKERS];	/* per slice: next frame's delay */
	pthread_t uffd_th;
};
#define FZ_ARENA	(8u << 20)

struct fz_worker {
	int id;			/* global worker index (slot) */
	enum fz_role role;
	uint64_t rng;
	struct fz_proc *p;
	struct fz_slot *slot;
	uint64_t max_calls;
	unsigned char scratch[8192] __attribute__((aligned(64)));
};

/* rng.c */
uint64_t fz_rand(struct fz_worker *w);
uint32_t fz_below(struct fz_worker *w, uint32_t n);
bool fz_chance(struct fz_worker *w, unsigned int percent);
uint32_t fz_u32(struct fz_worker *w);		/* interesting 32-bit value */
uint32_t fz_dim(struct fz_worker *w);		/* width/height candidate */
uint32_t fz_fourcc(struct fz_worker *w);	/* valid or not */
void fz_fill(struct fz_worker *w, void *buf, size_t len);
/* A pointer for @len bytes: mostly valid memory in the arena. */
void *fz_good_ptr(struct fz_worker *w, size_t len);
/* A pointer that faults (fully or partly) for an access of @len bytes. */
void *fz_bad_ptr(struct fz_worker *w, size_t len);
/* fz_bad_ptr() with @percent probability, else fz_good_ptr(). */
void *fz_ptr(struct fz_worker *w, size_t len, unsigned int percent);
uint64_t fz_seed_for(uint64_t seed, int id);
int fz_proc_init_memory(struct fz_proc *p);
int64_t fz_now_ns(void);

/* netcam_fuzz.c: call bracketing and failures */
void fz_begin(struct fz_worker *w, enum fz_op op, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Records rc < 0 as errno, else success. Returns rc, errno preserved. */
long fz_end(struct fz_worker *w, enum fz_op op, long rc);
void fz_failure(struct fz_worker *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *fz_op_name(int op);
/* A call that must not succeed (the uAPI doc says EINVAL). */
void fz_must_fail(struct fz_worker *w, enum fz_op op, long rc, const char *what);

/* ops_ctl.c */
void fz_ctl_op(struct fz_worker *w);
void fz_feed_op(struct fz_worker *w);
void fz_feed_serve(struct fz_worker *w);	/* valid frames for every streaming node */
int fz_ctl_get(struct fz_worker *w, bool writable);	/* an open /dev/netcam fd or -1 */
void fz_refresh_nodes(struct fz_worker *w);

/* ops_node.c */
void fz_node_op(struct fz_worker *w);
void fz_node_stream_cycle(struct fz_worker *w);
void fz_node_pump(struct fz_worker *w);		/* DQBUF + QBUF again */

/* uffd.c */
int fz_uffd_init(struct fz_proc *p, int nthreads);
void fz_uffd_stop(struct fz_proc *p);
/* A frame buffer of @len bytes whose pages are all missing, or NULL. */
void *fz_uffd_frame(struct fz_worker *w, size_t len);

/* selfcheck.c */
int fz_selfcheck(void);

#define FZ_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
