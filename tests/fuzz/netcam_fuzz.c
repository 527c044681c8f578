// SPDX-License-Identifier: GPL-2.0-only
/*
 * netcam_fuzz: structure-aware, multi-process, multi-threaded fuzzer of the
 * netcam uAPI (/dev/netcam, feed channels, V4L2 capture nodes).
 *
 *   netcam_fuzz [--seed N] [--seconds S] [--calls C] [--procs P]
 *               [--threads T] [--role mixed|helper|app] [--hang S]
 *               [--no-ctl] [--no-huge-bufs] [--no-size-wrap] [--stats FILE]
 *               [--verbose]
 *   netcam_fuzz --check         is the module usable? (one real frame)
 *
 * P worker processes with T threads each (default 2 x 2). Without --role,
 * process 0 is a "helper" (creates/removes cameras, feeds frames, reads
 * events) and the others are "apps" (open /dev/videoN, negotiate, stream);
 * with one process every thread mixes both. The supervising process runs no
 * calls of its own: it stops the run after S seconds or C calls per worker,
 * and it is the watchdog.
 *
 * Every worker's RNG derives from the seed and its index: the same seed
 * makes each worker take the same decisions (the interleaving differs).
 *
 * Exit: 0 nothing found; 1 a failure (invalid input accepted, a worker
 * killed by a signal, an inconsistent answer); 2 usage; 3 a call hung for
 * --hang seconds (default 20) although it was interrupted by signals
 * every second after 2 s, i.e. an uninterruptible or lost wait; 4 a worker
 * thread vanished inside a call (the kernel killed it: an oops).
 * The kernel log is not read here: tests/vm/run.sh checks it.
 */
#include "fuzz.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fz_shared *fz_sh;
struct fz_opts fz_opt = { .procs = 2, .threads = 2 };

static const char *const op_names[] = {
#define FZ_NAME(n) #n,
	FZ_OPS(FZ_NAME)
#undef FZ_NAME
};

const char *fz_op_name(int op)
{
	return op >= 0 && op < FZ_OP_COUNT ? op_names[op] : "?";
}

void fz_begin(struct fz_worker *w, enum fz_op op, const char *fmt, ...)
{
	struct fz_slot *s = w->slot;
	va_list ap;

	s->op = op;
	va_start(ap, fmt);
	vsnprintf(s->detail, sizeof(s->detail), fmt, ap);
	va_end(ap);
	s->start_ns = fz_now_ns();
	__atomic_store_n(&s->in_call, 1, __ATOMIC_RELEASE);
	if (fz_opt.verbose)
		fprintf(stderr, "[w%d] %s\n", w->id, s->detail);
}

long fz_end(struct fz_worker *w, enum fz_op op, long rc)
{
	int e = errno;
	int k = rc < 0 ? (e > 0 && e < FZ_ERRNO_MAX ? e : FZ_ERRNO_MAX) : 0;

	__atomic_store_n(&w->slot->in_call, 0, __ATOMIC_RELEASE);
	__atomic_fetch_add(&fz_sh->count[op][k], 1, __ATOMIC_RELAXED);
	if (fz_now_ns() - w->slot->start_ns > 1000000000)
		__atomic_fetch_add(&fz_sh->slow[op], 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&w->slot->calls, 1, __ATOMIC_RELAXED);
	errno = e;
	return rc;
}

void fz_failure(struct fz_worker *w, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	__atomic_fetch_add(&fz_sh->failures, 1, __ATOMIC_RELAXED);
	fprintf(stderr, "netcam_fuzz: FAILURE (seed %" PRIu64 ", worker %d): %s\n",
		fz_sh->seed, w->id, msg);
}

void fz_must_fail(struct fz_worker *w, enum fz_op op, long rc, const char *what)
{
	if (rc >= 0)
		fz_failure(w, "%s succeeded on invalid input (%s; the uAPI says EINVAL): %s",
			   fz_op_name(op), what, w->slot->detail);
}

/* ---- worker processes ------------------------------------------------- */

static void on_kick(int sig)
{
	(void)sig;	/* only there to make blocking calls return EINTR */
}

struct proc_ctx {
	struct fz_proc *p;
	int first, n;
	int stop_kicker;
};

/*
 * Interrupt calls that block for more than 2 s, then once a second: any
 * interruptible wait returns EINTR, so a call the supervisor still sees
 * after --hang seconds waits uninterruptibly (or loops in the kernel).
 */
static void *kicker(void *arg)
{
	struct proc_ctx *c = arg;
	int64_t last[FZ_MAX_WORKERS] = { 0 };

	while (!__atomic_load_n(&c->stop_kicker, __ATOMIC_ACQUIRE)) {
		int64_t now = fz_now_ns();
		int i;

		for (i = c->first; i < c->first + c->n; i++) {
			struct fz_slot *s = &fz_sh->slot[i];

			if (!__atomic_load_n(&s->in_call, __ATOMIC_ACQUIRE) ||
			    now - s->start_ns < 2000000000 || now - last[i] < 1000000000)
				continue;
			last[i] = now;
			if (syscall(SYS_tgkill, s->pid, s->tid, SIGUSR1) == 0)
				__atomic_fetch_add(&s->kicks, 1, __ATOMIC_RELAXED);
		}
		usleep(250000);
	}
	return NULL;
}

static void one_op(struct fz_worker *w)
{
	unsigned int r = fz_below(w, 100);
	int64_t now;

	/* apps without nodes, and now and then everyone, look for nodes */
	now = fz_now_ns();
	if ((w->p->nknown == 0 && now - w->p->last_scan_ns > 300000000) ||
	    now - w->p->last_scan_ns > 3000000000) {
		w->p->last_scan_ns = now;
		fz_refresh_nodes(w);
	}
	switch (w->role) {
	case FZ_ROLE_HELPER:
		if (r < 35) fz_ctl_op(w);
		else if (r < 65) fz_feed_op(w);
		else if (r < 90) fz_feed_serve(w);
		else fz_node_op(w);
		break;
	case FZ_ROLE_APP:
		if (r < 75) fz_node_op(w);
		else if (r < 85) fz_node_pump(w);
		else if (r < 93) fz_node_stream_cycle(w);
		else if (r < 97) fz_feed_op(w);
		else fz_ctl_op(w);
		break;
	default:
		if (r < 20) fz_ctl_op(w);
		else if (r < 38) fz_feed_op(w);
		else if (r < 48) fz_feed_serve(w);
		else if (r < 88) fz_node_op(w);
		else if (r < 94) fz_node_pump(w);
		else fz_node_stream_cycle(w);
		break;
	}
}

static void *worker_main(void *arg)
{
	struct fz_worker *w = arg;

	w->slot->pid = getpid();
	w->slot->tid = (pid_t)syscall(SYS_gettid);
	while (!__atomic_load_n(&fz_sh->stop, __ATOMIC_ACQUIRE) &&
	       (!w->max_calls || w->slot->calls < w->max_calls))
		one_op(w);
	__atomic_store_n(&w->slot->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static int run_process(int index, enum fz_role role, uint64_t max_calls)
{
	struct fz_worker *ws;
	struct proc_ctx ctx;
	struct sigaction sa;
	sigset_t set;
	pthread_t th[FZ_MAX_WORKERS], kth;
	struct fz_proc *p;
	int i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_kick;	/* no SA_RESTART: calls return EINTR */
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* a mask inherited through exec (timeout, setpriv) must not block kicks */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);

	p = calloc(1, sizeof(*p));
	ws = calloc((size_t)fz_opt.threads, sizeof(*ws));
	if (!p || !ws || fz_proc_init_memory(p)) {
		perror("netcam_fuzz: worker memory");
		return 1;
	}
	pthread_mutex_init(&p->lock, NULL);
	p->index = index;
	for (i = 0; i < FZ_MAX_CTL; i++) p->ctl[i].fd = -1;
	for (i = 0; i < FZ_MAX_FEEDS; i++) p->feed[i].fd = -1;
	for (i = 0; i < FZ_MAX_NODES_OPEN; i++) p->node[i].fd = -1;
	for (i = 0; i < FZ_MAX_DMABUF; i++) p->dmabuf[i] = -1;

	p->uffd = -1;
	if (role != FZ_ROLE_APP && fz_uffd_init(p, fz_opt.threads) && fz_opt.verbose)
		perror("netcam_fuzz: userfaultfd (frames from slow pages disabled)");

	ctx.p = p;
	ctx.first = index * fz_opt.threads;
	ctx.n = fz_opt.threads;
	ctx.stop_kicker = 0;
	for (i = 0; i < fz_opt.threads; i++) {
		struct fz_worker *w = &ws[i];

		w->id = ctx.first + i;
		w->role = role;
		w->rng = fz_seed_for(fz_sh->seed, w->id);
		w->p = p;
		w->slot = &fz_sh->slot[w->id];
		w->max_calls = max_calls;
		if (pthread_create(&th[i], NULL, worker_main, w)) {
			perror("netcam_fuzz: pthread_create");
			return 1;
		}
	}
	pthread_create(&kth, NULL, kicker, &ctx);
	for (i = 0; i < fz_opt.threads; i++)
		pthread_join(th[i], NULL);
	fz_uffd_stop(p);
	__atomic_store_n(&ctx.stop_kicker, 1, __ATOMIC_RELEASE);
	pthread_join(kth, NULL);
	/* exit closes every fd and unmaps every buffer: part of the test */
	return 0;
}

/* ---- supervisor --------------------------------------------------------- */

/* Print @path's lines (only those starting with one of @only, if set). */
static void print_file(const char *path, const char *prefix, const char *const *only)
{
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "%s(%s: %s)\n", prefix, path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		const char *const *o;
		bool want = !only;

		for (o = only; o && *o; o++)
			if (!strncmp(line, *o, strlen(*o)))
				want = true;
		if (want)
			fprintf(stderr, "%s%s%s", prefix, line,
				line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
	}
	fclose(f);
}

static void dump_worker(int i, int64_t now)
{
	struct fz_slot *s = &fz_sh->slot[i];
	char path[96];

	static const char *const status[] = { "State", "SigPnd", "ShdPnd", "SigBlk", NULL };

	fprintf(stderr, "  worker %d (pid %d tid %d) %s %s for %.1f s (%" PRIu64
		" signals sent into it): %s\n", i, s->pid, s->tid,
		s->in_call ? "in" : "last", fz_op_name(s->op),
		(double)(now - s->start_ns) / 1e9, s->kicks, s->detail);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/status", s->pid, s->tid);
	print_file(path, "    ", status);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/wchan", s->pid, s->tid);
	print_file(path, "    wchan: ", NULL);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/stack", s->pid, s->tid);
	print_file(path, "    stack: ", NULL);
}

/*
 * Is process @pid running (not a zombie)? A whole worker process that died
 * (a signal) is reported by waitpid(); a thread that vanished from a live
 * process is what the kernel does to a task that oopsed.
 */
static bool proc_alive(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;
	bool alive = false;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	if (fgets(buf, sizeof(buf), f)) {
		p = strrchr(buf, ')');
		alive = p && p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	}
	fclose(f);
	return alive;
}

static int cmp_desc(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b;

	return x[0] < y[0] ? 1 : x[0] > y[0] ? -1 : 0;
}

static void print_stats(FILE *out)
{
	uint64_t total = 0;
	int op, e;

	fprintf(out, "%-20s %9s %9s %5s  errnos (count)\n", "op", "calls", "ok", ">1s");
	for (op = 0; op < FZ_OP_COUNT; op++) {
		uint64_t calls = 0, pairs[FZ_ERRNO_MAX + 1][2];
		int np = 0, i;

		for (e = 0; e <= FZ_ERRNO_MAX; e++)
			calls += fz_sh->count[op][e];
		total += calls;
		if (!calls) {
			fprintf(out, "%-20s %9d\n", op_names[op], 0);
			continue;
		}
		for (e = 1; e <= FZ_ERRNO_MAX; e++)
			if (fz_sh->count[op][e]) {
				pairs[np][0] = fz_sh->count[op][e];
				pairs[np][1] = (uint64_t)e;
				np++;
			}
		qsort(pairs, (size_t)np, sizeof(pairs[0]), cmp_desc);
		fprintf(out, "%-20s %9" PRIu64 " %9" PRIu64 " %5" PRIu64 " ", op_names[op], calls,
			fz_sh->count[op][0], fz_sh->slow[op]);
		for (i = 0; i < np; i++) {
			const char *name = pairs[i][1] == FZ_ERRNO_MAX ? "other" :
					   strerrorname_np((int)pairs[i][1]);

			fprintf(out, " %s:%" PRIu64, name ? name : "?", pairs[i][0]);
		}
		fprintf(out, "\n");
	}
	fprintf(out, "total calls %" PRIu64 "\n", total);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: netcam_fuzz [--seed N] [--seconds S] [--calls C] [--procs P] [--threads T]\n"
		"                   [--role mixed|helper|app] [--hang S] [--no-ctl] [--no-huge-bufs]\n"
		"                   [--no-size-wrap] [--stats FILE] [--verbose]\n"
		"       netcam_fuzz --check\n");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "calls", required_argument, NULL, 'c' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{ "role", required_argument, NULL, 'r' },
		{ "hang", required_argument, NULL, 'H' },
		{ "no-ctl", no_argument, NULL, 'n' },
		{ "no-huge-bufs", no_argument, NULL, 'B' },
		{ "no-size-wrap", no_argument, NULL, 'W' },
		{ "stats", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'C' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t seed = 0, max_calls = 0;
	bool have_seed = false, hung = false;
	double seconds = 60, hang = 20;
	const char *stats = NULL;
	int role = -1, opt, i, nprocs, alive, rc = 0, died = 0;
	int gone[FZ_MAX_WORKERS] = { 0 };
	pid_t pids[FZ_MAX_WORKERS];
	int64_t start, stop_at = 0;

	while ((opt = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (opt) {
		case 's': seed = strtoull(optarg, NULL, 0); have_seed = true; break;
		case 'S': seconds = atof(optarg); break;
		case 'c': max_calls = strtoull(optarg, NULL, 0); break;
		case 'p': fz_opt.procs = atoi(optarg); break;
		case 't': fz_opt.threads = atoi(optarg); break;
		case 'H': hang = atof(optarg); break;
		case 'n': fz_opt.no_ctl = true; break;
		case 'B': fz_opt.no_huge_bufs = true; break;
		case 'W': fz_opt.no_size_wrap = true; break;
		case 'o': stats = optarg; break;
		case 'v': fz_opt.verbose = true; break;
		case 'C': return fz_selfcheck();
		case 'r':
			if (!strcmp(optarg, "mixed")) role = FZ_ROLE_MIXED;
			else if (!strcmp(optarg, "helper")) role = FZ_ROLE_HELPER;
			else if (!strcmp(optarg, "app")) role = FZ_ROLE_APP;
			else { usage(); return 2; }
			break;
		default: usage(); return opt == 'h' ? 0 : 2;
		}
	}
	if (optind != argc || fz_opt.procs < 1 || fz_opt.threads < 1 ||
	    fz_opt.procs * fz_opt.threads > FZ_MAX_WORKERS || seconds <= 0 || hang < 3) {
		usage();
		return 2;
	}
	if (!have_seed)
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);

	fz_sh = mmap(NULL, sizeof(*fz_sh), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (fz_sh == MAP_FAILED) {
		perror("netcam_fuzz: mmap");
		return 1;
	}
	fz_sh->seed = seed;
	nprocs = fz_opt.procs;
	printf("netcam_fuzz: seed %" PRIu64 " seconds %g calls %" PRIu64 " procs %d threads %d%s%s%s\n",
	       seed, seconds, max_calls, nprocs, fz_opt.threads,
	       fz_opt.no_ctl ? " no-ctl" : "", fz_opt.no_huge_bufs ? " no-huge-bufs" : "",
	       fz_opt.no_size_wrap ? " no-size-wrap" : "");
	fflush(stdout);

	for (i = 0; i < nprocs; i++) {
		enum fz_role r = role >= 0 ? (enum fz_role)role :
				 nprocs == 1 ? FZ_ROLE_MIXED :
				 i == 0 ? FZ_ROLE_HELPER : FZ_ROLE_APP;

		pids[i] = fork();
		if (pids[i] < 0) {
			perror("netcam_fuzz: fork");
			return 1;
		}
		if (pids[i] == 0)
			_exit(run_process(i, r, max_calls));
	}

	start = fz_now_ns();
	alive = nprocs;
	while (alive > 0) {
		int64_t now = fz_now_ns();
		int status;
		pid_t pid;

		if (!fz_sh->stop && now - start >= (int64_t)(seconds * 1e9)) {
			__atomic_store_n(&fz_sh->stop, 1, __ATOMIC_RELEASE);
			stop_at = now;
		}
		for (i = 0; i < nprocs * fz_opt.threads; i++) {
			struct fz_slot *s = &fz_sh->slot[i];

			if (!__atomic_load_n(&s->in_call, __ATOMIC_ACQUIRE))
				continue;
			/*
			 * A thread that is gone while its call is in progress
			 * was killed by the kernel: an oops in that call.
			 */
			/* twice in a row, 200 ms apart: not a process still exiting */
			if (s->tid && proc_alive(s->pid) &&
			    syscall(SYS_tgkill, s->pid, s->tid, 0) && errno == ESRCH &&
			    ++gone[i] >= 2) {
				fprintf(stderr, "netcam_fuzz: FAILURE (seed %" PRIu64 "): worker %d "
					"(pid %d tid %d) died inside %s: %s -- killed by the kernel "
					"(oops? see the kernel log)\n", seed, i, s->pid, s->tid,
					fz_op_name(s->op), s->detail);
				s->died = 1;
				s->done = 1;
				__atomic_store_n(&s->in_call, 0, __ATOMIC_RELEASE);
				died++;
				/* the kernel is in a bad state: stop the run */
				if (!fz_sh->stop) {
					__atomic_store_n(&fz_sh->stop, 1, __ATOMIC_RELEASE);
					stop_at = now;
				}
				continue;
			}
			/* a frame from late userfaultfd pages may wait: by design */
			if (now - s->start_ns > (int64_t)(hang * 1e9) && !s->may_block)
				hung = true;
		}
		if (hung || (stop_at && now - stop_at > (int64_t)(hang * 1e9) + 5000000000)) {
			fprintf(stderr, "netcam_fuzz: HANG (seed %" PRIu64 "): %s\n", seed,
				hung ? "a call made no progress" :
				"workers did not exit after the stop");
			for (i = 0; i < nprocs * fz_opt.threads; i++)
				if (__atomic_load_n(&fz_sh->slot[i].in_call, __ATOMIC_ACQUIRE) ||
				    !fz_sh->slot[i].done)
					dump_worker(i, now);
			hung = true;
			break;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			alive--;
			if (WIFSIGNALED(status)) {
				fprintf(stderr, "netcam_fuzz: FAILURE (seed %" PRIu64
					"): worker process %d killed by signal %d (%s)\n",
					seed, pid, WTERMSIG(status), strsignal(WTERMSIG(status)));
				fz_sh->failures++;
			} else if (WEXITSTATUS(status)) {
				fprintf(stderr, "netcam_fuzz: worker process %d exited with %d\n",
					pid, WEXITSTATUS(status));
				fz_sh->failures++;
			}
		}
		if (alive > 0)
			usleep(200000);
	}
	if (hung)
		for (i = 0; i < nprocs; i++)
			kill(pids[i], SIGKILL);
	if (died) {
		rc = 4;
	} else if (hung) {
		rc = 3;
	} else if (fz_sh->failures) {
		rc = 1;
	}
	print_stats(stdout);
	if (stats) {
		FILE *f = fopen(stats, "w");

		if (f) {
			fprintf(f, "seed %" PRIu64 "\n", seed);
			print_stats(f);
			fclose(f);
		}
	}
	printf("netcam_fuzz: seed %" PRIu64 " %.1f s failures %d%s%s exit %d\n", seed,
	       (double)(fz_now_ns() - start) / 1e9, fz_sh->failures + died,
	       died ? " WORKER-DIED-IN-CALL" : "", hung ? " HANG" : "", rc);
	return rc;
}
