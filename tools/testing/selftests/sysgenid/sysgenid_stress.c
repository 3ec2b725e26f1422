// SPDX-License-Identifier: GPL-2.0
/*
 * Stress /dev/sysgenid: processes and threads open, close, track, read,
 * poll, acknowledge, map and wait while others trigger updates as fast as
 * they can, for a bounded time. Checks from userspace that:
 *
 *  - every watcher sees non-decreasing generations (no wrap in a run);
 *  - SYSGENID_WAIT_WATCHERS never returns 0 while a tracked watcher that
 *    never acknowledges is outdated;
 *  - no call fails with an errno outside the documented set.
 *
 * Run it on a debug kernel (lockdep, KASAN, ...): the kernel log is the
 * other half of the verdict. Needs root for SYSGENID_TRIGGER_GEN_UPDATE.
 *
 * usage: sysgenid_stress [--seconds N] [--procs N] [--threads N]
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/sysgenid.h>

#include "../kselftest.h"

#define DEV "/dev/sysgenid"

enum role { TRIGGER, READER, POLLER, MAPPER, WAITER, CHURN, ROLES };

static const char * const role_name[ROLES] = {
	"trigger", "read+ack", "epoll+ack", "mmap", "wait", "open/track churn",
};

/* Shared by every process of the run. */
struct shared {
	atomic_int start, stop, stuck_phase;
	atomic_ulong ops[ROLES];
	atomic_ulong bumps, acks, stale_acks, wait_ok, wait_estale, wait_etime;
	atomic_ulong violations, bad_errno;
	char first_problem[256];
	atomic_int problem_taken;
};

static struct shared *sh;
static const uint32_t *page;

static void problem(const char *fmt, ...)
{
	va_list ap;

	if (atomic_exchange(&sh->problem_taken, 1))
		return;
	va_start(ap, fmt);
	vsnprintf(sh->first_problem, sizeof(sh->first_problem), fmt, ap);
	va_end(ap);
}

static void violation(const char *what, unsigned long a, unsigned long b)
{
	atomic_fetch_add(&sh->violations, 1);
	problem("%s (%lu, %lu)", what, a, b);
}

static void bad_errno(const char *call, int err)
{
	atomic_fetch_add(&sh->bad_errno, 1);
	problem("%s: unexpected errno %d (%s)", call, err, strerror(err));
}

static int running(void)
{
	return !atomic_load(&sh->stop);
}

static int open_dev(int flags)
{
	int fd;

	while ((fd = open(DEV, flags | O_CLOEXEC)) < 0) {
		if (errno != EMFILE && errno != ENFILE && errno != ENOMEM) {
			bad_errno("open", errno);
			return -1;
		}
		usleep(1000);
	}
	return fd;
}

/* Read and acknowledge if outdated; check the order of what we see. */
static void consume(int fd, uint32_t *last)
{
	uint32_t gen;
	ssize_t n = read(fd, &gen, sizeof(gen));

	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			bad_errno("read", errno);
		return;
	}
	if (n != sizeof(gen)) {
		violation("short read", n, 0);
		return;
	}
	if (gen < *last)
		violation("generation went backwards", *last, gen);
	*last = gen;
	if (write(fd, &gen, sizeof(gen)) == sizeof(gen))
		atomic_fetch_add(&sh->acks, 1);
	else if (errno == EINVAL)
		atomic_fetch_add(&sh->stale_acks, 1);	/* changed again */
	else
		bad_errno("write", errno);
}

/* Tracking a file that cannot acknowledge (not open for writing) is refused. */
static void set_tracking(int fd, unsigned long on, int writable)
{
	if (!ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, on)) {
		if (on && !writable)
			violation("tracking allowed on a read-only file", 0, 0);
	} else if (!(errno == EBADF && on && !writable)) {
		bad_errno("SET_WATCHER_TRACKING", errno);
	}
}

static void run_trigger(void)
{
	int fd = open_dev(O_RDONLY);

	while (fd >= 0 && running()) {
		if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0UL)) {
			bad_errno("TRIGGER_GEN_UPDATE", errno);
			break;
		}
		atomic_fetch_add(&sh->bumps, 1);
		atomic_fetch_add(&sh->ops[TRIGGER], 1);
		if ((atomic_load(&sh->ops[TRIGGER]) & 63) == 0)
			usleep(100);	/* let the watchers keep up now and then */
	}
	if (fd >= 0)
		close(fd);
}

static void run_reader(unsigned int seed)
{
	int fd = open_dev(O_RDWR | O_NONBLOCK);
	uint32_t last = 0;
	struct pollfd p;

	if (fd < 0)
		return;
	set_tracking(fd, 1, 1);
	while (running()) {
		p = (struct pollfd){ .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 10) < 0 && errno != EINTR)
			bad_errno("poll", errno);
		consume(fd, &last);
		if (rand_r(&seed) % 64 == 0)
			set_tracking(fd, rand_r(&seed) & 1, 1);
		atomic_fetch_add(&sh->ops[READER], 1);
	}
	close(fd);
}

static void run_poller(void)
{
	struct epoll_event ev, evs[4];
	int ep = epoll_create1(EPOLL_CLOEXEC), fds[4], i, n;
	uint32_t last[4] = { 0 };

	if (ep < 0) {
		bad_errno("epoll_create1", errno);
		return;
	}
	for (i = 0; i < 4; i++) {
		fds[i] = open_dev(O_RDWR | O_NONBLOCK);
		if (fds[i] < 0)
			return;
		set_tracking(fds[i], i & 1, 1);
		ev = (struct epoll_event){ .events = EPOLLIN, .data.u32 = i };
		if (epoll_ctl(ep, EPOLL_CTL_ADD, fds[i], &ev))
			bad_errno("epoll_ctl", errno);
	}
	while (running()) {
		n = epoll_wait(ep, evs, 4, 10);
		if (n < 0 && errno != EINTR)
			bad_errno("epoll_wait", errno);
		for (i = 0; i < n; i++)
			consume(fds[evs[i].data.u32], &last[evs[i].data.u32]);
		atomic_fetch_add(&sh->ops[POLLER], 1);
	}
	for (i = 0; i < 4; i++)
		close(fds[i]);
	close(ep);
}

static void run_mapper(void)
{
	uint32_t last = 0, v;
	const uint32_t *p;
	int fd, i;

	while (running()) {
		fd = open_dev(O_RDONLY);
		if (fd < 0)
			return;
		p = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
		close(fd);
		if (p == MAP_FAILED) {
			bad_errno("mmap", errno);
			return;
		}
		for (i = 0; i < 100; i++) {
			v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
			if (v < last)
				violation("mapped generation went backwards", last, v);
			last = v;
		}
		munmap((void *)p, 4);
		atomic_fetch_add(&sh->ops[MAPPER], 1);
	}
}

static void run_waiter(void)
{
	int fd = open_dev(O_RDWR | O_NONBLOCK);
	uint32_t last = 0;

	if (fd < 0)
		return;
	while (running()) {
		consume(fd, &last);	/* never wait on ourselves */
		if (!ioctl(fd, SYSGENID_WAIT_WATCHERS, 20UL)) {
			atomic_fetch_add(&sh->wait_ok, 1);
			/*
			 * The stuck watcher is closed only after stuck_phase
			 * drops: seeing it still set means it was tracked and
			 * outdated for the whole wait.
			 */
			if (atomic_load(&sh->stuck_phase))
				violation("WAIT_WATCHERS returned 0 with a stuck watcher", 0, 0);
		} else if (errno == ESTALE) {
			atomic_fetch_add(&sh->wait_estale, 1);
		} else if (errno == ETIME) {
			atomic_fetch_add(&sh->wait_etime, 1);
		} else {
			bad_errno("WAIT_WATCHERS", errno);
		}
		atomic_fetch_add(&sh->ops[WAITER], 1);
	}
	close(fd);
}

static void run_churn(unsigned int seed)
{
	uint32_t last;
	int fd, rdwr;

	while (running()) {
		rdwr = rand_r(&seed) & 1;
		fd = open_dev((rdwr ? O_RDWR : O_RDONLY) | O_NONBLOCK);
		if (fd < 0)
			return;
		last = 0;
		set_tracking(fd, 1, rdwr);
		if (rand_r(&seed) & 1)
			set_tracking(fd, 0, rdwr);
		if (rdwr && rand_r(&seed) % 4 == 0)
			consume(fd, &last);
		close(fd);	/* often while tracked and outdated */
		atomic_fetch_add(&sh->ops[CHURN], 1);
	}
}

struct worker {
	enum role role;
	unsigned int seed;
};

static void *worker(void *arg)
{
	struct worker *w = arg;

	while (!atomic_load(&sh->start))
		usleep(1000);
	switch (w->role) {
	case TRIGGER:
		run_trigger();
		break;
	case READER:
		run_reader(w->seed);
		break;
	case POLLER:
		run_poller();
		break;
	case MAPPER:
		run_mapper();
		break;
	case WAITER:
		run_waiter();
		break;
	default:
		run_churn(w->seed);
		break;
	}
	return NULL;
}

static void process(int id, int threads)
{
	struct worker w[64];
	pthread_t t[64];
	int i;

	for (i = 0; i < threads; i++) {
		w[i] = (struct worker){ (id * threads + i) % ROLES, id * 1000 + i };
		if (pthread_create(&t[i], NULL, worker, &w[i]))
			bad_errno("pthread_create", errno);
	}
	for (i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seconds", required_argument, NULL, 's' },
		{ "procs", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },
		{}
	};
	int seconds = 10, procs = 3, threads = 6, i, c, fd, stuck, status;
	unsigned long total = 0;
	uint32_t g0, g1;
	pid_t pids[64];

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			seconds = atoi(optarg);
			break;
		case 'p':
			procs = atoi(optarg);
			break;
		case 't':
			threads = atoi(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [--seconds N] [--procs N] [--threads N]\n",
				argv[0]);
			return KSFT_FAIL;
		}
	}
	if (seconds < 1 || procs < 1 || procs > 64 || threads < ROLES || threads > 64) {
		fprintf(stderr, "bad arguments\n");
		return KSFT_FAIL;
	}
	fd = open(DEV, O_RDONLY);
	if (fd < 0)
		ksft_exit_skip(DEV ": %s\n", strerror(errno));
	if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0UL))
		ksft_exit_skip("TRIGGER_GEN_UPDATE: %s (needs root)\n", strerror(errno));
	page = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (page == MAP_FAILED || sh == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));

	for (i = 0; i < procs; i++) {
		pids[i] = fork();
		if (!pids[i]) {
			process(i, threads);
			_exit(0);
		}
	}
	/* A tracked watcher that never acknowledges, for the first half. */
	stuck = open(DEV, O_RDWR | O_CLOEXEC);
	if (stuck < 0 || ioctl(stuck, SYSGENID_SET_WATCHER_TRACKING, 1UL) ||
	    ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, 0UL))
		ksft_exit_fail_msg("stuck watcher: %s\n", strerror(errno));
	atomic_store(&sh->stuck_phase, 1);
	g0 = *page;
	atomic_store(&sh->start, 1);
	sleep((seconds + 1) / 2);
	atomic_store(&sh->stuck_phase, 0);
	close(stuck);
	sleep(seconds / 2);
	atomic_store(&sh->stop, 1);
	for (i = 0; i < procs; i++)
		if (waitpid(pids[i], &status, 0) != pids[i] || !WIFEXITED(status) ||
		    WEXITSTATUS(status))
			violation("worker process failed", i, status);
	g1 = *page;

	for (i = 0; i < ROLES; i++) {
		total += atomic_load(&sh->ops[i]);
		printf("# %-18s %10lu ops %10.0f ops/s\n", role_name[i],
		       atomic_load(&sh->ops[i]), (double)atomic_load(&sh->ops[i]) / seconds);
	}
	printf("# total %lu ops in %d s: %.0f ops/s; %d processes x %d threads\n",
	       total, seconds, (double)total / seconds, procs, threads);
	printf("# generation %u -> %u; %lu triggers, %lu acks (%lu stale)\n", g0, g1,
	       atomic_load(&sh->bumps), atomic_load(&sh->acks), atomic_load(&sh->stale_acks));
	printf("# WAIT_WATCHERS: %lu returned 0, %lu ESTALE, %lu ETIME\n",
	       atomic_load(&sh->wait_ok), atomic_load(&sh->wait_estale),
	       atomic_load(&sh->wait_etime));
	printf("# violations %lu, unexpected errnos %lu%s%s\n",
	       atomic_load(&sh->violations), atomic_load(&sh->bad_errno),
	       sh->first_problem[0] ? "; first: " : "", sh->first_problem);
	if (g1 < g0)
		violation("generation wrapped during the run", g0, g1);
	if (atomic_load(&sh->violations) || atomic_load(&sh->bad_errno)) {
		printf("not ok 1 sysgenid_stress\n");
		return KSFT_FAIL;
	}
	printf("ok 1 sysgenid_stress\n");
	return KSFT_PASS;
}
