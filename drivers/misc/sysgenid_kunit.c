// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the System Generation ID driver: watcher accounting and
 * the arithmetic of an update. The tests drive private states through the
 * driver's own accounting functions, without a device node.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/hrtimer.h>
#include <linux/irqflags.h>
#include <linux/kthread.h>
#include <linux/random.h>

#include "sysgenid_internal.h"

MODULE_IMPORT_NS("EXPORTED_FOR_KUNIT_TESTING");

static struct sysgenid_state *new_state(struct kunit *test)
{
	struct sysgenid_state *st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, st);
	spin_lock_init(&st->lock);
	init_waitqueue_head(&st->read_wq);
	init_waitqueue_head(&st->outdated_wq);
	return st;
}

/* A macro, so that a failure reports the caller's line. */
#define EXPECT_COUNTS(test, st, t, o) do {				\
	struct kunit *__test = (test);					\
	const struct sysgenid_state *__st = (st);			\
									\
	KUNIT_EXPECT_EQ(__test, __st->tracked, (unsigned int)(t));	\
	KUNIT_EXPECT_EQ(__test, __st->outdated, (unsigned int)(o));	\
} while (0)

/* Open a watcher and opt it into tracking, as most cases start. */
static void open_tracked(struct sysgenid_state *st, struct sysgenid_watcher *w)
{
	sysgenid_watcher_open(st, w);
	sysgenid_watcher_set_tracking(st, w, true);
}

static bool outdated(struct sysgenid_state *st, struct sysgenid_watcher *w)
{
	u32 gen;

	return sysgenid_watcher_outdated(st, w, &gen);
}

static void sysgenid_open_close(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	sysgenid_state_bump(st, 0);
	sysgenid_watcher_open(st, &w);
	KUNIT_EXPECT_EQ(test, w.acked, st->seq);
	KUNIT_EXPECT_FALSE(test, w.tracked);
	KUNIT_EXPECT_FALSE(test, outdated(st, &w));
	EXPECT_COUNTS(test, st, 0, 0);
	sysgenid_watcher_release(st, &w);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_track_bump_ack(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	open_tracked(st, &w);
	EXPECT_COUNTS(test, st, 1, 0);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 1U);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_TRUE(test, outdated(st, &w));
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 1), 0);
	EXPECT_COUNTS(test, st, 1, 0);
	KUNIT_EXPECT_FALSE(test, outdated(st, &w));
	sysgenid_watcher_release(st, &w);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_double_ack(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher a, b;

	open_tracked(st, &a);
	open_tracked(st, &b);
	sysgenid_state_bump(st, 0);
	EXPECT_COUNTS(test, st, 2, 2);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &a, 1), 0);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &a, 1), 0);
	/* The second ack must not count b as acknowledged. */
	EXPECT_COUNTS(test, st, 2, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &b, 1), 0);
	EXPECT_COUNTS(test, st, 2, 0);
	sysgenid_watcher_release(st, &a);
	sysgenid_watcher_release(st, &b);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_stale_ack(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	open_tracked(st, &w);
	sysgenid_state_bump(st, 0);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 0), -EINVAL);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 2), -EINVAL);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, w.acked, 0ULL);
	sysgenid_watcher_release(st, &w);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_two_bumps_before_ack(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	open_tracked(st, &w);
	sysgenid_state_bump(st, 0);
	sysgenid_state_bump(st, 0);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 1), -EINVAL);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 2), 0);
	EXPECT_COUNTS(test, st, 1, 0);
	sysgenid_watcher_release(st, &w);
}

static void sysgenid_close_outdated(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher a, b;

	open_tracked(st, &a);
	open_tracked(st, &b);
	sysgenid_state_bump(st, 0);
	sysgenid_watcher_release(st, &a);
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_release(st, &b);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_close_acked(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher a, b;

	open_tracked(st, &a);
	open_tracked(st, &b);
	sysgenid_state_bump(st, 0);
	sysgenid_watcher_ack(st, &a, 1);
	sysgenid_watcher_release(st, &a);
	/* Closing an acknowledged watcher leaves b's outdated count alone. */
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_release(st, &b);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_untrack_outdated(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	open_tracked(st, &w);
	sysgenid_state_bump(st, 0);
	sysgenid_watcher_set_tracking(st, &w, false);
	EXPECT_COUNTS(test, st, 0, 0);
	/* Still outdated, just not counted. */
	KUNIT_EXPECT_TRUE(test, outdated(st, &w));
	sysgenid_watcher_set_tracking(st, &w, false);
	EXPECT_COUNTS(test, st, 0, 0);
	sysgenid_watcher_release(st, &w);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_track_outdated(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher w;

	sysgenid_watcher_open(st, &w);
	sysgenid_state_bump(st, 0);
	EXPECT_COUNTS(test, st, 0, 0);
	sysgenid_watcher_set_tracking(st, &w, true);
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_set_tracking(st, &w, true);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &w, 1), 0);
	EXPECT_COUNTS(test, st, 1, 0);
	sysgenid_watcher_release(st, &w);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_untracked_not_counted(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher a, b;

	sysgenid_watcher_open(st, &a);
	open_tracked(st, &b);
	sysgenid_state_bump(st, 0);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &a, 1), 0);
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_release(st, &a);
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_release(st, &b);
	EXPECT_COUNTS(test, st, 0, 0);
}

/*
 * min_gen U32_MAX and a wrap bring the counter back to the value a watcher
 * acknowledged: it missed two changes and must still be outdated, and the
 * counts must stay consistent when it is untracked, retracked and acked.
 */
static void sysgenid_generation_comes_back(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher a, b;

	open_tracked(st, &a);
	sysgenid_watcher_open(st, &b);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, U32_MAX), U32_MAX);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 0U);
	KUNIT_EXPECT_TRUE(test, outdated(st, &a));
	KUNIT_EXPECT_TRUE(test, outdated(st, &b));
	EXPECT_COUNTS(test, st, 1, 1);
	sysgenid_watcher_set_tracking(st, &a, false);
	EXPECT_COUNTS(test, st, 0, 0);
	sysgenid_watcher_set_tracking(st, &a, true);
	EXPECT_COUNTS(test, st, 1, 1);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &a, 0), 0);
	KUNIT_EXPECT_FALSE(test, outdated(st, &a));
	EXPECT_COUNTS(test, st, 1, 0);
	sysgenid_watcher_release(st, &a);
	sysgenid_watcher_release(st, &b);
	EXPECT_COUNTS(test, st, 0, 0);
}

static void sysgenid_page_follows(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	u32 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, page);
	st->page = page;
	sysgenid_state_bump(st, 0);
	KUNIT_EXPECT_EQ(test, page[0], 1U);
	sysgenid_state_bump(st, 100);
	KUNIT_EXPECT_EQ(test, page[0], 100U);
	KUNIT_EXPECT_EQ(test, st->generation, 100U);
	KUNIT_EXPECT_EQ(test, page[1], 0U);
}

/* A state with a page and the slots a device copies into it. */
static struct sysgenid_state *new_device_state(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);

	st->page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	st->slot = kunit_kcalloc(test, 2, sizeof(*st->slot), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->page);
	KUNIT_ASSERT_NOT_NULL(test, st->slot);
	st->slot[0] = 1;
	st->slot[1] = 2;
	return st;
}

/*
 * A device restoring the system: the leak queue that is active copies the
 * slot it was bound to, and the other queue becomes active.
 */
struct fake_device {
	unsigned int bound[2];	/* the slot each queue copies */
	unsigned int active;
};

static void fake_device_reset(struct fake_device *d, struct sysgenid_state *st)
{
	d->bound[0] = st->lead;
	d->bound[1] = st->lead ^ 1;
	d->active = 0;
}

static void fake_device_restore(struct fake_device *d, struct sysgenid_state *st)
{
	WRITE_ONCE(st->page[0], READ_ONCE(st->slot[d->bound[d->active]]));
	d->active ^= 1;
}

/* The slots always hold the next two generations, whatever moved it. */
static void sysgenid_slots_staged(struct kunit *test)
{
	struct sysgenid_state *st = new_device_state(test);

	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 1U);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead], 2U);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead ^ 1], 3U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 100), 100U);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead], 101U);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead ^ 1], 102U);
	st->generation = U32_MAX - 1;
	st->page[0] = U32_MAX - 1;
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), U32_MAX);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead], 0U);
	KUNIT_EXPECT_EQ(test, st->slot[st->lead ^ 1], 1U);
	KUNIT_EXPECT_EQ(test, st->page[1], 0U);
}

/*
 * One restore that a device stored counts once: the restore's bump takes
 * the page's value instead of moving on from it, and the next restore
 * stores the generation after.
 */
static void sysgenid_restore_caught_up(struct kunit *test)
{
	struct sysgenid_state *st = new_device_state(test);
	struct fake_device d;
	int i;

	fake_device_reset(&d, st);
	for (i = 1; i <= 5; i++) {
		fake_device_restore(&d, st);
		KUNIT_EXPECT_EQ(test, st->page[0], i);
		KUNIT_EXPECT_EQ(test, st->generation, i - 1);
		KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), i);
		KUNIT_EXPECT_EQ(test, st->page[0], i);
	}
	/* A restore without a device (vmgenid alone): one more. */
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 6U);
	KUNIT_EXPECT_EQ(test, st->page[0], 6U);
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 7U);
}

/*
 * A snapshot of a system that did not catch up yet, restored: the other
 * queue's copy moves the page again, and one bump catches up with both.
 */
static void sysgenid_two_restores_one_bump(struct kunit *test)
{
	struct sysgenid_state *st = new_device_state(test);
	struct fake_device d;

	fake_device_reset(&d, st);
	fake_device_restore(&d, st);
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 2U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 2U);
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 3U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 3U);
}

/*
 * TRIGGER_GEN_UPDATE between the device's setup and a restore, twice: the
 * slots follow, so the restore moves the page forward, by one.
 */
static void sysgenid_triggers_then_restore(struct kunit *test)
{
	struct sysgenid_state *st = new_device_state(test);
	struct fake_device d;

	fake_device_reset(&d, st);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 1U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 2U);
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 3U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 3U);
	/*
	 * A trigger before the restore's bump moves on from the page;
	 * the restore then counts once more (documented).
	 */
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 4U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, 0), 5U);
	KUNIT_EXPECT_EQ(test, st->page[0], 5U);
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 6U);
	fake_device_restore(&d, st);
	KUNIT_EXPECT_EQ(test, st->page[0], 7U);
}

/*
 * A page behind the generation (a restore in the middle of a bump stored
 * an old slot) is moved forward by the next bump, never left behind.
 */
static void sysgenid_page_behind(struct kunit *test)
{
	struct sysgenid_state *st = new_device_state(test);

	sysgenid_state_bump(st, 100);
	st->page[0] = 1;
	KUNIT_EXPECT_EQ(test, sysgenid_state_restore(st), 101U);
	KUNIT_EXPECT_EQ(test, st->page[0], 101U);
}

/*
 * A waiter woken by a bump finds the new generation in the page: the wake
 * function of our own wait-queue entry runs inside wake_up_all() and loads
 * the page there, before any woken task could.
 */
struct page_waiter {
	struct wait_queue_entry wq;
	const u32 *page;
	u32 seen;
	int woken;
};

static int page_waiter_wake(struct wait_queue_entry *wq, unsigned int mode,
			    int sync, void *key)
{
	struct page_waiter *pw = container_of(wq, struct page_waiter, wq);

	pw->seen = READ_ONCE(*pw->page);
	pw->woken++;
	return 0;
}

static void sysgenid_page_before_wake(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	u32 *page = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	struct page_waiter rd = { .page = page }, wt = { .page = page };

	KUNIT_ASSERT_NOT_NULL(test, page);
	st->page = page;
	init_waitqueue_func_entry(&rd.wq, page_waiter_wake);
	init_waitqueue_func_entry(&wt.wq, page_waiter_wake);
	add_wait_queue(&st->read_wq, &rd.wq);
	add_wait_queue(&st->outdated_wq, &wt.wq);
	sysgenid_state_bump(st, 7);
	remove_wait_queue(&st->read_wq, &rd.wq);
	remove_wait_queue(&st->outdated_wq, &wt.wq);
	KUNIT_EXPECT_EQ(test, rd.woken, 1);
	KUNIT_EXPECT_EQ(test, rd.seen, 7U);
	KUNIT_EXPECT_EQ(test, wt.woken, 1);
	KUNIT_EXPECT_EQ(test, wt.seen, 7U);
}

/* WAIT_WATCHERS' verdict: the caller's own state first, in one look. */
static void sysgenid_wait_verdicts(struct kunit *test)
{
	struct sysgenid_state *st = new_state(test);
	struct sysgenid_watcher caller, other;

	sysgenid_watcher_open(st, &caller);
	open_tracked(st, &other);
	KUNIT_EXPECT_EQ(test, sysgenid_wait_verdict(st, &caller), 0);
	sysgenid_state_bump(st, 0);
	/* Both outdated: the caller hears about itself, not a timeout. */
	KUNIT_EXPECT_EQ(test, sysgenid_wait_verdict(st, &caller), -ESTALE);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &caller, 1), 0);
	KUNIT_EXPECT_EQ(test, sysgenid_wait_verdict(st, &caller), -EAGAIN);
	KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(st, &other, 1), 0);
	KUNIT_EXPECT_EQ(test, sysgenid_wait_verdict(st, &caller), 0);
	/* A tracked caller that is outdated is told so too. */
	sysgenid_state_bump(st, 0);
	KUNIT_EXPECT_EQ(test, sysgenid_wait_verdict(st, &other), -ESTALE);
	sysgenid_watcher_release(st, &caller);
	sysgenid_watcher_release(st, &other);
	EXPECT_COUNTS(test, st, 0, 0);
}

/* By-value ioctl arguments: a u32, or one sign-extended by a 64-bit ABI. */
static void sysgenid_ioctl_arguments(struct kunit *test)
{
	static const struct {
		unsigned long arg;
		int ret;
		u32 val;
	} cases[] = {
		{ 0, 0, 0 },
		{ 1, 0, 1 },
		{ 0x7fffffff, 0, 0x7fffffff },
		{ 0x80000000, 0, 0x80000000 },
		{ 0xffffffff, 0, 0xffffffff },
#if BITS_PER_LONG == 64
		{ 0xffffffff80000000, 0, 0x80000000 },
		{ 0xffffffffffffffff, 0, 0xffffffff },
		{ 0x100000000, -EINVAL },
		{ 0xffffffff7fffffff, -EINVAL },
		{ 0x8000000000000000, -EINVAL },
		{ 0x00000000ffffffff + 0x7f00000000, -EINVAL },
#endif
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		u32 val = 0xdeadbeef;

		KUNIT_EXPECT_EQ_MSG(test, sysgenid_arg_u32(cases[i].arg, &val),
				    cases[i].ret, "arg %#lx", cases[i].arg);
		if (!cases[i].ret)
			KUNIT_EXPECT_EQ_MSG(test, val, cases[i].val,
					    "arg %#lx", cases[i].arg);
	}
}

struct min_gen_case {
	u32 cur;
	u32 min_gen;
	u32 next;
	const char *what;
};

/* Expected: max(cur + 1, min_gen) in u32, and never cur itself. */
static const struct min_gen_case min_gen_cases[] = {
	{ 0x00000000, 0x00000000, 0x00000001, "0" },
	{ 0x00000000, 0x00000000, 0x00000001, "cur" },
	{ 0x00000000, 0x00000001, 0x00000001, "cur + 1" },
	{ 0x00000000, 0x0000000a, 0x0000000a, "cur + 10" },
	{ 0x00000000, 0x80000000, 0x80000000, "0x80000000" },
	{ 0x00000000, 0xffffffff, 0xffffffff, "0xffffffff" },
	{ 0x00000005, 0x00000000, 0x00000006, "0" },
	{ 0x00000005, 0x00000005, 0x00000006, "cur" },
	{ 0x00000005, 0x00000006, 0x00000006, "cur + 1" },
	{ 0x00000005, 0x0000000f, 0x0000000f, "cur + 10" },
	{ 0x00000005, 0x80000000, 0x80000000, "0x80000000" },
	{ 0x00000005, 0xffffffff, 0xffffffff, "0xffffffff" },
	{ 0x7fffffff, 0x00000000, 0x80000000, "0" },
	{ 0x7fffffff, 0x7fffffff, 0x80000000, "cur" },
	{ 0x7fffffff, 0x80000000, 0x80000000, "cur + 1" },
	{ 0x7fffffff, 0x80000009, 0x80000009, "cur + 10" },
	{ 0x7fffffff, 0x80000000, 0x80000000, "0x80000000" },
	{ 0x7fffffff, 0xffffffff, 0xffffffff, "0xffffffff" },
	{ 0xfffffffe, 0x00000000, 0xffffffff, "0" },
	{ 0xfffffffe, 0xfffffffe, 0xffffffff, "cur" },
	{ 0xfffffffe, 0xffffffff, 0xffffffff, "cur + 1" },
	{ 0xfffffffe, 0x00000008, 0xffffffff, "cur + 10" },
	{ 0xfffffffe, 0x80000000, 0xffffffff, "0x80000000" },
	{ 0xfffffffe, 0xffffffff, 0xffffffff, "0xffffffff" },
	{ 0xffffffff, 0x00000000, 0x00000000, "0" },
	{ 0xffffffff, 0xffffffff, 0x00000000, "cur" },
	{ 0xffffffff, 0x00000000, 0x00000000, "cur + 1" },
	{ 0xffffffff, 0x00000009, 0x00000009, "cur + 10" },
	{ 0xffffffff, 0x80000000, 0x80000000, "0x80000000" },
	{ 0xffffffff, 0xffffffff, 0x00000000, "0xffffffff" },
};

static void min_gen_desc(const struct min_gen_case *c, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "cur %#x min_gen %s (%#x)",
		 c->cur, c->what, c->min_gen);
}

KUNIT_ARRAY_PARAM(min_gen, min_gen_cases, min_gen_desc);

static void sysgenid_min_gen(struct kunit *test)
{
	const struct min_gen_case *c = test->param_value;
	struct sysgenid_state *st = new_state(test);

	KUNIT_EXPECT_EQ(test, sysgenid_next_generation(c->cur, c->min_gen), c->next);
	/* Through a state too: the generation and the returned value agree. */
	st->generation = c->cur;
	KUNIT_EXPECT_EQ(test, sysgenid_state_bump(st, c->min_gen), c->next);
	KUNIT_EXPECT_EQ(test, st->generation, c->next);
	KUNIT_EXPECT_NE(test, st->generation, c->cur);
}

static void sysgenid_bump_irqs_disabled(struct kunit *test)
{
	struct sysgenid_state *st;
	struct sysgenid_watcher w;
	unsigned long flags;

	/* There, the spinlock sleeps: no caller may hold interrupts off. */
	if (IS_ENABLED(CONFIG_PREEMPT_RT))
		kunit_skip(test, "spinlock_t sleeps on PREEMPT_RT");
	st = new_state(test);
	open_tracked(st, &w);
	local_irq_save(flags);
	sysgenid_state_bump(st, 0);
	sysgenid_watcher_ack(st, &w, 1);
	sysgenid_watcher_set_tracking(st, &w, false);
	local_irq_restore(flags);
	EXPECT_COUNTS(test, st, 0, 0);
	KUNIT_EXPECT_EQ(test, st->generation, 1U);
	sysgenid_watcher_release(st, &w);
}

struct timer_bump {
	struct hrtimer timer;
	struct sysgenid_state *st;
	struct completion done;
	bool in_irq;
	u32 gen;
};

static enum hrtimer_restart timer_bump_fn(struct hrtimer *t)
{
	struct timer_bump *tb = container_of(t, struct timer_bump, timer);

	tb->in_irq = in_hardirq() || IS_ENABLED(CONFIG_PREEMPT_RT);
	tb->gen = sysgenid_state_bump(tb->st, 0);
	complete(&tb->done);
	return HRTIMER_NORESTART;
}

/* An hrtimer callback runs in hard interrupt context (threaded on PREEMPT_RT). */
static void sysgenid_bump_from_hrtimer(struct kunit *test)
{
	struct timer_bump tb = { .st = new_state(test) };
	struct sysgenid_watcher w;

	init_completion(&tb.done);
	sysgenid_watcher_open(tb.st, &w);
	sysgenid_watcher_set_tracking(tb.st, &w, true);
	hrtimer_setup_on_stack(&tb.timer, timer_bump_fn, CLOCK_MONOTONIC,
			       HRTIMER_MODE_REL);
	hrtimer_start(&tb.timer, ms_to_ktime(1), HRTIMER_MODE_REL);
	/* A waiter on the read queue is woken from the timer. */
	KUNIT_EXPECT_GT(test, wait_event_timeout(tb.st->read_wq,
						 READ_ONCE(tb.st->generation) == 1, 10 * HZ), 0);
	KUNIT_EXPECT_TRUE(test, wait_for_completion_timeout(&tb.done, 10 * HZ));
	hrtimer_cancel(&tb.timer);
	destroy_hrtimer_on_stack(&tb.timer);
	KUNIT_EXPECT_TRUE(test, tb.in_irq);
	KUNIT_EXPECT_EQ(test, tb.gen, 1U);
	EXPECT_COUNTS(test, tb.st, 1, 1);
	sysgenid_watcher_release(tb.st, &w);
	EXPECT_COUNTS(test, tb.st, 0, 0);
}

/* Concurrency: threads race opens, closes, tracking, acks and bumps. */
#define RACE_WATCHERS	8
#define RACE_THREADS	2
#define RACE_MS		500

struct race {
	struct sysgenid_state *st;
	struct sysgenid_watcher w[RACE_WATCHERS];
	atomic_t violations;
	atomic_t bumps, acks, toggles, reopens;
	/* Bumps from a timer instead of a thread: */
	struct hrtimer timer;
	bool stop;
	bool all_in_irq;
};

/*
 * Recount under the lock: outdated must equal the tracked, unacknowledged
 * watchers. A released watcher is untracked, so closed ones count as zero.
 */
static void race_check(struct race *r)
{
	unsigned int tracked = 0, outdated = 0;
	int i;

	guard(spinlock_irqsave)(&r->st->lock);
	for (i = 0; i < RACE_WATCHERS; i++) {
		if (!r->w[i].tracked)
			continue;
		tracked++;
		outdated += r->w[i].acked != r->st->seq;
	}
	if (tracked != r->st->tracked || outdated != r->st->outdated ||
	    r->st->outdated > r->st->tracked)
		atomic_inc(&r->violations);
}

struct race_thread {
	struct race *r;
	int id;
};

/* Thread @id owns the watchers i with i % RACE_THREADS == id, as a process owns its files. */
static int race_watcher(void *arg)
{
	struct race_thread *rt = arg;
	struct race *r = rt->r;
	u32 gen;
	int i;

	while (!kthread_should_stop()) {
		i = get_random_u32_below(RACE_WATCHERS / RACE_THREADS) * RACE_THREADS + rt->id;
		switch (get_random_u32_below(4)) {
		case 0:
			if (sysgenid_watcher_outdated(r->st, &r->w[i], &gen) &&
			    !sysgenid_watcher_ack(r->st, &r->w[i], gen))
				atomic_inc(&r->acks);
			break;
		case 1:
			sysgenid_watcher_set_tracking(r->st, &r->w[i], !r->w[i].tracked);
			atomic_inc(&r->toggles);
			break;
		case 2:
			/* Close and reopen, as a process would. */
			sysgenid_watcher_release(r->st, &r->w[i]);
			sysgenid_watcher_open(r->st, &r->w[i]);
			atomic_inc(&r->reopens);
			break;
		default:
			race_check(r);
		}
		cond_resched();
	}
	return 0;
}

static int race_bumper(void *arg)
{
	struct race *r = arg;

	while (!kthread_should_stop()) {
		sysgenid_state_bump(r->st, 0);
		atomic_inc(&r->bumps);
		race_check(r);
		cond_resched();
	}
	return 0;
}

static enum hrtimer_restart race_timer_bumper(struct hrtimer *t)
{
	struct race *r = container_of(t, struct race, timer);

	r->all_in_irq &= in_hardirq() || IS_ENABLED(CONFIG_PREEMPT_RT);
	sysgenid_state_bump(r->st, 0);
	atomic_inc(&r->bumps);
	race_check(r);
	if (READ_ONCE(r->stop))
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, us_to_ktime(100));
	return HRTIMER_RESTART;
}

/*
 * Watcher threads race each other and a bumper for @ms: a kthread, or with
 * @irq an hrtimer, that is in interrupt context (threaded on PREEMPT_RT,
 * like an IRQ handler: the timer is not a _HARD one, so lockdep checks the
 * wait context accordingly).
 */
static void run_race(struct kunit *test, unsigned int ms, bool irq)
{
	struct race *r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	struct race_thread rt[RACE_THREADS];
	struct task_struct *t[RACE_THREADS + 1];
	int nthreads = irq ? RACE_THREADS : RACE_THREADS + 1;
	unsigned long deadline;
	u32 gen;
	int i;

	KUNIT_ASSERT_NOT_NULL(test, r);
	r->st = new_state(test);
	r->all_in_irq = true;
	for (i = 0; i < RACE_WATCHERS; i++)
		sysgenid_watcher_open(r->st, &r->w[i]);
	if (!irq)
		t[RACE_THREADS] = kthread_create(race_bumper, r, "sysgenid-bump");
	for (i = 0; i < RACE_THREADS; i++) {
		rt[i] = (struct race_thread){ r, i };
		t[i] = kthread_create(race_watcher, &rt[i], "sysgenid-w%d", i);
	}
	for (i = 0; i < nthreads; i++) {
		if (!IS_ERR(t[i]))
			continue;
		/* Threads that were never woken exit without running. */
		while (--i >= 0)
			if (!IS_ERR(t[i]))
				kthread_stop(t[i]);
		KUNIT_FAIL(test, "kthread_create failed");
		return;
	}
	for (i = 0; i < nthreads; i++)
		wake_up_process(t[i]);
	if (irq) {
		/* r is allocated, not on the stack: a plain setup. */
		hrtimer_setup(&r->timer, race_timer_bumper, CLOCK_MONOTONIC,
			      HRTIMER_MODE_REL);
		hrtimer_start(&r->timer, us_to_ktime(100), HRTIMER_MODE_REL);
	}
	/* This thread checks the invariant while the others run. */
	deadline = jiffies + msecs_to_jiffies(ms);
	while (time_before(jiffies, deadline)) {
		race_check(r);
		usleep_range(1000, 2000);
	}
	if (irq) {
		WRITE_ONCE(r->stop, true);
		hrtimer_cancel(&r->timer);
		KUNIT_EXPECT_TRUE(test, r->all_in_irq);
	}
	for (i = 0; i < nthreads; i++)
		kthread_stop(t[i]);

	race_check(r);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->violations), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&r->bumps), 0);
	/* Everyone acknowledges: nothing stays outdated. */
	for (i = 0; i < RACE_WATCHERS; i++)
		if (sysgenid_watcher_outdated(r->st, &r->w[i], &gen))
			KUNIT_EXPECT_EQ(test, sysgenid_watcher_ack(r->st, &r->w[i], gen), 0);
	KUNIT_EXPECT_EQ(test, r->st->outdated, 0U);
	for (i = 0; i < RACE_WATCHERS; i++)
		sysgenid_watcher_release(r->st, &r->w[i]);
	EXPECT_COUNTS(test, r->st, 0, 0);
	kunit_info(test, "%d bumps%s, %d acks, %d toggles, %d reopens in %u ms\n",
		   atomic_read(&r->bumps), irq ? " from IRQ context" : "",
		   atomic_read(&r->acks), atomic_read(&r->toggles),
		   atomic_read(&r->reopens), ms);
}

static void sysgenid_concurrency(struct kunit *test)
{
	run_race(test, RACE_MS, false);
}

/*
 * The same race with bumps from interrupt context, for as long as a stress
 * run asks (irq_bump_ms=N): the debug guest runs it beside the userspace
 * stress program, so that lockdep sees the state's lock taken from an
 * interrupt while other locks are held in process context.
 */
static unsigned int irq_bump_ms = RACE_MS;
module_param(irq_bump_ms, uint, 0444);
MODULE_PARM_DESC(irq_bump_ms,
		 "sysgenid_irq_bumps: race watchers against bumps from an hrtimer for this many ms");

static void sysgenid_irq_bumps(struct kunit *test)
{
	run_race(test, irq_bump_ms, true);
}

static struct kunit_case sysgenid_test_cases[] = {
	KUNIT_CASE(sysgenid_open_close),
	KUNIT_CASE(sysgenid_track_bump_ack),
	KUNIT_CASE(sysgenid_double_ack),
	KUNIT_CASE(sysgenid_stale_ack),
	KUNIT_CASE(sysgenid_two_bumps_before_ack),
	KUNIT_CASE(sysgenid_close_outdated),
	KUNIT_CASE(sysgenid_close_acked),
	KUNIT_CASE(sysgenid_untrack_outdated),
	KUNIT_CASE(sysgenid_track_outdated),
	KUNIT_CASE(sysgenid_untracked_not_counted),
	KUNIT_CASE(sysgenid_generation_comes_back),
	KUNIT_CASE(sysgenid_page_follows),
	KUNIT_CASE(sysgenid_slots_staged),
	KUNIT_CASE(sysgenid_restore_caught_up),
	KUNIT_CASE(sysgenid_two_restores_one_bump),
	KUNIT_CASE(sysgenid_triggers_then_restore),
	KUNIT_CASE(sysgenid_page_behind),
	KUNIT_CASE(sysgenid_page_before_wake),
	KUNIT_CASE(sysgenid_wait_verdicts),
	KUNIT_CASE(sysgenid_ioctl_arguments),
	KUNIT_CASE_PARAM(sysgenid_min_gen, min_gen_gen_params),
	KUNIT_CASE(sysgenid_bump_irqs_disabled),
	KUNIT_CASE(sysgenid_bump_from_hrtimer),
	KUNIT_CASE_SLOW(sysgenid_concurrency),
	KUNIT_CASE_SLOW(sysgenid_irq_bumps),
	{}
};

static struct kunit_suite sysgenid_test_suite = {
	.name = "sysgenid",
	.test_cases = sysgenid_test_cases,
};

kunit_test_suite(sysgenid_test_suite);

MODULE_DESCRIPTION("KUnit tests for the System Generation ID driver");
MODULE_LICENSE("GPL");
