// SPDX-License-Identifier: GPL-2.0
/*
 * The guest workload of the restore scenarios: what a userspace random or
 * UUID generator does across a snapshot restore.
 *
 *   snaprng window [CAP [PACE_US]]
 *        Three generators run as threads, continuously, from before the
 *        snapshot until CAP outputs each after the restore (or 5 s):
 *          naive   seeded once from getrandom(), never reseeds
 *          page    checks the mapped /dev/sysgenid page on every output
 *                  and reseeds when the generation moved
 *          thread  a helper thread blocks in read() on /dev/sysgenid; the
 *                  generator reseeds when the helper saw a new generation
 *          pagewait checks the page like page, but when it moved, first
 *                  waits in read() on /dev/sysgenid, which returns once
 *                  the kernel handled the restore (its CRNG reseeded),
 *                  and reseeds only then: no output at all in between
 *          vmclock (only with a vmclock device) checks the vm_generation_
 *                  counter of the mapped /dev/vmclock0 on every output:
 *                  the hypervisor's own page, not sysgenid's
 *        Ground truth for the resume instant is not taken from the driver:
 *        every output also compares the 16 bytes of the VM Generation ID,
 *        which the hypervisor rewrites before the vCPUs run, read through
 *        /dev/mem at the address the vmgenid ACPI device reports (its
 *        SSDT's VGIA, plus 40). Times are guest CLOCK_MONOTONIC, relative
 *        to the first output that saw the new VM Generation ID (R).
 *        Prints, once done: "WIN ..." facts, "GEN name seen NS wake NS
 *        outs N" and, for every output after R, "O name SEEN VALUE" (SEEN:
 *        1 if the generator had seen the new generation when it made it).
 *   snaprng watcher    a tracked watcher: on every new generation derive a
 *                      new secret, acknowledge, print what it did and when
 *   snaprng stuck      a tracked watcher that never acknowledges
 *   snaprng map        map the page, close the file, exit once the
 *                      generation changed (holds only a mapping)
 */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/sysgenid.h>
#include <linux/vmclock-abi.h>

#define VMGENID_GUID_OFFSET 40	/* QEMU: the GUID follows 40 bytes of padding */

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static double now_ms(void)
{
	return now_ns() / 1e6;
}

static int open_dev(int flags)
{
	int fd = open("/dev/sysgenid", flags);

	if (fd < 0) {
		perror("/dev/sysgenid");
		exit(2);
	}
	return fd;
}

static const uint32_t *map_page(void)
{
	int fd = open_dev(O_RDONLY);
	const uint32_t *p = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED) {
		perror("mmap /dev/sysgenid");
		exit(2);
	}
	close(fd);
	return p;
}

/* xorshift128+: fast, and entirely determined by its state. */
static uint64_t next(uint64_t s[2])
{
	uint64_t a = s[0], b = s[1];

	s[0] = b;
	a ^= a << 23;
	s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return s[1] + b;
}

static void seed(uint64_t s[2])
{
	if (getrandom(s, 16, 0) != 16) {
		perror("getrandom");
		exit(2);
	}
}

/*
 * The VM Generation ID's physical address, from the SSDT QEMU builds for
 * the vmgenid device: a named DWORD "VGIA" (NameOp, "VGIA", DWordPrefix
 * 0x0c, 4 bytes little-endian) that the firmware patched to point to the
 * GUID blob; the device's ADDR method adds VMGENID_GUID_OFFSET.
 */
static uint64_t vmgenid_phys(void)
{
	const char *dir = "/sys/firmware/acpi/tables";
	static unsigned char buf[1 << 16];
	struct dirent *e;
	uint64_t addr = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while (!addr && (e = readdir(d))) {
		char path[300];
		ssize_t n, i;
		int fd;

		if (strncmp(e->d_name, "SSDT", 4))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		close(fd);
		for (i = 0; i + 9 <= n; i++) {
			if (memcmp(buf + i, "VGIA", 4) || buf[i + 4] != 0x0c)
				continue;
			addr = buf[i + 5] | buf[i + 6] << 8 | buf[i + 7] << 16 |
			       (uint64_t)buf[i + 8] << 24;
			addr += VMGENID_GUID_OFFSET;
			break;
		}
	}
	closedir(d);
	return addr;
}

static const volatile unsigned char *gt;	/* the VM Generation ID */
static unsigned char gt0[16];			/* its value at start */

static void gt_read(unsigned char out[16])
{
	int i;

	for (i = 0; i < 16; i++)
		out[i] = gt[i];
}

static int gt_moved(void)
{
	unsigned char now[16];

	gt_read(now);
	return memcmp(now, gt0, 16) != 0;
}

static void print_hex(const char *what, const unsigned char *b)
{
	int i;

	printf("WIN %s ", what);
	for (i = 0; i < 16; i++)
		printf("%02x", b[i]);
	printf("\n");
}

enum kind { NAIVE, PAGE, PAGEWAIT, THREAD, VMCLOCK };

struct rec {
	uint64_t v;
	int seen;
};

struct gen {
	const char *name;
	enum kind kind;
	pthread_t thread;
	uint64_t s[2];
	uint32_t gen;		/* the generation the state was seeded in */
	int fd;			/* pagewait: its own watcher */
	int64_t t_seen;		/* when it first saw a new generation, or -1 */
	int64_t t_first_new;	/* first output that saw a new VM Generation ID */
	int64_t t_last_old;	/* last output that saw the old one */
	unsigned int n;		/* outputs recorded after the resume */
	struct rec *rec;
};

static const uint32_t *page;
static const volatile struct vmclock_abi *vmclock;
static uint32_t helper_gen;		/* what the read() helper saw last */
static int64_t helper_woke = -1;	/* when its read() returned first */
static int stop;
static unsigned int cap = 1000;
static long pace_ns = 200000;

static uint32_t current_gen(const struct gen *g)
{
	switch (g->kind) {
	case PAGE:
	case PAGEWAIT:
		return __atomic_load_n(page, __ATOMIC_ACQUIRE);
	case THREAD:
		return __atomic_load_n(&helper_gen, __ATOMIC_ACQUIRE);
	case VMCLOCK:	/* written before the vCPUs run: no seq_count needed */
		return (uint32_t)vmclock->vm_generation_counter;
	default:
		return g->gen;
	}
}

/*
 * The page can be ahead of the kernel (a device stored the generation
 * during the restore): wait until read() returns that generation, which
 * happens after the kernel reseeded its CRNG, acknowledging on the way.
 */
static void catch_up(int fd, uint32_t want)
{
	uint32_t v;
	int i;

	for (i = 0; i < 3; i++) {
		if (read(fd, &v, sizeof(v)) != sizeof(v))
			return;
		if (write(fd, &v, sizeof(v)) == sizeof(v) && v == want)
			return;
	}
}

static void *generate(void *arg)
{
	struct timespec pace = { 0, pace_ns };
	struct gen *g = arg;
	uint32_t now_gen;
	uint64_t v;
	int64_t t;
	int moved;

	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		t = now_ns();
		/* Ground truth first: the output is "after the resume" if
		 * the hypervisor's new ID was visible before it was made. */
		moved = gt_moved();
		now_gen = current_gen(g);
		if (now_gen != g->gen) {
			if (g->kind == PAGEWAIT)
				catch_up(g->fd, now_gen);
			seed(g->s);	/* restored: the state is shared */
			g->gen = now_gen;
			if (g->t_seen < 0)
				g->t_seen = t;
		}
		v = next(g->s);
		if (!moved) {
			g->t_last_old = t;
		} else {
			if (g->t_first_new < 0)
				g->t_first_new = t;
			if (g->n < cap) {
				g->rec[g->n].v = v;
				g->rec[g->n].seen = g->t_seen >= 0;
				g->n++;
			}
		}
		nanosleep(&pace, NULL);
	}
	return NULL;
}

static void *helper(void *arg)
{
	int fd = *(int *)arg;
	uint32_t v;

	while (read(fd, &v, sizeof(v)) == sizeof(v)) {
		if (helper_woke < 0)
			helper_woke = now_ns();
		__atomic_store_n(&helper_gen, v, __ATOMIC_RELEASE);
		if (write(fd, &v, sizeof(v)) != sizeof(v))
			continue;	/* moved again meanwhile: read anew */
	}
	return NULL;
}

static int all_done(struct gen *g, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (g[i].n < cap || (g[i].kind != NAIVE && g[i].t_seen < 0))
			return 0;
	return 1;
}

static int window(void)
{
	struct gen g[] = {
		{ .name = "naive", .kind = NAIVE },
		{ .name = "page", .kind = PAGE },
		{ .name = "pagewait", .kind = PAGEWAIT },
		{ .name = "thread", .kind = THREAD },
		{ .name = "vmclock", .kind = VMCLOCK },
	};
	int ng = sizeof(g) / sizeof(g[0]);
	int64_t r = INT64_MAX, l = -1, deadline;
	unsigned char after[16];
	pthread_t ht;
	uint64_t phys;
	long psz = sysconf(_SC_PAGESIZE);
	void *m;
	int fd, i;
	unsigned int j;

	phys = vmgenid_phys();
	if (!phys) {
		printf("WIN FAIL no VGIA in the SSDTs\n");
		return 2;
	}
	fd = open("/dev/mem", O_RDONLY);
	m = fd < 0 ? MAP_FAILED :
	    mmap(NULL, psz * 2, PROT_READ, MAP_SHARED, fd, phys & ~(psz - 1));
	if (m == MAP_FAILED) {
		printf("WIN FAIL /dev/mem at 0x%" PRIx64 ": %m\n", phys);
		return 2;
	}
	gt = (const volatile unsigned char *)m + (phys & (psz - 1));
	gt_read(gt0);
	printf("WIN vcpus %ld\n", sysconf(_SC_NPROCESSORS_ONLN));
	printf("WIN phys 0x%" PRIx64 "\n", phys);
	print_hex("guid", gt0);

	fd = open("/dev/vmclock0", O_RDONLY);
	m = fd < 0 ? MAP_FAILED : mmap(NULL, psz, PROT_READ, MAP_SHARED, fd, 0);
	if (m != MAP_FAILED)
		vmclock = m;
	else
		ng--;		/* no vmclock generator */
	printf("WIN vmclock %s\n", vmclock ? "yes" : "no");

	page = map_page();
	helper_gen = *page;
	fd = open_dev(O_RDWR);
	if (pthread_create(&ht, NULL, helper, &fd))
		return 2;
	for (i = 0; i < ng; i++) {
		g[i].t_seen = g[i].t_first_new = g[i].t_last_old = -1;
		if (g[i].kind == PAGEWAIT)
			g[i].fd = open_dev(O_RDWR);
		g[i].rec = calloc(cap, sizeof(*g[i].rec));
		seed(g[i].s);
		g[i].gen = current_gen(&g[i]);
		if (!g[i].rec || pthread_create(&g[i].thread, NULL, generate, &g[i]))
			return 2;
	}
	printf("WIN READY generation %" PRIu32 "\n", *page);
	fflush(stdout);

	while (!gt_moved())
		usleep(10000);
	deadline = now_ns() + 5000000000LL;
	while (!all_done(g, ng) && now_ns() < deadline)
		usleep(10000);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < ng; i++) {
		pthread_join(g[i].thread, NULL);
		if (g[i].t_first_new >= 0 && g[i].t_first_new < r)
			r = g[i].t_first_new;
		if (g[i].t_last_old > l)
			l = g[i].t_last_old;
	}
	gt_read(after);
	print_hex("after", after);
	printf("WIN generation %" PRIu32 "\n", *page);
	/* R is at most this late: the last output before it saw the old ID. */
	printf("WIN resume-bound-ns %" PRId64 "\n", r - l);
	for (i = 0; i < ng; i++)
		printf("GEN %s seen %" PRId64 " wake %" PRId64 " outs %u\n", g[i].name,
		       g[i].t_seen < 0 ? -1 : g[i].t_seen - r,
		       g[i].kind != THREAD || helper_woke < 0 ? -1 : helper_woke - r,
		       g[i].n);
	for (i = 0; i < ng; i++)
		for (j = 0; j < g[i].n; j++)
			printf("O %s %d %012" PRIx64 "\n", g[i].name, g[i].rec[j].seen,
			       g[i].rec[j].v >> 16);
	printf("WIN DONE\n");
	return 0;
}

static int watcher(int acks)
{
	int fd = open_dev(O_RDWR);
	unsigned char secret[8];
	uint32_t gen;
	double t0;

	if (ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL)) {
		perror("SYSGENID_SET_WATCHER_TRACKING");
		return 2;
	}
	if (!acks) {
		pause();
		return 0;
	}
	for (;;) {
		if (read(fd, &gen, sizeof(gen)) != sizeof(gen)) {
			perror("read");
			return 2;
		}
		t0 = now_ms();
		if (getrandom(secret, sizeof(secret), 0) != sizeof(secret))
			return 2;
		if (write(fd, &gen, sizeof(gen)) != sizeof(gen))
			continue;	/* Changed again meanwhile: read anew. */
		printf("WATCHER generation %" PRIu32 " secret %02x%02x%02x%02x%02x%02x%02x%02x acked in %.3f ms\n",
		       gen, secret[0], secret[1], secret[2], secret[3], secret[4],
		       secret[5], secret[6], secret[7], now_ms() - t0);
	}
}

static int map_only(void)
{
	const uint32_t *p = map_page();
	uint32_t g0 = *p;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) == g0)
		usleep(20000);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && argc <= 4 && !strcmp(argv[1], "window")) {
		if (argc >= 3)
			cap = atoi(argv[2]);
		if (argc == 4)
			pace_ns = atol(argv[3]) * 1000;
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		return window();
	}
	if (argc == 2 && !strcmp(argv[1], "watcher"))
		return watcher(1);
	if (argc == 2 && !strcmp(argv[1], "stuck"))
		return watcher(0);
	if (argc == 2 && !strcmp(argv[1], "map"))
		return map_only();
	fprintf(stderr, "usage: snaprng window [CAP [PACE_US]] | watcher | stuck | map\n");
	return 2;
}
