// SPDX-License-Identifier: GPL-2.0
/*
 * Tests for /dev/sysgenid: every call of the ABI and every bad input.
 *
 * The generation is machine-wide and other tests move it, so every test
 * works relative to the generation it finds. Tests that move the generation
 * need CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN and skip without them.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/netlink.h>
#include <linux/sysgenid.h>

#include "../kselftest_harness.h"

#define DEV		"/dev/sysgenid"
#define SYSFS_GEN	"/sys/class/misc/sysgenid/generation"
#define NOBODY		65534

/* An address with nothing mapped, made at run time. */
static void *bad_ptr(void)
{
	void *p = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	munmap(p, 4096);
	return p;
}

/* The mapped generation may change under us: load it every time. */
static uint32_t load(const uint32_t *p)
{
	return __atomic_load_n(p, __ATOMIC_RELAXED);
}

static int open_dev(int flags)
{
	return open(DEV, flags | O_CLOEXEC);
}

/* The current generation, from the shared page. */
static uint32_t cur_gen(void)
{
	int fd = open_dev(O_RDONLY);
	uint32_t *p, gen;

	if (fd < 0)
		return 0;
	p = mmap(NULL, sizeof(*p), PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	gen = *p;
	munmap(p, sizeof(*p));
	return gen;
}

static int trigger(uint32_t min_gen)
{
	int fd = open_dev(O_RDONLY);
	int ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, (unsigned long)min_gen);
	if (ret)
		ret = -errno;
	close(fd);
	return ret;
}

static int ack(int fd, uint32_t gen)
{
	return write(fd, &gen, sizeof(gen)) == sizeof(gen) ? 0 : -errno;
}

/* Whether fd has not acknowledged the current generation. */
static int outdated(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

static long wait_watchers(int fd, unsigned long timeout_ms)
{
	return ioctl(fd, SYSGENID_WAIT_WATCHERS, timeout_ms) ? -errno : 0;
}

static int can_trigger(void)
{
	return geteuid() == 0;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* SIGALRMs handled since the last arm_alarm_flags(); atomic for the handler. */
static int alarm_count;

static void count_alarm(int sig)
{
	__atomic_fetch_add(&alarm_count, 1, __ATOMIC_SEQ_CST);
}

static int alarms(void)
{
	return __atomic_load_n(&alarm_count, __ATOMIC_SEQ_CST);
}

/* A signal handler with sa_flags (0 or SA_RESTART), fired after ms milliseconds. */
static void arm_alarm_flags(int ms, int flags)
{
	struct sigaction sa = { .sa_handler = count_alarm, .sa_flags = flags };
	struct itimerval it = { .it_value.tv_usec = ms * 1000 };

	__atomic_store_n(&alarm_count, 0, __ATOMIC_SEQ_CST);
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
}

/* A signal handler without SA_RESTART, fired after ms milliseconds. */
static void arm_alarm(int ms)
{
	arm_alarm_flags(ms, 0);
}

/* Run fn in a child as user nobody; returns the child's exit status. */
static int as_nobody(int (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(fn());
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Two fixtures with the same state: "dev" for tests any user can run,
 * "priv" for tests that move the generation and skip without root.
 */
FIXTURE(dev) {
	int fd;
	uint32_t gen;
};

FIXTURE(priv) {
	int fd;
	uint32_t gen;
};

static int setup_dev(int *fd, uint32_t *gen)
{
	*fd = open_dev(O_RDWR);
	if (*fd < 0)
		return -errno;
	*gen = cur_gen();
	return 0;
}

#define NO_DEV_REASON DEV " does not exist: kernel without CONFIG_SYSGENID?"

FIXTURE_SETUP(dev)
{
	int ret = setup_dev(&self->fd, &self->gen);

	if (ret == -ENOENT)
		SKIP(return, NO_DEV_REASON);
	ASSERT_EQ(0, ret) TH_LOG("open " DEV ": %s", strerror(-ret));
}

FIXTURE_SETUP(priv)
{
	int ret;

	if (!can_trigger())
		SKIP(return, "needs root to trigger an update");
	ret = setup_dev(&self->fd, &self->gen);
	if (ret == -ENOENT)
		SKIP(return, NO_DEV_REASON);
	ASSERT_EQ(0, ret) TH_LOG("open " DEV ": %s", strerror(-ret));
	ksft_print_msg("%s moves this system's generation: other watchers become outdated\n",
		       _metadata->name);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

FIXTURE_TEARDOWN(priv)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * The tests that take the counter to 0xffffffff and through the wrap leave
 * a live system's generation far from where it was: they run only when
 * asked to, with SYSGENID_TEST_WRAP=1 in the environment.
 */
#define WRAP_SKIP_REASON \
	"takes this system's generation through 0xffffffff: set SYSGENID_TEST_WRAP=1 to run it"

static bool wrap_asked(void)
{
	const char *v = getenv("SYSGENID_TEST_WRAP");

	return v && !strcmp(v, "1");
}

/* ---- the device node ---- */

TEST_F(dev, node_is_world_accessible)
{
	struct stat st;

	ASSERT_EQ(0, stat(DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0666U, st.st_mode & 0777) TH_LOG("mode %o", st.st_mode & 0777);
}

static int open_and_map(void)
{
	int fd = open_dev(O_RDWR);
	void *p;

	if (fd < 0)
		return 1;
	p = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
	return p == MAP_FAILED ? 2 : 0;
}

TEST_F(dev, unprivileged_open_and_map)
{
	if (geteuid())
		SKIP(return, "needs root to switch to nobody");
	EXPECT_EQ(0, as_nobody(open_and_map));
}

/*
 * Everything the documentation allows any user, across a real update: a
 * child running as nobody maps the page, tracks its file, sleeps in poll(),
 * reads the new generation and acknowledges it, which releases a waiter.
 * Returns 0, or the number of the step that failed.
 */
static int nobody_watches(int ready)
{
	struct pollfd pfd = { .events = POLLIN };
	uint32_t *p, gen, g0;
	char c = 0;

	pfd.fd = open_dev(O_RDWR);
	if (pfd.fd < 0)
		return 1;
	p = mmap(NULL, sizeof(*p), PROT_READ, MAP_SHARED, pfd.fd, 0);
	if (p == MAP_FAILED)
		return 2;
	g0 = load(p);
	if (ioctl(pfd.fd, SYSGENID_SET_WATCHER_TRACKING, 1UL))
		return 3;
	if (outdated(pfd.fd))
		return 4;
	if (write(ready, &c, 1) != 1)
		return 5;
	if (poll(&pfd, 1, 5000) != 1 || !(pfd.revents & POLLIN))
		return 6;
	if (read(pfd.fd, &gen, sizeof(gen)) != sizeof(gen) || gen != g0 + 1)
		return 7;
	if (load(p) != gen)
		return 8;
	if (ack(pfd.fd, gen) || outdated(pfd.fd))
		return 9;
	return 0;
}

TEST_F(priv, unprivileged_watcher_tracks_polls_reads_acks)
{
	int ready[2], status, waiter;
	double t0;
	pid_t pid;
	char c;

	ASSERT_EQ(0, pipe(ready));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		close(ready[0]);
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(nobody_watches(ready[1]));
	}
	close(ready[1]);
	/* Nothing to read: the child failed before it tracked its file. */
	if (read(ready[0], &c, 1) == 1) {
		EXPECT_EQ(0, trigger(0));
		waiter = open_dev(O_RDONLY);
		EXPECT_LE(0, waiter);
		/* Released by the watcher's acknowledgment, not the timeout. */
		t0 = now_ms();
		EXPECT_EQ(0, wait_watchers(waiter, 5000));
		EXPECT_GT(4000, now_ms() - t0);
		close(waiter);
	}
	close(ready[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status)) TH_LOG("the watcher failed at step %d",
						 WEXITSTATUS(status));
}

TEST_F(priv, open_starts_acknowledged)
{
	uint32_t buf;
	int fd;

	ASSERT_EQ(0, trigger(0));
	fd = open_dev(O_RDWR | O_NONBLOCK);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, &buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	EXPECT_FALSE(outdated(fd));
	close(fd);
}

/* ---- read ---- */

TEST_F(dev, read_zero_bytes)
{
	uint32_t buf;

	EXPECT_EQ(0, read(self->fd, &buf, 0));
}

TEST_F(priv, read_short_buffer)
{
	char buf[4];
	int n;

	ASSERT_EQ(0, trigger(0));
	for (n = 1; n <= 3; n++) {
		EXPECT_EQ(-1, read(self->fd, buf, n));
		EXPECT_EQ(EINVAL, errno) TH_LOG("read of %d bytes", n);
	}
}

TEST_F(dev, read_nonblock_up_to_date)
{
	uint32_t buf;
	int fd = open_dev(O_RDONLY | O_NONBLOCK);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, read(fd, &buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
	close(fd);
}

TEST_F(priv, read_returns_generation_until_ack)
{
	uint32_t buf[2] = { 0, 0xdeadbeef }, gen;
	int i;

	ASSERT_EQ(0, trigger(0));
	gen = cur_gen();
	EXPECT_EQ(self->gen + 1, gen);
	for (i = 0; i < 3; i++) {
		EXPECT_EQ(4, read(self->fd, buf, sizeof(buf)));
		EXPECT_EQ(gen, buf[0]);
		EXPECT_EQ(0xdeadbeef, buf[1]) TH_LOG("read wrote past 4 bytes");
	}
	ASSERT_EQ(0, ack(self->fd, gen));
	fcntl(self->fd, F_SETFL, O_NONBLOCK);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EAGAIN, errno);
}

TEST_F(priv, read_huge_buffer)
{
	static char buf[1 << 20];

	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(4, read(self->fd, buf, sizeof(buf)));
}

TEST_F(priv, read_bad_buffer)
{
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(-1, read(self->fd, bad_ptr(), 4));
	EXPECT_EQ(EFAULT, errno);
}

struct reader {
	int fd;
	uint32_t gen;
	ssize_t ret;
	int err;
};

static void *blocking_read(void *arg)
{
	struct reader *r = arg;

	r->ret = read(r->fd, &r->gen, sizeof(r->gen));
	r->err = errno;
	return NULL;
}

TEST_F(priv, blocking_read_woken_by_update)
{
	struct reader r = { .fd = self->fd };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, blocking_read, &r));
	usleep(100000);
	EXPECT_EQ(0, r.ret) TH_LOG("read returned before any update");
	ASSERT_EQ(0, trigger(0));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(4, r.ret);
	EXPECT_EQ(self->gen + 1, r.gen);
}

TEST_F(dev, blocking_read_interrupted_by_signal)
{
	uint32_t buf;
	double t0 = now_ms();

	arm_alarm(100);
	EXPECT_EQ(-1, read(self->fd, &buf, sizeof(buf)));
	EXPECT_EQ(EINTR, errno);
	EXPECT_LE(90, now_ms() - t0);
}

/* ---- write ---- */

TEST_F(priv, write_acks_current)
{
	ASSERT_EQ(0, trigger(0));
	EXPECT_TRUE(outdated(self->fd));
	EXPECT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_FALSE(outdated(self->fd));
	/* Idempotent. */
	EXPECT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_FALSE(outdated(self->fd));
}

TEST_F(dev, write_bad_sizes)
{
	char buf[16] = { 0 };
	size_t sizes[] = { 0, 1, 3, 5, 8, 16 };
	unsigned int i;

	memcpy(buf, &self->gen, 4);
	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		EXPECT_EQ(-1, write(self->fd, buf, sizes[i]));
		EXPECT_EQ(EINVAL, errno) TH_LOG("write of %zu bytes", sizes[i]);
	}
}

TEST_F(priv, write_stale_generation)
{
	ASSERT_EQ(0, trigger(0));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(-EINVAL, ack(self->fd, self->gen + 1));
	EXPECT_TRUE(outdated(self->fd)) TH_LOG("a stale ack changed the state");
	EXPECT_EQ(-EINVAL, ack(self->fd, self->gen + 3));
	EXPECT_EQ(0, ack(self->fd, self->gen + 2));
	EXPECT_FALSE(outdated(self->fd));
}

TEST_F(dev, write_bad_buffer)
{
	EXPECT_EQ(-1, write(self->fd, bad_ptr(), 4));
	EXPECT_EQ(EFAULT, errno);
}

TEST_F(dev, write_on_rdonly_fd)
{
	int fd = open_dev(O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-EBADF, ack(fd, self->gen));
	close(fd);
}

/* ---- poll ---- */

TEST_F(priv, poll_readiness)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN | POLLRDNORM };

	EXPECT_EQ(0, poll(&p, 1, 0));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(1, poll(&p, 1, 0));
	EXPECT_EQ(POLLIN | POLLRDNORM, p.revents);
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_EQ(0, poll(&p, 1, 0));
}

TEST_F(priv, epoll_readiness)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDNORM };
	int ep = epoll_create1(0);

	ASSERT_LE(0, ep);
	ASSERT_EQ(0, epoll_ctl(ep, EPOLL_CTL_ADD, self->fd, &ev));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	EXPECT_EQ((uint32_t)(EPOLLIN | EPOLLRDNORM), ev.events & (EPOLLIN | EPOLLRDNORM));
	/* Level triggered: still ready until acknowledged. */
	EXPECT_EQ(1, epoll_wait(ep, &ev, 1, 0));
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_EQ(0, epoll_wait(ep, &ev, 1, 0));
	close(ep);
}

static void *delayed_trigger(void *arg)
{
	usleep(100000);
	trigger(0);
	return NULL;
}

TEST_F(priv, poll_woken_by_update)
{
	struct pollfd p = { .fd = self->fd, .events = POLLIN };
	pthread_t t;

	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_trigger, NULL));
	EXPECT_EQ(1, poll(&p, 1, 10000));
	EXPECT_TRUE(p.revents & POLLIN);
	pthread_join(t, NULL);
}

/* ---- mmap ---- */

TEST_F(dev, mmap_on_rdonly_and_rdwr)
{
	int flags[] = { O_RDONLY, O_RDWR };
	uint32_t *p;
	unsigned int i;
	int fd;

	for (i = 0; i < 2; i++) {
		fd = open_dev(flags[i]);
		ASSERT_LE(0, fd);
		p = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_TRUE(p != MAP_FAILED) TH_LOG("flags %d: %s", flags[i], strerror(errno));
		EXPECT_EQ(self->gen, load(p));
		if (can_trigger()) {
			ASSERT_EQ(0, trigger(0));
			EXPECT_EQ(self->gen + 1, load(p))
				TH_LOG("the page did not follow the update");
			self->gen++;
		}
		munmap(p, 4);
		close(fd);
	}
}

TEST_F(dev, mmap_page_rest_is_zero)
{
	unsigned char *p;
	long psz = sysconf(_SC_PAGESIZE);
	long i, nonzero = 0;

	p = mmap(NULL, psz, PROT_READ, MAP_SHARED, self->fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	for (i = 4; i < psz; i++)
		nonzero += p[i] != 0;
	EXPECT_EQ(0, nonzero);
	munmap(p, psz);
}

TEST_F(dev, mmap_bad_offset_and_length)
{
	long psz = sysconf(_SC_PAGESIZE);

	EXPECT_TRUE(mmap(NULL, 4, PROT_READ, MAP_SHARED, self->fd, psz) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
	EXPECT_TRUE(mmap(NULL, 2 * psz, PROT_READ, MAP_SHARED, self->fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, mmap_write_refused)
{
	void *p;

	p = mmap(NULL, 4, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);
	p = mmap(NULL, 4, PROT_WRITE, MAP_SHARED, self->fd, 0);
	EXPECT_TRUE(p == MAP_FAILED);
	EXPECT_EQ(EPERM, errno);
}

TEST_F(dev, mprotect_to_writable_refused)
{
	void *p = mmap(NULL, 4, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(-1, mprotect(p, 4, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, 4);
}

TEST_F(dev, mmap_private_refused)
{
	EXPECT_TRUE(mmap(NULL, 4, PROT_READ, MAP_PRIVATE, self->fd, 0) == MAP_FAILED);
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(priv, mmap_outlives_fd)
{
	int fd = open_dev(O_RDONLY);
	uint32_t *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_TRUE(p != MAP_FAILED);
	close(fd);
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, load(p));
	munmap(p, 4);
}

TEST_F(priv, mmap_madvise_dontneed_refused)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint32_t *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(self->gen, load(p));
	/* The page cannot be zapped: no hole, no SIGBUS on the next load. */
	EXPECT_EQ(-1, madvise(p, pg, MADV_DONTNEED));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, madvise(p, pg, MADV_FREE));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->gen, load(p));
	/* And it is still the live page, not a copy. */
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, load(p));
	munmap(p, pg);
}

TEST_F(priv, mmap_shared_with_a_forked_child)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint32_t *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);
	int status;
	pid_t pid;

	ASSERT_TRUE(p != MAP_FAILED);
	pid = fork();
	if (!pid) {
		/* The child sees the parent's trigger through the inherited mapping. */
		double t0 = now_ms();

		while (load(p) == self->gen && now_ms() - t0 < 10000)
			usleep(1000);
		_exit(load(p) == self->gen + 1 ? 0 : 1);
	}
	ASSERT_LT(0, pid);
	usleep(50000);
	ASSERT_EQ(0, trigger(0));
	/* And the parent's mapping is the same page after the fork. */
	EXPECT_EQ(self->gen + 1, load(p));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	munmap(p, pg);
}

TEST_F(priv, mmap_mremap_moves_not_grows)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint32_t *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);
	void *area, *q;

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_TRUE(mremap(p, pg, 2 * pg, MREMAP_MAYMOVE) == MAP_FAILED);
	EXPECT_EQ(EFAULT, errno);
	/* Move it to a place we reserved. */
	area = mmap(NULL, 2 * pg, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_TRUE(area != MAP_FAILED);
	q = mremap(p, pg, pg, MREMAP_MAYMOVE | MREMAP_FIXED, (char *)area + pg);
	ASSERT_TRUE(q == (char *)area + pg) TH_LOG("mremap: %s", strerror(errno));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, load(q));
	munmap(area, 2 * pg);
}

TEST_F(priv, mmap_mprotect_none_and_back)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint32_t *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	ASSERT_EQ(0, mprotect(p, pg, PROT_NONE));
	ASSERT_EQ(0, trigger(0));
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	EXPECT_EQ(self->gen + 1, load(p));
	munmap(p, pg);
}

TEST_F(priv, mmap_mlock)
{
	long pg = sysconf(_SC_PAGESIZE);
	uint32_t *p = mmap(NULL, pg, PROT_READ, MAP_SHARED, self->fd, 0);

	ASSERT_TRUE(p != MAP_FAILED);
	EXPECT_EQ(0, mlock(p, pg)) TH_LOG("mlock: %s", strerror(errno));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, load(p));
	EXPECT_EQ(0, munlock(p, pg));
	munmap(p, pg);
}

/* ---- tracking and WAIT_WATCHERS ---- */

TEST_F(priv, tracking_is_off_by_default)
{
	int waiter;

	ASSERT_EQ(0, trigger(0));
	waiter = open_dev(O_RDONLY);
	ASSERT_LE(0, waiter);
	/* self->fd is outdated but not tracked: nothing to wait for. */
	EXPECT_EQ(0, wait_watchers(waiter, 100));
	close(waiter);
}

TEST_F(dev, tracking_bad_argument)
{
	EXPECT_EQ(-1, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 2UL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, -1UL));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, tracking_needs_a_writable_file)
{
	int fd = open_dev(O_RDONLY);

	ASSERT_LE(0, fd);
	/* It could never acknowledge: refused. */
	EXPECT_EQ(-1, ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	EXPECT_EQ(EBADF, errno);
	EXPECT_EQ(0, ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 0UL));
	close(fd);
	fd = open_dev(O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	close(fd);
}

TEST_F(priv, tracking_on_off_idempotent)
{
	int waiter;

	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, trigger(0));
	waiter = open_dev(O_RDONLY);
	ASSERT_LE(0, waiter);
	EXPECT_EQ(-ETIME, wait_watchers(waiter, 50));
	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 0UL));
	EXPECT_EQ(0, wait_watchers(waiter, 50)) TH_LOG("untrack did not release");
	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 0UL));
	EXPECT_EQ(0, wait_watchers(waiter, 50)) TH_LOG("double untrack miscounted");
	/* Tracking an outdated watcher counts it at once. */
	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	EXPECT_EQ(-ETIME, wait_watchers(waiter, 50));
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_EQ(0, wait_watchers(waiter, 50));
	close(waiter);
}

TEST_F(dev, wait_without_tracked_watchers)
{
	EXPECT_EQ(0, wait_watchers(self->fd, 0));
	EXPECT_EQ(0, wait_watchers(self->fd, 10));
}

TEST_F(priv, wait_times_out)
{
	double t0;
	int waiter;

	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, trigger(0));
	waiter = open_dev(O_RDONLY);
	ASSERT_LE(0, waiter);
	t0 = now_ms();
	EXPECT_EQ(-ETIME, wait_watchers(waiter, 200));
	/*
	 * The timeout is counted in jiffies, not on CLOCK_MONOTONIC: a debug
	 * kernel under emulation returned after 181 ms of it. What is asserted
	 * is that the call waited, and did not wait forever.
	 */
	EXPECT_LE(100, now_ms() - t0);
	EXPECT_GE(5000, now_ms() - t0);
	close(waiter);
}

struct acker {
	int fd;
	uint32_t gen;
	int delay_ms;
	int how;	/* 0 ack, 1 untrack, 2 close */
};

static void *delayed_release(void *arg)
{
	struct acker *a = arg;

	usleep(a->delay_ms * 1000);
	if (a->how == 0)
		ack(a->fd, a->gen);
	else if (a->how == 1)
		ioctl(a->fd, SYSGENID_SET_WATCHER_TRACKING, 0UL);
	else
		close(a->fd);
	return NULL;
}

/* Wait with the given timeout until a tracked watcher is released. */
static int wait_for_release(struct __test_metadata *_metadata, uint32_t gen,
			    int how, unsigned long timeout)
{
	struct acker a = { .gen = gen + 1, .delay_ms = 150, .how = how };
	pthread_t t;
	double t0, dt;
	long ret;
	int waiter;

	a.fd = open_dev(O_RDWR);
	if (a.fd < 0 || ioctl(a.fd, SYSGENID_SET_WATCHER_TRACKING, 1UL) ||
	    trigger(0))
		return -1;
	waiter = open_dev(O_RDONLY);
	pthread_create(&t, NULL, delayed_release, &a);
	/* Without a timeout, a lost wake-up ends here instead of hanging. */
	if (!timeout)
		arm_alarm(3000);
	t0 = now_ms();
	ret = wait_watchers(waiter, timeout);
	if (!timeout)
		arm_alarm(0);
	dt = now_ms() - t0;
	pthread_join(t, NULL);
	if (how != 2)
		close(a.fd);
	close(waiter);
	TH_LOG("how %d timeout %lu: ret %ld after %.0f ms", how, timeout, ret, dt);
	/* Released at 150 ms: a lost wake-up would wait for the timeout. */
	return ret == 0 && dt >= 100 && dt < 1500 ? 0 : 1;
}

TEST_F(priv, wait_released_by_ack)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 0, 5000));
}

TEST_F(priv, wait_released_by_untrack)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 1, 5000));
}

TEST_F(priv, wait_released_by_close)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 2, 5000));
}

TEST_F(priv, wait_no_timeout)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 0, 0));
}

TEST_F(priv, wait_no_timeout_released_by_untrack)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 1, 0));
}

TEST_F(priv, wait_no_timeout_released_by_close)
{
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 2, 0));
}

TEST_F(priv, wait_huge_timeouts)
{
	/* ms * NSEC_PER_MSEC must not overflow into an instant timeout. */
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen, 0, 0xffffffffUL));
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen + 1, 0, 4295000UL));
	/* 2^31 ms and above saturate msecs_to_jiffies(): no timeout. */
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen + 2, 0, 0x80000000UL));
	/* -1 from a caller that passed an int: 0xffffffff ms. */
	EXPECT_EQ(0, wait_for_release(_metadata, self->gen + 3, 0, ULONG_MAX));
}

TEST_F(priv, wait_caller_outdated)
{
	double t0;
	int i;

	ASSERT_EQ(0, trigger(0));
	/*
	 * Even untracked, the caller must handle the generation first. No
	 * timeout: a driver that waits instead ends at the alarm (EINTR).
	 */
	arm_alarm(3000);
	EXPECT_EQ(-ESTALE, wait_watchers(self->fd, 0));
	arm_alarm(0);
	/* Retrying without acknowledging fails again, at once: no spin on EINTR. */
	t0 = now_ms();
	for (i = 0; i < 3; i++)
		EXPECT_EQ(-ESTALE, wait_watchers(self->fd, 10000));
	EXPECT_GE(1000, now_ms() - t0);
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_EQ(0, wait_watchers(self->fd, 0));
}

TEST_F(priv, wait_caller_becomes_outdated)
{
	int tracked = open_dev(O_RDWR);
	pthread_t t;
	double t0;

	ASSERT_LE(0, tracked);
	ASSERT_EQ(0, ioctl(tracked, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, trigger(0));
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	/* Waiting on the tracked watcher; a second update hits the caller. */
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_trigger, NULL));
	t0 = now_ms();
	EXPECT_EQ(-ESTALE, wait_watchers(self->fd, 10000));
	EXPECT_GE(5000, now_ms() - t0);
	pthread_join(t, NULL);
	close(tracked);
}

/* Wait on one outdated tracked watcher while a SIGALRM arrives at 100 ms. */
static long wait_through_signal(struct __test_metadata *_metadata, uint32_t gen,
				int sa_flags, unsigned long timeout, double *dt)
{
	struct acker a = { .gen = gen + 1, .delay_ms = 400, .how = 0 };
	pthread_t t;
	double t0;
	long ret;
	int waiter;

	a.fd = open_dev(O_RDWR);
	if (a.fd < 0 || ioctl(a.fd, SYSGENID_SET_WATCHER_TRACKING, 1UL) || trigger(0))
		return -1000;
	/* Opened after the trigger: the waiter itself is up to date. */
	waiter = open_dev(O_RDONLY);
	if (waiter < 0)
		return -1000;
	pthread_create(&t, NULL, delayed_release, &a);
	arm_alarm_flags(100, sa_flags);
	t0 = now_ms();
	ret = wait_watchers(waiter, timeout);
	*dt = now_ms() - t0;
	pthread_join(t, NULL);
	close(a.fd);
	close(waiter);
	TH_LOG("flags %#x timeout %lu: ret %ld after %.0f ms, %d alarm(s)",
	       sa_flags, timeout, ret, *dt, alarms());
	return ret;
}

TEST_F(priv, wait_interrupted_by_signal)
{
	double dt;

	EXPECT_EQ(-EINTR, wait_through_signal(_metadata, self->gen, 0, 0, &dt));
	EXPECT_EQ(1, alarms());
	EXPECT_GT(350, dt);
}

TEST_F(priv, wait_restarted_after_sa_restart_handler)
{
	double dt;

	/* No timeout: the handler runs, the call goes on until the ack at 400 ms. */
	EXPECT_EQ(0, wait_through_signal(_metadata, self->gen, SA_RESTART, 0, &dt));
	EXPECT_EQ(1, alarms());
	EXPECT_LE(350, dt);
	EXPECT_GT(3000, dt);
}

TEST_F(priv, wait_with_timeout_not_restarted)
{
	double dt;

	/* Restarting would start the timeout over: EINTR even with SA_RESTART. */
	EXPECT_EQ(-EINTR, wait_through_signal(_metadata, self->gen, SA_RESTART, 5000, &dt));
	EXPECT_EQ(1, alarms());
	EXPECT_GT(350, dt);
}

/* ---- TRIGGER_GEN_UPDATE ---- */

TEST_F(priv, trigger_adds_one)
{
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, cur_gen());
	ASSERT_EQ(0, trigger(self->gen));
	EXPECT_EQ(self->gen + 2, cur_gen());
}

TEST_F(priv, trigger_min_gen)
{
	ASSERT_EQ(0, trigger(self->gen + 10));
	EXPECT_EQ(self->gen + 10, cur_gen());
	ASSERT_EQ(0, trigger(self->gen + 11));
	EXPECT_EQ(self->gen + 11, cur_gen());
}

TEST_F(priv, trigger_min_gen_high_and_wrap)
{
	if (!wrap_asked())
		SKIP(return, WRAP_SKIP_REASON);

	/* Start below 0x80000000, whatever earlier runs left: wrap to 0. */
	ASSERT_EQ(0, trigger(0xffffffff));
	ASSERT_EQ(0, trigger(0));
	/* A min_gen above 0x7fffffff is not negative. */
	ASSERT_EQ(0, trigger(0x80000000));
	EXPECT_EQ(0x80000000, cur_gen());
	ASSERT_EQ(0, trigger(0xfffffff0));
	EXPECT_EQ(0xfffffff0, cur_gen());
	ASSERT_EQ(0, trigger(0xffffffff));
	EXPECT_EQ(0xffffffff, cur_gen());
	/* current + 1 wraps to 0. */
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(0U, cur_gen());
	ASSERT_EQ(0, trigger(0xffffffff));
	/* An update always changes the generation. */
	ASSERT_EQ(0, trigger(0xffffffff));
	EXPECT_EQ(0U, cur_gen());
	ASSERT_EQ(0, trigger(self->gen + 1));
	EXPECT_EQ(self->gen + 1, cur_gen());
}

TEST_F(priv, generation_comes_back_to_an_acked_value)
{
	uint32_t gen, g;
	int w, waiter;

	if (!wrap_asked())
		SKIP(return, WRAP_SKIP_REASON);
	/* Start from generation 0 or 1, so that coming back takes few steps. */
	ASSERT_EQ(0, trigger(0xffffffff));
	ASSERT_EQ(0, trigger(0));
	g = cur_gen();
	ASSERT_GE(1U, g);
	w = open_dev(O_RDWR);
	ASSERT_LE(0, w);
	ASSERT_EQ(0, ioctl(w, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, trigger(0xffffffff));
	while (cur_gen() != g)
		ASSERT_EQ(0, trigger(0));
	/* The same number, but w has not seen the changes: still outdated. */
	EXPECT_TRUE(outdated(w));
	ASSERT_EQ(0, fcntl(w, F_SETFL, O_NONBLOCK));
	EXPECT_EQ(4, read(w, &gen, sizeof(gen)));
	EXPECT_EQ(g, gen);
	waiter = open_dev(O_RDONLY);
	ASSERT_LE(0, waiter);
	EXPECT_EQ(-ETIME, wait_watchers(waiter, 50));
	ASSERT_EQ(0, ack(w, g));
	EXPECT_FALSE(outdated(w));
	EXPECT_EQ(0, wait_watchers(waiter, 1000));
	close(waiter);
	close(w);
}

TEST_F(priv, trigger_wakes_and_outdates_every_watcher)
{
	int fds[8], i;

	for (i = 0; i < 8; i++)
		ASSERT_LE(0, fds[i] = open_dev(O_RDONLY));
	ASSERT_EQ(0, trigger(0));
	for (i = 0; i < 8; i++) {
		EXPECT_TRUE(outdated(fds[i]));
		close(fds[i]);
	}
}

#if __SIZEOF_LONG__ == 8
TEST_F(priv, trigger_argument_above_u32)
{
	EXPECT_EQ(-1, ioctl(self->fd, SYSGENID_TRIGGER_GEN_UPDATE, 0x100000000UL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, SYSGENID_TRIGGER_GEN_UPDATE, 0xffffffff7fffffffUL));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(self->gen, cur_gen());
}

/*
 * What a riscv64 or mips64 caller passing the u32 0x80000000 as an int
 * produces: taken as 0x80000000, as a 32-bit kernel would.
 */
TEST_F(priv, sign_extended_arguments_are_u32)
{
	int waiter;

	if (!wrap_asked())
		SKIP(return, WRAP_SKIP_REASON);
	EXPECT_EQ(0, ioctl(self->fd, SYSGENID_TRIGGER_GEN_UPDATE, 0xffffffff80000000UL));
	EXPECT_EQ(self->gen < 0x80000000 ? 0x80000000 : self->gen + 1, cur_gen());
	waiter = open_dev(O_RDONLY);
	ASSERT_LE(0, waiter);
	/* 0x80000000 ms: no timeout; nothing to wait for. */
	EXPECT_EQ(0, ioctl(waiter, SYSGENID_WAIT_WATCHERS, 0xffffffff80000000UL));
	EXPECT_EQ(-1, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 0xffffffff80000001UL));
	EXPECT_EQ(EINVAL, errno);
	close(waiter);
	/* Leave the counter low for the tests that follow: wrap to 0. */
	ASSERT_EQ(0, trigger(0xffffffff));
	ASSERT_EQ(0, trigger(0));
}
#endif

static int try_trigger(void)
{
	uint32_t before = cur_gen();
	int ret = trigger(0);

	if (cur_gen() != before)
		return 3;
	return ret == -EPERM ? 0 : 1;
}

TEST_F(dev, trigger_refused_unprivileged)
{
	if (geteuid())
		SKIP(return, "needs root to switch to nobody");
	EXPECT_EQ(0, as_nobody(try_trigger));
	EXPECT_EQ(self->gen, cur_gen());
}

static int try_trigger_in_userns(void)
{
	if (unshare(CLONE_NEWUSER))
		return 4;
	return try_trigger();
}

/* Keep only the capability @cap (-1: none) in the effective set, still as root. */
static int only_cap(int cap)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective = cap >= 0 && cap < 32 ? 1U << cap : 0;
	data[1].effective = cap >= 32 ? 1U << (cap - 32) : 0;
	return syscall(SYS_capset, &hdr, data);
}

/* The exit status of trigger(0) in a root child with only @cap. */
static int trigger_with_only(int cap)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (only_cap(cap))
			_exit(100);
		_exit(trigger(0) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(priv, trigger_with_cap_checkpoint_restore_alone)
{
	EXPECT_EQ(0, trigger_with_only(CAP_CHECKPOINT_RESTORE));
	EXPECT_EQ(self->gen + 1, cur_gen());
}

TEST_F(priv, trigger_with_cap_sys_admin_alone)
{
	EXPECT_EQ(0, trigger_with_only(CAP_SYS_ADMIN));
	EXPECT_EQ(self->gen + 1, cur_gen());
}

TEST_F(priv, trigger_refused_to_root_without_either)
{
	EXPECT_EQ(1, trigger_with_only(CAP_SETUID));
	EXPECT_EQ(1, trigger_with_only(-1));
	EXPECT_EQ(self->gen, cur_gen());
}

TEST_F(dev, trigger_refused_in_user_namespace)
{
	if (geteuid())
		SKIP(return, "needs root to switch to nobody");
	EXPECT_EQ(0, as_nobody(try_trigger_in_userns));
	EXPECT_EQ(self->gen, cur_gen());
}

/* ---- ioctl numbers ---- */

TEST_F(dev, ioctl_numbers_are_the_deployed_abi)
{
	EXPECT_EQ(0xE401U, SYSGENID_SET_WATCHER_TRACKING);
	EXPECT_EQ(0xE402U, SYSGENID_WAIT_WATCHERS);
	EXPECT_EQ(0xE403U, SYSGENID_TRIGGER_GEN_UPDATE);
}

TEST_F(dev, unknown_ioctls)
{
	unsigned long cmds[] = {
		_IO(SYSGENID_IOCTL, 0), _IO(SYSGENID_IOCTL, 4),
		_IOW(SYSGENID_IOCTL, 1, int), _IOR(SYSGENID_IOCTL, 3, int),
		_IO('T', 0x1b), FIONREAD,
	};
	unsigned int i;
	int n;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->fd, cmds[i], &n));
		EXPECT_EQ(ENOTTY, errno) TH_LOG("cmd %#lx", cmds[i]);
	}
}

/* ---- sharing ---- */

TEST_F(priv, fork_shares_the_watcher)
{
	int status;
	pid_t pid;

	ASSERT_EQ(0, trigger(0));
	pid = fork();
	if (!pid)
		_exit(ack(self->fd, self->gen + 1) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	EXPECT_FALSE(outdated(self->fd)) TH_LOG("the child's ack did not count");
}

TEST_F(dev, no_file_position)
{
	uint32_t gen;

	EXPECT_EQ(-1, pread(self->fd, &gen, sizeof(gen), 0));
	EXPECT_EQ(ESPIPE, errno);
	EXPECT_EQ(-1, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(ESPIPE, errno);
}

/*
 * What the documentation tells code that may share its descriptor (threads,
 * a forked child) to do once the page moved: read with O_NONBLOCK and
 * acknowledge what it returns; EAGAIN means a sharer acknowledged already.
 * Returns 1 if this caller read the generation, 0 if a sharer had
 * acknowledged it, -errno otherwise (-EINTR: it blocked until a signal).
 */
static int shared_catch_up(int fd)
{
	uint32_t gen;

	if (read(fd, &gen, sizeof(gen)) == sizeof(gen)) {
		ack(fd, gen);	/* EINVAL: changed again, seen next time */
		return 1;
	}
	return errno == EAGAIN ? 0 : -errno;
}

/* The descriptor a library keeps when it is tracked. */
static int shared_open(void)
{
	return open_dev(O_RDWR | O_NONBLOCK);
}

struct sharer {
	int fd;
	const uint32_t *page;
	uint32_t before;
	int ret;
	int done;
};

/* A thread of the library: sees the page move, then catches up. */
static void *sharer_thread(void *arg)
{
	struct sharer *sh = arg;

	while (load(sh->page) == sh->before)
		sched_yield();
	sh->ret = shared_catch_up(sh->fd);
	__atomic_store_n(&sh->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Wait up to ms for *done; a sharer that blocked in read() never sets it. */
static int done_within(const int *done, int ms)
{
	double end = now_ms() + ms;

	while (!__atomic_load_n(done, __ATOMIC_ACQUIRE)) {
		if (now_ms() > end)
			return 0;
		usleep(1000);
	}
	return 1;
}

TEST_F(priv, shared_watcher_threads_never_block)
{
	struct sharer sh[2];
	uint32_t *page;
	pthread_t t[2];
	int fd = shared_open(), i, blocked = 0;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	page = mmap(NULL, sizeof(*page), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, page);
	for (i = 0; i < 2; i++) {
		sh[i] = (struct sharer){ .fd = fd, .page = page, .before = self->gen };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, sharer_thread, &sh[i]));
	}
	ASSERT_EQ(0, trigger(0));
	for (i = 0; i < 2; i++)
		blocked += !done_within(&sh[i].done, 3000);
	EXPECT_EQ(0, blocked) TH_LOG("%d thread(s) still in read() 3 s after the change", blocked);
	if (blocked)	/* release them: the next change ends the read */
		trigger(0);
	for (i = 0; i < 2; i++) {
		pthread_join(t[i], NULL);
		EXPECT_LE(0, sh[i].ret) TH_LOG("thread %d: %s", i, strerror(-sh[i].ret));
	}
	EXPECT_LE(1, sh[0].ret + sh[1].ret) TH_LOG("nobody read the generation");
	EXPECT_FALSE(outdated(fd));
	i = open_dev(O_RDONLY);
	EXPECT_EQ(0, wait_watchers(i, 1000)) TH_LOG("the shared watcher still outdated");
	close(i);
	munmap(page, sizeof(*page));
	close(fd);
}

TEST_F(priv, shared_watcher_parent_and_child_never_block)
{
	int *done, fd = shared_open(), status, child_ret, parent_ret;
	uint32_t *page;
	pid_t pid;

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	page = mmap(NULL, sizeof(*page), PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, page);
	done = mmap(NULL, sizeof(*done), PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, done);
	*done = 0;
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		while (load(page) == self->gen)
			sched_yield();
		status = shared_catch_up(fd);
		__atomic_store_n(done, 1, __ATOMIC_RELEASE);
		_exit(status < 0 ? 100 : status);
	}
	ASSERT_EQ(0, trigger(0));
	parent_ret = shared_catch_up(fd);
	EXPECT_LE(0, parent_ret) TH_LOG("parent: %s", strerror(-parent_ret));
	EXPECT_TRUE(done_within(done, 3000))
		TH_LOG("the child still in read() 3 s after the change");
	if (!*done)
		trigger(0);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	child_ret = WEXITSTATUS(status);
	EXPECT_GE(1, child_ret) TH_LOG("child: failed (%d)", child_ret);
	EXPECT_LE(1, parent_ret + child_ret) TH_LOG("nobody read the generation");
	EXPECT_FALSE(outdated(fd));
	munmap(done, sizeof(*done));
	munmap(page, sizeof(*page));
	close(fd);
}

#define MANY		1000
#define ACKERS		4

struct many {
	int *fds;
	int first, count;
	uint32_t gen;
	int failed;
};

static void *ack_many(void *arg)
{
	struct many *m = arg;
	int i;

	for (i = m->first; i < m->first + m->count; i++)
		m->failed += !!ack(m->fds[i], m->gen);
	return NULL;
}

TEST_F(priv, thousand_tracked_watchers)
{
	struct rlimit rl = { MANY + 64, MANY + 64 };
	struct many m[ACKERS];
	pthread_t t[ACKERS];
	int fds[MANY], i, waiter;

	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &rl));
	for (i = 0; i < MANY; i++) {
		fds[i] = open_dev(O_RDWR);
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, ioctl(fds[i], SYSGENID_SET_WATCHER_TRACKING, 1UL));
	}
	ASSERT_EQ(0, trigger(0));
	waiter = open_dev(O_RDONLY);
	EXPECT_EQ(-ETIME, wait_watchers(waiter, 10));
	for (i = 0; i < ACKERS; i++) {
		m[i] = (struct many){ fds, i * (MANY / ACKERS), MANY / ACKERS, self->gen + 1, 0 };
		ASSERT_EQ(0, pthread_create(&t[i], NULL, ack_many, &m[i]));
	}
	EXPECT_EQ(0, wait_watchers(waiter, 20000));
	for (i = 0; i < ACKERS; i++) {
		pthread_join(t[i], NULL);
		EXPECT_EQ(0, m[i].failed);
	}
	EXPECT_EQ(0, wait_watchers(waiter, 10));
	for (i = 0; i < MANY; i++)
		close(fds[i]);
	close(waiter);
}

/* ---- fdinfo ---- */

/* The value of "key:\t" in fd's fdinfo, or -1. */
static long long fdinfo_value(int fd, const char *key)
{
	char path[64], line[128];
	long long val = -1;
	size_t n = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			val = strtoll(line + n + 1, NULL, 10);
	fclose(f);
	return val;
}

TEST_F(priv, fdinfo_shows_the_watcher)
{
	EXPECT_EQ(self->gen, fdinfo_value(self->fd, "sysgenid-generation"));
	EXPECT_EQ(self->gen, fdinfo_value(self->fd, "sysgenid-acked"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "sysgenid-outdated"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "sysgenid-tracked"));
	ASSERT_EQ(0, ioctl(self->fd, SYSGENID_SET_WATCHER_TRACKING, 1UL));
	ASSERT_EQ(0, trigger(0));
	EXPECT_EQ(self->gen + 1, fdinfo_value(self->fd, "sysgenid-generation"));
	EXPECT_EQ(self->gen, fdinfo_value(self->fd, "sysgenid-acked"));
	EXPECT_EQ(1, fdinfo_value(self->fd, "sysgenid-outdated"));
	EXPECT_EQ(1, fdinfo_value(self->fd, "sysgenid-tracked"));
	ASSERT_EQ(0, ack(self->fd, self->gen + 1));
	EXPECT_EQ(self->gen + 1, fdinfo_value(self->fd, "sysgenid-acked"));
	EXPECT_EQ(0, fdinfo_value(self->fd, "sysgenid-outdated"));
}

/* ---- memory accounting ---- */

#define CHARGED_OPENS	5000

/* Where cgroup v2 is mounted, in buf, or -1. */
static int cgroup2_root(char *buf, size_t len)
{
	char dev[64], dir[PATH_MAX], type[32];
	int ret = -1;
	FILE *f;

	f = fopen("/proc/self/mounts", "r");
	if (!f)
		return -1;
	while (ret && fscanf(f, "%63s %4095s %31s %*[^\n]", dev, dir, type) == 3)
		if (!strcmp(type, "cgroup2") && strlen(dir) < len) {
			strcpy(buf, dir);
			ret = 0;
		}
	fclose(f);
	return ret;
}

static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	int ret = -1;

	if (fd < 0)
		return -1;
	if (write(fd, s, strlen(s)) == (ssize_t)strlen(s))
		ret = 0;
	close(fd);
	return ret;
}

/* The value of key in a cgroup's memory.stat, or -1. */
static long long memory_stat(const char *cg, const char *key)
{
	char path[PATH_MAX + 16], name[64];
	long long v, val = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/memory.stat", cg);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", name, &v) == 2)
		if (!strcmp(name, key))
			val = v;
	fclose(f);
	return val;
}

/*
 * The cgroup's statistics as of now: a read of memory.stat flushes the
 * per-CPU deltas only past a threshold, but the memory controller flushes
 * them all every 2 s (FLUSH_TIME in mm/memcontrol.c).
 */
static long long settled_stat(const char *cg, const char *key)
{
	sleep(3);
	return memory_stat(cg, key);
}

/*
 * How much the cgroup's unreclaimable slab grows when CHARGED_OPENS more
 * files of path are opened (they stay open: nothing is freed while the
 * test measures, since a debug kernel may release objects freed earlier,
 * e.g. from KASAN's quarantine, at any later time), in bytes, or -1.
 */
static long long charged_opens(const char *cg, const char *path, int *fds)
{
	long long before, after;
	int i;

	before = settled_stat(cg, "slab_unreclaimable");
	for (i = 0; i < CHARGED_OPENS; i++) {
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			return -1;
	}
	after = settled_stat(cg, "slab_unreclaimable");
	return before < 0 || after < 0 ? -1 : after - before;
}

/*
 * Each open file's state is charged to the opener's memory cgroup: in a
 * cgroup of its own, a child opens many files of /dev/null (the struct
 * file alone, a baseline) and then as many of /dev/sysgenid; the second
 * set must cost at least a small object per file more. The child grows
 * its file table to its final size first, so that neither set pays for
 * that, and closes nothing until both are measured. Each figure waits for
 * the statistics to settle (4 x 3 s); the timeout is raised for that and
 * for debug kernels.
 */
TEST_F_TIMEOUT(priv, open_is_charged_to_the_openers_memcg, 90)
{
	struct rlimit rl = { 2 * CHARGED_OPENS + 64, 2 * CHARGED_OPENS + 64 };
	char root[PATH_MAX], cg[PATH_MAX + 32], path[PATH_MAX + 48], ctl[256] = "";
	long long cost[2] = { -1, -1 };
	int pipefd[2], status, fd;
	pid_t pid;

	if (cgroup2_root(root, sizeof(root)))
		SKIP(return, "cgroup v2 is not mounted");
	snprintf(path, sizeof(path), "%s/cgroup.controllers", root);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, ctl, sizeof(ctl) - 1) < 0 || !strstr(ctl, "memory"))
		SKIP(return, "no memory controller: kernel without CONFIG_MEMCG?");
	close(fd);
	snprintf(path, sizeof(path), "%s/cgroup.subtree_control", root);
	ASSERT_EQ(0, write_file(path, "+memory"));
	snprintf(cg, sizeof(cg), "%s/sysgenid_test.%d", root, getpid());
	ASSERT_EQ(0, mkdir(cg, 0755)) TH_LOG("mkdir %s: %s", cg, strerror(errno));
	ASSERT_EQ(0, pipe(pipefd));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		int *fds = calloc(2 * CHARGED_OPENS, sizeof(*fds));

		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		if (fds && !write_file(path, "0") && !setrlimit(RLIMIT_NOFILE, &rl) &&
		    dup2(pipefd[1], 2 * CHARGED_OPENS + 32) >= 0) {
			close(2 * CHARGED_OPENS + 32);
			cost[0] = charged_opens(cg, "/dev/null", fds);
			cost[1] = charged_opens(cg, DEV, fds + CHARGED_OPENS);
		}
		_exit(write(pipefd[1], cost, sizeof(cost)) != sizeof(cost));
	}
	close(pipefd[1]);
	EXPECT_EQ((ssize_t)sizeof(cost), read(pipefd[0], cost, sizeof(cost)));
	close(pipefd[0]);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, rmdir(cg)) TH_LOG("rmdir %s: %s", cg, strerror(errno));
	ASSERT_LE(0, cost[0]) TH_LOG("could not measure in %s", cg);
	ASSERT_LE(0, cost[1]) TH_LOG("could not measure in %s", cg);
	TH_LOG("slab charged per open: /dev/null %lld bytes, " DEV " %lld bytes",
	       cost[0] / CHARGED_OPENS, cost[1] / CHARGED_OPENS);
	EXPECT_LE(cost[0] + 16LL * CHARGED_OPENS, cost[1])
		TH_LOG("the per-open state is not charged to the opener's cgroup");
}

/* ---- uevent ---- */

/* Whether the NUL-separated uevent in buf[0..len) has the line want. */
static int uevent_has(const char *buf, ssize_t len, const char *want)
{
	ssize_t i;

	for (i = 0; i < len; i += strlen(buf + i) + 1)
		if (!strcmp(buf + i, want))
			return 1;
	return 0;
}

TEST_F(priv, trigger_sends_a_change_uevent)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	struct timeval tv = { .tv_sec = 5 };
	char buf[2048], want[32];
	int seen = 0, s;
	ssize_t n;

	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	ASSERT_LE(0, s) TH_LOG("uevent socket: %s", strerror(errno));
	ASSERT_EQ(0, bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	ASSERT_EQ(0, setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	ASSERT_EQ(0, trigger(0));
	snprintf(want, sizeof(want), "SYSGENID=%u", self->gen + 1);
	/* Other devices may speak too: look for ours until the timeout. */
	while (!seen && (n = recv(s, buf, sizeof(buf) - 1, 0)) > 0) {
		buf[n] = 0;
		seen = uevent_has(buf, n, "ACTION=change") &&
		       uevent_has(buf, n, "DEVNAME=sysgenid") && uevent_has(buf, n, want);
	}
	EXPECT_TRUE(seen) TH_LOG("no change uevent with %s", want);
	close(s);
}

/* ---- sysfs ---- */

static long long read_sysfs(int fd)
{
	char buf[32] = "";

	if (pread(fd, buf, sizeof(buf) - 1, 0) <= 0)
		return -1;
	return strtoll(buf, NULL, 10);
}

TEST_F(dev, sysfs_generation)
{
	struct pollfd p = { .events = POLLPRI };
	pthread_t t;
	int fd = open(SYSFS_GEN, O_RDONLY);

	ASSERT_LE(0, fd) TH_LOG(SYSFS_GEN ": %s", strerror(errno));
	EXPECT_EQ(self->gen, read_sysfs(fd));
	if (!can_trigger()) {
		close(fd);
		return;
	}
	p.fd = fd;
	ASSERT_EQ(0, pthread_create(&t, NULL, delayed_trigger, NULL));
	EXPECT_EQ(1, poll(&p, 1, 10000)) TH_LOG("no sysfs_notify after an update");
	pthread_join(t, NULL);
	EXPECT_EQ(self->gen + 1, read_sysfs(fd));
	close(fd);
}

TEST_HARNESS_MAIN
