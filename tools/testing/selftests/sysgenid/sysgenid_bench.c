// SPDX-License-Identifier: GPL-2.0
/*
 * Benchmarks for /dev/sysgenid, each against a baseline measured in the
 * same run: the cost of asking "was I restored?", of waking one watcher,
 * of waking and hearing back from many, kernel memory per file, and the
 * cost of a bump with idle files open. Prints a table and, with --json
 * FILE, the same figures as JSON. Every figure is the median of --reps
 * repetitions, with their minimum and maximum.
 *
 * usage: sysgenid_bench [--reps N] [--max-watchers N] [--json FILE]
 * Needs root (SYSGENID_TRIGGER_GEN_UPDATE, RLIMIT_NOFILE).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sysgenid.h>

#include "../vDSO/parse_vdso.h"
#include "../vDSO/vdso_config.h"

#define DEV	"/dev/sysgenid"
#define MAXREPS	64

static int reps = 7;
static FILE *json;
static int json_first = 1;

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

struct stat3 {
	double med, min, max;
};

static struct stat3 stats(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return (struct stat3){ v[n / 2], v[0], v[n - 1] };
}

/* One result row: name, unit, stats, and its ratio to a baseline row. */
static void report(const char *group, const char *name, const char *unit,
		   struct stat3 s, const struct stat3 *base)
{
	printf("  %-44s %12.1f %-6s [%9.1f .. %9.1f]", name, s.med, unit, s.min, s.max);
	if (base && base->med > 0)
		printf("  x%.2f", s.med / base->med);
	printf("\n");
	if (!json)
		return;
	fprintf(json, "%s\n  {\"group\": \"%s\", \"name\": \"%s\", \"unit\": \"%s\", ",
		json_first ? "" : ",", group, name, unit);
	fprintf(json, "\"median\": %.3f, \"min\": %.3f, \"max\": %.3f", s.med, s.min, s.max);
	if (base && base->med > 0)
		fprintf(json, ", \"ratio_to_baseline\": %.4f", s.med / base->med);
	fprintf(json, "}");
	json_first = 0;
}

static int open_dev(int flags)
{
	int fd = open(DEV, flags | O_CLOEXEC);

	if (fd < 0) {
		perror(DEV);
		exit(4);
	}
	return fd;
}

static void trigger(int fd)
{
	if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0UL)) {
		perror("SYSGENID_TRIGGER_GEN_UPDATE");
		exit(1);
	}
}

/* ---- 1. the hot-path check ---- */

typedef long (*vgetrandom_t)(void *, size_t, unsigned int, void *, size_t);

struct vgetrandom_params {
	uint32_t size_of_opaque_state, mmap_prot, mmap_flags, reserved[13];
};

static vgetrandom_t vgr;
static void *vgr_state;
static size_t vgr_size;

static void vgr_init(void)
{
	struct vgetrandom_params p;

	vdso_init_from_sysinfo_ehdr(getauxval(AT_SYSINFO_EHDR));
	vgr = (vgetrandom_t)vdso_sym(versions[VDSO_VERSION], names[VDSO_NAMES][6]);
	if (!vgr || vgr(NULL, 0, 0, &p, ~0UL)) {
		vgr = NULL;
		return;
	}
	vgr_size = p.size_of_opaque_state;
	vgr_state = mmap(NULL, 4096, p.mmap_prot, p.mmap_flags, -1, 0);
	if (vgr_state == MAP_FAILED)
		vgr = NULL;
}

enum hot { PRIVATE, MAPPED, READ_NB, GETRANDOM4, GETRANDOM32, VDSO4, VDSO32, GETPID, HOTS };

static const char * const hot_name[HOTS] = {
	"load from a private page (baseline)", "load of the mapped generation",
	"read() O_NONBLOCK, up to date (EAGAIN)", "getrandom() syscall, 4 bytes",
	"getrandom() syscall, 32 bytes", "vDSO getrandom, 4 bytes",
	"vDSO getrandom, 32 bytes", "getpid() syscall",
};

/* Relaxed atomic loads: one plain load each, never cached in a register. */
static double time_hot(enum hot h, const uint32_t *priv, const uint32_t *mapped,
		       int fd, long iters)
{
	unsigned char buf[32];
	uint32_t seen = __atomic_load_n(mapped, __ATOMIC_RELAXED), v, sink = 0;
	double t0 = now_ns();
	long i;

	for (i = 0; i < iters; i++) {
		switch (h) {
		case PRIVATE:
			v = __atomic_load_n(priv, __ATOMIC_RELAXED);
			sink += v != seen;
			break;
		case MAPPED:
			v = __atomic_load_n(mapped, __ATOMIC_RELAXED);
			sink += v != seen;
			break;
		case READ_NB:
			sink += read(fd, &v, 4) < 0;
			break;
		case GETRANDOM4:
		case GETRANDOM32:
			sink += syscall(SYS_getrandom, buf, h == GETRANDOM4 ? 4 : 32, 0);
			break;
		case VDSO4:
		case VDSO32:
			sink += vgr(buf, h == VDSO4 ? 4 : 32, 0, vgr_state, vgr_size);
			break;
		default:
			sink += syscall(SYS_getpid);
		}
	}
	__asm__ volatile("" : : "r"(sink));
	return (now_ns() - t0) / iters;
}

static void bench_hot(void)
{
	double v[HOTS][MAXREPS];
	struct stat3 s[HOTS];
	uint32_t *priv = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int fd = open_dev(O_RDONLY | O_NONBLOCK);
	const uint32_t *mapped = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
	int r, h;

	if (priv == MAP_FAILED || mapped == MAP_FAILED) {
		perror("mmap");
		exit(1);
	}
	*priv = *mapped;
	vgr_init();
	printf("1. hot-path check: ns per call\n");
	for (r = 0; r < reps; r++)
		for (h = 0; h < HOTS; h++) {
			long iters = h <= MAPPED ? 20000000 : 200000;

			if ((h == VDSO4 || h == VDSO32) && !vgr)
				continue;
			v[h][r] = time_hot(h, priv, mapped, fd, iters);
		}
	for (h = 0; h < HOTS; h++) {
		if ((h == VDSO4 || h == VDSO32) && !vgr) {
			printf("  %-44s not available (no __vdso_getrandom)\n", hot_name[h]);
			continue;
		}
		s[h] = stats(v[h], reps);
		report("hot_path", hot_name[h], "ns", s[h], h ? &s[PRIVATE] : NULL);
	}
	close(fd);
}

/* ---- 2. wake latency, one watcher ---- */

enum wake { W_EVENTFD, W_READ, W_POLL, W_EPOLL, WAKES };

static const char * const wake_name[WAKES] = {
	"eventfd write -> blocked read (baseline)", "TRIGGER -> blocked read()",
	"TRIGGER -> blocked poll()", "TRIGGER -> blocked epoll_wait()",
};

struct waker {
	enum wake kind;
	int fd, ep;
	atomic_int armed;
	atomic_int go;
	double t_woke;
	atomic_int woke;
};

static void *wake_thread(void *arg)
{
	struct waker *w = arg;
	struct epoll_event ev;
	struct pollfd p;
	uint64_t e;
	uint32_t gen;

	while (!atomic_load(&w->go)) {
		atomic_store(&w->armed, 1);
		switch (w->kind) {
		case W_EVENTFD:
			if (read(w->fd, &e, 8) != 8)
				return NULL;
			break;
		case W_READ:
			if (read(w->fd, &gen, 4) != 4)
				return NULL;
			break;
		case W_POLL:
			p = (struct pollfd){ .fd = w->fd, .events = POLLIN };
			poll(&p, 1, -1);
			break;
		default:
			epoll_wait(w->ep, &ev, 1, -1);
		}
		w->t_woke = now_ns();
		if (w->kind != W_EVENTFD && read(w->fd, &gen, 4) == 4)
			write(w->fd, &gen, 4);
		atomic_store(&w->armed, 0);
		atomic_store(&w->woke, 1);
		while (atomic_load(&w->woke) && !atomic_load(&w->go))
			;
	}
	return NULL;
}

static double wake_once(struct waker *w, int tfd)
{
	uint64_t one = 1;
	double t0;

	while (!atomic_load(&w->armed))
		;
	usleep(2000);		/* let it block */
	t0 = now_ns();
	if (w->kind == W_EVENTFD) {
		if (write(w->fd, &one, 8) != 8)
			exit(1);
	} else {
		trigger(tfd);
	}
	while (!atomic_load(&w->woke))
		;
	atomic_store(&w->woke, 0);
	return (w->t_woke - t0) / 1e3;
}

static void bench_wake(void)
{
	struct stat3 s[WAKES];
	double v[WAKES][MAXREPS], one[51];
	int tfd = open_dev(O_RDONLY), k, r, i;
	struct epoll_event ev = { .events = EPOLLIN };

	printf("2. wake latency, one watcher: us, median of 51 wake-ups per rep\n");
	for (k = 0; k < WAKES; k++) {
		struct waker w = { .kind = k };
		pthread_t t;

		w.fd = k == W_EVENTFD ? eventfd(0, EFD_CLOEXEC) : open_dev(O_RDWR);
		if (k == W_EPOLL) {
			w.ep = epoll_create1(0);
			epoll_ctl(w.ep, EPOLL_CTL_ADD, w.fd, &ev);
		}
		pthread_create(&t, NULL, wake_thread, &w);
		for (r = 0; r < reps; r++) {
			for (i = 0; i < 51; i++)
				one[i] = wake_once(&w, tfd);
			v[k][r] = stats(one, 51).med;
		}
		atomic_store(&w.go, 1);
		if (k == W_EVENTFD) {
			uint64_t x = 1;

			write(w.fd, &x, 8);
		} else {
			trigger(tfd);
		}
		pthread_join(t, NULL);
		close(w.fd);
		s[k] = stats(v[k], reps);
		report("wake", wake_name[k], "us", s[k], k ? &s[W_EVENTFD] : NULL);
	}
	close(tfd);
}

/* ---- 3. fan-out ---- */

#define FAN_PROCS	2
#define FAN_THREADS	4

struct fan_shared {
	atomic_int round, stop;
	atomic_int ready;
	atomic_long acked;
	double woke[FAN_PROCS * FAN_THREADS];
};

static struct fan_shared *fs;

struct fan_thread {
	int first, count, slot, *fds;
};

static void *fan_worker(void *arg)
{
	struct fan_thread *ft = arg;
	struct epoll_event *evs = calloc(ft->count, sizeof(*evs)), ev;
	int ep = epoll_create1(0), i, n, got, round = 0;
	uint32_t gen;

	for (i = 0; i < ft->count; i++) {
		ev = (struct epoll_event){ .events = EPOLLIN, .data.fd = ft->fds[ft->first + i] };
		epoll_ctl(ep, EPOLL_CTL_ADD, ft->fds[ft->first + i], &ev);
	}
	for (;;) {
		atomic_fetch_add(&fs->ready, 1);
		got = 0;
		while (got < ft->count) {
			n = epoll_wait(ep, evs, ft->count, 100);
			if (atomic_load(&fs->stop))
				return NULL;
			if (n > 0 && !got)
				fs->woke[ft->slot] = now_ns();
			for (i = 0; i < n; i++) {
				if (read(evs[i].data.fd, &gen, 4) == 4 &&
				    write(evs[i].data.fd, &gen, 4) == 4)
					got++;
			}
		}
		atomic_fetch_add(&fs->acked, got);
		/* The orchestrator ends the round once it has its figures. */
		round++;
		while (atomic_load(&fs->round) < round && !atomic_load(&fs->stop))
			usleep(100);
		if (atomic_load(&fs->stop))
			return NULL;
	}
}

static void fan_process(int p, int nfds)
{
	struct fan_thread ft[FAN_THREADS];
	pthread_t t[FAN_THREADS];
	int *fds = calloc(nfds, sizeof(int)), i, per = nfds / FAN_THREADS;

	for (i = 0; i < nfds; i++) {
		fds[i] = open_dev(O_RDWR | O_NONBLOCK);
		ioctl(fds[i], SYSGENID_SET_WATCHER_TRACKING, 1UL);
	}
	for (i = 0; i < FAN_THREADS; i++) {
		ft[i] = (struct fan_thread){ i * per, i == FAN_THREADS - 1 ? nfds - i * per : per,
					     p * FAN_THREADS + i, fds };
		pthread_create(&t[i], NULL, fan_worker, &ft[i]);
	}
	for (i = 0; i < FAN_THREADS; i++)
		pthread_join(t[i], NULL);
	_exit(0);
}

static void bench_fanout(int max)
{
	static const int sizes[] = { 1, 10, 100, 1000, 10000, 100000 };
	double woke[MAXREPS], acked[MAXREPS], waited[MAXREPS];
	struct stat3 per_prev = { 0 };
	int si, r, p, i, tfd = open_dev(O_RDONLY), nslots;
	pid_t pids[FAN_PROCS];
	char name[96];

	fs = mmap(NULL, sizeof(*fs), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	printf("3. fan-out: TRIGGER -> all woken, all acked, WAIT_WATCHERS returned (us)\n");
	for (si = 0; si < 6 && sizes[si] <= max; si++) {
		int n = sizes[si], procs = n >= FAN_PROCS * FAN_THREADS ? FAN_PROCS : 1;
		int per_proc = n / procs;
		struct stat3 sw, sa, sq, per;

		memset(fs, 0, sizeof(*fs));
		nslots = procs * FAN_THREADS;
		for (p = 0; p < procs; p++) {
			pids[p] = fork();
			if (!pids[p])
				fan_process(p, p == procs - 1 ? n - p * per_proc : per_proc);
		}
		for (r = 0; r < reps; r++) {
			int wfd;
			double t0, tmax = 0;

			while (atomic_load(&fs->ready) < nslots * (r + 1))
				usleep(100);
			usleep(20000);
			atomic_store(&fs->acked, 0);
			t0 = now_ns();
			trigger(tfd);
			wfd = open_dev(O_RDONLY);
			while (ioctl(wfd, SYSGENID_WAIT_WATCHERS, 60000UL) &&
			       (errno == EINTR || errno == ESTALE))
				;
			waited[r] = (now_ns() - t0) / 1e3;
			close(wfd);
			while (atomic_load(&fs->acked) < n)
				usleep(50);
			acked[r] = (now_ns() - t0) / 1e3;
			for (i = 0; i < nslots; i++)
				if (fs->woke[i] > tmax)
					tmax = fs->woke[i];
			woke[r] = (tmax - t0) / 1e3;
			atomic_store(&fs->round, r + 1);
		}
		atomic_store(&fs->stop, 1);
		for (p = 0; p < procs; p++)
			waitpid(pids[p], NULL, 0);
		sw = stats(woke, reps);
		sa = stats(acked, reps);
		sq = stats(waited, reps);
		snprintf(name, sizeof(name), "%d watchers: last one woken", n);
		report("fanout", name, "us", sw, NULL);
		snprintf(name, sizeof(name), "%d watchers: all acked", n);
		report("fanout", name, "us", sa, NULL);
		snprintf(name, sizeof(name), "%d watchers: WAIT_WATCHERS returned", n);
		report("fanout", name, "us", sq, NULL);
		per = (struct stat3){ sq.med / n, sq.min / n, sq.max / n };
		snprintf(name, sizeof(name), "%d watchers: per watcher (WAIT)", n);
		report("fanout", name, "us", per, per_prev.med ? &per_prev : NULL);
		per_prev = per;
	}
	close(tfd);
}

/* ---- 4. memory, 5. bump cost ---- */

/*
 * Kernel memory in slab caches, in bytes: the active objects of
 * /proc/slabinfo when the kernel has it (object-exact), else the Slab
 * line of /proc/meminfo (page-granular).
 */
static double slab_bytes(void)
{
	char line[512], name[64];
	unsigned long active, total, size;
	double sum = 0;
	long kb = -1;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (f) {
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "%63s %lu %lu %lu", name, &active, &total, &size) == 4)
				sum += (double)active * size;
		fclose(f);
		return sum;
	}
	f = fopen("/proc/meminfo", "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "Slab: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb * 1024.0;
}

static void bench_memory(int n)
{
	double dev[MAXREPS], null[MAXREPS], tracked[MAXREPS], s0;
	int *fds = calloc(2 * n, sizeof(int)), r, i;
	struct stat3 sd, sn, st, own;

	printf("4. kernel memory per open file: bytes (slab delta / %d, %s)\n", n,
	       access("/proc/slabinfo", R_OK) ? "/proc/meminfo Slab" : "/proc/slabinfo");
	for (r = 0; r < reps; r++) {
		/* Everything stays open until the end of the rep. */
		s0 = slab_bytes();
		for (i = 0; i < n; i++)
			fds[i] = open("/dev/null", O_RDONLY);
		null[r] = (slab_bytes() - s0) / n;
		s0 = slab_bytes();
		for (i = n; i < 2 * n; i++)
			fds[i] = open_dev(O_RDWR);
		dev[r] = (slab_bytes() - s0) / n;
		s0 = slab_bytes();
		for (i = n; i < 2 * n; i++)
			ioctl(fds[i], SYSGENID_SET_WATCHER_TRACKING, 1UL);
		tracked[r] = (slab_bytes() - s0) / n;
		for (i = 0; i < 2 * n; i++)
			close(fds[i]);
	}
	sn = stats(null, reps);
	sd = stats(dev, reps);
	st = stats(tracked, reps);
	report("memory", "open /dev/null (baseline: struct file)", "B", sn, NULL);
	report("memory", "open /dev/sysgenid", "B", sd, &sn);
	own = (struct stat3){ sd.med - sn.med, sd.min - sn.max, sd.max - sn.min };
	report("memory", "sysgenid's own per file (difference)", "B", own, NULL);
	report("memory", "extra per tracked watcher", "B", st, NULL);
	free(fds);
}

static double bump_cost(int tfd, long iters)
{
	double t0 = now_ns();
	long i;

	for (i = 0; i < iters; i++)
		trigger(tfd);
	return (now_ns() - t0) / iters;
}

static void bench_bump(int n)
{
	double v0[MAXREPS], vn[MAXREPS], vp[MAXREPS];
	int *fds = calloc(n, sizeof(int)), tfd = open_dev(O_RDONLY), r, i;
	struct stat3 s0, sn, sp;
	char name[96];

	printf("5. bump cost (TRIGGER ioctl, nobody waiting): ns per bump\n");
	for (r = 0; r < reps; r++) {
		double t0 = now_ns();
		long k;

		for (k = 0; k < 20000; k++)
			syscall(SYS_getppid);
		vp[r] = (now_ns() - t0) / 20000;
		v0[r] = bump_cost(tfd, 20000);
		for (i = 0; i < n; i++) {
			fds[i] = open_dev(O_RDWR);
			ioctl(fds[i], SYSGENID_SET_WATCHER_TRACKING, (unsigned long)(i & 1));
		}
		vn[r] = bump_cost(tfd, 20000);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	sp = stats(vp, reps);
	s0 = stats(v0, reps);
	sn = stats(vn, reps);
	report("bump", "getppid() syscall (baseline)", "ns", sp, NULL);
	report("bump", "TRIGGER, 0 other files open", "ns", s0, &sp);
	snprintf(name, sizeof(name), "TRIGGER, %d idle files open (half tracked)", n);
	report("bump", name, "ns", sn, &s0);
	close(tfd);
	free(fds);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reps", required_argument, NULL, 'r' },
		{ "max-watchers", required_argument, NULL, 'm' },
		{ "json", required_argument, NULL, 'j' },
		{}
	};
	struct rlimit rl = { 200000, 200000 };
	int c, max = 10000;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'r':
			reps = atoi(optarg);
			break;
		case 'm':
			max = atoi(optarg);
			break;
		case 'j':
			json = fopen(optarg, "w");
			break;
		default:
			fprintf(stderr, "usage: %s [--reps N] [--max-watchers N] [--json FILE]\n",
				argv[0]);
			return 2;
		}
	}
	if (reps < 3 || reps > MAXREPS || max < 1) {
		fprintf(stderr, "--reps: 3 to %d\n", MAXREPS);
		return 2;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl))
		perror("setrlimit (fan-out above ~1000 watchers needs root)");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (json)
		fprintf(json, "{\"reps\": %d, \"results\": [", reps);
	bench_hot();
	bench_wake();
	bench_fanout(max);
	bench_memory(max);
	bench_bump(max);
	if (json) {
		fprintf(json, "\n]}\n");
		fclose(json);
	}
	return 0;
}
