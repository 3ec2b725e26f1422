// SPDX-License-Identifier: GPL-2.0
/*
 * The demo workload: what a userspace random/UUID generator does across a
 * snapshot restore, with and without the System Generation ID.
 *
 *   snaprng naive N    seed once from getrandom(), wait for /tmp/go, print
 *                      N UUIDs: clones of one snapshot print the same ones
 *   snaprng safe N     the same, but check the mapped generation on every
 *                      call and reseed when it changed: clones diverge
 *   snaprng watcher    a tracked watcher: on every new generation derive a
 *                      new secret, acknowledge, print what it did and when
 *   snaprng stuck      a tracked watcher that never acknowledges
 */
#include <fcntl.h>
#include <inttypes.h>
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

static uint64_t s[2];
static const uint32_t *genp;
static uint32_t seen_gen;
static unsigned int reseeds;

static void seed(void)
{
	if (getrandom(s, sizeof(s), 0) != sizeof(s)) {
		perror("getrandom");
		exit(2);
	}
	if (genp)
		seen_gen = __atomic_load_n(genp, __ATOMIC_RELAXED);
}

/* xorshift128+: fast, and entirely determined by its state. */
static uint64_t next(void)
{
	uint64_t a = s[0], b = s[1];

	if (genp && __atomic_load_n(genp, __ATOMIC_RELAXED) != seen_gen) {
		seed();		/* Restored from a snapshot: the state is shared. */
		reseeds++;
		a = s[0];
		b = s[1];
	}
	s[0] = b;
	a ^= a << 23;
	s[1] = a ^ b ^ (a >> 17) ^ (b >> 26);
	return s[1] + b;
}

static void uuid(char *out)
{
	uint64_t hi = next(), lo = next();

	hi = (hi & ~0xf000ULL) | 0x4000ULL;
	lo = (lo & ~(3ULL << 62)) | (2ULL << 62);
	sprintf(out, "%08" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%04" PRIx64 "-%012" PRIx64,
		hi >> 32, (hi >> 16) & 0xffff, hi & 0xffff, lo >> 48, (uint64_t)(lo & 0xffffffffffffULL));
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
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

static int generator(int safe, int n)
{
	char id[40];
	int fd, i;

	if (safe) {
		fd = open_dev(O_RDONLY);
		genp = mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
		if (genp == MAP_FAILED) {
			perror("mmap");
			return 2;
		}
		close(fd);
	}
	seed();
	while (access("/tmp/go", F_OK))
		usleep(20000);
	for (i = 0; i < n; i++) {
		uuid(id);
		printf("%s\n", id);
	}
	if (safe)
		printf("reseeded %u time(s)\n", reseeds);
	return 0;
}

static int watcher(int acks)
{
	int fd = open_dev(O_RDWR);
	unsigned char secret[8];
	uint32_t gen;
	double t0;

	setvbuf(stdout, NULL, _IOLBF, 0);
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

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "naive"))
		return generator(0, atoi(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "safe"))
		return generator(1, atoi(argv[2]));
	if (argc == 2 && !strcmp(argv[1], "watcher"))
		return watcher(1);
	if (argc == 2 && !strcmp(argv[1], "stuck"))
		return watcher(0);
	fprintf(stderr, "usage: snaprng naive|safe N | watcher | stuck\n");
	return 2;
}
