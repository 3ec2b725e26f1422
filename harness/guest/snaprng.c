// SPDX-License-Identifier: GPL-2.0
/*
 * The guest workload of the restore scenarios: what the kernel's random
 * number generator and userspace generators hand out across a snapshot
 * restore.
 *
 *   snaprng window [CAP [PACE_US [fifo-page|fifo-rng]]]
 *        Generators run as threads, continuously, from before the snapshot
 *        until, after the restore, each kept CAP outputs made after it saw
 *        the change (SEEN below) and up to CAP made before (or 5 s):
 *          naive     seeded once from getrandom(), never reseeds (control)
 *          page      checks the mapped /dev/sysgenid page on every output
 *                    and reseeds from getrandom() when it moved (the
 *                    deployed library pattern)
 *          thread    a helper thread blocks in read() on /dev/sysgenid; the
 *                    generator reseeds when the helper saw a new generation
 *          vmclock   (with a vmclock device) as page, on the
 *                    vm_generation_counter of the mapped /dev/vmclock0
 *          getrandom the getrandom() system call, 8 bytes
 *          vdso      the vDSO's getrandom(), 8 bytes, one state
 *          uuid      /proc/sys/kernel/random/uuid (get_random_bytes())
 *          kernel    (with /dev/rngprobe, the harness's test module)
 *                    get_random_u64(), the per-CPU batches
 *        and, optionally, one client that spins at SCHED_FIFO from the
 *        moment the generators are ready (one vCPU: nothing else runs until
 *        it is done after the restore):
 *          fifo-page   spins on the sysgenid page; the moment it moves,
 *                      takes a key from getrandom()
 *          fifo-rng    spins on the ground truth below; the moment it
 *                      moves, takes get_random_u64() and getrandom()
 *                      values in turn, the first random bytes anybody
 *                      asks for after the resume (fifo-kernel and
 *                      fifo-getrandom)
 *        Ground truth for the resume instant is not taken from the driver:
 *        every output also compares the 16 bytes of the VM Generation ID,
 *        which the hypervisor rewrites before the vCPUs run, read through
 *        /dev/mem at the address the vmgenid ACPI device reports (its
 *        SSDT's VGIA, plus 40); the device is there in every run, its
 *        driver need not be. Times are guest CLOCK_MONOTONIC, relative to
 *        the first output that saw the new VM Generation ID (R).
 *        Prints, once done: "WIN ..." facts, "GEN name seen US outs N"
 *        (seen: when it first saw the change it reseeds on, -1 never), for
 *        every output after R "O name SEEN US VALUE" (SEEN: 1 if it was
 *        made after the generator saw the change: for the page clients
 *        their page, for the others the read() helper's wake-up, when the
 *        kernel had handled the restore) and for every key a page client
 *        took after R "K name US VALUE".
 *   snaprng watcher    a tracked watcher: on every new generation derive a
 *                      new secret, acknowledge, print what it did and when
 *   snaprng stuck      a tracked watcher that never acknowledges
 *   snaprng slowack MS a tracked watcher that acknowledges the next
 *                      generation MS ms after read() returned it, then
 *                      prints "ACKED generation"
 *   snaprng map        map the page, close the file, exit once the
 *                      generation changed (holds only a mapping)
 *   snaprng pagelog MS print every value the page takes for MS ms (a
 *                      value that goes back is printed as BACK)
 *   snaprng msix DEV mask|unmask
 *                      set or clear the MSI-X function mask of the PCI
 *                      device DEV (its sysfs directory): the guest holds
 *                      the device's interrupts back, as it can mask an
 *                      ACPI GPE; QEMU keeps them pending meanwhile
 *   snaprng fifo CMD [ARG...]
 *                      run CMD at SCHED_FIFO priority 20
 *   snaprng fifopage CMD [ARG...]
 *                      at SCHED_FIFO priority 20, spin on sysgenid's page
 *                      (loads only) until it moves, then run CMD: on one
 *                      vCPU, CMD is the first thing that runs after a
 *                      restore that moved the page, before the kernel's
 *                      work items
 *   snaprng bench N REPS
 *                      nanoseconds per call of getrandom() and the vDSO's
 *                      getrandom() for 16 bytes: REPS runs of N calls each,
 *                      one "BENCH name run ns" line per run
 */
#include <dirent.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <linux/random.h>
#include <linux/sysgenid.h>
#include <linux/vmclock-abi.h>

#include "parse_vdso.h"

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

/* The vDSO's getrandom(), with one opaque state for the one thread using it. */
typedef ssize_t (*vgetrandom_t)(void *, size_t, unsigned int, void *, size_t);
static vgetrandom_t vgetrandom;
static void *vstate;
static size_t vstate_size;

static void vdso_setup(void)
{
	struct vgetrandom_opaque_params params;
	unsigned long base = getauxval(AT_SYSINFO_EHDR);

	if (!base)
		return;
	vdso_init_from_sysinfo_ehdr(base);
	vgetrandom = (vgetrandom_t)vdso_sym("LINUX_2.6", "__vdso_getrandom");
	if (!vgetrandom || vgetrandom(NULL, 0, 0, &params, ~0UL)) {
		vgetrandom = NULL;
		return;
	}
	vstate_size = params.size_of_opaque_state;
	vstate = mmap(NULL, 4096, params.mmap_prot, params.mmap_flags, -1, 0);
	if (vstate == MAP_FAILED)
		vgetrandom = NULL;
}

enum kind { NAIVE, PAGE, THREAD, VMCLOCK, GETRANDOM, VDSO, UUID, KERNEL,
	    FIFO_PAGE, FIFO_GETRANDOM, FIFO_KERNEL };

struct rec {
	uint64_t v;
	int64_t t;
	int seen;
};

struct gen {
	const char *name;
	enum kind kind;
	pthread_t thread;
	uint64_t s[2];
	uint32_t gen;		/* the generation the state was seeded in */
	int fd;			/* uuid, kernel: the file they read */
	int64_t t_seen;		/* when it first saw its change, or -1 */
	int64_t t_first_new;	/* first output that saw a new VM Generation ID */
	int64_t t_last_old;	/* last output that saw the old one */
	unsigned int n, nk;	/* outputs, keys recorded after the resume */
	unsigned int nseen[2];	/* of the outputs, made before/after SEEN */
	struct rec *rec, *key;
	struct gen *also;	/* fifo-rng: where its second draw goes */
	int fifo;		/* spinning at SCHED_FIFO */
};

static const uint32_t *page;
static const volatile struct vmclock_abi *vmclock;
static uint32_t helper_gen;		/* what the read() helper saw last */
static int64_t helper_woke = -1;	/* when its read() returned first */
static int stop, go;
static unsigned int cap = 300;
static long pace_ns = 200000;

static uint32_t current_gen(const struct gen *g)
{
	switch (g->kind) {
	case PAGE:
	case FIFO_PAGE:
		return __atomic_load_n(page, __ATOMIC_ACQUIRE);
	case THREAD:
		return __atomic_load_n(&helper_gen, __ATOMIC_ACQUIRE);
	case VMCLOCK:	/* written before the vCPUs run: no seq_count needed */
		return (uint32_t)vmclock->vm_generation_counter;
	default:
		return g->gen;
	}
}

static int reseeds(enum kind k)
{
	return k == PAGE || k == THREAD || k == VMCLOCK || k == FIFO_PAGE;
}

static int spins(enum kind k)
{
	return k == FIFO_PAGE || k == FIFO_GETRANDOM || k == FIFO_KERNEL;
}

/* One output of a generator that does not keep state of its own. */
static uint64_t draw(struct gen *g)
{
	char buf[40];
	uint64_t v = 0;

	switch (g->kind) {
	case GETRANDOM:
	case FIFO_GETRANDOM:
		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			exit(2);
		break;
	case VDSO:
		if (vgetrandom(&v, sizeof(v), 0, vstate, vstate_size) != sizeof(v))
			exit(2);
		break;
	case UUID:	/* 8 of its hex digits: 32 random bits */
		if (pread(g->fd, buf, 36, 0) != 36)
			exit(2);
		buf[8] = 0;
		v = strtoull(buf, NULL, 16);
		break;
	case KERNEL:
	case FIFO_KERNEL:
		if (read(g->fd, &v, sizeof(v)) != sizeof(v))
			exit(2);
		break;
	default:
		v = next(g->s);
	}
	return v;
}

static void record(struct rec *r, unsigned int *n, uint64_t v, int64_t t, int seen)
{
	r[*n].v = v;
	r[*n].t = t;
	r[*n].seen = seen;
	(*n)++;
}

/* An output after the resume: up to cap of each side of SEEN. */
static void output(struct gen *g, uint64_t v, int64_t t, int seen)
{
	if (g->nseen[seen] < cap) {
		g->nseen[seen]++;
		record(g->rec, &g->n, v, t, seen);
	}
}

static void *generate(void *arg)
{
	struct timespec pace = { 0, pace_ns };
	struct gen *g = arg;
	uint32_t now_gen;
	uint64_t v;
	int64_t t;
	int moved, seen;

	if (spins(g->kind)) {
		struct sched_param sp = { .sched_priority = 10 };

		while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
			nanosleep(&pace, NULL);
		if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &sp))
			exit(2);
		g->fifo = 1;
	}
	while (!__atomic_load_n(&stop, __ATOMIC_RELAXED)) {
		t = now_ns();
		/* Ground truth first: the output is "after the resume" if
		 * the hypervisor's new ID was visible before it was made. */
		moved = gt_moved();
		if (g->fifo && moved && g->t_first_new >= 0 &&
		    t - g->t_first_new > 2000000000LL) {
			/*
			 * Two seconds of spinning after the resume are enough:
			 * a restored guest need not give SCHED_OTHER its share
			 * of the CPU back at once (the fair server's timer).
			 */
			struct sched_param sp = { .sched_priority = 0 };

			pthread_setschedparam(pthread_self(), SCHED_OTHER, &sp);
			g->fifo = 0;
		}
		if (g->kind == FIFO_KERNEL && !moved)
			continue;	/* spin: nothing but loads until then */
		if (reseeds(g->kind)) {
			now_gen = current_gen(g);
			if (now_gen != g->gen) {
				seed(g->s);	/* restored: the state is shared */
				g->gen = now_gen;
				/*
				 * A key taken after the resume, even when the
				 * snapshot fell between the look at the ground
				 * truth above and the one at the generation.
				 */
				if (g->nk < cap && gt_moved())
					record(g->key, &g->nk, g->s[0], now_ns(), 1);
				if (g->t_seen < 0)
					g->t_seen = t;
			}
			seen = g->t_seen >= 0;
		} else if (g->kind == NAIVE) {
			seen = 0;	/* it never reseeds: keep its first CAP */
		} else {
			seen = __atomic_load_n(&helper_woke, __ATOMIC_RELAXED) >= 0;
		}
		if (g->kind == FIFO_PAGE && !moved)
			continue;	/* spin, and take a key the moment it moves */
		if (g->kind == FIFO_PAGE && g->t_first_new < 0)
			g->t_first_new = t;
		v = draw(g);
		if (!moved) {
			g->t_last_old = t;
		} else {
			if (g->t_first_new < 0)
				g->t_first_new = t;
			output(g, v, t, seen);
			if (g->also)
				output(g->also, draw(g->also), t, seen);
			/*
			 * Done, and let everything else run: fifo-rng after its
			 * first CAP outputs, fifo-page once it took its key and
			 * made CAP outputs with it.
			 */
			if (g->kind == FIFO_KERNEL && g->n == cap)
				break;
			if (g->kind == FIFO_PAGE && g->nseen[1] == cap)
				break;
		}
		if (!g->fifo)
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
			__atomic_store_n(&helper_woke, now_ns(), __ATOMIC_RELAXED);
		__atomic_store_n(&helper_gen, v, __ATOMIC_RELEASE);
		if (write(fd, &v, sizeof(v)) != sizeof(v))
			continue;	/* moved again meanwhile: read anew */
	}
	return NULL;
}

static int all_done(struct gen *g, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (g[i].kind == FIFO_GETRANDOM || g[i].kind == FIFO_KERNEL) {
			if (g[i].n < cap)
				return 0;
			continue;
		}
		if (g[i].nseen[g[i].kind != NAIVE] < cap ||
		    (reseeds(g[i].kind) && g[i].t_seen < 0))
			return 0;
	}
	return 1;
}

static int window(const char *fifo)
{
	struct gen all[] = {
		{ .name = "naive", .kind = NAIVE },
		{ .name = "page", .kind = PAGE },
		{ .name = "thread", .kind = THREAD },
		{ .name = "vmclock", .kind = VMCLOCK },
		{ .name = "getrandom", .kind = GETRANDOM },
		{ .name = "vdso", .kind = VDSO },
		{ .name = "uuid", .kind = UUID },
		{ .name = "kernel", .kind = KERNEL },
		{ .name = "fifo-page", .kind = FIFO_PAGE },
		{ .name = "fifo-rng", .kind = FIFO_KERNEL },
		{ .name = "fifo-getrandom", .kind = FIFO_GETRANDOM },
	};
	struct gen g[sizeof(all) / sizeof(all[0])];
	int64_t r = INT64_MAX, l = -1, deadline;
	int ng = 0, na = sizeof(all) / sizeof(all[0]);
	unsigned char after[16];
	int kfd, ufd, fd, i;
	pthread_t ht;
	uint64_t phys;
	long psz = sysconf(_SC_PAGESIZE);
	unsigned int j;
	void *m;

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
	kfd = open("/dev/rngprobe", O_RDONLY);
	ufd = open("/proc/sys/kernel/random/uuid", O_RDONLY);
	vdso_setup();
	printf("WIN vmclock %s\n", vmclock ? "yes" : "no");
	printf("WIN vdso %s\n", vgetrandom ? "yes" : "no");
	printf("WIN kernel %s\n", kfd >= 0 ? "yes" : "no");

	page = map_page();
	helper_gen = *page;
	fd = open_dev(O_RDWR);
	if (pthread_create(&ht, NULL, helper, &fd))
		return 2;
	for (i = 0; i < na; i++) {
		enum kind k = all[i].kind;

		if ((k == VMCLOCK && !vmclock) || (k == VDSO && !vgetrandom) ||
		    ((k == KERNEL || k == FIFO_KERNEL) && kfd < 0) || (k == UUID && ufd < 0) ||
		    k == FIFO_GETRANDOM || (spins(k) && (!fifo || strcmp(fifo, all[i].name))))
			continue;
		g[ng] = all[i];
		g[ng].t_seen = g[ng].t_first_new = g[ng].t_last_old = -1;
		g[ng].fd = k == UUID ? ufd : kfd;
		g[ng].rec = calloc(2 * cap, sizeof(*g[ng].rec));
		g[ng].key = calloc(cap, sizeof(*g[ng].key));
		seed(g[ng].s);
		g[ng].gen = current_gen(&g[ng]);
		if (!g[ng].rec || !g[ng].key)
			return 2;
		if (k == FIFO_KERNEL) {
			/* Its sibling: not a thread, fifo-rng's second draw. */
			g[ng].name = "fifo-kernel";
			g[ng + 1] = all[i + 1];
			g[ng + 1].t_seen = g[ng + 1].t_first_new = g[ng + 1].t_last_old = -1;
			g[ng + 1].rec = calloc(2 * cap, sizeof(*g[ng].rec));
			g[ng + 1].key = calloc(cap, sizeof(*g[ng].key));
			if (!g[ng + 1].rec || !g[ng + 1].key)
				return 2;
			g[ng].also = &g[ng + 1];
			ng++;
		}
		ng++;
	}
	for (i = 0; i < ng; i++)
		if (g[i].kind != FIFO_GETRANDOM &&
		    pthread_create(&g[i].thread, NULL, generate, &g[i]))
			return 2;
	printf("WIN READY generation %" PRIu32 "\n", *page);
	fflush(stdout);
	/* The spinning client spins from now on. */
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);

	while (!gt_moved())
		usleep(10000);
	deadline = now_ns() + 5000000000LL;
	while (!all_done(g, ng) && now_ns() < deadline)
		usleep(10000);
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	for (i = 0; i < ng; i++) {
		if (g[i].kind != FIFO_GETRANDOM)
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
	printf("WIN helper-woke-us %" PRId64 "\n",
	       helper_woke < 0 ? -1 : (helper_woke - r) / 1000);
	for (i = 0; i < ng; i++)
		printf("GEN %s seen %" PRId64 " outs %u\n", g[i].name,
		       g[i].t_seen < 0 ? -1 : (g[i].t_seen - r) / 1000, g[i].n);
	for (i = 0; i < ng; i++) {
		for (j = 0; j < g[i].n; j++)
			printf("O %s %d %" PRId64 " %016" PRIx64 "\n", g[i].name,
			       g[i].rec[j].seen, (g[i].rec[j].t - r) / 1000, g[i].rec[j].v);
		for (j = 0; j < g[i].nk; j++)
			printf("K %s %" PRId64 " %016" PRIx64 "\n", g[i].name,
			       (g[i].key[j].t - r) / 1000, g[i].key[j].v);
	}
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

static int slowack(long ms)
{
	int fd = open_dev(O_RDWR);
	uint32_t gen;

	if (ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL) ||
	    read(fd, &gen, sizeof(gen)) != sizeof(gen)) {
		perror("slowack");
		return 2;
	}
	usleep(ms * 1000);
	if (write(fd, &gen, sizeof(gen)) != sizeof(gen)) {
		perror("slowack: write");
		return 2;
	}
	printf("ACKED %" PRIu32 "\n", gen);
	return 0;
}

static int map_only(void)
{
	const uint32_t *p = map_page();
	uint32_t g0 = *p;

	while (__atomic_load_n(p, __ATOMIC_ACQUIRE) == g0)
		usleep(20000);
	return 0;
}

/* Every value the page takes, and whether it ever goes back (serially). */
static int pagelog(long ms)
{
	const uint32_t *p = map_page();
	uint32_t last = *p, v;
	int64_t end = now_ns() + ms * 1000000LL;

	printf("PAGE %" PRIu32 "\n", last);
	while (now_ns() < end) {
		v = __atomic_load_n(p, __ATOMIC_ACQUIRE);
		if (v != last) {
			printf("PAGE %" PRIu32 "%s\n", v, (int32_t)(v - last) < 0 ? " BACK" : "");
			last = v;
		}
		usleep(200);
	}
	printf("PAGE END %" PRIu32 "\n", last);
	return 0;
}

static int bench(long n, int reps)
{
	unsigned char buf[16];
	int64_t t;
	long i;
	int r;

	vdso_setup();
	for (r = 0; r < reps; r++) {
		t = now_ns();
		for (i = 0; i < n; i++)
			if (getrandom(buf, sizeof(buf), 0) != sizeof(buf))
				return 2;
		printf("BENCH getrandom %d %.1f\n", r, (now_ns() - t) / (double)n);
		if (!vgetrandom)
			continue;
		t = now_ns();
		for (i = 0; i < n; i++)
			if (vgetrandom(buf, sizeof(buf), 0, vstate, vstate_size) != sizeof(buf))
				return 2;
		printf("BENCH vdso %d %.1f\n", r, (now_ns() - t) / (double)n);
	}
	return 0;
}

/* The MSI-X capability's Message Control: bit 14 masks every vector. */
static int msix(const char *dev, int mask)
{
	unsigned char cfg[256];
	char path[300];
	uint16_t ctl;
	int fd, pos;

	snprintf(path, sizeof(path), "%s/config", dev);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, cfg, sizeof(cfg), 0) != sizeof(cfg)) {
		perror(path);
		return 2;
	}
	for (pos = cfg[0x34] & ~3; pos && cfg[pos] != 0x11; pos = cfg[pos + 1] & ~3)
		;
	if (!pos) {
		fprintf(stderr, "%s: no MSI-X capability\n", dev);
		return 2;
	}
	ctl = cfg[pos + 2] | cfg[pos + 3] << 8;
	ctl = mask ? ctl | 0x4000 : ctl & ~0x4000;
	if (pwrite(fd, &ctl, sizeof(ctl), pos + 2) != sizeof(ctl)) {
		perror(path);
		return 2;
	}
	close(fd);
	return 0;
}

static int fifo(char **argv, int spin)
{
	struct sched_param sp = { .sched_priority = 20 };
	const uint32_t *p = spin ? map_page() : NULL;
	uint32_t g0 = p ? *p : 0;

	if (sched_setscheduler(0, SCHED_FIFO, &sp)) {
		perror("SCHED_FIFO");
		return 2;
	}
	while (p && __atomic_load_n(p, __ATOMIC_ACQUIRE) == g0)
		;
	execvp(argv[0], argv);
	perror(argv[0]);
	return 2;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 2 && argc <= 5 && !strcmp(argv[1], "window")) {
		if (argc >= 3)
			cap = atoi(argv[2]);
		if (argc >= 4)
			pace_ns = atol(argv[3]) * 1000;
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
		return window(argc == 5 ? argv[4] : NULL);
	}
	if (argc == 2 && !strcmp(argv[1], "watcher"))
		return watcher(1);
	if (argc == 2 && !strcmp(argv[1], "stuck"))
		return watcher(0);
	if (argc == 3 && !strcmp(argv[1], "slowack"))
		return slowack(atol(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "map"))
		return map_only();
	if (argc == 3 && !strcmp(argv[1], "pagelog"))
		return pagelog(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "msix") && strstr("mask unmask", argv[3]))
		return msix(argv[2], !strcmp(argv[3], "mask"));
	if (argc >= 3 && !strcmp(argv[1], "fifo"))
		return fifo(argv + 2, 0);
	if (argc >= 3 && !strcmp(argv[1], "fifopage"))
		return fifo(argv + 2, 1);
	if (argc == 4 && !strcmp(argv[1], "bench"))
		return bench(atol(argv[2]), atoi(argv[3]));
	fprintf(stderr, "usage: snaprng window [CAP [PACE_US [fifo-page|fifo-rng]]] | watcher | stuck | slowack MS | map | pagelog MS | msix DEV mask|unmask | fifo CMD... | fifopage CMD... | bench N REPS\n");
	return 2;
}
