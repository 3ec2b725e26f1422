// SPDX-License-Identifier: GPL-2.0
/*
 * The vmclock device as the vmclock scenarios see it, through ptp_vmclock's
 * own /dev/vmclock0 (not through sysgenid):
 *   vmclock get    print "<vm_generation_counter> <disruption_marker> <flags>"
 *                  from the mapped page, read consistently with seq_count
 *   vmclock poll   report every POLLIN of /dev/vmclock0 as
 *                  "VMCLOCK POLLIN gen <counter>", forever
 * Exits 1 with a message if the device or a call fails.
 */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/vmclock-abi.h>

static const volatile struct vmclock_abi *clk;

static void die(const char *what)
{
	perror(what);
	exit(1);
}

/* The counter and marker of one consistent version of the page. */
static void sample(unsigned long long *gen, unsigned long long *marker)
{
	unsigned int seq;

	do {
		seq = clk->seq_count & ~1U;
		__sync_synchronize();
		*gen = clk->vm_generation_counter;
		*marker = clk->disruption_marker;
		__sync_synchronize();
	} while (seq != clk->seq_count);
}

int main(int argc, char **argv)
{
	unsigned long long gen, marker;
	static char page[4096];
	struct pollfd p;
	int fd;

	if (argc != 2 || (strcmp(argv[1], "get") && strcmp(argv[1], "poll"))) {
		fprintf(stderr, "usage: vmclock get|poll\n");
		return 2;
	}
	fd = open("/dev/vmclock0", O_RDONLY);
	if (fd < 0)
		die("/dev/vmclock0");
	clk = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	if (clk == MAP_FAILED)
		die("mmap");
	if (!strcmp(argv[1], "get")) {
		sample(&gen, &marker);
		printf("%llu %llu %#llx\n", gen, marker,
		       (unsigned long long)clk->flags);
		return 0;
	}
	/* A read() records the version this file has seen: poll() then
	 * reports only later updates. Always from offset 0: at the end of
	 * the page read() returns 0 and records nothing.
	 */
	if (pread(fd, page, sizeof(page), 0) < 0)
		die("read");
	p.fd = fd;
	p.events = POLLIN;
	for (;;) {
		if (poll(&p, 1, -1) < 0)
			die("poll");
		if (p.revents & (POLLHUP | POLLERR)) {
			printf("VMCLOCK POLLHUP\n");
			return 1;
		}
		if (pread(fd, page, sizeof(page), 0) <= 0)
			die("read");
		sample(&gen, &marker);
		printf("VMCLOCK POLLIN gen %llu\n", gen);
		fflush(stdout);
	}
}
