/* SPDX-License-Identifier: GPL-2.0 */
/*
 * System Generation ID: state and accounting shared by the driver and its
 * KUnit tests. Not an interface for other drivers.
 */
#ifndef _DRIVERS_MISC_SYSGENID_INTERNAL_H
#define _DRIVERS_MISC_SYSGENID_INTERNAL_H

#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>
#include <kunit/visibility.h>

/**
 * struct sysgenid_state - a generation counter and the accounting of its watchers
 * @lock:	Protects every field below, the fields of every watcher of this
 *		state, and the CPU's stores to @page and @slot. Taken with
 *		interrupts disabled, so that a bump may come from any
 *		context that may call wake_up().
 * @generation:	The current generation. Written under @lock; read locklessly
 *		(READ_ONCE()) by the sysfs attribute and the uevent.
 * @seq:	Number of bumps so far. Whether a watcher is outdated is decided
 *		on @seq, not on @generation: the generation can come back to a
 *		value a watcher acknowledged long ago (min_gen 0xffffffff, then
 *		a wrap to 0), the bump count cannot in practice. Read locklessly
 *		by the wait conditions, which decide again under @lock.
 * @tracked:	Number of watchers with tracking enabled.
 * @outdated:	Number of tracked watchers that have not acknowledged the
 *		current generation. Always 0 <= @outdated <= @tracked. Read
 *		locklessly by the wait conditions.
 * @page:	Page shared read-only with userspace, or NULL; @generation is
 *		mirrored at offset 0, the rest stays zero. Userspace loads it
 *		without any lock. A device may store one of @slot there while
 *		the system is restored, at any instruction boundary of the
 *		CPU that bumps, so the page can be one or two restores ahead
 *		of @generation until the restore's bump catches up.
 * @slot:	Or NULL: two generations for devices to store in @page during
 *		a restore: @slot[@lead] is @generation + 1, for the next
 *		restore, @slot[!@lead] is @generation + 2, for a restore of a
 *		system that has not caught up with the previous one yet.
 * @lead:	See @slot. A bump that catches up with one restore flips it,
 *		since that restore used @slot[@lead].
 * @read_wq: * @read_wq:	Woken on every bump: blocked readers and pollers.
 * @outdated_wq: Woken on every bump and when @outdated drops to zero:
 *		WAIT_WATCHERS callers.
 */
struct sysgenid_state {
	spinlock_t lock;	/* irqsave; see above */
	u32 generation;
	u64 seq;
	unsigned int tracked;
	unsigned int outdated;
	u32 *page;
	u32 *slot;
	unsigned int lead;
	wait_queue_head_t read_wq;
	wait_queue_head_t outdated_wq;
};

/**
 * struct sysgenid_watcher - per open file state
 * @acked:	The &sysgenid_state.seq of the last generation this file
 *		acknowledged; the file is outdated while @acked differs from
 *		the current &sysgenid_state.seq. Read locklessly by the wait
 *		conditions.
 * @acked_gen:	The generation this file acknowledged last (for fdinfo).
 * @tracked:	Whether the file counts in &sysgenid_state.outdated.
 *
 * Every field is written under &sysgenid_state.lock.
 */
struct sysgenid_watcher {
	u64 acked;
	u32 acked_gen;
	bool tracked;
};

#if IS_ENABLED(CONFIG_KUNIT)
u32 sysgenid_next_generation(u32 cur, u32 min_gen);
u32 sysgenid_state_bump(struct sysgenid_state *st, u32 min_gen);
u32 sysgenid_state_restore(struct sysgenid_state *st);
void sysgenid_watcher_open(struct sysgenid_state *st, struct sysgenid_watcher *w);
void sysgenid_watcher_release(struct sysgenid_state *st, struct sysgenid_watcher *w);
void sysgenid_watcher_set_tracking(struct sysgenid_state *st,
				   struct sysgenid_watcher *w, bool on);
int sysgenid_watcher_ack(struct sysgenid_state *st, struct sysgenid_watcher *w, u32 gen);
bool sysgenid_watcher_outdated(struct sysgenid_state *st,
			       struct sysgenid_watcher *w, u32 *gen);
int sysgenid_wait_verdict(struct sysgenid_state *st, struct sysgenid_watcher *w);
int sysgenid_arg_u32(unsigned long arg, u32 *val);
#endif

#endif /* _DRIVERS_MISC_SYSGENID_INTERNAL_H */
