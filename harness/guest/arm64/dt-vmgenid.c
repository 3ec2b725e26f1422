// SPDX-License-Identifier: GPL-2.0
/*
 * PID 1 of the arm64 devicetree guest, built with the tree's nolibc.
 *
 * It plays the hypervisor of a devicetree vmgenid: it writes a new 16-byte
 * VM Generation ID into the node's memory through /dev/mem and raises the
 * node's edge-triggered SPI by setting it pending in the GIC distributor
 * (GICD_ISPENDR), then checks what /dev/sysgenid reports. VMGENID_PA,
 * GICD_PA and VMGENID_SPI come from the stage, which wrote the same numbers
 * into the devicetree. Results go to the console as "DT OK|FAIL what",
 * then the kernel log as "DMESG message" lines and "DT END <failures>",
 * and the guest powers off.
 */
#include <linux/sysgenid.h>

#define STR_(x) #x
#define STR(x) STR_(x)

static int fails;

/* One console line in one write(), so that it is not cut in pieces. */
static void line(const char *s)
{
	write(1, s, strlen(s));
}

/* One result; n, when not -1u, is the value the check looked at. */
static void result(int good, const char *what, unsigned int n)
{
	char buf[256];

	if (n == -1u)
		snprintf(buf, sizeof(buf), "DT %s %s\n", good ? "OK" : "FAIL", what);
	else
		snprintf(buf, sizeof(buf), "DT %s %s %u\n", good ? "OK" : "FAIL", what, n);
	line(buf);
	fails += !good;
}

/*
 * The whole kernel log as "DMESG message" lines: the console only shows
 * what is above loglevel 5 (warnings and worse), so that kernel messages
 * do not cut the results in pieces while the checks run.
 */
static void dump_kmsg(void)
{
	static char rec[2048], buf[2100];
	char *msg, *end;
	ssize_t n;
	int fd;

	fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);
	if (fd < 0)
		return;
	while ((n = read(fd, rec, sizeof(rec) - 1)) > 0 || (n < 0 && errno == EPIPE)) {
		if (n < 0)
			continue;
		rec[n] = 0;
		msg = strchr(rec, ';');
		if (!msg)
			continue;
		end = strchr(++msg, '\n');
		if (end)
			*end = 0;
		snprintf(buf, sizeof(buf), "DMESG %s\n", msg);
		line(buf);
	}
	close(fd);
}

static volatile unsigned int *devmem(int memfd, unsigned long pa)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, pa);

	return p == MAP_FAILED ? NULL : p;
}

/* The count on the vmgenid line of /proc/interrupts (one CPU), or -1. */
static long vmgenid_irqs(void)
{
	static char buf[16384];
	char *line, *end, *colon;
	ssize_t n;
	int fd;

	fd = open("/proc/interrupts", O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	for (line = buf; *line; line = end + 1) {
		end = strchr(line, '\n');
		if (!end)
			break;
		*end = 0;
		colon = strchr(line, ':');
		if (colon && strstr(line, "vmgenid"))
			return strtol(colon + 1, NULL, 10);
	}
	return -1;
}

/* What a hypervisor does on a restore: a new identifier, then the line. */
static void new_id(volatile unsigned int *id, unsigned int seed)
{
	int i;

	for (i = 0; i < 4; i++)
		id[i] = 0x5ca1ab1e ^ (seed * 0x01010101u) ^ i;
}

static void raise_spi(volatile unsigned int *gicd)
{
	unsigned int intid = 32 + VMGENID_SPI;

	gicd[(0x200 + intid / 32 * 4) / 4] = 1u << (intid % 32);
}

static int readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

int main(void)
{
	volatile unsigned int *id, *gicd;
	volatile unsigned int *page;
	unsigned int g, gen;
	int fd, memfd, con, ok;
	char msgbuf[32];
	long irqs;

	mount("dev", "/dev", "devtmpfs", 0, NULL);
	mount("proc", "/proc", "proc", 0, NULL);
	mount("sys", "/sys", "sysfs", 0, NULL);
	con = open("/dev/console", O_RDWR);
	if (con >= 0) {
		dup2(con, 1);
		dup2(con, 2);
	}

	result(access("/sys/bus/platform/drivers/vmgenid/" STR(VMGENID_NODE), F_OK) == 0,
	       "vmgenid bound to the devicetree node", -1u);
	fd = open("/dev/sysgenid", O_RDWR);
	memfd = open("/dev/mem", O_RDWR | O_SYNC);
	id = memfd < 0 ? NULL : devmem(memfd, VMGENID_PA);
	gicd = memfd < 0 ? NULL : devmem(memfd, GICD_PA);
	page = fd < 0 ? MAP_FAILED : mmap(NULL, 4, PROT_READ, MAP_SHARED, fd, 0);
	if (fd < 0 || !id || !gicd || page == MAP_FAILED) {
		result(0, "setup: /dev/sysgenid, /dev/mem and the mappings", -1u);
		goto out;
	}
	irqs = vmgenid_irqs();
	result(irqs == 0, "vmgenid interrupt requested, not raised yet: count", irqs);

	/* The line raised with the identifier unchanged: no new generation. */
	raise_spi(gicd);
	ok = !readable(fd, 1000) && *page == 0;
	result(ok, "same identifier, interrupt raised: generation stays", *page);
	irqs = vmgenid_irqs();
	result(irqs == 1, "the interrupt was delivered and handled: count", irqs);

	/* A new identifier, then the line: exactly one generation each time. */
	for (g = 1; g <= 2; g++) {
		new_id(id, g);
		raise_spi(gicd);
		gen = -1u;
		ok = readable(fd, 10000) && read(fd, &gen, 4) == 4 && gen == g &&
		     *page == g && write(fd, &gen, 4) == 4;
		result(ok, "new identifier, interrupt raised: read, page and ack at generation", gen);
	}
	ok = !readable(fd, 500) && *page == 2;
	result(ok, "no further change: generation stays", *page);
	irqs = vmgenid_irqs();
	result(irqs == 3, "interrupts handled in all: count", irqs);
out:
	dump_kmsg();
	snprintf(msgbuf, sizeof(msgbuf), "DT END %d\n", fails);
	line(msgbuf);
	reboot(LINUX_REBOOT_CMD_POWER_OFF);
	return 0;
}
