// SPDX-License-Identifier: GPL-2.0
/*
 * sysgenid - read, watch, acknowledge and move the System Generation ID
 *
 * A small tool for control planes, shell scripts and tests; see
 * Documentation/misc-devices/sysgenid.rst for the interface it uses.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <linux/sysgenid.h>

static const char *dev = "/dev/sysgenid";

static const char usage[] =
"usage: sysgenid [--device PATH] COMMAND [OPTIONS]\n"
"\n"
"Read, watch, acknowledge and move the System Generation ID, a counter\n"
"that changes every time the system is restored from a snapshot.\n"
"\n"
"Commands:\n"
"  get                      print the generation the kernel has counted\n"
"                           (the page may already show a restore that\n"
"                           the kernel has not handled yet)\n"
"  watch [--ack] [--track] [--method read|poll|mmap] [--count N]\n"
"                           block until the generation changes and print\n"
"                           each new generation; --ack acknowledges it,\n"
"                           --track counts this watcher for 'wait',\n"
"                           --count stops after N changes\n"
"  ack                      acknowledge the current generation on a new\n"
"                           descriptor and print it\n"
"  trigger [--min N]        move the generation to max(current + 1, N);\n"
"                           needs CAP_CHECKPOINT_RESTORE or CAP_SYS_ADMIN\n"
"  wait [--after GEN] [--timeout MS]\n"
"                           wait until every tracked watcher acknowledged\n"
"                           the current generation (0: no timeout); with\n"
"                           --after, first wait until the kernel's\n"
"                           generation is no longer GEN, the one seen\n"
"                           before the snapshot\n"
"\n"
"Exit status: 0 success, 1 'wait' timed out, 2 usage or system error.\n";

static int fail(const char *what)
{
	int err = errno;

	fprintf(stderr, "sysgenid: %s: %s", what, strerror(err));
	if (err == ENOENT && !strcmp(what, dev))
		fprintf(stderr, " (kernel without CONFIG_SYSGENID?)");
	fprintf(stderr, "\n");
	return 2;
}

static int bad_usage(const char *msg)
{
	if (msg)
		fprintf(stderr, "sysgenid: %s\n", msg);
	fputs(usage, stderr);
	return 2;
}

/* Parse a decimal or 0x-prefixed unsigned number up to max. */
static int parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end;

	if (!s || !*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 0);
	return errno || *end || *out > max ? -1 : 0;
}

static int open_dev(int flags)
{
	int fd = open(dev, flags | O_CLOEXEC);

	if (fd < 0)
		exit(fail(dev));
	return fd;
}

static uint32_t read_gen(int fd)
{
	uint32_t gen;

	if (read(fd, &gen, sizeof(gen)) != sizeof(gen))
		exit(fail("read"));
	return gen;
}

/*
 * The generation the kernel has counted, from the descriptor's fdinfo. The
 * page can be ahead of it: a device may store a restore's generation there
 * before the kernel handled the restore, which is what the kernel's view
 * is for (the restore's bump makes watchers outdated).
 */
static uint32_t kernel_gen(int fd)
{
	char path[64], line[128];
	unsigned int gen;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		exit(fail(path));
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "sysgenid-generation: %u", &gen) == 1) {
			fclose(f);
			return gen;
		}
	}
	fclose(f);
	errno = ENODATA;
	exit(fail(path));
}

static int cmd_get(void)
{
	printf("%u\n", kernel_gen(open_dev(O_RDONLY)));
	return 0;
}

static int cmd_ack(void)
{
	int fd = open_dev(O_RDWR);
	uint32_t gen = kernel_gen(fd);

	if (write(fd, &gen, sizeof(gen)) != sizeof(gen))
		return fail("write");
	printf("%u\n", gen);
	return 0;
}

enum method { M_READ, M_POLL, M_MMAP };

static int cmd_watch(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ack", no_argument, NULL, 'a' },
		{ "track", no_argument, NULL, 't' },
		{ "method", required_argument, NULL, 'm' },
		{ "count", required_argument, NULL, 'c' },
		{}
	};
	unsigned long long count = 0, seen = 0;
	enum method method = M_READ;
	bool ack = false, track = false;
	uint32_t gen, *page = NULL;
	int fd, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			ack = true;
			break;
		case 't':
			track = true;
			break;
		case 'm':
			if (!strcmp(optarg, "read"))
				method = M_READ;
			else if (!strcmp(optarg, "poll"))
				method = M_POLL;
			else if (!strcmp(optarg, "mmap"))
				method = M_MMAP;
			else
				return bad_usage("--method: read, poll or mmap");
			break;
		case 'c':
			if (parse_num(optarg, ULLONG_MAX, &count))
				return bad_usage("--count: not a number");
			break;
		default:
			return bad_usage(NULL);
		}
	}
	if (optind != argc)
		return bad_usage("watch: unexpected argument");

	/* Tracking needs a file that can acknowledge. */
	fd = open_dev(ack || track ? O_RDWR : O_RDONLY);
	if (track && ioctl(fd, SYSGENID_SET_WATCHER_TRACKING, 1UL))
		return fail("SYSGENID_SET_WATCHER_TRACKING");
	if (method == M_MMAP) {
		page = mmap(NULL, sizeof(*page), PROT_READ, MAP_SHARED, fd, 0);
		if (page == MAP_FAILED)
			return fail("mmap");
		gen = __atomic_load_n(page, __ATOMIC_RELAXED);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!count || seen < count) {
		if (method == M_POLL) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (poll(&p, 1, -1) != 1)
				return fail("poll");
			gen = read_gen(fd);
		} else if (method == M_MMAP) {
			/* A library's view: nothing but loads of the page. */
			while (__atomic_load_n(page, __ATOMIC_RELAXED) == gen)
				usleep(1000);
			gen = __atomic_load_n(page, __ATOMIC_RELAXED);
		} else {
			gen = read_gen(fd);
		}
		printf("%u\n", gen);
		if (ack && write(fd, &gen, sizeof(gen)) != sizeof(gen) && errno != EINVAL)
			return fail("write");
		seen++;
	}
	return 0;
}

static int cmd_trigger(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "min", required_argument, NULL, 'm' },
		{}
	};
	unsigned long long min = 0;
	int fd, c;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'm')
			return bad_usage(NULL);
		if (parse_num(optarg, UINT32_MAX, &min))
			return bad_usage("--min: not a number from 0 to 4294967295");
	}
	if (optind != argc)
		return bad_usage("trigger: unexpected argument");
	fd = open_dev(O_RDONLY);
	if (ioctl(fd, SYSGENID_TRIGGER_GEN_UPDATE, (unsigned long)min))
		return fail("SYSGENID_TRIGGER_GEN_UPDATE");
	return 0;
}

/*
 * Block until the kernel's generation is no longer @before: until the
 * kernel handled the restore, not merely until a device stored it in the
 * page. The descriptor is opened before the generation is looked at, so a
 * change between the look and the poll() is not lost: the descriptor is
 * outdated then, and poll() returns at once.
 */
static int wait_for_change(uint32_t before, int timeout_ms)
{
	int fd = open_dev(O_RDONLY);
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int ret;

	ret = kernel_gen(fd) != before;
	if (!ret)
		ret = poll(&p, 1, timeout_ms ? timeout_ms : -1);
	close(fd);
	if (ret < 0)
		return fail("poll");
	if (!ret) {
		fprintf(stderr, "sysgenid: wait: still at generation %u after %d ms\n",
			before, timeout_ms);
		return 1;
	}
	return 0;
}

static int cmd_wait(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "after", required_argument, NULL, 'a' },
		{ "timeout", required_argument, NULL, 't' },
		{}
	};
	unsigned long long timeout = 0, after = 0;
	bool have_after = false;
	int fd, c, ret;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'a':
			if (parse_num(optarg, UINT32_MAX, &after))
				return bad_usage("--after: not a number from 0 to 4294967295");
			have_after = true;
			break;
		case 't':
			if (parse_num(optarg, INT_MAX, &timeout))
				return bad_usage("--timeout: not a number of milliseconds");
			break;
		default:
			return bad_usage(NULL);
		}
	}
	if (optind != argc)
		return bad_usage("wait: unexpected argument");
	if (have_after) {
		ret = wait_for_change(after, timeout);
		if (ret)
			return ret;
	}
	for (;;) {
		/* A new descriptor has nothing of its own to acknowledge. */
		fd = open_dev(O_RDONLY);
		if (!ioctl(fd, SYSGENID_WAIT_WATCHERS, (unsigned long)timeout))
			return 0;
		if (errno == ETIME) {
			fprintf(stderr, "sysgenid: wait: timed out after %llu ms\n", timeout);
			return 1;
		}
		if (errno != ESTALE && errno != EINTR)
			return fail("SYSGENID_WAIT_WATCHERS");
		/* The generation changed again while waiting: start over. */
		close(fd);
	}
}

int main(int argc, char **argv)
{
	const char *cmd;

	if (argc > 2 && !strcmp(argv[1], "--device")) {
		dev = argv[2];
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		return bad_usage(NULL);
	cmd = argv[1];
	argc--;
	argv++;
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage, stdout);
		return 0;
	}
	if (!strcmp(cmd, "get") && argc == 1)
		return cmd_get();
	if (!strcmp(cmd, "ack") && argc == 1)
		return cmd_ack();
	if (!strcmp(cmd, "watch"))
		return cmd_watch(argc, argv);
	if (!strcmp(cmd, "trigger"))
		return cmd_trigger(argc, argv);
	if (!strcmp(cmd, "wait"))
		return cmd_wait(argc, argv);
	return bad_usage("unknown command or extra argument");
}
